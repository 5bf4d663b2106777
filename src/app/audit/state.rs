//! The duplicate audit's data: what the audit asks the worker and hears back, its findings,
//! the screen's view of them, and the list's customer-type filter. No `App` here: the logic
//! that moves through them is in [`super`].

use std::collections::BTreeSet;

use crate::api::model::{Customer, Id};
use crate::app::view::RowView;
use crate::audit::{ContactGroup, Group, contact_groups, customer_groups};

/// Up to this many customers the audit runs at once in `update` (about 30 ms in a release
/// build); a bigger list (the whole account from the mirror) is checked on a worker thread
/// while the screen says so. `cargo bench --bench audit`: 100,000 customers take about 1 s.
pub const AUDIT_INLINE_MAX: usize = 5_000;

/// What the app asks the worker to do for the audit.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditOp {
    /// Read the profile's dismissed groups; answered by [`AuditEvent::Dismissed`].
    LoadDismissed,
    /// Write the profile's dismissed groups (the whole set).
    SaveDismissed(BTreeSet<String>),
    /// Find the groups among these customers; answered by [`AuditEvent::Found`].
    Run {
        generation: u64,
        /// Shared with the list (no copy); the worker decodes them.
        customers: Vec<crate::mirror::Packed>,
        dismissed: BTreeSet<String>,
    },
}

// `Effect` is `Eq`; records hold JSON values without NaN, so equality is an equivalence.
impl Eq for AuditOp {}

/// What the worker reports for the audit.
#[derive(Debug)]
pub enum AuditEvent {
    /// The dismissed groups (empty when the file does not exist).
    Dismissed(BTreeSet<String>),
    /// Writing the file failed.
    SaveFailed(String),
    /// The findings of the run with this generation (an older run's answer is dropped).
    Found {
        generation: u64,
        findings: Vec<Finding>,
    },
}

/// One entry of the audit list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Customers(Group),
    Contacts(ContactGroup),
}

impl Finding {
    /// The key remembered when the finding is dismissed.
    pub fn key(&self) -> String {
        match self {
            Finding::Customers(g) => g.key(),
            Finding::Contacts(g) => {
                let ids: Vec<String> = g.contact_ids.iter().map(Id::to_string).collect();
                format!("contacts-{}", ids.join("-"))
            }
        }
    }
}

/// The audit screen.
#[derive(Debug, Clone, Default)]
pub struct AuditView {
    /// Customer groups (most confident first), then contact groups.
    pub findings: Vec<Finding>,
    pub cursor: usize,
    pub offset: usize,
    /// The selected group's customers are shown side by side.
    pub compare: bool,
    /// Customers looked at (the list's rows when the audit ran).
    pub scanned: usize,
    /// A worker thread is checking a big list; the findings arrive with `AuditEvent::Found`.
    pub checking: bool,
    /// In the comparison of a group of three or more: the column under the cursor.
    pub member: usize,
    /// In the comparison: the customers marked (Space) as the two to merge.
    pub picked: Vec<Id>,
}

/// The audit's state and the list's type filter.
#[derive(Debug, Clone, Default)]
pub struct AuditState {
    /// Dismissed group keys, once read from the data directory.
    pub dismissed: Option<BTreeSet<String>>,
    /// Only customers of this type are listed (`t` cycles).
    pub type_filter: Option<&'static str>,
    /// The generation of the latest audit run (stale answers lose).
    pub generation: u64,
}

/// [`findings`] among packed records (the list's): they are decoded for the check and dropped
/// after it.
pub fn findings_packed(
    customers: &[crate::mirror::Packed],
    dismissed: &BTreeSet<String>,
) -> Vec<Finding> {
    let decoded: Vec<Customer> = customers
        .iter()
        .map(crate::mirror::Packed::unpack)
        .collect();
    findings(&decoded, dismissed)
}

/// The audit's findings: customer groups (most confident first), then contact groups.
pub fn findings<C: std::borrow::Borrow<Customer>>(
    customers: &[C],
    dismissed: &BTreeSet<String>,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = customer_groups(customers, dismissed)
        .into_iter()
        .map(Finding::Customers)
        .collect();
    out.extend(
        contact_groups(customers)
            .into_iter()
            .map(Finding::Contacts)
            .filter(|f| !dismissed.contains(&f.key())),
    );
    out
}

/// Rows of findings that fit on screen (kept in step with `ui::audit`).
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(5)).max(1)
}

// ---------------------------------------------------------------------------------------------
// Customer types in the list.

/// A short label for the list's Type column.
pub fn short_type(t: &str) -> &'static str {
    match t {
        "Business" => "Bus",
        "Residential" => "Res",
        "Government" => "Gov",
        "Non-Profit" => "NPO",
        _ => "",
    }
}

/// Whether the type filter lets a row through.
pub(crate) fn passes(app_type_filter: Option<&str>, view: &RowView) -> bool {
    app_type_filter.is_none_or(|t| view.kind() == t)
}
