//! The change log: one JSON line per write the app made to an account, so that a technician can
//! see what the app changed and take it back ([`crate::flows::undo`]).
//!
//! The log of a profile is `<data_dir>/changes-<profile>.jsonl` (the profile name made safe for
//! a file name, as the mirror's file is). It is keyed by the profile rather than by the server
//! so that a technician finds it under the name they know; every entry still records the
//! server's base URL, and an undo is refused on another server than the entry's (its IDs would
//! be other records there). The API key is never written: only the base URL, without a query
//! string or user information.
//!
//! An entry says when, on which server, what kind of change (create, update, delete, retire,
//! reinstate, move, merge step, bulk, onboard, undo), which record (customer or contact, id, a
//! label, the customer of a contact), the values before and after of the fields written (only
//! those), an optional group (one bulk edit, one merge, one onboarding: undone as a unit), and
//! for a delete the whole record as it was, so that it can be re-created.
//!
//! Appends are one `write` of one whole line to a file opened in append mode: two app instances
//! appending at once produce whole lines (the kernel serialises appends to a regular file). A
//! line torn by a crash is skipped by readers, and the next append starts on a fresh line.
//! Nothing here panics; I/O errors are returned for the caller to show.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::model::{Contact, Customer, Id, Patch};
use crate::domain::Record;
use crate::roles::Title;

/// What kind of change an entry records (what the technician did).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
    /// A contact marked as left (the title's marker).
    Retire,
    /// A contact's marker removed.
    Reinstate,
    /// A contact moved to another customer.
    Move,
    /// One step of a customer or contact merge.
    MergeStep,
    /// One record of a bulk edit.
    Bulk,
    /// A record created by the onboarding.
    Onboard,
    /// The undo of another entry ([`Entry::undoes`]).
    Undo,
}

impl ChangeKind {
    /// How the kind reads in the log ("merge step").
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
            ChangeKind::Retire => "retire",
            ChangeKind::Reinstate => "reinstate",
            ChangeKind::Move => "move",
            ChangeKind::MergeStep => "merge step",
            ChangeKind::Bulk => "bulk",
            ChangeKind::Onboard => "onboard",
            ChangeKind::Undo => "undo",
        }
    }
}

/// What the write did at the server, whatever the kind: what an undo has to reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A POST: the record did not exist before.
    Create,
    /// A PUT of the fields in [`Entry::fields`].
    Update,
    /// A DELETE: [`Entry::snapshot`] holds the record as it was.
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Customer,
    Contact,
}

/// The record an entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: Id,
    /// The customer's display name or the contact's name, as it was at the time.
    pub label: String,
    /// The customer of a contact (before a move: the one it was on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Id>,
}

impl RecordRef {
    pub fn customer(c: &Customer) -> RecordRef {
        RecordRef {
            kind: RecordKind::Customer,
            id: c.id,
            label: customer_label(c),
            customer_id: None,
        }
    }

    pub fn contact(c: &Contact) -> RecordRef {
        RecordRef {
            kind: RecordKind::Contact,
            id: c.id,
            label: contact_label(c),
            customer_id: c.customer_id,
        }
    }

    /// "customer Acme Dental (#21000001)".
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            RecordKind::Customer => "customer",
            RecordKind::Contact => "contact",
        };
        format!("{kind} {} (#{})", self.label, self.id)
    }
}

/// One field written: its value before and after, as JSON (`null` for empty).
///
/// Field names are the API's (`city`, `tax_rate_id`, `customer_id`), a contact's `title`
/// (stored by Syncro as `properties.title`), or `properties.NAME` for a custom property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// A whole record as it was (for a delete), or as it was created.
// A log line, written and read once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Snapshot {
    /// With its contacts embedded, as `GET /customers/{id}` returns them.
    Customer(Customer),
    Contact(Contact),
}

impl Snapshot {
    pub fn record(&self) -> RecordRef {
        match self {
            Snapshot::Customer(c) => RecordRef::customer(c),
            Snapshot::Contact(c) => RecordRef::contact(c),
        }
    }

