//! Caller-ID and scripting: `syncro-tui lookup`, `customers`, `contacts` and `open`, answered
//! from the profile's mirror (the file `syncro-tui sync` and the app keep), without the
//! terminal UI.
//!
//! # Ranking ([`lookup`])
//! A query is a phone number (digits with spaces and `+()-./`, at least 4 digits), an e-mail
//! address (it has an `@`), or text. Each customer's best match decides its place:
//! 1. **phone, exact**: the number's digits (up to an extension: `x12`, `ext. 4`) equal the
//!    query's;
//! 2. **phone, last digits**: the number ends with the query's digits (`5550142` finds
//!    `(503) 555-0142` and `+1 503.555.0142 x12`), or the query ends with a number of 7 digits
//!    or more (`+1 503 555 0142` finds `5035550142`);
//! 3. **e-mail, exact** (any case), then **same domain** (not for free-mail domains);
//! 4. **name**: equal, then starting a word, then inside; then an e-mail containing the text.
//!
//! Ties go to enabled customers, then numbers without an extension (the line itself rather
//! than someone's desk behind it), then contacts before the customer's own fields, then the
//! older record (lower id). The answer names the customer and the contact that matched (for a
//! match on the customer's own number, the contact with the same number if there is one).
//!
//! # Where the answers come from
//! `lookup` asks the mirror's lookup index first ([`indexed`]: only the records it names are
//! read), then scans the records' bytes ([`scan`]: numbers and addresses), then decodes the
//! whole mirror; each path ranks with the same [`Best`], so the answer does not depend on it.
//!
//! # Output
//! Everything printed passes [`crate::sanitize`] (records are untrusted): one-line and
//! tab-separated text through [`sanitize::line`] (so no tab or line break is left inside a
//! field), JSON, CSV and vCard values through [`sanitize::text`].
//!
//! Exit status of `lookup`: 0 with an answer, 1 when nothing matches, 2 on an error (as grep).

use std::borrow::Borrow;
use std::io::Write;

use anyhow::{Context, bail};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

use crate::api::model::{Contact, Customer, Id, Properties};
use crate::api::{CustomerQuery, SyncroClient};
use crate::cli::{ContactsArgs, CustomersArgs, LookupArgs, OpenArgs, RunArgs};
use crate::config::{self, Settings, Target};
use crate::demo::{DemoConfig, DemoServer};
use crate::export::{self, ExportOptions};
use crate::mirror::index;
use crate::mirror::store::{self, LoadOutcome};
use crate::mirror::text::{fold, phone_digits_into, phone_query};
use crate::mirror::{DEMO_PROFILE, Mirror};
use crate::sanitize;

pub mod indexed;
pub mod scan;

/// Fewest digits that make a query a phone number.
pub const MIN_PHONE_DIGITS: usize = 4;
/// Fewest digits of a stored number that a longer query may end with.
const MIN_STORED_SUFFIX: usize = 7;

/// Free-mail domains: the same domain says nothing about the company.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
];

/// What was asked, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// The digits of a phone number.
    Phone(String),
    /// An e-mail address, lowercase.
    Email(String),
    /// Text, folded ([`crate::mirror::text::fold`]).
    Text(String),
}

impl Query {
    /// `None` for an empty query.
    pub fn parse(raw: &str) -> Option<Query> {
        let t = raw.trim();
        let t = t
            .strip_prefix("tel:")
            .or_else(|| t.strip_prefix("mailto:"))
            .unwrap_or(t)
            .trim();
        if t.is_empty() {
            return None;
        }
        if let Some(d) = phone_query(t).filter(|d| d.len() >= MIN_PHONE_DIGITS) {
            return Some(Query::Phone(d));
        }
        if t.contains('@') && !t.contains(char::is_whitespace) {
            return Some(Query::Email(t.to_lowercase()));
        }
        let f = fold(t);
        (!f.is_empty()).then_some(Query::Text(f))
    }

    /// What to send as the server's `query` search when there is no mirror.
    pub fn server_text(&self) -> &str {
        match self {
            Query::Phone(s) | Query::Email(s) | Query::Text(s) => s,
        }
    }
}

/// How well a record matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    PhoneExact,
    PhoneSuffix,
    EmailExact,
    EmailDomain,
    NameExact,
    NamePrefix,
    NameContains,
    EmailContains,
}

/// The field that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Field {
    #[serde(rename = "contact.phone")]
    ContactPhone,
    #[serde(rename = "contact.mobile")]
    ContactMobile,
    #[serde(rename = "contact.email")]
    ContactEmail,
    #[serde(rename = "contact.name")]
    ContactName,
    #[serde(rename = "customer.phone")]
    CustomerPhone,
    #[serde(rename = "customer.mobile")]
    CustomerMobile,
    #[serde(rename = "customer.email")]
    CustomerEmail,
    #[serde(rename = "customer.name")]
    CustomerName,
}

impl Field {
    fn is_contact(self) -> bool {
        matches!(
            self,
            Field::ContactPhone | Field::ContactMobile | Field::ContactEmail | Field::ContactName
        )
    }
}

/// One customer's best match.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub rank: Rank,
    pub field: Field,
    /// The value that matched, as stored (for a customer's number matched with a contact's,
    /// the contact's, which keeps its formatting).
    pub value: String,
    pub customer: Customer,
    /// The contact that matched (or shares the customer's matching number).
    pub contact: Option<Contact>,
    /// The matching number has an extension.
    pub extension: bool,
}

/// Sort key of a match: rank, disabled last, no extension first, contact fields first, ids.
type Key = (Rank, bool, bool, Field, Id, Id);

impl Answer {
    fn key(&self) -> Key {
        (
            self.rank,
            self.customer.disabled,
            self.extension,
            self.field,
            self.customer.id,
            self.contact.as_ref().map_or(0, |k| k.id),
        )
    }
}

/// The digits of a stored number up to its extension, and whether it has one.
fn number(stored: &str) -> (String, bool) {
    let mut d = String::new();
    phone_digits_into(stored, &mut d);
    let ext = stored
        .trim_start()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .any(|c| c.is_alphabetic());
    (d, ext)
}

