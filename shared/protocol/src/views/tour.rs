//! A public listing page's figures as the listing screen shows them (the server counts them,
//! `GET /v2/listings/{id}/tour`): views, time spent and the parts visitors opened.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingTour {
    pub views: u64,
    /// Visits that reported their time, and the seconds they spent in all.
    pub timed_visits: u64,
    pub seconds: u64,
    /// Most opened first.
    pub hotspots: Vec<TourHotspot>,
    /// Views per day (`YYYY-MM-DD`), days with views only.
    pub days: Vec<TourDay>,
    /// The page's address while the listing is on show.
    #[serde(default)]
    pub page_url: Option<String>,
    /// The figures' first day (`YYYY-MM-DD`).
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TourHotspot {
    /// `photo-3`, `floorplan-1`, `tour`, `pano`, `ask`, `map`.
    pub hotspot: String,
    pub opened: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TourDay {
    pub day: String,
    pub views: u64,
}

impl ListingTour {
    /// Whole seconds a timed visit lasted on average.
    pub fn average_seconds(&self) -> Option<u64> {
        self.seconds.checked_div(self.timed_visits)
    }
}

/// A hotspot in words: "photo 3", "the 3D tour", "the question form".
pub fn hotspot_words(name: &str) -> String {
    if let Some(n) = name.strip_prefix("photo-") {
        return format!("photo {n}");
    }
    if let Some(n) = name.strip_prefix("floorplan-") {
        return format!("floor plan {n}");
    }
    match name {
        "tour" => "the 3D tour".into(),
        "pano" => "the 360° view".into(),
        "ask" => "the question form".into(),
        "map" => "the map".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_in_words() {
        let tour = ListingTour {
            timed_visits: 3,
            seconds: 100,
            ..ListingTour::default()
        };
        assert_eq!(tour.average_seconds(), Some(33));
        assert_eq!(ListingTour::default().average_seconds(), None);
        assert_eq!(hotspot_words("photo-3"), "photo 3");
        assert_eq!(hotspot_words("pano"), "the 360° view");
        assert_eq!(hotspot_words("floorplan-1"), "floor plan 1");
    }
}
