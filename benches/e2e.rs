//! The real binary, end to end, in a pseudo-terminal of 200x50 over a demo server in its own
//! process: the latency a technician feels.
//!
//! ```text
//! cargo bench --bench e2e -- keys  [--customers 1000,10000,100000] [--rounds 3] [--bin PATH]
//! cargo bench --bench e2e -- start [--customers 1000,20000,100000] [--runs 7]   [--bin PATH]
//! ```
//! (`assets/measure-keys.sh` and `assets/measure-start.sh` run these.)
//!
//! For each size: `syncro-tui demo-server --customers N --no-rate-limit` (seed 1) starts in its
//! own process, `syncro-tui --base-url URL sync` fills the mirror file in a temporary home
//! (limiter off: `requests_per_minute = 0`), then the app runs in the pty with that home.
//!
//! - `keys`: the app painted from the mirror and idle (indexed, background sync done, no byte
//!   written for a while). Each key is written to the pty and timed to the end of the frame it
//!   causes: the last byte of the first burst of output after it (a burst ends at a gap of
//!   `BURST_GAP`; one frame is written in well under that). Before the next key the app must be
//!   quiet for `SETTLE` (the search's debounce ticks are over). Keys: `j`, PgDn, `/` and each
//!   character of a few words (a name, an e-mail fragment, phone digits, a typo, a non-Latin
//!   name) then Esc, `F` and the same words then Esc, `s` (each sort key in turn), then the
//!   contacts pane: `c` (open; it is built on a worker the first time, the wait for its rows is
//!   not timed), `/` and a few words, Esc, `s`, `c` back. Each frame is
//!   checked (the typed text is on the screen) so a missed frame is not timed as a fast one.
//! - `start`: from just before the process is spawned (config load, terminal set-up, mirror
//!   file read) to the end of the first frame whose list shows the mirror's rows (its title
//!   says `synced ...`). The app is then stopped; the mirror file stays for the next run.
//!
//! The binary is the one Cargo built for this bench (release profile) unless `--bin` names
//! another (to measure an older build). Timings only: nothing here asserts a budget.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 50;
const COLS: u16 = 200;
/// Output closer together than this is one burst (one frame).
const BURST_GAP: Duration = Duration::from_millis(4);
/// Quiet this long before the next key.
const SETTLE: Duration = Duration::from_millis(400);
/// How long a key may take to show anything before it counts as missed.
const PATIENCE: Duration = Duration::from_secs(5);

/// A name, an e-mail fragment, phone digits, a typo (the fuzzy pass finds `johnson`) and a
/// non-Latin name, all in the demo generator's data.
const WORDS: [&str; 5] = ["smith", "@outlook", "8135559", "jonsn", "Νίκος"];
/// Typed into the contacts pane's filter.
const CONTACT_WORDS: [&str; 3] = ["smith", "@outlook", "Νίκος"];

struct Opts {
    mode: String,
    sizes: Vec<usize>,
    rounds: usize,
    bin: PathBuf,
}

fn opts() -> Opts {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut o = Opts {
        mode: String::new(),
        sizes: Vec::new(),
        rounds: 0,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_syncro-tui")),
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--customers" => {
                o.sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|s| s.trim().replace('_', "").parse().ok())
                    .collect()
            }
            "--rounds" | "--runs" => {
                o.rounds = args.next().and_then(|s| s.parse().ok()).unwrap_or(3)
            }
            "--bin" => o.bin = PathBuf::from(args.next().unwrap_or_default()),
            m if !m.starts_with('-') && o.mode.is_empty() => o.mode = m.to_string(),
            _ => {}
        }
    }
    if o.sizes.is_empty() {
        o.sizes = if o.mode == "start" {
            vec![1_000, 20_000, 100_000]
        } else {
            vec![1_000, 10_000, 100_000]
        };
    }
    if o.rounds == 0 {
        o.rounds = if o.mode == "start" { 7 } else { 3 };
    }
    o
}

fn main() {
    let o = opts();
    if o.mode != "keys" && o.mode != "start" {
        // `cargo bench` without arguments runs every bench: this one only on request.
        eprintln!("e2e: give `keys` or `start` (see benches/e2e.rs); nothing run");
        return;
    }
    println!("binary: {} ({} rounds)", o.bin.display(), o.rounds);
    for &n in &o.sizes {
        let env = Env::new(&o.bin, n);
        match o.mode.as_str() {
            "keys" => keys(&env, o.rounds),
            _ => start(&env, o.rounds),
        }
    }
}

