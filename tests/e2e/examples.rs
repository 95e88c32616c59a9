//! The example apps (examples/*), each started as its guide says against a fresh hub, and
//! signed in, read and signed out through the hub's pages in Chromium
//! (tests/browser/example-app.mjs), so no guide can drift from what works. Each keeps the
//! contract of examples/README.md: `/` shows who is signed in, the e-mail, and `API:
//! <sub>` from the app's own API, which validated the access token; "Log out" ends at the
//! hub's end-session endpoint and comes back signed out. Apps that receive back-channel
//! logout are also signed out by ending the hub session from the admin API.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use e2e::TestHub;
use e2e::admin::AdminApi;
use reqwest::StatusCode;
use serde_json::Value;

const PASSWORD: &str = crate::code_flow::PASSWORD;

/// How one example runs, and how its client is registered.
struct Example {
    folder: &'static str,
    /// The program, run in the example's folder: a path relative to it (a virtualenv's
    /// Python, `node`), or `None` for the workspace's own binary named after the folder.
    program: Option<&'static str>,
    args: &'static [&'static str],
    /// Paths of its redirect URIs.
    redirect_paths: &'static [&'static str],
    /// `hub client add` flags beyond its name and URIs.
    client_flags: &'static [&'static str],
    /// Its `backchannel_logout_uri` path, where it receives logout tokens.
    backchannel_path: Option<&'static str>,
    /// What the signed-in page names the user by: alice's username or e-mail.
    signed_in_as: &'static str,
}

impl Example {
    fn dir(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(self.folder)
    }
}

/// A running example app, stopped when dropped.
struct App {
    url: String,
    child: Child,
    log: PathBuf,
}

