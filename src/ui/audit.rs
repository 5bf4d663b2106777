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
use crate::roles::Title;
use crate::sanitize;

/// The audit's keys, on its bottom border and in the status line.
pub(super) fn footer(v: &AuditView) -> &'static str {
    if v.compare {
        " Enter list · m merge · x not a duplicate · Esc back "
    } else {
        " Enter compare · m merge · x not a duplicate · Esc back "
    }
}

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
    let bottom = footer(v);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::from(vec![
            Span::styled(" Duplicate audit ", theme.bold()),
            Span::styled(title, theme.dim()),
        ]))
        .title_bottom(Line::styled(
            super::form::fit_footer(bottom, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
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
    // The reason column is as wide as its longest entry, leaving the records at least 24
    // cells (their names are in full in the comparison, Enter): why a group is there is what
    // the technician reads first.
    let longest = v
        .findings
        .iter()
        .map(|f| match f {
            Finding::Customers(g) => g.describe().chars().count(),
            Finding::Contacts(g) => g.reason.chars().count() + 10,
        })
        .max()
        .unwrap_or(0);
    let reason_w = longest.clamp(12, w.saturating_sub(conf_w + 2 + 24).max(12));
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

/// The comparison's columns: one per record, one value per line of [`CUSTOMER_LINES`] or
/// [`CONTACT_LINES`].
struct Columns {
    noun: &'static str,
    /// A line under the columns (a contact group: whose contacts they are).
    footer: Option<String>,
    labels: &'static [&'static str],
    records: Vec<(crate::api::model::Id, Vec<String>)>,
}

const CUSTOMER_LINES: &[&str] = &[
    "Name", "Person", "Type", "E-mail", "Phone", "Mobile", "Address", "City", "Contacts",
    "Created", "ID",
];

const CONTACT_LINES: &[&str] = &[
    "Name",
    "Job title",
    "Roles",
    "Left",
    "E-mail",
    "Phone",
    "Mobile",
    "Address",
    "Notes",
    "Created",
    "ID",
];

fn date(t: Option<crate::api::model::Timestamp>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn columns(app: &App) -> Columns {
    let s = |v: &Option<String>| sanitize::line(v.as_deref().unwrap_or(""));
    let phone = |v: &Option<String>| phone_display(v.as_deref().unwrap_or(""));
    if audit_ui::contact_finding(app) {
        let records = audit_ui::selected_contacts(app)
            .iter()
            .map(|c| {
                let t = Title::read(&c.title().unwrap_or_default());
                let notes = c
                    .notes
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("");
                let values = vec![
                    s(&c.name),
                    sanitize::line(&t.job),
                    t.roles_text(),
                    if t.retired { "yes" } else { "" }.to_string(),
                    s(&c.email),
                    phone(&c.phone),
                    phone(&c.mobile),
                    s(&c.address1),
                    sanitize::line(notes),
                    date(c.created_at),
                    c.id.to_string(),
                ];
                (c.id, values)
            })
            .collect();
        let owner = match app.stack.audit().and_then(|v| v.findings.get(v.cursor)) {
            Some(Finding::Contacts(g)) => audit_ui::name_of(app, g.customer_id),
            _ => String::new(),
        };
        return Columns {
            noun: "contacts",
            footer: Some(format!(
                " Contacts of {} · m merges two into the one that stays",
                sanitize::line(&owner)
            )),
            labels: CONTACT_LINES,
            records,
        };
    }
    let prop = &app.config.customer_type_property;
    let records = audit_ui::selected_customers(app)
        .iter()
        .map(|c| {
            let values = vec![
                sanitize::line(&c.display_name()),
                sanitize::line(&c.person_name()),
                crate::domain::customer_type(c, prop).to_string(),
                s(&c.email),
                phone(&c.phone),
                phone(&c.mobile),
                s(&c.address),
                s(&c.city),
                c.contacts.len().to_string(),
                date(c.created_at),
                c.id.to_string(),
            ];
            (c.id, values)
        })
        .collect();
    Columns {
        noun: "customers",
        footer: None,
        labels: CUSTOMER_LINES,
        records,
    }
}

/// The group's records (customers, or a contact group's contacts) in columns, one field per
/// line; a line whose values differ is in the accent colour.
fn compare(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Columns {
        noun,
        footer,
        labels,
        records,
    } = columns(app);
    if records.is_empty() {
        return;
    }
    let label_w = 10;
    let n = records.len().min(4);
    let col_w = (usize::from(area.width).saturating_sub(label_w) / n).max(4);
    // A group of three or more has a column cursor and marks; the columns scroll with it.
    let (member, picked) = app
        .stack
        .audit()
        .map_or((0, &[][..]), |v| (v.member, v.picked.as_slice()));
    let big = records.len() > 2;
    let start = if big {
        member.saturating_sub(n - 1).min(records.len() - n)
    } else {
        0
    };
    let shown = &records[start..start + n];
    let mut lines = Vec::new();
    if big {
        let mut spans = vec![Span::styled(cell("", label_w), theme.label())];
        for (i, (id, _)) in shown.iter().enumerate() {
            let mark = if picked.contains(id) {
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
    for (row, label) in labels.iter().enumerate() {
        let mut spans = vec![Span::styled(cell(label, label_w), theme.label())];
        let values: Vec<&str> = shown
            .iter()
            .map(|(_, v)| v.get(row).map_or("", String::as_str))
            .collect();
        let differ = values.windows(2).any(|w| w[0] != w[1]);
        for v in values {
            let style = if differ {
                theme.accent()
            } else {
                theme.plain()
            };
            spans.push(Span::styled(cell(&fit(v, col_w - 1), col_w), style));
        }
        lines.push(Line::from(spans));
    }
    if let Some(text) = footer {
        lines.push(Line::default());
        lines.push(Line::styled(text, theme.dim()));
    }
    if big {
        let hidden = records.len() - n;
        let more = if hidden > 0 {
            format!("{hidden} more with ←/→ · ")
        } else {
            String::new()
        };
        lines.push(Line::default());
        lines.push(Line::styled(
            format!(
                " {} {noun}: {more}Space marks the two to merge · m merges them",
                records.len()
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
        for size in [(100, 30), (80, 24), (120, 40), (200, 50)] {
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
