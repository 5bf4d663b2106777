//! View data: API records turned into sanitised display text, once, when they arrive.
//!
//! The raw records stay in the model (`Row::record`, packed); everything the UI draws comes from here,
//! so no string from the server reaches the terminal without passing [`crate::sanitize`].

use crate::api::model::{Asset, Contact, Customer, Id, Invoice, Properties, Ticket, Timestamp};
use crate::roles::{ContactRole, Title};
use crate::sanitize;

/// One list row's display text, plus what search and sort need.
///
/// 100,000 rows are kept, so the text is packed: every string of the row lives end to end in one
/// allocation, read through the accessors (`name()`, `email()`, ...). The sort keys are the
/// lowercase name and city at the start of the search text, not copies of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowView {
    /// Name, person, e-mail, phone and city as shown, then the search text, then the digits.
    /// Shared, so a copy of every row's view (the sort orders built on a worker) costs a count
    /// each, not a copy of the text.
    text: std::sync::Arc<str>,
    /// Where each part of `text` ends (see the `END_*` indexes); `text.len()` ends the digits.
    ends: [u32; PARTS],
    pub created: i64,
    pub updated: i64,
    /// The customer's id and disabled flag, beside the text: filtering 100,000 rows reads
    /// them without visiting every record.
    pub id: Id,
    pub disabled: bool,
    /// The customer's type (see [`crate::domain::customer_type`]) as an index into
    /// [`crate::domain::CUSTOMER_TYPES`]: the Type column and the `t` filter read it.
    kind: u8,
    /// Which bytes the search text holds ([`text_mask`]): a filter keystroke skips every row
    /// lacking one of the needle's bytes without reading its text, and one letter or digit is
    /// answered by the mask alone (each has a bit of its own).
    mask: u64,
}

/// Bit (0..64) of a byte in a row's [`RowView::mask`]: one for each lowercase letter, each
/// digit and each of `@ . - & '` (what e-mails and company names hold), the other bytes
/// hashed into the rest.
fn mask_bit(b: u8) -> u64 {
    let bit = match b {
        b'a'..=b'z' => u32::from(b - b'a'),
        b'0'..=b'9' => 26 + u32::from(b - b'0'),
        b'@' => 36,
        b'.' => 37,
        b'-' => 38,
        b'&' => 39,
        b'\'' => 40,
        _ => 41 + u32::from(b).wrapping_mul(0x9E37_79B1) % 23,
    };
    1 << bit
}

/// Whether a byte has a bit of its own in [`mask_bit`] (so the mask alone says whether a text
/// holds it).
fn own_bit(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b"@.-&'".contains(&b)
}

/// The bytes a text holds, as a 64-bit filter (see [`mask_bit`]).
pub fn text_mask(text: &str) -> u64 {
    text.bytes().fold(0, |m, b| m | mask_bit(b))
}

const SEP: char = '\u{1}';

fn kind_index(t: &str) -> u8 {
    let types = crate::domain::CUSTOMER_TYPES;
    types.iter().position(|k| *k == t).unwrap_or(0) as u8
}

// Indexes into `RowView::ends`. The search text starts at `END_CITY` with the lowercase name
// (ending at `END_NAME_KEY`), person and e-mail, then the lowercase city (from `START_CITY_KEY`
// to `END_CITY_KEY`), each followed by `SEP`.
const END_NAME: usize = 0;
const END_PERSON: usize = 1;
const END_EMAIL: usize = 2;
const END_PHONE: usize = 3;
const END_CITY: usize = 4;
const END_NAME_KEY: usize = 5;
const START_CITY_KEY: usize = 6;
const END_CITY_KEY: usize = 7;
const END_HAYSTACK: usize = 8;
const PARTS: usize = 9;

impl RowView {
    /// `type_property` names the custom property that holds the customer's type.
    pub fn build(c: &Customer, type_property: &str) -> RowView {
        let name = sanitize::line(&c.display_name());
        let person = sanitize::line(&c.person_name());
        let email = sanitize::line(c.email.as_deref().unwrap_or(""));
        let phone_raw = c.phone.as_deref().or(c.mobile.as_deref()).unwrap_or("");
        let phone = phone_display(phone_raw);
        let city = sanitize::line(c.city.as_deref().unwrap_or(""));

        let mut text = String::with_capacity(256);
        let mut ends = [0u32; PARTS];
        // Offsets are u32: a row's text beyond 4 GB cannot arrive (responses are far smaller).
        let mut mark = |text: &String, i: usize| ends[i] = text.len() as u32;
        for (part, end) in [
            (&name, END_NAME),
            (&person, END_PERSON),
            (&email, END_EMAIL),
            (&phone, END_PHONE),
            (&city, END_CITY),
        ] {
            text.push_str(part);
            mark(&text, end);
        }
        // The search text: names, e-mails, city, and the embedded contacts' names and e-mails,
        // lowercase, separated so that a match cannot span two fields.
        text.push_str(&name.to_lowercase());
        mark(&text, END_NAME_KEY);
        text.push(SEP);
        for part in [&person, &email] {
            text.push_str(&part.to_lowercase());
            text.push(SEP);
        }
        mark(&text, START_CITY_KEY);
        text.push_str(&city.to_lowercase());
        mark(&text, END_CITY_KEY);
        text.push(SEP);
        for ct in &c.contacts {
            for part in [ct.name.as_deref(), ct.email.as_deref()]
                .into_iter()
                .flatten()
            {
                text.push_str(&sanitize::line(part).to_lowercase());
                text.push(SEP);
            }
        }
        mark(&text, END_HAYSTACK);
        let mask = text_mask(&text[ends[END_CITY] as usize..]);
        // Phone digits of the customer and its contacts, for searches like `555 123`.
        let phones = [c.phone.as_deref(), c.mobile.as_deref()].into_iter();
        let contact_phones = c
            .contacts
            .iter()
            .flat_map(|ct| [ct.phone.as_deref(), ct.mobile.as_deref()]);
        for p in phones.chain(contact_phones).flatten() {
            text.extend(p.chars().filter(char::is_ascii_digit));
            text.push(SEP);
        }
        RowView {
            // Built by appending: copied once at its length, as 100,000 rows keep it.
            text: text.as_str().into(),
            ends,
            created: c.created_at.map_or(0, |t| t.timestamp_millis()),
            updated: c.updated_at.map_or(0, |t| t.timestamp_millis()),
            id: c.id,
            disabled: c.disabled,
            kind: kind_index(crate::domain::customer_type(c, type_property)),
            mask,
        }
    }

