//! Onboarding follow-ups: what is left to do for a new client once the onboarding created the
//! customer and its contacts (steps 4 and 5 of the customer guide): deploy the RMM agent,
//! import the existing inventory, create the contract, set the billing schedule.
//!
//! Each onboarded customer gets a [`Checklist`], kept per profile in the data directory
//! (`followups-<profile>.json`, written whole through a temporary file and a rename, under a
//! lock so that two instances never lose each other's ticks). An item is done when it is
//! ticked by hand or when the app sees it done through the API ([`look`]):
//!
//! | item | what the API shows | ticks itself when |
//! |---|---|---|
//! | RMM agent | the customer's assets, and which of them report through the agent (the agent's inventory in `properties.kabuto_information`) | an asset reports through the agent |
//! | inventory | `GET /customer_assets?customer_id=` | the customer has an asset |
//! | contract | `GET /contracts` (no customer filter in the spec: the list is read, at most [`CONTRACT_PAGES`] pages) | a contract names the customer |
//! | billing schedule | nothing in the spec (recurring invoices are not in it) | never: by hand only |
//!
//! A checklist whose items are all done is closed (kept in the file with the time, no longer
//! listed). What the app saw is sticky: an item ticked because an asset existed stays ticked
//! if the asset is later deleted; `Space` unticks it.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::model::Id;
use crate::api::{ApiError, SyncroClient};
use crate::text::plural;

/// How many pages of `/contracts` (50 each) a look reads at most before it gives up on
/// finding the customer's contract: the spec offers no customer filter.
pub const CONTRACT_PAGES: u32 = 10;

/// One thing to do after the onboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    RmmAgent,
    Inventory,
    Contract,
    Billing,
}

impl Item {
    /// In the order of the guide.
    pub const ALL: [Item; 4] = [
        Item::RmmAgent,
        Item::Inventory,
        Item::Contract,
        Item::Billing,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Item::RmmAgent => "Deploy the RMM agent",
            Item::Inventory => "Import existing inventory",
            Item::Contract => "Create the contract",
            Item::Billing => "Set the billing schedule",
        }
    }

    /// The page of Syncro's web app where the item is done, after the account's web address
    /// (`https://SUBDOMAIN.syncromsp.com`). Never carries a key.
    pub fn web_path(self, customer: Id) -> String {
        match self {
            // The customer's page: its Assets & Policies tab offers the agent installer.
            Item::RmmAgent => format!("/customers/{customer}"),
            Item::Inventory => format!("/customer_assets/new?customer_id={customer}"),
            Item::Contract => format!("/contracts/new?customer_id={customer}"),
            // Recurring invoices live under /schedules in the web app.
            Item::Billing => format!("/schedules/new?customer_id={customer}"),
        }
    }

    /// What the app sees that makes the item done, if it does.
    pub fn evidence(self, seen: &Seen) -> Option<String> {
        match self {
            Item::RmmAgent => (seen.agents > 0).then(|| {
                format!(
                    "{} through the agent",
                    if seen.agents == 1 {
                        "1 asset reports".to_string()
                    } else {
                        format!("{} assets report", seen.agents)
                    }
                )
            }),
            Item::Inventory => (seen.assets > 0)
                .then(|| format!("{} in Syncro", plural(seen.assets as usize, "asset"))),
            Item::Contract => seen
                .contracts
                .filter(|&n| n > 0)
                .map(|n| plural(n as usize, "contract")),
            Item::Billing => None,
        }
    }

    /// What the app sees of the item now (or why it cannot see it), for an open item.
    pub fn outlook(self, seen: Option<&Seen>) -> String {
        let Some(seen) = seen else {
            return match self {
                Item::Billing => BILLING_BY_HAND.into(),
                _ => "not checked yet (r checks)".into(),
            };
        };
        match self {
            Item::RmmAgent if seen.assets == 0 => "no asset yet".into(),
            Item::RmmAgent => format!(
                "{}, none through the agent yet",
                plural(seen.assets as usize, "asset")
            ),
            Item::Inventory => "no asset yet".into(),
            Item::Contract => match (&seen.contracts, &seen.contracts_note) {
                (_, Some(note)) => format!("{note}: tick by hand"),
                (Some(0), None) => "no contract yet".into(),
                _ => "not checked".into(),
            },
            Item::Billing => BILLING_BY_HAND.into(),
        }
    }
}

