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

    /// 401 (or 403). Syncro answers 401 both for a key it does not know and for a key that lacks
    /// a permission; [`ApiError::auth_problem`] tells them apart from the server's text.
    #[error("{}", unauthorized_text(.message))]
    Unauthorized { message: String },

    #[error("Not found (404): {what} does not exist. Confirm the ID; it may have been deleted.")]
    NotFound { what: String },

    #[error("Validation failed (422): {}. Correct the fields and save again.", join_messages(.errors))]
    Validation { errors: Vec<FieldError> },

    /// 429 after the client waited and retried as often as it may (or the server asked for a
    /// wait too long to sit out inside one request).
    #[error(
        "Rate limited (429): Syncro allows 180 requests a minute per IP address, shared by everyone in the office. The client waited and retried; try again in about {}s.",
        .retry_after.map(|d| d.as_secs().max(1)).unwrap_or(60)
    )]
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

    /// A 2xx answer that is not the record the request should have returned: an empty object,
    /// another shape, a record without an id or with another one. For a create or an update the
    /// server may or may not have made the change ([`ApiError::outcome_unknown`]).
    #[error(
        "The server answered {status} but not with the record expected ({detail}). The change may or may not have been made."
    )]
    UnexpectedAnswer { status: u16, detail: String },

    /// The answer was longer than the client reads (`ClientConfig::max_body_bytes`); reading
    /// stopped there.
    #[error(
        "The server's answer is larger than {} MiB, more than any Syncro answer should be; it was not read. A proxy or a misconfigured server may be in the way.",
        .limit / (1024 * 1024)
    )]
    TooLarge { limit: u64 },

    /// An update the server answered, but whose fields (API names) do not hold the values sent,
    /// in the answer and in a fresh read of the record.
    #[error("The server did not keep {}: the record on the server still has other values.", join_fields(.fields))]
    NotKept { fields: Vec<String> },

    #[error("Invalid configuration: {0}")]
    Config(String),
}

/// Which kind of 401 the server's text describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProblem {
    /// The key is unknown, wrong or revoked ("Failed to authenticate account").
    BadKey,
    /// The key works but its security group lacks the permission for this action
    /// ("Not authorized. Please ask account admin to update your group permissions.").
    MissingPermission,
    /// The text does not say.
    Unknown,
}

impl AuthProblem {
    /// Reads the server's 401 text.
    pub fn from_text(text: &str) -> Self {
        let t = text.to_lowercase();
        if t.contains("permission") || t.contains("not authorized") || t.contains("not allowed") {
            AuthProblem::MissingPermission
        } else if t.contains("authenticat")
            || t.contains("token")
            || t.contains("api key")
            || t.contains("api_key")
            || t.contains("credential")
        {
            AuthProblem::BadKey
        } else {
            AuthProblem::Unknown
        }
    }
}

fn unauthorized_text(message: &str) -> String {
    let quoted = if message.trim().is_empty() {
        "the server gave no reason".to_string()
    } else {
        format!("\"{}\"", message.trim().trim_end_matches('.'))
    };
    match AuthProblem::from_text(message) {
        AuthProblem::BadKey => format!(
            "Unauthorized (401): the server rejected the API key ({quoted}). Check that the key is complete and has not been revoked, and that it belongs to this Syncro account."
        ),
        AuthProblem::MissingPermission => format!(
            "Not permitted (401): {quoted}. The API key works but its security group lacks the permission for this action; ask the account admin to grant it (Customers - List/Search, View Detail, Create, Edit, Delete)."
        ),
        AuthProblem::Unknown => format!(
            "Unauthorized (401): {quoted}. Check the API key and that its security group has the permission for this action."
        ),
    }
}

