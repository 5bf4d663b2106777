//! A caller-ID lookup through the mirror's lookup index ([`crate::mirror::index`]): the index
//! names the few records that can match, only those are read from the mirror file and
//! decoded, and they go through the same ranking as every other path ([`super::Best`]).
//!
//! The index's keys are supersets of the ranking's rules, so nothing the scan would find is
//! missed:
//! - a number matches when its digits (up to the extension) equal the query's, end with them,
//!   or are 7 or more that the query ends with: in every case the number's last 7 digits (or
//!   all of them, when fewer) end with the query's last 7 (or all, when fewer), which is one
//!   range of the reversed keys;
//! - an e-mail address matches exactly or by its domain (not a free-mail one): the records
//!   under the address's key and the domain's;
//! - a name matches best when it equals the text or has a word starting with it: a record
//!   with a name word that starts with the text's first word (equals it, when the text has
//!   more words). A name or an e-mail address containing the text elsewhere ranks below
//!   those and is not in the index: when fewer than `limit` records match that well, the
//!   answer may lie among those others, and `None` leaves the lookup to the scan.
//!
//! `None` also when the index names more than [`MAX_CANDIDATES`] records (a short or common
//! query: the scan is faster) or a record it names cannot be read back as indexed.

use super::{Answer, Best, FREE_MAIL, Query, Rank, best_match, domain};
use crate::mirror::index::{LookupIndex, PHONE_KEY_DIGITS, domain_key, email_key};

/// Most records decoded through the index for one query; above it the scan answers.
pub const MAX_CANDIDATES: usize = 5_000;

/// The records `ix` names for `q` (ordinals in the mirror), sorted, each once.
fn candidates(ix: &LookupIndex, q: &Query) -> Option<Vec<u32>> {
    match q {
        Query::Phone(digits) => {
            let prefix: Vec<u8> = digits.bytes().rev().take(PHONE_KEY_DIGITS).collect();
            ix.phone_records(&prefix, MAX_CANDIDATES)
        }
        Query::Email(e) => {
            let mut r = ix.email_records(email_key(e), MAX_CANDIDATES)?;
            if let Some(d) = domain(e).filter(|d| !FREE_MAIL.contains(d)) {
                r.extend(ix.email_records(domain_key(d), MAX_CANDIDATES)?);
                r.sort_unstable();
                r.dedup();
            }
            Some(r)
        }
        Query::Text(t) => {
            let (first, more) = match t.split_once(' ') {
                Some((first, _)) => (first, true),
                None => (t.as_str(), false),
            };
            ix.word_records(first, !more, MAX_CANDIDATES)
        }
    }
}

/// The best `limit` answers to `q` from the records the index names, exactly as a scan of
/// the whole mirror answers; `None` when the index cannot tell (see the module docs).
pub fn lookup(ix: &LookupIndex, q: &Query, limit: usize) -> Option<Vec<Answer>> {
    let records = candidates(ix, q)?;
    let mut best = Best::new(limit);
    let mut by_name = 0usize;
    for r in records {
        let c = ix.customer(r)?;
        if let Some(a) = best_match(q, &c) {
            by_name += usize::from(a.rank <= Rank::NamePrefix);
            best.push(a);
        }
    }
    if matches!(q, Query::Text(_)) && by_name < best.limit() {
        return None;
    }
    Some(best.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::Customer;
    use crate::lookup::scan::RawMirror;
    use crate::mirror::{Mirror, store};

    /// Queries a caller-ID user types, taken from the records: numbers whole, by their last
    /// digits, formatted; addresses in another case, other addresses at the same domain; name
    /// words, whole names, the start of a word, the middle of a word; and things not there.
    fn queries_from(customers: &[Customer]) -> Vec<String> {
        let mut out = vec![
            "5559876999".to_string(),
            "0000".into(),
            "nobody@nowhere.example".into(),
            "someone@gmail.com".into(),
            "zzqxw".into(),
            "a".into(),
        ];
        let phone = |out: &mut Vec<String>, v: &Option<String>| {
            let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) else {
                return;
            };
            let mut d = String::new();
            crate::mirror::text::phone_digits_into(v, &mut d);
            out.push(v.to_string());
            if d.len() >= 10 {
                let t = &d[d.len() - 10..];
                out.push(format!("({}) {}-{}", &t[..3], &t[3..6], &t[6..]));
                out.push(format!("+1 {}.{}.{}", &t[..3], &t[3..6], &t[6..]));
            }
            for n in [4, 5, 7, 8] {
                if d.len() >= n {
                    out.push(d[d.len() - n..].to_string());
                }
            }
        };
        for c in customers.iter().step_by(7) {
            phone(&mut out, &c.phone);
            phone(&mut out, &c.mobile);
            for k in c.contacts.iter().take(2) {
                phone(&mut out, &k.phone);
                phone(&mut out, &k.mobile);
                if let Some(e) = k.email.as_deref().filter(|e| e.contains('@')) {
                    out.push(e.to_uppercase());
                    let (_, d) = e.rsplit_once('@').unwrap_or_default();
                    out.push(format!("Someone.Else@{d}"));
                }
                if let Some(n) = k.name.as_deref() {
                    out.push(n.to_string());
                }
            }
            if let Some(e) = c.email.as_deref() {
                out.push(e.to_string());
            }
            let name = c.display_name();
            out.push(name.clone());
            let words: Vec<&str> = name.split_whitespace().collect();
            if let Some(w) = words.first() {
                out.push(w.to_string());
                out.push(w.chars().take(3).collect());
                // The middle of a word, which only the scan finds.
                out.push(w.chars().skip(1).take(3).collect());
            }
            if let Some(w) = words.get(1) {
                out.push(w.to_uppercase());
            }
            if let Some(l) = &c.lastname {
                out.push(l.clone());
            }
        }
        out
    }

    #[test]
    fn the_index_answers_as_the_scan_does() {
        let m: Mirror = crate::mirror::search::tests::demo_mirror(700);
        let dir = tempfile::tempdir().unwrap();
        let path = store::save(dir.path(), "p", &m).unwrap();
        let ix = LookupIndex::open(&path).unwrap();
        let raw = RawMirror::read(&path).unwrap();
        let customers = m.customers();
        let queries = queries_from(&customers);
        assert!(queries.len() > 1_000, "{}", queries.len());
        let (mut answered, mut by_scan) = (0, 0);
        for text in &queries {
            let Some(q) = Query::parse(text) else {
                continue;
            };
            for limit in [1, 10] {
                let full = super::super::lookup(&customers, &q, limit);
                match lookup(&ix, &q, limit) {
                    Some(fast) => {
                        assert_eq!(fast, full, "{text} (limit {limit})");
                        answered += usize::from(limit == 1);
                    }
                    None => {
                        // Only text, and only when the best answers may lie outside the
                        // index: a name that matches at a word's start is answered.
                        assert!(matches!(q, Query::Text(_)), "{text}");
                        let prefix = full.iter().filter(|a| a.rank <= Rank::NamePrefix);
                        assert!(prefix.count() < limit, "{text} (limit {limit})");
                        by_scan += usize::from(limit == 1);
                    }
                }
                if !matches!(q, Query::Text(_)) {
                    assert_eq!(raw.lookup(&q, limit), Some(full), "{text} (scan)");
                }
            }
        }
        // With one answer wanted (caller-ID), the scan is left only the queries that match
        // nothing at a word's start: the middle of a word, text that is not there.
        assert!(
            answered > 10 * by_scan,
            "{answered} answered, {by_scan} by scan"
        );
    }
}
