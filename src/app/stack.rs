//! The screens over the panes, on one stack.
//!
//! The base is the customer list and the detail pane (their data lives in
//! [`crate::app::state::App`]). Everything else is a [`Screen`] pushed over it, owning its
//! state: the search line, a form, the help, the palette, find anywhere, the audit, a merge, the
//! onboarding, and dialogs. Opening pushes; Esc or finishing pops back to exactly what was under
//! it, with its state and cursor. The keyboard talks to the top screen ([`Stack::mode`]).
//!
//! Two screens can go on working while hidden: a merge or an onboarding whose run goes on in
//! the background, or that stopped at a failure. Esc then *parks* it ([`Stack::park_merge`]):
//! it leaves the stack, its results keep arriving in its parked state, and opening it again
//! pushes it back where it was.

use crate::app::audit::state::AuditView;
use crate::app::bulk::state::{BulkScreen, BulkStage, LogView};
use crate::app::dialog::Dialog;
use crate::app::followup::state::FollowupView;
use crate::app::form::FormUi;
use crate::app::kinds::Mode;
use crate::app::list::PickState;
use crate::app::merge::state::{ContactMergeScreen, MergeScreen};
use crate::app::mirror::state::FindPopup;
use crate::app::onboard::state::OnboardScreen;
use crate::app::palette::state::ContactResults;
use crate::app::report::state::ReportView;

/// The help overlay's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpView {
    /// First line on screen.
    pub scroll: usize,
}

/// One screen over the panes.
#[derive(Debug, Clone)]
pub enum Screen {
    /// Typing into the list's search line (the filter itself belongs to the list).
    Search,
    /// A create or edit form, drawn in the detail pane.
    Form(Box<FormUi>),
    Help(HelpView),
    /// The `:` prompt (its text and history belong to [`crate::app::state::App::palette`]).
    Palette,
    /// The contacts `:contact` found among the loaded customers.
    Results(ContactResults),
    /// Find anywhere over the account mirror.
    Find(FindPopup),
    /// The duplicate audit.
    Audit(AuditView),
    Merge(Box<MergeScreen>),
    Onboard(Box<OnboardScreen>),
    /// A question or a message.
    Dialog(Box<Dialog>),
    /// A customer to pick (for a new contact, or a contact's move).
    Pick(PickState),
    /// Merging two contacts of one customer.
    ContactMerge(Box<ContactMergeScreen>),
    /// A change made to every marked record.
    Bulk(Box<BulkScreen>),
    /// The change log (`:log`).
    Log(Box<LogView>),
    /// A report over the customers (`:referrals`, `:names`, `:incomplete`).
    Report(Box<ReportView>),
    /// The open onboarding follow-ups (`:onboarding`).
    Followups(FollowupView),
}

impl Screen {
    /// The keys this screen takes.
    pub fn mode(&self) -> Mode {
        match self {
            Screen::Search => Mode::Search,
            Screen::Form(_) => Mode::Form,
            Screen::Help(_) => Mode::Help,
            Screen::Palette => Mode::Palette,
            Screen::Results(_) => Mode::Results,
            Screen::Find(_) => Mode::Find,
            Screen::Audit(_) => Mode::Audit,
            Screen::Merge(_) => Mode::Merge,
            Screen::Onboard(o) => o.mode(),
            Screen::Dialog(_) => Mode::Dialog,
            Screen::Pick(_) => Mode::Pick,
            Screen::ContactMerge(_) => Mode::Merge,
            Screen::Bulk(b) if b.typing() => Mode::BulkForm,
            Screen::Bulk(_) => Mode::Bulk,
            Screen::Log(_) => Mode::Log,
            Screen::Report(_) => Mode::Report,
            Screen::Followups(_) => Mode::Followups,
        }
    }

    /// Whether the screen is drawn over the panes (rather than in them, as the search line and
    /// a form are).
    pub fn covers(&self) -> bool {
        !matches!(self, Screen::Search | Screen::Form(_))
    }

    /// Whether the screen fills the whole screen, so that nothing under it shows.
    pub fn opaque(&self) -> bool {
        matches!(
            self,
            Screen::Audit(_)
                | Screen::Merge(_)
                | Screen::Onboard(_)
                | Screen::ContactMerge(_)
                | Screen::Bulk(_)
                | Screen::Log(_)
                | Screen::Report(_)
                | Screen::Followups(_)
        )
    }

