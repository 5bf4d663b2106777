//! Colour strings of the config file (`"cyan"`, `"#ff8800"`, `"#f80"`, `"244"`) to ratatui colours.

use std::str::FromStr;

use ratatui::style::Color;

/// The colour roles of the `[colors]` table of the config file.
pub const ROLES: [&str; 5] = [
    "accent",
    "error",
    "demo_badge",
    "read_only_badge",
    "badge_text",
];

/// Parses a colour: a name (`red`, `light-blue`, `dark-gray`, `reset`/`default`), `#rrggbb`,
/// `#rgb`, or a 256-colour palette index (`0`..`255`).
pub fn parse_color(text: &str) -> Result<Color, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("default") || t.eq_ignore_ascii_case("none") {
        return Ok(Color::Reset);
    }
    if let Some(hex) = t.strip_prefix('#')
        && hex.len() == 3
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        let d = |i: usize| {
            u8::from_str_radix(&hex[i..=i], 16)
                .map(|v| v * 17)
                .unwrap_or(0)
        };
        return Ok(Color::Rgb(d(0), d(1), d(2)));
    }
    Color::from_str(t).map_err(|_| {
        format!("`{t}` is not a colour (use a name such as cyan or light-blue, #rrggbb, or 0-255)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hex_and_indexes() {
        assert_eq!(parse_color("cyan"), Ok(Color::Cyan));
        assert_eq!(parse_color(" Light-Blue "), Ok(Color::LightBlue));
        assert_eq!(parse_color("dark-grey"), Ok(Color::DarkGray));
        assert_eq!(parse_color("#ff8800"), Ok(Color::Rgb(255, 136, 0)));
        assert_eq!(parse_color("#F80"), Ok(Color::Rgb(255, 136, 0)));
        assert_eq!(parse_color("244"), Ok(Color::Indexed(244)));
        assert_eq!(parse_color("default"), Ok(Color::Reset));
        assert!(parse_color("256").is_err());
        assert!(parse_color("#12345").is_err());
        assert!(
            parse_color("chartreuse-ish")
                .unwrap_err()
                .contains("chartreuse-ish")
        );
    }
}
