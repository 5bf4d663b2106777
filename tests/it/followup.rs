//! Onboarding follow-ups end to end: the real loop and worker (in-process runner) against a
//! demo server on 127.0.0.1. The checklist counts the customer's assets through the API,
//! ticks "import inventory" and "RMM agent" once an asset (one the agent reports on) is
//! created, keeps a tick by hand, and all of it survives a restart of the app.

use serde_json::json;
use syncro_tui::api::model::Patch;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::followup::{FollowupStore, Item};
use syncro_tui::tui::testing::{Options, Runner};

use crate::pty::{KEY, demo_server};

const NAME: &str = "Follow-up Test Clinic";

fn options(base_url: &str, data_dir: &std::path::Path) -> Options {
    let mut o = Options::new(base_url);
    o.config = format!("[profiles.main]\nbase_url = \"{base_url}\"\napi_key = \"{KEY}\"\n");
    o.profile = Some("main".into());
    o.api_key = None;
    o.data_dir = Some(data_dir.to_path_buf());
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checklist_counts_assets_ticks_when_one_is_created_and_survives_a_restart() {
    let server = demo_server().await;
    let base = server.base_url();
    let mut cfg = ClientConfig::new(&base, KEY.to_string().into());
    cfg.requests_per_minute = 0;
    let client = SyncroClient::new(cfg).unwrap();
    let mut fields = Patch::new();
    fields.insert("business_name".into(), json!(NAME));
    let id = client.create_customer(&fields).await.unwrap().id;

    // What the onboarding's worker writes once the customer and its contacts exist.
    let data_dir = std::env::temp_dir().join(format!("syncro-tui-followup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let store = FollowupStore::open(&data_dir, "main", client.base_url());
    store.start(id, NAME).unwrap();

    let r = Runner::start(options(&base, &data_dir)).unwrap();
    r.wait_for_text("synced just now").await;
    r.keys(":onboarding\n");
    let s = r.wait_for_text("Onboarding follow-ups").await;
    assert!(s.contains("1 checklist open"), "{s}");
    // Looked at through the API: no asset yet.
    let s = r
        .wait_for_text("· Import existing inventory: no asset yet")
        .await;
    assert!(s.contains(&format!("0/4 {NAME}")), "{s}");
    assert!(s.contains("· Deploy the RMM agent: no asset yet"), "{s}");
    assert!(
        s.contains("· Set the billing schedule: by hand only (not in the API)"),
        "{s}"
    );

    // An asset appears in Syncro (the agent installed on a workstation reports it).
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{base}/customer_assets"))
        .bearer_auth(KEY)
        .json(&json!({"customer_id": id, "name": "RECEPTION-PC", "asset_type_name": "Desktop",
                      "properties": {"kabuto_information": {"last_synced_at": "2026-05-01T10:00:00Z",
                                                            "general": {"name": "RECEPTION-PC"}}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    r.keys("r");
    let s = r
        .wait_for_text("✓ Import existing inventory: 1 asset in Syncro")
        .await;
    assert!(
        s.contains("✓ Deploy the RMM agent: 1 asset reports through the agent"),
        "{s}"
    );
    assert!(s.contains(&format!("2/4 {NAME}")), "{s}");
    // The billing schedule by hand (the last item).
    r.keys("G ");
    r.wait_for_text("✓ Set the billing schedule: ticked by hand")
        .await;
    r.stop().await;

    // On disk, per profile.
    let lists = store.load().unwrap();
    assert_eq!(lists.len(), 1);
    let done = |i| lists[0].state(i).unwrap().done.is_some();
    assert!(done(Item::Inventory) && done(Item::RmmAgent) && done(Item::Billing));
    assert!(!done(Item::Contract));

    // A restart: the checklist is still there, on the customer's Overview too.
    let r = Runner::start(options(&base, &data_dir)).unwrap();
    r.wait_for_text("synced just now").await;
    r.keys(":onboarding\n");
    let s = r
        .wait_for_text("· Create the contract: no contract yet")
        .await;
    assert!(s.contains(&format!("3/4 {NAME}")), "{s}");
    assert!(
        s.contains("✓ Set the billing schedule: ticked by hand"),
        "{s}"
    );
    // Enter on the first item opens the customer; its Overview leads with the checklist.
    r.keys("g\n");
    let s = r.wait_for_text("Follow-ups").await;
    assert!(s.contains("3 of 4 done"), "{s}");

    // A contract in Syncro closes the checklist.
    server
        .control()
        .store()
        .add_contract(id, "Managed services", "Active");
    r.keys(":onboarding\n");
    r.wait_for_text("No follow-up is open").await;
    r.stop().await;
    let lists = store.load().unwrap();
    assert!(lists[0].closed_at.is_some());
    let _ = std::fs::remove_dir_all(&data_dir);
}
