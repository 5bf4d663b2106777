//! Runs the app's effects on tokio tasks with the API client and sends actions back.
//!
//! The worker owns the client. Every result travels back inside an [`Action`] over one channel,
//! tagged with the generation the app gave the request, so the app can drop stale answers;
//! there is no shared state between the tasks and the app (the worker only keeps the handle of
//! the running invoice scan, to stop it when a new one starts).

mod audit;
/// Where a profile's dismissed duplicate groups are kept (for `syncro-tui demo reset`).
pub use audit::dismissed_path;
mod bulk;
mod contact_merge;
mod followup;
mod merge;
mod mirror;
mod onboard;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::model::{Patch, Skipped};
use crate::api::{ApiError, CustomerQuery, SyncroClient, all_pages_read};
use crate::app::{Action, Effect};
use crate::changelog::{ChangeLog, Entry};
use crate::domain::FormTarget;
use crate::domain::{Deletion, Record};
pub use mirror::{FULL_SYNC_EVERY, MirrorSetup, PERIODIC_SYNC, StartRows, load_for_list, views_of};

/// Carries out network effects.
#[derive(Debug, Clone)]
pub struct Worker {
    client: Option<SyncroClient>,
    tx: UnboundedSender<Action>,
    /// The running invoice scan: a new scan (a refresh) stops the old one, so its pages do not
    /// spend the shared rate limit on answers the app would drop anyway.
    scan: Arc<Mutex<Option<AbortHandle>>>,
    /// The account mirror, when the app keeps one (see [`Worker::with_mirror`]).
    mirror: Option<Arc<mirror::MirrorTask>>,
    /// Draft files are written, removed and read in order on one thread.
    drafts: Option<std::sync::mpsc::Sender<Effect>>,
    /// Where merge journals and the merge log go (set by [`Worker::with_drafts`]).
    data_dir: Option<std::path::PathBuf>,
    /// The fields of creates whose outcome was unknown, by the form's token: the look-up the
    /// app sends next with the same token searches by all of them (a residential customer by
    /// first and last name and phone, not only by the one name the look-up carries).
    unknown_creates: Arc<Mutex<HashMap<u64, Patch>>>,
    /// Every write the app makes is appended here (see [`crate::changelog`]).
    change_log: Option<Arc<ChangeLog>>,
    /// The profile's onboarding follow-ups (see [`crate::followup`]).
    followups: Option<Arc<crate::followup::FollowupStore>>,
}

/// Appends a write to the change log; a failure to log is said (the write itself happened).
fn log_write(
    log: &Option<Arc<ChangeLog>>,
    client: &SyncroClient,
    tx: &UnboundedSender<Action>,
    entry: Entry,
) {
    let Some(log) = log else {
        return;
    };
    if let Err(e) = log.append(&entry.with_server(client.base_url())) {
        tracing::warn!("could not append to the change log: {e}");
        let _ = tx.send(Action::Notice {
            text: format!("Saved, but not written to the change log: {e}"),
            error: true,
        });
    }
}

/// Unknown-outcome creates remembered for their look-up (the oldest are forgotten first).
const REMEMBERED_CREATES: usize = 16;

/// Tells the app about records a page had that could not be read (the rest of the page was).
fn notice_skipped(tx: &UnboundedSender<Action>, skipped: &[Skipped]) {
    if !skipped.is_empty() {
        let _ = tx.send(Action::Notice {
            text: Skipped::summary(skipped),
            error: true,
        });
    }
}

fn no_client() -> ApiError {
    ApiError::Config("no API key is set, so the app cannot ask the server".into())
}

impl Worker {
    /// `client` is `None` when no key is configured: every request then fails with a message.
    pub fn new(client: Option<SyncroClient>, tx: UnboundedSender<Action>) -> Self {
        Worker {
            client,
            tx,
            scan: Arc::new(Mutex::new(None)),
            mirror: None,
            drafts: None,
            data_dir: None,
            unknown_creates: Arc::new(Mutex::new(HashMap::new())),
            change_log: None,
            followups: None,
        }
    }

