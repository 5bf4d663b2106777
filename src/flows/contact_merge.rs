//! Merging two contacts of one customer: the same person entered twice.
//!
//! The API has no merge. The plan reads both contacts and what points at the duplicate (the
//! customer's tickets and assets whose `contact_id` is the duplicate), and lists the fields the
//! primary lacks and the duplicate has. The run, one journaled step at a time:
//!
//! 1. copy the chosen fields onto the primary (one PUT, with the primary's name, as Syncro
//!    requires);
//! 2. point each of those tickets and assets at the primary;
//! 3. retire the duplicate (its title gets the marker of a contact who left, so its history
//!    stays readable), or delete it when the technician chose so.
//!
//! Every step is idempotent (a PUT of the same value, a delete of what is gone): a resume after
//! a failure, a quit or a crash runs the steps not finished yet, and re-running an interrupted
//! one does no harm.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::merge::{CopyField, StepStatus};
use super::{FlowEnv, FlowError, now};
use crate::api::model::{Contact, Id, Patch};
use crate::api::{ApiError, SyncroClient, all_pages};
use crate::changelog::{ChangeKind, Entry, RecordRef};
use crate::roles::Title;

/// Contact fields compared by the plan, with their labels.
const FIELDS: &[(&str, &str)] = &[
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("extension", "Extension"),
    ("mobile", "Mobile"),
    ("address1", "Address"),
    ("address2", "Address 2"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("title", "Title"),
    ("notes", "Notes (appended)"),
];

fn field(c: &Contact, key: &str) -> Option<String> {
    let v = match key {
        "email" => c.email.clone(),
        "phone" => c.phone.clone(),
        "extension" => c.extension.clone(),
        "mobile" => c.mobile.clone(),
        "address1" => c.address1.clone(),
        "address2" => c.address2.clone(),
        "city" => c.city.clone(),
        "state" => c.state.clone(),
        "zip" => c.zip.clone(),
        "notes" => c.notes.clone(),
        "title" => c.title(),
        _ => None,
    };
    v.filter(|s| !s.trim().is_empty())
}

/// What a contact merge will do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMergePlan {
    pub customer_id: Id,
    pub primary: Contact,
    pub duplicate: Contact,
    /// Fields the primary lacks (notes: appended), each to copy or not.
    pub fields: Vec<CopyField>,
    /// The customer's tickets that name the duplicate.
    pub tickets: Vec<Id>,
    /// The customer's assets that name the duplicate.
    pub assets: Vec<Id>,
    /// Delete the duplicate at the end rather than retire it.
    pub delete: bool,
}

impl ContactMergePlan {
    pub fn set_copy(&mut self, key: &str, copy: bool) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.copy = copy;
        }
    }

    /// The PUT of the copied fields, or `None` when nothing is copied.
    fn copy_patch(&self) -> Option<Patch> {
        let mut patch = Patch::new();
        for f in self.fields.iter().filter(|f| f.copy) {
            patch.insert(f.key.clone(), Value::String(f.value.clone()));
        }
        if patch.is_empty() {
            return None;
        }
        patch.insert(
            "name".into(),
            Value::String(self.primary.name.clone().unwrap_or_default()),
        );
        Some(patch)
    }
}

fn name(c: &Contact) -> String {
    c.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("contact {}", c.id))
}

/// Reads both contacts and what points at the duplicate, and plans the merge.
pub async fn plan(
    client: &SyncroClient,
    customer_id: Id,
    primary_id: Id,
    duplicate_id: Id,
) -> Result<ContactMergePlan, FlowError> {
    if primary_id == duplicate_id {
        return Err(FlowError::Invalid(
            "A contact cannot be merged into itself".into(),
        ));
    }
    let primary = client.get_contact(primary_id).await?;
    let duplicate = client.get_contact(duplicate_id).await?;
    let tickets = all_pages(|p| client.list_tickets(customer_id, p)).await?;
    let assets = all_pages(|p| client.list_assets(customer_id, p)).await?;
    let mut fields = Vec::new();
    for (key, label) in FIELDS {
        let Some(theirs) = field(&duplicate, key) else {
            continue;
        };
        let mine = field(&primary, key);
        let value = match (*key, mine) {
            ("notes", Some(m)) if !m.contains(theirs.trim()) => format!("{m}\n{theirs}"),
            ("notes", Some(_)) => continue,
            // The duplicate's title may carry roles the primary lacks: both sets are kept.
            ("title", Some(m)) => {
                let (a, b) = (Title::read(&m), Title::read(&theirs));
                let mut joined = a.clone();
                for r in b.roles {
                    if !joined.has(r) {
                        joined.toggle(r);
                    }
                }
                if joined == a {
                    continue;
                }
                joined.write()
            }
            (_, Some(_)) => continue,
            (_, None) => theirs,
        };
        fields.push(CopyField {
            key: key.to_string(),
            label: label.to_string(),
            value,
            copy: true,
        });
    }
    Ok(ContactMergePlan {
        customer_id,
        tickets: tickets
            .iter()
            .filter(|t| t.contact_id == Some(duplicate_id))
            .map(|t| t.id)
            .collect(),
        assets: assets
            .iter()
            .filter(|a| a.contact_id == Some(duplicate_id))
            .map(|a| a.id)
            .collect(),
        primary,
        duplicate,
        fields,
        delete: false,
    })
}

