//! Client onboarding: a new customer and its contacts created in order, never twice.
//!
//! The UI collects an [`Onboarding`] (the customer, the decision maker, any number of further
//! contacts with a [`Role`]), shows the review with [`Onboarding::validate`] and the matches of
//! [`check_duplicates`] (verify before create), then starts an [`OnboardRun`]
//! ([`OnboardRun::start`]) and drives it with [`OnboardRun::next_step`] (or [`run`] with a
//! progress callback). [`OnboardRun::pending`] lists unfinished runs to resume after a restart;
//! [`OnboardRun::replace_onboarding`] corrects data the server rejected.
//!
//! The run keeps a journal (`<data_dir>/flows/onboard-ID.json`) written before every POST and
//! after every answer, holding the IDs of what was created. A failed step stops the run; what
//! was created stays created. Resuming skips what the journal holds, and for a step whose POST
//! may have reached the server (a timeout, a dropped connection, a 5xx, or a crash while it was
//! in flight) it first looks for the record (the customer by e-mail or name through the list
//! filters, a contact by e-mail or name among the customer's contacts) and adopts it instead of
//! sending again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FlowEnv, FlowError, email_key, now};
use crate::api::model::{Contact, Customer, Id, Patch};
use crate::api::{ApiError, CustomerQuery, SyncroClient};
use crate::audit::normalize_name;
use crate::domain::is_email;

/// What a contact is to the new client; it goes into the contact's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// The primary contact.
    DecisionMaker,
    Technical,
    Billing,
    /// No role prefix: the title as typed.
    Other,
}

impl Role {
    /// The title's role part ("Billing Contact"); empty for [`Role::Other`].
    pub fn label(self) -> &'static str {
        match self {
            Role::DecisionMaker => "Decision Maker",
            Role::Technical => "Technical Contact",
            Role::Billing => "Billing Contact",
            Role::Other => "",
        }
    }

    /// The title to store: the role alone, or the role before the title typed
    /// ("Billing Contact - Office Manager"), or the typed title when it already names the role.
    pub fn title(self, typed: &str) -> String {
        let typed = typed.trim();
        let label = self.label();
        if label.is_empty() {
            typed.to_string()
        } else if typed.is_empty() {
            label.to_string()
        } else if typed.to_lowercase().contains(&label.to_lowercase()) {
            typed.to_string()
        } else {
            format!("{label} - {typed}")
        }
    }
}

/// Everything the onboarding will create. Patches use API field names (contacts: `name`,
/// `email`, `phone`, `title`, ...; the customer: `business_name`, `tax_rate_id`, `referred_by`,
/// `properties`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Onboarding {
    pub customer: Patch,
    /// The decision maker; needs a name and an e-mail.
    pub primary_contact: Patch,
    pub extra_contacts: Vec<(Role, Patch)>,
}

fn text<'a>(p: &'a Patch, key: &str) -> Option<&'a str> {
    p.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl Onboarding {
    /// Sets the customer type in the custom property `type_property` (there is no API field;
    /// Residential customers also have no business name, which the UI asks for).
    pub fn set_customer_type(&mut self, type_property: &str, customer_type: &str) {
        let props = self
            .customer
            .entry("properties")
            .or_insert_with(|| Value::Object(Patch::new()));
        if !props.is_object() {
            *props = Value::Object(Patch::new());
        }
        if let Value::Object(m) = props {
            m.insert(type_property.into(), Value::String(customer_type.into()));
        }
    }

    /// The contacts to create, in order (the decision maker first), each with its title.
    pub fn contacts(&self) -> Vec<(Role, Patch)> {
        std::iter::once((Role::DecisionMaker, &self.primary_contact))
            .chain(self.extra_contacts.iter().map(|(r, p)| (*r, p)))
            .map(|(role, p)| {
                let mut p = p.clone();
                let title = role.title(text(&p, "title").unwrap_or(""));
                if title.is_empty() {
                    p.remove("title");
                } else {
                    p.insert("title".into(), Value::String(title));
                }
                (role, p)
            })
            .collect()
    }

    /// The customer's name as shown: the business name, else first and last name.
    pub fn customer_name(&self) -> String {
        if let Some(b) = text(&self.customer, "business_name") {
            return b.to_string();
        }
        let parts: Vec<&str> = ["firstname", "lastname"]
            .iter()
            .filter_map(|k| text(&self.customer, k))
            .collect();
        parts.join(" ")
    }

    /// What stops the onboarding from running, worded for the review screen; empty when
    /// it can run.
    pub fn validate(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.customer_name().is_empty() {
            out.push("Customer: a business name, or a first and last name, is required".into());
        }
        if let Some(e) = text(&self.customer, "email")
            && !is_email(e)
        {
            out.push(format!("Customer: \"{e}\" is not an e-mail address"));
        }
        let mut seen = BTreeSet::new();
        for (n, (_, p)) in self.contacts().iter().enumerate() {
            let who = if n == 0 {
                "Primary contact".to_string()
            } else {
                format!("Contact {}", n + 1)
            };
            if text(p, "name").is_none() {
                out.push(format!("{who}: a name is required"));
            }
            match text(p, "email") {
                None if n == 0 => out.push(format!("{who}: an e-mail is required")),
                Some(e) if !is_email(e) => {
                    out.push(format!("{who}: \"{e}\" is not an e-mail address"))
                }
                Some(e) if !seen.insert(e.to_lowercase()) => out.push(format!(
                    "{who}: the e-mail {e} is used by another new contact"
                )),
                _ => {}
            }
        }
        out
    }
}

