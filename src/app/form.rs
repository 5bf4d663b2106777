//! Inline forms: one `tui_input::Input` per field, the values the form opened with, validation,
//! the patch of changed fields, server error routing, conflict detection and drafts.
//!
//! Pure: no terminal, no network, no clock. Drafts are plain data; the caller writes them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tui_input::{Input, InputRequest};

use crate::api::FieldError;
use crate::api::model::{Contact, Customer, Id, Patch, Properties};
use crate::app::kinds::{Debounce, Focus};
use crate::domain::{CUSTOMER_TYPES, Draft, FormTarget, Record, customer_type, is_email};
use crate::roles::{ContactRole, Title};

/// The key of the virtual "customer type" field.
pub const TYPE_KEY: &str = "customer_type";
/// Prefix of fields that edit a custom property: `properties.Managed Status`.
pub const PROP_PREFIX: &str = "properties.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    Text,
    Email,
    Phone,
    /// Free text that may hold line breaks (notes).
    Multiline,
    /// Whole number or empty (tax rate id).
    Integer,
    /// One of `CUSTOMER_TYPES`.
    CustomerType,
    /// A contact's roles: a pick list of several (letters toggle them).
    Roles,
    /// Another customer, by its ID (`ref_customer_id`, the customer who referred this one):
    /// picked by name with a search (typing opens it), Backspace clears it.
    CustomerRef,
}

/// The key of a contact form's roles (a virtual field: the roles are sent inside the title).
pub const ROLES_KEY: &str = "roles";

/// The roles a roles field's text names (`Decision maker, Billing`).
pub fn roles_of(value: &str) -> Vec<ContactRole> {
    ContactRole::ALL
        .into_iter()
        .filter(|r| value.split(", ").any(|part| part == r.name()))
        .collect()
}

#[derive(Debug, Clone)]
pub struct Field {
    /// API key (`business_name`), `customer_type`, or `properties.NAME`.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub input: Input,
    /// The value when the form opened (or the server value the user chose to build on).
    pub original: String,
    pub error: Option<String>,
}

impl Field {
    fn new(key: &str, label: &str, kind: FieldKind, value: String) -> Self {
        Field {
            key: key.to_string(),
            label: label.to_string(),
            kind,
            input: Input::new(value.clone()),
            original: value,
            error: None,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    pub fn is_changed(&self) -> bool {
        self.input.value() != self.original
    }

    pub fn set_value(&mut self, value: String) {
        self.input = Input::new(value);
    }
}

/// Where the form is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormState {
    Editing,
    /// A save is on its way; the form stays open and keeps its content.
    Saving,
    /// The last save failed; the message says why and that Ctrl-S tries again.
    Failed(String),
    /// A create timed out or lost its connection: it may or may not exist on the server.
    OutcomeUnknown,
}

/// One field changed by the user and, since the form opened, also on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub key: String,
    pub label: String,
    pub mine: String,
    pub theirs: String,
    /// `true`: send mine; `false`: take the server's value.
    pub keep_mine: bool,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub target: FormTarget,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Messages that belong to no single field (server errors, network failures).
    pub top_errors: Vec<String>,
    pub state: FormState,
    /// Custom properties as they were when the form opened: the base a property edit merges into.
    pub base_properties: Properties,
    /// Name of the custom property that holds the customer type.
    pub type_property: String,
    /// Conflicts found by the pre-save re-read, waiting for the user's choice.
    pub conflicts: Vec<Conflict>,
    /// Cursor in `conflicts`.
    pub conflict_focus: usize,
}

impl Form {
    /// A form for a new customer (empty, type Business).
    pub fn new_customer(type_property: &str) -> Self {
        Self::customer(FormTarget::NewCustomer, &Customer::default(), type_property)
    }

    pub fn edit_customer(c: &Customer, type_property: &str) -> Self {
        Self::customer(FormTarget::EditCustomer { id: c.id }, c, type_property)
    }

    fn customer(target: FormTarget, c: &Customer, type_property: &str) -> Self {
        let mut fields: Vec<Field> = CUSTOMER_FIELDS
            .iter()
            .map(|spec| {
                let value = (spec.read)(c, type_property);
                Field::new(spec.key, spec.label, spec.kind, value)
            })
            .collect();
        for name in c.properties.keys() {
            if name == type_property {
                continue;
            }
            let key = format!("{PROP_PREFIX}{name}");
            let value = c.property(name).unwrap_or_default();
            fields.push(Field::new(&key, name, FieldKind::Text, value));
        }
        let mut form = Form::from_fields(target, fields, c.properties.clone(), type_property);
        if form.target == FormTarget::NewCustomer
            && let Some(f) = form.field_mut(TYPE_KEY)
        {
            // A new customer starts as a business: the common case for an MSP.
            f.set_value("Business".into());
            f.original = "Business".into();
        }
        form
    }

    pub fn new_contact(customer_id: Id) -> Self {
        Self::contact(FormTarget::NewContact { customer_id }, &Contact::default())
    }

    pub fn edit_contact(c: &Contact) -> Self {
        let target = FormTarget::EditContact {
            id: c.id,
            customer_id: c.customer_id.unwrap_or_default(),
        };
        Self::contact(target, c)
    }

    fn contact(target: FormTarget, c: &Contact) -> Self {
        let fields = CONTACT_FIELDS
            .iter()
            .map(|spec| Field::new(spec.key, spec.label, spec.kind, (spec.read)(c, "")))
            .collect();
        Form::from_fields(target, fields, c.properties.clone(), "")
    }

