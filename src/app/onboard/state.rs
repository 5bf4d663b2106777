//! The onboarding screen's data: its steps, forms, duplicate matches and run, and what it asks
//! the worker and hears back. No `App` here: the logic is in [`super`].

use serde_json::Value;

use crate::api::model::{Customer, Id, Patch};
use crate::app::form::{Field, FieldKind, Form, PROP_PREFIX, TYPE_KEY};
use crate::app::kinds::Mode;
use crate::flows::onboard::{
    CreateStatus, DuplicateMatch, OnboardProgress, OnboardRun, Onboarding, Role, Subject,
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
    /// The run, once started (or offered back from a journal).
    pub run: Option<RunView>,
    /// First line under the step indicator: why a step cannot be left, for instance.
    pub notice: Option<String>,
}

/// A contact's form in the onboarding: the contact form without its roles pick list (the
/// onboarding gives each contact its role itself: the decision maker, or the role chosen).
fn contact_form() -> Form {
    let mut form = Form::new_contact(0);
    form.fields.retain(|f| f.key != crate::app::form::ROLES_KEY);
    form
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

pub fn role_of(form: &Form) -> Role {
    form.field(ROLE_KEY)
        .and_then(|f| ROLES.iter().find(|r| role_name(**r) == f.value()))
        .copied()
        .unwrap_or(Role::Other)
}

/// A new further contact's form: the role first, then the contact's fields.
pub fn extra_form(role: Role) -> Form {
    let mut form = contact_form();
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
pub fn fill(form: &mut Form, patch: &Patch) {
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
            primary: contact_form(),
            extras: Vec::new(),
            cursor: 0,
            editing: None,
            duplicates: Vec::new(),
            checking: None,
            check_error: None,
            problems: Vec::new(),
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

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match self.step {
            Step::Customer => Some(&mut self.customer),
            Step::Primary => Some(&mut self.primary),
            Step::Contacts => self.editing.and_then(|i| self.extras.get_mut(i)),
            _ => None,
        }
    }

    /// The mode the keyboard is in: text for a form, keys for the rest.
    pub fn mode(&self) -> Mode {
        if self.form().is_some() {
            Mode::OnboardForm
        } else {
            Mode::Onboard
        }
    }

    /// Whether the status line should animate (a run or a check is on its way).
    pub fn busy(&self) -> bool {
        self.is_running() || self.checking.is_some()
    }

    /// The status line's activity while a run goes on.
    pub fn activity(&self) -> Option<String> {
        if self.checking.is_some() {
            return Some("Checking the server for duplicates".into());
        }
        let run = self.run.as_ref()?;
        let i = run.running_step()?;
        Some(format!(
            "Onboarding: step {} of {}, {}",
            i + 1,
            run.lines.len(),
            run.lines[i].label
        ))
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

pub fn lines(steps: Vec<StepState>) -> Vec<StepLine> {
    steps
        .into_iter()
        .map(|(label, status)| StepLine {
            label: sanitize::line(&label),
            status,
        })
        .collect()
}
