//! Undo of what the app wrote, from the change log ([`crate::changelog`]).
//!
//! [`decide`] (one entry) and [`decide_group`] (a bulk edit, a merge, an onboarding) read the
//! records as they are on the server now and say what an undo would do ([`UndoDecision`]);
//! nothing is sent. [`undo`] and [`undo_group`] then do it, reading again first, with the
//! technician's [`Consent`] for what needs one. Every undo is logged (kind `undo`, pointing at
//! the entry it undid), and an entry undone already says so.
//!
//! - An update (a form's save, a bulk record, a merge's field copy, a move, a retire) is undone
//!   by writing the old values back, only where the server still has the values the change
//!   wrote. A field that has the old value again needs nothing. A field that has a third value
//!   is a conflict: both are returned for the UI to ask, and only [`Consent::overwrite`]
//!   writes ours. A contact's title is undone part by part: a role added is removed, a role
//!   removed is added back, the marker of a contact who left comes off (a retire is undone by
//!   reinstating), and the job title goes back only if nobody changed it since, so an edit a
//!   colleague made to another part of the title survives the undo.
//! - A create is undone by deleting the record: [`UndoDecision::Delete`] names it for the UI's
//!   confirmation, and only [`Consent::delete`] sends the DELETE.
//! - A delete cannot be undone by the API: [`UndoDecision::Recreate`] carries the log's copy,
//!   and [`recreate`] makes a new record from it (a customer with its contacts), with new IDs.
//! - A group is undone as a unit, newest write first (an onboarding's contacts before its
//!   customer), with the decision of every record; the current values are read in batches as a
//!   bulk edit reads them ([`super::bulk::read_current`]): `ceil(N / 50)` reads for N records.

use std::collections::HashMap;

use serde_json::Value;

use super::bulk::{CHECK_BATCH, Fields, put_body, read_current};
use super::{FlowEnv, FlowError};
use crate::api::model::{Contact, Customer, Id, Patch};
use crate::api::{ApiError, SyncroClient};
use crate::changelog::{
    Action, CONTACT_FIELDS, CUSTOMER_FIELDS, ChangeKind, ChangeLog, Entry, FieldChange, RecordKind,
    RecordRef, Snapshot, public_url, same_value, undo_index, value_text,
};
use crate::roles::Title;

/// What an undo of one entry would do.
// Short-lived: built for one confirmation screen.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum UndoDecision {
    /// The server still has what the change wrote: the plan writes the old values back.
    Apply(UndoPlan),
    /// Some field changed on the server since: `ours` are the values the undo would write back,
    /// `theirs` what the server has now (same fields). Ask; with [`Consent::overwrite`] the plan
    /// writes ours.
    Conflict {
        plan: UndoPlan,
        ours: Fields,
        theirs: Fields,
    },
    /// The server has the values from before the change again: nothing to send.
    AsBefore,
    /// A created record: deleting it undoes the change. Confirm first, naming the record.
    Delete {
        record: RecordRef,
        /// The record as it is now (logged with the delete).
        snapshot: Snapshot,
    },
    /// A deleted record: the API cannot bring it back. [`recreate`] makes a new record from
    /// this copy (a customer with its contacts).
    Recreate(Snapshot),
    /// Undone already, by the entry `by` at `at`.
    AlreadyUndone { by: String, at: String },
    /// The record no longer exists on the server.
    Gone { record: RecordRef },
    /// Cannot be undone here, and why (another account's change, ...).
    Unavailable { reason: String },
}

