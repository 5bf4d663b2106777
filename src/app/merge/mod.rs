//! The merge screen ([`Mode::Merge`]): from the audit's side-by-side view, `m` merges the
//! group's two customers (in a group of three or more, the two marked with Space). The flow is
//! choose the primary → the plan (built by the worker with [`merge::plan`]) → confirm (default
//! No) → the steps run on a worker task, reported one by one → the result, or the failure with
//! `r` to resume from the journal.
//!
//! The default primary is the older record (the lower id: Syncro's ids grow with creation),
//! because tickets, invoices and links elsewhere usually point at the first record made.

pub mod state;

use crate::api::model::{Customer, Id};
use crate::app::action::Cmd;
use crate::app::dialog::{Answer, Ask, Dialog};
use crate::app::effect::Effect;
use crate::app::kinds::Mode;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{audit, mirror, panes};
use crate::flows::merge::StepStatus;
use crate::sanitize;
use state::{MergeEvent, MergeOp, MergeScreen, Stage, StepLine, summary};

use crate::app::forms::READ_ONLY;

/// `m` in the audit's comparison: the merge of the group's first two customers.
pub fn open(app: &mut App) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    match audit::merge_pair(app) {
        Ok((left, right)) => open_with(app, left, right),
        Err(why) => {
            // A bigger group: the comparison is where its members are chosen.
            if let Some(v) = app.stack.audit_mut()
                && !v.findings.is_empty()
            {
                v.compare = true;
            }
            app.say(why, true);
        }
    }
}

/// `M` in the list: the first press marks the selected customer as the one to merge away; on
/// another customer it opens the merge of the marked one into it (the second is the primary;
/// ←/→ still swap). `M` on the marked customer again clears the mark.
pub fn mark(app: &mut App) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    let Some(selected) = app.list.selected().map(|r| r.customer()) else {
        return;
    };
    match app.merge_mark.take() {
        Some(marked) if marked.id == selected.id => app.say("Merge mark cleared", false),
        Some(marked) => {
            open_with(app, marked, selected);
            if let Some(m) = app.stack.merge_mut() {
                m.stage = Stage::Choose {
                    primary_left: false,
                };
            }
        }
        None => {
            let name = sanitize::line(&selected.display_name());
            app.merge_mark = Some(selected);
            app.say(
                format!("{name} marked for merging: press M on the customer to merge it into"),
                false,
            );
        }
    }
}

/// The merge screen for two customers (the older one preselected as the primary).
pub fn open_with(app: &mut App, left: Customer, right: Customer) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    if app
        .stack
        .merge()
        .is_some_and(|m| matches!(m.stage, Stage::Running | Stage::Planning))
    {
        return app.say("A merge is still running; wait for it to finish", true);
    }
    // A failed merge of the same two customers comes back as it stopped (r resumes it).
    let pair = |a: Id, b: Id| (a.min(b), a.max(b));
    if app.stack.merge().is_some_and(|m| {
        matches!(m.stage, Stage::Done { error: Some(_), .. })
            && m.chosen.is_some()
            && pair(m.left.id, m.right.id) == pair(left.id, right.id)
    }) {
        app.stack.unpark_merge();
        return;
    }
    // Another merge that stopped is replaced (its journal stays and is offered again).
    app.stack.drop_merge();
    let primary_left = left.id <= right.id;
    app.stack.push(Screen::Merge(Box::new(MergeScreen {
        left,
        right,
        stage: Stage::Choose { primary_left },
        steps: Vec::new(),
        chosen: None,
    })));
}

/// The merge screen goes for good; what was under it shows again.
fn close(app: &mut App) {
    app.stack.drop_merge();
}

