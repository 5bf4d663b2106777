//! The contacts pane's data: one row per contact of every customer the list holds (the whole
//! account with the mirror), what its filter and sort read, and the filter, sort and cursor.
//!
//! A row keeps only what filtering and sorting need (about 100 bytes: the lowercase search
//! text, the roles, the dates); what the pane draws is decoded from the customer's packed
//! record for the rows on screen only.

use std::cmp::Ordering;

use tui_input::Input;

use crate::api::model::{Customer, Id};
use crate::mirror::Packed;
use crate::roles::{ContactRole, Title};
use crate::sanitize;

/// Up to this many customers the contacts are read at once; more (the whole account from the
/// mirror) are read on a worker thread while the pane says so.
pub const BUILD_INLINE_MAX: usize = 5_000;

/// What the contacts pane is sorted by (`s` cycles, `S` reverses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    #[default]
    Name,
    Customer,
    Role,
    Updated,
}

impl ContactSort {
    pub const ALL: [ContactSort; 4] = [
        ContactSort::Name,
        ContactSort::Customer,
        ContactSort::Role,
        ContactSort::Updated,
    ];

    pub fn next(self) -> ContactSort {
        match self {
            ContactSort::Name => ContactSort::Customer,
            ContactSort::Customer => ContactSort::Role,
            ContactSort::Role => ContactSort::Updated,
            ContactSort::Updated => ContactSort::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactSort::Name => "name",
            ContactSort::Customer => "customer",
            ContactSort::Role => "role",
            ContactSort::Updated => "updated",
        }
    }
}

/// One contact.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: Id,
    pub customer_id: Id,
    /// Position in the customer's contacts (to find the record again).
    pub pos: u32,
    /// Bit `i` set: the role `ContactRole::ALL[i]`.
    pub roles: u8,
    pub retired: bool,
    pub updated: i64,
    /// Lowercase: the name (to `name_end`), then the roles' names, the job title, the e-mail
    /// and the city, then the customer's name (from `customer_start`), separated; then the
    /// phone digits. The customer's name is here so that a filter word is looked for once per
    /// row and a sort reads it without a look-up: rows are built again when the customer list
    /// changes, so it never goes stale. It lives at `at` in `arena`, a text shared by every row
    /// built together: 290,000 rows are one allocation, not 290,000 (no per-allocation
    /// overhead, and nothing left scattered between the build's freed temporaries).
    arena: std::sync::Arc<str>,
    at: u32,
    len: u32,
    name_end: u32,
    customer_start: u32,
    digits_start: u32,
}

impl PartialEq for ContactRow {
    fn eq(&self, other: &ContactRow) -> bool {
        (
            self.id,
            self.customer_id,
            self.pos,
            self.roles,
            self.retired,
            self.updated,
        ) == (
            other.id,
            other.customer_id,
            other.pos,
            other.roles,
            other.retired,
            other.updated,
        ) && (self.name_end, self.customer_start, self.digits_start)
            == (other.name_end, other.customer_start, other.digits_start)
            && self.hay() == other.hay()
    }
}

impl Eq for ContactRow {}

const SEP: char = '\u{1}';

/// Rows built together: their texts go end to end into `text`, which becomes the rows' shared
/// arena when [`RowsBuilder::finish`] is called.
#[derive(Default)]
struct RowsBuilder {
    rows: Vec<ContactRow>,
    text: String,
}

impl RowsBuilder {
    fn add(&mut self, customer: &Customer, pos: usize) {
        if let Some(row) = ContactRow::build(customer, pos, &mut self.text) {
            self.rows.push(row);
        }
    }

    fn finish(self) -> Vec<ContactRow> {
        let arena: std::sync::Arc<str> = self.text.as_str().into();
        drop(self.text);
        let mut rows = self.rows;
        for r in &mut rows {
            r.arena = arena.clone();
        }
        rows
    }
}

