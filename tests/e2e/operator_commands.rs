//! What operators do from a shell (`hub user|group|client|social-login-key|keys …`): the
//! same operations and rules as the admin API, seen through the API afterwards, and a
//! help text for every option.

use e2e::upstream::OidcProvider;
use e2e::{AdminApi, Browser, TestHub, eventually};
use reqwest::StatusCode;
use serde_json::Value;

use crate::code_flow::{PASSWORD, REDIRECT};

/// `hub <args>` that must succeed; its standard output.
fn run(hub: &TestHub, args: &[&str], stdin: Option<&str>) -> String {
    let (ok, out, err) = hub.cli(args, stdin);
    assert!(ok, "hub {args:?} failed: {err}");
    out
}

/// `hub <args>` that must fail; its one error line.
fn refused(hub: &TestHub, args: &[&str], stdin: Option<&str>) -> String {
    let (ok, out, err) = hub.cli(args, stdin);
    assert!(!ok, "hub {args:?} should fail: {out}");
    let errors: Vec<&str> = err.lines().filter(|line| line.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "hub {args:?}: one error line in {err}");
    errors[0].to_owned()
}

async fn user(admin: &AdminApi, id: &str) -> Value {
    admin.get(&format!("/users/{id}")).await.ok(StatusCode::OK)
}

