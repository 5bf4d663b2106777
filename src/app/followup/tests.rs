//! The follow-ups as a state machine: the Overview's lines and keys, the list's keys, and the
//! worker's answers.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::followup::state::{FollowupEvent, FollowupOp};
use crate::app::keymap::map_key;
use crate::app::kinds::{Focus, Mode, Tab};
use crate::app::state::App;
use crate::app::{fixtures, update};
use crate::followup::{Checklist, Item, Seen};

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match map_key(app.mode(), &KeyEvent::new(code, KeyModifiers::NONE)) {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

fn chars(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars().flat_map(|c| key(app, KeyCode::Char(c))).collect()
}

fn loaded_app() -> App {
    fixtures::app((120, 40))
}

fn checklist(app: &App) -> Checklist {
    let id = app.list.selected().unwrap().id();
    Checklist::new(id, "Acme", "s", "2026-05-01T00:00:00.000Z")
}

fn lists(app: &mut App, lists: Vec<Checklist>) -> Vec<Effect> {
    update(app, Action::Followup(FollowupEvent::Lists(Ok(lists))))
}

#[test]
fn an_open_checklist_leads_the_overview_and_is_looked_at_once() {
    let mut app = loaded_app();
    let c = checklist(&app);
    let id = c.customer_id;
    let fx = lists(&mut app, vec![c.clone()]);
    let view = app.detail.view.as_ref().unwrap();
    assert_eq!(view.fields[0].label, "Follow-ups");
    assert_eq!(
        view.fields[0].value,
        "0 of 4 done · Space ticks · o opens in Syncro"
    );
    assert!(
        view.fields[2]
            .value
            .starts_with("· Import existing inventory")
    );
    assert_eq!(
        fx,
        vec![Effect::Followup(FollowupOp::Check {
            customers: vec![id]
        })]
    );
    // Asked once: the answer does not ask again.
    let mut done = c.clone();
    done.apply(Seen {
        at: "2026-05-02T00:00:00.000Z".into(),
        assets: 2,
        ..Seen::default()
    });
    lists(&mut app, vec![done]);
    let fx = update(
        &mut app,
        Action::Followup(FollowupEvent::Checked {
            customer: id,
            result: Ok(vec![Item::Inventory]),
        }),
    );
    assert!(fx.is_empty(), "{fx:?}");
    let view = app.detail.view.as_ref().unwrap();
    assert_eq!(
        view.fields[2].value,
        "✓ Import existing inventory: 2 assets in Syncro (seen 2026-05-02)"
    );
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("Import existing inventory")
    );
}

#[test]
fn space_and_o_on_an_item_line_tick_it_and_open_its_page() {
    let mut app = loaded_app();
    let c = checklist(&app);
    let id = c.customer_id;
    lists(&mut app, vec![c]);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Detail);
    assert_eq!(app.detail.tab, Tab::Overview);
    // The heading line: Space marks the row as everywhere else.
    let fx = key(&mut app, KeyCode::Char(' '));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Followup(_))));
    assert!(app.marks.of(app.pane).contains(&id));
    // Marking moved the detail's cursor on to the agent line; down to the contract line
    // (heading, agent, inventory, contract).
    assert_eq!(app.detail.customer_id, Some(id));
    assert_eq!(app.detail.cursor(), 1);
    for _ in 0..2 {
        key(&mut app, KeyCode::Char('j'));
    }
    let fx = key(&mut app, KeyCode::Char(' '));
    assert_eq!(
        fx,
        vec![Effect::Followup(FollowupOp::Toggle {
            customer: id,
            item: Item::Contract
        })]
    );
    let fx = key(&mut app, KeyCode::Char('o'));
    assert_eq!(
        fx,
        vec![Effect::OpenUrl(format!(
            "https://acme.syncromsp.com/contracts/new?customer_id={id}"
        ))]
    );
}

#[test]
fn the_onboarding_list_ticks_opens_and_goes_to_the_customer() {
    let mut app = loaded_app();
    let c = checklist(&app);
    let id = c.customer_id;
    lists(&mut app, vec![c]);
    chars(&mut app, ":onboarding");
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Followups);
    assert!(fx.contains(&Effect::Followup(FollowupOp::Load)), "{fx:?}");
    key(&mut app, KeyCode::Char('G'));
    let fx = key(&mut app, KeyCode::Char(' '));
    assert_eq!(
        fx,
        vec![Effect::Followup(FollowupOp::Toggle {
            customer: id,
            item: Item::Billing
        })]
    );
    key(&mut app, KeyCode::Char('o'));
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("/schedules/new?customer_id="),
        "{:?}",
        app.message
    );
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.detail.customer_id, Some(id));
    assert_eq!(app.focus, Focus::Detail);
}
