//! The customer picker: type part of a customer's name (or e-mail, city, phone), Enter picks.
//! It opens for a new contact from the contacts pane and for a contact's move.

use tui_input::InputRequest;

use crate::api::model::Id;
use crate::app::action::Cmd;
use crate::app::form::FieldKind;
use crate::app::forms;
use crate::app::kinds::Mode;
use crate::app::list::{PICK_LIMIT, PickFor, PickState};
use crate::app::stack::Screen;
use crate::app::state::App;
use crate::app::view::Needle;

fn is_pick(s: &Screen) -> bool {
    matches!(s, Screen::Pick(_))
}

/// Opens the picker for `purpose`.
pub fn open(app: &mut App, purpose: PickFor) {
    app.stack.push(Screen::Pick(PickState {
        purpose,
        input: tui_input::Input::default(),
        hits: Vec::new(),
        total: 0,
        cursor: 0,
    }));
    search(app);
}

/// Rows of the picker that fit on screen (kept in step with the drawing in `ui::pick`).
pub fn viewport(size: (u16, u16)) -> usize {
    usize::from(crate::app::find::area(size).height.saturating_sub(4)).max(1)
}

fn search(app: &mut App) {
    let Some(p) = app.stack.pick() else { return };
    let needle = Needle::new(p.input.value());
    let skip = match p.purpose {
        PickFor::MoveContact { from, .. } => Some(from),
        PickFor::NewContact | PickFor::BulkMove => None,
        // A customer does not refer itself.
        PickFor::Referrer => editing_customer(app),
    };
    let l = &app.list;
    let mut total = 0;
    let mut hits: Vec<Id> = Vec::new();
    for &i in &l.order {
        let row = &l.rows[i];
        if Some(row.id()) == skip || !needle.matches(&row.view) {
            continue;
        }
        total += 1;
        if hits.len() < PICK_LIMIT {
            hits.push(row.id());
        }
    }
    if let Some(p) = app.stack.pick_mut() {
        p.hits = hits;
        p.total = total;
        p.cursor = 0;
    }
}

/// A key typed into the picker's field.
pub fn edit(app: &mut App, req: InputRequest) {
    let Some(p) = app.stack.pick_mut() else {
        return;
    };
    let before = p.input.value().to_string();
    p.input.handle(req);
    if p.input.value() != before {
        search(app);
    }
}

/// Keys in the picker.
pub fn command(app: &mut App, cmd: Cmd) {
    let page = viewport(app.size) as isize;
    let Some(p) = app.stack.pick_mut() else {
        return;
    };
    let n = p.hits.len();
    let step = |d: isize| {
        if n == 0 {
            0
        } else {
            p.cursor.saturating_add_signed(d).min(n - 1)
        }
    };
    match cmd {
        Cmd::Down => p.cursor = step(1),
        Cmd::Up => p.cursor = step(-1),
        Cmd::PageDown => p.cursor = step(page),
        Cmd::PageUp => p.cursor = step(-page),
        Cmd::Close | Cmd::Back => {
            app.stack.remove(is_pick);
        }
        Cmd::FindJump => pick(app),
        _ => {}
    }
}

/// The customer form in front (a form or the onboarding's customer step) when its focused
/// field is a customer picked by name.
fn referral_field(app: &App) -> Option<&crate::app::form::Form> {
    let form = match app.mode() {
        Mode::Form => app.stack.form().map(|f| &f.form),
        Mode::OnboardForm => app.stack.onboard().and_then(|o| o.form()),
        _ => None,
    }?;
    (form.focused().kind == FieldKind::CustomerRef).then_some(form)
}

fn referral_field_mut(app: &mut App) -> Option<&mut crate::app::form::Form> {
    let form = if app.stack.form().is_some() {
        app.stack.form_mut().map(|f| &mut f.form)
    } else {
        app.stack.onboard_mut().and_then(|o| o.form_mut())
    }?;
    (form.focused().kind == FieldKind::CustomerRef).then_some(form)
}

fn editing_customer(app: &App) -> Option<Id> {
    match app.stack.form()?.form.target {
        crate::domain::FormTarget::EditCustomer { id } => Some(id),
        _ => None,
    }
}

/// A key typed into a form: on a field that holds a customer (the referral), a letter opens
/// the picker with it typed; true when the key was taken.
pub fn form_key(app: &mut App, req: &InputRequest) -> bool {
    let InputRequest::InsertChar(c) = *req else {
        return false;
    };
    if referral_field(app).is_none() {
        return false;
    }
    open(app, PickFor::Referrer);
    if let Some(p) = app.stack.pick_mut() {
        p.input = tui_input::Input::new(c.to_string());
    }
    search(app);
    true
}

fn pick(app: &mut App) {
    let Some(Screen::Pick(p)) = app.stack.remove(is_pick) else {
        return;
    };
    let Some(&id) = p.hits.get(p.cursor) else {
        return app.say("No customer picked: type part of its name", false);
    };
    let Some(to) = app
        .list
        .index
        .get(&id)
        .map(|&i| app.list.rows[i].customer())
    else {
        return;
    };
    match p.purpose {
        PickFor::NewContact => forms::new_contact(app, &to),
        PickFor::Referrer => {
            if let Some(f) = referral_field_mut(app) {
                let i = f.focus;
                f.fields[i].set_value(to.id.to_string());
                f.fields[i].error = None;
            }
        }
        // The bulk edit's move: the customer becomes its target (the screen under the picker).
        PickFor::BulkMove => {
            if let Some(b) = app.stack.bulk_mut() {
                b.target = Some((to.id, crate::sanitize::line(&to.display_name())));
                b.error = None;
            }
        }
        PickFor::MoveContact { contact_id, from } => {
            let Some(source) = app
                .list
                .index
                .get(&from)
                .map(|&i| app.list.rows[i].customer())
            else {
                return;
            };
            let Some(ct) = source.contacts.iter().find(|c| c.id == contact_id).cloned() else {
                return app.say("The contact is not there any more", false);
            };
            forms::ask_move(app, &source, &ct, &to);
        }
    }
}
