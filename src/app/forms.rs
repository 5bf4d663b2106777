//! The form screen: opening forms, saving them (verify before create, re-read and conflicts
//! before an update, an unknown outcome never sent twice blindly), drafts, deletes, and the
//! dialogs that guard them. Pure like the rest of the model.
//!
//! Save paths:
//! ```text
//! edit:   Ctrl-S -> validate -> Reread -> (conflicts? user picks per field) -> Save(patch) -> Saved
//! create: Ctrl-S -> validate -> matches (loaded data, + Lookup for customers) -> Save -> Saved
//!         Save fails with an unknown outcome -> Lookup -> found? offer to open it : offer to send
//! ```
//! Every failure leaves the form open with its content; the save key tries again. A save
//! answered 404 (a colleague deleted the record) asks whether to create it anew or close.

use std::time::{Duration, Instant};

use tui_input::InputRequest;

use crate::api::model::{Contact, Customer};
use crate::api::{ApiError, FieldError};
use crate::app::action::Cmd;
use crate::app::dialog::{Answer, Ask, Dialog, Tone};
use crate::app::effect::Effect;
use crate::app::form::{Form, FormState, FormUi, Identity, Match, Pending};
use crate::app::kinds::{Debounce, Focus, Mode, Tab};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{mirror, panes};
use crate::domain::{ContactChange, Deletion, Draft, FormTarget, Record};
use crate::roles::Title;
use crate::sanitize;

/// The pause in typing after which the draft file is written. The first tick after a key arms
/// the timer (at most one [`crate::app::TICK`], 80 ms, later) and the write goes at the first
/// tick past the pause: two ticks later. A kill -9 loses at most 240 ms of typing.
pub const DRAFT_DEBOUNCE: Duration = Duration::from_millis(160);
/// What every write key says in read-only mode.
/// The one answer to a write refused in read-only mode (see [`crate::domain::READ_ONLY`]).
pub const READ_ONLY: &str = crate::domain::READ_ONLY;

/// The key that saves a form, as the keymap in force has it (`Ctrl-s`, or the override).
pub fn save_key(app: &App) -> String {
    app.config
        .keymap
        .key_label(Mode::Form, Cmd::FormSave)
        .unwrap_or_else(|| "the save key".into())
}

fn is_form(s: &Screen) -> bool {
    matches!(s, Screen::Form(_))
}

/// The draft to write when the app stops with a form that has changes (or a new record's
/// typing set aside by Ctrl-O).
pub fn unsaved_draft(app: &App) -> Option<Draft> {
    app.stack
        .form()
        .filter(|f| f.form.is_dirty())
        .map(|f| f.form.to_draft())
        .or_else(|| app.set_aside.clone())
}

/// Drafts and passing notes run on the tick.
pub fn tick(app: &mut App, now: Instant, fx: &mut Vec<Effect>) {
    if let Some(f) = app.stack.form_mut() {
        match f.draft {
            Debounce::Armed => f.draft = Debounce::Until(now + DRAFT_DEBOUNCE),
            Debounce::Until(t) if now >= t => {
                f.draft = Debounce::Idle;
                fx.push(Effect::SaveDraft(f.form.to_draft()));
            }
            _ => {}
        }
    }
    match app.flash {
        Debounce::Armed => app.flash = Debounce::Until(now + crate::app::state::NOTE),
        Debounce::Until(t) if now >= t => {
            app.flash = Debounce::Idle;
            if app.message.as_ref().is_some_and(|m| !m.error) {
                app.message = None;
            }
        }
        _ => {}
    }
}

/// `n`, `e`, `d`, `D` while browsing.
pub fn browse_command(app: &mut App, cmd: Cmd) {
    if app.config.read_only {
        app.say(READ_ONLY, true);
        return;
    }
    let on_contacts = app.focus == Focus::Detail && app.detail.tab == Tab::Contacts;
    let selected = app.list.selected().map(|r| r.customer());
    let cursor = app.detail.cursors[Tab::Contacts.index()];
    let contact = || {
        selected
            .as_ref()
            .and_then(|c| c.contacts.get(cursor).cloned())
    };
    match cmd {
        Cmd::New if on_contacts => match &selected {
            Some(c) => {
                let form = Form::new_contact(c.id);
                open_new(app, form, c.display_name());
            }
            None => app.say("Select a customer first", false),
        },
        Cmd::New => {
            let form = Form::new_customer(&app.config.customer_type_property);
            open_new(app, form, String::new());
        }
        Cmd::Edit if on_contacts => match (contact(), &selected) {
            (Some(ct), Some(c)) => edit_contact(app, c, &ct),
            _ => app.say("No contact selected", false),
        },
        Cmd::Edit => match &selected {
            Some(c) => {
                let form = Form::edit_customer(c, &app.config.customer_type_property);
                open_form(app, form, c.display_name());
            }
            None => app.say("No customer selected", false),
        },
        Cmd::Delete if on_contacts => match (contact(), &selected) {
            (Some(ct), Some(c)) => ask_delete_contact(app, c, &ct),
            _ => app.say("No contact selected", false),
        },
        Cmd::Delete => app.say(
            "d deletes a contact: open the Contacts tab (2) and pick one; D deletes the customer",
            false,
        ),
        Cmd::DeleteCustomer => match &selected {
            Some(c) => {
                let name = c.display_name();
                let label = sanitize::line(&name);
                let d = Dialog::new(
                    Ask::DeleteCustomer {
                        id: c.id,
                        name: name.clone(),
                    },
                    "Delete customer for good?",
                )
                .body(vec![format!(
                    "Deletes {label} from Syncro for good, with what hangs on it. Syncro has no undo. Type the name exactly, then Enter deletes."
                )])
                .choice("Delete for good", None, Answer::Yes)
                .choice("Keep the customer", None, Answer::No)
                .default_to(Answer::No)
                .tone(Tone::Danger)
                .typed(&name);
                app.stack.push(Screen::Dialog(Box::new(d)));
            }
            None => app.say("No customer selected", false),
        },
        _ => {}
    }
}

