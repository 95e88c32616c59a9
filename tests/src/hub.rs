//! `TestHub`: one `hub serve` process per test, with its own data directory, or, when
//! `HUB_TEST_DATABASE_URL` / `HUB_TEST_REDIS_URL` are set, its own PostgreSQL database
//! and Redis key prefix. Operator commands run through the same binary and settings.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use sea_orm::{ConnectionTrait, Database};

/// Which production pieces this run uses, from the environment.
#[derive(Debug, Clone)]
pub struct Backend {
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
}

impl Backend {
    pub fn from_env() -> Self {
        Self {
            database_url: std::env::var("HUB_TEST_DATABASE_URL").ok().filter(|v| !v.is_empty()),
            redis_url: std::env::var("HUB_TEST_REDIS_URL").ok().filter(|v| !v.is_empty()),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} + {}",
            if self.database_url.is_some() { "PostgreSQL" } else { "SQLite" },
            if self.redis_url.is_some() { "Redis" } else { "in-process sessions" }
        )
    }
}

pub struct TestHub {
    pub issuer: String,
    child: Option<Child>,
    dir: PathBuf,
    env: Vec<(String, String)>,
    database: Option<(String, String)>,
    log: PathBuf,
    /// Where this process listens; the issuer's port unless this is a replica.
    pub listen_port: u16,
}