#[tokio::test]
async fn users_and_groups_follow_the_same_rules_as_the_admin_api() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);

    run(&hub, &["group", "add", "editors", "--description", "Wiki editors"], None);
    assert!(run(&hub, &["group", "list"], None).lines().any(|l| l == "editors\t0\tWiki editors"));
    let carol = hub.add_user("carol", PASSWORD, &["--group", "editors", "--email", "carol@example.com"]);
    assert_eq!(run(&hub, &["user", "groups", "carol", "--add", "reviewers"], None).trim(), "editors,reviewers");
    assert_eq!(run(&hub, &["user", "groups", "carol", "--remove", "editors"], None).trim(), "reviewers");
    eventually("carol's groups", || async { user(&admin, &carol).await["groups"] == serde_json::json!(["reviewers"]) })
        .await;

    // The rules are the API's: e-mail addresses are checked, passwords are bounded.
    let error = refused(&hub, &["user", "add", "dave", "--email", "not-an-address"], Some(&format!("{PASSWORD}\n")));
    assert!(error.contains("not an e-mail address"), "{error}");
    let error = refused(&hub, &["user", "add", "dave"], Some(&format!("{}\n", "x".repeat(1025))));
    assert!(error.contains("at most 1024 characters"), "{error}");
    assert!(!run(&hub, &["user", "list"], None).contains("\tdave\t"), "nothing was created");

    // Disabling ends the sessions and is audited as the command line's.
    let app = hub.add_client(&["--name", "App", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let authorize = format!(
        "{}?response_type=code&scope=openid&client_id={}&redirect_uri={REDIRECT}&state=s",
        hub.url("/authorize"),
        app.client_id
    );
    let signed_in = Browser::new().sign_in(&authorize, "carol", PASSWORD).await;
    assert!(signed_in.redirect_params().contains_key("code"), "carol signs in: {}", signed_in.body);
    let sessions = admin.get(&format!("/sessions?user_id={carol}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["total"], 1);
    let line = run(&hub, &["user", "disable", "carol"], None);
    assert!(line.contains("\tcarol\tcarol@example.com\tdisabled\t"), "{line}");
    eventually("carol is disabled", || async { user(&admin, &carol).await["disabled"] == true }).await;
    let sessions = admin.get(&format!("/sessions?user_id={carol}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["total"], 0);
    let events = admin.get("/audit-events?actor=cli&action=user.update").await.ok(StatusCode::OK);
    assert!(events["items"][0]["detail"].as_str().unwrap_or_default().contains("disabled"), "{events}");
    run(&hub, &["user", "enable", "carol"], None);
    eventually("carol is enabled", || async { user(&admin, &carol).await["disabled"] == false }).await;

    let error = refused(&hub, &["group", "delete", "admins"], None);
    assert!(error.contains("cannot be deleted"), "{error}");
    run(&hub, &["group", "update", "reviewers", "--name", "critics"], None);
    eventually("the renamed group", || async {
        user(&admin, &carol).await["groups"] == serde_json::json!(["critics"])
    })
    .await;
    run(&hub, &["user", "delete", "carol"], None);
    let carol_url = format!("/users/{carol}");
    eventually("carol is gone", || async { admin.get(&carol_url).await.status == StatusCode::NOT_FOUND }).await;
    let error = refused(&hub, &["user", "disable", "carol"], None);
    assert!(error.contains("no such user"), "{error}");
}

#[tokio::test]
async fn user_claims_are_set_and_removed_from_the_shell() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let claims = ["--given-name", "Erin", "--birthdate", "1990", "--zoneinfo", "Europe/Paris", "--locality", "Lyon"];
    let erin = hub.add_user("erin", PASSWORD, &[&claims[..], &["--phone-number", "+33 4 72 00 00 00"]].concat());
    let created = user(&admin, &erin).await;
    assert_eq!((&created["given_name"], &created["birthdate"]), (&"Erin".into(), &"1990".into()), "{created}");
    assert_eq!(created["address"], serde_json::json!({"locality": "Lyon"}));
    assert_eq!(created["phone_number_verified"], false);

    // What update leaves out stays; an empty value removes a claim.
    let args = ["user", "update", "erin", "--birthdate", "", "--locality", "", "--country", "France"];
    run(&hub, &[&args[..], &["--phone-number-verified", "true", "--website", "https://erin.example"]].concat(), None);
    eventually("erin's new claims", || async { user(&admin, &erin).await["website"] == "https://erin.example" }).await;
    let updated = user(&admin, &erin).await;
    assert_eq!(updated["given_name"], "Erin");
    assert_eq!(updated["zoneinfo"], "Europe/Paris");
    assert!(updated.get("birthdate").is_none(), "{updated}");
    assert_eq!(updated["address"], serde_json::json!({"country": "France"}));
    assert_eq!(updated["phone_number_verified"], true);

    // The rules are the API's, named by the claim.
    let error = refused(&hub, &["user", "update", "erin", "--birthdate", "1990-13-45"], None);
    assert!(error.contains("birthdate:"), "{error}");
    let error =
        refused(&hub, &["user", "add", "fay", "--website", "javascript:alert(1)"], Some(&format!("{PASSWORD}\n")));
    assert!(error.contains("website:"), "{error}");
    let error = refused(&hub, &["user", "update", "nobody", "--nickname", "N"], None);
    assert!(error.contains("no such user"), "{error}");
}

/// A client_credentials token request with this secret.
async fn token_with(hub: &TestHub, client_id: &str, secret: &str) -> StatusCode {
    let response = reqwest::Client::new()
        .post(hub.url("/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token endpoint");
    response.status()
}

#[tokio::test]
async fn clients_are_updated_rotated_and_deleted_from_the_shell() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let grants = ["--grant-type", "authorization_code", "--grant-type", "client_credentials"];
    let mut args = vec!["--client-id", "reports", "--name", "Reports", "--redirect-uri", REDIRECT];
    args.extend_from_slice(&grants);
    let first = hub.add_client(&args).client_secret.expect("a secret");
    assert_eq!(token_with(&hub, "reports", &first).await, StatusCode::OK);

    let rotated: Value = serde_json::from_str(&run(&hub, &["client", "rotate-secret", "reports", "--json"], None))
        .expect("rotate-secret --json prints JSON");
    let second = rotated["client_secret"].as_str().expect("the new secret").to_owned();
    assert_ne!(second, first);
    eventually("the old secret is refused", || async {
        token_with(&hub, "reports", &first).await == StatusCode::UNAUTHORIZED
    })
    .await;
    assert_eq!(token_with(&hub, "reports", &second).await, StatusCode::OK);

    run(&hub, &["client", "update", "reports", "--name", "Quarterly reports", "--skip-authorization", "true"], None);
    eventually("the new name", || async {
        admin.get("/clients/reports").await.ok(StatusCode::OK)["client_name"] == "Quarterly reports"
    })
    .await;
    let client = admin.get("/clients/reports").await.ok(StatusCode::OK);
    assert_eq!(
        (client["client_name"].as_str(), client["skip_authorization"].as_bool()),
        (Some("Quarterly reports"), Some(true))
    );
    assert_eq!(client["redirect_uris"], serde_json::json!([REDIRECT]), "what was not given stays");
    let error = refused(&hub, &["client", "update", "reports", "--redirect-uri", "http://reports.example/cb"], None);
    assert!(error.contains("must use https"), "{error}");
    let error = refused(&hub, &["client", "update", "hub-admin", "--name", "Mine"], None);
    assert!(error.contains("managed by the hub"), "{error}");

    run(&hub, &["client", "delete", "reports"], None);
    eventually("the client is gone", || async {
        token_with(&hub, "reports", &second).await == StatusCode::UNAUTHORIZED
    })
    .await;
    admin.get("/clients/reports").await.ok(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_social_login_key_is_added_from_a_file_tested_and_switched_off() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let upstream = OidcProvider::start(&hub.url("/upstream/corp/callback"));
    let files = std::env::temp_dir().join(format!("hub-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&files).unwrap();
    let file = files.join("corp.toml");
    let definition = format!(
        "slug = \"corp\"\ndisplay_name = \"Corp SSO\"\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{}\"\nenabled = true\n",
        upstream.issuer, upstream.client_id
    );
    std::fs::write(&file, definition).unwrap();
    let path = file.to_str().unwrap();

    let args = ["social-login-key", "add", path, "--client-secret-env", "CORP_SECRET"];
    let (ok, out, err) = hub.cli_with_env(&args, None, &[("CORP_SECRET", &upstream.client_secret)]);
    assert!(ok, "{err}");
    assert!(out.contains(&hub.url("/upstream/corp/callback")), "the redirect URI to register: {out}");
    let key = admin.get("/social-login-keys/corp").await.ok(StatusCode::OK);
    assert_eq!((key["has_client_secret"].as_bool(), key["enabled"].as_bool()), (Some(true), Some(true)));

    let report = run(&hub, &["social-login-key", "test", "corp"], None);
    assert!(report.lines().all(|line| line.starts_with("ok\t")), "{report}");
    run(&hub, &["social-login-key", "disable", "corp"], None);
    assert!(run(&hub, &["social-login-key", "list"], None).lines().any(|l| l == "corp\toidc\tdisabled\tCorp SSO"));
    assert_eq!(admin.get("/social-login-keys/corp").await.ok(StatusCode::OK)["has_client_secret"], true, "kept");

    // The file is read as the API reads a body: a wrong value is named.
    let bad = files.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"slug": "bad", "display_name": "Bad", "kind": "nope", "client_id": "x", "enabled": true}"#,
    )
    .unwrap();
    let error = refused(&hub, &["social-login-key", "add", bad.to_str().unwrap()], None);
    assert!(error.contains("SocialLoginKeyKind") && error.contains("nope"), "{error}");
    // A key whose upstream is down fails its test.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = files.join("down.json");
    let down_key = format!(
        r#"{{"slug": "down", "display_name": "Down", "kind": "oidc", "issuer": "http://127.0.0.1:{closed}", "client_id": "x", "enabled": true}}"#
    );
    std::fs::write(&down, down_key).unwrap();
    run(&hub, &["social-login-key", "add", down.to_str().unwrap()], None);
    let error = refused(&hub, &["social-login-key", "test", "down"], None);
    assert!(error.contains("some checks failed"), "{error}");
    let down_url = "/social-login-keys/down";
    eventually("the new key", || async { admin.get(down_url).await.status == StatusCode::OK }).await;
    run(&hub, &["social-login-key", "delete", "down"], None);
    eventually("the key is gone", || async { admin.get(down_url).await.status == StatusCode::NOT_FOUND }).await;
    std::fs::remove_dir_all(files).ok();
}

#[test]
fn every_option_has_a_help_text() {
    let commands: &[&[&str]] = &[
        &[],
        &["serve"],
        &["user", "add"],
        &["user", "list"],
        &["user", "update"],
        &["user", "set-password"],
        &["user", "disable"],
        &["user", "enable"],
        &["user", "delete"],
        &["user", "groups"],
        &["group", "add"],
        &["group", "list"],
        &["group", "update"],
        &["group", "delete"],
        &["client", "add"],
        &["client", "list"],
        &["client", "update"],
        &["client", "delete"],
        &["client", "rotate-secret"],
        &["social-login-key", "add"],
        &["social-login-key", "list"],
        &["social-login-key", "enable"],
        &["social-login-key", "disable"],
        &["social-login-key", "delete"],
        &["social-login-key", "test"],
        &["keys", "list"],
        &["keys", "rotate"],
        &["keys", "retire"],
    ];
    for command in commands {
        let output =
            std::process::Command::new(e2e::hub::hub_binary()).args(*command).arg("-h").output().expect("hub --help");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command:?}: {help}");
        // clap lists each argument and option as `  NAME  text`, or with the text on the
        // lines below, indented further, when the names are long.
        let lines: Vec<&str> =
            help.lines().skip_while(|line| !(line.starts_with("Arguments:") || line.starts_with("Options:"))).collect();
        for (i, entry) in lines.iter().enumerate().filter(|(_, l)| l.starts_with("  ") && !l.starts_with("   ")) {
            let same_line = entry.trim().split_once("  ").is_some_and(|(_, text)| !text.trim().is_empty());
            let below = lines.get(i + 1).is_some_and(|next| next.starts_with("   ") && !next.trim().is_empty());
            assert!(same_line || below, "{command:?}: no help text for `{}`", entry.trim());
        }
        assert!(help.contains("HUB_CONFIG"), "{command:?}: --config names its variable: {help}");
    }
}
