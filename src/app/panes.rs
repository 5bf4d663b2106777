//! The list and detail operations below the screens: selecting, inserting, removing and
//! refiltering customers, paging from the server, moving the cursors, keeping the detail in
//! view and loading what its tab shows. Every screen calls these; none of them calls a screen.

use std::cmp::Ordering;

use crate::api::ApiError;
use crate::api::model::{Customer, CustomerQuery, Id};
use crate::app::audit::state::passes;
use crate::app::detail::InvoiceScan;
use crate::app::dialog::Dialog;
use crate::app::effect::Effect;
use crate::app::kinds::Mode;
use crate::app::kinds::{Debounce, Focus, Load, SortKey, Tab};
use crate::app::layout;
use crate::app::list::{Paging, RemoteSearch, Row};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::view::{CustomerView, FieldLine, Needle, RowView};
use crate::mirror::Packed;
use crate::sanitize;

/// How close to the end of the loaded rows the cursor gets before the next page is fetched
/// (at least this many rows, or one screen, whichever is more).
const PREFETCH_ROWS: usize = 10;

pub fn page_size(app: &App) -> usize {
    match app.focus {
        Focus::List => layout::list_viewport(app.size, app.search_visible()),
        Focus::Detail => detail_page(app),
    }
}

fn detail_page(app: &App) -> usize {
    let vp = layout::detail_viewport(app.size);
    // The contacts table shares the pane with the selected contact's record.
    if app.detail.tab == Tab::Contacts && !app.detail.contact_open {
        (vp / 2).max(1)
    } else {
        vp
    }
}

pub enum Step {
    By(isize),
    Top,
    Bottom,
}

fn step(cur: usize, len: usize, s: Step) -> usize {
    if len == 0 {
        return 0;
    }
    match s {
        Step::By(d) => cur.saturating_add_signed(d).min(len - 1),
        Step::Top => 0,
        Step::Bottom => len - 1,
    }
}

pub fn move_cursor(app: &mut App, s: Step, fx: &mut Vec<Effect>) {
    if app.focus == Focus::Detail && app.mode() == Mode::Normal {
        let len = detail_len(app);
        if app.detail.contact_open {
            app.detail.record_cursor = step(app.detail.record_cursor, len, s);
        } else {
            let i = app.detail.tab.index();
            let before = app.detail.cursors[i];
            app.detail.cursors[i] = step(before, len, s);
            if app.detail.tab == Tab::Contacts && before != app.detail.cursors[i] {
                app.detail.record_cursor = 0;
                app.detail.record_scroll = 0;
            }
        }
        keep_detail_visible(app);
        return;
    }
    app.list.cursor = step(app.list.cursor, app.list.shown.len(), s);
    ensure_visible(app);
    sync_detail(app, false);
    maybe_load_more(app, fx);
}

pub fn contact_count(app: &App) -> usize {
    app.detail.view.as_ref().map_or(0, |v| v.contacts.len())
}

/// Rows (or lines) the detail's current tab holds.
pub fn detail_len(app: &App) -> usize {
    let d = &app.detail;
    let Some(view) = &d.view else { return 0 };
    let loaded = |n: Option<usize>| n.unwrap_or(0);
    match d.tab {
        Tab::Overview => view.fields.len(),
        Tab::Contacts if d.contact_open => {
            view.contacts.get(d.cursor()).map_or(0, |c| c.fields.len())
        }
        Tab::Contacts => view.contacts.len(),
        Tab::Tickets => loaded(app.extras.get(&view.id).and_then(|e| match &e.tickets {
            Load::Loaded(t) => Some(t.len()),
            _ => None,
        })),
        Tab::Assets => loaded(app.extras.get(&view.id).and_then(|e| match &e.assets {
            Load::Loaded(a) => Some(a.len()),
            _ => None,
        })),
        Tab::Invoices => loaded(app.invoices.by_customer.get(&view.id).map(Vec::len)),
    }
}

pub fn clamp_detail(app: &mut App) {
    let len = detail_len(app);
    if app.detail.contact_open {
        app.detail.record_cursor = app.detail.record_cursor.min(len.saturating_sub(1));
    } else {
        let i = app.detail.tab.index();
        app.detail.cursors[i] = app.detail.cursors[i].min(len.saturating_sub(1));
    }
    keep_detail_visible(app);
}

