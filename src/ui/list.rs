//! The customer list (left pane). Builds only the rows on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cell, count, fit, width};
use super::{Theme, TitleParts, inner, pane};
use crate::app::{App, Focus, Mode, layout};
use crate::sanitize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Col {
    Name,
    Person,
    Email,
    Phone,
    City,
    /// Customer type (Bus, Res, Gov, NPO).
    Type,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Name => "Name",
            Col::Person => "Person",
            Col::Email => "E-mail",
            Col::Phone => "Phone",
            Col::City => "City",
            Col::Type => "Type",
        }
    }
}

/// Columns that fit in `avail` cells, in display order, with their widths. The phone comes
/// first (down to the 80-column minimum, with a name of at least 18 cells); the customer type
/// (Bus, Res, Gov, NPO), e-mail, city and person follow only while the name keeps at least 24
/// cells.
/// Sorting by city brings the city column forward, so the order can be seen.
///
/// On a wide pane the room left grows the columns, by priority: the name to [`NAME_ROOM`],
/// then each column to its wide width (e-mail first), then the name takes the rest.
fn columns(avail: usize, city_first: bool) -> Vec<(Col, usize)> {
    let mut chosen: Vec<(Col, usize)> = Vec::new();
    let mut wanted = vec![
        (Col::Phone, 15, 18),
        (Col::Type, 4, 24),
        (Col::Email, 22, 24),
        (Col::City, 14, 24),
        (Col::Person, 18, 24),
    ];
    if city_first {
        wanted.retain(|(c, _, _)| *c != Col::City);
        wanted.insert(0, (Col::City, 14, 18));
    }

    for (c, w, name_min) in wanted {
        let used: usize = chosen.iter().map(|(_, w)| w + 1).sum();
        if name_min + used + w < avail {
            chosen.push((c, w));
        }
    }
    let used: usize = chosen.iter().map(|(_, w)| w + 1).sum();
    let mut name = avail.saturating_sub(used);
    if name > NAME_ROOM {
        let mut spare = name - NAME_ROOM;
        name = NAME_ROOM;
        for (col, wide) in GROWTH {
            if let Some((_, w)) = chosen.iter_mut().find(|(c, _)| *c == col) {
                let more = wide.saturating_sub(*w).min(spare);
                *w += more;
                spare -= more;
            }
        }
        name += spare;
    }
    chosen.push((Col::Name, name));
    chosen.sort_by_key(|(c, _)| *c);
    chosen
}

/// The name's width before the other columns grow on a wide pane.
const NAME_ROOM: usize = 32;

/// The other columns' widths on a wide pane, in the order they grow to them.
const GROWTH: [(Col, usize); 4] = [
    (Col::Email, 32),
    (Col::Phone, 20),
    (Col::City, 20),
    (Col::Person, 24),
];

fn line_of(cells: &[(Col, usize)], text: impl Fn(Col) -> String) -> String {
    let parts: Vec<String> = cells.iter().map(|&(c, w)| cell(&text(c), w)).collect();
    parts.join(" ")
}

/// The list's title, fitted to `w` cells: when it is too long the least needed parts go first
/// (the search text, which the search line shows; the sort; where the search ran), so the
/// counts, the marks, the filters and the mirror's age stay.
fn title(app: &App, theme: &Theme, w: usize) -> Line<'static> {
    // The age is shortened, never dropped.
    const AGE: u8 = 4;
    let mut parts = TitleParts::default();
    let l = &app.list;
    parts.push(" Customers ", theme.bold(), 0);
    let search = app.search.text().trim();
    if search.is_empty() {
        match l.browse.total_entries {
            Some(t) => parts.push(
                format!("{} of {} ", count(l.shown.len() as u64), count(t)),
                theme.plain(),
                0,
            ),
            None if l.browse.error.is_some() => {}
            None if l.browse.pages_loaded == 0 => parts.push("… ", theme.dim(), 0),
            None => parts.push(
                format!("{} of ? ", count(l.shown.len() as u64)),
                theme.plain(),
                0,
            ),
        }
    } else {
        parts.push(
            format!("{} matching ", count(l.shown.len() as u64)),
            theme.plain(),
            0,
        );
        let server = match &l.remote {
            _ if app.mirror.active => "· whole account ".to_string(),
            Some(r) if r.paging.error.is_some() => "· server failed ".to_string(),
            Some(r) if r.paging.pages_loaded > 0 => format!(
                "· server {} of {} ",
                count(r.paging.received as u64),
                r.paging.total_entries.map_or_else(|| "?".into(), count)
            ),
            _ => "· server… ".to_string(),
        };
        parts.push(server, theme.dim(), 1);
        // The search text is also on the search line; here it is the least important part.
        parts.push(
            format!("· \"{}\" ", fit(&sanitize::line(search), 24)),
            theme.dim(),
            3,
        );
    }
    // A referral source's customers only: said before the sort, which matters less.
    if let Some(o) = &app.list.only {
        parts.push(
            format!("· {} ", fit(&sanitize::line(&o.label), 32)),
            theme.accent(),
            0,
        );
    }
    parts.push(format!("· {} ", app.sort.label()), theme.dim(), 2);
    if app.include_disabled {
        parts.push("· +disabled ", theme.dim(), 0);
    }
    if let Some(t) = app.audit.type_filter {
        parts.push(format!("· {t} "), theme.accent(), 0);
    }

    let marked = app.marks.customers.len();
    if marked > 0 {
        parts.push(
            format!("· {} marked ", count(marked as u64)),
            theme.accent(),
            0,
        );
    }
    if let Some(age) = &app.mirror.age_text(app.clock) {
        parts.push(format!("· {age} "), theme.dim(), AGE);
    }
    // Too long: the search text goes (it is on the search line), then the sort, then the
    // age loses its "synced" ("· 3 h ago"), then where the search ran.
    parts.drop_over(w, 3);
    parts.drop_over(w, 2);
    parts.shorten_over(w, AGE, |age| age.replacen("· synced ", "· ", 1));
    parts.drop_over(w, 1);
    parts.line()
}

