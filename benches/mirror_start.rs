//! Start from the mirror, and the readers of the whole account, on the demo generator's data
//! (seed 1, about three contacts a customer, in the server's order; see `benches/common`).
//!
//! - `first_rows_from_mirror`: start to the first frame with rows, inside the process: the
//!   mirror file read as the worker does (the rows' views and their order by name read from
//!   the file's views section, no record decoded), the customers handed to `update` as the
//!   app's first action, the list built, and the first frame drawn and encoded at 200x50. No
//!   request, no process start, no config, no terminal set-up: `benches/e2e.rs start` measures
//!   those too. The parts: `load_for_list` (the worker's read; `_without_views`: a file saved
//!   without the section, every record decoded and its view built, as before the section),
//!   `loaded_into_app` (the app's side: rows, sort, filter) and `first_frame`.
//! - `records_check_after_first_frame`: the worker's decode check of every record, which a
//!   start from the views makes after the first frame.
//! - `index_build`: the search index the worker builds after the first frame.
//! - `unpack_every_customer`: every record of the list decoded once, what a reader of the whole
//!   account (audit, duplicate checks, export) pays for records held packed.
//! - `new_customer_duplicate_check`: Ctrl-S on a new customer form over that list, whose check
//!   for the same e-mail, name or phone decodes only the rows that may match.
//!
//! Run: `cargo bench --bench mirror_start`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{account, app_from_file, draw, indexed_app, new_app, screen};
use divan::Bencher;
use syncro_tui::app::mirror::state::MirrorEvent;
use syncro_tui::app::{Action, Cmd, update};
use syncro_tui::mirror::SearchIndex;
use syncro_tui::worker::load_for_list;

fn main() {
    divan::main();
}

/// The start budget is for 20,000 customers; the growth shows from 1,000 to 100,000.
const START_SIZES: [usize; 4] = [1_000, 10_000, 20_000, 100_000];

#[divan::bench(args = START_SIZES, sample_count = 10)]
fn first_rows_from_mirror(bencher: Bencher, n: usize) {
    let setup = &account(n).setup;
    bencher.bench_local(|| {
        let (outcome, rows) = load_for_list(setup);
        let m = outcome.into_mirror_or_empty("bench");
        let mut app = new_app();
        update(
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
        let mut term = screen();
        draw(&mut term, &app);
        assert!(!app.list.shown.is_empty());
        // Both stay alive in the app (the worker keeps the mirror): returned, they are dropped
        // outside the measurement.
        (m, app, term)
    });
}

/// The worker's read at start: the file, its checksum, every record decoded once and the rows'
/// views built.
#[divan::bench(args = START_SIZES, sample_count = 10)]
fn load_for_list_part(bencher: Bencher, n: usize) {
    let setup = &account(n).setup;
    bencher.bench_local(|| load_for_list(setup));
}

/// [`load_for_list_part`] from a file without the views section (as saved before it): every
/// record decoded and its view built.
#[divan::bench(args = START_SIZES, sample_count = 10)]
fn load_for_list_part_without_views(bencher: Bencher, n: usize) {
    let setup = &account(n).plain;
    bencher.bench_local(|| load_for_list(setup));
}

/// The worker's check of every record after the first frame (a start from the views).
#[divan::bench(args = START_SIZES, sample_count = 10)]
fn records_check_after_first_frame(bencher: Bencher, n: usize) {
    let m = common::mirror(n);
    bencher.bench_local(|| m.check().is_ok());
}

/// The app's side of the first action: the rows made, sorted and filtered.
#[divan::bench(args = START_SIZES, sample_count = 10)]
fn loaded_into_app_part(bencher: Bencher, n: usize) {
    let setup = &account(n).setup;
    bencher
        .with_inputs(|| {
            let (outcome, rows) = load_for_list(setup);
            let m = outcome.into_mirror_or_empty("bench");
            (m.records().to_vec(), rows, new_app())
        })
        .bench_local_values(|(customers, rows, mut app)| {
            update(
                &mut app,
                Action::Mirror(MirrorEvent::Loaded {
                    customers: Some(customers),
                    views: rows.views,
                    order: rows.order,
                    age: "synced 3 h ago".into(),
                    synced_at: None,
                    notice: None,
                }),
            );
            app
        });
}

/// The first frame of a loaded list, into a blank terminal (every cell is written).
#[divan::bench(args = START_SIZES, sample_count = 20)]
fn first_frame_part(bencher: Bencher, n: usize) {
    let (_m, app) = app_from_file(n);
    bencher.with_inputs(screen).bench_local_values(|mut term| {
        draw(&mut term, &app);
        term
    });
}

/// The search index of the whole account (built by the worker after the first frame).
#[divan::bench(args = common::SIZES, sample_count = 5)]
fn index_build(bencher: Bencher, n: usize) {
    let m = common::mirror(n);
    bencher.bench_local(|| Arc::new(SearchIndex::build(&m)));
}

/// What a reader of the whole account pays now that records are held packed.
#[divan::bench(args = common::SIZES, sample_count = 5)]
fn unpack_every_customer(bencher: Bencher, n: usize) {
    let app = indexed_app(n);
    bencher.bench_local(|| {
        app.list
            .rows
            .iter()
            .map(|r| r.customer().contacts.len())
            .sum::<usize>()
    });
}

/// Ctrl-S on a new customer: the check of every loaded customer and contact for the same
/// e-mail, name or phone before anything is sent.
#[divan::bench(args = common::SIZES, sample_count = 10)]
fn new_customer_duplicate_check(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| {
            let mut app = indexed_app(n).clone();
            update(&mut app, Action::Cmd(Cmd::New));
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
            let fx = update(&mut app, Action::Cmd(Cmd::FormSave));
            assert!(!fx.is_empty(), "the save went on to the server's check");
            (app, fx)
        });
}
