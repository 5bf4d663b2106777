//! Overlays drawn over the panes: the help and modal messages.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::Theme;
use super::text::{cell, fit};
use crate::app::keymap::{HelpLine, help_lines};
use crate::app::{App, layout};

pub fn help(app: &App, frame: &mut Frame, theme: &Theme) {
    let area = layout::help_area(size_of(frame));
    clear(frame, area);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::styled(" Help ", theme.bold()))
        .title_bottom(Line::styled(" j/k scroll · Esc close ", theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let keys_w = 22.min(w / 2);
    let lines: Vec<Line> = help_lines(&app.config)
        .into_iter()
        .skip(app.help_scroll)
        .take(usize::from(inner.height))
        .map(|l| match l {
            HelpLine::Heading(h) => Line::styled(h, theme.header()),
            HelpLine::Entry { keys, text } => Line::from(vec![
                Span::styled(format!("  {}", cell(&keys, keys_w)), theme.accent()),
                Span::raw(fit(&text, w.saturating_sub(keys_w + 3))),
            ]),
            HelpLine::Text(t) => Line::raw(fit(&t, w)),
            HelpLine::Blank => Line::raw(""),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn modal(app: &App, frame: &mut Frame, theme: &Theme) {
    let Some(m) = &app.modal else { return };
    let size = size_of(frame);
    let probe = layout::modal_area(size, 0);
    let text_w = usize::from(probe.width.saturating_sub(4)).max(1);
    let body_lines: usize = m
        .body
        .iter()
        .map(|p| super::text::wrap(p, text_w).len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let area = layout::modal_area(size, body_lines as u16);
    clear(frame, area);
    let title_style = if m.error { theme.error() } else { theme.bold() };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(if m.error {
            theme.error()
        } else {
            theme.focus_border()
        })
        .title(Line::styled(format!(" {} ", m.title), title_style))
        .title_bottom(Line::styled(" Enter dismiss · q quit ", theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    for (i, p) in m.body.iter().enumerate() {
        if i > 0 {
            lines.push(Line::raw(""));
        }
        lines.extend(super::text::wrap(p, text_w).into_iter().map(Line::raw));
    }
    let inner = ratatui::layout::Rect::new(
        inner.x + 1,
        inner.y + 1.min(inner.height),
        inner.width.saturating_sub(2),
        inner.height.saturating_sub(1),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

fn size_of(frame: &Frame) -> (u16, u16) {
    let a = frame.area();
    (a.width, a.height)
}

/// Clears an overlay's area, including the wide characters (CJK, emoji) that start just left
/// of it and would otherwise spill their second half over the overlay's border.
pub(super) fn clear(frame: &mut Frame, area: ratatui::layout::Rect) {
    if area.x > 0 {
        let buf = frame.buffer_mut();
        for y in area.y..area.y + area.height {
            if let Some(cell) = buf.cell_mut((area.x - 1, y))
                && unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1
            {
                cell.set_symbol(" ");
            }
        }
    }
    frame.render_widget(Clear, area);
}
