//! Scale-out (SPEC §3): two hub processes sharing PostgreSQL and Redis behave as one. A
//! sign-in started on one instance completes on the other, and the code it issued is
//! redeemed at the first. Runs only on the production configuration.

use e2e::{Browser, TestHub};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

#[tokio::test]
async fn a_sign_in_started_on_one_instance_completes_on_another() {
    let backend = crate::backend();
    if backend.database_url.is_none() || backend.redis_url.is_none() {
        eprintln!("skipped: scale-out needs HUB_TEST_DATABASE_URL and HUB_TEST_REDIS_URL");
        return;
    }
    let first = TestHub::spawn().await;
    let second = first.spawn_replica().await;
    let alice = first.add_user("alice", PASSWORD, &[]);
    let creds = first.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = creds.client_secret.clone().unwrap();

    let browser = Browser::new();
    let mut authorize = url::Url::parse(&first.url("/authorize")).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &creds.client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", "s1");
    let started = browser.get(authorize.as_str()).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);

    // The login page and the form post are served by the other instance.
    let login = browser.get(&second.direct(&started.location().unwrap())).await;
    assert_eq!(login.status, StatusCode::OK, "the replica knows the pending request: {}", login.body);
    let fields: Vec<(String, String)> = login.hidden_inputs();
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.extend([("username", "alice"), ("password", PASSWORD)]);
    let done = browser.post_form(&second.direct(&first.url("/login")), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let code = done.redirect_params().get("code").cloned().expect("a code from the replica");

    // The code issued by the replica is redeemed at the first instance.
    let tokens: serde_json::Value = e2e::rp::http_client()
        .post(first.url("/token"))
        .basic_auth(&creds.client_id, Some(&secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access_token = tokens["access_token"].as_str().expect("tokens from the first instance");

    // The SSO session lives in Redis: the first instance sees alice signed in.
    let again = browser.get(authorize.as_str()).await;
    assert!(again.redirect_params().contains_key("code"), "SSO across instances: {:?}", again.location());

    // Either instance answers userinfo for the token.
    for hub in [&first, &second] {
        let userinfo: serde_json::Value = e2e::rp::http_client()
            .get(hub.direct(&first.url("/userinfo")))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(userinfo["sub"], alice.as_str());
    }
}
