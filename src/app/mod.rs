//! The model: pure state and logic. No terminal, no network, no clock reads.
//!
//! Time enters only through [`Action::Tick`]; results of network calls enter as actions; keys
//! enter as actions produced by [`keymap`]. [`update::update`] is the one function that changes
//! an [`App`], and it answers with the [`Effect`]s the outside world should carry out.

pub mod action;
pub mod audit_ui;
pub mod effect;
#[doc(hidden)]
pub mod fixtures;
pub mod form;
pub mod forms_ui;
pub mod keymap;
pub mod layout;
pub mod merge_ui;
pub mod mirror_ui;
pub mod onboard_ui;
pub mod palette;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tui_input::Input;

use crate::api::model::{Customer, Id};
use crate::mirror::Packed;
pub use action::{Action, Cmd};
pub use effect::Effect;
pub use update::update;
use view::{AssetRow, CustomerView, InvoiceRow, RowView, TicketRow};

/// How long the search waits after the last keystroke before asking the server.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);
/// How long the cursor must rest on a customer before its tickets, assets or invoices load.
pub const DETAIL_DEBOUNCE: Duration = Duration::from_millis(150);
/// The tick period while something animates (spinner, pending debounce).
pub const TICK: Duration = Duration::from_millis(80);

/// What the keyboard is talking to. Keys are routed by mode first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Browsing: the list or the detail has focus.
    Normal,
    /// Typing into the search field: every printable key is text.
    Search,
    /// The help overlay.
    Help,
    /// A message that needs acknowledging (e.g. a rejected API key).
    Modal,
    /// The find-anywhere popup over the account mirror: printable keys are text.
    Find,
    /// The duplicate audit screen.
    Audit,
    /// Merging two customers: choose the primary, the plan, the progress, the result.
    Merge,
    /// The `:` command prompt: every printable key is text.
    Palette,
    /// The contacts found by `:contact`.
    Results,
    /// An inline form in the detail pane: printable keys are text.
    Form,
    /// A question (delete, discard, quit, restore a draft) that takes the keyboard.
    Confirm,
    /// The onboarding flow's lists, review and progress (see [`onboard_ui`]).
    Onboard,
    /// A form of the onboarding flow: printable keys are text.
    OnboardForm,
}

/// Which pane receives movement keys in [`Mode::Normal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// The detail pane's tabs, in key order (`1`..`5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Overview,
    Contacts,
    Tickets,
    Assets,
    Invoices,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Overview,
        Tab::Contacts,
        Tab::Tickets,
        Tab::Assets,
        Tab::Invoices,
    ];

    /// Position, 0-based.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Contacts => "Contacts",
            Tab::Tickets => "Tickets",
            Tab::Assets => "Assets",
            Tab::Invoices => "Invoices",
        }
    }
}

/// What the list is sorted by (`s` cycles, `S` reverses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    City,
    Created,
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::City,
            SortKey::City => SortKey::Created,
            SortKey::Created => SortKey::Updated,
            SortKey::Updated => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::City => "city",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
        }
    }

    /// The field name of the API's `sort` parameter.
    pub fn api_field(self) -> &'static str {
        match self {
            SortKey::Name => "business_name",
            SortKey::City => "city",
            SortKey::Created => "created_at",
            SortKey::Updated => "updated_at",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// `"business_name ASC"`, as the API expects it.
    pub fn api(self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{} {dir}", self.key.api_field())
    }

    pub fn label(self) -> String {
        format!(
            "{} {}",
            self.key.label(),
            if self.descending { "↓" } else { "↑" }
        )
    }
}

/// Facts about the environment the app shows but does not act on; fixed at start.
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// The server in use, for the help overlay (`https://acme.syncromsp.com/api/v1`).
    pub server: String,
    /// Talking to the built-in demo server.
    pub demo: bool,
    /// Every write disabled.
    pub read_only: bool,
    /// `https://SUBDOMAIN.syncromsp.com` when the server is a Syncro account (for `o`).
    pub web_base: Option<String>,
    pub config_path: String,
    pub log_path: String,
    /// A problem to show in a modal at start (no API key), with no server to talk to.
    pub startup_problem: Option<Modal>,
    /// Colours allowed (`NO_COLOR` unset).
    pub color: bool,
    /// Accents chosen for a light background.
    pub light: bool,
    /// Mouse capture (wheel and clicks).
    pub mouse: bool,
    /// The custom property that holds the customer type (Business, Government, Non-Profit).
    pub customer_type_property: String,
    /// The keys in effect (defaults with the config file's overrides).
    pub keymap: keymap::Keymap,
    /// Colour overrides by role (`[colors]`), applied over the theme.
    pub colors: std::collections::BTreeMap<String, ratatui::style::Color>,
    /// The profile in use and its key, masked, for the help overlay.
    pub profile: Option<ProfileInfo>,
    /// Profiles of the config file, for `:profile` completion and checking.
    pub profiles: Vec<String>,
    /// Where `:export` writes.
    pub export_dir: std::path::PathBuf,
    pub export: crate::export::ExportOptions,
}

