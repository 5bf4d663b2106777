//! `update` as a state machine: keys, results and ticks in, state and effects out.

#[allow(unused_imports)]
use crate::app::prelude::*;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::fixtures;
use super::keymap::map_key;
use super::*;
use crate::api::ApiError;
use crate::api::model::Customer;

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    key_mod(app, code, KeyModifiers::NONE)
}

fn key_mod(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    match map_key(app.mode(), &KeyEvent::new(code, mods)) {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

fn chars(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars().flat_map(|c| key(app, KeyCode::Char(c))).collect()
}

fn selected_id(app: &App) -> Option<u64> {
    app.list.selected().map(|r| r.id())
}

fn loads(fx: &[Effect]) -> Vec<(u64, CustomerQuery)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::LoadCustomers { generation, query } => Some((*generation, query.clone())),
            _ => None,
        })
        .collect()
}

use crate::api::model::CustomerQuery;

/// Ticks from `t0` every 80 ms up to `until`, collecting effects.
fn tick_until(app: &mut App, t0: Instant, until: Duration) -> Vec<Effect> {
    let mut fx = Vec::new();
    let mut t = Duration::ZERO;
    while t <= until {
        fx.extend(update(app, Action::Tick(t0 + t)));
        t += TICK;
    }
    fx
}

#[test]
fn start_asks_for_the_first_page_sorted_by_name() {
    let mut app = App::new(fixtures::config());
    let fx = update::start(&mut app);
    let l = loads(&fx);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].1.page, 1);
    assert_eq!(l[0].1.sort.as_deref(), Some("business_name ASC"));
    assert!(!l[0].1.include_disabled);
    assert!(app.loading());
    assert_eq!(app.activity().as_deref(), Some("Loading customers, page 1"));
}

#[test]
fn navigation_moves_and_clamps_and_the_detail_follows() {
    let mut app = fixtures::app((100, 30));
    let n = app.list.shown.len();
    assert!(n >= 10);
    assert_eq!(app.list.cursor, 0);
    let first = selected_id(&app);
    assert_eq!(app.detail.customer_id, first);

    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Down);
    assert_eq!(app.list.cursor, 2);
    assert_eq!(app.detail.customer_id, selected_id(&app));
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.list.cursor, 1);
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.list.cursor, n - 1);
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.list.cursor, n - 1, "clamped at the end");
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.list.cursor, 0);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.list.cursor, 0, "clamped at the top");
    key(&mut app, KeyCode::End);
    assert_eq!(app.list.cursor, n - 1);
    key(&mut app, KeyCode::Home);
    key_mod(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert!(app.list.cursor > 0);
    key_mod(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(app.list.cursor, 0);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.list.cursor, n - 1, "a page is longer than the fixture");
}

#[test]
fn page_keys_move_by_the_visible_rows_and_keep_the_cursor_on_screen() {
    let mut app = fixtures::app_with((80, 24), fixtures::many(100), 1, 100);
    let vp = layout::list_viewport((80, 24), false);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.list.cursor, vp);
    assert!(app.list.offset <= app.list.cursor && app.list.cursor < app.list.offset + vp);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.list.cursor, 0);
    assert_eq!(app.list.offset, 0);
}

#[test]
fn focus_and_tabs_route_movement_to_the_detail() {
    let mut app = fixtures::app((100, 30));
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Detail);
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.list.cursor, 0, "the list stays put");
    assert_eq!(app.detail.cursor(), 1);
    key(&mut app, KeyCode::Char('2'));
    assert_eq!(app.detail.tab, Tab::Contacts);
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.detail.cursor(), 1);
    key(&mut app, KeyCode::Enter);
    assert!(app.detail.contact_open);
    key(&mut app, KeyCode::Esc);
    assert!(!app.detail.contact_open);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Focus::List);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus, Focus::Detail);
    key_mod(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(app.focus, Focus::List);
}