    /// What the screen looks like, as far as a full repaint goes: its kind and the view inside
    /// it (the audit's groups or their comparison, the onboarding's step, the merge's stage).
    fn look(&self) -> (u8, u8) {
        let sub = match self {
            Screen::Audit(v) => u8::from(v.compare),
            Screen::Onboard(o) => o.step as u8,
            Screen::Merge(m) => m.stage.index(),
            Screen::ContactMerge(m) => m.stage.index(),
            Screen::Report(r) => r.kind() as u8,
            Screen::Bulk(b) => match b.stage {
                BulkStage::Choose => 0,
                BulkStage::Preview { .. } => 1,
                BulkStage::Running => 2,
                BulkStage::Done { .. } => 3,
            },
            _ => 0,
        };
        let kind = match self {
            Screen::Search => 0,
            Screen::Form(_) => 1,
            Screen::Help(_) => 2,
            Screen::Palette => 3,
            Screen::Results(_) => 4,
            Screen::Find(_) => 5,
            Screen::Audit(_) => 6,
            Screen::Merge(_) => 7,
            Screen::Onboard(_) => 8,
            Screen::Dialog(_) => 9,
            Screen::Pick(_) => 10,
            Screen::ContactMerge(_) => 11,
            Screen::Bulk(_) => 12,
            Screen::Log(_) => 13,
            Screen::Report(_) => 14,
            Screen::Followups(_) => 15,
        };
        (kind, sub)
    }
}

/// A screen on the stack with the id it got when pushed (status messages name their screen by
/// it; the base is 0).
#[derive(Debug, Clone)]
pub struct Layer {
    pub id: u64,
    pub screen: Screen,
}

/// Screens taken off the stack while their work goes on.
#[derive(Debug, Clone, Default)]
pub struct Parked {
    pub merge: Option<Box<MergeScreen>>,
    pub onboard: Option<Box<OnboardScreen>>,
    pub bulk: Option<Box<BulkScreen>>,
}

/// What fills the terminal, as far as repainting goes (see [`Stack::look`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Look(Vec<(u8, u8)>);

impl Look {
    /// Whether a screen drawn over the panes is part of it.
    pub fn covers(&self) -> bool {
        self.0.iter().any(|&(kind, _)| kind > 1)
    }
}

/// The screens over the base, bottom first.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    layers: Vec<Layer>,
    next_id: u64,
    pub parked: Parked,
}

macro_rules! accessors {
    ($get:ident, $get_mut:ident, $variant:ident, $ty:ty) => {
        /// The topmost screen of this kind, wherever it is on the stack.
        pub fn $get(&self) -> Option<&$ty> {
            self.layers.iter().rev().find_map(|l| match &l.screen {
                Screen::$variant(s) => Some(s),
                _ => None,
            })
        }

        pub fn $get_mut(&mut self) -> Option<&mut $ty> {
            self.layers
                .iter_mut()
                .rev()
                .find_map(|l| match &mut l.screen {
                    Screen::$variant(s) => Some(s),
                    _ => None,
                })
        }
    };
    (boxed $get:ident, $get_mut:ident, $variant:ident, $ty:ty) => {
        /// The topmost screen of this kind, wherever it is on the stack.
        pub fn $get(&self) -> Option<&$ty> {
            self.layers.iter().rev().find_map(|l| match &l.screen {
                Screen::$variant(s) => Some(&**s),
                _ => None,
            })
        }

        pub fn $get_mut(&mut self) -> Option<&mut $ty> {
            self.layers
                .iter_mut()
                .rev()
                .find_map(|l| match &mut l.screen {
                    Screen::$variant(s) => Some(&mut **s),
                    _ => None,
                })
        }
    };
}

impl Stack {
    /// Puts a screen on top; returns its id.
    pub fn push(&mut self, screen: Screen) -> u64 {
        self.next_id += 1;
        self.layers.push(Layer {
            id: self.next_id,
            screen,
        });
        self.next_id
    }

    /// Takes the top screen off.
    pub fn pop(&mut self) -> Option<Screen> {
        self.layers.pop().map(|l| l.screen)
    }

    pub fn top(&self) -> Option<&Screen> {
        self.layers.last().map(|l| &l.screen)
    }

