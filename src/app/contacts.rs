//! The contacts pane (`c`, `:contacts`): the left pane lists every contact of the account (of
//! the loaded customers without the mirror, and it says so) with the customer list's habits:
//! `/` filters over every field (several words: each must match the contact or its customer),
//! `s`/`S` sort by name, customer, role or last update, `x` shows contacts who left. The detail
//! shows the contact's whole record and its customer's key facts; Enter there opens the
//! customer. Edit, new, delete, retire, move, copy and open work on the selected contact.
//!
//! The rows are built from the list's customers once the pane is shown (on a worker thread for
//! a big account, with the pane saying so) and again whenever the list changed.

use tui_input::InputRequest;

use crate::app::action::Cmd;
use crate::app::contact_list::{self, BUILD_INLINE_MAX, Bits, ContactSort, Words, build_rows};
use crate::app::effect::Effect;
use crate::app::kinds::{Focus, Mode, Pane, Tab};
use crate::app::layout;
use crate::app::list::PickFor;
use crate::app::panes::{self, Step};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{forms, pick};
use crate::roles::ContactRole;
use crate::sanitize;

/// `c`: the left pane switches between customers and contacts.
pub fn toggle(app: &mut App, fx: &mut Vec<Effect>) {
    match app.pane {
        Pane::Customers => show(app, fx),
        Pane::Contacts => {
            app.pane = Pane::Customers;
            app.focus = Focus::List;
        }
    }
}

/// Shows the contacts pane (built or brought up to date first).
pub fn show(app: &mut App, fx: &mut Vec<Effect>) {
    app.pane = Pane::Contacts;
    app.focus = Focus::List;
    settle(app, fx);
}

/// `:contacts [role ROLE]`: the pane, filtered to a role (or every role).
pub fn show_role(app: &mut App, role: Option<ContactRole>, fx: &mut Vec<Effect>) {
    app.contacts.role = role;
    app.contacts.filtered_by = None;
    show(app, fx);
    refilter(app);
}

/// After every action while the pane is shown: rows built from an older list are built again.
pub fn settle(app: &mut App, fx: &mut Vec<Effect>) {
    if app.pane != Pane::Contacts || app.contacts.built == Some(app.list.version) {
        return;
    }
    let version = app.list.version;
    if app.contacts.building.is_some_and(|(v, _)| v == version) {
        return;
    }
    let customers: Vec<crate::mirror::Packed> =
        app.list.rows.iter().map(|r| r.record.clone()).collect();
    // The rows read their texts where the list's rows hold them (counts, not copies).
    let views: Vec<crate::app::view::RowView> =
        app.list.rows.iter().map(|r| r.view.clone()).collect();
    if customers.len() > BUILD_INLINE_MAX {
        app.contacts.building = Some((version, customers.len()));
        fx.push(Effect::BuildContacts {
            generation: version,
            customers,
            views,
        });
        return;
    }
    // A small account: the rows here, each order when it is first asked for.
    let rows = build_rows(&customers, &views);
    take_rows(app, version, rows, Vec::new());
}

/// The rows a worker read, and their orders.
pub fn built(app: &mut App, generation: u64, built: contact_list::Built) {
    if app.contacts.building.is_some_and(|(v, _)| v == generation) {
        app.contacts.building = None;
    }
    // An answer for a list that has changed since is still better than nothing on screen.
    if app.contacts.built.is_none_or(|b| b < generation) {
        take_rows(app, generation, built.rows, built.orders);
    }
}

fn take_rows(
    app: &mut App,
    version: u64,
    rows: contact_list::Rows,
    orders: Vec<(ContactSort, Vec<u32>)>,
) {
    let keep = app.contacts.selected().map(|r| r.id);
    let n = rows.len();
    app.contacts.rows = rows;
    // The rows shown were of the rows replaced; the selected contact is found again by id.
    app.contacts.shown.clear();
    app.contacts.cursor = 0;
    app.contacts.built = Some(version);
    app.contacts.sorted = orders
        .into_iter()
        .filter(|(_, order)| order.len() == n)
        .map(|(sort, order)| (Some(version), n, sort, order))
        .collect();
    resort(app);
    if let Some(id) = keep {
        select(app, id);
    }
}

