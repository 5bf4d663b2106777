//! Filling the mirror from the server: a full pass (every page, notices deletions) and an
//! incremental pass (customers changed since the last sync, newest first).
//!
//! # Rate limit and failures
//! Pages are requested a few at a time (`SyncOptions::concurrency`) through the client, whose
//! limiter keeps the account under Syncro's 180 requests a minute, waits out 429 answers, slows
//! down after them and retries. Pages are kept by page number and records de-duplicated by id,
//! so a retried page is neither lost nor counted twice.
//!
//! Every request of a pass draws on the limiter's background share ([`SyncroClient::background`],
//! [`SyncroClient::paced`]): the technician's own requests keep a reserve of the window and are
//! served first, so a tab or a save during a sync starts at once.
//!
//! After the first pages the size of a full pass is known: the customer pages
//! (`meta.total_pages`) and, when the contacts will have to be paged, the contact pages (the
//! first contact page's `meta`; contacts with `customer_id: null` make `/contacts` longer than
//! the embedded lists, so they count). When all of it fits in what the background share of the
//! window has left, less a quarter kept for colleagues behind the same IP, it goes as fast as
//! the server answers (5,000 customers with embedded contacts: 51 requests, about a second).
//! Otherwise it is paced: requests spaced evenly over the window, so that nobody is stuck
//! behind a burst that fills the window for a minute. The decision is taken again before the
//! contact pages. At the background share of 175 requests per 61 s (the client's window: the
//! server's minute plus a second of slack) a paced pass of N requests takes
//! `(N - 1) * 61 / 175` s: 5,000 customers (50 pages of 100) and 10,000 listed contacts (200
//! pages of 50) are 250 requests, 86.8 s, against the 83.3 s of 250 requests at exactly 3 a
//! second. An incremental pass, whose length is not known in advance, is always paced.
//!
//! # Cancelling
//! The passes never touch the caller's mirror: they return a new one. Dropping the future (the
//! user quit, or pressed Esc) cancels the requests in flight and leaves the previous mirror, in
//! memory and on disk, as it was.
//!
//! # Contacts
//! Syncro embeds `contacts[]` in the customer list. The model cannot tell "no contacts" from "not
//! embedded", so together with the first customer page the full pass asks for the first page of
//! `/contacts` (one request): when its `total_entries` is covered by the embedded contacts, those
//! are used; otherwise every contact comes from the paged `/contacts` list. Never one request per
//! customer.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;

use super::packed::{Packer, Span};
use super::store::Mirror;
use crate::api::model::{Contact, Customer, Id, PageRead, Skipped};
use crate::api::{ApiError, CustomerQuery, SyncroClient, WaitReason};

/// What a pass is fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPhase {
    /// Customer pages of a full pass.
    Customers,
    /// Contact pages of a full pass (when the server does not embed them).
    Contacts,
    /// Customers changed since the last sync (incremental pass).
    Changes,
}

/// Progress of a pass, reported after every page.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Pages of this phase received so far.
    pub page: u32,
    /// Pages this phase has, when the server said.
    pub total_pages: Option<u32>,
    /// Records of this phase received so far.
    pub records: usize,
    /// Requests the pass has made so far.
    pub requests: u64,
    /// Estimated time left for the pages known so far.
    pub eta: Option<Duration>,
    /// Requests are held by the rate limit (a 429's pause, or a full window) for this long
    /// more; reported while it is longer than [`WAIT_NOTICE`].
    pub waiting: Option<Duration>,
    /// Why they are held: our own pacing, or a 429 from Syncro.
    pub waiting_reason: Option<WaitReason>,
}

/// A hold by the rate limit longer than this is reported (once a second) instead of letting the
/// progress stand still.
pub const WAIT_NOTICE: Duration = Duration::from_secs(1);

impl SyncProgress {
    /// `Syncing customers, page 12 of 50, about 40 s left`, for a status line; while a 429
    /// holds the requests, `Rate limited by Syncro, resuming in 12 s (customers, page 12 of
    /// 50)`, and while our own limit does, `Waiting for the rate limit (our own pacing), 12 s
    /// (customers, page 12 of 50)`.
    pub fn status_line(&self) -> String {
        if let Some(wait) = self.waiting {
            let what = match self.phase {
                SyncPhase::Customers => "customers",
                SyncPhase::Contacts => "contacts",
                SyncPhase::Changes => "changes",
            };
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let place = match self.total_pages {
                Some(t) => format!("{what}, page {} of {t}", self.page),
                None => format!("{what}, page {}", self.page),
            };
            let wait = human_duration(Duration::from_secs(secs));
            return match self.waiting_reason {
                Some(WaitReason::OwnPacing) => {
                    format!("Waiting for the rate limit (our own pacing), {wait} ({place})")
                }
                _ => format!("Rate limited by Syncro, resuming in {wait} ({place})"),
            };
        }
        let what = match self.phase {
            SyncPhase::Customers => "Syncing customers",
            SyncPhase::Contacts => "Syncing contacts",
            SyncPhase::Changes => "Syncing changes",
        };
        let mut s = match self.total_pages {
            Some(t) => format!("{what}, page {} of {t}", self.page),
            None => format!("{what}, page {}", self.page),
        };
        if let Some(eta) = self.eta {
            s.push_str(&format!(", about {} left", human_duration(eta)));
        }
        s
    }
}

