//! The screen's geometry, shared by the view (to draw) and the model (page sizes, scrolling,
//! mouse clicks), so both agree on how many rows fit.

use ratatui::layout::Rect;

use super::action::Cmd;
use super::view::FieldLine;
use crate::text;

/// The three regions of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub list: Rect,
    pub detail: Rect,
    pub status: Rect,
}

/// Splits the terminal: list on the left, detail on the right, status line at the bottom.
pub fn screen(area: Rect) -> Screen {
    let body_h = area.height.saturating_sub(1);
    let status = Rect::new(area.x, area.y + body_h, area.width, area.height.min(1));
    // The list gets a little more room on wide screens, where its extra columns fit.
    // At 80 columns the detail needs 40 inside its border for its tab bar. From 160 columns
    // the detail has more than it uses, and the list's columns grow into the difference.
    let list_w = if area.width >= 160 {
        area.width * 3 / 5
    } else if area.width >= 100 {
        area.width * 11 / 20
    } else {
        area.width * 19 / 40
    };
    let list = Rect::new(area.x, area.y, list_w, body_h);
    let detail = Rect::new(area.x + list_w, area.y, area.width - list_w, body_h);
    Screen {
        list,
        detail,
        status,
    }
}

/// Inside the list's border: the search line (when shown), the header, then the rows.
pub fn list_rows_area(list: Rect, search_line: bool) -> Rect {
    let inner = Rect::new(
        list.x + 1,
        list.y + 1,
        list.width.saturating_sub(2),
        list.height.saturating_sub(2),
    );
    let top = 1 + u16::from(search_line);
    Rect::new(
        inner.x,
        inner.y + top.min(inner.height),
        inner.width,
        inner.height.saturating_sub(top),
    )
}

/// How many customer rows fit on a terminal of this size.
pub fn list_viewport(size: (u16, u16), search_line: bool) -> usize {
    let s = screen(Rect::new(0, 0, size.0, size.1));
    usize::from(list_rows_area(s.list, search_line).height).max(1)
}

/// Rows of the detail pane's content (below its border and tab bar).
pub fn detail_viewport(size: (u16, u16)) -> usize {
    let s = screen(Rect::new(0, 0, size.0, size.1));
    usize::from(s.detail.height.saturating_sub(3)).max(1)
}

/// The help overlay: centred, at most 120 columns wide (descriptions wrap below that), nearly
/// the full height.
pub fn help_area(size: (u16, u16)) -> Rect {
    let w = size.0.saturating_sub(4).min(120);
    let h = size.1.saturating_sub(2);
    Rect::new((size.0 - w) / 2, (size.1 - h) / 2, w, h)
}

/// A modal box of the given inner text height, centred.
pub fn modal_area(size: (u16, u16), lines: u16) -> Rect {
    let w = size.0.saturating_sub(8).min(72);
    let h = (lines + 4).min(size.1);
    Rect::new((size.0 - w) / 2, (size.1 - h) / 2, w, h)
}

/// The detail's content: inside its border, below the tab bar.
pub fn detail_content(size: (u16, u16)) -> Rect {
    let d = screen(Rect::new(0, 0, size.0, size.1)).detail;
    Rect::new(
        d.x + 1,
        d.y + 2,
        d.width.saturating_sub(2),
        d.height.saturating_sub(3),
    )
}

/// Width of a record's label column.
pub fn record_label_width(fields: &[FieldLine]) -> usize {
    fields
        .iter()
        .map(|f| text::width(&f.label))
        .max()
        .unwrap_or(0)
        .min(14)
}

/// Width of a record's value column in an area `width` cells wide.
pub fn record_value_width(fields: &[FieldLine], width: u16) -> usize {
    usize::from(width)
        .saturating_sub(record_label_width(fields) + 2)
        .max(1)
}

/// Screen lines each field of a record takes when drawn `width` cells wide (long values wrap).
pub fn record_heights(fields: &[FieldLine], width: u16) -> Vec<usize> {
    let w = record_value_width(fields, width);
    fields
        .iter()
        .map(|f| text::wrap(&f.value, w).len())
        .collect()
}

/// Height of the contacts table (header included) above the selected contact's record.
pub fn contacts_table_height(contacts: usize, content_height: u16) -> u16 {
    (contacts as u16 + 1).min(content_height / 2).max(2)
}

/// The first line or row to show so that lines `first..=last` are visible in `height`,
/// moving the previous `offset` as little as possible.
pub fn scroll_to(offset: usize, first: usize, last: usize, height: usize) -> usize {
    let height = height.max(1);
    if first < offset {
        first
    } else if last >= offset + height {
        (last + 1 - height).min(first)
    } else {
        offset
    }
}

/// Where a list's movement key (`j` `k`, PgDn PgUp, `g` `G`) takes the cursor of a list of
/// `len` rows whose viewport shows `vp`; `None` for any other key.
pub fn list_target(cmd: Cmd, cur: usize, len: usize, vp: usize) -> Option<usize> {
    let to = match cmd {
        Cmd::Down => cur + 1,
        Cmd::Up => cur.saturating_sub(1),
        Cmd::PageDown => cur + vp,
        Cmd::PageUp => cur.saturating_sub(vp),
        Cmd::Top => 0,
        Cmd::Bottom => len.saturating_sub(1),
        _ => return None,
    };
    Some(to.min(len.saturating_sub(1)))
}