/// What a duplicate match is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Customer,
    /// Index into [`Onboarding::contacts`] (0 is the decision maker).
    Contact(usize),
}

/// An existing record that looks like one the onboarding would create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateMatch {
    pub subject: Subject,
    /// The existing customer (for a contact match: the customer it belongs to).
    pub customer_id: Id,
    pub contact_id: Option<Id>,
    /// The existing record's name.
    pub name: String,
    /// "same e-mail", "same name", "same phone".
    pub reason: &'static str,
}

fn phone_key(s: &str) -> Option<String> {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= 7).then(|| d[d.len().saturating_sub(10)..].to_string())
}

fn customer_reason(onb: &Onboarding, c: &Customer) -> Option<&'static str> {
    if let Some(e) = email_key(text(&onb.customer, "email"))
        && email_key(c.email.as_deref()).as_ref() == Some(&e)
    {
        return Some("same e-mail");
    }
    let name = normalize_name(&onb.customer_name());
    if !name.is_empty()
        && (normalize_name(&c.display_name()) == name || normalize_name(&c.person_name()) == name)
    {
        return Some("same name");
    }
    if let Some(p) = text(&onb.customer, "phone").and_then(phone_key) {
        let same = |x: &Option<String>| x.as_deref().and_then(phone_key).as_ref() == Some(&p);
        if same(&c.phone) || same(&c.mobile) {
            return Some("same phone");
        }
    }
    None
}

/// Verify before create, over records already fetched (the mirror): customers with the new
/// customer's e-mail, name (normalised: case, punctuation, legal suffixes) or phone, and
/// contacts anywhere in the account with a new contact's e-mail. `contacts` may be empty when
/// the customers carry their contacts embedded; both are searched. The customers are read once,
/// in order, and only what matches is kept: they may be decoded one at a time as they come.
pub fn find_duplicates<C: std::borrow::Borrow<Customer>>(
    onb: &Onboarding,
    customers: impl IntoIterator<Item = C>,
    contacts: &[Contact],
) -> Vec<DuplicateMatch> {
    let wanted: Vec<(usize, String)> = onb
        .contacts()
        .iter()
        .enumerate()
        .filter_map(|(i, (_, p))| email_key(text(p, "email")).map(|e| (i, e)))
        .collect();
    let mut out = Vec::new();
    // Embedded contacts with a wanted e-mail, reported after the separate list's.
    let mut embedded: Vec<Contact> = Vec::new();
    for c in customers {
        let c = c.borrow();
        if let Some(reason) = customer_reason(onb, c) {
            out.push(DuplicateMatch {
                subject: Subject::Customer,
                customer_id: c.id,
                contact_id: None,
                name: c.display_name(),
                reason,
            });
        }
        embedded.extend(
            c.contacts
                .iter()
                .filter(|ct| {
                    email_key(ct.email.as_deref())
                        .is_some_and(|e| wanted.iter().any(|(_, w)| *w == e))
                })
                .cloned(),
        );
    }
    let mut seen = BTreeSet::new();
    for ct in contacts.iter().chain(&embedded) {
        if !seen.insert(ct.id) {
            continue;
        }
        let Some(e) = email_key(ct.email.as_deref()) else {
            continue;
        };
        for (i, w) in &wanted {
            if *w == e {
                out.push(DuplicateMatch {
                    subject: Subject::Contact(*i),
                    customer_id: ct.customer_id.unwrap_or(0),
                    contact_id: Some(ct.id),
                    name: ct.name.clone().unwrap_or_default(),
                    reason: "same e-mail",
                });
            }
        }
    }
    out
}

