//! Drafts of open forms on disk, so a crash or a kill loses nothing typed.
//!
//! One JSON file per form in `<data dir>/drafts/`, written atomically (temporary file, then
//! rename) with permissions 0600: drafts hold customer data.
//!
//! # Two instances on one profile
//! A draft belongs to the instance that wrote it. Each running instance has an owner id (its
//! process id and a random tag) and holds a lock (`flock`) on `drafts/owners/<owner>.lock` for
//! as long as it runs; the lock ends with the process, however it ends (kill -9 included). A
//! draft file is named `<form>~<owner>.json`. An instance offers, and deletes, only its own
//! drafts and orphans: drafts whose owner's lock is free (the instance is gone) and drafts
//! written by older versions without an owner. A draft of another instance that is still
//! running is never offered, never replaced and never deleted, even when both have the same
//! form open (say, both are creating a new customer): each writes its own file.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::domain::{Draft, FormTarget};
use crate::files::FileLock;

pub fn drafts_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("drafts")
}

fn owners_dir(data_dir: &Path) -> PathBuf {
    drafts_dir(data_dir).join("owners")
}

/// Separates a draft's form from its owner in the file name.
const OWNER_MARK: char = '~';

/// The drafts of one running instance in one data directory.
#[derive(Debug)]
pub struct DraftStore {
    data_dir: PathBuf,
    owner: String,
    /// Held for the store's life: other instances see this owner as running.
    _lock: Option<FileLock>,
}

impl DraftStore {
    /// A store with a fresh owner id, its lock taken. When the lock cannot be taken (a
    /// read-only or odd file system), the store still works, but other instances will take its
    /// drafts for orphans.
    pub fn open(data_dir: &Path) -> DraftStore {
        let owner = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        let lock = FileLock::create_locked(&owners_dir(data_dir).join(format!("{owner}.lock")))
            .inspect_err(|e| tracing::warn!("drafts: cannot lock this instance's drafts: {e}"))
            .ok();
        DraftStore {
            data_dir: data_dir.to_path_buf(),
            owner,
            _lock: lock,
        }
    }

    /// The store this process uses for `data_dir` (one owner per process and directory).
    pub fn for_process(data_dir: &Path) -> Arc<DraftStore> {
        static STORES: OnceLock<Mutex<HashMap<PathBuf, Arc<DraftStore>>>> = OnceLock::new();
        let mut stores = STORES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        stores
            .entry(data_dir.to_path_buf())
            .or_insert_with(|| Arc::new(DraftStore::open(data_dir)))
            .clone()
    }

