//! The `hub` command line: bad configuration is one clear line and exit code 1; client and user commands validate their input.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use e2e::TestHub;
use e2e::hub::hub_binary;

use crate::code_flow::{PASSWORD, REDIRECT};

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `hub <args>` in a fresh directory with only `env` for settings; a run that does
/// not end within 20 s (a `serve` that accepted its configuration) is killed and fails.
fn run_in_empty_dir(env: &[(&str, &str)], args: &[&str]) -> (Run, PathBuf) {
    let dir = std::env::temp_dir().join(format!("hub-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = Command::new(hub_binary());
    for (name, _) in std::env::vars() {
        if name.starts_with("HUB_") {
            command.env_remove(name);
        }
    }
    let mut child = command
        .env("HUB_LISTEN", "127.0.0.1:0")
        .envs(env.iter().copied())
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hub");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hub {args:?} with {env:?} did not exit: the configuration was accepted");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (run, dir)
}

/// Exactly one line on stderr, `error: ...`, containing `expected`.
fn assert_one_error_line(stderr: &str, expected: &str, case: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{case}: one line, got {stderr:?}");
    assert!(lines[0].starts_with("error: "), "{case}: {stderr:?}");
    assert!(lines[0].contains(expected), "{case}: expected {expected:?} in {stderr:?}");
}

/// Settings, command line, and what the error line must say.
type ConfigCase<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

#[test]
fn bad_configuration_is_one_line_and_exit_code_1() {
    let cases: &[ConfigCase] = &[
        (&[("HUB_ISSUER", "not-a-url")], &["serve"], "HUB_ISSUER"),
        (&[("HUB_DATABASE_URL", "mysql://x")], &["serve"], "HUB_DATABASE_URL must start with sqlite: or postgres://"),
        (&[("HUB_ISSUER", "http://example.com")], &["serve"], "HUB_ISSUER must use https"),
        (&[("HUB_REDIS_URL", "http://127.0.0.1:6379")], &["serve"], "HUB_REDIS_URL"),
        (&[("HUB_ACCESS_TOKEN_TTL_SECS", "0")], &["serve"], "HUB_ACCESS_TOKEN_TTL_SECS must be greater than zero"),
        (&[("HUB_LOGIN_THROTTLE_PER_ACCOUNT", "many")], &["serve"], "HUB_LOGIN_THROTTLE_PER_ACCOUNT"),
        (&[("HUB_AUDIT_RETENTION_DAYS", "99999")], &["serve"], "HUB_AUDIT_RETENTION_DAYS must be at most 36500"),
        (&[], &["--config", "missing.toml", "serve"], "missing.toml does not exist"),
        // Operator commands read the same settings and fail the same way.
        (&[("HUB_ISSUER", "http://example.com")], &["client", "list"], "HUB_ISSUER must use https"),
    ];
    for (env, args, expected) in cases {
        let case = format!("{env:?} {args:?}");
        let (run, dir) = run_in_empty_dir(env, args);
        assert_eq!(run.code, Some(1), "{case}: {}", run.stderr);
        assert_one_error_line(&run.stderr, expected, &case);
        assert!(run.stdout.is_empty(), "{case}: {}", run.stdout);
        assert!(!dir.join("data").exists(), "{case}: nothing is created before the settings are valid");
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn a_bad_master_key_is_named_but_never_printed() {
    let key = "bm90LWEtMzItYnl0ZS1rZXktYnV0LXNlY3JldA";
    let (run, dir) = run_in_empty_dir(&[("HUB_MASTER_KEY", key)], &["serve"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_one_error_line(&run.stderr, "HUB_MASTER_KEY", "short master key");
    assert!(!run.stderr.contains(key), "the key must not be echoed: {}", run.stderr);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn secrets_can_come_from_files_but_not_from_both_places() {
    let dir = std::env::temp_dir().join(format!("hub-secret-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short-key");
    std::fs::write(&short, "c2hvcnQ=\n").unwrap();
    let short = short.to_str().unwrap();
    // The file's contents are the value: a short key is refused like HUB_MASTER_KEY's.
    let (run, work) = run_in_empty_dir(&[("HUB_MASTER_KEY_FILE", short)], &["serve"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_one_error_line(&run.stderr, "HUB_MASTER_KEY", "short key from a file");
    std::fs::remove_dir_all(work).ok();
    let cases: &[ConfigCase] = &[
        (
            &[("HUB_MASTER_KEY_FILE", "/nonexistent/key")],
            &["serve"],
            "HUB_MASTER_KEY_FILE: cannot read /nonexistent/key",
        ),
        (
            &[("HUB_ADMIN_TOKEN", "x"), ("HUB_ADMIN_TOKEN_FILE", short)],
            &["serve"],
            "set HUB_ADMIN_TOKEN or HUB_ADMIN_TOKEN_FILE, not both",
        ),
    ];
    for (env, args, expected) in cases {
        let (run, work) = run_in_empty_dir(env, args);
        assert_eq!(run.code, Some(1), "{env:?}: {}", run.stderr);
        assert_one_error_line(&run.stderr, expected, &format!("{env:?}"));
        std::fs::remove_dir_all(work).ok();
    }
    // A database URL from a file is used as if it had been set directly.
    let url_file = dir.join("database-url");
    let database = dir.join("from-file.db");
    std::fs::write(&url_file, format!("sqlite://{}?mode=rwc\n", database.display())).unwrap();
    let (run, work) = run_in_empty_dir(&[("HUB_DATABASE_URL_FILE", url_file.to_str().unwrap())], &["migrate"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(database.is_file(), "the database named in the file was created");
    std::fs::remove_dir_all(work).ok();
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn migrate_check_lists_what_is_pending_and_fails_until_migrated() {
    let dir = std::env::temp_dir().join(format!("hub-migrate-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.to_str().unwrap();
    let (before, work) = run_in_empty_dir(&[("HUB_DATA_DIR", data)], &["migrate", "--check"]);
    assert_eq!(before.code, Some(1), "{}", before.stderr);
    let pending: Vec<&str> = before.stdout.lines().collect();
    assert!(pending.len() >= 20, "every migration is pending on a new database: {pending:?}");
    assert!(pending.iter().all(|name| name.starts_with('m')), "{pending:?}");
    assert_one_error_line(&before.stderr, &format!("{} migration(s) pending", pending.len()), "check");
    std::fs::remove_dir_all(work).ok();

    let (migrated, work) = run_in_empty_dir(&[("HUB_DATA_DIR", data)], &["migrate"]);
    assert_eq!(migrated.code, Some(0), "{}", migrated.stderr);
    std::fs::remove_dir_all(work).ok();
    let (after, work) = run_in_empty_dir(&[("HUB_DATA_DIR", data)], &["migrate", "--check"]);
    assert_eq!(after.code, Some(0), "{}", after.stderr);
    assert_eq!(after.stdout, "", "nothing pending once migrated");
    std::fs::remove_dir_all(work).ok();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn healthcheck_follows_readiness() {
    let hub = TestHub::spawn().await;
    let ready = format!("{}/readyz", hub.issuer);
    let (run, work) = run_in_empty_dir(&[], &["healthcheck", "--url", &ready]);
    assert_eq!(run.code, Some(0), "a ready hub: {}", run.stderr);
    std::fs::remove_dir_all(work).ok();
    drop(hub);
    let (run, work) = run_in_empty_dir(&[], &["healthcheck", "--url", &ready]);
    assert_eq!(run.code, Some(1), "a hub that is gone");
    assert_one_error_line(&run.stderr, &ready, "gone");
    std::fs::remove_dir_all(work).ok();
}

/// A failed command on a test hub: one error line. The harness runs the hub with
/// `RUST_LOG=info`, so informational log lines (migrations checked) are set aside.
fn assert_fails_with_one_line(result: (bool, String, String), expected: &str, case: &str) {
    let (ok, stdout, stderr) = result;
    assert!(!ok, "{case} should fail: {stdout}");
    let not_info: Vec<&str> = stderr.lines().filter(|line| !line.contains("Z  INFO ")).collect();
    assert_one_error_line(&not_info.join("\n"), expected, case);
}

#[tokio::test]
async fn client_add_refuses_invalid_redirect_uris() {
    crate::backend();
    let hub = TestHub::spawn().await;
    for (uri, expected) in [
        ("http://app.example.com/callback", "must use https"),
        ("not a url", "is not an absolute URL"),
        ("https://app.example.com/callback#top", "must not contain a fragment"),
        ("javascript:alert(1)", "forbidden scheme"),
    ] {
        let result = hub.cli(&["client", "add", "--name", "Bad", "--redirect-uri", uri], None);
        assert_fails_with_one_line(result, expected, uri);
    }
    let result = hub.cli(
        &[
            "client",
            "add",
            "--name",
            "Bad",
            "--redirect-uri",
            REDIRECT,
            "--post-logout-redirect-uri",
            "http://x.example/",
        ],
        None,
    );
    assert_fails_with_one_line(result, "must use https", "post-logout redirect URI");

    let (ok, out, err) = hub.cli(&["client", "list"], None);
    assert!(ok, "{err}");
    assert!(!out.contains("\tBad\t"), "nothing was registered: {out}");
}

#[tokio::test]
async fn client_list_shows_a_created_client_without_its_secret() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let creds = hub.add_client(&[
        "--client-id",
        "team-wiki",
        "--name",
        "Team Wiki",
        "--redirect-uri",
        REDIRECT,
        "--auth-method",
        "client_secret_post",
    ]);
    assert_eq!(creds.client_id, "team-wiki");
    let secret = creds.client_secret.expect("a secret, printed once");

    let (ok, out, err) = hub.cli(&["client", "list"], None);
    assert!(ok, "{err}");
    let line = out.lines().find(|l| l.starts_with("team-wiki\t")).unwrap_or_else(|| panic!("listed: {out}"));
    assert_eq!(line, format!("team-wiki\tTeam Wiki\tclient_secret_post\t{REDIRECT}"));
    assert!(!out.contains(&secret), "the secret is shown only once");

    // The operator's change is in the audit log, without the secret.
    let events = e2e::AdminApi::new(&hub).get("/audit-events?actor=cli").await.ok(reqwest::StatusCode::OK);
    assert_eq!(events["items"][0]["action"], "client.create", "{events}");
    assert_eq!(events["items"][0]["client_id"], "team-wiki");
    assert!(!events.to_string().contains(&secret));

    // The client_id is taken now.
    let (ok, _, _) =
        hub.cli(&["client", "add", "--client-id", "team-wiki", "--name", "Again", "--redirect-uri", REDIRECT], None);
    assert!(!ok, "a duplicate client_id is refused");
}

#[tokio::test]
async fn user_add_refuses_a_short_password() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let result = hub.cli(&["user", "add", "bob"], Some("short\n"));
    assert_fails_with_one_line(result, "at least 8 characters", "short password");

    let (ok, out, err) = hub.cli(&["user", "list"], None);
    assert!(ok, "{err}");
    assert!(!out.contains("\tbob\t"), "no user was created: {out}");

    let bob = hub.add_user("bob", PASSWORD, &["--email", "bob@example.com"]);
    let (_, out, _) = hub.cli(&["user", "list"], None);
    assert!(out.lines().any(|l| l.starts_with(&format!("{bob}\tbob\tbob@example.com\tactive"))), "{out}");
}
