//! Keys to actions, by mode. These tables are the single source of truth: the help overlay is
//! generated from them.
//!
//! Routing is by mode first. In [`Mode::Search`] only Esc, Enter, Tab/Shift-Tab, the arrows that
//! move the list and Ctrl chords act; every printable key is text, so `q` or `j` typed into the
//! search never quits or moves.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

use super::{Action, AppConfig, Cmd, Mode, Tab};

/// One key with its modifiers (Shift is implied by the character for printable keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl_code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// Whether a key event is this key. Shift is ignored for characters (`G` arrives as `G`
    /// with or without the SHIFT flag depending on the terminal) and for Shift-Tab.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        let code_eq = match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                // Ctrl chords arrive lowercase or uppercase depending on the terminal.
                if self.mods.contains(KeyModifiers::CONTROL) {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            (a, b) => a == b,
        };
        code_eq && (self.mods & relevant) == (ev.modifiers & relevant)
    }

    /// How the key is written in the help (`Ctrl-d`, `PgDn`, `j`).
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }
}

/// A key binding: keys, the intent, and its line in the help.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub cmd: Cmd,
    pub help: &'static str,
}

const fn bind(keys: &'static [Key], cmd: Cmd, help: &'static str) -> Binding {
    Binding { keys, cmd, help }
}

/// Browsing the list and the detail.
pub static NORMAL: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "move down"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "move up"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('d')], Cmd::HalfPageDown, "half a page down"),
    bind(&[ctrl('u')], Cmd::HalfPageUp, "half a page up"),
    bind(&[ch('g'), code(KeyCode::Home)], Cmd::Top, "first row"),
    bind(
        &[ch('G'), code(KeyCode::End)],
        Cmd::Bottom,
        "last loaded row",
    ),
    bind(&[code(KeyCode::Tab)], Cmd::FocusNext, "focus list / detail"),
    bind(
        &[code(KeyCode::BackTab)],
        Cmd::FocusPrev,
        "focus detail / list",
    ),
    bind(&[ch('1')], Cmd::ShowTab(Tab::Overview), "Overview tab"),
    bind(&[ch('2')], Cmd::ShowTab(Tab::Contacts), "Contacts tab"),
    bind(&[ch('3')], Cmd::ShowTab(Tab::Tickets), "Tickets tab"),
    bind(&[ch('4')], Cmd::ShowTab(Tab::Assets), "Assets tab"),
    bind(&[ch('5')], Cmd::ShowTab(Tab::Invoices), "Invoices tab"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "open: list → detail, contact → its record",
    ),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::Back,
        "back: close record, to the list, clear search",
    ),
    bind(&[ch('/')], Cmd::Search, "search"),
    bind(
        &[ch('s')],
        Cmd::SortNext,
        "sort by name, city, created, updated",
    ),
    bind(&[ch('S')], Cmd::SortReverse, "reverse the sort"),
    bind(
        &[ch('x')],
        Cmd::ToggleDisabled,
        "show / hide disabled customers",
    ),
    bind(&[ch('r')], Cmd::Refresh, "refresh from the server"),
    bind(
        &[ch('y')],
        Cmd::Copy,
        "copy: customer name, highlighted field or row",
    ),
    bind(
        &[ch('o')],
        Cmd::OpenInBrowser,
        "open the customer in Syncro",
    ),
    bind(
        &[ch('F')],
        Cmd::FindAnywhere,
        "find customers and contacts anywhere in the account",
    ),
    bind(
        &[ch('R')],
        Cmd::SyncMirror,
        "sync the local mirror fully now",
    ),
    bind(&[ch('A')], Cmd::Audit, "duplicate audit"),
    bind(
        &[ch('t')],
        Cmd::TypeFilter,
        "filter by type: Business, Residential, Government, Non-Profit, all",
    ),
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(&[ch('q'), ctrl('c')], Cmd::Quit, "quit"),
    bind(
        &[ch('n')],
        Cmd::New,
        "new customer (list) or contact (Contacts tab)",
    ),
    bind(
        &[ch('e')],
        Cmd::Edit,
        "edit the customer, or the contact (Contacts tab)",
    ),
    bind(&[ch('d')], Cmd::Delete, "delete the contact (Contacts tab)"),
    bind(
        &[ch('D')],
        Cmd::DeleteCustomer,
        "delete the customer (type its name to confirm)",
    ),
];

/// In an open form (besides the editing keys of the search field); other keys are typed.
pub static FORM: &[Binding] = &[
    bind(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Cmd::FormNext,
        "next field (conflicts: next)",
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Cmd::FormPrev,
        "previous field (conflicts: previous)",
    ),
    bind(&[ctrl('s')], Cmd::FormSave, "save (again after a failure)"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::FormEnter,
        "next field; save on the last one",
    ),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::FormCancel,
        "cancel (asks before discarding changes)",
    ),
    bind(&[ctrl('e')], Cmd::FormEditor, "edit the field in $EDITOR"),
    bind(&[ctrl('r')], Cmd::FormRevert, "revert the field"),
    bind(
        &[ctrl('o')],
        Cmd::FormOpenMatch,
        "open the existing record found instead",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit (asks first)"),
];

