//! The app frame's state: which screen is shown, how sync is doing, and what the desktop
//! keyboard shortcuts asked for. Pages read it through a context and react to its requests.

use super::sync::SyncBadge;
use crate::route::{NewRecord, Route};
use fieldstone_model::{ListingId, Locale, RecordRef};
use fieldstone_protocol::commands::SyncStatus;
use std::rc::Rc;
use yew::{AttrValue, Reducible};

/// What a desktop keyboard shortcut asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// `/`: put the cursor in the screen's search box.
    FocusSearch,
    /// `n`: start a new record of the screen's kind.
    New,
}

impl Shortcut {
    /// The shortcut a key press means, if any. Keys typed into a field, and keys held with
    /// Ctrl, Alt or Meta (the webview's and the system's own shortcuts), are never taken.
    pub fn for_key(key: &str, with_modifier: bool, typing: bool) -> Option<Shortcut> {
        if with_modifier || typing {
            return None;
        }
        match key {
            "/" => Some(Shortcut::FocusSearch),
            "n" | "N" => Some(Shortcut::New),
            _ => None,
        }
    }
}

/// A shortcut handed to the page; `seq` grows with every request so the same one twice in a row
/// is seen twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub shortcut: Shortcut,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellAction {
    /// Show a screen (from a link, a button or the `#hash`).
    Navigate(Route),
    SyncStatusChanged(SyncStatus),
    /// The shell could not say how sync is doing (e.g. the command failed).
    SyncStatusUnavailable(String),
    Shortcut(Shortcut),
    /// Open the new-contact dialog (from any screen).
    NewContact,
    CloseNewContact,
    /// The screen at this route names what it shows (a contact's name for the top bar).
    Named(Route, String),
    /// A contact or listing was deleted: offer to undo it from whatever screen comes next.
    Deleted(RecordRef, String),
    /// The undo offer is gone (used, or dismissed).
    DismissUndo,
    /// How many records hold fields changed on two devices.
    Conflicts(usize),
    /// A screen settled a conflict: count them again.
    RecheckConflicts,
    /// The signed-in role may only look (a viewer): the organisation's name, else `None`.
    ViewOnly(Option<String>),
    /// The signed-in role sees the team (a broker, an admin or the owner): the navigation
    /// offers the Team screen.
    TeamView(bool),
    /// The agent's locale, as read from their preferences or just saved.
    Locale(Locale),
    /// The device is locked to this listing's open-house sign-in (started here, or found
    /// running at start): every other screen is out of reach until [`ShellAction::KioskOff`].
    KioskOn(ListingId),
    /// The kiosk ended with its PIN: back to the listing.
    KioskOff(ListingId),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shell {
    pub route: Route,
    pub sync: Option<SyncStatus>,
    pub sync_error: Option<String>,
    /// Grows when changes from elsewhere were applied: lists on screen reload when it does.
    pub remote_revision: u64,
    pub request: Option<PageRequest>,
    /// The new-contact dialog is open; the number grows with every opening (a fresh form).
    pub new_contact: Option<u64>,
    opened: u64,
    /// The top bar's title for one route (the contact's name), instead of the section's.
    pub named: Option<(Route, String)>,
    /// Signed in as a viewer (of this organisation): screens show what there is and hide what
    /// would change it, instead of letting an edit be made and refused.
    pub view_only: Option<String>,
    /// Signed in as someone who sees the team: the Team screen is in the navigation.
    pub team_view: bool,
    /// The contact just deleted, while its undo is offered: (id, name).
    pub undo: Option<(RecordRef, String)>,
    /// Records holding fields changed on two devices (the sync pill says how many).
    pub conflicts: usize,
    /// Grows when a screen asks for the conflicts to be counted again.
    pub conflict_checks: u64,
    /// How the agent reads dates, numbers, money and areas. Part of the frame's state so that
    /// a change re-renders every screen (they read the frame's context) in the new format.
    pub locale: Locale,
    /// Locked to the open-house sign-in of this listing.
    pub kiosk: Option<ListingId>,
    /// Grows with every navigation the kiosk refused, so the frame puts the hash back.
    pub bounced: u64,
}

impl Reducible for Shell {
    type Action = ShellAction;

