//! The status line: spinner and what is loading, the last message, badges, key hints.
//!
//! A message too long for the line is not cut: it wraps onto the lines just above (over the
//! panes' bottom borders) for as long as it is shown, up to [`MAX_LINES`] in all.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::text::{fit, width, wrap};
use crate::app::{App, Cmd, Focus, Mode, Pane, Screen, Tab};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The most lines the status takes (the bottom line and the ones above it).
pub const MAX_LINES: usize = 4;

/// The keys of the screen in front for the status line's right side: the same words as the
/// screen's own footer where it has one, so the two never disagree, and for the panes only
/// keys that do something where the cursor is.
pub(super) fn hints(app: &App) -> String {
    let footer = match app.stack.top() {
        Some(Screen::Dialog(d)) => Some(super::overlay::dialog_hint(d)),
        Some(Screen::Audit(v)) => Some(super::audit::footer(v).to_string()),
        Some(Screen::Merge(m)) => Some(super::merge::footer(m).to_string()),
        Some(Screen::ContactMerge(m)) => Some(super::contact_merge::footer(m).to_string()),
        Some(Screen::Onboard(s)) => Some(super::onboard::hint(app, s)),
        Some(Screen::Find(_)) => Some(super::find::FOOTER.to_string()),
        Some(Screen::Help(_)) => Some(super::overlay::HELP_FOOTER.to_string()),
        Some(Screen::Results(_)) => Some(super::palette::RESULTS_FOOTER.to_string()),
        Some(Screen::Pick(_)) => Some(super::pick::FOOTER.to_string()),
        Some(Screen::Form(f)) => Some(super::form::footer(app, f)),
        Some(Screen::Bulk(b)) => Some(super::bulk::footer(b).to_string()),
        Some(Screen::Log(_)) => Some(super::log::FOOTER.to_string()),
        Some(Screen::Report(r)) => Some(super::report::footer(r).to_string()),
        Some(Screen::Followups(_)) => Some(super::followup::FOOTER.to_string()),
        Some(Screen::Search | Screen::Palette) | None => None,
    };
    if let Some(f) = footer {
        return status_words(&f);
    }
    let km = &app.config.keymap;
    let mode = app.mode();
    if mode == Mode::Normal && app.focus == Focus::Detail {
        let mut items: Vec<(Cmd, &str)> = Vec::new();
        let d = &app.detail;
        if app.pane == Pane::Contacts {
            // The contact's record: Enter opens its customer in the customer list.
            items.push((Cmd::Open, "customer"));
        } else if d.contact_open {
            items.push((Cmd::NextContact, "next contact"));
        } else if d.tab == Tab::Contacts && d.view.as_ref().is_some_and(|v| !v.contacts.is_empty())
        {
            items.push((Cmd::Open, "open"));
        }
        items.push((Cmd::Copy, "copy"));
        items.push((Cmd::Back, "back"));
        let mut parts: Vec<String> = Vec::new();
        if app.pane != Pane::Contacts {
            parts.push("1-5 tabs".into());
        }
        for (cmd, text) in items {
            if let Some(k) = km.key_label(mode, cmd) {
                parts.push(format!("{k} {text}"));
            }
        }
        return parts.join("  ");
    }
    let h = km.hints(mode, app.focus);
    if app.pane == Pane::Contacts {
        // On the contacts pane, the same key lists customers again.
        h.replace(" contacts", " customers")
    } else {
        h
    }
}

/// A footer (" Enter plan · Esc back ") as the status line writes it ("Enter plan  Esc back").
fn status_words(footer: &str) -> String {
    footer.trim().split(" · ").collect::<Vec<_>>().join("  ")
}

/// The status as lines of text, top first, each with the style of its left part; the right
/// part (badges, hints) goes on the last line. Pure, for the tests.
struct Layout {
    /// Lines above the bottom one, each the message's text.
    above: Vec<String>,
    /// The bottom line's left part (cut only when even [`MAX_LINES`] lines do not hold it).
    bottom: String,
    show_hints: bool,
}

fn layout(left: &str, avail: usize, badges_w: usize, hints_w: usize, max: usize) -> Layout {
    let with_hints = avail.saturating_sub(badges_w + hints_w + 2);
    let without = avail.saturating_sub(badges_w + 1);
    if width(left) <= with_hints {
        return Layout {
            above: Vec::new(),
            bottom: left.to_string(),
            show_hints: true,
        };
    }
    // The message takes the whole width, on as many lines as it needs; the keys of the screen
    // in front stay on the bottom line, beside the message's last words or under them.
    let mut lines = if left.is_empty() {
        Vec::new()
    } else {
        wrap(left, without.max(1))
    };
    let last_fits = lines.last().is_some_and(|l| width(l) <= with_hints);
    let show_hints = hints_w > 0 && with_hints > 0;
    if show_hints && !last_fits {
        lines.push(String::new());
    }
    let mut show_hints = show_hints;
    if lines.len() > max {
        // Too long even so: give the keys' line to the message, then cut the rest.
        if show_hints && !last_fits {
            lines.pop();
            show_hints = false;
        }
        if lines.len() > max {
            lines.truncate(max);
            if let Some(last) = lines.last_mut() {
                *last = fit(&format!("{last} …"), without);
            }
            show_hints = lines.last().is_some_and(|l| width(l) <= with_hints);
        }
    }
    let bottom = lines.pop().unwrap_or_default();
    Layout {
        above: lines,
        bottom,
        show_hints,
    }
}