/// Scrolls the detail's current view only as far as needed to show its cursor.
pub fn keep_detail_visible(app: &mut App) {
    let area = layout::detail_content(app.size);
    let d = &mut app.detail;
    let Some(view) = &d.view else { return };
    let i = d.tab.index();
    // A record: wrapped fields, scrolled by screen lines.
    let record = |fields: &[FieldLine], cursor: usize, offset: usize, h: u16| {
        let heights = layout::record_heights(fields, area.width);
        let cursor = cursor.min(heights.len().saturating_sub(1));
        let first: usize = heights[..cursor].iter().sum();
        let last = first + heights.get(cursor).copied().unwrap_or(1).max(1) - 1;
        layout::scroll_to(offset, first, last, usize::from(h))
    };
    match d.tab {
        Tab::Overview => {
            d.scroll[i] = record(&view.fields, d.cursors[i], d.scroll[i], area.height);
        }
        Tab::Contacts if d.contact_open => {
            if let Some(c) = view.contacts.get(d.cursors[i]) {
                // One line above the record shows the contact's name.
                let h = area.height.saturating_sub(1);
                d.record_scroll = record(&c.fields, d.record_cursor, d.record_scroll, h);
            }
        }
        _ => {
            let rows = if d.tab == Tab::Contacts {
                layout::contacts_table_height(view.contacts.len(), area.height)
            } else {
                // The invoices tab keeps a line for the scan's progress.
                area.height
                    .saturating_sub(u16::from(d.tab == Tab::Invoices))
            };
            let h = usize::from(rows.saturating_sub(1));
            let c = d.cursors[i];
            d.scroll[i] = layout::scroll_to(d.scroll[i], c, c, h);
        }
    }
}

/// Keeps the list cursor inside the rows and on screen.
pub fn ensure_visible(app: &mut App) {
    let vp = layout::list_viewport(app.size, app.search_visible());
    let l = &mut app.list;
    let len = l.shown.len();
    if len == 0 {
        l.cursor = 0;
        l.offset = 0;
        return;
    }
    l.cursor = l.cursor.min(len - 1);
    if l.cursor < l.offset {
        l.offset = l.cursor;
    } else if l.cursor >= l.offset + vp {
        l.offset = l.cursor + 1 - vp;
    }
    l.offset = l.offset.min(len.saturating_sub(vp));
}

/// Points the detail at the selected customer. `rebuild` also refreshes the view when the
/// customer stayed the same but its record changed.
pub fn sync_detail(app: &mut App, rebuild: bool) {
    let selected = app.list.selected().map(|r| r.id());
    if selected == app.detail.customer_id && !rebuild {
        return;
    }
    let changed = selected != app.detail.customer_id;
    app.detail.customer_id = selected;
    app.detail.view = app.list.selected().map(|r| {
        let c = r.customer();
        let mut v = CustomerView::build(&c, &app.config.customer_type_property);
        if let Some(id) = c.ref_customer_id
            && let Some(&i) = app.list.index.get(&id)
        {
            v.name_referrer(id, app.list.rows[i].view.name());
        }
        v
    });
    // An open onboarding checklist goes at the top of the Overview.
    if let Some(v) = &mut app.detail.view {
        let lines = crate::app::followup::state::overview_lines(&app.followups, v.id);
        v.fields.splice(0..0, lines);
    }
    if changed {
        app.detail.cursors = [0; 5];
        app.detail.scroll = [0; 5];
        app.detail.record_scroll = 0;
        app.detail.contact_open = false;
        app.detail.record_cursor = 0;
        app.detail.debounce = if tab_needs_load(app) {
            Debounce::Armed
        } else {
            Debounce::Idle
        };
    } else {
        clamp_detail(app);
    }
}

fn tab_needs_load(app: &App) -> bool {
    let Some(id) = app.detail.customer_id else {
        return false;
    };
    let extras = app.extras.get(&id);
    match app.detail.tab {
        Tab::Overview => app.followups.wants_check(id),
        Tab::Contacts => extras.is_none_or(|e| e.contacts == Load::NotAsked),
        Tab::Tickets => extras.is_none_or(|e| e.tickets == Load::NotAsked),
        Tab::Assets => extras.is_none_or(|e| e.assets == Load::NotAsked),
        Tab::Invoices => !app.invoices.started,
    }
}

