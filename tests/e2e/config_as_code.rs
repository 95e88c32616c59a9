//! Config as code (`hub apply FILE`, `hub export`, `HUB_APPLY_FILE`): a declared file
//! creates what it names, a second run changes nothing, a change updates exactly that,
//! declared secrets work at the token endpoint (the `openidconnect` crate as the app),
//! a bad file is refused whole, prune deletes only what it names, and export round-trips.

use std::path::PathBuf;

use e2e::rp::{app_client, error_code, http_client};
use e2e::{AdminApi, TestHub, eventually};
use openidconnect::{AuthType, Scope};
use reqwest::StatusCode;
use serde_json::Value;

use crate::code_flow::{PASSWORD, REDIRECT};

const WIKI_SECRET: &str = "wiki-secret-0123456789abcdefghijklmnop";
const CORP_SECRET: &str = "corp-upstream-secret";

/// The file the tests start from: a group, an upstream, a client and an admin user.
fn base_file() -> String {
    format!(
        r#"
[[groups]]
name = "staff"
description = "Everyone on staff"

[[social_login_keys]]
slug = "corp"
display_name = "Corp SSO"
kind = "oidc"
issuer = "https://sso.corp.example"
client_id = "hub"
client_secret = {{ env = "CORP_SECRET" }}

[[clients]]
client_id = "wiki"
client_name = "Wiki"
redirect_uris = ["{REDIRECT}"]
grant_types = ["authorization_code", "client_credentials"]
scope = "openid profile api.read"
skip_authorization = true
allowed_social_login_keys = ["corp"]
secret = {{ env = "WIKI_SECRET" }}

[[users]]
username = "alice"
email = "alice@example.com"
groups = ["admins", "staff"]
password = {{ env = "ALICE_PASSWORD" }}
"#
    )
}

