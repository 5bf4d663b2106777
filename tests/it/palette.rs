//! The command palette end to end: the real binary in a pty against a demo server started
//! here (helpers in `pty.rs`).

use secrecy::SecretString;
use syncro_tui::api::model::Customer;
use syncro_tui::api::{ClientConfig, CustomerQuery, SyncroClient};

use crate::pty::{Session, demo_server, list_shown, prefix};

/// The first page as the app loads it (sorted by name).
async fn first_page(base_url: &str) -> Vec<Customer> {
    let client = SyncroClient::new(ClientConfig::new(
        base_url,
        SecretString::from(crate::pty::KEY),
    ))
    .expect("client");
    client
        .list_customers(&CustomerQuery {
            page: 1,
            sort: Some("business_name ASC".into()),
            ..CustomerQuery::default()
        })
        .await
        .expect("customers")
        .items
}

/// The names in the list's rows on screen, top to bottom.
fn row_names(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(2)
        .filter_map(|l| l.strip_prefix('│').or_else(|| l.strip_prefix('┃')))
        .map(|l| {
            let name: String = l
                .chars()
                .take_while(|&c| c != '│' && c != '┃' && c != '…')
                .collect();
            name.split("  ").next().unwrap_or("").trim().to_string()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_customers_csv_writes_the_list_and_contact_jumps() {
    let server = demo_server().await;
    let base_url = server.base_url();
    let page = first_page(&base_url).await;
    // A contact whose e-mail no other contact on the first page mentions.
    let mentions = |c: &Customer, needle: &str| {
        c.contacts
            .iter()
            .filter(|ct| {
                [&ct.name, &ct.email, &ct.phone, &ct.mobile]
                    .iter()
                    .any(|f| {
                        f.as_deref()
                            .is_some_and(|v| v.to_lowercase().contains(needle))
                    })
                    || ct
                        .title()
                        .is_some_and(|t| t.to_lowercase().contains(needle))
            })
            .count()
    };
    let (_customer, contact) = page
        .iter()
        .flat_map(|c| c.contacts.iter().map(move |ct| (c, ct)))
        .find(|(_, ct)| {
            let Some(e) = ct.email.as_deref().filter(|e| e.is_ascii() && e.len() < 40) else {
                return false;
            };
            ct.name.as_deref().is_some_and(|n| n.is_ascii())
                && page
                    .iter()
                    .map(|c| mentions(c, &e.to_lowercase()))
                    .sum::<usize>()
                    == 1
        })
        .expect("a contact with a unique e-mail on page 1");
    let email = contact.email.clone().expect("email");
    let contact_name = contact.name.clone().expect("name");

    let checked = tokio::task::spawn_blocking(move || {
        let mut app = Session::start(&base_url);
        // The rows too: a frame can be read half drawn (title and header before the rows).
        let first = app.screen.wait_for("the customer list", |s| {
            list_shown(s) && row_names(s).len() > 10
        });
        // "Customers 100 of 485": the export fetches the pages not loaded yet.
        let total: usize = first
            .split("Customers ")
            .nth(1)
            .and_then(|t| t.split(' ').nth(2))
            .and_then(|n| n.parse().ok())
            .expect("total in the title");
        assert!(row_names(&first).len() > 10, "{first}");

        app.send(b":export customers csv\r");
        let after = app
            .screen
            .wait_for("the export message", |s| s.contains("Exported"));
        // The list now holds every page, in the app's order.
        let on_screen = row_names(&after);
        let dir = app.home().join("data/syncro-tui/exports");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .expect("export dir")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("csv"));
        let text = std::fs::read_to_string(&files[0]).expect("read export");
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().expect("header").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let (business, first_name, last_name) =
            (col("business_name"), col("firstname"), col("lastname"));
        let names: Vec<String> = reader
            .records()
            .map(|r| {
                let r = r.expect("record");
                let b = r[business].trim().to_string();
                if b.is_empty() {
                    format!("{} {}", &r[first_name], &r[last_name])
                        .trim()
                        .to_string()
                } else {
                    b
                }
            })
            .collect();
        assert_eq!(names.len(), total, "one row per customer of the list");
        for (shown, exported) in on_screen.iter().zip(&names) {
            assert_eq!(prefix(shown, 10), prefix(exported, 10));
        }

        // :contact searches the whole account (the mirror is loaded): the find popup opens with
        // the text already searched and lists the contact (contacts only) (Enter there jumps; the jump itself is
        // tested in mirror_ui; without a mirror :contact jumps directly, see app::palette).
        app.send(format!(":contact {email}\r").as_bytes());
        let short_contact = prefix(&contact_name, 12);
        app.screen.wait_for("the find popup with the contact", |s| {
            s.contains("Find contacts") && s.contains(&short_contact)
        });
        app.send(b"\x1b");
        app.screen
            .wait_for("the popup closed", |s| !s.contains("Find contacts"));

        app.send(b":q\r");
        assert!(app.exit_status().success());
    })
    .await;
    server.shutdown().await;
    checked.expect("pty task");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_switches_accounts_and_keeps_the_old_one_when_it_cannot() {
    let first = demo_server().await;
    let second = syncro_tui::demo::DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        syncro_tui::demo::DemoConfig {
            api_key: crate::pty::KEY.into(),
            customers: 30,
            seed: 9,
            rate_limit: None,
            ..syncro_tui::demo::DemoConfig::default()
        },
    )
    .await
    .expect("second demo server");
    let (base_url, other) = (first.base_url(), second.base_url());
    let expected = format!("Customers {0} of {0}", first_page(&other).await.len());
    // SYNCRO_API_KEY (the test key) wins over a profile's key command, so both servers accept it.
    let config =
        format!("[profiles.other]\nbase_url = \"{other}\"\n\n[profiles.empty]\nread_only = true\n");

    let checked = tokio::task::spawn_blocking(move || {
        let mut app = Session::start_with(&base_url, |home| {
            let dir = home.join("config/syncro-tui");
            std::fs::create_dir_all(&dir).expect("config dir");
            std::fs::write(dir.join("config.toml"), config).expect("config");
        });
        app.screen.wait_for("the first account", list_shown);

        app.send(b":profile nope\r");
        app.screen
            .wait_for("the error", |s| s.contains("No profile \"nope\""));

        // A profile that cannot be resolved: an error, and the old account stays.
        app.send(b":profile empty\r");
        let kept = app.screen.wait_for("the failed switch", |s| {
            s.contains("Could not switch to empty")
        });
        // The first pages, or the account mirror once its background sync is done.
        assert!(
            kept.contains("Customers 100 of") || kept.contains("synced just now"),
            "{kept}"
        );

        app.send(b":profile other\r");
        let screen = app.screen.wait_for("the other account's list", |s| {
            s.contains(&expected) && s.contains("Profile other")
        });
        assert!(!screen.contains("Customers 100 of"), "{screen}");

        // The help names the profile; the key is masked.
        app.send(b"?");
        let help = app
            .screen
            .wait_for("the help", |s| s.contains("Profile other  key"));
        assert!(help.contains("key ••••"), "{help}");
        assert!(!help.contains("key demo"), "{help}");
        app.send(b"\x1b");
        app.screen
            .wait_for("the help to close", |s| !s.contains("Profile other  key"));

        app.send(b":q\r");
        assert!(app.exit_status().success());
    })
    .await;
    first.shutdown().await;
    second.shutdown().await;
    checked.expect("pty task");
}

/// Every key action and colour role of `config.example.toml` is one the app knows.
#[test]
fn the_example_config_keys_and_colours_are_all_known() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).expect("example");
    let (settings, _) = syncro_tui::config::parse_settings(&text, &path).expect("parses");
    let (keys, parse_warnings) = settings.key_overrides();
    assert!(parse_warnings.is_empty(), "{parse_warnings:?}");
    assert!(!keys.is_empty());
    let (_, warnings) = syncro_tui::app::keymap::Keymap::with_overrides(&keys);
    assert!(warnings.is_empty(), "{warnings:?}");
    let (colors, color_warnings) = settings.color_overrides();
    assert!(color_warnings.is_empty(), "{color_warnings:?}");
    let (_, unknown) = syncro_tui::ui::Theme::new(true, false).with_overrides(&colors);
    assert!(unknown.is_empty(), "{unknown:?}");
}