/// "40 s", "3 min", "1 h 5 min".
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 90 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min", (secs + 30) / 60)
    } else {
        format!("{} h {} min", secs / 3600, (secs % 3600) / 60)
    }
}

/// How a pass runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Page requests in flight at once (the client's limiter still paces them).
    pub concurrency: usize,
    /// An incremental pass re-reads customers changed this long before the newest change it
    /// already has, so records saved in the same instant as the last sync are not missed.
    pub overlap: Duration,
    /// In an incremental pass without embedded contacts, re-read the contacts of changed
    /// customers (one request each) only when at most this many changed; otherwise their
    /// contacts wait for the next full pass.
    pub max_contact_refreshes: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            concurrency: 4,
            overlap: Duration::from_secs(60),
            max_contact_refreshes: 20,
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// True for a full pass.
    pub full: bool,
    /// Customers in the mirror afterwards.
    pub customers: usize,
    /// Contacts in the mirror afterwards.
    pub contacts: usize,
    /// Customers received by this pass (all of them for a full pass, the changed ones otherwise).
    pub fetched: usize,
    /// Customers removed because a full pass no longer found them on the server.
    pub removed: usize,
    /// Requests this pass sent over the wire, the client's retries (after a 429, a 5xx or a
    /// connection error) included.
    pub requests: u64,
    /// 429 answers met.
    pub rate_limited: u64,
    /// The pass spread its requests evenly over the rate-limit window, because it needed more
    /// than the window had to spare (see [`full_sync`]).
    pub paced: bool,
    /// Wall-clock duration.
    pub seconds: f64,
    /// Records the server sent that could not be read (left out; the pass went on).
    pub skipped: Vec<Skipped>,
}

impl SyncReport {
    /// A short line for the app's status line: what a technician wants to know of a pass.
    pub fn short(&self) -> String {
        use crate::text::count;
        let base = format!(
            "Synced {} customers, {} contacts",
            count(self.customers as u64),
            count(self.contacts as u64)
        );
        let mut extra = Vec::new();
        if !self.full {
            extra.push(format!("{} changed", self.fetched));
        }
        if self.removed > 0 {
            extra.push(format!("{} removed", self.removed));
        }
        if self.rate_limited > 0 {
            extra.push(format!(
                "slowed by {} rate-limit answers",
                self.rate_limited
            ));
        }
        if !self.skipped.is_empty() {
            extra.push(Skipped::summary(&self.skipped));
        }
        if extra.is_empty() {
            base
        } else {
            format!("{base} ({})", extra.join(", "))
        }
    }

    /// One line for `syncro-tui sync` (and the log): every counter.
    pub fn summary(&self) -> String {
        let kind = if self.full { "Full sync" } else { "Sync" };
        let paced = if self.paced {
            " (paced to the rate limit)"
        } else {
            ""
        };
        format!(
            "{kind}: {} customers and {} contacts ({} fetched, {} removed) in {:.1} s; {} requests{paced}, {} answered 429",
            self.customers,
            self.contacts,
            self.fetched,
            self.removed,
            self.seconds,
            self.requests,
            self.rate_limited
        )
    }
}

/// Requests and 429s of one pass, and the progress callback.
struct Ctx<'a> {
    client: &'a SyncroClient,
    opts: &'a SyncOptions,
    progress: &'a mut (dyn FnMut(SyncProgress) + Send),
    started: Instant,
    requests: u64,
    /// Requests still expected in phases after the current one (for the estimate).
    later_requests: u64,
    /// Requests go through the paced handle (the limiter's spacing sets the estimate).
    paced: bool,
    /// The client's count of 429 answers when the pass started.
    rate_limited_before: u64,
    /// Records that could not be read, over every page of the pass.
    skipped: Vec<Skipped>,
}

