//! HTTP routes of the demo server: the Syncro endpoints this project uses, behind a gate that
//! counts requests, adds latency, injects faults, enforces the rate limit and checks the key.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use memchr::memmem::Finder;
use serde_json::{Map, Value, json};

use super::limit::retry_after_secs;
use super::store::{
    AssetRec, ContactRec, CustomerRec, Data, DemoStore, Field, Props, bump, digits, now_millis,
};
use super::{FaultBody, Shared, wire};

/// Base path of every endpoint.
pub const BASE_PATH: &str = "/api/v1";

const CUSTOMERS_PER_PAGE: usize = 100;
const CONTACTS_PER_PAGE: usize = 50;
const TICKETS_PER_PAGE: usize = 50;
const ASSETS_PER_PAGE: usize = 50;
const INVOICES_PER_PAGE: usize = 25;
/// The spec's `/contracts` page size ("each 'page' contains 50 results", and its example meta).
const CONTRACTS_PER_PAGE: usize = 50;
const AUTOCOMPLETE_LIMIT: usize = 25;

/// What every handler sees.
#[derive(Clone)]
pub struct AppState {
    pub store: DemoStore,
    pub shared: Arc<Shared>,
}

/// The router, with the gate in front of every route (the fallback included).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/autocomplete", get(autocomplete))
        .route("/customers/latest", get(latest_customer))
        .route(
            "/customers/{id}",
            get(show_customer)
                .put(update_customer)
                .delete(delete_customer),
        )
        .route("/contacts", get(list_contacts).post(create_contact))
        .route(
            "/contacts/{id}",
            get(show_contact).put(update_contact).delete(delete_contact),
        )
        .route("/tickets", get(list_tickets))
        .route("/tickets/{id}", get(show_ticket).put(update_ticket))
        .route("/customer_assets", get(list_assets).post(create_asset))
        .route("/customer_assets/{id}", get(show_asset).put(update_asset))
        .route("/invoices", get(list_invoices))
        .route("/invoices/{id}", get(show_invoice))
        .route("/contracts", get(list_contracts));
    Router::new()
        .nest(BASE_PATH, api)
        .fallback(not_found_route)
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state)
}

// ---------------------------------------------------------------------------------------------
// Responses

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, body)
}

fn not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, json!({"message": "Not found"}))
}

async fn not_found_route() -> Response {
    not_found()
}

fn customer_422(messages: Vec<String>, params: Option<&Map<String, Value>>) -> Response {
    let mut body = json!({"success": false, "message": messages});
    if let Some(p) = params {
        // Rails echoes the submitted params as strings.
        let echoed: Map<String, Value> = p
            .iter()
            .filter(|(k, _)| k.as_str() != "api_key")
            .map(|(k, v)| {
                let v = match v {
                    Value::String(_) | Value::Object(_) | Value::Array(_) => v.clone(),
                    Value::Null => Value::String(String::new()),
                    other => Value::String(other.to_string()),
                };
                (k.clone(), v)
            })
            .collect();
        body["params"] = Value::Object(echoed);
    }
    json_response(StatusCode::UNPROCESSABLE_ENTITY, body)
}

fn bad_json() -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({"error": "The request body is not a JSON object"}),
    )
}

// ---------------------------------------------------------------------------------------------
// The gate: statistics, latency, faults, rate limit, authentication

async fn gate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let shared = &st.shared;
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    shared.count_request(&method, &path);

    let latency = shared.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let response = if let Some(fault) = shared.take_fault(&method, &path) {
        if !fault.delay.is_zero() {
            tokio::time::sleep(fault.delay).await;
        }
        fault_response(fault.status, fault.body, fault.retry_after)
    } else {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(Ipv4Addr::LOCALHOST.into());
        match shared.check_rate(ip) {
            Err(wait) => {
                let mut r = (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "Retry later\n",
                )
                    .into_response();
                if shared.retry_after() {
                    r.headers_mut().insert(
                        header::RETRY_AFTER,
                        HeaderValue::from(retry_after_secs(wait)),
                    );
                }
                r
            }
            Ok(()) => match authenticate(shared, &req) {
                Err(message) => json_response(StatusCode::UNAUTHORIZED, json!({"error": message})),
                Ok(()) => next.run(req).await,
            },
        }
    };
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        shared.count_rate_limited();
    }
    response
}

