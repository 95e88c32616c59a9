//! A real upstream OpenID Provider for the federation tests: npm's `oidc-provider`
//! (`tests/upstream/oidc-provider/provider.mjs`), started on a free port with one client,
//! the hub, and stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
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
        let dir = script_dir();
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "oidc-provider is not installed: run tests/run (it runs `npm ci` in {})",
            dir.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let (client_id, client_secret) =
            ("hub".to_owned(), format!("upstream-secret-{}", uuid::Uuid::new_v4().simple()));
        let mut child = Command::new("node")
            .current_dir(&dir)
            .args(["provider.mjs", &port.to_string(), &client_id, &client_secret, redirect_uri])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().expect("stdout");
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut lines = BufReader::new(stdout).lines();
        let issuer = loop {
            assert!(Instant::now() < deadline, "oidc-provider did not start within 30 s");
            match lines.next() {
                Some(Ok(line)) if line.starts_with("ready ") => break line["ready ".len()..].to_owned(),
                Some(Ok(_)) => continue,
                _ => panic!("oidc-provider exited during start-up: {:?}", child.try_wait()),
            }
        };
        Self { issuer, client_id, client_secret, child }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
