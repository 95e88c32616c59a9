//! The protocol side of one sign-in at an upstream, through the `openidconnect` crate:
//! the authorization request (`state`, `nonce`, PKCE S256), the code exchange with the
//! upstream's client authentication (its answer bounded like every read from upstream),
//! the ID token's validation against the cached JWKS and an algorithm allow-list, and
//! the userinfo call.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreTokenResponse,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, TokenResponse,
};
use serde_json::{Map, Value};

use super::UpstreamError;
use super::metadata::ResolvedUpstream;
use crate::domain::social_login_key::{SocialLoginKey, TokenAuthMethod, UpstreamKind};
use crate::outbound::{Freshness, Outbound};

type Client = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointNotSet>;

/// The algorithms an upstream ID token may be signed with; never `none`. The HMAC ones
/// are keyed with the client secret (OIDC Core §10.1), which openidconnect refuses when
/// the hub has none.
const ALLOWED_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
    CoreJwsSigningAlgorithm::HmacSha256,
    CoreJwsSigningAlgorithm::HmacSha384,
    CoreJwsSigningAlgorithm::HmacSha512,
];

/// How far an ID token's `iat` may be in the future (clock skew) or in the past.
const IAT_SKEW: Duration = Duration::from_secs(120);
const IAT_MAX_AGE: Duration = Duration::from_secs(3600);

/// One key, ready to talk to its upstream.
pub struct UpstreamClient<'a> {
    pub key: &'a SocialLoginKey,
    pub upstream: &'a ResolvedUpstream,
    secret: Option<String>,
    redirect_uri: String,
}

/// The secrets of one authorization request, kept until the callback.
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// What the app's request asks of the sign-in.
#[derive(Debug, Default)]
pub struct Asked<'a> {
    pub login_hint: Option<&'a str>,
    /// `prompt=login` (or `select_account`): the person must sign in again.
    pub fresh_login: bool,
    pub max_age: Option<u64>,
}

/// What the upstream said about the user, its claims merged (ID token over userinfo).
pub struct Answer {
    pub claims: Map<String, Value>,
}

impl<'a> UpstreamClient<'a> {
    pub fn new(
        key: &'a SocialLoginKey,
        upstream: &'a ResolvedUpstream,
        secret: Option<String>,
        redirect_uri: String,
    ) -> Self {
        Self { key, upstream, secret, redirect_uri }
    }

    fn client(&self, jwks: CoreJsonWebKeySet) -> Result<Client, UpstreamError> {
        let url = |value: &str, name: &str| {
            url::Url::parse(value).map_err(|e| UpstreamError::Misconfigured(format!("{name} {value}: {e}")))
        };
        // `new` keeps the string as it is: `iss` must match it exactly (no added slash).
        let issuer = IssuerUrl::new(self.upstream.issuer.clone())
            .map_err(|e| UpstreamError::Misconfigured(format!("issuer {}: {e}", self.upstream.issuer)))?;
        let mut client = CoreClient::new(ClientId::new(self.key.client_id.clone()), issuer, jwks)
            .set_auth_uri(openidconnect::AuthUrl::from_url(url(
                &self.upstream.authorization_endpoint,
                "authorization_endpoint",
            )?))
            .set_token_uri(openidconnect::TokenUrl::from_url(url(&self.upstream.token_endpoint, "token_endpoint")?))
            .set_redirect_uri(RedirectUrl::from_url(url(&self.redirect_uri, "redirect_uri")?))
            .set_auth_type(match self.upstream.auth_method {
                TokenAuthMethod::ClientSecretBasic => AuthType::BasicAuth,
                TokenAuthMethod::ClientSecretPost => AuthType::RequestBody,
            });
        if let Some(secret) = &self.secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        if !self.upstream.openid {
            client = client.disable_openid_scope();
        }
        Ok(client)
    }

