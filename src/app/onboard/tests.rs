//! The onboarding flow as a state machine: keys in, state and effects out.

#[allow(unused_imports)]
use crate::app::prelude::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::api::model::Contact;
use crate::app::keymap::map_key;
use crate::app::{fixtures, update};
use crate::flows::onboard::Target;

const NEW_CUSTOMER: Id = 21005555;

pub(crate) fn press(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    match map_key(app.mode(), &ev) {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

pub(crate) fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    press(app, KeyEvent::new(code, KeyModifiers::NONE))
}

pub(crate) fn ch(app: &mut App, c: char) -> Vec<Effect> {
    key(app, KeyCode::Char(c))
}

pub(crate) fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    press(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn screen(app: &App) -> &OnboardScreen {
    app.stack.onboard().expect("the onboarding screen")
}

/// Tabs to the field `field` of the open form and types `text` into it.
pub(crate) fn fill(app: &mut App, field: &str, text: &str) {
    for _ in 0..30 {
        if screen(app).form().expect("a form").focused().key == field {
            break;
        }
        key(app, KeyCode::Tab);
    }
    assert_eq!(screen(app).form().unwrap().focused().key, field);
    for c in text.chars() {
        ch(app, c);
    }
}

/// `O`, a customer, a decision maker: the flow at its third step.
pub(crate) fn at_contacts(business: &str) -> App {
    let mut app = fixtures::app((100, 30));
    ch(&mut app, 'O');
    fill(&mut app, "business_name", business);
    fill(&mut app, "email", "office@harbor.example");
    fill(&mut app, "referred_by", "Chamber of Commerce");
    fill(&mut app, "tax_rate_id", "7");
    ctrl(&mut app, 's');
    fill(&mut app, "name", "Sandra Okafor");
    fill(&mut app, "title", "Owner");
    fill(&mut app, "email", "sandra@harbor.example");
    ctrl(&mut app, 's');
    assert_eq!(screen(&app).step, Step::Contacts);
    app
}

/// Adds a further contact with `role_key` typed on the role pick list.
pub(crate) fn add_contact(app: &mut App, role_key: char, name: &str, email: &str, title: &str) {
    ch(app, 'a');
    assert_eq!(app.mode(), Mode::OnboardForm);
    ch(app, role_key);
    fill(app, "name", name);
    if !title.is_empty() {
        fill(app, "title", title);
    }
    if !email.is_empty() {
        fill(app, "email", email);
    }
    ctrl(app, 's');
    assert_eq!(app.mode(), Mode::Onboard, "{:?}", screen(app).notice);
}

/// Answers the server's duplicate check that `fx` asked for: nothing found.
fn no_duplicates(app: &mut App, fx: &[Effect]) {
    let token = match fx {
        [Effect::Onboard(OnboardOp::CheckDuplicates { token, .. })] => *token,
        other => panic!("{other:?}"),
    };
    update(
        app,
        Action::Onboard(OnboardEvent::Duplicates {
            token,
            result: Ok(Vec::new()),
        }),
    );
}

/// The flow on its review, with the server's duplicate check answered (nothing more found).
pub(crate) fn reviewed(business: &str) -> App {
    let mut app = at_contacts(business);
    add_contact(
        &mut app,
        'b',
        "Priya Shah",
        "billing@harbor.example",
        "Accounts payable",
    );
    add_contact(&mut app, 't', "Tom Reyes", "tom@harbor.example", "");
    let fx = ctrl(&mut app, 's');
    no_duplicates(&mut app, &fx);
    assert_eq!(screen(&app).step, Step::Review);
    app
}

fn steps_of(onb: &Onboarding) -> Vec<StepState> {
    let run = OnboardRun::new(onb.clone()).unwrap();
    run.steps
        .iter()
        .map(|s| (s.label.clone(), s.status.clone()))
        .collect()
}

/// The flow after Enter on a clean review: the run started, the worker reported its steps.
pub(crate) fn started(business: &str) -> (App, Onboarding) {
    let mut app = reviewed(business);
    let fx = key(&mut app, KeyCode::Enter);
    let onb = match fx.as_slice() {
        [
            Effect::Onboard(OnboardOp::Start {
                onboarding,
                read_only: false,
            }),
        ] => (**onboarding).clone(),
        other => panic!("{other:?}"),
    };
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Started {
            id: "run-1".into(),
            steps: steps_of(&onb),
        }),
    );
    (app, onb)
}

