//! Forms end to end: the real binary in a pseudo-terminal against a demo server started here,
//! checked through the API afterwards.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use syncro_tui::api::model::{Contact, Customer};
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};

use super::pty::{PATIENCE, Session, demo_server, narrowing_customer, prefix};

const CTRL_S: &[u8] = b"\x13";
const CTRL_U: &[u8] = b"\x15";
const TAB: &[u8] = b"\t";
const DOWN: &[u8] = b"\x1b[B";

fn client(base_url: &str) -> SyncroClient {
    SyncroClient::new(ClientConfig::new(
        base_url,
        SecretString::from(crate::pty::KEY),
    ))
    .expect("client")
}

fn config() -> DemoConfig {
    DemoConfig {
        api_key: crate::pty::KEY.into(),
        rate_limit: None,
        ..DemoConfig::default()
    }
}

/// A customer the search narrows to exactly, with at least two contacts, all named.
async fn pick_customer(base_url: &str) -> Customer {
    narrowing_customer(base_url, async |_, c| {
        c.contacts.len() >= 2 && c.contacts.iter().all(|ct| ct.name.is_some())
    })
    .await
}

/// Narrows the list to the customer with this e-mail and opens its Contacts tab.
fn open_contacts_of(app: &mut Session, c: &Customer) {
    // The first pages from the server, or the account mirror once the background sync
    // built it.
    app.wait_for("the customer list", |s| {
        (s.contains("Customers 100 of") || s.contains("synced just now")) && s.contains("Phone")
    });
    app.key(b"/");
    app.send(c.email.as_deref().unwrap_or_default().as_bytes());
    app.wait_for("the search to narrow the list", |s| {
        s.contains("1 matching") && (s.contains("server 1 of 1 ") || s.contains("whole account"))
    });
    app.key(b"\r");
    app.key(TAB);
    app.key(b"2");
    let first = prefix(c.contacts[0].name.as_deref().unwrap_or_default(), 10);
    app.wait_for("the Contacts tab", |s| {
        s.contains("2 Contacts") && s.contains(&first)
    });
}

/// Every field of a contact except the ones named, for "nothing else changed".
fn rest_of(c: &Contact) -> serde_json::Value {
    let mut v = serde_json::to_value(c).expect("contact as JSON");
    let o = v.as_object_mut().expect("object");
    for k in ["phone", "updated_at"] {
        o.remove(k);
    }
    if let Some(p) = o.get_mut("properties").and_then(|p| p.as_object_mut()) {
        p.remove("title");
    }
    v
}

