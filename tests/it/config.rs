//! Config file, profiles, key resolution, logging, completions and the man page.

use std::path::{Path, PathBuf};
use std::process::Command;

use secrecy::{ExposeSecret, SecretString};
use syncro_tui::cli::RunArgs;
use syncro_tui::config::{
    self, EXAMPLE_CONFIG, KeySource, Settings, Target, parse_settings, resolve_with,
};

const EXAMPLE_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn args_for(path: &Path) -> RunArgs {
    RunArgs {
        config: Some(path.to_path_buf()),
        ..RunArgs::default()
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn key_of(t: &Target) -> String {
    match t {
        Target::Live { api_key, .. } => api_key.expose_secret().to_string(),
        other => panic!("expected a live target, got {other:?}"),
    }
}

#[test]
fn every_key_of_the_example_parses_without_warnings() {
    let text = std::fs::read_to_string(EXAMPLE_PATH).unwrap();
    assert_eq!(text, EXAMPLE_CONFIG);
    let (s, warnings) = parse_settings(&text, Path::new(EXAMPLE_PATH)).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(s.default_profile.as_deref(), Some("acme"));
    assert_eq!(s.requests_per_minute, 180);
    assert_eq!(s.key_command_timeout_secs, 30);
    assert!(s.csv_formula_guard);
    assert_eq!(s.log_level.as_deref(), Some("info"));
    let acme = &s.profiles["acme"];
    assert_eq!(acme.subdomain.as_deref(), Some("acme"));
    assert_eq!(
        acme.api_key_command.as_deref(),
        Some("pass show syncro/acme")
    );
    let test = &s.profiles["acme-test"];
    assert!(test.read_only);
    assert!(test.api_key.is_some());
    let (keys, kw) = s.key_overrides();
    assert!(kw.is_empty(), "{kw:?}");
    assert_eq!(keys["normal"]["quit"].len(), 2);
    assert_eq!(keys["form"]["save"][0].to_string(), "ctrl-s");
    let (colors, cw) = s.color_overrides();
    assert!(cw.is_empty(), "{cw:?}");
    assert_eq!(
        colors["selection_bg"],
        ratatui::style::Color::Rgb(0x26, 0x4f, 0x78)
    );
}

#[test]
fn the_example_documents_every_setting() {
    // Every field the app knows (top level and per profile) appears as a key in the example.
    let defaults = toml::Value::try_from(Settings::default()).unwrap();
    let mut fields: Vec<String> = defaults.as_table().unwrap().keys().cloned().collect();
    // Options that default to None are not serialised: list them by hand.
    fields.extend(["default_profile", "log_level", "export_dir", "hyperlinks"].map(String::from));
    let profile = toml::Value::try_from(config::Profile::default()).unwrap();
    fields.extend(profile.as_table().unwrap().keys().cloned());
    fields.extend(["subdomain", "base_url", "api_key_command", "api_key"].map(String::from));
    for f in fields {
        let documented = EXAMPLE_CONFIG.lines().any(|l| {
            let l = l.trim_start_matches(['#', ' ']);
            l.starts_with(&format!("{f} =")) || l.starts_with(&format!("[{f}"))
        });
        assert!(documented, "config.example.toml does not document `{f}`");
    }
}

#[test]
fn unknown_keys_are_accepted_and_reported() {
    let text = "theme = \"light\"\ncolour_theme = \"x\"\n[profiles.a]\nsubdomain = \"a\"\nsubdomian = \"b\"\n";
    let (s, warnings) = parse_settings(text, Path::new("/x/config.toml")).unwrap();
    assert_eq!(s.theme, "light");
    assert_eq!(s.profiles["a"].subdomain.as_deref(), Some("a"));
    let all = warnings.join("\n");
    assert!(all.contains("`colour_theme`"), "{all}");
    assert!(all.contains("`profiles.a.subdomian`"), "{all}");
    assert!(all.contains("/x/config.toml"), "{all}");
}

#[test]
fn odd_values_become_warnings() {
    let text = "theme = \"neon\"\ndefault_profile = \"nope\"\n[keys.normal]\nquit = \"hyper-q\"\n[colors]\naccent = \"chartreuse-ish\"\n";
    let (_, warnings) = parse_settings(text, Path::new("c.toml")).unwrap();
    let all = warnings.join("\n");
    assert!(all.contains("theme"), "{all}");
    assert!(all.contains("default_profile"), "{all}");
    assert!(all.contains("keys.normal.quit"), "{all}");
    assert!(all.contains("colors.accent"), "{all}");
}

#[test]
fn a_broken_file_names_file_line_and_key_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // A type error: line 3, key profiles.acme.read_only.
    let text =
        "theme = \"dark\"\n[profiles.acme]\nread_only = \"yes please\"\nsubdomain = \"acme\"\n";
    let path = write_config(dir.path(), text);
    let err = resolve_with(&args_for(&path), &no_env)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("profiles.acme.read_only"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // A syntax error: line 2, key mouse.
    let text = "theme = \"dark\"\nmouse = tru\n";
    let path = write_config(dir.path(), text);
    let err = resolve_with(&args_for(&path), &no_env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("`mouse`"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_broken_api_key_line_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[profiles.a]\nsubdomain = \"a\"\napi_key = sekrit-value-123\n";
    let path = write_config(dir.path(), text);
    let err = resolve_with(&args_for(&path), &no_env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("api_key"), "{err}");
    assert!(!err.contains("sekrit"), "{err}");
}

#[test]
fn the_default_file_is_written_once_and_never_over_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/config.toml");
    assert!(config::write_default_file(&path).unwrap());
    let (s, w) = config::load_file(&path).unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert!(s.profiles.is_empty());
    std::fs::write(&path, "this is = = broken").unwrap();
    assert!(!config::write_default_file(&path).unwrap());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "this is = = broken"
    );
}

#[test]
fn a_missing_explicit_config_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = resolve_with(&args_for(&dir.path().join("nope.toml")), &no_env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
}

const PROFILES: &str = r#"
default_profile = "main"
[profiles.main]
subdomain = "acme"
api_key_command = "printf 'from-command-key\n'"
[profiles.nokey]
base_url = "http://127.0.0.1:9/api/v1"
[profiles.failing]
subdomain = "acme"
api_key_command = "echo from-failing-key-xyz >&2; echo oops-no-access >&2; exit 3"
[profiles.readonly]
subdomain = "ro"
read_only = true
"#;

#[test]
fn key_order_env_then_command_then_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), PROFILES);
    let args = args_for(&path);

    // SYNCRO_API_KEY wins over the profile's command.
    let env = |k: &str| (k == "SYNCRO_API_KEY").then(|| " env-key-1234 ".to_string());
    let r = resolve_with(&args, &env).unwrap();
    assert_eq!(r.profile, "main");
    assert_eq!(key_of(&r.target), "env-key-1234");
    assert_eq!(r.key_source, Some(KeySource::Env));
    assert_eq!(r.base_url(), Some("https://acme.syncromsp.com/api/v1"));

    // Without it, the command's trimmed stdout.
    let r = resolve_with(&args, &no_env).unwrap();
    assert_eq!(key_of(&r.target), "from-command-key");
    assert_eq!(r.key_source, Some(KeySource::Command));

    // No source at all: the app opens and explains.
    let r = resolve_with(
        &RunArgs {
            profile: Some("nokey".into()),
            ..args.clone()
        },
        &no_env,
    )
    .unwrap();
    assert!(
        matches!(&r.target, Target::MissingKey { base_url } if base_url == "http://127.0.0.1:9/api/v1")
    );
    assert_eq!(r.key_source, None);
}