pub(crate) fn created(number: usize, total: usize, label: &str, id: Id) -> Action {
    Action::Onboard(OnboardEvent::Progress(OnboardProgress {
        number,
        total,
        label: label.into(),
        status: CreateStatus::Created { id },
        message: format!("Created #{id}"),
    }))
}

/// The run stopped at the second contact (step 3 of 4) with a server error.
pub(crate) fn failed_at_second_contact(business: &str) -> (App, Onboarding) {
    let (mut app, onb) = started(business);
    let mut steps = steps_of(&onb);
    update(&mut app, created(1, 4, &steps[0].0, NEW_CUSTOMER));
    update(&mut app, created(2, 4, &steps[1].0, 31005555));
    steps[0].1 = CreateStatus::Created { id: NEW_CUSTOMER };
    steps[1].1 = CreateStatus::Created { id: 31005555 };
    steps[2].1 = CreateStatus::Failed {
        error: "The server failed (HTTP 500)".into(),
        maybe_created: true,
    };
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Finished {
            error: Some(format!(
                "Step 3 of 4 ({}) failed: The server failed (HTTP 500)",
                steps[2].0
            )),
            steps,
            customer: None,
        }),
    );
    (app, onb)
}

#[test]
fn o_opens_the_flow_and_each_step_checks_its_form() {
    let mut app = fixtures::app((100, 30));
    ch(&mut app, 'O');
    assert_eq!(app.mode(), Mode::OnboardForm);
    assert_eq!(screen(&app).step, Step::Customer);
    // Printable keys are text, even q and j.
    fill(&mut app, "business_name", "qj");
    assert_eq!(
        screen(&app)
            .customer
            .field("business_name")
            .unwrap()
            .value(),
        "qj"
    );
    assert!(!app.quit);
    ctrl(&mut app, 'u');
    // An empty business name stops the step.
    ctrl(&mut app, 's');
    let s = screen(&app);
    assert_eq!(s.step, Step::Customer);
    assert!(s.customer.field("business_name").unwrap().error.is_some());
    assert!(s.notice.is_some());
    // The customer type is a pick list.
    fill(&mut app, "customer_type", "g");
    assert_eq!(
        screen(&app)
            .customer
            .field("customer_type")
            .unwrap()
            .value(),
        "Government"
    );
    fill(&mut app, "business_name", "City of Springfield");
    ctrl(&mut app, 's');
    assert_eq!(screen(&app).step, Step::Primary);
    // The decision maker needs an e-mail.
    fill(&mut app, "name", "Mayor Quimby");
    ctrl(&mut app, 's');
    let s = screen(&app);
    assert_eq!(s.step, Step::Primary);
    assert_eq!(s.primary.focused().key, "email");
    assert!(s.primary.field("email").unwrap().error.is_some());
    fill(&mut app, "email", "not-an-address");
    ctrl(&mut app, 's');
    assert_eq!(screen(&app).step, Step::Primary);
    for _ in 0.."not-an-address".len() {
        key(&mut app, KeyCode::Backspace);
    }
    fill(&mut app, "email", "mayor@springfield.example");
    ctrl(&mut app, 's');
    assert_eq!(screen(&app).step, Step::Contacts);
    assert_eq!(app.mode(), Mode::Onboard);
    // Esc goes back a step with everything kept.
    key(&mut app, KeyCode::Esc);
    assert_eq!(screen(&app).step, Step::Primary);
    assert_eq!(
        screen(&app).primary.field("email").unwrap().value(),
        "mayor@springfield.example"
    );
    let onb = screen(&app).onboarding();
    assert_eq!(onb.customer_name(), "City of Springfield");
    assert_eq!(
        onb.customer.get("properties"),
        Some(&json!({"Customer Type": "Government"}))
    );
}

