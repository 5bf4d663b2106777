//! The reports as state machines: the palette command in, the screen's rows, the keys' effects
//! on the list, the bulk edit and the export out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::state::{ReportData, ReportKind};
use crate::api::model::Customer;
use crate::app::bulk::state::{BulkStage, Choice};
use crate::app::effect::Effect;
use crate::app::keymap::map_key;
use crate::app::kinds::{Focus, Mode, Tab};
use crate::app::state::App;
use crate::app::{fixtures, update};
use crate::flows::bulk::BulkChange;

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

fn run(app: &mut App, line: &str) -> Vec<Effect> {
    let mut fx = key(app, KeyCode::Char(':'));
    for c in line.chars() {
        fx.extend(key(app, KeyCode::Char(c)));
    }
    fx.extend(key(app, KeyCode::Enter));
    fx
}

fn customer(v: serde_json::Value) -> Customer {
    serde_json::from_value(v).unwrap()
}

/// Six customers: three referred by spellings of one source, one by another customer, one by
/// Google, one without a source; two names off the house style; one complete profile.
fn account() -> Vec<Customer> {
    vec![
        customer(json!({
            "id": 1, "business_name": "Acme Dental LLC", "email": "office@acme.test",
            "phone": "5551234567", "address": "1 Main St", "city": "Salem",
            "referred_by": "ABC Co", "created_at": "2024-01-05T10:00:00.000-05:00",
            "contacts": [
                {"id": 10, "name": "Sandra", "properties": {"title": "Decision Maker - Owner"}},
                {"id": 11, "name": "Priya", "properties": {"title": "Billing Contact - AP"}},
            ],
        })),
        customer(json!({
            "id": 2, "business_name": "BRIGHT SMILES inc", "referred_by": "ABC Company",
            "created_at": "2024-02-05T10:00:00.000-05:00",
        })),
        customer(json!({
            "id": 3, "business_name": "Cedar  and Pine", "referred_by": "abc co.",
            "created_at": "2024-02-07T10:00:00.000-05:00",
        })),
        customer(json!({
            "id": 4, "business_name": "Delta Corp.", "ref_customer_id": 1,
            "created_at": "2024-03-05T10:00:00.000-05:00",
        })),
        customer(json!({
            "id": 5, "business_name": "Echo Ltd", "referred_by": "Google",
            "created_at": "2024-03-06T10:00:00.000-05:00",
        })),
        customer(json!({
            "id": 6, "firstname": "Fay", "lastname": "Home",
            "created_at": "2024-03-07T10:00:00.000-05:00",
        })),
    ]
}

fn app() -> App {
    let items = account();
    let n = items.len() as u64;
    fixtures::app_with((120, 40), items, 1, n)
}

fn report(app: &App) -> &super::state::ReportView {
    app.stack.report().expect("a report is open")
}

#[test]
fn referrals_group_spellings_and_enter_lists_the_sources_customers() {
    let mut app = app();
    run(&mut app, "referrals");
    assert_eq!(app.mode(), Mode::Report);
    let ReportData::Referrals(r) = &report(&app).data else {
        panic!("not the referral report");
    };
    assert_eq!(r.total, 6);
    assert_eq!(r.unattributed, 1);
    let first = &r.groups[0];
    assert_eq!((first.label.as_str(), first.count), ("ABC Co", 3));
    assert!(
        first
            .note
            .as_deref()
            .unwrap()
            .contains("3 spellings grouped")
    );
    // The referring customer is named.
    assert!(r.groups.iter().any(|g| g.label == "Acme Dental LLC"));
    // Enter: the list shows that source's customers only, and says so.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    let shown: Vec<u64> = app
        .list
        .shown
        .iter()
        .map(|&i| app.list.rows[i].id())
        .collect();
    let mut sorted = shown.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 2, 3]);
    assert_eq!(app.focus, Focus::List);
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("referred by ABC Co")
    );
    // Esc on the list shows every customer again.
    key(&mut app, KeyCode::Esc);
    assert!(app.list.only.is_none());
    assert_eq!(app.list.shown.len(), 6);
}

#[test]
fn referrals_export_as_csv_and_nothing_to_export_writes_no_file() {
    let mut app = app();
    run(&mut app, "referrals");
    let fx = key(&mut app, KeyCode::Char('x'));
    let Some(Effect::Export {
        stem, text, what, ..
    }) = fx.first()
    else {
        panic!("no export: {fx:?}");
    };
    assert_eq!(stem, "referrals");
    assert_eq!(what, "3 referral sources");
    let body = text.trim_start_matches('\u{feff}');
    assert!(body.starts_with("source,kind,customer_id,customers,note,2024-01,2024-02,2024-03"));
    assert!(body.contains("ABC Co,text,,3,"));
    // An account where no one has a source: no file, and the status line says why.
    let items = vec![customer(json!({"id": 9, "business_name": "Solo Inc."}))];
    let mut app = fixtures::app_with((120, 40), items, 1, 1);
    run(&mut app, "referrals");
    let fx = key(&mut app, KeyCode::Char('x'));
    assert!(
        fx.iter().all(|e| !matches!(e, Effect::Export { .. })),
        "{fx:?}"
    );
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("Nothing to export")
    );
}

