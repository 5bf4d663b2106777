//! The `:` prompt on the bottom line with its suggestion popup, and the `:contact` results.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::Theme;
use super::text::{cell, fit, width};
use crate::app::palette::state::{ContactResults, POPUP_ROWS, suggestions};
use crate::app::{App, layout};

/// The prompt replaces the status line; the popup of matching commands sits just above it.
pub fn prompt(app: &App, frame: &mut Frame, theme: &Theme) {
    let area = frame.area();
    let screen = layout::screen(area);
    let line_area = screen.status;
    let avail = usize::from(line_area.width).saturating_sub(1);
    let input = &app.palette.input;
    let scroll = input.visual_scroll(avail.saturating_sub(1));
    let shown: String = crate::sanitize::line(input.value())
        .chars()
        .skip(scroll)
        .collect();
    frame.render_widget(Clear, line_area);
    let mut spans = vec![
        Span::styled(":", theme.accent()),
        Span::raw(fit(&shown, avail)),
    ];
    // A command that did not run says why, right of the prompt.
    if let Some(m) = app.message.as_ref().filter(|m| m.error) {
        let room = avail.saturating_sub(width(&shown) + 3);
        if room > 8 {
            let msg = fit(&m.text, room);
            spans.push(Span::raw(" ".repeat(room - width(&msg) + 2)));
            spans.push(Span::styled(msg, theme.error()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), line_area);
    let cx = (input.visual_cursor().saturating_sub(scroll) + 1).min(avail) as u16;
    frame.set_cursor_position(Position::new(line_area.x + cx, line_area.y));

    let sugg = suggestions(input.value(), &app.config.profiles);
    if sugg.is_empty() {
        return;
    }
    let rows = sugg.len().min(POPUP_ROWS);
    // As wide as the longest description needs (the screen's width at most): a description is
    // cut only when the screen has no more room.
    let needed = sugg.iter().map(|s| width(&s.label)).max().unwrap_or(0)
        + sugg.iter().map(|s| width(&s.help)).max().unwrap_or(0)
        + 5;
    let w = area
        .width
        .min(u16::try_from(needed).unwrap_or(u16::MAX).max(40));
    let h = (rows as u16 + 2).min(line_area.y);
    if h < 3 {
        return;
    }
    let popup = Rect::new(area.x, line_area.y - h, w, h);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.focus_border())
        .title(Line::styled(" Commands · Tab complete ", theme.dim()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let inner_w = usize::from(inner.width);
    let label_w = sugg
        .iter()
        .map(|s| width(&s.label))
        .max()
        .unwrap_or(0)
        .min(inner_w.saturating_sub(24));
    let lines: Vec<Line> = sugg
        .iter()
        .take(rows)
        .enumerate()
        .map(|(i, s)| {
            let selected = app.palette.chosen == Some(i);
            let label = Span::styled(
                format!(" {} ", cell(&s.label, label_w)),
                if selected {
                    theme.selected()
                } else {
                    theme.accent()
                },
            );
            let help = fit(&s.help, inner_w.saturating_sub(label_w + 3));
            Line::from(vec![label, Span::styled(format!(" {help}"), theme.dim())])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The `:contact` results' keys, on their bottom border and in the status line.
pub(super) const RESULTS_FOOTER: &str = " Enter jump · Esc close ";

/// The contacts `:contact` found: name, e-mail/phone/title, customer. Enter jumps.
pub fn results(r: &ContactResults, frame: &mut Frame, theme: &Theme) {
    let area = layout::help_area((frame.area().width, frame.area().height));
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::styled(
            format!(" Contacts matching \"{}\" ({}) ", r.query, r.hits.len()),
            theme.bold(),
        ))
        .title_bottom(Line::styled(RESULTS_FOOTER, theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let name_w = (w / 4).max(8);
    let cust_w = (w / 4).max(8);
    let detail_w = w.saturating_sub(name_w + cust_w + 4);
    let rows = usize::from(inner.height).max(1);
    let offset = r.cursor.saturating_sub(rows - 1);
    let lines: Vec<Line> = r
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, h)| {
            let text = format!(
                " {} {} {}",
                cell(&h.name, name_w),
                cell(&h.detail, detail_w),
                cell(&h.customer, cust_w)
            );
            let style = if i == r.cursor {
                theme.selected()
            } else {
                theme.plain()
            };
            Line::styled(fit(&text, w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    use crate::app::fixtures;
    use crate::app::keymap::map_key;
    use crate::app::{App, update};

    fn terminal(app: &App) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
        t.draw(|f| crate::ui::draw(app, f)).unwrap();
        t
    }

    fn typed(app: &mut App, keys: &[KeyCode]) {
        for &k in keys {
            if let Some(a) = map_key(app.mode(), &KeyEvent::new(k, KeyModifiers::NONE)) {
                update(app, a);
            }
        }
    }

    fn chars(s: &str) -> Vec<KeyCode> {
        s.chars().map(KeyCode::Char).collect()
    }

    #[test]
    fn palette_prompt_and_popup() {
        for size in [(100, 30), (80, 24), (120, 40), (200, 50)] {
            let mut app = fixtures::app(size);
            typed(&mut app, &chars(":"));
            let all = terminal(&app).backend().to_string();
            insta::assert_snapshot!(format!("palette_open_{}x{}", size.0, size.1), all);
            typed(&mut app, &chars("export co"));
            typed(&mut app, &[KeyCode::Tab]);
            let args = terminal(&app).backend().to_string();
            insta::assert_snapshot!(format!("palette_export_{}x{}", size.0, size.1), args);
        }
    }

    #[test]
    fn contact_results() {
        for size in [(100, 30), (80, 24), (120, 40), (200, 50)] {
            let mut app = fixtures::app(size);
            typed(&mut app, &chars(":contact acme.test"));
            typed(&mut app, &[KeyCode::Enter]);
            let text = terminal(&app).backend().to_string();
            insta::assert_snapshot!(format!("contact_results_{}x{}", size.0, size.1), text);
        }
    }

    #[test]
    fn an_error_shows_beside_the_prompt() {
        let mut app = fixtures::app((100, 30));
        typed(&mut app, &chars(":frob"));
        typed(&mut app, &[KeyCode::Enter]);
        let t = terminal(&app);
        let last = t.backend().buffer().content[100 * 29..]
            .iter()
            .map(|c| c.symbol())
            .collect::<String>();
        assert!(last.starts_with(":frob"), "{last}");
        assert!(last.contains("Unknown command :frob"), "{last}");
    }

    #[test]
    fn a_colour_override_reaches_the_screen() {
        let mut app = fixtures::app((100, 30));
        // The focused list's border is drawn in the accent colour.
        let before = terminal(&app).backend().buffer()[(0, 0)].fg;
        assert_eq!(before, Color::Cyan);
        app.config
            .colors
            .insert("accent".into(), Color::Rgb(255, 136, 0));
        assert_eq!(
            terminal(&app).backend().buffer()[(0, 0)].fg,
            Color::Rgb(255, 136, 0)
        );
        // The light theme has its own accent; NO_COLOR drops colours, overrides too.
        app.config.colors.clear();
        app.config.light = true;
        assert_eq!(terminal(&app).backend().buffer()[(0, 0)].fg, Color::Blue);
        app.config.colors.insert("accent".into(), Color::Green);
        app.config.color = false;
        assert_eq!(terminal(&app).backend().buffer()[(0, 0)].fg, Color::Reset);
    }

    #[test]
    fn unknown_colour_roles_are_reported() {
        let mut colors = std::collections::BTreeMap::new();
        colors.insert("acent".to_string(), Color::Red);
        colors.insert("error".to_string(), Color::Red);
        let (_, unknown) = crate::ui::Theme::new(true, false).with_overrides(&colors);
        assert_eq!(unknown, ["acent"]);
    }

    #[test]
    fn selection_and_muted_roles() {
        let mut app = fixtures::app((100, 30));
        app.config
            .colors
            .insert("selection_bg".into(), Color::Rgb(0x26, 0x4f, 0x78));
        app.config
            .colors
            .insert("muted".into(), Color::Indexed(244));
        let t = terminal(&app);
        let buf = t.backend().buffer();
        // Row 2 is the selected customer of the focused list; the detail's border is muted.
        assert_eq!(buf[(2, 2)].bg, Color::Rgb(0x26, 0x4f, 0x78));
        assert!(
            !buf[(2, 2)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)
        );
        assert_eq!(buf[(99, 10)].fg, Color::Indexed(244));
    }
}
