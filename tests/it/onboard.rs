//! Client onboarding end to end: the real binary in a pseudo-terminal against a demo server
//! started here, the whole flow typed from the keyboard, a failure injected at the second
//! contact, the app quit and started again, the unfinished onboarding resumed from the offer
//! at start, and the result checked through the API: exactly one customer and exactly the
//! right contacts.

use reqwest::Method;
use secrecy::SecretString;
use syncro_tui::api::model::Id;
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::demo::FaultRule;

use super::pty::{Session, demo_server, list_shown};

const CTRL_S: &[u8] = b"\x13";
const TAB: &[u8] = b"\t";
const ENTER: &[u8] = b"\r";
const ESC: &[u8] = b"\x1b";

const BUSINESS: &str = "Harbor Lights Dental Studio";

fn client(base_url: &str) -> SyncroClient {
    SyncroClient::new(ClientConfig::new(
        base_url,
        SecretString::from(crate::pty::KEY),
    ))
    .expect("client")
}

/// Every customer whose business name contains [`BUSINESS`], disabled ones included.
async fn customers_named(c: &SyncroClient) -> Vec<Id> {
    c.all_customers(&CustomerQuery {
        business_name: Some(BUSINESS.into()),
        include_disabled: true,
        ..CustomerQuery::default()
    })
    .await
    .expect("customers")
    .iter()
    .filter(|c| c.business_name.as_deref() == Some(BUSINESS))
    .map(|c| c.id)
    .collect()
}

