//! Small kinds the whole model shares: what the keyboard talks to ([`Mode`]), the panes' focus,
//! the detail's tabs, the list's sort, and pending or fetched work. Plain data, no logic beyond
//! naming and ordering them.

use std::time::Instant;

/// What the keyboard is talking to. Keys are routed by mode first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Browsing: the list or the detail has focus.
    Normal,
    /// Typing into the search field: every printable key is text.
    Search,
    /// The help overlay.
    Help,
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
    /// A dialog (a question or a message) that takes the keyboard until answered.
    Dialog,
    /// The onboarding flow's lists, review and progress (see [`super::onboard`]).
    Onboard,
    /// A form of the onboarding flow: printable keys are text.
    OnboardForm,
    /// Picking a customer by typing part of its name: printable keys are text.
    Pick,
    /// A bulk edit's preview, progress and result, and its choice of a picked value.
    Bulk,
    /// A bulk edit's choice with a typed value: printable keys are text.
    BulkForm,
    /// The change log (`:log`).
    Log,
    /// A report over the customers: `:referrals`, `:names`, `:incomplete`.
    Report,
    /// The onboarding follow-ups (`:onboarding`).
    Followups,
}

/// What the left pane lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Customers,
    /// Every contact of the account (`c`, `:contacts`).
    Contacts,
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
    /// How many tabs there are: per-tab arrays ([`PerTab`]) are sized by it.
    pub const COUNT: usize = 5;

    pub const ALL: [Tab; Tab::COUNT] = [
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
    pub const ALL: [SortKey; 4] = [
        SortKey::Name,
        SortKey::City,
        SortKey::Created,
        SortKey::Updated,
    ];

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

/// One value per detail tab, indexed by [`Tab::index`].
pub type PerTab<T> = [T; Tab::COUNT];
