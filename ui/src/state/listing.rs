//! One listing's screen: the listing as stored and its editor (the generic [`RecordDetail`]),
//! and which photo the gallery shows.

use super::format::Local;
use super::record_detail::{DetailAction, RecordDetail};
use chrono::{DateTime, Utc};
use fieldstone_model::{Listing, ListingId, MediaKind, OpenHouse};
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum ListingAction {
    /// Loading, the editor, a save: as for any record.
    Detail(DetailAction<Listing>),
    /// Show this photo large.
    Show(usize),
}

impl From<DetailAction<Listing>> for ListingAction {
    fn from(action: DetailAction<Listing>) -> Self {
        ListingAction::Detail(action)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListingState {
    pub detail: RecordDetail<ListingId, Listing>,
    /// The photo shown large.
    pub photo: usize,
}

impl ListingState {
    pub fn new(id: ListingId) -> Self {
        ListingState {
            detail: RecordDetail::new(id),
            photo: 0,
        }
    }

    /// The listing as loaded (or saved).
    pub fn listing(&self) -> Option<&Listing> {
        self.detail.record.as_ref()
    }

    /// The photos' uris, cover first.
    pub fn photos(&self) -> Vec<String> {
        self.listing()
            .iter()
            .flat_map(|l| &l.media)
            .filter(|m| m.kind == MediaKind::Photo)
            .map(|m| m.uri.clone())
            .collect()
    }

    /// Tour links: `(label, https URL)`.
    pub fn tours(&self) -> Vec<(String, String)> {
        self.listing()
            .iter()
            .flat_map(|l| &l.media)
            .filter(|m| m.kind.is_external())
            .map(|m| {
                let label = m.caption.clone().unwrap_or_else(|| host(&m.uri));
                (label, m.uri.clone())
            })
            .collect()
    }

    /// The gallery never points past the last photo (one may be removed elsewhere).
    fn clamp_photo(&mut self) {
        let count = self.photos().len();
        self.photo = self.photo.min(count.saturating_sub(1));
    }
}

/// "tours.example.com" for a tour link with no caption.
fn host(url: &str) -> String {
    url.trim_start_matches("https://")
        .split(['/', '?', '#'])
        .next()
        .unwrap_or(url)
        .to_owned()
}

impl Reducible for ListingState {
    type Action = ListingAction;

    fn reduce(self: Rc<Self>, action: ListingAction) -> Rc<Self> {
        if let ListingAction::Detail(detail) = &action {
            if self.detail.ignores(detail) {
                return self;
            }
        }
        let mut next = (*self).clone();
        match action {
            ListingAction::Detail(detail) => next.detail.apply(detail),
            ListingAction::Show(index) => next.photo = index,
        }
        next.clamp_photo();
        Rc::new(next)
    }
}

/// Open houses still to come (or running) at `now`, soonest first, and how many have passed.
pub fn upcoming(open_houses: &[OpenHouse], now: DateTime<Utc>) -> (Vec<OpenHouse>, usize) {
    let mut coming: Vec<OpenHouse> = open_houses
        .iter()
        .copied()
        .filter(|o| o.ends_at > now)
        .collect();
    coming.sort_by_key(|o| o.starts_at);
    let past = open_houses.len() - coming.len();
    (coming, past)
}

/// "Sat 14 Nov · 14:00–16:00" in local time (the end's day too when it ends on another day).
pub fn open_house_label(open_house: &OpenHouse, local: Local, now: DateTime<Utc>) -> String {
    let (start, end) = (open_house.starts_at, open_house.ends_at);
    if local.date(start) == local.date(end) {
        format!(
            "{} · {}–{}",
            local.day_label(start, now),
            local.time(start),
            local.time(end)
        )
    } else {
        format!(
            "{} {} – {} {}",
            local.day_label(start, now),
            local.time(start),
            local.day_label(end, now),
            local.time(end)
        )
    }
}
