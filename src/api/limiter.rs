//! Client-side rate limiter: at most N requests in any sliding window (Syncro: 180 a minute per IP).
//!
//! # How it guarantees the limit
//! The limiter keeps a log of the instants at which it granted a slot during the last window. A
//! slot is granted at `now` only when fewer than the current allowance were granted in
//! `(now - window, now]`. Take any window `[t, t + window)` and its last grant `s`: every grant in
//! it lies in `(s - window, s]`, and when `s` was granted fewer than the allowance lay there, so
//! no window ever holds more than the allowance. This holds however many tasks share the limiter:
//! the log is the single source of truth and grants are made one at a time.
//!
//! Waiters queue on a fair (FIFO) tokio mutex, so a long sync cannot starve an interactive request
//! that arrived later for longer than its place in the queue. Time is tokio time, so tests run it
//! under a paused clock.
//!
//! # Paced requests (background work)
//! The log alone lets a whole window's allowance out at once: 180 requests in the first second,
//! then nothing for a minute. For a background sync that is the worst shape: every request of the
//! app (opening a customer) would then wait up to a minute for the window to slide, and so would
//! colleagues behind the same office IP. [`RateLimiter::acquire_paced`] therefore spaces its
//! grants at least `window / allowance` apart (339 ms for 180 per 61 s), on a queue of its own:
//! a bulk job runs at the full rate, the window fills evenly, and an interactive request waits at
//! most one spacing for a slot. The cost is the burst: N paced requests take `(N - 1) * window /
//! allowance` instead of `floor((N - 1) / allowance) * window`.
//!
//! # After a 429
//! The server knows better than we do: colleagues behind the same office IP share the budget. On a
//! 429 the limiter
//! 1. pauses every sender until the server's `Retry-After` (or a full window when it gave none),
//! 2. halves its allowance (down to one request per window; 429s that arrive while a pause is
//!    running belong to the same burst and do not halve it again), and
//! 3. recovers gradually: each full window without another 429 gives back a quarter of the
//!    configured rate, so after one 429 full speed returns within two quiet windows, after
//!    several 429s in a row within four.
//!
//! A limit of 0 turns the counting off, but a 429 still pauses every sender.

use std::collections::VecDeque;
use std::sync::Mutex as SyncMutex;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::{Instant, sleep_until};

/// The sliding-window limiter shared by every clone of a client.
#[derive(Debug)]
pub struct RateLimiter {
    /// Configured requests per window; 0 = no counting.
    limit: u32,
    window: Duration,
    /// Held while waiting for a slot: waiters are served in arrival order.
    queue: Mutex<()>,
    /// The same for paced waiters, so that interactive requests never queue behind them.
    paced_queue: Mutex<()>,
    /// Short critical sections only (never held across an await).
    state: SyncMutex<State>,
}

#[derive(Debug)]
struct State {
    /// Instants of the grants still inside the window, oldest first.
    granted: VecDeque<Instant>,
    /// Nobody is granted a slot before this instant (set by a 429).
    paused_until: Option<Instant>,
    /// Requests allowed per window right now: `limit`, or less after a 429.
    allowance: u32,
    /// When `allowance` last went down or up (recovery counts whole windows from here).
    changed_at: Instant,
    /// The last paced grant (the next one is due a spacing later).
    last_paced: Option<Instant>,
}

/// What the limiter currently allows, for status lines and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterSnapshot {
    /// Requests allowed per window right now (the configured limit unless slowed by a 429).
    pub allowance: u32,
    /// Slots granted within the current window.
    pub in_window: u32,
    /// Time left of a pause imposed by a 429.
    pub paused_for: Option<Duration>,
    /// Spacing of paced requests at the current allowance (`None` when counting is off).
    pub spacing: Option<Duration>,
    /// How long a request arriving now would wait for a slot (a 429's pause, or a full
    /// window), not counting the spacing of paced requests; `None` when it would go at once.
    pub next_slot_in: Option<Duration>,
}

