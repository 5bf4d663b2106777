//! Below the app: what the demo server learned from Syncro, a sync that counts what it will
//! send, two instances on one profile, and the command line, the config and the key command
//! handled without trusting them.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use syncro_tui::api::model::{Contact, Customer, Patch};
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::mirror::store::{self, Taken};
use syncro_tui::mirror::{Mirror, SyncOptions, full_sync};

const KEY: &str = "hardening-key-0123456";

async fn demo(cfg: DemoConfig) -> DemoServer {
    DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            api_key: KEY.into(),
            rate_limit: None,
            ..cfg
        },
    )
    .await
    .expect("demo server")
}

fn client(base_url: &str) -> SyncroClient {
    let mut cfg = ClientConfig::new(base_url, SecretString::from(KEY.to_string()));
    cfg.requests_per_minute = 0;
    SyncroClient::new(cfg).expect("client")
}

fn patch(v: Value) -> Patch {
    match v {
        Value::Object(m) => m,
        _ => Patch::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The demo server

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_server_requires_a_name_on_contact_put() {
    let server = demo(DemoConfig {
        customers: 20,
        ..DemoConfig::default()
    })
    .await;
    let c = client(&server.base_url());
    let owner = c
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|c| !c.contacts.is_empty())
        .unwrap();
    let k = &owner.contacts[0];
    let resp = reqwest::Client::new()
        .put(format!("{}/contacts/{}", server.base_url(), k.id))
        .bearer_auth(KEY)
        .json(&json!({"title": "Only a title"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"], json!("Name can't be blank"));
    assert_eq!(body["record"]["id"], json!(k.id));
    // With its name, the same PUT goes through.
    let ok = c
        .update_contact(
            k.id,
            &patch(json!({"name": k.name.clone(), "title": "Only a title"})),
        )
        .await
        .unwrap();
    assert_eq!(ok.title().as_deref(), Some("Only a title"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_contacts_are_listed_but_belong_to_no_customer() {
    let server = demo(DemoConfig {
        customers: 40,
        vendor_contacts: 3,
        ..DemoConfig::default()
    })
    .await;
    let c = client(&server.base_url());
    let listed: Vec<Contact> = c.all_contacts(None).await.unwrap();
    let vendors: Vec<&Contact> = listed.iter().filter(|k| k.customer_id.is_none()).collect();
    assert_eq!(vendors.len(), 3);
    let embedded: usize = c
        .all_customers(&CustomerQuery {
            include_disabled: true,
            ..CustomerQuery::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|c| c.contacts.len())
        .sum();
    assert_eq!(
        listed.len(),
        embedded + 3,
        "/contacts is longer than the embedded lists"
    );
    let raw: Value = reqwest::Client::new()
        .get(format!("{}/contacts/{}", server.base_url(), vendors[0].id))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["customer_id"], Value::Null);
    // A vendor contact can be edited without being given a customer.
    let edited = c
        .update_contact_checked(vendors[0].id, &patch(json!({"notes": "Calls on Fridays"})))
        .await
        .unwrap();
    assert_eq!(edited.customer_id, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_edit_leaves_its_customers_updated_at() {
    let server = demo(DemoConfig {
        customers: 20,
        ..DemoConfig::default()
    })
    .await;
    let c = client(&server.base_url());
    let owner: Customer = c
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|c| !c.contacts.is_empty())
        .unwrap();
    let before = c.get_customer(owner.id).await.unwrap().updated_at;
    let k = &owner.contacts[0];
    let edited = c
        .update_contact_checked(k.id, &patch(json!({"city": "Elsewhere"})))
        .await
        .unwrap();
    assert!(
        edited.updated_at > k.updated_at,
        "the contact's own timestamp moves"
    );
    assert_eq!(c.get_customer(owner.id).await.unwrap().updated_at, before);
}

// ---------------------------------------------------------------------------------------------
// A sync counts every request it will need

async fn sync_with_rate(vendor_contacts: usize) -> syncro_tui::mirror::SyncReport {
    let server = demo(DemoConfig {
        customers: 450,
        vendor_contacts,
        ..DemoConfig::default()
    })
    .await;
    // 40 requests per (short) window: the 5 customer pages fit in what the window has to
    // spare, the customer pages and the 28 contact pages together do not.
    let mut cfg = ClientConfig::new(server.base_url(), SecretString::from(KEY.to_string()));
    cfg.requests_per_minute = 40;
    cfg.rate_window = Duration::from_secs(2);
    let c = SyncroClient::new(cfg).unwrap();
    // The second pass knows from the first whether the contacts had to be paged.
    let opts = SyncOptions::default();
    let (first, _) = full_sync(&c, &Mirror::default(), &opts, &mut |_| {})
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let (mirror, report) = full_sync(&c, &first, &opts, &mut |_| {}).await.unwrap();
    assert_eq!(mirror.customer_count(), 450);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_counts_the_contact_pages_before_it_decides_not_to_pace() {
    // Contacts without a customer make `/contacts` longer than the embedded lists: the pass
    // must page it, and counted with those pages it does not fit, so it paces itself.
    let with_vendors = sync_with_rate(3).await;
    assert!(with_vendors.paced, "{with_vendors:?}");
    assert!(with_vendors.requests > 20, "{with_vendors:?}");
    // Without them the embedded contacts are complete: customer pages only, at full speed.
    let embedded_only = sync_with_rate(0).await;
    assert!(!embedded_only.paced, "{embedded_only:?}");
    assert_eq!(embedded_only.requests, 6, "{embedded_only:?}");
}

// ---------------------------------------------------------------------------------------------
// Two instances on one profile

fn customer(id: u64, name: &str, updated: &str, contacts: Vec<Contact>) -> Customer {
    Customer {
        id,
        business_name: Some(name.into()),
        updated_at: syncro_tui::api::model::de::parse_timestamp(updated),
        contacts,
        ..Customer::default()
    }
}

fn contact(id: u64, owner: u64, name: &str, updated: &str) -> Contact {
    Contact {
        id,
        customer_id: Some(owner),
        name: Some(name.into()),
        updated_at: syncro_tui::api::model::de::parse_timestamp(updated),
        ..Contact::default()
    }
}

/// Two instances loaded one mirror file; each saves its own edits. Neither save reverts a
/// record the other saved: customer fields, a contact edit (which leaves its customer's
/// `updated_at`), a creation and a deletion all survive, and each instance's copy takes the
/// other's records.
#[test]
fn two_instances_saving_one_mirror_keep_each_others_records() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = "2024-03-01T10:00:00.000+00:00";
    let t1 = "2024-03-02T10:00:00.000+00:00";
    let mut m = Mirror::new("https://acme.example/api/v1");
    m.replace_all(vec![
        customer(1, "One", t0, vec![contact(11, 1, "Ann", t0)]),
        customer(2, "Two", t0, vec![contact(21, 2, "Bob", t0)]),
        customer(3, "Three", t0, vec![]),
    ]);
    store::save(dir.path(), "p", &m).unwrap();
    let load = || {
        let (outcome, _, base) = store::load_with_base(dir.path(), "p", &mut |_| ());
        (outcome.into_mirror_or_empty("x"), base)
    };
    let (mut a, mut base_a) = load();
    let (mut b, mut base_b) = load();

    // A renames customer 1 and deletes customer 3, and saves.
    a.put_customer(customer(
        1,
        "One renamed",
        t1,
        vec![contact(11, 1, "Ann", t0)],
    ));
    a.remove_customer(3);
    let (_, taken) = store::save_merged(dir.path(), "p", &a, &mut base_a).unwrap();
    assert!(taken.is_empty());

    // B, which never saw that, edits contact 21 (its customer's updated_at stays) and creates
    // customer 9, and saves.
    b.put_contact(contact(21, 2, "Bob edited", t1));
    b.put_customer(customer(9, "Nine", t1, vec![]));
    let (_, taken) = store::save_merged(dir.path(), "p", &b, &mut base_b).unwrap();
    let mut got: Vec<String> = taken
        .iter()
        .map(|t| match t {
            Taken::Put(c) => format!("put {}", c.id),
            Taken::Removed(id) => format!("removed {id}"),
        })
        .collect();
    got.sort();
    assert_eq!(got, vec!["put 1", "removed 3"], "B takes A's records");

    // A saves again (a later edit of its own): B's contact edit and creation stay.
    a.put_customer(customer(2, "Two", t0, vec![contact(21, 2, "Bob", t0)]));
    store::save_merged(dir.path(), "p", &a, &mut base_a).unwrap();

    let (on_disk, _) = load();
    let name = |id| on_disk.customer(id).and_then(|c| c.business_name);
    assert_eq!(name(1).as_deref(), Some("One renamed"));
    assert_eq!(name(3), None, "A's deletion stays");
    assert_eq!(name(9).as_deref(), Some("Nine"), "B's creation stays");
    let bob = on_disk.contact(21).unwrap().1;
    assert_eq!(
        bob.name.as_deref(),
        Some("Bob edited"),
        "B's contact edit stays"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line, the config and the key command

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_syncro-tui"));
    let home = std::env::temp_dir().join(format!("syncro-hardening-{}", std::process::id()));
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("SYNCRO_API_KEY")
        .env_remove("SYNCRO_TUI_CONFIG");
    c
}

fn run(cmd: &mut std::process::Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_url_with_a_password_is_refused_without_showing_it() {
    let (ok, text) = run(bin().args([
        "config",
        "check",
        "--base-url",
        "https://tech:hunter2-secret@acme.example/api/v1",
    ]));
    assert!(!ok);
    assert!(text.contains("user name or password"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn command_line_text_is_sanitised_before_it_is_printed() {
    let (ok, text) = run(bin().args([
        "config",
        "check",
        "--base-url",
        "\u{1b}]0;pwned\u{7}\u{202e}https://x",
    ]));
    assert!(!ok);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(!text.contains('\u{202e}'), "{text:?}");
    assert!(
        text.contains("pwned"),
        "the text is shown, made harmless: {text:?}"
    );
    let (ok, text) = run(bin().args(["config", "check", "--subdomain", "ac\u{1b}[2Jme"]));
    assert!(!ok);
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[cfg(unix)]
#[test]
fn short_and_non_utf8_keys_are_refused_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let (ok, text) = run(bin()
        .args(["config", "check", "--base-url", "http://127.0.0.1:9/api/v1"])
        .env("SYNCRO_API_KEY", "demo"));
    assert!(!ok);
    assert!(text.contains("only 4 characters long"), "{text}");
    let (ok, text) = run(bin()
        .args(["config", "check", "--base-url", "http://127.0.0.1:9/api/v1"])
        .env(
            "SYNCRO_API_KEY",
            std::ffi::OsStr::from_bytes(b"T0ken-\xff\xfe-0123456789"),
        ));
    assert!(!ok);
    assert!(text.contains("not valid UTF-8"), "{text}");
    assert!(!text.contains("0123456789"), "{text}");
}

#[test]
fn a_key_command_with_a_background_child_still_gives_its_key() {
    let (key, _) = syncro_tui::config::run_key_command(
        "printf 'bg-key-0123456789\\n'; sleep 30 &",
        Duration::from_secs(20),
    )
    .expect("the key printed before the shell exited");
    assert_eq!(key.expose_secret(), "bg-key-0123456789");
}

#[cfg(target_os = "linux")]
#[test]
fn a_key_command_that_times_out_takes_its_whole_process_group_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let cmd = format!("sleep 120 & echo $! > {}; wait", pidfile.display());
    let err = syncro_tui::config::run_key_command(&cmd, Duration::from_secs(1)).unwrap_err();
    assert!(err.contains("did not finish"), "{err}");
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Gone (or a zombie waiting for a reaper): no longer running.
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit(')').next().map(|r| r.trim_start().to_string()))
            .is_some_and(|rest| !rest.starts_with('Z'))
    };
    let mut waited = 0;
    while running() && waited < 100 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    assert!(
        !running(),
        "the background child {pid} survived the timeout"
    );
}

#[test]
fn a_failing_key_command_shows_only_the_first_line_of_stderr_cleaned() {
    let err = syncro_tui::config::run_key_command(
        "printf '\\033]0;pwned\\007 gpg: decryption failed: No secret key\\n' >&2; \
         echo 'SECOND-LINE-WITH-A-SECRET' >&2; exit 2",
        Duration::from_secs(10),
    )
    .unwrap_err();
    assert!(err.contains("status 2"), "{err}");
    assert!(err.contains("decryption failed"), "{err}");
    assert!(!err.contains("SECOND-LINE"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    let long = syncro_tui::config::run_key_command(
        &format!("echo '{}' >&2; exit 1", "x".repeat(500)),
        Duration::from_secs(10),
    )
    .unwrap_err();
    assert!(long.chars().count() < 160, "{long}");
}