/// Fetches what the current tab shows, if it is not there yet.
pub fn load_tab(app: &mut App, fx: &mut Vec<Effect>) {
    app.detail.debounce = Debounce::Idle;
    if !tab_needs_load(app) {
        return;
    }
    let Some(customer_id) = app.detail.customer_id else {
        return;
    };
    let generation = app.generation();
    match app.detail.tab {
        Tab::Overview => {
            // The follow-ups shown at its top are looked at once (the checklist's own keys).
            let f = &mut app.followups;
            if f.checking.insert(customer_id) {
                fx.push(Effect::Followup(
                    crate::app::followup::state::FollowupOp::Check {
                        customers: vec![customer_id],
                    },
                ));
            }
        }
        Tab::Contacts => {
            app.extras.entry(customer_id).or_default().contacts = Load::Loading { generation };
            fx.push(Effect::LoadContacts {
                customer_id,
                generation,
            });
        }
        Tab::Tickets => {
            app.extras.entry(customer_id).or_default().tickets = Load::Loading { generation };
            fx.push(Effect::LoadTickets {
                customer_id,
                generation,
            });
        }
        Tab::Assets => {
            app.extras.entry(customer_id).or_default().assets = Load::Loading { generation };
            fx.push(Effect::LoadAssets {
                customer_id,
                generation,
            });
        }
        Tab::Invoices => {
            app.invoices = InvoiceScan {
                generation,
                started: true,
                ..Default::default()
            };
            fx.push(Effect::ScanInvoices { generation });
        }
    }
}

/// Clears the search (and closes the search line if it is open).
pub fn clear_search(app: &mut App, fx: &mut Vec<Effect>) {
    app.list.pinned = None;
    app.search.input.reset();
    app.search.debounce = Debounce::Idle;
    app.list.remote = None;
    app.stack.remove(|s| matches!(s, Screen::Search));
    refilter(app);
    maybe_load_more(app, fx);
}

pub fn start_remote_search(app: &mut App, fx: &mut Vec<Effect>) {
    let query = app.search.text().trim().to_string();
    if query.is_empty()
        || app.list.remote.as_ref().is_some_and(|r| r.query == query)
        || app.mirror.answers_search()
    {
        return;
    }
    let generation = app.generation();
    app.list.remote = Some(RemoteSearch {
        query,
        paging: Paging::fresh(generation),
    });
    maybe_load_more(app, fx);
}

fn customer_query(app: &App, query: Option<String>, page: u32) -> CustomerQuery {
    CustomerQuery {
        query,
        include_disabled: app.include_disabled,
        sort: Some(app.sort.api()),
        page,
        ..CustomerQuery::default()
    }
}

/// Fetches the next page when the cursor nears the end of the loaded rows (or nothing is
/// loaded yet). While a search is typed, only the server search pages; browsing waits.
pub fn maybe_load_more(app: &mut App, fx: &mut Vec<Effect>) {
    if app.mirror.active {
        // Every customer is in the mirror: nothing to page.
        return;
    }
    let vp = layout::list_viewport(app.size, app.search_visible());
    let near_end = app.list.cursor + vp.max(PREFETCH_ROWS) >= app.list.shown.len();
    let first = page_source(app).is_some_and(|(p, _)| p.pages_loaded == 0);
    if near_end || first {
        load_next_page(app, fx);
    }
}

/// The paging to extend (the server search while one is typed, else the browse) and the search
/// text. Unlike [`crate::app::list::CustomerList::active_paging`], a typed search that has not reached the server
/// yet has none: browsing waits meanwhile.
fn page_source(app: &App) -> Option<(&Paging, Option<String>)> {
    if app.search.text().trim().is_empty() {
        Some((&app.list.browse, None))
    } else {
        app.list
            .remote
            .as_ref()
            .map(|r| (&r.paging, Some(r.query.clone())))
    }
}

/// `r` on the panes: the detail's loaded tabs are forgotten and the list starts over (with
/// the mirror, [`crate::app::mirror::refresh`] also syncs its changes).
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(d) = app.config.startup_problem.clone() {
        app.stack.push(Screen::Dialog(Box::new(d)));
        return;
    }
    if app.message.as_ref().is_some_and(|m| m.error) {
        app.message = None;
    }
    if let Some(id) = app.detail.customer_id {
        app.extras.remove(&id);
    }
    if app.invoices.started {
        app.invoices = InvoiceScan::default();
    }
    reload_list(app, fx);
    load_tab(app, fx);
}

/// Starts the list over (sort, filter or refresh changed): rows stay on screen, re-sorted
/// locally at once, and are replaced when the first page arrives.
pub fn reload_list(app: &mut App, fx: &mut Vec<Effect>) {
    let browse = app.generation();
    let remote = app.generation();
    app.list.browse = Paging::fresh(browse);
    if let Some(r) = &mut app.list.remote {
        r.paging = Paging::fresh(remote);
    }
    if app.mirror.active {
        complete_paging(app);
    }
    resort(app);
    maybe_load_more(app, fx);
}