impl Ctx<'_> {
    fn eta(&self, remaining_here: u64) -> Option<Duration> {
        if self.requests == 0 {
            return None;
        }
        // Paced (from the start, or since a 429), the limiter's current spacing sets the rate;
        // an average would still hold the burst of the first pages or a 429's pause. Otherwise
        // the server's answers do, and the average is the best guess.
        let snap = self.client.limiter();
        let paced = self.paced || self.client.stats().rate_limited > self.rate_limited_before;
        let per_request = match snap.spacing {
            Some(spacing) if paced => spacing.as_secs_f64(),
            _ => self.started.elapsed().as_secs_f64() / self.requests as f64,
        };
        let remaining = remaining_here + self.later_requests;
        let pause = snap.paused_for.unwrap_or_default();
        Some(Duration::from_secs_f64(per_request * remaining as f64) + pause)
    }

    fn report(&mut self, phase: SyncPhase, page: u32, total: Option<u32>, records: usize) {
        let remaining = total.map_or(0, |t| u64::from(t.saturating_sub(page)));
        let eta = total.and_then(|_| self.eta(remaining));
        self.send(phase, page, total, records, eta, None);
    }

    /// Reports a hold by the rate limit, when there is one longer than [`WAIT_NOTICE`].
    fn report_waiting(&mut self, phase: SyncPhase, page: u32, total: Option<u32>, records: usize) {
        let snap = self.client.limiter();
        match snap.background_next_slot_in {
            Some(wait) if wait > WAIT_NOTICE => {
                let reason = snap.background_wait_reason;
                self.send_waiting(phase, page, total, records, wait, reason);
            }
            _ => {}
        }
    }

    fn send_waiting(
        &mut self,
        phase: SyncPhase,
        page: u32,
        total_pages: Option<u32>,
        records: usize,
        wait: Duration,
        reason: Option<WaitReason>,
    ) {
        (self.progress)(SyncProgress {
            phase,
            page,
            total_pages,
            records,
            requests: self.requests,
            eta: None,
            waiting: Some(wait),
            waiting_reason: reason,
        });
    }

    fn send(
        &mut self,
        phase: SyncPhase,
        page: u32,
        total_pages: Option<u32>,
        records: usize,
        eta: Option<Duration>,
        waiting: Option<Duration>,
    ) {
        (self.progress)(SyncProgress {
            phase,
            page,
            total_pages,
            records,
            requests: self.requests,
            eta,
            waiting,
            waiting_reason: None,
        });
    }
}

/// Safety stop for servers that never say how many pages there are.
const MAX_PAGES: u32 = crate::api::client::MAX_PAGES;

/// Every page of a list: page 1 to learn `meta.total_pages`, then the rest with bounded
/// concurrency, kept by page number. If the server reports more pages while we fetch (records
/// were added), those are fetched too.
async fn fetch_all_pages<T, F, Fut>(
    ctx: &mut Ctx<'_>,
    phase: SyncPhase,
    first: PageRead<T>,
    fetch: F,
) -> Result<Vec<T>, ApiError>
where
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<PageRead<T>, ApiError>>,
{
    fetch_all_pages_as(ctx, phase, first, fetch, |items| items).await
}

/// [`fetch_all_pages`], each page's items turned by `keep` as the page arrives (the customers
/// of a full pass are packed at once rather than held decoded until the end).
async fn fetch_all_pages_as<T, U, F, Fut>(
    ctx: &mut Ctx<'_>,
    phase: SyncPhase,
    first: PageRead<T>,
    fetch: F,
    mut keep: impl FnMut(Vec<T>) -> Vec<U>,
) -> Result<Vec<U>, ApiError>
where
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<PageRead<T>, ApiError>>,
{
    let PageRead {
        page: first,
        skipped,
    } = first;
    ctx.skipped.extend(skipped);
    let mut pages: BTreeMap<u32, Vec<U>> = BTreeMap::new();
    let mut records = first.items.len();
    let known_total = first.meta.total_pages.map(clamp_pages);
    let first_empty = first.items.is_empty();
    pages.insert(1, keep(first.items));
    ctx.report(phase, 1, known_total, records);

    match known_total {
        Some(mut total) => {
            let mut next = 2;
            while next <= total {
                let mut seen_total = total;
                let mut stream = futures::stream::iter(next..=total)
                    .map(|p| {
                        let f = fetch(p);
                        async move { (p, f.await) }
                    })
                    .buffer_unordered(ctx.opts.concurrency.max(1));
                // Once a second, say so when the rate limit holds the requests.
                let mut tick = tokio::time::interval_at(
                    tokio::time::Instant::now() + WAIT_NOTICE,
                    WAIT_NOTICE,
                );
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                loop {
                    let next = tokio::select! {
                        next = stream.next() => next,
                        _ = tick.tick() => {
                            ctx.report_waiting(phase, pages.len() as u32, Some(total), records);
                            continue;
                        }
                    };
                    let Some((p, result)) = next else { break };
                    ctx.requests += 1;
                    let PageRead { page, skipped } = result?;
                    ctx.skipped.extend(skipped);
                    if let Some(t) = page.meta.total_pages {
                        seen_total = seen_total.max(clamp_pages(t));
                    }
                    records += page.items.len();
                    pages.insert(p, keep(page.items));
                    ctx.report(phase, pages.len() as u32, Some(total), records);
                }
                next = total + 1;
                total = seen_total;
            }
        }
        None if !first_empty => {
            // No meta: one page after another until an empty one.
            let mut p = 2;
            while p <= MAX_PAGES {
                let PageRead { page, skipped } = fetch(p).await?;
                ctx.requests += 1;
                let none_skipped = skipped.is_empty();
                ctx.skipped.extend(skipped);
                if page.items.is_empty() && none_skipped {
                    break;
                }
                records += page.items.len();
                pages.insert(p, keep(page.items));
                ctx.report(phase, p, None, records);
                p += 1;
            }
        }
        None => {}
    }
    Ok(pages.into_values().flatten().collect())
}

fn clamp_pages(t: u64) -> u32 {
    t.min(u64::from(MAX_PAGES)) as u32
}

fn customer_query(page: u32, sort: Option<&str>) -> CustomerQuery {
    CustomerQuery {
        include_disabled: true,
        sort: sort.map(str::to_string),
        page,
        ..Default::default()
    }
}

