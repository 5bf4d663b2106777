//! The real binary in a pseudo-terminal, against a demo server started in this test, read
//! through a vt100 parser (ratatui writes only changed cells, so raw bytes cannot be matched).

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use secrecy::SecretString;
use syncro_tui::api::model::Customer;
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer};

const ROWS: u16 = 30;
const COLS: u16 = 100;
/// How long to wait for the screen to show something (a poll loop, not a timing assertion).
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// What the test looks for: a customer with contacts and tickets, found through the API.
struct Target {
    email: String,
    name: String,
    contact: String,
    ticket_number: String,
}

/// The first customer of page 1 that `wanted` accepts and whose e-mail the search narrows to
/// exactly that customer, in the loaded rows (its own and its contacts' e-mails) and on the
/// server.
pub(crate) async fn narrowing_customer(
    base_url: &str,
    wanted: impl AsyncFn(&SyncroClient, &Customer) -> bool,
) -> Customer {
    let client =
        SyncroClient::new(ClientConfig::new(base_url, SecretString::from(KEY))).expect("client");
    let page = client
        .list_customers(&CustomerQuery {
            page: 1,
            ..CustomerQuery::default()
        })
        .await
        .expect("customers");
    let mentions = |c: &Customer, e: &str| {
        c.email
            .as_deref()
            .is_some_and(|x| x.to_lowercase().contains(e))
            || c.contacts.iter().any(|ct| {
                ct.email
                    .as_deref()
                    .is_some_and(|x| x.to_lowercase().contains(e))
            })
    };
    for c in &page.items {
        let Some(email) = c.email.clone().filter(|e| e.is_ascii() && e.len() < 40) else {
            continue;
        };
        let needle = email.to_lowercase();
        if page.items.iter().filter(|o| mentions(o, &needle)).count() != 1 {
            continue;
        }
        if !wanted(&client, c).await {
            continue;
        }
        let on_server = client
            .list_customers(&CustomerQuery {
                query: Some(email.clone()),
                page: 1,
                ..CustomerQuery::default()
            })
            .await
            .expect("search");
        if on_server.meta.total_entries == Some(1) {
            return c.clone();
        }
    }
    panic!("the demo data has no such customer on page 1");
}

/// The newest ticket's number of a customer, if it has tickets.
async fn newest_ticket(client: &SyncroClient, id: syncro_tui::api::model::Id) -> Option<String> {
    let mut tickets = client.list_tickets(id, 1).await.expect("tickets").items;
    tickets.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    tickets.first().and_then(|t| t.number.clone())
}

/// A customer with a named contact and tickets.
async fn pick_target(base_url: &str) -> Target {
    let c = narrowing_customer(base_url, async |client, c| {
        c.contacts.iter().any(|ct| ct.name.is_some()) && newest_ticket(client, c.id).await.is_some()
    })
    .await;
    let client =
        SyncroClient::new(ClientConfig::new(base_url, SecretString::from(KEY))).expect("client");
    Target {
        email: c.email.clone().unwrap_or_default(),
        name: c.display_name(),
        contact: c
            .contacts
            .iter()
            .find_map(|ct| ct.name.clone())
            .unwrap_or_default(),
        ticket_number: newest_ticket(&client, c.id).await.unwrap_or_default(),
    }
}

/// The child's screen, fed by a reader thread.
pub(crate) struct Screen {
    parser: vt100::Parser,
    rx: mpsc::Receiver<Vec<u8>>,
    raw: Vec<u8>,
}

impl Screen {
    fn pump(&mut self) {
        while let Ok(bytes) = self.rx.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }

    pub(crate) fn text(&mut self) -> String {
        self.pump();
        self.parser.screen().contents()
    }