    /// The authorization request to send the browser to, with fresh `state`, `nonce` and
    /// PKCE verifier. What the app asked of the sign-in (a login hint, a fresh login,
    /// a maximum age) is asked of the upstream, which is where the person signs in.
    pub fn authorization_request(&self, asked: &Asked<'_>) -> Result<AuthorizationRequest, UpstreamError> {
        let random = || crate::secrets::random_token().map_err(|e| UpstreamError::Misconfigured(e.to_string()));
        let (state, nonce) = (random()?, random()?);
        let verifier = PkceCodeVerifier::new(format!("{}{}", random()?, random()?));
        let client = self.client(CoreJsonWebKeySet::new(Vec::new()))?;
        let (state_value, nonce_value) = (state.clone(), nonce.clone());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state_value),
                move || Nonce::new(nonce_value),
            )
            .add_scopes(self.key.scopes.iter().filter(|s| *s != "openid").map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
        if let Some(hint) = asked.login_hint {
            request = request.add_extra_param("login_hint", hint.to_owned());
        }
        if asked.fresh_login {
            request = request.add_extra_param("prompt", "login");
        }
        if let Some(max_age) = asked.max_age {
            request = request.add_extra_param("max_age", max_age.to_string());
        }
        // Google: ask for an account of the served Workspace domain (checked again in
        // the ID token's `hd`, since the parameter is only a hint to the account chooser).
        if self.key.kind == UpstreamKind::Google
            && let [domain] = self.key.email_domains.as_slice()
        {
            request = request.add_extra_param("hd", domain.clone());
        }
        let (url, _, _) = request.url();
        Ok(AuthorizationRequest { url: url.into(), state, nonce, pkce_verifier: verifier.secret().clone() })
    }

    /// Exchanges the code, validates the ID token and reads userinfo.
    pub async fn complete(
        &self,
        outbound: &Outbound,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Answer, UpstreamError> {
        let client = self.client(CoreJsonWebKeySet::new(Vec::new()))?;
        let response: CoreTokenResponse = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&crate::outbound::BoundedClient(&outbound.http))
            .await
            .map_err(token_error)?;

        let mut claims = match (response.id_token(), self.upstream.openid) {
            (Some(id_token), _) => self.validate_id_token(outbound, id_token, nonce).await?,
            (None, true) => return Err(UpstreamError::Invalid("the token response has no ID token".into())),
            (None, false) => Map::new(),
        };
        let access_token = response.access_token().secret();
        if let Some(userinfo) = self.userinfo(outbound, access_token, claims.get("sub")).await? {
            for (name, value) in userinfo {
                claims.entry(name).or_insert(value);
            }
        }
        Ok(Answer { claims })
    }

    /// OIDC Core §3.1.3.7, through openidconnect: signature (allow-listed algorithms, the
    /// upstream's JWKS, fetched again once when the `kid` is unknown), `iss`, `aud`,
    /// `azp`, `exp`, `iat` and `nonce`. Returns every claim of the token.
    async fn validate_id_token(
        &self,
        outbound: &Outbound,
        id_token: &CoreIdToken,
        nonce: &str,
    ) -> Result<Map<String, Value>, UpstreamError> {
        let mut freshness = Freshness::Cached;
        loop {
            let jwks = match &self.upstream.jwks_uri {
                Some(uri) => outbound.key_sets.keys(&outbound.http, uri, freshness).await?.core.clone(),
                // Frappe signs with the client secret only and publishes no key set.
                None => CoreJsonWebKeySet::new(Vec::new()),
            };
            let client = self.client(jwks)?;
            let verifier: CoreIdTokenVerifier<'_> = client
                .id_token_verifier()
                .set_allowed_algs(ALLOWED_ALGS.iter().cloned())
                .require_issuer_match(self.upstream.issuer_template.is_none())
                .set_issue_time_verifier_fn(|iat| {
                    let now = Utc::now();
                    let skew = chrono::Duration::from_std(IAT_SKEW).unwrap_or_default();
                    let max_age = chrono::Duration::from_std(IAT_MAX_AGE).unwrap_or_default();
                    if iat > now + skew {
                        Err(format!("issued in the future ({iat})"))
                    } else if iat < now - max_age {
                        Err(format!("issued too long ago ({iat})"))
                    } else {
                        Ok(())
                    }
                });
            match id_token.claims(&verifier, &Nonce::new(nonce.to_owned())) {
                Ok(_) => break,
                Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
                    if freshness == Freshness::Cached && self.upstream.jwks_uri.is_some() =>
                {
                    freshness = Freshness::Refetch;
                }
                Err(error) => return Err(UpstreamError::Invalid(format!("the ID token is not valid: {error}"))),
            }
        }
        let claims = payload(&id_token.to_string())?;
        // OIDC Core §3.1.3.7 step 5, which openidconnect leaves to the caller.
        if claims.get("azp").is_some_and(|azp| azp.as_str() != Some(self.key.client_id.as_str())) {
            return Err(UpstreamError::Invalid("the ID token's azp is another client".into()));
        }
        if !self.upstream.tenant_issuer_matches(&claims) {
            return Err(UpstreamError::Invalid("the ID token's iss does not match its tenant".into()));
        }
        if self.key.kind == UpstreamKind::Google && !self.key.email_domains.is_empty() {
            let hd = claims.get("hd").and_then(Value::as_str).unwrap_or_default();
            if !self.key.email_domains.iter().any(|domain| domain.eq_ignore_ascii_case(hd)) {
                return Err(UpstreamError::Refused {
                    error: "access_denied".into(),
                    description: Some(format!(
                        "the Google account is not in {} (hd: {})",
                        self.key.email_domains.join(", "),
                        if hd.is_empty() { "none, a consumer account" } else { hd }
                    )),
                });
            }
        }
        Ok(claims)
    }

    /// The userinfo claims, when the upstream has the endpoint. Its `sub` must be the ID
    /// token's (OIDC Core §5.3.2). GitHub's e-mail is read from `/user/emails`, where its
    /// verification is stated.
    async fn userinfo(
        &self,
        outbound: &Outbound,
        access_token: &str,
        id_token_sub: Option<&Value>,
    ) -> Result<Option<Map<String, Value>>, UpstreamError> {
        let Some(endpoint) = &self.upstream.userinfo_endpoint else { return Ok(None) };
        let mut claims = match crate::outbound::fetch_json(&outbound.http, endpoint, Some(access_token)).await {
            Ok(claims) => claims,
            // With an ID token in hand, userinfo only adds to it.
            Err(error) if id_token_sub.is_some() => {
                tracing::warn!(key = %self.key.slug, %error, "upstream userinfo failed; using the ID token alone");
                return Ok(None);
            }
            Err(error) => return Err(error.into()),
        };
        if let Some(sub) = id_token_sub
            && claims.get("sub").is_some_and(|found| found != sub)
        {
            return Err(UpstreamError::Invalid("userinfo describes another subject than the ID token".into()));
        }
        if self.key.kind == UpstreamKind::Github {
            let (email, verified) = github_primary_email(outbound, endpoint, access_token).await?;
            claims.insert("email".into(), email.map_or(Value::Null, Value::String));
            claims.insert("email_verified".into(), Value::Bool(verified));
        }
        Ok(Some(claims))
    }
}