fn phone_rank(query: &str, stored: &str) -> Option<(Rank, bool)> {
    let (d, ext) = number(stored);
    if d.is_empty() {
        return None;
    }
    if d == query {
        Some((Rank::PhoneExact, ext))
    } else if (d.len() > query.len() && d.ends_with(query))
        || (query.len() > d.len() && d.len() >= MIN_STORED_SUFFIX && query.ends_with(&d))
    {
        Some((Rank::PhoneSuffix, ext))
    } else {
        None
    }
}

fn domain(email: &str) -> Option<&str> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
}

fn email_rank(query: &str, stored: &str) -> Option<Rank> {
    let s = stored.trim().to_lowercase();
    if s.is_empty() {
        return None;
    }
    if s == query {
        return Some(Rank::EmailExact);
    }
    match (domain(&s), domain(query)) {
        (Some(a), Some(b)) if a == b && !FREE_MAIL.contains(&a) => Some(Rank::EmailDomain),
        _ => None,
    }
}

fn name_rank(query: &str, stored: &str) -> Option<Rank> {
    let f = fold(stored);
    if f.is_empty() {
        None
    } else if f == query {
        Some(Rank::NameExact)
    } else if f.starts_with(query) || f.contains(&format!(" {query}")) {
        Some(Rank::NamePrefix)
    } else if f.contains(query) {
        Some(Rank::NameContains)
    } else {
        None
    }
}

/// One match inside a customer: which contact (index), which field, how well.
struct Hit {
    rank: Rank,
    field: Field,
    contact: Option<usize>,
    value: String,
    extension: bool,
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn hits(q: &Query, c: &Customer) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut push = |rank: Rank, field: Field, contact: Option<usize>, value: &str, ext: bool| {
        out.push(Hit {
            rank,
            field,
            contact,
            value: value.to_string(),
            extension: ext,
        })
    };
    match q {
        Query::Phone(digits) => {
            let mut phone = |field: Field, contact: Option<usize>, v: &str, ext_field: bool| {
                if let Some((rank, ext)) = phone_rank(digits, v) {
                    push(rank, field, contact, v, ext || ext_field);
                }
            };
            phone(Field::CustomerPhone, None, opt(&c.phone), false);
            phone(Field::CustomerMobile, None, opt(&c.mobile), false);
            for (i, k) in c.contacts.iter().enumerate() {
                let has_ext = !opt(&k.extension).trim().is_empty();
                phone(Field::ContactPhone, Some(i), opt(&k.phone), has_ext);
                phone(Field::ContactMobile, Some(i), opt(&k.mobile), false);
            }
        }
        Query::Email(e) => {
            if let Some(r) = email_rank(e, opt(&c.email)) {
                push(r, Field::CustomerEmail, None, opt(&c.email), false);
            }
            for (i, k) in c.contacts.iter().enumerate() {
                if let Some(r) = email_rank(e, opt(&k.email)) {
                    push(r, Field::ContactEmail, Some(i), opt(&k.email), false);
                }
            }
        }
        Query::Text(t) => {
            let names = [c.display_name(), c.person_name()];
            if let Some((r, n)) = names
                .iter()
                .filter_map(|n| name_rank(t, n).map(|r| (r, n)))
                .min_by_key(|(r, _)| *r)
            {
                push(r, Field::CustomerName, None, n, false);
            }
            if fold(opt(&c.email)).contains(t.as_str()) {
                push(
                    Rank::EmailContains,
                    Field::CustomerEmail,
                    None,
                    opt(&c.email),
                    false,
                );
            }
            for (i, k) in c.contacts.iter().enumerate() {
                if let Some(r) = name_rank(t, opt(&k.name)) {
                    push(r, Field::ContactName, Some(i), opt(&k.name), false);
                }
                if fold(opt(&k.email)).contains(t.as_str()) {
                    push(
                        Rank::EmailContains,
                        Field::ContactEmail,
                        Some(i),
                        opt(&k.email),
                        false,
                    );
                }
            }
        }
    }
    out
}

/// The best match of `q` in one customer, if any.
pub fn best_match(q: &Query, c: &Customer) -> Option<Answer> {
    let hits = hits(q, c);
    let key = |h: &Hit| {
        (
            h.rank,
            h.extension,
            h.field,
            h.contact.map_or(0, |i| c.contacts[i].id),
        )
    };
    let best = hits.iter().min_by_key(|h| key(h))?;
    // A match on the customer's own field names the best contact matching as well: for a
    // number, any contact with the same number (shown as the contact has it, since customers'
    // numbers are stored as bare digits); otherwise one that matched as well.
    let phone = |r: Rank| matches!(r, Rank::PhoneExact | Rank::PhoneSuffix);
    let with = if best.field.is_contact() {
        None
    } else {
        hits.iter()
            .filter(|h| {
                h.field.is_contact() && (h.rank == best.rank || (phone(h.rank) && phone(best.rank)))
            })
            .min_by_key(|h| key(h))
    };
    let contact = best.contact.or(with.and_then(|h| h.contact));
    let value = match with {
        Some(h) if phone(best.rank) => h.value.clone(),
        _ => best.value.clone(),
    };
    Some(Answer {
        rank: best.rank,
        field: best.field,
        value,
        contact: contact.map(|i| c.contacts[i].clone()),
        customer: c.clone(),
        extension: best.extension,
    })
}

/// Whether `q` matches anything of `c` (its contacts included).
pub fn matches(q: &Query, c: &Customer) -> bool {
    !hits(q, c).is_empty()
}

/// The best `limit` answers of `q` over `customers` (each read once, so they may be decoded one
/// at a time), best first (see the module documentation).
pub fn lookup<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
    q: &Query,
    limit: usize,
) -> Vec<Answer> {
    let mut best = Best::new(limit);
    for c in customers {
        best.offer(q, c.borrow());
    }
    best.finish()
}

/// The best answers seen so far, fed one customer at a time (as a mirror file is decoded).
#[derive(Debug)]
pub struct Best {
    limit: usize,
    answers: Vec<Answer>,
}

impl Best {
    pub fn new(limit: usize) -> Best {
        Best {
            limit: limit.max(1),
            answers: Vec::new(),
        }
    }

    /// Considers one customer.
    pub fn offer(&mut self, q: &Query, c: &Customer) {
        if let Some(a) = best_match(q, c) {
            self.push(a);
        }
    }

