//! Everything that can happen to the app: intents from keys, results from the worker, time.

use std::time::Instant;

use tui_input::InputRequest;

use crate::api::ApiError;
use crate::api::model::{Asset, Contact, Customer, Id, Invoice, Page, Ticket};
use crate::app::kinds::Tab;
use crate::domain::{ContactChange, Deletion, Draft, Record};

/// An intent, as produced by a key (see [`crate::app::keymap`]). Plain data, so the keymap can be a
/// static table that the help overlay reads too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Quit,
    /// Ctrl-Z: back to the shell; `fg` returns to the same screen.
    Suspend,
    Up,
    Down,
    PageDown,
    PageUp,
    HalfPageDown,
    HalfPageUp,
    Top,
    Bottom,
    /// Tab: list -> detail -> list.
    FocusNext,
    /// Shift-Tab.
    FocusPrev,
    ShowTab(Tab),
    /// Enter: list -> focus the detail; contacts -> the contact's record.
    Open,
    /// Esc: close the record, return to the list, clear the search.
    Back,
    /// `/`: open the search field.
    Search,
    /// Enter in the search: keep the filter, back to the list.
    SearchAccept,
    /// Esc in the search: clear it.
    SearchCancel,
    SortNext,
    SortReverse,
    ToggleDisabled,
    Refresh,
    /// `y`: copy the focused value (OSC 52).
    Copy,
    /// `o`: open the customer in the browser.
    OpenInBrowser,
    /// `?`: help.
    Help,
    /// Close the help overlay or a modal.
    Close,
    /// `F`: find customers and contacts anywhere in the account (the mirror).
    FindAnywhere,
    /// Enter in the find popup: jump to the result.
    FindJump,
    /// `R`: a full sync of the account mirror now.
    SyncMirror,
    /// `A`: the duplicate audit.
    Audit,
    /// `x` in the audit: the selected group is not a duplicate.
    Dismiss,
    /// `t`: cycle the list's customer-type filter.
    TypeFilter,
    /// `:`: open the command palette.
    Palette,
    /// Tab in the palette: complete the command or its argument.
    Complete,
    /// Enter in the palette: run the command.
    Run,
    /// `n`: a new customer (list) or contact (Contacts tab).
    New,
    /// `e`: edit the selected customer (list, Overview) or contact (Contacts tab).
    Edit,
    /// `d`: delete the selected contact (Contacts tab), after a confirmation.
    Delete,
    /// `D`: delete the selected customer, after typing its name.
    DeleteCustomer,
    /// Form: next field (Tab, Down).
    FormNext,
    /// Form: previous field (Shift-Tab, Up).
    FormPrev,
    /// Form: save (Ctrl-S).
    FormSave,
    /// Form: Enter (next field; saves on the last field).
    FormEnter,
    /// Form: Esc (asks before discarding changes).
    FormCancel,
    /// Form: edit the focused field in `$EDITOR` (Ctrl-E).
    FormEditor,
    /// Form: revert the focused field (Ctrl-R).
    FormRevert,
    /// Form: open the record a duplicate check found, instead of creating (Ctrl-O).
    FormOpenMatch,
    /// Dialog: accept the highlighted answer (Enter).
    ConfirmAccept,
    /// Dialog: cancel (Esc).
    ConfirmCancel,
    /// Dialog: highlight the next answer (Tab, →).
    ConfirmToggle,
    /// Dialog: highlight the previous answer (Shift-Tab, ←).
    ConfirmBack,
    /// Merge two customers (the audit's group, or the marked and the selected customer).
    Merge,
    /// `O`: onboard a new client (customer, contacts, review, create).
    Onboard,
    /// `c`: the left pane lists contacts instead of customers, or customers again.
    Panes,
    /// `L`: the selected contact left (retire), or is back (reinstate).
    Retire,
    /// `m`: move the selected contact to another customer (picked next).
    MoveContact,
    /// `]`: the next contact, from a contact's record (the list stays where it is).
    NextContact,
    /// `[`: the previous contact.
    PrevContact,
    /// `Space`: mark the row under the cursor (or unmark it) and move down.
    Mark,
    /// `*`: mark every row the filter shows (every page, the whole mirror).
    MarkAll,
    /// `u`: clear the marks of the pane.
    ClearMarks,
    /// `U`: undo the last change the app made (from the change log).
    UndoLast,
    /// In the change log: undo the selected change (its whole bulk edit or onboarding).
    Undo,
    /// In a report (`:referrals`): write it as CSV to the export directory.
    Export,
    /// In a customer form: take the house-style name suggested under the name field.
    FormApplyName,
}

