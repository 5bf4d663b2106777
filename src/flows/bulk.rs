//! Bulk edits: one change ([`BulkChange`]) applied to many customers or contacts, one PUT per
//! record behind the client's rate limiter, journaled and resumable, checked for conflicts.
//!
//! Use: [`BulkPlan::new`] (or [`BulkPlan::for_customers`] / [`BulkPlan::for_contacts`]) turns
//! the change and the records as the app holds them into items with their old and new value
//! ([`BulkPlan::preview`]); records that already have the new value are skipped. The preview
//! says how many requests the run takes ([`BulkPlan::requests`]) and how long at the rate limit
//! ([`BulkPlan::duration_at`]). [`BulkRun::start`] writes the journal
//! (`<data_dir>/flows/bulk-<id>.json`) before anything is sent; [`BulkRun::execute`] runs the
//! items not finished yet, in order, saving the journal around every record, and stops at the
//! first failure. [`BulkRun::pending`] lists unfinished runs of an account after a restart.
//!
//! # Conflicts, and what the checks cost
//! A record changed on the server since the app read it is not overwritten. Before writing,
//! the run reads the current values of the next [`CHECK_BATCH`] records in one request:
//! customers with `GET /customers?id[]=..&include_disabled=true` (the list endpoint takes
//! `id[]`), contacts through their customers' records, which embed their contacts (the same
//! list call, with the customers' ids). Then, field by field: a record that already has the new
//! value is skipped (or, when this run sent it before and the answer was lost, counted as done),
//! one that has neither the old nor the new value is a conflict, reported with the server's
//! value and left alone; the rest are written.
//!
//! A run of N records to change takes N PUTs plus `ceil(N / 50)` check reads (2%): 306
//! requests for 300 records. A contact missing from its customer's embedded list (moved or
//! deleted meanwhile, or a server that does not embed contacts) costs one `GET /contacts/{id}`
//! more. A check is up to one batch old when its record is written (about 17 s at Syncro's 180
//! requests a minute): the API has no conditional PUT, so this is as close as it gets.
//!
//! # Resuming without sending twice
//! An item's `attempts` is saved before its PUT is sent and its status after the answer. A
//! resume (after a failure, a quit, a crash) re-checks the items not finished: an item the
//! server already has the new value of is not sent again, and one whose earlier attempt was
//! applied while its answer was lost is counted as done and logged once (change-log entries of
//! a run have deterministic ids, `RUN-RECORD`).
//!
//! Every write appends an entry of kind `bulk` to the change log, grouped by the run's id, so
//! that [`crate::flows::undo`] can undo the edit as one unit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FlowEnv, FlowError, now};
use crate::api::model::{Contact, Customer, CustomerQuery, Id, Patch};
use crate::api::{ApiError, SyncroClient};
use crate::changelog::{
    Action, ChangeKind, ChangeLog, Entry, FieldChange, PROPERTY_PREFIX, RecordKind, RecordRef,
    Snapshot, same_value, shown,
};
use crate::domain::{CUSTOMER_TYPES, Record, customer_type};
use crate::roles::{ContactRole, Title};

/// Records whose current values one check read fetches.
pub const CHECK_BATCH: usize = 50;

/// Field name → value (see [`crate::changelog::FieldChange`] for the names).
pub type Fields = BTreeMap<String, Value>;

/// One change for many records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum BulkChange {
    /// Customers: the type. `property` is the config's `customer_type_property`. Residential
    /// means no business name (the business name is cleared, as the form does), so it needs a
    /// first and last name; the other types need a business name.
    CustomerType { property: String, value: String },
    /// Customers: "referred by".
    ReferredBy { value: String },
    /// Customers: the tax rate ID (`None` clears it).
    TaxRateId { value: Option<Id> },
    /// Customers: city, state and ZIP; `None` leaves a field as it is.
    Location {
        city: Option<String>,
        state: Option<String>,
        zip: Option<String>,
    },
    /// Customers: a line appended to the notes (not appended twice).
    AppendNotes { text: String },
    /// Customers: a custom property set to a value.
    Property { name: String, value: String },
    /// Customers: the business name written in the house style (`[house.names]`, see
    /// [`crate::house::naming`]); each record gets its own fixed name, worked out from the
    /// name as the app holds it. Customers without a business name (residential) are skipped.
    HouseName {
        style: crate::config::house::HouseStyle,
    },
    /// Contacts: a role added to the title (the rest of the title stays).
    AddRole {
        #[serde(with = "role_label")]
        role: ContactRole,
    },
    /// Contacts: a role removed from the title.
    RemoveRole {
        #[serde(with = "role_label")]
        role: ContactRole,
    },
    /// Contacts: the job title, keeping the roles and the marker of a contact who left.
    JobTitle { job: String },
    /// Contacts: moved to another customer (`label` is its name, for the preview and the log).
    MoveTo { customer_id: Id, label: String },
    /// Contacts: marked as left (the title's marker).
    Retire,
    /// Contacts: the marker removed.
    Reinstate,
}

/// Roles are journaled by their label ("Billing Contact").
mod role_label {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::roles::ContactRole;

    pub fn serialize<S: Serializer>(role: &ContactRole, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(role.label())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ContactRole, D::Error> {
        let label = String::deserialize(d)?;
        ContactRole::from_word(&label)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown role {label:?}")))
    }
}

impl BulkChange {
    /// Which records the change is for.
    pub fn applies_to(&self) -> RecordKind {
        match self {
            BulkChange::CustomerType { .. }
            | BulkChange::ReferredBy { .. }
            | BulkChange::TaxRateId { .. }
            | BulkChange::Location { .. }
            | BulkChange::AppendNotes { .. }
            | BulkChange::Property { .. }
            | BulkChange::HouseName { .. } => RecordKind::Customer,
            _ => RecordKind::Contact,
        }
    }