    fn ctx(&self, client: Option<SyncroClient>, tx: UnboundedSender<Action>) -> bulk::Ctx {
        bulk::Ctx {
            client,
            data_dir: self.data_dir.clone(),
            log: self.change_log.clone(),
            tx,
        }
    }

    /// Appends every write to `log` (the profile's change log).
    pub fn with_change_log(mut self, log: ChangeLog) -> Self {
        self.change_log = Some(Arc::new(log));
        self
    }

    /// Keeps the profile's onboarding follow-ups in `store`.
    pub fn with_followups(mut self, store: crate::followup::FollowupStore) -> Self {
        self.followups = Some(Arc::new(store));
        self
    }

    /// Keeps the account mirror described by `setup` (load, sync, writes).
    pub fn with_mirror(mut self, setup: MirrorSetup) -> Self {
        self.set_mirror(setup);
        self
    }

    /// [`Worker::with_mirror`] on a worker in place.
    pub fn set_mirror(&mut self, setup: MirrorSetup) {
        self.mirror = Some(mirror::MirrorTask::new(setup));
    }

    /// Keeps form drafts in `data_dir` (one thread, so a save never lands after a remove), as
    /// this process's drafts ([`crate::drafts::DraftStore::for_process`]).
    pub fn with_drafts(self, data_dir: std::path::PathBuf) -> Self {
        let store = crate::drafts::DraftStore::for_process(&data_dir);
        self.with_draft_store(data_dir, store)
    }

