//! The account mirror's data in the app: what the app asks the worker and hears back, the
//! mirror's state, its searchers and the find-anywhere popup. No `App` here: the logic is in
//! [`super`] and [`crate::app::find`].

use std::sync::Arc;

use tui_input::Input;

use crate::api::model::{Contact, Customer, Id};
use crate::app::view::RowView;
use crate::mirror::{MatchKind, Packed, SearchIndex, Searcher};

/// Results shown in the find-anywhere popup.
pub const FIND_LIMIT: usize = 200;

/// What the app asks the worker to do with the mirror.
#[derive(Debug, Clone, PartialEq)]
pub enum MirrorOp {
    /// Load the profile's mirror file; answered by [`MirrorEvent::Loaded`].
    Load,
    /// Refresh from the server: `full` forces a full pass; otherwise changes first, then a full
    /// pass when the last one is older than an hour.
    Sync {
        full: bool,
    },
    /// A customer was created or saved (its own fields; the mirror keeps the contacts it has
    /// when the record carries none).
    PutCustomer(Box<Customer>),
    /// A contact was created or saved (filed under its `customer_id`).
    PutContact(Box<Contact>),
    RemoveCustomer(Id),
    RemoveContact(Id),
}

// `Effect` is `Eq`; records hold JSON values without NaN, so equality is an equivalence.
impl Eq for MirrorOp {}

/// What the worker reports about the mirror.
#[derive(Debug)]
pub enum MirrorEvent {
    /// The file was read (or is missing: `customers` is `None`).
    Loaded {
        /// Shared with the worker's mirror (one copy of each record in memory).
        customers: Option<Vec<Packed>>,
        /// The rows' views of `customers`, in the same order, when the loader built them as it
        /// decoded the file; empty when the list is to build them.
        views: Vec<RowView>,
        /// The rows' order by name (the list's default sort), read with the views from the
        /// file (checked there), so that the first frame does not wait for a sort.
        order: Option<Vec<usize>>,
        /// `synced 3 h ago`
        age: String,
        /// When the mirror was last synced, if ever: the list title counts from it.
        synced_at: Option<std::time::SystemTime>,
        /// A discarded file, for the status line.
        notice: Option<String>,
    },
    /// The mirror just loaded failed the check of its records made after the first frame: it
    /// is discarded, as a damaged file is at load (the notice says so), and the next sync
    /// rebuilds it.
    Discarded(String),
    /// A new search index (after a load, a sync or a write).
    Index(Arc<SearchIndex>),
    /// A sync step, for the status line (`Syncing customers, page 12 of 50, about 40 s left`).
    Progress(String),
    /// A sync pass finished: every customer of the refreshed mirror. `done` is false when a
    /// full pass follows.
    Synced {
        customers: Vec<Packed>,
        summary: String,
        done: bool,
    },
    /// A write made in the app reached the mirror: the customer as the mirror now has it
    /// (with its contacts).
    Changed(Box<Customer>),
    /// A customer was removed from the mirror.
    Removed(Id),
    /// The sync failed; the mirror in use stays.
    SyncFailed(String),
    /// Saving the mirror file failed.
    SaveFailed(String),
}

/// One line of the find-anywhere popup, built when the results arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindRow {
    pub customer_id: Id,
    pub contact_id: Option<Id>,
    /// The contact's or the customer's name.
    pub name: String,
    /// The customer's name (for a contact), or empty.
    pub customer: String,
    /// `e-mail: jane@acme.com`
    pub matched: String,
    pub kind: MatchKind,
}

/// The find-anywhere popup.
#[derive(Debug, Clone, Default)]
pub struct FindPopup {
    pub input: Input,
    pub rows: Vec<FindRow>,
    /// Matches in all (may exceed the rows shown).
    pub total: usize,
    pub cursor: usize,
    pub offset: usize,
    /// Opened by `:contact TEXT`: only contacts are listed.
    pub contacts_only: bool,
}

/// The searcher over the mirror's index. Cloning an app gives a fresh searcher over the same
/// index (the narrowing memory is not shared).
#[derive(Debug, Default)]
pub struct SharedSearcher(pub Searcher);

impl Clone for SharedSearcher {
    fn clone(&self) -> Self {
        SharedSearcher(Searcher::new(self.0.index().clone()))
    }
}

/// The app's side of the mirror.
#[derive(Debug, Clone, Default)]
pub struct MirrorState {
    /// The worker can load and sync a mirror (set at start when a server and key exist).
    pub configured: bool,
    /// The list shows the mirror's customers (loaded from the file or built by a sync).
    pub active: bool,
    /// `synced 3 h ago`, for the list title, as the loader said it (when the clock is unknown).
    pub age: Option<String>,
    /// When the mirror was last synced: the list title counts from it with the app's clock.
    pub synced_at: Option<std::time::SystemTime>,
    /// A sync runs; its last progress line.
    pub syncing: Option<String>,
    /// Searches the whole account (for `/` and find-anywhere); `None` until built.
    pub searcher: Option<SharedSearcher>,
    /// A second searcher for the popup, so the list filter's narrowing memory stays its own.
    pub find_searcher: Option<SharedSearcher>,
    /// Customers the app wrote since the last finished sync. A pass's result can be made
    /// before the worker's mirror took such a write (it arrives as `Changed` just after):
    /// until then the list keeps the app's copy, so that a new customer never leaves the list
    /// and the cursor on it for a moment.
    pub written: Vec<crate::api::model::Customer>,
}

impl MirrorState {
    pub fn is_syncing(&self) -> bool {
        self.syncing.is_some()
    }

    /// `synced 8 min ago`, counted from the last sync with the clock the loop gives the app.
    pub fn age_text(&self, now: Option<std::time::SystemTime>) -> Option<String> {
        match (self.synced_at, now) {
            (Some(at), Some(now)) => {
                let secs = now.duration_since(at).map_or(0, |d| d.as_secs());
                Some(match secs {
                    0..60 => "synced just now".into(),
                    60..3600 => format!("synced {} min ago", secs / 60),
                    3600..86_400 => format!("synced {} h ago", secs / 3600),
                    _ => format!("synced {} d ago", secs / 86_400),
                })
            }
            _ => self.age.clone(),
        }
    }

    /// Whether the list's search is answered by the mirror (no server search then).
    pub fn answers_search(&self) -> bool {
        self.active
    }

    /// Customers matching the list's search text in the whole mirror, when the mirror answers
    /// searches (loaded and indexed) and the text has two characters or more. A single
    /// character filters the rows by substring as without a mirror (the mirror matches one
    /// character only at the start of a field, and ranking every record of a large account
    /// costs more than a frame).
    pub fn matching_customers(&mut self, query: &str) -> Option<crate::mirror::CustomerMatches> {
        if !self.active {
            return None;
        }
        let query = query.trim();
        if query.chars().count() < 2 {
            return None;
        }
        let searcher = self.searcher.as_mut()?;
        // The customers of every hit, not ranked: the list shows them in its own order.
        Some(searcher.0.matching_customers(query))
    }
}
