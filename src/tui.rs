//! Terminal set-up and restore, the event stream, signals, and the one loop.
//!
//! ```text
//! crossterm EventStream (Press/Repeat) -> keymap(mode) -> Action --+
//! worker results (mpsc) ------------------------------------------> update -> Effects -> worker
//! tick (only while something animates or waits) -------------------+
//! ```
//! The loop never awaits the network and draws only when something changed and the result
//! queue is drained. The terminal is restored on exit, on error, on a panic anywhere (the panic
//! hook restores it first, also for panics in spawned tasks), and on SIGTERM, SIGHUP and SIGINT.

use std::io::{Stdout, Write, stdout};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind, MouseButton,
    MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use secrecy::SecretString;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::api::SyncroClient;
use crate::app::{self, Action, App, AppConfig, Dialog, Effect, keymap, update};
use crate::cli::RunArgs;
use crate::config::{self, Resolved, Target};
use crate::worker::Worker;

/// The terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// A panic happened somewhere; the loop stops at once.
static PANICKED: AtomicBool = AtomicBool::new(false);
/// Wakes the loop after a panic in a spawned task.
static WAKE: OnceLock<UnboundedSender<Action>> = OnceLock::new();

/// Runs the interactive app (the default command).
pub fn run_app(args: RunArgs) -> anyhow::Result<()> {
    let resolved = config::resolve(&args)?;
    // Logs go to a file, never to the terminal while the app runs.
    let level = args
        .log_level
        .clone()
        .or_else(|| resolved.settings.log_level.clone());
    let (log_path, _log_guard) = crate::logging::init(level.as_deref(), &config::data_dir())?;
    tracing::info!(profile = %resolved.profile, "starting the terminal UI");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(run(resolved, args, log_path));
    restore();
    result
}

