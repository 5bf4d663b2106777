//! The form and dialog state machine: opening forms, saving them (verify before create,
//! re-read and conflicts before an update, an unknown outcome never sent twice blindly), drafts,
//! deletes and the questions that guard them. Called from [`super::update`]; pure like it.
//!
//! Save paths:
//! ```text
//! edit:   Ctrl-S -> validate -> Reread -> (conflicts? user picks per field) -> Save(patch) -> Saved
//! create: Ctrl-S -> validate -> matches (loaded data, + Lookup for customers) -> Save -> Saved
//!         Save fails with an unknown outcome -> Lookup -> found? offer to open it : offer to send
//! ```
//! Every failure leaves the form open with its content; Ctrl-S tries again.

use std::time::{Duration, Instant};

use tui_input::{Input, InputRequest};

use super::action::{Deletion, Record};
use super::form::{Form, FormState, Identity};
use super::update::{insert_customers, keep_detail_visible, route_error};
use super::{Action, App, Cmd, Debounce, Effect, Focus, Mode, Tab};
use crate::api::ApiError;
use crate::api::model::{Contact, Id};
use crate::domain::{Draft, FormTarget};
use crate::sanitize;

/// How long typing may go unsaved in the draft file.
pub const DRAFT_DEBOUNCE: Duration = Duration::from_secs(1);
/// How long "Saved" stays in the status line.
pub const FLASH: Duration = Duration::from_secs(3);
/// What every write key says in read-only mode.
pub const READ_ONLY: &str = "read-only: writes are disabled";

/// A request the open form waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// The record, re-read before the PUT.
    Reread,
    /// The create or the update.
    Save,
    /// Records like the one being created; `after_unknown`: a create's outcome is unknown.
    Lookup { after_unknown: bool },
}

/// A record that may be the one being created.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Sanitised, for the screen.
    pub label: String,
    pub reason: &'static str,
    pub record: Record,
}

/// The open form and where its save stands.
#[derive(Debug, Clone)]
pub struct FormUi {
    pub form: Form,
    /// Tag of the request in flight; answers with another tag are dropped.
    pub token: u64,
    pub pending: Option<Pending>,
    /// Existing records that may be the one being created.
    pub matches: Vec<Match>,
    /// The duplicate check ran and its result is on screen: the next Ctrl-S sends.
    pub checked: bool,
    /// The draft file waits for this.
    pub draft: Debounce,
    /// A name for the title (the customer or contact being edited, or its customer).
    pub subject: String,
    /// Where the focus goes back to when the form closes.
    pub focus_before: Focus,
}

/// What a question is about.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmKind {
    DeleteContact {
        id: Id,
        customer_id: Id,
        name: String,
    },
    /// Only after typing the customer's name exactly.
    DeleteCustomer { id: Id, name: String },
    /// Esc on a form with changes.
    Discard,
    /// Quit with a form that has changes.
    Quit,
    /// A draft from an earlier run.
    RestoreDraft(Box<Draft>),
}

/// A question that takes the keyboard.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub kind: ConfirmKind,
    /// The highlighted answer: the first (yes, restore) or the second (no, discard).
    pub yes: bool,
    /// Typed text (the customer's name before a delete).
    pub input: Input,
}

impl Confirm {
    fn new(kind: ConfirmKind, yes: bool) -> Self {
        Confirm {
            kind,
            yes,
            input: Input::default(),
        }
    }

    /// The two answers, first one "yes".
    pub fn answers(&self) -> (&'static str, &'static str) {
        match self.kind {
            ConfirmKind::DeleteContact { .. } => ("Delete", "Keep"),
            ConfirmKind::DeleteCustomer { .. } => ("Delete for good", "Keep"),
            ConfirmKind::Discard => ("Discard changes", "Keep editing"),
            ConfirmKind::Quit => ("Quit, keep a draft", "Stay"),
            ConfirmKind::RestoreDraft(_) => ("Restore", "Discard"),
        }
    }

    /// For a customer delete: whether the typed name matches exactly.
    pub fn name_matches(&self) -> bool {
        match &self.kind {
            ConfirmKind::DeleteCustomer { name, .. } => self.input.value() == name,
            _ => true,
        }
    }
}

/// Whether a request of the form is in flight (the spinner turns).
pub fn busy(app: &App) -> bool {
    app.form.as_ref().is_some_and(|f| f.pending.is_some())
}