/// The contact's edit form.
pub fn edit_contact(app: &mut App, customer: &Customer, ct: &Contact) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    let mut form = Form::edit_contact(ct);
    if let FormTarget::EditContact { customer_id, .. } = &mut form.target
        && *customer_id == 0
    {
        *customer_id = customer.id;
    }
    open_form(app, form, ct.name.clone().unwrap_or_default());
}

/// A new contact's form under `customer`.
pub fn new_contact(app: &mut App, customer: &Customer) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    open_new(app, Form::new_contact(customer.id), customer.display_name());
}

fn contact_label(ct: &Contact) -> String {
    ct.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or(ct.email.clone())
        .unwrap_or_else(|| format!("contact {}", ct.id))
}

/// Asks before deleting a contact; a contact who left is better retired.
pub fn ask_delete_contact(app: &mut App, customer: &Customer, ct: &Contact) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    let name = contact_label(ct);
    let label = sanitize::line(&name);
    let d = Dialog::new(
        Ask::DeleteContact {
            id: ct.id,
            customer_id: customer.id,
            name,
        },
        "Delete contact?",
    )
    .body(vec![format!(
        "Deletes {label} from Syncro for good. Syncro has no undo. For someone who left, retire keeps their history (L)."
    )])
    .choice("Keep the contact", None, Answer::No)
    .choice("Delete it", None, Answer::Yes)
    .default_to(Answer::No)
    .tone(Tone::Danger);
    app.stack.push(Screen::Dialog(Box::new(d)));
}

/// Asks before retiring a contact who left (or reinstating one).
pub fn ask_retire(app: &mut App, customer: &Customer, ct: &Contact) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    let retired = Title::read(&ct.title().unwrap_or_default()).retired;
    let name = contact_label(ct);
    let (label, company) = (
        sanitize::line(&name),
        sanitize::line(&customer.display_name()),
    );
    let ask = Ask::RetireContact {
        id: ct.id,
        customer_id: customer.id,
        retire: !retired,
    };
    let d = if retired {
        Dialog::new(ask, "Reinstate the contact?")
            .body(vec![format!(
                "Takes the mark of a contact who left off {label} at {company}: the title loses \"{}\" and the contact is listed again.",
                crate::roles::retired_prefix().trim()
            )])
            .choice("Leave as is", None, Answer::No)
            .choice("Reinstate", None, Answer::Yes)
            .default_to(Answer::No)
    } else {
        Dialog::new(ask, "Retire the contact?")
            .body(vec![format!(
                "Marks {label} as having left {company}: the title starts with \"{}\" and the contacts list hides them (x shows them). Their tickets and history stay; reinstating undoes it.",
                crate::roles::retired_prefix().trim()
            )])
            .choice("Keep as is", None, Answer::No)
            .choice("Retire", None, Answer::Yes)
            .default_to(Answer::No)
    };
    app.stack.push(Screen::Dialog(Box::new(d)));
}

/// Asks before moving a contact to another customer, naming both.
pub fn ask_move(app: &mut App, from: &Customer, ct: &Contact, to: &Customer) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    if from.id == to.id {
        return app.say("The contact is already there", false);
    }
    let d = Dialog::new(
        Ask::MoveContact {
            id: ct.id,
            from: from.id,
            to: to.id,
        },
        "Move the contact?",
    )
    .body(vec![format!(
        "Moves {} from {} to {}. Tickets stay with the customer they were opened under.",
        sanitize::line(&contact_label(ct)),
        sanitize::line(&from.display_name()),
        sanitize::line(&to.display_name()),
    )])
    .choice("Keep it where it is", None, Answer::No)
    .choice("Move it", None, Answer::Yes)
    .default_to(Answer::No);
    app.stack.push(Screen::Dialog(Box::new(d)));
}

/// A new record's form; what was typed before Ctrl-O set it aside comes back in it.
fn open_new(app: &mut App, form: Form, subject: String) {
    let back = app
        .set_aside
        .take_if(|d| d.target == form.target)
        .map(|d| Form::from_draft(&d));
    let restored = back.is_some();
    open_form(app, back.unwrap_or(form), subject);
    if restored {
        if let Some(f) = app.stack.form_mut() {
            f.draft = Debounce::Armed;
        }
        app.say(
            "What you typed before opening the existing record is back",
            false,
        );
    }
}

