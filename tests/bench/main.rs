//! `hub-bench`: loads a running hub endpoint by endpoint and reports requests per second,
//! requests per server-CPU-second (the hub's CPU time from /proc/PID/stat, so the figure
//! holds on a shared machine) and p50/p99 latency. `tests/bench/run` starts the hub and
//! calls this; see docs/benchmarks.md.
//!
//! Peers measured in the same run, so ratios mean something on a noisy machine:
//! `serve-baseline` is a bare poem handler serving the same discovery bytes, and
//! `sign-baseline` is raw signing (RS256, ES256, Ed25519) with a parsed aws-lc key on one
//! core. `client-credentials` loads one more hub, started with another access-token
//! algorithm, with the client_credentials grant alone. `memory` reads the hub's RSS around
//! a burst of sign-ins.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod memory;
mod scale;

struct Args {
    values: HashMap<String, String>,
}

impl Args {
    fn parse() -> (String, Self) {
        let mut argv = std::env::args().skip(1);
        let command = argv.next().unwrap_or_default();
        let mut values = HashMap::new();
        while let Some(flag) = argv.next() {
            let value = argv.next().unwrap_or_default();
            values.insert(flag.trim_start_matches("--").to_owned(), value);
        }
        (command, Self { values })
    }

    fn get(&self, name: &str) -> Result<&str> {
        self.values.get(name).map(String::as_str).with_context(|| format!("--{name} is required"))
    }

    fn number(&self, name: &str, default: u64) -> u64 {
        self.values.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let (command, args) = Args::parse();
    match command.as_str() {
        "serve-baseline" => serve_baseline(&args).await,
        "sign-baseline" => sign_baseline(&args),
        "run" => run(&args).await,
        "client-credentials" => client_credentials_only(&args).await,
        "memory" => memory::memory(&args).await,
        "scale" => scale::scale(&args).await,
        _ => bail!("usage: hub-bench run|client-credentials|memory|scale|serve-baseline|sign-baseline --flag value …"),
    }
}

/// CPU seconds (user + system) the process has used so far.
fn cpu_seconds(pid: u32, ticks_per_second: f64) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = &stat[stat.rfind(')').context("stat format")? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: f64 = fields[11].parse()?;
    let stime: f64 = fields[12].parse()?;
    Ok((utime + stime) / ticks_per_second)
}

struct Measurement {
    name: String,
    connections: usize,
    ok: u64,
    errors: u64,
    wall: f64,
    server_cpu: f64,
    latencies_us: Vec<u32>,
}

impl Measurement {
    /// The latency below which `p` of the successful requests finished.
    fn percentile_ms(&mut self, p: f64) -> f64 {
        self.latencies_us.sort_unstable();
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us.get(i).map_or(0.0, |us| f64::from(*us) / 1000.0)
    }

    fn row(&mut self) -> String {
        let (p50, p99) = (self.percentile_ms(0.50), self.percentile_ms(0.99));
        format!(
            "| {} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            self.name,
            self.connections,
            self.ok as f64 / self.wall,
            self.ok as f64 / self.server_cpu.max(1e-9),
            self.server_cpu / self.wall,
            p50,
            p99,
            self.errors
        )
    }
}

/// Runs `request` from `connections` tasks, each with its own client (one keep-alive
/// connection), for `seconds`, and measures the server process `pid`.
async fn load<F, Fut>(
    name: &str,
    pid: u32,
    ticks: f64,
    connections: usize,
    seconds: u64,
    request: F,
) -> Result<Measurement>
where
    F: Fn(reqwest::Client, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Option<bool>> + Send,
{
    let cpu_before = cpu_seconds(pid, ticks)?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for task in 0..connections {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(1)
                .build()
                .unwrap_or_default();
            let (mut ok, mut errors, mut latencies) = (0u64, 0u64, Vec::with_capacity(100_000));
            while Instant::now() < deadline {
                let t = Instant::now();
                // None: the workload ran out of input (codes); stop this task.
                let Some(success) = request(client.clone(), task).await else { break };
                if success {
                    ok += 1;
                    latencies.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                } else {
                    errors += 1;
                }
            }
            (ok, errors, latencies)
        }));
    }
    let mut measurement = Measurement {
        name: name.to_owned(),
        connections,
        ok: 0,
        errors: 0,
        wall: 0.0,
        server_cpu: 0.0,
        latencies_us: Vec::new(),
    };
    for task in tasks {
        let (ok, errors, latencies) = task.await?;
        measurement.ok += ok;
        measurement.errors += errors;
        measurement.latencies_us.extend(latencies);
    }
    measurement.wall = started.elapsed().as_secs_f64();
    measurement.server_cpu = cpu_seconds(pid, ticks)? - cpu_before;
    Ok(measurement)
}

struct Hub {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect: String,
    username: String,
    password: String,
    scope: String,
}

