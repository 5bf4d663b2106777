//! The reports over the customers the list holds (the whole account with the local mirror),
//! by the house rules of [`crate::house`]:
//!
//! - `:referrals`: customers grouped by normalised referral source (spellings merged with a
//!   note, a referring customer by its name), with new customers per month; Enter narrows the
//!   list to a source's customers, `x` exports the report as CSV.
//! - `:names`: every customer whose business name breaks the house style, with the name it
//!   should have; Enter opens the customer, `e` fixes them all through the bulk edit (preview
//!   first, behind the rate limiter, journaled, in the change log).
//! - `:incomplete`: every customer that lacks what `[house.required]` asks for; Enter opens it.
//!
//! Disabled customers count only while the list shows them (`x` on the list).

pub mod state;

use std::collections::HashMap;

use crate::api::model::{Customer, Id};
use crate::app::action::Cmd;
use crate::app::bulk;
use crate::app::bulk::state::Choice;
use crate::app::effect::Effect;
use crate::app::kinds::{Focus, Tab};
use crate::app::list::Only;
use crate::app::panes;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::export::ExportFormat;
use crate::house;
use crate::sanitize;
use crate::text::plural;
use state::{IncompleteRow, NameRow, ReportData, ReportKind, ReportView, viewport};

fn is_report(s: &Screen) -> bool {
    matches!(s, Screen::Report(_))
}

/// `:referrals`, `:names`, `:incomplete`: the report, computed over the list's customers.
pub fn open(app: &mut App, kind: ReportKind) {
    let view = build(app, kind);
    app.stack.remove(is_report);
    app.stack.push(Screen::Report(Box::new(view)));
}

/// The customers a report covers: every row the list holds (disabled ones while shown),
/// decoded one at a time.
fn customers(app: &App) -> impl Iterator<Item = Customer> + '_ {
    let include_disabled = app.include_disabled;
    app.list
        .order
        .iter()
        .filter_map(|&i| app.list.rows.get(i))
        .filter(move |r| include_disabled || !r.view.disabled)
        .map(|r| r.customer())
}

/// Which customers the report covers, in words.
fn scope(app: &App, n: usize) -> String {
    let disabled = if app.include_disabled {
        ", disabled ones included"
    } else {
        ""
    };
    if app.mirror.active {
        return format!("the whole account (local mirror){disabled}");
    }
    let paging = &app.list.browse;
    match paging.total_entries {
        Some(t) if paging.has_more && (n as u64) < t => format!(
            "the {} loaded of {t}{disabled}: scroll the list to the end (or :sync) for all",
            plural(n, "customer")
        ),
        _ => format!("every customer ({n}){disabled}"),
    }
}

/// Computes the report of `kind` over the list's customers.
pub fn build(app: &App, kind: ReportKind) -> ReportView {
    let mut scanned = 0;
    let data = match kind {
        ReportKind::Referrals => {
            let names: HashMap<Id, String> = app
                .list
                .rows
                .iter()
                .map(|r| (r.id(), r.view.name().to_string()))
                .collect();
            let r = house::report(customers(app).inspect(|_| scanned += 1), &|id| {
                names.get(&id).cloned()
            });
            ReportData::Referrals(r)
        }
        ReportKind::Names => {
            let style = &app.config.house.names;
            let mut rows = Vec::new();
            for c in customers(app) {
                scanned += 1;
                let Some(name) = c.business_name.as_deref().filter(|n| !n.trim().is_empty()) else {
                    continue;
                };
                if let Some(s) = house::check(name, style) {
                    rows.push(NameRow {
                        id: c.id,
                        name: name.to_string(),
                        fixed: s.fixed,
                        reasons: s.reasons,
                    });
                }
            }
            ReportData::Names(rows)
        }
        ReportKind::Incomplete => {
            let rules = &app.config.house.required;
            let mut rows = Vec::new();
            for c in customers(app) {
                scanned += 1;
                let missing = house::missing(&c, rules);
                if !missing.is_empty() {
                    rows.push(IncompleteRow {
                        id: c.id,
                        name: c.display_name(),
                        missing,
                    });
                }
            }
            ReportData::Incomplete(rows)
        }
    };
    ReportView {
        data,
        scanned,
        scope: scope(app, scanned),
        cursor: 0,
        offset: 0,
    }
}

