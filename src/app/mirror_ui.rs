//! The account mirror in the app: paint from the local copy at once, refresh it in the
//! background, search the whole account from it, and keep it up to date with the app's writes.
//!
//! # Flow
//! 1. [`super::update::start`] asks the worker to load the profile's mirror file
//!    ([`MirrorOp::Load`]) instead of asking the server for the first page.
//! 2. [`MirrorEvent::Loaded`] carries every customer: the list paints from them, shows the
//!    mirror's age in its title (`synced 3 h ago`), and a background sync starts
//!    ([`MirrorOp::Sync`]). When there is no mirror yet the list pages from the server as
//!    before while a full sync builds one.
//! 3. [`MirrorEvent::Progress`] lines go to the status line; [`MirrorEvent::Synced`] replaces
//!    the list (the cursor stays on the same customer) and [`MirrorEvent::Index`] swaps in the
//!    search index the worker built on a blocking task.
//! 4. While the app runs, the worker syncs again every 15 minutes (`worker::PERIODIC_SYNC`);
//!    `r` syncs changes now and `R` runs a full pass now.
//!
//! # Hook for writes made in the app
//! When the app saves or deletes a record, call [`customer_saved`], [`contact_saved`],
//! [`customer_deleted`] or [`contact_deleted`] from the `update` arm that handles the result.
//! They push an [`Effect::Mirror`] (only when a mirror is in use) that the worker applies to the
//! mirror, saves, and answers with a new index (and, when the list comes from the mirror, the
//! list's rows are updated at once here).
//!
//! # Search
//! While a mirror is loaded, the list's `/` filter asks the mirror's [`Searcher`] (every field of
//! every customer, and their contacts), so it covers the whole account rather than the loaded
//! pages; no server search is made. `F` ("find anywhere") opens a popup of ranked results over
//! customers and contacts whose Enter jumps to the customer (and to the contact on the
//! Contacts tab).

use std::collections::HashSet;
use std::sync::Arc;

use tui_input::{Input, InputRequest};

use super::update as up;
use super::view::RowView;
use super::{App, Effect, Focus, Message, Mode, Tab};
use crate::api::model::{Contact, Customer, Id};
use crate::mirror::{Field, Hit, MatchKind, Packed, SearchIndex, Searcher};
use crate::sanitize;

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
        /// `synced 3 h ago`
        age: String,
        /// A discarded file, for the status line.
        notice: Option<String>,
    },
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
    /// `synced 3 h ago`, for the list title.
    pub age: Option<String>,
    /// A sync runs; its last progress line.
    pub syncing: Option<String>,
    /// Searches the whole account (for `/` and find-anywhere); `None` until built.
    pub searcher: Option<SharedSearcher>,
    /// The find-anywhere popup, while open.
    pub find: Option<FindPopup>,
    /// A second searcher for the popup, so the list filter's narrowing memory stays its own.
    pub find_searcher: Option<SharedSearcher>,
}

impl MirrorState {
    pub fn is_syncing(&self) -> bool {
        self.syncing.is_some()
    }
}

/// First effects when a mirror is configured: load it (painting waits for no request).
pub fn start(app: &mut App, fx: &mut Vec<Effect>) {
    fx.push(Effect::Mirror(MirrorOp::Load));
    app.mirror.syncing = None;
}

fn start_sync(app: &mut App, full: bool, fx: &mut Vec<Effect>) {
    if app.mirror.is_syncing() {
        return;
    }
    app.mirror.syncing = Some("Syncing with the server".into());
    fx.push(Effect::Mirror(MirrorOp::Sync { full }));
}

/// `R`: a full pass now (notices deletions). Without a mirror it says so.
pub fn sync_now(app: &mut App, fx: &mut Vec<Effect>) {
    if !app.mirror.configured {
        app.message = Some(Message {
            text: "No local mirror for this server".into(),
            error: false,
        });
        return;
    }
    if app.mirror.is_syncing() {
        app.message = Some(Message {
            text: "A sync is already running".into(),
            error: false,
        });
        return;
    }
    start_sync(app, true, fx);
}

/// `:sync [full]`: a sync of the changes, or a full pass; without a mirror it says so.
pub fn sync_with(app: &mut App, full: bool, fx: &mut Vec<Effect>) {
    if full || !app.mirror.configured || app.mirror.is_syncing() {
        return sync_now(app, fx);
    }
    start_sync(app, false, fx);
}

