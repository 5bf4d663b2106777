//! Settings (TOML at confy's standard path), profiles and API-key resolution.
//!
//! [`resolve`] turns the command line, the environment and the config file into the one server
//! and key the app talks to. The key is held as a [`SecretString`]: it is never printed, logged
//! (it is registered with [`crate::logging::redact_secret`] as soon as it is found) or written to
//! the config file by the app.
//!
//! Loading never modifies an existing file. A file that does not parse is an error naming the
//! file, the line and the key; unknown keys are accepted and reported as warnings.

mod check;
pub mod colors;
pub mod house;
pub mod keys;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use ratatui::style::Color;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

use crate::api::ClientConfig;
use crate::cli::RunArgs;

pub use check::{CheckReport, check};
pub use colors::parse_color;
pub use keys::{KeyBinding, KeyParseError, parse_key};

/// Whether to write hyperlinks: the config's `hyperlinks` when set, else on unless `TERM`
/// names a terminal that prints unknown escape sequences or has no use for them (`dumb`, the
/// Linux console) or is unset. Terminals without OSC 8 ignore it (xterm, tmux before 3.4).
pub fn hyperlinks_on(setting: Option<bool>, term: Option<&str>) -> bool {
    setting.unwrap_or_else(|| {
        term.is_some_and(|t| !t.is_empty() && !matches!(t, "dumb" | "linux" | "vt100" | "vt220"))
    })
}

/// Name used for the config and data directories.
pub const APP_NAME: &str = "syncro-tui";

/// Environment variable holding the API key; it wins over every other key source.
pub const API_KEY_ENV: &str = "SYNCRO_API_KEY";

/// The annotated example config, also the source of the default file written on first start.
pub const EXAMPLE_CONFIG: &str = include_str!("../../config.example.toml");

/// The config file. Every field has a default, so older files keep working.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Profile used when `--profile` is not given.
    pub default_profile: Option<String>,
    /// Disable every write.
    pub read_only: bool,
    /// Mouse wheel scrolling and clicks.
    pub mouse: bool,
    /// E-mail addresses and phone numbers as terminal hyperlinks (OSC 8, `mailto:`/`tel:`);
    /// unset: on, except where `TERM` is `dumb` or `linux` (see [`hyperlinks_on`]).
    pub hyperlinks: Option<bool>,
    /// `dark` or `light`.
    pub theme: String,
    /// Custom property holding the customer type (Business, Government, Non-Profit).
    pub customer_type_property: String,
    /// What starts the title of a contact who left (see `roles`): `(left)` by default.
    pub retired_prefix: String,
    /// Requests per minute the client allows itself (Syncro's limit is 180 per IP).
    pub requests_per_minute: u32,
    /// Seconds to wait for a connection to the server.
    pub connect_timeout_secs: u64,
    /// Seconds to wait for the next bytes of an answer.
    pub read_timeout_secs: u64,
    /// Seconds one request may take in total.
    pub request_timeout_secs: u64,
    /// Seconds an `api_key_command` may run (it may wait for a passphrase prompt).
    pub key_command_timeout_secs: u64,
    /// Log level of the log file (`error`, `warn`, `info`, `debug`, `trace`, or a filter such
    /// as `syncro_tui=debug`). `--log-level` and `RUST_LOG` win over it.
    pub log_level: Option<String>,
    /// Directory for exports; the data directory's `exports/` when unset.
    pub export_dir: Option<PathBuf>,
    /// Prefix CSV cells that a spreadsheet would run as a formula with `'` (see `export`).
    pub csv_formula_guard: bool,
    /// `[house]`: the house style for company names and what a complete profile needs.
    /// Boxed: settings travel inside messages of the event loop, which stay small.
    #[serde(default)]
    pub house: Box<house::HouseSettings>,
    /// Keybinding overrides: mode -> action -> key (`[keys.normal] quit = "q"`).
    pub keys: BTreeMap<String, BTreeMap<String, KeySpec>>,
    /// Colour overrides: role -> colour (`[colors] accent = "#ff8800"`).
    pub colors: BTreeMap<String, String>,
    /// Syncro accounts by name.
    pub profiles: BTreeMap<String, Profile>,
    /// The file these settings were read from (not part of the file).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default_profile: None,
            read_only: false,
            mouse: false,
            hyperlinks: None,
            theme: "dark".into(),
            customer_type_property: "Customer Type".into(),
            retired_prefix: crate::roles::RETIRED_PREFIX.trim().into(),
            requests_per_minute: 180,
            connect_timeout_secs: 10,
            read_timeout_secs: 30,
            request_timeout_secs: 60,
            key_command_timeout_secs: 30,
            log_level: None,
            export_dir: None,
            csv_formula_guard: true,
            house: Box::default(),
            keys: BTreeMap::new(),
            colors: BTreeMap::new(),
            profiles: BTreeMap::new(),
            source: None,
        }
    }
}