#[test]
fn the_customers_own_name_fills_an_empty_decision_maker() {
    let mut app = fixtures::app((100, 30));
    ch(&mut app, 'O');
    fill(&mut app, "firstname", "Maria");
    fill(&mut app, "lastname", "Lopez");
    fill(&mut app, "customer_type", "r");
    fill(&mut app, "email", "maria@example.com");
    ctrl(&mut app, 's');
    let s = screen(&app);
    assert_eq!(s.step, Step::Primary);
    assert_eq!(s.primary.field("name").unwrap().value(), "Maria Lopez");
    assert_eq!(
        s.primary.field("email").unwrap().value(),
        "maria@example.com"
    );
    assert_eq!(s.onboarding().customer_name(), "Maria Lopez");
    assert!(!s.onboarding().customer.contains_key("business_name"));
    // What the primary contact holds is never overwritten.
    fill(&mut app, "name", " Jr");
    key(&mut app, KeyCode::Esc);
    fill(&mut app, "customer_type", "b");
    fill(&mut app, "business_name", "Lopez Bakery");
    ctrl(&mut app, 's');
    let s = screen(&app);
    assert_eq!(s.primary.field("name").unwrap().value(), "Maria Lopez Jr");
}

#[test]
fn further_contacts_take_a_role_into_their_title_and_can_be_removed() {
    let mut app = at_contacts("Harbor Dental");
    add_contact(
        &mut app,
        'b',
        "Priya Shah",
        "billing@harbor.example",
        "Accounts payable",
    );
    add_contact(&mut app, 't', "Tom Reyes", "", "");
    // The role cycles with the arrows too.
    ch(&mut app, 'a');
    key(&mut app, KeyCode::Left);
    assert_eq!(
        screen(&app)
            .form()
            .unwrap()
            .field(ROLE_KEY)
            .unwrap()
            .value(),
        "Other"
    );
    fill(&mut app, "name", "Front desk");
    fill(&mut app, "title", "Reception");
    ctrl(&mut app, 's');
    let onb = screen(&app).onboarding();
    let contacts = onb.contacts();
    let got: Vec<(Role, String)> = contacts
        .iter()
        .map(|(r, p)| (*r, p["title"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Role::DecisionMaker, "Decision Maker - Owner".to_string()),
            (
                Role::Billing,
                "Billing Contact - Accounts payable".to_string()
            ),
            (Role::Technical, "Technical Contact".to_string()),
            (Role::Other, "Reception".to_string()),
        ]
    );
    assert!(
        onb.extra_contacts
            .iter()
            .all(|(_, p)| !p.contains_key(ROLE_KEY))
    );
    // d asks; anything but y keeps the contact, y removes it.
    key(&mut app, KeyCode::Up);
    ch(&mut app, 'd');
    assert_eq!(
        app.stack.dialog().map(|d| d.ask.clone()),
        Some(Ask::OnboardRemoveContact(1))
    );
    ch(&mut app, 'N');
    assert_eq!(screen(&app).extras.len(), 3);
    ch(&mut app, 'd');
    ch(&mut app, 'y');
    assert_eq!(screen(&app).extras.len(), 2);
    assert_eq!(
        screen(&app).extras[1].field("name").unwrap().value(),
        "Front desk"
    );
    // A contact added and left empty goes with Esc; Enter edits the selected one.
    ch(&mut app, 'a');
    key(&mut app, KeyCode::Esc);
    assert_eq!(screen(&app).extras.len(), 2);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::OnboardForm);
    assert!(screen(&app).editing.is_some());
    // Without a name the contact cannot be left with Ctrl-S (Esc keeps it as typed).
    fill(&mut app, "name", "");
    ctrl(&mut app, 'u');
    ctrl(&mut app, 's');
    assert!(screen(&app).editing.is_some());
    key(&mut app, KeyCode::Esc);
    assert!(screen(&app).editing.is_none());
    assert_eq!(screen(&app).extras.len(), 2);
}

