//! The status line: spinner and what is loading, the last message, badges, key hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::text::{fit, width};
use crate::app::App;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let avail = usize::from(area.width);
    let mut right: Vec<Span> = Vec::new();
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
    let badges_w: usize = right.iter().map(|s| width(&s.content)).sum();
    let hints = match app.stack.dialog() {
        // A message has one answer: Enter and Esc both take it.
        Some(d) if d.choices.len() == 1 => format!("Enter {}", d.choices[0].label),
        // On the contacts pane, the same key lists customers again.
        _ if app.pane == crate::app::Pane::Contacts => app
            .config
            .keymap
            .hints(app.mode(), app.focus)
            .replace(" contacts", " customers"),
        _ => app.config.keymap.hints(app.mode(), app.focus),
    };

    let mut left: Vec<(String, ratatui::style::Style)> = Vec::new();
    if let Some(a) = app.activity() {
        left.push((
            format!("{} {a}", SPINNER[app.spinner % SPINNER.len()]),
            theme.accent(),
        ));
    }
    if let Some(m) = &app.message {
        if !left.is_empty() {
            left.push((" · ".into(), theme.dim()));
        }
        let style = if m.error {
            theme.error()
        } else {
            theme.plain()
        };
        left.push((m.text.clone(), style));
    }
    let left_w: usize = left.iter().map(|(t, _)| width(t)).sum();
    let show_hints = left_w + badges_w + width(&hints) + 2 <= avail;
    if show_hints {
        right.push(Span::styled(hints, theme.dim()));
    }
    let right_w: usize = right.iter().map(|s| width(&s.content)).sum();

    // The left side gets what the badges leave; a long message is cut with an ellipsis.
    let mut room = avail.saturating_sub(right_w + 1);
    let mut spans: Vec<Span> = Vec::new();
    for (t, style) in left {
        if room == 0 {
            break;
        }
        let t = fit(&t, room);
        room -= width(&t);
        spans.push(Span::styled(t, style));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    spans.push(Span::raw(" ".repeat(avail.saturating_sub(used + right_w))));
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
