//! Tour analytics (issue 17): what visitors do on a public listing page, counted per listing —
//! views per day, the time they spent, and which parts they opened (a photo, the 3D tour, the
//! 360° view, the floor plan, the question form). Counts only: no visitor is identified, no
//! address or cookie kept.

use serde::Serialize;

/// One thing the page's beacon reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TourEvent {
    View,
    /// A visit's time on the page, in seconds (reported once, when the visitor leaves).
    Time(u32),
    /// A part of the page opened (`photo-3`, `tour`, `pano`, `floorplan-1`, `ask`, `map`).
    Hotspot(String),
}

/// A listing's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TourStats {
    pub views: u64,
    /// Visits that reported their time, and the seconds they spent in all.
    pub timed_visits: u64,
    pub seconds: u64,
    /// Parts opened, most opened first.
    pub hotspots: Vec<HotspotCount>,
    /// Views per day (`YYYY-MM-DD`, UTC), oldest first, days with views only.
    pub days: Vec<DayViews>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HotspotCount {
    pub hotspot: String,
    pub opened: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayViews {
    pub day: String,
    pub views: u64,
}

impl TourEvent {
    /// What a view or a timed visit adds to its day's row: (views, timed visits, seconds).
    /// `None` for a hotspot, which is counted apart.
    pub fn day_counts(&self) -> Option<(i64, i64, i64)> {
        match self {
            TourEvent::View => Some((1, 0, 0)),
            TourEvent::Time(s) => Some((0, 1, i64::from(*s))),
            TourEvent::Hotspot(_) => None,
        }
    }
}

impl TourStats {
    /// Adds one day's stored row (oldest day first); a day without views is not charted.
    pub fn add_day(&mut self, day: String, views: i64, timed_visits: i64, seconds: i64) {
        let views = u64::try_from(views).unwrap_or(0);
        self.views += views;
        self.timed_visits += u64::try_from(timed_visits).unwrap_or(0);
        self.seconds += u64::try_from(seconds).unwrap_or(0);
        if views > 0 {
            self.days.push(DayViews { day, views });
        }
    }
}

impl HotspotCount {
    pub fn from_row(hotspot: String, opened: i64) -> Self {
        Self {
            hotspot,
            opened: u64::try_from(opened).unwrap_or(0),
        }
    }
}
