//! Wire JSON of the demo server, rendered from its own store types in the shapes of the Syncro
//! spec examples (`syncro-openapi-excerpt.json`) and of live data (syncro-api.md).

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::store::{
    AssetRec, ContactRec, ContractRec, CustomerRec, Data, InvoiceRec, Millis, TicketRec, digits,
};

/// The demo account's local offset: real Syncro timestamps carry the account's zone, not `Z`.
const ACCOUNT_OFFSET: FixedOffset = match FixedOffset::east_opt(-5 * 3600) {
    Some(offset) => offset,
    None => panic!("invalid offset"),
};

/// The demo account's id (`account_id` on contacts).
pub const ACCOUNT_ID: u64 = 48_213;

/// `2024-03-05T10:14:24.066-05:00`: milliseconds and the account's offset.
pub fn timestamp(ms: Millis) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&ACCOUNT_OFFSET)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// A customer portal key derived from the id (stable, looks like Syncro's).
fn portal_key(id: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D;
    (0..20)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// A customer; `contacts` embeds the full contact list (list, show, create and update do).
pub fn customer(data: &Data, c: &CustomerRec, contacts: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "firstname": c.firstname,
        "lastname": c.lastname,
        "fullname": c.fullname(),
        "business_name": c.business_name,
        "email": c.email,
        "phone": c.phone,
        "mobile": c.mobile,
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
        "pdf_url": null,
        "address": c.address,
        "address_2": c.address_2,
        "city": c.city,
        "state": c.state,
        "zip": c.zip,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "notes": c.notes,
        "get_sms": c.get_sms,
        "opt_out": c.opt_out,
        "disabled": c.disabled,
        "no_email": c.no_email,
        "location_name": c.location_name,
        "location_id": c.location_id,
        "properties": c.properties,
        "online_profile_url": format!(
            "https://demo.syncromsp.com/my_profile/v2/index?portal_key={}",
            portal_key(c.id)
        ),
        "tax_rate_id": c.tax_rate_id,
        "notification_email": c.notification_email,
        "invoice_cc_emails": c.invoice_cc_emails,
        "invoice_term_id": c.invoice_term_id,
        "referred_by": c.referred_by,
        "ref_customer_id": c.ref_customer_id,
        "business_and_full_name": c.business_and_full_name(),
        "business_then_name": c.business_then_name(),
    });
    if contacts {
        let list: Vec<Value> = data.contacts_of(c.id).map(contact).collect();
        v["contacts"] = Value::Array(list);
    }
    v
}

fn processed(phone: &Option<String>) -> Value {
    match phone.as_deref().map(digits) {
        Some(d) if !d.is_empty() => Value::String(d),
        _ => Value::Null,
    }
}

/// A contact (flat, no wrapper). `id`/timestamps are null for a record that was not saved.
pub fn contact(c: &ContactRec) -> Value {
    contact_record(c, true)
}

/// A contact as echoed in a 422 `record`: unsaved records have a null id and timestamps.
pub fn contact_record(c: &ContactRec, saved: bool) -> Value {
    let (id, created, updated) = if saved {
        (
            json!(c.id),
            json!(timestamp(c.created_at)),
            json!(timestamp(c.updated_at)),
        )
    } else {
        (Value::Null, Value::Null, Value::Null)
    };
    let mut properties = c.properties.to_map();
    if let Some(title) = &c.title {
        properties.insert("title".into(), Value::String(title.clone()));
    }
    json!({
        "id": id,
        "name": c.name,
        "address1": c.address1,
        "address2": c.address2,
        "city": c.city,
        "state": c.state,
        "zip": c.zip,
        "email": c.email,
        "phone": c.phone,
        "mobile": c.mobile,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "customer_id": (c.customer_id != 0).then_some(c.customer_id),
        "account_id": ACCOUNT_ID,
        "notes": c.notes,
        "created_at": created,
        "updated_at": updated,
        "vendor_id": c.vendor_id,
        "properties": properties,
        "opt_out": c.opt_out,
        "extension": c.extension,
        "processed_phone": processed(&c.phone),
        "processed_mobile": processed(&c.mobile),
        "ticket_matching_emails": null,
    })
}

fn customer_name(data: &Data, id: u64) -> Value {
    data.customers
        .get(&id)
        .map(|c| Value::String(c.business_then_name()))
        .unwrap_or(Value::Null)
}

