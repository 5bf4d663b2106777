//! The demo server's own data model and its in-memory store.
//!
//! These types are the server's truth; the wire JSON is rendered from them in `wire.rs`. They
//! deliberately share nothing with `crate::api` (design.md: `demo -> api` is forbidden), so a
//! misunderstanding on the client side cannot be mirrored here and pass unnoticed.
//!
//! Records live in `BTreeMap`s keyed by id (ids only grow, so id order is creation order), with
//! per-customer indexes for contacts, tickets and assets. A customer carries a precomputed,
//! lower-cased search key so filtering 100,000 customers is a linear scan over short strings.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Notify;

/// Milliseconds since the Unix epoch (UTC). Rendered with the account's offset on the wire.
pub type Millis = i64;

/// Current wall-clock time in milliseconds.
pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// The next `updated_at` of a record: now, but always strictly later than the previous value, so
/// every write is visible even when two land within one millisecond.
pub fn bump(previous: Millis) -> Millis {
    now_millis().max(previous + 1)
}

/// Digits of a phone number (customers store only these; search compares them).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Custom properties, kept as a small vector: most records have none or a few, and a map
/// allocates a whole tree node per record (this matters with 100,000 customers). Keys are
/// usually static names from the generator, so they cost nothing. Serialised as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Props(Vec<(Cow<'static, str>, Value)>);

impl Props {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Set `key`, replacing an earlier value.
    pub fn insert(&mut self, key: Cow<'static, str>, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Drop `key`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No properties at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keys and values in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// As a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
}

impl From<Map<String, Value>> for Props {
    fn from(map: Map<String, Value>) -> Props {
        Props(map.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect())
    }
}

impl Serialize for Props {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Props {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Props, D::Error> {
        Map::<String, Value>::deserialize(d).map(Props::from)
    }
}

/// A customer as the server stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerRec {
    pub id: u64,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub business_name: Option<String>,
    pub email: Option<String>,
    /// Digits only.
    pub phone: Option<String>,
    /// Digits only.
    pub mobile: Option<String>,
    pub address: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub notes: Option<String>,
    pub referred_by: Option<String>,
    pub ref_customer_id: Option<u64>,
    pub tax_rate_id: Option<u64>,
    pub notification_email: Option<String>,
    pub invoice_cc_emails: Option<String>,
    pub invoice_term_id: Option<u64>,
    pub get_sms: bool,
    pub opt_out: bool,
    pub no_email: bool,
    pub get_billing: bool,
    pub get_marketing: bool,
    pub get_reports: bool,
    pub disabled: bool,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_name: Option<String>,
    pub location_id: Option<u64>,
    pub properties: Props,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Lower-cased search fields, rebuilt after every change (not persisted).
    #[serde(skip)]
    pub key: SearchKey,
}

/// Lower-cased copies of the searchable fields in one string (one allocation per customer),
/// in the order of [`Field`], separated by newlines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchKey {
    text: String,
    ends: [u32; 6],
}

/// The fields of a [`SearchKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Business = 0,
    First = 1,
    Last = 2,
    Full = 3,
    Email = 4,
    City = 5,
}

impl SearchKey {
    fn build(fields: [&str; 6]) -> SearchKey {
        let mut text = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
        let mut ends = [0u32; 6];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.extend(f.chars().flat_map(char::to_lowercase));
            ends[i] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        SearchKey { text, ends }
    }

    /// One lower-cased field.
    pub fn get(&self, field: Field) -> &str {
        let i = field as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] as usize + 1
        };
        self.text.get(start..self.ends[i] as usize).unwrap_or("")
    }

    /// Business, first, last and full name and e-mail: what `query` searches.
    pub fn names_and_email(&self) -> &str {
        self.text
            .get(..self.ends[Field::Email as usize] as usize)
            .unwrap_or("")
    }

    /// `business_then_name`, lower-cased: the business name, else the full name.
    pub fn sort_name(&self) -> &str {
        match self.get(Field::Business) {
            "" => self.get(Field::Full),
            b => b,
        }
    }
}

impl CustomerRec {
    /// `firstname + " " + lastname`, trimmed.
    pub fn fullname(&self) -> String {
        let first = self.firstname.as_deref().unwrap_or("");
        let last = self.lastname.as_deref().unwrap_or("");
        format!("{first} {last}").trim().to_string()
    }

    /// The business name when it is set, else the full name.
    pub fn business_then_name(&self) -> String {
        match self.business_name.as_deref() {
            Some(b) if !b.trim().is_empty() => b.to_string(),
            _ => self.fullname(),
        }
    }

