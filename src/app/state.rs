//! The whole state of the app: the panes' data, the stack of screens over them, the status
//! line, and the facts about the environment fixed at start.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::api::model::{Customer, Id};
use crate::app::audit::state::AuditState;
use crate::app::contact_list::ContactList;
use crate::app::detail::{Detail, Extras, InvoiceScan};
use crate::app::dialog::Dialog;
use crate::app::form::FormUi;
use crate::app::keymap;
use crate::app::kinds::{Debounce, Focus, Mode, Pane, Sort, SortKey};
use crate::app::list::{CustomerList, Paging, Search};
use crate::app::mirror::state::MirrorState;
use crate::app::palette::state::Palette;
use crate::app::stack::Stack;
use crate::domain::Draft;
use crate::flows::merge::MergeRun;
use crate::flows::onboard::{OnboardRun, Onboarding};

/// How long the search waits after the last keystroke before asking the server.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);
/// How long the cursor must rest on a customer before its tickets, assets or invoices load.
pub const DETAIL_DEBOUNCE: Duration = Duration::from_millis(150);
/// The tick period while something animates (spinner, pending debounce).
pub const TICK: Duration = Duration::from_millis(80);

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
    /// A problem to show in a dialog at start (no API key), with no server to talk to.
    pub startup_problem: Option<Dialog>,
    /// Colours allowed (`NO_COLOR` unset).
    pub color: bool,
    /// Accents chosen for a light background.
    pub light: bool,
    /// Mouse capture (wheel and clicks).
    pub mouse: bool,
    /// E-mail addresses and phone numbers are terminal hyperlinks (OSC 8).
    pub hyperlinks: bool,
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
    /// Requests a minute the client allows itself (for the bulk edit's estimate; 0: 180).
    pub requests_per_minute: u32,
    /// The house rules (`[house]`): the style of company names and what a complete profile
    /// needs, for the forms' hints, `:names` and `:incomplete`.
    pub house: crate::config::house::HouseSettings,
}

/// The account in use, as the help overlay shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    /// The key at most as its last four characters, and where it came from
    /// (`••••abcd from the SYNCRO_API_KEY environment variable`).
    pub key: String,
}

/// The status line's message. It belongs to the screen that was in front when it was said
/// (`owner`, a [`crate::app::stack::Layer`] id, 0 for the base): it is shown while that screen
/// is in front and goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    pub owner: u64,
}

/// How long a passing note ("Saved", "Copied …") stays in the status line.
pub const NOTE: Duration = Duration::from_secs(4);

