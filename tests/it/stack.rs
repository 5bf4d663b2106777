//! The screen stack's state bugs, driven through the real loop, the real worker and a demo
//! server on 127.0.0.1 by the in-process runner (`tui::testing`): keys in, frames out, no
//! sleeps.

use std::time::Duration;

use crossterm::event::KeyCode;
use reqwest::Method;
use serde_json::json;
use syncro_tui::api::model::{CustomerQuery, Patch};
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::demo::{DemoServer, FaultRule};
use syncro_tui::tui::testing::{Options, Runner};

use crate::pty::{KEY, demo_server};

fn start(server: &DemoServer) -> Runner {
    Runner::start(options(server)).unwrap()
}

/// The runner's options for this server, with its key.
fn options(server: &DemoServer) -> Options {
    let mut o = Options::new(&server.base_url());
    o.api_key = Some(KEY.into());
    o
}

fn client(server: &DemoServer) -> SyncroClient {
    let mut cfg = ClientConfig::new(server.base_url(), KEY.to_string().into());
    cfg.requests_per_minute = 0;
    SyncroClient::new(cfg).unwrap()
}

/// The mirror is built: the list holds the whole account.
async fn mirrored(r: &Runner) {
    r.wait_for_text("synced just now").await;
}

/// The id of the one customer named exactly `name` on the server.
async fn id_of(server: &DemoServer, name: &str) -> u64 {
    let q = CustomerQuery {
        business_name: Some(name.into()),
        page: 1,
        ..CustomerQuery::default()
    };
    let page = client(server).list_customers(&q).await.unwrap();
    page.items
        .iter()
        .find(|c| c.business_name.as_deref() == Some(name))
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("no customer {name}"))
}

/// Filters the list to `text` (Enter keeps the filter).
fn search(r: &Runner, text: &str) {
    r.keys("/");
    r.keys(text);
    r.key(KeyCode::Enter);
}

fn patch(v: serde_json::Value) -> Patch {
    v.as_object().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialog_raised_over_the_audit_returns_to_the_audit() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    // The tickets the detail asks for are refused, slowly: the answer lands on the audit.
    server.control().fail_next(
        FaultRule::new(Method::GET, "/tickets")
            .status(401)
            .json(json!({"error": "Failed to authenticate account"}))
            .delay(Duration::from_millis(500)),
    );
    r.keys("3");
    r.keys("A");
    r.wait_for_text("customer groups").await;
    r.wait_for_text("The server refused the request").await;
    r.key(KeyCode::Enter);
    let screen = r
        .wait_for("the audit again", |s| {
            s.contains("customer groups") && !s.contains("The server refused")
        })
        .await;
    // Esc leaves the audit for the list (the audit was where the dialog came back to).
    assert!(!screen.contains("Customers "), "{screen}");
    r.key(KeyCode::Esc);
    r.wait_for_text("Customers ").await;
}

