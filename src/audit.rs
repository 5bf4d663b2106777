//! Duplicate audit: groups of customers that are probably the same client, each with its
//! reasons and a confidence, and duplicate contacts inside one customer.
//!
//! Pure functions over records the app already has (the mirror). Signals, strongest first:
//! same e-mail, same normalised business name, same phone digits, same company e-mail domain
//! with a similar name. A signal shared by many customers (a building's main line, a franchise
//! name) says nothing about duplicates and is ignored past `MAX_BUCKET` records.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use unicode_normalization::UnicodeNormalization;

use crate::api::model::{Customer, Id};

/// A signal shared by more customers than this is not treated as a duplicate marker.
pub const MAX_BUCKET: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    SameEmail,
    SameName,
    SamePhone,
    SameDomainSimilarName,
}

impl Reason {
    pub fn describe(self) -> &'static str {
        match self {
            Reason::SameEmail => "same e-mail",
            Reason::SameName => "same name",
            Reason::SamePhone => "same phone number",
            Reason::SameDomainSimilarName => "same e-mail domain, similar name",
        }
    }

    fn weight(self) -> u8 {
        match self {
            Reason::SameEmail => 90,
            Reason::SameName => 85,
            Reason::SamePhone => 70,
            Reason::SameDomainSimilarName => 60,
        }
    }
}

/// Customers that look like one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Sorted ascending.
    pub ids: Vec<Id>,
    pub reasons: Vec<Reason>,
    /// 0 to 99.
    pub confidence: u8,
}

impl Group {
    /// Stable identity of the group, for remembering "not a duplicate".
    pub fn key(&self) -> String {
        let ids: Vec<String> = self.ids.iter().map(Id::to_string).collect();
        ids.join("-")
    }

    pub fn describe(&self) -> String {
        let r: Vec<&str> = self.reasons.iter().map(|r| r.describe()).collect();
        r.join(", ")
    }
}

/// Contacts of one customer that look like the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactGroup {
    pub customer_id: Id,
    pub contact_ids: Vec<Id>,
    pub reason: &'static str,
}

/// Legal-form words dropped from business names before comparing.
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "l l c",
    "ltd",
    "limited",
    "gmbh",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "llp",
    "lp",
    "pllc",
    "pc",
    "sa",
    "sarl",
    "ag",
    "bv",
    "pty",
    "srl",
    "oy",
    "ab",
];

/// Mail providers whose domain says nothing about the company.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
    "yandex.com",
    "comcast.net",
    "att.net",
    "verizon.net",
];

/// Folds a name for comparison: accents off, case folded, punctuation and spacing unified,
/// `&` read as "and", legal suffixes such as Inc, LLC, Ltd, GmbH, Corp and Co removed.
pub fn normalize_name(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == '&' { '+' } else { c })
        .collect();
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric() && c != '+')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w == "+" {
                "and".to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    if words.first().is_some_and(|w| w == "the") && words.len() > 1 {
        words.remove(0);
    }
    // Drop trailing legal forms, also spelled with dots ("L.L.C." became "l l c").
    loop {
        let joined = words.join(" ");
        let Some(suffix) = LEGAL_SUFFIXES.iter().find(|s| {
            joined.ends_with(*s)
                && (joined.len() == s.len() || joined[..joined.len() - s.len()].ends_with(' '))
        }) else {
            break;
        };
        let n = suffix.split(' ').count();
        if words.len() <= n {
            break;
        }
        words.truncate(words.len() - n);
    }
    words.join(" ")
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The last ten digits of a phone number (drops a country code), if it has at least seven.
fn phone_key(s: &str) -> Option<String> {
    let d = digits(s);
    (d.len() >= 7).then(|| d[d.len().saturating_sub(10)..].to_string())
}

fn email_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    let d = domain.to_lowercase();
    (!d.is_empty() && !FREE_MAIL.contains(&d.as_str())).then_some(d)
}