fn open_form(app: &mut App, form: Form, subject: String) {
    let token = app.generation();
    let focus_before = app.focus;
    app.stack.push(Screen::Form(Box::new(FormUi {
        form,
        token,
        pending: None,
        matches: Vec::new(),
        checked: false,
        draft: Debounce::Idle,
        subject: sanitize::line(&subject),
        focus_before,
        server: None,
    })));
    app.focus = Focus::Detail;
}

/// Closes the form; its draft goes too (saved or deliberately discarded).
fn close_form(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(Screen::Form(f)) = app.stack.remove(is_form) {
        fx.push(Effect::RemoveDraft(f.form.target.clone()));
        app.focus = f.focus_before;
    }
}

/// Offers the next draft of an earlier run (the base is in front). True when one is offered.
pub fn offer_draft(app: &mut App) -> bool {
    if app.drafts_waiting.is_empty() {
        return false;
    }
    let d = app.drafts_waiting.remove(0);
    let changed = d
        .values
        .iter()
        .filter(|(k, v)| d.originals.get(*k) != Some(*v))
        .count();
    let name = ["business_name", "name", "lastname"]
        .iter()
        .find_map(|k| d.values.get(*k).filter(|v| !v.trim().is_empty()))
        .map(|v| format!(" \"{}\"", sanitize::line(v)))
        .unwrap_or_default();
    let body = format!(
        "A form was left open last time: {}{name}, {changed} changed field{}. Restore opens it as it was typed; later keeps the draft for the next start.",
        d.target.title(),
        if changed == 1 { "" } else { "s" }
    );
    let dialog = Dialog::new(Ask::RestoreDraft(Box::new(d)), "Unsaved draft found")
        .body(vec![body])
        .choice("Restore it", Some('r'), Answer::Yes)
        .choice("Decide later", Some('l'), Answer::Later)
        .choice("Discard the draft", None, Answer::Discard)
        .default_to(Answer::Yes)
        .cancel_with(Answer::Later);
    app.stack.push(Screen::Dialog(Box::new(dialog)));
    true
}

/// Quit while something typed is unsaved: ask first (the safe answer stays).
pub fn ask_quit(app: &mut App) {
    let d = Dialog::new(Ask::Quit, "Quit with unsaved changes?")
        .body(vec![
            "What you typed is not saved. Quitting keeps it as a draft, offered back at the next start."
                .into(),
        ])
        .choice("Stay", None, Answer::No)
        .choice("Quit and keep a draft", None, Answer::Yes)
        .default_to(Answer::No);
    app.stack.push(Screen::Dialog(Box::new(d)));
}

/// Keys while a form is open.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    if cmd == Cmd::FormApplyName {
        return apply_house_name(app);
    }
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    if !f.form.conflicts.is_empty() {
        return conflict_command(app, cmd, fx);
    }
    let busy = f.pending.is_some();
    match cmd {
        Cmd::FormNext => f.form.next_field(),
        Cmd::FormPrev => f.form.prev_field(),
        Cmd::FormEnter if !f.form.on_last_field() => f.form.next_field(),
        Cmd::FormEnter | Cmd::FormSave => save(app, fx),
        Cmd::FormCancel if busy => app.say("Wait for the server's answer", false),
        Cmd::FormCancel => {
            if f.form.is_dirty() {
                let d = Dialog::new(Ask::DiscardForm, "Discard changes?")
                    .body(vec!["The form has changes that are not saved.".into()])
                    .choice("Keep editing", None, Answer::No)
                    .choice("Discard the changes", None, Answer::Yes)
                    .default_to(Answer::No)
                    .tone(Tone::Danger);
                app.stack.push(Screen::Dialog(Box::new(d)));
            } else {
                close_form(app, fx);
            }
        }
        Cmd::FormEditor if busy => {}
        Cmd::FormEditor => fx.push(Effect::EditExternally {
            value: f.form.focused().value().to_string(),
        }),
        Cmd::FormRevert if busy => {}
        Cmd::FormRevert => {
            f.form.revert_focused();
            changed(f);
        }
        Cmd::FormOpenMatch => match f.matches.first().cloned() {
            Some(m) if !busy => open_match(app, m, fx),
            _ => app.say("Nothing found to open", false),
        },
        _ => {}
    }
}

/// The conflict view: per field, keep mine or take the server's; Enter goes on with the save.
fn conflict_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    let form = &mut f.form;
    let n = form.conflicts.len();
    match cmd {
        Cmd::FormNext => form.conflict_focus = (form.conflict_focus + 1) % n,
        Cmd::FormPrev => form.conflict_focus = (form.conflict_focus + n - 1) % n,
        Cmd::FormEnter | Cmd::FormSave => {
            form.resolve_conflicts();
            changed(f);
            send_update(app, fx);
        }
        Cmd::FormCancel => {
            // Back to the form: the typed values stay; the next save checks again.
            form.conflicts.clear();
            form.state = FormState::Editing;
        }
        _ => {}
    }
}

