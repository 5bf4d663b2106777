//! Where customers come from: `referred_by` values grouped across case, spacing, punctuation
//! and legal-suffix variants, referrals by another customer (`ref_customer_id`) resolved to
//! its name, counted per source and per month of `created_at`.
//!
//! Grouping key ([`source_key`]): the folded text (lowercase, accents removed), `&` read as
//! "and", punctuation dropped, single letters joined ("A.B.C." = "ABC"), a leading "the" and
//! trailing legal suffixes (Co, Company, Inc, Incorporated, LLC, Ltd, Limited, Corp,
//! Corporation, PLC, Pty, GmbH) removed. So "ABC Co", "ABC Company" and "abc co." are one
//! source, shown under its most common spelling with a note naming the others.
//!
//! A customer with `ref_customer_id` counts for that customer (even if `referred_by` is also
//! filled), and `referred_by` texts that name the same customer join its group.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use crate::api::model::{Customer, Id};
use crate::export::{ExportOptions, push_csv_field};

/// Month label of customers without `created_at`.
pub const UNKNOWN_MONTH: &str = "unknown";

const SUFFIXES: &[&str] = &[
    "co",
    "company",
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "plc",
    "pty",
    "gmbh",
];

/// The grouping key of a referral text ("ABC Co." -> "abc"); empty for an empty text.
pub fn source_key(text: &str) -> String {
    let folded = crate::mirror::text::fold(text);
    let mut spaced = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c == '&' {
            spaced.push_str(" and ");
        } else if c.is_alphanumeric() {
            spaced.push(c);
        } else if c == '\'' || c == '’' {
            // "Joe's" is one word.
        } else {
            spaced.push(' ');
        }
    }
    // Single letters in a row are one word: "a.b.c." -> "abc", "l.l.c." -> "llc".
    let mut words: Vec<String> = Vec::new();
    let mut letters = String::new();
    for w in spaced.split_whitespace() {
        if w.chars().count() == 1 {
            letters.push_str(w);
            continue;
        }
        if !letters.is_empty() {
            words.push(std::mem::take(&mut letters));
        }
        words.push(w.to_string());
    }
    if !letters.is_empty() {
        words.push(letters);
    }
    let all = words.join(" ");
    if words.first().is_some_and(|w| w == "the") && words.len() > 1 {
        words.remove(0);
    }
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    if words.is_empty() {
        all
    } else {
        words.join(" ")
    }
}

/// Where a group's customers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Typed text (`referred_by`), with its grouping keys (several when spellings that name a
    /// customer were merged into it).
    Text,
    /// Another customer (`ref_customer_id`).
    Customer(Id),
}

/// One referral source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralGroup {
    /// What to show: the customer's name, or the most common spelling.
    pub label: String,
    pub source: Source,
    /// Customers referred by it.
    pub count: usize,
    /// Every spelling of `referred_by` seen, with its count, most common first.
    pub variants: Vec<(String, usize)>,
    /// "3 spellings grouped: ABC Co (3), ABC Company (2), abc co. (1)", when there are several.
    pub note: Option<String>,
    /// New customers per month (`YYYY-MM` of `created_at`, or [`UNKNOWN_MONTH`]).
    pub by_month: BTreeMap<String, usize>,
    /// The customers, by id (ascending): the list filtered by this source.
    pub customer_ids: Vec<Id>,
    /// The text keys that belong to this group ([`source_key`]).
    pub keys: Vec<String>,
}

impl ReferralGroup {
    /// Whether a customer belongs to this group (the list's filter "by this source").
    pub fn matches(&self, c: &Customer) -> bool {
        match (c.ref_customer_id, &self.source) {
            (Some(r), Source::Customer(id)) => r == *id,
            (Some(_), Source::Text) => false,
            (None, _) => c
                .referred_by
                .as_deref()
                .map(source_key)
                .is_some_and(|k| !k.is_empty() && self.keys.contains(&k)),
        }
    }
}