    fn from_fields(
        target: FormTarget,
        fields: Vec<Field>,
        base_properties: Properties,
        type_property: &str,
    ) -> Self {
        Form {
            target,
            fields,
            focus: 0,
            top_errors: Vec::new(),
            state: FormState::Editing,
            base_properties,
            type_property: type_property.to_string(),
            conflicts: Vec::new(),
            conflict_focus: 0,
        }
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus.min(self.fields.len() - 1)]
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(Field::is_changed)
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }

    pub fn prev_field(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    pub fn on_last_field(&self) -> bool {
        self.focus + 1 == self.fields.len()
    }

    /// Ctrl-R: the focused field goes back to the value it opened with.
    pub fn revert_focused(&mut self) {
        let i = self.focus;
        let original = self.fields[i].original.clone();
        self.fields[i].set_value(original);
        self.fields[i].error = None;
    }

    /// Feeds an editing request (from `tui_input::backend::crossterm::to_input_request`) to the
    /// focused field. A type field cycles through the customer types instead of taking text.
    pub fn edit_focused(&mut self, req: InputRequest) {
        let field = &mut self.fields[self.focus];
        if field.kind == FieldKind::Roles {
            let mut title = Title {
                roles: roles_of(field.value()),
                ..Title::default()
            };
            match req {
                InputRequest::InsertChar(c) => {
                    if let Some(role) = ContactRole::ALL
                        .into_iter()
                        .find(|r| r.key() == c.to_ascii_lowercase())
                    {
                        title.toggle(role);
                    }
                }
                InputRequest::DeletePrevChar
                | InputRequest::DeleteNextChar
                | InputRequest::DeleteLine => title.roles.clear(),
                _ => {}
            }
            field.set_value(title.roles_text());
            field.error = None;
            return;
        }
        if field.kind == FieldKind::CustomerRef {
            // Set by the customer picker (see `app::pick`); the delete keys clear it.
            if matches!(
                req,
                InputRequest::DeletePrevChar
                    | InputRequest::DeleteNextChar
                    | InputRequest::DeleteLine
            ) {
                field.set_value(String::new());
                field.error = None;
            }
            return;
        }
        if field.kind == FieldKind::CustomerType {
            let cur = CUSTOMER_TYPES
                .iter()
                .position(|t| *t == field.value())
                .unwrap_or(0);
            let next = match req {
                InputRequest::GoToPrevChar | InputRequest::DeletePrevChar => {
                    (cur + CUSTOMER_TYPES.len() - 1) % CUSTOMER_TYPES.len()
                }
                InputRequest::InsertChar(c) => CUSTOMER_TYPES
                    .iter()
                    .position(|t| t.to_lowercase().starts_with(c.to_ascii_lowercase()))
                    .unwrap_or((cur + 1) % CUSTOMER_TYPES.len()),
                _ => (cur + 1) % CUSTOMER_TYPES.len(),
            };
            field.set_value(CUSTOMER_TYPES[next].to_string());
        } else {
            field.input.handle(req);
        }
        field.error = None;
    }

    /// Sets the focused field's whole value (from `$EDITOR`).
    pub fn set_focused_value(&mut self, value: String) {
        let field = &mut self.fields[self.focus];
        let value = if field.kind == FieldKind::Multiline {
            value.trim_end_matches('\n').to_string()
        } else {
            // A single-line field takes the first line only.
            value.lines().next().unwrap_or("").trim_end().to_string()
        };
        field.set_value(value);
        field.error = None;
    }

    fn customer_type(&self) -> &str {
        self.field(TYPE_KEY).map(Field::value).unwrap_or("Business")
    }

    /// The house-style name, when the business name typed breaks the style (customer forms
    /// of a non-residential customer only).
    pub fn name_suggestion(
        &self,
        style: &crate::config::house::HouseStyle,
    ) -> Option<crate::house::Suggestion> {
        if !self.target.is_customer() || self.customer_type() == "Residential" {
            return None;
        }
        crate::house::check(self.field("business_name")?.value(), style)
    }

    /// Takes the house-style name into the business name field; false when there is none to
    /// take.
    pub fn apply_name_suggestion(&mut self, style: &crate::config::house::HouseStyle) -> bool {
        let Some(s) = self.name_suggestion(style) else {
            return false;
        };
        if let Some(f) = self.field_mut("business_name") {
            f.set_value(s.fixed);
            f.error = None;
        }
        true
    }

    /// What the customer would lack of what the house requires, as the form holds it, with
    /// `contacts` (the customer's, for an edit; none yet for a new one).
    pub fn missing(
        &self,
        contacts: &[Contact],
        rules: &crate::config::house::Completeness,
    ) -> Vec<crate::house::Missing> {
        if !self.target.is_customer() {
            return Vec::new();
        }
        let get = |k: &str| {
            self.field(k)
                .map(|f| f.value().to_string())
                .filter(|v| !v.trim().is_empty())
        };
        let residential = self.customer_type() == "Residential";
        let c = Customer {
            business_name: if residential {
                None
            } else {
                get("business_name")
            },
            email: get("email"),
            phone: get("phone"),
            mobile: get("mobile"),
            address: get("address"),
            city: get("city"),
            contacts: contacts.to_vec(),
            ..Customer::default()
        };
        crate::house::missing(&c, rules)
    }

    /// Checks the form before anything is sent; errors are put on their fields.
    /// Returns `true` when the form may be sent.
    pub fn validate(&mut self) -> bool {
        let residential = self.customer_type() == "Residential";
        for f in &mut self.fields {
            f.error = validate_value(f.kind, f.value());
        }
        match self.target {
            FormTarget::NewCustomer | FormTarget::EditCustomer { .. } => {
                let blank = |form: &Form, k: &str| {
                    form.field(k).is_none_or(|f| f.value().trim().is_empty())
                };
                if residential {
                    for k in ["firstname", "lastname"] {
                        if blank(self, k)
                            && let Some(f) = self.field_mut(k)
                        {
                            f.error = Some("Required for a residential customer".into());
                        }
                    }
                } else if blank(self, "business_name")
                    && let Some(f) = self.field_mut("business_name")
                {
                    f.error = Some(
                        "Required (for a residential customer, pick Residential and give first and last name)"
                            .into(),
                    );
                }
            }
            FormTarget::NewContact { .. } | FormTarget::EditContact { .. } => {
                if let Some(f) = self.field_mut("name")
                    && f.value().trim().is_empty()
                {
                    f.error = Some("Required".into());
                }
            }
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
            false
        } else {
            true
        }
    }

    /// The body to send: every field on a create, only the changed ones on an update.
    /// Custom properties and the customer type are sent as the whole merged `properties` map.
    pub fn patch(&self) -> Patch {
        let create = self.target.is_create();
        let mut patch = Patch::new();
        let mut props = self.base_properties.clone();
        let mut props_changed = false;
        // A contact's roles and job title are one stored title: either changed sends it whole.
        let contact = !self.target.is_customer();
        let title_changed = self
            .fields
            .iter()
            .any(|f| (f.key == ROLES_KEY || f.key == "title") && f.is_changed());
        if contact && (title_changed || create) {
            let stored = self
                .base_properties
                .get("title")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let title = Title {
                roles: self
                    .field(ROLES_KEY)
                    .map(|f| roles_of(f.value()))
                    .unwrap_or_default(),
                job: self
                    .field("title")
                    .map(|f| f.value().trim().to_string())
                    .unwrap_or_default(),
                // A contact who left stays marked as left when the title is edited.
                retired: Title::read(stored).retired,
            }
            .write();
            if !(create && title.is_empty()) {
                patch.insert("title".into(), Value::String(title));
            }
        }
        for f in &self.fields {
            if !create && !f.is_changed() {
                continue;
            }
            if contact && (f.key == ROLES_KEY || f.key == "title") {
                continue;
            }
            let value = f.value().to_string();
            if f.key == TYPE_KEY {
                if !self.target.is_customer() || self.type_property.is_empty() {
                    continue;
                }
                let old = props.get(&self.type_property).cloned();
                let new = Value::String(value.clone());
                if old.as_ref() != Some(&new) {
                    props.insert(self.type_property.clone(), new);
                    props_changed = true;
                }
                if value == "Residential" && !create {
                    patch.insert("business_name".into(), Value::String(String::new()));
                }
            } else if let Some(name) = f.key.strip_prefix(PROP_PREFIX) {
                props.insert(name.to_string(), Value::String(value));
                props_changed = true;
            } else if f.kind == FieldKind::CustomerRef {
                let v = value.trim();
                if create && v.is_empty() {
                    continue;
                }
                patch.insert(
                    f.key.clone(),
                    v.parse::<u64>().map(Value::from).unwrap_or(Value::Null),
                );
            } else if f.kind == FieldKind::Integer {
                let v = value.trim();
                if create && v.is_empty() {
                    continue;
                }
                // `#77` as typed from Syncro's page is the ID 77.
                let id = crate::house::parse_tax_rate_id(v).ok().flatten();
                patch.insert(f.key.clone(), id.map(Value::from).unwrap_or(Value::Null));
            } else {
                if create && value.is_empty() {
                    continue;
                }
                // Syncro keeps a customer's phone as its digits: send those, as it will store
                // them (a contact's phone is kept as typed).
                let value = if self.target.is_customer() && f.kind == FieldKind::Phone {
                    digits(&value)
                } else {
                    value
                };
                patch.insert(f.key.clone(), Value::String(value));
            }
        }
        if props_changed {
            patch.insert("properties".into(), Value::from(props));
        }
        // Syncro's contact PUT requires `name` (the spec marks it so, and a title-only update
        // can be refused with "Name can't be blank"): an update always carries it, as the form
        // holds it (the server's value when the user did not change it, see the re-read).
        if matches!(self.target, FormTarget::EditContact { .. })
            && !patch.is_empty()
            && !patch.contains_key("name")
            && let Some(name) = self.field("name")
        {
            patch.insert("name".into(), Value::String(name.value().to_string()));
        }
        // A residential customer has no business name, whatever the field holds.
        if self.target.is_customer() && self.customer_type() == "Residential" && create {
            patch.remove("business_name");
        }
        patch
    }

    /// Routes a 422's messages: to the field they name, the rest to the top of the form.
    pub fn apply_server_errors(&mut self, errors: &[FieldError]) {
        self.top_errors.clear();
        for e in errors {
            let field = e.field.as_deref().and_then(|k| {
                self.fields
                    .iter()
                    .position(|f| f.key == k || (k == "address" && f.key == "address1"))
            });
            match field {
                Some(i) => self.fields[i].error = Some(e.message.clone()),
                None => self.top_errors.push(e.message.clone()),
            }
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        if errors.is_empty() {
            self.top_errors
                .push("The server rejected the record without saying why.".into());
        }
    }

    /// Compares the record as it is on the server now with the values the form opened with.
    /// Fields the user changed that someone else also changed become conflicts; fields the user
    /// did not touch but that changed on the server take the server's value silently, so the
    /// form shows what is really there (they are never sent).
    pub fn detect_conflicts_customer(&mut self, now: &Customer) -> bool {
        let tp = self.type_property.clone();
        self.detect(|k| customer_value(now, k, &tp));
        self.base_properties = now.properties.clone();
        !self.conflicts.is_empty()
    }

    pub fn detect_conflicts_contact(&mut self, now: &Contact) -> bool {
        self.detect(|k| contact_value(now, k));
        self.base_properties = now.properties.clone();
        !self.conflicts.is_empty()
    }

    fn detect(&mut self, theirs_of: impl Fn(&str) -> Option<String>) {
        self.conflicts.clear();
        self.conflict_focus = 0;
        for f in &mut self.fields {
            // A field the record cannot have (the onboarding's role) has nothing to compare.
            let Some(theirs) = theirs_of(&f.key) else {
                continue;
            };
            if theirs == f.original {
                continue;
            }
            if !f.is_changed() {
                f.set_value(theirs.clone());
                f.original = theirs;
            } else if f.value() == theirs {
                f.original = theirs;
            } else {
                self.conflicts.push(Conflict {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    mine: f.value().to_string(),
                    theirs,
                    keep_mine: true,
                });
            }
        }
    }

    /// Applies the user's choices: "theirs" puts the server's value in the field (not sent);
    /// "mine" keeps the typed value and sends it over the server's.
    pub fn resolve_conflicts(&mut self) {
        let conflicts = std::mem::take(&mut self.conflicts);
        for c in conflicts {
            if let Some(f) = self.field_mut(&c.key) {
                if c.keep_mine {
                    f.original = c.theirs;
                } else {
                    f.set_value(c.theirs.clone());
                    f.original = c.theirs;
                }
            }
        }
    }

    /// What to look for before offering to send a create again (after an unknown outcome), and
    /// before any create (verify before create): e-mail, name and phone as typed.
    pub fn identity(&self) -> Identity {
        let get = |k: &str| {
            self.field(k)
                .map(|f| f.value().trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let name = if self.target.is_customer() {
            get("business_name").or_else(|| {
                let p: Vec<String> = ["firstname", "lastname"]
                    .iter()
                    .filter_map(|k| get(k))
                    .collect();
                (!p.is_empty()).then(|| p.join(" "))
            })
        } else {
            get("name")
        };
        Identity {
            name,
            email: get("email"),
            phone_digits: get("phone").map(|p| digits(&p)).filter(|d| d.len() >= 7),
        }
    }

    /// Snapshot of the form for the drafts directory.
    pub fn to_draft(&self) -> Draft {
        Draft {
            target: self.target.clone(),
            values: self
                .fields
                .iter()
                .map(|f| (f.key.clone(), f.value().to_string()))
                .collect(),
            originals: self
                .fields
                .iter()
                .map(|f| (f.key.clone(), f.original.clone()))
                .collect(),
            base_properties: self.base_properties.clone(),
            type_property: self.type_property.clone(),
        }
    }

    /// Rebuilds a form from a draft (after a crash): same fields, typed values, originals.
    pub fn from_draft(d: &Draft) -> Self {
        let mut form = match &d.target {
            FormTarget::NewCustomer | FormTarget::EditCustomer { .. } => {
                let mut c = Customer {
                    properties: d.base_properties.clone(),
                    ..Default::default()
                };
                if let FormTarget::EditCustomer { id } = d.target {
                    c.id = id;
                }
                Self::customer(d.target.clone(), &c, &d.type_property)
            }
            FormTarget::NewContact { .. } | FormTarget::EditContact { .. } => {
                let mut f = Self::contact(d.target.clone(), &Contact::default());
                f.base_properties = d.base_properties.clone();
                f
            }
        };
        for f in &mut form.fields {
            if let Some(o) = d.originals.get(&f.key) {
                f.original = o.clone();
            }
            if let Some(v) = d.values.get(&f.key) {
                f.set_value(v.clone());
            }
        }
        form
    }
}

/// What identifies a record for duplicate checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_digits: Option<String>,
}

impl Identity {
    /// Does this customer look like the one being created (same e-mail, name or phone)?
    pub fn matches_customer(&self, c: &Customer) -> Option<&'static str> {
        if let Some(e) = &self.email
            && c.email
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(e))
        {
            return Some("same e-mail");
        }
        if let Some(n) = &self.name {
            let n = n.to_lowercase();
            if c.display_name().to_lowercase() == n || c.person_name().to_lowercase() == n {
                return Some("same name");
            }
        }
        if let Some(p) = &self.phone_digits {
            // Compare the last seven digits or more, so "+1 555..." matches "555...".
            let same = |x: &Option<String>| {
                let d = x.as_deref().map(digits).unwrap_or_default();
                d.len() >= 7 && (d.ends_with(p.as_str()) || p.ends_with(d.as_str()))
            };
            if same(&c.phone) || same(&c.mobile) {
                return Some("same phone");
            }
        }
        None
    }

    /// A quick test on a list row's view that every row [`Identity::matches_customer`] or
    /// [`Identity::matches_contact`] (for the row's contacts) would accept passes, so that only
    /// those rows need their record decoded. `None` (check every row) when the typed text holds
    /// characters the view's sanitising changes: only for clean text does the view hold the
    /// record's own text. (A record equal to clean text, ignoring case, is clean itself.)
    pub fn row_filter(&self) -> Option<RowFilter> {
        let clean = |s: &String| crate::sanitize::line(s) == *s;
        if !self.email.iter().chain(&self.name).all(clean) {
            return None;
        }
        Some(RowFilter {
            texts: self
                .email
                .iter()
                .chain(&self.name)
                .map(|s| s.to_lowercase())
                .collect(),
            // The last seven digits: what both ways of matching a phone have in common.
            digits: self
                .phone_digits
                .as_deref()
                .map(|p| p[p.len().saturating_sub(7)..].to_string()),
        })
    }

    /// Does this contact (of any customer) have the e-mail being created?
    pub fn matches_contact(&self, c: &Contact) -> Option<&'static str> {
        if let Some(e) = &self.email
            && c.email
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(e))
        {
            return Some("same e-mail");
        }
        if let Some(n) = &self.name
            && c.name.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(n))
        {
            return Some("same name");
        }
        None
    }
}