fn fault_response(status: StatusCode, body: FaultBody, retry_after: Option<u64>) -> Response {
    let (content_type, body) = match body {
        FaultBody::Json(v) => ("application/json", Body::from(v.to_string())),
        FaultBody::Html(s) => ("text/html; charset=utf-8", Body::from(s)),
        FaultBody::Text(s) => ("text/plain; charset=utf-8", Body::from(s)),
        FaultBody::Empty => ("text/plain; charset=utf-8", Body::empty()),
        FaultBody::Disconnect => {
            let broken = futures::stream::once(async {
                Err::<Bytes, _>(std::io::Error::other("injected disconnect"))
            });
            ("application/json", Body::from_stream(broken))
        }
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(secs) = retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    r
}

/// Accepts `Authorization: Bearer KEY`, `bearer KEY`, the raw key, or `?api_key=KEY`.
fn authenticate(shared: &Shared, req: &Request) -> Result<(), &'static str> {
    let from_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let v = v.trim();
            match v.split_once(' ') {
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
                _ => v,
            }
            .to_string()
        });
    let from_query = || {
        req.uri().query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "api_key")
                .map(|(_, v)| v.into_owned())
        })
    };
    match from_header.filter(|k| !k.is_empty()).or_else(from_query) {
        None => Err("Failed to authenticate account: no API token given"),
        Some(key) if key == shared.api_key => Ok(()),
        Some(_) => Err("Failed to authenticate account"),
    }
}

// ---------------------------------------------------------------------------------------------
// Request helpers

/// Query parameters in order, repeated keys kept (Rails array form `id[]=1&id[]=2`).
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: Option<String>) -> Params {
        Params(
            raw.map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A non-empty value.
    fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|v| !v.is_empty())
    }

    fn id(&self, key: &str) -> Option<u64> {
        self.text(key).and_then(|v| v.parse().ok())
    }

    /// Every id given as `key[]=..` or `key=..` (comma-separated lists accepted too).
    fn ids(&self, key: &str) -> Option<HashSet<u64>> {
        let bracket = format!("{key}[]");
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| *k == bracket || k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            return None;
        }
        Some(
            values
                .iter()
                .flat_map(|v| v.split(','))
                .filter_map(|v| v.trim().parse().ok())
                .collect(),
        )
    }

    fn page(&self) -> usize {
        self.get("page")
            .and_then(|p| p.trim().parse::<i64>().ok())
            .map(|p| p.max(1) as usize)
            .unwrap_or(1)
    }
}

/// `meta` and the index range of one page.
fn paginate(total: usize, page: usize, per_page: usize) -> (Value, std::ops::Range<usize>) {
    let total_pages = total.div_ceil(per_page).max(1);
    let start = page.saturating_sub(1).saturating_mul(per_page).min(total);
    let end = (start + per_page).min(total);
    (
        json!({
            "total_pages": total_pages,
            "total_entries": total,
            "per_page": per_page,
            "page": page,
        }),
        start..end,
    )
}

fn parse_id(raw: &str) -> Option<u64> {
    raw.trim().parse().ok()
}

/// A JSON object body; Rails-style wrapped bodies (`{"customer": {..}}`) are unwrapped.
fn body_object(body: &Bytes, wrapper: &str) -> Result<Map<String, Value>, Box<Response>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            if let Some(Value::Object(inner)) = map.remove(wrapper) {
                let mut merged = inner;
                for (k, v) in map {
                    merged.entry(k).or_insert(v);
                }
                Ok(merged)
            } else {
                Ok(map)
            }
        }
        _ => Err(Box::new(bad_json())),
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn as_id(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.trim(), "true" | "1" | "yes" | "on"),
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        _ => false,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Merge a `properties` object into the existing map (`null` removes a key).
fn merge_properties(target: &mut Props, v: &Value) {
    if let Value::Object(patch) = v {
        for (k, v) in patch {
            if v.is_null() {
                target.remove(k);
            } else {
                target.insert(k.clone().into(), v.clone());
            }
        }
    }
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// Loose e-mail check in the spirit of Syncro's: `local@domain.tld`, no spaces.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

// ---------------------------------------------------------------------------------------------
// Customers

/// A compiled substring search (the needle's tables are built once per request).
fn finder(needle: &str) -> Finder<'static> {
    Finder::new(needle.as_bytes()).into_owned()
}

fn found(f: &Option<Finder<'static>>, haystack: &str) -> bool {
    f.as_ref()
        .is_none_or(|f| f.find(haystack.as_bytes()).is_some())
}

