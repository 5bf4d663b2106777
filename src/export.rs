//! Export of customers (CSV, JSON) and contacts (CSV, vCard 4.0): pure functions from the API
//! models to text, and [`write_export`] to put the text in a new file.
//!
//! - CSV follows RFC 4180: a header row, CRLF after every row, fields quoted when they hold a
//!   comma, a double quote, CR or LF, and quotes inside doubled. The file starts with a UTF-8
//!   byte order mark ([`ExportOptions::excel_bom`]): without it Excel, where technicians open
//!   these files, reads UTF-8 as the local code page and mangles every non-Latin name.
//! - Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and,
//!   in some, tab or CR) as a formula, so a customer named `=HYPERLINK(...)` could act when the
//!   export is opened. With [`ExportOptions::formula_guard`] (the default, config key
//!   `csv_formula_guard`) such cells get a leading `'`, which spreadsheets hide and treat as
//!   "text". Values made only of digits, spaces and `+-().x/` (phone numbers such as
//!   `+1 (555) 010-0100`) are left as they are: they cannot call a function, and a `'` in every
//!   international phone number would be a worse surprise. JSON and vCard are never changed.
//! - vCard follows RFC 6350 (version 4.0): CRLF line ends, text values with `\`, `,`, `;`
//!   escaped and line breaks written as `\n`, other control characters dropped, and lines
//!   folded at 75 octets without splitting a UTF-8 character.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::api::model::{Contact, Customer, Id, Timestamp};

/// Choices for CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// Prefix cells that would run as a spreadsheet formula with `'`.
    pub formula_guard: bool,
    /// Start the file with a UTF-8 byte order mark, for Excel.
    pub excel_bom: bool,
}

impl ExportOptions {
    /// The options the config file asks for (`csv_formula_guard`).
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        ExportOptions {
            formula_guard: settings.csv_formula_guard,
            ..ExportOptions::default()
        }
    }
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            formula_guard: true,
            excel_bom: true,
        }
    }
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    VCard,
}

impl ExportFormat {
    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::VCard => "vcf",
        }
    }

    /// Parses `csv`, `json`, `vcard`/`vcf` (for `:export`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            "vcard" | "vcf" => Some(ExportFormat::VCard),
            _ => None,
        }
    }
}

/// A contact with the name of its customer (the vCard `ORG`, the CSV `organisation`).
#[derive(Debug, Clone)]
pub struct ContactRow<'a> {
    pub contact: &'a Contact,
    /// The customer's display name; empty when unknown.
    pub organisation: String,
}

/// Pairs contacts with their customers' names (by `customer_id`), keeping the contacts' order.
/// `customers` may be any list that holds the contacts' customers (the loaded list).
pub fn contact_rows<'a>(contacts: &'a [Contact], customers: &[Customer]) -> Vec<ContactRow<'a>> {
    let names: HashMap<Id, String> = customers.iter().map(|c| (c.id, c.display_name())).collect();
    contacts
        .iter()
        .map(|contact| ContactRow {
            contact,
            organisation: contact
                .customer_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
        })
        .collect()
}