/// Levenshtein distance over chars (short strings only: business names).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Names that are probably the same company: one contains the other as whole words, most words
/// are shared, or they differ by a typo or two.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (a, b) = (normalize_name(a), normalize_name(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let wa: BTreeSet<&str> = a.split(' ').collect();
    let wb: BTreeSet<&str> = b.split(' ').collect();
    let common = wa.intersection(&wb).count();
    let union = wa.union(&wb).count();
    if common * 2 >= union || (common > 0 && (wa.is_subset(&wb) || wb.is_subset(&wa))) {
        return true;
    }
    let longest = a.chars().count().max(b.chars().count());
    longest >= 6 && edit_distance(&a, &b) * 6 <= longest
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut i = i;
        while self.0[i] != r {
            let next = self.0[i];
            self.0[i] = r;
            i = next;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Groups of likely duplicate customers, most confident first. Groups whose key is in
/// `dismissed` ("not a duplicate") are left out.
pub fn customer_groups<C: Borrow<Customer>>(
    customers: &[C],
    dismissed: &BTreeSet<String>,
) -> Vec<Group> {
    let mut buckets: HashMap<(Reason, String), Vec<usize>> = HashMap::new();
    let mut by_domain: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in customers.iter().enumerate() {
        let c = c.borrow();
        // A duplicate kept after a merge (for its invoices) is handled: not found again.
        if c.business_name
            .as_deref()
            .is_some_and(|n| n.starts_with(crate::flows::merge::MERGED_PREFIX))
        {
            continue;
        }
        if let Some(e) = c
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| e.contains('@'))
        {
            buckets
                .entry((Reason::SameEmail, e.clone()))
                .or_default()
                .push(i);
            if let Some(d) = email_domain(&e) {
                by_domain.entry(d).or_default().push(i);
            }
        }
        let name = normalize_name(&c.display_name());
        if !name.is_empty() {
            buckets.entry((Reason::SameName, name)).or_default().push(i);
        }
        let mut phones: Vec<String> = [&c.phone, &c.mobile]
            .into_iter()
            .flatten()
            .filter_map(|p| phone_key(p))
            .collect();
        phones.dedup();
        for p in phones {
            buckets.entry((Reason::SamePhone, p)).or_default().push(i);
        }
    }
    let mut pair_reasons: BTreeMap<(usize, usize), BTreeSet<Reason>> = BTreeMap::new();
    let mut add = |members: &[usize], reason: Reason| {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if a != b {
                    pair_reasons
                        .entry((a.min(b), a.max(b)))
                        .or_default()
                        .insert(reason);
                }
            }
        }
    };
    for ((reason, _), members) in &buckets {
        if members.len() >= 2 && members.len() <= MAX_BUCKET {
            add(members, *reason);
        }
    }
    for members in by_domain.values() {
        if members.len() < 2 || members.len() > MAX_BUCKET * 4 {
            continue;
        }
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if a != b
                    && similar_names(
                        &customers[a].borrow().display_name(),
                        &customers[b].borrow().display_name(),
                    )
                {
                    add(&[a, b], Reason::SameDomainSimilarName);
                }
            }
        }
    }
    let mut uf = UnionFind((0..customers.len()).collect());
    for &(a, b) in pair_reasons.keys() {
        uf.union(a, b);
    }
    let mut groups: BTreeMap<usize, (BTreeSet<usize>, BTreeSet<Reason>)> = BTreeMap::new();
    for ((a, b), reasons) in &pair_reasons {
        let g = groups.entry(uf.find(*a)).or_default();
        g.0.insert(*a);
        g.0.insert(*b);
        g.1.extend(reasons.iter().copied());
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .map(|(members, reasons)| {
            let mut ids: Vec<Id> = members.iter().map(|&i| customers[i].borrow().id).collect();
            ids.sort_unstable();
            ids.dedup();
            let reasons: Vec<Reason> = reasons.into_iter().collect();
            let best = reasons.iter().map(|r| r.weight()).max().unwrap_or(0);
            let extra = (reasons.len().saturating_sub(1) * 5) as u8;
            Group {
                ids,
                reasons,
                confidence: best.saturating_add(extra).min(99),
            }
        })
        .filter(|g| g.ids.len() >= 2 && !dismissed.contains(&g.key()))
        .collect();
    out.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.ids.cmp(&b.ids)));
    out
}