/// The draft files under a home directory.
fn drafts_in(home: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![home.join("data")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.parent().is_some_and(|d| d.ends_with("drafts"))
                && p.extension().is_some_and(|x| x == "json")
            {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_a_contacts_title_and_phone_from_the_keyboard() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let customer = pick_customer(&base_url).await;
    let api = client(&base_url);
    let before = api
        .get_contact(customer.contacts[0].id)
        .await
        .expect("contact");
    let home = tempfile::tempdir().expect("home");

    let c = customer.clone();
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&base_url, &home_path);
        open_contacts_of(&mut app, &c);
        app.key(b"e");
        app.wait_for("the contact form", |s| s.contains("Edit contact"));
        // Name -> Roles -> Title.
        app.key(DOWN);
        app.key(DOWN);
        app.key(CTRL_U);
        app.send("Head of IT ✓".as_bytes());
        // Title -> E-mail -> Phone.
        app.key(TAB);
        app.key(TAB);
        app.key(CTRL_U);
        app.send(b"+1 (503) 555-0199");
        app.wait_for("the typed phone", |s| s.contains("+1 (503) 555-0199"));
        app.key(CTRL_S);
        app.wait_for("Saved", |s| {
            s.contains("Saved") && !s.contains("Edit contact")
        });
        app.quit();
    })
    .await
    .expect("pty task");

    let after = api.get_contact(before.id).await.expect("contact");
    // The job title changed; the roles before it in the stored title stay.
    assert_eq!(
        after.title().as_deref(),
        Some("Decision Maker, Authorises Work - Head of IT ✓")
    );
    assert_eq!(after.phone.as_deref(), Some("+1 (503) 555-0199"));
    assert_eq!(rest_of(&after), rest_of(&before), "nothing else changed");
    assert!(after.updated_at > before.updated_at, "updated_at bumped");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_customer_with_a_bad_email_shows_errors_on_the_field() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let control = server.control();
    let home = tempfile::tempdir().expect("home");
    let home_path = home.path().to_path_buf();
    let url = base_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        app.wait_for("the customer list", |s| {
            s.contains("Customers 100 of") || s.contains("synced just now")
        });
        app.key(b"n");
        app.wait_for("the customer form", |s| s.contains("New customer"));
        app.send(b"Zebra Quartz Testing LLC");
        // Business name -> first -> last -> type -> e-mail.
        for _ in 0..4 {
            app.key(TAB);
        }
        app.send(b"zq-at-example");
        app.key(CTRL_S);
        // Client-side validation: nothing was sent.
        app.wait_for("the error on the e-mail field", |s| {
            s.contains("Not an e-mail address")
        });

        // Now a valid-looking address the server rejects (a scripted 422).
        control.fail_next(
            FaultRule::new(reqwest::Method::POST, "/customers")
                .status(422)
                .json(serde_json::json!({"message": ["Email is not an email"]})),
        );
        app.key(CTRL_U);
        app.send(b"zq@example.com");
        app.key(CTRL_S);
        let s = app.wait_for("the server's message on the field", |s| {
            s.contains("Email is not an email")
        });
        assert!(s.contains("Zebra Quartz Testing LLC"), "{s}");
        // Ctrl-S again: the create goes through and the customer is in the list.
        app.key(CTRL_S);
        app.wait_for("Saved", |s| {
            s.contains("Saved") && !s.contains("New customer")
        });
        app.quit();
    })
    .await
    .expect("pty task");
    let found = client(&base_url)
        .list_customers(&CustomerQuery {
            business_name: Some("Zebra Quartz Testing LLC".into()),
            page: 1,
            ..CustomerQuery::default()
        })
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1, "created exactly once");
    assert_eq!(found.items[0].email.as_deref(), Some("zq@example.com"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_while_the_server_is_down_keeps_everything_and_retries() {
    let server = demo_server().await;
    let addr: SocketAddr = server.addr();
    let base_url = server.base_url();
    let store = server.control().store();
    let customer = pick_customer(&base_url).await;
    let contact_id = customer.contacts[1].id;
    let home = tempfile::tempdir().expect("home");
    let home_path = home.path().to_path_buf();
    let url = base_url.clone();
    let (down_tx, down_rx) = mpsc::channel::<()>();
    let (up_tx, up_rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let typed = "Ünïcode Falls 日本 ✓";
    let pty = tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        open_contacts_of(&mut app, &customer);
        app.key(b"j");
        app.key(b"e");
        app.wait_for("the contact form", |s| s.contains("Edit contact"));
        // Name -> ... -> City.
        for _ in 0..8 {
            app.key(TAB);
        }
        app.key(CTRL_U);
        app.send(typed.as_bytes());
        app.wait_for("the typed city", |s| s.contains(typed));
        // The server goes away.
        down_tx.send(()).expect("stop the server");
        ready_rx.recv().expect("server stopped");
        app.key(CTRL_S);
        let s = app.wait_for("the failure", |s| s.contains("Not saved"));
        assert!(s.contains(typed), "the typed text is still there:\n{s}");
        assert!(s.contains("Edit contact"), "the form is still open:\n{s}");
        // It comes back on the same port; Ctrl-S saves.
        up_tx.send(()).expect("restart");
        ready_rx.recv().expect("server restarted");
        app.key(CTRL_S);
        app.wait_for("Saved", |s| {
            s.contains("Saved") && !s.contains("Edit contact")
        });
        app.quit();
    });
    tokio::task::spawn_blocking(move || down_rx.recv())
        .await
        .expect("join")
        .expect("signal");
    server.shutdown().await;
    ready_tx.send(()).expect("tell the app");
    up_rx.await.expect("restart signal");
    let server = DemoServer::start_with_store(addr, config(), store)
        .await
        .expect("restart on the same port");
    ready_tx.send(()).expect("tell the app");
    pty.await.expect("pty task");
    let after = client(&base_url)
        .get_contact(contact_id)
        .await
        .expect("contact");
    assert_eq!(after.city.as_deref(), Some(typed));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_app_offers_its_draft_back() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let customer = pick_customer(&base_url).await;
    let contact_id = customer.contacts[0].id;
    let home = tempfile::tempdir().expect("home");
    let home_path = home.path().to_path_buf();
    let url = base_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        open_contacts_of(&mut app, &customer);
        app.key(b"e");
        app.wait_for("the contact form", |s| s.contains("Edit contact"));
        // Name -> Roles -> Title.
        app.key(DOWN);
        app.key(DOWN);
        app.key(CTRL_U);
        app.send(b"Draft Survivor");
        app.wait_for("the typed title", |s| s.contains("Draft Survivor"));
        // The draft is written within a second of typing.
        let start = Instant::now();
        while drafts_in(&home_path).is_empty() {
            assert!(start.elapsed() < PATIENCE, "no draft was written");
            std::thread::sleep(Duration::from_millis(50));
        }
        app.child.kill().expect("SIGKILL");
        let _ = app.child.wait();

        let mut again = Session::start_in(&url, &home_path);
        again.wait_for("the draft offer", |s| s.contains("Unsaved draft found"));
        again.key(b"\r");
        let s = again.wait_for("the restored form", |s| {
            s.contains("Edit contact") && s.contains("Draft Survivor")
        });
        assert!(s.contains("●"), "the changed field is marked:\n{s}");
        again.key(CTRL_S);
        again.wait_for("Saved", |s| {
            s.contains("Saved") && !s.contains("Edit contact")
        });
        again.quit();
        let start = Instant::now();
        while !drafts_in(&home_path).is_empty() {
            assert!(start.elapsed() < PATIENCE, "the draft was not removed");
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .expect("pty task");
    let after = client(&base_url)
        .get_contact(contact_id)
        .await
        .expect("contact");
    assert_eq!(
        after.title().as_deref(),
        Some("Decision Maker, Authorises Work - Draft Survivor")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_a_contact_after_confirming() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let customer = pick_customer(&base_url).await;
    let victim = customer.contacts[0].clone();
    let count = customer.contacts.len();
    let home = tempfile::tempdir().expect("home");
    let home_path = home.path().to_path_buf();
    let url = base_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        open_contacts_of(&mut app, &customer);
        app.key(b"d");
        app.wait_for("the question", |s| s.contains("Delete contact?"));
        // The default answer is No: Enter keeps the contact.
        app.key(b"\r");
        app.wait_for("the question to close", |s| !s.contains("Delete contact?"));
        app.key(b"d");
        app.wait_for("the question", |s| s.contains("Delete contact?"));
        app.key(b"y");
        app.wait_for("the deletion", |s| s.contains("Contact deleted"));
        app.quit();
    })
    .await
    .expect("pty task");
    let api = client(&base_url);
    assert!(
        api.get_contact(victim.id).await.is_err(),
        "the contact is gone"
    );
    let now = api
        .get_customer(victim.customer_id.unwrap_or_default())
        .await
        .expect("customer");
    assert!(now.contacts.iter().all(|x| x.id != victim.id));
    assert_eq!(now.contacts.len() + 1, count, "only that contact went");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_e_edits_the_notes_in_the_editor_and_the_save_sends_them() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let customer = pick_customer(&base_url).await;
    let api = client(&base_url);
    let contact_id = customer.contacts[0].id;
    let home = tempfile::tempdir().expect("home");
    // The "editor": writes two lines into the file it is given, as a technician would.
    let editor = home.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'Gate code 4711\\nAsk for Dana at the desk' > \"$1\"\n",
    )
    .expect("editor script");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");

    let c = customer.clone();
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut app =
            Session::start_in_env(&base_url, &home_path, &[("VISUAL", editor.as_os_str())]);
        open_contacts_of(&mut app, &c);
        app.key(b"e");
        app.wait_for("the contact form", |s| s.contains("Edit contact"));
        // Name -> ... -> Notes, the last field.
        for _ in 0..11 {
            app.key(TAB);
        }
        app.key(b"\x05");
        app.wait_for("the notes back from the editor", |s| {
            s.contains("⏎Ask for Dana at the desk") && s.contains("Edit contact")
        });
        app.key(CTRL_S);
        app.wait_for("Saved", |s| {
            s.contains("Saved") && !s.contains("Edit contact")
        });
        app.quit();
    })
    .await
    .expect("pty task");

    let after = api.get_contact(contact_id).await.expect("contact");
    assert_eq!(
        after.notes.as_deref(),
        Some("Gate code 4711\nAsk for Dana at the desk")
    );
    server.shutdown().await;
}
