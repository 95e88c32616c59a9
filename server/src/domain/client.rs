//! A registered relying party (RFC 7591 client metadata plus the hub's own fields).

use super::protocol::{GrantType, IdTokenAlg, ResponseType, TokenEndpointAuthMethod};
use super::scope::{self, ScopeSet};
use super::validation::{self, FieldErrors};

/// Sealing context of client secrets at rest.
pub const SECRET_CONTEXT: &str = "client-secret";

/// Confidential clients hold a secret; public ones (SPAs, native apps) authenticate with
/// PKCE alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

/// What the OP needs to know about a client. The secret is not here: it is opened from
/// the store only where a request is authenticated or an HS256 token is signed.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub response_types: Vec<ResponseType>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    pub id_token_signed_response_alg: IdTokenAlg,
    pub backchannel_logout_uri: Option<String>,
    /// Scopes the client may ask for; standard OIDC scopes when unset at registration.
    pub scope: ScopeSet,
    /// First-party apps: consent is never asked.
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Vec<String>,
    pub default_social_login_key: Option<String>,
}

impl Client {
    pub fn kind(&self) -> ClientKind {
        match self.token_endpoint_auth_method {
            TokenEndpointAuthMethod::None => ClientKind::Public,
            _ => ClientKind::Confidential,
        }
    }

    /// Exact string comparison (OAuth 2.0 Security BCP §4.1.3): no prefix, no wildcard;
    /// only the port of a loopback IP redirect URI may differ (RFC 8252 §7.3).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|registered| registered == uri || same_but_loopback_port(registered, uri))
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|registered| registered == uri)
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether the client's policy lets its users sign in through the key `slug`.
    pub fn allows_social_login_key(&self, slug: &str) -> bool {
        self.allowed_social_login_keys.is_empty()
            || self.allowed_social_login_keys.iter().any(|allowed| allowed == slug)
    }
}

/// What a client is registered with (RFC 7591 §2 names), before it is checked.
#[derive(Debug, Clone)]
pub struct ClientMetadata {
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub response_types: Vec<ResponseType>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    pub id_token_signed_response_alg: IdTokenAlg,
    pub backchannel_logout_uri: Option<String>,
    /// Space-separated; the standard OpenID scopes when unset.
    pub scope: Option<String>,
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Vec<String>,
    pub default_social_login_key: Option<String>,
}

/// At most this many URIs of each kind.
const MAX_URIS: usize = 50;

impl ClientMetadata {
    /// Checks the metadata as a whole (RFC 7591 §2.1: grant and response types agree) and
    /// makes the client.
    pub fn into_client(self, client_id: String) -> Result<Client, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("client_id", validate_client_id(&client_id));
        errors.check("client_name", validation::text(&self.client_name, 200));
        let uses_code = self.grant_types.contains(&GrantType::AuthorizationCode);
        if uses_code && self.redirect_uris.is_empty() {
            errors.add("redirect_uris", "the authorization_code grant needs at least one redirect URI");
        }
        for (field, uris) in
            [("redirect_uris", &self.redirect_uris), ("post_logout_redirect_uris", &self.post_logout_redirect_uris)]
        {
            if uris.len() > MAX_URIS {
                errors.add(field, format!("at most {MAX_URIS} URIs"));
            }
            for (i, uri) in uris.iter().enumerate() {
                errors.check(format!("{field}[{i}]"), validate_redirect_uri(uri));
            }
        }
        if self.grant_types.is_empty() {
            errors.add("grant_types", "at least one grant type");
        }
        if self.grant_types.contains(&GrantType::RefreshToken) && !uses_code {
            errors.add("grant_types", "refresh_token needs authorization_code, the grant that issues refresh tokens");
        }
        let response_code = self.response_types.contains(&ResponseType::Code);
        if uses_code != response_code {
            errors.add(
                "response_types",
                "the code response type goes with the authorization_code grant, and only with it",
            );
        }
        let public = self.token_endpoint_auth_method == TokenEndpointAuthMethod::None;
        if public && self.grant_types.contains(&GrantType::ClientCredentials) {
            errors
                .add("grant_types", "a public client (token_endpoint_auth_method none) cannot use client_credentials");
        }
        if public && self.id_token_signed_response_alg == IdTokenAlg::HS256 {
            errors
                .add("id_token_signed_response_alg", "HS256 is keyed with the client secret; a public client has none");
        }
        if let Some(uri) = &self.backchannel_logout_uri {
            errors.check("backchannel_logout_uri", validation::https_url(uri));
        }
        let scope = match &self.scope {
            Some(value) => match ScopeSet::parse(value) {
                Some(scope) if !scope.is_empty() => Some(scope),
                _ => {
                    errors.add("scope", "space-separated scope names of printable ASCII, at least one");
                    None
                }
            },
            None => Some(scope::STANDARD.iter().copied().collect()),
        };
        for (i, slug) in self.allowed_social_login_keys.iter().enumerate() {
            errors.check(format!("allowed_social_login_keys[{i}]"), super::social_login_key::validate_slug(slug));
        }
        if let Some(slug) = &self.default_social_login_key
            && !self.allowed_social_login_keys.is_empty()
            && !self.allowed_social_login_keys.contains(slug)
        {
            errors.add("default_social_login_key", "must be one of allowed_social_login_keys");
        }
        errors.into_result()?;
        Ok(Client {
            client_id,
            client_name: self.client_name,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            grant_types: dedup(self.grant_types),
            response_types: dedup(self.response_types),
            token_endpoint_auth_method: self.token_endpoint_auth_method,
            id_token_signed_response_alg: self.id_token_signed_response_alg,
            backchannel_logout_uri: self.backchannel_logout_uri,
            scope: scope.unwrap_or_default(),
            skip_authorization: self.skip_authorization,
            allowed_social_login_keys: self.allowed_social_login_keys,
            default_social_login_key: self.default_social_login_key,
        })
    }
}

/// RFC 8252 §7.3: a native app listens on a loopback port it gets at run time, so a
/// registered `http://127.0.0.1/…` or `http://[::1]/…` URI matches that URI with any
/// port. Both must be in the URL parser's canonical form, so the comparison is of
/// strings, never of two readings of an unusual URI; `localhost` is not a loopback IP
/// literal (RFC 8252 §8.3) and matches exactly only.
fn same_but_loopback_port(registered: &str, requested: &str) -> bool {
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

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut unique = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    unique
}

/// Client ids travel in URLs and forms: 1-128 characters, no spaces or control characters.
pub fn validate_client_id(client_id: &str) -> Result<(), String> {
    validation::identifier(client_id, 128)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_ip_redirect_uri_matches_on_any_port_and_nothing_else_differs() {
        let client = ClientMetadata {
            client_name: "CLI".into(),
            redirect_uris: vec!["http://127.0.0.1/callback".into(), "http://[::1]:8080/cb?x=1".into()],
            post_logout_redirect_uris: Vec::new(),
            grant_types: vec![GrantType::AuthorizationCode],
            response_types: vec![ResponseType::Code],
            token_endpoint_auth_method: TokenEndpointAuthMethod::None,
            id_token_signed_response_alg: IdTokenAlg::RS256,
            backchannel_logout_uri: None,
            scope: None,
            skip_authorization: false,
            allowed_social_login_keys: Vec::new(),
            default_social_login_key: None,
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
