//! The Syncro REST client: typed operations over one shared HTTP connection pool.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::ApiError;
use super::model::{Asset, Contact, Customer, Id, Invoice, Page, Patch, Ticket};

/// How to reach a Syncro (or Syncro-compatible) server.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL including `/api/v1`, without a trailing slash.
    pub base_url: String,
    pub api_key: SecretString,
    /// Requests allowed in any 60 s window; 0 turns the client-side limiter off.
    pub requests_per_minute: u32,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
    /// Attempts for idempotent requests (GET, PUT, DELETE), the first included.
    pub max_attempts: u32,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .field("requests_per_minute", &self.requests_per_minute)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: SecretString) -> Self {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key,
            requests_per_minute: 180,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(60),
            max_attempts: 4,
        }
    }

    /// `https://SUBDOMAIN.syncromsp.com/api/v1`
    pub fn for_subdomain(subdomain: &str, api_key: SecretString) -> Self {
        Self::new(format!("https://{subdomain}.syncromsp.com/api/v1"), api_key)
    }
}

/// Filters of `GET /customers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    pub query: Option<String>,
    pub email: Option<String>,
    pub business_name: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub ids: Vec<Id>,
    pub not_ids: Vec<Id>,
    pub include_disabled: bool,
    /// `"business_name ASC"`, `"updated_at DESC"`, ...
    pub sort: Option<String>,
    /// 1-based.
    pub page: u32,
}

impl CustomerQuery {
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        let mut opt = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.push((k.to_string(), v.to_string()));
            }
        };
        opt("query", &self.query);
        opt("email", &self.email);
        opt("business_name", &self.business_name);
        opt("firstname", &self.firstname);
        opt("lastname", &self.lastname);
        opt("sort", &self.sort);
        for id in &self.ids {
            q.push(("id[]".into(), id.to_string()));
        }
        for id in &self.not_ids {
            q.push(("not_id[]".into(), id.to_string()));
        }
        if self.include_disabled {
            q.push(("include_disabled".into(), "true".into()));
        }
        q.push(("page".into(), self.page.max(1).to_string()));
        q
    }
}

/// The Syncro client. Cheap to clone: clones share the connection pool and the rate limiter.
#[derive(Clone)]
pub struct SyncroClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
}

impl std::fmt::Debug for SyncroClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncroClient")
            .field("config", &self.inner.config)
            .finish()
    }
}

