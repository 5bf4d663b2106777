//! The duplicate audit screen: groups of likely duplicates with reason and confidence, and a
//! side-by-side comparison of a group's customers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Theme;
use super::text::{cell, count, fit};
use crate::app::App;
use crate::app::audit as audit_ui;
use crate::app::audit::state::{self as audit_state, AuditView, Finding};
use crate::app::view::phone_display;
use crate::sanitize;

pub fn draw(app: &App, v: &AuditView, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let groups = v
        .findings
        .iter()
        .filter(|f| matches!(f, Finding::Customers(_)))
        .count();
    let title = if v.checking {
        format!(" checking {} customers… ", count(v.scanned as u64))
    } else {
        format!(
            " {} customer groups · {} contact groups · {} customers checked ",
            count(groups as u64),
            count((v.findings.len() - groups) as u64),
            count(v.scanned as u64)
        )
    };
    let bottom = if v.compare {
        " Esc back · m merge · x not a duplicate "
    } else {
        " Enter compare · x not a duplicate · Esc back "
    };
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::from(vec![
            Span::styled(" Duplicate audit ", theme.bold()),
            Span::styled(title, theme.dim()),
        ]))
        .title_bottom(Line::styled(bottom, theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 10 {
        return;
    }
    if v.compare {
        compare(app, frame, inner, theme);
    } else {
        groups_list(app, v, frame, inner, theme);
    }
}

fn groups_list(app: &App, v: &AuditView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let w = usize::from(area.width);
    let conf_w = 5;
    // The reason column is as wide as its longest entry, up to half the screen.
    let longest = v
        .findings
        .iter()
        .map(|f| match f {
            Finding::Customers(g) => g.describe().chars().count(),
            Finding::Contacts(g) => g.reason.chars().count() + 10,
        })
        .max()
        .unwrap_or(0);
    let reason_w = longest.clamp(12, (w / 2).max(12));
    let names_w = w.saturating_sub(conf_w + reason_w + 2);
    let mut lines = vec![Line::styled(
        format!(
            "{} {} {}",
            cell("Conf", conf_w),
            cell("Reason", reason_w),
            cell("Records", names_w)
        ),
        theme.header(),
    )];
    if v.checking {
        lines.push(Line::styled(
            format!(
                " Checking {} customers for duplicates (names, e-mails, phones)…",
                count(v.scanned as u64)
            ),
            theme.dim(),
        ));
    } else if v.findings.is_empty() {
        lines.push(Line::styled(
            " No likely duplicates among these customers.",
            theme.dim(),
        ));
    }
    let vp = audit_state::viewport(app.size);
    for (k, f) in v.findings.iter().enumerate().skip(v.offset).take(vp) {
        let (conf, reason, names) = match f {
            Finding::Customers(g) => {
                let names: Vec<String> =
                    g.ids.iter().map(|&id| audit_ui::name_of(app, id)).collect();
                (
                    format!("{}%", g.confidence),
                    g.describe(),
                    names.join(" · "),
                )
            }
            Finding::Contacts(g) => {
                let customer = app
                    .list
                    .index
                    .get(&g.customer_id)
                    .map(|&i| app.list.rows[i].customer());
                let names: Vec<String> = g
                    .contact_ids
                    .iter()
                    .map(|id| {
                        customer
                            .as_ref()
                            .and_then(|c| c.contacts.iter().find(|k| k.id == *id))
                            .and_then(|k| k.name.clone().or(k.email.clone()))
                            .map_or_else(|| format!("#{id}"), |n| sanitize::line(&n))
                    })
                    .collect();
                (
                    "—".to_string(),
                    format!("contacts: {}", g.reason),
                    format!(
                        "{} in {}",
                        names.join(" · "),
                        audit_ui::name_of(app, g.customer_id)
                    ),
                )
            }
        };
        let style = if k == v.cursor {
            theme.selected()
        } else {
            theme.plain()
        };
        lines.push(Line::styled(
            format!(
                "{} {} {}",
                cell(&conf, conf_w),
                cell(&reason, reason_w),
                cell(&names, names_w)
            ),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// How one line of the comparison reads a customer.
type Value<'a> = Box<dyn Fn(&crate::api::model::Customer) -> String + 'a>;

/// The group's customers in columns, one field per line.
fn compare(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let customers = audit_ui::selected_customers(app);
    if customers.is_empty() {
        return;
    }
    let label_w = 10;
    let n = customers.len().min(4);
    let col_w = (usize::from(area.width).saturating_sub(label_w) / n).max(4);
    // A group of three or more has a column cursor and marks; the columns scroll with it.
    let (member, picked) = app
        .stack
        .audit()
        .map_or((0, &[][..]), |v| (v.member, v.picked.as_slice()));
    let big = customers.len() > 2;
    let start = if big {
        member.saturating_sub(n - 1).min(customers.len() - n)
    } else {
        0
    };
    let shown = &customers[start..start + n];
    let prop = &app.config.customer_type_property;
    let s = |v: &Option<String>| sanitize::line(v.as_deref().unwrap_or(""));
    let rows: Vec<(&str, Value<'_>)> = vec![
        ("Name", Box::new(|c| sanitize::line(&c.display_name()))),
        ("Person", Box::new(|c| sanitize::line(&c.person_name()))),
        (
            "Type",
            Box::new(|c| crate::domain::customer_type(c, prop).to_string()),
        ),
        ("E-mail", Box::new(move |c| s(&c.email))),
        (
            "Phone",
            Box::new(|c| phone_display(c.phone.as_deref().unwrap_or(""))),
        ),
        (
            "Mobile",
            Box::new(|c| phone_display(c.mobile.as_deref().unwrap_or(""))),
        ),
        ("Address", Box::new(move |c| s(&c.address))),
        ("City", Box::new(move |c| s(&c.city))),
        ("Contacts", Box::new(|c| c.contacts.len().to_string())),
        (
            "Created",
            Box::new(|c| {
                c.created_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            }),
        ),
        ("ID", Box::new(|c| c.id.to_string())),
    ];
    let mut lines = Vec::new();
    if big {
        let mut spans = vec![Span::styled(cell("", label_w), theme.label())];
        for (i, c) in shown.iter().enumerate() {
            let mark = if picked.contains(&c.id) {
                "✓ to merge"
            } else {
                ""
            };
            let text = format!("{} {mark}", start + i + 1);
            let style = if start + i == member {
                theme.selected()
            } else {
                theme.dim()
            };
            spans.push(Span::styled(cell(&fit(&text, col_w - 1), col_w - 1), style));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    for (label, get) in &rows {
        let mut spans = vec![Span::styled(cell(label, label_w), theme.label())];
        let values: Vec<String> = shown.iter().map(get).collect();
        let differ = values.windows(2).any(|w| w[0] != w[1]);
        for v in values {
            let style = if differ {
                theme.accent()
            } else {
                theme.plain()
            };
            spans.push(Span::styled(cell(&fit(&v, col_w - 1), col_w), style));
        }
        lines.push(Line::from(spans));
    }
    if big {
        let hidden = customers.len() - n;
        let more = if hidden > 0 {
            format!("{hidden} more with ←/→ · ")
        } else {
            String::new()
        };
        lines.push(Line::default());
        lines.push(Line::styled(
            format!(
                " {} customers: {more}Space marks the two to merge · m merges them",
                customers.len()
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use crate::ui::tests::render;
    use std::collections::BTreeSet;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::audit::state::AuditEvent;
    use crate::app::keymap::map_key;
    use crate::app::{Action, App, update};

    fn key(app: &mut App, code: KeyCode) {
        if let Some(a) = map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
            update(app, a);
        }
    }

    #[test]
    fn duplicate_audit_screens() {
        for size in [(100, 30), (80, 24)] {
            let mut app = crate::app::audit::tests::app_with_duplicate();
            update(&mut app, Action::Resize(size.0, size.1));
            key(&mut app, KeyCode::Char('A'));
            update(
                &mut app,
                Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
            );
            insta::assert_snapshot!(format!("audit_{}x{}", size.0, size.1), render(&app));
            key(&mut app, KeyCode::Enter);
            insta::assert_snapshot!(format!("audit_compare_{}x{}", size.0, size.1), render(&app));
        }
    }

    #[test]
    fn a_group_of_three_has_a_column_cursor_and_marks() {
        let mut app = crate::app::audit::tests::app_with_three_duplicates();
        update(&mut app, Action::Resize(100, 30));
        key(&mut app, KeyCode::Char('A'));
        update(
            &mut app,
            Action::Audit(AuditEvent::Dismissed(BTreeSet::new())),
        );
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Char(' '));
        key(&mut app, KeyCode::Right);
        insta::assert_snapshot!("audit_compare_three_100x30", render(&app));
    }

    #[test]
    fn a_big_check_in_progress_says_so() {
        let mut app = crate::app::audit::tests::app_with_duplicate();
        update(&mut app, Action::Resize(100, 30));
        key(&mut app, KeyCode::Char('A'));
        // As the worker's check of a big list looks until its answer arrives.
        let v = app.stack.audit_mut().unwrap();
        v.checking = true;
        v.scanned = 100_000;
        let text = render(&app);
        assert!(text.contains("checking 100,000 customers…"), "{text}");
        assert!(
            text.contains("Checking 100,000 customers for duplicates"),
            "{text}"
        );
        assert!(!text.contains("No likely duplicates"), "{text}");
    }
}
