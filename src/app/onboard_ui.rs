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
//!   Creating with duplicates on screen needs an explicit `y`.
//! - The creates run on a worker task ([`OnboardOp::Start`]) with a journal in the data
//!   directory ([`OnboardRun`]); each finished step is reported. A failure stops the run: what
//!   was created stays, the failed step shows the server's message, `r` resumes from the
//!   journal (the engine never sends a create twice), `e` goes back to correct the data (the
//!   resume then sends the corrected data of the steps that created nothing).
//! - Esc goes back a step; on the first step it leaves, asking first when anything was typed.
//!   Leaving a failed run keeps it (`O` shows it again); at the next start unfinished runs are
//!   offered back ([`startup`], [`settle`]).
//! - When everything exists the new customer is read back, put into the list and the mirror
//!   ([`super::mirror_ui::customer_saved`]) and selected.

use serde_json::Value;
use tui_input::InputRequest;

use super::form::{Field, FieldKind, Form, PROP_PREFIX, TYPE_KEY};
use super::update::insert_customers;
use super::{Action, App, Cmd, Effect, Focus, Mode, Tab};
use crate::api::model::{Customer, Id, Patch};
use crate::flows::onboard::{
    CreateStatus, DuplicateMatch, OnboardProgress, OnboardRun, Onboarding, Role, Subject,
    find_duplicates,
};
use crate::sanitize;

/// The key of the role pick list in an additional contact's form (never sent).
pub const ROLE_KEY: &str = "role";
/// The roles an additional contact can have, in pick-list order.
pub const ROLES: [Role; 3] = [Role::Technical, Role::Billing, Role::Other];

/// What the onboarding asks the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum OnboardOp {
    /// Read the journals of unfinished onboardings; answered by [`OnboardEvent::Pending`].
    LoadPending,
    /// Verify before create through the API (no mirror in use); answered by
    /// [`OnboardEvent::Duplicates`].
    CheckDuplicates {
        token: u64,
        onboarding: Box<Onboarding>,
    },
    /// Start a run (journal first) and create everything in order.
    Start {
        onboarding: Box<Onboarding>,
        read_only: bool,
    },
    /// Run the remaining steps of the journal `id`, with corrected data when given.
    Resume {
        id: String,
        onboarding: Option<Box<Onboarding>>,
        read_only: bool,
    },
    /// Forget the journal `id` (what was created stays).
    Discard { id: String },
    /// Forget the draft of an onboarding typed but not started (declined, or discarded).
    RemoveDraft,
}

// `Effect` is `Eq`; onboardings hold JSON values without NaN, so equality is an equivalence.
impl Eq for OnboardOp {}

/// A step line as the worker reports it: label and state.
pub type StepState = (String, CreateStatus);

/// What the worker reports about an onboarding.
#[derive(Debug)]
pub enum OnboardEvent {
    /// Unfinished onboardings found at start.
    Pending(Vec<OnboardRun>),
    /// An onboarding typed but not started when the app last stopped.
    Draft(Box<Onboarding>),
    /// The server's duplicate check.
    Duplicates {
        token: u64,
        result: Result<Vec<DuplicateMatch>, String>,
    },
    /// A run started or resumed: its journal id and every step as the journal has it.
    Started { id: String, steps: Vec<StepState> },
    /// One step finished (created, or found after an unknown outcome).
    Progress(OnboardProgress),
    /// The run stopped: `error` is `None` when everything exists. `steps` is the journal as
    /// it is now; `customer` the new customer read back (with its contacts) after success.
    Finished {
        error: Option<String>,
        steps: Vec<StepState>,
        customer: Option<Box<Customer>>,
    },
    /// A journal was discarded (or could not be).
    Discarded(Result<(), String>),
}

/// The five steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Customer,
    Primary,
    Contacts,
    Review,
    Create,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Customer,
        Step::Primary,
        Step::Contacts,
        Step::Review,
        Step::Create,
    ];

    /// The name in the step indicator.
    pub fn title(self) -> &'static str {
        match self {
            Step::Customer => "Customer",
            Step::Primary => "Primary contact",
            Step::Contacts => "More contacts",
            Step::Review => "Review",
            Step::Create => "Create",
        }
    }
}

/// A question inside the flow, answered with `y` (anything else is no).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Leave and drop everything typed.
    Discard,
    /// Remove an additional contact (its typed data goes).
    RemoveContact(usize),
    /// Create although the duplicate check found matches.
    CreateAnyway,
    /// Ctrl-C with typed data and no journal.
    Quit,
    /// Forget an unfinished run's journal (what was created stays).
    DiscardRun,
    /// Restore the onboarding typed when the app last stopped (no: it is forgotten).
    RestoreDraft,
}