impl Hub {
    /// The hub, its client and its user, as `--issuer`, `--client-id`, `--client-secret`,
    /// `--redirect-uri`, `--username` and `--password` name them.
    fn from_args(args: &Args) -> Result<Self> {
        Ok(Self {
            issuer: args.get("issuer")?.to_owned(),
            client_id: args.get("client-id")?.to_owned(),
            client_secret: args.get("client-secret")?.to_owned(),
            redirect: args.get("redirect-uri")?.to_owned(),
            username: args.get("username")?.to_owned(),
            password: args.get("password")?.to_owned(),
            scope: args.get("scope").unwrap_or("openid profile email").to_owned(),
        })
    }

    fn authorize_url(&self) -> String {
        let mut url = url::Url::parse(&format!("{}/authorize", self.issuer)).unwrap_or_else(|_| unreachable!());
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", &self.scope)
            .append_pair("state", "bench");
        url.into()
    }

    /// Signs in through the login form with a fresh cookie jar; returns the jar's client
    /// and the first code.
    async fn sign_in(&self) -> Result<(reqwest::Client, String)> {
        let browser =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
        let start = browser.get(self.authorize_url()).send().await?;
        let login_url = location(&start).context("authorize did not redirect to login")?;
        let login = browser.get(&login_url).send().await?.text().await?;
        let form = [
            ("csrf_token", input(&login, "csrf_token").context("csrf_token")?),
            ("interaction", input(&login, "interaction").context("interaction")?),
            ("username", self.username.clone()),
            ("password", self.password.clone()),
        ];
        let done = browser.post(format!("{}/login", self.issuer)).form(&form).send().await?;
        let code = code_from(&done).context("login did not return a code (is the client skip_authorization?)")?;
        Ok((browser, code))
    }

    /// A code from /authorize with the session `browser` signed in to (no password).
    async fn code(&self, browser: &reqwest::Client) -> Result<String> {
        let response = browser.get(self.authorize_url()).send().await?;
        code_from(&response).context("authorize with a session should return a code")
    }

    async fn exchange(&self, client: &reqwest::Client, code: &str) -> Result<serde_json::Value> {
        self.token(client, &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", &self.redirect)])
            .await
    }

    async fn refresh(&self, client: &reqwest::Client, refresh_token: &str) -> Result<serde_json::Value> {
        self.token(client, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
    }

    async fn token(&self, client: &reqwest::Client, form: &[(&str, &str)]) -> Result<serde_json::Value> {
        let response = client
            .post(format!("{}/token", self.issuer))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(form)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("token endpoint: {}", response.status());
        }
        Ok(response.json().await?)
    }
}

fn location(response: &reqwest::Response) -> Option<String> {
    response.headers().get("location")?.to_str().ok().map(str::to_owned)
}

fn code_from(response: &reqwest::Response) -> Option<String> {
    let url = url::Url::parse(&location(response)?).ok()?;
    url.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned())
}

fn input(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(html[at..at + html[at..].find('"')?].to_owned())
}