/// Fetches the next page of the list's active source now, wherever the cursor is (an export
/// takes the whole filtered list). Returns whether a page is on its way.
pub fn load_next_page(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    let searching = !app.search.text().trim().is_empty();
    let Some((paging, query)) = page_source(app) else {
        return false;
    };
    if paging.loading.is_some() {
        return true;
    }
    if !paging.wants_more() {
        return false;
    }
    let page = paging.pages_loaded + 1;
    let generation = paging.generation;
    let q = customer_query(app, query, page);
    let paging = match &mut app.list.remote {
        Some(r) if searching => &mut r.paging,
        _ => &mut app.list.browse,
    };
    paging.loading = Some(page);
    fx.push(Effect::LoadCustomers {
        generation,
        query: q,
    });
    true
}

/// Adds (or updates) customers; `replace` starts the list over.
pub fn insert_customers(app: &mut App, items: Vec<Customer>, replace: bool) {
    let type_property = app.config.customer_type_property.clone();
    // A page's records share one block.
    let rows = items
        .iter()
        .zip(Packed::pack_all(&items))
        .map(|(c, record)| Row {
            record,
            view: RowView::build(c, &type_property),
        })
        .collect();
    insert_rows(app, rows, replace);
}

/// [`insert_customers`] for records shared with the mirror (not copied). A record the list
/// already shows, unchanged, keeps its row's view: a sync that brings back 100,000 customers
/// decodes only those that changed.
pub fn insert_shared(app: &mut App, items: Vec<Packed>, replace: bool) {
    let type_property = app.config.customer_type_property.clone();
    // Before the old rows' views move out below (a row without its view has no id).
    let keep = app.list.selected().map(|r| r.id());
    let l = &mut app.list;
    let mut rows = Vec::with_capacity(items.len());
    for record in items {
        let same = l
            .index
            .get(&record.id())
            .and_then(|&i| l.rows.get_mut(i))
            // (A view already moved out, for an id listed twice, is built again.)
            .filter(|r| r.view.id == record.id())
            .filter(|r| Packed::ptr_eq(&r.record, &record) || r.record == record);
        let view = match same {
            // The list starts over: the old row's view moves (no copy of its text).
            Some(r) if replace => std::mem::take(&mut r.view),
            Some(r) => r.view.clone(),
            None => RowView::build(&record.unpack(), &type_property),
        };
        rows.push(Row { record, view });
    }
    insert_rows_keeping(app, rows, replace, keep);
}

/// Puts the list cursor on a customer, if it is shown, and the detail on it (`rebuild` also
/// refreshes the detail when it already showed that customer). False when it is not shown.
pub fn select_customer(app: &mut App, id: Id, rebuild: bool) -> bool {
    let l = &mut app.list;
    let Some(pos) = l.shown.iter().position(|&i| l.rows[i].id() == id) else {
        return false;
    };
    l.cursor = pos;
    ensure_visible(app);
    sync_detail(app, rebuild);
    true
}

/// Takes a deleted customer out of the list; the cursor stays at the same height.
pub fn remove_row(app: &mut App, id: Id) {
    app.marks.customers.remove(&id);
    let l = &mut app.list;
    let Some(i) = l.index.remove(&id) else {
        return;
    };
    l.version += 1;
    let cursor = l.cursor;
    l.rows.remove(i);
    for v in l.index.values_mut() {
        if *v > i {
            *v -= 1;
        }
    }
    l.shown.clear();
    insert_rows(app, Vec::new(), false);
    app.list.cursor = cursor.min(app.list.shown.len().saturating_sub(1));
    ensure_visible(app);
    sync_detail(app, false);
}

/// Adds (or updates) rows already built; `replace` starts the list over.
pub fn insert_rows(app: &mut App, items: Vec<Row>, replace: bool) {
    // The cursor stays on the same customer: rows added or replaced (a sync, a colleague's
    // change arriving) re-sort the list under it.
    let keep = app.list.selected().map(|r| r.id());
    insert_rows_keeping(app, items, replace, keep);
}

/// [`insert_rows`] replacing every row, with the rows' order by name already known (read from
/// the mirror file with the views, where it was checked to be sorted by name, then id): the
/// name sort is a look-up instead of a sort.
pub fn replace_rows_sorted(app: &mut App, items: Vec<Row>, by_name: Vec<usize>) {
    let keep = app.list.selected().map(|r| r.id());
    let n = items.len();
    insert_rows_with(
        app,
        items,
        true,
        keep,
        Some(by_name).filter(|o| o.len() == n),
    );
}

fn insert_rows_keeping(app: &mut App, items: Vec<Row>, replace: bool, keep: Option<Id>) {
    insert_rows_with(app, items, replace, keep, None);
}

