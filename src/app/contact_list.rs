//! The contacts pane's data: one row per contact of every customer the list holds (the whole
//! account with the mirror), what its filter and sort read, and the filter, sort and cursor.
//!
//! A row keeps only what filtering and sorting need (56 bytes, and its job title and city):
//! the contact's name, e-mail and phone digits, and its customer's name, are read where the
//! customer list's row already holds them, lowercase, for its own search (one copy of the
//! account's text, not two); what the pane draws is decoded from the customer's packed record
//! for the rows on screen only.

use std::cmp::Ordering;
use std::sync::Arc;

use tui_input::Input;

use crate::api::model::{Customer, Id};
use crate::app::view::{ContactSpan, RowView};
use crate::mirror::Packed;
use crate::parallel::in_parts;
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

/// One contact. Its texts are not its own: the name, e-mail and phone digits are read where
/// its customer's list row already holds them (that row's [`RowView`] text, shared, not
/// copied), the customer's name likewise, and the job title and city from the pane's arena;
/// the roles and the retired marker are bits. Reading them takes the [`Rows`] the row
/// belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub id: Id,
    pub customer_id: Id,
    pub updated: i64,
    /// Position in the customer's contacts (to find the record again).
    pub pos: u32,
    /// The customer's entry in [`Rows::owners`].
    owner: u32,
    /// The lowercase name and e-mail in the owner's text (see [`ContactSpan`]).
    at: u32,
    len: u32,
    digits_at: u32,
    /// The lowercase job title and city in the arena.
    extra_at: u32,
    /// The name's length (at most 64 KB of it is sorted by).
    name_len: u16,
    digits_len: u16,
    extra_len: u16,
    /// Bit `i` set: the role `ContactRole::ALL[i]`.
    pub roles: u8,
    pub retired: bool,
}

/// A text's bytes as a set of 56 classes: `a`-`z`, `0`-`9`, `@` and `.` each their own, the
/// other ASCII bytes in 6 classes and the rest (UTF-8's) in 12. A text lacking one of a word's
/// classes cannot hold the word; a word of one byte with a class of its own is in the text
/// exactly when its class is.
fn byte_class(b: u8) -> u32 {
    match b {
        b'a'..=b'z' => u32::from(b - b'a'),
        b'0'..=b'9' => 26 + u32::from(b - b'0'),
        b'@' => 36,
        b'.' => 37,
        0..=0x7f => 38 + u32::from(b) % 6,
        _ => 44 + u32::from(b) % 12,
    }
}

/// Byte classes with a class of their own (see [`byte_class`]).
const OWN_CLASSES: u32 = 38;
const SKETCH: u64 = (1 << 56) - 1;
const RETIRED: u64 = 1 << 63;

/// The classes of the bytes of `s` (see [`byte_class`]).
fn sketch(s: &str) -> u64 {
    s.bytes().fold(0, |m, b| m | 1 << byte_class(b))
}

/// A row's bits, kept apart from the rows (8 bytes a row: a filter over 290,000 contacts
/// decides most rows from them without reading the rows): which bytes its texts and its
/// customer's name hold (see [`sketch`]), its roles and the retired marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bits(u64);

impl Bits {
    fn new(sketch: u64, roles: u8, retired: bool) -> Bits {
        Bits((sketch & SKETCH) | u64::from(roles & 0x7f) << 56 | if retired { RETIRED } else { 0 })
    }

    pub fn retired(self) -> bool {
        self.0 & RETIRED != 0
    }

    /// Bit `i` set: the role `ContactRole::ALL[i]`.
    pub fn roles(self) -> u8 {
        (self.0 >> 56) as u8 & 0x7f
    }

    pub fn has_role(self, role: ContactRole) -> bool {
        self.roles() & role_bit(role) != 0
    }

    fn sketch(self) -> u64 {
        self.0 & SKETCH
    }
}

/// The role's bit in `ContactRow::roles`.
pub fn role_bit(role: ContactRole) -> u8 {
    ContactRole::ALL
        .iter()
        .position(|r| *r == role)
        .map_or(0, |i| 1 << i)
}

/// A customer whose contacts the pane lists: the text its list row holds (see
/// [`RowView::shared_text`]) and where the lowercase name is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    text: Arc<str>,
    name_at: u32,
    name_len: u32,
}

