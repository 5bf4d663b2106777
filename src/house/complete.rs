//! Complete profiles: what a customer lacks that the house requires (`[house.required]`).
//!
//! Contact roles are read from the contacts' titles, where the onboarding writes them
//! ("Billing Contact - Accounts payable", "Decision Maker - Owner", see
//! [`crate::flows::onboard::Role::title`]); a title counts when it contains one of the
//! configured role phrases as whole words, in any case ("Owner" counts, "Ownership" does not).
//! A residential customer (no business name) is its own billing contact and decision maker.

use crate::api::model::{Contact, Customer};
use crate::config::house::Completeness;

/// Something the house requires that a customer profile lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Missing {
    Phone,
    Address,
    Email,
    BillingContact,
    DecisionMaker,
}

impl Missing {
    /// Every rule, in the order they are reported.
    pub const ALL: [Missing; 5] = [
        Missing::Phone,
        Missing::Address,
        Missing::Email,
        Missing::BillingContact,
        Missing::DecisionMaker,
    ];

    /// Short label for a list column or a hint: "phone", "billing contact".
    pub fn label(self) -> &'static str {
        match self {
            Missing::Phone => "phone",
            Missing::Address => "address",
            Missing::Email => "e-mail",
            Missing::BillingContact => "billing contact",
            Missing::DecisionMaker => "decision maker",
        }
    }

    /// What to do about it, for the form and the onboarding review.
    pub fn hint(self) -> &'static str {
        match self {
            Missing::Phone => "add the customer's phone or mobile",
            Missing::Address => "add the street address and the city",
            Missing::Email => "add the customer's e-mail address (a valid one)",
            Missing::BillingContact => {
                "add a contact titled \"Billing Contact - ...\" (or mark an existing one)"
            }
            Missing::DecisionMaker => {
                "add a contact titled \"Decision Maker - ...\" (or mark an existing one)"
            }
        }
    }

    /// The config key that turns the rule on or off (`[house.required]`).
    pub fn key(self) -> &'static str {
        match self {
            Missing::Phone => "phone",
            Missing::Address => "address",
            Missing::Email => "email",
            Missing::BillingContact => "billing_contact",
            Missing::DecisionMaker => "decision_maker",
        }
    }
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Whether `title` contains `phrase` as whole words, ignoring case and punctuation.
pub fn title_has(title: &str, phrase: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        crate::mirror::text::fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let title = words(title);
    let phrase = words(phrase);
    !phrase.is_empty() && title.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

fn has_role(contacts: &[Contact], phrases: &[String]) -> bool {
    contacts.iter().any(|k| {
        k.title()
            .is_some_and(|t| phrases.iter().any(|p| title_has(&t, p)))
    })
}

/// The contacts of `customer` that hold a role, by its phrases (for the form's hint: "Priya
/// Natarajan is the billing contact").
pub fn contacts_with_role<'a>(customer: &'a Customer, phrases: &[String]) -> Vec<&'a Contact> {
    customer
        .contacts
        .iter()
        .filter(|k| {
            k.title()
                .is_some_and(|t| phrases.iter().any(|p| title_has(&t, p)))
        })
        .collect()
}

