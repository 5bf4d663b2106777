//! Exports checked against their specifications with hostile text: CSV read back with an
//! independent RFC 4180 reader (the `csv` crate), vCard with a small RFC 6350 reader below.

use serde_json::json;
use syncro_tui::api::model::{Contact, Customer};
use syncro_tui::export::{self, ExportFormat, ExportOptions};

/// Text that breaks naive writers: separators of both formats, quotes, every line break,
/// backslashes, non-Latin scripts, emoji (4-byte UTF-8), a formula and a bidi override.
const HOSTILE: &[&str] = &[
    "Smith, Jones & \"Partners\"; Ltd.",
    "line one\nline two\r\nline three\rend",
    "C:\\temp\\new; a\\,b",
    "Müller Straße 5, 3. OG",
    "山田太郎 株式会社エービーシー",
    "Иван Петрович Сидоров",
    "شركة الاختبار",
    "🙂 Emoji Café 👩🏽‍💻",
    "=HYPERLINK(\"http://x\",\"click\")",
    "@SUM(1+1)",
    "  padded  ",
    "evil\u{202e}txt.exe",
];

fn customer(id: u64, name: &str) -> Customer {
    serde_json::from_value(json!({
        "id": id,
        "business_name": name,
        "firstname": "Zoë",
        "lastname": name,
        "email": "a@example.com",
        "phone": "+1 (555) 010-0100",
        "address": name,
        "city": "Zürich",
        "notes": name,
        "properties": {"Customer Type": name},
        "created_at": "2024-03-05T15:14:24.066+02:00",
        "contacts": [{"id": id * 10, "customer_id": id, "name": format!("Ann {name}")}],
    }))
    .unwrap()
}

fn contact(id: u64, customer_id: u64, text: &str) -> Contact {
    serde_json::from_value(json!({
        "id": id,
        "customer_id": customer_id,
        "name": format!("Ann {text}"),
        "email": "ann@example.com",
        "phone": "657.325.3258",
        "extension": "330",
        "mobile": "+44 7700 900123",
        "address1": text,
        "address2": "Suite 5, floor 2",
        "city": text,
        "state": "ZH",
        "zip": "8001",
        "notes": text,
        "properties": {"title": text},
    }))
    .unwrap()
}

fn read_csv(text: &str) -> Vec<Vec<String>> {
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    let body = &text['\u{feff}'.len_utf8()..];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// RFC 4180: every record ends in CRLF, and a bare LF only ever appears inside quotes.
fn assert_crlf_records(text: &str, records: usize) {
    assert!(text.ends_with("\r\n"));
    let mut in_quotes = false;
    let mut ends = 0;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                assert_eq!(bytes[i - 1], b'\r', "bare LF outside quotes at {i}");
                ends += 1;
            }
            _ => {}
        }
    }
    assert_eq!(ends, records);
}

/// What the formula guard does to a cell.
fn guarded(s: &str) -> String {
    if export::is_formula_like(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[test]
fn customers_csv_round_trips_hostile_text() {
    let customers: Vec<Customer> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| customer(i as u64 + 1, s))
        .collect();
    let text = export::customers_csv(&customers, ExportOptions::default());
    assert_crlf_records(&text, customers.len() + 1);
    let rows = read_csv(&text);
    assert_eq!(rows.len(), customers.len() + 1);
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(header.len() >= 15);
    for (row, (c, s)) in rows[1..].iter().zip(customers.iter().zip(HOSTILE)) {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[col("id")], c.id.to_string());
        assert_eq!(row[col("business_name")], guarded(s));
        assert_eq!(row[col("notes")], guarded(s));
        assert_eq!(row[col("firstname")], "Zoë");
        // Phone numbers are never prefixed, even though they start with +.
        assert_eq!(row[col("phone")], "+1 (555) 010-0100");
        assert_eq!(row[col("created_at")], "2024-03-05T15:14:24.066+02:00");
        let props: serde_json::Value = serde_json::from_str(&row[col("properties")]).unwrap();
        assert_eq!(props["Customer Type"], json!(s));
    }
    // The formula cells were neutralised.
    assert!(
        rows.iter()
            .any(|r| r[col("business_name")] == "'=HYPERLINK(\"http://x\",\"click\")")
    );
    assert!(rows.iter().any(|r| r[col("business_name")] == "'@SUM(1+1)"));
}