/// A full pass: every customer and contact. The returned mirror replaces `previous`; customers
/// the server no longer has are gone from it. `previous` is only read (for its server and to
/// count removals).
pub async fn full_sync(
    client: &SyncroClient,
    previous: &Mirror,
    opts: &SyncOptions,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
) -> Result<(Mirror, SyncReport), ApiError> {
    let paced = client.paced();
    let fast = client.background();
    let before = ClientCounters::read(client);
    let mut ctx = Ctx {
        client: &fast,
        opts,
        progress,
        started: Instant::now(),
        requests: 0,
        later_requests: 0,
        paced: false,
        rate_limited_before: before.rate_limited,
        skipped: Vec::new(),
    };

    // The first customer page and the contacts check at once: both are needed either way.
    let first_query = customer_query(1, None);
    let (first, check) = tokio::join!(
        fast.list_customers_read(&first_query),
        fast.list_contacts_read(None, 1)
    );
    let first = first?;
    ctx.requests += 2;
    // Every request the pass will need counts before it decides not to pace itself: the
    // customer pages, and the contact pages when the contacts will be paged.
    let contact_pages = match &check {
        Ok(page) if contacts_will_be_paged(previous, &first, page) => page
            .page
            .meta
            .total_pages
            .map_or(0, |t| clamp_pages(t).saturating_sub(1).into()),
        _ => 0,
    };
    ctx.later_requests = contact_pages;
    let remaining = first
        .page
        .meta
        .total_pages
        .map(|t| u64::from(clamp_pages(t).saturating_sub(1)) + contact_pages);
    if !fits_in_window(client, remaining) {
        ctx.paced = true;
        ctx.client = &paced;
    }
    // A 429 on the way (a colleague uses the budget too) means the window has less to spare
    // than it seemed: the rest of the pass is paced.
    let slowed = move || client.stats().rate_limited > before.rate_limited;
    let decided = ctx.paced;
    let (fast_ref, slow_ref) = (&fast, &paced);
    let pick = move || {
        if decided || slowed() {
            slow_ref
        } else {
            fast_ref
        }
    };
    let mut packer = Packer::default();
    let customers = fetch_all_pages_as(
        &mut ctx,
        SyncPhase::Customers,
        first,
        |p| {
            let q = customer_query(p, None);
            let client = pick();
            async move { client.list_customers_read(&q).await }
        },
        |items| pack_page(&mut packer, items),
    )
    .await?;
    let mut customers = dedup_by_id(customers, |f| f.id);

    // Embedded or listed contacts? The first contact page tells.
    ctx.later_requests = 0;
    let embedded: usize = customers.iter().map(|f| f.contacts).sum();
    let first_contacts = match check {
        Ok(page) => Some(page),
        // A token without the contacts permission (or a server without the list) can still
        // mirror what the customer list embeds.
        Err(ApiError::Unauthorized { .. } | ApiError::NotFound { .. }) if embedded > 0 => None,
        Err(e) => return Err(e),
    };
    let listed = first_contacts.filter(|read| {
        let page = &read.page;
        let complete = match page.meta.total_entries {
            Some(total) => embedded as u64 >= total,
            None => {
                embedded > 0 && {
                    let ids: std::collections::HashSet<Id> = customers
                        .iter()
                        .filter(|f| f.contacts > 0)
                        .flat_map(|f| packer.unpack(f.span).contacts.into_iter().map(|k| k.id))
                        .collect();
                    page.items.iter().all(|k| ids.contains(&k.id))
                }
            }
        };
        !complete
    });
    let use_embedded = listed.is_none();
    if let Some(first_contacts) = listed {
        // Decided again with what is known now: a pass that went fast so far goes on fast
        // only when the contact pages fit in what the window has left.
        let contact_pages = first_contacts
            .page
            .meta
            .total_pages
            .map(|t| u64::from(clamp_pages(t).saturating_sub(1)));
        let decided = ctx.paced || !fits_in_window(client, contact_pages);
        if decided && !ctx.paced {
            ctx.paced = true;
            ctx.client = &paced;
        }
        let pick = move || {
            if decided || slowed() {
                slow_ref
            } else {
                fast_ref
            }
        };
        let contacts = fetch_all_pages(&mut ctx, SyncPhase::Contacts, first_contacts, |p| {
            let client = pick();
            async move { client.list_contacts_read(None, p).await }
        })
        .await?;
        packer = attach_contacts(packer, &mut customers, dedup_by_id(contacts, |k| k.id));
    }

    let mut mirror = Mirror::new(client.base_url());
    mirror.contacts_embedded = Some(use_embedded);
    mirror.last_incremental_sync = previous.last_incremental_sync;
    mirror.replace_all_packed(packer.finish(customers.iter().map(|f| f.span)));
    mirror.last_full_sync = Some(Utc::now());
    let removed = previous
        .records()
        .iter()
        .filter(|c| !mirror.contains(c.id()))
        .count();
    let report = SyncReport {
        full: true,
        paced: ctx.paced
            || (client.limiter().spacing.is_some()
                && client.stats().rate_limited > before.rate_limited),
        customers: mirror.customer_count(),
        contacts: mirror.contact_count(),
        fetched: mirror.customer_count(),
        removed,
        skipped: std::mem::take(&mut ctx.skipped),
        ..ClientCounters::read(client).report_since(before, ctx.requests, ctx.started)
    };
    Ok((mirror, report))
}

