//! The panes' own keys and results: browsing the list and the detail (the base of the screen
//! stack), the search line, copying and opening, the mouse, and the pages, tabs and scans that
//! arrive for them. Keys that open a screen push it here.

use std::time::Instant;

use tui_input::InputRequest;

use crate::api::ApiError;
use crate::api::model::{Asset, Contact, Customer, Id, Invoice, Page, Ticket};
use crate::app::action::Cmd;
use crate::app::effect::Effect;
use crate::app::kinds::{Debounce, Focus, Load, Mode, Pane, SortKey, Tab};
use crate::app::layout;
use crate::app::list::PickFor;
use crate::app::panes::{self, Step};
use crate::app::stack::Screen;
use crate::app::state::{App, DETAIL_DEBOUNCE, SEARCH_DEBOUNCE};
use crate::app::view::{AssetRow, InvoiceRow, TicketRow};
use crate::app::{audit, contacts, find, forms, marks, merge, mirror, onboard, palette, pick};
use crate::sanitize;

/// Keys on the panes (browsing) and in the search line.
pub fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    if cmd == Cmd::Panes {
        return contacts::toggle(app, fx);
    }
    match cmd {
        // On a follow-up line of the Overview, Space ticks it and `o` opens its page.
        Cmd::Mark if crate::app::followup::toggle_here(app, fx) => return,
        Cmd::OpenInBrowser if crate::app::followup::open_here(app, fx) => return,
        Cmd::Mark => return marks::toggle(app, fx),
        Cmd::MarkAll => return marks::mark_all(app, fx),
        Cmd::ClearMarks => return marks::clear(app),
        Cmd::UndoLast => return crate::app::log::undo_last(app, fx),
        // With marks, the edit key edits every marked record at once.
        Cmd::Edit if !app.marks.of(app.pane).is_empty() && app.focus == Focus::List => {
            return crate::app::bulk::open(app);
        }
        _ => {}
    }
    if app.pane == Pane::Contacts && contacts::command(app, cmd, fx) {
        return;
    }
    match cmd {
        Cmd::Up => panes::move_cursor(app, Step::By(-1), fx),
        Cmd::Down => panes::move_cursor(app, Step::By(1), fx),
        Cmd::PageDown => {
            let p = panes::page_size(app) as isize;
            panes::move_cursor(app, Step::By(p), fx)
        }
        Cmd::PageUp => {
            let p = panes::page_size(app) as isize;
            panes::move_cursor(app, Step::By(-p), fx)
        }
        Cmd::HalfPageDown => {
            let p = (panes::page_size(app) / 2).max(1) as isize;
            panes::move_cursor(app, Step::By(p), fx)
        }
        Cmd::HalfPageUp => {
            let p = (panes::page_size(app) / 2).max(1) as isize;
            panes::move_cursor(app, Step::By(-p), fx)
        }
        Cmd::Top => panes::move_cursor(app, Step::Top, fx),
        Cmd::Bottom => panes::move_cursor(app, Step::Bottom, fx),
        Cmd::FocusNext | Cmd::FocusPrev => {
            app.focus = match app.focus {
                Focus::List => Focus::Detail,
                Focus::Detail => Focus::List,
            };
        }
        Cmd::ShowTab(tab) => {
            panes::show_tab(app, tab);
            panes::load_tab(app, fx);
        }
        Cmd::Open => match app.focus {
            Focus::List => {
                if app.list.selected().is_some() {
                    app.focus = Focus::Detail;
                }
            }
            Focus::Detail => {
                if app.detail.tab == Tab::Contacts && panes::contact_count(app) > 0 {
                    let at = app.detail.cursor();
                    panes::open_contact(app, at);
                }
            }
        },
        Cmd::Back => {
            if app.detail.contact_open {
                app.detail.contact_open = false;
            } else if app.focus == Focus::Detail {
                app.focus = Focus::List;
            } else if !app.search.text().is_empty() {
                panes::clear_search(app, fx);
            } else if app.list.only.is_some() {
                panes::set_only(app, None);
                app.note("Showing every customer again");
            } else {
                app.message = None;
            }
        }
        Cmd::Search => {
            if app.mode() != Mode::Search {
                app.stack.push(Screen::Search);
            }
            app.focus = Focus::List;
            panes::ensure_visible(app);
        }
        Cmd::SearchAccept => {
            app.stack.remove(|s| matches!(s, Screen::Search));
            panes::ensure_visible(app);
        }
        Cmd::SearchCancel => panes::clear_search(app, fx),
        Cmd::SortNext => {
            app.sort.key = app.sort.key.next();
            app.sort.descending = matches!(app.sort.key, SortKey::Created | SortKey::Updated);
            panes::reload_list(app, fx);
        }
        Cmd::SortReverse => {
            app.sort.descending = !app.sort.descending;
            panes::reload_list(app, fx);
        }
        Cmd::ToggleDisabled => {
            app.include_disabled = !app.include_disabled;
            app.note(if app.include_disabled {
                "Showing disabled customers"
            } else {
                "Hiding disabled customers"
            });
            panes::reload_list(app, fx);
        }
        Cmd::Refresh => mirror::refresh(app, fx),
        Cmd::Copy => copy(app, fx),
        Cmd::OpenInBrowser => open_in_browser(app, fx),
        Cmd::Palette => palette::open(app),
        Cmd::New | Cmd::Edit | Cmd::Delete | Cmd::DeleteCustomer => forms::browse_command(app, cmd),
        Cmd::NextContact | Cmd::PrevContact => {
            // The customer's next contact, its record open: no going back to the table.
            let n = panes::contact_count(app);
            if app.detail.tab != Tab::Contacts || n == 0 {
                return app.say(
                    "] and [ go through a customer's contacts: open the Contacts tab (2)",
                    false,
                );
            }
            let cur = app.detail.cursor();
            let next = if cmd == Cmd::NextContact {
                (cur + 1).min(n - 1)
            } else {
                cur.saturating_sub(1)
            };
            let open = app.detail.contact_open;
            app.focus = Focus::Detail;
            if open {
                panes::open_contact(app, next);
            } else {
                panes::set_contact_cursor(app, next);
                panes::keep_detail_visible(app);
            }
        }
        Cmd::Retire | Cmd::MoveContact => {
            let cursor = app.detail.cursors[Tab::Contacts.index()];
            let on_contacts = app.focus == Focus::Detail && app.detail.tab == Tab::Contacts;
            let customer = app.list.selected().map(|r| r.customer());
            match customer.and_then(|c| c.contacts.get(cursor).cloned().map(|ct| (c, ct))) {
                Some((c, ct)) if on_contacts => {
                    if cmd == Cmd::Retire {
                        forms::ask_retire(app, &c, &ct);
                    } else {
                        pick::open(
                            app,
                            PickFor::MoveContact {
                                contact_id: ct.id,
                                from: c.id,
                            },
                        );
                    }
                }
                _ => app.say(
                    "L and m act on a contact: open the Contacts tab (2) and pick one, or list contacts with c",
                    false,
                ),
            }
        }
        Cmd::FindAnywhere => find::open(app),
        Cmd::SyncMirror => mirror::sync_now(app, fx),
        Cmd::Audit => audit::open(app, fx),
        Cmd::TypeFilter => audit::cycle_type_filter(app, fx),
        Cmd::Merge => merge::mark(app),
        Cmd::Onboard => onboard::open(app),
        _ => {}
    }
}

