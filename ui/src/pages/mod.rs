//! One component per screen. Each owns a pure reducer from `state` and runs the shell commands
//! it asks for; the frame picks the screen from the route.

pub mod calendar;
mod contact_detail;
mod contacts;
mod duplicates;
mod import;
mod listing;
mod listing_editor;
mod listings;
mod new_contact;
mod pipeline;
mod settings;
mod share;
mod today;
mod transfer;

use crate::route::Route;
use calendar::CalendarPage;
use contact_detail::ContactDetailPage;
use contacts::ContactsPage;
use listing::ListingPage;
use listings::ListingsPage;
pub use new_contact::NewContactDialog;
use pipeline::PipelinePage;
use settings::SettingsPage;
use today::TodayPage;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct PageProps {
    pub route: Route,
}

#[component]
pub fn Page(props: &PageProps) -> Html {
    match props.route {
        Route::Today => html! { <TodayPage /> },
        Route::Contacts => html! { <ContactsPage /> },
        Route::Contact(id) => html! { <ContactDetailPage key={id.to_string()} {id} /> },
        Route::Pipeline => html! { <PipelinePage /> },
        Route::Calendar => html! { <CalendarPage /> },
        Route::Listings => html! { <ListingsPage /> },
        Route::Listing(id) => html! { <ListingPage key={id.to_string()} {id} /> },
        Route::Settings => html! { <SettingsPage /> },
    }
}

/// The top bar's title for a screen, and where "back" goes from a detail screen.
pub fn title(route: Route) -> (AttrValue, Option<(Route, AttrValue)>) {
    match route {
        Route::Contact(_) => ("Contact".into(), Some((Route::Contacts, "Contacts".into()))),
        Route::Listing(_) => ("Listing".into(), Some((Route::Listings, "Listings".into()))),
        route => (route.section().label().into(), None),
    }
}
