//! The customer picker: a field and the customers that match it.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Theme;
use super::text::{cell, count, fit};
use crate::app::App;
use crate::app::list::{PickFor, PickState};

/// The picker's keys, on its bottom border and in the status line.
pub(super) const FOOTER: &str = " Enter pick · ↑↓ move · Esc cancel ";

pub fn draw(app: &App, p: &PickState, frame: &mut Frame, theme: &Theme) {
    let size = frame.area();
    let area = crate::app::find::area((size.width, size.height));
    super::overlay::clear(frame, area);
    let title = match p.purpose {
        PickFor::NewContact => " New contact: under which customer? ",
        PickFor::MoveContact { .. } => " Move the contact: to which customer? ",
        PickFor::BulkMove => " Move the marked contacts: to which customer? ",
        PickFor::Referrer => " Referred by which customer? ",
    };
    let found = if p.total > p.hits.len() {
        format!(
            " {} of {} ",
            count(p.hits.len() as u64),
            count(p.total as u64)
        )
    } else {
        format!(" {} ", count(p.total as u64))
    };
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::styled(title, theme.bold()))
        .title(Line::styled(found, theme.dim()).right_aligned())
        .title_bottom(Line::styled(FOOTER, theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let w = usize::from(inner.width);
    let value = crate::sanitize::line(p.input.value());
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", theme.accent()),
        Span::raw(fit(&value, w.saturating_sub(2))),
    ])];
    let vp = usize::from(inner.height.saturating_sub(1));
    let offset = (p.cursor + 1).saturating_sub(vp);
    let city_w = 16.min(w / 4);
    for (k, id) in p.hits.iter().enumerate().skip(offset).take(vp) {
        let Some(row) = app.list.index.get(id).and_then(|&i| app.list.rows.get(i)) else {
            continue;
        };
        let v = &row.view;
        let text = format!(
            "{} {}",
            cell(v.name(), w.saturating_sub(city_w + 1)),
            cell(v.city(), city_w)
        );
        let style = if k == p.cursor {
            theme.selected()
        } else {
            theme.plain()
        };
        lines.push(Line::styled(text, style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let x = inner.x + 2 + (p.input.visual_cursor() as u16).min(inner.width.saturating_sub(3));
    frame.set_cursor_position((x, inner.y));
}