pub fn draw(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = app.focus == Focus::List && matches!(app.mode(), Mode::Normal | Mode::Search);
    let title_w = usize::from(area.width.saturating_sub(2));
    frame.render_widget(pane(title(app, theme, title_w), focused, theme), area);
    let inner = inner(area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let search_line = app.search_visible();
    if search_line {
        draw_search(
            app,
            frame,
            Rect::new(inner.x, inner.y, inner.width, 1),
            theme,
        );
    }
    let rows = layout::list_rows_area(area, search_line);
    // With marks, a two-column gutter carries them.
    let marks = &app.marks.customers;
    let gutter = if marks.is_empty() { "" } else { "  " };
    let cols = columns(
        usize::from(inner.width).saturating_sub(gutter.len()),
        app.sort.key == crate::app::SortKey::City,
    );
    let header_y = rows.y.saturating_sub(1);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("{gutter}{}", line_of(&cols, |c| c.title().to_string())),
            theme.header(),
        )),
        Rect::new(inner.x, header_y, inner.width, 1),
    );
    if app.list.shown.is_empty() {
        draw_empty(app, frame, rows, theme);
        return;
    }
    let end = (app.list.offset + usize::from(rows.height)).min(app.list.shown.len());
    let lines: Vec<Line> = app.list.shown[app.list.offset..end]
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let row = &app.list.rows[i];
            let v = &row.view;
            let text = line_of(&cols, |c| match c {
                Col::Name => v.name().to_string(),
                Col::Person => v.person().to_string(),
                Col::Email => v.email().to_string(),
                Col::Phone => v.phone().to_string(),
                Col::City => v.city().to_string(),
                Col::Type => crate::app::audit::state::short_type(v.kind()).to_string(),
            });
            let marked = marks.contains(&v.id);
            let style = if app.list.offset + k == app.list.cursor {
                if focused {
                    theme.selected()
                } else {
                    theme.selected_unfocused()
                }
            } else if marked {
                theme.accent()
            } else if v.disabled {
                theme.disabled()
            } else {
                theme.plain()
            };
            if gutter.is_empty() {
                Line::styled(text, style)
            } else {
                let mark = if marked { "✓ " } else { "  " };
                Line::styled(format!("{mark}{text}"), style)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows);
}

fn draw_search(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    search_line(
        &app.search.input,
        app.mode() == Mode::Search,
        frame,
        area,
        theme,
    );
}