/// The status line's activity while the form waits.
pub fn activity(app: &App) -> Option<String> {
    let f = app.form.as_ref()?;
    Some(match f.pending? {
        Pending::Reread => "Checking the record on the server".into(),
        Pending::Save => "Saving".into(),
        Pending::Lookup {
            after_unknown: true,
        } => "Looking for the record on the server".into(),
        Pending::Lookup { .. } => "Looking for duplicates".into(),
    })
}

pub fn wants_tick(app: &App) -> bool {
    app.flash.is_pending() || app.form.as_ref().is_some_and(|f| f.draft.is_pending())
}

/// The draft to write when the app stops with a form that has changes.
pub fn unsaved_draft(app: &App) -> Option<Draft> {
    app.form
        .as_ref()
        .filter(|f| f.form.is_dirty())
        .map(|f| f.form.to_draft())
}

/// Drafts and the "Saved" flash run on the tick.
pub fn tick(app: &mut App, now: Instant, fx: &mut Vec<Effect>) {
    if let Some(f) = &mut app.form {
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
        Debounce::Armed => app.flash = Debounce::Until(now + FLASH),
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
pub fn normal_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
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
            Some(c) => open_form(app, Form::new_contact(c.id), c.display_name()),
            None => app.say("Select a customer first", false),
        },
        Cmd::New => {
            let form = Form::new_customer(&app.config.customer_type_property);
            open_form(app, form, String::new());
        }
        Cmd::Edit if on_contacts => match (contact(), &selected) {
            (Some(ct), Some(c)) => {
                let mut form = Form::edit_contact(&ct);
                if let FormTarget::EditContact { customer_id, .. } = &mut form.target
                    && *customer_id == 0
                {
                    *customer_id = c.id;
                }
                open_form(app, form, ct.name.clone().unwrap_or_default());
            }
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
            (Some(ct), Some(c)) => {
                let name = ct
                    .name
                    .clone()
                    .or(ct.email.clone())
                    .unwrap_or_else(|| format!("contact {}", ct.id));
                ask(
                    app,
                    ConfirmKind::DeleteContact {
                        id: ct.id,
                        customer_id: c.id,
                        name,
                    },
                    false,
                );
            }
            _ => app.say("No contact selected", false),
        },
        Cmd::Delete => app.say(
            "d deletes a contact: open the Contacts tab (2) and pick one; D deletes the customer",
            false,
        ),
        Cmd::DeleteCustomer => match &selected {
            Some(c) => ask(
                app,
                ConfirmKind::DeleteCustomer {
                    id: c.id,
                    name: c.display_name(),
                },
                false,
            ),
            None => app.say("No customer selected", false),
        },
        _ => {}
    }
    let _ = fx;
}

fn open_form(app: &mut App, form: Form, subject: String) {
    let token = app.generation();
    app.form = Some(FormUi {
        form,
        token,
        pending: None,
        matches: Vec::new(),
        checked: false,
        draft: Debounce::Idle,
        subject: sanitize::line(&subject),
        focus_before: app.focus,
    });
    app.mode = Mode::Form;
    app.focus = Focus::Detail;
}

fn ask(app: &mut App, kind: ConfirmKind, yes: bool) {
    app.confirm = Some(Confirm::new(kind, yes));
    app.mode = Mode::Confirm;
}

/// Back to the form, or to browsing, after a question.
fn leave_confirm(app: &mut App) {
    app.confirm = None;
    app.mode = if app.form.is_some() {
        Mode::Form
    } else {
        Mode::Normal
    };
    if app.mode == Mode::Normal {
        offer_next_draft(app);
    }
}

/// Closes the form; its draft goes too (saved or deliberately discarded).
fn close_form(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(f) = app.form.take() {
        fx.push(Effect::RemoveDraft(f.form.target));
        app.focus = f.focus_before;
    }
    app.mode = Mode::Normal;
    offer_next_draft(app);
}

/// After every action: drafts found at start wait for a quiet moment (browsing, no form, no
/// question) before they are offered.
pub fn settle(app: &mut App) {
    offer_next_draft(app);
}

fn offer_next_draft(app: &mut App) {
    if app.mode != Mode::Normal || app.form.is_some() || app.drafts_waiting.is_empty() {
        return;
    }
    let d = app.drafts_waiting.remove(0);
    ask(app, ConfirmKind::RestoreDraft(Box::new(d)), true);
}

/// The mode to return to after a message box: the open question, else the open form.
pub fn resume_mode(app: &App) -> Mode {
    if app.confirm.is_some() {
        Mode::Confirm
    } else if app.form.is_some() {
        Mode::Form
    } else {
        Mode::Normal
    }
}

