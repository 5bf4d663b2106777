//! The account mirror against the demo server over real HTTP on 127.0.0.1: full and
//! incremental sync, the rate limit, a 429 in the middle, deletions, and the CLI.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::Method;
use secrecy::SecretString;
use serde_json::json;
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};
use syncro_tui::mirror::store::{self, LoadOutcome};
use syncro_tui::mirror::{
    Mirror, SearchIndex, SyncOptions, SyncPhase, SyncProgress, full_sync, incremental_sync,
};

async fn server(customers: usize, rate_limit: Option<u32>, window: Duration) -> DemoServer {
    let cfg = DemoConfig {
        customers,
        seed: 7,
        rate_limit,
        rate_window: window,
        // These passes are about pages, pacing and 429s over customers with their contacts;
        // contacts without a customer are covered in `hardening`.
        vendor_contacts: 0,
        ..DemoConfig::default()
    };
    DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .expect("demo server")
}

/// A client for the demo server; `limit` requests per `window` (0 = limiter off).
fn client(server: &DemoServer, limit: u32, window: Duration) -> SyncroClient {
    let mut cfg = ClientConfig::new(server.base_url(), SecretString::from("demo"));
    cfg.requests_per_minute = limit;
    cfg.rate_window = window;
    cfg.rate_limit_wait = Duration::from_secs(1);
    SyncroClient::new(cfg).expect("client")
}

fn no_progress() -> impl FnMut(SyncProgress) + Send {
    |_| {}
}

/// Every customer id the server has, read page by page.
async fn server_ids(client: &SyncroClient) -> HashSet<u64> {
    let mut ids = HashSet::new();
    let mut page = 1;
    loop {
        let p = client
            .list_customers(&CustomerQuery {
                include_disabled: true,
                page,
                ..Default::default()
            })
            .await
            .unwrap();
        ids.extend(p.items.iter().map(|c| c.id));
        if !p.has_next() {
            return ids;
        }
        page += 1;
    }
}

fn assert_unique(m: &Mirror) {
    let customers: HashSet<u64> = m.customers().iter().map(|c| c.id).collect();
    assert_eq!(customers.len(), m.customer_count());
    let contacts: HashSet<u64> = m
        .customers()
        .iter()
        .flat_map(|c| c.contacts.iter().map(|k| k.id))
        .collect();
    assert_eq!(contacts.len(), m.contact_count());
}

#[tokio::test]
async fn full_sync_brings_every_record_and_is_searchable() {
    let server = server(450, None, Duration::from_secs(60)).await;
    let client = client(&server, 0, Duration::from_secs(60));
    let mut reports: Vec<SyncProgress> = Vec::new();
    let (mirror, report) = full_sync(
        &client,
        &Mirror::default(),
        &SyncOptions::default(),
        &mut |p| reports.push(p),
    )
    .await
    .unwrap();

    let store = server.control().store();
    assert_eq!(mirror.customer_count(), store.customer_count());
    assert_eq!(mirror.contact_count(), store.contact_count());
    assert_unique(&mirror);
    let ids: HashSet<u64> = mirror.customers().iter().map(|c| c.id).collect();
    assert_eq!(ids, server_ids(&client).await);
    assert_eq!(report.customers, store.customer_count());
    assert_eq!(report.rate_limited, 0);
    // A customer as the server shows it, contacts included.
    let sample = &mirror.customers()[mirror.customer_count() / 2];
    let fresh = client.get_customer(sample.id).await.unwrap();
    assert_eq!(fresh.business_name, sample.business_name);
    assert_eq!(fresh.contacts.len(), sample.contacts.len());
    // Progress went page by page to the end.
    let last = reports
        .iter()
        .rfind(|p| p.phase == SyncPhase::Customers)
        .unwrap();
    assert_eq!(Some(last.page), last.total_pages);

    // Saved and loaded again, then searched: a contact found by e-mail across customers.
    let dir = tempfile::tempdir().unwrap();
    store::save(dir.path(), "demo", &mirror).unwrap();
    let LoadOutcome::Loaded(loaded) = store::load(dir.path(), "demo") else {
        panic!("mirror not loaded");
    };
    assert!(
        loaded == mirror,
        "the mirror changed on its way through the file"
    );
    let everyone = loaded.customers();
    let (owner, contact) = everyone
        .iter()
        .find_map(|c| {
            c.contacts
                .iter()
                .find(|k| k.email.is_some())
                .map(|k| (c, k))
        })
        .expect("a contact with an e-mail");
    let results = SearchIndex::build(&loaded).search(contact.email.as_deref().unwrap(), 10);
    assert!(
        results
            .hits
            .iter()
            .any(|h| h.customer_id == owner.id && h.contact_id == Some(contact.id)),
        "{results:?}"
    );
}

