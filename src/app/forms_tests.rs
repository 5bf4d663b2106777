//! `update`-level tests of the forms: keys in, effects and state out. No terminal, no network.

#[allow(unused_imports)]
use crate::app::prelude::*;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::api::FieldError;
use crate::api::model::Customer;
use crate::api::model::Id;
use crate::app::action::Action;
use crate::app::fixtures;
use crate::app::keymap::map_key;
use crate::app::state::NOTE;
use crate::app::update;

const ACME: Id = 21000001;
const BOB: Id = 31000001;

fn app() -> App {
    fixtures::app((100, 30))
}

fn ev(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    match map_key(app.mode(), &KeyEvent::new(code, mods)) {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    ev(app, code, KeyModifiers::NONE)
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    ev(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars()
        .flat_map(|c| press(app, KeyCode::Char(c)))
        .collect()
}

fn form(app: &App) -> &FormUi {
    app.stack.form().expect("a form is open")
}

fn value(app: &App, key: &str) -> String {
    form(app)
        .form
        .field(key)
        .expect("field")
        .value()
        .to_string()
}

fn focus_field(app: &mut App, key: &str) {
    let f = app.stack.form_mut().expect("form");
    f.form.focus = f.form.fields.iter().position(|x| x.key == key).unwrap();
}

fn bob(app: &App) -> Contact {
    let i = app.list.index[&ACME];
    app.list.rows[i].customer().contacts[0].clone()
}

/// Detail focus, Contacts tab, `e` on the first contact (Bob).
fn edit_bob(app: &mut App) {
    press(app, KeyCode::Tab);
    press(app, KeyCode::Char('2'));
    press(app, KeyCode::Char('e'));
    assert_eq!(app.mode(), Mode::Form);
}

fn reread_token(fx: &[Effect]) -> u64 {
    match fx {
        [Effect::Reread { token, .. }] => *token,
        other => panic!("expected one re-read, got {other:?}"),
    }
}

fn save_of(fx: &[Effect]) -> (u64, crate::api::model::Patch) {
    match fx {
        [Effect::Save { token, patch, .. }] => (*token, patch.clone()),
        other => panic!("expected one save, got {other:?}"),
    }
}

fn lookup_token(fx: &[Effect]) -> u64 {
    match fx {
        [Effect::Lookup { token, .. }] => *token,
        other => panic!("expected one lookup, got {other:?}"),
    }
}

/// Edits Bob's title to "CEO" and presses Ctrl-S; returns the re-read's token.
fn bob_title_ceo(app: &mut App) -> u64 {
    edit_bob(app);
    focus_field(app, "title");
    ctrl(app, 'u');
    typed(app, "CEO");
    reread_token(&ctrl(app, 's'))
}

#[test]
fn keys_open_forms_in_the_detail_pane() {
    let mut a = app();
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(form(&a).form.target, FormTarget::NewCustomer);
    assert_eq!(a.focus, Focus::Detail);
    // A form without changes closes at once; its draft (if any) goes.
    let fx = press(&mut a, KeyCode::Esc);
    assert!(a.stack.form().is_none() && a.mode() == Mode::Normal);
    assert_eq!(fx, vec![Effect::RemoveDraft(FormTarget::NewCustomer)]);

    press(&mut a, KeyCode::Char('e'));
    assert_eq!(form(&a).form.target, FormTarget::EditCustomer { id: ACME });
    assert_eq!(value(&a, "business_name"), "Acme Plumbing, Inc.");
    press(&mut a, KeyCode::Esc);

    edit_bob(&mut a);
    assert_eq!(
        form(&a).form.target,
        FormTarget::EditContact {
            id: BOB,
            customer_id: ACME
        }
    );
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(
        form(&a).form.target,
        FormTarget::NewContact { customer_id: ACME }
    );
}

#[test]
fn moving_between_fields_and_enter() {
    let mut a = app();
    edit_bob(&mut a);
    // name, roles, title, e-mail, ...
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Tab);
    assert_eq!(form(&a).form.focused().key, "email");
    press(&mut a, KeyCode::BackTab);
    press(&mut a, KeyCode::Up);
    press(&mut a, KeyCode::Up);
    assert_eq!(form(&a).form.focused().key, "name");
    press(&mut a, KeyCode::Enter);
    assert_eq!(form(&a).form.focused().key, "roles");
    press(&mut a, KeyCode::Enter);
    assert_eq!(form(&a).form.focused().key, "title");
    // `q` and `j` are text in a form.
    typed(&mut a, "qj");
    assert!(!a.quit);
    assert_eq!(value(&a, "title"), "Ownerqj");
    // Enter on the last field saves.
    focus_field(&mut a, "notes");
    reread_token(&press(&mut a, KeyCode::Enter));
}

#[test]
fn an_edit_sends_only_the_changed_fields_and_updates_in_place() {
    let mut a = app();
    let token = bob_title_ceo(&mut a);
    assert!(a.stack.form().unwrap().busy());
    // Typing while the save runs is refused (it would be lost when the form closes).
    typed(&mut a, "x");
    assert_eq!(value(&a, "title"), "CEO");
    let server = bob(&a);
    let fx = update(
        &mut a,
        Action::FormReread {
            token,
            result: Ok(Record::Contact(server.clone())),
        },
    );
    let (token, patch) = save_of(&fx);
    // The changed field, and the contact's name, which Syncro's PUT requires.
    assert_eq!(patch.len(), 2, "{patch:?}");
    assert_eq!(patch["title"], json!("CEO"));
    assert_eq!(patch["name"], json!("Bob Builder"));
    let mut saved = server;
    saved.properties.insert("title".into(), json!("CEO"));
    let fx = update(
        &mut a,
        Action::FormSaved {
            token,
            result: Ok(Record::Contact(saved)),
        },
    );
    assert!(fx.contains(&Effect::RemoveDraft(FormTarget::EditContact {
        id: BOB,
        customer_id: ACME
    })));
    assert!(a.stack.form().is_none());
    assert_eq!(a.mode(), Mode::Normal);
    assert_eq!(a.message.as_ref().unwrap().text, "Saved");
    assert_eq!(bob(&a).title().as_deref(), Some("CEO"));
    let view = a.detail.view.as_ref().unwrap();
    assert!(
        view.contacts[0]
            .fields
            .iter()
            .any(|f| f.label == "Title" && f.value.contains("CEO")),
        "the detail shows the new title"
    );
    assert_eq!(a.detail.tab, Tab::Contacts);
    // "Saved" goes away after a while.
    let t0 = Instant::now();
    update(&mut a, Action::Tick(t0));
    update(&mut a, Action::Tick(t0 + NOTE + Duration::from_millis(1)));
    assert!(a.message.is_none());
}

#[test]
fn every_failure_keeps_the_form_and_ctrl_s_tries_again() {
    let errors = [
        ApiError::Connect {
            message: "connection refused".into(),
        },
        ApiError::Timeout {
            after: Duration::from_secs(30),
        },
        ApiError::Server {
            status: 500,
            message: "boom".into(),
        },
        ApiError::RateLimited { retry_after: None },
        ApiError::Unauthorized {
            message: "Invalid token".into(),
        },
    ];
    for e in errors {
        let mut a = app();
        let token = bob_title_ceo(&mut a);
        let server = bob(&a);
        let fx = update(
            &mut a,
            Action::FormReread {
                token,
                result: Ok(Record::Contact(server)),
            },
        );
        let (token, _) = save_of(&fx);
        update(
            &mut a,
            Action::FormSaved {
                token,
                result: Err(e.clone()),
            },
        );
        assert_eq!(a.mode(), Mode::Form, "{e}");
        assert_eq!(value(&a, "title"), "CEO", "{e}");
        assert!(matches!(form(&a).form.state, FormState::Failed(_)), "{e}");
        assert!(a.message.as_ref().unwrap().error);
        reread_token(&ctrl(&mut a, 's'));
    }
    // A failed re-read is a failure too.
    let mut a = app();
    let token = bob_title_ceo(&mut a);
    update(
        &mut a,
        Action::FormReread {
            token,
            result: Err(ApiError::Connect {
                message: "down".into(),
            }),
        },
    );
    assert!(matches!(form(&a).form.state, FormState::Failed(_)));
    assert_eq!(value(&a, "title"), "CEO");
}

#[test]
fn server_validation_goes_to_the_fields() {
    let mut a = app();
    press(&mut a, KeyCode::Char('n'));
    typed(&mut a, "Zed Co");
    let token = lookup_token(&ctrl(&mut a, 's'));
    let fx = update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![]),
        },
    );
    let (token, patch) = save_of(&fx);
    assert_eq!(patch["business_name"], json!("Zed Co"));
    update(
        &mut a,
        Action::FormSaved {
            token,
            result: Err(ApiError::Validation {
                errors: vec![
                    FieldError {
                        field: Some("email".into()),
                        message: "Email is not an email".into(),
                    },
                    FieldError {
                        field: None,
                        message: "Something else".into(),
                    },
                ],
            }),
        },
    );
    let f = &form(&a).form;
    assert_eq!(
        f.field("email").unwrap().error.as_deref(),
        Some("Email is not an email")
    );
    assert_eq!(f.top_errors, vec!["Something else".to_string()]);
    assert_eq!(f.focused().key, "email");
    assert_eq!(value(&a, "business_name"), "Zed Co");
}

