//! The command palette's data: the command registry and its parser, completion, the prompt's
//! state and the contacts `:contact` finds. No `App` here: the logic is in [`super`].

use tui_input::Input;

use crate::api::model::Id;
use crate::app::list::Row;
use crate::app::report::state::ReportKind;
use crate::export::ExportFormat;
use crate::sanitize;

/// How a command's arguments complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// No arguments.
    None,
    /// Free text.
    Text,
    /// A profile of the config file.
    Profile,
    /// `customers csv|json`, `contacts csv|vcard [all]`.
    Export,
}

/// Which command a registry row is: [`parse`] matches on it, so every row listed parses to
/// its own command and a new row cannot compile without its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Customer,
    Contact,
    Contacts,
    Duplicates,
    Onboard,
    Onboarding,
    Sync,
    Export,
    Log,
    Undo,
    Bulk,
    Referrals,
    Names,
    Incomplete,
    Profile,
    Refresh,
    Help,
    Quit,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub verb: Verb,
    pub name: &'static str,
    /// Other names that run the same command (`q`).
    pub aliases: &'static [&'static str],
    /// The arguments, as the help writes them.
    pub args: &'static str,
    pub help: &'static str,
    pub complete: ArgKind,
}

impl CommandSpec {
    /// `:export customers csv|json` style usage for the help.
    pub fn usage(&self) -> String {
        if self.args.is_empty() {
            format!(":{}", self.name)
        } else {
            format!(":{} {}", self.name, self.args)
        }
    }

    fn is(&self, word: &str) -> bool {
        self.name.eq_ignore_ascii_case(word)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(word))
    }
}

/// Every palette command, in the order the popup and the help show them.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        verb: Verb::Customer,
        name: "customer",
        aliases: &["cu"],
        args: "TEXT",
        help: "search customers (the list's search)",
        complete: ArgKind::Text,
    },
    CommandSpec {
        verb: Verb::Contact,
        name: "contact",
        aliases: &["co"],
        args: "TEXT",
        help: "find contacts by name, e-mail, phone or title",
        complete: ArgKind::Text,
    },
    CommandSpec {
        verb: Verb::Contacts,
        name: "contacts",
        aliases: &[],
        args: "[role ROLE]",
        help: "every contact of the account; role: decision, authorises, technical, billing",
        complete: ArgKind::Text,
    },
    CommandSpec {
        verb: Verb::Duplicates,
        name: "duplicates",
        aliases: &["dup"],
        args: "",
        help: "audit likely duplicate customers (and merge them)",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Onboard,
        name: "onboard",
        aliases: &["on"],
        args: "",
        help: "onboard a new client: customer, primary contact, more contacts, review, create",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Onboarding,
        name: "onboarding",
        aliases: &[],
        args: "",
        help: "onboarding follow-ups still open: RMM agent, inventory, contract, billing",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Sync,
        name: "sync",
        aliases: &[],
        args: "[full]",
        help: "sync the local mirror now (full = every record, notices deletions)",
        complete: ArgKind::Text,
    },
    CommandSpec {
        verb: Verb::Export,
        name: "export",
        aliases: &[],
        args: "customers|contacts FORMAT [all]",
        help: "customers: csv|json; contacts: csv|vcard, all = every listed customer's",
        complete: ArgKind::Export,
    },
    CommandSpec {
        verb: Verb::Log,
        name: "log",
        aliases: &[],
        args: "[TEXT]",
        help: "every write the app made on this account, newest first; u undoes one",
        complete: ArgKind::Text,
    },
    CommandSpec {
        verb: Verb::Undo,
        name: "undo",
        aliases: &[],
        args: "",
        help: "undo the last change the app made (as U; asks first)",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Bulk,
        name: "bulk",
        aliases: &[],
        args: "",
        help: "show the bulk edit that runs or stopped (e with marks starts one)",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Referrals,
        name: "referrals",
        aliases: &["ref"],
        args: "",
        help: "customers by referral source, new per month; Enter lists a source's, x exports CSV",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Names,
        name: "names",
        aliases: &[],
        args: "",
        help: "customers whose name breaks the house style; e fixes them (bulk edit)",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Incomplete,
        name: "incomplete",
        aliases: &["inc"],
        args: "",
        help: "customers that lack what the house requires (phone, address, e-mail, contacts)",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Profile,
        name: "profile",
        aliases: &[],
        args: "NAME",
        help: "switch to another account of the config file",
        complete: ArgKind::Profile,
    },
    CommandSpec {
        verb: Verb::Refresh,
        name: "refresh",
        aliases: &[],
        args: "",
        help: "reload from the server",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Help,
        name: "help",
        aliases: &[],
        args: "",
        help: "keys, commands and configuration",
        complete: ArgKind::None,
    },
    CommandSpec {
        verb: Verb::Quit,
        name: "quit",
        aliases: &["q"],
        args: "",
        help: "quit the app",
        complete: ArgKind::None,
    },
];

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportWhat {
    /// The filtered customer list.
    Customers,
    /// The selected customer's contacts, or (`all`) those of every filtered customer.
    Contacts { all: bool },
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Customer(String),
    Contact(String),
    /// `:contacts [role ROLE]`: the contacts pane, to one role or every role.
    Contacts(Option<crate::roles::ContactRole>),
    Profile(String),
    Export {
        what: ExportWhat,
        format: ExportFormat,
    },
    Refresh,
    Help,
    Quit,
    /// `:duplicates`: the duplicate audit.
    Duplicates,
    /// `:sync [full]`: sync the mirror now; `full` walks every record.
    Sync {
        full: bool,
    },
    /// `:onboard`: the client onboarding flow.
    Onboard,
    /// `:log [TEXT]`: the change log, filtered.
    Log(String),
    /// `:undo`: undo the last change.
    Undo,
    /// `:bulk`: the bulk edit that runs or stopped, shown again.
    Bulk,
    /// `:referrals`, `:names`, `:incomplete`: a report over the customers.
    Report(crate::app::report::state::ReportKind),
    /// `:onboarding`: the open onboarding follow-ups.
    Onboarding,
}

