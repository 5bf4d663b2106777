//! The Syncro-compatible demo server (axum) and its deterministic data generator.
//!
//! It serves the endpoints of `syncro-api.md` under `/api/v1` on loopback, for the demo mode,
//! the integration tests and the benchmarks. Its JSON is built from its own store types
//! ([`store`]), never from the client's models.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use syncro_tui::demo::{DemoConfig, DemoServer};
//! let server = DemoServer::start("127.0.0.1:0".parse()?, DemoConfig::default()).await?;
//! println!("{}", server.base_url()); // http://127.0.0.1:PORT/api/v1
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod generate;
mod limit;
mod routes;
pub mod store;
mod wire;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

pub use routes::BASE_PATH;
pub use store::DemoStore;

use limit::RateLimiter;

/// The key `syncro-tui demo-server` accepts unless told another: long enough for the app's
/// check that refuses keys shorter than 8 characters (the in-process demo and the tests' servers
/// keep `demo`, which they hand to the client themselves).
pub const DEMO_KEY: &str = "demo-key-0000";

/// How the demo server behaves.
#[derive(Clone)]
pub struct DemoConfig {
    /// Customers to generate (the curated set first). Ignored when `state` exists.
    pub customers: usize,
    /// Exactly this many contacts (`None`: about three per customer, as generated). The
    /// curated customers keep theirs. Ignored when `state` exists.
    pub contacts: Option<usize>,
    /// Seed of the generator: the same seed gives the same data.
    pub seed: u64,
    /// The API key the server accepts.
    pub api_key: String,
    /// Load from and keep changes in this JSON file.
    pub state: Option<PathBuf>,
    /// Delay before every answer.
    pub latency: Duration,
    /// Requests per client IP per window; `None` turns the limit off. Syncro's is 180.
    pub rate_limit: Option<u32>,
    /// Send `Retry-After` with 429 answers.
    pub retry_after: bool,
    /// Length of the rate-limit window (60 s like Syncro; shorter in tests).
    pub rate_window: Duration,
    /// Embed `contacts[]` in the customer list pages, as Syncro does. Off, clients must page
    /// through `/contacts` (the slow case of a full sync). Showing one customer always embeds.
    pub embed_contacts: bool,
    /// Contacts that belong to no customer (`customer_id: null`, vendor contacts, as the spec
    /// allows): listed by `/contacts`, never embedded, so `/contacts` is longer than the
    /// customers' embedded lists. Added to generated data (not to a loaded `state`).
    pub vendor_contacts: usize,
}

impl std::fmt::Debug for DemoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoConfig")
            .field("customers", &self.customers)
            .field("contacts", &self.contacts)
            .field("seed", &self.seed)
            .field("api_key", &"[redacted]")
            .field("state", &self.state)
            .field("latency", &self.latency)
            .field("rate_limit", &self.rate_limit)
            .field("retry_after", &self.retry_after)
            .field("rate_window", &self.rate_window)
            .field("embed_contacts", &self.embed_contacts)
            .field("vendor_contacts", &self.vendor_contacts)
            .finish()
    }
}

/// The file, in the data directory, where the app's demo mode (the app, `sync`, `lookup`)
/// keeps its demo server's data: the demo's changes survive a restart, as the demo's mirror
/// does, so the two always tell the same story. `syncro-tui demo reset` removes both.
pub const APP_STATE_FILE: &str = "demo-server.json";

impl DemoConfig {
    /// The demo server of the app's demo mode: the default data, kept in
    /// [`APP_STATE_FILE`] under `data_dir`.
    pub fn for_app(data_dir: &std::path::Path) -> DemoConfig {
        DemoConfig {
            state: Some(data_dir.join(APP_STATE_FILE)),
            ..DemoConfig::default()
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            customers: 500,
            contacts: None,
            seed: 1,
            api_key: "demo".into(),
            state: None,
            latency: Duration::ZERO,
            rate_limit: Some(180),
            retry_after: true,
            rate_window: Duration::from_secs(60),
            embed_contacts: true,
            vendor_contacts: 3,
        }
    }
}

