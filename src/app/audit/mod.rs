//! The duplicate audit screen (`A`) and the customer-type filter of the list (`t`).
//!
//! The audit runs [`crate::audit::customer_groups`] and [`crate::audit::contact_groups`] over
//! every customer the list holds (the whole account when the mirror is loaded), most confident
//! first. Enter shows a group's customers side by side; `x` dismisses a group as "not a
//! duplicate", remembered per profile in the data directory (`dismissed-<profile>.json`)
//! through [`AuditOp`] effects that the worker runs.

pub mod state;

use std::collections::BTreeSet;

use crate::api::model::{Contact, Customer, Id};
use crate::app::action::Cmd;
use crate::app::effect::Effect;
use crate::app::panes;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::domain::CUSTOMER_TYPES;
use crate::sanitize;
use state::{AUDIT_INLINE_MAX, AuditEvent, AuditOp, AuditView, Finding, findings_packed, viewport};

fn is_audit(s: &Screen) -> bool {
    matches!(s, Screen::Audit(_))
}

/// `A`: opens the audit (after reading the dismissed groups once).
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    app.stack.push(Screen::Audit(AuditView::default()));
    match app.audit.dismissed {
        Some(_) => run(app, fx),
        None => fx.push(Effect::Audit(AuditOp::LoadDismissed)),
    }
}

pub fn close(app: &mut App) {
    app.stack.remove(is_audit);
}

/// Computes the groups again (after a merge took a customer away), if the audit is open.
pub fn rerun(app: &mut App, fx: &mut Vec<Effect>) {
    if app.stack.audit().is_some() {
        run(app, fx);
    }
}

/// Keys on the audit screen (its `m` opens the merge: see [`crate::app::merge::open`]).
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let page = viewport(app.size) as isize;
    match cmd {
        Cmd::Down => move_by(app, 1),
        Cmd::Up => move_by(app, -1),
        Cmd::PageDown => move_by(app, page),
        Cmd::PageUp => move_by(app, -page),
        Cmd::Open => toggle_compare(app),
        Cmd::Dismiss => dismiss(app, fx),
        Cmd::FocusPrev => move_member(app, -1),
        Cmd::FocusNext => move_member(app, 1),
        Cmd::ConfirmToggle => toggle_pick(app),
        Cmd::Back | Cmd::Close => back(app),
        _ => {}
    }
}

/// Checks the list's customers: at once for a small list, on a worker thread for a big one.
fn run(app: &mut App, fx: &mut Vec<Effect>) {
    let dismissed = app.audit.dismissed.clone().unwrap_or_default();
    // Shared records: checking the whole account copies pointers, not customers.
    let customers: Vec<crate::mirror::Packed> =
        app.list.rows.iter().map(|r| r.record.clone()).collect();
    app.audit.generation += 1;
    let Some(v) = app.stack.audit_mut() else {
        return;
    };
    v.scanned = customers.len();
    if customers.len() > AUDIT_INLINE_MAX {
        v.checking = true;
        fx.push(Effect::Audit(AuditOp::Run {
            generation: app.audit.generation,
            customers,
            dismissed,
        }));
        return;
    }
    v.checking = false;
    let found = findings_packed(&customers, &dismissed);
    show(app, found);
}

/// Puts findings on the screen, the cursor kept in range.
fn show(app: &mut App, findings: Vec<Finding>) {
    let vp = viewport(app.size);
    let Some(v) = app.stack.audit_mut() else {
        return;
    };
    v.findings = findings;
    v.checking = false;
    v.cursor = v.cursor.min(v.findings.len().saturating_sub(1));
    v.compare = v.compare && !v.findings.is_empty();
    keep_visible(v, vp);
}

/// Handles a worker report.
pub fn event(app: &mut App, ev: AuditEvent, fx: &mut Vec<Effect>) {
    match ev {
        AuditEvent::Dismissed(set) => {
            app.audit.dismissed = Some(set);
            if app.stack.audit().is_some() {
                run(app, fx);
            }
        }
        AuditEvent::Found {
            generation,
            mut findings,
        } => {
            if generation == app.audit.generation {
                // Dismissed while the check ran: still dismissed.
                if let Some(d) = &app.audit.dismissed {
                    findings.retain(|f| !d.contains(&f.key()));
                }
                show(app, findings);
            }
        }
        AuditEvent::SaveFailed(why) => {
            app.say(
                sanitize::line(&format!("Could not remember the dismissal: {why}")),
                true,
            );
        }
    }
}

