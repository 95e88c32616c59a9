//! The whole OpenID Connect Core §5.1 claim set: set through the admin API (bad values
//! refused with a problem naming the field), then released by userinfo exactly by the
//! scopes granted (§5.4), as the `openidconnect` crate reads them.

use e2e::{AdminApi, TestHub};
use openidconnect::OAuth2TokenResponse;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::userinfo::setup;

/// Every claim an administrator sets beyond the username, e-mail address and name.
fn every_claim() -> Value {
    json!({
        "given_name": "Alice",
        "middle_name": "Pleasance",
        "family_name": "Liddell",
        "nickname": "Ally",
        "profile": "https://people.example.com/alice",
        "picture": "https://people.example.com/alice.png",
        "website": "http://alice.example/blog",
        "gender": "female",
        "birthdate": "0000-05-04",
        "zoneinfo": "Europe/London",
        "locale": "en-GB",
        "phone_number": "+44 1865 270000;ext=12",
        "phone_number_verified": true,
        "address": {
            "formatted": "Christ Church\nSt Aldates\nOxford OX1 1DP",
            "street_address": "Christ Church\nSt Aldates",
            "locality": "Oxford",
            "region": "Oxfordshire",
            "postal_code": "OX1 1DP",
            "country": "United Kingdom",
        },
    })
}

/// `every_claim` with the account fields of a user update.
fn update_with_every_claim() -> Value {
    let mut body = every_claim();
    let account = json!({
        "username": "alice", "email": "alice@example.com", "email_verified": true, "name": "Alice Liddell",
        "groups": ["staff"], "disabled": false,
    });
    body.as_object_mut().unwrap().extend(account.as_object().unwrap().clone());
    body
}

fn assert_has_every_claim(user: &Value) {
    for (claim, value) in every_claim().as_object().unwrap() {
        assert_eq!(&user[claim], value, "{claim} in {user}");
    }
}

fn sorted_keys(json: &Value) -> Vec<String> {
    let mut keys: Vec<String> = json.as_object().expect("a JSON object").keys().cloned().collect();
    keys.sort();
    keys
}

