//! The house rules over a whole account: a demo server on 127.0.0.1 (port 0), synced into a
//! mirror, then the referral report, the completeness rules and the name check over every
//! record, as the app's screens will run them.

use std::collections::HashMap;

use secrecy::SecretString;
use serde_json::json;
use syncro_tui::api::model::Customer;
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::export::ExportOptions;
use syncro_tui::house::referral::{self, Source};
use syncro_tui::house::{self, Completeness, HouseStyle, Missing};
use syncro_tui::mirror::{Mirror, SyncOptions, full_sync};

async fn synced(customers: usize, setup: impl AsyncFnOnce(&SyncroClient)) -> Mirror {
    let cfg = DemoConfig {
        customers,
        seed: 11,
        rate_limit: None,
        ..DemoConfig::default()
    };
    let server = DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .unwrap();
    let mut cc = ClientConfig::new(server.base_url(), SecretString::from("demo"));
    cc.requests_per_minute = 0;
    let client = SyncroClient::new(cc).unwrap();
    setup(&client).await;
    let (m, _) = full_sync(
        &client,
        &Mirror::default(),
        &SyncOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap();
    server.shutdown().await;
    m
}

async fn create(client: &SyncroClient, fields: serde_json::Value) -> Customer {
    client
        .create_customer(fields.as_object().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn referral_report_over_a_synced_account() {
    let m = synced(400, async |client: &SyncroClient| {
        let a = create(client, json!({"business_name": "Zephyr Referrers LLC"})).await;
        for (name, by) in [
            ("Ref One", "Zephyr Referrers"),
            ("Ref Two", "zephyr referrers, llc"),
            ("Ref Three", "ABC Co"),
            ("Ref Four", "ABC Company"),
            ("Ref Five", "abc co."),
        ] {
            create(client, json!({"business_name": name, "referred_by": by})).await;
        }
        create(
            client,
            json!({"business_name": "Ref Six", "ref_customer_id": a.id}),
        )
        .await;
    })
    .await;
    let customers = m.customers();
    let names: HashMap<u64, String> = customers.iter().map(|c| (c.id, c.display_name())).collect();
    let r = house::report(&customers, &|id| names.get(&id).cloned());

    // Every customer is counted once: in one group or without a source.
    assert_eq!(r.total, customers.len());
    let grouped: usize = r.groups.iter().map(|g| g.count).sum();
    assert_eq!(grouped + r.unattributed, customers.len());
    let per_month: usize = r.groups.iter().flat_map(|g| g.by_month.values()).sum();
    assert_eq!(per_month, grouped);
    // Each group's filter selects exactly its customers.
    for g in &r.groups {
        let selected: Vec<u64> = customers
            .iter()
            .filter(|c| g.matches(c))
            .map(|c| c.id)
            .collect();
        assert_eq!(selected, g.customer_ids, "{}", g.label);
    }
    // The demo's sources, as the server has them.
    let google = customers
        .iter()
        .filter(|c| c.referred_by.as_deref() == Some("Google"))
        .count();
    let g = r.groups.iter().find(|g| g.label == "Google").unwrap();
    assert_eq!(g.count, google);
    // Spellings grouped with a note; the customer referral resolved to its name, with the
    // typed spellings of that name.
    let abc = r.groups.iter().find(|g| g.label == "ABC Co").unwrap();
    assert_eq!(abc.count, 3);
    assert!(abc.note.as_deref().unwrap().contains("ABC Company (1)"));
    let z = r
        .groups
        .iter()
        .find(|g| g.label == "Zephyr Referrers LLC")
        .unwrap();
    assert!(matches!(z.source, Source::Customer(_)));
    assert_eq!(z.count, 3);
    // The CSV reads back: one row per group and the no-source row, a column per month.
    let csv_text = r.to_csv(ExportOptions {
        excel_bom: false,
        ..ExportOptions::default()
    });
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 5 + r.months.len());
    let rows: Vec<csv::StringRecord> = reader.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), r.groups.len() + 1);
    let total: usize = rows
        .iter()
        .map(|row| row[3].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, customers.len());
    assert_eq!(
        referral::source_key("Zephyr Referrers LLC"),
        "zephyr referrers"
    );
}

#[tokio::test]
async fn completeness_and_names_over_every_record() {
    let m = synced(300, async |_: &SyncroClient| {}).await;
    let rules = Completeness::default();
    let customers = m.customers();
    // The curated Acme Dental has a billing contact and its owner; its phone, address and
    // e-mail are set.
    let acme = customers
        .iter()
        .find(|c| c.business_name.as_deref() == Some("Acme Dental LLC"))
        .unwrap();
    assert_eq!(house::missing(acme, &rules), []);
    // Whatever is reported missing really is, rule by rule.
    for c in &customers {
        for miss in house::missing(c, &rules) {
            let empty = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
            match miss {
                Missing::Phone => assert!(empty(&c.phone) && empty(&c.mobile)),
                Missing::Address => assert!(empty(&c.address) || empty(&c.city)),
                Missing::Email => {}
                Missing::BillingContact | Missing::DecisionMaker => {
                    assert!(!empty(&c.business_name))
                }
            }
        }
    }
    // The name standard over real-looking names: every suggestion passes the check itself.
    let style = HouseStyle::default();
    let mut suggested = 0;
    for c in &customers {
        let name = c.display_name();
        if let Some(s) = house::check(&name, &style) {
            suggested += 1;
            assert!(!s.reasons.is_empty());
            assert_eq!(
                house::check(&s.fixed, &style),
                None,
                "{name} -> {}",
                s.fixed
            );
        }
    }
    // The demo has messy names on purpose (e.g. "ACME Dental").
    assert!(suggested > 0);
}
