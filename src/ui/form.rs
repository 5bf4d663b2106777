//! The inline form in the detail pane (fields, errors, duplicates, conflicts) and the
//! questions that guard deletes, discards, quitting and drafts.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Theme;
use super::text::{fit, width, wrap};
use crate::app::form::FormUi;
use crate::app::form::{FieldKind, FormState};
use crate::app::{App, Cmd, Mode};
use crate::sanitize;

/// Width of the label column.
const LABEL_W: usize = 15;

/// The form's keys in force (a rebound save key shows as itself), on its bottom border and in
/// the status line.
pub(super) fn footer(app: &App, f: &FormUi) -> String {
    let km = &app.config.keymap;
    let key = |cmd: Cmd| km.key_label(Mode::Form, cmd);
    let save = key(Cmd::FormSave).unwrap_or_else(|| "save key".into());
    if f.form.conflicts.is_empty() {
        let mut parts = vec![format!("{save} save")];
        for (cmd, what) in [
            (Cmd::FormCancel, "cancel"),
            (Cmd::FormNext, "next"),
            (Cmd::FormEditor, "editor"),
            (Cmd::FormRevert, "revert"),
        ] {
            if let Some(k) = key(cmd) {
                parts.push(format!("{k} {what}"));
            }
        }
        format!(" {} ", parts.join(" · "))
    } else {
        let enter = key(Cmd::FormEnter).unwrap_or_else(|| "Enter".into());
        let back = key(Cmd::FormCancel).unwrap_or_else(|| "Esc".into());
        format!(" m mine · t theirs · ↑↓ field · {enter} go on · {back} back ")
    }
}

/// A footer cut to `w` cells at a ` · ` between two keys, never inside one: the keys that go
/// are the last (the least used); the status line still has them all.
pub(super) fn fit_footer(footer: &str, w: usize) -> String {
    if width(footer) <= w {
        return footer.to_string();
    }
    let parts: Vec<&str> = footer.trim().split(" · ").collect();
    for n in (1..parts.len()).rev() {
        let s = format!(" {} ", parts[..n].join(" · "));
        if width(&s) <= w {
            return s;
        }
    }
    String::new()
}