/// One Syncro account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// NAME as in `https://NAME.syncromsp.com`.
    pub subdomain: Option<String>,
    /// Full API base URL (wins over `subdomain`), e.g. `https://acme.syncromsp.com/api/v1`.
    pub base_url: Option<String>,
    /// Command whose trimmed stdout is the API key (e.g. `pass show syncro`).
    pub api_key_command: Option<String>,
    /// Disable every write for this account.
    pub read_only: bool,
    /// The API key itself, if the user chose to put it in the file. Never written by the app.
    #[serde(skip_serializing, deserialize_with = "secret_opt")]
    pub api_key: Option<SecretString>,
}

fn secret_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(SecretString::from))
}

/// A keybinding value: one key string or several (`quit = ["q", "ctrl-c"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl KeySpec {
    /// The key strings as written.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            KeySpec::One(s) => vec![s.as_str()],
            KeySpec::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Parsed keybinding overrides: mode -> action -> keys.
pub type KeyOverrides = BTreeMap<String, BTreeMap<String, Vec<KeyBinding>>>;

impl Settings {
    /// The `[keys.MODE]` tables, parsed. Entries whose key strings do not parse are left out and
    /// reported in the returned warnings (`keys.normal.quit: unknown key name ...`). Mode and
    /// action names are passed through as written: the keymap knows which exist.
    pub fn key_overrides(&self) -> (KeyOverrides, Vec<String>) {
        let mut out = KeyOverrides::new();
        let mut warnings = Vec::new();
        for (mode, actions) in &self.keys {
            for (action, spec) in actions {
                match keys::parse_keys(spec.texts()) {
                    Ok(list) if !list.is_empty() => {
                        out.entry(mode.clone())
                            .or_default()
                            .insert(action.clone(), list);
                    }
                    Ok(_) => warnings.push(format!("keys.{mode}.{action}: no key given (ignored)")),
                    Err(e) => warnings.push(format!("keys.{mode}.{action}: {e} (ignored)")),
                }
            }
        }
        (out, warnings)
    }

    /// The `[colors]` table, parsed; unparseable entries are left out and reported.
    pub fn color_overrides(&self) -> (BTreeMap<String, Color>, Vec<String>) {
        let mut out = BTreeMap::new();
        let mut warnings = Vec::new();
        for (role, text) in &self.colors {
            match parse_color(text) {
                Ok(c) => {
                    out.insert(role.clone(), c);
                }
                Err(e) => warnings.push(format!("colors.{role}: {e} (ignored)")),
            }
        }
        (out, warnings)
    }

    /// Profile names, sorted (for the `:profile` completion).
    pub fn profile_names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    /// The export directory: `export_dir`, else `exports/` in the data directory.
    pub fn export_directory(&self) -> PathBuf {
        self.export_dir
            .clone()
            .unwrap_or_else(|| data_dir().join("exports"))
    }

    /// Problems in values that parsed but make no sense; shown as warnings.
    pub fn validate(&self) -> Vec<String> {
        let mut w = self.key_overrides().1;
        w.extend(self.color_overrides().1);
        if !["dark", "light"].contains(&self.theme.as_str()) {
            w.push(format!(
                "theme = \"{}\": unknown theme, using dark (choose dark or light)",
                self.theme
            ));
        }
        if let Some(d) = &self.default_profile
            && !self.profiles.contains_key(d)
        {
            w.push(format!(
                "default_profile = \"{d}\": there is no [profiles.{d}] (profiles: {})",
                list_or_none(&self.profile_names())
            ));
        }
        if self.requests_per_minute > 180 {
            w.push(format!(
                "requests_per_minute = {}: Syncro allows 180 a minute per IP; expect 429 answers",
                self.requests_per_minute
            ));
        }
        for (name, p) in &self.profiles {
            if p.subdomain.is_none() && p.base_url.is_none() {
                w.push(format!(
                    "profiles.{name}: set subdomain or base_url, or the profile cannot be used"
                ));
            }
        }
        w
    }

    /// Client settings (timeouts, limiter) for a server and key.
    pub fn client_config(&self, base_url: &str, api_key: SecretString) -> ClientConfig {
        let mut c = ClientConfig::new(base_url, api_key);
        c.requests_per_minute = self.requests_per_minute;
        c.connect_timeout = Duration::from_secs(self.connect_timeout_secs.max(1));
        c.read_timeout = Duration::from_secs(self.read_timeout_secs.max(1));
        c.total_timeout = Duration::from_secs(self.request_timeout_secs.max(1));
        c
    }
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Where the app will talk to.
#[derive(Debug, Clone)]
pub enum Target {
    /// The built-in demo server, started in-process on loopback.
    Demo,
    /// A Syncro (or compatible) server with a key.
    Live {
        base_url: String,
        api_key: SecretString,
    },
    /// A server is configured but no key was found: the app explains how to set one.
    MissingKey { base_url: String },
}

/// Where the API key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The `SYNCRO_API_KEY` environment variable.
    Env,
    /// The profile's `api_key_command`.
    Command,
    /// The OS keyring (cargo feature `keyring`).
    Keyring,
    /// `api_key` in the config file.
    ConfigFile,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeySource::Env => "the SYNCRO_API_KEY environment variable",
            KeySource::Command => "the profile's api_key_command",
            KeySource::Keyring => "the OS keyring",
            KeySource::ConfigFile => "api_key in the config file",
        })
    }
}

