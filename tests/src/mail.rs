//! A real SMTP server for the e-mail tests: aiosmtpd (PyPI, in `tests/mail/.venv`, which
//! `tests/run` sets up) on a free loopback port, through `tests/mail/sink.py`, which writes
//! each message it receives, decoded, as a JSON line the test reads.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub content_type: String,
}

impl Received {
    /// The first link to the hub's e-mailed-link page in the message.
    pub fn link(&self) -> String {
        let start = self.body.find("http").unwrap_or_else(|| panic!("no link in the message: {}", self.body));
        let link: String = self.body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        assert!(link.contains("/account/"), "not a link of the hub's: {link}");
        link
    }
}

pub struct MailSink {
    pub port: u16,
    file: PathBuf,
    child: Child,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl MailSink {
    pub fn start() -> Self {
        let python = manifest_dir().join("mail/.venv/bin/python");
        assert!(python.exists(), "aiosmtpd is missing: run tests/run (it sets up tests/mail/.venv)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let file = std::env::temp_dir().join(format!("hub-mail-{}.jsonl", uuid::Uuid::new_v4()));
        let child = Command::new(python)
            .arg(manifest_dir().join("mail/sink.py"))
            .args([port.to_string(), file.display().to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("the SMTP sink starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP sink did not listen within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { port, file, child }
    }

    /// The hub's settings that send its mail here.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HUB_SMTP_HOST", "127.0.0.1".to_owned()),
            ("HUB_SMTP_PORT", self.port.to_string()),
            ("HUB_SMTP_TLS", "none".to_owned()),
            ("HUB_SMTP_FROM", "Hub <hub@example.test>".to_owned()),
        ]
    }

    pub fn received(&self) -> Vec<Received> {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        text.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
    }

    /// Waits (up to 10 s) for the `n`-th message to `to` (counting from 1), and answers it.
    pub async fn wait_for(&self, to: &str, n: usize) -> Received {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mine: Vec<Received> = self.received().into_iter().filter(|m| m.to == to).collect();
            if mine.len() >= n {
                return mine[n - 1].clone();
            }
            assert!(Instant::now() < deadline, "no message {n} to {to} within 10 s; got {:?}", self.received());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The messages to `to` so far.
    pub fn to(&self, to: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.to == to).collect()
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.file);
    }
}