/// Every source with its customers, and the customers without one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralReport {
    /// Most customers first, then by label.
    pub groups: Vec<ReferralGroup>,
    /// Every month that has a new customer, ascending ([`UNKNOWN_MONTH`] last).
    pub months: Vec<String>,
    /// Customers with neither `referred_by` nor `ref_customer_id`.
    pub unattributed: usize,
    pub unattributed_by_month: BTreeMap<String, usize>,
    /// Customers counted.
    pub total: usize,
}

#[derive(Default)]
struct Builder {
    variants: BTreeMap<String, usize>,
    by_month: BTreeMap<String, usize>,
    ids: Vec<Id>,
    keys: Vec<String>,
}

impl Builder {
    fn add(&mut self, c: &Customer, month: &str, variant: Option<&str>) {
        if let Some(v) = variant {
            *self.variants.entry(v.to_string()).or_default() += 1;
        }
        *self.by_month.entry(month.to_string()).or_default() += 1;
        self.ids.push(c.id);
    }

    fn merge(&mut self, other: Builder) {
        for (v, n) in other.variants {
            *self.variants.entry(v).or_default() += n;
        }
        for (m, n) in other.by_month {
            *self.by_month.entry(m).or_default() += n;
        }
        self.ids.extend(other.ids);
        self.keys.extend(other.keys);
    }

    fn finish(mut self, source: Source, label: Option<String>) -> ReferralGroup {
        let mut variants: Vec<(String, usize)> = self.variants.into_iter().collect();
        variants.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let label = label
            .or_else(|| variants.first().map(|v| v.0.clone()))
            .unwrap_or_default();
        let note = (variants.len() > 1).then(|| {
            let list: Vec<String> = variants.iter().map(|(v, n)| format!("{v} ({n})")).collect();
            format!("{} spellings grouped: {}", variants.len(), list.join(", "))
        });
        self.ids.sort_unstable();
        self.keys.sort();
        self.keys.dedup();
        ReferralGroup {
            label,
            source,
            count: self.ids.len(),
            variants,
            note,
            by_month: self.by_month,
            customer_ids: self.ids,
            keys: self.keys,
        }
    }
}

fn month_of(c: &Customer) -> String {
    c.created_at
        .map(|t| t.format("%Y-%m").to_string())
        .unwrap_or_else(|| UNKNOWN_MONTH.to_string())
}

/// The referral report of `customers` (each read once, so they may be decoded one at a time).
/// `name_of` gives a referring customer's name by id (`None` when it is not in the account).
pub fn report<C: Borrow<Customer>>(
    customers: impl IntoIterator<Item = C>,
    name_of: &dyn Fn(Id) -> Option<String>,
) -> ReferralReport {
    let mut text: HashMap<String, Builder> = HashMap::new();
    let mut by_customer: BTreeMap<Id, Builder> = BTreeMap::new();
    let mut out = ReferralReport::default();
    let mut months: BTreeMap<String, ()> = BTreeMap::new();
    for c in customers {
        let c = c.borrow();
        out.total += 1;
        let month = month_of(c);
        months.insert(month.clone(), ());
        let typed = c
            .referred_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(r) = c.ref_customer_id {
            by_customer.entry(r).or_default().add(c, &month, typed);
            continue;
        }
        match typed {
            Some(t) => {
                let key = source_key(t);
                let b = text.entry(key.clone()).or_default();
                if b.keys.is_empty() {
                    b.keys.push(key);
                }
                b.add(c, &month, Some(t));
            }
            None => {
                out.unattributed += 1;
                *out.unattributed_by_month.entry(month).or_default() += 1;
            }
        }
    }
    for (id, mut b) in by_customer {
        let name = name_of(id).map(|n| n.trim().to_string());
        if let Some(n) = &name {
            let key = source_key(n);
            if let Some(t) = text.remove(&key) {
                b.merge(t);
            }
            b.keys.push(key);
        }
        let label = name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("customer #{id} (not in the account)"));
        out.groups.push(b.finish(Source::Customer(id), Some(label)));
    }
    out.groups
        .extend(text.into_values().map(|b| b.finish(Source::Text, None)));
    out.groups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
            .then_with(|| a.customer_ids.cmp(&b.customer_ids))
    });
    out.months = months.into_keys().collect();
    out
}

