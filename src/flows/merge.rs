//! Merging a duplicate customer into a primary one.
//!
//! Syncro has no merge endpoint. A merge here is: move every contact, ticket and asset of the
//! duplicate to the primary (`PUT customer_id`), copy the fields the technician chose from the
//! duplicate to the primary, re-read the duplicate to verify nothing is left attached to it, and
//! only then delete it. Deleting a customer in Syncro deletes everything still attached to it,
//! so the delete is the one step that can lose data; it runs only after a verification in the
//! same session found nothing attached.
//!
//! Use: [`plan`] reads both customers and builds a [`MergePlan`] (what will move, which fields
//! can be copied); the technician toggles [`CopyField::copy`] ([`MergePlan::set_copy`]);
//! [`MergeRun::start`] turns the plan into steps and writes its journal; then
//! [`MergeRun::next_step`] runs one step at a time (or [`execute`] runs them all with a progress
//! callback). [`MergeRun::pending`] lists unfinished merges to offer resuming after a restart. A failed step stops
//! the run and is recorded; calling again resumes at that step, after checking where the records
//! of interrupted moves are now, so nothing is moved twice or lost. Every step is also written
//! to the append-only merge log ([`log_path`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FlowEnv, FlowError, now};
use crate::api::model::{Asset, Contact, Customer, Id, Invoice, Patch, Ticket};
use crate::api::{ApiError, SyncroClient};
use crate::changelog::{ChangeKind, Entry, FieldChange, RecordKind, RecordRef};

/// A field of the duplicate that the primary lacks, offered for copying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyField {
    /// API field name (`email`, `address_2`), or `properties.NAME` for a custom property.
    pub key: String,
    /// What to show ("E-mail", "Notes (appended)", "Contract Tier").
    pub label: String,
    /// The value the primary will get.
    pub value: String,
    /// Whether to copy it; `true` unless the technician says otherwise.
    pub copy: bool,
}

/// Plain customer fields compared by the plan, with their labels.
const FIELDS: &[(&str, &str)] = &[
    ("business_name", "Business name"),
    ("firstname", "First name"),
    ("lastname", "Last name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("address", "Address"),
    ("address_2", "Address 2"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("referred_by", "Referred by"),
    ("tax_rate_id", "Tax rate ID"),
    ("notification_email", "Notification e-mail"),
    ("invoice_cc_emails", "Invoice CC e-mails"),
];

const PROPERTY_PREFIX: &str = "properties.";

fn field_text(c: &Customer, key: &str) -> Option<String> {
    let v = match key {
        "business_name" => c.business_name.clone(),
        "firstname" => c.firstname.clone(),
        "lastname" => c.lastname.clone(),
        "email" => c.email.clone(),
        "phone" => c.phone.clone(),
        "mobile" => c.mobile.clone(),
        "address" => c.address.clone(),
        "address_2" => c.address_2.clone(),
        "city" => c.city.clone(),
        "state" => c.state.clone(),
        "zip" => c.zip.clone(),
        "referred_by" => c.referred_by.clone(),
        "notes" => c.notes.clone(),
        "tax_rate_id" => c.tax_rate_id.map(|i| i.to_string()),
        "notification_email" => c.notification_email.clone(),
        "invoice_cc_emails" => c.invoice_cc_emails.clone(),
        _ => None,
    };
    v.filter(|s| !s.trim().is_empty())
}

/// What a merge will do, for the technician to review before anything is written.
#[derive(Debug, Clone, PartialEq)]
pub struct MergePlan {
    /// The customer that stays.
    pub primary: Customer,
    /// The customer that is emptied and deleted.
    pub duplicate: Customer,
    pub contacts: Vec<Contact>,
    pub tickets: Vec<Ticket>,
    pub assets: Vec<Asset>,
    /// The duplicate's invoices. The API cannot move invoices, and deleting a customer deletes
    /// what is attached to it, so a duplicate with invoices is emptied but not deleted.
    pub invoices: Vec<Invoice>,
    /// Fields empty on the primary and set on the duplicate (plus the duplicate's notes, which
    /// are appended to the primary's rather than lost).
    pub fields: Vec<CopyField>,
}

/// What [`plan_with_progress`] is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStage {
    Customers,
    Contacts,
    Tickets,
    Assets,
    /// The slow part on a large account: every invoice page (the API cannot filter them).
    Invoices,
}

impl PlanStage {
    /// "Reading the duplicate's tickets".
    pub fn describe(self) -> &'static str {
        match self {
            PlanStage::Customers => "Reading both customers",
            PlanStage::Contacts => "Reading the duplicate's contacts",
            PlanStage::Tickets => "Reading the duplicate's tickets",
            PlanStage::Assets => "Reading the duplicate's assets",
            PlanStage::Invoices => "Looking for the duplicate's invoices (all invoice pages)",
        }
    }
}

/// Reads both customers and everything attached to the duplicate, and works out the plan.
/// Only reads: allowed in read-only mode.
pub async fn plan(
    client: &SyncroClient,
    primary_id: Id,
    duplicate_id: Id,
) -> Result<MergePlan, FlowError> {
    plan_with_progress(client, primary_id, duplicate_id, |_| {}).await
}