/// Sorts every row, then filters. An order already computed for these rows (the same build)
/// is reused: a sort key pressed again is a look-up.
pub fn resort(app: &mut App) {
    app.contacts.order = sort_order(app);
    app.contacts.filtered_by = None;
    refilter(app);
}

/// `s`, `S`: the same rows in another order. The rows shown stay those shown, in the new
/// order, without a text read again (a filter over 290,000 contacts reads every customer's
/// name where its list row keeps it); anything else changed since, they are filtered anew.
fn reorder(app: &mut App) {
    let words = Words::new(app.contacts.search.value());
    let c = &app.contacts;
    if c.filtered_by.as_ref() != Some(&words) || c.shown.iter().any(|&i| i >= c.rows.len()) {
        resort(app);
        return;
    }
    let selected = c.shown.get(c.cursor).copied();
    let mut shown = vec![false; c.rows.len()];
    for &i in &c.shown {
        shown[i] = true;
    }
    let order = sort_order(app);
    let c = &mut app.contacts;
    c.shown = order.iter().copied().filter(|&i| shown[i]).collect();
    c.order = order;
    c.cursor = selected
        .and_then(|sel| c.shown.iter().position(|&i| i == sel))
        .unwrap_or(0);
    keep_visible(app);
}

/// Every row in the pane's order (the sort key and its direction).
fn sort_order(app: &mut App) -> Vec<usize> {
    let (built, n, sort) = (
        app.contacts.built,
        app.contacts.rows.len(),
        app.contacts.sort,
    );
    app.contacts
        .sorted
        .retain(|(b, len, _, _)| *b == built && *len == n);
    let cached = app.contacts.sorted.iter().find(|(_, _, k, _)| *k == sort);
    let mut order = match cached {
        Some((_, _, _, order)) => order.iter().map(|&i| i as usize).collect(),
        None => {
            let order = contact_list::sorted(&app.contacts.rows, sort);
            let kept = contact_list::narrow(order.clone());
            app.contacts.sorted.push((built, n, sort, kept));
            order
        }
    };
    if app.contacts.descending {
        order.reverse();
    }
    order
}

/// Recomputes the shown rows from the filter, the role and the retired switch; typing more of
/// a word only narrows, so then only the rows shown are checked.
pub fn refilter(app: &mut App) {
    let words = Words::new(app.contacts.search.value());
    // The same rows before and after: the selected one is found again by its index, without
    // reading a row per row shown.
    let selected = app.contacts.shown.get(app.contacts.cursor).copied();
    let c = &app.contacts;
    let (role, show_retired) = (c.role, c.show_retired);
    let matcher = words.matcher();
    let keep = |b: Bits| (show_retired || !b.retired()) && role.is_none_or(|role| b.has_role(role));
    let narrowing = c.filtered_by.as_ref().is_some_and(|w| words.narrows(w));
    let from = if narrowing { &c.shown } else { &c.order };
    let shown: Vec<usize> = if from.len() < c.rows.len() / 4 {
        from.iter()
            .copied()
            .filter(|&i| c.rows.bits(i).is_some_and(keep) && matcher.matches(&c.rows, i))
            .collect()
    } else {
        // Most rows to check: walk them in memory order (sort order jumps all over the heap,
        // a miss per row; and a customer's name is searched once for all its contacts), then
        // keep the order's rows that passed.
        let pass = matcher.pass_all(&c.rows, keep);
        from.iter().copied().filter(|&i| pass[i]).collect()
    };
    let c = &mut app.contacts;
    c.shown = shown;
    c.filtered_by = Some(words);
    if c.shown.is_empty() && app.pane == Pane::Contacts {
        // Nothing left to show in the detail: the keys go back to the list.
        app.focus = Focus::List;
    }
    let c = &mut app.contacts;
    c.cursor = selected
        .and_then(|sel| c.shown.iter().position(|&i| i == sel))
        .unwrap_or(0);
    keep_visible(app);
}