/// A key typed into the search line: the list filters at once; the server is asked once
/// typing pauses.
pub fn search_edit(app: &mut App, req: InputRequest) {
    if app.pane == Pane::Contacts {
        return contacts::search_edit(app, req);
    }
    let before = app.search.text().to_string();
    app.search.input.handle(req);
    if app.search.text() == before {
        return;
    }
    app.list.pinned = None;
    panes::refilter(app);
    if app.search.text().trim().is_empty() {
        app.list.remote = None;
        app.search.debounce = Debounce::Idle;
    } else if !app.mirror.answers_search() {
        // Each keystroke re-arms the debounce: the server is asked once typing pauses. With
        // the mirror, which holds every customer, no server is asked.
        app.search.debounce = Debounce::Armed;
    }
}

/// The terminal's new size: the cursors stay on screen.
pub fn resize(app: &mut App, w: u16, h: u16) {
    app.size = (w, h);
    panes::ensure_visible(app);
    panes::keep_detail_visible(app);
}

/// The mouse wheel moves the list or the detail, as the arrows do.
pub fn scroll(app: &mut App, n: i16, fx: &mut Vec<Effect>) {
    if app.mode() == Mode::Normal {
        let cmd = if n > 0 { Cmd::Down } else { Cmd::Up };
        for _ in 0..n.unsigned_abs().min(50) {
            command(app, cmd, fx);
        }
    }
}

/// The customer's tickets arrived.
pub fn tickets_loaded(
    app: &mut App,
    customer_id: Id,
    generation: u64,
    result: Result<Vec<Ticket>, ApiError>,
) {
    let slot = &mut app.extras.entry(customer_id).or_default().tickets;
    if *slot != (Load::Loading { generation }) {
        return;
    }
    match result {
        Ok(t) => *slot = Load::Loaded(TicketRow::build_all(&t)),
        Err(e) => {
            *slot = Load::Failed(sanitize::line(&e.to_string()));
            panes::report_error(app, "Could not load tickets", &e);
        }
    }
    panes::clamp_detail(app);
}