/// A key typed into the form's focused field (or, in a conflict, `m`/`t`/Space).
pub fn edit(app: &mut App, req: InputRequest) {
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    if f.pending.is_some() {
        app.say("Wait for the server's answer", false);
        return;
    }
    if !f.form.conflicts.is_empty() {
        let i = f.form.conflict_focus.min(f.form.conflicts.len() - 1);
        let c = &mut f.form.conflicts[i];
        match req {
            InputRequest::InsertChar('m') | InputRequest::GoToPrevChar => c.keep_mine = true,
            InputRequest::InsertChar('t') | InputRequest::GoToNextChar => c.keep_mine = false,
            InputRequest::InsertChar(' ') => c.keep_mine = !c.keep_mine,
            _ => {}
        }
        return;
    }
    let before = f.form.focused().value().to_string();
    f.form.edit_focused(req);
    if f.form.focused().value() != before {
        changed(f);
        if f.form.state != FormState::OutcomeUnknown {
            f.checked = false;
        }
    }
}

/// `$EDITOR` returned.
pub fn editor_done(app: &mut App, result: Result<String, String>) {
    match (result, app.stack.form_mut()) {
        (Ok(v), Some(f)) => {
            f.form.set_focused_value(v);
            changed(f);
        }
        (Err(e), _) => app.say(
            format!("Could not run an editor ({e}); the field is unchanged"),
            true,
        ),
        (Ok(_), None) => {}
    }
}

/// The save key (or Enter on the last field).
fn save(app: &mut App, fx: &mut Vec<Effect>) {
    if app.config.read_only {
        app.say(READ_ONLY, true);
        return;
    }
    let token = app.generation();
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    if f.pending.is_some() {
        return;
    }
    if !f.form.validate() {
        f.form.state = FormState::Editing;
        app.say("Check the marked fields", true);
        return;
    }
    f.form.top_errors.clear();
    f.token = token;
    let target = f.form.target.clone();
    if !target.is_create() {
        if !f.form.is_dirty() {
            close_form(app, fx);
            app.say("No changes to save", false);
            return;
        }
        f.pending = Some(Pending::Reread);
        fx.push(Effect::Reread { token, target });
        return;
    }
    if f.form.state == FormState::OutcomeUnknown {
        lookup(f, true, fx);
        return;
    }
    if f.checked {
        send_create(f, fx);
        return;
    }
    // Loaded data first (contacts of every loaded customer), then the server: customers by
    // e-mail and name, contacts among the customer's own.
    let known = known_matches(app);
    if let Some(f) = app.stack.form_mut() {
        f.matches = known;
        lookup(f, false, fx);
    }
}

/// After the re-read (and the user's choices on conflicts): sends the changed fields.
fn send_update(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    let patch = f.form.patch();
    if patch.is_empty() {
        let server = f.server.take();
        let target = f.form.target.clone();
        close_form(app, fx);
        // What the server has is what the list shows now.
        if let Some(record) = server {
            apply_record(app, record, &target, fx);
        }
        app.note("Nothing left to save: the server already has these values");
        return;
    }
    f.form.state = FormState::Saving;
    f.pending = Some(Pending::Save);
    fx.push(Effect::Save {
        token: f.token,
        target: f.form.target.clone(),
        patch,
        before: f.server.clone().map(Box::new),
    });
}

/// The record re-read before a PUT: conflicts, or the update goes out.
pub fn reread(app: &mut App, token: u64, result: Result<Record, ApiError>, fx: &mut Vec<Effect>) {
    let key = save_key(app);
    let Some(f) = app.stack.form_mut().filter(|f| f.token == token) else {
        return;
    };
    if f.pending != Some(Pending::Reread) {
        return;
    }
    f.pending = None;
    let conflicts = match &result {
        Ok(Record::Customer(c)) => f.form.detect_conflicts_customer(c),
        Ok(Record::Contact(c)) => f.form.detect_conflicts_contact(c),
        Err(ApiError::NotFound { .. }) => {
            f.form.state = FormState::Failed("Not saved: the record is gone from Syncro.".into());
            return record_gone(app, fx);
        }
        Err(e) => {
            failed(f, e, &key);
            app.say(format!("Not saved: {e}"), true);
            return;
        }
    };
    f.server = result.ok();
    if conflicts {
        f.form.state = FormState::Editing;
        app.say(
            "Someone changed these fields on the server too: choose per field",
            true,
        );
    } else {
        send_update(app, fx);
    }
}