    /// [`Worker::with_drafts`] with a given draft store (its own owner: a second instance of the
    /// app in one test process).
    pub fn with_draft_store(
        mut self,
        data_dir: std::path::PathBuf,
        store: Arc<crate::drafts::DraftStore>,
    ) -> Self {
        self.data_dir = Some(data_dir);
        let (dtx, drx) = std::sync::mpsc::channel::<Effect>();
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            for job in drx {
                match job {
                    Effect::SaveDraft(d) => {
                        if let Err(e) = store.save(&d) {
                            tracing::warn!("could not save a draft: {e}");
                            let _ = tx.send(Action::Notice {
                                text: format!("Could not save the draft: {e}"),
                                error: true,
                            });
                        }
                    }
                    Effect::RemoveDraft(t) => {
                        if let Err(e) = store.remove(&t) {
                            tracing::warn!("could not remove a draft: {e}");
                        }
                    }
                    Effect::LoadDrafts => {
                        let _ = tx.send(Action::DraftsLoaded(store.load_all()));
                    }
                    _ => {}
                }
            }
        });
        self.drafts = Some(dtx);
        self
    }

    /// Starts one effect on its own task. Effects that are not network requests (copy, open a
    /// browser) belong to the terminal loop and are ignored here.
    pub fn spawn(&self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::LoadCustomers { generation, query } => {
                tokio::spawn(async move {
                    let result = match &client {
                        Some(c) => c.list_customers_read(&query).await.map(|read| {
                            notice_skipped(&tx, &read.skipped);
                            read.page
                        }),
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::CustomersLoaded {
                        generation,
                        page: query.page.max(1),
                        result,
                    });
                });
            }
            Effect::LoadTickets {
                customer_id,
                generation,
            } => {
                tokio::spawn(async move {
                    let result = match &client {
                        Some(c) => all_pages_read(|p| c.list_tickets_read(customer_id, p))
                            .await
                            .map(|(items, skipped)| {
                                notice_skipped(&tx, &skipped);
                                items
                            }),
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::TicketsLoaded {
                        customer_id,
                        generation,
                        result,
                    });
                });
            }
            Effect::ChangeContact(change) => {
                let log = self.change_log.clone();
                tokio::spawn(async move {
                    let result = match &client {
                        Some(c) => change_contact(c, change, &log, &tx).await,
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::ContactChanged { change, result });
                });
            }
            Effect::SortOrders {
                version,
                views,
                keys,
            } => {
                tokio::task::spawn_blocking(move || {
                    let orders = keys
                        .into_iter()
                        .map(|k| {
                            (
                                k,
                                crate::app::panes::sort_order(views.len(), |i| &views[i], k),
                            )
                        })
                        .collect();
                    drop(views);
                    let _ = tx.send(Action::ListOrders { version, orders });
                    // The copy of the views and the sort's keys were freed on this thread's
                    // arena: give those pages back.
                    crate::memory::release_free_memory();
                });
            }
            Effect::BuildContacts {
                generation,
                customers,
                views,
            } => {
                tokio::task::spawn_blocking(move || {
                    let built = crate::app::contact_list::build_pane(&customers, &views);
                    drop((customers, views));
                    let _ = tx.send(Action::ContactsBuilt { generation, built });
                    // The build's decoded records and texts were freed on several threads'
                    // arenas: give those pages back (about 30 MB at 100,000 customers).
                    crate::memory::release_free_memory();
                });
            }
            Effect::LoadContacts {
                customer_id,
                generation,
            } => {
                tokio::spawn(async move {
                    let result = match &client {
                        Some(c) => c.all_contacts(Some(customer_id)).await,
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::ContactsLoaded {
                        customer_id,
                        generation,
                        result,
                    });
                });
            }
            Effect::LoadAssets {
                customer_id,
                generation,
            } => {
                tokio::spawn(async move {
                    let result = match &client {
                        Some(c) => all_pages_read(|p| c.list_assets_read(customer_id, p))
                            .await
                            .map(|(items, skipped)| {
                                notice_skipped(&tx, &skipped);
                                items
                            }),
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::AssetsLoaded {
                        customer_id,
                        generation,
                        result,
                    });
                });
            }
            Effect::ScanInvoices { generation } => {
                let handle = tokio::spawn(scan_invoices(client, tx, generation)).abort_handle();
                let mut current = self.scan.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(old) = current.replace(handle) {
                    old.abort();
                }
            }
            Effect::Mirror(op) => match &self.mirror {
                Some(m) => m.spawn(op, client, tx),
                None => tracing::debug!("no mirror configured; {op:?} ignored"),
            },
            Effect::Merge(op) => merge::spawn(
                client,
                self.data_dir.clone(),
                self.change_log.clone(),
                op,
                tx,
            ),
            Effect::ContactMerge(op) => contact_merge::spawn(
                client,
                self.data_dir.clone(),
                self.change_log.clone(),
                op,
                tx,
            ),
            Effect::Bulk(op) => bulk::spawn_bulk(self.ctx(client, tx), op),
            Effect::Log(op) => bulk::spawn_log(self.ctx(client, tx), op),
            Effect::Onboard(op) => onboard::spawn(
                client,
                self.data_dir.clone(),
                self.change_log.clone(),
                self.followups.clone(),
                op,
                tx,
            ),
            Effect::Followup(op) => followup::spawn(client, self.followups.clone(), op, tx),
            Effect::Audit(op) => {
                audit::spawn(self.mirror.as_ref().map(|m| m.setup().clone()), op, tx)
            }
            Effect::Export {
                dir,
                stem,
                format,
                text,
                what,
            } => {
                if crate::export::is_empty_export(format, &text) {
                    let _ = tx.send(Action::Notice {
                        text: format!("Nothing to export: no {what} in the list"),
                        error: false,
                    });
                    return;
                }
                tokio::spawn(async move {
                    let written = tokio::task::spawn_blocking(move || {
                        let written = crate::export::write_export(&dir, &stem, format, &text);
                        // An export of a whole mirror decoded every record for its text, on
                        // the UI thread; with the text gone, the pages go back.
                        drop(text);
                        crate::memory::release_free_memory();
                        written
                    })
                    .await;
                    let (text, error) = match written {
                        Ok(Ok(path)) => {
                            tracing::info!(path = %path.display(), "export written");
                            (format!("Exported {what} to {}", home_short(&path)), false)
                        }
                        Ok(Err(e)) => {
                            tracing::warn!("export failed: {e:#}");
                            (format!("Export failed: {e:#}"), true)
                        }
                        Err(e) => (format!("Export failed: {e}"), true),
                    };
                    let _ = tx.send(Action::Notice { text, error });
                });
            }
            Effect::Copy(_)
            | Effect::OpenUrl(_)
            | Effect::EditExternally { .. }
            | Effect::Suspend
            | Effect::SwitchProfile(_) => {}
            Effect::SaveDraft(_) | Effect::RemoveDraft(_) | Effect::LoadDrafts => {
                if let Some(d) = &self.drafts {
                    let _ = d.send(effect);
                }
            }
            Effect::Reread { token, target } => {
                tokio::spawn(async move {
                    let result = match (&client, target) {
                        (None, _) => Err(no_client()),
                        (Some(c), FormTarget::EditCustomer { id }) => {
                            c.get_customer(id).await.map(Record::Customer)
                        }
                        (Some(c), FormTarget::EditContact { id, .. }) => {
                            c.get_contact(id).await.map(Record::Contact)
                        }
                        (Some(_), _) => Err(ApiError::Config("nothing to re-read".into())),
                    };
                    let _ = tx.send(Action::FormReread { token, result });
                });
            }
            Effect::Save {
                token,
                target,
                patch,
                before,
            } => {
                let unknown = self.unknown_creates.clone();
                let log = self.change_log.clone();
                tokio::spawn(async move {
                    let create = target.is_create();
                    let result = match (&client, target.clone()) {
                        (None, _) => Err(no_client()),
                        (Some(c), FormTarget::NewCustomer) => {
                            c.create_customer(&patch).await.map(Record::Customer)
                        }
                        // An update is saved only when the record holds every field sent
                        // (a strange 200 is re-read and compared).
                        (Some(c), FormTarget::EditCustomer { id }) => c
                            .update_customer_checked(id, &patch)
                            .await
                            .map(Record::Customer),
                        (Some(c), FormTarget::NewContact { customer_id }) => c
                            .create_contact_checked(customer_id, &patch)
                            .await
                            .map(|made| {
                                if let Some((text, error)) = made.note() {
                                    let _ = tx.send(Action::Notice { text, error });
                                }
                                Record::Contact(made.contact)
                            }),
                        (Some(c), FormTarget::EditContact { id, .. }) => c
                            .update_contact_checked(id, &patch)
                            .await
                            .map(Record::Contact),
                    };
                    if create && result.as_ref().is_err_and(ApiError::outcome_unknown) {
                        let mut m = unknown.lock().unwrap_or_else(|p| p.into_inner());
                        if m.len() >= REMEMBERED_CREATES
                            && let Some(&oldest) = m.keys().min()
                        {
                            m.remove(&oldest);
                        }
                        m.insert(token, patch);
                    } else if let (Some(c), Ok(answer)) = (&client, &result) {
                        let entry = match (answer, before.as_deref()) {
                            (_, None) if create => Some(Entry::create(answer.clone())),
                            (Record::Customer(a), Some(Record::Customer(b))) => {
                                Some(Entry::update_answered(b, &patch, a))
                            }
                            (Record::Contact(a), Some(Record::Contact(b))) => {
                                Some(Entry::contact_update_answered(b, &patch, a))
                            }
                            // An edit saved without a re-read (none in the app today): the
                            // values before are not known, so the write is not logged as
                            // undoable.
                            _ => None,
                        };
                        if let Some(e) = entry {
                            log_write(&log, c, &tx, e);
                        }
                    }
                    let _ = tx.send(Action::FormSaved { token, result });
                });
            }
            Effect::Lookup {
                token,
                target,
                email,
                name,
                fields,
            } => {
                let sent = self
                    .unknown_creates
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&token);
                tokio::spawn(async move {
                    // What a create whose outcome is unknown sent, else what the form holds.
                    let keys = LookupKeys::new(email, name, Some(sent.as_ref().unwrap_or(&fields)));
                    let result = match &client {
                        Some(c) => lookup(c, target, &keys).await,
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::FormLookup { token, result });
                });
            }
            Effect::Delete(target) => {
                let log = self.change_log.clone();
                tokio::spawn(async move {
                    // The record as it was goes into the change log (a customer with its
                    // contacts): the API cannot undo a delete, the log can re-create it.
                    let result = match (&client, target) {
                        (None, _) => Err(no_client()),
                        (Some(c), Deletion::Customer { id }) => {
                            let was = c.get_customer(id).await.ok();
                            let r = c.delete_customer(id).await;
                            if let (Ok(()), Some(was)) = (&r, was) {
                                log_write(&log, c, &tx, Entry::delete(was));
                            }
                            r
                        }
                        (Some(c), Deletion::Contact { id, .. }) => {
                            let was = c.get_contact(id).await.ok();
                            let r = c.delete_contact(id).await;
                            if let (Ok(()), Some(was)) = (&r, was) {
                                log_write(&log, c, &tx, Entry::delete(was));
                            }
                            r
                        }
                    };
                    let _ = tx.send(Action::Deleted { target, result });
                });
            }
        }
    }

    /// Stops the running invoice scan (the account is being switched).
    pub fn stop(&self) {
        if let Some(h) = self.scan.lock().unwrap_or_else(|p| p.into_inner()).take() {
            h.abort();
        }
        // The mirror's sync (and its periodic refresh) belong to the old profile: silenced.
        if let Some(m) = &self.mirror {
            m.stop();
        }
    }
}

