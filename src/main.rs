use clap::Parser;
use syncro_tui::cli::{Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::DemoServer(_args)) => {
            anyhow::bail!("the demo server is not built yet")
        }
        Some(Command::Config(_)) | Some(Command::Completions { .. }) | Some(Command::Man) => {
            anyhow::bail!("not built yet")
        }
        None => anyhow::bail!("the terminal UI is not built yet"),
    }
}