/// `r` with a mirror: the list comes from the mirror, so a refresh is a sync of changes.
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    if app.mirror.active {
        start_sync(app, false, fx);
    }
}

/// Handles a worker report.
pub fn event(app: &mut App, ev: MirrorEvent, fx: &mut Vec<Effect>) {
    match ev {
        MirrorEvent::Loaded {
            customers,
            views,
            age,
            notice,
        } => {
            if let Some(n) = notice {
                app.message = Some(Message {
                    text: sanitize::line(&n),
                    error: true,
                });
            }
            match customers {
                Some(customers) => {
                    app.mirror.age = Some(age);
                    show_mirror(app, customers, views, fx);
                }
                // No mirror yet: page from the server as before while a full sync builds it.
                None => up::maybe_load_more(app, fx),
            }
            start_sync(app, false, fx);
        }
        MirrorEvent::Index(index) => {
            app.mirror.searcher = Some(SharedSearcher(Searcher::new(index.clone())));
            app.mirror.find_searcher = Some(SharedSearcher(Searcher::new(index)));
            if app.mirror.active && !app.search.text().trim().is_empty() {
                up::refilter_from_scratch(app);
            }
            if app.mirror.find.is_some() {
                find_search(app);
            }
        }
        MirrorEvent::Progress(line) => {
            app.mirror.syncing = Some(sanitize::line(&line));
        }
        MirrorEvent::Synced {
            customers,
            summary,
            done,
        } => {
            app.mirror.age = Some("synced just now".into());
            show_mirror(app, customers, Vec::new(), fx);
            if done {
                app.mirror.syncing = None;
                // The list title says "synced just now"; the summary never hides another
                // message (an export's path, a profile switch, an error).
                if app.message.is_none() {
                    app.message = Some(Message {
                        text: sanitize::line(&summary),
                        error: false,
                    });
                }
            }
        }
        MirrorEvent::Changed(c) => {
            if app.mirror.active {
                up::insert_customers(app, vec![*c], false);
            }
        }
        MirrorEvent::Removed(id) => {
            if app.mirror.active {
                up::remove_row(app, id);
            }
        }
        MirrorEvent::SyncFailed(why) => {
            app.mirror.syncing = None;
            app.message = Some(Message {
                text: sanitize::line(&format!("Sync failed, the local mirror is kept: {why}")),
                error: true,
            });
        }
        MirrorEvent::SaveFailed(why) => {
            app.message = Some(Message {
                text: sanitize::line(&format!("Could not save the local mirror: {why}")),
                error: true,
            });
        }
    }
}

/// Replaces the list with the mirror's customers, keeping the cursor on the same customer.
fn show_mirror(app: &mut App, customers: Vec<Packed>, views: Vec<RowView>, fx: &mut Vec<Effect>) {
    app.mirror.active = true;
    // No paging: every customer is here. Answers to earlier page requests are dropped.
    let generation = app.generation();
    app.list.browse = super::Paging::fresh(generation);
    app.list.remote = None;
    app.search.debounce = super::Debounce::Idle;
    // Keeps the cursor on the same customer.
    if views.len() == customers.len() {
        let rows = customers
            .into_iter()
            .zip(views)
            .map(|(record, view)| super::Row { record, view })
            .collect();
        up::insert_rows(app, rows, true);
    } else {
        up::insert_shared(app, customers, true);
    }
    // An export waiting for the rest of the list's pages has it all now (the answers to its
    // page requests are dropped with the old paging).
    super::palette::page_arrived(app, fx);
}

/// Marks the list as complete (the mirror holds every customer); the total counts the
/// customers the disabled switch lets through, as the server's count would.
pub(crate) fn complete_paging(app: &mut App) {
    let include_disabled = app.include_disabled;
    let l = &mut app.list;
    let n = l
        .rows
        .iter()
        .filter(|r| include_disabled || !r.view.disabled)
        .count();
    l.browse.pages_loaded = 1;
    l.browse.received = n;
    l.browse.has_more = false;
    l.browse.total_entries = Some(n as u64);
}

/// Customers matching the list's search text in the whole mirror, when the mirror answers
/// searches (loaded and indexed) and the text has two characters or more. A single character
/// filters the rows by substring as without a mirror (the mirror matches one character only at
/// the start of a field, and ranking every record of a large account costs more than a frame).
pub(crate) fn matching_customers(app: &mut App) -> Option<HashSet<Id>> {
    if !app.mirror.active {
        return None;
    }
    let query = app.search.text().trim();
    if query.chars().count() < 2 {
        return None;
    }
    let searcher = app.mirror.searcher.as_mut()?;
    let results = searcher.0.search(query, usize::MAX);
    Some(results.hits.iter().map(|h| h.customer_id).collect())
}