/// Keys in [`Mode::Merge`].
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    let Some(m) = app.stack.merge_mut() else {
        return;
    };
    match (&mut m.stage, cmd) {
        (Stage::Choose { primary_left }, Cmd::FocusPrev) => *primary_left = true,
        (Stage::Choose { primary_left }, Cmd::FocusNext) => *primary_left = false,
        (Stage::Choose { primary_left }, Cmd::ConfirmToggle) => *primary_left = !*primary_left,
        (Stage::Choose { .. }, Cmd::Open | Cmd::ConfirmAccept) => {
            let (p, d) = m.primary_and_duplicate();
            let (primary, duplicate) = (p.id, d.id);
            m.chosen = Some((primary, duplicate));
            m.stage = Stage::Planning;
            fx.push(Effect::Merge(MergeOp::Plan { primary, duplicate }));
        }
        (Stage::Plan { plan, cursor }, Cmd::Down) if !plan.fields.is_empty() => {
            *cursor = (*cursor + 1).min(plan.fields.len() - 1);
        }
        (Stage::Plan { cursor, .. }, Cmd::Up) => *cursor = cursor.saturating_sub(1),
        (Stage::Plan { plan, cursor }, Cmd::ConfirmToggle) => {
            if let Some(f) = plan.fields.get(*cursor) {
                let (key, copy) = (f.key.clone(), !f.copy);
                plan.set_copy(&key, copy);
            }
        }
        (Stage::Plan { plan, .. }, Cmd::Open | Cmd::ConfirmAccept) => {
            let (p, d) = (plan.primary.display_name(), plan.duplicate.display_name());
            let dialog = Dialog::new(Ask::MergeNow, "Merge now?")
                .body(vec![format!(
                    "Moves what the plan lists from {} to {}, then removes the duplicate. What moved can only be moved back by hand.",
                    sanitize::line(&d),
                    sanitize::line(&p)
                )])
                .choice("Not yet", None, Answer::No)
                .choice("Merge now", None, Answer::Yes)
                .default_to(Answer::No);
            app.stack.push(Screen::Dialog(Box::new(dialog)));
        }
        (Stage::Done { error: Some(_), .. }, Cmd::Refresh) => {
            if let Some((primary, duplicate)) = m.chosen {
                m.stage = Stage::Running;
                fx.push(Effect::Merge(MergeOp::Resume {
                    primary,
                    duplicate,
                    read_only,
                }));
            }
        }
        (Stage::Done { error: Some(_), .. }, Cmd::Dismiss) => {
            if let Some((primary, duplicate)) = m.chosen {
                fx.push(Effect::Merge(MergeOp::Discard { primary, duplicate }));
            }
            close(app);
            app.say(
                "Unfinished merge forgotten: what moved stays moved (merge-log.jsonl lists it)",
                false,
            );
        }
        (Stage::Running, Cmd::Back | Cmd::Close) => {
            // The run goes on in the background; its result lands in the status line.
            app.stack.park_merge();
            app.say("The merge continues in the background", false);
        }
        (Stage::Done { error: None, .. }, Cmd::Back | Cmd::Close) => {
            // The audit's groups are computed again without the merged customer.
            close(app);
            audit::rerun(app, fx);
        }
        (Stage::Done { error: Some(_), .. }, Cmd::Back | Cmd::Close) => {
            // Kept, so that opening the same merge again shows where it stopped.
            app.stack.park_merge();
        }
        (_, Cmd::Back | Cmd::Close) => close(app),
        _ => {}
    }
}

/// A report from the worker.
pub fn event(app: &mut App, ev: MergeEvent, fx: &mut Vec<Effect>) {
    if let MergeEvent::Pending(runs) = ev {
        app.merge_waiting.extend(runs);
        return;
    }
    let in_front = app.mode() == Mode::Merge;
    let Some(m) = app.stack.merge_mut() else {
        return;
    };
    match ev {
        MergeEvent::Planned(Ok(plan)) => {
            if m.stage == Stage::Planning {
                m.stage = Stage::Plan { plan, cursor: 0 };
            }
        }
        MergeEvent::Planned(Err(e)) => {
            m.stage = Stage::Done {
                error: Some(format!("Could not read the records: {e}")),
                duplicate_deleted: false,
                keep_duplicate: None,
            };
            // Resuming a merge that never started means planning again.
            m.chosen = None;
        }
        MergeEvent::Pending(_) => {}
        MergeEvent::Started(steps) => {
            m.steps = steps
                .into_iter()
                .map(|(text, status)| StepLine {
                    text: sanitize::line(&text),
                    status,
                })
                .collect();
        }
        MergeEvent::Progress(p) => {
            let text = sanitize::line(&p.step.describe());
            match m.steps.get_mut(p.number.saturating_sub(1)) {
                Some(line) => {
                    line.status = p.status;
                    line.text = text;
                }
                None => m.steps.push(StepLine {
                    text,
                    status: p.status,
                }),
            }
        }
        MergeEvent::Finished {
            error,
            duplicate_deleted,
            keep_duplicate,
        } => {
            let ok = error.is_none();
            let duplicate = m.chosen.map_or(m.right.id, |(_, d)| d);
            let summary = summary(&m.steps);
            m.stage = Stage::Done {
                error,
                duplicate_deleted,
                keep_duplicate,
            };
            if ok {
                merged(app, duplicate, duplicate_deleted, fx);
                if !in_front {
                    // Nothing is left to show: a hidden merge that finished goes.
                    app.stack.parked.merge = None;
                    app.merge_mark = None;
                    app.say(format!("Merge finished. {summary}"), false);
                }
            } else if !in_front {
                app.say("The merge stopped at a failed step: open the same merge again to see it, r resumes",
                    true,
                );
            }
        }
    }
}

