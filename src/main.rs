use clap::Parser;
use syncro_tui::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    // Before any thread starts: the threads share two allocator arenas (see the function).
    syncro_tui::memory::tune_allocator();
    let cli = Cli::parse();
    if matches!(
        cli.command,
        None | Some(Command::Sync) | Some(Command::Cache(_)) | Some(Command::Open(_))
    ) {
        prepare_data_dir();
    }
    let result = match cli.command {
        Some(Command::DemoServer(args)) => syncro_tui::demo::run_cli(args),
        Some(Command::Demo(cmd)) => syncro_tui::mirror::run_demo_cli(cmd),
        Some(Command::Config(cmd)) => syncro_tui::config::run_cli(cmd, &cli.run),
        Some(Command::Completions { shell }) => syncro_tui::cli::print_completions(shell),
        Some(Command::Man) => syncro_tui::cli::print_man(),
        // The list's rows go into the file too: the app's next start paints from them.
        Some(Command::Sync) => syncro_tui::mirror::run_sync_cli_with_views(
            &cli.run,
            Some(&|m, type_property, out| {
                syncro_tui::app::view::write_views_section(m.records(), type_property, out);
            }),
        ),
        Some(Command::Cache(cmd)) => syncro_tui::mirror::run_cache_cli(cmd, &cli.run),
        Some(Command::Lookup(args)) => {
            exit_status(syncro_tui::lookup::run_lookup_cli(&args, &cli.run))
        }
        Some(Command::Customers(args)) => {
            exit_status(syncro_tui::lookup::run_customers_cli(&args, &cli.run).map(|()| true))
        }
        Some(Command::Contacts(args)) => {
            exit_status(syncro_tui::lookup::run_contacts_cli(&args, &cli.run).map(|()| true))
        }
        Some(Command::Open(args)) => syncro_tui::lookup::resolve_open_cli(&args, &cli.run)
            .and_then(|id| {
                let mut run = cli.run;
                run.open = Some(id);
                syncro_tui::tui::run_app(run)
            }),
        None => syncro_tui::tui::run_app(cli.run),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Errors quote what was typed on the command line or in the config file: printed
            // through the sanitiser (and with any password in a URL hidden), never raw.
            eprintln!(
                "Error: {}",
                syncro_tui::config::printable_text(&format!("{e:#}"))
            );
            std::process::ExitCode::FAILURE
        }
    }
}

/// The data directory only the user can enter (0700, tightened if an older version left it
/// open), and no leftovers of writes killed in an earlier run.
fn prepare_data_dir() {
    let dir = syncro_tui::config::data_dir();
    if syncro_tui::files::secure_dir(&dir).is_ok() {
        syncro_tui::files::remove_dead_temps_at_start(&dir);
        for sub in ["drafts", "flows"] {
            let sub = dir.join(sub);
            if sub.is_dir() {
                let _ = syncro_tui::files::secure_dir(&sub);
                syncro_tui::files::remove_dead_temps_at_start(&sub);
            }
        }
    }
}

/// The scripting commands exit as grep does: 0 with an answer, 1 with none, 2 on an error.
fn exit_status(result: anyhow::Result<bool>) -> anyhow::Result<()> {
    match result {
        Ok(true) => Ok(()),
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::exit(2)
        }
    }
}
