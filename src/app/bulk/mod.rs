//! The bulk edit (`e` with marks): one change for every marked customer or contact.
//!
//! Choose the change and its value → the preview, every record with its old and new value, how
//! many requests and how long at the rate limit → "Change N records now?" → the run in the
//! background behind the limiter, a ✓/✗ list as it goes (Esc hides it; the status line
//! reports the end) → the result, with the records left alone because a colleague changed them
//! since they were read. The run is journaled ([`crate::flows::bulk`]): a failure stops it and
//! `r` resumes, and a run a quit or a crash interrupted is offered again at the next start.
//! Every write goes to the change log, as one group that `:log` and `U` undo as a unit.

pub mod state;

use tui_input::InputRequest;

use crate::api::model::{Contact, Customer, Id};
use crate::app::action::Cmd;
use crate::app::dialog::{Answer, Ask, Dialog, Tone};
use crate::app::effect::Effect;
use crate::app::kinds::Pane;
use crate::app::list::PickFor;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{forms, mirror, panes, pick};
use crate::domain::Record;
use crate::flows::bulk::{BulkPlan, BulkRun, ItemStatus};
use crate::sanitize;
use crate::text::plural;
use state::{BulkEvent, BulkOp, BulkScreen, BulkStage, ValueKind};

fn is_bulk(s: &Screen) -> bool {
    matches!(s, Screen::Bulk(_))
}

/// Lines of the preview and the progress that fit on screen (kept in step with `ui::bulk`).
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(9)).max(1)
}

/// Shows a hidden bulk edit that runs or stopped (`:bulk`, or `e` with marks); false when
/// there is none.
fn unpark(app: &mut App) -> bool {
    let Some(b) = app.stack.bulk() else {
        return false;
    };
    let text = match b.stage {
        BulkStage::Running => "A bulk edit is running: this is its progress",
        // A stopped run waits for `r` or `x`: it is shown again, not replaced.
        BulkStage::Done { error: Some(_), .. } => {
            "This bulk edit stopped: r resumes it, x forgets it"
        }
        _ => return false,
    };
    app.stack.unpark_bulk();
    app.say(text, false);
    true
}

/// `:bulk`: the bulk edit that runs or stopped, shown again.
pub fn show(app: &mut App) {
    if !unpark(app) {
        app.say(
            "No bulk edit runs: mark records (Space, *) and press e to start one",
            false,
        );
    }
}

/// `e` with marks: the bulk edit of the marked records of the pane.
pub fn open(app: &mut App) {
    if app.config.read_only {
        return app.say(forms::READ_ONLY, true);
    }
    if unpark(app) {
        return;
    }
    app.stack.drop_bulk();
    let contacts = app.pane == Pane::Contacts;
    let mut ids: Vec<Id> = app.marks.of(app.pane).iter().copied().collect();
    ids.sort_unstable();
    app.stack.push(Screen::Bulk(Box::new(BulkScreen {
        contacts,
        ids,
        choice: 0,
        value: tui_input::Input::default(),
        target: None,
        error: None,
        stage: BulkStage::Choose,
        run_id: None,
        what: String::new(),
        items: Vec::new(),
        scroll: 0,
    })));
    initial_value(app);
}

/// A bulk edit of `ids` (customers) with `choice` made, at its preview (`e` in `:names`: the
/// names fixed to the house style). Esc on the preview goes back to the choice, as after `e`.
pub fn open_with(app: &mut App, mut ids: Vec<Id>, choice: state::Choice) {
    if app.config.read_only {
        return app.say(forms::READ_ONLY, true);
    }
    if unpark(app) {
        return;
    }
    app.stack.drop_bulk();
    ids.sort_unstable();
    ids.dedup();
    let at = state::CUSTOMER_CHOICES
        .iter()
        .position(|c| *c == choice)
        .unwrap_or(0);
    app.stack.push(Screen::Bulk(Box::new(BulkScreen {
        contacts: false,
        ids,
        choice: at,
        value: tui_input::Input::default(),
        target: None,
        error: None,
        stage: BulkStage::Choose,
        run_id: None,
        what: String::new(),
        items: Vec::new(),
        scroll: 0,
    })));
    initial_value(app);
    // Nothing is sent from the choice: Enter there only plans the preview.
    command(app, Cmd::Open, &mut Vec::new());
}

/// A pick list starts on its first value; text starts empty.
fn initial_value(app: &mut App) {
    if let Some(b) = app.stack.bulk_mut() {
        b.error = None;
        b.value = match b.current().value_kind() {
            ValueKind::Pick(values) => tui_input::Input::new(values[0].to_string()),
            _ => tui_input::Input::default(),
        };
    }
}

