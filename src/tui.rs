//! Terminal set-up and restore, the event stream, signals, suspend for `$EDITOR`.

/// Runs the interactive app (the default command).
pub fn run_app(_args: crate::cli::RunArgs) -> anyhow::Result<()> {
    anyhow::bail!("the terminal UI is not built yet")
}
