//! One reducer for every paged list of records (the listing grid, and the next kind's list):
//! a filter, pages of rows loaded on request, and the rules for answers that arrive late.
//!
//! Every change to what is asked for starts a new *generation* (`request`) and answers to
//! older ones are dropped, so a slow answer to "el" never replaces the rows for "elm". The
//! first page of a generation replaces the rows; "more" appends. A kind says only what is
//! particular to it, in its [`PagedFilter`]: what narrows the list and the query that asks for
//! a page of it.

use super::ListView;
use fieldstone_protocol::commands::CommandError;
use std::rc::Rc;
use yew::Reducible;

/// What narrows a list, and how a page of it is asked for.
pub trait PagedFilter: Clone + PartialEq + 'static {
    /// A change the user makes (typed search text, a picked status).
    type Edit: Clone + PartialEq + 'static;
    /// What the shell command for one page takes.
    type Query;
    /// Rows per page: a few screenfuls.
    const PAGE_SIZE: u32;

    /// Applies `edit`; answers whether the filter changed (an unchanged one asks nothing new).
    fn apply(&mut self, edit: Self::Edit) -> bool;
    /// The query for `limit` rows starting at `offset`.
    fn query(&self, offset: u32, limit: u32) -> Self::Query;
    /// Something is narrowing the list: an empty list then says "nothing matches", not "none
    /// yet".
    fn narrows(&self) -> bool;
}

#[derive(Debug, Clone, PartialEq)]
pub enum PagedAction<T, F: PagedFilter> {
    /// Narrow the list differently: a new generation, shown from its first page.
    Filter(F::Edit),
    /// Ask again for what is shown (changes arrived from another device, or "Try again").
    Reload,
    Loaded {
        request: u64,
        rows: Vec<T>,
        more: bool,
    },
    Failed {
        request: u64,
        message: String,
        more: bool,
    },
    LoadMore,
}

