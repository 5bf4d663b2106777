//! The marks' data: which records of each pane are marked. No `App` here: the keys are in
//! [`super`].

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;

use crate::api::model::Id;
use crate::app::kinds::Pane;

/// A set of record ids with a fast hasher: `*` over a 100,000-customer mirror inserts every id
/// within a frame.
pub type IdSet = HashSet<Id, BuildHasherDefault<FxHasher>>;

/// The marked records of each pane.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    pub customers: IdSet,
    pub contacts: IdSet,
    /// `*` on a paged list: the pages not loaded yet are being fetched; every row the filter
    /// shows is marked when the last one arrives.
    pub pending_all: bool,
}

impl Marks {
    /// The marks of the pane on the left.
    pub fn of(&self, pane: Pane) -> &IdSet {
        match pane {
            Pane::Customers => &self.customers,
            Pane::Contacts => &self.contacts,
        }
    }

    pub fn of_mut(&mut self, pane: Pane) -> &mut IdSet {
        match pane {
            Pane::Customers => &mut self.customers,
            Pane::Contacts => &mut self.contacts,
        }
    }
}