impl ReferralReport {
    /// The report as CSV (RFC 4180, as the exports): one row per source with its total and
    /// one column per month, then a row for the customers without a source.
    pub fn to_csv(&self, opts: ExportOptions) -> String {
        let mut out = String::new();
        if opts.excel_bom {
            out.push('\u{feff}');
        }
        let mut row = |fields: Vec<String>| {
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_csv_field(&mut out, f, opts.formula_guard);
            }
            out.push_str("\r\n");
        };
        let mut header: Vec<String> = ["source", "kind", "customer_id", "customers", "note"]
            .map(String::from)
            .to_vec();
        header.extend(self.months.iter().cloned());
        row(header);
        let months = |by: &BTreeMap<String, usize>| -> Vec<String> {
            self.months
                .iter()
                .map(|m| by.get(m).copied().unwrap_or(0).to_string())
                .collect()
        };
        for g in &self.groups {
            let (kind, id) = match g.source {
                Source::Text => ("text", String::new()),
                Source::Customer(id) => ("customer", id.to_string()),
            };
            let mut fields = vec![
                g.label.clone(),
                kind.to_string(),
                id,
                g.count.to_string(),
                g.note.clone().unwrap_or_default(),
            ];
            fields.extend(months(&g.by_month));
            row(fields);
        }
        let mut fields = vec![
            "(no source)".to_string(),
            "none".to_string(),
            String::new(),
            self.unattributed.to_string(),
            String::new(),
        ];
        fields.extend(months(&self.unattributed_by_month));
        row(fields);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer(id: Id, referred_by: Option<&str>, ref_id: Option<Id>, created: &str) -> Customer {
        serde_json::from_value(json!({
            "id": id,
            "business_name": format!("Customer {id}"),
            "referred_by": referred_by,
            "ref_customer_id": ref_id,
            "created_at": created,
        }))
        .unwrap()
    }

    #[test]
    fn keys_ignore_case_spacing_punctuation_and_suffixes() {
        for v in [
            "ABC Co",
            "ABC Company",
            "abc co.",
            "  A.B.C.  Co.  ",
            "The ABC Co., Inc.",
        ] {
            assert_eq!(source_key(v), "abc", "{v}");
        }
        assert_eq!(source_key("Smith & Sons LLC"), "smith and sons");
        assert_eq!(source_key("Smith and Sons, L.L.C."), "smith and sons");
        assert_eq!(source_key("Chamber of Commerce"), "chamber of commerce");
        assert_eq!(source_key("Zoë's Café Ltd."), "zoes cafe");
        // A source that is nothing but a suffix keeps it.
        assert_eq!(source_key("Co."), "co");
        assert_eq!(source_key("The"), "the");
        assert_eq!(source_key("   "), "");
        assert_ne!(source_key("Google"), source_key("Google Ads"));
    }

