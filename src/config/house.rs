//! The `[house]` section of the config file: the house rules for customer records (how company
//! names are written, what a complete profile needs). Every key has a default, so a config file
//! without the section keeps working; the rules themselves are in [`crate::house`].

use serde::{Deserialize, Serialize};

/// `[house]`: the house style for company names and the completeness rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HouseSettings {
    /// `[house.names]`: how company names are written.
    pub names: HouseStyle,
    /// `[house.required]`: what a customer profile must have.
    pub required: Completeness,
}

/// How company names are written (`[house.names]`). See [`crate::house::naming::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HouseStyle {
    /// Check names at all (the hint in the forms and the audit rule).
    pub enabled: bool,
    /// `LLC` or `L.L.C.`
    pub llc: LlcStyle,
    /// `Inc.` or `Inc`
    pub inc: DotStyle,
    /// `Ltd` or `Ltd.`
    pub ltd: DotStyle,
    /// `Corp.` or `Corp`
    pub corp: DotStyle,
    /// `Co.` or `Co` (only as the last word of a name: "Acme Co.")
    pub co: DotStyle,
    /// A comma before the legal suffix: "Acme, Inc." (`always`), "Acme Inc." (`never`), or
    /// as typed (`keep`).
    pub suffix_comma: SuffixComma,
    /// `&` or `and` between words ("Smith & Sons"; "AT&T" is never touched).
    pub and: AndStyle,
    /// Capitalise words typed all in lowercase or all in capitals ("ACME DENTAL" -> "Acme
    /// Dental"); words of mixed case ("McDonald", "eBay") are left as typed.
    pub fix_case: bool,
    /// Words kept in capitals whatever their length ("HVAC", "NASA"). Words in capitals of up to
    /// three letters ("ABC", "IT", "CPA") are kept as acronyms anyway.
    pub acronyms: Vec<String>,
    /// Words written in lowercase inside a name ("Bank of the West"); the first word is always
    /// capitalised.
    pub lowercase_words: Vec<String>,
}

impl Default for HouseStyle {
    fn default() -> Self {
        HouseStyle {
            enabled: true,
            llc: LlcStyle::Llc,
            inc: DotStyle::Dot,
            ltd: DotStyle::NoDot,
            corp: DotStyle::Dot,
            co: DotStyle::Dot,
            suffix_comma: SuffixComma::Keep,
            and: AndStyle::Ampersand,
            fix_case: true,
            acronyms: [
                "HVAC", "NASA", "LLP", "PLLC", "USA", "MSP", "IT", "DDS", "CPA", "LLC",
            ]
            .map(String::from)
            .to_vec(),
            lowercase_words: [
                "a", "an", "and", "at", "by", "de", "del", "der", "du", "for", "in", "la", "le",
                "of", "on", "or", "the", "to", "van", "von",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// `llc = "LLC"` or `"L.L.C."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LlcStyle {
    #[serde(rename = "LLC")]
    Llc,
    #[serde(rename = "L.L.C.")]
    Dotted,
}

/// An abbreviation with or without its period: `inc = "Inc."` or `"Inc"`. The config takes the
/// word itself, with or without the period (`"Ltd."`, `"ltd"`), or `"dot"` / `"no dot"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DotStyle {
    #[serde(rename = "dot")]
    Dot,
    #[serde(rename = "no dot")]
    NoDot,
}

impl<'de> Deserialize<'de> for DotStyle {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if t.eq_ignore_ascii_case("dot") || (t.ends_with('.') && t.len() > 1) {
            Ok(DotStyle::Dot)
        } else if t.eq_ignore_ascii_case("no dot")
            || (!t.is_empty() && t.chars().all(|c| c.is_alphabetic()))
        {
            Ok(DotStyle::NoDot)
        } else {
            Err(serde::de::Error::custom(format!(
                "`{s}` is not a suffix style: write the suffix as the house wants it, with or \
                 without its period (\"Inc.\" or \"Inc\")"
            )))
        }
    }
}

/// `suffix_comma = "keep"`, `"never"` or `"always"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuffixComma {
    Keep,
    Never,
    Always,
}

/// `and = "&"` or `"and"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AndStyle {
    #[serde(rename = "&")]
    Ampersand,
    #[serde(rename = "and")]
    Word,
}

/// What a complete customer profile has (`[house.required]`). See
/// [`crate::house::complete::missing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Completeness {
    /// The customer's phone or mobile.
    pub phone: bool,
    /// A street address and a city.
    pub address: bool,
    /// The customer's e-mail address (a valid one).
    pub email: bool,
    /// A contact whose title names a billing role ("Billing Contact - Accounts payable").
    pub billing_contact: bool,
    /// A contact whose title names a decision maker ("Decision Maker - Owner").
    pub decision_maker: bool,
    /// Titles (or words in them) that make a contact the billing contact, any case.
    pub billing_titles: Vec<String>,
    /// Titles (or words in them) that make a contact a decision maker, any case.
    pub decision_maker_titles: Vec<String>,
}

impl Default for Completeness {
    fn default() -> Self {
        Completeness {
            phone: true,
            address: true,
            email: true,
            billing_contact: true,
            decision_maker: true,
            billing_titles: ["Billing", "Accounts payable", "Bookkeeper"]
                .map(String::from)
                .to_vec(),
            decision_maker_titles: [
                "Decision Maker",
                "Owner",
                "CEO",
                "President",
                "Managing Director",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}
