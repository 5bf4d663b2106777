//! The merge screen: choosing the primary, the plan with the fields to copy, the confirmation,
//! the progress list and the result.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::Theme;
use crate::api::model::Customer;
use crate::app::merge::state::{self as merge_state, MergeScreen, Stage};
use crate::flows::merge::{MergePlan, StepStatus};
use crate::sanitize;
use crate::text::fit;

/// How many names a plan section lists before "and N more".
const NAMES: usize = 4;

/// The merge's keys for the stage in front, on its bottom border and in the status line.
pub(super) fn footer(m: &MergeScreen) -> &'static str {
    match &m.stage {
        Stage::Choose { .. } => " ←/→ or 1/2 primary · Enter plan · Esc back ",
        Stage::Planning => " Esc back ",
        Stage::Plan { .. } => " ↑/↓ field · Space copy or not · Enter merge… · Esc back ",
        Stage::Running => " Esc hide (the merge goes on) ",
        Stage::Done { error: Some(_), .. } => " r resume · x forget · Esc back ",
        Stage::Done { .. } => " Esc back ",
    }
}

pub fn draw(m: &MergeScreen, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let bottom = footer(m);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Span::styled(" Merge customers ", theme.bold()))
        .title_bottom(Line::styled(
            super::form::fit_footer(bottom, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 10 {
        return;
    }
    let lines = match &m.stage {
        Stage::Choose { .. } => choose(m, theme),
        Stage::Planning => vec![Line::styled(
            "Reading both customers and what is attached to the duplicate…",
            theme.dim(),
        )],
        Stage::Plan { plan, cursor } => plan_lines(plan, *cursor, false, inner.width, theme),
        Stage::Running | Stage::Done { .. } => progress(m, theme),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn name(c: &Customer) -> String {
    format!("{} (#{})", sanitize::line(&c.display_name()), c.id)
}

fn choose(m: &MergeScreen, theme: &Theme) -> Vec<Line<'static>> {
    let (primary, _) = m.primary_and_duplicate();
    let side = |c: &Customer, key: &str| {
        let stays = c.id == primary.id;
        let mark = if stays { "● stays  " } else { "○ merged " };
        let style = if stays {
            theme.selected()
        } else {
            theme.plain()
        };
        Line::from(vec![
            Span::styled(format!(" {key}  "), theme.label()),
            Span::styled(format!("{mark} {}", name(c)), style),
        ])
    };
    vec![
        Line::styled("Which customer stays (the primary)?", theme.bold()),
        Line::raw(""),
        side(&m.left, "1 ←"),
        side(&m.right, "2 →"),
        Line::raw(""),
        Line::styled(
            "From the audit the older record (lower id) stays first; after M, the one M was pressed on last.",
            theme.dim(),
        ),
    ]
}

fn section(title: &str, names: Vec<String>, theme: &Theme) -> Vec<Line<'static>> {
    let mut line = vec![Span::styled(
        format!("{title}: {}", names.len()),
        theme.label(),
    )];
    if !names.is_empty() {
        let shown: Vec<String> = names.iter().take(NAMES).cloned().collect();
        let more = names.len().saturating_sub(NAMES);
        let mut text = format!("  {}", shown.join(", "));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        line.push(Span::raw(text));
    }
    vec![Line::from(line)]
}

fn plan_lines(
    plan: &MergePlan,
    cursor: usize,
    confirm: bool,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let opt = |s: &Option<String>| sanitize::line(s.as_deref().unwrap_or("(no name)"));
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
        Line::styled("Move to the primary", theme.header()),
    ];
    lines.extend(section(
        "Contacts",
        plan.contacts.iter().map(|c| opt(&c.name)).collect(),
        theme,
    ));
    lines.extend(section(
        "Tickets",
        plan.tickets
            .iter()
            .map(|t| {
                format!(
                    "#{} {}",
                    t.number.clone().unwrap_or_else(|| t.id.to_string()),
                    opt(&t.subject)
                )
            })
            .collect(),
        theme,
    ));
    lines.extend(section(
        "Assets",
        plan.assets.iter().map(|a| opt(&a.name)).collect(),
        theme,
    ));
    lines.push(Line::from(vec![
        Span::styled(format!("Invoices: {}", plan.invoices.len()), theme.label()),
        Span::raw("  (the API cannot move invoices)"),
    ]));
    if let Some(why) = plan.keeps_duplicate() {
        lines.push(Line::styled(
            format!("⚠ {}", sanitize::line(&why)),
            theme.error(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Copy to the primary (empty there, set on the duplicate)",
        theme.header(),
    ));
    if plan.fields.is_empty() {
        lines.push(Line::styled("  nothing to copy", theme.dim()));
    }
    for (i, f) in plan.fields.iter().enumerate() {
        let check = if f.copy { "[x]" } else { "[ ]" };
        let style = if i == cursor && !confirm {
            theme.selected()
        } else {
            theme.plain()
        };
        // One line per field (long notes are cut), so the cursor stays readable.
        let text = format!(
            "  {check} {}: {}",
            sanitize::line(&f.label),
            sanitize::line(&f.value)
        );
        lines.push(Line::styled(fit(&text, usize::from(width)), style));
    }
    lines.push(Line::raw(""));
    if plan.keeps_duplicate().is_some() {
        lines.push(Line::styled(
            format!(
                "then keep {} (emptied, marked as merged)",
                name(&plan.duplicate)
            ),
            theme.bold(),
        ));
    } else {
        lines.push(Line::styled(
            format!("then delete {}", name(&plan.duplicate)),
            theme.bold(),
        ));
    }
    if confirm {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Merge now? y/N", theme.accent()));
    }
    lines
}

fn progress(m: &MergeScreen, theme: &Theme) -> Vec<Line<'static>> {
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
    if let Stage::Done {
        error,
        duplicate_deleted,
        keep_duplicate,
    } = &m.stage
    {
        lines.push(Line::raw(""));
        let summary = merge_state::summary(&m.steps);
        match error {
            None => {
                let end = if *duplicate_deleted {
                    "duplicate deleted".to_string()
                } else {
                    keep_duplicate.as_deref().map_or_else(
                        || "duplicate kept".to_string(),
                        |w| format!("duplicate kept: {}", sanitize::line(w)),
                    )
                };
                lines.push(Line::styled(
                    format!("Merged: {summary}; {end}"),
                    theme.bold(),
                ));
            }
            Some(e) => {
                lines.push(Line::styled(
                    format!("The merge stopped: {}", sanitize::line(e)),
                    theme.error(),
                ));
                lines.push(Line::raw(format!("So far: {summary}. Press r to resume.")));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use crate::ui::tests::render;

    use crate::app::merge::state::MergeEvent;
    use crate::app::merge::tests::planned;
    use crate::app::{Action, Cmd, update};
    use crate::flows::merge::{MergeProgress, MergeStep, StepStatus};

    #[test]
    fn merge_plan_and_progress_screens() {
        for size in [(100, 30), (80, 24)] {
            let mut app = planned();
            update(&mut app, Action::Resize(size.0, size.1));
            insta::assert_snapshot!(format!("merge_plan_{}x{}", size.0, size.1), render(&app));

            update(&mut app, Action::Cmd(Cmd::Open));
            update(&mut app, Action::Cmd(Cmd::ConfirmAccept));
            let steps = [
                MergeStep::MoveContact {
                    id: 31000001,
                    name: "Bob Builder".into(),
                },
                MergeStep::MoveTicket {
                    id: 41000001,
                    number: "1043".into(),
                    subject: "Printer offline".into(),
                },
                MergeStep::MoveAsset {
                    id: 51000001,
                    name: "FRONT-DESK-PC".into(),
                },
                MergeStep::Verify,
                MergeStep::DeleteDuplicate,
            ];
            update(
                &mut app,
                Action::Merge(MergeEvent::Started(
                    steps
                        .iter()
                        .map(|s| (s.describe(), StepStatus::Pending))
                        .collect(),
                )),
            );
            let statuses = [
                StepStatus::Done,
                StepStatus::Failed {
                    error: "HTTP 500 from PUT /tickets/41000001".into(),
                },
            ];
            for (i, status) in statuses.into_iter().enumerate() {
                update(
                    &mut app,
                    Action::Merge(MergeEvent::Progress(MergeProgress {
                        number: i + 1,
                        total: steps.len(),
                        step: steps[i].clone(),
                        status,
                        message: String::new(),
                    })),
                );
            }
            update(
                &mut app,
                Action::Merge(MergeEvent::Finished {
                    error: Some("Step 2 of 5 (Move ticket #1043) failed: HTTP 500".into()),
                    duplicate_deleted: false,
                    keep_duplicate: None,
                }),
            );
            insta::assert_snapshot!(
                format!("merge_progress_{}x{}", size.0, size.1),
                render(&app)
            );
        }
    }

    #[test]
    fn an_unfinished_merge_offered_at_start() {
        let mut app = crate::app::audit::tests::app_with_duplicate();
        update(&mut app, Action::Resize(100, 30));
        update(
            &mut app,
            Action::Merge(MergeEvent::Pending(vec![
                crate::app::merge::tests::unfinished_run(),
            ])),
        );
        insta::assert_snapshot!("merge_offered_100x30", render(&app));
    }
}
