//! Small files the app keeps in its data directory (drafts, flow journals, dismissed audit
//! groups, the demo server's state): each written whole or not at all, in directories only the
//! user can enter (0700), and locks that tell a live instance of the app from a dead one.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates `dir` and any missing parents with mode 0700 (on unix): every directory the app
/// creates holds customer data or lies on the way to it. An existing directory is left as it
/// is (it may be the user's own, like an export directory); see [`secure_dir`] for the app's.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// The app's own directory (the data directory): created 0700 when missing, and made 0700
/// when it exists with access for the group or others (as older versions created it).
pub fn secure_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir)?;
        if meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Whether the process `pid` is running (on unix; elsewhere every process counts as running,
/// so nothing of another instance is ever taken for a leftover).
pub fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        // `kill(pid, 0)`: ESRCH means no such process; EPERM means one we may not signal.
        !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        )
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The process id in the name of a temporary file of [`write_private`] (`.NAME.PID-N.tmp`).
fn temp_pid(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".tmp")?;
    let (left, counter) = stem.rsplit_once('-')?;
    counter.parse::<u64>().ok()?;
    let (_, pid) = left.rsplit_once('.')?;
    pid.parse().ok()
}

/// Removes the temporary files in `dir` that [`write_private`] left behind when its process
/// was killed in the middle of a write: those whose process is no longer running (or is this
/// process, at its start, before it wrote anything: a pid reused). Returns how many went.
pub fn remove_dead_temps(dir: &Path) -> usize {
    remove_temps_where(dir, |pid| pid != std::process::id() && !process_alive(pid))
}

/// [`remove_dead_temps`] for a caller that knows no write of its own is running in `dir`:
/// temporary files of this process count as leftovers too.
pub fn remove_dead_temps_at_start(dir: &Path) -> usize {
    remove_temps_where(dir, |pid| pid == std::process::id() || !process_alive(pid))
}

fn remove_temps_where(dir: &Path, dead: impl Fn(u32) -> bool) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with('.') {
            continue;
        }
        if let Some(pid) = temp_pid(&name)
            && dead(pid)
            && fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// An exclusive advisory lock (`flock`) on a file, held until dropped (or the process ends,
/// however it ends).
#[derive(Debug)]
pub struct FileLock {
    _file: fs::File,
}

fn open_lock_file(path: &Path) -> io::Result<fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

impl FileLock {
    /// Waits for the lock on `path` (created 0600 when missing). Call off the async threads.
    pub fn acquire(path: &Path) -> io::Result<FileLock> {
        let file = open_lock_file(path)?;
        #[cfg(unix)]
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
        Ok(FileLock { _file: file })
    }

    /// The lock on `path` if nobody holds it, else `None`.
    pub fn try_acquire(path: &Path) -> io::Result<Option<FileLock>> {
        let file = open_lock_file(path)?;
        #[cfg(unix)]
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        Ok(Some(FileLock { _file: file }))
    }

    /// Locks a new file at `path` so that it is never seen unlocked: created and locked under
    /// a temporary name, then renamed into place (the lock stays with the file).
    pub fn create_locked(path: &Path) -> io::Result<FileLock> {
        let temp = path.with_extension(format!("{}-new", std::process::id()));
        let lock = FileLock::acquire(&temp)?;
        fs::rename(&temp, path).inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })?;
        Ok(lock)
    }
}

/// Writes `bytes` to `path` crash-safely: a temporary file beside it (mode 0600, since these
/// files hold customer data), fsync, then a rename over the old file, itself made durable when
/// the platform allows. The parent directory is created when missing. On failure the temporary
/// file is removed and the old file stays as it was. Temporary names start with
/// [`temp_prefix`] and end in `.tmp`, so readers that list `*.json` never see a torn write.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;
    let temp = dir.join(format!(
        "{}{}-{}.tmp",
        temp_prefix(path),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> io::Result<()> {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&temp, path)
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })?;
    // Make the rename itself durable; not every platform can open a directory, so best effort.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// How the names of [`write_private`]'s temporary files for `path` start (`.NAME.`): what a
/// clean-up of leftovers from killed writes looks for.
pub fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    format!(".{name}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn created_directories_are_private_and_the_data_dir_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a").join("b");
        write_private(&deep.join("f.json"), b"x").unwrap();
        for d in [dir.path().join("a"), deep.clone()] {
            let mode = fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{d:?}");
        }
        let old = dir.path().join("old");
        fs::create_dir(&old).unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o755)).unwrap();
        secure_dir(&old).unwrap();
        assert_eq!(
            fs::metadata(&old).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A child that has exited: its pid is free.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let mine = std::process::id();
        let names = [
            format!(".mirror-a.bin.{dead}-0.tmp"),
            format!(".mirror-a.bin.{mine}-3.tmp"),
            ".x.json.1-2.tmp".to_string(),
            "keep.json".to_string(),
            ".not-a-temp".to_string(),
        ];
        for n in &names {
            fs::write(dir.path().join(n), b"torn").unwrap();
        }
        // pid 1 always runs; ours runs; the dead one's file goes.
        assert_eq!(remove_dead_temps(dir.path()), 1);
        assert!(!dir.path().join(&names[0]).exists());
        assert!(dir.path().join(&names[1]).exists());
        // At start, this process has no write in flight: its own leftovers (a reused pid) go.
        assert_eq!(remove_dead_temps_at_start(dir.path()), 1);
        assert!(dir.path().join(&names[2]).exists());
        assert!(dir.path().join(&names[3]).exists());
        assert!(dir.path().join(&names[4]).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_held_lock_is_seen_and_freed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("owners").join("me.lock");
        let held = FileLock::create_locked(&path).unwrap();
        assert!(FileLock::try_acquire(&path).unwrap().is_none());
        drop(held);
        assert!(FileLock::try_acquire(&path).unwrap().is_some());
    }

    #[test]
    fn writes_whole_files_private_and_replaces_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("a.json");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing but the file itself is left behind.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_private(&path, b"old").unwrap();
        // A directory where the file should go: the rename fails.
        let blocked = dir.path().join("b.json");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("x"), b"x").unwrap();
        assert!(write_private(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let temps = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(temps, 0);
    }
}
