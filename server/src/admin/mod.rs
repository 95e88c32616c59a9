//! The admin API (SPEC §6): poem-openapi operations under `/admin/api/v1`, one module per
//! resource, described by a generated OpenAPI document (`/admin/api/openapi.json`,
//! checked in under `openapi/`). Every error is an RFC 9457 problem.

// A problem is a few strings, built once per failed request: not worth boxing.
#![allow(clippy::result_large_err)]

mod audit_events;
mod auth;
mod clients;
mod consents;
mod groups;
mod keys;
mod me;
mod paging;
mod problem;
mod registration_tokens;
mod sessions;
pub(crate) mod social_login_keys;
mod text;
mod users;

use poem::endpoint::BoxEndpoint;
use poem::http::{Method, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use poem_openapi::{OpenApiService, Tags};

/// Where the operations live, relative to the issuer.
pub const API_BASE: &str = "/admin/api/v1";
/// The OpenAPI document and the interactive docs.
pub const DOCUMENT_PATH: &str = "/admin/api/openapi.json";
pub const DOCS_PATH: &str = "/admin/api/docs";

#[derive(Tags)]
enum ApiTags {
    /// Who is calling.
    Me,
    /// Relying parties: the apps that sign users in through the hub.
    Clients,
    /// Upstream identity providers.
    SocialLoginKeys,
    Users,
    Groups,
    /// Token signing keys.
    Keys,
    /// Single sign-on sessions.
    Sessions,
    /// Remembered consent.
    Consents,
    /// Every admin change and every sign-in.
    AuditEvents,
    /// Initial access tokens for dynamic client registration (RFC 7591).
    RegistrationTokens,
}

type Api = (
    me::MeApi,
    clients::ClientsApi,
    social_login_keys::SocialLoginKeysApi,
    users::UsersApi,
    groups::GroupsApi,
    keys::KeysApi,
    sessions::SessionsApi,
    consents::ConsentsApi,
    audit_events::AuditEventsApi,
    registration_tokens::RegistrationTokensApi,
);

fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(Api::default(), "Hub admin API", env!("CARGO_PKG_VERSION"))
        .description(
            "Manage the hub's clients, upstream identity providers (social login keys), users, groups, \
             signing keys, sessions, consents and registration tokens, and read the audit log. Authenticate with \
             `Authorization: Bearer` and either the bootstrap `HUB_ADMIN_TOKEN` or an access token the hub \
             issued to its admin UI for a member of the `admins` group. Errors are RFC 9457 problem details.",
        )
        // Relative to the document's own URL (`/admin/api/openapi.json`), so the document is
        // the same whatever the issuer, and CI can compare it with the checked-in copy.
        .server("v1")
}

/// The OpenAPI document, as served and as checked in under `openapi/`.
pub fn openapi_document() -> String {
    let mut document = service().spec();
    document.push('\n');
    document
}

/// The admin API's endpoints, for the route table.
pub struct Endpoints {
    /// The operations, at `API_BASE`.
    pub api: BoxEndpoint<'static>,
    /// The OpenAPI document, at `DOCUMENT_PATH`.
    pub document: BoxEndpoint<'static>,
    /// Swagger UI, at `DOCS_PATH`.
    pub docs: BoxEndpoint<'static>,
}

pub fn endpoints() -> Endpoints {
    let service = service();
    let docs = service.swagger_ui();
    let document = openapi_document();
    Endpoints {
        docs: docs
            .with(poem::middleware::SetHeader::new().overriding(header::CONTENT_SECURITY_POLICY, DOCS_CSP))
            .boxed(),
        api: service.around(guard).boxed(),
        document: poem::endpoint::make_sync(move |_| {
            Response::builder().content_type("application/json").body(document.clone())
        })
        .boxed(),
    }
}

/// The docs page is one HTML file with inline script and style (Swagger UI as
/// poem-openapi ships it); it may fetch only from the hub.
const DOCS_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Largest request body the admin API reads.
const BODY_LIMIT: usize = 256 * 1024;

/// Refuses what no operation can store before any handler sees it: bodies over the
/// limit, and NUL characters (PostgreSQL cannot hold them in text) in the path, the
/// query or a JSON body.
async fn guard<E: Endpoint>(next: std::sync::Arc<E>, mut req: Request) -> poem::Result<Response> {
    let uri = req.uri().to_string();
    if uri.contains("%00") || uri.contains('\0') {
        return Ok(problem::ApiError::bad_request("NUL characters are not allowed").into_response());
    }
    // Without credentials the answer is a 401 whatever the body, and a method without a
    // body is answered by its operation (or 405): do not read it.
    let has_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if !has_body || !req.headers().contains_key(header::AUTHORIZATION) {
        return Ok(next.call(req).await?.into_response());
    }
    let body = req.take_body();
    let bytes = match body.into_bytes_limit(BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            let detail = format!("the body must be at most {BODY_LIMIT} bytes");
            return Ok(problem::ApiError::too_large(detail).into_response());
        }
        Err(error) => {
            let detail = format!("the body cannot be read: {error}");
            return Ok(problem::ApiError::bad_request(detail).into_response());
        }
    };
    if bytes.contains(&0) || contains_escaped_nul(&bytes) {
        return Ok(problem::ApiError::bad_request("NUL characters are not allowed").into_response());
    }
    // No field of the API is nullable: an optional field is left out, never `null`.
    if let Ok(body) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && !body.is_null()
        && let Some(field) = first_null(&body, String::new())
    {
        let detail = "null is not a value of any field; leave an optional field out instead";
        return Ok(problem::ApiError::invalid_shape(&field, detail).into_response());
    }
    req.set_body(bytes);
    Ok(next.call(req).await?.into_response())
}

