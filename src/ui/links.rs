//! E-mail addresses and phone numbers as terminal hyperlinks (OSC 8: `mailto:`, `tel:`).
//!
//! ratatui's cells cannot carry a link, and an escape sequence written into a cell's text would
//! count as visible width and shift the row. So links go around ratatui:
//!
//! 1. While drawing, the views *offer* the values they show that are addresses or numbers
//!    ([`offer_email`], [`offer_phone`]): the text as drawn, and the raw value.
//! 2. After the frame is drawn, [`find`] looks for each offered text in the finished buffer,
//!    whole (a value cut with `…`, or partly covered by a dialog, is not linked) and bounded by
//!    non-word cells.
//! 3. The host writes [`encode`]'s bytes after ratatui's: for each link, the cursor goes to
//!    its first cell, the link opens, its cells are printed again with their own styles, the
//!    link closes; the cursor and the colours are put back as ratatui left them. What ratatui
//!    later redraws over a link replaces it (the terminal forgets a link on every cell written
//!    without one), so the screen never shows a stale link.
//!
//! The target is built from the sanitised value and percent-encoded down to printable ASCII
//! without `;`, so nothing from the server can end the sequence or start another one.

use std::cell::RefCell;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};

/// A value drawn on screen that is an address or a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The text as drawn.
    pub shown: String,
    /// `mailto:…` or `tel:…`.
    pub target: String,
}

thread_local! {
    static OFFERED: RefCell<Vec<Offer>> = const { RefCell::new(Vec::new()) };
}

fn offer(shown: &str, target: Option<String>) {
    let shown = shown.trim();
    if let Some(target) = target
        && !shown.is_empty()
    {
        OFFERED.with(|o| {
            let mut o = o.borrow_mut();
            if !o.iter().any(|x| x.shown == shown) {
                o.push(Offer {
                    shown: shown.to_string(),
                    target,
                });
            }
        });
    }
}

/// `shown` is an e-mail address on screen; `raw` the value it shows.
pub fn offer_email(shown: &str, raw: &str) {
    offer(shown, mailto(raw));
}

/// `shown` is a phone number on screen; `raw` the value it shows.
pub fn offer_phone(shown: &str, raw: &str) {
    offer(shown, tel(raw));
}

/// Everything offered since the last call (the frame just drawn).
pub fn take() -> Vec<Offer> {
    OFFERED.with(|o| std::mem::take(&mut *o.borrow_mut()))
}

/// Percent-encodes everything but unreserved characters and the few an address needs.
fn encode_uri(s: &str, keep: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || keep.contains(&c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `mailto:` for a value that is one plain address (one `@`, no spaces, something on both
/// sides), else none.
pub fn mailto(raw: &str) -> Option<String> {
    let v = crate::sanitize::plain(raw);
    let (local, domain) = v.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == '@');
    if !plain(local) || !plain(domain) || v.chars().count() > 254 {
        return None;
    }
    Some(format!(
        "mailto:{}@{}",
        encode_uri(local, &['+']),
        encode_uri(domain, &[])
    ))
}

/// `tel:` for a value with at least three digits: the digits (a leading `+` kept), and an
/// extension (`x330`, `ext. 330`) as `;ext=330` (RFC 3966); else none.
pub fn tel(raw: &str) -> Option<String> {
    let v = crate::sanitize::plain(raw).to_lowercase();
    let (main, ext) = match v.find(['x', '#']).or_else(|| v.find("ext")) {
        Some(i) => (&v[..i], Some(&v[i..])),
        None => (v.as_str(), None),
    };
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 || main.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let plus = if main.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let ext: String = ext
        .map(|e| e.chars().filter(char::is_ascii_digit).collect())
        .unwrap_or_default();
    Some(if ext.is_empty() {
        format!("tel:{plus}{digits}")
    } else {
        format!("tel:{plus}{digits};ext={ext}")
    })
}

/// One link on screen: where it starts, its cells as drawn, where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpan {
    pub x: u16,
    pub y: u16,
    /// The cells' symbols and styles (a wide character's trailing cell left out).
    pub cells: Vec<(String, Style)>,
    pub target: String,
}

fn word(sym: &str) -> bool {
    sym.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || "@.-_+".contains(c))
}