#[test]
fn the_review_shows_duplicates_and_creating_anyway_needs_y() {
    // "Acme Plumbing Inc" is the fixture's "Acme Plumbing, Inc." once normalised, and Bob's
    // e-mail belongs to one of its contacts.
    let mut app = at_contacts("Acme Plumbing Inc");
    add_contact(&mut app, 't', "Bob B.", "BOB@acme.test", "");
    let fx = ctrl(&mut app, 's');
    let s = screen(&app);
    assert_eq!(s.step, Step::Review);
    let found: Vec<(Subject, Id, &str)> = s
        .duplicates
        .iter()
        .map(|d| (d.subject, d.customer_id, d.reason))
        .collect();
    assert_eq!(
        found,
        vec![
            (Subject::Customer, 21000001, "same name"),
            (Subject::Contact(1), 21000001, "same e-mail"),
        ]
    );
    let again = s.duplicates[0].clone();
    let token = match &fx[..] {
        [Effect::Onboard(OnboardOp::CheckDuplicates { token, .. })] => *token,
        other => panic!("{other:?}"),
    };
    // Nothing is created while the server's check runs.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(screen(&app).notice.is_some());
    // The server's matches join the local ones (the same record once).
    let server_match = DuplicateMatch {
        subject: Subject::Customer,
        customer_id: 21000099,
        contact_id: None,
        name: "Acme Plumbing (old)".into(),
        reason: "same phone",
    };
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Duplicates {
            token,
            result: Ok(vec![again, server_match]),
        }),
    );
    assert_eq!(screen(&app).duplicates.len(), 3);
    // Enter asks; any other key answers no and nothing is sent.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(
        app.stack.dialog().map(|d| d.ask.clone()),
        Some(Ask::OnboardCreateAnyway)
    );
    assert!(ch(&mut app, 'N').is_empty());
    assert_eq!(screen(&app).step, Step::Review);
    key(&mut app, KeyCode::Enter);
    let fx = ch(&mut app, 'y');
    match &fx[..] {
        [Effect::Onboard(OnboardOp::Start { onboarding, .. })] => {
            assert_eq!(onboarding.customer_name(), "Acme Plumbing Inc");
            assert_eq!(onboarding.extra_contacts.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(screen(&app).step, Step::Create);
    assert!(screen(&app).is_running());
}

#[test]
fn with_the_mirror_the_review_checks_locally_only() {
    let mut app = at_contacts("Harbor Dental");
    app.mirror.active = true;
    let fx = ctrl(&mut app, 's');
    assert!(fx.is_empty(), "{fx:?}");
    assert!(screen(&app).duplicates.is_empty());
    assert!(screen(&app).checking.is_none());
    let fx = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        &fx[..],
        [Effect::Onboard(OnboardOp::Start { .. })]
    ));
}

#[test]
fn progress_then_failure_then_resume_then_the_new_customer_is_selected() {
    let (mut app, onb) = failed_at_second_contact("Harbor Dental");
    let s = screen(&app);
    let run = s.run.as_ref().unwrap();
    assert!(matches!(run.state, RunState::Stopped(ref e) if e.contains("Step 3 of 4")));
    assert_eq!(run.created(), 2);
    assert!(matches!(run.lines[2].status, CreateStatus::Failed { .. }));
    assert_eq!(run.lines[3].status, CreateStatus::Pending);
    assert_eq!(app.mode(), Mode::Onboard);
    // Esc leaves it (kept); O shows it again as it stopped.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.stack.onboard().is_some());
    ch(&mut app, 'O');
    assert_eq!(app.mode(), Mode::Onboard);
    assert_eq!(screen(&app).step, Step::Create);
    // r resumes from the journal, as it is.
    let fx = ch(&mut app, 'r');
    assert_eq!(
        fx,
        vec![Effect::Onboard(OnboardOp::Resume {
            id: "run-1".into(),
            onboarding: None,
            read_only: false
        })]
    );
    assert!(screen(&app).is_running());
    assert_eq!(screen(&app).run.as_ref().unwrap().running_step(), Some(2));
    let steps = steps_of(&onb);
    update(&mut app, created(3, 4, &steps[2].0, 31005556));
    assert_eq!(screen(&app).run.as_ref().unwrap().running_step(), Some(3));
    update(&mut app, created(4, 4, &steps[3].0, 31005557));
    // The worker reads the customer back with its contacts.
    let mut customer = Customer {
        id: NEW_CUSTOMER,
        business_name: Some("Harbor Dental".into()),
        ..Customer::default()
    };
    customer.contacts = [31005555, 31005556, 31005557]
        .iter()
        .map(|&id| Contact {
            id,
            customer_id: Some(NEW_CUSTOMER),
            name: Some(format!("Contact {id}")),
            ..Contact::default()
        })
        .collect();
    app.mirror.configured = true;
    let done: Vec<StepState> = steps
        .iter()
        .zip([NEW_CUSTOMER, 31005555, 31005556, 31005557])
        .map(|((l, _), id)| (l.clone(), CreateStatus::Created { id }))
        .collect();
    let fx = update(
        &mut app,
        Action::Onboard(OnboardEvent::Finished {
            error: None,
            steps: done,
            customer: Some(Box::new(customer)),
        }),
    );
    // The mirror takes the customer and its three contacts (in one write, each contact
    // filed under the new customer); the list has it.
    let put: Vec<&Customer> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Mirror(crate::app::mirror::state::MirrorOp::PutCustomer(c)) => Some(&**c),
            _ => None,
        })
        .collect();
    let [put] = put[..] else { panic!("{fx:?}") };
    assert_eq!(put.contacts.len(), 3, "{fx:?}");
    assert!(
        put.contacts
            .iter()
            .all(|k| k.customer_id == Some(NEW_CUSTOMER))
    );
    assert!(!fx.iter().any(|e| matches!(
        e,
        Effect::Mirror(crate::app::mirror::state::MirrorOp::PutContact(_))
    )));
    assert!(app.list.index.contains_key(&NEW_CUSTOMER));
    assert_eq!(
        screen(&app).run.as_ref().unwrap().state,
        RunState::Done {
            customer_id: NEW_CUSTOMER
        }
    );
    assert!(app.message.as_ref().unwrap().text.contains("3 contacts"));
    // Enter closes and goes to the customer's contacts.
    key(&mut app, KeyCode::Enter);
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.list.selected().unwrap().id(), NEW_CUSTOMER);
    assert_eq!(app.focus, Focus::Detail);
    assert_eq!(app.detail.tab, Tab::Contacts);
}