/// GitHub's `/user` shows only a public e-mail and says nothing of its verification; the
/// primary address of `/user/emails` (scope `user:email`) says both.
async fn github_primary_email(
    outbound: &Outbound,
    userinfo: &str,
    access_token: &str,
) -> Result<(Option<String>, bool), UpstreamError> {
    let url = format!("{}/emails", userinfo.trim_end_matches('/'));
    let response = outbound
        .http
        .get(&url)
        .bearer_auth(access_token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("{url}: {}", crate::outbound::describe(&e))))?;
    let body = crate::outbound::read_value(&url, response).await?;
    let primary = body
        .as_array()
        .and_then(|emails| emails.iter().find(|e| e.get("primary") == Some(&Value::Bool(true))))
        .and_then(|e| Some((e.get("email")?.as_str()?.to_owned(), e.get("verified") == Some(&Value::Bool(true)))));
    Ok(match primary {
        Some((email, verified)) => (Some(email), verified),
        None => (None, false),
    })
}

/// The payload of a compact JWS whose signature has been checked.
fn payload(jws: &str) -> Result<Map<String, Value>, UpstreamError> {
    let invalid = || UpstreamError::Invalid("the ID token's payload is not a JSON object".into());
    let part = jws.split('.').nth(1).ok_or_else(invalid)?;
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| invalid())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(invalid()),
    }
}

type TokenRequestError = RequestTokenError<
    openidconnect::HttpClientError<reqwest::Error>,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
>;

fn token_error(error: TokenRequestError) -> UpstreamError {
    match error {
        RequestTokenError::ServerResponse(response) => UpstreamError::Refused {
            error: response.error().as_ref().to_owned(),
            description: response.error_description().cloned(),
        },
        // The answer came but was too large (`BoundedClient`): misbehaving, not down.
        RequestTokenError::Request(openidconnect::HttpClientError::Other(detail)) => {
            UpstreamError::Invalid(format!("the token response is not valid: {detail}"))
        }
        RequestTokenError::Request(error) => UpstreamError::Unavailable(format!(
            "the token endpoint could not be reached: {}",
            crate::telemetry::ErrorChain(&error)
        )),
        // GitHub answers errors with 200 and an `error` member, which does not parse as tokens.
        RequestTokenError::Parse(error, body) => {
            match serde_json::from_slice::<Map<String, Value>>(&body).ok().and_then(|b| b.get("error").cloned()) {
                Some(Value::String(code)) => UpstreamError::Refused { error: code, description: None },
                _ => UpstreamError::Invalid(format!("the token response is not valid: {error}")),
            }
        }
        RequestTokenError::Other(detail) => {
            UpstreamError::Invalid(format!("the token response is not valid: {detail}"))
        }
    }
}