#[test]
fn csv_without_guard_or_bom_keeps_cells_verbatim() {
    let customers = vec![customer(1, "=1+2"), customer(2, "plain")];
    let opts = ExportOptions {
        formula_guard: false,
        excel_bom: false,
    };
    let text = export::customers_csv(&customers, opts);
    assert!(text.starts_with("id,business_name,"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[1], "=1+2");
}

#[test]
fn contacts_csv_round_trips_with_organisation_and_title() {
    let customers: Vec<Customer> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| customer(i as u64 + 1, s))
        .collect();
    let contacts: Vec<Contact> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| contact(100 + i as u64, i as u64 + 1, s))
        .collect();
    let rows = export::contact_rows(&contacts, &customers);
    let text = export::contacts_csv(&rows, ExportOptions::default());
    assert_crlf_records(&text, contacts.len() + 1);
    let parsed = read_csv(&text);
    let header = &parsed[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, (k, s)) in parsed[1..].iter().zip(contacts.iter().zip(HOSTILE)) {
        assert_eq!(row[col("id")], k.id.to_string());
        assert_eq!(row[col("organisation")], guarded(s));
        assert_eq!(row[col("name")], format!("Ann {s}"));
        assert_eq!(row[col("title")], guarded(s));
        assert_eq!(row[col("address1")], guarded(s));
        assert_eq!(row[col("extension")], "330");
    }
    // A contact whose customer is not in the list has an empty organisation.
    let orphan = vec![contact(1, 999, "x")];
    let text = export::contacts_csv(
        &export::contact_rows(&orphan, &customers),
        ExportOptions::default(),
    );
    assert_eq!(read_csv(&text)[1][2], "");
}

#[test]
fn customers_json_round_trips() {
    let customers: Vec<Customer> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| customer(i as u64 + 1, s))
        .collect();
    let text = export::customers_json(&customers).unwrap();
    let back: Vec<Customer> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, customers);
    assert!(!text.contains('\u{1b}'));
}

// --- a small RFC 6350 reader ----------------------------------------------------------------

struct Prop {
    name: String,
    params: Vec<String>,
    value: String,
}

/// Checks the physical format (CRLF, 75 octets, folding) and returns the unfolded properties
/// of each card.
fn read_vcards(text: &str) -> Vec<Vec<Prop>> {
    assert!(text.ends_with("\r\n"), "ends with CRLF");
    assert!(
        !text.replace("\r\n", "").contains(['\r', '\n']),
        "only CRLF line breaks"
    );
    for line in text.split("\r\n") {
        assert!(
            line.len() <= 75,
            "line over 75 octets: {line:?} ({})",
            line.len()
        );
    }
    // Unfold: CRLF followed by one space or tab is removed.
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut cards = Vec::new();
    let mut current: Option<Vec<Prop>> = None;
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        let (head, value) = line.split_once(':').expect("name:value");
        let mut parts = head.split(';');
        let name = parts.next().unwrap().to_ascii_uppercase();
        let params = parts.map(str::to_string).collect();
        match (name.as_str(), value) {
            ("BEGIN", "VCARD") => current = Some(Vec::new()),
            ("END", "VCARD") => cards.push(current.take().expect("END after BEGIN")),
            _ => current.as_mut().expect("inside a card").push(Prop {
                name,
                params,
                value: value.to_string(),
            }),
        }
    }
    assert!(current.is_none(), "unterminated card");
    cards
}

