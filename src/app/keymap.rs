//! Keys to actions, by mode. These tables are the single source of truth: the help overlay is
//! generated from them.
//!
//! Routing is by mode first. In [`Mode::Search`] only Esc, Enter, Tab/Shift-Tab, the arrows that
//! move the list and Ctrl chords act; every printable key is text, so `q` or `j` typed into the
//! search never quits or moves.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

use crate::app::action::{Action, Cmd};
use crate::app::kinds::{Focus, Mode, Tab};

/// One key with its modifiers (Shift is implied by the character for printable keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl_code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// Whether a key event is this key. Shift is ignored for characters (`G` arrives as `G`
    /// with or without the SHIFT flag depending on the terminal) and for Shift-Tab.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        let code_eq = match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                // Ctrl chords arrive lowercase or uppercase depending on the terminal.
                if self.mods.contains(KeyModifiers::CONTROL) {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            (a, b) => a == b,
        };
        code_eq && (self.mods & relevant) == (ev.modifiers & relevant)
    }

    /// How the key is written in the help (`Ctrl-d`, `PgDn`, `j`).
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }
}

/// A key binding: keys, the intent, and its line in the help.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub cmd: Cmd,
    pub help: &'static str,
}

const fn bind(keys: &'static [Key], cmd: Cmd, help: &'static str) -> Binding {
    Binding { keys, cmd, help }
}

/// Browsing the list and the detail.
pub static NORMAL: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "move down"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "move up"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('d')], Cmd::HalfPageDown, "half a page down"),
    bind(&[ctrl('u')], Cmd::HalfPageUp, "half a page up"),
    bind(&[ch('g'), code(KeyCode::Home)], Cmd::Top, "first row"),
    bind(
        &[ch('G'), code(KeyCode::End)],
        Cmd::Bottom,
        "last loaded row",
    ),
    bind(&[code(KeyCode::Tab)], Cmd::FocusNext, "focus list / detail"),
    bind(
        &[code(KeyCode::BackTab)],
        Cmd::FocusPrev,
        "focus detail / list",
    ),
    bind(&[ch('1')], Cmd::ShowTab(Tab::Overview), "Overview tab"),
    bind(&[ch('2')], Cmd::ShowTab(Tab::Contacts), "Contacts tab"),
    bind(&[ch('3')], Cmd::ShowTab(Tab::Tickets), "Tickets tab"),
    bind(&[ch('4')], Cmd::ShowTab(Tab::Assets), "Assets tab"),
    bind(&[ch('5')], Cmd::ShowTab(Tab::Invoices), "Invoices tab"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "open: list → detail, contact → its record",
    ),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::Back,
        "back: close record, to the list, clear search",
    ),
    bind(&[ch('/')], Cmd::Search, "search"),
    bind(
        &[ch('s')],
        Cmd::SortNext,
        "sort by name, city, created, updated",
    ),
    bind(&[ch('S')], Cmd::SortReverse, "reverse the sort"),
    bind(
        &[ch('x')],
        Cmd::ToggleDisabled,
        "show / hide disabled customers",
    ),
    bind(&[ch('r')], Cmd::Refresh, "refresh from the server"),
    bind(
        &[ch('y')],
        Cmd::Copy,
        "copy: customer name, highlighted field or row",
    ),
    bind(
        &[ch('o')],
        Cmd::OpenInBrowser,
        "open the customer in Syncro (a follow-up line: its page)",
    ),
    bind(
        &[ch('F')],
        Cmd::FindAnywhere,
        "find customers and contacts anywhere in the account",
    ),
    bind(
        &[ch('R')],
        Cmd::SyncMirror,
        "sync the local mirror fully now",
    ),
    bind(&[ch('A')], Cmd::Audit, "duplicate audit"),
    bind(
        &[ch(' ')],
        Cmd::Mark,
        "mark the row (or unmark it); on a follow-up line: tick it",
    ),
    bind(
        &[ch('*')],
        Cmd::MarkAll,
        "mark every row the filter shows (all pages)",
    ),
    bind(&[ch('u')], Cmd::ClearMarks, "clear the marks"),
    bind(
        &[ch('U')],
        Cmd::UndoLast,
        "undo the last change the app made (asks first)",
    ),
    bind(
        &[ch('M')],
        Cmd::Merge,
        "mark for merging; on another customer (or contact of one customer): merge the two",
    ),
    bind(
        &[ch('t')],
        Cmd::TypeFilter,
        "filter by type: Business, Residential, Government, Non-Profit, all",
    ),
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(
        &[ch(':')],
        Cmd::Palette,
        "command palette (:customer, :export, ...)",
    ),
    bind(&[ch('q'), ctrl('c')], Cmd::Quit, "quit"),
    bind(
        &[ctrl('z')],
        Cmd::Suspend,
        "suspend to the shell (fg comes back)",
    ),
    bind(
        &[ch('n')],
        Cmd::New,
        "new customer (list) or contact (Contacts tab)",
    ),
    bind(
        &[ch('e')],
        Cmd::Edit,
        "edit the customer, or the contact (Contacts tab)",
    ),
    bind(&[ch('d')], Cmd::Delete, "delete the contact (Contacts tab)"),
    bind(
        &[ch('D')],
        Cmd::DeleteCustomer,
        "delete the customer (type its name to confirm)",
    ),
    bind(
        &[ch('O')],
        Cmd::Onboard,
        "onboard a new client: customer, contacts, review, create",
    ),
    bind(
        &[ch('c')],
        Cmd::Panes,
        "contacts of the whole account / customers again",
    ),
    bind(
        &[ch('L')],
        Cmd::Retire,
        "the contact left: retire it (again: reinstate)",
    ),
    bind(
        &[ch('m')],
        Cmd::MoveContact,
        "move the contact to another customer",
    ),
    bind(
        &[ch(']')],
        Cmd::NextContact,
        "next contact (in a contact's record)",
    ),
    bind(&[ch('[')], Cmd::PrevContact, "previous contact"),
];