#[test]
fn the_next_page_loads_as_the_cursor_nears_the_end() {
    let mut app = fixtures::app_with((80, 24), fixtures::many(100), 3, 300);
    assert!(app.list.browse.loading.is_none(), "no prefetch at the top");
    assert_eq!(app.list.shown.len(), 100);
    let mut fx = Vec::new();
    for _ in 0..60 {
        fx.extend(key(&mut app, KeyCode::Char('j')));
    }
    assert!(loads(&fx).is_empty(), "row 60 of 100 is not near the end");
    for _ in 0..25 {
        fx.extend(key(&mut app, KeyCode::Char('j')));
    }
    let l = loads(&fx);
    assert_eq!(l.len(), 1, "exactly one request for page 2: {l:?}");
    assert_eq!(l[0].1.page, 2);
    let generation = l[0].0;
    // More movement while it loads asks for nothing more.
    assert!(loads(&key(&mut app, KeyCode::Char('j'))).is_empty());
    assert_eq!(
        app.activity().as_deref(),
        Some("Loading customers, page 2 of 3")
    );

    let more: Vec<Customer> = fixtures::many(200).into_iter().skip(100).collect();
    update(
        &mut app,
        Action::CustomersLoaded {
            generation,
            page: 2,
            result: Ok(fixtures::page(more, 2, 3, 300)),
        },
    );
    assert_eq!(app.list.shown.len(), 200);
    assert_eq!(app.list.browse.total_entries, Some(300));
    assert_eq!(app.list.cursor, 86, "the cursor stays on its customer");
}

#[test]
fn the_last_page_stops_paging() {
    let mut app = fixtures::app_with((80, 24), fixtures::many(30), 1, 30);
    let fx = key(&mut app, KeyCode::Char('G'));
    assert!(loads(&fx).is_empty());
    assert!(!app.list.browse.has_more);
}

#[test]
fn stale_pages_are_dropped() {
    let mut app = fixtures::app_with((80, 24), fixtures::many(100), 3, 300);
    let old_gen = app.list.browse.generation;
    // A sort change starts a new series.
    let fx = key(&mut app, KeyCode::Char('s'));
    let l = loads(&fx);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].1.sort.as_deref(), Some("city ASC"));
    assert_ne!(l[0].0, old_gen);
    let before = app.list.rows.len();
    update(
        &mut app,
        Action::CustomersLoaded {
            generation: old_gen,
            page: 2,
            result: Ok(fixtures::page(fixtures::customers(), 2, 3, 300)),
        },
    );
    assert_eq!(app.list.rows.len(), before, "an old answer changes nothing");
}

#[test]
fn typing_filters_at_once_and_asks_the_server_after_a_pause() {
    let mut app = fixtures::app((100, 30));
    let t0 = Instant::now();
    key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::Search);
    let fx = chars(&mut app, "acme");
    assert!(fx.is_empty(), "no request while typing");
    assert_eq!(app.list.shown.len(), 1, "the loaded rows filter at once");
    assert_eq!(
        app.list.selected().map(|r| r.view.name()),
        Some("Acme Plumbing, Inc.")
    );
    assert!(app.wants_tick(), "the debounce needs ticks");

    // Typing pauses for less than the debounce: still nothing.
    let fx = tick_until(&mut app, t0, Duration::from_millis(160));
    assert!(loads(&fx).is_empty());
    // Another key re-arms the debounce.
    chars(&mut app, " ");
    let t1 = t0 + Duration::from_millis(200);
    let fx = tick_until(&mut app, t1, Duration::from_millis(160));
    assert!(loads(&fx).is_empty());
    let fx = tick_until(
        &mut app,
        t1 + Duration::from_millis(240),
        Duration::from_millis(200),
    );
    let l = loads(&fx);
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0].1.query.as_deref(), Some("acme"));
    assert_eq!(l[0].1.page, 1);
}

#[test]
fn a_stale_search_result_never_overwrites_a_newer_one() {
    let mut app = fixtures::app((100, 30));
    let t0 = Instant::now();
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "north");
    let first = loads(&tick_until(&mut app, t0, Duration::from_millis(400)));
    assert_eq!(first.len(), 1);
    chars(&mut app, "wind branch 1");
    let t1 = t0 + Duration::from_secs(1);
    let second = loads(&tick_until(&mut app, t1, Duration::from_millis(400)));
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].1.query.as_deref(), Some("northwind branch 1"));

    // The newer answer arrives first, then the old one.
    let hit = fixtures::customers()
        .into_iter()
        .filter(|c| c.id == 21000011)
        .collect();
    update(
        &mut app,
        Action::CustomersLoaded {
            generation: second[0].0,
            page: 1,
            result: Ok(fixtures::page(hit, 1, 1, 1)),
        },
    );
    let stale: Vec<Customer> = fixtures::many(5);
    update(
        &mut app,
        Action::CustomersLoaded {
            generation: first[0].0,
            page: 1,
            result: Ok(fixtures::page(stale, 1, 9, 900)),
        },
    );
    let remote = app.list.remote.as_ref().expect("server search");
    assert_eq!(remote.query, "northwind branch 1");
    assert_eq!(remote.paging.total_entries, Some(1));
    assert!(
        !app.list.rows.iter().any(|r| r.id() >= 30_000_000),
        "rows of the stale answer were not added"
    );
}

