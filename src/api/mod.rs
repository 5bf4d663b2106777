//! The Syncro client: HTTP and JSON only. Knows nothing of screens.

pub mod client;
pub mod error;
pub mod limiter;
pub mod model;
pub mod retry;
pub mod scan;
pub mod write;

pub use client::{ClientConfig, ClientStats, SyncroClient, all_pages, all_pages_read};
pub use error::{ApiError, AuthProblem, FieldError};
pub use limiter::{Priority, WaitReason};
pub use model::CustomerQuery;
pub use write::{CreatedContact, TitleOutcome};
