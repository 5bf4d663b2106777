//! Client onboarding ([`Mode::OnboardForm`] while a step's form takes text, [`Mode::Onboard`]
//! for the lists, the review and the progress): one guided flow from `O` or `:onboard`.
//!
//! ```text
//! Customer › Primary contact › More contacts › Review › Create
//! ```
//! - The customer and contact steps reuse the [`Form`] model (validation, the customer-type
//!   pick list, changed marks). The primary contact is the decision maker and needs an
//!   e-mail; each further contact has a role (Technical, Billing, Other) that goes into its
//!   title ([`Role::title`]).
//! - Entering the review builds the [`Onboarding`], lists what [`Onboarding::validate`] refuses
//!   and runs the duplicate check (verify before create): [`find_duplicates`] over the
//!   customers the app holds (every customer and contact of the account when the mirror is in
//!   use), and, without a mirror, the server's filters as well ([`OnboardOp::CheckDuplicates`]).
//!   Creating with duplicates on screen asks first.
//! - The creates run on a worker task ([`OnboardOp::Start`]) with a journal in the data
//!   directory ([`OnboardRun`]); each finished step is reported. A failure stops the run: what
//!   was created stays, the failed step shows the server's message, `r` resumes from the
//!   journal (the engine never sends a create twice), `e` goes back to correct the data (the
//!   resume then sends the corrected data of the steps that created nothing).
//! - Esc goes back a step; on the first step it leaves, asking first when anything was typed.
//!   Leaving a failed run keeps it (`O` shows it again); at the next start unfinished runs are
//!   offered back ([`startup`], [`offer`]).
//! - When everything exists the new customer is read back, put into the list and the mirror
//!   ([`crate::app::mirror::customer_saved`]) and selected.

pub mod state;

use tui_input::InputRequest;

use crate::api::model::{Customer, Id};
use crate::app::action::Cmd;
use crate::app::dialog::{Answer, Ask, Dialog, Tone};
use crate::app::effect::Effect;
use crate::app::form::TYPE_KEY;
use crate::app::kinds::{Focus, Mode, Tab};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{mirror, panes};
use crate::flows::onboard::{CreateStatus, Onboarding, Role, find_duplicates};
use crate::sanitize;
use crate::text::plural;
use state::{
    OnboardEvent, OnboardOp, OnboardScreen, ROLE_KEY, ROLES, RunState, RunView, Step, StepState,
    extra_form, lines, role_name,
};

use crate::app::forms::READ_ONLY;

fn ask(app: &mut App, d: Dialog) {
    app.stack.push(Screen::Dialog(Box::new(d)));
}

/// The first effect at start: look for unfinished onboardings.
pub fn startup() -> Effect {
    Effect::Onboard(OnboardOp::LoadPending)
}

/// `O` or `:onboard`: the flow (as it was left, or an unfinished run, or a new one).
pub fn open(app: &mut App) {
    if app.config.read_only {
        return app.say(READ_ONLY, true);
    }
    if app.stack.unpark_onboard() {
        return;
    }
    let screen = match app.onboard_pending.first() {
        Some(run) => {
            let screen = OnboardScreen::from_run(run, &app.config.customer_type_property);
            app.onboard_pending.remove(0);
            screen
        }
        None => OnboardScreen::new(&app.config.customer_type_property),
    };
    app.stack.push(Screen::Onboard(Box::new(screen)));
}

/// Offers an onboarding typed last time, or an unfinished one found at start (the base is in
/// front). True when one is offered.
pub fn offer(app: &mut App) -> bool {
    if (app.onboard_pending.is_empty() && app.onboard_draft.is_none())
        || app.stack.onboard().is_some()
        || app.config.read_only
    {
        return false;
    }
    if let Some(onb) = app.onboard_draft.take() {
        let screen = OnboardScreen::from_onboarding(&onb, &app.config.customer_type_property);
        app.stack.push(Screen::Onboard(Box::new(screen)));
        ask(
            app,
            Dialog::new(Ask::OnboardRestoreDraft, "Unfinished onboarding found")
                .body(vec![
                    "An onboarding typed last time was not created. Restore opens it as it was typed; later keeps it for the next start."
                        .into(),
                ])
                .choice("Restore it", Some('r'), Answer::Yes)
                .choice("Decide later", Some('l'), Answer::Later)
                .choice("Discard it", None, Answer::Discard)
                .default_to(Answer::Yes)
                .cancel_with(Answer::Later),
        );
        return true;
    }
    open(app);
    app.say(
        "An onboarding did not finish last time: r resumes it, D forgets it, Esc decides later",
        false,
    );
    true
}

