//! The Syncro REST client: typed operations over one shared HTTP connection pool.
//!
//! Every request goes through the same path: wait for a slot from the rate limiter, send with the
//! Bearer header, map the answer to a value or an [`ApiError`], and retry where that is safe (see
//! [`super::retry`]). Clones share the connection pool, the limiter and the statistics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::error::ApiError;
use super::limiter::{LimiterSnapshot, Priority, RateLimiter};
use super::model::{
    Asset, Contact, Contract, Customer, CustomerQuery, Id, Invoice, Page, PageRead, Patch, Skipped,
    Ticket,
};
use super::retry::{self, Decision, RetryPolicy};

/// Default for [`ClientConfig::max_body_bytes`]: 32 MiB. A page of 100 customers with their
/// contacts embedded is well under 1 MiB; a customer with thousands of contacts a few MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

/// How much of an error answer (4xx, 5xx) is read: enough for any message, never a flood.
const MAX_ERROR_BODY_BYTES: u64 = 256 * 1024;

/// How to reach a Syncro (or Syncro-compatible) server, and how patiently.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL including `/api/v1`, without a trailing slash.
    pub base_url: String,
    /// The API token. Sent only in the `Authorization` header; never logged or printed.
    pub api_key: SecretString,
    /// Requests allowed in any 60 s window (Syncro: 180 per IP); 0 turns the client-side limiter
    /// off. The limiter counts over `rate_window`, a little longer than the server's minute.
    pub requests_per_minute: u32,
    /// The limiter's window: 60 s plus a margin for network jitter, so that requests spaced
    /// exactly one window apart on the client cannot arrive less than a minute apart at the server.
    pub rate_window: Duration,
    pub connect_timeout: Duration,
    /// Longest silence while reading an answer.
    pub read_timeout: Duration,
    /// Longest time one attempt may take from sending to the end of the body.
    pub total_timeout: Duration,
    /// Attempts for idempotent requests (GET, PUT, DELETE) on 5xx, connection errors and
    /// timeouts, the first included. POST always gets one.
    pub max_attempts: u32,
    /// First ceiling of the full-jitter backoff between attempts; doubles every attempt.
    pub backoff_base: Duration,
    /// Largest backoff ceiling.
    pub backoff_cap: Duration,
    /// Wait after a 429 without `Retry-After`: the server's window.
    pub rate_limit_wait: Duration,
    /// 429 answers one request may meet (and wait out) before the error goes to the caller.
    pub max_rate_limited_retries: u32,
    /// The longest answer body read; a longer one stops at this size with
    /// [`ApiError::TooLarge`], so a runaway server or proxy cannot exhaust memory.
    pub max_body_bytes: u64,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .field("requests_per_minute", &self.requests_per_minute)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Defaults for the real Syncro: 180 requests a minute, 10 s to connect, 30 s of read
    /// silence, 60 s per attempt, 4 attempts with backoff from 250 ms up to 8 s.
    pub fn new(base_url: impl Into<String>, api_key: SecretString) -> Self {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key,
            requests_per_minute: 180,
            rate_window: Duration::from_secs(61),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(60),
            max_attempts: 4,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(8),
            rate_limit_wait: Duration::from_secs(60),
            max_rate_limited_retries: 5,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// `https://SUBDOMAIN.syncromsp.com/api/v1`
    pub fn for_subdomain(subdomain: &str, api_key: SecretString) -> Self {
        Self::new(format!("https://{subdomain}.syncromsp.com/api/v1"), api_key)
    }

    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts.max(1),
            backoff_base: self.backoff_base,
            backoff_cap: self.backoff_cap,
            rate_limit_wait: self.rate_limit_wait,
            max_rate_limited_retries: self.max_rate_limited_retries,
        }
    }
}

/// Counters since the client was built (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Requests sent over the wire, retries included.
    pub requests: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Attempts repeated after a 5xx, a connection error or a timeout.
    pub retries: u64,
}

/// The Syncro client. Cheap to clone: clones share the connection pool, the rate limiter and
/// the statistics, so every part of the app counts against the same budget.
#[derive(Clone)]
pub struct SyncroClient {
    inner: Arc<Inner>,
    /// The limiter class of this handle's requests (see [`SyncroClient::paced`] and
    /// [`SyncroClient::background`]).
    priority: Priority,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    limiter: RateLimiter,
    requests: AtomicU64,
    rate_limited: AtomicU64,
    retries: AtomicU64,
}

impl std::fmt::Debug for SyncroClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncroClient")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .finish()
    }
}

