//! Settings (confy, TOML), profiles and API-key resolution.
//!
//! `resolve` turns the command line, the environment and the config file into the one server
//! and key the app talks to. The key is held as a `SecretString` and never printed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::cli::RunArgs;

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
    /// `dark` or `light`.
    pub theme: String,
    /// Custom property holding the customer type (Business, Government, Non-Profit).
    pub customer_type_property: String,
    /// Requests per minute the client allows itself (Syncro's limit is 180 per IP).
    pub requests_per_minute: u32,
    pub profiles: BTreeMap<String, Profile>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default_profile: None,
            read_only: false,
            mouse: false,
            theme: "dark".into(),
            customer_type_property: "Customer Type".into(),
            requests_per_minute: 180,
            profiles: BTreeMap::new(),
        }
    }
}

/// One Syncro account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub subdomain: Option<String>,
    pub base_url: Option<String>,
    /// Command whose trimmed stdout is the API key (e.g. `pass show syncro`).
    pub api_key_command: Option<String>,
    pub read_only: bool,
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

#[derive(Debug, Clone)]
pub struct Resolved {
    pub profile: String,
    pub target: Target,
    pub read_only: bool,
    pub config_path: PathBuf,
    pub settings: Settings,
}

/// Standard config file path (or the one given with `--config` / `SYNCRO_TUI_CONFIG`).
pub fn config_path(args: &RunArgs) -> PathBuf {
    if let Some(p) = &args.config {
        return p.clone();
    }
    confy::get_configuration_file_path("syncro-tui", "config")
        .unwrap_or_else(|_| PathBuf::from("syncro-tui.toml"))
}

/// Directory for logs, drafts and the mirror.
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "syncro-tui")
        .map(|d| d.data_local_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
}

/// Minimal resolution: flags and `SYNCRO_API_KEY`; profiles and key commands come later.
pub fn resolve(args: &RunArgs) -> anyhow::Result<Resolved> {
    let config_path = config_path(args);
    let settings = Settings::default();
    let base_url = args.base_url.clone().or_else(|| {
        args.subdomain
            .as_ref()
            .map(|s| format!("https://{s}.syncromsp.com/api/v1"))
    });
    let key = std::env::var("SYNCRO_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .map(|k| SecretString::from(k.trim().to_string()));
    let target = match (args.demo, base_url, key) {
        (true, _, _) => Target::Demo,
        (false, Some(base_url), Some(api_key)) => Target::Live { base_url, api_key },
        (false, Some(base_url), None) => Target::MissingKey { base_url },
        (false, None, _) => Target::Demo,
    };
    Ok(Resolved {
        profile: "default".into(),
        target,
        read_only: args.read_only || settings.read_only,
        config_path,
        settings,
    })
}

/// `syncro-tui config path|check`.
pub fn run_cli(cmd: crate::cli::ConfigCommand, args: &RunArgs) -> anyhow::Result<()> {
    match cmd {
        crate::cli::ConfigCommand::Path => {
            println!("{}", config_path(args).display());
            Ok(())
        }
        crate::cli::ConfigCommand::Check => anyhow::bail!("config check is not built yet"),
    }
}
