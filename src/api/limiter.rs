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
//! Waiters queue on a fair (FIFO) tokio mutex per class. Time is tokio time, so tests run it
//! under a paused clock.
//!
//! # Two classes: the technician's requests first
//! A request is [`Priority::Interactive`] (what the technician asked for: a tab, a save, a
//! search) or background (the mirror sync: [`Priority::Background`], or
//! [`Priority::Paced`] when spaced out). Background requests may only fill the window up to
//! the allowance less a reserve ([`reserve`], 5 of 180): that share is kept for interactive
//! requests, which may use the whole configured limit. So an interactive request arriving
//! during a sync that fills its share finds a free slot at once, and when the window is full,
//! every slot that frees goes to a waiting interactive request before any background one (a
//! background request needs the window below its own, lower ceiling).
//!
//! # Paced requests (background work)
//! The log alone lets a whole window's allowance out at once: 180 requests in the first second,
//! then nothing for a minute. For a background sync that is the worst shape: colleagues behind
//! the same office IP would wait up to a minute. [`RateLimiter::acquire_paced`] therefore spaces
//! its grants at least `window / share` apart (349 ms for the 175 of 180 per 61 s a background
//! pass may use): a bulk job runs at its full share and the window fills evenly. The cost is
//! the burst: N paced requests take `(N - 1) * window / share`.
//!
//! # After a 429
//! The server knows better than we do: colleagues behind the same office IP share the budget. On a
//! 429 the limiter
//! 1. pauses every sender until the server's `Retry-After` (or a full window when it gave none),
//! 2. halves the background allowance (down to one request per window; 429s that arrive while
//!    a pause is running belong to the same burst and do not halve it again), and
//! 3. recovers gradually: each full window without another 429 gives back a quarter of the
//!    configured rate, so after one 429 full speed returns within two quiet windows, after
//!    several 429s in a row within four.
//!
//! Interactive requests wait out the pause (what the server said) and are not slowed further:
//! a save after a few 429s waits the `Retry-After` of the answers, not a window.
//!
//! A limit of 0 turns the counting off, but a 429 still pauses every sender.

use std::collections::VecDeque;
use std::sync::Mutex as SyncMutex;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::{Instant, sleep_until};

/// Which share of the budget a request draws on (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    /// What the technician asked for: the whole limit, served first.
    Interactive,
    /// Background work at full speed, within the background share.
    Background,
    /// Background work spaced evenly over the window, within the background share.
    Paced,
}

/// Why a request waits for the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitReason {
    /// Our own limit: the window holds as many requests as the client allows itself.
    OwnPacing,
    /// Syncro answered 429: every sender pauses until its `Retry-After` (or a window).
    RateLimited,
}

/// Slots of a window of `allowance` kept for interactive requests: one in 36 (5 of 180),
/// at least one once there are two slots.
pub fn reserve(allowance: u32) -> u32 {
    if allowance < 2 {
        0
    } else {
        allowance.div_ceil(36)
    }
}

/// The part of a window of `allowance` background requests may fill.
fn background_share(allowance: u32) -> u32 {
    allowance.saturating_sub(reserve(allowance)).max(1)
}

/// The sliding-window limiter shared by every clone of a client.
#[derive(Debug)]
pub struct RateLimiter {
    /// Configured requests per window; 0 = no counting.
    limit: u32,
    window: Duration,
    /// Held while waiting for a slot: interactive waiters are served in arrival order.
    queue: Mutex<()>,
    /// The same for background waiters, so that interactive requests never queue behind them.
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
    /// Background requests allowed per window right now (the configured limit unless slowed
    /// by a 429; the background share is this less [`reserve`]).
    pub allowance: u32,
    /// Slots granted within the current window.
    pub in_window: u32,
    /// Time left of a pause imposed by a 429.
    pub paused_for: Option<Duration>,
    /// Spacing of paced requests at the current allowance (`None` when counting is off).
    pub spacing: Option<Duration>,
    /// How long an interactive request arriving now would wait for a slot (a 429's pause, or
    /// a full window); `None` when it would go at once.
    pub next_slot_in: Option<Duration>,
    /// Why `next_slot_in` is set: our own pacing (the window is full) or a 429 from Syncro.
    pub wait_reason: Option<WaitReason>,
    /// How long a background request (not counting the spacing of paced ones) would wait now.
    pub background_next_slot_in: Option<Duration>,
    /// Why `background_next_slot_in` is set.
    pub background_wait_reason: Option<WaitReason>,
    /// Slots a background pass may still take in the current window (its share less what the
    /// window holds): what a pass that wants to go at full speed can count on.
    pub background_room: u32,
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