    /// Polls the screen until `pred` holds; panics with the screen after `PATIENCE`.
    pub(crate) fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if pred(&text) {
                return text;
            }
            if start.elapsed() > PATIENCE {
                panic!("timed out waiting for {what}; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The visible characters of `s` that a narrow column still shows (before any `…`).
pub(crate) fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The app running in a pseudo-terminal, its screen, and its keyboard.
pub(crate) struct Session {
    pub(crate) child: Box<dyn portable_pty::Child + Send + Sync>,
    pub(crate) screen: Screen,
    keys: Box<dyn Write + Send>,
    _pty: Box<dyn portable_pty::MasterPty + Send>,
    home: std::path::PathBuf,
    /// The temporary home this session made, removed with it (none when the caller owns it).
    _temp: Option<tempfile::TempDir>,
}

impl Session {
    /// Starts the binary against `base_url` with the key `demo`, in a clean home directory.
    pub(crate) fn start(base_url: &str) -> Session {
        Session::start_with(base_url, |_| {})
    }

    /// Like [`Session::start`], with `setup` run on the home directory first (to write a
    /// config file to `config/syncro-tui/config.toml`, say).
    pub(crate) fn start_with(base_url: &str, setup: impl FnOnce(&std::path::Path)) -> Session {
        let temp = tempfile::tempdir().expect("temp dir");
        setup(temp.path());
        let mut session = Session::start_in(base_url, temp.path());
        session._temp = Some(temp);
        session
    }

    /// Starts the binary in `home`, which the caller keeps: a later session in the same home
    /// finds the drafts and the mirror the first one left.
    pub(crate) fn start_in(base_url: &str, home: &std::path::Path) -> Session {
        Session::start_in_env(base_url, home, &[])
    }

    /// [`Session::start_in`] with more environment variables (`VISUAL`, say).
    pub(crate) fn start_in_env(
        base_url: &str,
        home: &std::path::Path,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_syncro-tui"));
        cmd.args(["--base-url", base_url]);
        Session::spawn(cmd, home, env)
    }

    /// An interactive bash with job control in the pty (the app is then started by typing
    /// its command line, see [`app_command`]), for what only a shell can do: Ctrl-Z and `fg`.
    pub(crate) fn start_shell(home: &std::path::Path) -> Session {
        let mut cmd = CommandBuilder::new("bash");
        cmd.args(["--norc", "--noprofile", "-i"]);
        let mut sh = Session::spawn(cmd, home, &[]);
        // The environment is cleared for the child, so the prompt is set by typing it.
        sh.screen
            .wait_for("the first prompt", |s| !s.trim().is_empty());
        sh.send(b"PS1='shell$ '\r");
        sh
    }

    fn spawn(
        mut cmd: CommandBuilder,
        home: &std::path::Path,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        cmd.env_clear();
        cmd.env("SYNCRO_API_KEY", KEY);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in env {
            cmd.env(k, v);
        }
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
        Session {
            child,
            screen: Screen {
                parser: vt100::Parser::new(
                    std::num::NonZero::new(ROWS).unwrap(),
                    std::num::NonZero::new(COLS).unwrap(),
                    0,
                ),
                rx,
                raw: Vec::new(),
            },
            keys,
            _pty: pty.master,
            home: home.to_path_buf(),
            _temp: None,
        }
    }

    /// The home directory (`XDG_DATA_HOME` is `data/` inside it).
    pub(crate) fn home(&self) -> &std::path::Path {
        &self.home
    }

    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).expect("write keys");
        self.keys.flush().expect("flush keys");
    }

    /// Sends one key and lets the app take it alone (an Esc followed at once by a letter
    /// would read as Alt-letter).
    pub(crate) fn key(&mut self, bytes: &[u8]) {
        self.send(bytes);
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Polls the screen until `pred` holds; on time-out the app is killed and the screen shown.
    pub(crate) fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.screen.text();
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

    /// `q`, then the app must end with success.
    pub(crate) fn quit(&mut self) {
        self.key(b"q");
        let status = self.exit_status();
        assert!(status.success(), "exit status {status:?}");
    }

    /// Waits for the process to end (never forever), then reads what it wrote last.
    pub(crate) fn exit_status(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!(
                    "the app did not exit; the screen shows:\n{}",
                    self.screen.text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // Let the reader thread deliver the last bytes.
        std::thread::sleep(Duration::from_millis(200));
        self.screen.pump();
        status
    }

    /// The terminal is back as it was: main screen, and the leave sequence was written.
    fn assert_restored(&mut self) {
        assert!(
            !self.screen.parser.screen().alternate_screen(),
            "the terminal is back on the main screen"
        );
        let raw = String::from_utf8_lossy(&self.screen.raw);
        assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    }
}

/// The shell command line that starts the app against `base_url` (the key comes from the
/// session's environment).
pub(crate) fn app_command(base_url: &str) -> String {
    format!(
        "{} --base-url {base_url}\r",
        env!("CARGO_BIN_EXE_syncro-tui")
    )
}

/// The API key of the demo servers the app is started against: as long as a real key must be
/// (the app refuses keys under 8 characters).
pub(crate) const KEY: &str = "demo-pty-key-0001";

pub(crate) async fn demo_server() -> DemoServer {
    DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            api_key: KEY.into(),
            rate_limit: None,
            // The screens these tests read assume the sync that embedded contacts allow (a
            // handful of requests); contacts without a customer are covered in `hardening`.
            vendor_contacts: 0,
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo server")
}

/// The first pages from the server, or the account mirror once the background sync built it.
pub(crate) fn list_shown(s: &str) -> bool {
    (s.contains("Customers 100 of") || s.contains("synced just now"))
        && !s.contains("DEMO")
        && s.contains("Phone")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_search_and_read_a_customer_then_quit() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let target = pick_target(&base_url).await;

    tokio::task::spawn_blocking(move || {
        let mut app = Session::start(&base_url);

        // The list appears, with the loaded-of-total count in its title.
        let first = app.screen.wait_for("the customer list", list_shown);
        assert!(app.screen.parser.screen().alternate_screen());
        let shown_before = first.lines().filter(|l| l.contains('(')).count();

        // The search narrows it: first locally, then from the server (or, once the background
        // sync built the account mirror, from the whole account at once).
        app.send(b"/");
        app.send(target.email.as_bytes());
        let narrowed = app.screen.wait_for("the search to narrow the list", |s| {
            s.contains("1 matching")
                && (s.contains("server 1 of 1 ") || s.contains("whole account"))
        });
        let name = prefix(&target.name, 12);
        assert!(narrowed.contains(&name), "{narrowed}");
        let shown_after = narrowed.lines().filter(|l| l.contains('(')).count();
        assert!(shown_after < shown_before, "{narrowed}");

        // Enter keeps the filter; the detail shows the customer's contacts and tickets.
        app.send(b"\r");
        app.send(b"2");
        let contact = prefix(&target.contact, 10);
        app.screen.wait_for("the Contacts tab", |s| {
            s.contains("2 Contacts") && s.contains(&contact)
        });
        app.send(b"3");
        let number = target.ticket_number.clone();
        app.screen.wait_for("the Tickets tab", |s| {
            s.contains("3 Tickets") && s.contains(&number)
        });

        // q quits with success and the terminal restored.
        app.send(b"q");
        let status = app.exit_status();
        assert!(status.success(), "exit status {status:?}");
        app.assert_restored();
    })
    .await
    .expect("pty task");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_restores_the_terminal() {
    let server = demo_server().await;
    let base_url = server.base_url();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start(&base_url);
        app.screen.wait_for("the customer list", list_shown);
        let pid = app.child.process_id().expect("pid");
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        app.exit_status();
        app.assert_restored();
    })
    .await
    .expect("pty task");
    server.shutdown().await;
}

/// SIGQUIT and SIGUSR1 end the app like SIGTERM: the terminal is restored and an open form's
/// typing is kept as a draft.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigquit_and_sigusr1_restore_the_terminal_and_keep_the_form_as_a_draft() {
    let server = demo_server().await;
    for signal in ["-QUIT", "-USR1"] {
        let base_url = server.base_url();
        tokio::task::spawn_blocking(move || {
            let mut app = Session::start(&base_url);
            app.screen.wait_for("the customer list", list_shown);
            app.key(b"e");
            app.wait_for("the form", |s| s.contains("Edit customer"));
            app.send(b"Kept on SIGQUIT");
            app.wait_for("the typing", |s| s.contains("Kept on SIGQUIT"));
            let pid = app.child.process_id().expect("pid");
            let killed = std::process::Command::new("kill")
                .args([signal, &pid.to_string()])
                .status()
                .expect("kill");
            assert!(killed.success());
            let status = app.exit_status();
            assert!(status.success(), "{signal}: {status:?}");
            app.assert_restored();
            let drafts = app.home().join("data/syncro-tui/drafts");
            let kept = std::fs::read_dir(&drafts)
                .unwrap_or_else(|e| panic!("{signal}: {}: {e}", drafts.display()))
                .filter_map(Result::ok)
                .any(|f| {
                    std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains("Kept on SIGQUIT"))
                });
            assert!(kept, "{signal}: the draft holds what was typed");
        })
        .await
        .expect("pty task");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_z_stops_like_a_shell_job_and_fg_brings_the_same_screen_back() {
    let server = demo_server().await;
    let base_url = server.base_url();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().expect("temp dir");
        let mut sh = Session::start_shell(home.path());
        sh.screen
            .wait_for("the shell prompt", |s| s.contains("shell$"));
        sh.send(app_command(&base_url).as_bytes());
        sh.wait_for("the customer list", list_shown);
        // Somewhere recognisable: the help overlay.
        sh.key(b"?");
        sh.wait_for("the help", |s| s.contains("┏ Help"));

        sh.key(b"\x1a");
        let stopped = sh.wait_for("the shell to report the stopped job", |s| {
            s.contains("Stopped") && s.lines().any(|l| l.starts_with("shell$"))
        });
        assert!(!sh.screen.parser.screen().alternate_screen(), "{stopped}");

        sh.send(b"fg\r");
        let back = sh.wait_for("the app back on the same screen", |s| s.contains("┏ Help"));
        assert!(!back.contains("Could not suspend"), "{back}");
        assert!(sh.screen.parser.screen().alternate_screen());
        // And it still takes keys.
        sh.key(b"\x1b");
        sh.wait_for("the list again", |s| {
            !s.contains("┏ Help") && s.contains("Phone")
        });
        sh.key(b"q");
        sh.wait_for("the prompt after the app ended", |s| {
            s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(str::trim_end)
                == Some("shell$")
        });
        assert!(!sh.screen.parser.screen().alternate_screen());
        sh.send(b"exit\r");
        let status = sh.exit_status();
        assert!(status.success(), "{status:?}");
    })
    .await
    .expect("pty task");
    server.shutdown().await;
}
