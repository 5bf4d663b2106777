//! The Syncro client: HTTP and JSON only. Knows nothing of screens.

pub mod client;
pub mod error;
pub mod model;

pub use client::{ClientConfig, CustomerQuery, SyncroClient, all_pages};
pub use error::{ApiError, FieldError};
