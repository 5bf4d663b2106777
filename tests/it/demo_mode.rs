//! The app's demo mode tells the truth across runs: its in-process demo server keeps its data
//! in the data directory beside the demo's mirror, so the mirror never lists a customer the
//! server does not have (no phantom customers, no 404 on edit), and `demo reset` starts both
//! over.

use std::collections::BTreeSet;
use std::path::Path;

use syncro_tui::api::model::CustomerQuery;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::demo::{APP_STATE_FILE, DemoConfig, DemoServer};
use syncro_tui::mirror::{DEMO_PROFILE, demo_reset, store};
use syncro_tui::tui::testing::{Options, Runner};

/// The customer ids of the demo's mirror in `dir`.
fn mirror_ids(dir: &Path) -> BTreeSet<u64> {
    store::load_for_server(dir, DEMO_PROFILE, DEMO_PROFILE)
        .into_mirror_or_empty(DEMO_PROFILE)
        .customers()
        .iter()
        .map(|c| c.id)
        .collect()
}

/// The customer ids the demo's server holds, served from its state file on 127.0.0.1.
async fn server_ids(dir: &Path) -> BTreeSet<u64> {
    let cfg = DemoConfig {
        rate_limit: None,
        ..DemoConfig::for_app(dir)
    };
    let key = cfg.api_key.clone();
    let server = DemoServer::start(([127, 0, 0, 1], 0).into(), cfg)
        .await
        .unwrap();
    let mut client_cfg = ClientConfig::new(server.base_url(), key.into());
    client_cfg.requests_per_minute = 0;
    let client = SyncroClient::new(client_cfg).unwrap();
    let mut ids = BTreeSet::new();
    let mut page = 1;
    loop {
        let q = CustomerQuery {
            page,
            include_disabled: true,
            ..CustomerQuery::default()
        };
        let p = client.list_customers(&q).await.unwrap();
        ids.extend(p.items.iter().map(|c| c.id));
        if p.meta.total_pages.is_none_or(|t| u64::from(page) >= t) || p.items.is_empty() {
            break;
        }
        page += 1;
    }
    server.shutdown().await;
    ids
}

fn demo(dir: &Path) -> Runner {
    let mut o = Options::demo();
    o.data_dir = Some(dir.to_path_buf());
    Runner::start(o).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_never_lists_a_customer_its_server_does_not_have() {
    let dir = tempfile::tempdir().unwrap();
    // First run: a new customer, on the server and in the mirror.
    let r = demo(dir.path());
    r.wait_for_text("synced just now").await;
    r.keys("n");
    r.wait_for_text("New customer").await;
    r.keys("Phantom Check Ltd");
    r.ctrl('s');
    r.wait_for("the customer saved", |s| {
        s.contains("Saved") && s.contains("Phantom Check Ltd")
    })
    .await;
    r.stop().await;
    assert!(dir.path().join(APP_STATE_FILE).exists());
    let (mirror, server) = (mirror_ids(dir.path()), server_ids(dir.path()).await);
    assert!(mirror.len() > 100, "{}", mirror.len());
    assert!(
        mirror.is_subset(&server),
        "{:?}",
        mirror.difference(&server)
    );

    // Second run: the customer is still there, and opens (no 404).
    let r = demo(dir.path());
    r.wait_for_text("synced just now").await;
    r.keys("/Phantom Check");
    r.wait_for_text("1 matching").await;
    r.stop().await;
    let (mirror, server) = (mirror_ids(dir.path()), server_ids(dir.path()).await);
    assert!(
        mirror.is_subset(&server),
        "{:?}",
        mirror.difference(&server)
    );
    assert_eq!(mirror.len(), server.len());

    // `demo reset`: both start over, without the new customer.
    let removed = demo_reset(dir.path()).unwrap();
    assert!(removed.len() >= 2, "{removed:?}");
    assert!(!dir.path().join(APP_STATE_FILE).exists());
    assert!(mirror_ids(dir.path()).is_empty());
    let r = demo(dir.path());
    r.wait_for_text("synced just now").await;
    r.keys("/Phantom Check");
    r.wait_for_text("No customer matches").await;
    r.stop().await;
    let (mirror, server) = (mirror_ids(dir.path()), server_ids(dir.path()).await);
    assert!(
        mirror.is_subset(&server),
        "{:?}",
        mirror.difference(&server)
    );
}
