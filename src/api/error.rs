//! Errors of the Syncro client, worded for a technician: what happened and what to do about it.

use std::time::Duration;

/// A field-level validation message from a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The API field the message is about (`email`, `name`), when it can be told from the text.
    pub field: Option<String>,
    /// The server's message as it sent it ("Email is not an email").
    pub message: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("Invalid parameters (400): {message}. Check the field values.")]
    BadRequest { message: String },

    #[error(
        "Unauthorized (401): {message}. Check the API key and that its security group has the permission for this action."
    )]
    Unauthorized { message: String },

    #[error("Not found (404): {what} does not exist. Confirm the ID; it may have been deleted.")]
    NotFound { what: String },

    #[error("Validation failed (422): {}. Correct the fields and save again.", join_messages(.errors))]
    Validation { errors: Vec<FieldError> },

    #[error("Rate limited (429): Syncro allows 180 requests a minute per IP. Waiting {}s, then retrying.", .retry_after.map(|d| d.as_secs()).unwrap_or(60))]
    RateLimited { retry_after: Option<Duration> },

    #[error("Syncro server error ({status}): {message}. Usually temporary; try again in a moment.")]
    Server { status: u16, message: String },

    #[error("Unexpected answer ({status}): {message}.")]
    Http { status: u16, message: String },

    #[error("Timed out after {}s waiting for the server. Check the connection; retry when it is back.", .after.as_secs())]
    Timeout { after: Duration },

    #[error("Cannot reach the server: {message}. Check the network and the server address.")]
    Connect { message: String },

    #[error(
        "The server did not answer with the JSON expected (HTTP {status}, {content_type}): \"{excerpt}\". A proxy, firewall or maintenance page may be in the way."
    )]
    NotJson {
        status: u16,
        content_type: String,
        excerpt: String,
    },

    #[error("Invalid configuration: {0}")]
    Config(String),
}

fn join_messages(errors: &[FieldError]) -> String {
    let v: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    if v.is_empty() {
        "the server gave no details".to_string()
    } else {
        v.join("; ")
    }
}

impl ApiError {
    /// Errors that stop everything until the user acts (a bad key): shown in a modal.
    pub fn is_blocking(&self) -> bool {
        matches!(self, ApiError::Unauthorized { .. })
    }

    /// Errors where repeating the same request may succeed (network, server, rate limit).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Timeout { .. }
                | ApiError::Connect { .. }
        )
    }

    /// For a create: the request may or may not have reached the server.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, ApiError::Timeout { .. } | ApiError::Connect { .. })
    }

    /// HTTP status, where there was one.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            ApiError::BadRequest { .. } => 400,
            ApiError::Unauthorized { .. } => 401,
            ApiError::NotFound { .. } => 404,
            ApiError::Validation { .. } => 422,
            ApiError::RateLimited { .. } => 429,
            ApiError::Server { status, .. }
            | ApiError::Http { status, .. }
            | ApiError::NotJson { status, .. } => *status,
            _ => return None,
        })
    }
}