/// A question: delete, discard changes, quit, restore a draft.
pub static CONFIRM: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter)],
        Cmd::ConfirmAccept,
        "accept the highlighted answer",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::ConfirmCancel, "cancel"),
    bind(
        &[
            code(KeyCode::Tab),
            code(KeyCode::BackTab),
            code(KeyCode::Left),
            code(KeyCode::Right),
        ],
        Cmd::ConfirmToggle,
        "highlight another answer",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// In the find-anywhere popup (besides the editing keys of the search field).
pub static FIND: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter)],
        Cmd::FindJump,
        "go to the customer (and the contact)",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::Close, "close"),
    bind(&[code(KeyCode::Down)], Cmd::Down, "next result"),
    bind(&[code(KeyCode::Up)], Cmd::Up, "previous result"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// The duplicate audit screen.
pub static AUDIT: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next group"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous group"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "the group's customers side by side",
    ),
    bind(&[ch('x')], Cmd::Dismiss, "not a duplicate (remembered)"),
    bind(&[code(KeyCode::Esc)], Cmd::Back, "back"),
    bind(&[ch('q'), ctrl('c')], Cmd::Quit, "quit"),
];

/// In the search field (besides the editing keys below).
pub static SEARCH: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter), code(KeyCode::Tab)],
        Cmd::SearchAccept,
        "keep the filter, back to the list",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::SearchCancel, "clear the search"),
    bind(&[code(KeyCode::Down)], Cmd::Down, "move down the results"),
    bind(&[code(KeyCode::Up)], Cmd::Up, "move up the results"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// Text editing in the search field; any other printable key is typed.
pub static EDITING: &[(Key, InputRequest, &str)] = &[
    (
        code(KeyCode::Backspace),
        InputRequest::DeletePrevChar,
        "delete left",
    ),
    (
        code(KeyCode::Delete),
        InputRequest::DeleteNextChar,
        "delete right",
    ),
    (
        code(KeyCode::Left),
        InputRequest::GoToPrevChar,
        "cursor left",
    ),
    (
        code(KeyCode::Right),
        InputRequest::GoToNextChar,
        "cursor right",
    ),
    (code(KeyCode::Home), InputRequest::GoToStart, "to start"),
    (code(KeyCode::End), InputRequest::GoToEnd, "to end"),
    (ctrl('a'), InputRequest::GoToStart, "to start"),
    (ctrl('e'), InputRequest::GoToEnd, "to end"),
    (ctrl('w'), InputRequest::DeletePrevWord, "delete word left"),
    (
        ctrl_code(KeyCode::Backspace),
        InputRequest::DeletePrevWord,
        "delete word left",
    ),
    (ctrl('u'), InputRequest::DeleteLine, "delete all"),
    (ctrl('k'), InputRequest::DeleteTillEnd, "delete to end"),
    (
        ctrl_code(KeyCode::Left),
        InputRequest::GoToPrevWord,
        "word left",
    ),
    (
        ctrl_code(KeyCode::Right),
        InputRequest::GoToNextWord,
        "word right",
    ),
];

/// The help overlay.
pub static HELP: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "scroll down"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "scroll up"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(
        &[code(KeyCode::Esc), ch('?'), ch('q')],
        Cmd::Close,
        "close help",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// A modal message.
pub static MODAL: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter), code(KeyCode::Esc)],
        Cmd::Close,
        "dismiss",
    ),
    bind(&[ch('q'), ctrl('c')], Cmd::Quit, "quit"),
];

/// The bindings of a mode, in help order.
pub fn bindings(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Search => SEARCH,
        Mode::Help => HELP,
        Mode::Modal => MODAL,
        Mode::Find => FIND,
        Mode::Audit => AUDIT,
        Mode::Form => FORM,
        Mode::Confirm => CONFIRM,
    }
}

/// The modes in the order the help shows them, with their headings.
pub const MODES: [(Mode, &str); 8] = [
    (Mode::Normal, "List and detail"),
    (Mode::Search, "Search field"),
    (Mode::Find, "Find anywhere"),
    (Mode::Audit, "Duplicate audit"),
    (Mode::Help, "Help"),
    (Mode::Modal, "Message box"),
    (Mode::Form, "Form"),
    (Mode::Confirm, "Question"),
];

