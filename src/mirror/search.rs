//! Search across the whole account, in memory, over the mirror.
//!
//! # How it stays within a frame
//! [`SearchIndex::build`] folds every searchable field once (lowercase, accents removed, see
//! [`super::text`]) into one byte arena and gives every record (a customer or a contact) a
//! 256-bit filter of the byte pairs in its fields. A query is folded the same way; records whose
//! filter lacks one of the query's byte pairs are skipped with four AND operations, and a SIMD
//! substring search (`memchr::memmem`) runs over the few left. [`Searcher`] remembers which
//! records matched the previous query: when the new query extends it (the user typed one more
//! character) only those are checked again.
//!
//! # Ranking
//! Per field: exact (the whole field) > prefix of the field > prefix of a word > substring >
//! fuzzy (the query's letters in order from the start of a word, close together, in a name,
//! e-mail, title or city; for queries of three or more ASCII characters, which accents fold to).
//! Fuzzy matching runs only when the better tiers found fewer results than asked for, so it
//! costs nothing on ordinary queries. Within a tier, more important fields (names, then e-mail,
//! then phones, ...) rank first, then fields closer in length to the query. Each record (a
//! customer or a contact) appears once, with its best field. A query of one character matches
//! only field prefixes (every record contains an "e" somewhere; nobody wants that list).
//!
//! A query that looks like a phone number (`(555) 123-4567`) is reduced to its digits; phones are
//! indexed as digits only, so formatting never matters.
//!
//! Matching compares folded UTF-8 bytes with folded UTF-8 bytes: a valid UTF-8 needle can only
//! match at character boundaries, and nothing is ever sliced inside a character.

use std::borrow::Borrow;
use std::sync::Arc;

use memchr::memmem;

use super::packed::Packed;
use super::store::Mirror;
use super::text::{fold_into, phone_digits_into, phone_query};
use crate::api::model::{Contact, Customer, Id};
use crate::parallel::in_parts;

/// Which field of a record matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Customer's business name.
    BusinessName,
    /// Customer's person name (first and last).
    PersonName,
    /// Contact's name.
    Name,
    /// E-mail (customers: also the notification and invoice CC addresses).
    Email,
    /// Phone number, compared by digits.
    Phone,
    /// Mobile number, compared by digits.
    Mobile,
    /// Contact's job title.
    Title,
    /// Street address (both lines).
    Address,
    City,
    State,
    Zip,
    Notes,
    /// Values of the customer's custom properties.
    Properties,
    /// The customer's Syncro id.
    Id,
}

/// Every field, in the order of their tags (see [`Field::tag`]).
const FIELDS: [Field; 14] = [
    Field::BusinessName,
    Field::PersonName,
    Field::Name,
    Field::Email,
    Field::Phone,
    Field::Mobile,
    Field::Title,
    Field::Address,
    Field::City,
    Field::State,
    Field::Zip,
    Field::Notes,
    Field::Properties,
    Field::Id,
];

impl Field {
    /// The control byte (1..=14) that ends a field of this kind in the index's text. Folded text
    /// never holds a control byte, so the tag both ends the field and names it, and no query
    /// matches across it.
    fn tag(self) -> u8 {
        FIELDS
            .iter()
            .position(|&f| f == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The field a tag names (see [`Field::tag`]).
    fn from_tag(tag: u8) -> Field {
        FIELDS
            .get(usize::from(tag).wrapping_sub(1))
            .copied()
            .unwrap_or(Field::Notes)
    }

    /// Importance within a tier: a match in a name beats one in the notes.
    fn weight(self) -> u32 {
        match self {
            Field::BusinessName | Field::PersonName | Field::Name => 9,
            Field::Email => 8,
            Field::Phone | Field::Mobile | Field::Id => 7,
            Field::Title => 6,
            Field::City => 5,
            Field::Address | Field::Zip => 4,
            Field::State => 3,
            Field::Properties => 2,
            Field::Notes => 1,
        }
    }

    /// Whether fuzzy (subsequence) matching applies: short, name-like fields only.
    fn fuzzy(self) -> bool {
        matches!(
            self,
            Field::BusinessName
                | Field::PersonName
                | Field::Name
                | Field::Email
                | Field::Title
                | Field::City
        )
    }

    /// A short label for the UI ("matched in: e-mail").
    pub fn label(self) -> &'static str {
        match self {
            Field::BusinessName => "business name",
            Field::PersonName | Field::Name => "name",
            Field::Email => "e-mail",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::Title => "title",
            Field::Address => "address",
            Field::City => "city",
            Field::State => "state",
            Field::Zip => "ZIP",
            Field::Notes => "notes",
            Field::Properties => "custom field",
            Field::Id => "id",
        }
    }
}

/// How well a field matched, best last (so `Ord` compares quality).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The query's characters appear in order, close together.
    Fuzzy,
    /// Somewhere inside the field.
    Substring,
    /// At the start of a word of the field.
    WordPrefix,
    /// At the start of the field.
    Prefix,
    /// The whole field.
    Exact,
}

/// One result: a customer, or a contact of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub customer_id: Id,
    /// Set when the match is a contact of `customer_id`.
    pub contact_id: Option<Id>,
    /// The record's best-matching field.
    pub field: Field,
    pub kind: MatchKind,
    /// Higher is better; results are sorted by it.
    pub score: u32,
}

/// The best results of one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResults {
    /// At most `limit` hits, best first.
    pub hits: Vec<Hit>,
    /// Records that matched in all (may exceed `hits.len()`).
    pub total: usize,
}

/// Field lengths from this on are stored as this, and measured up to the field's tag.
const LONG: u8 = u8::MAX;

/// Narrow from the previous query's matches only when they are at most this fraction of all
/// records: beyond that the filtered scan is as cheap. (Unit tests always narrow, to check it
/// gives the same results.)
const NARROW_DIVISOR: usize = if cfg!(test) { 1 } else { 4 };

/// Keep a query's fuzzy matches for the next query when they are at most this fraction of the
/// name-like fields (8 bytes each, some 10 MB at most for 100,000 customers): continuing them
/// (a filter test, then a look for the added bytes) always beats a fresh pass.
const KEEP_FUZZY_DIVISOR: usize = 1;

/// Bit (0..256) of a byte pair in a record's bigram filter.
fn bigram_bit(a: u8, b: u8) -> usize {
    ((u32::from(a) << 8 | u32::from(b)).wrapping_mul(0x9E37_79B1) >> 24) as usize
}

/// Bit (0..32) of a byte in the byte filters: one bit per letter, one for all digits, the other
/// bytes hashed into the rest.
fn byte_bit(b: u8) -> u64 {
    let bit = match b {
        b'a'..=b'z' => u32::from(b - b'a'),
        b'0'..=b'9' => 26,
        _ => 27 + u32::from(b).wrapping_mul(0x9E37_79B1) % 5,
    };
    1 << bit
}

/// Bit (0..64) of a field's first byte in a record's initials filter: one bit per letter and
/// per digit, the other bytes hashed into the rest.
fn initial_bit(b: u8) -> u64 {
    let bit = match b {
        b'a'..=b'z' => u32::from(b - b'a'),
        b'0'..=b'9' => 26 + u32::from(b - b'0'),
        _ => 36 + u32::from(b).wrapping_mul(0x9E37_79B1) % 28,
    };
    1 << bit
}

/// Filter of the bytes that start a word in a text.
fn word_initials(text: &[u8]) -> u64 {
    let mut mask = 0;
    let mut prev_alnum = false;
    for &b in text {
        let alnum = b.is_ascii_alphanumeric();
        if alnum && !prev_alnum {
            mask |= byte_bit(b);
        }
        prev_alnum = alnum || !b.is_ascii();
    }
    mask
}

