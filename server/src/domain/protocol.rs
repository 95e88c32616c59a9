//! Closed enums for the protocol's vocabulary (RFC 6749, OIDC Core). Each parses only the
//! registered spelling and prints it back with `as_str`; unknown values are the caller's
//! error to report with the right RFC code.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// `response_type` values the hub implements (OIDC Core §3, OAuth 2.0 Multiple
    /// Response Types): the code flow, the implicit flow and the hybrid flow. The wire
    /// form is a set of words in any order; `parse` takes any order, `as_str` prints the
    /// canonical one.
    ResponseType {
        Code = "code",
        IdToken = "id_token",
        IdTokenToken = "id_token token",
        CodeIdToken = "code id_token",
        CodeToken = "code token",
        CodeIdTokenToken = "code id_token token",
    }
);

impl ResponseType {
    /// The words in the canonical order (`code`, `id_token`, `token`), so that
    /// `token id_token` is `id_token token`; None for anything else.
    pub fn from_words(value: &str) -> Option<Self> {
        const ORDER: [&str; 3] = ["code", "id_token", "token"];
        let mut words: Vec<&str> = value.split(' ').collect();
        if words.iter().any(|word| !ORDER.contains(word)) {
            return None;
        }
        words.sort_by_key(|word| ORDER.iter().position(|known| known == word));
        let canonical = words.join(" ");
        // A repeated word survives the sort and then matches no variant.
        Self::parse(&canonical)
    }

    pub fn issues_code(self) -> bool {
        matches!(self, Self::Code | Self::CodeIdToken | Self::CodeToken | Self::CodeIdTokenToken)
    }

    pub fn issues_id_token(self) -> bool {
        matches!(self, Self::IdToken | Self::IdTokenToken | Self::CodeIdToken | Self::CodeIdTokenToken)
    }

    /// An access token straight from the authorization endpoint.
    pub fn issues_access_token(self) -> bool {
        matches!(self, Self::IdTokenToken | Self::CodeToken | Self::CodeIdTokenToken)
    }

    /// Whether any token travels in the authorization response (the implicit grant): such
    /// a response never goes in the query (Multiple Response Types §5).
    pub fn uses_implicit(self) -> bool {
        self != Self::Code
    }

    pub fn default_mode(self) -> ResponseMode {
        if self.uses_implicit() { ResponseMode::Fragment } else { ResponseMode::Query }
    }
}

wire_enum!(
    /// How the authorization response reaches the client (OAuth 2.0 Multiple Response
    /// Types; Form Post Response Mode).
    ResponseMode { Query = "query", Fragment = "fragment", FormPost = "form_post" }
);

wire_enum!(
    /// `prompt` values (OIDC Core §3.1.2.1).
    Prompt { None = "none", Login = "login", Consent = "consent", SelectAccount = "select_account" }
);

wire_enum!(
    /// How a client signs its request objects (OIDC Core §6.1): `none` for an unsigned
    /// one, no better than the query it replaces, or an algorithm the hub verifies with
    /// the client's secret (HMAC) or its registered keys.
    RequestObjectAlg {
        None = "none",
        HS256 = "HS256",
        HS384 = "HS384",
        HS512 = "HS512",
        RS256 = "RS256",
        RS384 = "RS384",
        RS512 = "RS512",
        PS256 = "PS256",
        PS384 = "PS384",
        PS512 = "PS512",
        ES256 = "ES256",
        ES384 = "ES384",
        EdDSA = "EdDSA",
    }
);

wire_enum!(
    /// Which `sub` a client knows its users by (OIDC Core §8): the same for every client,
    /// or one per sector that clients of other sectors cannot correlate.
    SubjectType { Public = "public", Pairwise = "pairwise" }
);

wire_enum!(
    /// How the content key of a token encrypted to a client is wrapped with the client's
    /// public RSA key (RFC 7518 §4.2, §4.3). The hub only ever encrypts with these, so
    /// RSA1_5's padding-oracle weakness (it lies in decryption) is the client's concern.
    KeyEncryptionAlg { Rsa1_5 = "RSA1_5", RsaOaep = "RSA-OAEP", RsaOaep256 = "RSA-OAEP-256" }
);

wire_enum!(
    /// How the content of an encrypted token is encrypted (RFC 7518 §5).
    ContentEncryptionAlg {
        A128CbcHs256 = "A128CBC-HS256",
        A192CbcHs384 = "A192CBC-HS384",
        A256CbcHs512 = "A256CBC-HS512",
        A128Gcm = "A128GCM",
        A192Gcm = "A192GCM",
        A256Gcm = "A256GCM",
    }
);

wire_enum!(
    /// OIDC Registration 1.0 §2: which redirect URIs a client may register.
    ApplicationType { Web = "web", Native = "native" }
);

wire_enum!(
    /// `implicit` is registered for response types that return tokens from the
    /// authorization endpoint (RFC 7591 §2.1); no token request uses it. `DeviceCode` is
    /// the device authorization grant of CLIs and TVs (RFC 8628).
    GrantType {
        AuthorizationCode = "authorization_code",
        Implicit = "implicit",
        RefreshToken = "refresh_token",
        ClientCredentials = "client_credentials",
        DeviceCode = "urn:ietf:params:oauth:grant-type:device_code",
    }
);

wire_enum!(
    /// Client authentication at the token endpoint (OIDC Core §9): the secret in the
    /// Authorization header or the form, an assertion signed with the secret (HMAC) or
    /// with the client's private key (its `jwks` or `jwks_uri`), or none (public clients).
    TokenEndpointAuthMethod {
        ClientSecretBasic = "client_secret_basic",
        ClientSecretPost = "client_secret_post",
        ClientSecretJwt = "client_secret_jwt",
        PrivateKeyJwt = "private_key_jwt",
        None = "none",
    }
);

wire_enum!(
    /// How the hub signs a client's ID tokens and signed userinfo: with one of the hub's
    /// keys (RS256, PS256, ES256, EdDSA), or HS256 keyed with the client's secret (as
    /// Frappe and django-oauth-toolkit do). Never `none`.
    SigningAlg { RS256 = "RS256", PS256 = "PS256", ES256 = "ES256", EdDSA = "EdDSA", HS256 = "HS256" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for grant in GrantType::ALL {
            assert_eq!(GrantType::parse(grant.as_str()), Some(*grant));
        }
        assert_eq!(ResponseMode::parse("form_post"), Some(ResponseMode::FormPost));
        assert_eq!(ResponseType::from_words("token id_token"), Some(ResponseType::IdTokenToken));
        assert_eq!(ResponseType::from_words("id_token token code"), Some(ResponseType::CodeIdTokenToken));
        for refused in ["token", "code code", "code  token", "", "id_token token x", "CODE"] {
            assert_eq!(ResponseType::from_words(refused), None, "{refused:?}");
        }
        assert_eq!(SigningAlg::parse("none"), None);
        assert_eq!(GrantType::parse("password"), None);
        assert_eq!(Prompt::parse("NONE"), None);
    }
}
