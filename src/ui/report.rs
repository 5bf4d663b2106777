//! The reports over the customers (`:referrals`, `:names`, `:incomplete`): a summary, a table
//! of the rows on screen, and the selected row in full under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::Theme;
use super::text::{cell, count, fit, wrap};
use crate::app::App;
use crate::app::report::state::{DETAIL_LINES, ReportData, ReportView, SUMMARY_LINES, viewport};
use crate::house::Missing;
use crate::house::referral::{ReferralGroup, ReferralReport, Source, UNKNOWN_MONTH};
use crate::sanitize;
use crate::text::plural;

/// Width of a month column (`2024-01` and a space).
const MONTH_W: usize = 8;
/// Width of the customers column.
const COUNT_W: usize = 9;

/// The report's keys, on its bottom border and in the status line.
pub(super) fn footer(v: &ReportView) -> &'static str {
    match &v.data {
        ReportData::Referrals(_) => {
            " Enter list its customers · x export CSV · r count again · Esc close "
        }
        ReportData::Names(_) => {
            " Enter open · e fix them all (preview first) · r count again · Esc close "
        }
        ReportData::Incomplete(_) => " Enter open the customer · r count again · Esc close ",
    }
}

pub fn draw(app: &App, v: &ReportView, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let keys = footer(v);
    let title = match &v.data {
        ReportData::Referrals(r) => {
            format!(" Referral sources · {} ", plural(r.groups.len(), "source"))
        }
        ReportData::Names(n) => format!(" Names off the house style · {} ", count(n.len() as u64)),
        ReportData::Incomplete(n) => {
            format!(" Incomplete profiles · {} ", count(n.len() as u64))
        }
    };
    let w_all = usize::from(area.width.saturating_sub(2));
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::styled(fit(&title, w_all), theme.bold()))
        .title_bottom(Line::styled(short_keys(keys, w_all), theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let w = usize::from(inner.width);
    let (summary, header, rows, detail) = match &v.data {
        ReportData::Referrals(r) => referrals(app, v, r, w),
        ReportData::Names(_) => names(app, v, w),
        ReportData::Incomplete(_) => incomplete(app, v, w),
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut summary_lines: Vec<String> = summary.iter().flat_map(|s| wrap(s, w)).collect();
    summary_lines.truncate(usize::from(SUMMARY_LINES));
    while summary_lines.len() < usize::from(SUMMARY_LINES) {
        summary_lines.push(String::new());
    }
    lines.extend(
        summary_lines
            .into_iter()
            .map(|s| Line::styled(s, theme.dim())),
    );
    if let Some(h) = header {
        lines.push(Line::styled(h, theme.header()));
    }
    match rows {
        Ok(rows) => {
            for (k, text) in rows {
                let style = if k == v.cursor {
                    theme.selected()
                } else {
                    theme.plain()
                };
                lines.push(Line::styled(text, style));
            }
        }
        Err(empty) => {
            for l in wrap(&empty, w.saturating_sub(1)) {
                lines.push(Line::styled(format!(" {l}"), theme.dim()));
            }
        }
    }
    let list = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(DETAIL_LINES),
    );
    frame.render_widget(Paragraph::new(lines), list);
    if !detail.is_empty() {
        let at = Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(DETAIL_LINES),
            inner.width,
            DETAIL_LINES.min(inner.height),
        );
        frame.render_widget(
            Paragraph::new(sanitize::line(&detail))
                .style(theme.dim())
                .wrap(Wrap { trim: true }),
            at,
        );
    }
}

/// The keys line, its last entries dropped whole (never cut mid-word) when it does not fit.
fn short_keys(keys: &str, w: usize) -> String {
    let parts: Vec<&str> = keys.trim().split(" · ").collect();
    for n in (1..=parts.len()).rev() {
        let mut chosen: Vec<&str> = parts[..n].to_vec();
        // Esc is the way out: it stays whatever else goes.
        if n < parts.len()
            && let Some(esc) = parts.last()
        {
            chosen.pop();
            chosen.push(esc);
        }
        let text = format!(" {} ", chosen.join(" · "));
        if super::text::width(&text) <= w {
            return text;
        }
    }
    String::new()
}

