//! The account mirror in the app: paint from the local copy at once, refresh it in the
//! background, search the whole account from it, and keep it up to date with the app's writes.
//!
//! # Flow
//! 1. [`crate::app::update::start`] asks the worker to load the profile's mirror file
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

pub mod state;

use crate::api::model::{Contact, Customer, Id};
use crate::app::effect::Effect;
use crate::app::find;
use crate::app::kinds::Debounce;
use crate::app::list::{Paging, Row};
use crate::app::panes;
use crate::app::state::App;
use crate::app::view::RowView;
use crate::mirror::{Packed, Searcher};
use crate::sanitize;
use state::{MirrorEvent, MirrorOp, SharedSearcher};

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
        app.say("No local mirror for this server", false);
        return;
    }
    if app.mirror.is_syncing() {
        app.say("A sync is already running", false);
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

/// `r`: the panes start over; with a mirror, whose list comes from it, a sync of the changes
/// runs too.
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let blocked = app.config.startup_problem.is_some();
    panes::refresh(app, fx);
    if app.mirror.active && !blocked {
        start_sync(app, false, fx);
    }
}

/// Handles a worker report. True when the list now holds the whole account from the mirror
/// (loaded or synced), so that what waited for every page can go on.
pub fn event(app: &mut App, ev: MirrorEvent, fx: &mut Vec<Effect>) -> bool {
    match ev {
        MirrorEvent::Loaded {
            customers,
            views,
            order,
            age,
            synced_at,
            notice,
        } => {
            if let Some(n) = notice {
                app.say(sanitize::line(&n), true);
            }
            match customers {
                Some(customers) => {
                    app.mirror.age = Some(age);
                    app.mirror.synced_at = synced_at;
                    show_mirror(app, customers, views, order);
                    start_sync(app, false, fx);
                    return true;
                }
                // No mirror yet: page from the server as before while a full sync builds it.
                None => panes::maybe_load_more(app, fx),
            }
            start_sync(app, false, fx);
        }
        MirrorEvent::Discarded(notice) => {
            app.say(sanitize::line(&notice), true);
            app.mirror.active = false;
            app.mirror.age = None;
            app.mirror.synced_at = None;
            app.mirror.searcher = None;
            app.mirror.find_searcher = None;
            // The list pages from the server again, as at a start without a mirror, while the
            // sync the load asked for builds a new one.
            let generation = app.generation();
            app.list.browse = Paging::fresh(generation);
            panes::insert_rows(app, Vec::new(), true);
            panes::maybe_load_more(app, fx);
        }
        MirrorEvent::Index(index) => {
            app.mirror.searcher = Some(SharedSearcher(Searcher::new(index.clone())));
            app.mirror.find_searcher = Some(SharedSearcher(Searcher::new(index)));
            if app.mirror.active && !app.search.text().trim().is_empty() {
                panes::refilter_from_scratch(app);
            }
            find::search(app);
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
            app.mirror.synced_at = app.clock;
            let customers = with_own_writes(&app.mirror.written, customers);
            show_mirror(app, customers, Vec::new(), None);
            if done {
                app.mirror.written.clear();
                app.mirror.syncing = None;
                // The list title says "synced just now"; the summary never hides another
                // message (an export's path, a profile switch, an error).
                if app.message.is_none() {
                    app.note(summary);
                }
            }
            return true;
        }
        MirrorEvent::Changed(c) => {
            if app.mirror.active {
                panes::insert_customers(app, vec![*c], false);
            }
        }
        MirrorEvent::Removed(id) => {
            if app.mirror.active {
                panes::remove_row(app, id);
            }
        }
        MirrorEvent::SyncFailed(why) => {
            app.mirror.syncing = None;
            app.say(
                sanitize::line(&format!("Sync failed, the local mirror is kept: {why}")),
                true,
            );
        }
        MirrorEvent::SaveFailed(why) => {
            app.say(
                sanitize::line(&format!("Could not save the local mirror: {why}")),
                true,
            );
        }
    }
    false
}