/// The whole state of the app.
#[derive(Debug, Clone)]
pub struct App {
    pub config: AppConfig,
    /// The screens over the panes; the top one takes the keys.
    pub stack: Stack,
    pub focus: Focus,
    /// What the left pane lists: customers, or every contact.
    pub pane: Pane,
    pub list: CustomerList,
    /// The contacts pane.
    pub contacts: ContactList,
    pub search: Search,
    pub detail: Detail,
    pub extras: HashMap<Id, Extras>,
    pub invoices: InvoiceScan,
    pub message: Option<Message>,
    /// Terminal size (columns, rows), from the last resize.
    pub size: (u16, u16),
    /// Time of the last tick.
    pub now: Option<Instant>,
    /// The wall clock as the loop last gave it (for ages such as the mirror's).
    pub clock: Option<std::time::SystemTime>,
    /// Spinner frame, advanced by ticks while something loads.
    pub spinner: usize,
    pub sort: Sort,
    pub include_disabled: bool,
    /// Set by `q` / Ctrl-C; the loop ends.
    pub quit: bool,
    /// The `:` prompt's text, its history and a waiting export.
    pub palette: Palette,
    /// Drafts found at start that the user has not answered yet.
    pub drafts_waiting: Vec<Draft>,
    /// A new record's typing set aside by Ctrl-O (open the existing record instead): the next
    /// new form of the same kind opens with it.
    pub set_aside: Option<Draft>,
    /// Clears a passing note from the status line when it runs out.
    pub flash: Debounce,
    next_gen: u64,
    /// The account mirror: its state in the app and its searchers.
    pub mirror: MirrorState,
    /// The duplicate audit's remembered dismissals and the list's customer-type filter.
    pub audit: AuditState,
    /// The customer marked with `M` as the source of a merge.
    pub merge_mark: Option<Customer>,
    /// Unfinished onboardings found at start, not offered yet.
    pub onboard_pending: Vec<OnboardRun>,
    /// An onboarding typed but not started when the app last stopped, not offered yet.
    pub onboard_draft: Option<Box<Onboarding>>,
    /// Unfinished merges of earlier runs, offered one by one when the list has the keys.
    pub merge_waiting: Vec<MergeRun>,
    /// Unfinished contact merges of an earlier run, offered like `merge_waiting`.
    pub contact_merge_waiting: Vec<crate::flows::contact_merge::ContactMergeRun>,
    /// Unfinished bulk edits of an earlier run, offered like `merge_waiting`.
    pub bulk_waiting: Vec<crate::flows::bulk::BulkRun>,
    /// The rows marked for a bulk edit or an export.
    pub marks: crate::app::marks::state::Marks,
    /// How long a request sent now would wait for the client's rate limiter (a 429's pause
    /// or a full window), read on each tick while something loads.
    pub rate_wait: Option<Duration>,
    /// Why requests wait: our own pacing, or a 429 from Syncro.
    pub rate_reason: Option<crate::api::WaitReason>,
    /// The onboarding follow-ups of this account.
    pub followups: crate::app::followup::state::Followups,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        App {
            config,
            stack: Stack::default(),
            focus: Focus::List,
            pane: Pane::Customers,
            list: CustomerList::default(),
            contacts: ContactList::default(),
            search: Search::default(),
            detail: Detail::default(),
            extras: HashMap::new(),
            invoices: InvoiceScan::default(),
            message: None,
            size: (80, 24),
            now: None,
            clock: None,
            spinner: 0,
            sort: Sort {
                key: SortKey::Name,
                descending: false,
            },
            include_disabled: false,
            quit: false,
            palette: Palette::default(),
            drafts_waiting: Vec::new(),
            set_aside: None,
            flash: Debounce::Idle,
            next_gen: 0,
            mirror: MirrorState::default(),
            audit: AuditState::default(),
            merge_mark: None,
            onboard_pending: Vec::new(),
            onboard_draft: None,
            merge_waiting: Vec::new(),
            contact_merge_waiting: Vec::new(),
            marks: Default::default(),
            bulk_waiting: Vec::new(),
            rate_wait: None,
            rate_reason: None,
            followups: Default::default(),
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

    /// The keys in force (the top screen's).
    pub fn mode(&self) -> Mode {
        self.stack.mode()
    }

    /// A message for the status line, owned by the screen in front; text from anywhere (a
    /// record, a server) is sanitised.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: crate::sanitize::line(&text.into()),
            error,
            owner: self.stack.owner(),
        });
    }

    /// A passing note: [`App::say`], gone after a few seconds ([`NOTE`]).
    pub fn note(&mut self, text: impl Into<String>) {
        self.say(text, false);
        self.flash = Debounce::Armed;
    }

    /// Drops the status message when the screen that said it is no longer in front.
    pub fn settle_message(&mut self) {
        if self
            .message
            .as_ref()
            .is_some_and(|m| m.owner != self.stack.owner())
        {
            self.message = None;
        }
    }

    /// A new generation number for a fetch.
    pub fn generation(&mut self) -> u64 {
        self.next_gen += 1;
        self.next_gen
    }

    /// Whether the search line is on screen (typing, or a filter kept).
    pub fn search_visible(&self) -> bool {
        self.stack.mode() == Mode::Search || !self.search.text().is_empty()
    }

    /// Anything fetching right now (the spinner turns).
    pub fn loading(&self) -> bool {
        self.stack.form().is_some_and(FormUi::busy)
            || self.stack.onboard().is_some_and(|o| o.busy())
            || self.list.browse.loading.is_some()
            || self
                .list
                .remote
                .as_ref()
                .is_some_and(|r| r.paging.loading.is_some())
            || self.invoices.scanning()
            || self.mirror.is_syncing()
            || self.detail.customer_id.is_some_and(|id| {
                self.extras.get(&id).is_some_and(|e| {
                    e.tickets.is_loading() || e.assets.is_loading() || e.contacts.is_loading()
                })
            })
    }

    /// Whether the loop should tick: only while something animates or waits for a deadline,
    /// so an idle app uses no CPU.
    pub fn wants_tick(&self) -> bool {
        self.loading()
            || self.search.debounce.is_pending()
            || self.detail.debounce.is_pending()
            || self.flash.is_pending()
            || self.stack.form().is_some_and(|f| f.draft.is_pending())
    }

    /// What is loading, for the status line (`Loading customers, page 2 of 17`), and when
    /// requests wait for Syncro's rate limit, for how long (a silent spinner would look hung).
    pub fn activity(&self) -> Option<String> {
        let a = self.work()?;
        match self.rate_wait {
            Some(d) if d >= Duration::from_secs(1) && !a.contains("Rate limited") => {
                let s = d.as_secs_f64().ceil() as u64;
                Some(match self.rate_reason {
                    Some(crate::api::WaitReason::OwnPacing) => {
                        format!("{a} · waiting for the rate limit (our own pacing), {s} s")
                    }
                    _ => format!("{a} · rate limited by Syncro, resuming in {s} s"),
                })
            }
            _ => Some(a),
        }
    }

    fn work(&self) -> Option<String> {
        if let Some(a) = self.stack.form().and_then(FormUi::activity) {
            return Some(a);
        }
        if let Some(a) = self.stack.onboard().and_then(|o| o.activity()) {
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
            if e.contacts.is_loading() {
                return Some("Reading the contacts again".into());
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