/// The marked records as the list holds them (customers decoded once each).
fn records(app: &App, b: &BulkScreen) -> Vec<Record> {
    if !b.contacts {
        return b
            .ids
            .iter()
            .filter_map(|id| app.list.index.get(id))
            .map(|&i| Record::Customer(app.list.rows[i].customer()))
            .collect();
    }
    let mut owners: std::collections::BTreeMap<Id, Vec<Id>> = Default::default();
    for r in app.contacts.rows.iter() {
        if b.ids.binary_search(&r.id).is_ok() {
            owners.entry(r.customer_id).or_default().push(r.id);
        }
    }
    let mut out = Vec::new();
    for (customer_id, ids) in owners {
        let Some(&i) = app.list.index.get(&customer_id) else {
            continue;
        };
        let c: Customer = app.list.rows[i].customer();
        for ct in c.contacts.into_iter().filter(|k| ids.contains(&k.id)) {
            let mut ct: Contact = ct;
            ct.customer_id.get_or_insert(customer_id);
            out.push(Record::Contact(ct));
        }
    }
    out
}

fn name_of(app: &App, id: Id) -> Option<String> {
    app.list
        .index
        .get(&id)
        .map(|&i| app.list.rows[i].view.name().to_string())
}

/// Keys on the bulk edit screen.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let vp = viewport(app.size);
    let read_only = app.config.read_only;
    let type_property = app.config.customer_type_property.clone();
    let style = app.config.house.names.clone();
    let Some(b) = app.stack.bulk_mut() else {
        return;
    };
    match (&mut b.stage, cmd) {
        (BulkStage::Choose, Cmd::Down | Cmd::Up) => {
            let n = b.choices().len();
            b.choice = if cmd == Cmd::Down {
                (b.choice + 1).min(n - 1)
            } else {
                b.choice.saturating_sub(1)
            };
            b.target = None;
            initial_value(app);
        }
        (BulkStage::Choose, Cmd::FocusNext | Cmd::FocusPrev) => {
            if let ValueKind::Pick(values) = b.current().value_kind() {
                let at = values
                    .iter()
                    .position(|v| *v == b.value.value())
                    .unwrap_or(0);
                let next = if cmd == Cmd::FocusNext {
                    (at + 1) % values.len()
                } else {
                    (at + values.len() - 1) % values.len()
                };
                b.value = tui_input::Input::new(values[next].to_string());
            }
        }
        (BulkStage::Choose, Cmd::Open) => {
            if b.current().value_kind() == ValueKind::Customer && b.target.is_none() {
                return pick::open(app, PickFor::BulkMove);
            }
            match b
                .current()
                .change(b.value.value(), &type_property, b.target.clone(), &style)
            {
                Err(e) => b.error = Some(e),
                Ok(change) => {
                    let snapshot = b.clone();
                    let records = records(app, &snapshot);
                    match BulkPlan::new(change, &records) {
                        Err(e) => {
                            if let Some(b) = app.stack.bulk_mut() {
                                b.error = Some(e.to_string());
                            }
                        }
                        Ok(mut plan) => {
                            plan.name_customers(|id| name_of(app, id));
                            if let Some(b) = app.stack.bulk_mut() {
                                b.what = plan.change.describe();
                                b.stage = BulkStage::Preview {
                                    plan: Box::new(plan),
                                    scroll: 0,
                                };
                            }
                        }
                    }
                }
            }
        }
        (
            BulkStage::Preview { plan, scroll },
            Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp,
        ) => {
            let n = plan.items.len();
            let d: isize = match cmd {
                Cmd::Down => 1,
                Cmd::Up => -1,
                Cmd::PageDown => vp as isize,
                _ => -(vp as isize),
            };
            *scroll = scroll.saturating_add_signed(d).min(n.saturating_sub(vp));
        }
        (BulkStage::Preview { plan, .. }, Cmd::Open) => {
            let writes = plan.to_write();
            if writes == 0 {
                b.error =
                    Some("Every marked record has this value already: nothing to send".into());
                return;
            }
            let requests = plan.requests();
            let rpm = match app.config.requests_per_minute {
                0 => 180,
                n => n,
            };
            let secs = plan.duration_at(rpm).as_secs();
            let what = sanitize::line(&plan.change.describe());
            let noun = if b.contacts { "contact" } else { "customer" };
            let d = Dialog::new(Ask::BulkNow, &format!("Change {} now?", plural(writes, noun)))
                .body(vec![format!(
                    "{what}: {} to write, {} ({}) at the rate limit. Each record is checked first: one a colleague changed since is left alone and listed. Every write goes to the change log; :log undoes the edit as a whole.",
                    plural(writes, "record"),
                    plural(requests, "request"),
                    crate::mirror::human_duration(std::time::Duration::from_secs(secs)),
                )])
                .choice("Not yet", None, Answer::No)
                .choice("Change them", None, Answer::Yes)
                .default_to(Answer::No)
                .tone(Tone::Info);
            app.stack.push(Screen::Dialog(Box::new(d)));
        }
        (BulkStage::Preview { .. }, Cmd::Back) => {
            b.stage = BulkStage::Choose;
        }
        (
            BulkStage::Running | BulkStage::Done { .. },
            Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp,
        ) => {
            let n = b.items.len();
            let d: isize = match cmd {
                Cmd::Down => 1,
                Cmd::Up => -1,
                Cmd::PageDown => vp as isize,
                _ => -(vp as isize),
            };
            b.scroll = b.scroll.saturating_add_signed(d).min(n.saturating_sub(vp));
        }
        (BulkStage::Running, Cmd::Back | Cmd::Close) => {
            app.stack.park_bulk();
            app.note("The bulk edit goes on: the status line reports its end (:bulk shows it)");
        }
        (BulkStage::Done { error: Some(_), .. }, Cmd::Back | Cmd::Close) => {
            app.stack.park_bulk();
            app.note("The stopped bulk edit waits: :bulk shows it again (r resumes, x forgets)");
        }
        (BulkStage::Done { error: Some(_), .. }, Cmd::Refresh) => {
            if let Some(id) = b.run_id.clone() {
                b.stage = BulkStage::Running;
                fx.push(Effect::Bulk(BulkOp::Resume { id, read_only }));
            }
        }
        (BulkStage::Done { error: Some(_), .. }, Cmd::Dismiss) => {
            if let Some(id) = b.run_id.clone() {
                fx.push(Effect::Bulk(BulkOp::Discard { id }));
            }
            app.stack.drop_bulk();
            app.note("Unfinished bulk edit forgotten: what was written stays written, and logged");
        }
        (BulkStage::Done { .. }, Cmd::Back | Cmd::Close) => {
            app.stack.drop_bulk();
        }
        (BulkStage::Choose, Cmd::Back | Cmd::Close) => {
            app.stack.remove(is_bulk);
        }
        _ => {}
    }
}