    /// The change in words ("Set Customer Type to Government").
    pub fn describe(&self) -> String {
        match self {
            BulkChange::CustomerType { property, value } => format!("Set {property} to {value}"),
            BulkChange::ReferredBy { value } => format!("Set referred by to {value:?}"),
            BulkChange::TaxRateId { value: Some(v) } => format!("Set the tax rate ID to {v}"),
            BulkChange::TaxRateId { value: None } => "Clear the tax rate ID".into(),
            BulkChange::Location { city, state, zip } => {
                let parts: Vec<String> = [("city", city), ("state", state), ("ZIP", zip)]
                    .iter()
                    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v:?}")))
                    .collect();
                format!("Set {}", parts.join(", "))
            }
            BulkChange::AppendNotes { text } => format!("Append {text:?} to the notes"),
            BulkChange::Property { name, value } => format!("Set {name} to {value:?}"),
            BulkChange::HouseName { .. } => "Write the business names in the house style".into(),
            BulkChange::AddRole { role } => format!("Add the {} role", role.name()),
            BulkChange::RemoveRole { role } => format!("Remove the {} role", role.name()),
            BulkChange::JobTitle { job } => format!("Set the job title to {job:?}"),
            BulkChange::MoveTo { customer_id, label } => {
                format!("Move to {label} (#{customer_id})")
            }
            BulkChange::Retire => "Mark as left".into(),
            BulkChange::Reinstate => "Reinstate (remove the left marker)".into(),
        }
    }

    /// A change that cannot be planned at all (an unknown type, blank notes).
    fn invalid(&self) -> Option<String> {
        match self {
            BulkChange::CustomerType { property, value } => {
                if property.trim().is_empty() {
                    Some("No custom property holds the customer type (customer_type_property is empty)".into())
                } else if !CUSTOMER_TYPES.iter().any(|t| t.eq_ignore_ascii_case(value)) {
                    Some(format!(
                        "{value:?} is not a customer type (one of {})",
                        CUSTOMER_TYPES.join(", ")
                    ))
                } else {
                    None
                }
            }
            BulkChange::AppendNotes { text } if text.trim().is_empty() => {
                Some("Nothing to append to the notes".into())
            }
            BulkChange::Property { name, .. } if name.trim().is_empty() => {
                Some("The custom property has no name".into())
            }
            BulkChange::HouseName { style } if !style.enabled => Some(
                "The house style for names is off ([house.names] enabled = false in the config)"
                    .into(),
            ),
            BulkChange::Location {
                city: None,
                state: None,
                zip: None,
            } => Some("Choose a city, a state or a ZIP to set".into()),
            _ => None,
        }
    }

    fn plan_customer(&self, c: &Customer) -> Planned {
        let mut p = Planned::default();
        let field = |p: &mut Planned, key: &str, new: Value| {
            let old = crate::changelog::customer_value(c, key);
            if !same_value(key, &old, &new) {
                p.before.insert(key.to_string(), old);
                p.after.insert(key.to_string(), new);
            }
        };
        match self {
            BulkChange::CustomerType { property, value } => {
                let value = CUSTOMER_TYPES
                    .iter()
                    .find(|t| t.eq_ignore_ascii_case(value))
                    .copied()
                    .unwrap_or(value.as_str());
                let current = customer_type(c, property);
                p.old = current.to_string();
                p.new = value.to_string();
                let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
                if current == value {
                    p.skip = Some(format!("Already {value}"));
                } else if value == "Residential" && (blank(&c.firstname) || blank(&c.lastname)) {
                    p.skip = Some(
                        "No first and last name: a residential customer has no business name, so it needs both"
                            .into(),
                    );
                } else if value != "Residential" && blank(&c.business_name) {
                    p.skip = Some(format!(
                        "No business name: a {value} customer needs one (set it in the form)"
                    ));
                } else {
                    field(
                        &mut p,
                        &format!("{PROPERTY_PREFIX}{property}"),
                        Value::String(value.to_string()),
                    );
                    if value == "Residential" {
                        field(&mut p, "business_name", Value::String(String::new()));
                    }
                }
                return p;
            }
            BulkChange::ReferredBy { value } => field(
                &mut p,
                "referred_by",
                Value::String(value.trim().to_string()),
            ),
            BulkChange::TaxRateId { value } => field(
                &mut p,
                "tax_rate_id",
                value.map_or(Value::Null, Value::from),
            ),
            BulkChange::Location { city, state, zip } => {
                for (key, v) in [("city", city), ("state", state), ("zip", zip)] {
                    if let Some(v) = v {
                        field(&mut p, key, Value::String(v.trim().to_string()));
                    }
                }
            }
            BulkChange::AppendNotes { text } => {
                let text = text.trim();
                let notes = c.notes.clone().unwrap_or_default();
                p.old = one_line(&notes);
                p.new = format!("+ {text}");
                if notes.contains(text) {
                    p.skip = Some("Already in the notes".into());
                } else {
                    let joined = if notes.trim().is_empty() {
                        text.to_string()
                    } else {
                        format!("{}\n{text}", notes.trim_end())
                    };
                    field(&mut p, "notes", Value::String(joined));
                }
                return p;
            }
            BulkChange::Property { name, value } => field(
                &mut p,
                &format!("{PROPERTY_PREFIX}{name}"),
                Value::String(value.trim().to_string()),
            ),
            BulkChange::HouseName { style } => {
                let name = c.business_name.clone().unwrap_or_default();
                p.old = shown(&Value::String(name.clone()));
                p.new = p.old.clone();
                if name.trim().is_empty() {
                    p.skip = Some(
                        "No business name (residential): the house style is for company names"
                            .into(),
                    );
                    return p;
                }
                match crate::house::check(&name, style) {
                    None => {
                        p.skip = Some("Already in the house style".into());
                        return p;
                    }
                    // Values are compared trimmed (here and in the run's check), so a change
                    // of the surrounding spaces alone would never be sent.
                    Some(s) if s.fixed.trim() == name.trim() => {
                        p.skip = Some(
                            "Only the spaces around the name differ: fix it in the form (e)".into(),
                        );
                        return p;
                    }
                    Some(s) => {
                        p.new = shown(&Value::String(s.fixed.clone()));
                        field(&mut p, "business_name", Value::String(s.fixed));
                    }
                }
            }
            _ => {}
        }
        p.finish()
    }