struct CustomerFilter {
    include_disabled: bool,
    query: Option<Finder<'static>>,
    /// Digits of the query, when it has at least three: matched against phone digits.
    query_digits: Option<Finder<'static>>,
    email: Option<String>,
    business_name: Option<Finder<'static>>,
    firstname: Option<Finder<'static>>,
    lastname: Option<Finder<'static>>,
    ids: Option<HashSet<u64>>,
    not_ids: Option<HashSet<u64>>,
}

impl CustomerFilter {
    fn from_params(p: &Params) -> CustomerFilter {
        let lower = |k: &str| p.text(k).map(str::to_lowercase);
        let query = lower("query");
        let query_digits = query
            .as_deref()
            .map(digits)
            .filter(|d| d.len() >= 3)
            .map(|d| finder(&d));
        CustomerFilter {
            include_disabled: p
                .get("include_disabled")
                .is_some_and(|v| matches!(v.trim(), "true" | "1")),
            query: query.as_deref().map(finder),
            query_digits,
            email: lower("email"),
            business_name: lower("business_name").as_deref().map(finder),
            firstname: lower("firstname").as_deref().map(finder),
            lastname: lower("lastname").as_deref().map(finder),
            ids: p.ids("id"),
            not_ids: p.ids("not_id"),
        }
    }

    fn matches(&self, c: &CustomerRec) -> bool {
        let k = &c.key;
        if (c.disabled && !self.include_disabled)
            || self.ids.as_ref().is_some_and(|ids| !ids.contains(&c.id))
            || self.not_ids.as_ref().is_some_and(|ids| ids.contains(&c.id))
            || self
                .email
                .as_ref()
                .is_some_and(|e| k.get(Field::Email) != e)
            || !found(&self.business_name, k.get(Field::Business))
            || !found(&self.firstname, k.get(Field::First))
            || !found(&self.lastname, k.get(Field::Last))
        {
            return false;
        }
        if self.query.is_none() {
            return true;
        }
        let phone = |p: &Option<String>| p.as_deref().is_some_and(|p| found(&self.query_digits, p));
        found(&self.query, k.names_and_email())
            || (self.query_digits.is_some() && (phone(&c.phone) || phone(&c.mobile)))
    }
}

/// What a customer list can be sorted by.
#[derive(Clone, Copy)]
enum SortBy {
    Text(Field),
    BusinessThenName,
    CreatedAt,
    UpdatedAt,
    Id,
}

impl SortBy {
    fn parse(field: &str) -> Option<SortBy> {
        Some(match field {
            "business_name" => SortBy::Text(Field::Business),
            "business_then_name" | "name" => SortBy::BusinessThenName,
            "firstname" => SortBy::Text(Field::First),
            "lastname" => SortBy::Text(Field::Last),
            "fullname" => SortBy::Text(Field::Full),
            "email" => SortBy::Text(Field::Email),
            "city" => SortBy::Text(Field::City),
            "created_at" => SortBy::CreatedAt,
            "updated_at" => SortBy::UpdatedAt,
            "id" => SortBy::Id,
            _ => return None,
        })
    }

    fn compare(self, a: &CustomerRec, b: &CustomerRec) -> Ordering {
        /// Empty values sort after every other value, like SQL NULLs ascending.
        fn nulls_last(a: &str, b: &str) -> Ordering {
            (a.is_empty(), a).cmp(&(b.is_empty(), b))
        }
        match self {
            SortBy::Text(f) => nulls_last(a.key.get(f), b.key.get(f)),
            SortBy::BusinessThenName => nulls_last(a.key.sort_name(), b.key.sort_name()),
            SortBy::CreatedAt => a.created_at.cmp(&b.created_at),
            SortBy::UpdatedAt => a.updated_at.cmp(&b.updated_at),
            SortBy::Id => a.id.cmp(&b.id),
        }
    }
}

/// Customer ids in the order of `"<field> ASC|DESC"` (empty values last ascending and first
/// descending, like SQL NULLs; ties in id order), cached until the next customer write.
/// `None` for an unknown field: the default (id) order stays.
fn sorted_ids(data: &mut Data, sort: &str) -> Option<Arc<Vec<u64>>> {
    let mut words = sort.split_whitespace();
    let field = words.next()?.to_ascii_lowercase();
    let by = SortBy::parse(&field)?;
    let desc = words.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
    let cache_key = format!("{field} {}", if desc { "desc" } else { "asc" });
    if let Some(ids) = data.sort_cache.get(&cache_key) {
        return Some(ids.clone());
    }
    let mut list: Vec<&CustomerRec> = data.customers.values().collect();
    list.sort_by(|a, b| {
        let o = by.compare(a, b);
        let o = if desc { o.reverse() } else { o };
        o.then(a.id.cmp(&b.id))
    });
    let ids = Arc::new(list.iter().map(|c| c.id).collect::<Vec<u64>>());
    data.sort_cache.insert(cache_key, ids.clone());
    Some(ids)
}

