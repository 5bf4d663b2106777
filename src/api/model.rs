//! Wire models of the Syncro REST API, as the client reads them.
//!
//! Real account data is messier than the spec: `""` where the spec shows `null`, numbers where
//! strings are expected (and the reverse), timestamps with an offset and milliseconds, and fields
//! that come and go. Every field here is lenient: unknown fields are ignored; `null`, `""` and a
//! missing key all read as "empty"; a value of an unexpected type never fails a whole page.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Syncro record IDs are large (customers have 8 digits, tickets 9): always 64-bit.
pub type Id = u64;

/// A JSON object of fields to send on a create or an update. Updates carry only changed fields.
pub type Patch = Map<String, Value>;

/// Custom properties, keyed by their display name: a JSON object, read and written as one.
///
/// Held as a small list sorted by name rather than a `serde_json::Map` (a B-tree whose first
/// node has room for eleven entries, about 600 bytes even for a contact's lone `title`): a
/// mirror of 300,000 records keeps one per record. Iteration is in name order, as with `Map`,
/// and every value (nested objects and arrays too) is kept as it came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties(Vec<(String, Value)>);

impl Properties {
    /// No properties.
    pub fn new() -> Self {
        Properties(Vec::new())
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no property.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// The value of a property.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    /// The value of a property, to change in place.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.find(name).ok().map(|i| &mut self.0[i].1)
    }

    /// Whether a property of this name exists.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets a property; returns its previous value.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// Removes a property; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.find(name).ok().map(|i| self.0.remove(i).1)
    }

    /// The names, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values, in name order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }

    /// `(name, value)` pairs, in name order.
    pub fn iter(&self) -> PropertiesIter<'_> {
        PropertiesIter(self.0.iter())
    }

    /// The properties as a JSON object (for a patch or an export).
    pub fn to_map(&self) -> Map<String, Value> {
        self.0.iter().cloned().collect()
    }

    /// Builds from pairs in any order; of a repeated name the last value wins (as in JSON).
    fn from_pairs(mut pairs: Vec<(String, Value)>) -> Self {
        if !pairs.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: of equal names the later stays later, and the last one is kept below.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(String, Value)> = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                match out.last_mut() {
                    Some(last) if last.0 == k => last.1 = v,
                    _ => out.push((k, v)),
                }
            }
            pairs = out;
        }
        pairs.shrink_to_fit();
        Properties(pairs)
    }
}

/// Iterator over `(name, value)` pairs of [`Properties`], in name order.
#[derive(Debug, Clone)]
pub struct PropertiesIter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for PropertiesIter<'a> {
    type Item = (&'a String, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for PropertiesIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for PropertiesIter<'_> {}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a String, &'a Value);
    type IntoIter = PropertiesIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for Properties {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<(String, Value)> for Properties {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Properties::from_pairs(iter.into_iter().collect())
    }
}

impl Extend<(String, Value)> for Properties {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl From<Map<String, Value>> for Properties {
    fn from(map: Map<String, Value>) -> Self {
        // A `Map` iterates in name order without repeats: already sorted.
        Properties::from_pairs(map.into_iter().collect())
    }
}

impl From<Properties> for Map<String, Value> {
    fn from(p: Properties) -> Self {
        p.0.into_iter().collect()
    }
}

impl From<Properties> for Value {
    fn from(p: Properties) -> Self {
        Value::Object(p.into())
    }
}

impl Serialize for Properties {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::properties(d)
    }
}

/// Timestamp as Syncro sends it (`2024-03-05T15:14:24.066+02:00`).
pub type Timestamp = DateTime<FixedOffset>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_string")]
    pub firstname: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub lastname: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub fullname: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub business_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub business_then_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub business_and_full_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub mobile: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address_2: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub city: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub state: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub zip: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub notes: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub referred_by: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub ref_customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_id")]
    pub tax_rate_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub notification_email: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub invoice_cc_emails: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub invoice_term_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub get_sms: Option<bool>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub opt_out: Option<bool>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub no_email: Option<bool>,
    #[serde(deserialize_with = "de::bool_or_false")]
    pub disabled: bool,
    #[serde(deserialize_with = "de::opt_f64")]
    pub latitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub longitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_string")]
    pub location_name: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub location_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub online_profile_url: Option<String>,
    #[serde(deserialize_with = "de::properties")]
    pub properties: Properties,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::lenient_vec")]
    pub contacts: Vec<Contact>,
}