    /// This instance's owner id (in its draft file names).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn own_file(&self, target: &FormTarget) -> PathBuf {
        drafts_dir(&self.data_dir).join(format!(
            "{}{OWNER_MARK}{}.json",
            target.draft_name(),
            self.owner
        ))
    }

    /// Writes (or replaces) this instance's draft of one form.
    pub fn save(&self, draft: &Draft) -> io::Result<PathBuf> {
        let path = self.own_file(&draft.target);
        let json = serde_json::to_vec_pretty(draft).map_err(io::Error::other)?;
        crate::files::write_private(&path, &json)?;
        Ok(path)
    }

    /// Removes the draft of a form that was saved or deliberately discarded: this instance's,
    /// and orphans of the same form (they were offered and dealt with). Drafts of other
    /// running instances stay.
    pub fn remove(&self, target: &FormTarget) -> io::Result<()> {
        let name = target.draft_name();
        let mut result = Ok(());
        for (path, file) in self.files() {
            if file.form != name || !self.is_mine_or_orphan(&file) {
                continue;
            }
            match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => result = Err(e),
                _ => {}
            }
        }
        result
    }

    /// This instance's drafts and the orphans (see the module docs), oldest file name first.
    /// Unreadable or foreign files are skipped (and left in place, so nothing is lost by an
    /// upgrade that cannot read an older draft). Leftovers of killed writes are removed.
    pub fn load_all(&self) -> Vec<Draft> {
        crate::files::remove_dead_temps(&drafts_dir(&self.data_dir));
        let mut alive: HashMap<String, bool> = HashMap::new();
        let mut files: Vec<(PathBuf, DraftFile)> = self
            .files()
            .into_iter()
            .filter(|(_, f)| match &f.owner {
                None => true,
                Some(o) if *o == self.owner => true,
                Some(o) => !*alive
                    .entry(o.clone())
                    .or_insert_with(|| owner_alive(&self.data_dir, o)),
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
            .iter()
            .filter_map(|(p, _)| fs::read(p).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect()
    }

    fn is_mine_or_orphan(&self, f: &DraftFile) -> bool {
        match &f.owner {
            None => true,
            Some(o) if *o == self.owner => true,
            Some(o) => !owner_alive(&self.data_dir, o),
        }
    }

    /// Every `*.json` draft file with its parsed name.
    fn files(&self) -> Vec<(PathBuf, DraftFile)> {
        let Ok(entries) = fs::read_dir(drafts_dir(&self.data_dir)) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter_map(|p| {
                let stem = p.file_name()?.to_str()?.strip_suffix(".json")?.to_string();
                if stem.starts_with('.') {
                    return None;
                }
                let file = match stem.split_once(OWNER_MARK) {
                    Some((form, owner)) => DraftFile {
                        form: form.to_string(),
                        owner: Some(owner.to_string()),
                    },
                    None => DraftFile {
                        form: stem,
                        owner: None,
                    },
                };
                Some((p, file))
            })
            .collect()
    }
}

/// A draft file's name: the form, and the instance that wrote it (`None`: an older version).
struct DraftFile {
    form: String,
    owner: Option<String>,
}

/// Whether the instance `owner` still runs: its lock is held. A lock found free belonged to an
/// instance that is gone; its lock file is removed.
fn owner_alive(data_dir: &Path, owner: &str) -> bool {
    if owner.contains(['/', '\\']) || owner.starts_with('.') {
        return false;
    }
    let path = owners_dir(data_dir).join(format!("{owner}.lock"));
    if !path.exists() {
        return false;
    }
    match FileLock::try_acquire(&path) {
        Ok(None) => true,
        Ok(Some(lock)) => {
            let _ = fs::remove_file(&path);
            drop(lock);
            false
        }
        // Cannot tell: keep its drafts out of reach rather than take them.
        Err(_) => true,
    }
}

/// Writes (or replaces) this process's draft of one form (see [`DraftStore::save`]).
pub fn save(data_dir: &Path, draft: &Draft) -> io::Result<PathBuf> {
    DraftStore::for_process(data_dir).save(draft)
}

/// Removes this process's draft of a form and its orphans (see [`DraftStore::remove`]).
pub fn remove(data_dir: &Path, target: &FormTarget) -> io::Result<()> {
    DraftStore::for_process(data_dir).remove(target)
}

/// This process's drafts and the orphans (see [`DraftStore::load_all`]).
pub fn load_all(data_dir: &Path) -> Vec<Draft> {
    DraftStore::for_process(data_dir).load_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::form::Form;

    #[test]
    fn save_load_remove() {
        let dir = tempfile::tempdir().unwrap();
        let mut form = Form::new_contact(42);
        form.fields[0].set_value("Zoë 李".into());
        let path = save(dir.path(), &form.to_draft()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A torn temporary file from a killed write is ignored.
        fs::write(drafts_dir(dir.path()).join("x.json.tmp"), b"{\"tar").unwrap();
        fs::write(drafts_dir(dir.path()).join("bad.json"), b"not json").unwrap();
        let all = load_all(dir.path());
        assert_eq!(all.len(), 1);
        assert_eq!(Form::from_draft(&all[0]).fields[0].value(), "Zoë 李");
        remove(dir.path(), &form.target).unwrap();
        remove(dir.path(), &form.target).unwrap();
        assert!(load_all(dir.path()).is_empty());
    }

    /// Two instances on one data directory, both with a new-customer form open: each keeps
    /// its own draft; neither offers nor deletes the other's while it runs; once one is gone,
    /// its draft is an orphan the other offers (and may remove).
    #[test]
    fn a_live_instances_drafts_are_never_offered_or_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let a = DraftStore::open(dir.path());
        let b = DraftStore::open(dir.path());
        let draft = |text: &str| {
            let mut f = Form::new_customer("Customer Type");
            f.fields[0].set_value(text.into());
            f.to_draft()
        };
        a.save(&draft("typed in A")).unwrap();
        b.save(&draft("typed in B")).unwrap();
        let value = |d: &Draft| Form::from_draft(d).fields[0].value().to_string();
        let of = |s: &DraftStore| s.load_all().iter().map(value).collect::<Vec<_>>();
        assert_eq!(of(&a), vec!["typed in A"]);
        assert_eq!(of(&b), vec!["typed in B"]);
        // B saves its form: only B's draft goes.
        b.remove(&FormTarget::NewCustomer).unwrap();
        assert_eq!(of(&a), vec!["typed in A"]);
        assert!(of(&b).is_empty());
        b.save(&draft("typed in B again")).unwrap();
        // A quits (or is killed): its draft is an orphan, offered to B next time it looks.
        drop(a);
        let mut seen = of(&b);
        seen.sort();
        assert_eq!(seen, vec!["typed in A", "typed in B again"]);
        // A draft of an older version (no owner in the name) is an orphan too.
        let legacy = serde_json::to_vec(&draft("from an old version")).unwrap();
        fs::write(drafts_dir(dir.path()).join("customer-7.json"), legacy).unwrap();
        assert_eq!(of(&b).len(), 3);
        b.remove(&FormTarget::NewCustomer).unwrap();
        assert_eq!(of(&b), vec!["from an old version"]);
    }
}
