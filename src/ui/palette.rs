//! The `:` prompt on the bottom line with its suggestion popup, and the `:contact` results.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::Theme;
use super::text::{cell, fit, width};
use crate::app::palette::{POPUP_ROWS, suggestions};
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
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(":", theme.accent()),
            Span::raw(fit(&shown, avail)),
        ])),
        line_area,
    );
    let cx = (input.visual_cursor().saturating_sub(scroll) + 1).min(avail) as u16;
    frame.set_cursor_position(Position::new(line_area.x + cx, line_area.y));

    let sugg = suggestions(input.value(), &app.config.profiles);
    if sugg.is_empty() {
        return;
    }
    let rows = sugg.len().min(POPUP_ROWS);
    let w = area.width.min(76);
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
        .min(inner_w / 2);
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

/// The contacts `:contact` found: name, e-mail/phone/title, customer. Enter jumps.
pub fn results(app: &App, frame: &mut Frame, theme: &Theme) {
    let Some(r) = &app.results else { return };
    let area = layout::help_area((frame.area().width, frame.area().height));
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::styled(
            format!(" Contacts matching \"{}\" ({}) ", r.query, r.hits.len()),
            theme.bold(),
        ))
        .title_bottom(Line::styled(" Enter jump · Esc close ", theme.dim()));
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