    fn plan_contact(&self, c: &Contact) -> Planned {
        let mut p = Planned::default();
        let stored = c.title().unwrap_or_default();
        let mut title = Title::read(&stored);
        let skip = match self {
            BulkChange::AddRole { role } if title.has(*role) => {
                Some(format!("Already {}", role.name()))
            }
            BulkChange::AddRole { role } => {
                title.toggle(*role);
                None
            }
            BulkChange::RemoveRole { role } if !title.has(*role) => {
                Some(format!("Not {}", role.name()))
            }
            BulkChange::RemoveRole { role } => {
                title.toggle(*role);
                None
            }
            BulkChange::JobTitle { job } if title.job == job.trim() => {
                Some("Already this job title".into())
            }
            BulkChange::JobTitle { job } => {
                title.job = job.trim().to_string();
                None
            }
            BulkChange::Retire if title.retired => Some("Already marked as left".into()),
            BulkChange::Retire => {
                title.retired = true;
                None
            }
            BulkChange::Reinstate if !title.retired => Some("Not marked as left".into()),
            BulkChange::Reinstate => {
                title.retired = false;
                None
            }
            BulkChange::MoveTo { customer_id, label } => {
                p.old = c
                    .customer_id
                    .map_or("no customer".into(), |id| format!("customer #{id}"));
                p.new = format!("{label} (#{customer_id})");
                if c.customer_id == Some(*customer_id) {
                    p.skip = Some(format!("Already on {label}"));
                } else {
                    p.before.insert(
                        "customer_id".into(),
                        c.customer_id.map_or(Value::Null, Value::from),
                    );
                    p.after
                        .insert("customer_id".into(), Value::from(*customer_id));
                }
                return p;
            }
            _ => None,
        };
        p.old = shown(&Value::String(stored.clone()));
        if let Some(reason) = skip {
            p.new = p.old.clone();
            p.skip = Some(reason);
            return p;
        }
        let new = title.write();
        p.new = shown(&Value::String(new.clone()));
        if same_value(
            "title",
            &Value::String(stored.clone()),
            &Value::String(new.clone()),
        ) {
            p.skip = Some("Already this title".into());
        } else {
            p.before.insert("title".into(), Value::String(stored));
            p.after.insert("title".into(), Value::String(new));
        }
        p
    }
}

/// What one record gets, before it becomes an item.
#[derive(Debug, Default)]
struct Planned {
    before: Fields,
    after: Fields,
    old: String,
    new: String,
    skip: Option<String>,
}

impl Planned {
    /// Old and new texts from the fields, and the skip of a record already as wanted.
    fn finish(mut self) -> Planned {
        if self.after.is_empty() {
            self.skip = Some("Already has this value".into());
        }
        if self.old.is_empty() && self.new.is_empty() {
            self.old = self
                .before
                .values()
                .map(shown)
                .collect::<Vec<_>>()
                .join(", ");
            self.new = self
                .after
                .values()
                .map(shown)
                .collect::<Vec<_>>()
                .join(", ");
        }
        self
    }
}

fn one_line(s: &str) -> String {
    let flat = shown(&Value::String(s.to_string()));
    let mut out: String = flat.chars().take(60).collect();
    if flat.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Where an item of a run stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemStatus {
    /// Not sent yet (or to send again after a failure).
    Pending,
    /// Written by this run.
    Done,
    /// Not sent: the record already had the value (or cannot take it), and why.
    Skipped { reason: String },
    /// The last attempt failed; a resume starts here.
    Failed { error: String },
    /// Changed on the server since it was read: left alone. `theirs` holds the server's
    /// values of the fields the change touches.
    Conflict { reason: String, theirs: Fields },
}

impl ItemStatus {
    /// Done, skipped or in conflict: a resume moves past it.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            ItemStatus::Done | ItemStatus::Skipped { .. } | ItemStatus::Conflict { .. }
        )
    }
}

/// One record of a bulk edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkItem {
    pub id: Id,
    /// The customer's display name or the contact's name.
    pub label: String,
    /// A contact's customer, as the app held it (where the check looks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Id>,
    /// A contact's name, as the app held it (every contact PUT carries one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The old and the new value, as the preview shows them.
    pub old: String,
    pub new: String,
    /// The fields the change writes, as read and as they will be.
    pub before: Fields,
    pub after: Fields,
    /// Set when the record is not sent at all, with the reason (already has the value, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<String>,
    pub status: ItemStatus,
    /// PUTs started for this record (saved before each is sent).
    #[serde(default)]
    pub attempts: u32,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    pub id: Id,
    pub label: String,
    pub old: String,
    pub new: String,
    /// Why the record is not sent, when it is not.
    pub skip: Option<String>,
}

/// A bulk edit planned against the records as the app holds them; nothing sent yet.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkPlan {
    pub change: BulkChange,
    pub items: Vec<BulkItem>,
}

impl BulkPlan {
    /// Plans `change` over `records` (all customers or all contacts, as the change needs; a
    /// record listed twice counts once).
    pub fn new(change: BulkChange, records: &[Record]) -> Result<BulkPlan, FlowError> {
        let kind = change.applies_to();
        let mut customers = Vec::new();
        let mut contacts = Vec::new();
        for r in records {
            match r {
                Record::Customer(c) => customers.push(c),
                Record::Contact(c) => contacts.push(c),
            }
        }
        let wrong = match kind {
            RecordKind::Customer => !contacts.is_empty(),
            RecordKind::Contact => !customers.is_empty(),
        };
        if wrong {
            return Err(FlowError::Invalid(format!(
                "{} is a change of {}: mark only {} for it",
                change.describe(),
                kind_name(kind),
                kind_name(kind)
            )));
        }
        match kind {
            RecordKind::Customer => Self::customers(change, customers.into_iter()),
            RecordKind::Contact => Self::contacts(change, contacts.into_iter()),
        }
    }

    /// Plans a customer change over `customers`.
    pub fn for_customers(change: BulkChange, customers: &[Customer]) -> Result<Self, FlowError> {
        Self::customers(change, customers.iter())
    }

    /// Plans a contact change over `contacts`.
    pub fn for_contacts(change: BulkChange, contacts: &[Contact]) -> Result<Self, FlowError> {
        Self::contacts(change, contacts.iter())
    }