    /// The current value of `field` (see [`FieldChange`] for the names).
    pub fn value(&self, field: &str) -> Value {
        match self {
            Snapshot::Customer(c) => customer_value(c, field),
            Snapshot::Contact(c) => contact_value(c, field),
        }
    }
}

impl From<Customer> for Snapshot {
    fn from(c: Customer) -> Self {
        Snapshot::Customer(c)
    }
}

impl From<Contact> for Snapshot {
    fn from(c: Contact) -> Self {
        Snapshot::Contact(c)
    }
}

impl From<&Customer> for Snapshot {
    fn from(c: &Customer) -> Self {
        Snapshot::Customer(c.clone())
    }
}

impl From<&Contact> for Snapshot {
    fn from(c: &Contact) -> Self {
        Snapshot::Contact(c.clone())
    }
}

impl From<Record> for Snapshot {
    fn from(r: Record) -> Self {
        match r {
            Record::Customer(c) => Snapshot::Customer(c),
            Record::Contact(c) => Snapshot::Contact(c),
        }
    }
}

impl From<&Record> for Snapshot {
    fn from(r: &Record) -> Self {
        r.clone().into()
    }
}

/// One line of the change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique ("20260501T101112.345Z-9f3a01c2"); deterministic for bulk items
    /// (`GROUP-RECORD`), so that a resumed run can tell it logged a write already.
    pub id: String,
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    /// The API's base URL (no key, no query string).
    pub server: String,
    pub kind: ChangeKind,
    pub action: Action,
    pub record: RecordRef,
    /// The fields written, with their values before and after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// One bulk edit, one merge, one onboarding, one undo of a group: undone as a unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// For a delete, the record as it was (a customer with its contacts); for a create, the
    /// record as the server answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// For an undo: the id of the entry it undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// For a record re-created from a deleted one's copy: the deleted record's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recreates: Option<Id>,
    /// What the change was about, in words ("Set Customer Type to Government").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A fresh entry id: the time and 32 random bits.
pub fn new_id() -> String {
    format!(
        "{}-{:08x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        rand::random::<u32>()
    )
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A base URL fit for the log: no query string or fragment (where a key could hide), no user
/// information.
pub fn public_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or("");
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    }
}

impl Entry {
    /// An entry with nothing but its kind, action and record; the builders below fill it.
    pub fn new(kind: ChangeKind, action: Action, record: RecordRef) -> Entry {
        Entry {
            id: new_id(),
            at: now(),
            server: String::new(),
            kind,
            action,
            record,
            fields: Vec::new(),
            group: None,
            snapshot: None,
            undoes: None,
            recreates: None,
            note: None,
        }
    }

    /// The update of a customer by `patch`, read against the customer as it was before.
    /// Only fields whose value changes are recorded; `properties` become one field per property
    /// that changes (`properties.Customer Type`).
    pub fn update(before: &Customer, patch: &Patch) -> Entry {
        let mut e = Entry::new(
            ChangeKind::Update,
            Action::Update,
            RecordRef::customer(before),
        );
        e.fields = patch_fields(patch, |f| customer_value(before, f), None);
        e
    }

    /// [`Entry::update`] with the values after taken from the server's answer (which may have
    /// normalised them: phone digits, trimmed text).
    pub fn update_answered(before: &Customer, patch: &Patch, answer: &Customer) -> Entry {
        let mut e = Entry::update(before, patch);
        for f in &mut e.fields {
            f.after = customer_value(answer, &f.field);
        }
        e.record.label = customer_label(answer);
        e
    }

    /// The update of a contact by `patch`. The kind is told from what changes: a new
    /// `customer_id` is a move, a title whose only change is the marker of a contact who left
    /// is a retire or a reinstate, anything else an update. The `name` every contact PUT
    /// carries is recorded only when it changes.
    pub fn contact_update(before: &Contact, patch: &Patch) -> Entry {
        let mut e = Entry::new(
            ChangeKind::Update,
            Action::Update,
            RecordRef::contact(before),
        );
        e.fields = patch_fields(patch, |f| contact_value(before, f), Some(before));
        e.kind = contact_kind(&e.fields);
        e
    }

