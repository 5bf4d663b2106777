//! What the app asks the outside world to do. The worker runs the network ones; the terminal
//! loop runs the ones that touch the terminal or the desktop.

use crate::api::model::CustomerQuery;
use crate::api::model::{Id, Patch};
use crate::domain::{ContactChange, Deletion};
use crate::domain::{Draft, FormTarget};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// One page of `GET /customers`; answered by `Action::CustomersLoaded` with the same `generation`.
    LoadCustomers {
        generation: u64,
        query: CustomerQuery,
    },
    /// Every page of the customer's tickets; answered by `Action::TicketsLoaded`.
    LoadTickets { customer_id: Id, generation: u64 },
    /// Every contact of the customer (`/contacts?customer_id=`); answered by
    /// `Action::ContactsLoaded`.
    LoadContacts { customer_id: Id, generation: u64 },
    /// Read the contacts of these customers into the contacts pane's rows (a big account, off
    /// the UI thread); answered by `Action::ContactsBuilt`.
    BuildContacts {
        generation: u64,
        customers: Vec<crate::mirror::Packed>,
        /// The customers' list rows, whose texts the pane's rows read (shared, not copied).
        views: Vec<crate::app::view::RowView>,
    },
    /// The list's order for each of `keys` over these rows' views (a copy sharing their text),
    /// so that no `s` sorts a big list on the UI thread; answered by `Action::ListOrders`.
    SortOrders {
        version: u64,
        views: Vec<crate::app::view::RowView>,
        keys: Vec<crate::app::kinds::SortKey>,
    },
    /// Every page of the customer's assets; answered by `Action::AssetsLoaded`.
    LoadAssets { customer_id: Id, generation: u64 },
    /// Walk every page of `/invoices`; answered page by page by `Action::InvoicesPage`.
    ScanInvoices { generation: u64 },
    /// Put text on the clipboard through the terminal (OSC 52). Already sanitised.
    Copy(String),
    /// Open a URL in the browser. Never carries a key.
    OpenUrl(String),
    /// Load, sync or update the account mirror (see [`crate::app::mirror`]).
    Mirror(crate::app::mirror::state::MirrorOp),
    /// Read or write the duplicate audit's dismissed groups (see [`crate::app::audit`]).
    Audit(crate::app::audit::state::AuditOp),
    /// Plan, run or resume a merge (see [`crate::app::merge`]).
    Merge(crate::app::merge::state::MergeOp),
    /// Plan, run, resume or forget a contact merge (see [`crate::app::contact_merge`]).
    ContactMerge(crate::app::merge::state::ContactMergeOp),
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
    /// Re-read the record an edit form changes (before the PUT); answered by
    /// `Action::FormReread`.
    Reread { token: u64, target: FormTarget },
    /// Create or update: only the fields in `patch`; answered by `Action::FormSaved`.
    Save {
        token: u64,
        target: FormTarget,
        patch: Patch,
        /// The record as the server had it when re-read before the save (an edit), for the
        /// change log's values before.
        before: Option<Box<crate::domain::Record>>,
    },
    /// Look for records like the one being created; answered by `Action::FormLookup`.
    /// Customers: by e-mail and by business name. Contacts: the customer's contacts.
    Lookup {
        token: u64,
        target: FormTarget,
        email: Option<String>,
        name: Option<String>,
        /// What the form would send (first and last name, phone...): the look-up searches by
        /// those too.
        fields: Patch,
    },
    /// Retire, reinstate or move a contact; answered by `Action::ContactChanged`.
    ChangeContact(ContactChange),
    /// Delete a customer or a contact; answered by `Action::Deleted`.
    Delete(Deletion),
    /// Write the draft of the open form (data directory, in order with `RemoveDraft`).
    SaveDraft(Draft),
    /// Remove the draft of a form that was saved or discarded.
    RemoveDraft(FormTarget),
    /// Read the drafts of an earlier run; answered by `Action::DraftsLoaded`.
    LoadDrafts,
    /// Suspend the terminal and edit `value` in `$EDITOR`; answered by `Action::EditorDone`.
    EditExternally { value: String },
    /// Ctrl-Z: restore the terminal, stop like a shell job, and take the screen back on `fg`.
    Suspend,
    /// Check, run, resume or forget an onboarding (see [`crate::app::onboard`]).
    Onboard(crate::app::onboard::state::OnboardOp),
    /// Bulk edits; answered by `Action::Bulk`.
    Bulk(crate::app::bulk::state::BulkOp),
    /// The change log and undo; answered by `Action::Log`.
    Log(crate::app::bulk::state::LogOp),
    /// The onboarding follow-ups; answered by `Action::Followup`.
    Followup(crate::app::followup::state::FollowupOp),
}
