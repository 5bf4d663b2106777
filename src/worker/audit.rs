//! The duplicate audit's memory: groups dismissed as "not a duplicate", per profile, in
//! `<data dir>/dismissed-<profile>.json` (a JSON array of group keys).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tokio::sync::mpsc::UnboundedSender;

use super::MirrorSetup;
use crate::app::Action;
use crate::app::audit::state::{AuditEvent, AuditOp};

/// Path of a profile's dismissed groups.
pub fn dismissed_path(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!(
        "dismissed-{}.json",
        crate::mirror::store::safe_name(profile)
    ))
}

/// Reads the dismissed groups; a missing or unreadable file is an empty set (never a crash).
pub fn load_dismissed(dir: &Path, profile: &str) -> BTreeSet<String> {
    std::fs::read(dismissed_path(dir, profile))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Writes the dismissed groups through a temporary file and a rename.
pub fn save_dismissed(dir: &Path, profile: &str, set: &BTreeSet<String>) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(set).map_err(std::io::Error::other)?;
    crate::files::write_private(&dismissed_path(dir, profile), &json)
}

/// Runs one audit operation on a blocking thread.
pub(super) fn spawn(setup: Option<MirrorSetup>, op: AuditOp, tx: UnboundedSender<Action>) {
    tokio::task::spawn_blocking(move || match (op, setup) {
        (AuditOp::LoadDismissed, Some(s)) => {
            let set = load_dismissed(&s.dir, &s.profile);
            let _ = tx.send(Action::Audit(AuditEvent::Dismissed(set)));
        }
        (AuditOp::LoadDismissed, None) => {
            let _ = tx.send(Action::Audit(AuditEvent::Dismissed(BTreeSet::new())));
        }
        (AuditOp::SaveDismissed(set), Some(s)) => {
            if let Err(e) = save_dismissed(&s.dir, &s.profile, &set) {
                let _ = tx.send(Action::Audit(AuditEvent::SaveFailed(e.to_string())));
            }
        }
        (AuditOp::SaveDismissed(_), None) => {}
        (
            AuditOp::Run {
                generation,
                customers,
                dismissed,
            },
            _,
        ) => {
            let findings = crate::app::audit::state::findings_packed(&customers, &dismissed);
            drop(customers);
            // The check decoded the whole account and dropped it.
            crate::memory::release_free_memory();
            let _ = tx.send(Action::Audit(AuditEvent::Found {
                generation,
                findings,
            }));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dismissed_groups_survive_a_round_trip_and_a_damaged_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_dismissed(dir.path(), "acme").is_empty());
        let set: BTreeSet<String> = ["1-2".to_string(), "contacts-5-6".into()].into();
        save_dismissed(dir.path(), "acme", &set).unwrap();
        assert_eq!(load_dismissed(dir.path(), "acme"), set);
        assert!(load_dismissed(dir.path(), "other").is_empty());
        std::fs::write(dismissed_path(dir.path(), "acme"), b"{not json").unwrap();
        assert!(load_dismissed(dir.path(), "acme").is_empty());
    }
}
