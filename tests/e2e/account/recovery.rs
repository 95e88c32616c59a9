//! Recovery by e-mail over real SMTP (aiosmtpd): a password reset by a single-use link, a
//! new address that counts once verified, self-registration, and answers that never tell
//! whether an account exists.

use e2e::mail::MailSink;
use e2e::{AdminApi, Browser, TestHub};
use reqwest::StatusCode;

use super::{PASSWORD, hub_with_mail, open_account, post};

/// What the reset request page answers for `identifier`.
async fn ask_for_reset(hub: &TestHub, browser: &Browser, identifier: &str) -> e2e::Page {
    let form = browser.get(&hub.url("/account/reset-password")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    browser.submit(&form, &[("identifier", identifier)]).await
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_single_use_link() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[]).await;
    hub.add_user("alice", PASSWORD, &["--email", "alice@example.test", "--email-verified"]);
    let signed_in = Browser::new();
    open_account(&hub, &signed_in, "alice", PASSWORD).await;

    let browser = Browser::new();
    let known = ask_for_reset(&hub, &browser, "alice").await;
    let unknown = ask_for_reset(&hub, &browser, "nobody").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, known.status, "the same answer whether or not the account exists");
    assert!(known.body.contains("If an account matches"), "{}", known.body);
    assert_eq!(known.body, unknown.body, "not a byte apart");

    let message = mail.wait_for("alice@example.test", 1).await;
    assert!(message.subject.contains("Reset your Hub password"), "{}", message.subject);
    assert_eq!(message.from, "hub@example.test");
    assert_eq!(message.content_type, "text/plain");
    let link = message.link();
    assert!(!link.contains('?'), "the token is in the path, which the access log leaves out: {link}");

    // Opening the link (a mail scanner does) spends nothing; a too-short password neither.
    let reader = Browser::new();
    reader.get(&link).await;
    let page = reader.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Choose a new password") && page.body.contains("<strong>alice</strong>"));
    let short = reader.submit(&page, &[("password", "short")]).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.body);
    let done = reader.submit(&short, &[("password", "a brand new passphrase")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your new password is set"), "{}", done.body);
    let again = reader.submit(&page, &[("password", "another new passphrase")]).await;
    assert_eq!(again.status, StatusCode::GONE, "single use");

    // Every session of the account ended; the new password signs in, the old does not.
    assert_eq!(signed_in.get(&hub.url("/account")).await.status, StatusCode::SEE_OTHER);
    open_account(&hub, &Browser::new(), "alice", "a brand new passphrase").await;
    let notice = mail.wait_for("alice@example.test", 2).await;
    assert!(notice.body.contains("was reset through a link"), "{}", notice.body);
    assert_eq!(mail.received().len(), 2, "nothing went anywhere for the unknown name");
    let events = AdminApi::new(&hub).get("/audit-events?action=account.password_reset").await.ok(StatusCode::OK);
    assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");
}

/// A message is in its reader's language: the one their profile names, else the one of
/// the page they asked from; the page that answered is in that page's language.
#[tokio::test]
async fn messages_are_written_in_the_readers_language() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[]).await;
    hub.add_user("bernd", PASSWORD, &["--email", "bernd@example.test", "--email-verified", "--locale", "de-AT"]);
    hub.add_user("chloe", PASSWORD, &["--email", "chloe@example.test", "--email-verified"]);

    // Asked from an English page, for someone whose profile says German.
    ask_for_reset(&hub, &Browser::new(), "bernd").await;
    let german = mail.wait_for("bernd@example.test", 1).await;
    assert!(german.subject.contains("Passwort zurück"), "{}", german.subject);
    assert!(german.body.contains("Minuten lang") && german.body.contains("Hallo bernd"), "{}", german.body);
    assert!(german.link().contains("/account/"), "{}", german.body);

    // Asked from a French page, for someone whose profile names no language.
    let french_page = ask_for_reset(&hub, &Browser::speaking("fr-CH, en;q=0.5"), "chloe").await;
    assert!(french_page.body.contains(r#"<html lang="fr">"#), "{}", french_page.body);
    let french = mail.wait_for("chloe@example.test", 1).await;
    assert!(french.subject.contains("Réinitialisez votre mot de passe"), "{}", french.subject);
    assert!(french.body.contains("pendant 30 minutes"), "{}", french.body);

    // The notice that follows the reset is in German again, whoever's page it came from.
    let reader = Browser::speaking("fr");
    let form = reader.get(&german.link()).await;
    let done = reader.submit(&form, &[("password", "ein ganz neues Passwort")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Votre nouveau mot de passe"), "the page is in the reader's language: {}", done.body);
    let notice = mail.wait_for("bernd@example.test", 2).await;
    assert!(notice.body.contains("zurückgesetzt"), "{}", notice.body);
}

#[tokio::test]
async fn a_reset_link_dies_with_the_password_it_was_sent_for() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[]).await;
    hub.add_user("alice", PASSWORD, &["--email", "alice@example.test"]);
    let browser = Browser::new();
    ask_for_reset(&hub, &browser, "alice@example.test").await;
    let link = mail.wait_for("alice@example.test", 1).await.link();
    // The password changes another way before the link is used.
    let signed_in = Browser::new();
    let page = open_account(&hub, &signed_in, "alice", PASSWORD).await;
    let fields = [("current_password", PASSWORD), ("new_password", "changed meanwhile")];
    post(&hub, &signed_in, &page, "/account/password", &fields).await;
    assert_eq!(Browser::new().get(&link).await.status, StatusCode::GONE);

    // An address asks for a few messages a window, then waits.
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = ask_for_reset(&hub, &browser, "nobody").await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_new_address_counts_once_verified_and_the_old_one_hears_of_it() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[]).await;
    let id = hub.add_user("alice", PASSWORD, &["--email", "old@example.test", "--email-verified"]);
    let browser = Browser::new();
    let page = open_account(&hub, &browser, "alice", PASSWORD).await;
    let asked = post(&hub, &browser, &page, "/account/email", &[("email", "new@example.test")]).await;
    assert!(asked.body.contains("We have sent a link to the new address"), "{}", asked.body);
    let user = AdminApi::new(&hub).get(&format!("/users/{id}")).await.ok(StatusCode::OK);
    assert_eq!(user["email"], "old@example.test", "unchanged until verified");

    let link = mail.wait_for("new@example.test", 1).await.link();
    let confirm = Browser::new().get(&link).await;
    assert!(confirm.body.contains("Confirm your address") && confirm.body.contains("new@example.test"));
    let reader = Browser::new();
    let page = reader.get(&link).await;
    let done = reader.submit(&page, &[]).await;
    assert!(done.body.contains("Your e-mail address is confirmed"), "{}", done.body);
    let user = AdminApi::new(&hub).get(&format!("/users/{id}")).await.ok(StatusCode::OK);
    assert_eq!((user["email"].as_str(), user["email_verified"].as_bool()), (Some("new@example.test"), Some(true)));
    let notice = mail.wait_for("old@example.test", 1).await;
    assert!(notice.body.contains("e-mail address of your account was changed"), "{}", notice.body);
}

