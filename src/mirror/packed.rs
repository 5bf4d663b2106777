//! A customer held compactly: the mirror file's encoding of the record (its contacts included)
//! in one shared allocation.
//!
//! A decoded [`Customer`] spends 24 bytes on each of its 22 optional texts whether they are
//! filled or not, plus an allocation per filled one, and each of its contacts as much again. An
//! account of 100,000 customers held that way took 270 MB; the same records packed take the
//! size of the mirror file (about 90 MB). The mirror and the list hold records packed, and a
//! reader decodes the one it needs (a few microseconds): the selected customer, the rows on
//! screen, one at a time while an index is built.

use std::fmt;
use std::sync::Arc;

use super::format;
use crate::api::model::{Customer, Id};

/// One customer with its contacts, encoded. Clones share the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Packed(Arc<[u8]>);

impl Packed {
    /// Encodes a customer (and the contacts it carries).
    pub fn pack(customer: &Customer) -> Packed {
        Packed(Arc::from(format::encode_customer(customer)))
    }

    /// A record already in the mirror's encoding (read from a mirror file), with the customer
    /// it decodes to: bytes that do not decode are refused.
    pub(crate) fn from_encoded(bytes: &[u8]) -> Result<(Packed, Customer), postcard::Error> {
        let customer = format::decode_customer(bytes)?;
        Ok((Packed(Arc::from(bytes)), customer))
    }

    /// The customer, decoded.
    pub fn unpack(&self) -> Customer {
        match format::decode_customer(&self.0) {
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
        // The id is the record's first field, a LEB128 varint (postcard's integer encoding).
        let mut id: u64 = 0;
        for (i, b) in self.0.iter().take(10).enumerate() {
            id |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        id
    }

    /// The encoding itself (what the mirror file stores).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Bytes of the encoding (for the memory bench).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for a record that was packed; here because `len` is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether both share the same allocation (a clone of the same record).
    pub fn ptr_eq(a: &Packed, b: &Packed) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl From<&Customer> for Packed {
    fn from(c: &Customer) -> Packed {
        Packed::pack(c)
    }
}

impl fmt::Debug for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Packed(customer {}, {} bytes)", self.id(), self.0.len())
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
        let (q, c) = Packed::from_encoded(p.bytes()).unwrap();
        assert_eq!((q, c), (p.clone(), sample(9)));
        assert!(Packed::from_encoded(&p.bytes()[..p.len() / 2]).is_err());
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
