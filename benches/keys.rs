//! Keystrokes as the technician feels them, inside the process: the key the keymap turns into an
//! `Action`, `update` (for `/`: the mirror's search with the app's own limit, then the list
//! refiltered by its answer; for `F`: the popup's search and its rows), and the repaint into a
//! terminal whose previous frame is the screen before the key, diffed and encoded into escape
//! sequences (counted into a sink). What the terminal and the process add is measured end to
//! end by `benches/e2e.rs` (`assets/measure-keys.sh`).
//!
//! Data: the demo generator's account (seed 1, about three contacts a customer) at 1,000, 10,000
//! and 100,000 customers, synced from an in-process demo server, saved and loaded back as the
//! worker loads it, and indexed (see `benches/common`). Setup (the app cloned before the search
//! began, the first characters of the word typed, the screen before the key drawn) is outside
//! every timed sample. A clone of the app has a fresh searcher, so the words' earlier
//! characters are typed in the setup: the measured key narrows from them as in the app.
//!
//! - `slash_*`: `/` then each character of a word: a name, an e-mail fragment, phone digits, a
//!   typo (found by the fuzzy pass) and a non-Latin name. One bench per keystroke.
//! - `find_*`: the same words in `F` (find anywhere).
//! - `browse`: `j`, PgDn, `s` (sort by the next key), `*` (mark every row), and Esc from a
//!   typed search.
//! - `contacts_pane`: `c` (the pane opened), `/` and a character in it, `s` in it.
//!
//! Run: `cargo bench --bench keys` (`-- slash_100k` for one group).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SIZES, Screen, draw, indexed_app, press, screen_showing, type_text};
use crossterm::event::KeyCode;
use divan::Bencher;
use syncro_tui::app::App;

fn main() {
    divan::main();
}

/// The words of the end-to-end script: a name, an e-mail fragment, phone digits, a typo and a
/// non-Latin name.
pub const WORDS: [&str; 5] = ["smith", "@outlook", "8135559", "jonsn", "Νίκος"];

/// Every keystroke of every word: `word|n` means the n-th character of `word` (from 1).
const KEYS: &[&str] = &[
    "smith|1",
    "smith|2",
    "smith|3",
    "smith|4",
    "smith|5",
    "@outlook|1",
    "@outlook|2",
    "@outlook|3",
    "@outlook|4",
    "@outlook|8",
    "8135559|1",
    "8135559|2",
    "8135559|3",
    "8135559|4",
    "8135559|7",
    "jonsn|1",
    "jonsn|2",
    "jonsn|3",
    "jonsn|4",
    "jonsn|5",
    "Νίκος|1",
    "Νίκος|2",
    "Νίκος|3",
    "Νίκος|5",
];

/// The text before the measured key and the key.
fn split(spec: &str) -> (String, char) {
    let (word, n) = spec.split_once('|').expect("word|n");
    let n: usize = n.parse().expect("n");
    let head: String = word.chars().take(n - 1).collect();
    let key = word.chars().nth(n - 1).expect("a character");
    (head, key)
}

/// The app of `n` customers with `opener` pressed (`/` or `F`) and `head` typed, and the screen
/// showing it.
fn typed(n: usize, opener: char, head: &str) -> (App, Screen) {
    let mut app = indexed_app(n).clone();
    press(&mut app, KeyCode::Char(opener));
    type_text(&mut app, head);
    let term = screen_showing(&app);
    // A fast typist's pause between two keys (the searcher may work ahead meanwhile).
    std::thread::sleep(std::time::Duration::from_millis(120));
    (app, term)
}

fn keystroke(bencher: Bencher, n: usize, opener: char, spec: &str) {
    let (head, key) = split(spec);
    bencher
        .with_inputs(|| typed(n, opener, &head))
        .bench_local_values(|(mut app, mut term)| {
            press(&mut app, KeyCode::Char(key));
            draw(&mut term, &app);
            (app, term)
        });
}

/// `/` then one character, 100,000 customers.
#[divan::bench(args = KEYS, sample_count = 10, sample_size = 1)]
fn slash_100k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 100_000, '/', spec);
}

#[divan::bench(args = KEYS, sample_count = 10, sample_size = 1)]
fn slash_10k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 10_000, '/', spec);
}

#[divan::bench(args = KEYS, sample_count = 10, sample_size = 1)]
fn slash_1k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 1_000, '/', spec);
}