/// Whether the list's search is answered by the mirror (no server search then).
pub(crate) fn answers_search(app: &App) -> bool {
    app.mirror.active
}

// ---------------------------------------------------------------------------------------------
// Hook for writes made in the app.

fn push(app: &App, op: MirrorOp, fx: &mut Vec<Effect>) {
    if app.mirror.configured {
        fx.push(Effect::Mirror(op));
    }
}

/// A customer was created or saved: the mirror (and, when the list comes from it, the list)
/// take the new record at once.
pub fn customer_saved(app: &mut App, customer: &Customer, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::PutCustomer(Box::new(customer.clone())), fx);
}

/// A contact was created or saved.
pub fn contact_saved(app: &mut App, contact: &Contact, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::PutContact(Box::new(contact.clone())), fx);
}

/// A customer was deleted (or merged away).
pub fn customer_deleted(app: &mut App, id: Id, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::RemoveCustomer(id), fx);
}

/// A contact was deleted.
pub fn contact_deleted(app: &mut App, id: Id, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::RemoveContact(id), fx);
}

// ---------------------------------------------------------------------------------------------
// Find anywhere.

/// `F`: opens the popup. Before the mirror's index arrives the popup says so, keeps what is
/// typed, and searches as soon as the index is there.
pub fn open_find(app: &mut App) {
    if !app.mirror.configured {
        app.message = Some(Message {
            text: "Find anywhere needs the local mirror of the account".into(),
            error: false,
        });
        return;
    }
    app.mirror.find = Some(FindPopup::default());
    app.mode = Mode::Find;
}

/// Opens the popup with `text` already searched, contacts only (`:contact TEXT`).
pub fn find_with(app: &mut App, text: &str) {
    open_find(app);
    if let Some(f) = app.mirror.find.as_mut() {
        f.input = Input::new(text.to_string());
        f.contacts_only = true;
        find_search(app);
    }
}

pub fn close_find(app: &mut App) {
    app.mirror.find = None;
    app.mode = Mode::Normal;
}

/// A key typed into the popup's field.
pub fn find_edit(app: &mut App, req: InputRequest) {
    let Some(f) = app.mirror.find.as_mut() else {
        return;
    };
    let before = f.input.value().to_string();
    f.input.handle(req);
    if f.input.value() != before {
        find_search(app);
    }
}

/// Rows of the popup that fit on screen (kept in step with the drawing in `ui::find`).
pub fn find_viewport(size: (u16, u16)) -> usize {
    usize::from(find_area(size).height.saturating_sub(4)).max(1)
}

/// Where the popup sits: most of the screen, centred.
pub fn find_area(size: (u16, u16)) -> ratatui::layout::Rect {
    let (w, h) = size;
    let width = w.saturating_sub(8).clamp(20.min(w), 110);
    let height = h.saturating_sub(4).clamp(5.min(h), 30);
    ratatui::layout::Rect::new(
        (w - width) / 2,
        (h.saturating_sub(1) - height.min(h.saturating_sub(1))) / 2,
        width,
        height.min(h.saturating_sub(1)),
    )
}

/// Moves the popup's cursor.
pub fn find_move(app: &mut App, delta: isize) {
    let vp = find_viewport(app.size);
    let Some(f) = app.mirror.find.as_mut() else {
        return;
    };
    if f.rows.is_empty() {
        return;
    }
    f.cursor = f.cursor.saturating_add_signed(delta).min(f.rows.len() - 1);
    if f.cursor < f.offset {
        f.offset = f.cursor;
    } else if f.cursor >= f.offset + vp {
        f.offset = f.cursor + 1 - vp;
    }
}