/// The outcome of [`resolve`]: which profile, which server, which key, and what to warn about.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Profile name (`demo` for the demo, `command line` for `--base-url`/`--subdomain` alone).
    pub profile: String,
    pub target: Target,
    /// Writes disabled (flag, config or profile).
    pub read_only: bool,
    pub config_path: PathBuf,
    pub settings: Settings,
    /// Where the key came from, when there is one.
    pub key_source: Option<KeySource>,
    /// Things the user should know (unknown config keys, a readable key file, ...): show them in
    /// the status line or the log.
    pub warnings: Vec<String>,
    /// `--read-only` was given: kept across `:profile` switches.
    pub cli_read_only: bool,
}

/// Profile name used for the demo.
pub const DEMO_PROFILE: &str = "demo";
/// Profile name used when the server comes from `--base-url`/`--subdomain` alone.
pub const CLI_PROFILE: &str = "command line";

impl Resolved {
    /// Client settings for a live target (`None` for the demo or a missing key).
    pub fn client_config(&self) -> Option<ClientConfig> {
        match &self.target {
            Target::Live { base_url, api_key } => {
                Some(self.settings.client_config(base_url, api_key.clone()))
            }
            _ => None,
        }
    }

    /// The server's base URL, if any (the demo's is only known once it runs).
    pub fn base_url(&self) -> Option<&str> {
        match &self.target {
            Target::Live { base_url, .. } | Target::MissingKey { base_url } => Some(base_url),
            Target::Demo => None,
        }
    }

    /// `:profile NAME`: the same settings, another profile; `--read-only` is kept. Runs the
    /// profile's `api_key_command`, so call it off the UI thread (`spawn_blocking`).
    pub fn switch_profile(&self, name: &str) -> anyhow::Result<Resolved> {
        let mut r = resolve_profile(&self.settings, name)?;
        r.cli_read_only = self.cli_read_only;
        r.read_only |= self.cli_read_only;
        Ok(r)
    }
}

/// Standard config file path (or the one given with `--config` / `SYNCRO_TUI_CONFIG`).
pub fn config_path(args: &RunArgs) -> PathBuf {
    if let Some(p) = &args.config {
        return p.clone();
    }
    confy::get_configuration_file_path(APP_NAME, "config")
        .unwrap_or_else(|_| PathBuf::from("syncro-tui.toml"))
}

/// Directory for logs, drafts, exports and the mirror.
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", APP_NAME)
        .map(|d| d.data_local_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
}

/// The default config file: the annotated example with every setting commented out, so the
/// file documents itself and later releases can change defaults the user never chose.
pub fn default_config_text() -> String {
    let mut out = String::from(
        "# Created by syncro-tui on first start. Every setting is commented out: remove the `#`\n\
         # in front of a line to change it. The full reference is config.example.toml.\n\n",
    );
    for line in EXAMPLE_CONFIG.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            out.push_str(line);
        } else {
            out.push_str("# ");
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Writes the default config file if (and only if) there is no file at `path`.
/// Returns whether a file was written. An existing file is never touched.
pub fn write_default_file(path: &Path) -> std::io::Result<bool> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(default_config_text().as_bytes())?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Reads the config file at `path`: settings plus warnings (unknown keys, odd values).
/// A missing file gives the defaults. Never writes.
pub fn load_file(path: &Path) -> anyhow::Result<(Settings, Vec<String>)> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            anyhow!(
                "cannot read the config file {}: it is not UTF-8 text (first bad byte at offset {}). The file was left as it is.",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let s = Settings {
                source: Some(path.to_path_buf()),
                ..Settings::default()
            };
            return Ok((s, Vec::new()));
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the config file {}", path.display()));
        }
    };
    let (mut settings, warnings) = parse_settings(&text, path)?;
    settings.source = Some(path.to_path_buf());
    Ok((settings, warnings))
}