#[test]
fn server_results_join_the_list_and_enter_keeps_the_filter() {
    let mut app = fixtures::app((100, 30));
    let t0 = Instant::now();
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "company 000042");
    assert_eq!(app.list.shown.len(), 0, "not loaded yet");
    let l = loads(&tick_until(&mut app, t0, Duration::from_millis(400)));
    let found: Vec<Customer> = fixtures::many(43).into_iter().skip(42).collect();
    update(
        &mut app,
        Action::CustomersLoaded {
            generation: l[0].0,
            page: 1,
            result: Ok(fixtures::page(found, 1, 1, 1)),
        },
    );
    assert_eq!(app.list.shown.len(), 1);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(
        app.search.text(),
        "company 000042",
        "Enter keeps the filter"
    );
    assert_eq!(app.list.shown.len(), 1);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.search.text(), "", "Esc in the list clears it");
    assert!(app.list.remote.is_none());
}

#[test]
fn search_finds_contacts_emails_and_phone_digits() {
    let mut app = fixtures::app((100, 30));
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "alice@acme");
    assert_eq!(selected_id(&app), Some(21000001));
    assert_eq!(app.list.shown.len(), 1);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(app.list.shown.len(), 11, "Esc clears the search");
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "(555) 666-7777");
    assert_eq!(app.list.shown.len(), 1);
    assert_eq!(
        app.list.selected().map(|r| r.view.person()),
        Some("María José García")
    );
}

#[test]
fn q_and_j_typed_into_the_search_are_text() {
    let mut app = fixtures::app((100, 30));
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "qj");
    assert!(!app.quit, "q in the search does not quit");
    assert_eq!(app.search.text(), "qj");
    assert_eq!(app.list.cursor, 0);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.search.text(), "q");
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit, "q in the list quits");
}

#[test]
fn ctrl_c_quits_from_the_search() {
    let mut app = fixtures::app((100, 30));
    key(&mut app, KeyCode::Char('/'));
    key_mod(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(app.quit);
}

#[test]
fn errors_go_to_the_status_line() {
    let mut app = App::new(fixtures::config());
    let fx = update::start(&mut app);
    let generation = loads(&fx)[0].0;
    update(
        &mut app,
        Action::CustomersLoaded {
            generation,
            page: 1,
            result: Err(ApiError::Connect {
                message: "connection refused".into(),
            }),
        },
    );
    assert_eq!(app.mode(), Mode::Normal, "not blocking: no modal");
    let m = app.message.as_ref().expect("a message");
    assert!(m.error);
    assert!(m.text.contains("Cannot reach the server"), "{}", m.text);
    assert!(m.text.contains("Check the network"), "{}", m.text);
    assert!(!app.loading());
    // r retries.
    let fx = key(&mut app, KeyCode::Char('r'));
    assert_eq!(loads(&fx).len(), 1);
}

#[test]
fn a_refused_key_opens_a_modal() {
    let mut app = App::new(fixtures::config());
    let generation = loads(&update::start(&mut app))[0].0;
    update(
        &mut app,
        Action::CustomersLoaded {
            generation,
            page: 1,
            result: Err(ApiError::Unauthorized {
                message: "Failed to authenticate account".into(),
            }),
        },
    );
    assert_eq!(app.mode(), Mode::Dialog);
    let m = app.stack.dialog().expect("modal");
    assert!(
        m.body.iter().any(|p| p.contains("rejected the API key")),
        "{m:?}"
    );
    // Keys other than dismiss and quit do nothing in the modal.
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.mode(), Mode::Dialog);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.stack.dialog().is_none());
}

#[test]
fn a_missing_key_explains_itself_and_requests_nothing() {
    let mut config = fixtures::config();
    config.startup_problem = Some(Dialog::message(
        "No API key",
        vec!["Set SYNCRO_API_KEY.".into()],
        true,
    ));
    let mut app = App::new(config);
    assert!(update::start(&mut app).is_empty());
    assert_eq!(app.mode(), Mode::Dialog);
    key(&mut app, KeyCode::Esc);
    assert!(loads(&key(&mut app, KeyCode::Char('r'))).is_empty());
    assert_eq!(app.mode(), Mode::Dialog, "r shows the explanation again");
}