/// The account in use, as the help overlay shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    /// The key at most as its last four characters, and where it came from
    /// (`••••abcd from the SYNCRO_API_KEY environment variable`).
    pub key: String,
}

/// A dialog that takes the keyboard until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modal {
    pub title: String,
    /// Paragraphs, already sanitised.
    pub body: Vec<String>,
    pub error: bool,
}

/// Pending work that waits for a quiet moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Debounce {
    #[default]
    Idle,
    /// Requested; the deadline is set by the next tick (keys carry no time).
    Armed,
    /// Fires at the first tick at or after this instant.
    Until(Instant),
}

impl Debounce {
    pub fn is_pending(self) -> bool {
        self != Debounce::Idle
    }
}

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

/// Something fetched on demand.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load<T> {
    #[default]
    NotAsked,
    Loading {
        generation: u64,
    },
    Loaded(T),
    Failed(String),
}

impl<T> Load<T> {
    pub fn is_loading(&self) -> bool {
        matches!(self, Load::Loading { .. })
    }
}

/// Tickets and assets of one customer, loaded when their tab is opened.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub tickets: Load<Vec<TicketRow>>,
    pub assets: Load<Vec<AssetRow>>,
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
    pub cursors: [usize; 5],
    /// The selected contact's record fills the pane (Enter on a contact).
    pub contact_open: bool,
    /// Field cursor inside the open contact record.
    pub record_cursor: usize,
    /// First line (Overview) or row (tables) on screen, per tab; kept by `update` so the view
    /// scrolls only when the cursor would leave it.
    pub scroll: [usize; 5],
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
            cursors: [0; 5],
            contact_open: false,
            record_cursor: 0,
            scroll: [0; 5],
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

/// The status line's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// The whole state of the app.
#[derive(Debug, Clone)]
pub struct App {
    pub config: AppConfig,
    pub mode: Mode,
    pub focus: Focus,
    pub list: CustomerList,
    pub search: Search,
    pub detail: Detail,
    pub extras: HashMap<Id, Extras>,
    pub invoices: InvoiceScan,
    pub message: Option<Message>,
    pub modal: Option<Modal>,
    /// Scroll position of the help overlay.
    pub help_scroll: usize,
    /// Terminal size (columns, rows), from the last resize.
    pub size: (u16, u16),
    /// Time of the last tick.
    pub now: Option<Instant>,
    /// Spinner frame, advanced by ticks while something loads.
    pub spinner: usize,
    pub sort: Sort,
    pub include_disabled: bool,
    /// Set by `q` / Ctrl-C; the loop ends.
    pub quit: bool,
    /// The `:` prompt, its suggestions and history.
    pub palette: palette::Palette,
    /// Contacts found by `:contact`, while [`Mode::Results`] shows them.
    pub results: Option<palette::ContactResults>,
    /// The open form (create or edit a customer or contact), drawn in the detail pane.
    pub form: Option<forms_ui::FormUi>,
    /// The open question (delete, discard, quit, restore a draft).
    pub confirm: Option<forms_ui::Confirm>,
    /// Drafts found at start that the user has not answered yet.
    pub drafts_waiting: Vec<crate::domain::Draft>,
    /// Clears a short-lived status message ("Saved") when it runs out.
    pub flash: Debounce,
    next_gen: u64,
    /// The account mirror: its state in the app, its search, the find-anywhere popup.
    pub mirror: mirror_ui::MirrorState,
    /// The duplicate audit screen and the list's customer-type filter.
    pub audit: audit_ui::AuditState,
    /// The merge screen (kept while a merge runs in the background).
    pub merge: Option<merge_ui::MergeScreen>,
    /// The customer marked with `M` as the source of a merge.
    pub merge_mark: Option<crate::api::model::Customer>,
    /// The onboarding flow (kept while its run goes on in the background or after a failure).
    pub onboard: Option<onboard_ui::OnboardScreen>,
    /// Unfinished onboardings found at start, not offered yet.
    pub onboard_pending: Vec<crate::flows::onboard::OnboardRun>,
    /// An onboarding typed but not started when the app last stopped, not offered yet.
    pub onboard_draft: Option<Box<crate::flows::onboard::Onboarding>>,
    /// Unfinished merges of earlier runs, offered one by one when the list has the keys.
    pub merge_waiting: Vec<crate::flows::merge::MergeRun>,
    /// The screen the help overlay was opened from (it returns there, drawn underneath).
    pub help_return: Mode,
    /// How long a request sent now would wait for the client's rate limiter (a 429's pause
    /// or a full window), read on each tick while something loads.
    pub rate_wait: Option<std::time::Duration>,
}