impl UndoDecision {
    /// What the decision means, in one line for the confirmation or the result list.
    pub fn describe(&self) -> String {
        match self {
            UndoDecision::Apply(p) => format!("Write back {}", fields_line(&p.fields)),
            UndoDecision::Conflict { ours, theirs, .. } => {
                let parts: Vec<String> = ours
                    .iter()
                    .map(|(f, v)| {
                        format!(
                            "{}: undo would write {}, the server has {}",
                            crate::changelog::field_label(f),
                            crate::changelog::shown(v),
                            crate::changelog::shown(theirs.get(f).unwrap_or(&Value::Null))
                        )
                    })
                    .collect();
                format!("Changed since: {}", parts.join("; "))
            }
            UndoDecision::AsBefore => "Already as before the change: nothing to undo".into(),
            UndoDecision::Delete { record, .. } => format!("Delete {}", record.describe()),
            UndoDecision::Recreate(s) => format!(
                "Deleted records cannot be restored through Syncro's API: re-create {} as a new record",
                s.record().describe()
            ),
            UndoDecision::AlreadyUndone { at, .. } => format!("Already undone ({at})"),
            UndoDecision::Gone { record } => {
                format!("{} no longer exists", record.describe())
            }
            UndoDecision::Unavailable { reason } => reason.clone(),
        }
    }
}

fn fields_line(fields: &[FieldChange]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| {
            format!(
                "{}: {} → {}",
                crate::changelog::field_label(&f.field),
                crate::changelog::shown(&f.before),
                crate::changelog::shown(&f.after)
            )
        })
        .collect();
    parts.join("; ")
}

/// The write of an undo.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPlan {
    /// The entry undone.
    pub entry: String,
    pub record: RecordRef,
    /// Per field: `before` what the server has now, `after` what the undo writes.
    pub fields: Vec<FieldChange>,
    /// The PUT body (a contact's carries its name; properties go as the whole map).
    pub patch: Patch,
}

/// What the technician agreed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Consent {
    /// Write our old values over fields changed on the server since (a conflict).
    pub overwrite: bool,
    /// Delete records the app created.
    pub delete: bool,
}

/// Undo of a contact's title, part by part.
enum TitleUndo {
    Write(String),
    AsBefore,
    Conflict,
}

fn undo_title(before: &Value, after: &Value, current: &Value) -> TitleUndo {
    if same_value("title", current, after) {
        return TitleUndo::Write(value_text(before));
    }
    if same_value("title", current, before) {
        return TitleUndo::AsBefore;
    }
    let b = Title::read(&value_text(before));
    let a = Title::read(&value_text(after));
    let mut c = Title::read(&value_text(current));
    for r in &a.roles {
        if !b.has(*r) && c.has(*r) {
            c.toggle(*r);
        }
    }
    for r in &b.roles {
        if !a.has(*r) && !c.has(*r) {
            c.toggle(*r);
        }
    }
    if a.retired != b.retired && c.retired == a.retired {
        c.retired = b.retired;
    }
    if a.job != b.job {
        if c.job == a.job {
            c.job = b.job.clone();
        } else if c.job != b.job {
            return TitleUndo::Conflict;
        }
    }
    let t = c.write();
    if same_value("title", &Value::String(t.clone()), current) {
        TitleUndo::AsBefore
    } else {
        TitleUndo::Write(t)
    }
}

