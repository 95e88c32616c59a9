//! `hub-bench scale`: the per-request cost of the paths that touch the big tables (users,
//! refresh tokens, audit events) and of the admin lists and searches over them.
//! `tests/bench/scale` runs it against an empty PostgreSQL database, seeds it, runs it
//! again, and this prints the two side by side (docs/benchmarks.md, "Cost as data grows").

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::{Args, Hub, Measurement, load};

/// One workload's figures, saved by the empty run and read back by the seeded one.
#[derive(Debug, Serialize, Deserialize)]
struct Figures {
    name: String,
    requests_per_second: f64,
    /// Milliseconds of the hub's CPU per request: the cost that data must not grow.
    cpu_ms_per_request: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

impl Figures {
    fn of(m: &mut Measurement) -> Self {
        Self {
            name: m.name.clone(),
            requests_per_second: m.ok as f64 / m.wall,
            cpu_ms_per_request: 1000.0 * m.server_cpu / (m.ok.max(1) as f64),
            p50_ms: m.percentile_ms(0.50),
            p99_ms: m.percentile_ms(0.99),
            errors: m.errors,
        }
    }
}

pub async fn scale(args: &Args) -> Result<()> {
    let pid: u32 = args.get("pid")?.parse()?;
    let ticks = args.number("clk-tck", 100) as f64;
    let seconds = args.number("seconds", 5);
    let connections = args.number("connections", 16) as usize;
    let hub = Arc::new(Hub::from_args(args)?);
    let admin =
        Arc::new(Admin { base: format!("{}/admin/api/v1", hub.issuer), token: args.get("admin-token")?.into() });
    let mut figures = Vec::new();

    let login_hub = hub.clone();
    figures.push(Figures::of(
        &mut load("sign-in: full password login", pid, ticks, 4, seconds, move |_, _| {
            let hub = login_hub.clone();
            async move {
                let Ok((browser, code)) = hub.sign_in().await else { return Some(false) };
                Some(hub.exchange(&browser, &code).await.is_ok())
            }
        })
        .await?,
    ));

    // Codes for the exchange: one sign-in, then /authorize with its session cookie.
    let (browser, first_code) = hub.sign_in().await?;
    let mut codes = vec![first_code];
    while codes.len() < args.number("codes", 4000) as usize {
        codes.push(hub.code(&browser).await?);
    }
    let tokens = hub.exchange(&browser, &codes.pop().context("a code")?).await?;
    let access_token = tokens["access_token"].as_str().context("access_token")?.to_owned();
    let queue = Arc::new(Mutex::new(codes));
    let exchange_hub = hub.clone();
    figures.push(Figures::of(
        &mut load("token: code exchange", pid, ticks, connections, seconds, move |c, _| {
            let (queue, hub) = (queue.clone(), exchange_hub.clone());
            async move {
                let code = queue.lock().ok()?.pop()?;
                Some(hub.exchange(&c, &code).await.is_ok())
            }
        })
        .await?,
    ));

    // Each connection rotates its own refresh token: the grant reads and writes the table
    // that holds a million others.
    let mut chains = Vec::with_capacity(connections);
    for _ in 0..connections {
        let tokens = hub.exchange(&browser, &hub.code(&browser).await?).await?;
        let refresh = tokens["refresh_token"].as_str().context("no refresh_token: is offline_access granted?")?;
        chains.push(Arc::new(Mutex::new(refresh.to_owned())));
    }
    let (refresh_hub, chains) = (hub.clone(), Arc::new(chains));
    figures.push(Figures::of(
        &mut load("token: refresh grant (rotation)", pid, ticks, connections, seconds, move |c, task| {
            let (hub, chain) = (refresh_hub.clone(), chains[task].clone());
            async move {
                let current = chain.lock().ok()?.clone();
                let Ok(tokens) = hub.refresh(&c, &current).await else { return Some(false) };
                *chain.lock().ok()? = tokens["refresh_token"].as_str()?.to_owned();
                Some(true)
            }
        })
        .await?,
    ));

    let userinfo_url = format!("{}/userinfo", hub.issuer);
    figures.push(Figures::of(
        &mut load("userinfo (JWT access token)", pid, ticks, connections, seconds, move |c, _| {
            let (url, token) = (userinfo_url.clone(), access_token.clone());
            async move { Some(c.get(&url).bearer_auth(&token).send().await.is_ok_and(|r| r.status().is_success())) }
        })
        .await?,
    ));

    let bench_user = admin.first_item_id("/users?search=bench").await?;
    let lists = [
        ("admin: users, first page".to_owned(), "/users?limit=50".to_owned()),
        ("admin: users, page 100 (offset 4,950)".to_owned(), "/users?limit=50&offset=4950".to_owned()),
        ("admin: users, search matching 100".to_owned(), "/users?limit=50&search=user-04242".to_owned()),
        ("admin: users, search matching none".to_owned(), "/users?limit=50&search=nobody-at-all".to_owned()),
        ("admin: audit events, first page".to_owned(), "/audit-events?limit=50".to_owned()),
        ("admin: audit events of one user".to_owned(), format!("/audit-events?limit=50&user_id={bench_user}")),
        ("admin: audit events, one action".to_owned(), "/audit-events?limit=50&action=user.update".to_owned()),
        ("admin: audit events, page 100 (offset 4,950)".to_owned(), "/audit-events?limit=50&offset=4950".to_owned()),
    ];
    for (name, path) in lists {
        let admin = admin.clone();
        figures.push(Figures::of(
            &mut load(&name, pid, ticks, 2, seconds, move |c, _| {
                let (admin, path) = (admin.clone(), path.clone());
                async move { Some(admin.get(&c, &path).await.is_ok()) }
            })
            .await?,
        ));
    }

    if let Ok(path) = args.get("save") {
        std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
    }
    match args.get("compare") {
        Ok(path) => {
            let before: Vec<Figures> = serde_json::from_slice(&std::fs::read(path)?)?;
            print_comparison(&before, &figures, args.get("label").unwrap_or("seeded"));
        }
        Err(_) => print_alone(&figures),
    }
    Ok(())
}

fn print_alone(figures: &[Figures]) {
    println!("| workload | requests/s | hub CPU ms/request | p50 ms | p99 ms | errors |");
    println!("|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {:.0} | {:.3} | {:.2} | {:.2} | {} |",
            f.name, f.requests_per_second, f.cpu_ms_per_request, f.p50_ms, f.p99_ms, f.errors
        );
    }
}

