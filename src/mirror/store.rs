//! The mirror of one profile's account: every customer with its contacts, plus sync metadata,
//! kept in one file per profile in the data directory.
//!
//! # File format
//! ```text
//! magic "SYNCMIRR" (8 bytes) | format version u32 LE | body length u64 LE | CRC-32 of body u32 LE
//! body: postcard encoding of `format::Body` (each customer a length-prefixed record)
//! then, from version 4, optionally the views section:
//! magic "SYNCVIEW" (8 bytes) | section length u64 LE | CRC-32 of section u32 LE
//! section: contact count u64 LE | (contact id u64 LE, customer id u64 LE) per contact, sorted
//!          | the caller's views (opaque here: the list's rows, see `app::view`)
//! ```
//! A file with another magic, another version, a wrong length or a wrong checksum is discarded
//! (never trusted, never a panic) and the caller rebuilds the mirror with a sync. Version 3
//! files (no views section) are read as before. The views section is derived data: a damaged
//! one is ignored and the records are decoded instead.
//!
//! # Start without decoding
//! With a views section, [`Mirror::from_file_or_views`] hands the section to the caller and
//! keeps the records as they are, undecoded: the list is painted from the views. The records'
//! decode check then runs on the worker after the first frame ([`Mirror::check`]); a record
//! that fails it discards the mirror, as a damaged file is discarded at load.
//!
//! # The lookup index
//! Every save then writes `mirror-<profile>.bin.idx` beside the file ([`super::index`]),
//! which `syncro-tui lookup` reads instead of the body. Nothing here reads it: the load reads
//! the mirror file alone, as before.
//!
//! # Crash safety
//! A save writes a temporary file in the same directory (mode 0600 on unix), flushes it to disk,
//! then renames it over the mirror. A kill at any point leaves either the previous mirror or the
//! new one, never a mix. Leftover temporary files of killed writes are removed at the next
//! start (their process is gone) and by later saves.
//!
//! # Two instances on one profile
//! Saves hold a lock (`mirror-<profile>.bin.lock`, `flock`). [`save_merged`] (the app's saves)
//! also looks at the file first: when another instance (or `syncro-tui sync`) wrote it since
//! this one last read or wrote it, the two are merged record by record instead of one
//! replacing the other. Of a customer both have, the newer `updated_at` wins, and so, one by
//! one, does the newer of each contact (a contact edit does not change its customer's
//! `updated_at`); a record only one side has is kept, unless the other side had it when this
//! one last looked (then it was deleted there). So one instance's save never reverts a record
//! another instance saved.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use super::format::{self, Body, BodyRef};
use super::packed::{Packed, leading_id};
use crate::api::model::{Contact, Customer, Id};

/// Version of the file format. Bump it whenever `format::Body` or its records change shape.
pub const FORMAT_VERSION: u32 = 4;

/// The format before the views section; read as before (every record decoded at load).
const OLD_FORMAT_VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"SYNCMIRR";
const HEADER_LEN: usize = 8 + 4 + 8 + 4;
const VIEWS_MAGIC: &[u8; 8] = b"SYNCVIEW";
const VIEWS_HEADER_LEN: usize = 8 + 8 + 4;
/// Temporary files older than this are leftovers of a killed write and may be removed.
const STALE_TEMP_AGE: Duration = Duration::from_secs(600);

/// The local copy of one account: customers sorted by id, each with its contacts.
///
/// Each customer is held packed (see [`Packed`]): its encoding in one shared allocation. A clone
/// of the mirror (the worker's snapshot for a sync, a save or an index, the app's list) shares
/// the records instead of copying them, and a change re-packs only the customer it touches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mirror {
    /// The server this mirror was filled from; a mirror of another server is never shown.
    pub base_url: String,
    /// End of the last complete full pass (which also noticed deletions).
    pub last_full_sync: Option<DateTime<Utc>>,
    /// End of the last incremental pass (customers changed since the previous sync).
    pub last_incremental_sync: Option<DateTime<Utc>>,
    /// Whether the server embeds `contacts[]` in the customer list, as learned by the last full
    /// pass (`None` before the first one).
    pub contacts_embedded: Option<bool>,
    customers: Vec<Packed>,
    /// Every contact's id with its customer's, sorted: finds a contact's owner without decoding
    /// the account, and counts the contacts.
    owners: Vec<(Id, Id)>,
}

impl Mirror {
    /// An empty mirror of `base_url`, never synced.
    pub fn new(base_url: impl Into<String>) -> Self {
        Mirror {
            base_url: base_url.into(),
            ..Default::default()
        }
    }

    /// Every customer, packed, sorted by id. Cloning an entry shares the record.
    pub fn records(&self) -> &[Packed] {
        &self.customers
    }

    /// Every customer decoded, sorted by id, each with its contacts (sorted by id). This decodes
    /// the whole account: bulk readers go through [`Mirror::records`] one record at a time.
    pub fn customers(&self) -> Vec<Customer> {
        self.customers.iter().map(Packed::unpack).collect()
    }

    /// Number of customers.
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// Number of contacts across all customers.
    pub fn contact_count(&self) -> usize {
        self.owners.len()
    }

    /// True when the mirror holds no customer.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// Whether the mirror holds the customer with this id (nothing is decoded).
    pub fn contains(&self, id: Id) -> bool {
        self.position(id).is_ok()
    }

    /// The customer with this id, decoded.
    pub fn customer(&self, id: Id) -> Option<Customer> {
        self.position(id).ok().map(|i| self.customers[i].unpack())
    }

    /// The id of the customer that holds this contact.
    pub fn contact_owner(&self, id: Id) -> Option<Id> {
        let i = self.owners.binary_search_by_key(&id, |&(k, _)| k).ok()?;
        Some(self.owners[i].1)
    }

    /// The contact with this id and the customer it belongs to, decoded.
    pub fn contact(&self, id: Id) -> Option<(Customer, Contact)> {
        let owner = self.customer(self.contact_owner(id)?)?;
        let contact = owner.contacts.iter().find(|k| k.id == id)?.clone();
        Some((owner, contact))
    }

    /// When the mirror was last brought up to date by any pass.
    pub fn last_synced(&self) -> Option<DateTime<Utc>> {
        self.last_full_sync.max(self.last_incremental_sync)
    }

    /// How old the mirror is, for the status line: `synced 3 h ago`, `synced just now`,
    /// `never synced`. `now` is passed in (the app's logic does not read the clock).
    pub fn synced_ago(&self, now: DateTime<Utc>) -> String {
        let Some(at) = self.last_synced() else {
            return "never synced".into();
        };
        let secs = (now - at).num_seconds().max(0);
        match secs {
            0..60 => "synced just now".into(),
            60..3600 => format!("synced {} min ago", secs / 60),
            3600..86_400 => format!("synced {} h ago", secs / 3600),
            _ => format!("synced {} d ago", secs / 86_400),
        }
    }

    /// Largest `updated_at` of any customer: where an incremental pass can stop. Decodes every
    /// record (a fraction of a second for 100,000, once per pass on the worker).
    pub fn newest_update(&self) -> Option<DateTime<Utc>> {
        self.customers
            .iter()
            .filter_map(|c| c.unpack().updated_at.map(|t| t.with_timezone(&Utc)))
            .max()
    }

    fn position(&self, id: Id) -> Result<usize, usize> {
        self.customers.binary_search_by_key(&id, Packed::id)
    }

    /// Replaces every customer (after a complete full pass). Duplicated ids keep the last one.
    pub fn replace_all(&mut self, customers: Vec<Customer>) {
        let customers = normalise(customers);
        self.owners = owners_of(customers.iter());
        self.customers = Packed::pack_all(&customers);
    }

    /// [`Mirror::replace_all`] for records already packed (a full pass packs each page as it
    /// arrives), each customer's contacts sorted by id. Duplicated ids keep the last one.
    pub fn replace_all_packed(&mut self, mut customers: Vec<Packed>) {
        if !customers.windows(2).all(|w| w[0].id() < w[1].id()) {
            // Stable sort, then keep the last of each run: "later wins" for duplicated ids.
            customers.sort_by_key(Packed::id);
            let mut out: Vec<Packed> = Vec::with_capacity(customers.len());
            for c in customers {
                match out.last_mut() {
                    Some(last) if last.id() == c.id() => *last = c,
                    _ => out.push(c),
                }
            }
            customers = out;
        }
        let mut owners = Vec::new();
        for c in &customers {
            let id = c.id();
            owners.extend(c.unpack().contacts.iter().map(|k| (k.id, id)));
        }
        owners.sort_by_key(|o| o.0);
        owners.dedup_by_key(|o| o.0);
        owners.shrink_to_fit();
        customers.shrink_to_fit();
        self.owners = owners;
        self.customers = customers;
    }