    fn reduce(self: Rc<Self>, action: ShellAction) -> Rc<Self> {
        match action {
            ShellAction::Navigate(route) if route == self.route && self.new_contact.is_none() => {
                self
            }
            ShellAction::KioskOn(listing) if self.kiosk == Some(listing) => self,
            ShellAction::CloseNewContact if self.new_contact.is_none() => self,
            ShellAction::Conflicts(n) if n == self.conflicts => self,
            ShellAction::ViewOnly(ref org) if *org == self.view_only => self,
            ShellAction::TeamView(team) if team == self.team_view => self,
            ShellAction::Locale(ref locale) if *locale == self.locale => self,
            ShellAction::Named(route, ref name)
                if self
                    .named
                    .as_ref()
                    .is_some_and(|(r, n)| *r == route && n == name) =>
            {
                self
            }
            action => {
                let mut next = (*self).clone();
                next.apply(action);
                Rc::new(next)
            }
        }
    }
}

impl Shell {
    pub fn at(route: Route) -> Self {
        Shell {
            route,
            ..Shell::default()
        }
    }

    fn apply(&mut self, action: ShellAction) {
        if let Some(listing) = self.kiosk {
            // A visitor holds the device: links, the back gesture, a typed hash and the
            // shortcuts all stay on the sign-in form. Only the PIN (KioskOff) ends it.
            match action {
                ShellAction::KioskOff(_) => {}
                ShellAction::Navigate(_)
                | ShellAction::Shortcut(_)
                | ShellAction::NewContact
                | ShellAction::Deleted(..) => {
                    self.route = Route::Kiosk(listing);
                    self.new_contact = None;
                    self.request = None;
                    self.bounced += 1;
                    return;
                }
                _ => {}
            }
        }
        match action {
            ShellAction::KioskOn(listing) => {
                self.kiosk = Some(listing);
                self.route = Route::Kiosk(listing);
                self.new_contact = None;
                self.request = None;
                self.undo = None;
            }
            ShellAction::KioskOff(listing) => {
                self.kiosk = None;
                self.route = Route::Listing(listing);
            }
            ShellAction::Navigate(route) => {
                self.route = route;
                self.new_contact = None;
                // A shortcut was meant for the screen it was pressed on.
                self.request = None;
            }
            ShellAction::SyncStatusChanged(status) => {
                self.remote_revision = self.remote_revision.max(status.remote_revision);
                self.sync = Some(status);
                self.sync_error = None;
            }
            ShellAction::SyncStatusUnavailable(message) => self.sync_error = Some(message),
            ShellAction::Shortcut(shortcut) => self.shortcut(shortcut),
            ShellAction::NewContact => self.open_new_contact(),
            ShellAction::CloseNewContact => self.new_contact = None,
            ShellAction::Named(route, name) => self.named = Some((route, name)),
            ShellAction::Deleted(record, name) => {
                // The record's screen has nothing left to show: back to its list.
                self.route = Route::after_deleting(record);
                self.undo = Some((record, name));
                self.request = None;
            }
            ShellAction::DismissUndo => self.undo = None,
            ShellAction::Conflicts(n) => self.conflicts = n,
            ShellAction::RecheckConflicts => self.conflict_checks += 1,
            ShellAction::ViewOnly(org) => self.view_only = org,
            ShellAction::TeamView(team) => self.team_view = team,
            ShellAction::Locale(locale) => self.locale = locale,
        }
    }

    fn shortcut(&mut self, shortcut: Shortcut) {
        let section = self.route.section();
        match shortcut {
            // Screens with a search box of their own; elsewhere `/` means "find a contact".
            Shortcut::FocusSearch => {
                if !self.route.has_search() {
                    self.route = Route::Contacts;
                }
                self.new_contact = None;
            }
            // A viewer makes nothing: `n` is not a shortcut for them.
            Shortcut::New if self.view_only.is_some() => return,
            // Sections that make their own kind of record (the calendar, the listings).
            Shortcut::New if matches!(section.info().new, NewRecord::Own(_)) => {}
            Shortcut::New => {
                self.open_new_contact();
                return;
            }
        }
        let seq = self.request.map_or(1, |request| request.seq + 1);
        self.request = Some(PageRequest { shortcut, seq });
    }

    fn open_new_contact(&mut self) {
        self.opened += 1;
        self.new_contact = Some(self.opened);
    }

    /// The top bar's title at the current route: the name the screen gave, else the section's.
    pub fn title_for(&self, route: Route, fallback: AttrValue) -> AttrValue {
        match &self.named {
            Some((named, name)) if *named == route => AttrValue::from(name.clone()),
            _ => fallback,
        }
    }

    pub fn sync_badge(&self) -> SyncBadge {
        SyncBadge::new(self.sync.as_ref(), self.sync_error.as_deref())
    }

