//! The data the app meets, for every bench: the demo server's generated account (seed 1, as
//! `syncro-tui demo-server` makes it, names in many scripts, about three contacts a customer),
//! listed by the app's own full sync in the order the server returns it, saved as a mirror file
//! and read back the way the worker reads it at start. Nothing here is pre-sorted: the list
//! sorts the rows itself, as it does in the app.
//!
//! Building an account costs seconds (100,000 customers: the generator, then 1,000 pages over
//! loopback HTTP); it happens once per size and per bench process, outside every timed sample.
//!
//! The draw helpers encode every frame as the app does: a `CrosstermBackend` over a sink that
//! counts the bytes, with a previous frame that differs, so the diff is never empty.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use secrecy::SecretString;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::app::mirror::state::MirrorEvent;
use syncro_tui::app::{Action, App, Effect, fixtures, keymap, panes, update};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::mirror::{self, Mirror, SearchIndex, SyncOptions};
use syncro_tui::worker::{MirrorSetup, load_for_list};

/// The sizes every growth bench runs at.
pub const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// The generator's seed (the demo server's default, as `measure-keys.sh` uses it).
pub const SEED: u64 = 1;

/// The screen of the measurements (as `assets/measure-*.sh`).
pub const WIDTH: u16 = 200;
pub const HEIGHT: u16 = 50;

/// A mirror file of a demo account, in a directory that lives as long as the process.
pub struct Account {
    _dir: tempfile::TempDir,
    /// The mirror file with its views section (as the app saves it).
    pub setup: MirrorSetup,
    /// The same account in a file without views (as saved before them).
    pub plain: MirrorSetup,
    pub customers: usize,
    pub contacts: usize,
}

/// A multi-threaded runtime of two workers, as the app's.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn build_account(n: usize) -> Account {
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = runtime();
    let (customers, contacts) = rt.block_on(async {
        let cfg = DemoConfig {
            customers: n,
            seed: SEED,
            rate_limit: None,
            ..DemoConfig::default()
        };
        let server = DemoServer::start("127.0.0.1:0".parse().expect("addr"), cfg)
            .await
            .expect("demo server");
        let mut cc = ClientConfig::new(server.base_url(), SecretString::from("demo".to_string()));
        cc.requests_per_minute = 0;
        let client = SyncroClient::new(cc).expect("client");
        let (mut m, _) = mirror::full_sync(
            &client,
            &Mirror::new("bench"),
            &SyncOptions::default(),
            &mut |_| {},
        )
        .await
        .expect("sync");
        server.shutdown().await;
        m.base_url = "bench".into();
        // As the app and `syncro-tui sync` save it: with the rows' views; and, as a file of
        // the format before them, without (profile `bench-plain`).
        let type_property = fixtures::config().customer_type_property;
        let views = syncro_tui::worker::views_of(&type_property);
        mirror::store::save_with_views(dir.path(), "bench", &m, Some(&views)).expect("save");
        mirror::store::save(dir.path(), "bench-plain", &m).expect("save");
        (m.customer_count(), m.contact_count())
    });
    let setup = MirrorSetup {
        dir: dir.path().to_path_buf(),
        profile: "bench".into(),
        server_id: "bench".into(),
        type_property: fixtures::config().customer_type_property,
    };
    let plain = MirrorSetup {
        profile: "bench-plain".into(),
        ..setup.clone()
    };
    eprintln!(
        "bench data: {customers} customers, {contacts} contacts (demo generator, seed {SEED})"
    );
    Account {
        _dir: dir,
        setup,
        plain,
        customers,
        contacts,
    }
}

/// The demo account of `n` customers, built on first use.
pub fn account(n: usize) -> &'static Account {
    static ACCOUNTS: OnceLock<Mutex<HashMap<usize, &'static Account>>> = OnceLock::new();
    let mut all = ACCOUNTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    all.entry(n)
        .or_insert_with(|| Box::leak(Box::new(build_account(n))))
}

/// The account's mirror file.
pub fn mirror_path(n: usize) -> PathBuf {
    mirror::store::mirror_path(&account(n).setup.dir, "bench")
}

/// The mirror of `n` customers, loaded from its file.
pub fn mirror(n: usize) -> Mirror {
    match mirror::store::load(&account(n).setup.dir, "bench") {
        mirror::LoadOutcome::Loaded(m) => m,
        other => panic!("bench mirror not loaded: {other:?}"),
    }
}

/// A configured app of 200x50 before its first action, as at start.
pub fn new_app() -> App {
    let mut app = App::new(fixtures::config());
    app.mirror.configured = true;
    update(&mut app, Action::Resize(WIDTH, HEIGHT));
    let _ = syncro_tui::app::update::start(&mut app);
    app
}

