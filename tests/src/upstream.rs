//! A real upstream OpenID Provider for the federation tests: npm's `oidc-provider`
//! (`tests/upstream/oidc-provider/provider.mjs`), started on a free port with one client,
//! the hub, and stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct OidcProvider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    child: Child,
}

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("upstream/oidc-provider")
}

impl OidcProvider {
    /// Starts the provider with a confidential client whose only redirect URI is `redirect_uri`.
    pub fn start(redirect_uri: &str) -> Self {
        Self::start_with(redirect_uri, None)
    }

    /// As `start`, the client also registered for back-channel logout at `backchannel_logout_uri`
    /// (so ID tokens and logout tokens carry `sid`).
    pub fn start_with(redirect_uri: &str, backchannel_logout_uri: Option<&str>) -> Self {
        Self::start_signing(redirect_uri, backchannel_logout_uri, "RS256")
    }

    /// As `start_with`, the client's ID tokens signed with `alg` (`HS256`: keyed with the
    /// client secret).
    pub fn start_signing(redirect_uri: &str, backchannel_logout_uri: Option<&str>, alg: &str) -> Self {
        let dir = script_dir();
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "oidc-provider is not installed: run tests/run (it runs `npm ci` in {})",
            dir.display()
        );
        // Node has been seen, rarely, to hang before it listens: a second try on another
        // port then starts at once, where waiting would hang the whole run.
        for _ in 0..3 {
            if let Some(provider) = Self::try_start(&dir, redirect_uri, backchannel_logout_uri, alg) {
                return provider;
            }
        }
        panic!("oidc-provider did not start in three tries of 30 s");
    }

    fn try_start(dir: &Path, redirect_uri: &str, backchannel_logout_uri: Option<&str>, alg: &str) -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let (client_id, client_secret) =
            ("hub".to_owned(), format!("upstream-secret-{}", uuid::Uuid::new_v4().simple()));
        let port_text = port.to_string();
        let mut args = vec!["provider.mjs", &port_text, &client_id, &client_secret, redirect_uri];
        args.extend(backchannel_logout_uri);
        let mut child = Command::new("node")
            .current_dir(dir)
            .env("ID_TOKEN_ALG", alg)
            .args(&args)
            .stdout(Stdio::piped())
            // Its warnings and errors, for a failing test to show.
            .stderr(
                std::fs::File::create(std::env::temp_dir().join(format!("oidc-provider-{port}.log")))
                    .map_or_else(|_| Stdio::null(), Stdio::from),
            )
            .spawn()
            .expect("node runs");
        // Read on a thread of its own, so the wait can end; keep reading after the start:
        // the provider prints notices later, and a closed pipe would kill it.
        let stdout = child.stdout.take().expect("stdout");
        let (lines, printed) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match printed.recv_timeout(left) {
                Ok(line) if line.starts_with("ready ") => {
                    let issuer = line["ready ".len()..].to_owned();
                    return Some(Self { issuer, client_id, client_secret, child });
                }
                Ok(_) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("oidc-provider exited during start-up: {:?}", child.try_wait())
                }
            }
        }
    }
}

impl OidcProvider {
    /// Merges `claims` over the account's defaults (its next sign-in shows them).
    pub async fn set_account(&self, username: &str, claims: serde_json::Value) {
        self.control(&format!("/__test/accounts/{username}"), claims).await;
    }

    /// Makes the token endpoint misbehave (see provider.mjs); `none` restores it.
    pub async fn set_fault(&self, mode: &str, claims: serde_json::Value) {
        self.control("/__test/fault", serde_json::json!({ "mode": mode, "claims": claims })).await;
    }

    /// A logout token for the hub, signed with the provider's published key (or, with
    /// `published` false, one it never publishes), `claims` merged over the standard ones.
    pub async fn logout_token(&self, claims: serde_json::Value, published: bool) -> String {
        let key = if published { "published" } else { "unpublished" };
        let response = reqwest::Client::new()
            .post(format!("{}/__test/logout-token", self.issuer))
            .json(&serde_json::json!({ "claims": claims, "key": key }))
            .send()
            .await
            .expect("oidc-provider answers");
        response.text().await.expect("a logout token")
    }

    async fn control(&self, path: &str, body: serde_json::Value) {
        let response = reqwest::Client::new()
            .put(format!("{}{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("oidc-provider answers");
        assert_eq!(response.status().as_u16(), 204, "oidc-provider test control {path}");
    }

    /// Stops the provider, as an upstream that went down.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
