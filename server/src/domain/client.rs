//! A registered relying party (RFC 7591 client metadata plus the hub's own fields).

use super::protocol::{GrantType, IdTokenAlg, ResponseType, TokenEndpointAuthMethod};
use super::scope::ScopeSet;

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

    /// Exact string comparison (OAuth 2.0 Security BCP §4.1.3): no prefix, no wildcard.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|registered| registered == uri)
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|registered| registered == uri)
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }
}

/// Checks a redirect URI for registration: absolute, no fragment (RFC 6749 §3.1.2), and
/// https unless it is a loopback or a private-use scheme of a native app (RFC 8252).
pub fn validate_redirect_uri(uri: &str) -> Result<(), String> {
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
