//! The change log (`:log`) and undo (`U`, `u` in the log).
//!
//! `:log [TEXT]` lists every write the app made on this profile, newest first, filtered by the
//! words typed (a record's name, a field, a kind); Enter opens the record. `U` anywhere on the
//! panes undoes the last change, `u` in the log the selected one (a bulk edit or an onboarding
//! as a whole). An undo first asks the worker what it would do ([`crate::flows::undo`] reads
//! the records as they are now), then asks the technician in a dialog that says it in the
//! present tense; only then does anything get written.

use crate::app::action::Cmd;
use crate::app::bulk::state::{Decided, LogEvent, LogOp, LogView};
use crate::app::dialog::{Answer, Ask, Dialog, Tone};
use crate::app::effect::Effect;
use crate::app::panes;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::changelog::{UndoTarget, filter};
use crate::flows::undo::{Consent, UndoDecision};
use crate::sanitize;
use crate::text::plural;

fn is_log(s: &Screen) -> bool {
    matches!(s, Screen::Log(_))
}

/// Lines under the list for the selected entry in full.
pub const DETAIL_LINES: u16 = 2;

/// Entries that fit on screen (kept in step with `ui::log`).
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(6 + DETAIL_LINES)).max(1)
}

/// `:log [TEXT]`: opens the change log, filtered by `text`.
pub fn open(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    app.stack.remove(is_log);
    app.stack.push(Screen::Log(Box::new(LogView {
        filter: text.trim().to_string(),
        loading: true,
        ..LogView::default()
    })));
    fx.push(Effect::Log(LogOp::Read));
}

fn refilter(v: &mut LogView) {
    let kept: std::collections::HashSet<&str> = filter(&v.entries, &v.filter)
        .into_iter()
        .map(|e| e.id.as_str())
        .collect();
    v.shown = v
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| kept.contains(e.id.as_str()))
        .map(|(i, _)| i)
        .collect();
    v.cursor = v.cursor.min(v.shown.len().saturating_sub(1));
}

/// Keys on the change log.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let vp = viewport(app.size);
    let Some(v) = app.stack.log_mut() else {
        return;
    };
    let n = v.shown.len();
    let cur = v.cursor;
    if let Some(to) = crate::app::layout::list_target(cmd, cur, n, vp) {
        v.cursor = to;
        v.offset = crate::app::layout::scroll_to(v.offset, to, to, vp);
        return;
    }
    match cmd {
        Cmd::Refresh => {
            v.loading = true;
            fx.push(Effect::Log(LogOp::Read));
        }
        Cmd::Close | Cmd::Back => {
            app.stack.remove(is_log);
        }
        // The filter is `:log TEXT`: `/` puts it on the prompt to change.
        Cmd::Search => {
            let text = format!("log {}", v.filter);
            app.stack.push(Screen::Palette);
            app.palette.start(&text);
        }
        Cmd::Palette => {
            app.stack.push(Screen::Palette);
            app.palette.start("");
        }
        Cmd::Open => {
            let Some(e) = v.shown.get(v.cursor).map(|&i| v.entries[i].clone()) else {
                return;
            };
            let customer = match e.record.kind {
                crate::changelog::RecordKind::Customer => e.record.id,
                crate::changelog::RecordKind::Contact => e.record.customer_id.unwrap_or_default(),
            };
            app.stack.remove(is_log);
            if !panes::select_customer(app, customer, true) {
                let why = panes::hidden_why(app, customer);
                app.say(
                    format!("{}: {why}", sanitize::line(&e.record.describe())),
                    false,
                );
            }
        }
        Cmd::Undo => {
            let Some(e) = v.shown.get(v.cursor).map(|&i| &v.entries[i]) else {
                return;
            };
            if e.kind == crate::changelog::ChangeKind::MergeStep {
                return app.say(
                    "A merge is not undone from the log: tickets and assets moved to the kept customer cannot be checked back through the API. Move contacts back with a bulk move (Space, e).",
                    false,
                );
            }
            let target = match &e.group {
                Some(g) => UndoTarget::Group(g.clone()),
                None => UndoTarget::Entry(e.id.clone()),
            };
            ask_worker(app, target, fx);
        }
        _ => {}
    }
}

/// `U`: undo the last change (the worker finds it in the log and decides).
pub fn undo_last(app: &mut App, fx: &mut Vec<Effect>) {
    if app.config.read_only {
        return app.say(crate::app::forms::READ_ONLY, true);
    }
    app.say("Looking up the last change…", false);
    fx.push(Effect::Log(LogOp::DecideLast));
}

fn ask_worker(app: &mut App, target: UndoTarget, fx: &mut Vec<Effect>) {
    if app.config.read_only {
        return app.say(crate::app::forms::READ_ONLY, true);
    }
    app.say("Reading the records as they are now…", false);
    fx.push(Effect::Log(LogOp::Decide(target)));
}

/// A report from the worker.
pub fn event(app: &mut App, ev: LogEvent, fx: &mut Vec<Effect>) {
    match ev {
        LogEvent::Entries(result) => {
            let Some(v) = app.stack.log_mut() else {
                return;
            };
            v.loading = false;
            match result {
                Ok(entries) => {
                    v.entries = entries;
                    v.error = None;
                    refilter(v);
                }
                Err(e) => v.error = Some(sanitize::line(&e)),
            }
        }
        LogEvent::Decided { target, result } => match result {
            Err(e) => app.say(sanitize::line(&format!("Cannot undo: {e}")), true),
            Ok(d) => {
                app.message = None;
                ask(app, target, d);
            }
        },
        LogEvent::Undone(result) => {
            match result {
                Ok(text) => app.say(sanitize::line(&text), false),
                Err(e) => app.say(sanitize::line(&format!("Undo failed: {e}")), true),
            }
            if app.stack.log().is_some() {
                fx.push(Effect::Log(LogOp::Read));
            }
        }
    }
}

