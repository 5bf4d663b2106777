//! Marks (`Space`, `*`, `u`): rows of the customer list or of the contacts pane chosen for a
//! bulk edit or an export. Marks are ids, so they survive filtering, sorting, paging and a
//! sync; a record that goes away takes its mark with it.

use crate::api::model::Id;
use crate::app::effect::Effect;
use crate::app::kinds::Pane;
use crate::app::panes;
use crate::app::state::App;
use crate::text::plural;

pub mod state;

pub use state::{IdSet, Marks};

fn noun(pane: Pane, n: usize) -> String {
    match pane {
        Pane::Customers => plural(n, "customer"),
        Pane::Contacts => plural(n, "contact"),
    }
}

/// `Space`: marks the row under the cursor, or unmarks it, and moves to the next row.
pub fn toggle(app: &mut App, fx: &mut Vec<Effect>) {
    let pane = app.pane;
    let id = match pane {
        Pane::Customers => app.list.selected().map(|r| r.id()),
        Pane::Contacts => app.contacts.selected().map(|r| r.id),
    };
    let Some(id) = id else {
        return app.say("Nothing to mark here", false);
    };
    let set = app.marks.of_mut(pane);
    if !set.remove(&id) {
        set.insert(id);
    }
    match pane {
        Pane::Customers => panes::move_cursor(app, panes::Step::By(1), fx),
        Pane::Contacts => crate::app::contacts::step(app, 1),
    }
}

/// `*`: marks every row the filter shows. On a paged list the missing pages are fetched
/// first, so that "every row" is every customer the filter lets through, not those loaded.
pub fn mark_all(app: &mut App, fx: &mut Vec<Effect>) {
    if app.pane == Pane::Customers && panes::load_next_page(app, fx) {
        app.marks.pending_all = true;
        return app.say("Loading every page of the list to mark it…", false);
    }
    mark_shown(app);
}

fn mark_shown(app: &mut App) {
    app.marks.pending_all = false;
    let pane = app.pane;
    let before = app.marks.of(pane).len();
    match pane {
        Pane::Customers => {
            let l = &app.list;
            let ids = l.shown.iter().map(|&i| l.rows[i].id());
            app.marks.customers.reserve(l.shown.len());
            app.marks.customers.extend(ids);
        }
        Pane::Contacts => {
            let c = &app.contacts;
            let ids = c.shown.iter().map(|&i| c.rows[i].id);
            app.marks.contacts.reserve(c.shown.len());
            app.marks.contacts.extend(ids);
        }
    }
    let total = app.marks.of(pane).len();
    let added = total - before;
    app.say(
        if added == total {
            format!("Marked {}: every row the filter shows", noun(pane, total))
        } else {
            format!("Marked {} more: {} in all", noun(pane, added), total)
        },
        false,
    );
}

/// A page of customers arrived: a waiting `*` asks for the next one, or marks once there is
/// none left.
pub fn page_arrived(app: &mut App, fx: &mut Vec<Effect>) {
    if !app.marks.pending_all {
        return;
    }
    if app.pane == Pane::Customers && panes::load_next_page(app, fx) {
        return;
    }
    mark_shown(app);
}

/// A page failed: a waiting `*` is given up (the error is in the status line).
pub fn page_failed(app: &mut App) {
    app.marks.pending_all = false;
}

/// `u`: clears the pane's marks.
pub fn clear(app: &mut App) {
    let pane = app.pane;
    let n = app.marks.of(pane).len();
    app.marks.pending_all = false;
    if n == 0 {
        return app.say("No marks to clear", false);
    }
    app.marks.of_mut(pane).clear();
    app.say(format!("Cleared the marks of {}", noun(pane, n)), false);
}

