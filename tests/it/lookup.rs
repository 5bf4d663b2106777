//! The scripting commands as a phone system or a mail client runs them: the real binary, with
//! a private HOME, against a demo server started here on 127.0.0.1 (port 0), its mirror built
//! by the binary's own `sync`.

use std::path::{Path, PathBuf};
use std::process::Output;

use secrecy::SecretString;
use serde_json::{Value, json};
use syncro_tui::api::{ClientConfig, SyncroClient};
use syncro_tui::demo::{DemoConfig, DemoServer};

/// Long enough to pass the key check (a short key is refused before any request).
const KEY: &str = "lookup-key-0123456";

struct Setup {
    server: DemoServer,
    home: tempfile::TempDir,
}

impl Setup {
    async fn new(customers: usize) -> Setup {
        let cfg = DemoConfig {
            customers,
            seed: 3,
            rate_limit: None,
            api_key: KEY.into(),
            ..DemoConfig::default()
        };
        let server = DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
            .await
            .unwrap();
        Setup {
            server,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn client(&self) -> SyncroClient {
        let mut cfg = ClientConfig::new(self.server.base_url(), SecretString::from(KEY));
        cfg.requests_per_minute = 0;
        SyncroClient::new(cfg).unwrap()
    }

    fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    /// Runs the binary against the server (`--base-url`), with the key in the environment
    /// when `key` is set. Blocking: call it from `spawn_blocking` or a multi-thread runtime.
    fn run(&self, key: bool, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_syncro-tui"));
        cmd.arg("--base-url")
            .arg(self.server.base_url())
            .args(args)
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env_remove("SYNCRO_TUI_CONFIG")
            .env_remove("SYNCRO_API_KEY");
        if key {
            cmd.env("SYNCRO_API_KEY", KEY);
        }
        cmd.output().expect("run syncro-tui")
    }

    fn sync(&self) {
        let out = self.run(true, &["sync"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A customer whose contact's number is written with a country code, dots and an extension.
async fn harbor(s: &Setup) -> (u64, u64) {
    let client = s.client();
    let customer = client
        .create_customer(
            json!({"business_name": "Harbor Freight Inc.", "email": "office@harbor.example",
                   "phone": "971.867.5309"})
            .as_object()
            .unwrap(),
        )
        .await
        .unwrap();
    let contact = client
        .create_contact(
            customer.id,
            json!({"name": "Lee Park", "title": "Decision Maker - Owner",
                   "phone": "+1 971.867.5309 x12", "email": "lee@harbor.example"})
            .as_object()
            .unwrap(),
        )
        .await
        .unwrap();
    (customer.id, contact.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_finds_a_contact_by_the_last_digits_of_a_formatted_number() {
    let s = Setup::new(300).await;
    let (customer, contact) = harbor(&s).await;
    s.sync();

    // The digits a phone system gives, without the country code or the extension.
    let line = ok(&s.run(false, &["lookup", "971.867.5309"]));
    assert_eq!(
        line,
        "Harbor Freight Inc. — Lee Park (Decision Maker - Owner) · +1 971.867.5309 x12\n"
    );
    let line = ok(&s.run(false, &["lookup", "8675309"]));
    assert!(line.starts_with("Harbor Freight Inc. — Lee Park"), "{line}");
    // The curated customer's main line, stored as digits on the customer and formatted on
    // its contacts: one line, the contact without an extension.
    let line = ok(&s.run(false, &["lookup", "5550142"]));
    assert_eq!(line.lines().count(), 1);
    assert!(line.starts_with("Acme Dental LLC — "), "{line}");
    assert!(line.trim_end().ends_with("· (503) 555-0142"), "{line}");

    // JSON names the customer and the contact.
    let out = ok(&s.run(false, &["lookup", "--json", "+1 (971) 867-5309"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"], "mirror");
    let m = &v["matches"][0];
    assert_eq!(m["rank"], "phone_exact");
    assert_eq!(m["customer"]["id"], customer);
    assert_eq!(m["contact"]["id"], contact);
    assert_eq!(m["contact"]["title"], "Decision Maker - Owner");

    // An exact e-mail address; nothing at all exits 1 with nothing printed.
    let line = ok(&s.run(false, &["lookup", "LEE@harbor.example"]));
    assert!(line.contains("Lee Park"), "{line}");
    let none = s.run(false, &["lookup", "5559999999"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(none.stdout.is_empty());
    // `open` resolves before it starts the app: an unknown caller is an error, not a TUI.
    let open = s.run(false, &["open", "nobody-by-this-name"]);
    assert!(!open.status.success());
    assert!(text(&open.stderr).contains("cannot open"));
}

/// The lookup index `sync` writes beside the mirror (`mirror-<profile>.bin.idx`).
fn index_file(s: &Setup) -> PathBuf {
    let data = s.home.path().join("data");
    let mut found = Vec::new();
    for dir in [data.clone(), data.join("syncro-tui")] {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().ends_with(".bin.idx") {
                found.push(e.path());
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_answers_the_same_with_the_index_stale_or_gone() {
    let s = Setup::new(300).await;
    harbor(&s).await;
    s.sync();
    let index = index_file(&s);
    let queries: &[&[&str]] = &[
        &["lookup", "971.867.5309"],
        &["lookup", "--all", "0142"],
        &["lookup", "--json", "LEE@harbor.example"],
        &["lookup", "--all", "someone@harbor.example"],
        &["lookup", "harbor freight"],
        &["lookup", "--all", "--limit", "3", "acme"],
        // The middle of a word: the index cannot tell, the scan answers.
        &["lookup", "arbor"],
        &["lookup", "5559999999"],
    ];
    let answers = |s: &Setup| -> Vec<(Option<i32>, String)> {
        queries
            .iter()
            .map(|q| {
                let out = s.run(false, q);
                (out.status.code(), text(&out.stdout))
            })
            .collect()
    };
    let with_index = answers(&s);
    assert!(
        with_index[0]
            .1
            .starts_with("Harbor Freight Inc. — Lee Park")
    );
    assert_eq!(with_index[6].0, Some(0), "{:?}", with_index[6]);
    assert_eq!(with_index[7].0, Some(1));
    // An index that does not fit the mirror is not used; nor is a missing one.
    std::fs::write(&index, b"SYNCLIDX of another file").unwrap();
    assert_eq!(answers(&s), with_index);
    std::fs::remove_file(&index).unwrap();
    assert_eq!(answers(&s), with_index);
    // The next sync writes it again.
    s.sync();
    assert_eq!(index_file(&s), index);
    assert_eq!(answers(&s), with_index);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_mirror_lookup_asks_the_server() {
    let s = Setup::new(200).await;
    harbor(&s).await;
    let out = ok(&s.run(true, &["lookup", "--json", "9718675309"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"], "server");
    assert_eq!(v["matches"][0]["contact"]["name"], "Lee Park");
    // No mirror and no key: it says how to get one, exit status 2.
    let out = s.run(false, &["lookup", "971.867.5309"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("sync"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_print_as_lines_json_and_csv() {
    let s = Setup::new(250).await;
    s.sync();
    let store = s.server.control().store();
    let all = store.customer_count();

    let json_out = ok(&s.run(false, &["customers", "--json", "--include-disabled"]));
    let list: Vec<Value> = serde_json::from_str(&json_out).unwrap();
    assert_eq!(list.len(), all);
    let enabled: Vec<Value> =
        serde_json::from_str(&ok(&s.run(false, &["customers", "--json"]))).unwrap();
    assert!(enabled.iter().all(|c| c["disabled"] == false));

    // Tab-separated: a header, one line per enabled customer, the same columns on each.
    let tsv = ok(&s.run(false, &["customers"]));
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(header[..2], ["id", "name"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), enabled.len());
    assert!(rows.iter().all(|r| r.len() == header.len()));

    // CSV read back by an independent reader: every customer, every id and name.
    let csv_out = ok(&s.run(false, &["customers", "--csv", "--include-disabled"]));
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let id_col = headers.iter().position(|h| h == "id").unwrap();
    let name_col = headers.iter().position(|h| h == "business_name").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), all);
    for (r, j) in records.iter().zip(&list) {
        assert_eq!(r[id_col], j["id"].to_string());
        assert_eq!(&r[name_col], j["business_name"].as_str().unwrap_or(""));
    }

    // --query narrows; the curated Acme Dental matches by name.
    let acme = ok(&s.run(
        false,
        &["customers", "--query", "acme dental", "--no-header"],
    ));
    assert!(acme.lines().count() >= 1);
    assert!(
        acme.lines().all(|l| l.to_lowercase().contains("acme")),
        "{acme}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_print_as_lines_json_csv_and_one_vcard_each() {
    let s = Setup::new(250).await;
    let (customer, _) = harbor(&s).await;
    s.sync();

    let json_out = ok(&s.run(false, &["contacts", "--json", "--include-disabled"]));
    let list: Vec<Value> = serde_json::from_str(&json_out).unwrap();
    let total = list.len();
    assert!(total > 250, "{total}");
    assert!(list.iter().all(|k| k["customer_name"].is_string()));

    let vcards = ok(&s.run(false, &["contacts", "--vcard", "--include-disabled"]));
    assert_eq!(vcards.matches("BEGIN:VCARD\r\n").count(), total);
    assert_eq!(vcards.matches("END:VCARD\r\n").count(), total);

    let tsv = ok(&s.run(false, &["contacts", "--include-disabled", "--no-header"]));
    assert_eq!(tsv.lines().count(), total);

    // One customer's contacts: CSV read back, one vCard per contact.
    let fresh = s.client().get_customer(customer).await.unwrap();
    let id = customer.to_string();
    let csv_out = ok(&s.run(false, &["contacts", "--customer", &id, "--csv"]));
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let name_col = headers.iter().position(|h| h == "name").unwrap();
    let phone_col = headers.iter().position(|h| h == "phone").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), fresh.contacts.len());
    assert_eq!(&records[0][name_col], "Lee Park");
    // The extension typed into the phone is in the extension column.
    let ext_col = headers.iter().position(|h| h == "extension").unwrap();
    assert_eq!(&records[0][phone_col], "+1 971.867.5309");
    assert_eq!(&records[0][ext_col], "12");
    let one = ok(&s.run(false, &["contacts", "--customer", &id, "--vcard"]));
    assert_eq!(one.matches("BEGIN:VCARD").count(), fresh.contacts.len());
    assert!(one.contains("ORG:Harbor Freight Inc.\r\n"), "{one}");

    // mutt's query_command: e-mail and name first, after one header line.
    let q = ok(&s.run(false, &["contacts", "--query", "lee@harbor.example"]));
    let mut lines = q.lines();
    assert!(lines.next().unwrap().starts_with("email\tname\t"));
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("lee@harbor.example\tLee Park\tHarbor Freight Inc.")
    );
}

/// `--profile NAME` reads that profile's mirror, and a lookup never runs its api_key_command
/// (here one that fails): the key is needed to sync, not to answer from the mirror.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_pick_the_mirror_and_lookup_needs_no_key() {
    let s = Setup::new(150).await;
    harbor(&s).await;
    let dir = s.config_dir().join("syncro-tui");
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        "[profiles.shop]\nbase_url = \"{}\"\napi_key_command = \"exit 3\"\n\n[profiles.other]\nsubdomain = \"other\"\n",
        s.server.base_url()
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let run = |key: bool, args: &[&str]| -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_syncro-tui"));
        cmd.args(args)
            .env("HOME", s.home.path())
            .env("XDG_DATA_HOME", s.home.path().join("data"))
            .env("XDG_CONFIG_HOME", s.config_dir())
            .env_remove("SYNCRO_TUI_CONFIG")
            .env_remove("SYNCRO_API_KEY");
        if key {
            cmd.env("SYNCRO_API_KEY", KEY);
        }
        cmd.output().unwrap()
    };
    ok(&run(true, &["--profile", "shop", "sync"]));
    assert!(mirror_file(s.home.path(), "shop").exists());
    let line = ok(&run(
        false,
        &["--profile", "shop", "lookup", "971.867.5309"],
    ));
    assert!(line.contains("Lee Park"), "{line}");
    // The other profile has no mirror, and its key is not configured.
    let other = run(false, &["--profile", "other", "lookup", "971.867.5309"]);
    assert_eq!(other.status.code(), Some(2));
    let ids = ok(&run(
        false,
        &["--profile", "shop", "customers", "--no-header"],
    ));
    assert!(ids.lines().count() > 100);
}

fn mirror_file(home: &Path, profile: &str) -> PathBuf {
    home.join("data")
        .join("syncro-tui")
        .join(format!("mirror-{profile}.bin"))
}
