//! The view: `draw(&App, &mut Frame)`. Reads state, writes nothing else.
//!
//! Every string drawn here was sanitised when it became view data (`app::view`); the UI only
//! lays it out. Only the rows on screen are built, whatever the list's length.

mod audit;
mod bulk;
mod contact_merge;
mod contacts;
mod detail;
mod find;
mod followup;
mod form;
pub mod links;
mod list;
mod log;
mod merge;
mod onboard;
mod overlay;
mod palette;
mod pick;
mod report;
mod status;
pub use crate::text;
pub mod theme;

#[cfg(test)]
pub(crate) mod tests;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::{App, Pane, Screen, layout};
pub use theme::Theme;

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let (theme, _) =
        Theme::new(app.config.color, app.config.light).with_overrides(&app.config.colors);
    let area = frame.area();
    if area.width < 20 || area.height < 5 {
        frame.render_widget(ratatui::widgets::Paragraph::new("Terminal too small"), area);
        return;
    }
    let screen = layout::screen(area);
    if app.pane == Pane::Contacts {
        contacts::draw_list(app, frame, screen.list, &theme);
        if app.stack.form().is_some() {
            detail::draw(app, frame, screen.detail, &theme);
        } else {
            contacts::draw_detail(app, frame, screen.detail, &theme);
        }
    } else {
        list::draw(app, frame, screen.list, &theme);
        detail::draw(app, frame, screen.detail, &theme);
    }
    // The screens over the panes, bottom first, from the last one that fills the screen.
    for layer in app.stack.visible() {
        match &layer.screen {
            // Drawn in the panes: the search line in the list, the form in the detail.
            Screen::Search | Screen::Form(_) => {}
            Screen::Help(h) => overlay::help(app, h, frame, &theme),
            Screen::Dialog(d) => overlay::dialog(d, frame, &theme),
            Screen::Find(f) => find::draw(app, f, frame, &theme),
            Screen::Audit(v) => audit::draw(app, v, frame, &theme),
            Screen::Merge(m) => merge::draw(m, frame, &theme),
            Screen::Palette => palette::prompt(app, frame, &theme),
            Screen::Results(r) => palette::results(r, frame, &theme),
            Screen::Onboard(o) => onboard::draw(app, o, frame, &theme),
            Screen::Pick(p) => pick::draw(app, p, frame, &theme),
            Screen::ContactMerge(m) => contact_merge::draw(m, frame, &theme),
            Screen::Bulk(b) => bulk::draw(app, b, frame, &theme),
            Screen::Log(v) => log::draw(app, v, frame, &theme),
            Screen::Report(r) => report::draw(app, r, frame, &theme),
            Screen::Followups(v) => followup::draw(app, v, frame, &theme),
        }
    }
    // Last, as a long message takes the lines above it; the palette's prompt is the status
    // line while it is open.
    if !matches!(app.stack.top(), Some(Screen::Palette)) {
        status::draw(app, frame, area, &theme);
    }
}

/// A bordered block whose border shows whether it has focus.
fn pane<'a>(
    title: ratatui::text::Line<'a>,
    focused: bool,
    theme: &Theme,
) -> ratatui::widgets::Block<'a> {
    use ratatui::widgets::{Block, BorderType};
    let b = Block::bordered().title(title);
    if focused {
        b.border_type(BorderType::Thick)
            .border_style(theme.focus_border())
    } else {
        b.border_style(theme.dim())
    }
}

/// A pane's title as parts that give way when it is too long for its border: each part has a
/// rank, and the higher the rank, the sooner the part goes. No part is ever cut.
#[derive(Default)]
struct TitleParts(Vec<(String, ratatui::style::Style, u8)>);

impl TitleParts {
    fn push(&mut self, text: impl Into<String>, style: ratatui::style::Style, rank: u8) {
        self.0.push((text.into(), style, rank));
    }

    fn width(&self) -> usize {
        self.0.iter().map(|(t, _, _)| text::width(t)).sum()
    }

    /// Drops the parts of `rank` if the title is wider than `w`.
    fn drop_over(&mut self, w: usize, rank: u8) {
        if self.width() > w {
            self.0.retain(|(_, _, r)| *r != rank);
        }
    }

    /// Rewrites the first part of `rank` with `shorter` if the title is wider than `w`.
    fn shorten_over(&mut self, w: usize, rank: u8, shorter: impl FnOnce(&str) -> String) {
        if self.width() > w
            && let Some(part) = self.0.iter_mut().find(|(_, _, r)| *r == rank)
        {
            part.0 = shorter(&part.0);
        }
    }

    fn line(self) -> ratatui::text::Line<'static> {
        ratatui::text::Line::from(
            self.0
                .into_iter()
                .map(|(t, style, _)| ratatui::text::Span::styled(t, style))
                .collect::<Vec<_>>(),
        )
    }
}

fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}