/// [`plan`], telling `progress` what it reads before each part (the invoice walk can take
/// minutes on a large account at 180 requests a minute). With a local mirror holding these
/// records, build the plan with [`MergePlan::new`] instead.
pub async fn plan_with_progress(
    client: &SyncroClient,
    primary_id: Id,
    duplicate_id: Id,
    mut progress: impl FnMut(PlanStage),
) -> Result<MergePlan, FlowError> {
    if primary_id == duplicate_id {
        return Err(FlowError::Invalid(
            "The primary and the duplicate are the same customer; choose two different customers."
                .into(),
        ));
    }
    progress(PlanStage::Customers);
    let primary = client.get_customer(primary_id).await?;
    let duplicate = client.get_customer(duplicate_id).await?;
    progress(PlanStage::Contacts);
    let contacts = client.all_contacts(Some(duplicate_id)).await?;
    progress(PlanStage::Tickets);
    let tickets = client.all_tickets(duplicate_id).await?;
    progress(PlanStage::Assets);
    let assets = client.all_assets(duplicate_id).await?;
    // No invoice filter exists: this walks the account's invoices (one request per 25).
    progress(PlanStage::Invoices);
    let invoices = client.invoices_for_customer(duplicate_id).await?;
    Ok(MergePlan::new(
        primary, duplicate, contacts, tickets, assets, invoices,
    ))
}

impl MergePlan {
    /// The plan for records already read (the pure half of [`plan`]).
    pub fn new(
        primary: Customer,
        duplicate: Customer,
        contacts: Vec<Contact>,
        tickets: Vec<Ticket>,
        assets: Vec<Asset>,
        invoices: Vec<Invoice>,
    ) -> Self {
        let fields = copy_fields(&primary, &duplicate);
        MergePlan {
            primary,
            duplicate,
            contacts,
            tickets,
            assets,
            invoices,
            fields,
        }
    }

    /// Why the duplicate will be kept after the moves, when it will (it has invoices).
    pub fn keeps_duplicate(&self) -> Option<String> {
        keep_reason(self.invoices.len())
    }

    /// Chooses whether to copy the field `key`; `false` when the plan has no such field.
    pub fn set_copy(&mut self, key: &str, copy: bool) -> bool {
        match self.fields.iter_mut().find(|f| f.key == key) {
            Some(f) => {
                f.copy = copy;
                true
            }
            None => false,
        }
    }

    /// The update of the primary: the chosen fields. Custom properties are sent as the whole
    /// map (the primary's plus the copied ones), since whether Syncro merges or replaces
    /// `properties` on a PUT is not documented.
    pub fn patch(&self) -> Patch {
        let mut patch = Patch::new();
        let mut props = self.primary.properties.clone();
        let mut any_prop = false;
        for f in self.fields.iter().filter(|f| f.copy) {
            if let Some(name) = f.key.strip_prefix(PROPERTY_PREFIX) {
                let v = self
                    .duplicate
                    .properties
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Value::String(f.value.clone()));
                props.insert(name.to_string(), v);
                any_prop = true;
            } else if f.key == "tax_rate_id" {
                if let Ok(n) = f.value.parse::<u64>() {
                    patch.insert(f.key.clone(), Value::from(n));
                }
            } else {
                patch.insert(f.key.clone(), Value::String(f.value.clone()));
            }
        }
        if any_prop {
            patch.insert("properties".into(), Value::from(props));
        }
        patch
    }

    /// The steps of the merge, in order: moves, the field copy (when any field is chosen),
    /// the verification, the deletion.
    pub fn steps(&self) -> Vec<MergeStep> {
        let mut steps: Vec<MergeStep> = Vec::new();
        steps.extend(self.contacts.iter().map(MergeStep::for_contact));
        steps.extend(self.tickets.iter().map(MergeStep::for_ticket));
        steps.extend(self.assets.iter().map(MergeStep::for_asset));
        let patch = self.patch();
        if !patch.is_empty() {
            steps.push(MergeStep::CopyFields { patch });
        }
        steps.push(MergeStep::Verify);
        if self.invoices.is_empty() {
            steps.push(MergeStep::DeleteDuplicate);
        } else {
            steps.push(MergeStep::MarkMerged);
        }
        steps
    }
}

fn keep_reason(invoices: usize) -> Option<String> {
    (invoices > 0).then(|| {
        format!(
            "The duplicate has {invoices} invoice(s), which the API cannot move, and deleting it would delete them: it was emptied, marked as merged and kept. Move or void the invoices in Syncro, then delete it there."
        )
    })
}

fn copy_fields(primary: &Customer, duplicate: &Customer) -> Vec<CopyField> {
    let mut out = Vec::new();
    for (key, label) in FIELDS {
        if field_text(primary, key).is_none()
            && let Some(value) = field_text(duplicate, key)
        {
            out.push(CopyField {
                key: key.to_string(),
                label: label.to_string(),
                value,
                copy: true,
            });
        }
    }
    // Notes are free text that would die with the duplicate: appended rather than dropped when
    // the primary has notes of its own.
    match (field_text(primary, "notes"), field_text(duplicate, "notes")) {
        (None, Some(theirs)) => out.push(CopyField {
            key: "notes".into(),
            label: "Notes".into(),
            value: theirs,
            copy: true,
        }),
        (Some(ours), Some(theirs)) if !ours.contains(theirs.trim()) => out.push(CopyField {
            key: "notes".into(),
            label: "Notes (appended)".into(),
            value: format!(
                "{ours}\n\n--- Merged from {} (#{}) ---\n{theirs}",
                duplicate.display_name(),
                duplicate.id
            ),
            copy: true,
        }),
        _ => {}
    }
    for (name, v) in &duplicate.properties {
        let theirs = prop_text(v);
        let ours = primary.properties.get(name).map(prop_text);
        if !theirs.is_empty() && ours.is_none_or(|o| o.is_empty()) {
            out.push(CopyField {
                key: format!("{PROPERTY_PREFIX}{name}"),
                label: name.clone(),
                value: theirs,
                copy: true,
            });
        }
    }
    out
}

