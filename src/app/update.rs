//! `update(&mut App, Action) -> Vec<Effect>`: the dispatcher. Every state change of the app
//! goes through here, to the screen in front (keys) or to the part an answer is about
//! (results); the screens and the panes do the work.
//!
//! After each action, in one place: what waits to be offered (a draft, an unfinished merge or
//! onboarding) is offered once the base is in front, and a status message whose screen has
//! gone goes with it.

use std::time::Instant;

use crate::app::action::{Action, Cmd};
use crate::app::dialog::{Answer, Ask};
use crate::app::effect::Effect;
use crate::app::kinds::Mode;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::{
    audit, browse, bulk, contact_merge, contacts, find, forms, help, log, marks, merge, mirror,
    onboard, palette, panes, pick, report,
};

/// The first effects of a fresh app: the first page of customers, or the start-up problem.
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut fx = Vec::new();
    if let Some(d) = app.config.startup_problem.clone() {
        app.list.browse.error = Some(d.title.clone());
        app.stack.push(Screen::Dialog(Box::new(d)));
    } else if app.mirror.configured {
        mirror::start(app, &mut fx);
    } else {
        panes::maybe_load_more(app, &mut fx);
    }
    fx
}

/// Applies one action and returns what the outside world should do.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Cmd(cmd) => command(app, cmd, &mut fx),
        Action::SearchEdit(req) => browse::search_edit(app, req),
        Action::PaletteEdit(req) => palette::edit(app, req),
        Action::FindEdit(req) => find::edit(app, req),
        // A field that holds a customer takes a letter as the start of its search.
        Action::FormEdit(req) | Action::OnboardEdit(req) if pick::form_key(app, &req) => {}
        Action::FormEdit(req) => forms::edit(app, req),
        Action::OnboardEdit(req) => onboard::edit(app, req),
        Action::PickEdit(req) => pick::edit(app, req),
        Action::ConfirmEdit(req) => {
            if let Some(answer) = app.stack.dialog_mut().and_then(|d| d.key(req)) {
                answer_dialog(app, answer, &mut fx);
            }
        }
        Action::Resize(w, h) => {
            browse::resize(app, w, h);
            help::resize(app);
        }
        Action::Tick(now) => tick(app, now, &mut fx),
        Action::RateWait(wait, reason) => {
            app.rate_wait = wait;
            app.rate_reason = reason;
        }
        Action::Clock(now) => app.clock = Some(now),
        Action::Click(col, row) => browse::click(app, col, row),
        Action::Scroll(n) => browse::scroll(app, n, &mut fx),
        Action::CustomersLoaded {
            generation,
            page,
            result,
        } => {
            if let Some(ok) = browse::customers_loaded(app, generation, page, result, &mut fx) {
                if ok {
                    palette::page_arrived(app, &mut fx);
                    marks::page_arrived(app, &mut fx);
                } else {
                    palette::page_failed(app);
                    marks::page_failed(app);
                }
            }
        }
        Action::TicketsLoaded {
            customer_id,
            generation,
            result,
        } => browse::tickets_loaded(app, customer_id, generation, result),
        Action::AssetsLoaded {
            customer_id,
            generation,
            result,
        } => browse::assets_loaded(app, customer_id, generation, result),
        Action::ListOrders { version, orders } => panes::orders_built(app, version, orders),
        Action::ContactsBuilt { generation, built } => contacts::built(app, generation, built),
        Action::ContactsLoaded {
            customer_id,
            generation,
            result,
        } => browse::contacts_loaded(app, customer_id, generation, result, &mut fx),
        Action::InvoicesPage {
            generation,
            page,
            total_pages,
            last,
            result,
        } => browse::invoices_page(app, generation, page, total_pages, last, result),
        Action::Notice { text, error } => app.say(text, error),
        Action::Mirror(ev) => {
            if mirror::event(app, ev, &mut fx) {
                // The whole account is in the list now: a waiting export has every page.
                palette::page_arrived(app, &mut fx);
                marks::page_arrived(app, &mut fx);
            }
        }
        Action::Audit(ev) => audit::event(app, ev, &mut fx),
        Action::Merge(ev) => merge::event(app, ev, &mut fx),
        Action::ContactMerge(ev) => contact_merge::event(app, ev, &mut fx),
        Action::BulkEdit(req) => bulk::edit(app, req),
        Action::Bulk(ev) => bulk::event(app, ev, &mut fx),
        Action::Log(ev) => log::event(app, ev, &mut fx),
        Action::Followup(ev) => crate::app::followup::event(app, ev, &mut fx),
        Action::Onboard(ev) => onboard::event(app, ev, &mut fx),
        Action::EditorDone(result) => forms::editor_done(app, result),
        Action::FormReread { token, result } => forms::reread(app, token, result, &mut fx),
        Action::FormSaved { token, result } => forms::saved(app, token, result, &mut fx),
        Action::FormLookup { token, result } => forms::looked_up(app, token, result, &mut fx),
        Action::Deleted { target, result } => forms::deleted(app, target, result, &mut fx),
        Action::ContactChanged { change, result } => {
            forms::contact_changed(app, change, result, &mut fx)
        }
        Action::DraftsLoaded(drafts) => app.drafts_waiting.extend(drafts),
    }
    offer_waiting(app);
    contacts::settle(app, &mut fx);
    panes::settle_orders(app, &mut fx);
    app.settle_message();
    fx
}

