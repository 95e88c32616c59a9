//! Validation of an authorization request (OIDC Core §3.1.2.2), as an ordered list of
//! checks; the order is the documentation. Until the client and its redirect URI are
//! verified, errors are shown to the user; after that they go back to the client.

use crate::domain::claims_request::{AcrRequest, ClaimsRequest};
use crate::domain::client::ClientOrigin;
use crate::domain::pkce::CodeChallenge;
use crate::domain::{Client, ClientKind, Prompt, ResponseMode, ResponseType, ScopeSet};
use crate::http::extract::Params;
use crate::oidc::id_token_hint;
use crate::oidc::{ErrorCode, OAuthError};
use crate::state::AppState;

use super::pending::{AuthorizationRequest, Recipient, ResponseTarget};
use super::request_object;

/// How a failed request is answered.
pub enum AuthorizeError {
    /// Shown to the user: the client or redirect URI could not be trusted.
    Render { title: &'static str, message: String },
    /// Sent back to the verified redirect URI.
    Redirect { target: ResponseTarget, error: OAuthError },
    /// Our own failure, logged and shown as an error page.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

const MAX_NONCE_LEN: usize = 512;
/// `state` comes back to the client in a URL; anything longer is not a real client's.
const MAX_STATE_LEN: usize = 2048;
const MAX_LOGIN_HINT_LEN: usize = 256;
const MAX_ACR_VALUES_LEN: usize = 1024;

/// The checks of a request from `client`, whether it came in the query or was pushed.
pub async fn validate_for(
    state: &AppState,
    client: Client,
    query: &Params,
) -> Result<AuthorizationRequest, AuthorizeError> {
    // A request object's members supersede the query's; its own failure goes to the
    // query's redirect URI, once that is known to be the client's.
    let resolved = match request_object::resolve(state, &client, query).await {
        Ok(resolved) => resolved,
        Err(error) => return Err(AuthorizeError::Redirect { target: check_redirect_uri(&client, query)?, error }),
    };
    let params = resolved.as_ref().unwrap_or(query);
    let mut target = check_redirect_uri(&client, params)?;
    let implicit = params.get("response_type").and_then(ResponseType::from_words).filter(|r| r.uses_implicit());
    if let Some(response_type) = implicit
        && target.mode == ResponseMode::Query
    {
        // Refused below; the error goes where this response type's answers go.
        target.mode = response_type.default_mode();
        let description = "tokens never travel in the query: use response_mode fragment or form_post";
        return Err(AuthorizeError::Redirect {
            target,
            error: OAuthError::new(ErrorCode::InvalidRequest, description),
        });
    }
    let fail = |code, description: &'static str| AuthorizeError::Redirect {
        target: target.clone(),
        error: OAuthError::new(code, description),
    };

    check_unsupported_parameters(params).map_err(|(code, d)| fail(code, d))?;
    let response_type = check_response_type(&client, params).map_err(|(code, d)| fail(code, d))?;
    let requested_claims = ClaimsRequest::parse(params.get("claims").unwrap_or("{}")).map_err(|description| {
        AuthorizeError::Redirect { target: target.clone(), error: OAuthError::invalid_request(description) }
    })?;
    let scope = check_scope(&client, params, &requested_claims).map_err(|(code, d)| fail(code, d))?;
    let acr = check_acr(params, &requested_claims).map_err(|(code, d)| fail(code, d))?;
    if response_type.issues_id_token() && !scope.contains(crate::domain::scope::OPENID) {
        return Err(fail(ErrorCode::InvalidScope, "an ID token needs the openid scope"));
    }
    let code_challenge = check_pkce(&client, response_type, params).map_err(|(code, d)| fail(code, d))?;
    let prompt = check_prompt(params).map_err(|(code, d)| fail(code, d))?;
    // A client's registered default stands in for a max_age the request does not name
    // (OIDC Registration 1.0 §2).
    let max_age = check_max_age(params).map_err(|(code, d)| fail(code, d))?.or(client.default_max_age);
    let nonce = check_nonce(response_type, params).map_err(|(code, d)| fail(code, d))?;
    let hinted = check_id_token_hint(state, &client, params).await.map_err(|(code, d)| fail(code, d))?;
    let claimed = check_claimed_subject(state, &client, &requested_claims).await.map_err(|(code, d)| fail(code, d))?;
    let expected_subject = match (hinted, claimed) {
        (Some(hinted), Some(claimed)) if hinted != claimed => {
            return Err(fail(ErrorCode::InvalidRequest, "id_token_hint and the claims request name different users"));
        }
        (hinted, claimed) => hinted.or(claimed),
    };
    let login_hint = check_login_hint(params).map_err(|(code, d)| fail(code, d))?;
    let idp_hint = check_idp_hint(params).map_err(|(code, d)| fail(code, d))?;

    Ok(AuthorizationRequest {
        response_type,
        unverified_client: client.origin == ClientOrigin::Registration,
        client_id: client.client_id,
        client_name: client.client_name,
        target: Recipient::Redirect(target),
        scope,
        nonce,
        code_challenge,
        prompt,
        max_age,
        login_hint,
        ui_locales: ui_locales(params),
        idp_hint,
        expected_subject,
        id_token_claims: requested_claims.id_token_claims(),
        acr,
    })
}

type CheckResult<T> = Result<T, (ErrorCode, &'static str)>;

pub(super) async fn check_client(state: &AppState, params: &Params) -> Result<Client, AuthorizeError> {
    let render = |message: &str| AuthorizeError::Render { title: "Unknown application", message: message.to_owned() };
    let client_id =
        params.get("client_id").ok_or_else(|| render("The request does not name an application (client_id)."))?;
    match state.store.find_client(client_id).await {
        Ok(Some(stored)) => Ok(stored.client),
        Ok(None) => Err(render("The application that sent you here is not registered with this hub.")),
        Err(error) => Err(AuthorizeError::Internal(Box::new(error))),
    }
}

/// Exact string match against the registered URIs; never redirect anywhere else.
pub(super) fn check_redirect_uri(client: &Client, params: &Params) -> Result<ResponseTarget, AuthorizeError> {
    let render = |message: &str| AuthorizeError::Render { title: "Invalid redirect", message: message.to_owned() };
    let redirect_uri = params.get("redirect_uri").ok_or_else(|| render("The request has no redirect_uri."))?;
    if !client.has_redirect_uri(redirect_uri) {
        return Err(render("The application asked to return to an address it has not registered."));
    }
    if params.get("state").is_some_and(|state| state.len() > MAX_STATE_LEN) {
        return Err(render("The request's state parameter is too long."));
    }
    // An unknown response_mode cannot pick the delivery; fall back to the default one of
    // the response type (or of the code flow, when that is unknown too) and report the
    // error there.
    let default_mode = params
        .get("response_type")
        .and_then(ResponseType::from_words)
        .map_or(ResponseMode::Query, ResponseType::default_mode);
    let mode = params.get("response_mode").and_then(ResponseMode::parse).unwrap_or(default_mode);
    Ok(ResponseTarget { redirect_uri: redirect_uri.to_owned(), mode, state: params.get("state").map(str::to_owned) })
}

fn check_unsupported_parameters(params: &Params) -> CheckResult<()> {
    if params.has("registration") {
        return Err((ErrorCode::RegistrationNotSupported, "the registration parameter is not supported"));
    }
    if let Some(mode) = params.get("response_mode")
        && ResponseMode::parse(mode).is_none()
    {
        return Err((ErrorCode::InvalidRequest, "unsupported response_mode"));
    }
    Ok(())
}

/// Each client may use only the response types it registered (OIDC Core §3).
fn check_response_type(client: &Client, params: &Params) -> CheckResult<ResponseType> {
    let response_type = params.get("response_type").ok_or((ErrorCode::InvalidRequest, "response_type is required"))?;
    let parsed = ResponseType::from_words(response_type)
        .ok_or((ErrorCode::UnsupportedResponseType, "this response_type is not supported"))?;
    if !client.response_types.contains(&parsed) {
        return Err((ErrorCode::UnauthorizedClient, "the client is not registered for this response_type"));
    }
    Ok(parsed)
}

/// Unknown scopes are ignored (OIDC Core §3.1.2.1); scopes the client was not registered
/// for are dropped. A claim the `claims` parameter asks for asks for its scope too.
pub(super) fn check_scope(client: &Client, params: &Params, claims: &ClaimsRequest) -> CheckResult<ScopeSet> {
    let named = params.get("scope").unwrap_or_default();
    let named =
        ScopeSet::parse(named).ok_or((ErrorCode::InvalidScope, "scope contains characters that are not allowed"))?;
    let claimed: ScopeSet = claims.scopes().collect();
    let requested: ScopeSet = named.iter().chain(claimed.iter()).collect();
    let granted = requested.intersection(&client.scope);
    if granted.is_empty() {
        return Err((ErrorCode::InvalidScope, "none of the requested scopes is available to this client"));
    }
    Ok(granted)
}

/// PKCE protects a code; a public client must use it whenever one is issued.
fn check_pkce(client: &Client, response_type: ResponseType, params: &Params) -> CheckResult<Option<CodeChallenge>> {
    match (params.get("code_challenge"), params.get("code_challenge_method")) {
        (None, None) if client.kind() == ClientKind::Public && response_type.issues_code() => {
            Err((ErrorCode::InvalidRequest, "public clients must use PKCE (code_challenge with S256)"))
        }
        (None, None) => Ok(None),
        (None, Some(_)) => Err((ErrorCode::InvalidRequest, "code_challenge_method without code_challenge")),
        (Some(_), method) if method != Some("S256") => {
            Err((ErrorCode::InvalidRequest, "code_challenge_method must be S256"))
        }
        (Some(challenge), _) => CodeChallenge::parse_s256(challenge)
            .map(Some)
            .ok_or((ErrorCode::InvalidRequest, "code_challenge is not a base64url SHA-256 value")),
    }
}

/// `acr_values` (voluntary, in order of preference) or a claims request for `acr`, which
/// may be essential (OIDC Core §3.1.2.1, §5.5.1.1).
fn check_acr(params: &Params, claims: &ClaimsRequest) -> CheckResult<Option<AcrRequest>> {
    if let Some(requested) = claims.acr() {
        return Ok(Some(requested));
    }
    let Some(values) = params.get("acr_values") else { return Ok(None) };
    if values.len() > MAX_ACR_VALUES_LEN {
        return Err((ErrorCode::InvalidRequest, "acr_values is too long"));
    }
    let values: Vec<String> = values.split(' ').filter(|v| !v.is_empty()).map(str::to_owned).collect();
    Ok((!values.is_empty()).then_some(AcrRequest { values, essential: false }))
}

fn check_prompt(params: &Params) -> CheckResult<Vec<Prompt>> {
    let mut prompts = Vec::new();
    for value in params.get("prompt").unwrap_or_default().split(' ').filter(|v| !v.is_empty()) {
        let prompt = Prompt::parse(value).ok_or((ErrorCode::InvalidRequest, "unsupported prompt value"))?;
        if !prompts.contains(&prompt) {
            prompts.push(prompt);
        }
    }
    if prompts.contains(&Prompt::None) && prompts.len() > 1 {
        return Err((ErrorCode::InvalidRequest, "prompt=none cannot be combined with other values"));
    }
    Ok(prompts)
}

fn check_max_age(params: &Params) -> CheckResult<Option<u64>> {
    params
        .get("max_age")
        .map(|value| {
            value.parse::<u64>().map_err(|_| (ErrorCode::InvalidRequest, "max_age must be a non-negative integer"))
        })
        .transpose()
}

/// Required whenever the authorization endpoint itself returns an ID token (OIDC Core
/// §3.2.2.1, §3.3.2.11): the client's only defence against a replayed one.
fn check_nonce(response_type: ResponseType, params: &Params) -> CheckResult<Option<String>> {
    match params.get("nonce") {
        Some(nonce) if nonce.len() > MAX_NONCE_LEN => Err((ErrorCode::InvalidRequest, "nonce is too long")),
        None if response_type.issues_id_token() => {
            Err((ErrorCode::InvalidRequest, "nonce is required when the response carries an ID token"))
        }
        nonce => Ok(nonce.map(str::to_owned)),
    }
}

/// `ui_locales` (OIDC Core §3.1.2.1) is a preference: tags the pages lack are ignored,
/// and so is a value too long to be one.
fn ui_locales(params: &Params) -> Option<String> {
    params.get("ui_locales").filter(|tags| tags.len() <= 256).map(str::to_owned)
}

fn check_login_hint(params: &Params) -> CheckResult<Option<String>> {
    match params.get("login_hint") {
        Some(hint) if hint.len() > MAX_LOGIN_HINT_LEN => Err((ErrorCode::InvalidRequest, "login_hint is too long")),
        hint => Ok(hint.map(str::to_owned)),
    }
}

/// A claims request for a particular `sub` (OIDC Core §5.5.1): the user it names as the
/// client knows them, or a subject no user has when the hub issued no such `sub`.
async fn check_claimed_subject(
    state: &AppState,
    client: &Client,
    claims: &ClaimsRequest,
) -> CheckResult<Option<String>> {
    let Some(subject) = claims.subject() else { return Ok(None) };
    match crate::subjects::resolve(state, client, subject).await {
        Ok(Some(user_id)) => Ok(Some(user_id.to_string())),
        Ok(None) => Ok(Some(format!("unknown:{subject}"))),
        Err(_) => Err((ErrorCode::TemporarilyUnavailable, "the hub cannot read its records; try again")),
    }
}

/// `idp_hint`, or Keycloak's `kc_idp_hint`, names a Social Login Key by its slug. One the
/// client may not use is ignored (the login page shows what it may), as Keycloak does.
fn check_idp_hint(params: &Params) -> CheckResult<Option<String>> {
    let hint = params.get("idp_hint").or_else(|| params.get("kc_idp_hint"));
    match hint {
        Some(slug) if crate::domain::social_login_key::validate_slug(slug).is_err() => {
            Err((ErrorCode::InvalidRequest, "idp_hint is not a social login key's slug"))
        }
        hint => Ok(hint.map(str::to_owned)),
    }
}

/// A hint must be an ID token the hub issued to this client; it may have expired (OIDC
/// Core §3.1.2.1).
async fn check_id_token_hint(state: &AppState, client: &Client, params: &Params) -> CheckResult<Option<String>> {
    let Some(hint) = params.get("id_token_hint") else { return Ok(None) };
    let foreign = (ErrorCode::InvalidRequest, "id_token_hint is not an ID token this hub issued to the client");
    let claims = match id_token_hint::verify(state, hint).await {
        Some(claims) if claims.aud == client.client_id => claims,
        _ => return Err(foreign),
    };
    // The hint names the user as the client knows them; the session knows the hub's id.
    match crate::subjects::resolve(state, client, &claims.sub).await {
        Ok(Some(user_id)) => Ok(Some(user_id.to_string())),
        Ok(None) => Err(foreign),
        Err(_) => Err((ErrorCode::TemporarilyUnavailable, "the hub cannot read its records; try again")),
    }
}
