//! OAuth 2.0 and OpenID Connect error responses: one closed set of codes, one wire shape
//! `{error, error_description?}` (RFC 6749 §5.2, OIDC Core §3.1.2.6, RFC 6750 §3).

use std::borrow::Cow;

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    AccountSelectionRequired,
    /// The sign-in cannot meet an essential `acr` (OpenID Connect Core Unmet
    /// Authentication Requirements 1.0).
    UnmetAuthenticationRequirements,
    RequestNotSupported,
    RequestUriNotSupported,
    InvalidRequestObject,
    InvalidRequestUri,
    RegistrationNotSupported,
    InvalidToken,
    InsufficientScope,
    /// The device grant's answers to a poll (RFC 8628 §3.5).
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::AccountSelectionRequired => "account_selection_required",
            ErrorCode::UnmetAuthenticationRequirements => "unmet_authentication_requirements",
            ErrorCode::RequestNotSupported => "request_not_supported",
            ErrorCode::RequestUriNotSupported => "request_uri_not_supported",
            ErrorCode::InvalidRequestObject => "invalid_request_object",
            ErrorCode::InvalidRequestUri => "invalid_request_uri",
            ErrorCode::RegistrationNotSupported => "registration_not_supported",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
        }
    }
}

/// An error the client is told about. Internal causes are logged where they happen and
/// reach the client only as `server_error` with a fixed description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: Option<Cow<'static, str>>,
    /// Set when a rate limit refused the request: a 429 with this `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self { code, description: Some(description.into()), retry_after_secs: None }
    }

    /// Past a rate limit (`crate::rate_limit`): `429` with `Retry-After`. OAuth has no code
    /// for it; `temporarily_unavailable` is what clients already retry on.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(ErrorCode::TemporarilyUnavailable, "too many requests; retry after the time in Retry-After")
        }
    }

    pub fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub fn invalid_client() -> Self {
        Self::new(ErrorCode::InvalidClient, "client authentication failed")
    }

    /// Logs `cause` (never sent) and answers `server_error`, or `temporarily_unavailable`
    /// when the database or the session store cannot be reached (a 503 with `Retry-After`).
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        if crate::outage::report(cause).is_some() {
            tracing::warn!(error = %crate::telemetry::ErrorChain(cause), "unavailable");
            return Self::new(ErrorCode::TemporarilyUnavailable, "the hub cannot reach its database or session store");
        }
        tracing::error!(error = %crate::telemetry::ErrorChain(cause), "internal error");
        Self::new(ErrorCode::ServerError, "the server could not complete the request")
    }

    pub fn status(&self) -> StatusCode {
        if self.retry_after_secs.is_some() {
            return StatusCode::TOO_MANY_REQUESTS;
        }
        match self.code {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({ "error": self.code.as_str() });
        if let Some(description) = &self.description {
            body["error_description"] = serde_json::Value::from(description.as_ref());
        }
        body
    }

    /// The error as JSON, with `Retry-After` when it is an outage.
    pub fn json_response(&self) -> Response {
        let mut response = json_response(self.status(), &self.body());
        if self.code == ErrorCode::TemporarilyUnavailable {
            let secs = self.retry_after_secs.unwrap_or(crate::outage::RETRY_AFTER_SECS);
            response.headers_mut().insert(poem::http::header::RETRY_AFTER, secs.into());
        }
        response
    }

    /// The JSON response of the token endpoint (RFC 6749 §5.2). `invalid_client` after
    /// Basic authentication carries a `WWW-Authenticate` challenge.
    pub fn token_response(&self, used_basic: bool) -> Response {
        let mut response = self.json_response();
        if self.code == ErrorCode::InvalidClient && used_basic {
            response.headers_mut().insert(
                "www-authenticate",
                poem::http::HeaderValue::from_static(r#"Basic realm="hub", charset="UTF-8""#),
            );
        }
        response
    }

    /// A protected-resource error (RFC 6750 §3): the challenge carries the code.
    pub fn bearer_response(&self) -> Response {
        let mut challenge = format!(r#"Bearer realm="hub", error="{}""#, self.code.as_str());
        if let Some(description) = &self.description {
            let clean: String = description.chars().filter(|c| *c != '"' && *c != '\\').collect();
            challenge.push_str(&format!(r#", error_description="{clean}""#));
        }
        let mut response = self.json_response();
        if let Ok(value) = poem::http::HeaderValue::from_str(&challenge) {
            response.headers_mut().insert("www-authenticate", value);
        }
        response
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.description {
            Some(description) => write!(f, "{}: {description}", self.code.as_str()),
            None => f.write_str(self.code.as_str()),
        }
    }
}

impl std::error::Error for OAuthError {}

/// A request body the OAuth endpoints could not read as a form.
impl From<crate::http::extract::ParamsError> for OAuthError {
    fn from(error: crate::http::extract::ParamsError) -> Self {
        match error {
            crate::http::extract::ParamsError::Unreadable => {
                OAuthError::invalid_request("the request body could not be read")
            }
            other => OAuthError::invalid_request(other.to_string()),
        }
    }
}

pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(serde_json::to_vec(body).unwrap_or_default())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_and_status() {
        let error = OAuthError::invalid_grant("code expired");
        assert_eq!(error.body(), serde_json::json!({"error": "invalid_grant", "error_description": "code expired"}));
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(OAuthError::invalid_client().status(), StatusCode::UNAUTHORIZED);
        let response = OAuthError::invalid_client().token_response(true);
        assert!(response.headers().get("www-authenticate").is_some());
    }

    #[test]
    fn serde_names_match_as_str() {
        for code in [
            ErrorCode::InvalidRequest,
            ErrorCode::LoginRequired,
            ErrorCode::RequestUriNotSupported,
            ErrorCode::UnmetAuthenticationRequirements,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
