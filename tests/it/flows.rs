//! The onboarding and merge engines and the duplicate audit, end to end against the demo server
//! on 127.0.0.1, with the demo's fault injection standing in for a failing Syncro.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use syncro_tui::api::model::{Customer, Id, Patch};
use syncro_tui::api::{ApiError, ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::audit::customer_groups;
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};
use syncro_tui::flows::merge::{self, MergeRun, MergeStep, StepStatus};
use syncro_tui::flows::onboard::{self, CreateStatus, OnboardRun, Onboarding, Role};
use syncro_tui::flows::{FlowEnv, FlowError};

/// The curated records only: 22 customers with the planted duplicates.
const CURATED: usize = 22;

fn demo_config() -> DemoConfig {
    DemoConfig {
        customers: CURATED,
        rate_limit: None,
        ..DemoConfig::default()
    }
}

async fn demo() -> DemoServer {
    DemoServer::start("127.0.0.1:0".parse().unwrap(), demo_config())
        .await
        .unwrap()
}

/// One attempt per request, so an injected 500 reaches the engine instead of being retried.
fn client(base_url: String) -> SyncroClient {
    let mut cfg = ClientConfig::new(base_url, SecretString::from("demo".to_string()));
    cfg.requests_per_minute = 0;
    cfg.max_attempts = 1;
    cfg.total_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(2);
    SyncroClient::new(cfg).unwrap()
}

fn env(server: &DemoServer, dir: &tempfile::TempDir, read_only: bool) -> FlowEnv {
    FlowEnv::new(client(server.base_url()), read_only, dir.path())
}

fn patch(v: Value) -> Patch {
    match v {
        Value::Object(m) => m,
        _ => Patch::new(),
    }
}

fn zephyr() -> Onboarding {
    let mut o = Onboarding {
        customer: patch(json!({
            "business_name": "Zephyr Analytics", "email": "ops@zephyr.example",
            "phone": "(206) 555-0777", "referred_by": "Trade show", "tax_rate_id": 3,
        })),
        primary_contact: patch(json!({"name": "Ava Stone", "email": "ava@zephyr.example",
                                      "title": "CEO"})),
        extra_contacts: vec![
            (
                Role::Billing,
                patch(json!({"name": "Ben Ortiz", "email": "ben@zephyr.example"})),
            ),
            (
                Role::Technical,
                patch(json!({"name": "Tia Wong", "email": "tia@zephyr.example"})),
            ),
        ],
    };
    o.set_customer_type("Customer Type", "Business");
    o
}

