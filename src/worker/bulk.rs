//! Bulk edits, the change log and undo on worker tasks: the run reports each record as it
//! finishes; the records written are read again afterwards so that the list and the mirror
//! show what the server has.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::SyncroClient;
use crate::api::model::Id;
use crate::app::Action;
use crate::app::bulk::state::{BulkEvent, BulkOp, Decided, LogEvent, LogOp};
use crate::changelog::{ChangeLog, Entry, RecordKind, UndoTarget, last_change};
use crate::flows::FlowEnv;
use crate::flows::bulk::{BulkRun, ItemStatus, customers_by_ids};
use crate::flows::undo::{self, UndoOutcome};
use crate::text::plural;

/// Everything a bulk or log task needs.
pub(super) struct Ctx {
    pub client: Option<SyncroClient>,
    pub data_dir: Option<PathBuf>,
    pub log: Option<Arc<ChangeLog>>,
    pub tx: UnboundedSender<Action>,
}

impl Ctx {
    fn env(&self, read_only: bool) -> Result<(FlowEnv, Arc<ChangeLog>), String> {
        let client = self
            .client
            .clone()
            .ok_or_else(|| super::no_client().to_string())?;
        let dir = self
            .data_dir
            .clone()
            .ok_or_else(|| "No data directory for the journal and the change log".to_string())?;
        let log = self
            .log
            .clone()
            .unwrap_or_else(|| Arc::new(ChangeLog::open(&dir, "default")));
        Ok((
            FlowEnv::new(client, read_only, dir).with_change_log(Some(log.clone())),
            log,
        ))
    }
}

pub(super) fn spawn_bulk(ctx: Ctx, op: BulkOp) {
    tokio::spawn(async move { bulk(ctx, op).await });
}

pub(super) fn spawn_log(ctx: Ctx, op: LogOp) {
    tokio::spawn(async move { log(ctx, op).await });
}

/// Reads the customers again (50 a request) and hands them to the app.
async fn refresh(client: &SyncroClient, ids: BTreeSet<Id>, tx: &UnboundedSender<Action>) {
    let ids: Vec<Id> = ids.into_iter().filter(|&id| id != 0).collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::flows::bulk::CHECK_BATCH) {
        match customers_by_ids(client, chunk).await {
            Ok(c) => out.extend(c),
            Err(e) => {
                tracing::warn!("reading the changed customers again failed: {e}");
                break;
            }
        }
    }
    if !out.is_empty() {
        let _ = tx.send(Action::Bulk(BulkEvent::Refreshed(out)));
    }
}

/// The customers a run's writes touched (a contact's customer, and where it moved).
fn touched(run: &BulkRun) -> BTreeSet<Id> {
    let mut ids = BTreeSet::new();
    for i in run.items.iter().filter(|i| i.status == ItemStatus::Done) {
        match run.kind() {
            RecordKind::Customer => {
                ids.insert(i.id);
            }
            RecordKind::Contact => {
                ids.extend(i.customer_id);
                for side in [&i.before, &i.after] {
                    if let Some(c) = side.get("customer_id").and_then(|v| v.as_u64()) {
                        ids.insert(c);
                    }
                }
            }
        }
    }
    ids
}

async fn bulk(ctx: Ctx, op: BulkOp) {
    let send = |ev: BulkEvent| {
        let _ = ctx.tx.send(Action::Bulk(ev));
    };
    let finished = |e: String| {
        send(BulkEvent::Finished {
            counts: Default::default(),
            error: Some(e),
        })
    };
    match op {
        BulkOp::Pending => {
            if let (Some(dir), Some(c)) = (&ctx.data_dir, &ctx.client) {
                send(BulkEvent::Pending(BulkRun::pending(dir, c.base_url())));
            }
        }
        BulkOp::Discard { id } => {
            if let Some(dir) = &ctx.data_dir
                && let Err(e) = BulkRun::discard(dir, &id)
            {
                tracing::warn!("could not remove the bulk journal: {e}");
            }
        }
        BulkOp::Run { plan, read_only } => {
            let (env, log) = match ctx.env(read_only) {
                Ok(x) => x,
                Err(e) => return finished(e),
            };
            match BulkRun::start(&env, *plan) {
                Ok(run) => execute(&ctx, &env, &log, run).await,
                Err(e) => finished(e.to_string()),
            }
        }
        BulkOp::Resume { id, read_only } => {
            let (env, log) = match ctx.env(read_only) {
                Ok(x) => x,
                Err(e) => return finished(e),
            };
            match BulkRun::load(&env.data_dir, &id) {
                Ok(Some(run)) => execute(&ctx, &env, &log, run).await,
                Ok(None) => finished("No unfinished bulk edit of that id".into()),
                Err(e) => finished(e.to_string()),
            }
        }
    }
}

async fn execute(ctx: &Ctx, env: &FlowEnv, log: &ChangeLog, mut run: BulkRun) {
    let tx = &ctx.tx;
    let _ = tx.send(Action::Bulk(BulkEvent::Started {
        id: run.id.clone(),
        items: run.items.clone(),
    }));
    let result = run
        .execute(env, log, |p| {
            let _ = tx.send(Action::Bulk(BulkEvent::Progress {
                number: p.number,
                item: Box::new(p.item.clone()),
            }));
        })
        .await;
    if let Err(e) = &result {
        tracing::warn!("bulk edit stopped: {e}");
    }
    let _ = tx.send(Action::Bulk(BulkEvent::Finished {
        counts: run.counts(),
        error: result.err().map(|e| e.to_string()),
    }));
    refresh(&env.client, touched(&run), tx).await;
}