fn prop_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

/// One step of a merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MergeStep {
    MoveContact {
        id: Id,
        name: String,
    },
    MoveTicket {
        id: Id,
        number: String,
        subject: String,
    },
    MoveAsset {
        id: Id,
        name: String,
    },
    /// `PUT /customers/{primary}` with the chosen fields.
    CopyFields {
        patch: Patch,
    },
    /// Re-reads the duplicate's contacts, tickets and assets: nothing may be left.
    Verify,
    /// `DELETE /customers/{duplicate}`.
    DeleteDuplicate,
    /// A duplicate kept for its invoices: its name gets [`MERGED_PREFIX`] and its notes say
    /// where everything went, so that it no longer looks like an active customer (Syncro's API
    /// cannot disable a customer).
    MarkMerged,
}

/// What starts the business name of a duplicate kept after a merge.
pub const MERGED_PREFIX: &str = "(merged) ";

/// The fields that mark a kept duplicate as merged into `primary` (nothing when it is marked
/// already: the step may run twice).
pub fn merged_marks(duplicate: &Customer, primary_name: &str, primary_id: Id) -> Patch {
    let mut patch = Patch::new();
    if let Some(name) = duplicate
        .business_name
        .as_deref()
        .filter(|n| !n.trim().is_empty() && !n.starts_with(MERGED_PREFIX))
    {
        patch.insert(
            "business_name".into(),
            Value::String(format!("{MERGED_PREFIX}{name}")),
        );
    }
    let note = format!(
        "Merged into {primary_name} (#{primary_id}) by syncro-tui: kept for its invoices, which the API cannot move. Everything else is on #{primary_id}."
    );
    let notes = duplicate.notes.as_deref().unwrap_or("");
    if !notes.contains(&note) {
        let joined = if notes.trim().is_empty() {
            note
        } else {
            format!("{notes}\n{note}")
        };
        patch.insert("notes".into(), Value::String(joined));
    }
    patch
}

impl MergeStep {
    fn for_contact(c: &Contact) -> Self {
        MergeStep::MoveContact {
            id: c.id,
            name: c.name.clone().unwrap_or_default(),
        }
    }

    fn for_ticket(t: &Ticket) -> Self {
        MergeStep::MoveTicket {
            id: t.id,
            number: t.number.clone().unwrap_or_default(),
            subject: t.subject.clone().unwrap_or_default(),
        }
    }

    fn for_asset(a: &Asset) -> Self {
        MergeStep::MoveAsset {
            id: a.id,
            name: a.name.clone().unwrap_or_default(),
        }
    }

    /// One line for a progress list ("Move ticket #1043 Printer offline").
    pub fn describe(&self) -> String {
        match self {
            MergeStep::MoveContact { id, name } => format!("Move contact {name} (#{id})"),
            MergeStep::MoveTicket {
                id,
                number,
                subject,
            } => {
                let n = if number.is_empty() {
                    format!("#{id}")
                } else {
                    format!("#{number}")
                };
                format!("Move ticket {n} {subject}")
            }
            MergeStep::MoveAsset { id, name } => format!("Move asset {name} (#{id})"),
            MergeStep::CopyFields { patch } => {
                let keys: Vec<&str> = patch.keys().map(String::as_str).collect();
                format!("Copy fields to the primary ({})", keys.join(", "))
            }
            MergeStep::Verify => "Verify nothing is left on the duplicate".into(),
            MergeStep::DeleteDuplicate => "Delete the duplicate".into(),
            MergeStep::MarkMerged => "Mark the duplicate as merged (kept for its invoices)".into(),
        }
    }

    /// The record a move step moves.
    fn moved_record(&self) -> Option<(Kind, Id)> {
        match self {
            MergeStep::MoveContact { id, .. } => Some((Kind::Contact, *id)),
            MergeStep::MoveTicket { id, .. } => Some((Kind::Ticket, *id)),
            MergeStep::MoveAsset { id, .. } => Some((Kind::Asset, *id)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Contact,
    Ticket,
    Asset,
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepStatus {
    /// Not run yet (or to run again after a failure).
    Pending,
    /// Done by this run.
    Done,
    /// Nothing to do, and why ("already on the primary").
    Skipped { reason: String },
    /// The last attempt failed; the run resumes here.
    Failed { error: String },
}

impl StepStatus {
    /// Done or skipped: the run moves past it.
    pub fn is_finished(&self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped { .. })
    }
}

/// A step with its state in the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: MergeStep,
    pub status: StepStatus,
    /// When the status last changed (RFC 3339 UTC).
    #[serde(default)]
    pub at: Option<String>,
    /// Times the step was started. Above zero on an unfinished move means the record may or
    /// may not have moved: it is looked up before anything is sent again.
    #[serde(default)]
    pub attempts: u32,
}

/// What one finished step reports to the UI.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeProgress {
    /// 1-based position of the step.
    pub number: usize,
    /// Steps in the run (it can grow: the verification adds moves for late arrivals).
    pub total: usize,
    pub step: MergeStep,
    pub status: StepStatus,
    /// "Moved to Acme Dental LLC (#21000001)", "Already on the primary", ...
    pub message: String,
}

/// A merge in progress: the steps and their state. Serialized as the journal
/// (`<data_dir>/flows/merge-PRIMARY-DUPLICATE.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeRun {
    pub primary_id: Id,
    pub duplicate_id: Id,
    pub primary_name: String,
    pub duplicate_name: String,
    pub started_at: String,
    pub steps: Vec<StepRecord>,
    /// Set when the duplicate is to be kept (it has invoices), with the reason to show.
    #[serde(default)]
    pub keep_duplicate: Option<String>,
    /// The API the merge runs against (the client's base URL): an unfinished merge is offered
    /// only on the same account, never on another profile's, where its IDs are other customers.
    /// Empty in journals written before this was recorded.
    #[serde(default)]
    pub server: String,
    /// A verification passed in this session (never trusted from a journal: the delete always
    /// follows a fresh re-read).
    #[serde(skip)]
    verified: bool,
    /// Interrupted moves were looked up since the last failure.
    #[serde(skip)]
    rechecked: bool,
}

