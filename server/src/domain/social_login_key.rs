//! A Social Login Key (SPEC §5): the configuration of one upstream identity provider.
//! Presets know each well-known provider's endpoints, so an administrator fills in only
//! what differs (a realm URL, a tenant, a Frappe site).

use std::collections::BTreeMap;

use super::validation::{self, FieldErrors};

/// Sealing context of upstream client secrets at rest.
pub const SECRET_CONTEXT: &str = "social-login-key-secret";

mod kind;

pub use kind::{EndpointSource, TokenAuthMethod, UpstreamKind};

/// The hub claims a key's `claim_mapping` can fill, each from a path in the upstream's
/// claims. The username and the groups have their own settings.
pub const MAPPABLE_CLAIMS: &[&str] =
    &["sub", "name", "given_name", "family_name", "email", "email_verified", "picture", "locale"];

/// Endpoints written in the key; each overrides what discovery or the preset says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub authorization: Option<String>,
    pub token: Option<String>,
    pub userinfo: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialLoginKey {
    pub slug: String,
    pub display_name: String,
    pub kind: UpstreamKind,
    pub issuer: Option<String>,
    pub endpoints: Endpoints,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub enabled: bool,
    pub allow_signup: bool,
    /// A verified e-mail from this upstream may link to an existing hub user.
    pub trust_email: bool,
    /// Its `amr`/`acr` saying the sign-in had a second factor is believed: such a sign-in
    /// meets a client's or group's second-factor rule without the hub's own. Off by default:
    /// an upstream's claims about itself are only as good as the operator's trust in it.
    pub trust_mfa: bool,
    pub username_claim: String,
    /// Where the upstream's groups are, as a dotted path (`realm_access.roles`).
    pub groups_claim: Option<String>,
    /// Upstream group → hub group; groups not listed become `{slug}:{group}`.
    pub group_mapping: BTreeMap<String, String>,
    /// Hub claim → path in the upstream's claims, over the preset's mapping.
    pub claim_mapping: BTreeMap<String, String>,
    /// Unset: what discovery advertises, else the preset's.
    pub token_endpoint_auth_method: Option<TokenAuthMethod>,
    /// Signing out of the hub continues to the upstream's end-session endpoint.
    pub end_upstream_session: bool,
    pub sync_profile: bool,
    /// E-mail domains this upstream serves (home-realm discovery).
    pub email_domains: Vec<String>,
    pub icon: Option<String>,
}

impl SocialLoginKey {
    /// The issuer in force: the key's own, else the preset's.
    pub fn effective_issuer(&self) -> Option<String> {
        self.issuer.clone().or_else(|| self.kind.preset().default_issuer.map(str::to_owned))
    }

    /// Where each mappable hub claim comes from: the key's mapping over the preset's, else
    /// the claim of the same name.
    pub fn claim_path(&self, claim: &str) -> String {
        if let Some(path) = self.claim_mapping.get(claim) {
            return path.clone();
        }
        let preset = self.kind.preset().claim_mapping.iter().find(|(hub, _)| *hub == claim);
        preset.map_or_else(|| claim.to_owned(), |(_, path)| (*path).to_owned())
    }

    /// Endpoints known without asking the upstream: written ones, then the preset's.
    pub fn static_endpoints(&self) -> Endpoints {
        let preset = self.kind.preset();
        let mut endpoints = self.endpoints.clone();
        if let Some([authorization, token, userinfo]) = preset.fixed_endpoints {
            endpoints.authorization.get_or_insert_with(|| authorization.to_owned());
            endpoints.token.get_or_insert_with(|| token.to_owned());
            endpoints.userinfo.get_or_insert_with(|| userinfo.to_owned());
        }
        if preset.source == EndpointSource::IssuerPaths
            && let Some(base) = self.effective_issuer()
        {
            let base = base.trim_end_matches('/');
            let method = |name: &str| format!("{base}/api/method/frappe.integrations.oauth2.{name}");
            endpoints.authorization.get_or_insert_with(|| method("authorize"));
            endpoints.token.get_or_insert_with(|| method("get_token"));
            endpoints.userinfo.get_or_insert_with(|| method("openid_profile"));
        }
        endpoints
    }

