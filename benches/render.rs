//! Rendering budgets of design.md, measured on the demo generator's data (see
//! `benches/common`).
//!
//! - `frame`: one frame at 200x50 with 1,000, 10,000 and 100,000 customers loaded from the
//!   mirror, into a terminal whose previous frame differs (the cursor alternates between two
//!   rows, so the list, the detail pane and the status line change), diffed and encoded into
//!   escape sequences as the app's terminal does. Only the visible rows are built, so every
//!   size should cost the same (budget: 1 ms).
//!   `contacts_pane_at_200x50`: the same in the contacts pane; `contacts_pane_links_at_200x50`:
//!   the pane's frame with the links the loop writes after it (hyperlinks on).
//! - `first_rows`: from a new `App` to the first frame with customer rows on the demo data: the
//!   first page requested over real HTTP from a demo server on 127.0.0.1, decoded, turned into
//!   rows and drawn (budget: 100 ms). `with_demo_start` also starts the demo server (data
//!   generation included), as the binary does without an API key. The start from the mirror
//!   file is in `benches/mirror_start.rs`, and end to end (process, config, terminal) in
//!   `benches/e2e.rs`.
//! - Keystrokes are in `benches/keys.rs`.
//!
//! Run: `cargo bench --bench render`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::OnceLock;

use common::{Screen, draw, indexed_app, press, screen};
use crossterm::event::KeyCode;
use divan::Bencher;
use secrecy::SecretString;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::app::{Action, App, Effect, fixtures, update};
use syncro_tui::demo::{DemoConfig, DemoServer};

fn main() {
    divan::main();
}

mod frame {
    use super::*;

    /// Frames of `a` and of `a` after `j`, in turn, each diffed against the other.
    fn cursor_flips(bencher: Bencher, a: App) {
        let mut b = a.clone();
        press(&mut b, KeyCode::Char('j'));
        let mut term = screen();
        draw(&mut term, &a);
        let mut flip = false;
        bencher.bench_local(|| {
            flip = !flip;
            draw(&mut term, if flip { &b } else { &a });
        });
    }

    #[divan::bench(args = common::SIZES)]
    fn at_200x50(bencher: Bencher, n: usize) {
        cursor_flips(bencher, indexed_app(n).clone());
    }

    /// What the loop does after each frame when hyperlinks are on (the default): the e-mail
    /// addresses and phone numbers the frame offered are found on it, and those not linked on
    /// the frame before are written as links. Here the contacts pane (an e-mail and a phone on
    /// every row) alternates with the same pane filtered by a letter, so most rows change.
    #[divan::bench(args = common::SIZES)]
    fn contacts_pane_links_at_200x50(bencher: Bencher, n: usize) {
        use syncro_tui::ui::links;
        let mut a = indexed_app(n).clone();
        common::open_contacts_pane(&mut a);
        let mut b = a.clone();
        press(&mut b, KeyCode::Char('/'));
        press(&mut b, KeyCode::Char('s'));
        let mut term = screen();
        draw(&mut term, &a);
        links::take();
        let mut last: Vec<links::LinkSpan> = Vec::new();
        let mut flip = false;
        bencher.bench_local(|| {
            flip = !flip;
            let frame = term
                .draw(|f| syncro_tui::ui::draw(if flip { &b } else { &a }, f))
                .expect("draw");
            let spans = links::find(frame.buffer, &links::take());
            let new: Vec<_> = spans
                .iter()
                .filter(|s| !last.contains(s))
                .cloned()
                .collect();
            let out = links::encode(&new);
            last = spans;
            divan::black_box(out.len())
        });
    }

    /// The same in the contacts pane (every contact of the account: 291,380 at 100,000
    /// customers), the cursor alternating between two contacts of different customers.
    #[divan::bench(args = common::SIZES)]
    fn contacts_pane_at_200x50(bencher: Bencher, n: usize) {
        let mut a = indexed_app(n).clone();
        common::open_contacts_pane(&mut a);
        cursor_flips(bencher, a);
    }
}

mod first_rows {
    use super::*;

    fn runtime() -> &'static tokio::runtime::Runtime {
        static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
        RT.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
        })
    }

    fn demo_config() -> DemoConfig {
        DemoConfig {
            rate_limit: None,
            ..DemoConfig::default()
        }
    }

    /// App start to the first painted rows: the first page over HTTP, decoded, drawn.
    async fn first_frame(base_url: &str, term: &mut Screen) {
        let mut cfg = ClientConfig::new(base_url, SecretString::from("demo"));
        cfg.requests_per_minute = 0;
        let client = SyncroClient::new(cfg).unwrap();
        let mut app = App::new(fixtures::config());
        update(&mut app, Action::Resize(200, 50));
        let fx = syncro_tui::app::update::start(&mut app);
        let Some(Effect::LoadCustomers { generation, query }) = fx.into_iter().next() else {
            panic!("no first request")
        };
        let result = client.list_customers(&query).await;
        update(
            &mut app,
            Action::CustomersLoaded {
                generation,
                page: 1,
                result,
            },
        );
        assert!(!app.list.shown.is_empty());
        // A blank terminal: every cell of the first frame is written.
        *term = screen();
        draw(term, &app);
    }

    #[divan::bench(sample_count = 30)]
    fn on_running_demo_server(bencher: Bencher) {
        let rt = runtime();
        let server = rt
            .block_on(DemoServer::start(
                "127.0.0.1:0".parse().unwrap(),
                demo_config(),
            ))
            .unwrap();
        let url = server.base_url();
        let mut term = screen();
        bencher.bench_local(|| rt.block_on(first_frame(&url, &mut term)));
        rt.block_on(server.shutdown());
    }

    #[divan::bench(sample_count = 10)]
    fn with_demo_start(bencher: Bencher) {
        let rt = runtime();
        let mut term = screen();
        bencher.bench_local(|| {
            rt.block_on(async {
                let server = DemoServer::start("127.0.0.1:0".parse().unwrap(), demo_config())
                    .await
                    .unwrap();
                first_frame(&server.base_url(), &mut term).await;
                server.shutdown().await;
            })
        });
    }
}