    /// [`Entry::contact_update`] with the values after taken from the server's answer.
    pub fn contact_update_answered(before: &Contact, patch: &Patch, answer: &Contact) -> Entry {
        let mut e = Entry::contact_update(before, patch);
        for f in &mut e.fields {
            f.after = contact_value(answer, &f.field);
        }
        e
    }

    /// A record created (the server's answer): its non-empty fields are recorded as written,
    /// and the record itself as the snapshot.
    pub fn create(record: impl Into<Snapshot>) -> Entry {
        let snap: Snapshot = record.into();
        let mut e = Entry::new(ChangeKind::Create, Action::Create, snap.record());
        let fields: &[&str] = match &snap {
            Snapshot::Customer(_) => CUSTOMER_FIELDS,
            Snapshot::Contact(_) => CONTACT_FIELDS,
        };
        let mut names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        if let Snapshot::Customer(c) = &snap {
            names.extend(c.properties.keys().map(|k| format!("{PROPERTY_PREFIX}{k}")));
        }
        e.fields = names
            .into_iter()
            .filter_map(|field| {
                let after = snap.value(&field);
                (!is_empty(&after)).then_some(FieldChange {
                    field,
                    before: Value::Null,
                    after,
                })
            })
            .collect();
        e.snapshot = Some(snap);
        e
    }

    /// A record deleted: `record` is the whole record as it was just before (a customer with
    /// its contacts: re-read it before deleting), kept so that it can be re-created.
    pub fn delete(record: impl Into<Snapshot>) -> Entry {
        let snap: Snapshot = record.into();
        let mut e = Entry::new(ChangeKind::Delete, Action::Delete, snap.record());
        e.snapshot = Some(snap);
        e
    }

    pub fn with_kind(mut self, kind: ChangeKind) -> Entry {
        self.kind = kind;
        self
    }

    pub fn with_group(mut self, group: impl Into<String>) -> Entry {
        self.group = Some(group.into());
        self
    }

    /// The server the write went to (its base URL; anything after `?` is dropped).
    pub fn with_server(mut self, base_url: &str) -> Entry {
        self.server = public_url(base_url);
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Entry {
        self.note = Some(note.into());
        self
    }

    /// The fields written, as one line ("Customer Type: Business → Government").
    pub fn fields_text(&self) -> String {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                format!(
                    "{}: {} → {}",
                    field_label(&f.field),
                    shown(&f.before),
                    shown(&f.after)
                )
            })
            .collect();
        parts.join("; ")
    }

    /// One line for the log screen: "update customer Acme Dental (#1): City: Salem → Portland".
    pub fn summary(&self) -> String {
        let mut s = format!("{} {}", self.kind.label(), self.record.describe());
        if let Some(n) = &self.note {
            s.push_str(" — ");
            s.push_str(n);
        }
        let fields = self.fields_text();
        if !fields.is_empty() && self.action == Action::Update {
            s.push_str(": ");
            s.push_str(&fields);
        }
        s
    }
}

/// The fields of `patch` whose value differs from `before`'s.
fn patch_fields(
    patch: &Patch,
    before: impl Fn(&str) -> Value,
    contact: Option<&Contact>,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for (key, value) in patch {
        if key == "properties" {
            let Value::Object(props) = value else {
                continue;
            };
            for (name, v) in props {
                // A contact's `properties.title` is its title.
                let field = if contact.is_some() && name == "title" {
                    "title".to_string()
                } else {
                    format!("{PROPERTY_PREFIX}{name}")
                };
                if patch.contains_key("title") && field == "title" {
                    continue;
                }
                push_change(&mut out, field, before(&field_key(contact, name)), v);
            }
        } else {
            push_change(&mut out, key.clone(), before(key), value);
        }
    }
    out
}

fn field_key(contact: Option<&Contact>, property: &str) -> String {
    if contact.is_some() && property == "title" {
        "title".into()
    } else {
        format!("{PROPERTY_PREFIX}{property}")
    }
}