    /// The customer's type: `Business`, `Residential`, `Government` or `Non-Profit`.
    pub fn kind(&self) -> &'static str {
        let types = crate::domain::CUSTOMER_TYPES;
        types
            .get(usize::from(self.kind))
            .copied()
            .unwrap_or(types[0])
    }

    /// Bytes the row's text holds on the heap, for the memory bench.
    pub fn heap_bytes(&self) -> usize {
        self.text.len()
    }

    /// `text[ends[from]..ends[to]]`, with `from == None` meaning the start.
    fn part(&self, from: Option<usize>, to: usize) -> &str {
        let start = from.map_or(0, |i| self.ends[i] as usize);
        let end = if to == PARTS {
            self.text.len()
        } else {
            self.ends[to] as usize
        };
        self.text.get(start..end).unwrap_or_default()
    }

    /// The customer's name as shown (business name, else person).
    pub fn name(&self) -> &str {
        self.part(None, END_NAME)
    }

    /// First and last name.
    pub fn person(&self) -> &str {
        self.part(Some(END_NAME), END_PERSON)
    }

    pub fn email(&self) -> &str {
        self.part(Some(END_PERSON), END_EMAIL)
    }

    /// The phone (else the mobile) as shown.
    pub fn phone(&self) -> &str {
        self.part(Some(END_EMAIL), END_PHONE)
    }

    pub fn city(&self) -> &str {
        self.part(Some(END_PHONE), END_CITY)
    }

    /// Lowercase text the search looks in: names, e-mails, city, and the embedded contacts'
    /// names and e-mails, separated so that a match cannot span two fields.
    pub fn haystack(&self) -> &str {
        self.part(Some(END_CITY), END_HAYSTACK)
    }

    /// Phone digits of the customer and its contacts, for searches like `555 123`.
    pub fn digits(&self) -> &str {
        self.part(Some(END_HAYSTACK), PARTS)
    }

    /// The lowercase name, to sort by.
    pub fn name_key(&self) -> &str {
        self.part(Some(END_CITY), END_NAME_KEY)
    }

    /// The lowercase city, to sort by.
    pub fn city_key(&self) -> &str {
        self.part(Some(START_CITY_KEY), END_CITY_KEY)
    }

    /// The row's text itself (another count on it, not a copy): the contacts pane searches
    /// the contacts' names, e-mails and phone digits, and the customer's name, where this
    /// view holds them (see [`RowView::contact_spans`]).
    pub fn shared_text(&self) -> std::sync::Arc<str> {
        self.text.clone()
    }

    /// Where [`RowView::name_key`] lies in [`RowView::shared_text`]: start and length.
    pub fn name_key_span(&self) -> (u32, u32) {
        let start = self.ends[END_CITY];
        (start, self.ends[END_NAME_KEY].saturating_sub(start))
    }

    /// Where each of `c`'s contacts lies in this view's text, in the customer's order: the
    /// lowercase name and e-mail (each followed by the separator) and the phone digits. `None`
    /// when the text is not what [`RowView::build`] makes of `c` (a view of another version
    /// of the record): every span is checked against the record.
    pub fn contact_spans(&self, c: &Customer) -> Option<Vec<ContactSpan>> {
        let text = self.text.as_bytes();
        let mut pos = self.ends[START_CITY_KEY] as usize;
        let expect = |pos: &mut usize, part: &[u8]| -> Option<()> {
            let end = *pos + part.len();
            (text.get(*pos..end)? == part && text.get(end) == Some(&(SEP as u8))).then(|| {
                *pos = end + 1;
            })
        };
        let name = sanitize::line(&c.display_name()).to_lowercase();
        if self.id != c.id || self.name_key() != name {
            return None;
        }
        let city = sanitize::line(c.city.as_deref().unwrap_or("")).to_lowercase();
        expect(&mut pos, city.as_bytes())?;
        let mut spans = Vec::with_capacity(c.contacts.len());
        for ct in &c.contacts {
            let at = pos;
            let mut name_len = 0;
            if let Some(name) = ct.name.as_deref() {
                let name = sanitize::line(name).to_lowercase();
                expect(&mut pos, name.as_bytes())?;
                name_len = name.len();
            }
            if let Some(email) = ct.email.as_deref() {
                expect(&mut pos, sanitize::line(email).to_lowercase().as_bytes())?;
            }
            spans.push(ContactSpan {
                at: at as u32,
                len: (pos - at) as u32,
                name_len: name_len as u32,
                digits_at: 0,
                digits_len: 0,
            });
        }
        if pos != self.ends[END_HAYSTACK] as usize {
            return None;
        }
        let digits = |pos: &mut usize, phone: Option<&str>| -> Option<()> {
            match phone {
                Some(p) => {
                    let d: Vec<u8> = p.bytes().filter(u8::is_ascii_digit).collect();
                    expect(pos, &d)
                }
                None => Some(()),
            }
        };
        for p in [c.phone.as_deref(), c.mobile.as_deref()] {
            digits(&mut pos, p)?;
        }
        for (ct, span) in c.contacts.iter().zip(&mut spans) {
            let at = pos;
            digits(&mut pos, ct.phone.as_deref())?;
            digits(&mut pos, ct.mobile.as_deref())?;
            span.digits_at = at as u32;
            span.digits_len = (pos - at) as u32;
        }
        (pos == text.len()).then_some(spans)
    }
}