/// The customer's contacts, read again, arrived: the row and the detail take them, and so does
/// the mirror (a contact gone from the server goes from it too). A failure keeps the embedded
/// contacts on screen and says so in the status line only.
pub fn contacts_loaded(
    app: &mut App,
    customer_id: Id,
    generation: u64,
    result: Result<Vec<Contact>, ApiError>,
    fx: &mut Vec<Effect>,
) {
    let slot = &mut app.extras.entry(customer_id).or_default().contacts;
    if *slot != (Load::Loading { generation }) {
        return;
    }
    let mut contacts = match result {
        Ok(c) => c,
        Err(e) => {
            *slot = Load::Failed(sanitize::line(&e.to_string()));
            panes::report_error(app, "Could not read the contacts again", &e);
            return;
        }
    };
    *slot = Load::Loaded(());
    let Some(&i) = app.list.index.get(&customer_id) else {
        return;
    };
    let mut customer = app.list.rows[i].customer();
    for ct in &mut contacts {
        ct.customer_id.get_or_insert(customer_id);
    }
    if customer.contacts == contacts {
        return;
    }
    for gone in customer
        .contacts
        .iter()
        .filter(|old| !contacts.iter().any(|c| c.id == old.id))
    {
        mirror::contact_deleted(app, gone.id, fx);
    }
    customer.contacts = contacts;
    mirror::customer_saved(app, &customer, fx);
    panes::insert_customers(app, vec![customer], false);
}

/// The customer's assets arrived.
pub fn assets_loaded(
    app: &mut App,
    customer_id: Id,
    generation: u64,
    result: Result<Vec<Asset>, ApiError>,
) {
    let slot = &mut app.extras.entry(customer_id).or_default().assets;
    if *slot != (Load::Loading { generation }) {
        return;
    }
    match result {
        Ok(a) => *slot = Load::Loaded(a.iter().map(AssetRow::build).collect()),
        Err(e) => {
            *slot = Load::Failed(sanitize::line(&e.to_string()));
            panes::report_error(app, "Could not load assets", &e);
        }
    }
    panes::clamp_detail(app);
}

/// One page of customers arrived. `Some(true)` when it was taken (what waits for pages can go
/// on), `Some(false)` when it failed, `None` for a stale answer.
pub fn customers_loaded(
    app: &mut App,
    generation: u64,
    page: u32,
    result: Result<Page<Customer>, ApiError>,
    fx: &mut Vec<Effect>,
) -> Option<bool> {
    let browse = app.list.browse.generation == generation;
    let paging = if browse {
        &mut app.list.browse
    } else {
        match &mut app.list.remote {
            Some(r) if r.paging.generation == generation => &mut r.paging,
            // An answer to a search or list that has since been replaced: dropped.
            _ => return None,
        }
    };
    if paging.loading == Some(page) {
        paging.loading = None;
    }
    match result {
        Ok(p) => {
            let n = p.items.len();
            let has_more = p.has_next() && n > 0;
            paging.pages_loaded = page;
            paging.received += n;
            paging.has_more = has_more;
            paging.total_pages = p.meta.total_pages;
            paging.total_entries = p.meta.total_entries.or(if has_more {
                None
            } else {
                Some(paging.received as u64)
            });
            paging.error = None;
            if app.message.as_ref().is_some_and(|m| m.error) {
                app.message = None;
            }
            panes::insert_customers(app, p.items, browse && page == 1);
            panes::maybe_load_more(app, fx);
            Some(true)
        }
        Err(e) => {
            paging.error = Some(sanitize::line(&e.to_string()));
            panes::report_error(app, "Could not load customers", &e);
            Some(false)
        }
    }
}

pub fn invoices_page(
    app: &mut App,
    generation: u64,
    page: u32,
    total_pages: Option<u64>,
    last: bool,
    result: Result<Vec<Invoice>, ApiError>,
) {
    let scan = &mut app.invoices;
    if scan.generation != generation || !scan.started {
        return;
    }
    match result {
        Ok(items) => {
            scan.pages_done = page;
            scan.total_pages = total_pages;
            scan.done = last;
            let mut touched = Vec::new();
            for inv in &items {
                if let Some(id) = inv.customer_id {
                    scan.by_customer
                        .entry(id)
                        .or_default()
                        .push(InvoiceRow::build(inv));
                    touched.push(id);
                }
            }
            for id in touched {
                if let Some(v) = scan.by_customer.get_mut(&id) {
                    v.sort_by_key(|r| std::cmp::Reverse(r.date_ms));
                }
            }
        }
        Err(e) => {
            scan.error = Some(sanitize::line(&e.to_string()));
            panes::report_error(app, "Could not scan invoices", &e);
        }
    }
    panes::clamp_detail(app);
}

