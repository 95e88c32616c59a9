//! `hub-bench memory`: the hub's resident memory before, right after and a while after
//! a burst of password sign-ins (the full flow: authorize, login with argon2id, code
//! exchange), the figure SPEC §10 bounds at 2 × idle.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::{Args, Hub};

/// VmRSS of `pid`, in MiB.
fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("VmRSS")?;
    let kib: f64 = line.split_whitespace().nth(1).context("VmRSS value")?.parse()?;
    Ok(kib / 1024.0)
}

pub async fn memory(args: &Args) -> Result<()> {
    let pid: u32 = args.get("pid")?.parse()?;
    let sign_ins = args.number("sign-ins", 1000) as usize;
    let connections = args.number("connections", 16) as usize;
    let settle = Duration::from_secs(args.number("settle", 60));
    let hub = Arc::new(Hub::from_args(args)?);
    let idle = rss_mib(pid)?;
    let started = Instant::now();
    let remaining = Arc::new(AtomicUsize::new(sign_ins));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (hub, remaining) = (hub.clone(), remaining.clone());
        tasks.push(tokio::spawn(async move {
            let mut failed = 0usize;
            while remaining.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                let signed_in = match hub.sign_in().await {
                    Ok((browser, code)) => hub.exchange(&browser, &code).await.is_ok(),
                    Err(_) => false,
                };
                failed += usize::from(!signed_in);
            }
            failed
        }));
    }
    let mut failed = 0;
    for task in tasks {
        failed += task.await?;
    }
    let burst = started.elapsed().as_secs_f64();
    let after = rss_mib(pid)?;
    tokio::time::sleep(settle).await;
    let settled = rss_mib(pid)?;
    println!(
        "| {sign_ins} sign-ins ({connections} at once, {burst:.1} s, {failed} failed) | {idle:.1} MiB | {after:.1} MiB | {settled:.1} MiB ({} s later) | {:.2} × idle |",
        settle.as_secs(),
        settled / idle
    );
    Ok(())
}