/// Verify before create through the API: customers through the list filters (e-mail, name,
/// phone digits), contacts by walking every contact page once (the API cannot filter contacts
/// by e-mail). With a local mirror, call [`find_duplicates`] on it instead: far fewer requests.
pub async fn check_duplicates(
    client: &SyncroClient,
    onb: &Onboarding,
) -> Result<Vec<DuplicateMatch>, ApiError> {
    let customers = candidate_customers(client, onb).await?;
    let contacts = if onb
        .contacts()
        .iter()
        .any(|(_, p)| text(p, "email").is_some())
    {
        client.all_contacts(None).await?
    } else {
        Vec::new()
    };
    // Only the separate list is searched for contacts: the embedded ones are the same records.
    let bare: Vec<Customer> = customers
        .into_iter()
        .map(|c| Customer {
            contacts: Vec::new(),
            ..c
        })
        .collect();
    Ok(find_duplicates(onb, &bare, &contacts))
}

/// Customers the filters find for the new customer's e-mail, name and phone (deduplicated),
/// disabled ones included: a disabled customer is the commonest duplicate of a returning client.
async fn candidate_customers(
    client: &SyncroClient,
    onb: &Onboarding,
) -> Result<Vec<Customer>, ApiError> {
    let mut queries: Vec<CustomerQuery> = Vec::new();
    if let Some(e) = text(&onb.customer, "email") {
        queries.push(CustomerQuery {
            email: Some(e.to_string()),
            ..Default::default()
        });
    }
    if let Some(b) = text(&onb.customer, "business_name") {
        // The filter is a substring match: the normalised name also finds "Acme Dental LLC"
        // for "ACME Dental"; the name as typed finds it when normalising changed more than
        // case ("O'Brien & Sons").
        let n = normalize_name(b);
        if !n.is_empty() {
            queries.push(CustomerQuery {
                business_name: Some(n.clone()),
                ..Default::default()
            });
        }
        if n != b.to_lowercase() {
            queries.push(CustomerQuery {
                business_name: Some(b.to_string()),
                ..Default::default()
            });
        }
    } else {
        // A residential customer: by first and last name, or whichever of them is known.
        let (f, l) = (
            text(&onb.customer, "firstname"),
            text(&onb.customer, "lastname"),
        );
        if f.is_some() || l.is_some() {
            queries.push(CustomerQuery {
                firstname: f.map(str::to_string),
                lastname: l.map(str::to_string),
                ..Default::default()
            });
        }
    }
    if let Some(p) = text(&onb.customer, "phone").and_then(phone_key) {
        queries.push(CustomerQuery {
            query: Some(p),
            ..Default::default()
        });
    }
    let mut out: Vec<Customer> = Vec::new();
    for q in queries {
        let q = CustomerQuery {
            include_disabled: true,
            ..q
        };
        for c in client.all_customers(&q).await? {
            if !out.iter().any(|o| o.id == c.id) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// What a step creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Customer,
    /// Index into [`Onboarding::contacts`].
    Contact {
        index: usize,
    },
}

/// Where a create stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CreateStatus {
    Pending,
    /// The POST was sent and no answer recorded yet. Found in a journal, it means the app
    /// stopped while the request was in flight: the record is looked for before sending again.
    Sending,
    /// Created by this run.
    Created {
        id: Id,
    },
    /// Found on the server after an attempt whose outcome was unknown, and adopted.
    Found {
        id: Id,
    },
    /// The last attempt failed. `maybe_created`: the server may have created the record
    /// anyway (timeout, connection lost, 5xx), so it is looked for before sending again.
    Failed {
        error: String,
        maybe_created: bool,
    },
}

impl CreateStatus {
    /// The record's ID once it exists.
    pub fn id(&self) -> Option<Id> {
        match self {
            CreateStatus::Created { id } | CreateStatus::Found { id } => Some(*id),
            _ => None,
        }
    }
}

/// A create with its state in the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardStep {
    pub target: Target,
    /// "Customer Acme Dental", "Contact Jane Roe (Billing Contact)".
    pub label: String,
    pub status: CreateStatus,
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub attempts: u32,
}

