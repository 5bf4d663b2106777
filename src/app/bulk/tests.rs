//! The bulk edit and the change log as state machines: keys and worker reports in, screens and
//! effects out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::state::{BulkEvent, BulkOp, BulkStage, Decided, LogEvent, LogOp};
use crate::api::model::Customer;
use crate::app::action::Action;
use crate::app::dialog::Ask;
use crate::app::effect::Effect;
use crate::app::keymap::map_key;
use crate::app::kinds::Mode;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{fixtures, update};
use crate::changelog::{Entry, UndoTarget};
use crate::flows::bulk::{BulkChange, BulkCounts, ItemStatus};
use crate::flows::undo::{Consent, decide_with};

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

fn chars(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars().flat_map(|c| key(app, KeyCode::Char(c))).collect()
}

fn bulk(app: &App) -> &super::state::BulkScreen {
    app.stack.bulk().expect("the bulk edit is open")
}

fn dialog_title(app: &App) -> Option<String> {
    app.stack.dialog().map(|d| d.title.clone())
}

/// The fixture list with its first two customers marked, the bulk edit open on them.
fn two_marked() -> App {
    let mut app = fixtures::app((120, 40));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.of(app.pane).len(), 2);
    key(&mut app, KeyCode::Char('e'));
    app
}

#[test]
fn e_with_marks_opens_one_change_for_the_marked_customers() {
    let app = two_marked();
    let b = bulk(&app);
    assert!(!b.contacts);
    assert_eq!(b.ids.len(), 2);
    assert_eq!(b.stage, BulkStage::Choose);
    // The first change is the customer type, a pick list: keys do not type into it.
    assert_eq!(b.current(), super::state::Choice::CustomerType);
    assert_eq!(app.mode(), Mode::Bulk);
    assert_eq!(b.value.value(), crate::domain::CUSTOMER_TYPES[0]);
}

#[test]
fn tab_cycles_the_picked_value_both_ways() {
    let mut app = two_marked();
    let types = crate::domain::CUSTOMER_TYPES;
    key(&mut app, KeyCode::Tab);
    assert_eq!(bulk(&app).value.value(), types[1]);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(bulk(&app).value.value(), types[types.len() - 1]);
}

#[test]
fn preview_then_the_safe_default_sends_nothing_and_yes_runs_the_plan() {
    let mut app = two_marked();
    // Government, whatever the fixtures hold: at least the one that is not yet.
    while bulk(&app).value.value() != "Government" {
        key(&mut app, KeyCode::Tab);
    }
    let fx = key(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "the preview sends nothing: {fx:?}");
    let BulkStage::Preview { plan, .. } = &bulk(&app).stage else {
        panic!("expected the preview, got {:?}", bulk(&app).stage);
    };
    assert_eq!(plan.items.len(), 2);
    assert!(
        matches!(plan.change, BulkChange::CustomerType { ref value, .. } if value == "Government")
    );
    let writes = plan.to_write();
    assert!(writes >= 1);

    // Enter on the preview asks; the dialog's default is "Not yet".
    key(&mut app, KeyCode::Enter);
    let title = dialog_title(&app).expect("a question");
    assert!(
        title.starts_with("Change ") && title.ends_with(" now?"),
        "{title}"
    );
    let fx = key(&mut app, KeyCode::Enter);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Bulk(_))), "{fx:?}");
    assert!(matches!(bulk(&app).stage, BulkStage::Preview { .. }));

    key(&mut app, KeyCode::Enter);
    let fx = key(&mut app, KeyCode::Char('y'));
    let run = fx.iter().find_map(|e| match e {
        Effect::Bulk(BulkOp::Run { plan, read_only }) => Some((plan.items.len(), *read_only)),
        _ => None,
    });
    assert_eq!(run, Some((2, false)));
    assert_eq!(bulk(&app).stage, BulkStage::Running);
}