/// See [`Identity::row_filter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFilter {
    texts: Vec<String>,
    digits: Option<String>,
}

impl RowFilter {
    /// False only for rows no part of the identity can match.
    pub fn may_match(&self, v: &super::view::RowView) -> bool {
        self.texts.iter().any(|t| v.haystack().contains(t.as_str()))
            || self
                .digits
                .as_deref()
                .is_some_and(|d| v.digits().contains(d))
    }
}

/// One field of a form: the key it is sent under (an API field, or [`TYPE_KEY`]), its label
/// and kind, and how its text is read from the record. The tables below are the only place a
/// form's fields are named: building a form, reading a record for a conflict and validating all
/// go through them, so a key cannot be misspelt in one place only.
pub struct FieldSpec<R> {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// The field's text; the second argument is the customer-type property's name.
    pub read: fn(&R, &str) -> String,
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// A phone as the form shows it: as the list and the detail show it (`(503) 555-0142`, not the
/// digits Syncro keeps for a customer), but otherwise as typed, control characters included,
/// so that nothing is changed behind the technician's back.
fn phone(v: &Option<String>) -> String {
    let raw = text(v);
    crate::app::view::phone_format(&raw).unwrap_or(raw)
}

macro_rules! spec {
    ($key:expr, $label:expr, $kind:ident, $read:expr) => {
        FieldSpec {
            key: $key,
            label: $label,
            kind: FieldKind::$kind,
            read: $read,
        }
    };
}

/// A customer form's fields, in order (custom properties follow them).
pub static CUSTOMER_FIELDS: &[FieldSpec<Customer>] = &[
    spec!("business_name", "Business name", Text, |c, _| text(
        &c.business_name
    )),
    spec!("firstname", "First name", Text, |c, _| text(&c.firstname)),
    spec!("lastname", "Last name", Text, |c, _| text(&c.lastname)),
    spec!(TYPE_KEY, "Customer type", CustomerType, |c, tp| {
        customer_type(c, tp).to_string()
    }),
    spec!("email", "E-mail", Email, |c, _| text(&c.email)),
    spec!("phone", "Phone", Phone, |c, _| phone(&c.phone)),
    spec!("mobile", "Mobile", Phone, |c, _| phone(&c.mobile)),
    spec!("address", "Address", Text, |c, _| text(&c.address)),
    spec!("address_2", "Address 2", Text, |c, _| text(&c.address_2)),
    spec!("city", "City", Text, |c, _| text(&c.city)),
    spec!("state", "State", Text, |c, _| text(&c.state)),
    spec!("zip", "ZIP", Text, |c, _| text(&c.zip)),
    spec!("referred_by", "Referred by", Text, |c, _| text(
        &c.referred_by
    )),
    spec!("tax_rate_id", "Tax rate ID", Integer, |c, _| {
        c.tax_rate_id.map(|i| i.to_string()).unwrap_or_default()
    }),
    // After the fields that were there before it, so that tabbing to them by count (a
    // technician's habit, a script) still lands where it did.
    spec!("ref_customer_id", "Referral", CustomerRef, |c, _| {
        c.ref_customer_id.map(|i| i.to_string()).unwrap_or_default()
    }),
    spec!("notes", "Notes", Multiline, |c, _| text(&c.notes)),
];

/// A contact form's fields, in order. The roles and the job title are both kept in the stored
/// title (see [`crate::roles`]); the form shows them apart and [`Form::patch`] joins them.
pub static CONTACT_FIELDS: &[FieldSpec<Contact>] = &[
    spec!("name", "Name", Text, |c, _| text(&c.name)),
    spec!(ROLES_KEY, "Roles", Roles, |c, _| {
        Title::read(&c.title().unwrap_or_default()).roles_text()
    }),
    spec!("title", "Title", Text, |c, _| {
        Title::read(&c.title().unwrap_or_default()).job
    }),
    spec!("email", "E-mail", Email, |c, _| text(&c.email)),
    spec!("phone", "Phone", Phone, |c, _| phone(&c.phone)),
    spec!("mobile", "Mobile", Phone, |c, _| phone(&c.mobile)),
    spec!("address1", "Address 1", Text, |c, _| text(&c.address1)),
    spec!("address2", "Address 2", Text, |c, _| text(&c.address2)),
    spec!("city", "City", Text, |c, _| text(&c.city)),
    spec!("state", "State", Text, |c, _| text(&c.state)),
    spec!("zip", "ZIP", Text, |c, _| text(&c.zip)),
    spec!("notes", "Notes", Multiline, |c, _| text(&c.notes)),
];

/// The text of a customer's field as a form shows it: a field of [`CUSTOMER_FIELDS`] or a
/// custom property (`properties.NAME`); `None` for a key that names neither.
pub fn customer_value(c: &Customer, key: &str, type_property: &str) -> Option<String> {
    if let Some(spec) = CUSTOMER_FIELDS.iter().find(|s| s.key == key) {
        return Some((spec.read)(c, type_property));
    }
    let name = key.strip_prefix(PROP_PREFIX)?;
    Some(c.property(name).unwrap_or_default())
}

/// The text of a contact's field as a form shows it; `None` for a key of no contact field.
pub fn contact_value(c: &Contact, key: &str) -> Option<String> {
    CONTACT_FIELDS
        .iter()
        .find(|s| s.key == key)
        .map(|spec| (spec.read)(c, ""))
}

pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Per-kind checks; `None` when the value is acceptable. Empty values are fine here: required
/// fields are checked by the form, which knows the customer type.
pub fn validate_value(kind: FieldKind, v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match kind {
        FieldKind::Email if !is_email(v) => {
            Some("Not an e-mail address (expected name@example.com)".into())
        }
        FieldKind::Phone
            if !v
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-.xX".contains(c)) =>
        {
            Some("Only digits, spaces and + ( ) - . x".into())
        }
        FieldKind::Phone if !v.chars().any(|c| c.is_ascii_digit()) => {
            Some("A phone number needs digits".into())
        }
        // The only number field is the tax rate ID: the API lists no tax rates to pick from
        // (see `crate::house::tax`), so the message says where to look the ID up.
        FieldKind::Integer => crate::house::parse_tax_rate_id(v).err(),
        FieldKind::CustomerRef if v.parse::<u64>().is_err() => {
            Some("Pick the customer: type part of its name".into())
        }
        FieldKind::CustomerType if !CUSTOMER_TYPES.contains(&v) => {
            Some(format!("One of {}", CUSTOMER_TYPES.join(", ")))
        }
        _ => None,
    }
}

/// A request the open form waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// The record, re-read before the PUT.
    Reread,
    /// The create or the update.
    Save,
    /// Records like the one being created; `after_unknown`: a create's outcome is unknown.
    Lookup { after_unknown: bool },
}