/// The record the form edits is gone (404): it leaves the list and the mirror, and the
/// technician chooses: create it anew, close the form, or keep editing.
fn record_gone(app: &mut App, fx: &mut Vec<Effect>) {
    let target = app.stack.form().map(|f| f.form.target.clone());
    let what = match target {
        Some(FormTarget::EditContact { id, customer_id }) => {
            mirror::contact_deleted(app, id, fx);
            drop_contact(app, id, customer_id);
            "contact"
        }
        Some(FormTarget::EditCustomer { id }) => {
            mirror::customer_deleted(app, id, fx);
            panes::remove_row(app, id);
            "customer"
        }
        _ => "customer",
    };
    let d = Dialog::new(Ask::RecordGone, &format!("The {what} is gone from Syncro"))
        .body(vec![format!(
            "The server no longer has this {what}: a colleague deleted or merged it. Create it anew sends what the form holds as a new {what}; close drops what you typed."
        )])
        .choice("Create it anew", Some('c'), Answer::Yes)
        .choice("Keep editing", None, Answer::Later)
        .choice("Close the form", None, Answer::Discard)
        .default_to(Answer::Later)
        .cancel_with(Answer::Later);
    app.stack.push(Screen::Dialog(Box::new(d)));
}

/// The answer to a create or an update.
pub fn saved(app: &mut App, token: u64, result: Result<Record, ApiError>, fx: &mut Vec<Effect>) {
    let key = save_key(app);
    let type_property = app.config.customer_type_property.clone();
    let Some(f) = app.stack.form_mut().filter(|f| f.token == token) else {
        return;
    };
    if f.pending != Some(Pending::Save) {
        return;
    }
    f.pending = None;
    let create = f.form.target.is_create();
    match result {
        Ok(record) => {
            let target = f.form.target.clone();
            close_form(app, fx);
            // The account mirror takes the saved record at once.
            match &record {
                Record::Customer(c) => mirror::customer_saved(app, c, fx),
                Record::Contact(ct) => {
                    let mut ct = ct.clone();
                    if let FormTarget::NewContact { customer_id }
                    | FormTarget::EditContact { customer_id, .. } = &target
                    {
                        ct.customer_id.get_or_insert(*customer_id);
                    }
                    mirror::contact_saved(app, &ct, fx);
                }
            }
            let shown = apply_record(app, record, &target, fx);
            match shown {
                Shown::Yes => app.note("Saved"),
                Shown::Hidden(why) => app.say(format!("Saved. {why}"), false),
            }
        }
        Err(ApiError::Validation { errors }) => {
            f.form.apply_server_errors(&errors);
            f.form.state = FormState::Failed(format!(
                "The server did not accept the record: see the marked fields. {key} sends again."
            ));
            app.say("Not saved: the server rejected some fields", true);
        }
        Err(ApiError::NotFound { .. }) if !create => {
            f.form.state = FormState::Failed("Not saved: the record is gone from Syncro.".into());
            record_gone(app, fx);
        }
        Err(ApiError::NotKept { fields }) => {
            // The server answered but kept the old values of these fields: they stay typed,
            // marked, for another try (the draft keeps them too).
            let type_key = format!("{}{}", crate::app::form::PROP_PREFIX, type_property);
            let errors: Vec<FieldError> = fields
                .iter()
                .map(|k| FieldError {
                    field: Some(if *k == type_key {
                        crate::app::form::TYPE_KEY.to_string()
                    } else {
                        k.clone()
                    }),
                    message: "Not kept: Syncro still has the old value".into(),
                })
                .collect();
            f.form.apply_server_errors(&errors);
            f.form.state = FormState::Failed(format!(
                "Syncro answered but did not keep the marked fields. {key} sends them again."
            ));
            app.say(
                format!("Not saved: Syncro did not keep {}", fields.join(", ")),
                true,
            );
        }
        Err(e) if create && e.outcome_unknown() => {
            f.form.state = FormState::OutcomeUnknown;
            lookup(f, true, fx);
            app.say(
                "No answer to the create: looking for the record before sending again",
                true,
            );
        }
        Err(e) => {
            failed(f, &e, &key);
            app.say(format!("Not saved: {e}"), true);
        }
    }
}

/// Records that may be the one being created.
pub fn looked_up(
    app: &mut App,
    token: u64,
    result: Result<Vec<Record>, ApiError>,
    fx: &mut Vec<Effect>,
) {
    let key = save_key(app);
    let open = app
        .config
        .keymap
        .key_label(Mode::Form, Cmd::FormOpenMatch)
        .unwrap_or_else(|| "Ctrl-o".into());
    let known = known_matches(app);
    let Some(f) = app.stack.form_mut().filter(|f| f.token == token) else {
        return;
    };
    let Some(Pending::Lookup { after_unknown }) = f.pending else {
        return;
    };
    f.pending = None;
    let records = match result {
        Ok(r) => r,
        Err(e) => {
            if after_unknown {
                f.form.state = FormState::OutcomeUnknown;
                f.form.top_errors = vec![sanitize::line(&format!(
                    "The create may or may not have reached the server, and looking for it failed: {e} {key} looks again."
                ))];
            } else {
                f.form.state = FormState::Failed(sanitize::line(&format!(
                    "Could not check for duplicates: {e} {key} tries again."
                )));
            }
            return;
        }
    };
    let id = f.form.identity();
    let mut found = if after_unknown { Vec::new() } else { known };
    matches_of(&id, records, &mut found);
    f.matches = found;
    f.checked = true;
    if after_unknown {
        f.form.top_errors.clear();
        f.form.state = FormState::Failed(if f.matches.is_empty() {
            format!(
                "The server did not answer the create, and no such record exists: {key} sends it again."
            )
        } else {
            format!(
                "The create may have gone through: a matching record exists. {open} opens it; {key} sends again anyway."
            )
        });
    } else if f.matches.is_empty() {
        send_create(f, fx);
    } else {
        f.form.state = FormState::Editing;
        app.say(
            format!("Possible duplicates: {open} opens one, {key} saves anyway"),
            false,
        );
    }
}