const PROFILE: [&str; 14] = [
    "birthdate",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

#[tokio::test]
async fn every_claim_set_through_the_api_is_released_by_its_scope() {
    let s = setup().await;
    let api = AdminApi::new(&s.hub);
    let updated = api.put(&format!("/users/{}", s.alice), update_with_every_claim()).await.ok(StatusCode::OK);
    assert_has_every_claim(&updated);
    assert_has_every_claim(&api.get(&format!("/users/{}", s.alice)).await.ok(StatusCode::OK));

    let mut released = Vec::new();
    for scope in ["profile", "email", "phone", "address"] {
        let reply = s.get(s.tokens(&[scope]).await.access_token().secret()).await;
        assert_eq!(reply.status, StatusCode::OK, "{scope}: {}", reply.json);
        released.push((scope, reply.json));
    }
    let with_sub = |names: &[&str]| {
        let mut names: Vec<String> = names.iter().chain(&["sub"]).map(|name| (*name).to_owned()).collect();
        names.sort();
        names
    };
    let [(_, profile), (_, email), (_, phone), (_, address)] = &released[..] else { unreachable!() };
    assert_eq!(sorted_keys(profile), with_sub(&PROFILE), "profile: {profile}");
    assert_eq!(sorted_keys(email), with_sub(&["email", "email_verified"]), "{email}");
    assert_eq!(sorted_keys(phone), with_sub(&["phone_number", "phone_number_verified"]), "{phone}");
    assert_eq!(sorted_keys(address), with_sub(&["address"]), "{address}");
    assert_eq!(profile["birthdate"], "0000-05-04");
    assert_eq!(profile["preferred_username"], "alice");
    assert!(profile["updated_at"].is_i64(), "{profile}");
    assert_eq!(phone["phone_number_verified"], true);
    assert_eq!(address["address"], every_claim()["address"]);

    // Everything at once, as the app's library reads it.
    let tokens = s.tokens(&["profile", "email", "phone", "address"]).await;
    let claims = s.user_info(&tokens).await;
    assert_eq!(localized(claims.middle_name()).as_deref(), Some("Pleasance"));
    assert_eq!(localized(claims.nickname()).as_deref(), Some("Ally"));
    assert_eq!(localized(claims.website()).as_deref(), Some("http://alice.example/blog"));
    assert_eq!(localized(claims.profile()).as_deref(), Some("https://people.example.com/alice"));
    assert_eq!(claims.birthdate().map(|b| b.as_str()), Some("0000-05-04"));
    assert_eq!(claims.zoneinfo().map(|z| z.as_str()), Some("Europe/London"));
    assert_eq!(claims.gender().map(|g| g.as_str()), Some("female"));
    assert_eq!(claims.phone_number_verified(), Some(true));
    let postal = claims.address().and_then(|a| a.postal_code.as_ref()).map(|p| p.as_str());
    assert_eq!(postal, Some("OX1 1DP"));
}

/// A claim in the default language.
fn localized<T: std::ops::Deref<Target = String>>(claim: Option<&openidconnect::LocalizedClaim<T>>) -> Option<String> {
    claim.and_then(|claim| claim.get(None)).map(|value| value.as_str().to_owned())
}

#[tokio::test]
async fn users_are_created_with_every_claim_and_bad_values_are_named() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);
    let mut create = every_claim();
    create["username"] = "ada".into();
    let ada = api.post("/users", create.clone()).await.ok(StatusCode::CREATED);
    assert_has_every_claim(&ada);
    let ada_url = format!("/users/{}", ada["id"].as_str().unwrap());
    let update = json!({"username": "ada", "email_verified": false, "groups": [], "disabled": false});

    let bad = [
        ("birthdate", json!("1990-13-45")),
        ("website", json!("javascript:alert(1)")),
        ("profile", json!("ftp://people.example.com/ada")),
        ("zoneinfo", json!("Paris")),
        ("locale", json!("en_GB")),
        ("phone_number", json!("555-1212")),
        ("given_name", json!("")),
    ];
    for (field, value) in bad {
        let mut body = json!({"username": "bad"});
        body[field] = value.clone();
        assert_eq!(api.post("/users", body).await.problem(StatusCode::UNPROCESSABLE_ENTITY), [field], "{value}");
        let mut body = update.clone();
        body[field] = value.clone();
        assert_eq!(api.put(&ada_url, body).await.problem(StatusCode::UNPROCESSABLE_ENTITY), [field], "{value}");
    }
    let mut body = update.clone();
    body["address"] = json!({"locality": "Ox\tford", "country": "UK"});
    assert_eq!(api.put(&ada_url, body).await.problem(StatusCode::UNPROCESSABLE_ENTITY), ["address.locality"]);
    let mut body = update.clone();
    body["birthdate"] = json!(1990);
    api.put(&ada_url, body).await.problem(StatusCode::BAD_REQUEST);
    assert_has_every_claim(&api.get(&ada_url).await.ok(StatusCode::OK));
    let users = api.get("/users").await.ok(StatusCode::OK);
    assert_eq!(users["total"], 1, "no bad user was created: {users}");

    // An update replaces the profile as a whole: what it leaves out is removed. The audit
    // log names what changed, never the values.
    let bare = api.put(&ada_url, update).await.ok(StatusCode::OK);
    assert_eq!(
        sorted_keys(&bare),
        [
            "created_at",
            "disabled",
            "email_verified",
            "groups",
            "has_password",
            "id",
            "phone_number_verified",
            "updated_at",
            "username"
        ]
    );
    assert_eq!(bare["phone_number_verified"], false);
    let events = api.get("/audit-events?action=user.update").await.ok(StatusCode::OK);
    let detail = events["items"][0]["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.starts_with("changed given_name, family_name, middle_name") && detail.ends_with("address"),
        "{detail}"
    );
    assert!(!detail.contains("Oxford") && !detail.contains("0000-05-04"), "{detail}");
}