/// Quit, but ask first while a form holds unsaved changes.
pub fn quit(app: &mut App) {
    if unsaved_draft(app).is_some()
        && !matches!(
            app.confirm.as_ref().map(|c| &c.kind),
            Some(ConfirmKind::Quit)
        )
    {
        app.modal = None;
        ask(app, ConfirmKind::Quit, false);
    } else {
        app.quit = true;
    }
}

/// Keys while a form is open.
pub fn form_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(f) = &mut app.form else {
        app.mode = Mode::Normal;
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
                ask(app, ConfirmKind::Discard, false);
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
        Cmd::Quit => quit(app),
        _ => {}
    }
}

/// The conflict view: per field, keep mine or take the server's; Enter goes on with the save.
fn conflict_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(f) = &mut app.form else { return };
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
            // Back to the form: the typed values stay; the next Ctrl-S checks again.
            form.conflicts.clear();
            form.state = FormState::Editing;
        }
        Cmd::Quit => quit(app),
        _ => {}
    }
}

/// Marks a change: the draft gets written soon, and a duplicate check must run again.
fn changed(f: &mut FormUi) {
    if f.draft == Debounce::Idle {
        f.draft = Debounce::Armed;
    }
}

fn failed(f: &mut FormUi, e: &ApiError) {
    f.form.state = FormState::Failed(sanitize::line(&format!(
        "Not saved: {e} Nothing you typed is lost; Ctrl-S tries again."
    )));
}

/// Ctrl-S (or Enter on the last field).
fn save(app: &mut App, fx: &mut Vec<Effect>) {
    if app.config.read_only {
        app.say(READ_ONLY, true);
        return;
    }
    let token = app.generation();
    let Some(f) = &mut app.form else { return };
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
    if let Some(f) = app.form.as_mut() {
        f.matches = known;
        lookup(f, false, fx);
    }
}

fn lookup(f: &mut FormUi, after_unknown: bool, fx: &mut Vec<Effect>) {
    let id = f.form.identity();
    f.pending = Some(Pending::Lookup { after_unknown });
    fx.push(Effect::Lookup {
        token: f.token,
        target: f.form.target.clone(),
        email: id.email,
        name: id.name,
    });
}

fn send_create(f: &mut FormUi, fx: &mut Vec<Effect>) {
    f.form.state = FormState::Saving;
    f.pending = Some(Pending::Save);
    fx.push(Effect::Save {
        token: f.token,
        target: f.form.target.clone(),
        patch: f.form.patch(),
    });
}