/// Parses config text. `path` only names the file in messages.
///
/// Errors name the file, the line and the key: `config.toml, line 3, key read_only: invalid
/// type: string "yes", expected a boolean`. Unknown keys are not errors: they come back as
/// warnings, so a file written for a newer release still loads.
pub fn parse_settings(text: &str, path: &Path) -> anyhow::Result<(Settings, Vec<String>)> {
    let de = toml::Deserializer::parse(text).map_err(|e| describe_error(path, text, &e, None))?;
    let mut unknown = Vec::new();
    let mut on_unknown = |p: serde_ignored::Path<'_>| unknown.push(p.to_string());
    let ignoring = serde_ignored::Deserializer::new(de, &mut on_unknown);
    let settings: Settings = serde_path_to_error::deserialize(ignoring).map_err(|e| {
        let key = e.path().to_string();
        describe_error(path, text, e.inner(), Some(key))
    })?;
    let mut warnings: Vec<String> = unknown
        .into_iter()
        .map(|k| format!("unknown key `{k}` in {} (ignored)", path.display()))
        .collect();
    warnings.extend(settings.validate());
    Ok((settings, warnings))
}

fn describe_error(
    path: &Path,
    text: &str,
    e: &toml::de::Error,
    key: Option<String>,
) -> anyhow::Error {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let key = key
        .filter(|k| !k.is_empty() && k != ".")
        .or_else(|| line.and_then(|l| key_at_line(text, l)));
    let secret = key.as_deref().is_some_and(|k| k.ends_with("api_key"));
    let message = if secret {
        // Never echo the value of the key line, even in part.
        "the value must be a quoted string (\"...\")".to_string()
    } else {
        crate::logging::escape_untrusted(e.message().trim())
    };
    let mut where_ = String::new();
    if let Some(l) = line {
        where_.push_str(&format!(", line {l}"));
    }
    if let Some(k) = &key {
        where_.push_str(&format!(", key `{k}`"));
    }
    anyhow!(
        "cannot read the config file {}{where_}: {message}. The file was left as it is: fix it, \
         or start with --config FILE (or SYNCRO_TUI_CONFIG) to use another one.",
        path.display()
    )
}

/// Best guess of the dotted key defined on a line (1-based): `[table]` header + `key =`.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let this = lines.get(line.checked_sub(1)?)?.trim();
    let header = |l: &str| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .map(|h| h.trim_matches(['[', ' ']).to_string())
    };
    if this.starts_with('[') {
        return header(this);
    }
    let name = this.split('=').next()?.trim();
    if name.is_empty() || name.starts_with('#') || !this.contains('=') {
        return None;
    }
    let table = lines[..line - 1].iter().rev().find_map(|l| {
        let t = l.trim();
        if t.starts_with('[') { header(t) } else { None }
    });
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{name}"),
        _ => name.to_string(),
    })
}

/// The app's configuration from the command line, the process environment and the config file.
/// See [`resolve_with`].
pub fn resolve(args: &RunArgs) -> anyhow::Result<Resolved> {
    resolve_with(args, &process_env)
}

/// A variable of the process environment. One that is not UTF-8 comes back with its bad bytes
/// as U+FFFD, so that [`check_api_key`] can say so instead of treating it as missing.
fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

/// [`resolve`] with an injectable environment (`SYNCRO_API_KEY` lookups), for tests.
///
/// Precedence: `--demo` first; then a server from `--base-url`/`--subdomain` (with the key
/// sources of `--profile` when given, else only `SYNCRO_API_KEY`); then `--profile`, the
/// `default_profile`, or the only profile; with none of these the app opens on the demo.
///
/// The standard config file is created (commented-out example) when missing; a file named with
/// `--config`/`SYNCRO_TUI_CONFIG` must exist.
pub fn resolve_with(
    args: &RunArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Resolved> {
    let config_path = config_path(args);
    let mut warnings = Vec::new();
    if args.config.is_some() {
        if !config_path.exists() {
            bail!(
                "the config file {} does not exist (it was given with --config or SYNCRO_TUI_CONFIG)",
                config_path.display()
            );
        }
    } else if let Err(e) = write_default_file(&config_path) {
        warnings.push(format!(
            "could not create the config file {}: {e}",
            config_path.display()
        ));
    }
    let (settings, file_warnings) = load_file(&config_path)?;
    warnings.extend(file_warnings);
    // Every command (the TUI and the CLI) reads contacts who left with the configured marker.
    crate::roles::set_retired_prefix(&settings.retired_prefix);

    let mut resolved = if args.demo {
        demo(settings)
    } else if let Some(base_url) = flag_server(args)? {
        let (name, profile) = match &args.profile {
            Some(n) => (n.clone(), find_profile(&settings, n)?.clone()),
            None => (CLI_PROFILE.to_string(), Profile::default()),
        };
        resolve_server(settings, &name, &profile, base_url, env)?
    } else if let Some(name) = select_profile(&settings, args.profile.as_deref())? {
        resolve_profile_with(&settings, &name, env)?
    } else {
        if env(API_KEY_ENV).is_some_and(|k| !k.trim().is_empty()) {
            warnings.push(format!(
                "{API_KEY_ENV} is set but no server is configured: opening the demo. Give \
                 --subdomain NAME or add a [profiles.NAME] to {}",
                config_path.display()
            ));
        }
        demo(settings)
    };
    warnings.append(&mut resolved.warnings);
    resolved.warnings = warnings;
    resolved.config_path = config_path;
    resolved.cli_read_only = args.read_only;
    resolved.read_only |= args.read_only;
    Ok(resolved)
}

/// Resolves one profile of already loaded settings (`:profile NAME` at runtime), with the
/// process environment. Runs the profile's `api_key_command`: call it off the UI thread.
/// Prefer [`Resolved::switch_profile`], which keeps `--read-only`.
pub fn resolve_profile(settings: &Settings, name: &str) -> anyhow::Result<Resolved> {
    resolve_profile_with(settings, name, &process_env)
}

/// [`resolve_profile`] with an injectable environment.
pub fn resolve_profile_with(
    settings: &Settings,
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Resolved> {
    let profile = find_profile(settings, name)?.clone();
    let base_url = profile_server(name, &profile)?;
    resolve_server(settings.clone(), name, &profile, base_url, env)
}

fn demo(settings: Settings) -> Resolved {
    Resolved {
        profile: DEMO_PROFILE.into(),
        target: Target::Demo,
        read_only: settings.read_only,
        config_path: settings.source.clone().unwrap_or_default(),
        settings,
        key_source: None,
        warnings: Vec::new(),
        cli_read_only: false,
    }
}

fn find_profile<'a>(settings: &'a Settings, name: &str) -> anyhow::Result<&'a Profile> {
    settings.profiles.get(name).ok_or_else(|| {
        anyhow!(
            "there is no profile `{name}` in {} (profiles: {}). Add a [profiles.{name}] table \
             with subdomain = \"...\"",
            settings
                .source
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the config file".into()),
            list_or_none(&settings.profile_names())
        )
    })
}