    /// The request a page should act on: only those made while it was shown.
    pub fn request_for(&self, route: Route) -> Option<PageRequest> {
        (self.route == route).then_some(self.request).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_protocol::commands::SyncState;

    fn reduce_all(start: Shell, actions: impl IntoIterator<Item = ShellAction>) -> Rc<Shell> {
        actions
            .into_iter()
            .fold(Rc::new(start), |state, action| state.reduce(action))
    }

    fn status(state: SyncState, remote_revision: u64) -> SyncStatus {
        SyncStatus {
            state,
            pending: 0,
            last_synced_at: None,
            detail: String::new(),
            remote_revision,
            progress: None,
        }
    }

    #[test]
    fn a_kiosk_keeps_every_other_screen_out_of_reach_until_its_pin_ends_it() {
        let listing: fieldstone_model::ListingId =
            "00000000-0000-4000-8000-000000000009".parse().expect("id");
        let shell = reduce_all(
            Shell::at(Route::Listing(listing)),
            [ShellAction::KioskOn(listing)],
        );
        assert_eq!(shell.route, Route::Kiosk(listing));
        let tried = reduce_all(
            (*shell).clone(),
            [
                ShellAction::Navigate(Route::Contacts),
                ShellAction::NewContact,
                ShellAction::Shortcut(Shortcut::FocusSearch),
                ShellAction::Navigate(Route::Settings),
            ],
        );
        assert_eq!(tried.route, Route::Kiosk(listing));
        assert_eq!(tried.new_contact, None);
        assert_eq!(tried.request, None);
        assert_eq!(tried.bounced, 4, "the frame puts the hash back each time");
        let ended = reduce_all((*tried).clone(), [ShellAction::KioskOff(listing)]);
        assert_eq!(ended.route, Route::Listing(listing));
        assert_eq!(ended.kiosk, None);
        let free = reduce_all((*ended).clone(), [ShellAction::Navigate(Route::Contacts)]);
        assert_eq!(free.route, Route::Contacts);
    }

    #[test]
    fn the_top_bar_names_the_contact_only_on_that_contact_s_screen() {
        let id: fieldstone_model::ContactId =
            "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let shell = reduce_all(
            Shell::at(Route::Contact(id)),
            [ShellAction::Named(Route::Contact(id), "Ada King".into())],
        );
        assert_eq!(
            shell.title_for(Route::Contact(id), "Contact".into()),
            "Ada King"
        );
        let elsewhere = reduce_all((*shell).clone(), [ShellAction::Navigate(Route::Contacts)]);
        assert_eq!(
            elsewhere.title_for(Route::Contacts, "Contacts".into()),
            "Contacts"
        );
    }

