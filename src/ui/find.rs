//! The find-anywhere popup: a search field over the whole account (the mirror) and its ranked
//! results, customers and contacts.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Theme;
use super::text::{cell, fit, width};
use crate::app::App;
use crate::app::find as finder;
use crate::app::mirror::state::{FindPopup, FindRow};
use crate::mirror::MatchKind;
use crate::sanitize;

fn kind_label(k: MatchKind) -> &'static str {
    match k {
        MatchKind::Exact => "exact",
        MatchKind::Prefix | MatchKind::WordPrefix => "prefix",
        MatchKind::Substring => "inside",
        MatchKind::Fuzzy => "fuzzy",
    }
}

/// One line of four columns: name, customer, matched field, match kind.
fn columns(parts: [&str; 4], w: usize) -> String {
    let kind_w = 7;
    let rest = w.saturating_sub(kind_w + 3);
    let name_w = (rest * 3 / 10).max(10).min(rest);
    let customer_w = (rest * 3 / 10).min(rest - name_w);
    let matched_w = rest - name_w - customer_w;
    format!(
        "{} {} {} {}",
        cell(parts[0], name_w),
        cell(parts[1], customer_w),
        cell(parts[2], matched_w),
        cell(parts[3], kind_w)
    )
}

fn row_text(r: &FindRow, w: usize) -> String {
    let customer = if r.customer.is_empty() {
        "(customer)".to_string()
    } else {
        format!("↳ {}", r.customer)
    };
    columns([&r.name, &customer, &r.matched, kind_label(r.kind)], w)
}

/// The find popup's keys, on its bottom border and in the status line.
pub(super) const FOOTER: &str = " Enter go to · ↑↓ move · Esc close ";

pub fn draw(app: &App, f: &FindPopup, frame: &mut Frame, theme: &Theme) {
    let size = frame.area();
    let area = finder::area((size.width, size.height));
    super::overlay::clear(frame, area);
    let count = if f.input.value().trim().is_empty() {
        String::new()
    } else if f.total > f.rows.len() {
        format!(" {} of {} ", f.rows.len(), f.total)
    } else {
        format!(" {} ", f.total)
    };
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.focus_border())
        .title(Line::from(vec![
            Span::styled(
                if f.contacts_only {
                    " Find contacts "
                } else {
                    " Find anywhere "
                },
                theme.bold(),
            ),
            Span::styled(count, theme.dim()),
        ]))
        .title_bottom(Line::styled(FOOTER, theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let w = usize::from(inner.width);
    let prompt = "› ";
    let field_w = w.saturating_sub(prompt.len());
    let scroll = f.input.visual_scroll(field_w.max(1));
    let visible: String = sanitize::line(f.input.value())
        .chars()
        .skip(scroll)
        .collect();
    let mut lines = vec![Line::from(vec![
        Span::styled(prompt, theme.accent()),
        Span::raw(fit(&visible, field_w)),
    ])];
    let cursor_x = f.input.visual_cursor().saturating_sub(scroll) + width(prompt);
    frame.set_cursor_position((
        inner.x + (cursor_x as u16).min(inner.width.saturating_sub(1)),
        inner.y,
    ));
    lines.push(Line::styled(
        columns(["Name", "Customer", "Matched", "Match"], w),
        theme.header(),
    ));
    if f.rows.is_empty() {
        let text = if app.mirror.find_searcher.is_none() {
            "Building the account index…"
        } else if f.input.value().trim().is_empty() {
            "Type a name, e-mail, phone or title."
        } else {
            "Nothing matches."
        };
        lines.push(Line::styled(format!(" {text}"), theme.dim()));
    }
    let vp = usize::from(inner.height.saturating_sub(2));
    for (k, r) in f.rows.iter().enumerate().skip(f.offset).take(vp) {
        let style = if k == f.cursor {
            theme.selected()
        } else {
            theme.plain()
        };
        lines.push(Line::styled(row_text(r, w), style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use crate::ui::tests::render;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::keymap::map_key;
    use crate::app::{App, update};

    fn typed(app: &mut App, s: &str) {
        for c in s.chars() {
            if let Some(a) = map_key(
                app.mode(),
                &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            ) {
                update(app, a);
            }
        }
    }

    #[test]
    fn find_anywhere_popup() {
        for size in [(100, 30), (80, 24)] {
            let mut app = crate::app::mirror::tests::loaded();
            update(&mut app, crate::app::Action::Resize(size.0, size.1));
            typed(&mut app, "F");
            insta::assert_snapshot!(format!("find_empty_{}x{}", size.0, size.1), render(&app));
            typed(&mut app, "acme");
            insta::assert_snapshot!(format!("find_acme_{}x{}", size.0, size.1), render(&app));
        }
    }
}
