//! The onboarding flow, full screen above the status line: the step indicator, then the step's
//! form, the list of further contacts, the review with the duplicate check, or the progress of
//! the creates.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::Theme;
use super::form::{FieldCols, FieldLook, error_lines, field_line, show_fields};
use super::text::{cell, fit, width, wrap};
use crate::app::App;
use crate::app::form::{FieldKind, Form};
use crate::app::onboard::state::{OnboardScreen, ROLE_KEY, RunState, RunView, Step, role_name};
use crate::flows::onboard::{CreateStatus, Onboarding, Role, Subject};
use crate::sanitize;

pub fn draw(app: &App, s: &OnboardScreen, frame: &mut Frame, theme: &Theme) {
    let full = frame.area();
    let area = Rect::new(full.x, full.y, full.width, full.height.saturating_sub(1));
    super::overlay::clear(frame, area);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Span::styled(" Onboard a new client ", theme.bold()))
        .title_bottom(Line::styled(
            super::form::fit_footer(&hint(app, s), usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let w = usize::from(inner.width);
    let mut head = vec![indicator(s, w, theme)];
    match &s.notice {
        Some(n) => head.push(Line::styled(fit(&sanitize::line(n), w), theme.error())),
        None => head.push(Line::raw("")),
    }
    let head_h = head.len() as u16;
    frame.render_widget(
        Paragraph::new(head),
        Rect::new(inner.x, inner.y, inner.width, head_h),
    );
    let body = Rect::new(
        inner.x,
        inner.y + head_h,
        inner.width,
        inner.height - head_h,
    );
    match s.step {
        Step::Customer => form_body(
            app,
            s,
            &s.customer,
            "The customer: business information, type, tax rate and referral source.",
            frame,
            body,
            theme,
        ),
        Step::Primary => form_body(
            app,
            s,
            &s.primary,
            "The primary contact: the decision maker. A name and an e-mail are required.",
            frame,
            body,
            theme,
        ),
        Step::Contacts => match s.editing.and_then(|i| s.extras.get(i)) {
            Some(f) => form_body(
                app,
                s,
                f,
                "A further contact: its role goes into the title.",
                frame,
                body,
                theme,
            ),
            None => paragraph(frame, body, contacts(s, w, theme)),
        },
        Step::Review => paragraph(frame, body, review(app, s, w, theme)),
        Step::Create => paragraph(frame, body, progress(s, theme)),
    }
}

fn paragraph(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The step's keys, on the bottom border and in the status line, with the save key in force.
pub(super) fn hint(app: &App, s: &OnboardScreen) -> String {
    let mode = if s.editing.is_some() || matches!(s.step, Step::Customer | Step::Primary) {
        crate::app::Mode::OnboardForm
    } else {
        crate::app::Mode::Onboard
    };
    let next = app
        .config
        .keymap
        .key_label(mode, crate::app::Cmd::FormSave)
        .unwrap_or_else(|| "Ctrl-s".into());
    match s.step {
        Step::Customer => format!(" Tab field · {next} next step · Esc leave "),
        Step::Primary => format!(" Tab field · {next} next step · Esc back "),
        Step::Contacts if s.editing.is_some() => {
            format!(" ←/→ role · Tab field · {next} done · Esc back ")
        }
        Step::Contacts => format!(" a add · Enter edit · d remove · {next} review · Esc back "),
        Step::Review => " Enter create · Esc back ".into(),
        Step::Create => match s.run.as_ref().map(|r| &r.state) {
            Some(RunState::Running) => " Esc hide (the creates go on) ".into(),
            Some(RunState::Stopped(_)) => " r resume · e correct · D forget · Esc later ".into(),
            _ => " Enter go to the customer ".into(),
        },
    }
}

/// `✓ Customer › ▸ Primary contact › More contacts › Review › Create`
fn indicator(s: &OnboardScreen, w: usize, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, step) in Step::ALL.iter().enumerate() {
        let done = s
            .run
            .as_ref()
            .is_some_and(|r| matches!(r.state, RunState::Done { .. }));
        let (text, style) = if *step == s.step && !done {
            (format!("▸ {}", step.title()), theme.selected())
        } else if *step <= s.step {
            (format!("✓ {}", step.title()), theme.plain())
        } else {
            (step.title().to_string(), theme.dim())
        };
        let sep = if i == 0 { "" } else { " › " };
        used += width(sep) + width(&text);
        if used > w {
            break;
        }
        spans.push(Span::styled(sep, theme.dim()));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn form_body(
    app: &App,
    s: &OnboardScreen,
    form: &Form,
    intro: &str,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let w = usize::from(area.width);
    let intro = Line::styled(fit(intro, w), theme.dim());
    frame.render_widget(
        Paragraph::new(intro),
        Rect::new(area.x, area.y, area.width, 1),
    );
    let area = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1),
    );
    let cols = FieldCols::new(w);
    let mut lines: Vec<(Line, Option<usize>)> = Vec::new();
    for (i, fld) in form.fields.iter().enumerate() {
        let pick = fld.kind == FieldKind::CustomerType
            || fld.kind == FieldKind::CustomerRef
            || fld.key == ROLE_KEY;
        let residential = form
            .field(crate::app::form::TYPE_KEY)
            .is_some_and(|f| f.value() == "Residential");
        let required = match fld.key.as_str() {
            "name" => true,
            "email" => s.step == Step::Primary,
            "business_name" => !residential,
            "firstname" | "lastname" => residential,
            _ => false,
        };
        let label = if required {
            format!("{} *", fld.label)
        } else {
            fld.label.clone()
        };
        let look = FieldLook {
            label: &label,
            pick,
            mark_changed: fld.is_changed() && !pick,
            shown: super::form::customer_ref(app, fld, i == form.focus),
        };
        lines.push((
            field_line(fld, &look, i == form.focus, cols, theme),
            Some(i),
        ));
        if let Some(e) = &fld.error {
            for l in error_lines(e, cols, w, theme) {
                lines.push((l, None));
            }
        }
        if fld.key == "title" {
            let title = title_preview(s, form);
            lines.push((
                Line::styled(
                    fit(
                        &format!("{}    sent as: {}", " ".repeat(cols.label), title),
                        w,
                    ),
                    theme.dim(),
                ),
                None,
            ));
        }
    }
    let fld = form.focused();
    let pick = fld.kind == FieldKind::CustomerType
        || fld.kind == FieldKind::CustomerRef
        || fld.key == ROLE_KEY;
    show_fields(frame, area, form, lines, cols, !pick);
}

/// The title a contact gets from its role and the title typed.
fn title_preview(s: &OnboardScreen, form: &Form) -> String {
    let role = match form.field(ROLE_KEY) {
        Some(f) => [Role::Technical, Role::Billing, Role::Other]
            .into_iter()
            .find(|r| role_name(*r) == f.value())
            .unwrap_or(Role::Other),
        None if s.step == Step::Primary => Role::DecisionMaker,
        None => Role::Other,
    };
    let typed = form.field("title").map(|f| f.value()).unwrap_or("");
    let t = role.title(typed);
    if t.is_empty() {
        "(none)".into()
    } else {
        sanitize::line(&t)
    }
}

fn value<'a>(form: &'a Form, key: &str) -> &'a str {
    form.field(key).map(|f| f.value().trim()).unwrap_or("")
}

