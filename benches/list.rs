//! Listing every page of the demo generator's account (seed 1) at 1,000, 10,000 and 100,000
//! customers from the demo server over loopback HTTP, client-side limiter off (and the
//! server's too): the cost of the client's side of a full sync. The server's data generation is
//! outside the samples.
//!
//! Run: `cargo bench --bench list`

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::Bencher;
use futures::StreamExt;
use secrecy::SecretString;
use syncro_tui::api::model::Customer;
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer};

fn main() {
    divan::main();
}

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Disabled customers too, so every one of the 10,000 is listed.
fn query(page: u32) -> CustomerQuery {
    CustomerQuery {
        include_disabled: true,
        page,
        ..Default::default()
    }
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    client: SyncroClient,
    // Kept alive for the benchmark's duration.
    _server: DemoServer,
}

fn setup(customers: usize) -> Setup {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        let cfg = DemoConfig {
            customers,
            seed: 1,
            rate_limit: None,
            ..DemoConfig::default()
        };
        DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
            .await
            .unwrap()
    });
    let mut cfg = ClientConfig::new(server.base_url(), SecretString::from("demo".to_string()));
    cfg.requests_per_minute = 0;
    let client = SyncroClient::new(cfg).unwrap();
    Setup {
        runtime,
        client,
        _server: server,
    }
}

/// One page after the other with `all_customers` (one request per 100 customers).
#[divan::bench(args = SIZES, sample_count = 3)]
fn all_pages_sequential(bencher: Bencher, n: usize) {
    let s = setup(n);
    bencher.bench_local(|| {
        let all = s
            .runtime
            .block_on(s.client.all_customers(&query(1)))
            .unwrap();
        assert_eq!(all.len(), n);
        all
    });
}

/// Page 1 for `meta`, then the other pages four at a time over one shared client.
#[divan::bench(args = SIZES, sample_count = 3)]
fn all_pages_four_concurrent(bencher: Bencher, n: usize) {
    let s = setup(n);
    bencher.bench_local(|| {
        let all: Vec<Customer> = s.runtime.block_on(async {
            let first = s.client.list_customers(&query(1)).await.unwrap();
            let pages = first.meta.total_pages.unwrap_or(1) as u32;
            let rest: Vec<_> = futures::stream::iter(2..=pages)
                .map(|page| {
                    let c = s.client.clone();
                    async move { c.list_customers(&query(page)).await.unwrap() }
                })
                .buffered(4)
                .collect()
                .await;
            let mut all = first.items;
            for p in rest {
                all.extend(p.items);
            }
            all
        });
        assert_eq!(all.len(), n);
        all
    });
}

/// The floor: the same requests with plain reqwest, bodies read but not decoded. The gap to
/// `all_pages_sequential` is the client's own cost (decoding, limiter, bookkeeping).
#[divan::bench(args = SIZES, sample_count = 3)]
fn raw_http_no_decoding(bencher: Bencher, n: usize) {
    let s = setup(n);
    let http = reqwest::Client::new();
    let base = s.client.base_url().to_string();
    bencher.bench_local(|| {
        s.runtime.block_on(async {
            let mut bytes = 0;
            for page in 1..=n.div_ceil(100) {
                let body = http
                    .get(format!("{base}/customers"))
                    .query(&[("include_disabled", "true"), ("page", &page.to_string())])
                    .bearer_auth("demo")
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                bytes += body.len();
            }
            bytes
        })
    });
}
