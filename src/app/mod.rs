//! The model: pure state and logic. No terminal, no network, no clock reads.
//!
//! Time enters only through [`Action::Tick`]; results of network calls enter as actions; keys
//! enter as actions produced by [`keymap`]. [`update::update`] is the one function that changes
//! an [`App`]: it dispatches each action to the screen in front or to the part it is about, and
//! answers with the [`Effect`]s the outside world should carry out.
//!
//! Layers, each using only those above it in this list (no file imports one below it):
//! - data: [`kinds`], [`view`], [`layout`], [`form`], [`dialog`], [`list`], [`detail`] and each
//!   screen's `state` ([`audit::state`], [`merge::state`], [`mirror::state`],
//!   [`onboard::state`], [`palette::state`]); then [`action`] and [`effect`] (what travels to
//!   and from the worker), [`keymap`], [`stack`] (the screens over the panes) and [`state`]
//!   (the [`App`]);
//! - [`panes`]: the list and detail operations every screen calls (select, insert, remove,
//!   refilter, page, keep the detail in view);
//! - the screens' logic: [`browse`] (the panes' own keys), [`help`], [`find`], [`forms`],
//!   [`palette`], [`audit`], [`merge`], [`onboard`], [`mirror`];
//! - [`update`]: the dispatcher.
//!
//! This file only names the modules and re-exports what the rest of the crate uses.

pub mod action;
pub mod audit;
pub mod browse;
pub mod bulk;
pub mod contact_list;
pub mod contact_merge;
pub mod contacts;
pub mod detail;
pub mod dialog;
pub mod effect;
pub mod find;
#[doc(hidden)]
pub mod fixtures;
pub mod followup;
pub mod form;
pub mod forms;
pub mod help;
pub mod keymap;
pub mod kinds;
pub mod layout;
pub mod list;
pub mod log;
pub mod marks;
pub mod merge;
pub mod mirror;
pub mod onboard;
pub mod palette;
pub mod panes;
pub mod pick;
pub mod report;
pub mod stack;
pub mod state;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

pub use action::{Action, Cmd};
pub use detail::{Detail, Extras, InvoiceScan};
pub use dialog::{Answer, Ask, Dialog};
pub use effect::Effect;
pub use kinds::{Debounce, Focus, Load, Mode, Pane, PerTab, Sort, SortKey, Tab};
pub use list::{CustomerList, Paging, RemoteSearch, Row, Search};
pub use stack::Screen;
pub use state::{App, AppConfig, DETAIL_DEBOUNCE, Message, ProfileInfo, SEARCH_DEBOUNCE, TICK};
pub use update::update;

/// What the model's tests use everywhere, in one import.
#[cfg(test)]
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use std::sync::Arc;

    pub use super::action::{Action, Cmd};
    pub use super::contact_list::ContactSort;
    pub use super::dialog::{Answer, Ask, Dialog};
    pub use super::effect::Effect;
    pub use super::fixtures;
    pub use super::keymap::map_key;
    pub use super::kinds::{Debounce, Focus, Load, Mode, Pane, Sort, SortKey, Tab};
    pub use super::stack::{HelpView, Screen};
    pub use super::state::{App, AppConfig, Message};
    pub use super::update::update;
    pub use crate::api::ApiError;
    pub use crate::api::model::{Contact, Customer, Id};
    pub use crate::domain::{Deletion, Draft, FormTarget, Record};
    pub use crate::flows::merge::{MergePlan, MergeProgress, MergeRun, MergeStep, StepStatus};
    pub use crate::flows::onboard::{
        CreateStatus, DuplicateMatch, OnboardProgress, OnboardRun, Onboarding, Role, Subject,
    };
    pub use crate::mirror::{MatchKind, Packed, SearchIndex};
}