/// The rows on screen, each with its index, or the text for an empty report.
type Rows = Result<Vec<(usize, String)>, String>;

fn visible(app: &App, v: &ReportView) -> std::ops::Range<usize> {
    let vp = viewport(app.size);
    v.offset..(v.offset + vp).min(v.len())
}

fn referrals(
    app: &App,
    v: &ReportView,
    r: &ReferralReport,
    w: usize,
) -> (Vec<String>, Option<String>, Rows, String) {
    let with_source = r.total - r.unattributed;
    let summary = vec![
        format!(
            "{} · {} with a source · {} without",
            plural(r.total, "customer"),
            count(with_source as u64),
            count(r.unattributed as u64)
        ),
        format!("Over {}", v.scope),
    ];
    if r.groups.is_empty() {
        let empty = if r.total == 0 {
            "No customers are loaded yet.".to_string()
        } else {
            "No customer has a referral source: the form's Referred by (typed) or Referred by customer (picked) sets one.".to_string()
        };
        return (summary, None, Err(empty), String::new());
    }
    let months: Vec<&String> = r.months.iter().filter(|m| *m != UNKNOWN_MONTH).collect();
    let source_w = (w * 2 / 5).clamp(16, 44).min(w.saturating_sub(COUNT_W + 1));
    let room = w.saturating_sub(source_w + COUNT_W + 1);
    let n_months = (room / MONTH_W).min(months.len());
    let shown_months = &months[months.len() - n_months..];
    let mut header = format!(
        "{} {:>width$}",
        cell("Source", source_w),
        "Customers",
        width = COUNT_W
    );
    for m in shown_months {
        header.push_str(&format!(" {m:>7}"));
    }
    let rows = visible(app, v)
        .map(|k| {
            let g = &r.groups[k];
            let mut text = format!(
                "{} {:>width$}",
                cell(&sanitize::line(&label(g)), source_w),
                count(g.count as u64),
                width = COUNT_W
            );
            for m in shown_months {
                let n = g.by_month.get(*m).copied().unwrap_or(0);
                let t = if n == 0 { "·".into() } else { n.to_string() };
                text.push_str(&format!(" {t:>7}"));
            }
            (k, text)
        })
        .collect();
    let detail = r
        .groups
        .get(v.cursor)
        .map(|g| group_detail(g, n_months < months.len()))
        .unwrap_or_default();
    (summary, Some(header), Ok(rows), detail)
}

/// A source as the table names it: a referring customer says so, merged spellings count.
fn label(g: &ReferralGroup) -> String {
    let mut s = g.label.clone();
    if matches!(g.source, Source::Customer(_)) {
        s.push_str(" (customer)");
    }
    if g.variants.len() > 1 {
        s.push_str(&format!(" · {} spellings", g.variants.len()));
    }
    s
}

/// The selected source in full: what was grouped, and every month when not all fit.
fn group_detail(g: &ReferralGroup, months_cut: bool) -> String {
    let mut parts = Vec::new();
    match g.source {
        Source::Customer(id) => parts.push(format!(
            "{} is a customer (#{id}): its referrals by ref_customer_id, and referred_by texts that name it",
            g.label
        )),
        Source::Text => {}
    }
    if let Some(n) = &g.note {
        parts.push(n.clone());
    }
    if months_cut || g.by_month.contains_key(UNKNOWN_MONTH) {
        let months: Vec<String> = g.by_month.iter().map(|(m, n)| format!("{m} {n}")).collect();
        parts.push(format!("New per month: {}", months.join(", ")));
    }
    if parts.is_empty() {
        parts.push(format!(
            "{} referred by {} · Enter lists them",
            plural(g.count, "customer"),
            g.label
        ));
    }
    parts.join(" · ")
}