#[test]
fn client_validation_sends_nothing() {
    let mut a = app();
    press(&mut a, KeyCode::Char('n'));
    focus_field(&mut a, "email");
    typed(&mut a, "not-an-email");
    let fx = ctrl(&mut a, 's');
    assert!(fx.is_empty(), "{fx:?}");
    let f = &form(&a).form;
    assert!(f.field("business_name").unwrap().error.is_some());
    assert!(f.field("email").unwrap().error.is_some());
    assert_eq!(f.focused().key, "business_name");
}

#[test]
fn conflicts_are_chosen_field_by_field() {
    // Theirs: nothing of mine is sent, the form closes.
    let mut a = app();
    let token = bob_title_ceo(&mut a);
    let mut server = bob(&a);
    server.properties.insert("title".into(), json!("President"));
    server.city = Some("Shelbyville".into());
    let fx = update(
        &mut a,
        Action::FormReread {
            token,
            result: Ok(Record::Contact(server.clone())),
        },
    );
    assert!(fx.is_empty());
    let c = &form(&a).form.conflicts;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].mine.as_str(), c[0].theirs.as_str()),
        ("CEO", "President")
    );
    // The colleague's city shows, untouched and unsent.
    assert_eq!(value(&a, "city"), "Shelbyville");
    press(&mut a, KeyCode::Char('t'));
    assert!(!form(&a).form.conflicts[0].keep_mine);
    let fx = press(&mut a, KeyCode::Enter);
    assert!(fx.iter().all(|e| !matches!(e, Effect::Save { .. })));
    assert!(a.stack.form().is_none());

    // Mine: only my field is sent.
    let mut a = app();
    let token = bob_title_ceo(&mut a);
    update(
        &mut a,
        Action::FormReread {
            token,
            result: Ok(Record::Contact(server)),
        },
    );
    press(&mut a, KeyCode::Char('t'));
    press(&mut a, KeyCode::Char('m'));
    let (_, patch) = save_of(&press(&mut a, KeyCode::Enter));
    // My field, and the name the contact PUT requires; never the colleague's city.
    assert_eq!(patch.len(), 2, "{patch:?}");
    assert_eq!(patch["title"], json!("CEO"));
    assert_eq!(patch["name"], json!("Bob Builder"));
    assert!(!patch.contains_key("city"));
}

