//! `syncro-tui man`: the manual page, in roff. The command line comes from the clap
//! definitions (`cli`), the keys and the palette's commands from the same tables as the help
//! screen (`app::help`, default keymap), the configuration keys from `config.example.toml`,
//! then the files and the environment variables. It refers to no other page: everything,
//! subcommands included, is on this one.

use std::io::{self, Write};

use clap::CommandFactory;

use crate::app::help::{HelpLine, help_lines};
use crate::cli::Cli;

/// Text made safe for roff: backslashes and hyphens escaped, no line starting with `.` or `'`.
fn roff(s: &str) -> String {
    let t = s.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

/// Writes the whole manual page.
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    commands(&cmd, out)?;
    keys(out)?;
    configuration(out)?;
    files(out)?;
    environment(out)?;
    man.render_version_section(out)?;
    Ok(())
}

/// Every subcommand (and theirs: `config check`), with its arguments and options.
fn commands(cmd: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, ".SH COMMANDS")?;
    writeln!(
        out,
        "Without a command, syncro\\-tui runs the terminal app. The global options above work \
         with every command."
    )?;
    fn one(prefix: &str, c: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
        let name = format!("{prefix}{}", c.get_name());
        let subs: Vec<&clap::Command> = c
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        if !subs.is_empty() {
            for s in subs {
                one(&format!("{name} "), s, out)?;
            }
            return Ok(());
        }
        let args: Vec<String> = c
            .get_positionals()
            .map(|a| {
                let v = a
                    .get_value_names()
                    .and_then(|n| n.first())
                    .map_or_else(|| a.get_id().to_string(), |n| n.to_string());
                format!("\\fI{}\\fR", roff(&v))
            })
            .collect();
        writeln!(out, ".TP")?;
        writeln!(
            out,
            "\\fBsyncro\\-tui {}\\fR {}",
            roff(&name),
            args.join(" ")
        )?;
        if let Some(about) = c.get_long_about().or(c.get_about()) {
            writeln!(out, "{}", roff(&about.to_string()))?;
        }
        for a in c.get_arguments().filter(|a| !a.is_global_set()) {
            let Some(long) = a.get_long() else { continue };
            let value = a
                .get_value_names()
                .and_then(|n| n.first())
                .filter(|_| a.get_action().takes_values())
                .map(|n| format!(" \\fI{}\\fR", roff(n)))
                .unwrap_or_default();
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            writeln!(out, ".br")?;
            writeln!(out, "\\fB\\-\\-{}\\fR{value}: {}", roff(long), roff(&help))?;
        }
        Ok(())
    }
    for c in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        one("", c, out)?;
    }
    Ok(())
}

/// The keys of every screen and the palette's commands, as the help screen lists them with
/// the default keymap (the help screen follows `[keys]` overrides; this page cannot).
fn keys(out: &mut dyn Write) -> io::Result<()> {
    let config = crate::app::AppConfig::default();
    writeln!(out, ".SH KEYS")?;
    writeln!(
        out,
        "The default keys, screen by screen, as the help screen (\\fB?\\fR) lists them; \
         after the \\(bu is the action's name for \\fB[keys.MODE]\\fR overrides."
    )?;
    let mut palette: Vec<(String, String)> = Vec::new();
    let mut started = false;
    for line in help_lines(&config) {
        match line {
            HelpLine::Heading(h) if h == "Configuration" => break,
            HelpLine::Heading(h) => {
                started = true;
                writeln!(out, ".SS {}", roff(&h))?;
            }
            HelpLine::Entry { keys, text }
                if started && keys.starts_with(':') && keys.len() > 1 =>
            {
                palette.push((keys, text));
            }
            HelpLine::Entry { keys, text } if started => {
                writeln!(out, ".TP")?;
                writeln!(out, "\\fB{}\\fR", roff(&keys))?;
                writeln!(out, "{}", roff(&text).replace(" · ", " \\(bu "))?;
            }
            _ => {}
        }
    }
    writeln!(out, ".SH PALETTE COMMANDS")?;
    writeln!(
        out,
        "Typed after \\fB:\\fR; \\fBTab\\fR completes commands, profile names and formats."
    )?;
    for (usage, help) in palette {
        writeln!(out, ".TP")?;
        writeln!(out, "\\fB{}\\fR", roff(&usage))?;
        writeln!(out, "{}", roff(&help))?;
    }
    Ok(())
}

/// Every key of the config file, with the comment that documents it in the example file.
fn configuration(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, ".SH CONFIGURATION")?;
    writeln!(
        out,
        "A TOML file (\\fBsyncro\\-tui config path\\fR prints where; \\fB\\-\\-config\\fR or \
         SYNCRO_TUI_CONFIG choose another). Every key is optional."
    )?;
    let mut table = String::new();
    let mut comment: Vec<&str> = Vec::new();
    let mut intro = true;
    for line in crate::config::EXAMPLE_CONFIG.lines() {
        let t = line.trim();
        if let Some(c) = t.strip_prefix('#') {
            // The file's own introduction (before the first blank line) is the paragraph above.
            if !intro {
                comment.push(c.trim());
            }
            continue;
        }
        if t.is_empty() {
            intro = false;
            if !comment.is_empty() && table.is_empty() {
                comment.clear();
            }
            continue;
        }
        intro = false;
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            table = name.to_string();
            writeln!(out, ".SS [{}]", roff(&table))?;
            if !comment.is_empty() {
                writeln!(out, "{}", roff(&comment.join(" ")))?;
            }
            comment.clear();
            continue;
        }
        if let Some((key, value)) = t.split_once('=') {
            writeln!(out, ".TP")?;
            writeln!(out, "\\fB{}\\fR = {}", roff(key.trim()), roff(value.trim()))?;
            if !comment.is_empty() {
                writeln!(out, "{}", roff(&comment.join(" ")))?;
            }
            comment.clear();
        }
    }
    Ok(())
}

