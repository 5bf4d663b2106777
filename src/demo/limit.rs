//! Syncro's rate limit: a number of requests per client IP in a sliding window (180 per 60 s).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

/// Sliding-window counter per client IP. Uses tokio's clock, so it follows a paused test clock.
#[derive(Debug)]
pub struct RateLimiter {
    limit: Option<u32>,
    window: Duration,
    seen: HashMap<IpAddr, VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(limit: Option<u32>, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            seen: HashMap::new(),
        }
    }

    pub fn set_limit(&mut self, limit: Option<u32>) {
        self.limit = limit;
    }

    pub fn set_window(&mut self, window: Duration) {
        self.window = window;
    }

    /// Forget every counted request.
    pub fn reset(&mut self) {
        self.seen.clear();
    }

    /// Count a request from `ip` at `now`; `Err(wait)` when it is over the limit, `wait` being
    /// the time until the oldest counted request leaves the window. Refused requests are not
    /// counted.
    pub fn check(&mut self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let window = self.window;
        let times = self.seen.entry(ip).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= limit as usize {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + window).saturating_duration_since(now));
        }
        times.push_back(now);
        Ok(())
    }
}

/// `Retry-After` seconds for a wait: rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn allows_the_limit_then_refuses_until_a_slot_frees() {
        let mut l = RateLimiter::new(Some(3), Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.check(IP, t0 + Duration::from_secs(i)).is_ok());
        }
        let wait = l.check(IP, t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(l.check(IP, t0 + Duration::from_secs(60)).is_ok());
        assert!(l.check(IP, t0 + Duration::from_secs(60)).is_err());
    }

    #[test]
    fn other_ips_have_their_own_window_and_off_means_off() {
        let mut l = RateLimiter::new(Some(1), Duration::from_secs(60));
        let now = Instant::now();
        assert!(l.check(IP, now).is_ok());
        assert!(l.check(IP, now).is_err());
        assert!(
            l.check(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), now)
                .is_ok()
        );
        l.set_limit(None);
        assert!(l.check(IP, now).is_ok());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