impl Customer {
    /// The name Syncro shows in lists: the business name, else the person's full name.
    pub fn display_name(&self) -> String {
        if let Some(b) = self.business_then_name.as_deref().filter(|s| !s.is_empty()) {
            return b.to_string();
        }
        if let Some(b) = self.business_name.as_deref().filter(|s| !s.is_empty()) {
            return b.to_string();
        }
        self.person_name()
    }

    /// First and last name ("Jane Doe"), from `fullname` or built from the parts.
    pub fn person_name(&self) -> String {
        if let Some(f) = self.fullname.as_deref().filter(|s| !s.trim().is_empty()) {
            return f.to_string();
        }
        let parts: Vec<&str> = [self.firstname.as_deref(), self.lastname.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        parts.join(" ")
    }

    /// A custom property as text (`"1"`, `"Managed"`); numbers and booleans are rendered.
    pub fn property(&self, name: &str) -> Option<String> {
        prop_text(&self.properties, name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub mobile: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub extension: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address1: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address2: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub city: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub state: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub zip: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub notes: Option<String>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub latitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub longitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub opt_out: Option<bool>,
    #[serde(deserialize_with = "de::properties")]
    pub properties: Properties,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
    /// Further addresses whose e-mails become tickets of this contact (read-only over the API;
    /// a string or a list on the wire, kept as one comma-separated text).
    #[serde(deserialize_with = "de::opt_text_list")]
    pub ticket_matching_emails: Option<String>,
}

impl Contact {
    /// The contact's job title. Syncro has no top-level `title`: it lives in `properties.title`.
    pub fn title(&self) -> Option<String> {
        prop_text(&self.properties, "title").filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ticket {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Ticket number as shown to people (an integer on the wire, text here).
    #[serde(deserialize_with = "de::opt_string")]
    pub number: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub subject: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub problem_type: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub priority: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_id")]
    pub contact_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub customer_business_then_name: Option<String>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub resolved_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub due_date: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Asset {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_id")]
    pub contact_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub asset_type: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub asset_serial: Option<String>,
    #[serde(deserialize_with = "de::properties")]
    pub properties: Properties,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
}

impl Asset {
    /// Whether the Syncro agent (RMM) reports on this asset: agent-managed assets carry the
    /// agent's inventory in `properties.kabuto_information` (Syncro's agent was Kabuto), a
    /// non-empty object with `general`, `last_synced_at` and more [CODE: public scripts read
    /// it]. The spec excerpt shows only an empty `rmm_store`; an asset added by hand has no
    /// such property.
    pub fn has_agent(&self) -> bool {
        self.properties
            .get("kabuto_information")
            .and_then(Value::as_object)
            .is_some_and(|o| !o.is_empty())
    }
}

/// A contract (`GET /contracts`, key `contracts`). The API documents no customer filter, so
/// a customer's contracts are found by reading the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contract {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Invoice {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub customer_business_then_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub number: Option<String>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub date: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub due_date: Option<Timestamp>,
    /// Money as the API sends it: a decimal string such as `"149.99"`.
    #[serde(deserialize_with = "de::opt_string")]
    pub subtotal: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub tax: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub total: Option<String>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub is_paid: Option<bool>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub verified_paid: Option<bool>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
}

/// Pagination metadata. Some responses omit `total_entries` and `per_page`: none is required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Meta {
    #[serde(deserialize_with = "de::opt_u64")]
    pub total_pages: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    pub total_entries: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    pub per_page: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    pub page: Option<u64>,
}

/// One page of a list endpoint, whatever the envelope key (`customers`, `contacts`, `tickets`,
/// `assets`, `invoices`, or `items` as this type serializes itself). Should an answer carry more
/// than one of them, the first non-empty list wins; `meta` is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub meta: Meta,
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut page = d.deserialize_map(de::PageVisitor(std::marker::PhantomData))?;
        page.meta = page.meta.capped(page.items.len());
        Ok(page)
    }
}

impl Meta {
    /// `total_pages` no larger than `total_entries` allows at the page size (`per_page`, or
    /// the records on this page when that is smaller or missing): a server that claims a
    /// million pages for 250 entries cannot make a client walk them. Without `total_entries`,
    /// or without any page size to go by, it stays as the server said.
    pub fn capped(mut self, on_page: usize) -> Meta {
        let on_page = on_page as u64;
        let size = match (self.per_page.filter(|p| *p > 0), on_page) {
            (Some(p), 0) => Some(p),
            (Some(p), n) => Some(p.min(n)),
            (None, 0) => None,
            (None, n) => Some(n),
        };
        if let (Some(total), Some(entries), Some(size)) =
            (self.total_pages, self.total_entries, size)
        {
            self.total_pages = Some(total.min(entries.div_ceil(size).max(1)));
        }
        self
    }
}

/// A record of a list page that could not be read, left out of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `customer`, `contact`, `ticket`, `asset`, `invoice` (or `record`).
    pub kind: &'static str,
    /// The record's id, when it can be found in its bytes.
    pub id: Option<Id>,
    /// Why, in one line ("holds text that is not valid UTF-8").
    pub reason: String,
}

impl Skipped {
    /// "customer 21403127: holds text that is not valid UTF-8", for the log.
    pub fn log_line(&self) -> String {
        match self.id {
            Some(id) => format!("{} {id} could not be read: {}", self.kind, self.reason),
            None => format!(
                "a {} without a readable id could not be read: {}",
                self.kind, self.reason
            ),
        }
    }

