//! `update(&mut App, Action) -> Vec<Effect>`: every state change of the app happens here.

use std::cmp::Ordering;
use std::time::Instant;

use tui_input::InputRequest;

use super::forms_ui;
use super::keymap;
use super::layout;
use super::view::{AssetRow, CustomerView, InvoiceRow, Needle, RowView, TicketRow};
use super::{
    Action, App, Cmd, DETAIL_DEBOUNCE, Debounce, Effect, Focus, Load, Message, Modal, Mode, Paging,
    RemoteSearch, Row, SEARCH_DEBOUNCE, SortKey, Tab,
};
use crate::api::ApiError;
use crate::api::model::CustomerQuery;
use crate::api::model::{Customer, Id, Page};
use crate::mirror::Packed;
use crate::sanitize;

/// How close to the end of the loaded rows the cursor gets before the next page is fetched
/// (at least this many rows, or one screen, whichever is more).
const PREFETCH_ROWS: usize = 10;

/// The first effects of a fresh app: the first page of customers, or the start-up problem.
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut fx = Vec::new();
    if let Some(m) = app.config.startup_problem.clone() {
        app.list.browse.error = Some(m.title.clone());
        open_modal(app, m);
    } else if app.mirror.configured {
        super::mirror_ui::start(app, &mut fx);
    } else {
        maybe_load_more(app, &mut fx);
    }
    fx
}

/// Applies one action and returns what the outside world should do.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Cmd(cmd) => command(app, cmd, &mut fx),
        Action::SearchEdit(req) => search_edit(app, req),
        Action::PaletteEdit(req) => super::palette::edit(app, req),
        Action::Resize(w, h) => {
            app.size = (w, h);
            ensure_visible(app);
            keep_detail_visible(app);
            app.help_scroll = app.help_scroll.min(help_max_scroll(app));
        }
        Action::Tick(now) => tick(app, now, &mut fx),
        Action::RateWait(wait) => app.rate_wait = wait,
        Action::Click(col, row) => click(app, col, row),
        Action::Scroll(n) => {
            if app.mode == Mode::Normal {
                let cmd = if n > 0 { Cmd::Down } else { Cmd::Up };
                for _ in 0..n.unsigned_abs().min(50) {
                    command(app, cmd, &mut fx);
                }
            }
        }
        Action::CustomersLoaded {
            generation,
            page,
            result,
        } => customers_loaded(app, generation, page, result, &mut fx),
        Action::TicketsLoaded {
            customer_id,
            generation,
            result,
        } => {
            let slot = &mut app.extras.entry(customer_id).or_default().tickets;
            if *slot != (Load::Loading { generation }) {
                return fx;
            }
            match result {
                Ok(t) => *slot = Load::Loaded(TicketRow::build_all(&t)),
                Err(e) => {
                    *slot = Load::Failed(sanitize::line(&e.to_string()));
                    route_error(app, "Could not load tickets", &e);
                }
            }
            clamp_detail(app);
        }
        Action::AssetsLoaded {
            customer_id,
            generation,
            result,
        } => {
            let slot = &mut app.extras.entry(customer_id).or_default().assets;
            if *slot != (Load::Loading { generation }) {
                return fx;
            }
            match result {
                Ok(a) => *slot = Load::Loaded(a.iter().map(AssetRow::build).collect()),
                Err(e) => {
                    *slot = Load::Failed(sanitize::line(&e.to_string()));
                    route_error(app, "Could not load assets", &e);
                }
            }
            clamp_detail(app);
        }
        Action::InvoicesPage {
            generation,
            page,
            total_pages,
            last,
            result,
        } => invoices_page(app, generation, page, total_pages, last, result),
        Action::Notice { text, error } => {
            app.message = Some(Message {
                text: sanitize::line(&text),
                error,
            })
        }
        Action::Mirror(ev) => super::mirror_ui::event(app, ev, &mut fx),
        Action::FindEdit(req) => super::mirror_ui::find_edit(app, req),
        Action::Audit(ev) => super::audit_ui::event(app, ev, &mut fx),
        Action::Merge(ev) => super::merge_ui::event(app, ev, &mut fx),
        Action::FormEdit(_)
        | Action::ConfirmEdit(_)
        | Action::EditorDone(_)
        | Action::FormReread { .. }
        | Action::FormSaved { .. }
        | Action::FormLookup { .. }
        | Action::Deleted { .. }
        | Action::DraftsLoaded(_) => forms_ui::action(app, action, &mut fx),
        Action::OnboardEdit(_) | Action::Onboard(_) => {
            super::onboard_ui::action(app, action, &mut fx)
        }
    }
    forms_ui::settle(app);
    super::merge_ui::settle(app);
    super::onboard_ui::settle(app);
    fx
}