/// The list and the mirror after a merge: the duplicate goes, the primary is read again.
fn merged(app: &mut App, duplicate: Id, deleted: bool, fx: &mut Vec<Effect>) {
    if deleted {
        mirror::customer_deleted(app, duplicate, fx);
        panes::remove_row(app, duplicate);
        app.say("Merged: the duplicate is deleted", false);
    }
    mirror::refresh(app, fx);
}

/// The answer to "Merge now?".
pub fn answer(app: &mut App, answer: Answer, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    let Some(m) = app.stack.merge_mut() else {
        return;
    };
    if answer != Answer::Yes {
        return;
    }
    if let Stage::Plan { plan, .. } = &m.stage {
        let plan = plan.clone();
        m.stage = Stage::Running;
        m.steps.clear();
        fx.push(Effect::Merge(MergeOp::Run { plan, read_only }));
    }
}

/// Offers an unfinished merge of an earlier run once the app is back on the list (not over a
/// form, a question or another merge): the merge screen opens where the run stopped, `r`
/// resumes it, `x` forgets it, Esc leaves it for the next start.
pub fn offer(app: &mut App) -> bool {
    if app.stack.merge().is_some() || app.merge_waiting.is_empty() {
        return false;
    }
    let run = app.merge_waiting.remove(0);
    let known = |id: Id, name: &str| {
        app.list
            .index
            .get(&id)
            .map(|&i| app.list.rows[i].customer())
            .unwrap_or_else(|| Customer {
                id,
                business_name: Some(name.to_string()),
                ..Customer::default()
            })
    };
    let primary = known(run.primary_id, &run.primary_name);
    let duplicate = known(run.duplicate_id, &run.duplicate_name);
    let steps: Vec<StepLine> = run
        .steps
        .iter()
        .map(|s| StepLine {
            text: sanitize::line(&s.step.describe()),
            status: s.status.clone(),
        })
        .collect();
    let done = steps.iter().filter(|s| s.status.is_finished()).count();
    let why = match run.failed_step().map(|(_, s)| &s.status) {
        Some(StepStatus::Failed { error }) => format!(", {error}"),
        _ => String::new(),
    };
    app.stack.push(Screen::Merge(Box::new(MergeScreen {
        left: duplicate,
        right: primary,
        stage: Stage::Done {
            error: Some(sanitize::line(&format!(
                "left unfinished by an earlier run ({done} of {} steps done{why})",
                steps.len()
            ))),
            duplicate_deleted: false,
            keep_duplicate: run.keep_duplicate.clone(),
        },
        steps,
        chosen: Some((run.primary_id, run.duplicate_id)),
    })));
    true
}

#[cfg(test)]
pub(crate) mod tests {
    #[allow(unused_imports)]
    use crate::app::prelude::*;
    use std::collections::BTreeSet;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::audit::state::AuditEvent;
    use crate::app::keymap::map_key;
    use crate::app::{fixtures, update};
    use crate::flows::merge::MergeStep;