/// Puts the cursor on a contact, if it is shown.
pub fn select(app: &mut App, contact_id: crate::api::model::Id) -> bool {
    let c = &mut app.contacts;
    let Some(pos) = c.shown.iter().position(|&i| c.rows[i].id == contact_id) else {
        return false;
    };
    c.cursor = pos;
    keep_visible(app);
    true
}

fn viewport(app: &App) -> usize {
    let searching = app.mode() == Mode::Search || !app.contacts.search.value().is_empty();
    layout::list_viewport(app.size, searching)
}

fn keep_visible(app: &mut App) {
    let vp = viewport(app).max(1);
    let c = &mut app.contacts;
    let len = c.shown.len();
    if len == 0 {
        c.cursor = 0;
        c.offset = 0;
        return;
    }
    c.cursor = c.cursor.min(len - 1);
    if c.cursor < c.offset {
        c.offset = c.cursor;
    } else if c.cursor >= c.offset + vp {
        c.offset = c.cursor + 1 - vp;
    }
    c.offset = c.offset.min(len.saturating_sub(vp));
}

/// Moves the pane's cursor by `d` rows.
pub fn step(app: &mut App, d: isize) {
    move_by(app, Step::By(d));
}

fn move_by(app: &mut App, s: Step) {
    let len = app.contacts.shown.len();
    if len == 0 {
        return;
    }
    let cur = app.contacts.cursor;
    app.contacts.cursor = match s {
        Step::By(d) => cur.saturating_add_signed(d).min(len - 1),
        Step::Top => 0,
        Step::Bottom => len - 1,
    };
    app.contacts.record_cursor = 0;
    keep_visible(app);
}

/// A key typed into the pane's search line.
pub fn search_edit(app: &mut App, req: InputRequest) {
    let before = app.contacts.search.value().to_string();
    app.contacts.search.handle(req);
    if app.contacts.search.value() != before {
        refilter(app);
    }
}

fn clear_search(app: &mut App) {
    app.contacts.search.reset();
    app.stack.remove(|s| matches!(s, Screen::Search));
    refilter(app);
}

/// The customer and position of the selected contact.
pub fn selected_contact(app: &App) -> Option<(crate::api::model::Customer, usize)> {
    let row = app.contacts.selected()?;
    let &i = app.list.index.get(&row.customer_id)?;
    let customer = app.list.rows.get(i)?.customer();
    let pos = customer.contacts.iter().position(|c| c.id == row.id)?;
    Some((customer, pos))
}

/// Enter in the contact's detail: the customer list, on the customer, its Contacts tab on the
/// contact.
pub fn open_customer(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(row) = app.contacts.selected().cloned() else {
        return;
    };
    app.pane = Pane::Customers;
    let shown = |app: &App| {
        app.list
            .shown
            .iter()
            .any(|&i| app.list.rows[i].id() == row.customer_id)
    };
    if !shown(app) && !app.search.text().is_empty() {
        panes::clear_search(app, fx);
    }
    if !shown(app) && !app.include_disabled {
        app.include_disabled = true;
        panes::refilter_from_scratch(app);
    }
    if !panes::select_customer(app, row.customer_id, true) {
        app.say(panes::hidden_why(app, row.customer_id), false);
        return;
    }
    app.focus = Focus::Detail;
    panes::show_tab(app, Tab::Contacts);
    let pos = app
        .list
        .selected()
        .and_then(|r| r.customer().contacts.iter().position(|c| c.id == row.id))
        .unwrap_or(0);
    panes::set_contact_cursor(app, pos);
    panes::keep_detail_visible(app);
}