/// The body of an injected failure.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultBody {
    /// `application/json`
    Json(Value),
    /// `text/html`, like a proxy's or a maintenance page.
    Html(String),
    /// `text/plain`
    Text(String),
    /// No body at all.
    Empty,
    /// The status line and headers, then the connection breaks before the body arrives.
    Disconnect,
}

/// A failure to inject: requests whose method and path match get `status` and `body` instead of
/// their normal answer, `times` times.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// `None` matches every method.
    pub method: Option<Method>,
    /// Path prefix, either below the base path (`/contacts`) or absolute (`/api/v1/contacts`).
    pub path_prefix: String,
    pub status: StatusCode,
    pub body: FaultBody,
    /// `Retry-After` seconds to send with the answer.
    pub retry_after: Option<u64>,
    /// How many matching requests fail.
    pub times: u32,
    /// Wait this long before answering (on top of the server's latency), e.g. to provoke a
    /// client timeout on one endpoint.
    pub delay: Duration,
    /// Matching requests to let through (answered normally) before the first failure: `1`
    /// fails the second contact create of a run, say.
    pub skip: u32,
}

impl FaultRule {
    /// One failure of `method` on paths starting with `path_prefix`: 500 with a JSON error until
    /// changed with the builder methods.
    pub fn new(method: Method, path_prefix: impl Into<String>) -> FaultRule {
        FaultRule {
            method: Some(method),
            path_prefix: path_prefix.into(),
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: FaultBody::Json(serde_json::json!({"error": "Internal server error"})),
            retry_after: None,
            times: 1,
            delay: Duration::ZERO,
            skip: 0,
        }
    }

    /// Like [`FaultRule::new`] for every method.
    pub fn any_method(path_prefix: impl Into<String>) -> FaultRule {
        FaultRule {
            method: None,
            ..FaultRule::new(Method::GET, path_prefix)
        }
    }

    /// Answer with this HTTP status (an invalid code becomes 500).
    pub fn status(mut self, status: u16) -> FaultRule {
        self.status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        self
    }

    /// Answer with this JSON body.
    pub fn json(mut self, body: Value) -> FaultRule {
        self.body = FaultBody::Json(body);
        self
    }

    /// Answer with an HTML body.
    pub fn html(mut self, body: impl Into<String>) -> FaultRule {
        self.body = FaultBody::Html(body.into());
        self
    }

    /// Answer with a plain-text body.
    pub fn text(mut self, body: impl Into<String>) -> FaultRule {
        self.body = FaultBody::Text(body.into());
        self
    }

    /// Answer with no body.
    pub fn empty(mut self) -> FaultRule {
        self.body = FaultBody::Empty;
        self
    }

    /// Break the connection after the headers (the client sees a failed body read).
    pub fn disconnect(mut self) -> FaultRule {
        self.body = FaultBody::Disconnect;
        self
    }

    /// Wait before answering.
    pub fn delay(mut self, delay: Duration) -> FaultRule {
        self.delay = delay;
        self
    }

    /// Send `Retry-After: secs`.
    pub fn retry_after(mut self, secs: u64) -> FaultRule {
        self.retry_after = Some(secs);
        self
    }

    /// Fail this many matching requests (then answer normally).
    pub fn times(mut self, n: u32) -> FaultRule {
        self.times = n;
        self
    }

    /// Let `n` matching requests through before failing.
    pub fn after(mut self, n: u32) -> FaultRule {
        self.skip = n;
        self
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        let relative = path.strip_prefix(BASE_PATH).unwrap_or(path);
        path.starts_with(&self.path_prefix) || relative.starts_with(&self.path_prefix)
    }
}