/// The decision for `entry`, given the record as the server has it now (`None`: it does not
/// exist), the undo that undid the entry already if any, and the server the app is on. Pure:
/// what [`decide`] and [`decide_group`] use once they have read the record.
pub fn decide_with(
    entry: &Entry,
    now: Option<&Snapshot>,
    undone_by: Option<&Entry>,
    server: &str,
) -> UndoDecision {
    if let Some(u) = undone_by {
        return UndoDecision::AlreadyUndone {
            by: u.id.clone(),
            at: u.at.clone(),
        };
    }
    let here = public_url(server);
    if entry.server != here {
        return UndoDecision::Unavailable {
            reason: format!(
                "This change was made on {}; the app is on {here}. Undo it from a profile of that account.",
                entry.server
            ),
        };
    }
    if entry.kind == ChangeKind::MergeStep {
        return UndoDecision::Unavailable {
            reason: "A merge is not undone from the log: tickets and assets moved to the kept customer cannot be checked back through the API. Move contacts back with a bulk move (Space, e).".into(),
        };
    }
    match entry.action {
        Action::Delete => match &entry.snapshot {
            Some(s) => UndoDecision::Recreate(s.clone()),
            None => UndoDecision::Unavailable {
                reason: "The log has no copy of the deleted record".into(),
            },
        },
        Action::Create => match now {
            Some(s) => UndoDecision::Delete {
                record: s.record(),
                snapshot: s.clone(),
            },
            None => UndoDecision::Gone {
                record: entry.record.clone(),
            },
        },
        Action::Update => {
            let Some(now) = now else {
                return UndoDecision::Gone {
                    record: entry.record.clone(),
                };
            };
            let mut write = Fields::new();
            let mut ours = Fields::new();
            let mut theirs = Fields::new();
            for f in &entry.fields {
                let current = now.value(&f.field);
                if f.field == "title" {
                    match undo_title(&f.before, &f.after, &current) {
                        TitleUndo::Write(t) => {
                            write.insert(f.field.clone(), Value::String(t));
                        }
                        TitleUndo::AsBefore => {}
                        TitleUndo::Conflict => {
                            ours.insert(f.field.clone(), f.before.clone());
                            theirs.insert(f.field.clone(), current);
                        }
                    }
                } else if same_value(&f.field, &current, &f.after) {
                    write.insert(f.field.clone(), f.before.clone());
                } else if !same_value(&f.field, &current, &f.before) {
                    ours.insert(f.field.clone(), f.before.clone());
                    theirs.insert(f.field.clone(), current);
                }
            }
            if !ours.is_empty() {
                let mut all = write.clone();
                all.extend(ours.clone());
                return UndoDecision::Conflict {
                    plan: plan(entry, now, &all),
                    ours,
                    theirs,
                };
            }
            if write.is_empty() {
                UndoDecision::AsBefore
            } else {
                UndoDecision::Apply(plan(entry, now, &write))
            }
        }
    }
}

fn plan(entry: &Entry, now: &Snapshot, write: &Fields) -> UndoPlan {
    UndoPlan {
        entry: entry.id.clone(),
        record: now.record(),
        fields: write
            .iter()
            .map(|(f, v)| FieldChange {
                field: f.clone(),
                before: now.value(f),
                after: v.clone(),
            })
            .collect(),
        patch: put_body(now, write),
    }
}

fn log_error(log: &ChangeLog, source: std::io::Error) -> FlowError {
    FlowError::Journal {
        path: log.path().to_path_buf(),
        source,
    }
}

