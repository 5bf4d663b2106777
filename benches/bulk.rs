//! A bulk edit of 300 customers against the demo server at Syncro's real rate limit (180
//! requests per 60 s per IP, 429 with `Retry-After` past it), timed end to end: the type of
//! 300 business customers set to Government, every record checked and written, the change log
//! appended. The floor is 100 s (300 requests at 3 a second).
//!
//! Two runs, each on a fresh demo server (the server's window starts empty):
//! - `paced` (what [`BulkRun::execute`] does by default): requests spaced 61 s / 180 apart so
//!   that the app's own requests still get through: about `(requests - 1) × 339 ms`.
//! - `burst`: as fast as the sliding window allows: 180 at once, the rest once the window has
//!   slid, a little over one window in all (the interactive app would wait behind it).
//!
//! Run: `cargo bench --bench bulk` (or `assets/measure-bulk.sh`); `BULK_MODES=paced` runs one.
//! It takes about three minutes, nearly all of it waiting for the rate limit.

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use secrecy::SecretString;
use syncro_tui::api::model::{Customer, CustomerQuery};
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::changelog::ChangeLog;
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::domain::customer_type;
use syncro_tui::flows::FlowEnv;
use syncro_tui::flows::bulk::{BulkChange, BulkPlan, BulkRun, Pace};

const RECORDS: usize = 300;
const RATE: u32 = 180;

async fn measure(pace: Pace) {
    let server = DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            customers: 700,
            rate_limit: Some(RATE),
            rate_window: Duration::from_secs(60),
            ..DemoConfig::default()
        },
    )
    .await
    .unwrap();
    // The app's defaults: 180 requests per 61 s, retries, waits after a 429.
    let client = SyncroClient::new(ClientConfig::new(
        server.base_url(),
        SecretString::from("demo".to_string()),
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = FlowEnv::new(client, false, dir.path());
    let log = ChangeLog::open(dir.path(), "bench");
    // The records as the app would hold them (a mirror): read once, outside the measurement.
    let all = env
        .client
        .all_customers(&CustomerQuery::default())
        .await
        .unwrap();
    let targets: Vec<Customer> = all
        .into_iter()
        .filter(|c| {
            c.business_name
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty())
                && customer_type(c, "Customer Type") != "Government"
        })
        .take(RECORDS)
        .collect();
    assert_eq!(targets.len(), RECORDS);
    let plan = BulkPlan::for_customers(
        BulkChange::CustomerType {
            property: "Customer Type".into(),
            value: "Government".into(),
        },
        &targets,
    )
    .unwrap();
    let requests = plan.requests();
    let estimate = plan.duration_at(RATE);
    server.control().reset_stats();
    let before = env.client.stats();
    let mut run = BulkRun::start(&env, plan).unwrap();
    run.pace = pace;
    let started = Instant::now();
    let counts = run.execute(&env, &log, |_| {}).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stats = server.control().stats();
    let sent = env.client.stats().requests - before.requests;
    assert_eq!(counts.done, RECORDS);
    assert_eq!(log.group(&run.id).unwrap().len(), RECORDS);
    println!(
        "{:<6} {RECORDS} records: {secs:6.1} s for {sent} requests ({} at the server, {} answered 429); \
         preview said {requests} requests, {:.0} s at {RATE}/min; floor {:.0} s",
        format!("{pace:?}").to_lowercase(),
        stats.total,
        stats.rate_limited,
        estimate.as_secs_f64(),
        RECORDS as f64 * 60.0 / f64::from(RATE),
    );
    server.shutdown().await;
}

fn main() {
    let modes = std::env::var("BULK_MODES").unwrap_or_else(|_| "paced,burst".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for mode in modes.split(',').map(str::trim) {
        let pace = match mode {
            "paced" => Pace::Paced,
            "burst" => Pace::Burst,
            // `cargo bench` passes `--bench`; other arguments are not modes.
            _ => continue,
        };
        runtime.block_on(measure(pace));
    }
}
