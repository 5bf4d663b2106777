//! A small JSON structure scanner: finds where the values of an object's keys and the elements
//! of an array start and end, without decoding them.
//!
//! It lets a list page be decoded one record at a time when decoding it whole failed: a record
//! with invalid UTF-8 inside, nested deeper than serde_json's recursion limit, or otherwise
//! unreadable is then skipped and counted, and the rest of the page decodes. The scanner keeps
//! no stack (a depth counter is enough to find the end of a value), so no nesting can overflow
//! it, and it reads bytes, so invalid UTF-8 inside strings does not stop it. It checks only what
//! finding the spans needs (strings closed, brackets balanced, nothing after the top-level
//! value); each span is then decoded by serde_json, which checks the rest.

use std::ops::Range;

/// Why a body could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanError {
    /// The body ends inside a value (a truncated answer).
    Truncated,
    /// Something else than the JSON structure expected at this byte offset.
    Unexpected(usize),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Truncated => f.write_str("the body ends in the middle of a value"),
            ScanError::Unexpected(at) => write!(f, "unexpected byte at offset {at}"),
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// `i` is at an opening quote; returns the offset just after the closing one.
fn skip_string(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'"' => return Ok(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
    Err(ScanError::Truncated)
}

/// The end (exclusive) of the value that starts at `i` (whitespace already skipped).
pub fn value_end(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let Some(&first) = b.get(i) else {
        return Err(ScanError::Truncated);
    };
    match first {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(ScanError::Truncated)
        }
        b'}' | b']' | b',' | b':' => Err(ScanError::Unexpected(i)),
        _ => {
            // A number or a literal: up to the next delimiter.
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            Ok(j)
        }
    }
}

/// An object member: its key's raw text and its value's span.
pub type Member<'a> = (&'a [u8], Range<usize>);

/// The members of the object that is the whole of `b`: each key's raw text (between the
/// quotes, escapes left as they are) and its value's span. Anything but whitespace after the
/// object is an error.
pub fn object_members(b: &[u8]) -> Result<Vec<Member<'_>>, ScanError> {
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err(if i >= b.len() {
            ScanError::Truncated
        } else {
            ScanError::Unexpected(i)
        });
    }
    i += 1;
    let mut out = Vec::new();
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            None => return Err(ScanError::Truncated),
            Some(b'}') if out.is_empty() => {
                i += 1;
                break;
            }
            Some(b'"') => {}
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
        let key_end = skip_string(b, i)?;
        let key = &b[i + 1..key_end - 1];
        i = skip_ws(b, key_end);
        match b.get(i) {
            Some(b':') => i += 1,
            None => return Err(ScanError::Truncated),
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
        i = skip_ws(b, i);
        let end = value_end(b, i)?;
        out.push((key, i..end));
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                i += 1;
                break;
            }
            None => return Err(ScanError::Truncated),
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
    }
    let rest = skip_ws(b, i);
    if rest < b.len() {
        return Err(ScanError::Unexpected(rest));
    }
    Ok(out)
}

/// The spans of the elements of the array at `span` in `b`; `None` when the value there is not
/// an array.
pub fn array_elements(
    b: &[u8],
    span: Range<usize>,
) -> Result<Option<Vec<Range<usize>>>, ScanError> {
    let end = span.end;
    let mut i = span.start;
    if b.get(i) != Some(&b'[') {
        return Ok(None);
    }
    i += 1;
    let mut out = Vec::new();
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            _ if i >= end => return Err(ScanError::Truncated),
            Some(b']') if out.is_empty() => return Ok(Some(out)),
            _ => {}
        }
        let e = value_end(b, i)?;
        out.push(i..e);
        i = skip_ws(b, e);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => return Ok(Some(out)),
            None => return Err(ScanError::Truncated),
            Some(_) => return Err(ScanError::Unexpected(i)),
        }
    }
}

/// The record id in an object's bytes, if its top level has an `"id"` that is a number or a
/// string of digits: for naming a record that does not decode.
pub fn record_id(b: &[u8]) -> Option<u64> {
    let members = object_members(b).ok()?;
    let (_, span) = members.iter().find(|(k, _)| *k == b"id")?;
    let raw = &b[span.clone()];
    let raw = raw
        .strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .unwrap_or(raw);
    let text = std::str::from_utf8(raw).ok()?.trim();
    text.parse::<u64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(b: &'a [u8], spans: &[Range<usize>]) -> Vec<&'a str> {
        spans
            .iter()
            .map(|r| std::str::from_utf8(&b[r.clone()]).unwrap())
            .collect()
    }

    #[test]
    fn splits_an_envelope_and_its_array() {
        let b = br#" {"customers": [ {"id": 1, "n": "a,]}\"b"}, 2 , "x", [1,[2]], {"id":"3"} ],
                    "meta": {"page": 1}, "e": {} } "#;
        let m = object_members(b).unwrap();
        let keys: Vec<&[u8]> = m.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec![&b"customers"[..], b"meta", b"e"]);
        let items = array_elements(b, m[0].1.clone()).unwrap().unwrap();
        assert_eq!(
            texts(b, &items),
            vec![
                r#"{"id": 1, "n": "a,]}\"b"}"#,
                "2",
                r#""x""#,
                "[1,[2]]",
                r#"{"id":"3"}"#
            ]
        );
        assert_eq!(record_id(&b[items[0].clone()]), Some(1));
        assert_eq!(record_id(&b[items[4].clone()]), Some(3));
        assert_eq!(array_elements(b, m[1].1.clone()).unwrap(), None);
        assert_eq!(
            array_elements(b"[ ]", 0..3).unwrap(),
            Some(Vec::<Range<usize>>::new())
        );
    }

    #[test]
    fn survives_invalid_utf8_and_any_depth() {
        let mut b = br#"{"contacts":[{"id":7,"name":"#.to_vec();
        b.extend_from_slice(b"\"\xff\xfe\"");
        b.extend_from_slice(b"},{\"id\":8,\"deep\":");
        b.extend(std::iter::repeat_n(b'[', 100_000));
        b.extend(std::iter::repeat_n(b']', 100_000));
        b.extend_from_slice(b"}]}");
        let m = object_members(&b).unwrap();
        let items = array_elements(&b, m[0].1.clone()).unwrap().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(record_id(&b[items[0].clone()]), Some(7));
        assert_eq!(record_id(&b[items[1].clone()]), Some(8));
    }

    #[test]
    fn truncated_or_trailing_bodies_are_errors() {
        for bad in [
            &br#"{"customers":[{"id":1},{"id":2"#[..],
            br#"{"customers":[{"id":1}]"#,
            br#"{"customers":"abc"#,
            br#"{"customers":[1,2]} x"#,
            br#"[1,2]"#,
            b"",
            br#"{"a" 1}"#,
        ] {
            assert!(
                object_members(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(object_members(b"{}").unwrap(), vec![]);
        assert_eq!(record_id(br#"{"id":{"x":1}}"#), None);
        assert_eq!(record_id(br#"{"id":0}"#), None);
    }
}