/// Whether a saved record is on screen, or why not.
enum Shown {
    Yes,
    Hidden(String),
}

/// Puts a record the server returned into the list and the detail, in place; a new customer
/// is selected, and when the search or a filter hides it, the search is cleared (a filter that
/// still hides it is named).
fn apply_record(app: &mut App, record: Record, target: &FormTarget, fx: &mut Vec<Effect>) -> Shown {
    match record {
        Record::Customer(mut c) => {
            if let Some(&i) = app.list.index.get(&c.id)
                && c.contacts.is_empty()
            {
                // An answer without embedded contacts must not wipe them.
                c.contacts = app.list.rows[i].customer().contacts.clone();
            }
            let id = c.id;
            if !target.is_create() {
                // Edited: it stays in sight under the same search, whatever its new values.
                app.list.pinned = Some(id);
            }
            panes::insert_customers(app, vec![c], false);
            if !target.is_create() || panes::select_customer(app, id, false) {
                return Shown::Yes;
            }
            if !app.search.text().is_empty() {
                panes::clear_search(app, fx);
            }
            if panes::select_customer(app, id, false) {
                return Shown::Yes;
            }
            Shown::Hidden(panes::hidden_why(app, id))
        }
        Record::Contact(mut ct) => {
            let customer_id = match target {
                FormTarget::NewContact { customer_id }
                | FormTarget::EditContact { customer_id, .. } => *customer_id,
                _ => ct.customer_id.unwrap_or_default(),
            };
            ct.customer_id.get_or_insert(customer_id);
            let Some(&i) = app.list.index.get(&customer_id) else {
                return Shown::Yes;
            };
            let mut c = app.list.rows[i].customer();
            let at = match c.contacts.iter().position(|x| x.id == ct.id) {
                Some(p) => {
                    c.contacts[p] = ct;
                    p
                }
                None => {
                    c.contacts.push(ct);
                    c.contacts.len() - 1
                }
            };
            panes::insert_customers(app, vec![c], false);
            if app.detail.customer_id == Some(customer_id) {
                app.detail.tab = Tab::Contacts;
                app.detail.cursors[Tab::Contacts.index()] = at;
                panes::keep_detail_visible(app);
            }
            Shown::Yes
        }
    }
}

/// Ctrl-O on a duplicate: the existing record opens. A new record's typing is set aside (and
/// kept as a draft): opening a new record of the same kind brings it back.
fn open_match(app: &mut App, m: Match, fx: &mut Vec<Effect>) {
    if let Some(f) = app.stack.form()
        && f.form.target.is_create()
        && f.form.is_dirty()
    {
        let draft = f.form.to_draft();
        fx.push(Effect::SaveDraft(draft.clone()));
        app.set_aside = Some(draft);
        if let Some(Screen::Form(f)) = app.stack.remove(is_form) {
            app.focus = f.focus_before;
        }
    } else {
        close_form(app, fx);
    }
    let kept = app.set_aside.is_some();
    match m.record {
        Record::Customer(c) => {
            let id = c.id;
            if !app.list.index.contains_key(&id) {
                panes::insert_customers(app, vec![c], false);
            }
            if panes::select_customer(app, id, false) {
                app.focus = Focus::Detail;
                app.detail.tab = Tab::Overview;
            } else {
                app.say("The customer is hidden by the search or the filter", false);
                return;
            }
        }
        Record::Contact(ct) => {
            let Some(cid) = ct.customer_id else { return };
            if panes::select_customer(app, cid, false) {
                app.focus = Focus::Detail;
                let pos = app
                    .list
                    .selected()
                    .and_then(|r| r.customer().contacts.iter().position(|x| x.id == ct.id));
                panes::show_tab(app, Tab::Contacts);
                if let Some(p) = pos {
                    panes::open_contact(app, p);
                }
            } else {
                app.say(
                    format!("The contact belongs to customer {cid}, not in the list now"),
                    false,
                );
                return;
            }
        }
    }
    if kept {
        app.say(
            "What you typed is kept: n opens it again (and it is a draft if the app stops)",
            false,
        );
    }
}

/// A delete finished.
pub fn deleted(
    app: &mut App,
    target: Deletion,
    result: Result<(), ApiError>,
    fx: &mut Vec<Effect>,
) {
    if let Err(e) = result {
        panes::report_error(app, "Not deleted", &e);
        return;
    }
    match target {
        Deletion::Customer { id } => {
            mirror::customer_deleted(app, id, fx);
            panes::remove_row(app, id);
            app.focus = Focus::List;
            app.note("Customer deleted");
        }
        Deletion::Contact { id, customer_id } => {
            mirror::contact_deleted(app, id, fx);
            drop_contact(app, id, customer_id);
            app.note("Contact deleted");
        }
    }
}