/// In an open form (besides the editing keys of the search field); other keys are typed.
pub static FORM: &[Binding] = &[
    bind(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Cmd::FormNext,
        "next field (conflicts: next)",
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Cmd::FormPrev,
        "previous field (conflicts: previous)",
    ),
    bind(&[ctrl('s')], Cmd::FormSave, "save (again after a failure)"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::FormEnter,
        "next field; save on the last one",
    ),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::FormCancel,
        "cancel (asks before discarding changes)",
    ),
    bind(&[ctrl('e')], Cmd::FormEditor, "edit the field in $EDITOR"),
    bind(&[ctrl('r')], Cmd::FormRevert, "revert the field"),
    bind(
        &[ctrl('o')],
        Cmd::FormOpenMatch,
        "open the existing record found instead",
    ),
    bind(
        &[ctrl('t')],
        Cmd::FormApplyName,
        "take the house-style name suggested under the name",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit (asks first)"),
    bind(
        &[ctrl('z')],
        Cmd::Suspend,
        "suspend to the shell (the form stays as typed)",
    ),
];

/// A dialog: a question (delete, discard, quit, restore a draft, merge now) or a message. The
/// letters of its answers (`y`, `n`, and those shown on its buttons) are handled by the dialog.
pub static DIALOG: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter)],
        Cmd::ConfirmAccept,
        "take the highlighted answer",
    ),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::ConfirmCancel,
        "cancel: the safe answer",
    ),
    bind(
        &[code(KeyCode::Tab), code(KeyCode::Right)],
        Cmd::ConfirmToggle,
        "highlight the next answer",
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Left)],
        Cmd::ConfirmBack,
        "highlight the previous answer",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// In the find-anywhere popup (besides the editing keys of the search field).
pub static FIND: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter)],
        Cmd::FindJump,
        "go to the customer (and the contact)",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::Close, "close"),
    bind(&[code(KeyCode::Down)], Cmd::Down, "next result"),
    bind(&[code(KeyCode::Up)], Cmd::Up, "previous result"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// The customer picker (besides the editing keys of the search field).
pub static PICK: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], Cmd::FindJump, "pick this customer"),
    bind(&[code(KeyCode::Esc)], Cmd::Close, "cancel"),
    bind(&[code(KeyCode::Down)], Cmd::Down, "next customer"),
    bind(&[code(KeyCode::Up)], Cmd::Up, "previous customer"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// A bulk edit: the choice of a picked value, the preview, the progress, the result.
pub static BULK: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(
        &[ch('j'), code(KeyCode::Down)],
        Cmd::Down,
        "next change / line",
    ),
    bind(
        &[ch('k'), code(KeyCode::Up)],
        Cmd::Up,
        "previous change / line",
    ),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(
        &[code(KeyCode::Tab), code(KeyCode::Right)],
        Cmd::FocusNext,
        "next value",
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Left)],
        Cmd::FocusPrev,
        "previous value",
    ),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "next step: preview, then confirm",
    ),
    bind(&[ch('r')], Cmd::Refresh, "resume a stopped run"),
    bind(&[ch('x')], Cmd::Dismiss, "forget a stopped run"),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::Back,
        "back (a running edit goes on; the status line reports)",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// A bulk edit's choice with a typed value.