    /// `"<business> - <fullname>"` when there is a business name, else the full name.
    pub fn business_and_full_name(&self) -> String {
        match self.business_name.as_deref() {
            Some(b) if !b.trim().is_empty() => {
                let full = self.fullname();
                if full.is_empty() {
                    b.to_string()
                } else {
                    format!("{b} - {full}")
                }
            }
            _ => self.fullname(),
        }
    }

    /// Recompute the search key after a change.
    pub fn refresh_key(&mut self) {
        fn opt(s: &Option<String>) -> &str {
            s.as_deref().unwrap_or("")
        }
        let full = self.fullname();
        self.key = SearchKey::build([
            opt(&self.business_name),
            opt(&self.firstname),
            opt(&self.lastname),
            &full,
            opt(&self.email),
            opt(&self.city),
        ]);
    }
}

/// A contact as the server stores it. Phones keep their formatting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactRec {
    pub id: u64,
    pub customer_id: u64,
    pub name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: Option<String>,
    pub vendor_id: Option<u64>,
    pub opt_out: bool,
    pub extension: Option<String>,
    /// The job title, sent and shown as `properties.title` (kept apart: nearly every contact
    /// has one and no other property).
    pub title: Option<String>,
    /// Custom properties other than `title`.
    pub properties: Props,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Ticket statuses the generator uses (the server accepts any text on PUT).
pub const TICKET_STATUSES: &[&str] = &[
    "New",
    "In Progress",
    "Waiting on Customer",
    "Scheduled",
    "Resolved",
];

/// A ticket as the server stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketRec {
    pub id: u64,
    pub number: u64,
    pub customer_id: u64,
    pub contact_id: Option<u64>,
    pub subject: String,
    pub status: String,
    pub problem_type: Option<String>,
    pub priority: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub due_date: Option<Millis>,
    pub resolved_at: Option<Millis>,
}

/// A customer asset as the server stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssetRec {
    pub id: u64,
    pub customer_id: u64,
    pub contact_id: Option<u64>,
    pub name: String,
    pub asset_type: String,
    pub asset_serial: Option<String>,
    pub properties: Props,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// The Syncro agent runs on it: its answer then carries the agent's inventory in
    /// `properties.kabuto_information` (built at answer time, so the generated data costs
    /// nothing more to hold).
    pub agent: bool,
}

/// A contract as the server stores it (`GET /contracts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContractRec {
    pub id: u64,
    pub customer_id: u64,
    pub name: String,
    pub contract_amount: Option<String>,
    pub start_date: Option<Millis>,
    pub end_date: Option<Millis>,
    pub description: Option<String>,
    /// "Opportunity", "Active", ...
    pub status: String,
    pub likelihood: Option<u32>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// An invoice as the server stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvoiceRec {
    pub id: u64,
    pub customer_id: u64,
    pub number: u64,
    pub ticket_id: Option<u64>,
    /// Amounts in cents.
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    pub is_paid: bool,
    pub date: Millis,
    pub due_date: Millis,
    pub note: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Everything the server knows. Access goes through [`DemoStore`].
#[derive(Debug, Default)]
pub struct Data {
    pub customers: BTreeMap<u64, CustomerRec>,
    pub contacts: BTreeMap<u64, ContactRec>,
    pub tickets: BTreeMap<u64, TicketRec>,
    pub assets: BTreeMap<u64, AssetRec>,
    pub invoices: BTreeMap<u64, InvoiceRec>,
    pub contracts: BTreeMap<u64, ContractRec>,
    /// customer id -> contact ids, ascending.
    pub contacts_of: HashMap<u64, Vec<u64>>,
    /// customer id -> ticket ids, ascending.
    pub tickets_of: HashMap<u64, Vec<u64>>,
    /// customer id -> asset ids, ascending.
    pub assets_of: HashMap<u64, Vec<u64>>,
    pub next_ids: NextIds,
    /// Customer ids in the order of a sort (`"business_name DESC"`), all customers included;
    /// cleared by every customer write.
    pub sort_cache: HashMap<String, Arc<Vec<u64>>>,
}

/// The id the next created record of each kind gets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NextIds {
    pub customer: u64,
    pub contact: u64,
    pub ticket: u64,
    pub ticket_number: u64,
    pub asset: u64,
    pub invoice: u64,
    pub invoice_number: u64,
    pub contract: u64,
}

