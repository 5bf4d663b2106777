//! Mirror benchmarks: search per keystroke over 100,000 customers and 200,000 contacts, building
//! that index, and loading a mirror file of 20,000 customers and 40,000 contacts.
//!
//! `cargo bench --bench search`

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, LazyLock};

use divan::Bencher;
use serde_json::json;
use syncro_tui::api::model::{Contact, Customer, Id, Properties};
use syncro_tui::mirror::{self, Mirror, SearchIndex, Searcher};

fn main() {
    divan::main();
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "José",
    "Zoë",
    "Björn",
    "Chloé",
    "Mohammed",
    "Aiko",
    "Wei",
    "Priya",
    "Olumide",
    "Siobhan",
    "Łukasz",
    "Ana",
    "Renée",
    "Dmitri",
    "Fatima",
    "Mateo",
    "Ingrid",
    "Kenji",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Müller",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Andersson",
    "Yamamoto",
    "Okafor",
    "Dubois",
];
const COMPANY_A: &[&str] = &[
    "Acme",
    "Summit",
    "Riverside",
    "Pinnacle",
    "Blue Ridge",
    "Golden Gate",
    "Northwind",
    "Evergreen",
    "Lakeside",
    "Harbor",
    "Redwood",
    "Silver Oak",
    "Maple",
    "Keystone",
    "Frontier",
    "Cedar",
    "Horizon",
    "Liberty",
    "Granite",
    "Sunrise",
    "Oakwood",
    "Coastal",
    "Metro",
    "Prairie",
];
const COMPANY_B: &[&str] = &[
    "Dental",
    "Law Group",
    "Veterinary Clinic",
    "Accounting",
    "Realty",
    "Auto Repair",
    "Bakery",
    "Family Medicine",
    "Construction",
    "Insurance Agency",
    "Pharmacy",
    "Chiropractic",
    "Architects",
    "Plumbing",
    "Logistics",
    "Consulting",
    "Printing",
    "Fitness",
    "Café",
    "Florist",
];
const SUFFIX: &[&str] = &["", " LLC", " Inc", " Ltd", " & Sons", " Co", " GmbH", " PC"];
const CITY: &[&str] = &[
    "Springfield",
    "Riverside",
    "Franklin",
    "Greenville",
    "Bristol",
    "Clinton",
    "Fairview",
    "Salem",
    "Madison",
    "Georgetown",
    "Arlington",
    "Ashland",
    "Burlington",
    "Manchester",
    "Montréal",
    "München",
    "Zürich",
    "Kraków",
    "São Paulo",
    "Dayton",
];
const STREET: &[&str] = &[
    "Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St",
];
const TITLE: &[&str] = &[
    "Owner",
    "IT Manager",
    "Office Manager",
    "Billing Contact",
    "Practice Manager",
    "CEO",
    "CFO",
    "Receptionist",
    "Operations Director",
    "Head of IT",
    "Bookkeeper",
    "Partner",
];

/// A small deterministic generator (xorshift): the same data on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// `customers` customers with two contacts each on average (0 to 4).
fn generate(customers: usize, seed: u64) -> Vec<Customer> {
    let mut rng = Rng(seed | 1);
    let mut contact_id: Id = 5_000_000;
    (0..customers)
        .map(|i| {
            let first = rng.pick(FIRST);
            let last = rng.pick(LAST);
            let residential = rng.next().is_multiple_of(4);
            let business = (!residential).then(|| {
                format!(
                    "{} {}{}",
                    rng.pick(COMPANY_A),
                    rng.pick(COMPANY_B),
                    rng.pick(SUFFIX)
                )
            });
            let domain = match &business {
                Some(b) => format!("{}.example", slug(b)),
                None => "mail.example".to_string(),
            };
            let id = 20_000_000 + i as Id;
            let n_contacts = (rng.next() % 5) as usize;
            let contacts = (0..n_contacts)
                .map(|_| {
                    contact_id += 1;
                    let cf = rng.pick(FIRST);
                    let cl = rng.pick(LAST);
                    let mut properties = Properties::new();
                    properties.insert("title".into(), json!(rng.pick(TITLE)));
                    Contact {
                        id: contact_id,
                        customer_id: Some(id),
                        name: Some(format!("{cf} {cl}")),
                        email: Some(format!("{}.{}@{domain}", slug(cf), slug(cl))),
                        phone: Some(format!(
                            "{}.{}.{} x{}",
                            rng.digits(3),
                            rng.digits(3),
                            rng.digits(4),
                            rng.digits(3)
                        )),
                        mobile: rng.next().is_multiple_of(2).then(|| rng.digits(10)),
                        city: Some(rng.pick(CITY).to_string()),
                        properties,
                        ..Default::default()
                    }
                })
                .collect();
            let mut properties = Properties::new();
            properties.insert("Managed Status".into(), json!("Gold"));
            Customer {
                id,
                firstname: Some(first.into()),
                lastname: Some(last.into()),
                fullname: Some(format!("{first} {last}")),
                business_then_name: Some(business.clone().unwrap_or(format!("{first} {last}"))),
                business_name: business,
                email: Some(format!("{}@{domain}", slug(first))),
                phone: Some(rng.digits(10)),
                mobile: rng.next().is_multiple_of(3).then(|| rng.digits(10)),
                address: Some(format!("{} {}", rng.next() % 9000 + 100, rng.pick(STREET))),
                city: Some(rng.pick(CITY).to_string()),
                state: Some("OH".into()),
                zip: Some(rng.digits(5)),
                notes: rng.next().is_multiple_of(5).then(|| {
                    "Prefers e-mail. Server room key at the front desk.\nBackups checked monthly."
                        .to_string()
                }),
                properties,
                contacts,
                ..Default::default()
            }
        })
        .collect()
}