async fn list_customers(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q);
    let filter = CustomerFilter::from_params(&p);
    let mut guard = st.store.lock();
    let order = p.text("sort").and_then(|s| sorted_ids(&mut guard, s));
    let data = &*guard;
    let hits: Vec<&CustomerRec> = match &order {
        Some(ids) => ids
            .iter()
            .filter_map(|id| data.customers.get(id))
            .filter(|c| filter.matches(c))
            .collect(),
        None => data
            .customers
            .values()
            .filter(|c| filter.matches(c))
            .collect(),
    };
    let (meta, range) = paginate(hits.len(), p.page(), CUSTOMERS_PER_PAGE);
    let embed = st.shared.embed_contacts();
    let list: Vec<Value> = hits[range]
        .iter()
        .map(|c| wire::customer(data, c, embed))
        .collect();
    ok(json!({"customers": list, "meta": meta}))
}

async fn autocomplete(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q);
    let filter = CustomerFilter::from_params(&p);
    let data = st.store.lock();
    let list: Vec<Value> = data
        .customers
        .values()
        .filter(|c| filter.matches(c))
        .take(AUTOCOMPLETE_LIMIT)
        .map(|c| wire::customer(&data, c, true))
        .collect();
    ok(json!({"customers": list}))
}

async fn latest_customer(State(st): State<AppState>) -> Response {
    let data = st.store.lock();
    match data.customers.values().next_back() {
        Some(c) => ok(json!({"customer": wire::customer(&data, c, true)})),
        None => not_found(),
    }
}

async fn show_customer(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let data = st.store.lock();
    match parse_id(&id).and_then(|id| data.customers.get(&id)) {
        Some(c) => ok(json!({"customer": wire::customer(&data, c, true)})),
        None => not_found(),
    }
}

/// Apply the writable customer fields of a request body.
fn apply_customer(c: &mut CustomerRec, body: &Map<String, Value>) {
    for (k, v) in body {
        match k.as_str() {
            "business_name" => c.business_name = as_text(v),
            "firstname" => c.firstname = as_text(v),
            "lastname" => c.lastname = as_text(v),
            "email" => c.email = as_text(v),
            "phone" => c.phone = as_text(v).map(|s| digits(&s)).filter(|d| !d.is_empty()),
            "mobile" => c.mobile = as_text(v).map(|s| digits(&s)).filter(|d| !d.is_empty()),
            "address" => c.address = as_text(v),
            "address_2" => c.address_2 = as_text(v),
            "city" => c.city = as_text(v),
            "state" => c.state = as_text(v),
            "zip" => c.zip = as_text(v),
            "notes" => c.notes = as_text(v),
            "referred_by" => c.referred_by = as_text(v),
            "notification_email" => c.notification_email = as_text(v),
            "invoice_cc_emails" => c.invoice_cc_emails = as_text(v),
            "ref_customer_id" => c.ref_customer_id = as_id(v),
            "tax_rate_id" => c.tax_rate_id = as_id(v),
            "invoice_term_id" => c.invoice_term_id = as_id(v),
            "get_sms" => c.get_sms = as_bool(v),
            "opt_out" => c.opt_out = as_bool(v),
            "no_email" => c.no_email = as_bool(v),
            "get_billing" => c.get_billing = as_bool(v),
            "get_marketing" => c.get_marketing = as_bool(v),
            "get_reports" => c.get_reports = as_bool(v),
            "properties" => merge_properties(&mut c.properties, v),
            // `disabled` is not writable through the API; everything else is ignored.
            _ => {}
        }
    }
}

fn validate_customer(c: &CustomerRec) -> Vec<String> {
    let mut errors = Vec::new();
    if blank(&c.business_name) {
        if blank(&c.firstname) {
            errors.push("Firstname can't be blank".to_string());
        }
        if blank(&c.lastname) {
            errors.push("Lastname can't be blank".to_string());
        }
    }
    if c.email
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty() && !valid_email(e))
    {
        errors.push("Email is not an email".to_string());
    }
    errors
}