/// Whether the contacts of a full pass will come from the paged `/contacts` list rather than
/// from the customer pages: as the last full pass found, else (a first pass) when the first
/// customer page embeds none while the list has some, or the list holds more contacts than the
/// customer pages are likely to embed (contacts without a customer, `customer_id: null`, are
/// listed but never embedded). Judged from the first pages; the pass checks again with all of
/// them before it pages the contacts.
fn contacts_will_be_paged(
    previous: &Mirror,
    first: &PageRead<Customer>,
    contacts: &PageRead<Contact>,
) -> bool {
    let listed = &contacts.page;
    if listed.items.is_empty() && contacts.skipped.is_empty() {
        return false;
    }
    // The last full pass found out (with every page in hand).
    match previous.contacts_embedded {
        Some(false) => return true,
        Some(true) => return false,
        None => {}
    }
    let customers = &first.page.items;
    let embedded_here: u64 = customers.iter().map(|c| c.contacts.len() as u64).sum();
    if embedded_here == 0 {
        return true;
    }
    let (Some(listed_total), Some(customer_total)) =
        (listed.meta.total_entries, first.page.meta.total_entries)
    else {
        return false;
    };
    // The embedded contacts of the whole account, extrapolated from the first page.
    let on_page = customers.len().max(1) as u64;
    let expected = embedded_here.saturating_mul(customer_total) / on_page;
    listed_total > expected
}

/// An incremental pass: customers changed (or created) since the newest change in `previous`,
/// newest first, page by page until older ones appear; merged into a copy of `previous`.
/// Deletions are not noticed (that takes a full pass). A mirror that was never synced gets a
/// full pass instead.
pub async fn incremental_sync(
    client: &SyncroClient,
    previous: &Mirror,
    opts: &SyncOptions,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
) -> Result<(Mirror, SyncReport), ApiError> {
    let since = match previous.newest_update() {
        Some(t) if previous.last_full_sync.is_some() => t,
        _ => return full_sync(client, previous, opts, progress).await,
    };
    // How many pages the changes take is not known in advance: paced.
    let paced = client.paced();
    let client = &paced;
    let since = since - chrono::Duration::from_std(opts.overlap).unwrap_or_default();
    let before = ClientCounters::read(client);
    let mut ctx = Ctx {
        client,
        opts,
        progress,
        started: Instant::now(),
        requests: 0,
        later_requests: 0,
        paced: true,
        rate_limited_before: before.rate_limited,
        skipped: Vec::new(),
    };

    let mut changed: Vec<Customer> = Vec::new();
    let mut page = 1;
    loop {
        let PageRead { page: p, skipped } = client
            .list_customers_read(&customer_query(page, Some("updated_at DESC")))
            .await?;
        ctx.skipped.extend(skipped);
        ctx.requests += 1;
        let more = p.has_next() && !p.items.is_empty();
        let mut reached_older = false;
        for c in p.items {
            let newer = c.updated_at.is_some_and(|t| t.with_timezone(&Utc) >= since);
            if newer {
                changed.push(c);
            } else {
                reached_older = true;
            }
        }
        let total = p.meta.total_pages.map(clamp_pages);
        ctx.report(SyncPhase::Changes, page, total, changed.len());
        if reached_older || !more || page >= MAX_PAGES {
            break;
        }
        page += 1;
    }
    let changed = dedup_by_id(changed, |c| c.id);

    let mut mirror = previous.clone();
    let embedded = previous.contacts_embedded.unwrap_or(true);
    let refresh_contacts = !embedded && changed.len() <= opts.max_contact_refreshes;
    let fetched = changed.len();
    for mut c in changed {
        if embedded {
            mirror.put_customer(c);
        } else if refresh_contacts {
            let id = c.id;
            let first = client.list_contacts_read(Some(id), 1).await?;
            ctx.requests += 1;
            let contacts = fetch_all_pages(&mut ctx, SyncPhase::Changes, first, |p| async move {
                client.list_contacts_read(Some(id), p).await
            })
            .await?;
            c.contacts = dedup_by_id(contacts, |k| k.id);
            mirror.put_customer(c);
        } else {
            mirror.put_customer_keep_contacts(c);
        }
    }
    mirror.last_incremental_sync = Some(Utc::now());
    let report = SyncReport {
        full: false,
        paced: true,
        customers: mirror.customer_count(),
        contacts: mirror.contact_count(),
        fetched,
        removed: 0,
        skipped: std::mem::take(&mut ctx.skipped),
        ..ClientCounters::read(client).report_since(before, ctx.requests, ctx.started)
    };
    Ok((mirror, report))
}

/// Share of the window's allowance a pass at full speed leaves unused, for colleagues behind
/// the same office IP (the technician's own requests have the limiter's reserve on top).
const RESERVE_DIVISOR: u32 = 4;

