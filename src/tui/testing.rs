//! The real loop in a test: [`Runner`] runs [`super::run_loop`] with the real worker against a
//! server on 127.0.0.1, drawn on a `TestBackend` instead of a terminal. Keys go in with
//! [`Runner::keys`] and friends; [`Runner::wait_for_text`] waits for a frame that shows some
//! text, without sleeping. What only a real terminal shows (restoring it on signals, Ctrl-Z,
//! `$EDITOR`, OSC 52) stays with the pty tests.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::{Clock, Host, Input, Setup, run_loop};
use crate::cli::RunArgs;

/// How long [`Runner::wait_for_text`] waits before it gives up and shows the screen.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// What the runner's host records of the things that are not drawing.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    pub copies: Vec<String>,
    pub urls: Vec<String>,
    pub suspends: usize,
    /// The targets of the links on the last frame (`mailto:…`, `tel:…`).
    pub links: Vec<String>,
}

struct Shared {
    screen: Mutex<String>,
    frames: Notify,
    recorded: Mutex<Recorded>,
    /// What `$EDITOR` gives back: the value with this appended.
    editor_suffix: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

struct TestHost {
    terminal: Terminal<TestBackend>,
    input: mpsc::UnboundedReceiver<Input>,
    shared: Arc<Shared>,
}

impl Host for TestHost {
    type Backend = TestBackend;

    fn terminal(&mut self) -> &mut Terminal<TestBackend> {
        &mut self.terminal
    }

    async fn next_input(&mut self) -> Input {
        self.input.recv().await.unwrap_or(Input::Closed)
    }

    fn repaint(&mut self) -> anyhow::Result<()> {
        self.terminal.clear()?;
        Ok(())
    }

    fn copy(&mut self, text: &str) -> std::io::Result<()> {
        lock(&self.shared.recorded).copies.push(text.to_string());
        Ok(())
    }

    fn open_url(&mut self, url: &str) -> std::io::Result<()> {
        lock(&self.shared.recorded).urls.push(url.to_string());
        Ok(())
    }

    fn edit(&mut self, value: &str) -> Result<String, String> {
        Ok(format!("{value}{}", self.shared.editor_suffix))
    }

    fn suspend(&mut self) -> anyhow::Result<()> {
        lock(&self.shared.recorded).suspends += 1;
        Ok(())
    }

    fn links(&mut self, spans: Vec<crate::ui::links::LinkSpan>) -> std::io::Result<()> {
        lock(&self.shared.recorded).links = spans.into_iter().map(|s| s.target).collect();
        Ok(())
    }

    fn drawn(&mut self) {
        let buffer = self.terminal.backend().buffer();
        let area = buffer.area;
        let mut text = String::new();
        for y in 0..area.height {
            for x in 0..area.width {
                if let Some(cell) = buffer.cell((x, y)) {
                    text.push_str(cell.symbol());
                }
            }
            text.push('\n');
        }
        *lock(&self.shared.screen) = text;
        self.shared.frames.notify_waiters();
    }
}

/// How to start a [`Runner`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The server (a demo server on 127.0.0.1).
    pub base_url: String,
    /// The API key the app is given (as `SYNCRO_API_KEY` would).
    pub api_key: Option<String>,
    /// The config file's text (profiles, keys, ...); none: an empty file.
    pub config: String,
    /// `--profile NAME`.
    pub profile: Option<String>,
    pub size: (u16, u16),
    /// What `$EDITOR` appends to the value it is given.
    pub editor_suffix: String,
    /// A data directory to reuse (for a second start); none: a fresh one.
    pub data_dir: Option<PathBuf>,
}

impl Options {
    /// The app's demo mode, as with no server and no key configured: the app starts its
    /// own demo server (on 127.0.0.1, port 0) with its data in the data directory.
    pub fn demo() -> Options {
        Options {
            api_key: None,
            ..Options::new("")
        }
    }

    pub fn new(base_url: &str) -> Options {
        Options {
            base_url: base_url.to_string(),
            api_key: Some("demo-key-for-tests".into()),
            config: String::new(),
            profile: None,
            size: (120, 40),
            editor_suffix: " (edited)".into(),
            data_dir: None,
        }
    }
}

/// The app's real loop, worker and drawing, in this process.
pub struct Runner {
    input: mpsc::UnboundedSender<Input>,
    shared: Arc<Shared>,
    task: Option<JoinHandle<anyhow::Result<Vec<String>>>>,
    /// Seconds the app's wall clock is ahead of the system's.
    clock: Arc<std::sync::atomic::AtomicU64>,
    /// The runner's own directory (config, log, data unless given); removed when it goes.
    dir: PathBuf,
    data_dir: PathBuf,
}

