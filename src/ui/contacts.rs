//! The contacts pane: every contact of the account in the left pane, and the selected
//! contact's record with its customer's key facts in the right one. Only the rows on screen are
//! decoded.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::text::{count, fit};
use super::{Theme, TitleParts, inner, pane};
use crate::api::model::{Customer, Id};
use crate::app::view::{ContactView, FieldLine, phone_display};
use crate::app::{App, Focus, Mode, contacts, layout};
use crate::sanitize;

/// The pane's title, fitted to `w` cells: when it is too long the least needed parts go first
/// (the sort, then the count of contacts who left shortens, then goes), so the counts, the
/// role filter and the marks stay whole.
fn title(app: &App, theme: &Theme, w: usize) -> Line<'static> {
    const LEFT: u8 = 1;
    const SORT: u8 = 2;
    let c = &app.contacts;
    let mut parts = TitleParts::default();
    parts.push(" Contacts ", theme.bold(), 0);
    if let Some((_, n)) = c.building.filter(|_| c.built.is_none()) {
        parts.push(
            format!("reading {} customers… ", count(n as u64)),
            theme.dim(),
            0,
        );
        return parts.line();
    }
    parts.push(
        format!(
            "{} of {} ",
            count(c.shown.len() as u64),
            count(c.rows.len() as u64)
        ),
        theme.plain(),
        0,
    );
    if !app.mirror.active {
        parts.push("· loaded customers only ", theme.accent(), 0);
    }
    if let Some(r) = c.role {
        parts.push(format!("· {} ", r.name()), theme.accent(), 0);
    }
    let marked = app.marks.contacts.len();
    if marked > 0 {
        parts.push(
            format!("· {} marked ", count(marked as u64)),
            theme.accent(),
            0,
        );
    }
    let left = count(c.retired_count() as u64);
    if c.retired_count() > 0 {
        let text = if c.show_retired {
            format!("· +{left} who left ")
        } else {
            format!("· {left} who left hidden ")
        };
        parts.push(text, theme.dim(), LEFT);
    }
    parts.push(
        format!(
            "· {} {} ",
            c.sort.label(),
            if c.descending { "↓" } else { "↑" }
        ),
        theme.dim(),
        SORT,
    );
    parts.drop_over(w, SORT);
    // "· 1 who left hidden" reads "· 1 hidden" when short of room.
    parts.shorten_over(w, LEFT, |_| {
        if c.show_retired {
            format!("· +{left} left ")
        } else {
            format!("· {left} hidden ")
        }
    });
    parts.drop_over(w, LEFT);
    parts.line()
}