/// (name, e-mail, title) of every contact of the customer, sorted.
async fn contacts_of(c: &SyncroClient, id: Id) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = c
        .all_contacts(Some(id))
        .await
        .expect("contacts")
        .iter()
        .map(|ct| {
            (
                ct.name.clone().unwrap_or_default(),
                ct.email.clone().unwrap_or_default(),
                ct.title().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected_contacts() -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = [
        (
            "Sandra Okafor",
            "sandra@harborlights.example",
            "Decision Maker - Owner",
        ),
        (
            "Priya Shah",
            "billing@harborlights.example",
            "Billing Contact - Accounts payable",
        ),
        ("Tom Reyes", "tom@harborlights.example", "Technical Contact"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    v.sort();
    v
}

/// Types the whole onboarding and starts the creates.
fn onboard_from_the_keyboard(app: &mut Session) {
    app.key(b"O");
    app.wait_for("the onboarding's first step", |s| {
        s.contains("Onboard a new client") && s.contains("▸ Customer")
    });
    // Business name, then four fields on: the e-mail.
    app.send(BUSINESS.as_bytes());
    for _ in 0..4 {
        app.send(TAB);
    }
    app.send(b"office@harborlights.example");
    // Referred by and the tax rate: eight fields further on.
    for _ in 0..8 {
        app.send(TAB);
    }
    app.send(b"Chamber of Commerce");
    app.send(TAB);
    app.send(b"7");
    app.send(CTRL_S);
    app.wait_for("the primary contact step", |s| {
        s.contains("▸ Primary contact")
    });
    app.send(b"Sandra Okafor");
    app.send(TAB);
    app.send(b"Owner");
    app.send(TAB);
    app.send(b"sandra@harborlights.example");
    app.send(CTRL_S);
    app.wait_for("the contacts step", |s| s.contains("▸ More contacts"));

    // A billing contact (b on the role pick list) and a technical one (the default role).
    app.key(b"a");
    app.wait_for("a further contact's form", |s| s.contains("‹ Technical ›"));
    app.send(b"b");
    app.send(TAB);
    app.send(b"Priya Shah");
    app.send(TAB);
    app.send(b"Accounts payable");
    app.send(TAB);
    app.send(b"billing@harborlights.example");
    app.send(CTRL_S);
    app.wait_for("the billing contact in the list", |s| {
        s.contains("Billing Contact - Accounts payable") && s.contains("a add")
    });
    app.key(b"a");
    app.wait_for("a further contact's form", |s| s.contains("‹ Technical ›"));
    app.send(TAB);
    app.send(b"Tom Reyes");
    app.send(TAB);
    app.send(TAB);
    app.send(b"tom@harborlights.example");
    app.send(CTRL_S);
    app.wait_for("two further contacts", |s| {
        s.contains("Further contacts (technical, billing, other): 2")
    });

    // The review: three contacts with their titles, and no duplicates.
    app.send(CTRL_S);
    let review = app.wait_for("the review with the duplicate check done", |s| {
        s.contains("▸ Review") && s.contains("Enter creates") && !s.contains("Checking")
    });
    assert!(review.contains("No duplicates found"), "{review}");
    assert!(
        review.contains("Decision Maker - Owner") && review.contains("Technical Contact"),
        "{review}"
    );
    app.send(ENTER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_fails_at_the_second_contact_resumes_after_a_restart_and_creates_everything_once()
 {
    let server = demo_server().await;
    let base_url = server.base_url();
    let control = server.control();
    // The first contact create goes through; the second gets a 500 (once).
    control.fail_next(FaultRule::new(Method::POST, "/contacts").after(1));
    let api = client(&base_url);
    assert!(customers_named(&api).await.is_empty());
    let home = tempfile::tempdir().expect("home");

    let url = base_url.clone();
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        app.wait_for("the customer list", list_shown);
        onboard_from_the_keyboard(&mut app);
        let stopped = app.wait_for("the failed step", |s| s.contains("Stopped:"));
        assert!(
            stopped.contains("✓ Customer Harbor Lights Dental Studio → #"),
            "{stopped}"
        );
        assert!(stopped.contains("✓ Contact Sandra Okafor"), "{stopped}");
        assert!(stopped.contains("✗ Contact Priya Shah"), "{stopped}");
        assert!(stopped.contains("500"), "{stopped}");
        assert!(stopped.contains("· Contact Tom Reyes"), "{stopped}");
        assert!(stopped.contains("2 of 4 created"), "{stopped}");
        // Leave it (the journal stays) and quit.
        app.key(ESC);
        app.wait_for("the list again", |s| s.contains("O shows it again"));
        app.quit();
    })
    .await
    .expect("first session");

    // What was created stays: the customer and the decision maker.
    let ids = customers_named(&api).await;
    assert_eq!(ids.len(), 1, "{ids:?}");
    let customer = ids[0];
    let so_far = contacts_of(&api, customer).await;
    assert_eq!(so_far.len(), 1, "{so_far:?}");
    assert_eq!(so_far[0].0, "Sandra Okafor");
    assert_eq!(control.pending_faults(), 0);

    let url = base_url.clone();
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        // At the next start the unfinished onboarding is offered; r resumes it.
        let mut app = Session::start_in(&url, &home_path);
        let offer = app.wait_for("the offer of the unfinished onboarding", |s| {
            s.contains("Onboard a new client") && s.contains("r resume")
        });
        assert!(offer.contains("✗ Contact Priya Shah"), "{offer}");
        app.key(b"r");
        let done = app.wait_for("the onboarding to finish", |s| {
            s.contains("Done: customer #")
        });
        assert!(done.contains("with 3 contacts"), "{done}");
        assert!(done.contains("✓ Contact Tom Reyes"), "{done}");
        // Enter goes to the new customer's contacts.
        app.send(ENTER);
        app.wait_for("the new customer in the detail", |s| {
            s.contains(BUSINESS) && s.contains("2 Contacts") && s.contains("Priya Shah")
        });
        app.quit();
        // The journal is gone once everything exists.
        let flows = home_path.join("data/syncro-tui/flows");
        let left: Vec<_> = std::fs::read_dir(&flows)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(
            !left
                .iter()
                .any(|n| n.to_string_lossy().starts_with("onboard-")),
            "{left:?}"
        );
    })
    .await
    .expect("second session");

    // Exactly one customer, exactly the three contacts, each once, with its role in the title.
    let ids = customers_named(&api).await;
    assert_eq!(ids, vec![customer]);
    assert_eq!(contacts_of(&api, customer).await, expected_contacts());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_onboarding_typed_before_a_quit_is_offered_back_at_the_next_start() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let home = tempfile::tempdir().expect("home");

    let url = base_url.clone();
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        app.wait_for("the customer list", list_shown);
        app.key(b"O");
        app.wait_for("the onboarding", |s| s.contains("▸ Customer"));
        app.send(BUSINESS.as_bytes());
        app.send(CTRL_S);
        app.wait_for("the primary contact step", |s| {
            s.contains("▸ Primary contact")
        });
        app.send(b"Sandra Okafor");
        // Ctrl-C asks; y quits and keeps the draft.
        app.key(b"\x03");
        app.wait_for("the question", |s| s.contains("Quit with unsaved changes?"));
        app.key(b"y");
        let status = app.exit_status();
        assert!(status.success(), "{status:?}");
    })
    .await
    .expect("first session");
    let draft = home
        .path()
        .join("data/syncro-tui/flows/draft-onboarding.json");
    assert!(draft.exists(), "{}", draft.display());

    let url = base_url.clone();
    let home_path = home.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut app = Session::start_in(&url, &home_path);
        app.wait_for("the offer of the draft", |s| {
            s.contains("Unfinished onboarding found")
        });
        app.key(b"y");
        let restored = app.wait_for("the restored onboarding", |s| {
            s.contains("▸ Customer") && !s.contains("Unfinished onboarding found")
        });
        assert!(restored.contains(BUSINESS), "{restored}");
        app.send(CTRL_S);
        let primary = app.wait_for("the primary contact step", |s| {
            s.contains("▸ Primary contact")
        });
        assert!(primary.contains("Sandra Okafor"), "{primary}");
        // Leaving on purpose drops it, so the next start offers nothing.
        app.key(ESC);
        app.key(ESC);
        app.wait_for("the discard question", |s| {
            s.contains("Leaving drops everything typed")
        });
        app.key(b"y");
        app.wait_for("the list", |s| s.contains("Onboarding discarded"));
        app.quit();
    })
    .await
    .expect("second session");

    // Discarded on purpose: nothing is left to offer at the next start.
    assert!(!draft.exists(), "{}", draft.display());
    server.shutdown().await;
}
