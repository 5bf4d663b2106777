//! The selected customer (right pane) with its five tabs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::text::{cell, fit, width, wrap};
use super::{Theme, inner, pane};
use crate::app::view::FieldLine;
use crate::app::{App, Focus, Load, Mode, Tab, layout};

pub fn draw(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    if let Some(f) = app.stack.form() {
        return super::form::draw(app, f, frame, area, theme);
    }
    let focused = app.focus == Focus::Detail && app.mode() == Mode::Normal;
    let view = app.detail.view.as_ref();
    let title = match view {
        Some(v) => {
            let mut spans = vec![Span::styled(format!(" {} ", v.name), theme.bold())];
            if v.disabled {
                spans.push(Span::styled("(disabled) ", theme.disabled()));
            }
            Line::from(spans)
        }
        None => Line::styled(" Customer ", theme.bold()),
    };
    frame.render_widget(pane(title, focused, theme), area);
    let inner = inner(area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let Some(view) = view else {
        let text = if app.list.rows.is_empty() {
            ""
        } else {
            "No customer selected."
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), inner);
        return;
    };
    frame.render_widget(
        Paragraph::new(tabs_line(app.detail.tab, usize::from(inner.width), theme)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let content = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    let d = &app.detail;
    match d.tab {
        Tab::Overview => record(
            frame,
            content,
            &view.fields,
            d.cursor(),
            d.scroll[0],
            focused,
            theme,
        ),
        Tab::Contacts => contacts(app, frame, content, focused, theme),
        Tab::Tickets => {
            let load = app.extras.get(&view.id).map(|e| &e.tickets);
            match loaded(load, "tickets", "No tickets for this customer.", theme) {
                Ok(rows) => table(
                    frame,
                    content,
                    &[
                        ("#", 7, 0),
                        ("Subject", 0, 0),
                        ("Status", 11, 1),
                        ("Created", 10, 3),
                        ("Updated", 10, 2),
                    ],
                    18,
                    rows.iter()
                        .map(|t| {
                            vec![
                                t.number.clone(),
                                t.subject.clone(),
                                t.status.clone(),
                                t.created.clone(),
                                t.updated.clone(),
                            ]
                        })
                        .collect(),
                    d.cursor(),
                    d.scroll[d.tab.index()],
                    focused,
                    theme,
                ),
                Err(lines) => message(frame, content, lines),
            }
        }
        Tab::Assets => {
            let load = app.extras.get(&view.id).map(|e| &e.assets);
            match loaded(load, "assets", "No assets for this customer.", theme) {
                Ok(rows) => table(
                    frame,
                    content,
                    &[("Name", 0, 0), ("Type", 14, 1), ("Serial", 18, 0)],
                    12,
                    rows.iter()
                        .map(|a| vec![a.name.clone(), a.kind.clone(), a.serial.clone()])
                        .collect(),
                    d.cursor(),
                    d.scroll[d.tab.index()],
                    focused,
                    theme,
                ),
                Err(lines) => message(frame, content, lines),
            }
        }
        Tab::Invoices => invoices(app, frame, content, focused, theme),
    }
}

/// "1 Overview 2 Contacts  3 Tickets  …": every tab with its whole name when they all fit,
/// else the active tab's name with the others' numbers. A name is never cut: a half word
/// ("Inv", "Asst") reads as a different word.
fn tabs_line(active: Tab, avail: usize, theme: &Theme) -> Line<'static> {
    let build = |names: bool| -> Vec<Span<'static>> {
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut after_active = false;
        for (i, &t) in Tab::ALL.iter().enumerate() {
            if t == active {
                spans.push(Span::styled(
                    format!(" {} {} ", i + 1, t.title()),
                    theme.selected(),
                ));
                after_active = true;
                continue;
            }
            // One space between two tabs; the active tab's padding stands for it.
            let sep = if i == 0 || after_active { "" } else { " " };
            after_active = false;
            let text = if names {
                format!("{sep}{} {}", i + 1, t.title())
            } else {
                format!("{sep}{}", i + 1)
            };
            spans.push(Span::styled(text, theme.dim()));
        }
        spans
    };
    let total = |spans: &[Span]| spans.iter().map(|s| width(&s.content)).sum::<usize>();
    let mut spans = build(true);
    if total(&spans) > avail {
        spans = build(false);
    }
    // A space before the first tab when it is not the active one (whose padding is its own).
    if active != Tab::ALL[0] && total(&spans) < avail {
        spans.insert(0, Span::raw(" "));
    }
    Line::from(spans)
}

