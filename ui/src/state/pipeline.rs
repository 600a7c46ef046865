//! The pipeline: one column per stage with its count and most recently updated contacts, and
//! drag-and-drop between columns. A drop moves the card at once (and the counts with it); the
//! engine is asked after, and a refusal puts everything back as the engine has it.

use super::ListView;
use fieldstone_model::{ContactId, Stage};
use fieldstone_protocol::commands::{MoveStage, Pipeline, PipelineColumn};
use fieldstone_protocol::views::ContactPage;
use std::rc::Rc;
use yew::Reducible;

/// Cards per column on the first load; more on request.
pub const PER_STAGE: u32 = 50;

/// A card being dragged and the column it is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drag {
    pub id: ContactId,
    pub from: Stage,
    pub over: Option<Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineAction {
    Reload,
    Loaded {
        request: u64,
        pipeline: Pipeline,
    },
    Failed {
        request: u64,
        message: String,
    },
    /// More cards for a column.
    More(Stage),
    /// More cards for a column, or why they could not be read.
    MoreLoaded {
        request: u64,
        stage: Stage,
        page: Result<ContactPage, String>,
    },
    DragStart(ContactId),
    DragOver(Option<Stage>),
    DragEnd,
    /// The dragged card was dropped on this column.
    Drop(Stage),
    Moved(Result<(), String>),
    DismissMessage,
    /// "Move to…" on a card (phones, keyboards): the same move as a drop, without a drag.
    MoveTo(ContactId, Stage),
    /// The stage tab shown at phone width.
    Tab(Stage),
    /// Open or fold a column that folds (Closed, Lost).
    ToggleColumn(Stage),
}

/// Columns folded to a narrow strip until opened, so the open stages have room at 1280 px.
pub const FOLDED_BY_DEFAULT: [Stage; 2] = [Stage::Closed, Stage::Lost];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineState {
    pub columns: Rc<Vec<PipelineColumn>>,
    pub view: ListView,
    pub request: u64,
    pub drag: Option<Drag>,
    /// A move to write: (seq, move).
    pub moving: Option<(u64, MoveStage)>,
    move_seq: u64,
    /// A column loading more: (seq, stage).
    pub loading_more: Option<(u64, Stage)>,
    more_seq: u64,
    pub message: Option<String>,
    /// The stage tab chosen at phone width; `None`: the first stage with anyone in it.
    pub tab: Option<Stage>,
    /// Foldable columns the agent opened.
    pub unfolded: Vec<Stage>,
}

impl Default for PipelineState {
    fn default() -> Self {
        PipelineState {
            columns: Rc::new(Vec::new()),
            view: ListView::Loading,
            request: 1,
            drag: None,
            moving: None,
            move_seq: 0,
            loading_more: None,
            more_seq: 0,
            message: None,
            tab: None,
            unfolded: Vec::new(),
        }
    }
}

impl PipelineState {
    /// The stage shown at phone width: the chosen tab, else the first non-empty stage.
    pub fn shown_tab(&self) -> Stage {
        self.tab
            .or_else(|| self.columns.iter().find(|c| c.count > 0).map(|c| c.stage))
            .unwrap_or(Stage::Lead)
    }

    /// Whether the column shows as a folded strip (a drag over it opens it as a target).
    pub fn folded(&self, stage: Stage) -> bool {
        FOLDED_BY_DEFAULT.contains(&stage) && !self.unfolded.contains(&stage)
    }

    pub fn column(&self, stage: Stage) -> Option<&PipelineColumn> {
        self.columns.iter().find(|c| c.stage == stage)
    }

    fn stage_of(&self, id: ContactId) -> Option<Stage> {
        self.columns
            .iter()
            .find(|c| c.contacts.iter().any(|card| card.id == id))
            .map(|c| c.stage)
    }

