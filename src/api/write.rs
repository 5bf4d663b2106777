//! Writes that make sure of their outcome: an update is "saved" only when the record holds what
//! was sent, a contact's title is stored where Syncro keeps it, a contact PUT carries the
//! `name` Syncro requires.
//!
//! - [`SyncroClient::update_customer_checked`] and [`SyncroClient::update_contact_checked`]
//!   compare every field sent with the record in the answer. A 200 whose body is not the
//!   updated record (`{}`, another shape, an oversized body), a lost answer (timeout, dropped
//!   connection, 5xx after the retries) or an answer without the new values is followed by a
//!   fresh read of the record: when it holds every field sent, that record is the result;
//!   otherwise the error says which fields did not stick ([`ApiError::NotKept`]), or is the
//!   transport's own error when the request may simply not have arrived. Nothing the server did
//!   not return (no record with id 0) is ever passed up as saved.
//! - [`SyncroClient::create_contact_checked`] sends the title as `properties.title`, checks the
//!   answer, and sets a dropped title with a PUT, saying so in [`CreatedContact::title`].
//! - [`SyncroClient::move_contact`] (merge) sends the contact's current `name` with its new
//!   `customer_id`.

use serde_json::{Map, Value};

use super::client::SyncroClient;
use super::error::ApiError;
use super::model::{Contact, Customer, Id, Patch};

/// What became of the title of a created contact.
#[derive(Debug, Clone)]
pub enum TitleOutcome {
    /// No title was sent.
    NotSent,
    /// The create stored it.
    Stored,
    /// The create dropped it; a PUT right after set it.
    SetAfterCreate,
    /// The create dropped it and the PUT to set it failed: the contact exists without it.
    NotSet(ApiError),
}

/// A contact that was created, and what became of its title.
#[derive(Debug, Clone)]
pub struct CreatedContact {
    /// The contact as the server last returned it (after the title's PUT, when there was one).
    pub contact: Contact,
    pub title: TitleOutcome,
}

impl CreatedContact {
    /// A note for the status line when the title needed care: `(text, is_error)`.
    pub fn note(&self) -> Option<(String, bool)> {
        match &self.title {
            TitleOutcome::NotSent | TitleOutcome::Stored => None,
            TitleOutcome::SetAfterCreate => Some((
                "The server did not store the title with the new contact; it was set with a second request".into(),
                false,
            )),
            TitleOutcome::NotSet(e) => Some((
                format!(
                    "The contact was created without its title, and setting it failed: {e} Edit the contact to set it."
                ),
                true,
            )),
        }
    }
}

/// The text of a patch value, as a form or a flow sends it.
fn patch_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.trim().to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn truthy(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "t" => Some(true),
        "false" | "0" | "no" | "f" | "" => Some(false),
        _ => None,
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// How a field's stored value is compared with the one sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    Exact,
    /// E-mail addresses: case does not matter.
    Caseless,
    /// Customer phones: Syncro keeps only the digits.
    Digits,
}

fn same(sent: &Value, stored: Option<&Value>, how: Compare) -> bool {
    let stored = stored.unwrap_or(&Value::Null);
    if let Value::Bool(b) = stored {
        return truthy(&patch_text(sent)) == Some(*b);
    }
    if let (Value::Bool(b), Value::Null) = (sent, stored) {
        // An unset flag reads as false.
        return !b;
    }
    let (a, b) = (patch_text(sent), patch_text(stored));
    match how {
        Compare::Exact => a == b,
        Compare::Caseless => a.to_lowercase() == b.to_lowercase(),
        Compare::Digits => digits(&a) == digits(&b),
    }
}

fn compare_of(field: &str, customer: bool) -> Compare {
    match field {
        "email" | "notification_email" | "invoice_cc_emails" => Compare::Caseless,
        "phone" | "mobile" if customer => Compare::Digits,
        _ => Compare::Exact,
    }
}

/// The fields of `patch` (API names; properties as `properties.NAME`) whose value `record`
/// (the record as JSON) does not hold. Fields the model does not know are not judged.
fn unkept(patch: &Patch, record: &Map<String, Value>, customer: bool) -> Vec<String> {
    let props = record.get("properties").and_then(Value::as_object);
    let mut out = Vec::new();
    for (key, sent) in patch {
        match key.as_str() {
            "properties" => {
                let Some(sent) = sent.as_object() else {
                    continue;
                };
                for (name, v) in sent {
                    if !same(v, props.and_then(|p| p.get(name)), Compare::Exact) {
                        out.push(format!("properties.{name}"));
                    }
                }
            }
            k => {
                let kept = match k {
                    "title" if !customer => {
                        same(sent, props.and_then(|p| p.get("title")), Compare::Exact)
                    }
                    // Fields the model does not know, and the id, are not judged.
                    _ if !record.contains_key(k) || k == "id" => true,
                    _ => same(sent, record.get(k), compare_of(k, customer)),
                };
                if !kept {
                    out.push(k.to_string());
                }
            }
        }
    }
    out
}