/// Where the append-only merge log is written.
pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("merge-log.jsonl")
}

fn journal_path(data_dir: &Path, primary_id: Id, duplicate_id: Id) -> PathBuf {
    super::journal_dir(data_dir).join(format!("merge-{primary_id}-{duplicate_id}.json"))
}

/// One line of the merge log.
#[derive(Debug, Serialize)]
struct LogEntry<'a> {
    at: String,
    primary_id: Id,
    duplicate_id: Id,
    #[serde(flatten)]
    step: &'a MergeStep,
    #[serde(flatten)]
    status: &'a StepStatus,
    message: &'a str,
}

/// How a step ended when it did not fail.
enum Outcome {
    Done(String),
    Skipped(String),
}

/// How a step failed.
enum Failure {
    Api(ApiError),
    LeftOver(String),
}

impl MergeRun {
    /// The run of a plan, nothing done yet. [`MergeRun::save`] writes its journal.
    pub fn new(plan: &MergePlan) -> Self {
        MergeRun {
            primary_id: plan.primary.id,
            duplicate_id: plan.duplicate.id,
            primary_name: plan.primary.display_name(),
            duplicate_name: plan.duplicate.display_name(),
            started_at: now(),
            steps: plan
                .steps()
                .into_iter()
                .map(|step| StepRecord {
                    step,
                    status: StepStatus::Pending,
                    at: None,
                    attempts: 0,
                })
                .collect(),
            keep_duplicate: plan.keeps_duplicate(),
            server: String::new(),
            verified: false,
            rechecked: false,
        }
    }