/// Everything `update` reacts to.
#[derive(Debug)]
pub enum Action {
    /// A key, already routed by mode.
    Cmd(Cmd),
    /// A key typed into a bulk edit's value.
    BulkEdit(InputRequest),
    /// A bulk edit's report from the worker.
    Bulk(crate::app::bulk::state::BulkEvent),
    /// The change log's and undo's reports from the worker.
    Log(crate::app::bulk::state::LogEvent),
    /// The onboarding follow-ups (see [`crate::app::followup`]).
    Followup(crate::app::followup::state::FollowupEvent),
    /// A key typed into the search field.
    SearchEdit(InputRequest),
    /// A key typed into the command palette.
    PaletteEdit(InputRequest),
    /// The terminal's size (columns, rows).
    Resize(u16, u16),
    /// Time passes (only while something animates or waits).
    Tick(Instant),
    /// The wall clock, from the loop at start and every half minute while the mirror's age is
    /// shown (the model reads no clock).
    Clock(std::time::SystemTime),
    /// How long requests wait for the rate limiter now (`None`: they go at once).
    RateWait(Option<std::time::Duration>, Option<crate::api::WaitReason>),
    /// A mouse click at a screen cell (column, row).
    Click(u16, u16),
    /// Mouse wheel: positive scrolls down.
    Scroll(i16),
    /// One page of customers arrived.
    CustomersLoaded {
        generation: u64,
        page: u32,
        result: Result<Page<Customer>, ApiError>,
    },
    TicketsLoaded {
        customer_id: Id,
        generation: u64,
        result: Result<Vec<Ticket>, ApiError>,
    },
    AssetsLoaded {
        customer_id: Id,
        generation: u64,
        result: Result<Vec<Asset>, ApiError>,
    },
    /// The customer list's orders by these sort keys, for the rows of `version` (a worker
    /// sorted them; see `panes::settle_orders`).
    ListOrders {
        version: u64,
        orders: Vec<(crate::app::kinds::SortKey, Vec<usize>)>,
    },
    /// The contacts pane's rows and orders, built on a worker thread.
    ContactsBuilt {
        generation: u64,
        built: crate::app::contact_list::Built,
    },
    /// The customer's contacts, read again.
    ContactsLoaded {
        customer_id: Id,
        generation: u64,
        result: Result<Vec<Contact>, ApiError>,
    },
    /// One page of the account-wide invoice scan.
    InvoicesPage {
        generation: u64,
        page: u32,
        total_pages: Option<u64>,
        /// No page follows this one.
        last: bool,
        result: Result<Vec<Invoice>, ApiError>,
    },
    /// A note from the outside world for the status line (copy done, browser failed).
    Notice { text: String, error: bool },
    /// A report about the account mirror (loaded, synced, indexed).
    Mirror(crate::app::mirror::state::MirrorEvent),
    /// A key typed into the find-anywhere popup.
    FindEdit(InputRequest),
    /// A report for the duplicate audit (dismissed groups read or not saved).
    Audit(crate::app::audit::state::AuditEvent),
    /// A report about a contact merge.
    ContactMerge(crate::app::merge::state::ContactMergeEvent),
    /// A report about a merge (the plan, a step, the end).
    Merge(crate::app::merge::state::MergeEvent),
    /// A key typed into the open form's focused field.
    FormEdit(InputRequest),
    /// A key typed into a dialog (the customer's name before a delete; `y`/`n`).
    ConfirmEdit(InputRequest),
    /// `$EDITOR` returned: the new value of the focused field, or why no editor ran.
    EditorDone(Result<String, String>),
    /// The record re-read before a PUT (conflict check).
    FormReread {
        token: u64,
        result: Result<Record, ApiError>,
    },
    /// The answer to a create or an update.
    FormSaved {
        token: u64,
        result: Result<Record, ApiError>,
    },
    /// Records that may be the one being created (verify before create, or after an unknown
    /// outcome).
    FormLookup {
        token: u64,
        result: Result<Vec<Record>, ApiError>,
    },
    /// A contact was retired, reinstated or moved: the contact as the server has it now.
    ContactChanged {
        change: ContactChange,
        result: Result<Contact, ApiError>,
    },
    /// A delete finished.
    Deleted {
        target: Deletion,
        result: Result<(), ApiError>,
    },
    /// Drafts left by an earlier run.
    DraftsLoaded(Vec<Draft>),
    /// A key typed into the customer picker.
    PickEdit(InputRequest),
    /// A key typed into the onboarding's open form.
    OnboardEdit(InputRequest),
    /// A report about an onboarding (duplicates, a step, the end, unfinished runs).
    Onboard(crate::app::onboard::state::OnboardEvent),
}