    /// Moves a card between columns here, before the engine is asked.
    fn move_card(&mut self, id: ContactId, to: Stage) {
        let mut columns = (*self.columns).clone();
        let Some(from) = columns
            .iter()
            .position(|c| c.contacts.iter().any(|card| card.id == id))
        else {
            return;
        };
        let Some(at) = columns[from].contacts.iter().position(|card| card.id == id) else {
            return;
        };
        let mut card = columns[from].contacts.remove(at);
        columns[from].count = columns[from].count.saturating_sub(1);
        let budget = card.budget.unwrap_or(0);
        columns[from].budget = columns[from].budget.saturating_sub(budget);
        card.stage = to;
        if let Some(target) = columns.iter_mut().find(|c| c.stage == to) {
            target.contacts.insert(0, card);
            target.count += 1;
            target.budget += budget;
        }
        self.columns = Rc::new(columns);
    }
}

impl Reducible for PipelineState {
    type Action = PipelineAction;

    fn reduce(self: Rc<Self>, action: PipelineAction) -> Rc<Self> {
        match &action {
            PipelineAction::Loaded { request, .. }
            | PipelineAction::Failed { request, .. }
            | PipelineAction::MoreLoaded { request, .. }
                if *request != self.request =>
            {
                return self;
            }
            PipelineAction::DragOver(over) if self.drag.map(|d| d.over) == Some(*over) => {
                return self;
            }
            PipelineAction::DragOver(_) | PipelineAction::Drop(_) if self.drag.is_none() => {
                return self;
            }
            PipelineAction::DragEnd if self.drag.is_none() => return self,
            PipelineAction::More(_) if self.loading_more.is_some() => return self,
            _ => {}
        }
        let mut next = (*self).clone();
        match action {
            PipelineAction::Reload => {
                next.request += 1;
                next.loading_more = None;
            }
            PipelineAction::Loaded { pipeline, .. } => {
                next.columns = Rc::new(pipeline.columns);
                next.view = ListView::Loaded;
            }
            PipelineAction::Failed { message, .. } => {
                if next.view == ListView::Loaded {
                    next.message = Some(message);
                } else {
                    next.view = ListView::Failed(message);
                }
            }
            PipelineAction::More(stage) => {
                if next.column(stage).and_then(|c| c.next.as_ref()).is_none() {
                    return self;
                }
                next.more_seq += 1;
                next.loading_more = Some((next.more_seq, stage));
            }
            PipelineAction::MoreLoaded { stage, page, .. } => {
                next.loading_more = None;
                let page = match page {
                    Ok(page) => page,
                    Err(message) => {
                        next.message = Some(format!("Couldn't load more contacts: {message}"));
                        return Rc::new(next);
                    }
                };
                let mut columns = (*next.columns).clone();
                if let Some(column) = columns.iter_mut().find(|c| c.stage == stage) {
                    let known: Vec<ContactId> = column.contacts.iter().map(|c| c.id).collect();
                    column
                        .contacts
                        .extend(page.items.into_iter().filter(|c| !known.contains(&c.id)));
                    column.next = page.next;
                }
                next.columns = Rc::new(columns);
            }
            PipelineAction::DragStart(id) => {
                let Some(from) = next.stage_of(id) else {
                    return self;
                };
                next.drag = Some(Drag {
                    id,
                    from,
                    over: None,
                });
                next.message = None;
            }
            PipelineAction::DragOver(over) => {
                if let Some(drag) = &mut next.drag {
                    drag.over = over;
                }
            }
            PipelineAction::DragEnd => next.drag = None,
            PipelineAction::Drop(stage) => {
                let Some(drag) = next.drag.take() else {
                    return self;
                };
                if drag.from != stage {
                    next.move_card(drag.id, stage);
                    next.move_seq += 1;
                    next.moving = Some((next.move_seq, MoveStage { id: drag.id, stage }));
                }
            }
            PipelineAction::Moved(result) => {
                next.moving = None;
                if let Err(message) = result {
                    next.message = Some(format!("Could not move the contact: {message}"));
                }
                // Either way, show what the engine has (counts included).
                next.request += 1;
            }
            PipelineAction::DismissMessage => next.message = None,
            PipelineAction::MoveTo(id, stage) => {
                if next.moving.is_some() || next.stage_of(id).is_none_or(|from| from == stage) {
                    return self;
                }
                next.move_card(id, stage);
                next.move_seq += 1;
                next.moving = Some((next.move_seq, MoveStage { id, stage }));
                next.message = None;
            }
            PipelineAction::Tab(stage) => next.tab = Some(stage),
            PipelineAction::ToggleColumn(stage) => {
                if let Some(at) = next.unfolded.iter().position(|s| *s == stage) {
                    next.unfolded.remove(at);
                } else if FOLDED_BY_DEFAULT.contains(&stage) {
                    next.unfolded.push(stage);
                }
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::contacts::tests::{contact_id, summary};

    fn pipeline() -> Pipeline {
        Pipeline {
            columns: Stage::ALL
                .into_iter()
                .map(|stage| PipelineColumn {
                    stage,
                    count: if stage == Stage::Lead { 2 } else { 0 },
                    budget: 0,
                    contacts: if stage == Stage::Lead {
                        vec![summary(1, "Ada"), summary(2, "Grace")]
                    } else {
                        vec![]
                    },
                    next: None,
                })
                .collect(),
        }
    }

    fn loaded() -> Rc<PipelineState> {
        Rc::new(PipelineState::default()).reduce(PipelineAction::Loaded {
            request: 1,
            pipeline: pipeline(),
        })
    }

    fn names(state: &PipelineState, stage: Stage) -> Vec<String> {
        state
            .column(stage)
            .map(|c| c.contacts.iter().map(|s| s.display_name.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_drop_on_another_column_moves_the_card_and_the_counts_at_once() {
        let state = loaded()
            .reduce(PipelineAction::DragStart(contact_id(2)))
            .reduce(PipelineAction::DragOver(Some(Stage::Qualified)));
        assert_eq!(state.drag.map(|d| d.over), Some(Some(Stage::Qualified)));
        let state = state.reduce(PipelineAction::Drop(Stage::Qualified));
        assert_eq!(state.drag, None);
        assert_eq!(names(&state, Stage::Lead), ["Ada"]);
        assert_eq!(names(&state, Stage::Qualified), ["Grace"]);
        assert_eq!(state.column(Stage::Lead).map(|c| c.count), Some(1));
        assert_eq!(state.column(Stage::Qualified).map(|c| c.count), Some(1));
        assert_eq!(
            state.column(Stage::Qualified).map(|c| c.contacts[0].stage),
            Some(Stage::Qualified)
        );
        assert_eq!(
            state.moving,
            Some((
                1,
                MoveStage {
                    id: contact_id(2),
                    stage: Stage::Qualified
                }
            ))
        );
        let state = state.reduce(PipelineAction::Moved(Ok(())));
        assert_eq!(state.moving, None);
        assert_eq!(state.request, 2, "reloaded from the engine");
    }

    #[test]
    fn move_to_moves_the_card_its_count_and_its_budget_without_a_drag() {
        let mut state = (*loaded()).clone();
        let mut columns = (*state.columns).clone();
        columns[0].budget = 900_000;
        columns[0].contacts[1].budget = Some(600_000);
        state.columns = Rc::new(columns);
        let state = Rc::new(state).reduce(PipelineAction::MoveTo(contact_id(2), Stage::Offer));
        assert_eq!(names(&state, Stage::Offer), ["Grace"]);
        assert_eq!(
            state.column(Stage::Lead).map(|c| (c.count, c.budget)),
            Some((1, 300_000))
        );
        assert_eq!(
            state.column(Stage::Offer).map(|c| (c.count, c.budget)),
            Some((1, 600_000))
        );
        assert!(state.moving.is_some());
        // One move at a time, and none to where it already is.
        let again = Rc::clone(&state).reduce(PipelineAction::MoveTo(contact_id(1), Stage::Offer));
        assert!(Rc::ptr_eq(&state, &again));
        let state = state.reduce(PipelineAction::Moved(Ok(())));
        let same = Rc::clone(&state).reduce(PipelineAction::MoveTo(contact_id(1), Stage::Lead));
        assert!(Rc::ptr_eq(&state, &same));
    }

    #[test]
    fn the_phone_tab_opens_on_the_first_stage_with_anyone_and_folds_toggle() {
        let state = loaded();
        assert_eq!(state.shown_tab(), Stage::Lead);
        let mut empty_first = (*state).clone();
        let mut columns = (*empty_first.columns).clone();
        columns[0].count = 0;
        columns[2].count = 3;
        empty_first.columns = Rc::new(columns);
        assert_eq!(empty_first.shown_tab(), Stage::Showing);
        let state = state.reduce(PipelineAction::Tab(Stage::Closed));
        assert_eq!(state.shown_tab(), Stage::Closed);
        assert!(state.folded(Stage::Lost) && state.folded(Stage::Closed));
        assert!(!state.folded(Stage::Lead), "open stages never fold");
        let state = state.reduce(PipelineAction::ToggleColumn(Stage::Lost));
        assert!(!state.folded(Stage::Lost));
        let state = state
            .reduce(PipelineAction::ToggleColumn(Stage::Lost))
            .reduce(PipelineAction::ToggleColumn(Stage::Lead));
        assert!(state.folded(Stage::Lost));
        assert!(!state.folded(Stage::Lead));
    }

    #[test]
    fn a_drop_where_it_started_or_without_a_drag_does_nothing() {
        let state = loaded()
            .reduce(PipelineAction::DragStart(contact_id(1)))
            .reduce(PipelineAction::Drop(Stage::Lead));
        assert_eq!(state.moving, None);
        assert_eq!(names(&state, Stage::Lead), ["Ada", "Grace"]);
        let state = loaded();
        let same = Rc::clone(&state).reduce(PipelineAction::Drop(Stage::Offer));
        assert!(Rc::ptr_eq(&state, &same));
    }

    #[test]
    fn a_refused_move_says_why_and_reloads() {
        let state = loaded()
            .reduce(PipelineAction::DragStart(contact_id(1)))
            .reduce(PipelineAction::Drop(Stage::Offer))
            .reduce(PipelineAction::Moved(Err("The disk is full.".into())));
        assert_eq!(
            state.message.as_deref(),
            Some("Could not move the contact: The disk is full.")
        );
        assert_eq!(state.request, 2);
    }

    #[test]
    fn stale_loads_are_dropped_and_more_cards_are_appended_once() {
        let state = loaded().reduce(PipelineAction::Reload);
        let stale = Rc::clone(&state).reduce(PipelineAction::Loaded {
            request: 1,
            pipeline: Pipeline { columns: vec![] },
        });
        assert!(Rc::ptr_eq(&state, &stale));
        let no_more = Rc::clone(&state).reduce(PipelineAction::More(Stage::Lead));
        assert!(Rc::ptr_eq(&state, &no_more), "the column has no next page");
        let state = state.reduce(PipelineAction::MoreLoaded {
            request: 2,
            stage: Stage::Lead,
            page: Ok(ContactPage {
                items: vec![summary(2, "Grace"), summary(3, "Alan")],
                next: None,
            }),
        });
        assert_eq!(names(&state, Stage::Lead), ["Ada", "Grace", "Alan"]);
    }

    #[test]
    fn more_cards_that_cannot_be_read_say_why_and_free_the_column() {
        let mut state = (*loaded()).clone();
        state.loading_more = Some((1, Stage::Lead));
        let state = Rc::new(state).reduce(PipelineAction::MoreLoaded {
            request: 1,
            stage: Stage::Lead,
            page: Err("The database is busy.".into()),
        });
        assert_eq!(state.loading_more, None);
        assert_eq!(
            state.message.as_deref(),
            Some("Couldn't load more contacts: The database is busy.")
        );
        assert_eq!(
            names(&state, Stage::Lead),
            ["Ada", "Grace"],
            "the cards shown stay"
        );
    }
}
