//! Rendering and search budgets of design.md, measured.
//!
//! - `frame`: one full frame at 200x50 with 100 and with 100,000 customers loaded. Only the
//!   visible rows are built, so both should cost the same (budget: 1 ms).
//! - `keystroke`: one key typed into the search with 100,000 customers loaded: `update` (the
//!   local filter) and then the repaint, as the loop does it (budget: 16 ms). The first key of
//!   a search scans every row; a key that extends the text only re-checks the rows still shown.
//! - `first_rows`: from a new `App` to the first frame with customer rows on the demo data: the
//!   first page requested over real HTTP from a demo server on 127.0.0.1, decoded, turned into
//!   rows and drawn (budget: 100 ms). `with_demo_start` also starts the demo server (data
//!   generation included), as the binary does without an API key. Terminal set-up is not
//!   included: it is a few escape sequences.
//!
//! Run: `cargo bench --bench render`.

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::SecretString;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::app::{Action, App, Effect, fixtures, update};
use syncro_tui::demo::{DemoConfig, DemoServer};
use tui_input::InputRequest;

fn main() {
    divan::main();
}

fn loaded(n: usize) -> App {
    fixtures::app_with((200, 50), fixtures::many(n), 1, n as u64)
}

fn big() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| loaded(100_000))
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| syncro_tui::ui::draw(app, f)).unwrap();
}

mod frame {
    use super::*;

    #[divan::bench(args = [100, 100_000])]
    fn at_200x50(bencher: Bencher, rows: usize) {
        let app = if rows == 100_000 {
            big().clone()
        } else {
            loaded(rows)
        };
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        bencher.bench_local(|| {
            // A fresh back buffer each time: the whole frame is rendered and diffed.
            term.clear().unwrap();
            draw(&mut term, &app);
        });
    }
}

mod keystroke {
    use super::*;

    fn searching(text: &str) -> App {
        let mut app = big().clone();
        update(&mut app, Action::Cmd(syncro_tui::app::Cmd::Search));
        for c in text.chars() {
            update(&mut app, Action::SearchEdit(InputRequest::InsertChar(c)));
        }
        app
    }

    /// The first key of a search: every one of the 100,000 rows is checked (and all match).
    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn first_key_and_repaint_100k(bencher: Bencher) {
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        bencher
            .with_inputs(|| searching(""))
            .bench_local_values(|mut app| {
                update(&mut app, Action::SearchEdit(InputRequest::InsertChar('c')));
                draw(&mut term, &app);
                app
            });
    }

    /// A key that edits the middle of the text: not a narrowing, so a full scan again.
    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn backspace_and_repaint_100k(bencher: Bencher) {
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        bencher
            .with_inputs(|| searching("company 04"))
            .bench_local_values(|mut app| {
                update(&mut app, Action::SearchEdit(InputRequest::DeletePrevChar));
                draw(&mut term, &app);
                app
            });
    }

    /// A phone-number search (digits), the other haystack.
    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn phone_digits_and_repaint_100k(bencher: Bencher) {
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        bencher
            .with_inputs(|| searching("555 004"))
            .bench_local_values(|mut app| {
                update(&mut app, Action::SearchEdit(InputRequest::InsertChar('2')));
                draw(&mut term, &app);
                app
            });
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
    async fn first_frame(base_url: &str, term: &mut Terminal<TestBackend>) {
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
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        bencher.bench_local(|| rt.block_on(first_frame(&url, &mut term)));
        rt.block_on(server.shutdown());
    }

    #[divan::bench(sample_count = 10)]
    fn with_demo_start(bencher: Bencher) {
        let rt = runtime();
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
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