fn command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    if cmd == Cmd::Suspend {
        // Whatever is on screen stays as it is and comes back with `fg`.
        fx.push(Effect::Suspend);
        return;
    }
    if cmd == Cmd::Help
        && matches!(
            app.mode,
            Mode::Normal | Mode::Audit | Mode::Merge | Mode::Onboard
        )
    {
        open_help(app);
        return;
    }
    match app.mode {
        Mode::Help => return help_command(app, cmd),
        Mode::Modal => {
            match cmd {
                Cmd::Close => {
                    app.modal = None;
                    app.mode = forms_ui::resume_mode(app);
                }
                Cmd::Quit => forms_ui::quit(app),
                _ => {}
            }
            return;
        }
        Mode::Find => return find_command(app, cmd),
        Mode::Audit => return audit_command(app, cmd, fx),
        Mode::Merge => return super::merge_ui::command(app, cmd, fx),
        Mode::Palette | Mode::Results => return super::palette::command(app, cmd, fx),
        Mode::Form => return forms_ui::form_command(app, cmd, fx),
        Mode::Confirm => return forms_ui::confirm_command(app, cmd, fx),
        Mode::Onboard | Mode::OnboardForm => {
            return super::onboard_ui::command(app, cmd, fx);
        }
        Mode::Normal | Mode::Search => {}
    }
    match cmd {
        Cmd::Quit => app.quit = true,
        Cmd::Help => open_help(app),
        Cmd::Close => {}
        Cmd::Up => move_cursor(app, Step::By(-1), fx),
        Cmd::Down => move_cursor(app, Step::By(1), fx),
        Cmd::PageDown => {
            let p = page_size(app) as isize;
            move_cursor(app, Step::By(p), fx)
        }
        Cmd::PageUp => {
            let p = page_size(app) as isize;
            move_cursor(app, Step::By(-p), fx)
        }
        Cmd::HalfPageDown => {
            let p = (page_size(app) / 2).max(1) as isize;
            move_cursor(app, Step::By(p), fx)
        }
        Cmd::HalfPageUp => {
            let p = (page_size(app) / 2).max(1) as isize;
            move_cursor(app, Step::By(-p), fx)
        }
        Cmd::Top => move_cursor(app, Step::Top, fx),
        Cmd::Bottom => move_cursor(app, Step::Bottom, fx),
        Cmd::FocusNext | Cmd::FocusPrev => {
            app.focus = match app.focus {
                Focus::List => Focus::Detail,
                Focus::Detail => Focus::List,
            };
        }
        Cmd::ShowTab(tab) => {
            app.detail.tab = tab;
            app.detail.contact_open = false;
            load_tab(app, fx);
        }
        Cmd::Open => match app.focus {
            Focus::List => {
                if app.list.selected().is_some() {
                    app.focus = Focus::Detail;
                }
            }
            Focus::Detail => {
                if app.detail.tab == Tab::Contacts && contact_count(app) > 0 {
                    app.detail.contact_open = true;
                    app.detail.record_cursor = 0;
                    app.detail.record_scroll = 0;
                }
            }
        },
        Cmd::Back => {
            if app.detail.contact_open {
                app.detail.contact_open = false;
            } else if app.focus == Focus::Detail {
                app.focus = Focus::List;
            } else if !app.search.text().is_empty() {
                clear_search(app, fx);
            } else {
                app.message = None;
            }
        }
        Cmd::Search => {
            app.mode = Mode::Search;
            app.focus = Focus::List;
            ensure_visible(app);
        }
        Cmd::SearchAccept => {
            app.mode = Mode::Normal;
            ensure_visible(app);
        }
        Cmd::SearchCancel => clear_search(app, fx),
        Cmd::SortNext => {
            app.sort.key = app.sort.key.next();
            app.sort.descending = matches!(app.sort.key, SortKey::Created | SortKey::Updated);
            reload_list(app, fx);
        }
        Cmd::SortReverse => {
            app.sort.descending = !app.sort.descending;
            reload_list(app, fx);
        }
        Cmd::ToggleDisabled => {
            app.include_disabled = !app.include_disabled;
            app.message = Some(Message {
                text: if app.include_disabled {
                    "Showing disabled customers".into()
                } else {
                    "Hiding disabled customers".into()
                },
                error: false,
            });
            reload_list(app, fx);
        }
        Cmd::Refresh => {
            if app.config.startup_problem.is_some() {
                if let Some(m) = app.config.startup_problem.clone() {
                    open_modal(app, m);
                }
                return;
            }
            if app.message.as_ref().is_some_and(|m| m.error) {
                app.message = None;
            }
            if let Some(id) = app.detail.customer_id {
                app.extras.remove(&id);
            }
            if app.invoices.started {
                app.invoices = super::InvoiceScan::default();
            }
            reload_list(app, fx);
            super::mirror_ui::refresh(app, fx);
            load_tab(app, fx);
        }
        Cmd::Copy => copy(app, fx),
        Cmd::OpenInBrowser => open_in_browser(app, fx),
        Cmd::Palette => super::palette::open(app),
        Cmd::Complete | Cmd::Run => {}
        Cmd::New | Cmd::Edit | Cmd::Delete | Cmd::DeleteCustomer => {
            forms_ui::normal_command(app, cmd, fx)
        }
        Cmd::FormNext
        | Cmd::FormPrev
        | Cmd::FormSave
        | Cmd::FormEnter
        | Cmd::FormCancel
        | Cmd::FormEditor
        | Cmd::FormRevert
        | Cmd::FormOpenMatch
        | Cmd::ConfirmAccept
        | Cmd::ConfirmCancel
        | Cmd::ConfirmToggle => {}
        Cmd::FindAnywhere => super::mirror_ui::open_find(app),
        Cmd::SyncMirror => super::mirror_ui::sync_now(app, fx),
        Cmd::FindJump => {}
        Cmd::Audit => super::audit_ui::open(app, fx),
        Cmd::TypeFilter => super::audit_ui::cycle_type_filter(app, fx),
        Cmd::Dismiss => {}
        Cmd::Merge => super::merge_ui::mark(app),
        // Handled before the modes (every screen suspends).
        Cmd::Suspend => {}
        Cmd::Onboard => super::onboard_ui::open(app),
    }
}