/// Splits on an unescaped separator.
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.last_mut().unwrap().push(c);
            if let Some(n) = chars.next() {
                out.last_mut().unwrap().push(n);
            }
        } else if c == sep {
            out.push(String::new());
        } else {
            out.last_mut().unwrap().push(c);
        }
    }
    out
}

/// RFC 6350 §3.4 unescaping; a raw `,` or `;` in a single text value is a writer bug.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(c @ ('\\' | ',' | ';')) => out.push(c),
                other => panic!("bad escape \\{other:?} in {s:?}"),
            },
            ',' | ';' => panic!("unescaped {c:?} in {s:?}"),
            c => out.push(c),
        }
    }
    out
}

fn prop<'a>(card: &'a [Prop], name: &str) -> &'a Prop {
    card.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Line breaks as the vCard keeps them (any of CRLF, CR, LF become one `\n`); other control
/// characters are dropped.
fn vcard_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

#[test]
fn vcards_follow_rfc_6350_with_hostile_text() {
    let customers: Vec<Customer> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| customer(i as u64 + 1, s))
        .collect();
    let contacts: Vec<Contact> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| contact(100 + i as u64, i as u64 + 1, s))
        .collect();
    let rows = export::contact_rows(&contacts, &customers);
    let text = export::contacts_vcard(&rows);
    let cards = read_vcards(&text);
    assert_eq!(cards.len(), contacts.len());
    for (card, s) in cards.iter().zip(HOSTILE) {
        assert_eq!(card[0].name, "VERSION");
        assert_eq!(card[0].value, "4.0");
        let expected = vcard_text(s);
        assert_eq!(
            unescape(&prop(card, "FN").value),
            vcard_text(&format!("Ann {s}"))
        );
        assert_eq!(unescape(&prop(card, "TITLE").value), expected);
        assert_eq!(unescape(&prop(card, "NOTE").value), expected);
        // ORG is structured (`;` separates units): one unit, the customer's name.
        let org = split_unescaped(&prop(card, "ORG").value, ';');
        assert_eq!(org.len(), 1);
        assert_eq!(unescape(&org[0]), expected);
        // N: family;given;additional;prefixes;suffixes.
        let n = split_unescaped(&prop(card, "N").value, ';');
        assert_eq!(n.len(), 5);
        let full = format!("Ann {s}");
        let parts = export::split_name(&full);
        assert_eq!(unescape(&n[0]), vcard_text(parts.family));
        assert_eq!(unescape(&n[1]), vcard_text(parts.given));
        assert_eq!(unescape(&n[4]), vcard_text(parts.suffix));
        assert!(n[2].is_empty() && n[3].is_empty());
        // ADR: pobox;ext;street;locality;region;code;country; street has two values.
        let adr = prop(card, "ADR");
        assert!(adr.params.iter().any(|p| p == "TYPE=work"));
        let parts = split_unescaped(&adr.value, ';');
        assert_eq!(parts.len(), 7, "{:?}", adr.value);
        let street: Vec<String> = split_unescaped(&parts[2], ',')
            .iter()
            .map(|v| unescape(v))
            .collect();
        assert_eq!(
            street,
            vec![expected.clone(), "Suite 5, floor 2".to_string()]
        );
        assert_eq!(unescape(&parts[3]), expected);
        assert_eq!(unescape(&parts[4]), "ZH");
        assert_eq!(unescape(&parts[5]), "8001");
        let email = prop(card, "EMAIL");
        assert_eq!(unescape(&email.value), "ann@example.com");
        let tels: Vec<&Prop> = card.iter().filter(|p| p.name == "TEL").collect();
        assert_eq!(tels.len(), 2);
        assert!(tels[0].params.iter().any(|p| p == "TYPE=work"));
        assert_eq!(unescape(&tels[0].value), "657.325.3258 x330");
        assert!(tels[1].params.iter().any(|p| p == "TYPE=cell"));
        assert_eq!(unescape(&tels[1].value), "+44 7700 900123");
    }
}