/// The onboarding goes for good; what was under it shows again.
fn close(app: &mut App) {
    app.stack.drop_onboard();
}

/// Keys in [`Mode::Onboard`] and [`Mode::OnboardForm`].
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    s.notice = None;
    let (step, editing) = (s.step, s.editing.is_some());
    match step {
        Step::Customer | Step::Primary => form_step(app, cmd, fx),
        Step::Contacts if editing => form_step(app, cmd, fx),
        Step::Contacts => contacts_step(app, cmd, fx),
        Step::Review => review_step(app, cmd, fx),
        Step::Create => create_step(app, cmd, fx),
    }
}

/// The answer to one of the onboarding's dialogs (the onboarding is under it again).
pub fn answer(app: &mut App, ask: Ask, answer: Answer, fx: &mut Vec<Effect>) {
    if ask == Ask::OnboardRestoreDraft {
        match answer {
            Answer::Yes => app.say("The onboarding typed last time is back", false),
            Answer::Discard => {
                fx.push(Effect::Onboard(OnboardOp::RemoveDraft));
                close(app);
                app.note("The onboarding draft is discarded");
            }
            _ => {
                // Kept on disk for the next start.
                close(app);
                app.note("The onboarding draft is kept for the next start");
            }
        }
        return;
    }
    if answer != Answer::Yes {
        return;
    }
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    match ask {
        Ask::OnboardLeave => {
            fx.push(Effect::Onboard(OnboardOp::RemoveDraft));
            close(app);
            app.note("Onboarding discarded");
        }
        Ask::OnboardRemoveContact(i) if i < s.extras.len() => {
            s.extras.remove(i);
            s.cursor = s.cursor.min(s.extras.len().saturating_sub(1));
        }
        Ask::OnboardCreateAnyway => start(app, fx),
        Ask::OnboardForgetRun => {
            if let Some(id) = s.run.as_ref().and_then(|r| r.id.clone()) {
                fx.push(Effect::Onboard(OnboardOp::Discard { id }));
            }
            close(app);
            app.note("The unfinished onboarding is forgotten; what it created stays");
        }
        _ => {}
    }
}

/// Keys while a step's form is open.
fn form_step(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    let Some(form) = s.form_mut() else { return };
    match cmd {
        Cmd::FormNext => form.next_field(),
        Cmd::FormPrev => form.prev_field(),
        Cmd::FormRevert => form.revert_focused(),
        Cmd::FormEnter if !form.on_last_field() => form.next_field(),
        Cmd::FormEnter | Cmd::FormSave => forward(app, fx),
        Cmd::FormCancel => back(app),
        _ => {}
    }
}

/// Checks the open form; marks what is wrong and says so.
fn check_form(s: &mut OnboardScreen) -> bool {
    let step = s.step;
    let Some(form) = s.form_mut() else {
        return true;
    };
    let mut ok = form.validate();
    if step == Step::Primary
        && let Some(f) = form.field_mut("email")
        && f.value().trim().is_empty()
    {
        f.error = Some("Required: the decision maker's e-mail".into());
        if ok {
            form.focus = form
                .fields
                .iter()
                .position(|f| f.key == "email")
                .unwrap_or(0);
        }
        ok = false;
    }
    if let Some(f) = form.field_mut(ROLE_KEY) {
        f.error = None;
    }
    if !ok {
        s.notice = Some("Check the marked fields".into());
    }
    ok
}

/// Ctrl-S (or Enter on the last field): the next step, when this one is complete.
fn forward(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    if !check_form(s) {
        return;
    }
    match s.step {
        Step::Customer => {
            prefill_primary(s);
            s.step = Step::Primary;
        }
        Step::Primary => s.step = Step::Contacts,
        Step::Contacts if s.editing.is_some() => s.editing = None,
        Step::Contacts => review(app, fx),
        Step::Review | Step::Create => {}
    }
}

/// The customer's own name (and, for a residential customer, the e-mail) is the likely
/// decision maker: it fills the primary contact's empty fields, to be changed at will.
fn prefill_primary(s: &mut OnboardScreen) {
    let get = |k: &str| {
        s.customer
            .field(k)
            .map(|f| f.value().trim().to_string())
            .unwrap_or_default()
    };
    let name = format!("{} {}", get("firstname"), get("lastname"))
        .trim()
        .to_string();
    let residential = get(TYPE_KEY) == "Residential";
    let email = get("email");
    let mut put = |key: &str, value: &str| {
        if let Some(f) = s.primary.field_mut(key)
            && f.value().trim().is_empty()
            && !value.is_empty()
        {
            f.set_value(value.to_string());
        }
    };
    put("name", &name);
    if residential {
        put("email", &email);
    }
}

