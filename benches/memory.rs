//! Where the memory of a loaded account goes: bytes held on the heap by each structure the app
//! keeps with a mirror of `N` customers (default 100,000) and their contacts from the demo
//! server's generator (about three contacts each), counted by a global allocator.
//!
//! Run: `cargo bench --bench memory` (or `MEMORY_CUSTOMERS=20000 cargo bench --bench memory`).
//! The process's whole RSS with the real app is measured by `assets/measure-memory.sh`.
//!
//! The data comes the way the app gets it: a demo server in this process is listed by a full
//! sync (limiter off), the mirror is saved to a file and loaded back; the figures are taken
//! after the server and the sync's result are gone.

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use secrecy::SecretString;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::app::mirror::state::MirrorEvent;
use syncro_tui::app::{Action, App, fixtures, update};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::mirror::{self, SearchIndex, SyncOptions};
use syncro_tui::worker::{MirrorSetup, load_for_list};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn mb(bytes: usize) -> String {
    format!("{:7.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let n: usize = std::env::var("MEMORY_CUSTOMERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");

    // Fill a mirror file from a demo server, then drop everything but the file.
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let cfg = DemoConfig {
                customers: n,
                seed: 1,
                rate_limit: None,
                ..DemoConfig::default()
            };
            let server = DemoServer::start("127.0.0.1:0".parse().expect("addr"), cfg)
                .await
                .expect("demo server");
            let mut cc =
                ClientConfig::new(server.base_url(), SecretString::from("demo".to_string()));
            cc.requests_per_minute = 0;
            let client = SyncroClient::new(cc).expect("client");
            let (m, _) = mirror::full_sync(
                &client,
                &mirror::Mirror::new("bench"),
                &SyncOptions::default(),
                &mut |_| {},
            )
            .await
            .expect("sync");
            let mut m = m;
            m.base_url = "bench".into();
            mirror::store::save(dir.path(), "bench", &m).expect("save");
        });
    }

    let base = live();
    let setup = MirrorSetup {
        dir: dir.path().to_path_buf(),
        profile: "bench".into(),
        server_id: "bench".into(),
        type_property: fixtures::config().customer_type_property,
    };
    // As the worker reads it at start: the rows' views are built while decoding.
    let (outcome, rows) = load_for_list(&setup);
    let views_bytes: usize = rows.views.iter().map(|v| v.heap_bytes()).sum::<usize>()
        + rows.views.capacity() * std::mem::size_of::<syncro_tui::app::view::RowView>();
    let m = outcome.into_mirror_or_empty("bench");
    let mirror_bytes = live() - base - views_bytes;
    println!(
        "{} customers, {} contacts",
        m.customer_count(),
        m.contact_count()
    );
    println!("mirror (the worker's copy):         {}", mb(mirror_bytes));

    let before = live();
    let customers = m.records().to_vec();
    let sent = live() - before;
    println!("customers handed to the app:        {}", mb(sent));

    let before = live();
    let mut app = App::new(fixtures::config());
    app.mirror.configured = true;
    update(&mut app, Action::Resize(200, 50));
    let _ = syncro_tui::app::update::start(&mut app);
    update(
        &mut app,
        Action::Mirror(MirrorEvent::Loaded {
            customers: Some(customers),
            views: rows.views,
            order: rows.order,
            age: "synced just now".into(),
            synced_at: None,
            notice: None,
        }),
    );
    let app_bytes = live() - before;
    println!(
        "app list (rows and their views):    {} (with the records handed over)",
        mb(app_bytes + sent + views_bytes)
    );
    let rows = &app.list.rows;
    println!(
        "  rows ({} B each inline):           {}",
        std::mem::size_of_val(&rows[0]),
        mb(rows.capacity() * std::mem::size_of_val(&rows[0]))
    );
    println!(
        "  their text:                        {}",
        mb(rows.iter().map(|r| r.view.heap_bytes()).sum())
    );

    let before = live();
    let index = Arc::new(SearchIndex::build(&m));
    let index_bytes = live() - before;
    println!("search index:                       {}", mb(index_bytes));
    for (part, bytes) in index.heap_parts() {
        println!("  {part:<33} {}", mb(bytes));
    }
    update(&mut app, Action::Mirror(MirrorEvent::Index(index)));

    // The contacts pane (`c`): its rows and their four orders, built as the worker builds them.
    let before = live();
    let packed: Vec<syncro_tui::mirror::Packed> =
        app.list.rows.iter().map(|r| r.record.clone()).collect();
    let views: Vec<syncro_tui::app::view::RowView> =
        app.list.rows.iter().map(|r| r.view.clone()).collect();
    let built = syncro_tui::app::contact_list::build_pane(&packed, &views);
    drop((packed, views));
    let n = built.rows.len();
    let parts = built.rows.heap_parts();
    let orders: usize = built.orders.iter().map(|(_, o)| o.capacity() * 4).sum();
    let generation = app.list.version;
    update(&mut app, Action::ContactsBuilt { generation, built });
    println!(
        "contacts pane (open, {n} contacts):  {}",
        mb(live() - before)
    );
    for (part, bytes) in parts {
        println!("  {part:<33} {}", mb(bytes));
    }
    println!("  the four orders:                  {}", mb(orders));
    println!(
        "  (rows {} B inline; names, e-mails, phones and customers' names read from the list's rows)",
        std::mem::size_of::<syncro_tui::app::contact_list::ContactRow>()
    );

    println!("total held:                         {}", mb(live() - base));
    println!(
        "(inline sizes: Customer {} B, Contact {} B; text and properties are on the heap)",
        std::mem::size_of::<syncro_tui::api::model::Customer>(),
        std::mem::size_of::<syncro_tui::api::model::Contact>()
    );
    drop(app);
    drop(m);
}
