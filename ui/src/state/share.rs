//! Sharing a contact, from its header: the sheet asks the server who the contact can go to and
//! who has it now, lets the agent search and pick a teammate or a whole team, shares, and
//! removes a share (never the owner's). Everything here waits on the network, so every answer
//! carries the request it is for and a late one (the sheet closed, opened again) is dropped.

use super::ListView;
use fieldstone_model::ContactId;
use fieldstone_protocol::commands::{CommandError, ShareTargets, ShareWith, Shared};
use std::rc::Rc;
use yew::Reducible;

/// One choice in the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub with: ShareWith,
    /// "Bo Diaz", "Everyone in North".
    pub label: String,
    /// A person's email.
    pub detail: Option<String>,
}

/// A change asked of the server, while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Share(ShareWith),
    /// A current share's scope.
    Unshare(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ShareAction {
    Open,
    Close,
    /// Ask who has it again (after a failure, or changes from elsewhere).
    Reload,
    Loaded {
        request: u64,
        targets: Result<ShareTargets, String>,
    },
    Search(String),
    Choose(ShareWith),
    Share,
    Unshare(String),
    Changed {
        seq: u64,
        result: Result<Shared, CommandError>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShareState {
    pub contact: ContactId,
    pub open: bool,
    pub view: ListView,
    pub targets: Option<Rc<ShareTargets>>,
    /// Grows with every load asked for; the page loads when it does.
    pub request: u64,
    pub search: String,
    pub chosen: Option<ShareWith>,
    /// The change running now, and its number (the page runs it when the number grows).
    pub running: Option<Change>,
    pub change_seq: u64,
    /// Why the last change was refused.
    pub error: Option<String>,
    /// What the last change did, in a sentence.
    pub confirmation: Option<String>,
}

impl ShareState {
    pub fn new(contact: ContactId) -> Self {
        ShareState {
            contact,
            open: false,
            view: ListView::Loading,
            targets: None,
            request: 0,
            search: String::new(),
            chosen: None,
            running: None,
            change_seq: 0,
            error: None,
            confirmation: None,
        }
    }

    /// Teams first ("Everyone in North"), then people, those matching the search (name, email
    /// or team name, any case).
    pub fn choices(&self) -> Vec<Choice> {
        let Some(targets) = &self.targets else {
            return Vec::new();
        };
        let needle = self.search.trim().to_lowercase();
        let teams = targets.teams.iter().map(|t| Choice {
            with: ShareWith::Team(t.team_id),
            label: format!("Everyone in {}", t.name),
            detail: None,
        });
        let people = targets.people.iter().map(|p| Choice {
            with: ShareWith::User(p.user_id),
            label: p.name.clone(),
            detail: Some(p.email.clone()),
        });
        teams
            .chain(people)
            .filter(|c| {
                needle.is_empty()
                    || c.label.to_lowercase().contains(&needle)
                    || c.detail
                        .as_ref()
                        .is_some_and(|d| d.to_lowercase().contains(&needle))
            })
            .collect()
    }

    /// The chosen one, as the Share button names it.
    pub fn chosen_label(&self) -> Option<String> {
        let chosen = self.chosen?;
        self.choices()
            .into_iter()
            .find(|c| c.with == chosen)
            .map(|c| c.label)
    }

    /// Nobody to share with at all: not on a team (and not an admin).
    pub fn no_teammates(&self) -> bool {
        self.targets.as_ref().is_some_and(|t| !t.has_teammates)
    }

    fn reload(&mut self) {
        self.request += 1;
        if self.targets.is_none() {
            self.view = ListView::Loading;
        }
    }
}

impl Reducible for ShareState {
    type Action = ShareAction;

    fn reduce(self: Rc<Self>, action: ShareAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ShareAction::Open => {
                next = ShareState::new(self.contact);
                next.open = true;
                next.request = self.request + 1;
                next.change_seq = self.change_seq;
            }
            ShareAction::Close => {
                // The numbers keep growing, so an answer still on its way is dropped.
                next = ShareState::new(self.contact);
                next.request = self.request;
                next.change_seq = self.change_seq;
            }
            ShareAction::Reload if self.open && self.running.is_none() => next.reload(),
            ShareAction::Reload => return self,
            ShareAction::Loaded { request, targets } => {
                if !self.open || request != self.request {
                    return self;
                }
                match targets {
                    Ok(targets) => {
                        next.view = ListView::Loaded;
                        next.targets = Some(Rc::new(targets));
                        next.keep_choice_if_offered();
                    }
                    // A reload that fails keeps what showed, with the reason.
                    Err(message) if self.targets.is_some() => next.error = Some(message),
                    Err(message) => next.view = ListView::Failed(message),
                }
            }
            ShareAction::Search(search) => {
                next.search = search;
                // A choice the search hides is no choice: Share must say who it goes to.
                next.keep_choice_if_offered();
            }
            ShareAction::Choose(with) => {
                next.chosen = Some(with);
                next.error = None;
            }
            ShareAction::Share => {
                let Some(with) = self.chosen else {
                    return self;
                };
                if self.running.is_some() {
                    return self;
                }
                next.running = Some(Change::Share(with));
                next.change_seq += 1;
                next.error = None;
                next.confirmation = None;
            }
            ShareAction::Unshare(scope) => {
                let owner = self
                    .targets
                    .as_ref()
                    .and_then(|t| t.shares.iter().find(|s| s.scope == scope))
                    .is_none_or(|s| s.owner);
                if self.running.is_some() || owner {
                    return self;
                }
                next.running = Some(Change::Unshare(scope));
                next.change_seq += 1;
                next.error = None;
                next.confirmation = None;
            }
            ShareAction::Changed { seq, result } => {
                if !self.open || seq != self.change_seq {
                    return self;
                }
                next.running = None;
                match result {
                    Ok(shared) => {
                        next.targets = Some(Rc::new(shared.targets));
                        next.view = ListView::Loaded;
                        next.confirmation = Some(shared.message);
                        next.chosen = None;
                        next.search.clear();
                    }
                    Err(error) => next.error = Some(error.message),
                }
            }
        }
        Rc::new(next)
    }
}

impl ShareState {
    fn keep_choice_if_offered(&mut self) {
        if let Some(chosen) = self.chosen {
            if !self.choices().iter().any(|c| c.with == chosen) {
                self.chosen = None;
            }
        }
    }
}

#[cfg(test)]
#[path = "share_tests.rs"]
mod tests;