fn insert_rows_with(
    app: &mut App,
    items: Vec<Row>,
    replace: bool,
    keep: Option<Id>,
    by_name: Option<Vec<usize>>,
) {
    let l = &mut app.list;
    l.version += 1;
    if replace {
        // `shown` indexes the old rows: drop it with them (a stale index would point past the
        // new rows).
        l.rows.clear();
        l.index.clear();
        l.shown.clear();
        l.cursor = 0;
    }
    // Amortised growth, but a whole account loaded at once gets exactly its size.
    l.rows.reserve(items.len());
    for row in items {
        match l.index.get(&row.id()) {
            Some(&i) => l.rows[i] = row,
            None => {
                l.index.insert(row.id(), l.rows.len());
                l.rows.push(row);
            }
        }
    }
    if app.mirror.active {
        // The list is the whole account: its count follows every customer added or removed,
        // whichever screen made it.
        complete_paging(app);
    }
    if let Some(order) = by_name {
        let l = &mut app.list;
        l.sorted
            .push((l.version, l.rows.len(), SortKey::Name, order));
    }
    resort(app);
    if let Some(id) = keep {
        select_customer(app, id, true);
    }
}

fn compare(a: &RowView, b: &RowView, key: SortKey) -> Ordering {
    match key {
        SortKey::Name => a.name_key().cmp(b.name_key()),
        SortKey::City => a
            .city_key()
            .is_empty()
            .cmp(&b.city_key().is_empty())
            .then_with(|| a.city_key().cmp(b.city_key()))
            .then_with(|| a.name_key().cmp(b.name_key())),
        SortKey::Created => a.created.cmp(&b.created),
        SortKey::Updated => a.updated.cmp(&b.updated),
    }
}

/// Every row's position in ascending `key` order (ties by id): what `resort` shows, and what
/// the worker computes ahead for the keys not yet asked for ([`settle_orders`]).
pub fn sort_order<'a>(n: usize, view: impl Fn(usize) -> &'a RowView, key: SortKey) -> Vec<usize> {
    // Each row's key read once, as a prefix that orders as `compare` does; rows compared in
    // full only where two prefixes are equal (see `crate::filter::sorted_rows`).
    let prefix = |i: usize| {
        let v = view(i);
        let id = u128::from(v.id);
        match key {
            // A name longer than the prefix leaves its ties to `compare`.
            SortKey::Name => (crate::filter::text_prefix(v.name_key()), 0),
            // Empty cities last, then by city, then by name; the name counts only when the
            // prefix holds the whole city (a longer one sorts after a shorter one it starts).
            SortKey::City => {
                let city = v.city_key();
                let first =
                    (u128::from(city.is_empty()) << 120) | (crate::filter::text_prefix(city) >> 8);
                let name = crate::filter::text_prefix(v.name_key());
                (first, if city.len() <= 15 { name } else { u128::MAX })
            }
            SortKey::Created => (crate::filter::number_prefix(v.created), id),
            SortKey::Updated => (crate::filter::number_prefix(v.updated), id),
        }
    };
    let cmp = |a: usize, b: usize| {
        let (va, vb) = (view(a), view(b));
        compare(va, vb, key).then_with(|| va.id.cmp(&vb.id))
    };
    crate::filter::sorted_rows(n, prefix, cmp, false)
}

/// Rows at or above this many get their other sort keys' orders computed on the worker after
/// each change, so that no `s` sorts them on the UI thread (100,000 rows by city: 25 ms).
pub const ORDERS_ON_WORKER_MIN: usize = 5_000;

/// After every action: when the rows have changed and the list is big, ask the worker for the
/// orders of the sort keys not computed yet (once the mirror's index is there, at a start) (one request in flight; an answer for rows that
/// have changed since is dropped and asked for again).
pub fn settle_orders(app: &mut App, fx: &mut Vec<Effect>) {
    // Not while a start from the mirror is still checking its records and building the index
    // (the worker's busiest moment, beside the first frames): asked once the index arrives.
    if app.mirror.active && app.mirror.searcher.is_none() {
        return;
    }
    let l = &mut app.list;
    let (version, n) = (l.version, l.rows.len());
    if n < ORDERS_ON_WORKER_MIN || l.orders_in_flight || l.orders_asked == Some(version) {
        return;
    }
    l.orders_asked = Some(version);
    let known = |key: SortKey| {
        l.sorted
            .iter()
            .any(|(v, len, k, _)| *v == version && *len == n && *k == key)
    };
    let keys: Vec<SortKey> = SortKey::ALL.into_iter().filter(|&k| !known(k)).collect();
    if keys.is_empty() {
        return;
    }
    l.orders_in_flight = true;
    fx.push(Effect::SortOrders {
        version,
        views: l.rows.iter().map(|r| r.view.clone()).collect(),
        keys,
    });
}