/// The record of `r` as the server has it now; `None` when it is gone.
async fn read_one(client: &SyncroClient, r: &RecordRef) -> Result<Option<Snapshot>, ApiError> {
    let result = match r.kind {
        RecordKind::Customer => client.get_customer(r.id).await.map(Snapshot::from),
        RecordKind::Contact => client.get_contact(r.id).await.map(Snapshot::from),
    };
    match result {
        Ok(s) => Ok(Some(s)),
        Err(ApiError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What undoing `entry` would do, with the record read from the server (one GET; none for a
/// delete). Only reads: allowed in read-only mode.
pub async fn decide(
    env: &FlowEnv,
    log: &ChangeLog,
    entry: &Entry,
) -> Result<UndoDecision, FlowError> {
    let all = log.read_all().map_err(|e| log_error(log, e))?;
    let undone = undo_index(&all);
    let early = decide_with(
        entry,
        None,
        undone.get(entry.id.as_str()).copied(),
        env.client.base_url(),
    );
    if !matches!(early, UndoDecision::Gone { .. }) {
        return Ok(early);
    }
    let now = read_one(&env.client, &entry.record).await?;
    Ok(decide_with(
        entry,
        now.as_ref(),
        None,
        env.client.base_url(),
    ))
}

/// The outcome of [`undo`].
// Short-lived: one result for the UI.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum UndoOutcome {
    /// Undone; the entry logged for it.
    Undone(Entry),
    /// Nothing sent; the decision says why (a conflict without consent, a create without the
    /// confirmation, already undone, a delete to re-create with [`recreate`], ...).
    NotDone(UndoDecision),
}

/// Undoes `entry`: reads the record again, decides, and writes only what the decision and
/// `consent` allow. Refused in read-only mode.
pub async fn undo(
    env: &FlowEnv,
    log: &ChangeLog,
    entry: &Entry,
    consent: Consent,
) -> Result<UndoOutcome, FlowError> {
    env.check_writable("the undo")?;
    let decision = decide(env, log, entry).await?;
    apply(&env.client, log, entry, decision, consent, None).await
}

/// Carries out a decision made just now.
async fn apply(
    client: &SyncroClient,
    log: &ChangeLog,
    entry: &Entry,
    decision: UndoDecision,
    consent: Consent,
    group: Option<&str>,
) -> Result<UndoOutcome, FlowError> {
    let server = client.base_url().to_string();
    let logged = |mut e: Entry| -> Result<UndoOutcome, FlowError> {
        e.undoes = Some(entry.id.clone());
        e.server = public_url(&server);
        if let Some(g) = group {
            e.group = Some(g.to_string());
        }
        e.note = Some(format!("Undo of: {}", entry.summary()));
        log.append(&e).map_err(|err| log_error(log, err))?;
        Ok(UndoOutcome::Undone(e))
    };
    match decision {
        UndoDecision::Apply(plan) => {
            let e = write(client, &plan).await?;
            logged(e)
        }
        UndoDecision::Conflict { plan, .. } if consent.overwrite => {
            let e = write(client, &plan).await?;
            logged(e)
        }
        UndoDecision::Delete { record, snapshot } if consent.delete => {
            let result = match record.kind {
                RecordKind::Customer => client.delete_customer(record.id).await,
                RecordKind::Contact => client.delete_contact(record.id).await,
            };
            match result {
                // Gone already (an earlier attempt whose answer was lost).
                Ok(()) | Err(ApiError::NotFound { .. }) => {}
                Err(e) => return Err(FlowError::Api(e)),
            }
            let mut e = Entry::new(ChangeKind::Undo, Action::Delete, record);
            e.snapshot = Some(snapshot);
            logged(e)
        }
        other => Ok(UndoOutcome::NotDone(other)),
    }
}

/// Sends an undo's PUT; the entry to log (values before as read, after as answered).
async fn write(client: &SyncroClient, plan: &UndoPlan) -> Result<Entry, FlowError> {
    let answer = match plan.record.kind {
        RecordKind::Customer => client
            .update_customer(plan.record.id, &plan.patch)
            .await
            .map(Snapshot::from),
        RecordKind::Contact => client
            .update_contact(plan.record.id, &plan.patch)
            .await
            .map(Snapshot::from),
    }?;
    let mut e = Entry::new(ChangeKind::Undo, Action::Update, answer.record());
    e.fields = plan
        .fields
        .iter()
        .map(|f| FieldChange {
            field: f.field.clone(),
            before: f.before.clone(),
            after: answer.value(&f.field),
        })
        .collect();
    Ok(e)
}

/// One record of a group undo.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupItem {
    pub entry: Entry,
    pub decision: UndoDecision,
}

/// What undoing a group would do: every record with its decision, newest write first.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupUndo {
    pub group: String,
    pub items: Vec<GroupItem>,
}

/// Counts of a group's decisions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCounts {
    /// Written back without asking.
    pub apply: usize,
    /// Changed on the server since: ask.
    pub conflicts: usize,
    /// Created records to delete (after the confirmation).
    pub deletes: usize,
    /// Deleted records that can only be re-created.
    pub recreate: usize,
    /// Nothing to do (as before already, undone already, gone, another account).
    pub nothing: usize,
}

impl GroupUndo {
    pub fn counts(&self) -> GroupCounts {
        let mut c = GroupCounts::default();
        for i in &self.items {
            match i.decision {
                UndoDecision::Apply(_) => c.apply += 1,
                UndoDecision::Conflict { .. } => c.conflicts += 1,
                UndoDecision::Delete { .. } => c.deletes += 1,
                UndoDecision::Recreate(_) => c.recreate += 1,
                _ => c.nothing += 1,
            }
        }
        c
    }

