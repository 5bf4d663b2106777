//! The lookup index: a file beside the mirror (`mirror-<profile>.bin.idx`) that finds the
//! records holding a number, an e-mail address or a name word without reading the mirror's
//! body. `syncro-tui lookup` reads its header, binary-searches the tables it needs with
//! positioned reads, and then reads and decodes only the few records found (see
//! `crate::lookup::indexed`, which ranks them as every other lookup does).
//!
//! # A file of its own
//! The index is derived data, written after the mirror under the mirror's lock by every save
//! ([`crate::mirror::store::save_with_views`], [`crate::mirror::store::save_merged_with_views`]),
//! atomically (temporary file, fsync, rename). It is a file of its own rather than a section
//! of the mirror so that the mirror's format, and what the app's start reads of it, do not
//! change (an older syncro-tui still reads the mirror; the start reads the same bytes as
//! before). Its header holds a copy of the mirror's header (format, body length, body
//! checksum) and the mirror file's length: an index of another mirror (a save killed between
//! the two renames, a mirror written by an older version) does not match and is not used; the
//! lookup then scans the mirror as before. Each record's checksum is kept too, and a record is
//! decoded only when its bytes match it.
//!
//! # File format (little endian)
//! ```text
//! magic "SYNCLIDX" | index version u32 | the mirror's header (24 bytes) | mirror length u64
//! | record count u32
//! | phones (offset u64, count u64) | e-mails (offset, count) | words (offset, count)
//! | word heap (offset, length) | postings (offset, count) | records (offset, count)
//! | base URL length u32 | CRC-32 of everything before it and of the base URL u32 | base URL
//! phones:   (key [u8; 8], record u32), sorted: the digits of a number up to its extension,
//!           the last 7 (or all, when fewer) reversed and padded with zero bytes
//! e-mails:  (key u64, record u32), sorted: FNV-1a of "e" + the address (trimmed, lowercase)
//!           and of "d" + its domain
//! words:    (heap offset u32, length u32, first posting u32, postings u32), sorted by the
//!           word: each word of the folded names (customer's name and person, contacts')
//! postings: record u32, in the words' order (a range of words has one range of postings)
//! records:  (offset in the mirror file u64, length u32, CRC-32 u32) per record, in order
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use super::format;
use super::text::{fold_into, phone_digits_into};
use crate::api::model::Customer;

const MAGIC: &[u8; 8] = b"SYNCLIDX";
const MIRROR_MAGIC: &[u8; 8] = b"SYNCMIRR";
/// Version of the index file; another is not read (the lookup scans instead).
const INDEX_VERSION: u32 = 1;
/// The mirror file's header: magic, version, body length, body checksum.
const MIRROR_HEADER_LEN: usize = 8 + 4 + 8 + 4;
/// Bytes of the fixed header, before the base URL.
const FIXED_LEN: usize = 8 + 4 + MIRROR_HEADER_LEN + 8 + 4 + 6 * 16 + 4 + 4;
/// Digits of a number kept in its key.
pub const PHONE_KEY_DIGITS: usize = 7;

const PHONE_ENTRY: u64 = 12;
const EMAIL_ENTRY: u64 = 12;
const WORD_ENTRY: u64 = 16;
const RECORD_ENTRY: u64 = 16;

/// Path of the index of the mirror file at `mirror`: the same name with `.idx` added. (Its
/// write's temporary files then start like the mirror's own and are cleaned up with them.)
pub fn index_path(mirror: &Path) -> PathBuf {
    let mut name = mirror.file_name().unwrap_or_default().to_os_string();
    name.push(".idx");
    mirror.with_file_name(name)
}

/// The key of a number's digits (up to its extension): the last [`PHONE_KEY_DIGITS`] of
/// them reversed, so that the numbers ending with some digits are one range of keys.
pub fn phone_key(digits: &[u8]) -> [u8; 8] {
    let mut key = [0u8; 8];
    for (k, d) in key
        .iter_mut()
        .zip(digits.iter().rev().take(PHONE_KEY_DIGITS))
    {
        *k = *d;
    }
    key
}