/// "the e-mail", "the title and the phone", "the name, the e-mail and the title".
fn join_fields(fields: &[String]) -> String {
    let names: Vec<String> = fields
        .iter()
        .map(|f| format!("the {}", field_label(f)))
        .collect();
    match names.as_slice() {
        [] => "the values sent".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A technician's word for an API field name (`business_name` -> "business name").
pub fn field_label(field: &str) -> String {
    match field {
        "email" => "e-mail".into(),
        "address1" => "address".into(),
        "address2" | "address_2" => "address line 2".into(),
        "zip" => "ZIP".into(),
        "customer_id" => "customer".into(),
        "tax_rate_id" => "tax rate".into(),
        f => match f.strip_prefix("properties.") {
            Some(p) => format!("\"{p}\""),
            None => f.replace('_', " "),
        },
    }
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

    /// For a 401: a bad key or a missing permission, as far as the server's text tells.
    pub fn auth_problem(&self) -> Option<AuthProblem> {
        match self {
            ApiError::Unauthorized { message } => Some(AuthProblem::from_text(message)),
            _ => None,
        }
    }

    /// The validation messages of a 422 that name `field` (`"email"`).
    pub fn field_errors(&self, field: &str) -> Vec<&str> {
        match self {
            ApiError::Validation { errors } => errors
                .iter()
                .filter(|e| e.field.as_deref() == Some(field))
                .map(|e| e.message.as_str())
                .collect(),
            _ => Vec::new(),
        }
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

    /// For a write (a create above all): the request may have reached the server and been
    /// carried out, although the answer does not show it. True for everything but the answers
    /// that say the server refused or never processed the request (400, 401/403, a JSON 404,
    /// 422, 429) and the client's own errors: a timeout, a dropped connection, any 5xx, an HTML
    /// page, a truncated or unrelated 2xx body, a record without an id, an oversized answer.
    /// After a create that failed so, look for the record before sending again.
    pub fn outcome_unknown(&self) -> bool {
        !matches!(
            self,
            ApiError::BadRequest { .. }
                | ApiError::Unauthorized { .. }
                | ApiError::NotFound { .. }
                | ApiError::Validation { .. }
                | ApiError::RateLimited { .. }
                | ApiError::NotKept { .. }
                | ApiError::Config(_)
        )
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
            | ApiError::NotJson { status, .. }
            | ApiError::UnexpectedAnswer { status, .. } => *status,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For a create, only answers that say the server refused or never processed the request
    /// are known not to have created anything.
    #[test]
    fn outcome_unknown_holds_for_every_answer_that_is_not_a_refusal() {
        let unknown = [
            ApiError::Timeout {
                after: Duration::from_secs(1),
            },
            ApiError::Connect {
                message: "reset".into(),
            },
            ApiError::Server {
                status: 502,
                message: "Bad Gateway".into(),
            },
            ApiError::Server {
                status: 504,
                message: String::new(),
            },
            ApiError::NotJson {
                status: 200,
                content_type: "text/html".into(),
                excerpt: "Maintenance".into(),
            },
            ApiError::UnexpectedAnswer {
                status: 200,
                detail: "no customer record in it".into(),
            },
            ApiError::TooLarge { limit: 1 },
            ApiError::Http {
                status: 302,
                message: String::new(),
            },
        ];
        for e in &unknown {
            assert!(e.outcome_unknown(), "{e:?}");
        }
        let refused = [
            ApiError::BadRequest {
                message: String::new(),
            },
            ApiError::Unauthorized {
                message: String::new(),
            },
            ApiError::NotFound {
                what: String::new(),
            },
            ApiError::Validation { errors: vec![] },
            ApiError::RateLimited { retry_after: None },
            ApiError::Config(String::new()),
        ];
        for e in &refused {
            assert!(!e.outcome_unknown(), "{e:?}");
        }
    }

    #[test]
    fn fields_not_kept_are_named_for_a_technician() {
        let e = ApiError::NotKept {
            fields: vec![
                "email".into(),
                "properties.Customer Type".into(),
                "title".into(),
            ],
        };
        assert_eq!(
            e.to_string(),
            "The server did not keep the e-mail, the \"Customer Type\" and the title: the record on the server still has other values."
        );
    }
}