/// One create in the progress list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    /// Sanitised.
    pub label: String,
    pub status: CreateStatus,
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    /// The worker creates; the first step without an ID is the one running.
    Running,
    /// Stopped at a failed step (or found unfinished at start); `r` resumes.
    Stopped(String),
    /// Everything exists.
    Done { customer_id: Id },
}

/// A run of the onboarding: its journal and its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    /// The journal's id, once the worker started it.
    pub id: Option<String>,
    pub lines: Vec<StepLine>,
    pub state: RunState,
}

impl RunView {
    /// The step the worker works on (the first without an ID), while running.
    pub fn running_step(&self) -> Option<usize> {
        if self.state != RunState::Running {
            return None;
        }
        self.lines.iter().position(|l| l.status.id().is_none())
    }

    /// How many records exist.
    pub fn created(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| l.status.id().is_some())
            .count()
    }
}

/// The onboarding screen.
#[derive(Debug, Clone)]
pub struct OnboardScreen {
    pub step: Step,
    pub customer: Form,
    /// The decision maker.
    pub primary: Form,
    /// Further contacts; each form has the role pick list ([`ROLE_KEY`]) first.
    pub extras: Vec<Form>,
    /// Cursor in the list of further contacts.
    pub cursor: usize,
    /// The further contact whose form is open.
    pub editing: Option<usize>,
    /// What the review found: matches of the duplicate check.
    pub duplicates: Vec<DuplicateMatch>,
    /// The server's duplicate check is on its way (tag of the request).
    pub checking: Option<u64>,
    /// The server's duplicate check failed (creating is still possible, after a `y`).
    pub check_error: Option<String>,
    /// What stops the onboarding from running (the review lists it).
    pub problems: Vec<String>,
    pub question: Option<Question>,
    /// The run, once started (or offered back from a journal).
    pub run: Option<RunView>,
    /// First line under the step indicator: why a step cannot be left, for instance.
    pub notice: Option<String>,
}

/// The readable name of a role, as the pick list shows it.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::DecisionMaker => "Decision maker",
        Role::Technical => "Technical",
        Role::Billing => "Billing",
        Role::Other => "Other",
    }
}

fn role_of(form: &Form) -> Role {
    form.field(ROLE_KEY)
        .and_then(|f| ROLES.iter().find(|r| role_name(**r) == f.value()))
        .copied()
        .unwrap_or(Role::Other)
}

/// A new further contact's form: the role first, then the contact's fields.
pub fn extra_form(role: Role) -> Form {
    let mut form = Form::new_contact(0);
    let value = role_name(role).to_string();
    form.fields.insert(
        0,
        Field {
            key: ROLE_KEY.into(),
            label: "Role".into(),
            kind: FieldKind::Text,
            input: tui_input::Input::new(value.clone()),
            original: value,
            error: None,
        },
    );
    form
}

/// A run's steps as the progress screen lists them.
pub(crate) fn step_states(run: &OnboardRun) -> Vec<StepState> {
    run.steps
        .iter()
        .map(|st| (st.label.clone(), st.status.clone()))
        .collect()
}

pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Fills a form's fields from a patch of the same record (a journal's data).
fn fill(form: &mut Form, patch: &Patch) {
    let type_property = form.type_property.clone();
    for f in &mut form.fields {
        let value = if f.key == TYPE_KEY {
            patch
                .get("properties")
                .and_then(|p| p.get(&type_property))
                .map(value_text)
        } else if let Some(name) = f.key.strip_prefix(PROP_PREFIX) {
            patch
                .get("properties")
                .and_then(|p| p.get(name))
                .map(value_text)
        } else {
            patch.get(&f.key).map(value_text)
        };
        if let Some(v) = value {
            f.set_value(v);
        }
    }
}

impl OnboardScreen {
    /// An empty onboarding at its first step.
    pub fn new(type_property: &str) -> Self {
        OnboardScreen {
            step: Step::Customer,
            customer: Form::new_customer(type_property),
            primary: Form::new_contact(0),
            extras: Vec::new(),
            cursor: 0,
            editing: None,
            duplicates: Vec::new(),
            checking: None,
            check_error: None,
            problems: Vec::new(),
            question: None,
            run: None,
            notice: None,
        }
    }