async fn run(args: &Args) -> Result<()> {
    let pid: u32 = args.get("pid")?.parse()?;
    let ticks = args.number("clk-tck", 100) as f64;
    let seconds = args.number("seconds", 10);
    let connections = args.number("connections", 32) as usize;
    let hub = Arc::new(Hub::from_args(args)?);
    let mut rows = Vec::new();

    if let (Ok(baseline), Ok(baseline_pid)) = (args.get("baseline"), args.get("baseline-pid")) {
        let url = format!("{baseline}/.well-known/openid-configuration");
        let mut m =
            load("bare poem handler (peer)", baseline_pid.parse()?, ticks, connections, seconds, move |c, _| {
                let url = url.clone();
                async move { Some(c.get(&url).send().await.is_ok_and(|r| r.status().is_success())) }
            })
            .await?;
        rows.push(m.row());
    }

    for (name, path) in [("discovery", "/.well-known/openid-configuration"), ("JWKS", "/jwks.json")] {
        let url = format!("{}{path}", hub.issuer);
        let mut m = load(name, pid, ticks, connections, seconds, move |c, _| {
            let url = url.clone();
            async move { Some(c.get(&url).send().await.is_ok_and(|r| r.status().is_success())) }
        })
        .await?;
        rows.push(m.row());
    }

    let alg = args.get("access-token-alg").unwrap_or("RS256");
    rows.push(client_credentials(&hub, alg, pid, ticks, connections, seconds).await?);

    // Codes for the exchange run: one sign-in, then /authorize with the session cookie
    // (no password hashing) as many times as the run can use.
    let (browser, first_code) = hub.sign_in().await?;
    let wanted = args.number("codes", 8000) as usize;
    let mut codes = vec![first_code];
    while codes.len() < wanted {
        codes.push(hub.code(&browser).await?);
    }
    let tokens = hub.exchange(&browser, &codes.pop().context("a code")?).await?;
    let access_token = tokens["access_token"].as_str().context("access_token")?.to_owned();
    let queue = Arc::new(Mutex::new(codes));
    let exchange_hub = hub.clone();
    let mut m = load("token: code exchange (ID + access token)", pid, ticks, connections, seconds, move |c, _| {
        let (queue, hub) = (queue.clone(), exchange_hub.clone());
        async move {
            let code = queue.lock().ok()?.pop()?;
            Some(hub.exchange(&c, &code).await.is_ok())
        }
    })
    .await?;
    rows.push(m.row());

    let userinfo_url = format!("{}/userinfo", hub.issuer);
    let mut m = load("userinfo (JWT access token)", pid, ticks, connections, seconds, move |c, _| {
        let (url, token) = (userinfo_url.clone(), access_token.clone());
        async move { Some(c.get(&url).bearer_auth(&token).send().await.is_ok_and(|r| r.status().is_success())) }
    })
    .await?;
    rows.push(m.row());

    let login_hub = hub.clone();
    let login_connections = args.number("login-connections", 4) as usize;
    let mut m = load(
        "full password login (authorize → login → token)",
        pid,
        ticks,
        login_connections,
        seconds,
        move |_, _| {
            let hub = login_hub.clone();
            async move {
                let Ok((browser, code)) = hub.sign_in().await else { return Some(false) };
                Some(hub.exchange(&browser, &code).await.is_ok())
            }
        },
    )
    .await?;
    rows.push(m.row());

    println!(
        "| workload | connections | requests/s | requests per server-CPU-second | server CPU cores busy | p50 ms | p99 ms | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

/// The client_credentials grant against a hub that signs access tokens with `alg`.
async fn client_credentials(
    hub: &Arc<Hub>,
    alg: &str,
    pid: u32,
    ticks: f64,
    connections: usize,
    seconds: u64,
) -> Result<String> {
    let token_url = format!("{}/token", hub.issuer);
    let cc_hub = hub.clone();
    let name = format!("token: client_credentials ({alg} JWT)");
    let mut m = load(&name, pid, ticks, connections, seconds, move |c, _| {
        let (url, hub) = (token_url.clone(), cc_hub.clone());
        async move {
            let sent = c
                .post(&url)
                .basic_auth(&hub.client_id, Some(&hub.client_secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            Some(sent.is_ok_and(|r| r.status().is_success()))
        }
    })
    .await?;
    Ok(m.row())
}

/// One table row: client_credentials against the hub at `--issuer`.
async fn client_credentials_only(args: &Args) -> Result<()> {
    let hub = Arc::new(Hub {
        issuer: args.get("issuer")?.to_owned(),
        client_id: args.get("client-id")?.to_owned(),
        client_secret: args.get("client-secret")?.to_owned(),
        redirect: String::new(),
        username: String::new(),
        password: String::new(),
        scope: String::new(),
    });
    let (pid, ticks) = (args.get("pid")?.parse()?, args.number("clk-tck", 100) as f64);
    let row = client_credentials(
        &hub,
        args.get("access-token-alg")?,
        pid,
        ticks,
        args.number("connections", 32) as usize,
        args.number("seconds", 10),
    )
    .await?;
    println!("{row}");
    Ok(())
}

/// A bare poem handler serving fixed bytes: the ceiling for discovery and JWKS here.
async fn serve_baseline(args: &Args) -> Result<()> {
    use poem::{Route, Server, get, handler, listener::TcpListener};
    #[handler]
    fn document() -> poem::Response {
        static BODY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let body = BODY.get_or_init(|| {
            let text = std::env::var("BASELINE_BODY").unwrap_or_else(|_| "{}".into());
            text.into_bytes()
        });
        poem::Response::builder().content_type("application/json").body(body.clone())
    }
    let app = Route::new().at("/.well-known/openid-configuration", get(document));
    Server::new(TcpListener::bind(args.get("listen")?.to_owned())).run(app).await?;
    Ok(())
}

/// Signatures per second on one core with a parsed aws-lc key, for each algorithm the
/// hub signs access tokens with: the ceiling for every endpoint that signs a token.
fn sign_baseline(args: &Args) -> Result<()> {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
    };
    let fail = |e: aws_lc_rs::error::Unspecified| anyhow::anyhow!("{e}");
    let seconds = args.number("seconds", 3) as f64;
    let message = [7u8; 400];
    let rng = SystemRandom::new();
    let rate = |sign: &mut dyn FnMut() -> Result<()>| -> Result<f64> {
        let started = Instant::now();
        let mut count = 0u64;
        while started.elapsed().as_secs_f64() < seconds {
            sign()?;
            count += 1;
        }
        Ok(count as f64 / started.elapsed().as_secs_f64())
    };
    let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).map_err(fail)?;
    let mut signature = vec![0u8; rsa.public_modulus_len()];
    let rs256 = rate(&mut || rsa.sign(&RSA_PKCS1_SHA256, &rng, &message, &mut signature).map_err(fail))?;
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(fail)?;
    let ecdsa =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let es256 = rate(&mut || ecdsa.sign(&rng, &message).map(|_| ()).map_err(fail))?;
    let der = Ed25519KeyPair::generate_pkcs8(&rng).map_err(fail)?;
    let ed25519 = Ed25519KeyPair::from_pkcs8(der.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let eddsa = rate(&mut || {
        std::hint::black_box(ed25519.sign(&message));
        Ok(())
    })?;
    println!(
        "Signatures per second on one core (aws-lc, parsed key): RS256-2048 {rs256:.0}, ES256 {es256:.0}, Ed25519 {eddsa:.0}"
    );
    Ok(())
}
