//! The change log screen (`:log`): every write the app made on this profile, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::Theme;
use super::text::{cell, count, fit};
use crate::app::App;
use crate::app::bulk::state::LogView;
use crate::app::log::DETAIL_LINES;
use crate::changelog::{Action, ChangeKind, Entry, RecordKind};
use crate::sanitize;

/// The change log's keys, on its bottom border and in the status line.
pub(super) const FOOTER: &str =
    " Enter open · u undo (asks first) · / filter · r read again · Esc close ";

pub fn draw(app: &App, v: &LogView, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let mut title = vec![Span::styled(" Change log ", theme.bold())];
    title.push(Span::styled(
        format!(
            "· {} of {} ",
            count(v.shown.len() as u64),
            count(v.entries.len() as u64)
        ),
        theme.dim(),
    ));
    if !v.filter.is_empty() {
        title.push(Span::styled(
            format!("· \"{}\" ", fit(&sanitize::line(&v.filter), 24)),
            theme.accent(),
        ));
    }
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::from(title))
        .title_bottom(Line::styled(
            super::form::fit_footer(FOOTER, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    let when_w = 16;
    let kind_w = 10;
    let rest = w.saturating_sub(when_w + kind_w + 2);
    let what_w = (rest * 2 / 5).max(10);
    let fields_w = rest.saturating_sub(what_w + 1);
    lines.push(Line::styled(
        format!(
            "{} {} {} {}",
            cell("When (UTC)", when_w),
            cell("Kind", kind_w),
            cell("Record", what_w),
            cell("Before → after", fields_w)
        ),
        theme.header(),
    ));
    if v.loading && v.entries.is_empty() {
        lines.push(Line::styled(" Reading the change log…", theme.dim()));
    } else if let Some(e) = &v.error {
        lines.push(Line::styled(format!(" {e}"), theme.error()));
    } else if v.entries.is_empty() {
        lines.push(Line::styled(
            " The app has not changed anything on this account yet: every save, delete, retire, move, bulk edit and onboarding will be listed here.",
            theme.dim(),
        ));
    } else if v.shown.is_empty() {
        lines.push(Line::styled(
            format!(
                " No change matches \"{}\": :log without words lists them all.",
                sanitize::line(&v.filter)
            ),
            theme.dim(),
        ));
    }
    let vp = crate::app::log::viewport(app.size);
    for (k, &i) in v.shown.iter().enumerate().skip(v.offset).take(vp) {
        let e = &v.entries[i];
        let style = if k == v.cursor {
            theme.selected()
        } else if e.kind == ChangeKind::Undo {
            theme.dim()
        } else {
            theme.plain()
        };
        lines.push(Line::styled(
            format!(
                "{} {} {} {}",
                cell(&when(&e.at), when_w),
                cell(e.kind.label(), kind_w),
                cell(&sanitize::line(&record(e)), what_w),
                cell(&sanitize::line(&changed(e)), fields_w)
            ),
            style,
        ));
    }
    let list = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(DETAIL_LINES),
    );
    frame.render_widget(Paragraph::new(lines), list);
    // The selected entry in full, wrapped: nothing of it is only ever shown cut.
    if let Some(e) = v.shown.get(v.cursor).map(|&i| &v.entries[i]) {
        let mut text = format!("{} · {}", e.record.describe(), e.kind.label());
        if let Some(n) = &e.note {
            text.push_str(&format!(" · {n}"));
        }
        let fields = e.fields_text();
        if !fields.is_empty() {
            text.push_str(&format!(" · {fields}"));
        }
        let detail = Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(DETAIL_LINES),
            inner.width,
            DETAIL_LINES.min(inner.height),
        );
        frame.render_widget(
            Paragraph::new(sanitize::line(&text))
                .style(theme.dim())
                .wrap(Wrap { trim: true }),
            detail,
        );
    }
}

/// `2026-05-01T10:11:12.345Z` as `2026-05-01 10:11`.
fn when(at: &str) -> String {
    at.get(..16)
        .map(|s| s.replace('T', " "))
        .unwrap_or_else(|| at.to_string())
}

/// The record's name, and "contact" for a contact (the kind column says what was done).
fn record(e: &Entry) -> String {
    match e.record.kind {
        RecordKind::Customer => e.record.label.clone(),
        RecordKind::Contact => format!("{} · contact", e.record.label),
    }
}

/// The fields before and after, or what the change was when no field says it (a delete, a
/// create, a merge's move).
fn changed(e: &Entry) -> String {
    let fields = e.fields_text();
    match (&e.note, fields.is_empty()) {
        (Some(n), true) => n.clone(),
        (_, true) => match e.action {
            Action::Create => "created".into(),
            Action::Update => "updated".into(),
            Action::Delete => "deleted (its copy is kept here)".into(),
        },
        _ => fields,
    }
}
