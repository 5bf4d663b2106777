//! The one dialog: every question and every message the app puts in front of the technician
//! (delete, discard, quit, restore a draft, merge now, create anyway, a refused key).
//!
//! One rule for keys, whatever the question:
//! - the highlighted choice is what Enter does, and a dialog opens on its safe choice;
//! - `y`/`Y` picks the choice that does what the question names, `n`/`N` the one that does not;
//!   other letters pick the choice they are shown with; a choice without a letter (throwing a
//!   draft away) is only reached by moving to it (Tab, ←, →) and pressing Enter;
//! - Esc gives the dialog's cancel answer, which never destroys anything;
//! - a dialog that asks for a name to be typed (deleting a customer for good) takes every key as
//!   text, and Enter deletes only once the name matches.
//!
//! The text says in the present tense what each choice does. The screen that asked acts on the
//! [`Answer`]; the dialog itself only knows what it is about ([`Ask`]).

use tui_input::{Input, InputRequest};

use crate::api::model::Id;
use crate::domain::Draft;
use crate::sanitize;

/// What an answer means to the screen that asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Do what the question names (delete, discard the changes, merge, restore, quit, create).
    Yes,
    /// Do not: back to where the question came from, nothing changed.
    No,
    /// Decide later: nothing changes now (a draft stays on disk and comes back).
    Later,
    /// Throw a draft away: never a default and never one key.
    Discard,
    /// Acknowledged (a message).
    Ok,
}

/// What a dialog is about; the screen that asked acts on the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// A message to acknowledge (an error, a refused key).
    Message,
    DeleteContact {
        id: Id,
        customer_id: Id,
        name: String,
    },
    /// Only after typing the customer's name exactly.
    DeleteCustomer { id: Id, name: String },
    /// Esc on a form with changes.
    DiscardForm,
    /// A contact left (`retire`) or comes back.
    RetireContact {
        id: Id,
        customer_id: Id,
        retire: bool,
    },
    /// A contact moves to another customer.
    MoveContact { id: Id, from: Id, to: Id },
    /// Quit while something typed is not sent (a form, an onboarding).
    Quit,
    /// A form's draft from an earlier run.
    RestoreDraft(Box<Draft>),
    /// A save answered 404: the record is gone from the server.
    RecordGone,
    /// Leave the onboarding and drop everything typed.
    OnboardLeave,
    /// Remove a further contact from the onboarding (its typed data goes).
    OnboardRemoveContact(usize),
    /// Create although the duplicate check found matches.
    OnboardCreateAnyway,
    /// Forget an unfinished onboarding's journal (what was created stays).
    OnboardForgetRun,
    /// The onboarding typed when the app last stopped.
    OnboardRestoreDraft,
    /// Run the merge of the plan on screen.
    MergeNow,
    /// Run the contact merge of the plan on screen.
    MergeContactsNow,
    /// Run the bulk edit of the preview on screen.
    BulkNow,
    /// Undo a change from the change log, as decided (see [`crate::app::log`]).
    Undo {
        target: crate::changelog::UndoTarget,
        /// What agreeing sends: overwrite changed fields, delete created records.
        consent: crate::flows::undo::Consent,
    },
    /// Re-create a deleted record from the change log's copy.
    Recreate { entry: String },
}

/// How a dialog looks: its border and title colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    /// A choice deletes or throws away something.
    Danger,
    Error,
}

/// One answer on a dialog's button row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What the choice does, in a few words ("Delete the contact", "Keep it").
    pub label: String,
    /// The letter that picks it at once (`None`: only Tab and Enter reach it).
    pub key: Option<char>,
    pub answer: Answer,
}

/// A name to type before a destructive answer is possible.
#[derive(Debug, Clone)]
pub struct Typed {
    pub expected: String,
    pub input: Input,
}

impl Typed {
    pub fn matches(&self) -> bool {
        !self.expected.is_empty() && self.input.value() == self.expected
    }
}