    /// Checks everything that can be checked without the network.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("slug", validate_slug(&self.slug));
        errors.check("display_name", validation::text(&self.display_name, 100));
        errors.check("client_id", validation::identifier(&self.client_id, 255));
        let preset = self.kind.preset();
        match &self.issuer {
            Some(issuer) => errors.check("issuer", validation::https_url(issuer)),
            None if preset.default_issuer.is_none() && preset.source != EndpointSource::Explicit => {
                errors.add("issuer", format!("a {} key needs the upstream's issuer URL", self.kind.as_str()));
            }
            None => {}
        }
        let written = [
            ("authorization_endpoint", &self.endpoints.authorization),
            ("token_endpoint", &self.endpoints.token),
            ("userinfo_endpoint", &self.endpoints.userinfo),
            ("jwks_uri", &self.endpoints.jwks_uri),
            ("end_session_endpoint", &self.endpoints.end_session),
        ];
        for (field, value) in written {
            if let Some(url) = value {
                errors.check(field, validation::https_url(url));
            }
        }
        if self.kind == UpstreamKind::Oauth2 {
            // Without an ID token, the userinfo endpoint is where the identity comes from.
            for (field, value) in &written[..3] {
                if value.is_none() {
                    errors.add(*field, "a generic OAuth 2.0 key needs this endpoint");
                }
            }
        }
        if self.scopes.len() > 50 {
            errors.add("scopes", "at most 50 scopes");
        }
        for (i, scope) in self.scopes.iter().enumerate() {
            let valid = !scope.is_empty()
                && scope.len() <= 128
                && scope.chars().all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
            if !valid {
                errors.add(format!("scopes[{i}]"), "a scope is printable ASCII without spaces, quotes or backslashes");
            }
        }
        errors.check("username_claim", validation::identifier(&self.username_claim, 128));
        if let Some(claim) = &self.groups_claim {
            errors.check("groups_claim", validation::identifier(claim, 128));
        }
        if self.group_mapping.len() > 200 {
            errors.add("group_mapping", "at most 200 mapped groups");
        }
        for (upstream, hub) in &self.group_mapping {
            errors.check(format!("group_mapping.{upstream}"), validation::text(upstream, 256));
            errors.check(format!("group_mapping.{upstream}"), super::user::validate_group_name(hub));
            if hub == super::user::ADMINS_GROUP {
                // Admin rights are granted in the hub, never by an upstream's say-so.
                errors.add(format!("group_mapping.{upstream}"), "an upstream group cannot map to admins");
            }
        }
        if self.email_domains.len() > 100 {
            errors.add("email_domains", "at most 100 domains");
        }
        for (i, domain) in self.email_domains.iter().enumerate() {
            errors.check(format!("email_domains[{i}]"), validation::domain_name(domain));
        }
        if self.claim_mapping.len() > MAPPABLE_CLAIMS.len() {
            errors.add("claim_mapping", "at most one path per mappable claim");
        }
        for (claim, path) in &self.claim_mapping {
            if !MAPPABLE_CLAIMS.contains(&claim.as_str()) {
                errors.add(
                    format!("claim_mapping.{claim}"),
                    format!("not a mappable claim; one of {}", MAPPABLE_CLAIMS.join(", ")),
                );
            }
            errors.check(format!("claim_mapping.{claim}"), validation::identifier(path, 128));
        }
        if let Some(icon) = &self.icon {
            errors.check("icon", validation::https_url(icon));
        }
        errors.into_result()
    }
}

/// Slugs appear in URLs and in `idp_hint`: lowercase letters, digits, `-` and `_`,
/// starting with a letter or digit.
pub fn validate_slug(slug: &str) -> Result<(), String> {
    let mut chars = slug.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !first_ok || !rest_ok || slug.len() > 64 {
        return Err("a slug has 1 to 64 lowercase letters, digits, - or _, starting with a letter or digit".into());
    }
    Ok(())
}

/// A key of `kind` named `corp`, enabled, with nothing else set: for tests.
#[cfg(test)]
pub(crate) fn example(kind: UpstreamKind) -> SocialLoginKey {
    SocialLoginKey {
        slug: "corp".into(),
        display_name: "Corp".into(),
        kind,
        issuer: None,
        endpoints: Endpoints::default(),
        client_id: "hub".into(),
        scopes: vec!["openid".into()],
        enabled: true,
        allow_signup: false,
        trust_email: false,
        trust_mfa: false,
        username_claim: kind.preset().default_username_claim.into(),
        groups_claim: None,
        group_mapping: BTreeMap::new(),
        claim_mapping: BTreeMap::new(),
        token_endpoint_auth_method: None,
        end_upstream_session: false,
        sync_profile: true,
        email_domains: vec![],
        icon: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: UpstreamKind) -> SocialLoginKey {
        example(kind)
    }

    fn fields(result: Result<(), FieldErrors>) -> Vec<String> {
        result.err().map(|e| e.iter().map(|e| e.field.clone()).collect()).unwrap_or_default()
    }

    #[test]
    fn presets_fill_in_what_the_kind_implies() {
        assert_eq!(fields(key(UpstreamKind::Oidc).validate()), ["issuer"]);
        assert!(key(UpstreamKind::Google).validate().is_ok());
        assert!(key(UpstreamKind::Github).validate().is_ok());
        assert_eq!(
            fields(key(UpstreamKind::Oauth2).validate()),
            ["authorization_endpoint", "token_endpoint", "userinfo_endpoint"]
        );
        let github = key(UpstreamKind::Github).static_endpoints();
        assert_eq!(github.token.as_deref(), Some("https://github.com/login/oauth/access_token"));
        let frappe = SocialLoginKey { issuer: Some("https://erp.example.com/".into()), ..key(UpstreamKind::Frappe) };
        assert_eq!(
            frappe.static_endpoints().authorization.as_deref(),
            Some("https://erp.example.com/api/method/frappe.integrations.oauth2.authorize")
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = SocialLoginKey {
            slug: "Corp SSO".into(),
            issuer: Some("http://idp.example.com".into()),
            scopes: vec!["openid".into(), "two words".into()],
            email_domains: vec!["example.com".into(), "not a domain".into()],
            ..key(UpstreamKind::Oidc)
        };
        assert_eq!(fields(bad.validate()), ["slug", "issuer", "scopes[1]", "email_domains[1]"]);
        let escalating = SocialLoginKey {
            group_mapping: BTreeMap::from([("idp-admins".to_owned(), "admins".to_owned())]),
            ..key(UpstreamKind::Google)
        };
        assert_eq!(fields(escalating.validate()), ["group_mapping.idp-admins"]);
    }
}