async fn create_customer(State(st): State<AppState>, body: Bytes) -> Response {
    let body = match body_object(&body, "customer") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut c = CustomerRec::default();
    apply_customer(&mut c, &body);
    let errors = validate_customer(&c);
    if !errors.is_empty() {
        return customer_422(errors, Some(&body));
    }
    let response = {
        let mut data = st.store.lock();
        let now = now_millis();
        c.id = data.next_ids.customer;
        c.created_at = now;
        c.updated_at = now;
        let id = c.id;
        data.insert_customer(c);
        customer_response(&data, id)
    };
    st.store.touch();
    response
}

fn customer_response(data: &Data, id: u64) -> Response {
    match data.customers.get(&id) {
        Some(c) => ok(json!({"customer": wire::customer(data, c, true)})),
        None => not_found(),
    }
}

async fn update_customer(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match body_object(&body, "customer") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let response = {
        let mut data = st.store.lock();
        let Some(existing) = parse_id(&id).and_then(|id| data.customers.get(&id)) else {
            return not_found();
        };
        let mut c = existing.clone();
        apply_customer(&mut c, &body);
        let errors = validate_customer(&c);
        if !errors.is_empty() {
            return customer_422(errors, None);
        }
        c.updated_at = bump(c.updated_at);
        let id = c.id;
        data.insert_customer(c);
        customer_response(&data, id)
    };
    st.store.touch();
    response
}

async fn delete_customer(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let removed = {
        let mut data = st.store.lock();
        parse_id(&id).and_then(|id| data.remove_customer(id))
    };
    match removed {
        Some(_) => {
            st.store.touch();
            ok(json!({"message": "Customer was deleted from the system."}))
        }
        None => not_found(),
    }
}

// ---------------------------------------------------------------------------------------------
// Contacts

async fn list_contacts(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    // Only `customer_id` and `page` are honoured; `email`, `query` and the rest are ignored,
    // as on the real server.
    let p = Params::parse(q);
    let data = st.store.lock();
    let ids: Vec<u64> = match p.id("customer_id") {
        Some(cid) => data.contacts_of.get(&cid).cloned().unwrap_or_default(),
        None => data.contacts.keys().copied().collect(),
    };
    let (meta, range) = paginate(ids.len(), p.page(), CONTACTS_PER_PAGE);
    let list: Vec<Value> = ids[range]
        .iter()
        .filter_map(|id| data.contacts.get(id))
        .map(wire::contact)
        .collect();
    ok(json!({"contacts": list, "meta": meta}))
}

async fn show_contact(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let data = st.store.lock();
    match parse_id(&id).and_then(|id| data.contacts.get(&id)) {
        Some(c) => ok(wire::contact(c)),
        None => not_found(),
    }
}

/// Apply the writable contact fields; `title` goes into `properties.title`. Returns the
/// customer id asked for, if any (checked by the caller).
fn apply_contact(c: &mut ContactRec, body: &Map<String, Value>) -> Option<Option<u64>> {
    let mut customer = None;
    for (k, v) in body {
        match k.as_str() {
            "name" => c.name = as_text(v),
            "address1" => c.address1 = as_text(v),
            "address2" => c.address2 = as_text(v),
            "city" => c.city = as_text(v),
            "state" => c.state = as_text(v),
            "zip" => c.zip = as_text(v),
            "email" => c.email = as_text(v),
            "phone" => c.phone = as_text(v),
            "mobile" => c.mobile = as_text(v),
            "notes" => c.notes = as_text(v),
            "extension" => c.extension = as_text(v),
            "latitude" => c.latitude = as_f64(v),
            "longitude" => c.longitude = as_f64(v),
            "vendor_id" => c.vendor_id = as_id(v),
            "opt_out" => c.opt_out = as_bool(v),
            "customer_id" => customer = Some(as_id(v)),
            _ => {}
        }
    }
    // Properties first, then `title`, so an explicit title wins over `properties.title`.
    if let Some(Value::Object(patch)) = body.get("properties") {
        let mut rest = patch.clone();
        if let Some(t) = rest.remove("title") {
            c.title = as_text(&t);
        }
        merge_properties(&mut c.properties, &Value::Object(rest));
    }
    if let Some(t) = body.get("title") {
        c.title = as_text(t);
    }
    customer
}

