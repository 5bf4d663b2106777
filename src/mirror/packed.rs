//! Customers held compactly: each record is the mirror file's encoding of the customer (its
//! contacts included), and many records share one block of memory.
//!
//! A decoded [`Customer`] spends 24 bytes on each of its 22 optional texts whether they are
//! filled or not, plus an allocation per filled one, and each of its contacts as much again. An
//! account of 100,000 customers held that way took 270 MB; the same records packed take the
//! size of the mirror file (about 90 MB). The mirror and the list hold records packed, and a
//! reader decodes the one it needs (a few microseconds): the selected customer, the rows on
//! screen, one at a time while an index is built.
//!
//! Records loaded from a file are slices of the file's bytes, and the records of a full sync
//! are written end to end into one block as the pages arrive ([`Packer`]). So a whole account
//! is one allocation, not 100,000: the allocator has nothing to fragment, and when a sync
//! replaces the account the old block goes back to the system in one piece. A record edited in
//! the app gets a block of its own.

use std::fmt;
use std::sync::Arc;

use super::format;
use crate::api::model::{Customer, Id};

/// One customer with its contacts, encoded. Clones share the bytes.
#[derive(Clone)]
pub struct Packed {
    block: Arc<Vec<u8>>,
    start: u32,
    len: u32,
}

impl Packed {
    /// Encodes a customer (and the contacts it carries) into a block of its own.
    pub fn pack(customer: &Customer) -> Packed {
        let bytes = format::encode_customer(customer);
        let len = bytes.len() as u32;
        Packed {
            block: Arc::new(bytes),
            start: 0,
            len,
        }
    }

    /// Encodes customers end to end into one block (a page of the list, a whole account).
    pub fn pack_all(customers: &[Customer]) -> Vec<Packed> {
        let mut packer = Packer::default();
        let spans: Vec<Span> = customers.iter().map(|c| packer.push(c)).collect();
        packer.finish(spans)
    }

    /// A record of a mirror file already read into `block`: its bytes are `block[start..end]`,
    /// returned with the customer they decode to. Bytes that do not decode are refused.
    pub(crate) fn in_file(
        block: &Arc<Vec<u8>>,
        start: usize,
        end: usize,
    ) -> Result<(Packed, Customer), postcard::Error> {
        let bytes = block
            .get(start..end)
            .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        let customer = format::decode_customer(bytes)?;
        let (Ok(start), Ok(len)) = (u32::try_from(start), u32::try_from(end - start)) else {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        };
        let record = Packed {
            block: block.clone(),
            start,
            len,
        };
        Ok((record, customer))
    }

    /// A record of a mirror file already read into `block`, not decoded (the caller checks it
    /// later, see [`crate::mirror::Mirror::check`]). `None` when the span is not in the block.
    pub(crate) fn in_file_unchecked(
        block: &Arc<Vec<u8>>,
        start: usize,
        end: usize,
    ) -> Option<Packed> {
        block.get(start..end)?;
        Some(Packed {
            block: block.clone(),
            start: u32::try_from(start).ok()?,
            len: u32::try_from(end - start).ok()?,
        })
    }

    /// The customer, decoded.
    pub fn unpack(&self) -> Customer {
        match format::decode_customer(self.bytes()) {
            Ok(c) => c,
            // Records are checked when packed or loaded, so this cannot happen; if it did, the
            // customer's id is still known and the record is re-fetched by the next sync.
            Err(e) => {
                tracing::error!(id = self.id(), "a packed customer does not decode: {e}");
                Customer {
                    id: self.id(),
                    ..Customer::default()
                }
            }
        }
    }

    /// The customer's id, read from the front of the encoding without decoding the rest.
    pub fn id(&self) -> Id {
        leading_id(self.bytes())
    }

    /// The encoding itself (what the mirror file stores).
    pub(crate) fn bytes(&self) -> &[u8] {
        let start = self.start as usize;
        self.block
            .get(start..start + self.len as usize)
            .unwrap_or_default()
    }

    /// Bytes of the block the record shares (the whole file's records, for one loaded).
    #[cfg(test)]
    pub(crate) fn block_len(&self) -> usize {
        self.block.len()
    }

    /// Bytes of the encoding.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Never true for a record that was packed; here because `len` is.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether both are the same record in the same block (clones of one record).
    pub fn ptr_eq(a: &Packed, b: &Packed) -> bool {
        Arc::ptr_eq(&a.block, &b.block) && a.start == b.start && a.len == b.len
    }
}

/// The id at the front of a customer's encoding, without decoding the rest: the record's first
/// field, a LEB128 varint (postcard's integer encoding).
pub(crate) fn leading_id(bytes: &[u8]) -> Id {
    let mut id: u64 = 0;
    for (i, b) in bytes.iter().take(10).enumerate() {
        id |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            break;
        }
    }
    id
}