fn find_search(app: &mut App) {
    let (Some(f), Some(s)) = (app.mirror.find.as_mut(), app.mirror.find_searcher.as_mut()) else {
        return;
    };
    let query = f.input.value().trim().to_string();
    // Contacts only: a deeper search, then the customers left out.
    let limit = if f.contacts_only {
        FIND_LIMIT * 5
    } else {
        FIND_LIMIT
    };
    let mut results = if query.is_empty() {
        Default::default()
    } else {
        s.0.search(&query, limit)
    };
    if f.contacts_only {
        results.hits.retain(|h| h.contact_id.is_some());
        if results.hits.len() < limit {
            results.total = results.hits.len();
        }
        results.hits.truncate(FIND_LIMIT);
    }
    f.total = results.total;
    f.cursor = 0;
    f.offset = 0;
    let rows: Vec<FindRow> = results
        .hits
        .iter()
        .filter_map(|h| find_row(app, h))
        .collect();
    if let Some(f) = app.mirror.find.as_mut() {
        f.rows = rows;
    }
}

fn find_row(app: &App, hit: &Hit) -> Option<FindRow> {
    let &i = app.list.index.get(&hit.customer_id)?;
    let c = &app.list.rows[i].customer();
    let contact = hit
        .contact_id
        .and_then(|id| c.contacts.iter().find(|k| k.id == id));
    let (name, customer) = match contact {
        Some(k) => (
            sanitize::line(k.name.as_deref().unwrap_or("(no name)")),
            sanitize::line(&c.display_name()),
        ),
        None => (sanitize::line(&c.display_name()), String::new()),
    };
    let value = sanitize::line(&field_value(c, contact, hit.field));
    let matched = if value.is_empty() {
        hit.field.label().to_string()
    } else {
        format!("{}: {value}", hit.field.label())
    };
    Some(FindRow {
        customer_id: hit.customer_id,
        contact_id: hit.contact_id,
        name,
        customer,
        matched,
        kind: hit.kind,
    })
}

