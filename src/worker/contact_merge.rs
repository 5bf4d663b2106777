//! Contact merges on a worker task: the plan (reads only), then the steps one by one, each
//! reported as it finishes; the journal makes a resume pick up at the failed step.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::SyncroClient;
use crate::app::Action;
use crate::app::merge::state::{ContactMergeEvent, ContactMergeOp};
use crate::flows::contact_merge::{self, ContactMergeRun};
use crate::flows::{FlowEnv, FlowError};

/// Runs `op` on its own task; the reports arrive as `Action::ContactMerge`.
pub(super) fn spawn(
    client: Option<SyncroClient>,
    data_dir: Option<PathBuf>,
    log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    op: ContactMergeOp,
    tx: UnboundedSender<Action>,
) {
    tokio::spawn(async move { run(client, data_dir, log, op, &tx).await });
}

async fn run(
    client: Option<SyncroClient>,
    data_dir: Option<PathBuf>,
    log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    op: ContactMergeOp,
    tx: &UnboundedSender<Action>,
) {
    let send = |ev: ContactMergeEvent| {
        let _ = tx.send(Action::ContactMerge(ev));
    };
    let finished = |e: String| send(ContactMergeEvent::Finished { error: Some(e) });
    if op == ContactMergeOp::Pending {
        // Only this account's merges: another profile's IDs are other contacts here.
        if let (Some(dir), Some(c)) = (&data_dir, &client) {
            send(ContactMergeEvent::Pending(ContactMergeRun::pending(
                dir,
                c.base_url(),
            )));
        }
        return;
    }
    if let ContactMergeOp::Discard { primary, duplicate } = op {
        if let Some(dir) = &data_dir
            && let Err(e) = ContactMergeRun::discard(dir, primary, duplicate)
        {
            tracing::warn!("could not remove the contact merge journal: {e}");
        }
        return;
    }
    let Some(client) = client else {
        let e = super::no_client().to_string();
        return match op {
            ContactMergeOp::Plan { .. } => send(ContactMergeEvent::Planned(Err(e))),
            _ => finished(e),
        };
    };
    let (read_only, start) = match op {
        ContactMergeOp::Plan {
            customer_id,
            primary,
            duplicate,
        } => {
            let plan = contact_merge::plan(&client, customer_id, primary, duplicate)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string());
            return send(ContactMergeEvent::Planned(plan));
        }
        ContactMergeOp::Run { plan, read_only } => (read_only, Ok(plan)),
        ContactMergeOp::Resume {
            primary,
            duplicate,
            read_only,
        } => (read_only, Err((primary, duplicate))),
        ContactMergeOp::Discard { .. } | ContactMergeOp::Pending => return,
    };
    let Some(dir) = data_dir else {
        return finished("No data directory for the merge journal".into());
    };
    let env = FlowEnv::new(client, read_only, dir).with_change_log(log);
    let begun = match start {
        Ok(plan) => ContactMergeRun::start(*plan, &env),
        Err((p, d)) => ContactMergeRun::load(&env.data_dir, p, d).and_then(|r| {
            r.ok_or_else(|| FlowError::Invalid("No unfinished merge of these contacts".into()))
        }),
    };
    let mut run = match begun {
        Ok(r) => r,
        Err(e) => return finished(e.to_string()),
    };
    send(ContactMergeEvent::Started(
        run.steps
            .iter()
            .map(|s| (s.step.describe(&run.plan), s.status.clone()))
            .collect(),
    ));
    let result = run
        .execute(&env, |number, record, text| {
            send(ContactMergeEvent::Progress {
                number,
                text,
                status: record.status.clone(),
            });
        })
        .await;
    if let Err(e) = &result {
        tracing::warn!("contact merge stopped: {e}");
    }
    send(ContactMergeEvent::Finished {
        error: result.err().map(|e| e.to_string()),
    });
}
