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
