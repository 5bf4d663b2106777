//! Command-line interface (clap): the TUI's flags and the subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "syncro-tui",
    version,
    about = "Find, read and edit Syncro MSP customers and contacts from the keyboard",
    long_about = "A terminal app for MSP technicians: search customers, read everything about one on \
a single screen, edit contacts inline. With no API key configured it opens on built-in demo data."
)]
pub struct Cli {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags of the interactive app (also accepted before a subcommand).
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// Open on the built-in demo server even if an API key is configured.
    #[arg(long, global = true)]
    pub demo: bool,

    /// Base URL of a Syncro-compatible API, e.g. https://acme.syncromsp.com/api/v1.
    #[arg(long, value_name = "URL", global = true, conflicts_with = "subdomain")]
    pub base_url: Option<String>,

    /// Syncro subdomain: NAME as in https://NAME.syncromsp.com.
    #[arg(long, value_name = "NAME", global = true)]
    pub subdomain: Option<String>,

    /// Profile from the config file to use.
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Config file to use instead of the standard one.
    #[arg(long, value_name = "FILE", env = "SYNCRO_TUI_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Disable every write (create, edit, delete).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Log level for the log file (error, warn, info, debug, trace). RUST_LOG overrides it.
    #[arg(long, value_name = "LEVEL", global = true)]
    pub log_level: Option<String>,

    /// Start on this customer (its ID); `syncro-tui open PHONE` finds the ID and sets it.
    #[arg(long, value_name = "ID")]
    pub open: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Syncro-compatible demo server (for trying the app, tests and benchmarks).
    DemoServer(DemoServerArgs),
    /// The app's demo mode: its data is kept in the data directory between runs.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Configuration: where the file is, and whether the key works.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Copy every customer and contact of the profile into its local mirror (full pass).
    Sync,
    /// The local mirror of the account.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Who is it: the customer and contact of a phone number, an e-mail address or a name, in
    /// one line for a phone system's pop-up (from the mirror; from the server without one).
    /// Exit status 1 when nothing matches, 2 on an error.
    Lookup(LookupArgs),
    /// Print customers from the mirror: one per line, tab-separated, after a header line.
    Customers(CustomersArgs),
    /// Print contacts from the mirror: one per line, tab-separated (e-mail, name, organisation,
    /// title, ...), after a header line, as mutt's query_command reads it.
    Contacts(ContactsArgs),
    /// Start the app on the customer with this phone number, e-mail, name or ID (#ID).
    Open(OpenArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LookupArgs {
    /// Phone number (any format: 5550142 finds (503) 555-0142), e-mail address or name.
    #[arg(required = true, num_args = 1.., value_name = "PHONE|EMAIL|TEXT")]
    pub query: Vec<String>,
    /// Print the answers as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print every answer (up to --limit), best first, one per line.
    #[arg(long)]
    pub all: bool,
    /// Most answers printed with --all or --json.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

#[derive(Debug, Clone, Args)]
pub struct CustomersArgs {
    /// Only customers whose name, e-mail, phone or city (or one of whose contacts) matches.
    #[arg(long, short)]
    pub query: Option<String>,
    /// Print JSON (an array of the records as the API gives them).
    #[arg(long, group = "format")]
    pub json: bool,
    /// Print CSV (RFC 4180, the columns of the app's export).
    #[arg(long, group = "format")]
    pub csv: bool,
    /// Include disabled customers.
    #[arg(long)]
    pub include_disabled: bool,
    /// Leave out the header line of the tab-separated output.
    #[arg(long)]
    pub no_header: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ContactsArgs {
    /// Only the contacts of this customer (its ID).
    #[arg(long, value_name = "ID")]
    pub customer: Option<u64>,
    /// Only contacts whose name, e-mail, phone or title matches, or whose customer's does.
    #[arg(long, short)]
    pub query: Option<String>,
    /// Print JSON (an array of contacts, each with its customer_name and title).
    #[arg(long, group = "format")]
    pub json: bool,
    /// Print CSV (RFC 4180, the columns of the app's export).
    #[arg(long, group = "format")]
    pub csv: bool,
    /// Print vCards (4.0), one per contact.
    #[arg(long, group = "format")]
    pub vcard: bool,
    /// Include the contacts of disabled customers.
    #[arg(long)]
    pub include_disabled: bool,
    /// Leave out the header line of the tab-separated output.
    #[arg(long)]
    pub no_header: bool,
}

#[derive(Debug, Clone, Args)]
pub struct OpenArgs {
    /// Phone number, e-mail address, name, or customer ID (#ID forces an ID).
    #[arg(required = true, num_args = 1.., value_name = "PHONE|ID")]
    pub target: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Start the demo over: forget its server's data, its mirror, its change log and its
    /// dismissed duplicates (the next start generates the demo data afresh).
    Reset,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove the profile's local mirror (the next sync rebuilds it).
    Clear,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file path.
    Path,
    /// Check the profile, the server and what the API key may do.
    Check,
}

#[derive(Debug, Clone, Args)]
pub struct DemoServerArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Number of customers to generate (the curated set comes first).
    #[arg(long, default_value_t = 500)]
    pub customers: usize,
    /// Generate exactly this many contacts (default: about three per customer).
    #[arg(long, value_name = "N")]
    pub contacts: Option<usize>,
    /// Seed of the data generator: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// API key the server accepts.
    #[arg(long, default_value = crate::demo::DEMO_KEY)]
    pub api_key: String,
    /// Keep changes across restarts in this JSON file.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Do not enforce 180 requests per minute.
    #[arg(long)]
    pub no_rate_limit: bool,
    /// Requests per client IP per minute (sliding 60 s window); 0 turns the limit off.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 180,
        conflicts_with = "no_rate_limit"
    )]
    pub rate_limit: u32,
    /// Leave `contacts[]` out of customer list pages, so that contacts must be paged through
    /// `/contacts` (the slow case of a full sync).
    #[arg(long)]
    pub no_embedded_contacts: bool,
    /// Send Retry-After with 429 answers.
    #[arg(long, value_enum, default_value_t = OnOff::On)]
    pub retry_after: OnOff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// Writes the completion script for `shell` (generated from these clap definitions).
pub fn write_completions(shell: Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "syncro-tui", out);
}

/// `syncro-tui completions SHELL`.
pub fn print_completions(shell: Shell) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    write_completions(shell, &mut buf);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
    Ok(())
}

/// Writes the man page (roff): the command line from these clap definitions, the keys and the
/// palette's commands from the help screen's tables, the config keys, files and environment
/// (see [`crate::man`]).
pub fn write_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::man::write_man(out)
}

/// `syncro-tui man`.
pub fn print_man() -> anyhow::Result<()> {
    let mut buf = Vec::new();
    write_man(&mut buf)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
    Ok(())
}
