//! The account page (issue 13, item 3) and recovery by e-mail (item 4). Over HTTP here and
//! in `recovery`: the page signs in through the one flow, each form does its change (and
//! only with the CSRF token), and the rules hold (the current password first, never the
//! last way in). Through Chromium in `browser`, with every action and the e-mailed links.

mod browser;
mod recovery;

use e2e::mail::MailSink;
use e2e::{AdminApi, Browser, Page, TestHub};
use reqwest::StatusCode;

pub const PASSWORD: &str = "correct horse battery";

/// A hub that sends its mail to `mail`, with `extra` settings.
pub async fn hub_with_mail(mail: &MailSink, extra: &[(&str, &str)]) -> TestHub {
    let mut settings: Vec<(&str, String)> = mail.settings();
    settings.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let borrowed: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestHub::spawn_with(&borrowed).await
}

/// Opens `/account` in `browser`, signing in with the password on the way when the hub
/// asks; answers the account page.
pub async fn open_account(hub: &TestHub, browser: &Browser, username: &str, password: &str) -> Page {
    let mut page = browser.get(&hub.url("/account")).await;
    for _ in 0..8 {
        if page.status == StatusCode::OK && page.body.contains(">Password</label>") && page.body.contains("Sign in") {
            page = browser.submit(&page, &[("username", username), ("password", password)]).await;
            continue;
        }
        match page.location() {
            Some(location) => {
                let next = if location.starts_with("http") { location } else { hub.url(&location) };
                page = browser.get(&next).await;
            }
            None => break,
        }
    }
    assert_eq!(page.status, StatusCode::OK, "the account page: {}", page.body);
    assert!(page.body.contains("Your account"), "{}", page.body);
    page
}

/// The first form of the account page that posts to `url`, as a page to `submit`.
pub fn form(page: &Page, url: &str) -> Page {
    form_with(page, url, "")
}

/// The form of the page that posts to `url` and contains `text` (its button's, say).
pub fn form_with(page: &Page, url: &str, text: &str) -> Page {
    let forms = page.body.split("<form").skip(1).map(|rest| rest.split("</form>").next().unwrap_or(rest));
    let mut found = forms.filter_map(|body| {
        let sub = Page { body: format!("<form{body}"), ..page.clone() };
        (sub.form_action().as_deref() == Some(url) && body.contains(text)).then_some(sub)
    });
    found.next().unwrap_or_else(|| panic!("no form to {url} with {text:?}"))
}

/// Posts the account page's form to `path` with `fields`; answers where it leads (the page
/// again after the redirect, or the refusal).
pub async fn post(hub: &TestHub, browser: &Browser, page: &Page, path: &str, fields: &[(&str, &str)]) -> Page {
    let answer = browser.submit(&form(page, &hub.url(path)), fields).await;
    match answer.location() {
        Some(location) if answer.status == StatusCode::SEE_OTHER => browser.get(&location).await,
        _ => answer,
    }
}

/// Registers the app "Wiki" (which asks for consent) and lets `username` allow it in
/// `browser`.
pub async fn allow_an_app(hub: &TestHub, browser: &Browser, username: &str) {
    let redirect = "http://127.0.0.1:59999/callback";
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", redirect]);
    let secret = creds.client_secret.as_deref();
    let basic = openidconnect::AuthType::BasicAuth;
    let client = e2e::rp::app_client(&hub.issuer, &creds.client_id, secret, redirect, basic).await;
    let after_password = browser.sign_in(&e2e::rp::code_flow_url(&client), username, PASSWORD).await;
    let allowed = browser.answer_consent(&after_password, "allow").await;
    assert!(allowed.redirect_params().contains_key("code"), "{:?}", allowed.location());
}

