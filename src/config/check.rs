//! `syncro-tui config check`: the profile, the server, whether the key works and what it may do.
//!
//! Only reads are sent. Syncro reports a missing permission as 401 on the request that needs it,
//! so "list" and "view" can be probed with a GET each; create, edit and delete cannot be probed
//! without changing data, and the report says so instead of guessing.

use std::fmt::{self, Write as _};

use crate::api::{ApiError, CustomerQuery, SyncroClient};
use crate::logging::scrub;

use super::{Resolved, Target, mask_key, missing_key_help};

/// The result of a check: printable text and whether everything checked worked.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Whether the key works (at least listing customers succeeded), or the demo is used.
    pub ok: bool,
    text: String,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const NOT_PROBED: &str = "not checked: it cannot be tested without changing data";

/// Runs the check for a resolved configuration: at most two GET requests.
pub async fn check(r: &Resolved) -> CheckReport {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Config file:  {}{}",
        r.config_path.display(),
        if r.config_path.exists() {
            ""
        } else {
            " (not found; defaults used)"
        }
    );
    let _ = writeln!(t, "Profile:      {}", r.profile);
    let _ = writeln!(
        t,
        "Read-only:    {}",
        if r.read_only { "yes" } else { "no" }
    );
    let warnings = |t: &mut String| {
        for w in &r.warnings {
            let _ = writeln!(t, "Warning:      {}", scrub(w));
        }
    };
    let (base_url, key) = match &r.target {
        Target::Demo => {
            let _ = writeln!(
                t,
                "Server:       the built-in demo (no Syncro account configured)"
            );
            warnings(&mut t);
            let _ = writeln!(
                t,
                "\nNothing to check: the app opens on demo data. To connect a Syncro account, add \
                 to the config file:\n\n  default_profile = \"main\"\n  [profiles.main]\n  \
                 subdomain = \"NAME\"   # as in https://NAME.syncromsp.com\n  api_key_command = \
                 \"pass show syncro\"\n\nor run with --subdomain NAME and SYNCRO_API_KEY set."
            );
            return CheckReport { ok: true, text: t };
        }
        Target::MissingKey { base_url } => {
            let _ = writeln!(t, "Server:       {}", scrub(base_url));
            let _ = writeln!(t, "API key:      missing");
            warnings(&mut t);
            let _ = writeln!(t, "\n{}", missing_key_help(&r.profile, &r.config_path));
            return CheckReport { ok: false, text: t };
        }
        Target::Live { base_url, api_key } => (base_url, api_key),
    };
    let _ = writeln!(t, "Server:       {}", scrub(base_url));
    let source = r
        .key_source
        .map(|s| format!(" (from {s})"))
        .unwrap_or_default();
    let _ = writeln!(t, "API key:      {}{source}", mask_key(key));
    warnings(&mut t);

    let mut cfg = r.settings.client_config(base_url, key.clone());
    cfg.max_attempts = 1;
    let client = match SyncroClient::new(cfg) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(
                t,
                "\nCannot set up the HTTP client: {}",
                scrub(&e.to_string())
            );
            return CheckReport { ok: false, text: t };
        }
    };

    let list = client
        .list_customers(&CustomerQuery {
            page: 1,
            ..CustomerQuery::default()
        })
        .await;
    let (ok, first_id) = match &list {
        Ok(page) => {
            let count = page
                .meta
                .total_entries
                .map(|n| format!("{n} customers in the account"))
                .unwrap_or_else(|| format!("{} customers on the first page", page.items.len()));
            let _ = writeln!(t, "Key works:    yes (GET /customers answered: {count})");
            (true, page.items.first().map(|c| c.id))
        }
        Err(e) => {
            let _ = writeln!(t, "Key works:    {}", verdict(e));
            let _ = writeln!(t, "  Error:      {}", scrub(&e.to_string()));
            let _ = writeln!(t, "  Fix:        {}", fix(e, "Customers - List/Search"));
            (permission_denied(e), None)
        }
    };

    let _ = writeln!(t, "\nWhat the key may do:");
    let _ = writeln!(
        t,
        "  list     {}",
        match &list {
            Ok(_) => "yes".to_string(),
            Err(e) if permission_denied(e) => "no (missing \"Customers - List/Search\")".into(),
            Err(_) => "unknown (the request failed, see above)".into(),
        }
    );
    let view = match first_id {
        Some(id) => match client.get_customer(id).await {
            Ok(_) => format!("yes (read customer {id})"),
            Err(e) if permission_denied(&e) => {
                format!(
                    "no (missing \"Customers - View Detail\"): {}",
                    scrub(&e.to_string())
                )
            }
            Err(e) => format!("unknown: {}", scrub(&e.to_string())),
        },
        None if list.is_ok() => "not checked: the account has no customer to read".into(),
        None => "not checked: needs a customer from the list".into(),
    };
    let _ = writeln!(t, "  view     {view}");
    for what in ["create", "edit", "delete"] {
        let _ = writeln!(t, "  {what:<8} {NOT_PROBED}");
    }
    if ok && list.is_err() {
        let _ = writeln!(
            t,
            "\nThe key is accepted but lacks permissions: in Syncro, Admin > Security Groups, give \
             the token's group the Customers and Contacts permissions the app needs."
        );
    }
    let works = list.is_ok();
    CheckReport { ok: works, text: t }
}

/// A 401 whose text says the token is valid but its group lacks the permission.
fn permission_denied(e: &ApiError) -> bool {
    matches!(e, ApiError::Unauthorized { message } if {
        let m = message.to_ascii_lowercase();
        m.contains("not authorized") || m.contains("permission")
    })
}

fn verdict(e: &ApiError) -> &'static str {
    match e {
        _ if permission_denied(e) => "yes, but it may not list customers",
        ApiError::Unauthorized { .. } => "no: the server rejected the key",
        ApiError::Connect { .. } | ApiError::Timeout { .. } => {
            "unknown: the server could not be reached"
        }
        ApiError::NotFound { .. } | ApiError::NotJson { .. } => {
            "unknown: the server address does not look like a Syncro API"
        }
        ApiError::RateLimited { .. } => "unknown: rate limited, try again in a minute",
        _ => "unknown: the server answered with an error",
    }
}

fn fix(e: &ApiError, permission: &str) -> String {
    match e {
        _ if permission_denied(e) => {
            format!("in Syncro, Admin > Security Groups, give the token's group \"{permission}\".")
        }
        ApiError::Unauthorized { .. } => "check that the key is complete and not revoked: create \
            a new token in Syncro under Admin > API Tokens and set it again (SYNCRO_API_KEY, \
            api_key_command or the keyring)."
            .into(),
        ApiError::NotFound { .. } | ApiError::NotJson { .. } => "the base URL must point at the \
            API and end in /api/v1, e.g. https://NAME.syncromsp.com/api/v1; with subdomain, give \
            only NAME."
            .into(),
        ApiError::Connect { .. } => "check the network, the VPN or proxy, and the subdomain or \
            base_url spelling."
            .into(),
        ApiError::Timeout { .. } => "the server is slow or unreachable: check the network, or \
            raise request_timeout_secs in the config."
            .into(),
        ApiError::RateLimited { .. } => "Syncro allows 180 requests a minute per office IP; \
            colleagues may be using the budget. Wait a minute and run the check again."
            .into(),
        _ => "see the error above; if it persists, check Syncro's status page.".into(),
    }
}