/// The worker's orders for the rows of `version`: kept when the rows are still those (if they
/// have changed, the next [`settle_orders`] asks again for the rows as they are now).
pub fn orders_built(app: &mut App, version: u64, orders: Vec<(SortKey, Vec<usize>)>) {
    let l = &mut app.list;
    l.orders_in_flight = false;
    let n = l.rows.len();
    if l.version != version {
        return;
    }
    for (key, order) in orders {
        let known = l
            .sorted
            .iter()
            .any(|(v, len, k, _)| *v == version && *len == n && *k == key);
        if order.len() == n && !known {
            l.sorted.push((version, n, key, order));
        }
    }
}

/// Sorts every row by the current sort, then filters.
pub fn resort(app: &mut App) {
    let l = &mut app.list;
    let rows = &l.rows;
    let sort = app.sort;
    // Orders of rows that have since changed are dropped; the current rows' order for this
    // key is computed once (ascending; descending is its reversal, ties included).
    let (version, n) = (l.version, rows.len());
    l.sorted.retain(|(v, len, _, _)| *v == version && *len == n);
    let cached = l.sorted.iter().find(|(_, _, k, _)| *k == sort.key);
    let mut order = match cached {
        Some((_, _, _, order)) => order.clone(),
        None => {
            let order = sort_order(n, |i| &rows[i].view, sort.key);
            l.sorted.push((version, n, sort.key, order.clone()));
            order
        }
    };
    if sort.descending {
        order.reverse();
    }
    l.order = order;
    l.filtered_by = String::from("\u{0}");
    refilter(app);
}

/// Recomputes the shown rows from scratch (the set of rows or the search's source changed).
pub fn refilter_from_scratch(app: &mut App) {
    app.list.filtered_by = String::from("\u{0}");
    refilter(app);
}

/// Recomputes the shown rows from the search text and the disabled switch, keeping the
/// selected customer under the cursor when it is still shown. Typing more characters only
/// narrows, so then only the rows already shown are checked.
pub fn refilter(app: &mut App) {
    let needle = Needle::new(app.search.text());
    let include_disabled = app.include_disabled;
    let selected = app.list.selected().map(|r| r.id());
    // With the account mirror, the search covers every field of every customer and contact.
    let query = app.search.text().to_string();
    let in_mirror = app.mirror.matching_customers(&query);
    let type_filter = app.audit.type_filter;
    let l = &mut app.list;
    let selected_row = l.shown.get(l.cursor).copied();
    let rows = &l.rows;
    // The mirror's customers as rows: only those rows are read.
    let matched = in_mirror
        .as_ref()
        .map(|m| crate::filter::rows_matching(m, &l.index, rows.len()));
    let from_mirror = matched.is_some();
    let pinned = l.pinned.filter(|_| !needle.text.is_empty());
    let only = l.only.as_ref().map(|o| &o.ids);
    let keep = |i: usize| {
        let r = &rows[i];
        (include_disabled || !r.view.disabled)
            && passes(type_filter, &r.view)
            && only.is_none_or(|ids| ids.contains(&r.view.id))
            && (from_mirror || needle.matches(&r.view))
    };
    let narrowing = in_mirror.is_none()
        && l.filtered_disabled == include_disabled
        && needle.narrows(&l.filtered_by);
    if narrowing {
        l.shown.retain(|&i| keep(i));
    } else {
        // Every row tested once in memory order, then read in the list's order.
        let set = match matched {
            Some(mut set) => {
                set.retain(keep);
                set
            }
            None => crate::filter::RowSet::from_rows(rows.len(), keep),
        };
        l.shown = set.in_order(&l.order);
    }
    // The customer just edited, if the search alone would hide it now.
    if let Some(&p) = pinned.and_then(|id| l.index.get(&id))
        && !l.shown.contains(&p)
        && (include_disabled || !rows[p].view.disabled)
        && passes(type_filter, &rows[p].view)
        && only.is_none_or(|ids| ids.contains(&rows[p].view.id))
    {
        // In its place in the order: `shown` follows `order`, so one walk finds how many
        // shown rows come before it.
        let mut before = 0;
        for &o in &l.order {
            if o == p {
                break;
            }
            if l.shown.get(before) == Some(&o) {
                before += 1;
            }
        }
        l.shown.insert(before, p);
    }
    l.filtered_by = needle.text;
    l.filtered_disabled = include_disabled;
    // The selected row by its index (reading each shown row's id would visit them all).
    l.cursor = selected_row
        .filter(|&s| selected.is_some_and(|id| l.rows.get(s).is_some_and(|r| r.view.id == id)))
        .and_then(|s| l.shown.iter().position(|&i| i == s))
        .unwrap_or(0);
    ensure_visible(app);
    sync_detail(app, true);
}

