//! Runs the app's effects on tokio tasks with the API client and sends actions back.
//!
//! The worker owns the client. Every result travels back inside an [`Action`] over one channel,
//! tagged with the generation the app gave the request, so the app can drop stale answers;
//! there is no shared state between the tasks and the app (the worker only keeps the handle of
//! the running invoice scan, to stop it when a new one starts).

mod audit;
mod mirror;

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::{ApiError, SyncroClient, all_pages};
use crate::app::{Action, Effect};
pub use mirror::{FULL_SYNC_EVERY, MirrorSetup, PERIODIC_SYNC};

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
        }
    }

    /// Keeps the account mirror described by `setup` (load, sync, writes).
    pub fn with_mirror(mut self, setup: MirrorSetup) -> Self {
        self.mirror = Some(mirror::MirrorTask::new(setup));
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
                        Some(c) => c.list_customers(&query).await,
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
                        Some(c) => all_pages(|p| c.list_tickets(customer_id, p)).await,
                        None => Err(no_client()),
                    };
                    let _ = tx.send(Action::TicketsLoaded {
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
                        Some(c) => all_pages(|p| c.list_assets(customer_id, p)).await,
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
            Effect::Audit(op) => {
                audit::spawn(self.mirror.as_ref().map(|m| m.setup().clone()), op, tx)
            }
            Effect::Copy(_) | Effect::OpenUrl(_) => {}
        }
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