/// "Name <e-mail>" of a contact form.
fn who(form: &Form) -> String {
    let name = value(form, "name");
    let email = value(form, "email");
    let name = if name.is_empty() { "(no name)" } else { name };
    if email.is_empty() {
        sanitize::line(name)
    } else {
        sanitize::line(&format!("{name} <{email}>"))
    }
}

fn contacts(s: &OnboardScreen, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Decision maker  ", theme.label()),
            Span::raw(fit(&who(&s.primary), w.saturating_sub(16))),
        ]),
        Line::raw(""),
        Line::styled(
            format!(
                "Further contacts (technical, billing, other): {}",
                s.extras.len()
            ),
            theme.header(),
        ),
    ];
    if s.extras.is_empty() {
        lines.push(Line::styled(
            "  None yet: a adds one. Ctrl-s goes on to the review.",
            theme.dim(),
        ));
    }
    let onb = s.onboarding();
    let titled = onb.contacts();
    for (i, f) in s.extras.iter().enumerate() {
        let role = value(f, ROLE_KEY).to_string();
        let title = titled
            .get(i + 1)
            .and_then(|(_, p)| p.get("title"))
            .and_then(|v| v.as_str())
            .map(sanitize::line)
            .unwrap_or_default();
        let who_w = w.saturating_sub(2 + 11 + 2).min(44);
        let text = format!("{} {}  {}", cell(&role, 10), cell(&who(f), who_w), title);
        let style = if i == s.cursor {
            theme.selected()
        } else {
            theme.plain()
        };
        let mark = if i == s.cursor { "▶ " } else { "  " };
        lines.push(Line::styled(fit(&format!("{mark}{text}"), w), style));
    }
    lines
}