/// 256-bit filter of the byte pairs in a text.
fn bigrams(text: &[u8], into: &mut [u64; 4]) {
    for w in text.windows(2) {
        let bit = bigram_bit(w[0], w[1]);
        into[bit / 64] |= 1 << (bit % 64);
    }
}

/// 64-bit filter of the bytes in a text.
fn bytes_mask(text: &[u8]) -> u64 {
    text.iter().fold(0, |m, &b| m | byte_bit(b))
}

/// The in-memory search index of a mirror. Build it once after loading or syncing (a large
/// account takes some hundreds of milliseconds: build it off the UI thread).
///
/// Layout: the folded fields of every record end to end in one byte arena (after each a control
/// byte naming the field, see [`Field::tag`]), where each record starts and the length of each
/// field (one byte; a longer field is measured up to its tag), per record two small Bloom-style
/// filters: the byte pairs of all its fields (256 bits) and the first bytes of its fields (64 bits, for one-character queries), and
/// per name-like field the bytes it holds and the bytes that start its words (for fuzzy
/// matching). A query first skips every record whose filter lacks one of its byte pairs (most
/// of them), then runs a SIMD substring search over the few records left.
#[derive(Debug, Default)]
pub struct SearchIndex {
    text: Vec<u8>,
    /// Start of each record's fields in `text`, plus `text.len()` at the end.
    record_start: Vec<u32>,
    /// Length of each field, [`LONG`] for that length or more.
    lens: Vec<u8>,
    /// First field of each record, plus the field count at the end.
    record_fields: Vec<u32>,
    grams: Vec<[u64; 4]>,
    initials: Vec<u64>,
    /// The name-like fields, in field order, with their filters.
    fuzzy: Vec<FuzzyField>,
    /// Each record's own id: a customer's, or a contact's.
    ids: Vec<Id>,
    /// Each record's customer, as a record index (a customer's own index).
    owner: Vec<u32>,
}

impl SearchIndex {
    /// Indexes every customer and contact of the mirror.
    /// The records are decoded one at a time: the account is never decoded whole.
    pub fn build(mirror: &Mirror) -> Self {
        Self::from_iter(
            mirror.records().iter().map(Packed::unpack),
            mirror.customer_count() + mirror.contact_count(),
        )
    }

    /// Indexes these customers and their contacts.
    pub fn from_customers<C: Borrow<Customer>>(customers: &[C]) -> Self {
        let contacts: usize = customers.iter().map(|c| c.borrow().contacts.len()).sum();
        Self::from_iter(
            customers.iter().map(Borrow::borrow),
            customers.len() + contacts,
        )
    }

    /// Indexes customers as they come; `records` (customers and contacts) sizes the buffers.
    fn from_iter<C: Borrow<Customer>>(customers: impl Iterator<Item = C>, records: usize) -> Self {
        let mut ix = SearchIndex {
            text: Vec::with_capacity(records * 100),
            record_start: Vec::with_capacity(records + 1),
            lens: Vec::with_capacity(records * 8),
            record_fields: Vec::with_capacity(records + 1),
            grams: Vec::with_capacity(records),
            fuzzy: Vec::with_capacity(records * 3),
            initials: Vec::with_capacity(records),
            ids: Vec::with_capacity(records),
            owner: Vec::with_capacity(records),
        };
        let mut buf = String::new();
        for c in customers {
            let c = c.borrow();
            let owner = ix.ids.len() as u32;
            ix.add_customer(c, &mut buf);
            for k in &c.contacts {
                ix.add_contact(owner, k, &mut buf);
            }
        }
        ix.record_fields.push(ix.field_count());
        ix.record_start.push(ix.text.len() as u32);
        // The capacities above are estimates: give back what they overshot.
        ix.text.shrink_to_fit();
        ix.lens.shrink_to_fit();
        ix.fuzzy.shrink_to_fit();
        ix
    }

    /// Number of records (customers and contacts) indexed.
    pub fn record_count(&self) -> usize {
        self.ids.len()
    }

    /// Fields indexed so far.
    fn field_count(&self) -> u32 {
        self.lens.len() as u32
    }

    /// Bytes each part of the index holds on the heap (its capacity), for the memory bench.
    pub fn heap_parts(&self) -> Vec<(&'static str, usize)> {
        fn bytes<T>(v: &[T], capacity: usize) -> usize {
            let _ = v;
            capacity * std::mem::size_of::<T>()
        }
        vec![
            ("text", bytes(&self.text, self.text.capacity())),
            (
                "record_start",
                bytes(&self.record_start, self.record_start.capacity()),
            ),
            ("lens", bytes(&self.lens, self.lens.capacity())),
            (
                "record_fields",
                bytes(&self.record_fields, self.record_fields.capacity()),
            ),
            ("grams", bytes(&self.grams, self.grams.capacity())),
            ("initials", bytes(&self.initials, self.initials.capacity())),
            ("fuzzy", bytes(&self.fuzzy, self.fuzzy.capacity())),
            ("ids", bytes(&self.ids, self.ids.capacity())),
            ("owner", bytes(&self.owner, self.owner.capacity())),
        ]
    }

    /// Starts record `id`, of the customer at record index `owner`.
    fn begin_record(&mut self, id: Id, owner: u32) {
        self.ids.push(id);
        self.owner.push(owner);
        self.record_fields.push(self.field_count());
        self.record_start.push(self.text.len() as u32);
        self.grams.push([0; 4]);
        self.initials.push(0);
    }