#[test]
fn a_failing_key_command_says_so_without_the_key_or_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), PROFILES);
    let args = RunArgs {
        profile: Some("failing".into()),
        ..args_for(&path)
    };
    let err = resolve_with(&args, &no_env).unwrap_err().to_string();
    assert!(err.contains("profile `failing`"), "{err}");
    assert!(err.contains("status 3"), "{err}");
    // Only the first line of stderr, which may hold a secret further down.
    assert!(err.contains("from-failing-key-xyz"), "{err}");
    assert!(!err.contains("oops-no-access"), "{err}");
    assert!(!err.contains("echo"), "the command text leaked: {err}");
}

#[test]
fn a_hanging_key_command_times_out() {
    let (_, _) = config::run_key_command("printf 'k\\n'", std::time::Duration::from_secs(5))
        .expect("a quick command works");
    let err = config::run_key_command("sleep 10", std::time::Duration::from_secs(1)).unwrap_err();
    assert!(err.contains("did not finish within 1 s"), "{err}");
    let err = config::run_key_command("true", std::time::Duration::from_secs(5)).unwrap_err();
    assert!(err.contains("printed nothing"), "{err}");
}

#[test]
fn flags_win_over_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), PROFILES);
    let env = |k: &str| (k == "SYNCRO_API_KEY").then(|| "env-key-5678".to_string());

    let r = resolve_with(
        &RunArgs {
            demo: true,
            ..args_for(&path)
        },
        &env,
    )
    .unwrap();
    assert!(matches!(r.target, Target::Demo));

    // --base-url alone: only SYNCRO_API_KEY, never another profile's key source.
    let flags = RunArgs {
        base_url: Some("http://127.0.0.1:1234/api/v1/".into()),
        ..args_for(&path)
    };
    let r = resolve_with(&flags, &env).unwrap();
    assert_eq!(r.profile, config::CLI_PROFILE);
    assert_eq!(r.base_url(), Some("http://127.0.0.1:1234/api/v1"));
    let r = resolve_with(&flags, &no_env).unwrap();
    assert!(matches!(r.target, Target::MissingKey { .. }));

    // --subdomain with --profile: the flag's server, the profile's key command.
    let r = resolve_with(
        &RunArgs {
            subdomain: Some("other".into()),
            profile: Some("main".into()),
            ..args_for(&path)
        },
        &no_env,
    )
    .unwrap();
    assert_eq!(r.base_url(), Some("https://other.syncromsp.com/api/v1"));
    assert_eq!(key_of(&r.target), "from-command-key");

    // read-only: profile, config, flag.
    let r = resolve_with(
        &RunArgs {
            profile: Some("readonly".into()),
            ..args_for(&path)
        },
        &env,
    )
    .unwrap();
    assert!(r.read_only);
    let r = resolve_with(
        &RunArgs {
            read_only: true,
            ..args_for(&path)
        },
        &env,
    )
    .unwrap();
    assert!(r.read_only && r.cli_read_only);
    let switched = r.switch_profile("nokey").unwrap();
    assert_eq!(switched.profile, "nokey");
    assert!(switched.read_only, "--read-only survives :profile");
}