/// Leaves raw mode and the alternate screen. Safe to call more than once and from the panic
/// hook; only the first call after `enter` does anything.
fn restore() {
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

/// `https://SUBDOMAIN.syncromsp.com` when the server is a Syncro account.
fn web_base(args: &RunArgs, base_url: &str) -> Option<String> {
    if let Some(s) = &args.subdomain {
        return Some(format!("https://{s}.syncromsp.com"));
    }
    let host = base_url.strip_prefix("https://")?.split('/').next()?;
    host.ends_with(".syncromsp.com")
        .then(|| format!("https://{host}"))
}

/// The server, the client and what the app should say about them.
struct Connection {
    client: Option<SyncroClient>,
    /// Keeps the in-process demo server running while the app runs.
    _demo: Option<crate::demo::DemoServer>,
    server: String,
    demo: bool,
    web_base: Option<String>,
    problem: Option<Dialog>,
}

async fn connect(resolved: &Resolved, args: &RunArgs) -> anyhow::Result<Connection> {
    let client_for = |base: &str, key: SecretString| {
        SyncroClient::new(resolved.settings.client_config(base, key)).map_err(anyhow::Error::from)
    };
    Ok(match &resolved.target {
        Target::Demo => {
            let addr: SocketAddr = "127.0.0.1:0".parse()?;
            let server = crate::demo::DemoServer::start(addr, crate::demo::DemoConfig::default())
                .await
                .context("starting the built-in demo server")?;
            let base = server.base_url();
            Connection {
                client: Some(client_for(&base, SecretString::from("demo"))?),
                _demo: Some(server),
                server: base,
                demo: true,
                web_base: None,
                problem: None,
            }
        }
        Target::Live { base_url, api_key } => Connection {
            client: Some(client_for(base_url, api_key.clone())?),
            _demo: None,
            server: base_url.clone(),
            demo: false,
            web_base: web_base(args, base_url),
            problem: None,
        },
        Target::MissingKey { base_url } => Connection {
            client: None,
            _demo: None,
            server: base_url.clone(),
            demo: false,
            web_base: web_base(args, base_url),
            problem: Some(Dialog::message(
                "No API key",
                vec![
                    format!(
                        "The server is {}, but no API key was found.",
                        crate::sanitize::line(base_url)
                    ),
                    "Create an API token in Syncro (Admin → API Tokens, with the Customers \
                     permissions), put it in SYNCRO_API_KEY and start the app again. Or start \
                     with --demo to try the app on demo data."
                        .into(),
                ],
                true,
            )),
        },
    })
}

/// What the app shows about the environment, from the resolved profile and its connection,
/// and the warnings to show (config problems, unknown key actions and colour roles).
fn app_config(
    resolved: &Resolved,
    conn: &Connection,
    log_path: &std::path::Path,
) -> (AppConfig, Vec<String>) {
    let mut warnings = resolved.warnings.clone();
    let (overrides, _) = resolved.settings.key_overrides();
    let (keymap, w) = keymap::Keymap::with_overrides(&overrides);
    warnings.extend(w);
    let (colors, _) = resolved.settings.color_overrides();
    let light = resolved.settings.theme.eq_ignore_ascii_case("light");
    let (_, unknown) = crate::ui::Theme::new(true, light).with_overrides(&colors);
    warnings.extend(unknown.into_iter().map(|r| {
        format!(
            "colors.{r}: unknown colour role (roles: {})",
            crate::ui::theme::ROLES.join(", ")
        )
    }));
    let key = match &resolved.target {
        Target::Demo => "not needed (demo)".to_string(),
        Target::Live { api_key, .. } => match resolved.key_source {
            Some(src) => format!("{} from {src}", config::mask_key(api_key)),
            None => config::mask_key(api_key),
        },
        Target::MissingKey { .. } => "not set".to_string(),
    };
    let config = AppConfig {
        server: conn.server.clone(),
        demo: conn.demo,
        read_only: resolved.read_only,
        web_base: conn.web_base.clone(),
        config_path: resolved.config_path.display().to_string(),
        log_path: log_path.display().to_string(),
        startup_problem: conn.problem.clone(),
        color: !no_color(),
        light,
        mouse: resolved.settings.mouse,
        customer_type_property: resolved.settings.customer_type_property.clone(),
        keymap,
        colors,
        profile: Some(app::ProfileInfo {
            name: resolved.profile.clone(),
            key,
        }),
        profiles: resolved
            .settings
            .profile_names()
            .into_iter()
            .map(String::from)
            .collect(),
        export_dir: resolved.settings.export_directory(),
        export: crate::export::ExportOptions::from_settings(&resolved.settings),
    };
    (config, warnings)
}

/// Logs every warning and shows the first in the status line.
/// Gives the worker the profile's account mirror and tells the app it has one. The demo
/// server's mirror lives under its own name (its port changes every run), as `syncro-tui sync`
/// keeps it. Without a client (no API key) there is nothing to mirror.
fn keep_mirror(
    worker: &mut Worker,
    app: &mut App,
    resolved: &Resolved,
    conn: &Connection,
    data_dir: &std::path::Path,
) {
    if conn.client.is_none() {
        return;
    }
    let (profile, server_id) = if conn.demo {
        let demo = crate::mirror::DEMO_PROFILE.to_string();
        (demo.clone(), demo)
    } else {
        (resolved.profile.clone(), conn.server.clone())
    };
    worker.set_mirror(crate::worker::MirrorSetup {
        dir: data_dir.to_path_buf(),
        profile,
        server_id,
        type_property: app.config.customer_type_property.clone(),
    });
    app.mirror.configured = true;
}

fn show_warnings(app: &mut App, warnings: &[String]) {
    for w in warnings {
        tracing::warn!("{w}");
    }
    if let Some(w) = warnings.first() {
        let more = match warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more in the log)", n - 1),
        };
        // Not an error: a loaded page clears errors, and a warning should stay readable.
        update(
            app,
            Action::Notice {
                text: format!("Warning: {w}{more}"),
                error: false,
            },
        );
    }
}

/// A profile switch that worked: the new profile and its live connection.
struct Switched {
    resolved: Resolved,
    conn: Connection,
}

/// `:profile NAME`: resolves the profile (its key command runs on a blocking thread) and
/// connects. Errors are messages for the status line; the old connection stays in use.
async fn switch_profile(from: Resolved, args: RunArgs, name: String) -> Result<Switched, String> {
    let label = crate::sanitize::line(&name);
    let resolved = tokio::task::spawn_blocking(move || from.switch_profile(&name))
        .await
        .map_err(|e| format!("Could not switch to {label}: {e}"))?
        .map_err(|e| format!("Could not switch to {label}: {e:#}"))?;
    let conn = connect(&resolved, &args)
        .await
        .map_err(|e| format!("Could not connect profile {label}: {e:#}"))?;
    Ok(Switched { resolved, conn })
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Turns a terminal event into an action: key presses and repeats (never releases), resizes,
/// and mouse wheel and clicks when mouse capture is on.
fn event_action(app: &App, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if matches!(k.kind, KeyEventKind::Press | KeyEventKind::Repeat) => {
            app.config.keymap.map_key(app.mode(), &k)
        }
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) if app.config.mouse => match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(m.column, m.row)),
            _ => None,
        },
        _ => None,
    }
}