/// Parses a command line (without the `:`). Errors are messages for the status line.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':').trim_start();
    let (word, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    if word.is_empty() {
        return Err("Type a command; Tab completes, :help lists them".into());
    }
    let Some(spec) = COMMANDS.iter().find(|c| c.is(word)) else {
        return Err(format!(
            "Unknown command :{} (Tab lists the commands)",
            sanitize::line(word)
        ));
    };
    let needs_text = |what: &str| {
        if rest.is_empty() {
            Err(format!(":{} needs {what}", spec.name))
        } else {
            Ok(rest.to_string())
        }
    };
    let no_arguments = |command: Command| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(format!(":{} takes no arguments", spec.name))
        }
    };
    match spec.verb {
        Verb::Customer => needs_text("a search text").map(Command::Customer),
        Verb::Contact => needs_text("a name, e-mail, phone or title").map(Command::Contact),
        Verb::Profile => needs_text("a profile name").map(Command::Profile),
        Verb::Export => parse_export(rest),
        Verb::Contacts => parse_contacts(rest),
        Verb::Sync => match rest.to_lowercase().as_str() {
            "" => Ok(Command::Sync { full: false }),
            "full" => Ok(Command::Sync { full: true }),
            _ => Err("Use :sync, or :sync full".into()),
        },
        Verb::Log => Ok(Command::Log(rest.to_string())),
        Verb::Undo => no_arguments(Command::Undo),
        Verb::Bulk => no_arguments(Command::Bulk),
        Verb::Referrals => no_arguments(Command::Report(ReportKind::Referrals)),
        Verb::Names => no_arguments(Command::Report(ReportKind::Names)),
        Verb::Incomplete => no_arguments(Command::Report(ReportKind::Incomplete)),
        Verb::Duplicates => no_arguments(Command::Duplicates),
        Verb::Onboard => no_arguments(Command::Onboard),
        Verb::Onboarding => no_arguments(Command::Onboarding),
        Verb::Refresh => no_arguments(Command::Refresh),
        Verb::Help => no_arguments(Command::Help),
        Verb::Quit => no_arguments(Command::Quit),
    }
}

fn parse_contacts(rest: &str) -> Result<Command, String> {
    const USAGE: &str =
        "Use :contacts, or :contacts role decision|authorises|technical|billing|all";
    let words: Vec<String> = rest.split_whitespace().map(str::to_lowercase).collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["role", "all"] | ["role", "any"] => Ok(Command::Contacts(None)),
        ["role", word] => crate::roles::ContactRole::ALL
            .into_iter()
            .find(|r| {
                r.name().to_lowercase().starts_with(word)
                    || r.label().to_lowercase().starts_with(word)
            })
            .map(|r| Command::Contacts(Some(r)))
            .ok_or_else(|| USAGE.to_string()),
        _ => Err(USAGE.into()),
    }
}