#[test]
fn profile_selection_and_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing configured: the demo.
    let path = write_config(dir.path(), "theme = \"dark\"\n");
    let env = |k: &str| (k == "SYNCRO_API_KEY").then(|| "stray-key-0000".to_string());
    let r = resolve_with(&args_for(&path), &env).unwrap();
    assert!(matches!(r.target, Target::Demo));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("no server is configured")),
        "{:?}",
        r.warnings
    );

    // One profile and no default: that one.
    let path = write_config(dir.path(), "[profiles.solo]\nsubdomain = \"solo\"\n");
    let r = resolve_with(&args_for(&path), &env).unwrap();
    assert_eq!(r.profile, "solo");

    // Several and no default: a clear error.
    let path = write_config(
        dir.path(),
        "[profiles.a]\nsubdomain = \"a\"\n[profiles.b]\nsubdomain = \"b\"\n",
    );
    let err = resolve_with(&args_for(&path), &env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--profile") && err.contains("a, b"), "{err}");

    // An unknown --profile lists the known ones.
    let err = resolve_with(
        &RunArgs {
            profile: Some("zzz".into()),
            ..args_for(&path)
        },
        &env,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`zzz`") && err.contains("a, b"), "{err}");

    // A bad subdomain explains what is expected.
    let path = write_config(
        dir.path(),
        "[profiles.a]\nsubdomain = \"a.syncromsp.com\"\n",
    );
    let err = format!("{:#}", resolve_with(&args_for(&path), &env).unwrap_err());
    assert!(err.contains("only NAME"), "{err}");
}

#[test]
fn runtime_profile_switch_uses_the_loaded_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), PROFILES);
    let (settings, _) = config::load_file(&path).unwrap();
    let r = config::resolve_profile_with(&settings, "main", &no_env).unwrap();
    assert_eq!(key_of(&r.target), "from-command-key");
    assert_eq!(r.config_path, path);
    assert!(config::resolve_profile_with(&settings, "missing", &no_env).is_err());
}