fn write(text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("hub-apply-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).expect("write the declared file");
    path
}

fn secrets() -> Vec<(&'static str, &'static str)> {
    vec![("WIKI_SECRET", WIKI_SECRET), ("CORP_SECRET", CORP_SECRET), ("ALICE_PASSWORD", PASSWORD)]
}

/// `hub apply [extra] FILE` that must succeed; its output lines.
fn apply(hub: &TestHub, text: &str, extra: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let path = write(text);
    let mut args = vec!["apply"];
    args.extend_from_slice(extra);
    args.push(path.to_str().expect("path"));
    let (ok, out, err) = hub.cli_with_env(&args, None, env);
    assert!(ok, "hub apply failed: {err}");
    assert!(!err.contains("warning"), "no warnings: {err}");
    out.lines().map(str::to_owned).collect()
}

/// `hub apply FILE` that must be refused; its one error line.
fn refused(hub: &TestHub, text: &str, env: &[(&str, &str)]) -> String {
    let path = write(text);
    let (ok, out, err) = hub.cli_with_env(&["apply", path.to_str().expect("path")], None, env);
    assert!(!ok, "hub apply should fail: {out}");
    assert!(out.is_empty(), "nothing was applied: {out}");
    let errors: Vec<&str> = err.lines().filter(|line| line.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "one error line in {err}");
    errors[0].to_owned()
}

async fn audit_total(admin: &AdminApi) -> u64 {
    let events = admin.get("/audit-events?actor=cli").await.ok(StatusCode::OK);
    events["total"].as_u64().expect("total")
}

/// A client_credentials grant for `wiki` with `secret`: Ok, or the OAuth error code.
async fn token_with(hub: &TestHub, secret: &str) -> Result<(), String> {
    let client = app_client(&hub.issuer, "wiki", Some(secret), REDIRECT, AuthType::BasicAuth).await;
    let request = client.exchange_client_credentials().expect("token endpoint");
    match request.add_scope(Scope::new("api.read".into())).request_async(&http_client()).await {
        Ok(_) => Ok(()),
        Err(error) => Err(error_code(&error)),
    }
}

#[tokio::test]
async fn apply_creates_every_kind_and_a_second_apply_changes_nothing() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);

    let out = apply(&hub, &base_file(), &[], &secrets());
    for line in ["created group staff", "created social-login-key corp", "created client wiki", "created user alice"] {
        assert!(out.iter().any(|l| l == line), "{line} in {out:?}");
    }
    assert_eq!(out.last().map(String::as_str), Some("4 created, 0 updated, 0 deleted, 0 unchanged"));

    let groups = admin.get("/groups").await.ok(StatusCode::OK);
    let staff = groups["items"].as_array().and_then(|g| g.iter().find(|g| g["name"] == "staff")).cloned();
    assert_eq!(staff.map(|g| g["description"].clone()), Some(Value::from("Everyone on staff")));
    let corp = admin.get("/social-login-keys/corp").await.ok(StatusCode::OK);
    assert_eq!((corp["display_name"].as_str(), corp["has_client_secret"].as_bool()), (Some("Corp SSO"), Some(true)));
    let wiki = admin.get("/clients/wiki").await.ok(StatusCode::OK);
    assert_eq!(wiki["redirect_uris"], serde_json::json!([REDIRECT]));
    assert_eq!(
        (wiki["skip_authorization"].as_bool(), wiki["allowed_social_login_keys"][0].as_str()),
        (Some(true), Some("corp"))
    );
    let users = admin.get("/users?search=alice").await.ok(StatusCode::OK);
    assert_eq!(users["items"][0]["groups"], serde_json::json!(["admins", "staff"]));
    assert_eq!(users["items"][0]["has_password"], true);

    // Audited as the command line's, through `hub apply`, never with a secret.
    let events = admin.get("/audit-events?actor=cli").await.ok(StatusCode::OK);
    let actions: Vec<&str> =
        events["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"client.set_secret") && actions.contains(&"user.create"), "{actions:?}");
    assert!(
        events["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["detail"].as_str().is_some_and(|d| d.starts_with("hub apply"))),
        "{events}"
    );
    assert!(!events.to_string().contains(WIKI_SECRET) && !events.to_string().contains(CORP_SECRET));

    // The declared secret is the client's, at the token endpoint.
    token_with(&hub, WIKI_SECRET).await.expect("the declared secret works");
    assert_eq!(token_with(&hub, "wiki-secret-but-not-the-one-declared-0000").await, Err("invalid_client".into()));

    // Again: nothing to do, no write, no audit event.
    let before = audit_total(&admin).await;
    let out = apply(&hub, &base_file(), &[], &secrets());
    assert_eq!(out, vec!["0 created, 0 updated, 0 deleted, 4 unchanged".to_owned()]);
    assert_eq!(audit_total(&admin).await, before, "an unchanged file writes nothing");
}

#[tokio::test]
async fn a_changed_file_updates_exactly_what_changed() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    apply(&hub, &base_file(), &[], &secrets());

    let changed = base_file()
        .replace("display_name = \"Corp SSO\"", "display_name = \"Corporate SSO\"")
        .replace("client_name = \"Wiki\"", "client_name = \"Team Wiki\"");
    let out = apply(&hub, &changed, &[], &secrets());
    assert_eq!(
        out,
        vec![
            "updated social-login-key corp (settings)".to_owned(),
            "updated client wiki".to_owned(),
            "0 created, 2 updated, 0 deleted, 2 unchanged".to_owned(),
        ]
    );
    assert_eq!(admin.get("/clients/wiki").await.ok(StatusCode::OK)["client_name"], "Team Wiki");
    assert_eq!(admin.get("/social-login-keys/corp").await.ok(StatusCode::OK)["display_name"], "Corporate SSO");

    // A new secret in the environment is the client's new secret; the old one stops working.
    let rotated = "wiki-rotated-secret-abcdefghijklmnopqrstuvwxyz";
    let mut env = secrets();
    env[0] = ("WIKI_SECRET", rotated);
    let out = apply(&hub, &changed, &[], &env);
    assert_eq!(
        out,
        vec!["updated client wiki (secret)".to_owned(), "0 created, 1 updated, 0 deleted, 3 unchanged".to_owned()]
    );
    eventually("the rotated secret", || async { token_with(&hub, rotated).await.is_ok() }).await;
    assert_eq!(token_with(&hub, WIKI_SECRET).await, Err("invalid_client".into()));

    // A changed password is left alone unless the file asks for a reset.
    let out = apply(&hub, &changed, &[], &[env[0], env[1], ("ALICE_PASSWORD", "another long passphrase")]);
    assert_eq!(out.last().map(String::as_str), Some("0 created, 0 updated, 0 deleted, 4 unchanged"));
    let reset = changed.replace(
        "password = { env = \"ALICE_PASSWORD\" }",
        "password = { env = \"ALICE_PASSWORD\" }\nreset_password = true",
    );
    let out = apply(&hub, &reset, &[], &[env[0], env[1], ("ALICE_PASSWORD", "another long passphrase")]);
    assert_eq!(out[0], "updated user alice (password)");
}