/// A record that may be the one being created.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Sanitised, for the screen.
    pub label: String,
    pub reason: &'static str,
    pub record: Record,
}

/// The open form and where its save stands.
#[derive(Debug, Clone)]
pub struct FormUi {
    pub form: Form,
    /// Tag of the request in flight; answers with another tag are dropped.
    pub token: u64,
    pub pending: Option<Pending>,
    /// Existing records that may be the one being created.
    pub matches: Vec<Match>,
    /// The duplicate check ran and its result is on screen: the next Ctrl-S sends.
    pub checked: bool,
    /// The draft file waits for this.
    pub draft: Debounce,
    /// A name for the title (the customer or contact being edited, or its customer).
    pub subject: String,
    /// Where the focus goes back to when the form closes.
    pub focus_before: Focus,
    /// The record as the server had it at the re-read before the PUT: what the list shows
    /// once the form closes, even when nothing is left to send ("take theirs" everywhere).
    pub server: Option<Record>,
}

impl FormUi {
    /// Whether a request of the form is in flight (the spinner turns).
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// The status line's activity while the form waits.
    pub fn activity(&self) -> Option<String> {
        Some(match self.pending? {
            Pending::Reread => "Checking the record on the server".into(),
            Pending::Save => "Saving".into(),
            Pending::Lookup {
                after_unknown: true,
            } => "Looking for the record on the server".into(),
            Pending::Lookup { .. } => "Looking for duplicates".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_field_is_read_through_its_table_and_a_misspelt_key_reads_nothing() {
        let c = customer();
        let form = Form::edit_customer(&c, "Customer Type");
        for spec in CUSTOMER_FIELDS {
            assert_eq!(
                customer_value(&c, spec.key, "Customer Type").as_deref(),
                Some(form.field(spec.key).unwrap().value()),
                "{}",
                spec.key
            );
        }
        assert_eq!(customer_value(&c, "busines_name", "Customer Type"), None);
        assert_eq!(
            customer_value(&c, "properties.Managed Status", "").as_deref(),
            Some("Gold")
        );
        let k = contact();
        for spec in CONTACT_FIELDS {
            assert!(contact_value(&k, spec.key).is_some(), "{}", spec.key);
        }
        assert_eq!(contact_value(&k, "titel"), None);
        assert_eq!(
            contact_value(&k, "title").as_deref(),
            Some("Office Manager")
        );
        // A new customer starts as a business, found by key.
        assert_eq!(
            Form::new_customer("Customer Type")
                .field(TYPE_KEY)
                .unwrap()
                .value(),
            "Business"
        );
    }

    fn customer() -> Customer {
        serde_json::from_value(json!({
            "id": 10, "business_name": "Acme Dental", "firstname": "Ann", "lastname": "Lee",
            "email": "office@acme.example", "phone": "5551234567", "city": "Springfield",
            "properties": {"Customer Type": "Government", "Managed Status": "Gold"}
        }))
        .unwrap()
    }

    fn contact() -> Contact {
        serde_json::from_value(json!({
            "id": 77, "customer_id": 10, "name": "Jane Roe", "phone": "555.1",
            "properties": {"title": "Office Manager"}
        }))
        .unwrap()
    }

    fn type_text(form: &mut Form, s: &str) {
        for c in s.chars() {
            form.edit_focused(InputRequest::InsertChar(c));
        }
    }

    fn focus(form: &mut Form, key: &str) {
        form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
    }

    #[test]
    fn edit_sends_only_changed_fields() {
        let mut f = Form::edit_contact(&contact());
        assert!(!f.is_dirty());
        focus(&mut f, "title");
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "IT Director");
        focus(&mut f, "phone");
        type_text(&mut f, "9");
        assert!(f.validate());
        let p = f.patch();
        // The changed fields, and the name a contact PUT always carries.
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(p["title"], json!("IT Director"));
        assert_eq!(p["phone"], json!("555.19"));
        assert_eq!(p["name"], json!("Jane Roe"));
    }

    #[test]
    fn property_edit_sends_whole_merged_map() {
        let mut f = Form::edit_customer(&customer(), "Customer Type");
        focus(&mut f, "properties.Managed Status");
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "Silver");
        let p = f.patch();
        assert_eq!(
            p["properties"],
            json!({"Customer Type": "Government", "Managed Status": "Silver"})
        );
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn customer_type_is_read_and_cycled() {
        let mut f = Form::edit_customer(&customer(), "Customer Type");
        assert_eq!(f.field(TYPE_KEY).unwrap().value(), "Government");
        focus(&mut f, TYPE_KEY);
        f.edit_focused(InputRequest::InsertChar('n'));
        assert_eq!(f.field(TYPE_KEY).unwrap().value(), "Non-Profit");
        let p = f.patch();
        assert_eq!(p["properties"]["Customer Type"], json!("Non-Profit"));
        let no_business = Customer {
            firstname: Some("Bo".into()),
            ..Default::default()
        };
        assert_eq!(customer_type(&no_business, "Customer Type"), "Residential");
    }

    #[test]
    fn validation_rules() {
        let mut f = Form::new_customer("Customer Type");
        assert!(!f.validate(), "business name required");
        assert!(f.field("business_name").unwrap().error.is_some());
        focus(&mut f, TYPE_KEY);
        f.edit_focused(InputRequest::InsertChar('r'));
        assert!(!f.validate(), "residential needs first and last name");
        assert!(f.field("business_name").unwrap().error.is_none());
        assert!(f.field("firstname").unwrap().error.is_some());
        focus(&mut f, "firstname");
        type_text(&mut f, "Bo");
        focus(&mut f, "lastname");
        type_text(&mut f, "Li");
        focus(&mut f, "email");
        type_text(&mut f, "bo@@x");
        assert!(!f.validate());
        assert_eq!(f.focused().key, "email");
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "bo@example.com");
        focus(&mut f, "phone");
        type_text(&mut f, "555-1234 ext");
        assert!(!f.validate());
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "+1 (555) 123-4567 x12");
        assert!(f.validate());
        let p = f.patch();
        assert!(!p.contains_key("business_name"));
        assert_eq!(p["firstname"], json!("Bo"));

        let mut c = Form::new_contact(10);
        assert!(!c.validate());
        assert_eq!(c.focused().key, "name");
    }