fn parse_export(rest: &str) -> Result<Command, String> {
    const USAGE: &str = "Use :export customers csv|json, or :export contacts csv|vcard [all]";
    let words: Vec<String> = rest.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let format = |w: Option<&&str>| w.and_then(|w| ExportFormat::parse(w));
    match words.as_slice() {
        ["customers", f] => match format(Some(f)) {
            Some(ExportFormat::VCard) => Err("Customers export to csv or json".into()),
            Some(format) => Ok(Command::Export {
                what: ExportWhat::Customers,
                format,
            }),
            None => Err(USAGE.into()),
        },
        ["contacts", f] | ["contacts", f, "all"] => match format(Some(f)) {
            Some(ExportFormat::Json) => Err("Contacts export to csv or vcard".into()),
            Some(format) => Ok(Command::Export {
                what: ExportWhat::Contacts {
                    all: words.len() == 3,
                },
                format,
            }),
            None => Err(USAGE.into()),
        },
        _ => Err(USAGE.into()),
    }
}

/// One entry of the popup: what Tab or Enter puts in the prompt, and what the popup shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The whole prompt text after choosing this entry.
    pub line: String,
    /// The entry as shown (`:export customers csv|json`, `csv`).
    pub label: String,
    pub help: String,
}

/// The entries matching the prompt: command names while the first word is typed, then the
/// arguments that fit (profiles, export kinds), or the command's own usage.
pub fn suggestions(line: &str, profiles: &[String]) -> Vec<Suggestion> {
    let trimmed = line.trim_start();
    let Some((word, rest)) = trimmed.split_once(char::is_whitespace) else {
        let prefix = trimmed.to_lowercase();
        return COMMANDS
            .iter()
            .filter(|c| {
                c.name.starts_with(&prefix) || c.aliases.iter().any(|a| a.starts_with(&prefix))
            })
            .map(|c| Suggestion {
                line: if c.complete == ArgKind::None {
                    c.name.to_string()
                } else {
                    format!("{} ", c.name)
                },
                label: c.usage(),
                help: c.help.to_string(),
            })
            .collect();
    };
    let Some(spec) = COMMANDS.iter().find(|c| c.is(word)) else {
        return Vec::new();
    };
    // The words before the one being typed, and the one being typed (empty after a space).
    let mut done: Vec<&str> = rest.split_whitespace().collect();
    let typing = if rest.is_empty() || rest.ends_with(char::is_whitespace) {
        ""
    } else {
        done.pop().unwrap_or("")
    };
    let candidates: Vec<(&str, &str)> = match (spec.complete, done.as_slice()) {
        (ArgKind::Profile, []) => profiles
            .iter()
            .map(|p| (p.as_str(), "profile of the config file"))
            .collect(),
        (ArgKind::Export, []) => vec![
            ("customers", "the filtered customer list"),
            ("contacts", "contacts of the selected customer, or all"),
        ],
        (ArgKind::Export, [w]) if w.eq_ignore_ascii_case("customers") => {
            vec![("csv", "comma-separated"), ("json", "JSON array")]
        }
        (ArgKind::Export, [w]) if w.eq_ignore_ascii_case("contacts") => {
            vec![("csv", "comma-separated"), ("vcard", "vCard 4.0")]
        }
        (ArgKind::Export, [w, _]) if w.eq_ignore_ascii_case("contacts") => {
            vec![("all", "every filtered customer's contacts")]
        }
        _ => Vec::new(),
    };
    let lower = typing.to_lowercase();
    let head: String = std::iter::once(spec.name)
        .chain(done.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let out: Vec<Suggestion> = candidates
        .into_iter()
        .filter(|(c, _)| c.to_lowercase().starts_with(&lower))
        .map(|(c, help)| Suggestion {
            line: format!("{head} {c}"),
            label: sanitize::line(c),
            help: help.to_string(),
        })
        .collect();
    if out.is_empty() && !matches!(spec.complete, ArgKind::Profile | ArgKind::Export) {
        // Free text: the popup keeps showing what the command does.
        return vec![Suggestion {
            line: trimmed.to_string(),
            label: spec.usage(),
            help: spec.help.to_string(),
        }];
    }
    out
}

/// What Tab puts in the prompt: the chosen suggestion, the only one, or the longest common
/// start of all of them; `None` when nothing would change.
pub fn complete(line: &str, profiles: &[String], chosen: Option<usize>) -> Option<String> {
    let sugg = suggestions(line, profiles);
    let current = line.trim_start();
    let mut pick = match chosen.and_then(|i| sugg.get(i)) {
        Some(s) => s.line.clone(),
        None if sugg.len() == 1 => sugg[0].line.clone(),
        None => common_prefix(sugg.iter().map(|s| s.line.as_str()))?,
    };
    // A finished argument gets a space so the next one can be typed.
    if (chosen.is_some() || sugg.len() == 1) && !pick.ends_with(' ') && wants_more(&pick) {
        pick.push(' ');
    }
    (pick.len() > current.len() || (chosen.is_some() && pick != current)).then_some(pick)
}

/// Whether the command line can take another argument.
fn wants_more(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    matches!(words.as_slice(), ["export", _] | ["export", "contacts", _])
}

fn common_prefix<'a>(mut items: impl Iterator<Item = &'a str>) -> Option<String> {
    let first = items.next()?;
    let mut len = first.len();
    for s in items {
        len = first
            .char_indices()
            .zip(s.chars())
            .take_while(|((_, a), b)| a.eq_ignore_ascii_case(b))
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    Some(first[..len].to_string())
}

/// The prompt's state.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: Input,
    /// The highlighted suggestion (Up/Down), if any.
    pub chosen: Option<usize>,
    /// Command lines run, oldest first.
    pub history: Vec<String>,
    /// Position while walking the history with Up/Down.
    pub history_pos: Option<usize>,
    /// An export waiting for the rest of the list's pages.
    pub pending_export: Option<(ExportWhat, ExportFormat)>,
}