/// Keys of the contacts pane; `false` for a key it leaves to the customer list's handling
/// (the palette, help, find anywhere, quit, ...).
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) -> bool {
    let page = viewport(app) as isize;
    let on_list = app.focus == Focus::List || app.mode() == Mode::Search;
    match cmd {
        Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::HalfPageUp
        | Cmd::HalfPageDown | Cmd::Top | Cmd::Bottom
            if !on_list =>
        {
            move_record(app, cmd);
        }
        Cmd::Up => move_by(app, Step::By(-1)),
        Cmd::Down => move_by(app, Step::By(1)),
        Cmd::PageDown => move_by(app, Step::By(page)),
        Cmd::PageUp => move_by(app, Step::By(-page)),
        Cmd::HalfPageDown => move_by(app, Step::By((page / 2).max(1))),
        Cmd::HalfPageUp => move_by(app, Step::By(-(page / 2).max(1))),
        Cmd::Top => move_by(app, Step::Top),
        Cmd::Bottom => move_by(app, Step::Bottom),
        Cmd::Search => {
            if app.mode() != Mode::Search {
                app.stack.push(Screen::Search);
            }
            app.focus = Focus::List;
            keep_visible(app);
        }
        Cmd::SearchAccept => {
            app.stack.remove(|s| matches!(s, Screen::Search));
        }
        Cmd::SearchCancel => clear_search(app),
        Cmd::SortNext => {
            app.contacts.sort = app.contacts.sort.next();
            app.contacts.descending = false;
            reorder(app);
        }
        Cmd::SortReverse => {
            app.contacts.descending = !app.contacts.descending;
            reorder(app);
        }
        Cmd::ToggleDisabled => {
            app.contacts.show_retired = !app.contacts.show_retired;
            app.contacts.filtered_by = None;
            refilter(app);
            app.note(if app.contacts.show_retired {
                "Showing contacts who left"
            } else {
                "Hiding contacts who left"
            });
        }
        Cmd::Open if on_list => {
            if app.contacts.selected().is_some() {
                app.focus = Focus::Detail;
                app.contacts.record_cursor = 0;
            }
        }
        Cmd::Open => open_customer(app, fx),
        Cmd::Back => {
            if app.focus == Focus::Detail {
                app.focus = Focus::List;
            } else if !app.contacts.search.value().is_empty() {
                clear_search(app);
            } else if app.contacts.role.take().is_some() {
                refilter(app);
                app.note("Every role again");
            } else {
                app.message = None;
            }
        }
        Cmd::ShowTab(_) => app.say(
            "The tabs are the customer's: c lists customers again, Enter on a contact's detail opens its customer",
            false,
        ),
        Cmd::Copy => copy(app, fx),
        Cmd::NextContact => {
            move_by(app, Step::By(1));
            app.focus = Focus::Detail;
        }
        Cmd::PrevContact => {
            move_by(app, Step::By(-1));
            app.focus = Focus::Detail;
        }
        Cmd::New => pick::open(app, PickFor::NewContact),
        Cmd::Merge => mark_for_merge(app),
        Cmd::Edit | Cmd::Delete | Cmd::Retire | Cmd::MoveContact => {
            let Some((customer, pos)) = selected_contact(app) else {
                app.say("No contact selected", false);
                return true;
            };
            let ct = customer.contacts[pos].clone();
            match cmd {
                Cmd::Edit => forms::edit_contact(app, &customer, &ct),
                Cmd::Delete => forms::ask_delete_contact(app, &customer, &ct),
                Cmd::Retire => forms::ask_retire(app, &customer, &ct),
                _ => pick::open(
                    app,
                    PickFor::MoveContact {
                        contact_id: ct.id,
                        from: customer.id,
                    },
                ),
            }
        }
        Cmd::DeleteCustomer => app.say(
            "D deletes a customer: c lists customers again",
            false,
        ),
        _ => return false,
    }
    true
}

/// `M`: marks the selected contact; `M` on another contact of the same customer opens the merge
/// of the two (the older one preselected to stay); `M` on the marked one clears the mark.
fn mark_for_merge(app: &mut App) {
    if app.config.read_only {
        return app.say(forms::READ_ONLY, true);
    }
    let Some((customer, pos)) = selected_contact(app) else {
        return app.say("No contact selected", false);
    };
    let ct = customer.contacts[pos].clone();
    match app.contacts.merge_mark.take() {
        Some((_, id)) if id == ct.id => app.say("Merge mark cleared", false),
        Some((cid, id)) if cid == customer.id => {
            match customer.contacts.iter().find(|c| c.id == id).cloned() {
                Some(marked) => crate::app::contact_merge::open(app, cid, marked, ct),
                None => app.say("The marked contact is gone: mark again with M", true),
            }
        }
        Some((cid, id)) => {
            app.contacts.merge_mark = Some((cid, id));
            app.say(
                "Only contacts of one customer merge: move one to the other's customer first (m)",
                true,
            );
        }
        None => {
            app.contacts.merge_mark = Some((customer.id, ct.id));
            let name = sanitize::line(ct.name.as_deref().unwrap_or("The contact"));
            app.say(
                format!("{name} marked for merging: press M on the contact of the same customer to merge it with"),
                false,
            );
        }
    }
}

