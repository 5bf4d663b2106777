//! The house style for company names: [`check`] says whether a name follows `[house.names]`
//! and, when it does not, gives the name that does with the reasons.
//!
//! The rules, applied in this order:
//! 1. **Spaces**: no leading, trailing or repeated whitespace; no space before a comma and one
//!    after it ("Acme ,Inc" -> "Acme, Inc"; "1,000 Oaks" is left alone).
//! 2. **Legal suffix** (the last word, when the name has more than one): `LLC`/`L.L.C.`,
//!    `Inc.`/`Inc`, `Ltd`/`Ltd.`, `Corp.`/`Corp`, `Co.`/`Co` as configured, whatever the case
//!    and periods typed; with `suffix_comma` the comma before it is added or removed ("Pty Ltd"
//!    counts as one suffix).
//! 3. **`&` or `and`** between words, as configured. Only a standalone word changes: "AT&T"
//!    and "R&D" stay.
//! 4. **Capitalisation** (`fix_case`): a word typed all in lowercase or all in capitals is
//!    capitalised ("ACME" -> "Acme", "o'brien" -> "O'Brien", "smith-jones" -> "Smith-Jones"),
//!    except capitals of up to three letters ("ABC", "IT") and the configured `acronyms`, which
//!    stay in capitals, and the configured `lowercase_words` ("of", "the"), which stay in
//!    lowercase inside a name. Words of mixed case ("McDonald", "eBay", "Of") are the typist's
//!    choice and left alone.
//!
//! The fix is idempotent: `check(&fixed)` is `None`.

use crate::config::house::{AndStyle, DotStyle, HouseStyle, LlcStyle, SuffixComma};

/// A name that breaks the house style: the name that follows it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub fixed: String,
    /// One line per rule that changed something ("legal suffix: “inc” → “Inc.”").
    pub reasons: Vec<String>,
}

/// `None` when `name` follows the house style (or the check is off, or the name is empty);
/// otherwise the suggested name and the reasons.
pub fn check(name: &str, style: &HouseStyle) -> Option<Suggestion> {
    if !style.enabled || name.trim().is_empty() {
        return None;
    }
    let (fixed, reasons) = fix(name, style);
    (fixed != name).then_some(Suggestion { fixed, reasons })
}

/// The name in the house style, and the reasons it changed (empty when it did not).
pub fn fix(name: &str, style: &HouseStyle) -> (String, Vec<String>) {
    let mut reasons = Vec::new();

    // 1. Spaces.
    let squeezed = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if squeezed != name {
        reasons.push("leading, trailing or double spaces removed".to_string());
    }
    let spaced = comma_spacing(&squeezed);
    if spaced != squeezed {
        reasons.push("spacing around a comma".to_string());
    }
    let mut words: Vec<String> = spaced.split(' ').map(str::to_string).collect();
    if words.iter().all(|w| w.is_empty()) {
        return (String::new(), reasons);
    }

    // 2. The legal suffix.
    let suffix_at = suffix(&mut words, style, &mut reasons);

    // 3. `&` or `and`.
    let last = words.len() - 1;
    let mut and_changed = false;
    for (i, w) in words.iter_mut().enumerate() {
        if i == 0 || i == last || Some(i) == suffix_at {
            continue;
        }
        let (core, comma) = split_comma(w);
        let replacement = match style.and {
            AndStyle::Ampersand if core.eq_ignore_ascii_case("and") => "&",
            AndStyle::Word if core == "&" => "and",
            _ => continue,
        };
        *w = format!("{replacement}{comma}");
        and_changed = true;
    }
    if and_changed {
        reasons.push(match style.and {
            AndStyle::Ampersand => "“and” written as “&”".to_string(),
            AndStyle::Word => "“&” written as “and”".to_string(),
        });
    }

    // 4. Capitalisation.
    if style.fix_case {
        let mut changed = Vec::new();
        let pty_at = suffix_at.filter(|&i| is_pty(&words, i)).map(|i| i - 1);
        for (i, w) in words.iter_mut().enumerate() {
            // The suffix (and "Pty" before "Ltd") was styled by rule 2.
            if Some(i) == suffix_at || Some(i) == pty_at {
                continue;
            }
            let (core, comma) = split_comma(w);
            let cased = case_word(core, i == 0, style);
            if cased != core {
                changed.push(format!("{core} → {cased}"));
                *w = format!("{cased}{comma}");
            }
        }
        if !changed.is_empty() {
            reasons.push(format!("capitalisation: {}", changed.join(", ")));
        }
    }

    (words.join(" "), reasons)
}

