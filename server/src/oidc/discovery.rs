//! `GET /.well-known/openid-configuration` (OIDC Discovery 1.0 §3): everything the hub
//! implements, and nothing it does not.

use poem::web::Data;
use poem::{IntoResponse, Response, handler};
use serde_json::json;

use super::{client_auth, paths};
use crate::config::{RegistrationPolicy, Settings};
use crate::domain::protocol::{ContentEncryptionAlg, KeyEncryptionAlg};
use crate::domain::{
    GrantType, Prompt, RequestObjectAlg, ResponseMode, ResponseType, SigningAlg, TokenEndpointAuthMethod, claims, scope,
};
use crate::state::AppState;

/// Built once at start-up; the handler serves the same bytes every time.
/// `ui_locales` are the languages the pages are in (the message catalogues).
pub fn document(settings: &Settings, ui_locales: &[String]) -> serde_json::Value {
    let key_algs: Vec<&str> = KeyEncryptionAlg::ALL.iter().map(|v| v.as_str()).collect();
    let content_algs: Vec<&str> = ContentEncryptionAlg::ALL.iter().map(|v| v.as_str()).collect();
    let mut document = json!({
        "issuer": settings.issuer.as_str().trim_end_matches('/'),
        "authorization_endpoint": settings.endpoint(paths::AUTHORIZE),
        "token_endpoint": settings.endpoint(paths::TOKEN),
        "userinfo_endpoint": settings.endpoint(paths::USERINFO),
        "jwks_uri": settings.endpoint(paths::JWKS),
        "end_session_endpoint": settings.endpoint(paths::END_SESSION),
        "introspection_endpoint": settings.endpoint(paths::INTROSPECTION),
        "revocation_endpoint": settings.endpoint(paths::REVOCATION),
        "pushed_authorization_request_endpoint": settings.endpoint(paths::PAR),
        "device_authorization_endpoint": settings.endpoint(paths::DEVICE_AUTHORIZATION),
        // Per client (require_pushed_authorization_requests), never for all.
        "require_pushed_authorization_requests": false,
        "scopes_supported": scope::STANDARD,
        "response_types_supported": ResponseType::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "response_modes_supported": ResponseMode::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "grant_types_supported": GrantType::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": SigningAlg::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "userinfo_signing_alg_values_supported": SigningAlg::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        // Encryption of what the hub sends; it accepts no encrypted request objects.
        "id_token_encryption_alg_values_supported": key_algs,
        "id_token_encryption_enc_values_supported": content_algs,
        "userinfo_encryption_alg_values_supported": key_algs,
        "userinfo_encryption_enc_values_supported": content_algs,
        "token_endpoint_auth_methods_supported":
            TokenEndpointAuthMethod::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "token_endpoint_auth_signing_alg_values_supported": client_auth::assertion::signing_algs(),
        "introspection_endpoint_auth_methods_supported":
            TokenEndpointAuthMethod::ALL.iter().filter(|m| **m != TokenEndpointAuthMethod::None).map(|v| v.as_str()).collect::<Vec<_>>(),
        "revocation_endpoint_auth_methods_supported":
            TokenEndpointAuthMethod::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": Prompt::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "claims_supported": claims::supported(),
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": true,
        "ui_locales_supported": ui_locales,
        // The hub's own sign-in; an upstream's sign-in carries the upstream's value.
        "acr_values_supported": crate::domain::sign_in::ACR_VALUES,
        "request_parameter_supported": true,
        "request_uri_parameter_supported": true,
        // An unregistered request URI is fetched only on the public internet.
        "require_request_uri_registration": false,
        "request_object_signing_alg_values_supported":
            RequestObjectAlg::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": false,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    });
    if settings.registration != RegistrationPolicy::Off {
        document["registration_endpoint"] = json!(settings.endpoint(paths::REGISTRATION));
    }
    document
}

#[handler]
pub fn get(Data(state): Data<&AppState>) -> Response {
    Response::builder()
        .content_type("application/json")
        .header("cache-control", "public, max-age=3600")
        .body(state.discovery.clone())
        .into_response()
}