fn move_record(app: &mut App, cmd: Cmd) {
    let len = selected_contact(app).map_or(0, |(c, pos)| {
        crate::app::view::ContactView::build(&c.contacts[pos])
            .fields
            .len()
    });
    if len == 0 {
        return;
    }
    let cur = app.contacts.record_cursor;
    app.contacts.record_cursor = match cmd {
        Cmd::Up => cur.saturating_sub(1),
        Cmd::Down => (cur + 1).min(len - 1),
        Cmd::Top | Cmd::PageUp | Cmd::HalfPageUp => 0,
        _ => len - 1,
    };
}

/// `y`: the contact's e-mail (else name) in the list; the highlighted field in the detail.
fn copy(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((customer, pos)) = selected_contact(app) else {
        return app.note("Nothing to copy here");
    };
    let contact = &customer.contacts[pos];
    let (label, value) = if app.focus == Focus::Detail {
        let view = crate::app::view::ContactView::build(contact);
        match view.fields.get(app.contacts.record_cursor) {
            Some(f) => (f.label.to_lowercase(), f.copy.clone()),
            None => return app.note("Nothing to copy here"),
        }
    } else {
        let raw = contact
            .email
            .clone()
            .filter(|e| !e.trim().is_empty())
            .or(contact.name.clone())
            .unwrap_or_default();
        ("contact".into(), sanitize::plain(&raw))
    };
    if value.is_empty() {
        return app.note("Nothing to copy here");
    }
    let shown: String = value.chars().take(60).collect();
    app.note(format!("Copied {label}: {shown}"));
    fx.push(Effect::Copy(value));
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[allow(unused_imports)]
    use crate::app::prelude::*;

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
            Some(a) => update(app, a),
            None => Vec::new(),
        }
    }

    fn typed(app: &mut App, s: &str) {
        for c in s.chars() {
            key(app, KeyCode::Char(c));
        }
    }

    fn names(app: &App) -> Vec<String> {
        app.contacts
            .shown
            .iter()
            .map(|&i| {
                let r = &app.contacts.rows[i];
                let c = app.list.rows[app.list.index[&r.customer_id]].customer();
                c.contacts[r.pos as usize].name.clone().unwrap_or_default()
            })
            .collect()
    }

    fn pane() -> App {
        let mut app = fixtures::app((120, 40));
        key(&mut app, KeyCode::Char('c'));
        app
    }

    #[test]
    fn m_marks_a_contact_and_m_on_another_of_its_customer_opens_their_merge() {
        let mut app = pane();
        let owner = |app: &App| app.contacts.selected().unwrap().customer_id;
        // Two contacts of one customer, and one of another, by position in the pane.
        let first = app.contacts.cursor;
        let customer = owner(&app);
        let same = (0..app.contacts.shown.len())
            .find(|&k| {
                k != first && app.contacts.rows[app.contacts.shown[k]].customer_id == customer
            })
            .expect("a customer with two contacts in the fixtures");
        let other = (0..app.contacts.shown.len())
            .find(|&k| app.contacts.rows[app.contacts.shown[k]].customer_id != customer)
            .unwrap();
        key(&mut app, KeyCode::Char('M'));
        assert!(app.contacts.merge_mark.is_some());
        assert!(crate::ui::tests::render(&app).contains('⇄'));
        // Another customer's contact: refused, the mark stays.
        app.contacts.cursor = other;
        key(&mut app, KeyCode::Char('M'));
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("Only contacts of one customer")
        );
        assert!(app.stack.contact_merge().is_none());
        assert!(app.contacts.merge_mark.is_some());
        // The same customer's: the merge of the two opens.
        app.contacts.cursor = same;
        key(&mut app, KeyCode::Char('M'));
        let m = app.stack.contact_merge().expect("contact merge");
        assert_eq!(m.customer_id, customer);
        assert!(app.contacts.merge_mark.is_none());
        // M twice on one contact clears the mark.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('M'));
        key(&mut app, KeyCode::Char('M'));
        assert!(app.contacts.merge_mark.is_none());
        assert!(app.message.as_ref().unwrap().text.contains("cleared"));
    }

    #[test]
    fn c_lists_every_contact_of_every_customer_and_back() {
        let mut app = pane();
        assert_eq!(app.pane, Pane::Contacts);
        let all: usize = app
            .list
            .rows
            .iter()
            .map(|r| r.customer().contacts.len())
            .sum();
        assert_eq!(app.contacts.rows.len(), all);
        assert_eq!(names(&app)[0], "Alice Ng", "by name");
        key(&mut app, KeyCode::Char('c'));
        assert_eq!(app.pane, Pane::Customers);
    }

    #[test]
    fn a_filter_of_several_words_matches_the_contact_and_its_customer() {
        let mut app = pane();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "acme bo");
        assert_eq!(names(&app), vec!["Bob Builder"]);
        // A word of the customer and one of the contact's e-mail.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "plumbing billing@");
        assert_eq!(names(&app), vec!["Carl Accounts"]);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.mode(), Mode::Normal);
        assert_eq!(names(&app), vec!["Carl Accounts"], "Enter keeps the filter");
        key(&mut app, KeyCode::Esc);
        assert!(names(&app).len() > 3);
    }

    #[test]
    fn sort_cycles_name_customer_role_updated_and_reverses() {
        let mut app = pane();
        let by_name = names(&app);
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(app.contacts.sort, ContactSort::Customer);
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(app.contacts.sort, ContactSort::Role);
        // Carl's title names the billing role: contacts with a role come first.
        assert_eq!(names(&app)[0], "Carl Accounts");
        key(&mut app, KeyCode::Char('s'));
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(app.contacts.sort, ContactSort::Name);
        key(&mut app, KeyCode::Char('S'));
        let mut reversed = names(&app);
        reversed.reverse();
        assert_eq!(reversed, by_name);
    }

    #[test]
    fn contacts_who_left_are_hidden_counted_and_shown_with_x() {
        let mut app = fixtures::app((120, 40));
        let i = app.list.index[&21000001];
        let mut acme = app.list.rows[i].customer();
        acme.contacts[1]
            .properties
            .insert("title".into(), serde_json::json!("(left) IT Manager"));
        crate::app::panes::insert_customers(&mut app, vec![acme], false);
        key(&mut app, KeyCode::Char('c'));
        assert!(!names(&app).contains(&"Alice Ng".to_string()));
        assert_eq!(app.contacts.retired_count(), 1);
        key(&mut app, KeyCode::Char('x'));
        assert!(names(&app).contains(&"Alice Ng".to_string()));
    }

    #[test]
    fn a_role_filter_and_enter_on_the_detail_opens_the_customer() {
        let mut app = pane();
        update(&mut app, Action::Cmd(Cmd::Palette));
        typed(&mut app, "contacts role billing");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.contacts.role, Some(crate::roles::ContactRole::Billing));
        assert_eq!(names(&app), vec!["Carl Accounts"]);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.focus, Focus::Detail);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.pane, Pane::Customers);
        assert_eq!(app.list.selected().unwrap().id(), 21000001);
        assert_eq!(app.detail.tab, Tab::Contacts);
        assert_eq!(app.detail.cursor(), 2, "on Carl");
    }

    #[test]
    fn the_pane_follows_a_saved_contact() {
        let mut app = pane();
        let i = app.list.index[&21000001];
        let mut acme = app.list.rows[i].customer();
        acme.contacts[0].name = Some("Bob the Builder".into());
        crate::app::panes::insert_customers(&mut app, vec![acme], false);
        update(&mut app, Action::Tick(std::time::Instant::now()));
        assert!(names(&app).contains(&"Bob the Builder".to_string()));
    }
}