    /// Inserts or replaces a customer together with the contacts it carries.
    pub fn put_customer(&mut self, mut customer: Customer) {
        sort_contacts(&mut customer.contacts);
        match self.position(customer.id) {
            Ok(i) => {
                let old = self.customers[i].unpack();
                self.forget_owner(&old);
                self.customers[i] = Packed::pack(&customer);
            }
            Err(i) => self.customers.insert(i, Packed::pack(&customer)),
        }
        for k in &customer.contacts {
            self.set_owner(k.id, customer.id);
        }
    }

    /// Inserts or replaces a customer's own fields and keeps the contacts the mirror has for it
    /// (for answers that do not embed contacts).
    pub fn put_customer_keep_contacts(&mut self, mut customer: Customer) {
        if let Ok(i) = self.position(customer.id) {
            customer.contacts = self.customers[i].unpack().contacts;
        }
        self.put_customer(customer);
    }

    /// Removes a customer and its contacts.
    pub fn remove_customer(&mut self, id: Id) -> Option<Customer> {
        let i = self.position(id).ok()?;
        let old = self.customers.remove(i).unpack();
        self.forget_owner(&old);
        Some(old)
    }

    /// Inserts or replaces a contact under `contact.customer_id` (moving it if it belonged to
    /// another customer). Returns false, and changes nothing, when that customer is unknown.
    pub fn put_contact(&mut self, contact: Contact) -> bool {
        let Some(owner) = contact.customer_id else {
            return false;
        };
        let Ok(ci) = self.position(owner) else {
            return false;
        };
        let contact_id = contact.id;
        // Only the customer that held the contact, if another, is re-packed without it.
        if let Some(before) = self.contact_owner(contact_id).filter(|&o| o != owner)
            && let Ok(bi) = self.position(before)
        {
            let mut c = self.customers[bi].unpack();
            c.contacts.retain(|k| k.id != contact_id);
            self.customers[bi] = Packed::pack(&c);
        }
        let mut c = self.customers[ci].unpack();
        match c.contacts.binary_search_by_key(&contact_id, |k| k.id) {
            Ok(i) => c.contacts[i] = contact,
            Err(i) => c.contacts.insert(i, contact),
        }
        self.customers[ci] = Packed::pack(&c);
        self.set_owner(contact_id, owner);
        true
    }

    /// Removes a contact wherever it is.
    pub fn remove_contact(&mut self, id: Id) -> Option<Contact> {
        let ci = self.position(self.contact_owner(id)?).ok()?;
        let mut c = self.customers[ci].unpack();
        let i = c.contacts.iter().position(|k| k.id == id)?;
        let removed = c.contacts.remove(i);
        self.customers[ci] = Packed::pack(&c);
        if let Ok(o) = self.owners.binary_search_by_key(&id, |&(k, _)| k) {
            self.owners.remove(o);
        }
        Some(removed)
    }

    fn set_owner(&mut self, contact: Id, customer: Id) {
        match self.owners.binary_search_by_key(&contact, |&(k, _)| k) {
            Ok(i) => self.owners[i].1 = customer,
            Err(i) => self.owners.insert(i, (contact, customer)),
        }
    }

    /// Forgets the owners of a customer's contacts (those still pointing at it).
    fn forget_owner(&mut self, old: &Customer) {
        for k in &old.contacts {
            if let Ok(i) = self.owners.binary_search_by_key(&k.id, |&(k, _)| k)
                && self.owners[i].1 == old.id
            {
                self.owners.remove(i);
            }
        }
    }