    fn add_field(&mut self, field: Field, value: Option<&str>, buf: &mut String) {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return;
        };
        buf.clear();
        if matches!(field, Field::Phone | Field::Mobile) {
            phone_digits_into(value, buf);
        } else {
            fold_into(value, buf);
        }
        let folded = buf.as_bytes();
        if folded.is_empty() {
            return;
        }
        let r = self.ids.len() - 1;
        bigrams(folded, &mut self.grams[r]);
        if field.fuzzy() {
            self.fuzzy.push(FuzzyField {
                start: self.text.len() as u32,
                bytes: bytes_mask(folded) as u32,
                initials: word_initials(folded) as u32,
            });
        }
        self.initials[r] |= initial_bit(folded[0]);
        self.lens.push(folded.len().min(usize::from(LONG)) as u8);
        self.text.extend_from_slice(folded);
        self.text.push(field.tag());
    }

    fn add_customer(&mut self, c: &Customer, buf: &mut String) {
        self.begin_record(c.id, self.ids.len() as u32);
        let id = c.id.to_string();
        self.add_field(Field::BusinessName, c.business_name.as_deref(), buf);
        self.add_field(Field::PersonName, Some(&c.person_name()), buf);
        self.add_field(Field::Email, c.email.as_deref(), buf);
        self.add_field(Field::Phone, c.phone.as_deref(), buf);
        self.add_field(Field::Mobile, c.mobile.as_deref(), buf);
        self.add_field(Field::City, c.city.as_deref(), buf);
        self.add_field(Field::Address, Some(&join(&c.address, &c.address_2)), buf);
        self.add_field(Field::Zip, c.zip.as_deref(), buf);
        self.add_field(Field::State, c.state.as_deref(), buf);
        self.add_field(Field::Email, c.notification_email.as_deref(), buf);
        self.add_field(Field::Email, c.invoice_cc_emails.as_deref(), buf);
        self.add_field(Field::Id, Some(&id), buf);
        if !c.properties.is_empty() {
            let props: Vec<String> = c.properties.keys().filter_map(|k| c.property(k)).collect();
            self.add_field(Field::Properties, Some(&props.join(" ")), buf);
        }
        self.add_field(Field::Notes, c.notes.as_deref(), buf);
    }

    fn add_contact(&mut self, owner: u32, k: &Contact, buf: &mut String) {
        self.begin_record(k.id, owner);
        self.add_field(Field::Name, k.name.as_deref(), buf);
        self.add_field(Field::Email, k.email.as_deref(), buf);
        self.add_field(Field::Phone, k.phone.as_deref(), buf);
        self.add_field(Field::Mobile, k.mobile.as_deref(), buf);
        self.add_field(Field::Title, k.title().as_deref(), buf);
        self.add_field(Field::City, k.city.as_deref(), buf);
        self.add_field(Field::Address, Some(&join(&k.address1, &k.address2)), buf);
        self.add_field(Field::Zip, k.zip.as_deref(), buf);
        self.add_field(Field::Notes, k.notes.as_deref(), buf);
    }

    /// Where the field starting at `fs` ends (its tag), from its length byte `len`.
    fn field_end(&self, fs: usize, len: u8) -> usize {
        if len < LONG {
            return fs + usize::from(len);
        }
        self.tag_at_or_after(fs + usize::from(LONG))
    }

    /// The first tag at or after `from` (every field ends with one).
    fn tag_at_or_after(&self, from: usize) -> usize {
        let rest = self.text.get(from..).unwrap_or_default();
        from + rest.iter().position(|&b| b < 0x20).unwrap_or(rest.len())
    }

    /// The kind of the field ending at `fe`, from its tag.
    fn field_at(&self, fe: usize) -> Field {
        Field::from_tag(self.text.get(fe).copied().unwrap_or(0))
    }

    /// The fields of record `r`, as (start, end) byte ranges without their tags.
    fn fields(&self, r: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut fs = self.record_start[r] as usize;
        self.lens[self.fields_of(r)].iter().map(move |&len| {
            let start = fs;
            let end = self.field_end(start, len);
            fs = end + 1;
            (start, end)
        })
    }

    /// The record whose text holds byte `at`, at or after record `from` (whose text starts at or
    /// before `at`). Callers go through the text in order: gallop from `from`, then bisect the
    /// last step.
    fn record_of(&self, at: u32, from: u32) -> u32 {
        let starts = &self.record_start;
        let mut lo = from as usize;
        let mut step = 1;
        while lo + step < starts.len() && starts[lo + step] <= at {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step).min(starts.len());
        (lo + starts[lo..hi].partition_point(|&start| start <= at)).saturating_sub(1) as u32
    }

    /// Field range of record `r`.
    fn fields_of(&self, r: usize) -> std::ops::Range<usize> {
        self.record_fields[r] as usize..self.record_fields[r + 1] as usize
    }

    /// One search without memory of the previous query (see [`Searcher`] for typing).
    pub fn search(&self, query: &str, limit: usize) -> SearchResults {
        self.run(&normalise_query(query), limit, None).0
    }

    /// The customers whose own record or one of whose contacts matches `query`: the customers
    /// of every hit of `search(query, usize::MAX)`, without ranking them (see
    /// [`Searcher::matching_customers`] for typing).
    pub fn matching_customers(&self, query: &str) -> CustomerMatches {
        self.run_set(&normalise_query(query), None).0
    }

    /// Records whose fields contain `q` (or, for one character, start with it), in record
    /// order, each with its best field when `rank` (else with a score of 0). Narrows from
    /// `prev` (a query `q` extends) when it remembers few enough records.
    fn substring_phase(&self, q: &str, prev: Option<&Memory>, rank: bool) -> Vec<Candidate> {
        let qb = q.as_bytes();
        let mut best: Vec<Candidate> = Vec::new();
        if q.chars().nth(1).is_none() {
            self.match_prefixes(qb, &mut best);
            return best;
        }
        let finder = memmem::Finder::new(qb);
        let narrow_limit = self.ids.len() / NARROW_DIVISOR;
        let previous = prev
            .and_then(|p| p.records.as_deref())
            .filter(|r| r.len() <= narrow_limit);
        match previous {
            Some(records) => {
                for &r in records {
                    self.match_record(r as usize, &finder, rank, &mut best);
                }
            }
            None => {
                let mut qmask = [0u64; 4];
                bigrams(qb, &mut qmask);
                let scan = |records: std::ops::Range<usize>| {
                    let mut found = Vec::new();
                    for r in records {
                        let g = &self.grams[r];
                        if (g[0] & qmask[0]) == qmask[0]
                            && (g[1] & qmask[1]) == qmask[1]
                            && (g[2] & qmask[2]) == qmask[2]
                            && (g[3] & qmask[3]) == qmask[3]
                        {
                            self.match_record(r, &finder, rank, &mut found);
                        }
                    }
                    found
                };
                // Parts are whole records, in order: joined, they are one scan's result.
                for part in in_parts(self.grams.len(), scan) {
                    best.extend(part);
                }
            }
        }
        best
    }

    /// Whether fuzzy matching applies to the (folded) query.
    fn fuzzy_applies(q: &str) -> bool {
        q.is_ascii() && q.len() >= 3
    }

    /// The name-like fields holding `q` fuzzily (its bytes in order from a word start), each
    /// with where that match ends, in text order; narrowed from `prev`'s when it has them.
    fn fuzzy_marks(&self, q: &[u8], prev: Option<&Memory>) -> Vec<FuzzyMark> {
        if let Some((done, marks)) = prev.and_then(|p| Some((p.query.len(), p.fuzzy.as_deref()?))) {
            // The match of the longer query is the previous one continued: only the added
            // bytes are looked for, after where it ended.
            let rest = &q[done.min(q.len())..];
            let bytes = bytes_mask(rest) as u32;
            return marks
                .iter()
                .filter_map(|m| {
                    // Most fields lack one of the added bytes: their filter says so.
                    if self.fuzzy[m.field as usize].bytes & bytes != bytes {
                        return None;
                    }
                    let end = self.fuzzy_continue(rest, m.end as usize)?;
                    Some(FuzzyMark {
                        field: m.field,
                        end: end as u32,
                    })
                })
                .collect();
        }
        let bytes = bytes_mask(q) as u32;
        let first = byte_bit(q[0]) as u32;
        let pass = |fields: std::ops::Range<usize>| {
            let mut marks = Vec::new();
            for i in fields {
                let f = &self.fuzzy[i];
                if f.bytes & bytes != bytes || f.initials & first == 0 {
                    continue;
                }
                if let Some(end) = fuzzy_end(q, &self.text[f.start as usize..]) {
                    marks.push(FuzzyMark {
                        field: i as u32,
                        end: (f.start as usize + end) as u32,
                    });
                }
            }
            marks
        };
        in_parts(self.fuzzy.len(), pass).concat()
    }

    /// Continues a fuzzy match that ended at `from` (a position in the text) with `rest`: where
    /// the longer match ends, or `None` when the field (ended by its tag) does not hold it.
    fn fuzzy_continue(&self, rest: &[u8], from: usize) -> Option<usize> {
        let mut end = from;
        for &want in rest {
            let field = self.text.get(end..)?;
            let i = field.iter().position(|&b| b == want || b < 0x20)?;
            if field[i] != want {
                return None;
            }
            end += i + 1;
        }
        Some(end)
    }

    /// Fuzzy hits among `marks` (fields matching `q` fuzzily): those tight enough, of records
    /// not in `matched` (sorted record indexes), the best field of each record once.
    fn fuzzy_hits(
        &self,
        q: &[u8],
        marks: &[FuzzyMark],
        matched: &[Candidate],
        rank: bool,
    ) -> Vec<Candidate> {
        let mut best = Vec::new();
        // Marks come in text order: each record is looked up from the previous one.
        let mut record = 0;
        for m in marks {
            let f = self.fuzzy[m.field as usize];
            let fs = f.start as usize;
            let end = m.end as usize;
            // Back from the end: the latest start that still holds every byte in order.
            let mut k = q.len();
            let mut tight = fs;
            for i in (fs..end).rev() {
                if self.text[i] == q[k - 1] {
                    k -= 1;
                    if k == 0 {
                        tight = i;
                        break;
                    }
                }
            }
            let span = end - tight;
            if span > 2 * q.len() + 2 {
                continue;
            }
            record = self.record_of(f.start, record);
            if matched.binary_search_by_key(&record, |c| c.record).is_ok() {
                continue;
            }
            if !rank {
                push_best(&mut best, record, Field::Notes, MatchKind::Fuzzy, 0);
                continue;
            }
            let fe = self.tag_at_or_after(fs);
            let field = self.field_at(fe);
            let closeness = 99 - ((span - q.len()) * 8 + (fe - fs - span)).min(99) as u32;
            let score = field.weight() * 100 + closeness;
            push_best(&mut best, record, field, MatchKind::Fuzzy, score);
        }
        best
    }

    /// What a query leaves to narrow the next one from.
    fn memory(&self, q: &str, substring: &[Candidate], fuzzy: Option<Vec<FuzzyMark>>) -> Memory {
        let keep = self.ids.len() / NARROW_DIVISOR;
        Memory {
            query: q.to_string(),
            // A one-character query matches prefixes only: a longer one cannot narrow from it.
            records: (q.chars().nth(1).is_some() && substring.len() <= keep)
                .then(|| substring.iter().map(|c| c.record).collect()),
            fuzzy: fuzzy.filter(|f| f.len() <= self.fuzzy.len() / KEEP_FUZZY_DIVISOR),
            pending: None,
        }
    }

    fn run(&self, q: &str, limit: usize, prev: Option<&Memory>) -> (SearchResults, Memory) {
        if q.is_empty() || limit == 0 {
            return (SearchResults::default(), Memory::empty(q));
        }
        let prev = prev.filter(|p| q.starts_with(p.query.as_str()));
        let qb = q.as_bytes();
        let mut best = self.substring_phase(q, prev, true);
        let mut fuzzy = None;
        if Self::fuzzy_applies(q) && best.len() < limit {
            let marks = self.fuzzy_marks(qb, prev);
            let hits = self.fuzzy_hits(qb, &marks, &best, true);
            best.extend(hits);
            fuzzy = Some(marks);
        }
        let memory = self.memory(q, &best, fuzzy);

        let total = best.len();
        let by_rank =
            |a: &Candidate, b: &Candidate| b.score.cmp(&a.score).then(a.record.cmp(&b.record));
        if best.len() > limit {
            best.select_nth_unstable_by(limit - 1, by_rank);
            best.truncate(limit);
        }
        best.sort_unstable_by(by_rank);
        let hits = best
            .into_iter()
            .map(|c| {
                let r = c.record as usize;
                let owner = self.owner[r] as usize;
                Hit {
                    customer_id: self.ids[owner],
                    contact_id: (owner != r).then_some(self.ids[r]),
                    field: c.field,
                    kind: c.kind,
                    score: c.score,
                }
            })
            .collect();
        (SearchResults { hits, total }, memory)
    }

    /// [`SearchIndex::run`] without ranking: the customers of every hit.
    fn run_set(&self, q: &str, prev: Option<&Memory>) -> (CustomerMatches, Memory) {
        if q.is_empty() {
            return (CustomerMatches::default(), Memory::empty(q));
        }
        let prev = prev.filter(|p| q.starts_with(p.query.as_str()));
        let qb = q.as_bytes();
        let substring = self.substring_phase(q, prev, false);
        let mut fuzzy = None;
        let mut fuzzy_hits = Vec::new();
        if Self::fuzzy_applies(q) {
            let marks = self.fuzzy_marks(qb, prev);
            fuzzy_hits = self.fuzzy_hits(qb, &marks, &substring, false);
            fuzzy = Some(marks);
        }
        let records = substring.len() + fuzzy_hits.len();
        let mut ids: Vec<Id> = substring
            .iter()
            .chain(&fuzzy_hits)
            .map(|c| self.ids[self.owner[c.record as usize] as usize])
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let memory = self.memory(q, &substring, fuzzy);
        (CustomerMatches { ids, records }, memory)
    }

    /// One-character queries: records with a field starting with it.
    fn match_prefixes(&self, q: &[u8], best: &mut Vec<Candidate>) {
        let bit = initial_bit(q[0]);
        let scan = |records: std::ops::Range<usize>| {
            let mut found = Vec::new();
            for r in records {
                if self.initials[r] & bit == 0 {
                    continue;
                }
                for (fs, fe) in self.fields(r) {
                    if self.text[fs..fe].starts_with(q) {
                        let kind = if fe - fs == q.len() {
                            MatchKind::Exact
                        } else {
                            MatchKind::Prefix
                        };
                        let field = self.field_at(fe);
                        let score = score(kind, field, fe - fs, q.len());
                        push_best(&mut found, r as u32, field, kind, score);
                    }
                }
            }
            found
        };
        for part in in_parts(self.initials.len(), scan) {
            best.extend(part);
        }
    }

    /// The best field of record `r` containing the query, if any (with `rank` false: whether
    /// any does, with a score of 0).
    fn match_record(
        &self,
        r: usize,
        finder: &memmem::Finder,
        rank: bool,
        best: &mut Vec<Candidate>,
    ) {
        let start = self.record_start[r] as usize;
        let end = self.record_start[r + 1] as usize;
        if start == end {
            return;
        }
        if !rank {
            if finder.find(&self.text[start..end]).is_some() {
                push_best(best, r as u32, Field::Notes, MatchKind::Substring, 0);
            }
            return;
        }
        let qlen = finder.needle().len();
        let mut pos = start;
        let mut fields = self.fields(r);
        while let Some(off) = finder.find(&self.text[pos..end]) {
            let at = pos + off;
            // No query holds a tag, so a match lies inside one field.
            let Some((fs, fe)) = fields.by_ref().find(|&(_, fe)| fe > at) else {
                break;
            };
            let kind = classify(&self.text, fs, fe, at, qlen, finder);
            let field = self.field_at(fe);
            push_best(
                best,
                r as u32,
                field,
                kind,
                score(kind, field, fe - fs, qlen),
            );
            pos = fe + 1;
            if pos >= end {
                break;
            }
        }
    }
}