/// Where one contact's search text lies in its customer's [`RowView`] text (see
/// [`RowView::contact_spans`]): `at..at + len` holds the lowercase name (its first `name_len`
/// bytes) and e-mail, each followed by the separator; `digits_at..digits_at + digits_len` the
/// digits of the phone and the mobile, each followed by the separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactSpan {
    pub at: u32,
    pub len: u32,
    pub name_len: u32,
    pub digits_at: u32,
    pub digits_len: u32,
}

// ---------------------------------------------------------------------------------------------
// The rows' views stored in the mirror file (its views section), so that a start paints the
// list without decoding a record.

/// Version of what [`views_section`] writes. Bump it whenever [`RowView::build`] (or what it
/// calls: sanitising, the phone display, the customer type) changes what it makes: a file
/// written by another version is read the old way, every record decoded.
pub const VIEWS_VERSION: u32 = 2;

/// Bytes of a row's fixed part in the section: id, created, updated, the search text's mask,
/// the ends, the text's length, disabled and kind.
const FIXED: usize = 8 + 8 + 8 + 8 + 4 * PARTS + 4 + 1 + 1;

/// The list's rows of every record, for the mirror file's views section: each record decoded
/// once and its view built, then the views and the rows' order by name (the list's default
/// sort) written end to end. Read back by [`read_views_section`].
pub fn views_section(records: &[crate::mirror::Packed], type_property: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_views_section(records, type_property, &mut out);
    out
}

/// [`views_section`], appended to `out` (the mirror file's bytes as they are written).
pub fn write_views_section(
    records: &[crate::mirror::Packed],
    type_property: &str,
    out: &mut Vec<u8>,
) {
    let views: Vec<RowView> = records
        .iter()
        .map(|p| RowView::build(&p.unpack(), type_property))
        .collect();
    encode_views_into(&views, type_property, out);
}

/// The rows `0..n` of `views` in the list's default order: by name, ties by id (what
/// `panes::resort` makes for the name sort, ascending).
pub fn name_order(views: &[RowView]) -> Vec<usize> {
    crate::filter::sorted_rows(
        views.len(),
        |i| crate::filter::text_prefix(views[i].name_key()),
        |a, b| by_name(&views[a], &views[b]),
        false,
    )
}

fn by_name(a: &RowView, b: &RowView) -> std::cmp::Ordering {
    a.name_key().cmp(b.name_key()).then_with(|| a.id.cmp(&b.id))
}

/// [`views_section`] of views already built.
pub fn encode_views(views: &[RowView], type_property: &str) -> Vec<u8> {
    let mut out = Vec::new();
    encode_views_into(views, type_property, &mut out);
    out
}

/// [`encode_views`], appended to `out`.
pub fn encode_views_into(views: &[RowView], type_property: &str, out: &mut Vec<u8>) {
    let order = name_order(views);
    let text: usize = views.iter().map(|v| v.text.len()).sum();
    out.reserve(16 + type_property.len() + views.len() * (4 + FIXED) + text);
    let u32_of = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    out.extend_from_slice(&VIEWS_VERSION.to_le_bytes());
    out.extend_from_slice(&u32_of(type_property.len()).to_le_bytes());
    out.extend_from_slice(type_property.as_bytes());
    out.extend_from_slice(&(views.len() as u64).to_le_bytes());
    for i in order {
        out.extend_from_slice(&u32_of(i).to_le_bytes());
    }
    for v in views {
        out.extend_from_slice(&v.id.to_le_bytes());
        out.extend_from_slice(&v.created.to_le_bytes());
        out.extend_from_slice(&v.updated.to_le_bytes());
        out.extend_from_slice(&v.mask.to_le_bytes());
        for e in v.ends {
            out.extend_from_slice(&e.to_le_bytes());
        }
        out.extend_from_slice(&u32_of(v.text.len()).to_le_bytes());
        out.push(u8::from(v.disabled));
        out.push(v.kind);
    }
    for v in views {
        out.extend_from_slice(v.text.as_bytes());
    }
}

