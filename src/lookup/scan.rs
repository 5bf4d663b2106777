//! A caller-ID lookup that decodes only the records that can match.
//!
//! Loading a mirror ([`crate::mirror::store`]) decodes every customer once to check it; for
//! 100,000 customers that is most of a lookup's time. A phone number or an e-mail address can
//! be looked for in the records' bytes instead (texts are stored as UTF-8 in the encoding):
//! a record is decoded only when its bytes may hold the number or the domain, and the decoded
//! record then goes through the same ranking as every other path ([`super::Best`]).
//!
//! The byte tests are supersets of the ranking's rules, so nothing the full load would find
//! is missed:
//! - a number matches when its digits up to the first letter end with the query's (or the
//!   query ends with 7 or more of them); in the bytes, the query's digits are looked for
//!   backwards from each occurrence of its last digit, skipping anything that is neither a
//!   digit nor an ASCII letter (a letter or another digit stops the attempt);
//! - an e-mail matches exactly or by domain; in the bytes, an `@` followed by the query's
//!   domain in any ASCII case.
//!
//! The file is checked as the store checks it (magic, version, length, checksum, server); the
//! body's layout (`format::Body`) is read here for versions 3 and 4 only (4 added the views
//! section after the body, which is not read here). Any other version, a body
//! that does not read back exactly, or a text query returns `None` and the caller takes the
//! full load: slower, never wrong.

use std::path::Path;
use std::sync::Arc;

use super::{Answer, Best, MIN_STORED_SUFFIX, Query};
use crate::mirror::{FORMAT_VERSION, Packed, body_layout};

/// The body layout this reader knows (version 3 changed only the records, which are decoded
/// by the store's own code; version 4 only added the views section after the body). When the
/// version is bumped again, check `format::Body` and move this along: until then every lookup
/// takes the full load, and the tests here fail.
const KNOWN_VERSION: u32 = 4;
/// The version before the views section: the same body, nothing after it.
const PLAIN_VERSION: u32 = 3;
const MAGIC: &[u8; 8] = b"SYNCMIRR";
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// A mirror file read without decoding its records.
pub struct RawMirror {
    bytes: Arc<Vec<u8>>,
    pub base_url: String,
    /// Each record's bytes: `bytes[start..end]`.
    records: Vec<(usize, usize)>,
}

impl RawMirror {
    /// Reads a mirror file's header and its body's layout; `None` when it is not a file this
    /// reader can take (the full load then decides what it is).
    pub fn parse(bytes: Vec<u8>) -> Option<RawMirror> {
        if FORMAT_VERSION != KNOWN_VERSION || bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            return None;
        }
        let word = |r: std::ops::Range<usize>| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(r)?.try_into().ok()?))
        };
        let version = word(8..12)?;
        if version != KNOWN_VERSION && version != PLAIN_VERSION {
            return None;
        }
        let len = usize::try_from(u64::from_le_bytes(bytes.get(12..20)?.try_into().ok()?)).ok()?;
        let body = bytes.get(HEADER_LEN..HEADER_LEN.checked_add(len)?)?;
        let trailing = bytes.len() - HEADER_LEN - len;
        if (version == PLAIN_VERSION && trailing != 0) || crc32fast::hash(body) != word(20..24)? {
            return None;
        }
        let (base_url, spans) = body_layout(body)?;
        let records = spans
            .into_iter()
            .map(|(s, e)| (HEADER_LEN + s, HEADER_LEN + e))
            .collect();
        Some(RawMirror {
            bytes: Arc::new(bytes),
            base_url,
            records,
        })
    }

    /// Reads the file at `path`; `None` when it is missing or not readable this way. Only the
    /// header and the body are read: the rows' views after it (a third of a version 4 file)
    /// are not needed to find a caller.
    pub fn read(path: &Path) -> Option<RawMirror> {
        use std::io::Read;
        let mut f = std::fs::File::open(path).ok()?;
        let file_len = f.metadata().ok()?.len();
        let mut head = [0u8; HEADER_LEN];
        f.read_exact(&mut head).ok()?;
        let version = u32::from_le_bytes(head[8..12].try_into().ok()?);
        let len = u64::from_le_bytes(head[12..20].try_into().ok()?);
        let body_end = (HEADER_LEN as u64).checked_add(len)?;
        // A version 3 file ends with its body; anything else is left to the full load.
        if body_end > file_len || (version == PLAIN_VERSION && body_end != file_len) {
            return None;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(body_end).ok()?);
        bytes.extend_from_slice(&head);
        f.take(len).read_to_end(&mut bytes).ok()?;
        RawMirror::parse(bytes)
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the mirror holds no customer.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The best `limit` answers to a phone or e-mail query, decoding only the records whose
    /// bytes may match; `None` for a text query (the caller decodes everything).
    pub fn lookup(&self, q: &Query, limit: usize) -> Option<Vec<Answer>> {
        let needle = match q {
            Query::Phone(digits) => Needle::Number(digits.as_bytes()),
            Query::Email(e) => {
                let domain = e.rsplit_once('@').map(|(_, d)| d)?;
                if domain.is_empty() || !domain.is_ascii() {
                    return None;
                }
                Needle::Domain(domain.as_bytes())
            }
            Query::Text(_) => return None,
        };
        let mut best = Best::new(limit);
        for &(start, end) in &self.records {
            let rec = self.bytes.get(start..end)?;
            if !needle.may_be_in(rec) {
                continue;
            }
            // A record that does not decode is a damaged file: the full load says so.
            let (_, customer) = Packed::in_file(&self.bytes, start, end).ok()?;
            best.offer(q, &customer);
        }
        Some(best.finish())
    }
}

