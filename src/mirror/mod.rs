//! The account mirror: a local copy of every customer and contact of a profile, kept in a file,
//! searched in memory and refreshed from the server by a rate-limit-friendly sync.

mod format;
pub mod store;

pub use store::{DiscardReason, FORMAT_VERSION, LoadOutcome, Mirror};
pub mod search;
pub mod text;

pub use search::{Field, Hit, MatchKind, SearchIndex, SearchResults, Searcher};
pub mod sync;

pub use sync::{SyncOptions, SyncPhase, SyncProgress, SyncReport, full_sync, incremental_sync};
