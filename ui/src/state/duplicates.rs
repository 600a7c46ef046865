//! Duplicates, from the contact list's toolbar: the groups the engine finds (asked for in the
//! background; the toolbar shows their count once known), a group's two contacts side by side
//! with a choice of which to keep, the merge, and its undo offered until used or dismissed
//! (also after the dialog is closed, on the contact list).
//!
//! Requests are generations (`groups_request`, `preview_request`) and sequence numbers
//! (`merge_seq`, `undo_seq`): the page runs a command when one grows, and an answer for an older
//! generation is dropped, so a slow preview of one pair never shows for another.

use super::format::count;
use super::ListView;
use fieldstone_model::{ContactId, MatchKey};
use fieldstone_protocol::commands::{
    CommandError, MergePreview, MergeReceipt, MergeRequest, MergeSide,
};
use fieldstone_protocol::views::{DuplicateGroup, TimelineEntry};
use std::rc::Rc;
use yew::Reducible;

/// Groups listed at most; one more is asked for, to know there are more than this.
pub const GROUPS_SHOWN: u32 = 100;
/// The survivor's newest timeline entries shown after a merge.
pub const RESULT_ENTRIES: u32 = 5;

/// Where the dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Groups,
    /// Two contacts of the chosen group side by side.
    Compare,
    /// A merge went through: the survivor as it is now, with the undo offered.
    Merged,
}

/// The comparison of the pair shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    Loading,
    /// In the pair's order: `survivor` is the pair's first, `merged` its second.
    Loaded(Rc<MergePreview>),
    Failed(String),
}

/// Whether the offered undo is running or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoState {
    Offered,
    Running,
    Failed(String),
}

/// A merge that can still be undone, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOffer {
    pub receipt: MergeReceipt,
    pub survivor_name: String,
    pub merged_name: String,
    pub undo: UndoState,
}