fn text(p: &crate::api::model::Patch, key: &str) -> String {
    p.get(key)
        .map(|v| crate::app::onboard::state::value_text(v).trim().to_string())
        .unwrap_or_default()
}

fn review(app: &App, s: &OnboardScreen, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let onb: Onboarding = s.onboarding();
    let c = &onb.customer;
    let kind = s
        .customer
        .field(crate::app::form::TYPE_KEY)
        .map(|f| f.value().to_string())
        .unwrap_or_default();
    let mut lines = vec![Line::styled("Customer", theme.header())];
    lines.push(Line::styled(
        fit(
            &format!("  {} ({kind})", sanitize::line(&onb.customer_name())),
            w,
        ),
        theme.bold(),
    ));
    let mut facts: Vec<String> = Vec::new();
    for (label, key) in [
        ("e-mail", "email"),
        ("phone", "phone"),
        ("tax rate ID", "tax_rate_id"),
        ("referred by", "referred_by"),
    ] {
        let v = text(c, key);
        let v = if key == "phone" {
            crate::app::view::phone_display(&v)
        } else {
            v
        };
        if !v.is_empty() {
            facts.push(format!("{label} {}", sanitize::line(&v)));
        }
    }
    let place: Vec<String> = ["address", "city", "state", "zip"]
        .iter()
        .map(|k| text(c, k))
        .filter(|v| !v.is_empty())
        .collect();
    if !place.is_empty() {
        facts.push(sanitize::line(&place.join(", ")));
    }
    if !facts.is_empty() {
        for l in wrap(&facts.join(" · "), w.saturating_sub(2)) {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    let contacts = onb.contacts();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("Contacts: {}", contacts.len()),
        theme.header(),
    ));
    for (i, (_, p)) in contacts.iter().enumerate() {
        let email = text(p, "email");
        let mut t = format!("  {}. {}", i + 1, sanitize::line(&text(p, "name")));
        if !email.is_empty() {
            t.push_str(&format!(" <{}>", sanitize::line(&email)));
        }
        let title = text(p, "title");
        if !title.is_empty() {
            t.push_str(&format!(" · {}", sanitize::line(&title)));
        }
        lines.push(Line::raw(fit(&t, w)));
    }
    lines.push(Line::raw(""));
    for p in &s.problems {
        lines.push(Line::styled(
            fit(&format!("✗ {}", sanitize::line(p)), w),
            theme.error(),
        ));
    }
    if s.checking.is_some() {
        lines.push(Line::styled(
            "Checking the server for duplicates…",
            theme.dim(),
        ));
    }
    if let Some(e) = &s.check_error {
        lines.push(Line::styled(
            fit(&format!("⚠ The server's duplicate check failed: {e}"), w),
            theme.error(),
        ));
    }
    if !s.duplicates.is_empty() {
        lines.push(Line::styled(
            "Possible duplicates (verify before create)",
            theme.header(),
        ));
        for d in &s.duplicates {
            let what = match (d.subject, d.contact_id) {
                (Subject::Customer, _) => format!(
                    "{}: {} (#{}), {}",
                    s.subject_label(d.subject),
                    sanitize::line(&d.name),
                    d.customer_id,
                    d.reason
                ),
                (_, id) => format!(
                    "{}: {} (#{}) of {}, {}",
                    s.subject_label(d.subject),
                    sanitize::line(&d.name),
                    id.unwrap_or_default(),
                    crate::app::audit::name_of(app, d.customer_id),
                    d.reason
                ),
            };
            lines.push(Line::styled(fit(&format!("⚠ {what}"), w), theme.accent()));
        }
    } else if s.checking.is_none() && s.problems.is_empty() {
        let scope = if app.mirror.active {
            "in the whole account (local mirror)"
        } else {
            "among the loaded customers and on the server"
        };
        lines.push(Line::styled(
            fit(&format!("✓ No duplicates found {scope}"), w),
            theme.plain(),
        ));
    }
    // After the duplicates, which matter more: what the house requires and the new customer will lack (it does not stop the create).
    let missing = crate::app::report::state::onboarding_missing(&onb, &app.config.house.required);
    if !missing.is_empty() {
        let hints: Vec<&str> = missing.iter().map(|m| m.hint()).collect();
        for l in wrap(
            &format!(
                "Incomplete for the house ([house.required]): {}",
                hints.join("; ")
            ),
            w,
        ) {
            lines.push(Line::styled(l, theme.dim()));
        }
    }
    if s.problems.is_empty() {
        let n = contacts.len();
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            fit(
                &format!(
                    "Enter creates the customer, then {} in this order.",
                    crate::text::plural(n, "contact")
                ),
                w,
            ),
            theme.dim(),
        ));
    }
    lines
}