/// Keys on the duplicate audit screen.
fn audit_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    use super::audit_ui;
    let page = audit_ui::viewport(app.size) as isize;
    match cmd {
        Cmd::Down => audit_ui::move_by(app, 1),
        Cmd::Up => audit_ui::move_by(app, -1),
        Cmd::PageDown => audit_ui::move_by(app, page),
        Cmd::PageUp => audit_ui::move_by(app, -page),
        Cmd::Open => audit_ui::toggle_compare(app),
        Cmd::Dismiss => audit_ui::dismiss(app, fx),
        Cmd::FocusPrev => audit_ui::move_member(app, -1),
        Cmd::FocusNext => audit_ui::move_member(app, 1),
        Cmd::ConfirmToggle => audit_ui::toggle_pick(app),
        Cmd::Merge => super::merge_ui::open(app),
        Cmd::Back | Cmd::Close => audit_ui::back(app),
        Cmd::Quit => app.quit = true,
        _ => {}
    }
}

/// Keys in the find-anywhere popup.
fn find_command(app: &mut App, cmd: Cmd) {
    use super::mirror_ui;
    let page = mirror_ui::find_viewport(app.size) as isize;
    match cmd {
        Cmd::Down => mirror_ui::find_move(app, 1),
        Cmd::Up => mirror_ui::find_move(app, -1),
        Cmd::PageDown => mirror_ui::find_move(app, page),
        Cmd::PageUp => mirror_ui::find_move(app, -page),
        Cmd::FindJump => mirror_ui::find_jump(app),
        Cmd::Close | Cmd::Back => mirror_ui::close_find(app),
        Cmd::Quit => app.quit = true,
        _ => {}
    }
}

fn help_command(app: &mut App, cmd: Cmd) {
    let page = help_viewport(app);
    let max = help_max_scroll(app);
    let s = &mut app.help_scroll;
    match cmd {
        Cmd::Down => *s = (*s + 1).min(max),
        Cmd::Up => *s = s.saturating_sub(1),
        Cmd::PageDown => *s = (*s + page).min(max),
        Cmd::PageUp => *s = s.saturating_sub(page),
        Cmd::Close | Cmd::Help => {
            app.mode = std::mem::replace(&mut app.help_return, Mode::Normal);
        }
        Cmd::Quit => app.quit = true,
        _ => {}
    }
}

/// `?`: the help overlay, scrolled to the keys of the screen it was opened from (the list
/// starts at the top); closing it returns to that screen.
fn open_help(app: &mut App) {
    let from = app.mode;
    app.help_return = if from == Mode::Help {
        Mode::Normal
    } else {
        from
    };
    app.mode = Mode::Help;
    app.help_scroll = 0;
    if from != Mode::Normal
        && let Some((_, title)) = keymap::MODES.iter().find(|(m, _)| *m == from)
    {
        let at = keymap::help_lines(&app.config)
            .iter()
            .position(|l| matches!(l, keymap::HelpLine::Heading(h) if h == title));
        app.help_scroll = at.unwrap_or(0).min(help_max_scroll(app));
    }
}