/// What one finished step reports to the UI.
#[derive(Debug, Clone, PartialEq)]
pub struct OnboardProgress {
    /// 1-based.
    pub number: usize,
    pub total: usize,
    pub label: String,
    pub status: CreateStatus,
    pub message: String,
}

/// An onboarding in progress; serialized as its journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardRun {
    /// Names the journal file; unique per run.
    pub id: String,
    pub onboarding: Onboarding,
    pub started_at: String,
    pub steps: Vec<OnboardStep>,
    /// The API the records were created on (the client's base URL): a run is resumed only
    /// against the same account, never against another profile's (its IDs mean nothing
    /// there). Empty in journals written before this was recorded.
    #[serde(default)]
    pub server: String,
}

fn journal_path(data_dir: &Path, id: &str) -> PathBuf {
    super::journal_dir(data_dir).join(format!("onboard-{id}.json"))
}

/// Where an onboarding typed but not started is kept when the app stops.
fn draft_path(data_dir: &Path) -> PathBuf {
    super::journal_dir(data_dir).join("draft-onboarding.json")
}

/// Keeps an onboarding that was typed but not started (the app is stopping), to be offered
/// back at the next start. One draft at a time: a newer one replaces it.
pub fn save_draft(data_dir: &Path, onboarding: &Onboarding) -> Result<(), FlowError> {
    super::write_json(&draft_path(data_dir), onboarding)
}

/// The onboarding draft left by an earlier run, if any (an unreadable one is ignored).
pub fn load_draft(data_dir: &Path) -> Option<Onboarding> {
    super::read_json(&draft_path(data_dir)).ok().flatten()
}

/// Forgets the draft (restored and started, or declined).
pub fn remove_draft(data_dir: &Path) -> Result<(), FlowError> {
    super::remove_file(&draft_path(data_dir))
}

impl OnboardRun {
    /// A run of `onboarding`, nothing created yet; refused when [`Onboarding::validate`]
    /// complains. [`OnboardRun::save`] writes its journal.
    pub fn new(onboarding: Onboarding) -> Result<Self, FlowError> {
        let problems = onboarding.validate();
        if !problems.is_empty() {
            return Err(FlowError::Invalid(problems.join("; ")));
        }
        let mut steps = vec![OnboardStep {
            target: Target::Customer,
            label: format!("Customer {}", onboarding.customer_name()),
            status: CreateStatus::Pending,
            at: None,
            attempts: 0,
        }];
        for (index, (_, p)) in onboarding.contacts().iter().enumerate() {
            let name = text(p, "name").unwrap_or("");
            let label = match text(p, "title") {
                Some(t) => format!("Contact {name} ({t})"),
                None => format!("Contact {name}"),
            };
            steps.push(OnboardStep {
                target: Target::Contact { index },
                label,
                status: CreateStatus::Pending,
                at: None,
                attempts: 0,
            });
        }
        let started = chrono::Utc::now();
        Ok(OnboardRun {
            id: format!(
                "{}-{:04x}",
                started.format("%Y%m%dT%H%M%S%3f"),
                rand::random::<u16>()
            ),
            onboarding,
            started_at: now(),
            steps,
            server: String::new(),
        })
    }

    /// [`OnboardRun::new`] with its journal written, refused in read-only mode: what the UI
    /// calls when the technician confirms the review screen.
    pub fn start(env: &FlowEnv, onboarding: Onboarding) -> Result<Self, FlowError> {
        env.check_writable("creating the customer and its contacts")?;
        let mut run = OnboardRun::new(onboarding)?;
        run.server = env.client.base_url().to_string();
        run.save(&env.data_dir)?;
        Ok(run)
    }