/// One step of a contact merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContactMergeStep {
    CopyFields,
    MoveTicket { id: Id },
    MoveAsset { id: Id },
    RetireDuplicate,
    DeleteDuplicate,
}

/// A step and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMergeStepRecord {
    pub step: ContactMergeStep,
    pub status: StepStatus,
    #[serde(default)]
    pub at: Option<String>,
}

/// A contact merge in progress, serialized as its journal
/// (`<data_dir>/flows/contact-merge-PRIMARY-DUPLICATE.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMergeRun {
    pub plan: ContactMergePlan,
    pub steps: Vec<ContactMergeStepRecord>,
    pub started_at: String,
    /// The API the merge runs against: offered again only on the same account.
    #[serde(default)]
    pub server: String,
}

fn journal_path(data_dir: &Path, primary: Id, duplicate: Id) -> PathBuf {
    super::journal_dir(data_dir).join(format!("contact-merge-{primary}-{duplicate}.json"))
}

impl ContactMergeStep {
    /// What the step does, for the progress list.
    pub fn describe(self, plan: &ContactMergePlan) -> String {
        match self {
            ContactMergeStep::CopyFields => {
                let n = plan.fields.iter().filter(|f| f.copy).count();
                format!(
                    "Copy {} to {}",
                    crate::text::plural(n, "field"),
                    name(&plan.primary)
                )
            }
            ContactMergeStep::MoveTicket { id } => format!("Point ticket {id} at the primary"),
            ContactMergeStep::MoveAsset { id } => format!("Point asset {id} at the primary"),
            ContactMergeStep::RetireDuplicate => {
                format!("Retire {} (marked as left)", name(&plan.duplicate))
            }
            ContactMergeStep::DeleteDuplicate => format!("Delete {}", name(&plan.duplicate)),
        }
    }
}

impl ContactMergeRun {
    /// A new run of a confirmed plan; its journal is written before anything is sent.
    pub fn start(plan: ContactMergePlan, env: &FlowEnv) -> Result<ContactMergeRun, FlowError> {
        env.check_writable("the contact merge")?;
        let mut steps = Vec::new();
        if plan.copy_patch().is_some() {
            steps.push(ContactMergeStep::CopyFields);
        }
        steps.extend(
            plan.tickets
                .iter()
                .map(|&id| ContactMergeStep::MoveTicket { id }),
        );
        steps.extend(
            plan.assets
                .iter()
                .map(|&id| ContactMergeStep::MoveAsset { id }),
        );
        steps.push(if plan.delete {
            ContactMergeStep::DeleteDuplicate
        } else {
            ContactMergeStep::RetireDuplicate
        });
        let run = ContactMergeRun {
            steps: steps
                .into_iter()
                .map(|step| ContactMergeStepRecord {
                    step,
                    status: StepStatus::Pending,
                    at: None,
                })
                .collect(),
            plan,
            started_at: now(),
            server: env.client.base_url().to_string(),
        };
        run.save(&env.data_dir)?;
        Ok(run)
    }

    fn save(&self, data_dir: &Path) -> Result<(), FlowError> {
        super::write_json(
            &journal_path(data_dir, self.plan.primary.id, self.plan.duplicate.id),
            self,
        )
    }

    /// The journal of an unfinished merge of these two contacts, if any.
    pub fn load(data_dir: &Path, primary: Id, duplicate: Id) -> Result<Option<Self>, FlowError> {
        super::read_json(&journal_path(data_dir, primary, duplicate))
    }

    /// Every unfinished contact merge of the account at `server`.
    pub fn pending(data_dir: &Path, server: &str) -> Vec<ContactMergeRun> {
        super::read_all::<ContactMergeRun>(&super::journal_dir(data_dir), "contact-merge-")
            .into_iter()
            .filter(|r| r.server.is_empty() || r.server == server)
            .collect()
    }

    /// Forgets the journal (what was done stays done).
    pub fn discard(data_dir: &Path, primary: Id, duplicate: Id) -> Result<(), FlowError> {
        super::remove_file(&journal_path(data_dir, primary, duplicate))
    }

    pub fn is_finished(&self) -> bool {
        self.steps.iter().all(|s| s.status.is_finished())
    }

