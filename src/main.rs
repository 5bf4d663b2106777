use clap::Parser;
use syncro_tui::cli::{Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::DemoServer(args)) => syncro_tui::demo::run_cli(args),
        Some(Command::Config(cmd)) => syncro_tui::config::run_cli(cmd, &cli.run),
        Some(Command::Completions { shell }) => syncro_tui::cli::print_completions(shell),
        Some(Command::Man) => syncro_tui::cli::print_man(),
        Some(Command::Sync) => syncro_tui::mirror::run_sync_cli(&cli.run),
        Some(Command::Cache(cmd)) => syncro_tui::mirror::run_cache_cli(cmd, &cli.run),
        None => syncro_tui::tui::run_app(cli.run),
    }
}