pub static BULK_FORM: &[Binding] = &[
    bind(&[code(KeyCode::Down)], Cmd::Down, "next change"),
    bind(&[code(KeyCode::Up)], Cmd::Up, "previous change"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "preview every record's old and new value",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::Back, "back"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// The change log.
pub static LOG: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next change"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous change"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ch('g'), code(KeyCode::Home)], Cmd::Top, "newest"),
    bind(&[ch('G'), code(KeyCode::End)], Cmd::Bottom, "oldest"),
    bind(&[code(KeyCode::Enter)], Cmd::Open, "open the record"),
    bind(
        &[ch('u')],
        Cmd::Undo,
        "undo this change (a bulk edit or an onboarding as a whole; asks first)",
    ),
    bind(&[ch('r')], Cmd::Refresh, "read the log again"),
    bind(&[ch('/')], Cmd::Search, "filter (:log TEXT)"),
    bind(&[ch(':')], Cmd::Palette, "command palette"),
    bind(&[code(KeyCode::Esc), ch('q')], Cmd::Close, "close"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// A report over the customers (`:referrals`, `:names`, `:incomplete`).
pub static REPORT: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next row"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous row"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ch('g'), code(KeyCode::Home)], Cmd::Top, "first row"),
    bind(&[ch('G'), code(KeyCode::End)], Cmd::Bottom, "last row"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "the source's customers / open the customer",
    ),
    bind(&[ch('e')], Cmd::Edit, "names: fix them all (bulk edit)"),
    bind(&[ch('x')], Cmd::Export, "referrals: export as CSV"),
    bind(&[ch('r')], Cmd::Refresh, "count again"),
    bind(&[ch(':')], Cmd::Palette, "command palette"),
    bind(&[code(KeyCode::Esc), ch('q')], Cmd::Close, "close"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// The onboarding follow-ups (`:onboarding`).
pub static FOLLOWUPS: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next item"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous item"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ch('g'), code(KeyCode::Home)], Cmd::Top, "first item"),
    bind(&[ch('G'), code(KeyCode::End)], Cmd::Bottom, "last item"),
    bind(
        &[ch(' ')],
        Cmd::ConfirmToggle,
        "tick the item by hand, or untick it",
    ),
    bind(
        &[ch('o')],
        Cmd::OpenInBrowser,
        "open its page in Syncro's web app",
    ),
    bind(&[code(KeyCode::Enter)], Cmd::Open, "open the customer"),
    bind(&[ch('r')], Cmd::Refresh, "look again at what the API shows"),
    bind(&[ch(':')], Cmd::Palette, "command palette"),
    bind(&[code(KeyCode::Esc), ch('q')], Cmd::Close, "close"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// The duplicate audit screen.
pub static AUDIT: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next group"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous group"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "the group's customers side by side",
    ),
    bind(&[ch('x')], Cmd::Dismiss, "not a duplicate (remembered)"),
    bind(
        &[ch('h'), code(KeyCode::Left)],
        Cmd::FocusPrev,
        "previous customer (comparison)",
    ),
    bind(
        &[ch('l'), code(KeyCode::Right)],
        Cmd::FocusNext,
        "next customer (comparison)",
    ),
    bind(
        &[ch(' ')],
        Cmd::ConfirmToggle,
        "mark one of the two to merge (groups of 3+)",
    ),
    bind(&[ch('m')], Cmd::Merge, "merge the pair (or the two marked)"),
    bind(&[code(KeyCode::Esc), ch('q')], Cmd::Back, "back"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// In the command palette's prompt (besides the editing keys of the search field); every
/// other printable key is typed.
pub static PALETTE: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], Cmd::Run, "run the command"),
    bind(
        &[code(KeyCode::Tab)],
        Cmd::Complete,
        "complete the command or argument",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::Close, "close the palette"),
    bind(
        &[code(KeyCode::Down)],
        Cmd::Down,
        "next suggestion (history when empty)",
    ),
    bind(
        &[code(KeyCode::Up)],
        Cmd::Up,
        "previous suggestion (history when empty)",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// The list of contacts found by `:contact`.
pub static RESULTS: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next contact"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous contact"),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "jump to the customer and contact",
    ),
    bind(
        &[code(KeyCode::Esc), ch('q')],
        Cmd::Close,
        "close the results",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// In the search field (besides the editing keys below).
pub static SEARCH: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter), code(KeyCode::Tab)],
        Cmd::SearchAccept,
        "keep the filter, back to the list",
    ),
    bind(&[code(KeyCode::Esc)], Cmd::SearchCancel, "clear the search"),
    bind(&[code(KeyCode::Down)], Cmd::Down, "move down the results"),
    bind(&[code(KeyCode::Up)], Cmd::Up, "move up the results"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// Text editing in the search field; any other printable key is typed.
pub static EDITING: &[(Key, InputRequest, &str)] = &[
    (
        code(KeyCode::Backspace),
        InputRequest::DeletePrevChar,
        "delete left",
    ),
    (
        code(KeyCode::Delete),
        InputRequest::DeleteNextChar,
        "delete right",
    ),
    (
        code(KeyCode::Left),
        InputRequest::GoToPrevChar,
        "cursor left",
    ),
    (
        code(KeyCode::Right),
        InputRequest::GoToNextChar,
        "cursor right",
    ),
    (code(KeyCode::Home), InputRequest::GoToStart, "to start"),
    (code(KeyCode::End), InputRequest::GoToEnd, "to end"),
    (ctrl('a'), InputRequest::GoToStart, "to start"),
    (ctrl('e'), InputRequest::GoToEnd, "to end"),
    (ctrl('w'), InputRequest::DeletePrevWord, "delete word left"),
    (
        ctrl_code(KeyCode::Backspace),
        InputRequest::DeletePrevWord,
        "delete word left",
    ),
    (ctrl('u'), InputRequest::DeleteLine, "delete all"),
    (ctrl('k'), InputRequest::DeleteTillEnd, "delete to end"),
    (
        ctrl_code(KeyCode::Left),
        InputRequest::GoToPrevWord,
        "word left",
    ),
    (
        ctrl_code(KeyCode::Right),
        InputRequest::GoToNextWord,
        "word right",
    ),
];

/// The help overlay.
pub static HELP: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "scroll down"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "scroll up"),
    bind(&[code(KeyCode::PageDown)], Cmd::PageDown, "page down"),
    bind(&[code(KeyCode::PageUp)], Cmd::PageUp, "page up"),
    bind(
        &[code(KeyCode::Esc), ch('?'), ch('q')],
        Cmd::Close,
        "close help",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

pub static MERGE: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(
        &[code(KeyCode::Left), ch('1')],
        Cmd::FocusPrev,
        "the left record stays (primary)",
    ),
    bind(
        &[code(KeyCode::Right), ch('2')],
        Cmd::FocusNext,
        "the right record stays (primary)",
    ),
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next field"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous field"),
    bind(
        &[ch(' ')],
        Cmd::ConfirmToggle,
        "copy the field or not (swap the primary)",
    ),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "next step: plan, confirm",
    ),
    bind(&[ch('r')], Cmd::Refresh, "resume a failed merge"),
    bind(
        &[ch('x')],
        Cmd::Dismiss,
        "forget an unfinished merge (what moved stays)",
    ),
    bind(&[code(KeyCode::Esc), ch('q')], Cmd::Back, "back"),
    bind(&[ctrl('c')], Cmd::Quit, "quit"),
];