/// The rows of a loaded tab, or the lines to show instead (loading, failed, empty).
fn loaded<'a, T>(
    load: Option<&'a Load<Vec<T>>>,
    what: &str,
    empty: &'static str,
    theme: &Theme,
) -> Result<&'a Vec<T>, Vec<Line<'static>>> {
    match load {
        Some(Load::Loaded(rows)) if !rows.is_empty() => Ok(rows),
        Some(Load::Loaded(_)) => Err(vec![Line::styled(empty, theme.dim())]),
        Some(Load::Failed(e)) => Err(vec![
            Line::styled(format!("Could not load {what}."), theme.error()),
            Line::raw(e.clone()),
            Line::styled("Press r to retry.", theme.dim()),
        ]),
        None | Some(Load::NotAsked) | Some(Load::Loading { .. }) => {
            Err(vec![Line::styled(format!("Loading {what}…"), theme.dim())])
        }
    }
}

/// Lines inside a pane's borders, wrapped (empty states and errors).
pub(super) fn message(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    let area = Rect::new(
        area.x + 1,
        area.y + 1.min(area.height),
        area.width.saturating_sub(2),
        area.height.saturating_sub(1),
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

/// A record: one field per line, long values wrapped under their label, from screen line
/// `offset` (kept by the model so that the cursor stays visible).
pub(super) fn record(
    frame: &mut Frame,
    area: Rect,
    fields: &[FieldLine],
    cursor: usize,
    offset: usize,
    focused: bool,
    theme: &Theme,
) {
    if fields.is_empty() {
        return;
    }
    let label_w = layout::record_label_width(fields);
    let value_w = layout::record_value_width(fields, area.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let style = if i == cursor && focused {
            theme.selected()
        } else {
            theme.plain()
        };
        // Addresses and numbers become links where they stand whole (see `links`).
        match f.label.as_str() {
            "E-mail" => super::links::offer_email(&f.value, &f.copy),
            "Phone" | "Mobile" => super::links::offer_phone(&f.value, &f.copy),
            _ => {}
        }
        for (k, piece) in wrap(&f.value, value_w).into_iter().enumerate() {
            let label = if k == 0 { f.label.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", cell(label, label_w)), theme.label()),
                Span::styled(format!(" {}", cell(&piece, value_w)), style),
            ]));
        }
    }
    let offset = offset.min(lines.len().saturating_sub(1));
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(usize::from(area.height))
        .collect();
    frame.render_widget(Paragraph::new(visible), area);
}

/// The columns a [`table`] shows, in their order, and their widths.
fn table_widths(
    avail: usize,
    cols: &[(&str, usize, u8)],
    min_flex: usize,
    rows: &[Vec<String>],
) -> (Vec<usize>, Vec<usize>) {
    /// A column that does not fit whole still comes in with this many cells.
    const SQUEEZED: usize = 16;
    let natural: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, &(title, cap, _))| {
            let widest = rows
                .iter()
                .map(|r| r.get(i).map_or(0, |c| width(c)))
                .max()
                .unwrap_or(0)
                .max(width(title));
            if cap == 0 { widest } else { widest.min(cap) }
        })
        .collect();
    let flex = cols.iter().position(|c| c.1 == 0);
    let mut w: Vec<Option<usize>> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| match c.2 {
            0 if Some(i) == flex => Some(natural[i].min(min_flex)),
            0 => Some(natural[i]),
            _ => None,
        })
        .collect();
    let used = |w: &[Option<usize>]| -> usize {
        w.iter()
            .flatten()
            .map(|x| x + 1)
            .sum::<usize>()
            .saturating_sub(1)
    };
    let mut by_priority: Vec<usize> = (0..cols.len()).filter(|&i| cols[i].2 > 0).collect();
    by_priority.sort_by_key(|&i| cols[i].2);
    for i in by_priority {
        // A column empty in every row says nothing.
        if rows.iter().all(|r| r.get(i).is_none_or(|c| c.is_empty())) {
            continue;
        }
        let room = avail.saturating_sub(used(&w) + 1);
        if natural[i] <= room {
            w[i] = Some(natural[i]);
        } else if room >= SQUEEZED {
            w[i] = Some(room);
            break;
        }
    }
    // The flexible column takes what is left (or gives back what is missing).
    if let Some(f) = flex {
        let others = used(&w) - w[f].unwrap_or(0);
        w[f] = Some(avail.saturating_sub(others).max(1));
    }
    let keep: Vec<usize> = (0..cols.len()).filter(|&i| w[i].is_some()).collect();
    let widths = keep.iter().map(|&i| w[i].unwrap_or(0)).collect();
    (keep, widths)
}