/// A record went away (deleted, merged): its mark goes too.
pub fn forget(app: &mut App, customer: Option<Id>, contact: Option<Id>) {
    if let Some(id) = customer {
        app.marks.customers.remove(&id);
    }
    if let Some(id) = contact {
        app.marks.contacts.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::fixtures;
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

    fn selected_id(app: &App) -> Id {
        app.list.selected().unwrap().id()
    }

    #[test]
    fn space_marks_and_moves_on_and_marks_survive_filter_and_sort() {
        let mut app = fixtures::app((120, 40));
        let first = selected_id(&app);
        key(&mut app, KeyCode::Char(' '));
        let second = selected_id(&app);
        assert_ne!(first, second, "the cursor moved on");
        key(&mut app, KeyCode::Char(' '));
        assert_eq!(app.marks.customers.len(), 2);
        assert!(crate::ui::tests::render(&app).contains("2 marked"));
        // A search that hides both, then cleared: still marked.
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "zzzz-no-such");
        assert!(app.list.shown.is_empty());
        key(&mut app, KeyCode::Esc);
        assert!(app.marks.customers.contains(&first) && app.marks.customers.contains(&second));
        // Another sort, the reverse: the same two.
        key(&mut app, KeyCode::Char('s'));
        key(&mut app, KeyCode::Char('S'));
        assert_eq!(app.marks.customers.len(), 2);
        let text = crate::ui::tests::render(&app);
        assert_eq!(text.matches('✓').count(), 2, "{text}");
        // Space on a marked row unmarks it.
        let at = app
            .list
            .shown
            .iter()
            .position(|&i| app.list.rows[i].id() == first)
            .unwrap();
        app.list.cursor = at;
        key(&mut app, KeyCode::Char(' '));
        assert!(!app.marks.customers.contains(&first));
        // u clears them all.
        key(&mut app, KeyCode::Char('u'));
        assert!(app.marks.customers.is_empty());
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("Cleared the marks of 1 customer")
        );
    }

    #[test]
    fn star_over_a_paged_list_fetches_every_page_first() {
        let all = fixtures::many(60);
        let mut app = fixtures::app_with((120, 40), all[..25].to_vec(), 3, 60);
        key(&mut app, KeyCode::Char('*'));
        assert!(
            app.marks.customers.is_empty(),
            "nothing marked before every page is in"
        );
        assert!(app.marks.pending_all);
        // Page 2 is on its way (asked by `*`, or by the prefetch already); page 3 is asked
        // for when it arrives.
        assert_eq!(app.list.browse.loading, Some(2));
        let generation = app.list.browse.generation;
        let fx = update(
            &mut app,
            Action::CustomersLoaded {
                generation,
                page: 2,
                result: Ok(fixtures::page(all[25..50].to_vec(), 2, 3, 60)),
            },
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::LoadCustomers { query, .. } if query.page == 3)),
            "{fx:?}"
        );
        assert!(app.marks.customers.is_empty());
        update(
            &mut app,
            Action::CustomersLoaded {
                generation,
                page: 3,
                result: Ok(fixtures::page(all[50..].to_vec(), 3, 3, 60)),
            },
        );
        assert!(!app.marks.pending_all);
        assert_eq!(app.marks.customers.len(), 60);
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("Marked 60 customers")
        );
    }

    #[test]
    fn star_with_the_mirror_marks_every_customer_the_filter_shows_at_once() {
        let mut app = fixtures::app((120, 40));
        app.mirror.active = true;
        crate::app::panes::complete_paging(&mut app);
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "acme");
        key(&mut app, KeyCode::Enter);
        let shown = app.list.shown.len();
        assert!(shown > 0 && shown < app.list.rows.len());
        let fx = key(&mut app, KeyCode::Char('*'));
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::LoadCustomers { .. })),
            "{fx:?}"
        );
        assert_eq!(app.marks.customers.len(), shown);
        // A second * after widening the filter adds the rest.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('*'));
        assert_eq!(app.marks.customers.len(), app.list.shown.len());
        assert!(app.message.as_ref().unwrap().text.contains("more"));
    }

    #[test]
    fn the_contacts_pane_has_its_own_marks() {
        let mut app = fixtures::app((120, 40));
        key(&mut app, KeyCode::Char(' '));
        key(&mut app, KeyCode::Char('c'));
        assert_eq!(app.pane, Pane::Contacts);
        let first = app.contacts.selected().unwrap().id;
        key(&mut app, KeyCode::Char(' '));
        key(&mut app, KeyCode::Char('*'));
        assert_eq!(app.marks.contacts.len(), app.contacts.shown.len());
        assert!(app.marks.contacts.contains(&first));
        assert_eq!(
            app.marks.customers.len(),
            1,
            "the customers' marks stay apart"
        );
        let text = crate::ui::tests::render(&app);
        assert!(
            text.contains(&format!("{} marked", app.contacts.shown.len())),
            "{text}"
        );
        key(&mut app, KeyCode::Char('u'));
        assert!(app.marks.contacts.is_empty());
        assert_eq!(app.marks.customers.len(), 1);
    }
}