fn progress(s: &OnboardScreen, theme: &Theme) -> Vec<Line<'static>> {
    let Some(run) = &s.run else {
        return Vec::new();
    };
    let mut lines = vec![Line::styled(
        format!(
            "Creating {} and its contacts, in order",
            sanitize::line(&s.onboarding().customer_name())
        ),
        theme.bold(),
    )];
    if run.lines.is_empty() {
        lines.push(Line::styled("Writing the journal…", theme.dim()));
    }
    let running = run.running_step();
    for (i, l) in run.lines.iter().enumerate() {
        let (mark, style, extra) = match &l.status {
            CreateStatus::Created { id } => ("✓", theme.plain(), format!(" → #{id}")),
            CreateStatus::Found { id } => (
                "✓",
                theme.plain(),
                format!(" → #{id} (found after the interrupted attempt)"),
            ),
            CreateStatus::Failed { error, .. } => {
                ("✗", theme.error(), format!(": {}", sanitize::line(error)))
            }
            _ if running == Some(i) => ("▸", theme.accent(), String::new()),
            CreateStatus::Sending => ("?", theme.error(), " (sent, no answer yet)".into()),
            CreateStatus::Pending => ("·", theme.dim(), String::new()),
        };
        lines.push(Line::styled(format!("{mark} {}{extra}", l.label), style));
    }
    lines.push(Line::raw(""));
    lines.extend(outcome(run, theme));
    lines
}