/// The customers a query matches (see [`SearchIndex::matching_customers`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerMatches {
    /// Their ids, ascending, each once.
    ids: Vec<Id>,
    /// Records (customers and contacts) that matched.
    records: usize,
}

impl CustomerMatches {
    /// The customers' ids, ascending.
    pub fn ids(&self) -> &[Id] {
        &self.ids
    }

    pub fn contains(&self, id: Id) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of records (customers and contacts) that matched: `search(q, usize::MAX).total`.
    pub fn records(&self) -> usize {
        self.records
    }
}

/// A name-like field and its filters for fuzzy matching (letters have their own bits).
#[derive(Debug, Clone, Copy)]
struct FuzzyField {
    /// Where the field starts in the index's text.
    start: u32,
    /// Bytes of the field.
    bytes: u32,
    /// Bytes that start a word of the field.
    initials: u32,
}

/// A name-like field holding a query fuzzily.
#[derive(Debug, Clone, Copy)]
struct FuzzyMark {
    /// Index into `SearchIndex::fuzzy`.
    field: u32,
    /// Where the match ends in the text (after its last byte).
    end: u32,
}

/// Which records matched a query, to narrow the next, longer one.
#[derive(Debug, Default)]
struct Memory {
    query: String,
    /// Every record containing `query` in some field (None when not computed completely, or
    /// when too many for narrowing to pay).
    records: Option<Vec<u32>>,
    /// Every name-like field holding `query` fuzzily (None when not computed).
    fuzzy: Option<Vec<FuzzyMark>>,
    /// `fuzzy` being worked out on another thread for the next, longer query (see
    /// [`Searcher::matching_customers`]); `None` from it when there are too many to keep.
    pending: Option<std::thread::JoinHandle<Option<Vec<FuzzyMark>>>>,
}

