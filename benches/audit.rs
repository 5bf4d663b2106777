//! The duplicate audit (`A`, `:duplicates`) over the whole account: customer groups and
//! contact groups of 10,000 and 100,000 demo customers (the generator plants duplicates),
//! read once from the demo server.
//!
//! Run: `cargo bench --bench audit`

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use syncro_tui::api::model::Customer;
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::audit::{contact_groups, customer_groups};
use syncro_tui::demo::{DemoConfig, DemoServer};

fn main() {
    divan::main();
}

/// Every customer of a demo account of `n` (disabled ones too), with their contacts.
fn account(n: usize) -> Vec<Customer> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cfg = DemoConfig {
            customers: n,
            seed: 1,
            rate_limit: None,
            ..DemoConfig::default()
        };
        let server = DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
            .await
            .unwrap();
        let mut cfg = ClientConfig::new(server.base_url(), secrecy::SecretString::from("demo"));
        cfg.requests_per_minute = 0;
        let client = SyncroClient::new(cfg).unwrap();
        let all = client
            .all_customers(&CustomerQuery {
                include_disabled: true,
                page: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        server.shutdown().await;
        all
    })
}

static SMALL: LazyLock<Vec<Customer>> = LazyLock::new(|| account(10_000));
static LARGE: LazyLock<Vec<Customer>> = LazyLock::new(|| account(100_000));

#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn customer_groups_of(n: usize) -> usize {
    let customers = if n == 10_000 { &*SMALL } else { &*LARGE };
    customer_groups(customers, &BTreeSet::new()).len()
}

#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn contact_groups_of(n: usize) -> usize {
    let customers = if n == 10_000 { &*SMALL } else { &*LARGE };
    contact_groups(customers).len()
}