fn print_comparison(before: &[Figures], after: &[Figures], label: &str) {
    println!(
        "| workload | empty: hub CPU ms/req | p50 ms | p99 ms | {label}: hub CPU ms/req | p50 ms | p99 ms | CPU/req × | p50 × | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for f in after {
        let Some(b) = before.iter().find(|b| b.name == f.name) else { continue };
        println!(
            "| {} | {:.3} | {:.2} | {:.2} | {:.3} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            f.name,
            b.cpu_ms_per_request,
            b.p50_ms,
            b.p99_ms,
            f.cpu_ms_per_request,
            f.p50_ms,
            f.p99_ms,
            f.cpu_ms_per_request / b.cpu_ms_per_request.max(1e-9),
            f.p50_ms / b.p50_ms.max(1e-9),
            b.errors + f.errors
        );
    }
}

/// The admin API with the bootstrap token.
struct Admin {
    base: String,
    token: String,
}

impl Admin {
    async fn get(&self, client: &reqwest::Client, path: &str) -> Result<serde_json::Value> {
        let response = client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await?;
        if !response.status().is_success() {
            bail!("admin {path}: {}", response.status());
        }
        Ok(response.json().await?)
    }

    async fn first_item_id(&self, path: &str) -> Result<String> {
        let page = self.get(&reqwest::Client::new(), path).await?;
        Ok(page["items"][0]["id"].as_str().with_context(|| format!("no item at {path}"))?.to_owned())
    }
}