static BIG: LazyLock<Vec<Customer>> = LazyLock::new(|| {
    let customers = generate(100_000, 42);
    print_rss("100k customers + 200k contacts loaded");
    customers
});

/// Resident memory so far (the budget is 300 MB with 100k customers loaded).
fn print_rss(what: &str) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(rss) = status.lines().find(|l| l.starts_with("VmRSS:")) {
        eprintln!("{what}: {}", rss.trim_start_matches("VmRSS:").trim());
    }
}
static BIG_INDEX: LazyLock<Arc<SearchIndex>> = LazyLock::new(|| {
    let index = Arc::new(SearchIndex::from_customers(&BIG));
    print_rss("... and their search index");
    index
});

/// A fresh query (no narrowing from a previous one): the cost of the worst keystroke.
#[divan::bench(args = ["j", "jo", "john", "acme dental", "ental", "smith@", "555 12", "jonsn", "münchen", "zzzq"])]
fn search_100k_fresh(bencher: Bencher, query: &str) {
    let index = &*BIG_INDEX;
    bencher.bench(|| index.search(divan::black_box(query), 50));
}

/// Typing a word one character at a time, each keystroke narrowing the previous results; the
/// figure is for the whole word (divide by its length for one keystroke).
#[divan::bench(args = ["johnson", "riverside dental", "billing", "kowalski"])]
fn search_100k_typing(bencher: Bencher, word: &str) {
    let prefixes: Vec<&str> = word
        .char_indices()
        .map(|(i, c)| &word[..i + c.len_utf8()])
        .collect();
    bencher
        .with_inputs(|| Searcher::new(Arc::clone(&BIG_INDEX)))
        .bench_local_refs(|searcher| {
            let mut shown = 0;
            for p in &prefixes {
                shown += searcher.search(p, 50).hits.len();
            }
            shown
        });
}

/// Building the index of 100,000 customers and their 200,000 contacts.
#[divan::bench(sample_count = 5)]
fn build_index_100k() -> SearchIndex {
    SearchIndex::from_customers(&BIG)
}

static MIRROR_FILE: LazyLock<(tempfile::TempDir, usize)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut m = Mirror::new("http://127.0.0.1:1/api/v1");
    let mut customers = generate(20_000, 7);
    // Exactly 40,000 contacts: two each.
    for c in &mut customers {
        c.contacts.truncate(2);
        while c.contacts.len() < 2 {
            let mut k = c.contacts.first().cloned().unwrap_or_default();
            k.id = c.id * 10 + c.contacts.len() as Id;
            k.customer_id = Some(c.id);
            k.name = Some(format!("Contact {}", k.id));
            c.contacts.push(k);
        }
    }
    m.replace_all(customers);
    let contacts = m.contact_count();
    mirror::store::save(dir.path(), "bench", &m).expect("save");
    (dir, contacts)
});

/// Loading a mirror of 20,000 customers and 40,000 contacts from its file (start-up path).
#[divan::bench(sample_count = 20)]
fn load_20k_mirror(bencher: Bencher) {
    let (dir, contacts) = &*MIRROR_FILE;
    assert_eq!(*contacts, 40_000);
    bencher.bench(|| match mirror::store::load(dir.path(), "bench") {
        mirror::LoadOutcome::Loaded(m) => m,
        other => panic!("mirror not loaded: {other:?}"),
    });
}

/// Saving the same mirror (after a sync).
#[divan::bench(sample_count = 10)]
fn save_20k_mirror(bencher: Bencher) {
    let (dir, _) = &*MIRROR_FILE;
    let mirror::LoadOutcome::Loaded(m) = mirror::store::load(dir.path(), "bench") else {
        panic!("mirror not loaded");
    };
    bencher.bench(|| mirror::store::save(dir.path(), "bench-save", &m).expect("save"));
}
