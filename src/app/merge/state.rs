//! The merge screen's data: what it asks the worker and hears back, its stages and progress
//! lines. No `App` here: the logic is in [`super`].

use crate::api::model::{Contact, Customer, Id};
use crate::flows::merge::{MergePlan, MergeProgress, MergeRun, StepStatus};

/// What the merge screen asks the worker.
#[derive(Debug, Clone)]
pub enum MergeOp {
    /// Read both customers and what hangs on the duplicate; answered by [`MergeEvent::Planned`].
    Plan { primary: Id, duplicate: Id },
    /// Start the merge of a confirmed plan (journal in the data directory) and run every step.
    Run {
        plan: Box<MergePlan>,
        read_only: bool,
    },
    /// Run the remaining steps of the unfinished merge of these two customers.
    Resume {
        primary: Id,
        duplicate: Id,
        read_only: bool,
    },
    /// List the unfinished merges of earlier runs (at start); answered by [`MergeEvent::Pending`].
    Pending,
    /// Forget the journal of an unfinished merge (what moved stays moved; the log keeps it).
    Discard { primary: Id, duplicate: Id },
}

/// Equal when the same kind of operation is about the same two customers (the plan itself is
/// compared by the tests that need it).
impl PartialEq for MergeOp {
    fn eq(&self, other: &Self) -> bool {
        self.ids() == other.ids() && std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl Eq for MergeOp {}

impl MergeOp {
    /// The primary and duplicate ids the operation is about.
    pub fn ids(&self) -> (Id, Id) {
        match self {
            MergeOp::Plan { primary, duplicate }
            | MergeOp::Discard { primary, duplicate }
            | MergeOp::Resume {
                primary, duplicate, ..
            } => (*primary, *duplicate),
            MergeOp::Pending => (0, 0),
            MergeOp::Run { plan, .. } => (plan.primary.id, plan.duplicate.id),
        }
    }
}

/// What the worker reports for a merge.
#[derive(Debug)]
pub enum MergeEvent {
    /// The plan, or why it could not be built.
    Planned(Result<Box<MergePlan>, String>),
    /// The run started (or resumed): every step with its state in the journal.
    Started(Vec<(String, StepStatus)>),
    /// One step finished.
    Progress(MergeProgress),
    /// Unfinished merges left by an earlier run (journals in the data directory).
    Pending(Vec<MergeRun>),
    /// The run stopped: `error` is `None` when every step is finished.
    Finished {
        error: Option<String>,
        duplicate_deleted: bool,
        keep_duplicate: Option<String>,
    },
}

/// A step in the progress list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    pub text: String,
    pub status: StepStatus,
}

/// Where the merge screen stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Choosing which of the two stays (`primary_left`: the left one).
    Choose { primary_left: bool },
    /// The worker reads the records.
    Planning,
    /// The plan; the cursor is on a field to copy.
    Plan { plan: Box<MergePlan>, cursor: usize },
    /// The steps run.
    Running,
    /// The run stopped: finished, or failed (`error`).
    Done {
        error: Option<String>,
        duplicate_deleted: bool,
        keep_duplicate: Option<String>,
    },
}

impl Stage {
    /// Which stage this is, as a number (for deciding repaints).
    pub fn index(&self) -> u8 {
        match self {
            Stage::Choose { .. } => 0,
            Stage::Planning => 1,
            Stage::Plan { .. } => 2,
            Stage::Running => 3,
            Stage::Done { .. } => 4,
        }
    }
}

/// The merge screen.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeScreen {
    /// The two customers, in the order shown (left, right).
    pub left: Customer,
    pub right: Customer,
    pub stage: Stage,
    /// The progress list (once a run started).
    pub steps: Vec<StepLine>,
    /// The primary and duplicate ids once chosen.
    pub chosen: Option<(Id, Id)>,
}

impl MergeScreen {
    fn primary_left(&self) -> bool {
        match (&self.stage, self.chosen) {
            (Stage::Choose { primary_left }, _) => *primary_left,
            (_, Some((p, _))) => p == self.left.id,
            _ => true,
        }
    }