#[cfg(unix)]
#[test]
fn a_key_in_a_readable_file_is_used_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[profiles.a]\nsubdomain = \"a\"\napi_key = \"file-key-abcdef\"\n",
    );
    let r = resolve_with(&args_for(&path), &no_env).unwrap();
    assert_eq!(key_of(&r.target), "file-key-abcdef");
    assert_eq!(r.key_source, Some(KeySource::ConfigFile));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Debug output never shows it.
    assert!(!format!("{r:?}").contains("file-key-abcdef"));

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = resolve_with(&args_for(&path), &no_env).unwrap();
    let all = r.warnings.join("\n");
    assert!(all.contains("chmod 600") && all.contains("644"), "{all}");
    assert!(!all.contains("file-key-abcdef"));
}

#[test]
fn the_masked_key_shows_only_the_end() {
    let k = SecretString::from("T1234567890abcdefWXYZ".to_string());
    assert_eq!(config::mask_key(&k), "••••WXYZ");
}

#[test]
fn the_log_file_never_holds_the_key_or_raw_escapes() {
    use syncro_tui::logging;
    let dir = tempfile::tempdir().unwrap();
    let path = logging::log_path_in(dir.path());
    let file = logging::open_log_file(&path).unwrap();
    let key = SecretString::from("log-test-key-7f3a9b".to_string());
    logging::redact_secret(&key);
    let filter = logging::filter(Some("debug"), None).unwrap();
    let (subscriber, guard) = logging::file_subscriber(filter, file);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(
            customer = "Evil\u{1b}]0;pwned\u{7}Corp",
            "sending key log-test-key-7f3a9b with header authorization: Bearer abc.def"
        );
        tracing::warn!("line one\nINFO forged line \u{1b}[2J");
        tracing::debug!(header = ?"Bearer zz-top-secret", "request");
        tracing::trace!("filtered out at debug");
    });
    drop(guard);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("log-test-key-7f3a9b"), "{text}");
    assert!(
        !text.contains("abc.def") && !text.contains("zz-top-secret"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    assert!(text.contains("[redacted]"), "{text}");
    assert!(text.contains("Evil"), "{text}");
    assert_eq!(text.lines().count(), 3, "one line per event: {text}");
    assert!(!text.contains("filtered out"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "log readable by others: {mode:o}");
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_syncro-tui"));
    c.env_remove("SYNCRO_API_KEY")
        .env_remove("SYNCRO_TUI_CONFIG");
    c
}

#[test]
fn completions_and_man_page_cover_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        for sub in [
            "demo-server",
            "config",
            "completions",
            "profile",
            "read-only",
        ] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.contains(".TH"),
        "not roff: {}",
        &text[..80.min(text.len())]
    );
    for needle in [
        "syncro\\-tui",
        "demo\\-server",
        "config",
        "completions",
        "\\-\\-read\\-only",
    ] {
        assert!(text.contains(needle), "man page lacks {needle}");
    }
}