impl ContactRow {
    /// The row of the customer's contact at `pos`, its text appended to `text` (the arena the
    /// row is given when its builder finishes).
    fn build(customer: &Customer, pos: usize, text: &mut String) -> Option<ContactRow> {
        let c = customer.contacts.get(pos)?;
        let title = Title::read(&c.title().unwrap_or_default());
        let mut roles = 0u8;
        for (i, r) in ContactRole::ALL.iter().enumerate() {
            if title.has(*r) {
                roles |= 1 << i;
            }
        }
        let at = text.len();
        let hay = text;
        hay.push_str(&sanitize::line(c.name.as_deref().unwrap_or("")).to_lowercase());
        let name_end = (hay.len() - at) as u32;
        hay.push(SEP);
        for r in &title.roles {
            hay.push_str(&r.name().to_lowercase());
            hay.push(SEP);
        }
        for part in [
            title.job.as_str(),
            c.email.as_deref().unwrap_or(""),
            c.city.as_deref().unwrap_or(""),
        ] {
            hay.push_str(&sanitize::line(part).to_lowercase());
            hay.push(SEP);
        }
        if title.retired {
            hay.push_str("left");
            hay.push(SEP);
        }
        let customer_start = (hay.len() - at) as u32;
        hay.push_str(&sanitize::line(&customer.display_name()).to_lowercase());
        hay.push(SEP);
        let digits_start = (hay.len() - at) as u32;
        for p in [c.phone.as_deref(), c.mobile.as_deref()]
            .into_iter()
            .flatten()
        {
            hay.extend(p.chars().filter(char::is_ascii_digit));
            hay.push(SEP);
        }
        Some(ContactRow {
            id: c.id,
            customer_id: customer.id,
            pos: pos as u32,
            roles,
            retired: title.retired,
            updated: c.updated_at.map_or(0, |t| t.timestamp_millis()),
            arena: std::sync::Arc::from(""),
            // Offsets are u32: an arena of 4 GB cannot be built from an account's contacts.
            at: at as u32,
            len: (hay.len() - at) as u32,
            name_end,
            customer_start,
            digits_start,
        })
    }

    /// The row's whole text (see `arena`).
    fn hay(&self) -> &str {
        let at = self.at as usize;
        self.arena
            .get(at..at + self.len as usize)
            .unwrap_or_default()
    }

    /// The lowercase name, to sort by.
    pub fn name_key(&self) -> &str {
        self.hay().get(..self.name_end as usize).unwrap_or_default()
    }

    /// The customer's lowercase name (as the customer list sorts it).
    pub fn customer_key(&self) -> &str {
        let end = (self.digits_start as usize).saturating_sub(SEP.len_utf8());
        self.hay()
            .get(self.customer_start as usize..end)
            .unwrap_or_default()
    }

    /// The lowercase text a filter word is looked for in (the customer's name included).
    pub fn text(&self) -> &str {
        self.hay()
            .get(..self.digits_start as usize)
            .unwrap_or_default()
    }

    pub fn digits(&self) -> &str {
        self.hay()
            .get(self.digits_start as usize..)
            .unwrap_or_default()
    }

    pub fn has_role(&self, role: ContactRole) -> bool {
        ContactRole::ALL
            .iter()
            .position(|r| *r == role)
            .is_some_and(|i| self.roles & (1 << i) != 0)
    }

    /// The first role's position (rows without a role sort last).
    pub fn first_role(&self) -> u32 {
        if self.roles == 0 {
            u32::MAX
        } else {
            self.roles.trailing_zeros()
        }
    }

    /// Bytes of the arena this row's text takes, for the memory bench.
    pub fn heap_bytes(&self) -> usize {
        self.len as usize
    }
}

/// A text as sort prefix parts: its first 16 bytes, and its length up to 17 (two texts with
/// equal parts are equal when the length is 16 or less; 17 leaves the rest to the comparison).
fn text_parts(s: &str) -> (u128, u8) {
    (crate::filter::text_prefix(s), s.len().min(17) as u8)
}

/// The order of `rows` by `sort`, ascending (descending is its reversal: ties are broken by
/// id, so the order is total): each row's keys read once as prefixes, rows compared in full
/// only where their prefixes are equal (see `crate::filter::sorted_rows`).
pub fn sorted(rows: &[ContactRow], sort: ContactSort) -> Vec<usize> {
    let cmp = |a: usize, b: usize| {
        let (ra, rb) = (&rows[a], &rows[b]);
        compare(ra, rb, ra.customer_key(), rb.customer_key(), sort)
    };
    // The second key counts only when the first is whole in its prefix.
    let then = |(_, len): (u128, u8), next: &str| {
        if len <= 16 {
            text_parts(next)
        } else {
            (u128::MAX, u8::MAX)
        }
    };
    let prefix = |i: usize| {
        let r = &rows[i];
        let (name, cust) = (text_parts(r.name_key()), text_parts(r.customer_key()));
        match sort {
            ContactSort::Name => (0, name, then(name, r.customer_key())),
            ContactSort::Customer => (0, cust, then(cust, r.name_key())),
            ContactSort::Role => (u128::from(r.first_role()), name, (0, 0)),
            ContactSort::Updated => (
                // Newest first.
                u128::from(!((r.updated as u64) ^ (1 << 63))),
                (u128::from(r.id), 0),
                (0, 0),
            ),
        }
    };
    crate::filter::sorted_rows(rows.len(), prefix, cmp, false)
}

