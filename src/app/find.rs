//! Find anywhere (`F`, and `:contact` with the mirror): a popup of ranked results over every
//! customer and contact of the account, whose Enter jumps to the customer (and the contact).

use tui_input::{Input, InputRequest};

use crate::api::model::{Contact, Customer};
use crate::app::action::Cmd;
use crate::app::kinds::{Debounce, Focus, Tab};
use crate::app::mirror::state::{FIND_LIMIT, FindPopup, FindRow};
use crate::app::panes;
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::view;
use crate::mirror::{Field, Hit};
use crate::sanitize;

fn is_find(s: &Screen) -> bool {
    matches!(s, Screen::Find(_))
}

/// `F`: opens the popup. Before the mirror's index arrives the popup says so, keeps what is
/// typed, and searches as soon as the index is there.
pub fn open(app: &mut App) {
    if !app.mirror.configured {
        app.say("Find anywhere needs the local mirror of the account", false);
        return;
    }
    app.stack.push(Screen::Find(FindPopup::default()));
}

/// Opens the popup with `text` already searched, contacts only (`:contact TEXT`).
pub fn open_with(app: &mut App, text: &str) {
    open(app);
    if let Some(f) = app.stack.find_mut() {
        f.input = Input::new(text.to_string());
        f.contacts_only = true;
        search(app);
    }
}

fn close(app: &mut App) {
    app.stack.remove(is_find);
}

/// Keys in the popup.
pub fn command(app: &mut App, cmd: Cmd) {
    let page = viewport(app.size) as isize;
    match cmd {
        Cmd::Down => move_by(app, 1),
        Cmd::Up => move_by(app, -1),
        Cmd::PageDown => move_by(app, page),
        Cmd::PageUp => move_by(app, -page),
        Cmd::FindJump => jump(app),
        Cmd::Close | Cmd::Back => close(app),
        _ => {}
    }
}

/// A key typed into the popup's field.
pub fn edit(app: &mut App, req: InputRequest) {
    let Some(f) = app.stack.find_mut() else {
        return;
    };
    let before = f.input.value().to_string();
    f.input.handle(req);
    if f.input.value() != before {
        search(app);
    }
}

/// Rows of the popup that fit on screen (kept in step with the drawing in `ui::find`).
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(area(size).height.saturating_sub(4)).max(1)
}

/// Where the popup sits: most of the screen, centred.
pub fn area(size: (u16, u16)) -> ratatui::layout::Rect {
    let (w, h) = size;
    let width = w.saturating_sub(8).clamp(20.min(w), 110);
    let height = h.saturating_sub(4).clamp(5.min(h), 30);
    ratatui::layout::Rect::new(
        (w - width) / 2,
        (h.saturating_sub(1) - height.min(h.saturating_sub(1))) / 2,
        width,
        height.min(h.saturating_sub(1)),
    )
}

/// Moves the popup's cursor.
fn move_by(app: &mut App, delta: isize) {
    let vp = viewport(app.size);
    let Some(f) = app.stack.find_mut() else {
        return;
    };
    if f.rows.is_empty() {
        return;
    }
    f.cursor = f.cursor.saturating_add_signed(delta).min(f.rows.len() - 1);
    if f.cursor < f.offset {
        f.offset = f.cursor;
    } else if f.cursor >= f.offset + vp {
        f.offset = f.cursor + 1 - vp;
    }
}

/// Searches again for what the popup holds (a key typed, or a new index), when it is open.
pub fn search(app: &mut App) {
    let (Some(f), Some(s)) = (app.stack.find_mut(), app.mirror.find_searcher.as_mut()) else {
        return;
    };
    let query = f.input.value().trim().to_string();
    // Contacts only: a deeper search, then the customers left out.
    let limit = if f.contacts_only {
        FIND_LIMIT * 5
    } else {
        FIND_LIMIT
    };
    let mut results = if query.is_empty() {
        Default::default()
    } else {
        s.0.search(&query, limit)
    };
    if f.contacts_only {
        results.hits.retain(|h| h.contact_id.is_some());
        if results.hits.len() < limit {
            results.total = results.hits.len();
        }
        results.hits.truncate(FIND_LIMIT);
    }
    f.total = results.total;
    f.cursor = 0;
    f.offset = 0;
    let rows: Vec<FindRow> = results
        .hits
        .iter()
        .filter_map(|h| find_row(app, h))
        .collect();
    if let Some(f) = app.stack.find_mut() {
        f.rows = rows;
    }
}