    /// The journal of run `id`, if it is unfinished.
    pub fn load(data_dir: &Path, id: &str) -> Result<Option<OnboardRun>, FlowError> {
        super::read_json(&journal_path(data_dir, id))
    }

    /// Every unfinished onboarding (to offer resuming them).
    pub fn pending(data_dir: &Path) -> Vec<OnboardRun> {
        super::read_all(&super::journal_dir(data_dir), "onboard-")
    }

    /// The unfinished onboardings started against `server` (a client's base URL), and those
    /// whose journal does not say.
    pub fn pending_for(data_dir: &Path, server: &str) -> Vec<OnboardRun> {
        let mut runs = OnboardRun::pending(data_dir);
        runs.retain(|r| r.server.is_empty() || r.server == server);
        runs
    }

    pub fn save(&self, data_dir: &Path) -> Result<(), FlowError> {
        super::write_json(&journal_path(data_dir, &self.id), self)
    }

    /// Forgets the journal (given up; what was created stays).
    pub fn discard(&self, data_dir: &Path) -> Result<(), FlowError> {
        super::remove_file(&journal_path(data_dir, &self.id))
    }

    /// Replaces the data of steps that have not created anything, so the technician can correct
    /// a contact the server rejected (a 422) or add contacts at the end, and resume. Steps that
    /// created their record, or may have (the outcome was unknown), keep their data: changing
    /// or removing one is refused, because the record exists or is looked for by that data.
    pub fn replace_onboarding(&mut self, onboarding: Onboarding) -> Result<(), FlowError> {
        let fresh = OnboardRun::new(onboarding)?;
        let locked = |s: &OnboardStep| {
            !matches!(
                s.status,
                CreateStatus::Pending
                    | CreateStatus::Failed {
                        maybe_created: false,
                        ..
                    }
            )
        };
        for (k, old) in self.steps.iter().enumerate() {
            let changed = fresh.steps.get(k).is_none_or(|new| {
                new.target != old.target
                    || fresh.step_data(new.target) != self.step_data(old.target)
            });
            if locked(old) && changed {
                let what = match old.status.id() {
                    Some(id) => format!("was created (#{id}); change it in the record itself"),
                    None => "may have been created; resume first to find out".to_string(),
                };
                return Err(FlowError::Invalid(format!("{} {what}", old.label)));
            }
        }
        let mut steps = Vec::with_capacity(fresh.steps.len());
        for (k, new) in fresh.steps.into_iter().enumerate() {
            match self.steps.get(k) {
                Some(old) if fresh_data_equal(&self.onboarding, &fresh.onboarding, new.target) => {
                    steps.push(OnboardStep {
                        label: new.label,
                        ..old.clone()
                    })
                }
                _ => steps.push(new),
            }
        }
        self.onboarding = fresh.onboarding;
        self.steps = steps;
        Ok(())
    }

    /// The fields a step sends.
    fn step_data(&self, target: Target) -> Patch {
        step_data(&self.onboarding, target)
    }

    /// The customer's ID once it exists.
    pub fn customer_id(&self) -> Option<Id> {
        self.steps.first().and_then(|s| s.status.id())
    }

    /// Everything exists.
    pub fn is_finished(&self) -> bool {
        self.steps.iter().all(|s| s.status.id().is_some())
    }

    /// The step the run stopped on, if it failed.
    pub fn failed_step(&self) -> Option<(usize, &OnboardStep)> {
        self.steps
            .iter()
            .enumerate()
            .find(|(_, s)| matches!(s.status, CreateStatus::Failed { .. }))
    }