    /// The records changed on the server since the group wrote them.
    pub fn conflicts(&self) -> Vec<&GroupItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.decision, UndoDecision::Conflict { .. }))
            .collect()
    }
}

/// The entries of `group` to undo, newest first; and which of them were undone already.
fn group_entries(log: &ChangeLog, group: &str) -> Result<(Vec<Entry>, Vec<Entry>), FlowError> {
    let all = log.read_all().map_err(|e| log_error(log, e))?;
    let undone: HashMap<String, Entry> = undo_index(&all)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let mut entries: Vec<Entry> = all
        .into_iter()
        .filter(|e| e.group.as_deref() == Some(group))
        .collect();
    entries.reverse();
    let undos = entries
        .iter()
        .filter_map(|e| undone.get(&e.id).cloned())
        .collect();
    Ok((entries, undos))
}

/// Reads the current records of `entries` in batches and decides each.
async fn decide_batch(
    client: &SyncroClient,
    entries: &[Entry],
    undos: &[Entry],
) -> Result<Vec<GroupItem>, FlowError> {
    let undone_by = |e: &Entry| undos.iter().find(|u| u.undoes.as_deref() == Some(&e.id));
    let server = client.base_url();
    let mut need: HashMap<RecordKind, (Vec<Id>, Vec<Id>)> = HashMap::new();
    for e in entries {
        if undone_by(e).is_some() || e.action == Action::Delete || e.server != public_url(server) {
            continue;
        }
        let (ids, owners) = need.entry(e.record.kind).or_default();
        ids.push(e.record.id);
        owners.extend(e.record.customer_id);
        // A moved contact is looked for on the customer it was moved to, too.
        for f in e.fields.iter().filter(|f| f.field == "customer_id") {
            owners.extend(f.after.as_u64());
        }
    }
    let mut current: HashMap<(RecordKind, Id), Snapshot> = HashMap::new();
    for (kind, (ids, owners)) in need {
        for (id, s) in read_current(client, kind, &ids, &owners).await? {
            current.insert((kind, id), s);
        }
    }
    Ok(entries
        .iter()
        .map(|e| GroupItem {
            decision: decide_with(
                e,
                current.get(&(e.record.kind, e.record.id)),
                undone_by(e),
                server,
            ),
            entry: e.clone(),
        })
        .collect())
}

/// What undoing the group would do, every record with its decision (newest write first).
/// Reads `ceil(N / 50)` times for N records (more for contacts missing from their customers'
/// lists). Only reads.
pub async fn decide_group(
    env: &FlowEnv,
    log: &ChangeLog,
    group: &str,
) -> Result<GroupUndo, FlowError> {
    let (entries, undos) = group_entries(log, group)?;
    if entries.is_empty() {
        return Err(FlowError::Invalid(format!(
            "The change log has no change of group {group}"
        )));
    }
    let mut items = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(CHECK_BATCH) {
        items.extend(decide_batch(&env.client, chunk, &undos).await?);
    }
    Ok(GroupUndo {
        group: group.to_string(),
        items,
    })
}

/// What [`undo_group`] reports after each record.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupProgress {
    /// 1-based.
    pub number: usize,
    pub total: usize,
    pub entry: Entry,
    pub outcome: UndoOutcome,
}