/// Request counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every request received (refused ones included).
    pub total: u64,
    /// Requests answered with 429 (rate limit or injected).
    pub rate_limited: u64,
    /// Requests per `"METHOD /path"`, numeric ids replaced by `{id}`, base path removed
    /// (`"GET /customers/{id}"`).
    pub by_route: BTreeMap<String, u64>,
    /// Requests per `"METHOD /path"` with the ids kept (`"PUT /customers/21000001"`), refused
    /// ones included.
    pub by_path: BTreeMap<String, u64>,
    /// Writes (POST, PUT, DELETE) answered with a 2xx, per `"METHOD /path"` with the ids kept:
    /// what the server applied (refused requests and injected failures are not counted).
    pub applied: BTreeMap<String, u64>,
}

/// State shared by the routes and the [`DemoControl`] handles.
pub(crate) struct Shared {
    api_key: String,
    latency_ms: AtomicU64,
    retry_after: AtomicBool,
    embed_contacts: AtomicBool,
    limiter: Mutex<RateLimiter>,
    faults: Mutex<Vec<FaultRule>>,
    stats: Mutex<Stats>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn route_key(method: &Method, path: &str) -> String {
    let relative = path.strip_prefix(BASE_PATH).unwrap_or(path);
    let normalised: Vec<&str> = relative
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect();
    format!("{method} {}", normalised.join("/"))
}

fn path_key(method: &Method, path: &str) -> String {
    format!("{method} {}", path.strip_prefix(BASE_PATH).unwrap_or(path))
}

impl Shared {
    fn new(cfg: &DemoConfig) -> Shared {
        Shared {
            api_key: cfg.api_key.clone(),
            latency_ms: AtomicU64::new(cfg.latency.as_millis().min(u64::MAX as u128) as u64),
            retry_after: AtomicBool::new(cfg.retry_after),
            embed_contacts: AtomicBool::new(cfg.embed_contacts),
            limiter: Mutex::new(RateLimiter::new(cfg.rate_limit, cfg.rate_window)),
            faults: Mutex::new(Vec::new()),
            stats: Mutex::new(Stats::default()),
        }
    }

    pub(crate) fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn retry_after(&self) -> bool {
        self.retry_after.load(Ordering::Relaxed)
    }

    pub(crate) fn embed_contacts(&self) -> bool {
        self.embed_contacts.load(Ordering::Relaxed)
    }

    pub(crate) fn count_request(&self, method: &Method, path: &str) {
        let mut stats = lock(&self.stats);
        stats.total += 1;
        *stats.by_route.entry(route_key(method, path)).or_default() += 1;
        *stats.by_path.entry(path_key(method, path)).or_default() += 1;
    }

    fn count_applied(&self, method: &Method, path: &str) {
        *lock(&self.stats)
            .applied
            .entry(path_key(method, path))
            .or_default() += 1;
    }

    pub(crate) fn count_rate_limited(&self) {
        lock(&self.stats).rate_limited += 1;
    }

    pub(crate) fn check_rate(&self, ip: IpAddr) -> Result<(), Duration> {
        lock(&self.limiter).check(ip, tokio::time::Instant::now())
    }

    /// The first matching fault, used up by one.
    pub(crate) fn take_fault(&self, method: &Method, path: &str) -> Option<FaultRule> {
        let mut faults = lock(&self.faults);
        let pos = faults
            .iter()
            .position(|f| f.times > 0 && f.matches(method, path))?;
        if faults[pos].skip > 0 {
            // Not yet: this request is answered normally.
            faults[pos].skip -= 1;
            return None;
        }
        faults[pos].times -= 1;
        let fault = faults[pos].clone();
        if faults[pos].times == 0 {
            faults.remove(pos);
        }
        Some(fault)
    }
}

/// A cheap handle for tests and tools: fault injection, latency, rate limit, counters, data.
#[derive(Clone)]
pub struct DemoControl {
    shared: Arc<Shared>,
    store: DemoStore,
}

impl std::fmt::Debug for DemoControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoControl").finish_non_exhaustive()
    }
}

impl DemoControl {
    /// Make the next matching requests fail as the rule says (rules are tried in order).
    pub fn fail_next(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// Drop every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Faults not used up yet.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults)
            .iter()
            .map(|f| f.times as usize)
            .sum()
    }

