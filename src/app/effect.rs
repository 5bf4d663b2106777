//! What the app asks the outside world to do. The worker runs the network ones; the terminal
//! loop runs the ones that touch the terminal or the desktop.

use crate::api::CustomerQuery;
use crate::api::model::Id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// One page of `GET /customers`; answered by `Action::CustomersLoaded` with the same `generation`.
    LoadCustomers {
        generation: u64,
        query: CustomerQuery,
    },
    /// Every page of the customer's tickets; answered by `Action::TicketsLoaded`.
    LoadTickets { customer_id: Id, generation: u64 },
    /// Every page of the customer's assets; answered by `Action::AssetsLoaded`.
    LoadAssets { customer_id: Id, generation: u64 },
    /// Walk every page of `/invoices`; answered page by page by `Action::InvoicesPage`.
    ScanInvoices { generation: u64 },
    /// Put text on the clipboard through the terminal (OSC 52). Already sanitised.
    Copy(String),
    /// Open a URL in the browser. Never carries a key.
    OpenUrl(String),
    /// Write an export file (`:export`); answered by `Action::Notice` with the path.
    Export {
        dir: std::path::PathBuf,
        stem: String,
        format: crate::export::ExportFormat,
        /// The file's content, built from the list on screen.
        text: String,
        /// What it holds, for the status line (`12 customers`).
        what: String,
    },
    /// Switch to another profile of the config file (`:profile NAME`): the terminal loop
    /// resolves it, connects, and starts a fresh app; on failure the old connection stays.
    SwitchProfile(String),
}
