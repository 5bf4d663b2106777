//! The account mirror: a local copy of every customer and contact of a profile, kept in a file,
//! searched in memory and refreshed from the server by a rate-limit-friendly sync.
//!
//! # Using it from the app
//! ```no_run
//! # async fn demo(client: syncro_tui::api::SyncroClient) -> anyhow::Result<()> {
//! use std::sync::Arc;
//! use syncro_tui::mirror::{self, SearchIndex, Searcher, SyncOptions};
//!
//! // Start: paint from the file at once (tens of ms for 20,000 customers).
//! let dir = syncro_tui::config::data_dir();
//! let outcome = mirror::store::load_for_server(&dir, "default", client.base_url());
//! if let Some(notice) = outcome.notice() {
//!     eprintln!("{notice}"); // status line: "Local mirror ... discarded because ..."
//! }
//! let m = outcome.into_mirror_or_empty(client.base_url());
//! let _age = m.synced_ago(chrono::Utc::now()); // "synced 3 h ago"
//!
//! // Search: build the index off the UI thread, then search per keystroke.
//! let mut searcher = Searcher::new(Arc::new(SearchIndex::build(&m)));
//! for hit in searcher.search("jane@acme", 50).hits {
//!     let _jump_to = (hit.customer_id, hit.contact_id, hit.field.label());
//! }
//!
//! // Refresh in the worker: changes first, a full pass now and then (it notices deletions).
//! let (fresh, report) =
//!     mirror::incremental_sync(&client, &m, &SyncOptions::default(), &mut |p| {
//!         let _status = p.status_line(); // "Syncing customers, page 12 of 50, about 40 s left"
//!     })
//!     .await?;
//! mirror::store::save(&dir, "default", &fresh)?; // crash-safe, 0600
//! searcher.set_index(Arc::new(SearchIndex::build(&fresh)));
//! let _line = report.summary();
//! # Ok(()) }
//! ```
//! Writes made in the app go into the mirror with [`Mirror::put_customer`],
//! [`Mirror::put_customer_keep_contacts`], [`Mirror::put_contact`], [`Mirror::remove_customer`]
//! and [`Mirror::remove_contact`], then a save and an index rebuild.

mod cli;
mod format;
pub mod index;
mod packed;
pub mod search;
pub mod store;
pub mod sync;
pub mod text;

pub use cli::{
    DEMO_PROFILE, demo_reset, run_cache_cli, run_demo_cli, run_sync_cli, run_sync_cli_with_views,
};
pub(crate) use format::body_layout;
pub use packed::Packed;
pub use search::{CustomerMatches, Field, Hit, MatchKind, SearchIndex, SearchResults, Searcher};
pub use store::{DiscardReason, FORMAT_VERSION, LoadOutcome, Made, Mirror};
pub use sync::{
    SyncOptions, SyncPhase, SyncProgress, SyncReport, full_sync, human_duration, incremental_sync,
};