    /// Waits for an interactive slot and returns the instant it was granted at. Cancel-safe: a
    /// dropped wait takes no slot.
    pub async fn acquire(&self) -> Instant {
        self.acquire_as(Priority::Interactive).await
    }

    /// Like [`RateLimiter::acquire`], for background work spaced at least `window / share`
    /// apart (see the module docs), so the window fills evenly instead of at once. Cancel-safe.
    pub async fn acquire_paced(&self) -> Instant {
        self.acquire_as(Priority::Paced).await
    }

    /// Waits for a slot of the given class. Cancel-safe.
    pub async fn acquire_as(&self, priority: Priority) -> Instant {
        let queue = match priority {
            Priority::Interactive => &self.queue,
            Priority::Background | Priority::Paced => &self.paced_queue,
        };
        let _turn = queue.lock().await;
        loop {
            match self.try_grant(priority) {
                Ok(granted) => return granted,
                Err(wake) => sleep_until(wake).await,
            }
        }
    }

    /// Grants a slot now (`Ok(now)`), or says when to look again (`Err(instant)`).
    fn try_grant(&self, priority: Priority) -> Result<Instant, Instant> {
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
        let cap = self.cap(&st, priority);
        if priority == Priority::Paced
            && let Some(last) = st.last_paced
        {
            let due = later(last, self.window / cap);
            if now < due {
                return Err(due);
            }
        }
        match st.slot_free_at(cap, self.window) {
            None => {
                st.granted.push_back(now);
                if priority == Priority::Paced {
                    st.last_paced = Some(now);
                }
                Ok(now)
            }
            Some(at) => Err(at),
        }
    }