/// The rows' views and their order by name, read from a views section written by
/// [`views_section`] for the records whose ids are `ids` (in the mirror's order), with this
/// `type_property`. `None` when the section is of another version or another type property,
/// does not fit those records, or is damaged: the caller decodes the records instead. The order
/// is checked (every row once, sorted by name then id), so it is what the list's sort makes.
pub fn read_views_section(
    bytes: &[u8],
    ids: &[Id],
    type_property: &str,
) -> Option<(Vec<RowView>, Vec<usize>)> {
    let mut r = Reader(bytes);
    if r.u32()? != VIEWS_VERSION {
        return None;
    }
    let prop_len = r.u32()? as usize;
    if r.take(prop_len)? != type_property.as_bytes() {
        return None;
    }
    let n = usize::try_from(r.u64()?).ok()?;
    if n != ids.len() {
        return None;
    }
    let order_bytes = r.take(n.checked_mul(4)?)?;
    let fixed = r.take(n.checked_mul(FIXED)?)?;
    let mut text = r.0;
    let mut views = Vec::with_capacity(n);
    for (f, &id) in fixed.chunks_exact(FIXED).zip(ids) {
        let mut f = Reader(f);
        let mut v = RowView {
            id: f.u64()?,
            created: f.u64()? as i64,
            updated: f.u64()? as i64,
            mask: f.u64()?,
            ..RowView::default()
        };
        if v.id != id {
            return None;
        }
        for e in &mut v.ends {
            *e = f.u32()?;
        }
        let len = f.u32()? as usize;
        v.disabled = f.take(1)?[0] != 0;
        v.kind = f.take(1)?[0];
        let (mine, rest) = (text.get(..len)?, text.get(len..)?);
        text = rest;
        v.text = std::str::from_utf8(mine).ok()?.into();
        if v.ends.iter().any(|&e| e as usize > len) {
            return None;
        }
        views.push(v);
    }
    if !text.is_empty() {
        return None;
    }
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for b in order_bytes.chunks_exact(4) {
        let i = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if std::mem::replace(seen.get_mut(i)?, true) {
            return None;
        }
        order.push(i);
    }
    let sorted = order
        .windows(2)
        .all(|w| by_name(&views[w[0]], &views[w[1]]).is_lt());
    sorted.then_some((views, order))
}

/// Reads little-endian numbers and byte strings from the front of a slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        Some(u64::from_le_bytes(w))
    }
}

/// A search needle, prepared once per keystroke.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needle {
    pub text: String,
    /// The digits, when the needle looks like a phone number (digits, spaces, `+()-.`).
    pub digits: Option<String>,
    /// The bytes of `text` ([`text_mask`]), and whether the mask alone answers (one letter,
    /// digit or `@`: a row's mask has its bit exactly when its search text holds it).
    mask: u64,
    by_mask: bool,
}

impl Needle {
    pub fn new(raw: &str) -> Needle {
        let text = raw.trim().to_lowercase();
        let phone_like = text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-.".contains(c));
        let digits = phone_like.then(|| text.chars().filter(char::is_ascii_digit).collect());
        let mask = text_mask(&text);
        let by_mask = text.len() == 1 && own_bit(text.as_bytes()[0]);
        Needle {
            text,
            digits,
            mask,
            by_mask,
        }
    }