impl Palette {
    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// A fresh prompt holding `text` (the palette just opened).
    pub fn start(&mut self, text: &str) {
        self.input = Input::new(text.to_string());
        self.chosen = None;
        self.history_pos = None;
    }
}

/// How many suggestions the popup shows at most.
pub const POPUP_ROWS: usize = 8;

/// One contact found by `:contact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactHit {
    pub customer_id: Id,
    /// Position in the customer's contacts (the Contacts tab's row).
    pub index: usize,
    /// Sanitised, for display.
    pub name: String,
    pub customer: String,
    /// E-mail, phone and title that are set, joined with ` · `.
    pub detail: String,
}

/// The results of a `:contact` search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactResults {
    pub query: String,
    pub hits: Vec<ContactHit>,
    pub cursor: usize,
}

/// The contacts embedded in the loaded customers whose name, e-mail, phone (digits too) or
/// title contains `needle` (case-insensitive), in list order.
pub fn find_contacts(rows: &[Row], order: &[usize], needle: &str) -> Vec<ContactHit> {
    let needle = needle.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
    let phone_query = digits.len() >= 3
        && needle
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let mut out = Vec::new();
    for &i in order {
        let Some(row) = rows.get(i) else { continue };
        let c = &row.customer();
        for (index, ct) in c.contacts.iter().enumerate() {
            let title = ct.title();
            let text_fields = [&ct.name, &ct.email, &title, &ct.phone, &ct.mobile];
            let text_hit = text_fields.iter().any(|f| {
                f.as_deref()
                    .is_some_and(|v| v.to_lowercase().contains(&needle))
            });
            let phone_hit = phone_query
                && [&ct.phone, &ct.mobile].iter().any(|f| {
                    f.as_deref().is_some_and(|v| {
                        v.chars()
                            .filter(char::is_ascii_digit)
                            .collect::<String>()
                            .contains(&digits)
                    })
                });
            if !(text_hit || phone_hit) {
                continue;
            }
            let detail: Vec<String> = [&ct.email, &ct.phone, &ct.mobile, &title]
                .iter()
                .filter_map(|f| f.as_deref().filter(|v| !v.trim().is_empty()))
                .map(sanitize::line)
                .collect();
            out.push(ContactHit {
                customer_id: c.id,
                index,
                name: sanitize::line(ct.name.as_deref().unwrap_or("(no name)")),
                customer: row.view.name().to_string(),
                detail: detail.join(" · "),
            });
        }
    }
    out
}