#[tokio::test]
async fn self_registration_creates_the_account_once_its_address_is_verified() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[("HUB_SELF_REGISTRATION", "true")]).await;
    hub.add_user("alice", PASSWORD, &["--email", "alice@example.test", "--email-verified"]);
    let admin = AdminApi::new(&hub);
    let browser = Browser::new();
    let form = browser.get(&hub.url("/account/sign-up")).await;
    assert_eq!(form.status, StatusCode::OK);

    let taken =
        browser.submit(&form, &[("username", "alice"), ("email", "x@example.test"), ("password", PASSWORD)]).await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert!(taken.body.contains("That username is taken"), "{}", taken.body);

    let fields = [("username", "carol"), ("email", "carol@example.test"), ("password", PASSWORD)];
    let sent = browser.submit(&form, &fields).await;
    assert!(sent.body.contains("Check your e-mail"), "{}", sent.body);
    let existing = [("username", "alice2"), ("email", "alice@example.test"), ("password", PASSWORD)];
    let same = browser.submit(&form, &existing).await;
    assert!(same.body.contains("Check your e-mail"), "the same answer for an address that has an account");
    assert!(mail.wait_for("alice@example.test", 1).await.body.contains("already has one"));
    let users = admin.get("/users?search=carol").await.ok(StatusCode::OK);
    assert_eq!(users["items"].as_array().unwrap().len(), 0, "no account before the link: {users}");

    let link = mail.wait_for("carol@example.test", 1).await.link();
    let reader = Browser::new();
    let page = reader.get(&link).await;
    assert!(page.body.contains("Create your account"), "{}", page.body);
    let done = reader.submit(&page, &[]).await;
    assert!(done.body.contains("Your account is created"), "{}", done.body);
    let users = admin.get("/users?search=carol").await.ok(StatusCode::OK);
    assert_eq!(users["items"][0]["email_verified"], true, "{users}");
    open_account(&hub, &Browser::new(), "carol", PASSWORD).await;
    assert_eq!(admin.get("/users?search=alice2").await.ok(StatusCode::OK)["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn without_smtp_there_is_no_reset_and_no_sign_up() {
    crate::backend();
    let hub = TestHub::spawn_with(&[]).await;
    assert_eq!(Browser::new().get(&hub.url("/account/reset-password")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(Browser::new().get(&hub.url("/account/sign-up")).await.status, StatusCode::NOT_FOUND);
    let (ok, _, err) = hub.cli_with_env(&["migrate"], None, &[("HUB_SELF_REGISTRATION", "true")]);
    assert!(!ok && err.contains("HUB_SELF_REGISTRATION needs e-mail"), "{err}");
}

/// An administrator e-mails a user a link to verify their address and one to choose a new
/// password (admin API); each works as one the user asked for. The CLI sends them only
/// where the running hub shares its session store (Redis), which holds the link.
#[tokio::test]
async fn an_administrator_sends_a_verification_link_and_a_reset_link() {
    let backend = crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[]).await;
    hub.add_user("dora", PASSWORD, &["--email", "dora@example.test"]);
    hub.add_user("emil", PASSWORD, &[]);
    let admin = AdminApi::new(&hub);
    let id_of = |name: &'static str| {
        let admin = AdminApi::new(&hub);
        async move {
            let found = admin.get(&format!("/users?search={name}")).await.ok(StatusCode::OK);
            found["items"][0]["id"].as_str().unwrap().to_owned()
        }
    };
    let (dora, emil) = (id_of("dora").await, id_of("emil").await);

    let sent = admin.post(&format!("/users/{dora}/verification-email"), serde_json::json!({})).await;
    let sent = sent.ok(StatusCode::ACCEPTED);
    assert_eq!(sent["sent_to"], "dora@example.test", "{sent}");
    assert_eq!(sent["expires_in"], 24 * 3600, "{sent}");
    let link = mail.wait_for("dora@example.test", 1).await.link();
    let reader = Browser::new();
    let page = reader.get(&link).await;
    assert!(reader.submit(&page, &[]).await.body.contains("Your e-mail address is confirmed"));
    assert_eq!(admin.get(&format!("/users/{dora}")).await.ok(StatusCode::OK)["email_verified"], true);
    let again = admin.post(&format!("/users/{dora}/verification-email"), serde_json::json!({})).await;
    assert_eq!(again.problem(StatusCode::CONFLICT), ["email_verified"], "verified already");

    let sent = admin.post(&format!("/users/{dora}/password-reset-email"), serde_json::json!({})).await;
    assert_eq!(sent.ok(StatusCode::ACCEPTED)["expires_in"], 30 * 60);
    let link = mail.wait_for("dora@example.test", 2).await.link();
    let page = reader.get(&link).await;
    let done = reader.submit(&page, &[("password", "chosen by dora herself")]).await;
    assert!(done.body.contains("Your new password is set"), "{}", done.body);
    open_account(&hub, &Browser::new(), "dora", "chosen by dora herself").await;

    let nowhere = admin.post(&format!("/users/{emil}/password-reset-email"), serde_json::json!({})).await;
    assert_eq!(nowhere.problem(StatusCode::CONFLICT), ["email"], "no address to send to");
    let unknown =
        admin.post(&format!("/users/{}/password-reset-email", uuid::Uuid::new_v4()), serde_json::json!({})).await;
    unknown.problem(StatusCode::NOT_FOUND);
    let disable = serde_json::json!({"username": "emil", "email": "emil@example.test", "email_verified": false,
        "groups": [], "disabled": true});
    admin.put(&format!("/users/{emil}"), disable).await.ok(StatusCode::OK);
    for link in ["verification-email", "password-reset-email"] {
        let refused = admin.post(&format!("/users/{emil}/{link}"), serde_json::json!({})).await;
        refused.problem(StatusCode::CONFLICT);
        assert!(refused.json["detail"].as_str().unwrap().contains("disabled"), "{link}: {}", refused.json);
    }
    for action in ["user.verification_sent", "user.password_reset_sent"] {
        let events = admin.get(&format!("/audit-events?action={action}")).await.ok(StatusCode::OK);
        assert_eq!(events["items"].as_array().unwrap().len(), 1, "{action}: {events}");
        assert_eq!(events["items"][0]["target"], format!("user:{dora}"), "{events}");
    }

    let (ok, out, err) = hub.cli(&["user", "send-password-reset", "dora"], None);
    if backend.redis_url.is_some() {
        assert!(ok && out.contains("dora@example.test"), "{out}{err}");
        assert!(mail.wait_for("dora@example.test", 4).await.subject.contains("Reset"), "the notice, then the link");
    } else {
        let errors: Vec<&str> = err.lines().filter(|line| !line.contains("Z  INFO ")).collect();
        assert!(!ok && errors.len() == 1 && errors[0].contains("HUB_REDIS_URL"), "{err}");
    }
}