    /// For the status line: "1 record could not be read: customer 21403127", "3 records could
    /// not be read: customers 1, 2, 3"; at most five ids are listed. Empty for none.
    pub fn summary(skipped: &[Skipped]) -> String {
        let n = skipped.len();
        if n == 0 {
            return String::new();
        }
        let kinds: std::collections::BTreeSet<&str> = skipped.iter().map(|s| s.kind).collect();
        let kind = match (kinds.len(), kinds.iter().next()) {
            (1, Some(k)) => *k,
            _ => "record",
        };
        let ids: Vec<String> = skipped
            .iter()
            .filter_map(|s| s.id)
            .take(5)
            .map(|id| id.to_string())
            .collect();
        let named = skipped.iter().filter(|s| s.id.is_some()).count();
        let mut which = if ids.is_empty() {
            format!("{n} without a readable id")
        } else {
            let noun = if named == 1 {
                kind.to_string()
            } else {
                format!("{kind}s")
            };
            format!("{noun} {}", ids.join(", "))
        };
        if named > ids.len() {
            which.push_str(&format!(" and {} more", named - ids.len()));
        }
        if named > 0 && named < n {
            which.push_str(&format!(" (and {} without a readable id)", n - named));
        }
        let records = if n == 1 { "record" } else { "records" };
        format!("{n} {records} could not be read: {which}")
    }
}

/// A list page as the client read it: the page, and the records that could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageRead<T> {
    pub page: Page<T>,
    pub skipped: Vec<Skipped>,
}

/// The envelope keys of list pages, and what one of their records is called.
const LIST_KEYS: &[(&[u8], &str)] = &[
    (b"customers", "customer"),
    (b"contacts", "contact"),
    (b"tickets", "ticket"),
    (b"assets", "asset"),
    (b"invoices", "invoice"),
    (b"contracts", "contract"),
    (b"items", "record"),
];

/// Decodes a list page so that one bad record never fails it: the whole page at once (the
/// common case, fast), and when that fails, record by record. The envelope's array is split
/// into the byte spans of its elements ([`super::scan`]) and each decoded alone; a record that
/// does not decode (invalid UTF-8 inside, nested deeper than the decoder's recursion limit, a
/// value no lenient reader can take) is left out and reported in
/// [`PageRead::skipped`] with its id and a reason. A body that is not a well-formed envelope
/// (truncated, not JSON, not an object) is still an error: a partial page is never passed off
/// as a whole one.
pub fn read_page<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<PageRead<T>, serde_json::Error> {
    let first = match from_slice_lenient::<Page<T>>(bytes) {
        Ok(page) => {
            return Ok(PageRead {
                page,
                skipped: Vec::new(),
            });
        }
        Err(e) => e,
    };
    let Ok(members) = super::scan::object_members(bytes) else {
        return Err(first);
    };
    let mut items: Option<(Vec<T>, Vec<Skipped>)> = None;
    let mut meta = Meta::default();
    for (key, span) in members {
        if key == b"meta" {
            meta = from_slice_lenient::<de::MetaOnly>(&bytes[span])
                .map(|m| m.0)
                .unwrap_or_default();
            continue;
        }
        let Some(&(_, kind)) = LIST_KEYS.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        // As in the streamed reader: the first non-empty list wins.
        if items
            .as_ref()
            .is_some_and(|(i, s)| !i.is_empty() || !s.is_empty())
        {
            continue;
        }
        let Ok(Some(elements)) = super::scan::array_elements(bytes, span) else {
            items.get_or_insert_with(Default::default);
            continue;
        };
        let mut list = Vec::with_capacity(elements.len());
        let mut skipped = Vec::new();
        for e in elements {
            let raw = &bytes[e];
            // Entries that are not objects are not records: skipped silently, as always.
            if raw.first() != Some(&b'{') {
                continue;
            }
            match from_slice_lenient::<T>(raw) {
                Ok(t) => list.push(t),
                Err(err) => skipped.push(Skipped {
                    kind,
                    id: super::scan::record_id(raw),
                    reason: skip_reason(&err),
                }),
            }
        }
        items = Some((list, skipped));
    }
    let (items, skipped) = items.unwrap_or_default();
    let meta = meta.capped(items.len() + skipped.len());
    Ok(PageRead {
        page: Page { items, meta },
        skipped,
    })
}