    /// Considers one customer's best match ([`best_match`]).
    pub fn push(&mut self, a: Answer) {
        self.answers.push(a);
        if self.answers.len() >= self.limit * 4 {
            self.answers.sort_by_key(Answer::key);
            self.answers.truncate(self.limit);
        }
    }

    /// How many answers [`Best::finish`] returns at most.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The answers, best first.
    pub fn finish(mut self) -> Vec<Answer> {
        self.answers.sort_by_key(Answer::key);
        self.answers.truncate(self.limit);
        self.answers
    }
}

/// The answer as one line for a phone system's pop-up:
/// `Acme Dental LLC — Front Desk (Front Desk Lead) · (503) 555-0142`.
pub fn one_line(a: &Answer) -> String {
    let c = &a.customer;
    let mut s = sanitize::line(c.display_name().trim());
    let who = match &a.contact {
        Some(k) => {
            let mut w = sanitize::line(opt(&k.name).trim());
            if let Some(t) = k.title() {
                w.push_str(&format!(" ({})", sanitize::line(t.trim())));
            }
            w
        }
        None => {
            let p = c.person_name();
            if p.trim().is_empty() || p.trim() == c.display_name().trim() {
                String::new()
            } else {
                sanitize::line(p.trim())
            }
        }
    };
    if !who.trim().is_empty() {
        s.push_str(" — ");
        s.push_str(&who);
    }
    // A name match shows a number to call back.
    let shown = match a.rank {
        Rank::PhoneExact | Rank::PhoneSuffix | Rank::EmailExact | Rank::EmailDomain => {
            a.value.clone()
        }
        _ => {
            let k = a.contact.as_ref();
            [
                k.map(|k| opt(&k.phone)),
                k.map(|k| opt(&k.mobile)),
                Some(opt(&c.phone)),
                Some(opt(&c.mobile)),
                k.map(|k| opt(&k.email)),
                Some(opt(&c.email)),
            ]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|v| !v.is_empty())
            .unwrap_or("")
            .to_string()
        }
    };
    if !shown.trim().is_empty() {
        s.push_str(" · ");
        // A customer's number is stored as digits: shown as the app shows it.
        s.push_str(&crate::app::view::phone_display(shown.trim()));
    }
    if c.disabled {
        s.push_str(" (disabled)");
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Records made safe to print

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(sanitize::text)
}