    /// Whether every row this needle matches was also matched by the needle `previous`, so
    /// only those rows need checking: the text grew at the end, and phone digits were already
    /// in use (three or more) and grew too, or are not in use now.
    pub fn narrows(&self, previous: &str) -> bool {
        if previous.contains('\u{0}') || !self.text.starts_with(previous) {
            return false;
        }
        match (&self.digits, Needle::new(previous).digits) {
            (None, _) => true,
            (Some(now), Some(before)) => before.len() >= 3 && now.starts_with(&before),
            (Some(_), None) => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Case-insensitive substring over the row's fields and its contacts; phone digits too.
    pub fn matches(&self, v: &RowView) -> bool {
        self.text.is_empty()
            || (v.mask & self.mask == self.mask
                && (self.by_mask || v.haystack().contains(&self.text)))
            || self
                .digits
                .as_deref()
                .is_some_and(|d| d.len() >= 3 && v.digits().contains(d))
    }
}

/// A phone number for display. Customer phones arrive as digits only: a US number of 10 digits
/// (or 11 starting with 1) is shown as `(555) 123-4567`; anything else is shown as it came.
/// The list, the detail, the forms and a copy (`y`) all show it this way; searches match the
/// digits, and a customer's phone is saved as its digits (what Syncro keeps).
pub fn phone_display(raw: &str) -> String {
    match phone_format(raw) {
        Some(f) => f,
        None => sanitize::line(raw.trim()),
    }
}

/// The US format of a phone number given as digits only, `None` for any other text (which
/// is shown as it is).
pub fn phone_format(raw: &str) -> Option<String> {
    let d = raw.trim();
    if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = match d.len() {
        10 => d,
        11 if d.starts_with('1') => &d[1..],
        _ => return None,
    };
    let prefix = if d.len() == 11 { "+1 " } else { "" };
    Some(format!("{prefix}({}) {}-{}", &n[..3], &n[3..6], &n[6..]))
}

/// A timestamp in the record's own offset, to the minute, with that offset (`UTC` or
/// `-05:00`): the app reads no clock or time zone, so the zone is said rather than implied.
pub fn time_display(t: Option<&Timestamp>) -> String {
    t.map(|t| {
        if t.offset().local_minus_utc() == 0 {
            t.format("%Y-%m-%d %H:%M UTC").to_string()
        } else {
            t.format("%Y-%m-%d %H:%M %:z").to_string()
        }
    })
    .unwrap_or_default()
}

fn date_display(t: Option<&Timestamp>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// One line of a record (Overview, a contact's record): label, display value, value to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLine {
    /// Empty on continuation lines of a multi-line value.
    pub label: String,
    pub value: String,
    /// Raw value (sanitised for the clipboard), shared by all lines of a multi-line value.
    pub copy: String,
}

fn push(lines: &mut Vec<FieldLine>, label: &str, raw: Option<&str>) {
    if let Some(v) = raw.filter(|v| !v.trim().is_empty()) {
        lines.push(FieldLine {
            label: label.to_string(),
            value: sanitize::line(v),
            copy: sanitize::plain(v),
        });
    }
}

fn push_shown(lines: &mut Vec<FieldLine>, label: &str, shown: String, copy: String) {
    if !shown.is_empty() {
        lines.push(FieldLine {
            label: label.to_string(),
            value: shown,
            copy,
        });
    }
}

fn push_multiline(lines: &mut Vec<FieldLine>, label: &str, raw: Option<&str>) {
    let Some(raw) = raw.filter(|v| !v.trim().is_empty()) else {
        return;
    };
    let copy = sanitize::plain(raw);
    for (i, l) in sanitize::text(raw.trim_end()).lines().enumerate() {
        lines.push(FieldLine {
            label: if i == 0 {
                label.to_string()
            } else {
                String::new()
            },
            value: l.to_string(),
            copy: copy.clone(),
        });
    }
}

fn push_phone(lines: &mut Vec<FieldLine>, label: &str, raw: Option<&str>) {
    if let Some(v) = raw.filter(|v| !v.trim().is_empty()) {
        // Copied as shown: one way to read a number everywhere.
        let shown = phone_display(v);
        push_shown(lines, label, shown.clone(), shown);
    }
}

fn push_properties(lines: &mut Vec<FieldLine>, props: &Properties, skip: &[&str]) {
    for (k, v) in props {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) if s.is_empty() => continue,
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        lines.push(FieldLine {
            label: sanitize::line(k),
            value: sanitize::line(&text),
            copy: sanitize::plain(&text),
        });
    }
}

/// "Springfield, IL 62701"
fn city_line(city: Option<&str>, state: Option<&str>, zip: Option<&str>) -> String {
    fn nz(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let region: Vec<&str> = [nz(state), nz(zip)].into_iter().flatten().collect();
    match (nz(city), region.is_empty()) {
        (Some(c), true) => c.to_string(),
        (Some(c), false) => format!("{c}, {}", region.join(" ")),
        (None, _) => region.join(" "),
    }
}

/// The Overview's label of the customer who referred this one (`ref_customer_id`).
pub const REFERRAL_LABEL: &str = "Referral";

/// A customer's detail, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerView {
    pub id: Id,
    pub name: String,
    pub disabled: bool,
    /// The Overview tab, one entry per screen line.
    pub fields: Vec<FieldLine>,
    pub contacts: Vec<ContactView>,
}

impl CustomerView {
    /// `type_property` is the custom property that holds the customer type.
    pub fn build(c: &Customer, type_property: &str) -> CustomerView {
        let mut f = Vec::new();
        let business = c.business_name.as_deref().filter(|b| !b.trim().is_empty());
        push(&mut f, "Business", business);
        push_shown(
            &mut f,
            "Person",
            sanitize::line(&c.person_name()),
            sanitize::plain(&c.person_name()),
        );
        let kind = c.property(type_property).filter(|t| !t.trim().is_empty());
        let kind = match (kind, business) {
            (Some(k), _) => k,
            (None, Some(_)) => "Business".into(),
            (None, None) => "Residential".into(),
        };
        push(&mut f, "Type", Some(&kind));
        // Who does what, from the contacts' roles ("Authorises work  Sandra Okafor").
        for role in ContactRole::ALL {
            let names: Vec<String> = c
                .contacts
                .iter()
                .filter_map(|ct| {
                    let t = Title::read(&ct.title().unwrap_or_default());
                    (t.has(role) && !t.retired).then(|| ct.name.clone().unwrap_or_default())
                })
                .filter(|n| !n.trim().is_empty())
                .collect();
            if !names.is_empty() {
                push(&mut f, role.name(), Some(&names.join(", ")));
            }
        }
        push(&mut f, "E-mail", c.email.as_deref());
        push_phone(&mut f, "Phone", c.phone.as_deref());
        push_phone(&mut f, "Mobile", c.mobile.as_deref());
        push(&mut f, "Address", c.address.as_deref());
        push(&mut f, "Address 2", c.address_2.as_deref());
        let cl = city_line(c.city.as_deref(), c.state.as_deref(), c.zip.as_deref());
        push(
            &mut f,
            if c.address.is_some() { "" } else { "City" },
            Some(&cl),
        );
        push(&mut f, "Referred by", c.referred_by.as_deref());
        // Named by `CustomerView::name_referrer` where the list holds the customer.
        if let Some(r) = c.ref_customer_id {
            push_shown(
                &mut f,
                REFERRAL_LABEL,
                format!("customer #{r} (not loaded)"),
                r.to_string(),
            );
        }
        if let Some(t) = c.tax_rate_id {
            push_shown(&mut f, "Tax rate", format!("#{t}"), t.to_string());
        }
        push_properties(&mut f, &c.properties, &[type_property]);
        push_multiline(&mut f, "Notes", c.notes.as_deref());
        push_shown(
            &mut f,
            "Status",
            if c.disabled { "disabled" } else { "active" }.into(),
            String::new(),
        );
        push_shown(
            &mut f,
            "Created",
            time_display(c.created_at.as_ref()),
            time_display(c.created_at.as_ref()),
        );
        push_shown(
            &mut f,
            "Updated",
            time_display(c.updated_at.as_ref()),
            time_display(c.updated_at.as_ref()),
        );
        push_shown(&mut f, "ID", c.id.to_string(), c.id.to_string());
        CustomerView {
            id: c.id,
            name: sanitize::line(&c.display_name()),
            disabled: c.disabled,
            fields: f,
            contacts: c.contacts.iter().map(ContactView::build).collect(),
        }
    }
}

impl CustomerView {
    /// Names the referring customer (`ref_customer_id`) on the Overview: "Acme Dental LLC
    /// (#21000001)". `name` is as the list shows it (sanitised already).
    pub fn name_referrer(&mut self, id: Id, name: &str) {
        if let Some(line) = self.fields.iter_mut().find(|l| l.label == REFERRAL_LABEL) {
            line.value = format!("{name} (#{id})");
            line.copy = sanitize::plain(name);
        }
    }
}

/// A contact: its table row and its full record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactView {
    pub name: String,
    /// The job title, without the roles and the marker of a contact who left.
    pub title: String,
    /// The roles, short (`DM, Bill`).
    pub roles: String,
    /// The contact has left the customer (retired).
    pub retired: bool,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    /// The full record, one entry per screen line.
    pub fields: Vec<FieldLine>,
}