fn find_row(app: &App, hit: &Hit) -> Option<FindRow> {
    let &i = app.list.index.get(&hit.customer_id)?;
    let c = &app.list.rows[i].customer();
    let contact = hit
        .contact_id
        .and_then(|id| c.contacts.iter().find(|k| k.id == id));
    let (name, customer) = match contact {
        Some(k) => (
            sanitize::line(k.name.as_deref().unwrap_or("(no name)")),
            sanitize::line(&c.display_name()),
        ),
        None => (sanitize::line(&c.display_name()), String::new()),
    };
    let value = sanitize::line(&field_value(c, contact, hit.field));
    let matched = if value.is_empty() {
        hit.field.label().to_string()
    } else {
        format!("{}: {value}", hit.field.label())
    };
    Some(FindRow {
        customer_id: hit.customer_id,
        contact_id: hit.contact_id,
        name,
        customer,
        matched,
        kind: hit.kind,
    })
}

/// The text of the field that matched, for the popup.
fn field_value(c: &Customer, contact: Option<&Contact>, field: Field) -> String {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    if let Some(k) = contact {
        return match field {
            Field::Name => s(&k.name),
            Field::Email => s(&k.email),
            Field::Phone => view::phone_display(k.phone.as_deref().unwrap_or("")),
            Field::Mobile => view::phone_display(k.mobile.as_deref().unwrap_or("")),
            Field::Title => k.title().unwrap_or_default(),
            Field::Address => s(&k.address1),
            Field::City => s(&k.city),
            Field::State => s(&k.state),
            Field::Zip => s(&k.zip),
            Field::Notes => first_line(&s(&k.notes)),
            _ => String::new(),
        };
    }
    match field {
        Field::BusinessName => s(&c.business_name),
        Field::PersonName | Field::Name => c.person_name(),
        Field::Email => s(&c.email),
        Field::Phone => view::phone_display(c.phone.as_deref().unwrap_or("")),
        Field::Mobile => view::phone_display(c.mobile.as_deref().unwrap_or("")),
        Field::Address => s(&c.address),
        Field::City => s(&c.city),
        Field::State => s(&c.state),
        Field::Zip => s(&c.zip),
        Field::Notes => first_line(&s(&c.notes)),
        Field::Id => c.id.to_string(),
        Field::Title | Field::Properties => String::new(),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(80).collect()
}

/// Enter in the popup: to the customer, and to the contact on the Contacts tab.
fn jump(app: &mut App) {
    let Some(row) = app.stack.find().and_then(|f| f.rows.get(f.cursor).cloned()) else {
        return;
    };
    close(app);
    let shown = |app: &App| {
        app.list
            .shown
            .iter()
            .any(|&i| app.list.rows[i].id() == row.customer_id)
    };
    if !shown(app) && !app.search.text().is_empty() {
        app.search.input.reset();
        app.list.remote = None;
        app.search.debounce = Debounce::Idle;
        panes::refilter_from_scratch(app);
    }
    if !shown(app) && !app.include_disabled {
        app.include_disabled = true;
        app.say("Showing disabled customers", false);
        panes::refilter_from_scratch(app);
    }
    if !panes::select_customer(app, row.customer_id, true) {
        return;
    }
    match row.contact_id {
        Some(contact_id) => {
            let pos = app
                .list
                .selected()
                .and_then(|r| {
                    r.customer()
                        .contacts
                        .iter()
                        .position(|k| k.id == contact_id)
                })
                .unwrap_or(0);
            panes::show_tab(app, Tab::Contacts);
            panes::set_contact_cursor(app, pos);
            app.focus = Focus::Detail;
        }
        None => app.focus = Focus::List,
    }
}
