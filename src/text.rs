//! Fitting text into columns by display width (wide CJK and emoji count two cells). Shared by
//! the view (to draw) and the model (to know how many lines a wrapped record takes).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    s.width()
}

/// `s` cut to at most `w` cells, with `…` when something was cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` fitted and padded with spaces to exactly `w` cells.
pub fn cell(s: &str, w: usize) -> String {
    let mut out = fit(s, w);
    let pad = w.saturating_sub(out.width());
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Splits `s` into pieces of at most `w` cells, at spaces where possible.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    if s.width() <= w {
        return vec![s.to_string()];
    }
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    for word in s.split_inclusive(' ') {
        let ww = word.width();
        if cur_w + word.trim_end().width() <= w {
            cur.push_str(word);
            cur_w += ww;
            continue;
        }
        if !cur.is_empty() && ww <= w {
            lines.push(std::mem::take(&mut cur).trim_end().to_string());
            cur_w = 0;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if cur_w + cw > w {
                lines.push(std::mem::take(&mut cur).trim_end().to_string());
                cur_w = 0;
            }
            cur.push(c);
            cur_w += cw;
        }
    }
    if !cur.trim_end().is_empty() || lines.is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    lines
}

/// A count as people read it: `100,000`, not `100000`.
pub fn count(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 contact`, `3 contacts`, `96,182 customers`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", count(n as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0u64), "0");
        assert_eq!(count(999u64), "999");
        assert_eq!(count(1_000u64), "1,000");
        assert_eq!(count(100_000u64), "100,000");
        assert_eq!(count(1_234_567u64), "1,234,567");
    }

    #[test]
    fn fit_counts_wide_characters() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("東京都庁", 5), "東京…");
        assert_eq!(width(&fit("東京都庁", 4)), 3);
        assert_eq!(cell("東京", 6), "東京  ");
        assert_eq!(fit("abc", 3), "abc");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
