//! Tax rates. A customer holds `tax_rate_id`, the ID of one of the account's tax rates, not a
//! rate. The API documentation this project works from lists no endpoint that names the rates
//! behind the IDs (see `syncro-api.md`: `/settings` exists but its fields are not documented in
//! the excerpt, and there is no `/tax_rates`), so the app cannot offer them by name: it checks
//! the ID typed and says where to look it up.

/// Where the IDs are in Syncro's web app, for messages.
pub const WHERE_TO_FIND: &str = "In Syncro, Admin → Invoices - Tax Rates lists the rates: open \
one, its ID is the number in the page address (…/tax_rates/ID/edit). Leave the field empty to \
use the account's default rate (the first in that table).";

/// Checks a tax rate ID typed in a form: empty is `Ok(None)` (Syncro then uses the default
/// rate); a whole number above 0 is the ID; anything else is refused with a message that says
/// what is wrong and where to find the ID.
pub fn parse_tax_rate_id(text: &str) -> Result<Option<u64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.strip_prefix('#').unwrap_or(t);
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return match t.parse::<u64>() {
            Ok(0) => Err(format!("The tax rate ID cannot be 0. {WHERE_TO_FIND}")),
            Ok(id) => Ok(Some(id)),
            Err(_) => Err(format!(
                "“{t}” is too large for a tax rate ID. {WHERE_TO_FIND}"
            )),
        };
    }
    let percent = t.trim_end_matches('%').trim();
    let decimal = percent.contains(['.', ',']) && percent.replace(',', ".").parse::<f64>().is_ok();
    if t.ends_with('%') || decimal {
        return Err(format!(
            "“{t}” looks like a rate: this field takes the ID of a tax rate, not the \
             percentage. {WHERE_TO_FIND}"
        ));
    }
    Err(format!(
        "“{t}” is not a tax rate ID: it is a whole number above 0. {WHERE_TO_FIND}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_whole_numbers_and_empty_means_the_default() {
        assert_eq!(parse_tax_rate_id(""), Ok(None));
        assert_eq!(parse_tax_rate_id("   "), Ok(None));
        assert_eq!(parse_tax_rate_id("12345"), Ok(Some(12345)));
        assert_eq!(parse_tax_rate_id(" #77 "), Ok(Some(77)));
    }

    #[test]
    fn anything_else_says_why_and_where_to_look() {
        for bad in ["0", "-3", "abc", "99999999999999999999999", "#"] {
            let e = parse_tax_rate_id(bad).unwrap_err();
            assert!(e.contains("Admin → Invoices - Tax Rates"), "{bad}: {e}");
        }
        assert!(parse_tax_rate_id("0").unwrap_err().contains("cannot be 0"));
        for rate in ["8.25", "8.25%", "7%", "7,5"] {
            let e = parse_tax_rate_id(rate).unwrap_err();
            assert!(e.contains("looks like a rate"), "{rate}: {e}");
        }
        assert!(
            parse_tax_rate_id("abc")
                .unwrap_err()
                .contains("whole number above 0")
        );
    }
}