#[test]
fn tabs_load_on_demand_and_debounce_while_the_cursor_moves() {
    let mut app = fixtures::app((100, 30));
    let acme = selected_id(&app).unwrap();
    let fx = key(&mut app, KeyCode::Char('3'));
    assert_eq!(
        fx,
        vec![Effect::LoadTickets {
            customer_id: acme,
            generation: match app.extras[&acme].tickets {
                Load::Loading { generation } => generation,
                _ => panic!("loading"),
            }
        }]
    );
    // Moving fast over several customers requests nothing.
    let mut fx = Vec::new();
    for _ in 0..3 {
        fx.extend(key(&mut app, KeyCode::Char('j')));
    }
    assert!(fx.is_empty());
    let now = selected_id(&app).unwrap();
    let t0 = Instant::now();
    let fx = tick_until(&mut app, t0, Duration::from_millis(320));
    let tickets: Vec<&Effect> = fx
        .iter()
        .filter(|e| matches!(e, Effect::LoadTickets { .. }))
        .collect();
    assert_eq!(tickets.len(), 1, "one load, for where the cursor rests");
    assert!(matches!(tickets[0], Effect::LoadTickets { customer_id, .. } if *customer_id == now));

    // The first customer's answer arrives late: it is kept for that customer only.
    let generation = match app.extras[&acme].tickets {
        Load::Loading { generation } => generation,
        _ => panic!(),
    };
    update(
        &mut app,
        Action::TicketsLoaded {
            customer_id: acme,
            generation,
            result: Ok(fixtures::tickets(acme)),
        },
    );
    assert!(matches!(&app.extras[&acme].tickets, Load::Loaded(t) if t.len() == 3));
    assert!(app.extras[&now].tickets.is_loading());
    // An answer with a wrong generation is dropped.
    update(
        &mut app,
        Action::TicketsLoaded {
            customer_id: now,
            generation: 9999,
            result: Ok(vec![]),
        },
    );
    assert!(app.extras[&now].tickets.is_loading());
}

#[test]
fn tickets_are_newest_first() {
    let mut app = fixtures::app((100, 30));
    let id = selected_id(&app).unwrap();
    key(&mut app, KeyCode::Char('3'));
    let generation = match app.extras[&id].tickets {
        Load::Loading { generation } => generation,
        _ => panic!(),
    };
    update(
        &mut app,
        Action::TicketsLoaded {
            customer_id: id,
            generation,
            result: Ok(fixtures::tickets(id)),
        },
    );
    let Load::Loaded(rows) = &app.extras[&id].tickets else {
        panic!()
    };
    let numbers: Vec<&str> = rows.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["1090", "1077", "1041"]);
}

#[test]
fn invoices_are_scanned_once_and_grouped_by_customer() {
    let mut app = fixtures::app((100, 30));
    let id = selected_id(&app).unwrap();
    let fx = key(&mut app, KeyCode::Char('5'));
    let Some(Effect::ScanInvoices { generation }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    update(
        &mut app,
        Action::InvoicesPage {
            generation,
            page: 1,
            total_pages: Some(2),
            last: false,
            result: Ok(fixtures::invoices(id, 21000002)),
        },
    );
    assert_eq!(
        app.activity().as_deref(),
        Some("Scanning invoices, page 2 of 2")
    );
    let mine: Vec<&str> = app.invoices.by_customer[&id]
        .iter()
        .map(|i| i.number.as_str())
        .collect();
    assert_eq!(
        mine,
        ["INV-2077", "INV-2041"],
        "newest first, only this customer's"
    );
    // Another customer's tab does not scan again.
    key(&mut app, KeyCode::Char('j'));
    let fx = tick_until(&mut app, Instant::now(), Duration::from_millis(400));
    assert!(!fx.iter().any(|e| matches!(e, Effect::ScanInvoices { .. })));
}

#[test]
fn disabled_customers_are_hidden_until_toggled() {
    let mut app = fixtures::app_with((100, 30), fixtures::customers(), 1, 12);
    assert!(
        !app.list
            .shown
            .iter()
            .any(|&i| app.list.rows[i].customer().disabled)
    );
    let fx = key(&mut app, KeyCode::Char('x'));
    assert!(
        app.list
            .shown
            .iter()
            .any(|&i| app.list.rows[i].customer().disabled)
    );
    let l = loads(&fx);
    assert_eq!(l.len(), 1);
    assert!(l[0].1.include_disabled, "the server is asked for them too");
}

#[test]
fn sort_cycles_and_reverses() {
    let mut app = fixtures::app((100, 30));
    let names = |app: &App| -> Vec<String> {
        app.list
            .shown
            .iter()
            .map(|&i| app.list.rows[i].view.name().to_string())
            .collect()
    };
    let by_name = names(&app);
    let mut sorted = by_name.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(by_name, sorted);
    key(&mut app, KeyCode::Char('S'));
    let mut rev = by_name.clone();
    rev.reverse();
    assert_eq!(names(&app), rev);
    assert_eq!(app.sort.label(), "name ↓");
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort.key, SortKey::City);
    key(&mut app, KeyCode::Char('s'));
    let fx = key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort.key, SortKey::Updated);
    assert_eq!(loads(&fx)[0].1.sort.as_deref(), Some("updated_at DESC"));
}