#[test]
fn a_text_change_needs_its_value_and_esc_goes_back_to_the_choice() {
    let mut app = two_marked();
    key(&mut app, KeyCode::Down); // Referred by: free text
    assert_eq!(app.mode(), Mode::BulkForm);
    key(&mut app, KeyCode::Enter);
    assert_eq!(bulk(&app).stage, BulkStage::Choose);
    assert!(
        bulk(&app)
            .error
            .as_deref()
            .unwrap_or("")
            .contains("referral")
    );
    chars(&mut app, "Chamber of Commerce");
    assert_eq!(bulk(&app).error, None, "typing clears the message");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(bulk(&app).stage, BulkStage::Preview { .. }));
    key(&mut app, KeyCode::Esc);
    assert_eq!(bulk(&app).stage, BulkStage::Choose);
    assert_eq!(
        bulk(&app).value.value(),
        "Chamber of Commerce",
        "the typed value stays"
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.bulk().is_none());
    assert_eq!(
        app.marks.of(app.pane).len(),
        2,
        "the marks stay for another try"
    );
}

#[test]
fn read_only_refuses_the_bulk_edit() {
    let mut app = fixtures::app((120, 40));
    app.config.read_only = true;
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('e'));
    assert!(app.stack.bulk().is_none());
    let m = app.message.as_ref().expect("a refusal");
    assert!(m.error);
}

/// Sets the marked customers' type to Government, confirmed.
fn run_government(app: &mut App) {
    while bulk(app).value.value() != "Government" {
        key(app, KeyCode::Tab);
    }
    key(app, KeyCode::Enter);
    key(app, KeyCode::Enter);
    key(app, KeyCode::Char('y'));
    assert_eq!(bulk(app).stage, BulkStage::Running);
}

#[test]
fn a_hidden_run_reports_its_end_on_the_status_line() {
    let mut app = two_marked();
    run_government(&mut app);
    let items = bulk(&app).items.clone();
    update(
        &mut app,
        Action::Bulk(BulkEvent::Started {
            id: "run-1".into(),
            items,
        }),
    );
    // Esc hides the progress; the run goes on.
    key(&mut app, KeyCode::Esc);
    assert!(!app.stack.has(|s| matches!(s, Screen::Bulk(_))));
    let counts = BulkCounts {
        total: 2,
        done: 1,
        skipped: 1,
        ..BulkCounts::default()
    };
    update(
        &mut app,
        Action::Bulk(BulkEvent::Finished {
            counts,
            error: None,
        }),
    );
    let m = app.message.as_ref().expect("the end reported");
    assert!(m.text.starts_with("Bulk edit done"), "{}", m.text);
    assert!(m.text.contains("1 written, 1 skipped"), "{}", m.text);
    // The marks stay: `e` starts the next change for them.
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(bulk(&app).stage, BulkStage::Choose);
}

#[test]
fn a_hidden_run_that_stops_comes_back_on_top() {
    let mut app = two_marked();
    run_government(&mut app);
    let items = bulk(&app).items.clone();
    update(
        &mut app,
        Action::Bulk(BulkEvent::Started {
            id: "run-3".into(),
            items,
        }),
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    update(
        &mut app,
        Action::Bulk(BulkEvent::Finished {
            counts: BulkCounts {
                total: 2,
                failed: 1,
                pending: 1,
                ..BulkCounts::default()
            },
            error: Some("HTTP 502".into()),
        }),
    );
    assert_eq!(app.mode(), Mode::Bulk);
    assert!(matches!(&bulk(&app).stage, BulkStage::Done { error: Some(e), .. } if e == "HTTP 502"));
    // Hidden again, `e` brings it back rather than starting over.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('e'));
    assert!(matches!(
        bulk(&app).stage,
        BulkStage::Done { error: Some(_), .. }
    ));
    assert_eq!(bulk(&app).run_id.as_deref(), Some("run-3"));
}

#[test]
fn a_failed_run_resumes_with_r_and_an_unfinished_one_is_offered() {
    let mut app = two_marked();
    run_government(&mut app);
    let mut items = bulk(&app).items.clone();
    update(
        &mut app,
        Action::Bulk(BulkEvent::Started {
            id: "run-2".into(),
            items: items.clone(),
        }),
    );
    items[0].status = ItemStatus::Failed {
        error: "HTTP 502".into(),
    };
    update(
        &mut app,
        Action::Bulk(BulkEvent::Finished {
            counts: BulkCounts {
                total: 2,
                failed: 1,
                pending: 1,
                ..BulkCounts::default()
            },
            error: Some("HTTP 502".into()),
        }),
    );
    let fx = key(&mut app, KeyCode::Char('r'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Bulk(BulkOp::Resume { id, .. }) if id == "run-2")),
        "{fx:?}"
    );
    assert_eq!(bulk(&app).stage, BulkStage::Running);
}