/// The contacts pane's rows and the texts they are read from. Derefs to the rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    rows: Vec<ContactRow>,
    owners: Vec<Owner>,
    /// Every row's lowercase job title and city, end to end.
    arena: String,
    /// Customers whose list row was missing or of another version of the record: their
    /// texts were built for the pane (a copy of their own).
    pub built_here: usize,
    /// Rows of contacts who left (counted as built: the pane's title shows it every frame).
    retired: usize,
    /// Each row's [`Bits`], in the rows' order.
    bits: Vec<Bits>,
}

impl std::ops::Deref for Rows {
    type Target = [ContactRow];
    fn deref(&self) -> &[ContactRow] {
        &self.rows
    }
}

const SEP: char = '\u{1}';

/// The longest prefix of `s` that a 16-bit length holds, cut at a character.
fn cut16(s: &str) -> &str {
    let mut n = s.len().min(usize::from(u16::MAX));
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

impl Rows {
    /// Adds the rows of `customer`'s contacts, read from `view` (its list row) when that view
    /// is of this record, else from a view built here (counted in `built_here`).
    fn add(&mut self, customer: &Customer, view: Option<&RowView>) {
        if customer.contacts.is_empty() {
            return;
        }
        let spans = view.and_then(|v| Some((v, v.contact_spans(customer)?)));
        let own;
        let (view, spans) = match spans {
            Some(found) => found,
            None => {
                self.built_here += 1;
                own = RowView::build(customer, "");
                match own.contact_spans(customer) {
                    Some(spans) => (&own, spans),
                    None => return,
                }
            }
        };
        let (name_at, name_len) = view.name_key_span();
        let owner = self.owners.len() as u32;
        let text = view.shared_text();
        // A name is sorted by its first 64 KB, cut at a character.
        let name_len_of = |span: &ContactSpan| {
            let at = span.at as usize;
            let name = text
                .get(at..at + span.name_len as usize)
                .unwrap_or_default();
            cut16(name).len() as u16
        };
        let customer_sketch = sketch(
            text.get(name_at as usize..(name_at + name_len) as usize)
                .unwrap_or_default(),
        );
        self.owners.push(Owner {
            text: text.clone(),
            name_at,
            name_len,
        });
        for (pos, (c, span)) in customer.contacts.iter().zip(spans).enumerate() {
            let title = Title::read(&c.title().unwrap_or_default());
            let mut roles = 0u8;
            for (i, r) in ContactRole::ALL.iter().enumerate() {
                if title.has(*r) {
                    roles |= 1 << i;
                }
            }
            let extra_at = self.arena.len();
            for part in [title.job.as_str(), c.city.as_deref().unwrap_or("")] {
                // Each half of the 16-bit length at most.
                let part = sanitize::line(part).to_lowercase();
                let mut n = part.len().min(usize::from(u16::MAX / 2) - 1);
                while !part.is_char_boundary(n) {
                    n -= 1;
                }
                self.arena.push_str(&part[..n]);
                self.arena.push(SEP);
            }
            let own = text
                .get(span.at as usize..(span.at + span.len) as usize)
                .unwrap_or_default();
            let sketch = customer_sketch | sketch(own) | sketch(&self.arena[extra_at..]);
            // Offsets are u32: an arena of 4 GB cannot be built from an account's contacts.
            self.rows.push(ContactRow {
                id: c.id,
                customer_id: customer.id,
                updated: c.updated_at.map_or(0, |t| t.timestamp_millis()),
                pos: pos as u32,
                owner,
                at: span.at,
                len: span.len,
                digits_at: span.digits_at,
                extra_at: extra_at as u32,
                name_len: name_len_of(&span),
                digits_len: span.digits_len.min(u32::from(u16::MAX)) as u16,
                extra_len: (self.arena.len() - extra_at) as u16,
                roles,
                retired: title.retired,
            });
            self.bits.push(Bits::new(sketch, roles, title.retired));
            self.retired += usize::from(title.retired);
        }
    }

    /// `other`'s rows after these (the parts of a build on several threads, in order).
    fn append(&mut self, other: Rows) {
        let (owners, arena) = (self.owners.len() as u32, self.arena.len() as u32);
        self.rows.extend(other.rows.into_iter().map(|mut r| {
            r.owner += owners;
            r.extra_at += arena;
            r
        }));
        self.owners.extend(other.owners);
        self.arena.push_str(&other.arena);
        self.built_here += other.built_here;
        self.retired += other.retired;
        self.bits.extend(other.bits);
    }

    /// Gives back what the build reserved beyond what it holds.
    fn shrink(&mut self) {
        self.rows.shrink_to_fit();
        self.bits.shrink_to_fit();
        self.owners.shrink_to_fit();
        self.arena.shrink_to_fit();
    }

    /// Row `i`'s bits (see [`Bits`]).
    pub fn bits(&self, i: usize) -> Option<Bits> {
        self.bits.get(i).copied()
    }

    fn owner(&self, r: &ContactRow) -> Option<&Owner> {
        self.owners.get(r.owner as usize)
    }

    fn owner_text(&self, r: &ContactRow, at: u32, len: usize) -> &str {
        let at = at as usize;
        self.owner(r)
            .and_then(|o| o.text.get(at..at + len))
            .unwrap_or_default()
    }

    /// The lowercase name, to sort by.
    pub fn name_key(&self, r: &ContactRow) -> &str {
        self.owner_text(r, r.at, usize::from(r.name_len))
    }

    /// The customer's lowercase name (as the customer list sorts it).
    pub fn customer_key(&self, r: &ContactRow) -> &str {
        self.owner(r)
            .and_then(|o| {
                let at = o.name_at as usize;
                o.text.get(at..at + o.name_len as usize)
            })
            .unwrap_or_default()
    }

    /// The lowercase name and e-mail, each followed by the separator.
    fn own_text(&self, r: &ContactRow) -> &str {
        self.owner_text(r, r.at, r.len as usize)
    }

    /// The lowercase job title and city, each followed by the separator.
    fn extra(&self, r: &ContactRow) -> &str {
        let at = r.extra_at as usize;
        self.arena
            .get(at..at + usize::from(r.extra_len))
            .unwrap_or_default()
    }

    /// The phone's and the mobile's digits, each followed by the separator.
    pub fn digits(&self, r: &ContactRow) -> &str {
        self.owner_text(r, r.digits_at, usize::from(r.digits_len))
    }

    /// Bytes these rows hold on the heap: the rows, the customers' entries, the arena (the
    /// texts read from the list's rows are theirs, counted there).
    pub fn heap_parts(&self) -> [(&'static str, usize); 3] {
        [
            (
                "rows",
                self.rows.capacity() * std::mem::size_of::<ContactRow>()
                    + self.bits.capacity() * std::mem::size_of::<Bits>(),
            ),
            (
                "customers",
                self.owners.capacity() * std::mem::size_of::<Owner>(),
            ),
            ("titles and cities", self.arena.capacity()),
        ]
    }
}

impl ContactRow {
    pub fn has_role(&self, role: ContactRole) -> bool {
        self.roles & role_bit(role) != 0
    }

    /// The first role's position (rows without a role sort last).
    pub fn first_role(&self) -> u32 {
        if self.roles == 0 {
            u32::MAX
        } else {
            self.roles.trailing_zeros()
        }
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
pub fn sorted(rows: &Rows, sort: ContactSort) -> Vec<usize> {
    let cmp = |a: usize, b: usize| compare(rows, &rows[a], &rows[b], sort);
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
        let (name_key, customer_key) = (rows.name_key(r), rows.customer_key(r));
        let (name, cust) = (text_parts(name_key), text_parts(customer_key));
        match sort {
            ContactSort::Name => (0, name, then(name, customer_key)),
            ContactSort::Customer => (0, cust, then(cust, name_key)),
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

/// The pane's order of two of its contacts, ascending.
pub fn compare(rows: &Rows, ra: &ContactRow, rb: &ContactRow, sort: ContactSort) -> Ordering {
    let (na, nb) = (rows.name_key(ra), rows.name_key(rb));
    let (ca, cb) = (rows.customer_key(ra), rows.customer_key(rb));
    match sort {
        ContactSort::Name => na.cmp(nb).then(ca.cmp(cb)),
        ContactSort::Customer => ca.cmp(cb).then(na.cmp(nb)),
        ContactSort::Role => ra.first_role().cmp(&rb.first_role()).then(na.cmp(nb)),
        ContactSort::Updated => rb.updated.cmp(&ra.updated),
    }
    .then(ra.id.cmp(&rb.id))
}

/// The contacts pane's rows of an account and every order of them, built on a worker so that
/// neither `c` nor a first `s` sorts hundreds of thousands of rows on the UI thread.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub rows: Rows,
    /// Each sort key's ascending order (indices into `rows`, as `u32`: half the memory of
    /// four orders of 290,000 rows).
    pub orders: Vec<(ContactSort, Vec<u32>)>,
}

/// The rows of these customers' contacts, and each sort key's order of them. `views` are the
/// customers' list rows (the same records, in the same order); the rows read their texts there.
pub fn build_pane(customers: &[Packed], views: &[RowView]) -> Built {
    // On every core: a pane of 290,000 contacts is read in about half the time on two.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let chunk = customers.len().div_ceil(threads).max(1);
    let rows: Rows = std::thread::scope(|s| {
        let parts: Vec<_> = customers
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| {
                let views = views.get(k * chunk..(k * chunk + part.len()).min(views.len()));
                s.spawn(move || build_rows(part, views.unwrap_or_default()))
            })
            .collect();
        let mut rows = Rows::default();
        for part in parts {
            rows.append(part.join().unwrap_or_default());
        }
        rows.shrink();
        rows
    });
    tracing::info!(
        contacts = rows.len(),
        customers = rows.owners.len(),
        texts_built_here = rows.built_here,
        "contacts pane built"
    );
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

/// Every contact of these customers, in their order; `views` are their list rows (a view
/// missing or of another version of the record: the texts are built here).
pub fn build_rows(customers: &[Packed], views: &[RowView]) -> Rows {
    let mut rows = Rows::default();
    for (i, p) in customers.iter().enumerate() {
        rows.add(&p.unpack(), views.get(i));
    }
    rows.shrink();
    rows
}

/// The contacts rows of one customer.
pub fn rows_of(customer: &Customer) -> Rows {
    let mut rows = Rows::default();
    rows.add(customer, None);
    rows
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

    /// Whether the contact in row `i` (or its customer) has every word.
    pub fn matches(&self, rows: &Rows, i: usize) -> bool {
        self.matcher().matches(rows, i)
    }

    /// The words prepared for a walk over many rows: each searcher is built once.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            words: self
                .words
                .iter()
                .map(|w| {
                    let digits = w.len() >= 3 && w.bytes().all(|b| b.is_ascii_digit());
                    // The roles whose name holds the word, and whether the retired marker does.
                    let mut roles = 0u8;
                    for (i, r) in ContactRole::ALL.iter().enumerate() {
                        if r.name().to_lowercase().contains(w.as_str()) {
                            roles |= 1 << i;
                        }
                    }
                    let exact = match w.as_bytes() {
                        [b] => byte_class(*b) < OWN_CLASSES,
                        _ => false,
                    };
                    Word {
                        classes: sketch(w),
                        exact,
                        finder: memchr::memmem::Finder::new(w.as_bytes()),
                        digits,
                        roles,
                        left: LEFT.contains(w.as_str()),
                    }
                })
                .collect(),
        }
    }
}

/// The word a retired contact's text holds, as the list marks them.
const LEFT: &str = "left";

/// One word of a filter, ready to test (see `Words::matcher`).
struct Word<'a> {
    finder: memchr::memmem::Finder<'a>,
    /// Three digits or more: looked for in the phone numbers too.
    digits: bool,
    /// The roles (bits as in `ContactRow::roles`) whose name holds the word.
    roles: u8,
    /// The word is part of `left`: every retired contact has it.
    left: bool,
    /// Its bytes' classes (see [`sketch`]).
    classes: u64,
    /// One byte with a class of its own: a row's sketch answers for its texts exactly.
    exact: bool,
}

/// A filter's words ready to test row after row (see `Words::matcher`).
pub struct Matcher<'a> {
    words: Vec<Word<'a>>,
}

impl Matcher<'_> {
    /// Whether row `i` has every word (a row past the rows has none).
    pub fn matches(&self, rows: &Rows, i: usize) -> bool {
        let (Some(row), Some(&bits)) = (rows.get(i), rows.bits.get(i)) else {
            return false;
        };
        self.words.is_empty()
            || self
                .quick(bits)
                .unwrap_or_else(|| self.matches_given(rows, row, self.in_customer(rows, row)))
    }

    /// The answer from the row's bits alone, where they give it: a word whose bytes are not
    /// all in the row's texts fails it (unless a role, the retired marker or the phone's
    /// digits hold it), and a row holding every word exactly passes. `None`: read the texts.
    fn quick(&self, bits: Bits) -> Option<bool> {
        let mut all = true;
        for w in &self.words {
            let other = w.roles & bits.roles() != 0 || (w.left && bits.retired());
            let bytes_in = w.classes & !bits.sketch() == 0;
            if w.exact {
                all &= other || bytes_in;
            } else {
                all = false;
            }
            if !bytes_in && !other && !w.digits {
                return Some(false);
            }
        }
        all.then_some(true)
    }

    /// Which words (bit `i`: word `i`, the first 64) the row's customer's name holds: the same
    /// for all its contacts, so a walk over rows in build order reads it once per customer.
    fn in_customer(&self, rows: &Rows, row: &ContactRow) -> u64 {
        let name = rows.customer_key(row).as_bytes();
        self.words
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, w)| w.finder.find(name).is_some())
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    fn matches_given(&self, rows: &Rows, row: &ContactRow, in_customer: u64) -> bool {
        self.words.iter().enumerate().all(|(i, w)| {
            let found = |text: &str| w.finder.find(text.as_bytes()).is_some();
            (i < 64 && in_customer & (1 << i) != 0)
                || w.roles & row.roles != 0
                || (w.left && row.retired)
                || found(rows.own_text(row))
                || found(rows.extra(row))
                || (w.digits && found(rows.digits(row)))
                || (i >= 64 && found(rows.customer_key(row)))
        })
    }

    /// Each row's pass (`keep` and every word), walked in build order: a customer's name is
    /// searched once for all its contacts. A big pane is read in one part per core.
    /// `keep` is asked first, of the row's bits; most rows are then decided by their bits.
    pub fn pass_all(&self, rows: &Rows, keep: impl Fn(Bits) -> bool + Sync) -> Vec<bool> {
        if self.words.is_empty() {
            return rows.bits.iter().map(|&b| keep(b)).collect();
        }
        let parts = in_parts(rows.len(), |range| {
            let mut last: Option<(u32, u64)> = None;
            rows[range.clone()]
                .iter()
                .zip(&rows.bits[range])
                .map(|(r, &bits)| {
                    if !keep(bits) {
                        return false;
                    }
                    if let Some(quick) = self.quick(bits) {
                        return quick;
                    }
                    let in_customer = match last {
                        Some((owner, hits)) if owner == r.owner => hits,
                        _ => {
                            let hits = self.in_customer(rows, r);
                            last = Some((r.owner, hits));
                            hits
                        }
                    };
                    self.matches_given(rows, r, in_customer)
                })
                .collect::<Vec<bool>>()
        });
        if parts.len() == 1 {
            return parts.into_iter().next().unwrap_or_default();
        }
        parts.concat()
    }
}