/// Esc: a step back; on the first step, leave (asking when anything was typed).
fn back(app: &mut App) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    match s.step {
        Step::Customer if s.run.is_some() => s.step = Step::Create,
        Step::Customer if s.is_dirty() => ask(
            app,
            Dialog::new(Ask::OnboardLeave, "Leave the onboarding?")
                .body(vec![
                    "Leaving drops everything typed for this client.".into(),
                ])
                .choice("Keep onboarding", None, Answer::No)
                .choice("Leave and drop it", None, Answer::Yes)
                .default_to(Answer::No)
                .tone(Tone::Danger),
        ),
        Step::Customer => close(app),
        Step::Primary => s.step = Step::Customer,
        Step::Contacts => match s.editing.take() {
            // A contact added and left empty goes again; a typed one stays.
            Some(i) if s.extras.get(i).is_some_and(|f| !f.is_dirty()) => {
                s.extras.remove(i);
                s.cursor = s.cursor.min(s.extras.len().saturating_sub(1));
            }
            Some(_) => {}
            None => s.step = Step::Primary,
        },
        Step::Review => s.step = Step::Contacts,
        Step::Create => {}
    }
}

fn contacts_step(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    let n = s.extras.len();
    match cmd {
        Cmd::Down if n > 0 => s.cursor = (s.cursor + 1).min(n - 1),
        Cmd::Up => s.cursor = s.cursor.saturating_sub(1),
        Cmd::New => {
            s.extras.push(extra_form(Role::Technical));
            s.cursor = s.extras.len() - 1;
            s.editing = Some(s.cursor);
        }
        Cmd::Edit | Cmd::Open if n > 0 => {
            s.editing = Some(s.cursor.min(n - 1));
            if let Some(f) = s.extras.get_mut(s.cursor) {
                f.focus = 0;
            }
        }
        Cmd::Delete if n > 0 => {
            let i = s.cursor.min(n - 1);
            let name = s
                .extras
                .get(i)
                .and_then(|f| f.field("name"))
                .map(|f| sanitize::line(f.value().trim()))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "this contact".into());
            ask(
                app,
                Dialog::new(Ask::OnboardRemoveContact(i), "Remove the contact?")
                    .body(vec![format!(
                        "Removes {name} from the onboarding; what was typed for them goes."
                    )])
                    .choice("Keep the contact", None, Answer::No)
                    .choice("Remove it", None, Answer::Yes)
                    .default_to(Answer::No)
                    .tone(Tone::Danger),
            );
        }
        Cmd::FormSave => forward(app, fx),
        Cmd::Back | Cmd::FormCancel => back(app),
        _ => {}
    }
}

/// Builds the review: what stops the run, and the duplicate check over the customers the
/// app holds (plus the server's filters when no mirror holds the whole account).
fn review(app: &mut App, fx: &mut Vec<Effect>) {
    let token = app.generation();
    // Each customer decoded for the check as it comes, and dropped.
    let customers = app.list.rows.iter().map(|r| r.customer());
    // Without the mirror the app holds only the loaded pages: the server's filters look too.
    let ask_server = !app.mirror.active;
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    let onb = s.onboarding();
    s.problems = onb.validate();
    s.duplicates = find_duplicates(&onb, customers, &[]);
    s.check_error = None;
    s.checking = None;
    s.step = Step::Review;
    if ask_server && s.problems.is_empty() {
        s.checking = Some(token);
        fx.push(Effect::Onboard(OnboardOp::CheckDuplicates {
            token,
            onboarding: Box::new(onb),
        }));
    }
}

fn review_step(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    match cmd {
        Cmd::Open | Cmd::FormSave | Cmd::ConfirmAccept => {
            if !s.problems.is_empty() {
                s.notice = Some("Correct what the review lists first (Esc goes back)".into());
            } else if s.checking.is_some() {
                s.notice = Some("The duplicate check is still running".into());
            } else if !s.duplicates.is_empty() || s.check_error.is_some() {
                let why = if s.duplicates.is_empty() {
                    "The duplicate check could not ask the server, so records like this client may exist."
                } else {
                    "The duplicate check found records like this client (listed on the review)."
                };
                ask(
                    app,
                    Dialog::new(Ask::OnboardCreateAnyway, "Create anyway?")
                        .body(vec![format!(
                            "{why} Creating anyway makes a new customer beside them."
                        )])
                        .choice("Back to the review", None, Answer::No)
                        .choice("Create anyway", None, Answer::Yes)
                        .default_to(Answer::No),
                );
            } else {
                start(app, fx);
            }
        }
        Cmd::Back | Cmd::FormCancel => back(app),
        _ => {}
    }
}

