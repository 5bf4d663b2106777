//! The contacts pane's data: one row per contact of every customer the list holds (the whole
//! account with the mirror), what its filter and sort read, and the filter, sort and cursor.
//!
//! A row keeps only what filtering and sorting need (about 100 bytes: the lowercase search
//! text, the roles, the dates); what the pane draws is decoded from the customer's packed
//! record for the rows on screen only.

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// and the city, separated; then the phone digits.
    hay: Box<str>,
    name_end: u32,
    digits_start: u32,
}

const SEP: char = '\u{1}';

impl ContactRow {
    fn build(customer: &Customer, pos: usize) -> Option<ContactRow> {
        let c = customer.contacts.get(pos)?;
        let title = Title::read(&c.title().unwrap_or_default());
        let mut roles = 0u8;
        for (i, r) in ContactRole::ALL.iter().enumerate() {
            if title.has(*r) {
                roles |= 1 << i;
            }
        }
        let mut hay = String::with_capacity(96);
        hay.push_str(&sanitize::line(c.name.as_deref().unwrap_or("")).to_lowercase());
        let name_end = hay.len() as u32;
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
        let digits_start = hay.len() as u32;
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
            hay: hay.into_boxed_str(),
            name_end,
            digits_start,
        })
    }

    /// The lowercase name, to sort by.
    pub fn name_key(&self) -> &str {
        self.hay.get(..self.name_end as usize).unwrap_or_default()
    }

    /// The lowercase text a filter word is looked for in.
    pub fn text(&self) -> &str {
        self.hay
            .get(..self.digits_start as usize)
            .unwrap_or_default()
    }

    pub fn digits(&self) -> &str {
        self.hay
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

    /// Bytes held on the heap, for the memory bench.
    pub fn heap_bytes(&self) -> usize {
        self.hay.len()
    }
}

/// Every contact of these customers, in their order.
pub fn build_rows(customers: &[Packed]) -> Vec<ContactRow> {
    let mut rows = Vec::new();
    for p in customers {
        let c = p.unpack();
        for pos in 0..c.contacts.len() {
            rows.extend(ContactRow::build(&c, pos));
        }
    }
    rows
}

/// The contacts rows of one customer (after a save or a read of its contacts).
pub fn rows_of(customer: &Customer) -> Vec<ContactRow> {
    (0..customer.contacts.len())
        .filter_map(|pos| ContactRow::build(customer, pos))
        .collect()
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

    /// `customer` is the customer's lowercase name.
    pub fn matches(&self, row: &ContactRow, customer: &str) -> bool {
        self.words.iter().all(|w| {
            row.text().contains(w.as_str())
                || customer.contains(w.as_str())
                || (w.len() >= 3
                    && w.chars().all(|c| c.is_ascii_digit())
                    && row.digits().contains(w.as_str()))
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
    pub(crate) sorted: Vec<(Option<u64>, usize, ContactSort, Vec<usize>)>,
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
        let acme = "acme dental";
        let m = |q: &str, i: usize| Words::new(q).matches(&rows[i], acme);
        assert!(m("acme tom", 0));
        assert!(m("TOM  owner", 0));
        assert!(m("billing", 0));
        assert!(m("5550142", 0));
        assert!(!m("acme ann owner", 1));
        assert!(m("left", 1));
        assert!(!m("tom zed", 0));
        assert!(Words::new("").matches(&rows[2], acme));
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