fn help_viewport(app: &App) -> usize {
    usize::from(layout::help_area(app.size).height.saturating_sub(2)).max(1)
}

fn help_max_scroll(app: &App) -> usize {
    keymap::help_lines(&app.config)
        .len()
        .saturating_sub(help_viewport(app))
}

fn open_modal(app: &mut App, m: Modal) {
    app.modal = Some(m);
    app.mode = Mode::Modal;
}

/// Errors go to the status line; blocking ones (a refused key) also open a modal.
pub(crate) fn route_error(app: &mut App, context: &str, e: &ApiError) {
    let text = sanitize::line(&format!("{context}: {e}"));
    if e.is_blocking() {
        open_modal(
            app,
            Modal {
                title: "The server refused the request".into(),
                body: vec![
                    sanitize::line(&e.to_string()),
                    "The key comes from SYNCRO_API_KEY (or the profile's key command). After \
                     fixing it, start the app again, or press Enter and then r to retry."
                        .into(),
                ],
                error: true,
            },
        );
    }
    app.message = Some(Message { text, error: true });
}

fn search_visible(app: &App) -> bool {
    app.mode == Mode::Search || !app.search.text().is_empty()
}

fn page_size(app: &App) -> usize {
    match app.focus {
        Focus::List => layout::list_viewport(app.size, search_visible(app)),
        Focus::Detail => detail_page(app),
    }
}

fn detail_page(app: &App) -> usize {
    let vp = layout::detail_viewport(app.size);
    // The contacts table shares the pane with the selected contact's record.
    if app.detail.tab == Tab::Contacts && !app.detail.contact_open {
        (vp / 2).max(1)
    } else {
        vp
    }
}

enum Step {
    By(isize),
    Top,
    Bottom,
}

fn step(cur: usize, len: usize, s: Step) -> usize {
    if len == 0 {
        return 0;
    }
    match s {
        Step::By(d) => cur.saturating_add_signed(d).min(len - 1),
        Step::Top => 0,
        Step::Bottom => len - 1,
    }
}

fn move_cursor(app: &mut App, s: Step, fx: &mut Vec<Effect>) {
    if app.focus == Focus::Detail && app.mode == Mode::Normal {
        let len = detail_len(app);
        if app.detail.contact_open {
            app.detail.record_cursor = step(app.detail.record_cursor, len, s);
        } else {
            let i = app.detail.tab.index();
            let before = app.detail.cursors[i];
            app.detail.cursors[i] = step(before, len, s);
            if app.detail.tab == Tab::Contacts && before != app.detail.cursors[i] {
                app.detail.record_cursor = 0;
                app.detail.record_scroll = 0;
            }
        }
        keep_detail_visible(app);
        return;
    }
    app.list.cursor = step(app.list.cursor, app.list.shown.len(), s);
    ensure_visible(app);
    sync_detail(app, false);
    maybe_load_more(app, fx);
}

fn contact_count(app: &App) -> usize {
    app.detail.view.as_ref().map_or(0, |v| v.contacts.len())
}

/// Rows (or lines) the detail's current tab holds.
pub(crate) fn detail_len(app: &App) -> usize {
    let d = &app.detail;
    let Some(view) = &d.view else { return 0 };
    let loaded = |n: Option<usize>| n.unwrap_or(0);
    match d.tab {
        Tab::Overview => view.fields.len(),
        Tab::Contacts if d.contact_open => {
            view.contacts.get(d.cursor()).map_or(0, |c| c.fields.len())
        }
        Tab::Contacts => view.contacts.len(),
        Tab::Tickets => loaded(app.extras.get(&view.id).and_then(|e| match &e.tickets {
            Load::Loaded(t) => Some(t.len()),
            _ => None,
        })),
        Tab::Assets => loaded(app.extras.get(&view.id).and_then(|e| match &e.assets {
            Load::Loaded(a) => Some(a.len()),
            _ => None,
        })),
        Tab::Invoices => loaded(app.invoices.by_customer.get(&view.id).map(Vec::len)),
    }
}

pub(crate) fn clamp_detail(app: &mut App) {
    let len = detail_len(app);
    if app.detail.contact_open {
        app.detail.record_cursor = app.detail.record_cursor.min(len.saturating_sub(1));
    } else {
        let i = app.detail.tab.index();
        app.detail.cursors[i] = app.detail.cursors[i].min(len.saturating_sub(1));
    }
    keep_detail_visible(app);
}

