//! Fixture data for tests and benchmarks: a handful of recognisable customers, several with
//! hostile text (escape sequences, bidi overrides, zero-width characters, wide CJK and emoji),
//! and a fast generator of many plain ones. Built in code so that tests need no server.

use chrono::{DateTime, Duration};
use serde_json::json;

use super::{Action, App, AppConfig};
use crate::api::model::{
    Asset, Contact, Customer, Id, Invoice, Meta, Page, Properties, Ticket, Timestamp,
};

fn ts(days: i64) -> Option<Timestamp> {
    let base = DateTime::parse_from_rfc3339("2024-03-05T15:14:24.066+02:00").ok()?;
    Some(base - Duration::days(days))
}

fn props(v: serde_json::Value) -> Properties {
    v.as_object().cloned().unwrap_or_default().into()
}

fn contact(id: Id, customer: Id, name: &str, title: &str, email: &str, phone: &str) -> Contact {
    Contact {
        id,
        customer_id: Some(customer),
        name: Some(name.into()),
        email: (!email.is_empty()).then(|| email.into()),
        phone: (!phone.is_empty()).then(|| phone.into()),
        properties: props(json!({ "title": title })),
        updated_at: ts(3),
        ..Contact::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn customer(
    id: Id,
    business: Option<&str>,
    first: &str,
    last: &str,
    email: &str,
    phone: &str,
    city: &str,
    age_days: i64,
) -> Customer {
    let fullname = format!("{first} {last}").trim().to_string();
    Customer {
        id,
        business_name: business.map(str::to_string),
        firstname: Some(first.into()),
        lastname: Some(last.into()),
        fullname: Some(fullname.clone()),
        business_then_name: Some(business.map_or(fullname, str::to_string)),
        email: (!email.is_empty()).then(|| email.into()),
        phone: (!phone.is_empty()).then(|| phone.into()),
        city: (!city.is_empty()).then(|| city.into()),
        state: Some("IL".into()),
        zip: Some("62701".into()),
        created_at: ts(age_days),
        updated_at: ts(age_days / 2),
        ..Customer::default()
    }
}

/// Twelve customers, the first ones friendly, then the hostile ones.
pub fn customers() -> Vec<Customer> {
    let mut acme = customer(
        21000001,
        Some("Acme Plumbing, Inc."),
        "Jane",
        "Doe",
        "office@acme.test",
        "5551234567",
        "Springfield",
        400,
    );
    acme.mobile = Some("5559876543".into());
    acme.address = Some("12 Main Street".into());
    acme.address_2 = Some("Suite 4".into());
    acme.referred_by = Some("Chamber of Commerce".into());
    acme.tax_rate_id = Some(7);
    acme.notes = Some(
        "Gate code 4411.\nServer closet is behind reception; ask for Bob.\nBackups run nightly at 02:00."
            .into(),
    );
    acme.properties = props(json!({"Customer Type": "Business", "Managed Status": "Managed"}));
    acme.contacts = vec![
        contact(
            31000001,
            21000001,
            "Bob Builder",
            "Owner",
            "bob@acme.test",
            "555.123.4568",
        ),
        contact(
            31000002,
            21000001,
            "Alice Ng",
            "IT Manager",
            "alice@acme.test",
            "555-123-4569 x12",
        ),
        contact(
            31000003,
            21000001,
            "Carl Accounts",
            "Billing Contact",
            "billing@acme.test",
            "",
        ),
    ];
    acme.contacts[1].notes = Some("Prefers e-mail.\nOn call Tuesdays.".into());

    let mut evil = customer(
        21000002,
        Some("Evil\x1b]0;pwned\x07 Corp\x1b[2J\x1b[31m"),
        "Mallory",
        "\x1b[5mBlink",
        "mallory@evil.test\x1b]52;c;ZXZpbA==\x07",
        "5550001111",
        "Gotham\r\nCity",
        90,
    );
    evil.notes = Some("Bell\x07 and \x1b[?1049l leave-alt-screen in the notes.".into());
    evil.contacts = vec![contact(
        31000010,
        21000002,
        "Eve \u{202E}lanretni\u{202C}",
        "Spy\x1b[0m",
        "eve@evil.test",
        "",
    )];

    let bidi = customer(
        21000003,
        Some("Bidi \u{202E}exe.gnp\u{202C} Trading"),
        "Omar",
        "\u{2067}Haddad\u{2069}",
        "omar@bidi.test",
        "5552223333",
        "Dubai",
        60,
    );
    let zw = customer(
        21000004,
        Some("Zero\u{200B}Width\u{FEFF} Ltd"),
        "Zoë",
        "Ångström",
        "z\u{200D}oe@zw.test",
        "4930123456789",
        "Berlin",
        30,
    );
    let mut cjk = customer(
        21000005,
        Some("株式会社 東京システム開発"),
        "太郎",
        "山田",
        "yamada@tokyo.test",
        "81312345678",
        "東京",
        20,
    );
    cjk.contacts = vec![contact(
        31000020,
        21000005,
        "佐藤 花子",
        "総務部長",
        "sato@tokyo.test",
        "+81 3-1234-5679",
    )];
    let emoji = customer(
        21000006,
        Some("Café 🚀 Rocket Repairs 👩‍👩‍👧"),
        "Léa",
        "Dubois",
        "lea@rocket.test",
        "5554445555",
        "Montréal",
        10,
    );
    let residential = customer(
        21000007,
        None,
        "María José",
        "García",
        "mjgarcia@home.test",
        "5556667777",
        "Austin",
        5,
    );
    let mut disabled = customer(
        21000008,
        Some("Old Client LLC"),
        "Ole",
        "Gone",
        "old@client.test",
        "5550000000",
        "Nowhere",
        900,
    );
    disabled.disabled = true;
    let long = customer(
        21000009,
        Some("The Extraordinarily Long Business Name Holdings and Subsidiaries International"),
        "Maximilian",
        "Von Longname-Hyphenated",
        "a.very.long.address.for.testing@subdomain.example-company.test",
        "5558889999",
        "Llanfairpwllgwyngyll",
        700,
    );
    let mut v = vec![
        acme,
        evil,
        bidi,
        zw,
        cjk,
        emoji,
        residential,
        disabled,
        long,
    ];
    for i in 10..13u64 {
        v.push(customer(
            21000000 + i,
            Some(&format!("Northwind Branch {i:02}")),
            "Pat",
            &format!("Smith{i}"),
            &format!("branch{i}@northwind.test"),
            &format!("55510000{i:02}"),
            "Seattle",
            i as i64 * 3,
        ));
    }
    v
}

/// `n` plain customers, for benchmarks and paging tests.
pub fn many(n: usize) -> Vec<Customer> {
    const CITIES: [&str; 6] = [
        "Springfield",
        "Seattle",
        "Austin",
        "Berlin",
        "Toronto",
        "Leeds",
    ];
    (0..n)
        .map(|i| {
            let mut c = customer(
                30_000_000 + i as u64,
                Some(&format!("Company {i:06} Services")),
                "Sam",
                &format!("Tech{i}"),
                &format!("contact{i}@company{}.test", i % 997),
                &format!("555{:07}", i % 10_000_000),
                CITIES[i % CITIES.len()],
                (i % 1000) as i64,
            );
            c.contacts = vec![contact(
                40_000_000 + i as u64,
                c.id,
                &format!("Helper {i}"),
                "Office Manager",
                &format!("helper{i}@company{}.test", i % 997),
                "",
            )];
            c
        })
        .collect()
}

/// A page as the server would send it.
pub fn page<T>(items: Vec<T>, page: u64, total_pages: u64, total_entries: u64) -> Page<T> {
    Page {
        items,
        meta: Meta {
            total_pages: Some(total_pages),
            total_entries: Some(total_entries),
            per_page: Some(100),
            page: Some(page),
        },
    }
}

pub fn tickets(customer_id: Id) -> Vec<Ticket> {
    let t = |id: Id, n: &str, subject: &str, status: &str, age: i64| Ticket {
        id,
        number: Some(n.into()),
        subject: Some(subject.into()),
        status: Some(status.into()),
        customer_id: Some(customer_id),
        created_at: ts(age),
        updated_at: ts(age / 2),
        ..Ticket::default()
    };
    vec![
        t(
            900000001,
            "1041",
            "Printer offline on 2nd floor",
            "Resolved",
            40,
        ),
        t(
            900000002,
            "1077",
            "New laptop for \x1b[1mreception\x1b[0m",
            "In Progress",
            6,
        ),
        t(900000003, "1090", "VPN drops every hour", "New", 1),
    ]
}

pub fn assets(customer_id: Id) -> Vec<Asset> {
    let a = |id: Id, name: &str, kind: &str, serial: &str| Asset {
        id,
        name: Some(name.into()),
        asset_type: Some(kind.into()),
        asset_serial: Some(serial.into()),
        customer_id: Some(customer_id),
        ..Asset::default()
    };
    vec![
        a(800000001, "RECEPTION-PC", "Desktop", "SN-4F2A-1193"),
        a(800000002, "Main Firewall", "Network", "FG60F-77321"),
        a(800000003, "NAS-01", "Storage", "DS920-00981"),
    ]
}

pub fn invoices(customer_id: Id, other: Id) -> Vec<Invoice> {
    let i = |id: Id, cust: Id, n: &str, total: &str, paid: bool, age: i64| Invoice {
        id,
        customer_id: Some(cust),
        number: Some(n.into()),
        total: Some(total.into()),
        is_paid: Some(paid),
        date: ts(age),
        ..Invoice::default()
    };
    vec![
        i(700000001, customer_id, "INV-2041", "149.99", true, 60),
        i(700000002, other, "INV-2042", "20.00", false, 50),
        i(700000003, customer_id, "INV-2077", "1250.00", false, 5),
    ]
}

/// The configuration the fixtures' app runs with.
pub fn config() -> AppConfig {
    AppConfig {
        server: "https://acme.syncromsp.com/api/v1".into(),
        demo: false,
        read_only: false,
        web_base: Some("https://acme.syncromsp.com".into()),
        config_path: "/home/tech/.config/syncro-tui/config.toml".into(),
        log_path: "/home/tech/.local/share/syncro-tui/syncro-tui.log".into(),
        startup_problem: None,
        color: true,
        light: false,
        mouse: false,
        customer_type_property: "Customer Type".into(),
        ..AppConfig::default()
    }
}

/// An app of the given size with `items` loaded as the first of `total_pages` pages.
pub fn app_with(
    size: (u16, u16),
    items: Vec<Customer>,
    total_pages: u64,
    total_entries: u64,
) -> App {
    let mut app = App::new(config());
    super::update(&mut app, Action::Resize(size.0, size.1));
    let fx = super::update::start(&mut app);
    let generation = match fx.first() {
        Some(super::Effect::LoadCustomers { generation, .. }) => *generation,
        _ => 0,
    };
    super::update(
        &mut app,
        Action::CustomersLoaded {
            generation,
            page: 1,
            result: Ok(page(items, 1, total_pages, total_entries)),
        },
    );
    app
}

/// The fixture customers (without the disabled one, which the server hides) as the only page.
pub fn app(size: (u16, u16)) -> App {
    let items: Vec<Customer> = customers().into_iter().filter(|c| !c.disabled).collect();
    let n = items.len() as u64;
    app_with(size, items, 1, n)
}

/// Tickets, assets and invoices whose text is hostile (escape sequences, bidi overrides,
/// zero-width characters), for the hostile customer's tabs.
pub fn hostile_tickets(customer_id: Id) -> Vec<Ticket> {
    vec![Ticket {
        id: 900000099,
        number: Some("66\x1b[2J6".into()),
        subject: Some("Reset \u{202E}drowssap\u{202C} for \x1b]0;owned\x07 Mallory\u{200B}".into()),
        status: Some("New\x1b[5m".into()),
        customer_id: Some(customer_id),
        created_at: ts(3),
        updated_at: ts(1),
        ..Ticket::default()
    }]
}

pub fn hostile_assets(customer_id: Id) -> Vec<Asset> {
    vec![Asset {
        id: 800000099,
        name: Some("EVIL-PC\x1b[?1049l".into()),
        asset_type: Some("Desk\u{202E}pot\u{202C}".into()),
        asset_serial: Some("SN\x07-\u{200B}666".into()),
        customer_id: Some(customer_id),
        ..Asset::default()
    }]
}

pub fn hostile_invoices(customer_id: Id) -> Vec<Invoice> {
    vec![Invoice {
        id: 700000099,
        customer_id: Some(customer_id),
        number: Some("INV-\x1b[31m666".into()),
        total: Some("6.66\u{202E}".into()),
        is_paid: Some(false),
        date: ts(2),
        ..Invoice::default()
    }]
}
