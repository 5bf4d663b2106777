//! House rules for customer records, as pure functions over the API models (no terminal, no
//! network, no clock): the screens that show them are the app's.
//!
//! - [`naming`]: the house style for company names ([`naming::check`] gives the suggested
//!   name and why), configured by `[house.names]`.
//! - [`referral`]: `referred_by` values grouped across case, spacing, punctuation and legal
//!   suffixes, with new customers per month per source ([`referral::report`]) and its CSV.
//! - [`complete`]: what a profile lacks that the house requires ([`complete::missing`]),
//!   configured by `[house.required]`.
//! - [`tax`]: checking a tax rate ID typed by hand ([`tax::parse_tax_rate_id`]).

pub mod complete;
pub mod naming;
pub mod referral;
pub mod tax;

pub use crate::config::house::{Completeness, HouseSettings, HouseStyle};
pub use complete::{Missing, missing};
pub use naming::{Suggestion, check};
pub use referral::{ReferralGroup, ReferralReport, report};
pub use tax::parse_tax_rate_id;
