//! `syncro-tui sync` and `syncro-tui cache clear`: the mirror without the terminal UI.

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};
use secrecy::SecretString;

use super::store;
use super::sync::{SyncOptions, SyncProgress, full_sync};
use crate::api::{ClientConfig, SyncroClient};
use crate::cli::{CacheCommand, DemoCommand, RunArgs};
use crate::config::{self, Target};
use crate::demo::{DemoConfig, DemoServer};

/// Profile name and server identity of the demo server's mirror (its port changes every run).
pub const DEMO_PROFILE: &str = "demo";

/// `syncro-tui sync [--profile NAME]`: a full pass into the profile's mirror, a progress line on
/// stderr (when it is a terminal) and one summary line on stdout.
pub fn run_sync_cli(args: &RunArgs) -> anyhow::Result<()> {
    run_sync_cli_with_views(args, None)
}

/// What a views section holds for a mirror, given the custom property of a customer's type
/// (the list's rows; built above this layer, see `app::view::views_section`).
pub type SectionOf<'a> = Option<&'a dyn Fn(&super::Mirror, &str, &mut Vec<u8>)>;

/// [`run_sync_cli`], saving the mirror with a views section made by `views`, so that the app's
/// next start paints without decoding the records.
pub fn run_sync_cli_with_views(args: &RunArgs, views: SectionOf<'_>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(sync_command(args, views))
}

async fn sync_command(args: &RunArgs, views: SectionOf<'_>) -> anyhow::Result<()> {
    let resolved = config::resolve(args)?;
    let rpm = resolved.settings.requests_per_minute;
    // Keep the demo server alive for the whole sync.
    let mut demo = None;
    let (base_url, api_key) = match resolved.target {
        Target::Live { base_url, api_key } => (base_url, api_key),
        Target::Demo => {
            // The same demo data as the app's, kept in the data directory.
            let cfg = DemoConfig::for_app(&config::data_dir());
            let key = SecretString::from(cfg.api_key.clone());
            let server = DemoServer::start(([127, 0, 0, 1], 0).into(), cfg)
                .await
                .context("starting the demo server")?;
            let url = server.base_url();
            eprintln!(
                "Syncing the built-in demo server ({url}): no API key is configured, or --demo."
            );
            demo = Some(server);
            (url, key)
        }
        Target::MissingKey { base_url } => bail!(
            "No API key for {base_url}. Set SYNCRO_API_KEY (or the profile's api_key_command) to \
             a Syncro API token with the \"Customers - List/Search\" permission, or run with \
             --demo to try the demo data."
        ),
    };
    let mut client_config = ClientConfig::new(base_url.clone(), api_key);
    client_config.requests_per_minute = rpm;
    let client = SyncroClient::new(client_config)?;

    // The demo server's port changes every run and its data is not the account's: its mirror
    // lives under its own name, so a demo sync never replaces a real profile's mirror.
    let (profile, server_id) = if demo.is_some() {
        (DEMO_PROFILE.to_string(), DEMO_PROFILE.to_string())
    } else {
        (resolved.profile.clone(), base_url.clone())
    };
    let dir = config::data_dir();
    let outcome = store::load_for_server(&dir, &profile, &server_id);
    if let Some(notice) = outcome.notice() {
        eprintln!("{notice}");
    }
    let previous = outcome.into_mirror_or_empty(&server_id);

    let show_progress = std::io::stderr().is_terminal();
    let mut last_width: usize = 0;
    let mut progress = |p: SyncProgress| {
        if show_progress {
            let line = progress_line(&p);
            let pad = last_width.saturating_sub(line.chars().count());
            last_width = line.chars().count();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{line}{:pad$}", "");
            let _ = err.flush();
        }
    };
    let result = full_sync(&client, &previous, &SyncOptions::default(), &mut progress).await;
    if show_progress {
        eprintln!();
    }
    let (mut mirror, report) = result.context("sync failed; the previous mirror is unchanged")?;
    mirror.base_url = server_id;
    let type_property = resolved.settings.customer_type_property.clone();
    let section =
        views.map(|f| move |m: &super::Mirror, out: &mut Vec<u8>| f(m, &type_property, out));
    let section: store::ViewsOf<'_> = section.as_ref().map(|f| f as _);
    let path = store::save_with_views(&dir, &profile, &mirror, section)
        .with_context(|| format!("writing the mirror in {}", dir.display()))?;
    println!("{} -> {}", report.summary(), path.display());
    if let Some(server) = demo {
        server.shutdown().await;
    }
    Ok(())
}

/// `[#########.........]  Syncing customers, page 12 of 50, about 40 s left`
fn progress_line(p: &SyncProgress) -> String {
    const WIDTH: usize = 24;
    let bar = match p.total_pages {
        Some(t) if t > 0 => {
            let filled = (p.page as usize * WIDTH / t as usize).min(WIDTH);
            format!("[{}{}]  ", "#".repeat(filled), ".".repeat(WIDTH - filled))
        }
        _ => String::new(),
    };
    format!("{bar}{}", p.status_line())
}

/// `syncro-tui cache clear [--profile NAME]`.
pub fn run_cache_cli(cmd: CacheCommand, args: &RunArgs) -> anyhow::Result<()> {
    match cmd {
        CacheCommand::Clear => {
            let resolved = config::resolve(args)?;
            let profile = match resolved.target {
                Target::Demo => DEMO_PROFILE.to_string(),
                _ => resolved.profile,
            };
            let dir = config::data_dir();
            let path = store::mirror_path(&dir, &profile);
            if store::clear(&dir, &profile)
                .with_context(|| format!("removing {}", path.display()))?
            {
                println!(
                    "Removed the mirror of profile {profile} ({}).",
                    path.display()
                );
            } else {
                println!(
                    "Profile {profile} has no mirror ({} does not exist).",
                    path.display()
                );
            }
            Ok(())
        }
    }
}

/// `syncro-tui demo reset`: the demo starts over at the next start.
pub fn run_demo_cli(cmd: DemoCommand) -> anyhow::Result<()> {
    match cmd {
        DemoCommand::Reset => {
            let dir = config::data_dir();
            let removed = demo_reset(&dir)?;
            if removed.is_empty() {
                println!("The demo had nothing kept in {}.", dir.display());
            } else {
                for p in &removed {
                    println!("Removed {}", p.display());
                }
                println!("The demo starts over with fresh data at the next start.");
            }
            Ok(())
        }
    }
}

/// Removes what the demo mode keeps in `data_dir` (its server's data, its mirror, its change
/// log, its dismissed duplicate groups) and returns the files that were there. Run it with
/// the app stopped: a running demo writes its data back when it quits.
pub fn demo_reset(data_dir: &std::path::Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut removed = Vec::new();
    let mirror = store::mirror_path(data_dir, DEMO_PROFILE);
    if store::clear(data_dir, DEMO_PROFILE)
        .with_context(|| format!("removing {}", mirror.display()))?
    {
        removed.push(mirror);
    }
    for path in [
        data_dir.join(crate::demo::APP_STATE_FILE),
        crate::changelog::log_path(data_dir, DEMO_PROFILE),
        crate::worker::dismissed_path(data_dir, DEMO_PROFILE),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::SyncPhase;

    #[test]
    fn progress_bar_fills_with_pages() {
        let p = SyncProgress {
            phase: SyncPhase::Contacts,
            page: 6,
            total_pages: Some(12),
            records: 300,
            requests: 20,
            eta: None,
            waiting: None,
            waiting_reason: None,
        };
        assert_eq!(
            progress_line(&p),
            "[############............]  Syncing contacts, page 6 of 12"
        );
    }
}
