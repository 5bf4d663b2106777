//! Onboardings on a worker task: the server's duplicate check, and the creates one by one,
//! each reported to the app as it finishes. The journal in the data directory makes a resume
//! pick up at the failed step without creating anything twice.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::SyncroClient;
use crate::app::Action;
use crate::app::onboard::state::{OnboardEvent, OnboardOp, StepState, step_states};
use crate::flows::onboard::{self, OnboardRun};
use crate::flows::{FlowEnv, FlowError};
use crate::followup::FollowupStore;

/// Runs `op` on its own task (file work on a blocking one); the reports arrive as
/// `Action::Onboard`.
pub(super) fn spawn(
    client: Option<SyncroClient>,
    data_dir: Option<PathBuf>,
    log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    followups: Option<std::sync::Arc<FollowupStore>>,
    op: OnboardOp,
    tx: UnboundedSender<Action>,
) {
    tokio::spawn(async move { run(client, data_dir, log, followups, op, &tx).await });
}

async fn run(
    client: Option<SyncroClient>,
    data_dir: Option<PathBuf>,
    log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    followups: Option<std::sync::Arc<FollowupStore>>,
    op: OnboardOp,
    tx: &UnboundedSender<Action>,
) {
    let send = |ev: OnboardEvent| {
        let _ = tx.send(Action::Onboard(ev));
    };
    let stop = |error: String, steps: Vec<StepState>| {
        send(OnboardEvent::Finished {
            error: Some(error),
            steps,
            customer: None,
        })
    };
    match op {
        OnboardOp::LoadPending => {
            let data_dir_of_draft = data_dir.clone();
            // Only this account's runs: another profile's IDs mean nothing here.
            if let (Some(dir), Some(c)) = (data_dir, &client) {
                let server = c.base_url().to_string();
                let runs =
                    tokio::task::spawn_blocking(move || OnboardRun::pending_for(&dir, &server))
                        .await
                        .unwrap_or_default();
                send(OnboardEvent::Pending(runs));
            }
            if let Some(dir) = data_dir_of_draft {
                let draft = tokio::task::spawn_blocking(move || onboard::load_draft(&dir))
                    .await
                    .ok()
                    .flatten();
                if let Some(onb) = draft {
                    send(OnboardEvent::Draft(Box::new(onb)));
                }
            }
        }
        OnboardOp::RemoveDraft => {
            if let Some(dir) = data_dir
                && let Err(e) = onboard::remove_draft(&dir)
            {
                tracing::warn!("could not remove the onboarding draft: {e}");
            }
        }
        OnboardOp::Discard { id } => {
            let Some(dir) = data_dir else { return };
            let result = match OnboardRun::load(&dir, &id) {
                Ok(Some(run)) => run.discard(&dir).map_err(|e| e.to_string()),
                Ok(None) => Ok(()),
                Err(e) => Err(e.to_string()),
            };
            send(OnboardEvent::Discarded(result));
        }
        OnboardOp::CheckDuplicates { token, onboarding } => {
            let result = match &client {
                Some(c) => onboard::check_duplicates(c, &onboarding)
                    .await
                    .map_err(|e| e.to_string()),
                None => Err(super::no_client().to_string()),
            };
            send(OnboardEvent::Duplicates { token, result });
        }
        OnboardOp::Start {
            onboarding,
            read_only,
        } => {
            let (Some(client), Some(dir)) = (client, data_dir) else {
                return stop(unavailable(), Vec::new());
            };
            let env = FlowEnv::new(client, read_only, dir).with_change_log(log.clone());
            match OnboardRun::start(&env, *onboarding) {
                Ok(run) => {
                    // The journal holds the data now; a draft of it would be offered twice.
                    if let Err(e) = onboard::remove_draft(&env.data_dir) {
                        tracing::warn!("could not remove the onboarding draft: {e}");
                    }
                    execute(&env, run, followups.as_deref(), tx).await
                }
                Err(e) => stop(e.to_string(), Vec::new()),
            }
        }
        OnboardOp::Resume {
            id,
            onboarding,
            read_only,
        } => {
            // The journal must belong to this account (checked again, the app may have
            // switched profiles since the offer).
            let (Some(client), Some(dir)) = (client, data_dir) else {
                return stop(unavailable(), Vec::new());
            };
            let env = FlowEnv::new(client, read_only, dir).with_change_log(log.clone());
            let mut run = match OnboardRun::load(&env.data_dir, &id) {
                Ok(Some(run)) if !run.server.is_empty() && run.server != env.client.base_url() => {
                    return stop(
                        format!(
                            "This onboarding was started on {}, not on the server in use; switch to that profile to resume it",
                            run.server
                        ),
                        step_states(&run),
                    );
                }
                Ok(Some(run)) => run,
                Ok(None) => {
                    return stop(
                        "The onboarding's journal is gone (finished or forgotten elsewhere)".into(),
                        Vec::new(),
                    );
                }
                Err(e) => return stop(e.to_string(), Vec::new()),
            };
            if let Some(onb) = onboarding {
                // Corrected data for the steps that created nothing; refused for the others.
                let replaced = run
                    .replace_onboarding(*onb)
                    .and_then(|()| run.save(&env.data_dir));
                if let Err(e) = replaced {
                    return stop(e.to_string(), step_states(&run));
                }
            }
            execute(&env, run, followups.as_deref(), tx).await;
        }
    }
}

fn unavailable() -> String {
    "No API client or data directory: the onboarding cannot run".into()
}

/// Runs every remaining step, reporting each; then reads the new customer back.
async fn execute(
    env: &FlowEnv,
    mut run: OnboardRun,
    followups: Option<&FollowupStore>,
    tx: &UnboundedSender<Action>,
) {
    let send = |ev: OnboardEvent| {
        let _ = tx.send(Action::Onboard(ev));
    };
    send(OnboardEvent::Started {
        id: run.id.clone(),
        steps: step_states(&run),
    });
    let error: Option<FlowError> = loop {
        match run.next_step(env).await {
            Ok(Some(p)) => send(OnboardEvent::Progress(p)),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    if let Some(e) = error {
        tracing::warn!("onboarding stopped: {e}");
        return send(OnboardEvent::Finished {
            error: Some(e.to_string()),
            steps: step_states(&run),
            customer: None,
        });
    }
    // Everything exists: the follow-ups (agent, inventory, contract, billing) stay with the
    // customer until done. Written before anything else is asked of the server, so a quit or
    // a crash from here on still leaves the checklist.
    if let (Some(store), Some(id)) = (followups, run.customer_id()) {
        let (store, name) = (store.clone(), run.onboarding.customer_name());
        let started = tokio::task::spawn_blocking(move || store.start(id, &name)).await;
        if let Ok(Err(e)) | Err(e) = started.map_err(std::io::Error::other) {
            tracing::warn!("could not write the onboarding follow-ups: {e}");
            let _ = tx.send(Action::Notice {
                text: format!("Onboarded, but the follow-up checklist could not be written: {e}"),
                error: true,
            });
        }
    }
    // Read back with its contacts, for the list and the mirror; the onboarding succeeded even
    // when this read fails (the list then catches up on the next refresh).
    let customer = match run.customer_id() {
        Some(id) => match env.client.get_customer(id).await {
            Ok(c) => Some(Box::new(c)),
            Err(e) => {
                tracing::warn!("reading the new customer back failed: {e}");
                None
            }
        },
        None => None,
    };
    tracing::info!(customer = ?run.customer_id(), "onboarding finished");
    send(OnboardEvent::Finished {
        error: None,
        steps: step_states(&run),
        customer,
    });
}