#[tokio::test]
async fn the_account_page_signs_in_through_the_flow_and_saves_the_profile() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let id = hub.add_user("alice", PASSWORD, &["--email", "alice@example.test", "--email-verified"]);
    let browser = Browser::new();

    // Not signed in: the page sends the browser through /authorize as its own client.
    let first = browser.get(&hub.url("/account")).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let location = first.location().unwrap();
    assert!(location.contains("/authorize?") && location.contains("client_id=hub-account"), "{location}");
    assert!(location.contains("code_challenge_method=S256"), "{location}");

    let page = open_account(&hub, &browser, "alice", PASSWORD).await;
    assert!(page.body.contains("Signed in as <strong>alice</strong>"));
    assert!(page.body.contains("alice@example.test</strong> — verified"));
    assert!(page.body.contains("This browser"), "the session list marks this one");

    let saved =
        post(&hub, &browser, &page, "/account/profile", &[("name", "Alice Liddell"), ("locale", "en-GB")]).await;
    assert!(saved.body.contains("Your profile is saved."), "{}", saved.body);
    assert!(saved.body.contains(r#"value="Alice Liddell""#));
    let user = AdminApi::new(&hub).get(&format!("/users/{id}")).await.ok(StatusCode::OK);
    assert_eq!(user["name"], "Alice Liddell");
    assert_eq!(user["locale"], "en-GB");

    let refused = post(&hub, &browser, &saved, "/account/profile", &[("locale", "not a language tag!")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains(r#"class="error" role="alert""#));

    // Without the CSRF token, nothing changes.
    let forged = browser.post_form(&hub.url("/account/profile"), &[("name", "Mallory")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let user = AdminApi::new(&hub).get(&format!("/users/{id}")).await.ok(StatusCode::OK);
    assert_eq!(user["name"], "Alice Liddell");

    let events = AdminApi::new(&hub).get("/audit-events?action=account.profile").await.ok(StatusCode::OK);
    assert_eq!(events["items"][0]["actor"], "user:alice", "{events}");
    assert!(!hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn a_password_change_asks_for_the_current_one_and_signs_out_elsewhere() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let (here, elsewhere) = (Browser::new(), Browser::new());
    open_account(&hub, &here, "alice", PASSWORD).await;
    open_account(&hub, &elsewhere, "alice", PASSWORD).await;
    let page = here.get(&hub.url("/account")).await;
    assert_eq!(page.body.matches("Sign out</button>").count(), 1, "the other session can be ended");

    let wrong = post(
        &hub,
        &here,
        &page,
        "/account/password",
        &[("current_password", "nope"), ("new_password", "a new passphrase")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("The current password is not right."), "{}", wrong.body);
    let short =
        post(&hub, &here, &wrong, "/account/password", &[("current_password", PASSWORD), ("new_password", "short")])
            .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);

    let fields = [("current_password", PASSWORD), ("new_password", "a new passphrase")];
    let changed = post(&hub, &here, &short, "/account/password", &fields).await;
    assert!(changed.body.contains("Your password is changed"), "{}", changed.body);
    assert!(!changed.body.contains("Sign out</button>"), "the other session ended");
    assert_eq!(elsewhere.get(&hub.url("/account")).await.status, StatusCode::SEE_OTHER, "signed out there");

    let fresh = Browser::new();
    open_account(&hub, &fresh, "alice", "a new passphrase").await;
    let old = Browser::new();
    let mut page = old.get(&hub.url("/account")).await;
    while let Some(location) = page.location() {
        page = old.get(&location).await;
    }
    let refused = old.submit(&page, &[("username", "alice"), ("password", PASSWORD)]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "the old password no longer works");
}

#[tokio::test]
async fn sessions_and_consents_can_be_ended_and_revoked() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let id = hub.add_user("alice", PASSWORD, &[]);
    let browser = Browser::new();
    allow_an_app(&hub, &browser, "alice").await;
    let other = Browser::new();
    open_account(&hub, &other, "alice", PASSWORD).await;

    let page = open_account(&hub, &browser, "alice", PASSWORD).await;
    assert!(page.body.contains("<strong>Wiki</strong>"), "the consent is listed: {}", page.body);
    let revoked = post(&hub, &browser, &page, "/account/consents", &[]).await;
    assert!(revoked.body.contains("access is revoked. It will ask again"), "{}", revoked.body);
    let consents = AdminApi::new(&hub).get(&format!("/consents?user_id={id}")).await.ok(StatusCode::OK);
    assert_eq!(consents["items"].as_array().unwrap().len(), 0, "{consents}");
    // Someone else's consent id, or a made-up one, is not found.
    let csrf_token = revoked.input("csrf_token").expect("the page's CSRF token");
    let made_up = uuid::Uuid::new_v4().to_string();
    let fields = [("csrf_token", csrf_token.as_str()), ("consent", made_up.as_str())];
    let unknown = browser.post_form(&hub.url("/account/consents"), &fields).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let everywhere = form_with(&revoked, &hub.url("/account/sessions"), "Sign out everywhere else");
    let ended = browser.submit(&everywhere, &[]).await;
    let ended = browser.get(&ended.location().expect("back to the page")).await;
    assert!(ended.body.contains("You are signed out everywhere else"), "{}", ended.body);
    assert_eq!(other.get(&hub.url("/account")).await.status, StatusCode::SEE_OTHER);
    let sessions = AdminApi::new(&hub).get(&format!("/sessions?user_id={id}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["items"].as_array().unwrap().len(), 1, "only this browser's: {sessions}");
    let events = AdminApi::new(&hub).get("/audit-events?action=account.end_other_sessions").await.ok(StatusCode::OK);
    assert_eq!(events["items"].as_array().unwrap().len(), 1);
}
