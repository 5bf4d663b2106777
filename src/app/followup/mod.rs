//! Onboarding follow-ups in the app (see [`crate::followup`]): the checklist an onboarding
//! leaves with its customer, shown at the top of the customer's Overview while it is open and
//! listed by `:onboarding`. `Space` ticks an item by hand (or unticks it), `o` opens the page
//! of Syncro's web app where it is done, `r` looks again at what the API shows (the Overview
//! looks once by itself, the list at every opening). Enter in the list opens the customer.

pub mod state;

use crate::api::model::Id;
use crate::app::action::Cmd;
use crate::app::effect::Effect;
use crate::app::kinds::{Focus, Tab};
use crate::app::panes;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::followup::Item;
use crate::sanitize;
use crate::text::plural;
use state::{FollowupEvent, FollowupOp, FollowupView, item_at};

fn is_list(s: &Screen) -> bool {
    matches!(s, Screen::Followups(_))
}

/// Rows that fit on the `:onboarding` screen (kept in step with `ui::followup`).
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(7)).max(1)
}

/// The first effect at start: read the checklists.
pub fn startup() -> Effect {
    Effect::Followup(FollowupOp::Load)
}

/// `:onboarding`: the open checklists, each looked at again through the API.
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    app.stack.remove(is_list);
    app.stack.push(Screen::Followups(FollowupView::default()));
    fx.push(Effect::Followup(FollowupOp::Load));
    let all: Vec<Id> = app.followups.lists.iter().map(|c| c.customer_id).collect();
    check(app, all, fx);
}

/// Asks the worker to look at `customers` (those not being looked at already).
fn check(app: &mut App, customers: Vec<Id>, fx: &mut Vec<Effect>) {
    let f = &mut app.followups;
    let customers: Vec<Id> = customers
        .into_iter()
        .filter(|c| f.checking.insert(*c))
        .collect();
    if !customers.is_empty() {
        fx.push(Effect::Followup(FollowupOp::Check { customers }));
    }
}

/// The Overview of a customer with an open checklist looks once by itself.
pub fn check_shown(app: &mut App, customer: Id, fx: &mut Vec<Effect>) {
    if app.followups.wants_check(customer) {
        check(app, vec![customer], fx);
    }
}

fn toggle(app: &mut App, customer: Id, item: Item, fx: &mut Vec<Effect>) {
    fx.push(Effect::Followup(FollowupOp::Toggle { customer, item }));
    let done = app
        .followups
        .of(customer)
        .and_then(|c| c.state(item))
        .is_some_and(|s| s.done.is_some());
    app.note(if done {
        format!("{}: not done after all", item.label())
    } else {
        format!("{}: done", item.label())
    });
}

/// `o` on an item: its page in Syncro's web app (the demo only says which).
fn open_page(app: &mut App, customer: Id, item: Item, fx: &mut Vec<Effect>) {
    let path = item.web_path(customer);
    let text = if app.config.demo {
        format!("Demo data: in Syncro this opens https://SUBDOMAIN.syncromsp.com{path}")
    } else if let Some(base) = &app.config.web_base {
        let url = format!("{base}{path}");
        let text = format!("Opening {url}");
        fx.push(Effect::OpenUrl(url));
        text
    } else {
        "Cannot tell the Syncro web address of this server: start with --subdomain NAME".into()
    };
    app.say(text, false);
}

/// The checklist item under the Overview's cursor, when the detail has the focus.
fn overview_item(app: &App) -> Option<(Id, Item)> {
    if app.focus != Focus::Detail || app.detail.tab != Tab::Overview || app.detail.contact_open {
        return None;
    }
    let customer = app.detail.customer_id?;
    item_at(&app.followups, customer, app.detail.cursor()).map(|i| (customer, i))
}

/// `Space` on the Overview: ticks the item under the cursor. False when the cursor is not on
/// one (the key then does what it does elsewhere).
pub fn toggle_here(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    match overview_item(app) {
        Some((customer, item)) => {
            toggle(app, customer, item, fx);
            true
        }
        None => false,
    }
}

