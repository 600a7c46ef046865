//! Line icons drawn inline (24×24, stroked with the text colour), so they need no image files
//! and follow the theme. Always decorative: the text next to them says what they mean.
//!
//! A drawing is data (a list of [`Shape`]s), so a navigation section carries its own icon
//! (`Section::icon` in `route`) and a new section needs no new variant here; [`Icon`] holds the
//! drawings the screens use besides.

use yew::prelude::*;

/// One element of an icon's drawing: the attributes of an SVG `<path>`, `<circle>` or `<rect>`
/// as written in the markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A `<path>`'s `d`.
    Path(&'static str),
    Circle {
        cx: &'static str,
        cy: &'static str,
        r: &'static str,
    },
    Rect {
        x: &'static str,
        y: &'static str,
        width: &'static str,
        height: &'static str,
        rx: &'static str,
    },
}

impl Shape {
    fn html(self) -> Html {
        match self {
            Shape::Path(d) => html! { <path {d} /> },
            Shape::Circle { cx, cy, r } => html! { <circle {cx} {cy} {r} /> },
            Shape::Rect {
                x,
                y,
                width,
                height,
                rx,
            } => html! { <rect {x} {y} {width} {height} {rx} /> },
        }
    }
}

/// A circle: `cx, cy, r` (a shorthand, so a drawing reads as one line per shape).
pub const fn circle(cx: &'static str, cy: &'static str, r: &'static str) -> Shape {
    Shape::Circle { cx, cy, r }
}

/// A rounded rectangle: `x, y, width, height, rx`.
pub const fn rect(
    x: &'static str,
    y: &'static str,
    width: &'static str,
    height: &'static str,
    rx: &'static str,
) -> Shape {
    Shape::Rect {
        x,
        y,
        width,
        height,
        rx,
    }
}

use Shape::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Contacts,
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
    /// What the icon draws, in document order.
    pub const fn drawing(self) -> &'static [Shape] {
        // `const { .. }` around drawings that use the shorthands: a slice of function calls is
        // a temporary unless it is evaluated as a constant.
        match self {
            Icon::Contacts => const { &[
                circle("9", "8", "3.5"),
                Path("M2.5 20c0-3.6 2.9-6.5 6.5-6.5s6.5 2.9 6.5 6.5"),
                Path("M15.5 4.7a3.5 3.5 0 0 1 0 6.6M21.5 20c0-3-1.8-5.4-4.3-6.2"),
            ] },
            Icon::Calendar => const { &[
                rect("3", "5", "18", "16", "2"),
                Path("M3 10h18M8 3v4M16 3v4"),
            ] },
            Icon::Listings => &[
                Path("M3 11l9-7 9 7"),
                Path("M5 9.5V20h14V9.5"),
                Path("M10 20v-5.5h4V20"),
            ],
            Icon::Settings => const { &[
                Path("M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1"),
                circle("15", "6", "2"),
                circle("9", "12", "2"),
                circle("17", "18", "2"),
            ] },
            Icon::Search => const { &[circle("11", "11", "6.5"), Path("M16 16l4.5 4.5")] },
            Icon::Plus => &[Path("M12 5v14M5 12h14")],
            Icon::Back | Icon::ChevronLeft => &[Path("M15 18l-6-6 6-6")],
            Icon::ChevronRight => &[Path("M9 6l6 6-6 6")],
            Icon::Close => &[Path("M6 6l12 12M18 6L6 18")],
            Icon::Check => &[Path("M5 12.5l4.5 4.5L19 7.5")],
            Icon::Warning => &[Path("M12 3.5L2.5 20h19z"), Path("M12 10v4.5M12 17.2v.3")],
            Icon::Note => &[
                Path("M5 3.5h10l4 4V20.5H5z"),
                Path("M14.5 3.5v4.5h4.5M8.5 12h7M8.5 16h5"),
            ],
            Icon::Phone => &[Path(
                "M6.5 3.5h3l1.5 4.5-2 1.5a11 11 0 0 0 5.5 5.5l1.5-2 4.5 1.5v3a2 2 0 0 1-2 2A15.5 15.5 0 0 1 4.5 5.5a2 2 0 0 1 2-2z",
            )],
            Icon::Task => const { &[
                rect("4", "4", "16", "16", "3"),
                Path("M8.5 12.5l2.5 2.5 4.5-5"),
            ] },
            Icon::Tag => const { &[Path("M3.5 12.5V4h8.5l8.5 8.5-8.5 8.5z"), circle("8", "8.5", "1.3")] },
            Icon::Upload => &[Path("M12 16V4M7 9l5-5 5 5M4 20h16")],
            Icon::Download => &[Path("M12 4v12M7 11l5 5 5-5M4 20h16")],
            Icon::Grip => &[Path(
                "M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01",
            )],
            Icon::Clock => const { &[circle("12", "12", "8.5"), Path("M12 7.5V12l3 2")] },
            Icon::Flame => &[Path(
                "M12 21c-3.9 0-6.5-2.6-6.5-6.2 0-3.3 2.4-5.2 3.6-7.8.5 1.7 1.4 2.8 2.4 3.4.3-2.7 1.6-5 3.5-6.9-.2 3.4 3.5 5.6 3.5 10.5 0 4-2.6 7-6.5 7z",
            )],
            Icon::Message => &[Path("M4 5.5h16v10H10l-4.5 3.5v-3.5H4z")],
            Icon::Chat => &[
                Path("M12 3.5a8.5 8.5 0 0 0-7.4 12.7L3.5 20.5l4.4-1.1A8.5 8.5 0 1 0 12 3.5z"),
                Path("M9 9.5c.3 2.3 2.2 4.2 4.5 4.5"),
            ],
            Icon::Mail => const { &[
                rect("3", "5.5", "18", "13", "2"),
                Path("M3.5 7l8.5 6.5L20.5 7"),
            ] },
            Icon::Directions => &[
                Path("M12 2.5l9.5 9.5-9.5 9.5L2.5 12z"),
                Path("M9 14v-2.5h5.5M12.5 9l2 2.5-2 2.5"),
            ],
            Icon::Pin => const { &[
                Path("M12 21s-6.5-6.2-6.5-11a6.5 6.5 0 0 1 13 0c0 4.8-6.5 11-6.5 11z"),
                circle("12", "10", "2.3"),
            ] },
        }
    }
}

/// `<svg class="icon">` for `icon`.
pub fn icon(icon: Icon) -> Html {
    draw(icon.drawing())
}

/// `<svg class="icon">` drawing `shapes` (a section's own icon, or an [`Icon`]'s).
pub fn draw(shapes: &[Shape]) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            for shape in shapes {
                { shape.html() }
            }
        </svg>
    }
}
