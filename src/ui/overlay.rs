//! Overlays drawn over the panes: the help and dialogs (questions and messages).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::Theme;
use super::text::{cell, fit, width};
use crate::app::dialog::{Dialog, Tone};
use crate::app::help::{HelpLine, screen_lines};
use crate::app::stack::HelpView;
use crate::app::{App, layout};

/// The help overlay's keys, on its bottom border and in the status line.
pub(super) const HELP_FOOTER: &str = " j/k scroll · Esc close ";

pub fn help(app: &App, view: &HelpView, frame: &mut Frame, theme: &Theme) {
    let area = layout::help_area(size_of(frame));
    clear(frame, area);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::styled(" Help ", theme.bold()))
        .title_bottom(Line::styled(HELP_FOOTER, theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let keys_w = crate::app::help::keys_width(w);
    let lines: Vec<Line> = screen_lines(&app.config, w)
        .into_iter()
        .skip(view.scroll)
        .take(usize::from(inner.height))
        .map(|l| match l {
            HelpLine::Heading(h) => Line::styled(h, theme.header()),
            HelpLine::Entry { keys, .. } if width(&keys) > keys_w => Line::styled(
                format!("  {}", fit(&keys, w.saturating_sub(2))),
                theme.accent(),
            ),
            HelpLine::Entry { keys, text } => Line::from(vec![
                Span::styled(format!("  {} ", cell(&keys, keys_w)), theme.accent()),
                Span::raw(text),
            ]),
            HelpLine::Text(t) => Line::raw(fit(&t, w)),
            HelpLine::Blank => Line::raw(""),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A dialog: its text, the name to type when it asks for one, and its answers as buttons, the
/// highlighted one being what Enter does.
pub fn dialog(d: &Dialog, frame: &mut Frame, theme: &Theme) {
    let size = size_of(frame);
    let probe = layout::modal_area(size, 0);
    let text_w = usize::from(probe.width.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for p in &d.body {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.extend(super::text::wrap(p, text_w).into_iter().map(Line::raw));
    }
    if let Some(t) = &d.typed {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("> ", theme.accent()),
            Span::raw(fit(
                &crate::sanitize::line(t.input.value()),
                text_w.saturating_sub(3),
            )),
            Span::styled("▏", theme.accent()),
        ]));
    }
    lines.push(Line::raw(""));
    // The buttons, wrapped onto more lines when they do not fit side by side.
    let lit = d.highlighted();
    let mut row: Vec<Span> = Vec::new();
    let mut used = 0;
    for c in &d.choices {
        // In a dialog that wants a name typed, letters are text: none is shown.
        let letter = match d.typed {
            Some(_) => String::new(),
            None => d.letter(c).map(|k| format!(" ({k})")).unwrap_or_default(),
        };
        let on = lit.is_some_and(|l| l == c);
        let text = if on {
            format!("[ {}{letter} ]", c.label)
        } else {
            format!("  {}{letter}  ", c.label)
        };
        let w = super::text::width(&text) + 2;
        if used > 0 && used + w > text_w {
            lines.push(Line::from(std::mem::take(&mut row)));
            used = 0;
        }
        row.push(Span::styled(
            text,
            if on { theme.selected() } else { theme.dim() },
        ));
        row.push(Span::raw("  "));
        used += w;
    }
    if !row.is_empty() {
        lines.push(Line::from(row));
    }
    let area = layout::modal_area(size, lines.len() as u16);
    clear(frame, area);
    let (border, title_style) = match d.tone {
        Tone::Info => (theme.focus_border(), theme.bold()),
        Tone::Danger => (theme.error(), theme.bold()),
        Tone::Error => (theme.error(), theme.error()),
    };
    let hint = dialog_hint(d);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(border)
        .title(Line::styled(format!(" {} ", d.title), title_style))
        .title_bottom(Line::styled(
            super::form::fit_footer(&hint, usize::from(area.width.saturating_sub(2))),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let inner = ratatui::layout::Rect::new(
        inner.x + 1,
        inner.y + 1.min(inner.height),
        inner.width.saturating_sub(2),
        inner.height.saturating_sub(1),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A dialog's keys, on its bottom border and in the status line: what Enter does (the
/// highlighted choice), how to choose, what Esc answers.
pub(super) fn dialog_hint(d: &Dialog) -> String {
    let lit = d.highlighted();
    let cancel = d
        .choices
        .iter()
        .find(|c| c.answer == d.cancel)
        .map_or_else(|| "close".into(), |c| lower_first(&c.label));
    match (lit, &d.typed) {
        (None, Some(_)) => format!(" type the name, then Enter · Esc {cancel} "),
        (Some(c), Some(_)) => format!(" Enter {} · Esc {cancel} ", lower_first(&c.label)),
        (Some(c), None) if d.choices.len() > 1 && c.answer == d.cancel => {
            format!(" Enter or Esc {} · ←→ choose ", lower_first(&c.label))
        }
        (Some(c), None) if d.choices.len() > 1 => format!(
            " Enter {} · ←→ choose · Esc {cancel} ",
            lower_first(&c.label)
        ),
        (Some(c), None) => format!(" Enter {} ", lower_first(&c.label)),
        (None, None) => format!(" Esc {cancel} "),
    }
}

/// "Restore it" as it reads inside a sentence ("Enter restore it"); "OK" stays "OK".
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if !b.is_uppercase() => {
            a.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_string(),
    }
}

fn size_of(frame: &Frame) -> (u16, u16) {
    let a = frame.area();
    (a.width, a.height)
}

/// Clears an overlay's area, including the wide characters (CJK, emoji) that start just left
/// of it and would otherwise spill their second half over the overlay's border.
pub(super) fn clear(frame: &mut Frame, area: ratatui::layout::Rect) {
    if area.x > 0 {
        let buf = frame.buffer_mut();
        for y in area.y..area.y + area.height {
            if let Some(cell) = buf.cell_mut((area.x - 1, y))
                && unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1
            {
                cell.set_symbol(" ");
            }
        }
    }
    frame.render_widget(Clear, area);
}
