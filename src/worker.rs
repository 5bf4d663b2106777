//! Runs the app's effects on tokio tasks with the API client and sends actions back.
//!
//! The worker owns the client. Every result travels back inside an [`Action`] over one channel,
//! tagged with the generation the app gave the request, so the app can drop stale answers;
//! there is no shared state between the tasks and the app (the worker only keeps the handle of
//! the running invoice scan, to stop it when a new one starts).

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::{ApiError, SyncroClient, all_pages};
use crate::app::{Action, Effect};

/// Carries out network effects.
#[derive(Debug, Clone)]
pub struct Worker {
    client: Option<SyncroClient>,
    tx: UnboundedSender<Action>,
    /// The running invoice scan: a new scan (a refresh) stops the old one, so its pages do not
    /// spend the shared rate limit on answers the app would drop anyway.
    scan: Arc<Mutex<Option<AbortHandle>>>,
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
        }
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
            Effect::Export {
                dir,
                stem,
                format,
                text,
                what,
            } => {
                tokio::spawn(async move {
                    let written = tokio::task::spawn_blocking(move || {
                        crate::export::write_export(&dir, &stem, format, &text)
                    })
                    .await;
                    let (text, error) = match written {
                        Ok(Ok(path)) => {
                            tracing::info!(path = %path.display(), "export written");
                            (format!("Exported {what} to {}", path.display()), false)
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
            Effect::Copy(_) | Effect::OpenUrl(_) | Effect::SwitchProfile(_) => {}
        }
    }

    /// Stops the running invoice scan (the account is being switched).
    pub fn stop(&self) {
        if let Some(h) = self.scan.lock().unwrap_or_else(|p| p.into_inner()).take() {
            h.abort();
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
