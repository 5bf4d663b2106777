//! The worker's side of the account mirror: loading the file, syncing in the background,
//! applying the app's writes, saving, and building the search index off the async threads.
//!
//! The mirror itself lives here (one copy, behind a mutex held only for quick in-memory steps,
//! never across a request); the app receives customers and indexes as actions. Writes that
//! arrive while a sync runs are applied to the current mirror at once and replayed onto the
//! sync's result, so a sync never undoes them.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use crate::api::SyncroClient;
use crate::app::Action;
use crate::app::mirror::state::{MirrorEvent, MirrorOp};
use crate::app::view::RowView;
use crate::mirror::store::{SaveBase, Taken};
use crate::mirror::{
    self, LoadOutcome, Mirror, SearchIndex, SyncOptions, SyncProgress, SyncReport,
};

/// A full pass follows the incremental one when the last full pass is older than this (it is
/// what notices customers deleted on the server).
pub const FULL_SYNC_EVERY: Duration = Duration::from_secs(3600);

/// While the app runs, the mirror is refreshed this often (changes; a full pass when the last
/// one is older than [`FULL_SYNC_EVERY`]). The app shows the progress as for any sync.
pub const PERIODIC_SYNC: Duration = Duration::from_secs(15 * 60);

/// Where a profile's mirror lives and which server it mirrors.
#[derive(Debug, Clone)]
pub struct MirrorSetup {
    /// The data directory.
    pub dir: PathBuf,
    /// The file's profile name (`demo` for the built-in demo server).
    pub profile: String,
    /// The server identity stored in the file (the base URL, or `demo`).
    pub server_id: String,
    /// The custom property that holds a customer's type (the list's rows show it).
    pub type_property: String,
}

/// Reads the mirror as the app starts: each record is decoded once, and the list's row view is
/// built from it there and then (see [`crate::mirror::store::load_for_server_with`]).
pub fn load_for_list(setup: &MirrorSetup) -> (LoadOutcome, Vec<RowView>) {
    let (outcome, views, _) = load_for_list_with_base(setup);
    (outcome, views)
}

/// [`load_for_list`], with what the next save needs to merge with another instance's writes.
fn load_for_list_with_base(setup: &MirrorSetup) -> (LoadOutcome, Vec<RowView>, SaveBase) {
    mirror::store::load_for_server_with_base(
        &setup.dir,
        &setup.profile,
        &setup.server_id,
        &mut |c| RowView::build(c, &setup.type_property),
    )
}

#[derive(Debug, Default)]
struct Shared {
    mirror: Mirror,
    syncing: bool,
    /// Writes applied during the running sync, replayed onto its result.
    pending: Vec<MirrorOp>,
}

