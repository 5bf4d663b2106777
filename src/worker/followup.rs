//! The onboarding follow-ups on worker tasks: the file under its lock on a blocking thread,
//! the looks through the API one customer after the other (they share the rate limit with
//! everything else, and a technician rarely has more than a few clients onboarding).

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::SyncroClient;
use crate::app::Action;
use crate::app::followup::state::{FollowupEvent, FollowupOp};
use crate::followup::{Checklist, FollowupStore, look, now};

/// The open checklists of `server`.
fn open_of(lists: Vec<Checklist>, server: &str) -> Vec<Checklist> {
    lists
        .into_iter()
        .filter(|c| c.is_open() && c.server == server)
        .collect()
}

pub(super) fn spawn(
    client: Option<SyncroClient>,
    store: Option<Arc<FollowupStore>>,
    op: FollowupOp,
    tx: UnboundedSender<Action>,
) {
    let send = move |tx: &UnboundedSender<Action>, ev| {
        let _ = tx.send(Action::Followup(ev));
    };
    let (Some(store), Some(client)) = (store, client) else {
        if op == FollowupOp::Load {
            send(&tx, FollowupEvent::Lists(Ok(Vec::new())));
        }
        if let FollowupOp::Check { customers } = op {
            for customer in customers {
                send(
                    &tx,
                    FollowupEvent::Checked {
                        customer,
                        result: Err("no API client or data directory".into()),
                    },
                );
            }
        }
        return;
    };
    let server = store.server().to_string();
    tokio::spawn(async move {
        match op {
            FollowupOp::Load => {
                let r = blocking(move || store.load()).await;
                send(&tx, FollowupEvent::Lists(r.map(|l| open_of(l, &server))));
            }
            FollowupOp::Toggle { customer, item } => {
                let s = server.clone();
                let r = blocking(move || {
                    store.update(|lists| {
                        if let Some(c) = lists
                            .iter_mut()
                            .find(|c| c.customer_id == customer && c.server == s)
                        {
                            c.toggle(item, &now());
                        }
                    })
                })
                .await;
                send(
                    &tx,
                    FollowupEvent::Lists(r.map(|(_, l)| open_of(l, &server))),
                );
            }
            FollowupOp::Check { customers } => {
                for customer in customers {
                    let result = match look(&client, customer).await {
                        Ok(seen) => {
                            let (st, s) = (store.clone(), server.clone());
                            let r = blocking(move || {
                                st.update(|lists| {
                                    lists
                                        .iter_mut()
                                        .find(|c| c.customer_id == customer && c.server == s)
                                        .map(|c| c.apply(seen))
                                        .unwrap_or_default()
                                })
                            })
                            .await;
                            match r {
                                Ok((ticked, lists)) => {
                                    send(&tx, FollowupEvent::Lists(Ok(open_of(lists, &server))));
                                    Ok(ticked)
                                }
                                Err(e) => Err(e),
                            }
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    send(&tx, FollowupEvent::Checked { customer, result });
                }
            }
        }
    });
}

/// Runs file work off the async threads; an error as the text the app shows.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}