/// A form of the onboarding flow (the customer, the primary contact, a further contact); other
/// keys are typed.
pub static ONBOARD_FORM: &[Binding] = &[
    bind(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Cmd::FormNext,
        "next field",
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Cmd::FormPrev,
        "previous field",
    ),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::FormEnter,
        "next field; the next step on the last one",
    ),
    bind(&[ctrl('s'), ctrl('n')], Cmd::FormSave, "the next step"),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::FormCancel,
        "a step back (the first step: leave, asks first)",
    ),
    bind(&[ctrl('r')], Cmd::FormRevert, "revert the field"),
    bind(&[ctrl('c')], Cmd::Quit, "quit (asks first)"),
];

/// The onboarding's contact list, review and progress.
pub static ONBOARD: &[Binding] = &[
    bind(&[ch('?')], Cmd::Help, "help"),
    bind(&[ch('j'), code(KeyCode::Down)], Cmd::Down, "next contact"),
    bind(&[ch('k'), code(KeyCode::Up)], Cmd::Up, "previous contact"),
    bind(&[ch('a'), ch('n')], Cmd::New, "add a contact"),
    bind(
        &[ch('e')],
        Cmd::Edit,
        "edit: the contact; after a failure, the data",
    ),
    bind(
        &[ch('d'), ch('x')],
        Cmd::Delete,
        "remove the contact (asks first)",
    ),
    bind(
        &[code(KeyCode::Enter)],
        Cmd::Open,
        "edit the contact; review: create; done: go to the customer",
    ),
    bind(
        &[ctrl('s'), ctrl('n')],
        Cmd::FormSave,
        "the next step (review: create)",
    ),
    bind(&[ch('r')], Cmd::Refresh, "resume a stopped onboarding"),
    bind(
        &[ch('D')],
        Cmd::DeleteCustomer,
        "forget a stopped onboarding (what it created stays)",
    ),
    bind(
        &[code(KeyCode::Esc)],
        Cmd::Back,
        "a step back; while creating: hide, after a failure: leave (kept)",
    ),
    bind(&[ctrl('c')], Cmd::Quit, "quit (asks first)"),
];

/// The bindings of a mode, in help order.
pub fn bindings(mode: Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Search => SEARCH,
        Mode::Help => HELP,
        Mode::Find => FIND,
        Mode::Audit => AUDIT,
        Mode::Merge => MERGE,
        Mode::Palette => PALETTE,
        Mode::Results => RESULTS,
        Mode::Form => FORM,
        Mode::Dialog => DIALOG,
        Mode::Onboard => ONBOARD,
        Mode::OnboardForm => ONBOARD_FORM,
        Mode::Pick => PICK,
        Mode::Bulk => BULK,
        Mode::BulkForm => BULK_FORM,
        Mode::Log => LOG,
        Mode::Report => REPORT,
        Mode::Followups => FOLLOWUPS,
    }
}

/// The modes in the order the help shows them, with their headings.
pub const MODES: [(Mode, &str); 18] = [
    (Mode::Normal, "List and detail"),
    (Mode::Search, "Search field"),
    (Mode::Find, "Find anywhere"),
    (Mode::Audit, "Duplicate audit"),
    (Mode::Merge, "Merge"),
    (Mode::Palette, "Command palette (:)"),
    (Mode::Results, "Contact results"),
    (Mode::Help, "Help"),
    (Mode::Form, "Form"),
    (Mode::Dialog, "Dialog (questions and messages)"),
    (Mode::OnboardForm, "Onboarding: a step's form"),
    (Mode::Onboard, "Onboarding: contacts, review, progress"),
    (Mode::Pick, "Pick a customer"),
    (Mode::BulkForm, "Bulk edit: the change and its value"),
    (Mode::Bulk, "Bulk edit: preview, progress, result"),
    (Mode::Log, "Change log (:log)"),
    (Mode::Report, "Reports (:referrals, :names, :incomplete)"),
    (Mode::Followups, "Onboarding follow-ups (:onboarding)"),
];

/// The action a key stands for in a mode with the default keys, if any (see [`Keymap`] for
/// the keys of the config file).
pub fn map_key(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    DEFAULT_KEYMAP.map_key(mode, ev)
}

/// Text typed into a field: the editing keys, then any printable key.
fn text_edit(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    let wrap: fn(InputRequest) -> Action = match mode {
        Mode::Search => Action::SearchEdit,
        Mode::Find => Action::FindEdit,
        Mode::Palette => Action::PaletteEdit,
        Mode::Form => Action::FormEdit,
        Mode::Dialog => Action::ConfirmEdit,
        Mode::Pick => Action::PickEdit,
        Mode::OnboardForm => Action::OnboardEdit,
        Mode::BulkForm => Action::BulkEdit,
        _ => return None,
    };
    if let Some((_, req, _)) = EDITING.iter().find(|(k, _, _)| k.matches(ev)) {
        return Some(wrap(*req));
    }
    match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(wrap(InputRequest::InsertChar(c)))
        }
        _ => None,
    }
}

static DEFAULT_KEYMAP: std::sync::LazyLock<Keymap> = std::sync::LazyLock::new(Keymap::defaults);

