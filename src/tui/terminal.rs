//! The real terminal: raw mode and the alternate screen, undone on exit, on error, on a panic
//! anywhere (the panic hook restores first, also for panics in spawned tasks) and on the
//! signals that end the app; Ctrl-Z and `$EDITOR`; OSC 52 for the clipboard.

use std::io::{Stdout, Write, stdout};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, EventStream};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc::UnboundedSender;

use super::{Host, Input};
use crate::app::Action;

/// The terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// A panic happened somewhere; the loop stops at once.
pub(super) static PANICKED: AtomicBool = AtomicBool::new(false);
/// Wakes the loop after a panic in a spawned task.
pub(super) static WAKE: OnceLock<UnboundedSender<Action>> = OnceLock::new();

/// Leaves raw mode and the alternate screen. Safe to call more than once and from the panic
/// hook; only the first call after `enter` does anything.
pub(super) fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let mut out = stdout();
        let _ = execute!(
            out,
            DisableMouseCapture,
            LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = out.flush();
    }
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            // Restore first, so the message lands on the normal screen.
            restore();
            previous(info);
            if let Some(tx) = WAKE.get() {
                let _ = tx.send(Action::Notice {
                    text: "internal error".into(),
                    error: true,
                });
            }
        }));
    });
}

/// Raw mode, alternate screen and (when configured) mouse capture, undone by [`restore`].
fn enter(mouse: bool) -> anyhow::Result<Terminal<CrosstermBackend<Stdout>>> {
    install_panic_hook();
    enable_raw_mode().context("switching the terminal to raw mode")?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = stdout();
    // Terminal::clear would ask the terminal for the cursor position; a fresh alternate
    // screen only needs erasing.
    execute!(out, EnterAlternateScreen, Clear(ClearType::All))?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(Terminal::new(CrosstermBackend::new(stdout()))?)
}

