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
use crate::app::view::{self, RowView};
use crate::mirror::store::{SaveBase, Taken};
use crate::mirror::{
    self, LoadOutcome, Made, Mirror, SearchIndex, SyncOptions, SyncProgress, SyncReport,
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

/// The list's rows as the worker read them at start.
#[derive(Debug, Default)]
pub struct StartRows {
    /// One view per record, in the mirror's order.
    pub views: Vec<RowView>,
    /// The rows' order by name (the list's default sort), when read from the file (checked).
    pub order: Option<Vec<usize>>,
    /// The views came from the file's views section and no record was decoded: the records'
    /// check ([`Mirror::check`]) is still to run.
    pub unchecked: bool,
}

/// Reads the mirror as the app starts. With a views section that fits (see
/// [`crate::app::view::read_views_section`]), the rows' views and their order come from it and
/// no record is decoded; otherwise each record is decoded once, and the list's row view is
/// built from it there and then (see [`crate::mirror::store::load_for_server_or_views`]).
pub fn load_for_list(setup: &MirrorSetup) -> (LoadOutcome, StartRows) {
    let (outcome, rows, _) = load_for_list_with_base(setup);
    (outcome, rows)
}

/// [`load_for_list`], with what the next save needs to merge with another instance's writes.
fn load_for_list_with_base(setup: &MirrorSetup) -> (LoadOutcome, StartRows, SaveBase) {
    let (outcome, made, base) = mirror::store::load_for_server_or_views(
        &setup.dir,
        &setup.profile,
        &setup.server_id,
        |section, ids| view::read_views_section(section, ids, &setup.type_property),
        &mut |c| RowView::build(c, &setup.type_property),
    );
    let rows = match made {
        Made::Decoded(views) => StartRows {
            views,
            ..StartRows::default()
        },
        Made::Stored((views, order)) => StartRows {
            views,
            order: Some(order),
            unchecked: true,
        },
    };
    (outcome, rows, base)
}

/// The views section of a mirror about to be saved, for the list's rows at the next start.
pub fn views_of(type_property: &str) -> impl Fn(&Mirror, &mut Vec<u8>) + '_ {
    move |m, out| view::write_views_section(m.records(), type_property, out)
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
    /// False while a load's records are being checked (after the first frame): a sync waits
    /// for it, so that it never starts from records that turn out damaged.
    ready: tokio::sync::watch::Sender<bool>,
}

/// Marks the mirror ready for a sync when dropped.
struct ReadyOnDrop<'a>(&'a tokio::sync::watch::Sender<bool>);