    fn to_body(&self) -> BodyRef<'_> {
        BodyRef {
            base_url: &self.base_url,
            last_full_sync: self.last_full_sync.as_ref().map(format::instant),
            last_incremental_sync: self.last_incremental_sync.as_ref().map(format::instant),
            contacts_embedded: self.contacts_embedded,
            customers: &self.customers,
        }
    }

    /// `file` holds the whole file; `body` was decoded from it and borrows its records from it.
    fn from_body<T>(
        file: &Arc<Vec<u8>>,
        body: Body<'_>,
        each: &mut impl FnMut(&Customer) -> T,
    ) -> Result<(Self, Vec<T>), DiscardReason> {
        let mut customers = Vec::with_capacity(body.customers.len());
        let mut made = Vec::with_capacity(body.customers.len());
        let mut owners = Vec::new();
        let mut sorted = true;
        let base = file.as_ptr() as usize;
        for bytes in body.customers {
            // The records stay where they are in the file's bytes (one block for the whole
            // account). Each is decoded once here: a damaged one discards the file now rather
            // than surprise a reader later, and its contacts' owners are noted.
            let start = (bytes.as_ptr() as usize).wrapping_sub(base);
            let (record, c) = Packed::in_file(file, start, start.saturating_add(bytes.len()))
                .map_err(|e| DiscardReason::Corrupt(format!("a customer record: {e}")))?;
            sorted &= customers.last().is_none_or(|l: &Packed| l.id() < c.id)
                && c.contacts.is_sorted_by_key(|k| k.id);
            owners.extend(c.contacts.iter().map(|k| (k.id, c.id)));
            made.push(each(&c));
            customers.push(record);
        }
        let mut m = Mirror {
            base_url: body.base_url,
            last_full_sync: body.last_full_sync.and_then(format::from_instant),
            last_incremental_sync: body.last_incremental_sync.and_then(format::from_instant),
            contacts_embedded: body.contacts_embedded,
            customers: Vec::new(),
            owners: Vec::new(),
        };
        if sorted {
            // As saved: customers and their contacts sorted by id.
            owners.sort_by_key(|o| o.0);
            owners.dedup_by_key(|o| o.0);
            m.customers = customers;
            m.owners = owners;
        } else {
            // Not as this program saves: what `each` made follows the file's order, not the
            // mirror's, and is dropped.
            m.replace_all(customers.iter().map(Packed::unpack).collect());
            made.clear();
        }
        Ok((m, made))
    }

    /// Encodes the mirror as the bytes of a mirror file (header and body), without a views
    /// section.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with_views(None)
    }

    /// [`Mirror::to_bytes`], followed by a views section holding the contacts' owners and
    /// `views` (the caller's, read back by [`Mirror::from_file_or_views`]) when given.
    pub fn to_bytes_with_views(&self, views: Option<&[u8]>) -> Vec<u8> {
        match views {
            Some(v) => self.to_bytes_writing_views(Some(&|_, out| out.extend_from_slice(v)), 0),
            None => self.to_bytes_writing_views(None, 0),
        }
    }

    /// [`Mirror::to_bytes_with_views`], the caller's part of the section written by `views`
    /// straight into the file's bytes (about `views_len` bytes): no copy of it is made.
    fn to_bytes_writing_views(&self, views: ViewsOf<'_>, views_len: usize) -> Vec<u8> {
        // The body is encoded straight into the file's bytes (no second copy of the account);
        // each record adds its length's varint (at most 5 bytes) to its bytes.
        let records: usize = self.customers.iter().map(|p| p.len() + 5).sum();
        let section_len = views.map_or(0, |_| 8 + 16 * self.owners.len() + views_len);
        let mut out = Vec::with_capacity(
            HEADER_LEN + self.base_url.len() + 64 + records + VIEWS_HEADER_LEN + section_len,
        );
        let header = |out: &mut Vec<u8>| {
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            out.extend_from_slice(&[0; 12]);
        };
        header(&mut out);
        // Encoding plain structs into a Vec cannot fail; an empty body would be discarded on load.
        let mut out = postcard::to_extend(&self.to_body(), out).unwrap_or_else(|_| {
            let mut out = Vec::new();
            header(&mut out);
            out
        });
        let body_len = out.len() - HEADER_LEN;
        let crc = crc32fast::hash(&out[HEADER_LEN..]);
        out[12..20].copy_from_slice(&(body_len as u64).to_le_bytes());
        out[20..24].copy_from_slice(&crc.to_le_bytes());
        if let Some(views) = views {
            out.extend_from_slice(VIEWS_MAGIC);
            let len_at = out.len();
            out.extend_from_slice(&[0; 12]);
            let start = out.len();
            out.extend_from_slice(&(self.owners.len() as u64).to_le_bytes());
            for &(contact, customer) in &self.owners {
                out.extend_from_slice(&contact.to_le_bytes());
                out.extend_from_slice(&customer.to_le_bytes());
            }
            views(self, &mut out);
            let len = (out.len() - start) as u64;
            let crc = crc32fast::hash(&out[start..]);
            out[len_at..len_at + 8].copy_from_slice(&len.to_le_bytes());
            out[len_at + 8..start].copy_from_slice(&crc.to_le_bytes());
        }
        out
    }

    /// Decodes the bytes of a mirror file; the error says why the file cannot be used.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DiscardReason> {
        Self::from_file(bytes.to_vec(), &mut |_| ()).map(|(m, _)| m)
    }

    /// Decodes a mirror file read into `bytes`, which the mirror keeps: its records stay in
    /// them. Calls `each` on every customer as it is decoded (each record is decoded once, at
    /// load): what a caller builds from every record, like the list's rows, costs no second
    /// decode. What `each` made comes back in the mirror's order (one per record), or empty in
    /// the rare case of a file that was not saved sorted. A views section is not used.
    pub fn from_file<T>(
        bytes: Vec<u8>,
        each: &mut impl FnMut(&Customer) -> T,
    ) -> Result<(Self, Vec<T>), DiscardReason> {
        let (m, made) = Self::from_file_or_views(bytes, |_, _| None::<()>, each)?;
        Ok((m, made.decoded()))
    }

    /// [`Mirror::from_file`], but when the file has a views section, `views` is called first
    /// with the caller's part of it and the customers' ids (in the file's order): what it returns
    /// ([`Made::Stored`]) stands for what `each` would have made, and no record is decoded
    /// (the caller runs [`Mirror::check`] later, off the screen's path). When there is no
    /// section, it is damaged, or `views` refuses it (`None`), every record is decoded as
    /// [`Mirror::from_file`] does ([`Made::Decoded`]). The section is not kept in memory.
    pub fn from_file_or_views<T, V>(
        mut bytes: Vec<u8>,
        views: impl FnOnce(&[u8], &[Id]) -> Option<V>,
        each: &mut impl FnMut(&Customer) -> T,
    ) -> Result<(Self, Made<T, V>), DiscardReason> {
        if bytes.len() < HEADER_LEN {
            return Err(if bytes.starts_with(&MAGIC[..bytes.len().min(8)]) {
                DiscardReason::Truncated
            } else {
                DiscardReason::NotAMirror
            });
        }
        let (header, rest) = bytes.split_at(HEADER_LEN);
        if &header[..8] != MAGIC {
            return Err(DiscardReason::NotAMirror);
        }
        let version = u32::from_le_bytes(word(&header[8..12]));
        if version < OLD_FORMAT_VERSION {
            return Err(DiscardReason::OlderVersion(version));
        }
        if version > FORMAT_VERSION {
            return Err(DiscardReason::NewerVersion(version));
        }
        let len = u64::from_le_bytes(dword(&header[12..20]));
        let crc = u32::from_le_bytes(word(&header[20..24]));
        if (rest.len() as u64) < len {
            return Err(DiscardReason::Truncated);
        }
        // Fits: `len` is at most the bytes' length.
        let body_end = HEADER_LEN + len as usize;
        let (body, trailing) = rest.split_at(len as usize);
        if (version == OLD_FORMAT_VERSION && !trailing.is_empty()) || crc32fast::hash(body) != crc {
            return Err(DiscardReason::Corrupt("checksum mismatch".into()));
        }
        let mut stored = None;
        if let Some((owners, section)) = views_section(trailing) {
            let decoded: Body<'_> =
                postcard::from_bytes(body).map_err(|e| DiscardReason::Corrupt(e.to_string()))?;
            let base = bytes.as_ptr() as usize;
            let spans: Vec<(usize, usize)> = decoded
                .customers
                .iter()
                .map(|r| {
                    let start = (r.as_ptr() as usize).wrapping_sub(base);
                    (start, start.saturating_add(r.len()))
                })
                .collect();
            let ids: Vec<Id> = decoded.customers.iter().map(|r| leading_id(r)).collect();
            let in_order = ids.windows(2).all(|w| w[0] < w[1]);
            if let Some(made) = views(section, &ids).filter(|_| in_order) {
                let meta = Mirror {
                    base_url: decoded.base_url,
                    last_full_sync: decoded.last_full_sync.and_then(format::from_instant),
                    last_incremental_sync: decoded
                        .last_incremental_sync
                        .and_then(format::from_instant),
                    contacts_embedded: decoded.contacts_embedded,
                    customers: Vec::new(),
                    owners,
                };
                stored = Some((meta, spans, made));
            }
        }
        // The views section was copied out (or is not used): the records' block ends with
        // the body.
        bytes.truncate(body_end);
        bytes.shrink_to_fit();
        let file = Arc::new(bytes);
        if let Some((mut m, spans, made)) = stored {
            let customers: Option<Vec<Packed>> = spans
                .into_iter()
                .map(|(start, end)| Packed::in_file_unchecked(&file, start, end))
                .collect();
            if let Some(customers) =
                customers.filter(|_| m.owners.windows(2).all(|w| w[0].0 < w[1].0))
            {
                m.customers = customers;
                return Ok((m, Made::Stored(made)));
            }
            tracing::warn!("mirror: the views section does not fit the records; decoding them");
        }
        let body = file.get(HEADER_LEN..).unwrap_or_default();
        let decoded: Body<'_> =
            postcard::from_bytes(body).map_err(|e| DiscardReason::Corrupt(e.to_string()))?;
        let (m, made) = Mirror::from_body(&file, decoded, each)?;
        Ok((m, Made::Decoded(made)))
    }

    /// Decodes every record once, as a load without views does: each must decode, be where its
    /// id says, hold its contacts sorted, and the contacts' owners must be theirs. An error
    /// means the file was damaged: the mirror is to be discarded as at load.
    pub fn check(&self) -> Result<(), DiscardReason> {
        let mut owners = Vec::with_capacity(self.owners.len());
        for p in &self.customers {
            let c = format::decode_customer(p.bytes())
                .map_err(|e| DiscardReason::Corrupt(format!("a customer record: {e}")))?;
            if c.id != p.id() || !c.contacts.is_sorted_by_key(|k| k.id) {
                return Err(DiscardReason::Corrupt(format!(
                    "customer {} is not as saved",
                    p.id()
                )));
            }
            owners.extend(c.contacts.iter().map(|k| (k.id, c.id)));
        }
        owners.sort_by_key(|o| o.0);
        owners.dedup_by_key(|o| o.0);
        if owners != self.owners {
            return Err(DiscardReason::Corrupt(
                "the contacts do not match their customers".into(),
            ));
        }
        Ok(())
    }
}

fn word(b: &[u8]) -> [u8; 4] {
    let mut w = [0u8; 4];
    w.copy_from_slice(b);
    w
}

fn dword(b: &[u8]) -> [u8; 8] {
    let mut w = [0u8; 8];
    w.copy_from_slice(b);
    w
}

/// Every contact's id with its customer's, sorted by contact id.
type Owners = Vec<(Id, Id)>;

/// The views section after a body: the contacts' owners and the caller's part. `None` when
/// there is none, or it is truncated or damaged (then the records are decoded instead).
fn views_section(trailing: &[u8]) -> Option<(Owners, &[u8])> {
    if trailing.is_empty() {
        return None;
    }
    let damaged = |why: &str| {
        tracing::warn!("mirror: the views section is {why}; decoding every record");
        None
    };
    if trailing.len() < VIEWS_HEADER_LEN || &trailing[..8] != VIEWS_MAGIC {
        return damaged("truncated or not one");
    }
    let len = u64::from_le_bytes(dword(&trailing[8..16]));
    let crc = u32::from_le_bytes(word(&trailing[16..20]));
    let section = &trailing[VIEWS_HEADER_LEN..];
    if section.len() as u64 != len {
        return damaged("of the wrong length");
    }
    if crc32fast::hash(section) != crc {
        return damaged("damaged");
    }
    let count = usize::try_from(u64::from_le_bytes(dword(section.get(..8)?))).ok()?;
    let pairs_end = count.checked_mul(16)?.checked_add(8)?;
    let Some(pairs) = section.get(8..pairs_end) else {
        return damaged("short of its contacts");
    };
    let owners = pairs
        .chunks_exact(16)
        .map(|p| {
            (
                u64::from_le_bytes(dword(&p[..8])),
                u64::from_le_bytes(dword(&p[8..])),
            )
        })
        .collect();
    Some((owners, &section[pairs_end..]))
}