/// The pane's order of two contacts (of customers named `ca`, `cb`), ascending.
fn compare(ra: &ContactRow, rb: &ContactRow, ca: &str, cb: &str, sort: ContactSort) -> Ordering {
    match sort {
        ContactSort::Name => ra.name_key().cmp(rb.name_key()).then(ca.cmp(cb)),
        ContactSort::Customer => ca.cmp(cb).then(ra.name_key().cmp(rb.name_key())),
        ContactSort::Role => ra
            .first_role()
            .cmp(&rb.first_role())
            .then(ra.name_key().cmp(rb.name_key())),
        ContactSort::Updated => rb.updated.cmp(&ra.updated),
    }
    .then(ra.id.cmp(&rb.id))
}

/// The contacts pane's rows of an account and every order of them, built on a worker so that
/// neither `c` nor a first `s` sorts hundreds of thousands of rows on the UI thread.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub rows: Vec<ContactRow>,
    /// Each sort key's ascending order (indices into `rows`, as `u32`: half the memory of
    /// four orders of 290,000 rows).
    pub orders: Vec<(ContactSort, Vec<u32>)>,
}

/// The rows of these customers' contacts, and each sort key's order of them.
pub fn build_pane(customers: &[Packed]) -> Built {
    // On every core: a pane of 290,000 contacts is read in about half the time on two.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let chunk = customers.len().div_ceil(threads).max(1);
    let rows: Vec<ContactRow> = std::thread::scope(|s| {
        let parts: Vec<_> = customers
            .chunks(chunk)
            .map(|part| s.spawn(move || build_rows(part)))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let orders = std::thread::scope(|s| {
        let rows = &rows;
        let parts: Vec<_> = ContactSort::ALL
            .iter()
            .map(|&sort| s.spawn(move || (sort, narrow(sorted(rows, sort)))))
            .collect();
        parts.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    Built { rows, orders }
}

/// An order as kept (row indices as `u32`; a pane holds far fewer than 4 billion rows).
pub fn narrow(order: Vec<usize>) -> Vec<u32> {
    order.into_iter().map(|i| i as u32).collect()
}

/// Every contact of these customers, in their order.
pub fn build_rows(customers: &[Packed]) -> Vec<ContactRow> {
    let mut b = RowsBuilder::default();
    for p in customers {
        let c = p.unpack();
        for pos in 0..c.contacts.len() {
            b.add(&c, pos);
        }
    }
    b.finish()
}

/// The contacts rows of one customer (after a save or a read of its contacts).
pub fn rows_of(customer: &Customer) -> Vec<ContactRow> {
    let mut b = RowsBuilder::default();
    for pos in 0..customer.contacts.len() {
        b.add(customer, pos);
    }
    b.finish()
}

/// A filter typed into the contacts pane: every word must be found in the contact (its name,
/// roles, title, e-mail, city, phone digits) or in its customer's name (`acme tom` finds Tom at
/// Acme).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    pub text: String,
    words: Vec<String>,
}

impl Words {
    pub fn new(raw: &str) -> Words {
        let text = raw.trim().to_lowercase();
        let words = text.split_whitespace().map(str::to_string).collect();
        Words { text, words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether the contacts this filter lets through are among those `previous` let through:
    /// every word of `previous` is still there, at most grown at its end.
    pub fn narrows(&self, previous: &Words) -> bool {
        previous.words.len() <= self.words.len()
            && previous
                .words
                .iter()
                .zip(&self.words)
                .all(|(old, new)| new.starts_with(old.as_str()))
    }

    /// Whether the contact (or its customer) has every word.
    pub fn matches(&self, row: &ContactRow) -> bool {
        self.matcher().matches(row)
    }

    /// The words prepared for a walk over many rows: each searcher is built once.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            words: self
                .words
                .iter()
                .map(|w| {
                    let digits = w.len() >= 3 && w.bytes().all(|b| b.is_ascii_digit());
                    (memchr::memmem::Finder::new(w.as_bytes()), digits)
                })
                .collect(),
        }
    }
}

/// A filter's words ready to test row after row (see `Words::matcher`).
pub struct Matcher<'a> {
    /// Each word's searcher, and whether it is three digits or more (looked for in the phone
    /// numbers too).
    words: Vec<(memchr::memmem::Finder<'a>, bool)>,
}

impl Matcher<'_> {
    pub fn matches(&self, row: &ContactRow) -> bool {
        self.words.iter().all(|(w, digits)| {
            w.find(row.text().as_bytes()).is_some()
                || (*digits && w.find(row.digits().as_bytes()).is_some())
        })
    }
}

/// The contacts pane.
#[derive(Debug, Clone, Default)]
pub struct ContactList {
    pub rows: Vec<ContactRow>,
    /// All rows in sort order (indices into `rows`).
    pub order: Vec<usize>,
    /// Rows passing the filters, in sort order.
    pub shown: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
    /// The highlighted field of the contact's record in the detail.
    pub record_cursor: usize,
    pub sort: ContactSort,
    pub descending: bool,
    /// Contacts who left are listed too (`x`).
    pub show_retired: bool,
    /// Only contacts with this role (`:contacts role billing`).
    pub role: Option<ContactRole>,
    /// The pane's own search line.
    pub search: Input,
    /// The filter `shown` was last computed with.
    pub(crate) filtered_by: Option<Words>,
    /// The list version the rows were built from; `None`: never built.
    pub built: Option<u64>,
    /// A worker thread reads the contacts of this many customers (a big account).
    pub building: Option<(u64, usize)>,
    /// The contact marked with `M` (customer, contact): `M` on another contact of the same
    /// customer merges the two.
    pub merge_mark: Option<(Id, Id)>,
    /// Orders already computed for these rows: `(built, rows, sort, ascending order)`; any
    /// other build leaves them unused (see `contacts::resort`).
    pub(crate) sorted: Vec<(Option<u64>, usize, ContactSort, Vec<u32>)>,
}

impl ContactList {
    pub fn selected(&self) -> Option<&ContactRow> {
        self.shown.get(self.cursor).map(|&i| &self.rows[i])
    }

    /// Contacts who left, among all.
    pub fn retired_count(&self) -> usize {
        self.rows.iter().filter(|r| r.retired).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Customer {
        serde_json::from_value(json!({
            "id": 7, "business_name": "Acme Dental",
            "contacts": [
                {"id": 1, "name": "Tom Baker", "email": "tom@acme.test", "phone": "(503) 555-0142",
                 "properties": {"title": "Decision Maker, Billing Contact - Owner"}},
                {"id": 2, "name": "Ann Lee", "properties": {"title": "(left) Technical Contact"}},
                {"id": 3, "name": "Bob Stone", "properties": {"title": "Office Manager"}}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn rows_carry_roles_the_retired_marker_and_search_text() {
        let rows = rows_of(&customer());
        assert_eq!(rows.len(), 3);
        assert!(rows[0].has_role(ContactRole::DecisionMaker));
        assert!(rows[0].has_role(ContactRole::Billing));
        assert!(!rows[0].has_role(ContactRole::Technical));
        assert_eq!(rows[0].name_key(), "tom baker");
        assert!(rows[1].retired && rows[1].has_role(ContactRole::Technical));
        assert_eq!(rows[2].first_role(), u32::MAX);
        assert_eq!(rows[0].first_role(), 0);
    }

    #[test]
    fn every_word_must_match_the_contact_or_its_customer() {
        let rows = rows_of(&customer());
        assert_eq!(rows[1].customer_key(), "acme dental");
        let m = |q: &str, i: usize| Words::new(q).matches(&rows[i]);
        assert!(m("acme tom", 0));
        assert!(m("TOM  owner", 0));
        assert!(m("billing", 0));
        assert!(m("5550142", 0));
        assert!(!m("acme ann owner", 1));
        assert!(m("left", 1));
        assert!(!m("tom zed", 0));
        assert!(Words::new("").matches(&rows[2]));
        // A word does not match across two fields.
        assert!(!m("managerac", 2));
    }

    #[test]
    fn the_pane_built_on_every_core_is_the_pane_built_on_one() {
        let mut customers = crate::app::fixtures::customers();
        for (i, c) in crate::app::fixtures::many(40).into_iter().enumerate() {
            let mut extra = customer();
            extra.id = 1000 + i as Id;
            extra.business_name = c.business_name;
            customers.push(extra);
        }
        let packed = Packed::pack_all(&customers);
        let built = build_pane(&packed);
        let rows = build_rows(&packed);
        assert!(rows.len() > 100, "{}", rows.len());
        assert_eq!(built.rows, rows, "the same rows in the same order");
        assert_eq!(built.orders.len(), ContactSort::ALL.len());
        for (sort, order) in &built.orders {
            assert_eq!(order, &narrow(sorted(&rows, *sort)), "{sort:?}");
        }
        let by_customer = &built.orders[1].1;
        assert!(
            by_customer
                .windows(2)
                .all(|w| rows[w[0] as usize].customer_key() <= rows[w[1] as usize].customer_key())
        );
    }

    #[test]
    fn a_filter_narrows_only_when_every_word_is_kept() {
        let w = |s: &str| Words::new(s);
        assert!(w("acme to").narrows(&w("acme t")));
        assert!(w("acme tom").narrows(&w("acme")));
        assert!(!w("acm").narrows(&w("acme")));
        assert!(!w("tom").narrows(&w("acme tom")));
    }
}