/// Scrolls the detail's current view only as far as needed to show its cursor.
pub(crate) fn keep_detail_visible(app: &mut App) {
    let area = layout::detail_content(app.size);
    let d = &mut app.detail;
    let Some(view) = &d.view else { return };
    let i = d.tab.index();
    // A record: wrapped fields, scrolled by screen lines.
    let record = |fields: &[super::view::FieldLine], cursor: usize, offset: usize, h: u16| {
        let heights = layout::record_heights(fields, area.width);
        let cursor = cursor.min(heights.len().saturating_sub(1));
        let first: usize = heights[..cursor].iter().sum();
        let last = first + heights.get(cursor).copied().unwrap_or(1).max(1) - 1;
        layout::scroll_to(offset, first, last, usize::from(h))
    };
    match d.tab {
        Tab::Overview => {
            d.scroll[i] = record(&view.fields, d.cursors[i], d.scroll[i], area.height);
        }
        Tab::Contacts if d.contact_open => {
            if let Some(c) = view.contacts.get(d.cursors[i]) {
                // One line above the record shows the contact's name.
                let h = area.height.saturating_sub(1);
                d.record_scroll = record(&c.fields, d.record_cursor, d.record_scroll, h);
            }
        }
        _ => {
            let rows = if d.tab == Tab::Contacts {
                layout::contacts_table_height(view.contacts.len(), area.height)
            } else {
                // The invoices tab keeps a line for the scan's progress.
                area.height
                    .saturating_sub(u16::from(d.tab == Tab::Invoices))
            };
            let h = usize::from(rows.saturating_sub(1));
            let c = d.cursors[i];
            d.scroll[i] = layout::scroll_to(d.scroll[i], c, c, h);
        }
    }
}

/// Keeps the list cursor inside the rows and on screen.
pub(crate) fn ensure_visible(app: &mut App) {
    let vp = layout::list_viewport(app.size, search_visible(app));
    let l = &mut app.list;
    let len = l.shown.len();
    if len == 0 {
        l.cursor = 0;
        l.offset = 0;
        return;
    }
    l.cursor = l.cursor.min(len - 1);
    if l.cursor < l.offset {
        l.offset = l.cursor;
    } else if l.cursor >= l.offset + vp {
        l.offset = l.cursor + 1 - vp;
    }
    l.offset = l.offset.min(len.saturating_sub(vp));
}

/// Points the detail at the selected customer. `rebuild` also refreshes the view when the
/// customer stayed the same but its record changed.
pub(crate) fn sync_detail(app: &mut App, rebuild: bool) {
    let selected = app.list.selected().map(|r| r.id());
    if selected == app.detail.customer_id && !rebuild {
        return;
    }
    let changed = selected != app.detail.customer_id;
    app.detail.customer_id = selected;
    app.detail.view = app
        .list
        .selected()
        .map(|r| CustomerView::build(&r.customer(), &app.config.customer_type_property));
    if changed {
        app.detail.cursors = [0; 5];
        app.detail.scroll = [0; 5];
        app.detail.record_scroll = 0;
        app.detail.contact_open = false;
        app.detail.record_cursor = 0;
        app.detail.debounce = if tab_needs_load(app) {
            Debounce::Armed
        } else {
            Debounce::Idle
        };
    } else {
        clamp_detail(app);
    }
}

fn tab_needs_load(app: &App) -> bool {
    let Some(id) = app.detail.customer_id else {
        return false;
    };
    let extras = app.extras.get(&id);
    match app.detail.tab {
        Tab::Overview | Tab::Contacts => false,
        Tab::Tickets => extras.is_none_or(|e| e.tickets == Load::NotAsked),
        Tab::Assets => extras.is_none_or(|e| e.assets == Load::NotAsked),
        Tab::Invoices => !app.invoices.started,
    }
}

/// Fetches what the current tab shows, if it is not there yet.
fn load_tab(app: &mut App, fx: &mut Vec<Effect>) {
    app.detail.debounce = Debounce::Idle;
    if !tab_needs_load(app) {
        return;
    }
    let Some(customer_id) = app.detail.customer_id else {
        return;
    };
    let generation = app.generation();
    match app.detail.tab {
        Tab::Overview | Tab::Contacts => {}
        Tab::Tickets => {
            app.extras.entry(customer_id).or_default().tickets = Load::Loading { generation };
            fx.push(Effect::LoadTickets {
                customer_id,
                generation,
            });
        }
        Tab::Assets => {
            app.extras.entry(customer_id).or_default().assets = Load::Loading { generation };
            fx.push(Effect::LoadAssets {
                customer_id,
                generation,
            });
        }
        Tab::Invoices => {
            app.invoices = super::InvoiceScan {
                generation,
                started: true,
                ..Default::default()
            };
            fx.push(Effect::ScanInvoices { generation });
        }
    }
}

