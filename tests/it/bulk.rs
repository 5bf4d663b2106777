//! Bulk edits, the change log and undo, end to end against the demo server on 127.0.0.1 with
//! its rate limit on (a 1 s window so that a run of 300 records takes seconds, not minutes),
//! faults injected with the demo's control, and writes counted per record at the server.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use syncro_tui::api::model::{Contact, Customer, Id, Patch};
use syncro_tui::api::{ApiError, ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::changelog::{self, Action, ChangeKind, ChangeLog, Entry, same_value};
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};
use syncro_tui::domain::customer_type;
use syncro_tui::flows::bulk::{BulkChange, BulkPlan, BulkRun, ItemStatus, Pace};
use syncro_tui::flows::undo::{self, Consent, UndoDecision, UndoOutcome};
use syncro_tui::flows::{FlowEnv, FlowError};
use syncro_tui::roles::{ContactRole, Title};

const TYPE: &str = "Customer Type";
/// The demo's window, scaled down from Syncro's minute.
const WINDOW: Duration = Duration::from_secs(1);
/// Requests per window at the server (Syncro: 180 a minute).
const RATE: u32 = 240;

async fn demo(customers: usize) -> DemoServer {
    DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            customers,
            rate_limit: Some(RATE),
            rate_window: WINDOW,
            ..DemoConfig::default()
        },
    )
    .await
    .unwrap()
}

/// The server's rate over a slightly longer window (as the real client keeps 61 s for 60),
/// two attempts per request, short waits.
fn client(base_url: String) -> SyncroClient {
    let mut cfg = ClientConfig::new(base_url, SecretString::from("demo".to_string()));
    cfg.requests_per_minute = RATE;
    cfg.rate_window = WINDOW + Duration::from_millis(100);
    cfg.max_attempts = 2;
    cfg.backoff_base = Duration::from_millis(10);
    cfg.backoff_cap = Duration::from_millis(50);
    cfg.rate_limit_wait = Duration::from_secs(1);
    cfg.total_timeout = Duration::from_secs(10);
    cfg.connect_timeout = Duration::from_secs(2);
    SyncroClient::new(cfg).unwrap()
}

fn env(server: &DemoServer, dir: &tempfile::TempDir, read_only: bool) -> FlowEnv {
    FlowEnv::new(client(server.base_url()), read_only, dir.path())
}

fn type_change(value: &str) -> BulkChange {
    BulkChange::CustomerType {
        property: TYPE.into(),
        value: value.into(),
    }
}

/// Business customers not of type `not`, as the app holds them.
async fn business_customers(c: &SyncroClient, not: &str, n: usize) -> Vec<Customer> {
    let all = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let picked: Vec<Customer> = all
        .into_iter()
        .filter(|c| {
            c.business_name
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty())
                && customer_type(c, TYPE) != not
        })
        .take(n)
        .collect();
    assert_eq!(
        picked.len(),
        n,
        "not enough business customers in the demo data"
    );
    picked
}

/// The customers `ids` as the server has them now.
async fn current(c: &SyncroClient, ids: &[Id]) -> BTreeMap<Id, Customer> {
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(50) {
        let q = CustomerQuery {
            ids: chunk.to_vec(),
            include_disabled: true,
            ..Default::default()
        };
        for cust in c.all_customers(&q).await.unwrap() {
            out.insert(cust.id, cust);
        }
    }
    assert_eq!(out.len(), ids.len());
    out
}