/// `--profile`, else `default_profile`, else the only profile; `None` when there are none.
fn select_profile(settings: &Settings, requested: Option<&str>) -> anyhow::Result<Option<String>> {
    if let Some(n) = requested.or(settings.default_profile.as_deref()) {
        find_profile(settings, n)?;
        return Ok(Some(n.to_string()));
    }
    match settings.profiles.len() {
        0 => Ok(None),
        1 => Ok(settings.profiles.keys().next().cloned()),
        _ => bail!(
            "the config file has several profiles ({}) and no default_profile: choose one with \
             --profile NAME, or set default_profile",
            settings.profile_names().join(", ")
        ),
    }
}

fn flag_server(args: &RunArgs) -> anyhow::Result<Option<String>> {
    if let Some(u) = &args.base_url {
        return check_base_url(u).map(Some).context("--base-url");
    }
    if let Some(s) = &args.subdomain {
        return subdomain_url(s).map(Some).context("--subdomain");
    }
    Ok(None)
}

fn profile_server(name: &str, p: &Profile) -> anyhow::Result<String> {
    if let Some(u) = &p.base_url {
        return check_base_url(u).with_context(|| format!("profiles.{name}.base_url"));
    }
    if let Some(s) = &p.subdomain {
        return subdomain_url(s).with_context(|| format!("profiles.{name}.subdomain"));
    }
    bail!(
        "profile `{name}` has neither subdomain nor base_url: add subdomain = \"NAME\" (as in \
         https://NAME.syncromsp.com) to [profiles.{name}]"
    )
}

/// Text from the command line or the config, made safe to print: control characters shown
/// as visible placeholders, bidi and zero-width characters removed, and a password in a URL
/// replaced (`https://user:***@host`).
pub fn printable(text: &str) -> String {
    crate::sanitize::line(&redact_url_password(text))
}

/// [`printable`] for several lines (an error with its causes): line breaks are kept.
pub fn printable_text(text: &str) -> String {
    crate::sanitize::text(&redact_url_password(text))
}

fn redact_url_password(text: &str) -> String {
    crate::logging::redact_url_credentials(text)
}

fn subdomain_url(s: &str) -> anyhow::Result<String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if !ok {
        bail!(
            "`{}` is not a Syncro subdomain: give only NAME as in https://NAME.syncromsp.com \
             (letters, digits and dashes), or use base_url for a full URL",
            printable(s)
        );
    }
    Ok(format!(
        "https://{}.syncromsp.com/api/v1",
        s.to_ascii_lowercase()
    ))
}

fn check_base_url(u: &str) -> anyhow::Result<String> {
    let u = u.trim().trim_end_matches('/');
    let shown = printable(u);
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(|| {
            anyhow!("`{shown}` is not an http(s) URL; example: https://acme.syncromsp.com/api/v1")
        })?;
    if rest.is_empty() || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("`{shown}` is not a valid URL; example: https://acme.syncromsp.com/api/v1");
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        bail!(
            "`{shown}` holds a user name or password (user:pass@host): Syncro takes only the API \
             key, which belongs in SYNCRO_API_KEY, api_key_command or the keyring, never in the \
             URL. Remove the part before the @"
        );
    }
    Ok(u.to_string())
}