#[test]
fn copy_takes_the_focused_value_sanitised_and_the_phone_as_shown() {
    let mut app = fixtures::app((100, 30));
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "evil");
    key(&mut app, KeyCode::Enter);
    let fx = key(&mut app, KeyCode::Char('y'));
    let Some(Effect::Copy(v)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert!(!v.contains('\x1b') && !v.contains('\x07'), "{v:?}");
    assert!(v.starts_with("Evil"));

    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Tab);
    // Overview: Business, Person, Type, E-mail, Phone...
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('j'));
    }
    let fx = key(&mut app, KeyCode::Char('y'));
    // As shown, as in the form and the list.
    assert_eq!(fx, vec![Effect::Copy("(555) 000-1111".into())]);
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .starts_with("Copied phone")
    );
}

#[test]
fn open_in_browser_uses_the_web_address_or_shows_it_in_demo() {
    let mut app = fixtures::app((100, 30));
    let fx = key(&mut app, KeyCode::Char('o'));
    assert_eq!(
        fx,
        vec![Effect::OpenUrl(
            "https://acme.syncromsp.com/customers/21000001".into()
        )]
    );
    app.config.demo = true;
    let fx = key(&mut app, KeyCode::Char('o'));
    assert!(fx.is_empty());
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("/customers/21000001")
    );
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = fixtures::app((80, 24));
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Help);
    for _ in 0..500 {
        key(&mut app, KeyCode::Char('j'));
    }
    let max = app.stack.help().map_or(0, |h| h.scroll);
    assert!(max > 0);
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(
        app.stack.help().map_or(0, |h| h.scroll),
        max,
        "scrolling stops at the end"
    );
    key(&mut app, KeyCode::Char('q'));
    assert_eq!(app.mode(), Mode::Normal);
    assert!(!app.quit, "q closes the help, it does not quit");
}

#[test]
fn idle_app_wants_no_ticks() {
    let mut app = fixtures::app((100, 30));
    assert!(!app.wants_tick());
    key(&mut app, KeyCode::Char('/'));
    chars(&mut app, "x");
    assert!(app.wants_tick());
    key(&mut app, KeyCode::Esc);
    assert!(!app.wants_tick());
}

#[test]
fn a_refresh_starts_over_and_replaces_the_rows() {
    let mut app = fixtures::app((100, 30));
    let fx = key(&mut app, KeyCode::Char('r'));
    let l = loads(&fx);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].1.page, 1);
    let one: Vec<Customer> = fixtures::customers().into_iter().take(1).collect();
    update(
        &mut app,
        Action::CustomersLoaded {
            generation: l[0].0,
            page: 1,
            result: Ok(fixtures::page(one, 1, 1, 1)),
        },
    );
    assert_eq!(
        app.list.rows.len(),
        1,
        "deleted customers disappear on refresh"
    );
}

#[test]
fn incremental_filtering_equals_a_fresh_filter_after_every_key() {
    let mut app = fixtures::app_with((100, 30), fixtures::many(2000), 1, 2000);
    key(&mut app, KeyCode::Char('/'));
    for text in ["55", "555", "555 0", "555 00", "555 0001", "555 0001x"] {
        let typed = app.search.text().to_string();
        let add = &text[typed.len()..];
        chars(&mut app, add);
        let needle = view::Needle::new(text);
        let fresh: Vec<usize> = app
            .list
            .order
            .iter()
            .copied()
            .filter(|&i| needle.matches(&app.list.rows[i].view))
            .collect();
        assert_eq!(app.list.shown, fresh, "after typing {text:?}");
    }
    assert!(app.list.shown.is_empty());
    key(&mut app, KeyCode::Backspace);
    // 5550001000..5550001999 contain "5550001" (and nothing else in the 2000).
    assert_eq!(app.list.shown.len(), 1000);
}