fn outcome(run: &RunView, theme: &Theme) -> Vec<Line<'static>> {
    match &run.state {
        RunState::Running => vec![Line::styled(
            format!("{} of {} created…", run.created(), run.lines.len()),
            theme.dim(),
        )],
        RunState::Stopped(e) => vec![
            Line::styled(format!("Stopped: {e}"), theme.error()),
            Line::raw(format!(
                "{} of {} created; what was created stays. r resumes without creating anything twice, e corrects the data, D forgets the onboarding, Esc leaves it for later.",
                run.created(),
                run.lines.len()
            )),
        ],
        RunState::Done { customer_id } => vec![
            Line::styled(
                format!(
                    "Done: customer #{customer_id} with {}. Enter goes to it.",
                    crate::text::plural(run.lines.len().saturating_sub(1), "contact")
                ),
                theme.bold(),
            ),
            Line::raw(
                "Still to do (its Overview and :onboarding list them): deploy the RMM agent, import the inventory, create the contract, set the billing schedule.",
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use crate::ui::tests::render;
    use crossterm::event::KeyCode;

    use crate::app::onboard::tests::{
        add_contact, at_contacts, ch, created, ctrl, failed_at_second_contact, fill, key, reviewed,
        started,
    };
    use crate::app::{Action, App, update};

    fn snap(name: &str, app: &mut App, size: (u16, u16)) {
        update(app, Action::Resize(size.0, size.1));
        insta::assert_snapshot!(format!("onboard_{name}_{}x{}", size.0, size.1), render(app));
    }

    #[test]
    fn onboarding_form_steps() {
        for size in [(100, 30), (80, 24)] {
            let mut app = crate::app::fixtures::app((100, 30));
            ch(&mut app, 'O');
            fill(&mut app, "business_name", "Harbor Dental \u{202E}evil");
            fill(&mut app, "email", "office@harbor");
            ctrl(&mut app, 's');
            snap("customer", &mut app, size);

            ctrl(&mut app, 'u');
            fill(&mut app, "email", "office@harbor.example");
            ctrl(&mut app, 's');
            fill(&mut app, "name", "Sandra Okafor");
            fill(&mut app, "title", "Owner");
            ctrl(&mut app, 's');
            snap("primary", &mut app, size);

            fill(&mut app, "email", "sandra@harbor.example");
            ctrl(&mut app, 's');
            add_contact(
                &mut app,
                'b',
                "Priya \u{1b}[31mShah",
                "billing@harbor.example",
                "Accounts payable",
            );
            ch(&mut app, 'a');
            fill(&mut app, "name", "Tom Reyes");
            fill(&mut app, "title", "Network admin");
            snap("contact_form", &mut app, size);

            ctrl(&mut app, 's');
            snap("contacts", &mut app, size);
        }
    }

    #[test]
    fn onboarding_review_with_duplicates() {
        for size in [(100, 30), (80, 24), (120, 40), (200, 50)] {
            // The fixture's "Acme Plumbing, Inc." and Bob's e-mail.
            let mut app = at_contacts("ACME Plumbing");
            add_contact(&mut app, 't', "Bob B.", "bob@acme.test", "");
            ctrl(&mut app, 's');
            key(&mut app, KeyCode::Char('x'));
            let token = app.stack.onboard().unwrap().checking.unwrap();
            update(
                &mut app,
                Action::Onboard(crate::app::onboard::state::OnboardEvent::Duplicates {
                    token,
                    result: Err("The server did not answer in time".into()),
                }),
            );
            key(&mut app, KeyCode::Enter);
            snap("review", &mut app, size);

            let mut app = reviewed("Harbor Dental");
            snap("review_clean", &mut app, size);
        }
    }

    #[test]
    fn onboarding_progress_failure_and_done() {
        for size in [(100, 30), (80, 24)] {
            let (mut app, _) = started("Harbor Dental");
            let label = app.stack.onboard().unwrap().run.as_ref().unwrap().lines[0]
                .label
                .clone();
            update(&mut app, created(1, 4, &label, 21005555));
            snap("running", &mut app, size);

            let (mut app, _) = failed_at_second_contact("Harbor Dental");
            snap("failed", &mut app, size);
        }
    }
}