/// A 2xx answer, body read.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl SyncroClient {
    /// Builds the client (connection pool, limiter). Fails only on an unusable configuration.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        if config.base_url.is_empty() {
            return Err(ApiError::Config("the server address is empty".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .user_agent(concat!("syncro-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Config(e.to_string()))?;
        let limiter = RateLimiter::new(config.requests_per_minute, config.rate_window);
        Ok(SyncroClient {
            inner: Arc::new(Inner {
                http,
                config,
                limiter,
                requests: AtomicU64::new(0),
                rate_limited: AtomicU64::new(0),
                retries: AtomicU64::new(0),
            }),
            priority: Priority::Interactive,
        })
    }

    /// A handle for background work (the mirror sync): same pool, limiter and counters, but
    /// its requests draw on the background share of the window (the technician's requests keep
    /// a reserve and go first) and are spaced evenly over the window instead of taking it at
    /// once, so the app's own requests are never stuck behind a burst.
    pub fn paced(&self) -> SyncroClient {
        SyncroClient {
            inner: Arc::clone(&self.inner),
            priority: Priority::Paced,
        }
    }

    /// A handle for background work that goes as fast as the server answers, within the
    /// background share of the window (for a pass that fits in what the window has left).
    pub fn background(&self) -> SyncroClient {
        SyncroClient {
            inner: Arc::clone(&self.inner),
            priority: Priority::Background,
        }
    }

    /// The limiter class of this handle.
    pub fn priority(&self) -> Priority {
        self.priority
    }

    /// The server's base URL (`.../api/v1`).
    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    /// Requests sent, 429s met and retries made so far (all clones together).
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            rate_limited: self.inner.rate_limited.load(Ordering::Relaxed),
            retries: self.inner.retries.load(Ordering::Relaxed),
        }
    }

    /// What the rate limiter allows right now (slowed down after a 429, paused, ...).
    pub fn limiter(&self) -> LimiterSnapshot {
        self.inner.limiter.snapshot()
    }

    /// Sends a request (with limiter, retries and error mapping) and decodes a 2xx JSON answer.
    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<T, ApiError> {
        let (answer, value) = self.request_answer(method, path, query, body).await?;
        drop(answer);
        Ok(value)
    }

    /// [`SyncroClient::request`], keeping the answer (its status, for checking a record).
    async fn request_answer<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<(Answer, T), ApiError> {
        let answer = self.execute(method, path, query, body).await?;
        match decode(&answer) {
            Ok(v) => Ok((answer, v)),
            Err(e) => Err(self.not_json(e, &answer)),
        }
    }

    /// A decoding error with the body's excerpt, any echoed key redacted.
    fn not_json(&self, e: ApiError, answer: &Answer) -> ApiError {
        match e {
            ApiError::NotJson {
                status,
                content_type,
                ..
            } => ApiError::NotJson {
                status,
                content_type,
                excerpt: excerpt(&redact(
                    &answer.body,
                    self.inner.config.api_key.expose_secret(),
                )),
            },
            other => other,
        }
    }

    /// One page of a list endpoint: the records that decode, and the ones that do not (each
    /// logged with its id and the reason), instead of failing the page for one bad record.
    async fn request_page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<PageRead<T>, ApiError> {
        let answer = self.execute(Method::GET, path, query, None).await?;
        let read = super::model::read_page::<T>(&answer.body).map_err(|_| {
            let e = ApiError::NotJson {
                status: answer.status,
                content_type: excerpt(answer.content_type.as_bytes()),
                excerpt: String::new(),
            };
            self.not_json(e, &answer)
        })?;
        for s in &read.skipped {
            tracing::warn!(path, "{}", s.log_line());
        }
        Ok(read)
    }

    /// Sends until a 2xx answer, a final error, or the retry bounds are reached.
    async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Answer, ApiError> {
        let policy = self.inner.config.retry_policy();
        let mut attempt = 0u32;
        let mut rate_limited = 0u32;
        loop {
            attempt += 1;
            self.inner.limiter.acquire_as(self.priority).await;
            self.inner.requests.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let result = self.send_once(&method, path, query, body).await;
            let ms = started.elapsed().as_millis() as u64;
            // One line per request over the wire, at the default level: method, path (never
            // the query: it holds search text), status, milliseconds.
            let error = match result {
                Ok(answer) => {
                    tracing::info!(%method, path, status = answer.status, ms, attempt, "api request");
                    return Ok(answer);
                }
                Err(e) => e,
            };
            tracing::info!(
                %method, path, status = error.status(), ms, attempt, error = %error,
                "api request failed"
            );
            if matches!(error, ApiError::RateLimited { .. }) {
                self.inner.rate_limited.fetch_add(1, Ordering::Relaxed);
            }
            match retry::decide(&method, &error, attempt, rate_limited, &policy) {
                Decision::RateLimited(wait) => {
                    // Not processed by the server: the same attempt again, after the pause.
                    rate_limited += 1;
                    attempt -= 1;
                    tracing::debug!(%method, path, wait_ms = wait.as_millis() as u64, "rate limited; pausing");
                    self.inner.limiter.on_rate_limited(wait);
                }
                Decision::Retry(wait) => {
                    self.inner.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(%method, path, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Decision::GiveUp => return Err(error),
            }
        }
    }

    /// One attempt: a 2xx answer with its body, or the error it amounts to.
    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Answer, ApiError> {
        let cfg = &self.inner.config;
        let url = format!("{}{}", cfg.base_url, path);
        let mut req = self
            .inner
            .http
            .request(method.clone(), &url)
            .bearer_auth(cfg.api_key.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| transport_error(&e, cfg))?;
        let status = resp.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let retry_after =
            retry::parse_retry_after(&header(reqwest::header::RETRY_AFTER), SystemTime::now());
        let ok = (200..300).contains(&status);
        let cap = if ok {
            cfg.max_body_bytes
        } else {
            cfg.max_body_bytes.min(MAX_ERROR_BODY_BYTES)
        };
        let body = read_body(resp, cap, ok, cfg).await?;
        if ok {
            Ok(Answer {
                status,
                content_type,
                body,
            })
        } else {
            // A server that echoes the token back in an error must not put it in our messages.
            let body = redact(&body, cfg.api_key.expose_secret());
            Err(status_error(
                status,
                &content_type,
                &body,
                path,
                retry_after,
            ))
        }
    }

    /// `GET /customers`: one page of customers matching `q` (disabled ones only on request).
    /// Records that cannot be read are left out (see [`SyncroClient::list_customers_read`]).
    pub async fn list_customers(&self, q: &CustomerQuery) -> Result<Page<Customer>, ApiError> {
        Ok(self.list_customers_read(q).await?.page)
    }

    /// [`SyncroClient::list_customers`] with the records that could not be read.
    pub async fn list_customers_read(
        &self,
        q: &CustomerQuery,
    ) -> Result<PageRead<Customer>, ApiError> {
        self.request_page("/customers", &q.to_pairs()).await
    }

    /// `GET /customers/{id}`, contacts embedded.
    pub async fn get_customer(&self, id: Id) -> Result<Customer, ApiError> {
        let (answer, w): (Answer, CustomerEnvelope) = self
            .request_answer(Method::GET, &format!("/customers/{id}"), &[], None)
            .await?;
        the_customer(&answer, w, Some(id))
    }

    /// `POST /customers`. Retried only after a 429. Anything but the created customer in the
    /// answer (a timeout, a dropped connection, a 5xx, an HTML page, a truncated or unrelated
    /// body, a record without an id) is an error for which [`ApiError::outcome_unknown`] holds:
    /// look for the record before sending again.
    pub async fn create_customer(&self, fields: &Patch) -> Result<Customer, ApiError> {
        let body = Value::Object(fields.clone());
        let (answer, w): (Answer, CustomerEnvelope) = self
            .request_answer(Method::POST, "/customers", &[], Some(&body))
            .await?;
        the_customer(&answer, w, None)
    }

    /// Sends only the given fields; the rest of the record is left as it is on the server. An
    /// answer that is not the customer (another id, no record) is
    /// [`ApiError::UnexpectedAnswer`]. [`SyncroClient::update_customer_checked`] also makes sure
    /// the fields stuck.
    pub async fn update_customer(&self, id: Id, patch: &Patch) -> Result<Customer, ApiError> {
        let body = Value::Object(patch.clone());
        let (answer, w): (Answer, CustomerEnvelope) = self
            .request_answer(Method::PUT, &format!("/customers/{id}"), &[], Some(&body))
            .await?;
        the_customer(&answer, w, Some(id))
    }

    /// `DELETE /customers/{id}`. Syncro deletes for good.
    pub async fn delete_customer(&self, id: Id) -> Result<(), ApiError> {
        // The answer's body differs by resource and says nothing the status does not.
        self.execute(Method::DELETE, &format!("/customers/{id}"), &[], None)
            .await?;
        Ok(())
    }

    /// Contacts of one customer, or of the whole account when `customer_id` is `None`.
    pub async fn list_contacts(
        &self,
        customer_id: Option<Id>,
        page: u32,
    ) -> Result<Page<Contact>, ApiError> {
        Ok(self.list_contacts_read(customer_id, page).await?.page)
    }

    /// [`SyncroClient::list_contacts`] with the records that could not be read.
    pub async fn list_contacts_read(
        &self,
        customer_id: Option<Id>,
        page: u32,
    ) -> Result<PageRead<Contact>, ApiError> {
        let mut q = Vec::new();
        if let Some(id) = customer_id {
            q.push(("customer_id".to_string(), id.to_string()));
        }
        q.push(("page".to_string(), page.max(1).to_string()));
        self.request_page("/contacts", &q).await
    }

    /// `GET /contacts/{id}` (a flat object, no wrapper).
    pub async fn get_contact(&self, id: Id) -> Result<Contact, ApiError> {
        let (answer, c): (Answer, Contact) = self
            .request_answer(Method::GET, &format!("/contacts/{id}"), &[], None)
            .await?;
        the_contact(&answer, c, Some(id))
    }

    /// `POST /contacts`. A `title` in `fields` is sent where Syncro stores it,
    /// `properties.title` (the spec's POST body has no `title`); whether it was kept is for the
    /// caller to check ([`SyncroClient::create_contact_checked`] does). Like
    /// [`SyncroClient::create_customer`], anything but the created contact in the answer is an
    /// error with an unknown outcome.
    pub async fn create_contact(
        &self,
        customer_id: Id,
        fields: &Patch,
    ) -> Result<Contact, ApiError> {
        let mut body = title_into_properties(fields);
        body.insert("customer_id".into(), Value::from(customer_id));
        let (answer, c): (Answer, Contact) = self
            .request_answer(Method::POST, "/contacts", &[], Some(&Value::Object(body)))
            .await?;
        the_contact(&answer, c, None)
    }

    /// `PUT /contacts/{id}` with only the given fields; `title` is stored as `properties.title`.
    /// Syncro requires `name` on this PUT: [`SyncroClient::update_contact_checked`] adds it.
    pub async fn update_contact(&self, id: Id, patch: &Patch) -> Result<Contact, ApiError> {
        let body = Value::Object(patch.clone());
        let (answer, c): (Answer, Contact) = self
            .request_answer(Method::PUT, &format!("/contacts/{id}"), &[], Some(&body))
            .await?;
        the_contact(&answer, c, Some(id))
    }

    /// `DELETE /contacts/{id}`.
    pub async fn delete_contact(&self, id: Id) -> Result<(), ApiError> {
        // The answer's body differs by resource and says nothing the status does not.
        self.execute(Method::DELETE, &format!("/contacts/{id}"), &[], None)
            .await?;
        Ok(())
    }

    /// `GET /tickets?customer_id=`: one page of a customer's tickets.
    pub async fn list_tickets(&self, customer_id: Id, page: u32) -> Result<Page<Ticket>, ApiError> {
        Ok(self.list_tickets_read(customer_id, page).await?.page)
    }

    /// [`SyncroClient::list_tickets`] with the records that could not be read.
    pub async fn list_tickets_read(
        &self,
        customer_id: Id,
        page: u32,
    ) -> Result<PageRead<Ticket>, ApiError> {
        let q = vec![
            ("customer_id".to_string(), customer_id.to_string()),
            ("page".to_string(), page.max(1).to_string()),
        ];
        self.request_page("/tickets", &q).await
    }

    /// `GET /customer_assets?customer_id=`: one page of a customer's assets.
    pub async fn list_assets(&self, customer_id: Id, page: u32) -> Result<Page<Asset>, ApiError> {
        Ok(self.list_assets_read(customer_id, page).await?.page)
    }

    /// [`SyncroClient::list_assets`] with the records that could not be read.
    pub async fn list_assets_read(
        &self,
        customer_id: Id,
        page: u32,
    ) -> Result<PageRead<Asset>, ApiError> {
        let q = vec![
            ("customer_id".to_string(), customer_id.to_string()),
            ("page".to_string(), page.max(1).to_string()),
        ];
        self.request_page("/customer_assets", &q).await
    }

    /// `GET /contracts?page=`: one page of the account's contracts (50 a page in the spec;
    /// no customer filter is documented, so none is sent).
    pub async fn list_contracts(&self, page: u32) -> Result<Page<Contract>, ApiError> {
        let q = vec![("page".to_string(), page.max(1).to_string())];
        Ok(self.request_page("/contracts", &q).await?.page)
    }

    /// One page of the account's invoices. The API cannot filter them by customer.
    pub async fn list_invoices(&self, page: u32) -> Result<Page<Invoice>, ApiError> {
        Ok(self.list_invoices_read(page).await?.page)
    }

    /// [`SyncroClient::list_invoices`] with the records that could not be read.
    pub async fn list_invoices_read(&self, page: u32) -> Result<PageRead<Invoice>, ApiError> {
        let q = vec![("page".to_string(), page.max(1).to_string())];
        self.request_page("/invoices", &q).await
    }

    /// Every customer matching `q` (its `page` is ignored), page after page.
    pub async fn all_customers(&self, q: &CustomerQuery) -> Result<Vec<Customer>, ApiError> {
        all_pages(|page| {
            let q = CustomerQuery { page, ..q.clone() };
            async move { self.list_customers(&q).await }
        })
        .await
    }

    /// Every contact of one customer (`Some`) or of the whole account (`None`), page after page.
    pub async fn all_contacts(&self, customer_id: Option<Id>) -> Result<Vec<Contact>, ApiError> {
        all_pages(|page| self.list_contacts(customer_id, page)).await
    }

    /// Contacts whose e-mail is `email` (case and surrounding spaces ignored), across the account.
    ///
    /// The API has no e-mail filter for contacts (an `email` parameter is silently ignored and
    /// every contact comes back), so this walks every contact page and compares here. For
    /// repeated look-ups, search data already fetched instead.
    pub async fn find_contacts_by_email(&self, email: &str) -> Result<Vec<Contact>, ApiError> {
        let wanted = email.trim().to_lowercase();
        let mut all = self.all_contacts(None).await?;
        all.retain(|c| {
            c.email
                .as_deref()
                .is_some_and(|e| e.trim().to_lowercase() == wanted)
        });
        Ok(all)
    }

    /// Every ticket of one customer, page after page.
    pub async fn all_tickets(&self, customer_id: Id) -> Result<Vec<Ticket>, ApiError> {
        all_pages(|page| self.list_tickets(customer_id, page)).await
    }

    /// Every asset of one customer, page after page.
    pub async fn all_assets(&self, customer_id: Id) -> Result<Vec<Asset>, ApiError> {
        all_pages(|page| self.list_assets(customer_id, page)).await
    }

    /// The invoices of one customer. The API cannot filter invoices by customer (a
    /// `customer_id` parameter is not documented), so this walks every invoice page of the
    /// account and keeps the customer's: one request per 25 invoices.
    pub async fn invoices_for_customer(&self, customer_id: Id) -> Result<Vec<Invoice>, ApiError> {
        let mut all = all_pages(|page| self.list_invoices(page)).await?;
        all.retain(|i| i.customer_id == Some(customer_id));
        Ok(all)
    }

    /// Moves a ticket to another customer (used by merge).
    pub async fn set_ticket_customer(
        &self,
        ticket_id: Id,
        customer_id: Id,
    ) -> Result<Ticket, ApiError> {
        let body = serde_json::json!({ "customer_id": customer_id });
        let w: TicketEnvelope = self
            .request(
                Method::PUT,
                &format!("/tickets/{ticket_id}"),
                &[],
                Some(&body),
            )
            .await?;
        Ok(w.ticket)
    }

    /// Points a ticket at another contact of its customer (used by the contact merge).
    pub async fn set_ticket_contact(
        &self,
        ticket_id: Id,
        contact_id: Id,
    ) -> Result<Ticket, ApiError> {
        let body = serde_json::json!({ "contact_id": contact_id });
        let w: TicketEnvelope = self
            .request(
                Method::PUT,
                &format!("/tickets/{ticket_id}"),
                &[],
                Some(&body),
            )
            .await?;
        Ok(w.ticket)
    }

    /// Points an asset at another contact of its customer (used by the contact merge).
    pub async fn set_asset_contact(&self, asset_id: Id, contact_id: Id) -> Result<Asset, ApiError> {
        let body = serde_json::json!({ "contact_id": contact_id });
        let v: Value = self
            .request(
                Method::PUT,
                &format!("/customer_assets/{asset_id}"),
                &[],
                Some(&body),
            )
            .await?;
        let inner = v.get("asset").cloned().unwrap_or(v);
        Ok(serde_json::from_value(inner).unwrap_or_default())
    }

    /// Moves an asset to another customer (used by merge).
    pub async fn set_asset_customer(
        &self,
        asset_id: Id,
        customer_id: Id,
    ) -> Result<Asset, ApiError> {
        let body = serde_json::json!({ "customer_id": customer_id });
        let v: Value = self
            .request(
                Method::PUT,
                &format!("/customer_assets/{asset_id}"),
                &[],
                Some(&body),
            )
            .await?;
        // The answer may be wrapped (`{"asset":{..}}`) or flat.
        let inner = v.get("asset").cloned().unwrap_or(v);
        Ok(serde_json::from_value(inner).unwrap_or_default())
    }
}

/// Most pages any list is walked to: a server that keeps answering full pages (or claims
/// absurd totals) cannot keep a client busy forever.
pub const MAX_PAGES: u32 = 100_000;

/// Walks every page of a list, driven by `meta` (never by an assumed page size): it stops at
/// `meta.total_pages` (itself capped by what `total_entries` allows, see
/// [`super::model::Meta::capped`]), at an empty page, after the first page when there is no
/// `meta`, or at [`MAX_PAGES`]. The page number asked for, not the one echoed back, is compared
/// with `total_pages`, so a server that ignores `page` cannot make it loop forever.
pub async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, ApiError>>,
{
    let read = all_pages_read(|p| {
        let f = fetch(p);
        async move {
            f.await.map(|page| PageRead {
                page,
                skipped: Vec::new(),
            })
        }
    })
    .await?;
    Ok(read.0)
}

/// [`all_pages`] over pages read with their unreadable records: every record, and every
/// record that could not be read.
pub async fn all_pages_read<T, F, Fut>(mut fetch: F) -> Result<(Vec<T>, Vec<Skipped>), ApiError>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<PageRead<T>, ApiError>>,
{
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut page = 1u32;
    loop {
        let PageRead {
            page: p,
            skipped: s,
        } = fetch(page).await?;
        let total = p.meta.total_pages.unwrap_or(0);
        let empty = p.items.is_empty() && s.is_empty();
        if let (1, Some(n)) = (page, p.meta.total_entries) {
            out.reserve(usize::try_from(n.min(1_000_000)).unwrap_or(0));
        }
        out.extend(p.items);
        skipped.extend(s);
        if empty || u64::from(page) >= total || page >= MAX_PAGES {
            return Ok((out, skipped));
        }
        page += 1;
    }
}

/// `fields` with a top-level `title` moved into `properties.title` (merged with any other
/// properties sent), where Syncro stores a contact's title.
pub fn title_into_properties(fields: &Patch) -> Patch {
    let mut body = fields.clone();
    if let Some(title) = body.remove("title") {
        let props = body
            .entry("properties")
            .or_insert_with(|| Value::Object(Patch::new()));
        if !props.is_object() {
            *props = Value::Object(Patch::new());
        }
        if let Value::Object(m) = props {
            m.insert("title".into(), title);
        }
    }
    body
}

/// The customer of a `{"customer": {..}}` answer: one with an id (the one asked for, when
/// `expected`), else [`ApiError::UnexpectedAnswer`].
fn the_customer(
    answer: &Answer,
    w: CustomerEnvelope,
    expected: Option<Id>,
) -> Result<Customer, ApiError> {
    let unexpected = |detail: String| ApiError::UnexpectedAnswer {
        status: answer.status,
        detail,
    };
    let Some(c) = w.customer else {
        return Err(unexpected(format!(
            "no customer record in it: \"{}\"",
            excerpt(&answer.body[..answer.body.len().min(200)])
        )));
    };
    check_id("customer", c.id, expected).map_err(unexpected)?;
    Ok(c)
}

/// The contact of a flat contact answer, checked like [`the_customer`].
fn the_contact(answer: &Answer, c: Contact, expected: Option<Id>) -> Result<Contact, ApiError> {
    check_id("contact", c.id, expected).map_err(|detail| ApiError::UnexpectedAnswer {
        status: answer.status,
        detail: if c.id == 0 {
            format!(
                "{detail}: \"{}\"",
                excerpt(&answer.body[..answer.body.len().min(200)])
            )
        } else {
            detail
        },
    })?;
    Ok(c)
}

fn check_id(kind: &str, id: Id, expected: Option<Id>) -> Result<(), String> {
    match expected {
        _ if id == 0 => Err(format!("no {kind} id in it")),
        Some(e) if e != id => Err(format!("it holds {kind} {id}, not {kind} {e}")),
        _ => Ok(()),
    }
}

#[derive(serde::Deserialize)]
struct CustomerEnvelope {
    #[serde(default)]
    customer: Option<Customer>,
}

#[derive(serde::Deserialize)]
struct TicketEnvelope {
    ticket: Ticket,
}

/// Reads an answer's body chunk by chunk, never more than `cap` bytes: a `Content-Length`
/// over the cap fails at once, a body that grows past it stops there. A 2xx body over the cap
/// is [`ApiError::TooLarge`]; an error body is cut at the cap (its start says enough).
async fn read_body(
    mut resp: reqwest::Response,
    cap: u64,
    fail_over_cap: bool,
    cfg: &ClientConfig,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || ApiError::TooLarge { limit: cap };
    if fail_over_cap && resp.content_length().is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let initial = resp.content_length().unwrap_or(0).min(cap).min(1024 * 1024);
    let mut body = Vec::with_capacity(usize::try_from(initial).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e, cfg))? {
        let room = usize::try_from(cap.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
        if chunk.len() > room {
            if fail_over_cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decodes a 2xx body; anything else than the JSON expected becomes [`ApiError::NotJson`].
fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, ApiError> {
    super::model::from_slice_lenient(&answer.body).map_err(|_| ApiError::NotJson {
        status: answer.status,
        content_type: excerpt(answer.content_type.as_bytes()),
        excerpt: excerpt(&answer.body),
    })
}

/// `body` with every occurrence of `secret` as a token (not inside a longer word of letters,
/// digits, `-` or `_`) replaced by `[redacted]`.
fn redact<'a>(body: &'a [u8], secret: &str) -> std::borrow::Cow<'a, [u8]> {
    crate::logging::redact_token_bytes(body, secret.as_bytes())
}

fn transport_error(e: &reqwest::Error, cfg: &ClientConfig) -> ApiError {
    if e.is_timeout() {
        return ApiError::Timeout {
            after: cfg.total_timeout,
        };
    }
    // The innermost cause says what happened ("Connection refused"); reqwest's own text repeats
    // the whole URL, query included.
    let mut cause = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let host = reqwest::Url::parse(&cfg.base_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                format!(
                    "{h}{}",
                    u.port().map(|p| format!(":{p}")).unwrap_or_default()
                )
            })
        })
        .unwrap_or_else(|| cfg.base_url.clone());
    ApiError::Connect {
        message: format!("{host}: {}", excerpt(cause.as_bytes())),
    }
}