impl RateLimiter {
    /// At most `limit` grants in any `window`; `limit == 0` disables counting.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            queue: Mutex::new(()),
            paced_queue: Mutex::new(()),
            state: SyncMutex::new(State {
                granted: VecDeque::with_capacity(limit as usize),
                paused_until: None,
                allowance: limit,
                changed_at: Instant::now(),
                last_paced: None,
            }),
        }
    }

    /// The configured number of requests per window (0 = off).
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Waits for a slot and returns the instant it was granted at. Cancel-safe: a dropped wait
    /// takes no slot.
    pub async fn acquire(&self) -> Instant {
        let _turn = self.queue.lock().await;
        loop {
            match self.try_grant(false) {
                Ok(granted) => return granted,
                Err(wake) => sleep_until(wake).await,
            }
        }
    }

    /// Like [`RateLimiter::acquire`], for background work: grants are also spaced at least
    /// `window / allowance` apart (see the module docs), so the window fills evenly instead of
    /// at once. Cancel-safe.
    pub async fn acquire_paced(&self) -> Instant {
        let _turn = self.paced_queue.lock().await;
        loop {
            match self.try_grant(true) {
                Ok(granted) => return granted,
                Err(wake) => sleep_until(wake).await,
            }
        }
    }

    /// Grants a slot now (`Ok(now)`), or says when to look again (`Err(instant)`).
    fn try_grant(&self, paced: bool) -> Result<Instant, Instant> {
        let mut st = self.lock_state();
        let now = Instant::now();
        if let Some(until) = st.paused_until {
            if now < until {
                return Err(until);
            }
            st.paused_until = None;
        }
        if self.limit == 0 {
            return Ok(now);
        }
        st.recover(now, self.limit, self.window);
        st.expire(now, self.window);
        let allowance = st.allowance.max(1);
        if paced && let Some(last) = st.last_paced {
            let due = later(last, self.window / allowance);
            if now < due {
                return Err(due);
            }
        }
        let allowance = allowance as usize;
        if st.granted.len() < allowance {
            st.granted.push_back(now);
            if paced {
                st.last_paced = Some(now);
            }
            return Ok(now);
        }
        // A slot frees when enough of the oldest grants have left the window.
        Err(later(st.granted[st.granted.len() - allowance], self.window))
    }

    /// Reports a 429: pause all senders for `wait`, then continue at half the rate.
    ///
    /// Several requests in flight often meet the same 429 burst; they count as one event: while
    /// a pause is running, a further 429 only lengthens it and does not halve the rate again.
    pub fn on_rate_limited(&self, wait: Duration) {
        let mut st = self.lock_state();
        let now = Instant::now();
        let until = later(now, wait);
        let already_paused = st.paused_until.is_some_and(|p| p > now);
        st.paused_until = Some(st.paused_until.map_or(until, |p| p.max(until)));
        if !already_paused {
            st.allowance = (st.allowance / 2).max(1);
        }
        // Recovery counts quiet windows from the end of the pause.
        st.changed_at = st.paused_until.unwrap_or(until);
    }

    /// Current allowance, grants in the window and any pause.
    pub fn snapshot(&self) -> LimiterSnapshot {
        let mut st = self.lock_state();
        let now = Instant::now();
        if self.limit > 0 {
            st.recover(now, self.limit, self.window);
            st.expire(now, self.window);
        }
        let allowance = st.allowance.max(1) as usize;
        let window_full = (self.limit > 0 && st.granted.len() >= allowance)
            .then(|| later(st.granted[st.granted.len() - allowance], self.window));
        let next_slot = window_full.into_iter().chain(st.paused_until).max();
        LimiterSnapshot {
            allowance: st.allowance,
            in_window: st.granted.len() as u32,
            paused_for: st
                .paused_until
                .filter(|u| *u > now)
                .map(|u| u.duration_since(now)),
            spacing: (self.limit > 0).then(|| self.window / st.allowance.max(1)),
            next_slot_in: next_slot
                .filter(|t| *t > now)
                .map(|t| t.duration_since(now)),
        }
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is a single step.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `at + by`, saturating at about a year ahead instead of overflowing on absurd durations.
fn later(at: Instant, by: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(365 * 24 * 3600);
    at.checked_add(by.min(FAR)).unwrap_or(at)
}

impl State {
    /// Drops grants that are no longer inside `(now - window, now]`.
    fn expire(&mut self, now: Instant, window: Duration) {
        while self
            .granted
            .front()
            .is_some_and(|t| later(*t, window) <= now)
        {
            self.granted.pop_front();
        }
    }

    /// Gives back a quarter of the configured rate per full quiet window since the last change.
    fn recover(&mut self, now: Instant, limit: u32, window: Duration) {
        if self.allowance >= limit {
            return;
        }
        let since = now.saturating_duration_since(self.changed_at);
        let windows = (since.as_nanos() / window.as_nanos().max(1)) as u32;
        if windows == 0 {
            return;
        }
        let step = limit.div_ceil(4).max(1);
        self.allowance = self
            .allowance
            .saturating_add(step.saturating_mul(windows))
            .min(limit);
        self.changed_at += window * windows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const MINUTE: Duration = Duration::from_secs(60);

    /// The largest number of grants inside any half-open window `[t, t + window)`.
    fn max_in_any_window(mut times: Vec<Instant>, window: Duration) -> usize {
        times.sort();
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..times.len() {
            while times[lo] + window <= times[hi] {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }

    /// `n` requests at once, each granted by `acquire` (or `acquire_paced`): when each got
    /// its slot.
    async fn grants(limiter: Arc<RateLimiter>, n: usize, paced: bool) -> Vec<Instant> {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move {
                    if paced {
                        l.acquire_paced().await
                    } else {
                        l.acquire().await
                    }
                })
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    async fn concurrent_grants(limiter: Arc<RateLimiter>, n: usize) -> Vec<Instant> {
        grants(limiter, n, false).await
    }

    #[tokio::test(start_paused = true)]
    async fn four_hundred_concurrent_requests_stay_under_180_per_minute() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        let start = Instant::now();
        let times = concurrent_grants(limiter, 400).await;
        assert_eq!(times.len(), 400);
        assert_eq!(max_in_any_window(times.clone(), MINUTE), 180);
        // And it does not dawdle: 400 = 180 + 180 + 40 needs two full windows, no more.
        let last = times.iter().max().unwrap();
        assert_eq!(last.duration_since(start), 2 * MINUTE);
    }

    #[tokio::test(start_paused = true)]
    async fn the_snapshot_says_how_long_a_full_window_holds_requests() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        assert_eq!(limiter.snapshot().next_slot_in, None);
        concurrent_grants(limiter.clone(), 180).await;
        tokio::time::sleep(Duration::from_secs(20)).await;
        // The next slot frees when the first grant leaves the window.
        assert_eq!(
            limiter.snapshot().next_slot_in,
            Some(Duration::from_secs(40))
        );
        tokio::time::sleep(Duration::from_secs(40)).await;
        assert_eq!(limiter.snapshot().next_slot_in, None);
    }

    #[tokio::test(start_paused = true)]
    async fn staggered_arrivals_never_exceed_the_window() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        let mut tasks = Vec::new();
        for i in 0..400u64 {
            let l = limiter.clone();
            tasks.push(tokio::spawn(async move {
                // Arrivals spread irregularly over the first 90 s.
                tokio::time::sleep(Duration::from_millis((i * 7919) % 90_000)).await;
                l.acquire().await
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        assert!(max_in_any_window(times, MINUTE) <= 180);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_everyone_then_halves_the_rate_and_recovers() {
        let limiter = Arc::new(RateLimiter::new(100, MINUTE));
        let start = Instant::now();
        concurrent_grants(limiter.clone(), 10).await;
        limiter.on_rate_limited(Duration::from_secs(30));
        let snap = limiter.snapshot();
        assert_eq!(snap.allowance, 50);
        assert_eq!(snap.paused_for, Some(Duration::from_secs(30)));
        assert_eq!(snap.next_slot_in, Some(Duration::from_secs(30)));

        // Nobody gets through during the pause.
        let first = limiter.acquire().await;
        assert_eq!(first.duration_since(start), Duration::from_secs(30));

        // At the lower rate: 10 + 1 already in the window, so 39 more before the window is full.
        let times = concurrent_grants(limiter.clone(), 60).await;
        let mut all = times.clone();
        all.push(first);
        let in_first_minute = all
            .iter()
            .filter(|t| t.duration_since(start) < MINUTE)
            .count();
        assert_eq!(in_first_minute + 10, 50);

        // One quiet window after the pause a quarter of the rate comes back, after two all of it.
        assert_eq!(limiter.snapshot().allowance, 75);
        assert_eq!(
            Instant::now().duration_since(start),
            Duration::from_secs(90)
        );
        tokio::time::sleep(MINUTE).await;
        assert_eq!(limiter.snapshot().allowance, 100);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_429s_of_one_burst_halve_the_rate_once() {
        let limiter = RateLimiter::new(180, MINUTE);
        limiter.on_rate_limited(Duration::from_secs(10));
        limiter.on_rate_limited(Duration::from_secs(20));
        limiter.on_rate_limited(Duration::from_secs(5));
        let snap = limiter.snapshot();
        assert_eq!(snap.allowance, 90);
        assert_eq!(snap.paused_for, Some(Duration::from_secs(20)));
        // A 429 after the pause is a new event.
        tokio::time::sleep(Duration::from_secs(21)).await;
        limiter.on_rate_limited(Duration::from_secs(1));
        assert_eq!(limiter.snapshot().allowance, 45);
    }

    #[tokio::test(start_paused = true)]
    async fn repeated_429s_floor_at_one_request_per_window() {
        let limiter = RateLimiter::new(3, MINUTE);
        for _ in 0..5 {
            limiter.on_rate_limited(Duration::ZERO);
        }
        assert_eq!(limiter.snapshot().allowance, 1);
        let a = limiter.acquire().await;
        let b = limiter.acquire().await;
        assert_eq!(b.duration_since(a), MINUTE);
    }

    #[tokio::test(start_paused = true)]
    async fn disabled_limiter_never_waits_but_still_honours_a_pause() {
        let limiter = Arc::new(RateLimiter::new(0, MINUTE));
        let start = Instant::now();
        let times = concurrent_grants(limiter.clone(), 1000).await;
        assert!(times.iter().all(|t| *t == start));
        limiter.on_rate_limited(Duration::from_secs(5));
        let t = limiter.acquire().await;
        assert_eq!(t.duration_since(start), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn absurd_durations_do_not_panic() {
        let limiter = RateLimiter::new(1, Duration::MAX);
        limiter.acquire().await;
        limiter.on_rate_limited(Duration::MAX);
        assert!(limiter.snapshot().paused_for.is_some());
        let waiting = tokio::time::timeout(Duration::from_secs(1), limiter.acquire()).await;
        assert!(waiting.is_err());
    }

    async fn concurrent_paced_grants(limiter: Arc<RateLimiter>, n: usize) -> Vec<Instant> {
        grants(limiter, n, true).await
    }

    #[tokio::test(start_paused = true)]
    async fn paced_grants_are_evenly_spaced_and_take_the_full_rate() {
        let window = Duration::from_secs(61);
        let limiter = Arc::new(RateLimiter::new(180, window));
        let start = Instant::now();
        let mut times = concurrent_paced_grants(limiter, 250).await;
        times.sort();
        // Timers have a resolution of 1 ms and round up: never closer than the spacing.
        let spacing = window / 180;
        let tick = Duration::from_millis(1);
        for pair in times.windows(2) {
            let gap = pair[1].duration_since(pair[0]);
            assert!(gap >= spacing && gap <= spacing + tick, "{gap:?}");
        }
        // 250 requests: 249 spacings, i.e. 84.4 s at 180 per 61 s.
        let last = times[249].duration_since(start);
        assert!(
            last >= spacing * 249 && last <= (spacing + tick) * 249,
            "{last:?}"
        );
        assert!(max_in_any_window(times.clone(), window) <= 180);
        // The server counts over 60 s: the even spacing leaves room there too.
        assert!(max_in_any_window(times, MINUTE) <= 178);
    }

    #[tokio::test(start_paused = true)]
    async fn an_interactive_request_does_not_wait_behind_paced_ones() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        let start = Instant::now();
        let background = tokio::spawn(concurrent_paced_grants(limiter.clone(), 100));
        tokio::time::sleep(Duration::from_secs(5)).await;
        // 100 paced requests take 33 s; an interactive one mid-way is served at once.
        let now = Instant::now();
        assert_eq!(limiter.acquire().await, now);
        let times = background.await.unwrap();
        let last = times.iter().max().unwrap().duration_since(start);
        assert!(
            last >= MINUTE / 180 * 99 && last <= Duration::from_secs(34),
            "{last:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn paced_grants_slow_down_after_a_429() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        limiter.acquire_paced().await;
        limiter.on_rate_limited(Duration::from_secs(2));
        let resumed = limiter.acquire_paced().await;
        let next = limiter.acquire_paced().await;
        // Half the rate: twice the spacing (timers round up to the millisecond).
        let gap = next.duration_since(resumed);
        assert!(gap >= MINUTE / 90 && gap <= MINUTE / 90 + Duration::from_millis(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_takes_no_slot() {
        let limiter = Arc::new(RateLimiter::new(1, MINUTE));
        let start = limiter.acquire().await;
        let waiting = tokio::time::timeout(Duration::from_secs(10), limiter.acquire()).await;
        assert!(waiting.is_err());
        let next = limiter.acquire().await;
        assert_eq!(next.duration_since(start), MINUTE);
        assert_eq!(limiter.snapshot().in_window, 1);
    }
}
