//! The bulk edit's and the change log's data: what they ask the worker and hear back, and the
//! screens' state. No `App` here: the logic is in [`super`] and [`crate::app::log`].

use tui_input::Input;

use crate::api::model::{Customer, Id};
use crate::changelog::{Entry, UndoTarget};
use crate::flows::bulk::{BulkChange, BulkCounts, BulkItem, BulkPlan, BulkRun, ItemStatus};
use crate::flows::undo::{Consent, GroupUndo, UndoDecision};
use crate::roles::ContactRole;

/// What the app asks the worker to do for a bulk edit.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkOp {
    /// Start a confirmed plan (journal first) and run it.
    Run {
        plan: Box<BulkPlan>,
        read_only: bool,
    },
    /// Run what is left of the unfinished run `id`.
    Resume { id: String, read_only: bool },
    /// Forget the journal of run `id` (what was written stays written, and logged).
    Discard { id: String },
    /// The account's unfinished runs; answered by [`BulkEvent::Pending`].
    Pending,
}

// `Effect` is `Eq`; plans hold JSON values without NaN, so equality is an equivalence.
impl Eq for BulkOp {}

/// What the worker reports about a bulk edit.
#[derive(Debug)]
pub enum BulkEvent {
    /// The run started (or resumed): its id and every item as it stands.
    Started { id: String, items: Vec<BulkItem> },
    /// One record finished (1-based number).
    Progress { number: usize, item: Box<BulkItem> },
    /// The run stopped: `error` is `None` when every record is finished.
    Finished {
        counts: BulkCounts,
        error: Option<String>,
    },
    /// The records the run (or an undo) wrote, read again: the list and the mirror take them.
    Refreshed(Vec<Customer>),
    /// Runs an earlier session left unfinished on this account.
    Pending(Vec<BulkRun>),
}

/// What the app asks the worker about the change log and undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogOp {
    /// The newest entries; answered by [`LogEvent::Entries`].
    Read,
    /// What undoing `target` would do (reads only); answered by [`LogEvent::Decided`].
    Decide(UndoTarget),
    /// The same for the last change not undone yet (`U`).
    DecideLast,
    /// Undo `target` with the technician's consent; answered by [`LogEvent::Undone`].
    Undo {
        target: UndoTarget,
        consent: Consent,
    },
    /// Re-create the record a delete entry removed, as a new record.
    Recreate { entry: String },
}

/// What undoing a target would do.
#[derive(Debug, Clone, PartialEq)]
pub enum Decided {
    One {
        entry: Box<Entry>,
        decision: Box<UndoDecision>,
    },
    Group(GroupUndo),
}

/// What the worker reports about the change log and undo.
#[derive(Debug)]
pub enum LogEvent {
    Entries(Result<Vec<Entry>, String>),
    Decided {
        target: UndoTarget,
        result: Result<Decided, String>,
    },
    /// An undo (or a re-create) ran: what it did, in one line, or why it failed.
    Undone(Result<String, String>),
}

/// The changes a bulk edit offers, per kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    CustomerType,
    ReferredBy,
    TaxRateId,
    Location,
    AppendNotes,
    Property,
    HouseName,
    AddRole,
    RemoveRole,
    JobTitle,
    MoveTo,
    Retire,
    Reinstate,
}

/// What a choice needs typed or picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Free text (one line).
    Text,
    /// One of a fixed list, cycled with Tab / Shift-Tab.
    Pick(&'static [&'static str]),
    /// A customer, picked with a search after Enter.
    Customer,
    /// Nothing to give.
    None,
}

pub const CUSTOMER_CHOICES: &[Choice] = &[
    Choice::CustomerType,
    Choice::ReferredBy,
    Choice::TaxRateId,
    Choice::Location,
    Choice::AppendNotes,
    Choice::Property,
    Choice::HouseName,
];

pub const CONTACT_CHOICES: &[Choice] = &[
    Choice::AddRole,
    Choice::RemoveRole,
    Choice::JobTitle,
    Choice::MoveTo,
    Choice::Retire,
    Choice::Reinstate,
];

const ROLE_NAMES: &[&str] = &[
    "Decision maker",
    "Authorises work",
    "Technical",
    "Billing",
    "Other stakeholder",
];