    #[test]
    fn the_tax_rate_id_is_checked_and_says_where_to_find_it() {
        let mut f = Form::edit_customer(&customer(), "Customer Type");
        focus(&mut f, "tax_rate_id");
        type_text(&mut f, "8.25%");
        assert!(!f.validate());
        assert_eq!(f.focused().key, "tax_rate_id");
        let e = f.focused().error.clone().unwrap();
        assert!(e.contains("looks like a rate"), "{e}");
        assert!(e.contains("Admin → Invoices - Tax Rates"), "{e}");
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "0");
        assert!(!f.validate(), "0 is no tax rate's ID");
        // An ID copied with its `#` from Syncro's page is sent as the number.
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "#4411");
        assert!(f.validate());
        assert_eq!(f.patch()["tax_rate_id"], json!(4411));
        // Empty is fine (Syncro then uses the default rate): as it was, nothing to send.
        f.edit_focused(InputRequest::DeleteLine);
        assert!(f.validate());
        assert!(!f.patch().contains_key("tax_rate_id"));
    }

    #[test]
    fn the_name_hint_follows_the_house_style_and_one_call_applies_it() {
        let style = crate::config::house::HouseStyle::default();
        let mut f = Form::new_customer("Customer Type");
        type_text(&mut f, "ACME DENTAL llc");
        let s = f.name_suggestion(&style).unwrap();
        assert_eq!(s.fixed, "Acme Dental LLC");
        assert!(f.apply_name_suggestion(&style));
        assert_eq!(f.field("business_name").unwrap().value(), "Acme Dental LLC");
        assert_eq!(f.name_suggestion(&style), None, "a fixed name passes");
        assert!(!f.apply_name_suggestion(&style));
        // A residential customer has no company name to check; contact forms neither.
        focus(&mut f, "business_name");
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "acme");
        focus(&mut f, TYPE_KEY);
        f.edit_focused(InputRequest::InsertChar('r'));
        assert_eq!(f.name_suggestion(&style), None);
        assert_eq!(Form::new_contact(1).name_suggestion(&style), None);
    }

    #[test]
    fn the_form_says_what_the_profile_lacks_as_typed() {
        let rules = crate::config::house::Completeness::default();
        let mut f = Form::edit_customer(&customer(), "Customer Type");
        use crate::house::Missing;
        // The fixture has an e-mail and a phone, a city but no street, and no contacts.
        assert_eq!(
            f.missing(&[], &rules),
            [
                Missing::Address,
                Missing::BillingContact,
                Missing::DecisionMaker
            ]
        );
        focus(&mut f, "address");
        type_text(&mut f, "1 Main St");
        let owner = Contact {
            properties: serde_json::from_value(json!({"title": "Decision Maker - Owner"})).unwrap(),
            ..contact()
        };
        assert_eq!(f.missing(&[owner], &rules), [Missing::BillingContact]);
        focus(&mut f, "phone");
        f.edit_focused(InputRequest::DeleteLine);
        assert!(f.missing(&[], &rules).contains(&Missing::Phone));
        assert_eq!(Form::new_contact(1).missing(&[], &rules), []);
    }

    #[test]
    fn the_referral_is_a_customer_id_cleared_by_backspace_and_sent_as_a_number() {
        let mut f = Form::edit_customer(&customer(), "Customer Type");
        focus(&mut f, "ref_customer_id");
        // Letters do not type into it (they open the picker, see `app::pick`).
        f.edit_focused(InputRequest::InsertChar('a'));
        assert_eq!(f.focused().value(), "");
        f.fields[f.focus].set_value("21000001".into());
        assert!(f.validate());
        assert_eq!(f.patch()["ref_customer_id"], json!(21000001));
        f.edit_focused(InputRequest::DeletePrevChar);
        assert_eq!(f.focused().value(), "");
        assert!(!f.patch().contains_key("ref_customer_id"), "as it was");
    }

    #[test]
    fn server_errors_go_to_their_fields() {
        let mut f = Form::new_contact(1);
        f.apply_server_errors(&[
            FieldError {
                field: Some("email".into()),
                message: "Email is not an email".into(),
            },
            FieldError {
                field: None,
                message: "Something else".into(),
            },
        ]);
        assert_eq!(
            f.field("email").unwrap().error.as_deref(),
            Some("Email is not an email")
        );
        assert_eq!(f.top_errors, vec!["Something else".to_string()]);
        assert_eq!(f.focused().key, "email");
    }

    #[test]
    fn conflicts_only_for_fields_both_sides_changed() {
        let mut f = Form::edit_contact(&contact());
        focus(&mut f, "title");
        f.edit_focused(InputRequest::DeleteLine);
        type_text(&mut f, "IT Director");
        let mut now = contact();
        now.properties.insert("title".into(), json!("Owner"));
        now.city = Some("Springfield".into());
        assert!(f.detect_conflicts_contact(&now));
        assert_eq!(f.conflicts.len(), 1);
        assert_eq!(f.conflicts[0].theirs, "Owner");
        assert_eq!(f.field("city").unwrap().value(), "Springfield");
        // Keep mine: the title is sent, the colleague's city is not.
        f.resolve_conflicts();
        let p = f.patch();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p["title"], json!("IT Director"));
        assert_eq!(p["name"], json!("Jane Roe"));

        // Take theirs: nothing left to send.
        let mut f = Form::edit_contact(&contact());
        focus(&mut f, "title");
        type_text(&mut f, "!");
        assert!(f.detect_conflicts_contact(&now));
        f.conflicts[0].keep_mine = false;
        f.resolve_conflicts();
        assert_eq!(f.field("title").unwrap().value(), "Owner");
        assert!(f.patch().is_empty());
    }

    #[test]
    fn draft_round_trip_keeps_typed_text() {
        let mut f = Form::edit_customer(&customer(), "Customer Type");
        focus(&mut f, "notes");
        type_text(&mut f, "Called about ünïcode 日本 ✓");
        let d = f.to_draft();
        let json = serde_json::to_string(&d).unwrap();
        let back: Draft = serde_json::from_str(&json).unwrap();
        let g = Form::from_draft(&back);
        assert_eq!(
            g.field("notes").unwrap().value(),
            "Called about ünïcode 日本 ✓"
        );
        assert_eq!(g.field("city").unwrap().original, "Springfield");
        assert_eq!(g.patch(), f.patch());
    }

    #[test]
    fn revert_restores_original() {
        let mut f = Form::edit_contact(&contact());
        type_text(&mut f, "xyz");
        assert!(f.is_dirty());
        f.revert_focused();
        assert!(!f.is_dirty());
    }

    #[test]
    fn identity_matches() {
        let mut f = Form::new_customer("Customer Type");
        focus(&mut f, "business_name");
        type_text(&mut f, "acme dental");
        let id = f.identity();
        assert_eq!(id.matches_customer(&customer()), Some("same name"));
        let mut f = Form::new_contact(1);
        focus(&mut f, "email");
        type_text(&mut f, "JANE@x.example");
        let c = Contact {
            email: Some("jane@x.example".into()),
            ..Default::default()
        };
        assert_eq!(f.identity().matches_contact(&c), Some("same e-mail"));
    }

    /// The row filter lets through every row the full check accepts: identities made from the
    /// fixture customers' and contacts' own values (changed in case, phones written otherwise)
    /// find their rows, a record with a hostile name is still found by the same hostile text
    /// (which turns the filter off), and rows nothing matches are skipped.
    #[test]
    fn the_row_filter_never_hides_a_match() {
        use crate::app::fixtures;
        use crate::app::view::RowView;
        let mut customers = fixtures::customers();
        let hostile = "Evil\u{202e}Corp\u{200b} \x1b[31m";
        customers.push(Customer {
            id: 99,
            business_name: Some(hostile.into()),
            contacts: vec![Contact {
                id: 990,
                name: Some(hostile.into()),
                email: Some("odd\u{200b}@x.example".into()),
                ..Default::default()
            }],
            ..Default::default()
        });
        let views: Vec<RowView> = customers
            .iter()
            .map(|c| RowView::build(c, "Customer Type"))
            .collect();
        let mut identities = Vec::new();
        for c in &customers {
            identities.push(Identity {
                name: Some(c.display_name().to_uppercase()),
                email: None,
                phone_digits: None,
            });
            identities.push(Identity {
                name: None,
                email: c.email.as_ref().map(|e| e.to_uppercase()),
                phone_digits: c.phone.as_deref().map(|p| format!("1{}", digits(p))),
            });
            for k in &c.contacts {
                identities.push(Identity {
                    name: k.name.clone(),
                    email: k.email.as_ref().map(|e| e.to_ascii_uppercase()),
                    phone_digits: None,
                });
            }
        }
        let mut hits = 0;
        for id in &identities {
            let filter = id.row_filter();
            for (c, v) in customers.iter().zip(&views) {
                let matched = id.matches_customer(c).is_some()
                    || c.contacts.iter().any(|k| id.matches_contact(k).is_some());
                hits += usize::from(matched);
                if matched && let Some(f) = &filter {
                    assert!(f.may_match(v), "{id:?} hides customer {}", c.id);
                }
            }
        }
        assert!(
            hits >= identities.len() / 2,
            "the identities match something: {hits}"
        );
        let hostile_id = Identity {
            name: Some(hostile.into()),
            email: None,
            phone_digits: None,
        };
        assert_eq!(
            hostile_id.row_filter(),
            None,
            "hostile text checks every row"
        );
        let nobody = Identity {
            name: Some("No Such Customer Anywhere".into()),
            email: Some("nobody@nowhere.example".into()),
            phone_digits: Some("2468013579".into()),
        };
        let f = nobody.row_filter().unwrap();
        assert!(views.iter().all(|v| !f.may_match(v)));
    }

    #[test]
    fn email_check() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@b..co", "a b@c.co", "a@.co", "a@b.co.",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
