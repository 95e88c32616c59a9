//! Where a Social Login Key's upstream lives: its endpoints, from OpenID Connect
//! Discovery 1.0 (cached in `outbound`) or from the key and its preset, each one checked
//! before the hub sends a browser or a request there.

use serde_json::{Map, Value};

use super::UpstreamError;
use crate::domain::social_login_key::{EndpointSource, SocialLoginKey, TokenAuthMethod, UpstreamKind};
use crate::domain::validation::https_url;
use crate::outbound::Outbound;

/// An upstream, ready to be signed in at.
#[derive(Debug, Clone)]
pub struct ResolvedUpstream {
    /// The issuer that upstream identities are keyed by, with the subject.
    pub issuer: String,
    /// Microsoft's multi-tenant `iss` template (`…/{tenantid}/v2.0`): each ID token's
    /// `iss` must be the template with the token's own `tid`.
    pub issuer_template: Option<String>,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub auth_method: TokenAuthMethod,
    /// The upstream speaks OpenID Connect for this key: it returns an ID token.
    pub openid: bool,
    /// The upstream says it names itself in authorization responses (RFC 9207), so a
    /// response without `iss` is not from it.
    pub names_itself: bool,
}

impl ResolvedUpstream {
    /// For Microsoft's multi-tenant issuer, whether a token's `iss` is the template with
    /// the token's own `tid`; always true for a plain issuer (the verifiers compare that).
    pub fn tenant_issuer_matches(&self, claims: &Map<String, Value>) -> bool {
        let Some(template) = &self.issuer_template else { return true };
        let tid = claims.get("tid").and_then(Value::as_str).unwrap_or_default();
        !tid.is_empty()
            && claims.get("iss").and_then(Value::as_str) == Some(template.replace("{tenantid}", tid).as_str())
    }
}

fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

/// Endpoints and settings in force for `key`: written ones, then discovered ones, then
/// the preset's.
pub async fn resolve(outbound: &Outbound, key: &SocialLoginKey) -> Result<ResolvedUpstream, UpstreamError> {
    let preset = key.kind.preset();
    let written = key.static_endpoints();
    let openid = key.kind != UpstreamKind::Oauth2
        && key.kind != UpstreamKind::Github
        && key.scopes.iter().any(|scope| scope == "openid");
    let mut resolved = ResolvedUpstream {
        issuer: String::new(),
        issuer_template: None,
        authorization_endpoint: String::new(),
        token_endpoint: String::new(),
        userinfo_endpoint: written.userinfo.clone(),
        jwks_uri: written.jwks_uri.clone(),
        end_session_endpoint: written.end_session.clone(),
        auth_method: key.token_endpoint_auth_method.unwrap_or(preset.token_auth_method),
        openid,
        names_itself: false,
    };
    let mut authorization = written.authorization.clone();
    let mut token = written.token.clone();

    if preset.source == EndpointSource::Discovery {
        let issuer = key
            .effective_issuer()
            .ok_or_else(|| UpstreamError::Misconfigured(format!("{} has no issuer", key.slug)))?;
        let document = outbound.documents.get(&outbound.http, &discovery_url(&issuer)).await?;
        let text = |name: &str| document.get(name).and_then(Value::as_str).map(str::to_owned);
        match discovered_issuer(key, &issuer, text("issuer").as_deref()) {
            Ok(IssuerMatch::Exact) => {}
            Ok(IssuerMatch::TenantTemplate(template)) => resolved.issuer_template = Some(template),
            Err(problem) => return Err(UpstreamError::Invalid(problem)),
        }
        resolved.issuer = issuer;
        resolved.names_itself =
            document.get("authorization_response_iss_parameter_supported").and_then(Value::as_bool) == Some(true);
        authorization = authorization.or_else(|| text("authorization_endpoint"));
        token = token.or_else(|| text("token_endpoint"));
        resolved.userinfo_endpoint = resolved.userinfo_endpoint.or_else(|| text("userinfo_endpoint"));
        resolved.jwks_uri = resolved.jwks_uri.or_else(|| text("jwks_uri"));
        resolved.end_session_endpoint = resolved.end_session_endpoint.or_else(|| text("end_session_endpoint"));
        if key.token_endpoint_auth_method.is_none() {
            resolved.auth_method = advertised_auth_method(&document)?;
        }
    } else {
        // Without discovery the identity is keyed by the configured issuer, else by where
        // the hub gets its tokens: a preset's own issuer only while its own endpoints are
        // used (a GitHub Enterprise server is not github.com, whose ids it would collide with).
        let preset_endpoints_moved = preset.fixed_endpoints.is_some()
            && (key.endpoints.authorization.is_some() || key.endpoints.token.is_some());
        let issuer = if preset_endpoints_moved { key.issuer.clone() } else { key.effective_issuer() };
        resolved.issuer = match issuer {
            Some(issuer) => issuer,
            None => token
                .as_deref()
                .and_then(|url| url::Url::parse(url).ok())
                .map(|url| url.origin().ascii_serialization())
                .ok_or_else(|| UpstreamError::Misconfigured(format!("{} has no token endpoint", key.slug)))?,
        };
    }

    resolved.authorization_endpoint = required(authorization, "authorization_endpoint")?;
    resolved.token_endpoint = required(token, "token_endpoint")?;
    if !resolved.openid && resolved.userinfo_endpoint.is_none() {
        return Err(UpstreamError::Misconfigured(
            "no userinfo endpoint, and no ID token to read the identity from".into(),
        ));
    }
    // Every address the hub will call or send a browser to: https, or loopback http.
    let urls = [
        ("userinfo_endpoint", resolved.userinfo_endpoint.as_deref()),
        ("jwks_uri", resolved.jwks_uri.as_deref()),
        ("end_session_endpoint", resolved.end_session_endpoint.as_deref()),
    ];
    for (name, url) in urls.into_iter().filter_map(|(name, url)| url.map(|url| (name, url))) {
        checked(name, url)?;
    }
    Ok(resolved)
}