/// The text of the field that matched, for the popup.
fn field_value(c: &Customer, contact: Option<&Contact>, field: Field) -> String {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    if let Some(k) = contact {
        return match field {
            Field::Name => s(&k.name),
            Field::Email => s(&k.email),
            Field::Phone => super::view::phone_display(k.phone.as_deref().unwrap_or("")),
            Field::Mobile => super::view::phone_display(k.mobile.as_deref().unwrap_or("")),
            Field::Title => k.title().unwrap_or_default(),
            Field::Address => s(&k.address1),
            Field::City => s(&k.city),
            Field::State => s(&k.state),
            Field::Zip => s(&k.zip),
            Field::Notes => first_line(&s(&k.notes)),
            _ => String::new(),
        };
    }
    match field {
        Field::BusinessName => s(&c.business_name),
        Field::PersonName | Field::Name => c.person_name(),
        Field::Email => s(&c.email),
        Field::Phone => super::view::phone_display(c.phone.as_deref().unwrap_or("")),
        Field::Mobile => super::view::phone_display(c.mobile.as_deref().unwrap_or("")),
        Field::Address => s(&c.address),
        Field::City => s(&c.city),
        Field::State => s(&c.state),
        Field::Zip => s(&c.zip),
        Field::Notes => first_line(&s(&c.notes)),
        Field::Id => c.id.to_string(),
        Field::Title | Field::Properties => String::new(),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(80).collect()
}

/// Enter in the popup: to the customer, and to the contact on the Contacts tab.
pub fn find_jump(app: &mut App) {
    let Some(row) = app
        .mirror
        .find
        .as_ref()
        .and_then(|f| f.rows.get(f.cursor).cloned())
    else {
        return;
    };
    close_find(app);
    let shown = |app: &App| {
        app.list
            .shown
            .iter()
            .any(|&i| app.list.rows[i].id() == row.customer_id)
    };
    if !shown(app) && !app.search.text().is_empty() {
        app.search.input.reset();
        app.list.remote = None;
        app.search.debounce = super::Debounce::Idle;
        up::refilter_from_scratch(app);
    }
    if !shown(app) && !app.include_disabled {
        app.include_disabled = true;
        app.message = Some(Message {
            text: "Showing disabled customers".into(),
            error: false,
        });
        up::refilter_from_scratch(app);
    }
    if !up::select_customer(app, row.customer_id, true) {
        return;
    }
    match row.contact_id {
        Some(contact_id) => {
            let pos = app
                .list
                .selected()
                .and_then(|r| {
                    r.customer()
                        .contacts
                        .iter()
                        .position(|k| k.id == contact_id)
                })
                .unwrap_or(0);
            app.detail.tab = Tab::Contacts;
            app.detail.contact_open = false;
            app.detail.cursors[Tab::Contacts.index()] = pos;
            app.detail.record_cursor = 0;
            app.detail.record_scroll = 0;
            app.focus = Focus::Detail;
            up::clamp_detail(app);
        }
        None => app.focus = Focus::List,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::fixtures;
    use crate::app::keymap::map_key;
    use crate::app::{Action, update};

    /// Records as the worker hands them over: packed, shared with its mirror.
    fn shared(customers: Vec<Customer>) -> Vec<Packed> {
        customers.iter().map(Packed::pack).collect()
    }

    const ACME: Id = 21000001;
    const ALICE: Id = 31000002;

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        match map_key(app.mode, &KeyEvent::new(code, KeyModifiers::NONE)) {
            Some(a) => update(app, a),
            None => Vec::new(),
        }
    }

    fn typed(app: &mut App, s: &str) -> Vec<Effect> {
        s.chars().flat_map(|c| key(app, KeyCode::Char(c))).collect()
    }

    fn page_requests(fx: &[Effect]) -> usize {
        fx.iter()
            .filter(|e| matches!(e, Effect::LoadCustomers { .. }))
            .count()
    }

    fn selected(app: &App) -> Option<Id> {
        app.list.selected().map(|r| r.id())
    }

    /// An app with a mirror configured, after start.
    fn configured() -> (App, Vec<Effect>) {
        let mut app = App::new(fixtures::config());
        app.mirror.configured = true;
        update(&mut app, Action::Resize(100, 30));
        let fx = crate::app::update::start(&mut app);
        (app, fx)
    }

    /// A configured app that painted the fixture customers from the mirror and got its index.
    pub(crate) fn loaded() -> App {
        let (mut app, _) = configured();
        let customers = fixtures::customers();
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(shared(customers.clone())),
                views: Vec::new(),
                age: "synced 3 h ago".into(),
                notice: None,
            }),
        );
        let index = SearchIndex::from_customers(&customers);
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Index(Arc::new(index))),
        );
        app
    }

    #[test]
    fn start_asks_for_the_mirror_not_the_server() {
        let (app, fx) = configured();
        assert_eq!(fx, vec![Effect::Mirror(MirrorOp::Load)]);
        assert!(app.list.rows.is_empty());
    }

    /// A customer created anywhere (a form, an onboarding) and confirmed by the mirror counts
    /// in the list's title at once, and one removed leaves it.
    #[test]
    fn the_whole_account_count_follows_creates_and_removals() {
        let (mut app, _) = configured();
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(shared(fixtures::customers())),
                views: Vec::new(),
                age: "synced 3 h ago".into(),
                notice: None,
            }),
        );
        let active = fixtures::customers().iter().filter(|c| !c.disabled).count() as u64;
        assert_eq!(app.list.browse.total_entries, Some(active));
        let new = Customer {
            id: 21_999_999,
            business_name: Some("Brand New Dental".into()),
            ..Customer::default()
        };
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Changed(Box::new(new))),
        );
        assert_eq!(app.list.browse.total_entries, Some(active + 1));
        update(&mut app, Action::Mirror(MirrorEvent::Removed(21_999_999)));
        assert_eq!(app.list.browse.total_entries, Some(active));
    }

    /// A sync hands back every record: unchanged ones keep their rows' views (moved, not
    /// rebuilt), changed ones get new views, and an id listed twice still gets a full row.
    #[test]
    fn a_sync_reuses_unchanged_rows_and_rebuilds_changed_ones() {
        let (mut app, _) = configured();
        let customers = fixtures::customers();
        let records = shared(customers.clone());
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(records.clone()),
                views: Vec::new(),
                age: "synced 3 h ago".into(),
                notice: None,
            }),
        );
        let name_of =
            |app: &App, id: Id| app.list.rows[app.list.index[&id]].view.name().to_string();
        let (first, second) = (customers[0].id, customers[1].id);
        let kept = name_of(&app, second);
        let mut renamed = customers[0].clone();
        renamed.business_name = Some("Renamed Holdings".into());
        renamed.business_then_name = Some("Renamed Holdings".into());
        let mut back = records.clone();
        back[0] = Packed::pack(&renamed);
        // The same bytes packed again (a full pass re-encodes every record).
        back[1] = Packed::pack(&customers[1]);
        back.push(records[1].clone());
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: back,
                summary: "synced".into(),
                done: true,
            }),
        );
        assert_eq!(name_of(&app, first), "Renamed Holdings");
        assert_eq!(name_of(&app, second), kept);
        assert_eq!(app.list.rows.len(), customers.len());
        assert!(app.list.rows.iter().all(|r| r.view.id == r.record.id()));
    }

    #[test]
    fn the_loaded_mirror_paints_before_any_network_result() {
        let (mut app, _) = configured();
        let fx = update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(shared(fixtures::customers())),
                views: Vec::new(),
                age: "synced 3 h ago".into(),
                notice: None,
            }),
        );
        // Every non-disabled fixture customer is on screen without a single page request.
        let active = fixtures::customers().iter().filter(|c| !c.disabled).count();
        assert_eq!(app.list.shown.len(), active);
        assert_eq!(page_requests(&fx), 0);
        assert_eq!(fx, vec![Effect::Mirror(MirrorOp::Sync { full: false })]);
        assert_eq!(app.mirror.age.as_deref(), Some("synced 3 h ago"));
        assert!(app.activity().is_some_and(|a| a.starts_with("Syncing")));
        assert_eq!(app.list.browse.total_entries, Some(active as u64));
        // Moving to the end pages nothing: the mirror has every customer.
        assert_eq!(page_requests(&key(&mut app, KeyCode::End)), 0);
        // Sorting re-sorts locally.
        assert_eq!(page_requests(&key(&mut app, KeyCode::Char('s'))), 0);
        assert_eq!(app.list.shown.len(), active);
    }

    #[test]
    fn without_a_mirror_the_list_pages_from_the_server_while_a_sync_builds_it() {
        let (mut app, _) = configured();
        let fx = update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: None,
                views: Vec::new(),
                age: "never synced".into(),
                notice: None,
            }),
        );
        assert_eq!(page_requests(&fx), 1);
        assert!(fx.contains(&Effect::Mirror(MirrorOp::Sync { full: false })));
        assert!(!app.mirror.active);
        // The sync's result then replaces the paged rows.
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: shared(fixtures::many(60)),
                summary: "60 customers".into(),
                done: true,
            }),
        );
        assert!(app.mirror.active);
        assert_eq!(app.list.rows.len(), 60);
        assert!(app.mirror.syncing.is_none());
        assert_eq!(app.mirror.age.as_deref(), Some("synced just now"));
    }

    #[test]
    fn an_export_waiting_for_pages_runs_when_the_mirror_replaces_the_list() {
        let (mut app, _) = configured();
        let fx = update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: None,
                views: Vec::new(),
                age: "never synced".into(),
                notice: None,
            }),
        );
        let Some(Effect::LoadCustomers { generation, .. }) = fx.first() else {
            panic!("{fx:?}");
        };
        update(
            &mut app,
            Action::CustomersLoaded {
                generation: *generation,
                page: 1,
                result: Ok(fixtures::page(fixtures::many(25), 1, 4, 100)),
            },
        );
        key(&mut app, KeyCode::Char(':'));
        typed(&mut app, "export customers csv");
        key(&mut app, KeyCode::Enter);
        assert!(app.palette.pending_export.is_some());
        // The sync's result holds every customer: the export runs, nothing more is paged.
        let fx = update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: shared(fixtures::many(100)),
                summary: String::new(),
                done: true,
            }),
        );
        assert!(app.palette.pending_export.is_none());
        assert!(
            fx.iter().any(|e| matches!(e, Effect::Export { .. })),
            "{fx:?}"
        );
        assert_eq!(page_requests(&fx), 0);
    }

    #[test]
    fn a_sync_result_keeps_the_cursor_on_the_same_customer() {
        let mut app = loaded();
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        let before = selected(&app).expect("a selection");
        // The refreshed mirror has a new customer that sorts first, and the selected one renamed.
        let mut customers = fixtures::customers();
        let mut first = customers[0].clone();
        first.id = 1;
        first.business_name = Some("AAA First".into());
        first.contacts.clear();
        customers.push(first);
        for c in &mut customers {
            if c.id == before {
                c.notes = Some("changed on the server".into());
            }
        }
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: shared(customers),
                summary: String::new(),
                done: true,
            }),
        );
        assert_eq!(selected(&app), Some(before));
        assert_eq!(app.list.cursor, 3);
        assert_eq!(app.detail.customer_id, Some(before));
    }

    #[test]
    fn the_filter_searches_the_whole_mirror_and_never_the_server() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        // A contact's job title: the loaded-rows filter does not look there, the mirror does.
        typed(&mut app, "it manager");
        let shown: Vec<Id> = app
            .list
            .shown
            .iter()
            .map(|&i| app.list.rows[i].id())
            .collect();
        assert_eq!(shown, vec![ACME]);
        // Once typing pauses no server search starts.
        let t0 = std::time::Instant::now();
        let mut fx = Vec::new();
        for k in 0..10 {
            fx.extend(update(&mut app, Action::Tick(t0 + crate::app::TICK * k)));
        }
        assert_eq!(page_requests(&fx), 0);
        assert!(app.list.remote.is_none());
    }

    #[test]
    fn find_anywhere_jumps_to_the_customer_and_the_contact() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('F'));
        assert_eq!(app.mode, Mode::Find);
        // `q` and `j` are text here.
        typed(&mut app, "alice@");
        let f = app.mirror.find.as_ref().expect("popup open");
        assert_eq!(f.rows[0].contact_id, Some(ALICE));
        assert_eq!(f.rows[0].customer_id, ACME);
        assert!(f.rows[0].matched.contains("alice@acme.test"));
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(selected(&app), Some(ACME));
        assert_eq!(app.detail.tab, Tab::Contacts);
        assert_eq!(app.focus, Focus::Detail);
        let cur = app.detail.cursor();
        assert_eq!(
            app.list.selected().unwrap().customer().contacts[cur].id,
            ALICE
        );
    }

    #[test]
    fn find_ranks_exact_and_prefix_before_fuzzy_and_jumps_past_the_filter() {
        let mut app = loaded();
        // A filter that hides Acme.
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "evil");
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Char('F'));
        typed(&mut app, "bob");
        let kinds: Vec<MatchKind> = app
            .mirror
            .find
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .map(|r| r.kind)
            .collect();
        assert!(!kinds.is_empty());
        assert!(kinds.windows(2).all(|w| w[0] >= w[1]), "{kinds:?}");
        key(&mut app, KeyCode::Enter);
        assert_eq!(selected(&app), Some(ACME));
        assert!(app.search.text().is_empty());
    }

    #[test]
    fn find_typed_before_the_index_arrives_searches_when_it_does() {
        let mut plain = fixtures::app((100, 30));
        key(&mut plain, KeyCode::Char('F'));
        assert_eq!(plain.mode, Mode::Normal);
        assert!(plain.message.as_ref().unwrap().text.contains("mirror"));

        let (mut app, _) = configured();
        let customers = fixtures::customers();
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(shared(customers.clone())),
                views: Vec::new(),
                age: "synced 3 h ago".into(),
                notice: None,
            }),
        );
        key(&mut app, KeyCode::Char('F'));
        assert_eq!(app.mode, Mode::Find);
        typed(&mut app, "alice@");
        assert!(app.mirror.find.as_ref().unwrap().rows.is_empty());
        let index = SearchIndex::from_customers(&customers);
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Index(Arc::new(index))),
        );
        let f = app.mirror.find.as_ref().unwrap();
        assert_eq!(f.rows[0].contact_id, Some(ALICE));
    }

    #[test]
    fn find_with_text_opens_the_popup_with_results() {
        let mut app = loaded();
        find_with(&mut app, "IT Manager");
        assert_eq!(app.mode, Mode::Find);
        let f = app.mirror.find.as_ref().unwrap();
        assert_eq!(f.input.value(), "IT Manager");
        assert_eq!(f.rows[0].contact_id, Some(ALICE));
        assert_eq!(f.rows[0].kind, MatchKind::Exact);
    }

    #[test]
    fn colon_contact_lists_contacts_only_where_find_anywhere_lists_customers_too() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('F'));
        typed(&mut app, "acme");
        let f = app.mirror.find.as_ref().unwrap();
        assert!(
            f.rows.iter().any(|r| r.contact_id.is_none()),
            "{:?}",
            f.rows
        );
        assert!(!f.contacts_only);
        key(&mut app, KeyCode::Esc);
        find_with(&mut app, "acme");
        let f = app.mirror.find.as_ref().unwrap();
        assert!(f.contacts_only);
        assert!(!f.rows.is_empty());
        assert!(
            f.rows.iter().all(|r| r.contact_id.is_some()),
            "{:?}",
            f.rows
        );
        assert_eq!(f.total, f.rows.len());
        // Enter lands on the contact, on the Contacts tab.
        let want = f.rows[0].contact_id;
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.detail.tab, Tab::Contacts);
        let selected = app.list.selected().unwrap();
        let at = app.detail.cursors[Tab::Contacts.index()];
        assert_eq!(selected.customer().contacts.get(at).map(|k| k.id), want);
    }

    #[test]
    fn writes_reach_the_mirror_and_the_list() {
        let mut app = loaded();
        let mut fx = Vec::new();
        let mut c = fixtures::customers()[0].clone();
        c.business_name = Some("Acme Renamed".into());
        customer_saved(&mut app, &c, &mut fx);
        assert_eq!(
            fx,
            vec![Effect::Mirror(MirrorOp::PutCustomer(Box::new(c.clone())))]
        );
        // The worker answers with the record as the mirror holds it.
        update(&mut app, Action::Mirror(MirrorEvent::Changed(Box::new(c))));
        let i = app.list.index[&ACME];
        assert_eq!(
            app.list.rows[i].customer().business_name.as_deref(),
            Some("Acme Renamed")
        );
        let n = app.list.rows.len();
        update(&mut app, Action::Mirror(MirrorEvent::Removed(ACME)));
        assert_eq!(app.list.rows.len(), n - 1);
        assert!(!app.list.index.contains_key(&ACME));
        assert!(app.list.shown.iter().all(|&i| i < app.list.rows.len()));
        // Without a mirror the hooks do nothing.
        let mut plain = fixtures::app((100, 30));
        let mut fx = Vec::new();
        contact_deleted(&mut plain, ALICE, &mut fx);
        assert!(fx.is_empty());
    }

    #[test]
    fn form_saves_and_deletes_reach_the_mirror() {
        use crate::app::action::{Deletion, Record};
        const BOB: Id = 31000001;
        let mut app = loaded();
        // Edit Bob's title in the contact form and save.
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Char('2'));
        key(&mut app, KeyCode::Char('e'));
        assert_eq!(app.mode, Mode::Form);
        key(&mut app, KeyCode::Down);
        let ctrl = |app: &mut App, c: char| match map_key(
            app.mode,
            &KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        ) {
            Some(a) => update(app, a),
            None => Vec::new(),
        };
        ctrl(&mut app, 'u');
        typed(&mut app, "CEO");
        let fx = ctrl(&mut app, 's');
        let Some(Effect::Reread { token, .. }) = fx.first() else {
            panic!("{fx:?}");
        };
        let i = app.list.index[&ACME];
        let mut bob = app.list.rows[i].customer().contacts[0].clone();
        let fx = update(
            &mut app,
            Action::FormReread {
                token: *token,
                result: Ok(Record::Contact(bob.clone())),
            },
        );
        let Some(Effect::Save { token, .. }) = fx.first() else {
            panic!("{fx:?}");
        };
        // The server's answer may leave out the customer id: the mirror gets it anyway.
        bob.customer_id = None;
        bob.properties
            .insert("title".into(), serde_json::json!("CEO"));
        let fx = update(
            &mut app,
            Action::FormSaved {
                token: *token,
                result: Ok(Record::Contact(bob.clone())),
            },
        );
        let put = fx.iter().find_map(|e| match e {
            Effect::Mirror(MirrorOp::PutContact(k)) => Some(k),
            _ => None,
        });
        let put = put.expect("the saved contact goes to the mirror");
        assert_eq!(put.id, BOB);
        assert_eq!(put.customer_id, Some(ACME));
        // A deleted contact leaves the mirror too.
        let fx = update(
            &mut app,
            Action::Deleted {
                target: Deletion::Contact {
                    id: BOB,
                    customer_id: ACME,
                },
                result: Ok(()),
            },
        );
        assert!(fx.contains(&Effect::Mirror(MirrorOp::RemoveContact(BOB))));
    }

    #[test]
    fn r_syncs_and_capital_r_forces_a_full_pass() {
        let mut app = loaded();
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: shared(fixtures::customers()),
                summary: String::new(),
                done: true,
            }),
        );
        let fx = key(&mut app, KeyCode::Char('r'));
        assert!(fx.contains(&Effect::Mirror(MirrorOp::Sync { full: false })));
        assert_eq!(page_requests(&fx), 0);
        update(
            &mut app,
            Action::Mirror(MirrorEvent::SyncFailed("boom".into())),
        );
        assert!(app.mirror.syncing.is_none());
        let fx = key(&mut app, KeyCode::Char('R'));
        assert_eq!(fx, vec![Effect::Mirror(MirrorOp::Sync { full: true })]);
    }
}