/// A binding of a [`Keymap`]: the default one, or one whose keys the config file replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub keys: Vec<Key>,
    pub cmd: Cmd,
    pub help: &'static str,
}

/// The keys in effect: the static tables above with the config file's `[keys.MODE]`
/// overrides applied. Built once at start and kept in [`AppConfig`]; key routing, the help
/// overlay and the status-line hints all read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    modes: Vec<(Mode, Vec<KeyBinding>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::defaults()
    }
}

/// The mode a config-file name stands for: the names of earlier versions (`confirm`, `modal`:
/// the question and the message box, now one dialog) still work.
fn mode_alias(name: &str) -> &str {
    match name {
        "confirm" | "modal" => "dialog",
        other => other,
    }
}

/// The config-file name of a mode (`[keys.normal]`).
pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Normal => "normal",
        Mode::Search => "search",
        Mode::Help => "help",
        Mode::Palette => "palette",
        Mode::Results => "results",
        Mode::Form => "form",
        Mode::Dialog => "dialog",
        Mode::Find => "find",
        Mode::Audit => "audit",
        Mode::Merge => "merge",
        Mode::Onboard => "onboard",
        Mode::OnboardForm => "onboard_form",
        Mode::Pick => "pick",
        Mode::Bulk => "bulk",
        Mode::BulkForm => "bulk_form",
        Mode::Log => "log",
        Mode::Report => "report",
        Mode::Followups => "followups",
    }
}

/// The config-file name of an action (`page_down`, `sort_next`; the tabs are `tab_overview`
/// .. `tab_invoices`). Written out, so that renaming a variant cannot rename a config key. In
/// the config file a name that starts with its mode may drop it (`[keys.form] save` for
/// `form_save`).
pub fn cmd_name(cmd: Cmd) -> &'static str {
    match cmd {
        Cmd::Quit => "quit",
        Cmd::Suspend => "suspend",
        Cmd::Up => "up",
        Cmd::Down => "down",
        Cmd::PageDown => "page_down",
        Cmd::PageUp => "page_up",
        Cmd::HalfPageDown => "half_page_down",
        Cmd::HalfPageUp => "half_page_up",
        Cmd::Top => "top",
        Cmd::Bottom => "bottom",
        Cmd::FocusNext => "focus_next",
        Cmd::FocusPrev => "focus_prev",
        Cmd::ShowTab(Tab::Overview) => "tab_overview",
        Cmd::ShowTab(Tab::Contacts) => "tab_contacts",
        Cmd::ShowTab(Tab::Tickets) => "tab_tickets",
        Cmd::ShowTab(Tab::Assets) => "tab_assets",
        Cmd::ShowTab(Tab::Invoices) => "tab_invoices",
        Cmd::Open => "open",
        Cmd::Back => "back",
        Cmd::Search => "search",
        Cmd::SearchAccept => "search_accept",
        Cmd::SearchCancel => "search_cancel",
        Cmd::SortNext => "sort_next",
        Cmd::SortReverse => "sort_reverse",
        Cmd::ToggleDisabled => "toggle_disabled",
        Cmd::Refresh => "refresh",
        Cmd::Copy => "copy",
        Cmd::OpenInBrowser => "open_in_browser",
        Cmd::Help => "help",
        Cmd::Close => "close",
        Cmd::FindAnywhere => "find_anywhere",
        Cmd::FindJump => "find_jump",
        Cmd::SyncMirror => "sync_mirror",
        Cmd::Audit => "audit",
        Cmd::Dismiss => "dismiss",
        Cmd::TypeFilter => "type_filter",
        Cmd::Palette => "palette",
        Cmd::Complete => "complete",
        Cmd::Run => "run",
        Cmd::New => "new",
        Cmd::Edit => "edit",
        Cmd::Delete => "delete",
        Cmd::DeleteCustomer => "delete_customer",
        Cmd::FormNext => "form_next",
        Cmd::FormPrev => "form_prev",
        Cmd::FormSave => "form_save",
        Cmd::FormEnter => "form_enter",
        Cmd::FormCancel => "form_cancel",
        Cmd::FormEditor => "form_editor",
        Cmd::FormRevert => "form_revert",
        Cmd::FormOpenMatch => "form_open_match",
        Cmd::ConfirmAccept => "confirm_accept",
        Cmd::ConfirmCancel => "confirm_cancel",
        Cmd::ConfirmToggle => "confirm_toggle",
        Cmd::ConfirmBack => "confirm_back",
        Cmd::Merge => "merge",
        Cmd::Onboard => "onboard",
        Cmd::Panes => "contacts",
        Cmd::Retire => "retire",
        Cmd::MoveContact => "move_contact",
        Cmd::NextContact => "next_contact",
        Cmd::PrevContact => "prev_contact",
        Cmd::Mark => "mark",
        Cmd::MarkAll => "mark_all",
        Cmd::ClearMarks => "clear_marks",
        Cmd::UndoLast => "undo_last",
        Cmd::Undo => "undo",
        Cmd::Export => "export",
        Cmd::FormApplyName => "form_apply_name",
    }
}

/// The keys of the status-line hints, per mode and focus (`None`: any focus). Modes without a
/// row here use [`hints`].
type HintRow = (Mode, Option<Focus>, &'static [(Cmd, &'static str)]);