/// Whether a contact's notes say the person left, as technicians note it in Syncro when
/// there is no archive flag: the retired marker, or "no longer with" / "left the company".
pub fn notes_say_left(notes: Option<&str>) -> bool {
    let Some(n) = notes.map(str::to_lowercase) else {
        return false;
    };
    let marker = crate::roles::retired_prefix().trim().to_lowercase();
    (!marker.is_empty() && n.contains(&marker))
        || ["no longer with", "left the company", "no longer works"]
            .iter()
            .any(|p| n.contains(p))
}

impl ContactView {
    pub fn build(c: &Contact) -> ContactView {
        let title = Title::read(&c.title().unwrap_or_default());
        let mut f = Vec::new();
        push(&mut f, "Name", c.name.as_deref());
        if title.retired {
            push_shown(
                &mut f,
                "Status",
                "left the customer (retired)".into(),
                String::new(),
            );
        } else if notes_say_left(c.notes.as_deref()) {
            push_shown(
                &mut f,
                "Status",
                "the notes say they left: L marks them as left".into(),
                String::new(),
            );
        }
        let roles = title.roles_text();
        push(
            &mut f,
            "Roles",
            Some(roles.as_str()).filter(|r| !r.is_empty()),
        );
        push(
            &mut f,
            "Title",
            Some(title.job.as_str()).filter(|j| !j.is_empty()),
        );
        push(&mut f, "E-mail", c.email.as_deref());
        // The extension stays with its phone (Syncro keeps it in a field of its own).
        let phone = c.phone.as_deref().map(|p| {
            crate::domain::phone_with_extension(&phone_display(p), c.extension.as_deref())
        });
        push_phone(&mut f, "Phone", phone.as_deref());
        if c.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
            push(&mut f, "Extension", c.extension.as_deref());
        }
        push_phone(&mut f, "Mobile", c.mobile.as_deref());
        push(&mut f, "Address", c.address1.as_deref());
        push(&mut f, "Address 2", c.address2.as_deref());
        let cl = city_line(c.city.as_deref(), c.state.as_deref(), c.zip.as_deref());
        push(
            &mut f,
            if c.address1.is_some() { "" } else { "City" },
            Some(&cl),
        );
        push_properties(&mut f, &c.properties, &["title"]);
        push(
            &mut f,
            "Ticket e-mails",
            c.ticket_matching_emails.as_deref(),
        );
        push_multiline(&mut f, "Notes", c.notes.as_deref());
        if c.opt_out == Some(true) {
            push_shown(
                &mut f,
                "Opt out",
                "yes: no marketing e-mail".into(),
                "yes".into(),
            );
        }
        push_shown(
            &mut f,
            "Created",
            time_display(c.created_at.as_ref()),
            time_display(c.created_at.as_ref()),
        );
        push_shown(
            &mut f,
            "Updated",
            time_display(c.updated_at.as_ref()),
            time_display(c.updated_at.as_ref()),
        );
        push_shown(&mut f, "ID", c.id.to_string(), c.id.to_string());
        let short: Vec<&str> = title.roles.iter().map(|r| r.short()).collect();
        ContactView {
            name: sanitize::line(c.name.as_deref().unwrap_or("")),
            title: sanitize::line(&title.job),
            roles: short.join(", "),
            retired: title.retired,
            email: sanitize::line(c.email.as_deref().unwrap_or("")),
            phone: c
                .phone
                .as_deref()
                .map(|p| {
                    crate::domain::phone_with_extension(&phone_display(p), c.extension.as_deref())
                })
                .unwrap_or_default(),
            mobile: c.mobile.as_deref().map(phone_display).unwrap_or_default(),
            fields: f,
        }
    }
}

