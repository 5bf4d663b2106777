//! The worker and the model together against a demo server over real HTTP: effects go out,
//! actions come back with the request's generation, and `update` turns them into screens.

use std::time::Duration;

use secrecy::SecretString;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::app::{Action, App, Effect, Load, Mode, Tab, fixtures, update};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::worker::Worker;
use tokio::sync::mpsc;

async fn server() -> DemoServer {
    DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            rate_limit: None,
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo server")
}

fn client(base_url: &str, key: &str) -> SyncroClient {
    let mut cfg = ClientConfig::new(base_url, SecretString::from(key.to_string()));
    cfg.requests_per_minute = 0;
    cfg.max_attempts = 1;
    SyncroClient::new(cfg).unwrap()
}

/// Runs effects through the worker and feeds the answers to `update` until `done` holds.
pub(crate) async fn drive(
    app: &mut App,
    worker: &Worker,
    rx: &mut mpsc::UnboundedReceiver<Action>,
    first: Vec<Effect>,
    done: impl Fn(&App) -> bool,
) {
    for e in first {
        worker.spawn(e);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done(app) {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the worker answered in time")
            .expect("channel open");
        for e in update(app, action) {
            worker.spawn(e);
        }
    }
}

#[tokio::test]
async fn the_first_page_tickets_and_invoices_arrive_through_the_worker() {
    let server = server().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&server.base_url(), "demo")), tx);
    let mut app = App::new(fixtures::config());
    update(&mut app, Action::Resize(100, 30));
    let fx = syncro_tui::app::update::start(&mut app);
    drive(&mut app, &worker, &mut rx, fx, |a| {
        a.list.browse.pages_loaded == 1
    })
    .await;

    let total = app.list.browse.total_entries.expect("meta total");
    assert!(total > 100, "the demo has several pages ({total})");
    assert_eq!(app.list.shown.len(), 100);
    assert!(app.list.browse.has_more);
    assert!(!app.loading());

    // Tickets of the selected customer.
    let id = app.detail.customer_id.expect("a selection");
    let fx = update(
        &mut app,
        Action::Cmd(syncro_tui::app::Cmd::ShowTab(Tab::Tickets)),
    );
    drive(&mut app, &worker, &mut rx, fx, |a| {
        !a.extras.get(&id).is_some_and(|e| e.tickets.is_loading())
    })
    .await;
    assert!(matches!(app.extras[&id].tickets, Load::Loaded(_)));

    // The invoice scan walks every page and ends.
    let fx = update(
        &mut app,
        Action::Cmd(syncro_tui::app::Cmd::ShowTab(Tab::Invoices)),
    );
    drive(&mut app, &worker, &mut rx, fx, |a| a.invoices.done).await;
    assert!(app.invoices.pages_done >= 1);
    assert_eq!(
        u64::from(app.invoices.pages_done),
        app.invoices.total_pages.unwrap_or(1)
    );
    assert!(!app.invoices.by_customer.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_ends_in_the_modal_and_no_server_in_the_status_line() {
    let server = server().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&server.base_url(), "wrong")), tx);
    let mut app = App::new(fixtures::config());
    let fx = syncro_tui::app::update::start(&mut app);
    drive(&mut app, &worker, &mut rx, fx, |a| {
        a.list.browse.error.is_some()
    })
    .await;
    assert_eq!(app.mode(), Mode::Dialog);
    server.shutdown().await;

    // Nothing listens on a closed port: the app says so and keeps running.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&format!("http://{closed}/api/v1"), "demo")), tx);
    let mut app = App::new(fixtures::config());
    let fx = syncro_tui::app::update::start(&mut app);
    drive(&mut app, &worker, &mut rx, fx, |a| {
        a.list.browse.error.is_some()
    })
    .await;
    assert_eq!(app.mode(), Mode::Normal);
    let m = app.message.expect("a message");
    assert!(
        m.error && m.text.contains("Cannot reach the server"),
        "{}",
        m.text
    );
}

