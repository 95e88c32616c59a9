//! The kinds of upstream a Social Login Key can be, and the preset each brings: where its
//! endpoints come from, its default scopes and username claim, its quirks.

macro_rules! kinds {
    ($($variant:ident = $wire:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum UpstreamKind { $($variant),+ }

        impl UpstreamKind {
            pub fn as_str(self) -> &'static str {
                match self { $(UpstreamKind::$variant => $wire),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value { $($wire => Some(UpstreamKind::$variant),)+ _ => None }
            }
        }
    };
}

kinds!(
    Oidc = "oidc",
    Oauth2 = "oauth2",
    Google = "google",
    Microsoft = "microsoft",
    Github = "github",
    Gitlab = "gitlab",
    Keycloak = "keycloak",
    Frappe = "frappe",
    Hub = "hub",
);

/// How the hub finds an upstream's endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointSource {
    /// OpenID Connect Discovery from the issuer.
    Discovery,
    /// Fixed paths under the issuer (a Frappe site).
    IssuerPaths,
    /// Written in the key (generic OAuth 2.0) or fixed by the preset (GitHub).
    Explicit,
}

/// How the hub authenticates at the upstream's token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
}

impl TokenAuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenAuthMethod::ClientSecretPost => "client_secret_post",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "client_secret_basic" => Some(TokenAuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(TokenAuthMethod::ClientSecretPost),
            _ => None,
        }
    }
}

/// What a kind brings with it.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub source: EndpointSource,
    /// The issuer when the key leaves it empty; `None` means the key must name one.
    pub default_issuer: Option<&'static str>,
    pub default_scopes: &'static [&'static str],
    pub default_username_claim: &'static str,
    /// Fixed authorization, token and userinfo endpoints (GitHub).
    pub fixed_endpoints: Option<[&'static str; 3]>,
    /// Where the provider puts claims that are not where OIDC says (GitHub's numeric `id`).
    pub claim_mapping: &'static [(&'static str, &'static str)],
    /// How to authenticate at the token endpoint when discovery does not say.
    pub token_auth_method: TokenAuthMethod,
}

const OPENID_SCOPES: &[&str] = &["openid", "email", "profile"];

impl UpstreamKind {
    pub fn preset(self) -> Preset {
        let discovery = |default_issuer| Preset {
            source: EndpointSource::Discovery,
            default_issuer,
            default_scopes: OPENID_SCOPES,
            default_username_claim: "preferred_username",
            fixed_endpoints: None,
            claim_mapping: &[],
            token_auth_method: TokenAuthMethod::ClientSecretBasic,
        };
        match self {
            UpstreamKind::Oidc | UpstreamKind::Keycloak | UpstreamKind::Hub => discovery(None),
            UpstreamKind::Google => {
                Preset { default_username_claim: "email", ..discovery(Some("https://accounts.google.com")) }
            }
            // The multi-tenant endpoint; a single tenant puts its id in place of `common`.
            UpstreamKind::Microsoft => discovery(Some("https://login.microsoftonline.com/common/v2.0")),
            UpstreamKind::Gitlab => {
                Preset { default_username_claim: "nickname", ..discovery(Some("https://gitlab.com")) }
            }
            UpstreamKind::Frappe => Preset {
                source: EndpointSource::IssuerPaths,
                default_scopes: &["openid", "all"],
                default_username_claim: "email",
                // Frappe's OAuth 2.0 provider reads the client credentials from the body.
                token_auth_method: TokenAuthMethod::ClientSecretPost,
                ..discovery(None)
            },
            UpstreamKind::Github => Preset {
                source: EndpointSource::Explicit,
                default_issuer: Some("https://github.com"),
                default_scopes: &["read:user", "user:email"],
                default_username_claim: "login",
                fixed_endpoints: Some([
                    "https://github.com/login/oauth/authorize",
                    "https://github.com/login/oauth/access_token",
                    "https://api.github.com/user",
                ]),
                claim_mapping: &[("sub", "id"), ("picture", "avatar_url")],
                token_auth_method: TokenAuthMethod::ClientSecretPost,
            },
            UpstreamKind::Oauth2 => Preset {
                source: EndpointSource::Explicit,
                default_issuer: None,
                default_scopes: &[],
                default_username_claim: "preferred_username",
                fixed_endpoints: None,
                claim_mapping: &[],
                token_auth_method: TokenAuthMethod::ClientSecretBasic,
            },
        }
    }
}