#[tokio::test]
async fn a_secret_from_a_file_works_and_a_bad_file_is_refused_whole() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);

    let short = refused(
        &hub,
        &base_file(),
        &[("WIKI_SECRET", "too-short"), ("CORP_SECRET", CORP_SECRET), ("ALICE_PASSWORD", PASSWORD)],
    );
    assert!(short.starts_with("error: clients[0] (wiki): secret: must be at least 32 characters"), "{short}");
    let missing = refused(&hub, &base_file(), &[("CORP_SECRET", CORP_SECRET), ("ALICE_PASSWORD", PASSWORD)]);
    assert_eq!(missing, "error: clients[0] (wiki): secret: environment variable WIKI_SECRET is not set");
    let unknown =
        refused(&hub, &base_file().replace("skip_authorization = true", "skip_authorisation = true"), &secrets());
    assert!(unknown.contains("unknown field `skip_authorisation`"), "{unknown}");
    let group = refused(&hub, &base_file().replace("[\"admins\", \"staff\"]", "[\"admins\", \"editors\"]"), &secrets());
    assert_eq!(group, "error: users[0] (alice): groups[1]: no group editors exists or is declared");
    for path in ["/clients/wiki", "/social-login-keys/corp"] {
        assert_eq!(admin.get(path).await.status, StatusCode::NOT_FOUND, "nothing of a refused file is applied: {path}");
    }
    assert_eq!(admin.get("/users?search=alice").await.ok(StatusCode::OK)["total"], 0);

    let secret_file = write(&format!("{WIKI_SECRET}\n"));
    let from_file = base_file().replace(
        "secret = { env = \"WIKI_SECRET\" }",
        &format!("secret = {{ file = {:?} }}", secret_file.display().to_string()),
    );
    apply(&hub, &from_file, &[], &secrets()[1..]);
    token_with(&hub, WIKI_SECRET).await.expect("the secret from the file, without its newline");
}

#[tokio::test]
async fn dry_run_changes_nothing_and_prune_deletes_only_what_it_names() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    apply(&hub, &base_file(), &[], &secrets());
    hub.add_client(&["--client-id", "manual", "--name", "Manual", "--redirect-uri", REDIRECT]);
    let (ok, _, err) = hub.cli(&["group", "add", "extra"], None);
    assert!(ok, "{err}");

    // The file without the group and the user; it prunes clients and groups, not users.
    let pruning = format!(
        "{}\n[prune]\nclients = true\ngroups = true\n",
        base_file()
            .split("[[users]]")
            .next()
            .expect("base")
            .replace("[[groups]]\nname = \"staff\"\ndescription = \"Everyone on staff\"\n", "")
    );
    let before = audit_total(&admin).await;
    let out = apply(&hub, &pruning, &["--dry-run"], &secrets());
    assert_eq!(
        out,
        vec![
            "would delete client manual".to_owned(),
            "would delete group extra".to_owned(),
            "would delete group staff".to_owned(),
            "dry run: 0 to create, 0 to update, 3 to delete, 2 unchanged".to_owned(),
        ]
    );
    assert_eq!(audit_total(&admin).await, before, "a dry run writes nothing");
    assert_eq!(admin.get("/clients/manual").await.status, StatusCode::OK);

    let out = apply(&hub, &pruning, &[], &secrets());
    assert_eq!(out.last().map(String::as_str), Some("0 created, 0 updated, 3 deleted, 2 unchanged"));
    // The running hub caches clients for a few seconds (README, "Running in production").
    eventually("manual pruned", || async { admin.get("/clients/manual").await.status == StatusCode::NOT_FOUND }).await;
    assert_eq!(admin.get("/clients/wiki").await.status, StatusCode::OK, "a declared client stays");
    assert_eq!(admin.get("/clients/hub-admin").await.status, StatusCode::OK, "the admin UI's client is never pruned");
    let users = admin.get("/users?search=alice").await.ok(StatusCode::OK);
    assert_eq!(users["items"][0]["groups"], serde_json::json!(["admins"]), "users are not pruned; only the group went");
}

