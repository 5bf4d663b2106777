//! Wire models of the Syncro REST API, as the client reads them.
//!
//! Real account data is messier than the spec: `""` where the spec shows `null`, numbers where
//! strings are expected (and the reverse), timestamps with an offset and milliseconds, and fields
//! that come and go. Every field here is lenient: unknown fields are ignored; `null`, `""` and a
//! missing key all read as "empty"; a value of an unexpected type never fails a whole page.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Syncro record IDs are large (customers have 8 digits, tickets 9): always 64-bit.
pub type Id = u64;

/// A JSON object of fields to send on a create or an update. Updates carry only changed fields.
pub type Patch = Map<String, Value>;

/// Custom properties, keyed by their display name.
pub type Properties = Map<String, Value>;

/// Timestamp as Syncro sends it (`2024-03-05T15:14:24.066+02:00`).
pub type Timestamp = DateTime<FixedOffset>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_string")]
    pub firstname: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub lastname: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub fullname: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub business_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub business_then_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub business_and_full_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub mobile: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address_2: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub city: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub state: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub zip: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub notes: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub referred_by: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub ref_customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_id")]
    pub tax_rate_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub notification_email: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub invoice_cc_emails: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub invoice_term_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub get_sms: Option<bool>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub opt_out: Option<bool>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub no_email: Option<bool>,
    #[serde(deserialize_with = "de::bool_or_false")]
    pub disabled: bool,
    #[serde(deserialize_with = "de::opt_f64")]
    pub latitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub longitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_string")]
    pub location_name: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub location_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub online_profile_url: Option<String>,
    #[serde(deserialize_with = "de::properties")]
    pub properties: Properties,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::lenient_vec")]
    pub contacts: Vec<Contact>,
}

impl Customer {
    /// The name Syncro shows in lists: the business name, else the person's full name.
    pub fn display_name(&self) -> String {
        if let Some(b) = self.business_then_name.as_deref().filter(|s| !s.is_empty()) {
            return b.to_string();
        }
        if let Some(b) = self.business_name.as_deref().filter(|s| !s.is_empty()) {
            return b.to_string();
        }
        self.person_name()
    }

    /// First and last name ("Jane Doe"), from `fullname` or built from the parts.
    pub fn person_name(&self) -> String {
        if let Some(f) = self.fullname.as_deref().filter(|s| !s.trim().is_empty()) {
            return f.to_string();
        }
        let parts: Vec<&str> = [self.firstname.as_deref(), self.lastname.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        parts.join(" ")
    }

    /// A custom property as text (`"1"`, `"Managed"`); numbers and booleans are rendered.
    pub fn property(&self, name: &str) -> Option<String> {
        prop_text(&self.properties, name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub mobile: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub extension: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address1: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub address2: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub city: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub state: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub zip: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub notes: Option<String>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub latitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub longitude: Option<f64>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub opt_out: Option<bool>,
    #[serde(deserialize_with = "de::properties")]
    pub properties: Properties,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
}

impl Contact {
    /// The contact's job title. Syncro has no top-level `title`: it lives in `properties.title`.
    pub fn title(&self) -> Option<String> {
        prop_text(&self.properties, "title").filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ticket {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Ticket number as shown to people (an integer on the wire, text here).
    #[serde(deserialize_with = "de::opt_string")]
    pub number: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub subject: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub problem_type: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub priority: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_id")]
    pub contact_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub customer_business_then_name: Option<String>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub resolved_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub due_date: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Asset {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_id")]
    pub contact_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub asset_type: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub asset_serial: Option<String>,
    #[serde(deserialize_with = "de::properties")]
    pub properties: Properties,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Invoice {
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    #[serde(deserialize_with = "de::opt_id")]
    pub customer_id: Option<Id>,
    #[serde(deserialize_with = "de::opt_string")]
    pub customer_business_then_name: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub number: Option<String>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub date: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub due_date: Option<Timestamp>,
    /// Money as the API sends it: a decimal string such as `"149.99"`.
    #[serde(deserialize_with = "de::opt_string")]
    pub subtotal: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub tax: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    pub total: Option<String>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub is_paid: Option<bool>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub verified_paid: Option<bool>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub created_at: Option<Timestamp>,
    #[serde(deserialize_with = "de::opt_timestamp")]
    pub updated_at: Option<Timestamp>,
}

/// Pagination metadata. Some responses omit `total_entries` and `per_page`: none is required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Meta {
    #[serde(deserialize_with = "de::opt_u64")]
    pub total_pages: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    pub total_entries: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    pub per_page: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    pub page: Option<u64>,
}

/// One page of a list endpoint, whatever the envelope key (`customers`, `contacts`, `tickets`,
/// `assets`, `invoices`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct Page<T> {
    #[serde(
        alias = "customers",
        alias = "contacts",
        alias = "tickets",
        alias = "assets",
        alias = "invoices",
        default = "Vec::new",
        deserialize_with = "de::lenient_vec"
    )]
    pub items: Vec<T>,
    #[serde(default, deserialize_with = "de::meta")]
    pub meta: Meta,
}

impl<T> Page<T> {
    /// Whether a page after this one exists, according to `meta` (and only to `meta`).
    pub fn has_next(&self) -> bool {
        match (self.meta.page, self.meta.total_pages) {
            (Some(p), Some(t)) => p < t,
            _ => false,
        }
    }
}

fn prop_text(props: &Properties, name: &str) -> Option<String> {
    match props.get(name)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Lenient field deserializers. Each accepts every JSON type and never fails: a value it cannot
/// use becomes "empty" rather than an error that would drop a whole page of records.
pub mod de {
    use super::*;

    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    }

    fn value_u64(v: &Value) -> Option<u64> {
        match v {
            Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                    .map(|f| f as u64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        Ok(value_u64(&Value::deserialize(d)?).unwrap_or(0))
    }

    pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(value_u64(&Value::deserialize(d)?))
    }

    pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(value_u64(&Value::deserialize(d)?))
    }

    pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Bool(b) => Some(b),
            Value::Number(n) => n.as_i64().map(|i| i != 0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "t" => Some(true),
                "false" | "0" | "no" | "f" => Some(false),
                _ => None,
            },
            _ => None,
        })
    }

    pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(opt_bool(d)?.unwrap_or(false))
    }

    pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => parse_timestamp(&s),
            _ => None,
        })
    }

    /// RFC 3339 with any offset, or a bare date (`2024-03-05`) read as midnight UTC.
    pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t);
        }
        let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        let utc = FixedOffset::east_opt(0)?;
        date.and_hms_opt(0, 0, 0)?.and_local_timezone(utc).single()
    }

    pub fn properties<'de, D: Deserializer<'de>>(d: D) -> Result<Properties, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Object(m) => m,
            _ => Map::new(),
        })
    }

    pub fn meta<'de, D: Deserializer<'de>>(d: D) -> Result<Meta, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// A list whose malformed entries are skipped instead of failing the whole list.
    pub fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::de::DeserializeOwned,
    {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect(),
            _ => Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_shaped_customer_decodes() {
        let json = r#"{
            "id": 31415926, "firstname": "", "lastname": null, "business_name": "Acme Dental",
            "email": "office@acme.example", "phone": "5551234567", "latitude": 40.71, "longitude": -74.0,
            "properties": {"Managed Status": "Gold", "notification_billing": "1", "Seats": 12},
            "created_at": "2024-03-05T15:14:24.066+02:00", "updated_at": "2024-03-06T09:00:00.5-05:00",
            "contacts": [{"id": 7654321, "name": "Jane Roe", "properties": {"title": "IT Manager"}}],
            "something_new": {"nested": [1, 2]}
        }"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, 31_415_926);
        assert_eq!(c.firstname, None);
        assert_eq!(c.lastname, None);
        assert_eq!(c.display_name(), "Acme Dental");
        assert_eq!(c.latitude, Some(40.71));
        assert_eq!(c.property("Managed Status").as_deref(), Some("Gold"));
        assert_eq!(c.property("Seats").as_deref(), Some("12"));
        let created = c.created_at.unwrap();
        assert_eq!(created.offset().local_minus_utc(), 2 * 3600);
        assert_eq!(created.timestamp_subsec_millis(), 66);
        assert_eq!(c.contacts[0].title().as_deref(), Some("IT Manager"));
    }

    #[test]
    fn wrong_types_become_empty_not_errors() {
        let json = r#"{"id": "42", "zip": 2293, "disabled": null, "properties": null,
                       "created_at": "not a date", "contacts": [{"id": 1}, "garbage"]}"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, 42);
        assert_eq!(c.zip.as_deref(), Some("2293"));
        assert!(!c.disabled);
        assert!(c.properties.is_empty());
        assert_eq!(c.created_at, None);
        assert_eq!(c.contacts.len(), 1);
    }

    #[test]
    fn page_reads_any_envelope_and_partial_meta() {
        let p: Page<Invoice> = serde_json::from_str(
            r#"{"invoices":[{"id":6,"total":"10.5"}],"meta":{"total_pages":3,"page":1}}"#,
        )
        .unwrap();
        assert_eq!(p.items.len(), 1);
        assert!(p.has_next());
        assert_eq!(p.meta.total_entries, None);
        let p: Page<Asset> = serde_json::from_str(r#"{"assets":[]}"#).unwrap();
        assert!(!p.has_next());
    }

    #[test]
    fn person_name_falls_back_to_parts() {
        let c = Customer {
            firstname: Some("Ana".into()),
            lastname: Some("Lima".into()),
            ..Default::default()
        };
        assert_eq!(c.person_name(), "Ana Lima");
        assert_eq!(c.display_name(), "Ana Lima");
    }
}