/// The mirror and what is done with it.
#[derive(Debug)]
pub(super) struct MirrorTask {
    setup: MirrorSetup,
    shared: Mutex<Shared>,
    /// Serialises saves so that an older snapshot never overwrites a newer one; holds what the
    /// last save (or the load) saw of the file, so that a save merges with what another
    /// instance wrote instead of reverting it.
    save_lock: Mutex<SaveBase>,
    /// Set when the app switched to another profile: nothing more is reported.
    stopped: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn send(stopped: &AtomicBool, tx: &UnboundedSender<Action>, ev: MirrorEvent) {
    if !stopped.load(Ordering::SeqCst) {
        let _ = tx.send(Action::Mirror(ev));
    }
}

impl MirrorTask {
    pub(super) fn new(setup: MirrorSetup) -> Arc<Self> {
        Arc::new(MirrorTask {
            shared: Mutex::new(Shared {
                mirror: Mirror::new(setup.server_id.clone()),
                ..Shared::default()
            }),
            setup,
            save_lock: Mutex::new(SaveBase::unknown()),
            stopped: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The app moved on (another profile): this mirror's work reports nothing more, and its
    /// periodic refresh ends.
    pub(super) fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    fn emit(&self, tx: &UnboundedSender<Action>, ev: MirrorEvent) {
        send(&self.stopped, tx, ev);
    }

    /// Where the mirror lives (the audit keeps its memory next to it).
    pub(super) fn setup(&self) -> &MirrorSetup {
        &self.setup
    }

    /// Runs one operation on its own task.
    pub(super) fn spawn(
        self: &Arc<Self>,
        op: MirrorOp,
        client: Option<SyncroClient>,
        tx: UnboundedSender<Action>,
    ) {
        let task = self.clone();
        match op {
            MirrorOp::Load => {
                if let Some(client) = client {
                    let (task, tx) = (task.clone(), tx.clone());
                    tokio::spawn(async move {
                        let mut every = tokio::time::interval_at(
                            tokio::time::Instant::now() + PERIODIC_SYNC,
                            PERIODIC_SYNC,
                        );
                        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                        loop {
                            every.tick().await;
                            if tx.is_closed() || task.stopped.load(Ordering::SeqCst) {
                                return;
                            }
                            task.clone().sync(&client, false, &tx).await;
                        }
                    });
                }
                tokio::task::spawn_blocking(move || task.load(&tx));
            }
            MirrorOp::Sync { full } => {
                let Some(client) = client else {
                    self.emit(&tx, MirrorEvent::SyncFailed("no API key is set".into()));
                    return;
                };
                tokio::spawn(async move { task.sync(&client, full, &tx).await });
            }
            write => {
                tokio::task::spawn_blocking(move || task.write(write, &tx));
            }
        }
    }

    fn load(&self, tx: &UnboundedSender<Action>) {
        let s = &self.setup;
        let (outcome, views, base) = load_for_list_with_base(s);
        *lock(&self.save_lock) = base;
        let notice = outcome.notice();
        let found = matches!(outcome, LoadOutcome::Loaded(_));
        let m = outcome.into_mirror_or_empty(&s.server_id);
        let customers = found.then(|| m.records().to_vec());
        let age = m.synced_ago(Utc::now());
        let synced_at = m.last_synced().map(std::time::SystemTime::from);
        // Stored before the app hears of it, so the sync it asks for starts from this mirror.
        lock(&self.shared).mirror = m;
        // Paint first; the index follows.
        self.emit(
            tx,
            MirrorEvent::Loaded {
                customers,
                views,
                age,
                synced_at,
                notice,
            },
        );
        if found {
            let snapshot = lock(&self.shared).mirror.clone();
            self.emit(
                tx,
                MirrorEvent::Index(Arc::new(SearchIndex::build(&snapshot))),
            );
            drop(snapshot);
            crate::memory::release_free_memory();
        }
    }

    async fn sync(
        self: Arc<Self>,
        client: &SyncroClient,
        full: bool,
        tx: &UnboundedSender<Action>,
    ) {
        let previous = {
            let mut sh = lock(&self.shared);
            if sh.syncing {
                return;
            }
            sh.syncing = true;
            sh.pending.clear();
            sh.mirror.clone()
        };
        let (progress_tx, stopped) = (tx.clone(), self.stopped.clone());
        let mut progress = move |p: SyncProgress| {
            send(
                &stopped,
                &progress_tx,
                MirrorEvent::Progress(p.status_line()),
            );
        };
        let opts = SyncOptions::default();
        let first = if full {
            mirror::full_sync(client, &previous, &opts, &mut progress).await
        } else {
            mirror::incremental_sync(client, &previous, &opts, &mut progress).await
        };
        let result = match first {
            Ok((m, report)) => {
                let stale_full = m.last_full_sync.is_none_or(|t| {
                    (Utc::now() - t).to_std().unwrap_or_default() > FULL_SYNC_EVERY
                });
                if report.full || !stale_full {
                    self.finish(m, &report, true, tx);
                    Ok(())
                } else {
                    let m = self.finish(m, &report, false, tx);
                    match mirror::full_sync(client, &m, &opts, &mut progress).await {
                        Ok((m, report)) => {
                            self.finish(m, &report, true, tx);
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
            }
            Err(e) => Err(e),
        };
        let mut sh = lock(&self.shared);
        sh.syncing = false;
        sh.pending.clear();
        drop(sh);
        if let Err(e) = result {
            tracing::warn!("mirror sync failed: {e}");
            self.emit(tx, MirrorEvent::SyncFailed(e.to_string()));
        }
    }

    /// Takes a pass's result: replays the writes made meanwhile, shows it, saves and indexes it.
    fn finish(
        self: &Arc<Self>,
        mut m: Mirror,
        report: &SyncReport,
        done: bool,
        tx: &UnboundedSender<Action>,
    ) -> Mirror {
        m.base_url = self.setup.server_id.clone();
        let changed = {
            let mut sh = lock(&self.shared);
            for op in std::mem::take(&mut sh.pending) {
                apply(&mut m, op);
            }
            // Mostly the same records (shared, compared by pointer): a quiet account's
            // periodic pass changes nothing the index holds.
            let changed = sh.mirror.records() != m.records();
            sh.mirror = m.clone();
            changed
        };
        tracing::info!("mirror sync: {}", report.summary());
        if !report.skipped.is_empty() && !self.stopped.load(Ordering::SeqCst) {
            let _ = tx.send(Action::Notice {
                text: crate::api::model::Skipped::summary(&report.skipped),
                error: true,
            });
        }
        self.emit(
            tx,
            MirrorEvent::Synced {
                customers: m.records().to_vec(),
                summary: report.short(),
                done,
            },
        );
        let task = self.clone();
        let tx = tx.clone();
        // Saved either way: the file keeps when the mirror was last brought up to date.
        tokio::task::spawn_blocking(move || task.save_and_index(&tx, changed));
        m
    }

    fn write(&self, op: MirrorOp, tx: &UnboundedSender<Action>) {
        let changed = {
            let mut sh = lock(&self.shared);
            if sh.syncing {
                sh.pending.push(op.clone());
            }
            let owner = match &op {
                MirrorOp::PutCustomer(c) => Some(c.id),
                MirrorOp::PutContact(k) => k.customer_id,
                MirrorOp::RemoveContact(id) => sh.mirror.contact_owner(*id),
                _ => None,
            };
            let removed = match &op {
                MirrorOp::RemoveCustomer(id) => Some(*id),
                _ => None,
            };
            apply(&mut sh.mirror, op);
            let customer = owner.and_then(|id| sh.mirror.customer(id));
            (customer, removed)
        };
        match changed {
            (Some(c), _) => self.emit(tx, MirrorEvent::Changed(Box::new(c))),
            (None, Some(id)) => self.emit(tx, MirrorEvent::Removed(id)),
            (None, None) => {}
        }
        self.save_and_index(tx, true);
    }

    /// Saves the current mirror and, when its records changed, sends a fresh index of it (on a
    /// blocking thread).
    fn save_and_index(&self, tx: &UnboundedSender<Action>, reindex: bool) {
        let mut base = lock(&self.save_lock);
        let mut m = lock(&self.shared).mirror.clone();
        let s = &self.setup;
        let mut reindex = reindex;
        match mirror::store::save_merged(&s.dir, &s.profile, &m, &mut base) {
            Ok((_, taken)) if !taken.is_empty() => {
                // Another instance saved records meanwhile: they go into this copy too (where
                // this copy has not changed them since the snapshot), and on screen.
                let mut sh = lock(&self.shared);
                for t in taken {
                    let id = match &t {
                        Taken::Put(c) => c.id,
                        Taken::Removed(id) => *id,
                    };
                    let untouched = {
                        let (now, then) = (
                            sh.mirror.records().binary_search_by_key(&id, |p| p.id()),
                            m.records().binary_search_by_key(&id, |p| p.id()),
                        );
                        match (now, then) {
                            (Ok(a), Ok(b)) => sh.mirror.records()[a] == m.records()[b],
                            (Err(_), Err(_)) => true,
                            _ => false,
                        }
                    };
                    if !untouched {
                        continue;
                    }
                    match t {
                        Taken::Put(c) => {
                            sh.mirror.put_customer((*c).clone());
                            self.emit(tx, MirrorEvent::Changed(c));
                        }
                        Taken::Removed(id) => {
                            sh.mirror.remove_customer(id);
                            self.emit(tx, MirrorEvent::Removed(id));
                        }
                    }
                }
                m = sh.mirror.clone();
                reindex = true;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("saving the mirror failed: {e}");
                self.emit(tx, MirrorEvent::SaveFailed(e.to_string()));
            }
        }
        drop(base);
        if reindex {
            self.emit(tx, MirrorEvent::Index(Arc::new(SearchIndex::build(&m))));
        }
        drop(m);
        crate::memory::release_free_memory();
    }
}

/// Applies one write of the app to a mirror.
fn apply(m: &mut Mirror, op: MirrorOp) {
    match op {
        MirrorOp::PutCustomer(c) => {
            if c.contacts.is_empty() {
                m.put_customer_keep_contacts(*c);
            } else {
                m.put_customer(*c);
            }
        }
        MirrorOp::PutContact(k) => {
            m.put_contact(*k);
        }
        MirrorOp::RemoveCustomer(id) => {
            m.remove_customer(id);
        }
        MirrorOp::RemoveContact(id) => {
            m.remove_contact(id);
        }
        MirrorOp::Load | MirrorOp::Sync { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures;

    /// The views built while the file is decoded are the list's views of the same records, in
    /// the mirror's order: the app pairs them without decoding anything again.
    #[test]
    fn load_for_list_builds_one_view_per_record_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Mirror::new("demo");
        let mut customers = fixtures::customers();
        customers.reverse();
        m.replace_all(customers);
        mirror::store::save(dir.path(), "demo", &m).unwrap();
        let type_property = fixtures::config().customer_type_property;
        let setup = MirrorSetup {
            dir: dir.path().to_path_buf(),
            profile: "demo".into(),
            server_id: "demo".into(),
            type_property: type_property.clone(),
        };
        let (outcome, views) = load_for_list(&setup);
        let loaded = outcome.into_mirror_or_empty("demo");
        assert_eq!(views.len(), loaded.customer_count());
        for (record, view) in loaded.records().iter().zip(&views) {
            let fresh = RowView::build(&record.unpack(), &type_property);
            assert_eq!(view.id, record.id());
            assert_eq!((view.name(), view.kind()), (fresh.name(), fresh.kind()));
        }
        // Another server's file: discarded, and no views.
        let other = MirrorSetup {
            server_id: "https://acme.syncromsp.com/api/v1".into(),
            ..setup
        };
        let (outcome, views) = load_for_list(&other);
        assert!(matches!(outcome, LoadOutcome::Discarded { .. }));
        assert!(views.is_empty());
    }
}