#[test]
fn verify_before_create_finds_a_contact_of_any_loaded_customer() {
    let mut a = app();
    // A new contact of another customer with Bob's e-mail.
    press(&mut a, KeyCode::Char('j'));
    assert_ne!(a.detail.customer_id, Some(ACME));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char('n'));
    typed(&mut a, "Robert B");
    focus_field(&mut a, "email");
    typed(&mut a, "BOB@acme.test");
    let token = lookup_token(&ctrl(&mut a, 's'));
    let fx = update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![]),
        },
    );
    assert!(fx.is_empty(), "nothing is sent while matches are shown");
    assert_eq!(form(&a).matches.len(), 1);
    assert_eq!(form(&a).matches[0].reason, "same e-mail");
    // Ctrl-O opens Bob instead; what was typed is kept (a draft on disk, and `n` brings it back).
    let fx = ctrl(&mut a, 'o');
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(_)]), "{fx:?}");
    assert!(a.stack.form().is_none());
    assert!(a.set_aside.is_some());
    assert_eq!(a.detail.customer_id, Some(ACME));
    assert_eq!(a.detail.tab, Tab::Contacts);
    assert!(a.detail.contact_open);
    assert_eq!(a.detail.cursors[Tab::Contacts.index()], 0);
}

#[test]
fn verify_then_save_anyway_and_the_new_customer_is_selected() {
    let mut a = app();
    press(&mut a, KeyCode::Char('n'));
    typed(&mut a, "acme plumbing, inc.");
    let token = lookup_token(&ctrl(&mut a, 's'));
    update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![]),
        },
    );
    assert_eq!(form(&a).matches[0].reason, "same name");
    // Save anyway.
    let (token, _) = save_of(&ctrl(&mut a, 's'));
    let created = Customer {
        id: 99,
        business_name: Some("acme plumbing, inc.".into()),
        ..Customer::default()
    };
    update(
        &mut a,
        Action::FormSaved {
            token,
            result: Ok(Record::Customer(created)),
        },
    );
    assert_eq!(a.list.selected().unwrap().id(), 99);
    assert_eq!(a.detail.customer_id, Some(99));
}

