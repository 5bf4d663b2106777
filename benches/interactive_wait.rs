//! How long a technician's request waits while the background sync runs: a full sync of
//! 12,000 customers against the demo server at Syncro's rate limit (180 requests a minute per
//! IP, the client allowing itself 180), and meanwhile one interactive request (a customer's
//! record, as opening a tab does) every 1.5 s. Prints the waits' percentiles (the issue's
//! target: under 1 s at the 95th) and what the sync had done when the samples ended.
//!
//! Run: `cargo bench --bench interactive_wait` (about 90 s; `CUSTOMERS=N SAMPLES=N` change it)

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::mirror::{Mirror, SyncOptions, full_sync};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let customers = env("CUSTOMERS", 12_000);
    let samples = env("SAMPLES", 50);
    let server = DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            customers,
            rate_limit: Some(180),
            ..DemoConfig::default()
        },
    )
    .await
    .unwrap();
    let key = DemoConfig::default().api_key;
    let mut cfg = ClientConfig::new(server.base_url(), SecretString::from(key));
    cfg.requests_per_minute = 180;
    let client = SyncroClient::new(cfg).unwrap();
    // Ids to ask for, read before the clock starts (and before the window fills).
    let ids: Vec<u64> = client
        .list_customers(&syncro_tui::api::CustomerQuery {
            page: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    // A fresh window for the measured part.
    tokio::time::sleep(Duration::from_secs(61)).await;

    let pages = Arc::new(AtomicUsize::new(0));
    let sync = {
        let client = client.clone();
        let pages = pages.clone();
        tokio::spawn(async move {
            let mut progress = move |_p: syncro_tui::mirror::SyncProgress| {
                pages.fetch_add(1, Ordering::Relaxed);
            };
            full_sync(
                &client,
                &Mirror::new("bench"),
                &SyncOptions::default(),
                &mut progress,
            )
            .await
        })
    };
    // Let the sync take its share of the window first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut waits = Vec::with_capacity(samples);
    for k in 0..samples {
        let id = ids[k % ids.len()];
        let t = Instant::now();
        client.get_customer(id).await.unwrap();
        waits.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(1_500)).await;
    }
    let done = sync.is_finished();
    sync.abort();
    waits.sort();
    let pct = |p: f64| {
        let i = ((waits.len() as f64 - 1.0) * p).round() as usize;
        waits[i].as_secs_f64() * 1000.0
    };
    let stats = server.control().stats();
    println!(
        "interactive request during a full sync of {customers} customers at 180/min: \
         {} samples, wait ms min {:.0} / median {:.0} / p95 {:.0} / max {:.0}; \
         the sync {} ({} progress reports, {} requests at the server, {} answered 429)",
        waits.len(),
        pct(0.0),
        pct(0.5),
        pct(0.95),
        pct(1.0),
        if done {
            "had finished"
        } else {
            "was still running"
        },
        pages.load(Ordering::Relaxed),
        stats.total,
        stats.rate_limited,
    );
    server.shutdown().await;
}
