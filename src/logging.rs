//! Logging to a file in the data directory (never to the terminal).
//!
//! Every log line passes through [`scrub`] before it reaches the file: the API keys registered
//! with [`redact_secret`] (the config resolution registers every key it finds), any
//! `Bearer ...`/`Authorization: ...` value and any `api_key=...` become `[redacted]`, and control,
//! bidi and zero-width characters are escaped (`\u{1b}`), so a hostile customer name can neither
//! forge log lines nor send escape sequences to the terminal of whoever reads the log.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// File name of the log in the data directory.
pub const LOG_FILE: &str = "syncro-tui.log";

/// A log larger than this at start is moved to `syncro-tui.log.old`.
const ROTATE_BYTES: u64 = 5 * 1024 * 1024;

static SECRETS: RwLock<Vec<SecretString>> = RwLock::new(Vec::new());
static ACTIVE_PATH: OnceLock<PathBuf> = OnceLock::new();

/// Text replaced for a secret.
pub const REDACTED: &str = "[redacted]";

/// Shortest secret [`redact_secret`] registers: a shorter one would match ordinary words and
/// mangle log lines. The config refuses shorter API keys as invalid
/// ([`crate::config::check_api_key`]), so a key in use is always registered.
pub const MIN_SECRET_LEN: usize = 8;

/// Registers a secret (an API key) to be replaced by `[redacted]` in every log line and in
/// everything passed through [`scrub`], wherever it appears as a token (see
/// [`redact_token`]). Secrets shorter than [`MIN_SECRET_LEN`] characters are ignored.
pub fn redact_secret(secret: &SecretString) {
    if secret.expose_secret().chars().count() < MIN_SECRET_LEN {
        return;
    }
    let mut list = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !list
        .iter()
        .any(|s| s.expose_secret() == secret.expose_secret())
    {
        list.push(secret.clone());
    }
}

/// Keeps the log file open; dropping it flushes. Hold it until the app exits.
#[must_use = "logging stops being flushed when the guard is dropped"]
pub struct LogGuard {
    file: Arc<Mutex<File>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.flush();
        }
    }
}

/// Path of the log in `data_dir`.
pub fn log_path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(LOG_FILE)
}

/// The log file in use (after [`init`]), else where it would be in the standard data directory.
/// For the help overlay.
pub fn log_path() -> PathBuf {
    ACTIVE_PATH
        .get()
        .cloned()
        .unwrap_or_else(|| log_path_in(&crate::config::data_dir()))
}

/// The filter: `RUST_LOG` when set and valid, else `level` (`--log-level`, then the config's
/// `log_level`), else `info`.
pub fn filter(level: Option<&str>, rust_log: Option<&str>) -> anyhow::Result<EnvFilter> {
    if let Some(r) = rust_log.filter(|r| !r.trim().is_empty())
        && let Ok(f) = EnvFilter::try_new(r)
    {
        return Ok(f);
    }
    let level = level.filter(|l| !l.trim().is_empty()).unwrap_or("info");
    EnvFilter::try_new(level).map_err(|e| {
        anyhow::anyhow!(
            "invalid log level `{}`: {e} (use error, warn, info, debug or trace)",
            escape_untrusted(level)
        )
    })
}

/// Opens (creating, mode 0600) the log file for appending; a log over 5 MiB is rotated first.
pub fn open_log_file(path: &Path) -> anyhow::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)
            .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_BYTES) {
        let _ = std::fs::rename(path, path.with_extension("log.old"));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))
}

/// A subscriber writing scrubbed, uncoloured lines to `file`. [`init`] installs one globally;
/// tests use it with `tracing::subscriber::with_default`.
pub fn file_subscriber(
    filter: EnvFilter,
    file: File,
) -> (impl tracing::Subscriber + Send + Sync + 'static, LogGuard) {
    let file = Arc::new(Mutex::new(file));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_target(true)
        .with_writer(ScrubbingWriter { file: file.clone() })
        .finish();
    (subscriber, LogGuard { file })
}

/// Starts logging to `syncro-tui.log` in `data_dir`. `level` is `--log-level` (or the config's
/// `log_level`); `RUST_LOG` wins over it. Returns the log path (for the help overlay) and a guard
/// to hold until exit. Call once, before the terminal is set up; a second call fails.
pub fn init(level: Option<&str>, data_dir: &Path) -> anyhow::Result<(PathBuf, LogGuard)> {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = filter(level, rust_log.as_deref())?;
    let path = log_path_in(data_dir);
    let file = open_log_file(&path)?;
    let (subscriber, guard) = file_subscriber(filter, file);
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| anyhow::anyhow!("logging is already set up: {e}"))?;
    let _ = ACTIVE_PATH.set(path.clone());
    if rust_log
        .as_deref()
        .is_some_and(|r| EnvFilter::try_new(r).is_err())
    {
        tracing::warn!("RUST_LOG is not a valid filter; using the log level instead");
    }
    Ok((path, guard))
}

/// Writes each event as one scrubbed line (the formatter hands one event per writer).
struct ScrubbingWriter {
    file: Arc<Mutex<File>>,
}