fn push_change(out: &mut Vec<FieldChange>, field: String, before: Value, after: &Value) {
    if !same_value(&field, &before, after) {
        out.push(FieldChange {
            field,
            before,
            after: normalise(after),
        });
    }
}

fn contact_kind(fields: &[FieldChange]) -> ChangeKind {
    if fields.iter().any(|f| f.field == "customer_id") {
        return ChangeKind::Move;
    }
    if let [f] = fields
        && f.field == "title"
    {
        let b = Title::read(&value_text(&f.before));
        let a = Title::read(&value_text(&f.after));
        if b.roles == a.roles && b.job == a.job && b.retired != a.retired {
            return if a.retired {
                ChangeKind::Retire
            } else {
                ChangeKind::Reinstate
            };
        }
    }
    ChangeKind::Update
}

/// The prefix of a custom property's field name.
pub const PROPERTY_PREFIX: &str = "properties.";

/// Customer fields a create records (the writable ones, as `syncro-api.md` lists them).
pub const CUSTOMER_FIELDS: &[&str] = &[
    "business_name",
    "firstname",
    "lastname",
    "email",
    "phone",
    "mobile",
    "address",
    "address_2",
    "city",
    "state",
    "zip",
    "notes",
    "referred_by",
    "ref_customer_id",
    "tax_rate_id",
    "notification_email",
    "invoice_cc_emails",
    "invoice_term_id",
    "get_sms",
    "opt_out",
    "no_email",
];

/// Contact fields a create records.
pub const CONTACT_FIELDS: &[&str] = &[
    "name",
    "email",
    "phone",
    "mobile",
    "extension",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "notes",
    "title",
    "customer_id",
];

fn text(v: &Option<String>) -> Value {
    match v {
        Some(s) => Value::String(s.clone()),
        None => Value::Null,
    }
}

fn id(v: Option<Id>) -> Value {
    v.map_or(Value::Null, Value::from)
}

fn flag(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

/// A customer's value of `field` (`null` when empty or unknown).
pub fn customer_value(c: &Customer, field: &str) -> Value {
    if let Some(name) = field.strip_prefix(PROPERTY_PREFIX) {
        return c.properties.get(name).cloned().unwrap_or(Value::Null);
    }
    match field {
        "id" => Value::from(c.id),
        "business_name" => text(&c.business_name),
        "firstname" => text(&c.firstname),
        "lastname" => text(&c.lastname),
        "email" => text(&c.email),
        "phone" => text(&c.phone),
        "mobile" => text(&c.mobile),
        "address" => text(&c.address),
        "address_2" => text(&c.address_2),
        "city" => text(&c.city),
        "state" => text(&c.state),
        "zip" => text(&c.zip),
        "notes" => text(&c.notes),
        "referred_by" => text(&c.referred_by),
        "ref_customer_id" => id(c.ref_customer_id),
        "tax_rate_id" => id(c.tax_rate_id),
        "notification_email" => text(&c.notification_email),
        "invoice_cc_emails" => text(&c.invoice_cc_emails),
        "invoice_term_id" => id(c.invoice_term_id),
        "get_sms" => flag(c.get_sms),
        "opt_out" => flag(c.opt_out),
        "no_email" => flag(c.no_email),
        _ => Value::Null,
    }
}

/// A contact's value of `field`; `title` is `properties.title`.
pub fn contact_value(c: &Contact, field: &str) -> Value {
    if let Some(name) = field.strip_prefix(PROPERTY_PREFIX) {
        return c.properties.get(name).cloned().unwrap_or(Value::Null);
    }
    match field {
        "id" => Value::from(c.id),
        "name" => text(&c.name),
        "email" => text(&c.email),
        "phone" => text(&c.phone),
        "mobile" => text(&c.mobile),
        "extension" => text(&c.extension),
        "address1" => text(&c.address1),
        "address2" => text(&c.address2),
        "city" => text(&c.city),
        "state" => text(&c.state),
        "zip" => text(&c.zip),
        "notes" => text(&c.notes),
        "title" => text(&c.title()),
        "customer_id" => id(c.customer_id),
        "opt_out" => flag(c.opt_out),
        _ => Value::Null,
    }
}

/// A value as text: `""` for null, strings as they are, the rest as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_empty(v: &Value) -> bool {
    value_text(v).trim().is_empty()
}

