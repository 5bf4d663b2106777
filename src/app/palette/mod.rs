//! The `:` command palette (k9s style): a one-line prompt with completion, a popup of matching
//! commands, history, and the commands themselves.
//!
//! [`COMMANDS`] is the registry: one row per command (name, aliases, arguments, help, how its
//! arguments complete). The help overlay lists it. To add a command: add a row, a [`Command`]
//! variant, a case in [`parse`] and one in [`run`].

pub mod state;

use tui_input::{Input, InputRequest};

use crate::app::action::Cmd;
use crate::app::effect::Effect;
use crate::app::kinds::{Focus, Tab};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{audit, contacts, find, help, mirror, onboard, panes};
use crate::export::{self, ExportFormat};
use crate::sanitize;
use crate::text::plural;
use state::{
    Command, ContactHit, ContactResults, ExportWhat, POPUP_ROWS, complete, find_contacts, parse,
    suggestions,
};

fn is_palette(s: &Screen) -> bool {
    matches!(s, Screen::Palette)
}

/// `:` pressed: an empty prompt.
pub fn open(app: &mut App) {
    app.stack.push(Screen::Palette);
    app.palette.start("");
}

fn close(app: &mut App) {
    app.stack.remove(is_palette);
    app.palette.input.reset();
    app.palette.chosen = None;
    app.palette.history_pos = None;
}

/// A key typed into the prompt. Backspace on an empty prompt closes it.
pub fn edit(app: &mut App, req: InputRequest) {
    if app.palette.text().is_empty() && req == InputRequest::DeletePrevChar {
        close(app);
        return;
    }
    let before = app.palette.text().to_string();
    app.palette.input.handle(req);
    if app.palette.text() != before {
        app.palette.chosen = None;
        app.palette.history_pos = None;
    }
}

fn set_line(app: &mut App, line: String) {
    app.palette.input = Input::new(line);
}

/// Keys in the prompt.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    match cmd {
        Cmd::Close => close(app),
        Cmd::Complete => {
            if let Some(line) =
                complete(app.palette.text(), &app.config.profiles, app.palette.chosen)
            {
                set_line(app, line);
                app.palette.chosen = None;
            } else if app.palette.chosen.is_none()
                && suggestions(app.palette.text(), &app.config.profiles).len() > 1
            {
                // Nothing in common to add: highlight the first entry; Tab again takes it.
                app.palette.chosen = Some(0);
            } else {
                app.palette.chosen = None;
            }
        }
        Cmd::Up | Cmd::Down => {
            let down = cmd == Cmd::Down;
            if app.palette.text().is_empty() || app.palette.history_pos.is_some() {
                walk_history(app, down);
            } else {
                let n = suggestions(app.palette.text(), &app.config.profiles)
                    .len()
                    .min(POPUP_ROWS);
                app.palette.chosen = match (app.palette.chosen, down) {
                    _ if n == 0 => None,
                    (None, true) => Some(0),
                    (None, false) => Some(n - 1),
                    (Some(i), true) => Some((i + 1) % n),
                    (Some(i), false) => Some((i + n - 1) % n),
                };
            }
        }
        Cmd::Run => {
            let mut line = app.palette.text().trim().to_string();
            if let Some(s) = app
                .palette
                .chosen
                .and_then(|i| suggestions(&line, &app.config.profiles).into_iter().nth(i))
            {
                line = s.line.trim().to_string();
            }
            match parse(&line) {
                Ok(command) => {
                    if app.palette.history.last() != Some(&line) {
                        app.palette.history.push(line);
                    }
                    close(app);
                    run(app, command, fx);
                }
                Err(e) => {
                    set_line(app, line);
                    app.palette.chosen = None;
                    app.say(e, true);
                }
            }
        }
        _ => {}
    }
}

