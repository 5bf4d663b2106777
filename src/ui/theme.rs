//! Colours and modifiers. The terminal's own foreground and background are used everywhere;
//! a few accents mark focus, errors and badges. With `NO_COLOR` only modifiers remain (bold,
//! reversed, dim, underline), which read well on any background.

use ratatui::style::{Color, Modifier, Style};

pub use crate::config::colors::ROLES;

/// The styles the view uses.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
    accent: Color,
    error: Color,
    demo: Color,
    read_only: Color,
    badge_text: Color,
    /// Dim text and unfocused borders: the DIM modifier unless a colour is set.
    muted: Option<Color>,
    /// The selected row's background: reversed video unless a colour is set.
    selection_bg: Option<Color>,
}

impl Theme {
    /// `color` false honours `NO_COLOR`; `light` picks accents that read on a light background.
    pub fn new(color: bool, light: bool) -> Theme {
        Theme {
            color,
            accent: if light { Color::Blue } else { Color::Cyan },
            error: Color::Red,
            demo: Color::Yellow,
            read_only: Color::Magenta,
            badge_text: Color::Black,
            muted: None,
            selection_bg: None,
        }
    }

    /// The theme with the config file's colours (role -> colour) applied. Returns the roles
    /// it does not know, for a warning. With `NO_COLOR` the overrides are ignored too.
    pub fn with_overrides(
        mut self,
        colors: &std::collections::BTreeMap<String, Color>,
    ) -> (Theme, Vec<String>) {
        let mut unknown = Vec::new();
        for (role, &c) in colors {
            match role.as_str() {
                "accent" => self.accent = c,
                "error" => self.error = c,
                "demo_badge" => self.demo = c,
                "read_only_badge" => self.read_only = c,
                "badge_text" => self.badge_text = c,
                "muted" => self.muted = Some(c),
                "selection_bg" => self.selection_bg = Some(c),
                _ => unknown.push(role.clone()),
            }
        }
        (self, unknown)
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn plain(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        match self.muted {
            Some(c) if self.color => Style::new().fg(c),
            _ => Style::new().add_modifier(Modifier::DIM),
        }
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub fn focus_border(&self) -> Style {
        self.fg(self.accent)
    }

    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The selected row of the focused pane.
    pub fn selected(&self) -> Style {
        match self.selection_bg {
            Some(c) if self.color => Style::new().bg(c).add_modifier(Modifier::BOLD),
            _ => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// The selected row of a pane without focus.
    pub fn selected_unfocused(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn error(&self) -> Style {
        self.fg(self.error).add_modifier(Modifier::BOLD)
    }

    pub fn label(&self) -> Style {
        self.fg(self.accent)
    }

    pub fn badge(&self, bg: Color) -> Style {
        if self.color {
            Style::new()
                .fg(self.badge_text)
                .bg(bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn demo_badge(&self) -> Style {
        self.badge(self.demo)
    }

    pub fn read_only_badge(&self) -> Style {
        self.badge(self.read_only)
    }

    pub fn disabled(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM | Modifier::ITALIC)
    }
}