/// A question or a message that takes the keyboard until answered.
#[derive(Debug, Clone)]
pub struct Dialog {
    pub ask: Ask,
    /// Sanitised.
    pub title: String,
    /// Paragraphs, sanitised.
    pub body: Vec<String>,
    pub choices: Vec<Choice>,
    /// The highlighted choice: what Enter does.
    pub selected: usize,
    /// What Esc answers.
    pub cancel: Answer,
    pub tone: Tone,
    /// The name to type first, for a delete that cannot be undone.
    pub typed: Option<Typed>,
}

impl Dialog {
    /// A question about `ask`. Add its choices with [`Dialog::choice`]; the first choice added
    /// is highlighted until [`Dialog::default_to`] says otherwise.
    pub fn new(ask: Ask, title: &str) -> Dialog {
        Dialog {
            ask,
            title: sanitize::line(title),
            body: Vec::new(),
            choices: Vec::new(),
            selected: 0,
            cancel: Answer::No,
            tone: Tone::Info,
            typed: None,
        }
    }

    /// A message with one button that any of Enter and Esc acknowledges.
    pub fn message(title: &str, body: Vec<String>, error: bool) -> Dialog {
        Dialog::new(Ask::Message, title)
            .body(body)
            .choice("OK", None, Answer::Ok)
            .cancel_with(Answer::Ok)
            .tone(if error { Tone::Error } else { Tone::Info })
    }

    /// Adds a paragraph list (each sanitised).
    pub fn body(mut self, paragraphs: Vec<String>) -> Dialog {
        self.body
            .extend(paragraphs.iter().map(|p| sanitize::line(p)));
        self
    }

    pub fn choice(mut self, label: &str, key: Option<char>, answer: Answer) -> Dialog {
        self.choices.push(Choice {
            label: label.to_string(),
            key,
            answer,
        });
        self
    }

    /// Highlights the choice with this answer.
    pub fn default_to(mut self, answer: Answer) -> Dialog {
        if let Some(i) = self.choices.iter().position(|c| c.answer == answer) {
            self.selected = i;
        }
        self
    }

    pub fn cancel_with(mut self, answer: Answer) -> Dialog {
        self.cancel = answer;
        self
    }

    pub fn tone(mut self, tone: Tone) -> Dialog {
        self.tone = tone;
        self
    }

    /// Asks for `name` to be typed before the [`Answer::Yes`] choice can be taken.
    pub fn typed(mut self, name: &str) -> Dialog {
        self.typed = Some(Typed {
            expected: name.to_string(),
            input: Input::default(),
        });
        self
    }

    /// The choice Enter takes now: the highlighted one; in a dialog that wants a name typed,
    /// the destructive choice once the name matches and nothing before.
    pub fn highlighted(&self) -> Option<&Choice> {
        match &self.typed {
            Some(t) if t.matches() => self.choices.iter().find(|c| c.answer == Answer::Yes),
            Some(_) => None,
            None => self.choices.get(self.selected),
        }
    }

    /// Enter: the highlighted choice's answer, or why there is none yet.
    pub fn accept(&self) -> Result<Answer, String> {
        match (self.highlighted(), &self.typed) {
            (Some(c), _) => Ok(c.answer),
            (None, Some(t)) => Err(format!(
                "Type the name exactly to confirm: {}",
                sanitize::line(&t.expected)
            )),
            (None, None) => Ok(self.cancel),
        }
    }

    /// Tab, →: the next choice (round); ←: the previous one.
    pub fn step(&mut self, forward: bool) {
        if self.typed.is_some() || self.choices.is_empty() {
            return;
        }
        let n = self.choices.len();
        self.selected = if forward {
            (self.selected + 1) % n
        } else {
            (self.selected + n - 1) % n
        };
    }

    /// A typed key: text for a dialog that wants a name, else the choice of that letter (`y` and
    /// `n` in either case for yes and no). `Some` answers the dialog at once.
    pub fn key(&mut self, req: InputRequest) -> Option<Answer> {
        if let Some(t) = &mut self.typed {
            t.input.handle(req);
            return None;
        }
        let InputRequest::InsertChar(c) = req else {
            return None;
        };
        let by_meaning = match c {
            'y' | 'Y' => Some(Answer::Yes),
            'n' | 'N' => Some(Answer::No),
            _ => None,
        };
        let choice = self.choices.iter().find(|ch| {
            ch.key.is_some_and(|k| k.eq_ignore_ascii_case(&c))
                || by_meaning.is_some_and(|a| a == ch.answer && a != Answer::Discard)
        })?;
        Some(choice.answer)
    }