    /// Creates the next record. `Ok(Some(progress))` after a create (or an adoption),
    /// `Ok(None)` when everything exists (the journal is then removed), `Err` when the step
    /// failed: it is recorded and calling again resumes there.
    pub async fn next_step(&mut self, env: &FlowEnv) -> Result<Option<OnboardProgress>, FlowError> {
        env.check_writable("creating the customer and its contacts")?;
        let Some(i) = self.steps.iter().position(|s| s.status.id().is_none()) else {
            self.discard(&env.data_dir)?;
            return Ok(None);
        };
        let uncertain = matches!(
            self.steps[i].status,
            CreateStatus::Sending
                | CreateStatus::Failed {
                    maybe_created: true,
                    ..
                }
        );
        if uncertain && let Some(id) = self.look_for(env, i).await? {
            self.steps[i].status = CreateStatus::Found { id };
            self.steps[i].at = Some(now());
            self.save(&env.data_dir)?;
            return Ok(Some(self.progress(
                i,
                format!("Found #{id}, created by the interrupted attempt; not sent again"),
            )));
        }
        // The journal says "sent" before the request leaves: a crash in flight is seen later.
        self.steps[i].status = CreateStatus::Sending;
        self.steps[i].attempts += 1;
        self.steps[i].at = Some(now());
        self.save(&env.data_dir)?;
        let result = self.create(env, i).await;
        self.steps[i].at = Some(now());
        match result {
            Ok((id, note)) => {
                self.steps[i].status = CreateStatus::Created { id };
                self.save(&env.data_dir)?;
                let message = match note {
                    Some(note) => format!("Created #{id}; {note}"),
                    None => format!("Created #{id}"),
                };
                Ok(Some(self.progress(i, message)))
            }
            Err(e) => {
                // Anything but the created record in the answer: it may exist.
                let maybe_created = e.outcome_unknown();
                self.steps[i].status = CreateStatus::Failed {
                    error: super::error_text(&e),
                    maybe_created,
                };
                self.save(&env.data_dir)?;
                Err(FlowError::Step {
                    number: i + 1,
                    total: self.steps.len(),
                    step: self.steps[i].label.clone(),
                    source: e,
                })
            }
        }
    }

    fn progress(&self, i: usize, message: String) -> OnboardProgress {
        OnboardProgress {
            number: i + 1,
            total: self.steps.len(),
            label: self.steps[i].label.clone(),
            status: self.steps[i].status.clone(),
            message,
        }
    }

    fn contact_patch(&self, index: usize) -> Patch {
        self.step_data(Target::Contact { index })
    }

    /// Creates the record of step `i`: its id, and a note when something needed care (a
    /// contact's title the create dropped, set by a second request, or not set at all).
    async fn create(&self, env: &FlowEnv, i: usize) -> Result<(Id, Option<String>), ApiError> {
        match self.steps[i].target {
            Target::Customer => {
                let made = env
                    .client
                    .create_customer(&self.onboarding.customer)
                    .await?;
                let id = made.id;
                env.log(
                    crate::changelog::Entry::create(made)
                        .with_kind(crate::changelog::ChangeKind::Onboard)
                        .with_group(format!("onboard-{}", self.id)),
                );
                Ok((id, None))
            }
            Target::Contact { index } => {
                // The customer step comes first and is finished before any contact step runs.
                let customer = self
                    .customer_id()
                    .ok_or_else(|| ApiError::Config("the customer does not exist yet".into()))?;
                let made = env
                    .client
                    .create_contact_checked(customer, &self.contact_patch(index))
                    .await?;
                let note = match &made.title {
                    crate::api::TitleOutcome::SetAfterCreate => {
                        Some("the title was set by a second request".to_string())
                    }
                    crate::api::TitleOutcome::NotSet(e) => Some(format!(
                        "its title could not be set ({e}); set it in the contact"
                    )),
                    _ => None,
                };
                let id = made.contact.id;
                env.log(
                    crate::changelog::Entry::create(made.contact)
                        .with_kind(crate::changelog::ChangeKind::Onboard)
                        .with_group(format!("onboard-{}", self.id)),
                );
                Ok((id, note))
            }
        }
    }