/// No space before a comma, one space after it unless it sits between digits ("1,000").
fn comma_spacing(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 2);
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && chars.get(i + 1) == Some(&',') {
            continue;
        }
        out.push(c);
        if c == ',' {
            let prev_digit = out
                .trim_end_matches(',')
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_digit());
            match chars.get(i + 1) {
                Some(n) if n.is_ascii_digit() && prev_digit => {}
                Some(' ') | Some(',') | None => {}
                Some(_) => out.push(' '),
            }
        }
    }
    out
}

/// A word and its trailing comma, if any.
fn split_comma(w: &str) -> (&str, &str) {
    match w.strip_suffix(',') {
        Some(core) => (core, ","),
        None => (w, ""),
    }
}

/// Which legal suffix a word is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suffix {
    Llc,
    Inc,
    Ltd,
    Corp,
    Co,
}

fn suffix_kind(word: &str) -> Option<Suffix> {
    let bare: String = word
        .chars()
        .filter(|&c| c != '.')
        .collect::<String>()
        .to_lowercase();
    match bare.as_str() {
        "llc" => Some(Suffix::Llc),
        "inc" => Some(Suffix::Inc),
        "ltd" => Some(Suffix::Ltd),
        "corp" => Some(Suffix::Corp),
        "co" => Some(Suffix::Co),
        _ => None,
    }
}

fn styled(kind: Suffix, style: &HouseStyle) -> &'static str {
    let dot = |d: DotStyle, with: &'static str, without: &'static str| match d {
        DotStyle::Dot => with,
        DotStyle::NoDot => without,
    };
    match kind {
        Suffix::Llc => match style.llc {
            LlcStyle::Llc => "LLC",
            LlcStyle::Dotted => "L.L.C.",
        },
        Suffix::Inc => dot(style.inc, "Inc.", "Inc"),
        Suffix::Ltd => dot(style.ltd, "Ltd.", "Ltd"),
        Suffix::Corp => dot(style.corp, "Corp.", "Corp"),
        Suffix::Co => dot(style.co, "Co.", "Co"),
    }
}

/// "Pty" right before a "Ltd" suffix: the comma goes before "Pty".
fn is_pty(words: &[String], suffix_at: usize) -> bool {
    suffix_at >= 2
        && is_pty_word(&words[suffix_at - 1])
        && suffix_kind(&words[suffix_at]) == Some(Suffix::Ltd)
}

fn is_pty_word(w: &str) -> bool {
    split_comma(w)
        .0
        .trim_end_matches('.')
        .eq_ignore_ascii_case("pty")
}

/// Styles the last word when it is a legal suffix (and the comma before it); returns its
/// position.
fn suffix(words: &mut [String], style: &HouseStyle, reasons: &mut Vec<String>) -> Option<usize> {
    let at = words.len().checked_sub(1).filter(|&i| i >= 1)?;
    let kind = suffix_kind(&words[at])?;
    let want = styled(kind, style);
    if words[at] != want {
        reasons.push(format!("legal suffix: “{}” → “{want}”", words[at]));
        words[at] = want.to_string();
    }
    // The word the comma belongs after: the one before the suffix, or before "Pty Ltd".
    let before = if is_pty(words, at) { at - 2 } else { at - 1 };
    if is_pty(words, at) && words[at - 1] != "Pty" {
        let was = std::mem::replace(&mut words[at - 1], "Pty".to_string());
        reasons.push(format!("legal suffix: “{was}” → “Pty”"));
    }
    let has_comma = words[before].ends_with(',');
    match style.suffix_comma {
        SuffixComma::Never if has_comma => {
            words[before].pop();
            reasons.push("no comma before the legal suffix".to_string());
        }
        SuffixComma::Always if !has_comma => {
            words[before].push(',');
            reasons.push("a comma before the legal suffix".to_string());
        }
        _ => {}
    }
    Some(at)
}

/// One word in the house's capitalisation.
fn case_word(word: &str, first: bool, style: &HouseStyle) -> String {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return word.to_string();
    }
    let all_lower = letters.iter().all(|c| c.is_lowercase());
    let all_upper = letters.iter().all(|c| c.is_uppercase());
    if !all_lower && !all_upper {
        return word.to_string();
    }
    let bare: String = word.chars().filter(|&c| c != '.').collect();
    if let Some(a) = style.acronyms.iter().find(|a| {
        a.chars()
            .filter(|&c| c != '.')
            .collect::<String>()
            .to_lowercase()
            == bare.to_lowercase()
    }) {
        return a.to_uppercase();
    }
    let lower = word.to_lowercase();
    if !first
        && style
            .lowercase_words
            .iter()
            .any(|w| w.to_lowercase() == lower)
    {
        return lower;
    }
    if all_upper && letters.len() <= 3 {
        return word.to_string();
    }
    title_case(word)
}