impl<'a> MakeWriter<'a> for ScrubbingWriter {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter {
            file: self.file.clone(),
            buf: Vec::with_capacity(256),
        }
    }
}

/// Collects one event's text and writes it, scrubbed, when dropped: a secret split across
/// several `write` calls is still seen whole.
struct EventWriter {
    file: Arc<Mutex<File>>,
    buf: Vec<u8>,
}

impl Write for EventWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.buf);
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let mut line = scrub(body);
        line.push('\n');
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// Redacts secrets (registered keys, bearer tokens, authorization values, `api_key=`) and
/// escapes hostile characters: the one filter for log lines and for server text printed on the
/// terminal (`config check`).
pub fn scrub(text: &str) -> String {
    escape_untrusted(&redact(text))
}

/// Replaces registered secrets and credential-looking values with `[redacted]`.
pub fn redact(text: &str) -> String {
    let mut out = if text.contains('@') && text.contains("://") {
        redact_url_credentials(text)
    } else {
        text.to_string()
    };
    {
        let list = SECRETS.read().unwrap_or_else(|e| e.into_inner());
        for s in list.iter() {
            if let std::borrow::Cow::Owned(o) = redact_token(&out, s.expose_secret()) {
                out = o;
            }
        }
    }
    for marker in [
        "authorization",
        "bearer",
        "api_key",
        "api-key",
        "apikey",
        "token",
    ] {
        out = redact_after(&out, marker);
    }
    out
}

/// Every `scheme://user:password@host` in `text` with the credentials replaced
/// (`scheme://user:***@host`): a URL typed with a password must not show it anywhere.
pub fn redact_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '`' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                let user = authority[..at].split(':').next().unwrap_or("");
                out.push_str(user);
                out.push_str(":***@");
                out.push_str(&authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Letters, digits, `-` and `_`: what a key is made of, and what continues a word around it.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `text` with every occurrence of `secret` that stands as a token replaced by `[redacted]`:
/// not preceded or followed by a letter, digit, `-` or `_` that would make it part of a longer
/// word. So the key `s3cret-key-1` is redacted in `Bearer s3cret-key-1,` but the text
/// `xs3cret-key-12` is left alone, and no ordinary word is ever mangled. Empty secrets match
/// nothing.
pub fn redact_token<'a>(text: &'a str, secret: &str) -> std::borrow::Cow<'a, str> {
    match redact_token_bytes(text.as_bytes(), secret.as_bytes()) {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(text),
        // Whole UTF-8 sequences were replaced by ASCII: still UTF-8.
        std::borrow::Cow::Owned(b) => std::borrow::Cow::Owned(
            String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()),
        ),
    }
}

/// [`redact_token`] over bytes (an answer body that may not be UTF-8).
pub fn redact_token_bytes<'a>(body: &'a [u8], secret: &[u8]) -> std::borrow::Cow<'a, [u8]> {
    if secret.is_empty() || body.len() < secret.len() {
        return body.into();
    }
    let first = secret[0];
    let (lead, trail) = (
        is_token_byte(secret[0]),
        is_token_byte(secret[secret.len() - 1]),
    );
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i + secret.len() <= body.len() {
        let Some(off) = memchr::memchr(first, &body[i..=body.len() - secret.len()]) else {
            break;
        };
        let at = i + off;
        let end = at + secret.len();
        let bounded = (!lead || at == 0 || !is_token_byte(body[at - 1]))
            && (!trail || end == body.len() || !is_token_byte(body[end]));
        if bounded && &body[at..end] == secret {
            let o = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
            o.extend_from_slice(&body[copied..at]);
            o.extend_from_slice(REDACTED.as_bytes());
            copied = end;
            i = end;
        } else {
            i = at + 1;
        }
    }
    match out {
        None => body.into(),
        Some(mut o) => {
            o.extend_from_slice(&body[copied..]);
            o.into()
        }
    }
}