/// `http://` to anything but this machine sends the key in clear text.
fn is_plain_http_remote(base_url: &str) -> bool {
    let Some(rest) = base_url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    !(host == "localhost" || host == "::1" || host.starts_with("127."))
}

fn resolve_server(
    settings: Settings,
    name: &str,
    profile: &Profile,
    base_url: String,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Resolved> {
    let mut warnings = Vec::new();
    if is_plain_http_remote(&base_url) {
        warnings.push(format!(
            "{} uses plain http: the API key travels unencrypted. Use https.",
            printable(&base_url)
        ));
    }
    let found = find_key(&settings, name, profile, env, &mut warnings)?;
    let (target, key_source) = match found {
        Some((api_key, source)) => {
            crate::logging::redact_secret(&api_key);
            (Target::Live { base_url, api_key }, Some(source))
        }
        None => (Target::MissingKey { base_url }, None),
    };
    Ok(Resolved {
        profile: name.to_string(),
        target,
        read_only: settings.read_only || profile.read_only,
        config_path: settings.source.clone().unwrap_or_default(),
        settings,
        key_source,
        warnings,
        cli_read_only: false,
    })
}

/// The key, in order: `SYNCRO_API_KEY`, `api_key_command`, the OS keyring (feature `keyring`),
/// `api_key` in the file. A failing command is an error (the user asked for it; silently
/// falling back to another key would hide the problem).
fn find_key(
    settings: &Settings,
    name: &str,
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Option<(SecretString, KeySource)>> {
    if let Some(k) = env(API_KEY_ENV)
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
    {
        check_api_key(&k, API_KEY_ENV)?;
        return Ok(Some((SecretString::from(k), KeySource::Env)));
    }
    if let Some(cmd) = profile
        .api_key_command
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        let timeout = Duration::from_secs(settings.key_command_timeout_secs.max(1));
        let (key, warning) = run_key_command(cmd, timeout)
            .map_err(|e| anyhow!("profile `{name}`: the api_key_command {e}"))?;
        check_api_key(
            key.expose_secret(),
            &format!("the api_key_command of profile `{name}`"),
        )?;
        warnings.extend(warning);
        return Ok(Some((key, KeySource::Command)));
    }
    #[cfg(feature = "keyring")]
    match keyring_key(name) {
        Ok(Some(k)) => {
            check_api_key(k.expose_secret(), "the OS keyring")?;
            return Ok(Some((k, KeySource::Keyring)));
        }
        Ok(None) => {}
        Err(e) => warnings.push(format!("OS keyring not usable: {e}")),
    }
    if let Some(k) = &profile.api_key {
        if let Some(path) = &settings.source
            && let Some(mode) = group_or_other_readable(path)
        {
            warnings.push(format!(
                "{} holds an API key and can be read by other users (mode {mode:o}): run \
                 chmod 600 {0}, or better, use api_key_command",
                path.display()
            ));
        }
        check_api_key(
            k.expose_secret().trim(),
            &format!("api_key of profile `{name}`"),
        )?;
        return Ok(Some((k.clone(), KeySource::ConfigFile)));
    }
    Ok(None)
}

/// Refuses a key that cannot be a Syncro API key, with a message that says why and never
/// shows the key: text that is not UTF-8 (bytes replaced by U+FFFD on reading), control
/// characters or spaces inside, or fewer than [`crate::logging::MIN_SECRET_LEN`] characters (a
/// real key is far longer; so short a key would also match ordinary words in the log, where
/// keys are redacted). `source` says where it came from.
pub fn check_api_key(key: &str, source: &str) -> anyhow::Result<()> {
    if key.contains('\u{fffd}') {
        bail!(
            "the API key from {source} is not valid UTF-8 text (it holds bytes that are not \
             UTF-8): check that it was copied whole and in the right encoding"
        );
    }
    if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
        bail!(
            "the API key from {source} has spaces or control characters inside: a key is one \
             word; check that only the key was copied"
        );
    }
    let n = key.chars().count();
    if n < crate::logging::MIN_SECRET_LEN {
        bail!(
            "the API key from {source} is only {n} characters long, too short for a Syncro API \
             key (they are much longer): check that it was copied whole"
        );
    }
    Ok(())
}