#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// The `hub` binary next to this test binary (target/<profile>/hub), or `HUB_BIN`.
pub fn hub_binary() -> PathBuf {
    if let Ok(path) = std::env::var("HUB_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let binary = profile_dir.join("hub");
    assert!(binary.exists(), "{} is missing: run `cargo build -p hub` first (tests/run does)", binary.display());
    binary
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl TestHub {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts a hub with extra `HUB_*` settings; an empty value unsets one.
    pub async fn spawn_with(settings: &[(&str, &str)]) -> Self {
        Self::spawn_at("127.0.0.1", settings).await
    }

    /// As `spawn_with`, its issuer on `host` (a loopback name): two hubs on different
    /// hosts keep their cookies apart in one browser, as on different domains.
    pub async fn spawn_at(host: &str, settings: &[(&str, &str)]) -> Self {
        Self::spawn_at_path(host, "", settings).await
    }

    /// As `spawn_with`, its issuer with a path (`/sso`), as behind a proxy that serves
    /// other things on the same host.
    pub async fn spawn_under(path: &str, settings: &[(&str, &str)]) -> Self {
        Self::spawn_at_path("127.0.0.1", path, settings).await
    }

    async fn spawn_at_path(host: &str, path: &str, settings: &[(&str, &str)]) -> Self {
        Self::spawn_with_issuer(|port| format!("http://{host}:{port}{path}"), settings).await
    }

    /// As `spawn_with`, its issuer what `issuer` makes of the port it listens on (an
    /// https issuer, as behind a TLS proxy, though the tests reach it over plain http).
    pub async fn spawn_with_issuer(issuer: impl FnOnce(u16) -> String, settings: &[(&str, &str)]) -> Self {
        let backend = Backend::from_env();
        let dir = std::env::temp_dir().join(format!("hub-e2e-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let port = free_port();
        let issuer = issuer(port);
        let mut env: Vec<(String, String)> = vec![
            ("HUB_ISSUER".into(), issuer.clone()),
            ("HUB_LISTEN".into(), format!("127.0.0.1:{port}")),
            ("HUB_DATA_DIR".into(), dir.join("data").display().to_string()),
            ("RUST_LOG".into(), "info".into()),
            ("HUB_ADMIN_TOKEN".into(), crate::admin::ADMIN_TOKEN.into()),
        ];
        let mut database = None;
        if let Some(base) = &backend.database_url {
            let name = format!("hub_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(base.as_str()).await.expect("connect to HUB_TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let url = database_url_with_name(base, &name);
            env.push(("HUB_DATABASE_URL".into(), url));
            let key = base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2));
            env.push(("HUB_MASTER_KEY".into(), key));
            database = Some((base.clone(), name));
        }
        if let Some(redis) = &backend.redis_url {
            env.push(("HUB_REDIS_URL".into(), redis.clone()));
            env.push(("HUB_REDIS_PREFIX".into(), format!("hub-test-{}:", uuid::Uuid::new_v4().simple())));
        }
        // An empty value leaves the setting unset.
        for (name, value) in settings {
            env.retain(|(existing, _)| existing != name);
            if !value.is_empty() {
                env.push(((*name).into(), (*value).into()));
            }
        }
        let log = dir.join("hub.log");
        let mut hub = Self { issuer, child: None, dir, env, database, log, listen_port: port };
        hub.start().await;
        hub
    }

    /// A second instance of the same hub: same issuer, database, Redis prefix and master
    /// key, listening on another port, as behind a load balancer. Only meaningful on
    /// PostgreSQL + Redis; the replica leaves the database to the original.
    pub async fn spawn_replica(&self) -> Self {
        let dir = std::env::temp_dir().join(format!("hub-e2e-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let port = free_port();
        let mut env = self.env.clone();
        env.retain(|(name, _)| name != "HUB_LISTEN" && name != "HUB_DATA_DIR");
        env.push(("HUB_LISTEN".into(), format!("127.0.0.1:{port}")));
        env.push(("HUB_DATA_DIR".into(), dir.join("data").display().to_string()));
        let log = dir.join("hub.log");
        let mut replica =
            Self { issuer: self.issuer.clone(), child: None, dir, env, database: None, log, listen_port: port };
        replica.start().await;
        replica
    }

    /// The value of a `HUB_*` setting this hub runs with.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.env.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The hub's data directory (SQLite file and master key in the embedded configuration).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// How many rows `table` of this hub's database holds, read behind the hub's back: for
    /// checking what the hub kept, where its answers cannot show it.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let url = match self.setting("HUB_DATABASE_URL") {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}?mode=ro", self.data_dir().join("hub.db").display()),
        };
        let db = Database::connect(url.as_str()).await.expect("connect to the hub's database");
        let statement =
            sea_orm::Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}"));
        let row = db.query_one_raw(statement).await.expect("count rows").expect("a row");
        db.close().await.ok();
        row.try_get::<i64>("", "n").expect("a count")
    }

    /// A URL of this process (for a replica, its own port rather than the issuer's).
    pub fn direct(&self, url: &str) -> String {
        let mut url = url::Url::parse(url).expect("URL");
        url.set_port(Some(self.listen_port)).expect("port");
        url.into()
    }

    fn command(&self) -> Command {
        let mut command = Command::new(hub_binary());
        for (name, _) in std::env::vars() {
            if name.starts_with("HUB_") {
                command.env_remove(name);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))).current_dir(&self.dir);
        command
    }

    async fn start(&mut self) {
        let log = std::fs::File::create(&self.log).expect("log file");
        let child = self.command().arg("serve").stdout(Stdio::null()).stderr(log).spawn().expect("spawn hub");
        self.child = Some(child);
        let http = reqwest::Client::new();
        let issuer_path = url::Url::parse(&self.issuer).map(|u| u.path().trim_end_matches('/').to_owned());
        let health = format!("http://127.0.0.1:{}{}/healthz", self.listen_port, issuer_path.unwrap_or_default());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("hub exited with {status} during start-up:\n{}", self.log_text());
            }
            if let Ok(response) = http.get(&health).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(Instant::now() < deadline, "hub did not start within 60 s:\n{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops and starts the hub on the same port, data and settings.
    pub async fn restart(&mut self) {
        self.stop();
        self.start().await;
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// Runs `hub <args>` against this hub's settings; returns (success, stdout, stderr).
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        self.cli_with_env(args, stdin, &[])
    }

    /// As `cli`, with more environment variables (say, one a command reads a secret from).
    pub fn cli_with_env(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (bool, String, String) {
        use std::io::Write;
        let mut child = self
            .command()
            .envs(env.iter().copied())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn hub cli");
        if let Some(input) = stdin {
            child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        }
        drop(child.stdin.take());
        let output = child.wait_with_output().expect("hub cli");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// `hub user add` with a password; returns the user's id (the `sub`).
    pub fn add_user(&self, username: &str, password: &str, extra: &[&str]) -> String {
        let mut args = vec!["user", "add", username];
        args.extend_from_slice(extra);
        let (ok, out, err) = self.cli(&args, Some(&format!("{password}\n")));
        assert!(ok, "user add failed: {err}");
        out.trim().to_owned()
    }

    /// `hub client add --json`; returns the credentials printed once.
    pub fn add_client(&self, extra: &[&str]) -> ClientCredentials {
        let mut args = vec!["client", "add", "--json"];
        args.extend_from_slice(extra);
        let (ok, out, err) = self.cli(&args, None);
        assert!(ok, "client add failed: {err}");
        let json: serde_json::Value = serde_json::from_str(out.trim()).expect("client add prints JSON");
        ClientCredentials {
            client_id: json["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: json["client_secret"].as_str().map(str::to_owned),
        }
    }
}

fn database_url_with_name(base: &str, name: &str) -> String {
    let mut url = url::Url::parse(base).expect("HUB_TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

impl Drop for TestHub {
    fn drop(&mut self) {
        self.stop();
        if let Some((base, name)) = self.database.take() {
            // Drop cannot await; a short-lived runtime on its own thread removes the database.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(base.as_str()).await {
                        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    }
                });
            })
            .join();
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("hub log kept at {}", self.log.display());
        }
    }
}