    /// The duplicate was deleted by this merge.
    pub fn duplicate_deleted(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.step == MergeStep::DeleteDuplicate && s.status.is_finished())
    }

    /// The run of `plan`, with its journal written: what the UI calls when the technician
    /// confirms the plan. Refused in read-only mode, and when an unfinished merge of the same
    /// two customers exists (resume it with [`MergeRun::load`], or discard it first).
    pub fn start(env: &FlowEnv, plan: &MergePlan) -> Result<MergeRun, FlowError> {
        env.check_writable("merging customers")?;
        if MergeRun::load(&env.data_dir, plan.primary.id, plan.duplicate.id)?.is_some() {
            return Err(FlowError::Invalid(format!(
                "An unfinished merge of {} into {} exists: resume it, or discard it first.",
                plan.duplicate.display_name(),
                plan.primary.display_name()
            )));
        }
        let mut run = MergeRun::new(plan);
        run.server = env.client.base_url().to_string();
        run.save(&env.data_dir)?;
        Ok(run)
    }

    /// The journal of an unfinished merge of these two customers, if there is one.
    pub fn load(
        data_dir: &Path,
        primary_id: Id,
        duplicate_id: Id,
    ) -> Result<Option<MergeRun>, FlowError> {
        super::read_json(&journal_path(data_dir, primary_id, duplicate_id))
    }

    /// Every unfinished merge (to offer resuming them).
    pub fn pending(data_dir: &Path) -> Vec<MergeRun> {
        super::read_all(&super::journal_dir(data_dir), "merge-")
    }

    /// The unfinished merges of the account at `server` (and those of journals too old to say
    /// which account they belong to).
    pub fn pending_for(data_dir: &Path, server: &str) -> Vec<MergeRun> {
        let mut runs = MergeRun::pending(data_dir);
        runs.retain(|r| r.server.is_empty() || r.server == server);
        runs
    }

    /// Writes the journal.
    pub fn save(&self, data_dir: &Path) -> Result<(), FlowError> {
        super::write_json(
            &journal_path(data_dir, self.primary_id, self.duplicate_id),
            self,
        )
    }

    /// Forgets the journal (the technician gave up on this merge; the log keeps what happened).
    pub fn discard(&self, data_dir: &Path) -> Result<(), FlowError> {
        super::remove_file(&journal_path(data_dir, self.primary_id, self.duplicate_id))
    }

    /// Every step is done or skipped: the duplicate is deleted.
    pub fn is_finished(&self) -> bool {
        self.steps.iter().all(|s| s.status.is_finished())
    }

    /// The step that failed last, if the run stopped on one.
    pub fn failed_step(&self) -> Option<(usize, &StepRecord)> {
        self.steps
            .iter()
            .enumerate()
            .find(|(_, s)| matches!(s.status, StepStatus::Failed { .. }))
    }

    /// Move steps whose record is now on the primary (moved by this run, or found there).
    pub fn moved(&self) -> Vec<&MergeStep> {
        self.steps
            .iter()
            .filter(|s| s.step.moved_record().is_some() && s.status.is_finished())
            .map(|s| &s.step)
            .collect()
    }

    /// Move steps not done yet (pending or failed).
    pub fn not_moved(&self) -> Vec<&MergeStep> {
        self.steps
            .iter()
            .filter(|s| s.step.moved_record().is_some() && !s.status.is_finished())
            .map(|s| &s.step)
            .collect()
    }

    /// Runs the next unfinished step. `Ok(Some(progress))` after a step finished, `Ok(None)`
    /// when the merge is complete (the journal is then removed), `Err` when the step failed: the
    /// failure is in the journal and calling again retries that step.
    pub async fn next_step(&mut self, env: &FlowEnv) -> Result<Option<MergeProgress>, FlowError> {
        env.check_writable("merging customers")?;
        let Some(mut i) = self.steps.iter().position(|s| !s.status.is_finished()) else {
            self.discard(&env.data_dir)?;
            return Ok(None);
        };
        // The delete follows a verification of this session, never one from the journal.
        if self.steps[i].step == MergeStep::DeleteDuplicate
            && !self.verified
            && let Some(v) = self.steps.iter().position(|s| s.step == MergeStep::Verify)
        {
            self.steps[v].status = StepStatus::Pending;
            i = v;
        }
        if !self.rechecked
            && self.steps.iter().any(|s| {
                s.attempts > 0 && !s.status.is_finished() && s.step.moved_record().is_some()
            })
        {
            self.recheck(env).await?;
            self.save(&env.data_dir)?;
            if let StepStatus::Skipped { reason } = &self.steps[i].status {
                let reason = reason.clone();
                return Ok(Some(self.progress(i, &reason)));
            }
        }
        self.steps[i].attempts += 1;
        self.save(&env.data_dir)?;
        let result = self.run_step(env, i).await;
        let total = self.steps.len();
        let (status, message) = match &result {
            Ok(Outcome::Done(m)) => (StepStatus::Done, m.clone()),
            Ok(Outcome::Skipped(m)) => (StepStatus::Skipped { reason: m.clone() }, m.clone()),
            Err(Failure::Api(e)) => (
                StepStatus::Failed {
                    error: super::error_text(e),
                },
                super::error_text(e),
            ),
            Err(Failure::LeftOver(m)) => (StepStatus::Failed { error: m.clone() }, m.clone()),
        };
        // After a Verify that found leftovers, new steps sit before it: find it again.
        let i = match &result {
            Err(Failure::LeftOver(_)) => self
                .steps
                .iter()
                .position(|s| s.step == MergeStep::Verify)
                .unwrap_or(i),
            _ => i,
        };
        self.steps[i].status = status;
        self.steps[i].at = Some(now());
        if result.is_err() {
            self.rechecked = false;
            self.verified = false;
        }
        self.log(&env.data_dir, i, &message)?;
        self.save(&env.data_dir)?;
        match result {
            Ok(_) => Ok(Some(self.progress(i, &message))),
            Err(Failure::LeftOver(m)) => Err(FlowError::LeftOver(m)),
            Err(Failure::Api(source)) => Err(FlowError::Step {
                number: i + 1,
                total,
                step: self.steps[i].step.describe(),
                source,
            }),
        }
    }

    fn progress(&self, i: usize, message: &str) -> MergeProgress {
        MergeProgress {
            number: i + 1,
            total: self.steps.len(),
            step: self.steps[i].step.clone(),
            status: self.steps[i].status.clone(),
            message: message.to_string(),
        }
    }

    fn log(&self, data_dir: &Path, i: usize, message: &str) -> Result<(), FlowError> {
        super::append_line(
            &log_path(data_dir),
            &LogEntry {
                at: now(),
                primary_id: self.primary_id,
                duplicate_id: self.duplicate_id,
                step: &self.steps[i].step,
                status: &self.steps[i].status,
                message,
            },
        )
    }

    /// After an interruption: where are the records of unfinished moves now? On the primary:
    /// skipped (already moved). Still on the duplicate: moved again. Neither: someone moved or
    /// deleted it meanwhile; left alone and said so.
    async fn recheck(&mut self, env: &FlowEnv) -> Result<(), FlowError> {
        let kinds: BTreeSet<Kind> = self
            .steps
            .iter()
            .filter(|s| !s.status.is_finished())
            .filter_map(|s| s.step.moved_record().map(|(k, _)| k))
            .collect();
        let c = &env.client;
        let (p, d) = (self.primary_id, self.duplicate_id);
        let mut on_primary: BTreeSet<(Kind, Id)> = BTreeSet::new();
        let mut on_duplicate: BTreeSet<(Kind, Id)> = BTreeSet::new();
        for kind in kinds {
            let (mine, theirs): (Vec<Id>, Vec<Id>) = match kind {
                Kind::Contact => (
                    ids(c.all_contacts(Some(p)).await?.iter().map(|x| x.id)),
                    ids(c.all_contacts(Some(d)).await?.iter().map(|x| x.id)),
                ),
                Kind::Ticket => (
                    ids(c.all_tickets(p).await?.iter().map(|x| x.id)),
                    ids(c.all_tickets(d).await?.iter().map(|x| x.id)),
                ),
                Kind::Asset => (
                    ids(c.all_assets(p).await?.iter().map(|x| x.id)),
                    ids(c.all_assets(d).await?.iter().map(|x| x.id)),
                ),
            };
            on_primary.extend(mine.into_iter().map(|id| (kind, id)));
            on_duplicate.extend(theirs.into_iter().map(|id| (kind, id)));
        }
        for i in 0..self.steps.len() {
            let s = &self.steps[i];
            let Some(rec) = s.step.moved_record() else {
                continue;
            };
            if s.status.is_finished() {
                continue;
            }
            let reason = if on_primary.contains(&rec) {
                "Already on the primary"
            } else if on_duplicate.contains(&rec) {
                continue;
            } else {
                "No longer attached to the duplicate (moved elsewhere or deleted meanwhile); left alone"
            };
            self.steps[i].status = StepStatus::Skipped {
                reason: reason.into(),
            };
            self.steps[i].at = Some(now());
            self.log(&env.data_dir, i, reason)?;
        }
        self.rechecked = true;
        Ok(())
    }

    async fn run_step(&mut self, env: &FlowEnv, i: usize) -> Result<Outcome, Failure> {
        let c = &env.client;
        let (p, d) = (self.primary_id, self.duplicate_id);
        let to = format!("Moved to {} (#{p})", self.primary_name);
        match self.steps[i].step.clone() {
            MergeStep::MoveContact { id, name } => {
                // Syncro requires `name` on a contact PUT: the move sends the contact's
                // current name with its new customer (and checks that both stuck).
                c.move_contact(id, p, &name).await.map_err(Failure::Api)?;
                let mut e = self.entry(RecordRef {
                    kind: RecordKind::Contact,
                    id,
                    label: name.clone(),
                    customer_id: Some(d),
                });
                e.fields.push(FieldChange {
                    field: "customer_id".into(),
                    before: Value::from(d),
                    after: Value::from(p),
                });
                env.log(e.with_note(format!("Merge: contact moved to {}", self.primary_name)));
                Ok(Outcome::Done(to))
            }
            MergeStep::MoveTicket { id, number, .. } => {
                c.set_ticket_customer(id, p).await.map_err(Failure::Api)?;
                env.log(self.duplicate_entry().with_note(format!(
                    "Merge: ticket #{} (id {id}) moved to {} (#{p})",
                    if number.is_empty() { "?" } else { &number },
                    self.primary_name
                )));
                Ok(Outcome::Done(to))
            }
            MergeStep::MoveAsset { id, name } => {
                c.set_asset_customer(id, p).await.map_err(Failure::Api)?;
                env.log(self.duplicate_entry().with_note(format!(
                    "Merge: asset {name} (id {id}) moved to {} (#{p})",
                    self.primary_name
                )));
                Ok(Outcome::Done(to))
            }
            MergeStep::CopyFields { patch } => {
                // The plan may be old: never overwrite what the primary got since.
                let current = c.get_customer(p).await.map_err(Failure::Api)?;
                let (patch, kept) = refresh_patch(&patch, &current);
                let kept = if kept.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; kept the primary's own {} (set since the plan)",
                        kept.join(", ")
                    )
                };
                if patch.is_empty() {
                    return Ok(Outcome::Skipped(format!("Nothing left to copy{kept}")));
                }
                c.update_customer_checked(p, &patch)
                    .await
                    .map_err(Failure::Api)?;
                env.log(
                    Entry::update(&current, &patch)
                        .with_kind(ChangeKind::MergeStep)
                        .with_group(self.log_group())
                        .with_note(format!("Merge: copied from {}", self.duplicate_name)),
                );
                let keys: Vec<&str> = patch.keys().map(String::as_str).collect();
                Ok(Outcome::Done(format!(
                    "Copied {} to {}{kept}",
                    keys.join(", "),
                    self.primary_name
                )))
            }
            MergeStep::Verify => self.verify(env).await,
            MergeStep::MarkMerged => {
                let current = c.get_customer(d).await.map_err(Failure::Api)?;
                let patch = merged_marks(&current, &self.primary_name, p);
                if patch.is_empty() {
                    return Ok(Outcome::Skipped("Marked as merged already".into()));
                }
                c.update_customer(d, &patch).await.map_err(Failure::Api)?;
                env.log(
                    Entry::update(&current, &patch)
                        .with_kind(ChangeKind::MergeStep)
                        .with_group(self.log_group())
                        .with_note(format!(
                            "Merge: marked as merged into {}",
                            self.primary_name
                        )),
                );
                Ok(Outcome::Done(format!(
                    "Marked {} (#{d}) as merged into #{p}",
                    self.duplicate_name
                )))
            }
            MergeStep::DeleteDuplicate => match c.delete_customer(d).await {
                Ok(()) => {
                    env.log(self.duplicate_entry().with_note(format!(
                        "Merge: deleted, everything it held is on {} (#{p})",
                        self.primary_name
                    )));
                    Ok(Outcome::Done(format!(
                        "Deleted {} (#{d})",
                        self.duplicate_name
                    )))
                }
                // An earlier attempt deleted it and its answer was lost.
                Err(ApiError::NotFound { .. }) => Ok(Outcome::Skipped(format!(
                    "{} (#{d}) was already deleted",
                    self.duplicate_name
                ))),
                Err(e) => Err(Failure::Api(e)),
            },
        }
    }

    /// The change log's group of this merge: its steps are listed (and refused for undo) as
    /// one.
    fn log_group(&self) -> String {
        format!(
            "merge-{}-{}-{}",
            self.primary_id, self.duplicate_id, self.started_at
        )
    }

    fn entry(&self, record: RecordRef) -> Entry {
        let action = crate::changelog::Action::Update;
        Entry::new(ChangeKind::MergeStep, action, record).with_group(self.log_group())
    }

    /// An entry about the duplicate customer (a ticket or an asset moved off it, its delete).
    fn duplicate_entry(&self) -> Entry {
        self.entry(RecordRef {
            kind: RecordKind::Customer,
            id: self.duplicate_id,
            label: self.duplicate_name.clone(),
            customer_id: None,
        })
    }

    /// Re-reads what is attached to the duplicate (and that the primary still exists). Anything
    /// left gets a move step before this one, and the verification fails.
    async fn verify(&mut self, env: &FlowEnv) -> Result<Outcome, Failure> {
        let c = &env.client;
        let d = self.duplicate_id;
        c.get_customer(self.primary_id)
            .await
            .map_err(Failure::Api)?;
        let contacts = c.all_contacts(Some(d)).await.map_err(Failure::Api)?;
        let tickets = c.all_tickets(d).await.map_err(Failure::Api)?;
        let assets = c.all_assets(d).await.map_err(Failure::Api)?;
        if contacts.is_empty() && tickets.is_empty() && assets.is_empty() {
            self.verified = true;
            let mut message = format!("Nothing left on {} (#{d})", self.duplicate_name);
            if self.keep_duplicate.is_none() {
                // Invoices cannot be moved: one that appeared since the plan keeps the duplicate.
                let invoices = c.invoices_for_customer(d).await.map_err(Failure::Api)?;
                if let Some(reason) = keep_reason(invoices.len()) {
                    self.keep_duplicate = Some(reason.clone());
                    for s in &mut self.steps {
                        if s.step == MergeStep::DeleteDuplicate {
                            s.status = StepStatus::Skipped {
                                reason: reason.clone(),
                            };
                            s.at = Some(now());
                        }
                    }
                }
            }
            if let Some(reason) = &self.keep_duplicate {
                message = format!("{message} but its invoices. {reason}");
            }
            return Ok(Outcome::Done(message));
        }
        let left = format!(
            "{} contact(s), {} ticket(s), {} asset(s)",
            contacts.len(),
            tickets.len(),
            assets.len()
        );
        let new_steps: Vec<MergeStep> = contacts
            .iter()
            .map(MergeStep::for_contact)
            .chain(tickets.iter().map(MergeStep::for_ticket))
            .chain(assets.iter().map(MergeStep::for_asset))
            .collect();
        for step in new_steps {
            // A move recorded as done whose record is back on the duplicate runs again.
            self.steps
                .retain(|s| s.step.moved_record() != step.moved_record());
            let at = self
                .steps
                .iter()
                .position(|s| s.step == MergeStep::Verify)
                .unwrap_or(self.steps.len());
            self.steps.insert(at, pending(step));
        }
        Err(Failure::LeftOver(left))
    }
}