#[test]
fn a_create_with_an_unknown_outcome_is_looked_for_before_sending_again() {
    let mut a = app();
    press(&mut a, KeyCode::Char('n'));
    typed(&mut a, "Brand New LLC");
    let token = lookup_token(&ctrl(&mut a, 's'));
    let (token, _) = save_of(&update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![]),
        },
    ));
    let fx = update(
        &mut a,
        Action::FormSaved {
            token,
            result: Err(ApiError::Timeout {
                after: Duration::from_secs(30),
            }),
        },
    );
    assert_eq!(form(&a).form.state, FormState::OutcomeUnknown);
    let token = lookup_token(&fx);
    // The lookup fails: Ctrl-S looks again, it does not send.
    update(
        &mut a,
        Action::FormLookup {
            token,
            result: Err(ApiError::Connect {
                message: "down".into(),
            }),
        },
    );
    assert_eq!(form(&a).form.state, FormState::OutcomeUnknown);
    let token = lookup_token(&ctrl(&mut a, 's'));
    // It is there: nothing is sent; Ctrl-O would open it.
    let there = Customer {
        id: 77,
        business_name: Some("Brand New LLC".into()),
        ..Customer::default()
    };
    let fx = update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![Record::Customer(there)]),
        },
    );
    assert!(fx.is_empty());
    assert_eq!(form(&a).matches.len(), 1);
    ctrl(&mut a, 'o');
    assert_eq!(a.list.selected().unwrap().id(), 77);

    // Not there: the next Ctrl-S sends once more.
    let mut a = app();
    press(&mut a, KeyCode::Char('n'));
    typed(&mut a, "Other New LLC");
    let token = lookup_token(&ctrl(&mut a, 's'));
    let (token, _) = save_of(&update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![]),
        },
    ));
    let fx = update(
        &mut a,
        Action::FormSaved {
            token,
            result: Err(ApiError::Connect {
                message: "reset".into(),
            }),
        },
    );
    let token = lookup_token(&fx);
    update(
        &mut a,
        Action::FormLookup {
            token,
            result: Ok(vec![]),
        },
    );
    assert!(form(&a).matches.is_empty());
    save_of(&ctrl(&mut a, 's'));
}

#[test]
fn esc_asks_before_discarding_and_the_default_keeps_editing() {
    let mut a = app();
    edit_bob(&mut a);
    typed(&mut a, "!");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.mode(), Mode::Dialog);
    assert_eq!(
        a.stack.dialog().unwrap().highlighted().unwrap().answer,
        Answer::No,
        "default: keep editing"
    );
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.mode(), Mode::Form);
    assert_eq!(value(&a, "name"), "Bob Builder!");
    press(&mut a, KeyCode::Esc);
    let fx = press(&mut a, KeyCode::Char('y'));
    assert!(a.stack.form().is_none());
    assert!(matches!(fx.as_slice(), [Effect::RemoveDraft(_)]));
}

#[test]
fn quitting_with_an_unsaved_form_asks_first() {
    let mut a = app();
    edit_bob(&mut a);
    typed(&mut a, "!");
    ctrl(&mut a, 'c');
    assert!(!a.quit);
    assert!(matches!(a.stack.dialog().unwrap().ask, Ask::Quit));
    press(&mut a, KeyCode::Enter);
    assert!(!a.quit && a.mode() == Mode::Form);
    ctrl(&mut a, 'c');
    press(&mut a, KeyCode::Char('y'));
    assert!(a.quit);
    // The loop writes this on the way out.
    assert_eq!(unsaved_draft(&a).unwrap().values["name"], "Bob Builder!");
}

