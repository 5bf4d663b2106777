//! Decoding one page of 100 customers as Syncro sends it (embedded contacts, custom properties,
//! offset timestamps, `""` and `null` mixed), through the client's lenient models.
//!
//! Run: `cargo bench --bench decode`

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::{Bencher, black_box};
use serde_json::{Value, json};
use syncro_tui::api::model::{Contact, Customer, Page};

fn main() {
    divan::main();
}

const FIRST: &[&str] = &[
    "Anna", "José", "Chen", "Fatima", "Liam", "Søren", "Aiko", "Omar", "Zoë", "Raj",
];
const LAST: &[&str] = &[
    "Schmidt",
    "García",
    "Wang",
    "Al-Sayed",
    "O'Brien",
    "Nørgaard",
    "Tanaka",
    "Haddad",
    "Dubois",
    "Patel",
];
const TITLES: &[&str] = &[
    "Owner",
    "IT Manager",
    "Office Manager",
    "Billing Contact",
    "",
];

fn timestamp(i: usize) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+02:00",
        i % 12 + 1,
        i % 28 + 1,
        i % 24,
        i % 60,
        (i * 7) % 60,
        (i * 37) % 1000
    )
}

fn contact(customer_id: usize, j: usize) -> Value {
    let i = customer_id * 10 + j;
    json!({
        "id": 7_000_000 + i, "name": format!("{} {}", FIRST[i % 10], LAST[(i / 3) % 10]),
        "address1": if j.is_multiple_of(2) { json!("") } else { json!(format!("{} Main St", i % 900)) },
        "address2": null, "city": "Springfield", "state": "IL", "zip": "62701",
        "email": format!("contact{i}@example{}.com", customer_id % 40),
        "phone": "657.325.3258 x330", "mobile": if j.is_multiple_of(3) { json!(null) } else { json!("(133) 358-5295") },
        "latitude": null, "longitude": null, "customer_id": customer_id, "account_id": 1,
        "notes": if j == 0 { "Prefers e-mail.\nCall only after 2pm." } else { "" },
        "created_at": timestamp(i), "updated_at": timestamp(i + 5),
        "vendor_id": null, "properties": {"title": TITLES[i % TITLES.len()]},
        "opt_out": false, "extension": null, "processed_phone": "6573253258",
        "processed_mobile": "1333585295", "ticket_matching_emails": ""
    })
}

fn customer(i: usize) -> Value {
    let business = !i.is_multiple_of(4);
    let first = FIRST[i % 10];
    let last = LAST[(i / 10) % 10];
    let bname = format!(
        "{} {} LLC",
        LAST[(i * 7) % 10],
        ["Dental", "Logistics", "Bakery", "Law"][i % 4]
    );
    let full = format!("{first} {last}");
    let contacts: Vec<Value> = (0..i % 5).map(|j| contact(i, j)).collect();
    json!({
        "id": 20_000_000 + i, "firstname": first, "lastname": last, "fullname": full,
        "business_name": if business { json!(bname) } else { json!("") },
        "email": format!("office{i}@example.com"), "phone": format!("555{:07}", i * 7919 % 10_000_000),
        "mobile": if i.is_multiple_of(2) { json!("") } else { json!(null) },
        "created_at": timestamp(i), "updated_at": timestamp(i + 1),
        "pdf_url": null, "address": format!("{} Market Street", i % 500), "address_2": "",
        "city": "Köln", "state": "", "zip": "50667", "latitude": 50.9375, "longitude": 6.9603,
        "notes": if i.is_multiple_of(7) { "Long notes.\nSecond line with details about the network.\nThird." } else { "" },
        "get_sms": true, "opt_out": false, "disabled": i.is_multiple_of(50), "no_email": "0",
        "location_name": null, "location_id": null,
        "properties": {"Managed Status": "Managed", "notification_billing": "1", "Customer Type": if business { "Business" } else { "Residential" }},
        "online_profile_url": format!("https://example.syncromsp.com/my_profile/v2/{i}"),
        "tax_rate_id": "", "notification_email": "", "invoice_cc_emails": "",
        "invoice_term_id": null, "referred_by": "", "ref_customer_id": null,
        "business_and_full_name": if business { format!("{bname} - {full}") } else { full.clone() },
        "business_then_name": if business { bname.clone() } else { full.clone() },
        "contacts": contacts
    })
}

fn customer_page() -> String {
    let customers: Vec<Value> = (0..100).map(customer).collect();
    serde_json::to_string(&json!({
        "customers": customers,
        "meta": {"total_pages": 100, "total_entries": 10_000, "per_page": 100, "page": 1}
    }))
    .unwrap()
}

fn contact_page() -> String {
    let contacts: Vec<Value> = (0..50).map(|j| contact(j / 5, j % 5)).collect();
    serde_json::to_string(&json!({
        "contacts": contacts,
        "meta": {"total_pages": 200, "total_entries": 10_000, "per_page": 50, "page": 1}
    }))
    .unwrap()
}

/// One page of 100 customers with about 200 embedded contacts (~190 KB of JSON).
#[divan::bench]
fn customers_page_of_100(bencher: Bencher) {
    let json = customer_page();
    bencher
        .counter(divan::counter::BytesCount::new(json.len()))
        .bench(|| {
            let page: Page<Customer> = serde_json::from_str(black_box(&json)).unwrap();
            assert_eq!(page.items.len(), 100);
            page
        });
}

/// One page of 50 contacts.
#[divan::bench]
fn contacts_page_of_50(bencher: Bencher) {
    let json = contact_page();
    bencher
        .counter(divan::counter::BytesCount::new(json.len()))
        .bench(|| {
            let page: Page<Contact> = serde_json::from_str(black_box(&json)).unwrap();
            assert_eq!(page.items.len(), 50);
            page
        });
}

/// The floor: the same page parsed into untyped `serde_json::Value`.
#[divan::bench]
fn customers_page_as_value(bencher: Bencher) {
    let json = customer_page();
    bencher
        .counter(divan::counter::BytesCount::new(json.len()))
        .bench(|| serde_json::from_str::<Value>(black_box(&json)).unwrap());
}
