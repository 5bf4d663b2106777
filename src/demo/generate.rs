//! Deterministic demo data: the curated records of `assets/demo/curated.json` first, then
//! generated MSP customers (businesses of many kinds, residential customers, near-duplicates,
//! names in many scripts) with contacts, tickets, assets and invoices.
//!
//! The same seed always gives the same data: a small self-contained PRNG (SplitMix64) drives
//! everything, and all dates are relative to a fixed anchor rather than the clock.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::store::{
    AssetRec, ContactRec, CustomerRec, Data, InvoiceRec, Millis, Props, TICKET_STATUSES, TicketRec,
    digits,
};

/// 2026-10-01T00:00:00Z: generated dates lie in the years before it.
const ANCHOR: Millis = 1_790_812_800_000;
const DAY: Millis = 86_400_000;
const YEAR: Millis = 365 * DAY;

const FIRST_CUSTOMER_ID: u64 = 21_403_117;
const FIRST_CONTACT_ID: u64 = 1_204_551;
const FIRST_TICKET_ID: u64 = 104_331_207;
const FIRST_TICKET_NUMBER: u64 = 10_450;
const FIRST_ASSET_ID: u64 = 3_100_450;
const FIRST_INVOICE_ID: u64 = 98_200_000;
const FIRST_INVOICE_NUMBER: u64 = 1_001;

/// The curated set is the same for every seed, so the demo always opens on the same records.
const CURATED_SEED: u64 = 0x5EED_C0DE;

/// SplitMix64: tiny, fast, and stable across dependency upgrades (unlike a library RNG).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x2545_F491_4F6C_DD1D)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as u64) as i64
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "David",
    "Linda",
    "William",
    "Elizabeth",
    "Richard",
    "Barbara",
    "Joseph",
    "Susan",
    "Thomas",
    "Jessica",
    "Christopher",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Nancy",
    "Anthony",
    "Lisa",
    "Mark",
    "Betty",
    "Steven",
    "Sandra",
    "Andrew",
    "Ashley",
    "Kevin",
    "Emily",
    "Brian",
    "Michelle",
    "George",
    "Amanda",
    "Luis",
    "Carmen",
    "José",
    "María",
    "François",
    "Zoë",
    "Björn",
    "Łukasz",
    "Renée",
    "Søren",
    "Chloé",
    "Mateo",
    "Priya",
    "Wei",
    "Hiroshi",
    "Aisha",
    "Omar",
    "Olga",
    "Dmitri",
    "Fatima",
    "Ngozi",
    "Kwame",
    "Siobhán",
    "Aoife",
    "Mikael",
    "Inés",
    "Raúl",
    "Thuy",
    "Minh",
    "Rohan",
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
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "O'Brien",
    "Müller",
    "Østergaard",
    "Dvořák",
    "Kowalczyk",
    "Schäfer",
    "Núñez",
    "D'Angelo",
    "MacDonald",
    "Van der Berg",
    "Okafor",
    "Haddad",
    "Yamamoto",
    "Chen",
    "Patel",
    "Kim",
    "Novak",
    "Fischer",
    "Costa",
    "Rossi",
];
/// Whole names in other scripts: (first, last).
const WORLD_NAMES: &[(&str, &str)] = &[
    ("美咲", "佐藤"),
    ("伟", "王"),
    ("秀英", "李"),
    ("민준", "김"),
    ("서연", "박"),
    ("Дмитрий", "Иванов"),
    ("Ольга", "Смирнова"),
    ("Νίκος", "Παπαδόπουλος"),
    ("محمد", "العلي"),
    ("فاطمة", "حسن"),
    ("דוד", "כהן"),
    ("प्रिया", "शर्मा"),
    ("สมชาย", "ใจดี"),
    ("Thị Lan", "Nguyễn"),
    ("Ayşe", "Yılmaz"),
    ("Ægir", "Þórsson"),
];
const PLACES: &[&str] = &[
    "Cedar",
    "Maple",
    "Riverside",
    "Lakeview",
    "Oak Ridge",
    "Pinecrest",
    "Brookfield",
    "Fairview",
    "Hillcrest",
    "Northgate",
    "Westfield",
    "Stonebridge",
    "Clearwater",
    "Silver Lake",
    "Harbor",
    "Summit",
    "Greenwood",
    "Willow Creek",
    "Eastside",
    "Bayview",
    "Redwood",
    "Highland",
    "Mill Valley",
    "Sunnyside",
    "Granite",
    "Blue Ridge",
    "Prairie",
    "Ashford",
    "Kingsport",
    "Elm Street",
    "Canyon",
    "Meadowbrook",
    "Lakeshore",
    "Foxhollow",
    "Ironwood",
    "Seabright",
];
/// (city, state, zip prefix, area code)
const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Portland", "OR", "972", "503"),
    ("Seattle", "WA", "981", "206"),
    ("Chicago", "IL", "606", "312"),
    ("Columbus", "OH", "432", "614"),
    ("Austin", "TX", "787", "512"),
    ("Denver", "CO", "802", "720"),
    ("Raleigh", "NC", "276", "919"),
    ("Boston", "MA", "021", "617"),
    ("Phoenix", "AZ", "850", "602"),
    ("Nashville", "TN", "372", "615"),
    ("Minneapolis", "MN", "554", "612"),
    ("Sacramento", "CA", "958", "916"),
    ("Tampa", "FL", "336", "813"),
    ("Albany", "NY", "122", "518"),
    ("Madison", "WI", "537", "608"),
    ("Boise", "ID", "837", "208"),
    ("Richmond", "VA", "232", "804"),
    ("Salt Lake City", "UT", "841", "801"),
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Commerce Dr",
    "Industrial Pkwy",
    "Market St",
    "2nd Ave",
    "Park Blvd",
    "Lincoln Way",
    "Washington St",
    "Elm St",
    "Route 9",
    "Technology Dr",
    "Harbor Rd",
    "Mill Rd",
    "College Ave",
    "Broadway",
    "Airport Blvd",
    "River Rd",
];

