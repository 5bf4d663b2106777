//! A contact's roles and whether the contact has left, kept in the contact's title.
//!
//! Syncro has no contact roles and no archive flag. The app keeps both where a technician using
//! Syncro's web UI still reads them, the contact's title (`properties.title`), with the
//! convention the onboarding already writes:
//!
//! ```text
//! (left) Decision Maker, Billing Contact - Office Manager
//! └────┘ └────────────────────────────┘   └────────────┘
//! retired  roles, in a fixed order          the job title
//! ```
//! - The roles come first, by their labels ([`ContactRole::label`]), separated by `, `; then
//!   ` - ` and the job title, if there is one. A title whose part before ` - ` is not made of
//!   role labels has no roles: the whole text is the job title (nothing is lost by reading it).
//! - A contact who left carries the retired prefix (configurable, default `(left) `) before
//!   everything; reinstating removes it. The contact, its tickets and its history stay as they
//!   are: only the title changes.
//!
//! Reading accepts variants people type (`billing`, `Technical`, `Authorizes Work`, `&` and
//! `and` between roles); writing always uses the labels, so a round trip through Syncro keeps
//! the title unchanged once written.

/// What a contact is to the customer, beyond the job title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactRole {
    /// Decides on the contract and on what the MSP does.
    DecisionMaker,
    /// May approve work (quotes, after-hours, purchases).
    AuthorisesWork,
    /// The technical contact (IT person on site).
    Technical,
    /// Receives invoices, pays.
    Billing,
    /// Another stakeholder the MSP should know of (the seed's "other stakeholders").
    Other,
}

/// The default prefix of a contact who left.
pub const RETIRED_PREFIX: &str = "(left) ";

/// The prefix in use (the config's `retired_prefix`); empty until configured: the default.
static CONFIGURED: std::sync::RwLock<String> = std::sync::RwLock::new(String::new());

/// Sets the marker of a contact who left from the config (`retired_prefix`), once at start
/// and again after a profile switch. Blank keeps the default. A space is added after it.
pub fn set_retired_prefix(prefix: &str) {
    let value = normalised(prefix);
    let mut slot = CONFIGURED.write().unwrap_or_else(|e| e.into_inner());
    *slot = value;
}

/// The stored form of a configured prefix: trimmed, one space after; blank stays blank.
fn normalised(prefix: &str) -> String {
    let p = prefix.trim();
    if p.is_empty() {
        String::new()
    } else {
        format!("{p} ")
    }
}

/// The marker of a contact who left, as configured (`(left) ` by default).
pub fn retired_prefix() -> String {
    let slot = CONFIGURED.read().unwrap_or_else(|e| e.into_inner());
    if slot.is_empty() {
        RETIRED_PREFIX.to_string()
    } else {
        slot.clone()
    }
}

fn with_prefix<T>(f: impl FnOnce(&str) -> T) -> T {
    let slot = CONFIGURED.read().unwrap_or_else(|e| e.into_inner());
    if slot.is_empty() {
        f(RETIRED_PREFIX)
    } else {
        f(&slot)
    }
}

impl ContactRole {
    /// Every role, in the order titles and pick lists use.
    pub const ALL: [ContactRole; 5] = [
        ContactRole::DecisionMaker,
        ContactRole::AuthorisesWork,
        ContactRole::Technical,
        ContactRole::Billing,
        ContactRole::Other,
    ];

