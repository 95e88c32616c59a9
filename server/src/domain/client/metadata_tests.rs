//! The rules of `ClientMetadata`, case by case: what is a valid client, and which field
//! each mistake is reported on.

use super::*;

fn web_client() -> ClientMetadata {
    ClientMetadata {
        client_name: "Wiki".into(),
        redirect_uris: vec!["https://wiki.example/cb".into()],
        ..ClientMetadata::default()
    }
}

fn fields(metadata: ClientMetadata) -> Vec<String> {
    match metadata.into_client("wiki".into()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| e.field.clone()).collect(),
    }
}

#[test]
fn response_types_and_grant_types_agree_and_implicit_web_clients_use_https() {
    let hybrid = ClientMetadata {
        response_types: vec![ResponseType::Code, ResponseType::CodeIdToken],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::Implicit],
        ..web_client()
    };
    assert!(hybrid.clone().into_client("wiki".into()).is_ok());
    let without_implicit = ClientMetadata { grant_types: vec![GrantType::AuthorizationCode], ..hybrid.clone() };
    assert_eq!(fields(without_implicit), ["response_types"]);
    let loopback = ClientMetadata { redirect_uris: vec!["http://127.0.0.1:3000/cb".into()], ..hybrid.clone() };
    assert_eq!(fields(loopback.clone()), ["redirect_uris[0]"]);
    let native = ClientMetadata { application_type: ApplicationType::Native, ..loopback };
    assert!(native.into_client("wiki".into()).is_ok(), "a native app's loopback redirect");
}

#[test]
fn the_defaults_make_a_valid_web_client() {
    let client = web_client().into_client("wiki".into()).unwrap();
    assert_eq!(client.application_type, ApplicationType::Web);
    assert_eq!(client.grant_types, [GrantType::AuthorizationCode]);
    assert_eq!(client.keys, None);
}

#[test]
fn keys_come_by_value_or_by_reference_never_both() {
    let jwks = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "..", "y": ".."}]});
    let by_value = ClientMetadata { jwks: Some(jwks.clone()), ..web_client() };
    assert_eq!(by_value.into_client("wiki".into()).unwrap().keys, Some(ClientKeys::Jwks(jwks.clone())));
    let both = ClientMetadata { jwks: Some(jwks), jwks_uri: Some("https://wiki.example/jwks".into()), ..web_client() };
    assert_eq!(fields(both), ["jwks"]);
    let no_kty = ClientMetadata { jwks: Some(serde_json::json!({"keys": [{"n": "x"}]})), ..web_client() };
    assert_eq!(fields(no_kty), ["jwks"]);
    let private = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "..", "y": "..", "d": ".."}]});
    assert_eq!(fields(ClientMetadata { jwks: Some(private), ..web_client() }), ["jwks"], "a private key");
    let symmetric = serde_json::json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]});
    assert_eq!(fields(ClientMetadata { jwks: Some(symmetric), ..web_client() }), ["jwks"], "a shared key");
    let not_a_set = ClientMetadata { jwks: Some(serde_json::json!([1, 2])), ..web_client() };
    assert_eq!(fields(not_a_set), ["jwks"]);
    let plain_http = ClientMetadata { jwks_uri: Some("http://wiki.example/jwks".into()), ..web_client() };
    assert_eq!(fields(plain_http), ["jwks_uri"]);
}

#[test]
fn links_contacts_and_max_age_are_bounded() {
    let about = ClientAbout {
        logo_uri: Some("javascript:alert(1)".into()),
        tos_uri: Some("https://wiki.example/tos".into()),
        contacts: vec!["ops@wiki.example".into(), String::new()],
        ..ClientAbout::default()
    };
    let metadata = ClientMetadata { about, default_max_age: Some(u64::MAX), ..web_client() };
    assert_eq!(fields(metadata), ["logo_uri", "contacts[1]", "default_max_age"]);
}

#[test]
fn a_public_client_cannot_have_anything_keyed_with_a_secret() {
    let public = ClientMetadata {
        token_endpoint_auth_method: TokenEndpointAuthMethod::None,
        userinfo_signed_response_alg: Some(SigningAlg::HS256),
        ..web_client()
    };
    assert_eq!(fields(public), ["userinfo_signed_response_alg"]);
}

#[test]
fn a_device_client_needs_no_redirect_uri_and_may_be_public() {
    let device = ClientMetadata {
        client_name: "TV".into(),
        grant_types: vec![GrantType::DeviceCode, GrantType::RefreshToken],
        response_types: Vec::new(),
        token_endpoint_auth_method: TokenEndpointAuthMethod::None,
        ..ClientMetadata::default()
    };
    let client = device.clone().into_client("tv".into()).unwrap();
    assert!(client.allows_grant(GrantType::DeviceCode) && client.redirect_uris.is_empty());
    let with_code = ClientMetadata { response_types: vec![ResponseType::Code], ..device };
    assert_eq!(fields(with_code), ["redirect_uris", "response_types"], "the code response needs its grant and a URI");
}