/// What the worker reads at start (records and rows' views) and the app makes of it, without
/// the search index.
pub fn app_from_file(n: usize) -> (Mirror, App) {
    let (m, app, _) = app_from_file_asking(n);
    (m, app)
}

/// [`app_from_file`], with the effects the app asked for.
fn app_from_file_asking(n: usize) -> (Mirror, App, Vec<Effect>) {
    let (outcome, rows) = load_for_list(&account(n).setup);
    let m = outcome.into_mirror_or_empty("bench");
    let mut app = new_app();
    let fx = update(
        &mut app,
        Action::Mirror(MirrorEvent::Loaded {
            customers: Some(m.records().to_vec()),
            views: rows.views,
            order: rows.order,
            age: "synced 3 h ago".into(),
            synced_at: None,
            notice: None,
        }),
    );
    (m, app, fx)
}

/// Answers the list's requests for its other sort orders as the worker does (inline), until
/// the app asks for none.
fn answer_sort_orders(app: &mut App, mut fx: Vec<Effect>) {
    while let Some(Effect::SortOrders {
        version,
        views,
        keys,
    }) = fx
        .into_iter()
        .find(|e| matches!(e, Effect::SortOrders { .. }))
    {
        let orders = keys
            .into_iter()
            .map(|k| (k, panes::sort_order(views.len(), |i| &views[i], k)))
            .collect();
        fx = update(app, Action::ListOrders { version, orders });
    }
}

/// The app of `n` customers as a technician has it a moment after start: painted from the
/// mirror, its search index built by the worker and handed over. Built once per size.
pub fn indexed_app(n: usize) -> &'static App {
    static APPS: OnceLock<Mutex<HashMap<usize, &'static App>>> = OnceLock::new();
    let mut all = APPS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    all.entry(n).or_insert_with(|| {
        let (m, mut app, mut fx) = app_from_file_asking(n);
        let index = Arc::new(SearchIndex::build(&m));
        fx.extend(update(&mut app, Action::Mirror(MirrorEvent::Index(index))));
        // The worker's sort orders arrive a moment after start, as in the app.
        answer_sort_orders(&mut app, fx);
        Box::leak(Box::new(app))
    })
}

/// The index the worker builds for the mirror of `n` customers. Built once per size.
pub fn index(n: usize) -> Arc<SearchIndex> {
    indexed_app(n)
        .mirror
        .searcher
        .as_ref()
        .map(|s| s.0.index().clone())
        .expect("an indexed app has a searcher")
}

/// The action the app's default keymap makes of a key in the app's current mode, as the loop
/// does for a key press.
pub fn key_action(app: &App, code: KeyCode) -> Action {
    let ev = KeyEvent::new(code, KeyModifiers::NONE);
    keymap::map_key(app.mode(), &ev)
        .unwrap_or_else(|| panic!("{code:?} is bound in {:?}", app.mode()))
}

/// A key pressed: its action into `update`, as the loop does.
pub fn press(app: &mut App, code: KeyCode) {
    let a = key_action(app, code);
    update(app, a);
}

/// `c` pressed (the contacts pane), and the worker's build of its rows (if it asks for one)
/// answered inline, as the worker builds them.
pub fn open_contacts_pane(app: &mut App) {
    let a = key_action(app, KeyCode::Char('c'));
    for e in update(app, a) {
        if let Effect::BuildContacts {
            generation,
            customers,
            views,
        } = e
        {
            let built = syncro_tui::app::contact_list::build_pane(&customers, &views);
            update(app, Action::ContactsBuilt { generation, built });
        }
    }
}

/// Types `text` one key at a time.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Bytes written to the terminal, counted and dropped.
#[derive(Debug, Default)]
pub struct Sink {
    pub bytes: u64,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A terminal of 200x50 whose frames are encoded into escape sequences as the app's are.
pub type Screen = Terminal<CrosstermBackend<Sink>>;

pub fn screen() -> Screen {
    Terminal::with_options(
        CrosstermBackend::new(Sink::default()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
        },
    )
    .expect("terminal")
}

/// Draws the app as the loop does (diffed against the previous frame, encoded, flushed).
pub fn draw(term: &mut Screen, app: &App) {
    term.draw(|f| syncro_tui::ui::draw(app, f)).expect("draw");
}

/// A screen that shows `app` now: what the terminal holds before the next key.
pub fn screen_showing(app: &App) -> Screen {
    let mut term = screen();
    draw(&mut term, app);
    term
}

/// The prefixes of a word, one per key typed.
pub fn prefixes(word: &str) -> Vec<&str> {
    word.char_indices()
        .map(|(i, c)| &word[..i + c.len_utf8()])
        .collect()
}
