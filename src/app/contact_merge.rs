//! The contact merge screen: from the audit's comparison of a contact group, `m` merges two
//! contacts of one customer. Choose the one that stays (the older, lower id, is preselected) →
//! the plan (the fields to copy, the tickets and assets that point at the duplicate, and
//! whether the duplicate is retired or deleted) → "Merge now?" → the journaled steps, reported
//! one by one → done, or stopped at a failure with `r` to resume.

use crate::api::model::{Contact, Id};
use crate::app::action::Cmd;
use crate::app::dialog::{Answer, Ask, Dialog, Tone};
use crate::app::effect::Effect;
use crate::app::kinds::Load;
use crate::app::merge::state::{
    ContactMergeEvent, ContactMergeOp, ContactMergeScreen, ContactStage, StepLine,
};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{audit, forms};
use crate::flows::merge::StepStatus;
use crate::sanitize;

fn is_screen(s: &Screen) -> bool {
    matches!(s, Screen::ContactMerge(_))
}

/// `m` in the audit on a contact group: the merge of its two contacts (of a bigger group: the
/// two marked with Space in the comparison, where the audit goes to choose them).
pub fn open_from_audit(app: &mut App) {
    match audit::contact_pair(app) {
        Ok((customer_id, a, b)) => open(app, customer_id, a, b),
        Err(why) => {
            if let Some(v) = app.stack.audit_mut()
                && !v.findings.is_empty()
            {
                v.compare = true;
            }
            app.say(why, true);
        }
    }
}

/// Opens the merge of two contacts of `customer_id`.
pub fn open(app: &mut App, customer_id: Id, a: Contact, b: Contact) {
    if app.config.read_only {
        return app.say(forms::READ_ONLY, true);
    }
    if app.stack.contact_merge().is_some() {
        return app.say("A contact merge is open already", true);
    }
    let customer = app
        .list
        .index
        .get(&customer_id)
        .map(|&i| app.list.rows[i].view.name().to_string())
        .unwrap_or_default();
    let (left, right) = if a.id <= b.id { (a, b) } else { (b, a) };
    app.stack
        .push(Screen::ContactMerge(Box::new(ContactMergeScreen {
            customer_id,
            customer,
            left,
            right,
            stage: ContactStage::Choose { primary_left: true },
            steps: Vec::new(),
            chosen: None,
        })));
}