/// The `--state` file: plain lists, versioned.
#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    next_ids: NextIds,
    customers: Vec<CustomerRec>,
    contacts: Vec<ContactRec>,
    tickets: Vec<TicketRec>,
    assets: Vec<AssetRec>,
    invoices: Vec<InvoiceRec>,
    /// Absent in state files written before contracts were served.
    #[serde(default)]
    contracts: Vec<ContractRec>,
}

const STATE_VERSION: u32 = 1;

fn index_add(index: &mut HashMap<u64, Vec<u64>>, owner: u64, id: u64) {
    let ids = index.entry(owner).or_default();
    match ids.binary_search(&id) {
        Ok(_) => {}
        Err(pos) => ids.insert(pos, id),
    }
}

fn index_remove(index: &mut HashMap<u64, Vec<u64>>, owner: u64, id: u64) {
    if let Some(ids) = index.get_mut(&owner) {
        ids.retain(|x| *x != id);
        if ids.is_empty() {
            index.remove(&owner);
        }
    }
}

impl Data {
    /// Insert or replace a customer (its search key is rebuilt).
    pub fn insert_customer(&mut self, mut c: CustomerRec) {
        c.refresh_key();
        self.sort_cache.clear();
        self.next_ids.customer = self.next_ids.customer.max(c.id + 1);
        self.customers.insert(c.id, c);
    }

    /// Insert or replace a contact (its customer must not change: see `reassign_contact`).
    pub fn insert_contact(&mut self, c: ContactRec) {
        self.next_ids.contact = self.next_ids.contact.max(c.id + 1);
        index_add(&mut self.contacts_of, c.customer_id, c.id);
        self.contacts.insert(c.id, c);
    }

    /// Insert a ticket.
    pub fn insert_ticket(&mut self, t: TicketRec) {
        self.next_ids.ticket = self.next_ids.ticket.max(t.id + 1);
        self.next_ids.ticket_number = self.next_ids.ticket_number.max(t.number + 1);
        index_add(&mut self.tickets_of, t.customer_id, t.id);
        self.tickets.insert(t.id, t);
    }

    /// Insert an asset.
    pub fn insert_asset(&mut self, a: AssetRec) {
        self.next_ids.asset = self.next_ids.asset.max(a.id + 1);
        index_add(&mut self.assets_of, a.customer_id, a.id);
        self.assets.insert(a.id, a);
    }

    /// Insert a contract.
    pub fn insert_contract(&mut self, c: ContractRec) {
        self.next_ids.contract = self.next_ids.contract.max(c.id + 1);
        self.contracts.insert(c.id, c);
    }

    /// Insert an invoice.
    pub fn insert_invoice(&mut self, i: InvoiceRec) {
        self.next_ids.invoice = self.next_ids.invoice.max(i.id + 1);
        self.next_ids.invoice_number = self.next_ids.invoice_number.max(i.number + 1);
        self.invoices.insert(i.id, i);
    }

    /// The contacts of a customer, in id order.
    pub fn contacts_of(&self, customer_id: u64) -> impl Iterator<Item = &ContactRec> {
        self.contacts_of
            .get(&customer_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.contacts.get(id))
    }

    /// Adds `n` contacts that belong to no customer (vendor contacts: `customer_id` 0 here,
    /// `null` on the wire). They are listed by `/contacts` and never embedded in a customer.
    pub fn add_vendor_contacts(&mut self, n: usize) {
        const VENDORS: &[(&str, &str)] = &[
            ("Ingram Support Desk", "support@ingram-micro.test"),
            ("Dell Premier Rep", "premier@dell-partners.test"),
            ("Comcast Business NOC", "noc@comcast-business.test"),
            ("Pax8 Billing", "billing@pax8-demo.test"),
        ];
        let base = 1_700_000_000_000;
        for i in 0..n {
            let (name, email) = VENDORS[i % VENDORS.len()];
            let round = i / VENDORS.len();
            let (name, email) = if round == 0 {
                (name.to_string(), email.to_string())
            } else {
                (
                    format!("{name} {}", round + 1),
                    format!("{}{email}", round + 1),
                )
            };
            let id = self.next_ids.contact.max(1);
            self.insert_contact(ContactRec {
                id,
                customer_id: 0,
                name: Some(name),
                email: Some(email),
                title: Some("Vendor contact".into()),
                created_at: base,
                updated_at: base,
                ..ContactRec::default()
            });
        }
    }

    /// Move a contact to another customer (index kept in step).
    pub fn reassign_contact(&mut self, id: u64, to: u64) {
        if let Some(c) = self.contacts.get_mut(&id)
            && c.customer_id != to
        {
            index_remove(&mut self.contacts_of, c.customer_id, id);
            c.customer_id = to;
            index_add(&mut self.contacts_of, to, id);
        }
    }