/// The columns that fit: name first, then customer, e-mail, phone, role, title as the width
/// allows (at 120 columns the e-mail is there).
fn columns(avail: usize) -> Vec<(&'static str, usize)> {
    if avail < 60 {
        // A narrow pane: the name and its customer share it.
        let customer = (avail.saturating_sub(1) * 9 / 20).max(1);
        return vec![
            ("Name", avail.saturating_sub(customer + 1)),
            ("Customer", customer),
        ];
    }
    // By priority: who (name, customer), then how to reach them, then what they do. Each
    // column comes in at its narrow width while the name keeps 18 cells; the room left grows
    // the name to 24, then the e-mail, the customer, the phone, the role and the title, and
    // the name takes what remains.
    let wanted = [
        ("Customer", 16usize, 30usize),
        ("E-mail", 22, 34),
        ("Phone", 15, 20),
        ("Role", 10, 16),
        ("Title", 16, 28),
    ];
    let mut chosen: Vec<(&'static str, usize)> = Vec::new();
    for (c, w, _) in wanted {
        let used: usize = chosen.iter().map(|(_, w)| w + 1).sum();
        if 18 + used + w < avail {
            chosen.push((c, w));
        }
    }
    let used: usize = chosen.iter().map(|(_, w)| w + 1).sum();
    let mut name = avail.saturating_sub(used);
    if name > 24 {
        let mut spare = name - 24;
        name = 24;
        let mut growth = wanted;
        growth.swap(0, 1);
        for (col, _, wide) in growth {
            if let Some((_, w)) = chosen.iter_mut().find(|(c, _)| *c == col) {
                let more = wide.saturating_sub(*w).min(spare);
                *w += more;
                spare -= more;
            }
        }
        name += spare;
    }
    let mut cols = vec![("Name", name)];
    cols.extend(chosen);
    cols
}

pub fn draw_list(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let c = &app.contacts;
    let focused = app.focus == Focus::List && matches!(app.mode(), Mode::Normal | Mode::Search);
    let title_w = usize::from(area.width.saturating_sub(2));
    frame.render_widget(pane(title(app, theme, title_w), focused, theme), area);
    let inner = inner(area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let typing = app.mode() == Mode::Search;
    let search_line = typing || !c.search.value().is_empty();
    if search_line {
        super::list::search_line(
            &c.search,
            typing,
            frame,
            Rect::new(inner.x, inner.y, inner.width, 1),
            theme,
        );
    }
    let rows = layout::list_rows_area(area, search_line);
    // With marks, a two-column gutter carries them.
    let marks = &app.marks.contacts;
    let gutter = if marks.is_empty() { "" } else { "  " };
    let cols = columns(usize::from(inner.width).saturating_sub(gutter.len()));
    let line = |cells: Vec<String>| -> String {
        let cells: Vec<String> = cols
            .iter()
            .zip(cells)
            .map(|(&(_, w), text)| super::text::cell(&text, w))
            .collect();
        cells.join(" ")
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "{gutter}{}",
                line(cols.iter().map(|(t, _)| t.to_string()).collect())
            ),
            theme.header(),
        )),
        Rect::new(inner.x, rows.y.saturating_sub(1), inner.width, 1),
    );
    if c.shown.is_empty() {
        let text = if c.built.is_none() {
            "Reading the contacts…".to_string()
        } else if c.rows.is_empty() {
            "No contacts here yet.".to_string()
        } else if !c.search.value().trim().is_empty() {
            let left = if c.show_retired || c.retired_count() == 0 {
                String::new()
            } else {
                " (x also lists contacts who left)".into()
            };
            format!(
                "No contact matches \"{}\"{left}. Esc clears the search.",
                sanitize::line(c.search.value().trim())
            )
        } else {
            "No contact passes the filter (x shows contacts who left, Esc clears the role).".into()
        };
        super::detail::message(frame, rows, vec![Line::styled(text, theme.dim())]);
        return;
    }
    // Each customer on screen decoded once.
    let mut customers: HashMap<Id, Customer> = HashMap::new();
    let end = (c.offset + usize::from(rows.height)).min(c.shown.len());
    let mut lines = Vec::new();
    for (k, &i) in c.shown[c.offset..end].iter().enumerate() {
        let row = &c.rows[i];
        let customer = customers.entry(row.customer_id).or_insert_with(|| {
            app.list
                .index
                .get(&row.customer_id)
                .and_then(|&j| app.list.rows.get(j))
                .map(|r| r.customer())
                .unwrap_or_default()
        });
        let Some(contact) = customer.contacts.get(row.pos as usize) else {
            continue;
        };
        let v = ContactView::build(contact);
        let marked = c.merge_mark.is_some_and(|(_, id)| id == row.id);
        let name = match (marked, v.retired) {
            (true, _) => format!("⇄ {}", v.name),
            (false, true) => format!("{}{}", crate::roles::retired_prefix(), v.name),
            (false, false) => v.name.clone(),
        };
        super::links::offer_email(&v.email, &v.email);
        super::links::offer_phone(&v.phone, &v.phone);
        super::links::offer_phone(&v.mobile, &v.mobile);
        let cells: Vec<String> = cols
            .iter()
            .map(|(col, _)| match *col {
                "Name" => name.clone(),
                "Customer" => sanitize::line(&customer.display_name()),
                "Role" => v.roles.clone(),
                "E-mail" => v.email.clone(),
                "Phone" => {
                    if v.phone.is_empty() {
                        v.mobile.clone()
                    } else {
                        v.phone.clone()
                    }
                }
                _ => v.title.clone(),
            })
            .collect();
        let style = if c.offset + k == c.cursor {
            if focused {
                theme.selected()
            } else {
                theme.selected_unfocused()
            }
        } else if marks.contains(&row.id) {
            theme.accent()
        } else if v.retired {
            theme.disabled()
        } else {
            theme.plain()
        };
        let text = line(cells);
        lines.push(Line::styled(
            match (gutter.is_empty(), marks.contains(&row.id)) {
                (true, _) => text,
                (false, true) => format!("✓ {text}"),
                (false, false) => format!("  {text}"),
            },
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), rows);
}