/// The offered texts as they stand whole in `buf`, row by row and in the order offered.
///
/// The screen is read into one text (a line per row) and each offer looked for in it once:
/// a frame of the contacts pane offers an e-mail and a phone per row, and looking for each in
/// each row cost more than drawing the frame.
pub fn find(buf: &Buffer, offers: &[Offer]) -> Vec<LinkSpan> {
    let area = buf.area;
    let width = usize::from(area.width);
    if offers.is_empty() || width == 0 {
        return Vec::new();
    }
    let cell_at = |c: usize| {
        let x = area.left() + (c % width) as u16;
        let y = area.top() + (c / width) as u16;
        (x, y)
    };
    // Each cell's byte offset in the text (non-decreasing: a wide character's trailing cell
    // is empty); a row ends with a newline, which no offer holds.
    let mut text = String::new();
    let mut at: Vec<usize> = Vec::with_capacity(width * usize::from(area.height));
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            at.push(text.len());
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    let mut found: Vec<(usize, usize, usize, LinkSpan)> = Vec::new();
    for (k, o) in offers.iter().enumerate() {
        if o.shown.is_empty() || o.shown.contains('\n') {
            continue;
        }
        for i in memchr::memmem::find_iter(text.as_bytes(), o.shown.as_bytes()) {
            // The first cell the match starts at (one starting inside a cell is no link).
            let first = at.partition_point(|&b| b < i);
            if at.get(first) != Some(&i) {
                continue;
            }
            let row = first / width;
            let (row_start, row_end) = (row * width, (row + 1) * width);
            let end = i + o.shown.len();
            let last = first + at[first..row_end].partition_point(|&b| b < end);
            let sym = |c: usize| buf[cell_at(c)].symbol();
            let before = first > row_start && word(sym(first - 1));
            let after = last < row_end && word(sym(last));
            if before || after {
                continue;
            }
            let cells = (first..last)
                .map(|c| {
                    let cell = &buf[cell_at(c)];
                    (cell.symbol().to_string(), cell.style())
                })
                .filter(|(s, _)| !s.is_empty())
                .collect();
            let (x, y) = cell_at(first);
            found.push((
                row,
                k,
                first,
                LinkSpan {
                    x,
                    y,
                    cells,
                    target: o.target.clone(),
                },
            ));
        }
    }
    found.sort_by_key(|&(row, k, first, _)| (row, k, first));
    found.into_iter().map(|(_, _, _, span)| span).collect()
}

/// Opens a link to `target` (already encoded: printable ASCII only).
pub fn open_seq(target: &str) -> String {
    debug_assert!(target.bytes().all(|b| (0x21..0x7f).contains(&b)));
    format!("\x1b]8;;{target}\x1b\\")
}

/// Closes the open link.
pub const CLOSE_SEQ: &str = "\x1b]8;;\x1b\\";

fn sgr_color(c: Color, fg: bool) -> String {
    let base = if fg { 30 } else { 40 };
    match c {
        Color::Reset => format!("{}", if fg { 39 } else { 49 }),
        Color::Black => format!("{base}"),
        Color::Red => format!("{}", base + 1),
        Color::Green => format!("{}", base + 2),
        Color::Yellow => format!("{}", base + 3),
        Color::Blue => format!("{}", base + 4),
        Color::Magenta => format!("{}", base + 5),
        Color::Cyan => format!("{}", base + 6),
        Color::Gray => format!("{}", base + 7),
        Color::DarkGray => format!("{}", base + 60),
        Color::LightRed => format!("{}", base + 61),
        Color::LightGreen => format!("{}", base + 62),
        Color::LightYellow => format!("{}", base + 63),
        Color::LightBlue => format!("{}", base + 64),
        Color::LightMagenta => format!("{}", base + 65),
        Color::LightCyan => format!("{}", base + 66),
        Color::White => format!("{}", base + 67),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
    }
}