/// A list's search line: the text typed after `/`, and its keys.
pub(super) fn search_line(
    input: &tui_input::Input,
    typing: bool,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let prompt = "/ ";
    let field_w = usize::from(area.width).saturating_sub(prompt.len());
    let scroll = input.visual_scroll(field_w.max(1));
    let visible: String = sanitize::line(input.value()).chars().skip(scroll).collect();
    let mut spans = vec![
        Span::styled(prompt, theme.accent()),
        Span::raw(fit(&visible, field_w)),
    ];
    let hint = if typing {
        "  Enter keep · Esc clear"
    } else {
        "  / edit · Esc clear"
    };
    if width(&visible) + prompt.len() + hint.len() <= usize::from(area.width) {
        let pad = usize::from(area.width) - width(&visible) - prompt.len() - width(hint);
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(hint, theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if typing {
        let x = input.visual_cursor().saturating_sub(scroll) + prompt.len();
        frame.set_cursor_position((
            area.x + (x as u16).min(area.width.saturating_sub(1)),
            area.y,
        ));
    }
}

fn draw_empty(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let l = &app.list;
    let search = app.search.text().trim();
    let paging = l.active_paging();
    let mut lines: Vec<Line> = Vec::new();
    if app.config.startup_problem.is_some() {
        lines.push(Line::styled("No API key is set.", theme.error()));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Press r to see how to set one, q to quit.",
            theme.dim(),
        ));
    } else if let Some(err) = &paging.error {
        lines.push(Line::styled("Could not load customers.", theme.error()));
        lines.push(Line::raw(err.clone()));
        lines.push(Line::raw(""));
        lines.push(Line::styled("Press r to retry, ? for help.", theme.dim()));
    } else if !search.is_empty() && app.mirror.answers_search() {
        // The mirror holds the whole account: no server is asked, nothing is pending.
        lines.push(Line::raw(format!(
            "No customer matches \"{}\".",
            sanitize::line(search)
        )));
        lines.push(Line::styled(
            "The local mirror has every customer of the account. Esc clears the search.",
            theme.dim(),
        ));
    } else if !search.is_empty() {
        lines.push(Line::raw(format!(
            "No loaded customer matches \"{}\".",
            sanitize::line(search)
        )));
        let server = match &l.remote {
            Some(r) if r.paging.pages_loaded > 0 && r.paging.loading.is_none() => {
                "The server found none either. Esc clears the search."
            }
            _ => "Asking the server…",
        };
        lines.push(Line::styled(server, theme.dim()));
    } else if paging.loading.is_some() || paging.pages_loaded == 0 {
        lines.push(Line::styled("Loading customers…", theme.dim()));
    } else {
        lines.push(Line::raw("No customers here yet."));
        if !app.include_disabled {
            lines.push(Line::styled(
                "Press x to show disabled customers.",
                theme.dim(),
            ));
        }
    }
    super::detail::message(frame, area, lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_gracefully() {
        let names = |w| -> Vec<Col> { columns(w, false).into_iter().map(|(c, _)| c).collect() };
        assert_eq!(names(36), [Col::Name, Col::Phone]);
        assert_eq!(names(53), [Col::Name, Col::Phone, Col::Type]);
        assert_eq!(names(70), [Col::Name, Col::Email, Col::Phone, Col::Type]);
        assert_eq!(
            names(108),
            [
                Col::Name,
                Col::Person,
                Col::Email,
                Col::Phone,
                Col::City,
                Col::Type
            ]
        );
        for w in [20, 38, 53, 80, 108, 150] {
            let total: usize = columns(w, false).iter().map(|(_, w)| w + 1).sum::<usize>() - 1;
            assert_eq!(total, w, "columns fill exactly {w} cells");
        }
        let sorted_by_city: Vec<Col> = columns(36, true).into_iter().map(|(c, _)| c).collect();
        assert_eq!(sorted_by_city, [Col::Name, Col::City]);
    }

    /// With a search and the mirror's age, the title at 120 columns keeps the count, where the
    /// search ran and the age whole, without a cut: the search text, on the search line
    /// anyway, and the sort go first.
    #[test]
    fn the_title_keeps_what_matters_whole() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let text = |size: (u16, u16)| {
            let mut app = crate::app::fixtures::app(size);
            app.mirror.active = true;
            app.mirror.age = Some("synced 3 h ago".into());
            for k in "/northwind".chars() {
                let ev = KeyEvent::new(KeyCode::Char(k), KeyModifiers::NONE);
                if let Some(a) = crate::app::keymap::map_key(app.mode(), &ev) {
                    crate::app::update(&mut app, a);
                }
            }
            let screen = crate::ui::tests::render(&app);
            screen.lines().next().unwrap_or_default().to_string()
        };
        let wide = text((120, 40));
        for part in ["3 matching", "whole account", "synced 3 h ago"] {
            assert!(wide.contains(part), "{part} in {wide}");
        }
        assert!(!wide.contains('…'), "{wide}");
        let narrow = text((80, 24));
        assert!(narrow.contains("3 matching · "), "{narrow}");
        assert!(narrow.contains("3 h ago"), "{narrow}");
        assert!(!narrow.contains('…'), "{narrow}");
    }

    /// At 200 columns the room goes to the name first, then the e-mail (which no longer stops
    /// at 22 cells), and no column ever gets narrower as the pane widens.
    #[test]
    fn columns_grow_with_the_width_by_priority() {
        let width = |w: usize, col: Col| {
            columns(w, false)
                .into_iter()
                .find(|(c, _)| *c == col)
                .map_or(0, |(_, w)| w)
        };
        let pane = usize::from(
            crate::app::layout::screen(Rect::new(0, 0, 200, 50))
                .list
                .width,
        ) - 2;
        assert!(
            width(pane, Col::Name) >= NAME_ROOM,
            "{:?}",
            columns(pane, false)
        );
        assert!(width(pane, Col::Email) >= 30, "{:?}", columns(pane, false));
        for col in [Col::Name, Col::Email, Col::Phone, Col::City, Col::Person] {
            for w in 108..250 {
                assert!(width(w + 1, col) >= width(w, col), "{col:?} at {w}");
            }
        }
    }
}
