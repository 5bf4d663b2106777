//! Multi-step workflows over the API: client onboarding ([`onboard`]), customer and contact
//! merges ([`merge`], [`contact_merge`]), bulk edits ([`bulk`]) and the undo of what the change
//! log recorded ([`undo`]).
//!
//! Both are engines without a screen: data in, one step at a time, progress out. The UI runs
//! them on a worker task (`next_step` in a loop, or `execute`/`run` with a progress callback that
//! sends into a channel) and can stop between any two steps. Every step is recorded in a journal
//! file under `<data_dir>/flows/` before and after it runs, so a failure, a quit or a crash
//! leaves a run that resumes where it stopped and never repeats a create or loses a move.

pub mod bulk;
pub mod contact_merge;
pub mod merge;
pub mod onboard;
pub mod undo;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, SyncroClient};

/// What a flow needs from the outside world: the client, the read-only switch and where to keep
/// journals and logs.
#[derive(Debug, Clone)]
pub struct FlowEnv {
    pub client: SyncroClient,
    /// When set, every write is refused with [`FlowError::ReadOnly`] before anything is sent.
    pub read_only: bool,
    /// The app's data directory ([`crate::config::data_dir`] in the app, a temporary one in
    /// tests): journals go to `flows/` below it, the merge log beside it.
    pub data_dir: PathBuf,
    /// The profile's change log, where a flow appends what it creates (the onboarding).
    pub change_log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
}

impl FlowEnv {
    pub fn new(client: SyncroClient, read_only: bool, data_dir: impl Into<PathBuf>) -> Self {
        FlowEnv {
            client,
            read_only,
            data_dir: data_dir.into(),
            change_log: None,
        }
    }

    /// Appends what the flow writes to `log`.
    pub fn with_change_log(
        mut self,
        log: Option<std::sync::Arc<crate::changelog::ChangeLog>>,
    ) -> Self {
        self.change_log = log;
        self
    }

    /// Appends one write to the change log, if there is one; a failure is logged, not fatal
    /// (the write happened).
    pub fn log(&self, entry: crate::changelog::Entry) {
        if let Some(log) = &self.change_log
            && let Err(e) = log.append(&entry.with_server(self.client.base_url()))
        {
            tracing::warn!("could not append to the change log: {e}");
        }
    }

    fn check_writable(&self, what: &str) -> Result<(), FlowError> {
        if self.read_only {
            Err(FlowError::ReadOnly {
                what: what.to_string(),
            })
        } else {
            Ok(())
        }
    }
}

/// Where journals of unfinished runs live.
pub fn journal_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("flows")
}

/// Why a flow stopped.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("{} ({what} was refused.)", crate::domain::READ_ONLY)]
    ReadOnly { what: String },

    /// One step failed; the run recorded it and resumes at this step.
    #[error("Step {number} of {total} ({step}) failed: {source}")]
    Step {
        /// 1-based.
        number: usize,
        total: usize,
        step: String,
        #[source]
        source: ApiError,
    },

    /// The re-read before deleting the duplicate found records still attached to it. Steps to
    /// move them were added; run again to move them and verify again.
    #[error(
        "Not deleting the duplicate: {0} still attached to it. Steps to move them were added; run the merge again."
    )]
    LeftOver(String),

    /// A request outside any step (the plan, a look-up) failed.
    #[error(transparent)]
    Api(#[from] ApiError),

    /// The input cannot be run as it is (same customer twice, no e-mail on the primary contact).
    #[error("{0}")]
    Invalid(String),

    #[error("Cannot write the journal {}: {source}. Nothing more was sent.", path.display())]
    Journal {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Now, as RFC 3339 UTC with milliseconds (journal and log timestamps).
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Writes `value` as pretty JSON to `path` atomically (temporary file, then rename), 0600:
/// journals hold customer data.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), FlowError> {
    let err = |source| FlowError::Journal {
        path: path.to_path_buf(),
        source,
    };
    let json = serde_json::to_vec_pretty(value)
        .map_err(io::Error::other)
        .map_err(err)?;
    crate::files::write_private(path, &json).map_err(err)
}

/// Reads a journal; a missing file is `Ok(None)`, an unreadable one an error.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, FlowError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FlowError::Journal {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| FlowError::Journal {
            path: path.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidData, e),
        })
}

/// Every journal in `dir` whose name starts with `prefix`, oldest name first; unreadable files
/// are skipped (a half-written temporary file, another version's format).
fn read_all<T: DeserializeOwned>(dir: &Path, prefix: &str) -> Vec<T> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| read_json(p).ok().flatten())
        .collect()
}

fn remove_file(path: &Path) -> Result<(), FlowError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(FlowError::Journal {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Appends one JSON line to an append-only log (0600).
fn append_line<T: Serialize>(path: &Path, entry: &T) -> Result<(), FlowError> {
    let write = || -> io::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut opts = fs::OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(path)?;
        f.write_all(&line)?;
        f.sync_data()
    };
    write().map_err(|source| FlowError::Journal {
        path: path.to_path_buf(),
        source,
    })
}

/// A short printable form of an API error for journals and progress lines.
fn error_text(e: &ApiError) -> String {
    e.to_string()
}

/// An e-mail for comparison: trimmed, lowercased; `None` when empty.
fn email_key(s: Option<&str>) -> Option<String> {
    s.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
}