impl Memory {
    fn empty(q: &str) -> Memory {
        Memory {
            query: q.to_string(),
            ..Memory::default()
        }
    }
}

/// Queries remembered by a [`Searcher`]: the current one and the ones it extends.
const MEMORIES: usize = 24;

/// Search as the user types: remembers the previous queries so that each added character only
/// re-checks the records that still match, and a character taken back (Backspace) finds its
/// shorter query's matches still there. The index is shared (`Arc`) so that a new one can be
/// built off the UI thread and swapped in.
#[derive(Debug, Default)]
pub struct Searcher {
    index: Arc<SearchIndex>,
    /// The last query's memory on top, under it those of the queries it extends.
    memories: Vec<Memory>,
}

impl Searcher {
    /// A searcher over an index.
    pub fn new(index: Arc<SearchIndex>) -> Self {
        Searcher {
            index,
            memories: Vec::new(),
        }
    }

    /// The index searched.
    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// Searches a new index from now on (after a sync or an edit rebuilt it).
    pub fn set_index(&mut self, index: Arc<SearchIndex>) {
        self.index = index;
        self.memories.clear();
    }

    /// The memory of the longest remembered query that `q` extends (forgetting the others).
    fn memory_for(&mut self, q: &str) -> Option<&Memory> {
        while self
            .memories
            .last()
            .is_some_and(|m| !q.starts_with(m.query.as_str()))
        {
            self.memories.pop();
        }
        let top = self.memories.last_mut()?;
        if top.fuzzy.is_none()
            && let Some(pending) = top.pending.take()
        {
            // Worked out while the user typed the next character; if it is not done yet,
            // waiting costs no more than working it out now.
            top.fuzzy = pending.join().ok().flatten();
        }
        self.memories.last()
    }

    fn remember(&mut self, mut memory: Memory) {
        if self
            .memories
            .last()
            .is_some_and(|m| m.query == memory.query)
            && let Some(old) = self.memories.pop()
            && memory.fuzzy.is_none()
        {
            // The same query again: what was worked out for it stays.
            memory.fuzzy = old.fuzzy;
            memory.pending = old.pending;
        }
        if self.memories.len() == MEMORIES {
            self.memories.remove(0);
        }
        self.memories.push(memory);
    }

    /// The best `limit` results for `query` (case-insensitive, accents ignored).
    pub fn search(&mut self, query: &str, limit: usize) -> SearchResults {
        let q = normalise_query(query);
        let index = Arc::clone(&self.index);
        let (results, memory) = index.run(&q, limit, self.memory_for(&q));
        self.remember(memory);
        results
    }

    /// The customers matching `query`, as [`SearchIndex::matching_customers`], narrowing as
    /// [`Searcher::search`] does: the list's `/` filter, which needs the set, not a ranking.
    pub fn matching_customers(&mut self, query: &str) -> CustomerMatches {
        let q = normalise_query(query);
        let index = Arc::clone(&self.index);
        let (matches, mut memory) = index.run_set(&q, self.memory_for(&q));
        // Fuzzy matching starts at the third character, and its first pass over every
        // name-like field is the costliest step of typing. After the second character, that
        // pass is made for it on another thread while the user types the third, which then
        // only continues the matches (the result is the same either way).
        if q.len() == 2 && q.is_ascii() && memory.fuzzy.is_none() && memory.pending.is_none() {
            let bytes = q.clone().into_bytes();
            let ix = Arc::clone(&self.index);
            memory.pending = std::thread::Builder::new()
                .name("fuzzy-ahead".into())
                .spawn(move || {
                    let marks = ix.fuzzy_marks(&bytes, None);
                    (marks.len() <= ix.fuzzy.len() / KEEP_FUZZY_DIVISOR).then_some(marks)
                })
                .ok();
        }
        self.remember(memory);
        matches
    }
}

fn normalise_query(query: &str) -> String {
    match phone_query(query) {
        Some(digits) => digits,
        None => {
            let mut q = String::with_capacity(query.len());
            fold_into(query, &mut q);
            q
        }
    }
}