/// The question for a decision: what the undo does, in the present tense, with the safe
/// answer as the default.
fn ask(app: &mut App, target: UndoTarget, d: Decided) {
    let dialog = match d {
        Decided::One { entry, decision } => {
            let what = sanitize::line(&entry.summary());
            match &*decision {
                UndoDecision::Apply(_) => Dialog::new(
                    Ask::Undo {
                        target,
                        consent: Consent::default(),
                    },
                    "Undo the change?",
                )
                .body(vec![what, sanitize::line(&decision.describe())])
                .choice("Keep it", None, Answer::No)
                .choice("Undo", None, Answer::Yes)
                .default_to(Answer::No),
                UndoDecision::Conflict { .. } => Dialog::new(
                    Ask::Undo {
                        target,
                        consent: Consent {
                            overwrite: true,
                            delete: false,
                        },
                    },
                    "Changed on the server since",
                )
                .body(vec![
                    what,
                    sanitize::line(&decision.describe()),
                    "Undoing writes the old values over what is there now.".into(),
                ])
                .choice("Keep what is there", None, Answer::No)
                .choice("Write the old values", None, Answer::Yes)
                .default_to(Answer::No)
                .tone(Tone::Danger),
                UndoDecision::Delete { record, .. } => Dialog::new(
                    Ask::Undo {
                        target,
                        consent: Consent {
                            overwrite: false,
                            delete: true,
                        },
                    },
                    "Delete what the app created?",
                )
                .body(vec![
                    what,
                    format!(
                        "Undoing the create deletes {} from Syncro, with what is attached to it. Syncro has no undo for that.",
                        sanitize::line(&record.describe())
                    ),
                ])
                .choice("Keep it", None, Answer::No)
                .choice("Delete it", None, Answer::Yes)
                .default_to(Answer::No)
                .tone(Tone::Danger),
                UndoDecision::Recreate(_) => Dialog::new(
                    Ask::Recreate {
                        entry: entry.id.clone(),
                    },
                    "Re-create the deleted record?",
                )
                .body(vec![what, sanitize::line(&decision.describe())])
                .choice("Not now", None, Answer::No)
                .choice("Re-create it", None, Answer::Yes)
                .default_to(Answer::No),
                _ => {
                    return app.say(
                        sanitize::line(&format!("Nothing to undo: {}", decision.describe())),
                        false,
                    );
                }
            }
        }
        Decided::Group(g) => {
            let c = g.counts();
            let todo = c.apply + c.conflicts + c.deletes;
            if todo == 0 {
                return app.say(
                    format!(
                        "Nothing to undo in this group of {}: {} as before already or undone",
                        plural(g.items.len(), "change"),
                        c.nothing
                    ),
                    false,
                );
            }
            let mut body = vec![format!(
                "{} written back; {} changed on the server since (left as they are unless you choose to overwrite them); {} created by it to delete; {} deleted (re-create them from the log, one by one).",
                plural(c.apply, "record"),
                c.conflicts,
                c.deletes,
                c.recreate
            )];
            for i in g.conflicts().iter().take(3) {
                body.push(format!(
                    "  {}: {}",
                    sanitize::line(&i.entry.record.describe()),
                    sanitize::line(&i.decision.describe())
                ));
            }
            let group = UndoTarget::Group(g.group.clone());
            let mut d = Dialog::new(
                Ask::Undo {
                    target: group.clone(),
                    consent: Consent {
                        overwrite: false,
                        delete: true,
                    },
                },
                &format!("Undo these {}?", plural(g.items.len(), "change")),
            )
            .body(body)
            .choice("Keep them", None, Answer::No)
            .choice("Undo", None, Answer::Yes);
            if c.conflicts > 0 {
                d = d.choice(
                    "Undo, overwriting the changed ones",
                    Some('o'),
                    Answer::Later,
                );
            }
            d.default_to(Answer::No)
                .tone(if c.deletes > 0 || c.conflicts > 0 {
                    Tone::Danger
                } else {
                    Tone::Info
                })
        }
    };
    app.stack.push(Screen::Dialog(Box::new(dialog)));
}

/// The answer to an undo question.
pub fn answer(
    app: &mut App,
    target: UndoTarget,
    consent: Consent,
    answer: Answer,
    fx: &mut Vec<Effect>,
) {
    let consent = match answer {
        Answer::Yes => consent,
        // "Undo, overwriting the changed ones" (a group with conflicts).
        Answer::Later => Consent {
            overwrite: true,
            ..consent
        },
        _ => return,
    };
    app.say("Undoing…", false);
    fx.push(Effect::Log(LogOp::Undo { target, consent }));
}

/// The answer to "Re-create the deleted record?".
pub fn answer_recreate(app: &mut App, entry: String, answer: Answer, fx: &mut Vec<Effect>) {
    if answer == Answer::Yes {
        app.say("Re-creating…", false);
        fx.push(Effect::Log(LogOp::Recreate { entry }));
    }
}