/// `customer`: the customer the contact will belong to; `None` for "none" (a vendor contact
/// left as it is by a PUT without `customer_id`; a create and a move need an existing one).
fn validate_contact(data: &Data, c: &ContactRec, customer: Option<u64>) -> Vec<&'static str> {
    let mut errors = Vec::new();
    if blank(&c.name) {
        errors.push("Name can't be blank");
    }
    if c.email
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty() && !valid_email(e))
    {
        errors.push("Email is not an email");
    }
    if !customer.is_some_and(|id| data.customers.contains_key(&id)) {
        errors.push("Customer must exist");
    }
    errors
}

/// Syncro marks `name` required on a contact PUT: a body without it is refused, whatever the
/// record holds (the spec's `PUT /contacts/{id}`).
fn contact_put_errors(body: &Map<String, Value>) -> Vec<&'static str> {
    match body.get("name") {
        Some(v) if as_text(v).is_some_and(|n| !n.trim().is_empty()) => Vec::new(),
        _ => vec!["Name can't be blank"],
    }
}

fn contact_422(c: &ContactRec, saved: bool, errors: &[&str]) -> Response {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"record": wire::contact_record(c, saved), "errors": errors.join(",")}),
    )
}

async fn create_contact(State(st): State<AppState>, body: Bytes) -> Response {
    let body = match body_object(&body, "contact") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let response = {
        let mut data = st.store.lock();
        let mut c = ContactRec::default();
        let customer = apply_contact(&mut c, &body).flatten();
        c.customer_id = customer.unwrap_or(0);
        let errors = validate_contact(&data, &c, customer);
        if !errors.is_empty() {
            return contact_422(&c, false, &errors);
        }
        let now = now_millis();
        c.id = data.next_ids.contact;
        c.created_at = now;
        c.updated_at = now;
        let out = wire::contact(&c);
        data.insert_contact(c);
        ok(out)
    };
    st.store.touch();
    response
}