#[test]
fn drafts_are_written_while_typing_and_offered_back() {
    let mut a = app();
    edit_bob(&mut a);
    typed(&mut a, "!");
    let t0 = Instant::now();
    assert!(a.wants_tick());
    assert!(update(&mut a, Action::Tick(t0)).is_empty());
    let fx = update(&mut a, Action::Tick(t0 + DRAFT_DEBOUNCE));
    let draft = match fx.as_slice() {
        [Effect::SaveDraft(d)] => d.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(draft.values["name"], "Bob Builder!");

    // Next start: restore it.
    let mut b = app();
    update(
        &mut b,
        Action::DraftsLoaded(vec![draft.clone(), draft.clone()]),
    );
    assert_eq!(b.mode(), Mode::Dialog);
    press(&mut b, KeyCode::Enter);
    assert_eq!(b.mode(), Mode::Form);
    assert_eq!(value(&b, "name"), "Bob Builder!");
    assert!(form(&b).form.field("name").unwrap().is_changed());
    // The second one waits until this form closes; then discard it.
    press(&mut b, KeyCode::Esc);
    let fx = press(&mut b, KeyCode::Char('y'));
    assert!(matches!(fx.as_slice(), [Effect::RemoveDraft(_)]));
    assert!(matches!(
        b.stack.dialog().unwrap().ask,
        Ask::RestoreDraft(_)
    ));
    // Discarding is an explicit choice: no letter does it (n is "new" on the list, d is
    // "delete"); it is reached with Tab and taken with Enter.
    assert!(press(&mut b, KeyCode::Char('n')).is_empty());
    assert!(press(&mut b, KeyCode::Char('d')).is_empty());
    assert_eq!(b.mode(), Mode::Dialog);
    press(&mut b, KeyCode::Tab);
    press(&mut b, KeyCode::Tab);
    let fx = press(&mut b, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::RemoveDraft(draft.target)]);
    assert_eq!(b.mode(), Mode::Normal);
}

#[test]
fn deleting_a_contact_asks_and_no_is_the_default() {
    let mut a = app();
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char('d'));
    assert_eq!(a.mode(), Mode::Dialog);
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    assert_eq!(a.mode(), Mode::Normal);
    press(&mut a, KeyCode::Char('d'));
    press(&mut a, KeyCode::Left);
    let fx = press(&mut a, KeyCode::Enter);
    let target = Deletion::Contact {
        id: BOB,
        customer_id: ACME,
    };
    assert_eq!(fx, vec![Effect::Delete(target)]);
    update(
        &mut a,
        Action::Deleted {
            target,
            result: Ok(()),
        },
    );
    let i = a.list.index[&ACME];
    assert!(
        a.list.rows[i]
            .customer()
            .contacts
            .iter()
            .all(|c| c.id != BOB)
    );
    assert_eq!(a.detail.view.as_ref().unwrap().contacts.len(), 2);
}

#[test]
fn deleting_a_customer_needs_its_exact_name() {
    let mut a = app();
    press(&mut a, KeyCode::Char('D'));
    assert_eq!(a.mode(), Mode::Dialog);
    typed(&mut a, "acme plumbing, inc.");
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    assert_eq!(a.mode(), Mode::Dialog, "a near miss does not delete");
    ctrl(&mut a, 'u');
    typed(&mut a, "Acme Plumbing, Inc.");
    let fx = press(&mut a, KeyCode::Enter);
    let target = Deletion::Customer { id: ACME };
    assert_eq!(fx, vec![Effect::Delete(target)]);
    let n = a.list.rows.len();
    update(
        &mut a,
        Action::Deleted {
            target,
            result: Ok(()),
        },
    );
    assert_eq!(a.list.rows.len(), n - 1);
    assert!(!a.list.index.contains_key(&ACME));
    assert_ne!(a.detail.customer_id, Some(ACME));
}

#[test]
fn read_only_disables_every_write_key() {
    let mut a = app();
    a.config.read_only = true;
    for k in ['n', 'e', 'D'] {
        press(&mut a, KeyCode::Char(k));
        assert!(
            a.stack.form().is_none() && a.stack.dialog().is_none(),
            "{k}"
        );
        assert_eq!(a.message.as_ref().unwrap().text, READ_ONLY);
    }
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('2'));
    for k in ['n', 'e', 'd'] {
        a.message = None;
        press(&mut a, KeyCode::Char(k));
        assert!(
            a.stack.form().is_none() && a.stack.dialog().is_none(),
            "{k}"
        );
        assert_eq!(a.message.as_ref().unwrap().text, READ_ONLY);
    }
}