    /// Move a ticket to another customer.
    pub fn reassign_ticket(&mut self, id: u64, to: u64) {
        if let Some(t) = self.tickets.get_mut(&id)
            && t.customer_id != to
        {
            index_remove(&mut self.tickets_of, t.customer_id, id);
            t.customer_id = to;
            index_add(&mut self.tickets_of, to, id);
        }
    }

    /// Move an asset to another customer.
    pub fn reassign_asset(&mut self, id: u64, to: u64) {
        if let Some(a) = self.assets.get_mut(&id)
            && a.customer_id != to
        {
            index_remove(&mut self.assets_of, a.customer_id, id);
            a.customer_id = to;
            index_add(&mut self.assets_of, to, id);
        }
    }

    /// Delete a contact.
    pub fn remove_contact(&mut self, id: u64) -> Option<ContactRec> {
        let c = self.contacts.remove(&id)?;
        index_remove(&mut self.contacts_of, c.customer_id, id);
        Some(c)
    }

    /// Hard delete of a customer with everything attached to it (contacts, tickets, assets,
    /// invoices), so nothing is left pointing at a missing customer.
    pub fn remove_customer(&mut self, id: u64) -> Option<CustomerRec> {
        let c = self.customers.remove(&id)?;
        self.sort_cache.clear();
        for cid in self.contacts_of.remove(&id).unwrap_or_default() {
            self.contacts.remove(&cid);
        }
        for tid in self.tickets_of.remove(&id).unwrap_or_default() {
            self.tickets.remove(&tid);
        }
        for aid in self.assets_of.remove(&id).unwrap_or_default() {
            self.assets.remove(&aid);
        }
        self.invoices.retain(|_, inv| inv.customer_id != id);
        self.contracts.retain(|_, k| k.customer_id != id);
        Some(c)
    }

    fn to_state(&self) -> StateFile {
        StateFile {
            version: STATE_VERSION,
            next_ids: self.next_ids.clone(),
            customers: self.customers.values().cloned().collect(),
            contacts: self.contacts.values().cloned().collect(),
            tickets: self.tickets.values().cloned().collect(),
            assets: self.assets.values().cloned().collect(),
            invoices: self.invoices.values().cloned().collect(),
            contracts: self.contracts.values().cloned().collect(),
        }
    }

    fn from_state(s: StateFile) -> Data {
        let mut d = Data {
            next_ids: s.next_ids,
            ..Data::default()
        };
        s.customers.into_iter().for_each(|c| d.insert_customer(c));
        s.contacts.into_iter().for_each(|c| d.insert_contact(c));
        s.tickets.into_iter().for_each(|t| d.insert_ticket(t));
        s.assets.into_iter().for_each(|a| d.insert_asset(a));
        s.invoices.into_iter().for_each(|i| d.insert_invoice(i));
        s.contracts.into_iter().for_each(|c| d.insert_contract(c));
        d
    }
}

/// A shareable handle on the server's data.
///
/// Cloning is cheap. A store outlives the server that serves it, so a test can shut a server down
/// and start a new one on the same port with the same data
/// ([`DemoServer::start_with_store`](super::DemoServer::start_with_store)).
#[derive(Clone)]
pub struct DemoStore {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    data: Mutex<Data>,
    /// Bumped on every write; the state writer compares it with what it last saved.
    generation: AtomicU64,
    /// The generation the state file last received.
    saved_generation: AtomicU64,
    /// One save at a time (the debounced writer and the final flush may overlap).
    saving: Mutex<()>,
    changed: Notify,
}

impl StoreInner {
    fn saved(&self, generation: u64) {
        self.saved_generation
            .fetch_max(generation, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for DemoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoStore")
            .field("customers", &self.customer_count())
            .finish_non_exhaustive()
    }
}

impl DemoStore {
    pub(crate) fn from_data(data: Data) -> DemoStore {
        DemoStore {
            inner: Arc::new(StoreInner {
                data: Mutex::new(data),
                generation: AtomicU64::new(0),
                saved_generation: AtomicU64::new(0),
                saving: Mutex::new(()),
                changed: Notify::new(),
            }),
        }
    }

    /// Generate the curated records followed by generated ones, `customers` in all (at least
    /// the curated set). The same seed always gives the same data.
    pub fn generate(customers: usize, seed: u64) -> DemoStore {
        DemoStore::from_data(super::generate::generate(customers, seed))
    }

