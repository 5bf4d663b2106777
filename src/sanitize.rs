//! Untrusted text (anything that came from the server) made safe to put on a terminal.
//!
//! Applied once, where API data becomes view data; the raw value stays in the model so an edit
//! never mangles data silently. The rules:
//!
//! - C0 control characters (U+0000–U+001F) and DEL become their visible "control picture"
//!   (`ESC` → `␛`, `BEL` → `␇`, `DEL` → `␡`), so an escape sequence shows as harmless text such as
//!   `␛]0;pwned␇` instead of retitling the terminal.
//! - C1 control characters (U+0080–U+009F, which some terminals treat like `ESC x`) become `�`.
//! - Bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
//!   U+200E, U+200F, U+061C) are removed: they can reorder what a technician reads.
//! - Zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed: they hide text and break
//!   column alignment (joined emoji sequences then show as their separate parts).
//! - Tabs become one space. Line breaks (`\n`, `\r\n`, `\r`, U+2028, U+2029) become ` ⏎ ` in
//!   [`line`] (table cells, titles) and `\n` in [`text`] (multi-line notes).

/// Placeholder shown in place of a line break in single-line text.
pub const NEWLINE_MARK: &str = " ⏎ ";

/// One-line display text: line breaks become [`NEWLINE_MARK`].
pub fn line(raw: &str) -> String {
    clean(raw, false)
}

/// Multi-line display text: line breaks are kept (normalised to `\n`).
pub fn text(raw: &str) -> String {
    clean(raw, true)
}

/// Text for the clipboard or a log line: like [`line`], but line breaks become a single space
/// and nothing visible is invented, since the result leaves the screen.
pub fn plain(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if is_removed(c) || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            continue;
        }
        if matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}') {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out.trim().to_string()
}

/// The invisible characters: bidi overrides, embeddings, isolates and marks, zero-width
/// characters, invisible operators, the soft hyphen and the byte-order mark. They can hide or
/// reorder text and are never part of what people type. The one set for the screen, the log
/// and the mirror's search text.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Characters dropped entirely.
fn is_removed(c: char) -> bool {
    is_invisible(c)
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_removed(c) || c == '\u{2028}' || c == '\u{2029}'
}

fn clean(raw: &str, multiline: bool) -> String {
    if !raw.chars().any(needs_cleaning) {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len() + 8);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(if multiline { "\n" } else { NEWLINE_MARK });
            }
            '\t' => out.push(' '),
            c if is_removed(c) => {}
            '\u{0}'..='\u{1F}' => {
                // The Control Pictures block mirrors C0 in order: U+2400 + code.
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'));
            }
            '\u{7F}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_unchanged() {
        assert_eq!(line("Acme Plumbing, Inc."), "Acme Plumbing, Inc.");
        assert_eq!(line("株式会社 東京 🚀"), "株式会社 東京 🚀");
        assert_eq!(line("Zoë Ångström"), "Zoë Ångström");
    }

    #[test]
    fn escape_sequences_become_visible_placeholders() {
        assert_eq!(line("\x1b]0;pwned\x07Acme"), "␛]0;pwned␇Acme");
        assert_eq!(line("\x1b[31mred\x1b[0m"), "␛[31mred␛[0m");
        assert_eq!(line("a\x00b\x7fc"), "a␀b␡c");
        assert!(!line("\x1b[2J").contains('\x1b'));
    }

    #[test]
    fn c1_controls_are_replaced() {
        // U+009B is the one-byte CSI some terminals honour.
        assert_eq!(line("a\u{9b}31mb"), "a\u{FFFD}31mb");
        assert_eq!(line("x\u{85}y"), "x\u{FFFD}y");
    }

    #[test]
    fn bidi_and_zero_width_characters_are_removed() {
        assert_eq!(line("abc\u{202E}fed"), "abcfed");
        assert_eq!(line("\u{2066}x\u{2069}\u{200E}\u{200F}\u{061C}"), "x");
        assert_eq!(
            line("in\u{200B}vis\u{200C}i\u{200D}ble\u{2060}\u{FEFF}"),
            "invisible"
        );
    }

    #[test]
    fn line_breaks_depend_on_the_target() {
        assert_eq!(line("one\ntwo\r\nthree\rfour"), "one ⏎ two ⏎ three ⏎ four");
        assert_eq!(
            text("one\ntwo\r\nthree\u{2028}four"),
            "one\ntwo\nthree\nfour"
        );
        assert_eq!(line("a\tb"), "a b");
    }

    #[test]
    fn multiline_text_still_neutralises_controls() {
        assert_eq!(text("note\x1b[2J\nnext\u{202E}"), "note␛[2J\nnext");
    }

    #[test]
    fn plain_drops_everything_invisible() {
        assert_eq!(plain(" a\x1b[0m\nb\u{202E}c\t "), "a[0m bc");
        assert_eq!(plain("555\u{200B}1234"), "5551234");
    }

    #[test]
    fn no_output_contains_a_control_character() {
        let hostile: String = (0u32..0xA0)
            .filter_map(char::from_u32)
            .chain("\u{202E}\u{2066}\u{200B}\u{FEFF}".chars())
            .collect();
        for out in [line(&hostile), plain(&hostile)] {
            assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
            assert!(!out.chars().any(is_removed), "{out:?}");
        }
        assert!(!text(&hostile).chars().any(|c| c.is_control() && c != '\n'));
    }
}