fn tick(app: &mut App, now: Instant, fx: &mut Vec<Effect>) {
    app.now = Some(now);
    if app.loading() {
        app.spinner = app.spinner.wrapping_add(1);
    }
    match app.search.debounce {
        Debounce::Armed => app.search.debounce = Debounce::Until(now + SEARCH_DEBOUNCE),
        Debounce::Until(t) if now >= t => {
            app.search.debounce = Debounce::Idle;
            start_remote_search(app, fx);
        }
        _ => {}
    }
    match app.detail.debounce {
        Debounce::Armed => app.detail.debounce = Debounce::Until(now + DETAIL_DEBOUNCE),
        Debounce::Until(t) if now >= t => load_tab(app, fx),
        _ => {}
    }
    forms_ui::tick(app, now, fx);
}

fn search_edit(app: &mut App, req: InputRequest) {
    let before = app.search.text().to_string();
    app.search.input.handle(req);
    if app.search.text() == before {
        return;
    }
    refilter(app);
    if app.search.text().trim().is_empty() {
        app.list.remote = None;
        app.search.debounce = Debounce::Idle;
    } else {
        // Each keystroke re-arms the debounce: the server is asked once typing pauses.
        app.search.debounce = Debounce::Armed;
    }
}

fn clear_search(app: &mut App, fx: &mut Vec<Effect>) {
    app.search.input.reset();
    app.search.debounce = Debounce::Idle;
    app.list.remote = None;
    app.mode = Mode::Normal;
    refilter(app);
    maybe_load_more(app, fx);
}

fn start_remote_search(app: &mut App, fx: &mut Vec<Effect>) {
    let query = app.search.text().trim().to_string();
    if query.is_empty()
        || app.list.remote.as_ref().is_some_and(|r| r.query == query)
        || super::mirror_ui::answers_search(app)
    {
        return;
    }
    let generation = app.generation();
    app.list.remote = Some(RemoteSearch {
        query,
        paging: Paging::fresh(generation),
    });
    maybe_load_more(app, fx);
}

fn customer_query(app: &App, query: Option<String>, page: u32) -> CustomerQuery {
    CustomerQuery {
        query,
        include_disabled: app.include_disabled,
        sort: Some(app.sort.api()),
        page,
        ..CustomerQuery::default()
    }
}

/// Fetches the next page when the cursor nears the end of the loaded rows (or nothing is
/// loaded yet). While a search is typed, only the server search pages; browsing waits.
pub(crate) fn maybe_load_more(app: &mut App, fx: &mut Vec<Effect>) {
    if app.mirror.active {
        // Every customer is in the mirror: nothing to page.
        return;
    }
    let vp = layout::list_viewport(app.size, search_visible(app));
    let near_end = app.list.cursor + vp.max(PREFETCH_ROWS) >= app.list.shown.len();
    let first = page_source(app).is_some_and(|(p, _)| p.pages_loaded == 0);
    if near_end || first {
        load_next_page(app, fx);
    }
}

/// The paging to extend (the server search while one is typed, else the browse) and the search
/// text. Unlike [`super::List::active_paging`], a typed search that has not reached the server
/// yet has none: browsing waits meanwhile.
fn page_source(app: &App) -> Option<(&Paging, Option<String>)> {
    if app.search.text().trim().is_empty() {
        Some((&app.list.browse, None))
    } else {
        app.list
            .remote
            .as_ref()
            .map(|r| (&r.paging, Some(r.query.clone())))
    }
}

/// Starts the list over (sort, filter or refresh changed): rows stay on screen, re-sorted
/// locally at once, and are replaced when the first page arrives.
fn reload_list(app: &mut App, fx: &mut Vec<Effect>) {
    let browse = app.generation();
    let remote = app.generation();
    app.list.browse = Paging::fresh(browse);
    if let Some(r) = &mut app.list.remote {
        r.paging = Paging::fresh(remote);
    }
    if app.mirror.active {
        super::mirror_ui::complete_paging(app);
    }
    resort(app);
    maybe_load_more(app, fx);
}

fn customers_loaded(
    app: &mut App,
    generation: u64,
    page: u32,
    result: Result<Page<Customer>, ApiError>,
    fx: &mut Vec<Effect>,
) {
    let browse = app.list.browse.generation == generation;
    let paging = if browse {
        &mut app.list.browse
    } else {
        match &mut app.list.remote {
            Some(r) if r.paging.generation == generation => &mut r.paging,
            // An answer to a search or list that has since been replaced: dropped.
            _ => return,
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
            if app.message.as_ref().is_some_and(|m| m.error) && app.mode != Mode::Modal {
                app.message = None;
            }
            insert_customers(app, p.items, browse && page == 1);
            maybe_load_more(app, fx);
            super::palette::page_arrived(app, fx);
        }
        Err(e) => {
            paging.error = Some(sanitize::line(&e.to_string()));
            route_error(app, "Could not load customers", &e);
            super::palette::page_failed(app);
        }
    }
}