#[test]
fn long_values_fold_without_splitting_characters() {
    let long = "日本語のメモ🙂, with; separators\\ ".repeat(12);
    let contacts = vec![contact(1, 1, &long)];
    let customers = vec![customer(1, "Org")];
    let text = export::contacts_vcard(&export::contact_rows(&contacts, &customers));
    // read_vcards checks every physical line is at most 75 octets; from_utf8 on each proves
    // no character was cut.
    let cards = read_vcards(&text);
    for line in text.split("\r\n") {
        assert!(std::str::from_utf8(line.as_bytes()).is_ok());
    }
    assert!(text.lines().count() > 20, "folded");
    assert_eq!(unescape(&prop(&cards[0], "NOTE").value), long.trim());
}

#[test]
fn a_contact_without_name_still_has_fn_and_embedded_contacts_export() {
    let bare: Contact = serde_json::from_value(json!({"id": 5, "email": "x@y.z"})).unwrap();
    let text = export::contacts_vcard(&export::contact_rows(std::slice::from_ref(&bare), &[]));
    let cards = read_vcards(&text);
    assert_eq!(unescape(&prop(&cards[0], "FN").value), "x@y.z");
    assert!(cards[0].iter().all(|p| p.name != "N" && p.name != "ORG"));

    let customers = vec![customer(1, "Acme; Inc."), customer(2, "Beta")];
    let rows = export::embedded_contact_rows(&customers);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].organisation, "Acme; Inc.");
    let cards = read_vcards(&export::contacts_vcard(&rows));
    assert_eq!(prop(&cards[0], "ORG").value, "Acme\\; Inc.");
}

/// The exports the app makes from the list read one customer at a time (decoded as they
/// come) and write exactly what the slice-based exports write.
#[test]
fn exports_from_customers_one_at_a_time_equal_the_whole_list() {
    let customers: Vec<Customer> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| customer(i as u64 + 1, s))
        .collect();
    let opts = ExportOptions::default();
    let rows = export::embedded_contact_rows(&customers);
    assert!(!rows.is_empty());
    let decoded_on_the_way = || customers.iter().cloned();
    assert_eq!(
        export::embedded_contacts_csv(decoded_on_the_way(), opts),
        (export::contacts_csv(&rows, opts), rows.len())
    );
    assert_eq!(
        export::embedded_contacts_vcard(decoded_on_the_way()),
        (export::contacts_vcard(&rows), rows.len())
    );
    assert_eq!(
        export::customers_json(decoded_on_the_way()).unwrap(),
        export::customers_json(&customers).unwrap()
    );
    assert_eq!(
        export::customers_csv(decoded_on_the_way(), opts),
        export::customers_csv(&customers, opts)
    );
    // An empty list: a header only, and an empty array.
    assert_eq!(
        export::embedded_contacts_csv(Vec::<Customer>::new(), opts).1,
        0
    );
    assert_eq!(
        export::customers_json(Vec::<Customer>::new()).unwrap(),
        "[]\n"
    );
}

#[test]
fn exports_are_written_to_new_private_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("exports");
    let a = export::write_export(
        &target,
        "customers of Acme/..",
        ExportFormat::Csv,
        "h\r\na\r\n",
    )
    .unwrap();
    let b = export::write_export(
        &target,
        "customers of Acme/..",
        ExportFormat::Csv,
        "h\r\nb\r\n",
    )
    .unwrap();
    assert_ne!(a, b, "never overwrites");
    assert_eq!(a.parent().unwrap(), target);
    let name = a.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("customers-of-Acme-") && name.ends_with(".csv"),
        "{name}"
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "h\r\na\r\n");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "h\r\nb\r\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&a).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    assert_eq!(ExportFormat::parse("vCard"), Some(ExportFormat::VCard));
    assert_eq!(ExportFormat::VCard.extension(), "vcf");
}
