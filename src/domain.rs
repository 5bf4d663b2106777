//! What the app knows about records beyond the API's shape: the customer types, what an e-mail
//! address looks like, which record a form or a draft is about, and a draft's data. Pure data
//! and rules, shared by the screens (`app`), the drafts on disk and the flows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::model::{Contact, Customer, Id, Properties};

/// The one answer to anything that would write while the app is read-only (forms, deletes,
/// merges, bulk edits, onboarding, undo, a resumed run), wherever it is refused.
pub const READ_ONLY: &str = "Read-only mode: nothing is sent to Syncro. To make changes, start \
     without --read-only and set read_only = false (for the app or the profile) in the config.";

/// The customer types technicians sort clients into. Syncro has no field for it: Residential
/// means "no business name", the others live in a custom property (see syncro-api.md).
pub const CUSTOMER_TYPES: &[&str] = &["Business", "Residential", "Government", "Non-Profit"];

/// The customer's type: the property when it names a known type, else Residential when there is
/// no business name, else Business.
pub fn customer_type(c: &Customer, type_property: &str) -> &'static str {
    if let Some(Value::String(t)) = c.properties.get(type_property)
        && let Some(known) = CUSTOMER_TYPES.iter().find(|k| k.eq_ignore_ascii_case(t))
    {
        return known;
    }
    if c.business_name
        .as_deref()
        .is_none_or(|b| b.trim().is_empty())
    {
        "Residential"
    } else {
        "Business"
    }
}

/// What the form creates or edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormTarget {
    NewCustomer,
    EditCustomer { id: Id },
    NewContact { customer_id: Id },
    EditContact { id: Id, customer_id: Id },
}

impl FormTarget {
    /// What the form cannot change because Syncro's API does not let it (shown under the
    /// fields, so that nobody looks for it there).
    pub fn not_writable(&self) -> &'static str {
        match self {
            FormTarget::EditCustomer { .. } => {
                "Disable or enable: not possible through Syncro's API; use Syncro's web UI."
            }
            FormTarget::NewCustomer => "",
            FormTarget::NewContact { .. } | FormTarget::EditContact { .. } => {
                "Extension, opt-out and other properties are shown on the card; Syncro's API does not write them."
            }
        }
    }

    pub fn is_create(&self) -> bool {
        matches!(
            self,
            FormTarget::NewCustomer | FormTarget::NewContact { .. }
        )
    }

    pub fn is_customer(&self) -> bool {
        matches!(
            self,
            FormTarget::NewCustomer | FormTarget::EditCustomer { .. }
        )
    }

    /// A stable name for the draft file of this form.
    pub fn draft_name(&self) -> String {
        match self {
            FormTarget::NewCustomer => "new-customer".into(),
            FormTarget::EditCustomer { id } => format!("customer-{id}"),
            FormTarget::NewContact { customer_id } => format!("new-contact-of-{customer_id}"),
            FormTarget::EditContact { id, .. } => format!("contact-{id}"),
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            FormTarget::NewCustomer => "New customer",
            FormTarget::EditCustomer { .. } => "Edit customer",
            FormTarget::NewContact { .. } => "New contact",
            FormTarget::EditContact { .. } => "Edit contact",
        }
    }
}

/// A form saved while the user types, offered back after a crash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub target: FormTarget,
    pub values: BTreeMap<String, String>,
    pub originals: BTreeMap<String, String>,
    #[serde(default)]
    pub base_properties: Properties,
    #[serde(default)]
    pub type_property: String,
}

/// A phone number and the extension typed into it: `555-123-4569 x12`, `(503) 555-0142 ext. 7`
/// and `… extension 7` give the number and `12` / `7`; a number without one gives `None`.
pub fn split_extension(phone: &str) -> (&str, Option<&str>) {
    let lower = phone.to_ascii_lowercase();
    for mark in [" extension", " ext.", " ext", " x", "x"] {
        if let Some(at) = lower.rfind(mark) {
            let ext = phone[at + mark.len()..].trim_start_matches([' ', '.', ':']);
            let number = phone[..at].trim_end();
            if !ext.is_empty()
                && ext.chars().all(|c| c.is_ascii_digit())
                && number.chars().filter(char::is_ascii_digit).count() >= 7
            {
                return (number, Some(ext));
            }
        }
    }
    (phone.trim(), None)
}

/// A contact's phone with its extension, as one value to show: the extension Syncro keeps in
/// its own field goes after the number (`555-123-4569 x12`) unless the number already has one.
pub fn phone_with_extension(phone: &str, extension: Option<&str>) -> String {
    match extension.map(str::trim).filter(|x| !x.is_empty()) {
        Some(x) if !phone.trim().is_empty() && split_extension(phone).1.is_none() => {
            format!("{} x{x}", phone.trim())
        }
        _ => phone.to_string(),
    }
}

/// A practical e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// A customer or a contact, as the server returned it.
// Short-lived messages between the worker and the app; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Customer(Customer),
    Contact(Contact),
}

// `Effect` is `Eq`; a record's only floats are coordinates read from JSON, never NaN, so
// equality is an equivalence.
impl Eq for Record {}

/// What a delete removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    Customer { id: Id },
    Contact { id: Id, customer_id: Id },
}

/// A change of a contact that is not a form's edit: it leaves (or comes back), or moves to
/// another customer. The worker re-reads the contact first and changes only what is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactChange {
    Retire {
        id: Id,
        customer_id: Id,
        retire: bool,
    },
    Move {
        id: Id,
        from: Id,
        to: Id,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_found_in_the_ways_people_type_them() {
        assert_eq!(
            split_extension("555-123-4569 x12"),
            ("555-123-4569", Some("12"))
        );
        assert_eq!(
            split_extension("(503) 555-0142 ext. 7"),
            ("(503) 555-0142", Some("7"))
        );
        assert_eq!(
            split_extension("503.555.0142 x330"),
            ("503.555.0142", Some("330"))
        );
        assert_eq!(split_extension("(503) 555-0142"), ("(503) 555-0142", None));
        assert_eq!(split_extension("x12"), ("x12", None));
        assert_eq!(
            phone_with_extension("555-123-4569", Some("12")),
            "555-123-4569 x12"
        );
        assert_eq!(
            phone_with_extension("555-123-4569 x12", Some("12")),
            "555-123-4569 x12"
        );
        assert_eq!(phone_with_extension("", Some("12")), "");
    }
}