/// Erases the screen and starts from empty buffers, so the next frame paints every cell.
/// (`Terminal::clear` would ask the terminal for the cursor position first, which a terminal
/// that does not answer turns into a two-second stall and an error.)
/// The erase is only queued: it reaches the terminal with the next frame, in one write, so the
/// screen never shows blank in between.
fn repaint(terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> anyhow::Result<()> {
    crossterm::queue!(terminal.backend_mut(), Clear(ClearType::All))?;
    *terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    Ok(())
}

/// OSC 52: asks the terminal to put `text` on the clipboard. `text` is already sanitised.
pub(super) fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn open_url(url: &str) -> std::io::Result<()> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

/// Ctrl-Z: gives the terminal back, stops the process group as the shell's job control
/// would (raw mode keeps the terminal from sending SIGTSTP itself), and takes the screen back
/// when the shell continues the job (`fg`).
fn suspend(mouse: bool, terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> anyhow::Result<()> {
    restore();
    let stopped = rustix::process::kill_current_process_group(rustix::process::Signal::TSTP);
    // Execution continues here on SIGCONT (or at once if the signal could not be sent).
    // A fresh terminal on a cleared screen: the next frame paints every cell.
    *terminal = enter(mouse)?;
    stopped.context("sending SIGTSTP")?;
    Ok(())
}

/// Suspends the terminal, edits `value` in `$VISUAL` / `$EDITOR` (else `vi`) on a private
/// temporary file, and restores the terminal whatever happened.
fn edit_externally(
    value: &str,
    mouse: bool,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let path = std::env::temp_dir().join(format!(
        "syncro-tui-field-{}-{}.txt",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let write = || -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(&path)?.write_all(value.as_bytes())
    };
    if let Err(e) = write() {
        return Err(format!("could not write a temporary file: {e}"));
    }
    restore();
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi").to_string();
    let status = std::process::Command::new(&program)
        .args(parts)
        .arg(&path)
        .status();
    let back = enter(mouse).map(|t| *terminal = t);
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map_err(|e| format!("could not read the edited text: {e}")),
        Ok(s) => Err(format!("{program} exited with {s}")),
        Err(e) => Err(format!("{program}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    back.map_err(|e| format!("could not restore the terminal: {e}"))?;
    result
}

/// The app on the real terminal: crossterm's event stream, the signals that end the app, and
/// the terminal operations the loop cannot do by drawing.
pub struct TerminalHost {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    events: EventStream,
    mouse: bool,
    sigterm: Signal,
    sighup: Signal,
    sigint: Signal,
    sigquit: Signal,
    sigusr1: Signal,
    /// The links written over the last frames and still on screen: ratatui leaves unchanged
    /// cells alone, and the terminal keeps a link on its cells until they are written again.
    links: Vec<crate::ui::links::LinkSpan>,
}

impl TerminalHost {
    /// Takes the terminal (raw mode, alternate screen, mouse capture when configured).
    pub fn enter(mouse: bool) -> anyhow::Result<TerminalHost> {
        Ok(TerminalHost {
            terminal: enter(mouse)?,
            events: EventStream::new(),
            mouse,
            sigterm: signal(SignalKind::terminate())?,
            sighup: signal(SignalKind::hangup())?,
            sigint: signal(SignalKind::interrupt())?,
            sigquit: signal(SignalKind::quit())?,
            sigusr1: signal(SignalKind::user_defined1())?,
            links: Vec::new(),
        })
    }
}

impl Host for TerminalHost {
    type Backend = CrosstermBackend<Stdout>;

    fn terminal(&mut self) -> &mut Terminal<Self::Backend> {
        &mut self.terminal
    }

    async fn next_input(&mut self) -> Input {
        tokio::select! {
            ev = self.events.next() => match ev {
                Some(Ok(ev)) => {
                    // A resize repaints every cell: the links go with them.
                    if matches!(ev, crossterm::event::Event::Resize(..)) {
                        self.links.clear();
                    }
                    Input::Event(ev)
                }
                Some(Err(e)) => Input::Failed(e),
                None => Input::Closed,
            },
            _ = self.sigterm.recv() => Input::Stop,
            _ = self.sighup.recv() => Input::Stop,
            _ = self.sigint.recv() => Input::Stop,
            // Like SIGTERM: the terminal is restored and what was typed is kept.
            _ = self.sigquit.recv() => Input::Stop,
            _ = self.sigusr1.recv() => Input::Stop,
        }
    }

    fn repaint(&mut self) -> anyhow::Result<()> {
        self.links.clear();
        repaint(&mut self.terminal)
    }

    fn links(&mut self, spans: Vec<crate::ui::links::LinkSpan>) -> std::io::Result<()> {
        let new: Vec<_> = spans
            .iter()
            .filter(|s| !self.links.contains(s))
            .cloned()
            .collect();
        self.links = spans;
        if new.is_empty() {
            return Ok(());
        }
        let backend = self.terminal.backend_mut();
        backend.write_all(crate::ui::links::encode(&new).as_bytes())?;
        backend.flush()
    }

    fn copy(&mut self, text: &str) -> std::io::Result<()> {
        let backend = self.terminal.backend_mut();
        backend
            .write_all(osc52(text).as_bytes())
            .and_then(|()| backend.flush())
    }

    fn open_url(&mut self, url: &str) -> std::io::Result<()> {
        open_url(url)
    }

    fn edit(&mut self, value: &str) -> Result<String, String> {
        // The event reader must not read the keys meant for the editor.
        self.events = EventStream::new();
        self.links.clear();
        let result = edit_externally(value, self.mouse, &mut self.terminal);
        self.events = EventStream::new();
        result
    }

    fn suspend(&mut self) -> anyhow::Result<()> {
        self.events = EventStream::new();
        self.links.clear();
        let result = suspend(self.mouse, &mut self.terminal);
        self.events = EventStream::new();
        result
    }

    fn panicked(&self) -> bool {
        PANICKED.load(Ordering::SeqCst)
    }
}

impl Drop for TerminalHost {
    fn drop(&mut self) {
        restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