fn names(app: &App, v: &ReportView, w: usize) -> (Vec<String>, Option<String>, Rows, String) {
    let ReportData::Names(rows) = &v.data else {
        return (Vec::new(), None, Err(String::new()), String::new());
    };
    let summary = vec![
        format!(
            "{} of {} break the house style for company names ([house.names])",
            count(rows.len() as u64),
            plural(v.scanned, "customer")
        ),
        format!("Over {}", v.scope),
    ];
    if rows.is_empty() {
        let empty = if app.config.house.names.enabled {
            "✓ Every business name follows the house style.".to_string()
        } else {
            "The house style check is off: [house.names] enabled = false in the config file."
                .to_string()
        };
        return (summary, None, Err(empty), String::new());
    }
    let name_w = (w.saturating_sub(3)) / 2;
    let fixed_w = w.saturating_sub(name_w + 3);
    let header = format!(
        "{} → {}",
        cell("Name now", name_w),
        cell("House style", fixed_w)
    );
    let shown = visible(app, v)
        .map(|k| {
            let r = &rows[k];
            (
                k,
                format!(
                    "{} → {}",
                    cell(&sanitize::line(&r.name), name_w),
                    cell(&sanitize::line(&r.fixed), fixed_w)
                ),
            )
        })
        .collect();
    let detail = rows
        .get(v.cursor)
        .map(|r| format!("{} → {}: {}", r.name, r.fixed, r.reasons.join("; ")))
        .unwrap_or_default();
    (summary, Some(header), Ok(shown), detail)
}

fn incomplete(app: &App, v: &ReportView, w: usize) -> (Vec<String>, Option<String>, Rows, String) {
    let ReportData::Incomplete(rows) = &v.data else {
        return (Vec::new(), None, Err(String::new()), String::new());
    };
    let rules = &app.config.house.required;
    let on: Vec<Missing> = Missing::ALL
        .into_iter()
        .filter(|m| match m {
            Missing::Phone => rules.phone,
            Missing::Address => rules.address,
            Missing::Email => rules.email,
            Missing::BillingContact => rules.billing_contact,
            Missing::DecisionMaker => rules.decision_maker,
        })
        .collect();
    let per_rule: Vec<String> = on
        .iter()
        .map(|m| {
            let n = rows.iter().filter(|r| r.missing.contains(m)).count();
            format!("{} {}", m.label(), count(n as u64))
        })
        .collect();
    let summary = vec![
        format!(
            "{} of {} lack: {}",
            count(rows.len() as u64),
            plural(v.scanned, "customer"),
            per_rule.join(" · ")
        ),
        format!("Over {} ([house.required])", v.scope),
    ];
    if rows.is_empty() {
        let empty = if on.is_empty() {
            "No requirement is on: [house.required] in the config file turns them on.".to_string()
        } else {
            "✓ Every profile has what the house requires.".to_string()
        };
        return (summary, None, Err(empty), String::new());
    }
    let name_w = (w * 2 / 5).max(16).min(w.saturating_sub(10));
    let missing_w = w.saturating_sub(name_w + 1);
    let header = format!(
        "{} {}",
        cell("Customer", name_w),
        cell("Missing", missing_w)
    );
    let shown = visible(app, v)
        .map(|k| {
            let r = &rows[k];
            let missing: Vec<&str> = r.missing.iter().map(|m| m.label()).collect();
            (
                k,
                format!(
                    "{} {}",
                    cell(&sanitize::line(&r.name), name_w),
                    cell(&missing.join(", "), missing_w)
                ),
            )
        })
        .collect();
    let detail = rows
        .get(v.cursor)
        .map(|r| {
            let todo: Vec<&str> = r.missing.iter().map(|m| m.hint()).collect();
            format!("{}: {}", r.name, todo.join("; "))
        })
        .unwrap_or_default();
    (summary, Some(header), Ok(shown), detail)
}
