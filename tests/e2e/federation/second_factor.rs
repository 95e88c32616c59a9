//! An upstream's sign-in and a client that requires a second factor (issue 13): the
//! upstream's `amr` counts only through a key trusted to assert it (`trust_mfa`, off by
//! default); otherwise a user without the hub's own factor is refused.

use super::*;

/// Signs `username` in straight at the upstream (the client is IdP-only); the redirect
/// to the app.
async fn through_corp(fed: &Federation, req: &Request, username: &str) -> Page {
    let page = drive(&Browser::new(), &fed.upstream.issuer, &req.url, username).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page
}

fn strict() -> Value {
    json!({ "require_second_factor": true, "default_social_login_key": "corp" })
}

#[tokio::test]
async fn an_untrusted_upstreams_second_factor_is_not_the_hubs() {
    let fed = Federation::start(json!({})).await;
    fed.upstream.set_fault("claims", json!({ "amr": ["pwd", "otp"] })).await;
    let app = fed.app(strict()).await;
    let req = request(&app, &[]);
    let page = through_corp(&fed, &req, "olga").await;
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{params:?}");
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn a_trusted_upstreams_second_factor_meets_the_clients_rule() {
    let fed = Federation::start(json!({ "trust_mfa": true })).await;
    let app = fed.app(strict()).await;

    // Trusted, but this sign-in had one factor only.
    let req = request(&app, &[]);
    let params = through_corp(&fed, &req, "olga").await.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{params:?}");

    fed.upstream.set_fault("claims", json!({ "amr": ["pwd", "hwk"] })).await;
    let req = request(&app, &[]);
    let page = through_corp(&fed, &req, "olga").await;
    let (claims, _) = finish(&fed.hub, &app, req, &page).await;
    assert_eq!(claims["amr"], json!(["pwd", "hwk", "mfa"]), "{claims}");
    assert_eq!(claims["acr"], "2");
}