/// The file's permission bits if group or others may read or write it (unix only).
fn group_or_other_readable(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The key stored in the OS keyring for a profile: service `syncro-tui`, user = profile name.
#[cfg(feature = "keyring")]
fn keyring_key(profile: &str) -> Result<Option<SecretString>, String> {
    let entry = keyring::Entry::new(APP_NAME, profile).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(k) if !k.trim().is_empty() => Ok(Some(SecretString::from(k.trim().to_string()))),
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `cmd` with `sh -c` (stdin closed) in a process group of its own, waits at most
/// `timeout`, returns its trimmed stdout (the first line when it prints several, as `pass show`
/// does) and maybe a warning.
///
/// At the timeout the whole process group is killed (the shell and whatever it started). What
/// the command printed is read as it comes, so a command that leaves a background child
/// holding its output open (`pass show x; gpg-agent &`) still gives its key once it has
/// exited. Error texts never contain the command's stdout (the key) or the command itself (it
/// may embed a secret); of its stderr only the first line is shown, sanitised, with anything
/// the key printed redacted, and cut to 100 characters (stderr may hold a secret too).
pub fn run_key_command(
    cmd: &str,
    timeout: Duration,
) -> Result<(SecretString, Option<String>), String> {
    use std::sync::{Arc, Mutex};
    let mut command = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(cmd);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c").arg(cmd);
        c
    };
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not be started: {e}"))?;
    const MAX_OUTPUT: usize = 64 * 1024;
    // Each pipe is read by a thread into a buffer shared with this one, chunk by chunk; the
    // flag says the pipe reached its end (every writer, background children too, closed it).
    type Captured = Arc<Mutex<(Vec<u8>, bool)>>;
    let capture = |pipe: Option<Box<dyn Read + Send>>| -> Captured {
        let buf: Captured = Arc::new(Mutex::new((Vec::new(), pipe.is_none())));
        if let Some(mut pipe) = pipe {
            let shared = buf.clone();
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                loop {
                    let n = pipe.read(&mut chunk).unwrap_or(0);
                    let mut b = shared.lock().unwrap_or_else(|p| p.into_inner());
                    if n == 0 {
                        b.1 = true;
                        return;
                    }
                    let room = MAX_OUTPUT.saturating_sub(b.0.len());
                    b.0.extend_from_slice(&chunk[..n.min(room)]);
                }
            });
        }
        buf
    };
    let out = capture(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = capture(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let kill_group = |child: &mut std::process::Child| {
        #[cfg(unix)]
        if let Some(pid) = i32::try_from(child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = child.kill();
        let _ = child.wait();
    };
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill_group(&mut child);
                return Err(format!(
                    "did not finish within {} s (is it waiting for a passphrase?); raise \
                     key_command_timeout_secs if it needs longer",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("could not be waited for: {e}")),
        }
    };
    // The command has exited. Its output is complete once both pipes are closed; a background
    // child may hold them open, so wait only a moment and take what was printed.
    let settle = Instant::now() + Duration::from_millis(300);
    let closed = |b: &Captured| b.lock().map(|b| b.1).unwrap_or(true);
    while !(closed(&out) && closed(&err)) && Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(5));
    }
    let take = |b: &Captured| {
        b.lock()
            .map(|b| b.0.clone())
            .unwrap_or_else(|p| p.into_inner().0.clone())
    };
    let (out, err) = (take(&out), take(&err));
    if std::str::from_utf8(&out).is_err() {
        return Err(
            "printed a key that is not valid UTF-8 text (check the command's output encoding)"
                .into(),
        );
    }
    let stdout = SecretString::from(String::from_utf8_lossy(&out).into_owned());
    let stderr_text = {
        let raw = String::from_utf8_lossy(&err);
        let mut first = raw
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string();
        for line in stdout
            .expose_secret()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            first = crate::logging::redact_token(&first, line).into_owned();
        }
        let first = crate::logging::redact(&first);
        let clean = crate::sanitize::line(&first);
        let mut short: String = clean.chars().take(100).collect();
        if clean.chars().count() > 100 {
            short.push('…');
        }
        short
    };
    if !status.success() {
        let code = status.code().map_or_else(
            || "was killed by a signal".to_string(),
            |c| format!("exited with status {c}"),
        );
        return Err(if stderr_text.is_empty() {
            code
        } else {
            format!("{code}: {stderr_text}")
        });
    }
    let text = stdout.expose_secret().trim();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return Err("printed nothing; it must print the API key on stdout".into());
    };
    let warning = lines.next().map(|_| {
        "the api_key_command printed several lines; the first one is used as the key".to_string()
    });
    Ok((SecretString::from(first.to_string()), warning))
}

/// The key for display: at most its last four characters (`••••abcd`); fewer for short keys,
/// so that no more than a quarter of a key is ever shown.
pub fn mask_key(key: &SecretString) -> String {
    let chars: Vec<char> = key.expose_secret().chars().collect();
    let shown = (chars.len() / 4).min(4);
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!("••••{tail}")
}

/// How to give the app a key: for the missing-key screen and `config check`.
pub fn missing_key_help(profile: &str, config_path: &Path) -> String {
    let keyring = if cfg!(feature = "keyring") {
        format!("\n  - store it in the OS keyring under service `{APP_NAME}`, user `{profile}`;")
    } else {
        String::new()
    };
    format!(
        "No API key found for profile `{profile}`. Create a token in Syncro (Admin > API Tokens > \
         New Token, with the Customers and Contacts permissions: List/Search, View Detail, Create, \
         Edit, Delete), then either:\n  - set the environment variable {API_KEY_ENV};\n  - or add \
         api_key_command = \"pass show syncro\" (any command that prints the key) to \
         [profiles.{profile}] in {};{keyring}\n  - or, least safe, api_key = \"...\" in that \
         table (then chmod 600 the file).\nOr start with --demo to try the app on built-in data.",
        config_path.display()
    )
}