async fn customers_with_email(c: &SyncroClient, email: &str) -> Vec<Customer> {
    c.all_customers(&CustomerQuery {
        email: Some(email.into()),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// E-mail -> title of a customer's contacts; panics if an e-mail appears twice.
async fn contacts_by_email(c: &SyncroClient, customer: Id) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for ct in c.all_contacts(Some(customer)).await.unwrap() {
        let email = ct.email.clone().unwrap_or_default();
        let title = ct.title().unwrap_or_default();
        assert!(out.insert(email.clone(), title).is_none(), "{email} twice");
    }
    out
}

fn expected_zephyr_contacts() -> BTreeMap<String, String> {
    [
        ("ava@zephyr.example", "Decision Maker - CEO"),
        ("ben@zephyr.example", "Billing Contact"),
        ("tia@zephyr.example", "Technical Contact"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

#[tokio::test]
async fn onboarding_fails_at_the_second_contact_and_resumes_without_duplicates() {
    let server = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let onb = zephyr();
    assert!(
        onboard::check_duplicates(&env.client, &onb)
            .await
            .unwrap()
            .is_empty()
    );

    let mut run = OnboardRun::start(&env, onb).unwrap();
    let first = run.next_step(&env).await.unwrap().unwrap();
    assert!(matches!(first.status, CreateStatus::Created { .. }));
    let second = run.next_step(&env).await.unwrap().unwrap();
    assert_eq!((second.number, second.total), (2, 4));

    // The second contact (step 3) fails.
    server
        .control()
        .fail_next(FaultRule::new(Method::POST, "/contacts").status(500));
    let err = run.next_step(&env).await.unwrap_err();
    match &err {
        FlowError::Step { number, source, .. } => {
            assert_eq!(*number, 3);
            assert_eq!(source.status(), Some(500));
        }
        other => panic!("{other:?}"),
    }
    let (i, failed) = run.failed_step().unwrap();
    assert_eq!(i, 2);
    assert!(failed.label.contains("Ben Ortiz"), "{}", failed.label);
    let customer_id = run.customer_id().unwrap();

    // The app restarts: the run comes back from its journal and resumes.
    let id = run.id.clone();
    drop(run);
    let pending = OnboardRun::pending(&env.data_dir);
    assert_eq!(pending.len(), 1);
    let mut run = OnboardRun::load(&env.data_dir, &id).unwrap().unwrap();
    assert_eq!(run.customer_id(), Some(customer_id));
    let mut seen = Vec::new();
    onboard::run(&env, &mut run, |p| seen.push((p.number, p.status.clone())))
        .await
        .unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].0, seen[1].0), (3, 4));
    assert!(run.is_finished());
    assert!(OnboardRun::pending(&env.data_dir).is_empty());

    let found = customers_with_email(&env.client, "ops@zephyr.example").await;
    assert_eq!(found.len(), 1, "exactly one customer");
    assert_eq!(found[0].id, customer_id);
    assert_eq!(
        found[0].property("Customer Type").as_deref(),
        Some("Business")
    );
    assert_eq!(
        contacts_by_email(&env.client, customer_id).await,
        expected_zephyr_contacts()
    );
    // Nothing landed on another customer either.
    for email in ["ava@zephyr.example", "ben@zephyr.example"] {
        assert_eq!(
            env.client
                .find_contacts_by_email(email)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

/// "Created, but the answer was lost": the customer exists on the server while the engine's
/// POST failed with a connection error. Resuming finds and adopts it instead of creating it
/// again.
#[tokio::test]
async fn a_create_with_an_unknown_outcome_is_looked_up_not_repeated() {
    let server = demo().await;
    let addr = server.addr();
    let store = server.control().store();
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let onb = zephyr();
    // The request that got through before the connection died.
    let existing = env.client.create_customer(&onb.customer).await.unwrap();

    let mut run = OnboardRun::new(onb).unwrap();
    run.save(&env.data_dir).unwrap();
    server.shutdown().await;
    let err = run.next_step(&env).await.unwrap_err();
    match &err {
        FlowError::Step { source, .. } => assert!(source.outcome_unknown(), "{source:?}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        run.steps[0].status,
        CreateStatus::Failed {
            maybe_created: true,
            ..
        }
    ));

    let server = DemoServer::start_with_store(addr, demo_config(), store)
        .await
        .unwrap();
    let mut seen = Vec::new();
    onboard::run(&env, &mut run, |p| seen.push(p.clone()))
        .await
        .unwrap();
    assert_eq!(
        seen[0].status,
        CreateStatus::Found { id: existing.id },
        "{seen:?}"
    );
    assert_eq!(seen.len(), 4);
    let found = customers_with_email(&env.client, "ops@zephyr.example").await;
    assert_eq!(found.len(), 1, "created once: {found:?}");
    assert_eq!(
        contacts_by_email(&env.client, existing.id).await,
        expected_zephyr_contacts()
    );
    server.shutdown().await;
}

fn id_of(customers: &[Customer], name: &str) -> Id {
    customers
        .iter()
        .find(|c| c.display_name() == name)
        .unwrap_or_else(|| panic!("{name} not in the demo data"))
        .id
}

#[tokio::test]
async fn the_audit_finds_the_planted_duplicates_and_nothing_else() {
    let server = demo().await;
    let c = client(server.base_url());
    let customers = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let groups = customer_groups(&customers, &BTreeSet::new());
    let mut got: Vec<Vec<Id>> = groups.iter().map(|g| g.ids.clone()).collect();
    got.sort();
    let pair = |a: &str, b: &str| {
        let mut v = vec![id_of(&customers, a), id_of(&customers, b)];
        v.sort();
        v
    };
    let mut want = vec![
        pair("Acme Dental LLC", "ACME Dental"),
        pair("Brightwater Law Group, P.C.", "Brightwater Law"),
        pair("Robert Smith", "Bob Smith"),
    ];
    want.sort();
    // Exactly the planted groups: the other curated customers are clearly distinct.
    assert_eq!(got, want, "{groups:?}");
    assert!(groups.iter().all(|g| !g.reasons.is_empty()));
}

/// IDs of everything attached to a customer.
async fn attached(c: &SyncroClient, id: Id) -> (BTreeSet<Id>, BTreeSet<Id>, BTreeSet<Id>) {
    (
        c.all_contacts(Some(id))
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect(),
        c.all_tickets(id)
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect(),
        c.all_assets(id)
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect(),
    )
}

#[tokio::test]
async fn a_merge_interrupted_midway_resumes_and_loses_nothing() {
    let server = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let changes = dir.path().join("changes.jsonl");
    let env = env(&server, &dir, false).with_change_log(Some(std::sync::Arc::new(
        syncro_tui::changelog::ChangeLog::at(&changes),
    )));
    let c = &env.client;
    let customers = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let primary = id_of(&customers, "Acme Dental LLC");
    let duplicate = id_of(&customers, "ACME Dental");
    // The help desk filed more under the duplicate, so that a failure can hit the middle: two
    // more contacts, and another client's tickets and assets.
    for name in ["Front Desk Two", "Hygiene Lead"] {
        c.create_contact(duplicate, &patch(json!({ "name": name })))
            .await
            .unwrap();
    }
    let other = id_of(&customers, "Pinecrest Veterinary Clinic");
    for t in c.all_tickets(other).await.unwrap() {
        c.set_ticket_customer(t.id, duplicate).await.unwrap();
    }
    for a in c.all_assets(other).await.unwrap() {
        c.set_asset_customer(a.id, duplicate).await.unwrap();
    }
    let (pc, pt, pa) = attached(c, primary).await;
    let (dc, dt, da) = attached(c, duplicate).await;
    let contacts_in_account = server.control().store().contact_count();

    let mut stages = Vec::new();
    let plan = merge::plan_with_progress(c, primary, duplicate, |s| stages.push(s))
        .await
        .unwrap();
    assert_eq!(stages.len(), 5);
    assert_eq!(
        (plan.contacts.len(), plan.tickets.len(), plan.assets.len()),
        (dc.len(), dt.len(), da.len())
    );
    assert!(plan.tickets.len() >= 3 && plan.contacts.len() >= 3);
    assert!(plan.invoices.is_empty() && plan.keeps_duplicate().is_none());
    assert!(
        plan.fields
            .iter()
            .any(|f| f.key == "notes" && f.label.contains("appended") && f.copy)
    );

    let mut run = MergeRun::start(&env, &plan).unwrap();
    // One merge of a pair at a time.
    assert!(matches!(
        MergeRun::start(&env, &plan),
        Err(FlowError::Invalid(_))
    ));
    let second_ticket = plan.tickets[1].id;
    server
        .control()
        .fail_next(FaultRule::new(Method::PUT, format!("/tickets/{second_ticket}")).status(500));
    let mut seen = Vec::new();
    let err = merge::execute(&env, &mut run, |p| seen.push(p.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            FlowError::Step {
                source: ApiError::Server { .. },
                ..
            }
        ),
        "{err:?}"
    );
    // Contacts and the first ticket moved; the rest did not; the duplicate still exists.
    assert_eq!(seen.len(), dc.len() + 1);
    assert_eq!(run.moved().len(), dc.len() + 1);
    assert_eq!(run.not_moved().len(), dt.len() - 1 + da.len());
    let (_, failed) = run.failed_step().unwrap();
    assert_eq!(
        failed.step,
        MergeStep::MoveTicket {
            id: second_ticket,
            number: plan.tickets[1].number.clone().unwrap_or_default(),
            subject: plan.tickets[1].subject.clone().unwrap_or_default(),
        }
    );
    c.get_customer(duplicate).await.unwrap();
    let log = std::fs::read_to_string(merge::log_path(&env.data_dir)).unwrap();
    assert_eq!(log.lines().count(), dc.len() + 2);
    assert!(log.lines().last().unwrap().contains("\"failed\""));

    // Meanwhile: the failed move had reached the server after all, and a colleague added a
    // contact to the duplicate.
    c.set_ticket_customer(second_ticket, primary).await.unwrap();
    let late = c
        .create_contact(duplicate, &patch(json!({"name": "Late Arrival"})))
        .await
        .unwrap();

    // Resume from the journal, as after a restart.
    drop(run);
    let mut run = MergeRun::load(&env.data_dir, primary, duplicate)
        .unwrap()
        .unwrap();
    let mut seen = Vec::new();
    let err = merge::execute(&env, &mut run, |p| seen.push(p.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, FlowError::LeftOver(_)), "{err:?}");
    // The interrupted move is found done and skipped, not sent again.
    assert!(
        matches!(&seen[0].status, StepStatus::Skipped { reason } if reason.contains("Already on the primary")),
        "{seen:?}"
    );
    assert!(matches!(&seen[0].step, MergeStep::MoveTicket { id, .. } if *id == second_ticket));
    c.get_customer(duplicate).await.unwrap();
    // Again: the late contact moves, the verification passes, the duplicate goes.
    merge::execute(&env, &mut run, |_| {}).await.unwrap();
    assert!(run.is_finished());
    assert!(MergeRun::pending(&env.data_dir).is_empty());

    assert!(matches!(
        c.get_customer(duplicate).await,
        Err(ApiError::NotFound { .. })
    ));
    let (nc, nt, na) = attached(c, primary).await;
    let mut want_c: BTreeSet<Id> = pc.union(&dc).copied().collect();
    want_c.insert(late.id);
    assert_eq!(nc, want_c);
    assert_eq!(nt, pt.union(&dt).copied().collect());
    assert_eq!(na, pa.union(&da).copied().collect());
    assert_eq!(
        server.control().store().contact_count(),
        contacts_in_account + 1
    );
    assert!(run.duplicate_deleted());
    let notes = c
        .get_customer(primary)
        .await
        .unwrap()
        .notes
        .unwrap_or_default();
    assert!(
        notes.starts_with("Two-location dental practice")
            && notes.contains("Probably the same practice"),
        "{notes}"
    );
    let log = std::fs::read_to_string(merge::log_path(&env.data_dir)).unwrap();
    assert!(log.contains("\"delete_duplicate\""), "{log}");
    assert!(log.contains("Already on the primary"), "{log}");

    // The change log has every write of the merge, as one group: each contact moved (with
    // its customer before and after), each ticket and asset, the copy, the delete. The
    // interrupted move that was found done is not logged twice.
    let entries = syncro_tui::changelog::ChangeLog::at(&changes)
        .read_all()
        .unwrap();
    use syncro_tui::changelog::{ChangeKind, RecordKind};
    assert!(entries.iter().all(|e| e.kind == ChangeKind::MergeStep));
    let groups: BTreeSet<_> = entries.iter().map(|e| e.group.clone()).collect();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let moved: Vec<_> = entries
        .iter()
        .filter(|e| e.record.kind == RecordKind::Contact)
        .collect();
    assert_eq!(moved.len(), dc.len() + 1, "every contact, the late one too");
    for e in &moved {
        assert_eq!(e.fields[0].field, "customer_id");
        assert_eq!(e.fields[0].before, json!(duplicate));
        assert_eq!(e.fields[0].after, json!(primary));
    }
    let notes_of = |word: &str| {
        entries
            .iter()
            .filter(|e| e.note.as_deref().is_some_and(|n| n.contains(word)))
            .count()
    };
    assert_eq!(
        notes_of("ticket #"),
        dt.len() - 1,
        "the resumed ticket once, not twice"
    );
    assert_eq!(notes_of(": asset "), da.len());
    assert_eq!(notes_of("Merge: copied"), 1);
    assert_eq!(notes_of("Merge: deleted"), 1);
    // Undo refuses a merge, and says why.
    let d = syncro_tui::flows::undo::decide_with(&entries[0], None, None, &server.base_url());
    assert!(
        matches!(d, syncro_tui::flows::undo::UndoDecision::Unavailable { ref reason } if reason.contains("merge")),
        "{d:?}"
    );
}

/// Invoices cannot be moved through the API and die with their customer: a duplicate that has
/// some is emptied, marked as merged (name and note: the API cannot disable it) and kept.
#[tokio::test]
async fn a_duplicate_with_invoices_is_emptied_marked_as_merged_but_not_deleted() {
    let server = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let c = &env.client;
    let customers = c.all_customers(&CustomerQuery::default()).await.unwrap();
    let primary = id_of(&customers, "Brightwater Law");
    let duplicate = id_of(&customers, "Brightwater Law Group, P.C.");
    let invoices = c.invoices_for_customer(duplicate).await.unwrap().len();
    assert!(invoices > 0);

    let plan = merge::plan(c, primary, duplicate).await.unwrap();
    assert_eq!(plan.invoices.len(), invoices);
    assert!(plan.keeps_duplicate().is_some());
    assert!(!plan.steps().contains(&MergeStep::DeleteDuplicate));
    let mut run = MergeRun::new(&plan);
    merge::execute(&env, &mut run, |_| {}).await.unwrap();
    assert!(run.is_finished() && !run.duplicate_deleted());
    assert!(run.keep_duplicate.as_deref().unwrap().contains("invoice"));

    let kept = c.get_customer(duplicate).await.unwrap();
    assert_eq!(
        kept.business_name.as_deref(),
        Some("(merged) Brightwater Law Group, P.C.")
    );
    assert!(
        kept.notes
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("Merged into Brightwater Law (#{primary})")),
        "{:?}",
        kept.notes
    );
    // The mark is made once, however often the step runs.
    let again = merge::merged_marks(&kept, "Brightwater Law", primary);
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(
        c.invoices_for_customer(duplicate).await.unwrap().len(),
        invoices
    );
    let (dc, dt, da) = attached(c, duplicate).await;
    assert!(dc.is_empty() && dt.is_empty() && da.is_empty());
    let (pc, _, _) = attached(c, primary).await;
    assert!(plan.contacts.iter().all(|x| pc.contains(&x.id)));
}

#[tokio::test]
async fn read_only_refuses_every_write() {
    let server = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, true);
    let customers = env
        .client
        .all_customers(&CustomerQuery::default())
        .await
        .unwrap();
    let (p, d) = (
        id_of(&customers, "Robert Smith"),
        id_of(&customers, "Bob Smith"),
    );
    // Planning only reads.
    let plan = merge::plan(&env.client, p, d).await.unwrap();
    let mut run = MergeRun::new(&plan);
    server.control().reset_stats();
    let err = merge::execute(&env, &mut run, |_| {}).await.unwrap_err();
    assert!(matches!(err, FlowError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("Read-only"));
    assert!(matches!(
        MergeRun::start(&env, &plan),
        Err(FlowError::ReadOnly { .. })
    ));
    assert!(matches!(
        OnboardRun::start(&env, zephyr()),
        Err(FlowError::ReadOnly { .. })
    ));
    let mut onb = OnboardRun::new(zephyr()).unwrap();
    let err = onb.next_step(&env).await.unwrap_err();
    assert!(matches!(err, FlowError::ReadOnly { .. }), "{err:?}");
    assert!(matches!(
        onboard::run(&env, &mut onb, |_| {}).await,
        Err(FlowError::ReadOnly { .. })
    ));
    assert_eq!(server.control().stats().total, 0, "nothing was sent");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no journal or log written"
    );
    env.client.get_customer(d).await.unwrap();
}

/// The way the UI drives a flow: on a worker task, progress sent back over a channel.
#[tokio::test]
async fn progress_reaches_the_ui_over_a_channel_from_a_worker_task() {
    let server = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&server, &dir, false);
    let mut run = OnboardRun::new(zephyr()).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = tokio::spawn(async move {
        let result = onboard::run(&env, &mut run, |p| {
            let _ = tx.send(p.clone());
        })
        .await;
        (result.is_ok(), run)
    });
    let mut numbers = Vec::new();
    while let Some(p) = rx.recv().await {
        assert_eq!(p.total, 4);
        assert!(matches!(p.status, CreateStatus::Created { .. }), "{p:?}");
        numbers.push(p.number);
    }
    let (ok, run) = worker.await.unwrap();
    assert!(ok && run.is_finished());
    assert_eq!(numbers, vec![1, 2, 3, 4]);
}