    /// How the role is written in a title (the onboarding's labels).
    pub fn label(self) -> &'static str {
        match self {
            ContactRole::DecisionMaker => "Decision Maker",
            ContactRole::AuthorisesWork => "Authorises Work",
            ContactRole::Technical => "Technical Contact",
            ContactRole::Billing => "Billing Contact",
            ContactRole::Other => "Other Stakeholder",
        }
    }

    /// How the role reads on screen ("Authorises work: Sandra Okafor").
    pub fn name(self) -> &'static str {
        match self {
            ContactRole::DecisionMaker => "Decision maker",
            ContactRole::AuthorisesWork => "Authorises work",
            ContactRole::Technical => "Technical",
            ContactRole::Billing => "Billing",
            ContactRole::Other => "Other stakeholder",
        }
    }

    /// A short form for a narrow column.
    pub fn short(self) -> &'static str {
        match self {
            ContactRole::DecisionMaker => "DM",
            ContactRole::AuthorisesWork => "Auth",
            ContactRole::Technical => "Tech",
            ContactRole::Billing => "Bill",
            ContactRole::Other => "Other",
        }
    }

    /// The letter that toggles the role in a pick list.
    pub fn key(self) -> char {
        match self {
            ContactRole::DecisionMaker => 'd',
            ContactRole::AuthorisesWork => 'a',
            ContactRole::Technical => 't',
            ContactRole::Billing => 'b',
            ContactRole::Other => 'o',
        }
    }

    /// The role a word names (`billing`, `tech`, `decision maker`, `authorizes work`, with or
    /// without ` Contact`), for typed titles.
    pub fn from_word(word: &str) -> Option<ContactRole> {
        let w = word.trim().to_lowercase();
        let w = w.trim_end_matches(" contact").trim();
        // Only unambiguous words: a job title such as "IT" or "Accounts" stays a job title.
        Some(match w {
            "decision maker" | "decision-maker" => ContactRole::DecisionMaker,
            "authorises work" | "authorizes work" => ContactRole::AuthorisesWork,
            "technical" | "tech" => ContactRole::Technical,
            "billing" => ContactRole::Billing,
            "other stakeholder" | "stakeholder" | "other" => ContactRole::Other,
            _ => return None,
        })
    }
}

/// A contact's title, read into its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Title {
    /// In [`ContactRole::ALL`] order, no repeats.
    pub roles: Vec<ContactRole>,
    /// The job title ("Office Manager"), possibly empty.
    pub job: String,
    /// The contact has left the customer.
    pub retired: bool,
}

/// Splits a role list (`Decision Maker, Billing Contact`, `billing & technical`): `None` unless
/// every part names a role.
fn role_list(text: &str) -> Option<Vec<ContactRole>> {
    let mut roles = Vec::new();
    let normalised = text.replace(" & ", ",").replace(" and ", ",");
    for part in normalised.split(',') {
        if part.trim().is_empty() {
            return None;
        }
        roles.push(ContactRole::from_word(part)?);
    }
    if roles.is_empty() {
        return None;
    }
    roles.sort();
    roles.dedup();
    Some(roles)
}

impl Title {
    /// Reads a stored title; `retired_prefix` is the configured marker of a contact who left.
    pub fn parse(title: &str, retired_prefix: &str) -> Title {
        let mut rest = title.trim();
        let mut retired = false;
        let prefix = retired_prefix.trim();
        if !prefix.is_empty()
            && let Some(head) = rest.get(..prefix.len())
            && head.eq_ignore_ascii_case(prefix)
        {
            retired = true;
            rest = rest[prefix.len()..].trim_start();
        }
        let (head, job) = match rest.split_once(" - ").or_else(|| rest.split_once(" – ")) {
            Some((h, j)) => (h, j.trim()),
            None => (rest, ""),
        };
        match role_list(head) {
            Some(roles) => Title {
                roles,
                job: job.to_string(),
                retired,
            },
            None => Title {
                roles: Vec::new(),
                job: rest.to_string(),
                retired,
            },
        }
    }

    /// Reads a stored title with the configured marker of a contact who left.
    pub fn read(title: &str) -> Title {
        with_prefix(|p| Title::parse(title, p))
    }

    /// The title to store, with the configured marker.
    pub fn write(&self) -> String {
        with_prefix(|p| self.format(p))
    }

    /// The title to store.
    pub fn format(&self, retired_prefix: &str) -> String {
        let mut roles = self.roles.clone();
        roles.sort();
        roles.dedup();
        let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        let job = self.job.trim();
        let body = match (labels.is_empty(), job.is_empty()) {
            (true, _) => job.to_string(),
            (false, true) => labels.join(", "),
            (false, false) => format!("{} - {job}", labels.join(", ")),
        };
        if self.retired {
            format!("{}{body}", retired_prefix)
        } else {
            body
        }
    }

    pub fn has(&self, role: ContactRole) -> bool {
        self.roles.contains(&role)
    }

    /// Adds the role if missing, removes it if there.
    pub fn toggle(&mut self, role: ContactRole) {
        if let Some(i) = self.roles.iter().position(|r| *r == role) {
            self.roles.remove(i);
        } else {
            self.roles.push(role);
            self.roles.sort();
        }
    }

