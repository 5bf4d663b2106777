//! The bulk edit screen: the change and its value, the preview (old → new for every record),
//! the progress (✓/✗ per record) and the result.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Theme;
use super::text::{cell, count, fit, wrap};
use crate::app::App;
use crate::app::bulk::state::{BulkScreen, BulkStage, ValueKind, status_mark};
use crate::flows::bulk::ItemStatus;
use crate::sanitize;

/// The bulk edit's keys for the stage in front, on its bottom border and in the status line.
pub(super) fn footer(b: &BulkScreen) -> &'static str {
    match &b.stage {
        BulkStage::Choose => match b.current().value_kind() {
            ValueKind::Pick(_) => " ↑/↓ change · Tab value · Enter preview · Esc back ",
            ValueKind::Customer => {
                " ↑/↓ change · Enter pick the customer, then preview · Esc back "
            }
            _ => " ↑/↓ change · type the value · Enter preview · Esc back ",
        },
        BulkStage::Preview { .. } => " ↑/↓ PgUp/PgDn scroll · Enter change them… · Esc back ",
        BulkStage::Running => " ↑/↓ scroll · Esc hide (it goes on) ",
        BulkStage::Done { error: Some(_), .. } => " r resume · x forget · Esc back ",
        BulkStage::Done { .. } => " ↑/↓ scroll · Esc back ",
    }
}