/// The planned field copy against the primary as it is now: fields the primary has filled
/// since the plan keep their value (returned by name), fields already equal are left out,
/// properties are sent as the current map plus the ones still missing, and notes are appended
/// to whatever the primary's notes have become.
fn refresh_patch(planned: &Patch, current: &Customer) -> (Patch, Vec<String>) {
    let mut out = Patch::new();
    let mut kept = Vec::new();
    for (key, value) in planned {
        match key.as_str() {
            "properties" => {
                let Value::Object(wanted) = value else {
                    continue;
                };
                let mut props = current.properties.clone();
                let mut changed = false;
                for (name, v) in wanted {
                    let now = current.properties.get(name).map(prop_text);
                    if now.is_none_or(|n| n.is_empty()) && !prop_text(v).is_empty() {
                        props.insert(name.clone(), v.clone());
                        changed = true;
                    }
                }
                if changed {
                    out.insert(key.clone(), Value::from(props));
                }
            }
            "notes" => {
                let planned_notes = value.as_str().unwrap_or("");
                let now = current.notes.clone().unwrap_or_default();
                let now = now.trim();
                if now == planned_notes.trim() {
                    continue;
                }
                let notes = if planned_notes.starts_with(now) {
                    planned_notes.to_string()
                } else {
                    format!("{now}\n\n{planned_notes}")
                };
                out.insert(key.clone(), Value::String(notes));
            }
            _ => {
                let wanted = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                match field_text(current, key) {
                    None => {
                        out.insert(key.clone(), value.clone());
                    }
                    Some(now) if now.trim() == wanted.trim() => {}
                    Some(_) => kept.push(key.clone()),
                }
            }
        }
    }
    (out, kept)
}

