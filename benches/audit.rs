//! The duplicate audit (`A`, `:duplicates`) over the whole account, as the worker runs it:
//! `findings_packed` over the list's packed records (decoded for the check, dropped after it),
//! customer groups and contact groups, on the demo generator's data (seed 1, which plants
//! near-duplicates; see `benches/common`) at 1,000, 10,000 and 100,000 customers. The records
//! are read from the mirror file once, outside every sample: no HTTP is timed.
//!
//! Run: `cargo bench --bench audit`

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use divan::Bencher;
use syncro_tui::app::audit::state::findings_packed;
use syncro_tui::mirror::Packed;

fn main() {
    divan::main();
}

/// The list's records, as `audit_ui::run` hands them to the worker.
fn records(n: usize) -> Vec<Packed> {
    common::indexed_app(n)
        .list
        .rows
        .iter()
        .map(|r| r.record.clone())
        .collect()
}

#[divan::bench(args = common::SIZES, sample_count = 5)]
fn findings_of(bencher: Bencher, n: usize) {
    let customers = records(n);
    let dismissed = BTreeSet::new();
    bencher.bench_local(|| findings_packed(&customers, &dismissed).len());
}