/// Starts the run (or resumes the stopped one with the data as corrected).
fn start(app: &mut App, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    if read_only {
        s.notice = Some("Read-only mode: nothing is created".into());
        return;
    }
    let onboarding = Box::new(s.onboarding());
    let op = match s.run.as_ref().and_then(|r| r.id.clone()) {
        Some(id) => OnboardOp::Resume {
            id,
            onboarding: Some(onboarding),
            read_only,
        },
        None => OnboardOp::Start {
            onboarding,
            read_only,
        },
    };
    let run = s.run.get_or_insert(RunView {
        id: None,
        lines: Vec::new(),
        state: RunState::Running,
    });
    run.state = RunState::Running;
    s.step = Step::Create;
    fx.push(Effect::Onboard(op));
}

fn create_step(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let read_only = app.config.read_only;
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    let Some(run) = s.run.as_mut() else {
        s.step = Step::Review;
        return;
    };
    match (run.state.clone(), cmd) {
        (RunState::Running, Cmd::Back) => {
            app.stack.park_onboard();
            app.say(
                "The onboarding goes on in the background: O shows it",
                false,
            );
        }
        (RunState::Stopped(_), Cmd::Refresh) => {
            let Some(id) = run.id.clone() else {
                // The journal was never written: start again from the review's data.
                return start(app, fx);
            };
            run.state = RunState::Running;
            fx.push(Effect::Onboard(OnboardOp::Resume {
                id,
                onboarding: None,
                read_only,
            }));
        }
        (RunState::Stopped(_), Cmd::Edit) => {
            // The contact list's cursor waits on the failed contact (steps: the customer, the
            // decision maker, then the further contacts).
            let failed = run
                .lines
                .iter()
                .position(|l| matches!(l.status, CreateStatus::Failed { .. }));
            if let Some(i) = failed.and_then(|i| i.checked_sub(2)) {
                s.cursor = i.min(s.extras.len().saturating_sub(1));
            }
            review(app, fx);
        }
        (RunState::Stopped(_), Cmd::DeleteCustomer | Cmd::Delete) => ask(
            app,
            Dialog::new(Ask::OnboardForgetRun, "Forget this onboarding?")
                .body(vec![
                    "Forgets the unfinished run and its journal; what it created stays in Syncro."
                        .into(),
                ])
                .choice("Keep it", None, Answer::No)
                .choice("Forget it", None, Answer::Yes)
                .default_to(Answer::No)
                .tone(Tone::Danger),
        ),
        (RunState::Stopped(_), Cmd::Back) => {
            app.stack.park_onboard();
            app.say(
                "The onboarding is kept: O shows it again, and it is offered at the next start",
                false,
            );
        }
        (RunState::Done { customer_id: id }, Cmd::Back | Cmd::Open) => {
            close(app);
            jump_to(app, id);
        }
        _ => {}
    }
}

/// Text typed into the open step's form.
pub fn edit(app: &mut App, req: InputRequest) {
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    s.notice = None;
    let Some(form) = s.form_mut() else { return };
    let i = form.focus.min(form.fields.len().saturating_sub(1));
    if form.fields[i].key == ROLE_KEY {
        let field = &mut form.fields[i];
        let cur = ROLES
            .iter()
            .position(|r| role_name(*r) == field.value())
            .unwrap_or(0);
        let n = ROLES.len();
        let next = match req {
            InputRequest::GoToPrevChar | InputRequest::DeletePrevChar => (cur + n - 1) % n,
            InputRequest::InsertChar(c) => ROLES
                .iter()
                .position(|r| {
                    role_name(*r)
                        .to_lowercase()
                        .starts_with(c.to_ascii_lowercase())
                })
                .unwrap_or((cur + 1) % n),
            _ => (cur + 1) % n,
        };
        field.set_value(role_name(ROLES[next]).to_string());
        return;
    }
    form.edit_focused(req);
}