    /// After an attempt with an unknown outcome: the record, if the server created it.
    /// Records already claimed by other steps of this run are not taken twice.
    async fn look_for(&self, env: &FlowEnv, i: usize) -> Result<Option<Id>, FlowError> {
        let claimed: BTreeSet<Id> = self.steps.iter().filter_map(|s| s.status.id()).collect();
        let newest = |ids: Vec<Id>| ids.into_iter().filter(|id| !claimed.contains(id)).max();
        match self.steps[i].target {
            Target::Customer => {
                let onb = &self.onboarding;
                let found = candidate_customers(&env.client, onb).await?;
                let email = email_key(text(&onb.customer, "email"));
                let name = normalize_name(&onb.customer_name());
                let ids = found
                    .iter()
                    .filter(|c| match &email {
                        // With an e-mail, it must match (and so must the name, when both exist).
                        Some(e) => {
                            email_key(c.email.as_deref()).as_ref() == Some(e)
                                && normalize_name(&c.display_name()) == name
                        }
                        None => normalize_name(&c.display_name()) == name,
                    })
                    .map(|c| c.id)
                    .collect();
                Ok(newest(ids))
            }
            Target::Contact { index } => {
                let Some(customer) = self.customer_id() else {
                    return Ok(None);
                };
                let patch = self.contact_patch(index);
                let email = email_key(text(&patch, "email"));
                let name = text(&patch, "name").map(str::to_lowercase);
                let contacts = env.client.all_contacts(Some(customer)).await?;
                let ids = contacts
                    .iter()
                    .filter(|c| match (&email, &name) {
                        (Some(e), _) => email_key(c.email.as_deref()).as_ref() == Some(e),
                        (None, Some(n)) => {
                            c.name.as_deref().map(|x| x.trim().to_lowercase()).as_ref() == Some(n)
                        }
                        (None, None) => false,
                    })
                    .map(|c| c.id)
                    .collect();
                Ok(newest(ids))
            }
        }
    }
}

fn step_data(onboarding: &Onboarding, target: Target) -> Patch {
    match target {
        Target::Customer => onboarding.customer.clone(),
        Target::Contact { index } => onboarding
            .contacts()
            .into_iter()
            .nth(index)
            .map(|(_, p)| p)
            .unwrap_or_default(),
    }
}

fn fresh_data_equal(old: &Onboarding, new: &Onboarding, target: Target) -> bool {
    step_data(old, target) == step_data(new, target)
}