/// A ticket row (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub number: String,
    pub subject: String,
    pub status: String,
    pub created: String,
    pub updated: String,
    created_ms: i64,
}

impl TicketRow {
    /// Rows sorted newest first.
    pub fn build_all(tickets: &[Ticket]) -> Vec<TicketRow> {
        let mut rows: Vec<TicketRow> = tickets
            .iter()
            .map(|t| TicketRow {
                number: sanitize::line(t.number.as_deref().unwrap_or("")),
                subject: sanitize::line(t.subject.as_deref().unwrap_or("")),
                status: sanitize::line(t.status.as_deref().unwrap_or("")),
                created: date_display(t.created_at.as_ref()),
                updated: date_display(t.updated_at.as_ref()),
                created_ms: t.created_at.map_or(i64::MIN, |c| c.timestamp_millis()),
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.created_ms));
        rows
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub name: String,
    pub kind: String,
    pub serial: String,
}

impl AssetRow {
    pub fn build(a: &Asset) -> AssetRow {
        AssetRow {
            name: sanitize::line(a.name.as_deref().unwrap_or("")),
            kind: sanitize::line(a.asset_type.as_deref().unwrap_or("")),
            serial: sanitize::line(a.asset_serial.as_deref().unwrap_or("")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    pub number: String,
    pub date: String,
    pub total: String,
    pub paid: String,
    pub(crate) date_ms: i64,
}

impl InvoiceRow {
    pub fn build(i: &Invoice) -> InvoiceRow {
        let date = i.date.as_ref().or(i.created_at.as_ref());
        InvoiceRow {
            number: sanitize::line(i.number.as_deref().unwrap_or("")),
            date: date_display(date),
            total: sanitize::line(i.total.as_deref().unwrap_or("")),
            paid: match i.is_paid {
                Some(true) => "paid".into(),
                Some(false) => "unpaid".into(),
                None => String::new(),
            },
            date_ms: date.map_or(i64::MIN, |d| d.timestamp_millis()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_whose_notes_say_they_left_is_flagged_on_the_card_until_retired() {
        let status = |title: &str, notes: &str| {
            let c: Contact = serde_json::from_value(serde_json::json!({
                "id": 1, "name": "Janet Moore", "notes": notes, "properties": {"title": title}
            }))
            .unwrap();
            ContactView::build(&c)
                .fields
                .iter()
                .find(|f| f.label == "Status")
                .map(|f| f.value.clone())
        };
        assert!(
            status("Teacher", "(left) Retired in June")
                .unwrap()
                .contains("L marks")
        );
        assert!(status("Teacher", "She is no longer with the school").is_some());
        assert_eq!(status("Teacher", "Prefers e-mail"), None);
        assert!(
            status("(left) Teacher", "(left) Retired")
                .unwrap()
                .contains("retired")
        );
    }

    #[test]
    fn us_phone_numbers_are_formatted_others_kept() {
        assert_eq!(phone_display("5551234567"), "(555) 123-4567");
        assert_eq!(phone_display("15551234567"), "+1 (555) 123-4567");
        assert_eq!(phone_display("4930123456"), "(493) 012-3456");
        assert_eq!(phone_display("493012345678"), "493012345678");
        assert_eq!(phone_display("657.325.3258 x330"), "657.325.3258 x330");
        assert_eq!(phone_display(""), "");
    }

    /// The needle's byte filter changes no answer: over the demo account, every needle (each
    /// letter and digit, which the filter answers alone, and longer or non-Latin ones) matches
    /// exactly the rows a plain substring search over the row's texts matches.
    #[test]
    fn the_byte_filter_matches_exactly_what_a_plain_substring_search_does() {
        let customers = crate::app::panes::tests::demo_customers(1_000);
        let views: Vec<RowView> = customers
            .iter()
            .map(|c| RowView::build(c, "Customer Type"))
            .collect();
        let mut needles: Vec<String> = ('a'..='z').chain('0'..='9').map(String::from).collect();
        needles.extend(
            [
                "S",
                "@",
                ".",
                "-",
                "&",
                "'",
                "+",
                "_",
                "ν",
                "Ν",
                "ö",
                "é",
                "東",
                "smith",
                "@outlook",
                "jonsn",
                "813 555",
                "(813) 555",
                "8135559",
                "νίκος",
                "o'",
                "xq",
                "zz",
            ]
            .map(String::from),
        );
        // Words and phone digits from the data itself.
        for v in views.iter().step_by(97) {
            needles.extend(v.name_key().split(' ').next().map(String::from));
            needles.extend(v.digits().get(3..9).map(String::from));
        }
        let plain = |n: &Needle, v: &RowView| {
            n.text.is_empty()
                || v.haystack().contains(&n.text)
                || n.digits
                    .as_deref()
                    .is_some_and(|d| d.len() >= 3 && v.digits().contains(d))
        };
        let mut matched = 0;
        for raw in &needles {
            let n = Needle::new(raw);
            for v in &views {
                let expected = plain(&n, v);
                assert_eq!(n.matches(v), expected, "{raw:?} on {:?}", v.name());
                matched += usize::from(expected);
            }
        }
        assert!(matched > 10_000, "the needles match rows: {matched}");
        // The masks are kept in the mirror file's views section and read back as they were.
        let ids: Vec<Id> = views.iter().map(|v| v.id).collect();
        let section = encode_views(&views, "Customer Type");
        let (back, _) = read_views_section(&section, &ids, "Customer Type").unwrap();
        assert!(
            back.iter()
                .zip(&views)
                .all(|(a, b)| a.mask == b.mask && a == b)
        );
    }

    #[test]
    fn needle_matches_fields_contacts_and_phone_digits() {
        let c = Customer {
            business_name: Some("Acme Plumbing".into()),
            firstname: Some("Jane".into()),
            lastname: Some("Doe".into()),
            email: Some("office@acme.test".into()),
            phone: Some("5551234567".into()),
            city: Some("Springfield".into()),
            contacts: vec![Contact {
                name: Some("Bob Builder".into()),
                email: Some("bob@builders.test".into()),
                ..Contact::default()
            }],
            ..Customer::default()
        };
        let v = RowView::build(&c, "Customer Type");
        for hit in [
            "acme",
            "PLUMB",
            "jane doe",
            "office@",
            "springf",
            "bob@builders",
            "builder",
            "555 123",
            "(555) 123-4567",
            "1234567",
        ] {
            assert!(Needle::new(hit).matches(&v), "{hit}");
        }
        for miss in ["zebra", "999", "acme plumbing jane"] {
            assert!(!Needle::new(miss).matches(&v), "{miss}");
        }
    }

    /// The packed row gives back each field as it was built separately.
    #[test]
    fn packed_row_parts_read_back_unchanged() {
        let c = Customer {
            id: 7,
            business_name: Some("Évil\x1b]0;owned\x07 Ltd 東京\u{202E}".into()),
            firstname: Some("Zoë".into()),
            lastname: Some("Ångström 🍣".into()),
            email: Some("ZOE@Example.TEST".into()),
            mobile: Some("15551234567".into()),
            city: Some("Ålesund\nNorth".into()),
            contacts: vec![
                Contact {
                    name: Some("Bob\u{1}Builder".into()),
                    phone: Some("+1 (555) 765-4321".into()),
                    ..Contact::default()
                },
                Contact::default(),
            ],
            ..Customer::default()
        };
        let v = RowView::build(&c, "Customer Type");
        let name = sanitize::line(&c.display_name());
        assert_eq!(v.name(), name);
        assert_eq!(v.person(), "Zoë Ångström 🍣");
        assert_eq!(v.email(), "ZOE@Example.TEST");
        assert_eq!(v.phone(), "+1 (555) 123-4567");
        assert_eq!(v.city(), sanitize::line("Ålesund\nNorth"));
        assert_eq!(v.name_key(), name.to_lowercase());
        assert_eq!(v.city_key(), v.city().to_lowercase());
        let contact = sanitize::line("Bob\u{1}Builder").to_lowercase();
        assert_eq!(
            v.haystack(),
            format!(
                "{}\u{1}zoë ångström 🍣\u{1}zoe@example.test\u{1}{}\u{1}{contact}\u{1}",
                v.name_key(),
                v.city_key()
            )
        );
        assert_eq!(v.digits(), "15551234567\u{1}15557654321\u{1}");
        assert_eq!((v.id, v.disabled), (7, false));

        // Nothing at all: every part empty but the separators.
        let empty = RowView::build(&Customer::default(), "Customer Type");
        assert_eq!(
            [empty.name(), empty.person(), empty.email(), empty.phone()],
            ["", "", "", ""]
        );
        assert_eq!(
            (empty.city(), empty.name_key(), empty.city_key()),
            ("", "", "")
        );
        assert_eq!(empty.haystack(), "\u{1}\u{1}\u{1}\u{1}");
        assert_eq!(empty.digits(), "");
        let default = RowView::default();
        assert_eq!(
            (default.name(), default.haystack(), default.digits()),
            ("", "", "")
        );
    }

    #[test]
    fn narrowing_is_only_claimed_when_it_is_safe() {
        assert!(Needle::new("acme").narrows("acm"));
        assert!(Needle::new("acm").narrows(""));
        assert!(!Needle::new("acne").narrows("acm"));
        assert!(Needle::new("555 0042").narrows("555 004"));
        assert!(Needle::new("555 004x").narrows("555 004"));
        // "55" matched names only; "555" also matches phone digits: not a narrowing.
        assert!(!Needle::new("555").narrows("55"));
        assert!(!Needle::new("a").narrows("\u{0}"));
    }

    #[test]
    fn views_are_sanitised() {
        let c = Customer {
            business_name: Some("Evil\x1b]0;owned\x07 Corp\u{202E}".into()),
            notes: Some("line one\nline\u{200B} two".into()),
            ..Customer::default()
        };
        let v = CustomerView::build(&c, "Customer Type");
        assert_eq!(v.name, "Evil␛]0;owned␇ Corp");
        let notes: Vec<&str> = v
            .fields
            .iter()
            .skip_while(|f| f.label != "Notes")
            .take(2)
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(notes, ["line one", "line two"]);
        assert!(v.fields.iter().all(|f| !f.value.contains('\x1b')));
    }
}