fn clean_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(sanitize::text(s)),
        Value::Array(a) => Value::Array(a.iter().map(clean_value).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (sanitize::line(k), clean_value(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn clean_properties(p: &Properties) -> Properties {
    p.iter()
        .map(|(k, v)| (sanitize::line(k), clean_value(v)))
        .collect()
}

/// A contact with every text passed through [`sanitize::text`].
pub fn clean_contact(k: &Contact) -> Contact {
    Contact {
        name: clean(&k.name),
        email: clean(&k.email),
        phone: clean(&k.phone),
        mobile: clean(&k.mobile),
        extension: clean(&k.extension),
        address1: clean(&k.address1),
        address2: clean(&k.address2),
        city: clean(&k.city),
        state: clean(&k.state),
        zip: clean(&k.zip),
        notes: clean(&k.notes),
        properties: clean_properties(&k.properties),
        ..k.clone()
    }
}

/// A customer (and its contacts) with every text passed through [`sanitize::text`].
pub fn clean_customer(c: &Customer) -> Customer {
    Customer {
        firstname: clean(&c.firstname),
        lastname: clean(&c.lastname),
        fullname: clean(&c.fullname),
        business_name: clean(&c.business_name),
        business_then_name: clean(&c.business_then_name),
        business_and_full_name: clean(&c.business_and_full_name),
        email: clean(&c.email),
        phone: clean(&c.phone),
        mobile: clean(&c.mobile),
        address: clean(&c.address),
        address_2: clean(&c.address_2),
        city: clean(&c.city),
        state: clean(&c.state),
        zip: clean(&c.zip),
        notes: clean(&c.notes),
        referred_by: clean(&c.referred_by),
        notification_email: clean(&c.notification_email),
        invoice_cc_emails: clean(&c.invoice_cc_emails),
        location_name: clean(&c.location_name),
        online_profile_url: clean(&c.online_profile_url),
        properties: clean_properties(&c.properties),
        contacts: c.contacts.iter().map(clean_contact).collect(),
        ..c.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// JSON of an answer

#[derive(Serialize)]
struct JsonCustomer {
    id: Id,
    name: String,
    business_name: Option<String>,
    firstname: Option<String>,
    lastname: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    city: Option<String>,
    state: Option<String>,
    disabled: bool,
    /// The customer in Syncro's web app, when the server is a Syncro subdomain.
    url: Option<String>,
}

#[derive(Serialize)]
struct JsonContact {
    id: Id,
    name: Option<String>,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    extension: Option<String>,
    mobile: Option<String>,
}

#[derive(Serialize)]
struct JsonAnswer {
    rank: Rank,
    field: Field,
    value: String,
    /// The pop-up line.
    line: String,
    customer: JsonCustomer,
    contact: Option<JsonContact>,
}

#[derive(Serialize)]
struct JsonLookup<'a> {
    query: &'a str,
    source: &'a str,
    matches: Vec<JsonAnswer>,
}

fn json_answer(a: &Answer, web_base: Option<&str>) -> JsonAnswer {
    let c = clean_customer(&a.customer);
    JsonAnswer {
        rank: a.rank,
        field: a.field,
        value: sanitize::text(&a.value),
        line: one_line(a),
        customer: JsonCustomer {
            id: c.id,
            name: c.display_name(),
            url: web_base.map(|b| format!("{b}/customers/{}", c.id)),
            business_name: c.business_name,
            firstname: c.firstname,
            lastname: c.lastname,
            email: c.email,
            phone: c.phone,
            mobile: c.mobile,
            city: c.city,
            state: c.state,
            disabled: c.disabled,
        },
        contact: a.contact.as_ref().map(|k| {
            let k = clean_contact(k);
            JsonContact {
                id: k.id,
                title: k.title(),
                name: k.name,
                email: k.email,
                phone: k.phone,
                extension: k.extension,
                mobile: k.mobile,
            }
        }),
    }
}

/// `lookup --json`: `{"query", "source": "mirror"|"server", "matches": [...]}`.
pub fn lookup_json(
    query: &str,
    source: &str,
    answers: &[Answer],
    web_base: Option<&str>,
) -> anyhow::Result<String> {
    let doc = JsonLookup {
        query,
        source,
        matches: answers.iter().map(|a| json_answer(a, web_base)).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).context("encoding the answer as JSON")?;
    s.push('\n');
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// Listing (customers, contacts)

/// Whether a query selects a record for `customers --query` / `contacts --query`: a phone
/// query's digits inside any of its numbers, an e-mail query inside an e-mail address, text
/// inside a name, an e-mail address, the city or (contacts) the title.
fn list_match(q: &Query, names: &[&str], emails: &[&str], phones: &[&str], other: &[&str]) -> bool {
    match q {
        Query::Phone(d) => phones.iter().any(|p| number(p).0.contains(d.as_str())),
        Query::Email(e) => emails.iter().any(|m| m.to_lowercase().contains(e.as_str())),
        Query::Text(t) => names
            .iter()
            .chain(emails)
            .chain(other)
            .any(|v| fold(v).contains(t.as_str())),
    }
}

/// `customers --query`: the customer's own fields or any of its contacts.
pub fn customer_selected(q: &Query, c: &Customer) -> bool {
    customer_own_match(q, c) || c.contacts.iter().any(|k| contact_own_match(q, k))
}

fn customer_own_match(q: &Query, c: &Customer) -> bool {
    let display = c.display_name();
    let person = c.person_name();
    list_match(
        q,
        &[&display, &person],
        &[opt(&c.email)],
        &[opt(&c.phone), opt(&c.mobile)],
        &[opt(&c.city)],
    )
}

fn contact_own_match(q: &Query, k: &Contact) -> bool {
    let title = k.title().unwrap_or_default();
    list_match(
        q,
        &[opt(&k.name)],
        &[opt(&k.email)],
        &[opt(&k.phone), opt(&k.mobile)],
        &[&title, opt(&k.city)],
    )
}

/// Output formats of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// A header line, then one tab-separated record per line.
    Tsv {
        header: bool,
    },
    Json,
    Csv,
    VCard,
}

/// Columns of `syncro-tui customers`.
pub const CUSTOMER_TSV_COLUMNS: &[&str] = &[
    "id", "name", "email", "phone", "mobile", "city", "state", "contacts",
];
/// Columns of `syncro-tui contacts`: e-mail and name first, as mutt's `query_command` reads
/// them (it skips the first line).
pub const CONTACT_TSV_COLUMNS: &[&str] = &[
    "email",
    "name",
    "organisation",
    "title",
    "phone",
    "mobile",
    "id",
    "customer_id",
];

fn tsv_line(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.push_str(&sanitize::line(f.trim()));
    }
    out.push('\n');
}

/// The customers chosen for a listing, sorted by name (folded) then id, sanitised.
pub fn select_customers<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
    query: Option<&Query>,
    include_disabled: bool,
) -> Vec<Customer> {
    let chosen = customers
        .into_iter()
        .filter_map(|c| choose_customer(c.borrow(), query, include_disabled))
        .collect();
    sort_by_name(chosen)
}

/// One customer as [`select_customers`] chooses it (sanitised), or `None`.
pub fn choose_customer(
    c: &Customer,
    query: Option<&Query>,
    include_disabled: bool,
) -> Option<Customer> {
    let keep = (include_disabled || !c.disabled) && query.is_none_or(|q| customer_selected(q, c));
    keep.then(|| clean_customer(c))
}

/// Customers sorted by name (folded), then id.
pub fn sort_by_name(customers: Vec<Customer>) -> Vec<Customer> {
    let mut keyed: Vec<(String, Customer)> = customers
        .into_iter()
        .map(|c| (fold(&c.display_name()), c))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    keyed.into_iter().map(|(_, c)| c).collect()
}

/// `syncro-tui customers` output of already selected (sanitised) customers.
pub fn format_customers(
    customers: &[Customer],
    format: ListFormat,
    opts: ExportOptions,
) -> anyhow::Result<String> {
    Ok(match format {
        ListFormat::Tsv { header } => {
            let mut out = String::new();
            if header {
                tsv_line(&mut out, CUSTOMER_TSV_COLUMNS);
            }
            for c in customers {
                let id = c.id.to_string();
                let n = c.contacts.len().to_string();
                tsv_line(
                    &mut out,
                    &[
                        &id,
                        &c.display_name(),
                        opt(&c.email),
                        opt(&c.phone),
                        opt(&c.mobile),
                        opt(&c.city),
                        opt(&c.state),
                        &n,
                    ],
                );
            }
            out
        }
        ListFormat::Json => export::customers_json(customers)?,
        ListFormat::Csv => export::customers_csv(customers, opts),
        ListFormat::VCard => bail!("customers have no vCard format: use `contacts --vcard`"),
    })
}

/// For `contacts`: the chosen customers, each keeping only the contacts chosen (sanitised),
/// sorted by customer name, contacts by name. A contact is chosen when it or its customer
/// matches the query.
pub fn select_contacts<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
    customer: Option<Id>,
    query: Option<&Query>,
    include_disabled: bool,
) -> Vec<Customer> {
    let chosen = customers
        .into_iter()
        .filter_map(|c| choose_contacts(c.borrow(), customer, query, include_disabled))
        .collect();
    sort_by_name(chosen)
}

/// One customer with only the contacts [`select_contacts`] chooses (sanitised, sorted by
/// name), or `None` when it keeps none.
pub fn choose_contacts(
    c: &Customer,
    customer: Option<Id>,
    query: Option<&Query>,
    include_disabled: bool,
) -> Option<Customer> {
    if customer.is_some_and(|id| id != c.id) || (c.disabled && !include_disabled) {
        return None;
    }
    let whole = query.is_none_or(|q| customer_own_match(q, c));
    let mut kept: Vec<Contact> = c
        .contacts
        .iter()
        .filter(|k| whole || query.is_some_and(|q| contact_own_match(q, k)))
        .map(clean_contact)
        .collect();
    if kept.is_empty() {
        return None;
    }
    kept.sort_by(|a, b| {
        fold(opt(&a.name))
            .cmp(&fold(opt(&b.name)))
            .then(a.id.cmp(&b.id))
    });
    let mut shell = clean_customer(&Customer {
        contacts: Vec::new(),
        ..c.clone()
    });
    shell.contacts = kept;
    Some(shell)
}

/// `syncro-tui contacts` output of [`select_contacts`]'s customers.
pub fn format_contacts(
    customers: &[Customer],
    format: ListFormat,
    opts: ExportOptions,
) -> anyhow::Result<String> {
    Ok(match format {
        ListFormat::Tsv { header } => {
            let mut out = String::new();
            if header {
                tsv_line(&mut out, CONTACT_TSV_COLUMNS);
            }
            for c in customers {
                let org = c.display_name();
                for k in &c.contacts {
                    let title = k.title().unwrap_or_default();
                    let id = k.id.to_string();
                    let cid = c.id.to_string();
                    tsv_line(
                        &mut out,
                        &[
                            opt(&k.email),
                            opt(&k.name),
                            &org,
                            &title,
                            opt(&k.phone),
                            opt(&k.mobile),
                            &id,
                            &cid,
                        ],
                    );
                }
            }
            out
        }
        ListFormat::Json => {
            let mut list = Vec::new();
            for c in customers {
                for k in &c.contacts {
                    let mut v = serde_json::to_value(k).context("encoding a contact as JSON")?;
                    if let Value::Object(o) = &mut v {
                        o.insert("customer_name".into(), Value::String(c.display_name()));
                        o.insert("title".into(), k.title().map_or(Value::Null, Value::String));
                    }
                    list.push(v);
                }
            }
            let mut s = serde_json::to_string_pretty(&list).context("encoding contacts as JSON")?;
            s.push('\n');
            s
        }
        ListFormat::Csv => export::embedded_contacts_csv(customers, opts).0,
        ListFormat::VCard => export::embedded_contacts_vcard(customers).0,
    })
}

// ---------------------------------------------------------------------------------------------
// `open`

/// The customer `syncro-tui open ARG` starts on: `#ID` is an id; digits that are a customer's
/// id in the mirror are that id; anything else is looked up as in `lookup` and the best
/// answer's customer is taken.
pub fn resolve_open<C: Borrow<Customer>>(
    arg: &str,
    customers: impl IntoIterator<Item = C>,
    has_customer: &dyn Fn(Id) -> bool,
) -> Result<Id, String> {
    let t = arg.trim();
    if let Some(rest) = t.strip_prefix('#') {
        return match rest.trim().parse::<Id>() {
            Ok(id) if has_customer(id) => Ok(id),
            Ok(id) => Err(format!("there is no customer #{id}")),
            Err(_) => Err(format!("“{}” is not a customer ID", sanitize::line(rest))),
        };
    }
    if let Ok(id) = t.parse::<Id>()
        && has_customer(id)
    {
        return Ok(id);
    }
    let Some(q) = Query::parse(t) else {
        return Err("give a phone number, an e-mail address, a name or a customer ID".into());
    };
    lookup(customers, &q, 1)
        .first()
        .map(|a| a.customer.id)
        .ok_or_else(|| format!("no customer matches “{}”", sanitize::line(t)))
}

// ---------------------------------------------------------------------------------------------
// Where the answers come from

/// The profile whose mirror the commands read, found without running the API key command (a
/// lookup from the mirror needs no key, and a phone system runs it on every call).
#[derive(Debug, Clone)]
pub struct MirrorTarget {
    /// Name of the mirror file (`mirror-<profile>.bin`).
    pub profile: String,
    /// The server the mirror must have been filled from.
    pub server_id: String,
    pub settings: Settings,
    /// Syncro's web app for this server, for links (`https://NAME.syncromsp.com`).
    pub web_base: Option<String>,
}

/// The web app of a Syncro API base URL (`https://acme.syncromsp.com/api/v1` ->
/// `https://acme.syncromsp.com`); `None` for other servers.
pub fn web_base_of(base_url: &str) -> Option<String> {
    let base = base_url.trim_end_matches('/').strip_suffix("/api/v1")?;
    let host = base.strip_prefix("https://")?;
    host.ends_with(".syncromsp.com").then(|| base.to_string())
}

/// Which profile and server `args` mean, as [`config::resolve`] decides, but without looking
/// for the API key.
pub fn mirror_target(args: &RunArgs) -> anyhow::Result<MirrorTarget> {
    let path = config::config_path(args);
    if args.config.is_some() && !path.exists() {
        bail!(
            "the config file {} does not exist (it was given with --config or SYNCRO_TUI_CONFIG)",
            path.display()
        );
    }
    let (settings, _) = config::load_file(&path)?;
    let demo = |settings: Settings| MirrorTarget {
        profile: DEMO_PROFILE.to_string(),
        server_id: DEMO_PROFILE.to_string(),
        settings,
        web_base: None,
    };
    if args.demo {
        return Ok(demo(settings));
    }
    let mut keyless = settings.clone();
    for p in keyless.profiles.values_mut() {
        p.api_key_command = None;
        p.api_key = None;
    }
    let name = if args.base_url.is_some() || args.subdomain.is_some() {
        let name = args
            .profile
            .clone()
            .unwrap_or_else(|| config::CLI_PROFILE.to_string());
        keyless.profiles.insert(
            name.clone(),
            config::Profile {
                base_url: args.base_url.clone(),
                subdomain: args.subdomain.clone(),
                ..config::Profile::default()
            },
        );
        name
    } else {
        match args
            .profile
            .clone()
            .or_else(|| settings.default_profile.clone())
        {
            Some(n) => n,
            None if settings.profiles.len() == 1 => {
                settings.profiles.keys().next().cloned().unwrap_or_default()
            }
            None if settings.profiles.is_empty() => return Ok(demo(settings)),
            None => bail!(
                "the config file has several profiles ({}) and no default_profile: choose one \
                 with --profile NAME, or set default_profile",
                settings.profile_names().join(", ")
            ),
        }
    };
    let resolved = config::resolve_profile_with(&keyless, &name, &|_| None)?;
    let base = resolved.base_url().unwrap_or_default().to_string();
    Ok(MirrorTarget {
        profile: name,
        web_base: web_base_of(&base),
        server_id: base,
        settings,
    })
}

/// Whether a mirror filled from `a` belongs to server `b` (as the store compares them).
fn same_server(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The target's mirror; `None` when there is none (a discarded file is said on stderr).
pub fn load_mirror(t: &MirrorTarget) -> Option<Mirror> {
    visit_mirror(t, &mut |_| ())
}

/// [`load_mirror`], calling `each` on every customer as the file is decoded: the file's one
/// decoding pass serves the command too (decoding is most of a lookup's time). When the
/// mirror is then not used (another server's), `each` has seen its records anyway: the caller
/// drops what it gathered when this returns `None`.
pub fn visit_mirror(t: &MirrorTarget, each: &mut dyn FnMut(&Customer)) -> Option<Mirror> {
    let dir = config::data_dir();
    match store::load_for_server_with(&dir, &t.profile, &t.server_id, &mut |c| each(c)).0 {
        LoadOutcome::Loaded(m) => Some(m),
        LoadOutcome::Missing => None,
        d @ LoadOutcome::Discarded { .. } => {
            if let Some(n) = d.notice() {
                eprintln!("{}", sanitize::line(&n));
            }
            None
        }
    }
}

fn require_mirror(
    args: &RunArgs,
    each: &mut dyn FnMut(&Customer),
) -> anyhow::Result<(MirrorTarget, Mirror)> {
    let t = mirror_target(args)?;
    let Some(m) = visit_mirror(&t, each) else {
        bail!(
            "profile {} has no local mirror yet ({}): run `syncro-tui{} sync` first",
            t.profile,
            store::mirror_path(&config::data_dir(), &t.profile).display(),
            if t.profile == DEMO_PROFILE {
                " --demo"
            } else {
                ""
            }
        );
    };
    Ok((t, m))
}

/// Without a mirror: the server's `query` search, one page (the customers it returns carry
/// their contacts). Starts the built-in demo server for the demo.
fn server_customers(args: &RunArgs, query: &str) -> anyhow::Result<Vec<Customer>> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let resolved = config::resolve(args)?;
        let mut demo = None;
        let client = match &resolved.target {
            Target::Live { .. } => SyncroClient::new(
                resolved
                    .client_config()
                    .context("no client settings for the server")?,
            )?,
            Target::Demo => {
                let cfg = DemoConfig::for_app(&config::data_dir());
                let key = SecretString::from(cfg.api_key.clone());
                let server = DemoServer::start(([127, 0, 0, 1], 0).into(), cfg)
                    .await
                    .context("starting the demo server")?;
                let client =
                    SyncroClient::new(crate::api::ClientConfig::new(server.base_url(), key))?;
                demo = Some(server);
                client
            }
            Target::MissingKey { base_url } => bail!(
                "profile {} has no local mirror and no API key for {base_url}: run `syncro-tui \
                 sync` (with SYNCRO_API_KEY or the profile's api_key_command set) to build the \
                 mirror",
                resolved.profile
            ),
        };
        let page = client
            .list_customers(&CustomerQuery {
                query: Some(query.to_string()),
                include_disabled: true,
                page: 1,
                ..CustomerQuery::default()
            })
            .await
            .context("searching the server")?;
        if let Some(server) = demo {
            server.shutdown().await;
        }
        Ok(page.items)
    })
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}