#[test]
fn after_a_failure_e_corrects_the_data_and_the_resume_sends_it() {
    let (mut app, _) = failed_at_second_contact("Harbor Dental");
    let fx = ch(&mut app, 'e');
    assert_eq!(screen(&app).step, Step::Review);
    no_duplicates(&mut app, &fx);
    // Back to the contacts, correct the failed one's e-mail, review, create.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Enter);
    fill(&mut app, "email", "");
    ctrl(&mut app, 'u');
    fill(&mut app, "email", "pay@harbor.example");
    ctrl(&mut app, 's');
    let fx = ctrl(&mut app, 's');
    no_duplicates(&mut app, &fx);
    let fx = key(&mut app, KeyCode::Enter);
    match &fx[..] {
        [
            Effect::Onboard(OnboardOp::Resume {
                id,
                onboarding: Some(onb),
                ..
            }),
        ] => {
            assert_eq!(id, "run-1");
            assert_eq!(
                onb.extra_contacts[0].1["email"],
                json!("pay@harbor.example")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(screen(&app).step, Step::Create);
}

#[test]
fn typed_data_is_never_dropped_without_a_yes() {
    let mut app = fixtures::app((100, 30));
    ch(&mut app, 'O');
    // Nothing typed: Esc leaves at once.
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);
    ch(&mut app, 'O');
    fill(&mut app, "business_name", "Harbor Dental");
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.stack.dialog().map(|d| d.ask.clone()),
        Some(Ask::OnboardLeave)
    );
    assert_eq!(app.mode(), Mode::Dialog);
    // Esc answers no: the data stays and the form takes text again.
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.dialog().is_none());
    assert_eq!(app.mode(), Mode::OnboardForm);
    assert_eq!(
        screen(&app)
            .customer
            .field("business_name")
            .unwrap()
            .value(),
        "Harbor Dental"
    );
    // Ctrl-C asks too.
    ctrl(&mut app, 'c');
    assert_eq!(app.stack.dialog().map(|d| d.ask.clone()), Some(Ask::Quit));
    assert!(!app.quit);
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit);
    key(&mut app, KeyCode::Esc);
    ch(&mut app, 'y');
    assert!(app.stack.onboard().is_none());
    assert!(app.message.as_ref().unwrap().text.contains("discarded"));
}

#[test]
fn read_only_refuses_the_onboarding() {
    let mut app = fixtures::app((100, 30));
    app.config.read_only = true;
    ch(&mut app, 'O');
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);
    let m = app.message.as_ref().unwrap();
    assert!(m.error && m.text.contains("Read-only"), "{m:?}");
}

#[test]
fn the_palette_opens_it_too() {
    let mut app = fixtures::app((100, 30));
    ch(&mut app, ':');
    for c in "onboard".chars() {
        ch(&mut app, c);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::OnboardForm);
    assert_eq!(screen(&app).step, Step::Customer);
}

