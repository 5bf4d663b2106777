//! Key strings of the config file (`"q"`, `"ctrl-c"`, `"shift-tab"`, `"f5"`, `"pgdown"`) to
//! crossterm key events and back.
//!
//! The text form is the config syntax: modifiers `ctrl-`, `alt-`, `shift-` (also written with `+`,
//! case-insensitive), then a key name or a single character. [`KeyBinding`]'s `Display` writes the
//! canonical form, so a binding shown in the help overlay can be pasted back into the config.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One key with its modifiers, as written in the config (`"ctrl-s"`).
///
/// Normalised so that equal keys compare equal: a letter with Shift is stored as the upper-case
/// letter without `SHIFT` (that is what terminals send), `shift-tab` is [`KeyCode::BackTab`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// Why a key string was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    #[error("empty key")]
    Empty,
    #[error(
        "unknown key name `{0}` (use a single character or a name such as enter, esc, tab, f5, pgdown)"
    )]
    UnknownKey(String),
    #[error("unknown modifier `{0}` (use ctrl-, alt- or shift-)")]
    UnknownModifier(String),
}

/// Named keys: (canonical name, other accepted spellings, code).
const NAMED: &[(&str, &[&str], KeyCode)] = &[
    ("enter", &["return", "ret", "cr"], KeyCode::Enter),
    ("esc", &["escape"], KeyCode::Esc),
    ("tab", &[], KeyCode::Tab),
    ("backtab", &[], KeyCode::BackTab),
    ("backspace", &["bs", "bksp"], KeyCode::Backspace),
    ("del", &["delete"], KeyCode::Delete),
    ("ins", &["insert"], KeyCode::Insert),
    ("home", &[], KeyCode::Home),
    ("end", &[], KeyCode::End),
    ("pgup", &["pageup"], KeyCode::PageUp),
    ("pgdown", &["pagedown", "pgdn"], KeyCode::PageDown),
    ("up", &[], KeyCode::Up),
    ("down", &[], KeyCode::Down),
    ("left", &[], KeyCode::Left),
    ("right", &[], KeyCode::Right),
    ("space", &["spc"], KeyCode::Char(' ')),
    ("minus", &[], KeyCode::Char('-')),
    ("plus", &[], KeyCode::Char('+')),
];

impl KeyBinding {
    /// A binding from a code and modifiers, normalised like a parsed one.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        normalise(code, modifiers)
    }

    /// The binding as a crossterm key event (a key press).
    pub fn to_key_event(self) -> KeyEvent {
        KeyEvent::new(self.code, self.modifiers)
    }

    /// Whether a key event from the terminal is this key (releases never match).
    ///
    /// Terminals differ in whether they report Shift with an upper-case letter or with Shift-Tab;
    /// both are normalised before comparing.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        event.kind != KeyEventKind::Release && *self == KeyBinding::from(*event)
    }
}

impl From<KeyEvent> for KeyBinding {
    fn from(event: KeyEvent) -> Self {
        normalise(event.code, event.modifiers)
    }
}

fn normalise(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
    let mut modifiers =
        modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    let code = match code {
        KeyCode::Char(c) if modifiers.contains(KeyModifiers::SHIFT) => {
            modifiers.remove(KeyModifiers::SHIFT);
            KeyCode::Char(upper(c))
        }
        KeyCode::Char(c) if c.is_uppercase() => KeyCode::Char(c),
        KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
            modifiers.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        KeyCode::BackTab => {
            modifiers.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        other => other,
    };
    KeyBinding { code, modifiers }
}

/// Upper case of a single character, or the character itself when it has no single upper case.
fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Parses a key string of the config file: `"q"`, `"Q"`, `"ctrl-c"`, `"alt+x"`, `"shift-tab"`,
/// `"f5"`, `"pgdown"`, `"enter"`, `"esc"`, `"space"`, `"-"`, `"ctrl--"`.
pub fn parse_key(text: &str) -> Result<KeyBinding, KeyParseError> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(KeyParseError::Empty);
    }
    let mut modifiers = KeyModifiers::NONE;
    // Strip `modifier-` / `modifier+` prefixes; what remains (at least one char) is the key.
    while let Some(pos) = rest
        .find(['-', '+'])
        .filter(|&p| p > 0 && p + 1 < rest.len())
    {
        let word = rest[..pos].to_ascii_lowercase();
        let m = match word.as_str() {
            "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
            "alt" | "meta" | "m" | "a" => KeyModifiers::ALT,
            "shift" | "s" => KeyModifiers::SHIFT,
            _ => return Err(KeyParseError::UnknownModifier(rest[..pos].to_string())),
        };
        modifiers |= m;
        rest = &rest[pos + 1..];
    }
    let code = key_code(rest)?;
    Ok(normalise(code, modifiers))
}

fn key_code(name: &str) -> Result<KeyCode, KeyParseError> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Ok(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if let Some((_, _, code)) = NAMED
        .iter()
        .find(|(canon, alts, _)| *canon == lower || alts.contains(&lower.as_str()))
    {
        return Ok(*code);
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|d| d.parse::<u8>().ok())
        && (1..=24).contains(&n)
    {
        return Ok(KeyCode::F(n));
    }
    Err(KeyParseError::UnknownKey(name.to_string()))
}