fn csv_options(settings: &Settings) -> ExportOptions {
    ExportOptions {
        excel_bom: false,
        ..ExportOptions::from_settings(settings)
    }
}

/// `syncro-tui lookup QUERY`: prints the best answer (or `--all` / `--json`); `Ok(false)` when
/// nothing matched.
pub fn run_lookup_cli(a: &LookupArgs, args: &RunArgs) -> anyhow::Result<bool> {
    let raw = a.query.join(" ");
    let Some(q) = Query::parse(&raw) else {
        bail!("give a phone number, an e-mail address or a name to look up");
    };
    let t = mirror_target(args)?;
    let limit = if a.json || a.all { a.limit } else { 1 };
    // The index beside the mirror names the records that can match: only those are read.
    // Without it (or when it cannot tell), a number or an address is looked for in the
    // records' bytes and only the records that may hold it are decoded.
    let path = store::mirror_path(&config::data_dir(), &t.profile);
    let scanned = index::LookupIndex::open(&path)
        .filter(|ix| same_server(&ix.base_url, &t.server_id))
        .and_then(|ix| Some((indexed::lookup(&ix, &q, limit)?, ix.base_url)))
        .or_else(|| {
            scan::RawMirror::read(&path)
                .filter(|raw| same_server(&raw.base_url, &t.server_id))
                .and_then(|raw| Some((raw.lookup(&q, limit)?, raw.base_url)))
        });
    let mut best = Best::new(limit);
    let loaded = match scanned {
        Some(_) => None,
        None => visit_mirror(&t, &mut |c| best.offer(&q, c)),
    };
    let (answers, source, web_base) = match (scanned, loaded) {
        (Some((answers, base)), _) => {
            (answers, "mirror", web_base_of(&base).or(t.web_base.clone()))
        }
        (None, Some(m)) => {
            let web = web_base_of(&m.base_url).or(t.web_base.clone());
            (best.finish(), "mirror", web)
        }
        (None, None) => {
            let found = server_customers(args, q.server_text())?;
            (lookup(found, &q, limit), "server", t.web_base.clone())
        }
    };
    let text = if a.json {
        lookup_json(&raw, source, &answers, web_base.as_deref())?
    } else {
        answers.iter().map(|a| one_line(a) + "\n").collect()
    };
    print(&text)?;
    Ok(!answers.is_empty())
}