/// After the re-read (and the user's choices on conflicts): sends the changed fields.
fn send_update(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(f) = &mut app.form else { return };
    let patch = f.form.patch();
    if patch.is_empty() {
        close_form(app, fx);
        app.say(
            "Nothing left to save: the server already has these values",
            false,
        );
        return;
    }
    f.form.state = FormState::Saving;
    f.pending = Some(Pending::Save);
    fx.push(Effect::Save {
        token: f.token,
        target: f.form.target.clone(),
        patch,
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
    let Some(f) = &app.form else {
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

/// Answers from the worker and keys typed into a form or a dialog.
pub fn action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::FormEdit(req) => form_edit(app, req),
        Action::ConfirmEdit(req) => confirm_edit(app, req, fx),
        Action::EditorDone(result) => match (result, &mut app.form) {
            (Ok(v), Some(f)) => {
                f.form.set_focused_value(v);
                changed(f);
            }
            (Err(e), _) => app.say(
                format!("Could not run an editor ({e}); the field is unchanged"),
                true,
            ),
            (Ok(_), None) => {}
        },
        Action::FormReread { token, result } => {
            let Some(f) = app.form.as_mut().filter(|f| f.token == token) else {
                return;
            };
            if f.pending != Some(Pending::Reread) {
                return;
            }
            f.pending = None;
            let conflicts = match &result {
                Ok(Record::Customer(c)) => f.form.detect_conflicts_customer(c),
                Ok(Record::Contact(c)) => f.form.detect_conflicts_contact(c),
                Err(e) => {
                    failed(f, e);
                    app.say(format!("Not saved: {e}"), true);
                    return;
                }
            };
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
        Action::FormSaved { token, result } => saved(app, token, result, fx),
        Action::FormLookup { token, result } => looked_up(app, token, result, fx),
        Action::Deleted { target, result } => {
            if result.is_ok() {
                match target {
                    Deletion::Customer { id } => super::mirror_ui::customer_deleted(app, id, fx),
                    Deletion::Contact { id, .. } => super::mirror_ui::contact_deleted(app, id, fx),
                }
            }
            deleted(app, target, result)
        }
        Action::DraftsLoaded(drafts) => {
            app.drafts_waiting.extend(drafts);
            offer_next_draft(app);
        }
        _ => {}
    }
}

fn form_edit(app: &mut App, req: InputRequest) {
    let Some(f) = &mut app.form else { return };
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

fn confirm_edit(app: &mut App, req: InputRequest, fx: &mut Vec<Effect>) {
    let Some(c) = &mut app.confirm else { return };
    if matches!(c.kind, ConfirmKind::DeleteCustomer { .. }) {
        c.input.handle(req);
        return;
    }
    match req {
        InputRequest::InsertChar('y' | 'Y' | 'r') => {
            c.yes = true;
            confirm_command(app, Cmd::ConfirmAccept, fx);
        }
        InputRequest::InsertChar('n' | 'N' | 'd') => {
            c.yes = false;
            confirm_command(app, Cmd::ConfirmAccept, fx);
        }
        _ => {}
    }
}

/// Keys while a question is open.
pub fn confirm_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(c) = &mut app.confirm else {
        app.mode = Mode::Normal;
        return;
    };
    match cmd {
        Cmd::ConfirmToggle if !matches!(c.kind, ConfirmKind::DeleteCustomer { .. }) => {
            c.yes = !c.yes;
        }
        Cmd::ConfirmCancel => leave_confirm(app),
        Cmd::Quit => quit(app),
        Cmd::ConfirmAccept => {
            let c = app.confirm.take().expect("checked above");
            let yes = c.yes;
            match c.kind {
                ConfirmKind::DeleteCustomer { id, ref name } => {
                    if !c.name_matches() {
                        let name = name.clone();
                        app.confirm = Some(c);
                        app.say(format!("Type the name exactly: {name}"), true);
                        return;
                    }
                    if app.config.read_only {
                        app.say(READ_ONLY, true);
                    } else {
                        fx.push(Effect::Delete(Deletion::Customer { id }));
                        app.say("Deleting the customer…", false);
                    }
                }
                ConfirmKind::DeleteContact {
                    id, customer_id, ..
                } => {
                    if yes && !app.config.read_only {
                        fx.push(Effect::Delete(Deletion::Contact { id, customer_id }));
                        app.say("Deleting the contact…", false);
                    } else if yes {
                        app.say(READ_ONLY, true);
                    }
                }
                ConfirmKind::Discard => {
                    if yes {
                        leave_confirm(app);
                        close_form(app, fx);
                        app.say("Changes discarded", false);
                        return;
                    }
                }
                ConfirmKind::Quit => {
                    if yes {
                        // The loop writes the draft on the way out.
                        app.quit = true;
                    }
                }
                ConfirmKind::RestoreDraft(d) => {
                    if yes {
                        let subject = match d.target {
                            FormTarget::EditCustomer { id }
                            | FormTarget::NewContact { customer_id: id } => app
                                .list
                                .index
                                .get(&id)
                                .map(|&i| app.list.rows[i].customer().display_name())
                                .unwrap_or_default(),
                            FormTarget::EditContact { .. } => {
                                d.values.get("name").cloned().unwrap_or_default()
                            }
                            FormTarget::NewCustomer => String::new(),
                        };
                        app.confirm = None;
                        let mut form = Form::from_draft(&d);
                        form.state = FormState::Editing;
                        open_form(app, form, subject);
                        if let Some(f) = &mut app.form {
                            f.draft = Debounce::Armed;
                        }
                        app.say("Draft restored: Ctrl-S saves it", false);
                        return;
                    }
                    fx.push(Effect::RemoveDraft(d.target.clone()));
                    app.say("Draft discarded", false);
                }
            }
            leave_confirm(app);
        }
        _ => {}
    }
}

fn saved(app: &mut App, token: u64, result: Result<Record, ApiError>, fx: &mut Vec<Effect>) {
    let Some(f) = app.form.as_mut().filter(|f| f.token == token) else {
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
                Record::Customer(c) => super::mirror_ui::customer_saved(app, c, fx),
                Record::Contact(ct) => {
                    let mut ct = ct.clone();
                    if let FormTarget::NewContact { customer_id }
                    | FormTarget::EditContact { customer_id, .. } = &target
                    {
                        ct.customer_id.get_or_insert(*customer_id);
                    }
                    super::mirror_ui::contact_saved(app, &ct, fx);
                }
            }
            apply_record(app, record, &target);
            app.say("Saved", false);
            app.flash = Debounce::Armed;
        }
        Err(ApiError::Validation { errors }) => {
            f.form.apply_server_errors(&errors);
            f.form.state = FormState::Failed(
                "The server did not accept the record: see the marked fields. Ctrl-S sends again."
                    .into(),
            );
            app.say("Not saved: the server rejected some fields", true);
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
            failed(f, &e);
            app.say(format!("Not saved: {e}"), true);
        }
    }
}

fn looked_up(
    app: &mut App,
    token: u64,
    result: Result<Vec<Record>, ApiError>,
    fx: &mut Vec<Effect>,
) {
    let known = known_matches(app);
    let Some(f) = app.form.as_mut().filter(|f| f.token == token) else {
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
                    "The create may or may not have reached the server, and looking for it failed: {e} Ctrl-S looks again."
                ))];
            } else {
                f.form.state = FormState::Failed(sanitize::line(&format!(
                    "Could not check for duplicates: {e} Ctrl-S tries again."
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
            "The server did not answer the create, and no such record exists: Ctrl-S sends it again.".into()
        } else {
            "The create may have gone through: a matching record exists. Ctrl-O opens it; Ctrl-S sends again anyway.".into()
        });
    } else if f.matches.is_empty() {
        send_create(f, fx);
    } else {
        f.form.state = FormState::Editing;
        app.say(
            "Possible duplicates: Ctrl-O opens one, Ctrl-S saves anyway",
            false,
        );
    }
}