/// Equal when the encodings are: the same customer with the same contacts.
impl PartialEq for Packed {
    fn eq(&self, other: &Packed) -> bool {
        Packed::ptr_eq(self, other) || self.bytes() == other.bytes()
    }
}

impl Eq for Packed {}

impl From<&Customer> for Packed {
    fn from(c: &Customer) -> Packed {
        Packed::pack(c)
    }
}

impl fmt::Debug for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Packed(customer {}, {} bytes)", self.id(), self.len)
    }
}

/// Where a record sits in a [`Packer`]'s block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

/// Writes records end to end into one block; [`Packer::finish`] hands out the records. Offsets
/// are 32-bit: a block holds up to 4 GiB, some four million customers of the demo's size (an
/// account that large would need about 10 GB of memory in all, at 2.6 KB a customer).
#[derive(Debug, Default)]
pub(crate) struct Packer {
    buf: Vec<u8>,
}

impl Packer {
    /// Appends a customer's encoding.
    pub(crate) fn push(&mut self, customer: &Customer) -> Span {
        let start = self.buf.len();
        format::encode_customer_into(customer, &mut self.buf);
        Span {
            start: start as u32,
            len: (self.buf.len() - start) as u32,
        }
    }

    /// A record pushed earlier, decoded (before the block is finished).
    pub(crate) fn unpack(&self, span: Span) -> Customer {
        let start = span.start as usize;
        let bytes = self
            .buf
            .get(start..start + span.len as usize)
            .unwrap_or_default();
        format::decode_customer(bytes).unwrap_or_default()
    }

    /// The block, trimmed, and the records at `spans`.
    pub(crate) fn finish(mut self, spans: impl IntoIterator<Item = Span>) -> Vec<Packed> {
        self.buf.shrink_to_fit();
        let block = Arc::new(self.buf);
        spans
            .into_iter()
            .map(|s| Packed {
                block: block.clone(),
                start: s.start,
                len: s.len,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::Contact;
    use crate::api::model::de::parse_timestamp;

    fn sample(id: Id) -> Customer {
        let mut c = Customer {
            id,
            business_name: Some("Acme Dental ⚕".into()),
            email: Some("front@acme.test".into()),
            updated_at: parse_timestamp("2024-03-06T09:00:00.5-05:00"),
            contacts: vec![Contact {
                id: 7,
                customer_id: Some(id),
                name: Some("Jane Roe".into()),
                ..Contact::default()
            }],
            ..Customer::default()
        };
        c.properties
            .insert("Seats".into(), serde_json::Value::from(12));
        c
    }

    #[test]
    fn packs_and_unpacks_every_field() {
        for id in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let c = sample(id);
            let p = Packed::pack(&c);
            assert_eq!(p.id(), id, "id read from the front");
            assert_eq!(p.unpack(), c);
        }
    }

    #[test]
    fn loaded_bytes_are_checked() {
        let p = Packed::pack(&sample(9));
        let mut file = b"head".to_vec();
        file.extend_from_slice(p.bytes());
        let file = Arc::new(file);
        let (q, c) = Packed::in_file(&file, 4, 4 + p.len()).unwrap();
        assert_eq!((q, c), (p.clone(), sample(9)));
        assert!(Packed::in_file(&file, 4, 4 + p.len() / 2).is_err());
        assert!(Packed::in_file(&file, 4, file.len() + 1).is_err());
    }

    #[test]
    fn many_records_share_one_block() {
        let customers: Vec<Customer> = (1..=50).map(sample).collect();
        let packed = Packed::pack_all(&customers);
        assert!(
            packed
                .windows(2)
                .all(|w| Arc::ptr_eq(&w[0].block, &w[1].block))
        );
        assert_eq!(
            packed[0].block.len(),
            packed.iter().map(Packed::len).sum::<usize>()
        );
        for (p, c) in packed.iter().zip(&customers) {
            assert_eq!(p.id(), c.id);
            assert_eq!(&p.unpack(), c);
            assert_eq!(p, &Packed::pack(c), "equal to the same record packed alone");
            assert!(!Packed::ptr_eq(p, &Packed::pack(c)));
        }
        let mut packer = Packer::default();
        let span = packer.push(&customers[3]);
        assert_eq!(packer.unpack(span), customers[3]);
    }

    #[test]
    fn clones_share_the_bytes() {
        let p = Packed::pack(&sample(3));
        let q = p.clone();
        assert!(Packed::ptr_eq(&p, &q));
        assert!(!Packed::ptr_eq(&p, &Packed::pack(&sample(3))));
        assert_eq!(
            format!("{p:?}"),
            format!("Packed(customer 3, {} bytes)", p.len())
        );
    }
}