#[test]
fn config_path_prints_the_given_file() {
    let out = bin()
        .args(["config", "path"])
        .env("SYNCRO_TUI_CONFIG", "/tmp/somewhere/cfg.toml")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "/tmp/somewhere/cfg.toml"
    );
}

/// Runs `syncro-tui config check` against `base_url` with `key`; returns (success, stdout+stderr).
fn run_check(base_url: &str, key: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "");
    let out = bin()
        .args(["config", "check", "--base-url", base_url])
        .env("SYNCRO_TUI_CONFIG", &cfg)
        .env("SYNCRO_API_KEY", key)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_check_reports_a_key_without_list_permission() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/customers"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "Not authorized. Please ask account admin to update your group permissions."
        })))
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let key = "perm-less-key-98765";
    let (ok, text) = tokio::task::spawn_blocking(move || run_check(&base, key))
        .await
        .unwrap();
    assert!(!ok, "{text}");
    assert!(text.contains("may not list customers"), "{text}");
    assert!(text.contains("Security Groups"), "{text}");
    assert!(text.contains("Customers - List/Search"), "{text}");
    assert!(text.contains("not checked"), "{text}");
    assert!(!text.contains(key), "the key leaked: {text}");
    // Exactly one request: the check never writes and never retries.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method.as_str(), "GET");
}

#[test]
fn config_check_explains_an_unreachable_server() {
    // A loopback port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let (ok, text) = run_check(&base, "unreachable-key-1111");
    assert!(!ok, "{text}");
    assert!(text.contains("could not be reached"), "{text}");
    assert!(text.contains("Fix:"), "{text}");
    assert!(!text.contains("unreachable-key-1111"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_check_against_the_demo_server_with_a_good_and_a_bad_key() {
    use syncro_tui::demo::{DemoConfig, DemoServer};
    let good = "demo-check-key-31415";
    let server = DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            customers: 30,
            api_key: good.into(),
            ..DemoConfig::default()
        },
    )
    .await
    .unwrap();
    let base = server.base_url();

    let b = base.clone();
    let (ok, text) = tokio::task::spawn_blocking(move || run_check(&b, good))
        .await
        .unwrap();
    assert!(ok, "{text}");
    assert!(text.contains("Profile:      command line"), "{text}");
    assert!(text.contains(&format!("Server:       {base}")), "{text}");
    assert!(text.contains("••••1415"), "{text}");
    assert!(text.contains("Key works:    yes"), "{text}");
    assert!(text.contains("list     yes"), "{text}");
    assert!(text.contains("view     yes"), "{text}");
    for what in ["create", "edit", "delete"] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(what) && l.contains("not checked")),
            "{what}: {text}"
        );
    }
    assert!(!text.contains(good), "the key leaked: {text}");

    let bad = "wrong-key-27182818";
    let b = base.clone();
    let (ok, text) = tokio::task::spawn_blocking(move || run_check(&b, bad))
        .await
        .unwrap();
    assert!(!ok, "a bad key must fail: {text}");
    assert!(
        text.contains("Key works:    no: the server rejected the key"),
        "{text}"
    );
    assert!(
        text.contains("Fix:") && text.contains("API Tokens"),
        "{text}"
    );
    assert!(!text.contains(bad), "the key leaked: {text}");

    // Only reads reached the server: two for the good key, one for the bad.
    let stats = server.control().stats();
    assert!(
        stats.by_route.keys().all(|r| r.starts_with("GET ")),
        "{:?}",
        stats.by_route
    );
    assert_eq!(stats.by_route.get("GET /customers"), Some(&2));
    assert_eq!(stats.by_route.get("GET /customers/{id}"), Some(&1));
    server.shutdown().await;
}