/// True when `remaining` more requests fit into what the background share of the limiter's
/// window has left, minus a quarter of the allowance: then the pass sends them as fast as the
/// server answers. Otherwise (or when the count is unknown) it is paced: sending more than the
/// window holds at once would leave every later background request waiting for the window to
/// slide, and colleagues with it.
fn fits_in_window(client: &SyncroClient, remaining: Option<u64>) -> bool {
    let snap = client.limiter();
    if snap.spacing.is_none() {
        // No client-side limit: nothing to pace against.
        return true;
    }
    let Some(remaining) = remaining else {
        return false;
    };
    if snap.paused_for.is_some() {
        return false;
    }
    let margin = snap.allowance / RESERVE_DIVISOR;
    remaining <= u64::from(snap.background_room.saturating_sub(margin))
}

/// Keeps the last record of each id, in first-seen order.
fn dedup_by_id<T>(items: Vec<T>, id: impl Fn(&T) -> Id) -> Vec<T> {
    let mut index: HashMap<Id, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match index.get(&id(&item)) {
            Some(&i) => out[i] = item,
            None => {
                index.insert(id(&item), out.len());
                out.push(item);
            }
        }
    }
    out
}

/// A customer of a full pass, packed as its page arrived, with its id and the number of
/// contacts it embeds.
#[derive(Debug, Clone, Copy)]
struct Fetched {
    id: Id,
    span: Span,
    contacts: usize,
}

/// Packs a page of customers into the pass's block (their contacts sorted by id, as the
/// mirror keeps them).
fn pack_page(packer: &mut Packer, items: Vec<Customer>) -> Vec<Fetched> {
    items
        .into_iter()
        .map(|mut c| {
            c.contacts.sort_by_key(|k| k.id);
            c.contacts.dedup_by_key(|k| k.id);
            Fetched {
                id: c.id,
                span: packer.push(&c),
                contacts: c.contacts.len(),
            }
        })
        .collect()
}

/// Puts listed contacts under their customers (replacing whatever was embedded). Contacts of
/// customers the pass did not see are dropped. Each customer is decoded, given its contacts
/// and packed again into a new block, one at a time; the first block is dropped.
fn attach_contacts(packer: Packer, customers: &mut [Fetched], contacts: Vec<Contact>) -> Packer {
    let mut by_customer: HashMap<Id, Vec<Contact>> = HashMap::new();
    for k in contacts {
        if let Some(owner) = k.customer_id {
            by_customer.entry(owner).or_default().push(k);
        }
    }
    let mut out = Packer::default();
    for f in customers {
        let mut c = packer.unpack(f.span);
        c.contacts = by_customer.remove(&f.id).unwrap_or_default();
        c.contacts.sort_by_key(|k| k.id);
        c.contacts.dedup_by_key(|k| k.id);
        f.contacts = c.contacts.len();
        f.span = out.push(&c);
    }
    out
}

/// The client's counters of 429 answers and retries: requests the sync made once but that went
/// over the wire more than once. (Clones of a client share them, so a request of the app running
/// meanwhile that met a 429 is counted too; the sync's own page count is exact.)
#[derive(Debug, Clone, Copy, Default)]
struct ClientCounters {
    rate_limited: u64,
    retries: u64,
}

impl ClientCounters {
    fn read(client: &SyncroClient) -> Self {
        let stats = client.stats();
        ClientCounters {
            rate_limited: stats.rate_limited,
            retries: stats.retries,
        }
    }