#[tokio::test]
async fn a_429_in_the_middle_loses_and_repeats_no_page() {
    let server = server(650, None, Duration::from_secs(60)).await;
    let client = client(&server, 0, Duration::from_secs(60));
    let control = server.control();
    let injected = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&injected);
    let held = Arc::new(Mutex::new(Vec::new()));
    let notices = Arc::clone(&held);
    // After the second customer page, the server answers the next customer request with 429
    // and asks for 3 s: long enough for the progress to say so instead of standing still.
    let mut progress = move |p: SyncProgress| {
        if p.waiting.is_some() {
            notices.lock().unwrap().push(p.status_line());
        }
        let mut done = flag.lock().unwrap();
        if p.phase == SyncPhase::Customers && p.page == 2 && !*done {
            control.fail_next(
                FaultRule::new(Method::GET, "/customers")
                    .status(429)
                    .retry_after(3)
                    .json(json!({"error": "Too many requests"})),
            );
            *done = true;
        }
    };
    let opts = SyncOptions {
        concurrency: 1,
        ..SyncOptions::default()
    };
    let (mirror, report) = full_sync(&client, &Mirror::default(), &opts, &mut progress)
        .await
        .unwrap();
    assert!(*injected.lock().unwrap());
    let stats = server.control().stats();
    assert_eq!(stats.rate_limited, 1, "the 429 was served");
    assert_eq!(report.rate_limited, 1, "and counted by the sync");
    let held = held.lock().unwrap();
    assert!(!held.is_empty(), "the wait was not reported");
    assert!(
        held.iter()
            .all(|l| l.starts_with("Rate limited by Syncro, resuming in ")
                && l.contains("customers, page 2 of 7")),
        "{held:?}"
    );
    let store = server.control().store();
    assert_eq!(mirror.customer_count(), store.customer_count());
    assert_eq!(mirror.contact_count(), store.contact_count());
    assert_unique(&mirror);
}

#[tokio::test]
async fn the_limiter_keeps_the_sync_under_the_server_limit() {
    // 2,100 customers: 22 pages and a contacts check, against 10 requests per 2 s on both sides.
    // The client's window has a second of slack: on a loaded machine a request can reach the
    // server late, which squeezes the gaps the server sees (the real client keeps 1 s too).
    let window = Duration::from_secs(2);
    let server = server(2_100, Some(10), window).await;
    let client = client(&server, 10, window + Duration::from_secs(1));
    let (mirror, report) = full_sync(
        &client,
        &Mirror::default(),
        &SyncOptions::default(),
        &mut no_progress(),
    )
    .await
    .unwrap();
    let stats = server.control().stats();
    assert_eq!(stats.rate_limited, 0, "no request was refused");
    assert_eq!(report.rate_limited, 0);
    assert_eq!(stats.total, report.requests);
    assert!(report.paced);
    assert_eq!(mirror.customer_count(), 2_100);
    assert_unique(&mirror);
}

/// A pass that fits in the window, with a quarter of it to spare for the app, goes at full
/// speed: nothing to pace.
#[tokio::test]
async fn a_pass_that_fits_in_the_window_is_not_paced() {
    let server = server(450, Some(180), Duration::from_secs(60)).await;
    let client = client(&server, 180, Duration::from_secs(61));
    let (mirror, report) = full_sync(
        &client,
        &Mirror::default(),
        &SyncOptions::default(),
        &mut no_progress(),
    )
    .await
    .unwrap();
    assert!(!report.paced, "{report:?}");
    assert_eq!(
        report.requests, 6,
        "5 customer pages and the contacts check"
    );
    assert_eq!(mirror.customer_count(), 450);
    // The app still has three quarters of its budget.
    assert_eq!(client.limiter().in_window, 6);

    // A 429 on the way says the window has less to spare than it seemed: the rest is paced.
    server.control().fail_next(
        FaultRule::new(Method::GET, "/customers")
            .status(429)
            .retry_after(1)
            .text("Retry later"),
    );
    let (again, report) = full_sync(
        &client,
        &mirror,
        &SyncOptions::default(),
        &mut no_progress(),
    )
    .await
    .unwrap();
    assert!(report.paced, "{report:?}");
    assert_eq!(report.rate_limited, 1);
    assert_eq!(report.requests, 7);
    assert_eq!(again.customer_count(), 450);
    assert_unique(&again);
}

