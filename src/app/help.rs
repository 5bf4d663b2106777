//! The help overlay (`?` from any screen without a text field): every key of every screen,
//! generated from the keymap in force, the palette's commands and the configuration; opened at
//! the keys of the screen it covers, which stays drawn around it. Closing it pops back there.

use crate::app::action::Cmd;
use crate::app::keymap::{EDITING, Key, MODES, cmd_name, mode_name};
use crate::app::kinds::Mode;
use crate::app::layout;
use crate::app::stack::{HelpView, Screen};
use crate::app::state::{App, AppConfig};

/// One line of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Heading(String),
    Entry { keys: String, text: String },
    Text(String),
    Blank,
}

/// The help overlay's content: where things are, then every key by mode, from the tables above.
pub fn help_lines(config: &AppConfig) -> Vec<HelpLine> {
    let mut out = vec![
        HelpLine::Text(format!(
            "Server  {}{}",
            crate::sanitize::line(&config.server),
            if config.demo { "  (demo data)" } else { "" }
        )),
        HelpLine::Text(format!(
            "Config  {}",
            crate::sanitize::line(&config.config_path)
        )),
        HelpLine::Text(format!(
            "Log     {}",
            crate::sanitize::line(&config.log_path)
        )),
    ];
    if let Some(p) = &config.profile {
        out.push(HelpLine::Text(format!(
            "Profile {}  key {}",
            crate::sanitize::line(&p.name),
            crate::sanitize::line(&p.key)
        )));
    }
    for (mode, heading) in MODES {
        out.push(HelpLine::Blank);
        out.push(HelpLine::Heading(heading.to_string()));
        for b in config.keymap.bindings(mode) {
            let keys: Vec<String> = b.keys.iter().map(Key::label).collect();
            out.push(HelpLine::Entry {
                keys: if keys.is_empty() {
                    "(no key)".into()
                } else {
                    keys.join(" ")
                },
                text: format!("{} · {}", b.help, cmd_name(b.cmd)),
            });
        }
        if mode == Mode::Search {
            let mut seen: Vec<&str> = Vec::new();
            for (_, _, help) in EDITING {
                if seen.contains(help) {
                    continue;
                }
                seen.push(help);
                let keys: Vec<String> = EDITING
                    .iter()
                    .filter(|(_, _, h)| h == help)
                    .map(|(k, _, _)| k.label())
                    .collect();
                out.push(HelpLine::Entry {
                    keys: keys.join(" "),
                    text: help.to_string(),
                });
            }
            out.push(HelpLine::Entry {
                keys: "any other key".into(),
                text: "typed into the search (q and j too)".into(),
            });
        }
        if mode == Mode::Normal {
            // The same keys in the contacts pane, where they mean something else.
            let keys_of = |cmd: Cmd| -> String {
                config
                    .keymap
                    .bindings(mode)
                    .iter()
                    .filter(|b| b.cmd == cmd)
                    .flat_map(|b| b.keys.iter().map(Key::label).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            out.push(HelpLine::Blank);
            out.push(HelpLine::Text(
                "In the contacts pane (c), these keys act on contacts:".into(),
            ));
            for (cmd, text) in [
                (Cmd::SortNext, "sort by name, customer, role, updated"),
                (Cmd::ToggleDisabled, "show / hide contacts who left"),
                (Cmd::Open, "on the contact's detail: open its customer"),
            ] {
                let keys = keys_of(cmd);
                if !keys.is_empty() {
                    out.push(HelpLine::Entry {
                        keys,
                        text: text.into(),
                    });
                }
            }
        }
        if mode == Mode::Palette {
            out.push(HelpLine::Entry {
                keys: "any other key".into(),
                text: "typed into the prompt; editing keys as in the search".into(),
            });
            for c in crate::app::palette::state::COMMANDS {
                out.push(HelpLine::Entry {
                    keys: c.usage(),
                    text: c.help.to_string(),
                });
            }
        }
        if mode == Mode::OnboardForm {
            out.push(HelpLine::Entry {
                keys: "← → Space letter".into(),
                text: "customer type, contact role: pick from the list".into(),
            });
            out.push(HelpLine::Entry {
                keys: "any other key".into(),
                text: "typed into the field (editing keys as in the search)".into(),
            });
        }
        if mode == Mode::Form {
            out.push(HelpLine::Entry {
                keys: "← → Space letter".into(),
                text: "customer type: pick from the list".into(),
            });
            out.push(HelpLine::Entry {
                keys: "letter Backspace".into(),
                text: "Referral (a customer): search it by name / clear it".into(),
            });
            out.push(HelpLine::Entry {
                keys: "m t".into(),
                text: "conflicts: keep mine / take the server's (Enter goes on)".into(),
            });
            out.push(HelpLine::Entry {
                keys: "any other key".into(),
                text: "typed into the field (editing keys as in the search)".into(),
            });
        }
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Heading("Configuration".into()));
    let config_text = [
        format!(
            "[keys.MODE] ACTION = \"KEY\" (or a list) replaces an action's keys. Modes: {}. \
             ACTION is the name after the · of each key above (quit, page_down, ...).",
            MODES.map(|(m, _)| mode_name(m)).join(", ")
        ),
        format!(
            "[colors] ROLE = \"COLOUR\" (a name, #rrggbb or 0-255). Roles: {}. \
             theme = \"dark\" or \"light\"; NO_COLOR turns colours off.",
            crate::config::colors::ROLES.join(", ")
        ),
    ];
    for paragraph in config_text {
        out.extend(
            crate::text::wrap(&paragraph, 72)
                .into_iter()
                .map(HelpLine::Text),
        );
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Text(
        "Search matches names, e-mails, city, phone digits and the customer's contacts.".into(),
    ));
    out.push(HelpLine::Text(
        "Phone numbers read the same everywhere, and y copies them as shown; o never puts \
         the API key in the URL."
            .into(),
    ));
    out.push(HelpLine::Text(
        "Times are shown in the zone Syncro gives them, which follows each time (UTC or \
         -05:00); the change log's times are UTC."
            .into(),
    ));
    out
}

/// The width of the keys column of the help overlay `width` cells wide.
pub fn keys_width(width: usize) -> usize {
    22.min(width / 2)
}

/// The help overlay's lines as they are drawn `width` cells wide: a description too long for
/// its line wraps under itself, and keys too long for their column (`:export ...`) take a line
/// of their own with the description below. Nothing is cut.
pub fn screen_lines(config: &AppConfig, width: usize) -> Vec<HelpLine> {
    let keys_w = keys_width(width);
    let text_w = width.saturating_sub(keys_w + 3).max(10);
    let mut out = Vec::new();
    for line in help_lines(config) {
        match line {
            HelpLine::Entry { keys, text } => {
                let mut first = keys;
                if crate::text::width(&first) > keys_w {
                    out.push(HelpLine::Entry {
                        keys: first,
                        text: String::new(),
                    });
                    first = String::new();
                }
                for piece in crate::text::wrap(&text, text_w) {
                    out.push(HelpLine::Entry {
                        keys: std::mem::take(&mut first),
                        text: piece,
                    });
                }
            }
            HelpLine::Text(t) => out.extend(
                crate::text::wrap(&t, width.max(1))
                    .into_iter()
                    .map(HelpLine::Text),
            ),
            other => out.push(other),
        }
    }
    out
}

/// The inside width of the help overlay on a terminal of this size.
fn inner_width(app: &App) -> usize {
    usize::from(layout::help_area(app.size).width.saturating_sub(2))
}

/// `?`: the help overlay, scrolled to the keys of the screen in front (the list starts at the
/// top).
pub fn open(app: &mut App) {
    let from = app.mode();
    let mut scroll = 0;
    if from != Mode::Normal
        && let Some((_, title)) = MODES.iter().find(|(m, _)| *m == from)
    {
        let at = screen_lines(&app.config, inner_width(app))
            .iter()
            .position(|l| matches!(l, HelpLine::Heading(h) if h == title));
        scroll = at.unwrap_or(0).min(max_scroll(app));
    }
    app.stack.push(Screen::Help(HelpView { scroll }));
}

/// Keys on the help overlay.
pub fn command(app: &mut App, cmd: Cmd) {
    let page = viewport(app);
    let max = max_scroll(app);
    if matches!(cmd, Cmd::Close | Cmd::Help) {
        app.stack.pop();
        return;
    }
    let Some(h) = app.stack.help_mut() else {
        return;
    };
    let s = &mut h.scroll;
    match cmd {
        Cmd::Down => *s = (*s + 1).min(max),
        Cmd::Up => *s = s.saturating_sub(1),
        Cmd::PageDown => *s = (*s + page).min(max),
        Cmd::PageUp => *s = s.saturating_sub(page),
        _ => {}
    }
}

/// After a resize: the scroll stays in range.
pub fn resize(app: &mut App) {
    let max = max_scroll(app);
    if let Some(h) = app.stack.help_mut() {
        h.scroll = h.scroll.min(max);
    }
}

fn viewport(app: &App) -> usize {
    usize::from(layout::help_area(app.size).height.saturating_sub(2)).max(1)
}

fn max_scroll(app: &App) -> usize {
    screen_lines(&app.config, inner_width(app))
        .len()
        .saturating_sub(viewport(app))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help says what `s`, `x` and Enter do in the contacts pane, with the keys bound.
    #[test]
    fn the_help_says_what_the_keys_do_in_the_contacts_pane() {
        let lines = help_lines(&AppConfig::default());
        let entry = |text: &str| {
            lines.iter().find_map(|l| match l {
                HelpLine::Entry { keys, text: t } if t == text => Some(keys.clone()),
                _ => None,
            })
        };
        assert!(
            lines.iter().any(
                |l| matches!(l, HelpLine::Text(t) if t.starts_with("In the contacts pane (c)"))
            )
        );
        assert_eq!(
            entry("sort by name, customer, role, updated").as_deref(),
            Some("s")
        );
        assert_eq!(entry("show / hide contacts who left").as_deref(), Some("x"));
        assert!(
            entry("on the contact's detail: open its customer")
                .is_some_and(|k| k.contains("Enter"))
        );
    }
}
