//! The reports' data: what each report found over the customers, and the screen's cursor. No
//! `App` here: the logic is in [`super`], the rules in [`crate::house`].

use crate::api::model::Id;
use crate::house::{Missing, ReferralReport};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// `:referrals`: customers by referral source.
    Referrals,
    /// `:names`: names that break the house style.
    Names,
    /// `:incomplete`: profiles that lack what the house requires.
    Incomplete,
}

impl ReportKind {
    /// The palette command that opens it.
    pub fn command(self) -> &'static str {
        match self {
            ReportKind::Referrals => ":referrals",
            ReportKind::Names => ":names",
            ReportKind::Incomplete => ":incomplete",
        }
    }
}

/// A customer whose name breaks the house style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameRow {
    pub id: Id,
    /// The business name as stored.
    pub name: String,
    /// The name in the house style.
    pub fixed: String,
    /// Why, one entry per rule that changed something.
    pub reasons: Vec<String>,
}

/// A customer that lacks what the house requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteRow {
    pub id: Id,
    pub name: String,
    pub missing: Vec<Missing>,
}

/// What a report found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportData {
    Referrals(ReferralReport),
    Names(Vec<NameRow>),
    Incomplete(Vec<IncompleteRow>),
}

/// A report on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub data: ReportData,
    /// Customers looked at.
    pub scanned: usize,
    /// Which customers: "the whole account (local mirror)", "the 200 customers loaded".
    pub scope: String,
    pub cursor: usize,
    pub offset: usize,
}

impl ReportView {
    pub fn kind(&self) -> ReportKind {
        match self.data {
            ReportData::Referrals(_) => ReportKind::Referrals,
            ReportData::Names(_) => ReportKind::Names,
            ReportData::Incomplete(_) => ReportKind::Incomplete,
        }
    }

    /// Rows on screen (a referral report's are its sources).
    pub fn len(&self) -> usize {
        match &self.data {
            ReportData::Referrals(r) => r.groups.len(),
            ReportData::Names(n) => n.len(),
            ReportData::Incomplete(n) => n.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the customer an onboarding creates would lack of what the house requires, with the
/// contacts it creates (their titles carry the roles). Not blocking: the review says it.
pub fn onboarding_missing(
    onb: &crate::flows::onboard::Onboarding,
    rules: &crate::config::house::Completeness,
) -> Vec<Missing> {
    use serde_json::Value;
    let mut c = onb.customer.clone();
    c.insert("id".into(), Value::from(0));
    let contacts: Vec<Value> = onb
        .contacts()
        .into_iter()
        .map(|(_, mut p)| {
            if let Some(t) = p.remove("title") {
                p.insert("properties".into(), serde_json::json!({ "title": t }));
            }
            p.insert("id".into(), Value::from(0));
            Value::Object(p)
        })
        .collect();
    c.insert("contacts".into(), Value::Array(contacts));
    match serde_json::from_value::<crate::api::model::Customer>(Value::Object(c)) {
        Ok(customer) => crate::house::missing(&customer, rules),
        Err(_) => Vec::new(),
    }
}

/// Lines under the list for the selected row in full (kept in step with `ui::report`).
pub const DETAIL_LINES: u16 = 3;

/// Lines of the summary over the table (kept in step with `ui::report`).
pub const SUMMARY_LINES: u16 = 2;

/// Rows that fit on screen: the screen less the borders, the summary, the header, the detail
/// lines and the status line.
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(4 + SUMMARY_LINES + DETAIL_LINES)).max(1)
}