/// Draws the open form over the whole detail pane.
pub fn draw(app: &App, f: &FormUi, frame: &mut Frame, area: Rect, theme: &Theme) {
    let form = &f.form;
    let mut title = vec![Span::styled(
        format!(" {} ", form.target.title()),
        theme.bold(),
    )];
    if !f.subject.is_empty() {
        title.push(Span::styled(format!("· {} ", f.subject), theme.plain()));
    }
    if form.is_dirty() {
        title.push(Span::styled("● ", theme.accent()));
    }
    let km = &app.config.keymap;
    let key = |cmd: Cmd| km.key_label(Mode::Form, cmd);
    let save = key(Cmd::FormSave).unwrap_or_else(|| "save key".into());
    let hint = fit_footer(&footer(app, f), usize::from(area.width.saturating_sub(2)));
    let open = key(Cmd::FormOpenMatch).unwrap_or_else(|| "Ctrl-o".into());
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::from(title))
        .title_bottom(Line::styled(hint, theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 10 {
        return;
    }
    let w = usize::from(inner.width);
    let mut top: Vec<Line> = Vec::new();
    match &form.state {
        FormState::Saving => top.push(Line::styled("Saving…", theme.accent())),
        FormState::Failed(m) => {
            for l in wrap(&sanitize::line(m), w) {
                top.push(Line::styled(l, theme.error()));
            }
        }
        FormState::OutcomeUnknown => top.push(Line::styled(
            fit(
                &format!("The create got no answer: it may exist. {save} looks for it first."),
                w,
            ),
            theme.error(),
        )),
        FormState::Editing => {}
    }
    for e in &form.top_errors {
        for l in wrap(&sanitize::line(e), w) {
            top.push(Line::styled(l, theme.error()));
        }
    }
    if !f.matches.is_empty() {
        top.push(Line::styled(
            fit(
                &format!("Already there? {open} opens the first, {save} saves anyway:"),
                w,
            ),
            theme.header(),
        ));
        for m in f.matches.iter().take(4) {
            top.push(Line::raw(fit(&format!("  {} ({})", m.label, m.reason), w)));
        }
        if f.matches.len() > 4 {
            top.push(Line::styled(
                format!("  and {} more", f.matches.len() - 4),
                theme.dim(),
            ));
        }
    }
    // What the house requires and the profile lacks, as typed (not blocking).
    let missing = form_missing(app, f);
    if !missing.is_empty() {
        let labels: Vec<&str> = missing.iter().map(|m| m.label()).collect();
        let mut text = format!("Incomplete for the house: no {}", labels.join(", no "));
        if form.target.is_create()
            && missing.iter().any(|m| {
                matches!(
                    m,
                    crate::house::Missing::BillingContact | crate::house::Missing::DecisionMaker
                )
            })
        {
            text.push_str(" (contacts: add them once it is saved)");
        }
        for l in wrap(&text, w) {
            top.push(Line::styled(l, theme.dim()));
        }
    }
    // Messages take at most half the pane; the fields get the rest.
    top.truncate(usize::from(inner.height / 2));
    let top_h = top.len() as u16;
    frame.render_widget(
        Paragraph::new(top),
        Rect::new(inner.x, inner.y, inner.width, top_h),
    );
    let body = Rect::new(inner.x, inner.y + top_h, inner.width, inner.height - top_h);
    if form.conflicts.is_empty() {
        fields(app, f, frame, body, theme);
    } else {
        conflicts(f, frame, body, theme);
    }
}

/// What the customer in the form lacks of `[house.required]`, with its contacts as the list
/// holds them.
fn form_missing(app: &App, f: &FormUi) -> Vec<crate::house::Missing> {
    let contacts = match f.form.target {
        crate::domain::FormTarget::EditCustomer { id } => app
            .list
            .index
            .get(&id)
            .map(|&i| app.list.rows[i].customer().contacts)
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    f.form.missing(&contacts, &app.config.house.required)
}

fn fields(app: &App, f: &FormUi, frame: &mut Frame, area: Rect, theme: &Theme) {
    let form = &f.form;
    let w = usize::from(area.width);
    let cols = FieldCols::new(w);
    // One line per field, plus one under each field with an error.
    let mut lines: Vec<(Line, Option<usize>)> = Vec::new();
    for (i, fld) in form.fields.iter().enumerate() {
        let look = FieldLook {
            label: &fld.label,
            pick: matches!(
                fld.kind,
                FieldKind::CustomerType | FieldKind::Roles | FieldKind::CustomerRef
            ),
            mark_changed: fld.is_changed(),
            shown: customer_ref(app, fld, i == form.focus),
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
        if fld.key == "business_name"
            && let Some(s) = form.name_suggestion(&app.config.house.names)
        {
            let key = app
                .config
                .keymap
                .key_label(Mode::Form, Cmd::FormApplyName)
                .map(|k| format!(" · {k} takes it"))
                .unwrap_or_default();
            let text = format!("House style: {}{key} ({})", s.fixed, s.reasons.join("; "));
            for l in note_lines(&text, cols, w, theme.accent()) {
                lines.push((l, None));
            }
        }
    }
    let note = form.target.not_writable();
    if !note.is_empty() {
        lines.push((Line::default(), None));
        for l in wrap(note, w.saturating_sub(2)) {
            lines.push((Line::styled(format!("  {l}"), theme.dim()), None));
        }
    }
    let typing = app.mode() == Mode::Form
        && !matches!(
            form.focused().kind,
            FieldKind::CustomerType | FieldKind::Roles | FieldKind::CustomerRef
        )
        && f.pending.is_none();
    show_fields(frame, area, form, lines, cols, typing);
}

/// The widths of a form's label and value columns in a pane `w` wide.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldCols {
    pub label: usize,
    pub value: usize,
}

impl FieldCols {
    pub(crate) fn new(w: usize) -> FieldCols {
        let label = LABEL_W.min(w / 3);
        FieldCols {
            label,
            value: w.saturating_sub(label + 4).max(1),
        }
    }
}

/// How a field is labelled and shown.
pub(crate) struct FieldLook<'a> {
    pub label: &'a str,
    /// A pick list (`‹ Business ›`): no text cursor.
    pub pick: bool,
    /// The `●` of a changed field.
    pub mark_changed: bool,
    /// What to show instead of the value (a customer's name for its ID).
    pub shown: Option<String>,
}

/// A field that holds a customer's ID, shown by the customer's name as the list has it:
/// `‹ Acme Dental LLC (#21000001) ›`, with its keys when focused.
pub(crate) fn customer_ref(
    app: &App,
    fld: &crate::app::form::Field,
    focused: bool,
) -> Option<String> {
    if fld.kind != FieldKind::CustomerRef {
        return None;
    }
    let v = fld.value().trim();
    let name = if v.is_empty() {
        "none".to_string()
    } else {
        match v
            .parse::<u64>()
            .ok()
            .and_then(|id| app.list.index.get(&id).map(|&i| (id, i)))
        {
            Some((id, i)) => format!("{} (#{id})", app.list.rows[i].view.name()),
            None => format!("customer #{}", sanitize::line(v)),
        }
    };
    Some(if focused {
        format!("‹ {name} ›  type to search, Backspace clears")
    } else {
        format!("‹ {name} ›")
    })
}

/// One field's line: change marker, label, and the value scrolled to the cursor when focused.
pub(crate) fn field_line(
    fld: &crate::app::form::Field,
    look: &FieldLook<'_>,
    focused: bool,
    cols: FieldCols,
    theme: &Theme,
) -> Line<'static> {
    let (label_w, value_w) = (cols.label, cols.value);
    let label_style = if fld.error.is_some() {
        theme.error()
    } else if focused {
        theme.bold()
    } else {
        theme.label()
    };
    let shown = if let Some(s) = &look.shown {
        s.clone()
    } else if fld.kind == FieldKind::Roles {
        let value = if fld.value().is_empty() {
            "none"
        } else {
            fld.value()
        };
        if focused {
            format!("‹ {value} ›  d a t b o toggle")
        } else {
            format!("‹ {value} ›")
        }
    } else if look.pick {
        format!("‹ {} ›", fld.value())
    } else if fld.kind == FieldKind::Multiline {
        sanitize::line(&fld.value().replace('\n', "⏎"))
    } else {
        sanitize::line(fld.value())
    };
    let scroll = if focused && !look.pick {
        fld.input.visual_scroll(value_w)
    } else {
        0
    };
    let visible: String = skip_cols(&shown, scroll);
    let value_style = if focused {
        theme.selected()
    } else {
        theme.plain()
    };
    let marker = if look.mark_changed { "● " } else { "  " };
    Line::from(vec![
        Span::styled(marker, theme.accent()),
        Span::styled(
            format!("{:<label_w$}", fit(look.label, label_w)),
            label_style,
        ),
        Span::raw("  "),
        Span::styled(format!("{:<value_w$}", fit(&visible, value_w)), value_style),
    ])
}

