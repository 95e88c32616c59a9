//! Redirect URIs: what may be registered (RFC 6749 §3.1.2, RFC 8252, OIDC Registration
//! 1.0 §2) and how a requested one matches a registered one.

/// Checks a redirect URI for registration: absolute, no fragment (RFC 6749 §3.1.2), and
/// https unless it is a loopback or a private-use scheme of a native app (RFC 8252).
pub fn validate_redirect_uri(uri: &str) -> Result<(), String> {
    if uri.len() > 2048 {
        return Err("a redirect URI has at most 2048 characters".into());
    }
    let parsed = url::Url::parse(uri).map_err(|e| format!("{uri} is not an absolute URL: {e}"))?;
    if parsed.fragment().is_some() {
        return Err(format!("{uri} must not contain a fragment"));
    }
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!("{uri} must use https (http is allowed only on loopback)")),
        "javascript" | "data" | "file" | "vbscript" => Err(format!("{uri} uses a forbidden scheme")),
        // Private-use schemes of native apps, such as com.example.app:/callback.
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(format!("{uri} must use https, loopback http or a reverse-domain private-use scheme")),
    }
}

/// RFC 8252 §7.3: a native app listens on a loopback port it gets at run time, so a
/// registered `http://127.0.0.1/…` or `http://[::1]/…` URI matches that URI with any
/// port. Both must be in the URL parser's canonical form, so the comparison is of
/// strings, never of two readings of an unusual URI; `localhost` is not a loopback IP
/// literal (RFC 8252 §8.3) and matches exactly only.
pub(super) fn same_but_loopback_port(registered: &str, requested: &str) -> bool {
    let canonical = |uri: &str| url::Url::parse(uri).ok().filter(|url| url.as_str() == uri);
    let (Some(mut registered), Some(mut requested)) = (canonical(registered), canonical(requested)) else {
        return false;
    };
    let loopback_ip = |url: &url::Url| {
        url.scheme() == "http"
            && match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                _ => false,
            }
    };
    if !loopback_ip(&registered) || !loopback_ip(&requested) {
        return false;
    }
    // Setting the port of an http URL with a host cannot fail.
    let (Ok(()), Ok(())) = (registered.set_port(None), requested.set_port(None)) else { return false };
    registered.as_str() == requested.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::client::ClientMetadata;

    #[test]
    fn a_loopback_ip_redirect_uri_matches_on_any_port_and_nothing_else_differs() {
        let client = ClientMetadata {
            client_name: "CLI".into(),
            redirect_uris: vec!["http://127.0.0.1/callback".into(), "http://[::1]:8080/cb?x=1".into()],
            token_endpoint_auth_method: crate::domain::TokenEndpointAuthMethod::None,
            ..ClientMetadata::default()
        }
        .into_client("cli".into())
        .unwrap();
        for matching in ["http://127.0.0.1/callback", "http://127.0.0.1:53123/callback", "http://[::1]:1/cb?x=1"] {
            assert!(client.has_redirect_uri(matching), "{matching}");
        }
        for other in [
            "http://127.0.0.1:53123/callback/",
            "http://127.0.0.1:53123/Callback",
            "http://127.0.0.1:53123/callback?next=x",
            "https://127.0.0.1:53123/callback",
            "http://localhost:53123/callback",
            "http://127.0.0.2:53123/callback",
            "http://user@127.0.0.1:53123/callback",
            "http://127.0.0.1:053123/callback",
            "http://[::1]:1/cb?x=2",
        ] {
            assert!(!client.has_redirect_uri(other), "{other}");
        }
    }

    #[test]
    fn redirect_uris_for_registration() {
        assert!(validate_redirect_uri("https://app.example.com/cb").is_ok());
        assert!(validate_redirect_uri("http://127.0.0.1:3000/cb").is_ok());
        assert!(validate_redirect_uri("http://localhost/cb").is_ok());
        assert!(validate_redirect_uri("com.example.app:/oauth").is_ok());
        assert!(validate_redirect_uri("http://app.example.com/cb").is_err());
        assert!(validate_redirect_uri("https://app.example.com/cb#frag").is_err());
        assert!(validate_redirect_uri("javascript:alert(1)").is_err());
        assert!(validate_redirect_uri("/relative").is_err());
    }
}