#[tokio::test]
async fn a_new_invoice_scan_stops_the_old_one() {
    let server = server().await;
    let control = server.control();
    // Slow answers, so the first scan is still walking pages when the second starts.
    control.set_latency(Duration::from_millis(40));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&server.base_url(), "demo")), tx);
    worker.spawn(Effect::ScanInvoices { generation: 1 });
    // Wait for the first scan's first page, then start another.
    loop {
        if let Some(Action::InvoicesPage { generation: 1, .. }) = rx.recv().await {
            break;
        }
    }
    worker.spawn(Effect::ScanInvoices { generation: 2 });
    let mut pages_of_first_after_restart = 0;
    let total = loop {
        match rx.recv().await.expect("open") {
            Action::InvoicesPage { generation: 1, .. } => pages_of_first_after_restart += 1,
            Action::InvoicesPage {
                generation: 2,
                last: true,
                total_pages,
                ..
            } => break total_pages.unwrap_or(1),
            _ => {}
        }
    };
    assert!(total > 3, "the demo has several invoice pages ({total})");
    assert!(
        pages_of_first_after_restart <= 1,
        "the old scan stopped (at most the page in flight arrived): {pages_of_first_after_restart}"
    );
    let requests = control
        .stats()
        .by_route
        .get("GET /invoices")
        .copied()
        .unwrap_or(0);
    assert!(
        requests <= total + 3,
        "{requests} invoice requests for two scans of {total} pages"
    );
    server.shutdown().await;
}

/// A sync that brings nothing new (the periodic pass on a quiet account) saves the mirror but
/// does not rebuild the search index: for 100,000 customers that is a third of a second of CPU
/// every fifteen minutes for nothing. A write does rebuild it.
#[tokio::test]
async fn a_sync_that_changes_nothing_keeps_the_index() {
    use syncro_tui::app::mirror::state::{MirrorEvent, MirrorOp};
    use syncro_tui::mirror::store::load;
    use syncro_tui::worker::MirrorSetup;

    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut worker = Worker::new(Some(client(&server.base_url(), "demo")), tx);
    worker.set_mirror(MirrorSetup {
        dir: dir.path().to_path_buf(),
        profile: "quiet".into(),
        server_id: server.base_url(),
        type_property: fixtures::config().customer_type_property,
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut next = async || loop {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the worker answered in time")
            .expect("channel open");
        if let Action::Mirror(ev) = action {
            return ev;
        }
    };
    let synced_at = || {
        let m = load(dir.path(), "quiet").into_mirror_or_empty("");
        m.last_full_sync.max(m.last_incremental_sync)
    };

    worker.spawn(Effect::Mirror(MirrorOp::Sync { full: true }));
    while !matches!(next().await, MirrorEvent::Index(_)) {}
    let original = load(dir.path(), "quiet")
        .into_mirror_or_empty("")
        .customers()
        .remove(3);
    for (round, full) in [false, true].into_iter().enumerate() {
        let before = synced_at();
        worker.spawn(Effect::Mirror(MirrorOp::Sync { full }));
        while !matches!(next().await, MirrorEvent::Synced { done: true, .. }) {}
        // The pass's save is written; an index of it would be built under the same lock, so it
        // would come before the index of the write that follows.
        while synced_at() == before {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let name = format!("Quiet Pass Marker {round}");
        let mut marker = original.clone();
        marker.business_name = Some(name.clone());
        worker.spawn(Effect::Mirror(MirrorOp::PutCustomer(Box::new(marker))));
        loop {
            match next().await {
                MirrorEvent::Index(ix) => {
                    assert!(
                        !ix.search(&name, 5).hits.is_empty(),
                        "an index came before the write's (full pass: {full})"
                    );
                    break;
                }
                MirrorEvent::Changed(_) | MirrorEvent::Progress(_) => {}
                other => panic!("{other:?}"),
            }
        }
        // The server's record back, so the mirror matches the server again.
        worker.spawn(Effect::Mirror(MirrorOp::PutCustomer(Box::new(
            original.clone(),
        ))));
        while !matches!(next().await, MirrorEvent::Index(_)) {}
    }
}