/// `""` becomes `null` (Syncro sends both for "empty").
fn normalise(v: &Value) -> Value {
    if is_empty(v) { Value::Null } else { v.clone() }
}

/// Whether two values of `field` are the same as far as Syncro is concerned: empty equals
/// null, surrounding spaces do not count, a number equals its text, phone numbers compare by
/// their digits (Syncro strips a customer's phone formatting).
pub fn same_value(field: &str, a: &Value, b: &Value) -> bool {
    let (x, y) = (value_text(a), value_text(b));
    let (x, y) = (x.trim(), y.trim());
    if x == y {
        return true;
    }
    if matches!(field, "phone" | "mobile") {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        return digits(x) == digits(y);
    }
    false
}

/// How a value shows in the log and previews: `—` for empty.
pub fn shown(v: &Value) -> String {
    let t = value_text(v);
    let t = t.trim();
    if t.is_empty() {
        "—".into()
    } else {
        t.replace(['\n', '\r'], " ⏎ ")
    }
}

/// A field's name for people ("tax_rate_id" → "Tax rate ID", "properties.Tier" → "Tier").
pub fn field_label(field: &str) -> String {
    if let Some(name) = field.strip_prefix(PROPERTY_PREFIX) {
        return name.to_string();
    }
    match field {
        "business_name" => "Business name",
        "firstname" => "First name",
        "lastname" => "Last name",
        "email" => "E-mail",
        "phone" => "Phone",
        "mobile" => "Mobile",
        "address" | "address1" => "Address",
        "address_2" | "address2" => "Address 2",
        "city" => "City",
        "state" => "State",
        "zip" => "ZIP",
        "notes" => "Notes",
        "referred_by" => "Referred by",
        "tax_rate_id" => "Tax rate ID",
        "customer_id" => "Customer",
        "title" => "Title",
        "name" => "Name",
        other => other,
    }
    .to_string()
}

fn customer_label(c: &Customer) -> String {
    let name = c.display_name();
    if name.trim().is_empty() {
        format!("customer {}", c.id)
    } else {
        name
    }
}

fn contact_label(c: &Contact) -> String {
    c.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("contact {}", c.id))
}

/// The append-only change log of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLog {
    path: PathBuf,
}

/// The log's file for a profile: `<data_dir>/changes-<profile>.jsonl`.
pub fn log_path(data_dir: &Path, profile: &str) -> PathBuf {
    data_dir.join(format!(
        "changes-{}.jsonl",
        crate::mirror::store::safe_name(profile)
    ))
}

impl ChangeLog {
    /// The log of `profile` under `data_dir`. Nothing is read or created until used.
    pub fn open(data_dir: &Path, profile: &str) -> ChangeLog {
        ChangeLog {
            path: log_path(data_dir, profile),
        }
    }