#[test]
fn editor_revert_and_the_type_pick_list() {
    let mut a = app();
    edit_bob(&mut a);
    focus_field(&mut a, "notes");
    let fx = ctrl(&mut a, 'e');
    assert_eq!(
        fx,
        vec![Effect::EditExternally {
            value: String::new()
        }]
    );
    update(
        &mut a,
        Action::EditorDone(Ok("line one\nline two\n".into())),
    );
    assert_eq!(value(&a, "notes"), "line one\nline two");
    update(&mut a, Action::EditorDone(Err("vi: not found".into())));
    assert_eq!(value(&a, "notes"), "line one\nline two");
    assert!(a.message.as_ref().unwrap().error);
    ctrl(&mut a, 'r');
    assert_eq!(value(&a, "notes"), "");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.focus, Focus::Detail, "back where the form was opened");

    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('n'));
    focus_field(&mut a, "customer_type");
    assert_eq!(value(&a, "customer_type"), "Business");
    press(&mut a, KeyCode::Right);
    assert_eq!(value(&a, "customer_type"), "Residential");
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(value(&a, "customer_type"), "Government");
    press(&mut a, KeyCode::Char(' '));
    assert_eq!(value(&a, "customer_type"), "Non-Profit");
}

#[test]
fn a_message_box_over_a_form_returns_to_the_form() {
    let mut a = app();
    edit_bob(&mut a);
    a.stack.push(crate::app::Screen::Dialog(Box::new(
        crate::app::Dialog::message("x", vec![], true),
    )));
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.mode(), Mode::Form);
}

#[test]
fn stale_answers_are_dropped() {
    let mut a = app();
    let token = bob_title_ceo(&mut a);
    let server = bob(&a);
    let fx = update(
        &mut a,
        Action::FormReread {
            token: token + 1000,
            result: Ok(Record::Contact(server)),
        },
    );
    assert!(fx.is_empty());
    assert!(a.stack.form().unwrap().busy());
}

#[test]
fn a_customer_edit_sends_its_fields_over_a_colleagues_changes() {
    let mut a = app();
    press(&mut a, KeyCode::Char('e'));
    focus_field(&mut a, "customer_type");
    press(&mut a, KeyCode::Char('g'));
    focus_field(&mut a, "phone");
    ctrl(&mut a, 'u');
    typed(&mut a, "555 000 1234");
    let token = reread_token(&ctrl(&mut a, 's'));
    let i = a.list.index[&ACME];
    let mut server = a.list.rows[i].customer();
    server.city = Some("Capital City".into());
    server
        .properties
        .insert("Managed Status".into(), json!("Unmanaged"));
    let fx = update(
        &mut a,
        Action::FormReread {
            token,
            result: Ok(Record::Customer(server.clone())),
        },
    );
    let (token, patch) = save_of(&fx);
    assert_eq!(patch.len(), 2, "{patch:?}");
    // Sent as the digits Syncro keeps for a customer.
    assert_eq!(patch["phone"], json!("5550001234"));
    // The type lives in a property; the colleague's property change is kept in the map.
    assert_eq!(
        patch["properties"],
        json!({"Customer Type": "Government", "Managed Status": "Unmanaged"})
    );
    // The answer has no embedded contacts: the row keeps them.
    let mut saved = server;
    saved.phone = Some("555 000 1234".into());
    saved.contacts.clear();
    update(
        &mut a,
        Action::FormSaved {
            token,
            result: Ok(Record::Customer(saved)),
        },
    );
    let row = &a.list.rows[a.list.index[&ACME]];
    assert_eq!(row.customer().phone.as_deref(), Some("555 000 1234"));
    assert_eq!(row.customer().city.as_deref(), Some("Capital City"));
    assert_eq!(row.customer().contacts.len(), 3);
    assert_eq!(a.list.selected().unwrap().id(), ACME);
}