/// What `customer` lacks of what `rules` require, in [`Missing::ALL`] order; empty when the
/// profile is complete. Reads the contacts the customer carries (the mirror's and the
/// detail's customers carry all of them).
pub fn missing(customer: &Customer, rules: &Completeness) -> Vec<Missing> {
    let residential = !filled(&customer.business_name);
    let mut out = Vec::new();
    if rules.phone && !filled(&customer.phone) && !filled(&customer.mobile) {
        out.push(Missing::Phone);
    }
    if rules.address && !(filled(&customer.address) && filled(&customer.city)) {
        out.push(Missing::Address);
    }
    if rules.email
        && !customer
            .email
            .as_deref()
            .is_some_and(|e| crate::domain::is_email(e.trim()))
    {
        out.push(Missing::Email);
    }
    if rules.billing_contact && !residential && !has_role(&customer.contacts, &rules.billing_titles)
    {
        out.push(Missing::BillingContact);
    }
    if rules.decision_maker
        && !residential
        && !has_role(&customer.contacts, &rules.decision_maker_titles)
    {
        out.push(Missing::DecisionMaker);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::onboard::Role;
    use serde_json::json;

    fn complete() -> Customer {
        serde_json::from_value(json!({
            "id": 1,
            "business_name": "Acme Dental LLC",
            "email": "office@acmedental.com",
            "phone": "5035550142",
            "address": "1420 NW Lovejoy St",
            "city": "Portland",
            "contacts": [
                {"id": 10, "name": "Sandra", "properties": {"title": Role::DecisionMaker.title("Owner")}},
                {"id": 11, "name": "Priya", "properties": {"title": Role::Billing.title("Accounts payable")}},
            ],
        }))
        .unwrap()
    }

    fn rules() -> Completeness {
        Completeness::default()
    }

    #[test]
    fn a_complete_profile_lacks_nothing() {
        assert_eq!(missing(&complete(), &rules()), []);
    }

    #[test]
    fn phone_or_mobile_counts() {
        let mut c = complete();
        c.phone = Some("  ".into());
        assert_eq!(missing(&c, &rules()), [Missing::Phone]);
        c.mobile = Some("503-555-0199".into());
        assert_eq!(missing(&c, &rules()), []);
    }

    #[test]
    fn an_address_needs_a_street_and_a_city() {
        let mut c = complete();
        c.city = None;
        assert_eq!(missing(&c, &rules()), [Missing::Address]);
        let mut c = complete();
        c.address = Some(String::new());
        assert_eq!(missing(&c, &rules()), [Missing::Address]);
    }

    #[test]
    fn the_email_must_be_an_email() {
        let mut c = complete();
        c.email = None;
        assert_eq!(missing(&c, &rules()), [Missing::Email]);
        c.email = Some("not an email".into());
        assert_eq!(missing(&c, &rules()), [Missing::Email]);
    }

    #[test]
    fn roles_are_read_from_titles() {
        let mut c = complete();
        c.contacts.truncate(1);
        assert_eq!(missing(&c, &rules()), [Missing::BillingContact]);
        let mut c = complete();
        c.contacts.remove(0);
        assert_eq!(missing(&c, &rules()), [Missing::DecisionMaker]);
        // Titles written by hand count too, as whole words in any case.
        let mut c = complete();
        c.contacts[0].properties = serde_json::from_value(json!({"title": "owner"})).unwrap();
        c.contacts[1].properties =
            serde_json::from_value(json!({"title": "BILLING CONTACT"})).unwrap();
        assert_eq!(missing(&c, &rules()), []);
        c.contacts[0].properties = serde_json::from_value(json!({"title": "Ownership"})).unwrap();
        assert_eq!(missing(&c, &rules()), [Missing::DecisionMaker]);
        assert_eq!(contacts_with_role(&c, &rules().billing_titles).len(), 1);
        assert!(title_has("Decision Maker - Owner", "decision maker"));
        assert!(!title_has("Decision Maker - Owner", "maker decision"));
    }

    #[test]
    fn everything_missing_in_order_and_each_rule_can_be_off() {
        let bare: Customer =
            serde_json::from_value(json!({"id": 2, "business_name": "Empty Ltd"})).unwrap();
        assert_eq!(missing(&bare, &rules()), Missing::ALL);
        let off = Completeness {
            phone: false,
            address: false,
            email: false,
            billing_contact: false,
            decision_maker: false,
            ..rules()
        };
        assert_eq!(missing(&bare, &off), []);
        let only_phone = Completeness { phone: true, ..off };
        assert_eq!(missing(&bare, &only_phone), [Missing::Phone]);
    }

    #[test]
    fn residential_customers_are_their_own_contacts() {
        let home: Customer = serde_json::from_value(json!({
            "id": 3, "firstname": "Jane", "lastname": "Doe", "email": "jane@example.com",
            "phone": "5035550100", "address": "1 Main St", "city": "Salem",
        }))
        .unwrap();
        assert_eq!(missing(&home, &rules()), []);
    }

    #[test]
    fn labels_and_keys() {
        assert_eq!(Missing::BillingContact.label(), "billing contact");
        assert_eq!(Missing::BillingContact.key(), "billing_contact");
        assert!(Missing::DecisionMaker.hint().contains("Decision Maker - "));
    }
}
