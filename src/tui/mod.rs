//! The one loop, generic over where it runs: the real terminal ([`terminal::TerminalHost`]) or
//! an in-process test screen ([`testing::Runner`]).
//!
//! ```text
//! terminal events (Press/Repeat) -> keymap(mode) -> Action --+
//! worker results (mpsc) ------------------------------------> update -> Effects -> worker
//! tick (only while something animates or waits) -------------+
//! ```
//! The loop never awaits the network and draws only when something changed and the result
//! queue is drained. Whatever ends it (a quit, a signal, a closed input), what was typed and
//! not sent is kept as drafts.

pub mod terminal;
#[doc(hidden)]
pub mod testing;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::Context;
use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;
use secrecy::SecretString;
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::api::SyncroClient;
use crate::api::model::CustomerQuery;
use crate::app::{self, Action, App, AppConfig, Dialog, Effect, keymap, update};
use crate::cli::RunArgs;
use crate::config::{self, Resolved, Target};
use crate::worker::Worker;

/// How often the wall clock reaches the app (the mirror's age in the list title).
const CLOCK: std::time::Duration = std::time::Duration::from_secs(30);

/// What a host feeds the loop.
pub enum Input {
    Event(Event),
    /// Reading the input failed.
    Failed(std::io::Error),
    /// The input ended (the terminal went away).
    Closed,
    /// A signal that ends the app (TERM, HUP, INT, QUIT, USR1).
    Stop,
}

/// Where the loop runs: a terminal to draw on, its input, and the few things that are not
/// drawing (the clipboard, a browser, `$EDITOR`, Ctrl-Z).
pub trait Host {
    type Backend: Backend;
    fn terminal(&mut self) -> &mut Terminal<Self::Backend>;
    /// The next key, resize, mouse event or signal.
    fn next_input(&mut self) -> impl std::future::Future<Output = Input>;
    /// Erases the screen so that the next frame paints every cell.
    fn repaint(&mut self) -> anyhow::Result<()>;
    /// Puts text on the clipboard (already sanitised).
    fn copy(&mut self, text: &str) -> std::io::Result<()>;
    fn open_url(&mut self, url: &str) -> std::io::Result<()>;
    /// Edits `value` in `$EDITOR`.
    fn edit(&mut self, value: &str) -> Result<String, String>;
    /// Ctrl-Z: back to the shell until `fg`.
    fn suspend(&mut self) -> anyhow::Result<()>;
    /// A panic happened somewhere: the loop stops.
    fn panicked(&self) -> bool {
        false
    }
    /// A frame was drawn.
    fn drawn(&mut self) {}
    /// The e-mail addresses and phone numbers on the frame just drawn, to make links of
    /// (OSC 8; only when `hyperlinks` is on). A terminal host writes them after the frame.
    fn links(&mut self, _spans: Vec<crate::ui::links::LinkSpan>) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the loop needs to connect, and reconnect on `:profile`.
pub struct Setup {
    pub resolved: Resolved,
    pub args: RunArgs,
    pub log_path: PathBuf,
    pub data_dir: PathBuf,
    pub clock: Clock,
}

/// The wall clock the loop gives the app, and how often. Tests move it forward.
#[derive(Debug, Clone)]
pub struct Clock {
    pub every: std::time::Duration,
    /// Seconds added to the system clock.
    pub offset: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            every: CLOCK,
            offset: Default::default(),
        }
    }
}

impl Clock {
    pub fn now(&self) -> SystemTime {
        let secs = self.offset.load(std::sync::atomic::Ordering::SeqCst);
        SystemTime::now() + std::time::Duration::from_secs(secs)
    }
}

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
    let setup = Setup {
        resolved,
        args,
        log_path,
        data_dir: config::data_dir(),
        clock: Clock::default(),
    };
    let result = rt.block_on(async {
        let mut host = terminal::TerminalHost::enter(setup.resolved.settings.mouse)?;
        run_loop(&mut host, setup).await
    });
    // The host is gone: the terminal is restored before anything is printed.
    terminal::restore();
    for e in result? {
        eprintln!("syncro-tui: {}", crate::sanitize::line(&e));
    }
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