/// Wraps the whole router: errors under the API's path are problems, whoever raised them
/// (the router itself rejects some paths before the API sees them).
pub async fn problems<E: Endpoint>(next: std::sync::Arc<E>, req: Request) -> poem::Result<Response> {
    let operation_path = req.uri().path().split_once(API_BASE).map(|(_, rest)| rest.to_owned());
    let result = next.call(req).await.map(IntoResponse::into_response);
    let Some(operation_path) = operation_path else { return result };
    let mut response = match result {
        Ok(response) => problem::ensure_problem(response).await,
        Err(error) => problem::into_problem_response(error),
    };
    // An outage: say when to try again, as every endpoint does.
    if response.status() == poem::http::StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, crate::outage::RETRY_AFTER_SECS.into());
    }
    // RFC 9110 §15.5.6: a 405 says which methods the resource has.
    if response.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allowed_methods(&operation_path)
        && let Ok(value) = poem::http::HeaderValue::from_str(&allow)
    {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}

/// The methods the document lists for the path template matching `path`.
fn allowed_methods(path: &str) -> Option<String> {
    static TEMPLATES: std::sync::LazyLock<Vec<(Vec<String>, String)>> = std::sync::LazyLock::new(|| {
        let document: serde_json::Value = serde_json::from_str(&openapi_document()).unwrap_or_default();
        let Some(paths) = document["paths"].as_object() else { return Vec::new() };
        paths
            .iter()
            .map(|(template, operations)| {
                let segments = template.split('/').map(str::to_owned).collect();
                let methods: Vec<String> =
                    operations.as_object().map(|o| o.keys().map(|m| m.to_uppercase()).collect()).unwrap_or_default();
                (segments, methods.join(", "))
            })
            .collect()
    });
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    TEMPLATES.iter().find_map(|(template, methods)| {
        let matches = template.len() == segments.len()
            && template.iter().zip(&segments).all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
        matches.then(|| methods.clone())
    })
}

/// Where the first `null` in a JSON document is, as a field path (`scopes[2]`).
fn first_null(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::Null => Some(path),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| first_null(item, format!("{path}[{i}]")))
        }
        serde_json::Value::Object(members) => members.iter().find_map(|(name, member)| {
            first_null(member, if path.is_empty() { name.clone() } else { format!("{path}.{name}") })
        }),
        _ => None,
    }
}

/// `\u0000` in JSON, in any letter case, not itself escaped (`\\u0000` is text).
fn contains_escaped_nul(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(i, w)| {
        w[0] == b'\\'
            && w[1] == b'u'
            && w[2..].iter().all(|&b| b == b'0')
            && body[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_nul_is_found_unless_the_backslash_is_itself_escaped() {
        assert!(contains_escaped_nul(br#"{"a":"x\u0000"}"#));
        assert!(!contains_escaped_nul(br#"{"a":"x\\u0000"}"#));
        assert!(contains_escaped_nul(br#"{"a":"x\\\u0000"}"#));
        assert!(!contains_escaped_nul(br#"{"a":"x\u0020"}"#));
    }

    #[test]
    fn the_document_describes_every_resource() {
        let document: serde_json::Value = serde_json::from_str(&openapi_document()).unwrap();
        for path in
            ["/clients", "/social-login-keys", "/users", "/groups", "/keys", "/sessions", "/consents", "/audit-events"]
        {
            assert!(document["paths"].get(path).is_some(), "{path} is documented");
        }
        assert_eq!(document["servers"][0]["url"], "v1");
    }

    #[test]
    fn nulls_are_found_with_their_path() {
        let body = serde_json::json!({"a": 1, "b": {"c": [1, null]}});
        assert_eq!(first_null(&body, String::new()).as_deref(), Some("b.c[1]"));
        assert_eq!(first_null(&serde_json::json!({"a": [1]}), String::new()), None);
    }

    #[test]
    fn a_405_can_name_the_methods_of_any_resource() {
        assert_eq!(allowed_methods("/clients").as_deref(), Some("GET, POST"));
        assert_eq!(allowed_methods("/clients/abc/").as_deref(), Some("DELETE, GET, PUT"));
        assert_eq!(allowed_methods("/keys/rotate").as_deref(), Some("POST"));
        assert_eq!(allowed_methods("/nothing/here"), None);
    }

    /// CI's drift check: the checked-in document is what the code generates.
    #[test]
    fn the_checked_in_document_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == openapi_document(),
            "openapi/openapi.json is not what the code generates; run `cargo run -p hub -- openapi > openapi/openapi.json`"
        );
    }
}