/// A decoding error in a technician's words, one line, no position.
fn skip_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("recursion limit") {
        "nested deeper than the JSON decoder allows".into()
    } else if lower.contains("unicode") || lower.contains("utf-8") || lower.contains("surrogate") {
        "holds text that is not valid UTF-8".into()
    } else {
        let head = text.split(" at line ").next().unwrap_or(&text);
        let mut head: String = head.chars().filter(|c| !c.is_control()).take(100).collect();
        if head.is_empty() {
            head = "cannot be decoded".into();
        }
        head
    }
}

impl<T> Page<T> {
    /// Whether a page after this one exists, according to `meta` (and only to `meta`).
    pub fn has_next(&self) -> bool {
        match (self.meta.page, self.meta.total_pages) {
            (Some(p), Some(t)) => p < t,
            _ => false,
        }
    }
}

fn prop_text(props: &Properties, name: &str) -> Option<String> {
    match props.get(name)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Lenient field deserializers. Each accepts every JSON type and never fails: a value it cannot
/// use becomes "empty" rather than an error that would drop a whole page of records.
///
/// They read the token stream directly (no `serde_json::Value` per field): a scalar is looked at
/// once, borrowed where the input allows, and nested arrays or objects in the wrong place are
/// skipped without being built. A page of 100 customers decodes several times faster this way.
pub mod de {
    use std::borrow::Cow;
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::value::MapAccessDeserializer;
    use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};

    use super::*;

    /// Any JSON value, reduced to what the lenient readers need.
    enum Scalar<'a> {
        /// `null`, or an array or object where a scalar was expected (skipped).
        Empty,
        Bool(bool),
        U64(u64),
        I64(i64),
        F64(f64),
        Str(Cow<'a, str>),
    }

    struct ScalarVisitor;

    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Scalar<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Scalar::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Scalar::I64(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Scalar::U64(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Scalar::F64(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Scalar::Str(Cow::Owned(v.to_owned())))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Scalar::Str(Cow::Borrowed(v)))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Scalar::Str(Cow::Owned(v)))
        }
        fn visit_bytes<E>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(Scalar::Empty)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Scalar::Empty)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Scalar::Empty)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Scalar::Empty)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Scalar::Empty)
        }
    }

    fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar<'de>, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }

    /// A text or a list of texts (joined with `, `); anything else, or nothing, is `None`.
    pub fn opt_text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let parts: Vec<String> = match v {
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Array(items) => items
                .into_iter()
                .filter_map(|i| match i {
                    serde_json::Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let parts: Vec<&str> = parts
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        Ok((!parts.is_empty()).then(|| parts.join(", ")))
    }

    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match scalar(d)? {
            Scalar::Str(s) if s.is_empty() => None,
            Scalar::Str(s) => Some(s.into_owned()),
            Scalar::U64(n) => Some(n.to_string()),
            Scalar::I64(n) => Some(n.to_string()),
            Scalar::F64(n) => {
                Some(serde_json::Number::from_f64(n).map_or_else(String::new, |n| n.to_string()))
            }
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Empty => None,
        })
    }

    fn scalar_u64(v: Scalar<'_>) -> Option<u64> {
        match v {
            Scalar::U64(n) => Some(n),
            Scalar::I64(n) => u64::try_from(n).ok(),
            Scalar::F64(f) => {
                (f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64).then_some(f as u64)
            }
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        Ok(scalar_u64(scalar(d)?).unwrap_or(0))
    }

    pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(scalar_u64(scalar(d)?))
    }

    pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(scalar_u64(scalar(d)?))
    }

    pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(match scalar(d)? {
            Scalar::F64(f) => Some(f),
            Scalar::U64(n) => Some(n as f64),
            Scalar::I64(n) => Some(n as f64),
            Scalar::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|f| f.is_finite()))
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(match scalar(d)? {
            Scalar::Bool(b) => Some(b),
            Scalar::U64(n) => Some(n != 0),
            Scalar::I64(n) => Some(n != 0),
            Scalar::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "t" => Some(true),
                "false" | "0" | "no" | "f" => Some(false),
                _ => None,
            },
            _ => None,
        })
    }

    pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(opt_bool(d)?.unwrap_or(false))
    }

    pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Ok(match scalar(d)? {
            Scalar::Str(s) => parse_timestamp(&s),
            _ => None,
        })
    }

    /// RFC 3339 with any offset, or a bare date (`2024-03-05`) read as midnight UTC.
    pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t);
        }
        let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        let utc = FixedOffset::east_opt(0)?;
        date.and_hms_opt(0, 0, 0)?.and_local_timezone(utc).single()
    }

    /// A JSON object kept as it is; anything else reads as no properties.
    pub fn properties<'de, D: Deserializer<'de>>(d: D) -> Result<Properties, D::Error> {
        d.deserialize_any(PropertiesVisitor)
    }

    /// Reads an object's entries straight into [`Properties`]; any other value is skipped.
    struct PropertiesVisitor;

    impl<'de> Visitor<'de> for PropertiesVisitor {
        type Value = Properties;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
            while let Some(entry) = map.next_entry::<String, Value>()? {
                pairs.push(entry);
            }
            Ok(Properties::from_pairs(pairs))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            ScalarVisitor.visit_seq(seq).map(|_| Properties::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_bytes<E>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Properties::new())
        }
    }

    /// An object read leniently as `T`; any other JSON value is skipped and reads as `None`.
    struct RecordVisitor<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for RecordVisitor<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            ScalarVisitor.visit_seq(seq).map(|_| None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bytes<E>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    /// One list entry: a record, or `None` for an entry that is not an object.
    struct Entry<T>(Option<T>);

    impl<'de, T: DeserializeOwned> Deserialize<'de> for Entry<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(RecordVisitor(PhantomData)).map(Entry)
        }
    }

    pub fn meta<'de, D: Deserializer<'de>>(d: D) -> Result<Meta, D::Error> {
        Ok(d.deserialize_any(RecordVisitor::<Meta>(PhantomData))?
            .unwrap_or_default())
    }

    struct ListVisitor<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(Entry(item)) = seq.next_element::<Entry<T>>()? {
                out.extend(item);
            }
            Ok(out)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            ScalarVisitor.visit_map(map).map(|_| Vec::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_bytes<E>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }

    /// A lenient list as a value of its own (for map values).
    struct List<T>(Vec<T>);

    impl<'de, T: DeserializeOwned> Deserialize<'de> for List<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            lenient_vec(d).map(List)
        }
    }

    /// Lenient `meta` as a value of its own.
    struct MetaField(Meta);

    /// Lenient `meta` decoded alone (a page read record by record).
    pub(super) struct MetaOnly(pub(super) Meta);

    impl<'de> Deserialize<'de> for MetaOnly {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            meta(d).map(MetaOnly)
        }
    }

    impl<'de> Deserialize<'de> for MetaField {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            meta(d).map(MetaField)
        }
    }

    /// Reads a list envelope: `{"<key>": [..], "meta": {..}}`.
    pub(super) struct PageVisitor<T>(pub(super) PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for PageVisitor<T> {
        type Value = Page<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object with a list and `meta`")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut items: Option<Vec<T>> = None;
            let mut meta = Meta::default();
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                match &*key {
                    "customers" | "contacts" | "tickets" | "assets" | "invoices" | "contracts"
                    | "items" => {
                        let List(list) = map.next_value::<List<T>>()?;
                        if items.as_ref().is_none_or(|i| i.is_empty()) {
                            items = Some(list);
                        }
                    }
                    "meta" => meta = map.next_value::<MetaField>()?.0,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(Page {
                items: items.unwrap_or_default(),
                meta,
            })
        }
    }

    /// A list whose entries that are not objects are skipped instead of failing the whole list.
    /// Every field of the models is lenient, so an object entry always decodes; the one thing
    /// that still fails a streamed list is a record with the same key twice, which
    /// [`super::from_slice_lenient`] recovers from.
    pub fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// Decodes JSON into a model, as leniently as possible: straight from the bytes (fast), and if
/// that fails, through `serde_json::Value` (where a key repeated inside one record has already
/// collapsed to its last value, which the streamed path rejects).
pub fn from_slice_lenient<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, serde_json::Error> {
    serde_json::from_slice(bytes).or_else(|first| {
        serde_json::from_slice::<Value>(bytes)
            .and_then(serde_json::from_value)
            .map_err(|_| first)
    })
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
    /// The query string pairs, Rails style (`id[]=1&id[]=2`); empty filters are left out.
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

#[cfg(test)]
mod tests {

    #[test]
    fn ticket_matching_emails_read_as_a_text_or_a_list() {
        let read = |v: serde_json::Value| -> Contact {
            serde_json::from_value(serde_json::json!({"id": 1, "ticket_matching_emails": v}))
                .unwrap()
        };
        assert_eq!(
            read(serde_json::json!(["a@x.example", " ", "b@x.example"])).ticket_matching_emails,
            Some("a@x.example, b@x.example".into())
        );
        assert_eq!(
            read(serde_json::json!("a@x.example")).ticket_matching_emails,
            Some("a@x.example".into())
        );
        assert_eq!(read(serde_json::json!(null)).ticket_matching_emails, None);
        assert_eq!(
            read(serde_json::json!({"odd": 1})).ticket_matching_emails,
            None
        );
        assert_eq!(read(serde_json::json!([])).ticket_matching_emails, None);
    }

    use super::*;

    #[test]
    fn real_shaped_customer_decodes() {
        let json = r#"{
            "id": 31415926, "firstname": "", "lastname": null, "business_name": "Acme Dental",
            "email": "office@acme.example", "phone": "5551234567", "latitude": 40.71, "longitude": -74.0,
            "properties": {"Managed Status": "Gold", "notification_billing": "1", "Seats": 12},
            "created_at": "2024-03-05T15:14:24.066+02:00", "updated_at": "2024-03-06T09:00:00.5-05:00",
            "contacts": [{"id": 7654321, "name": "Jane Roe", "properties": {"title": "IT Manager"}}],
            "something_new": {"nested": [1, 2]}
        }"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, 31_415_926);
        assert_eq!(c.firstname, None);
        assert_eq!(c.lastname, None);
        assert_eq!(c.display_name(), "Acme Dental");
        assert_eq!(c.latitude, Some(40.71));
        assert_eq!(c.property("Managed Status").as_deref(), Some("Gold"));
        assert_eq!(c.property("Seats").as_deref(), Some("12"));
        let created = c.created_at.unwrap();
        assert_eq!(created.offset().local_minus_utc(), 2 * 3600);
        assert_eq!(created.timestamp_subsec_millis(), 66);
        assert_eq!(c.contacts[0].title().as_deref(), Some("IT Manager"));
    }

    #[test]
    fn properties_read_and_write_the_same_json_object() {
        let json = r#"{"zeta": 1, "Managed Status": "Gold", "title": "CEO", "n": null,
                       "nested": {"a": [1, "b"]}, "flag": true, "ratio": 0.5, "title": "CTO"}"#;
        let p: Properties = serde_json::from_str(json).unwrap();
        let map: Map<String, Value> = serde_json::from_str(json).unwrap();
        assert_eq!(p.len(), map.len());
        assert_eq!(
            p.to_map(),
            map,
            "same entries, the last of a repeated name wins"
        );
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert!(p.keys().is_sorted(), "name order, as a Map iterates");
        assert_eq!(p.get("title"), Some(&Value::from("CTO")));
        assert_eq!(p.get("nested"), map.get("nested"));
        assert_eq!(Properties::from(map.clone()), p);
        assert_eq!(Value::from(p.clone()), Value::Object(map));

        let mut q = p.clone();
        assert_eq!(
            q.insert("title".into(), Value::from("CFO")),
            Some(Value::from("CTO"))
        );
        assert_eq!(q.insert("alpha".into(), Value::from(2)), None);
        assert_eq!(q.keys().next().map(String::as_str), Some("Managed Status"));
        assert!(q.keys().is_sorted());
        assert_eq!(q.remove("alpha"), Some(Value::from(2)));
        assert!(!q.contains_key("alpha"));
        let collected: Properties = q.clone().into_iter().rev().collect();
        assert_eq!(collected, q);

        for not_an_object in ["null", "[1, 2]", "\"text\"", "7", "true"] {
            let p: Properties = serde_json::from_str(not_an_object).unwrap();
            assert!(p.is_empty(), "{not_an_object}");
        }
    }

    #[test]
    fn wrong_types_become_empty_not_errors() {
        let json = r#"{"id": "42", "zip": 2293, "disabled": null, "properties": null,
                       "created_at": "not a date", "contacts": [{"id": 1}, "garbage"]}"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, 42);
        assert_eq!(c.zip.as_deref(), Some("2293"));
        assert!(!c.disabled);
        assert!(c.properties.is_empty());
        assert_eq!(c.created_at, None);
        assert_eq!(c.contacts.len(), 1);
    }

    #[test]
    fn page_reads_any_envelope_and_partial_meta() {
        let p: Page<Invoice> = serde_json::from_str(
            r#"{"invoices":[{"id":6,"total":"10.5"}],"meta":{"total_pages":3,"page":1}}"#,
        )
        .unwrap();
        assert_eq!(p.items.len(), 1);
        assert!(p.has_next());
        assert_eq!(p.meta.total_entries, None);
        let p: Page<Asset> = serde_json::from_str(r#"{"assets":[]}"#).unwrap();
        assert!(!p.has_next());
    }

    #[test]
    fn total_pages_is_capped_by_total_entries_and_the_page_size() {
        let m = |pages, entries, per_page| Meta {
            total_pages: Some(pages),
            total_entries: entries,
            per_page,
            page: Some(1),
        };
        assert_eq!(
            m(1_000_000, Some(250), Some(100)).capped(100).total_pages,
            Some(3)
        );
        // A per_page larger than the pages really are cannot hide pages.
        assert_eq!(
            m(3, Some(250), Some(10_000)).capped(100).total_pages,
            Some(3)
        );
        assert_eq!(m(9, Some(250), None).capped(50).total_pages, Some(5));
        assert_eq!(m(9, None, Some(100)).capped(100).total_pages, Some(9));
        assert_eq!(m(9, Some(0), Some(100)).capped(0).total_pages, Some(1));
        let p: Page<Customer> = serde_json::from_str(
            r#"{"customers":[{"id":1}],"meta":{"total_pages":99,"total_entries":1,"per_page":100}}"#,
        )
        .unwrap();
        assert_eq!(p.meta.total_pages, Some(1));
    }

    #[test]
    fn skipped_records_are_summed_up_in_one_line() {
        let s = |id| Skipped {
            kind: "customer",
            id,
            reason: "x".into(),
        };
        assert_eq!(Skipped::summary(&[]), "");
        assert_eq!(
            Skipped::summary(&[s(Some(21403127))]),
            "1 record could not be read: customer 21403127"
        );
        let many: Vec<Skipped> = (1..=7).map(|i| s(Some(i))).chain([s(None)]).collect();
        assert_eq!(
            Skipped::summary(&many),
            "8 records could not be read: customers 1, 2, 3, 4, 5 and 2 more (and 1 without a readable id)"
        );
        assert_eq!(
            Skipped::summary(&[s(None)]),
            "1 record could not be read: 1 without a readable id"
        );
    }

    #[test]
    fn a_page_read_record_by_record_keeps_the_good_ones() {
        let mut body =
            br#"{"meta":{"page":1,"total_pages":1},"contacts":[{"id":1,"name":"a"},"#.to_vec();
        body.extend_from_slice(b"{\"id\":2,\"name\":\"\xc3\x28\"},");
        body.extend_from_slice(br#""not a record",{"id":3,"name":"c","name":"d"}]}"#);
        let read = read_page::<Contact>(&body).unwrap();
        let ids: Vec<Id> = read.page.items.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![1, 3]);
        assert_eq!(read.page.items[1].name.as_deref(), Some("d"));
        assert_eq!(read.skipped.len(), 1);
        assert_eq!(
            (read.skipped[0].kind, read.skipped[0].id),
            ("contact", Some(2))
        );
        assert_eq!(read.page.meta.total_pages, Some(1));
        // Whole pages take the fast path and skip nothing.
        let fine = read_page::<Contact>(br#"{"contacts":[{"id":1}]}"#).unwrap();
        assert!(fine.skipped.is_empty());
        assert!(read_page::<Contact>(b"{\"contacts\":[{\"id\":1},").is_err());
        assert!(read_page::<Contact>(b"<html>").is_err());
    }

    #[test]
    fn person_name_falls_back_to_parts() {
        let c = Customer {
            firstname: Some("Ana".into()),
            lastname: Some("Lima".into()),
            ..Default::default()
        };
        assert_eq!(c.person_name(), "Ana Lima");
        assert_eq!(c.display_name(), "Ana Lima");
    }

    #[test]
    fn misplaced_values_are_skipped_without_failing_the_page() {
        let json = r#"{"customers": [
            {"id": 1, "email": ["a@b.c"], "phone": {"digits": "555"}, "latitude": "40.5",
             "contacts": {"not": "a list"}, "properties": [1, 2], "disabled": "yes",
             "tax_rate_id": -3, "zip": 2293.0, "created_at": 17, "notes": true},
            "garbage", 42, null, [1, 2, 3],
            {"id": 2.0, "contacts": [{"id": "9", "name": {"first": "x"}}, 7, {"id": 10}]}
        ], "meta": "page one"}"#;
        let p: Page<Customer> = from_slice_lenient(json.as_bytes()).unwrap();
        assert_eq!(p.items.len(), 2);
        let a = &p.items[0];
        assert_eq!((a.email.as_deref(), a.phone.as_deref()), (None, None));
        assert_eq!(a.latitude, Some(40.5));
        assert!(a.contacts.is_empty() && a.properties.is_empty());
        assert!(a.disabled);
        assert_eq!(a.tax_rate_id, None);
        assert_eq!(a.zip.as_deref(), Some("2293.0"));
        assert_eq!((a.created_at, a.notes.as_deref()), (None, Some("true")));
        let b = &p.items[1];
        assert_eq!(b.id, 2);
        assert_eq!(
            b.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![9, 10]
        );
        assert_eq!(b.contacts[0].name, None);
        assert_eq!(p.meta, Meta::default());
    }

    #[test]
    fn a_record_with_a_repeated_key_is_recovered_by_the_fallback() {
        let json = r#"{"contacts": [{"id": 1, "name": "a", "name": "b"}, {"id": 2}],
                       "meta": {"page": 1, "total_pages": 1}}"#;
        assert!(serde_json::from_str::<Page<Contact>>(json).is_err());
        let p: Page<Contact> = from_slice_lenient(json.as_bytes()).unwrap();
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].name.as_deref(), Some("b"));
        assert!(from_slice_lenient::<Page<Contact>>(b"<html>").is_err());
    }

    #[test]
    fn escaped_strings_and_large_numbers_decode() {
        let json = r#"{"id": 18446744073709551615, "business_name": "Caf\u00e9 \"Zo\u00eb\"",
                       "ref_customer_id": 1e30, "created_at": "2024-03-05T15:14:24.066\u002b02:00"}"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, u64::MAX);
        assert_eq!(c.business_name.as_deref(), Some("Café \"Zoë\""));
        assert_eq!(c.ref_customer_id, None);
        assert!(c.created_at.is_some());
    }

    /// Random JSON documents: decoding a page never fails while the top level is an object.
    #[test]
    fn random_json_trees_always_decode() {
        use rand::{Rng, SeedableRng};
        fn tree(rng: &mut rand::rngs::StdRng, depth: u32) -> Value {
            const KEYS: &[&str] = &[
                "id",
                "customers",
                "contacts",
                "meta",
                "email",
                "properties",
                "created_at",
                "latitude",
                "disabled",
                "page",
                "total_pages",
                "name",
                "zip",
                "x",
            ];
            match rng.random_range(0..if depth > 3 { 5 } else { 7 }) {
                0 => Value::Null,
                1 => Value::Bool(rng.random()),
                2 => Value::from(rng.random::<i64>()),
                3 => Value::from(rng.random::<f64>() * 1e6 - 5e5),
                4 => {
                    Value::from(["", "1", "2024-01-01", "yes", "é\u{202e}"][rng.random_range(0..5)])
                }
                5 => Value::Array(
                    (0..rng.random_range(0..4))
                        .map(|_| tree(rng, depth + 1))
                        .collect(),
                ),
                _ => Value::Object(
                    (0..rng.random_range(0..6))
                        .map(|_| {
                            (
                                KEYS[rng.random_range(0..KEYS.len())].to_string(),
                                tree(rng, depth + 1),
                            )
                        })
                        .collect(),
                ),
            }
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for _ in 0..3000 {
            let mut doc = serde_json::Map::new();
            for k in ["customers", "contacts", "meta", "id", "customer"] {
                if rng.random_bool(0.6) {
                    doc.insert(k.to_string(), tree(&mut rng, 0));
                }
            }
            let bytes = serde_json::to_vec(&Value::Object(doc)).unwrap();
            from_slice_lenient::<Page<Customer>>(&bytes).unwrap();
            from_slice_lenient::<Page<Contact>>(&bytes).unwrap();
            from_slice_lenient::<Customer>(&bytes).unwrap();
            from_slice_lenient::<Meta>(&bytes).unwrap();
        }
    }
}