#[tokio::test]
async fn deletions_need_a_full_pass_and_changes_come_with_the_incremental_one() {
    let server = server(260, None, Duration::from_secs(60)).await;
    let client = client(&server, 0, Duration::from_secs(60));
    let opts = SyncOptions::default();
    let (mirror, _) = full_sync(&client, &Mirror::default(), &opts, &mut no_progress())
        .await
        .unwrap();
    let victim = mirror.customers()[10].id;
    let changed = mirror.customers()[20].id;
    client.delete_customer(victim).await.unwrap();
    let mut patch = serde_json::Map::new();
    patch.insert("business_name".into(), json!("Renamed Dental Ltd"));
    client.update_customer(changed, &patch).await.unwrap();

    // Incremental: the change arrives in a request or two, the deletion is not noticed yet.
    server.control().reset_stats();
    let (after_incr, report) = incremental_sync(&client, &mirror, &opts, &mut no_progress())
        .await
        .unwrap();
    assert!(!report.full);
    assert!(report.requests <= 2, "{report:?}");
    assert_eq!(
        after_incr
            .customer(changed)
            .unwrap()
            .business_name
            .as_deref(),
        Some("Renamed Dental Ltd")
    );
    assert!(after_incr.customer(victim).is_some());
    assert_eq!(after_incr.customer_count(), mirror.customer_count());
    assert!(after_incr.last_incremental_sync.is_some());

    // Full: the deleted customer is gone.
    let (after_full, report) = full_sync(&client, &after_incr, &opts, &mut no_progress())
        .await
        .unwrap();
    assert!(report.full);
    assert_eq!(report.removed, 1);
    assert!(after_full.customer(victim).is_none());
    assert_eq!(after_full.customer_count(), mirror.customer_count() - 1);
    assert_eq!(
        after_full
            .customer(changed)
            .unwrap()
            .business_name
            .as_deref(),
        Some("Renamed Dental Ltd")
    );
}