#[cfg(test)]
mod sort_tests {
    use super::*;
    use crate::app::contact_list::ContactRow;
    use crate::app::fixtures;

    /// The pane's order as it was computed before orders were kept: one `sort_by` over every
    /// row with the whole comparison, reversed through the comparison for descending.
    fn reference(app: &App) -> Vec<usize> {
        let c = &app.contacts;
        let mut order: Vec<usize> = (0..c.rows.len()).collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&c.rows[a], &c.rows[b]);
            // The customer's name as the customer list holds it.
            let key = |r: &ContactRow| {
                let i = app.list.index[&r.customer_id];
                app.list.rows[i].view.name_key()
            };
            let (ca, cb) = (key(ra), key(rb));
            let name = |r: &ContactRow| c.rows.name_key(r);
            let o = match c.sort {
                ContactSort::Name => name(ra).cmp(name(rb)).then(ca.cmp(cb)),
                ContactSort::Customer => ca.cmp(cb).then(name(ra).cmp(name(rb))),
                ContactSort::Role => ra
                    .first_role()
                    .cmp(&rb.first_role())
                    .then(name(ra).cmp(name(rb))),
                ContactSort::Updated => rb.updated.cmp(&ra.updated),
            }
            .then(ra.id.cmp(&rb.id));
            if c.descending { o.reverse() } else { o }
        });
        order
    }

    #[test]
    fn a_sort_under_a_filter_shows_what_filtering_anew_shows() {
        let customers = crate::app::panes::tests::demo_customers(1_000);
        let n = customers.len() as u64;
        let mut app = fixtures::app_with((200, 50), customers, 1, n);
        let mut fx = Vec::new();
        show(&mut app, &mut fx);
        for query in ["", "smith", "a e", "555"] {
            app.contacts.search = query.into();
            app.contacts.filtered_by = None;
            refilter(&mut app);
            let before = app.contacts.shown.len();
            assert!(
                query.is_empty() || before < app.contacts.rows.len(),
                "{query}"
            );
            for cmd in [
                Cmd::SortNext,
                Cmd::SortReverse,
                Cmd::SortNext,
                Cmd::SortNext,
            ] {
                assert!(command(&mut app, cmd, &mut fx));
                let mut anew = app.clone();
                anew.contacts.filtered_by = None;
                refilter(&mut anew);
                assert_eq!(app.contacts.shown, anew.contacts.shown, "{query} {cmd:?}");
                assert_eq!(app.contacts.shown.len(), before);
                assert_eq!(app.contacts.cursor, anew.contacts.cursor);
            }
        }
    }

    #[test]
    fn every_contact_sort_gives_the_reference_order_on_demo_data() {
        let mut customers = crate::app::panes::tests::demo_customers(1_000);
        // Names sharing long beginnings, past the sort prefix: the full comparison decides.
        for (k, c) in customers.iter_mut().enumerate().take(60) {
            c.business_name = Some(format!("{:0>30}{}", k % 3, k % 5));
            c.business_then_name = c.business_name.clone();
            for (j, ct) in c.contacts.iter_mut().enumerate() {
                ct.name = Some(format!("{:x>20}{}", (k + j) % 4, j % 3));
            }
        }
        let n = customers.len() as u64;
        let mut app = fixtures::app_with((200, 50), customers, 1, n);
        let mut fx = Vec::new();
        show(&mut app, &mut fx);
        assert!(
            app.contacts.rows.len() > 2_000,
            "the demo account's contacts"
        );
        let sorts = [
            ContactSort::Name,
            ContactSort::Customer,
            ContactSort::Role,
            ContactSort::Updated,
        ];
        // Twice round: the first computes each order, the second reads it back.
        for round in 0..2 {
            for sort in sorts {
                for descending in [false, true] {
                    app.contacts.sort = sort;
                    app.contacts.descending = descending;
                    resort(&mut app);
                    let label = format!("{sort:?} descending={descending}, round {round}");
                    assert_eq!(app.contacts.order, reference(&app), "{label}");
                }
            }
        }
    }
}
