//! The mirror's on-disk records: plain structs for a compact, non-self-describing encoding.
//!
//! The API models read JSON leniently through `serde_json::Value`, which a compact binary format
//! (postcard) cannot drive. These records hold the same data in plain fields: strings stay
//! strings, timestamps become integers (no text parsing on load), custom properties become a list
//! of typed values. Converting to and from the API models is lossless for everything the client
//! reads from the server.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::api::model::{Contact, Customer, Properties, Timestamp};

/// Everything in a mirror file after its header.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Body {
    pub base_url: String,
    pub last_full_sync: Option<i64>,
    pub last_incremental_sync: Option<i64>,
    pub contacts_embedded: Option<bool>,
    pub customers: Vec<CustomerRec>,
}

/// A timestamp with the server's offset: seconds, nanoseconds and offset seconds east of UTC.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct TimeRec(i64, u32, i32);

impl TimeRec {
    fn from_ts(t: &Timestamp) -> Self {
        TimeRec(
            t.timestamp(),
            t.timestamp_subsec_nanos(),
            t.offset().local_minus_utc(),
        )
    }

    fn to_ts(self) -> Option<Timestamp> {
        let offset = FixedOffset::east_opt(self.2)?;
        let utc = DateTime::<Utc>::from_timestamp(self.0, self.1)?;
        Some(utc.with_timezone(&offset))
    }
}

/// A custom property value. Nested arrays and objects are kept as JSON text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum PropRec {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
    Json(String),
}

fn props_to_rec(p: &Properties) -> Vec<(String, PropRec)> {
    p.iter()
        .map(|(k, v)| {
            let rec = match v {
                Value::Null => PropRec::Null,
                Value::Bool(b) => PropRec::Bool(*b),
                Value::Number(n) => {
                    if let Some(i) = n.as_i64() {
                        PropRec::Int(i)
                    } else if let Some(u) = n.as_u64() {
                        PropRec::UInt(u)
                    } else {
                        PropRec::Float(n.as_f64().unwrap_or_default())
                    }
                }
                Value::String(s) => PropRec::Text(s.clone()),
                other => PropRec::Json(other.to_string()),
            };
            (k.clone(), rec)
        })
        .collect()
}

fn props_from_rec(p: Vec<(String, PropRec)>) -> Properties {
    let mut map = Map::new();
    for (k, v) in p {
        let value = match v {
            PropRec::Null => Value::Null,
            PropRec::Bool(b) => Value::Bool(b),
            PropRec::Int(i) => Value::from(i),
            PropRec::UInt(u) => Value::from(u),
            PropRec::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            PropRec::Text(s) => Value::String(s),
            PropRec::Json(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        };
        map.insert(k, value);
    }
    map
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CustomerRec {
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
    properties: Vec<(String, PropRec)>,
    created_at: Option<TimeRec>,
    updated_at: Option<TimeRec>,
    contacts: Vec<ContactRec>,
}

impl From<&Customer> for CustomerRec {
    fn from(c: &Customer) -> Self {
        CustomerRec {
            id: c.id,
            firstname: c.firstname.clone(),
            lastname: c.lastname.clone(),
            fullname: c.fullname.clone(),
            business_name: c.business_name.clone(),
            business_then_name: c.business_then_name.clone(),
            business_and_full_name: c.business_and_full_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            mobile: c.mobile.clone(),
            address: c.address.clone(),
            address_2: c.address_2.clone(),
            city: c.city.clone(),
            state: c.state.clone(),
            zip: c.zip.clone(),
            notes: c.notes.clone(),
            referred_by: c.referred_by.clone(),
            ref_customer_id: c.ref_customer_id,
            tax_rate_id: c.tax_rate_id,
            notification_email: c.notification_email.clone(),
            invoice_cc_emails: c.invoice_cc_emails.clone(),
            invoice_term_id: c.invoice_term_id,
            get_sms: c.get_sms,
            opt_out: c.opt_out,
            no_email: c.no_email,
            disabled: c.disabled,
            latitude: c.latitude,
            longitude: c.longitude,
            location_name: c.location_name.clone(),
            location_id: c.location_id,
            online_profile_url: c.online_profile_url.clone(),
            properties: props_to_rec(&c.properties),
            created_at: c.created_at.as_ref().map(TimeRec::from_ts),
            updated_at: c.updated_at.as_ref().map(TimeRec::from_ts),
            contacts: c.contacts.iter().map(ContactRec::from).collect(),
        }
    }
}

impl From<CustomerRec> for Customer {
    fn from(r: CustomerRec) -> Self {
        Customer {
            id: r.id,
            firstname: r.firstname,
            lastname: r.lastname,
            fullname: r.fullname,
            business_name: r.business_name,
            business_then_name: r.business_then_name,
            business_and_full_name: r.business_and_full_name,
            email: r.email,
            phone: r.phone,
            mobile: r.mobile,
            address: r.address,
            address_2: r.address_2,
            city: r.city,
            state: r.state,
            zip: r.zip,
            notes: r.notes,
            referred_by: r.referred_by,
            ref_customer_id: r.ref_customer_id,
            tax_rate_id: r.tax_rate_id,
            notification_email: r.notification_email,
            invoice_cc_emails: r.invoice_cc_emails,
            invoice_term_id: r.invoice_term_id,
            get_sms: r.get_sms,
            opt_out: r.opt_out,
            no_email: r.no_email,
            disabled: r.disabled,
            latitude: r.latitude,
            longitude: r.longitude,
            location_name: r.location_name,
            location_id: r.location_id,
            online_profile_url: r.online_profile_url,
            properties: props_from_rec(r.properties),
            created_at: r.created_at.and_then(TimeRec::to_ts),
            updated_at: r.updated_at.and_then(TimeRec::to_ts),
            contacts: r.contacts.into_iter().map(Contact::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ContactRec {
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
    properties: Vec<(String, PropRec)>,
    created_at: Option<TimeRec>,
    updated_at: Option<TimeRec>,
}

impl From<&Contact> for ContactRec {
    fn from(c: &Contact) -> Self {
        ContactRec {
            id: c.id,
            customer_id: c.customer_id,
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            mobile: c.mobile.clone(),
            extension: c.extension.clone(),
            address1: c.address1.clone(),
            address2: c.address2.clone(),
            city: c.city.clone(),
            state: c.state.clone(),
            zip: c.zip.clone(),
            notes: c.notes.clone(),
            latitude: c.latitude,
            longitude: c.longitude,
            opt_out: c.opt_out,
            properties: props_to_rec(&c.properties),
            created_at: c.created_at.as_ref().map(TimeRec::from_ts),
            updated_at: c.updated_at.as_ref().map(TimeRec::from_ts),
        }
    }
}

impl From<ContactRec> for Contact {
    fn from(r: ContactRec) -> Self {
        Contact {
            id: r.id,
            customer_id: r.customer_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            mobile: r.mobile,
            extension: r.extension,
            address1: r.address1,
            address2: r.address2,
            city: r.city,
            state: r.state,
            zip: r.zip,
            notes: r.notes,
            latitude: r.latitude,
            longitude: r.longitude,
            opt_out: r.opt_out,
            properties: props_from_rec(r.properties),
            created_at: r.created_at.and_then(TimeRec::to_ts),
            updated_at: r.updated_at.and_then(TimeRec::to_ts),
        }
    }
}

/// Milliseconds since the epoch for the sync times kept in the file.
pub(crate) fn millis(t: &DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}