    /// Grants a class may hold in one window: interactive requests the configured limit,
    /// background ones their share of the current allowance.
    fn cap(&self, st: &State, priority: Priority) -> u32 {
        match priority {
            Priority::Interactive => self.limit.max(1),
            Priority::Background | Priority::Paced => background_share(st.allowance.max(1)),
        }
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

    /// Current allowance, grants in the window, any pause, and how long each class would wait.
    pub fn snapshot(&self) -> LimiterSnapshot {
        let mut st = self.lock_state();
        let now = Instant::now();
        if self.limit > 0 {
            st.recover(now, self.limit, self.window);
            st.expire(now, self.window);
        }
        let paused = st.paused_until.filter(|u| *u > now);
        let wait = |priority: Priority| -> (Option<Duration>, Option<WaitReason>) {
            let full = if self.limit > 0 {
                st.slot_free_at(self.cap(&st, priority), self.window)
                    .filter(|t| *t > now)
            } else {
                None
            };
            match (paused, full) {
                // While Syncro's pause runs, that is the reason, whatever follows it.
                (Some(p), f) => (
                    Some(f.map_or(p, |f| f.max(p)) - now),
                    Some(WaitReason::RateLimited),
                ),
                (None, Some(f)) => (Some(f - now), Some(WaitReason::OwnPacing)),
                (None, None) => (None, None),
            }
        };
        let (next_slot_in, wait_reason) = wait(Priority::Interactive);
        let (background_next_slot_in, background_wait_reason) = wait(Priority::Background);
        let share = background_share(st.allowance.max(1));
        LimiterSnapshot {
            allowance: st.allowance,
            in_window: st.granted.len() as u32,
            paused_for: paused.map(|u| u.duration_since(now)),
            spacing: (self.limit > 0).then(|| self.window / share),
            next_slot_in,
            wait_reason,
            background_next_slot_in,
            background_wait_reason,
            background_room: if self.limit > 0 {
                share.saturating_sub(st.granted.len() as u32)
            } else {
                u32::MAX
            },
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
    /// `None` when fewer than `cap` grants lie in the window; else when enough of the oldest
    /// have left it for one more.
    fn slot_free_at(&self, cap: u32, window: Duration) -> Option<Instant> {
        let cap = cap.max(1) as usize;
        (self.granted.len() >= cap).then(|| later(self.granted[self.granted.len() - cap], window))
    }

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
        let priority = if paced {
            Priority::Paced
        } else {
            Priority::Interactive
        };
        grants_as(limiter, n, priority).await
    }

    async fn grants_as(limiter: Arc<RateLimiter>, n: usize, priority: Priority) -> Vec<Instant> {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move { l.acquire_as(priority).await })
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
        grants_as(limiter.clone(), 10, Priority::Background).await;
        limiter.on_rate_limited(Duration::from_secs(30));
        let snap = limiter.snapshot();
        assert_eq!(snap.allowance, 50);
        assert_eq!(snap.paused_for, Some(Duration::from_secs(30)));
        assert_eq!(snap.next_slot_in, Some(Duration::from_secs(30)));
        assert_eq!(snap.wait_reason, Some(WaitReason::RateLimited));

        // Nobody gets through during the pause.
        let first = limiter.acquire_as(Priority::Background).await;
        assert_eq!(first.duration_since(start), Duration::from_secs(30));

        // Background work at the lower rate: its share of 50 is 48; 10 + 1 already in the
        // window, so 37 more before the window is full for it.
        let times = grants_as(limiter.clone(), 60, Priority::Background).await;
        let mut all = times.clone();
        all.push(first);
        let in_first_minute = all
            .iter()
            .filter(|t| t.duration_since(start) < MINUTE)
            .count();
        assert_eq!(in_first_minute + 10, 48);

        // One quiet window after the pause a quarter of the rate comes back, after two all of it.
        assert_eq!(limiter.snapshot().allowance, 75);
        assert_eq!(
            Instant::now().duration_since(start),
            Duration::from_secs(90)
        );
        tokio::time::sleep(MINUTE).await;
        assert_eq!(limiter.snapshot().allowance, 100);
    }

    /// A save after a few 429s waits what the answers said, not for the slowed-down window.
    #[tokio::test(start_paused = true)]
    async fn after_429s_an_interactive_request_waits_only_the_retry_after() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        // A sync filled most of its share, then met three 429 bursts.
        grants_as(limiter.clone(), 150, Priority::Background).await;
        for _ in 0..3 {
            limiter.on_rate_limited(Duration::from_secs(2));
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        assert_eq!(limiter.snapshot().allowance, 22);
        limiter.on_rate_limited(Duration::from_secs(2));
        let asked = Instant::now();
        let granted = limiter.acquire().await;
        assert_eq!(granted.duration_since(asked), Duration::from_secs(2));
        // Background work, by contrast, waits for its slowed-down share of the window.
        let snap = limiter.snapshot();
        assert_eq!(snap.next_slot_in, None);
        assert_eq!(snap.background_wait_reason, Some(WaitReason::OwnPacing));
        assert!(snap.background_next_slot_in > Some(Duration::from_secs(30)));
    }

    /// The snapshot says whether a request would wait for our own pacing or for Syncro's 429.
    #[tokio::test(start_paused = true)]
    async fn the_snapshot_tells_own_pacing_from_a_429() {
        let limiter = Arc::new(RateLimiter::new(10, MINUTE));
        let snap = limiter.snapshot();
        assert_eq!((snap.next_slot_in, snap.wait_reason), (None, None));
        concurrent_grants(limiter.clone(), 10).await;
        let snap = limiter.snapshot();
        assert_eq!(snap.next_slot_in, Some(MINUTE));
        assert_eq!(snap.wait_reason, Some(WaitReason::OwnPacing));
        limiter.on_rate_limited(Duration::from_secs(90));
        let snap = limiter.snapshot();
        assert_eq!(snap.next_slot_in, Some(Duration::from_secs(90)));
        assert_eq!(snap.wait_reason, Some(WaitReason::RateLimited));
        tokio::time::sleep(Duration::from_secs(91)).await;
        assert_eq!(limiter.snapshot().wait_reason, None);
    }

    /// Background work never takes the interactive reserve, whatever it asks for.
    #[tokio::test(start_paused = true)]
    async fn background_work_leaves_the_reserve_free() {
        let limiter = Arc::new(RateLimiter::new(180, MINUTE));
        let start = Instant::now();
        let background = tokio::spawn(grants_as(limiter.clone(), 400, Priority::Background));
        tokio::time::sleep(Duration::from_secs(1)).await;
        let snap = limiter.snapshot();
        assert_eq!(snap.in_window, 180 - reserve(180));
        assert_eq!(snap.background_room, 0);
        assert_eq!(
            snap.next_slot_in, None,
            "the reserve is free for the technician"
        );
        let now = Instant::now();
        for _ in 0..reserve(180) {
            assert_eq!(limiter.acquire().await, now);
        }
        let times = background.await.unwrap();
        assert!(times.iter().all(|t| *t >= start));
        assert_eq!(reserve(180), 5);
    }

    /// The case: a full sync paces itself through the background share; a tab load or
    /// a save the technician starts meanwhile, at any moment, is granted within a second.
    #[tokio::test(start_paused = true)]
    async fn an_interactive_request_during_a_pacing_sync_starts_within_a_second() {
        let window = Duration::from_secs(61);
        let limiter = Arc::new(RateLimiter::new(180, window));
        let sync = tokio::spawn(grants_as(limiter.clone(), 600, Priority::Paced));
        let mut waits = Vec::new();
        // Bursts of three requests (a save: re-read and PUT, then a tab) every 7.3 s, well
        // into the steady state where the sync keeps its share of the window full.
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(7_300)).await;
            for _ in 0..3 {
                let asked = Instant::now();
                let granted = limiter.acquire().await;
                waits.push(granted.duration_since(asked));
            }
        }
        let worst = waits.iter().max().copied().unwrap_or_default();
        assert!(
            worst < Duration::from_secs(1),
            "an interactive request waited {worst:?}"
        );
        let times = sync.await.unwrap();
        assert!(max_in_any_window(times, window) <= 180);
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
    async fn repeated_429s_floor_background_work_at_one_request_per_window() {
        let limiter = RateLimiter::new(3, MINUTE);
        for _ in 0..5 {
            limiter.on_rate_limited(Duration::ZERO);
        }
        assert_eq!(limiter.snapshot().allowance, 1);
        let a = limiter.acquire_as(Priority::Background).await;
        let b = limiter.acquire_as(Priority::Background).await;
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
    async fn paced_grants_are_evenly_spaced_and_take_the_background_share() {
        let window = Duration::from_secs(61);
        let limiter = Arc::new(RateLimiter::new(180, window));
        let start = Instant::now();
        let mut times = concurrent_paced_grants(limiter, 250).await;
        times.sort();
        // Timers have a resolution of 1 ms and round up: never closer than the spacing.
        let spacing = window / (180 - reserve(180));
        let tick = Duration::from_millis(1);
        for pair in times.windows(2) {
            let gap = pair[1].duration_since(pair[0]);
            assert!(gap >= spacing && gap <= spacing + tick, "{gap:?}");
        }
        // 250 requests: 249 spacings, i.e. 86.8 s at 175 per 61 s.
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
        // 100 paced requests take 34 s; an interactive one mid-way is served at once.
        let now = Instant::now();
        assert_eq!(limiter.acquire().await, now);
        let times = background.await.unwrap();
        let last = times.iter().max().unwrap().duration_since(start);
        assert!(
            last >= MINUTE / 175 * 99 && last <= Duration::from_secs(35),
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
        // Half the rate (its background share: 87 of 90): about twice the spacing (timers
        // round up to the millisecond).
        let gap = next.duration_since(resumed);
        assert!(gap >= MINUTE / 87 && gap <= MINUTE / 87 + Duration::from_millis(1));
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