/// `syncro-tui config path|check`.
pub fn run_cli(cmd: crate::cli::ConfigCommand, args: &RunArgs) -> anyhow::Result<()> {
    match cmd {
        crate::cli::ConfigCommand::Path => {
            println!("{}", config_path(args).display());
            Ok(())
        }
        crate::cli::ConfigCommand::Check => {
            let resolved = resolve(args)?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let report = rt.block_on(check(&resolved));
            print!("{report}");
            if report.ok {
                Ok(())
            } else {
                bail!("config check found a problem (see above)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_shows_at_most_four_and_at_most_a_quarter() {
        let m = |s: &str| mask_key(&SecretString::from(s.to_string()));
        assert_eq!(m("T0123456789abcdefXYZW"), "••••XYZW");
        assert_eq!(m("abcdefgh"), "••••gh");
        assert_eq!(m("demo"), "••••o");
        assert_eq!(m("abc"), "••••");
        assert_eq!(m(""), "••••");
        assert_eq!(m("ключ-ключ-ключ-ключ"), "••••ключ");
    }

    #[test]
    fn key_at_line_finds_table_and_key() {
        let text = "theme = \"x\"\n[profiles.acme]\nread_only = maybe\n";
        assert_eq!(key_at_line(text, 1).as_deref(), Some("theme"));
        assert_eq!(key_at_line(text, 2).as_deref(), Some("profiles.acme"));
        assert_eq!(
            key_at_line(text, 3).as_deref(),
            Some("profiles.acme.read_only")
        );
    }

    #[test]
    fn plain_http_is_only_fine_on_loopback() {
        assert!(!is_plain_http_remote("http://127.0.0.1:3000/api/v1"));
        assert!(!is_plain_http_remote("http://localhost:80/api/v1"));
        assert!(!is_plain_http_remote("http://[::1]:8080/api/v1"));
        assert!(!is_plain_http_remote("https://acme.syncromsp.com/api/v1"));
        assert!(is_plain_http_remote("http://acme.example/api/v1"));
    }

    #[test]
    fn subdomains_are_checked() {
        assert_eq!(
            subdomain_url("Acme").unwrap(),
            "https://acme.syncromsp.com/api/v1"
        );
        let e = subdomain_url("acme.syncromsp.com").unwrap_err().to_string();
        assert!(e.contains("only NAME"), "{e}");
        assert!(check_base_url("acme.syncromsp.com").is_err());
        assert_eq!(
            check_base_url("https://x.example/api/v1/").unwrap(),
            "https://x.example/api/v1"
        );
    }

    #[test]
    fn urls_with_credentials_are_refused_and_never_printed() {
        let e = check_base_url("https://me:pw-secret@acme.example/api/v1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("user name or password"), "{e}");
        assert!(!e.contains("pw-secret"), "{e}");
        assert!(e.contains("me:***@acme.example"), "{e}");
        assert!(check_base_url("https://acme.example/api/v1?x=a@b").is_ok());
        let e = check_base_url("\u{1b}[2Jhttps://x")
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\u{1b}'), "{e:?}");
    }

    #[test]
    fn keys_that_cannot_be_syncro_keys_are_refused_with_a_reason() {
        assert!(check_api_key("T0123456789abcdef", "x").is_ok());
        let e = check_api_key("demo", "SYNCRO_API_KEY")
            .unwrap_err()
            .to_string();
        assert!(e.contains("only 4 characters long"), "{e}");
        assert!(!e.contains("demo"), "{e}");
        let e = check_api_key("abc\u{fffd}defghijkl", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not valid UTF-8"), "{e}");
        let e = check_api_key("abcdefgh\nijkl", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("control characters"), "{e}");
    }

    #[test]
    fn default_file_text_parses_to_the_defaults() {
        let (s, w) = parse_settings(&default_config_text(), Path::new("d.toml")).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert!(s.profiles.is_empty() && s.keys.is_empty() && s.colors.is_empty());
        assert_eq!(s.theme, "dark");
    }

    #[test]
    fn hyperlinks_follow_the_setting_else_the_terminal() {
        assert!(hyperlinks_on(None, Some("xterm-256color")));
        assert!(hyperlinks_on(None, Some("tmux-256color")));
        for t in ["dumb", "linux", "vt100", ""] {
            assert!(!hyperlinks_on(None, Some(t)), "{t}");
        }
        assert!(!hyperlinks_on(None, None));
        assert!(!hyperlinks_on(Some(false), Some("xterm-256color")));
        assert!(hyperlinks_on(Some(true), Some("dumb")));
    }
}