    pub fn top_mut(&mut self) -> Option<&mut Screen> {
        self.layers.last_mut().map(|l| &mut l.screen)
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The keys in force: the top screen's, or browsing on the base.
    pub fn mode(&self) -> Mode {
        self.top().map_or(Mode::Normal, Screen::mode)
    }

    /// Whether the top screen is one of `f`.
    pub fn top_is(&self, f: fn(&Screen) -> bool) -> bool {
        self.top().is_some_and(f)
    }

    /// The screen that owns what is said in the status line now: the top screen, except the
    /// search line, which is part of the list (0: the base).
    pub fn owner(&self) -> u64 {
        self.layers
            .iter()
            .rev()
            .find(|l| !matches!(l.screen, Screen::Search))
            .map_or(0, |l| l.id)
    }

    /// Takes off the topmost screen that `f` picks, with everything above it; returns it.
    pub fn remove(&mut self, f: fn(&Screen) -> bool) -> Option<Screen> {
        let at = self.layers.iter().rposition(|l| f(&l.screen))?;
        let mut above = self.layers.split_off(at);
        let layer = above.remove(0);
        Some(layer.screen)
    }

    /// Takes every screen off.
    pub fn clear(&mut self) {
        self.layers.clear();
    }

    /// Whether a screen `f` picks is on the stack.
    pub fn has(&self, f: fn(&Screen) -> bool) -> bool {
        self.layers.iter().any(|l| f(&l.screen))
    }

    /// Whether a screen drawn over the panes is open.
    pub fn covers(&self) -> bool {
        self.layers.iter().any(|l| l.screen.covers())
    }

    /// What is on screen, for deciding whether to repaint every cell.
    pub fn look(&self) -> Look {
        Look(self.layers.iter().map(|l| l.screen.look()).collect())
    }

    /// The layers to draw, bottom first: from the last one that fills the screen.
    pub fn visible(&self) -> &[Layer] {
        let from = self
            .layers
            .iter()
            .rposition(|l| l.screen.opaque())
            .unwrap_or(0);
        &self.layers[from..]
    }

    /// The open dialog, when it is the top screen.
    pub fn dialog(&self) -> Option<&Dialog> {
        match self.top() {
            Some(Screen::Dialog(d)) => Some(d),
            _ => None,
        }
    }

    pub fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        match self.top_mut() {
            Some(Screen::Dialog(d)) => Some(d),
            _ => None,
        }
    }

    accessors!(boxed form, form_mut, Form, FormUi);
    accessors!(boxed contact_merge, contact_merge_mut, ContactMerge, ContactMergeScreen);
    accessors!(find, find_mut, Find, FindPopup);
    accessors!(audit, audit_mut, Audit, AuditView);
    accessors!(results, results_mut, Results, ContactResults);
    accessors!(pick, pick_mut, Pick, PickState);
    accessors!(boxed log, log_mut, Log, LogView);
    accessors!(boxed report, report_mut, Report, ReportView);
    accessors!(followups, followups_mut, Followups, FollowupView);

    /// The bulk edit, on the stack or parked.
    pub fn bulk(&self) -> Option<&BulkScreen> {
        self.layers
            .iter()
            .rev()
            .find_map(|l| match &l.screen {
                Screen::Bulk(b) => Some(&**b),
                _ => None,
            })
            .or(self.parked.bulk.as_deref())
    }

    pub fn bulk_mut(&mut self) -> Option<&mut BulkScreen> {
        if self.has(|s| matches!(s, Screen::Bulk(_))) {
            self.layers
                .iter_mut()
                .rev()
                .find_map(|l| match &mut l.screen {
                    Screen::Bulk(b) => Some(&mut **b),
                    _ => None,
                })
        } else {
            self.parked.bulk.as_deref_mut()
        }
    }

    /// Takes the bulk edit off the stack into the parked slot (its run goes on).
    pub fn park_bulk(&mut self) {
        if let Some(Screen::Bulk(b)) = self.remove(|s| matches!(s, Screen::Bulk(_))) {
            self.parked.bulk = Some(b);
        }
    }

    /// Takes the bulk edit off the stack or out of its parked slot, for good.
    pub fn drop_bulk(&mut self) -> Option<Box<BulkScreen>> {
        match self.remove(|s| matches!(s, Screen::Bulk(_))) {
            Some(Screen::Bulk(b)) => Some(b),
            _ => self.parked.bulk.take(),
        }
    }

    /// Puts a parked bulk edit back on top.
    pub fn unpark_bulk(&mut self) -> bool {
        if self.has(|s| matches!(s, Screen::Bulk(_))) {
            return true;
        }
        match self.parked.bulk.take() {
            Some(b) => {
                self.push(Screen::Bulk(b));
                true
            }
            None => false,
        }
    }

    /// The help overlay's state, when it is open.
    pub fn help_mut(&mut self) -> Option<&mut HelpView> {
        self.layers
            .iter_mut()
            .rev()
            .find_map(|l| match &mut l.screen {
                Screen::Help(h) => Some(h),
                _ => None,
            })
    }

    pub fn help(&self) -> Option<&HelpView> {
        self.layers.iter().rev().find_map(|l| match &l.screen {
            Screen::Help(h) => Some(h),
            _ => None,
        })
    }

    /// The merge, on the stack or parked.
    pub fn merge(&self) -> Option<&MergeScreen> {
        self.layers
            .iter()
            .rev()
            .find_map(|l| match &l.screen {
                Screen::Merge(m) => Some(&**m),
                _ => None,
            })
            .or(self.parked.merge.as_deref())
    }