#[test]
fn the_detail_scrolls_only_when_the_cursor_would_leave_it() {
    let mut long = fixtures::customers().remove(0);
    long.notes = Some((1..=60).map(|i| format!("note line {i}\n")).collect());
    let mut app = fixtures::app_with((80, 24), vec![long], 1, 1);
    let h = usize::from(layout::detail_content((80, 24)).height);
    key(&mut app, KeyCode::Tab);
    for _ in 0..h + 5 {
        key(&mut app, KeyCode::Char('j'));
    }
    let scrolled = app.detail.scroll[0];
    assert!(scrolled > 0, "moving past the bottom scrolls");
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(
        app.detail.scroll[0], scrolled,
        "moving back up inside the view does not"
    );
    key(&mut app, KeyCode::Char('G'));
    let bottom = app.detail.scroll[0];
    assert!(bottom > scrolled);
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.detail.scroll[0], 0);
    key_mod(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(
        app.detail.scroll[0], 0,
        "half a page down stays on the first screen"
    );
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    let mut app = fixtures::app((100, 30));
    let rows = layout::list_rows_area(
        layout::screen(ratatui::layout::Rect::new(0, 0, 100, 30)).list,
        false,
    );
    update(&mut app, Action::Click(rows.x + 2, rows.y + 3));
    assert_eq!(app.list.cursor, 3);
    assert_eq!(app.detail.customer_id, selected_id(&app));
    let detail = layout::screen(ratatui::layout::Rect::new(0, 0, 100, 30)).detail;
    update(&mut app, Action::Click(detail.x + 3, detail.y + 3));
    assert_eq!(app.focus, Focus::Detail);
    update(&mut app, Action::Scroll(2));
    assert_eq!(app.detail.cursor(), 2, "the wheel moves the focused pane");
    // Clicks below the last row select nothing.
    update(
        &mut app,
        Action::Click(rows.x + 2, rows.y + rows.height - 1),
    );
    assert_eq!(app.list.cursor, 3);
    assert_eq!(app.focus, Focus::List);
}

#[test]
fn a_refresh_after_scrolling_keeps_the_customer_and_never_indexes_past_the_rows() {
    let mut app = fixtures::app((100, 30));
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    let kept = selected_id(&app).expect("a selection");
    let fx = key(&mut app, KeyCode::Char('r'));
    let l = loads(&fx);
    // The first page now holds fewer customers than the cursor's old position.
    let few: Vec<Customer> = fixtures::customers()
        .into_iter()
        .filter(|c| c.id == kept || c.id == 21000001)
        .collect();
    update(
        &mut app,
        Action::CustomersLoaded {
            generation: l[0].0,
            page: 1,
            result: Ok(fixtures::page(few, 1, 1, 2)),
        },
    );
    assert_eq!(app.list.rows.len(), 2);
    assert_eq!(selected_id(&app), Some(kept));
}

#[test]
fn ctrl_z_suspends_from_every_screen_and_changes_nothing() {
    let mut app = fixtures::app((100, 30));
    for open in [None, Some(KeyCode::Char('?')), Some(KeyCode::Char('/'))] {
        key(&mut app, KeyCode::Esc);
        if let Some(k) = open {
            key(&mut app, k);
        }
        let mode = app.mode();
        let selected = app.list.selected().map(|r| r.id());
        let fx = key_mod(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
        assert_eq!(fx, vec![Effect::Suspend], "{mode:?}");
        assert_eq!(app.mode(), mode);
        assert_eq!(app.list.selected().map(|r| r.id()), selected);
        assert!(!app.quit);
    }
    // In a form the typed text stays (Ctrl-Z is not a character).
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.mode(), Mode::Form);
    key(&mut app, KeyCode::Char('x'));
    let before = format!("{:?}", app.stack.form());
    let fx = key_mod(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(fx, vec![Effect::Suspend]);
    assert_eq!(format!("{:?}", app.stack.form()), before);
}

#[test]
fn help_from_the_audit_opens_at_its_keys_and_returns_to_it() {
    let mut app = fixtures::app((100, 30));
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Help);
    assert_eq!(
        app.stack.help().map_or(0, |h| h.scroll),
        0,
        "the list's help starts at the top"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);

    key(&mut app, KeyCode::Char('A'));
    update(
        &mut app,
        Action::Audit(crate::app::audit::state::AuditEvent::Dismissed(
            Default::default(),
        )),
    );
    assert_eq!(app.mode(), Mode::Audit);
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Help);
    // The help as drawn: its lines wrapped to the overlay's inner width.
    let w = usize::from(crate::app::layout::help_area(app.size).width - 2);
    let lines = crate::app::help::screen_lines(&app.config, w);
    assert!(
        matches!(&lines[app.stack.help().map_or(0, |h| h.scroll)], crate::app::help::HelpLine::Heading(h) if h == "Duplicate audit"),
        "{:?}",
        lines.get(app.stack.help().map_or(0, |h| h.scroll))
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Audit);
    assert!(app.stack.audit().is_some());
}