const BILLING_BY_HAND: &str = "by hand only (not in the API)";

/// How an item got done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Done {
    /// Ticked by hand.
    ByHand { at: String },
    /// The app saw it done: `what` says what it saw ("2 assets in Syncro").
    Seen { at: String, what: String },
}

impl Done {
    pub fn describe(&self) -> String {
        match self {
            Done::ByHand { at } => format!("ticked by hand {}", day(at)),
            Done::Seen { what, at } => format!("{what} (seen {})", day(at)),
        }
    }
}

/// `2026-05-01T10:11:12.345Z` as `2026-05-01`.
fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemState {
    pub item: Item,
    #[serde(default)]
    pub done: Option<Done>,
}

/// What a look at the customer through the API found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seen {
    pub at: String,
    pub assets: u64,
    /// Assets that report through the agent.
    pub agents: u64,
    /// The customer's contracts; `None` when they could not be read (see `contracts_note`).
    pub contracts: Option<u64>,
    /// Why the contracts are not known ("no permission to list contracts").
    pub contracts_note: Option<String>,
}

/// The follow-ups of one onboarded customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub customer_id: Id,
    /// The customer's name when the onboarding created it.
    pub name: String,
    /// The API it belongs to (the client's base URL).
    pub server: String,
    pub started_at: String,
    pub items: Vec<ItemState>,
    #[serde(default)]
    pub seen: Option<Seen>,
    /// When the last item got done; a closed checklist is no longer listed.
    #[serde(default)]
    pub closed_at: Option<String>,
}

/// Now, as RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Checklist {
    pub fn new(customer_id: Id, name: &str, server: &str, at: &str) -> Checklist {
        Checklist {
            customer_id,
            name: name.to_string(),
            server: server.to_string(),
            started_at: at.to_string(),
            items: Item::ALL
                .iter()
                .map(|&item| ItemState { item, done: None })
                .collect(),
            seen: None,
            closed_at: None,
        }
    }

    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    /// (done, all).
    pub fn progress(&self) -> (usize, usize) {
        (
            self.items.iter().filter(|i| i.done.is_some()).count(),
            self.items.len(),
        )
    }

    pub fn state(&self, item: Item) -> Option<&ItemState> {
        self.items.iter().find(|i| i.item == item)
    }

    fn settle(&mut self, at: &str) {
        let all = self.items.iter().all(|i| i.done.is_some());
        self.closed_at = match (all, self.closed_at.take()) {
            (true, Some(was)) => Some(was),
            (true, None) => Some(at.to_string()),
            (false, _) => None,
        };
    }

    /// Ticks an open item by hand, or unticks a done one. Returns whether it is now done.
    pub fn toggle(&mut self, item: Item, at: &str) -> bool {
        let done = match self.items.iter_mut().find(|i| i.item == item) {
            Some(s) => {
                s.done = match s.done {
                    Some(_) => None,
                    None => Some(Done::ByHand { at: at.to_string() }),
                };
                s.done.is_some()
            }
            None => false,
        };
        self.settle(at);
        done
    }

    /// Records what a look saw and ticks the items it shows done. Returns the items it ticked.
    pub fn apply(&mut self, seen: Seen) -> Vec<Item> {
        let mut ticked = Vec::new();
        for s in &mut self.items {
            if s.done.is_none()
                && let Some(what) = s.item.evidence(&seen)
            {
                s.done = Some(Done::Seen {
                    at: seen.at.clone(),
                    what,
                });
                ticked.push(s.item);
            }
        }
        let at = seen.at.clone();
        self.seen = Some(seen);
        self.settle(&at);
        ticked
    }
}