impl fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Char(c) => match NAMED.iter().find(|(_, _, code)| *code == self.code) {
                // Space and the separators are written as names so the text parses back.
                Some((name, _, _)) if c == ' ' || !self.modifiers.is_empty() => f.write_str(name),
                _ => write!(f, "{c}"),
            },
            other => match NAMED.iter().find(|(_, _, code)| *code == other) {
                Some((name, _, _)) => f.write_str(name),
                None => write!(f, "{other:?}"),
            },
        }
    }
}

/// Parses a config value that is one key string or a list of them (`quit = ["q", "ctrl-c"]`).
pub fn parse_keys<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<KeyBinding>, KeyParseError> {
    texts.into_iter().map(parse_key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode, m: KeyModifiers) -> KeyBinding {
        KeyBinding { code, modifiers: m }
    }

    #[test]
    fn parses_the_documented_forms() {
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(parse_key("q"), Ok(k(KeyCode::Char('q'), none)));
        assert_eq!(parse_key("Q"), Ok(k(KeyCode::Char('Q'), none)));
        assert_eq!(parse_key("shift-q"), Ok(k(KeyCode::Char('Q'), none)));
        assert_eq!(parse_key("ctrl-c"), Ok(k(KeyCode::Char('c'), ctrl)));
        assert_eq!(parse_key("Ctrl+C"), Ok(k(KeyCode::Char('C'), ctrl)));
        assert_eq!(parse_key("shift-tab"), Ok(k(KeyCode::BackTab, none)));
        assert_eq!(parse_key("f5"), Ok(k(KeyCode::F(5), none)));
        assert_eq!(parse_key("pgdown"), Ok(k(KeyCode::PageDown, none)));
        assert_eq!(parse_key("PageDown"), Ok(k(KeyCode::PageDown, none)));
        assert_eq!(parse_key("enter"), Ok(k(KeyCode::Enter, none)));
        assert_eq!(parse_key("esc"), Ok(k(KeyCode::Esc, none)));
        assert_eq!(parse_key("/"), Ok(k(KeyCode::Char('/'), none)));
        assert_eq!(parse_key("-"), Ok(k(KeyCode::Char('-'), none)));
        assert_eq!(parse_key("+"), Ok(k(KeyCode::Char('+'), none)));
        assert_eq!(parse_key("ctrl--"), Ok(k(KeyCode::Char('-'), ctrl)));
        assert_eq!(
            parse_key("alt-space"),
            Ok(k(KeyCode::Char(' '), KeyModifiers::ALT))
        );
        assert_eq!(parse_key("é"), Ok(k(KeyCode::Char('é'), none)));
        assert_eq!(
            parse_key("ctrl-alt-x"),
            Ok(k(KeyCode::Char('x'), ctrl | KeyModifiers::ALT))
        );
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        assert_eq!(parse_key(""), Err(KeyParseError::Empty));
        assert!(matches!(
            parse_key("f25"),
            Err(KeyParseError::UnknownKey(_))
        ));
        assert!(matches!(
            parse_key("enterr"),
            Err(KeyParseError::UnknownKey(_))
        ));
        assert!(matches!(
            parse_key("hyper-x"),
            Err(KeyParseError::UnknownModifier(_))
        ));
    }

    #[test]
    fn display_parses_back_to_the_same_binding() {
        let samples = [
            "q",
            "Q",
            "ctrl-c",
            "shift-tab",
            "f5",
            "f12",
            "pgdown",
            "pgup",
            "enter",
            "esc",
            "tab",
            "backspace",
            "del",
            "ins",
            "home",
            "end",
            "up",
            "down",
            "left",
            "right",
            "space",
            "ctrl-space",
            "alt-enter",
            "ctrl-alt-del",
            "ctrl--",
            "ctrl-+",
            "-",
            "+",
            "/",
            ":",
            "?",
            "ctrl-shift-s",
            "alt-é",
            "ж",
        ];
        for s in samples {
            let b = parse_key(s).unwrap();
            let shown = b.to_string();
            assert_eq!(parse_key(&shown), Ok(b), "{s} -> {shown}");
        }
        assert_eq!(parse_key("ctrl-c").unwrap().to_string(), "ctrl-c");
        assert_eq!(parse_key("Shift-Tab").unwrap().to_string(), "shift-tab");
        assert_eq!(parse_key("PageDown").unwrap().to_string(), "pgdown");
        assert_eq!(
            parse_key(" ").map(|b| b.to_string()),
            Err(KeyParseError::Empty)
        );
        assert_eq!(parse_key("space").unwrap().to_string(), "space");
    }

    #[test]
    fn matches_what_terminals_send() {
        let shift_q = KeyEvent::new(KeyCode::Char('Q'), KeyModifiers::SHIFT);
        assert!(parse_key("Q").unwrap().matches(&shift_q));
        assert!(parse_key("shift-q").unwrap().matches(&shift_q));
        assert!(!parse_key("q").unwrap().matches(&shift_q));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert!(parse_key("shift-tab").unwrap().matches(&backtab));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(parse_key("ctrl-c").unwrap().matches(&ctrl_c));
        assert!(!parse_key("c").unwrap().matches(&ctrl_c));
        let mut release = ctrl_c;
        release.kind = KeyEventKind::Release;
        assert!(!parse_key("ctrl-c").unwrap().matches(&release));
        assert_eq!(
            KeyBinding::from(parse_key("f5").unwrap().to_key_event()),
            parse_key("f5").unwrap()
        );
    }
}