/// A table of `(title, width, drop priority)` columns, sized by what they hold: each column is
/// as wide as its widest cell (at most `width`; the column of width 0 takes the rest, at least
/// `min_flex`). Columns of priority 0 always show; the others join in priority order while they
/// fit whole (one that does not fit whole still shows if it gets 16 cells, and takes the rest); one empty
/// in every row is left out. Only the visible rows are drawn.
#[allow(clippy::too_many_arguments)]
pub(super) fn table(
    frame: &mut Frame,
    area: Rect,
    cols: &[(&str, usize, u8)],
    min_flex: usize,
    rows: Vec<Vec<String>>,
    cursor: usize,
    offset: usize,
    focused: bool,
    theme: &Theme,
) {
    let avail = usize::from(area.width);
    let (keep, widths) = table_widths(avail, cols, min_flex, &rows);
    let render = |cells: &[String]| -> String {
        keep.iter()
            .zip(&widths)
            .map(|(&i, &w)| cell(cells.get(i).map_or("", String::as_str), w))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let header: Vec<String> = cols.iter().map(|c| c.0.to_string()).collect();
    let mut lines = vec![Line::styled(fit(&render(&header), avail), theme.header())];
    let h = usize::from(area.height).saturating_sub(1);
    let offset = offset.min(rows.len().saturating_sub(1));
    for (k, r) in rows.iter().enumerate().skip(offset).take(h) {
        let style = if k == cursor {
            if focused {
                theme.selected()
            } else {
                theme.selected_unfocused()
            }
        } else {
            theme.plain()
        };
        lines.push(Line::styled(render(r), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn contacts(app: &App, frame: &mut Frame, area: Rect, focused: bool, theme: &Theme) {
    let d = &app.detail;
    let Some(view) = &d.view else { return };
    if view.contacts.is_empty() {
        message(
            frame,
            area,
            vec![Line::styled("No contacts for this customer.", theme.dim())],
        );
        return;
    }
    let cursor = d.cursor().min(view.contacts.len() - 1);
    let contact = &view.contacts[cursor];
    if d.contact_open {
        let title = format!(
            "{} ({} of {})",
            contact.name,
            cursor + 1,
            view.contacts.len()
        );
        frame.render_widget(
            Paragraph::new(Line::styled(
                fit(&title, usize::from(area.width)),
                theme.bold(),
            )),
            Rect::new(area.x, area.y, area.width, 1),
        );
        let rest = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(1),
        );
        record(
            frame,
            rest,
            &contact.fields,
            d.record_cursor,
            d.record_scroll,
            focused,
            theme,
        );
        return;
    }
    let table_h = layout::contacts_table_height(view.contacts.len(), area.height);
    table(
        frame,
        Rect::new(area.x, area.y, area.width, table_h),
        &[
            ("Name", 0, 0),
            ("Role", 10, 2),
            ("Title", 24, 3),
            ("E-mail", 32, 1),
            ("Phone", 20, 0),
            ("Mobile", 20, 4),
        ],
        16,
        view.contacts
            .iter()
            .map(|c| {
                let name = if c.retired {
                    format!("{}{}", crate::roles::retired_prefix(), c.name)
                } else {
                    c.name.clone()
                };
                super::links::offer_email(&c.email, &c.email);
                super::links::offer_phone(&c.phone, &c.phone);
                super::links::offer_phone(&c.mobile, &c.mobile);
                vec![
                    name,
                    c.roles.clone(),
                    c.title.clone(),
                    c.email.clone(),
                    c.phone.clone(),
                    c.mobile.clone(),
                ]
            })
            .collect(),
        cursor,
        d.scroll[Tab::Contacts.index()],
        focused,
        theme,
    );
    let below = area.height.saturating_sub(table_h);
    if below < 2 {
        return;
    }
    let rule = format!("── {} ", contact.name);
    let rule = format!(
        "{}{}",
        fit(&rule, usize::from(area.width)),
        "─".repeat(usize::from(area.width).saturating_sub(width(&rule)))
    );
    frame.render_widget(
        Paragraph::new(Line::styled(rule, theme.dim())),
        Rect::new(area.x, area.y + table_h, area.width, 1),
    );
    let rec = Rect::new(area.x, area.y + table_h + 1, area.width, below - 1);
    record(frame, rec, &contact.fields, usize::MAX, 0, false, theme);
}

fn invoices(app: &App, frame: &mut Frame, area: Rect, focused: bool, theme: &Theme) {
    let Some(view) = &app.detail.view else { return };
    let scan = &app.invoices;
    let rows = scan.by_customer.get(&view.id);
    let progress = if let Some(e) = &scan.error {
        Some(Line::styled(
            format!("Invoice scan failed: {e}"),
            theme.error(),
        ))
    } else if scan.scanning() || !scan.started {
        let page = match scan.total_pages {
            Some(t) => format!("page {} of {t}", (u64::from(scan.pages_done) + 1).min(t)),
            None => format!("page {}", scan.pages_done + 1),
        };
        Some(Line::styled(
            format!("Scanning invoices, {page}…"),
            theme.dim(),
        ))
    } else {
        None
    };
    let mut table_area = area;
    if let Some(p) = progress {
        let y = area.y + area.height.saturating_sub(1);
        frame.render_widget(
            Paragraph::new(p),
            Rect::new(area.x, y, area.width, area.height.min(1)),
        );
        table_area.height = area.height.saturating_sub(1);
    }
    match rows {
        Some(rows) if !rows.is_empty() => table(
            frame,
            table_area,
            &[
                ("Number", 0, 0),
                ("Date", 10, 0),
                ("Total", 11, 0),
                ("Paid", 6, 0),
            ],
            6,
            rows.iter()
                .map(|i| {
                    vec![
                        i.number.clone(),
                        i.date.clone(),
                        format!("{:>11}", i.total),
                        i.paid.clone(),
                    ]
                })
                .collect(),
            app.detail.cursor(),
            app.detail.scroll[Tab::Invoices.index()],
            focused,
            theme,
        ),
        _ if scan.done => message(
            frame,
            table_area,
            vec![Line::styled("No invoices for this customer.", theme.dim())],
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(active: Tab, w: usize) -> String {
        let line = tabs_line(active, w, &Theme::new(false, false));
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    /// The contacts table at 120 columns (a 52-cell detail) shows the e-mail beside the name
    /// and phone, and on a wide screen every column whole.
    #[test]
    fn the_contacts_table_shows_the_email_at_120_columns() {
        let cols = [
            ("Name", 0, 0),
            ("Role", 10, 2),
            ("Title", 24, 3),
            ("E-mail", 32, 1),
            ("Phone", 20, 0),
            ("Mobile", 20, 4),
        ];
        let row = |n: &str, e: &str, p: &str| {
            vec![
                n.to_string(),
                "DM".into(),
                "Office Manager".into(),
                e.to_string(),
                p.to_string(),
                String::new(),
            ]
        };
        let rows = vec![
            row(
                "Sandra Okafor",
                "sandra.okafor@harbor.example",
                "(503) 555-0142",
            ),
            row("Tom Reyes", "tom@harbor.example", "(503) 555-0143 x12"),
        ];
        let (keep, widths) = table_widths(52, &cols, 16, &rows);
        assert_eq!(keep, [0, 3, 4], "{widths:?}");
        assert_eq!(widths.iter().map(|w| w + 1).sum::<usize>() - 1, 52);
        assert!(widths[0] >= 13 && widths[2] >= 18, "{widths:?}");
        let (keep, widths) = table_widths(118, &cols, 16, &rows);
        assert_eq!(keep, [0, 1, 2, 3, 4], "{widths:?}");
        assert!(widths[3] >= 28, "{widths:?}");
    }

    /// Every word of the tab bar is a tab's number or a tab's whole name, at every width and
    /// with every tab active; the active tab's name is always there, and at 120 columns (a
    /// 52-cell detail) every name is.
    #[test]
    fn tab_labels_are_never_cut_mid_word() {
        let names: Vec<&str> = Tab::ALL.iter().map(|t| t.title()).collect();
        for &active in &Tab::ALL {
            for w in 20..=120 {
                let text = bar(active, w);
                for word in text.split_whitespace() {
                    assert!(
                        word.parse::<usize>().is_ok_and(|n| (1..=5).contains(&n))
                            || names.contains(&word),
                        "{word:?} in {text:?} at {w}"
                    );
                }
                assert!(text.contains(active.title()), "{text:?} at {w}");
                assert!(!text.contains('…'), "{text:?}");
            }
            let at_120 = bar(active, 52);
            assert!(names.iter().all(|n| at_120.contains(n)), "{at_120:?}");
            assert!(width(&at_120) <= 52);
        }
    }
}