/// A journal as the engine leaves it after a failure at the second contact.
pub(crate) fn stopped_run() -> OnboardRun {
    let (_, onb) = started("Harbor Dental");
    let mut run = OnboardRun::new(onb).unwrap();
    run.id = "20261126T230000000-abcd".into();
    run.steps[0].status = CreateStatus::Created { id: NEW_CUSTOMER };
    run.steps[1].status = CreateStatus::Created { id: 31005555 };
    run.steps[2].status = CreateStatus::Failed {
        error: "The server failed (HTTP 500)".into(),
        maybe_created: true,
    };
    assert_eq!(run.steps[2].target, Target::Contact { index: 1 });
    run
}

#[test]
fn an_unfinished_onboarding_is_offered_at_start_and_can_be_forgotten() {
    assert_eq!(startup(), Effect::Onboard(OnboardOp::LoadPending));
    let mut app = fixtures::app((100, 30));
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Pending(vec![stopped_run()])),
    );
    // Offered at once (the app is quiet), stopped where the journal stopped.
    assert_eq!(app.mode(), Mode::Onboard);
    let s = screen(&app);
    assert_eq!(s.step, Step::Create);
    let run = s.run.as_ref().unwrap();
    assert_eq!(run.created(), 2);
    assert!(matches!(&run.state, RunState::Stopped(e) if e.contains("HTTP 500")));
    // The forms hold the journal's data (for corrections).
    assert_eq!(
        s.customer.field("business_name").unwrap().value(),
        "Harbor Dental"
    );
    assert_eq!(s.customer.field("tax_rate_id").unwrap().value(), "7");
    assert_eq!(s.extras.len(), 2);
    assert_eq!(s.extras[0].field(ROLE_KEY).unwrap().value(), "Billing");
    assert_eq!(s.onboarding(), stopped_run().onboarding);
    // r resumes that journal.
    let fx = ch(&mut app, 'r');
    assert!(matches!(
        &fx[..],
        [Effect::Onboard(OnboardOp::Resume { id, onboarding: None, .. })]
            if id == "20261126T230000000-abcd"
    ));

    // Or D forgets it, after a y; what was created stays.
    let mut app = fixtures::app((100, 30));
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Pending(vec![stopped_run()])),
    );
    assert!(ch(&mut app, 'D').is_empty());
    assert_eq!(
        app.stack.dialog().map(|d| d.ask.clone()),
        Some(Ask::OnboardForgetRun)
    );
    let fx = ch(&mut app, 'y');
    assert_eq!(
        fx,
        vec![Effect::Onboard(OnboardOp::Discard {
            id: "20261126T230000000-abcd".into()
        })]
    );
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn an_offer_waits_for_an_open_form_to_close() {
    let mut app = fixtures::app((100, 30));
    ch(&mut app, 'n');
    assert_eq!(app.mode(), Mode::Form);
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Pending(vec![stopped_run()])),
    );
    assert_eq!(app.mode(), Mode::Form);
    assert!(app.stack.onboard().is_none());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Onboard);
    assert!(app.stack.onboard().is_some());
}

#[test]
fn esc_hides_a_running_onboarding_and_its_end_selects_the_new_customer() {
    let (mut app, onb) = started("Harbor Dental");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.message.as_ref().unwrap().text.contains("background"));
    assert!(app.loading(), "the spinner turns while it runs");
    assert!(app.activity().unwrap().contains("step 1 of 4"));
    // O shows it again, still running.
    ch(&mut app, 'O');
    assert_eq!(app.mode(), Mode::Onboard);
    assert!(screen(&app).is_running());
    key(&mut app, KeyCode::Esc);
    let done: Vec<StepState> = steps_of(&onb)
        .into_iter()
        .zip([NEW_CUSTOMER, 31005555, 31005556, 31005557])
        .map(|((l, _), id)| (l, CreateStatus::Created { id }))
        .collect();
    let customer = Customer {
        id: NEW_CUSTOMER,
        business_name: Some("Harbor Dental".into()),
        ..Customer::default()
    };
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Finished {
            error: None,
            steps: done,
            customer: Some(Box::new(customer)),
        }),
    );
    // Finished in the background: the screen goes, the list is on the new customer.
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.list.selected().unwrap().id(), NEW_CUSTOMER);
    assert!(app.message.as_ref().unwrap().text.contains("Onboarded"));
    assert!(!app.loading());
}