fn keep_visible(v: &mut AuditView, vp: usize) {
    if v.cursor < v.offset {
        v.offset = v.cursor;
    } else if v.cursor >= v.offset + vp {
        v.offset = v.cursor + 1 - vp;
    }
}

/// Moves the cursor over the findings.
fn move_by(app: &mut App, delta: isize) {
    let vp = viewport(app.size);
    let Some(v) = app.stack.audit_mut() else {
        return;
    };
    if v.findings.is_empty() {
        return;
    }
    let cursor = v
        .cursor
        .saturating_add_signed(delta)
        .min(v.findings.len() - 1);
    if cursor != v.cursor {
        v.member = 0;
        v.picked.clear();
    }
    v.cursor = cursor;
    keep_visible(v, vp);
}

/// ←/→ in the comparison: the column under the cursor.
fn move_member(app: &mut App, delta: isize) {
    let n = member_ids(app).len();
    if let Some(v) = app.stack.audit_mut()
        && v.compare
        && n > 0
    {
        v.member = v.member.saturating_add_signed(delta).min(n - 1);
    }
}

/// Space in the comparison: marks (or unmarks) the customer under the cursor as one of the two
/// to merge. A third mark replaces the oldest one.
fn toggle_pick(app: &mut App) {
    let Some(id) = app
        .stack
        .audit()
        .filter(|v| v.compare)
        .and_then(|v| member_ids(app).get(v.member).copied())
    else {
        return;
    };
    let Some(v) = app.stack.audit_mut() else {
        return;
    };
    if let Some(at) = v.picked.iter().position(|&p| p == id) {
        v.picked.remove(at);
    } else {
        if v.picked.len() == 2 {
            v.picked.remove(0);
        }
        v.picked.push(id);
    }
}

/// The two customers `m` merges: the group's pair; in a group of three or more, the two marked
/// with Space (or the one marked and the one under the cursor).
pub fn merge_pair(app: &App) -> Result<(Customer, Customer), String> {
    let members = selected_customers(app);
    let Some(v) = app.stack.audit() else {
        return Err("A merge needs two customers".into());
    };
    match members.as_slice() {
        [] | [_] => return Err("A merge needs two customers".into()),
        [a, b] => return Ok(((*a).clone(), (*b).clone())),
        _ => {}
    }
    let mut chosen: Vec<&Customer> = members
        .iter()
        .filter(|c| v.picked.contains(&c.id))
        .collect();
    if chosen.len() == 1
        && let Some(c) = members.get(v.member).filter(|c| c.id != chosen[0].id)
    {
        chosen.push(c);
    }
    match chosen.as_slice() {
        [a, b] => Ok(((*a).clone(), (*b).clone())),
        _ => Err(format!(
            "This group has {} customers: ←/→ move, Space marks the two to merge, then m",
            members.len()
        )),
    }
}

/// Enter: the selected group side by side (again: back to the list of groups).
fn toggle_compare(app: &mut App) {
    if let Some(v) = app.stack.audit_mut()
        && !v.findings.is_empty()
    {
        v.compare = !v.compare;
        v.member = 0;
        v.picked.clear();
    }
}

/// Esc: from the comparison back to the groups, from the groups back to the list.
fn back(app: &mut App) {
    match app.stack.audit_mut() {
        Some(v) if v.compare => v.compare = false,
        _ => close(app),
    }
}

/// `x`: "not a duplicate": the group disappears and stays away (per profile).
fn dismiss(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(f) = app
        .stack
        .audit()
        .and_then(|v| v.findings.get(v.cursor).cloned())
    else {
        return;
    };
    let set = app.audit.dismissed.get_or_insert_with(BTreeSet::new);
    set.insert(f.key());
    fx.push(Effect::Audit(AuditOp::SaveDismissed(set.clone())));
    app.note("Marked as not a duplicate");
    // The other groups stand as they are (a dismissal only hides its own group).
    let key = f.key();
    let vp = viewport(app.size);
    if let Some(v) = app.stack.audit_mut() {
        v.findings.retain(|g| g.key() != key);
        v.cursor = v.cursor.min(v.findings.len().saturating_sub(1));
        v.compare = false;
        keep_visible(v, vp);
    }
}