async fn connect(
    resolved: &Resolved,
    args: &RunArgs,
    data_dir: &std::path::Path,
) -> anyhow::Result<Connection> {
    let client_for = |base: &str, key: SecretString| {
        SyncroClient::new(resolved.settings.client_config(base, key)).map_err(anyhow::Error::from)
    };
    Ok(match &resolved.target {
        Target::Demo => {
            let addr: SocketAddr = "127.0.0.1:0".parse()?;
            // Its data lives in the data directory, beside the demo's mirror.
            let server =
                crate::demo::DemoServer::start(addr, crate::demo::DemoConfig::for_app(data_dir))
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
        hyperlinks: crate::config::hyperlinks_on(
            resolved.settings.hyperlinks,
            std::env::var("TERM").ok().as_deref(),
        ),
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
        requests_per_minute: resolved.settings.requests_per_minute,
        house: (*resolved.settings.house).clone(),
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

/// The profile's onboarding follow-ups, on the server in use (`demo` for the demo data, as
/// the mirror names it: the in-process server's port changes at every start).
fn followup_store(
    data_dir: &std::path::Path,
    resolved: &Resolved,
    conn: &Connection,
) -> crate::followup::FollowupStore {
    let server = match (&conn.client, conn.demo) {
        (_, true) => crate::mirror::DEMO_PROFILE.to_string(),
        (Some(c), false) => c.base_url().to_string(),
        (None, false) => conn.server.clone(),
    };
    crate::followup::FollowupStore::open(data_dir, &resolved.profile, &server)
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

/// `:profile NAME`: resolves the profile (its key command runs on a blocking thread), connects
/// and asks the server for a first page. Errors are messages for the status line; the old
/// connection stays in use.
async fn switch_profile(
    from: Resolved,
    args: RunArgs,
    data_dir: PathBuf,
    name: String,
) -> Result<Switched, String> {
    let label = crate::sanitize::line(&name);
    let resolved = tokio::task::spawn_blocking(move || from.switch_profile(&name))
        .await
        .map_err(|e| format!("Could not switch to {label}, the current profile stays: {e}"))?
        .map_err(|e| format!("Could not switch to {label}, the current profile stays: {e:#}"))?;
    let conn = connect(&resolved, &args, &data_dir).await.map_err(|e| {
        format!("Could not connect profile {label}: {e:#}; the current profile stays")
    })?;
    // The account is checked before anything is replaced: a refused key or a server that
    // cannot be reached leaves the current profile (list, mirror, forms) as it is.
    match (&conn.client, &conn.problem) {
        (_, Some(problem)) => {
            return Err(format!(
                "Could not switch to {label}, the current profile stays: {}",
                problem.title
            ));
        }
        (Some(client), None) => {
            let probe = CustomerQuery {
                page: 1,
                ..CustomerQuery::default()
            };
            if let Err(e) = client.list_customers(&probe).await {
                return Err(crate::sanitize::line(&format!(
                    "Could not switch to {label}, the current profile stays: {e}"
                )));
            }
        }
        (None, None) => {}
    }
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

/// The one loop. Returns what could not be kept when it ended (drafts that could not be
/// written), for the caller to print once the terminal is restored.
pub async fn run_loop<H: Host>(host: &mut H, setup: Setup) -> anyhow::Result<Vec<String>> {
    let Setup {
        resolved,
        args,
        log_path,
        data_dir,
        clock: wall,
    } = setup;
    let mut conn = connect(&resolved, &args, &data_dir).await?;
    let (config, warnings) = app_config(&resolved, &conn, &log_path);
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let _ = terminal::WAKE.set(tx.clone());
    let mut worker = Worker::new(conn.client.clone(), tx.clone())
        .with_drafts(data_dir.clone())
        .with_change_log(crate::changelog::ChangeLog::open(
            &data_dir,
            &resolved.profile,
        ))
        .with_followups(followup_store(&data_dir, &resolved, &conn));
    let mut app = App::new(config);
    keep_mirror(&mut worker, &mut app, &resolved, &conn, &data_dir);
    show_warnings(&mut app, &warnings);
    let mut resolved = resolved;
    // `:profile NAME` resolves, connects and checks off the loop; the outcome arrives here.
    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel::<Result<Switched, String>>();

    let size = host.terminal().size().map_err(term_error)?;
    update(&mut app, Action::Resize(size.width, size.height));
    update(&mut app, Action::Clock(wall.now()));
    let mut fx = account_start(&mut app);
    // Drafts of forms left open by an earlier run are offered back.
    fx.push(Effect::LoadDrafts);

    let mut tick = tokio::time::interval(app::TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock = tokio::time::interval(wall.every);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    clock.reset();

    let mut effects = Effects {
        worker: &mut worker,
        switch_tx: &switch_tx,
        resolved: &resolved,
        args: &args,
        data_dir: &data_dir,
    };
    effects.run(&mut app, fx, host);

    let mut dirty = true;
    let mut painted = app.stack.look();
    loop {
        if host.panicked() {
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
                    host.repaint()?;
                }
                painted = now;
            }
            let links = {
                let frame = host
                    .terminal()
                    .draw(|f| crate::ui::draw(&app, f))
                    .map_err(term_error)?;
                // Always taken, so that nothing offered lingers into the next frame.
                let offers = crate::ui::links::take();
                if app.config.hyperlinks {
                    crate::ui::links::find(frame.buffer, &offers)
                } else {
                    Vec::new()
                }
            };
            host.drawn();
            if let Err(e) = host.links(links) {
                tracing::warn!("could not write the links: {e}");
            }
            dirty = false;
        }
        let wake = tokio::select! {
            biased;
            Some(a) = rx.recv() => Wake::Action(a),
            Some(switched) = switch_rx.recv() => Wake::Switched(switched),
            input = host.next_input() => Wake::Input(input),
            _ = tick.tick(), if app.wants_tick() => Wake::Tick,
            _ = clock.tick(), if app.mirror.active => Wake::Clock,
        };
        let action = match wake {
            Wake::Action(a) => Some(a),
            Wake::Switched(Ok(sw)) => {
                let (config, warnings) = app_config(&sw.resolved, &sw.conn, &log_path);
                // Typed input of the old account stays on disk.
                for e in save_typed(&app, &data_dir) {
                    tracing::warn!("before switching profile: {e}");
                }
                worker.stop();
                worker = Worker::new(sw.conn.client.clone(), tx.clone())
                    .with_drafts(data_dir.clone())
                    .with_change_log(crate::changelog::ChangeLog::open(
                        &data_dir,
                        &sw.resolved.profile,
                    ))
                    .with_followups(followup_store(&data_dir, &sw.resolved, &sw.conn));
                tracing::info!(profile = %sw.resolved.profile, "switched profile");
                app = app.restart(config);
                keep_mirror(&mut worker, &mut app, &sw.resolved, &sw.conn, &data_dir);
                update(
                    &mut app,
                    Action::Notice {
                        text: format!("Profile {}", crate::sanitize::line(&sw.resolved.profile)),
                        error: false,
                    },
                );
                update(&mut app, Action::Clock(wall.now()));
                show_warnings(&mut app, &warnings);
                resolved = sw.resolved;
                // The old connection (and a demo server) goes only now.
                drop(std::mem::replace(&mut conn, sw.conn));
                let fx = account_start(&mut app);
                Effects {
                    worker: &mut worker,
                    switch_tx: &switch_tx,
                    resolved: &resolved,
                    args: &args,
                    data_dir: &data_dir,
                }
                .run(&mut app, fx, host);
                dirty = true;
                None
            }
            Wake::Switched(Err(e)) => {
                tracing::warn!("profile switch failed: {e}");
                Some(Action::Notice {
                    text: e,
                    error: true,
                })
            }
            Wake::Input(Input::Event(ev)) => event_action(&app, ev),
            Wake::Input(Input::Failed(e)) => return Err(e).context("reading the terminal"),
            Wake::Input(Input::Closed | Input::Stop) => break,
            Wake::Tick => {
                // The limiter's state is a quick read; the status line says when it holds.
                // The later of a full window and a pause after a 429.
                let snap = conn.client.as_ref().map(|c| c.limiter());
                let wait = snap.as_ref().and_then(|s| s.next_slot_in);
                let reason = snap.as_ref().and_then(|s| s.wait_reason);
                if wait.map(|d| d.as_secs()) != app.rate_wait.map(|d| d.as_secs())
                    || reason != app.rate_reason
                {
                    update(&mut app, Action::RateWait(wait, reason));
                }
                Some(Action::Tick(Instant::now()))
            }
            Wake::Clock => Some(Action::Clock(wall.now())),
        };
        if let Some(a) = action {
            if let Action::Resize(..) = a {
                host.terminal().autoresize().map_err(term_error)?;
            }
            let mut fx = update(&mut app, a);
            let editor = take_editor(&mut fx);
            let stop = take_suspend(&mut fx);
            let mut effects = Effects {
                worker: &mut worker,
                switch_tx: &switch_tx,
                resolved: &resolved,
                args: &args,
                data_dir: &data_dir,
            };
            effects.run(&mut app, fx, host);
            if let Some(value) = editor {
                let result = host.edit(&value);
                let fx = update(&mut app, Action::EditorDone(result));
                effects.run(&mut app, fx, host);
            }
            if stop {
                // Typed input is on disk before the process stops: a stopped job can be killed.
                for e in save_typed(&app, &data_dir) {
                    tracing::warn!("before suspending: {e}");
                }
                if let Err(e) = host.suspend() {
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
    // A form with changes is kept as a draft, whatever ended the loop.
    let failed = save_typed(&app, &data_dir);
    // The demo server writes its data before the process ends, so that the demo's mirror
    // never holds a record its server has forgotten.
    if let Some(demo) = conn._demo.take() {
        demo.shutdown().await;
    }
    Ok(failed)
}

/// A drawing error of the host's terminal.
fn term_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("drawing on the terminal: {e}")
}

/// What woke the loop.
enum Wake {
    Action(Action),
    Switched(Result<Switched, String>),
    Input(Input),
    Tick,
    Clock,
}

/// Carries out effects: the worker's, and those that touch the host or the connection.
struct Effects<'a> {
    worker: &'a mut Worker,
    switch_tx: &'a UnboundedSender<Result<Switched, String>>,
    resolved: &'a Resolved,
    args: &'a RunArgs,
    data_dir: &'a std::path::Path,
}

impl Effects<'_> {
    fn run<H: Host>(&mut self, app: &mut App, fx: Vec<Effect>, host: &mut H) {
        for e in fx {
            match e {
                Effect::Copy(text) => {
                    if let Err(err) = host.copy(&text) {
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
                    if let Err(err) = host.open_url(&url) {
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
                    let (from, args, tx, dir) = (
                        self.resolved.clone(),
                        self.args.clone(),
                        self.switch_tx.clone(),
                        self.data_dir.to_path_buf(),
                    );
                    tokio::spawn(async move {
                        let _ = tx.send(switch_profile(from, args, dir, name).await);
                    });
                }
                other => self.worker.spawn(other),
            }
        }
    }
}

/// The first effects on an account (at start, and after `:profile`): the list or the mirror,
/// and the account's unfinished merges and onboardings to offer back.
fn account_start(app: &mut App) -> Vec<Effect> {
    let mut fx = app::update::start(app);
    fx.push(Effect::Merge(app::merge::state::MergeOp::Pending));
    fx.push(Effect::ContactMerge(
        app::merge::state::ContactMergeOp::Pending,
    ));
    fx.push(Effect::Bulk(app::bulk::state::BulkOp::Pending));
    fx.push(app::onboard::startup());
    fx.push(app::followup::startup());
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

#[cfg(test)]
mod tests {
    use super::*;

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