fn walk_history(app: &mut App, older: bool) {
    let n = app.palette.history.len();
    if n == 0 {
        return;
    }
    // Up (older) walks back from the newest entry; Down walks forward and then empties.
    let pos = match (app.palette.history_pos, older) {
        (None, false) => Some(n - 1),
        (None, true) => return,
        (Some(0), false) => Some(0),
        (Some(i), false) => Some(i - 1),
        (Some(i), true) if i + 1 < n => Some(i + 1),
        (Some(_), true) => None,
    };
    let line = pos.map_or(String::new(), |i| app.palette.history[i].clone());
    set_line(app, line);
    app.palette.history_pos = pos;
}

/// Keys on the contacts `:contact` found.
pub fn results_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let is_results = |s: &Screen| matches!(s, Screen::Results(_));
    let Some(r) = app.stack.results_mut() else {
        return;
    };
    let n = r.hits.len();
    match cmd {
        Cmd::Close => {
            app.stack.remove(is_results);
        }
        Cmd::Down if n > 0 => r.cursor = (r.cursor + 1).min(n - 1),
        Cmd::Up => r.cursor = r.cursor.saturating_sub(1),
        Cmd::Open => {
            if let Some(hit) = r.hits.get(r.cursor).cloned() {
                app.stack.remove(is_results);
                jump_to_contact(app, &hit, fx);
            }
        }
        _ => {}
    }
}

fn notice(app: &mut App, text: String, error: bool) {
    app.say(text, error);
}

/// Runs a parsed command (the palette is already closed).
pub fn run(app: &mut App, command: Command, fx: &mut Vec<Effect>) {
    match command {
        Command::Quit => app.quit = true,
        Command::Help => help::open(app),
        Command::Refresh => mirror::refresh(app, fx),
        Command::Customer(text) => {
            // The list's own search, as if typed after `/` and kept with Enter.
            app.focus = Focus::List;
            panes::set_search(app, &text);
        }
        Command::Contact(text) if app.mirror.active => {
            // The whole account is searchable: the find-anywhere popup, already searched.
            find::open_with(app, &text);
        }
        Command::Duplicates => audit::open(app, fx),
        Command::Contacts(role) => contacts::show_role(app, role, fx),
        Command::Onboard => onboard::open(app),
        Command::Sync { full } => mirror::sync_with(app, full, fx),
        Command::Contact(text) => {
            let hits = find_contacts(&app.list.rows, &app.list.order, &text);
            match hits.len() {
                0 => notice(
                    app,
                    format!(
                        "No contact of the {} loaded customers matches \"{}\"",
                        app.list.rows.len(),
                        sanitize::line(&text)
                    ),
                    true,
                ),
                1 => jump_to_contact(app, &hits[0], fx),
                _ => {
                    app.stack.push(Screen::Results(ContactResults {
                        query: sanitize::line(&text),
                        hits,
                        cursor: 0,
                    }));
                }
            }
        }
        Command::Profile(name) => {
            if app.config.profiles.contains(&name) {
                notice(
                    app,
                    format!("Switching to profile {}…", sanitize::line(&name)),
                    false,
                );
                fx.push(Effect::SwitchProfile(name));
            } else {
                let known = if app.config.profiles.is_empty() {
                    "the config file defines none".to_string()
                } else {
                    format!("profiles: {}", app.config.profiles.join(", "))
                };
                notice(
                    app,
                    format!("No profile \"{}\" ({known})", sanitize::line(&name)),
                    true,
                );
            }
        }
        Command::Export { what, format } => export_effect(app, what, format, fx),
        Command::Log(text) => crate::app::log::open(app, &text, fx),
        Command::Undo => crate::app::log::undo_last(app, fx),
        Command::Bulk => crate::app::bulk::show(app),
        Command::Report(kind) => crate::app::report::open(app, kind),
        Command::Onboarding => crate::app::followup::open(app, fx),
    }
}

