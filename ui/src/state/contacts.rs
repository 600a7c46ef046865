//! The contact list: search as you type, filters, sort, keyset pages loaded as the user scrolls,
//! counts, selection with bulk changes, and saved filters ("smart lists").
//!
//! Every change to what is asked for starts a new *generation* (`request`); answers carry the
//! generation they answer and older ones are dropped, so a slow answer to "ad" never replaces
//! the list for "ada". Only the first page of a generation replaces the rows; "load more" pages
//! append and are asked for with the last row's cursor.

use super::custom_filter::{CustomFilterDraft, CustomFilterEdit};
use super::ListView;
use fieldstone_model::{normalise_tag, ContactId, ContactKind, LeadSource, Stage, UserId};
use fieldstone_protocol::commands::{BulkResult, ContactCounts, SmartList};
use fieldstone_protocol::views::{
    ContactPage, ContactQuery, ContactSort, ContactSummary, Cursor, CustomFieldName, SortField,
};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::Reducible;

/// Rows per page: a few screenfuls, so scrolling rarely waits. Not more: every keystroke
/// re-renders the first page, and at 100 rows the webview's layout alone broke 100 ms.
pub const PAGE_SIZE: u32 = 50;

/// Whose contacts to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OwnerFilter {
    #[default]
    Anyone,
    Me,
}

/// A change applied to every selected contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOp {
    AddTag(String),
    RemoveTag(String),
    Stage(Stage),
}

