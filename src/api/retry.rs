//! When to send a request again, and how long to wait first.
//!
//! - **429** (rate limited): the server did not process the request, so every method is retried,
//!   POST included, after the server's `Retry-After` (or a full window when it gave none), a
//!   bounded number of times. The limiter pauses every sender meanwhile and slows down.
//! - **5xx, connection failures and timeouts**: GET, PUT and DELETE are idempotent (sending them
//!   twice leaves the server as sending them once), so they are retried with full-jitter exponential
//!   backoff up to `max_attempts`. POST is never retried: a create that failed this way may have
//!   happened, and sending it again could create the record twice. The caller decides.
//! - Everything else (400, 401, 404, 422, a body that is not JSON) is final.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::Method;

use super::error::ApiError;

/// A `Retry-After` longer than this is not waited out inside a request: the error goes back to
/// the caller (with the wait in it) so the technician sees what is happening.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// The knobs of the retry decision (taken from `ClientConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts for idempotent requests on 5xx, connection errors and timeouts, the first included.
    pub max_attempts: u32,
    /// First backoff ceiling; doubles with every attempt.
    pub backoff_base: Duration,
    /// Largest backoff ceiling.
    pub backoff_cap: Duration,
    /// How long to wait after a 429 without `Retry-After` (the length of the server's window).
    pub rate_limit_wait: Duration,
    /// How many 429 answers one request may get before the error goes back to the caller.
    pub max_rate_limited_retries: u32,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Rate limited: pause every sender for this long, slow down, then send again.
    RateLimited(Duration),
    /// Wait this long (backoff), then send again.
    Retry(Duration),
    /// Final: return the error.
    GiveUp,
}

/// GET, PUT, DELETE (and HEAD) can be sent twice without harm.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD
    )
}

/// Decides after attempt number `attempt` (1-based, 429s not counted) failed with `error`, when
/// `rate_limited` 429 answers have been retried already.
pub fn decide(
    method: &Method,
    error: &ApiError,
    attempt: u32,
    rate_limited: u32,
    policy: &RetryPolicy,
) -> Decision {
    match error {
        ApiError::RateLimited { retry_after } => {
            let wait = retry_after.unwrap_or(policy.rate_limit_wait);
            if rate_limited >= policy.max_rate_limited_retries || wait > MAX_RETRY_AFTER {
                Decision::GiveUp
            } else {
                Decision::RateLimited(wait)
            }
        }
        ApiError::Server { status, .. } if retryable_status(*status) => {
            backoff_decision(method, attempt, policy)
        }
        ApiError::Timeout { .. } | ApiError::Connect { .. } => {
            backoff_decision(method, attempt, policy)
        }
        _ => Decision::GiveUp,
    }
}

/// 5xx except the ones that will not change on a second try (501 Not Implemented, 505 HTTP
/// Version Not Supported).
fn retryable_status(status: u16) -> bool {
    (500..=599).contains(&status) && status != 501 && status != 505
}

fn backoff_decision(method: &Method, attempt: u32, policy: &RetryPolicy) -> Decision {
    if is_idempotent(method) && attempt < policy.max_attempts {
        Decision::Retry(full_jitter(
            attempt,
            policy.backoff_base,
            policy.backoff_cap,
            &mut rand::rng(),
        ))
    } else {
        Decision::GiveUp
    }
}

/// "Full jitter" backoff: a uniformly random wait in `[0, min(cap, base * 2^(attempt-1))]`.
/// Randomness spreads the retries of many clients instead of letting them hit the server together.
pub fn full_jitter(attempt: u32, base: Duration, cap: Duration, rng: &mut impl Rng) -> Duration {
    let exp = attempt.saturating_sub(1).min(30);
    let ceiling = base.saturating_mul(1u32 << exp).min(cap);
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(rng.random_range(0..=nanos))
}

/// Reads a `Retry-After` header: delta seconds (`"30"`, also `"1.5"`) or an HTTP date, relative
/// to `now`. A date in the past means "now". Anything unreadable is ignored.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).ok())
            .flatten();
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(8),
            rate_limit_wait: Duration::from_secs(60),
            max_rate_limited_retries: 5,
        }
    }

    fn server(status: u16) -> ApiError {
        ApiError::Server {
            status,
            message: String::new(),
        }
    }

    #[test]
    fn idempotent_methods_retry_5xx_connect_and_timeout_until_the_bound() {
        let p = policy();
        let faults = [
            server(503),
            server(500),
            ApiError::Timeout {
                after: Duration::from_secs(1),
            },
            ApiError::Connect {
                message: "refused".into(),
            },
        ];
        for m in [Method::GET, Method::PUT, Method::DELETE] {
            for e in &faults {
                for attempt in 1..p.max_attempts {
                    assert!(
                        matches!(decide(&m, e, attempt, 0, &p), Decision::Retry(_)),
                        "{m} {e:?} attempt {attempt}"
                    );
                }
                assert_eq!(decide(&m, e, p.max_attempts, 0, &p), Decision::GiveUp);
            }
        }
    }

    #[test]
    fn post_is_never_retried_except_after_429() {
        let p = policy();
        for e in [
            server(503),
            server(502),
            ApiError::Timeout {
                after: Duration::from_secs(1),
            },
            ApiError::Connect {
                message: "reset".into(),
            },
        ] {
            assert_eq!(decide(&Method::POST, &e, 1, 0, &p), Decision::GiveUp);
        }
        let limited = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            decide(&Method::POST, &limited, 1, 0, &p),
            Decision::RateLimited(Duration::from_secs(3))
        );
    }

    #[test]
    fn rate_limited_waits_for_the_window_without_retry_after_and_is_bounded() {
        let p = policy();
        let limited = ApiError::RateLimited { retry_after: None };
        assert_eq!(
            decide(&Method::GET, &limited, 1, 0, &p),
            Decision::RateLimited(Duration::from_secs(60))
        );
        assert_eq!(
            decide(&Method::GET, &limited, 1, p.max_rate_limited_retries, &p),
            Decision::GiveUp
        );
        let absurd = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(86_400)),
        };
        assert_eq!(decide(&Method::GET, &absurd, 1, 0, &p), Decision::GiveUp);
    }

    #[test]
    fn client_errors_are_final() {
        let p = policy();
        for e in [
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
            ApiError::NotJson {
                status: 200,
                content_type: String::new(),
                excerpt: String::new(),
            },
            server(501),
        ] {
            assert_eq!(
                decide(&Method::GET, &e, 1, 0, &p),
                Decision::GiveUp,
                "{e:?}"
            );
        }
    }

    #[test]
    fn full_jitter_stays_under_the_exponential_ceiling_and_the_cap() {
        let mut rng = StdRng::seed_from_u64(7);
        let base = Duration::from_millis(250);
        let cap = Duration::from_secs(8);
        for attempt in 1..40 {
            let ceiling = (base * 2u32.pow((attempt - 1).min(10))).min(cap);
            for _ in 0..200 {
                let d = full_jitter(attempt, base, cap, &mut rng);
                assert!(d <= ceiling, "attempt {attempt}: {d:?} > {ceiling:?}");
            }
        }
        // It is actually random, not always the ceiling or zero.
        let draws: std::collections::HashSet<_> = (0..50)
            .map(|_| full_jitter(3, base, cap, &mut rng))
            .collect();
        assert!(draws.len() > 40);
        assert_eq!(
            full_jitter(1, Duration::ZERO, cap, &mut rng),
            Duration::ZERO
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("30", now), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(42))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        for junk in ["", "soon", "-5", "NaN", "inf", "1e400", "Fri, 99 Foo 2024"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk}");
        }
    }
}