#[test]
fn a_failure_in_the_background_says_so_in_the_status_line() {
    let (mut app, onb) = started("Harbor Dental");
    key(&mut app, KeyCode::Esc);
    let mut steps = steps_of(&onb);
    steps[0].1 = CreateStatus::Failed {
        error: "Validation failed: Email is not an email".into(),
        maybe_created: false,
    };
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Finished {
            error: Some("Step 1 of 4 (Customer Harbor Dental) failed: Validation failed".into()),
            steps,
            customer: None,
        }),
    );
    let m = app.message.as_ref().unwrap();
    assert!(m.error && m.text.contains("O shows it"), "{m:?}");
    assert_eq!(app.mode(), Mode::Normal);
    ch(&mut app, 'O');
    assert!(matches!(
        screen(&app).run.as_ref().unwrap().state,
        RunState::Stopped(_)
    ));
}

#[test]
fn an_onboarding_typed_but_not_started_is_kept_as_a_draft_and_offered_back() {
    let mut app = at_contacts("Harbor Dental");
    add_contact(&mut app, 'b', "Priya Shah", "billing@harbor.example", "");
    let draft = unsaved(&app).expect("a draft to keep");
    assert_eq!(draft, screen(&app).onboarding());
    // Ctrl-C asks, and y quits (the loop writes the draft).
    ctrl(&mut app, 'c');
    assert_eq!(app.stack.dialog().map(|d| d.ask.clone()), Some(Ask::Quit));
    ch(&mut app, 'y');
    assert!(app.quit);

    // The next start: offered once the app is quiet; y restores every field.
    let mut app = fixtures::app((100, 30));
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Draft(Box::new(draft.clone()))),
    );
    assert_eq!(app.mode(), Mode::Dialog);
    assert_eq!(
        app.stack.dialog().map(|d| d.ask.clone()),
        Some(Ask::OnboardRestoreDraft)
    );
    assert!(ch(&mut app, 'y').is_empty());
    assert_eq!(app.mode(), Mode::OnboardForm);
    assert_eq!(screen(&app).step, Step::Customer);
    assert_eq!(screen(&app).onboarding(), draft);
    // A started run takes over from the draft (the worker removes the file).
    assert!(unsaved(&app).is_some());

    // Or later (Esc): nothing is forgotten, the draft stays for the next start.
    let mut app = fixtures::app((100, 30));
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Draft(Box::new(draft.clone()))),
    );
    assert!(
        ch(&mut app, 'N').is_empty(),
        "n does not throw a draft away"
    );
    assert_eq!(app.mode(), Mode::Dialog);
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);

    // Or discard it, as an explicit choice: the draft is forgotten.
    let mut app = fixtures::app((100, 30));
    update(
        &mut app,
        Action::Onboard(OnboardEvent::Draft(Box::new(draft))),
    );
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Onboard(OnboardOp::RemoveDraft)]);
    assert!(app.stack.onboard().is_none());
    assert_eq!(app.mode(), Mode::Normal);
}

/// What a draft cannot send (a tax rate ID that is not a number yet) still comes back as typed.
#[test]
fn a_draft_keeps_a_number_field_as_typed() {
    let mut app = at_contacts("Harbor Dental");
    let s = app.stack.onboard_mut().unwrap();
    s.customer
        .field_mut("tax_rate_id")
        .unwrap()
        .set_value("12a".into());
    let draft = unsaved(&app).expect("a draft to keep");
    assert_eq!(draft.customer["tax_rate_id"], serde_json::json!("12a"));
    let back = OnboardScreen::from_onboarding(&draft, "Customer Type");
    assert_eq!(back.customer.field("tax_rate_id").unwrap().value(), "12a");
    assert_eq!(
        back.customer.field("business_name").unwrap().value(),
        "Harbor Dental"
    );
    // A number is kept as the number the server takes.
    let s = app.stack.onboard_mut().unwrap();
    s.customer
        .field_mut("tax_rate_id")
        .unwrap()
        .set_value("12".into());
    assert_eq!(
        unsaved(&app).unwrap().customer["tax_rate_id"],
        serde_json::json!(12)
    );
}

#[test]
fn a_started_onboarding_needs_no_draft() {
    let (app, _) = started("Harbor Dental");
    assert!(unsaved(&app).is_none());
    let app = fixtures::app((100, 30));
    assert!(unsaved(&app).is_none());
}