    /// Like [`DemoStore::generate`], with exactly `contacts` contacts when given (see
    /// [`DemoConfig::contacts`](super::DemoConfig::contacts)).
    pub fn generate_with_contacts(
        customers: usize,
        contacts: Option<usize>,
        seed: u64,
    ) -> DemoStore {
        DemoStore::from_data(super::generate::generate_with(customers, contacts, seed))
    }

    /// Load a `--state` file written by [`DemoStore::save`].
    pub fn load(path: &Path) -> anyhow::Result<DemoStore> {
        let bytes =
            std::fs::read(path).with_context(|| format!("reading state {}", path.display()))?;
        let state: StateFile = serde_json::from_slice(&bytes)
            .with_context(|| format!("parsing state {}", path.display()))?;
        if state.version != STATE_VERSION {
            anyhow::bail!(
                "state {} has version {}, expected {STATE_VERSION}",
                path.display(),
                state.version
            );
        }
        Ok(DemoStore::from_data(Data::from_state(state)))
    }

    /// Write the data to `path` atomically: a temporary file in the same directory, flushed,
    /// then renamed over the old file, so a crash leaves either the old or the new state.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let _one_at_a_time = self
            .inner
            .saving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = self.generation();
        let json = {
            let data = self.lock();
            serde_json::to_vec(&data.to_state())?
        };
        crate::files::write_private(path, &json)
            .with_context(|| format!("writing state {}", path.display()))?;
        self.inner.saved(generation);
        Ok(())
    }

    /// Number of customers (disabled ones included).
    pub fn customer_count(&self) -> usize {
        self.lock().customers.len()
    }

    /// Number of contacts.
    pub fn contact_count(&self) -> usize {
        self.lock().contacts.len()
    }

    /// Adds a contract for `customer_id` (the spec documents no create, so tests and scripts
    /// put contracts here); returns its id.
    pub fn add_contract(&self, customer_id: u64, name: &str, status: &str) -> u64 {
        let id = {
            let mut data = self.lock();
            let now = now_millis();
            let id = data.next_ids.contract.max(1);
            data.insert_contract(ContractRec {
                id,
                customer_id,
                name: name.to_string(),
                contract_amount: Some("0".into()),
                description: Some(name.to_string()),
                status: status.to_string(),
                likelihood: Some(100),
                start_date: Some(now),
                // A year, as the spec's example runs.
                end_date: Some(now + 365 * 24 * 3600 * 1000),
                created_at: now,
                updated_at: now,
            });
            id
        };
        self.touch();
        id
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters for a demo; keep serving rather than poisoning every later request.
        self.inner
            .data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Record that a write happened (wakes the state writer).
    pub(crate) fn touch(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner.changed.notify_one();
    }

    pub(crate) fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    pub(crate) fn saved_generation(&self) -> u64 {
        self.inner.saved_generation.load(Ordering::SeqCst)
    }

    pub(crate) async fn changed(&self) {
        self.inner.changed.notified().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_fields_and_sort_name() {
        let mut c = CustomerRec {
            firstname: Some("Zoë".into()),
            lastname: Some("ÅKESSON".into()),
            email: Some("Zoe@Example.com".into()),
            city: Some("Denver".into()),
            ..CustomerRec::default()
        };
        c.refresh_key();
        assert_eq!(c.key.get(Field::Business), "");
        assert_eq!(c.key.get(Field::Last), "åkesson");
        assert_eq!(c.key.get(Field::Full), "zoë åkesson");
        assert_eq!(c.key.get(Field::City), "denver");
        assert_eq!(c.key.sort_name(), "zoë åkesson");
        assert_eq!(
            c.key.names_and_email(),
            "\nzoë\nåkesson\nzoë åkesson\nzoe@example.com"
        );
        c.business_name = Some("Sunrise Bakery".into());
        c.refresh_key();
        assert_eq!(c.key.sort_name(), "sunrise bakery");
    }

    #[test]
    fn props_serialise_as_an_object_and_replace_keys() {
        let mut p = Props::default();
        p.insert("title".into(), "Owner".into());
        p.insert("title".into(), "CFO".into());
        p.insert(String::from("Tier").into(), "Gold".into());
        assert_eq!(p.len(), 2);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json, serde_json::json!({"title": "CFO", "Tier": "Gold"}));
        let back: Props = serde_json::from_value(json).unwrap();
        assert_eq!(back.get("Tier"), Some(&Value::from("Gold")));
    }
}