    /// A log at an explicit path.
    pub fn at(path: impl Into<PathBuf>) -> ChangeLog {
        ChangeLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry as one line (the file is created 0600, with its directory). An entry
    /// without a server is refused: an undo needs to know where the write went.
    pub fn append(&self, entry: &Entry) -> io::Result<()> {
        if entry.server.trim().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a change-log entry needs the server it was written to",
            ));
        }
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        if let Some(dir) = self.path.parent()
            && !dir.as_os_str().is_empty()
        {
            fs::create_dir_all(dir)?;
        }
        let mut opts = fs::OpenOptions::new();
        opts.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&self.path)?;
        // Another instance (or task) appending at the same time must not see our line half
        // written, nor we its: the check for a torn line and the write go under one lock,
        // released when `f` closes.
        #[cfg(unix)]
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)?;
        // A line torn by a crash must not swallow this one: start on a fresh line.
        if f.seek(SeekFrom::End(0))? > 0 {
            f.seek(SeekFrom::End(-1))?;
            let mut last = [0u8; 1];
            f.read_exact(&mut last)?;
            if last[0] != b'\n' {
                line.insert(0, b'\n');
            }
        }
        // One write call for the whole line: appends of another process cannot land inside it.
        let n = f.write(&line)?;
        if n < line.len() {
            f.write_all(&line[n..])?;
        }
        f.sync_data()
    }

    /// Every readable entry, oldest first (a missing log is empty; torn or foreign lines are
    /// skipped).
    pub fn read_all(&self) -> io::Result<Vec<Entry>> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .filter_map(|l| serde_json::from_slice::<Entry>(l).ok())
            .collect())
    }

    /// The newest `cap` entries, newest first (what `:log` shows).
    pub fn read(&self, cap: usize) -> io::Result<Vec<Entry>> {
        let mut all = self.read_all()?;
        let keep = all.len().saturating_sub(cap);
        all.drain(..keep);
        all.reverse();
        Ok(all)
    }

    /// The entries of one group, in the order they were written.
    pub fn group(&self, group: &str) -> io::Result<Vec<Entry>> {
        Ok(self
            .read_all()?
            .into_iter()
            .filter(|e| e.group.as_deref() == Some(group))
            .collect())
    }

    /// The entry with this id.
    pub fn find(&self, id: &str) -> io::Result<Option<Entry>> {
        Ok(self.read_all()?.into_iter().find(|e| e.id == id))
    }

    /// The undo that undid the entry `id`, if one did.
    pub fn undone_by(&self, id: &str) -> io::Result<Option<Entry>> {
        Ok(self
            .read_all()?
            .into_iter()
            .find(|e| e.undoes.as_deref() == Some(id)))
    }
}

/// The entries matching `text`: every word of it (case ignored) in the record's label or id,
/// a field's name or label, the kind, or the note. Blank text matches everything.
pub fn filter<'a>(entries: &'a [Entry], text: &str) -> Vec<&'a Entry> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    entries
        .iter()
        .filter(|e| {
            if words.is_empty() {
                return true;
            }
            let mut hay = vec![
                e.record.label.to_lowercase(),
                e.record.id.to_string(),
                e.kind.label().to_string(),
                e.note.clone().unwrap_or_default().to_lowercase(),
            ];
            for f in &e.fields {
                hay.push(f.field.to_lowercase());
                hay.push(field_label(&f.field).to_lowercase());
                hay.push(value_text(&f.before).to_lowercase());
                hay.push(value_text(&f.after).to_lowercase());
            }
            words
                .iter()
                .all(|w| hay.iter().any(|h| h.contains(w.as_str())))
        })
        .collect()
}

/// The entries of `group`, in the order given.
pub fn group_of<'a>(entries: &'a [Entry], group: &str) -> Vec<&'a Entry> {
    entries
        .iter()
        .filter(|e| e.group.as_deref() == Some(group))
        .collect()
}

/// For each entry id that was undone, the undo that did it.
pub fn undo_index(entries: &[Entry]) -> HashMap<&str, &Entry> {
    entries
        .iter()
        .filter_map(|e| e.undoes.as_deref().map(|id| (id, e)))
        .collect()
}

/// What `U` ("undo the last change") undoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoTarget {
    /// One entry, by id.
    Entry(String),
    /// A whole group, by group id.
    Group(String),
}