/// Undoes a group as a unit, newest write first: reads the records again in batches, decides
/// each and writes what the decisions and `consent` allow (conflicts only with
/// [`Consent::overwrite`], deletes of created records only with [`Consent::delete`]; deleted
/// records are left for [`recreate`]). The undo entries share the group `undo-GROUP`. Stops at
/// the first failure; run it again to go on (what was undone is logged and not undone twice).
/// Returns every record's outcome.
pub async fn undo_group(
    env: &FlowEnv,
    log: &ChangeLog,
    group: &str,
    consent: Consent,
    mut progress: impl FnMut(&GroupProgress),
) -> Result<Vec<GroupProgress>, FlowError> {
    env.check_writable("the undo")?;
    let (entries, undos) = group_entries(log, group)?;
    let undo_group_id = format!("undo-{group}");
    let client = env.client.paced();
    let total = entries.len();
    let mut out = Vec::with_capacity(total);
    for (b, chunk) in entries.chunks(CHECK_BATCH).enumerate() {
        let items = decide_batch(&client, chunk, &undos).await?;
        for (k, item) in items.into_iter().enumerate() {
            let number = b * CHECK_BATCH + k + 1;
            let outcome = apply(
                &client,
                log,
                &item.entry,
                item.decision,
                consent,
                Some(&undo_group_id),
            )
            .await
            .map_err(|e| match e {
                FlowError::Api(source) => FlowError::Step {
                    number,
                    total,
                    step: format!("Undo of {}", item.entry.record.describe()),
                    source,
                },
                other => other,
            })?;
            let p = GroupProgress {
                number,
                total,
                entry: item.entry,
                outcome,
            };
            progress(&p);
            out.push(p);
        }
    }
    Ok(out)
}

/// Records re-created from a deleted one's copy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recreated {
    /// The new customer (for a deleted customer).
    pub customer: Option<Customer>,
    /// The new contacts (a customer's, or the one deleted contact).
    pub contacts: Vec<Contact>,
}

/// The POST body of a customer like `c` (its writable fields that are set, and its properties).
fn customer_body(c: &Customer) -> Patch {
    let mut body = Patch::new();
    for f in CUSTOMER_FIELDS {
        let v = crate::changelog::customer_value(c, f);
        if !value_text(&v).trim().is_empty() {
            body.insert(f.to_string(), v);
        }
    }
    if !c.properties.is_empty() {
        body.insert("properties".into(), Value::Object(c.properties.to_map()));
    }
    body
}

/// The POST body of a contact like `c` (without its customer).
fn contact_body(c: &Contact) -> Patch {
    let mut body = Patch::new();
    for f in CONTACT_FIELDS.iter().filter(|f| **f != "customer_id") {
        let v = crate::changelog::contact_value(c, f);
        if !value_text(&v).trim().is_empty() {
            body.insert(f.to_string(), v);
        }
    }
    body
}