    #[test]
    fn a_deleted_contact_is_left_for_the_list_with_its_undo_offered() {
        let id: fieldstone_model::ContactId =
            "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let shell = reduce_all(
            Shell::at(Route::Contact(id)),
            [ShellAction::Deleted(
                RecordRef::Contact(id),
                "Ada King".into(),
            )],
        );
        assert_eq!(shell.route, Route::Contacts);
        assert_eq!(
            shell.undo,
            Some((RecordRef::Contact(id), "Ada King".to_owned()))
        );
        // It survives moving around, until used or dismissed.
        let shell = reduce_all((*shell).clone(), [ShellAction::Navigate(Route::Today)]);
        assert!(shell.undo.is_some());
        let shell = reduce_all((*shell).clone(), [ShellAction::DismissUndo]);
        assert_eq!(shell.undo, None);
    }

    #[test]
    fn a_deleted_listing_is_left_for_the_listings() {
        let id: fieldstone_model::ListingId =
            "00000000-0000-4000-8000-000000000002".parse().expect("id");
        let shell = reduce_all(
            Shell::at(Route::Listing(id)),
            [ShellAction::Deleted(
                RecordRef::Listing(id),
                "12 Elm St".into(),
            )],
        );
        assert_eq!(shell.route, Route::Listings);
        assert_eq!(
            shell.undo,
            Some((RecordRef::Listing(id), "12 Elm St".to_owned()))
        );
    }

    #[test]
    fn a_viewer_has_no_new_shortcut() {
        let shell = reduce_all(
            Shell::at(Route::Contacts),
            [
                ShellAction::ViewOnly(Some("Acme".into())),
                ShellAction::Shortcut(Shortcut::New),
            ],
        );
        assert_eq!(shell.new_contact, None);
        assert_eq!(shell.view_only.as_deref(), Some("Acme"));
        let agent = reduce_all(
            (*shell).clone(),
            [
                ShellAction::ViewOnly(None),
                ShellAction::Shortcut(Shortcut::New),
            ],
        );
        assert!(agent.new_contact.is_some());
    }

    #[test]
    fn keys_typed_into_fields_or_with_modifiers_are_not_shortcuts() {
        assert_eq!(
            Shortcut::for_key("/", false, false),
            Some(Shortcut::FocusSearch)
        );
        assert_eq!(Shortcut::for_key("n", false, false), Some(Shortcut::New));
        assert_eq!(Shortcut::for_key("n", false, true), None, "typing a name");
        assert_eq!(Shortcut::for_key("n", true, false), None, "Ctrl+N");
        assert_eq!(Shortcut::for_key("x", false, false), None);
    }

    #[test]
    fn slash_goes_to_a_search_box() {
        let on_contacts = reduce_all(
            Shell::at(Route::Contacts),
            [ShellAction::Shortcut(Shortcut::FocusSearch)],
        );
        assert_eq!(on_contacts.route, Route::Contacts);
        let request = on_contacts.request_for(Route::Contacts).expect("request");
        assert_eq!(request.shortcut, Shortcut::FocusSearch);

        let from_today = reduce_all(
            Shell::at(Route::Today),
            [ShellAction::Shortcut(Shortcut::FocusSearch)],
        );
        assert_eq!(from_today.route, Route::Contacts, "search contacts");
        assert!(from_today.request_for(Route::Contacts).is_some());
        assert!(from_today.request_for(Route::Today).is_none());

        let listings = reduce_all(
            Shell::at(Route::Listings),
            [ShellAction::Shortcut(Shortcut::FocusSearch)],
        );
        assert_eq!(listings.route, Route::Listings, "listings have a search");
    }

    #[test]
    fn n_opens_a_new_contact_except_where_the_screen_makes_its_own_records() {
        let today = reduce_all(
            Shell::at(Route::Today),
            [ShellAction::Shortcut(Shortcut::New)],
        );
        assert_eq!(today.new_contact, Some(1));
        assert_eq!(
            today.route,
            Route::Today,
            "the dialog opens over the screen"
        );

        let calendar = reduce_all(
            Shell::at(Route::Calendar),
            [ShellAction::Shortcut(Shortcut::New)],
        );
        assert_eq!(calendar.new_contact, None);
        assert_eq!(
            calendar.request_for(Route::Calendar).map(|r| r.shortcut),
            Some(Shortcut::New)
        );
    }

    #[test]
    fn the_same_shortcut_twice_is_two_requests_and_navigation_closes_the_dialog() {
        let state = reduce_all(
            Shell::at(Route::Contacts),
            [
                ShellAction::Shortcut(Shortcut::FocusSearch),
                ShellAction::Shortcut(Shortcut::FocusSearch),
            ],
        );
        assert_eq!(state.request.map(|r| r.seq), Some(2));
        let state = reduce_all(
            (*state).clone(),
            [
                ShellAction::NewContact,
                ShellAction::CloseNewContact,
                ShellAction::NewContact,
            ],
        );
        assert_eq!(state.new_contact, Some(2), "a fresh form each time");
        let state = state.reduce(ShellAction::Navigate(Route::Pipeline));
        assert_eq!(state.new_contact, None);
        assert_eq!(state.route, Route::Pipeline);
    }

    #[test]
    fn navigating_to_the_same_screen_changes_nothing() {
        let state = Rc::new(Shell::at(Route::Calendar));
        let same = Rc::clone(&state).reduce(ShellAction::Navigate(Route::Calendar));
        assert!(Rc::ptr_eq(&state, &same));
    }

    #[test]
    fn a_new_locale_is_a_new_state_and_the_same_one_is_not() {
        let state = Rc::new(Shell::at(Route::Today));
        let same = Rc::clone(&state).reduce(ShellAction::Locale(Locale::default()));
        assert!(Rc::ptr_eq(&state, &same), "nothing re-renders");
        let euro = Locale {
            currency: "EUR".into(),
            ..Locale::default()
        };
        let changed = state.reduce(ShellAction::Locale(euro.clone()));
        assert_eq!(changed.locale, euro);
    }

    #[test]
    fn remote_revision_only_grows() {
        let state = reduce_all(
            Shell::default(),
            [
                ShellAction::SyncStatusChanged(status(SyncState::UpToDate, 4)),
                ShellAction::SyncStatusChanged(status(SyncState::Offline, 2)),
            ],
        );
        assert_eq!(state.remote_revision, 4);
        assert_eq!(state.sync_badge().state, "offline");
        let state = state.reduce(ShellAction::SyncStatusUnavailable("gone".into()));
        assert_eq!(state.sync_error.as_deref(), Some("gone"));
    }
}
