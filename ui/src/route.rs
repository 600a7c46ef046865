//! Where the user is: one [`Route`] per screen, kept in the page's `#hash` so the webview's
//! back gesture (and a reload) return to the same screen. Parsing is pure and tested here.
//!
//! The navigation is data too: a [`Section`]'s [`SectionInfo`] says its label, link, icon, what
//! `n` makes there and whether its screen has a search, and the frame (nav, shortcuts) reads
//! only that. A new record kind adds its routes and hash here, and a section if it has one.

use crate::components::icons::{circle, rect, Icon, Shape};
use fieldstone_model::{ContactId, ListingId, RecordRef};

/// A screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Today,
    Contacts,
    Contact(ContactId),
    Pipeline,
    Calendar,
    Listings,
    Listing(ListingId),
    /// The open-house sign-in (kiosk mode) of a listing: the whole window, locked to it.
    Kiosk(ListingId),
    /// The broker's view of the team (brokers and admins).
    Team,
    /// Campaigns: the list, the wizard and each one's report.
    Campaigns,
    Settings,
}

/// A top-level section: one entry of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Today,
    Contacts,
    Pipeline,
    Calendar,
    Listings,
    Campaigns,
    Team,
    Settings,
}

/// What `n` makes on a section's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewRecord {
    /// A contact, in the dialog the frame opens over any screen.
    Contact,
    /// The section's own kind: the frame hands `n` to the page, which opens its editor. The text
    /// is the navigation's hint ("New listing").
    Own(&'static str),
}

impl NewRecord {
    /// The navigation's hint next to the `n` key.
    pub const fn hint(self) -> &'static str {
        match self {
            NewRecord::Contact => "New contact",
            NewRecord::Own(hint) => hint,
        }
    }
}

/// Everything the frame knows about a section, in one place, so a new section is one entry of
/// [`Section::info`] (and its routes) rather than a match in every component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionInfo {
    pub label: &'static str,
    /// Stable name for element ids, CSS and the hash (`nav-contacts`, `#/contacts`).
    pub key: &'static str,
    /// The section's first screen, where its navigation link goes.
    pub route: Route,
    /// The navigation's icon for it.
    pub icon: &'static [Shape],
    pub new: NewRecord,
    /// Its first screen has a search box of its own that `/` focuses; elsewhere `/` means
    /// "find a contact".
    pub search: bool,
}

/// The sun of Today, drawn only in the navigation.
const TODAY_ICON: &[Shape] = &[
    circle("12", "12", "4"),
    Shape::Path("M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4"),
];

/// The pipeline's three columns, drawn only in the navigation.
const PIPELINE_ICON: &[Shape] = &[
    rect("3", "4", "5", "16", "1.5"),
    rect("9.5", "4", "5", "11", "1.5"),
    rect("16", "4", "5", "7", "1.5"),
];

/// A paper plane, drawn only in the navigation.
const CAMPAIGNS_ICON: &[Shape] = &[Shape::Path("M21 3 3 10.5l7 2.5 2.5 7L21 3zM10 13l5-5")];

/// Two people, drawn only in the navigation.
const TEAM_ICON: &[Shape] = &[
    circle("9", "8", "3.5"),
    Shape::Path("M2.5 20c0-3.6 2.9-6.5 6.5-6.5s6.5 2.9 6.5 6.5"),
    circle("17", "9", "2.5"),
    Shape::Path("M16 13.6c.3-.1.7-.1 1-.1 2.5 0 4.5 2 4.5 4.5"),
];

impl Section {
    /// In navigation order (Team shows only for those who see the team).
    pub const ALL: [Section; 8] = [
        Section::Today,
        Section::Contacts,
        Section::Pipeline,
        Section::Calendar,
        Section::Listings,
        Section::Campaigns,
        Section::Team,
        Section::Settings,
    ];

    pub const fn info(self) -> SectionInfo {
        match self {
            Section::Today => SectionInfo {
                label: "Today",
                key: "today",
                route: Route::Today,
                icon: TODAY_ICON,
                new: NewRecord::Contact,
                search: false,
            },
            Section::Contacts => SectionInfo {
                label: "Contacts",
                key: "contacts",
                route: Route::Contacts,
                icon: Icon::Contacts.drawing(),
                new: NewRecord::Contact,
                search: true,
            },
            Section::Pipeline => SectionInfo {
                label: "Pipeline",
                key: "pipeline",
                route: Route::Pipeline,
                icon: PIPELINE_ICON,
                new: NewRecord::Contact,
                search: false,
            },
            Section::Calendar => SectionInfo {
                label: "Calendar",
                key: "calendar",
                route: Route::Calendar,
                icon: Icon::Calendar.drawing(),
                new: NewRecord::Own("New booking"),
                search: false,
            },
            Section::Listings => SectionInfo {
                label: "Listings",
                key: "listings",
                route: Route::Listings,
                icon: Icon::Listings.drawing(),
                new: NewRecord::Own("New listing"),
                search: true,
            },
            Section::Campaigns => SectionInfo {
                label: "Campaigns",
                key: "campaigns",
                route: Route::Campaigns,
                icon: CAMPAIGNS_ICON,
                new: NewRecord::Contact,
                search: false,
            },
            Section::Team => SectionInfo {
                label: "Team",
                key: "team",
                route: Route::Team,
                icon: TEAM_ICON,
                new: NewRecord::Contact,
                search: false,
            },
            Section::Settings => SectionInfo {
                label: "Settings",
                key: "settings",
                route: Route::Settings,
                icon: Icon::Settings.drawing(),
                new: NewRecord::Contact,
                search: false,
            },
        }
    }