/// A key, to the screen in front.
fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let mode = app.mode();
    if cmd == Cmd::Suspend {
        // Whatever is on screen stays as it is and comes back with `fg`.
        fx.push(Effect::Suspend);
        return;
    }
    if cmd == Cmd::Quit {
        return quit(app);
    }
    if cmd == Cmd::Help
        && matches!(
            mode,
            Mode::Normal
                | Mode::Audit
                | Mode::Merge
                | Mode::Onboard
                | Mode::Bulk
                | Mode::Log
                | Mode::Report
                | Mode::Followups
        )
    {
        return help::open(app);
    }
    match mode {
        Mode::Normal | Mode::Search => browse::command(app, cmd, fx),
        Mode::Help => help::command(app, cmd),
        Mode::Dialog => dialog_command(app, cmd, fx),
        Mode::Find => find::command(app, cmd),
        Mode::Audit if cmd == Cmd::Merge && audit::contact_finding(app) => {
            contact_merge::open_from_audit(app)
        }
        Mode::Audit if cmd == Cmd::Merge => merge::open(app),
        Mode::Audit => audit::command(app, cmd, fx),
        Mode::Merge if app.stack.top_is(|s| matches!(s, Screen::ContactMerge(_))) => {
            contact_merge::command(app, cmd, fx)
        }
        Mode::Merge => merge::command(app, cmd, fx),
        Mode::Palette => palette::command(app, cmd, fx),
        Mode::Results => palette::results_command(app, cmd, fx),
        Mode::Form => forms::command(app, cmd, fx),
        Mode::Onboard | Mode::OnboardForm => onboard::command(app, cmd, fx),
        Mode::Pick => pick::command(app, cmd),
        Mode::Bulk | Mode::BulkForm => bulk::command(app, cmd, fx),
        Mode::Log => log::command(app, cmd, fx),
        Mode::Report => report::command(app, cmd, fx),
        Mode::Followups => crate::app::followup::command(app, cmd, fx),
    }
}

/// Quit from any screen; while something typed is not sent (a form with changes, an
/// onboarding not started), ask first. On the question itself, quit.
fn quit(app: &mut App) {
    let asking = app.stack.dialog().is_some_and(|d| d.ask == Ask::Quit);
    if !asking && (forms::unsaved_draft(app).is_some() || onboard::unsaved(app).is_some()) {
        forms::ask_quit(app);
    } else {
        app.quit = true;
    }
}

/// Keys on a dialog: Enter takes the highlighted choice, Esc the safe one.
fn dialog_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    let Some(d) = app.stack.dialog_mut() else {
        return;
    };
    match cmd {
        Cmd::ConfirmAccept => match d.accept() {
            Ok(answer) => answer_dialog(app, answer, fx),
            Err(why) => app.say(why, true),
        },
        Cmd::ConfirmCancel => {
            let answer = d.cancel;
            answer_dialog(app, answer, fx);
        }
        Cmd::ConfirmToggle => d.step(true),
        Cmd::ConfirmBack => d.step(false),
        _ => {}
    }
}

/// Takes the dialog off the stack and gives its answer to the screen that asked.
fn answer_dialog(app: &mut App, answer: Answer, fx: &mut Vec<Effect>) {
    let Some(Screen::Dialog(d)) = app.stack.pop() else {
        return;
    };
    app.message = None;
    match d.ask {
        Ask::Message => {}
        Ask::Quit => {
            if answer == Answer::Yes {
                // The loop keeps what was typed as drafts on the way out.
                app.quit = true;
            }
        }
        ask @ (Ask::DeleteContact { .. }
        | Ask::DeleteCustomer { .. }
        | Ask::RetireContact { .. }
        | Ask::MoveContact { .. }
        | Ask::DiscardForm
        | Ask::RestoreDraft(_)
        | Ask::RecordGone) => forms::answer(app, ask, answer, fx),
        ask @ (Ask::OnboardLeave
        | Ask::OnboardRemoveContact(_)
        | Ask::OnboardCreateAnyway
        | Ask::OnboardForgetRun
        | Ask::OnboardRestoreDraft) => onboard::answer(app, ask, answer, fx),
        Ask::MergeNow => merge::answer(app, answer, fx),
        Ask::MergeContactsNow => contact_merge::answer(app, answer, fx),
        Ask::BulkNow => bulk::answer(app, answer, fx),
        Ask::Undo { target, consent } => log::answer(app, target, consent, answer, fx),
        Ask::Recreate { entry } => log::answer_recreate(app, entry, answer, fx),
    }
}

fn tick(app: &mut App, now: Instant, fx: &mut Vec<Effect>) {
    browse::tick(app, now, fx);
    forms::tick(app, now, fx);
}

/// What waits for the base to be in front (a draft of an earlier run, an unfinished merge or
/// onboarding) is offered, one at a time, once nothing is open over the panes.
fn offer_waiting(app: &mut App) {
    if !app.stack.is_empty() {
        return;
    }
    if forms::offer_draft(app) || merge::offer(app) || contact_merge::offer(app) || bulk::offer(app)
    {
        return;
    }
    onboard::offer(app);
}