const HINTS: &[HintRow] = &[
    (
        Mode::Normal,
        Some(Focus::List),
        &[
            (Cmd::Search, "search"),
            (Cmd::Panes, "contacts"),
            (Cmd::FocusNext, "detail"),
            (Cmd::Help, "help"),
            (Cmd::Quit, "quit"),
        ],
    ),
    (
        Mode::Normal,
        Some(Focus::Detail),
        &[
            (Cmd::Open, "open"),
            (Cmd::Copy, "copy"),
            (Cmd::Back, "back"),
        ],
    ),
    (
        Mode::Search,
        None,
        &[(Cmd::SearchAccept, "keep"), (Cmd::SearchCancel, "clear")],
    ),
    (Mode::Help, None, &[(Cmd::Close, "close")]),
    (
        Mode::Palette,
        None,
        &[
            (Cmd::Complete, "complete"),
            (Cmd::Run, "run"),
            (Cmd::Close, "close"),
        ],
    ),
    (
        Mode::Results,
        None,
        &[(Cmd::Open, "jump"), (Cmd::Close, "close")],
    ),
    (
        Mode::Find,
        None,
        &[(Cmd::FindJump, "go to"), (Cmd::Close, "close")],
    ),
    (
        Mode::Audit,
        None,
        &[
            (Cmd::Open, "compare"),
            (Cmd::Merge, "merge"),
            (Cmd::Dismiss, "not a duplicate"),
            (Cmd::Back, "back"),
        ],
    ),
    // The merge screens write the keys of the step in front on their bottom border; the
    // status line does not repeat them (they change from one step to the next).
    (Mode::Merge, None, &[(Cmd::Help, "help")]),
    // The bulk edit writes its step's keys on its border, as the merge screens do.
    (Mode::Bulk, None, &[(Cmd::Help, "help")]),
    (
        Mode::BulkForm,
        None,
        &[(Cmd::Open, "preview"), (Cmd::Back, "back")],
    ),
    (
        Mode::Log,
        None,
        &[
            (Cmd::Open, "open"),
            (Cmd::Undo, "undo"),
            (Cmd::Close, "close"),
        ],
    ),
    (
        Mode::Report,
        None,
        &[(Cmd::Open, "open"), (Cmd::Close, "close")],
    ),
    (
        Mode::Followups,
        None,
        &[
            (Cmd::ConfirmToggle, "tick"),
            (Cmd::OpenInBrowser, "open in Syncro"),
            (Cmd::Open, "customer"),
            (Cmd::Close, "close"),
        ],
    ),
    (
        Mode::Form,
        None,
        &[
            (Cmd::FormSave, "save"),
            (Cmd::FormCancel, "cancel"),
            (Cmd::FormNext, "next"),
            (Cmd::FormEditor, "editor"),
        ],
    ),
    (
        Mode::Dialog,
        None,
        &[
            (Cmd::ConfirmAccept, "answer"),
            (Cmd::ConfirmCancel, "cancel"),
        ],
    ),
    (
        Mode::Onboard,
        None,
        &[(Cmd::Back, "back"), (Cmd::Quit, "quit")],
    ),
    (
        Mode::Pick,
        None,
        &[(Cmd::FindJump, "pick"), (Cmd::Close, "cancel")],
    ),
    (
        Mode::OnboardForm,
        None,
        &[
            (Cmd::FormNext, "field"),
            (Cmd::FormSave, "next step"),
            (Cmd::FormCancel, "back"),
        ],
    ),
];

impl Keymap {
    /// The static tables, unchanged.
    pub fn defaults() -> Keymap {
        Keymap {
            modes: MODES
                .iter()
                .map(|&(mode, _)| {
                    let list = bindings(mode)
                        .iter()
                        .map(|b| KeyBinding {
                            keys: b.keys.to_vec(),
                            cmd: b.cmd,
                            help: b.help,
                        })
                        .collect();
                    (mode, list)
                })
                .collect(),
        }
    }