/// A pass's customers with the app's own writes laid over them: a record the pass lacks, or
/// holds in an older version than the app wrote, is the app's copy.
fn with_own_writes(written: &[Customer], mut customers: Vec<Packed>) -> Vec<Packed> {
    if written.is_empty() {
        return customers;
    }
    let mine: std::collections::HashMap<Id, &Customer> =
        written.iter().map(|c| (c.id, c)).collect();
    let mut seen = std::collections::HashSet::new();
    for p in &mut customers {
        if let Some(c) = mine.get(&p.id()) {
            seen.insert(c.id);
            let theirs = p.unpack();
            if theirs
                .updated_at
                .is_none_or(|t| c.updated_at.is_some_and(|m| m >= t))
            {
                *p = Packed::pack(c);
            }
        }
    }
    customers.extend(
        written
            .iter()
            .filter(|c| !seen.contains(&c.id))
            .map(Packed::pack),
    );
    customers
}

/// Replaces the list with the mirror's customers, keeping the cursor on the same customer.
fn show_mirror(
    app: &mut App,
    customers: Vec<Packed>,
    views: Vec<RowView>,
    order: Option<Vec<usize>>,
) {
    app.mirror.active = true;
    // No paging: every customer is here. Answers to earlier page requests are dropped.
    let generation = app.generation();
    app.list.browse = Paging::fresh(generation);
    app.list.remote = None;
    app.search.debounce = Debounce::Idle;
    // Keeps the cursor on the same customer.
    if views.len() == customers.len() {
        let rows = customers
            .into_iter()
            .zip(views)
            .map(|(record, view)| Row { record, view })
            .collect();
        match order {
            Some(order) => panes::replace_rows_sorted(app, rows, order),
            None => panes::insert_rows(app, rows, true),
        }
    } else {
        panes::insert_shared(app, customers, true);
    }
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
    if app.mirror.configured && customer.id != 0 {
        app.mirror.written.retain(|c| c.id != customer.id);
        app.mirror.written.push(customer.clone());
    }
}

/// A contact was created or saved.
pub fn contact_saved(app: &App, contact: &Contact, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::PutContact(Box::new(contact.clone())), fx);
}

/// A customer was deleted (or merged away).
pub fn customer_deleted(app: &mut App, id: Id, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::RemoveCustomer(id), fx);
    app.mirror.written.retain(|c| c.id != id);
}

/// A contact was deleted.
pub fn contact_deleted(app: &App, id: Id, fx: &mut Vec<Effect>) {
    push(app, MirrorOp::RemoveContact(id), fx);
}