/// A bulk change to run: `seq` grows with each, so the page runs it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRun {
    pub seq: u64,
    pub op: BulkOp,
    pub ids: Vec<ContactId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactsAction {
    Search(String),
    ToggleStage(Stage),
    Kind(Option<ContactKind>),
    Source(Option<LeadSource>),
    /// Comma-separated tags, all of which a contact must have.
    Tags(String),
    Owner(OwnerFilter),
    Custom(CustomFilterEdit),
    /// The custom field names in use, for the custom filter's picker.
    CustomNames(Result<Vec<CustomFieldName>, String>),
    /// The engine refused the custom filter (a value that is not a number...): said by it.
    CustomRefused {
        request: u64,
        message: String,
    },
    ClearFilters,
    /// Sort by this column; the current column again flips the direction.
    SortBy(SortField),
    /// Ask again for what is shown (changes arrived, a bulk change finished).
    Reload,
    PageLoaded {
        request: u64,
        page: Box<ContactPage>,
        more: bool,
    },
    PageFailed {
        request: u64,
        message: String,
        more: bool,
    },
    CountsLoaded {
        request: u64,
        counts: Result<ContactCounts, String>,
    },
    /// Scrolled near the end (or pressed "Load more").
    LoadMore,
    Select(ContactId, bool),
    SelectAllShown(bool),
    ClearSelection,
    BulkTagText(String),
    Bulk(BulkOp),
    BulkDone(Result<BulkResult, String>),
    SmartListsLoaded(Result<Vec<SmartList>, String>),
    ApplySmartList(String),
    /// The list as stored, or the engine's refusal (a name already taken, a blank one).
    SmartListSaved(Result<Box<SmartList>, String>),
    /// The id of the deleted list, or why it was not deleted.
    SmartListDeleted(Result<String, String>),
    /// Whose contacts "mine" means.
    Me(Result<UserId, String>),
    /// Contacts with fields holding concurrent values (marked in the list).
    Conflicted(Result<BTreeSet<ContactId>, String>),
    ToggleFilters,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactsState {
    pub search: String,
    /// In pipeline order.
    pub stages: Vec<Stage>,
    pub kind: Option<ContactKind>,
    pub source: Option<LeadSource>,
    pub tags: String,
    pub owner: OwnerFilter,
    pub custom: CustomFilterDraft,
    pub custom_names: Vec<CustomFieldName>,
    /// Why the engine refused the custom filter, until it changes.
    pub custom_error: Option<String>,
    pub sort: ContactSort,
    pub me: Option<UserId>,
    /// Shown rows, in list order. Shared so changes elsewhere in the state do not copy them.
    pub rows: Rc<Vec<ContactSummary>>,
    pub next: Option<Cursor>,
    pub view: ListView,
    /// A reload failed while rows were shown: they stay, with this notice.
    pub stale_error: Option<String>,
    /// The current generation; answers to older ones are dropped.
    pub request: u64,
    /// A "load more" in flight, after this cursor.
    pub loading_more: Option<Cursor>,
    /// Grows with every "load more" asked for.
    pub more_seq: u64,
    pub counts: Option<ContactCounts>,
    pub selected: BTreeSet<ContactId>,
    pub bulk_tag: String,
    pub bulk: Option<BulkRun>,
    bulk_seq: u64,
    /// What the last bulk change did, for the person who asked.
    pub bulk_message: Option<String>,
    pub smart_lists: Vec<SmartList>,
    /// The smart list whose filters are shown, until a filter is changed.
    pub active_list: Option<String>,
    pub conflicted: BTreeSet<ContactId>,
    pub filters_open: bool,
    /// Why the last smart-list save or delete was refused (the engine's message).
    pub list_error: Option<String>,
    /// Why something the screen reads once (smart lists, who "mine" is, conflicts) could not
    /// be read: the screen works without it, but says so.
    pub notice: Option<String>,
    /// Why the per-stage counts could not be read, until they can.
    pub counts_error: Option<String>,
}

impl Default for ContactsState {
    fn default() -> Self {
        ContactsState {
            search: String::new(),
            stages: Vec::new(),
            kind: None,
            source: None,
            tags: String::new(),
            owner: OwnerFilter::Anyone,
            custom: CustomFilterDraft::default(),
            custom_names: Vec::new(),
            custom_error: None,
            sort: ContactSort::default(),
            me: None,
            rows: Rc::new(Vec::new()),
            next: None,
            view: ListView::Loading,
            stale_error: None,
            // The first generation is asked for as soon as the screen shows.
            request: 1,
            loading_more: None,
            more_seq: 0,
            counts: None,
            selected: BTreeSet::new(),
            bulk_tag: String::new(),
            bulk: None,
            bulk_seq: 0,
            bulk_message: None,
            smart_lists: Vec::new(),
            active_list: None,
            conflicted: BTreeSet::new(),
            filters_open: false,
            list_error: None,
            notice: None,
            counts_error: None,
        }
    }
}

impl Reducible for ContactsState {
    type Action = ContactsAction;

    fn reduce(self: Rc<Self>, action: ContactsAction) -> Rc<Self> {
        match action {
            ContactsAction::PageLoaded { request, .. }
            | ContactsAction::PageFailed { request, .. }
            | ContactsAction::CountsLoaded { request, .. }
            | ContactsAction::CustomRefused { request, .. }
                if request != self.request =>
            {
                self
            }
            ContactsAction::LoadMore if self.loading_more.is_some() || self.next.is_none() => self,
            ContactsAction::Bulk(_) if self.bulk.is_some() || self.selected.is_empty() => self,
            action => {
                let mut next = (*self).clone();
                next.apply(action);
                Rc::new(next)
            }
        }
    }
}

impl ContactsState {
    fn apply(&mut self, action: ContactsAction) {
        match action {
            ContactsAction::Search(text) => {
                if text != self.search {
                    self.search = text;
                    self.refilter();
                }
            }
            ContactsAction::ToggleStage(stage) => {
                let mut on: Vec<Stage> = self.stages.clone();
                if on.contains(&stage) {
                    on.retain(|s| *s != stage);
                } else {
                    on.push(stage);
                }
                self.stages = Stage::ALL.into_iter().filter(|s| on.contains(s)).collect();
                self.refilter();
            }
            ContactsAction::Kind(kind) => {
                self.kind = kind;
                self.refilter();
            }
            ContactsAction::Source(source) => {
                self.source = source;
                self.refilter();
            }
            ContactsAction::Tags(text) => {
                let changed = tag_list(&text) != tag_list(&self.tags);
                self.tags = text;
                if changed {
                    self.refilter();
                }
            }
            ContactsAction::Owner(owner) => {
                self.owner = owner;
                self.refilter();
            }
            ContactsAction::Custom(edit) => {
                let before = self.custom.to_filter();
                self.custom.apply(edit);
                self.custom_error = None;
                if self.custom.to_filter() != before {
                    self.refilter();
                }
            }
            ContactsAction::CustomNames(Ok(names)) => self.custom_names = names,
            ContactsAction::CustomNames(Err(message)) => {
                self.notice = Some(format!("Couldn't list your custom fields: {message}"));
            }
            ContactsAction::CustomRefused { message, .. } => {
                self.custom_error = Some(message);
                // No rows match a condition that cannot be run: the rows of the filters
                // before would read as its answer.
                self.rows = Rc::new(Vec::new());
                self.next = None;
                self.counts = None;
                self.view = ListView::Loaded;
            }
            ContactsAction::ClearFilters => {
                self.custom = CustomFilterDraft::default();
                self.custom_error = None;
                self.stages.clear();
                self.kind = None;
                self.source = None;
                self.tags.clear();
                self.owner = OwnerFilter::Anyone;
                self.search.clear();
                self.refilter();
            }
            ContactsAction::SortBy(field) => {
                self.sort = if self.sort.field == field {
                    ContactSort {
                        field,
                        descending: !self.sort.descending,
                    }
                } else {
                    ContactSort {
                        field,
                        // Names read A→Z; dates and scores newest or highest first.
                        descending: field != SortField::Name,
                    }
                };
                self.reload();
            }
            ContactsAction::Reload => self.reload(),
            ContactsAction::PageLoaded { page, more, .. } => {
                let page = *page;
                if more {
                    let mut rows = (*self.rows).clone();
                    rows.extend(page.items);
                    self.rows = Rc::new(rows);
                    self.loading_more = None;
                } else {
                    self.rows = Rc::new(page.items);
                }
                self.next = page.next;
                self.view = ListView::Loaded;
                self.stale_error = None;
            }
            ContactsAction::PageFailed { message, more, .. } => {
                self.loading_more = None;
                match (&self.view, more) {
                    (ListView::Loaded, _) | (_, true) => self.stale_error = Some(message),
                    _ => self.view = ListView::Failed(message),
                }
            }
            ContactsAction::CountsLoaded { counts, .. } => match counts {
                Ok(counts) => {
                    self.counts = Some(counts);
                    self.counts_error = None;
                }
                // Refused for the custom filter, which says so itself.
                Err(_) if self.custom_error.is_some() => {}
                Err(message) => {
                    self.counts_error = Some(format!("Couldn't count your contacts: {message}"));
                }
            },
            ContactsAction::LoadMore => {
                self.loading_more = self.next.clone();
                self.more_seq += 1;
            }
            ContactsAction::Select(id, on) => {
                if on {
                    self.selected.insert(id);
                } else {
                    self.selected.remove(&id);
                }
                self.bulk_message = None;
            }
            ContactsAction::SelectAllShown(on) => {
                if on {
                    self.selected.extend(self.rows.iter().map(|row| row.id));
                } else {
                    self.selected.clear();
                }
                self.bulk_message = None;
            }
            ContactsAction::ClearSelection => self.selected.clear(),
            ContactsAction::BulkTagText(text) => self.bulk_tag = text,
            ContactsAction::Bulk(op) => {
                let op = match op {
                    BulkOp::AddTag(tag) | BulkOp::RemoveTag(tag)
                        if normalise_tag(&tag).is_empty() =>
                    {
                        self.bulk_message = Some("Type a tag first.".into());
                        return;
                    }
                    op => op,
                };
                self.bulk_seq += 1;
                self.bulk = Some(BulkRun {
                    seq: self.bulk_seq,
                    op,
                    ids: self.selected.iter().copied().collect(),
                });
                self.bulk_message = None;
            }
            ContactsAction::BulkDone(result) => {
                let what = self.bulk.take().map(|run| run.op);
                self.bulk_message = Some(match result {
                    Ok(result) => bulk_message(what.as_ref(), &result),
                    Err(message) => message,
                });
                if matches!(what, Some(BulkOp::AddTag(_) | BulkOp::RemoveTag(_))) {
                    self.bulk_tag.clear();
                }
                self.selected.clear();
                self.reload();
            }
            ContactsAction::SmartListsLoaded(Ok(lists)) => self.smart_lists = lists,
            ContactsAction::SmartListsLoaded(Err(message)) => {
                self.notice = Some(format!("Couldn't load your smart lists: {message}"));
            }
            ContactsAction::ApplySmartList(id) => {
                if let Some(list) = self.smart_lists.iter().find(|list| list.id == id).cloned() {
                    self.show_query(&list.query);
                    self.active_list = Some(id);
                }
            }
            ContactsAction::SmartListSaved(Err(message))
            | ContactsAction::SmartListDeleted(Err(message)) => self.list_error = Some(message),
            ContactsAction::SmartListSaved(Ok(list)) => {
                self.list_error = None;
                let list = *list;
                let id = list.id.clone();
                match self.smart_lists.iter_mut().find(|l| l.id == list.id) {
                    Some(existing) => *existing = list,
                    None => self.smart_lists.push(list),
                }
                self.active_list = Some(id);
            }
            ContactsAction::SmartListDeleted(Ok(id)) => {
                self.list_error = None;
                self.smart_lists.retain(|list| list.id != id);
                if self.active_list.as_deref() == Some(id.as_str()) {
                    self.active_list = None;
                }
            }
            ContactsAction::Me(Err(message)) => {
                self.notice = Some(format!("Couldn't tell whose contacts are yours: {message}"));
            }
            ContactsAction::Me(Ok(id)) => {
                let changed = self.me != Some(id) && self.owner == OwnerFilter::Me;
                self.me = Some(id);
                if changed {
                    self.reload();
                }
            }
            ContactsAction::Conflicted(Ok(ids)) => self.conflicted = ids,
            ContactsAction::Conflicted(Err(message)) => {
                self.notice = Some(format!(
                    "Couldn't check for fields changed on two devices: {message}"
                ));
            }
            ContactsAction::ToggleFilters => self.filters_open = !self.filters_open,
        }
    }

    /// A filter changed: a new generation, and the smart list no longer describes it.
    fn refilter(&mut self) {
        self.active_list = None;
        self.reload();
    }

    fn reload(&mut self) {
        self.request += 1;
        self.loading_more = None;
    }

    fn show_query(&mut self, query: &ContactQuery) {
        self.search = query.search.clone().unwrap_or_default();
        self.stages = Stage::ALL
            .into_iter()
            .filter(|s| query.stages.contains(s))
            .collect();
        self.kind = query.kinds.first().copied();
        self.source = query.sources.first().copied();
        self.tags = query.tags.join(", ");
        self.owner = match (query.owner, self.me) {
            (Some(owner), Some(me)) if owner == me => OwnerFilter::Me,
            (Some(_), None) => OwnerFilter::Me,
            _ => OwnerFilter::Anyone,
        };
        self.custom = query
            .custom
            .first()
            .map(CustomFilterDraft::from_filter)
            .unwrap_or_default();
        self.custom_error = None;
        self.sort = query.sort;
        self.reload();
    }

    /// The filters and sort, without a page position: what counts and smart lists use.
    pub fn filter(&self) -> ContactQuery {
        let search = self.search.trim();
        ContactQuery {
            stages: self.stages.clone(),
            tags: tag_list(&self.tags),
            sources: self.source.into_iter().collect(),
            kinds: self.kind.into_iter().collect(),
            owner: match self.owner {
                OwnerFilter::Anyone => None,
                OwnerFilter::Me => self.me,
            },
            search: (!search.is_empty()).then(|| search.to_owned()),
            custom: self.custom.to_filter().into_iter().collect(),
            sort: self.sort,
            limit: PAGE_SIZE,
            ..ContactQuery::default()
        }
    }

    /// The query for the next page after `after` (or the first page).
    pub fn page_query(&self, after: Option<Cursor>) -> ContactQuery {
        ContactQuery {
            after,
            ..self.filter()
        }
    }

    pub fn has_filters(&self) -> bool {
        !self.stages.is_empty()
            || self.kind.is_some()
            || self.source.is_some()
            || !tag_list(&self.tags).is_empty()
            || self.owner != OwnerFilter::Anyone
            || !self.search.trim().is_empty()
            || self.custom.is_set()
    }

    /// Filters other than the search box are set (the phone's "Filters" button says so).
    pub fn filter_count(&self) -> usize {
        self.stages.len()
            + usize::from(self.kind.is_some())
            + usize::from(self.source.is_some())
            + tag_list(&self.tags).len()
            + usize::from(self.owner != OwnerFilter::Anyone)
            + usize::from(self.custom.is_set())
    }

    pub fn all_shown_selected(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(|row| self.selected.contains(&row.id))
    }
}

fn tag_list(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = text
        .split(',')
        .map(normalise_tag)
        .filter(|tag| !tag.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn bulk_message(op: Option<&BulkOp>, result: &BulkResult) -> String {
    let changed = plural(result.done, "contact", "contacts");
    let done = match op {
        Some(BulkOp::AddTag(tag)) => format!("Tagged {changed} “{}”.", normalise_tag(tag)),
        Some(BulkOp::RemoveTag(tag)) => {
            format!("Removed “{}” from {changed}.", normalise_tag(tag))
        }
        Some(BulkOp::Stage(stage)) => format!("Moved {changed} to {}.", stage.label()),
        None => format!("Changed {changed}."),
    };
    match result.failed.first() {
        None => done,
        Some(first) => format!(
            "{done} {} could not be changed: {}",
            plural(
                u32::try_from(result.failed.len()).unwrap_or(u32::MAX),
                "contact",
                "contacts"
            ),
            first.error.message
        ),
    }
}

#[cfg(test)]
#[path = "contacts_tests.rs"]
pub(crate) mod tests;