fn as_map<T: serde::Serialize>(record: &T) -> Map<String, Value> {
    match serde_json::to_value(record) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// Fields of `patch` the customer does not hold (see [`SyncroClient::update_customer_checked`]).
pub fn unkept_customer_fields(patch: &Patch, c: &Customer) -> Vec<String> {
    unkept(patch, &as_map(c), true)
}

/// Fields of `patch` the contact does not hold; `title` is read from `properties.title`.
pub fn unkept_contact_fields(patch: &Patch, c: &Contact) -> Vec<String> {
    unkept(patch, &as_map(c), false)
}

/// Whether an error is an answer the server gave with a 2xx status but without the record (as
/// opposed to no answer, or a 5xx): the request reached the server, so fields missing in a
/// fresh read were not kept.
fn answered_2xx(e: &ApiError) -> bool {
    match e {
        ApiError::TooLarge { .. } => true,
        other => other.status().is_some_and(|s| (200..300).contains(&s)),
    }
}

/// The shared shape of a checked update: `put` the patch, compare, re-read when unsure.
async fn checked<T, Put, Get>(
    patch: &Patch,
    put: Put,
    get: Get,
    unkept_of: fn(&Patch, &T) -> Vec<String>,
    what: &str,
) -> Result<T, ApiError>
where
    Put: std::future::Future<Output = Result<T, ApiError>>,
    Get: AsyncFnOnce() -> Result<T, ApiError>,
{
    match put.await {
        Ok(answer) => {
            let missing = unkept_of(patch, &answer);
            if missing.is_empty() {
                return Ok(answer);
            }
            // The answer lacks values sent: a fresh read decides.
            tracing::info!(
                what,
                ?missing,
                "the answer to an update lacks fields; reading the record again"
            );
            match get().await {
                Ok(fresh) => {
                    let missing = unkept_of(patch, &fresh);
                    if missing.is_empty() {
                        Ok(fresh)
                    } else {
                        Err(ApiError::NotKept { fields: missing })
                    }
                }
                Err(_) => Err(ApiError::NotKept { fields: missing }),
            }
        }
        Err(e) if e.outcome_unknown() => {
            tracing::info!(what, error = %e, "an update's answer is not the record; reading the record again");
            match get().await {
                Ok(fresh) => {
                    let missing = unkept_of(patch, &fresh);
                    if missing.is_empty() {
                        Ok(fresh)
                    } else if answered_2xx(&e) {
                        Err(ApiError::NotKept { fields: missing })
                    } else {
                        Err(e)
                    }
                }
                Err(_) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

impl SyncroClient {
    /// `PUT /customers/{id}` that succeeds only with a customer holding every field sent: see
    /// the module docs.
    pub async fn update_customer_checked(
        &self,
        id: Id,
        patch: &Patch,
    ) -> Result<Customer, ApiError> {
        checked(
            patch,
            self.update_customer(id, patch),
            async || self.get_customer(id).await,
            unkept_customer_fields,
            "customer",
        )
        .await
    }

    /// `PUT /contacts/{id}` that always carries `name` (Syncro requires it: when the patch
    /// has none, the contact's current name is read first) and succeeds only with a contact
    /// holding every field sent: see the module docs.
    pub async fn update_contact_checked(&self, id: Id, patch: &Patch) -> Result<Contact, ApiError> {
        let mut patch = patch.clone();
        if !patch.contains_key("name") {
            let current = self.get_contact(id).await?;
            if let Some(name) = current.name.filter(|n| !n.trim().is_empty()) {
                patch.insert("name".into(), Value::String(name));
            }
        }
        checked(
            &patch,
            self.update_contact(id, &patch),
            async || self.get_contact(id).await,
            unkept_contact_fields,
            "contact",
        )
        .await
    }

    /// `POST /contacts` with the title sent as `properties.title`; when the created contact
    /// does not hold the title, a PUT sets it. Errors are those of the create (see
    /// [`SyncroClient::create_contact`]); a failed title PUT is not an error (the contact
    /// exists) but [`TitleOutcome::NotSet`].
    pub async fn create_contact_checked(
        &self,
        customer_id: Id,
        fields: &Patch,
    ) -> Result<CreatedContact, ApiError> {
        let title = fields
            .get("title")
            .or_else(|| fields.get("properties").and_then(|p| p.get("title")))
            .map(patch_text)
            .filter(|t| !t.is_empty());
        let contact = self.create_contact(customer_id, fields).await?;
        let Some(title) = title else {
            return Ok(CreatedContact {
                contact,
                title: TitleOutcome::NotSent,
            });
        };
        if contact.title().is_some_and(|t| t.trim() == title) {
            return Ok(CreatedContact {
                contact,
                title: TitleOutcome::Stored,
            });
        }
        tracing::info!(
            contact = contact.id,
            "the server did not store the new contact's title; setting it with a PUT"
        );
        let mut fix = Patch::new();
        let name = contact
            .name
            .clone()
            .or_else(|| fields.get("name").map(patch_text))
            .unwrap_or_default();
        fix.insert("name".into(), Value::String(name));
        fix.insert("title".into(), Value::String(title));
        match self.update_contact_checked(contact.id, &fix).await {
            Ok(fixed) => Ok(CreatedContact {
                contact: fixed,
                title: TitleOutcome::SetAfterCreate,
            }),
            Err(e) => {
                tracing::warn!(
                    contact = contact.id,
                    "setting the new contact's title failed: {e}"
                );
                Ok(CreatedContact {
                    contact,
                    title: TitleOutcome::NotSet(e),
                })
            }
        }
    }

    /// Moves a contact to another customer (merge): `PUT /contacts/{id}` with `customer_id`
    /// and the contact's `name`, read fresh so that a rename made since the merge was planned
    /// is kept (`name_hint`, the planned name, is used when the server's record has none). A
    /// contact already on `customer_id` is left alone.
    pub async fn move_contact(
        &self,
        id: Id,
        customer_id: Id,
        name_hint: &str,
    ) -> Result<Contact, ApiError> {
        let current = self.get_contact(id).await?;
        if current.customer_id == Some(customer_id) {
            return Ok(current);
        }
        let name = current
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| name_hint.to_string());
        let mut patch = Patch::new();
        patch.insert("name".into(), Value::String(name));
        patch.insert("customer_id".into(), Value::from(customer_id));
        checked(
            &patch,
            self.update_contact(id, &patch),
            async || self.get_contact(id).await,
            unkept_contact_fields,
            "contact",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(v: Value) -> Patch {
        match v {
            Value::Object(m) => m,
            _ => Patch::new(),
        }
    }

    #[test]
    fn fields_are_compared_as_syncro_stores_them() {
        let c: Customer = serde_json::from_value(json!({
            "id": 5, "business_name": "Acme", "email": "Office@Acme.example",
            "phone": "5035550142", "tax_rate_id": 3, "get_sms": true,
            "properties": {"Customer Type": "Business", "Seats": 12}
        }))
        .unwrap();
        let sent = patch(json!({
            "business_name": " Acme ", "email": "office@acme.example",
            "phone": "(503) 555-0142", "tax_rate_id": 3, "get_sms": "1",
            "firstname": "", "get_billing": true,
            "properties": {"Customer Type": "Business", "Seats": "12"}
        }));
        assert_eq!(unkept_customer_fields(&sent, &c), Vec::<String>::new());
        let sent = patch(json!({
            "business_name": "Acme Dental", "phone": "5035550199",
            "properties": {"Customer Type": "Government"}
        }));
        assert_eq!(
            unkept_customer_fields(&sent, &c),
            vec!["business_name", "phone", "properties.Customer Type"]
        );
        // A record with id 0 and nothing in it holds nothing that was sent.
        let empty = Customer::default();
        let sent = patch(json!({"email": "x@y.example", "notes": ""}));
        assert_eq!(unkept_customer_fields(&sent, &empty), vec!["email"]);
    }

    #[test]
    fn a_contacts_title_is_read_from_its_properties() {
        let k: Contact = serde_json::from_value(json!({
            "id": 9, "name": "Jane Roe", "phone": "555.1", "customer_id": 4,
            "properties": {"title": "Owner"}
        }))
        .unwrap();
        let sent = patch(json!({"name": "Jane Roe", "title": "Owner", "customer_id": 4}));
        assert!(unkept_contact_fields(&sent, &k).is_empty());
        let sent = patch(json!({"title": "CEO", "phone": "555-1", "customer_id": 5}));
        assert_eq!(
            unkept_contact_fields(&sent, &k),
            vec!["customer_id", "phone", "title"]
        );
    }

    #[test]
    fn a_title_note_says_what_happened() {
        let made = |title| CreatedContact {
            contact: Contact::default(),
            title,
        };
        assert!(made(TitleOutcome::Stored).note().is_none());
        assert!(made(TitleOutcome::NotSent).note().is_none());
        let (text, error) = made(TitleOutcome::SetAfterCreate).note().unwrap();
        assert!(!error && text.contains("second request"), "{text}");
        let (text, error) = made(TitleOutcome::NotSet(ApiError::Timeout {
            after: std::time::Duration::from_secs(3),
        }))
        .note()
        .unwrap();
        assert!(error && text.contains("without its title"), "{text}");
    }
}