/// Keys on the contact merge screen (the merge screen's keys).
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    let Some(m) = app.stack.contact_merge_mut() else {
        return;
    };
    match (&mut m.stage, cmd) {
        (ContactStage::Choose { primary_left }, Cmd::FocusPrev) => *primary_left = true,
        (ContactStage::Choose { primary_left }, Cmd::FocusNext) => *primary_left = false,
        (ContactStage::Choose { primary_left }, Cmd::ConfirmToggle) => {
            *primary_left = !*primary_left
        }
        (ContactStage::Choose { .. }, Cmd::Open | Cmd::ConfirmAccept) => {
            let (p, d) = m.primary_and_duplicate();
            let (primary, duplicate) = (p.id, d.id);
            m.chosen = Some((primary, duplicate));
            m.stage = ContactStage::Planning;
            fx.push(Effect::ContactMerge(ContactMergeOp::Plan {
                customer_id: m.customer_id,
                primary,
                duplicate,
            }));
        }
        (ContactStage::Plan { plan, cursor }, Cmd::Down) => {
            // The fields, then the last line: retire or delete the duplicate.
            *cursor = (*cursor + 1).min(plan.fields.len());
        }
        (ContactStage::Plan { cursor, .. }, Cmd::Up) => *cursor = cursor.saturating_sub(1),
        (ContactStage::Plan { plan, cursor }, Cmd::ConfirmToggle) => {
            match plan.fields.get(*cursor) {
                Some(f) => {
                    let (key, copy) = (f.key.clone(), !f.copy);
                    plan.set_copy(&key, copy);
                }
                None => plan.delete = !plan.delete,
            }
        }
        (ContactStage::Plan { plan, .. }, Cmd::Open | Cmd::ConfirmAccept) => {
            let (p, d) = (
                sanitize::line(p_name(&plan.primary).as_str()),
                sanitize::line(p_name(&plan.duplicate).as_str()),
            );
            let end = if plan.delete {
                format!("deletes {d} for good (Syncro has no undo)")
            } else {
                format!("retires {d} (marked as left; reinstating undoes it)")
            };
            let dialog = Dialog::new(Ask::MergeContactsNow, "Merge the contacts now?")
                .body(vec![format!(
                    "Copies the chosen fields to {p}, points {} and {} at {p}, then {end}.",
                    crate::text::plural(plan.tickets.len(), "ticket"),
                    crate::text::plural(plan.assets.len(), "asset"),
                )])
                .choice("Not yet", None, Answer::No)
                .choice("Merge now", None, Answer::Yes)
                .default_to(Answer::No)
                .tone(if plan.delete {
                    Tone::Danger
                } else {
                    Tone::Info
                });
            app.stack.push(Screen::Dialog(Box::new(dialog)));
        }
        (ContactStage::Done { error: Some(_) }, Cmd::Refresh) => {
            if let Some((primary, duplicate)) = m.chosen {
                m.stage = ContactStage::Running;
                fx.push(Effect::ContactMerge(ContactMergeOp::Resume {
                    primary,
                    duplicate,
                    read_only,
                }));
            }
        }
        (ContactStage::Done { error: Some(_) }, Cmd::Dismiss) => {
            if let Some((primary, duplicate)) = m.chosen {
                fx.push(Effect::ContactMerge(ContactMergeOp::Discard {
                    primary,
                    duplicate,
                }));
            }
            app.stack.remove(is_screen);
            app.note("Unfinished contact merge forgotten: what was done stays done");
        }
        (ContactStage::Running, Cmd::Back | Cmd::Close) => {
            app.say("The merge is running: it takes a few seconds", false);
        }
        (ContactStage::Done { .. }, Cmd::Back | Cmd::Close) => {
            let customer_id = m.customer_id;
            app.stack.remove(is_screen);
            refresh_contacts(app, customer_id, fx);
            audit::rerun(app, fx);
        }
        (_, Cmd::Back | Cmd::Close) => {
            app.stack.remove(is_screen);
        }
        _ => {}
    }
}

fn p_name(c: &Contact) -> String {
    c.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("contact {}", c.id))
}

/// The answer to "Merge the contacts now?".
pub fn answer(app: &mut App, answer: Answer, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    let Some(m) = app.stack.contact_merge_mut() else {
        return;
    };
    if answer != Answer::Yes {
        return;
    }
    if let ContactStage::Plan { plan, .. } = &m.stage {
        let plan = plan.clone();
        m.stage = ContactStage::Running;
        m.steps.clear();
        fx.push(Effect::ContactMerge(ContactMergeOp::Run {
            plan,
            read_only,
        }));
    }
}

/// Reads the customer's contacts again (the row, the detail and the mirror follow).
fn refresh_contacts(app: &mut App, customer_id: Id, fx: &mut Vec<Effect>) {
    let generation = app.generation();
    app.extras.entry(customer_id).or_default().contacts = Load::Loading { generation };
    fx.push(Effect::LoadContacts {
        customer_id,
        generation,
    });
}

/// Offers an unfinished contact merge of an earlier run once the app is back on the list, as
/// customer merges are: the screen opens where the run stopped, `r` resumes, `x` forgets it,
/// Esc leaves it for the next start.
pub fn offer(app: &mut App) -> bool {
    if app.stack.contact_merge().is_some() || app.contact_merge_waiting.is_empty() {
        return false;
    }
    let run = app.contact_merge_waiting.remove(0);
    let plan = &run.plan;
    let steps: Vec<StepLine> = run
        .steps
        .iter()
        .map(|s| StepLine {
            text: sanitize::line(&s.step.describe(plan)),
            status: s.status.clone(),
        })
        .collect();
    let done = steps.iter().filter(|s| s.status.is_finished()).count();
    let why = run
        .steps
        .iter()
        .find_map(|s| match &s.status {
            StepStatus::Failed { error } => Some(format!(", {error}")),
            _ => None,
        })
        .unwrap_or_default();
    let customer = app
        .list
        .index
        .get(&plan.customer_id)
        .map(|&i| app.list.rows[i].view.name().to_string())
        .unwrap_or_default();
    app.stack
        .push(Screen::ContactMerge(Box::new(ContactMergeScreen {
            customer_id: plan.customer_id,
            customer,
            left: plan.primary.clone(),
            right: plan.duplicate.clone(),
            stage: ContactStage::Done {
                error: Some(sanitize::line(&format!(
                    "left unfinished by an earlier run ({done} of {} steps done{why})",
                    steps.len()
                ))),
            },
            steps,
            chosen: Some((plan.primary.id, plan.duplicate.id)),
        })));
    true
}

