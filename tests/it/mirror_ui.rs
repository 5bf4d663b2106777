//! The account mirror in the running app, in a pseudo-terminal: the first start builds the
//! mirror in the background, the second paints from it before any request can answer.

use std::time::{Duration, Instant};

use syncro_tui::demo::{DemoConfig, DemoServer};

use super::pty::{PATIENCE, Session};

/// Rows of the customer list on screen (their phone column holds `(`).
fn list_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.starts_with('┃') || l.starts_with('│'))
        .filter(|l| l.contains(") 555-") || l.contains("(5"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_start_paints_from_the_mirror_before_any_request_answers() {
    let server = DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            api_key: crate::pty::KEY.into(),
            rate_limit: None,
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo server");
    let base_url = server.base_url();
    let control = server.control();

    let home = tempfile::tempdir().expect("temp dir");
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        // First start: no mirror, the list pages from the server while a full sync builds it.
        let mut app = Session::start_in(&base_url, &home_path);
        app.wait_for("the first sync to finish", |s| {
            s.contains("synced just now")
        });
        // The file is written right after the list was replaced.
        let data = home_path.join("data").join("syncro-tui");
        let start = Instant::now();
        let has_mirror = || {
            std::fs::read_dir(&data).is_ok_and(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .any(|f| f.starts_with("mirror-") && f.ends_with(".bin"))
            })
        };
        while !has_mirror() {
            assert!(start.elapsed() < PATIENCE, "no mirror file in {data:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        app.quit();

        // Second start with every answer delayed longer than this test ever waits: whatever
        // rows appear come from the mirror file.
        control.set_latency(Duration::from_secs(60));
        control.reset_stats();
        let mut app = Session::start_in(&base_url, &home_path);
        let screen = app.wait_for("rows painted from the mirror", |s| {
            list_rows(s) >= 10 && s.contains("synced ")
        });
        assert!(screen.contains("Syncing"), "still syncing:\n{screen}");
        assert!(
            !screen.contains("Synced "),
            "the sync has not finished: {screen}"
        );
        // The app asked the server for no page of its own; only the sync's first request
        // (changes since the last sync) is in flight.
        let stats = control.stats();
        let customer_requests = stats.by_route.get("GET /customers").copied().unwrap_or(0);
        assert!(customer_requests <= 1, "{:?}", stats.by_route);

        // The whole-account search answers from the mirror too, while the server is silent.
        app.send(b"F");
        app.wait_for("the find popup", |s| s.contains("Find anywhere"));
        app.send(b"acme");
        let found = app.wait_for("ranked results", |s| {
            s.contains("Find anywhere ") && s.contains("business name: Acme")
        });
        assert!(
            found.contains("prefix") || found.contains("exact"),
            "{found}"
        );
        app.send(b"\r");
        app.wait_for("the popup to close on the customer", |s| {
            let title = s.lines().next().unwrap_or("").to_lowercase();
            !s.contains("Find anywhere") && title.contains("┌ acme")
        });
        app.quit();
    })
    .await
    .expect("pty task");
    server.shutdown().await;
}