fn customer(v: serde_json::Value) -> Customer {
    serde_json::from_value(v).unwrap()
}

/// An update entry of customer `id`'s city from Salem to Portland.
fn city_entry(id: u64) -> Entry {
    let before = customer(json!({"id": id, "business_name": "Harbor Dental", "city": "Salem"}));
    let mut patch = crate::api::model::Patch::new();
    patch.insert("city".into(), json!("Portland"));
    Entry::update(&before, &patch)
}

fn open_log(app: &mut App, entries: Vec<Entry>) {
    let fx = chars(app, ":log");
    assert!(fx.is_empty());
    let fx = key(app, KeyCode::Enter);
    assert!(fx.contains(&Effect::Log(LogOp::Read)), "{fx:?}");
    assert_eq!(app.mode(), Mode::Log);
    update(app, Action::Log(LogEvent::Entries(Ok(entries))));
}

#[test]
fn the_log_lists_filters_and_opens_the_record() {
    let mut app = fixtures::app((120, 40));
    let id = app.list.rows[3].id();
    let other = app.list.rows[0].id();
    open_log(&mut app, vec![city_entry(id), city_entry(other)]);
    assert_eq!(app.stack.log().unwrap().shown.len(), 2);
    // Enter on the first entry selects its customer in the list and closes the log.
    key(&mut app, KeyCode::Enter);
    assert!(app.stack.log().is_none());
    assert_eq!(app.list.selected().map(|r| r.id()), Some(id));

    // `:log TEXT` filters.
    chars(&mut app, ":log portland");
    key(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::Log(LogEvent::Entries(Ok(vec![city_entry(id)]))),
    );
    assert_eq!(app.stack.log().unwrap().shown.len(), 1);
    // `/` on the log puts its filter on the prompt.
    key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::Palette);
    assert_eq!(app.palette.input.value(), "log portland");
    for _ in 0.."portland".len() {
        key(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "nothing-like-this");
    key(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::Log(LogEvent::Entries(Ok(vec![city_entry(id)]))),
    );
    assert!(app.stack.log().unwrap().shown.is_empty());
}

#[test]
fn undo_asks_with_the_safe_default_and_yes_sends_the_undo() {
    let mut app = fixtures::app((120, 40));
    let e = city_entry(7);
    open_log(&mut app, vec![e.clone()]);
    let fx = key(&mut app, KeyCode::Char('u'));
    let target = UndoTarget::Entry(e.id.clone());
    assert!(
        fx.contains(&Effect::Log(LogOp::Decide(target.clone()))),
        "{fx:?}"
    );

    // The server still has what the change wrote: undo writes the old value back.
    let now = customer(json!({"id": 7, "business_name": "Harbor Dental", "city": "Portland"}));
    let decision = decide_with(&e, Some(&now.clone().into()), None, &e.server);
    update(
        &mut app,
        Action::Log(LogEvent::Decided {
            target: target.clone(),
            result: Ok(Decided::One {
                entry: Box::new(e.clone()),
                decision: Box::new(decision),
            }),
        }),
    );
    assert_eq!(dialog_title(&app).as_deref(), Some("Undo the change?"));
    let fx = key(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "Enter keeps the change: {fx:?}");
    assert_eq!(app.mode(), Mode::Log, "back on the log");

    update(
        &mut app,
        Action::Log(LogEvent::Decided {
            target: target.clone(),
            result: Ok(Decided::One {
                entry: Box::new(e.clone()),
                decision: Box::new(decide_with(&e, Some(&now.clone().into()), None, &e.server)),
            }),
        }),
    );
    let fx = key(&mut app, KeyCode::Char('y'));
    assert!(
        fx.contains(&Effect::Log(LogOp::Undo {
            target,
            consent: Consent::default()
        })),
        "{fx:?}"
    );
}