impl App {
    async fn start(example: &Example, hub: &TestHub, client_id: &str, secret: Option<&str>, port: u16) -> Self {
        let dir = example.dir();
        let program = match example.program {
            Some(program) if program.contains('/') => dir.join(program),
            Some(program) => PathBuf::from(program),
            None => e2e::hub::hub_binary().with_file_name(format!("example-{}", example.folder)),
        };
        assert!(
            !program.is_absolute() || program.exists(),
            "{} is missing: tests/run sets up the examples (see {}/README.md)",
            program.display(),
            dir.display()
        );
        let log = std::env::temp_dir().join(format!("example-{}-{port}.log", example.folder));
        let output = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new(&program);
        command
            .args(example.args)
            .current_dir(&dir)
            .env("HUB_ISSUER", &hub.issuer)
            .env("APP_CLIENT_ID", client_id)
            .env("APP_PORT", port.to_string())
            // Where an app keeps a database of its own (Django's), one per run.
            .env("APP_DB", std::env::temp_dir().join(format!("example-{}-{port}.sqlite3", example.folder)))
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("log file"))
            .stderr(output);
        if let Some(secret) = secret {
            command.env("APP_CLIENT_SECRET", secret);
        }
        let child = command.spawn().unwrap_or_else(|e| panic!("{} does not start: {e}", program.display()));
        let mut app = Self { url: format!("http://127.0.0.1:{port}/"), child, log };
        app.wait_until_listening().await;
        app
    }

    async fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the example exited with {status}:\n{}", self.log_text());
            }
            if reqwest::get(&self.url).await.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            assert!(Instant::now() < deadline, "the example did not answer within 60 s:\n{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A hub with alice, an example app registered as its guide says and running.
async fn start(example: &Example) -> (TestHub, String, App) {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user(
        "alice",
        PASSWORD,
        &[
            "--email",
            "alice@example.com",
            "--email-verified",
            "--name",
            "Alice Liddell",
            "--given-name",
            "Alice",
            "--family-name",
            "Liddell",
        ],
    );
    let port = free_port();
    let app_url = format!("http://127.0.0.1:{port}");
    let mut flags: Vec<String> = vec!["--name".into(), format!("{} example", example.folder)];
    for path in example.redirect_paths {
        flags.extend(["--redirect-uri".into(), format!("{app_url}{path}")]);
    }
    flags.extend(["--post-logout-redirect-uri".into(), format!("{app_url}/")]);
    if let Some(path) = example.backchannel_path {
        flags.extend(["--backchannel-logout-uri".into(), format!("{app_url}{path}")]);
    }
    flags.extend(example.client_flags.iter().map(|flag| (*flag).to_owned()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let client = hub.add_client(&flags);
    let app = App::start(example, &hub, &client.client_id, client.client_secret.as_deref(), port).await;
    (hub, alice, app)
}

fn driver(app: &App, steps: &[&str], wait: bool) -> Command {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(dir.join("node_modules/playwright-core").exists(), "playwright-core is not installed: run tests/run");
    let mut command = Command::new("node");
    command.current_dir(dir).args(["example-app.mjs", &app.url, "alice", PASSWORD]);
    for step in steps {
        command.args(["--step", step]);
    }
    if wait {
        command.arg("--wait");
    }
    command
}

/// The signed-in page names alice, her e-mail, and her `sub` as the app's API saw it.
fn assert_signed_in(page: &str, example: &Example, alice: &str) {
    assert!(page.contains(&format!("Signed in as {}", example.signed_in_as)), "{page}");
    assert!(page.contains("alice@example.com"), "{page}");
    assert!(page.contains(&format!("API: {alice}")), "the app's API accepted the access token:\n{page}");
}

/// alice's live hub sessions.
async fn hub_sessions(hub: &TestHub, alice: &str) -> Vec<Value> {
    let page = AdminApi::new(hub).get(&format!("/sessions?user_id={alice}")).await.ok(StatusCode::OK);
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Signs in, runs `steps`, logs out through the hub: returns the driver's report.
async fn signs_in_and_out(example: &Example, steps: &[&str]) -> Value {
    let (hub, alice, app) = start(example).await;
    let mut command = driver(&app, steps, false);
    let output = tokio::task::spawn_blocking(move || command.output().expect("node runs")).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}\napp log:\n{}\nhub log:\n{}", app.log_text(), hub.log_text());
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON line from the driver");
    assert_signed_in(report["signed_in"].as_str().unwrap_or_default(), example, &alice);
    assert!(hub_sessions(&hub, &alice).await.is_empty(), "logging out ended the hub session too");
    report
}

/// Signs in, then ends alice's hub session from the admin API: the hub's logout token
/// signs her out of the app too.
async fn back_channel_logout_signs_out(example: &Example) {
    let (hub, alice, app) = start(example).await;
    let mut node = driver(&app, &[], true)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(node.stdout.take().expect("piped")).lines();
    let first = tokio::task::spawn_blocking(move || (lines.next(), lines)).await.unwrap();
    let (signed_in, mut lines) = first;
    let Some(Ok(signed_in)) = signed_in else {
        let output = node.wait_with_output().expect("node ends");
        panic!(
            "no sign-in:\n{}\napp log:\n{}\nhub log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            app.log_text(),
            hub.log_text()
        );
    };
    let signed_in: Value = serde_json::from_str(&signed_in).expect("JSON");
    assert_signed_in(signed_in["signed_in"].as_str().unwrap_or_default(), example, &alice);

    let sessions = hub_sessions(&hub, &alice).await;
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let sid = sessions[0]["sid"].as_str().expect("sid");
    let ended = AdminApi::new(&hub).delete(&format!("/sessions/{sid}")).await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    // Delivery runs in the background: give the logout token a moment to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    writeln!(node.stdin.as_mut().expect("piped"), "go").expect("signal the driver");
    let report = tokio::task::spawn_blocking(move || lines.next()).await.unwrap();
    let output = tokio::task::spawn_blocking(move || node.wait_with_output()).await.unwrap().expect("node ends");
    assert!(
        output.status.success(),
        "{}\napp log:\n{}\nhub log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        app.log_text(),
        hub.log_text()
    );
    let report: Value = serde_json::from_str(&report.expect("a report").expect("a line")).expect("JSON");
    assert!(report["signed_out"].as_str().is_some_and(|page| page.contains("Log in")), "{report}");
}

const RUST: Example = Example {
    folder: "rust-openidconnect",
    program: None,
    args: &[],
    redirect_paths: &["/callback"],
    client_flags: &["--skip-authorization"],
    backchannel_path: Some("/backchannel-logout"),
    signed_in_as: "alice",
};

const NODE: Example = Example {
    folder: "node-openid-client",
    program: Some("node"),
    args: &["app.mjs"],
    redirect_paths: &["/callback"],
    client_flags: &["--skip-authorization"],
    backchannel_path: Some("/backchannel-logout"),
    signed_in_as: "alice",
};

const SPA: Example = Example {
    folder: "spa-oidc-client-ts",
    program: Some("node"),
    args: &["server.mjs"],
    redirect_paths: &["/callback", "/silent-renew.html"],
    // A consent page on the way, as most browser apps are third-party ones.
    client_flags: &["--public"],
    backchannel_path: None,
    signed_in_as: "alice",
};

/// Flask-OIDC authenticates with the same method at the token endpoint and at the
/// introspection endpoint its `accept_token` calls: client_secret_post here.
const FLASK: Example = Example {
    folder: "flask-oidc",
    program: Some(".venv/bin/python"),
    args: &["app.py"],
    redirect_paths: &["/oidc/authorize"],
    client_flags: &["--auth-method", "client_secret_post", "--skip-authorization"],
    backchannel_path: Some("/backchannel-logout"),
    signed_in_as: "alice",
};

/// Django's own tables are created first; gunicorn serves it (with threads: `/` calls the
/// app's own API).
const DJANGO: Example = Example {
    folder: "django",
    program: Some("sh"),
    args: &["-c", ".venv/bin/python manage.py migrate --noinput -v0 && exec .venv/bin/gunicorn -c gunicorn.conf.py"],
    redirect_paths: &["/oidc/callback/"],
    client_flags: &["--skip-authorization"],
    backchannel_path: Some("/backchannel-logout"),
    signed_in_as: "alice",
};

/// A Frappe app server's social login (rauth, Frappe's "frappe" preset): its user is
/// the e-mail address, and it keeps its own session when the hub's ends.
const FRAPPE: Example = Example {
    folder: "frappe",
    program: Some(".venv/bin/python"),
    args: &["app.py"],
    redirect_paths: &["/api/method/frappe.www.login.login_via_frappe"],
    client_flags: &["--auth-method", "client_secret_post", "--id-token-alg", "HS256"],
    backchannel_path: None,
    signed_in_as: "alice@example.com",
};

#[tokio::test]
async fn rust_openidconnect_signs_in_reads_the_user_and_signs_out() {
    signs_in_and_out(&RUST, &[]).await;
}

#[tokio::test]
async fn rust_openidconnect_is_signed_out_by_the_hubs_back_channel() {
    back_channel_logout_signs_out(&RUST).await;
}

#[tokio::test]
async fn node_openid_client_signs_in_reads_the_user_and_signs_out() {
    signs_in_and_out(&NODE, &[]).await;
}

#[tokio::test]
async fn node_openid_client_is_signed_out_by_the_hubs_back_channel() {
    back_channel_logout_signs_out(&NODE).await;
}

#[tokio::test]
async fn flask_oidc_signs_in_reads_the_user_and_signs_out() {
    signs_in_and_out(&FLASK, &[]).await;
}

#[tokio::test]
async fn flask_oidc_is_signed_out_by_the_hubs_back_channel() {
    back_channel_logout_signs_out(&FLASK).await;
}

#[tokio::test]
async fn django_mozilla_django_oidc_signs_in_reads_the_user_and_signs_out() {
    signs_in_and_out(&DJANGO, &[]).await;
}

#[tokio::test]
async fn django_mozilla_django_oidc_is_signed_out_by_the_hubs_back_channel() {
    back_channel_logout_signs_out(&DJANGO).await;
}

#[tokio::test]
async fn spa_oidc_client_ts_signs_in_renews_silently_both_ways_and_signs_out() {
    let report = signs_in_and_out(
        &SPA,
        &["Renew session=>Renewed with the refresh token", "Renew in an iframe=>Renewed in an iframe"],
    )
    .await;
    assert_eq!(report["steps"].as_array().map(Vec::len), Some(2), "{report}");
}

#[tokio::test]
async fn frappe_app_server_signs_in_through_rauth_with_frappes_paths_and_state() {
    signs_in_and_out(&FRAPPE, &[]).await;
}