/// A report from the worker.
pub fn event(app: &mut App, ev: OnboardEvent, fx: &mut Vec<Effect>) {
    match ev {
        OnboardEvent::Pending(runs) => {
            app.onboard_pending = runs;
            return;
        }
        OnboardEvent::Draft(onb) => {
            app.onboard_draft = Some(onb);
            return;
        }
        OnboardEvent::Discarded(Err(e)) => {
            return app.say(format!("Could not forget the onboarding: {e}"), true);
        }
        OnboardEvent::Discarded(Ok(())) => return,
        _ => {}
    }
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    match ev {
        OnboardEvent::Duplicates { token, result } => {
            if s.checking != Some(token) {
                return;
            }
            s.checking = None;
            match result {
                Ok(found) => {
                    for m in found {
                        let known = s.duplicates.iter().any(|d| {
                            d.subject == m.subject
                                && d.customer_id == m.customer_id
                                && d.contact_id == m.contact_id
                        });
                        if !known {
                            s.duplicates.push(m);
                        }
                    }
                }
                Err(e) => s.check_error = Some(sanitize::line(&e)),
            }
        }
        OnboardEvent::Started { id, steps } => {
            let run = s.run.get_or_insert(RunView {
                id: None,
                lines: Vec::new(),
                state: RunState::Running,
            });
            run.id = Some(id);
            run.lines = lines(steps);
            run.state = RunState::Running;
        }
        OnboardEvent::Progress(p) => {
            if let Some(run) = s.run.as_mut()
                && let Some(line) = run.lines.get_mut(p.number.saturating_sub(1))
            {
                line.status = p.status;
                line.label = sanitize::line(&p.label);
            }
        }
        OnboardEvent::Finished {
            error,
            steps,
            customer,
        } => finished(app, error, steps, customer, fx),
        OnboardEvent::Pending(_) | OnboardEvent::Draft(_) | OnboardEvent::Discarded(_) => {}
    }
}

fn finished(
    app: &mut App,
    error: Option<String>,
    steps: Vec<StepState>,
    customer: Option<Box<Customer>>,
    fx: &mut Vec<Effect>,
) {
    let shown = matches!(app.mode(), Mode::Onboard | Mode::OnboardForm);
    let Some(s) = app.stack.onboard_mut() else {
        return;
    };
    let run = s.run.get_or_insert(RunView {
        id: None,
        lines: Vec::new(),
        state: RunState::Running,
    });
    if !steps.is_empty() {
        run.lines = lines(steps);
    }
    match error {
        Some(e) => {
            let e = sanitize::line(&e);
            run.state = RunState::Stopped(e.clone());
            if !shown {
                app.say(
                    format!("The onboarding stopped: {e} (O shows it, r resumes)"),
                    true,
                );
            }
        }
        None => {
            let customer_id = customer
                .as_ref()
                .map(|c| c.id)
                .or_else(|| run.lines.first().and_then(|l| l.status.id()))
                .unwrap_or_default();
            let contacts = run.lines.len().saturating_sub(1);
            run.state = RunState::Done { customer_id };
            if let Some(c) = customer {
                created(app, *c, fx);
            }
            // The worker started the customer's follow-up checklist: read it for the Overview.
            fx.push(crate::app::followup::startup());
            app.say(
                format!(
                    "Onboarded: the customer and {} created",
                    plural(contacts, "contact")
                ),
                false,
            );
            if !shown {
                // Hidden while it ran: the list goes to the new customer now.
                close(app);
                jump_to(app, customer_id);
            }
        }
    }
}

/// The new customer (read back with its contacts) goes into the list and the mirror: one
/// write, which files the contacts it carries under it.
fn created(app: &mut App, mut customer: Customer, fx: &mut Vec<Effect>) {
    for ct in &mut customer.contacts {
        ct.customer_id.get_or_insert(customer.id);
    }
    mirror::customer_saved(app, &customer, fx);
    panes::insert_customers(app, vec![customer], false);
}

/// Selects the customer in the list and shows its contacts.
fn jump_to(app: &mut App, id: Id) {
    if !panes::select_customer(app, id, true) {
        if id != 0 {
            app.say(
                format!("Customer #{id} created; the search or a filter hides it in the list"),
                false,
            );
        }
        return;
    }
    app.focus = Focus::Detail;
    panes::show_tab(app, Tab::Contacts);
}

/// An onboarding typed but not started, to keep as a draft when the app stops (whatever
/// stops it: a quit, a signal, a crash). A started one lives in its journal instead.
pub fn unsaved(app: &App) -> Option<Onboarding> {
    app.stack
        .onboard()
        .filter(|s| s.run.is_none() && s.is_dirty())
        .map(OnboardScreen::draft)
}

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod tests;