/// Redacts the value that follows `marker` (case-insensitive): after separators (`:`, `=`,
/// quotes, spaces) and an optional scheme word (`Bearer`, `Basic`, `Token`), up to the next
/// whitespace, quote, comma, `&` or `;`.
fn redact_after(text: &str, marker: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(marker) {
        let start = pos + found;
        let mut i = start + marker.len();
        // Part of a longer word (`tokens`, `bearerish`): not a credential.
        if text[i..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            out.push_str(&text[pos..i]);
            pos = i;
            continue;
        }
        let sep = |c: char| matches!(c, ':' | '=' | '"' | '\'' | ' ' | '\t');
        let skip = |i: &mut usize| {
            while let Some(c) = text[*i..].chars().next().filter(|c| sep(*c)) {
                *i += c.len_utf8();
            }
        };
        let before_sep = i;
        skip(&mut i);
        // `Bearer xyz` needs only a space; `token: xyz`, `api_key=xyz` need `:` or `=`, so
        // prose such as "token bucket" is left alone.
        let assigned = text[before_sep..i].contains([':', '=']);
        if i == before_sep || (marker != "bearer" && !assigned) {
            out.push_str(&text[pos..i]);
            pos = i;
            continue;
        }
        for scheme in ["bearer", "basic", "token"] {
            if lower[i..].starts_with(scheme) && text[i + scheme.len()..].starts_with([' ', '\t']) {
                i += scheme.len();
                skip(&mut i);
                break;
            }
        }
        let end = text[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '&' | ';'))
            .map_or(text.len(), |e| i + e);
        out.push_str(&text[pos..i]);
        if end > i {
            out.push_str(REDACTED);
        }
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Escapes control characters (`\n`, `\r`, `\t`, `\u{1b}`), bidi controls and zero-width
/// characters, so untrusted text stays on one line and cannot drive a terminal.
pub fn escape_untrusted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_format(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Bidi overrides/isolates and zero-width characters: invisible, and able to reorder text.
fn is_invisible_format(c: char) -> bool {
    crate::sanitize::is_invisible(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_authorization_values_are_redacted() {
        let r = redact("headers: {\"authorization\": \"Bearer abc.DEF-123\"} next");
        assert_eq!(
            r,
            "headers: {\"authorization\": \"Bearer [redacted]\"} next"
        );
        assert_eq!(
            redact("Authorization: Basic Zm9v"),
            "Authorization: Basic [redacted]"
        );
        assert_eq!(redact("bearer  tok_1, other"), "bearer  [redacted], other");
        assert_eq!(
            redact("GET /x?api_key=s3cret&page=2"),
            "GET /x?api_key=[redacted]&page=2"
        );
        assert_eq!(redact("tokens refreshed"), "tokens refreshed");
        assert_eq!(redact("the bearer"), "the bearer");
        assert_eq!(redact("token bucket refilled"), "token bucket refilled");
        assert_eq!(
            redact("x-auth-token: abc def"),
            "x-auth-token: [redacted] def"
        );
    }

    #[test]
    fn registered_secrets_are_redacted_as_tokens() {
        redact_secret(&SecretString::from("zz-unit-secret-42".to_string()));
        assert_eq!(redact("x=zz-unit-secret-42."), "x=[redacted].");
        assert_eq!(redact("(zz-unit-secret-42)"), "([redacted])");
        // Part of a longer word: another value, left alone.
        assert_eq!(redact("x=zz-unit-secret-42y"), "x=zz-unit-secret-42y");
        assert_eq!(redact("azz-unit-secret-42"), "azz-unit-secret-42");
        // A short secret is never registered: it would mangle ordinary words.
        redact_secret(&SecretString::from("demo".to_string()));
        assert_eq!(redact("demonstration of a demo"), "demonstration of a demo");
    }

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            redact_url_credentials(
                "see https://me:hunter2@acme.example/api/v1 and http://x.example"
            ),
            "see https://me:***@acme.example/api/v1 and http://x.example"
        );
        assert_eq!(redact("GET `https://a:b@h/p`"), "GET `https://a:***@h/p`");
        assert_eq!(
            redact_url_credentials("no url here: a@b"),
            "no url here: a@b"
        );
    }

    #[test]
    fn token_redaction_never_mangles_other_text() {
        let key = "Tk3y_0123456789";
        assert_eq!(redact_token("a Tk3y_0123456789 b", key), "a [redacted] b");
        assert_eq!(
            redact_token("Tk3y_0123456789Tk3y_0123456789", key),
            "Tk3y_0123456789Tk3y_0123456789"
        );
        assert_eq!(
            redact_token("é:Tk3y_0123456789\nnext Tk3y_0123456789", key),
            "é:[redacted]\nnext [redacted]"
        );
        assert_eq!(redact_token("nothing here", key), "nothing here");
        assert_eq!(redact_token("anything", ""), "anything");
        // A key whose edges are not word characters matches wherever it appears.
        assert_eq!(redact_token("x=abc=def=y", "=abc="), "x[redacted]def=y");
        assert_eq!(
            &*redact_token_bytes(b"\xff Tk3y_0123456789 \xfe", key.as_bytes()),
            b"\xff [redacted] \xfe"
        );
    }

    #[test]
    fn control_bidi_and_zero_width_are_escaped() {
        assert_eq!(
            escape_untrusted("a\u{1b}[31mb\nc\u{202e}d\u{200b}e\u{7f}"),
            "a\\u{1b}[31mb\\nc\\u{202e}d\\u{200b}e\\u{7f}"
        );
        assert_eq!(escape_untrusted("Zoë 山田 🙂"), "Zoë 山田 🙂");
    }

    #[test]
    fn rust_log_wins_over_the_level() {
        let f = filter(Some("warn"), Some("debug")).unwrap();
        assert_eq!(f.to_string(), "debug");
        let f = filter(Some("warn"), None).unwrap();
        assert_eq!(f.to_string(), "warn");
        let f = filter(None, Some("not a [valid filter")).unwrap();
        assert_eq!(f.to_string(), "info");
        assert!(filter(Some("loud[ly"), None).is_err());
    }
}