/// Looks at the customer through the API: every page of its assets (counted, and those that
/// report through the agent), then the account's contracts until one names the customer (at
/// most [`CONTRACT_PAGES`] pages). A failure to read the assets fails the look; the contracts
/// are best effort (a token without "Contracts - List/Search" still counts assets).
pub async fn look(client: &SyncroClient, customer: Id) -> Result<Seen, ApiError> {
    let assets = client.all_assets(customer).await?;
    let mut seen = Seen {
        at: now(),
        assets: assets.len() as u64,
        agents: assets.iter().filter(|a| a.has_agent()).count() as u64,
        ..Seen::default()
    };
    let mut found = 0u64;
    let mut page = 1;
    loop {
        match client.list_contracts(page).await {
            Ok(p) => {
                found += p
                    .items
                    .iter()
                    .filter(|k| k.customer_id == Some(customer))
                    .count() as u64;
                let last =
                    p.items.is_empty() || p.meta.total_pages.is_none_or(|n| u64::from(page) >= n);
                if found > 0 || last {
                    seen.contracts = Some(found);
                    break;
                }
                if page >= CONTRACT_PAGES {
                    seen.contracts_note = Some(format!(
                        "none among the first {} contracts",
                        u64::from(CONTRACT_PAGES) * 50
                    ));
                    break;
                }
                page += 1;
            }
            Err(e) => {
                seen.contracts_note = Some(if matches!(e, ApiError::Unauthorized { .. }) {
                    "the API key may not list contracts".to_string()
                } else {
                    format!(
                        "contracts not read ({})",
                        crate::sanitize::line(&e.to_string())
                    )
                });
                break;
            }
        }
    }
    Ok(seen)
}

/// The checklists of one profile, in `<data_dir>/followups-<profile>.json`, and the server
/// they are on (the base URL; `demo` for the built-in demo server, whose port changes at
/// every start but whose data does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupStore {
    path: PathBuf,
    server: String,
}

#[derive(Serialize, Deserialize)]
struct FileV1 {
    version: u32,
    checklists: Vec<Checklist>,
}

const VERSION: u32 = 1;

impl FollowupStore {
    pub fn open(data_dir: &Path, profile: &str, server: &str) -> FollowupStore {
        FollowupStore {
            path: data_dir.join(format!(
                "followups-{}.json",
                crate::mirror::store::safe_name(profile)
            )),
            server: server.to_string(),
        }
    }