pub fn draw_detail(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = app.focus == Focus::Detail && app.mode() == Mode::Normal;
    let selected = contacts::selected_contact(app);
    let title = match &selected {
        Some((customer, pos)) => {
            let name = customer.contacts[*pos].name.clone().unwrap_or_default();
            Line::styled(format!(" {} ", sanitize::line(&name)), theme.bold())
        }
        None => Line::styled(" Contact ", theme.bold()),
    };
    frame.render_widget(pane(title, focused, theme), area);
    let inner = inner(area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let Some((customer, pos)) = selected else {
        frame.render_widget(
            Paragraph::new(Line::styled("No contact selected.", theme.dim())),
            inner,
        );
        return;
    };
    let view = ContactView::build(&customer.contacts[pos]);
    // The customer's key facts below the contact's record.
    let mut facts: Vec<FieldLine> = Vec::new();
    let mut fact = |label: &str, value: String| {
        if !value.trim().is_empty() {
            facts.push(FieldLine {
                label: label.to_string(),
                value: value.clone(),
                copy: value,
            });
        }
    };
    fact("Customer", sanitize::line(&customer.display_name()));
    fact(
        "Phone",
        customer
            .phone
            .as_deref()
            .map(phone_display)
            .unwrap_or_default(),
    );
    fact(
        "E-mail",
        sanitize::line(customer.email.as_deref().unwrap_or("")),
    );
    fact(
        "City",
        sanitize::line(customer.city.as_deref().unwrap_or("")),
    );
    fact("Customer ID", customer.id.to_string());
    let rec_h = (view.fields.len() as u16).min(inner.height.saturating_sub(facts.len() as u16 + 2));
    super::detail::record(
        frame,
        Rect::new(inner.x, inner.y, inner.width, rec_h),
        &view.fields,
        app.contacts.record_cursor,
        0,
        focused,
        theme,
    );
    let y = inner.y + rec_h;
    let rest = inner.height.saturating_sub(rec_h);
    if rest < 2 {
        return;
    }
    let rule = format!(
        "── {} ",
        fit(
            if focused {
                "the customer · Enter opens it"
            } else {
                "the customer"
            },
            usize::from(inner.width).saturating_sub(4)
        )
    );
    let fill = usize::from(inner.width).saturating_sub(super::text::width(&rule));
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("{rule}{}", "─".repeat(fill)),
            theme.dim(),
        )),
        Rect::new(inner.x, y, inner.width, 1),
    );
    super::detail::record(
        frame,
        Rect::new(inner.x, y + 1, inner.width, rest - 1),
        &facts,
        usize::MAX,
        0,
        false,
        theme,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the demo account (a contact who left among them) the pane's title is whole at 80
    /// columns: the sort goes, the count of contacts who left shortens; at 120 all is there.
    #[test]
    fn the_title_drops_what_matters_least_rather_than_cut_a_word() {
        let title = |size: (u16, u16)| {
            let customers = crate::app::panes::tests::demo_customers(300);
            let n = customers.len() as u64;
            let mut app = crate::app::fixtures::app_with(size, customers, 1, n);
            app.mirror.active = true;
            contacts::show(&mut app, &mut Vec::new());
            assert!(app.contacts.retired_count() > 0);
            let screen = crate::ui::tests::render(&app);
            let first = screen.lines().next().unwrap_or_default().to_string();
            first.split('┓').next().unwrap_or_default().to_string()
        };
        let narrow = title((80, 24));
        assert!(narrow.contains(" of "), "{narrow}");
        assert!(narrow.contains(" 1 hidden "), "{narrow}");
        assert!(!narrow.contains("name ↑"), "{narrow}");
        let wide = title((120, 40));
        for part in ["who left hidden", "name ↑"] {
            assert!(wide.contains(part), "{part} in {wide}");
        }
    }

    /// At 120 columns the pane shows the e-mail; at 200 it has its room (no more cut at 22
    /// cells) and every column is there; the columns always fill the pane exactly.
    #[test]
    fn the_columns_grow_with_the_width_by_priority() {
        let pane = |w: u16| {
            let s = crate::app::layout::screen(Rect::new(0, 0, w, 40));
            usize::from(s.list.width) - 2
        };
        let at = |w: u16| columns(pane(w));
        let width_of = |cols: &[(&str, usize)], name: &str| {
            cols.iter().find(|(c, _)| *c == name).map_or(0, |(_, w)| *w)
        };
        assert!(width_of(&at(120), "E-mail") >= 22, "{:?}", at(120));
        let wide = at(200);
        assert_eq!(wide.len(), 6, "{wide:?}");
        assert!(width_of(&wide, "E-mail") >= 30, "{wide:?}");
        assert!(width_of(&wide, "Name") >= 24, "{wide:?}");
        for w in [60usize, 64, 90, 118, 140, 200] {
            let total: usize = columns(w).iter().map(|(_, x)| x + 1).sum::<usize>() - 1;
            assert_eq!(total, w, "{:?}", columns(w));
        }
    }
}