#[tokio::test]
async fn export_round_trips_without_secrets() {
    crate::backend();
    let hub = TestHub::spawn().await;
    // Made by hand, not by a file: the export must describe it all the same.
    let app = hub.add_client(&[
        "--client-id",
        "crm",
        "--name",
        "CRM",
        "--redirect-uri",
        REDIRECT,
        "--post-logout-redirect-uri",
        REDIRECT,
        "--grant-type",
        "authorization_code",
        "--grant-type",
        "refresh_token",
        "--id-token-alg",
        "ES256",
        "--backchannel-logout-uri",
        "http://127.0.0.1:9/logout",
        "--scope",
        "openid email crm.read",
    ]);
    hub.add_client(&["--client-id", "spa", "--name", "SPA", "--redirect-uri", REDIRECT, "--public"]);
    hub.add_user("bob", PASSWORD, &["--group", "editors", "--email", "bob@example.com", "--given-name", "Bob"]);
    hub.add_user("carol", PASSWORD, &[]);
    let key = write(
        "slug = \"gh\"\ndisplay_name = \"GitHub\"\nkind = \"github\"\nclient_id = \"abc\"\nclient_secret = \"s3cret-upstream\"\nenabled = true\n",
    );
    let (ok, _, err) = hub.cli(&["social-login-key", "add", key.to_str().expect("path")], None);
    assert!(ok, "{err}");

    let (ok, exported, err) = hub.cli(&["export"], None);
    assert!(ok, "{err}");
    assert!(exported.contains("client_id = \"crm\"") && exported.contains("username = \"bob\""), "{exported}");
    assert!(!exported.contains("carol"), "users in no group are not exported: {exported}");
    assert!(!exported.contains("hub-admin"), "the admin UI's client is the hub's: {exported}");
    let secret = app.client_secret.expect("secret");
    assert!(
        !exported.contains(&secret) && !exported.contains("s3cret-upstream") && !exported.contains("secret ="),
        "{exported}"
    );
    let out = apply(&hub, &exported, &[], &[]);
    assert_eq!(out, vec!["0 created, 0 updated, 0 deleted, 6 unchanged".to_owned()], "{exported}");

    let (ok, with_refs, err) = hub.cli(&["export", "--secret-refs"], None);
    assert!(ok, "{err}");
    assert!(with_refs.contains("secret = { env = \"HUB_SECRET_CRM\" }"), "{with_refs}");
    assert!(with_refs.contains("client_secret = { env = \"HUB_UPSTREAM_SECRET_GH\" }"), "{with_refs}");
    assert!(!with_refs.contains("HUB_SECRET_SPA"), "a public client has no secret: {with_refs}");
    let out =
        apply(&hub, &with_refs, &[], &[("HUB_SECRET_CRM", &secret), ("HUB_UPSTREAM_SECRET_GH", "s3cret-upstream")]);
    assert_eq!(out, vec!["0 created, 0 updated, 0 deleted, 6 unchanged".to_owned()], "the same secrets are no change");
}

#[tokio::test]
async fn hub_apply_file_is_applied_before_the_hub_listens() {
    crate::backend();
    let file = write(&base_file());
    let path = file.display().to_string();
    let hub = TestHub::spawn_with(&[
        ("HUB_APPLY_FILE", &path),
        ("CORP_SECRET", CORP_SECRET),
        ("ALICE_PASSWORD", PASSWORD),
        ("WIKI_SECRET", WIKI_SECRET),
    ])
    .await;
    let admin = AdminApi::new(&hub);
    assert_eq!(admin.get("/clients/wiki").await.ok(StatusCode::OK)["client_name"], "Wiki");
    token_with(&hub, WIKI_SECRET).await.expect("the declared secret, from the start");
    let events = admin.get("/audit-events?action=client.create").await.ok(StatusCode::OK);
    assert_eq!(events["items"][0]["detail"], "HUB_APPLY_FILE", "{events}");

    // A file the hub refuses stops the start with one line.
    let broken = write("[[clients]]\nclient_id = \"x\"\n");
    let data = std::env::temp_dir().join(format!("hub-apply-data-{}", uuid::Uuid::new_v4()));
    let output = std::process::Command::new(e2e::hub::hub_binary())
        .arg("serve")
        .env("HUB_APPLY_FILE", &broken)
        .env("HUB_DATA_DIR", &data)
        .env("HUB_LISTEN", "127.0.0.1:0")
        .env_remove("HUB_DATABASE_URL")
        .env_remove("HUB_REDIS_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("hub serve");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("HUB_APPLY_FILE") && errors[0].contains("client_name"), "{stderr}");
}