async fn update_contact(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match body_object(&body, "contact") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let response = {
        let mut data = st.store.lock();
        let Some(existing) = parse_id(&id).and_then(|id| data.contacts.get(&id)) else {
            return not_found();
        };
        let mut c = existing.clone();
        let old_customer = c.customer_id;
        let moved = apply_contact(&mut c, &body);
        let customer = moved.unwrap_or(Some(old_customer));
        c.customer_id = customer.unwrap_or(0);
        let mut errors = contact_put_errors(&body);
        for e in validate_contact(&data, &c, customer) {
            // A vendor contact (no customer) may be edited without being given one.
            let vendor_kept = e == "Customer must exist" && moved.is_none() && old_customer == 0;
            if !errors.contains(&e) && !vendor_kept {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return contact_422(&c, true, &errors);
        }
        c.updated_at = bump(c.updated_at);
        let id = c.id;
        let new_customer = c.customer_id;
        c.customer_id = old_customer;
        data.contacts.insert(id, c);
        data.reassign_contact(id, new_customer);
        match data.contacts.get(&id) {
            Some(c) => ok(wire::contact(c)),
            None => not_found(),
        }
    };
    st.store.touch();
    response
}

async fn delete_contact(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let removed = {
        let mut data = st.store.lock();
        parse_id(&id).and_then(|id| data.remove_contact(id))
    };
    match removed {
        Some(_) => {
            st.store.touch();
            ok(json!({"success": true}))
        }
        None => not_found(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tickets, assets, invoices

async fn list_tickets(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q);
    let data = st.store.lock();
    let status = p.text("status").map(str::to_lowercase);
    let mut list: Vec<_> = match p.id("customer_id") {
        Some(cid) => data
            .tickets_of
            .get(&cid)
            .into_iter()
            .flatten()
            .filter_map(|id| data.tickets.get(id))
            .collect(),
        None => data.tickets.values().collect(),
    };
    if let Some(s) = &status {
        list.retain(|t| t.status.to_lowercase() == *s);
    }
    // Newest first.
    list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let (meta, range) = paginate(list.len(), p.page(), TICKETS_PER_PAGE);
    let out: Vec<Value> = list[range].iter().map(|t| wire::ticket(&data, t)).collect();
    ok(json!({"tickets": out, "meta": meta}))
}

async fn show_ticket(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let data = st.store.lock();
    match parse_id(&id).and_then(|id| data.tickets.get(&id)) {
        Some(t) => ok(json!({"ticket": wire::ticket_detail(&data, t)})),
        None => not_found(),
    }
}

async fn update_ticket(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match body_object(&body, "ticket") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let response = {
        let mut data = st.store.lock();
        let Some(existing) = parse_id(&id).and_then(|id| data.tickets.get(&id)) else {
            return not_found();
        };
        let mut t = existing.clone();
        let mut customer = t.customer_id;
        let mut errors = Vec::new();
        for (k, v) in &body {
            match k.as_str() {
                "subject" => t.subject = as_text(v).unwrap_or_default(),
                "status" => {
                    if let Some(s) = as_text(v) {
                        t.status = s;
                    }
                }
                "problem_type" => t.problem_type = as_text(v),
                "priority" => t.priority = as_text(v),
                "contact_id" => t.contact_id = as_id(v),
                "customer_id" => match as_id(v) {
                    Some(id) if data.customers.contains_key(&id) => customer = id,
                    _ => errors.push("Customer must exist"),
                },
                _ => {}
            }
        }
        if t.subject.trim().is_empty() {
            errors.push("Subject can't be blank");
        }
        if !errors.is_empty() {
            return customer_422(errors.into_iter().map(String::from).collect(), None);
        }
        if t.status == "Resolved" && t.resolved_at.is_none() {
            t.resolved_at = Some(now_millis());
        }
        t.updated_at = bump(t.updated_at);
        let id = t.id;
        data.tickets.insert(id, t);
        data.reassign_ticket(id, customer);
        match data.tickets.get(&id) {
            Some(t) => ok(json!({"ticket": wire::ticket_detail(&data, t)})),
            None => not_found(),
        }
    };
    st.store.touch();
    response
}

async fn list_assets(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q);
    let data = st.store.lock();
    let mut list: Vec<_> = match p.id("customer_id") {
        Some(cid) => data
            .assets_of
            .get(&cid)
            .into_iter()
            .flatten()
            .filter_map(|id| data.assets.get(id))
            .collect(),
        None => data.assets.values().collect(),
    };
    // The spec's `query` ("Search query"): here a substring of the name, type or serial.
    // `asset_type_id` and `snmp_enabled` are ignored (the demo has no asset type ids and no
    // SNMP), as an unknown parameter would be.
    if let Some(q) = p
        .text("query")
        .map(str::to_lowercase)
        .filter(|q| !q.is_empty())
    {
        list.retain(|a| {
            a.name.to_lowercase().contains(&q)
                || a.asset_type.to_lowercase().contains(&q)
                || a.asset_serial
                    .as_deref()
                    .is_some_and(|s| s.to_lowercase().contains(&q))
        });
    }
    let (meta, range) = paginate(list.len(), p.page(), ASSETS_PER_PAGE);
    let out: Vec<Value> = list[range].iter().map(|a| wire::asset(&data, a)).collect();
    ok(json!({"assets": out, "meta": meta}))
}

/// `POST /customer_assets`: not in the excerpt, but in Syncro's full API document ("Creates
/// an Asset": `name`, `customer_id`, `asset_type_name` or `asset_type_id`, `asset_serial`,
/// `properties`), answered like a show. The app never creates assets; tests and scripts do.
async fn create_asset(State(st): State<AppState>, body: Bytes) -> Response {
    let body = match body_object(&body, "asset") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let response = {
        let mut data = st.store.lock();
        let mut a = AssetRec::default();
        let mut errors = Vec::new();
        for (k, v) in &body {
            match k.as_str() {
                "name" => a.name = as_text(v).unwrap_or_default(),
                "asset_type_name" | "asset_type" => a.asset_type = as_text(v).unwrap_or_default(),
                "asset_type_id" if a.asset_type.is_empty() => {
                    a.asset_type = as_id(v).map(|id| format!("Type {id}")).unwrap_or_default()
                }
                "asset_serial" => a.asset_serial = as_text(v),
                "contact_id" => a.contact_id = as_id(v),
                "properties" => merge_properties(&mut a.properties, v),
                "customer_id" => match as_id(v) {
                    Some(id) if data.customers.contains_key(&id) => a.customer_id = id,
                    _ => errors.push("Customer must exist"),
                },
                _ => {}
            }
        }
        if !body.contains_key("customer_id") {
            errors.push("Customer must exist");
        }
        if a.name.trim().is_empty() {
            errors.push("Name can't be blank");
        }
        if a.asset_type.trim().is_empty() {
            errors.push("Asset type can't be blank");
        }
        if !errors.is_empty() {
            return customer_422(errors.into_iter().map(String::from).collect(), None);
        }
        let now = now_millis();
        a.id = data.next_ids.asset.max(1);
        a.created_at = now;
        a.updated_at = now;
        let id = a.id;
        data.insert_asset(a);
        match data.assets.get(&id) {
            Some(a) => ok(json!({"asset": wire::asset(&data, a)})),
            None => not_found(),
        }
    };
    st.store.touch();
    response
}

/// `GET /contracts?page=`: the account's contracts, oldest first. The spec documents only
/// `page`, so `customer_id` (like any unknown parameter) is ignored.
async fn list_contracts(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q);
    let data = st.store.lock();
    let list: Vec<_> = data.contracts.values().collect();
    let (meta, range) = paginate(list.len(), p.page(), CONTRACTS_PER_PAGE);
    let out: Vec<Value> = list[range].iter().map(|k| wire::contract(k)).collect();
    ok(json!({"contracts": out, "meta": meta}))
}

async fn show_asset(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let data = st.store.lock();
    match parse_id(&id).and_then(|id| data.assets.get(&id)) {
        Some(a) => ok(json!({"asset": wire::asset(&data, a)})),
        None => not_found(),
    }
}

async fn update_asset(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match body_object(&body, "asset") {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let response = {
        let mut data = st.store.lock();
        let Some(existing) = parse_id(&id).and_then(|id| data.assets.get(&id)) else {
            return not_found();
        };
        let mut a = existing.clone();
        let mut customer = a.customer_id;
        let mut errors = Vec::new();
        for (k, v) in &body {
            match k.as_str() {
                "name" => a.name = as_text(v).unwrap_or_default(),
                "asset_type" => a.asset_type = as_text(v).unwrap_or_default(),
                "asset_serial" => a.asset_serial = as_text(v),
                "contact_id" => a.contact_id = as_id(v),
                "properties" => merge_properties(&mut a.properties, v),
                "customer_id" => match as_id(v) {
                    Some(id) if data.customers.contains_key(&id) => customer = id,
                    _ => errors.push("Customer must exist"),
                },
                _ => {}
            }
        }
        if a.name.trim().is_empty() {
            errors.push("Name can't be blank");
        }
        if a.asset_type.trim().is_empty() {
            errors.push("Asset type can't be blank");
        }
        if !errors.is_empty() {
            return customer_422(errors.into_iter().map(String::from).collect(), None);
        }
        a.updated_at = bump(a.updated_at);
        let id = a.id;
        data.assets.insert(id, a);
        data.reassign_asset(id, customer);
        match data.assets.get(&id) {
            Some(a) => ok(json!({"asset": wire::asset(&data, a)})),
            None => not_found(),
        }
    };
    st.store.touch();
    response
}

async fn list_invoices(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    // No customer filter: the real API documents none, so `customer_id` is ignored.
    let p = Params::parse(q);
    let data = st.store.lock();
    let mut list: Vec<_> = data.invoices.values().collect();
    list.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    let (meta, range) = paginate(list.len(), p.page(), INVOICES_PER_PAGE);
    let out: Vec<Value> = list[range]
        .iter()
        .map(|i| wire::invoice(&data, i))
        .collect();
    ok(json!({"invoices": out, "meta": meta}))
}

async fn show_invoice(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let data = st.store.lock();
    match parse_id(&id).and_then(|id| data.invoices.get(&id)) {
        Some(i) => ok(json!({"invoice": wire::invoice(&data, i)})),
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check() {
        assert!(valid_email("a@b.co"));
        assert!(valid_email("first.last+tag@sub.example.com"));
        for bad in [
            "xxx",
            "a@b",
            "@b.com",
            "a b@c.com",
            "a@@b.com",
            "a@.com",
            "a@b.com.",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn pagination_meta_and_out_of_range() {
        let (meta, r) = paginate(245, 3, 100);
        assert_eq!(meta["total_pages"], 3);
        assert_eq!(r, 200..245);
        let (_, r) = paginate(245, 9, 100);
        assert!(r.is_empty());
        let (meta, r) = paginate(0, 1, 50);
        assert_eq!(meta["total_pages"], 1);
        assert!(r.is_empty());
    }

    #[test]
    fn rails_array_params() {
        let p = Params::parse(Some("id%5B%5D=5&id[]=7&not_id[]=1,2&page=2".into()));
        assert_eq!(p.ids("id"), Some([5, 7].into_iter().collect()));
        assert_eq!(p.ids("not_id"), Some([1, 2].into_iter().collect()));
        assert_eq!(p.page(), 2);
        assert_eq!(p.ids("missing"), None);
    }
}