impl<T, F: PagedFilter> PagedAction<T, F> {
    /// The shell's answer for a page of generation `request` (`more`: a "more" page) as the
    /// action it is, failure included.
    pub fn answer(request: u64, outcome: Result<Vec<T>, CommandError>, more: bool) -> Self {
        match outcome {
            Ok(rows) => PagedAction::Loaded {
                request,
                rows,
                more,
            },
            Err(error) => PagedAction::Failed {
                request,
                message: error.message,
                more,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T, F> {
    pub filter: F,
    /// Shared so changes elsewhere in the state do not copy the rows.
    pub rows: Rc<Vec<T>>,
    pub view: ListView,
    /// A reload (or a "more" page) failed while rows were shown: they stay, with this notice.
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

impl<T, F> Paged<T, F> {
    pub fn new(filter: F) -> Self {
        Paged {
            filter,
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

impl<T, F: Default> Default for Paged<T, F> {
    fn default() -> Self {
        Paged::new(F::default())
    }
}

impl<T: Clone + 'static, F: PagedFilter> Reducible for Paged<T, F> {
    type Action = PagedAction<T, F>;

    fn reduce(self: Rc<Self>, action: PagedAction<T, F>) -> Rc<Self> {
        match action {
            PagedAction::Loaded { request, .. } | PagedAction::Failed { request, .. }
                if request != self.request =>
            {
                self
            }
            PagedAction::LoadMore if self.loading_more.is_some() || !self.has_more => self,
            action => {
                let mut next = (*self).clone();
                if next.apply(action) {
                    Rc::new(next)
                } else {
                    self
                }
            }
        }
    }
}

impl<T: Clone, F: PagedFilter> Paged<T, F> {
    /// Applies `action`; answers whether anything changed (a filter edit may not).
    fn apply(&mut self, action: PagedAction<T, F>) -> bool {
        match action {
            PagedAction::Filter(edit) => {
                if !self.filter.apply(edit) {
                    return false;
                }
                self.restart();
            }
            PagedAction::Reload => {
                self.request += 1;
                self.loading_more = None;
            }
            PagedAction::Loaded { rows, more, .. } => {
                let full = u32::try_from(rows.len()).is_ok_and(|n| n >= F::PAGE_SIZE);
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
            PagedAction::Failed { message, more, .. } => {
                if more {
                    self.loading_more = None;
                    self.stale_error = Some(message);
                } else if self.view == ListView::Loaded && !self.rows.is_empty() {
                    self.stale_error = Some(message);
                } else {
                    self.view = ListView::Failed(message);
                }
            }
            PagedAction::LoadMore => {
                self.loading_more = u32::try_from(self.rows.len()).ok();
                self.more_seq += 1;
            }
        }
        true
    }

    /// A new question: the list shows a skeleton until its first page answers.
    fn restart(&mut self) {
        self.request += 1;
        self.loading_more = None;
        self.has_more = false;
        self.view = ListView::Loading;
        self.stale_error = None;
    }

    /// The query for the page starting at `offset`.
    pub fn query(&self, offset: u32) -> F::Query {
        self.filter.query(offset, F::PAGE_SIZE)
    }

    /// A filter is narrowing the list.
    pub fn has_filters(&self) -> bool {
        self.filter.narrows()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list of numbers narrowed by a minimum, three to a page.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct AtLeast(u32);

    impl PagedFilter for AtLeast {
        type Edit = u32;
        type Query = (u32, u32, u32);
        const PAGE_SIZE: u32 = 3;

        fn apply(&mut self, edit: u32) -> bool {
            std::mem::replace(&mut self.0, edit) != edit
        }

        fn query(&self, offset: u32, limit: u32) -> (u32, u32, u32) {
            (self.0, offset, limit)
        }

        fn narrows(&self) -> bool {
            self.0 > 0
        }
    }

    type Numbers = Paged<u32, AtLeast>;
    type Action = PagedAction<u32, AtLeast>;

    fn loaded(request: u64, rows: &[u32], more: bool) -> Action {
        Action::Loaded {
            request,
            rows: rows.to_vec(),
            more,
        }
    }

    fn failed(request: u64, more: bool) -> Action {
        Action::Failed {
            request,
            message: "The disk is busy.".into(),
            more,
        }
    }

    #[test]
    fn answers_to_an_older_filter_are_dropped() {
        let state = Rc::new(Numbers::default())
            .reduce(Action::Filter(5))
            .reduce(Action::Filter(7));
        assert_eq!(state.request, 3);
        assert_eq!(state.query(0), (7, 0, 3));
        assert!(state.has_filters());
        for stale in [loaded(2, &[5, 6], false), failed(2, false)] {
            let same = Rc::clone(&state).reduce(stale);
            assert!(Rc::ptr_eq(&state, &same));
        }
        assert_eq!(state.view, ListView::Loading);
        let same = Rc::clone(&state).reduce(Action::Filter(7));
        assert!(
            Rc::ptr_eq(&state, &same),
            "the same filter asks nothing new"
        );
        let state = state.reduce(loaded(3, &[7, 8], false));
        assert_eq!(*state.rows, [7, 8]);
        assert!(!state.has_more);
    }

    #[test]
    fn more_appends_and_a_new_filter_starts_over() {
        let state = Rc::new(Numbers::default()).reduce(loaded(1, &[1, 2, 3], false));
        assert!(state.has_more, "a full page");
        let state = state.reduce(Action::LoadMore);
        assert_eq!((state.loading_more, state.more_seq), (Some(3), 1));
        let state = state.reduce(loaded(1, &[4], true));
        assert_eq!(*state.rows, [1, 2, 3, 4]);
        assert_eq!(state.loading_more, None);
        assert!(!state.has_more);
        let state = state.reduce(Action::Filter(2));
        assert_eq!(state.view, ListView::Loading);
        let state = state.reduce(loaded(2, &[2], false));
        assert_eq!(*state.rows, [2], "the first page replaces");
    }

    #[test]
    fn a_failure_while_rows_are_shown_keeps_them_with_a_notice() {
        let state = Rc::new(Numbers::default()).reduce(loaded(1, &[1, 2, 3], false));
        let state = state.reduce(Action::LoadMore).reduce(failed(1, true));
        assert_eq!(state.loading_more, None, "more can be asked again");
        assert_eq!(state.stale_error.as_deref(), Some("The disk is busy."));
        assert_eq!(state.rows.len(), 3);
        let state = state.reduce(Action::Reload).reduce(failed(2, false));
        assert_eq!(state.view, ListView::Loaded);
        assert_eq!(state.rows.len(), 3);
        let state = state.reduce(loaded(2, &[1], false));
        assert_eq!(state.stale_error, None, "a good answer clears the notice");
        // With nothing to show, a failure is all there is.
        let empty = Rc::new(Numbers::default()).reduce(failed(1, false));
        assert_eq!(empty.view, ListView::Failed("The disk is busy.".into()));
    }
}