fn join(a: &Option<String>, b: &Option<String>) -> String {
    match (a.as_deref(), b.as_deref()) {
        (Some(a), Some(b)) => format!("{a} {b}"),
        (Some(a), None) => a.to_string(),
        (None, Some(b)) => b.to_string(),
        (None, None) => String::new(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    record: u32,
    field: Field,
    kind: MatchKind,
    score: u32,
}

fn push_best(best: &mut Vec<Candidate>, record: u32, field: Field, kind: MatchKind, score: u32) {
    match best.last_mut() {
        Some(last) if last.record == record => {
            if score > last.score {
                *last = Candidate {
                    record,
                    field,
                    kind,
                    score,
                };
            }
        }
        _ => best.push(Candidate {
            record,
            field,
            kind,
            score,
        }),
    }
}

fn score(kind: MatchKind, field: Field, field_len: usize, qlen: usize) -> u32 {
    let tier = kind as u32;
    let closeness = 99 - (field_len.saturating_sub(qlen)).min(99) as u32;
    tier * 10_000 + field.weight() * 100 + closeness
}

/// The best kind of match of `q` in the field `text[fs..fe]`, whose first occurrence is `at`.
fn classify(
    text: &[u8],
    fs: usize,
    fe: usize,
    at: usize,
    qlen: usize,
    finder: &memmem::Finder,
) -> MatchKind {
    if at == fs {
        return if fe - fs == qlen {
            MatchKind::Exact
        } else {
            MatchKind::Prefix
        };
    }
    let mut a = at;
    loop {
        if starts_word(text, fs, a) {
            return MatchKind::WordPrefix;
        }
        match finder.find(&text[a + 1..fe]) {
            Some(off) => a = a + 1 + off,
            None => return MatchKind::Substring,
        }
    }
}

/// Whether byte `a` (a character boundary inside the field starting at `fs`) starts a word.
fn starts_word(text: &[u8], fs: usize, a: usize) -> bool {
    if a == fs {
        return true;
    }
    let prev = text[a - 1];
    if prev.is_ascii() {
        return !prev.is_ascii_alphanumeric();
    }
    // Walk back to the lead byte of the previous character (at most 4 bytes).
    let mut s = a - 1;
    while s > fs && a - s < 4 && text[s] & 0xC0 == 0x80 {
        s -= 1;
    }
    match std::str::from_utf8(&text[s..a]) {
        Ok(p) => !p.chars().next_back().is_some_and(char::is_alphanumeric),
        Err(_) => false,
    }
}

/// If the ASCII query's bytes appear in order in `field`, the first one at the start of a word:
/// where that match ends (after its last byte; the earliest word start holding the first byte,
/// then each byte as early as it comes). The field ends at its tag (a control byte) or at the
/// end of the slice, so it can be given as the index's text from its start on, without
/// measuring it first. A longer query's match is this one continued.
fn fuzzy_end(q: &[u8], field: &[u8]) -> Option<usize> {
    let (&first, rest) = q.split_first()?;
    // The earliest word start holding the first byte leaves the most room for the rest. Fields
    // are short: plain loops beat repeated `memchr` calls here.
    let mut prev_is_boundary = true;
    let mut start = None;
    for (i, &b) in field.iter().enumerate() {
        if b < 0x20 {
            return None;
        }
        if b == first && prev_is_boundary {
            start = Some(i);
            break;
        }
        prev_is_boundary = b.is_ascii() && !b.is_ascii_alphanumeric();
    }
    let mut end = start? + 1;
    for &want in rest {
        let i = field[end..].iter().position(|&b| b == want || b < 0x20)?;
        if field[end + i] != want {
            return None;
        }
        end += i + 1;
    }
    Some(end)
}

/// The width of the tightest window holding the fuzzy match of `q` in `field` (see
/// [`fuzzy_end`]).
#[cfg(test)]
fn fuzzy_window(q: &[u8], field: &[u8]) -> Option<usize> {
    let end = fuzzy_end(q, field)?;
    let mut k = q.len();
    let mut tight = 0;
    for i in (0..end).rev() {
        if field[i] == q[k - 1] {
            k -= 1;
            if k == 0 {
                tight = i;
                break;
            }
        }
    }
    Some(end - tight)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::model::Properties;
    use serde_json::json;

    fn customer(id: Id, business: &str, first: &str, last: &str) -> Customer {
        Customer {
            id,
            business_name: (!business.is_empty()).then(|| business.to_string()),
            firstname: Some(first.into()),
            lastname: Some(last.into()),
            ..Default::default()
        }
    }

    fn contact(id: Id, name: &str, email: &str, phone: &str, title: &str) -> Contact {
        let mut properties = Properties::new();
        if !title.is_empty() {
            properties.insert("title".into(), json!(title));
        }
        Contact {
            id,
            name: Some(name.into()),
            email: Some(email.into()),
            phone: Some(phone.into()),
            properties,
            ..Default::default()
        }
    }

    fn index() -> SearchIndex {
        let mut acme = customer(1, "Acme Dental", "Jane", "Roe");
        acme.email = Some("office@acme-dental.example".into());
        acme.phone = Some("5551234567".into());
        acme.city = Some("Springfield".into());
        acme.contacts = vec![
            contact(
                101,
                "Bob Builder",
                "bob@acme-dental.example",
                "657.325.3258 x330",
                "IT Manager",
            ),
            contact(
                102,
                "Zoë Ångström",
                "zoe@acme.example",
                "",
                "Office Manager",
            ),
        ];
        let mut dent = customer(2, "Dentalworks", "Ann", "Acme");
        dent.notes = Some("Prefers calls; knows the Acme people".into());
        let acme_exact = customer(3, "Acme", "Carl", "Smith");
        let mut tokyo = customer(4, "東京トレーディング", "Ĳ", "Müller");
        tokyo.contacts = vec![contact(
            401,
            "山田 太郎",
            "yamada@example.jp",
            "+81 3 1234 5678",
            "",
        )];
        let mut johnson = customer(5, "", "Robert", "Johnson");
        johnson.contacts = vec![contact(
            501,
            "Jenny Jonsson",
            "jenny@example.com",
            "",
            "Billing Contact",
        )];
        let mut other = customer(6, "Microsoft Partners", "Mia", "Crane");
        other.contacts = vec![contact(601, "Zed", "zed@example.com", "", "Owner")];
        SearchIndex::from_customers(&[acme, dent, acme_exact, tokyo, johnson, other])
    }

    fn ids(r: &SearchResults) -> Vec<(Id, Option<Id>)> {
        r.hits
            .iter()
            .map(|h| (h.customer_id, h.contact_id))
            .collect()
    }

    #[test]
    fn exact_before_prefix_before_word_before_substring() {
        let ix = index();
        let r = ix.search("ACME", 10);
        assert_eq!(r.hits[0].customer_id, 3);
        assert_eq!(r.hits[0].kind, MatchKind::Exact);
        assert_eq!(r.hits[1].customer_id, 1);
        assert_eq!(r.hits[1].kind, MatchKind::Prefix);
        assert_eq!(r.hits[1].field, Field::BusinessName);
        // Ann Acme: "acme" starts a word of her name.
        let ann = r.hits.iter().position(|h| h.customer_id == 2).unwrap();
        assert_eq!(r.hits[ann].kind, MatchKind::WordPrefix);
        assert_eq!(r.hits[ann].field, Field::PersonName);
        // Every score is sorted.
        assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
        // Contacts matching by e-mail domain come too, after the name matches.
        assert!(ids(&r).contains(&(1, Some(101))));
        assert!(ids(&r).contains(&(1, Some(102))));
        assert_eq!(r.total, r.hits.len());
    }

    #[test]
    fn substring_match_inside_a_word() {
        let ix = index();
        let r = ix.search("ental", 10);
        assert!(r.hits.iter().all(|h| h.kind == MatchKind::Substring));
        assert_eq!(r.hits[0].customer_id, 1);
        assert!(ids(&r).contains(&(2, None)));
    }

    #[test]
    fn contacts_across_customers_by_email_phone_and_title() {
        let ix = index();
        let r = ix.search("bob@acme-dental.example", 5);
        assert_eq!(ids(&r), vec![(1, Some(101))]);
        assert_eq!(r.hits[0].field, Field::Email);
        assert_eq!(r.hits[0].kind, MatchKind::Exact);

        // Phone by digits whatever the formatting, the extension ignored.
        let r = ix.search("(657) 325-3258", 5);
        assert_eq!(ids(&r), vec![(1, Some(101))]);
        assert_eq!(r.hits[0].kind, MatchKind::Exact);
        let r = ix.search("325 3258", 5);
        assert_eq!(ids(&r), vec![(1, Some(101))]);
        assert_eq!(r.hits[0].field, Field::Phone);

        let r = ix.search("manager", 5);
        let mut got = ids(&r);
        got.sort();
        assert_eq!(got, vec![(1, Some(101)), (1, Some(102))]);
        assert!(r.hits.iter().all(|h| h.field == Field::Title));

        let r = ix.search("billing", 5);
        assert_eq!(ids(&r), vec![(5, Some(501))]);
    }

    #[test]
    fn customer_phone_and_id() {
        let ix = index();
        assert_eq!(ids(&ix.search("555-123-4567", 5)), vec![(1, None)]);
        let r = ix.search("4", 50);
        assert!(
            r.hits
                .iter()
                .any(|h| h.customer_id == 4 && h.field == Field::Id)
        );
    }

    #[test]
    fn unicode_and_accents() {
        let ix = index();
        // Accents folded both ways.
        assert_eq!(ids(&ix.search("angstrom", 5)), vec![(1, Some(102))]);
        assert_eq!(ids(&ix.search("ÅNGSTRÖM", 5)), vec![(1, Some(102))]);
        assert_eq!(ids(&ix.search("muller", 5)), vec![(4, None)]);
        // Non-Latin scripts, prefix and middle.
        assert_eq!(ids(&ix.search("東京", 5)), vec![(4, None)]);
        assert_eq!(ix.search("東京", 5).hits[0].kind, MatchKind::Prefix);
        assert_eq!(ids(&ix.search("トレー", 5)), vec![(4, None)]);
        assert_eq!(ids(&ix.search("太郎", 5)), vec![(4, Some(401))]);
        assert_eq!(ix.search("太郎", 5).hits[0].kind, MatchKind::WordPrefix);
        // Single multi-byte characters, emoji and stray marks never panic.
        for q in [
            "東",
            "é",
            "🍣",
            "\u{301}",
            "ĳ",
            "\u{200B}",
            " ",
            "x\u{10FFFF}",
        ] {
            let _ = ix.search(q, 5);
        }
        assert!(ix.search("\u{200B}", 5).hits.is_empty());
    }

    #[test]
    fn fuzzy_comes_last_and_only_when_needed() {
        let ix = index();
        // A typo with a letter missing: no substring, a fuzzy match.
        let r = ix.search("jonsn", 5);
        assert!(!r.hits.is_empty());
        assert!(r.hits.iter().all(|h| h.kind == MatchKind::Fuzzy));
        assert!(ids(&r).contains(&(5, None)) || ids(&r).contains(&(5, Some(501))));
        let r = ix.search("mcrsft", 5);
        assert_eq!(ids(&r), vec![(6, None)]);
        // Exact and prefix matches come before fuzzy ones.
        let r = ix.search("jenny", 10);
        assert_eq!(r.hits[0].contact_id, Some(501));
        assert_eq!(r.hits[0].kind, MatchKind::Prefix);
        // Scattered letters far apart are not a match.
        assert!(ix.search("asrl", 5).hits.is_empty());
    }

    #[test]
    fn fuzzy_window_starts_at_a_word() {
        assert_eq!(fuzzy_window(b"jnsn", b"robert johnson"), Some(7));
        assert_eq!(fuzzy_window(b"mcrsft", b"microsoft"), Some(9));
        assert_eq!(fuzzy_window(b"crsft", b"microsoft"), None);
        assert_eq!(fuzzy_window(b"crsft", b"micro-crosoft"), Some(7));
        assert_eq!(fuzzy_window(b"abc", b"xa\xc3\xa9abc"), None);
        assert_eq!(fuzzy_window(b"ab", b"a b"), Some(3));
        assert_eq!(fuzzy_window(b"zz", b""), None);
        // The field ends at its tag: the next field does not complete a match.
        assert_eq!(fuzzy_window(b"ab", b"a\x01b"), None);
        assert_eq!(fuzzy_window(b"ab", b"\x01ab"), None);
        assert_eq!(fuzzy_window(b"ab", b"a b\x01"), Some(3));
    }

    #[test]
    fn typing_narrows_to_the_same_results_as_a_fresh_search() {
        let ix = index();
        let mut s = Searcher::new(Arc::new(index()));
        for q in [
            "a", "ac", "acm", "acme", "acme ", "acme d", "j", "jo", "jon", "jons", "jonsn", "ma",
            "man", "mana", "manager", "3", "32", "325", "東", "東京",
        ] {
            assert_eq!(s.search(q, 20), ix.search(q, 20), "query {q:?}");
        }
    }

    #[test]
    fn field_tags_are_control_bytes_that_name_the_field() {
        for f in FIELDS {
            assert!((1..0x20).contains(&f.tag()), "{f:?}");
            assert_eq!(Field::from_tag(f.tag()), f);
        }
        // Folded text holds no control byte, so a tag always ends a field.
        let mut folded = String::new();
        fold_into("a\u{1}b\x0e\n\tc\u{7f}d", &mut folded);
        assert!(folded.bytes().all(|b| b >= 0x20), "{folded:?}");
        // Every hit names its record's customer, and its contact only for contacts.
        let ix = index();
        let r = ix.search("yamada", 5);
        assert_eq!(ids(&r), vec![(4, Some(401))]);
        assert_eq!(r.hits[0].field, Field::Email);
    }

    #[test]
    fn fields_of_255_bytes_or_more_are_measured_to_their_tag() {
        for len in [254, 255, 256, 700] {
            let mut c = customer(9, "Long Street Co", "Al", "Bo");
            c.address = Some(format!("{}tailword", "x".repeat(len - 8)));
            c.zip = Some("98765".into());
            c.notes = Some(format!("{} lastnote", "y ".repeat(200)));
            let ix = SearchIndex::from_customers(&[c, customer(10, "After", "Cy", "Do")]);
            let r = ix.search("tailword", 5);
            assert_eq!(ids(&r), vec![(9, None)], "{len}");
            assert_eq!(
                (r.hits[0].field, r.hits[0].kind),
                (Field::Address, MatchKind::Substring)
            );
            let r = ix.search("98765", 5);
            assert_eq!(
                (r.hits[0].field, r.hits[0].kind),
                (Field::Zip, MatchKind::Exact)
            );
            let r = ix.search("lastnote", 5);
            assert_eq!(
                (r.hits[0].field, r.hits[0].kind),
                (Field::Notes, MatchKind::WordPrefix)
            );
            assert_eq!(ids(&ix.search("after", 5)), vec![(10, None)]);
            assert_eq!(ids(&ix.search("c", 5)), vec![(10, None)]);
        }
    }

    /// The demo generator's account of `n` customers (seed 1) as the app's full sync lists it
    /// from a demo server on 127.0.0.1 (by id, as the server returns it).
    pub(crate) fn demo_mirror(n: usize) -> Mirror {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let cfg = crate::demo::DemoConfig {
                customers: n,
                rate_limit: None,
                ..Default::default()
            };
            let server = crate::demo::DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
                .await
                .unwrap();
            let mut cc = crate::api::ClientConfig::new(
                server.base_url(),
                secrecy::SecretString::from("demo"),
            );
            cc.requests_per_minute = 0;
            let client = crate::api::SyncroClient::new(cc).unwrap();
            let (m, _) = super::super::full_sync(
                &client,
                &Mirror::new("test"),
                &super::super::SyncOptions::default(),
                &mut |_| {},
            )
            .await
            .unwrap();
            server.shutdown().await;
            m
        })
    }

    /// The same account, indexed.
    fn demo_index(n: usize) -> SearchIndex {
        SearchIndex::build(&demo_mirror(n))
    }

    /// The search as documented, the plain way: every field of every record, a naive
    /// substring search, every name-like field tried fuzzily; no filters, no narrowing, no
    /// parts, no memchr.
    fn reference(ix: &SearchIndex, query: &str, limit: usize) -> SearchResults {
        let q = normalise_query(query);
        if q.is_empty() || limit == 0 {
            return SearchResults::default();
        }
        let qb = q.as_bytes();
        let short = q.chars().count() == 1;
        let mut best: Vec<Candidate> = Vec::new();
        for r in 0..ix.record_count() {
            let mut found: Option<Candidate> = None;
            for (fs, fe) in ix.fields(r) {
                let hay = &ix.text[fs..fe];
                let kind = if short {
                    let whole = hay.len() == qb.len();
                    let kind = if whole {
                        MatchKind::Exact
                    } else {
                        MatchKind::Prefix
                    };
                    hay.starts_with(qb).then_some(kind)
                } else {
                    hay.windows(qb.len())
                        .enumerate()
                        .filter(|(_, w)| *w == qb)
                        .map(|(i, _)| {
                            if i == 0 && hay.len() == qb.len() {
                                MatchKind::Exact
                            } else if i == 0 {
                                MatchKind::Prefix
                            } else if starts_word(&ix.text, fs, fs + i) {
                                MatchKind::WordPrefix
                            } else {
                                MatchKind::Substring
                            }
                        })
                        .max()
                };
                if let Some(kind) = kind {
                    let field = ix.field_at(fe);
                    let sc = score(kind, field, fe - fs, qb.len());
                    if found.is_none_or(|f| sc > f.score) {
                        found = Some(Candidate {
                            record: r as u32,
                            field,
                            kind,
                            score: sc,
                        });
                    }
                }
            }
            best.extend(found);
        }
        if q.is_ascii() && qb.len() >= 3 && best.len() < limit {
            let matched: std::collections::HashSet<u32> = best.iter().map(|c| c.record).collect();
            for r in 0..ix.record_count() {
                if matched.contains(&(r as u32)) {
                    continue;
                }
                let mut found: Option<Candidate> = None;
                for (fs, fe) in ix.fields(r) {
                    let field = ix.field_at(fe);
                    if !field.fuzzy() {
                        continue;
                    }
                    let Some(span) = fuzzy_window(qb, &ix.text[fs..=fe]) else {
                        continue;
                    };
                    if span > 2 * qb.len() + 2 {
                        continue;
                    }
                    let closeness = 99 - ((span - qb.len()) * 8 + (fe - fs - span)).min(99) as u32;
                    let sc = field.weight() * 100 + closeness;
                    if found.is_none_or(|f| sc > f.score) {
                        found = Some(Candidate {
                            record: r as u32,
                            field,
                            kind: MatchKind::Fuzzy,
                            score: sc,
                        });
                    }
                }
                best.extend(found);
            }
        }
        let total = best.len();
        best.sort_by(|a, b| b.score.cmp(&a.score).then(a.record.cmp(&b.record)));
        best.truncate(limit);
        let hits = best
            .into_iter()
            .map(|c| {
                let r = c.record as usize;
                let owner = ix.owner[r] as usize;
                Hit {
                    customer_id: ix.ids[owner],
                    contact_id: (owner != r).then_some(ix.ids[r]),
                    field: c.field,
                    kind: c.kind,
                    score: c.score,
                }
            })
            .collect();
        SearchResults { hits, total }
    }

    /// Queries a technician types, taken from the data itself: words of names, e-mail
    /// fragments, phone digits, typos (a letter dropped), names in other scripts, and a few
    /// that match nothing.
    fn queries_from(ix: &SearchIndex, picks: usize) -> Vec<String> {
        let every = ix.record_count() / picks;
        let mut out: Vec<String> = [
            "smith",
            "@outlook",
            "8135559",
            "jonsn",
            "Νίκος",
            "佐藤",
            "müller",
            "o'brien",
            "dental",
            "555",
            "zzzq",
            "van der",
            "ext",
            "(612) 555",
            "jo",
            "x",
        ]
        .map(String::from)
        .to_vec();
        for r in (0..ix.record_count()).step_by(every) {
            for (fs, fe) in ix.fields(r).take(2) {
                let Ok(text) = std::str::from_utf8(&ix.text[fs..fe]) else {
                    continue;
                };
                let word: String = text
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(7)
                    .collect();
                if word.chars().count() >= 3 {
                    // A typo: the second letter left out.
                    let typo: String = word
                        .chars()
                        .enumerate()
                        .filter(|&(i, _)| i != 1)
                        .map(|(_, c)| c)
                        .collect();
                    out.push(typo);
                }
                let middle: String = text.chars().skip(2).take(5).collect();
                out.extend([word, middle]);
            }
        }
        out.retain(|q| !q.trim().is_empty());
        out.sort();
        out.dedup();
        out
    }

    /// Every query, as typed (one character at a time, then taken back one at a time):
    /// ranked and limited, ranked in full, and the customers of `/`, each the same as the plain
    /// reference's, set and order.
    fn same_as_reference(ix: SearchIndex, picks: usize, most: usize) {
        let ix = Arc::new(ix);
        let mut queries = queries_from(&ix, picks);
        assert!(queries.len() > 20, "{}", queries.len());
        // Every kind of query is kept: spread over the sorted list.
        let step = queries.len().div_ceil(most);
        queries = queries.into_iter().step_by(step).collect();
        let mut known = std::collections::HashMap::new();
        let mut reference = |ix: &SearchIndex, q: &str, limit: usize| {
            known
                .entry((q.to_string(), limit))
                .or_insert_with(|| reference(ix, q, limit))
                .clone()
        };
        let mut typing = Searcher::new(ix.clone());
        let mut find = Searcher::new(ix.clone());
        let mut list = Searcher::new(ix.clone());
        for q in &queries {
            let prefixes: Vec<&str> = q
                .char_indices()
                .map(|(i, c)| &q[..i + c.len_utf8()])
                .collect();
            // Typed, then taken back with Backspace.
            let keys = prefixes.iter().chain(prefixes.iter().rev().skip(1));
            for p in keys {
                let all = reference(&ix, p, usize::MAX);
                assert_eq!(typing.search(p, usize::MAX), all, "{p:?} typed, all");
                assert_eq!(
                    find.search(p, 200),
                    reference(&ix, p, 200),
                    "{p:?} typed, 200"
                );
                let mut ids: Vec<Id> = all.hits.iter().map(|h| h.customer_id).collect();
                ids.sort_unstable();
                ids.dedup();
                let records = all.total;
                let m = list.matching_customers(p);
                assert_eq!(
                    (m.ids(), m.records()),
                    (&ids[..], records),
                    "{p:?} typed, /"
                );
            }
            assert_eq!(
                ix.search(q, usize::MAX),
                reference(&ix, q, usize::MAX),
                "{q:?}"
            );
            assert_eq!(ix.search(q, 20), reference(&ix, q, 20), "{q:?}");
            // Fresh, without a previous query.
            let all = reference(&ix, q, usize::MAX);
            let m = ix.matching_customers(q);
            assert!(all.hits.iter().all(|h| m.contains(h.customer_id)), "{q:?}");
            assert_eq!(m.records(), all.total, "{q:?}");
        }
    }

    #[test]
    fn demo_data_1k_same_results_as_the_plain_search() {
        same_as_reference(demo_index(1_000), 12, 60);
    }

    #[test]
    fn demo_data_10k_same_results_as_the_plain_search() {
        same_as_reference(demo_index(10_000), 3, 12);
    }

    /// The same at 100,000 customers (minutes in a debug build):
    /// `cargo test --release -- --ignored demo_data_100k`.
    #[test]
    #[ignore]
    fn demo_data_100k_same_results_as_the_plain_search() {
        same_as_reference(demo_index(100_000), 12, 60);
    }

    #[test]
    fn narrowing_and_backspace_give_a_fresh_searchs_customers() {
        let ix = index();
        let mut s = Searcher::new(Arc::new(index()));
        for q in [
            "a", "ac", "acm", "acme", "acm", "ac", "acx", "j", "jo", "jon", "jons", "jonsn",
            "jons", "jonsx", "man", "mana", "manager", "3", "32", "325", "東", "東京",
        ] {
            assert_eq!(s.matching_customers(q), ix.matching_customers(q), "{q:?}");
            assert_eq!(s.search(q, 20), ix.search(q, 20), "{q:?}");
        }
        let m = ix.matching_customers("manager");
        assert_eq!(m.ids(), &[1]);
        assert_eq!(m.records(), 2);
        assert!(m.contains(1) && !m.contains(2));
        assert!(ix.matching_customers("").is_empty());
    }

    #[test]
    fn limit_and_total() {
        let ix = index();
        let r = ix.search("a", 2);
        assert_eq!(r.hits.len(), 2);
        assert!(r.total >= 2);
        assert!(ix.search("", 10).hits.is_empty());
        assert!(ix.search("acme", 0).hits.is_empty());
        assert!(ix.search("zzzzqqq", 10).hits.is_empty());
    }
}
