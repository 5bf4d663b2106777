//! The merge screen end to end: `update` and the worker against the demo server, with a
//! failure injected midway, a resume with `r`, and a check through the API that everything
//! belongs to the primary and the duplicate is gone.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use syncro_tui::api::model::{Customer, Id};
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::app::merge::state::{ContactMergeOp, ContactStage, MergeOp, Stage};
use syncro_tui::app::{Action, App, Cmd, Effect, Mode, fixtures, update};
use syncro_tui::app::{contact_merge, merge};
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};
use syncro_tui::flows::contact_merge::ContactMergeRun;
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

fn contact_stage(app: &App) -> &ContactStage {
    &app.stack
        .contact_merge()
        .expect("contact merge screen")
        .stage
}

fn contact_done(app: &App) -> bool {
    matches!(contact_stage(app), ContactStage::Done { .. })
}

/// A person entered twice at one customer, with a ticket and an asset filed under the second
/// entry: the merge fails at the ticket, is offered again at the next start, resumes with `r`,
/// and ends with everything on the contact that stays and the duplicate marked as left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_merge_fails_midway_resumes_and_ends_on_the_contact_that_stays() {
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
    let customer = find(&customers, "Pinecrest Veterinary Clinic");
    let tickets = c.all_tickets(customer.id).await.unwrap();
    let assets = c.all_assets(customer.id).await.unwrap();
    assert!(!tickets.is_empty() && !assets.is_empty());
    let primary = c
        .all_contacts(Some(customer.id))
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a contact");
    let mut fields = syncro_tui::api::model::Patch::new();
    fields.insert("name".into(), primary.name.clone().unwrap().into());
    fields.insert("email".into(), primary.email.clone().unwrap().into());
    fields.insert("mobile".into(), "555-0199-222".into());
    let duplicate = c.create_contact(customer.id, &fields).await.unwrap();
    c.set_ticket_contact(tickets[0].id, duplicate.id)
        .await
        .unwrap();
    c.set_asset_contact(assets[0].id, duplicate.id)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(server.base_url())), tx).with_drafts(dir.path().into());
    let customers = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let n = customers.len() as u64;
    let mut app = fixtures::app_with((100, 30), customers.clone(), 1, n);

    contact_merge::open(&mut app, customer.id, duplicate.clone(), primary.clone());
    let m = app.stack.contact_merge().unwrap();
    assert_eq!(
        m.left.id, primary.id,
        "the older contact is on the left, staying"
    );
    let fx = update(&mut app, Action::Cmd(Cmd::Open));
    drive(&mut app, &worker, &mut rx, fx, |a| {
        !matches!(contact_stage(a), ContactStage::Planning)
    })
    .await;
    let ContactStage::Plan { plan, .. } = contact_stage(&app) else {
        panic!("{:?}", contact_stage(&app))
    };
    assert_eq!(plan.tickets, vec![tickets[0].id]);
    assert_eq!(plan.assets, vec![assets[0].id]);
    assert!(
        plan.fields.iter().any(|f| f.key == "mobile"),
        "{:?}",
        plan.fields
    );

    server
        .control()
        .fail_next(FaultRule::new(Method::PUT, "/tickets").status(500));
    update(&mut app, Action::Cmd(Cmd::Open));
    let fx = update(
        &mut app,
        Action::ConfirmEdit(tui_input::InputRequest::InsertChar('y')),
    );
    drive(&mut app, &worker, &mut rx, fx, contact_done).await;
    assert!(
        matches!(contact_stage(&app), ContactStage::Done { error: Some(e) } if e.contains("500")),
        "{:?}",
        contact_stage(&app)
    );

    // Started again: the unfinished merge is offered where it stopped, and `r` finishes it.
    drop(app);
    let mut app = fixtures::app_with((100, 30), customers.clone(), 1, n);
    drive(
        &mut app,
        &worker,
        &mut rx,
        vec![Effect::ContactMerge(ContactMergeOp::Pending)],
        |a| a.stack.contact_merge().is_some(),
    )
    .await;
    assert!(
        matches!(contact_stage(&app), ContactStage::Done { error: Some(e) } if e.contains("earlier run")),
        "{:?}",
        contact_stage(&app)
    );
    let fx = update(&mut app, Action::Cmd(Cmd::Refresh));
    drive(&mut app, &worker, &mut rx, fx, contact_done).await;
    assert_eq!(
        contact_stage(&app),
        &ContactStage::Done { error: None },
        "{:?}",
        app.stack.contact_merge().unwrap().steps
    );

    // Through the API: the ticket and the asset name the contact that stays, which has the
    // mobile; the duplicate is marked as left and says where it went.
    let t = c.all_tickets(customer.id).await.unwrap();
    assert_eq!(
        t.iter().find(|x| x.id == tickets[0].id).unwrap().contact_id,
        Some(primary.id)
    );
    let a = c.all_assets(customer.id).await.unwrap();
    assert_eq!(
        a.iter().find(|x| x.id == assets[0].id).unwrap().contact_id,
        Some(primary.id)
    );
    let kept = c.get_contact(primary.id).await.unwrap();
    assert_eq!(kept.mobile.as_deref(), Some("555-0199-222"));
    assert_eq!(
        kept.name, primary.name,
        "the name is sent with the copy and kept"
    );
    let gone = c.get_contact(duplicate.id).await.unwrap();
    assert!(
        gone.title().unwrap_or_default().starts_with("(left)"),
        "{gone:?}"
    );
    assert!(gone.notes.unwrap_or_default().contains(&format!(
        "Merged into {} (#{})",
        primary.name.unwrap(),
        primary.id
    )));
    assert!(
        ContactMergeRun::pending(dir.path(), &server.base_url()).is_empty(),
        "the journal goes when the merge is done"
    );
    server.shutdown().await;
}
