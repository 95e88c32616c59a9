//! Frappe's OAuth paths over the hub's endpoints: the same rules, Frappe's shapes.

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::{Map, Value, json};

use super::profile;
use crate::accounts;
use crate::domain::{ScopeSet, claims, scope};
use crate::http::extract;
use crate::oidc::error::json_response;
use crate::oidc::{OAuthError, discovery, introspection, paths, revocation, userinfo};
use crate::state::AppState;

/// The hub's authorization endpoint, with Frappe's meaning of `scope=openid`: "Full Name,
/// Email, User Image, Roles" on Frappe's consent page, the hub's `profile` and `email`.
/// Asking for them openly lets the consent page show them and the client's registered
/// scopes bound them. Every other parameter goes on as it came, byte for byte (`state`
/// above all); the authorization endpoint judges them all.
#[handler]
pub fn authorize(req: &Request, Data(state): Data<&AppState>) -> Response {
    let query = req.uri().query().unwrap_or_default();
    let forwarded: Vec<String> = query
        .split('&')
        .map(|pair| match pair.strip_prefix("scope=") {
            Some(encoded) => format!("scope={}", with_frappe_openid_encoded(encoded)),
            None => pair.to_owned(),
        })
        .collect();
    let location = format!("{}?{}", state.settings.endpoint(paths::AUTHORIZE), forwarded.join("&"));
    Response::builder().status(StatusCode::FOUND).header(header::LOCATION, location).finish()
}

/// `with_frappe_openid` of a form-encoded scope value, form-encoded again.
fn with_frappe_openid_encoded(encoded: &str) -> String {
    let requested: String = url::form_urlencoded::parse(format!("scope={encoded}").as_bytes())
        .map(|(_, value)| value.into_owned())
        .collect();
    let scopes = with_frappe_openid(&requested);
    url::form_urlencoded::byte_serialize(scopes.as_bytes()).collect()
}

fn with_frappe_openid(requested: &str) -> String {
    let mut scopes: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
    if scopes.contains(&scope::OPENID) {
        for implied in [scope::PROFILE, scope::EMAIL] {
            if !scopes.contains(&implied) {
                scopes.push(implied);
            }
        }
    }
    scopes.join(" ")
}