/// Exports the whole filtered list: the pages not loaded yet are fetched first (the export
/// then runs when the last one arrives, see [`page_arrived`]).
fn export_effect(app: &mut App, what: ExportWhat, format: ExportFormat, fx: &mut Vec<Effect>) {
    // Marked records are exported as they are: no page to wait for.
    let whole_list = matches!(
        what,
        ExportWhat::Customers | ExportWhat::Contacts { all: true }
    ) && app.marks.customers.is_empty()
        && app.marks.contacts.is_empty();
    if whole_list && panes::load_next_page(app, fx) {
        app.palette.pending_export = Some((what, format));
        notice(
            app,
            "Loading every page of the list for the export…".into(),
            false,
        );
        return;
    }
    export_now(app, what, format, fx);
}

/// A page of customers arrived: an export waiting for the whole list asks for the next page,
/// or runs once there is none.
pub(crate) fn page_arrived(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((what, format)) = app.palette.pending_export else {
        return;
    };
    if panes::load_next_page(app, fx) {
        return;
    }
    app.palette.pending_export = None;
    export_now(app, what, format, fx);
}

/// A page failed: a waiting export is given up (the error is in the status line).
pub(crate) fn page_failed(app: &mut App) {
    if app.palette.pending_export.take().is_some()
        && let Some(m) = &mut app.message
    {
        m.text = format!("Export cancelled. {}", m.text);
    }
}

/// Builds the export file's content from what the list shows and asks the worker to write it.
fn export_now(app: &mut App, what: ExportWhat, format: ExportFormat, fx: &mut Vec<Effect>) {
    let opts = app.config.export;
    // The rows on screen, each decoded as the export reaches it and dropped after: a whole
    // mirror is never held decoded.
    // With marks: the marked customers (in the list's order, also those the filter hides).
    let marks = &app.marks;
    let marked = !marks.customers.is_empty();
    let shown = || {
        let rows: Box<dyn Iterator<Item = &usize>> = if marked {
            Box::new(app.list.order.iter())
        } else {
            Box::new(app.list.shown.iter())
        };
        rows.filter_map(|&i| app.list.rows.get(i))
            .filter(move |r| !marked || marks.customers.contains(&r.id()))
            .map(|r| r.customer())
    };
    let customers_n = if marked {
        marks.customers.len()
    } else {
        app.list.shown.len()
    };
    // Marked contacts: each with its customer, the customer holding only those.
    let marked_contacts = || {
        let mut by_customer: Vec<usize> = app
            .contacts
            .rows
            .iter()
            .filter(|r| marks.contacts.contains(&r.id))
            .filter_map(|r| app.list.index.get(&r.customer_id).copied())
            .collect();
        by_customer.sort_unstable();
        by_customer.dedup();
        by_customer.into_iter().map(|i| {
            let mut c = app.list.rows[i].customer();
            c.contacts.retain(|k| marks.contacts.contains(&k.id));
            c
        })
    };
    let (stem, text, count) = match what {
        ExportWhat::Customers => {
            let text = match format {
                ExportFormat::Json => match export::customers_json(shown()) {
                    Ok(t) => t,
                    Err(e) => {
                        return notice(app, format!("Export failed: {e}"), true);
                    }
                },
                _ => export::customers_csv(shown(), opts),
            };
            (
                if marked {
                    "customers-marked"
                } else {
                    "customers"
                }
                .to_string(),
                text,
                plural(customers_n, "customer"),
            )
        }
        ExportWhat::Contacts { .. } if !marks.contacts.is_empty() => {
            let (text, n) = match format {
                ExportFormat::VCard => export::embedded_contacts_vcard(marked_contacts()),
                _ => export::embedded_contacts_csv(marked_contacts(), opts),
            };
            ("contacts-marked".to_string(), text, plural(n, "contact"))
        }
        ExportWhat::Contacts { all } => {
            let selected = if all {
                None
            } else {
                match app.list.selected() {
                    Some(r) => Some(r.customer()),
                    None => return notice(app, "No customer is selected".into(), true),
                }
            };
            let stem = match &selected {
                None => "contacts".to_string(),
                Some(c) => format!("contacts-{}", c.display_name()),
            };
            let (text, n) = match (format, selected) {
                (ExportFormat::VCard, None) => export::embedded_contacts_vcard(shown()),
                (ExportFormat::VCard, Some(c)) => export::embedded_contacts_vcard([c]),
                (_, None) => export::embedded_contacts_csv(shown(), opts),
                (_, Some(c)) => export::embedded_contacts_csv([c], opts),
            };
            (stem, text, plural(n, "contact"))
        }
    };
    notice(app, format!("Exporting {count}…"), false);
    fx.push(Effect::Export {
        dir: app.config.export_dir.clone(),
        stem,
        format,
        text,
        what: count,
    });
}