#[test]
fn names_lists_the_names_off_style_and_e_fixes_them_through_the_bulk_edit() {
    let mut app = app();
    run(&mut app, "names");
    let ReportData::Names(rows) = &report(&app).data else {
        panic!("not the names report");
    };
    let fixed: Vec<(u64, &str)> = rows.iter().map(|r| (r.id, r.fixed.as_str())).collect();
    assert_eq!(fixed, [(2, "Bright Smiles Inc."), (3, "Cedar & Pine")]);
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.mode(), Mode::Bulk);
    let b = app.stack.bulk().unwrap();
    assert_eq!(b.current(), Choice::HouseName);
    let BulkStage::Preview { plan, .. } = &b.stage else {
        panic!("not at the preview: {:?}", b.stage);
    };
    assert!(matches!(plan.change, BulkChange::HouseName { .. }));
    let preview: Vec<(u64, String, String)> = plan
        .preview()
        .into_iter()
        .map(|r| (r.id, r.old, r.new))
        .collect();
    assert_eq!(
        preview,
        [
            (2, "BRIGHT SMILES inc".into(), "Bright Smiles Inc.".into()),
            (3, "Cedar  and Pine".into(), "Cedar & Pine".into()),
        ]
    );
    assert_eq!(plan.to_write(), 2);
    // Nothing was marked: the screen does not say so.
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("Bulk edit · 2 customers"), "{screen}");
    assert!(!screen.contains("marked"), "{screen}");
    // Nothing is sent before the question is answered.
    let fx = key(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(app.mode(), Mode::Dialog);
}

#[test]
fn names_enter_opens_the_customer_even_when_the_search_hid_it() {
    let mut app = app();
    crate::app::panes::set_search(&mut app, "Echo");
    run(&mut app, "names");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.list.selected().map(|r| r.id()), Some(3));
    assert_eq!(app.focus, Focus::Detail);
    assert_eq!(app.detail.tab, Tab::Overview);
}

#[test]
fn incomplete_lists_what_each_customer_lacks_and_follows_the_config() {
    let mut app = app();
    run(&mut app, "incomplete");
    let ReportData::Incomplete(rows) = &report(&app).data else {
        panic!("not the incomplete report");
    };
    let ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
    // Acme Dental (1) is complete; everyone else lacks something.
    assert_eq!(ids, [2, 3, 4, 5, 6]);
    let fay = rows.iter().find(|r| r.id == 6).unwrap();
    // A residential customer is its own billing contact and decision maker.
    assert_eq!(
        fay.missing,
        [
            crate::house::Missing::Phone,
            crate::house::Missing::Address,
            crate::house::Missing::Email
        ]
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.list.selected().map(|r| r.id()), Some(2));
    assert_eq!(app.focus, Focus::Detail);
    // Only the phone required: the customers with a phone drop out.
    let mut app = app_with_rules();
    run(&mut app, "incomplete");
    let ReportData::Incomplete(rows) = &report(&app).data else {
        panic!();
    };
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );
    assert!(
        rows.iter()
            .all(|r| r.missing == [crate::house::Missing::Phone])
    );
}

fn app_with_rules() -> App {
    let mut app = app();
    app.config.house.required = crate::config::house::Completeness {
        phone: true,
        address: false,
        email: false,
        billing_contact: false,
        decision_maker: false,
        ..Default::default()
    };
    app
}

#[test]
fn a_report_closes_back_to_the_list_and_kinds_name_their_command() {
    let mut app = app();
    run(&mut app, "inc");
    assert_eq!(report(&app).kind(), ReportKind::Incomplete);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.stack.report().is_none());
    assert_eq!(ReportKind::Names.command(), ":names");
}

#[test]
fn the_onboarding_review_counts_the_contacts_it_creates() {
    use crate::flows::onboard::{Onboarding, Role};
    use crate::house::Missing;
    let patch = |v: serde_json::Value| v.as_object().unwrap().clone();
    let mut onb = Onboarding {
        customer: patch(json!({"business_name": "Harbor Dental", "email": "hi@harbor.test"})),
        primary_contact: patch(json!({"name": "Sam", "email": "sam@harbor.test"})),
        extra_contacts: Vec::new(),
    };
    let rules = crate::config::house::Completeness::default();
    // The primary contact is the decision maker; no billing contact, phone or address yet.
    assert_eq!(
        super::state::onboarding_missing(&onb, &rules),
        [Missing::Phone, Missing::Address, Missing::BillingContact]
    );
    onb.extra_contacts
        .push((Role::Billing, patch(json!({"name": "Bo"}))));
    onb.customer.insert("phone".into(), json!("5035550100"));
    assert_eq!(
        super::state::onboarding_missing(&onb, &rules),
        [Missing::Address]
    );
}