/// What came with a loaded mirror besides its records (see [`Mirror::from_file_or_views`]).
#[derive(Debug)]
pub enum Made<T, V> {
    /// Every record was decoded: what `each` made of each, in the mirror's order.
    Decoded(Vec<T>),
    /// The views section was used: no record was decoded yet ([`Mirror::check`]).
    Stored(V),
}

impl<T, V> Made<T, V> {
    /// What `each` made (empty when the views section was used).
    pub fn decoded(self) -> Vec<T> {
        match self {
            Made::Decoded(v) => v,
            Made::Stored(_) => Vec::new(),
        }
    }
}

impl<T, V> Default for Made<T, V> {
    fn default() -> Self {
        Made::Decoded(Vec::new())
    }
}

/// Every contact's id with its customer's, sorted by contact id (a contact listed twice keeps
/// its last owner).
fn owners_of<'a>(customers: impl Iterator<Item = &'a Customer>) -> Vec<(Id, Id)> {
    let mut owners: Vec<(Id, Id)> = customers
        .flat_map(|c| c.contacts.iter().map(move |k| (k.id, c.id)))
        .collect();
    owners.sort_by_key(|o| o.0);
    owners.dedup_by_key(|o| o.0);
    owners.shrink_to_fit();
    owners
}

fn sort_contacts(contacts: &mut Vec<Contact>) {
    contacts.sort_by_key(|k| k.id);
    contacts.dedup_by_key(|k| k.id);
}

/// Sorts by id, keeps the last of duplicated ids, sorts each customer's contacts.
fn normalise(mut customers: Vec<Customer>) -> Vec<Customer> {
    if customers.windows(2).all(|w| w[0].id < w[1].id) {
        for c in &mut customers {
            if !c.contacts.is_sorted_by_key(|k| k.id) {
                sort_contacts(&mut c.contacts);
            }
        }
        return customers;
    }
    // Stable sort, then keep the last of each run: "later wins" for duplicated ids.
    customers.sort_by_key(|c| c.id);
    let mut out: Vec<Customer> = Vec::with_capacity(customers.len());
    for c in customers {
        match out.last_mut() {
            Some(last) if last.id == c.id => *last = c,
            _ => out.push(c),
        }
    }
    for c in &mut out {
        sort_contacts(&mut c.contacts);
    }
    out
}

/// Why a mirror file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscardReason {
    /// The file is shorter than its header says (a write was cut off).
    Truncated,
    /// The file is not a mirror file at all.
    NotAMirror,
    /// Written by an older syncro-tui in an older format.
    OlderVersion(u32),
    /// Written by a newer syncro-tui in a format this one does not know.
    NewerVersion(u32),
    /// The body does not match its checksum or cannot be decoded.
    Corrupt(String),
    /// The mirror belongs to another server than the profile's current one.
    OtherServer(String),
    /// The file exists but cannot be read.
    Unreadable(String),
}

impl fmt::Display for DiscardReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscardReason::Truncated => write!(f, "it is truncated (an earlier write was cut off)"),
            DiscardReason::NotAMirror => write!(f, "it is not a syncro-tui mirror file"),
            DiscardReason::OlderVersion(v) => write!(
                f,
                "it was written in an older format (version {v}; this version uses {FORMAT_VERSION})"
            ),
            DiscardReason::NewerVersion(v) => write!(
                f,
                "it was written by a newer syncro-tui (format version {v}; this version reads {FORMAT_VERSION})"
            ),
            DiscardReason::Corrupt(why) => write!(f, "it is damaged ({why})"),
            DiscardReason::OtherServer(url) => write!(f, "it belongs to another server ({url})"),
            DiscardReason::Unreadable(why) => write!(f, "it cannot be read ({why})"),
        }
    }
}

/// The result of looking for a profile's mirror at start.
#[derive(Debug)]
pub enum LoadOutcome {
    /// A usable mirror.
    Loaded(Mirror),
    /// No mirror yet (first start, or after `cache clear`).
    Missing,
    /// A file was there but cannot be used; the caller starts from an empty mirror and syncs.
    /// The file stays until the next save replaces it.
    Discarded {
        path: PathBuf,
        reason: DiscardReason,
    },
}

impl LoadOutcome {
    /// A message for the status line when the file was discarded.
    pub fn notice(&self) -> Option<String> {
        match self {
            LoadOutcome::Discarded { path, reason } => Some(format!(
                "Local mirror {} discarded because {reason}; it will be rebuilt by the next sync",
                path.display()
            )),
            _ => None,
        }
    }

    /// The loaded mirror, or an empty one for `base_url` that the next sync fills.
    pub fn into_mirror_or_empty(self, base_url: &str) -> Mirror {
        match self {
            LoadOutcome::Loaded(m) => m,
            _ => Mirror::new(base_url),
        }
    }
}

/// Path of a profile's mirror file: `<dir>/mirror-<profile>.bin` (the profile name made safe
/// for a file name).
pub fn mirror_path(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!("mirror-{}.bin", safe_name(profile)))
}

/// A profile name made safe for a file name (`mirror-…`, `dismissed-…`).
pub(crate) fn safe_name(profile: &str) -> String {
    let name: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "default".into()
    } else {
        name
    }
}

fn temp_prefix(profile: &str) -> String {
    crate::files::temp_prefix(&mirror_path(Path::new(""), profile))
}

/// Loads a profile's mirror. Never fails and never panics: problems become `Discarded`.
pub fn load(dir: &Path, profile: &str) -> LoadOutcome {
    load_with(dir, profile, &mut |_| ()).0
}

/// [`load`], calling `each` on every customer as it is decoded (see
/// [`Mirror::from_file`]).
pub fn load_with<T>(
    dir: &Path,
    profile: &str,
    each: &mut impl FnMut(&Customer) -> T,
) -> (LoadOutcome, Vec<T>) {
    let (outcome, made, _) = load_with_base(dir, profile, each);
    (outcome, made)
}

/// [`load_with`], with what a later [`save_merged`] needs to know of the file as loaded.
/// Leftover temporary files of killed writes (their process is gone) are removed first.
pub fn load_with_base<T>(
    dir: &Path,
    profile: &str,
    each: &mut impl FnMut(&Customer) -> T,
) -> (LoadOutcome, Vec<T>, SaveBase) {
    let (outcome, made, base) = load_or_views(dir, profile, |_, _| None::<()>, each);
    (outcome, made.decoded(), base)
}

/// [`load_with_base`], using the file's views section when `views` accepts it (see
/// [`Mirror::from_file_or_views`]).
pub fn load_or_views<T, V>(
    dir: &Path,
    profile: &str,
    views: impl FnOnce(&[u8], &[Id]) -> Option<V>,
    each: &mut impl FnMut(&Customer) -> T,
) -> (LoadOutcome, Made<T, V>, SaveBase) {
    crate::files::remove_dead_temps(dir);
    let path = mirror_path(dir, profile);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return (LoadOutcome::Missing, Made::default(), SaveBase::unknown());
        }
        Err(e) => {
            let reason = DiscardReason::Unreadable(e.to_string());
            return (
                LoadOutcome::Discarded { path, reason },
                Made::default(),
                SaveBase::unknown(),
            );
        }
    };
    let stamp = stamp_of(&bytes);
    match Mirror::from_file_or_views(bytes, views, each) {
        Ok((m, made)) => {
            let base = SaveBase::of(&m, stamp);
            (LoadOutcome::Loaded(m), made, base)
        }
        Err(reason) => (
            LoadOutcome::Discarded { path, reason },
            Made::default(),
            SaveBase::unknown(),
        ),
    }
}

/// Loads a profile's mirror and discards it when it was filled from another server.
pub fn load_for_server(dir: &Path, profile: &str, base_url: &str) -> LoadOutcome {
    load_for_server_with(dir, profile, base_url, &mut |_| ()).0
}

/// [`load_for_server`], calling `each` on every customer as it is decoded (see
/// [`Mirror::from_file`]).
pub fn load_for_server_with<T>(
    dir: &Path,
    profile: &str,
    base_url: &str,
    each: &mut impl FnMut(&Customer) -> T,
) -> (LoadOutcome, Vec<T>) {
    let (outcome, made, _) = load_for_server_with_base(dir, profile, base_url, each);
    (outcome, made)
}