    #[test]
    fn variants_group_with_a_note_and_count_per_month() {
        let customers = vec![
            customer(1, Some("ABC Co"), None, "2024-01-05T10:00:00.000-05:00"),
            customer(
                2,
                Some("ABC Company"),
                None,
                "2024-01-20T10:00:00.000-05:00",
            ),
            customer(3, Some("abc co."), None, "2024-02-01T10:00:00.000-05:00"),
            customer(4, Some("ABC Co"), None, "2024-03-01T10:00:00.000-05:00"),
            customer(5, Some("Google"), None, "2024-02-11T10:00:00.000-05:00"),
            customer(6, None, None, "2024-02-11T10:00:00.000-05:00"),
            customer(7, Some("  "), None, "2024-03-11T10:00:00.000-05:00"),
        ];
        let r = report(&customers, &|_| None);
        assert_eq!(r.total, 7);
        assert_eq!(r.unattributed, 2);
        assert_eq!(r.months, ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(r.groups.len(), 2);
        let abc = &r.groups[0];
        assert_eq!(abc.label, "ABC Co");
        assert_eq!(abc.count, 4);
        assert_eq!(abc.customer_ids, [1, 2, 3, 4]);
        assert_eq!(
            abc.note.as_deref(),
            Some("3 spellings grouped: ABC Co (2), ABC Company (1), abc co. (1)")
        );
        assert_eq!(abc.by_month["2024-01"], 2);
        assert_eq!(abc.by_month["2024-02"], 1);
        assert_eq!(abc.by_month["2024-03"], 1);
        assert!(abc.matches(&customers[2]));
        assert!(!abc.matches(&customers[4]));
        let google = &r.groups[1];
        assert_eq!((google.label.as_str(), google.count), ("Google", 1));
        assert_eq!(google.note, None);
        assert_eq!(r.unattributed_by_month["2024-02"], 1);
    }

    #[test]
    fn a_referring_customer_is_named_and_joins_its_spellings() {
        let customers = vec![
            customer(
                10,
                Some("Acme Dental"),
                None,
                "2024-01-05T10:00:00.000+02:00",
            ),
            customer(11, None, Some(99), "2024-01-06T10:00:00.000+02:00"),
            customer(
                12,
                Some("whatever was typed"),
                Some(99),
                "2024-02-06T10:00:00.000+02:00",
            ),
            customer(13, None, Some(404), "2024-02-07T10:00:00.000+02:00"),
        ];
        let names = |id: Id| (id == 99).then(|| "Acme Dental LLC".to_string());
        let r = report(&customers, &names);
        let acme = &r.groups[0];
        assert_eq!(acme.label, "Acme Dental LLC");
        assert_eq!(acme.source, Source::Customer(99));
        assert_eq!(acme.customer_ids, [10, 11, 12]);
        assert!(acme.matches(&customers[0]) && acme.matches(&customers[1]));
        assert!(acme.matches(&customers[2]));
        let gone = r
            .groups
            .iter()
            .find(|g| g.source == Source::Customer(404))
            .unwrap();
        assert_eq!(gone.label, "customer #404 (not in the account)");
        assert_eq!(
            r.groups.len(),
            2,
            "the typed text of #12 does not make its own group"
        );
    }

    #[test]
    fn months_follow_the_accounts_offset_and_missing_dates_count_as_unknown() {
        // 07:30 on 1 February in UTC, still January where the account is.
        let late = customer(1, Some("Yelp"), None, "2024-01-31T23:30:00.000-08:00");
        let mut undated = customer(2, Some("Yelp"), None, "2024-01-31T23:30:00.000-08:00");
        undated.created_at = None;
        let r = report([&late, &undated], &|_| None);
        assert_eq!(r.months, ["2024-01", UNKNOWN_MONTH]);
        assert_eq!(r.groups[0].by_month["2024-01"], 1);
        assert_eq!(r.groups[0].by_month[UNKNOWN_MONTH], 1);
    }

    #[test]
    fn csv_has_a_row_per_source_and_a_column_per_month() {
        let customers = vec![
            customer(1, Some("ABC Co"), None, "2024-01-05T10:00:00.000-05:00"),
            customer(
                2,
                Some("abc company"),
                None,
                "2024-02-05T10:00:00.000-05:00",
            ),
            customer(
                3,
                Some("=cmd|' /C calc'!A0"),
                None,
                "2024-02-05T10:00:00.000-05:00",
            ),
            customer(4, None, None, "2024-02-05T10:00:00.000-05:00"),
        ];
        let r = report(&customers, &|_| None);
        let csv = r.to_csv(ExportOptions {
            formula_guard: true,
            excel_bom: false,
        });
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "source,kind,customer_id,customers,note,2024-01,2024-02"
        );
        assert_eq!(
            lines[1],
            "ABC Co,text,,2,\"2 spellings grouped: ABC Co (1), abc company (1)\",1,1"
        );
        assert_eq!(lines[2], "'=cmd|' /C calc'!A0,text,,1,,0,1");
        assert_eq!(lines[3], "(no source),none,,1,,0,1");
        assert_eq!(lines[4], "");
    }
}
