//! Drafts of open forms on disk, so a crash or a kill loses nothing typed.
//!
//! One JSON file per form in `<data dir>/drafts/`, written atomically (temporary file, then
//! rename) with permissions 0600: drafts hold customer data.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::domain::{Draft, FormTarget};

pub fn drafts_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("drafts")
}

fn file_of(data_dir: &Path, target: &FormTarget) -> PathBuf {
    drafts_dir(data_dir).join(format!("{}.json", target.draft_name()))
}

/// Writes (or replaces) the draft of one form.
pub fn save(data_dir: &Path, draft: &Draft) -> io::Result<PathBuf> {
    let path = file_of(data_dir, &draft.target);
    let json = serde_json::to_vec_pretty(draft).map_err(io::Error::other)?;
    crate::files::write_private(&path, &json)?;
    Ok(path)
}

/// Removes the draft of a form that was saved or deliberately discarded.
pub fn remove(data_dir: &Path, target: &FormTarget) -> io::Result<()> {
    match fs::remove_file(file_of(data_dir, target)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Every readable draft, oldest file name first. Unreadable or foreign files are skipped (and
/// left in place, so nothing is lost by an upgrade that cannot read an older draft).
pub fn load_all(data_dir: &Path) -> Vec<Draft> {
    let Ok(entries) = fs::read_dir(drafts_dir(data_dir)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| fs::read(p).ok())
        .filter_map(|b| serde_json::from_slice(&b).ok())
        .collect()
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
}
