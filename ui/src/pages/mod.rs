//! One component per screen. Each owns a pure reducer from `state` and runs the shell commands
//! it asks for; the frame picks the screen from the route.
//!
//! **A new record kind's screens** (a list, a record's screen, an editor) are two new files and
//! two edits; the reducers are the generic ones, so the kind writes only what is its own:
//!
//! - `pages/<kind>.rs`: its pages. The list's state is a
//!   [`state::paged::Paged`](crate::state::paged::Paged) over the kind's summary row and a
//!   filter implementing `PagedFilter` (what narrows the list, the query for a page); the
//!   record's screen keeps a [`state::record_detail::RecordDetail`](crate::state::record_detail)
//!   (load, missing, reload, editor, saved) and shows it through
//!   [`components::states::page_frame`](crate::components::states::page_frame); the editor is a
//!   [`state::record_form::Form`](crate::state::record_form::Form). Commands run through
//!   `hooks::use_command` and `hooks::use_submit` (`hooks/command.rs`), whose answers become
//!   the reducers' actions (`PagedAction::answer`, `DetailAction::answer`), failures included.
//! - `pages/<kind>/form.rs` (`mod form;` in the page file): the draft, its typed field enum and
//!   its `FormRecord` impl (the form table: which fields, in which order, how the draft becomes
//!   the engine's input).
//! - Here: the `mod` line, the route's arm in [`Page`] and its [`title`].
//! - `route.rs`: the `Route` variants and their hash, and (for a new navigation entry) the
//!   `Section` with its `SectionInfo`: label, key, icon drawing, what `n` makes, whether `/`
//!   searches there. The navigation, the shortcuts and the frame read only that data.
//!
//! The listings (`listings.rs`, `listing.rs`, `listing_editor.rs`) run on these pieces; their
//! draft and form table predate the recipe and live in `state/listing_*.rs`.

pub mod calendar;
mod campaigns;
mod contact_detail;
mod contacts;
mod duplicates;
mod import;
mod kiosk;
mod listing;
mod listing_editor;
mod listings;
mod new_contact;
mod pipeline;
mod settings;
mod share;
mod team;
mod today;
mod transfer;

use crate::route::Route;
use calendar::CalendarPage;
use campaigns::CampaignsPage;
use contact_detail::ContactDetailPage;
use contacts::ContactsPage;
pub use kiosk::KioskPage;
use listing::ListingPage;
use listings::ListingsPage;
pub use new_contact::NewContactDialog;
use pipeline::PipelinePage;
use settings::SettingsPage;
use team::TeamPage;
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
        Route::Kiosk(_) => html! { <KioskPage /> },
        Route::Team => html! { <TeamPage /> },
        Route::Campaigns => html! { <CampaignsPage /> },
        Route::Settings => html! { <SettingsPage /> },
    }
}

/// The top bar's title for a screen, and where "back" goes from a detail screen.
pub fn title(route: Route) -> (AttrValue, Option<(Route, AttrValue)>) {
    match route {
        Route::Contact(_) => ("Contact".into(), Some((Route::Contacts, "Contacts".into()))),
        Route::Listing(_) => ("Listing".into(), Some((Route::Listings, "Listings".into()))),
        Route::Kiosk(_) => ("Visitor sign-in".into(), None),
        route => (route.section().label().into(), None),
    }
}