/// The lines under a field with an error: wrapped under the value, so that a long message
/// (the tax rate ID's, which says where to find it) is read whole.
pub(crate) fn error_lines(e: &str, cols: FieldCols, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    note_lines(e, cols, w, theme.error())
}

/// A note under a field (an error, a hint), wrapped in the value column after `↳`.
pub(crate) fn note_lines(
    text: &str,
    cols: FieldCols,
    w: usize,
    style: ratatui::style::Style,
) -> Vec<Line<'static>> {
    let indent = cols.label + 4;
    let body = w.saturating_sub(indent).max(10);
    wrap(&sanitize::line(text), body)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 { "↳ " } else { "  " };
            Line::styled(
                fit(&format!("{}{lead}{l}", " ".repeat(cols.label + 2)), w),
                style,
            )
        })
        .collect()
}

/// Draws the field lines (each tagged with its field's index, if any) scrolled so that the
/// focused field and its error are on screen, and puts the terminal cursor in the focused
/// field when the technician is `typing` into it.
pub(crate) fn show_fields(
    frame: &mut Frame,
    area: Rect,
    form: &crate::app::form::Form,
    lines: Vec<(Line<'static>, Option<usize>)>,
    cols: FieldCols,
    typing: bool,
) {
    let h = usize::from(area.height);
    let focus_line = lines
        .iter()
        .position(|(_, i)| *i == Some(form.focus))
        .unwrap_or(0);
    // Keep the focused field (and its error or hint lines, untagged up to a blank line or the
    // next field) on screen.
    let under = lines[(focus_line + 1).min(lines.len())..]
        .iter()
        .take_while(|(l, i)| i.is_none() && !l.spans.is_empty())
        .count();
    let last = focus_line + under;
    let offset = (last + 1).saturating_sub(h).min(focus_line);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(h)
        .map(|(l, _)| l)
        .collect();
    frame.render_widget(Paragraph::new(shown), area);
    if typing {
        let fld = form.focused();
        let cur = fld.input.visual_cursor() - fld.input.visual_scroll(cols.value);
        let x = area.x + (2 + cols.label + 2 + cur.min(cols.value - 1)) as u16;
        let y = area.y + (focus_line - offset) as u16;
        if y < area.y + area.height {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

/// The text of `s` from display column `cols` on.
fn skip_cols(s: &str, cols: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for ch in s.chars() {
        if used >= cols {
            out.push(ch);
        } else {
            used += width(ch.encode_utf8(&mut [0; 4]));
        }
    }
    out
}

fn conflicts(f: &FormUi, frame: &mut Frame, area: Rect, theme: &Theme) {
    let form = &f.form;
    let w = usize::from(area.width);
    let mut lines: Vec<Line> = wrap(
        "Changed on the server since you opened the form. Choose per field:",
        w,
    )
    .into_iter()
    .map(|l| Line::styled(l, theme.header()))
    .collect();
    let mut focus_line = 0;
    for (i, c) in form.conflicts.iter().enumerate() {
        let focused = i == form.conflict_focus;
        if focused {
            focus_line = lines.len();
        }
        let style = if focused { theme.bold() } else { theme.label() };
        lines.push(Line::styled(
            fit(
                &format!("{} {}", if focused { "▶" } else { " " }, c.label),
                w,
            ),
            style,
        ));
        let choice = |mine: bool| {
            let on = c.keep_mine == mine;
            let (mark, style) = if on {
                ("(●)", theme.accent())
            } else {
                ("( )", theme.dim())
            };
            let (who, v) = if mine {
                ("mine  ", &c.mine)
            } else {
                ("theirs", &c.theirs)
            };
            Line::from(vec![
                Span::styled(format!("   {mark} {who} "), style),
                Span::raw(fit(
                    &sanitize::line(&v.replace('\n', "⏎")),
                    w.saturating_sub(14),
                )),
            ])
        };
        lines.push(choice(true));
        lines.push(choice(false));
    }
    let after = lines.len();
    lines.extend(
        wrap(
            "Fields you did not change are not sent: a colleague's edits to them stay.",
            w,
        )
        .into_iter()
        .map(|l| Line::styled(l, theme.dim())),
    );
    let h = usize::from(area.height);
    // The focused field and its two choices on screen; the closing note when there is room.
    let offset = (focus_line + 3).saturating_sub(h).min(after);
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(h).collect();
    frame.render_widget(Paragraph::new(shown), area);
}

#[cfg(test)]
mod tests {
    use crate::ui::tests::render;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use serde_json::json;

    use crate::app::keymap::map_key;
    use crate::app::{Action, App, Effect, fixtures, update};
    use crate::domain::Record;

    const SIZES: [(u16, u16); 4] = [(100, 30), (80, 24), (120, 40), (200, 50)];

    fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        match map_key(app.mode(), &KeyEvent::new(code, mods)) {
            Some(a) => update(app, a),
            None => Vec::new(),
        }
    }

    fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
        key(app, code, KeyModifiers::NONE)
    }

    fn typed(app: &mut App, s: &str) {
        for c in s.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    fn snap(name: &str, build: impl Fn((u16, u16)) -> App) {
        for size in SIZES {
            let app = build(size);
            insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), render(&app));
        }
    }

    /// The Contacts tab of the first customer (Acme), detail focused.
    fn contacts(size: (u16, u16)) -> App {
        let mut app = fixtures::app(size);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('2'));
        app
    }

    #[test]
    fn customer_form() {
        snap("customer_form", |size| {
            let mut app = fixtures::app(size);
            press(&mut app, KeyCode::Char('e'));
            // Change the city: the field is marked.
            for _ in 0..9 {
                press(&mut app, KeyCode::Tab);
            }
            key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
            typed(&mut app, "Shelbyville");
            app
        });
    }

    #[test]
    fn contact_form_with_errors() {
        snap("contact_form_errors", |size| {
            let mut app = contacts(size);
            press(&mut app, KeyCode::Char('n'));
            // Name, roles, title: to the e-mail.
            press(&mut app, KeyCode::Tab);
            press(&mut app, KeyCode::Tab);
            press(&mut app, KeyCode::Tab);
            typed(&mut app, "jane@@example");
            press(&mut app, KeyCode::Tab);
            typed(&mut app, "555-CALL-NOW");
            key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
            app
        });
    }

    #[test]
    fn conflict_view() {
        snap("conflict_view", |size| {
            let mut app = contacts(size);
            press(&mut app, KeyCode::Char('e'));
            // Past the roles to the job title.
            press(&mut app, KeyCode::Down);
            press(&mut app, KeyCode::Down);
            key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
            typed(&mut app, "CEO");
            press(&mut app, KeyCode::Tab);
            press(&mut app, KeyCode::Tab);
            typed(&mut app, " x9");
            let fx = key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
            let Some(Effect::Reread { token, .. }) = fx.first() else {
                panic!("{fx:?}");
            };
            let i = app.list.index[&21000001];
            let mut theirs = app.list.rows[i].customer().contacts[0].clone();
            theirs.properties.insert("title".into(), json!("President"));
            theirs.phone = Some("555.123.0000".into());
            update(
                &mut app,
                Action::FormReread {
                    token: *token,
                    result: Ok(Record::Contact(theirs)),
                },
            );
            press(&mut app, KeyCode::Down);
            press(&mut app, KeyCode::Char('t'));
            app
        });
    }

    #[test]
    fn delete_contact_question() {
        snap("delete_contact", |size| {
            let mut app = contacts(size);
            press(&mut app, KeyCode::Char('d'));
            app
        });
    }

    #[test]
    fn delete_customer_question() {
        snap("delete_customer", |size| {
            let mut app = fixtures::app(size);
            press(&mut app, KeyCode::Char('D'));
            typed(&mut app, "Acme Plu");
            app
        });
    }

    #[test]
    fn duplicates_before_create() {
        snap("duplicates", |size| {
            let mut app = contacts(size);
            press(&mut app, KeyCode::Char('n'));
            typed(&mut app, "Bob Builder");
            let fx = key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
            let Some(Effect::Lookup { token, .. }) = fx.first() else {
                panic!("{fx:?}");
            };
            update(
                &mut app,
                Action::FormLookup {
                    token: *token,
                    result: Ok(vec![]),
                },
            );
            app
        });
    }

    #[test]
    fn restore_draft_question() {
        snap("restore_draft", |size| {
            let mut app = contacts(size);
            press(&mut app, KeyCode::Char('e'));
            typed(&mut app, "!");
            let draft = crate::app::forms::unsaved_draft(&app).unwrap();
            let mut fresh = fixtures::app(size);
            update(&mut fresh, Action::DraftsLoaded(vec![draft]));
            fresh
        });
    }

    #[test]
    fn tiny_terminals_do_not_panic() {
        for w in [1u16, 5, 20, 30, 45, 80] {
            for h in [1u16, 3, 5, 8, 12, 24] {
                let mut app = contacts((80, 24));
                press(&mut app, KeyCode::Char('e'));
                key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
                update(&mut app, Action::Resize(w, h));
                render(&app);
                press(&mut app, KeyCode::Esc);
                render(&app);
            }
        }
    }
}