    fn report_since(self, before: ClientCounters, requests: u64, started: Instant) -> SyncReport {
        let rate_limited = self.rate_limited.saturating_sub(before.rate_limited);
        let retries = self.retries.saturating_sub(before.retries);
        SyncReport {
            requests: requests + rate_limited + retries,
            rate_limited,
            seconds: started.elapsed().as_secs_f64(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use secrecy::SecretString;
    use serde_json::{Value, json};
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::api::ClientConfig;

    fn customer_json(id: u64, updated: &str, contacts: Value) -> Value {
        json!({"id": id, "business_name": format!("Customer {id}"), "updated_at": updated,
               "contacts": contacts})
    }

    fn contact_json(id: u64, owner: u64) -> Value {
        json!({"id": id, "customer_id": owner, "name": format!("Contact {id}")})
    }

    async fn mount_page(server: &MockServer, route: &str, page: u32, body: Value) {
        Mock::given(method("GET"))
            .and(path(route))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }

    fn client(server: &MockServer) -> SyncroClient {
        SyncroClient::new(ClientConfig::new(server.uri(), SecretString::from("k"))).unwrap()
    }

    const T1: &str = "2024-03-05T10:00:00.000+02:00";
    const T2: &str = "2024-03-06T10:00:00.000+02:00";

    /// Three customer pages; customer 3 shows up on two pages (records shifted while paging).
    async fn mount_customers(server: &MockServer, contacts: impl Fn(u64) -> Value) {
        let pages = [vec![1, 2, 3], vec![3, 4, 5], vec![6]];
        for (i, ids) in pages.iter().enumerate() {
            let items: Vec<Value> = ids
                .iter()
                .map(|&id| customer_json(id, T1, contacts(id)))
                .collect();
            let body = json!({"customers": items,
                              "meta": {"total_pages": 3, "page": i + 1, "total_entries": 8}});
            mount_page(server, "/customers", i as u32 + 1, body).await;
        }
    }

    #[tokio::test]
    async fn full_sync_uses_embedded_contacts_when_complete() {
        let server = MockServer::start().await;
        mount_customers(&server, |id| {
            json!([contact_json(id * 10, id), contact_json(id * 10 + 1, id)])
        })
        .await;
        mount_page(
            &server,
            "/contacts",
            1,
            json!({"contacts": [contact_json(10, 1)],
            "meta": {"total_pages": 1, "page": 1, "total_entries": 12}}),
        )
        .await;
        let mut seen = Vec::new();
        let (m, report) = full_sync(
            &client(&server),
            &Mirror::default(),
            &SyncOptions::default(),
            &mut |p: SyncProgress| seen.push(p),
        )
        .await
        .unwrap();
        assert_eq!(m.customer_count(), 6);
        assert_eq!(m.contact_count(), 12);
        assert_eq!(m.contacts_embedded, Some(true));
        assert!(m.last_full_sync.is_some());
        assert_eq!(
            report.requests, 4,
            "three customer pages and one contacts check"
        );
        assert_eq!(m.base_url, server.uri());
        // Progress: one report per customer page, the last one says 3 of 3.
        let last = seen
            .iter()
            .rfind(|p| p.phase == SyncPhase::Customers)
            .unwrap();
        assert_eq!((last.page, last.total_pages), (3, Some(3)));
        assert_eq!(seen.len(), 3);
        let requests = server.received_requests().await.unwrap();
        assert!(requests.iter().all(|r| {
            r.url
                .query()
                .unwrap_or("")
                .contains("include_disabled=true")
                || r.url.path() == "/contacts"
        }));
    }

    #[tokio::test]
    async fn full_sync_pages_contacts_when_not_embedded_and_notices_deletions() {
        let server = MockServer::start().await;
        mount_customers(&server, |_| json!([])).await;
        // 6 contacts over 3 pages; one belongs to a customer the pass did not see.
        let pages = [
            vec![(10, 1), (11, 1)],
            vec![(20, 2), (60, 6)],
            vec![(99, 12345)],
        ];
        for (i, items) in pages.iter().enumerate() {
            let items: Vec<Value> = items
                .iter()
                .map(|&(id, owner)| contact_json(id, owner))
                .collect();
            mount_page(
                &server,
                "/contacts",
                i as u32 + 1,
                json!({"contacts": items,
                "meta": {"total_pages": 3, "page": i + 1, "total_entries": 5}}),
            )
            .await;
        }
        let mut previous = Mirror::new(server.uri());
        previous.replace_all(vec![
            Customer {
                id: 7,
                ..Default::default()
            },
            Customer {
                id: 1,
                ..Default::default()
            },
        ]);
        let (m, report) = full_sync(
            &client(&server),
            &previous,
            &SyncOptions {
                concurrency: 2,
                ..Default::default()
            },
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(m.customer_count(), 6);
        assert_eq!(m.contacts_embedded, Some(false));
        assert_eq!(m.customer(1).unwrap().contacts.len(), 2);
        assert_eq!(m.contact(60).unwrap().0.id, 6);
        assert_eq!(m.contact_count(), 4);
        assert!(m.customer(7).is_none());
        assert_eq!(report.removed, 1);
        assert_eq!(report.requests, 6);
    }

    #[tokio::test]
    async fn embedded_contacts_are_kept_when_the_contact_list_is_not_allowed() {
        let server = MockServer::start().await;
        mount_customers(&server, |id| json!([contact_json(id * 10, id)])).await;
        Mock::given(method("GET"))
            .and(path("/contacts"))
            .respond_with(
                ResponseTemplate::new(401).set_body_json(json!({"error": "Not authorized"})),
            )
            .mount(&server)
            .await;
        let (m, _) = full_sync(
            &client(&server),
            &Mirror::default(),
            &SyncOptions::default(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(m.contact_count(), 6);
        assert_eq!(m.contacts_embedded, Some(true));
    }

    #[tokio::test]
    async fn pages_without_meta_are_walked_until_empty() {
        let server = MockServer::start().await;
        mount_page(
            &server,
            "/customers",
            1,
            json!({"customers": [customer_json(1, T1, json!([]))]}),
        )
        .await;
        mount_page(
            &server,
            "/customers",
            2,
            json!({"customers": [customer_json(2, T1, json!([]))]}),
        )
        .await;
        mount_page(&server, "/customers", 3, json!({"customers": []})).await;
        mount_page(&server, "/contacts", 1, json!({"contacts": []})).await;
        let (m, report) = full_sync(
            &client(&server),
            &Mirror::default(),
            &SyncOptions::default(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(m.customer_count(), 2);
        assert_eq!(report.requests, 4);
    }

    #[tokio::test]
    async fn incremental_stops_at_older_records_and_merges() {
        let server = MockServer::start().await;
        let mut previous = Mirror::new(server.uri());
        previous.last_full_sync = Some(Utc::now());
        previous.contacts_embedded = Some(true);
        let old: Customer =
            serde_json::from_value(customer_json(1, T1, json!([contact_json(10, 1)]))).unwrap();
        let other: Customer = serde_json::from_value(customer_json(2, T1, json!([]))).unwrap();
        previous.replace_all(vec![old, other]);
        // Newest first: customer 1 changed, customer 9 is new, then records older than the mirror.
        let mut changed = customer_json(1, T2, json!([contact_json(10, 1), contact_json(11, 1)]));
        changed["business_name"] = json!("Renamed");
        let body = json!({"customers": [changed, customer_json(9, T2, json!([])),
                                        customer_json(2, "2024-03-01T00:00:00Z", json!([]))],
                          "meta": {"total_pages": 40, "page": 1}});
        Mock::given(method("GET"))
            .and(path("/customers"))
            .and(query_param("sort", "updated_at DESC"))
            .and(query_param("page", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let (m, report) = incremental_sync(
            &client(&server),
            &previous,
            &SyncOptions::default(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.requests, 1, "stops at the first older record");
        assert_eq!(report.fetched, 2);
        assert_eq!(
            m.customer(1).unwrap().business_name.as_deref(),
            Some("Renamed")
        );
        assert_eq!(m.customer(1).unwrap().contacts.len(), 2);
        assert!(m.customer(9).is_some());
        assert!(m.customer(2).is_some(), "incremental passes never delete");
        assert!(m.last_incremental_sync.is_some());
        assert_eq!(
            previous.customer(1).unwrap().business_name.as_deref(),
            Some("Customer 1")
        );
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_pass_and_changes_nothing() {
        let server = MockServer::start().await;
        mount_page(
            &server,
            "/customers",
            1,
            json!({"customers": [customer_json(1, T1, json!([]))],
            "meta": {"total_pages": 2, "page": 1}}),
        )
        .await;
        Mock::given(method("GET"))
            .and(path("/customers"))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
            .mount(&server)
            .await;
        let previous = Mirror::new(server.uri());
        let err = full_sync(
            &client(&server),
            &previous,
            &SyncOptions::default(),
            &mut |_| {},
        )
        .await;
        assert!(matches!(err, Err(ApiError::NotFound { .. })));
    }

    #[test]
    fn passes_can_run_on_a_spawned_task() {
        fn assert_send<T: Send>(_: &T) {}
        let client = SyncroClient::new(ClientConfig::new(
            "http://127.0.0.1:9",
            SecretString::from("k"),
        ))
        .unwrap();
        let m = Mirror::default();
        let opts = SyncOptions::default();
        let mut p = |_: SyncProgress| {};
        assert_send(&full_sync(&client, &m, &opts, &mut p));
        let mut p = |_: SyncProgress| {};
        assert_send(&incremental_sync(&client, &m, &opts, &mut p));
    }

    #[test]
    fn status_line_reads_like_the_issue() {
        let p = SyncProgress {
            phase: SyncPhase::Customers,
            page: 12,
            total_pages: Some(50),
            records: 1200,
            requests: 12,
            eta: Some(Duration::from_secs(40)),
            waiting: None,
            waiting_reason: None,
        };
        assert_eq!(
            p.status_line(),
            "Syncing customers, page 12 of 50, about 40 s left"
        );
        let held = SyncProgress {
            waiting: Some(Duration::from_millis(11_200)),
            waiting_reason: Some(WaitReason::RateLimited),
            eta: None,
            ..p.clone()
        };
        assert_eq!(
            held.status_line(),
            "Rate limited by Syncro, resuming in 12 s (customers, page 12 of 50)"
        );
        let ours = SyncProgress {
            waiting_reason: Some(WaitReason::OwnPacing),
            ..held.clone()
        };
        assert_eq!(
            ours.status_line(),
            "Waiting for the rate limit (our own pacing), 12 s (customers, page 12 of 50)"
        );
        assert_eq!(human_duration(Duration::from_secs(600)), "10 min");
        assert_eq!(human_duration(Duration::from_secs(3900)), "1 h 5 min");
    }

    #[test]
    fn dedup_keeps_the_last_copy_in_first_order() {
        let v = vec![(1, "a"), (2, "b"), (1, "c")];
        let out = dedup_by_id(v, |x| x.0);
        assert_eq!(out, vec![(1, "c"), (2, "b")]);
    }

    #[test]
    fn listed_contacts_go_under_their_customers() {
        let mut packer = Packer::default();
        let mut customers = pack_page(
            &mut packer,
            vec![
                Customer {
                    id: 1,
                    ..Default::default()
                },
                Customer {
                    id: 2,
                    contacts: vec![Contact {
                        id: 99,
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            ],
        );
        let contact = |id, owner| Contact {
            id,
            customer_id: Some(owner),
            ..Default::default()
        };
        let packer = attach_contacts(
            packer,
            &mut customers,
            vec![contact(11, 1), contact(10, 1), contact(12, 7)],
        );
        let first = packer.unpack(customers[0].span);
        assert_eq!(
            first.contacts.iter().map(|k| k.id).collect::<Vec<_>>(),
            [10, 11]
        );
        assert_eq!(customers[0].contacts, 2);
        assert!(packer.unpack(customers[1].span).contacts.is_empty());
        assert_eq!(customers[1].contacts, 0);
    }
}