/// The last change not undone yet and not itself an undo: its group when it has one. `entries`
/// in any order (the newest by time wins).
pub fn last_change(entries: &[Entry]) -> Option<UndoTarget> {
    let undone = undo_index(entries);
    entries
        .iter()
        .filter(|e| e.kind != ChangeKind::Undo && !undone.contains_key(e.id.as_str()))
        .max_by(|a, b| a.at.cmp(&b.at))
        .map(|e| match &e.group {
            Some(g) => UndoTarget::Group(g.clone()),
            None => UndoTarget::Entry(e.id.clone()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer(v: Value) -> Customer {
        serde_json::from_value(v).unwrap()
    }

    fn contact(v: Value) -> Contact {
        serde_json::from_value(v).unwrap()
    }

    fn patch(v: Value) -> Patch {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn an_update_records_only_the_fields_that_change_and_properties_one_by_one() {
        let before = customer(json!({"id": 7, "business_name": "Acme", "city": "Salem",
            "phone": "5035550100", "tax_rate_id": 3,
            "properties": {"Customer Type": "Business", "Tier": "Gold"}}));
        let p = patch(
            json!({"city": "Portland", "phone": "(503) 555-0100", "tax_rate_id": 4,
            "properties": {"Customer Type": "Government", "Tier": "Gold"}}),
        );
        let e = Entry::update(&before, &p).with_server("https://x.syncromsp.com/api/v1?api_key=s");
        assert_eq!(e.kind, ChangeKind::Update);
        assert_eq!(e.record.label, "Acme");
        assert_eq!(e.server, "https://x.syncromsp.com/api/v1");
        let fields: Vec<(&str, Value, Value)> = e
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.before.clone(), f.after.clone()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("city", json!("Salem"), json!("Portland")),
                (
                    "properties.Customer Type",
                    json!("Business"),
                    json!("Government")
                ),
                ("tax_rate_id", json!(3), json!(4)),
            ]
        );
        assert_eq!(
            e.fields_text(),
            "City: Salem → Portland; Customer Type: Business → Government; Tax rate ID: 3 → 4"
        );
    }

    #[test]
    fn a_contact_update_tells_a_move_a_retire_and_a_reinstate_apart() {
        let before = contact(json!({"id": 5, "customer_id": 1, "name": "Ann",
            "properties": {"title": "Billing Contact - AP"}}));
        let mv = Entry::contact_update(&before, &patch(json!({"name": "Ann", "customer_id": 2})));
        assert_eq!(mv.kind, ChangeKind::Move);
        assert_eq!(mv.fields.len(), 1, "the unchanged name is not recorded");
        assert_eq!(mv.record.customer_id, Some(1));
        let retire = Entry::contact_update(
            &before,
            &patch(json!({"name": "Ann", "title": "(left) Billing Contact - AP"})),
        );
        assert_eq!(retire.kind, ChangeKind::Retire);
        let retired = contact(json!({"id": 5, "name": "Ann",
            "properties": {"title": "(left) Billing Contact - AP"}}));
        let back = Entry::contact_update(
            &retired,
            &patch(json!({"name": "Ann", "title": "Billing Contact - AP"})),
        );
        assert_eq!(back.kind, ChangeKind::Reinstate);
        let edit = Entry::contact_update(&before, &patch(json!({"name": "Ann B"})));
        assert_eq!(edit.kind, ChangeKind::Update);
    }

    #[test]
    fn create_and_delete_keep_the_record() {
        let c = customer(
            json!({"id": 9, "business_name": "Zephyr", "email": "z@x.example",
            "properties": {"Customer Type": "Business"},
            "contacts": [{"id": 90, "name": "Ava"}]}),
        );
        let e = Entry::create(&c);
        assert_eq!(e.action, Action::Create);
        let names: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            vec!["business_name", "email", "properties.Customer Type"]
        );
        let d = Entry::delete(c.clone()).with_server("http://127.0.0.1:1/api/v1");
        assert_eq!(d.snapshot, Some(Snapshot::Customer(c)));
        // A snapshot survives the log's round trip, contacts included.
        let line = serde_json::to_string(&d).unwrap();
        let back: Entry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn urls_lose_keys_and_user_information() {
        assert_eq!(
            public_url("https://u:p@acme.syncromsp.com/api/v1?api_key=k#x"),
            "https://acme.syncromsp.com/api/v1"
        );
        assert_eq!(public_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    fn entry(label: &str, kind: ChangeKind, field: &str, at: &str) -> Entry {
        let mut e = Entry::new(
            kind,
            Action::Update,
            RecordRef {
                kind: RecordKind::Customer,
                id: 1,
                label: label.into(),
                customer_id: None,
            },
        )
        .with_server("http://s/api/v1");
        e.at = at.into();
        e.fields.push(FieldChange {
            field: field.into(),
            before: Value::Null,
            after: json!("x"),
        });
        e
    }

    #[test]
    fn the_filter_matches_labels_fields_and_kinds() {
        let entries = vec![
            entry("Acme Dental", ChangeKind::Update, "city", "1"),
            entry("Zephyr", ChangeKind::Bulk, "properties.Customer Type", "2"),
            entry("Bolt Legal", ChangeKind::Move, "customer_id", "3"),
        ];
        let labels = |t: &str| -> Vec<String> {
            filter(&entries, t)
                .iter()
                .map(|e| e.record.label.clone())
                .collect()
        };
        assert_eq!(labels(""), vec!["Acme Dental", "Zephyr", "Bolt Legal"]);
        assert_eq!(labels("acme"), vec!["Acme Dental"]);
        assert_eq!(labels("customer type"), vec!["Zephyr"]);
        assert_eq!(labels("bulk"), vec!["Zephyr"]);
        assert_eq!(labels("ZIP"), Vec::<String>::new());
        assert_eq!(labels("move bolt"), vec!["Bolt Legal"]);
        assert_eq!(labels("move acme"), Vec::<String>::new());
    }

    #[test]
    fn the_log_reads_newest_first_with_a_cap_and_skips_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = ChangeLog::open(dir.path(), "acme/prod");
        assert_eq!(log.path(), dir.path().join("changes-acme_prod.jsonl"));
        assert!(log.read(10).unwrap().is_empty());
        for i in 0..5 {
            log.append(&entry(&format!("c{i}"), ChangeKind::Update, "city", "t"))
                .unwrap();
        }
        // A crash tore a line: it is skipped, and the next append starts a fresh line.
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(b"{\"id\":\"torn").unwrap();
        log.append(&entry("c5", ChangeKind::Update, "city", "t"))
            .unwrap();
        let labels: Vec<String> = log
            .read(3)
            .unwrap()
            .iter()
            .map(|e| e.record.label.clone())
            .collect();
        assert_eq!(labels, vec!["c5", "c4", "c3"]);
        assert_eq!(log.read_all().unwrap().len(), 6);
        let no_server = Entry::new(
            ChangeKind::Update,
            Action::Update,
            RecordRef {
                kind: RecordKind::Customer,
                id: 1,
                label: "x".into(),
                customer_id: None,
            },
        );
        assert!(log.append(&no_server).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(log.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn two_appenders_at_once_write_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let big = "x".repeat(3000);
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let log = ChangeLog::open(dir.path(), "p");
                let big = big.clone();
                std::thread::spawn(move || {
                    for i in 0..200 {
                        let e = entry(&format!("{t}-{i}"), ChangeKind::Update, "notes", "t")
                            .with_note(big.clone());
                        log.append(&e).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = fs::read_to_string(log_path(dir.path(), "p")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 400);
        for l in &lines {
            let e: Entry = serde_json::from_str(l).unwrap();
            assert_eq!(e.note.as_deref(), Some(big.as_str()));
        }
        for t in 0..2 {
            for i in 0..200 {
                let label = format!("{t}-{i}");
                assert_eq!(
                    lines
                        .iter()
                        .filter(|l| l.contains(&format!("\"label\":\"{label}\"")))
                        .count(),
                    1
                );
            }
        }
    }

    #[test]
    fn the_last_change_skips_undos_and_what_they_undid_and_takes_the_group() {
        let a = entry("a", ChangeKind::Update, "city", "2026-01-01T00:00:01Z");
        let b = entry("b", ChangeKind::Bulk, "city", "2026-01-01T00:00:02Z").with_group("g1");
        let mut undo_b = entry("ub", ChangeKind::Undo, "city", "2026-01-01T00:00:03Z");
        undo_b.undoes = Some(b.id.clone());
        let entries = vec![a.clone(), b.clone(), undo_b.clone()];
        assert_eq!(last_change(&entries), Some(UndoTarget::Entry(a.id.clone())));
        assert_eq!(
            last_change(&entries[..2]),
            Some(UndoTarget::Group("g1".into()))
        );
        assert_eq!(undo_index(&entries).get(b.id.as_str()), Some(&&undo_b));
        assert_eq!(group_of(&entries, "g1"), vec![&b]);
    }
}