fn applied_puts(server: &DemoServer, what: &str, id: Id) -> u64 {
    server
        .control()
        .stats()
        .applied
        .get(&format!("PUT /{what}/{id}"))
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_bulk_type_change_of_300_customers_survives_a_429_a_500_and_a_quit_and_undoes() {
    let server = demo(700).await;
    let control = server.control();
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let log = ChangeLog::open(dir.path(), "acme");
    let targets = business_customers(&env.client, "Government", 300).await;
    let ids: Vec<Id> = targets.iter().map(|c| c.id).collect();

    let plan = BulkPlan::for_customers(type_change("Government"), &targets).unwrap();
    assert_eq!(plan.to_write(), 300);
    assert_eq!(plan.requests(), 306, "300 PUTs and 6 batched checks");
    for (row, c) in plan.preview().iter().zip(&targets) {
        assert_eq!(row.old, customer_type(c, TYPE));
        assert_eq!(row.new, "Government");
    }
    control.reset_stats();
    let mut run = BulkRun::start(&env, plan).unwrap();
    let id = run.id.clone();
    assert_eq!(control.stats().total, 0, "the journal is written first");
    assert_eq!(BulkRun::pending(dir.path(), &server.base_url()).len(), 1);

    // A 429 (the client waits it out) and then a 500 that outlasts the client's two attempts.
    control.fail_next(
        FaultRule::new(Method::PUT, "/customers")
            .status(429)
            .text("Retry later")
            .retry_after(1)
            .after(40),
    );
    control.fail_next(
        FaultRule::new(Method::PUT, "/customers")
            .status(500)
            .times(2)
            .after(60),
    );
    let err = run.execute(&env, &log, |_| {}).await.unwrap_err();
    let failed_at = match &err {
        FlowError::Step { number, source, .. } => {
            assert_eq!(source.status(), Some(500), "{source:?}");
            *number
        }
        other => panic!("{other:?}"),
    };
    assert!((90..=110).contains(&failed_at), "failed at {failed_at}");
    assert!(control.stats().rate_limited >= 1);
    assert_eq!(run.counts().done, failed_at - 1);
    assert!(matches!(
        run.items[failed_at - 1].status,
        ItemStatus::Failed { .. }
    ));

    // The app restarts from the journal and is quit again midway, a write in flight.
    drop(run);
    let mut run = BulkRun::load(dir.path(), &id).unwrap().unwrap();
    control.set_latency(Duration::from_millis(20));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut seen = 0;
    tokio::select! {
        r = run.execute(&env, &log, |_| {
            seen += 1;
            if seen == 60 {
                let _ = tx.send(());
            }
        }) => panic!("finished before the quit: {r:?}"),
        _ = rx.recv() => {}
    }
    drop(run);
    control.set_latency(Duration::ZERO);
    // A restart takes longer than the server needs to finish what was in flight.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut run = BulkRun::load(dir.path(), &id).unwrap().unwrap();
    assert!(run.counts().done >= failed_at - 1 + 59);
    // The record whose PUT was in flight at the quit: started, not known to be done.
    let interrupted: Vec<Id> = run
        .items
        .iter()
        .filter(|i| i.attempts > 0 && !i.status.is_finished())
        .map(|i| i.id)
        .collect();
    assert_eq!(interrupted.len(), 1, "{interrupted:?}");
    let counts = run.execute(&env, &log, |_| {}).await.unwrap();
    assert_eq!(counts.done, 300, "{counts:?}");
    assert!(BulkRun::pending(dir.path(), &server.base_url()).is_empty());
    assert!(BulkRun::load(dir.path(), &id).unwrap().is_none());

    // Every record has the new value, none was written twice, the log lists each write once.
    let now = current(&env.client, &ids).await;
    for c in now.values() {
        assert_eq!(customer_type(c, TYPE), "Government", "#{}", c.id);
        assert_eq!(applied_puts(&server, "customers", c.id), 1, "#{}", c.id);
    }
    let stats = control.stats();
    let received: u64 = stats
        .by_path
        .iter()
        .filter(|(k, _)| k.starts_with("PUT /customers/"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        received >= 303,
        "the refused attempts reached the server: {received}"
    );
    let entries = log.group(&id).unwrap();
    assert_eq!(entries.len(), 300);
    let logged: HashSet<Id> = entries.iter().map(|e| e.record.id).collect();
    assert_eq!(logged, ids.iter().copied().collect::<HashSet<Id>>());
    for (e, c) in entries.iter().zip(
        entries
            .iter()
            .map(|e| targets.iter().find(|t| t.id == e.record.id).unwrap()),
    ) {
        assert_eq!(e.kind, ChangeKind::Bulk);
        assert_eq!(e.server, server.base_url());
        assert_eq!(e.fields.len(), 1);
        assert_eq!(e.fields[0].field, "properties.Customer Type");
        assert!(same_value(
            "x",
            &e.fields[0].before,
            &c.properties.get(TYPE).cloned().unwrap_or(Value::Null)
        ));
        assert_eq!(e.fields[0].after, json!("Government"));
    }

    // Undo of the whole edit: every old value back.
    let decision = undo::decide_group(&env, &log, &id).await.unwrap();
    assert_eq!(decision.counts().apply, 300, "{:?}", decision.counts());
    let done = undo::undo_group(&env, &log, &id, Consent::default(), |_| {})
        .await
        .unwrap();
    assert_eq!(done.len(), 300);
    assert!(
        done.iter()
            .all(|p| matches!(p.outcome, UndoOutcome::Undone(_)))
    );
    let now = current(&env.client, &ids).await;
    for before in &targets {
        let after = &now[&before.id];
        assert_eq!(customer_type(after, TYPE), customer_type(before, TYPE));
        assert_eq!(after.properties.get(TYPE), before.properties.get(TYPE));
        assert_eq!(after.business_name, before.business_name);
    }
    // Undone once: asking again says so.
    let again = undo::decide_group(&env, &log, &id).await.unwrap();
    assert!(
        again
            .items
            .iter()
            .all(|i| matches!(i.decision, UndoDecision::AlreadyUndone { .. }))
    );
    assert_eq!(
        log.read(1000)
            .unwrap()
            .iter()
            .filter(|e| e.kind == ChangeKind::Undo)
            .count(),
        300
    );
    server.shutdown().await;
}

fn set_type(c: &Customer, value: &str) -> Patch {
    let mut props = c.properties.to_map();
    props.insert(TYPE.into(), json!(value));
    let mut p = Patch::new();
    p.insert("properties".into(), Value::Object(props));
    p
}

#[tokio::test]
async fn a_record_changed_on_the_server_is_reported_not_overwritten_nor_undone_blindly() {
    let server = demo(60).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let log = ChangeLog::open(dir.path(), "acme");
    let targets = business_customers(&env.client, "Government", 5).await;
    let plan = BulkPlan::for_customers(type_change("Government"), &targets).unwrap();
    assert_eq!(plan.to_write(), 5);

    // A colleague changes two of them after the app read them.
    let colleague = client(server.base_url());
    colleague
        .update_customer(targets[2].id, &set_type(&targets[2], "Non-Profit"))
        .await
        .unwrap();
    colleague
        .update_customer(targets[3].id, &set_type(&targets[3], "Government"))
        .await
        .unwrap();
    server.control().reset_stats();

    let mut run = BulkRun::start(&env, plan).unwrap();
    run.pace = Pace::Burst;
    let counts = run.execute(&env, &log, |_| {}).await.unwrap();
    assert_eq!(
        (counts.done, counts.conflicts, counts.skipped),
        (3, 1, 1),
        "{counts:?}"
    );
    match &run.items[2].status {
        ItemStatus::Conflict { theirs, .. } => {
            assert_eq!(theirs["properties.Customer Type"], json!("Non-Profit"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(run.conflicts().len(), 1);
    assert_eq!(applied_puts(&server, "customers", targets[2].id), 0);
    assert_eq!(applied_puts(&server, "customers", targets[3].id), 0);
    let by_route = server.control().stats().by_route;
    assert_eq!(by_route.get("GET /customers"), Some(&1), "one check read");
    assert_eq!(by_route.get("PUT /customers/{id}"), Some(&3));
    let now = current(&env.client, &[targets[2].id]).await;
    assert_eq!(customer_type(&now[&targets[2].id], TYPE), "Non-Profit");
    assert_eq!(log.group(&run.id).unwrap().len(), 3);

    // Undo: unchanged records are written back, the one a colleague changed since is a
    // conflict with both values.
    colleague
        .update_customer(targets[1].id, &set_type(&targets[1], "Non-Profit"))
        .await
        .unwrap();
    let g = undo::decide_group(&env, &log, &run.id).await.unwrap();
    assert_eq!((g.counts().apply, g.counts().conflicts), (2, 1));
    let conflict = g.conflicts()[0];
    assert_eq!(conflict.entry.record.id, targets[1].id);
    match &conflict.decision {
        UndoDecision::Conflict { ours, theirs, .. } => {
            let old = targets[1]
                .properties
                .get(TYPE)
                .cloned()
                .unwrap_or(Value::Null);
            assert_eq!(ours["properties.Customer Type"], old);
            assert_eq!(theirs["properties.Customer Type"], json!("Non-Profit"));
        }
        other => panic!("{other:?}"),
    }
    let out = undo::undo_group(&env, &log, &run.id, Consent::default(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        out.iter()
            .filter(|p| matches!(p.outcome, UndoOutcome::Undone(_)))
            .count(),
        2
    );
    let now = current(&env.client, &[targets[0].id, targets[1].id]).await;
    assert_eq!(
        now[&targets[0].id].properties.get(TYPE),
        targets[0].properties.get(TYPE)
    );
    assert_eq!(customer_type(&now[&targets[1].id], TYPE), "Non-Profit");

    // The technician chose to overwrite the conflict: this one record, by itself.
    let entry = conflict.entry.clone();
    let asked = undo::undo(&env, &log, &entry, Consent::default())
        .await
        .unwrap();
    assert!(matches!(
        asked,
        UndoOutcome::NotDone(UndoDecision::Conflict { .. })
    ));
    let forced = undo::undo(
        &env,
        &log,
        &entry,
        Consent {
            overwrite: true,
            ..Consent::default()
        },
    )
    .await
    .unwrap();
    let UndoOutcome::Undone(u) = forced else {
        panic!("{forced:?}")
    };
    assert_eq!(u.undoes.as_deref(), Some(entry.id.as_str()));
    let now = current(&env.client, &[targets[1].id]).await;
    assert_eq!(
        now[&targets[1].id].properties.get(TYPE),
        targets[1].properties.get(TYPE)
    );
    assert!(matches!(
        undo::decide(&env, &log, &entry).await.unwrap(),
        UndoDecision::AlreadyUndone { .. }
    ));
    server.shutdown().await;
}

/// Contacts of three customers that have at least two each, as the app holds them.
async fn contacts_of_three(c: &SyncroClient) -> (Vec<Customer>, Vec<Contact>) {
    let all = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let owners: Vec<Customer> = all
        .into_iter()
        .filter(|c| c.contacts.len() >= 2)
        .take(4)
        .collect();
    assert_eq!(owners.len(), 4);
    let contacts = owners[..3]
        .iter()
        .flat_map(|o| o.contacts.iter().take(2).cloned())
        .map(|mut ct| {
            ct.customer_id = ct.customer_id.or(Some(0));
            ct
        })
        .collect();
    (owners, contacts)
}

async fn contact_now(c: &SyncroClient, id: Id) -> Contact {
    c.get_contact(id).await.unwrap()
}

#[tokio::test]
async fn bulk_role_add_move_and_retire_over_contacts_of_several_customers() {
    let server = demo(80).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let log = ChangeLog::open(dir.path(), "acme");
    let (owners, contacts) = contacts_of_three(&env.client).await;
    assert!(
        contacts
            .iter()
            .all(|c| c.customer_id.is_some_and(|id| id > 0))
    );

    // Add the billing role: the rest of every title stays.
    let plan = BulkPlan::for_contacts(
        BulkChange::AddRole {
            role: ContactRole::Billing,
        },
        &contacts,
    )
    .unwrap();
    let writes = plan.to_write();
    assert!(writes >= 4, "{:?}", plan.preview());
    server.control().reset_stats();
    let mut run = BulkRun::start(&env, plan).unwrap();
    let counts = run.execute(&env, &log, |_| {}).await.unwrap();
    assert_eq!(counts.done, writes);
    let by_route = server.control().stats().by_route;
    assert_eq!(
        by_route.get("GET /customers"),
        Some(&1),
        "the three customers' embedded contacts, in one read: {by_route:?}"
    );
    assert_eq!(by_route.get("GET /contacts/{id}"), None);
    for before in &contacts {
        let now = contact_now(&env.client, before.id).await;
        let (b, a) = (
            Title::read(&before.title().unwrap_or_default()),
            Title::read(&now.title().unwrap_or_default()),
        );
        assert!(a.has(ContactRole::Billing), "{:?}", now.title());
        assert_eq!((a.job, a.retired), (b.job, b.retired));
        assert_eq!(now.name, before.name);
        assert!(applied_puts(&server, "contacts", before.id) <= 1);
    }
    assert_eq!(log.group(&run.id).unwrap().len(), writes);

    // Move the first customer's two contacts to the fourth customer, then undo the move.
    let moved: Vec<Contact> = {
        let mut v = Vec::new();
        for c in &contacts[..2] {
            v.push(contact_now(&env.client, c.id).await);
        }
        v
    };
    let target = &owners[3];
    let plan = BulkPlan::for_contacts(
        BulkChange::MoveTo {
            customer_id: target.id,
            label: target.display_name(),
        },
        &moved,
    )
    .unwrap();
    assert_eq!(plan.to_write(), 2);
    let mut run = BulkRun::start(&env, plan).unwrap();
    run.execute(&env, &log, |_| {}).await.unwrap();
    let on_target = env.client.get_customer(target.id).await.unwrap();
    for c in &moved {
        assert_eq!(
            contact_now(&env.client, c.id).await.customer_id,
            Some(target.id)
        );
        assert!(on_target.contacts.iter().any(|x| x.id == c.id));
    }
    let entries = log.group(&run.id).unwrap();
    assert!(entries.iter().all(|e| e.fields[0].field == "customer_id"));
    let out = undo::undo_group(&env, &log, &run.id, Consent::default(), |_| {})
        .await
        .unwrap();
    assert!(
        out.iter()
            .all(|p| matches!(p.outcome, UndoOutcome::Undone(_)))
    );
    for c in &moved {
        assert_eq!(
            contact_now(&env.client, c.id).await.customer_id,
            c.customer_id
        );
    }

    // Retire all six, then reinstate them: the titles come back as they were.
    let mut fresh = Vec::new();
    for c in &contacts {
        fresh.push(contact_now(&env.client, c.id).await);
    }
    let mut run = BulkRun::start(
        &env,
        BulkPlan::for_contacts(BulkChange::Retire, &fresh).unwrap(),
    )
    .unwrap();
    run.execute(&env, &log, |_| {}).await.unwrap();
    let mut retired = Vec::new();
    for c in &fresh {
        let now = contact_now(&env.client, c.id).await;
        assert!(Title::read(&now.title().unwrap_or_default()).retired);
        assert!(now.title().unwrap_or_default().starts_with("(left) "));
        retired.push(now);
    }
    let mut run = BulkRun::start(
        &env,
        BulkPlan::for_contacts(BulkChange::Reinstate, &retired).unwrap(),
    )
    .unwrap();
    let counts = run.execute(&env, &log, |_| {}).await.unwrap();
    assert_eq!(counts.done, 6);
    for c in &fresh {
        assert_eq!(contact_now(&env.client, c.id).await.title(), c.title());
    }
    let kinds: HashSet<ChangeKind> = log.read(100).unwrap().iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&ChangeKind::Bulk) && kinds.contains(&ChangeKind::Undo));
    server.shutdown().await;
}

#[tokio::test]
async fn read_only_refuses_before_anything_is_sent() {
    let server = demo(30).await;
    let dir = tempfile::tempdir().unwrap();
    let writable = env(&server, &dir, false);
    let targets = business_customers(&writable.client, "Government", 3).await;
    let plan = BulkPlan::for_customers(type_change("Government"), &targets).unwrap();
    let mut run = BulkRun::start(&writable, plan.clone()).unwrap();
    server.control().reset_stats();

    let ro = env(&server, &dir, true);
    let log = ChangeLog::open(dir.path(), "acme");
    assert!(matches!(
        BulkRun::start(&ro, plan),
        Err(FlowError::ReadOnly { .. })
    ));
    assert!(matches!(
        run.execute(&ro, &log, |_| {}).await,
        Err(FlowError::ReadOnly { .. })
    ));
    let entry = Entry::update(&targets[0], &set_type(&targets[0], "Government"))
        .with_server(&server.base_url());
    assert!(matches!(
        undo::undo(&ro, &log, &entry, Consent::default()).await,
        Err(FlowError::ReadOnly { .. })
    ));
    assert!(matches!(
        undo::undo_group(&ro, &log, "g", Consent::default(), |_| {}).await,
        Err(FlowError::ReadOnly { .. })
    ));
    assert_eq!(server.control().stats().total, 0);
    assert!(log.read(10).unwrap().is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn a_create_is_undone_by_a_confirmed_delete_and_a_delete_by_a_re_creation() {
    let server = demo(10).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let log = ChangeLog::open(dir.path(), "acme");
    let base = server.base_url();
    let obj = |v: Value| match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    };

    // Created by the app: undone by deleting it, after a confirmation that names it.
    let created = env
        .client
        .create_customer(&obj(json!({"business_name": "Quokka Labs"})))
        .await
        .unwrap();
    let e = Entry::create(&created).with_server(&base);
    log.append(&e).unwrap();
    let asked = undo::undo(&env, &log, &e, Consent::default())
        .await
        .unwrap();
    match &asked {
        UndoOutcome::NotDone(UndoDecision::Delete { record, .. }) => {
            assert_eq!(record.label, "Quokka Labs")
        }
        other => panic!("{other:?}"),
    }
    let done = undo::undo(
        &env,
        &log,
        &e,
        Consent {
            delete: true,
            ..Consent::default()
        },
    )
    .await
    .unwrap();
    assert!(matches!(done, UndoOutcome::Undone(_)));
    assert!(matches!(
        env.client.get_customer(created.id).await,
        Err(ApiError::NotFound { .. })
    ));

    // Deleted by the app: cannot be undone by the API, re-created from the log's copy with
    // its contacts.
    let c = env
        .client
        .create_customer(&obj(
            json!({"business_name": "Wombat Works", "city": "Perth",
                                     "properties": {"Customer Type": "Business"}}),
        ))
        .await
        .unwrap();
    for (name, title) in [("Ann Lee", "Decision Maker - Owner"), ("Bo Kim", "")] {
        env.client
            .create_contact(c.id, &obj(json!({"name": name, "title": title})))
            .await
            .unwrap();
    }
    let snapshot = env.client.get_customer(c.id).await.unwrap();
    assert_eq!(snapshot.contacts.len(), 2);
    env.client.delete_customer(c.id).await.unwrap();
    let d = Entry::delete(snapshot.clone()).with_server(&base);
    assert_eq!(d.action, Action::Delete);
    log.append(&d).unwrap();
    match undo::decide(&env, &log, &d).await.unwrap() {
        UndoDecision::Recreate(changelog::Snapshot::Customer(s)) => assert_eq!(s, snapshot),
        other => panic!("{other:?}"),
    }
    let again = undo::recreate(&env, &log, &d).await.unwrap();
    let new = again.customer.clone().unwrap();
    assert_ne!(new.id, c.id);
    assert_eq!(new.business_name.as_deref(), Some("Wombat Works"));
    assert_eq!(new.city.as_deref(), Some("Perth"));
    assert_eq!(new.property(TYPE).as_deref(), Some("Business"));
    let back = env.client.get_customer(new.id).await.unwrap();
    let mut names: Vec<(String, String)> = back
        .contacts
        .iter()
        .map(|c| {
            (
                c.name.clone().unwrap_or_default(),
                c.title().unwrap_or_default(),
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("Ann Lee".to_string(), "Decision Maker - Owner".to_string()),
            ("Bo Kim".to_string(), String::new())
        ]
    );
    // Logged as undos of the delete; the delete now reads as undone, and a second run does not
    // create anything twice.
    let recreated: Vec<Entry> = log
        .read(100)
        .unwrap()
        .into_iter()
        .filter(|x| x.undoes.as_deref() == Some(d.id.as_str()))
        .collect();
    assert_eq!(recreated.len(), 3);
    assert!(matches!(
        undo::decide(&env, &log, &d).await.unwrap(),
        UndoDecision::AlreadyUndone { .. }
    ));
    let twice = undo::recreate(&env, &log, &d).await.unwrap();
    assert_eq!(twice.customer.map(|c| c.id), Some(new.id));
    assert!(twice.contacts.is_empty());
    server.shutdown().await;
}

/// Unknown query parameters are ignored, not refused: a server that ignored `id[]` would answer
/// with the account's first page. The check then reads the customers one by one instead of
/// walking every page of the account.
#[tokio::test]
async fn a_server_that_ignores_id_filters_is_read_one_by_one_not_walked() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    let page: Vec<Value> = (100..200)
        .map(|id| json!({"id": id, "business_name": format!("C{id}")}))
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/v1/customers"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"customers": page, "meta": {"total_pages": 1000, "page": 1}}),
            ),
        )
        .mount(&mock)
        .await;
    for id in [1, 2] {
        Mock::given(method("GET"))
            .and(path(format!("/api/v1/customers/{id}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"customer": {"id": id, "business_name": format!("Wanted {id}")}}),
            ))
            .expect(1)
            .mount(&mock)
            .await;
    }
    let c = client(format!("{}/api/v1", mock.uri()));
    let got = syncro_tui::flows::bulk::customers_by_ids(&c, &[1, 2])
        .await
        .unwrap();
    let ids: Vec<Id> = got.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![1, 2]);
    let lists = mock
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/customers")
        .count();
    assert_eq!(lists, 1, "one list page, not the whole account");
}

/// What the worker sends back until `done` says the answer is complete.
async fn worker_run(
    worker: &syncro_tui::worker::Worker,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<syncro_tui::app::Action>,
    effect: syncro_tui::app::Effect,
    done: fn(&syncro_tui::app::Action) -> bool,
) -> Vec<syncro_tui::app::Action> {
    worker.spawn(effect);
    let mut out = Vec::new();
    loop {
        let a = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("an answer from the worker")
            .expect("channel open");
        let last = done(&a);
        out.push(a);
        if last {
            return out;
        }
    }
}

/// The app's own path: the effects the bulk screen and the log screen emit, run by the worker
/// against the demo server, the change log on disk, and the answers the screens get.
#[tokio::test]
async fn the_worker_runs_a_bulk_edit_logs_it_and_undoes_it_as_a_group() {
    use syncro_tui::app::bulk::state::{BulkEvent, BulkOp, Decided, LogEvent, LogOp};
    use syncro_tui::app::{Action as AppAction, Effect};
    use syncro_tui::changelog::UndoTarget;
    use syncro_tui::domain::{FormTarget, Record};
    use syncro_tui::worker::Worker;

    let server = demo(40).await;
    let dir = tempfile::tempdir().unwrap();
    let direct = client(server.base_url());
    let picked = business_customers(&direct, "Government", 3).await;
    let ids: Vec<Id> = picked.iter().map(|c| c.id).collect();
    let before: BTreeMap<Id, String> = picked
        .iter()
        .map(|c| (c.id, customer_type(c, TYPE).to_string()))
        .collect();
    let records: Vec<Record> = picked.iter().cloned().map(Record::Customer).collect();
    let plan = BulkPlan::new(type_change("Government"), &records).unwrap();
    assert_eq!(plan.to_write(), 3);

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let log_path = dir.path().join("changes.jsonl");
    let worker = Worker::new(Some(client(server.base_url())), tx)
        .with_drafts(dir.path().to_path_buf())
        .with_change_log(ChangeLog::at(&log_path));

    let answers = worker_run(
        &worker,
        &mut rx,
        Effect::Bulk(BulkOp::Run {
            plan: Box::new(plan),
            read_only: false,
        }),
        |a| matches!(a, AppAction::Bulk(BulkEvent::Refreshed(_))),
    )
    .await;
    let mut progress = 0;
    let mut finished = None;
    let mut refreshed = Vec::new();
    for a in answers {
        match a {
            AppAction::Bulk(BulkEvent::Progress { item, .. }) => {
                assert_eq!(item.status, ItemStatus::Done);
                progress += 1;
            }
            AppAction::Bulk(BulkEvent::Finished { counts, error }) => {
                finished = Some((counts, error))
            }
            AppAction::Bulk(BulkEvent::Refreshed(c)) => refreshed = c,
            _ => {}
        }
    }
    assert_eq!(progress, 3);
    let (counts, error) = finished.expect("the run finished");
    assert_eq!((counts.done, counts.pending, counts.failed), (3, 0, 0));
    assert_eq!(error, None);
    // The list gets the records as the server has them now.
    assert_eq!(refreshed.len(), 3);
    assert!(
        refreshed
            .iter()
            .all(|c| customer_type(c, TYPE) == "Government")
    );
    for c in current(&direct, &ids).await.values() {
        assert_eq!(customer_type(c, TYPE), "Government");
    }

    // A form's edit goes to the same log, with the value before.
    let one = &picked[0];
    let mut patch = Patch::new();
    patch.insert("city".into(), json!("Undoville"));
    let fresh = current(&direct, &[one.id]).await.remove(&one.id).unwrap();
    worker_run(
        &worker,
        &mut rx,
        Effect::Save {
            token: 1,
            target: FormTarget::EditCustomer { id: one.id },
            patch,
            before: Some(Box::new(Record::Customer(fresh.clone()))),
        },
        |a| matches!(a, AppAction::FormSaved { .. }),
    )
    .await;

    let answers = worker_run(&worker, &mut rx, Effect::Log(LogOp::Read), |a| {
        matches!(a, AppAction::Log(LogEvent::Entries(_)))
    })
    .await;
    let Some(AppAction::Log(LogEvent::Entries(Ok(entries)))) = answers.into_iter().last() else {
        panic!("the log's entries");
    };
    assert_eq!(
        entries.len(),
        4,
        "three bulk writes and the form's: {entries:#?}"
    );
    // Newest first: the form's edit, with the city before and after.
    assert_eq!(entries[0].record.id, one.id);
    let city = entries[0]
        .fields
        .iter()
        .find(|f| f.field == "city")
        .unwrap();
    assert_eq!(city.after, json!("Undoville"));
    assert_eq!(city.before, json!(fresh.city.clone()));
    let group = entries[1].group.clone().expect("bulk writes are one group");
    assert!(
        entries[1..]
            .iter()
            .all(|e| e.group.as_deref() == Some(group.as_str()))
    );
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(!text.contains("demo\""), "the key is never in the log");

    // `U` undoes the last change: the form's edit.
    let answers = worker_run(&worker, &mut rx, Effect::Log(LogOp::DecideLast), |a| {
        matches!(a, AppAction::Log(LogEvent::Decided { .. }))
    })
    .await;
    let Some(AppAction::Log(LogEvent::Decided { target, result })) = answers.into_iter().last()
    else {
        panic!("a decision");
    };
    assert_eq!(target, UndoTarget::Entry(entries[0].id.clone()));
    assert!(matches!(result, Ok(Decided::One { .. })), "{result:?}");
    let answers = worker_run(
        &worker,
        &mut rx,
        Effect::Log(LogOp::Undo {
            target,
            consent: Consent::default(),
        }),
        |a| matches!(a, AppAction::Log(LogEvent::Undone(_))),
    )
    .await;
    assert!(
        answers
            .iter()
            .any(|a| matches!(a, AppAction::Log(LogEvent::Undone(Ok(_))))),
        "{answers:?}"
    );
    let now = current(&direct, &[one.id]).await.remove(&one.id).unwrap();
    assert_eq!(now.city, fresh.city);

    // `u` on a bulk write undoes the whole group.
    let target = UndoTarget::Group(group);
    let answers = worker_run(
        &worker,
        &mut rx,
        Effect::Log(LogOp::Decide(target.clone())),
        |a| matches!(a, AppAction::Log(LogEvent::Decided { .. })),
    )
    .await;
    assert!(
        answers.iter().any(|a| matches!(
            a,
            AppAction::Log(LogEvent::Decided { result: Ok(Decided::Group(g)), .. }) if g.counts().apply == 3
        )),
        "{answers:?}"
    );
    worker_run(
        &worker,
        &mut rx,
        Effect::Log(LogOp::Undo {
            target,
            consent: Consent::default(),
        }),
        |a| matches!(a, AppAction::Log(LogEvent::Undone(_))),
    )
    .await;
    for (id, c) in current(&direct, &ids).await {
        assert_eq!(
            customer_type(&c, TYPE),
            before[&id],
            "customer {id} as before"
        );
    }
}