/// The real binary: `sync` writes a private mirror and prints one summary line; `cache clear`
/// removes it.
#[test]
fn sync_and_cache_clear_commands() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_syncro-tui"))
            .args(args)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env_remove("SYNCRO_API_KEY")
            .output()
            .expect("run syncro-tui")
    };
    let out = run(&["--demo", "sync"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("requests"), "{stdout}");
    assert!(stdout.contains("answered 429"), "{stdout}");
    let path = stdout.rsplit("-> ").next().unwrap().trim();
    assert!(path.ends_with("mirror-demo.bin"), "{path}");
    // A second run loads the first one's mirror (the demo's port changed, its identity did not).
    let again = run(&["--demo", "sync"]);
    assert!(again.status.success());
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("discarded"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let meta = std::fs::metadata(path).expect("mirror file written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let _ = meta;

    let out = run(&["--demo", "cache", "clear"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Removed"));
    assert!(!std::path::Path::new(path).exists());
}

/// A demo server whose customer pages do not embed contacts: exactly `customers` and
/// `contacts`, `limit` requests per `window` per IP.
async fn listing_server(
    customers: usize,
    contacts: usize,
    limit: u32,
    window: Duration,
) -> DemoServer {
    let cfg = DemoConfig {
        customers,
        contacts: Some(contacts),
        seed: 7,
        rate_limit: Some(limit),
        rate_window: window,
        embed_contacts: false,
        vendor_contacts: 0,
        ..DemoConfig::default()
    };
    DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .expect("demo server")
}

/// Every customer and contact of the server is in the mirror, under the right customer.
fn assert_matches_server(mirror: &Mirror, server: &DemoServer) {
    let store = server.control().store();
    assert_eq!(mirror.customer_count(), store.customer_count());
    assert_eq!(mirror.contact_count(), store.contact_count());
    assert_unique(mirror);
    for c in mirror.customers() {
        assert!(
            c.contacts.iter().all(|k| k.customer_id == Some(c.id)),
            "a contact under the wrong customer {}",
            c.id
        );
    }
}

/// The floor case, scaled down: contacts are not embedded, so they come from their own
/// list, 50 a page. Every page is fetched exactly once, nothing is refused, and the requests
/// are paced by the client (the server enforces the limit and would answer 429 otherwise).
#[tokio::test]
async fn listed_contacts_come_page_by_page_at_the_limit_without_a_429() {
    let window = Duration::from_secs(1);
    let server = listing_server(450, 700, 10, window).await;
    // A second of slack, as the real client keeps: on a loaded machine a request can reach
    // the server late, which squeezes the gaps the server sees.
    let client = client(&server, 10, window + Duration::from_secs(1));
    let mut seen: Vec<SyncProgress> = Vec::new();
    let (mirror, report) = full_sync(
        &client,
        &Mirror::default(),
        &SyncOptions::default(),
        &mut |p| seen.push(p),
    )
    .await
    .unwrap();
    assert_matches_server(&mirror, &server);
    assert_eq!(mirror.contacts_embedded, Some(false));
    let stats = server.control().stats();
    assert_eq!(stats.rate_limited, 0, "no request was refused");
    assert_eq!(report.rate_limited, 0);
    assert!(report.paced, "19 requests do not fit in a window of 10");
    assert!(report.summary().contains("paced"), "{}", report.summary());
    // 5 customer pages of 100 and 14 contact pages of 50: 19 requests, no more.
    assert_eq!(report.requests, 19);
    assert_eq!(stats.by_route.get("GET /customers"), Some(&5));
    assert_eq!(stats.by_route.get("GET /contacts"), Some(&14));
    // Progress knows the page counts from the first page on and ends on the last one.
    let customers = seen.iter().filter(|p| p.phase == SyncPhase::Customers);
    assert!(customers.clone().all(|p| p.total_pages == Some(5)));
    let last = seen.last().unwrap();
    assert_eq!(
        (last.phase, last.page, last.total_pages),
        (SyncPhase::Contacts, 14, Some(14))
    );
    // While customers were synced, the estimate already counted the contact pages: after the
    // first pages, 4 customer and 13 contact pages are left, one every 2 s / 9 (the background
    // share of a window of 10 keeps one slot for the technician).
    let share = 10 - syncro_tui::api::limiter::reserve(10);
    assert_eq!(share, 9);
    let first = seen.first().unwrap();
    let eta = first.eta.expect("an estimate").as_secs_f64();
    assert!((eta - 17.0 * 2.0 / 9.0).abs() < 0.01, "{first:?}");
}

/// Another client behind the same IP takes part of the server's budget: the server answers
/// the sync with 429. The sync waits (Retry-After), slows down, and finishes with every
/// record; each page is fetched successfully exactly once; the 429s are counted.
#[tokio::test]
async fn a_colleague_on_the_same_ip_causes_429s_and_the_sync_still_gets_every_page() {
    let window = Duration::from_secs(1);
    let server = listing_server(300, 450, 10, window).await;
    let client = client(&server, 10, window + Duration::from_millis(500));
    // The colleague's app: its own client (no limiter of ours), on another endpoint. It has
    // just used the whole window, so the sync's first requests are refused for certain; then
    // it keeps using part of the budget.
    let colleague = self::client(&server, 0, window);
    for _ in 0..10 {
        colleague.list_invoices(1).await.unwrap();
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = {
        let (colleague, stop) = (colleague.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = colleague.list_invoices(1).await;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let (mirror, report) = full_sync(
        &client,
        &Mirror::default(),
        &SyncOptions::default(),
        &mut no_progress(),
    )
    .await
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    busy.await.unwrap();

    assert_matches_server(&mirror, &server);
    let stats = server.control().stats();
    let colleague_429s = colleague.stats().rate_limited;
    assert!(report.rate_limited > 0, "the sync met no 429: {stats:?}");
    assert_eq!(report.rate_limited, stats.rate_limited - colleague_429s);
    // 3 customer pages and 9 contact pages answered once each; every other request of the
    // sync was refused with 429 (and so not processed).
    let sent = stats.by_route.get("GET /customers").copied().unwrap_or(0)
        + stats.by_route.get("GET /contacts").copied().unwrap_or(0);
    assert_eq!(sent, report.requests);
    assert_eq!(report.requests - report.rate_limited, 12);
    assert!(
        report.short().contains("rate-limit answers"),
        "{}",
        report.short()
    );
}