/// Kind of business: name templates, the `Customer Type` it gets, and contact titles.
struct Kind {
    names: &'static [&'static str],
    customer_type: &'static str,
    titles: &'static [&'static str],
    /// Percent chance that the `Customer Type` property is set at all.
    typed: u64,
}

// Templates: {L} and {M} surnames, {P} a place.
const KINDS: &[Kind] = &[
    Kind {
        names: &[
            "{L} Family Dental",
            "{P} Dental Care",
            "{P} Orthodontics",
            "{L} & {M} DDS",
        ],
        customer_type: "Business",
        titles: &[
            "Owner",
            "Practice Manager",
            "Office Manager",
            "Billing Contact",
            "Front Desk Lead",
            "Hygienist",
        ],
        typed: 60,
    },
    Kind {
        names: &[
            "{L} & {M} LLP",
            "{L} Law Group",
            "{P} Legal Services, PLLC",
            "Law Offices of {F} {L}",
        ],
        customer_type: "Business",
        titles: &[
            "Managing Partner",
            "Office Manager",
            "Paralegal",
            "IT Coordinator",
            "Billing Contact",
            "Associate",
        ],
        typed: 60,
    },
    Kind {
        names: &[
            "{P} Precision Manufacturing",
            "{P} Machine Works Inc.",
            "{L} Fabrication Co.",
            "{P} Plastics Corp",
            "{L} Tool & Die",
        ],
        customer_type: "Business",
        titles: &[
            "Plant Manager",
            "CFO",
            "IT Manager",
            "Controller",
            "Purchasing Manager",
            "Owner",
            "Quality Manager",
        ],
        typed: 60,
    },
    Kind {
        names: &[
            "{P} Elementary School",
            "{P} Middle School",
            "{P} Unified School District",
            "{P} Community College",
        ],
        customer_type: "Government",
        titles: &[
            "Principal",
            "Technology Coordinator",
            "Office Manager",
            "Business Manager",
            "Superintendent",
        ],
        typed: 90,
    },
    Kind {
        names: &[
            "{P} Food Bank",
            "{P} Community Foundation",
            "Friends of the {P} Library",
            "{P} Animal Rescue",
            "{P} Youth Soccer League",
        ],
        customer_type: "Non-Profit",
        titles: &[
            "Executive Director",
            "Volunteer Coordinator",
            "Finance Director",
            "Board Chair",
            "Program Manager",
        ],
        typed: 90,
    },
    Kind {
        names: &[
            "City of {P}",
            "{P} County Clerk's Office",
            "{P} Public Works Department",
            "Town of {P} Police Department",
            "{P} Water District",
        ],
        customer_type: "Government",
        titles: &[
            "City Clerk",
            "IT Director",
            "Department Head",
            "Finance Officer",
            "Records Manager",
        ],
        typed: 90,
    },
    Kind {
        names: &[
            "{L} CPA Group",
            "{L} Accounting & Tax",
            "{L} & {M} Financial Advisors",
            "{P} Bookkeeping LLC",
        ],
        customer_type: "Business",
        titles: &[
            "Owner",
            "CFO",
            "Office Manager",
            "IT Contact",
            "Senior Accountant",
        ],
        typed: 60,
    },
    Kind {
        names: &[
            "{P} Family Medicine",
            "{P} Physical Therapy",
            "{P} Veterinary Clinic",
            "{L} Chiropractic",
            "{P} Eye Care",
        ],
        customer_type: "Business",
        titles: &[
            "Practice Manager",
            "Medical Director",
            "Office Manager",
            "Billing Contact",
            "Owner",
        ],
        typed: 60,
    },
    Kind {
        names: &[
            "{L} Construction",
            "{P} Realty",
            "{P} Auto Repair",
            "{L} Insurance Agency",
            "{P} Coffee Roasters ☕",
            "{P} Bakery 🥐",
            "{L} Landscaping",
            "{P} Hardware & Supply",
            "{P} Brewing Company 🍺",
        ],
        customer_type: "Business",
        titles: &[
            "Owner",
            "Office Manager",
            "Bookkeeper",
            "General Manager",
            "Operations Manager",
            "Billing Contact",
        ],
        typed: 60,
    },
];

const TICKET_SUBJECTS: &[(&str, &str)] = &[
    ("Printer not printing", "Hardware"),
    ("Outlook keeps asking for password", "Email"),
    ("New employee onboarding", "Onboarding"),
    ("Employee offboarding: disable accounts", "Onboarding"),
    ("Replace failed drive in NAS", "Hardware"),
    ("VPN disconnects randomly", "Network"),
    ("Firewall firmware update", "Network"),
    ("Wi-Fi dead zone in conference room", "Network"),
    ("Phishing email reported", "Security"),
    ("Laptop running very slow", "Hardware"),
    ("Shared drive mapping missing", "Software"),
    ("QuickBooks won't open company file", "Software"),
    ("Install Adobe Acrobat for new hire", "Software"),
    ("Backup job failed", "Software"),
    ("Microsoft 365 license renewal", "Billing"),
    ("Scanner not sending to email", "Email"),
    ("Monitor flickering", "Hardware"),
    ("Set up MFA for all users", "Security"),
    ("Server reboot after patching", "Maintenance"),
    ("Internet outage at main office", "Network"),
    ("Replace UPS battery", "Hardware"),
    ("Domain renewal reminder", "Billing"),
];
const PRIORITIES: &[&str] = &["0 Urgent", "1 High", "2 Normal", "2 Normal", "3 Low"];

