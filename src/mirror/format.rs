//! The mirror's on-disk encoding: the API models written field by field in a compact,
//! non-self-describing format (postcard).
//!
//! The API models read JSON leniently through `serde_json::Value`, which a binary format cannot
//! drive, so their own `Deserialize` is not used here. Instead serde's "remote" derive describes
//! the same structs again, field for field, with plain encodings for the few awkward types:
//! timestamps as integers (no text parsing on load), custom properties as a list of typed values.
//! Saving borrows the models (no copy of the mirror) and loading builds them directly (no
//! intermediate records). A field added to `Customer` or `Contact` fails to compile here until it
//! is added to the description, and the format version is bumped.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};

use super::packed::Packed;
use crate::api::model::{Contact, Customer, Properties, Timestamp};

/// Everything in a mirror file after its header, as read. Each customer (with its contacts) is
/// its own length-prefixed encoding, borrowed from the file's bytes: the mirror keeps the
/// encodings as they are (see [`Packed`]) and decodes a record only when it is read.
#[derive(Debug, Deserialize)]
pub(crate) struct Body<'a> {
    pub base_url: String,
    pub last_full_sync: Option<(i64, u32)>,
    pub last_incremental_sync: Option<(i64, u32)>,
    pub contacts_embedded: Option<bool>,
    #[serde(borrow)]
    pub customers: Vec<&'a [u8]>,
}

/// The same as [`Body`], borrowed for writing.
#[derive(Debug, Serialize)]
pub(crate) struct BodyRef<'a> {
    pub base_url: &'a str,
    pub last_full_sync: Option<(i64, u32)>,
    pub last_incremental_sync: Option<(i64, u32)>,
    pub contacts_embedded: Option<bool>,
    #[serde(serialize_with = "encoded")]
    pub customers: &'a [Packed],
}

/// Each record as a byte string (length, then the bytes), which [`Body`] borrows back.
fn encoded<S: Serializer>(records: &[Packed], s: S) -> Result<S::Ok, S::Error> {
    struct Bytes<'a>(&'a [u8]);
    impl Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    s.collect_seq(records.iter().map(|r| Bytes(r.bytes())))
}

/// One customer (with its contacts) in the mirror's encoding.
pub(crate) fn encode_customer(c: &Customer) -> Vec<u8> {
    struct Out<'a>(&'a Customer);
    impl Serialize for Out<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            CustomerDef::serialize(self.0, s)
        }
    }
    // Encoding plain structs into a Vec cannot fail.
    postcard::to_allocvec(&Out(c)).unwrap_or_default()
}

/// [`encode_customer`], appended to `out`.
pub(crate) fn encode_customer_into(c: &Customer, out: &mut Vec<u8>) {
    out.extend_from_slice(&encode_customer(c));
}