/// [`load_for_server_with`], with the [`SaveBase`] for later [`save_merged`] calls.
pub fn load_for_server_with_base<T>(
    dir: &Path,
    profile: &str,
    base_url: &str,
    each: &mut impl FnMut(&Customer) -> T,
) -> (LoadOutcome, Vec<T>, SaveBase) {
    let (outcome, made, base) =
        load_for_server_or_views(dir, profile, base_url, |_, _| None::<()>, each);
    (outcome, made.decoded(), base)
}

/// [`load_for_server_with_base`], using the file's views section when `views` accepts it
/// (see [`Mirror::from_file_or_views`]).
pub fn load_for_server_or_views<T, V>(
    dir: &Path,
    profile: &str,
    base_url: &str,
    views: impl FnOnce(&[u8], &[Id]) -> Option<V>,
    each: &mut impl FnMut(&Customer) -> T,
) -> (LoadOutcome, Made<T, V>, SaveBase) {
    match load_or_views(dir, profile, views, each) {
        (LoadOutcome::Loaded(m), _, _)
            if m.base_url.trim_end_matches('/') != base_url.trim_end_matches('/') =>
        {
            let path = mirror_path(dir, profile);
            let reason = DiscardReason::OtherServer(m.base_url);
            (
                LoadOutcome::Discarded { path, reason },
                Made::default(),
                SaveBase::unknown(),
            )
        }
        other => other,
    }
}

/// Writes a profile's mirror crash-safely ([`crate::files::write_private`]: temporary file,
/// fsync, rename) with mode 0600 in a private directory, holding the mirror's lock. It replaces
/// whatever the file held (a complete pass, `syncro-tui sync`); the app saves with
/// [`save_merged`]. Returns the path written.
pub fn save(dir: &Path, profile: &str, mirror: &Mirror) -> io::Result<PathBuf> {
    save_with_views(dir, profile, mirror, None)
}

/// Writes the caller's part of a views section, built from the mirror about to be written,
/// at the end of the file's bytes (see [`Mirror::to_bytes_with_views`]).
pub type ViewsOf<'a> = Option<&'a dyn Fn(&Mirror, &mut Vec<u8>)>;

/// Room for the views section of `m`: about what the list's rows of the demo data take.
fn views_room(m: &Mirror, views: ViewsOf<'_>) -> usize {
    views.map_or(0, |_| m.customer_count() * 520)
}

/// [`save`], with a views section made by `views`.
pub fn save_with_views(
    dir: &Path,
    profile: &str,
    mirror: &Mirror,
    views: ViewsOf<'_>,
) -> io::Result<PathBuf> {
    create_private_dir(dir)?;
    let _lock = crate::files::FileLock::acquire(&lock_path(dir, profile))?;
    let path = mirror_path(dir, profile);
    let bytes = mirror.to_bytes_writing_views(views, views_room(mirror, views));
    crate::files::write_private(&path, &bytes)?;
    write_index(&path, &bytes);
    remove_stale_temps(dir, profile);
    Ok(path)
}

/// Writes the lookup index of the mirror file just written at `path` (see
/// [`super::index`]). The index is derived data: when it cannot be written the save still
/// stands, and the old index, which no longer matches the file, is removed (a lookup scans the
/// mirror without it).
fn write_index(path: &Path, bytes: &[u8]) {
    let idx = super::index::index_path(path);
    let written = match super::index::build(bytes) {
        Some(index) => crate::files::write_private(&idx, &index),
        None => Err(io::Error::other("the mirror's records do not decode")),
    };
    if let Err(e) = written {
        tracing::warn!("mirror: the lookup index was not written: {e}");
        let _ = fs::remove_file(&idx);
    }
    // The build's decoded records and tables (tens of MB at 100,000 customers) are freed
    // now: give their pages back rather than keep them in the app's memory.
    crate::memory::release_free_memory();
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    crate::files::create_private_dir(dir)
}

fn lock_path(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!("mirror-{}.bin.lock", safe_name(profile)))
}

/// A file's identity for "has anyone written it since": its length and checksum (from the
/// header).
type Stamp = (u64, u32);

fn stamp_of(bytes: &[u8]) -> Option<Stamp> {
    let header = bytes.get(..HEADER_LEN)?;
    let mut len = [0u8; 8];
    len.copy_from_slice(&header[12..20]);
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&header[20..24]);
    Some((u64::from_le_bytes(len), u32::from_le_bytes(crc)))
}