#[test]
fn a_change_made_again_by_a_colleague_asks_before_overwriting() {
    let mut app = fixtures::app((120, 40));
    let e = city_entry(7);
    open_log(&mut app, vec![e.clone()]);
    key(&mut app, KeyCode::Char('u'));
    let now = customer(json!({"id": 7, "business_name": "Harbor Dental", "city": "Eugene"}));
    let decision = decide_with(&e, Some(&now.into()), None, &e.server);
    let target = UndoTarget::Entry(e.id.clone());
    update(
        &mut app,
        Action::Log(LogEvent::Decided {
            target: target.clone(),
            result: Ok(Decided::One {
                entry: Box::new(e),
                decision: Box::new(decision),
            }),
        }),
    );
    assert_eq!(
        dialog_title(&app).as_deref(),
        Some("Changed on the server since")
    );
    let asked = app.stack.dialog().map(|d| d.ask.clone());
    assert!(matches!(asked, Some(Ask::Undo { consent, .. }) if consent.overwrite));
    let fx = key(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "Enter keeps what is there: {fx:?}");
}

#[test]
fn nothing_to_undo_is_said_without_a_question() {
    let mut app = fixtures::app((120, 40));
    let e = city_entry(7);
    open_log(&mut app, vec![e.clone()]);
    let now = customer(json!({"id": 7, "business_name": "Harbor Dental", "city": "Salem"}));
    let decision = decide_with(&e, Some(&now.into()), None, &e.server);
    update(
        &mut app,
        Action::Log(LogEvent::Decided {
            target: UndoTarget::Entry(e.id.clone()),
            result: Ok(Decided::One {
                entry: Box::new(e),
                decision: Box::new(decision),
            }),
        }),
    );
    assert_eq!(dialog_title(&app), None);
    let m = app.message.as_ref().expect("said");
    assert!(m.text.starts_with("Nothing to undo"), "{}", m.text);
}

#[test]
fn capital_u_undoes_the_last_change_and_read_only_refuses() {
    let mut app = fixtures::app((120, 40));
    let fx = key(&mut app, KeyCode::Char('U'));
    assert!(fx.contains(&Effect::Log(LogOp::DecideLast)), "{fx:?}");
    app.config.read_only = true;
    let fx = key(&mut app, KeyCode::Char('U'));
    assert!(fx.is_empty());
    assert!(app.message.as_ref().unwrap().error);
}

#[test]
fn the_preview_and_the_log_read_whole_at_80_columns() {
    let mut app = two_marked();
    update(&mut app, Action::Resize(80, 24));
    while bulk(&app).value.value() != "Government" {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Enter);
    let screen = crate::ui::tests::render(&app);
    assert!(
        screen.contains("Set Customer Type to Government"),
        "{screen}"
    );
    // The summary wraps rather than ending in an ellipsis.
    assert!(screen.contains("nothing sent"), "{screen}");
    assert!(!screen.contains("sent …"), "{screen}");
    assert!(screen.contains("→ Government"), "{screen}");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);

    let mut e = city_entry(7);
    e.record.label = "Northwind Traders International Holdings of the Pacific Northwest".into();
    open_log(&mut app, vec![e]);
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("When (UTC)"), "{screen}");
    // The list cuts the long name; the selected entry is shown whole under it.
    let flat: String = screen
        .lines()
        .map(|l| l.trim_matches(|c| c == '┃' || c == ' ' || c == '"'))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("Pacific Northwest"), "{screen}");
    assert!(flat.contains("City: Salem → Portland"), "{screen}");
}