/// A path for the status line, with the home directory written `~` so the file name fits.
fn home_short(path: &std::path::Path) -> String {
    let full = path.display().to_string();
    match std::env::var_os("HOME").map(std::path::PathBuf::from) {
        Some(home) if !home.as_os_str().is_empty() => match path.strip_prefix(&home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => full,
        },
        _ => full,
    }
}

/// What a look-up for a record like the one being created searches by: the form's e-mail and
/// name, and, after a create whose outcome was unknown, every field that create sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupKeys {
    pub email: Option<String>,
    /// The business name, or the person's "First Last" (contacts: the name).
    pub name: Option<String>,
    pub business_name: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    /// Digits of the phone (at least seven).
    pub phone_digits: Option<String>,
}

impl LookupKeys {
    /// The keys of a look-up; `sent` is the body of the create it follows, when known.
    pub fn new(email: Option<String>, name: Option<String>, sent: Option<&Patch>) -> Self {
        let text = |k: &str| {
            sent.and_then(|p| p.get(k))
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let phone_digits = text("phone")
            .or_else(|| text("mobile"))
            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() >= 7)
            .map(|d| d[d.len().saturating_sub(10)..].to_string());
        LookupKeys {
            email: clean(email).or_else(|| text("email")),
            name: clean(name),
            business_name: text("business_name"),
            firstname: text("firstname"),
            lastname: text("lastname"),
            phone_digits,
        }
    }