/// `o` on the Overview: the item's page, when the cursor is on one.
pub fn open_here(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    match overview_item(app) {
        Some((customer, item)) => {
            open_page(app, customer, item, fx);
            true
        }
        None => false,
    }
}

/// Keys on the `:onboarding` screen.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let vp = viewport(app.size);
    let rows = app.followups.rows();
    let n = rows.len();
    let Some(v) = app.stack.followups_mut() else {
        return;
    };
    let cur = v.cursor.min(n.saturating_sub(1));
    if let Some(to) = crate::app::layout::list_target(cmd, cur, n, vp) {
        v.cursor = to;
        v.offset = crate::app::layout::scroll_to(v.offset, to, to, vp);
        return;
    }
    let here = rows
        .get(cur)
        .map(|&(i, item)| (app.followups.lists[i].customer_id, item));
    match cmd {
        Cmd::Close | Cmd::Back => {
            app.stack.remove(is_list);
        }
        Cmd::Palette => {
            app.stack.push(Screen::Palette);
            app.palette.start("");
        }
        Cmd::Refresh => {
            app.followups.checked.clear();
            let all: Vec<Id> = app.followups.lists.iter().map(|c| c.customer_id).collect();
            app.note(format!(
                "Looking at {} through the API…",
                plural(all.len(), "customer")
            ));
            check(app, all, fx);
        }
        Cmd::ConfirmToggle => {
            if let Some((customer, item)) = here {
                toggle(app, customer, item, fx);
            }
        }
        Cmd::OpenInBrowser => {
            if let Some((customer, item)) = here {
                open_page(app, customer, item, fx);
            }
        }
        Cmd::Open => {
            let Some((customer, _)) = here else {
                return;
            };
            app.stack.remove(is_list);
            if panes::select_customer(app, customer, true) {
                app.focus = Focus::Detail;
                panes::show_tab(app, Tab::Overview);
            } else {
                let why = panes::hidden_why(app, customer);
                let name = app
                    .followups
                    .of(customer)
                    .map(|c| sanitize::line(&c.name))
                    .unwrap_or_default();
                app.say(format!("{name}: {why}"), false);
            }
        }
        _ => {}
    }
}

/// A report from the worker.
pub fn event(app: &mut App, ev: FollowupEvent, fx: &mut Vec<Effect>) {
    match ev {
        FollowupEvent::Lists(Ok(lists)) => {
            let f = &mut app.followups;
            f.lists = lists;
            f.loaded = true;
            f.error = None;
        }
        FollowupEvent::Lists(Err(e)) => {
            let e = sanitize::line(&e);
            app.followups.error = Some(e.clone());
            app.say(format!("Onboarding follow-ups: {e}"), true);
        }
        FollowupEvent::Checked { customer, result } => {
            app.followups.checking.remove(&customer);
            app.followups.checked.insert(customer);
            match result {
                Ok(ticked) if !ticked.is_empty() => {
                    let name = app
                        .followups
                        .of(customer)
                        .map(|c| c.name.clone())
                        .unwrap_or_else(|| format!("#{customer}"));
                    let what: Vec<&str> = ticked.iter().map(|i| i.label()).collect();
                    app.note(format!(
                        "{name}: done as the API shows: {}",
                        what.join(", ")
                    ));
                }
                Ok(_) => {}
                Err(e) => app.say(
                    sanitize::line(&format!("Could not look at customer #{customer}: {e}")),
                    true,
                ),
            }
        }
    }
    // The list's cursor stays on a row; the Overview shows the new state.
    let n = app.followups.rows().len();
    if let Some(v) = app.stack.followups_mut() {
        v.cursor = v.cursor.min(n.saturating_sub(1));
        v.offset = v.offset.min(v.cursor);
    }
    panes::sync_detail(app, true);
    if let Some(id) = app.detail.customer_id
        && app.detail.tab == Tab::Overview
    {
        check_shown(app, id, fx);
    }
}

#[cfg(test)]
mod tests;