/// The contacts embedded in customer records (the API embeds them in customers), with their
/// customer's name: "all contacts of the filtered customers".
pub fn embedded_contact_rows(customers: &[Customer]) -> Vec<ContactRow<'_>> {
    customers
        .iter()
        .flat_map(|c| {
            let name = c.display_name();
            c.contacts.iter().map(move |contact| ContactRow {
                contact,
                organisation: name.clone(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// CSV

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "business_name",
    "firstname",
    "lastname",
    "email",
    "phone",
    "mobile",
    "address",
    "address_2",
    "city",
    "state",
    "zip",
    "referred_by",
    "notes",
    "disabled",
    "properties",
    "created_at",
    "updated_at",
];

const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "organisation",
    "name",
    "title",
    "email",
    "phone",
    "extension",
    "mobile",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "notes",
];

/// Customers as CSV, one row each, in the given order. Each is read once, so they may be
/// decoded one at a time as they come (a whole mirror is never held decoded).
pub fn customers_csv<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
    opts: ExportOptions,
) -> String {
    let mut out = csv_start(opts, CUSTOMER_COLUMNS);
    for c in customers {
        let c = c.borrow();
        let props = if c.properties.is_empty() {
            String::new()
        } else {
            serde_json::Value::from(c.properties.clone()).to_string()
        };
        let row = [
            c.id.to_string(),
            opt(&c.business_name),
            opt(&c.firstname),
            opt(&c.lastname),
            opt(&c.email),
            opt(&c.phone),
            opt(&c.mobile),
            opt(&c.address),
            opt(&c.address_2),
            opt(&c.city),
            opt(&c.state),
            opt(&c.zip),
            opt(&c.referred_by),
            opt(&c.notes),
            c.disabled.to_string(),
            props,
            time(&c.created_at),
            time(&c.updated_at),
        ];
        csv_row(&mut out, &row, opts);
    }
    out
}

/// Contacts as CSV, with their customer's name in `organisation`.
pub fn contacts_csv(rows: &[ContactRow<'_>], opts: ExportOptions) -> String {
    let mut out = csv_start(opts, CONTACT_COLUMNS);
    contact_csv_rows(&mut out, rows, opts);
    out
}

/// The contacts embedded in `customers` as CSV ([`contacts_csv`] of
/// [`embedded_contact_rows`]), reading each customer once, and how many contacts it holds.
pub fn embedded_contacts_csv<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
    opts: ExportOptions,
) -> (String, usize) {
    let mut out = csv_start(opts, CONTACT_COLUMNS);
    let mut n = 0;
    for c in customers {
        let rows = embedded_contact_rows(std::slice::from_ref(c.borrow()));
        n += rows.len();
        contact_csv_rows(&mut out, &rows, opts);
    }
    (out, n)
}

/// The contacts embedded in `customers` as vCards ([`contacts_vcard`] of
/// [`embedded_contact_rows`]), reading each customer once, and how many contacts it holds.
pub fn embedded_contacts_vcard<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
) -> (String, usize) {
    let mut out = String::new();
    let mut n = 0;
    for c in customers {
        for r in embedded_contact_rows(std::slice::from_ref(c.borrow())) {
            vcard(&mut out, &r);
            n += 1;
        }
    }
    (out, n)
}

fn contact_csv_rows(out: &mut String, rows: &[ContactRow<'_>], opts: ExportOptions) {
    for r in rows {
        let k = r.contact;
        // An extension typed into the phone goes to the extension column, as Syncro's own
        // field would hold it; one in that field stays there.
        let (phone, extension) = match (opt(&k.phone), opt(&k.extension)) {
            (p, x) if !x.is_empty() => (p, x),
            (p, _) => match crate::domain::split_extension(&p) {
                (number, Some(x)) => (number.to_string(), x.to_string()),
                _ => (p, String::new()),
            },
        };
        let row = [
            k.id.to_string(),
            k.customer_id.map(|i| i.to_string()).unwrap_or_default(),
            r.organisation.clone(),
            opt(&k.name),
            k.title().unwrap_or_default(),
            opt(&k.email),
            phone,
            extension,
            opt(&k.mobile),
            opt(&k.address1),
            opt(&k.address2),
            opt(&k.city),
            opt(&k.state),
            opt(&k.zip),
            opt(&k.notes),
        ];
        csv_row(out, &row, opts);
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn time(t: &Option<Timestamp>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

fn csv_start(opts: ExportOptions, header: &[&str]) -> String {
    let mut out = String::new();
    if opts.excel_bom {
        out.push('\u{feff}');
    }
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    csv_row(&mut out, &header, opts);
    out
}

/// Appends one RFC 4180 record and its CRLF.
fn csv_row(out: &mut String, fields: &[String], opts: ExportOptions) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_csv_field(out, f, opts.formula_guard);
    }
    out.push_str("\r\n");
}

/// One field: guarded against formulas when asked, quoted when needed.
pub fn push_csv_field(out: &mut String, value: &str, formula_guard: bool) {
    let guarded = formula_guard && is_formula_like(value);
    let needs_quotes = value.contains([',', '"', '\r', '\n']);
    if needs_quotes {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    if needs_quotes {
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Whether a spreadsheet would evaluate the cell (see the module documentation).
pub fn is_formula_like(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let phone_or_number = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x/".contains(c));
    !phone_or_number
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Customers as pretty-printed JSON: an array of the records as the API gave them. Each is
/// read once, so they may be decoded one at a time as they come.
pub fn customers_json<C: serde::Serialize>(
    customers: impl IntoIterator<Item = C>,
) -> anyhow::Result<String> {
    let mut out = Vec::new();
    serde::Serializer::collect_seq(&mut serde_json::Serializer::pretty(&mut out), customers)
        .context("cannot encode customers as JSON")?;
    out.push(b'\n');
    String::from_utf8(out).context("cannot encode customers as JSON")
}

// ---------------------------------------------------------------------------------------------
// vCard 4.0 (RFC 6350)

/// Contacts as vCard 4.0 cards, one after another (a `.vcf` file).
pub fn contacts_vcard(rows: &[ContactRow<'_>]) -> String {
    let mut out = String::new();
    for r in rows {
        vcard(&mut out, r);
    }
    out
}

fn vcard(out: &mut String, r: &ContactRow<'_>) {
    let k = r.contact;
    let name = k.name.as_deref().map(str::trim).unwrap_or("");
    // FN is required: fall back on the e-mail, then the organisation.
    let full_name = [name, k.email.as_deref().unwrap_or(""), &r.organisation]
        .into_iter()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("(no name)");
    let mut line = |l: String| {
        out.push_str(&fold(&l));
        out.push_str("\r\n");
    };
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line(format!("FN:{}", escape_text(full_name)));
    if !name.is_empty() {
        let n = split_name(name);
        line(format!(
            "N:{};{};;;{}",
            escape_text(n.family),
            escape_text(n.given),
            escape_text(n.suffix)
        ));
    }
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(t) = k
        .title()
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        line(format!("TITLE:{}", escape_text(t)));
    }
    if !r.organisation.trim().is_empty() {
        line(format!("ORG:{}", escape_text(r.organisation.trim())));
    }
    if let Some(e) = nonempty(&k.email) {
        line(format!("EMAIL;TYPE=work:{}", escape_text(&e)));
    }
    if let Some(p) = nonempty(&k.phone) {
        let p = match nonempty(&k.extension) {
            Some(x) if !p.contains('x') => format!("{p} x{x}"),
            _ => p,
        };
        line(format!("TEL;VALUE=text;TYPE=work:{}", escape_text(&p)));
    }
    if let Some(m) = nonempty(&k.mobile) {
        line(format!("TEL;VALUE=text;TYPE=cell:{}", escape_text(&m)));
    }
    let street: Vec<String> = [&k.address1, &k.address2]
        .into_iter()
        .filter_map(nonempty)
        .map(|s| escape_text(&s))
        .collect();
    let (city, state, zip) = (nonempty(&k.city), nonempty(&k.state), nonempty(&k.zip));
    if !street.is_empty() || city.is_some() || state.is_some() || zip.is_some() {
        let c = |v: Option<String>| v.map(|s| escape_text(&s)).unwrap_or_default();
        // PO box; extended address; street (several values, comma-separated); locality;
        // region; postal code; country.
        line(format!(
            "ADR;TYPE=work:;;{};{};{};{};",
            street.join(","),
            c(city),
            c(state),
            c(zip)
        ));
    }
    if let Some(n) = nonempty(&k.notes) {
        line(format!("NOTE:{}", escape_text(&n)));
    }
    line("END:VCARD".into());
}

/// The parts of a one-field name for the vCard `N` property.
#[derive(Debug, PartialEq, Eq)]
pub struct NameParts<'a> {
    pub family: &'a str,
    pub given: &'a str,
    pub suffix: &'a str,
}

/// Splits Syncro's single contact name into family and given names: "Ann Smith" and
/// "Smith, Ann" both give family Smith; "Ann Smith, Jr." keeps Jr. as the suffix; a single word
/// is the family name. A guess that suits most Western names; `FN` always keeps the name
/// exactly as written.
pub fn split_name(name: &str) -> NameParts<'_> {
    const SUFFIXES: &[&str] = &[
        "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d.", "esq", "esq.",
    ];
    let name = name.trim();
    let (main, suffix) = match name.split_once(',') {
        Some((left, right)) if SUFFIXES.contains(&right.trim().to_lowercase().as_str()) => {
            (left.trim(), right.trim())
        }
        Some((left, right)) if !left.trim().is_empty() && !right.trim().is_empty() => {
            return NameParts {
                family: left.trim(),
                given: right.trim(),
                suffix: "",
            };
        }
        _ => (name, ""),
    };
    match main.rsplit_once(char::is_whitespace) {
        Some((given, family)) => NameParts {
            family: family.trim(),
            given: given.trim(),
            suffix,
        },
        None => NameParts {
            family: main,
            given: "",
            suffix,
        },
    }
}

/// RFC 6350 §3.4 text escaping: `\` `,` `;` escaped, line breaks as `\n`, other control
/// characters (which vCard text may not hold) dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 6350 §3.2 folding: no line over 75 octets; continuation lines start with one space.
/// Breaks only between characters, never inside a UTF-8 sequence.
pub fn fold(line: &str) -> String {
    const LIMIT: usize = 75;
    if line.len() <= LIMIT {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Files

/// A file-name-safe stem: letters, digits, `-` and `_` kept (any script), the rest turned to
/// `-`, at most 60 characters; `export` when nothing is left.
pub fn safe_stem(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars().take(60) {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "export".into() } else { out }
}

/// `STEM-YYYYMMDD-HHMMSS.EXT`
pub fn file_name(stem: &str, format: ExportFormat, now: chrono::NaiveDateTime) -> String {
    format!(
        "{}-{}.{}",
        safe_stem(stem),
        now.format("%Y%m%d-%H%M%S"),
        format.extension()
    )
}

/// Whether an export's content holds no record: a CSV with only its header line, an empty
/// JSON array, vCard text without a card, or nothing at all. Such an export writes no file
/// (the status line says "nothing to export").
pub fn is_empty_export(format: ExportFormat, content: &str) -> bool {
    let text = content.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return true;
    }
    match format {
        // The header names fields and never holds a line break.
        ExportFormat::Csv => text
            .split_once(['\n', '\r'])
            .is_none_or(|(_, rest)| rest.trim().is_empty()),
        ExportFormat::Json => text
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|inner| inner.trim().is_empty()),
        ExportFormat::VCard => !text.contains("BEGIN:VCARD"),
    }
}

/// Writes `content` to a new file in `dir` (created if needed, 0700 like every directory the
/// app creates) named after `stem`, the local time and the format, and returns its path for
/// the status line. Never overwrites: when the name is taken, `-2`, `-3`, ... is added. The
/// file is readable only by the user (it holds customer data). A write that fails removes the
/// file it started, so no empty or partial export is left behind; an export without any record
/// ([`is_empty_export`]) is refused before anything is created. Default `dir`:
/// [`crate::config::Settings::export_directory`].
pub fn write_export(
    dir: &Path,
    stem: &str,
    format: ExportFormat,
    content: &str,
) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    if is_empty_export(format, content) {
        anyhow::bail!("nothing to export");
    }
    crate::files::create_private_dir(dir)
        .with_context(|| format!("cannot create the export directory {}", dir.display()))?;
    let name = file_name(stem, format, chrono::Local::now().naive_local());
    let (base, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
    for n in 1..1000 {
        let path = if n == 1 {
            dir.join(&name)
        } else {
            dir.join(format!("{base}-{n}.{ext}"))
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(f) => {
                fill_or_remove(f, &path, |f| {
                    f.write_all(content.as_bytes())?;
                    f.sync_all()
                })
                .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        }
    }
    anyhow::bail!("too many exports named {name} in {}", dir.display())
}

/// Runs `write` on a file just created at `path`; when it fails, the file is removed.
fn fill_or_remove(
    mut f: std::fs::File,
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let result = write(&mut f);
    drop(f);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_without_records_is_empty() {
        assert!(is_empty_export(
            ExportFormat::Csv,
            "\u{feff}id,name,email\r\n"
        ));
        assert!(is_empty_export(ExportFormat::Csv, "id,name\n  \n"));
        assert!(!is_empty_export(ExportFormat::Csv, "id,name\r\n1,Acme\r\n"));
        assert!(is_empty_export(ExportFormat::Json, "[\n]\n"));
        assert!(!is_empty_export(ExportFormat::Json, "[{\"id\":1}]"));
        assert!(is_empty_export(ExportFormat::VCard, ""));
        assert!(!is_empty_export(
            ExportFormat::VCard,
            "BEGIN:VCARD\r\nEND:VCARD\r\n"
        ));
        let dir = tempfile::tempdir().unwrap();
        let err = write_export(dir.path(), "x", ExportFormat::Json, "[]").unwrap_err();
        assert!(err.to_string().contains("nothing to export"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// An extension typed into the phone lands in the CSV's extension column; one Syncro
    /// keeps in its own field stays there, with the phone as it is.
    #[test]
    fn extensions_go_to_their_column() {
        let typed = Contact {
            id: 1,
            phone: Some("555-123-4569 x12".into()),
            ..Contact::default()
        };
        let kept = Contact {
            id: 2,
            phone: Some("555-123-4570".into()),
            extension: Some("7".into()),
            ..Contact::default()
        };
        let rows = contact_rows(std::slice::from_ref(&typed), &[]);
        let text = contacts_csv(&rows, ExportOptions::default());
        assert!(text.contains(",555-123-4569,12,"), "{text}");
        let rows = contact_rows(std::slice::from_ref(&kept), &[]);
        let text = contacts_csv(&rows, ExportOptions::default());
        assert!(text.contains(",555-123-4570,7,"), "{text}");
    }

    /// A write that fails half-way (a full disk, a lost network drive) leaves no empty or
    /// partial file behind.
    #[test]
    fn a_failed_export_leaves_no_file() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let f = std::fs::File::create(&path).unwrap();
        let err = fill_or_remove(f, &path, |f| {
            f.write_all(b"id,name\n")?;
            Err(std::io::Error::other("No space left on device"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("No space"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn folding_respects_75_octets_and_utf8() {
        let line = format!("NOTE:{}", "日本語🙂".repeat(20));
        let folded = fold(&line);
        for (i, l) in folded.split("\r\n").enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets", l.len());
            if i > 0 {
                assert!(l.starts_with(' '));
            }
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("short"), "short");
    }

    #[test]
    fn formula_guard_spares_phone_numbers() {
        assert!(is_formula_like("=HYPERLINK(\"x\")"));
        assert!(is_formula_like("@SUM(A1)"));
        assert!(is_formula_like("+cmd|' /C calc'!A0"));
        assert!(is_formula_like("-2+3+cmd"));
        assert!(!is_formula_like("+1 (555) 010-0100 x12"));
        assert!(!is_formula_like("-"));
        assert!(!is_formula_like("Acme"));
        assert!(!is_formula_like(""));
    }

    #[test]
    fn names_split_into_family_and_given() {
        let n = |f, g, s| NameParts {
            family: f,
            given: g,
            suffix: s,
        };
        assert_eq!(split_name("Ann Smith"), n("Smith", "Ann", ""));
        assert_eq!(split_name("Smith, Ann"), n("Smith", "Ann", ""));
        assert_eq!(split_name("Ann Smith, Jr."), n("Smith", "Ann", "Jr."));
        assert_eq!(
            split_name("Mary Ann de Vries"),
            n("Vries", "Mary Ann de", "")
        );
        assert_eq!(split_name("山田太郎"), n("山田太郎", "", ""));
        assert_eq!(split_name("Cher"), n("Cher", "", ""));
    }

    #[test]
    fn stems_are_safe() {
        assert_eq!(
            safe_stem("contacts of Acme, Inc./../x"),
            "contacts-of-Acme-Inc-x"
        );
        assert_eq!(safe_stem("Müller 山田"), "Müller-山田");
        assert_eq!(safe_stem("../.."), "export");
    }
}