    /// The `GET /customers` filters that find a customer like this one, each on its own (the
    /// newest first): by e-mail; by business name; by first and last name (a residential
    /// customer; split from the one name when the fields are not known); by free text over the
    /// name; by phone digits.
    pub fn customer_queries(&self) -> Vec<CustomerQuery> {
        let q = |f: &dyn Fn(&mut CustomerQuery)| {
            let mut q = CustomerQuery {
                sort: Some("updated_at DESC".into()),
                page: 1,
                ..CustomerQuery::default()
            };
            f(&mut q);
            q
        };
        let mut out = Vec::new();
        if let Some(e) = &self.email {
            out.push(q(&|q| q.email = Some(e.clone())));
        }
        let business = self.business_name.clone().or_else(|| {
            // Without the create's fields, the one name may be a business name.
            (self.firstname.is_none() && self.lastname.is_none())
                .then(|| self.name.clone())
                .flatten()
        });
        if let Some(b) = &business {
            out.push(q(&|q| q.business_name = Some(b.clone())));
        }
        let (first, last) = match (&self.firstname, &self.lastname) {
            (None, None) => match self.name.as_deref().and_then(|n| n.rsplit_once(' ')) {
                Some((f, l)) if self.business_name.is_none() => {
                    (Some(f.trim().to_string()), Some(l.trim().to_string()))
                }
                _ => (None, None),
            },
            (f, l) => (f.clone(), l.clone()),
        };
        if first.is_some() || last.is_some() {
            out.push(q(&|q| {
                q.firstname = first.clone();
                q.lastname = last.clone();
            }));
        }
        if let Some(n) = &self.name {
            out.push(q(&|q| q.query = Some(n.clone())));
        }
        if let Some(d) = &self.phone_digits {
            out.push(q(&|q| q.query = Some(d.clone())));
        }
        out.dedup();
        out
    }
}

