//! The contact merge screen: the two contacts side by side, the plan, the progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::Theme;
use super::text::{cell, fit};
use crate::api::model::Contact;
use crate::app::merge::state::{ContactMergeScreen, ContactStage};
use crate::app::view::ContactView;
use crate::flows::merge::StepStatus;
use crate::sanitize;

fn name(c: &Contact) -> String {
    format!(
        "{} (#{})",
        sanitize::line(c.name.as_deref().unwrap_or("(no name)")),
        c.id
    )
}

/// The contact merge's keys for the stage in front, on its bottom border and in the status
/// line.
pub(super) fn footer(m: &ContactMergeScreen) -> &'static str {
    match &m.stage {
        ContactStage::Choose { .. } => " ←/→ or 1/2 the one that stays · Enter plan · Esc back ",
        ContactStage::Planning => " Esc back ",
        ContactStage::Plan { .. } => {
            " ↑/↓ line · Space copy or not, retire or delete · Enter merge · Esc back "
        }
        ContactStage::Running => " the steps run ",
        ContactStage::Done { error: Some(_) } => " r resume · x forget · Esc back ",
        ContactStage::Done { .. } => " Esc back ",
    }
}

pub fn draw(m: &ContactMergeScreen, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let bottom = footer(m);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Span::styled(
            format!(" Merge contacts of {} ", m.customer),
            theme.bold(),
        ))
        .title_bottom(Line::styled(
            super::form::fit_footer(bottom, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 10 {
        return;
    }
    let w = usize::from(inner.width);
    let lines = match &m.stage {
        ContactStage::Choose { .. } => choose(m, w, theme),
        ContactStage::Planning => vec![Line::styled(
            "Reading both contacts and the tickets and assets that point at the duplicate…",
            theme.dim(),
        )],
        ContactStage::Plan { plan, cursor } => {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("Keep    ", theme.label()),
                    Span::styled(name(&plan.primary), theme.bold()),
                ]),
                Line::from(vec![
                    Span::styled("Merge   ", theme.label()),
                    Span::raw(name(&plan.duplicate)),
                ]),
                Line::raw(""),
                Line::styled("Point at the one that stays", theme.header()),
                Line::raw(format!(
                    "  {}, {}",
                    crate::text::plural(plan.tickets.len(), "ticket"),
                    crate::text::plural(plan.assets.len(), "asset")
                )),
                Line::raw(""),
                Line::styled(
                    "Copy to the one that stays (empty there, set on the duplicate)",
                    theme.header(),
                ),
            ];
            if plan.fields.is_empty() {
                lines.push(Line::styled("  nothing to copy", theme.dim()));
            }
            for (i, f) in plan.fields.iter().enumerate() {
                let check = if f.copy { "[x]" } else { "[ ]" };
                let style = if i == *cursor {
                    theme.selected()
                } else {
                    theme.plain()
                };
                let text = format!(
                    "  {check} {}: {}",
                    sanitize::line(&f.label),
                    sanitize::line(&f.value)
                );
                lines.push(Line::styled(fit(&text, w), style));
            }
            lines.push(Line::raw(""));
            let end = if plan.delete {
                format!("then delete {} for good", name(&plan.duplicate))
            } else {
                format!(
                    "then retire {} (marked as left, history kept)",
                    name(&plan.duplicate)
                )
            };
            let style = if *cursor >= plan.fields.len() {
                theme.selected()
            } else {
                theme.bold()
            };
            lines.push(Line::styled(fit(&end, w), style));
            lines
        }
        ContactStage::Running | ContactStage::Done { .. } => progress(m, theme),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The two contacts' records side by side, the one that stays marked.
fn choose(m: &ContactMergeScreen, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (primary, _) = m.primary_and_duplicate();
    let col = w.saturating_sub(12) / 2;
    let header = |c: &Contact, key: &str| {
        let mark = if c.id == primary.id {
            "● stays "
        } else {
            "○ merged"
        };
        format!("{key} {mark} {}", name(c))
    };
    let mut lines = vec![
        Line::styled("Which contact stays?", theme.bold()),
        Line::raw(""),
        Line::from(vec![
            Span::raw(" ".repeat(12)),
            Span::styled(
                cell(&header(&m.left, "1 ←"), col),
                if m.left.id == primary.id {
                    theme.selected()
                } else {
                    theme.plain()
                },
            ),
            Span::styled(
                cell(&header(&m.right, "2 →"), col),
                if m.right.id == primary.id {
                    theme.selected()
                } else {
                    theme.plain()
                },
            ),
        ]),
    ];
    let (a, b) = (ContactView::build(&m.left), ContactView::build(&m.right));
    let mut labels: Vec<String> = Vec::new();
    for f in a.fields.iter().chain(b.fields.iter()) {
        if !f.label.is_empty() && !labels.contains(&f.label) {
            labels.push(f.label.clone());
        }
    }
    let value = |v: &ContactView, label: &str| {
        v.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    for label in labels {
        let (l, r) = (value(&a, &label), value(&b, &label));
        let style = if l != r && !l.is_empty() && !r.is_empty() {
            theme.accent()
        } else {
            theme.plain()
        };
        lines.push(Line::from(vec![
            Span::styled(cell(&label, 12), theme.label()),
            Span::styled(cell(&l, col), style),
            Span::styled(cell(&r, col), style),
        ]));
    }
    lines
}

fn progress(m: &ContactMergeScreen, theme: &Theme) -> Vec<Line<'static>> {
    let (primary, duplicate) = m.primary_and_duplicate();
    let mut lines = vec![
        Line::styled(
            format!("Merging {} into {}", name(duplicate), name(primary)),
            theme.bold(),
        ),
        Line::raw(""),
    ];
    for s in &m.steps {
        let (mark, style, extra) = match &s.status {
            StepStatus::Done => ("✓", theme.plain(), String::new()),
            StepStatus::Skipped { reason } => {
                ("✓", theme.dim(), format!(" ({})", sanitize::line(reason)))
            }
            StepStatus::Failed { error } => {
                ("✗", theme.error(), format!(": {}", sanitize::line(error)))
            }
            StepStatus::Pending => ("·", theme.dim(), String::new()),
        };
        lines.push(Line::styled(format!("{mark} {}{extra}", s.text), style));
    }
    if let ContactStage::Done { error } = &m.stage {
        lines.push(Line::raw(""));
        match error {
            None => lines.push(Line::styled("Merged.", theme.bold())),
            Some(e) => {
                lines.push(Line::styled(
                    format!("The merge stopped: {}", sanitize::line(e)),
                    theme.error(),
                ));
                lines.push(Line::raw("Press r to resume where it stopped."));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use crate::app::contact_merge::tests::{opened, plan};
    use crate::app::merge::state::ContactMergeEvent;
    use crate::app::{Action, Cmd, update};
    use crate::flows::merge::StepStatus;
    use crate::ui::tests::render;

    #[test]
    fn contact_merge_screens() {
        for size in [(100u16, 30u16), (80, 24)] {
            let mut app = opened();
            update(&mut app, Action::Resize(size.0, size.1));
            insta::assert_snapshot!(
                format!("contact_merge_choose_{}x{}", size.0, size.1),
                render(&app)
            );
            update(&mut app, Action::Cmd(Cmd::Open));
            update(
                &mut app,
                Action::ContactMerge(ContactMergeEvent::Planned(Ok(Box::new(plan())))),
            );
            insta::assert_snapshot!(
                format!("contact_merge_plan_{}x{}", size.0, size.1),
                render(&app)
            );
            update(&mut app, Action::Cmd(Cmd::Open));
            update(
                &mut app,
                Action::ConfirmEdit(tui_input::InputRequest::InsertChar('y')),
            );
            update(
                &mut app,
                Action::ContactMerge(ContactMergeEvent::Started(vec![
                    ("Copy 1 field to Jane Roe".into(), StepStatus::Pending),
                    (
                        "Point ticket 900 at the primary".into(),
                        StepStatus::Pending,
                    ),
                    ("Retire J. Roe (marked as left)".into(), StepStatus::Pending),
                ])),
            );
            update(
                &mut app,
                Action::ContactMerge(ContactMergeEvent::Progress {
                    number: 1,
                    text: "Copy 1 field to Jane Roe".into(),
                    status: StepStatus::Done,
                }),
            );
            update(
                &mut app,
                Action::ContactMerge(ContactMergeEvent::Progress {
                    number: 2,
                    text: "Point ticket 900 at the primary".into(),
                    status: StepStatus::Failed {
                        error: "Syncro answered 500".into(),
                    },
                }),
            );
            update(
                &mut app,
                Action::ContactMerge(ContactMergeEvent::Finished {
                    error: Some("step 2 of 3 failed: Syncro answered 500".into()),
                }),
            );
            insta::assert_snapshot!(
                format!("contact_merge_failed_{}x{}", size.0, size.1),
                render(&app)
            );
        }
    }

    #[test]
    fn the_audit_compares_a_contact_group_side_by_side() {
        let mut app = crate::app::contact_merge::tests::app_with_duplicate_contacts();
        update(&mut app, Action::Cmd(Cmd::Open));
        let text = render(&app);
        insta::assert_snapshot!("audit_compare_contacts_100x30", text);
    }
}