/// `openid_profile`: the userinfo endpoint's claims as Frappe's flat profile, always JSON.
#[handler]
pub async fn openid_profile(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let token = match userinfo::presented_token(req, body).await {
        Ok(Some(token)) => token,
        Ok(None) => return userinfo::bare_challenge(),
        Err(error) => return error.bearer_response(),
    };
    let answer = match userinfo::claims(&token, state).await {
        Ok((Value::Object(released), _)) => frappe_profile(state, released).await,
        Ok((_, _)) => Err(OAuthError::internal(&NotAnObject)),
        Err(error) => Err(error),
    };
    match answer {
        Ok(profile) => json_response(StatusCode::OK, &Value::Object(profile)),
        Err(error) => error.bearer_response(),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("userinfo claims are not a JSON object")]
struct NotAnObject;

/// Frappe's profile of the released claims. A Frappe site signs in (or creates) the
/// account of the profile's e-mail address, so the address goes out only when it names
/// this user alone.
async fn frappe_profile(state: &AppState, mut released: Map<String, Value>) -> Result<Map<String, Value>, OAuthError> {
    if let Some(email) = released.get("email").and_then(Value::as_str)
        && !accounts::email_names_one_user(&state.store, email).await.map_err(|e| OAuthError::internal(&e))?
    {
        released.remove("email");
    }
    Ok(profile::from_claims(&released, state.issuer()))
}

/// `introspect_token`: RFC 7662's answer (the caller authenticated as at the hub's own
/// introspection endpoint; Frappe asks for none, the hub does), with Frappe's additions
/// for a client asking about its own token: `trusted_client`, and the user's profile for
/// a token with the `openid` scope. Another resource server learns what `/introspect`
/// tells it, no more.
#[handler]
pub async fn introspect_token(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    let answer = match introspection::answer(req, body, state).await {
        Ok((answer, caller)) if answer["client_id"] == json!(caller.client_id) => {
            with_frappe_fields(state, answer).await
        }
        Ok((answer, _)) => Ok(answer),
        Err(error) => Err(error),
    };
    match answer {
        Ok(answer) => json_response(StatusCode::OK, &answer),
        Err(error) => error.token_response(used_basic),
    }
}

async fn with_frappe_fields(state: &AppState, mut answer: Value) -> Result<Value, OAuthError> {
    if answer["active"] != json!(true) {
        return Ok(answer);
    }
    let internal = |e: crate::store::StoreError| OAuthError::internal(&e);
    let client_id = answer["client_id"].as_str().unwrap_or_default().to_owned();
    let Some(stored) = state.store.find_client(&client_id).await.map_err(internal)? else { return Ok(answer) };
    answer["trusted_client"] = json!(stored.client.skip_authorization);
    let scopes = answer["scope"].as_str().and_then(ScopeSet::parse).unwrap_or_default();
    let subject = answer["sub"].as_str().unwrap_or_default().to_owned();
    if !scopes.contains(scope::OPENID) || subject == client_id {
        return Ok(answer);
    }
    let Some(user_id) = crate::subjects::resolve(state, &stored.client, &subject).await.map_err(internal)? else {
        return Ok(answer);
    };
    let Some(user) = state.store.find_user(user_id).await.map_err(internal)? else { return Ok(answer) };
    let released = claims::user_claims(&user, &scopes);
    let profile = frappe_profile(state, released).await?;
    if let Value::Object(fields) = &mut answer {
        for (name, value) in profile {
            fields.entry(name).or_insert(value);
        }
    }
    Ok(answer)
}

/// `revoke_token`: RFC 7009 revocation, answered with Frappe's empty object.
#[handler]
pub async fn revoke_token(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    match revocation::revoke(req, body, state).await {
        Ok(()) => json_response(StatusCode::OK, &json!({})),
        Err(error) => error.token_response(used_basic),
    }
}

/// `openid_configuration`: the hub's discovery document with Frappe's paths (under the
/// issuer, where the hub alone answers) for the endpoints Frappe has. Those take the
/// client's secret only: an assertion's `aud` names the hub's own endpoints.
#[handler]
pub fn openid_configuration(Data(state): Data<&AppState>) -> Response {
    let settings = &state.settings;
    let mut document = discovery::document(settings, state.templates.catalogues().codes());
    for field in [
        "token_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
    ] {
        document[field] = json!(["client_secret_basic", "client_secret_post"]);
    }
    for (field, path) in [
        ("authorization_endpoint", super::AUTHORIZE),
        ("token_endpoint", super::GET_TOKEN),
        ("userinfo_endpoint", super::OPENID_PROFILE),
        ("introspection_endpoint", super::INTROSPECT_TOKEN),
        ("revocation_endpoint", super::REVOKE_TOKEN),
    ] {
        document[field] = json!(settings.endpoint(path));
    }
    json_response(StatusCode::OK, &document)
}

#[cfg(test)]
mod tests {
    use super::with_frappe_openid;

    #[test]
    fn the_scope_is_rewritten_in_its_encoding() {
        assert_eq!(super::with_frappe_openid_encoded("openid"), "openid+profile+email");
        assert_eq!(super::with_frappe_openid_encoded("openid%20groups"), "openid+groups+profile+email");
    }

    #[test]
    fn frappes_openid_asks_for_the_profile_and_email_too() {
        assert_eq!(with_frappe_openid("openid"), "openid profile email");
        assert_eq!(with_frappe_openid("openid email groups"), "openid email groups profile");
        assert_eq!(with_frappe_openid("all"), "all");
    }
}
