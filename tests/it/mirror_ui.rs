//! The account mirror in the running app, in a pseudo-terminal: the first start builds the
//! mirror in the background, the second paints from it before any request can answer.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use syncro_tui::demo::{DemoConfig, DemoServer};

const ROWS: u16 = 30;
const COLS: u16 = 100;
/// How long to wait for the screen to show something (a poll loop, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(20);

/// The app in a pseudo-terminal with its home directory in `home`, read through vt100.
struct App {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    parser: vt100::Parser,
    rx: mpsc::Receiver<Vec<u8>>,
    keys: Box<dyn Write + Send>,
    _pty: Box<dyn portable_pty::MasterPty + Send>,
}

impl App {
    fn start(base_url: &str, home: &Path) -> App {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_syncro-tui"));
        cmd.args(["--base-url", base_url]);
        cmd.env_clear();
        cmd.env("SYNCRO_API_KEY", "demo");
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.cwd(home);
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let keys = pty.master.take_writer().expect("writer");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        App {
            child,
            parser: vt100::Parser::new(
                std::num::NonZero::new(ROWS).unwrap(),
                std::num::NonZero::new(COLS).unwrap(),
                0,
            ),
            rx,
            keys,
            _pty: pty.master,
        }
    }

    fn text(&mut self) -> String {
        while let Ok(bytes) = self.rx.try_recv() {
            self.parser.process(&bytes);
        }
        self.parser.screen().contents()
    }

    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if pred(&text) {
                return text;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("timed out waiting for {what}; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).expect("write keys");
        self.keys.flush().expect("flush keys");
    }

    fn quit(&mut self) {
        self.send(b"q");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                assert!(status.success(), "exit status {status:?}");
                return;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("the app did not quit:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

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
        let mut app = App::start(&base_url, &home_path);
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
        let mut app = App::start(&base_url, &home_path);
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