/// Selects the hit's customer in the list (clearing a search that hides it), opens the
/// Contacts tab and puts the cursor on the contact.
pub fn jump_to_contact(app: &mut App, hit: &ContactHit, fx: &mut Vec<Effect>) {
    let find = |app: &App| {
        app.list.shown.iter().position(|&i| {
            app.list
                .rows
                .get(i)
                .is_some_and(|r| r.id() == hit.customer_id)
        })
    };
    let mut pos = find(app);
    if pos.is_none() && !app.search.text().is_empty() {
        panes::clear_search(app, fx);
        pos = find(app);
    }
    let Some(pos) = pos else {
        return notice(
            app,
            format!(
                "{} is not in the list any more (refresh with r)",
                hit.customer
            ),
            true,
        );
    };
    app.list.cursor = pos;
    panes::ensure_visible(app);
    panes::sync_detail(app, false);
    panes::show_tab(app, Tab::Contacts);
    panes::set_contact_cursor(app, hit.index);
    app.focus = Focus::Detail;
    panes::keep_detail_visible(app);
    notice(app, format!("{} at {}", hit.name, hit.customer), false);
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use crate::app::prelude::*;

    #[test]
    fn every_listed_command_parses_to_itself_and_an_unknown_one_is_an_error() {
        use super::state::{COMMANDS, Verb};
        for spec in COMMANDS {
            let args = match spec.verb {
                Verb::Customer | Verb::Contact | Verb::Profile => " x",
                Verb::Export => " customers csv",
                _ => "",
            };
            for name in std::iter::once(spec.name).chain(spec.aliases.iter().copied()) {
                let parsed = parse(&format!("{name}{args}")).unwrap();
                assert_eq!(
                    parsed == Command::Quit,
                    spec.verb == Verb::Quit,
                    ":{name} parsed as {parsed:?}"
                );
            }
        }
        assert!(parse("frobnicate").is_err());
        assert!(parse("qq").is_err());
    }
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    #[test]
    fn counts_in_messages_read_like_the_list_title() {
        assert_eq!(plural(1, "contact"), "1 contact");
        assert_eq!(plural(3, "contact"), "3 contacts");
        assert_eq!(plural(96_182, "customer"), "96,182 customers");
    }
    use crate::app::fixtures;
    use crate::app::keymap::map_key;

    fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
        match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
            Some(a) => update(app, a),
            None => Vec::new(),
        }
    }

    /// Types `:` + `line` + Enter and returns the effects.
    fn run_line(app: &mut App, line: &str) -> Vec<Effect> {
        let mut fx = press(app, KeyCode::Char(':'));
        assert_eq!(app.mode(), Mode::Palette);
        for c in line.chars() {
            fx.extend(press(app, KeyCode::Char(c)));
        }
        fx.extend(press(app, KeyCode::Enter));
        fx
    }

    fn profiles() -> Vec<String> {
        vec!["home".into(), "work".into(), "work-eu".into()]
    }

    #[test]
    fn parses_every_command_and_explains_mistakes() {
        assert_eq!(parse("quit"), Ok(Command::Quit));
        assert_eq!(parse(":q"), Ok(Command::Quit));
        assert_eq!(parse("  help "), Ok(Command::Help));
        assert_eq!(parse("refresh"), Ok(Command::Refresh));
        assert_eq!(
            parse("customer  acme dental "),
            Ok(Command::Customer("acme dental".into()))
        );
        assert_eq!(parse("contact bob@x"), Ok(Command::Contact("bob@x".into())));
        assert_eq!(parse("profile work"), Ok(Command::Profile("work".into())));
        assert_eq!(
            parse("export customers JSON"),
            Ok(Command::Export {
                what: ExportWhat::Customers,
                format: ExportFormat::Json
            })
        );
        assert_eq!(
            parse("export contacts vcard all"),
            Ok(Command::Export {
                what: ExportWhat::Contacts { all: true },
                format: ExportFormat::VCard
            })
        );
        assert_eq!(
            parse("export contacts csv"),
            Ok(Command::Export {
                what: ExportWhat::Contacts { all: false },
                format: ExportFormat::Csv
            })
        );
        assert!(parse("export customers vcard").is_err());
        assert!(parse("export contacts json").is_err());
        assert!(parse("export stuff csv").is_err());
        assert!(parse("customer").unwrap_err().contains("search text"));
        assert!(parse("quit now").is_err());
        assert!(parse("frobnicate").unwrap_err().contains(":frobnicate"));
        assert!(parse("").is_err());
    }

    #[test]
    fn tab_completes_names_and_arguments() {
        let p = profiles();
        assert_eq!(complete("pro", &p, None).as_deref(), Some("profile "));
        assert_eq!(complete("q", &p, None).as_deref(), Some("quit"));
        assert_eq!(
            complete("profile h", &p, None).as_deref(),
            Some("profile home")
        );
        // Two profiles start with "work": the common start, then nothing more to add.
        assert_eq!(
            complete("profile wo", &p, None).as_deref(),
            Some("profile work")
        );
        assert_eq!(complete("profile work", &p, None), None);
        assert_eq!(
            complete("profile work", &p, Some(1)).as_deref(),
            Some("profile work-eu")
        );
        assert_eq!(complete("export c", &p, None), None);
        assert_eq!(
            complete("export cu", &p, None).as_deref(),
            Some("export customers ")
        );
        assert_eq!(
            complete("export customers j", &p, None).as_deref(),
            Some("export customers json")
        );
        assert_eq!(
            complete("export contacts v", &p, None).as_deref(),
            Some("export contacts vcard ")
        );
        assert_eq!(
            complete("export contacts vcard ", &p, None).as_deref(),
            Some("export contacts vcard all")
        );
        let names: Vec<String> = suggestions("c", &p).into_iter().map(|s| s.label).collect();
        assert_eq!(
            names,
            [":customer TEXT", ":contact TEXT", ":contacts [role ROLE]"]
        );
        assert_eq!(suggestions("profile ", &p).len(), 3);
        assert!(suggestions("nope ", &p).is_empty());
    }

    #[test]
    fn q_typed_in_the_palette_is_text_and_quit_quits() {
        let mut app = fixtures::app((100, 30));
        press(&mut app, KeyCode::Char(':'));
        press(&mut app, KeyCode::Char('q'));
        assert!(!app.quit);
        assert_eq!(app.palette.text(), "q");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.mode(), Mode::Normal);
        assert!(!app.quit);

        run_line(&mut app, "quit");
        assert!(app.quit);
        let mut app = fixtures::app((100, 30));
        run_line(&mut app, "q");
        assert!(app.quit);
    }

    #[test]
    fn an_unknown_profile_is_an_error_and_a_known_one_switches() {
        let mut app = fixtures::app((100, 30));
        app.config.profiles = profiles();
        let fx = run_line(&mut app, "profile nope");
        assert!(fx.is_empty());
        let m = app.message.clone().expect("message");
        assert!(m.error);
        assert!(m.text.contains("nope") && m.text.contains("home, work, work-eu"));
        assert_eq!(app.mode(), Mode::Normal);

        let fx = run_line(&mut app, "profile work");
        assert_eq!(fx, [Effect::SwitchProfile("work".into())]);
    }

    #[test]
    fn export_customers_carries_the_filtered_list() {
        let mut app = fixtures::app((100, 30));
        app.config.export_dir = "/tmp/exports".into();
        run_line(&mut app, "customer acme");
        let shown: Vec<String> = app
            .list
            .shown
            .iter()
            .map(|&i| app.list.rows[i].customer().display_name())
            .collect();
        assert!(!shown.is_empty() && shown.len() < app.list.rows.len());
        let fx = run_line(&mut app, "export customers csv");
        let [
            Effect::Export {
                dir,
                stem,
                format,
                text,
                what,
            },
        ] = fx.as_slice()
        else {
            panic!("expected one export, got {fx:?}");
        };
        assert_eq!(dir, &std::path::PathBuf::from("/tmp/exports"));
        assert_eq!(stem, "customers");
        assert_eq!(*format, ExportFormat::Csv);
        assert!(
            what.starts_with(&format!("{} customer", shown.len())),
            "{what}"
        );
        // One record per shown customer, in list order, ids in the first column.
        let body = text.trim_start_matches('\u{feff}');
        let ids: Vec<String> = csv::Reader::from_reader(body.as_bytes())
            .records()
            .map(|r| r.expect("valid CSV")[0].to_string())
            .collect();
        let want: Vec<String> = app
            .list
            .shown
            .iter()
            .map(|&i| app.list.rows[i].id().to_string())
            .collect();
        assert_eq!(ids, want);
    }

    #[test]
    fn with_marks_the_export_takes_the_marked_records_even_those_the_filter_hides() {
        let mut app = fixtures::app((100, 30));
        let ids: Vec<u64> = app
            .list
            .shown
            .iter()
            .take(3)
            .map(|&i| app.list.rows[i].id())
            .collect();
        app.marks.customers.extend(ids.iter().copied());
        // A filter that hides some of them.
        run_line(&mut app, "customer zzzz-none");
        let fx = run_line(&mut app, "export customers json");
        let [
            Effect::Export {
                stem, text, what, ..
            },
        ] = fx.as_slice()
        else {
            panic!("{fx:?}");
        };
        assert_eq!(stem, "customers-marked");
        assert!(what.starts_with("3 customers"), "{what}");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut got: Vec<u64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect();
        got.sort_unstable();
        let mut want = ids.clone();
        want.sort_unstable();
        assert_eq!(got, want);

        // Marked contacts: only those, each with its customer.
        let mut app = fixtures::app((100, 30));
        press(&mut app, KeyCode::Char('c'));
        press(&mut app, KeyCode::Char(' '));
        press(&mut app, KeyCode::Char(' '));
        assert_eq!(app.marks.contacts.len(), 2);
        let fx = run_line(&mut app, "export contacts vcard");
        let [Effect::Export { stem, text, .. }] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(stem, "contacts-marked");
        assert_eq!(text.matches("BEGIN:VCARD").count(), 2);
    }

    #[test]
    fn export_contacts_of_the_selected_customer_as_vcard() {
        let mut app = fixtures::app((100, 30));
        let selected = app.list.selected().expect("row").customer();
        let fx = run_line(&mut app, "export contacts vcard");
        let [Effect::Export { text, format, .. }] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(*format, ExportFormat::VCard);
        assert_eq!(text.matches("BEGIN:VCARD").count(), selected.contacts.len());
        let fx = run_line(&mut app, "export contacts csv all");
        let all: usize = app
            .list
            .shown
            .iter()
            .map(|&i| app.list.rows[i].customer().contacts.len())
            .sum();
        let [Effect::Export { what, .. }] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(what, &format!("{all} contacts"));
    }

    #[test]
    fn contact_search_jumps_to_the_customer_and_contact() {
        let mut app = fixtures::app((100, 30));
        run_line(&mut app, "contact ALICE@acme.test");
        let row = app.list.selected().expect("selected");
        assert!(row.view.name().starts_with("Acme"));
        assert_eq!(app.detail.tab, Tab::Contacts);
        assert_eq!(app.focus, Focus::Detail);
        let i = app.detail.cursor();
        assert_eq!(row.customer().contacts[i].name.as_deref(), Some("Alice Ng"));

        // Phone digits match whatever the punctuation.
        let hits = find_contacts(&app.list.rows, &app.list.order, "555 123 4568");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].name, "Bob Builder");

        // Several hits: a list; Enter jumps to the chosen one.
        let mut app = fixtures::app((100, 30));
        run_line(&mut app, "contact acme.test");
        assert_eq!(app.mode(), Mode::Results);
        let n = app.stack.results().expect("results").hits.len();
        assert!(n >= 3);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.mode(), Mode::Normal);
        assert_eq!(app.detail.tab, Tab::Contacts);
        assert_eq!(app.detail.cursor(), 1);

        let mut app = fixtures::app((100, 30));
        run_line(&mut app, "contact zzzz-nobody");
        assert!(app.message.as_ref().is_some_and(|m| m.error));
    }

    #[test]
    fn contact_search_clears_a_search_that_hides_the_customer() {
        let mut app = fixtures::app((100, 30));
        run_line(&mut app, "customer zero");
        assert!(
            app.list
                .shown
                .iter()
                .all(|&i| !app.list.rows[i].view.name().starts_with("Acme"))
        );
        run_line(&mut app, "contact bob@acme.test");
        assert!(app.search.text().is_empty());
        assert!(
            app.list
                .selected()
                .expect("row")
                .view
                .name()
                .starts_with("Acme")
        );
    }

    #[test]
    fn history_walks_with_up_and_down_on_an_empty_prompt() {
        let mut app = fixtures::app((100, 30));
        run_line(&mut app, "customer acme");
        run_line(&mut app, "help");
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char(':'));
        press(&mut app, KeyCode::Up);
        assert_eq!(app.palette.text(), "help");
        press(&mut app, KeyCode::Up);
        assert_eq!(app.palette.text(), "customer acme");
        press(&mut app, KeyCode::Down);
        assert_eq!(app.palette.text(), "help");
        press(&mut app, KeyCode::Down);
        assert_eq!(app.palette.text(), "");
    }

    #[test]
    fn up_and_down_pick_a_suggestion_that_enter_runs() {
        let mut app = fixtures::app((100, 30));
        press(&mut app, KeyCode::Char(':'));
        press(&mut app, KeyCode::Char('h'));
        press(&mut app, KeyCode::Down);
        assert_eq!(app.palette.chosen, Some(0));
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.mode(), Mode::Help);
    }

    #[test]
    fn customer_applies_the_list_search() {
        let mut app = fixtures::app((100, 30));
        let fx = run_line(&mut app, "customer acme");
        assert!(fx.is_empty(), "the server search waits for the debounce");
        assert_eq!(app.search.text(), "acme");
        assert_eq!(app.mode(), Mode::Normal);
        assert!(app.search.debounce.is_pending());
        assert!(app.list.shown.iter().all(|&i| {
            app.list.rows[i].view.name().to_lowercase().contains("acme")
                || !app.list.rows[i].customer().contacts.is_empty()
        }));
    }

    #[test]
    fn export_of_a_partly_loaded_list_fetches_the_rest_first() {
        let all = fixtures::many(30);
        let mut app = fixtures::app_with((100, 30), all[..20].to_vec(), 2, 30);
        let fx = run_line(&mut app, "export customers json");
        // Page 2 is on its way (asked for now, or already by the prefetch); no file yet.
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::Export { .. })),
            "{fx:?}"
        );
        assert_eq!(app.list.browse.loading, Some(2));
        assert!(app.palette.pending_export.is_some());
        let generation = app.list.browse.generation;
        let fx = update(
            &mut app,
            Action::CustomersLoaded {
                generation,
                page: 2,
                result: Ok(fixtures::page(all[20..].to_vec(), 2, 2, 30)),
            },
        );
        let exported: Vec<&Effect> = fx
            .iter()
            .filter(|e| matches!(e, Effect::Export { .. }))
            .collect();
        let [Effect::Export { text, what, .. }] = exported.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(what, "30 customers");
        let json: serde_json::Value = serde_json::from_str(text).expect("json");
        assert_eq!(json.as_array().map(Vec::len), Some(30));
        assert!(app.palette.pending_export.is_none());
    }

    #[test]
    fn a_failed_page_cancels_a_waiting_export() {
        let all = fixtures::many(30);
        let mut app = fixtures::app_with((100, 30), all[..20].to_vec(), 2, 30);
        run_line(&mut app, "export contacts csv all");
        assert!(app.palette.pending_export.is_some());
        let generation = app.list.browse.generation;
        let fx = update(
            &mut app,
            Action::CustomersLoaded {
                generation,
                page: 2,
                result: Err(crate::api::ApiError::Timeout {
                    after: std::time::Duration::from_secs(30),
                }),
            },
        );
        assert!(!fx.iter().any(|e| matches!(e, Effect::Export { .. })));
        assert!(app.palette.pending_export.is_none());
        let m = app.message.as_ref().expect("message");
        assert!(m.error && m.text.starts_with("Export cancelled"), "{m:?}");
    }

    #[test]
    fn tab_with_nothing_in_common_highlights_then_takes_the_first_entry() {
        let mut app = fixtures::app((100, 30));
        press(&mut app, KeyCode::Char(':'));
        press(&mut app, KeyCode::Char('c'));
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.palette.text(), "c");
        assert_eq!(app.palette.chosen, Some(0));
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.palette.text(), "customer ");
        assert_eq!(app.palette.chosen, None);
    }

    #[test]
    fn parses_duplicates_and_sync() {
        assert_eq!(parse("duplicates"), Ok(Command::Duplicates));
        assert_eq!(parse("dup"), Ok(Command::Duplicates));
        assert!(parse("duplicates now").is_err());
        assert_eq!(parse("sync"), Ok(Command::Sync { full: false }));
        assert_eq!(parse("sync FULL"), Ok(Command::Sync { full: true }));
        assert!(parse("sync everything").unwrap_err().contains(":sync full"));
    }

    #[test]
    fn duplicates_opens_the_audit() {
        let mut app = fixtures::app((100, 30));
        let fx = run_line(&mut app, "duplicates");
        assert_eq!(app.mode(), Mode::Audit);
        assert!(app.stack.audit().is_some());
        assert!(
            fx.iter().any(|e| matches!(e, Effect::Audit(_))) || app.audit.dismissed.is_some(),
            "{fx:?}"
        );
    }

    #[test]
    fn sync_asks_the_mirror_for_changes_or_a_full_pass() {
        use crate::app::mirror::state::MirrorOp;
        let mut app = crate::app::mirror::tests::loaded();
        app.mirror.syncing = None; // the start-up sync is done
        let fx = run_line(&mut app, "sync");
        assert!(
            fx.contains(&Effect::Mirror(MirrorOp::Sync { full: false })),
            "{fx:?}"
        );
        assert!(app.mirror.is_syncing());
        // A second one while the first runs only says so.
        let fx = run_line(&mut app, "sync full");
        assert!(fx.is_empty(), "{fx:?}");
        assert!(app.message.as_ref().unwrap().text.contains("already"));

        let mut app = crate::app::mirror::tests::loaded();
        app.mirror.syncing = None;
        let fx = run_line(&mut app, "sync full");
        assert!(
            fx.contains(&Effect::Mirror(MirrorOp::Sync { full: true })),
            "{fx:?}"
        );

        // Without a mirror: a message, no effect.
        let mut app = fixtures::app((100, 30));
        let fx = run_line(&mut app, "sync");
        assert!(fx.is_empty());
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("No local mirror")
        );
    }

    #[test]
    fn contact_uses_find_anywhere_when_the_mirror_is_loaded() {
        let mut app = crate::app::mirror::tests::loaded();
        run_line(&mut app, "contact alice");
        assert_eq!(app.mode(), Mode::Find);
        let find = app.stack.find().expect("find popup");
        assert_eq!(find.input.value(), "alice");
        assert!(app.stack.results().is_none());
    }
}