impl Drop for ReadyOnDrop<'_> {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
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
            ready: tokio::sync::watch::Sender::new(true),
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
                self.ready.send_replace(false);
                tokio::task::spawn_blocking(move || {
                    // Ready again however the load ends (a panic included): a sync never waits
                    // for ever.
                    let _ready = ReadyOnDrop(&task.ready);
                    task.load(&tx);
                });
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
        let (outcome, rows, base) = load_for_list_with_base(s);
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
                views: rows.views,
                order: rows.order,
                age,
                synced_at,
                notice,
            },
        );
        if found {
            let snapshot = lock(&self.shared).mirror.clone();
            // The records the first frame did not wait for: a damaged one discards the mirror
            // as a damaged file is discarded at load (the next sync rebuilds it).
            if rows.unchecked
                && let Err(reason) = snapshot.check()
            {
                tracing::warn!("mirror: a record failed its check after the start: {reason}");
                drop(snapshot);
                let path = mirror::store::mirror_path(&s.dir, &s.profile);
                let notice = LoadOutcome::Discarded { path, reason }.notice();
                lock(&self.shared).mirror = Mirror::new(s.server_id.clone());
                *lock(&self.save_lock) = SaveBase::unknown();
                self.emit(tx, MirrorEvent::Discarded(notice.unwrap_or_default()));
                crate::memory::release_free_memory();
                return;
            }
            // Checked: a sync may start from these records while the index is built.
            self.ready.send_replace(true);
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
        // Not from records still being checked after a load.
        let _ = self.ready.subscribe().wait_for(|ready| *ready).await;
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
        let views = views_of(&s.type_property);
        match mirror::store::save_merged_with_views(&s.dir, &s.profile, &m, &mut base, Some(&views))
        {
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
        let (outcome, rows) = load_for_list(&setup);
        let views = rows.views;
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
        let (outcome, rows) = load_for_list(&other);
        assert!(matches!(outcome, LoadOutcome::Discarded { .. }));
        assert!(rows.views.is_empty());
    }

    /// Customers whose names sort with ties, case, accents, other scripts and none at all.
    fn tricky_mirror() -> Mirror {
        use crate::api::model::Customer;
        let mut customers = fixtures::customers();
        let names = [
            "Zeta",
            "zeta",
            "",
            "Ärzte Haus",
            "東京 Trading",
            "Zeta",
            "a",
            "ZETA ",
        ];
        for (i, name) in names.iter().enumerate() {
            customers.push(Customer {
                // Ids not in name order.
                id: 90_000 + ((i as u64 * 7) % names.len() as u64),
                business_name: Some((*name).into()),
                firstname: Some(format!("P{i}")),
                phone: Some(format!("81355501{i:02}")),
                disabled: i == 3,
                ..Customer::default()
            });
        }
        let mut m = Mirror::new("demo");
        m.replace_all(customers);
        m
    }

    fn setup_in(dir: &std::path::Path, profile: &str) -> MirrorSetup {
        MirrorSetup {
            dir: dir.to_path_buf(),
            profile: profile.into(),
            server_id: "demo".into(),
            type_property: fixtures::config().customer_type_property,
        }
    }

    /// The app after its first action, from what `load_for_list` read.
    fn started(outcome: LoadOutcome, rows: StartRows) -> crate::app::App {
        use crate::app::{Action, update};
        let m = outcome.into_mirror_or_empty("demo");
        let mut app = crate::app::App::new(fixtures::config());
        app.mirror.configured = true;
        update(&mut app, Action::Resize(120, 40));
        let _ = crate::app::update::start(&mut app);
        update(
            &mut app,
            Action::Mirror(MirrorEvent::Loaded {
                customers: Some(m.records().to_vec()),
                views: rows.views,
                order: rows.order,
                age: "synced 3 h ago".into(),
                synced_at: None,
                notice: None,
            }),
        );
        app
    }

    /// Every shown row's text, in the order shown, and the screen.
    fn painted(app: &crate::app::App) -> (Vec<String>, String) {
        let rows = app
            .list
            .shown
            .iter()
            .map(|&i| {
                let v = &app.list.rows[i].view;
                format!(
                    "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {} {} {} {}",
                    v.id,
                    v.name(),
                    v.person(),
                    v.email(),
                    v.phone(),
                    v.city(),
                    v.haystack(),
                    v.digits(),
                    v.kind(),
                    v.created,
                    v.updated,
                    v.disabled
                )
            })
            .collect();
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        term.draw(|f| crate::ui::draw(app, f)).unwrap();
        let screen = format!("{:?}", term.backend().buffer());
        (rows, screen)
    }

    /// A start from the file's views paints what a start that decodes every record paints:
    /// the same rows, in the same order, with the same text, from a file of this format with
    /// views, one without, and one of the format before the views.
    #[test]
    fn a_start_from_the_views_paints_the_rows_of_a_start_from_the_records() {
        let dir = tempfile::tempdir().unwrap();
        let m = tricky_mirror();
        let type_property = fixtures::config().customer_type_property;
        let views = views_of(&type_property);
        mirror::store::save_with_views(dir.path(), "views", &m, Some(&views)).unwrap();
        mirror::store::save(dir.path(), "plain", &m).unwrap();
        let mut old = m.to_bytes();
        old[8..12].copy_from_slice(&3u32.to_le_bytes());
        std::fs::write(mirror::store::mirror_path(dir.path(), "old"), old).unwrap();

        let (outcome, rows) = load_for_list(&setup_in(dir.path(), "views"));
        assert!(
            rows.unchecked && rows.order.is_some(),
            "the views were used"
        );
        let from_views = painted(&started(outcome, rows));
        for profile in ["plain", "old"] {
            let (outcome, rows) = load_for_list(&setup_in(dir.path(), profile));
            assert!(matches!(outcome, LoadOutcome::Loaded(_)), "{profile}");
            assert!(
                !rows.unchecked && rows.order.is_none(),
                "{profile}: decoded"
            );
            let decoded = painted(&started(outcome, rows));
            assert_eq!(from_views.0, decoded.0, "{profile}: the rows");
            assert_eq!(from_views.1, decoded.1, "{profile}: the screen");
        }
        let enabled = m.customers().iter().filter(|c| !c.disabled).count();
        assert_eq!(from_views.0.len(), enabled, "the disabled ones hidden");

        // Views of another type property are not used (the rows' types would differ).
        let other = MirrorSetup {
            type_property: "Kind".into(),
            ..setup_in(dir.path(), "views")
        };
        let (_, rows) = load_for_list(&other);
        assert!(!rows.unchecked && rows.order.is_none());
    }

    /// A damaged views section: the records are decoded instead, nothing is lost.
    #[test]
    fn a_damaged_views_section_starts_from_the_records() {
        let dir = tempfile::tempdir().unwrap();
        let m = tricky_mirror();
        let type_property = fixtures::config().customer_type_property;
        let good = m.to_bytes_with_views(Some(&view::views_section(m.records(), &type_property)));
        let path = mirror::store::mirror_path(dir.path(), "p");
        let setup = setup_in(dir.path(), "p");
        let plain_len = m.to_bytes().len();
        for cut in (plain_len..good.len()).step_by(37) {
            std::fs::write(&path, &good[..cut]).unwrap();
            let (outcome, rows) = load_for_list(&setup);
            assert!(
                matches!(outcome, LoadOutcome::Loaded(ref l) if *l == m),
                "cut at {cut}"
            );
            assert!(!rows.unchecked, "cut at {cut}");
            assert_eq!(rows.views.len(), m.customer_count(), "cut at {cut}");
        }
        // The section's own parts damaged under a right checksum: its reader refuses them.
        let ids: Vec<u64> = m.records().iter().map(|p| p.id()).collect();
        let section = view::views_section(m.records(), &type_property);
        assert!(view::read_views_section(&section, &ids, &type_property).is_some());
        for cut in 0..section.len() {
            assert!(view::read_views_section(&section[..cut], &ids, &type_property).is_none());
        }
        for i in 0..section.len() {
            let mut bad = section.clone();
            bad[i] ^= 0x55;
            // Never a panic; what is read back is either refused or well-formed text.
            if let Some((views, order)) = view::read_views_section(&bad, &ids, &type_property) {
                assert_eq!((views.len(), order.len()), (ids.len(), ids.len()));
            }
        }
        let mut other_ids = ids.clone();
        other_ids[0] += 1;
        assert!(view::read_views_section(&section, &other_ids, &type_property).is_none());
    }

    /// A record that fails its decode check after the first frame (a file with views whose
    /// record does not decode, under a right checksum) is handled as a damaged file is at a
    /// load that decodes: the mirror is discarded with the same notice, no index is built, and
    /// the list goes back to paging from the server while the next sync rebuilds the mirror.
    #[test]
    fn a_record_failing_its_check_after_the_start_discards_the_mirror() {
        use crate::app::{Action, Effect, update};
        let dir = tempfile::tempdir().unwrap();
        let good = tricky_mirror();
        let mut records = good.records().to_vec();
        let broken = Arc::new(vec![0x05u8, 0xff, 0xff]);
        records.push(crate::mirror::Packed::in_file_unchecked(&broken, 0, 3).unwrap());
        let mut m = Mirror::new("demo");
        m.replace_all_packed(records);
        let type_property = fixtures::config().customer_type_property;
        let views = views_of(&type_property);
        mirror::store::save_with_views(dir.path(), "p", &m, Some(&views)).unwrap();
        let setup = setup_in(dir.path(), "p");
        // A load that decodes every record discards this file at once.
        let (outcome, _) =
            mirror::store::load_for_server_with(&setup.dir, "p", "demo", &mut |_| ());
        let at_load = outcome.notice().unwrap();

        let task = MirrorTask::new(setup);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        task.load(&tx);
        let mut events = Vec::new();
        while let Ok(Action::Mirror(ev)) = rx.try_recv() {
            events.push(ev);
        }
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(
            matches!(&events[0], MirrorEvent::Loaded { customers: Some(c), .. } if c.len() == m.customer_count())
        );
        let MirrorEvent::Discarded(notice) = &events[1] else {
            panic!("{:?}", events[1]);
        };
        assert_eq!(notice, &at_load);
        assert!(
            notice.contains("discarded because it is damaged"),
            "{notice}"
        );
        assert!(lock(&task.shared).mirror.is_empty());

        // The app: painted from the views, then back to paging from the server.
        let mut app = crate::app::App::new(fixtures::config());
        app.mirror.configured = true;
        update(&mut app, Action::Resize(120, 40));
        let _ = crate::app::update::start(&mut app);
        let mut it = events.into_iter();
        update(&mut app, Action::Mirror(it.next().unwrap()));
        assert!(app.mirror.active && !app.list.shown.is_empty());
        let fx = update(&mut app, Action::Mirror(it.next().unwrap()));
        assert!(!app.mirror.active);
        assert!(app.list.rows.is_empty() && app.list.shown.is_empty());
        assert!(
            fx.iter().any(|e| matches!(e, Effect::LoadCustomers { .. })),
            "{fx:?}"
        );
        assert!(format!("{:?}", app.message).contains("discarded because"));
    }
}