/// A demo server in its own process and a home whose mirror it filled.
struct Env {
    bin: PathBuf,
    customers: usize,
    home: tempfile::TempDir,
    url: String,
    server: Child,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Env {
    fn new(bin: &Path, customers: usize) -> Env {
        let home = tempfile::tempdir().expect("temp home");
        let config = home.path().join("config/syncro-tui");
        std::fs::create_dir_all(&config).expect("config dir");
        std::fs::write(config.join("config.toml"), "requests_per_minute = 0\n").expect("config");
        let mut server = Command::new(bin)
            .args(["demo-server", "--no-rate-limit", "--customers"])
            .arg(customers.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("demo server");
        let out = server.stdout.take().expect("server stdout");
        let mut url = String::new();
        for line in BufReader::new(out).lines() {
            let line = line.expect("server output");
            if let Some(u) = line.strip_prefix("listening on ") {
                url = u.trim().to_string();
                break;
            }
        }
        assert!(!url.is_empty(), "the demo server did not start");
        let mut env = Env {
            bin: bin.to_path_buf(),
            customers,
            home,
            url,
            server,
        };
        let t = Instant::now();
        let status = env
            .command()
            .args(["--base-url", &env.url, "sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("sync");
        assert!(status.success(), "the sync failed");
        let file = std::fs::read_dir(env.home.path().join("data"))
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
            .find(|f| f.file_name().to_string_lossy().starts_with("mirror-"))
            .and_then(|f| f.metadata().ok())
            .map_or(0, |m| m.len());
        println!(
            "\n== {customers} customers: mirror filled in {:.1} s ({:.1} MB file)",
            t.elapsed().as_secs_f64(),
            file as f64 / 1e6
        );
        env.server.stdout = None;
        env
    }

    fn vars(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        let h = self.home.path();
        vec![
            ("HOME", h.into()),
            ("XDG_CONFIG_HOME", h.join("config").into()),
            ("XDG_DATA_HOME", h.join("data").into()),
            ("SYNCRO_API_KEY", "demo-key-0000".into()),
            ("TERM", "xterm-256color".into()),
            ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ]
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.env_clear()
            .envs(self.vars())
            .current_dir(self.home.path());
        c
    }

    /// The app in a pty; `t0` is taken just before the spawn.
    fn spawn_app(&self) -> App {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(&self.bin);
        cmd.args(["--base-url", &self.url]);
        cmd.env_clear();
        for (k, v) in self.vars() {
            cmd.env(k, v);
        }
        cmd.cwd(self.home.path());
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let keys = pty.master.take_writer().expect("writer");
        let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
        let t0 = Instant::now();
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        App {
            t0,
            child,
            keys,
            rx,
            parser: vt100::Parser::new(
                std::num::NonZero::new(ROWS).expect("rows"),
                std::num::NonZero::new(COLS).expect("cols"),
                0,
            ),
            _pty: pty.master,
        }
    }
}

struct App {
    t0: Instant,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    keys: Box<dyn Write + Send>,
    rx: mpsc::Receiver<(Instant, Vec<u8>)>,
    parser: vt100::Parser,
    _pty: Box<dyn MasterPty + Send>,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl App {
    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Output until `done` holds for the screen at the end of a burst; the time of that burst's
    /// last byte. `None` after `PATIENCE` without it.
    fn until(&mut self, patience: Duration, done: impl Fn(&str) -> bool) -> Option<Instant> {
        let deadline = Instant::now() + patience;
        let mut last: Option<Instant> = None;
        loop {
            let wait = match last {
                Some(_) => BURST_GAP,
                None => deadline.saturating_duration_since(Instant::now()),
            };
            match self.rx.recv_timeout(wait) {
                Ok((at, bytes)) => {
                    self.parser.process(&bytes);
                    last = Some(at);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(at) = last.take()
                        && done(&self.screen())
                    {
                        return Some(at);
                    }
                    if Instant::now() >= deadline {
                        return None;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Reads until nothing has come for `quiet`.
    fn settle(&mut self, quiet: Duration) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok((_, bytes)) = self.rx.recv_timeout(quiet) {
            self.parser.process(&bytes);
            if Instant::now() > deadline {
                break;
            }
        }
    }

    /// Writes a key, returns the time to the end of the frame it causes (`None`: no frame
    /// showing `expect` came).
    fn key(&mut self, bytes: &[u8], expect: impl Fn(&str) -> bool) -> Option<Duration> {
        self.settle(SETTLE);
        let t = Instant::now();
        self.keys.write_all(bytes).expect("key");
        self.keys.flush().expect("flush");
        let end = self.until(PATIENCE, expect);
        end.map(|e| e.saturating_duration_since(t))
    }
}

/// `min / median / max (count)` in milliseconds.
fn summary(xs: &mut [Duration]) -> String {
    if xs.is_empty() {
        return "-".into();
    }
    xs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "{:7.2} {:7.2} {:7.2}  ({})",
        ms(xs[0]),
        ms(xs[xs.len() / 2]),
        ms(xs[xs.len() - 1]),
        xs.len()
    )
}

fn start(env: &Env, runs: usize) {
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut app = env.spawn_app();
        let t0 = app.t0;
        match app.until(Duration::from_secs(60), |s| s.contains("synced ")) {
            Some(end) => times.push(end.saturating_duration_since(t0)),
            None => println!("  no rows painted; the screen:\n{}", app.screen()),
        }
        // Let the background sync and the index finish before the next run reads the file.
        app.settle(Duration::from_millis(1500));
        drop(app);
    }
    println!(
        "start to first rows, {} customers (min median max ms):  {}",
        env.customers,
        summary(&mut times)
    );
}

fn keys(env: &Env, rounds: usize) {
    let mut app = env.spawn_app();
    app.until(Duration::from_secs(120), |s| s.contains("synced "))
        .expect("the list is painted from the mirror");
    // Indexed and synced: the background sync's summary replaces "Syncing".
    let t = Instant::now();
    while app.screen().contains("Syncing") && t.elapsed() < Duration::from_secs(300) {
        app.settle(Duration::from_millis(200));
    }
    app.settle(Duration::from_secs(2));

    let mut groups: Vec<(String, Vec<Duration>)> = Vec::new();
    let mut missed = 0;
    let mut put = |groups: &mut Vec<(String, Vec<Duration>)>, name: &str, d: Option<Duration>| {
        let Some(d) = d else {
            missed += 1;
            return;
        };
        match groups.iter_mut().find(|(g, _)| g == name) {
            Some((_, v)) => v.push(d),
            None => groups.push((name.to_string(), vec![d])),
        }
    };
    let any = |_: &str| true;
    for _ in 0..rounds {
        for _ in 0..10 {
            let d = app.key(b"j", any);
            put(&mut groups, "j", d);
        }
        for _ in 0..5 {
            let d = app.key(b"\x1b[6~", any);
            put(&mut groups, "PgDn", d);
        }
        for (opener, name) in [(b"/", "/"), (b"F", "F")] {
            for w in WORDS {
                let d = app.key(opener, any);
                put(&mut groups, &format!("{name} (open)"), d);
                let mut typed = String::new();
                for c in w.chars() {
                    typed.push(c);
                    let mut buf = [0u8; 4];
                    let shown = typed.clone();
                    let d = app.key(c.encode_utf8(&mut buf).as_bytes(), |s| s.contains(&shown));
                    put(&mut groups, &format!("{name} letter"), d);
                    put(&mut groups, &format!("{name} {w}"), d);
                }
                let d = app.key(b"\x1b", any);
                put(&mut groups, &format!("{name} Esc"), d);
            }
        }
        for _ in 0..4 {
            let d = app.key(b"s", any);
            put(&mut groups, "s (sort)", d);
        }
        // The contacts pane (every contact of the account): open, search, sort, back.
        let d = app.key(b"c", any);
        put(&mut groups, "c (open)", d);
        let rows_shown = |s: &str| s.contains(" Contacts ") && !s.contains("reading ");
        if !rows_shown(&app.screen()) && app.until(Duration::from_secs(60), rows_shown).is_none() {
            put(&mut groups, "contacts rows", None);
        }
        for w in CONTACT_WORDS {
            let d = app.key(b"/", any);
            put(&mut groups, "contacts / (open)", d);
            let mut typed = String::new();
            for c in w.chars() {
                typed.push(c);
                let mut buf = [0u8; 4];
                let shown = typed.clone();
                let d = app.key(c.encode_utf8(&mut buf).as_bytes(), |s| s.contains(&shown));
                put(&mut groups, "contacts / letter", d);
                put(&mut groups, &format!("contacts / {w}"), d);
            }
            let d = app.key(b"\x1b", any);
            put(&mut groups, "contacts / Esc", d);
        }
        for _ in 0..4 {
            let d = app.key(b"s", any);
            put(&mut groups, "contacts s", d);
        }
        let d = app.key(b"c", any);
        put(&mut groups, "c (back)", d);
    }
    println!(
        "keystroke to end of frame, {} customers, {rounds} rounds (min median max ms, count):",
        env.customers
    );
    for (name, mut xs) in groups {
        println!("  {name:<14} {}", summary(&mut xs));
    }
    if missed > 0 {
        println!("  ({missed} keys showed no frame with the expected text within {PATIENCE:?})");
    }
}
