//! The house rules' screens in the running app (the in-process runner: real loop, worker and
//! drawing) against a demo server on 127.0.0.1: `:referrals` and its CSV, `:names` and its
//! bulk fix written to the server, `:incomplete`.

use std::collections::HashMap;

use crossterm::event::KeyCode;
use serde_json::json;
use syncro_tui::api::model::{Customer, CustomerQuery, Id};
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::demo::DemoServer;
use syncro_tui::house::{self, Completeness, HouseStyle};
use syncro_tui::tui::testing::{Options, Runner};

use crate::pty::{KEY, demo_server};

fn client(server: &DemoServer) -> SyncroClient {
    let mut cfg = ClientConfig::new(server.base_url(), KEY.to_string().into());
    cfg.requests_per_minute = 0;
    SyncroClient::new(cfg).unwrap()
}

fn start(server: &DemoServer) -> Runner {
    let mut o = Options::new(&server.base_url());
    o.api_key = Some(KEY.into());
    Runner::start(o).unwrap()
}

async fn create(c: &SyncroClient, fields: serde_json::Value) -> Customer {
    c.create_customer(fields.as_object().unwrap())
        .await
        .unwrap()
}

/// Every customer the list shows by default (disabled ones hidden), with contacts.
async fn every_customer(c: &SyncroClient) -> Vec<Customer> {
    c.all_customers(&CustomerQuery::default()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_referral_report_lists_a_sources_customers_and_exports_csv_that_reads_back() {
    let server = demo_server().await;
    let c = client(&server);
    let zephyr = create(&c, json!({"business_name": "Zephyr Referrers LLC"})).await;
    for (name, by) in [
        ("Ref One", "ABC Co"),
        ("Ref Two", "ABC Company"),
        ("Ref Three", "abc co."),
    ] {
        create(&c, json!({"business_name": name, "referred_by": by})).await;
    }
    create(
        &c,
        json!({"business_name": "Ref Four", "ref_customer_id": zephyr.id}),
    )
    .await;
    let customers = every_customer(&c).await;
    let names: HashMap<Id, String> = customers.iter().map(|c| (c.id, c.display_name())).collect();
    let expected = house::report(&customers, &|id| names.get(&id).cloned());

    let exports = tempfile::tempdir().unwrap();
    let mut o = Options::new(&server.base_url());
    o.api_key = Some(KEY.into());
    o.config = format!("export_dir = {:?}\n", exports.path().display().to_string());
    let r = Runner::start(o).unwrap();
    r.wait_for_text("synced just now").await;
    r.keys(":referrals\n");
    let s = r.wait_for_text("Referral sources").await;
    assert!(s.contains("ABC Co · 3 spellings"), "{s}");
    assert!(s.contains("Zephyr Referrers LLC (customer)"), "{s}");
    assert!(
        s.contains(&format!("{} customers", expected.total)),
        "the report covers the whole account:\n{s}"
    );

    // x: the CSV in the export directory, read back with the csv crate.
    r.keys("x");
    let s = r.wait_for_text("Exported").await;
    assert!(s.contains("referral sources"), "{s}");
    let file = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("referrals"))
        .expect("the export file");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "source");
    assert_eq!(headers.len(), 5 + expected.months.len());
    let rows: Vec<csv::StringRecord> = reader.records().map(|x| x.unwrap()).collect();
    assert_eq!(
        rows.len(),
        expected.groups.len() + 1,
        "a row per source and no-source"
    );
    let total: usize = rows
        .iter()
        .map(|row| row[3].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, customers.len(), "every customer counted once");
    let abc = rows.iter().find(|row| &row[0] == "ABC Co").unwrap();
    assert_eq!((&abc[1], &abc[3]), ("text", "3"));
    assert!(abc[4].contains("3 spellings grouped"), "{abc:?}");
    let z = rows
        .iter()
        .find(|row| &row[0] == "Zephyr Referrers LLC")
        .unwrap();
    assert_eq!(
        (&z[1], &z[2], &z[3]),
        ("customer", &*zephyr.id.to_string(), "1")
    );
    // Each month column adds up to the row's total.
    for row in &rows {
        let months: usize = (5..row.len())
            .map(|i| row[i].parse::<usize>().unwrap())
            .sum();
        assert_eq!(months.to_string(), row[3], "{row:?}");
    }

    // Enter on ABC Co: the list holds its three customers only; Esc shows them all again.
    let at = expected
        .groups
        .iter()
        .position(|g| g.label == "ABC Co")
        .unwrap();
    for _ in 0..at {
        r.keys("j");
    }
    r.key(KeyCode::Enter);
    let s = r.wait_for_text("3 customers referred by ABC Co").await;
    assert!(s.contains("Customers 3 of"), "{s}");
    for name in ["Ref One", "Ref Two", "Ref Three"] {
        assert!(s.contains(name), "{name}:\n{s}");
    }
    r.key(KeyCode::Esc);
    r.wait_for("every customer again", |s| {
        s.contains(&format!("Customers {} of", customers.len()))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_off_the_house_style_are_listed_and_fixed_on_the_server_by_the_bulk_edit() {
    let server = demo_server().await;
    let c = client(&server);
    let heron = create(&c, json!({"business_name": "BLUE HERON llc"})).await;
    let fox = create(&c, json!({"business_name": "Red and Fox inc"})).await;
    let style = HouseStyle::default();
    let bad: Vec<Customer> = every_customer(&c)
        .await
        .into_iter()
        .filter(|c| {
            c.business_name
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty() && house::check(n, &style).is_some())
        })
        .collect();
    assert!(bad.len() >= 2);

    let r = start(&server);
    r.wait_for_text("synced just now").await;
    r.keys(":names\n");
    let s = r.wait_for_text("Names off the house style").await;
    assert!(
        s.contains(&format!("Names off the house style · {}", bad.len())),
        "{s}"
    );
    assert!(s.contains("Blue Heron LLC"), "{s}");
    // e: the bulk edit's preview of every listed name, old → new; nothing sent yet.
    r.keys("e");
    let s = r.wait_for_text("Enter change them").await;
    assert!(
        s.contains("BLUE HERON llc") && s.contains("Blue Heron LLC"),
        "{s}"
    );
    assert_eq!(
        c.get_customer(heron.id)
            .await
            .unwrap()
            .business_name
            .as_deref(),
        Some("BLUE HERON llc")
    );
    r.key(KeyCode::Enter);
    r.wait_for_text("now?").await;
    r.keys("y");
    r.wait_for_text("written").await;
    // On the server: each listed name in the house style now.
    for b in &bad {
        let now = c.get_customer(b.id).await.unwrap();
        let name = now.business_name.unwrap_or_default();
        let before = b.business_name.clone().unwrap_or_default();
        let fixed = house::check(&before, &style).unwrap().fixed;
        if fixed.trim() != before.trim() {
            assert_eq!(name, fixed, "#{}", b.id);
        }
    }
    assert_eq!(
        c.get_customer(fox.id)
            .await
            .unwrap()
            .business_name
            .as_deref(),
        Some("Red & Fox Inc.")
    );
    // In the change log, as one bulk edit.
    let log = std::fs::read_dir(r.data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("changes-")
        })
        .expect("the change log");
    let text = std::fs::read_to_string(log).unwrap();
    assert!(text.contains("BLUE HERON llc") && text.contains("Blue Heron LLC"));
    // The list took the new names: the audit rule lists none of them again.
    r.key(KeyCode::Esc);
    r.keys(":names\n");
    let s = r.wait_for_text("Names off the house style").await;
    assert!(
        !s.contains("BLUE HERON llc") && !s.contains("Red and Fox inc"),
        "{s}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incomplete_lists_the_customers_that_lack_what_the_house_requires_and_opens_one() {
    let server = demo_server().await;
    let c = client(&server);
    let bare = create(&c, json!({"business_name": "Aaa Bare Bones Ltd"})).await;
    let rules = Completeness::default();
    let lacking: Vec<Customer> = every_customer(&c)
        .await
        .into_iter()
        .filter(|c| !house::missing(c, &rules).is_empty())
        .collect();
    assert!(lacking.iter().any(|c| c.id == bare.id));

    let r = start(&server);
    r.wait_for_text("synced just now").await;
    r.keys(":incomplete\n");
    let s = r.wait_for_text("Incomplete profiles").await;
    assert!(
        s.contains(&format!("Incomplete profiles · {}", lacking.len())),
        "{s}"
    );
    // Sorted by name, the bare customer comes first and lacks everything.
    assert!(
        s.contains("phone, address, e-mail, billing contact, decision maker"),
        "{s}"
    );
    r.key(KeyCode::Enter);
    let s = r
        .wait_for("the customer's Overview", |s| {
            s.contains("Aaa Bare Bones Ltd")
                && s.contains("Business ")
                && !s.contains("Incomplete profiles")
        })
        .await;
    assert!(s.contains(&bare.id.to_string()), "{s}");
}
