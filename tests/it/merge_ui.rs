//! The merge screen end to end: `update` and the worker against the demo server, with a
//! failure injected midway, a resume with `r`, and a check through the API that everything
//! belongs to the primary and the duplicate is gone.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use syncro_tui::api::model::{Customer, Id};
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::app::merge;
use syncro_tui::app::merge::state::{MergeOp, Stage};
use syncro_tui::app::{Action, App, Cmd, Effect, Mode, fixtures, update};
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};
use syncro_tui::flows::merge::StepStatus;
use syncro_tui::worker::Worker;
use tokio::sync::mpsc;

use super::tui::drive;

/// One attempt per request, so the injected 500 reaches the merge instead of being retried.
fn client(base_url: String) -> SyncroClient {
    let mut cfg = ClientConfig::new(base_url, SecretString::from("demo".to_string()));
    cfg.requests_per_minute = 0;
    cfg.max_attempts = 1;
    cfg.total_timeout = Duration::from_secs(5);
    SyncroClient::new(cfg).unwrap()
}

fn find(customers: &[Customer], name: &str) -> Customer {
    customers
        .iter()
        .find(|c| c.display_name() == name)
        .unwrap_or_else(|| panic!("{name} not in the demo data"))
        .clone()
}

async fn attached(c: &SyncroClient, id: Id) -> BTreeSet<(char, Id)> {
    let mut out = BTreeSet::new();
    out.extend(
        c.all_contacts(Some(id))
            .await
            .unwrap()
            .iter()
            .map(|x| ('c', x.id)),
    );
    out.extend(c.all_tickets(id).await.unwrap().iter().map(|x| ('t', x.id)));
    out.extend(c.all_assets(id).await.unwrap().iter().map(|x| ('a', x.id)));
    out
}

fn stage(app: &App) -> &Stage {
    &app.stack.merge().expect("merge screen").stage
}

fn done(app: &App) -> bool {
    matches!(stage(app), Stage::Done { .. })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_fails_midway_resumes_with_r_and_everything_ends_on_the_primary() {
    let server = DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            customers: 22,
            rate_limit: None,
            ..DemoConfig::default()
        },
    )
    .await
    .unwrap();
    let c = client(server.base_url());
    let customers = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let primary = find(&customers, "Acme Dental LLC");
    let duplicate = find(&customers, "ACME Dental");
    // Tickets under the duplicate, so that the failure hits the middle of the run.
    let other = find(&customers, "Pinecrest Veterinary Clinic");
    for t in c.all_tickets(other.id).await.unwrap() {
        c.set_ticket_customer(t.id, duplicate.id).await.unwrap();
    }
    let before: BTreeSet<(char, Id)> = attached(&c, primary.id)
        .await
        .union(&attached(&c, duplicate.id).await)
        .copied()
        .collect();
    assert!(before.iter().any(|(k, _)| *k == 't'));

    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(server.base_url())), tx).with_drafts(dir.path().into());
    let n = customers.len() as u64;
    let mut app = fixtures::app_with((100, 30), customers.clone(), 1, n);

    // The screen, the primary on the left, the plan from the worker.
    merge::open_with(&mut app, primary.clone(), duplicate.clone());
    assert_eq!(app.mode(), Mode::Merge);
    update(&mut app, Action::Cmd(Cmd::FocusPrev));
    let fx = update(&mut app, Action::Cmd(Cmd::Open));
    drive(&mut app, &worker, &mut rx, fx, |a| {
        matches!(stage(a), Stage::Plan { .. } | Stage::Done { .. })
    })
    .await;
    let Stage::Plan { plan, .. } = stage(&app) else {
        panic!("{:?}", stage(&app))
    };
    assert_eq!(plan.primary.id, primary.id);
    assert_eq!(plan.duplicate.id, duplicate.id);
    assert!(!plan.tickets.is_empty());

    // Confirm and run; the first ticket move fails.
    server
        .control()
        .fail_next(FaultRule::new(Method::PUT, "/tickets").status(500));
    update(&mut app, Action::Cmd(Cmd::Open));
    assert_eq!(app.mode(), Mode::Dialog, "Merge now? is asked first");
    let fx = update(
        &mut app,
        Action::ConfirmEdit(tui_input::InputRequest::InsertChar('y')),
    );
    assert_eq!(fx.len(), 1);
    drive(&mut app, &worker, &mut rx, fx, done).await;
    let m = app.stack.merge().unwrap();
    assert!(
        matches!(&m.stage, Stage::Done { error: Some(e), .. } if e.contains("500")),
        "{:?}",
        m.stage
    );
    assert!(
        m.steps
            .iter()
            .any(|s| matches!(s.status, StepStatus::Failed { .. }))
    );
    assert!(m.steps.iter().any(|s| s.status == StepStatus::Pending));
    assert!(
        c.get_customer(duplicate.id).await.is_ok(),
        "not deleted yet"
    );

    // The app is closed and started again: the unfinished merge is offered where it stopped.
    drop(app);
    let mut app = fixtures::app_with((100, 30), customers.clone(), 1, n);
    drive(
        &mut app,
        &worker,
        &mut rx,
        vec![Effect::Merge(MergeOp::Pending)],
        |a| a.stack.merge().is_some(),
    )
    .await;
    assert_eq!(app.mode(), Mode::Merge);
    let m = app.stack.merge().unwrap();
    assert_eq!(m.chosen, Some((primary.id, duplicate.id)));
    assert!(
        matches!(&m.stage, Stage::Done { error: Some(e), .. }
            if e.contains("earlier run") && e.contains("500")),
        "{:?}",
        m.stage
    );
    assert!(
        m.steps
            .iter()
            .any(|s| matches!(s.status, StepStatus::Failed { .. }))
    );

    // r resumes from the journal and finishes.
    let fx = update(&mut app, Action::Cmd(Cmd::Refresh));
    assert_eq!(fx.len(), 1);
    drive(&mut app, &worker, &mut rx, fx, done).await;
    let m = app.stack.merge().unwrap();
    assert!(
        matches!(
            &m.stage,
            Stage::Done {
                error: None,
                duplicate_deleted: true,
                ..
            }
        ),
        "{:?}",
        m.stage
    );
    assert!(m.steps.iter().all(|s| s.status.is_finished()));

    // Through the API: everything on the primary, nothing lost, the duplicate gone.
    assert_eq!(attached(&c, primary.id).await, before);
    assert!(c.get_customer(duplicate.id).await.is_err());
    let log = std::fs::read_to_string(dir.path().join("merge-log.jsonl")).unwrap();
    assert!(log.contains(&duplicate.id.to_string()));
    // Finished merges are not offered again.
    worker.spawn(Effect::Merge(MergeOp::Pending));
    let left = loop {
        // Other answers (the list read again after the merge) may come first.
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Action::Merge(merge::state::MergeEvent::Pending(left)))) => break left,
            Ok(Some(_)) => {}
            other => panic!("no answer to Pending: {other:?}"),
        }
    };
    assert!(left.is_empty(), "{left:?}");
    server.shutdown().await;
}