    fn check(change: &BulkChange, kind: RecordKind) -> Result<(), FlowError> {
        if change.applies_to() != kind {
            return Err(FlowError::Invalid(format!(
                "{} is a change of {}",
                change.describe(),
                kind_name(change.applies_to())
            )));
        }
        match change.invalid() {
            Some(why) => Err(FlowError::Invalid(why)),
            None => Ok(()),
        }
    }

    fn customers<'a>(
        change: BulkChange,
        customers: impl Iterator<Item = &'a Customer>,
    ) -> Result<Self, FlowError> {
        Self::check(&change, RecordKind::Customer)?;
        let mut seen = HashSet::new();
        let items = customers
            .filter(|c| seen.insert(c.id))
            .map(|c| {
                let p = change.plan_customer(c);
                item(c.id, RecordRef::customer(c).label, None, None, p)
            })
            .collect();
        Ok(BulkPlan { change, items })
    }

    fn contacts<'a>(
        change: BulkChange,
        contacts: impl Iterator<Item = &'a Contact>,
    ) -> Result<Self, FlowError> {
        Self::check(&change, RecordKind::Contact)?;
        let mut seen = HashSet::new();
        let items = contacts
            .filter(|c| seen.insert(c.id))
            .map(|c| {
                let p = change.plan_contact(c);
                item(
                    c.id,
                    RecordRef::contact(c).label,
                    c.customer_id,
                    c.name.clone(),
                    p,
                )
            })
            .collect();
        Ok(BulkPlan { change, items })
    }

    /// Names the customers in a move's "old" column (`customer #21000001` until then).
    pub fn name_customers(&mut self, name: impl Fn(Id) -> Option<String>) {
        if !matches!(self.change, BulkChange::MoveTo { .. }) {
            return;
        }
        for it in &mut self.items {
            if let Some(id) = it.customer_id
                && let Some(n) = name(id)
            {
                it.old = format!("{n} (#{id})");
            }
        }
    }

    /// Every record with its old and new value, and the skipped ones with why.
    pub fn preview(&self) -> Vec<PreviewRow> {
        self.items
            .iter()
            .map(|i| PreviewRow {
                id: i.id,
                label: i.label.clone(),
                old: i.old.clone(),
                new: i.new.clone(),
                skip: i.skip.clone(),
            })
            .collect()
    }

    /// Records to write (the others already have the value).
    pub fn to_write(&self) -> usize {
        self.items.iter().filter(|i| i.skip.is_none()).count()
    }

    /// Requests the run takes: one PUT per record to write and one check read per
    /// [`CHECK_BATCH`] of them.
    pub fn requests(&self) -> usize {
        let n = self.to_write();
        n + n.div_ceil(CHECK_BATCH)
    }

    /// How long the run takes at `requests_per_minute` (0: no limit, no estimate) when nothing
    /// else uses the budget: the floor, `requests × 60 s / rate`.
    pub fn duration_at(&self, requests_per_minute: u32) -> Duration {
        duration_at(self.requests(), requests_per_minute)
    }
}

/// `requests × 60 s / requests_per_minute` (zero without a limit).
pub fn duration_at(requests: usize, requests_per_minute: u32) -> Duration {
    if requests_per_minute == 0 {
        return Duration::ZERO;
    }
    Duration::from_secs_f64(requests as f64 * 60.0 / f64::from(requests_per_minute))
}

fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Customer => "customers",
        RecordKind::Contact => "contacts",
    }
}

fn item(
    id: Id,
    label: String,
    customer_id: Option<Id>,
    name: Option<String>,
    p: Planned,
) -> BulkItem {
    BulkItem {
        id,
        label,
        customer_id,
        name,
        old: p.old,
        new: p.new,
        before: p.before,
        after: p.after,
        status: match &p.skip {
            Some(reason) => ItemStatus::Skipped {
                reason: reason.clone(),
            },
            None => ItemStatus::Pending,
        },
        skip: p.skip,
        attempts: 0,
        at: None,
    }
}

/// How the run uses the rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pace {
    /// Spaced evenly over the window ([`SyncroClient::paced`]): the app's own requests (and
    /// colleagues behind the same IP) still get through while the run goes on.
    #[default]
    Paced,
    /// As fast as the window allows: a full window at once, then wait for it to slide.
    Burst,
}

/// Counts of a run's items by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkCounts {
    pub total: usize,
    pub done: usize,
    pub skipped: usize,
    pub conflicts: usize,
    pub failed: usize,
    pub pending: usize,
}

/// What the run reports after each record.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkProgress {
    /// 1-based position of the record in the run.
    pub number: usize,
    pub total: usize,
    pub item: BulkItem,
    pub counts: BulkCounts,
}

/// A bulk edit under way, serialized as its journal (`<data_dir>/flows/bulk-<id>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkRun {
    /// Also the change-log group of its writes.
    pub id: String,
    /// The API the run writes to: offered again only on the same account.
    pub server: String,
    pub started_at: String,
    pub change: BulkChange,
    pub items: Vec<BulkItem>,
    /// Not journaled: a resumed run is paced unless told otherwise.
    #[serde(skip)]
    pub pace: Pace,
}

fn journal_path(data_dir: &Path, id: &str) -> PathBuf {
    super::journal_dir(data_dir).join(format!("bulk-{id}.json"))
}

/// How a record's check came out.
enum Check {
    /// Send these fields (the others already have their new value).
    Send(Fields),
    /// Every field already has its new value.
    AlreadyNew,
    /// Some field has neither value: the server's values.
    Conflict(Fields),
}

fn classify(item: &BulkItem, now: &Snapshot) -> Check {
    let mut send = Fields::new();
    let mut theirs = Fields::new();
    for (field, new) in &item.after {
        let current = now.value(field);
        if same_value(field, &current, new) {
            continue;
        }
        let old = item.before.get(field).cloned().unwrap_or(Value::Null);
        if same_value(field, &current, &old) {
            send.insert(field.clone(), new.clone());
        } else {
            theirs.insert(field.clone(), current);
        }
    }
    if !theirs.is_empty() {
        // Show every touched field of the record as it is now.
        for field in item.after.keys() {
            theirs
                .entry(field.clone())
                .or_insert_with(|| now.value(field));
        }
        Check::Conflict(theirs)
    } else if send.is_empty() {
        Check::AlreadyNew
    } else {
        Check::Send(send)
    }
}