    async fn run_step(&self, env: &FlowEnv, step: ContactMergeStep) -> Result<(), ApiError> {
        let client = &env.client;
        let p = &self.plan;
        let group = format!(
            "contact-merge-{}-{}-{}",
            p.primary.id, p.duplicate.id, self.started_at
        );
        let log = |e: Entry, note: String| {
            env.log(
                e.with_kind(ChangeKind::MergeStep)
                    .with_group(group.clone())
                    .with_note(note),
            )
        };
        let about_duplicate = || {
            Entry::new(
                ChangeKind::MergeStep,
                crate::changelog::Action::Update,
                RecordRef::contact(&p.duplicate),
            )
        };
        match step {
            ContactMergeStep::CopyFields => {
                if let Some(patch) = p.copy_patch() {
                    client.update_contact(p.primary.id, &patch).await?;
                    log(
                        Entry::contact_update(&p.primary, &patch),
                        format!("Merge: copied from {}", name(&p.duplicate)),
                    );
                }
            }
            ContactMergeStep::MoveTicket { id } => {
                client.set_ticket_contact(id, p.primary.id).await?;
                log(
                    about_duplicate(),
                    format!("Merge: ticket (id {id}) moved to {}", name(&p.primary)),
                );
            }
            ContactMergeStep::MoveAsset { id } => {
                client.set_asset_contact(id, p.primary.id).await?;
                log(
                    about_duplicate(),
                    format!("Merge: asset (id {id}) moved to {}", name(&p.primary)),
                );
            }
            ContactMergeStep::RetireDuplicate => {
                let now = client.get_contact(p.duplicate.id).await?;
                let mut title = Title::read(&now.title().unwrap_or_default());
                title.retired = true;
                let mut patch = Patch::new();
                patch.insert(
                    "name".into(),
                    Value::String(now.name.clone().unwrap_or_default()),
                );
                patch.insert("title".into(), Value::String(title.write()));
                let note = format!(
                    "Merged into {} (#{}) by syncro-tui.",
                    name(&p.primary),
                    p.primary.id
                );
                let notes = match now.notes.as_deref().filter(|n| !n.trim().is_empty()) {
                    Some(n) if n.contains(&note) => n.to_string(),
                    Some(n) => format!("{n}\n{note}"),
                    None => note,
                };
                patch.insert("notes".into(), Value::String(notes));
                client.update_contact(p.duplicate.id, &patch).await?;
                log(
                    Entry::contact_update(&now, &patch),
                    format!("Merge: retired, merged into {}", name(&p.primary)),
                );
            }
            ContactMergeStep::DeleteDuplicate => {
                match client.delete_contact(p.duplicate.id).await {
                    // Already gone (an earlier attempt whose answer was lost): done.
                    Err(ApiError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                    Ok(()) => log(
                        Entry::delete(p.duplicate.clone()),
                        format!("Merge: deleted, merged into {}", name(&p.primary)),
                    ),
                }
            }
        }
        Ok(())
    }

    /// Runs every step not finished yet, in order, saving the journal around each; `progress`
    /// hears of each step's new status (1-based number). Stops at the first failure, which the
    /// journal keeps for a resume. The journal goes when everything is done.
    pub async fn execute(
        &mut self,
        env: &FlowEnv,
        mut progress: impl FnMut(usize, &ContactMergeStepRecord, String),
    ) -> Result<(), FlowError> {
        env.check_writable("the contact merge")?;
        let total = self.steps.len();
        for i in 0..total {
            if self.steps[i].status.is_finished() {
                continue;
            }
            let step = self.steps[i].step;
            let result = self.run_step(env, step).await;
            let record = &mut self.steps[i];
            record.at = Some(now());
            match result {
                Ok(()) => record.status = StepStatus::Done,
                Err(e) => {
                    record.status = StepStatus::Failed {
                        error: super::error_text(&e),
                    };
                    self.save(&env.data_dir)?;
                    progress(i + 1, &self.steps[i], step.describe(&self.plan));
                    return Err(FlowError::Step {
                        number: i + 1,
                        total,
                        step: step.describe(&self.plan),
                        source: e,
                    });
                }
            }
            self.save(&env.data_dir)?;
            progress(i + 1, &self.steps[i], step.describe(&self.plan));
        }
        Self::discard(&env.data_dir, self.plan.primary.id, self.plan.duplicate.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contact(v: serde_json::Value) -> Contact {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_copy_sends_the_primarys_name_and_only_the_chosen_fields() {
        let mut plan = ContactMergePlan {
            customer_id: 1,
            primary: contact(json!({"id": 10, "name": "Tom Baker"})),
            duplicate: contact(json!({"id": 11, "name": "T. Baker", "phone": "555"})),
            fields: vec![
                CopyField {
                    key: "phone".into(),
                    label: "Phone".into(),
                    value: "555".into(),
                    copy: true,
                },
                CopyField {
                    key: "city".into(),
                    label: "City".into(),
                    value: "Salem".into(),
                    copy: true,
                },
            ],
            tickets: vec![],
            assets: vec![],
            delete: false,
        };
        plan.set_copy("city", false);
        let patch = plan.copy_patch().unwrap();
        assert_eq!(patch["name"], json!("Tom Baker"));
        assert_eq!(patch["phone"], json!("555"));
        assert!(!patch.contains_key("city"));
        plan.set_copy("phone", false);
        assert!(plan.copy_patch().is_none());
    }
}
