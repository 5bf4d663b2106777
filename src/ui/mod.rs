//! The view: `draw(&App, &mut Frame)`. Reads state, writes nothing else.
//!
//! Every string drawn here was sanitised when it became view data (`app::view`); the UI only
//! lays it out. Only the rows on screen are built, whatever the list's length.

mod audit;
mod detail;
mod find;
mod form;
mod list;
mod merge;
mod onboard;
mod overlay;
mod palette;
mod status;
pub use crate::text;
pub mod theme;

#[cfg(test)]
pub(crate) mod tests;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::{App, Mode, layout};
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
    list::draw(app, frame, screen.list, &theme);
    detail::draw(app, frame, screen.detail, &theme);
    status::draw(app, frame, screen.status, &theme);
    match app.mode {
        Mode::Help => {
            // The screen the help was opened from stays visible around it.
            match app.help_return {
                Mode::Audit => audit::draw(app, frame, &theme),
                Mode::Merge => merge::draw(app, frame, &theme),
                Mode::Onboard => onboard::draw(app, frame, &theme),
                _ => {}
            }
            overlay::help(app, frame, &theme)
        }
        Mode::Modal => overlay::modal(app, frame, &theme),
        Mode::Find => find::draw(app, frame, &theme),
        Mode::Audit => audit::draw(app, frame, &theme),
        Mode::Merge => merge::draw(app, frame, &theme),
        Mode::Palette => palette::prompt(app, frame, &theme),
        Mode::Results => palette::results(app, frame, &theme),
        Mode::Confirm => form::confirm(app, frame, &theme),
        Mode::Onboard | Mode::OnboardForm => onboard::draw(app, frame, &theme),
        Mode::Normal | Mode::Search | Mode::Form => {}
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

fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}