/// A fresh private directory under the system's temporary directory.
fn fresh_dir() -> std::io::Result<PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("syncro-tui-runner-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

impl Runner {
    /// Starts the app as `syncro-tui --base-url URL` would, with a fresh data directory (or
    /// the one given) and its own config file.
    pub fn start(options: Options) -> anyhow::Result<Runner> {
        let dir = fresh_dir()?;
        let data_dir = options.data_dir.clone().unwrap_or_else(|| dir.join("data"));
        std::fs::create_dir_all(&data_dir)?;
        let config_path = dir.join("config.toml");
        std::fs::write(&config_path, &options.config)?;
        let args = RunArgs {
            base_url: (options.profile.is_none() && !options.base_url.is_empty())
                .then(|| options.base_url.clone()),
            profile: options.profile.clone(),
            config: Some(config_path),
            ..RunArgs::default()
        };
        let key = options.api_key.clone();
        let resolved = crate::config::resolve_with(&args, &|k| {
            (k == "SYNCRO_API_KEY").then(|| key.clone()).flatten()
        })?;
        let shared = Arc::new(Shared {
            screen: Mutex::new(String::new()),
            frames: Notify::new(),
            recorded: Mutex::new(Recorded::default()),
            editor_suffix: options.editor_suffix.clone(),
        });
        let clock: Arc<std::sync::atomic::AtomicU64> = Arc::default();
        let (tx, rx) = mpsc::unbounded_channel();
        let mut host = TestHost {
            terminal: Terminal::new(TestBackend::new(options.size.0, options.size.1))?,
            input: rx,
            shared: shared.clone(),
        };
        let setup = Setup {
            resolved,
            args,
            log_path: dir.join("syncro-tui.log"),
            data_dir: data_dir.clone(),
            clock: Clock {
                every: Duration::from_millis(50),
                offset: clock.clone(),
            },
        };
        let task = tokio::spawn(async move { run_loop(&mut host, setup).await });
        Ok(Runner {
            input: tx,
            shared,
            task: Some(task),
            clock,
            dir,
            data_dir,
        })
    }

    /// Moves the app's wall clock forward (it reaches the app within 50 ms).
    pub fn advance_clock(&self, by: Duration) {
        self.clock
            .fetch_add(by.as_secs(), std::sync::atomic::Ordering::SeqCst);
    }

    /// The data directory the app writes to (drafts, the mirror, journals).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// What the last frame shows, one line per row.
    pub fn screen(&self) -> String {
        lock(&self.shared.screen).clone()
    }

    pub fn recorded(&self) -> Recorded {
        lock(&self.shared.recorded).clone()
    }

    /// Sends one key.
    pub fn key(&self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }

    pub fn key_with(&self, code: KeyCode, mods: KeyModifiers) {
        let _ = self
            .input
            .send(Input::Event(Event::Key(KeyEvent::new(code, mods))));
    }

    /// Ctrl and a letter.
    pub fn ctrl(&self, c: char) {
        self.key_with(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    /// Each character as a key press (`\n` is Enter, `\x1b` is Esc, `\t` is Tab).
    pub fn keys(&self, text: &str) {
        for c in text.chars() {
            match c {
                '\n' => self.key(KeyCode::Enter),
                '\x1b' => self.key(KeyCode::Esc),
                '\t' => self.key(KeyCode::Tab),
                c => self.key(KeyCode::Char(c)),
            }
        }
    }

    /// A new terminal size.
    pub fn resize(&self, w: u16, h: u16) {
        let _ = self.input.send(Input::Event(Event::Resize(w, h)));
    }

    /// Waits for a frame whose text `pred` accepts, and returns it; on time-out the test fails
    /// with the screen it saw.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let frame = self.shared.frames.notified();
            let text = self.screen();
            if pred(&text) {
                return text;
            }
            if self.task.as_ref().is_some_and(JoinHandle::is_finished) {
                panic!("the app stopped while waiting for {what}; the screen shows:\n{text}");
            }
            if tokio::time::timeout_at(deadline, frame).await.is_err() {
                panic!(
                    "timed out waiting for {what}; the screen shows:\n{}",
                    self.screen()
                );
            }
        }
    }

    /// Waits for a frame that shows `text`.
    pub async fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text)).await
    }

    /// Ends the app as a signal would and returns what it could not keep.
    pub async fn stop(mut self) -> Vec<String> {
        let _ = self.input.send(Input::Stop);
        self.join().await
    }

    /// Waits for the app to end by itself (after a quit key).
    pub async fn join(&mut self) -> Vec<String> {
        let Some(task) = self.task.take() else {
            return Vec::new();
        };
        match tokio::time::timeout(PATIENCE, task).await {
            Ok(Ok(Ok(left))) => left,
            Ok(Ok(Err(e))) => panic!("the app ended with an error: {e:#}"),
            Ok(Err(e)) => panic!("the app's task failed: {e}"),
            Err(_) => panic!("the app did not end; the screen shows:\n{}", self.screen()),
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