pub fn draw(app: &App, b: &BulkScreen, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let noun = if b.contacts { "contacts" } else { "customers" };
    let n = count(b.ids.len() as u64);
    let title = match &b.stage {
        BulkStage::Choose => format!(" Bulk edit · {n} marked {noun} "),
        // A preview may come from a report (`:names`) as well as from marks.
        BulkStage::Preview { .. } => format!(" Bulk edit · {n} {noun} "),
        _ => format!(" Bulk edit · {} · {n} {noun} ", sanitize::line(&b.what)),
    };
    let keys = footer(b);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Span::styled(title, theme.bold()))
        .title_bottom(Line::styled(
            super::form::fit_footer(keys, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let w = usize::from(inner.width);
    let h = usize::from(inner.height);
    let mut lines: Vec<Line> = Vec::new();
    match &b.stage {
        BulkStage::Choose => {
            lines.push(Line::styled(
                format!("What to change on the {n} marked {noun}"),
                theme.header(),
            ));
            for (i, c) in b.choices().iter().enumerate() {
                let style = if i == b.choice {
                    theme.selected()
                } else {
                    theme.plain()
                };
                lines.push(Line::styled(cell(&format!("  {}", c.label()), w), style));
            }
            lines.push(Line::raw(""));
            let c = b.current();
            let value = match c.value_kind() {
                ValueKind::Pick(_) => format!("‹ {} ›", b.value.value()),
                ValueKind::Customer => match &b.target {
                    Some((id, name)) => format!("{name} (#{id})"),
                    None => "(Enter picks the customer)".into(),
                },
                ValueKind::None => "—".into(),
                ValueKind::Text => sanitize::line(b.value.value()),
            };
            let value_y = lines.len();
            lines.push(Line::from(vec![
                Span::styled("Value  ", theme.label()),
                Span::styled(fit(&value, w.saturating_sub(7)), theme.selected()),
            ]));
            lines.push(Line::styled(format!("       {}", c.hint()), theme.dim()));
            if let Some(e) = &b.error {
                for l in wrap(&sanitize::line(e), w) {
                    lines.push(Line::styled(l, theme.error()));
                }
            }
            if b.typing() && value_y < h {
                let cur = b.value.visual_cursor().min(w.saturating_sub(8));
                frame.set_cursor_position(Position::new(
                    inner.x + 7 + cur as u16,
                    inner.y + value_y as u16,
                ));
            }
        }
        BulkStage::Preview { plan, scroll } => {
            let writes = plan.to_write();
            let skipped = plan.items.len() - writes;
            let rpm = match app.config.requests_per_minute {
                0 => 180,
                n => n,
            };
            let secs = plan.duration_at(rpm);
            lines.push(Line::styled(
                fit(&sanitize::line(&plan.change.describe()), w),
                theme.bold(),
            ));
            let summary = format!(
                "{} to write, {} skipped · {} requests, about {} at {rpm} a minute · nothing sent yet",
                count(writes as u64),
                count(skipped as u64),
                count(plan.requests() as u64),
                crate::mirror::human_duration(secs),
            );
            for l in wrap(&summary, w) {
                lines.push(Line::styled(l, theme.dim()));
            }
            if let Some(e) = &b.error {
                for l in wrap(&sanitize::line(e), w) {
                    lines.push(Line::styled(l, theme.error()));
                }
            }
            // Columns as wide as what they hold, the new value taking what is left.
            let rows = plan.preview();
            let widest = |f: &dyn Fn(&crate::flows::bulk::PreviewRow) -> usize| {
                rows.iter().map(f).max().unwrap_or(0)
            };
            // A change of the name itself (the house style): the record is its old value, so
            // the column would only repeat it.
            let named_by_old = rows.iter().all(|r| r.label == r.old);
            let name_w = if named_by_old {
                0
            } else {
                widest(&|r| crate::text::width(&r.label))
                    .max(6)
                    .min((w / 3).clamp(12, 40))
            };
            let avail = w.saturating_sub(name_w + 5);
            let old_w = widest(&|r| crate::text::width(&r.old))
                .max(3)
                .min(avail / 2);
            let new_w = avail.saturating_sub(old_w);
            lines.push(Line::styled(
                format!(
                    "  {}{} → {}",
                    record_cell("Record", name_w),
                    cell("Now", old_w),
                    cell("After", new_w)
                ),
                theme.header(),
            ));
            let room = h.saturating_sub(lines.len());
            for row in rows.iter().skip(*scroll).take(room) {
                let (after, style) = match &row.skip {
                    Some(why) => (format!("(skipped: {why})"), theme.dim()),
                    None => (row.new.clone(), theme.plain()),
                };
                lines.push(Line::styled(
                    format!(
                        "  {}{} → {}",
                        record_cell(&sanitize::line(&row.label), name_w),
                        cell(&sanitize::line(&row.old), old_w),
                        cell(&sanitize::line(&after), new_w)
                    ),
                    style,
                ));
            }
        }
        BulkStage::Running | BulkStage::Done { .. } => {
            let done = b.items.iter().filter(|i| i.status.is_finished()).count();
            let head = match &b.stage {
                BulkStage::Done { counts, error } => {
                    let mut s = format!(
                        "{} written, {} skipped, {} left alone (changed on the server since), {} failed, {} not sent",
                        counts.done,
                        counts.skipped,
                        counts.conflicts,
                        counts.failed,
                        counts.pending
                    );
                    if let Some(e) = error {
                        s = format!(
                            "Stopped: {}. {s}. r resumes where it stopped.",
                            sanitize::line(e)
                        );
                    }
                    s
                }
                _ => format!(
                    "{} of {} records · the run waits for the rate limit between writes",
                    count(done as u64),
                    count(b.items.len() as u64)
                ),
            };
            let style = match &b.stage {
                BulkStage::Done { error: Some(_), .. } => theme.error(),
                _ => theme.bold(),
            };
            for l in wrap(&head, w) {
                lines.push(Line::styled(l, style));
            }
            lines.push(Line::raw(""));
            let room = h.saturating_sub(lines.len());
            for i in b.items.iter().skip(b.scroll).take(room) {
                let (extra, style) = match &i.status {
                    ItemStatus::Done => (format!("{} → {}", i.old, i.new), theme.plain()),
                    ItemStatus::Skipped { reason } => (format!("skipped: {reason}"), theme.dim()),
                    ItemStatus::Failed { error } => (format!("failed: {error}"), theme.error()),
                    ItemStatus::Conflict { reason, .. } => {
                        (format!("left alone: {reason}"), theme.accent())
                    }
                    ItemStatus::Pending => (String::new(), theme.dim()),
                };
                let text = format!(
                    "{} {}  {}",
                    status_mark(&i.status),
                    sanitize::line(&i.label),
                    sanitize::line(&extra)
                );
                lines.push(Line::styled(fit(&text, w), style));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The record column of the preview with its separating space; nothing when it is left out.
fn record_cell(text: &str, w: usize) -> String {
    if w == 0 {
        String::new()
    } else {
        format!("{} ", cell(text, w))
    }
}