/// OSC 52: asks the terminal to put `text` on the clipboard. `text` is already sanitised.
fn osc52(text: &str) -> String {
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

async fn run(
    resolved: Resolved,
    args: RunArgs,
    log_path: std::path::PathBuf,
) -> anyhow::Result<()> {
    let mut conn = connect(&resolved, &args).await?;
    let (config, warnings) = app_config(&resolved, &conn, &log_path);
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let _ = WAKE.set(tx.clone());
    let data_dir = config::data_dir();
    let worker = std::cell::RefCell::new(
        Worker::new(conn.client.clone(), tx.clone()).with_drafts(data_dir.clone()),
    );
    let mut app = App::new(config);
    keep_mirror(
        &mut worker.borrow_mut(),
        &mut app,
        &resolved,
        &conn,
        &data_dir,
    );
    show_warnings(&mut app, &warnings);
    let resolved = std::cell::RefCell::new(resolved);
    // `:profile NAME` resolves and connects off the loop; the outcome arrives here.
    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel::<Result<Switched, String>>();

    let mut terminal = enter(app.config.mouse)?;
    let size = terminal.size()?;
    update(&mut app, Action::Resize(size.width, size.height));
    let mut fx = account_start(&mut app);
    // Drafts of forms left open by an earlier run are offered back.
    fx.push(Effect::LoadDrafts);

    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut tick = tokio::time::interval(app::TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let run_effects = |app: &mut App, fx: Vec<Effect>, term: &mut Terminal<_>| {
        for e in fx {
            match e {
                Effect::Copy(text) => {
                    let backend: &mut CrosstermBackend<Stdout> = term.backend_mut();
                    if let Err(err) = backend
                        .write_all(osc52(&text).as_bytes())
                        .and_then(|()| backend.flush())
                    {
                        update(
                            app,
                            Action::Notice {
                                text: format!("Could not copy: {err}"),
                                error: true,
                            },
                        );
                    }
                }
                Effect::OpenUrl(url) => {
                    if let Err(err) = open_url(&url) {
                        update(
                            app,
                            Action::Notice {
                                text: format!(
                                    "Could not open a browser ({err}); the address is {url}"
                                ),
                                error: true,
                            },
                        );
                    }
                }
                Effect::SwitchProfile(name) => {
                    let (from, args, tx) =
                        (resolved.borrow().clone(), args.clone(), switch_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx.send(switch_profile(from, args, name).await);
                    });
                }
                other => worker.borrow().spawn(other),
            }
        }
    };
    run_effects(&mut app, fx, &mut terminal);

    let mut dirty = true;
    let mut painted = app.stack.look();
    loop {
        if PANICKED.load(Ordering::SeqCst) {
            let _ = save_typed(&app, &data_dir);
            anyhow::bail!("syncro-tui stopped after an internal error (see the message above)");
        }
        if dirty && rx.is_empty() {
            // A screen opened, closed or changed over another: paint every cell once. Terminals
            // disagree on the width of some scripts (Devanagari vowel signs, some emoji), and a
            // cell the diff skips can then keep a fragment of what was under an overlay.
            let now = app.stack.look();
            if now != painted {
                if now.covers() || painted.covers() {
                    repaint(&mut terminal)?;
                }
                painted = now;
            }
            terminal.draw(|f| crate::ui::draw(&app, f))?;
            dirty = false;
        }
        let action = tokio::select! {
            biased;
            Some(a) = rx.recv() => Some(a),
            Some(switched) = switch_rx.recv() => match switched {
                Ok(sw) => {
                    let (config, warnings) = app_config(&sw.resolved, &sw.conn, &log_path);
                    worker.borrow().stop();
                    *worker.borrow_mut() = Worker::new(sw.conn.client.clone(), tx.clone())
                        .with_drafts(data_dir.clone());
                    tracing::info!(profile = %sw.resolved.profile, "switched profile");
                    app = app.restart(config);
                    keep_mirror(
                        &mut worker.borrow_mut(),
                        &mut app,
                        &sw.resolved,
                        &sw.conn,
                        &data_dir,
                    );
                    update(&mut app, Action::Notice {
                        text: format!("Profile {}", crate::sanitize::line(&sw.resolved.profile)),
                        error: false,
                    });
                    show_warnings(&mut app, &warnings);
                    *resolved.borrow_mut() = sw.resolved;
                    // The old connection (and a demo server) goes only now.
                    drop(std::mem::replace(&mut conn, sw.conn));
                    let fx = account_start(&mut app);
                    run_effects(&mut app, fx, &mut terminal);
                    dirty = true;
                    None
                }
                Err(e) => {
                    tracing::warn!("profile switch failed: {e}");
                    Some(Action::Notice { text: e, error: true })
                }
            },
            ev = events.next() => match ev {
                Some(Ok(ev)) => event_action(&app, ev),
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => break,
            },
            _ = tick.tick(), if app.wants_tick() => {
                // The limiter's state is a quick read; the status line says when it holds.
                // The later of a full window and a pause after a 429.
                let wait = conn.client.as_ref().and_then(|c| c.limiter().next_slot_in);
                if wait.map(|d| d.as_secs()) != app.rate_wait.map(|d| d.as_secs()) {
                    update(&mut app, Action::RateWait(wait));
                }
                Some(Action::Tick(Instant::now()))
            }
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
        };
        if let Some(a) = action {
            if let Action::Resize(..) = a {
                terminal.autoresize()?;
            }
            let mut fx = update(&mut app, a);
            let editor = take_editor(&mut fx);
            let stop = take_suspend(&mut fx);
            run_effects(&mut app, fx, &mut terminal);
            if let Some(value) = editor {
                // The event reader must not read the keys meant for the editor.
                drop(std::mem::replace(&mut events, EventStream::new()));
                let result = edit_externally(&value, app.config.mouse, &mut terminal);
                let fx = update(&mut app, Action::EditorDone(result));
                run_effects(&mut app, fx, &mut terminal);
            }
            if stop {
                // Typed input is on disk before the process stops: a stopped job can be killed.
                for e in save_typed(&app, &data_dir) {
                    tracing::warn!("before suspending: {e}");
                }
                drop(std::mem::replace(&mut events, EventStream::new()));
                if let Err(e) = suspend(app.config.mouse, &mut terminal) {
                    update(
                        &mut app,
                        Action::Notice {
                            text: format!("Could not suspend: {e}"),
                            error: true,
                        },
                    );
                }
            }
            dirty = true;
        }
        if app.quit {
            break;
        }
    }
    restore();
    // A form with changes is kept as a draft, whatever ended the loop.
    for e in save_typed(&app, &data_dir) {
        eprintln!("syncro-tui: {e}");
    }
    Ok(())
}

/// The first effects on an account (at start, and after `:profile`): the list or the mirror,
/// and the account's unfinished merges and onboardings to offer back.
fn account_start(app: &mut App) -> Vec<Effect> {
    let mut fx = app::update::start(app);
    fx.push(Effect::Merge(app::merge::state::MergeOp::Pending));
    fx.push(app::onboard::startup());
    fx
}

/// Writes what was typed and not sent to the data directory, whatever stops the app (a quit,
/// a suspend, a signal, a crash): an open form with changes as a draft, and an onboarding typed
/// but not started. Returns what could not be saved.
fn save_typed(app: &App, data_dir: &std::path::Path) -> Vec<String> {
    let mut failed = Vec::new();
    if let Some(d) = app::forms::unsaved_draft(app)
        && let Err(e) = crate::drafts::save(data_dir, &d)
    {
        failed.push(format!("could not save the open form as a draft: {e}"));
    }
    if let Some(onb) = app::onboard::unsaved(app)
        && let Err(e) = crate::flows::onboard::save_draft(data_dir, &onb)
    {
        failed.push(format!("could not save the onboarding as a draft: {e}"));
    }
    failed
}

/// The `$EDITOR` request among the effects, taken out: it needs the terminal and the event
/// stream, which only the loop holds.
fn take_editor(fx: &mut Vec<Effect>) -> Option<String> {
    let i = fx
        .iter()
        .position(|e| matches!(e, Effect::EditExternally { .. }))?;
    match fx.remove(i) {
        Effect::EditExternally { value } => Some(value),
        _ => None,
    }
}

/// Whether the effects ask to suspend (Ctrl-Z), taking the request out.
fn take_suspend(fx: &mut Vec<Effect>) -> bool {
    let before = fx.len();
    fx.retain(|e| !matches!(e, Effect::Suspend));
    fx.len() != before
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

    #[test]
    fn web_address_comes_from_the_subdomain_or_a_syncro_url() {
        let args = RunArgs::default();
        assert_eq!(
            web_base(&args, "https://acme.syncromsp.com/api/v1").as_deref(),
            Some("https://acme.syncromsp.com")
        );
        assert_eq!(web_base(&args, "http://127.0.0.1:3000/api/v1"), None);
        let args = RunArgs {
            subdomain: Some("acme".into()),
            ..RunArgs::default()
        };
        assert_eq!(
            web_base(&args, "http://127.0.0.1:3000/api/v1").as_deref(),
            Some("https://acme.syncromsp.com")
        );
    }
}