/// Contacts inside one customer with the same e-mail, the same name or the same phone (seven
/// digits or more, direct line or mobile).
pub fn contact_groups<C: Borrow<Customer>>(customers: &[C]) -> Vec<ContactGroup> {
    let mut out = Vec::new();
    for c in customers {
        let c = c.borrow();
        let office: Vec<String> = [c.phone.as_deref(), c.mobile.as_deref()]
            .into_iter()
            .flatten()
            .filter_map(phone_key)
            .collect();
        let mut seen: BTreeMap<(&'static str, String), Vec<Id>> = BTreeMap::new();
        for ct in &c.contacts {
            if let Some(e) = ct
                .email
                .as_deref()
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty())
            {
                seen.entry(("same e-mail", e)).or_default().push(ct.id);
            }
            if let Some(n) = ct
                .name
                .as_deref()
                .map(normalize_name)
                .filter(|n| !n.is_empty())
            {
                seen.entry(("same name", n)).or_default().push(ct.id);
            }
            // A shared direct line or mobile. The office's main number (the customer's phone,
            // which many contacts carry) and short numbers say too little; a line with an
            // extension is that extension's.
            let ext = digits(ct.extension.as_deref().unwrap_or(""));
            let mut phones: Vec<String> = [ct.phone.as_deref(), ct.mobile.as_deref()]
                .into_iter()
                .flatten()
                .filter_map(phone_key)
                .filter(|d| !office.contains(d))
                .collect();
            if let Some(first) = phones.first_mut()
                && ct.phone.as_deref().and_then(phone_key).as_ref() == Some(first)
                && !ext.is_empty()
            {
                first.push('x');
                first.push_str(&ext);
            }
            phones.dedup();
            for d in phones {
                seen.entry(("same phone", d)).or_default().push(ct.id);
            }
        }
        let mut reported: BTreeSet<Vec<Id>> = BTreeSet::new();
        for ((reason, _), ids) in seen {
            if ids.len() >= 2 && reported.insert(ids.clone()) {
                out.push(ContactGroup {
                    customer_id: c.id,
                    contact_ids: ids,
                    reason,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::Contact;

    fn cust(id: Id, business: &str, email: &str, phone: &str) -> Customer {
        Customer {
            id,
            business_name: Some(business.to_string()).filter(|s| !s.is_empty()),
            email: Some(email.to_string()).filter(|s| !s.is_empty()),
            phone: Some(phone.to_string()).filter(|s| !s.is_empty()),
            ..Default::default()
        }
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalize_name("ACME Dental, L.L.C."), "acme dental");
        assert_eq!(normalize_name("Acme  Dental Inc."), "acme dental");
        assert_eq!(normalize_name("Müller & Söhne GmbH"), "muller and sohne");
        assert_eq!(
            normalize_name("The Law Office of Ortiz Co"),
            "law office of ortiz"
        );
        assert_eq!(normalize_name("Co"), "co");
        assert_eq!(normalize_name("東京商事"), "東京商事");
    }

    #[test]
    fn finds_planted_duplicates_and_no_false_groups() {
        let customers = vec![
            cust(1, "Acme Dental LLC", "office@acmedental.com", "5550001111"),
            cust(2, "ACME Dental", "billing@acmedental.com", ""),
            cust(3, "Brightside Law", "info@brightside.law", "5552223333"),
            cust(4, "Bright Side Law Group", "info@brightside.law", ""),
            cust(
                5,
                "Northwind Traders",
                "a@northwind.example",
                "(555) 444-5555",
            ),
            cust(
                6,
                "Contoso Manufacturing",
                "b@contoso.example",
                "+1 555 444 5555",
            ),
            cust(7, "Fabrikam Schools", "c@gmail.com", "5556667777"),
            cust(8, "Tailspin Toys", "d@gmail.com", "5558889999"),
            cust(9, "Wingtip Accounting", "e@wingtip.example", "5551212121"),
        ];
        let groups = customer_groups(&customers, &BTreeSet::new());
        let ids: Vec<Vec<Id>> = groups.iter().map(|g| g.ids.clone()).collect();
        assert!(ids.contains(&vec![1, 2]), "{groups:?}");
        assert!(ids.contains(&vec![3, 4]), "{groups:?}");
        assert!(ids.contains(&vec![5, 6]), "{groups:?}");
        assert_eq!(groups.len(), 3, "no false groups: {groups:?}");
        let g12 = groups.iter().find(|g| g.ids == vec![1, 2]).unwrap();
        assert!(g12.reasons.contains(&Reason::SameName));
        assert!(g12.reasons.contains(&Reason::SameDomainSimilarName));
        assert!(groups[0].confidence >= groups[2].confidence);

        let dismissed: BTreeSet<String> = [g12.key()].into();
        let groups = customer_groups(&customers, &dismissed);
        assert!(!groups.iter().any(|g| g.ids == vec![1, 2]));
    }

    #[test]
    fn a_duplicate_kept_after_a_merge_is_not_found_again() {
        let customers = vec![
            cust(1, "Brightwater Law", "office@bwlaw.example", "5550001111"),
            cust(
                2,
                "(merged) Brightwater Law",
                "office@bwlaw.example",
                "5550001111",
            ),
        ];
        assert!(customer_groups(&customers, &BTreeSet::new()).is_empty());
    }

    #[test]
    fn shared_main_line_is_not_a_signal() {
        let customers: Vec<Customer> = (0..20)
            .map(|i| cust(i, &format!("Tenant {i} Holdings"), "", "5559990000"))
            .collect();
        assert!(customer_groups(&customers, &BTreeSet::new()).is_empty());
    }

    #[test]
    fn duplicate_contacts_inside_a_customer() {
        let mut c = cust(1, "Acme", "", "");
        let ct = |id, name: &str, email: &str| Contact {
            id,
            name: Some(name.into()),
            email: Some(email.into()).filter(|s: &String| !s.is_empty()),
            ..Default::default()
        };
        c.contacts = vec![
            ct(10, "Jane Roe", "jane@acme.example"),
            ct(11, "jane roe", ""),
            ct(12, "J. Roe", "JANE@acme.example"),
            ct(13, "Bob Poe", "bob@acme.example"),
        ];
        let g = contact_groups(&[c]);
        assert_eq!(g.len(), 2, "{g:?}");
        assert!(
            g.iter()
                .any(|g| g.contact_ids == vec![10, 12] && g.reason == "same e-mail")
        );
        assert!(
            g.iter()
                .any(|g| g.contact_ids == vec![10, 11] && g.reason == "same name")
        );
    }

    #[test]
    fn contacts_sharing_a_direct_line_group_but_the_office_number_does_not() {
        let mut c = cust(1, "Acme", "", "(555) 010-0000");
        let ct = |id, name: &str, phone: &str, mobile: &str, ext: &str| Contact {
            id,
            name: Some(name.into()),
            phone: Some(phone.into()).filter(|s: &String| !s.is_empty()),
            mobile: Some(mobile.into()).filter(|s: &String| !s.is_empty()),
            extension: Some(ext.into()).filter(|s: &String| !s.is_empty()),
            ..Default::default()
        };
        c.contacts = vec![
            // Everyone at the front desk carries the office number: no group.
            ct(10, "Ann Able", "555-010-0000", "", ""),
            ct(11, "Ben Baker", "5550100000", "", ""),
            // The same mobile under two spellings of a name: a group.
            ct(12, "Cat Cole", "", "+1 555 777 1234", ""),
            ct(13, "Catherine Cole", "555-777-1234", "", ""),
            // One switchboard line with different extensions: different people.
            ct(14, "Dan Dee", "555-222-3333", "", "101"),
            ct(15, "Eve Eddy", "555-222-3333", "", "102"),
            // A short number says nothing.
            ct(16, "Fay Fox", "1234", "", ""),
            ct(17, "Gus Gray", "1234", "", ""),
        ];
        let g = contact_groups(&[c]);
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(g[0].contact_ids, vec![12, 13]);
        assert_eq!(g[0].reason, "same phone");
    }

    #[test]
    fn similar_name_rules() {
        assert!(similar_names("Brightside Law", "Brightside Law Group"));
        assert!(similar_names("Acme Dental", "Acme Dentel"));
        assert!(!similar_names("Acme Dental", "Zenith Plumbing"));
        assert!(!similar_names("", "Acme"));
    }
}
