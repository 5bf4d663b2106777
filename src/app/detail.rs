//! The detail pane's data: the customer shown, its tab and cursors, and what its tabs load
//! (tickets, assets, the account's invoice scan). The operations are in [`super::panes`].

use std::collections::HashMap;

use crate::api::model::Id;
use crate::app::kinds::{Debounce, Load, PerTab, Tab};
use crate::app::view::{AssetRow, CustomerView, InvoiceRow, TicketRow};

/// Tickets and assets of one customer, loaded when their tab is opened.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub tickets: Load<Vec<TicketRow>>,
    pub assets: Load<Vec<AssetRow>>,
    /// The customer's contacts read again from `/contacts` (Syncro does not promise that a
    /// contact edit changes its customer's `updated_at`, so a sync cannot see colleagues'
    /// contact edits): the Contacts tab shows the embedded ones at once, then these.
    pub contacts: Load<()>,
}

/// Invoices cannot be filtered by customer on the server: the app scans every page once and
/// groups them by customer here.
#[derive(Debug, Clone, Default)]
pub struct InvoiceScan {
    pub generation: u64,
    pub started: bool,
    pub pages_done: u32,
    pub total_pages: Option<u64>,
    pub done: bool,
    pub error: Option<String>,
    pub by_customer: HashMap<Id, Vec<InvoiceRow>>,
}

impl InvoiceScan {
    pub fn scanning(&self) -> bool {
        self.started && !self.done && self.error.is_none()
    }
}

/// The detail pane.
#[derive(Debug, Clone)]
pub struct Detail {
    pub customer_id: Option<Id>,
    /// Display data of the customer, rebuilt when the selection or the record changes.
    pub view: Option<CustomerView>,
    pub tab: Tab,
    /// Cursor per tab (Overview: the field line; others: the row).
    pub cursors: PerTab<usize>,
    /// The selected contact's record fills the pane (Enter on a contact).
    pub contact_open: bool,
    /// Field cursor inside the open contact record.
    pub record_cursor: usize,
    /// First line (Overview) or row (tables) on screen, per tab; kept by `update` so the view
    /// scrolls only when the cursor would leave it.
    pub scroll: PerTab<usize>,
    /// First line on screen of the open contact record.
    pub record_scroll: usize,
    /// Loading the tab's data waits until the cursor rests.
    pub debounce: Debounce,
}

impl Default for Detail {
    fn default() -> Self {
        Detail {
            customer_id: None,
            view: None,
            tab: Tab::Overview,
            cursors: [0; Tab::COUNT],
            contact_open: false,
            record_cursor: 0,
            scroll: [0; Tab::COUNT],
            record_scroll: 0,
            debounce: Debounce::Idle,
        }
    }
}

impl Detail {
    pub fn cursor(&self) -> usize {
        self.cursors[self.tab.index()]
    }
}