impl MergeOffer {
    /// "Bo Diaz was merged into Ada Diaz (2 records moved)."
    pub fn sentence(&self) -> String {
        let moved = match self.receipt.moved_records {
            0 => String::new(),
            n => format!(" ({} moved)", count(u64::from(n), "record", "records")),
        };
        format!(
            "{} was merged into {}{moved}.",
            self.merged_name, self.survivor_name
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DuplicatesAction {
    Open,
    Close,
    /// Ask for the groups again (changes arrived, the dialog opened).
    Reload,
    GroupsLoaded {
        request: u64,
        groups: Result<Vec<DuplicateGroup>, String>,
    },
    /// Open the group at this index of the list.
    Choose(usize),
    /// In a group of more than two: compare its first contact with this one.
    CompareWith(ContactId),
    PreviewLoaded {
        request: u64,
        preview: Result<Box<MergePreview>, CommandError>,
    },
    /// The contact to keep (one of the pair).
    Keep(ContactId),
    Merge,
    Merged(Result<MergeReceipt, CommandError>),
    /// The survivor's newest entries, after a merge.
    ResultTimeline {
        request: u64,
        entries: Result<Vec<TimelineEntry>, String>,
    },
    Undo,
    Undone(Result<(), CommandError>),
    /// The undo offer (or what the undo did) is dismissed.
    DismissOffer,
    /// Back to the list of groups.
    Back,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatesState {
    pub open: bool,
    pub step: Step,
    pub groups: Rc<Vec<DuplicateGroup>>,
    /// More groups than [`GROUPS_SHOWN`] exist.
    pub more_groups: bool,
    pub groups_view: ListView,
    /// A reload failed while groups were shown: they stay, with this.
    pub groups_error: Option<String>,
    pub groups_request: u64,
    /// The group opened, as it was when chosen.
    pub group: Option<DuplicateGroup>,
    /// The two contacts compared: the group's first and another.
    pub pair: Option<(ContactId, ContactId)>,
    pub preview: Option<Preview>,
    pub preview_request: u64,
    pub keep: Option<ContactId>,
    /// The merge asked for, while it runs.
    pub merging: Option<MergeRequest>,
    pub merge_seq: u64,
    /// Why the last merge was refused, shown by the comparison.
    pub merge_error: Option<String>,
    pub offer: Option<MergeOffer>,
    pub undo_seq: u64,
    /// The survivor's newest entries after the merge (`None` while they load).
    pub result_entries: Option<Result<Rc<Vec<TimelineEntry>>, String>>,
    pub result_request: u64,
    /// What the last undo did, in a sentence.
    pub notice: Option<String>,
    /// Grows whenever contacts changed here (a merge, an undo): the list reloads.
    pub changed: u64,
}

impl Default for DuplicatesState {
    fn default() -> Self {
        DuplicatesState {
            open: false,
            step: Step::Groups,
            groups: Rc::new(Vec::new()),
            more_groups: false,
            groups_view: ListView::Loading,
            groups_error: None,
            // Asked for as soon as the contact list shows, for the toolbar's count.
            groups_request: 1,
            group: None,
            pair: None,
            preview: None,
            preview_request: 0,
            keep: None,
            merging: None,
            merge_seq: 0,
            merge_error: None,
            offer: None,
            undo_seq: 0,
            result_entries: None,
            result_request: 0,
            notice: None,
            changed: 0,
        }
    }
}

impl Reducible for DuplicatesState {
    type Action = DuplicatesAction;

    fn reduce(self: Rc<Self>, action: DuplicatesAction) -> Rc<Self> {
        match action {
            DuplicatesAction::GroupsLoaded { request, .. } if request != self.groups_request => {
                self
            }
            DuplicatesAction::PreviewLoaded { request, .. } if request != self.preview_request => {
                self
            }
            DuplicatesAction::ResultTimeline { request, .. } if request != self.result_request => {
                self
            }
            DuplicatesAction::Merge if !self.can_merge() => self,
            DuplicatesAction::Undo
                if !matches!(
                    self.offer.as_ref().map(|o| &o.undo),
                    Some(UndoState::Offered | UndoState::Failed(_))
                ) =>
            {
                self
            }
            // Nothing is left behind half done: a merge or undo running finishes in view.
            DuplicatesAction::Close if self.busy() => self,
            action => {
                let mut next = (*self).clone();
                next.apply(action);
                Rc::new(next)
            }
        }
    }
}

impl DuplicatesState {
    fn apply(&mut self, action: DuplicatesAction) {
        match action {
            DuplicatesAction::Open => {
                self.open = true;
                self.step = Step::Groups;
                self.notice = None;
                self.reload();
            }
            DuplicatesAction::Close => {
                self.open = false;
                self.notice = None;
            }
            DuplicatesAction::Reload => self.reload(),
            DuplicatesAction::GroupsLoaded { groups, .. } => match groups {
                Ok(mut groups) => {
                    let shown = GROUPS_SHOWN as usize;
                    self.more_groups = groups.len() > shown;
                    groups.truncate(shown);
                    self.groups = Rc::new(groups);
                    self.groups_view = ListView::Loaded;
                    self.groups_error = None;
                }
                Err(message) if self.groups_view == ListView::Loaded => {
                    self.groups_error = Some(message);
                }
                Err(message) => self.groups_view = ListView::Failed(message),
            },
            DuplicatesAction::Choose(index) => {
                if let Some(group) = self.groups.get(index).cloned() {
                    if let [first, second, ..] = group.contacts.as_slice() {
                        let pair = (first.id, second.id);
                        self.group = Some(group);
                        self.step = Step::Compare;
                        self.notice = None;
                        self.compare(pair);
                    }
                }
            }
            DuplicatesAction::CompareWith(other) => {
                let first = self
                    .group
                    .as_ref()
                    .and_then(|g| g.contacts.first())
                    .map(|c| c.id);
                let in_group = self
                    .group
                    .as_ref()
                    .is_some_and(|g| g.contacts.iter().any(|c| c.id == other));
                if let (Some(first), true) = (first, in_group) {
                    if first != other && self.pair.map(|p| p.1) != Some(other) {
                        self.compare((first, other));
                    }
                }
            }
            DuplicatesAction::PreviewLoaded { preview, .. } => {
                self.preview = Some(match preview {
                    Ok(preview) => Preview::Loaded(Rc::from(preview)),
                    Err(error) => Preview::Failed(error.message),
                });
            }
            DuplicatesAction::Keep(id) => {
                if self.pair.is_some_and(|(a, b)| id == a || id == b) {
                    self.keep = Some(id);
                    self.merge_error = None;
                }
            }
            DuplicatesAction::Merge => {
                self.merging = self.merge_request();
                self.merge_seq += 1;
                self.merge_error = None;
            }
            DuplicatesAction::Merged(result) => {
                self.merging = None;
                match result {
                    Ok(receipt) => {
                        let name = |id| {
                            self.side(id)
                                .map_or_else(String::new, |s| s.contact.display_name())
                        };
                        self.offer = Some(MergeOffer {
                            survivor_name: name(receipt.survivor),
                            merged_name: name(receipt.merged),
                            receipt,
                            undo: UndoState::Offered,
                        });
                        self.step = Step::Merged;
                        self.result_entries = None;
                        self.result_request += 1;
                        self.changed += 1;
                        self.reload();
                    }
                    Err(error) => self.merge_error = Some(error.message),
                }
            }
            DuplicatesAction::ResultTimeline { entries, .. } => {
                self.result_entries = Some(entries.map(Rc::new));
            }
            DuplicatesAction::Undo => {
                if let Some(offer) = &mut self.offer {
                    offer.undo = UndoState::Running;
                    self.undo_seq += 1;
                }
            }
            DuplicatesAction::Undone(result) => match result {
                Ok(()) => {
                    if let Some(offer) = self.offer.take() {
                        self.notice = Some(format!(
                            "Merge undone: {} and {} are both back.",
                            offer.survivor_name, offer.merged_name
                        ));
                    }
                    if self.step == Step::Merged {
                        self.step = Step::Groups;
                    }
                    self.changed += 1;
                    self.reload();
                }
                Err(error) => {
                    if let Some(offer) = &mut self.offer {
                        offer.undo = UndoState::Failed(error.message);
                    }
                }
            },
            DuplicatesAction::DismissOffer => {
                if !matches!(
                    self.offer.as_ref().map(|o| &o.undo),
                    Some(UndoState::Running)
                ) {
                    self.offer = None;
                    self.notice = None;
                }
            }
            DuplicatesAction::Back => {
                self.step = Step::Groups;
                self.merge_error = None;
            }
        }
    }

    fn reload(&mut self) {
        self.groups_request += 1;
    }

    fn compare(&mut self, pair: (ContactId, ContactId)) {
        self.pair = Some(pair);
        // The oldest is the usual survivor (the group lists it first).
        self.keep = Some(pair.0);
        self.preview = Some(Preview::Loading);
        self.preview_request += 1;
        self.merge_error = None;
    }

    /// A merge or an undo is running.
    pub fn busy(&self) -> bool {
        self.merging.is_some()
            || matches!(
                self.offer.as_ref().map(|o| &o.undo),
                Some(UndoState::Running)
            )
    }

    /// The pair to preview, in the pair's order (the answer's roles are the pair's, not the
    /// choice of which to keep: choosing again asks nothing).
    pub fn preview_request(&self) -> Option<MergeRequest> {
        self.pair
            .map(|(survivor, merged)| MergeRequest { survivor, merged })
    }

    /// The merge the comparison would make: the one chosen kept, the other merged into it.
    pub fn merge_request(&self) -> Option<MergeRequest> {
        let (a, b) = self.pair?;
        let survivor = self.keep?;
        let merged = if survivor == a { b } else { a };
        Some(MergeRequest { survivor, merged })
    }

    fn can_merge(&self) -> bool {
        self.step == Step::Compare
            && self.merging.is_none()
            && matches!(self.preview, Some(Preview::Loaded(_)))
            && self.merge_request().is_some()
    }

    /// The loaded side showing contact `id`.
    pub fn side(&self, id: ContactId) -> Option<&MergeSide> {
        let Some(Preview::Loaded(preview)) = &self.preview else {
            return None;
        };
        [&preview.survivor, &preview.merged]
            .into_iter()
            .find(|side| side.contact.id == id)
    }

    /// The toolbar button's label: `None` until the groups are known, and when there are none
    /// (the button is not shown then).
    pub fn button_label(&self) -> Option<String> {
        if self.groups_view != ListView::Loaded || self.groups.is_empty() {
            return None;
        }
        let plus = if self.more_groups { "+" } else { "" };
        Some(format!("Duplicates · {}{plus}", self.groups.len()))
    }

    /// What the merge chosen will do, in a sentence (`None` until the pair is loaded).
    pub fn consequence(&self) -> Option<String> {
        let request = self.merge_request()?;
        let (keep, merge) = (self.side(request.survivor)?, self.side(request.merged)?);
        Some(consequence(keep, merge))
    }
}

/// "Bo Diaz's 1 note and 1 call or message move to Ada Diaz; bo@work.example and the tag
/// investor are added to Ada Diaz; Bo Diaz is deleted." The engine's rules (what it moves, which
/// emails, phones and tags it adds), said before it runs them.
pub fn consequence(keep: &MergeSide, merge: &MergeSide) -> String {
    let (keeper, merged) = (keep.contact.display_name(), merge.contact.display_name());
    let mut parts = Vec::new();
    let moved: Vec<String> = [
        (merge.notes, "note", "notes"),
        (merge.interactions, "call or message", "calls and messages"),
        (merge.bookings, "booking", "bookings"),
        (merge.tasks, "task", "tasks"),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, one, many)| count(u64::from(n), one, many))
    .collect();
    parts.push(if merge.more {
        format!(
            "{merged}'s notes, calls, bookings and tasks (more than {}) move to {keeper}",
            merge.entries()
        )
    } else if moved.is_empty() {
        format!("{merged} has no notes, calls, bookings or tasks to move")
    } else {
        // "1 note moves", "1 note and 1 task move", "2 notes move".
        let one = moved.len() == 1 && merge.entries() == 1;
        let verb = if one { "moves" } else { "move" };
        format!("{merged}'s {} {verb} to {keeper}", and_list(&moved))
    });
    let emails = merge.contact.emails.iter().filter(|e| {
        let key = MatchKey::email(&e.address);
        !(key.is_some()
            && keep
                .contact
                .emails
                .iter()
                .any(|k| MatchKey::email(&k.address) == key))
    });
    let phones = merge.contact.phones.iter().filter(|p| {
        let key = MatchKey::phone(&p.number);
        !(key.is_some()
            && keep
                .contact
                .phones
                .iter()
                .any(|k| MatchKey::phone(&k.number) == key))
    });
    let mut added: Vec<String> = emails
        .map(|e| e.address.clone())
        .chain(phones.map(|p| p.number.clone()))
        .collect();
    let tags: Vec<String> = merge
        .contact
        .tags
        .difference(&keep.contact.tags)
        .cloned()
        .collect();
    if !tags.is_empty() {
        let word = if tags.len() == 1 { "tag" } else { "tags" };
        added.push(format!("the {word} {}", and_list(&tags)));
    }
    if !added.is_empty() {
        let verb = if added.len() == 1 { "is" } else { "are" };
        parts.push(format!("{} {verb} added to {keeper}", and_list(&added)));
    }
    parts.push(format!("{merged} is deleted"));
    format!("{}.", parts.join("; "))
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the group's contacts share, for its row: "Same email: ada@example.com".
pub fn group_title(group: &DuplicateGroup) -> String {
    let first = group.contacts.first();
    match group.key_kind.as_str() {
        "email" => format!("Same email: {}", group.key_value),
        // The key is the number's last digits; the number as typed reads better.
        "phone" => format!(
            "Same phone: {}",
            first
                .and_then(|c| c.primary_phone.clone())
                .unwrap_or_else(|| group.key_value.clone())
        ),
        "name" => format!(
            "Same name: {}",
            first.map_or_else(|| group.key_value.clone(), |c| c.display_name.clone())
        ),
        other => format!("Same {other}: {}", group.key_value),
    }
}

#[cfg(test)]
#[path = "duplicates_tests.rs"]
mod tests;