    /// Delay every answer from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.latency_ms.store(
            latency.as_millis().min(u64::MAX as u128) as u64,
            Ordering::Relaxed,
        );
    }

    /// Change the rate limit (`None` = off).
    pub fn set_rate_limit(&self, limit: Option<u32>) {
        lock(&self.shared.limiter).set_limit(limit);
    }

    /// Change the rate-limit window length.
    pub fn set_rate_window(&self, window: Duration) {
        lock(&self.shared.limiter).set_window(window);
    }

    /// Send `Retry-After` with 429 answers, or not.
    pub fn set_retry_after(&self, on: bool) {
        self.shared.retry_after.store(on, Ordering::Relaxed);
    }

    /// Embed `contacts[]` in customer list pages (Syncro's way), or leave them out so that
    /// contacts must come from `/contacts`.
    pub fn set_embedded_contacts(&self, on: bool) {
        self.shared.embed_contacts.store(on, Ordering::Relaxed);
    }

    /// Forget every request counted by the rate limiter.
    pub fn reset_rate_limit(&self) {
        lock(&self.shared.limiter).reset();
    }

    /// A copy of the request counters.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Zero the request counters.
    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = Stats::default();
    }

    /// The data this server serves; pass it to [`DemoServer::start_with_store`] to serve the
    /// same data again after a shutdown.
    pub fn store(&self) -> DemoStore {
        self.store.clone()
    }
}