/// (manufacturer, model)
type Models = &'static [(&'static str, &'static str)];

/// (asset type, name pattern, manufacturer/model pairs)
const ASSET_KINDS: &[(&str, &str, Models)] = &[
    (
        "Desktop",
        "{X}-PC{N}",
        &[
            ("Dell", "OptiPlex 7090"),
            ("HP", "EliteDesk 800 G6"),
            ("Lenovo", "ThinkCentre M70q"),
        ],
    ),
    (
        "Laptop",
        "{X}-LT{N}",
        &[
            ("Dell", "Latitude 5440"),
            ("Lenovo", "ThinkPad T14"),
            ("Apple", "MacBook Air M2"),
        ],
    ),
    (
        "Server",
        "{X}-SRV{N}",
        &[("Dell", "PowerEdge T350"), ("HPE", "ProLiant ML110 Gen10")],
    ),
    (
        "Firewall",
        "{X}-FW{N}",
        &[
            ("Fortinet", "FortiGate 60F"),
            ("SonicWall", "TZ370"),
            ("Cisco Meraki", "MX68"),
        ],
    ),
    (
        "Printer",
        "{X}-PRN{N}",
        &[
            ("HP", "LaserJet M404dn"),
            ("Brother", "MFC-L8900CDW"),
            ("Canon", "imageRUNNER C3226i"),
        ],
    ),
    (
        "Switch",
        "{X}-SW{N}",
        &[
            ("Ubiquiti", "USW-24-PoE"),
            ("Cisco", "CBS350-24P"),
            ("Aruba", "1930 24G"),
        ],
    ),
    (
        "Wireless AP",
        "{X}-AP{N}",
        &[("Ubiquiti", "U6 Pro"), ("Cisco Meraki", "MR36")],
    ),
    (
        "NAS",
        "{X}-NAS{N}",
        &[("Synology", "DS920+"), ("QNAP", "TS-464")],
    ),
];
const OSES: &[&str] = &[
    "Windows 11 Pro",
    "Windows 10 Pro",
    "macOS 14",
    "Windows Server 2022",
];

const NOTE_LINES: &[&str] = &[
    "Server closet is behind the break room; key with the office manager.",
    "After-hours access: call the owner first.",
    "ISP is Comcast Business; modem in the utility room.",
    "Guest Wi-Fi is isolated on its own VLAN.",
    "Backups go to the NAS nightly and to the cloud weekly.",
    "Do not reboot the server during business hours (8-6).",
    "Line-of-business app needs a local admin to update.",
    "Printer toner ordered through us, billed monthly.",
    "Prefers e-mail over phone for non-urgent issues.",
    "Parking in the rear lot; sign in at reception.",
    "Alarm code is in the password vault, never in tickets.",
    "Contract renewal in Q1; ask about adding endpoint protection.",
];
const REFERRALS: &[&str] = &[
    "Google",
    "Chamber of Commerce",
    "Yelp",
    "Existing client",
    "Trade show",
    "LinkedIn",
];
const MANAGED: &[&str] = &[
    "Managed Services",
    "Break-Fix",
    "Block Hours",
    "Project Only",
];
const TIERS: &[&str] = &["Bronze", "Silver", "Gold", "Platinum"];
const RESIDENTIAL_TITLES: &[&str] = &["Spouse", "Family Member", "Home Office"];
const LEGAL_SUFFIXES: &[&str] = &[" Inc.", " LLC", ", Ltd", " Corp", " Co."];

// ---------------------------------------------------------------------------------------------
// Curated records