fn pending(step: MergeStep) -> StepRecord {
    StepRecord {
        step,
        status: StepStatus::Pending,
        at: None,
        attempts: 0,
    }
}

fn ids(it: impl Iterator<Item = Id>) -> Vec<Id> {
    it.collect()
}

/// Runs every remaining step of `run`, calling `progress` after each. On a worker task, pass a
/// closure that sends into the UI's channel (`|p| { let _ = tx.send(p.clone()); }`). Stops at
/// the first failure (recorded in the journal; run again to resume).
pub async fn execute(
    env: &FlowEnv,
    run: &mut MergeRun,
    mut progress: impl FnMut(&MergeProgress),
) -> Result<(), FlowError> {
    env.check_writable("merging customers")?;
    while let Some(p) = run.next_step(env).await? {
        progress(&p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cust(id: Id, v: Value) -> Customer {
        let mut c: Customer = serde_json::from_value(v).unwrap();
        c.id = id;
        c
    }

    #[test]
    fn plan_offers_only_fields_empty_on_the_primary_and_appends_notes() {
        let primary = cust(
            1,
            json!({"business_name": "Acme Dental LLC", "email": "office@acme.example",
                   "notes": "Server closet.", "properties": {"Contract Tier": "Gold", "Empty": ""}}),
        );
        let duplicate = cust(
            2,
            json!({"business_name": "ACME Dental", "email": "other@acme.example",
                   "phone": "5035550142", "city": "Portland", "notes": "Prefers phone.",
                   "tax_rate_id": 7,
                   "properties": {"Contract Tier": "Silver", "Empty": "x", "Seats": 12}}),
        );
        let mut plan = MergePlan::new(primary, duplicate, vec![], vec![], vec![], vec![]);
        let keys: Vec<&str> = plan.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "phone",
                "city",
                "tax_rate_id",
                "notes",
                "properties.Empty",
                "properties.Seats"
            ]
        );
        let notes = plan.fields.iter().find(|f| f.key == "notes").unwrap();
        assert!(notes.value.starts_with("Server closet."));
        assert!(notes.value.ends_with("Prefers phone."));
        assert!(plan.set_copy("city", false));
        assert!(!plan.set_copy("nope", false));
        let patch = plan.patch();
        assert_eq!(patch.get("phone"), Some(&json!("5035550142")));
        assert_eq!(patch.get("tax_rate_id"), Some(&json!(7)));
        assert!(!patch.contains_key("city"));
        assert!(!patch.contains_key("email"));
        assert_eq!(
            patch.get("properties"),
            Some(&json!({"Contract Tier": "Gold", "Empty": "x", "Seats": 12}))
        );
        let steps = plan.steps();
        assert!(matches!(steps[0], MergeStep::CopyFields { .. }));
        assert_eq!(
            &steps[1..],
            &[MergeStep::Verify, MergeStep::DeleteDuplicate]
        );
    }

    #[test]
    fn a_late_field_copy_keeps_what_the_primary_got_since_the_plan() {
        let planned = match json!({"email": "dup@x.example", "city": "Portland",
                                   "notes": "Old.\n\n--- Merged ---\nDup notes.",
                                   "properties": {"Tier": "Gold", "Seats": "3"}})
        {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let now = cust(
            1,
            json!({"email": "own@x.example", "city": "Portland", "notes": "New notes.",
                   "properties": {"Tier": "Silver"}}),
        );
        let (patch, kept) = refresh_patch(&planned, &now);
        assert_eq!(kept, vec!["email".to_string()]);
        assert!(!patch.contains_key("email") && !patch.contains_key("city"));
        assert_eq!(
            patch.get("properties"),
            Some(&json!({"Tier": "Silver", "Seats": "3"}))
        );
        let notes = patch.get("notes").and_then(Value::as_str).unwrap();
        assert!(notes.starts_with("New notes.") && notes.ends_with("Dup notes."));
        // Applied already (a resumed step): nothing left to send.
        let done = cust(
            1,
            json!({"email": "dup@x.example", "city": "Portland",
                   "notes": "Old.\n\n--- Merged ---\nDup notes.",
                   "properties": {"Tier": "Gold", "Seats": "3"}}),
        );
        let (patch, kept) = refresh_patch(&planned, &done);
        assert!(patch.is_empty() && kept.is_empty(), "{patch:?}");
    }

    #[test]
    fn journal_round_trips() {
        let plan = MergePlan::new(
            cust(1, json!({})),
            cust(2, json!({"email": "a@b.example"})),
            vec![Contact {
                id: 5,
                name: Some("Jane".into()),
                ..Default::default()
            }],
            vec![],
            vec![],
            vec![],
        );
        let run = MergeRun::new(&plan);
        let dir = tempfile::tempdir().unwrap();
        run.save(dir.path()).unwrap();
        let back = MergeRun::load(dir.path(), 1, 2).unwrap().unwrap();
        assert_eq!(back, run);
        assert_eq!(MergeRun::pending(dir.path()), vec![run.clone()]);
        run.discard(dir.path()).unwrap();
        assert!(MergeRun::load(dir.path(), 1, 2).unwrap().is_none());
    }

    /// An unfinished merge is offered only on its own account: on another profile's its IDs
    /// are other customers. A journal from before the server was recorded is offered anywhere.
    #[test]
    fn unfinished_merges_are_offered_on_their_own_account_only() {
        let dir = tempfile::tempdir().unwrap();
        let journal = |p: Id, d: Id, server: &str| {
            let plan = MergePlan::new(
                cust(p, json!({})),
                cust(d, json!({})),
                vec![],
                vec![],
                vec![],
                vec![],
            );
            let mut run = MergeRun::new(&plan);
            run.server = server.into();
            run.save(dir.path()).unwrap();
        };
        journal(1, 2, "https://acme.syncromsp.com/api/v1");
        journal(3, 4, "https://other.syncromsp.com/api/v1");
        journal(5, 6, "");
        let ids = |server: &str| {
            let mut ids: Vec<(Id, Id)> = MergeRun::pending_for(dir.path(), server)
                .iter()
                .map(|r| (r.primary_id, r.duplicate_id))
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(ids("https://acme.syncromsp.com/api/v1"), [(1, 2), (5, 6)]);
        assert_eq!(ids("https://other.syncromsp.com/api/v1"), [(3, 4), (5, 6)]);
        // Written before `server` existed: still read.
        let old = r#"{"primary_id":7,"duplicate_id":8,"primary_name":"A","duplicate_name":"B","started_at":"","steps":[]}"#;
        let back: MergeRun = serde_json::from_str(old).unwrap();
        assert_eq!(back.server, "");
    }
}