const PROFILES: &str = r#"
default_profile = "main"
[profiles.main]
base_url = "URL"
api_key = "demo-pty-key-0001"
[profiles.bad]
base_url = "URL"
api_key = "wrong-key-123456"
[profiles.down]
base_url = "http://127.0.0.1:9/api/v1"
api_key = "demo-pty-key-0001"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_whose_key_is_refused_or_whose_server_is_down_leaves_the_current_one() {
    let server = demo_server().await;
    let mut options = options(&server);
    options.config = PROFILES.replace("URL", &server.base_url());
    options.profile = Some("main".into());
    options.api_key = None;
    let r = Runner::start(options).unwrap();
    mirrored(&r).await;
    let before = r.screen();
    assert!(
        before.contains(" main "),
        "the profile in use is shown:\n{before}"
    );
    r.keys(":profile bad\n");
    let s = r.wait_for_text("Could not switch to bad").await;
    assert!(s.contains("current profile stays"), "{s}");
    assert!(s.contains(" main ") && s.contains("Acme Dental"), "{s}");
    r.keys(":profile down\n");
    let s = r.wait_for_text("Could not switch to down").await;
    assert!(s.contains(" main ") && s.contains("Acme Dental"), "{s}");
    // The list still works on the account in use.
    search(&r, "Brightwater Law Group");
    r.wait_for_text("1 matching").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taking_theirs_in_a_conflict_shows_the_servers_values_at_once() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    let id = id_of(&server, "Harbor Food Bank").await;
    search(&r, "Harbor Food Bank");
    r.wait_for_text("1 matching").await;
    r.keys("e");
    r.wait_for_text("Edit customer").await;
    r.keys(" Inc");
    // A colleague renames it meanwhile.
    client(&server)
        .update_customer(
            id,
            &patch(json!({"business_name": "Harbor Community Pantry"})),
        )
        .await
        .unwrap();
    r.ctrl('s');
    r.wait_for_text("Someone changed these fields").await;
    r.keys("t");
    r.key(KeyCode::Enter);
    let s = r.wait_for_text("Nothing left to save").await;
    assert!(s.contains("Harbor Community Pantry"), "{s}");
    assert!(!s.contains("Harbor Food Bank Inc"), "{s}");

    // The same for a contact.
    r.keys("2");
    r.key(KeyCode::Tab);
    r.keys("e");
    r.wait_for_text("Edit contact").await;
    let contact = client(&server).get_customer(id).await.unwrap().contacts[0].clone();
    r.keys("zz");
    client(&server)
        .update_contact(
            contact.id,
            &patch(json!({"name": "Renamed By A Colleague"})),
        )
        .await
        .unwrap();
    r.ctrl('s');
    r.wait_for_text("Someone changed these fields").await;
    r.keys("t");
    r.key(KeyCode::Enter);
    let s = r.wait_for_text("Nothing left to save").await;
    assert!(s.contains("Renamed By A Colleague"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mirrors_age_in_the_list_title_keeps_counting() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    r.advance_clock(Duration::from_secs(8 * 60 + 5));
    r.wait_for_text("synced 8 min ago").await;
    r.advance_clock(Duration::from_secs(2 * 3600));
    r.wait_for_text("synced 2 h ago").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_of_the_mirror_without_a_match_says_so_and_waits_for_nothing() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    server.control().reset_stats();
    r.keys("/qqxzzyq");
    let s = r.wait_for_text("No customer matches").await;
    assert!(!s.contains("Asking the server"), "{s}");
    // Well past the server search's debounce: nothing was asked.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        server.control().stats().total,
        0,
        "{:?}",
        server.control().stats().by_route
    );
    assert!(!r.screen().contains("Asking the server"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_the_duplicate_instead_keeps_what_was_typed() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    r.keys("n");
    r.wait_for_text("New customer").await;
    r.keys("Brightwater Law Group, P.C.");
    r.ctrl('s');
    r.wait_for_text("Possible duplicates").await;
    r.ctrl('o');
    let s = r.wait_for_text("What you typed is kept").await;
    assert!(!s.contains("New customer"), "{s}");
    r.keys("n");
    let s = r.wait_for_text("New customer").await;
    assert!(s.contains("is back"), "{s}");
    assert!(s.contains("Brightwater Law Group, P.C."), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_answered_404_offers_to_create_the_record_anew() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    let id = id_of(&server, "Maple Grove Elementary School").await;
    search(&r, "Maple Grove Elementary");
    r.wait_for_text("1 matching").await;
    r.keys("e");
    r.wait_for_text("Edit customer").await;
    r.keys(" Annex");
    client(&server).delete_customer(id).await.unwrap();
    r.ctrl('s');
    let s = r.wait_for_text("is gone from Syncro").await;
    assert!(!s.contains("tries again"), "{s}");
    r.keys("c");
    r.wait_for_text("The form creates a new record now").await;
    r.ctrl('s');
    r.wait_for_text("Saved").await;
    let q = CustomerQuery {
        query: Some("Maple Grove Elementary School Annex".into()),
        page: 1,
        ..CustomerQuery::default()
    };
    let found = client(&server).list_customers(&q).await.unwrap();
    assert_eq!(found.items.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_and_messages_name_a_rebound_save_key() {
    let server = demo_server().await;
    let mut options = options(&server);
    options.config = "[keys.form]\nsave = \"ctrl-w\"\n".into();
    let r = Runner::start(options).unwrap();
    mirrored(&r).await;
    search(&r, "Harbor Food Bank");
    r.wait_for_text("1 matching").await;
    r.keys("e");
    let s = r.wait_for_text("Edit customer").await;
    assert!(s.contains("Ctrl-w save"), "{s}");
    assert!(!s.contains("Ctrl-s") && !s.contains("Ctrl-S"), "{s}");
    // A failed save names it too.
    server.control().fail_next(
        FaultRule::new(Method::PUT, "/customers")
            .status(500)
            .times(4),
    );
    r.keys("!");
    r.ctrl('w');
    let s = r.wait_for_text("Nothing you typed is lost").await;
    assert!(s.contains("Ctrl-w tries"), "{s}");
    assert!(!s.contains("Ctrl-s") && !s.contains("Ctrl-S"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_customer_hidden_by_the_search_is_shown_and_selected() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    search(&r, "qqxzzyq");
    r.wait_for_text("No customer matches").await;
    r.keys("n");
    r.wait_for_text("New customer").await;
    r.keys("Zephyr Widgets Ltd");
    r.ctrl('s');
    let s = r
        .wait_for("the new customer selected", |s| {
            s.contains("Saved") && s.contains("Zephyr Widgets Ltd")
        })
        .await;
    assert!(!s.contains("No customer matches"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contacts_tab_reads_the_customers_contacts_again() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    let id = id_of(&server, "Harbor Food Bank").await;
    search(&r, "Harbor Food Bank");
    r.wait_for_text("1 matching").await;
    // A colleague renames a contact: the customer's record (and so the mirror's sync) need not
    // change.
    let contact = client(&server).get_customer(id).await.unwrap().contacts[0].clone();
    client(&server)
        .update_contact(contact.id, &patch(json!({"name": "Renamed Elsewhere"})))
        .await
        .unwrap();
    r.keys("2");
    r.wait_for_text("Renamed Elsewhere").await;
}

/// The contacts pane through the real loop: find a contact across customers by two words,
/// give them a role and a title from the keyboard, retire them, see them go from the list and
/// come back with `x`; the server has each change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_is_found_across_customers_given_a_role_and_retired_from_the_keyboard() {
    let server = demo_server().await;
    let r = start(&server);
    mirrored(&r).await;
    r.keys("c");
    r.wait_for_text("Contacts ").await;
    r.keys("/brightwater eleanor");
    let s = r.wait_for_text("1 of").await;
    assert!(s.contains("Eleanor Whitfield"), "{s}");
    r.key(KeyCode::Enter);
    // Edit: the roles (decision maker, authorises work), then the job title.
    r.keys("e");
    r.wait_for_text("Edit contact").await;
    r.key(KeyCode::Tab);
    r.keys("da");
    r.wait_for_text("Decision maker, Authorises").await;
    r.key(KeyCode::Tab);
    r.ctrl('u');
    r.keys("Managing Partner");
    r.ctrl('s');
    r.wait_for_text("Saved").await;
    let id = id_of(&server, "Brightwater Law Group, P.C.").await;
    let customer = client(&server).get_customer(id).await.unwrap();
    let eleanor = customer
        .contacts
        .iter()
        .find(|c| c.name.as_deref() == Some("Eleanor Whitfield"))
        .unwrap()
        .clone();
    assert_eq!(
        eleanor.title().as_deref(),
        Some("Decision Maker, Authorises Work - Managing Partner")
    );
    // Retire: gone from the list, back with x.
    r.keys("L");
    r.wait_for_text("Retire the contact?").await;
    r.keys("y");
    r.wait_for_text("is retired").await;
    let s = r.wait_for_text("0 of").await;
    // Carl Hoffmann at Northwind left before; Eleanor now too.
    assert!(s.contains("2 who left hidden"), "{s}");
    assert!(s.contains("No contact matches"), "{s}");
    r.keys("x");
    let s = r.wait_for_text("(left) Eleanor Whitfield").await;
    assert!(s.contains("who left"), "{s}");
    let after = client(&server).get_contact(eleanor.id).await.unwrap();
    assert_eq!(
        after.title().as_deref(),
        Some("(left) Decision Maker, Authorises Work - Managing Partner")
    );
}