#[test]
fn drafts_wait_for_the_search_to_close() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    let mut f = Form::new_contact(ACME);
    f.fields[0].set_value("Zoë".into());
    update(&mut a, Action::DraftsLoaded(vec![f.to_draft()]));
    assert_eq!(a.mode(), Mode::Search);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.mode(), Mode::Dialog);
}

#[test]
fn a_customer_renamed_out_of_the_search_stays_in_sight_until_the_search_changes() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    typed(&mut a, "acme");
    press(&mut a, KeyCode::Enter);
    let acme = a.list.selected().unwrap().customer();
    assert_eq!(acme.id, ACME);
    let shown = a.list.shown.len();
    // A save answered with the customer renamed (here by a colleague, taken as theirs).
    let mut renamed = acme.clone();
    renamed.business_name = Some("Zenith Holdings".into());
    renamed.business_then_name = Some("Zenith Holdings".into());
    press(&mut a, KeyCode::Char('e'));
    let token = a.stack.form().unwrap().token;
    a.stack.form_mut().unwrap().pending = Some(crate::app::form::Pending::Save);
    update(
        &mut a,
        Action::FormSaved {
            token,
            result: Ok(Record::Customer(renamed)),
        },
    );
    assert_eq!(
        a.list.shown.len(),
        shown,
        "still listed under \"acme\": {:?}",
        a.message
    );
    assert!(
        a.stack.form().is_none(),
        "{:?}",
        a.stack.form().map(|f| &f.form.target)
    );
    assert_eq!(a.list.selected().unwrap().id(), ACME);
    assert_eq!(a.list.selected().unwrap().view.name(), "Zenith Holdings");
    // Another search lets it go.
    press(&mut a, KeyCode::Char('/'));
    typed(&mut a, "e");
    assert!(!a.list.shown.iter().any(|&i| a.list.rows[i].id() == ACME));
}

#[test]
fn fields_the_server_did_not_keep_are_marked_and_stay_typed() {
    let mut a = app();
    press(&mut a, KeyCode::Char('e'));
    focus_field(&mut a, "city");
    press(&mut a, KeyCode::End);
    typed(&mut a, "ville");
    let typed_city = value(&a, "city");
    let token = a.stack.form().unwrap().token;
    a.stack.form_mut().unwrap().pending = Some(crate::app::form::Pending::Save);
    update(
        &mut a,
        Action::FormSaved {
            token,
            result: Err(ApiError::NotKept {
                fields: vec!["city".into(), "properties.Customer Type".into()],
            }),
        },
    );
    let f = &form(&a).form;
    assert!(
        f.field("city")
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("Not kept")
    );
    assert!(f.field(crate::app::form::TYPE_KEY).unwrap().error.is_some());
    assert_eq!(value(&a, "city"), typed_city, "what was typed stays");
    assert!(a.message.as_ref().unwrap().error);
    assert!(
        a.message
            .as_ref()
            .unwrap()
            .text
            .contains("did not keep city")
    );
}

/// A customer's phone reads the same in the list, the detail, the form and a copy
/// (`(555) 123-4567`, never the stored `5551234567`); a changed one is saved as its digits,
/// which is what Syncro keeps.
#[test]
fn a_phone_reads_the_same_in_list_detail_form_and_copy() {
    let mut app = app();
    let i = app.list.index[&ACME];
    assert_eq!(
        app.list.rows[i].customer().phone.as_deref(),
        Some("5551234567")
    );
    let list = app.list.rows[i].view.phone().to_string();
    let detail = app
        .detail
        .view
        .as_ref()
        .and_then(|v| v.fields.iter().find(|f| f.label == "Phone"))
        .map(|f| (f.value.clone(), f.copy.clone()))
        .expect("the overview has the phone");
    press(&mut app, KeyCode::Char('e'));
    let form = value(&app, "phone");
    assert_eq!(list, "(555) 123-4567");
    assert_eq!(detail, (list.clone(), list.clone()));
    assert_eq!(form, list);
    // Unchanged, it is not sent.
    assert!(!form_patch(&app).contains_key("phone"));
    focus_field(&mut app, "phone");
    ctrl(&mut app, 'u');
    typed(&mut app, "(503) 555-0142");
    assert_eq!(
        value(&app, "phone"),
        "(503) 555-0142",
        "the form keeps what was typed"
    );
    assert_eq!(form_patch(&app)["phone"], json!("5035550142"));
}

fn form_patch(app: &App) -> crate::api::model::Patch {
    form(app).form.patch()
}