    /// The defaults with `overrides` (mode name -> action name -> keys) applied: the keys
    /// given replace the action's default keys in that mode, and are taken away from any other
    /// action of the mode that had them. Unknown modes and actions come back as warnings.
    pub fn with_overrides(overrides: &crate::config::KeyOverrides) -> (Keymap, Vec<String>) {
        let mut map = Keymap::defaults();
        let mut warnings = Vec::new();
        for (mode_text, actions) in overrides.iter() {
            let Some(slot) = map
                .modes
                .iter_mut()
                .find(|(m, _)| mode_name(*m) == mode_alias(mode_text))
            else {
                let names: Vec<&str> = MODES.iter().map(|(m, _)| mode_name(*m)).collect();
                warnings.push(format!(
                    "keys.{mode_text}: unknown mode (modes: {})",
                    names.join(", ")
                ));
                continue;
            };
            for (action, keys) in actions {
                // `save` in [keys.form] is `form_save`: the mode's prefix may be left out.
                let prefixed = format!("{mode_text}_{action}");
                let Some(i) = slot.1.iter().position(|b| {
                    let name = cmd_name(b.cmd);
                    name == *action || name == prefixed
                }) else {
                    let names: Vec<&str> = slot.1.iter().map(|b| cmd_name(b.cmd)).collect();
                    warnings.push(format!(
                        "keys.{mode_text}.{action}: unknown action (actions: {})",
                        names.join(", ")
                    ));
                    continue;
                };
                let keys: Vec<Key> = keys
                    .iter()
                    .map(|k| Key {
                        code: k.code,
                        mods: k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT),
                    })
                    .collect();
                for (j, other) in slot.1.iter_mut().enumerate() {
                    if j != i {
                        other.keys.retain(|k| !keys.contains(k));
                    }
                }
                slot.1[i].keys = keys;
            }
        }
        (map, warnings)
    }

    /// The bindings of a mode, in help order.
    pub fn bindings(&self, mode: Mode) -> &[KeyBinding] {
        self.modes
            .iter()
            .find(|(m, _)| *m == mode)
            .map_or(&[][..], |(_, b)| b.as_slice())
    }

    /// The action a key stands for in a mode, if any. In the search field and the palette
    /// every printable key that is not bound is text.
    pub fn map_key(&self, mode: Mode, ev: &KeyEvent) -> Option<Action> {
        if let Some(b) = self
            .bindings(mode)
            .iter()
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        {
            return Some(Action::Cmd(b.cmd));
        }
        // Ctrl-Z suspends from every screen, as in any terminal program.
        if ev.code == KeyCode::Char('z') && ev.modifiers == KeyModifiers::CONTROL {
            return Some(Action::Cmd(Cmd::Suspend));
        }
        text_edit(mode, ev)
    }

    /// The first key of an action in a mode, as the help writes it.
    pub fn key_label(&self, mode: Mode, cmd: Cmd) -> Option<String> {
        self.bindings(mode)
            .iter()
            .find(|b| b.cmd == cmd)
            .and_then(|b| b.keys.first())
            .map(Key::label)
    }

    /// Short hints for the status line, by mode and focus, with the keys in effect.
    pub fn hints(&self, mode: Mode, focus: Focus) -> String {
        let Some((_, _, items)) = HINTS
            .iter()
            .find(|(m, f, _)| *m == mode && f.is_none_or(|f| f == focus))
        else {
            return String::new();
        };
        let mut parts: Vec<String> = Vec::new();
        if mode == Mode::Normal && focus == Focus::Detail {
            parts.push("1-5 tabs".into());
        }
        for (cmd, text) in items.iter() {
            if let Some(k) = self.key_label(mode, *cmd) {
                parts.push(format!("{k} {text}"));
            }
        }
        parts.join("  ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::app::help::HelpLine;
    #[allow(unused_imports)]
    use crate::app::prelude::*;

    /// The status-line hints with the default keys, as they read.
    fn hints(mode: Mode, focus: Focus) -> &'static str {
        match (mode, focus) {
            (Mode::Normal, Focus::List) => "/ search  c contacts  Tab detail  ? help  q quit",
            (Mode::Normal, Focus::Detail) => "1-5 tabs  Enter open  y copy  Esc back",
            (Mode::Search, _) => "Enter keep  Esc clear",
            (Mode::Help, _) => "Esc close",
            (Mode::Find, _) => "Enter go to  Esc close",
            (Mode::Audit, _) => "Enter compare  m merge  x not a duplicate  Esc back",
            (Mode::Merge, _) => "? help",
            (Mode::Palette, _) => "Tab complete  Enter run  Esc close",
            (Mode::Results, _) => "Enter jump  Esc close",
            (Mode::Form, _) => "Ctrl-s save  Esc cancel  Tab next  Ctrl-e editor",
            (Mode::Dialog, _) => "Enter answer  Esc cancel",
            (Mode::Onboard, _) => "Esc back  Ctrl-c quit",
            (Mode::OnboardForm, _) => "Tab field  Ctrl-s next step  Esc back",
            (Mode::Pick, _) => "Enter pick  Esc cancel",
            (Mode::Bulk, _) => "? help",
            (Mode::BulkForm, _) => "Enter preview  Esc back",
            (Mode::Log, _) => "Enter open  u undo  Esc close",
            (Mode::Report, _) => "Enter open  Esc close",
            (Mode::Followups, _) => "Space tick  o open in Syncro  Enter customer  Esc close",
        }
    }

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn plain(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn cmd(mode: Mode, ev: KeyEvent) -> Option<Cmd> {
        match map_key(mode, &ev) {
            Some(Action::Cmd(c)) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn normal_mode_keys() {
        assert_eq!(cmd(Mode::Normal, plain('j')), Some(Cmd::Down));
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Cmd::Down)
        );
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Cmd::HalfPageDown)
        );
        assert_eq!(cmd(Mode::Normal, plain('d')), Some(Cmd::Delete));
        assert_eq!(cmd(Mode::Normal, plain('G')), Some(Cmd::Bottom));
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Cmd::Bottom)
        );
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Cmd::FocusPrev)
        );
        assert_eq!(
            cmd(Mode::Normal, plain('3')),
            Some(Cmd::ShowTab(Tab::Tickets))
        );
        assert_eq!(cmd(Mode::Normal, plain('q')), Some(Cmd::Quit));
        assert_eq!(
            cmd(Mode::Normal, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Cmd::Quit)
        );
    }

    #[test]
    fn printable_keys_are_text_in_the_search() {
        for c in [
            'q', 'j', 'k', 'g', 'G', '/', '?', '1', 's', 'x', 'y', 'o', ' ', 'é', '東',
        ] {
            match map_key(Mode::Search, &plain(c)) {
                Some(Action::SearchEdit(InputRequest::InsertChar(got))) => assert_eq!(got, c),
                other => panic!("{c:?} gave {other:?}"),
            }
        }
        assert_eq!(
            cmd(Mode::Search, key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Cmd::SearchCancel)
        );
        assert_eq!(
            cmd(Mode::Search, key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Cmd::SearchAccept)
        );
        assert_eq!(
            cmd(Mode::Search, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Cmd::Quit)
        );
        assert!(matches!(
            map_key(
                Mode::Search,
                &key(KeyCode::Char('w'), KeyModifiers::CONTROL)
            ),
            Some(Action::SearchEdit(InputRequest::DeletePrevWord))
        ));
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        for (mode, _) in MODES {
            let keys: Vec<Key> = bindings(mode)
                .iter()
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, a) in keys.iter().enumerate() {
                for b in &keys[i + 1..] {
                    assert_ne!(a, b, "{mode:?}: {} bound twice", a.label());
                }
            }
        }
    }

    #[test]
    fn labels_read_like_the_docs() {
        assert_eq!(ctrl('d').label(), "Ctrl-d");
        assert_eq!(code(KeyCode::PageDown).label(), "PgDn");
        assert_eq!(code(KeyCode::BackTab).label(), "Shift-Tab");
    }

    fn overrides(entries: &[(&str, &str, &[&str])]) -> crate::config::KeyOverrides {
        let mut out = crate::config::KeyOverrides::new();
        for (mode, action, keys) in entries {
            let keys = keys
                .iter()
                .map(|k| crate::config::parse_key(k).expect("key"))
                .collect();
            out.entry(mode.to_string())
                .or_default()
                .insert(action.to_string(), keys);
        }
        out
    }

    #[test]
    fn an_override_replaces_the_default_keys_of_its_action() {
        let (map, warnings) = Keymap::with_overrides(&overrides(&[("normal", "quit", &["x"])]));
        assert!(warnings.is_empty(), "{warnings:?}");
        let cmd = |ev| match map.map_key(Mode::Normal, &ev) {
            Some(Action::Cmd(c)) => Some(c),
            _ => None,
        };
        assert_eq!(cmd(plain('x')), Some(Cmd::Quit));
        assert_eq!(cmd(plain('q')), None);
        // x belonged to toggle_disabled: taken away, so it is not bound twice.
        assert!(
            map.bindings(Mode::Normal)
                .iter()
                .find(|b| b.cmd == Cmd::ToggleDisabled)
                .is_some_and(|b| b.keys.is_empty())
        );
        // Other modes keep their keys.
        assert_eq!(
            map.map_key(
                Mode::Dialog,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            )
            .map(|a| format!("{a:?}")),
            Some("Cmd(Quit)".into())
        );
        // The help and the status line follow.
        let config = AppConfig {
            keymap: map.clone(),
            ..AppConfig::default()
        };
        let lines = crate::app::help::help_lines(&config);
        assert!(lines.contains(&HelpLine::Entry {
            keys: "x".into(),
            text: "quit · quit".into()
        }));
        let q_quit = HelpLine::Entry {
            keys: "q Ctrl-c".into(),
            text: "quit · quit".into(),
        };
        // The list's q is gone (no other screen quits on a plain q).
        assert_eq!(lines.iter().filter(|l| **l == q_quit).count(), 0);
        assert_eq!(
            crate::app::help::help_lines(&AppConfig::default())
                .iter()
                .filter(|l| **l == q_quit)
                .count(),
            1
        );
        assert_eq!(
            map.hints(Mode::Normal, Focus::List),
            "/ search  c contacts  Tab detail  ? help  x quit"
        );
    }

    #[test]
    fn default_hints_read_as_before() {
        let map = Keymap::defaults();
        for (mode, _) in MODES {
            for focus in [Focus::List, Focus::Detail] {
                assert_eq!(map.hints(mode, focus), hints(mode, focus), "{mode:?}");
            }
        }
    }

    #[test]
    fn unknown_modes_and_actions_are_warnings() {
        let (map, warnings) = Keymap::with_overrides(&overrides(&[
            ("normal", "teleport", &["t"]),
            ("nirmal", "quit", &["x"]),
            ("search", "search_cancel", &["ctrl-g"]),
        ]));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("keys.normal.teleport")));
        assert!(warnings.iter().any(|w| w.contains("keys.nirmal")));
        assert_eq!(
            map.map_key(
                Mode::Search,
                &key(KeyCode::Char('g'), KeyModifiers::CONTROL)
            )
            .map(|a| format!("{a:?}")),
            Some("Cmd(SearchCancel)".into())
        );
        // Esc no longer cancels the search; it is not text either.
        assert!(
            map.map_key(Mode::Search, &key(KeyCode::Esc, KeyModifiers::NONE))
                .is_none()
        );
    }

    #[test]
    fn action_names_are_snake_case() {
        assert_eq!(cmd_name(Cmd::PageDown), "page_down");
        assert_eq!(cmd_name(Cmd::Quit), "quit");
        assert_eq!(cmd_name(Cmd::ShowTab(Tab::Contacts)), "tab_contacts");
        assert_eq!(cmd_name(Cmd::OpenInBrowser), "open_in_browser");
    }

    #[test]
    fn the_mode_prefix_of_an_action_may_be_left_out() {
        let (map, warnings) = Keymap::with_overrides(&overrides(&[
            ("form", "save", &["ctrl-w"]),
            ("confirm", "confirm_cancel", &["n"]),
        ]));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            map.map_key(Mode::Form, &key(KeyCode::Char('w'), KeyModifiers::CONTROL))
                .map(|a| format!("{a:?}")),
            Some("Cmd(FormSave)".into())
        );
        assert_eq!(
            map.map_key(Mode::Dialog, &plain('n'))
                .map(|a| format!("{a:?}")),
            Some("Cmd(ConfirmCancel)".into())
        );
    }
}