/// The action a key stands for in a mode, if any.
pub fn map_key(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    if let Some(b) = bindings(mode)
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
    {
        return Some(Action::Cmd(b.cmd));
    }
    let wrap: fn(InputRequest) -> Action = match mode {
        Mode::Search => Action::SearchEdit,
        Mode::Find => Action::FindEdit,
        Mode::Form => Action::FormEdit,
        Mode::Confirm => Action::ConfirmEdit,
        _ => return None,
    };
    if let Some((_, req, _)) = EDITING.iter().find(|(k, _, _)| k.matches(ev)) {
        return Some(wrap(*req));
    }
    match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(wrap(InputRequest::InsertChar(c)))
        }
        _ => None,
    }
}

/// Short hints for the status line, by mode and focus.
pub fn hints(mode: Mode, focus: super::Focus) -> &'static str {
    match (mode, focus) {
        (Mode::Normal, super::Focus::List) => "/ search  Tab detail  ? help  q quit",
        (Mode::Normal, super::Focus::Detail) => "1-5 tabs  Enter open  y copy  Esc back",
        (Mode::Search, _) => "Enter keep  Esc clear",
        (Mode::Help, _) => "Esc close",
        (Mode::Modal, _) => "Enter dismiss  q quit",
        (Mode::Find, _) => "Enter go to  Esc close",
        (Mode::Audit, _) => "Enter compare  x not a duplicate  Esc back",
        (Mode::Form, _) => "Ctrl-S save  Esc cancel  Tab next  Ctrl-E editor",
        (Mode::Confirm, _) => "Enter answer  Esc cancel",
    }
}

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
    for (mode, heading) in MODES {
        out.push(HelpLine::Blank);
        out.push(HelpLine::Heading(heading.to_string()));
        for b in bindings(mode) {
            let keys: Vec<String> = b.keys.iter().map(Key::label).collect();
            out.push(HelpLine::Entry {
                keys: keys.join(" "),
                text: b.help.to_string(),
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
        if mode == Mode::Form {
            out.push(HelpLine::Entry {
                keys: "← → Space letter".into(),
                text: "customer type: pick from the list".into(),
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
    out.push(HelpLine::Text(
        "Search matches names, e-mails, city, phone digits and the customer's contacts.".into(),
    ));
    out.push(HelpLine::Text(
        "y copies phone numbers as stored (digits); o never puts the API key in the URL.".into(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn plain(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn cmd(mode: Mode, ev: KeyEvent) -> Option<Cmd> {
        match map_key(mode, &ev) {
            Some(Action::Cmd(c)) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn normal_mode_keys() {
        assert_eq!(cmd(Mode::Normal, plain('j')), Some(Cmd::Down));
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Cmd::Down)
        );
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Cmd::HalfPageDown)
        );
        assert_eq!(cmd(Mode::Normal, plain('d')), Some(Cmd::Delete));
        assert_eq!(cmd(Mode::Normal, plain('G')), Some(Cmd::Bottom));
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Cmd::Bottom)
        );
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Cmd::FocusPrev)
        );
        assert_eq!(
            cmd(Mode::Normal, plain('3')),
            Some(Cmd::ShowTab(Tab::Tickets))
        );
        assert_eq!(cmd(Mode::Normal, plain('q')), Some(Cmd::Quit));
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Cmd::Quit)
        );
    }

    #[test]
    fn printable_keys_are_text_in_the_search() {
        for c in [
            'q', 'j', 'k', 'g', 'G', '/', '?', '1', 's', 'x', 'y', 'o', ' ', 'é', '東',
        ] {
            match map_key(Mode::Search, &plain(c)) {
                Some(Action::SearchEdit(InputRequest::InsertChar(got))) => assert_eq!(got, c),
                other => panic!("{c:?} gave {other:?}"),
            }
        }
        assert_eq!(
            cmd(Mode::Search, key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Cmd::SearchCancel)
        );
        assert_eq!(
            cmd(Mode::Search, key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Cmd::SearchAccept)
        );
        assert_eq!(
            cmd(Mode::Search, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Cmd::Quit)
        );
        assert!(matches!(
            map_key(
                Mode::Search,
                &key(KeyCode::Char('w'), KeyModifiers::CONTROL)
            ),
            Some(Action::SearchEdit(InputRequest::DeletePrevWord))
        ));
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        for (mode, _) in MODES {
            let keys: Vec<Key> = bindings(mode)
                .iter()
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, a) in keys.iter().enumerate() {
                for b in &keys[i + 1..] {
                    assert_ne!(a, b, "{mode:?}: {} bound twice", a.label());
                }
            }
        }
    }

    #[test]
    fn labels_read_like_the_docs() {
        assert_eq!(ctrl('d').label(), "Ctrl-d");
        assert_eq!(code(KeyCode::PageDown).label(), "PgDn");
        assert_eq!(code(KeyCode::BackTab).label(), "Shift-Tab");
    }
}