/// A short, printable excerpt of a body, for error messages: the `<title>` or the text of an
/// HTML page, control, bidi and zero-width characters removed, whitespace squeezed, at most 120
/// characters.
pub fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 120;
    // Only the start matters; a huge body must not cost a huge scan.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let text = html_text(&text).unwrap_or_else(|| text.into_owned());
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars().filter(|c| !is_invisible(*c)) {
        if c.is_whitespace() || c.is_control() {
            pending_space = count > 0;
            continue;
        }
        if count + usize::from(pending_space) >= MAX {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Bidi controls and zero-width characters: they could reorder or hide text in a message.
fn is_invisible(c: char) -> bool {
    crate::sanitize::is_invisible(c)
}

/// For an HTML page: its `<title>` (and first heading) or, failing that, its text without tags.
fn html_text(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let t = lower.trim_start();
    if !(t.starts_with("<!doctype html") || t.starts_with("<html") || lower.contains("<body")) {
        return None;
    }
    // `lower` has the same byte offsets as `text` (ASCII lowercasing keeps lengths).
    let inner = |tag: &str| -> Option<&str> {
        let open = lower.find(&format!("<{tag}"))?;
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find(&format!("</{tag}"))?;
        Some(&text[start..end])
    };
    let title = inner("title").map(str::trim).filter(|t| !t.is_empty());
    let h1 = inner("h1").map(strip_tags).filter(|t| !t.trim().is_empty());
    Some(match (title, h1) {
        (Some(t), Some(h)) if !h.contains(t) && !t.contains(h.trim()) => format!("{t}: {h}"),
        (Some(t), _) => t.to_string(),
        (None, Some(h)) => h,
        (None, None) => strip_tags(text),
    })
}

/// Text without `<...>` tags, `<script>`/`<style>` content included as text (rare in error pages).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(4096));
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn status_error(
    status: u16,
    content_type: &str,
    body: &[u8],
    path: &str,
    retry_after: Option<Duration>,
) -> ApiError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    // The server's own words: `error` or `message` (a string, or the first of a list).
    let server_text = || -> Option<String> {
        let v = json.as_ref()?;
        ["error", "message", "errors"]
            .iter()
            .find_map(|k| match v.get(k)? {
                Value::String(s) if !s.trim().is_empty() => Some(excerpt(s.as_bytes())),
                Value::Array(a) => a
                    .iter()
                    .find_map(|m| m.as_str())
                    .map(|s| excerpt(s.as_bytes())),
                _ => None,
            })
    };
    let not_json = || ApiError::NotJson {
        status,
        content_type: excerpt(content_type.as_bytes()),
        excerpt: excerpt(body),
    };
    match status {
        400 => ApiError::BadRequest {
            message: server_text().unwrap_or_else(|| excerpt(body)),
        },
        401 | 403 => ApiError::Unauthorized {
            message: server_text().unwrap_or_else(|| excerpt(body)),
        },
        // A 404 page that is not JSON comes from something else than the API (a wrong address).
        404 if json.is_none() && !body.is_empty() => not_json(),
        404 => ApiError::NotFound {
            what: path.trim_start_matches('/').to_string(),
        },
        422 if json.is_none() => not_json(),
        422 => ApiError::Validation {
            errors: json.as_ref().map(validation_errors).unwrap_or_default(),
        },
        429 => ApiError::RateLimited { retry_after },
        500..=599 => ApiError::Server {
            status,
            message: server_text().unwrap_or_else(|| excerpt(body)),
        },
        _ if json.is_none() => not_json(),
        _ => ApiError::Http {
            status,
            message: server_text().unwrap_or_else(|| excerpt(body)),
        },
    }
}

/// Both 422 shapes: customers send `message: [..]`, contacts `errors: "A,B"`.
pub fn validation_errors(v: &Value) -> Vec<super::error::FieldError> {
    let mut msgs: Vec<String> = Vec::new();
    match v.get("message") {
        Some(Value::Array(a)) => {
            msgs.extend(a.iter().filter_map(|m| m.as_str().map(str::to_string)))
        }
        Some(Value::String(s)) => msgs.push(s.clone()),
        _ => {}
    }
    match v.get("errors") {
        Some(Value::String(s)) => msgs.extend(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        ),
        Some(Value::Array(a)) => {
            msgs.extend(a.iter().filter_map(|m| m.as_str().map(str::to_string)))
        }
        Some(Value::Object(o)) => {
            for (k, v) in o {
                let list: Vec<String> = match v {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect(),
                    Value::String(s) => vec![s.clone()],
                    _ => vec![],
                };
                for m in list {
                    msgs.push(format!("{} {m}", humanize(k)));
                }
            }
        }
        _ => {}
    }
    msgs.into_iter()
        .map(|message| super::error::FieldError {
            field: field_of(&message),
            message,
        })
        .collect()
}

fn humanize(field: &str) -> String {
    let s = field.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// Rails messages start with the humanized attribute name: "Email is not an email" -> `email`.
fn field_of(message: &str) -> Option<String> {
    const FIELDS: &[(&str, &str)] = &[
        ("Business name", "business_name"),
        ("Firstname", "firstname"),
        ("First name", "firstname"),
        ("Lastname", "lastname"),
        ("Last name", "lastname"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Mobile", "mobile"),
        ("Address 2", "address_2"),
        ("Address1", "address1"),
        ("Address2", "address2"),
        ("Address", "address"),
        ("City", "city"),
        ("State", "state"),
        ("Zip", "zip"),
        ("Name", "name"),
        ("Notes", "notes"),
        ("Customer", "customer_id"),
        ("Referred by", "referred_by"),
        ("Tax rate", "tax_rate_id"),
    ];
    FIELDS
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix) && message[prefix.len()..].starts_with(' '))
        .map(|(_, f)| f.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn random_bodies_never_panic_and_give_printable_messages() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        for round in 0..3000 {
            let len = rng.random_range(0..400);
            let mut body: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            if round % 4 == 0 {
                // Mostly text with tags, multi-byte characters and controls mixed in.
                let pieces = [
                    "<html>",
                    "<title>",
                    "</title>",
                    "<h1>",
                    "é",
                    "\u{202e}",
                    "\u{1b}[2J",
                    "{\"error\":",
                    "\"",
                    "]",
                    " ",
                    "日本",
                ];
                body = (0..rng.random_range(0..40))
                    .flat_map(|_| pieces[rng.random_range(0..pieces.len())].bytes())
                    .collect();
            }
            let status = rng.random_range(100..600);
            let err = status_error(
                status,
                "text/html; charset=utf-8",
                &body,
                "/customers",
                None,
            );
            let text = err.to_string();
            assert!(
                !text.chars().any(|c| c.is_control() || is_invisible(c)),
                "{text:?}"
            );
            let e = excerpt(&body);
            assert!(e.chars().count() <= 121);
            let answer = Answer {
                status: 200,
                content_type: String::new(),
                body,
            };
            let _ = decode::<Page<Customer>>(&answer);
            let _ = decode::<CustomerEnvelope>(&answer);
        }
    }

    #[test]
    fn excerpt_prefers_the_title_of_an_html_page_and_squeezes_text() {
        let html = b"<!doctype html><html><head><title> 503 Service Unavailable </title></head><body><h1>Down for maintenance</h1></body></html>";
        assert_eq!(
            excerpt(html),
            "503 Service Unavailable: Down for maintenance"
        );
        assert_eq!(excerpt(b"  plain\r\n\ttext\x07  "), "plain text");
        let long = "x".repeat(500);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), 121);
        assert_eq!(excerpt("a\u{202e}b\u{200b}c".as_bytes()), "abc");
    }

    #[test]
    fn an_echoed_key_is_redacted_before_it_reaches_a_message() {
        let body = br#"{"error":"Invalid token sekrit-123 (sekrit-123)"}"#;
        let clean = redact(body, "sekrit-123");
        let err = status_error(401, "application/json", &clean, "/customers", None);
        let text = err.to_string();
        assert!(!text.contains("sekrit-123"), "{text}");
        assert!(
            text.contains("Invalid token [redacted] ([redacted])"),
            "{text}"
        );
        assert_eq!(&*redact(b"abc", ""), b"abc");
        assert_eq!(&*redact(b"ab", "abc"), b"ab");
    }

    #[test]
    fn query_pairs_skip_empty_filters_and_clamp_the_page() {
        let q = CustomerQuery {
            query: Some(String::new()),
            page: 0,
            ..Default::default()
        };
        assert_eq!(q.to_pairs(), vec![("page".to_string(), "1".to_string())]);
    }
}
