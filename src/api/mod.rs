//! The Syncro client: HTTP and JSON only. Knows nothing of screens.

pub mod client;
pub mod error;
pub mod limiter;
pub mod model;
pub mod retry;

pub use client::{ClientConfig, ClientStats, SyncroClient, all_pages};
pub use error::{ApiError, AuthProblem, FieldError};
pub use model::CustomerQuery;