#[derive(Deserialize)]
struct Curated {
    customers: Vec<CuratedCustomer>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CuratedCustomer {
    business_name: Option<String>,
    firstname: Option<String>,
    lastname: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    address: Option<String>,
    address_2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    notes: Option<String>,
    referred_by: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    properties: Map<String, Value>,
    disabled: bool,
    contacts: Vec<CuratedContact>,
    tickets: Vec<CuratedTicket>,
    assets: Vec<CuratedAsset>,
    invoices: Vec<CuratedInvoice>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CuratedContact {
    name: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    notes: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CuratedTicket {
    subject: String,
    status: String,
    problem_type: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CuratedAsset {
    name: String,
    asset_type: String,
    serial: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CuratedInvoice {
    total: String,
    paid: bool,
}

const CURATED_JSON: &str = include_str!("../../assets/demo/curated.json");

fn parse_cents(s: &str) -> i64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let whole: i64 = whole.trim().parse().unwrap_or(0);
    let frac: String = frac.chars().chain("00".chars()).take(2).collect();
    let frac: i64 = frac.parse().unwrap_or(0);
    whole * 100 + frac
}

fn non_empty_digits(s: &Option<String>) -> Option<String> {
    s.as_deref().map(digits).filter(|d| !d.is_empty())
}

// ---------------------------------------------------------------------------------------------
// The generator

struct Gen {
    rng: Rng,
    data: Data,
    ids: Ids,
    /// Normalised business names in use (see [`name_key`]).
    used_names: HashSet<String>,
    /// Lower-cased customer e-mail addresses in use.
    used_emails: HashSet<String>,
    /// Next phone line number per area code.
    next_line: HashMap<&'static str, u32>,
}

struct Ids {
    customer: u64,
    contact: u64,
    ticket: u64,
    ticket_number: u64,
    asset: u64,
    invoice: u64,
    invoice_number: u64,
}

impl Gen {
    fn customer_id(&mut self) -> u64 {
        self.ids.customer += 1 + self.rng.below(9);
        self.ids.customer
    }
    fn contact_id(&mut self) -> u64 {
        self.ids.contact += 1 + self.rng.below(3);
        self.ids.contact
    }
    fn ticket_id(&mut self) -> (u64, u64) {
        self.ids.ticket += 1 + self.rng.below(20);
        self.ids.ticket_number += 1;
        (self.ids.ticket, self.ids.ticket_number)
    }
    fn asset_id(&mut self) -> u64 {
        self.ids.asset += 1 + self.rng.below(4);
        self.ids.asset
    }
    fn invoice_id(&mut self) -> (u64, u64) {
        self.ids.invoice += 1 + self.rng.below(5);
        self.ids.invoice_number += 1;
        (self.ids.invoice, self.ids.invoice_number)
    }

    /// (created_at, updated_at) of a customer: created within the last five years.
    fn lifetime(&mut self) -> (Millis, Millis) {
        let created = ANCHOR - self.rng.range(30 * DAY, 5 * YEAR) - self.rng.range(0, DAY);
        let updated = created + self.rng.range(0, ANCHOR - created);
        (created, updated)
    }

    /// A time between `from` and the anchor.
    fn after(&mut self, from: Millis) -> Millis {
        from + self.rng.range(0, (ANCHOR - from).max(0))
    }

    fn add_contact(&mut self, customer: &CustomerRec, c: CuratedContact) {
        let created = self.after(customer.created_at);
        let office = c.address1.is_some();
        let id = self.contact_id();
        let updated = self.after(created);
        self.data.insert_contact(ContactRec {
            id,
            customer_id: customer.id,
            name: c.name,
            address1: c.address1,
            address2: c.address2,
            latitude: c.latitude,
            longitude: c.longitude,
            email: c.email,
            phone: c.phone,
            mobile: c.mobile,
            notes: c.notes,
            // Contacts with an address of their own share the customer's city.
            city: office.then(|| customer.city.clone()).flatten(),
            state: office.then(|| customer.state.clone()).flatten(),
            zip: office.then(|| customer.zip.clone()).flatten(),
            title: c.title,
            created_at: created,
            updated_at: updated,
            ..ContactRec::default()
        });
    }

    fn add_ticket(
        &mut self,
        customer: &CustomerRec,
        subject: &str,
        status: &str,
        problem: Option<&str>,
    ) {
        let created = self.after(customer.created_at);
        let updated = self.after(created);
        let (id, number) = self.ticket_id();
        let contact_id = self
            .data
            .contacts_of
            .get(&customer.id)
            .and_then(|ids| ids.first().copied());
        let priority = self.rng.pick(PRIORITIES).to_string();
        let due = self
            .rng
            .chance(40)
            .then(|| created + self.rng.range(DAY, 14 * DAY));
        self.data.insert_ticket(TicketRec {
            id,
            number,
            customer_id: customer.id,
            contact_id,
            subject: subject.to_string(),
            status: status.to_string(),
            problem_type: problem.map(str::to_string),
            priority: Some(priority),
            created_at: created,
            updated_at: updated,
            due_date: due,
            resolved_at: (status == "Resolved").then_some(updated),
        });
    }

    fn add_asset(
        &mut self,
        customer: &CustomerRec,
        name: String,
        asset_type: &str,
        serial: Option<String>,
        properties: Props,
    ) {
        let created = self.after(customer.created_at);
        let id = self.asset_id();
        let updated = self.after(created);
        self.data.insert_asset(AssetRec {
            id,
            customer_id: customer.id,
            contact_id: None,
            name,
            asset_type: asset_type.to_string(),
            asset_serial: serial,
            properties,
            created_at: created,
            updated_at: updated,
            // Workstations and servers run the agent; printers, switches and the rest do not.
            agent: matches!(asset_type, "Desktop" | "Laptop" | "Server"),
        });
    }

    fn add_invoice(
        &mut self,
        customer: &CustomerRec,
        subtotal: i64,
        taxed: bool,
        paid: Option<bool>,
    ) {
        let date = self.after(customer.created_at);
        let (id, number) = self.invoice_id();
        let tax = if taxed { subtotal * 825 / 10_000 } else { 0 };
        let is_paid = paid.unwrap_or_else(|| ANCHOR - date > 45 * DAY && self.rng.chance(90));
        let ticket_id = self
            .data
            .tickets_of
            .get(&customer.id)
            .and_then(|ids| ids.last().copied());
        let updated = self.after(date);
        self.data.insert_invoice(InvoiceRec {
            id,
            customer_id: customer.id,
            number,
            ticket_id,
            subtotal_cents: subtotal,
            tax_cents: tax,
            is_paid,
            date,
            due_date: date + 30 * DAY,
            note: None,
            created_at: date,
            updated_at: updated,
        });
    }

    fn curated(&mut self, c: CuratedCustomer) {
        let (created, updated) = self.lifetime();
        let id = self.customer_id();
        let customer = CustomerRec {
            id,
            firstname: c.firstname,
            lastname: c.lastname,
            business_name: c.business_name,
            email: c.email,
            phone: non_empty_digits(&c.phone),
            mobile: non_empty_digits(&c.mobile),
            address: c.address,
            address_2: c.address_2,
            city: c.city,
            state: c.state,
            zip: c.zip,
            notes: c.notes,
            referred_by: c.referred_by,
            latitude: c.latitude,
            longitude: c.longitude,
            properties: c.properties.into(),
            disabled: c.disabled,
            created_at: created,
            updated_at: updated,
            ..CustomerRec::default()
        };
        if let Some(name) = &customer.business_name {
            self.used_names.insert(name_key(name));
        }
        if let Some(email) = &customer.email {
            self.used_emails.insert(email.to_lowercase());
        }
        for contact in c.contacts {
            self.add_contact(&customer, contact);
        }
        for t in c.tickets {
            self.add_ticket(&customer, &t.subject, &t.status, t.problem_type.as_deref());
        }
        for a in c.assets {
            self.add_asset(&customer, a.name, &a.asset_type, a.serial, Props::default());
        }
        for i in c.invoices {
            self.add_invoice(&customer, parse_cents(&i.total), false, Some(i.paid));
        }
        self.data.insert_customer(customer);
    }

    fn person(&mut self) -> (String, String) {
        if self.rng.chance(8) {
            let (f, l) = *self.rng.pick(WORLD_NAMES);
            (f.to_string(), l.to_string())
        } else {
            (
                self.rng.pick(FIRST).to_string(),
                self.rng.pick(LAST).to_string(),
            )
        }
    }

    /// A customer phone number, unique per area code (until 9,800 of them): accidental
    /// duplicates would blur the planted ones. Lines 0100-0199 are left to the curated set.
    fn phone_digits(&mut self, area: &'static str) -> String {
        let next = self
            .next_line
            .entry(area)
            .or_insert_with(|| 200 + (area.bytes().map(u32::from).sum::<u32>() * 37) % 9_800);
        let line = *next;
        *next = if line >= 9_999 { 200 } else { line + 1 };
        format!("{area}555{line:04}")
    }

    /// A business name from a template, not used before (after normalising case, punctuation
    /// and legal suffixes), so the only duplicates are the planted ones.
    fn business_name(&mut self, template: &str, city: &str, index: usize) -> String {
        let mut name = String::new();
        for attempt in 0..12 {
            let (l, m) = (*self.rng.pick(LAST), *self.rng.pick(LAST));
            let (f, place) = (*self.rng.pick(FIRST), *self.rng.pick(PLACES));
            name = template
                .replace("{L}", l)
                .replace("{M}", m)
                .replace("{F}", f)
                .replace("{P}", place);
            if attempt >= 8 {
                name = format!("{name} of {city}");
            }
            if self.used_names.insert(name_key(&name)) {
                return name;
            }
        }
        name = format!("{name} {index}");
        self.used_names.insert(name_key(&name));
        name
    }

    /// A contact phone, formatted the way people type them.
    fn formatted_phone(&mut self, area: &str) -> String {
        let n = self.rng.below(10_000);
        match self.rng.below(5) {
            0 => format!("({area}) 555-{n:04}"),
            1 => format!("{area}.555.{n:04} x{}", 100 + self.rng.below(400)),
            2 => format!("+1 {area}-555-{n:04}"),
            3 => format!("{area}-555-{n:04}"),
            _ => format!("({area}) 555-{n:04} ext. {}", 10 + self.rng.below(90)),
        }
    }

    fn notes(&mut self) -> Option<String> {
        match self.rng.below(100) {
            0..=59 => None,
            60..=91 => Some(self.rng.pick(NOTE_LINES).to_string()),
            _ => {
                let n = self.rng.range(4, 9) as usize;
                let mut lines = vec!["Site notes:".to_string()];
                for _ in 0..n {
                    lines.push(format!("- {}", self.rng.pick(NOTE_LINES)));
                }
                lines.push(String::new());
                lines.push("Updated after the last on-site visit.".into());
                Some(lines.join("\n"))
            }
        }
    }

    fn generated(&mut self, index: usize) {
        let (city, state, zip3, area) = *self.rng.pick(CITIES);
        let (first, last) = self.person();
        let business = self.rng.chance(70);
        let (created, updated) = self.lifetime();
        let id = self.customer_id();
        let mut c = CustomerRec {
            id,
            firstname: Some(first.clone()),
            lastname: Some(last.clone()),
            phone: Some(self.phone_digits(area)),
            address: Some(format!(
                "{} {}",
                self.rng.range(10, 9999),
                self.rng.pick(STREETS)
            )),
            city: Some(city.to_string()),
            state: Some(state.to_string()),
            zip: Some(format!("{zip3}{:02}", self.rng.below(100))),
            notes: self.notes(),
            created_at: created,
            updated_at: updated,
            disabled: self.rng.chance(4),
            ..CustomerRec::default()
        };
        let mut titles: &[&str] = RESIDENTIAL_TITLES;
        let domain;
        if business {
            let kind = self.rng.pick(KINDS);
            titles = kind.titles;
            let template = *self.rng.pick(kind.names);
            let name = self.business_name(template, city, index);
            domain = domain_of(&name, index);
            c.email = Some(format!(
                "{}@{domain}",
                self.rng.pick(&["office", "info", "admin", "frontdesk"])
            ));
            c.business_name = Some(name);
            if self.rng.chance(kind.typed) {
                c.properties
                    .insert("Customer Type".into(), kind.customer_type.into());
            }
            if self.rng.chance(70) {
                c.properties
                    .insert("Managed Status".into(), (*self.rng.pick(MANAGED)).into());
            }
            if self.rng.chance(45) {
                c.properties
                    .insert("Contract Tier".into(), (*self.rng.pick(TIERS)).into());
            }
            if self.rng.chance(30) {
                c.properties
                    .insert("notification_billing".into(), "1".into());
            }
            if self.rng.chance(40) {
                c.tax_rate_id = Some(1 + self.rng.below(3));
            }
            if self.rng.chance(40) {
                c.latitude = Some(30.0 + self.rng.below(1_500_000) as f64 / 100_000.0);
                c.longitude = Some(-120.0 + self.rng.below(4_000_000) as f64 / 100_000.0);
            }
            if self.rng.chance(20) {
                c.address_2 = Some(format!("Suite {}", 100 + self.rng.below(400)));
            }
        } else {
            domain = (*self.rng.pick(&[
                "gmail.com",
                "outlook.com",
                "yahoo.com",
                "icloud.com",
                "example.net",
            ]))
            .to_string();
            let local = ascii_slug(&format!("{first}.{last}"), '.');
            let local = if local.is_empty() {
                format!("customer{index}")
            } else {
                local
            };
            let mut email = format!("{local}{}@{domain}", self.rng.below(100));
            if !self.used_emails.insert(email.to_lowercase()) {
                email = format!("{local}.{index}@{domain}");
                self.used_emails.insert(email.to_lowercase());
            }
            c.email = Some(email);
            if self.rng.chance(50) {
                c.mobile = Some(self.phone_digits(area));
            }
            if self.rng.chance(15) {
                c.address_2 = Some(String::new());
            }
        }
        if self.rng.chance(25) {
            c.referred_by = Some((*self.rng.pick(REFERRALS)).to_string());
        }

        let contacts = if business {
            self.rng.range(0, 8)
        } else {
            self.rng.range(0, 1)
        };
        for _ in 0..contacts {
            let (f, l) = self.person();
            let local = ascii_slug(&format!("{}{}", f.chars().next().unwrap_or('x'), l), '.');
            let local = if local.is_empty() {
                "contact".to_string()
            } else {
                local
            };
            let at_office = self.rng.chance(30);
            let contact = CuratedContact {
                address1: at_office.then(|| c.address.clone()).flatten(),
                address2: at_office.then(|| c.address_2.clone()).flatten(),
                latitude: at_office.then_some(c.latitude).flatten(),
                longitude: at_office.then_some(c.longitude).flatten(),
                name: Some(format!("{f} {l}")),
                title: Some((*self.rng.pick(titles)).to_string()),
                email: Some(format!("{local}@{domain}")),
                phone: self.rng.chance(80).then(|| self.formatted_phone(area)),
                mobile: self.rng.chance(35).then(|| self.formatted_phone(area)),
                notes: self
                    .rng
                    .chance(10)
                    .then(|| self.rng.pick(NOTE_LINES).to_string()),
            };
            self.add_contact(&c, contact);
        }
        let tickets = if business {
            self.rng.range(0, 4)
        } else {
            self.rng.range(0, 2)
        };
        for _ in 0..tickets {
            let (subject, problem) = *self.rng.pick(TICKET_SUBJECTS);
            let status = *self
                .rng
                .pick(&[TICKET_STATUSES, &["Resolved", "Resolved", "Resolved"]].concat());
            self.add_ticket(&c, subject, status, Some(problem));
        }
        let assets = if business {
            self.rng.range(0, 4)
        } else {
            self.rng.range(0, 1)
        };
        let prefix = asset_prefix(&c);
        for n in 1..=assets {
            let (kind, pattern, models) = *self.rng.pick(ASSET_KINDS);
            let (maker, model) = *self.rng.pick(models);
            let mut props = Props::default();
            props.insert("Manufacturer".into(), maker.into());
            props.insert("Model".into(), model.into());
            if matches!(kind, "Desktop" | "Laptop" | "Server") {
                props.insert("OS".into(), (*self.rng.pick(OSES)).into());
            }
            let name = pattern
                .replace("{X}", &prefix)
                .replace("{N}", &format!("{n:02}"));
            let serial = self.serial();
            self.add_asset(&c, name, kind, Some(serial), props);
        }
        let invoices = if business {
            self.rng.range(0, 3)
        } else {
            self.rng.range(0, 1)
        };
        for _ in 0..invoices {
            let subtotal = self.rng.range(7_500, 450_000);
            let taxed = self.rng.chance(50);
            self.add_invoice(&c, subtotal, taxed, None);
        }

        // A near-duplicate of this business now and then: the same company typed differently,
        // sharing the phone number or the e-mail domain.
        if business && self.rng.chance(3) {
            self.near_duplicate(&c, &domain);
        }
        self.data.insert_customer(c);
    }

    fn serial(&mut self) -> String {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        let len = self.rng.range(7, 12) as usize;
        (0..len).map(|_| *self.rng.pick(CHARS) as char).collect()
    }

    fn near_duplicate(&mut self, original: &CustomerRec, domain: &str) {
        let name = original.business_name.clone().unwrap_or_default();
        let variant = match self.rng.below(4) {
            0 => name.to_uppercase(),
            1 => strip_suffix(&name).to_string(),
            2 => format!("{}{}", strip_suffix(&name), self.rng.pick(LEGAL_SUFFIXES)),
            _ => name.replace(" & ", " and ").replace('.', ""),
        };
        let (created, updated) = self.lifetime();
        let id = self.customer_id();
        let same_phone = self.rng.chance(60);
        let dup = CustomerRec {
            id,
            business_name: Some(variant),
            firstname: original.firstname.clone(),
            lastname: original.lastname.clone(),
            email: Some(format!(
                "{}@{domain}",
                self.rng.pick(&["contact", "billing", "hello"])
            )),
            phone: if same_phone {
                original.phone.clone()
            } else {
                None
            },
            city: original.city.clone(),
            state: original.state.clone(),
            created_at: created,
            updated_at: updated,
            ..CustomerRec::default()
        };
        let first = self.data.contacts_of(original.id).next().cloned();
        if let Some(first) = first {
            let contact = CuratedContact {
                name: first.name,
                title: first.title,
                email: first.email,
                phone: first.phone,
                mobile: None,
                notes: None,
                ..CuratedContact::default()
            };
            self.add_contact(&dup, contact);
        }
        self.data.insert_customer(dup);
    }
}

/// A business name without case, punctuation, spacing or a legal suffix.
fn name_key(name: &str) -> String {
    strip_suffix(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn strip_suffix(name: &str) -> &str {
    for suffix in [" Inc.", " LLC", ", PLLC", " Corp", " Co.", ", Ltd"] {
        if let Some(stripped) = name.strip_suffix(suffix) {
            return stripped;
        }
    }
    name
}

/// Lower-case ASCII letters and digits of `s`, other runs replaced by `sep` (trimmed).
fn ascii_slug(s: &str, sep: char) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with(sep) && (ch == ' ' || ch == '.' || ch == '-') {
            out.push(sep);
        }
    }
    out.trim_end_matches(sep).to_string()
}

fn domain_of(business: &str, index: usize) -> String {
    let slug: String = ascii_slug(strip_suffix(business), '-')
        .replace("-and-", "")
        .replace('-', "");
    if slug.is_empty() {
        format!("client{index}.example.com")
    } else {
        format!("{}.com", &slug[..slug.len().min(24)])
    }
}

/// Short upper-case prefix for asset names ("NORTHWIND-PC01").
fn asset_prefix(c: &CustomerRec) -> String {
    let base = c.business_name.clone().unwrap_or_else(|| c.fullname());
    let slug: String = base
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_uppercase();
    if slug.is_empty() { "HOME".into() } else { slug }
}

/// The demo data: `customers` in all, the curated set first (cut short if `customers` is
/// smaller), the rest generated from `seed`.
pub fn generate(customers: usize, seed: u64) -> Data {
    generate_with(customers, None, seed)
}

/// Like [`generate`], with exactly `contacts` contacts when given (the generator's own mix
/// gives about three per customer): generated customers lose randomly chosen contacts, or
/// randomly chosen businesses get more. The curated customers keep theirs.
pub fn generate_with(customers: usize, contacts: Option<usize>, seed: u64) -> Data {
    let mut g = Gen {
        rng: Rng::new(CURATED_SEED),
        data: Data::default(),
        used_names: HashSet::new(),
        used_emails: HashSet::new(),
        next_line: HashMap::new(),
        ids: Ids {
            customer: FIRST_CUSTOMER_ID - 1,
            contact: FIRST_CONTACT_ID - 1,
            ticket: FIRST_TICKET_ID - 1,
            ticket_number: FIRST_TICKET_NUMBER - 1,
            asset: FIRST_ASSET_ID - 1,
            invoice: FIRST_INVOICE_ID - 1,
            invoice_number: FIRST_INVOICE_NUMBER - 1,
        },
    };
    // The embedded file is part of the build and covered by a test; a broken edit yields an
    // empty curated set rather than a crash.
    let curated: Vec<CuratedCustomer> = serde_json::from_str::<Curated>(CURATED_JSON)
        .map(|c| c.customers)
        .unwrap_or_default();
    for c in curated.into_iter().take(customers) {
        g.curated(c);
    }
    g.rng = Rng::new(seed);
    let last_curated = g.ids.customer;
    let mut index = 0;
    while g.data.customers.len() < customers {
        g.generated(index);
        index += 1;
    }
    // A near-duplicate may overshoot by one.
    while g.data.customers.len() > customers {
        if let Some((&last, _)) = g.data.customers.iter().next_back() {
            g.data.remove_customer(last);
        }
    }
    if let Some(target) = contacts {
        g.fit_contacts(target, last_curated);
    }
    g.data
}

impl Gen {
    /// Removes or adds contacts of generated customers (ids above `last_curated`) until there
    /// are exactly `target` (or as close as the generated customers allow).
    fn fit_contacts(&mut self, target: usize, last_curated: u64) {
        let have = self.data.contacts.len();
        if have > target {
            let mut removable: Vec<u64> = self
                .data
                .contacts
                .values()
                .filter(|k| k.customer_id > last_curated)
                .map(|k| k.id)
                .collect();
            let excess = (have - target).min(removable.len());
            // Partial Fisher-Yates: the first `excess` entries become a random sample.
            for i in 0..excess {
                let j = i + self.rng.below((removable.len() - i) as u64) as usize;
                removable.swap(i, j);
            }
            for id in &removable[..excess] {
                self.data.remove_contact(*id);
            }
        } else if have < target {
            let generated: Vec<u64> = self
                .data
                .customers
                .range(last_curated + 1..)
                .filter(|(_, c)| c.business_name.is_some())
                .map(|(id, _)| *id)
                .collect();
            if generated.is_empty() {
                return;
            }
            for _ in have..target {
                let id = *self.rng.pick(&generated);
                if let Some(customer) = self.data.customers.get(&id).cloned() {
                    self.extra_contact(&customer);
                }
            }
        }
    }

    /// One more contact for a business customer: a person at the customer's e-mail domain with
    /// a phone in its area code.
    fn extra_contact(&mut self, customer: &CustomerRec) {
        let (f, l) = self.person();
        let domain = customer
            .email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map_or("example.com", |(_, d)| d)
            .to_string();
        let area: String = customer
            .phone
            .as_deref()
            .unwrap_or("555")
            .chars()
            .take(3)
            .collect();
        let local = ascii_slug(&format!("{}{}", f.chars().next().unwrap_or('x'), l), '.');
        let local = if local.is_empty() {
            "contact".to_string()
        } else {
            local
        };
        let titles = self.rng.pick(KINDS).titles;
        let contact = CuratedContact {
            name: Some(format!("{f} {l}")),
            title: Some((*self.rng.pick(titles)).to_string()),
            email: Some(format!("{local}@{domain}")),
            phone: self.rng.chance(80).then(|| self.formatted_phone(&area)),
            mobile: self.rng.chance(35).then(|| self.formatted_phone(&area)),
            ..CuratedContact::default()
        };
        self.add_contact(customer, contact);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curated_file_parses() {
        let curated: Curated = serde_json::from_str(CURATED_JSON).expect("curated.json parses");
        assert!(curated.customers.len() >= 15);
    }

    #[test]
    fn exact_count_and_curated_first() {
        let d = generate(300, 7);
        assert_eq!(d.customers.len(), 300);
        let first = d.customers.values().next().expect("a customer");
        assert_eq!(first.business_name.as_deref(), Some("Acme Dental LLC"));
        assert!(
            d.customers
                .values()
                .all(|c| c.id >= 10_000_000 && c.id < 100_000_000)
        );
        assert!(
            d.contacts
                .values()
                .all(|c| c.id >= 1_000_000 && c.id < 10_000_000)
        );
        assert!(
            d.tickets
                .values()
                .all(|t| t.id >= 100_000_000 && t.id < 1_000_000_000)
        );
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = generate(200, 42);
        let b = generate(200, 42);
        let c = generate(200, 43);
        assert_eq!(a.customers, b.customers);
        assert_eq!(a.contacts, b.contacts);
        assert_ne!(a.customers, c.customers);
    }

    #[test]
    fn customer_phones_are_digits_only() {
        let d = generate(400, 3);
        for c in d.customers.values() {
            for p in [&c.phone, &c.mobile].into_iter().flatten() {
                assert!(p.chars().all(|ch| ch.is_ascii_digit()), "{p}");
            }
        }
    }

    /// Groups of customers sharing a phone number, a normalised business name or an e-mail
    /// address are only the planted duplicates, which always share the e-mail domain too.
    #[test]
    fn the_only_duplicates_are_the_planted_ones() {
        let d = generate(3_000, 11);
        let mut groups: HashMap<String, Vec<&CustomerRec>> = HashMap::new();
        for c in d.customers.values() {
            if let Some(p) = &c.phone {
                groups.entry(format!("phone {p}")).or_default().push(c);
            }
            if let Some(b) = &c.business_name {
                groups
                    .entry(format!("name {}", name_key(b)))
                    .or_default()
                    .push(c);
            }
            if let Some(e) = &c.email {
                groups
                    .entry(format!("email {}", e.to_lowercase()))
                    .or_default()
                    .push(c);
            }
        }
        let domain = |c: &CustomerRec| {
            let email = c.email.as_deref().unwrap_or("");
            email.rsplit_once('@').map(|(_, d)| d.to_string())
        };
        let mut planted = 0;
        for (key, members) in groups.iter().filter(|(_, m)| m.len() > 1) {
            planted += 1;
            let first = domain(members[0]);
            assert!(
                members.iter().all(|c| domain(c) == first),
                "accidental duplicate group {key}: {:?}",
                members
                    .iter()
                    .map(|c| c.business_then_name())
                    .collect::<Vec<_>>()
            );
        }
        assert!(planted >= 20, "only {planted} duplicate groups");
    }

    #[test]
    fn an_exact_contact_count_trims_or_adds_and_keeps_the_curated_ones() {
        let plain = generate(300, 5);
        let curated = serde_json::from_str::<Curated>(CURATED_JSON)
            .unwrap()
            .customers
            .len();
        let curated_ids: HashSet<u64> = plain.customers.keys().take(curated).copied().collect();
        let curated_contacts: Vec<u64> = plain
            .contacts
            .values()
            .filter(|k| curated_ids.contains(&k.customer_id))
            .map(|k| k.id)
            .collect();
        assert!(!curated_contacts.is_empty());
        for target in [100, plain.contacts.len(), 2_000] {
            let d = generate_with(300, Some(target), 5);
            assert_eq!(d.contacts.len(), target.max(curated_contacts.len()));
            assert_eq!(d.customers, plain.customers);
            let indexed: usize = d.contacts_of.values().map(Vec::len).sum();
            assert_eq!(indexed, d.contacts.len(), "index in step");
            assert!(
                d.contacts
                    .values()
                    .all(|k| d.customers.contains_key(&k.customer_id))
            );
            assert!(
                curated_contacts
                    .iter()
                    .all(|id| d.contacts.contains_key(id))
            );
        }
        assert_eq!(
            generate_with(300, Some(2_000), 5).contacts,
            generate_with(300, Some(2_000), 5).contacts
        );
    }

    #[test]
    fn parse_cents_reads_decimal_strings() {
        assert_eq!(parse_cents("1250.00"), 125_000);
        assert_eq!(parse_cents("389.5"), 38_950);
        assert_eq!(parse_cents("7"), 700);
    }
}