/// A contact was retired, reinstated or moved: the rows (and the mirror) take it as the
/// server has it now.
pub fn contact_changed(
    app: &mut App,
    change: ContactChange,
    result: Result<Contact, ApiError>,
    fx: &mut Vec<Effect>,
) {
    let mut ct = match result {
        Ok(ct) => ct,
        Err(e) => {
            let what = match change {
                ContactChange::Retire { retire: true, .. } => "Not retired",
                ContactChange::Retire { .. } => "Not reinstated",
                ContactChange::Move { .. } => "Not moved",
            };
            return panes::report_error(app, what, &e);
        }
    };
    let (owner, moved_from) = match change {
        ContactChange::Retire { customer_id, .. } => (customer_id, None),
        ContactChange::Move { from, to, .. } => (to, Some(from)),
    };
    ct.customer_id = Some(owner);
    mirror::contact_saved(app, &ct, fx);
    if let Some(from) = moved_from {
        drop_contact(app, ct.id, from);
    }
    let name = sanitize::line(&contact_label(&ct));
    if let Some(&i) = app.list.index.get(&owner) {
        let mut c = app.list.rows[i].customer();
        match c.contacts.iter().position(|x| x.id == ct.id) {
            Some(p) => c.contacts[p] = ct,
            None => c.contacts.push(ct),
        }
        let company = sanitize::line(&c.display_name());
        panes::insert_customers(app, vec![c], false);
        match change {
            ContactChange::Retire { retire: true, .. } => app.note(format!(
                "{name} is retired: hidden from the contacts list (x shows who left)"
            )),
            ContactChange::Retire { .. } => app.note(format!("{name} is reinstated")),
            ContactChange::Move { .. } => app.note(format!("{name} moved to {company}")),
        }
    }
}

/// Takes a contact out of its customer's row.
fn drop_contact(app: &mut App, id: crate::api::model::Id, customer_id: crate::api::model::Id) {
    if let Some(&i) = app.list.index.get(&customer_id) {
        let mut c = app.list.rows[i].customer();
        c.contacts.retain(|x: &Contact| x.id != id);
        app.detail.contact_open = false;
        panes::insert_customers(app, vec![c], false);
    }
}

/// The answer to one of the form's dialogs.
pub fn answer(app: &mut App, ask: Ask, answer: Answer, fx: &mut Vec<Effect>) {
    match ask {
        Ask::DeleteCustomer { id, .. } if answer == Answer::Yes => {
            if app.config.read_only {
                app.say(READ_ONLY, true);
            } else {
                fx.push(Effect::Delete(Deletion::Customer { id }));
                app.say("Deleting the customer…", false);
            }
        }
        Ask::DeleteContact {
            id, customer_id, ..
        } if answer == Answer::Yes => {
            if app.config.read_only {
                app.say(READ_ONLY, true);
            } else {
                fx.push(Effect::Delete(Deletion::Contact { id, customer_id }));
                app.say("Deleting the contact…", false);
            }
        }
        Ask::RetireContact {
            id,
            customer_id,
            retire,
        } if answer == Answer::Yes => {
            fx.push(Effect::ChangeContact(ContactChange::Retire {
                id,
                customer_id,
                retire,
            }));
            app.say(
                if retire {
                    "Retiring the contact…"
                } else {
                    "Reinstating the contact…"
                },
                false,
            );
        }
        Ask::MoveContact { id, from, to } if answer == Answer::Yes => {
            fx.push(Effect::ChangeContact(ContactChange::Move { id, from, to }));
            app.say("Moving the contact…", false);
        }
        Ask::DiscardForm if answer == Answer::Yes => {
            close_form(app, fx);
            app.note("Changes discarded");
        }
        Ask::RestoreDraft(d) => match answer {
            Answer::Yes => restore_draft(app, &d),
            Answer::Discard => {
                fx.push(Effect::RemoveDraft(d.target.clone()));
                app.note("Draft discarded");
            }
            _ => app.note("The draft is kept for the next start"),
        },
        Ask::RecordGone => match answer {
            Answer::Yes => create_anew(app),
            Answer::Discard => {
                close_form(app, fx);
                app.note("Form closed; the record stays gone");
            }
            _ => {}
        },
        _ => {}
    }
}

fn restore_draft(app: &mut App, d: &Draft) {
    let subject = match d.target {
        FormTarget::EditCustomer { id } | FormTarget::NewContact { customer_id: id } => app
            .list
            .index
            .get(&id)
            .map(|&i| app.list.rows[i].customer().display_name())
            .unwrap_or_default(),
        FormTarget::EditContact { .. } => d.values.get("name").cloned().unwrap_or_default(),
        FormTarget::NewCustomer => String::new(),
    };
    let mut form = Form::from_draft(d);
    form.state = FormState::Editing;
    open_form(app, form, subject);
    if let Some(f) = app.stack.form_mut() {
        f.draft = Debounce::Armed;
    }
    let key = save_key(app);
    app.say(format!("Draft restored: {key} saves it"), false);
}

