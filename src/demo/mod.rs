//! The Syncro-compatible demo server (axum) and its deterministic data generator.

/// `syncro-tui demo-server ...`
pub fn run_cli(_args: crate::cli::DemoServerArgs) -> anyhow::Result<()> {
    anyhow::bail!("the demo server is not built yet")
}