#[cfg(test)]
pub(crate) mod tests {
    #[allow(unused_imports)]
    use crate::app::prelude::*;
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
        match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
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
                order: None,
                age: "synced 3 h ago".into(),
                synced_at: None,
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
                order: None,
                age: "synced 3 h ago".into(),
                synced_at: None,
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
                order: None,
                age: "synced 3 h ago".into(),
                synced_at: None,
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
                order: None,
                age: "synced 3 h ago".into(),
                synced_at: None,
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
                order: None,
                age: "never synced".into(),
                synced_at: None,
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
                order: None,
                age: "never synced".into(),
                synced_at: None,
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
        assert_eq!(app.mode(), Mode::Find);
        // `q` and `j` are text here.
        typed(&mut app, "alice@");
        let f = app.stack.find().expect("popup open");
        assert_eq!(f.rows[0].contact_id, Some(ALICE));
        assert_eq!(f.rows[0].customer_id, ACME);
        assert!(f.rows[0].matched.contains("alice@acme.test"));
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.mode(), Mode::Normal);
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
            .stack
            .find()
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
        assert_eq!(plain.mode(), Mode::Normal);
        assert!(plain.message.as_ref().unwrap().text.contains("mirror"));

        let (mut app, _) = configured();
        let customers = fixtures::customers();
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(shared(customers.clone())),
                views: Vec::new(),
                order: None,
                age: "synced 3 h ago".into(),
                synced_at: None,
                notice: None,
            }),
        );
        key(&mut app, KeyCode::Char('F'));
        assert_eq!(app.mode(), Mode::Find);
        typed(&mut app, "alice@");
        assert!(app.stack.find().unwrap().rows.is_empty());
        let index = SearchIndex::from_customers(&customers);
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Index(Arc::new(index))),
        );
        let f = app.stack.find().unwrap();
        assert_eq!(f.rows[0].contact_id, Some(ALICE));
    }

    #[test]
    fn find_with_text_opens_the_popup_with_results() {
        let mut app = loaded();
        crate::app::find::open_with(&mut app, "IT Manager");
        assert_eq!(app.mode(), Mode::Find);
        let f = app.stack.find().unwrap();
        assert_eq!(f.input.value(), "IT Manager");
        assert_eq!(f.rows[0].contact_id, Some(ALICE));
        assert_eq!(f.rows[0].kind, MatchKind::Exact);
    }

    #[test]
    fn colon_contact_lists_contacts_only_where_find_anywhere_lists_customers_too() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('F'));
        typed(&mut app, "acme");
        let f = app.stack.find().unwrap();
        assert!(
            f.rows.iter().any(|r| r.contact_id.is_none()),
            "{:?}",
            f.rows
        );
        assert!(!f.contacts_only);
        key(&mut app, KeyCode::Esc);
        crate::app::find::open_with(&mut app, "acme");
        let f = app.stack.find().unwrap();
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

    /// A pass's result made before the worker's mirror took the app's write (the new customer
    /// arrives as `Changed` just after) does not take the customer out of the list, nor the
    /// cursor off it; an older copy in the pass does not undo the app's edit.
    #[test]
    fn a_sync_result_older_than_the_apps_write_keeps_the_write() {
        let mut app = loaded();
        let before: Vec<Customer> = fixtures::customers();
        let mut fresh: Customer = serde_json::from_value(serde_json::json!({
            "id": 31_000_001, "business_name": "Harbor Lights Dental Studio",
            "updated_at": "2026-12-02T22:00:00Z"
        }))
        .unwrap();
        fresh.contacts = Vec::new();
        let mut fx = Vec::new();
        customer_saved(&mut app, &fresh, &mut fx);
        panes::insert_customers(&mut app, vec![fresh.clone()], false);
        assert!(panes::select_customer(&mut app, fresh.id, true));
        let mut renamed = before[0].clone();
        renamed.business_name = Some("Acme Renamed Here".into());
        renamed.updated_at = Some("2030-01-01T00:00:00Z".parse().unwrap());
        customer_saved(&mut app, &renamed, &mut fx);
        panes::insert_customers(&mut app, vec![renamed.clone()], false);

        // The pass read the account before both writes.
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: shared(before.clone()),
                summary: "sync".into(),
                done: true,
            }),
        );
        assert_eq!(app.list.selected().map(|r| r.id()), Some(fresh.id));
        let i = app.list.index[&renamed.id];
        assert_eq!(
            app.list.rows[i].customer().business_name.as_deref(),
            Some("Acme Renamed Here")
        );
        // Once a pass finished, the next one is the mirror's word again (it has the writes).
        assert!(app.mirror.written.is_empty());
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Synced {
                customers: shared(before),
                summary: "sync".into(),
                done: true,
            }),
        );
        assert!(!app.list.index.contains_key(&fresh.id));
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
        let plain = fixtures::app((100, 30));
        let mut fx = Vec::new();
        contact_deleted(&plain, ALICE, &mut fx);
        assert!(fx.is_empty());
    }

    #[test]
    fn form_saves_and_deletes_reach_the_mirror() {
        use crate::domain::{Deletion, Record};
        const BOB: Id = 31000001;
        let mut app = loaded();
        // Edit Bob's title in the contact form and save.
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Char('2'));
        key(&mut app, KeyCode::Char('e'));
        assert_eq!(app.mode(), Mode::Form);
        // Past the roles to the job title.
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        let ctrl = |app: &mut App, c: char| match map_key(
            app.mode(),
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