/// A key typed into the value.
pub fn edit(app: &mut App, req: InputRequest) {
    if let Some(b) = app.stack.bulk_mut()
        && b.typing()
    {
        b.value.handle(req);
        b.error = None;
    }
}

/// The answer to "Change N records now?".
pub fn answer(app: &mut App, answer: Answer, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    if answer != Answer::Yes {
        return;
    }
    let Some(b) = app.stack.bulk_mut() else {
        return;
    };
    if let BulkStage::Preview { plan, .. } = &b.stage {
        let plan = plan.clone();
        b.stage = BulkStage::Running;
        b.items = plan.items.clone();
        b.scroll = 0;
        fx.push(Effect::Bulk(BulkOp::Run { plan, read_only }));
    }
}

/// A report from the worker.
pub fn event(app: &mut App, ev: BulkEvent, fx: &mut Vec<Effect>) {
    match ev {
        BulkEvent::Pending(runs) => {
            app.bulk_waiting.extend(runs);
            return;
        }
        BulkEvent::Refreshed(customers) => {
            for c in &customers {
                mirror::customer_saved(app, c, fx);
            }
            panes::insert_customers(app, customers, false);
            return;
        }
        _ => {}
    }
    let shown = app.stack.has(is_bulk);
    let Some(b) = app.stack.bulk_mut() else {
        return;
    };
    match ev {
        BulkEvent::Started { id, items } => {
            b.run_id = Some(id);
            b.items = items;
        }
        BulkEvent::Progress { number, item } => {
            if let Some(slot) = b.items.get_mut(number.saturating_sub(1)) {
                *slot = *item;
            }
        }
        BulkEvent::Finished { counts, error } => {
            let what = b.what.clone();
            b.stage = BulkStage::Done {
                counts,
                error: error.clone().map(|e| sanitize::line(&e)),
            };
            if counts.pending == 0 && counts.failed == 0 {
                b.run_id = None;
            }
            if !shown {
                match &error {
                    None => app.say(
                        sanitize::line(&format!(
                            "Bulk edit done ({what}): {} written, {} skipped, {} left alone (changed since)",
                            counts.done, counts.skipped, counts.conflicts
                        )),
                        false,
                    ),
                    // A stop needs the technician: the run comes back on top, like any
                    // question a background result raises.
                    Some(_) => {
                        app.stack.unpark_bulk();
                    }
                }
            }
        }
        BulkEvent::Pending(_) | BulkEvent::Refreshed(_) => {}
    }
}

/// Offers a run an earlier session left unfinished, once the app is back on the list.
pub fn offer(app: &mut App) -> bool {
    if app.stack.bulk().is_some() || app.bulk_waiting.is_empty() {
        return false;
    }
    let run: BulkRun = app.bulk_waiting.remove(0);
    let counts = run.counts();
    let contacts = run.kind() == crate::changelog::RecordKind::Contact;
    let why = run
        .items
        .iter()
        .find_map(|i| match &i.status {
            ItemStatus::Failed { error } => Some(format!(", {error}")),
            _ => None,
        })
        .unwrap_or_default();
    app.stack.push(Screen::Bulk(Box::new(BulkScreen {
        contacts,
        ids: run.items.iter().map(|i| i.id).collect(),
        choice: 0,
        value: tui_input::Input::default(),
        target: None,
        error: None,
        stage: BulkStage::Done {
            counts,
            error: Some(sanitize::line(&format!(
                "left unfinished by an earlier run ({} of {} records finished{why})",
                counts.total - counts.pending - counts.failed,
                counts.total
            ))),
        },
        run_id: Some(run.id.clone()),
        what: run.change.describe(),
        items: run.items,
        scroll: 0,
    })));
    true
}

#[cfg(test)]
mod tests;