#[test]
fn a_request_held_by_the_rate_limit_says_so_in_the_status_line() {
    let mut app = fixtures::app((100, 30));
    app.list.browse.loading = Some(2);
    let plain = app.activity().unwrap();
    assert!(plain.starts_with("Loading customers"), "{plain}");
    update(
        &mut app,
        Action::RateWait(
            Some(Duration::from_millis(11_200)),
            Some(crate::api::WaitReason::RateLimited),
        ),
    );
    let held = app.activity().unwrap();
    assert!(
        held.starts_with("Loading customers")
            && held.ends_with("rate limited by Syncro, resuming in 12 s"),
        "{held}"
    );
    // Waits under a second are the normal pace, not news.
    // Our own pacing says so: it is not Syncro refusing.
    update(
        &mut app,
        Action::RateWait(
            Some(Duration::from_millis(3_500)),
            Some(crate::api::WaitReason::OwnPacing),
        ),
    );
    let own = app.activity().unwrap();
    assert!(
        own.ends_with("waiting for the rate limit (our own pacing), 4 s"),
        "{own}"
    );
    // Waits under a second are the normal pace, not news.
    update(
        &mut app,
        Action::RateWait(
            Some(Duration::from_millis(400)),
            Some(crate::api::WaitReason::OwnPacing),
        ),
    );
    assert_eq!(app.activity().unwrap(), plain);
    update(&mut app, Action::RateWait(None, None));
    assert_eq!(app.activity().unwrap(), plain);
}

/// The dialogs a technician meets on the way to a destructive answer (deleting a contact or a
/// customer, throwing an edited form away, undoing a change) open on the safe answer, and
/// Enter at once does what is highlighted: nothing is deleted or thrown away.
#[test]
fn destructive_dialogs_open_on_the_safe_answer_and_enter_does_what_is_highlighted() {
    type Open = fn(&mut App);
    let opens: [(&str, Open); 4] = [
        ("delete contact", |app| {
            key(app, KeyCode::Tab);
            key(app, KeyCode::Char('2'));
            key(app, KeyCode::Char('d'));
        }),
        ("delete customer", |app| {
            key(app, KeyCode::Char('D'));
        }),
        ("discard edits", |app| {
            key(app, KeyCode::Char('e'));
            chars(app, "!");
            key(app, KeyCode::Esc);
        }),
        ("quit with edits", |app| {
            key(app, KeyCode::Char('e'));
            chars(app, "!");
            key_mod(app, KeyCode::Char('c'), KeyModifiers::CONTROL);
        }),
    ];
    for (what, open) in opens {
        let mut app = fixtures::app((100, 30));
        open(&mut app);
        let d = app
            .stack
            .dialog()
            .unwrap_or_else(|| panic!("{what}: no dialog"));
        let lit = d.highlighted().map(|c| c.answer);
        assert!(
            lit.is_none() || lit == Some(d.cancel),
            "{what}: opens on {lit:?}, the safe answer is {:?}",
            d.cancel
        );
        let fx = key(&mut app, KeyCode::Enter);
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Delete(_) | Effect::RemoveDraft(_))),
            "{what}: Enter did {fx:?}"
        );
        assert!(!app.quit, "{what}: Enter quit");
        if what != "delete customer" {
            assert!(app.stack.dialog().is_none(), "{what}: Enter answers");
        }
    }
}