    /// The forms filled with an onboarding's data (a journal's, a draft's), at the first step.
    pub fn from_onboarding(onb: &Onboarding, type_property: &str) -> Self {
        let mut s = OnboardScreen::new(type_property);
        fill(&mut s.customer, &onb.customer);
        fill(&mut s.primary, &onb.primary_contact);
        for (role, patch) in &onb.extra_contacts {
            let mut f = extra_form(*role);
            fill(&mut f, patch);
            s.extras.push(f);
        }
        s
    }

    /// The screen of an unfinished run found in a journal: its data in the forms, its
    /// progress on screen, stopped (`r` resumes).
    pub fn from_run(run: &OnboardRun, type_property: &str) -> Self {
        let mut s = OnboardScreen::from_onboarding(&run.onboarding, type_property);
        let why = match run.failed_step() {
            Some((_, step)) => match &step.status {
                CreateStatus::Failed { error, .. } => {
                    format!("{} failed: {error}", step.label)
                }
                _ => String::new(),
            },
            None => "The app stopped before the onboarding finished".into(),
        };
        s.step = Step::Create;
        s.run = Some(RunView {
            id: Some(run.id.clone()),
            lines: lines(step_states(run)),
            state: RunState::Stopped(sanitize::line(&why)),
        });
        s
    }

    /// Everything the forms hold, as the engine takes it.
    pub fn onboarding(&self) -> Onboarding {
        let extra_contacts = self
            .extras
            .iter()
            .map(|f| {
                let mut p = f.patch();
                p.remove(ROLE_KEY);
                (role_of(f), p)
            })
            .collect();
        Onboarding {
            customer: self.customer.patch(),
            primary_contact: self.primary.patch(),
            extra_contacts,
        }
    }

    /// [`OnboardScreen::onboarding`] as a draft keeps it: a number field holding what is not a
    /// number yet (a tax rate ID typed as `12a`) keeps the text typed, which sending would drop.
    pub fn draft(&self) -> Onboarding {
        fn keep_typed(form: &Form, patch: &mut Patch) {
            for f in &form.fields {
                let v = f.value().trim();
                if f.kind == FieldKind::Integer && !v.is_empty() && v.parse::<u64>().is_err() {
                    patch.insert(f.key.clone(), Value::String(f.value().to_string()));
                }
            }
        }
        let mut onb = self.onboarding();
        keep_typed(&self.customer, &mut onb.customer);
        keep_typed(&self.primary, &mut onb.primary_contact);
        for (form, (_, patch)) in self.extras.iter().zip(&mut onb.extra_contacts) {
            keep_typed(form, patch);
        }
        onb
    }

    /// Whether anything was typed (leaving then asks first).
    pub fn is_dirty(&self) -> bool {
        self.customer.is_dirty() || self.primary.is_dirty() || !self.extras.is_empty()
    }