    pub fn merge_mut(&mut self) -> Option<&mut MergeScreen> {
        let on_stack = self
            .layers
            .iter()
            .any(|l| matches!(l.screen, Screen::Merge(_)));
        if on_stack {
            self.layers
                .iter_mut()
                .rev()
                .find_map(|l| match &mut l.screen {
                    Screen::Merge(m) => Some(&mut **m),
                    _ => None,
                })
        } else {
            self.parked.merge.as_deref_mut()
        }
    }

    /// The onboarding, on the stack or parked.
    pub fn onboard(&self) -> Option<&OnboardScreen> {
        self.layers
            .iter()
            .rev()
            .find_map(|l| match &l.screen {
                Screen::Onboard(o) => Some(&**o),
                _ => None,
            })
            .or(self.parked.onboard.as_deref())
    }

    pub fn onboard_mut(&mut self) -> Option<&mut OnboardScreen> {
        let on_stack = self
            .layers
            .iter()
            .any(|l| matches!(l.screen, Screen::Onboard(_)));
        if on_stack {
            self.layers
                .iter_mut()
                .rev()
                .find_map(|l| match &mut l.screen {
                    Screen::Onboard(o) => Some(&mut **o),
                    _ => None,
                })
        } else {
            self.parked.onboard.as_deref_mut()
        }
    }

    /// Whether the merge is on the stack (not parked).
    pub fn merge_shown(&self) -> bool {
        self.has(|s| matches!(s, Screen::Merge(_)))
    }

    pub fn onboard_shown(&self) -> bool {
        self.has(|s| matches!(s, Screen::Onboard(_)))
    }

    /// Takes the merge screen off the stack into the parked slot (its work goes on).
    pub fn park_merge(&mut self) {
        if let Some(Screen::Merge(m)) = self.remove(|s| matches!(s, Screen::Merge(_))) {
            self.parked.merge = Some(m);
        }
    }

    pub fn park_onboard(&mut self) {
        if let Some(Screen::Onboard(o)) = self.remove(|s| matches!(s, Screen::Onboard(_))) {
            self.parked.onboard = Some(o);
        }
    }

    /// Takes the merge off the stack or out of its parked slot, for good.
    pub fn drop_merge(&mut self) -> Option<Box<MergeScreen>> {
        match self.remove(|s| matches!(s, Screen::Merge(_))) {
            Some(Screen::Merge(m)) => Some(m),
            _ => self.parked.merge.take(),
        }
    }

    pub fn drop_onboard(&mut self) -> Option<Box<OnboardScreen>> {
        match self.remove(|s| matches!(s, Screen::Onboard(_))) {
            Some(Screen::Onboard(o)) => Some(o),
            _ => self.parked.onboard.take(),
        }
    }

    /// Puts a parked merge back on top (no-op when it is already shown or there is none).
    pub fn unpark_merge(&mut self) -> bool {
        if self.merge_shown() {
            return true;
        }
        match self.parked.merge.take() {
            Some(m) => {
                self.push(Screen::Merge(m));
                true
            }
            None => false,
        }
    }

    pub fn unpark_onboard(&mut self) -> bool {
        if self.onboard_shown() {
            return true;
        }
        match self.parked.onboard.take() {
            Some(o) => {
                self.push(Screen::Onboard(o));
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::dialog::Dialog;

    #[test]
    fn popping_returns_to_exactly_what_was_under() {
        let mut s = Stack::default();
        assert_eq!(s.mode(), Mode::Normal);
        s.push(Screen::Audit(AuditView {
            cursor: 3,
            ..AuditView::default()
        }));
        s.push(Screen::Dialog(Box::new(Dialog::message("x", vec![], true))));
        assert_eq!(s.mode(), Mode::Dialog);
        s.pop();
        assert_eq!(s.mode(), Mode::Audit);
        assert_eq!(s.audit().unwrap().cursor, 3);
    }

    #[test]
    fn removing_a_screen_takes_what_is_above_it() {
        let mut s = Stack::default();
        s.push(Screen::Help(HelpView::default()));
        s.push(Screen::Audit(AuditView::default()));
        s.push(Screen::Dialog(Box::new(Dialog::message(
            "x",
            vec![],
            false,
        ))));
        assert!(s.remove(|x| matches!(x, Screen::Audit(_))).is_some());
        assert_eq!(s.mode(), Mode::Help);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn the_search_line_does_not_own_messages_and_ids_are_unique() {
        let mut s = Stack::default();
        assert_eq!(s.owner(), 0);
        s.push(Screen::Search);
        assert_eq!(s.owner(), 0);
        let a = s.push(Screen::Palette);
        assert_eq!(s.owner(), a);
        s.pop();
        let b = s.push(Screen::Palette);
        assert_ne!(a, b);
    }
}
