//! Merges on a worker task: the plan (reads only), then the steps one by one, each reported
//! to the app as it finishes. The journal in the data directory makes a resume pick up at the
//! failed step.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::SyncroClient;
use crate::app::Action;
use crate::app::merge::state::{MergeEvent, MergeOp};
use crate::flows::merge::{self, MergeRun};
use crate::flows::{FlowEnv, FlowError};

/// Runs `op` on its own task; the reports arrive as `Action::Merge`.
pub(super) fn spawn(
    client: Option<SyncroClient>,
    data_dir: Option<PathBuf>,
    log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    op: MergeOp,
    tx: UnboundedSender<Action>,
) {
    tokio::spawn(async move { run(client, data_dir, log, op, &tx).await });
}

fn finished(tx: &UnboundedSender<Action>, error: String) {
    let _ = tx.send(Action::Merge(MergeEvent::Finished {
        error: Some(error),
        duplicate_deleted: false,
        keep_duplicate: None,
    }));
}

fn steps(run: &MergeRun) -> MergeEvent {
    MergeEvent::Started(
        run.steps
            .iter()
            .map(|s| (s.step.describe(), s.status.clone()))
            .collect(),
    )
}

async fn run(
    client: Option<SyncroClient>,
    data_dir: Option<PathBuf>,
    log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    op: MergeOp,
    tx: &UnboundedSender<Action>,
) {
    let send = |ev: MergeEvent| {
        let _ = tx.send(Action::Merge(ev));
    };
    // Journals only: no request is made.
    match (&op, &data_dir) {
        // Only this account's merges: another profile's IDs are other customers here.
        (MergeOp::Pending, Some(dir)) => {
            let Some(c) = &client else { return };
            return send(MergeEvent::Pending(MergeRun::pending_for(
                dir,
                c.base_url(),
            )));
        }
        (MergeOp::Pending, None) => return,
        (MergeOp::Discard { primary, duplicate }, Some(dir)) => {
            if let Ok(Some(run)) = MergeRun::load(dir, *primary, *duplicate)
                && let Err(e) = run.discard(dir)
            {
                tracing::warn!("could not remove the merge journal: {e}");
            }
            return;
        }
        (MergeOp::Discard { .. }, None) => return,
        _ => {}
    }
    let Some(client) = client else {
        let e = super::no_client().to_string();
        return match op {
            MergeOp::Plan { .. } => send(MergeEvent::Planned(Err(e))),
            _ => finished(tx, e),
        };
    };
    let (read_only, start) = match op {
        MergeOp::Plan { primary, duplicate } => {
            let plan = merge::plan(&client, primary, duplicate)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string());
            return send(MergeEvent::Planned(plan));
        }
        MergeOp::Run { plan, read_only } => (read_only, Ok(plan)),
        MergeOp::Resume {
            primary,
            duplicate,
            read_only,
        } => (read_only, Err((primary, duplicate))),
        // Answered above, from the journals alone.
        MergeOp::Pending | MergeOp::Discard { .. } => return,
    };
    let Some(dir) = data_dir else {
        return finished(tx, "No data directory for the merge journal".into());
    };
    let env = FlowEnv::new(client, read_only, dir).with_change_log(log);
    let begun = match start {
        Ok(plan) => MergeRun::start(&env, &plan),
        Err((p, d)) => MergeRun::load(&env.data_dir, p, d).and_then(|r| {
            r.ok_or_else(|| FlowError::Invalid("No unfinished merge of these customers".into()))
        }),
    };
    let mut run = match begun {
        Ok(r) => r,
        Err(e) => return finished(tx, e.to_string()),
    };
    send(steps(&run));
    let result = merge::execute(&env, &mut run, |p| {
        send(MergeEvent::Progress(p.clone()));
    })
    .await;
    // A re-read can add steps (records found still attached): show the journal as it is now.
    send(steps(&run));
    if let Err(e) = &result {
        tracing::warn!("merge stopped: {e}");
    }
    send(MergeEvent::Finished {
        error: result.err().map(|e| e.to_string()),
        duplicate_deleted: run.duplicate_deleted(),
        keep_duplicate: run.keep_duplicate.clone(),
    });
}