/// How a discovery document's `issuer` matches the key's.
pub enum IssuerMatch {
    Exact,
    /// Microsoft's multi-tenant template; each token's tenant is checked.
    TenantTemplate(String),
}

/// Discovery 1.0 §4.3: the document's `issuer` is the key's exactly. Only Microsoft's
/// multi-tenant document names a template, and only the Microsoft kind accepts one:
/// elsewhere it would let any tenant's tokens in.
pub fn discovered_issuer(key: &SocialLoginKey, issuer: &str, found: Option<&str>) -> Result<IssuerMatch, String> {
    match found {
        Some(found) if found == issuer => Ok(IssuerMatch::Exact),
        Some(found) if key.kind == UpstreamKind::Microsoft && found.contains("{tenantid}") => {
            Ok(IssuerMatch::TenantTemplate(found.to_owned()))
        }
        Some(found) => Err(format!("the discovery document names the issuer {found}, not {issuer}")),
        None => Err("the discovery document has no issuer".into()),
    }
}

fn required(url: Option<String>, name: &str) -> Result<String, UpstreamError> {
    let url = url.ok_or_else(|| UpstreamError::Misconfigured(format!("no {name}")))?;
    checked(name, &url)?;
    Ok(url)
}

fn checked(name: &str, url: &str) -> Result<(), UpstreamError> {
    https_url(url).map_err(|problem| UpstreamError::Invalid(format!("{name} {url} {problem}")))
}

/// RFC 8414 / Discovery: `client_secret_basic` is the default when the upstream does not
/// list its methods; otherwise basic if listed, else post.
fn advertised_auth_method(document: &Map<String, Value>) -> Result<TokenAuthMethod, UpstreamError> {
    let Some(methods) = document.get("token_endpoint_auth_methods_supported").and_then(Value::as_array) else {
        return Ok(TokenAuthMethod::ClientSecretBasic);
    };
    let listed = |method: TokenAuthMethod| methods.iter().any(|m| m.as_str() == Some(method.as_str()));
    if listed(TokenAuthMethod::ClientSecretBasic) {
        Ok(TokenAuthMethod::ClientSecretBasic)
    } else if listed(TokenAuthMethod::ClientSecretPost) {
        Ok(TokenAuthMethod::ClientSecretPost)
    } else {
        Err(UpstreamError::Misconfigured(
            "the upstream supports neither client_secret_basic nor client_secret_post".into(),
        ))
    }
}