/// SGR for a cell's style, from a reset state.
fn sgr(style: Style) -> String {
    let mut parts = vec!["0".to_string()];
    let m = style.add_modifier;
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            parts.push(code.into());
        }
    }
    parts.push(sgr_color(style.fg.unwrap_or(Color::Reset), true));
    parts.push(sgr_color(style.bg.unwrap_or(Color::Reset), false));
    format!("\x1b[{}m", parts.join(";"))
}

/// The bytes that make `spans` links on a terminal that shows what ratatui drew: saves the
/// cursor (DECSC), prints each span again inside its link, restores the cursor and the
/// attributes (DECRC) and resets the colours.
pub fn encode(spans: &[LinkSpan]) -> String {
    if spans.is_empty() {
        return String::new();
    }
    let mut out = String::from("\x1b7");
    for s in spans {
        out.push_str(&format!("\x1b[{};{}H", s.y + 1, s.x + 1));
        out.push_str(&open_seq(&s.target));
        let mut last: Option<Style> = None;
        for (sym, style) in &s.cells {
            if last != Some(*style) {
                out.push_str(&sgr(*style));
                last = Some(*style);
            }
            // Cells hold sanitised text; a control character here would be a bug elsewhere,
            // and is never passed to the terminal.
            let clean: String = sym.chars().filter(|c| !c.is_control()).collect();
            out.push_str(&clean);
        }
        out.push_str(CLOSE_SEQ);
    }
    out.push_str("\x1b[0m\x1b8");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn targets_are_encoded_and_refuse_what_is_not_an_address_or_a_number() {
        assert_eq!(
            mailto("Sandy@AcmeDental.com").as_deref(),
            Some("mailto:Sandy@AcmeDental.com")
        );
        assert_eq!(
            mailto("a+b@x.example").as_deref(),
            Some("mailto:a+b@x.example")
        );
        assert_eq!(mailto("two words@x.com"), None);
        assert_eq!(mailto("nobody"), None);
        assert_eq!(mailto("a@b@c"), None);
        assert_eq!(tel("(503) 555-0142").as_deref(), Some("tel:5035550142"));
        assert_eq!(
            tel("+1 657.325.3258 x330").as_deref(),
            Some("tel:+16573253258;ext=330")
        );
        assert_eq!(tel("12"), None);
        assert_eq!(tel("call me 555 1234"), None);
        assert_eq!(
            open_seq("mailto:a@b.example"),
            "\x1b]8;;mailto:a@b.example\x1b\\"
        );
    }

    #[test]
    fn a_hostile_address_cannot_break_out_of_the_link() {
        for raw in [
            "evil\x1b]8;;https://attacker.example\x1b\\@x.com",
            "evil\x07@x.com",
            "ev;il%@x.com\u{9b}31m",
            "a\u{202e}b@x.com",
            "x@y.com\x1b[2J",
        ] {
            let Some(t) = mailto(raw) else { continue };
            assert!(
                t.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b';'),
                "{raw:?} gave {t:?}"
            );
            assert!(!t.contains("attacker.example/") && !t.contains('\\'), "{t}");
            let seq = open_seq(&t);
            // Exactly one ESC opening and one ST closing: nothing inside starts another.
            assert_eq!(seq.matches('\x1b').count(), 2, "{seq:?}");
        }
        // The escape from the first one is gone, the rest percent-encoded.
        assert_eq!(
            mailto("evil\x1b]8;;https://attacker.example\x1b\\@x.com").as_deref(),
            Some("mailto:evil%5D8%3B%3Bhttps%3A%2F%2Fattacker.example%5C@x.com")
        );
    }

    fn buffer(lines: &[&str]) -> Buffer {
        let w = lines.iter().map(|l| l.chars().count()).max().unwrap() as u16;
        let mut b = Buffer::empty(Rect::new(0, 0, w, lines.len() as u16));
        for (y, l) in lines.iter().enumerate() {
            b.set_string(0, y as u16, l, Style::default());
        }
        b
    }

    #[test]
    fn only_whole_values_on_screen_are_links() {
        let b = buffer(&[
            "E-mail  sandy@acme.com   ",
            "Cut     sandy@acme.c…    ",
            "Other   xsandy@acme.com  ",
            "Phone   (503) 555-0142   ",
        ]);
        let offers = vec![
            Offer {
                shown: "sandy@acme.com".into(),
                target: "mailto:sandy@acme.com".into(),
            },
            Offer {
                shown: "(503) 555-0142".into(),
                target: "tel:5035550142".into(),
            },
        ];
        let found = find(&b, &offers);
        let at: Vec<(u16, u16, &str)> = found
            .iter()
            .map(|s| (s.x, s.y, s.target.as_str()))
            .collect();
        assert_eq!(
            at,
            [(8, 0, "mailto:sandy@acme.com"), (8, 3, "tel:5035550142")]
        );
        assert_eq!(found[0].cells.len(), "sandy@acme.com".len());
    }

    /// Wide characters before a value, a value at a row's end with a word starting the next
    /// row, the same value on two rows and a buffer not at the origin: each link where it
    /// stands, row by row, in the order offered.
    #[test]
    fn links_are_found_by_their_cells_across_wide_text_and_row_ends() {
        let mut b = Buffer::empty(Rect::new(3, 2, 20, 3));
        b.set_string(3, 2, "日本 a@b.jp 555-0142", Style::default());
        b.set_string(3, 3, "        555-0142 a@b", Style::default());
        b.set_string(3, 4, ".jp a@b.jp", Style::default());
        let offers = vec![
            Offer {
                shown: "555-0142".into(),
                target: "tel:5550142".into(),
            },
            Offer {
                shown: "a@b.jp".into(),
                target: "mailto:a@b.jp".into(),
            },
        ];
        let found = find(&b, &offers);
        let at: Vec<(u16, u16, &str, usize)> = found
            .iter()
            .map(|s| (s.x, s.y, s.target.as_str(), s.cells.len()))
            .collect();
        assert_eq!(
            at,
            [
                (15, 2, "tel:5550142", 8),
                (8, 2, "mailto:a@b.jp", 6),
                (11, 3, "tel:5550142", 8),
                (7, 4, "mailto:a@b.jp", 6),
            ]
        );
    }

    /// What a terminal shows after ratatui's bytes and the links' bytes.
    fn screen(bytes: &[u8], w: u16, h: u16) -> String {
        let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
        let mut p = vt100::Parser::new(nz(h), nz(w), 0);
        p.process(bytes);
        p.screen().contents()
    }

    #[test]
    fn the_screen_reads_the_same_with_the_links_written_over_it() {
        use ratatui::backend::{Backend, CrosstermBackend};
        let b = buffer(&[
            "E-mail  evil\u{241b}]8;;x@acme.com ",
            "Phone   (503) 555-0142        ",
        ]);
        let (w, h) = (b.area.width, b.area.height);
        let mut out: Vec<u8> = Vec::new();
        {
            let mut backend = CrosstermBackend::new(&mut out);
            let cells: Vec<(u16, u16, &ratatui::buffer::Cell)> = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .map(|(x, y)| (x, y, &b[(x, y)]))
                .collect();
            backend.draw(cells.into_iter()).unwrap();
            Backend::flush(&mut backend).unwrap();
        }
        let before = screen(&out, w, h);
        let offers = vec![
            Offer {
                shown: "evil\u{241b}]8;;x@acme.com".into(),
                target: mailto("evil\x1b]8;;x@acme.com").unwrap(),
            },
            Offer {
                shown: "(503) 555-0142".into(),
                target: tel("(503) 555-0142").unwrap(),
            },
        ];
        let spans = find(&b, &offers);
        assert_eq!(spans.len(), 2);
        let links = encode(&spans);
        // Two links: each opens once and closes once; the hostile text added no sequence.
        assert_eq!(links.matches("\x1b]8;;").count(), 4, "{links:?}");
        out.extend_from_slice(links.as_bytes());
        assert_eq!(screen(&out, w, h), before);
        assert!(before.contains("(503) 555-0142"));
    }
}