/// Fetches the next page of the list's active source now, wherever the cursor is (an export
/// takes the whole filtered list). Returns whether a page is on its way.
pub(crate) fn load_next_page(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    let searching = !app.search.text().trim().is_empty();
    let Some((paging, query)) = page_source(app) else {
        return false;
    };
    if paging.loading.is_some() {
        return true;
    }
    if !paging.wants_more() {
        return false;
    }
    let page = paging.pages_loaded + 1;
    let generation = paging.generation;
    let q = customer_query(app, query, page);
    let paging = match &mut app.list.remote {
        Some(r) if searching => &mut r.paging,
        _ => &mut app.list.browse,
    };
    paging.loading = Some(page);
    fx.push(Effect::LoadCustomers {
        generation,
        query: q,
    });
    true
}

/// Adds (or updates) customers; `replace` starts the list over.
pub(crate) fn insert_customers(app: &mut App, items: Vec<Customer>, replace: bool) {
    let type_property = app.config.customer_type_property.clone();
    // A page's records share one block.
    let rows = items
        .iter()
        .zip(Packed::pack_all(&items))
        .map(|(c, record)| Row {
            record,
            view: RowView::build(c, &type_property),
        })
        .collect();
    insert_rows(app, rows, replace);
}

/// [`insert_customers`] for records shared with the mirror (not copied). A record the list
/// already shows, unchanged, keeps its row's view: a sync that brings back 100,000 customers
/// decodes only those that changed.
pub(crate) fn insert_shared(app: &mut App, items: Vec<Packed>, replace: bool) {
    let type_property = app.config.customer_type_property.clone();
    let l = &mut app.list;
    let mut rows = Vec::with_capacity(items.len());
    for record in items {
        let same = l
            .index
            .get(&record.id())
            .and_then(|&i| l.rows.get_mut(i))
            // (A view already moved out, for an id listed twice, is built again.)
            .filter(|r| r.view.id == record.id())
            .filter(|r| Packed::ptr_eq(&r.record, &record) || r.record == record);
        let view = match same {
            // The list starts over: the old row's view moves (no copy of its text).
            Some(r) if replace => std::mem::take(&mut r.view),
            Some(r) => r.view.clone(),
            None => RowView::build(&record.unpack(), &type_property),
        };
        rows.push(Row { record, view });
    }
    insert_rows(app, rows, replace);
}

/// Puts the list cursor on a customer, if it is shown, and the detail on it (`rebuild` also
/// refreshes the detail when it already showed that customer). False when it is not shown.
pub(crate) fn select_customer(app: &mut App, id: Id, rebuild: bool) -> bool {
    let l = &mut app.list;
    let Some(pos) = l.shown.iter().position(|&i| l.rows[i].id() == id) else {
        return false;
    };
    l.cursor = pos;
    ensure_visible(app);
    sync_detail(app, rebuild);
    true
}

/// Takes a deleted customer out of the list; the cursor stays at the same height.
pub(crate) fn remove_row(app: &mut App, id: Id) {
    let l = &mut app.list;
    let Some(i) = l.index.remove(&id) else {
        return;
    };
    let cursor = l.cursor;
    l.rows.remove(i);
    for v in l.index.values_mut() {
        if *v > i {
            *v -= 1;
        }
    }
    l.shown.clear();
    insert_rows(app, Vec::new(), false);
    app.list.cursor = cursor.min(app.list.shown.len().saturating_sub(1));
    ensure_visible(app);
    sync_detail(app, false);
}

/// Adds (or updates) rows already built; `replace` starts the list over.
pub(crate) fn insert_rows(app: &mut App, items: Vec<Row>, replace: bool) {
    let l = &mut app.list;
    let mut keep = None;
    if replace {
        // `shown` indexes the old rows: drop it with them (a stale index would point past the
        // new rows), and put the cursor back on the same customer afterwards.
        keep = l.selected().map(|r| r.id());
        l.rows.clear();
        l.index.clear();
        l.shown.clear();
        l.cursor = 0;
    }
    // Amortised growth, but a whole account loaded at once gets exactly its size.
    l.rows.reserve(items.len());
    for row in items {
        match l.index.get(&row.id()) {
            Some(&i) => l.rows[i] = row,
            None => {
                l.index.insert(row.id(), l.rows.len());
                l.rows.push(row);
            }
        }
    }
    if app.mirror.active {
        // The list is the whole account: its count follows every customer added or removed,
        // whichever screen made it.
        super::mirror_ui::complete_paging(app);
    }
    resort(app);
    if let Some(id) = keep {
        select_customer(app, id, true);
    }
}

