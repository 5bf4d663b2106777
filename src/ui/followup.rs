//! The onboarding follow-ups (`:onboarding`): every item of every open checklist, the
//! customer's name on its first item, the selected item in full under the list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::Theme;
use super::text::{cell, fit};
use crate::app::App;
use crate::app::followup::state::{FollowupView, item_text};
use crate::sanitize;
use crate::text::plural;

/// Lines under the list for the selected item in full.
const DETAIL_LINES: u16 = 2;

/// The follow-ups' keys, on the bottom border and in the status line.
pub(super) const FOOTER: &str =
    " Space tick · o open in Syncro · Enter customer · r look again · Esc close ";

pub fn draw(app: &App, v: &FollowupView, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let f = &app.followups;
    let mut title = vec![Span::styled(" Onboarding follow-ups ", theme.bold())];
    title.push(Span::styled(
        format!("· {} open ", plural(f.lists.len(), "checklist")),
        theme.dim(),
    ));
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::from(title))
        .title_bottom(Line::styled(
            fit(FOOTER, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let w = usize::from(inner.width);
    // As wide as the longest "0/4 Name": a name is cut only when the items need the room.
    let longest = f
        .lists
        .iter()
        .map(|c| super::text::width(&sanitize::line(&c.name)) + 4)
        .max()
        .unwrap_or(8);
    // The items' texts take up to 60 columns; a narrow screen splits 3:7.
    let cap = (w * 3 / 10).max(w.saturating_sub(60)).min(w / 2).max(10);
    let name_w = longest.clamp(10, cap);
    let item_w = w.saturating_sub(name_w + 1);
    let mut lines = vec![Line::styled(
        format!(
            "{} {}",
            cell("Customer", name_w),
            cell("Item and what is seen", item_w)
        ),
        theme.header(),
    )];
    let rows = f.rows();
    if !f.loaded && f.error.is_none() {
        lines.push(Line::styled(" Reading the follow-ups…", theme.dim()));
    } else if let Some(e) = &f.error {
        lines.push(Line::styled(format!(" {e}"), theme.error()));
    } else if rows.is_empty() {
        lines.push(Line::styled(
            " No follow-up is open. Each onboarding (O) leaves one with its new customer: deploy the RMM agent, import the inventory, create the contract, set the billing schedule.",
            theme.dim(),
        ));
    }
    let vp = crate::app::followup::viewport(app.size);
    let cursor = v.cursor.min(rows.len().saturating_sub(1));
    for (k, &(i, item)) in rows.iter().enumerate().skip(v.offset).take(vp) {
        let c = &f.lists[i];
        let first = c.items.first().map(|s| s.item) == Some(item);
        let name = if first || k == v.offset {
            let (done, all) = c.progress();
            format!("{done}/{all} {}", sanitize::line(&c.name))
        } else {
            String::new()
        };
        let done = c.state(item).is_some_and(|s| s.done.is_some());
        let style = if k == cursor {
            theme.selected()
        } else if done {
            theme.dim()
        } else {
            theme.plain()
        };
        let text = item_text(c, item, f.checking.contains(&c.customer_id));
        lines.push(Line::styled(
            format!("{} {}", cell(&name, name_w), cell(&text, item_w)),
            style,
        ));
    }
    let list = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(DETAIL_LINES),
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), list);
    // The selected item in full, with where `o` goes: nothing is only ever shown cut.
    if let Some(&(i, item)) = rows.get(cursor) {
        let c = &f.lists[i];
        let text = format!(
            "{} (#{}) · {} · o opens {}",
            sanitize::line(&c.name),
            c.customer_id,
            item_text(c, item, f.checking.contains(&c.customer_id))
                .trim_start_matches(['✓', '·'])
                .trim_start(),
            item.web_path(c.customer_id)
        );
        let detail = Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(DETAIL_LINES),
            inner.width,
            DETAIL_LINES.min(inner.height),
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim())
                .wrap(Wrap { trim: true }),
            detail,
        );
    }
}