/// The value `y` copies: the customer's name in the list; the highlighted field or row in the
/// detail. Phone numbers are copied as stored (digits), not as displayed.
fn copy_value(app: &App) -> Option<(String, String)> {
    if app.focus == Focus::List {
        let row = app.list.selected()?;
        return Some((
            "name".into(),
            sanitize::plain(&row.customer().display_name()),
        ));
    }
    let d = &app.detail;
    let view = d.view.as_ref()?;
    let cur = d.cursor();
    let pick = |label: &str, v: &str| Some((label.to_string(), v.to_string()));
    match d.tab {
        Tab::Overview => {
            let f = view.fields.get(cur)?;
            let label = view.fields[..=cur]
                .iter()
                .rev()
                .find(|f| !f.label.is_empty())
                .map_or("value", |f| f.label.as_str());
            pick(label, &f.copy)
        }
        Tab::Contacts => {
            let c = view.contacts.get(cur)?;
            if d.contact_open {
                let f = c.fields.get(d.record_cursor)?;
                pick(&f.label, &f.copy)
            } else {
                let raw = app
                    .list
                    .selected()
                    .and_then(|r| r.customer().contacts.into_iter().nth(cur))
                    .and_then(|c| c.email.or(c.name))?;
                pick("contact", &sanitize::plain(&raw))
            }
        }
        Tab::Tickets => match &app.extras.get(&view.id)?.tickets {
            Load::Loaded(t) => pick("ticket number", &t.get(cur)?.number),
            _ => None,
        },
        Tab::Assets => match &app.extras.get(&view.id)?.assets {
            Load::Loaded(a) => {
                let a = a.get(cur)?;
                if a.serial.is_empty() {
                    pick("asset name", &a.name)
                } else {
                    pick("serial", &a.serial)
                }
            }
            _ => None,
        },
        Tab::Invoices => pick(
            "invoice number",
            &app.invoices.by_customer.get(&view.id)?.get(cur)?.number,
        ),
    }
}

fn copy(app: &mut App, fx: &mut Vec<Effect>) {
    match copy_value(app).filter(|(_, v)| !v.is_empty()) {
        Some((label, value)) => {
            let shown: String = value.chars().take(60).collect();
            app.note(format!("Copied {}: {shown}", label.to_lowercase()));
            fx.push(Effect::Copy(value));
        }
        None => app.note("Nothing to copy here"),
    }
}

fn open_in_browser(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(id) = app.list.selected().map(|r| r.id()) else {
        app.say("No customer selected", false);
        return;
    };
    let text = if app.config.demo {
        format!("Demo data: in Syncro this opens https://SUBDOMAIN.syncromsp.com/customers/{id}")
    } else if let Some(base) = &app.config.web_base {
        let url = format!("{base}/customers/{id}");
        let text = format!("Opening {url}");
        fx.push(Effect::OpenUrl(url));
        text
    } else {
        "Cannot tell the Syncro web address of this server: start with --subdomain NAME".into()
    };
    app.say(text, false);
}

pub fn click(app: &mut App, col: u16, row: u16) {
    if app.mode() != Mode::Normal {
        return;
    }
    let screen = layout::screen(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1));
    let rows = layout::list_rows_area(screen.list, app.search_visible());
    let inside = |r: ratatui::layout::Rect| {
        col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
    };
    if inside(rows) {
        app.focus = Focus::List;
        let i = app.list.offset + usize::from(row - rows.y);
        if i < app.list.shown.len() {
            app.list.cursor = i;
            panes::sync_detail(app, false);
        }
    } else if inside(screen.list) {
        app.focus = Focus::List;
    } else if inside(screen.detail) {
        app.focus = Focus::Detail;
    }
}

/// Time passes: the spinner turns, and the server search and the detail's tab load once their
/// debounce ran out.
pub fn tick(app: &mut App, now: Instant, fx: &mut Vec<Effect>) {
    app.now = Some(now);
    if app.loading() {
        app.spinner = app.spinner.wrapping_add(1);
    }
    match app.search.debounce {
        Debounce::Armed => app.search.debounce = Debounce::Until(now + SEARCH_DEBOUNCE),
        Debounce::Until(t) if now >= t => {
            app.search.debounce = Debounce::Idle;
            panes::start_remote_search(app, fx);
        }
        _ => {}
    }
    match app.detail.debounce {
        Debounce::Armed => app.detail.debounce = Debounce::Until(now + DETAIL_DEBOUNCE),
        Debounce::Until(t) if now >= t => panes::load_tab(app, fx),
        _ => {}
    }
}