fn compare(a: &RowView, b: &RowView, key: SortKey) -> Ordering {
    match key {
        SortKey::Name => a.name_key().cmp(b.name_key()),
        SortKey::City => a
            .city_key()
            .is_empty()
            .cmp(&b.city_key().is_empty())
            .then_with(|| a.city_key().cmp(b.city_key()))
            .then_with(|| a.name_key().cmp(b.name_key())),
        SortKey::Created => a.created.cmp(&b.created),
        SortKey::Updated => a.updated.cmp(&b.updated),
    }
}

/// Sorts every row by the current sort, then filters.
fn resort(app: &mut App) {
    let l = &mut app.list;
    let rows = &l.rows;
    let sort = app.sort;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let o = compare(&rows[a].view, &rows[b].view, sort.key)
            .then_with(|| rows[a].id().cmp(&rows[b].id()));
        if sort.descending { o.reverse() } else { o }
    });
    l.order = order;
    l.filtered_by = String::from("\u{0}");
    refilter(app);
}

/// Recomputes the shown rows from scratch (the set of rows or the search's source changed).
pub(crate) fn refilter_from_scratch(app: &mut App) {
    app.list.filtered_by = String::from("\u{0}");
    refilter(app);
}

/// Recomputes the shown rows from the search text and the disabled switch, keeping the
/// selected customer under the cursor when it is still shown. Typing more characters only
/// narrows, so then only the rows already shown are checked.
pub(crate) fn refilter(app: &mut App) {
    let needle = Needle::new(app.search.text());
    let include_disabled = app.include_disabled;
    let selected = app.list.selected().map(|r| r.id());
    // With the account mirror, the search covers every field of every customer and contact.
    let in_mirror = super::mirror_ui::matching_customers(app);
    let type_filter = app.audit.type_filter;
    let l = &mut app.list;
    let keep = |r: &Row| {
        (include_disabled || !r.view.disabled)
            && super::audit_ui::passes(type_filter, r)
            && match &in_mirror {
                Some(ids) => ids.contains(&r.view.id),
                None => needle.matches(&r.view),
            }
    };
    let narrowing = in_mirror.is_none()
        && l.filtered_disabled == include_disabled
        && needle.narrows(&l.filtered_by);
    if narrowing {
        let rows = &l.rows;
        l.shown.retain(|&i| keep(&rows[i]));
    } else {
        let rows = &l.rows;
        l.shown = l
            .order
            .iter()
            .copied()
            .filter(|&i| keep(&rows[i]))
            .collect();
    }
    l.filtered_by = needle.text;
    l.filtered_disabled = include_disabled;
    l.cursor = selected
        .and_then(|id| l.shown.iter().position(|&i| l.rows[i].id() == id))
        .unwrap_or(0);
    ensure_visible(app);
    sync_detail(app, true);
}

fn invoices_page(
    app: &mut App,
    generation: u64,
    page: u32,
    total_pages: Option<u64>,
    last: bool,
    result: Result<Vec<crate::api::model::Invoice>, ApiError>,
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
            route_error(app, "Could not scan invoices", &e);
        }
    }
    clamp_detail(app);
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
            app.message = Some(Message {
                text: format!("Copied {}: {shown}", label.to_lowercase()),
                error: false,
            });
            fx.push(Effect::Copy(value));
        }
        None => {
            app.message = Some(Message {
                text: "Nothing to copy here".into(),
                error: false,
            })
        }
    }
}

fn open_in_browser(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(id) = app.list.selected().map(|r| r.id()) else {
        app.message = Some(Message {
            text: "No customer selected".into(),
            error: false,
        });
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
    app.message = Some(Message { text, error: false });
}

fn click(app: &mut App, col: u16, row: u16) {
    if app.mode != Mode::Normal {
        return;
    }
    let screen = layout::screen(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1));
    let rows = layout::list_rows_area(screen.list, search_visible(app));
    let inside = |r: ratatui::layout::Rect| {
        col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
    };
    if inside(rows) {
        app.focus = Focus::List;
        let i = app.list.offset + usize::from(row - rows.y);
        if i < app.list.shown.len() {
            app.list.cursor = i;
            sync_detail(app, false);
        }
    } else if inside(screen.list) {
        app.focus = Focus::List;
    } else if inside(screen.detail) {
        app.focus = Focus::Detail;
    }
}