fn files(out: &mut dyn Write) -> io::Result<()> {
    let entries: &[(&str, &str)] = &[
        (
            "the config file",
            "on Linux ~/.config/syncro\\-tui/config.toml (\\fBsyncro\\-tui config path\\fR)",
        ),
        (
            "the data directory",
            "on Linux ~/.local/share/syncro\\-tui; the help screen shows the paths in use",
        ),
        (
            "syncro\\-tui.log",
            "the log: every request's method, path, status and time, never a key",
        ),
        (
            "mirror\\-PROFILE.bin",
            "the local mirror of the account (\\fBsyncro\\-tui sync\\fR, \\fBcache clear\\fR)",
        ),
        (
            "changes\\-PROFILE.jsonl",
            "the change log: every write the app made (\\fB:log\\fR, undo)",
        ),
        (
            "dismissed\\-PROFILE.json",
            "groups the duplicate audit was told are not duplicates",
        ),
        (
            "drafts/",
            "forms and onboardings typed but not sent, offered back at the next start",
        ),
        (
            "flows/",
            "journals of merges, bulk edits and onboardings, to resume after a failure",
        ),
        ("merge\\-log.jsonl", "every merge step"),
        ("exports/", "\\fB:export\\fR files (or export_dir)"),
        (
            "demo\\-server.json",
            "the demo mode's data, kept between runs with its mirror (mirror\\-demo.bin); \
             \\fBsyncro\\-tui demo reset\\fR starts the demo over",
        ),
    ];
    writeln!(out, ".SH FILES")?;
    for (name, what) in entries {
        writeln!(out, ".TP")?;
        writeln!(out, "\\fI{name}\\fR")?;
        writeln!(out, "{what}")?;
    }
    Ok(())
}

fn environment(out: &mut dyn Write) -> io::Result<()> {
    let entries: &[(&str, &str)] = &[
        (
            "SYNCRO_API_KEY",
            "the API key; wins over the profile's api_key_command, the keyring and api_key",
        ),
        (
            "SYNCRO_TUI_CONFIG",
            "the config file to use (as \\fB\\-\\-config\\fR)",
        ),
        (
            "RUST_LOG",
            "the log file's level or filter; wins over \\fB\\-\\-log\\-level\\fR and log_level",
        ),
        ("NO_COLOR", "any value: no colours, only bold and reverse"),
        (
            "VISUAL, EDITOR",
            "the editor of \\fBCtrl\\-e\\fR in a form (multi\\-line notes)",
        ),
    ];
    writeln!(out, ".SH ENVIRONMENT")?;
    for (name, what) in entries {
        writeln!(out, ".TP")?;
        writeln!(out, "\\fB{}\\fR", roff(name))?;
        writeln!(out, "{what}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> String {
        let mut buf = Vec::new();
        write_man(&mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    /// The page is a manual: every section, the keys and the palette's commands of the help
    /// screen's tables, every config key of the example file, and no reference to a page
    /// that does not exist (such as syncro-tui-demo(1)).
    #[test]
    fn the_man_page_is_a_manual_without_dangling_references() {
        let text = page();
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH OPTIONS",
            ".SH COMMANDS",
            ".SH KEYS",
            ".SH PALETTE COMMANDS",
            ".SH CONFIGURATION",
            ".SH FILES",
            ".SH ENVIRONMENT",
        ] {
            assert!(text.contains(section), "{section}");
        }
        assert!(!text.contains("(1)"), "no reference to another page");
        assert!(
            !text.contains("syncro\\-tui\\-"),
            "a reference to a sub-page"
        );
        assert!(!text.contains("SEE ALSO"));
        // Keys and commands from the tables.
        for c in crate::app::palette::state::COMMANDS {
            assert!(text.contains(&roff(&c.usage())), "{}", c.usage());
        }
        for needle in [
            "page_down",
            "demo reset",
            "config check",
            "SYNCRO_API_KEY",
            "NO_COLOR",
        ] {
            assert!(text.contains(&roff(needle)), "{needle}");
        }
        // Every config key of the example file.
        for line in crate::config::EXAMPLE_CONFIG.lines() {
            let t = line.trim();
            if t.starts_with('#') || t.starts_with('[') || t.is_empty() {
                continue;
            }
            if let Some((key, _)) = t.split_once('=') {
                assert!(
                    text.contains(&format!("\\fB{}\\fR", roff(key.trim()))),
                    "{key}"
                );
            }
        }
    }
}