async fn log(ctx: Ctx, op: LogOp) {
    let tx = ctx.tx.clone();
    let send = |ev: LogEvent| {
        let _ = tx.send(Action::Log(ev));
    };
    // Deciding only reads: allowed in read-only mode; the undo itself is refused there.
    let (env, log) = match ctx.env(matches!(
        op,
        LogOp::Read | LogOp::Decide(_) | LogOp::DecideLast
    )) {
        Ok(x) => x,
        Err(e) => {
            return send(match op {
                LogOp::Read => LogEvent::Entries(Err(e)),
                LogOp::Decide(target) => LogEvent::Decided {
                    target,
                    result: Err(e),
                },
                _ => LogEvent::Undone(Err(e)),
            });
        }
    };
    match op {
        LogOp::Read => send(LogEvent::Entries(
            log.read(2_000).map_err(|e| e.to_string()),
        )),
        LogOp::DecideLast => {
            let entries = match log.read_all() {
                Ok(e) => e,
                Err(e) => {
                    return send(LogEvent::Undone(Err(format!(
                        "the change log cannot be read: {e}"
                    ))));
                }
            };
            match last_change(&entries) {
                None => send(LogEvent::Undone(Ok(
                    "Nothing to undo: the app has not changed anything on this account yet (or all of it is undone)"
                        .into(),
                ))),
                Some(target) => send(decide(&env, &log, target).await),
            }
        }
        LogOp::Decide(target) => send(decide(&env, &log, target).await),
        LogOp::Undo { target, consent } => {
            let result = match &target {
                UndoTarget::Entry(id) => match find(&log, id) {
                    Err(e) => Err(e),
                    Ok(entry) => undo::undo(&env, &log, &entry, consent)
                        .await
                        .map_err(|e| e.to_string())
                        .map(|o| {
                            let ids = customers_of(&entry);
                            let text = match o {
                                UndoOutcome::Undone(_) => format!("Undone: {}", entry.summary()),
                                UndoOutcome::NotDone(d) => {
                                    format!("Nothing undone: {}", d.describe())
                                }
                            };
                            (text, ids)
                        }),
                },
                UndoTarget::Group(g) => undo::undo_group(&env, &log, g, consent, |_| {})
                    .await
                    .map_err(|e| e.to_string())
                    .map(|done| {
                        let undone = done
                            .iter()
                            .filter(|p| matches!(p.outcome, UndoOutcome::Undone(_)))
                            .count();
                        let mut ids = BTreeSet::new();
                        for p in &done {
                            ids.extend(customers_of(&p.entry));
                        }
                        (
                            if undone == done.len() {
                                format!("Undone: {}", plural(undone, "change"))
                            } else {
                                format!(
                                    "Undone: {} of {}; the others were as before, changed since, or need re-creating",
                                    plural(undone, "change"),
                                    done.len()
                                )
                            },
                            ids,
                        )
                    }),
            };
            match result {
                Ok((text, ids)) => {
                    send(LogEvent::Undone(Ok(text)));
                    refresh(&env.client, ids, &tx).await;
                }
                Err(e) => send(LogEvent::Undone(Err(e))),
            }
        }
        LogOp::Recreate { entry } => {
            let result = match find(&log, &entry) {
                Err(e) => Err(e),
                Ok(e) => undo::recreate(&env, &log, &e)
                    .await
                    .map_err(|e| e.to_string()),
            };
            match result {
                Ok(made) => {
                    let mut ids = BTreeSet::new();
                    ids.extend(made.customer.as_ref().map(|c| c.id));
                    ids.extend(made.contacts.iter().filter_map(|c| c.customer_id));
                    let what = match &made.customer {
                        Some(c) => format!(
                            "Re-created {} as #{} with {}",
                            c.display_name(),
                            c.id,
                            plural(made.contacts.len(), "contact")
                        ),
                        None => format!("Re-created {}", plural(made.contacts.len(), "contact")),
                    };
                    send(LogEvent::Undone(Ok(what)));
                    refresh(&env.client, ids, &tx).await;
                }
                Err(e) => send(LogEvent::Undone(Err(e))),
            }
        }
    }
}

fn find(log: &ChangeLog, id: &str) -> Result<Entry, String> {
    log.find(id)
        .map_err(|e| format!("the change log cannot be read: {e}"))?
        .ok_or_else(|| "that change is not in the log".to_string())
}

/// The customers whose records an entry touched (to read them again).
fn customers_of(e: &Entry) -> BTreeSet<Id> {
    let mut ids = BTreeSet::new();
    match e.record.kind {
        RecordKind::Customer => {
            ids.insert(e.record.id);
        }
        RecordKind::Contact => {
            ids.extend(e.record.customer_id);
            for f in e.fields.iter().filter(|f| f.field == "customer_id") {
                ids.extend(f.before.as_u64());
                ids.extend(f.after.as_u64());
            }
        }
    }
    ids
}

async fn decide(env: &FlowEnv, log: &ChangeLog, target: UndoTarget) -> LogEvent {
    let result = match &target {
        UndoTarget::Entry(id) => match find(log, id) {
            Err(e) => Err(e),
            Ok(entry) => undo::decide(env, log, &entry)
                .await
                .map(|decision| Decided::One {
                    entry: Box::new(entry),
                    decision: Box::new(decision),
                })
                .map_err(|e| e.to_string()),
        },
        UndoTarget::Group(g) => undo::decide_group(env, log, g)
            .await
            .map(Decided::Group)
            .map_err(|e| e.to_string()),
    };
    LogEvent::Decided { target, result }
}