    /// The form that takes the keyboard, if the step has one.
    pub fn form(&self) -> Option<&Form> {
        match self.step {
            Step::Customer => Some(&self.customer),
            Step::Primary => Some(&self.primary),
            Step::Contacts => self.editing.and_then(|i| self.extras.get(i)),
            _ => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match self.step {
            Step::Customer => Some(&mut self.customer),
            Step::Primary => Some(&mut self.primary),
            Step::Contacts => self.editing.and_then(|i| self.extras.get_mut(i)),
            _ => None,
        }
    }

    /// The mode the keyboard is in: text for a form, keys for the rest and for questions.
    pub fn mode(&self) -> Mode {
        if self.question.is_none() && self.form().is_some() {
            Mode::OnboardForm
        } else {
            Mode::Onboard
        }
    }

    /// A running run's journal id is taken, so nothing else may start.
    pub fn is_running(&self) -> bool {
        self.run
            .as_ref()
            .is_some_and(|r| r.state == RunState::Running)
    }

    /// The label of a duplicate match's subject ("Customer", "Primary contact", "Contact 3").
    pub fn subject_label(&self, subject: Subject) -> String {
        match subject {
            Subject::Customer => "Customer".into(),
            Subject::Contact(0) => "Primary contact".into(),
            Subject::Contact(i) => {
                let name = self
                    .extras
                    .get(i - 1)
                    .and_then(|f| f.field("name"))
                    .map(|f| f.value().trim().to_string())
                    .filter(|n| !n.is_empty());
                match name {
                    Some(n) => format!("Contact {}", sanitize::line(&n)),
                    None => format!("Contact {}", i + 1),
                }
            }
        }
    }
}

fn lines(steps: Vec<StepState>) -> Vec<StepLine> {
    steps
        .into_iter()
        .map(|(label, status)| StepLine {
            label: sanitize::line(&label),
            status,
        })
        .collect()
}

/// The first effect at start: look for unfinished onboardings.
pub fn startup() -> Effect {
    Effect::Onboard(OnboardOp::LoadPending)
}

/// `O` or `:onboard`: the flow (as it was left, or an unfinished run, or a new one).
pub fn open(app: &mut App) {
    if app.config.read_only {
        return app.say("Read-only mode: onboarding creates records and is refused. Turn read-only off to make changes.",
            true,
        );
    }
    if app.onboard.is_none() {
        app.onboard = Some(match app.onboard_pending.first() {
            Some(run) => {
                let screen = OnboardScreen::from_run(run, &app.config.customer_type_property);
                app.onboard_pending.remove(0);
                screen
            }
            None => OnboardScreen::new(&app.config.customer_type_property),
        });
    }
    set_mode(app);
}

fn set_mode(app: &mut App) {
    app.mode = app
        .onboard
        .as_ref()
        .map_or(Mode::Normal, OnboardScreen::mode);
}

/// After every action: an unfinished onboarding found at start is offered once the app is
/// quiet (browsing, no form, no question, no other flow on screen).
pub fn settle(app: &mut App) {
    if (app.onboard_pending.is_empty() && app.onboard_draft.is_none())
        || app.onboard.is_some()
        || app.mode != Mode::Normal
        || app.form.is_some()
        || app.confirm.is_some()
        || app.config.read_only
        || !app.drafts_waiting.is_empty()
    {
        return;
    }
    if let Some(onb) = app.onboard_draft.take() {
        let mut screen = OnboardScreen::from_onboarding(&onb, &app.config.customer_type_property);
        screen.question = Some(Question::RestoreDraft);
        app.onboard = Some(screen);
        set_mode(app);
        return;
    }
    open(app);
    app.say(
        "An onboarding did not finish last time: r resumes it, D forgets it, Esc decides later",
        false,
    );
}

fn close(app: &mut App) {
    app.onboard = None;
    app.mode = Mode::Normal;
}

/// Keys in [`Mode::Onboard`] and [`Mode::OnboardForm`].
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(s) = app.onboard.as_mut() else {
        app.mode = Mode::Normal;
        return;
    };
    s.notice = None;
    if let Some(q) = s.question.take() {
        answer(app, q, cmd == Cmd::ConfirmAccept, fx);
        set_mode(app);
        return;
    }
    if cmd == Cmd::Quit {
        if s.run.is_none() && s.is_dirty() {
            s.question = Some(Question::Quit);
        } else {
            app.quit = true;
        }
        set_mode(app);
        return;
    }
    let (step, editing) = (s.step, s.editing.is_some());
    match step {
        Step::Customer | Step::Primary => form_step(app, cmd, fx),
        Step::Contacts if editing => form_step(app, cmd, fx),
        Step::Contacts => contacts_step(app, cmd, fx),
        Step::Review => review_step(app, cmd, fx),
        Step::Create => create_step(app, cmd, fx),
    }
    if app.onboard.is_some() && matches!(app.mode, Mode::Onboard | Mode::OnboardForm) {
        set_mode(app);
    }
}

fn answer(app: &mut App, q: Question, yes: bool, fx: &mut Vec<Effect>) {
    if q == Question::RestoreDraft {
        if yes {
            app.say("The onboarding typed last time is back", false);
        } else {
            fx.push(Effect::Onboard(OnboardOp::RemoveDraft));
            close(app);
            app.say("The onboarding draft is discarded", false);
        }
        return;
    }
    if !yes {
        return;
    }
    let Some(s) = app.onboard.as_mut() else {
        return;
    };
    match q {
        Question::Discard => {
            fx.push(Effect::Onboard(OnboardOp::RemoveDraft));
            close(app);
            app.say("Onboarding discarded", false);
        }
        Question::RemoveContact(i) => {
            if i < s.extras.len() {
                s.extras.remove(i);
                s.cursor = s.cursor.min(s.extras.len().saturating_sub(1));
            }
        }
        Question::CreateAnyway => start(app, fx),
        // The loop keeps what was typed as a draft on the way out ([`unsaved`]).
        Question::Quit => app.quit = true,
        // Answered above: its "no" acts too.
        Question::RestoreDraft => {}
        Question::DiscardRun => {
            if let Some(id) = s.run.as_ref().and_then(|r| r.id.clone()) {
                fx.push(Effect::Onboard(OnboardOp::Discard { id }));
            }
            close(app);
            app.say(
                "The unfinished onboarding is forgotten; what it created stays",
                false,
            );
        }
    }
}