/// The PUT body that writes `fields` onto the record as it is `now`: custom properties go as
/// the whole current map with the new values (whether Syncro merges `properties` is not
/// documented), a contact's PUT always carries its name.
pub fn put_body(now: &Snapshot, fields: &Fields) -> Patch {
    let mut patch = Patch::new();
    let (mut props, contact_name) = match now {
        Snapshot::Customer(c) => (c.properties.to_map(), None),
        Snapshot::Contact(c) => {
            let mut p = c.properties.to_map();
            // The title goes as `title`, not inside the map.
            p.remove("title");
            (p, Some(c.name.clone().unwrap_or_default()))
        }
    };
    let mut props_changed = false;
    for (field, value) in fields {
        if let Some(name) = field.strip_prefix(PROPERTY_PREFIX) {
            props.insert(name.to_string(), value.clone());
            props_changed = true;
        } else if field == "title" {
            patch.insert(
                "title".into(),
                Value::String(crate::changelog::value_text(value)),
            );
        } else {
            patch.insert(field.clone(), value.clone());
        }
    }
    if props_changed {
        patch.insert("properties".into(), Value::Object(props));
    }
    if let Some(name) = contact_name
        && !patch.contains_key("name")
    {
        patch.insert("name".into(), Value::String(name));
    }
    patch
}

/// The customers `ids` (at most a few dozen) with one list request, `GET /customers?id[]=..`
/// (disabled ones included), contacts embedded. Should the server not honour `id[]` (unknown
/// parameters are ignored, not refused, and the answer would be the account's first page),
/// the customers are read one by one instead of walking the whole account.
pub async fn customers_by_ids(
    client: &SyncroClient,
    ids: &[Id],
) -> Result<Vec<Customer>, ApiError> {
    let wanted: HashSet<Id> = ids.iter().copied().collect();
    let mut out = Vec::new();
    let mut page = 1u32;
    loop {
        let q = CustomerQuery {
            ids: ids.to_vec(),
            include_disabled: true,
            page,
            ..Default::default()
        };
        let p = client.list_customers(&q).await?;
        if p.items.iter().any(|c| !wanted.contains(&c.id)) {
            tracing::warn!("the server ignored id[] on /customers; reading customers one by one");
            return customers_one_by_one(client, ids).await;
        }
        let last = p.items.is_empty() || u64::from(page) >= p.meta.total_pages.unwrap_or(0);
        out.extend(p.items);
        if last || out.len() >= wanted.len() {
            return Ok(out);
        }
        page += 1;
    }
}