fn contact_name(data: &Data, id: Option<u64>) -> Value {
    id.and_then(|id| data.contacts.get(&id))
        .and_then(|c| c.name.clone())
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// A ticket as the list shows it.
pub fn ticket(data: &Data, t: &TicketRec) -> Value {
    let head = json!({
        "id": t.id,
        "number": t.number,
        "subject": t.subject,
        "created_at": timestamp(t.created_at),
        "customer_id": t.customer_id,
        "customer_business_then_name": customer_name(data, t.customer_id),
        "due_date": t.due_date.map(timestamp),
        "resolved_at": t.resolved_at.map(timestamp),
        "start_at": null,
        "end_at": null,
        "location_id": null,
        "location_name": null,
        "problem_type": t.problem_type,
        "status": t.status,
        "ticket_type_id": 1,
        "ticket_type_name": "Support",
        "properties": {},
        "user_id": null,
        "updated_at": timestamp(t.updated_at),
    });
    let rest = json!({
        "pdf_url": null,
        "priority": t.priority,
        "billing_status": null,
        "tag_list": [],
        "sla_name": null,
        "creator_name_or_email": null,
        "contact_fullname": contact_name(data, t.contact_id),
        "contract_name": null,
        "address_id": null,
        "parent": false,
        "parent_id": null,
        "child": false,
        "recurring": false,
        "customer_reply": false,
        "total_formatted_billable_time": null,
        "contact_id": t.contact_id,
        "sla_breached": false,
        "sla_breaching_soon": false,
        "contract_id": null,
        "sla_id": null,
        "customer_tag_list": [],
        "resolution_time": null,
        "response_time": null,
        "customer_icons": [],
        "comments": [],
        "user": null,
    });
    merge(head, rest)
}

/// A ticket as `GET /tickets/{id}` shows it (with its customer and contact).
pub fn ticket_detail(data: &Data, t: &TicketRec) -> Value {
    let customer_json = data
        .customers
        .get(&t.customer_id)
        .map(|c| customer(data, c, true))
        .unwrap_or(Value::Null);
    let contact_json = t
        .contact_id
        .and_then(|id| data.contacts.get(&id))
        .map(contact)
        .unwrap_or(Value::Null);
    let head = json!({
        "id": t.id,
        "number": t.number,
        "subject": t.subject,
        "created_at": timestamp(t.created_at),
        "customer_id": t.customer_id,
        "customer_business_then_name": customer_name(data, t.customer_id),
        "due_date": t.due_date.map(timestamp),
        "start_at": null,
        "end_at": null,
        "location_id": null,
        "problem_type": t.problem_type,
        "status": t.status,
        "properties": {},
        "user_id": null,
        "updated_at": timestamp(t.updated_at),
        "pdf_url": null,
    });
    let rest = json!({
        "intake_form_html": null,
        "signature_name": null,
        "signature_date": null,
        "asset_ids": [],
        "priority": t.priority,
        "resolved_at": t.resolved_at.map(timestamp),
        "outtake_form_name": null,
        "outtake_form_date": null,
        "outtake_form_html": null,
        "comments": [],
        "attachments": [],
        "ticket_timers": [],
        "line_items": [],
        "worksheet_results": [],
        "assets": [],
        "appointments": [],
        "ticket_fields": [],
        "ticket_answers": [],
        "tag_list": [],
        "customer": customer_json,
        "contact": contact_json,
        "user": {
            "id": 1,
            "email": "tech@demo-msp.example",
            "full_name": "Demo Technician",
            "created_at": timestamp(t.created_at),
            "updated_at": timestamp(t.created_at),
            "group": "Admins",
            "admin": true,
            "color": "1e3e96",
        },
        "ticket_type": {
            "id": 1,
            "name": "Support",
            "account_id": ACCOUNT_ID,
            "created_at": timestamp(t.created_at),
            "updated_at": timestamp(t.created_at),
            "disabled": false,
            "intake_terms": null,
            "skip_intake": false,
            "outtake_terms": null,
            "skip_outtake": false,
            "ticket_fields": [],
        },
        "address": null,
    });
    merge(head, rest)
}

/// `a` with the keys of `b` added (both objects).
fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

/// An asset, with its customer, RMM store and address as the list shows them.
pub fn asset(data: &Data, a: &AssetRec) -> Value {
    let owner = data.customers.get(&a.customer_id);
    let customer_json = owner
        .map(|c| customer(data, c, false))
        .unwrap_or(Value::Null);
    let created = timestamp(a.created_at);
    let address = owner.map(|c| {
        json!({
            "id": a.customer_id,
            "name": "Main Office",
            "customer_id": a.customer_id,
            "address_type_id": 2,
            "address1": c.address,
            "address2": c.address_2,
            "city": c.city,
            "state": c.state,
            "zip": c.zip,
            "latitude": c.latitude,
            "longitude": c.longitude,
            "created_at": timestamp(c.created_at),
            "updated_at": timestamp(c.updated_at),
            "account_id": ACCOUNT_ID,
        })
    });
    // What the agent reports about the machine, as agent-managed assets carry it.
    let mut properties = a.properties.to_map();
    if a.agent && !properties.contains_key("kabuto_information") {
        properties.insert(
            "kabuto_information".into(),
            json!({
                "last_synced_at": timestamp(a.updated_at),
                "general": {"name": a.name, "form_factor": a.asset_type},
            }),
        );
    }
    json!({
        "id": a.id,
        "name": a.name,
        "customer_id": a.customer_id,
        "contact_id": a.contact_id,
        "created_at": created,
        "updated_at": timestamp(a.updated_at),
        "properties": properties,
        "asset_type": a.asset_type,
        "asset_serial": a.asset_serial,
        "external_rmm_link": null,
        "customer": customer_json,
        "rmm_links": [],
        "rmm_store": {
            "id": a.id,
            "asset_id": a.id,
            "account_id": ACCOUNT_ID,
            "triggers": {
                "bsod_triggered": "false",
                "time_triggered": "false",
                "no_av_triggered": "false",
                "defrag_triggered": "false",
                "firewall_triggered": "false",
                "app_crash_triggered": "false",
                "low_hd_space_triggered": "false",
                "smart_failure_triggered": "false",
                "device_manager_triggered": "false",
                "agent_offline_triggered": "false",
            },
            "windows_updates": {},
            "emsisoft": {},
            "general": {},
            "created_at": created,
            "updated_at": created,
            "override_alert_agent_offline_mins": null,
            "override_alert_agent_rearm_after_mins": null,
            "override_low_hd_threshold": null,
            "override_autoresolve_offline_alert": null,
        },
        "address": address,
    })
}

/// A contract, with the fields of the spec's example.
pub fn contract(k: &ContractRec) -> Value {
    json!({
        "id": k.id,
        "account_id": ACCOUNT_ID,
        "customer_id": k.customer_id,
        "name": k.name,
        "contract_amount": k.contract_amount,
        "start_date": k.start_date.map(timestamp),
        "end_date": k.end_date.map(timestamp),
        "primary_contact": null,
        "description": k.description,
        "created_at": timestamp(k.created_at),
        "updated_at": timestamp(k.updated_at),
        "status": k.status,
        "likelihood": k.likelihood,
        "apply_to_all": false,
        "sla_id": null,
    })
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// An invoice; amounts are decimal strings as Syncro sends them.
pub fn invoice(data: &Data, i: &InvoiceRec) -> Value {
    json!({
        "id": i.id,
        "customer_id": i.customer_id,
        "customer_business_then_name": customer_name(data, i.customer_id),
        "number": i.number.to_string(),
        "created_at": timestamp(i.created_at),
        "updated_at": timestamp(i.updated_at),
        "date": timestamp(i.date),
        "due_date": timestamp(i.due_date),
        "subtotal": money(i.subtotal_cents),
        "total": money(i.subtotal_cents + i.tax_cents),
        "tax": money(i.tax_cents),
        "verified_paid": i.is_paid,
        "tech_marked_paid": false,
        "ticket_id": i.ticket_id,
        "pdf_url": null,
        "is_paid": i.is_paid,
        "location_id": null,
        "po_number": null,
        "contact_id": null,
        "note": i.note,
        "hardwarecost": null,
        "user_id": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_millis_and_offset() {
        assert_eq!(
            timestamp(1_709_651_664_066),
            "2024-03-05T10:14:24.066-05:00"
        );
    }

    #[test]
    fn money_formats_cents() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(123_456), "1234.56");
        assert_eq!(money(-5), "-0.05");
    }
}