/// A report from the worker.
pub fn event(app: &mut App, ev: ContactMergeEvent, fx: &mut Vec<Effect>) {
    if let ContactMergeEvent::Pending(runs) = ev {
        app.contact_merge_waiting.extend(runs);
        return;
    }
    let Some(m) = app.stack.contact_merge_mut() else {
        return;
    };
    match ev {
        ContactMergeEvent::Planned(Ok(plan)) => {
            if m.stage == ContactStage::Planning {
                m.stage = ContactStage::Plan { plan, cursor: 0 };
            }
        }
        ContactMergeEvent::Planned(Err(e)) => {
            m.stage = ContactStage::Done {
                error: Some(sanitize::line(&format!("Could not read the contacts: {e}"))),
            };
            m.chosen = None;
        }
        ContactMergeEvent::Started(steps) => {
            m.steps = steps
                .into_iter()
                .map(|(text, status)| StepLine {
                    text: sanitize::line(&text),
                    status,
                })
                .collect();
        }
        ContactMergeEvent::Progress {
            number,
            text,
            status,
        } => {
            let text = sanitize::line(&text);
            match m.steps.get_mut(number.saturating_sub(1)) {
                Some(line) => {
                    line.text = text;
                    line.status = status;
                }
                None => m.steps.push(StepLine { text, status }),
            }
        }
        ContactMergeEvent::Pending(_) => {}
        ContactMergeEvent::Finished { error } => {
            let ok = error.is_none();
            let customer_id = m.customer_id;
            m.stage = ContactStage::Done {
                error: error.map(|e| sanitize::line(&e)),
            };
            if ok {
                refresh_contacts(app, customer_id, fx);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;
    use crate::app::audit::state::AuditEvent;
    use crate::app::kinds::Mode;
    use crate::app::{Action, fixtures, update};
    use crate::flows::contact_merge::ContactMergePlan;
    use crate::flows::merge::CopyField;

    fn contact(v: serde_json::Value) -> Contact {
        serde_json::from_value(v).unwrap()
    }

    /// A customer whose contacts hold one person twice (same e-mail), plus a third person.
    pub(crate) fn app_with_duplicate_contacts() -> App {
        app_with_contacts(vec![
            contact(
                json!({"id": 71, "name": "Jane Roe", "email": "jane@harbor.example",
                "properties": {"title": "Decision Maker - Owner"}}),
            ),
            contact(
                json!({"id": 72, "name": "J. Roe", "email": "JANE@harbor.example",
                "phone": "555-301-4455"}),
            ),
            contact(json!({"id": 73, "name": "Bob Poe", "email": "bob@harbor.example"})),
        ])
    }

    /// Customer 7 with these contacts, the audit open on its findings.
    fn app_with_contacts(contacts: Vec<Contact>) -> App {
        let mut c: crate::api::model::Customer = serde_json::from_value(json!({
            "id": 7, "business_name": "Harbor Dental"
        }))
        .unwrap();
        c.contacts = contacts;
        let mut app = fixtures::app_with((100, 30), vec![c], 1, 1);
        update(&mut app, Action::Cmd(Cmd::Audit));
        update(
            &mut app,
            Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
        );
        app
    }

    pub(crate) fn plan() -> ContactMergePlan {
        ContactMergePlan {
            customer_id: 7,
            primary: contact(json!({"id": 71, "name": "Jane Roe"})),
            duplicate: contact(json!({"id": 72, "name": "J. Roe", "phone": "555-301-4455"})),
            fields: vec![CopyField {
                key: "phone".into(),
                label: "Phone".into(),
                value: "555-301-4455".into(),
                copy: true,
            }],
            tickets: vec![900, 901],
            assets: vec![],
            delete: false,
        }
    }

    /// The audit's contact group opened with `m`, at the "which one stays" step.
    pub(crate) fn opened() -> App {
        let mut app = app_with_duplicate_contacts();
        let v = app.stack.audit().unwrap();
        assert!(
            matches!(v.findings.first(), Some(audit::state::Finding::Contacts(_))),
            "{:?}",
            v.findings
        );
        update(&mut app, Action::Cmd(Cmd::Merge));
        app
    }

    #[test]
    fn m_on_a_contact_group_opens_the_contact_merge_with_the_older_one_staying() {
        let mut app = opened();
        assert_eq!(app.mode(), Mode::Merge);
        let m = app.stack.contact_merge().unwrap();
        assert_eq!((m.left.id, m.right.id), (71, 72));
        assert_eq!(m.primary_and_duplicate().0.id, 71);
        // → makes the right one stay; Enter asks the worker for the plan of that choice.
        update(&mut app, Action::Cmd(Cmd::FocusNext));
        let fx = update(&mut app, Action::Cmd(Cmd::Open));
        assert_eq!(
            fx,
            vec![Effect::ContactMerge(ContactMergeOp::Plan {
                customer_id: 7,
                primary: 72,
                duplicate: 71,
            })]
        );
        assert_eq!(
            app.stack.contact_merge().unwrap().stage,
            ContactStage::Planning
        );
        // Esc before the plan arrives: back to the audit, and the late plan is dropped.
        update(&mut app, Action::Cmd(Cmd::Back));
        assert_eq!(app.mode(), Mode::Audit);
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Planned(Ok(Box::new(plan())))),
        );
        assert!(app.stack.contact_merge().is_none());
        assert_eq!(app.mode(), Mode::Audit);
    }

    #[test]
    fn the_plan_toggles_fields_and_delete_and_runs_only_after_yes() {
        let mut app = opened();
        update(&mut app, Action::Cmd(Cmd::Open));
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Planned(Ok(Box::new(plan())))),
        );
        // Space on the field: not copied; ↓ to the last line, Space: delete instead of retire.
        update(&mut app, Action::Cmd(Cmd::ConfirmToggle));
        update(&mut app, Action::Cmd(Cmd::Down));
        update(&mut app, Action::Cmd(Cmd::ConfirmToggle));
        let ContactStage::Plan { plan: p, .. } = &app.stack.contact_merge().unwrap().stage else {
            panic!()
        };
        assert!(!p.fields[0].copy);
        assert!(p.delete);
        // Enter asks; No leaves the plan as it was.
        assert!(update(&mut app, Action::Cmd(Cmd::Open)).is_empty());
        assert_eq!(app.mode(), Mode::Dialog);
        let d = app.stack.dialog().unwrap();
        assert!(
            d.body.iter().any(|l| l.contains("deletes J. Roe for good")),
            "{:?}",
            d.body
        );
        assert!(
            d.body.iter().any(|l| l.contains("2 tickets")),
            "{:?}",
            d.body
        );
        let fx = update(&mut app, Action::Cmd(Cmd::Back));
        assert!(fx.is_empty());
        assert!(matches!(
            app.stack.contact_merge().unwrap().stage,
            ContactStage::Plan { .. }
        ));
        // Yes: the run, with the plan as edited.
        update(&mut app, Action::Cmd(Cmd::Open));
        let fx = update(
            &mut app,
            Action::ConfirmEdit(tui_input::InputRequest::InsertChar('y')),
        );
        let [
            Effect::ContactMerge(ContactMergeOp::Run {
                plan: sent,
                read_only,
            }),
        ] = fx.as_slice()
        else {
            panic!("{fx:?}")
        };
        assert!(!read_only);
        assert!(sent.delete && !sent.fields[0].copy);
        assert_eq!(
            app.stack.contact_merge().unwrap().stage,
            ContactStage::Running
        );
        // While it runs, Esc does not leave.
        update(&mut app, Action::Cmd(Cmd::Back));
        assert!(app.stack.contact_merge().is_some());
    }

    #[test]
    fn a_finished_merge_reads_the_contacts_again_and_esc_reruns_the_audit() {
        let mut app = opened();
        update(&mut app, Action::Cmd(Cmd::Open));
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Planned(Ok(Box::new(plan())))),
        );
        update(&mut app, Action::Cmd(Cmd::Open));
        update(
            &mut app,
            Action::ConfirmEdit(tui_input::InputRequest::InsertChar('y')),
        );
        let fx = update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Finished { error: None }),
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::LoadContacts { customer_id: 7, .. })),
            "{fx:?}"
        );
        update(&mut app, Action::Cmd(Cmd::Back));
        assert_eq!(app.mode(), Mode::Audit);
    }

    #[test]
    fn a_failed_merge_offers_resume_and_forget() {
        let mut app = opened();
        update(&mut app, Action::Cmd(Cmd::Open));
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Planned(Ok(Box::new(plan())))),
        );
        update(&mut app, Action::Cmd(Cmd::Open));
        update(
            &mut app,
            Action::ConfirmEdit(tui_input::InputRequest::InsertChar('y')),
        );
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Finished {
                error: Some("step 2 of 4 failed: 500".into()),
            }),
        );
        let fx = update(&mut app, Action::Cmd(Cmd::Refresh));
        assert_eq!(
            fx,
            vec![Effect::ContactMerge(ContactMergeOp::Resume {
                primary: 71,
                duplicate: 72,
                read_only: false
            })]
        );
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Finished {
                error: Some("again".into()),
            }),
        );
        let fx = update(&mut app, Action::Cmd(Cmd::Dismiss));
        assert_eq!(
            fx,
            vec![Effect::ContactMerge(ContactMergeOp::Discard {
                primary: 71,
                duplicate: 72
            })]
        );
        assert!(app.stack.contact_merge().is_none());
    }

    #[test]
    fn read_only_refuses_and_a_group_of_three_asks_for_marks() {
        let mut app = app_with_duplicate_contacts();
        app.config.read_only = true;
        update(&mut app, Action::Cmd(Cmd::Merge));
        assert!(app.stack.contact_merge().is_none());
        assert!(app.message.as_ref().unwrap().text.contains("Read-only"));

        // Three contacts with one name: Space marks two, m merges those.
        let mut app = app_with_contacts(
            [71, 72, 73]
                .map(|id| contact(json!({"id": id, "name": "Jane Roe"})))
                .to_vec(),
        );
        update(&mut app, Action::Cmd(Cmd::Merge));
        assert!(app.stack.contact_merge().is_none());
        assert!(app.message.as_ref().unwrap().text.contains("3 contacts"));
        assert!(
            app.stack.audit().unwrap().compare,
            "the comparison is where to choose"
        );
        update(&mut app, Action::Cmd(Cmd::FocusNext));
        update(&mut app, Action::Cmd(Cmd::ConfirmToggle));
        update(&mut app, Action::Cmd(Cmd::FocusNext));
        update(&mut app, Action::Cmd(Cmd::ConfirmToggle));
        update(&mut app, Action::Cmd(Cmd::Merge));
        let m = app.stack.contact_merge().unwrap();
        assert_eq!((m.left.id, m.right.id), (72, 73));
    }

    #[test]
    fn an_unfinished_merge_of_an_earlier_run_is_offered_on_the_list() {
        let mut app = fixtures::app_with((100, 30), Vec::new(), 1, 0);
        use crate::flows::contact_merge::{
            ContactMergeRun, ContactMergeStep, ContactMergeStepRecord,
        };
        let record = |step, status| ContactMergeStepRecord {
            step,
            status,
            at: None,
        };
        let run = ContactMergeRun {
            plan: plan(),
            steps: vec![
                record(ContactMergeStep::CopyFields, StepStatus::Done),
                record(
                    ContactMergeStep::MoveTicket { id: 900 },
                    StepStatus::Failed {
                        error: "HTTP 500".into(),
                    },
                ),
                record(ContactMergeStep::RetireDuplicate, StepStatus::Pending),
            ],
            started_at: "2026-12-01T10:00:00Z".into(),
            server: String::new(),
        };
        update(
            &mut app,
            Action::ContactMerge(ContactMergeEvent::Pending(vec![run])),
        );
        let m = app.stack.contact_merge().expect("offered");
        assert_eq!(m.chosen, Some((71, 72)));
        let ContactStage::Done { error: Some(e) } = &m.stage else {
            panic!("{:?}", m.stage)
        };
        assert!(
            e.contains("1 of 3 steps done") && e.contains("HTTP 500"),
            "{e}"
        );
        assert_eq!(m.steps.len(), 3);
        // Esc leaves it for the next start; nothing else is offered.
        update(&mut app, Action::Cmd(Cmd::Back));
        assert!(app.stack.contact_merge().is_none());
        assert!(app.contact_merge_waiting.is_empty());
    }
}