/// `F` then one character, 100,000 customers.
#[divan::bench(args = KEYS, sample_count = 10, sample_size = 1)]
fn find_100k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 100_000, 'F', spec);
}

#[divan::bench(args = KEYS, sample_count = 10, sample_size = 1)]
fn find_10k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 10_000, 'F', spec);
}

#[divan::bench(args = KEYS, sample_count = 10, sample_size = 1)]
fn find_1k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 1_000, 'F', spec);
}

/// Moving and sorting in the list, and leaving a search.
mod browse {
    use super::*;

    /// One key pressed in the list (the screen before it drawn), then the repaint.
    fn key(bencher: Bencher, n: usize, code: KeyCode) {
        bencher
            .with_inputs(|| {
                let app = indexed_app(n).clone();
                let term = screen_showing(&app);
                (app, term)
            })
            .bench_local_values(|(mut app, mut term)| {
                press(&mut app, code);
                draw(&mut term, &app);
                (app, term)
            });
    }

    #[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
    fn j(bencher: Bencher, n: usize) {
        key(bencher, n, KeyCode::Char('j'));
    }

    #[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
    fn page_down(bencher: Bencher, n: usize) {
        key(bencher, n, KeyCode::PageDown);
    }

    /// `s`: the next sort key (name -> city): every row sorted again, then filtered.
    #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
    fn sort_next(bencher: Bencher, n: usize) {
        key(bencher, n, KeyCode::Char('s'));
    }

    /// `*`: every row the filter shows marked (here every customer of the account), the
    /// pane title's count repainted.
    #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
    fn mark_all(bencher: Bencher, n: usize) {
        key(bencher, n, KeyCode::Char('*'));
    }

    /// Esc in the search field after `smith`: the search cleared, every row shown again.
    #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
    fn esc_from_search(bencher: Bencher, n: usize) {
        bencher
            .with_inputs(|| typed(n, '/', "smith"))
            .bench_local_values(|(mut app, mut term)| {
                press(&mut app, KeyCode::Esc);
                draw(&mut term, &app);
                (app, term)
            });
    }
}

/// The contacts pane (`c`): every contact of the account (about 2.9 a customer: 291,380 at
/// 100,000 customers), with the same habits as the customer list. Over a few thousand
/// customers the pane's rows are built on a worker thread; here that build runs inline, as the
/// worker runs it, and its answer goes into `update`.
mod contacts_pane {
    use super::*;

    fn open_pane(app: &mut App) {
        common::open_contacts_pane(app);
    }

    /// The app with the contacts pane open (and `/` pressed and `head` typed when `search`).
    fn pane(n: usize, search: Option<&str>) -> (App, Screen) {
        let mut app = indexed_app(n).clone();
        open_pane(&mut app);
        assert!(
            app.contacts.rows.len() > n,
            "the pane holds the account's contacts"
        );
        if let Some(head) = search {
            press(&mut app, KeyCode::Char('/'));
            type_text(&mut app, head);
        }
        let term = screen_showing(&app);
        std::thread::sleep(std::time::Duration::from_millis(120));
        (app, term)
    }

    /// `c` from the customer list to the pane showing its rows: the key, the rows built (on
    /// the worker in the app), drawn.
    #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
    fn open(bencher: Bencher, n: usize) {
        bencher
            .with_inputs(|| {
                let app = indexed_app(n).clone();
                let term = screen_showing(&app);
                (app, term)
            })
            .bench_local_values(|(mut app, mut term)| {
                open_pane(&mut app);
                draw(&mut term, &app);
                (app, term)
            });
    }

    /// `/` in the pane, then one character of a word.
    #[divan::bench(args = ["smith|1", "smith|2", "smith|3", "smith|5", "@outlook|2", "@outlook|4", "8135559|4", "Νίκος|3"], sample_count = 10, sample_size = 1)]
    fn slash_100k(bencher: Bencher, spec: &str) {
        let (head, key) = split(spec);
        bencher
            .with_inputs(|| pane(100_000, Some(&head)))
            .bench_local_values(|(mut app, mut term)| {
                press(&mut app, KeyCode::Char(key));
                draw(&mut term, &app);
                (app, term)
            });
    }

    /// `s`: the pane sorted by its next key.
    #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
    fn sort_next(bencher: Bencher, n: usize) {
        bencher
            .with_inputs(|| pane(n, None))
            .bench_local_values(|(mut app, mut term)| {
                press(&mut app, KeyCode::Char('s'));
                draw(&mut term, &app);
                (app, term)
            });
    }
}