impl Choice {
    pub fn label(self) -> &'static str {
        match self {
            Choice::CustomerType => "Customer type",
            Choice::ReferredBy => "Referred by",
            Choice::TaxRateId => "Tax rate ID",
            Choice::Location => "City, state, ZIP",
            Choice::AppendNotes => "Append to the notes",
            Choice::Property => "A custom property",
            Choice::HouseName => "Business name in the house style",
            Choice::AddRole => "Add a role",
            Choice::RemoveRole => "Remove a role",
            Choice::JobTitle => "Job title (roles kept)",
            Choice::MoveTo => "Move to another customer",
            Choice::Retire => "Retire (the contact left)",
            Choice::Reinstate => "Reinstate",
        }
    }

    /// What to type, in the value line's place holder.
    pub fn hint(self) -> &'static str {
        match self {
            Choice::CustomerType => "Tab picks: Business, Residential, Government, Non-Profit",
            Choice::ReferredBy => "the referral source, as it should read",
            Choice::TaxRateId => "a number (empty clears it)",
            Choice::Location => "City, ST, ZIP (an empty part is left as it is)",
            Choice::AppendNotes => "the line to add at the end of the notes",
            Choice::Property => "Name = value",
            Choice::HouseName => "each name fixed as [house.names] says: Enter previews",
            Choice::AddRole | Choice::RemoveRole => "Tab picks the role",
            Choice::JobTitle => "the job title",
            Choice::MoveTo => "Enter picks the customer",
            Choice::Retire | Choice::Reinstate => "nothing to give: Enter previews",
        }
    }

    pub fn value_kind(self) -> ValueKind {
        match self {
            Choice::CustomerType => ValueKind::Pick(crate::domain::CUSTOMER_TYPES),
            Choice::AddRole | Choice::RemoveRole => ValueKind::Pick(ROLE_NAMES),
            Choice::MoveTo => ValueKind::Customer,
            Choice::Retire | Choice::Reinstate | Choice::HouseName => ValueKind::None,
            _ => ValueKind::Text,
        }
    }

    /// The change this choice makes with `value` (the typed text or the picked entry), or why
    /// the value does not do. `style` is the house style for names (`[house.names]`).
    pub fn change(
        self,
        value: &str,
        type_property: &str,
        target: Option<(Id, String)>,
        style: &crate::config::house::HouseStyle,
    ) -> Result<BulkChange, String> {
        let v = value.trim();
        let role = || {
            ContactRole::ALL
                .iter()
                .find(|r| r.name() == v)
                .copied()
                .ok_or_else(|| "Pick a role with Tab".to_string())
        };
        let need = |what: &str| {
            if v.is_empty() {
                Err(format!("Type {what} first"))
            } else {
                Ok(v.to_string())
            }
        };
        Ok(match self {
            Choice::CustomerType => {
                if !crate::domain::CUSTOMER_TYPES.contains(&v) {
                    return Err("Pick a type with Tab".into());
                }
                BulkChange::CustomerType {
                    property: type_property.to_string(),
                    value: v.to_string(),
                }
            }
            Choice::ReferredBy => BulkChange::ReferredBy {
                value: need("the referral source")?,
            },
            Choice::TaxRateId => BulkChange::TaxRateId {
                value: crate::house::parse_tax_rate_id(v)?,
            },
            Choice::Location => {
                let mut parts = v.split(',').map(|p| {
                    let p = p.trim();
                    (!p.is_empty()).then(|| p.to_string())
                });
                let (city, state, zip) = (
                    parts.next().flatten(),
                    parts.next().flatten(),
                    parts.next().flatten(),
                );
                if city.is_none() && state.is_none() && zip.is_none() {
                    return Err("Type City, ST, ZIP (any of them)".into());
                }
                BulkChange::Location { city, state, zip }
            }
            Choice::AppendNotes => BulkChange::AppendNotes {
                text: need("the line to append")?,
            },
            Choice::Property => {
                let (name, value) = v
                    .split_once('=')
                    .map(|(n, val)| (n.trim(), val.trim()))
                    .filter(|(n, _)| !n.is_empty())
                    .ok_or_else(|| "Type Name = value".to_string())?;
                BulkChange::Property {
                    name: name.to_string(),
                    value: value.to_string(),
                }
            }
            Choice::AddRole => BulkChange::AddRole { role: role()? },
            Choice::RemoveRole => BulkChange::RemoveRole { role: role()? },
            Choice::JobTitle => BulkChange::JobTitle {
                job: need("the job title")?,
            },
            Choice::MoveTo => {
                let (customer_id, label) =
                    target.ok_or_else(|| "Enter picks the customer to move them to".to_string())?;
                BulkChange::MoveTo { customer_id, label }
            }
            Choice::HouseName => BulkChange::HouseName {
                style: style.clone(),
            },
            Choice::Retire => BulkChange::Retire,
            Choice::Reinstate => BulkChange::Reinstate,
        })
    }
}

/// Where the bulk edit screen stands.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkStage {
    /// Choosing the change and typing its value.
    Choose,
    /// Every record with its old and new value; nothing sent.
    Preview {
        plan: Box<BulkPlan>,
        scroll: usize,
    },
    Running,
    /// Finished, or stopped (`error`): `r` resumes, `x` forgets.
    Done {
        counts: BulkCounts,
        error: Option<String>,
    },
}

/// The bulk edit screen.
#[derive(Debug, Clone)]
pub struct BulkScreen {
    /// Customers or contacts.
    pub contacts: bool,
    /// The marked records (customers, or contacts with their customer).
    pub ids: Vec<Id>,
    pub choice: usize,
    pub value: Input,
    /// The customer picked for a move.
    pub target: Option<(Id, String)>,
    pub error: Option<String>,
    pub stage: BulkStage,
    /// The run's id once started (the journal's name).
    pub run_id: Option<String>,
    /// The change in words (for the title once running).
    pub what: String,
    /// Every record of the run with its status.
    pub items: Vec<BulkItem>,
    /// First line of the item list on screen.
    pub scroll: usize,
}

impl BulkScreen {
    pub fn choices(&self) -> &'static [Choice] {
        if self.contacts {
            CONTACT_CHOICES
        } else {
            CUSTOMER_CHOICES
        }
    }

    pub fn current(&self) -> Choice {
        let c = self.choices();
        c[self.choice.min(c.len() - 1)]
    }

    /// The value line takes typed text.
    pub fn typing(&self) -> bool {
        self.stage == BulkStage::Choose && self.current().value_kind() == ValueKind::Text
    }
}

/// A status in one character, for the lists.
pub fn status_mark(s: &ItemStatus) -> &'static str {
    match s {
        ItemStatus::Pending => "·",
        ItemStatus::Done => "✓",
        ItemStatus::Skipped { .. } => "–",
        ItemStatus::Failed { .. } => "✗",
        ItemStatus::Conflict { .. } => "!",
    }
}

/// The change log screen (`:log`).
#[derive(Debug, Clone, Default)]
pub struct LogView {
    /// Newest first, as read.
    pub entries: Vec<Entry>,
    /// The filter typed after `:log`.
    pub filter: String,
    /// The entries the filter lets through (indices into `entries`).
    pub shown: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
    /// Reading the file.
    pub loading: bool,
    pub error: Option<String>,
}