/// After a 404: the form becomes a create of the same record with what it holds; the next save
/// checks for duplicates and sends it.
fn create_anew(app: &mut App) {
    let key = save_key(app);
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    let old = f.form.target.clone();
    f.form.target = match old {
        FormTarget::EditCustomer { .. } => FormTarget::NewCustomer,
        FormTarget::EditContact { customer_id, .. } => FormTarget::NewContact { customer_id },
        other => other,
    };
    f.form.state = FormState::Editing;
    f.checked = false;
    f.server = None;
    changed(f);
    app.say(
        format!("The form creates a new record now: {key} sends it"),
        false,
    );
}

/// Marks a change: the draft gets written soon, and a duplicate check must run again.
/// Ctrl-T: the business name as the house style writes it (the hint under the field).
fn apply_house_name(app: &mut App) {
    let style = app.config.house.names.clone();
    let Some(f) = app.stack.form_mut() else {
        return;
    };
    if f.pending.is_some() || !f.form.conflicts.is_empty() {
        return;
    }
    if f.form.apply_name_suggestion(&style) {
        changed(f);
        app.note("Name written in the house style (Ctrl-r on the field reverts it)");
    } else {
        app.say("The name follows the house style: nothing to change", false);
    }
}

fn changed(f: &mut FormUi) {
    if f.draft == Debounce::Idle {
        f.draft = Debounce::Armed;
    }
}

fn failed(f: &mut FormUi, e: &ApiError, save_key: &str) {
    f.form.state = FormState::Failed(sanitize::line(&format!(
        "Not saved: {e} Nothing you typed is lost; {save_key} tries again."
    )));
}

fn lookup(f: &mut FormUi, after_unknown: bool, fx: &mut Vec<Effect>) {
    let id = f.form.identity();
    f.pending = Some(Pending::Lookup { after_unknown });
    fx.push(Effect::Lookup {
        token: f.token,
        target: f.form.target.clone(),
        email: id.email,
        name: id.name,
        fields: f.form.patch(),
    });
}

fn send_create(f: &mut FormUi, fx: &mut Vec<Effect>) {
    f.form.state = FormState::Saving;
    f.pending = Some(Pending::Save);
    fx.push(Effect::Save {
        token: f.token,
        target: f.form.target.clone(),
        patch: f.form.patch(),
        before: None,
    });
}

fn record_label(r: &Record) -> String {
    match r {
        Record::Customer(c) => {
            let mut s = c.display_name();
            if let Some(e) = c.email.as_deref().filter(|e| !e.is_empty()) {
                s.push_str(&format!(" <{e}>"));
            }
            s
        }
        Record::Contact(c) => {
            let mut s = c.name.clone().unwrap_or_default();
            if let Some(e) = c.email.as_deref().filter(|e| !e.is_empty()) {
                s.push_str(&format!(" <{e}>"));
            }
            s
        }
    }
}

fn to_match(r: Record, reason: &'static str) -> Match {
    Match {
        label: sanitize::line(&record_label(&r)),
        reason,
        record: r,
    }
}

/// Records the app already holds that look like the one the form creates: customers in the
/// list, and contacts of every loaded customer (the API cannot filter contacts by e-mail).
fn known_matches(app: &App) -> Vec<Match> {
    let Some(f) = app.stack.form() else {
        return Vec::new();
    };
    let id = f.form.identity();
    // Rows whose view cannot match are skipped without decoding their record: checking a
    // mirror of 100,000 customers decodes a handful instead of all.
    let filter = id.row_filter();
    let rows = app
        .list
        .rows
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|f| f.may_match(&r.view)));
    let mut out = Vec::new();
    match &f.form.target {
        FormTarget::NewCustomer => {
            for r in rows {
                let c = r.customer();
                if let Some(why) = id.matches_customer(&c) {
                    out.push(to_match(Record::Customer(c), why));
                }
            }
        }
        FormTarget::NewContact { customer_id } => {
            for r in rows {
                for ct in &r.customer().contacts {
                    let why = match id.matches_contact(ct) {
                        // The same name matters only within the same customer.
                        Some("same name") if r.id() != *customer_id => continue,
                        Some(w) => w,
                        None => continue,
                    };
                    let mut ct = ct.clone();
                    ct.customer_id.get_or_insert(r.id());
                    out.push(to_match(Record::Contact(ct), why));
                }
            }
        }
        _ => {}
    }
    out.truncate(20);
    out
}

fn matches_of(id: &Identity, records: Vec<Record>, out: &mut Vec<Match>) {
    for r in records {
        let why = match &r {
            Record::Customer(c) => id.matches_customer(c),
            Record::Contact(c) => id.matches_contact(c),
        };
        let dup = out.iter().any(|m| same_record(&m.record, &r));
        if let (Some(why), false) = (why, dup) {
            out.push(to_match(r, why));
        }
    }
}

fn same_record(a: &Record, b: &Record) -> bool {
    match (a, b) {
        (Record::Customer(a), Record::Customer(b)) => a.id == b.id,
        (Record::Contact(a), Record::Contact(b)) => a.id == b.id,
        _ => false,
    }
}

#[cfg(test)]
#[path = "forms_tests.rs"]
mod tests;