/// Puts a record the server returned into the list and the detail, in place.
fn apply_record(app: &mut App, record: Record, target: &FormTarget) {
    match record {
        Record::Customer(mut c) => {
            if let Some(&i) = app.list.index.get(&c.id)
                && c.contacts.is_empty()
            {
                // An answer without embedded contacts must not wipe them.
                c.contacts = app.list.rows[i].customer().contacts.clone();
            }
            let id = c.id;
            insert_customers(app, vec![c], false);
            if target.is_create() {
                super::update::select_customer(app, id, false);
            }
        }
        Record::Contact(mut ct) => {
            let customer_id = match target {
                FormTarget::NewContact { customer_id }
                | FormTarget::EditContact { customer_id, .. } => *customer_id,
                _ => ct.customer_id.unwrap_or_default(),
            };
            ct.customer_id.get_or_insert(customer_id);
            let Some(&i) = app.list.index.get(&customer_id) else {
                return;
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
            insert_customers(app, vec![c], false);
            if app.detail.customer_id == Some(customer_id) {
                app.detail.tab = Tab::Contacts;
                app.detail.cursors[Tab::Contacts.index()] = at;
                keep_detail_visible(app);
            }
        }
    }
}

/// Ctrl-O on a duplicate: the form closes (deliberately) and the existing record opens.
fn open_match(app: &mut App, m: Match, fx: &mut Vec<Effect>) {
    close_form(app, fx);
    match m.record {
        Record::Customer(c) => {
            let id = c.id;
            if !app.list.index.contains_key(&id) {
                insert_customers(app, vec![c], false);
            }
            if super::update::select_customer(app, id, false) {
                app.focus = Focus::Detail;
                app.detail.tab = Tab::Overview;
            } else {
                app.say("The customer is hidden by the search or the filter", false);
            }
        }
        Record::Contact(ct) => {
            let Some(cid) = ct.customer_id else { return };
            if super::update::select_customer(app, cid, false) {
                app.focus = Focus::Detail;
                app.detail.tab = Tab::Contacts;
                let pos = app
                    .list
                    .selected()
                    .and_then(|r| r.customer().contacts.iter().position(|x| x.id == ct.id));
                if let Some(p) = pos {
                    app.detail.cursors[Tab::Contacts.index()] = p;
                    app.detail.contact_open = true;
                    app.detail.record_cursor = 0;
                    app.detail.record_scroll = 0;
                }
                keep_detail_visible(app);
            } else {
                app.say(
                    format!("The contact belongs to customer {cid}, not in the list now"),
                    false,
                );
            }
        }
    }
}

fn deleted(app: &mut App, target: Deletion, result: Result<(), ApiError>) {
    if let Err(e) = result {
        route_error(app, "Not deleted", &e);
        return;
    }
    match target {
        Deletion::Customer { id } => {
            super::update::remove_row(app, id);
            app.focus = Focus::List;
            app.say("Customer deleted", false);
        }
        Deletion::Contact { id, customer_id } => {
            if let Some(&i) = app.list.index.get(&customer_id) {
                let mut c = app.list.rows[i].customer();
                c.contacts.retain(|x: &Contact| x.id != id);
                app.detail.contact_open = false;
                insert_customers(app, vec![c], false);
            }
            app.say("Contact deleted", false);
        }
    }
    app.flash = Debounce::Armed;
}

#[cfg(test)]
#[path = "forms_ui_tests.rs"]
mod tests;
