//! Redis and PostgreSQL instances of a test's own, on free ports, which it can stop and
//! start again (outages). Debian's `redis-server`; PostgreSQL's own binaries, run as the
//! `postgres` user (it refuses root) with `runuser` when the tests run as root.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stop(child: &mut Option<Child>) {
    if let Some(mut child) = child.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

pub struct OwnRedis {
    pub port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    /// `None` (the caller skips, saying so) where Debian's redis-server is not installed.
    pub fn start() -> Option<Self> {
        Path::new("/usr/bin/redis-server").exists().then(|| {
            let mut redis = Self { port: free_port(), child: None };
            redis.start_again();
            redis
        })
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Killed at once, as a crash or a network partition looks to its clients.
    pub fn stop(&mut self) {
        stop(&mut self.child);
    }

    pub fn start_again(&mut self) {
        let child = Command::new("/usr/bin/redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        wait_for_port(self.port, "redis-server");
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

pub struct OwnPostgres {
    pub port: u16,
    bin: PathBuf,
    dir: PathBuf,
    child: Option<Child>,
}

impl OwnPostgres {
    /// `None` (the caller skips, saying so) without PostgreSQL's server binaries, or as
    /// root without a `postgres` user to run them.
    pub fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|v| v.path().join("bin")).next()?;
        if !bin.join("initdb").exists() {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("hub-e2e-pg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("data dir");
        let status = Command::new("chown").args(["postgres:postgres", &dir.display().to_string()]).status().ok()?;
        if !status.success() {
            return None;
        }
        let mut postgres = Self { port: free_port(), bin, dir, child: None };
        let initdb = postgres
            .as_postgres(&postgres.bin.join("initdb"))
            .args(["-D", &postgres.data(), "-U", "postgres", "--auth=trust", "--no-sync"])
            .stdout(Stdio::null())
            .status()
            .ok()?;
        assert!(initdb.success(), "initdb failed");
        postgres.start_again();
        Some(postgres)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn as_postgres(&self, program: &Path) -> Command {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Killed at once: every connection breaks, new ones are refused.
    pub fn stop(&mut self) {
        stop(&mut self.child);
        // runuser's child is the postmaster: end it too, and wait until the port is free.
        let _ = Command::new("pkill").args(["-KILL", "-f", &format!("bin/postgres -D {}", self.data())]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn start_again(&mut self) {
        let _ = std::fs::remove_file(self.dir.join("data/postmaster.pid"));
        let child = self
            .as_postgres(&self.bin.join("postgres"))
            .args(["-D", &self.data(), "-p", &self.port.to_string(), "-k", &self.dir.display().to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("postgres starts");
        self.child = Some(child);
        wait_for_port(self.port, "postgres");
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis primary, one replica and three sentinels watching them (Redis's own
/// `--sentinel` mode of Debian's redis-server), on free ports: Redis as a highly available
/// deployment runs it, for failover tests.
pub struct OwnSentinels {
    pub primary: u16,
    pub replica: u16,
    pub sentinels: Vec<u16>,
    dir: PathBuf,
    children: Vec<(u16, Child)>,
}

/// The name the sentinels know the primary by.
pub const SENTINEL_MASTER: &str = "hubprimary";

impl OwnSentinels {
    /// `None` (the caller skips, saying so) where redis-server or redis-cli is missing.
    pub fn start() -> Option<Self> {
        if !Path::new("/usr/bin/redis-server").exists() || !Path::new("/usr/bin/redis-cli").exists() {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("hub-e2e-sentinel-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("sentinel dir");
        let mut set =
            Self { primary: free_port(), replica: free_port(), sentinels: Vec::new(), dir, children: Vec::new() };
        set.redis(set.primary, &[]);
        let primary = set.primary.to_string();
        set.redis(set.replica, &["--replicaof", "127.0.0.1", &primary]);
        for index in 0..3 {
            let port = free_port();
            let config = set.dir.join(format!("sentinel-{index}.conf"));
            let text = format!(
                "port {port}\nbind 127.0.0.1\ndir {dir}\n\
                 sentinel monitor {SENTINEL_MASTER} 127.0.0.1 {primary} 2\n\
                 sentinel down-after-milliseconds {SENTINEL_MASTER} 1000\n\
                 sentinel failover-timeout {SENTINEL_MASTER} 5000\n",
                dir = set.dir.display()
            );
            std::fs::write(&config, text).expect("sentinel config");
            let child = Command::new("/usr/bin/redis-server")
                .arg(&config)
                .arg("--sentinel")
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server --sentinel starts");
            set.children.push((port, child));
            wait_for_port(port, "redis sentinel");
            set.sentinels.push(port);
        }
        set.wait_until(Duration::from_secs(30), "the sentinels know the replica", |set| {
            set.sentinel_says(&["SENTINEL", "replicas", SENTINEL_MASTER]).contains(&set.replica.to_string())
        });
        Some(set)
    }

    fn redis(&mut self, port: u16, extra: &[&str]) {
        let child = Command::new("/usr/bin/redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--dir", &self.dir.display().to_string()])
            // A replica's first sync starts at once, not after the default 5 s wait for others.
            .args(["--repl-diskless-sync-delay", "0"])
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.children.push((port, child));
        wait_for_port(port, "redis-server");
    }

    /// `redis+sentinel://` naming all three sentinels.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self.sentinels.iter().map(|port| format!("127.0.0.1:{port}")).collect();
        format!("redis+sentinel://{}/{SENTINEL_MASTER}", hosts.join(","))
    }

    /// What `redis-cli` prints for `args` against the node at `port`.
    pub fn cli(port: u16, args: &[&str]) -> String {
        let output = Command::new("/usr/bin/redis-cli")
            .args(["-p", &port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The first sentinel's answer to `args`.
    pub fn sentinel_says(&self, args: &[&str]) -> String {
        Self::cli(self.sentinels[0], args)
    }

    /// The port the sentinels name as the primary now.
    pub fn primary_now(&self) -> Option<u16> {
        let answer = self.sentinel_says(&["SENTINEL", "get-master-addr-by-name", SENTINEL_MASTER]);
        answer.lines().nth(1)?.trim().parse().ok()
    }

    /// Kills the primary at once, as a crash looks to its clients and the sentinels.
    pub fn kill_primary(&mut self) {
        let primary = self.primary;
        if let Some(index) = self.children.iter().position(|(port, _)| *port == primary) {
            let (_, mut child) = self.children.remove(index);
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn wait_until(&self, limit: Duration, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + limit;
        while !done(self) {
            assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for OwnSentinels {
    fn drop(&mut self) {
        for (_, mut child) in self.children.drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