/// 64-bit FNV-1a of a tag byte and `text` (stable across builds: the keys are on disk).
fn fnv(tag: u8, text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&tag).chain(text.as_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The key of an e-mail address, trimmed and lowercase.
pub fn email_key(address: &str) -> u64 {
    fnv(b'e', address)
}

/// The key of an e-mail domain (what follows the last `@`), lowercase.
pub fn domain_key(domain: &str) -> u64 {
    fnv(b'd', domain)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// What one record puts in the index: its numbers' keys, its e-mail keys, and its names
/// folded (each followed by a space).
fn keys_of(c: &Customer, phones: &mut Vec<[u8; 8]>, emails: &mut Vec<u64>, names: &mut String) {
    let mut digits = String::new();
    let mut phone = |v: &Option<String>| {
        digits.clear();
        phone_digits_into(v.as_deref().unwrap_or(""), &mut digits);
        if !digits.is_empty() {
            phones.push(phone_key(digits.as_bytes()));
        }
    };
    phone(&c.phone);
    phone(&c.mobile);
    for k in &c.contacts {
        phone(&k.phone);
        phone(&k.mobile);
    }
    let mut email = |v: &Option<String>| {
        let s = v.as_deref().unwrap_or("").trim().to_lowercase();
        if s.is_empty() {
            return;
        }
        emails.push(email_key(&s));
        if let Some((_, d)) = s.rsplit_once('@')
            && !d.is_empty()
        {
            emails.push(domain_key(d));
        }
    };
    email(&c.email);
    for k in &c.contacts {
        email(&k.email);
    }
    let mut name = |n: &str| {
        fold_into(n, names);
        names.push(' ');
    };
    name(&c.display_name());
    name(&c.person_name());
    for k in &c.contacts {
        name(k.name.as_deref().unwrap_or(""));
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The index of a mirror file (all its bytes, as just written). `None` when the bytes are not
/// a mirror file whose records all decode, or the index would not fit its 32-bit fields.
pub fn build(file: &[u8]) -> Option<Vec<u8>> {
    let header = file.get(..MIRROR_HEADER_LEN)?;
    let body_len = usize::try_from(u64::from_le_bytes(header[12..20].try_into().ok()?)).ok()?;
    let body = file.get(MIRROR_HEADER_LEN..MIRROR_HEADER_LEN.checked_add(body_len)?)?;
    let (base_url, spans) = format::body_layout(body)?;
    let count = u32::try_from(spans.len()).ok()?;

    let mut phones: Vec<([u8; 8], u32)> = Vec::new();
    let mut emails: Vec<(u64, u32)> = Vec::new();
    let mut words: std::collections::HashMap<String, Vec<u32>> = Default::default();
    let mut records: Vec<u8> = Vec::with_capacity(spans.len() * RECORD_ENTRY as usize);
    let (mut p, mut e, mut w) = (Vec::new(), Vec::new(), String::new());
    for (ordinal, &(start, end)) in (0u32..).zip(&spans) {
        let bytes = &body[start..end];
        let c = format::decode_customer(bytes).ok()?;
        p.clear();
        e.clear();
        w.clear();
        keys_of(&c, &mut p, &mut e, &mut w);
        p.sort_unstable();
        p.dedup();
        e.sort_unstable();
        e.dedup();
        phones.extend(p.iter().map(|&k| (k, ordinal)));
        emails.extend(e.iter().map(|&k| (k, ordinal)));
        let mut ws: Vec<&str> = w.split(' ').filter(|w| !w.is_empty()).collect();
        ws.sort_unstable();
        ws.dedup();
        for word in ws {
            match words.get_mut(word) {
                Some(p) => p.push(ordinal),
                None => {
                    words.insert(word.to_string(), vec![ordinal]);
                }
            }
        }
        put_u64(&mut records, (MIRROR_HEADER_LEN + start) as u64);
        put_u32(&mut records, u32::try_from(end - start).ok()?);
        put_u32(&mut records, crc32fast::hash(bytes));
    }
    phones.sort_unstable();
    emails.sort_unstable();
    let mut words: Vec<(String, Vec<u32>)> = words.into_iter().collect();
    words.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let phones_at = (FIXED_LEN + base_url.len()) as u64;
    let emails_at = phones_at + PHONE_ENTRY * phones.len() as u64;
    let words_at = emails_at + EMAIL_ENTRY * emails.len() as u64;
    let heap_len: u64 = words.iter().map(|(k, _)| k.len() as u64).sum();
    let heap_at = words_at + WORD_ENTRY * words.len() as u64;
    let postings_count: u64 = words.iter().map(|(_, p)| p.len() as u64).sum();
    let postings_at = heap_at + heap_len;
    let records_at = postings_at + 4 * postings_count;
    let total = records_at + RECORD_ENTRY * u64::from(count);
    u32::try_from(heap_len.max(postings_count)).ok()?;

    let mut out = Vec::with_capacity(usize::try_from(total).ok()?);
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, INDEX_VERSION);
    out.extend_from_slice(header);
    put_u64(&mut out, file.len() as u64);
    put_u32(&mut out, count);
    for (at, n) in [
        (phones_at, phones.len() as u64),
        (emails_at, emails.len() as u64),
        (words_at, words.len() as u64),
        (heap_at, heap_len),
        (postings_at, postings_count),
        (records_at, u64::from(count)),
    ] {
        put_u64(&mut out, at);
        put_u64(&mut out, n);
    }
    put_u32(&mut out, u32::try_from(base_url.len()).ok()?);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&out);
    crc.update(base_url.as_bytes());
    put_u32(&mut out, crc.finalize());
    out.extend_from_slice(base_url.as_bytes());
    for (k, r) in &phones {
        out.extend_from_slice(k);
        put_u32(&mut out, *r);
    }
    for (k, r) in &emails {
        put_u64(&mut out, *k);
        put_u32(&mut out, *r);
    }
    let (mut heap_off, mut post_off) = (0u32, 0u32);
    for (k, p) in &words {
        let (klen, plen) = (k.len() as u32, p.len() as u32);
        for v in [heap_off, klen, post_off, plen] {
            put_u32(&mut out, v);
        }
        heap_off += klen;
        post_off += plen;
    }
    for (k, _) in &words {
        out.extend_from_slice(k.as_bytes());
    }
    for (_, p) in &words {
        for r in p {
            put_u32(&mut out, *r);
        }
    }
    out.extend_from_slice(&records);
    (out.len() as u64 == total).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Fills `buf` from `file` at `offset`.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> Option<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset).ok()
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(offset)).ok()?;
        f.read_exact(buf).ok()
    }
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[i..i + 4]);
    u32::from_le_bytes(w)
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(w)
}

