//! The customer list's data: its rows (each record packed, with the view the list draws), the
//! filtered and sorted order, paging from the server, and the search field. No logic beyond
//! reading it; the operations on it are in [`super::panes`].

use std::collections::HashMap;

use tui_input::Input;

use crate::api::model::{Customer, Id};
use crate::app::kinds::{Debounce, SortKey};
use crate::app::view::RowView;
use crate::mirror::Packed;

/// Paging state of one customer list source (browsing, or a server search).
#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// Generation of the current request series; answers of any other generation are dropped.
    pub generation: u64,
    /// Pages received so far (1-based count).
    pub pages_loaded: u32,
    pub total_pages: Option<u64>,
    pub total_entries: Option<u64>,
    /// Records received (for "N of TOTAL" of a search).
    pub received: usize,
    /// Whether `meta` says another page exists.
    pub has_more: bool,
    /// The page being fetched.
    pub loading: Option<u32>,
    /// The last failure; cleared by a refresh.
    pub error: Option<String>,
}

impl Paging {
    pub fn fresh(generation: u64) -> Self {
        Paging {
            generation,
            ..Paging::default()
        }
    }

    /// Whether another page should be fetched (first page, or `meta` says there is more).
    pub fn wants_more(&self) -> bool {
        self.loading.is_none() && self.error.is_none() && (self.pages_loaded == 0 || self.has_more)
    }
}

/// One customer in the list: the record (packed) and its display data, built once on arrival.
#[derive(Debug, Clone)]
pub struct Row {
    /// Shared with the account mirror when the list comes from it. Decoded on demand by
    /// [`Row::customer`]; what the list draws, sorts and filters is in `view`.
    pub record: Packed,
    pub view: RowView,
}

impl Row {
    /// The customer, decoded (a few microseconds: for the selected row, not for every row).
    pub fn customer(&self) -> Customer {
        self.record.unpack()
    }

    pub fn id(&self) -> Id {
        self.view.id
    }
}

/// The customer list: every loaded customer, and the filtered, sorted rows on screen.
#[derive(Debug, Clone, Default)]
pub struct CustomerList {
    pub rows: Vec<Row>,
    pub(crate) index: HashMap<Id, usize>,
    /// All rows in sort order (indices into `rows`).
    pub(crate) order: Vec<usize>,
    /// Rows passing the filters, in sort order (indices into `rows`).
    pub shown: Vec<usize>,
    /// Cursor, an index into `shown`.
    pub cursor: usize,
    /// First `shown` row on screen.
    pub offset: usize,
    /// The needle `shown` was last filtered with (lowercase).
    pub(crate) filtered_by: String,
    pub(crate) filtered_disabled: bool,
    /// Browsing pages (no search).
    pub browse: Paging,
    /// The server search for the current search text, once the debounce fired.
    pub remote: Option<RemoteSearch>,
    /// Counts every change of the rows (a page, a save, a sync, a removal): what is built from
    /// them (the contacts pane) knows when it is out of date.
    pub version: u64,
    /// Sort orders already computed for these rows: `(version, rows, key, ascending order)`.
    /// A sort key pressed again over the same rows is a look-up (and a reversal for the
    /// descending direction), not a sort; any change of the rows bumps `version` and so
    /// leaves these unused (see `panes::resort`).
    pub(crate) sorted: Vec<(u64, usize, SortKey, Vec<usize>)>,
    /// The `version` whose other orders were last asked of the worker, and whether that
    /// answer is still to come (see `panes::settle_orders`).
    pub(crate) orders_asked: Option<u64>,
    pub(crate) orders_in_flight: bool,
    /// A customer just edited stays listed while the search text is the same, even when its
    /// new values no longer match it (it does not vanish from under the cursor); the next
    /// change of the search lets it go.
    pub pinned: Option<Id>,
    /// Only these customers are shown (a referral source picked in `:referrals`); Esc on the
    /// list lets it go.
    pub only: Option<Only>,
}

/// A set of customers the list is narrowed to, with what they have in common for its title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Only {
    /// "referred by ABC Co".
    pub label: String,
    pub ids: std::collections::HashSet<Id>,
}

/// A server search (`query`) and its pages.
#[derive(Debug, Clone)]
pub struct RemoteSearch {
    pub query: String,
    pub paging: Paging,
}

impl CustomerList {
    /// The customer under the cursor.
    pub fn selected(&self) -> Option<&Row> {
        self.shown.get(self.cursor).map(|&i| &self.rows[i])
    }

    /// The paging that the list currently extends: the server search while one is active.
    pub fn active_paging(&self) -> &Paging {
        self.remote.as_ref().map_or(&self.browse, |r| &r.paging)
    }
}

/// The search field.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub input: Input,
    /// Server search waiting for typing to pause.
    pub debounce: Debounce,
}

impl Search {
    pub fn text(&self) -> &str {
        self.input.value()
    }
}

/// What a customer is picked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// A new contact goes under it.
    NewContact,
    /// The contact moves there.
    MoveContact { contact_id: Id, from: Id },
    /// The marked contacts of a bulk edit move there.
    BulkMove,
    /// The customer who referred the one in the open form (`ref_customer_id`).
    Referrer,
}

/// The customer picker: a search over the list's customers by name, e-mail, city or phone.
#[derive(Debug, Clone)]
pub struct PickState {
    pub purpose: PickFor,
    pub input: Input,
    /// Matching customers, in the list's order (at most [`PICK_LIMIT`]).
    pub hits: Vec<Id>,
    /// Matches in all.
    pub total: usize,
    pub cursor: usize,
}

/// How many customers the picker lists.
pub const PICK_LIMIT: usize = 200;