fn read_stamp(path: &Path) -> io::Result<Option<Stamp>> {
    use std::io::Read;
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut header = [0u8; HEADER_LEN];
    match f.read_exact(&mut header) {
        Ok(()) => Ok(stamp_of(&header)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

/// What an instance knows of the mirror file as it last read or wrote it: whether someone
/// else wrote it since (the stamp), and which records it held (to tell a record another
/// instance deleted from one it created). Kept by the caller between saves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveBase {
    stamp: Option<Stamp>,
    customers: Vec<Id>,
    /// `(contact, customer)`, sorted.
    contacts: Vec<(Id, Id)>,
}

impl SaveBase {
    /// Nothing known of the file: the first save keeps every record of both sides.
    pub fn unknown() -> SaveBase {
        SaveBase::default()
    }

    fn of(m: &Mirror, stamp: Option<Stamp>) -> SaveBase {
        SaveBase {
            stamp,
            customers: m.customers.iter().map(Packed::id).collect(),
            contacts: m.owners.clone(),
        }
    }

    fn had_customer(&self, id: Id) -> bool {
        self.customers.binary_search(&id).is_ok()
    }

    fn had_contact(&self, contact: Id, customer: Id) -> bool {
        self.contacts.binary_search(&(contact, customer)).is_ok()
    }
}

/// A record a merged save took from the file (another instance's), for the caller's copy.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// This customer (with its contacts) as the file had it, newer than this instance's.
    Put(Box<Customer>),
    /// Gone from the file, deleted by another instance.
    Removed(Id),
}

/// Saves the app's mirror without reverting what another instance saved (see the module
/// docs): under the lock, when the file changed since `base`, its records are merged with
/// `ours` and the result written. Returns the path and what was taken from the file (for
/// the caller to apply to its own copy and show); `base` is brought up to date.
pub fn save_merged(
    dir: &Path,
    profile: &str,
    ours: &Mirror,
    base: &mut SaveBase,
) -> io::Result<(PathBuf, Vec<Taken>)> {
    save_merged_with_views(dir, profile, ours, base, None)
}

/// [`save_merged`], with a views section made by `views` (of what is written).
pub fn save_merged_with_views(
    dir: &Path,
    profile: &str,
    ours: &Mirror,
    base: &mut SaveBase,
    views: ViewsOf<'_>,
) -> io::Result<(PathBuf, Vec<Taken>)> {
    create_private_dir(dir)?;
    let _lock = crate::files::FileLock::acquire(&lock_path(dir, profile))?;
    let path = mirror_path(dir, profile);
    let on_disk = read_stamp(&path)?;
    let mut taken = Vec::new();
    let mut merged: Option<Mirror> = None;
    if on_disk.is_some() && on_disk != base.stamp {
        // Someone else wrote it: read it whole (a damaged or foreign file is simply replaced).
        if let Ok(theirs) = fs::read(&path)
            .map_err(|e| DiscardReason::Unreadable(e.to_string()))
            .and_then(|b| Mirror::from_bytes(&b))
            && theirs.base_url.trim_end_matches('/') == ours.base_url.trim_end_matches('/')
        {
            let (m, t) = merge(ours, &theirs, base);
            tracing::info!(
                taken = t.len(),
                "mirror: merged with changes another instance saved"
            );
            merged = Some(m);
            taken = t;
        }
    }
    let to_write = merged.as_ref().unwrap_or(ours);
    let bytes = to_write.to_bytes_writing_views(views, views_room(to_write, views));
    crate::files::write_private(&path, &bytes)?;
    write_index(&path, &bytes);
    *base = SaveBase::of(to_write, stamp_of(&bytes));
    remove_stale_temps(dir, profile);
    Ok((path, taken))
}

fn newer(
    a: Option<&crate::api::model::Timestamp>,
    b: Option<&crate::api::model::Timestamp>,
) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a > b,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Merges the file's mirror (`theirs`) into `ours`, record by record (see the module docs).
fn merge(ours: &Mirror, theirs: &Mirror, base: &SaveBase) -> (Mirror, Vec<Taken>) {
    let mut out: Vec<Packed> = Vec::with_capacity(ours.customers.len().max(theirs.customers.len()));
    let mut taken = Vec::new();
    let (a, b) = (&ours.customers, &theirs.customers);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let (ida, idb) = (a.get(i).map(Packed::id), b.get(j).map(Packed::id));
        match (ida, idb) {
            (Some(x), Some(y)) if x == y => {
                if a[i] == b[j] {
                    out.push(a[i].clone());
                } else {
                    let (mine, other) = (a[i].unpack(), b[j].unpack());
                    let c = merge_customer(mine, other, base);
                    out.push(Packed::pack(&c));
                    if out.last() != Some(&a[i]) {
                        taken.push(Taken::Put(Box::new(c)));
                    }
                }
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none_or(|y| x < y) => {
                // Only ours: new here, or deleted there.
                if base.had_customer(x) {
                    taken.push(Taken::Removed(x));
                } else {
                    out.push(a[i].clone());
                }
                i += 1;
            }
            (_, Some(y)) => {
                // Only theirs: created there, or deleted here.
                if !base.had_customer(y) {
                    out.push(b[j].clone());
                    taken.push(Taken::Put(Box::new(b[j].unpack())));
                }
                j += 1;
            }
            (_, None) => i += 1,
        }
    }
    let mut m = Mirror::new(ours.base_url.clone());
    m.last_full_sync = ours.last_full_sync.max(theirs.last_full_sync);
    m.last_incremental_sync = ours.last_incremental_sync.max(theirs.last_incremental_sync);
    m.contacts_embedded = ours.contacts_embedded.or(theirs.contacts_embedded);
    m.replace_all_packed(out);
    (m, taken)
}

/// One customer both sides hold: the newer fields, and each contact the newer of the two.
fn merge_customer(mut mine: Customer, mut other: Customer, base: &SaveBase) -> Customer {
    let id = mine.id;
    let theirs_newer = newer(other.updated_at.as_ref(), mine.updated_at.as_ref());
    let mut contacts: Vec<Contact> = Vec::new();
    let (mut ka, mut kb) = (
        std::mem::take(&mut mine.contacts),
        std::mem::take(&mut other.contacts),
    );
    let mut win = if theirs_newer { other } else { mine };
    ka.sort_by_key(|k| k.id);
    kb.sort_by_key(|k| k.id);
    let mut kb = kb.into_iter().peekable();
    for k in ka {
        while let Some(t) = kb.next_if(|t| t.id < k.id) {
            if !base.had_contact(t.id, id) {
                contacts.push(t);
            }
        }
        match kb.next_if(|t| t.id == k.id) {
            Some(t) if newer(t.updated_at.as_ref(), k.updated_at.as_ref()) => contacts.push(t),
            Some(_) => contacts.push(k),
            None if base.had_contact(k.id, id) => {}
            None => contacts.push(k),
        }
    }
    for t in kb {
        if !base.had_contact(t.id, id) {
            contacts.push(t);
        }
    }
    win.contacts = contacts;
    win
}

/// Removes temporary files of this profile left by killed writes (old enough that no running
/// save can still own them).
fn remove_stale_temps(dir: &Path, profile: &str) {
    let prefix = temp_prefix(profile);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= STALE_TEMP_AGE);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes a profile's mirror (with its lookup index and its leftover temporary files).
/// Returns whether a mirror file existed.
pub fn clear(dir: &Path, profile: &str) -> io::Result<bool> {
    let path = mirror_path(dir, profile);
    let existed = match fs::remove_file(&path) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    match fs::remove_file(super::index::index_path(&path)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let prefix = temp_prefix(profile);
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    Ok(existed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::Properties;
    use crate::api::model::de::parse_timestamp;
    use serde_json::json;

    fn customer(id: Id, name: &str, contacts: Vec<Contact>) -> Customer {
        let mut properties = Properties::new();
        properties.insert("Managed Status".into(), json!("Gold"));
        properties.insert("Seats".into(), json!(12));
        properties.insert("Ratio".into(), json!(0.5));
        properties.insert("Nested".into(), json!({"a": [1, "b"]}));
        Customer {
            id,
            business_name: Some(name.into()),
            business_then_name: Some(name.into()),
            firstname: Some("Zoë".into()),
            lastname: Some("Ångström".into()),
            email: Some(format!("{id}@example.com")),
            phone: Some("5551234567".into()),
            latitude: Some(40.25),
            disabled: id.is_multiple_of(2),
            get_sms: Some(true),
            properties,
            created_at: parse_timestamp("2024-03-05T15:14:24.066+02:00"),
            updated_at: parse_timestamp("2024-03-06T09:00:00.5-05:00"),
            contacts,
            ..Default::default()
        }
    }

    fn contact(id: Id, customer_id: Id, name: &str) -> Contact {
        let mut properties = Properties::new();
        properties.insert("title".into(), json!("IT Manager"));
        Contact {
            id,
            customer_id: Some(customer_id),
            name: Some(name.into()),
            email: Some(format!("{name}@example.com").to_lowercase()),
            phone: Some("657.325.3258 x330".into()),
            properties,
            updated_at: parse_timestamp("2024-01-01T00:00:00.001Z"),
            ..Default::default()
        }
    }

    fn sample() -> Mirror {
        let mut m = Mirror::new("http://127.0.0.1:9/api/v1");
        m.last_full_sync = DateTime::from_timestamp(1_700_000_000, 123_456_789);
        m.contacts_embedded = Some(true);
        m.replace_all(vec![
            customer(3, "Acme Dental", vec![contact(31, 3, "Jane Roe")]),
            customer(
                1,
                "東京 Trading 🍣",
                vec![contact(12, 1, "B"), contact(11, 1, "A")],
            ),
        ]);
        m
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let m = sample();
        let path = save(dir.path(), "work", &m).unwrap();
        assert_eq!(path, dir.path().join("mirror-work.bin"));
        let LoadOutcome::Loaded(back) = load(dir.path(), "work") else {
            panic!("mirror not loaded");
        };
        assert_eq!(back, m);
        assert_eq!(back.customers()[0].id, 1);
        assert_eq!(back.customers()[0].contacts[0].id, 11, "contacts sorted");
        let ts = back.customers()[1].created_at.unwrap();
        assert_eq!(ts.offset().local_minus_utc(), 7200);
        assert_eq!(ts.timestamp_subsec_millis(), 66);
        assert_eq!(
            back.customer(3).unwrap().property("Seats").as_deref(),
            Some("12")
        );
        assert_eq!(back.contact_count(), 3);
    }

    #[test]
    fn age_for_the_status_line() {
        let mut m = Mirror::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(m.synced_ago(now), "never synced");
        m.last_full_sync = Some(now - chrono::Duration::hours(5));
        m.last_incremental_sync = Some(now - chrono::Duration::hours(3));
        assert_eq!(m.synced_ago(now), "synced 3 h ago");
        m.last_incremental_sync = Some(now - chrono::Duration::seconds(20));
        assert_eq!(m.synced_ago(now), "synced just now");
        m.last_incremental_sync = Some(now - chrono::Duration::minutes(7));
        assert_eq!(m.synced_ago(now), "synced 7 min ago");
        m.last_incremental_sync = None;
        m.last_full_sync = Some(now - chrono::Duration::days(2));
        assert_eq!(m.synced_ago(now), "synced 2 d ago");
    }

    #[test]
    fn missing_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(dir.path(), "x"), LoadOutcome::Missing));
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = save(dir.path(), "p", &sample()).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A second save (replacing the file) keeps the mode.
        let path = save(dir.path(), "p", &sample()).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    fn discard_reason(dir: &Path, bytes: &[u8]) -> DiscardReason {
        fs::write(mirror_path(dir, "p"), bytes).unwrap();
        let outcome = load(dir, "p");
        let notice = outcome.notice().expect("a notice for the status line");
        assert!(notice.contains("discarded because"), "{notice}");
        match outcome {
            LoadOutcome::Discarded { reason, .. } => reason,
            other => panic!("expected a discard, got {other:?}"),
        }
    }

    #[test]
    fn damaged_files_are_discarded_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let good = sample().to_bytes();
        // Truncated at every length: never a panic, always a discard.
        for cut in 0..good.len() {
            let reason = discard_reason(dir.path(), &good[..cut]);
            assert!(
                matches!(reason, DiscardReason::Truncated | DiscardReason::NotAMirror),
                "cut at {cut}: {reason:?}"
            );
        }
        // One flipped bit anywhere in the body.
        for i in (HEADER_LEN..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0x10;
            assert!(matches!(
                discard_reason(dir.path(), &bad),
                DiscardReason::Corrupt(_)
            ));
        }
        // Garbage, and extra bytes after the body.
        assert_eq!(
            discard_reason(dir.path(), b"{\"customers\": []} and more text"),
            DiscardReason::NotAMirror
        );
        // Extra bytes after the body of a file of the format before the views section.
        let mut long = as_version(&good, OLD_FORMAT_VERSION);
        long.push(0);
        assert!(matches!(
            discard_reason(dir.path(), &long),
            DiscardReason::Corrupt(_)
        ));
        // In this format they are a views section, here a damaged one: the records are used.
        let mut long = good.clone();
        long.push(0);
        assert_eq!(Mirror::from_bytes(&long).unwrap(), sample());
    }

    /// `bytes` with another format version in the header.
    fn as_version(bytes: &[u8], version: u32) -> Vec<u8> {
        let mut b = bytes.to_vec();
        b[8..12].copy_from_slice(&version.to_le_bytes());
        b
    }

    /// What the views callback saw, and the mirror, of a file read with one.
    /// The section and the ids the views callback was given.
    type Seen = (Vec<u8>, Vec<Id>);

    fn read_with_views(bytes: &[u8]) -> (Mirror, Made<u64, Seen>) {
        Mirror::from_file_or_views(
            bytes.to_vec(),
            |section, ids| Some((section.to_vec(), ids.to_vec())),
            &mut |c| c.id,
        )
        .unwrap()
    }

    #[test]
    fn a_views_section_is_handed_over_and_no_record_decoded() {
        let m = sample();
        let bytes = m.to_bytes_with_views(Some(b"the rows"));
        let (loaded, made) = read_with_views(&bytes);
        assert_eq!(loaded, m);
        assert_eq!(loaded.contact_count(), 3);
        assert_eq!(loaded.contact_owner(12), Some(1));
        match made {
            Made::Stored((section, ids)) => {
                assert_eq!(section, b"the rows");
                assert_eq!(ids, vec![1, 3]);
            }
            Made::Decoded(_) => panic!("the views section was not used"),
        }
        assert_eq!(loaded.check(), Ok(()));
        // The section is not kept: the records' block ends with the body.
        let body_end = bytes.len() - VIEWS_HEADER_LEN - (8 + 16 * 3 + 8);
        assert_eq!(loaded.records()[0].block_len(), body_end);
        // Refused by the caller: every record decoded, as without a section.
        let (again, made) =
            Mirror::from_file_or_views(bytes, |_, _| None::<()>, &mut |c| c.id).unwrap();
        assert_eq!(again, m);
        assert!(matches!(made, Made::Decoded(ids) if ids == vec![1, 3]));
        // Saved and loaded through the store.
        let dir = tempfile::tempdir().unwrap();
        let views = |m: &Mirror, out: &mut Vec<u8>| {
            out.extend_from_slice(format!("{} rows", m.customer_count()).as_bytes());
        };
        save_with_views(dir.path(), "p", &m, Some(&views)).unwrap();
        let (outcome, made, _) = load_or_views(
            dir.path(),
            "p",
            |section, _| Some(section.to_vec()),
            &mut |_| (),
        );
        assert!(matches!(outcome, LoadOutcome::Loaded(ref l) if *l == m));
        assert!(matches!(made, Made::Stored(s) if s == b"2 rows"));
    }

    /// A truncated or damaged views section never loses the records nor panics: they are
    /// decoded as without one.
    #[test]
    fn a_damaged_views_section_falls_back_to_the_records() {
        let m = sample();
        let plain = m.to_bytes();
        let bytes = m.to_bytes_with_views(Some(b"the rows of the list"));
        for cut in plain.len() + 1..bytes.len() {
            let (loaded, made) = read_with_views(&bytes[..cut]);
            assert_eq!(loaded, m, "cut at {cut}");
            assert!(
                matches!(made, Made::Decoded(ref ids) if *ids == vec![1, 3]),
                "cut at {cut}"
            );
        }
        for i in plain.len()..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            let (loaded, made) = read_with_views(&bad);
            assert_eq!(loaded, m, "bit flipped at {i}");
            assert!(matches!(made, Made::Decoded(_)), "bit flipped at {i}");
        }
        // Owners that are not sorted (a section written wrongly, its checksum right).
        let mut shuffled = m.clone();
        shuffled.owners.reverse();
        let (loaded, made) = read_with_views(&shuffled.to_bytes_with_views(Some(b"x")));
        assert_eq!(loaded, m);
        assert!(matches!(made, Made::Decoded(_)));
    }

    /// A file of the format before the views section loads as before.
    #[test]
    fn files_of_the_previous_format_load_as_before() {
        let m = sample();
        let old = as_version(&m.to_bytes(), OLD_FORMAT_VERSION);
        let (loaded, made) = read_with_views(&old);
        assert_eq!(loaded, m);
        assert!(matches!(made, Made::Decoded(ids) if ids == vec![1, 3]));
        let dir = tempfile::tempdir().unwrap();
        fs::write(mirror_path(dir.path(), "p"), &old).unwrap();
        assert!(matches!(load(dir.path(), "p"), LoadOutcome::Loaded(l) if l == m));
    }

    /// A record that does not decode, in a file with views: the start does not notice (no
    /// record is decoded), the check after it does, as a load without views would have.
    #[test]
    fn the_check_after_the_start_finds_a_record_that_does_not_decode() {
        let good = Packed::pack(&customer(1, "Acme", vec![contact(11, 1, "A")]));
        let broken = Arc::new(vec![0x05u8, 0xff, 0xff]);
        let mut m = Mirror::new("http://127.0.0.1:9/api/v1");
        m.customers = vec![good, Packed::in_file_unchecked(&broken, 0, 3).unwrap()];
        m.owners = vec![(11, 1)];
        let bytes = m.to_bytes_with_views(Some(b"rows"));
        let (loaded, made) = read_with_views(&bytes);
        assert!(matches!(made, Made::Stored(_)));
        match loaded.check() {
            Err(DiscardReason::Corrupt(why)) => {
                assert!(why.starts_with("a customer record"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        // Without views the same file is discarded at load, as before.
        assert!(matches!(
            Mirror::from_bytes(&m.to_bytes()),
            Err(DiscardReason::Corrupt(_))
        ));
        // Owners that are not the records' contacts fail the check too.
        let mut wrong = sample();
        wrong.owners[0].1 = 3;
        let (loaded, _) = read_with_views(&wrong.to_bytes_with_views(Some(b"x")));
        assert!(matches!(loaded.check(), Err(DiscardReason::Corrupt(_))));
    }

    #[test]
    fn other_versions_are_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let good = sample().to_bytes();
        let mut old = good.clone();
        old[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(
            discard_reason(dir.path(), &old),
            DiscardReason::OlderVersion(0)
        );
        let mut newer = good;
        newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert_eq!(
            discard_reason(dir.path(), &newer),
            DiscardReason::NewerVersion(FORMAT_VERSION + 1)
        );
        // A discarded file is replaced by the next save.
        save(dir.path(), "p", &sample()).unwrap();
        assert!(matches!(load(dir.path(), "p"), LoadOutcome::Loaded(_)));
    }

    #[test]
    fn checksum_valid_but_undecodable_body_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = with_header(&[0xffu8; 40]);
        assert!(matches!(
            discard_reason(dir.path(), &bytes),
            DiscardReason::Corrupt(_)
        ));
    }

    /// A file whose body decodes but holds a record that does not (written by a buggy or
    /// foreign program with a valid checksum) is discarded at load, not met by a reader later.
    #[test]
    fn a_record_that_does_not_decode_discards_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = Packed::pack(&customer(1, "Acme", vec![]));
        let broken = [0x05u8, 0xff, 0xff];
        let body = postcard::to_allocvec(&(
            "http://127.0.0.1:9/api/v1",
            None::<(i64, u32)>,
            None::<(i64, u32)>,
            Some(true),
            vec![serde_bytes_like(good.bytes()), serde_bytes_like(&broken)],
        ))
        .unwrap();
        match discard_reason(dir.path(), &with_header(&body)) {
            DiscardReason::Corrupt(why) => assert!(why.starts_with("a customer record"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// A mirror file of this version around `body`, its length and checksum right.
    fn with_header(body: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        bytes.extend_from_slice(body);
        bytes
    }

    /// A byte string as the mirror file writes each record.
    fn serde_bytes_like(b: &[u8]) -> Bytes<'_> {
        Bytes(b)
    }

    struct Bytes<'a>(&'a [u8]);

    impl serde::Serialize for Bytes<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[test]
    fn packed_records_replace_all_sorted_with_the_last_copy_of_an_id() {
        let mut m = Mirror::new("x");
        m.replace_all_packed(vec![
            Packed::pack(&customer(3, "Old", vec![contact(31, 3, "Gone")])),
            Packed::pack(&customer(1, "One", vec![contact(11, 1, "A")])),
            Packed::pack(&customer(3, "New", vec![contact(32, 3, "B")])),
        ]);
        let ids: Vec<Id> = m.records().iter().map(Packed::id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(m.customer(3).unwrap().business_name.as_deref(), Some("New"));
        assert_eq!(m.contact_count(), 2);
        assert_eq!(m.contact_owner(32), Some(3));
        assert_eq!(m.contact_owner(31), None);
    }

    #[test]
    fn loaded_mirror_knows_every_contacts_owner() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "work", &sample()).unwrap();
        let LoadOutcome::Loaded(mut m) = load(dir.path(), "work") else {
            panic!("mirror not loaded");
        };
        assert_eq!(m.contact_count(), 3);
        assert_eq!(m.contact_owner(31), Some(3));
        assert_eq!(m.contact_owner(12), Some(1));
        assert_eq!(m.contact_owner(99), None);
        // Replacing a customer with fewer contacts forgets the ones it no longer has.
        m.put_customer(customer(1, "東京 Trading 🍣", vec![contact(11, 1, "A")]));
        assert_eq!(m.contact_owner(12), None);
        assert_eq!(m.contact_count(), 2);
        assert_eq!(m.remove_customer(3).unwrap().contacts.len(), 1);
        assert_eq!(m.contact_owner(31), None);
        assert_eq!(m.contact_count(), 1);
    }

    #[test]
    fn killed_write_keeps_previous_mirror() {
        let dir = tempfile::tempdir().unwrap();
        let previous = sample();
        save(dir.path(), "p", &previous).unwrap();
        // A write killed half way leaves a partial temporary file beside the mirror.
        let mut bigger = previous.clone();
        bigger.put_customer(customer(99, "Newer", vec![]));
        let partial = bigger.to_bytes();
        let temp = dir.path().join(format!("{}4242-0", temp_prefix("p")));
        fs::write(&temp, &partial[..partial.len() / 2]).unwrap();
        let LoadOutcome::Loaded(m) = load(dir.path(), "p") else {
            panic!("previous mirror lost");
        };
        assert_eq!(m, previous);
        // Clearing removes the mirror and the leftover.
        assert!(clear(dir.path(), "p").unwrap());
        assert!(!temp.exists());
        assert!(matches!(load(dir.path(), "p"), LoadOutcome::Missing));
        assert!(!clear(dir.path(), "p").unwrap());
    }

    #[test]
    fn every_save_writes_a_lookup_index_of_what_it_wrote() {
        use super::super::index::{LookupIndex, index_path};
        let dir = tempfile::tempdir().unwrap();
        let names = |path: &Path| -> Vec<Id> {
            let ix = LookupIndex::open(path).expect("an index of the file");
            (0..ix.len() as u32)
                .map(|i| ix.customer(i).unwrap().id)
                .collect()
        };
        // A full save (sync), with and without views.
        let path = save(dir.path(), "p", &sample()).unwrap();
        assert_eq!(names(&path), [1, 3]);
        let views = |_: &Mirror, out: &mut Vec<u8>| out.extend_from_slice(b"rows");
        save_with_views(dir.path(), "p", &sample(), Some(&views)).unwrap();
        assert_eq!(names(&path), [1, 3]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(index_path(&path))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The app's merged saves: its own change, then another instance's merged in.
        let (LoadOutcome::Loaded(mut ours), _, mut base) =
            load_with_base(dir.path(), "p", &mut |_| ())
        else {
            panic!("not loaded");
        };
        ours.put_customer(customer(2, "Second", vec![]));
        save_merged_with_views(dir.path(), "p", &ours, &mut base, Some(&views)).unwrap();
        assert_eq!(names(&path), [1, 2, 3]);
        let mut theirs = ours.clone();
        theirs.put_customer(customer(4, "Fourth", vec![]));
        save(dir.path(), "p", &theirs).unwrap();
        ours.remove_customer(1);
        let (_, taken) = save_merged(dir.path(), "p", &ours, &mut base).unwrap();
        assert!(!taken.is_empty());
        assert_eq!(names(&path), [2, 3, 4]);
        // A mirror written by other means has no index that fits; clearing removes both.
        fs::write(&path, sample().to_bytes()).unwrap();
        assert!(LookupIndex::open(&path).is_none());
        assert!(clear(dir.path(), "p").unwrap());
        assert!(!index_path(&path).exists());
    }

    #[test]
    fn another_server_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "p", &sample()).unwrap();
        assert!(matches!(
            load_for_server(dir.path(), "p", "http://127.0.0.1:9/api/v1/"),
            LoadOutcome::Loaded(_)
        ));
        let other = load_for_server(dir.path(), "p", "https://acme.syncromsp.com/api/v1");
        assert!(matches!(
            other,
            LoadOutcome::Discarded {
                reason: DiscardReason::OtherServer(_),
                ..
            }
        ));
        assert!(other.into_mirror_or_empty("x").is_empty());
    }

    #[test]
    fn profile_names_cannot_escape_the_directory() {
        let p = mirror_path(Path::new("/data"), "../../etc/passwd");
        assert_eq!(p, Path::new("/data/mirror-______etc_passwd.bin"));
        assert_eq!(
            mirror_path(Path::new("/d"), ""),
            Path::new("/d/mirror-default.bin")
        );
    }

    #[test]
    fn clones_share_records_and_edits_copy_only_what_they_touch() {
        let shared = sample();
        let mut m = shared.clone();
        let same = |m: &Mirror, id: Id| {
            let (a, b) = (m.position(id).unwrap(), shared.position(id).unwrap());
            Packed::ptr_eq(&m.records()[a], &shared.records()[b])
        };
        assert!(same(&m, 1) && same(&m, 3));
        assert!(m.put_contact(contact(50, 3, "New Person")));
        assert!(same(&m, 1), "an untouched customer stays shared");
        assert!(!same(&m, 3));
        assert_eq!(
            shared.customer(3).unwrap().contacts.len(),
            1,
            "the original is unchanged"
        );
        assert_eq!(m.customer(3).unwrap().contacts.len(), 2);
        m.remove_contact(11);
        assert_eq!(shared.customer(1).unwrap().contacts.len(), 2);
        assert_eq!(m.customer(1).unwrap().contacts.len(), 1);
        let mut changed = customer(3, "Acme Dental Group", vec![]);
        changed.notes = Some("new".into());
        m.put_customer_keep_contacts(changed);
        assert_eq!(m.customer(3).unwrap().contacts.len(), 2, "contacts kept");
        assert_eq!(shared.customer(3).unwrap().notes, None);
    }

    #[test]
    fn edits_update_the_mirror_in_place() {
        let mut m = sample();
        assert!(m.put_contact(contact(50, 3, "New Person")));
        assert_eq!(m.contact(50).unwrap().0.id, 3);
        // Moving a contact to another customer removes it from the first.
        assert!(m.put_contact(contact(50, 1, "New Person")));
        assert_eq!(m.contact(50).unwrap().0.id, 1);
        assert_eq!(m.contact_count(), 4);
        assert!(!m.put_contact(contact(51, 777, "Orphan")));
        assert_eq!(m.remove_contact(50).unwrap().id, 50);
        let mut changed = customer(3, "Acme Dental Group", vec![]);
        changed.notes = Some("new".into());
        m.put_customer_keep_contacts(changed);
        assert_eq!(m.customer(3).unwrap().contacts.len(), 1);
        assert_eq!(
            m.customer(3).unwrap().business_name.as_deref(),
            Some("Acme Dental Group")
        );
        assert_eq!(m.remove_customer(3).unwrap().id, 3);
        assert!(m.customer(3).is_none());
        assert_eq!(m.customer_count(), 1);
    }
}