/// "o'brien" -> "O'Brien", "joe's" -> "Joe's", "smith-jones" -> "Smith-Jones".
fn title_case(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    // Letters since the start of the segment (a segment starts after '-', '/', or an
    // apostrophe that follows a single letter).
    let mut segment_letters = 0usize;
    let mut prev: Option<char> = None;
    for c in word.chars() {
        let starts_segment = match prev {
            None => true,
            Some('-') | Some('/') => true,
            Some('\'') | Some('’') => segment_letters == 1,
            _ => false,
        };
        if starts_segment {
            segment_letters = 0;
        }
        if c.is_alphabetic() {
            if segment_letters == 0 {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            segment_letters += 1;
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> HouseStyle {
        HouseStyle::default()
    }

    fn fixed(name: &str, style: &HouseStyle) -> String {
        check(name, style)
            .map(|s| s.fixed)
            .unwrap_or_else(|| name.to_string())
    }

    /// Every fixed name passes: the fix is idempotent.
    fn assert_idempotent(name: &str, style: &HouseStyle) {
        let once = fixed(name, style);
        assert_eq!(
            check(&once, style),
            None,
            "{name:?} -> {once:?} is not stable"
        );
    }

    #[test]
    fn a_name_in_house_style_passes() {
        for name in [
            "Acme Dental LLC",
            "Harbor Freight Inc.",
            "Smith & Sons Ltd",
            "McDonald's Family Restaurant",
            "eBay Resellers Co.",
            "ABC IT Services",
            "Bank of the West",
            "AT&T Store 42",
            "1,000 Oaks Landscaping",
        ] {
            assert_eq!(check(name, &style()), None, "{name}");
        }
    }

    #[test]
    fn spaces_are_squeezed_and_trimmed() {
        let s = check("  Acme   Dental\tLLC ", &style()).unwrap();
        assert_eq!(s.fixed, "Acme Dental LLC");
        assert_eq!(s.reasons, ["leading, trailing or double spaces removed"]);
        // A no-break space counts as a space.
        assert_eq!(fixed("Acme\u{a0}Dental LLC", &style()), "Acme Dental LLC");
    }

    #[test]
    fn commas_have_one_space_after_and_none_before() {
        assert_eq!(fixed("Acme ,Inc.", &style()), "Acme, Inc.");
        assert_eq!(fixed("Acme,Inc.", &style()), "Acme, Inc.");
        assert_eq!(fixed("1,000 Oaks", &style()), "1,000 Oaks");
        let s = check("Smith ,Jones & Partners", &style()).unwrap();
        assert_eq!(s.fixed, "Smith, Jones & Partners");
        assert_eq!(s.reasons, ["spacing around a comma"]);
    }

    #[test]
    fn legal_suffixes_follow_the_configured_style() {
        let mut st = style();
        assert_eq!(fixed("Acme Dental llc", &st), "Acme Dental LLC");
        assert_eq!(fixed("Acme Dental L.L.C.", &st), "Acme Dental LLC");
        assert_eq!(fixed("Acme Dental LLC.", &st), "Acme Dental LLC");
        assert_eq!(fixed("Harbor Freight inc", &st), "Harbor Freight Inc.");
        assert_eq!(fixed("Harbor Freight INC..", &st), "Harbor Freight Inc.");
        assert_eq!(fixed("Smith Ltd.", &st), "Smith Ltd");
        assert_eq!(fixed("Smith corp", &st), "Smith Corp.");
        assert_eq!(fixed("Smith & co", &st), "Smith & Co.");
        assert_eq!(fixed("Acme Pty. ltd.", &st), "Acme Pty Ltd");
        st.llc = LlcStyle::Dotted;
        st.inc = DotStyle::NoDot;
        st.ltd = DotStyle::Dot;
        st.corp = DotStyle::NoDot;
        st.co = DotStyle::NoDot;
        assert_eq!(fixed("Acme Dental LLC", &st), "Acme Dental L.L.C.");
        assert_eq!(fixed("Harbor Freight Inc.", &st), "Harbor Freight Inc");
        assert_eq!(fixed("Smith Ltd", &st), "Smith Ltd.");
        assert_eq!(fixed("Smith Corp.", &st), "Smith Corp");
        assert_eq!(fixed("Smith & Co.", &st), "Smith & Co");
        let s = check("Harbor Freight Inc.", &st).unwrap();
        assert_eq!(s.reasons, ["legal suffix: “Inc.” → “Inc”"]);
        // Only the last word of a longer name is a suffix.
        assert_eq!(fixed("Inc", &style()), "Inc");
        assert_eq!(fixed("Co Op Grocers", &style()), "Co Op Grocers");
    }

    #[test]
    fn the_comma_before_the_suffix_is_added_or_removed() {
        let mut st = style();
        assert_eq!(fixed("Acme, Inc.", &st), "Acme, Inc.");
        assert_eq!(fixed("Acme Inc.", &st), "Acme Inc.");
        st.suffix_comma = SuffixComma::Never;
        let s = check("Acme, Inc.", &st).unwrap();
        assert_eq!(s.fixed, "Acme Inc.");
        assert_eq!(s.reasons, ["no comma before the legal suffix"]);
        assert_eq!(fixed("Acme, Pty Ltd", &st), "Acme Pty Ltd");
        st.suffix_comma = SuffixComma::Always;
        assert_eq!(fixed("Acme Inc.", &st), "Acme, Inc.");
        assert_eq!(fixed("Acme Pty Ltd", &st), "Acme, Pty Ltd");
    }

    #[test]
    fn and_or_ampersand_between_words() {
        let mut st = style();
        let s = check("Smith and Sons", &st).unwrap();
        assert_eq!(s.fixed, "Smith & Sons");
        assert_eq!(s.reasons, ["“and” written as “&”"]);
        assert_eq!(fixed("Smith AND Sons", &st), "Smith & Sons");
        // Inside a word it is a name, not a conjunction.
        assert_eq!(fixed("AT&T Store", &st), "AT&T Store");
        assert_eq!(fixed("Anderson Sandy Co.", &st), "Anderson Sandy Co.");
        st.and = AndStyle::Word;
        assert_eq!(fixed("Smith & Sons", &st), "Smith and Sons");
        assert_eq!(fixed("AT&T Store", &st), "AT&T Store");
        assert_eq!(fixed("R&D Labs", &st), "R&D Labs");
    }

    #[test]
    fn words_in_one_case_are_capitalised() {
        let st = style();
        let s = check("ACME DENTAL LLC", &st).unwrap();
        assert_eq!(s.fixed, "Acme Dental LLC");
        assert_eq!(s.reasons, ["capitalisation: ACME → Acme, DENTAL → Dental"]);
        assert_eq!(fixed("acme dental llc", &st), "Acme Dental LLC");
        assert_eq!(fixed("bank of the west", &st), "Bank of the West");
        assert_eq!(fixed("BANK OF THE WEST", &st), "Bank of the West");
        assert_eq!(fixed("the hvac guys", &st), "The HVAC Guys");
        assert_eq!(fixed("o'brien plumbing", &st), "O'Brien Plumbing");
        assert_eq!(fixed("JOE'S PIZZA", &st), "Joe's Pizza");
        assert_eq!(fixed("smith-jones law", &st), "Smith-Jones Law");
        assert_eq!(fixed("MÜLLER BÄCKEREI", &st), "Müller Bäckerei");
        // Short capitals are acronyms; mixed case is the typist's choice.
        assert_eq!(fixed("ABC IT SERVICES", &st), "ABC IT Services");
        assert_eq!(fixed("McDonald's", &st), "McDonald's");
        assert_eq!(fixed("eBay Store", &st), "eBay Store");
        assert_eq!(fixed("Bank Of The West", &st), "Bank Of The West");
        assert_eq!(fixed("3M Dental", &st), "3M Dental");
        let mut off = style();
        off.fix_case = false;
        assert_eq!(check("ACME DENTAL LLC", &off), None);
    }

    #[test]
    fn the_check_can_be_turned_off_and_empty_names_pass() {
        let mut st = style();
        assert_eq!(check("", &st), None);
        assert_eq!(check("   ", &st), None);
        st.enabled = false;
        assert_eq!(check("acme  dental llc", &st), None);
    }

    #[test]
    fn several_rules_at_once_and_every_fix_is_stable() {
        let st = style();
        let s = check("  ACME   dental and sons , l.l.c ", &st).unwrap();
        assert_eq!(s.fixed, "Acme Dental & Sons, LLC");
        assert_eq!(s.reasons.len(), 5, "{:?}", s.reasons);
        let mut styles = vec![style()];
        let mut other = style();
        other.llc = LlcStyle::Dotted;
        other.inc = DotStyle::NoDot;
        other.suffix_comma = SuffixComma::Always;
        other.and = AndStyle::Word;
        styles.push(other);
        let mut never = style();
        never.suffix_comma = SuffixComma::Never;
        styles.push(never);
        for st in &styles {
            for name in [
                "  ACME   dental and sons , l.l.c ",
                "acme,inc",
                "SMITH & JONES PTY LTD",
                "o'brien and o'neil co",
                "THE IT GUYS, INC.",
                "bank of the west",
                "a plus repair",
                "x",
                "AND AND AND",
                "Müller-lüdenscheidt gmbh",
                "1,000 oaks , ltd",
            ] {
                assert_idempotent(name, st);
            }
        }
    }
}