/// Keys while a step's form is open.
fn form_step(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(s) = app.onboard.as_mut() else {
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
    let Some(s) = app.onboard.as_mut() else {
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
    let Some(s) = app.onboard.as_mut() else {
        return;
    };
    match s.step {
        Step::Customer if s.run.is_some() => s.step = Step::Create,
        Step::Customer if s.is_dirty() => s.question = Some(Question::Discard),
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
    let Some(s) = app.onboard.as_mut() else {
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
        Cmd::Delete if n > 0 => s.question = Some(Question::RemoveContact(s.cursor.min(n - 1))),
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
    let Some(s) = app.onboard.as_mut() else {
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
    let Some(s) = app.onboard.as_mut() else {
        return;
    };
    match cmd {
        Cmd::Open | Cmd::FormSave | Cmd::ConfirmAccept => {
            if !s.problems.is_empty() {
                s.notice = Some("Correct what the review lists first (Esc goes back)".into());
            } else if s.checking.is_some() {
                s.notice = Some("The duplicate check is still running".into());
            } else if !s.duplicates.is_empty() || s.check_error.is_some() {
                s.question = Some(Question::CreateAnyway);
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
    let Some(s) = app.onboard.as_mut() else {
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
    let Some(s) = app.onboard.as_mut() else {
        return;
    };
    let Some(run) = s.run.as_mut() else {
        s.step = Step::Review;
        return;
    };
    match (run.state.clone(), cmd) {
        (RunState::Running, Cmd::Back) => {
            app.mode = Mode::Normal;
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
        (RunState::Stopped(_), Cmd::DeleteCustomer | Cmd::Delete) => {
            s.question = Some(Question::DiscardRun);
        }
        (RunState::Stopped(_), Cmd::Back) => {
            app.mode = Mode::Normal;
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
    let Some(s) = app.onboard.as_mut() else {
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
    let Some(s) = app.onboard.as_mut() else {
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
    let shown = matches!(app.mode, Mode::Onboard | Mode::OnboardForm);
    let Some(s) = app.onboard.as_mut() else {
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
            app.say(
                format!(
                    "Onboarded: the customer and {} created",
                    super::palette::plural(contacts, "contact")
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
    super::mirror_ui::customer_saved(app, &customer, fx);
    insert_customers(app, vec![customer], false);
}

/// Selects the customer in the list and shows its contacts.
fn jump_to(app: &mut App, id: Id) {
    if !super::update::select_customer(app, id, true) {
        if id != 0 {
            app.say(
                format!("Customer #{id} created; the search or a filter hides it in the list"),
                false,
            );
        }
        return;
    }
    app.focus = Focus::Detail;
    app.detail.tab = Tab::Contacts;
    app.detail.contact_open = false;
}

/// An onboarding typed but not started, to keep as a draft when the app stops (whatever
/// stops it: a quit, a signal, a crash). A started one lives in its journal instead.
pub fn unsaved(app: &App) -> Option<Onboarding> {
    app.onboard
        .as_ref()
        .filter(|s| s.run.is_none() && s.is_dirty())
        .map(OnboardScreen::draft)
}

/// Whether the status line should animate (a run or a check is on its way).
pub fn busy(app: &App) -> bool {
    app.onboard
        .as_ref()
        .is_some_and(|s| s.is_running() || s.checking.is_some())
}

/// The status line's activity while a run goes on.
pub fn activity(app: &App) -> Option<String> {
    let s = app.onboard.as_ref()?;
    if s.checking.is_some() {
        return Some("Checking the server for duplicates".into());
    }
    let run = s.run.as_ref()?;
    let i = run.running_step()?;
    Some(format!(
        "Onboarding: step {} of {}, {}",
        i + 1,
        run.lines.len(),
        run.lines[i].label
    ))
}

/// Routes an action that belongs to the onboarding (used by `update`).
pub fn action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::OnboardEdit(req) => edit(app, req),
        Action::Onboard(ev) => event(app, ev, fx),
        _ => {}
    }
}

#[cfg(test)]
#[path = "onboard_ui_tests.rs"]
pub(crate) mod tests;
