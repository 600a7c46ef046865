//! Line icons drawn inline (24×24, stroked with the text colour), so they need no image files
//! and follow the theme. Always decorative: the text next to them says what they mean.

use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Today,
    Contacts,
    Pipeline,
    Calendar,
    Listings,
    Settings,
    Search,
    Plus,
    Back,
    Close,
    Check,
    Warning,
    Note,
    Phone,
    Task,
    Tag,
    Upload,
    Download,
    Grip,
    Clock,
    Flame,
    Pin,
    ChevronLeft,
    ChevronRight,
    Message,
    Chat,
    Mail,
    Directions,
}

impl Icon {
    fn paths(self) -> Html {
        match self {
            Icon::Today => html! {<>
                <circle cx="12" cy="12" r="4" />
                <path d="M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4" />
            </>},
            Icon::Contacts => html! {<>
                <circle cx="9" cy="8" r="3.5" />
                <path d="M2.5 20c0-3.6 2.9-6.5 6.5-6.5s6.5 2.9 6.5 6.5" />
                <path d="M15.5 4.7a3.5 3.5 0 0 1 0 6.6M21.5 20c0-3-1.8-5.4-4.3-6.2" />
            </>},
            Icon::Pipeline => html! {<>
                <rect x="3" y="4" width="5" height="16" rx="1.5" />
                <rect x="9.5" y="4" width="5" height="11" rx="1.5" />
                <rect x="16" y="4" width="5" height="7" rx="1.5" />
            </>},
            Icon::Calendar => html! {<>
                <rect x="3" y="5" width="18" height="16" rx="2" />
                <path d="M3 10h18M8 3v4M16 3v4" />
            </>},
            Icon::Listings => html! {<>
                <path d="M3 11l9-7 9 7" />
                <path d="M5 9.5V20h14V9.5" />
                <path d="M10 20v-5.5h4V20" />
            </>},
            Icon::Settings => html! {<>
                <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
                <circle cx="15" cy="6" r="2" />
                <circle cx="9" cy="12" r="2" />
                <circle cx="17" cy="18" r="2" />
            </>},
            Icon::Search => html! {<>
                <circle cx="11" cy="11" r="6.5" />
                <path d="M16 16l4.5 4.5" />
            </>},
            Icon::Plus => html! { <path d="M12 5v14M5 12h14" /> },
            Icon::Back | Icon::ChevronLeft => html! { <path d="M15 18l-6-6 6-6" /> },
            Icon::ChevronRight => html! { <path d="M9 6l6 6-6 6" /> },
            Icon::Close => html! { <path d="M6 6l12 12M18 6L6 18" /> },
            Icon::Check => html! { <path d="M5 12.5l4.5 4.5L19 7.5" /> },
            Icon::Warning => html! {<>
                <path d="M12 3.5L2.5 20h19z" />
                <path d="M12 10v4.5M12 17.2v.3" />
            </>},
            Icon::Note => html! {<>
                <path d="M5 3.5h10l4 4V20.5H5z" />
                <path d="M14.5 3.5v4.5h4.5M8.5 12h7M8.5 16h5" />
            </>},
            Icon::Phone => html! {
                <path d="M6.5 3.5h3l1.5 4.5-2 1.5a11 11 0 0 0 5.5 5.5l1.5-2 4.5 1.5v3a2 2 0 0 1-2 2A15.5 15.5 0 0 1 4.5 5.5a2 2 0 0 1 2-2z" />
            },
            Icon::Task => html! {<>
                <rect x="4" y="4" width="16" height="16" rx="3" />
                <path d="M8.5 12.5l2.5 2.5 4.5-5" />
            </>},
            Icon::Tag => html! {<>
                <path d="M3.5 12.5V4h8.5l8.5 8.5-8.5 8.5z" />
                <circle cx="8" cy="8.5" r="1.3" />
            </>},
            Icon::Upload => html! { <path d="M12 16V4M7 9l5-5 5 5M4 20h16" /> },
            Icon::Download => html! { <path d="M12 4v12M7 11l5 5 5-5M4 20h16" /> },
            Icon::Grip => html! {
                <path d="M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01" />
            },
            Icon::Clock => html! {<>
                <circle cx="12" cy="12" r="8.5" />
                <path d="M12 7.5V12l3 2" />
            </>},
            Icon::Flame => html! {
                <path d="M12 21c-3.9 0-6.5-2.6-6.5-6.2 0-3.3 2.4-5.2 3.6-7.8.5 1.7 1.4 2.8 2.4 3.4.3-2.7 1.6-5 3.5-6.9-.2 3.4 3.5 5.6 3.5 10.5 0 4-2.6 7-6.5 7z" />
            },
            Icon::Message => html! {
                <path d="M4 5.5h16v10H10l-4.5 3.5v-3.5H4z" />
            },
            Icon::Chat => html! {<>
                <path d="M12 3.5a8.5 8.5 0 0 0-7.4 12.7L3.5 20.5l4.4-1.1A8.5 8.5 0 1 0 12 3.5z" />
                <path d="M9 9.5c.3 2.3 2.2 4.2 4.5 4.5" />
            </>},
            Icon::Mail => html! {<>
                <rect x="3" y="5.5" width="18" height="13" rx="2" />
                <path d="M3.5 7l8.5 6.5L20.5 7" />
            </>},
            Icon::Directions => html! {<>
                <path d="M12 2.5l9.5 9.5-9.5 9.5L2.5 12z" />
                <path d="M9 14v-2.5h5.5M12.5 9l2 2.5-2 2.5" />
            </>},
            Icon::Pin => html! {<>
                <path d="M12 21s-6.5-6.2-6.5-11a6.5 6.5 0 0 1 13 0c0 4.8-6.5 11-6.5 11z" />
                <circle cx="12" cy="10" r="2.3" />
            </>},
        }
    }
}

/// `<svg class="icon">` for `icon`.
pub fn icon(icon: Icon) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            { icon.paths() }
        </svg>
    }
}