fn list_format(json: bool, csv: bool, vcard: bool, no_header: bool) -> ListFormat {
    if json {
        ListFormat::Json
    } else if csv {
        ListFormat::Csv
    } else if vcard {
        ListFormat::VCard
    } else {
        ListFormat::Tsv { header: !no_header }
    }
}

/// `syncro-tui customers [--query Q] [--json|--csv]`.
pub fn run_customers_cli(a: &CustomersArgs, args: &RunArgs) -> anyhow::Result<()> {
    let q = a.query.as_deref().and_then(Query::parse);
    let mut chosen = Vec::new();
    let (t, _) = require_mirror(args, &mut |c| {
        chosen.extend(choose_customer(c, q.as_ref(), a.include_disabled))
    })?;
    let chosen = sort_by_name(chosen);
    let format = list_format(a.json, a.csv, false, a.no_header);
    print(&format_customers(
        &chosen,
        format,
        csv_options(&t.settings),
    )?)
}

/// `syncro-tui contacts [--customer ID|--query Q] [--json|--csv|--vcard]`.
pub fn run_contacts_cli(a: &ContactsArgs, args: &RunArgs) -> anyhow::Result<()> {
    let q = a.query.as_deref().and_then(Query::parse);
    // Naming a customer shows its contacts even when it is disabled.
    let include_disabled = a.include_disabled || a.customer.is_some();
    let mut chosen = Vec::new();
    let (t, m) = require_mirror(args, &mut |c| {
        chosen.extend(choose_contacts(c, a.customer, q.as_ref(), include_disabled))
    })?;
    if let Some(id) = a.customer
        && !m.contains(id)
    {
        bail!(
            "there is no customer #{id} in the mirror of profile {}",
            t.profile
        );
    }
    let chosen = sort_by_name(chosen);
    let format = list_format(a.json, a.csv, a.vcard, a.no_header);
    print(&format_contacts(&chosen, format, csv_options(&t.settings))?)
}