/// A table of the index file: where it starts and how many entries (bytes, for the heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Table {
    at: u64,
    count: u64,
}

/// First index in `0..n` for which `before` is false (`before` is true, then false).
fn partition_point(n: u64, mut before: impl FnMut(u64) -> Option<bool>) -> Option<u64> {
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid)? {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// The index of a mirror file and the mirror file itself, both open: reads go to these two
/// files as they were when opened, even if a save renames new ones over them meanwhile.
#[derive(Debug)]
pub struct LookupIndex {
    index: File,
    mirror: File,
    /// The server the mirror was filled from.
    pub base_url: String,
    records: u32,
    phones: Table,
    emails: Table,
    words: Table,
    heap: Table,
    postings: Table,
    record_table: Table,
}

impl LookupIndex {
    /// Opens the mirror file at `mirror` and its index; `None` when the index is missing, of
    /// another version, damaged in its header, or not of this mirror file (then the mirror is
    /// to be scanned).
    pub fn open(mirror: &Path) -> Option<LookupIndex> {
        let mfile = File::open(mirror).ok()?;
        let mirror_len = mfile.metadata().ok()?.len();
        let mut mhead = [0u8; MIRROR_HEADER_LEN];
        read_at(&mfile, &mut mhead, 0)?;
        let index = File::open(index_path(mirror)).ok()?;
        let index_len = index.metadata().ok()?.len();
        let mut h = [0u8; FIXED_LEN];
        read_at(&index, &mut h, 0)?;
        // The records are decoded here as this version encodes them: a mirror of another
        // format (which the full load would refuse or convert) is not read through the index.
        if &h[..8] != MAGIC
            || u32_at(&h, 8) != INDEX_VERSION
            || &mhead[..8] != MIRROR_MAGIC
            || u32_at(&mhead, 8) != super::FORMAT_VERSION
            || h[12..12 + MIRROR_HEADER_LEN] != mhead
            || u64_at(&h, 36) != mirror_len
        {
            return None;
        }
        let records = u32_at(&h, 44);
        let table = |i: usize| Table {
            at: u64_at(&h, 48 + 16 * i),
            count: u64_at(&h, 56 + 16 * i),
        };
        let url_len = u32_at(&h, FIXED_LEN - 8) as usize;
        let mut url = vec![0u8; url_len];
        read_at(&index, &mut url, FIXED_LEN as u64)?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&h[..FIXED_LEN - 4]);
        crc.update(&url);
        if crc.finalize() != u32_at(&h, FIXED_LEN - 4) {
            return None;
        }
        let ix = LookupIndex {
            index,
            mirror: mfile,
            base_url: String::from_utf8(url).ok()?,
            records,
            phones: table(0),
            emails: table(1),
            words: table(2),
            heap: table(3),
            postings: table(4),
            record_table: table(5),
        };
        let fits = [
            (ix.phones, PHONE_ENTRY),
            (ix.emails, EMAIL_ENTRY),
            (ix.words, WORD_ENTRY),
            (ix.heap, 1),
            (ix.postings, 4),
            (ix.record_table, RECORD_ENTRY),
        ]
        .iter()
        .all(|(t, size)| {
            t.count
                .checked_mul(*size)
                .and_then(|n| n.checked_add(t.at))
                .is_some_and(|end| end <= index_len)
        });
        (fits && ix.record_table.count == u64::from(records)).then_some(ix)
    }

    /// Number of records (customers) in the mirror.
    pub fn len(&self) -> usize {
        self.records as usize
    }

    /// True when the mirror holds no customer.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    fn read(&self, at: u64, len: u64) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; usize::try_from(len).ok()?];
        read_at(&self.index, &mut buf, at)?;
        Some(buf)
    }

    /// Entries `lo..hi` of a table of `(key, record u32)` entries of `size` bytes: their
    /// records, sorted, each once. `None` when there are more than `max`.
    fn records_of(&self, t: Table, size: u64, lo: u64, hi: u64, max: usize) -> Option<Vec<u32>> {
        if hi.saturating_sub(lo) > max as u64 {
            return None;
        }
        let bytes = self.read(t.at + lo * size, (hi - lo) * size)?;
        let mut out: Vec<u32> = bytes
            .chunks_exact(size as usize)
            .map(|e| u32_at(e, e.len() - 4))
            .collect();
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// The records with a number whose key ([`phone_key`]) starts with `prefix` (the reversed
    /// last digits of a query, at most 7); `None` when there are more than `max` entries or
    /// the index cannot be read.
    pub fn phone_records(&self, prefix: &[u8], max: usize) -> Option<Vec<u32>> {
        let t = self.phones;
        let n = prefix.len().min(8);
        let key = |i: u64| -> Option<[u8; 8]> {
            let b = self.read(t.at + i * PHONE_ENTRY, 8)?;
            b.try_into().ok()
        };
        let lo = partition_point(t.count, |i| Some(key(i)?[..n] < prefix[..n]))?;
        let hi = lo + partition_point(t.count - lo, |i| Some(key(lo + i)?[..n] <= prefix[..n]))?;
        self.records_of(t, PHONE_ENTRY, lo, hi, max)
    }

    /// The records with an e-mail key ([`email_key`], [`domain_key`]) equal to `key`.
    pub fn email_records(&self, key: u64, max: usize) -> Option<Vec<u32>> {
        let t = self.emails;
        let k = |i: u64| Some(u64_at(&self.read(t.at + i * EMAIL_ENTRY, 8)?, 0));
        let lo = partition_point(t.count, |i| Some(k(i)? < key))?;
        let hi = lo + partition_point(t.count - lo, |i| Some(k(lo + i)? <= key))?;
        self.records_of(t, EMAIL_ENTRY, lo, hi, max)
    }

    /// Word entry `i`: (heap offset, length, first posting, postings).
    fn word_entry(&self, i: u64) -> Option<[u32; 4]> {
        let b = self.read(self.words.at + i * WORD_ENTRY, WORD_ENTRY)?;
        Some([u32_at(&b, 0), u32_at(&b, 4), u32_at(&b, 8), u32_at(&b, 12)])
    }

    fn word(&self, i: u64) -> Option<Vec<u8>> {
        let [off, len, _, _] = self.word_entry(i)?;
        if u64::from(off) + u64::from(len) > self.heap.count {
            return None;
        }
        self.read(self.heap.at + u64::from(off), u64::from(len))
    }

    /// The records with a name word equal to `word` (or, with `prefix`, starting with it);
    /// `None` when they are more than `max` (counted with repeats across words) or the index
    /// cannot be read.
    pub fn word_records(&self, word: &str, prefix: bool, max: usize) -> Option<Vec<u32>> {
        let t = self.words;
        let q = word.as_bytes();
        let cut = |w: Vec<u8>| -> Vec<u8> {
            if prefix {
                w.into_iter().take(q.len()).collect()
            } else {
                w
            }
        };
        let lo = partition_point(t.count, |i| Some(cut(self.word(i)?).as_slice() < q))?;
        let hi = lo
            + partition_point(t.count - lo, |i| {
                Some(cut(self.word(lo + i)?).as_slice() <= q)
            })?;
        if lo == hi {
            return Some(Vec::new());
        }
        let [_, _, first, _] = self.word_entry(lo)?;
        let [_, _, last, last_len] = self.word_entry(hi - 1)?;
        let (from, to) = (u64::from(first), u64::from(last) + u64::from(last_len));
        if to < from || to - from > max as u64 || to > self.postings.count {
            return None;
        }
        let bytes = self.read(self.postings.at + 4 * from, 4 * (to - from))?;
        let mut out: Vec<u32> = bytes.chunks_exact(4).map(|e| u32_at(e, 0)).collect();
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// Record `ordinal` of the mirror, decoded; `None` when its bytes do not match the
    /// checksum the index keeps or do not decode (a damaged file: the caller scans instead).
    pub fn customer(&self, ordinal: u32) -> Option<Customer> {
        if ordinal >= self.records {
            return None;
        }
        let e = self.read(
            self.record_table.at + u64::from(ordinal) * RECORD_ENTRY,
            RECORD_ENTRY,
        )?;
        let (at, len, crc) = (u64_at(&e, 0), u32_at(&e, 8), u32_at(&e, 12));
        let mut bytes = vec![0u8; len as usize];
        read_at(&self.mirror, &mut bytes, at)?;
        if crc32fast::hash(&bytes) != crc {
            return None;
        }
        format::decode_customer(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::Mirror;
    use serde_json::json;

    fn sample() -> Mirror {
        let mut m = Mirror::new("https://acme.syncromsp.com/api/v1");
        for (id, name, phone, email) in [
            (
                1,
                "Acme Dental LLC",
                "(503) 555-0142",
                "Office@AcmeDental.com",
            ),
            (2, "Beta Books", "555-0142 x7", "beta@gmail.com"),
            (3, "Acme Roofing", "0142", "roof@acmeroofing.example"),
        ] {
            let c: Customer = serde_json::from_value(json!({
                "id": id, "business_name": name, "phone": phone, "email": email,
                "contacts": [{"id": id * 10, "customer_id": id, "name": "Zoë Ångström",
                              "mobile": "+1 971 867 5309", "email": "zoe@acmedental.com"}],
            }))
            .unwrap();
            m.put_customer(c);
        }
        m
    }

    fn saved(m: &Mirror) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mirror-p.bin");
        let bytes = m.to_bytes_with_views(Some(b"views"));
        std::fs::write(&path, &bytes).unwrap();
        std::fs::write(index_path(&path), build(&bytes).unwrap()).unwrap();
        (dir, path)
    }

    fn key(digits: &str) -> Vec<u8> {
        digits.bytes().rev().take(PHONE_KEY_DIGITS).collect()
    }

    #[test]
    fn tables_find_their_records() {
        let m = sample();
        let (_dir, path) = saved(&m);
        let ix = LookupIndex::open(&path).unwrap();
        assert_eq!(ix.len(), 3);
        assert_eq!(ix.base_url, m.base_url);
        // Last digits: the number's digits up to the extension.
        assert_eq!(ix.phone_records(&key("5550142"), 100).unwrap(), [0, 1]);
        assert_eq!(ix.phone_records(&key("0142"), 100).unwrap(), [0, 1, 2]);
        assert_eq!(ix.phone_records(&key("15035550142"), 100).unwrap(), [0, 1]);
        assert_eq!(ix.phone_records(&key("8675309"), 100).unwrap(), [0, 1, 2]);
        assert_eq!(ix.phone_records(&key("9999999"), 100).unwrap(), [0u32; 0]);
        assert_eq!(ix.phone_records(&key("0142"), 2), None, "too many");
        // E-mail addresses in any case, and domains.
        assert_eq!(
            ix.email_records(email_key("office@acmedental.com"), 100)
                .unwrap(),
            [0]
        );
        assert_eq!(
            ix.email_records(domain_key("acmedental.com"), 100).unwrap(),
            [0, 1, 2]
        );
        assert_eq!(ix.email_records(email_key("x@y"), 100).unwrap(), [0u32; 0]);
        // Name words, folded, whole or as a prefix.
        assert_eq!(ix.word_records("acme", false, 100).unwrap(), [0, 2]);
        assert_eq!(ix.word_records("ac", true, 100).unwrap(), [0, 2]);
        assert_eq!(ix.word_records("ac", false, 100).unwrap(), [0u32; 0]);
        assert_eq!(ix.word_records("angstrom", false, 100).unwrap(), [0, 1, 2]);
        assert_eq!(ix.word_records("b", true, 100).unwrap(), [1]);
        assert_eq!(ix.word_records("zz", true, 100).unwrap(), [0u32; 0]);
        assert_eq!(ix.word_records("a", true, 3), None, "too many");
        // Records come back decoded.
        let ids: Vec<u64> = (0..3).map(|i| ix.customer(i).unwrap().id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert!(ix.customer(3).is_none());
    }

    #[test]
    fn an_index_of_another_file_is_not_used() {
        let m = sample();
        let (_dir, path) = saved(&m);
        assert!(LookupIndex::open(&path).is_some());
        // The mirror written again without its index: the index no longer fits.
        let mut other = m.clone();
        other.remove_customer(2);
        std::fs::write(&path, other.to_bytes_with_views(Some(b"views"))).unwrap();
        assert!(LookupIndex::open(&path).is_none());
        // The same body with other views after it: another file length.
        std::fs::write(&path, m.to_bytes_with_views(Some(b"other views"))).unwrap();
        assert!(LookupIndex::open(&path).is_none());
        // A mirror of another format, even with an index built of it.
        let mut v3 = m.to_bytes();
        v3[8..12].copy_from_slice(&3u32.to_le_bytes());
        std::fs::write(&path, &v3).unwrap();
        std::fs::write(index_path(&path), build(&v3).unwrap()).unwrap();
        assert!(LookupIndex::open(&path).is_none());
        // A damaged header, a missing index.
        let (_dir, path) = saved(&m);
        let idx = index_path(&path);
        let mut bytes = std::fs::read(&idx).unwrap();
        bytes[FIXED_LEN] ^= 1;
        std::fs::write(&idx, &bytes).unwrap();
        assert!(LookupIndex::open(&path).is_none());
        std::fs::remove_file(&idx).unwrap();
        assert!(LookupIndex::open(&path).is_none());
    }

    #[test]
    fn a_damaged_record_is_not_decoded() {
        let m = sample();
        let (_dir, path) = saved(&m);
        let ix = LookupIndex::open(&path).unwrap();
        let e = ix
            .read(ix.record_table.at + RECORD_ENTRY, RECORD_ENTRY)
            .unwrap();
        let at = u64_at(&e, 0) as usize;
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[at + 3] ^= 0x55;
        // Written in place (same length, same header): the index still opens ...
        std::fs::write(&path, &bytes).unwrap();
        let ix = LookupIndex::open(&path).unwrap();
        // ... but the record no longer matches its checksum.
        assert!(ix.customer(1).is_none());
        assert!(ix.customer(0).is_some());
    }

    #[test]
    fn not_a_mirror_has_no_index() {
        assert!(build(b"").is_none());
        assert!(build(b"SYNCMIRR but not one").is_none());
        let empty = Mirror::new("x").to_bytes();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        std::fs::write(&path, &empty).unwrap();
        std::fs::write(index_path(&path), build(&empty).unwrap()).unwrap();
        let ix = LookupIndex::open(&path).unwrap();
        assert!(ix.is_empty());
        assert_eq!(ix.phone_records(b"1", 10).unwrap(), [0u32; 0]);
        assert_eq!(ix.word_records("a", true, 10).unwrap(), [0u32; 0]);
        assert_eq!(
            index_path(Path::new("/d/mirror-p.bin")),
            Path::new("/d/mirror-p.bin.idx")
        );
    }
}