    /// The roles as a list on screen (`Decision maker, Billing`), or `—`.
    pub fn roles_text(&self) -> String {
        if self.roles.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = self.roles.iter().map(|r| r.name()).collect();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_prefix_is_trimmed_and_spaced_and_reads_back() {
        assert_eq!(normalised("  [ex] "), "[ex] ");
        assert_eq!(normalised("   "), "");
        let p = normalised("[ex]");
        let t = Title::parse("[ex] Billing Contact - Bookkeeper", &p);
        assert!(t.retired);
        assert_eq!(t.roles, vec![ContactRole::Billing]);
        assert_eq!(t.format(&p), "[ex] Billing Contact - Bookkeeper");
        // The default marker is not the configured one: that title is a job title.
        assert!(!Title::parse("(left) Bookkeeper", &p).retired);
    }

    #[test]
    fn reads_the_titles_the_onboarding_writes() {
        let t = Title::parse("Billing Contact - Accounts payable", RETIRED_PREFIX);
        assert_eq!(t.roles, vec![ContactRole::Billing]);
        assert_eq!(t.job, "Accounts payable");
        assert!(!t.retired);
        let t = Title::parse("Decision Maker - Owner", RETIRED_PREFIX);
        assert_eq!(t.roles, vec![ContactRole::DecisionMaker]);
        assert_eq!(t.job, "Owner");
        let t = Title::parse("Technical Contact", RETIRED_PREFIX);
        assert_eq!(t.roles, vec![ContactRole::Technical]);
        assert_eq!(t.job, "");
    }

    #[test]
    fn a_title_without_roles_is_kept_whole() {
        for title in [
            "Office Manager",
            "VP - Sales",
            "Billing clerk",
            "Head of IT - Seattle",
            "",
        ] {
            let t = Title::parse(title, RETIRED_PREFIX);
            assert!(t.roles.is_empty(), "{title}");
            assert_eq!(t.job, title.trim());
            assert_eq!(t.format(RETIRED_PREFIX), title.trim());
        }
    }

    #[test]
    fn typed_variants_are_read_and_written_back_as_labels() {
        let t = Title::parse("billing & tech - AP", RETIRED_PREFIX);
        assert_eq!(t.roles, vec![ContactRole::Technical, ContactRole::Billing]);
        assert_eq!(
            t.format(RETIRED_PREFIX),
            "Technical Contact, Billing Contact - AP"
        );
        let t = Title::parse("Authorizes Work, Decision Maker", RETIRED_PREFIX);
        assert_eq!(
            t.roles,
            vec![ContactRole::DecisionMaker, ContactRole::AuthorisesWork]
        );
    }

    #[test]
    fn the_retired_prefix_goes_before_everything_and_comes_off_again() {
        let mut t = Title::parse("Decision Maker - Owner", RETIRED_PREFIX);
        t.retired = true;
        let stored = t.format(RETIRED_PREFIX);
        assert_eq!(stored, "(left) Decision Maker - Owner");
        let back = Title::parse(&stored, RETIRED_PREFIX);
        assert!(back.retired);
        assert_eq!(back.roles, vec![ContactRole::DecisionMaker]);
        let mut reinstated = back;
        reinstated.retired = false;
        assert_eq!(reinstated.format(RETIRED_PREFIX), "Decision Maker - Owner");
        // A configured prefix, any case.
        assert!(Title::parse("[LEFT] Reception", "[left] ").retired);
    }

    #[test]
    fn every_canonical_title_survives_a_round_trip() {
        let jobs = ["", "Owner", "Office Manager - East", "IT"];
        let mut n = 0;
        for mask in 0..16u8 {
            for job in jobs {
                for retired in [false, true] {
                    let roles: Vec<ContactRole> = ContactRole::ALL
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, r)| *r)
                        .collect();
                    let t = Title {
                        roles,
                        job: job.into(),
                        retired,
                    };
                    let stored = t.format(RETIRED_PREFIX);
                    let back = Title::parse(&stored, RETIRED_PREFIX);
                    if !(t.roles.is_empty() && job.contains(" - ")) {
                        assert_eq!(back, t, "{stored}");
                    }
                    assert_eq!(back.format(RETIRED_PREFIX), stored);
                    n += 1;
                }
            }
        }
        assert_eq!(n, 128);
    }

    #[test]
    fn toggling_keeps_the_order() {
        let mut t = Title::default();
        t.toggle(ContactRole::Billing);
        t.toggle(ContactRole::DecisionMaker);
        assert_eq!(t.roles_text(), "Decision maker, Billing");
        t.toggle(ContactRole::Billing);
        assert_eq!(t.roles, vec![ContactRole::DecisionMaker]);
    }
}
