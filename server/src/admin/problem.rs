//! Errors of the admin API as RFC 9457 problem details (`application/problem+json`),
//! each naming the offending field where there is one. Handlers return `ApiError`; the
//! framework's own errors (a body that does not parse, a missing token) are turned into
//! the same shape by `into_problem_response`, so clients see one error format.

use poem::Response;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::domain::validation::FieldErrors;
use crate::manage::ManageError;
use crate::store::StoreError;
use crate::telemetry::ErrorChain;

/// An RFC 9457 problem.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem this is.
    #[oai(rename = "type")]
    pub kind: String,
    /// The status code's phrase, such as "Unprocessable Entity".
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    /// One entry per offending field; empty when the problem is not in one field.
    pub errors: Vec<FieldProblem>,
}

/// A problem with one field of the input.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FieldProblem {
    /// The field's name as in the request, with an index for list items: `redirect_uris[1]`.
    pub field: String,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>, detail: impl Into<String>) -> Self {
        self.errors.push(FieldProblem { field: field.into(), detail: detail.into() });
        self
    }
}

const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request does not parse: a parameter or body of the wrong shape or type.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No credentials, or credentials that are not valid.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>, #[oai(header = "WWW-Authenticate")] String),
    /// Valid credentials of someone who is not an administrator.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such resource.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// A duplicate (slug, client_id, username, group name) or a change the resource's
    /// state does not allow.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is larger than the API reads (256 KiB).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body is not JSON (`Content-Type: application/json`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Well-formed input that breaks a rule; `errors` names each offending field.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// The database or the session store cannot be reached; the request can be retried.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest(Json(Problem::new(StatusCode::BAD_REQUEST, detail)))
    }

    /// Input of the wrong shape in one field.
    pub fn invalid_shape(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        ApiError::BadRequest(Json(
            Problem::new(StatusCode::BAD_REQUEST, format!("{field}: {detail}")).with_field(field, detail),
        ))
    }

    pub fn too_large(detail: impl Into<String>) -> Self {
        ApiError::PayloadTooLarge(Json(Problem::new(StatusCode::PAYLOAD_TOO_LARGE, detail)))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        let challenge = r#"Bearer realm="hub-admin", error="invalid_token""#.to_owned();
        ApiError::Unauthorized(Json(Problem::new(StatusCode::UNAUTHORIZED, detail)), challenge)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::Forbidden(Json(Problem::new(StatusCode::FORBIDDEN, detail)))
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(Json(Problem::new(StatusCode::NOT_FOUND, format!("no such {what}"))))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        ApiError::Conflict(Json(Problem::new(StatusCode::CONFLICT, detail)))
    }

    /// A conflict caused by one field's value, such as a taken name.
    pub fn conflict_on(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        ApiError::Conflict(Json(Problem::new(StatusCode::CONFLICT, detail.clone()).with_field(field, detail)))
    }

    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        FieldErrors::single(field, detail).into()
    }

    /// For failures of the hub's own dependencies; the cause goes to the log only.
    pub fn unavailable(error: &(dyn std::error::Error + 'static)) -> Self {
        if crate::outage::report(error).is_none() {
            tracing::error!(error = %ErrorChain(error), "admin API request failed");
        } else {
            tracing::warn!(error = %ErrorChain(error), "admin API request failed: unavailable");
        }
        ApiError::Unavailable(Json(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the hub cannot reach its database or session store; retry the request",
        )))
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, errors.to_string());
        for error in errors.iter() {
            problem = problem.with_field(&error.field, &error.message);
        }
        ApiError::Unprocessable(Json(problem))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(what) => ApiError::conflict(format!("{what} already exists")),
            other => ApiError::unavailable(&other),
        }
    }
}

impl From<crate::sso::SessionsError> for ApiError {
    fn from(error: crate::sso::SessionsError) -> Self {
        ApiError::unavailable(&error)
    }
}

impl From<ManageError> for ApiError {
    fn from(error: ManageError) -> Self {
        match error {
            ManageError::NotFound(what) => ApiError::not_found(what),
            ManageError::Conflict { field: Some(field), detail } => ApiError::conflict_on(&field, detail),
            ManageError::Conflict { field: None, detail } => ApiError::conflict(detail),
            ManageError::Invalid(errors) => errors.into(),
            ManageError::Unavailable(cause) => ApiError::unavailable(cause.as_ref()),
        }
    }
}

impl From<crate::session::SessionError> for ApiError {
    fn from(error: crate::session::SessionError) -> Self {
        ApiError::unavailable(&error)
    }
}

impl From<crate::secrets::SecretError> for ApiError {
    fn from(error: crate::secrets::SecretError) -> Self {
        ApiError::unavailable(&error)
    }
}

/// An error response that is not yet a problem (the router's own, say) becomes one, its
/// text as the detail.
pub async fn ensure_problem(response: Response) -> Response {
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error || response.content_type().is_some_and(|t| t.starts_with(PROBLEM_JSON)) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = body.into_string().await.unwrap_or_default();
    let detail = if text.trim().is_empty() { status.canonical_reason().unwrap_or("error").to_owned() } else { text };
    problem_response(Problem::new(status, detail), &parts.headers)
}

/// Turns an error the framework raised before a handler ran into a problem response.
pub fn into_problem_response(error: poem::Error) -> Response {
    use poem_openapi::error::{ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError};
    let mut detail = error.to_string();
    let field = if let Some(param) = error.downcast_ref::<ParseParamError>() {
        Some((param.name.to_owned(), param.reason.clone()))
    } else {
        error.downcast_ref::<ParsePathError>().map(|path| (path.name.to_owned(), path.reason.clone()))
    };
    if let Some(payload) = error.downcast_ref::<ParseRequestPayloadError>() {
        detail = format!("the body does not parse: {}", payload.reason);
    }
    if error.is::<ContentTypeError>() {
        detail = "send the body as application/json".into();
    }
    let response = error.into_response();
    if response.content_type().is_some_and(|t| t.starts_with(PROBLEM_JSON)) {
        return response;
    }
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        detail = "send an admin token or an administrator's access token as `Authorization: Bearer …`".into();
    }
    let mut problem = Problem::new(status, detail);
    if let Some((name, reason)) = field {
        problem = problem.with_field(name, reason);
    }
    problem_response(problem, response.headers())
}

/// The problem as a response, keeping the challenge and `Allow` headers of the original.
fn problem_response(problem: Problem, original: &poem::http::HeaderMap) -> Response {
    use poem::http::header::{ALLOW, WWW_AUTHENTICATE};
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_vec(&poem_openapi::types::ToJSON::to_json(&problem)).unwrap_or_default();
    let mut response = Response::builder().status(status).content_type(PROBLEM_JSON).body(body);
    for name in [WWW_AUTHENTICATE, ALLOW] {
        if let Some(value) = original.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    if status == StatusCode::UNAUTHORIZED && !response.headers().contains_key(WWW_AUTHENTICATE) {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, poem::http::HeaderValue::from_static(r#"Bearer realm="hub-admin""#));
    }
    response
}
