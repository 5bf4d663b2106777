//! The account mirror in the app, measured.
//!
//! - `first_rows_from_mirror_20k`: start to the first frame with rows, from a mirror file of
//!   20,000 customers and 40,000 contacts: the file read and decoded (as the worker does on a
//!   blocking task), the customers handed to `update` as the app's first action, the list built
//!   and sorted, and the first frame drawn at 200x50 (budget: 100 ms). No request is made.
//! - `filter_keystroke_100k`: one key typed into the list's `/` filter while a mirror of
//!   100,000 customers is loaded: the mirror's search over every field and contact, the list
//!   filtered by its answer, and the repaint (budget: 16 ms).
//! - `unpack_every_customer_100k`: every record of that list decoded once, what a reader of
//!   the whole account (audit, duplicate checks, export) pays for records held packed.
//! - `new_customer_duplicate_check_100k`: Ctrl-S on a new customer form over that list, whose
//!   check for the same e-mail, name or phone decodes only the rows that may match.
//!
//! Run: `cargo bench --bench mirror_start`.

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, OnceLock};

use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use syncro_tui::api::model::Customer;
use syncro_tui::app::mirror::state::MirrorEvent;
use syncro_tui::app::view::RowView;
use syncro_tui::app::{Action, App, fixtures, update};
use syncro_tui::mirror::{self, Mirror, Packed, SearchIndex};
use syncro_tui::worker::{MirrorSetup, load_for_list};
use tui_input::InputRequest;

fn main() {
    divan::main();
}

/// `n` customers with two contacts each.
fn customers(n: usize) -> Vec<Customer> {
    fixtures::many(n)
        .into_iter()
        .map(|mut c| {
            let mut second = c.contacts[0].clone();
            second.id += 50_000_000;
            second.name = Some(format!("Second {}", c.id));
            c.contacts.push(second);
            c
        })
        .collect()
}

/// A configured app of 200x50 before its first action.
fn new_app() -> App {
    let mut app = App::new(fixtures::config());
    app.mirror.configured = true;
    update(&mut app, Action::Resize(200, 50));
    let _ = syncro_tui::app::update::start(&mut app);
    app
}

/// `views`: the rows' views the loader built, or empty for the list to build them.
fn loaded_app(customers: Vec<Packed>, views: Vec<RowView>) -> App {
    let mut app = new_app();
    update(
        &mut app,
        Action::Mirror(MirrorEvent::Loaded {
            customers: Some(customers),
            views,
            age: "synced 3 h ago".into(),
            synced_at: None,
            notice: None,
        }),
    );
    app
}

#[divan::bench(sample_count = 20)]
fn first_rows_from_mirror_20k(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Mirror::new("bench");
    m.replace_all(customers(20_000));
    mirror::store::save(dir.path(), "bench", &m).unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let setup = MirrorSetup {
        dir: dir.path().to_path_buf(),
        profile: "bench".into(),
        server_id: "bench".into(),
        type_property: fixtures::config().customer_type_property,
    };
    bencher.bench_local(|| {
        // As the worker reads it at start (the rows' views built while decoding).
        let (outcome, views) = load_for_list(&setup);
        let loaded = outcome.into_mirror_or_empty("bench");
        let app = loaded_app(loaded.records().to_vec(), views);
        term.clear().unwrap();
        term.draw(|f| syncro_tui::ui::draw(&app, f)).unwrap();
        // Both stay alive, as in the app (the worker keeps the mirror): returned, they are
        // dropped outside the measurement.
        (loaded, app)
    });
}

fn big() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let cs = customers(100_000);
        let index = SearchIndex::from_customers(&cs);
        let mut app = loaded_app(cs.iter().map(Packed::pack).collect(), Vec::new());
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Index(Arc::new(index))),
        );
        update(&mut app, Action::Cmd(syncro_tui::app::Cmd::Search));
        app
    })
}

#[divan::bench(args = ["c", "h", "helper 12", "office@", "springf", "zzzq"], sample_count = 10)]
fn filter_keystroke_100k(bencher: Bencher, text: &str) {
    let (head, last) = text.split_at(text.len() - 1);
    let last = last.chars().next().unwrap();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    bencher
        .with_inputs(|| {
            let mut app = big().clone();
            for c in head.chars() {
                update(&mut app, Action::SearchEdit(InputRequest::InsertChar(c)));
            }
            app
        })
        .bench_local_values(|mut app| {
            update(&mut app, Action::SearchEdit(InputRequest::InsertChar(last)));
            term.draw(|f| syncro_tui::ui::draw(&app, f)).unwrap();
            app
        });
}

/// What a reader of the whole account pays now that records are held packed: every one of
/// 100,000 customers (and their contacts) decoded once, as the audit, the onboarding's
/// duplicate check over the list, an export of every row, and the index build do.
#[divan::bench(sample_count = 5)]
fn unpack_every_customer_100k(bencher: Bencher) {
    let app = big();
    bencher.bench_local(|| {
        app.list
            .rows
            .iter()
            .map(|r| r.customer().contacts.len())
            .sum::<usize>()
    });
}

/// Ctrl-S on a new customer with a mirror of 100,000 customers loaded: the check of every
/// loaded customer and contact for the same e-mail, name or phone before anything is sent.
/// The rows' views let through only those that may match; only those are decoded.
#[divan::bench(sample_count = 10)]
fn new_customer_duplicate_check_100k(bencher: Bencher) {
    bencher
        .with_inputs(|| {
            let mut app = big().clone();
            update(&mut app, Action::SearchEdit(InputRequest::DeleteLine));
            app.stack.clear();
            update(&mut app, Action::Cmd(syncro_tui::app::Cmd::New));
            let f = &mut app.stack.form_mut().expect("a new customer form").form;
            for (key, value) in [
                ("business_name", "Riverside Dental Care"),
                ("email", "front@riverside-dental.example"),
                ("phone", "503 555 0142"),
            ] {
                f.field_mut(key).expect(key).set_value(value.into());
            }
            app
        })
        .bench_local_values(|mut app| {
            let fx = update(&mut app, Action::Cmd(syncro_tui::app::Cmd::FormSave));
            assert!(!fx.is_empty(), "the save went on to the server's check");
            (app, fx)
        });
}