/// `syncro-tui open PHONE|ID`: the customer id the app should start on.
pub fn resolve_open_cli(a: &OpenArgs, args: &RunArgs) -> anyhow::Result<Id> {
    let raw = a.target.join(" ");
    let t = mirror_target(args)?;
    let resolved = match load_mirror(&t) {
        Some(m) => resolve_open(&raw, m.records().iter().map(|p| p.unpack()), &|id| {
            m.contains(id)
        }),
        None => {
            let q = Query::parse(raw.trim_start_matches('#'))
                .map(|q| q.server_text().to_string())
                .unwrap_or_default();
            let found = server_customers(args, &q)?;
            let ids: Vec<Id> = found.iter().map(|c| c.id).collect();
            // Without the mirror an id cannot be checked offline: `#ID` is trusted.
            match raw.trim().strip_prefix('#').map(|r| r.trim().parse::<Id>()) {
                Some(Ok(id)) => Ok(id),
                _ => resolve_open(&raw, &found, &|id| ids.contains(&id)),
            }
        }
    };
    resolved.map_err(|e| anyhow::anyhow!("cannot open: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn acme() -> Customer {
        serde_json::from_value(json!({
            "id": 100,
            "business_name": "Acme Dental LLC",
            "firstname": "Sandra", "lastname": "Okafor",
            "email": "office@acmedental.com",
            "phone": "5035550142",
            "mobile": "5035550199",
            "contacts": [
                {"id": 1, "customer_id": 100, "name": "Sandra Okafor", "email": "sandra@acmedental.com",
                 "phone": "(503) 555-0142 x101", "properties": {"title": "Owner"}},
                {"id": 2, "customer_id": 100, "name": "Front Desk", "email": "frontdesk@acmedental.com",
                 "phone": "(503) 555-0142", "properties": {"title": "Front Desk Lead"}},
            ],
        }))
        .unwrap()
    }

    fn other(id: Id, name: &str, phone: &str, email: &str) -> Customer {
        serde_json::from_value(json!({
            "id": id, "business_name": name, "phone": phone, "email": email,
            "contacts": [{"id": id * 10, "customer_id": id, "name": format!("{name} Person"),
                          "phone": phone, "email": email}],
        }))
        .unwrap()
    }

    fn q(s: &str) -> Query {
        Query::parse(s).unwrap()
    }

    #[test]
    fn queries_are_phones_emails_or_text() {
        assert_eq!(q("(503) 555-0142"), Query::Phone("5035550142".into()));
        assert_eq!(q("tel:+1-503-555-0142"), Query::Phone("15035550142".into()));
        assert_eq!(q(" Jane@Acme.COM "), Query::Email("jane@acme.com".into()));
        assert_eq!(
            q("mailto:jane@acme.com"),
            Query::Email("jane@acme.com".into())
        );
        assert_eq!(q("  Acme   DENTAL "), Query::Text("acme dental".into()));
        // Too few digits to be a phone number.
        assert_eq!(q("911"), Query::Text("911".into()));
        assert_eq!(Query::parse("  "), None);
    }

    #[test]
    fn last_digits_of_a_formatted_number_match() {
        let stored = [
            "(503) 555-0142",
            "+1 503.555.0142 x12",
            "503-555-0142 ext. 4",
            "5035550142",
        ];
        for s in stored {
            assert!(phone_rank("5550142", s).is_some(), "{s}");
        }
        assert_eq!(
            phone_rank("5035550142", "(503) 555-0142"),
            Some((Rank::PhoneExact, false))
        );
        assert_eq!(
            phone_rank("5035550142", "503.555.0142 x12"),
            Some((Rank::PhoneExact, true))
        );
        assert_eq!(
            phone_rank("5550142", "(503) 555-0142"),
            Some((Rank::PhoneSuffix, false))
        );
        // A query with the country code finds the number stored without it ...
        assert_eq!(
            phone_rank("15035550142", "5035550142"),
            Some((Rank::PhoneSuffix, false))
        );
        // ... but a short stored number is not the end of every long query.
        assert_eq!(phone_rank("15035550142", "0142"), None);
        // Digits in the middle are not the last digits; the extension is not the number.
        assert_eq!(phone_rank("5550", "(503) 555-0142"), None);
        assert_eq!(phone_rank("0142101", "(503) 555-0142 x101"), None);
    }

    #[test]
    fn exact_phone_digits_rank_first() {
        // Customer 7 has the queried number exactly; customer 5 only ends with it; 6's e-mail
        // and 8's name hold the digits as text.
        let customers = vec![
            other(5, "Longer Number Inc.", "15035550142", "a@longer.example"),
            other(6, "Mail Digits", "5551234567", "5035550142@fax.example"),
            other(7, "Exact Number Co.", "(503) 555-0142", "b@exact.example"),
            other(8, "5035550142 Holdings", "5559876543", "c@holdings.example"),
        ];
        let answers = lookup(&customers, &q("503-555-0142"), 10);
        let ids: Vec<Id> = answers.iter().map(|a| a.customer.id).collect();
        assert_eq!(ids, [7, 5]);
        assert_eq!(answers[0].rank, Rank::PhoneExact);
        assert_eq!(answers[1].rank, Rank::PhoneSuffix);
        // A number stored as digits reads as the app shows it.
        assert!(
            one_line(&answers[1]).ends_with("· +1 (503) 555-0142"),
            "{}",
            one_line(&answers[1])
        );
    }

    #[test]
    fn the_line_itself_beats_an_extension_and_names_the_contact() {
        let answers = lookup([acme()], &q("5550142"), 5);
        assert_eq!(answers.len(), 1);
        let a = &answers[0];
        assert_eq!(a.contact.as_ref().map(|k| k.id), Some(2));
        assert_eq!(
            one_line(a),
            "Acme Dental LLC — Front Desk (Front Desk Lead) · (503) 555-0142"
        );
        // Only Sandra's desk has the extension dialled: still the line's contact first, but a
        // number only Sandra has finds her.
        let mut c = acme();
        c.contacts[0].mobile = Some("+1 (971) 555-0101".into());
        let a = &lookup([c], &q("9715550101"), 1)[0];
        assert_eq!(
            one_line(a),
            "Acme Dental LLC — Sandra Okafor (Owner) · +1 (971) 555-0101"
        );
    }

    #[test]
    fn email_then_name_ranking() {
        let customers = vec![
            other(1, "Beta Corp.", "5550000001", "hello@beta.example"),
            other(
                2,
                "Sandra's Bakery",
                "5550000002",
                "sandra@acmedental.com.example",
            ),
            acme(),
        ];
        let a = lookup(&customers, &q("SANDRA@acmedental.com"), 5);
        assert_eq!(a[0].customer.id, 100);
        assert_eq!(a[0].rank, Rank::EmailExact);
        assert_eq!(a[0].contact.as_ref().map(|k| k.id), Some(1));
        // Someone else at the same company's domain.
        let a = lookup(&customers, &q("new.hire@acmedental.com"), 5);
        assert_eq!((a[0].customer.id, a[0].rank), (100, Rank::EmailDomain));
        // But not at a free-mail domain.
        let gmail = vec![other(3, "Gmail User", "5550000003", "x@gmail.com")];
        assert!(lookup(&gmail, &q("y@gmail.com"), 5).is_empty());
        // Names: exact before a word's start before inside.
        let names = vec![
            other(10, "Okafor Plumbing", "5550000010", "p@plumb.example"),
            other(11, "Bokafor Ltd", "5550000011", "q@bokafor.example"),
            other(12, "Okafor", "5550000012", "r@okafor.example"),
        ];
        let a = lookup(&names, &q("okafor"), 5);
        let got: Vec<(Id, Rank)> = a.iter().map(|a| (a.customer.id, a.rank)).collect();
        assert_eq!(
            got,
            [
                (12, Rank::NameExact),
                (10, Rank::NamePrefix),
                (11, Rank::NameContains)
            ]
        );
    }

    #[test]
    fn disabled_customers_come_after_and_say_so() {
        let mut old = other(1, "Old Acme", "5035550142", "old@acme.example");
        old.disabled = true;
        let new = other(2, "New Acme", "5035550142", "new@acme.example");
        let a = lookup([old, new], &q("5035550142"), 5);
        assert_eq!(a[0].customer.id, 2);
        assert!(one_line(&a[1]).ends_with("(disabled)"));
    }

    #[test]
    fn printed_text_is_sanitised() {
        let mut c = acme();
        c.business_name = Some("Evil\u{1b}]0;pwned\u{7}\tCorp\nLLC".into());
        c.business_then_name = None;
        c.contacts[1].name = Some("Desk\u{202e}kseD".into());
        let a = &lookup([c.clone()], &q("5035550142"), 1)[0];
        let line = one_line(a);
        assert!(!line.contains('\u{1b}') && !line.contains('\t') && !line.contains('\n'));
        assert!(!line.contains('\u{202e}'), "{line}");
        let json = lookup_json("x", "mirror", std::slice::from_ref(a), None).unwrap();
        assert!(
            !json.contains('\u{202e}') && !json.contains("\\u001b"),
            "{json}"
        );
        let tsv = format_customers(
            &select_customers([c], None, false),
            ListFormat::Tsv { header: false },
            ExportOptions::default(),
        )
        .unwrap();
        assert_eq!(tsv.lines().count(), 1);
        assert_eq!(
            tsv.trim_end().split('\t').count(),
            CUSTOMER_TSV_COLUMNS.len()
        );
    }

    #[test]
    fn open_takes_an_id_or_the_best_match() {
        let customers = vec![
            acme(),
            other(7, "Beta Corp.", "5550000007", "b@beta.example"),
        ];
        let has = |id: Id| customers.iter().any(|c| c.id == id);
        assert_eq!(resolve_open("#7", &customers, &has), Ok(7));
        assert_eq!(resolve_open("100", &customers, &has), Ok(100));
        assert_eq!(resolve_open("(503) 555-0142", &customers, &has), Ok(100));
        assert_eq!(resolve_open("beta", &customers, &has), Ok(7));
        assert!(resolve_open("#8", &customers, &has).is_err());
        assert!(resolve_open("nobody", &customers, &has).is_err());
    }

    #[test]
    fn listing_queries_select_customers_and_contacts() {
        let customers = vec![
            acme(),
            other(7, "Beta Corp.", "5550000007", "b@beta.example"),
        ];
        let chosen = select_customers(&customers, Some(&q("front desk")), false);
        assert_eq!(chosen.iter().map(|c| c.id).collect::<Vec<_>>(), [100]);
        // A customer's name brings all its contacts; a contact's own match brings only it.
        let all = select_contacts(&customers, None, Some(&q("acme dental")), false);
        assert_eq!(all[0].contacts.len(), 2);
        let one = select_contacts(&customers, None, Some(&q("front")), false);
        assert_eq!(one[0].contacts.len(), 1);
        let by_id = select_contacts(&customers, Some(7), None, false);
        assert_eq!(by_id.len(), 1);
        assert_eq!(by_id[0].id, 7);
        // Phone digits anywhere in a number for listings.
        let by_phone = select_customers(&customers, Some(&q("503555")), false);
        assert_eq!(by_phone.len(), 1);
    }

    #[test]
    fn web_links_only_for_syncro_servers() {
        assert_eq!(
            web_base_of("https://acme.syncromsp.com/api/v1").as_deref(),
            Some("https://acme.syncromsp.com")
        );
        assert_eq!(web_base_of("http://127.0.0.1:3000/api/v1"), None);
    }
}