/// What the bytes of a record are searched for.
enum Needle<'q> {
    /// A phone query's digits.
    Number(&'q [u8]),
    /// An e-mail query's domain (ASCII).
    Domain(&'q [u8]),
}

impl Needle<'_> {
    fn may_be_in(&self, rec: &[u8]) -> bool {
        match self {
            Needle::Number(d) => may_hold_number(rec, d),
            Needle::Domain(d) => may_hold_domain(rec, d),
        }
    }
}

/// Whether `rec` may hold a number whose digits (up to its first letter) end with `q`, or
/// whose 7 or more digits end `q`.
pub fn may_hold_number(rec: &[u8], q: &[u8]) -> bool {
    let Some(&last) = q.last() else {
        return false;
    };
    memchr::memchr_iter(last, rec).any(|pos| {
        let mut want = q.len();
        let mut matched = 0usize;
        for &b in rec[..=pos].iter().rev() {
            if b.is_ascii_digit() {
                if want == 0 || b != q[want - 1] {
                    break;
                }
                want -= 1;
                matched += 1;
            } else if b.is_ascii_alphabetic() {
                break;
            }
        }
        want == 0 || matched >= MIN_STORED_SUFFIX
    })
}

/// Whether `rec` holds an `@` followed by `domain` in any ASCII case.
pub fn may_hold_domain(rec: &[u8], domain: &[u8]) -> bool {
    memchr::memchr_iter(b'@', rec).any(|pos| {
        rec.get(pos + 1..pos + 1 + domain.len())
            .is_some_and(|d| d.eq_ignore_ascii_case(domain))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::Customer;
    use crate::mirror::Mirror;
    use serde_json::json;

    fn sample() -> Mirror {
        let mut m = Mirror::new("https://acme.syncromsp.com/api/v1");
        let phones = [
            "(503) 555-0142",
            "+1 503.555.0142 x12",
            "5035550142",
            "503-555-0142 ext. 4",
            "555 01 42",
            "+44 20 7946 0142",
            "15035550142",
        ];
        for (i, p) in phones.iter().enumerate() {
            let id = 100 + i as u64;
            let c: Customer = serde_json::from_value(json!({
                "id": id,
                "business_name": format!("Customer {i} Ltd"),
                "email": format!("office{i}@Example{}.COM", i % 3),
                "phone": if i % 2 == 0 { p.to_string() } else { String::new() },
                "contacts": [{"id": id * 10, "customer_id": id, "name": format!("Person {i}"),
                              "phone": p, "email": format!("p{i}@zoë.example")}],
            }))
            .unwrap();
            m.put_customer(c);
        }
        m
    }

    fn full(m: &Mirror, q: &Query) -> Vec<Answer> {
        super::super::lookup(m.customers(), q, 10)
    }

    #[test]
    fn the_scan_finds_what_the_full_load_finds() {
        let m = sample();
        let raw = RawMirror::parse(m.to_bytes()).unwrap();
        assert_eq!(raw.len(), m.customer_count());
        // With a views section after the body (not read here), and in the format before it.
        let with_views = RawMirror::parse(m.to_bytes_with_views(Some(b"rows"))).unwrap();
        assert_eq!(with_views.records, raw.records);
        let mut plain = m.to_bytes();
        plain[8..12].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(RawMirror::parse(plain).unwrap().records, raw.records);
        assert_eq!(raw.base_url, m.base_url);
        for text in [
            "5550142",
            "5035550142",
            "+1 (503) 555-0142",
            "0142",
            "2079460142",
            "442079460142",
            "9999999",
            "office1@example1.com",
            "someone@EXAMPLE2.com",
            "p3@zoë.example",
            "nobody@nowhere.example",
        ] {
            let q = Query::parse(text).unwrap();
            match raw.lookup(&q, 10) {
                Some(fast) => assert_eq!(fast, full(&m, &q), "{text}"),
                // Only a non-ASCII domain is left to the full load.
                None => assert!(text.contains('ë'), "{text}"),
            }
        }
        assert_eq!(raw.lookup(&Query::parse("customer").unwrap(), 10), None);
    }

    #[test]
    fn byte_tests_skip_punctuation_and_stop_at_letters() {
        assert!(may_hold_number(b"\x0e(503) 555-0142", b"5550142"));
        assert!(may_hold_number(b"+1 503.555.0142 x12", b"5035550142"));
        assert!(may_hold_number(b"5035550142", b"15035550142"));
        assert!(!may_hold_number(b"503-555-0143", b"5550142"));
        assert!(!may_hold_number(b"555x0142", b"5550142"));
        assert!(!may_hold_number(b"0142", b"15035550142"));
        assert!(may_hold_domain(b"x JANE@Acme.Example y", b"acme.example"));
        assert!(!may_hold_domain(b"jane@acme.exampl", b"acme.example"));
    }

    #[test]
    fn a_file_is_read_up_to_its_body_only() {
        let m = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        std::fs::write(&path, m.to_bytes_with_views(Some(b"rows"))).unwrap();
        let from_file = RawMirror::read(&path).unwrap();
        let whole = RawMirror::parse(m.to_bytes_with_views(Some(b"rows"))).unwrap();
        assert_eq!(from_file.records, whole.records);
        assert_eq!(
            from_file.bytes.len(),
            whole.records.last().unwrap().1.max(HEADER_LEN)
        );
        // A version 3 file with bytes after its body, or a file cut short, is not read here.
        let mut plain = m.to_bytes();
        plain[8..12].copy_from_slice(&PLAIN_VERSION.to_le_bytes());
        let crc_ok = plain.clone();
        plain.extend_from_slice(b"junk");
        std::fs::write(&path, &plain).unwrap();
        assert!(RawMirror::read(&path).is_none());
        std::fs::write(&path, &crc_ok[..crc_ok.len() - 1]).unwrap();
        assert!(RawMirror::read(&path).is_none());
    }

    #[test]
    fn other_files_are_left_to_the_full_load() {
        let bytes = sample().to_bytes();
        let mut damaged = bytes.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        assert!(RawMirror::parse(damaged).is_none());
        let mut other_version = bytes.clone();
        other_version[8] = 9;
        assert!(RawMirror::parse(other_version).is_none());
        assert!(RawMirror::parse(bytes[..bytes.len() - 3].to_vec()).is_none());
        assert!(RawMirror::parse(b"not a mirror".to_vec()).is_none());
        assert!(RawMirror::parse(Mirror::new("x").to_bytes()).is_some_and(|r| r.is_empty()));
    }
}