/// Runs every remaining step, calling `progress` after each (on a worker task: a closure that
/// sends into the UI's channel). Stops at the first failure; run again to resume.
pub async fn run(
    env: &FlowEnv,
    run: &mut OnboardRun,
    mut progress: impl FnMut(&OnboardProgress),
) -> Result<(), FlowError> {
    env.check_writable("creating the customer and its contacts")?;
    while let Some(p) = run.next_step(env).await? {
        progress(&p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(v: Value) -> Patch {
        match v {
            Value::Object(m) => m,
            _ => Patch::new(),
        }
    }

    fn sample() -> Onboarding {
        let mut o = Onboarding {
            customer: patch(
                json!({"business_name": "Acme Dental", "email": "office@acme.example",
                                   "phone": "(503) 555-0142"}),
            ),
            primary_contact: patch(
                json!({"name": "Sandra Okafor", "email": "sandra@acme.example",
                                          "title": "Owner"}),
            ),
            extra_contacts: vec![
                (
                    Role::Billing,
                    patch(json!({"name": "Priya", "email": "billing@acme.example"})),
                ),
                (
                    Role::Technical,
                    patch(json!({"name": "Tom", "title": "Technical contact"})),
                ),
                (
                    Role::Other,
                    patch(json!({"name": "Desk", "title": "Front"})),
                ),
            ],
        };
        o.set_customer_type("Customer Type", "Business");
        o
    }

    #[test]
    fn roles_go_into_titles() {
        let titles: Vec<Option<String>> = sample()
            .contacts()
            .iter()
            .map(|(_, p)| text(p, "title").map(str::to_string))
            .collect();
        assert_eq!(
            titles,
            vec![
                Some("Decision Maker - Owner".to_string()),
                Some("Billing Contact".to_string()),
                Some("Technical contact".to_string()),
                Some("Front".to_string()),
            ]
        );
        assert_eq!(
            sample().customer.get("properties"),
            Some(&json!({"Customer Type": "Business"}))
        );
    }

    #[test]
    fn validation_requires_the_decision_makers_email_and_unique_emails() {
        assert!(sample().validate().is_empty());
        let mut o = sample();
        o.primary_contact.remove("email");
        o.extra_contacts[2]
            .1
            .insert("email".into(), json!("BILLING@acme.example"));
        let problems = o.validate();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("e-mail is required"));
        assert!(problems[1].contains("used by another new contact"));
        assert!(OnboardRun::new(o).is_err());
        assert!(Onboarding::default().validate().len() >= 3);
    }

    #[test]
    fn only_steps_that_created_nothing_can_be_edited() {
        let mut run = OnboardRun::new(sample()).unwrap();
        run.steps[0].status = CreateStatus::Created { id: 10 };
        run.steps[1].status = CreateStatus::Created { id: 20 };
        run.steps[2].status = CreateStatus::Failed {
            error: "Validation failed (422)".into(),
            maybe_created: false,
        };
        let mut fixed = sample();
        fixed.extra_contacts[0]
            .1
            .insert("email".into(), json!("pay@acme.example"));
        fixed
            .extra_contacts
            .push((Role::Other, patch(json!({"name": "New"}))));
        run.replace_onboarding(fixed.clone()).unwrap();
        assert_eq!(run.steps.len(), 6);
        assert_eq!(run.steps[1].status, CreateStatus::Created { id: 20 });
        assert_eq!(run.steps[2].status, CreateStatus::Pending);
        assert_eq!(run.steps[5].status, CreateStatus::Pending);
        assert_eq!(
            text(&run.contact_patch(1), "email"),
            Some("pay@acme.example")
        );

        // A created contact cannot change, nor can one that may exist.
        let mut changed = fixed.clone();
        changed
            .primary_contact
            .insert("name".into(), json!("Sandy"));
        assert!(run.replace_onboarding(changed).is_err());
        run.steps[2].status = CreateStatus::Sending;
        let mut changed = fixed.clone();
        changed.extra_contacts[0]
            .1
            .insert("name".into(), json!("P."));
        assert!(run.replace_onboarding(changed).is_err());
        let mut shorter = fixed;
        shorter.extra_contacts.truncate(1);
        run.replace_onboarding(shorter).unwrap();
        assert_eq!(run.steps.len(), 3);
    }

    #[test]
    fn a_draft_is_kept_apart_from_the_journals() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_draft(dir.path()), None);
        save_draft(dir.path(), &sample()).unwrap();
        assert_eq!(load_draft(dir.path()), Some(sample()));
        assert!(OnboardRun::pending(dir.path()).is_empty());
        remove_draft(dir.path()).unwrap();
        assert_eq!(load_draft(dir.path()), None);
        remove_draft(dir.path()).unwrap();
    }

    #[test]
    fn only_runs_of_the_server_in_use_are_pending() {
        let dir = tempfile::tempdir().unwrap();
        for (i, server) in ["https://a.example/api/v1", "https://b.example/api/v1", ""]
            .iter()
            .enumerate()
        {
            let mut run = OnboardRun::new(sample()).unwrap();
            run.id = format!("run-{i}");
            run.server = server.to_string();
            run.save(dir.path()).unwrap();
        }
        let ids = |runs: Vec<OnboardRun>| runs.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(OnboardRun::pending(dir.path())).len(), 3);
        assert_eq!(
            ids(OnboardRun::pending_for(
                dir.path(),
                "https://a.example/api/v1"
            )),
            vec!["run-0", "run-2"]
        );
    }

    #[test]
    fn duplicates_found_by_email_normalised_name_and_phone() {
        let c = |id, v: Value| {
            let mut c: Customer = serde_json::from_value(v).unwrap();
            c.id = id;
            c
        };
        let customers = vec![
            c(1, json!({"business_name": "ACME Dental, LLC"})),
            c(
                2,
                json!({"business_name": "Other", "email": "Office@Acme.example"}),
            ),
            c(
                3,
                json!({"business_name": "Third", "phone": "+1 503 555 0142"}),
            ),
            c(
                4,
                json!({"business_name": "Acme Plumbing", "phone": "5035550199"}),
            ),
        ];
        let contacts = vec![Contact {
            id: 9,
            customer_id: Some(4),
            email: Some(" billing@ACME.example".into()),
            ..Default::default()
        }];
        let m = find_duplicates(&sample(), &customers, &contacts);
        let got: Vec<(Subject, Id, &str)> = m
            .iter()
            .map(|m| (m.subject, m.customer_id, m.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                (Subject::Customer, 1, "same name"),
                (Subject::Customer, 2, "same e-mail"),
                (Subject::Customer, 3, "same phone"),
                (Subject::Contact(1), 4, "same e-mail"),
            ]
        );
    }
}