/// Reads back what [`encode_customer`] wrote; the whole input must be one record.
pub(crate) fn decode_customer(bytes: &[u8]) -> Result<Customer, postcard::Error> {
    #[derive(Deserialize)]
    struct In(#[serde(with = "CustomerDef")] Customer);
    postcard::from_bytes::<In>(bytes).map(|i| i.0)
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Customer")]
struct CustomerDef {
    id: u64,
    firstname: Option<String>,
    lastname: Option<String>,
    fullname: Option<String>,
    business_name: Option<String>,
    business_then_name: Option<String>,
    business_and_full_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    address: Option<String>,
    address_2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    notes: Option<String>,
    referred_by: Option<String>,
    ref_customer_id: Option<u64>,
    tax_rate_id: Option<u64>,
    notification_email: Option<String>,
    invoice_cc_emails: Option<String>,
    invoice_term_id: Option<u64>,
    get_sms: Option<bool>,
    opt_out: Option<bool>,
    no_email: Option<bool>,
    disabled: bool,
    latitude: Option<f64>,
    longitude: Option<f64>,
    location_name: Option<String>,
    location_id: Option<u64>,
    online_profile_url: Option<String>,
    #[serde(with = "props")]
    properties: Properties,
    #[serde(with = "time")]
    created_at: Option<Timestamp>,
    #[serde(with = "time")]
    updated_at: Option<Timestamp>,
    #[serde(with = "contacts")]
    contacts: Vec<Contact>,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Contact")]
struct ContactDef {
    id: u64,
    customer_id: Option<u64>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    extension: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    notes: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    opt_out: Option<bool>,
    #[serde(with = "props")]
    properties: Properties,
    #[serde(with = "time")]
    created_at: Option<Timestamp>,
    #[serde(with = "time")]
    updated_at: Option<Timestamp>,
    ticket_matching_emails: Option<String>,
}

/// Lists of remote-described structs: a newtype per element.
macro_rules! list_codec {
    ($module:ident, $ty:ty, $def:ident, $def_path:literal) => {
        mod $module {
            use super::*;

            struct Out<'a>(&'a $ty);

            impl Serialize for Out<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    $def::serialize(self.0, s)
                }
            }

            #[derive(Deserialize)]
            struct In(#[serde(with = $def_path)] $ty);

            pub fn serialize<S: Serializer>(v: &[$ty], s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(v.iter().map(Out))
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$ty>, D::Error> {
                let v: Vec<In> = Vec::deserialize(d)?;
                Ok(v.into_iter().map(|i| i.0).collect())
            }
        }
    };
}

list_codec!(contacts, Contact, ContactDef, "super::ContactDef");

/// A timestamp with the server's offset: seconds, nanoseconds and offset seconds east of UTC.
mod time {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        t.as_ref()
            .map(|t| {
                (
                    t.timestamp(),
                    t.timestamp_subsec_nanos(),
                    t.offset().local_minus_utc(),
                )
            })
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        let raw: Option<(i64, u32, i32)> = Deserialize::deserialize(d)?;
        Ok(raw.and_then(|(secs, nanos, offset)| {
            let offset = FixedOffset::east_opt(offset)?;
            Some(DateTime::<Utc>::from_timestamp(secs, nanos)?.with_timezone(&offset))
        }))
    }
}

/// Custom properties as `(name, value)` pairs; nested arrays and objects as JSON text.
mod props {
    use super::*;

    /// Written form (borrowed); variant order must match [`PropIn`].
    #[derive(Serialize)]
    enum PropOut<'a> {
        Null,
        Bool(bool),
        Int(i64),
        UInt(u64),
        Float(f64),
        Text(&'a str),
        Json(String),
    }

    /// Read form.
    #[derive(Deserialize)]
    enum PropIn {
        Null,
        Bool(bool),
        Int(i64),
        UInt(u64),
        Float(f64),
        Text(String),
        Json(String),
    }

    fn out(v: &Value) -> PropOut<'_> {
        match v {
            Value::Null => PropOut::Null,
            Value::Bool(b) => PropOut::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    PropOut::Int(i)
                } else if let Some(u) = n.as_u64() {
                    PropOut::UInt(u)
                } else {
                    PropOut::Float(n.as_f64().unwrap_or_default())
                }
            }
            Value::String(s) => PropOut::Text(s),
            other => PropOut::Json(other.to_string()),
        }
    }

    pub fn serialize<S: Serializer>(p: &Properties, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(p.iter().map(|(k, v)| (k.as_str(), out(v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Properties, D::Error> {
        let pairs: Vec<(String, PropIn)> = Deserialize::deserialize(d)?;
        Ok(pairs
            .into_iter()
            .map(|(k, v)| {
                let value = match v {
                    PropIn::Null => Value::Null,
                    PropIn::Bool(b) => Value::Bool(b),
                    PropIn::Int(i) => Value::from(i),
                    PropIn::UInt(u) => Value::from(u),
                    PropIn::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
                    PropIn::Text(s) => Value::String(s),
                    PropIn::Json(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                };
                (k, value)
            })
            .collect())
    }
}

/// Where a body's records are, read without decoding them: the server's URL and each
/// record's bytes as `body[start..end]`. `None` when the bytes are not one whole [`Body`] (its
/// fields read here by hand, as postcard writes them: LEB128 varints for integers and
/// lengths, a tag byte for each `Option`).
pub(crate) fn body_layout(body: &[u8]) -> Option<(String, Vec<(usize, usize)>)> {
    let mut c = Cursor { b: body, i: 0 };
    let n = c.varint()?;
    let (s, e) = c.take(n)?;
    let base_url = std::str::from_utf8(&body[s..e]).ok()?.to_string();
    c.opt_instant()?;
    c.opt_instant()?;
    c.opt_bool()?;
    let count = usize::try_from(c.varint()?).ok()?;
    let mut records = Vec::with_capacity(count.min(body.len()));
    for _ in 0..count {
        let n = c.varint()?;
        records.push(c.take(n)?);
    }
    (c.i == body.len()).then_some((base_url, records))
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.i)?;
        self.i += 1;
        Some(v)
    }

    /// A LEB128 varint (postcard's integers and lengths).
    fn varint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for k in 0..10 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << (7 * k);
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn take(&mut self, n: u64) -> Option<(usize, usize)> {
        let n = usize::try_from(n).ok()?;
        let start = self.i;
        let end = start.checked_add(n)?;
        if end > self.b.len() {
            return None;
        }
        self.i = end;
        Some((start, end))
    }

    /// `Option<(i64, u32)>`.
    fn opt_instant(&mut self) -> Option<()> {
        match self.byte()? {
            0 => Some(()),
            1 => {
                self.varint()?;
                self.varint()?;
                Some(())
            }
            _ => None,
        }
    }

    /// `Option<bool>`.
    fn opt_bool(&mut self) -> Option<()> {
        match self.byte()? {
            0 => Some(()),
            1 => (self.byte()? <= 1).then_some(()),
            _ => None,
        }
    }
}

/// Seconds and nanoseconds since the epoch for the sync times kept in the file.
pub(crate) fn instant(t: &DateTime<Utc>) -> (i64, u32) {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

pub(crate) fn from_instant((secs, nanos): (i64, u32)) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(secs, nanos)
}
