//! The listing grid: search as you type, a status filter, pages of cards loaded on request.
//! The paging rules (generations, "more", stale answers) are the generic [`Paged`] list's; this
//! says what narrows the grid and how a page of it is asked for.

use super::format::{baths, money};
use super::paged::{Paged, PagedAction, PagedFilter};
use fieldstone_model::ListingStatus;
use fieldstone_protocol::views::{ListingQuery, ListingSummary};

/// Cards per page: a few screenfuls of a three-column grid.
pub const PAGE_SIZE: u32 = 48;

/// What narrows the grid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListingFilter {
    pub search: String,
    /// Show only this status (`None`: every status).
    pub status: Option<ListingStatus>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ListingFilterEdit {
    Search(String),
    Status(Option<ListingStatus>),
}

impl PagedFilter for ListingFilter {
    type Edit = ListingFilterEdit;
    type Query = ListingQuery;
    const PAGE_SIZE: u32 = PAGE_SIZE;

    fn apply(&mut self, edit: ListingFilterEdit) -> bool {
        match edit {
            ListingFilterEdit::Search(text) if text != self.search => self.search = text,
            ListingFilterEdit::Status(status) if status != self.status => self.status = status,
            ListingFilterEdit::Search(_) | ListingFilterEdit::Status(_) => return false,
        }
        true
    }

    fn query(&self, offset: u32, limit: u32) -> ListingQuery {
        let search = self.search.trim();
        ListingQuery {
            statuses: self.status.into_iter().collect(),
            search: (!search.is_empty()).then(|| search.to_owned()),
            limit,
            offset,
            ..ListingQuery::default()
        }
    }

    fn narrows(&self) -> bool {
        self.status.is_some() || !self.search.trim().is_empty()
    }
}

pub type ListingsState = Paged<ListingSummary, ListingFilter>;
pub type ListingsAction = PagedAction<ListingSummary, ListingFilter>;

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