/// The contacts pane.
#[derive(Debug, Clone, Default)]
pub struct ContactList {
    pub rows: Rows,
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
        self.shown.get(self.cursor).and_then(|&i| self.rows.get(i))
    }

    /// Contacts who left, among all.
    pub fn retired_count(&self) -> usize {
        self.rows.retired
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
        assert_eq!(rows.digits(&rows[0]), "5035550142\u{1}");
        assert_eq!(rows.extra(&rows[0]), "owner\u{1}\u{1}");
        assert!(rows[0].has_role(ContactRole::DecisionMaker));
        assert!(rows[0].has_role(ContactRole::Billing));
        assert!(!rows[0].has_role(ContactRole::Technical));
        assert_eq!(rows.name_key(&rows[0]), "tom baker");
        assert!(rows[1].retired && rows[1].has_role(ContactRole::Technical));
        assert_eq!(rows[2].first_role(), u32::MAX);
        assert_eq!(rows[0].first_role(), 0);
        // The bits kept apart say the same, and the contacts who left are counted.
        for (i, r) in rows.iter().enumerate() {
            let bits = rows.bits(i).unwrap();
            assert_eq!((bits.roles(), bits.retired()), (r.roles, r.retired));
        }
        assert_eq!(rows.retired, 1);
    }

    #[test]
    fn every_word_must_match_the_contact_or_its_customer() {
        let rows = rows_of(&customer());
        assert_eq!(rows.customer_key(&rows[1]), "acme dental");
        let m = |q: &str, i: usize| Words::new(q).matches(&rows, i);
        assert!(m("acme tom", 0));
        assert!(m("TOM  owner", 0));
        assert!(m("billing", 0));
        assert!(m("5550142", 0));
        assert!(!m("acme ann owner", 1));
        assert!(m("left", 1));
        assert!(!m("tom zed", 0));
        assert!(Words::new("").matches(&rows, 2));
        // The walk over every row answers as each row asked alone.
        for q in [
            "acme",
            "tom acme",
            "dental left",
            "ann",
            "zed",
            "5550",
            "contact",
        ] {
            let words = Words::new(q);
            let m = words.matcher();
            let each: Vec<bool> = (0..rows.len()).map(|i| m.matches(&rows, i)).collect();
            assert_eq!(m.pass_all(&rows, |_| true), each, "{q}");
        }
        // A word does not match across two fields.
        assert!(!m("managerac", 2));
    }

    /// Each row's answer read from its texts alone, row by row.
    fn read_each(rows: &Rows, m: &Matcher<'_>) -> Vec<bool> {
        rows.iter()
            .map(|r| m.matches_given(rows, r, m.in_customer(rows, r)))
            .collect()
    }

    /// The bits decide only what reading the texts would: for letters, digits, signs, other
    /// scripts, roles and the retired marker, every row answers as its texts do.
    #[test]
    fn the_rows_bits_answer_as_their_texts() {
        let mut c = customer();
        c.contacts[2].name = Some("Νίκος Παπαδόπουλος".into());
        c.contacts[2].email = Some("n.p@outlook.test".into());
        let rows = rows_of(&c);
        let queries = [
            "a",
            "t",
            "z",
            "@",
            ".",
            "5",
            "0",
            "-",
            "(",
            "*",
            "_",
            "#",
            "ν",
            "ί",
            "é",
            "b",
            "l",
            "left",
            "acme t",
            "t acme",
            "o 5",
            "νίκος",
            "outlook",
            "555",
            "zz",
            "d",
            "e l",
            "bill",
            "tech",
        ];
        for q in queries {
            let words = Words::new(q);
            let m = words.matcher();
            let read = read_each(&rows, &m);
            let each: Vec<bool> = (0..rows.len()).map(|i| m.matches(&rows, i)).collect();
            assert_eq!(each, read, "{q}");
            assert_eq!(m.pass_all(&rows, |_| true), read, "{q}");
        }
        // A byte not in any text, and a first letter, are decided without reading.
        let (q, t) = (Words::new("q"), Words::new("t"));
        assert_eq!(q.matcher().quick(rows.bits[0]), Some(false));
        assert_eq!(t.matcher().quick(rows.bits[0]), Some(true));
    }

    /// The walk over every row answers, on the demo generator's data, as each row read alone:
    /// short and long words, several words, digits, a word found in the customer's name, words
    /// that overlap themselves and words holding the fields' separator.
    #[test]
    fn the_walk_over_every_row_answers_as_each_row_alone() {
        let customers = crate::app::panes::tests::demo_customers(400);
        let packed = Packed::pack_all(&customers);
        let views: Vec<RowView> = customers.iter().map(|c| RowView::build(c, "")).collect();
        let rows = build_rows(&packed, &views);
        assert!(rows.len() > 1_000);
        let seps: Vec<String> = ["a", "m", "s", "j", "d", "k"]
            .iter()
            .flat_map(|l| [format!("{l}{SEP}"), format!("{SEP}{l}")])
            .collect();
        let queries = [
            "sm", "smi", "smith", "@o", "@outlook", "an", "ann", "com", "e a", "law ma", "ss",
            "aa", "555", "8135", "0142", "νί", "left", "bill", "tech a", "manager", "inc", "o m",
            "la", "ar",
        ];
        for q in queries.into_iter().chain(seps.iter().map(String::as_str)) {
            let words = Words::new(q);
            let m = words.matcher();
            let read = read_each(&rows, &m);
            let keep_all = m.pass_all(&rows, |_| true);
            assert_eq!(keep_all, read, "{q}");
            // And with rows held back before reading (the retired ones, a role).
            let some: Vec<bool> = rows
                .iter()
                .zip(&read)
                .map(|(r, &ok)| ok && !r.retired && r.roles & 1 == 0)
                .collect();
            let kept = m.pass_all(&rows, |b| !b.retired() && b.roles() & 1 == 0);
            assert_eq!(kept, some, "{q}");
        }
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
        let views: Vec<RowView> = customers.iter().map(|c| RowView::build(c, "")).collect();
        let built = build_pane(&packed, &views);
        let rows = build_rows(&packed, &views);
        // Without the views (or with views of other records) the texts are built here, and
        // read the same.
        let alone = build_rows(&packed, &[]);
        let others = build_rows(&packed, &views[1..]);
        for other in [&alone, &others] {
            assert_eq!(other.len(), rows.len());
            for (a, b) in other.iter().zip(rows.iter()) {
                assert_eq!(other.name_key(a), rows.name_key(b));
                assert_eq!(other.customer_key(a), rows.customer_key(b));
                assert_eq!(other.own_text(a), rows.own_text(b));
                assert_eq!(other.digits(a), rows.digits(b));
                assert_eq!(other.extra(a), rows.extra(b));
            }
        }
        // The rows read the views' text, not a copy of it.
        assert!(Arc::ptr_eq(&rows.owners[0].text, &views[0].shared_text()));
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
                .all(|w| rows.customer_key(&rows[w[0] as usize])
                    <= rows.customer_key(&rows[w[1] as usize]))
        );
    }

    #[test]
    fn a_view_of_another_version_of_the_record_is_not_read() {
        let c = customer();
        let view = RowView::build(&c, "");
        let spans = view.contact_spans(&c).expect("the record's own view");
        assert_eq!(spans.len(), 3);
        let text = view.shared_text();
        let at = spans[0].at as usize;
        assert_eq!(
            &text[at..at + spans[0].len as usize],
            "tom baker\u{1}tom@acme.test\u{1}"
        );
        // Each change a view would not show: another name, contact, e-mail, phone, or id.
        let mut changed = Vec::new();
        for k in 0..5 {
            let mut d = c.clone();
            match k {
                0 => d.business_name = Some("Acme Dental Group".into()),
                1 => d.contacts[1].name = Some("Ann Leigh".into()),
                2 => d.contacts[2].email = Some("bob@acme.test".into()),
                3 => d.contacts[0].mobile = Some("555 0199".into()),
                _ => d.id += 1,
            }
            changed.push(d);
        }
        for d in &changed {
            assert_eq!(view.contact_spans(d), None, "{d:?}");
            // Its rows read texts built for it instead, and say the new values.
            let mut rows = Rows::default();
            rows.add(d, Some(&view));
            assert_eq!(rows.built_here, 1);
            assert_eq!(rows.len(), 3);
        }
        let mut rows = Rows::default();
        rows.add(&changed[1], Some(&view));
        assert_eq!(rows.name_key(&rows[1]), "ann leigh");
    }

    #[test]
    fn a_name_past_64_kb_is_cut_at_a_character_and_still_found() {
        let mut c = customer();
        // Three-byte characters: 65,535 is not a boundary.
        c.contacts[0].name = Some(format!("{}zed", "€".repeat(30_000)));
        c.contacts[0].properties = Default::default();
        let rows = rows_of(&c);
        let key = rows.name_key(&rows[0]);
        assert!(key.len() <= 65_535 && key.len() > 65_000, "{}", key.len());
        assert!(key.chars().all(|ch| ch == '€'));
        // The filter searches the whole name.
        assert!(Words::new("€zed").matches(&rows, 0));
        assert!(Words::new("tom@acme").matches(&rows, 0));
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