/// Keys on a report.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let vp = viewport(app.size);
    let Some(v) = app.stack.report_mut() else {
        return;
    };
    let n = v.len();
    let cur = v.cursor;
    if let Some(to) = crate::app::layout::list_target(cmd, cur, n, vp) {
        v.cursor = to;
        v.offset = crate::app::layout::scroll_to(v.offset, to, to, vp);
        return;
    }
    match cmd {
        Cmd::Close | Cmd::Back => {
            app.stack.remove(is_report);
        }
        Cmd::Palette => {
            app.stack.push(Screen::Palette);
            app.palette.start("");
        }
        Cmd::Refresh => {
            let kind = v.kind();
            let mut fresh = build(app, kind);
            if let Some(v) = app.stack.report_mut() {
                fresh.cursor = v.cursor.min(fresh.len().saturating_sub(1));
                fresh.offset = v.offset.min(fresh.cursor);
                *v = fresh;
            }
            app.note("Counted again");
        }
        Cmd::Open => open_row(app, fx),
        Cmd::Edit => fix_names(app),
        Cmd::Export => export(app, fx),
        _ => {}
    }
}

/// Enter: a source's customers in the list, or the customer of the row.
fn open_row(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(v) = app.stack.report() else {
        return;
    };
    match &v.data {
        ReportData::Referrals(r) => {
            let Some(g) = r.groups.get(v.cursor) else {
                return;
            };
            let only = Only {
                label: format!("referred by {}", g.label),
                ids: g.customer_ids.iter().copied().collect(),
            };
            let label = g.label.clone();
            let count = g.count;
            app.stack.remove(is_report);
            if !app.search.text().is_empty() {
                panes::clear_search(app, fx);
            }
            panes::set_only(app, Some(only));
            app.focus = Focus::List;
            app.list.cursor = 0;
            panes::ensure_visible(app);
            panes::sync_detail(app, false);
            app.say(
                format!(
                    "{} referred by {} · Esc on the list shows every customer",
                    plural(count, "customer"),
                    sanitize::line(&label)
                ),
                false,
            );
        }
        ReportData::Names(rows) => {
            if let Some(id) = rows.get(v.cursor).map(|r| r.id) {
                open_customer(app, id, fx);
            }
        }
        ReportData::Incomplete(rows) => {
            if let Some(id) = rows.get(v.cursor).map(|r| r.id) {
                open_customer(app, id, fx);
            }
        }
    }
}

/// Closes the report and shows the customer's Overview (a search or a source filter that
/// hides it is cleared first).
fn open_customer(app: &mut App, id: Id, fx: &mut Vec<Effect>) {
    app.stack.remove(is_report);
    if !panes::select_customer(app, id, true) {
        if !app.search.text().is_empty() {
            panes::clear_search(app, fx);
        }
        if app.list.only.is_some() {
            panes::set_only(app, None);
        }
        if !panes::select_customer(app, id, true) {
            let why = panes::hidden_why(app, id);
            return app.say(why, false);
        }
    }
    panes::show_tab(app, Tab::Overview);
    app.focus = Focus::Detail;
    panes::keep_detail_visible(app);
}

/// `e` on `:names`: every listed customer's name fixed to the house style, as a bulk edit at
/// its preview (nothing is sent before its question is answered).
fn fix_names(app: &mut App) {
    let ids: Vec<Id> = match app.stack.report().map(|v| &v.data) {
        Some(ReportData::Names(rows)) => rows.iter().map(|r| r.id).collect(),
        _ => {
            return app.say(
                "e fixes names on :names; this report changes nothing",
                false,
            );
        }
    };
    if ids.is_empty() {
        return app.say("Every name follows the house style: nothing to fix", false);
    }
    app.stack.remove(is_report);
    bulk::open_with(app, ids, Choice::HouseName);
}

/// `x` on `:referrals`: the report as CSV in the export directory.
fn export(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(ReportData::Referrals(r)) = app.stack.report().map(|v| &v.data) else {
        return app.say("x exports :referrals", false);
    };
    if r.groups.is_empty() {
        return app.say(
            "Nothing to export: no customer has a referral source",
            false,
        );
    }
    let text = r.to_csv(app.config.export);
    let what = plural(r.groups.len(), "referral source");
    app.say(format!("Exporting {what}…"), false);
    fx.push(Effect::Export {
        dir: app.config.export_dir.clone(),
        stem: "referrals".into(),
        format: ExportFormat::Csv,
        text,
        what,
    });
}

#[cfg(test)]
mod tests;