    /// The customer that stays and the one merged into it.
    pub fn primary_and_duplicate(&self) -> (&Customer, &Customer) {
        if self.primary_left() {
            (&self.left, &self.right)
        } else {
            (&self.right, &self.left)
        }
    }
}

/// `N contacts, N tickets, N assets moved` from the progress list.
pub fn summary(steps: &[StepLine]) -> String {
    let done = |f: fn(&str) -> bool| {
        steps
            .iter()
            .filter(|s| f(&s.text) && s.status.is_finished())
            .count()
    };
    use crate::text::plural;
    format!(
        "{}, {}, {} moved",
        plural(done(|t| t.starts_with("Move contact")), "contact"),
        plural(done(|t| t.starts_with("Move ticket")), "ticket"),
        plural(done(|t| t.starts_with("Move asset")), "asset"),
    )
}

// ---------------------------------------------------------------------------------------------
// Merging two contacts of one customer.

use crate::flows::contact_merge::ContactMergePlan;

/// What the contact merge asks the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactMergeOp {
    /// Read both contacts and what points at the duplicate; answered by
    /// [`ContactMergeEvent::Planned`].
    Plan {
        customer_id: Id,
        primary: Id,
        duplicate: Id,
    },
    /// Start a confirmed plan (journal first) and run every step.
    Run {
        plan: Box<ContactMergePlan>,
        read_only: bool,
    },
    /// Run the steps left of the unfinished merge of these two contacts.
    Resume {
        primary: Id,
        duplicate: Id,
        read_only: bool,
    },
    /// Forget its journal (what was done stays done).
    Discard { primary: Id, duplicate: Id },
    /// The account's unfinished contact merges; answered by [`ContactMergeEvent::Pending`].
    Pending,
}

// `Effect` is `Eq`; plans hold JSON values without NaN, so equality is an equivalence.
impl Eq for ContactMergeOp {}

/// What the worker reports about a contact merge.
#[derive(Debug)]
pub enum ContactMergeEvent {
    Planned(Result<Box<ContactMergePlan>, String>),
    /// The run started: every step with its state.
    Started(Vec<(String, StepStatus)>),
    /// One step finished (1-based number).
    Progress {
        number: usize,
        text: String,
        status: StepStatus,
    },
    /// The run stopped: `error` is `None` when every step is done.
    Finished {
        error: Option<String>,
    },
    /// Contact merges an earlier run left unfinished on this account.
    Pending(Vec<crate::flows::contact_merge::ContactMergeRun>),
}

/// Where the contact merge screen stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactStage {
    /// Choosing which of the two stays.
    Choose {
        primary_left: bool,
    },
    Planning,
    /// The plan; the cursor is on a field (or, past them, on retire/delete).
    Plan {
        plan: Box<ContactMergePlan>,
        cursor: usize,
    },
    Running,
    Done {
        error: Option<String>,
    },
}

impl ContactStage {
    pub fn index(&self) -> u8 {
        match self {
            ContactStage::Choose { .. } => 0,
            ContactStage::Planning => 1,
            ContactStage::Plan { .. } => 2,
            ContactStage::Running => 3,
            ContactStage::Done { .. } => 4,
        }
    }
}

/// The contact merge screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactMergeScreen {
    pub customer_id: Id,
    /// The customer's name, for the title.
    pub customer: String,
    pub left: Contact,
    pub right: Contact,
    pub stage: ContactStage,
    pub steps: Vec<StepLine>,
    /// The primary and the duplicate, once chosen.
    pub chosen: Option<(Id, Id)>,
}

impl ContactMergeScreen {
    /// The contact that stays and the one merged into it, as chosen (or highlighted).
    pub fn primary_and_duplicate(&self) -> (&Contact, &Contact) {
        let left_primary = match (&self.stage, self.chosen) {
            (ContactStage::Choose { primary_left }, _) => *primary_left,
            (_, Some((p, _))) => p == self.left.id,
            _ => true,
        };
        if left_primary {
            (&self.left, &self.right)
        } else {
            (&self.right, &self.left)
        }
    }
}