/// Marks the list as complete (the mirror holds every customer); the total counts the
/// customers the disabled switch lets through, as the server's count would.
pub fn complete_paging(app: &mut App) {
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

/// Shows a tab of the detail (the record of a contact closes); what the tab needs loads once
/// the cursor rests (at once with [`load_tab`]).
pub fn show_tab(app: &mut App, tab: Tab) {
    app.detail.tab = tab;
    app.detail.contact_open = false;
    if tab_needs_load(app) {
        app.detail.debounce = Debounce::Armed;
    }
    clamp_detail(app);
}

/// Puts the Contacts tab's cursor on a contact (its record closed).
pub fn set_contact_cursor(app: &mut App, pos: usize) {
    app.detail.contact_open = false;
    app.detail.cursors[Tab::Contacts.index()] = pos;
    app.detail.record_cursor = 0;
    app.detail.record_scroll = 0;
    clamp_detail(app);
}

/// Opens a contact's record on the Contacts tab.
pub fn open_contact(app: &mut App, pos: usize) {
    app.detail.tab = Tab::Contacts;
    set_contact_cursor(app, pos);
    if contact_count(app) > 0 {
        app.detail.contact_open = true;
    }
    keep_detail_visible(app);
}

/// Why a customer the list holds is not shown (the search, the disabled switch, the type
/// filter), for the status line.
pub fn hidden_why(app: &App, id: Id) -> String {
    let Some(&i) = app.list.index.get(&id) else {
        return "It is not in the list (r refreshes)".into();
    };
    let view = &app.list.rows[i].view;
    if view.disabled && !app.include_disabled {
        return "It is disabled: x shows disabled customers".into();
    }
    if !passes(app.audit.type_filter, view) {
        return "The type filter hides it: t shows the next type".into();
    }
    if let Some(o) = &app.list.only
        && !o.ids.contains(&id)
    {
        return format!(
            "The list shows only the customers {}: Esc on the list shows them all",
            o.label
        );
    }
    if !app.search.text().is_empty() {
        return "The search hides it: Esc clears the search".into();
    }
    "It is not shown".into()
}

/// Errors go to the status line; blocking ones (a refused key) also open a dialog over
/// whatever is in front, which returns there.
pub fn report_error(app: &mut App, context: &str, e: &ApiError) {
    let text = sanitize::line(&format!("{context}: {e}"));
    if e.is_blocking() {
        let d = Dialog::message(
            "The server refused the request",
            vec![
                e.to_string(),
                "The key comes from SYNCRO_API_KEY (or the profile's key command). After fixing it, start the app again, or press Enter and then r to retry."
                    .into(),
            ],
            true,
        );
        app.stack.push(Screen::Dialog(Box::new(d)));
    }
    app.say(text, true);
}

/// Narrows the list to `only` (or shows every customer again with `None`); the search and the
/// other filters still apply.
pub fn set_only(app: &mut App, only: Option<crate::app::list::Only>) {
    app.list.only = only;
    app.list.pinned = None;
    refilter_from_scratch(app);
    ensure_visible(app);
}

/// Puts `text` in the search line as if typed and kept (`:customer TEXT`): the list filters at
/// once and the server is asked once the debounce runs out.
pub fn set_search(app: &mut App, text: &str) {
    app.list.pinned = None;
    app.search.input = tui_input::Input::new(text.to_string());
    refilter(app);
    if text.trim().is_empty() {
        app.list.remote = None;
        app.search.debounce = Debounce::Idle;
    } else {
        app.search.debounce = Debounce::Armed;
    }
    ensure_visible(app);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::app::fixtures;

    /// The demo server's account (seed 1), as the server returns it (by id).
    pub(crate) fn demo_customers(n: usize) -> Vec<Customer> {
        crate::mirror::search::tests::demo_mirror(n).customers()
    }

    /// The order as the plain comparison gives it: every row against every other through
    /// `compare`, ties by id, the whole order reversed for descending.
    fn reference(app: &App) -> Vec<usize> {
        let rows = &app.list.rows;
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            compare(&rows[a].view, &rows[b].view, app.sort.key)
                .then_with(|| rows[a].view.id.cmp(&rows[b].view.id))
        });
        if app.sort.descending {
            order.reverse();
        }
        order
    }

    #[test]
    fn every_sort_key_pressed_again_gives_the_reference_order_on_demo_data() {
        let customers = demo_customers(1_000);
        let n = customers.len() as u64;
        let mut app = fixtures::app_with((200, 50), customers, 1, n);
        let keys = [
            SortKey::Name,
            SortKey::City,
            SortKey::Created,
            SortKey::Updated,
        ];
        // Twice round: the first computes each order, the second reads it back.
        for round in 0..2 {
            for key in keys {
                for descending in [false, true] {
                    app.sort.key = key;
                    app.sort.descending = descending;
                    resort(&mut app);
                    assert_eq!(
                        app.list.order,
                        reference(&app),
                        "{key:?} descending={descending}, round {round}"
                    );
                    let shown: Vec<usize> = app
                        .list
                        .order
                        .iter()
                        .copied()
                        .filter(|&i| !app.list.rows[i].view.disabled)
                        .collect();
                    assert_eq!(app.list.shown, shown, "{key:?} shown rows");
                }
            }
        }
        // A change of the rows is never answered from an older order.
        let gone = app.list.rows[app.list.order[0]].id();
        remove_row(&mut app, gone);
        for key in keys {
            app.sort.key = key;
            app.sort.descending = false;
            resort(&mut app);
            assert_eq!(app.list.order, reference(&app), "{key:?} after a removal");
        }
        let mut renamed = app.list.rows[0].customer();
        renamed.business_name = Some("0000 first of all".into());
        insert_customers(&mut app, vec![renamed], false);
        app.sort.key = SortKey::Name;
        resort(&mut app);
        assert_eq!(app.list.order, reference(&app), "name after an edit");
    }

    /// What the worker answers to `Effect::SortOrders`.
    fn worker_orders(views: &[RowView], keys: &[SortKey]) -> Vec<(SortKey, Vec<usize>)> {
        keys.iter()
            .map(|&k| (k, sort_order(views.len(), |i| &views[i], k)))
            .collect()
    }

    #[test]
    fn a_big_lists_other_orders_come_from_the_worker_and_a_stale_answer_is_asked_again() {
        let customers = demo_customers(ORDERS_ON_WORKER_MIN + 50);
        let mut app = fixtures::app_with((200, 50), Vec::new(), 1, 0);
        insert_customers(&mut app, customers, true);
        let mut fx = Vec::new();
        // A start from the mirror whose index is still being built: not yet.
        app.mirror.active = true;
        settle_orders(&mut app, &mut fx);
        assert!(
            fx.is_empty(),
            "asked while the start's index is built: {fx:?}"
        );
        app.mirror.active = false;
        settle_orders(&mut app, &mut fx);
        let [
            Effect::SortOrders {
                version,
                views,
                keys,
            },
        ] = fx.as_slice()
        else {
            panic!("one request for the other orders: {fx:?}");
        };
        // The key in force is sorted already; the worker is asked for the three others.
        assert_eq!(keys, &[SortKey::City, SortKey::Created, SortKey::Updated]);
        assert_eq!(views.len(), app.list.rows.len());
        let mut again = Vec::new();
        settle_orders(&mut app, &mut again);
        assert!(again.is_empty(), "one request at a time: {again:?}");

        // The rows change before the answer comes: it is not used, and the orders are asked
        // for again, for the rows as they are now.
        let gone = app.list.rows[app.list.order[0]].id();
        remove_row(&mut app, gone);
        orders_built(&mut app, *version, worker_orders(views, keys));
        let current = app.list.version;
        assert!(
            !app.list
                .sorted
                .iter()
                .any(|(v, _, k, _)| *v == current && *k != app.sort.key),
            "no order of the old rows kept as the new ones'"
        );
        let mut fx = Vec::new();
        settle_orders(&mut app, &mut fx);
        let [
            Effect::SortOrders {
                version,
                views,
                keys,
            },
        ] = fx.as_slice()
        else {
            panic!("asked again after the rows changed: {fx:?}");
        };
        assert_eq!(*version, current);
        assert_eq!(views.len(), app.list.rows.len());
        orders_built(&mut app, *version, worker_orders(views, keys));
        assert_eq!(app.list.sorted.len(), 4, "every key's order is known");

        // Every key, both ways, is now a look-up, and gives the reference order.
        for key in SortKey::ALL {
            for descending in [false, true] {
                app.sort.key = key;
                app.sort.descending = descending;
                resort(&mut app);
                assert_eq!(app.list.sorted.len(), 4, "{key:?}: nothing sorted again");
                assert_eq!(
                    app.list.order,
                    reference(&app),
                    "{key:?} descending={descending}"
                );
            }
        }
        // Nothing more to ask while the rows stay the same.
        let mut none = Vec::new();
        settle_orders(&mut app, &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn a_small_list_sorts_on_the_ui_thread_and_asks_the_worker_nothing() {
        let customers = demo_customers(1_000);
        let n = customers.len() as u64;
        let mut app = fixtures::app_with((200, 50), customers, 1, n);
        let mut fx = Vec::new();
        settle_orders(&mut app, &mut fx);
        assert!(fx.is_empty(), "{fx:?}");
    }
}
