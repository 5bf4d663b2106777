//! The mirror's search on the demo generator's data (seed 1, names in many scripts, about three
//! contacts a customer, in the server's order; see `benches/common`), at 1,000, 10,000 and
//! 100,000 customers, called with the limits the app uses:
//!
//! - `/` (the list filter, `mirror_ui::matching_customers`): `Searcher::search(q, usize::MAX)`,
//!   one searcher remembering the previous keystroke, as the app's.
//! - `F` (find anywhere, `mirror_ui::find_search`): `Searcher::search(q, FIND_LIMIT)`.
//! - `slash_set_*`: `Searcher::matching_customers(q)`, the call proposed for `/` (the same
//!   customers, unranked).
//!
//! `*_keystroke` benches time one key (the word's earlier characters searched in the setup, so
//! the key narrows from them as in the app, then a typist's pause of 120 ms); `*_fresh` a query with no previous one (the worst
//! case: the second character, or any edit that is not an addition). The mirror file's load and
//! save at the same sizes are here too.
//!
//! `cargo bench --bench search`

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{SIZES, index, prefixes};
use divan::Bencher;
use syncro_tui::app::mirror::state::FIND_LIMIT;
use syncro_tui::mirror::{self, Searcher};

fn main() {
    divan::main();
}

/// The words of the keystroke benches (see `benches/keys.rs`).
const WORDS: [&str; 5] = ["smith", "@outlook", "8135559", "jonsn", "Νίκος"];

/// `word|n`: the n-th character of `word` (from 1), the earlier ones searched before.
const KEYS: &[&str] = &[
    "smith|2",
    "smith|3",
    "smith|4",
    "smith|5",
    "@outlook|2",
    "@outlook|3",
    "@outlook|8",
    "8135559|2",
    "8135559|3",
    "8135559|4",
    "8135559|7",
    "jonsn|2",
    "jonsn|3",
    "jonsn|4",
    "jonsn|5",
    "Νίκος|2",
    "Νίκος|3",
    "Νίκος|5",
];

/// The time between two keys of a fast typist, left before the measured key (the searcher
/// may work ahead on another thread meanwhile, as in the app).
const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(120);

fn split(spec: &str) -> (&str, Vec<&str>) {
    let (word, n) = spec.split_once('|').expect("word|n");
    let n: usize = n.parse().expect("n");
    let ps = prefixes(word);
    (ps[n - 1], ps[..n - 1].to_vec())
}

fn keystroke(bencher: Bencher, n: usize, spec: &str, limit: usize) {
    let (query, before) = split(spec);
    let index = index(n);
    bencher
        .with_inputs(|| {
            let mut s = Searcher::new(Arc::clone(&index));
            for p in &before {
                s.search(p, limit);
            }
            std::thread::sleep(TYPING_PAUSE);
            s
        })
        .bench_local_refs(|s| s.search(query, limit).total);
}

/// `/`: one keystroke, the app's call (`usize::MAX`), 100,000 customers.
#[divan::bench(args = KEYS, sample_count = 20, sample_size = 1)]
fn slash_keystroke_100k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 100_000, spec, usize::MAX);
}

/// `/` with the set-only call proposed for the list filter (`Searcher::matching_customers`:
/// the same customers, not ranked), one keystroke, 100,000 customers.
#[divan::bench(args = KEYS, sample_count = 20, sample_size = 1)]
fn slash_set_keystroke_100k(bencher: Bencher, spec: &str) {
    let (query, before) = split(spec);
    let index = index(100_000);
    bencher
        .with_inputs(|| {
            let mut s = Searcher::new(Arc::clone(&index));
            for p in &before {
                s.matching_customers(p);
            }
            std::thread::sleep(TYPING_PAUSE);
            s
        })
        .bench_local_refs(|s| s.matching_customers(query).len());
}

/// `F`: one keystroke, the popup's call (`FIND_LIMIT`), 100,000 customers.
#[divan::bench(args = KEYS, sample_count = 20, sample_size = 1)]
fn find_keystroke_100k(bencher: Bencher, spec: &str) {
    keystroke(bencher, 100_000, spec, FIND_LIMIT);
}

/// `/`: every keystroke of each word (from the second: one character is filtered by the list),
/// the figure is for the whole word, at each size.
#[divan::bench(args = SIZES, sample_count = 10)]
fn slash_words(bencher: Bencher, n: usize) {
    let index = index(n);
    bencher
        .with_inputs(|| Searcher::new(Arc::clone(&index)))
        .bench_local_refs(|s| {
            let mut total = 0;
            for w in WORDS {
                for p in prefixes(w).into_iter().skip(1) {
                    total += s.search(p, usize::MAX).total;
                }
            }
            total
        });
}

/// `F`: the same words typed into the popup.
#[divan::bench(args = SIZES, sample_count = 10)]
fn find_words(bencher: Bencher, n: usize) {
    let index = index(n);
    bencher
        .with_inputs(|| Searcher::new(Arc::clone(&index)))
        .bench_local_refs(|s| {
            let mut total = 0;
            for w in WORDS {
                for p in prefixes(w) {
                    total += s.search(p, FIND_LIMIT).total;
                }
            }
            total
        });
}

/// A query with no previous one, the app's `/` limit, 100,000 customers.
#[divan::bench(args = ["sm", "smith", "@o", "81", "8135559", "jo", "jonsn", "νί", "zzzq"], sample_count = 20)]
fn slash_fresh_100k(bencher: Bencher, query: &str) {
    let index = index(100_000);
    bencher.bench(|| index.search(divan::black_box(query), usize::MAX).total);
}

/// The same with the popup's limit.
#[divan::bench(args = ["sm", "smith", "@o", "81", "8135559", "jo", "jonsn", "νί", "zzzq"], sample_count = 20)]
fn find_fresh_100k(bencher: Bencher, query: &str) {
    let index = index(100_000);
    bencher.bench(|| index.search(divan::black_box(query), FIND_LIMIT).total);
}

/// Loading the mirror file (the start-up path without the rows' views).
#[divan::bench(args = SIZES, sample_count = 10)]
fn load_mirror(bencher: Bencher, n: usize) {
    let dir = &common::account(n).setup.dir;
    bencher.bench(|| match mirror::store::load(dir, "bench") {
        mirror::LoadOutcome::Loaded(m) => m,
        other => panic!("mirror not loaded: {other:?}"),
    });
}

/// Saving the mirror (after a sync or a write made in the app).
#[divan::bench(args = SIZES, sample_count = 5)]
fn save_mirror(bencher: Bencher, n: usize) {
    let m = common::mirror(n);
    let dir = tempfile::tempdir().expect("temp dir");
    bencher.bench(|| mirror::store::save(dir.path(), "bench-save", &m).expect("save"));
}