/// The customers of the selected finding, for the side-by-side view.
pub fn selected_customers(app: &App) -> Vec<Customer> {
    let Some(f) = app.stack.audit().and_then(|v| v.findings.get(v.cursor)) else {
        return Vec::new();
    };
    let ids: Vec<Id> = match f {
        Finding::Customers(g) => g.ids.clone(),
        Finding::Contacts(g) => vec![g.customer_id],
    };
    ids.iter()
        .filter_map(|id| app.list.index.get(id).map(|&i| app.list.rows[i].customer()))
        .collect()
}

/// Whether the selected finding is a group of contacts (its `m` merges contacts).
pub fn contact_finding(app: &App) -> bool {
    matches!(
        app.stack.audit().and_then(|v| v.findings.get(v.cursor)),
        Some(Finding::Contacts(_))
    )
}

/// The contacts of the selected contact group, in the group's order (as the customer holds
/// them in the list; a contact the list no longer has is left out).
pub fn selected_contacts(app: &App) -> Vec<Contact> {
    let Some(Finding::Contacts(g)) = app.stack.audit().and_then(|v| v.findings.get(v.cursor))
    else {
        return Vec::new();
    };
    let Some(customer) = app
        .list
        .index
        .get(&g.customer_id)
        .map(|&i| app.list.rows[i].customer())
    else {
        return Vec::new();
    };
    g.contact_ids
        .iter()
        .filter_map(|id| customer.contacts.iter().find(|c| c.id == *id).cloned())
        .collect()
}

/// The columns of the comparison: customers, or a contact group's contacts.
fn member_ids(app: &App) -> Vec<Id> {
    if contact_finding(app) {
        selected_contacts(app).iter().map(|c| c.id).collect()
    } else {
        selected_customers(app).iter().map(|c| c.id).collect()
    }
}

/// The two contacts `m` merges, as for customers: the pair, or the two marked with Space.
pub fn contact_pair(app: &App) -> Result<(Id, Contact, Contact), String> {
    let Some(Finding::Contacts(g)) = app.stack.audit().and_then(|v| v.findings.get(v.cursor))
    else {
        return Err("A contact merge needs two contacts".into());
    };
    let members = selected_contacts(app);
    let Some(v) = app.stack.audit() else {
        return Err("A contact merge needs two contacts".into());
    };
    match members.as_slice() {
        [] | [_] => return Err("A contact merge needs two contacts".into()),
        [a, b] => return Ok((g.customer_id, a.clone(), b.clone())),
        _ => {}
    }
    let mut chosen: Vec<&Contact> = members
        .iter()
        .filter(|c| v.picked.contains(&c.id))
        .collect();
    if chosen.len() == 1
        && let Some(c) = members.get(v.member).filter(|c| c.id != chosen[0].id)
    {
        chosen.push(c);
    }
    match chosen.as_slice() {
        [a, b] => Ok((g.customer_id, (*a).clone(), (*b).clone())),
        _ => Err(format!(
            "This group has {} contacts: ←/→ move, Space marks the two to merge, then m",
            members.len()
        )),
    }
}

/// The customer's display name, by id, for the audit's lines.
pub fn name_of(app: &App, id: Id) -> String {
    app.list.index.get(&id).map_or_else(
        || format!("#{id}"),
        |&i| app.list.rows[i].view.name().to_string(),
    )
}

/// `t`: all types → Business → Residential → Government → Non-Profit → all types.
pub fn cycle_type_filter(app: &mut App, fx: &mut Vec<Effect>) {
    let next = match app.audit.type_filter {
        None => Some(CUSTOMER_TYPES[0]),
        Some(t) => CUSTOMER_TYPES
            .iter()
            .position(|k| *k == t)
            .and_then(|i| CUSTOMER_TYPES.get(i + 1).copied()),
    };
    app.audit.type_filter = next;
    app.say(
        match next {
            Some(t) => format!("Showing {t} customers only (t for the next type)"),
            None => "Showing every customer type".into(),
        },
        false,
    );
    panes::refilter_from_scratch(app);
    panes::maybe_load_more(app, fx);
}