impl App {
    /// A message for the status line; text from anywhere (a record, a server) is sanitised.
    pub(crate) fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: crate::sanitize::line(&text.into()),
            error,
        });
    }

    pub fn new(config: AppConfig) -> Self {
        App {
            config,
            mode: Mode::Normal,
            focus: Focus::List,
            list: CustomerList::default(),
            search: Search::default(),
            detail: Detail::default(),
            extras: HashMap::new(),
            invoices: InvoiceScan::default(),
            message: None,
            modal: None,
            help_scroll: 0,
            size: (80, 24),
            now: None,
            spinner: 0,
            sort: Sort {
                key: SortKey::Name,
                descending: false,
            },
            include_disabled: false,
            quit: false,
            palette: palette::Palette::default(),
            results: None,
            form: None,
            confirm: None,
            drafts_waiting: Vec::new(),
            flash: Debounce::Idle,
            next_gen: 0,
            mirror: mirror_ui::MirrorState::default(),
            audit: audit_ui::AuditState::default(),
            merge: None,
            merge_mark: None,
            onboard: None,
            onboard_pending: Vec::new(),
            onboard_draft: None,
            merge_waiting: Vec::new(),
            help_return: Mode::Normal,
            rate_wait: None,
        }
    }

    /// A fresh app for another account (`:profile`): all state reset, the terminal size and
    /// the palette history kept, and generation numbers continuing so that late answers for
    /// the old account are dropped.
    pub fn restart(&self, config: AppConfig) -> App {
        let mut app = App::new(config);
        app.size = self.size;
        app.palette.history = self.palette.history.clone();
        app.next_gen = self.next_gen;
        app
    }

    /// A new generation number for a fetch.
    pub(crate) fn generation(&mut self) -> u64 {
        self.next_gen += 1;
        self.next_gen
    }

    /// Anything fetching right now (the spinner turns).
    pub fn loading(&self) -> bool {
        forms_ui::busy(self)
            || onboard_ui::busy(self)
            || self.list.browse.loading.is_some()
            || self
                .list
                .remote
                .as_ref()
                .is_some_and(|r| r.paging.loading.is_some())
            || self.invoices.scanning()
            || self.mirror.is_syncing()
            || self.detail.customer_id.is_some_and(|id| {
                self.extras
                    .get(&id)
                    .is_some_and(|e| e.tickets.is_loading() || e.assets.is_loading())
            })
    }

    /// Whether the loop should tick: only while something animates or waits for a deadline,
    /// so an idle app uses no CPU.
    pub fn wants_tick(&self) -> bool {
        self.loading()
            || self.search.debounce.is_pending()
            || self.detail.debounce.is_pending()
            || forms_ui::wants_tick(self)
    }

    /// What is loading, for the status line (`Loading customers, page 2 of 17`), and when
    /// requests wait for Syncro's rate limit, for how long (a silent spinner would look hung).
    pub fn activity(&self) -> Option<String> {
        let a = self.work()?;
        match self.rate_wait {
            Some(d) if d >= std::time::Duration::from_secs(1) && !a.contains("Rate limited") => {
                Some(format!(
                    "{a} · rate limited by Syncro, resuming in {} s",
                    d.as_secs_f64().ceil() as u64
                ))
            }
            _ => Some(a),
        }
    }

    fn work(&self) -> Option<String> {
        if let Some(a) = forms_ui::activity(self) {
            return Some(a);
        }
        if let Some(a) = onboard_ui::activity(self) {
            return Some(a);
        }
        let pages = |p: &Paging| match (p.loading, p.total_pages) {
            (Some(n), Some(t)) if u64::from(n) <= t => format!("page {n} of {t}"),
            (Some(n), _) => format!("page {n}"),
            _ => String::new(),
        };
        if let Some(r) = &self.list.remote
            && r.paging.loading.is_some()
        {
            return Some(format!(
                "Searching the server for \"{}\", {}",
                crate::sanitize::line(&r.query),
                pages(&r.paging)
            ));
        }
        if self.list.browse.loading.is_some() {
            return Some(format!("Loading customers, {}", pages(&self.list.browse)));
        }
        if let Some(id) = self.detail.customer_id
            && let Some(e) = self.extras.get(&id)
        {
            if e.tickets.is_loading() {
                return Some("Loading tickets".into());
            }
            if e.assets.is_loading() {
                return Some("Loading assets".into());
            }
        }
        if self.invoices.scanning() {
            let n = self.invoices.pages_done + 1;
            return Some(match self.invoices.total_pages {
                Some(t) => format!("Scanning invoices, page {} of {t}", u64::from(n).min(t)),
                None => format!("Scanning invoices, page {n}"),
            });
        }
        if let Some(line) = &self.mirror.syncing {
            return Some(line.clone());
        }
        None
    }
}
