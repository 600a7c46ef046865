//! The listing grid: search as you type, a status filter, pages of cards loaded on request.
//!
//! As in the contact list, every change to what is asked for starts a new *generation*
//! (`request`) and answers to older ones are dropped, so a slow answer to "el" never replaces
//! the grid for "elm". The first page of a generation replaces the cards; "more" appends.

use super::format::{baths, money};
use super::ListView;
use fieldstone_model::ListingStatus;
use fieldstone_protocol::views::{ListingQuery, ListingSummary};
use std::rc::Rc;
use yew::Reducible;

/// Cards per page: a few screenfuls of a three-column grid.
pub const PAGE_SIZE: u32 = 48;

#[derive(Debug, Clone, PartialEq)]
pub enum ListingsAction {
    Search(String),
    /// Show only this status (`None`: every status).
    Status(Option<ListingStatus>),
    /// Ask again for what is shown (changes arrived from another device).
    Reload,
    Loaded {
        request: u64,
        rows: Vec<ListingSummary>,
        more: bool,
    },
    Failed {
        request: u64,
        message: String,
        more: bool,
    },
    LoadMore,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListingsState {
    pub search: String,
    pub status: Option<ListingStatus>,
    /// Shared so changes elsewhere in the state do not copy the cards.
    pub rows: Rc<Vec<ListingSummary>>,
    pub view: ListView,
    /// A reload failed while cards were shown: they stay, with this notice.
    pub stale_error: Option<String>,
    /// The last page was full, so there may be more.
    pub has_more: bool,
    /// The current generation; answers to older ones are dropped.
    pub request: u64,
    /// A "more" page is being fetched, starting at this offset.
    pub loading_more: Option<u32>,
    /// Grows with every "more" asked for, so the page runs each once.
    pub more_seq: u64,
}

impl Default for ListingsState {
    fn default() -> Self {
        ListingsState {
            search: String::new(),
            status: None,
            rows: Rc::new(Vec::new()),
            view: ListView::Loading,
            stale_error: None,
            has_more: false,
            // The first generation is asked for as soon as the screen shows.
            request: 1,
            loading_more: None,
            more_seq: 0,
        }
    }
}

impl Reducible for ListingsState {
    type Action = ListingsAction;

    fn reduce(self: Rc<Self>, action: ListingsAction) -> Rc<Self> {
        match action {
            ListingsAction::Loaded { request, .. } | ListingsAction::Failed { request, .. }
                if request != self.request =>
            {
                self
            }
            ListingsAction::LoadMore if self.loading_more.is_some() || !self.has_more => self,
            ListingsAction::Search(ref text) if *text == self.search => self,
            ListingsAction::Status(status) if status == self.status => self,
            action => {
                let mut next = (*self).clone();
                next.apply(action);
                Rc::new(next)
            }
        }
    }
}

impl ListingsState {
    fn apply(&mut self, action: ListingsAction) {
        match action {
            ListingsAction::Search(text) => {
                self.search = text;
                self.restart();
            }
            ListingsAction::Status(status) => {
                self.status = status;
                self.restart();
            }
            ListingsAction::Reload => {
                self.request += 1;
                self.loading_more = None;
            }
            ListingsAction::Loaded { rows, more, .. } => {
                let full = u32::try_from(rows.len()).is_ok_and(|n| n >= PAGE_SIZE);
                if more {
                    Rc::make_mut(&mut self.rows).extend(rows);
                    self.loading_more = None;
                } else {
                    self.rows = Rc::new(rows);
                }
                self.has_more = full;
                self.view = ListView::Loaded;
                self.stale_error = None;
            }
            ListingsAction::Failed { message, more, .. } => {
                if more {
                    self.loading_more = None;
                    self.stale_error = Some(message);
                } else if self.view == ListView::Loaded && !self.rows.is_empty() {
                    self.stale_error = Some(message);
                } else {
                    self.view = ListView::Failed(message);
                }
            }
            ListingsAction::LoadMore => {
                self.loading_more = u32::try_from(self.rows.len()).ok();
                self.more_seq += 1;
            }
        }
    }

    /// A new question: the grid shows a skeleton until its first page answers.
    fn restart(&mut self) {
        self.request += 1;
        self.loading_more = None;
        self.has_more = false;
        self.view = ListView::Loading;
        self.stale_error = None;
    }

    /// The query for the page starting at `offset`.
    pub fn query(&self, offset: u32) -> ListingQuery {
        let search = self.search.trim();
        ListingQuery {
            statuses: self.status.into_iter().collect(),
            search: (!search.is_empty()).then(|| search.to_owned()),
            limit: PAGE_SIZE,
            offset,
            ..ListingQuery::default()
        }
    }

    /// A search or a status is narrowing the grid.
    pub fn has_filters(&self) -> bool {
        self.status.is_some() || !self.search.trim().is_empty()
    }
}

/// "3 bd · 2.5 ba · House": what a card says under the address.
pub fn facts(listing: &ListingSummary) -> String {
    let mut parts = Vec::new();
    if let Some(beds) = listing.beds {
        parts.push(format!("{beds} bd"));
    }
    if let Some(tenths) = listing.baths_tenths {
        parts.push(format!("{} ba", baths(tenths)));
    }
    parts.push(listing.property_type.label().to_owned());
    parts.join(" · ")
}

/// The price as the grid shows it.
pub fn price(listing: &ListingSummary) -> String {
    money(listing.price, &listing.currency)
}

#[cfg(test)]
#[path = "listings_tests.rs"]
mod tests;