async fn customers_one_by_one(
    client: &SyncroClient,
    ids: &[Id],
) -> Result<Vec<Customer>, ApiError> {
    let mut out = Vec::new();
    for &id in ids {
        match client.get_customer(id).await {
            Ok(c) => out.push(c),
            Err(ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Reads the records `ids` of `kind` as they are on the server now, in as few requests as
/// possible: customers [`CHECK_BATCH`] a request ([`customers_by_ids`]); contacts from the
/// embedded contacts of their customers (`customers`, the same call), and one by one for those
/// not found there. A record absent from the answer no longer exists.
pub async fn read_current(
    client: &SyncroClient,
    kind: RecordKind,
    ids: &[Id],
    customers: &[Id],
) -> Result<HashMap<Id, Snapshot>, ApiError> {
    let mut out = HashMap::new();
    let fetch = |ids: Vec<Id>| async move { customers_by_ids(client, &ids).await };
    match kind {
        RecordKind::Customer => {
            for chunk in ids.chunks(CHECK_BATCH) {
                for c in fetch(chunk.to_vec()).await? {
                    if chunk.contains(&c.id) {
                        out.insert(c.id, Snapshot::Customer(c));
                    }
                }
            }
        }
        RecordKind::Contact => {
            let wanted: HashSet<Id> = ids.iter().copied().collect();
            let mut owners: Vec<Id> = customers.to_vec();
            owners.sort_unstable();
            owners.dedup();
            for chunk in owners.chunks(CHECK_BATCH) {
                for customer in fetch(chunk.to_vec()).await? {
                    for mut ct in customer.contacts {
                        if wanted.contains(&ct.id) {
                            ct.customer_id = ct.customer_id.or(Some(customer.id));
                            out.insert(ct.id, Snapshot::Contact(ct));
                        }
                    }
                }
            }
            for &id in ids {
                if out.contains_key(&id) {
                    continue;
                }
                match client.get_contact(id).await {
                    Ok(ct) => {
                        out.insert(id, Snapshot::Contact(ct));
                    }
                    Err(ApiError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(out)
}

impl BulkRun {
    /// The run of a confirmed plan; its journal is written before anything is sent. Refused in
    /// read-only mode.
    pub fn start(env: &FlowEnv, plan: BulkPlan) -> Result<BulkRun, FlowError> {
        env.check_writable("the bulk edit")?;
        if plan.items.is_empty() {
            return Err(FlowError::Invalid("No records are marked".into()));
        }
        let run = BulkRun {
            id: crate::changelog::new_id(),
            server: env.client.base_url().to_string(),
            started_at: now(),
            change: plan.change,
            items: plan.items,
            pace: Pace::default(),
        };
        run.save(&env.data_dir)?;
        Ok(run)
    }

    /// Which records the run changes.
    pub fn kind(&self) -> RecordKind {
        self.change.applies_to()
    }

    /// Writes the journal (compact JSON: it is rewritten after every record).
    pub fn save(&self, data_dir: &Path) -> Result<(), FlowError> {
        let path = journal_path(data_dir, &self.id);
        let json = serde_json::to_vec(self).map_err(|e| FlowError::Journal {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        crate::files::write_private(&path, &json)
            .map_err(|source| FlowError::Journal { path, source })
    }

    /// The journal of the unfinished run `id`, if there is one.
    pub fn load(data_dir: &Path, id: &str) -> Result<Option<BulkRun>, FlowError> {
        super::read_json(&journal_path(data_dir, id))
    }

    /// The unfinished runs of the account at `server`, oldest first.
    pub fn pending(data_dir: &Path, server: &str) -> Vec<BulkRun> {
        let mut runs: Vec<BulkRun> =
            super::read_all::<BulkRun>(&super::journal_dir(data_dir), "bulk-")
                .into_iter()
                .filter(|r| r.server == server && !r.is_finished())
                .collect();
        runs.sort_by(|a, b| a.started_at.cmp(&b.started_at));
        runs
    }

    /// Forgets the journal of run `id` (what was written stays written, and logged).
    pub fn discard(data_dir: &Path, id: &str) -> Result<(), FlowError> {
        super::remove_file(&journal_path(data_dir, id))
    }

    pub fn is_finished(&self) -> bool {
        self.items.iter().all(|i| i.status.is_finished())
    }

    pub fn counts(&self) -> BulkCounts {
        let mut c = BulkCounts {
            total: self.items.len(),
            ..Default::default()
        };
        for i in &self.items {
            match i.status {
                ItemStatus::Pending => c.pending += 1,
                ItemStatus::Done => c.done += 1,
                ItemStatus::Skipped { .. } => c.skipped += 1,
                ItemStatus::Failed { .. } => c.failed += 1,
                ItemStatus::Conflict { .. } => c.conflicts += 1,
            }
        }
        c
    }

    /// The records left alone because they changed on the server since they were read.
    pub fn conflicts(&self) -> Vec<&BulkItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.status, ItemStatus::Conflict { .. }))
            .collect()
    }

    /// Requests still to send (writes and checks) for the items not finished.
    pub fn requests_left(&self) -> usize {
        let n = self
            .items
            .iter()
            .filter(|i| !i.status.is_finished())
            .count();
        n + n.div_ceil(CHECK_BATCH)
    }

    fn entry_id(&self, item: &BulkItem) -> String {
        format!("{}-{}", self.id, item.id)
    }

    /// Runs every item not finished yet, in order, behind the client's limiter (paced unless
    /// [`BulkRun::pace`] says otherwise): checks a batch, writes its records one by one,
    /// appends each write to `log` (grouped by the run's id) and saves the journal after each
    /// record. `progress` hears of every record's new status. Stops at the first failure,
    /// which the journal keeps for a resume; when every item is finished the journal goes.
    pub async fn execute(
        &mut self,
        env: &FlowEnv,
        log: &ChangeLog,
        mut progress: impl FnMut(&BulkProgress),
    ) -> Result<BulkCounts, FlowError> {
        env.check_writable("the bulk edit")?;
        let client = match self.pace {
            Pace::Paced => env.client.paced(),
            Pace::Burst => env.client.clone(),
        };
        // A resumed run whose earlier attempt may have been applied: which writes it logged.
        let mut logged: Option<HashSet<String>> = None;
        if self
            .items
            .iter()
            .any(|i| i.attempts > 0 && !i.status.is_finished())
        {
            let prefix = format!("{}-", self.id);
            logged = Some(
                log.group(&self.id)
                    .map_err(|source| FlowError::Journal {
                        path: log.path().to_path_buf(),
                        source,
                    })?
                    .into_iter()
                    .map(|e| e.id)
                    .filter(|id| id.starts_with(&prefix))
                    .collect(),
            );
        }
        let total = self.items.len();
        let todo: Vec<usize> = (0..total)
            .filter(|&i| !self.items[i].status.is_finished())
            .collect();
        for batch in todo.chunks(CHECK_BATCH) {
            let ids: Vec<Id> = batch.iter().map(|&i| self.items[i].id).collect();
            let mut owners: Vec<Id> = batch
                .iter()
                .filter_map(|&i| self.items[i].customer_id)
                .collect();
            if let BulkChange::MoveTo { customer_id, .. } = self.change {
                owners.push(customer_id);
            }
            let current = read_current(&client, self.kind(), &ids, &owners).await?;
            for &i in batch {
                let failed = self
                    .run_item(
                        env,
                        &client,
                        log,
                        &mut logged,
                        i,
                        current.get(&self.items[i].id),
                    )
                    .await?;
                progress(&BulkProgress {
                    number: i + 1,
                    total,
                    item: self.items[i].clone(),
                    counts: self.counts(),
                });
                if let Some(source) = failed {
                    return Err(FlowError::Step {
                        number: i + 1,
                        total,
                        step: format!("{}: {}", self.items[i].label, self.change.describe()),
                        source,
                    });
                }
            }
        }
        let counts = self.counts();
        Self::discard(&env.data_dir, &self.id)?;
        Ok(counts)
    }

    /// Checks and writes item `i`, given the record as the server has it now (`None`: gone).
    /// `Ok(Some(error))` when the write failed (recorded in the journal).
    async fn run_item(
        &mut self,
        env: &FlowEnv,
        client: &SyncroClient,
        log: &ChangeLog,
        logged: &mut Option<HashSet<String>>,
        i: usize,
        now: Option<&Snapshot>,
    ) -> Result<Option<ApiError>, FlowError> {
        let Some(now) = now else {
            self.set(
                i,
                ItemStatus::Conflict {
                    reason: "No longer exists on the server".into(),
                    theirs: Fields::new(),
                },
            );
            self.save(&env.data_dir)?;
            return Ok(None);
        };
        let send = match classify(&self.items[i], now) {
            Check::Conflict(theirs) => {
                self.set(
                    i,
                    ItemStatus::Conflict {
                        reason: "Changed on the server since it was read".into(),
                        theirs,
                    },
                );
                self.save(&env.data_dir)?;
                return Ok(None);
            }
            Check::AlreadyNew if self.items[i].attempts > 0 => {
                // An earlier attempt of this run was applied and its answer lost (a quit, a
                // crash, a gateway error): done, and logged once.
                let fields = self.items[i].after.clone();
                let entry = self.entry(&self.items[i], now, &fields, now);
                let seen = logged.get_or_insert_with(HashSet::new);
                if !seen.contains(&entry.id) {
                    seen.insert(entry.id.clone());
                    let note = format!(
                        "{} (found applied after an interrupted attempt)",
                        self.change.describe()
                    );
                    append(log, &entry.with_note(note))?;
                }
                self.set(i, ItemStatus::Done);
                self.save(&env.data_dir)?;
                return Ok(None);
            }
            Check::AlreadyNew => {
                self.set(
                    i,
                    ItemStatus::Skipped {
                        reason: "Already has the new value on the server".into(),
                    },
                );
                self.save(&env.data_dir)?;
                return Ok(None);
            }
            Check::Send(fields) => fields,
        };
        let body = put_body(now, &send);
        self.items[i].attempts += 1;
        self.save(&env.data_dir)?;
        let id = self.items[i].id;
        let answer = match now {
            Snapshot::Customer(_) => client.update_customer(id, &body).await.map(Snapshot::from),
            Snapshot::Contact(_) => client.update_contact(id, &body).await.map(Snapshot::from),
        };
        match answer {
            Ok(answer) => {
                let entry = self.entry(&self.items[i], now, &send, &answer);
                if let Some(seen) = logged.as_mut() {
                    seen.insert(entry.id.clone());
                }
                append(log, &entry)?;
                self.set(i, ItemStatus::Done);
                self.save(&env.data_dir)?;
                Ok(None)
            }
            Err(e) => {
                self.set(
                    i,
                    ItemStatus::Failed {
                        error: super::error_text(&e),
                    },
                );
                self.save(&env.data_dir)?;
                Ok(Some(e))
            }
        }
    }

    fn set(&mut self, i: usize, status: ItemStatus) {
        let it = &mut self.items[i];
        it.status = status;
        it.at = Some(now());
    }

    /// The change-log entry of a write of `fields` to `item`: values before as the check read
    /// them, after as the server answered.
    fn entry(&self, item: &BulkItem, now: &Snapshot, fields: &Fields, answer: &Snapshot) -> Entry {
        let mut e = Entry::new(ChangeKind::Bulk, Action::Update, now.record())
            .with_group(self.id.clone())
            .with_server(&self.server)
            .with_note(self.change.describe());
        e.id = self.entry_id(item);
        e.fields = fields
            .keys()
            .map(|f| FieldChange {
                field: f.clone(),
                before: item.before.get(f).cloned().unwrap_or(Value::Null),
                after: answer.value(f),
            })
            .collect();
        e
    }
}

fn append(log: &ChangeLog, entry: &Entry) -> Result<(), FlowError> {
    log.append(entry).map_err(|source| FlowError::Journal {
        path: log.path().to_path_buf(),
        source,
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

    fn type_change(value: &str) -> BulkChange {
        BulkChange::CustomerType {
            property: "Customer Type".into(),
            value: value.into(),
        }
    }

    #[test]
    fn the_preview_shows_every_old_and_new_type_and_skips_what_is_set_or_impossible() {
        let customers = vec![
            customer(json!({"id": 1, "business_name": "Acme", "firstname": "Al",
                            "lastname": "Bee", "properties": {"Customer Type": "Business"}})),
            customer(json!({"id": 2, "business_name": "City Hall",
                            "properties": {"Customer Type": "Government"}})),
            customer(json!({"id": 3, "firstname": "Jo", "lastname": "Doe"})),
            customer(json!({"id": 4, "business_name": "Bolt"})),
            customer(json!({"id": 1, "business_name": "Acme again"})),
        ];
        let plan = BulkPlan::for_customers(type_change("government"), &customers).unwrap();
        let rows: Vec<(Id, &str, &str, bool)> = plan
            .items
            .iter()
            .map(|i| (i.id, i.old.as_str(), i.new.as_str(), i.skip.is_some()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (1, "Business", "Government", false),
                (2, "Government", "Government", true),
                (3, "Residential", "Government", true),
                (4, "Business", "Government", false),
            ]
        );
        assert_eq!(plan.to_write(), 2);
        assert_eq!(plan.requests(), 3);
        assert_eq!(plan.duration_at(180), Duration::from_secs(1));
        assert_eq!(plan.duration_at(0), Duration::ZERO);
        assert_eq!(
            plan.items[0].after,
            Fields::from([("properties.Customer Type".into(), json!("Government"))])
        );
        assert_eq!(
            plan.preview()[2].skip.as_deref(),
            Some("No business name: a Government customer needs one (set it in the form)")
        );
        // Residential clears the business name, and needs a person's name.
        let res = BulkPlan::for_customers(type_change("Residential"), &customers).unwrap();
        assert_eq!(
            res.items[0].after,
            Fields::from([
                ("business_name".into(), json!("")),
                ("properties.Customer Type".into(), json!("Residential")),
            ])
        );
        assert!(res.items[2].skip.as_deref().unwrap().starts_with("Already"));
        assert!(
            res.items[3]
                .skip
                .as_deref()
                .unwrap()
                .starts_with("No first and last name")
        );
        assert!(BulkPlan::for_customers(type_change("Martian"), &customers).is_err());
    }

    #[test]
    fn three_hundred_records_take_306_requests_and_at_least_102_seconds_at_180() {
        let customers: Vec<Customer> = (1..=300)
            .map(|id| customer(json!({"id": id, "business_name": format!("C{id}")})))
            .collect();
        let plan = BulkPlan::for_customers(type_change("Government"), &customers).unwrap();
        assert_eq!(plan.requests(), 306);
        assert_eq!(plan.duration_at(180), Duration::from_secs(102));
    }

    #[test]
    fn customer_fields_plan_old_and_new_values() {
        let c = customer(json!({"id": 1, "business_name": "Acme", "city": "Salem",
            "state": "OR", "zip": "97301", "notes": "Alarm code 1234", "tax_rate_id": 3,
            "referred_by": "Bob", "properties": {"Tier": "Gold"}}));
        let one =
            |change: BulkChange| BulkPlan::for_customers(change, std::slice::from_ref(&c)).unwrap();
        let p = one(BulkChange::Location {
            city: Some("Portland".into()),
            state: Some("OR".into()),
            zip: Some("97201".into()),
        });
        assert_eq!(
            (p.items[0].old.as_str(), p.items[0].new.as_str()),
            ("Salem, 97301", "Portland, 97201")
        );
        assert_eq!(p.items[0].after.len(), 2, "the state is already OR");
        let p = one(BulkChange::AppendNotes {
            text: "Moved to the new office".into(),
        });
        assert_eq!(
            p.items[0].after["notes"],
            json!("Alarm code 1234\nMoved to the new office")
        );
        assert!(
            one(BulkChange::AppendNotes {
                text: "code 1234".into()
            })
            .items[0]
                .skip
                .is_some()
        );
        let p = one(BulkChange::TaxRateId { value: Some(4) });
        assert_eq!(p.items[0].before["tax_rate_id"], json!(3));
        assert_eq!(p.items[0].after["tax_rate_id"], json!(4));
        assert!(
            one(BulkChange::ReferredBy {
                value: " Bob ".into()
            })
            .items[0]
                .skip
                .is_some()
        );
        let p = one(BulkChange::Property {
            name: "Tier".into(),
            value: "Silver".into(),
        });
        assert_eq!(
            (p.items[0].old.as_str(), p.items[0].new.as_str()),
            ("Gold", "Silver")
        );
        // A contact change over customers is refused.
        assert!(BulkPlan::for_customers(BulkChange::Retire, std::slice::from_ref(&c)).is_err());
        assert!(BulkPlan::new(BulkChange::Retire, &[Record::Customer(c)]).is_err());
    }

    #[test]
    fn contact_changes_keep_the_rest_of_the_title() {
        let contacts = vec![
            contact(json!({"id": 10, "customer_id": 1, "name": "Ann",
                           "properties": {"title": "Decision Maker - Owner"}})),
            contact(json!({"id": 11, "customer_id": 2, "name": "Ben",
                           "properties": {"title": "Billing Contact"}})),
            contact(json!({"id": 12, "customer_id": 2, "name": "Cy",
                           "properties": {"title": "(left) Office Manager"}})),
        ];
        let plan = |c: BulkChange| BulkPlan::for_contacts(c, &contacts).unwrap();
        let p = plan(BulkChange::AddRole {
            role: ContactRole::Billing,
        });
        let news: Vec<(&str, bool)> = p
            .items
            .iter()
            .map(|i| (i.new.as_str(), i.skip.is_some()))
            .collect();
        assert_eq!(
            news,
            vec![
                ("Decision Maker, Billing Contact - Owner", false),
                ("Billing Contact", true),
                ("(left) Billing Contact - Office Manager", false),
            ]
        );
        let p = plan(BulkChange::JobTitle { job: "CFO".into() });
        assert_eq!(p.items[0].after["title"], json!("Decision Maker - CFO"));
        assert_eq!(p.items[2].after["title"], json!("(left) CFO"));
        let p = plan(BulkChange::Retire);
        assert_eq!(p.items[1].after["title"], json!("(left) Billing Contact"));
        assert!(p.items[2].skip.is_some());
        let p = plan(BulkChange::Reinstate);
        assert_eq!(p.to_write(), 1);
        assert_eq!(p.items[2].after["title"], json!("Office Manager"));
        let mut p = plan(BulkChange::MoveTo {
            customer_id: 2,
            label: "Bolt".into(),
        });
        assert_eq!(p.to_write(), 1);
        p.name_customers(|id| (id == 1).then(|| "Acme".to_string()));
        assert_eq!(
            (p.items[0].old.as_str(), p.items[0].new.as_str()),
            ("Acme (#1)", "Bolt (#2)")
        );
        assert_eq!(p.items[0].after["customer_id"], json!(2));
    }

    #[test]
    fn the_check_skips_the_new_value_flags_a_third_one_and_sends_the_rest() {
        let c = customer(json!({"id": 1, "business_name": "Acme",
                                "properties": {"Customer Type": "Business", "Tier": "Gold"}}));
        let plan =
            BulkPlan::for_customers(type_change("Government"), std::slice::from_ref(&c)).unwrap();
        let it = &plan.items[0];
        match classify(it, &Snapshot::Customer(c.clone())) {
            Check::Send(f) => {
                let body = put_body(&Snapshot::Customer(c.clone()), &f);
                assert_eq!(
                    Value::Object(body),
                    json!({"properties": {"Customer Type": "Government", "Tier": "Gold"}})
                );
            }
            _ => panic!("expected a send"),
        }
        let mut now = c.clone();
        now.properties
            .insert("Customer Type".into(), json!("Government"));
        assert!(matches!(
            classify(it, &Snapshot::Customer(now.clone())),
            Check::AlreadyNew
        ));
        now.properties
            .insert("Customer Type".into(), json!("Non-Profit"));
        match classify(it, &Snapshot::Customer(now)) {
            Check::Conflict(theirs) => {
                assert_eq!(theirs["properties.Customer Type"], json!("Non-Profit"))
            }
            _ => panic!("expected a conflict"),
        }
    }

    #[test]
    fn a_contact_put_carries_the_name_and_the_title_outside_the_map() {
        let now = Snapshot::Contact(contact(json!({"id": 10, "name": "Ann",
            "properties": {"title": "Owner", "Pager": "1"}})));
        let body = put_body(
            &now,
            &Fields::from([("title".into(), json!("Billing Contact - Owner"))]),
        );
        assert_eq!(
            Value::Object(body),
            json!({"name": "Ann", "title": "Billing Contact - Owner"})
        );
    }

    #[test]
    fn a_journal_round_trips_with_roles_by_label() {
        let contacts = vec![contact(json!({"id": 10, "customer_id": 1, "name": "Ann"}))];
        let plan = BulkPlan::for_contacts(
            BulkChange::AddRole {
                role: ContactRole::AuthorisesWork,
            },
            &contacts,
        )
        .unwrap();
        let run = BulkRun {
            id: "r1".into(),
            server: "http://s/api/v1".into(),
            started_at: now(),
            change: plan.change,
            items: plan.items,
            pace: Pace::Paced,
        };
        let dir = tempfile::tempdir().unwrap();
        run.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(journal_path(dir.path(), "r1")).unwrap();
        assert!(text.contains("\"role\":\"Authorises Work\""), "{text}");
        assert_eq!(BulkRun::load(dir.path(), "r1").unwrap(), Some(run.clone()));
        assert_eq!(BulkRun::pending(dir.path(), "http://s/api/v1"), vec![run]);
        assert!(BulkRun::pending(dir.path(), "http://other/api/v1").is_empty());
        BulkRun::discard(dir.path(), "r1").unwrap();
        assert!(BulkRun::load(dir.path(), "r1").unwrap().is_none());
    }
}
