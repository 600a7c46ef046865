//! Where the user is: one [`Route`] per screen, kept in the page's `#hash` so the webview's
//! back gesture (and a reload) return to the same screen. Parsing is pure and tested here.

use fieldstone_model::{ContactId, ListingId};

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
    Settings,
}

impl Section {
    /// In navigation order.
    pub const ALL: [Section; 6] = [
        Section::Today,
        Section::Contacts,
        Section::Pipeline,
        Section::Calendar,
        Section::Listings,
        Section::Settings,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            Section::Today => "Today",
            Section::Contacts => "Contacts",
            Section::Pipeline => "Pipeline",
            Section::Calendar => "Calendar",
            Section::Listings => "Listings",
            Section::Settings => "Settings",
        }
    }

    /// Stable name for element ids and CSS (`nav-contacts`, `icon--contacts`).
    pub const fn key(self) -> &'static str {
        match self {
            Section::Today => "today",
            Section::Contacts => "contacts",
            Section::Pipeline => "pipeline",
            Section::Calendar => "calendar",
            Section::Listings => "listings",
            Section::Settings => "settings",
        }
    }

    pub const fn route(self) -> Route {
        match self {
            Section::Today => Route::Today,
            Section::Contacts => Route::Contacts,
            Section::Pipeline => Route::Pipeline,
            Section::Calendar => Route::Calendar,
            Section::Listings => Route::Listings,
            Section::Settings => Route::Settings,
        }
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
            Route::Listings | Route::Listing(_) => Section::Listings,
            Route::Settings => Section::Settings,
        }
    }

    /// `#/contacts/<id>` and friends.
    pub fn to_hash(self) -> String {
        match self {
            Route::Contact(id) => format!("#/contacts/{id}"),
            Route::Listing(id) => format!("#/listings/{id}"),
            other => format!("#/{}", other.section().key()),
        }
    }

    /// The route a `location.hash` names; anything unknown (or empty) is Today.
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_matches('/');
        let mut parts = path.split('/');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        if parts.next().is_some() {
            return Route::Today;
        }
        match (first, second) {
            ("contacts", None) => Route::Contacts,
            ("contacts", Some(id)) => id.parse().map_or(Route::Contacts, Route::Contact),
            ("pipeline", None) => Route::Pipeline,
            ("calendar", None) => Route::Calendar,
            ("listings", None) => Route::Listings,
            ("listings", Some(id)) => id.parse().map_or(Route::Listings, Route::Listing),
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
    fn detail_screens_belong_to_their_list() {
        assert_eq!(Route::Contact(contact()).section(), Section::Contacts);
        assert_eq!(Section::Contacts.route(), Route::Contacts);
    }
}
