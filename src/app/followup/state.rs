//! The onboarding follow-ups' data in the app: the open checklists of this account, what the
//! worker is asked and answers, the `:onboarding` screen's cursor, and the lines the
//! customer's Overview shows. No `App` here: the logic is in [`super`].

use std::collections::BTreeSet;

use crate::api::model::Id;
use crate::app::view::FieldLine;
use crate::followup::{Checklist, Item};
use crate::sanitize;

/// What the app asks the worker about follow-ups (answered by `Action::Followup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowupOp {
    /// Read the profile's checklists.
    Load,
    /// Tick an item by hand, or untick it.
    Toggle { customer: Id, item: Item },
    /// Look at these customers through the API, one after the other, and tick what it shows.
    Check { customers: Vec<Id> },
}

/// The worker's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowupEvent {
    /// The open checklists of this account, as the file has them now.
    Lists(Result<Vec<Checklist>, String>),
    /// A look at a customer ended: the items it ticked, or why it failed.
    Checked {
        customer: Id,
        result: Result<Vec<Item>, String>,
    },
}

/// The follow-ups the app knows of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Followups {
    /// Open checklists of this account, oldest first.
    pub lists: Vec<Checklist>,
    pub loaded: bool,
    pub error: Option<String>,
    /// Customers being looked at now.
    pub checking: BTreeSet<Id>,
    /// Customers looked at since the app started (the Overview looks once by itself).
    pub checked: BTreeSet<Id>,
}

impl Followups {
    pub fn of(&self, customer: Id) -> Option<&Checklist> {
        self.lists.iter().find(|c| c.customer_id == customer)
    }

    /// Whether showing the customer should look at it through the API.
    pub fn wants_check(&self, customer: Id) -> bool {
        self.of(customer).is_some()
            && !self.checked.contains(&customer)
            && !self.checking.contains(&customer)
    }

    /// The `:onboarding` rows: every item of every open checklist.
    pub fn rows(&self) -> Vec<(usize, Item)> {
        self.lists
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.items.iter().map(move |s| (i, s.item)))
            .collect()
    }
}

/// The `:onboarding` screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowupView {
    pub cursor: usize,
    pub offset: usize,
}

/// Lines of the Overview before the item lines: the heading.
pub const OVERVIEW_HEAD: usize = 1;

/// `✓` done, `·` open.
pub fn mark(done: bool) -> &'static str {
    if done { "✓" } else { "·" }
}

/// One item, as a line: `✓ Import existing inventory: 3 assets in Syncro (seen 2026-05-02)`.
pub fn item_text(c: &Checklist, item: Item, checking: bool) -> String {
    let state = c.state(item);
    let done = state.and_then(|s| s.done.as_ref());
    let how = match done {
        Some(d) => d.describe(),
        None if checking => "checking…".into(),
        None => item.outlook(c.seen.as_ref()),
    };
    sanitize::line(&format!("{} {}: {how}", mark(done.is_some()), item.label()))
}

/// The lines the customer's Overview starts with while its checklist is open: a heading with
/// the progress and the keys, then one line per item.
pub fn overview_lines(f: &Followups, customer: Id) -> Vec<FieldLine> {
    let Some(c) = f.of(customer) else {
        return Vec::new();
    };
    let (done, all) = c.progress();
    let checking = f.checking.contains(&customer);
    let mut out = vec![FieldLine {
        label: "Follow-ups".into(),
        value: format!("{done} of {all} done · Space ticks · o opens in Syncro"),
        copy: format!("{done} of {all} done"),
    }];
    for s in &c.items {
        let text = item_text(c, s.item, checking);
        out.push(FieldLine {
            label: String::new(),
            copy: text.clone(),
            value: text,
        });
    }
    out
}

/// The item under the Overview's cursor, if it is on one of the checklist's lines.
pub fn item_at(f: &Followups, customer: Id, cursor: usize) -> Option<Item> {
    let c = f.of(customer)?;
    cursor
        .checked_sub(OVERVIEW_HEAD)
        .and_then(|i| c.items.get(i))
        .map(|s| s.item)
}
