//! Text folding for search: lowercase, accents removed, whitespace squeezed.
//!
//! Haystacks and queries go through the same fold, so a search compares folded bytes with
//! folded bytes. Folded text is valid UTF-8 and holds no control characters and no newline
//! (the search index uses `\n` to separate fields).

/// Appends the folded form of `s` to `out`: lowercase, common Latin accents removed ("Zoë
/// Ångström" -> "zoe angstrom"), runs of whitespace and control characters turned into one
/// space, zero-width and bidi formatting characters dropped, no leading or trailing space.
pub fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        fold_ascii_into(s, out);
        return;
    }
    let start = out.len();
    let mut pending_space = false;
    let push = |out: &mut String, c: char, pending_space: &mut bool| {
        if *pending_space && out.len() > start {
            out.push(' ');
        }
        *pending_space = false;
        out.push(c);
    };
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_whitespace() || c.is_ascii_control() {
                pending_space = true;
            } else {
                push(out, c.to_ascii_lowercase(), &mut pending_space);
            }
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            match strip_accent(lower) {
                Folded::One(f) => push(out, f, &mut pending_space),
                Folded::Two(a, b) => {
                    push(out, a, &mut pending_space);
                    push(out, b, &mut pending_space);
                }
            }
        }
    }
}

/// `fold_into` for ASCII text (most fields): byte by byte, no case tables.
fn fold_ascii_into(s: &str, out: &mut String) {
    let start = out.len();
    let mut pending_space = false;
    for &b in s.as_bytes() {
        if b.is_ascii_whitespace() || b.is_ascii_control() {
            pending_space = true;
            continue;
        }
        if pending_space && out.len() > start {
            out.push(' ');
        }
        pending_space = false;
        out.push(char::from(b.to_ascii_lowercase()));
    }
}

/// The folded form of `s` as a new string.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Zero-width and bidi formatting characters: invisible, and never part of what people type.
fn is_invisible(c: char) -> bool {
    crate::sanitize::is_invisible(c)
}

enum Folded {
    One(char),
    Two(char, char),
}

/// Base letter of a lowercase Latin letter with a diacritic (Latin-1 and Latin Extended-A).
fn strip_accent(c: char) -> Folded {
    let base = match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' | 'ŧ' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ß' => return Folded::Two('s', 's'),
        'æ' => return Folded::Two('a', 'e'),
        'œ' => return Folded::Two('o', 'e'),
        'þ' => return Folded::Two('t', 'h'),
        other => other,
    };
    Folded::One(base)
}

/// Appends the digits of a phone number to `out`, stopping at an extension ("x330", "ext. 4").
pub fn phone_digits_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if c.is_alphabetic() {
            break;
        }
    }
}

/// If `query` looks like a phone number (digits with spaces and `+()-./`), its digits.
pub fn phone_query(query: &str) -> Option<String> {
    let mut digits = String::new();
    for c in query.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !(c.is_whitespace() || matches!(c, '+' | '(' | ')' | '-' | '.' | '/')) {
            return None;
        }
    }
    (!digits.is_empty()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_space() {
        assert_eq!(fold("  Zoë   ÅNGSTRÖM\t\n"), "zoe angstrom");
        assert_eq!(fold("Straße Œuvre"), "strasse oeuvre");
        assert_eq!(fold("ÇA\u{200B}FÉ"), "cafe");
        assert_eq!(fold("東京 Trading 🍣"), "東京 trading 🍣");
        assert_eq!(fold("Ünïcödé\u{202E}"), "unicode");
        assert_eq!(fold(""), "");
        assert!(!fold("a\nb\u{0}c").contains('\n'));
        assert_eq!(fold("  Acme\t\tDENTAL  Group\r\n"), "acme dental group");
        assert_eq!(fold("\u{1b}[31mRed"), "[31mred");
    }

    #[test]
    fn phone_digits_and_queries() {
        let mut s = String::new();
        phone_digits_into("657.325.3258 x330", &mut s);
        assert_eq!(s, "6573253258");
        assert_eq!(phone_query("(555) 123-4567").as_deref(), Some("5551234567"));
        assert_eq!(phone_query("+1 555"), Some("1555".into()));
        assert_eq!(phone_query("acme 555"), None);
        assert_eq!(phone_query("--"), None);
    }
}