/// A running demo server.
pub struct DemoServer {
    addr: SocketAddr,
    control: DemoControl,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl DemoServer {
    /// Bind `addr`, generate the data (or load `cfg.state` when the file exists) and serve in
    /// a spawned task.
    pub async fn start(addr: SocketAddr, cfg: DemoConfig) -> anyhow::Result<DemoServer> {
        let store = match &cfg.state {
            Some(path) if path.exists() => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || DemoStore::load(&path)).await??
            }
            _ => {
                let (n, k, seed, v) = (cfg.customers, cfg.contacts, cfg.seed, cfg.vendor_contacts);
                tokio::task::spawn_blocking(move || {
                    let store = DemoStore::generate_with_contacts(n, k, seed);
                    store.lock().add_vendor_contacts(v);
                    store
                })
                .await?
            }
        };
        DemoServer::start_with_store(addr, cfg, store).await
    }

    /// Serve an existing store (the data of a server that was shut down, for example) on
    /// `addr`. `cfg.customers`, `cfg.seed` and loading from `cfg.state` are not used; changes
    /// are still written to `cfg.state`.
    pub async fn start_with_store(
        addr: SocketAddr,
        cfg: DemoConfig,
        store: DemoStore,
    ) -> anyhow::Result<DemoServer> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(&cfg));
        let router = routes::router(routes::AppState {
            store: store.clone(),
            shared: shared.clone(),
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let task = tokio::spawn(serve(
            listener,
            router,
            shared.clone(),
            store.clone(),
            cfg.state,
            stop_rx,
        ));
        Ok(DemoServer {
            addr,
            control: DemoControl { shared, store },
            stop: Some(stop_tx),
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT/api/v1`
    pub fn base_url(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// A handle for fault injection, latency, counters and the data.
    pub fn control(&self) -> DemoControl {
        self.control.clone()
    }

    /// Stop serving: the listener closes and open connections are dropped at once (requests in
    /// flight get no answer), then the state file is written.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        // Dropped without `shutdown`: stop accepting; the serve task still flushes the state.
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Delay between a write and the state file being written (writes in between are batched).
const STATE_DEBOUNCE: Duration = Duration::from_millis(500);

/// Accept loop. Connections live in a `JoinSet` so a shutdown can drop them all at once, which
/// `axum::serve`'s graceful shutdown cannot do.
async fn serve(
    listener: TcpListener,
    router: axum::Router,
    shared: Arc<Shared>,
    store: DemoStore,
    state: Option<PathBuf>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    let mut writer = state.clone().map(|path| {
        let store = store.clone();
        tokio::spawn(state_writer(store, path))
    });
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let router = router.clone();
                    connections.spawn(serve_connection(stream, peer, router, shared.clone()));
                }
                // Out of file descriptors and the like: back off briefly, keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
    if let Some(w) = writer.take() {
        w.abort();
        let _ = w.await;
    }
    if let Some(path) = state
        && (store.generation() != store.saved_generation() || !path.exists())
    {
        let result = tokio::task::spawn_blocking(move || store.save(&path)).await;
        if let Ok(Err(e)) = result {
            eprintln!("demo server: {e:#}");
        }
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: axum::Router,
    shared: Arc<Shared>,
) {
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            let shared = shared.clone();
            async move {
                let method = req.method().clone();
                let path = req.uri().path().to_string();
                let req = req.map(axum::body::Body::new);
                let answer = tower_service::Service::call(&mut router, req).await;
                // Counted once the handler has answered: a 2xx write was applied.
                if let Ok(r) = &answer
                    && r.status().is_success()
                    && !matches!(method, Method::GET | Method::HEAD)
                {
                    shared.count_applied(&method, &path);
                }
                answer
            }
        });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Writes the state file shortly after writes, batching bursts.
async fn state_writer(store: DemoStore, path: PathBuf) {
    loop {
        store.changed().await;
        tokio::time::sleep(STATE_DEBOUNCE).await;
        if store.generation() == store.saved_generation() {
            continue;
        }
        let (s, p) = (store.clone(), path.clone());
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || s.save(&p)).await {
            eprintln!("demo server: {e:#}")
        }
    }
}

/// `syncro-tui demo-server ...`: serve until Ctrl-C or SIGTERM, then write the state file.
/// The first line on stdout is exactly `listening on http://HOST:PORT/api/v1`.
pub fn run_cli(args: crate::cli::DemoServerArgs) -> anyhow::Result<()> {
    let cfg = DemoConfig {
        customers: args.customers,
        contacts: args.contacts,
        seed: args.seed,
        api_key: args.api_key,
        state: args.state,
        latency: Duration::from_millis(args.latency_ms),
        rate_limit: (!args.no_rate_limit && args.rate_limit > 0).then_some(args.rate_limit),
        retry_after: args.retry_after == crate::cli::OnOff::On,
        embed_contacts: !args.no_embedded_contacts,
        ..DemoConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let server = DemoServer::start(args.addr, cfg).await?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {}", server.base_url())?;
            out.flush()?;
        }
        let store = server.control().store();
        eprintln!(
            "demo server: {} customers, {} contacts; send the API key as `Authorization: Bearer KEY`; \
             Ctrl-C stops it",
            store.customer_count(),
            store.contact_count()
        );
        wait_for_stop_signal().await;
        server.shutdown().await;
        anyhow::Ok(())
    })
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_hide_ids_and_base() {
        assert_eq!(
            route_key(&Method::GET, "/api/v1/customers/21403118"),
            "GET /customers/{id}"
        );
        assert_eq!(
            route_key(&Method::POST, "/api/v1/contacts"),
            "POST /contacts"
        );
    }

    #[test]
    fn path_keys_keep_ids_and_drop_the_base() {
        assert_eq!(
            path_key(&Method::PUT, "/api/v1/customers/21403118"),
            "PUT /customers/21403118"
        );
    }

    #[test]
    fn fault_rules_match_method_and_prefix() {
        let rule = FaultRule::new(Method::PUT, "/contacts");
        assert!(rule.matches(&Method::PUT, "/api/v1/contacts/5"));
        assert!(!rule.matches(&Method::GET, "/api/v1/contacts/5"));
        assert!(!rule.matches(&Method::PUT, "/api/v1/customers/5"));
        assert!(FaultRule::any_method("/api/v1/tickets").matches(&Method::GET, "/api/v1/tickets"));
    }
}