fn max_lines(height: u16) -> usize {
    MAX_LINES.min(usize::from(height / 6)).max(1)
}

/// The spinner with what is loading, and the message: the text and where the message starts.
fn left_text(app: &App) -> (String, usize) {
    let mut left = String::new();
    if let Some(a) = app.activity() {
        left.push_str(&format!("{} {a}", SPINNER[app.spinner % SPINNER.len()]));
    }
    let prefix = left.len();
    if let Some(m) = &app.message {
        if !left.is_empty() {
            left.push_str(" · ");
        }
        left.push_str(&m.text);
    }
    (left, prefix)
}

fn badges(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    let mut right: Vec<Span<'static>> = Vec::new();
    if app.config.demo {
        right.push(Span::styled(" DEMO ", theme.demo_badge()));
        right.push(Span::raw(" "));
    }
    if app.config.read_only {
        right.push(Span::styled(" READ-ONLY ", theme.read_only_badge()));
        right.push(Span::raw(" "));
    }
    // The account in use, always in sight when the config file has accounts to switch to.
    if let Some(p) = app
        .config
        .profile
        .as_ref()
        .filter(|_| !app.config.demo && !app.config.profiles.is_empty())
    {
        right.push(Span::styled(
            format!(" {} ", crate::sanitize::line(&p.name)),
            theme.selected_unfocused(),
        ));
        right.push(Span::raw(" "));
    }
    right
}

/// Draws the status on the bottom line of `area` and, for a long message, on the lines above
/// it (`area` is the whole screen).
pub fn draw(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let avail = usize::from(area.width);
    let mut right = badges(app, theme);
    let badges_w: usize = right.iter().map(|s| width(&s.content)).sum();
    let hints = hints(app);
    let (left, prefix) = left_text(app);
    let message_style = match &app.message {
        Some(m) if m.error => theme.error(),
        _ => theme.plain(),
    };
    let max = max_lines(area.height).min(usize::from(area.height));
    let l = layout(&left, avail, badges_w, width(&hints), max);
    if l.show_hints {
        right.push(Span::styled(hints, theme.dim()));
    }
    let right_w: usize = right.iter().map(|s| width(&s.content)).sum();

    // The activity keeps its accent where it is, on the first line.
    let styled = |text: &str, first: bool| -> Vec<Span<'static>> {
        if first && prefix > 0 {
            let cut = (0..=prefix.min(text.len()))
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            vec![
                Span::styled(text[..cut].to_string(), theme.accent()),
                Span::styled(text[cut..].to_string(), message_style),
            ]
        } else {
            vec![Span::styled(text.to_string(), message_style)]
        }
    };
    let bottom_y = area.y + area.height - 1;
    let top_y = bottom_y - l.above.len() as u16;
    for (k, text) in l.above.iter().enumerate() {
        let row = Rect::new(area.x, top_y + k as u16, area.width, 1);
        frame.render_widget(ratatui::widgets::Clear, row);
        let mut spans = styled(text, k == 0);
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        spans.push(Span::raw(" ".repeat(avail.saturating_sub(used))));
        frame.render_widget(Paragraph::new(Line::from(spans)), row);
    }
    let room = avail.saturating_sub(right_w + 1);
    let bottom = fit(&l.bottom, room);
    let mut spans = styled(&bottom, l.above.is_empty());
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    spans.push(Span::raw(" ".repeat(avail.saturating_sub(used + right_w))));
    spans.extend(right);
    let row = Rect::new(area.x, bottom_y, area.width, 1);
    frame.render_widget(Paragraph::new(Line::from(spans)), row);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All the words of a layout, top to bottom.
    fn words(l: &Layout) -> String {
        let mut all = l.above.clone();
        all.push(l.bottom.clone());
        all.iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_long_message_wraps_rather_than_ending_in_an_ellipsis() {
        let msg = "Syncro refused the API key (401 Unauthorized). Create a new token in Syncro \
                   (Admin → API Tokens, with the Customers permissions), put it in \
                   SYNCRO_API_KEY and press r to try again.";
        let l = layout(msg, 120, 7, 40, 4);
        assert!(l.above.len() <= 2, "{:?}", l.above);
        assert_eq!(words(&l), msg);
        assert!(!l.bottom.ends_with('…'));
        assert!(l.show_hints, "the keys of the screen stay");
        // Short: one line with the hints.
        let short = layout("Saved", 120, 7, 40, 4);
        assert!(short.above.is_empty() && short.show_hints);
    }

    /// A message that fits the line only without the keys takes the line above, and the keys
    /// stay on the bottom line.
    #[test]
    fn the_keys_stay_when_a_message_needs_the_width() {
        let msg = "Someone changed these fields on the server too: choose per field (m or t)";
        let l = layout(msg, 100, 0, 60, 4);
        assert_eq!(l.above, vec![msg.to_string()]);
        assert_eq!(l.bottom, "");
        assert!(l.show_hints);
        // With no room at all, the message wins and the end is marked.
        let long = "word ".repeat(200);
        let l = layout(long.trim(), 80, 0, 30, 2);
        assert_eq!(l.above.len(), 1);
        assert!(l.bottom.ends_with('…') && !l.show_hints);
    }
}