/// Records like the one a form creates. Customers: the API's list filters (see
/// [`LookupKeys::customer_queries`]; first page of each, newest first), so a customer made by
/// a create whose answer was lost is found whatever kind it is: a business, or a residential
/// customer without an e-mail. Contacts: every contact of the customer (the API cannot filter
/// contacts by e-mail; a customer holds few); the app keeps those with the e-mail or name.
pub async fn lookup(
    client: &SyncroClient,
    target: FormTarget,
    keys: &LookupKeys,
) -> Result<Vec<Record>, ApiError> {
    match target {
        FormTarget::NewCustomer => {
            let mut out: Vec<Record> = Vec::new();
            for q in keys.customer_queries() {
                let page = client.list_customers(&q).await?;
                for c in page.items {
                    let known = out
                        .iter()
                        .any(|r| matches!(r, Record::Customer(k) if k.id == c.id));
                    if !known {
                        out.push(Record::Customer(c));
                    }
                }
            }
            Ok(out)
        }
        FormTarget::NewContact { customer_id } => {
            let contacts = client.all_contacts(Some(customer_id)).await?;
            Ok(contacts
                .into_iter()
                .map(|mut k| {
                    k.customer_id.get_or_insert(customer_id);
                    Record::Contact(k)
                })
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// Walks every page of `/invoices` (the API cannot filter them by customer), reporting each
/// page as it arrives so the app can show progress and the invoices found so far.
async fn scan_invoices(client: Option<SyncroClient>, tx: UnboundedSender<Action>, generation: u64) {
    let Some(client) = client else {
        let _ = tx.send(Action::InvoicesPage {
            generation,
            page: 1,
            total_pages: None,
            last: true,
            result: Err(no_client()),
        });
        return;
    };
    let mut page = 1u32;
    loop {
        let (result, total_pages, last) = match client.list_invoices(page).await {
            Ok(p) => {
                let last = !p.has_next() || p.items.is_empty();
                (Ok(p.items), p.meta.total_pages, last)
            }
            Err(e) => (Err(e), None, true),
        };
        let failed = result.is_err();
        let sent = tx.send(Action::InvoicesPage {
            generation,
            page,
            total_pages,
            last,
            result,
        });
        // Stop at the end, on an error, or when the app is gone.
        if last || failed || sent.is_err() {
            return;
        }
        page += 1;
    }
}

/// Retires, reinstates or moves a contact: the contact is read first, so that only its title's
/// marker (or its customer) changes and a colleague's edit of the rest stays; `name` goes with
/// every PUT, as Syncro requires.
async fn change_contact(
    client: &SyncroClient,
    change: crate::domain::ContactChange,
    log: &Option<Arc<ChangeLog>>,
    tx: &UnboundedSender<Action>,
) -> Result<crate::api::model::Contact, ApiError> {
    use crate::domain::ContactChange;
    use crate::roles::Title;
    use serde_json::Value;
    let id = match change {
        ContactChange::Retire { id, .. } | ContactChange::Move { id, .. } => id,
    };
    let now = client.get_contact(id).await?;
    let mut patch = crate::api::model::Patch::new();
    patch.insert(
        "name".into(),
        Value::String(now.name.clone().unwrap_or_default()),
    );
    match change {
        ContactChange::Retire { retire, .. } => {
            let mut title = Title::read(&now.title().unwrap_or_default());
            title.retired = retire;
            patch.insert("title".into(), Value::String(title.write()));
        }
        ContactChange::Move { to, .. } => {
            patch.insert("customer_id".into(), Value::from(to));
        }
    }
    let answer = client.update_contact(id, &patch).await?;
    // Retire, reinstate and move are told apart by the entry itself.
    log_write(
        log,
        client,
        tx,
        Entry::contact_update_answered(&now, &patch, &answer),
    );
    Ok(answer)
}