    pub const fn label(self) -> &'static str {
        self.info().label
    }

    /// Stable name for element ids and CSS (`nav-contacts`, `icon--contacts`).
    pub const fn key(self) -> &'static str {
        self.info().key
    }

    pub const fn route(self) -> Route {
        self.info().route
    }
}

impl Route {
    /// The navigation entry this screen belongs to.
    pub const fn section(self) -> Section {
        match self {
            Route::Today => Section::Today,
            Route::Contacts | Route::Contact(_) => Section::Contacts,
            Route::Pipeline => Section::Pipeline,
            Route::Calendar => Section::Calendar,
            Route::Listings | Route::Listing(_) | Route::Kiosk(_) => Section::Listings,
            Route::Team => Section::Team,
            Route::Campaigns => Section::Campaigns,
            Route::Settings => Section::Settings,
        }
    }

    /// Where the frame goes once `record` is deleted from its screen (nothing is left to show).
    pub const fn after_deleting(record: RecordRef) -> Route {
        match record {
            RecordRef::Listing(_) => Route::Listings,
            // A booking has no screen of its own: the contacts are the nearest list.
            RecordRef::Contact(_) | RecordRef::Booking(_) => Route::Contacts,
        }
    }

    /// This screen has a search box of its own for `/` to focus: the first screen of a section
    /// with a search. Elsewhere (a detail screen too) `/` goes to the contacts' search.
    pub fn has_search(self) -> bool {
        let section = self.section();
        section.info().search && self == section.route()
    }

    /// `#/contacts/<id>` and friends.
    pub fn to_hash(self) -> String {
        match self {
            Route::Contact(id) => format!("#/contacts/{id}"),
            Route::Listing(id) => format!("#/listings/{id}"),
            Route::Kiosk(id) => format!("#/listings/{id}/sign-in"),
            other => format!("#/{}", other.section().key()),
        }
    }

    /// The route a `location.hash` names; anything unknown (or empty) is Today.
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_matches('/');
        let mut parts = path.split('/');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        match (first, second, parts.next()) {
            ("listings", Some(id), Some("sign-in")) if parts.next().is_none() => {
                return id.parse().map_or(Route::Listings, Route::Kiosk);
            }
            (_, _, None) => {}
            _ => return Route::Today,
        }
        match (first, second) {
            ("contacts", None) => Route::Contacts,
            ("contacts", Some(id)) => id.parse().map_or(Route::Contacts, Route::Contact),
            ("pipeline", None) => Route::Pipeline,
            ("calendar", None) => Route::Calendar,
            ("listings", None) => Route::Listings,
            ("listings", Some(id)) => id.parse().map_or(Route::Listings, Route::Listing),
            ("team", None) => Route::Team,
            ("campaigns", None) => Route::Campaigns,
            ("settings", None) => Route::Settings,
            _ => Route::Today,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> ContactId {
        "00000000-0000-4000-8000-000000000007"
            .parse()
            .expect("valid id")
    }

    #[test]
    fn every_route_survives_the_hash() {
        let listing: ListingId = "00000000-0000-4000-8000-000000000009"
            .parse()
            .expect("valid id");
        for route in [
            Route::Today,
            Route::Contacts,
            Route::Contact(contact()),
            Route::Pipeline,
            Route::Calendar,
            Route::Listings,
            Route::Listing(listing),
            Route::Kiosk(listing),
            Route::Team,
            Route::Campaigns,
            Route::Settings,
        ] {
            assert_eq!(Route::from_hash(&route.to_hash()), route, "{route:?}");
        }
    }

    #[test]
    fn hashes_read_by_people() {
        assert_eq!(
            Route::Contact(contact()).to_hash(),
            "#/contacts/00000000-0000-4000-8000-000000000007"
        );
        assert_eq!(Route::Pipeline.to_hash(), "#/pipeline");
    }

    #[test]
    fn unknown_or_broken_hashes_fall_back() {
        assert_eq!(Route::from_hash(""), Route::Today);
        assert_eq!(Route::from_hash("#"), Route::Today);
        assert_eq!(Route::from_hash("#/nowhere"), Route::Today);
        assert_eq!(Route::from_hash("#/contacts/not-an-id"), Route::Contacts);
        assert_eq!(Route::from_hash("#/contacts/a/b"), Route::Today);
        assert_eq!(Route::from_hash("#/calendar/"), Route::Calendar);
    }

    #[test]
    fn sections_are_told_apart_by_their_data() {
        let keys: std::collections::BTreeSet<_> = Section::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(
            keys.len(),
            Section::ALL.len(),
            "one id and hash per section"
        );
        for section in Section::ALL {
            assert_eq!(section.route().section(), section, "{section:?}");
            assert!(!section.info().icon.is_empty(), "{section:?} draws nothing");
        }
        assert_eq!(Section::Listings.info().new.hint(), "New listing");
        assert_eq!(Section::Pipeline.info().new, NewRecord::Contact);
        let listing: ListingId = "00000000-0000-4000-8000-000000000009"
            .parse()
            .expect("valid id");
        assert!(Route::Listings.has_search());
        assert!(
            !Route::Listing(listing).has_search(),
            "a detail screen has none"
        );
        assert!(!Route::Calendar.has_search());
        assert_eq!(
            Route::after_deleting(RecordRef::Listing(listing)),
            Route::Listings
        );
        assert_eq!(
            Route::after_deleting(RecordRef::Contact(contact())),
            Route::Contacts
        );
    }

    #[test]
    fn detail_screens_belong_to_their_list() {
        assert_eq!(Route::Contact(contact()).section(), Section::Contacts);
        assert_eq!(Section::Contacts.route(), Route::Contacts);
    }
}
