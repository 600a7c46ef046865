//! One listing's screen: the listing as stored, which photo the gallery shows, and whether the
//! editor is open. Answers to an older load are dropped, as in the lists.

use super::format::Local;
use super::ListView;
use chrono::{DateTime, Utc};
use fieldstone_model::{Listing, ListingId, MediaKind, OpenHouse};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum ListingAction {
    Loaded {
        request: u64,
        listing: Box<Listing>,
    },
    LoadFailed {
        request: u64,
        error: CommandError,
    },
    /// Ask again (changes arrived from another device, or "Try again").
    Reload,
    /// Show this photo large.
    Show(usize),
    OpenEditor,
    CloseEditor,
    /// The editor stored this listing: show it and close the editor.
    Saved(Box<Listing>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListingState {
    pub id: ListingId,
    pub request: u64,
    pub view: ListView,
    pub listing: Option<Listing>,
    /// The last load said there is no such listing here.
    pub missing: bool,
    /// The photo shown large.
    pub photo: usize,
    /// The editor is open; the number grows with every opening (a fresh form).
    pub editor: Option<u64>,
    opened: u64,
    /// Said once after the editor saved.
    pub saved_note: bool,
}

impl ListingState {
    pub fn new(id: ListingId) -> Self {
        ListingState {
            id,
            request: 1,
            view: ListView::Loading,
            listing: None,
            missing: false,
            photo: 0,
            editor: None,
            opened: 0,
            saved_note: false,
        }
    }

    /// The photos' uris, cover first.
    pub fn photos(&self) -> Vec<String> {
        self.listing
            .iter()
            .flat_map(|l| &l.media)
            .filter(|m| m.kind == MediaKind::Photo)
            .map(|m| m.uri.clone())
            .collect()
    }

    /// Tour links: `(label, https URL)`.
    pub fn tours(&self) -> Vec<(String, String)> {
        self.listing
            .iter()
            .flat_map(|l| &l.media)
            .filter(|m| m.kind.is_external())
            .map(|m| {
                let label = m.caption.clone().unwrap_or_else(|| host(&m.uri));
                (label, m.uri.clone())
            })
            .collect()
    }

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
        match action {
            ListingAction::Loaded { request, .. } | ListingAction::LoadFailed { request, .. }
                if request != self.request =>
            {
                self
            }
            ListingAction::CloseEditor if self.editor.is_none() => self,
            action => {
                let mut next = (*self).clone();
                next.apply(action);
                Rc::new(next)
            }
        }
    }
}

impl ListingState {
    fn apply(&mut self, action: ListingAction) {
        match action {
            ListingAction::Loaded { listing, .. } => {
                self.listing = Some(*listing);
                self.view = ListView::Loaded;
                self.missing = false;
                self.clamp_photo();
            }
            ListingAction::LoadFailed { error, .. } => {
                self.missing = error.code == CommandErrorCode::NotFound;
                // A listing already shown stays; the next reload may do better.
                if self.listing.is_none() || self.missing {
                    self.listing = None;
                    self.view = ListView::Failed(error.message);
                }
            }
            ListingAction::Reload => self.request += 1,
            ListingAction::Show(index) => {
                self.photo = index;
                self.clamp_photo();
            }
            ListingAction::OpenEditor => {
                self.opened += 1;
                self.editor = Some(self.opened);
                self.saved_note = false;
            }
            ListingAction::CloseEditor => self.editor = None,
            ListingAction::Saved(listing) => {
                self.listing = Some(*listing);
                self.view = ListView::Loaded;
                self.editor = None;
                self.saved_note = true;
                self.clamp_photo();
            }
        }
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