/// Re-creates a deleted record from the log's copy, as a new record (new IDs): a customer with
/// its contacts, or a contact on its customer. Each create is logged (kind `undo`, pointing at
/// the delete, `recreates` the old ID, grouped as `recreate-ENTRY`). Run again after a failure:
/// what was re-created already (by the log) is not created twice. Creates are not retried by
/// the client; after an "outcome unknown" error, look for the record before running again.
pub async fn recreate(
    env: &FlowEnv,
    log: &ChangeLog,
    entry: &Entry,
) -> Result<Recreated, FlowError> {
    env.check_writable("re-creating the record")?;
    let Some(snapshot) = entry
        .snapshot
        .clone()
        .filter(|_| entry.action == Action::Delete)
    else {
        return Err(FlowError::Invalid(
            "Only a deleted record can be re-created from the log".into(),
        ));
    };
    let here = public_url(env.client.base_url());
    if entry.server != here {
        return Err(FlowError::Invalid(format!(
            "This record was deleted on {}; the app is on {here}",
            entry.server
        )));
    }
    let group = format!("recreate-{}", entry.id);
    // What an earlier, interrupted run re-created already.
    let before: Vec<Entry> = log
        .group(&group)
        .map_err(|e| log_error(log, e))?
        .into_iter()
        .filter(|e| e.undoes.as_deref() == Some(entry.id.as_str()))
        .collect();
    let done = |kind: RecordKind, old: Id| {
        before
            .iter()
            .find(|e| e.record.kind == kind && e.recreates == Some(old))
            .map(|e| e.record.id)
    };
    let client = &env.client;
    let log_create = |record: Snapshot, old: Id| -> Result<(), FlowError> {
        let mut e = Entry::create(record)
            .with_kind(ChangeKind::Undo)
            .with_group(group.clone())
            .with_server(client.base_url())
            .with_note(format!(
                "Re-created from the copy of deleted {}",
                entry.record.describe()
            ));
        e.undoes = Some(entry.id.clone());
        e.recreates = Some(old);
        log.append(&e).map_err(|err| log_error(log, err))
    };
    let mut out = Recreated::default();
    let (customer_id, contacts) = match &snapshot {
        Snapshot::Customer(c) => {
            let new_id = match done(RecordKind::Customer, c.id) {
                Some(id) => {
                    out.customer = Some(client.get_customer(id).await?);
                    id
                }
                None => {
                    let created = client.create_customer(&customer_body(c)).await?;
                    log_create(Snapshot::Customer(created.clone()), c.id)?;
                    let id = created.id;
                    out.customer = Some(created);
                    id
                }
            };
            (new_id, c.contacts.clone())
        }
        Snapshot::Contact(c) => {
            let Some(customer) = c.customer_id else {
                return Err(FlowError::Invalid(
                    "The deleted contact had no customer to re-create it on".into(),
                ));
            };
            (customer, vec![c.clone()])
        }
    };
    for c in &contacts {
        if done(RecordKind::Contact, c.id).is_some() {
            continue;
        }
        let created = client.create_contact(customer_id, &contact_body(c)).await?;
        log_create(Snapshot::Contact(created.clone()), c.id)?;
        out.contacts.push(created);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SERVER: &str = "http://127.0.0.1:9/api/v1";

    fn customer(v: Value) -> Customer {
        serde_json::from_value(v).unwrap()
    }

    fn contact(v: Value) -> Contact {
        serde_json::from_value(v).unwrap()
    }

    fn patch(v: Value) -> Patch {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    fn acme(kind: &str, city: &str) -> Customer {
        customer(json!({"id": 1, "business_name": "Acme", "city": city,
                        "properties": {"Customer Type": kind, "Tier": "Gold"}}))
    }

    fn type_update() -> Entry {
        Entry::update(
            &acme("Business", "Salem"),
            &patch(json!({"properties": {"Customer Type": "Government", "Tier": "Gold"}})),
        )
        .with_server(SERVER)
    }

    #[test]
    fn an_update_is_written_back_when_the_server_still_has_the_new_value() {
        let e = type_update();
        let now = Snapshot::Customer(acme("Government", "Portland"));
        match decide_with(&e, Some(&now), None, SERVER) {
            UndoDecision::Apply(plan) => {
                assert_eq!(
                    Value::Object(plan.patch),
                    json!({"properties": {"Customer Type": "Business", "Tier": "Gold"}}),
                    "the rest of the record (the city changed since) is left alone"
                );
                assert_eq!(plan.fields[0].before, json!("Government"));
                assert_eq!(plan.fields[0].after, json!("Business"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_update_changed_on_the_server_since_is_a_conflict_with_both_values() {
        let e = type_update();
        let now = Snapshot::Customer(acme("Non-Profit", "Salem"));
        match decide_with(&e, Some(&now), None, SERVER) {
            UndoDecision::Conflict { ours, theirs, plan } => {
                assert_eq!(ours["properties.Customer Type"], json!("Business"));
                assert_eq!(theirs["properties.Customer Type"], json!("Non-Profit"));
                assert_eq!(plan.patch["properties"]["Customer Type"], json!("Business"));
            }
            other => panic!("{other:?}"),
        }
        let back = Snapshot::Customer(acme("Business", "Salem"));
        assert_eq!(
            decide_with(&e, Some(&back), None, SERVER),
            UndoDecision::AsBefore
        );
        assert!(matches!(
            decide_with(&e, None, None, SERVER),
            UndoDecision::Gone { .. }
        ));
        assert!(matches!(
            decide_with(&e, Some(&back), None, "https://other.syncromsp.com/api/v1"),
            UndoDecision::Unavailable { .. }
        ));
        let mut u = e.clone();
        u.id = "u1".into();
        assert!(matches!(
            decide_with(&e, Some(&back), Some(&u), SERVER),
            UndoDecision::AlreadyUndone { .. }
        ));
    }

    #[test]
    fn a_retire_is_undone_by_reinstating_and_keeps_a_later_job_title() {
        let before = contact(json!({"id": 5, "customer_id": 1, "name": "Ann",
                                    "properties": {"title": "Billing Contact - AP"}}));
        let e = Entry::contact_update(
            &before,
            &patch(json!({"name": "Ann", "title": "(left) Billing Contact - AP"})),
        )
        .with_server(SERVER);
        assert_eq!(e.kind, ChangeKind::Retire);
        // Someone added a role since: the undo takes only the marker off.
        let now = Snapshot::Contact(contact(json!({"id": 5, "customer_id": 1, "name": "Ann",
            "properties": {"title": "(left) Decision Maker, Billing Contact - AP"}})));
        match decide_with(&e, Some(&now), None, SERVER) {
            UndoDecision::Apply(plan) => assert_eq!(
                Value::Object(plan.patch),
                json!({"name": "Ann", "title": "Decision Maker, Billing Contact - AP"})
            ),
            other => panic!("{other:?}"),
        }
        // A job title changed since by someone else, on a job-title change: ask.
        let job = Entry::contact_update(
            &before,
            &patch(json!({"name": "Ann", "title": "Billing Contact - CFO"})),
        )
        .with_server(SERVER);
        let now = Snapshot::Contact(contact(json!({"id": 5, "name": "Ann",
            "properties": {"title": "Billing Contact - CEO"}})));
        assert!(matches!(
            decide_with(&job, Some(&now), None, SERVER),
            UndoDecision::Conflict { .. }
        ));
    }

    #[test]
    fn a_move_moves_back_a_create_deletes_and_a_delete_recreates() {
        let before = contact(json!({"id": 5, "customer_id": 1, "name": "Ann"}));
        let mv = Entry::contact_update(&before, &patch(json!({"name": "Ann", "customer_id": 2})))
            .with_server(SERVER);
        let now = Snapshot::Contact(contact(json!({"id": 5, "customer_id": 2, "name": "Ann"})));
        match decide_with(&mv, Some(&now), None, SERVER) {
            UndoDecision::Apply(plan) => {
                assert_eq!(
                    Value::Object(plan.patch),
                    json!({"name": "Ann", "customer_id": 1})
                )
            }
            other => panic!("{other:?}"),
        }
        let created = customer(json!({"id": 9, "business_name": "Zephyr"}));
        let e = Entry::create(&created).with_server(SERVER);
        match decide_with(&e, Some(&Snapshot::Customer(created.clone())), None, SERVER) {
            UndoDecision::Delete { record, .. } => assert_eq!(record.label, "Zephyr"),
            other => panic!("{other:?}"),
        }
        let d = Entry::delete(created.clone()).with_server(SERVER);
        assert_eq!(
            decide_with(&d, None, None, SERVER),
            UndoDecision::Recreate(Snapshot::Customer(created))
        );
    }

    #[test]
    fn re_created_records_get_their_writable_fields() {
        let c = customer(
            json!({"id": 9, "business_name": "Zephyr", "email": "z@x.example",
            "tax_rate_id": 3, "disabled": true, "properties": {"Customer Type": "Business"},
            "contacts": [{"id": 90, "name": "Ava", "properties": {"title": "Owner"}}]}),
        );
        assert_eq!(
            Value::Object(customer_body(&c)),
            json!({"business_name": "Zephyr", "email": "z@x.example", "tax_rate_id": 3,
                   "properties": {"Customer Type": "Business"}})
        );
        assert_eq!(
            Value::Object(contact_body(&c.contacts[0])),
            json!({"name": "Ava", "title": "Owner"})
        );
    }
}