    /// The letter shown with a choice on its button, if it has one (`y`/`n` for yes and no).
    pub fn letter(&self, choice: &Choice) -> Option<char> {
        choice.key.or(match choice.answer {
            Answer::Yes => Some('y'),
            Answer::No => Some('n'),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delete() -> Dialog {
        Dialog::new(
            Ask::DeleteContact {
                id: 1,
                customer_id: 2,
                name: "Tom".into(),
            },
            "Delete contact?",
        )
        .choice("Delete the contact", None, Answer::Yes)
        .choice("Keep it", None, Answer::No)
        .default_to(Answer::No)
        .tone(Tone::Danger)
    }

    #[test]
    fn enter_does_what_is_highlighted_and_the_safe_choice_is_the_default() {
        let mut d = delete();
        assert_eq!(d.highlighted().unwrap().answer, Answer::No);
        assert_eq!(d.accept(), Ok(Answer::No));
        d.step(true);
        assert_eq!(d.highlighted().unwrap().answer, Answer::Yes);
        assert_eq!(d.accept(), Ok(Answer::Yes));
        d.step(false);
        assert_eq!(d.accept(), Ok(Answer::No));
        assert_eq!(d.cancel, Answer::No);
    }

    #[test]
    fn y_and_n_in_either_case_answer_at_once() {
        for (c, a) in [
            ('y', Answer::Yes),
            ('Y', Answer::Yes),
            ('n', Answer::No),
            ('N', Answer::No),
        ] {
            assert_eq!(delete().key(InputRequest::InsertChar(c)), Some(a), "{c}");
        }
        assert_eq!(delete().key(InputRequest::InsertChar('q')), None);
    }

    #[test]
    fn a_discard_has_no_letter_and_is_never_the_default() {
        let mut d = Dialog::new(Ask::Message, "Unsaved draft found")
            .choice("Restore it", Some('r'), Answer::Yes)
            .choice("Decide later", Some('l'), Answer::Later)
            .choice("Discard it", None, Answer::Discard)
            .cancel_with(Answer::Later);
        assert_eq!(d.accept(), Ok(Answer::Yes));
        for c in ['n', 'N', 'd', 'D', 'x'] {
            assert_eq!(d.key(InputRequest::InsertChar(c)), None, "{c}");
        }
        assert_eq!(d.key(InputRequest::InsertChar('l')), Some(Answer::Later));
        d.step(true);
        d.step(true);
        assert_eq!(d.accept(), Ok(Answer::Discard));
    }

    #[test]
    fn a_typed_name_must_match_before_enter_deletes() {
        let mut d = Dialog::new(
            Ask::DeleteCustomer {
                id: 1,
                name: "Acme".into(),
            },
            "Delete customer for good?",
        )
        .choice("Delete for good", None, Answer::Yes)
        .choice("Keep it", None, Answer::No)
        .default_to(Answer::No)
        .typed("Acme");
        // y and n are text here.
        assert_eq!(d.key(InputRequest::InsertChar('y')), None);
        assert!(d.accept().is_err());
        assert!(d.highlighted().is_none());
        d.key(InputRequest::DeleteLine);
        for c in "Acme".chars() {
            d.key(InputRequest::InsertChar(c));
        }
        assert_eq!(d.accept(), Ok(Answer::Yes));
        assert_eq!(d.cancel, Answer::No);
    }

    #[test]
    fn a_message_is_acknowledged_by_enter_and_esc() {
        let d = Dialog::message("No API key", vec!["Set it.\u{1b}[2J".into()], true);
        assert_eq!(d.accept(), Ok(Answer::Ok));
        assert_eq!(d.cancel, Answer::Ok);
        assert!(!d.body[0].contains('\u{1b}'));
    }
}