    /// The server this store's checklists belong to.
    pub fn server(&self) -> &str {
        &self.server
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every checklist, open and closed; none when the file does not exist. An unreadable
    /// file is an error (and is never overwritten by [`FollowupStore::update`]).
    pub fn load(&self) -> io::Result<Vec<Checklist>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let file: FileV1 = serde_json::from_slice(&bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} cannot be read: {e}", self.path.display()),
            )
        })?;
        Ok(file.checklists)
    }

    /// Reads, changes and writes the checklists under the file's lock (blocking: call off
    /// the async threads). Returns `f`'s answer and the checklists as written.
    pub fn update<R>(
        &self,
        f: impl FnOnce(&mut Vec<Checklist>) -> R,
    ) -> io::Result<(R, Vec<Checklist>)> {
        let _lock = crate::files::FileLock::acquire(&self.path.with_extension("json.lock"))?;
        let mut lists = self.load()?;
        let answer = f(&mut lists);
        let json = serde_json::to_vec_pretty(&FileV1 {
            version: VERSION,
            checklists: lists.clone(),
        })
        .map_err(io::Error::other)?;
        crate::files::write_private(&self.path, &json)?;
        Ok((answer, lists))
    }

    /// Starts the checklist of a customer the onboarding created (once: an existing one of the
    /// same customer and server is kept as it is).
    pub fn start(&self, customer: Id, name: &str) -> io::Result<Vec<Checklist>> {
        let server = self.server.as_str();
        self.update(|lists| {
            if !lists
                .iter()
                .any(|c| c.customer_id == customer && c.server == server)
            {
                lists.push(Checklist::new(customer, name, server, &now()));
            }
        })
        .map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(assets: u64, agents: u64, contracts: Option<u64>) -> Seen {
        Seen {
            at: "2026-05-02T09:00:00.000Z".into(),
            assets,
            agents,
            contracts,
            contracts_note: None,
        }
    }

    #[test]
    fn what_the_app_sees_ticks_items_and_sticks() {
        let mut c = Checklist::new(7, "Acme", "s", "2026-05-01T08:00:00.000Z");
        assert_eq!(c.progress(), (0, 4));
        assert!(c.apply(seen(0, 0, Some(0))).is_empty());
        assert_eq!(
            c.apply(seen(3, 0, Some(0))),
            vec![Item::Inventory],
            "an asset ticks the inventory, not the agent"
        );
        assert_eq!(
            c.apply(seen(3, 1, Some(1))),
            [Item::RmmAgent, Item::Contract]
        );
        // Sticky: the asset deleted later does not untick.
        assert!(c.apply(seen(0, 0, Some(0))).is_empty());
        assert_eq!(c.progress(), (3, 4));
        assert!(c.is_open(), "billing is by hand only");
        assert_eq!(
            c.state(Item::Inventory)
                .unwrap()
                .done
                .as_ref()
                .unwrap()
                .describe(),
            "3 assets in Syncro (seen 2026-05-02)"
        );
        assert!(c.toggle(Item::Billing, "2026-05-03T00:00:00.000Z"));
        assert_eq!(c.closed_at.as_deref(), Some("2026-05-03T00:00:00.000Z"));
        // Unticking reopens it.
        assert!(!c.toggle(Item::Billing, "2026-05-04T00:00:00.000Z"));
        assert!(c.is_open());
    }

    #[test]
    fn outlook_says_what_is_missing_or_why_it_cannot_be_seen() {
        assert_eq!(Item::Inventory.outlook(None), "not checked yet (r checks)");
        assert_eq!(Item::Billing.outlook(None), BILLING_BY_HAND);
        let s = seen(2, 0, None);
        assert_eq!(
            Item::RmmAgent.outlook(Some(&s)),
            "2 assets, none through the agent yet"
        );
        let s = Seen {
            contracts_note: Some("the API key may not list contracts".into()),
            ..s
        };
        assert_eq!(
            Item::Contract.outlook(Some(&s)),
            "the API key may not list contracts: tick by hand"
        );
    }

    #[test]
    fn web_paths_name_the_customer_and_no_key() {
        for item in Item::ALL {
            let p = item.web_path(21000001);
            assert!(p.starts_with('/') && p.contains("21000001"), "{p}");
            assert!(!p.contains("api_key") && !p.contains("/api/"), "{p}");
        }
    }

    #[test]
    fn the_file_survives_a_restart_and_a_start_is_idempotent() {
        let dir = std::env::temp_dir().join(format!("followup-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = FollowupStore::open(&dir, "main", "https://a/api/v1");
        assert!(store.load().unwrap().is_empty());
        store.start(5, "Acme").unwrap();
        store.start(5, "Acme again").unwrap();
        let (_, lists) = store
            .update(|l| l[0].toggle(Item::Contract, "2026-05-01T00:00:00.000Z"))
            .unwrap();
        assert_eq!(lists.len(), 1);
        let again = FollowupStore::open(&dir, "main", "x").load().unwrap();
        assert_eq!(again, lists);
        assert_eq!(again[0].name, "Acme");
        assert!(again[0].state(Item::Contract).unwrap().done.is_some());
        // Another profile has its own file.
        assert!(
            FollowupStore::open(&dir, "other", "x")
                .load()
                .unwrap()
                .is_empty()
        );
        // A damaged file is an error and is left alone.
        std::fs::write(store.path(), b"{not json").unwrap();
        assert!(store.load().is_err());
        assert!(store.start(6, "B").is_err());
        assert_eq!(std::fs::read(store.path()).unwrap(), b"{not json");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