#[cfg(test)]
pub(crate) mod tests {
    #[allow(unused_imports)]
    use crate::app::prelude::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::keymap::map_key;
    use crate::app::{Action, fixtures, update};
    use crate::domain::customer_type;

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
            Some(a) => update(app, a),
            None => Vec::new(),
        }
    }

    /// The fixtures plus a planted duplicate of Acme (same e-mail, other spelling).
    pub(crate) fn app_with_duplicate() -> App {
        let mut items: Vec<Customer> = fixtures::customers()
            .into_iter()
            .filter(|c| !c.disabled)
            .collect();
        let mut dup = items[0].clone();
        dup.id = 21009999;
        dup.business_name = Some("ACME plumbing inc".into());
        dup.contacts.clear();
        items.push(dup);
        let n = items.len() as u64;
        fixtures::app_with((100, 30), items, 1, n)
    }

    /// [`app_with_duplicate`] with a third copy of Acme: a group of three.
    pub(crate) fn app_with_three_duplicates() -> App {
        let mut items: Vec<Customer> = app_with_duplicate()
            .list
            .rows
            .iter()
            .map(|r| r.customer())
            .collect();
        let mut third = items[0].clone();
        third.id = 21009998;
        third.business_name = Some("Acme Plumbing".into());
        third.contacts.clear();
        items.push(third);
        let n = items.len() as u64;
        fixtures::app_with((100, 30), items, 1, n)
    }

    fn open_first_group(app: &mut App) {
        key(app, KeyCode::Char('A'));
        update(app, Action::Audit(AuditEvent::Dismissed(BTreeSet::new())));
    }

    #[test]
    fn in_a_group_of_three_the_two_marked_customers_are_merged() {
        let mut app = app_with_three_duplicates();
        open_first_group(&mut app);
        let Finding::Customers(g) = app.stack.audit().unwrap().findings[0].clone() else {
            panic!("no customer group");
        };
        assert_eq!(g.ids.len(), 3, "{g:?}");
        // `m` from the list of groups cannot guess which two: it opens the comparison and says how.
        key(&mut app, KeyCode::Char('m'));
        assert_eq!(app.mode(), Mode::Audit);
        assert!(app.stack.audit().unwrap().compare);
        let msg = app.message.clone().unwrap();
        assert!(msg.error && msg.text.contains("Space marks"), "{msg:?}");
        // Mark the third, then the second: those two are merged, not the first two.
        key(&mut app, KeyCode::Right);
        key(&mut app, KeyCode::Right);
        key(&mut app, KeyCode::Right); // stays on the last column
        key(&mut app, KeyCode::Char(' '));
        key(&mut app, KeyCode::Left);
        key(&mut app, KeyCode::Char(' '));
        let v = app.stack.audit().unwrap();
        assert_eq!(v.picked, vec![g.ids[2], g.ids[1]]);
        key(&mut app, KeyCode::Char('m'));
        assert_eq!(app.mode(), Mode::Merge);
        let m = app.stack.merge().unwrap();
        let mut pair = [m.left.id, m.right.id];
        pair.sort_unstable();
        let mut want = [g.ids[1], g.ids[2]];
        want.sort_unstable();
        assert_eq!(pair, want);
    }

    #[test]
    fn one_mark_merges_with_the_customer_under_the_cursor_and_space_unmarks() {
        let mut app = app_with_three_duplicates();
        open_first_group(&mut app);
        let Finding::Customers(g) = app.stack.audit().unwrap().findings[0].clone() else {
            panic!("no customer group");
        };
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Char(' ')); // marks the first
        key(&mut app, KeyCode::Right);
        key(&mut app, KeyCode::Char(' ')); // marks the second
        key(&mut app, KeyCode::Char(' ')); // and unmarks it
        assert_eq!(app.stack.audit().unwrap().picked, vec![g.ids[0]]);
        key(&mut app, KeyCode::Right);
        key(&mut app, KeyCode::Char('m'));
        assert_eq!(app.mode(), Mode::Merge);
        let m = app.stack.merge().unwrap();
        assert_eq!((m.left.id, m.right.id), (g.ids[0], g.ids[2]));
    }

    #[test]
    fn a_big_list_is_checked_on_the_worker_and_only_the_latest_answer_counts() {
        // More customers than are checked inline: copies of the fixtures with fresh ids and
        // names, and one planted duplicate of Acme.
        let base = app_with_duplicate();
        let mut items: Vec<Customer> = base.list.rows.iter().map(|r| r.customer()).collect();
        let template = items[1].clone();
        let mut n = 0u64;
        while items.len() <= AUDIT_INLINE_MAX {
            n += 1;
            let mut c = template.clone();
            c.id = 40_000_000 + n;
            c.business_name = Some(format!("Distinct Customer {n}"));
            c.email = Some(format!("office{n}@distinct{n}.test"));
            c.phone = Some(format!("+44 20 {n:08}"));
            c.mobile = None;
            c.contacts.clear();
            items.push(c);
        }
        let total = items.len() as u64;
        let mut app = fixtures::app_with((100, 30), items.clone(), 1, total);
        key(&mut app, KeyCode::Char('A'));
        let fx = update(
            &mut app,
            Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
        );
        let v = app.stack.audit().unwrap();
        assert!(v.checking);
        assert!(v.findings.is_empty());
        let [
            Effect::Audit(AuditOp::Run {
                generation,
                customers,
                ..
            }),
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert_eq!(customers.len(), items.len());
        // What the worker computes, answered late for an older run: dropped.
        let found = findings_packed(customers, &BTreeSet::new());
        update(
            &mut app,
            Action::Audit(AuditEvent::Found {
                generation: generation - 1,
                findings: found.clone(),
            }),
        );
        assert!(app.stack.audit().unwrap().checking);
        update(
            &mut app,
            Action::Audit(AuditEvent::Found {
                generation: *generation,
                findings: found,
            }),
        );
        let v = app.stack.audit().unwrap();
        assert!(!v.checking);
        let Finding::Customers(g) = &v.findings[0] else {
            panic!("{:?}", v.findings)
        };
        assert_eq!(g.ids, vec![21000001, 21009999]);
        assert!(
            v.findings.iter().all(
                |f| !matches!(f, Finding::Customers(g) if g.ids.iter().any(|&id| id > 40_000_000))
            ),
            "no false groups among the distinct customers: {:?}",
            v.findings.iter().find(
                |f| matches!(f, Finding::Customers(g) if g.ids.iter().any(|&id| id > 40_000_000))
            )
        );
    }

    #[test]
    fn the_audit_finds_the_planted_duplicate_and_dismissal_is_remembered() {
        let mut app = app_with_duplicate();
        let fx = key(&mut app, KeyCode::Char('A'));
        assert_eq!(app.mode(), Mode::Audit);
        assert_eq!(fx, vec![Effect::Audit(AuditOp::LoadDismissed)]);
        update(
            &mut app,
            Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
        );
        let v = app.stack.audit().unwrap();
        let Finding::Customers(g) = v.findings[0].clone() else {
            panic!("{:?}", v.findings);
        };
        assert_eq!(g.ids, vec![21000001, 21009999]);
        assert!(g.confidence > 0);
        // Side by side, then back.
        key(&mut app, KeyCode::Enter);
        assert!(app.stack.audit().unwrap().compare);
        assert_eq!(selected_customers(&app).len(), 2);
        key(&mut app, KeyCode::Esc);
        assert!(!app.stack.audit().unwrap().compare);
        // Not a duplicate: gone, and saved.
        let fx = key(&mut app, KeyCode::Char('x'));
        let key_of = g.key();
        match &fx[..] {
            [Effect::Audit(AuditOp::SaveDismissed(set))] => assert!(set.contains(&key_of)),
            other => panic!("{other:?}"),
        }
        let v = app.stack.audit().unwrap();
        assert!(v.findings.iter().all(|f| f.key() != key_of));
        // Closing and opening again does not read the file again and keeps it dismissed.
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.mode(), Mode::Normal);
        let fx = key(&mut app, KeyCode::Char('A'));
        assert!(fx.is_empty());
        let v = app.stack.audit().unwrap();
        assert!(v.findings.iter().all(|f| f.key() != key_of));
    }

    #[test]
    fn the_type_filter_cycles_and_narrows_the_list() {
        let mut app = fixtures::app((100, 30));
        let all = app.list.shown.len();
        key(&mut app, KeyCode::Char('t'));
        assert_eq!(app.audit.type_filter, Some("Business"));
        let prop = app.config.customer_type_property.clone();
        let business = app.list.shown.len();
        assert!(business < all && business > 0);
        assert!(
            app.list
                .shown
                .iter()
                .all(|&i| customer_type(&app.list.rows[i].customer(), &prop) == "Business")
        );
        key(&mut app, KeyCode::Char('t'));
        assert_eq!(app.audit.type_filter, Some("Residential"));
        assert!(
            app.list
                .shown
                .iter()
                .all(|&i| customer_type(&app.list.rows[i].customer(), &prop) == "Residential")
        );
        for _ in 0..3 {
            key(&mut app, KeyCode::Char('t'));
        }
        assert_eq!(app.audit.type_filter, None);
        assert_eq!(app.list.shown.len(), all);
    }
}