impl SyncroClient {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .user_agent(concat!("syncro-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Config(e.to_string()))?;
        Ok(SyncroClient {
            inner: Arc::new(Inner { http, config }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<T, ApiError> {
        let url = format!("{}{}", self.inner.config.base_url, path);
        let mut req = self
            .inner
            .http
            .request(method, &url)
            .bearer_auth(self.inner.config.api_key.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| transport_error(&e, &self.inner.config))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transport_error(&e, &self.inner.config))?;
        if (200..300).contains(&status) {
            serde_json::from_slice(&bytes).map_err(|_| ApiError::NotJson {
                status,
                content_type,
                excerpt: excerpt(&bytes),
            })
        } else {
            Err(status_error(status, &content_type, &bytes, path))
        }
    }

    pub async fn list_customers(&self, q: &CustomerQuery) -> Result<Page<Customer>, ApiError> {
        self.request(Method::GET, "/customers", &q.to_pairs(), None)
            .await
    }

    pub async fn get_customer(&self, id: Id) -> Result<Customer, ApiError> {
        let w: CustomerEnvelope = self
            .request(Method::GET, &format!("/customers/{id}"), &[], None)
            .await?;
        Ok(w.customer)
    }

    pub async fn create_customer(&self, fields: &Patch) -> Result<Customer, ApiError> {
        let body = Value::Object(fields.clone());
        let w: CustomerEnvelope = self
            .request(Method::POST, "/customers", &[], Some(&body))
            .await?;
        Ok(w.customer)
    }

    /// Sends only the given fields; the rest of the record is left as it is on the server.
    pub async fn update_customer(&self, id: Id, patch: &Patch) -> Result<Customer, ApiError> {
        let body = Value::Object(patch.clone());
        let w: CustomerEnvelope = self
            .request(Method::PUT, &format!("/customers/{id}"), &[], Some(&body))
            .await?;
        Ok(w.customer)
    }

    pub async fn delete_customer(&self, id: Id) -> Result<(), ApiError> {
        let _: Value = self
            .request(Method::DELETE, &format!("/customers/{id}"), &[], None)
            .await?;
        Ok(())
    }

    /// Contacts of one customer, or of the whole account when `customer_id` is `None`.
    pub async fn list_contacts(
        &self,
        customer_id: Option<Id>,
        page: u32,
    ) -> Result<Page<Contact>, ApiError> {
        let mut q = Vec::new();
        if let Some(id) = customer_id {
            q.push(("customer_id".to_string(), id.to_string()));
        }
        q.push(("page".to_string(), page.max(1).to_string()));
        self.request(Method::GET, "/contacts", &q, None).await
    }

    pub async fn get_contact(&self, id: Id) -> Result<Contact, ApiError> {
        self.request(Method::GET, &format!("/contacts/{id}"), &[], None)
            .await
    }

    /// `fields` may hold `title`: Syncro stores it as `properties.title`.
    pub async fn create_contact(
        &self,
        customer_id: Id,
        fields: &Patch,
    ) -> Result<Contact, ApiError> {
        let mut body = fields.clone();
        body.insert("customer_id".into(), Value::from(customer_id));
        self.request(Method::POST, "/contacts", &[], Some(&Value::Object(body)))
            .await
    }

    pub async fn update_contact(&self, id: Id, patch: &Patch) -> Result<Contact, ApiError> {
        let body = Value::Object(patch.clone());
        self.request(Method::PUT, &format!("/contacts/{id}"), &[], Some(&body))
            .await
    }

    pub async fn delete_contact(&self, id: Id) -> Result<(), ApiError> {
        let _: Value = self
            .request(Method::DELETE, &format!("/contacts/{id}"), &[], None)
            .await?;
        Ok(())
    }

    pub async fn list_tickets(&self, customer_id: Id, page: u32) -> Result<Page<Ticket>, ApiError> {
        let q = vec![
            ("customer_id".to_string(), customer_id.to_string()),
            ("page".to_string(), page.max(1).to_string()),
        ];
        self.request(Method::GET, "/tickets", &q, None).await
    }

    pub async fn list_assets(&self, customer_id: Id, page: u32) -> Result<Page<Asset>, ApiError> {
        let q = vec![
            ("customer_id".to_string(), customer_id.to_string()),
            ("page".to_string(), page.max(1).to_string()),
        ];
        self.request(Method::GET, "/customer_assets", &q, None)
            .await
    }

    /// One page of the account's invoices. The API cannot filter them by customer.
    pub async fn list_invoices(&self, page: u32) -> Result<Page<Invoice>, ApiError> {
        let q = vec![("page".to_string(), page.max(1).to_string())];
        self.request(Method::GET, "/invoices", &q, None).await
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

/// Walks every page of a list, driven by `meta` (never by an assumed page size).
pub async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, ApiError>>,
{
    let mut out = Vec::new();
    let mut page = 1u32;
    loop {
        let p = fetch(page).await?;
        let empty = p.items.is_empty();
        let more = p.has_next();
        out.extend(p.items);
        if !more || empty {
            return Ok(out);
        }
        page += 1;
    }
}

#[derive(serde::Deserialize)]
struct CustomerEnvelope {
    customer: Customer,
}

#[derive(serde::Deserialize)]
struct TicketEnvelope {
    ticket: Ticket,
}

fn transport_error(e: &reqwest::Error, cfg: &ClientConfig) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout {
            after: cfg.total_timeout,
        }
    } else {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            msg = format!("{msg}: {s}");
            src = s.source();
        }
        ApiError::Connect { message: msg }
    }
}

/// A short, printable excerpt of a body, for error messages.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let squeezed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = squeezed.chars().take(120).collect();
    if squeezed.chars().count() > 120 {
        out.push('…');
    }
    out
}

fn status_error(status: u16, content_type: &str, body: &[u8], path: &str) -> ApiError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let text_of = |v: &Value, k: &str| v.get(k).and_then(|m| m.as_str()).map(str::to_string);
    match status {
        400 => ApiError::BadRequest {
            message: json
                .as_ref()
                .and_then(|v| text_of(v, "error").or_else(|| text_of(v, "message")))
                .unwrap_or_else(|| excerpt(body)),
        },
        401 | 403 => ApiError::Unauthorized {
            message: json
                .as_ref()
                .and_then(|v| text_of(v, "error").or_else(|| text_of(v, "message")))
                .unwrap_or_else(|| excerpt(body)),
        },
        404 => ApiError::NotFound {
            what: path.trim_start_matches('/').to_string(),
        },
        422 => ApiError::Validation {
            errors: json.as_ref().map(validation_errors).unwrap_or_default(),
        },
        429 => ApiError::RateLimited { retry_after: None },
        500..=599 => ApiError::Server {
            status,
            message: json
                .as_ref()
                .and_then(|v| text_of(v, "error").or_else(|| text_of(v, "message")))
                .unwrap_or_else(|| excerpt(body)),
        },
        _ if json.is_none() => ApiError::NotJson {
            status,
            content_type: content_type.to_string(),
            excerpt: excerpt(body),
        },
        _ => ApiError::Http {
            status,
            message: excerpt(body),
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