    const ACME: Id = 21000001;
    const DUP: Id = 21009999;

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
            Some(a) => update(app, a),
            None => Vec::new(),
        }
    }

    /// The audit's comparison of Acme and its planted duplicate, then `m`.
    pub(crate) fn merge_opened() -> App {
        let mut app = crate::app::audit::tests::app_with_duplicate();
        key(&mut app, KeyCode::Char('A'));
        update(
            &mut app,
            Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
        );
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Char('m'));
        app
    }

    /// A plan for Acme and the duplicate: a contact, the fixture tickets and assets to move,
    /// and the phone to copy (empty on the primary).
    pub(crate) fn plan(app: &App) -> MergePlan {
        let m = app.stack.merge().unwrap();
        let (p, d) = m.primary_and_duplicate();
        let (mut primary, mut duplicate) = (p.clone(), d.clone());
        primary.phone = None;
        duplicate.phone = Some("503-555-0199".into());
        let contacts = fixtures::customers()[0].contacts.clone();
        MergePlan::new(
            primary,
            duplicate,
            contacts,
            fixtures::tickets(DUP),
            fixtures::assets(DUP),
            Vec::new(),
        )
    }

    /// Merge screen with the plan on screen.
    pub(crate) fn planned() -> App {
        let mut app = merge_opened();
        key(&mut app, KeyCode::Enter);
        let plan = plan(&app);
        update(
            &mut app,
            Action::Merge(MergeEvent::Planned(Ok(Box::new(plan)))),
        );
        app
    }

    fn stage(app: &App) -> &Stage {
        &app.stack.merge().unwrap().stage
    }

    fn progress(number: usize, total: usize, step: MergeStep, status: StepStatus) -> Action {
        Action::Merge(MergeEvent::Progress(MergeProgress {
            number,
            total,
            message: step.describe(),
            step,
            status,
        }))
    }

    #[test]
    fn m_opens_the_merge_with_the_older_record_as_primary_and_arrows_swap_it() {
        let mut app = merge_opened();
        assert_eq!(app.mode(), Mode::Merge);
        let m = app.stack.merge().unwrap();
        assert_eq!(m.primary_and_duplicate().0.id, ACME);
        key(&mut app, KeyCode::Right);
        assert_eq!(app.stack.merge().unwrap().primary_and_duplicate().0.id, DUP);
        key(&mut app, KeyCode::Char('1'));
        assert_eq!(
            app.stack.merge().unwrap().primary_and_duplicate().0.id,
            ACME
        );
        // Enter: the worker reads the plan.
        let fx = key(&mut app, KeyCode::Enter);
        assert_eq!(
            fx,
            vec![Effect::Merge(MergeOp::Plan {
                primary: ACME,
                duplicate: DUP
            })]
        );
        assert_eq!(stage(&app), &Stage::Planning);
        // Esc goes back to the audit.
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.mode(), Mode::Audit);
        assert!(app.stack.merge().is_none());
    }

    #[test]
    fn read_only_refuses_the_merge() {
        let mut app = crate::app::audit::tests::app_with_duplicate();
        app.config.read_only = true;
        key(&mut app, KeyCode::Char('A'));
        update(
            &mut app,
            Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
        );
        key(&mut app, KeyCode::Enter);
        let fx = key(&mut app, KeyCode::Char('m'));
        assert!(fx.is_empty());
        assert_eq!(app.mode(), Mode::Audit);
        assert!(app.stack.merge().is_none());
        let m = app.message.as_ref().unwrap();
        assert!(m.error && m.text.contains("Read-only"), "{m:?}");
    }

    #[test]
    fn the_plan_toggles_fields_and_confirm_defaults_to_no() {
        let mut app = planned();
        let Stage::Plan { plan, .. } = stage(&app) else {
            panic!("{:?}", stage(&app))
        };
        let phone = plan.fields.iter().position(|f| f.key == "phone").unwrap();
        assert!(plan.fields[phone].copy);
        for _ in 0..phone {
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Char(' '));
        let Stage::Plan { plan, .. } = stage(&app) else {
            panic!()
        };
        assert!(!plan.fields[phone].copy);
        // Enter asks; Enter again (or n) answers No and nothing runs.
        key(&mut app, KeyCode::Enter);
        assert_eq!(
            app.stack.dialog().map(|d| d.ask.clone()),
            Some(Ask::MergeNow)
        );
        let fx = key(&mut app, KeyCode::Enter);
        assert!(fx.is_empty());
        assert!(matches!(stage(&app), Stage::Plan { .. }));
        key(&mut app, KeyCode::Enter);
        assert!(key(&mut app, KeyCode::Char('n')).is_empty());
        assert_eq!(app.mode(), Mode::Merge);
        key(&mut app, KeyCode::Enter);
        let fx = key(&mut app, KeyCode::Char('n'));
        assert!(fx.is_empty());
        assert!(matches!(stage(&app), Stage::Plan { .. }));
        // y runs the plan as toggled.
        key(&mut app, KeyCode::Enter);
        let fx = key(&mut app, KeyCode::Char('y'));
        match &fx[..] {
            [Effect::Merge(MergeOp::Run { plan, read_only })] => {
                assert!(!read_only);
                assert!(!plan.fields[phone].copy);
                assert_eq!(plan.duplicate.id, DUP);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(stage(&app), &Stage::Running);
    }

    /// A journal as an earlier run left it: the contact moved, the ticket move failed.
    pub(crate) fn unfinished_run() -> MergeRun {
        let step = |step: MergeStep, status: StepStatus| serde_json::json!({"step": step, "status": status, "message": ""});
        let failed = StepStatus::Failed {
            error: "HTTP 500".into(),
        };
        let ticket = MergeStep::MoveTicket {
            id: 2,
            number: "1043".into(),
            subject: "Printer".into(),
        };
        let contact = MergeStep::MoveContact {
            id: 1,
            name: "Bob".into(),
        };
        serde_json::from_value(serde_json::json!({
            "primary_id": ACME,
            "duplicate_id": DUP,
            "primary_name": "Acme Plumbing, Inc.",
            "duplicate_name": "ACME plumbing inc",
            "started_at": "2026-11-26T10:00:00Z",
            "steps": [
                step(contact, StepStatus::Done),
                step(ticket, failed),
                step(MergeStep::Verify, StepStatus::Pending),
                step(MergeStep::DeleteDuplicate, StepStatus::Pending),
            ]
        }))
        .expect("a journal")
    }

    #[test]
    fn an_unfinished_merge_is_offered_once_the_list_has_the_keys() {
        let mut app = crate::app::audit::tests::app_with_duplicate();
        // A question is open (say, a draft offered back): the offer waits.
        app.stack.push(Screen::Help(HelpView::default()));
        update(
            &mut app,
            Action::Merge(MergeEvent::Pending(vec![unfinished_run()])),
        );
        assert_eq!(app.mode(), Mode::Help);
        assert!(app.stack.merge().is_none());
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.mode(), Mode::Merge);
        let m = app.stack.merge().unwrap();
        assert_eq!(m.chosen, Some((ACME, DUP)));
        assert_eq!(m.primary_and_duplicate().0.id, ACME);
        let Stage::Done { error: Some(e), .. } = &m.stage else {
            panic!("{:?}", m.stage)
        };
        assert!(
            e.contains("1 of 4 steps done") && e.contains("HTTP 500"),
            "{e}"
        );
        assert_eq!(m.steps.len(), 4);
        // r resumes it.
        let fx = key(&mut app, KeyCode::Char('r'));
        assert_eq!(
            fx,
            vec![Effect::Merge(MergeOp::Resume {
                primary: ACME,
                duplicate: DUP,
                read_only: false
            })]
        );
    }

    #[test]
    fn x_forgets_an_unfinished_merge_and_esc_leaves_it_for_later() {
        let mut app = crate::app::audit::tests::app_with_duplicate();
        update(
            &mut app,
            Action::Merge(MergeEvent::Pending(vec![
                unfinished_run(),
                unfinished_run(),
            ])),
        );
        assert_eq!(app.mode(), Mode::Merge);
        let fx = key(&mut app, KeyCode::Char('x'));
        assert_eq!(
            fx,
            vec![Effect::Merge(MergeOp::Discard {
                primary: ACME,
                duplicate: DUP
            })]
        );
        // The next one comes up; Esc keeps its journal (no effect) and returns to the list.
        assert_eq!(app.mode(), Mode::Merge);
        let fx = key(&mut app, KeyCode::Esc);
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(app.mode(), Mode::Normal);
        assert!(app.merge_waiting.is_empty());
    }

    #[test]
    fn progress_then_failure_then_resume_then_success() {
        let mut app = planned();
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Char('y'));
        let steps = [
            MergeStep::MoveContact {
                id: 1,
                name: "Bob".into(),
            },
            MergeStep::MoveTicket {
                id: 2,
                number: "1043".into(),
                subject: "Printer".into(),
            },
            MergeStep::Verify,
            MergeStep::DeleteDuplicate,
        ];
        update(
            &mut app,
            Action::Merge(MergeEvent::Started(
                steps
                    .iter()
                    .map(|s| (s.describe(), StepStatus::Pending))
                    .collect(),
            )),
        );
        update(&mut app, progress(1, 4, steps[0].clone(), StepStatus::Done));
        let lines = &app.stack.merge().unwrap().steps;
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].status, StepStatus::Done);
        assert_eq!(lines[1].status, StepStatus::Pending);
        let failed = StepStatus::Failed {
            error: "HTTP 500".into(),
        };
        update(&mut app, progress(2, 4, steps[1].clone(), failed.clone()));
        update(
            &mut app,
            Action::Merge(MergeEvent::Finished {
                error: Some("Step 2 of 4 failed: HTTP 500".into()),
                duplicate_deleted: false,
                keep_duplicate: None,
            }),
        );
        assert!(matches!(stage(&app), Stage::Done { error: Some(_), .. }));
        assert_eq!(app.stack.merge().unwrap().steps[1].status, failed);
        // Leaving and opening the same merge again shows where it stopped.
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.mode(), Mode::Audit);
        let (l, r) = {
            let m = app.stack.merge().unwrap();
            (m.left.clone(), m.right.clone())
        };
        open_with(&mut app, r, l);
        assert_eq!(app.mode(), Mode::Merge);
        assert!(matches!(stage(&app), Stage::Done { error: Some(_), .. }));
        assert_eq!(
            summary(&app.stack.merge().unwrap().steps),
            "1 contact, 0 tickets, 0 assets moved"
        );
        // r resumes from the journal.
        let fx = key(&mut app, KeyCode::Char('r'));
        assert_eq!(
            fx,
            vec![Effect::Merge(MergeOp::Resume {
                primary: ACME,
                duplicate: DUP,
                read_only: false
            })]
        );
        assert_eq!(stage(&app), &Stage::Running);
        for (i, s) in steps.iter().enumerate().skip(1) {
            update(&mut app, progress(i + 1, 4, s.clone(), StepStatus::Done));
        }
        let fx = update(
            &mut app,
            Action::Merge(MergeEvent::Finished {
                error: None,
                duplicate_deleted: true,
                keep_duplicate: None,
            }),
        );
        assert!(matches!(
            stage(&app),
            Stage::Done {
                error: None,
                duplicate_deleted: true,
                ..
            }
        ));
        // The duplicate left the list, the list is read again, the screen stays.
        assert!(app.message.as_ref().unwrap().text.contains("deleted"));
        assert!(!app.list.index.contains_key(&DUP));
        assert!(app.list.index.contains_key(&ACME));
        assert!(
            fx.iter().any(|e| matches!(e, Effect::LoadCustomers { .. })),
            "{fx:?}"
        );
        assert_eq!(app.mode(), Mode::Merge);
        // The app stays usable while a merge runs: Esc hides the screen.
        key(&mut app, KeyCode::Esc);
        assert_ne!(app.mode(), Mode::Merge);
    }

    #[test]
    fn m_in_the_list_marks_then_merges_the_marked_into_the_other() {
        let mut app = fixtures::app((100, 30));
        let first = app.list.selected().unwrap().id();
        key(&mut app, KeyCode::Char('M'));
        assert_eq!(app.merge_mark.as_ref().map(|c| c.id), Some(first));
        assert!(app.message.as_ref().unwrap().text.contains("marked"));
        key(&mut app, KeyCode::Down);
        let second = app.list.selected().unwrap().id();
        assert_ne!(first, second);
        key(&mut app, KeyCode::Char('M'));
        assert_eq!(app.mode(), Mode::Merge);
        assert!(app.merge_mark.is_none());
        let m = app.stack.merge().unwrap();
        let (p, d) = m.primary_and_duplicate();
        assert_eq!((p.id, d.id), (second, first));
        // Read-only: refused.
        let mut app = fixtures::app((100, 30));
        app.config.read_only = true;
        key(&mut app, KeyCode::Char('M'));
        assert!(app.merge_mark.is_none());
        assert!(app.message.as_ref().unwrap().error);
    }
}
