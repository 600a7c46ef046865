//! The campaign wizard's draft, pure: the six steps, the edits each control makes to the
//! campaign being written, and which step a refused field belongs to (so the wizard opens it).

use fieldstone_model::campaign::ab::Confidence;
use fieldstone_model::campaign::record::CampaignId;
use fieldstone_model::campaign::trigger::Trigger;
use fieldstone_model::campaign::*;
use fieldstone_model::{FieldError, LeadSource, Stage};
use fieldstone_protocol::views::ContactQuery;

/// The wizard's steps, in order (seed 003).
pub const STEPS: [&str; 6] = [
    "Type", "Audience", "Content", "Schedule", "Review", "Launch",
];

/// What can start a sequence, as the schedule step offers it (`""`: the audience at launch).
pub const STARTS: [(&str, &str); 8] = [
    ("", "Everyone in the audience, when it is launched"),
    ("tag_added", "When a tag is added to a contact"),
    ("stage_reached", "When a contact reaches a stage"),
    ("new_lead", "When a new lead arrives"),
    (
        "booking_completed",
        "After a showing or meeting takes place",
    ),
    (
        "listing_match",
        "When a new listing fits what a buyer asked for",
    ),
    ("birthday", "On a contact's birthday"),
    ("silent", "After days without contact"),
];

/// What the wizard holds while the agent writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub step: usize,
    /// The campaign being edited (`None`: new).
    pub id: Option<CampaignId>,
    pub input: CampaignInput,
    /// The tags box as typed ("buyer, spring").
    pub tags: String,
    /// The set start as the `datetime-local` box has it (`2026-12-10T09:00`).
    pub at: String,
    /// What the last save or launch refused, each at its field.
    pub errors: Vec<FieldError>,
}

pub fn blank_variation(label: &str, percent: u8) -> Variation {
    Variation {
        label: label.to_owned(),
        percent,
        subject: String::new(),
        body: String::new(),
    }
}

fn blank_step(wait_days: u16) -> CampaignStep {
    CampaignStep {
        channel: StepChannel::Email,
        wait_days,
        variations: vec![blank_variation("A", 100)],
    }
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            step: 0,
            id: None,
            input: CampaignInput {
                name: String::new(),
                kind: CampaignKind::Broadcast,
                audience: Default::default(),
                trigger: None,
                steps: vec![blank_step(0)],
                schedule: Schedule::default(),
                ab: None,
                exit: Default::default(),
            },
            tags: String::new(),
            at: String::new(),
            errors: Vec::new(),
        }
    }
}

impl Draft {
    /// An existing campaign's content, to edit (a draft, or a paused campaign).
    pub fn editing(id: CampaignId, input: CampaignInput) -> Self {
        let at = match input.schedule.start {
            Start::At { local } => local.format("%Y-%m-%dT%H:%M").to_string(),
            Start::Now => String::new(),
        };
        Draft {
            tags: input.audience.tags.join(", "),
            at,
            id: Some(id),
            input,
            ..Draft::default()
        }
    }

    /// The campaign as the engine will check it: the typed boxes read into it.
    pub fn campaign(&self) -> CampaignInput {
        let mut input = self.input.clone();
        input.audience.tags = self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if let Start::At { .. } = input.schedule.start {
            if let Ok(local) =
                chrono::NaiveDateTime::parse_from_str(self.at.trim(), "%Y-%m-%dT%H:%M")
            {
                input.schedule.start = Start::At { local };
            }
        }
        input
    }

    /// Changes the type; a broadcast keeps one step and sends call tasks nowhere.
    pub fn set_kind(&mut self, kind: CampaignKind) {
        self.input.kind = kind;
        if kind == CampaignKind::Broadcast {
            self.input.steps.truncate(1);
            self.input.trigger = None;
        } else {
            self.input.schedule.repeat = Repeat::Once;
        }
        if kind != CampaignKind::MultiTouch {
            for step in &mut self.input.steps {
                if step.channel == StepChannel::Call {
                    step.channel = StepChannel::Email;
                }
            }
        }
        if let Some(ab) = self.input.ab.as_mut() {
            if kind != CampaignKind::Broadcast {
                ab.split.winner_to_rest = false;
            }
        }
    }

    /// Starts the audience from a smart list: its stages, tags, sources and score range (the
    /// criteria a campaign has). Answers the list's other filters, which the campaign cannot
    /// keep (a campaign goes by the contact's own facts, on the server too).
    pub fn apply_smart_list(&mut self, name: &str, q: &ContactQuery) -> Vec<&'static str> {
        let a = &mut self.input.audience;
        a.everyone = false;
        a.contacts.clear();
        a.stages = q.stages.clone();
        a.sources = q.sources.clone();
        a.min_score = q.min_score;
        a.max_score = q.max_score;
        a.list_name = Some(name.to_owned());
        self.tags = q.tags.join(", ");
        let mut dropped = Vec::new();
        for (unused, what) in [
            (q.kinds.is_empty(), "contact kind"),
            (q.priorities.is_empty(), "priority"),
            (q.owner.is_none() && q.assigned_agent.is_none(), "owner"),
            (
                q.created.is_open() && q.updated.is_open() && q.last_contacted.is_open(),
                "dates",
            ),
            (
                q.search.as_deref().is_none_or(|s| s.trim().is_empty()),
                "search words",
            ),
            (q.custom.is_empty(), "custom fields"),
        ] {
            if !unused {
                dropped.push(what);
            }
        }
        dropped
    }

    /// What starts the sequence, as [`STARTS`] names it.
    pub fn start_key(&self) -> &'static str {
        match &self.input.trigger {
            None => "",
            Some(Trigger::TagAdded { .. }) => "tag_added",
            Some(Trigger::StageReached { .. }) => "stage_reached",
            Some(Trigger::NewLead { .. }) => "new_lead",
            Some(Trigger::BookingCompleted) => "booking_completed",
            Some(Trigger::ListingMatch) => "listing_match",
            Some(Trigger::Birthday { .. }) => "birthday",
            Some(Trigger::Silent { .. }) => "silent",
        }
    }

    /// Chooses what starts the sequence (each with a sensible first value); a triggered
    /// sequence starts when it fires, so a set start time goes.
    pub fn set_start(&mut self, key: &str) {
        if key == self.start_key() {
            return;
        }
        self.input.trigger = match key {
            "tag_added" => Some(Trigger::TagAdded { tag: String::new() }),
            "stage_reached" => Some(Trigger::StageReached {
                stage: Stage::Qualified,
            }),
            "new_lead" => Some(Trigger::NewLead { source: None }),
            "booking_completed" => Some(Trigger::BookingCompleted),
            "listing_match" => Some(Trigger::ListingMatch),
            "birthday" => Some(Trigger::Birthday {
                field: "birthday".to_owned(),
            }),
            "silent" => Some(Trigger::Silent { days: 90 }),
            _ => None,
        };
        if self.input.trigger.is_some() {
            self.input.schedule.start = Start::Now;
        }
    }

    /// The new lead trigger's source (`""`: any).
    pub fn set_lead_source(&mut self, value: &str) {
        if let Some(Trigger::NewLead { source }) = self.input.trigger.as_mut() {
            *source = value.parse::<LeadSource>().ok();
        }
    }

    /// Adds or removes `stage` from the stages a contact leaves on.
    pub fn flip_exit_stage(&mut self, stage: Stage) {
        let stages = &mut self.input.exit.on_stages;
        match stages.iter().position(|s| *s == stage) {
            Some(at) => {
                stages.remove(at);
            }
            None => stages.push(stage),
        }
    }

    pub fn add_step(&mut self) {
        if self.input.steps.len() < STEPS_MAX {
            self.input.steps.push(blank_step(3));
        }
    }

    pub fn remove_step(&mut self, i: usize) {
        if self.input.steps.len() > 1 && i < self.input.steps.len() {
            self.input.steps.remove(i);
            self.sync_test();
        }
    }

    /// Another variation of step `i` (an A/B test): the shares split evenly.
    pub fn add_variation(&mut self, i: usize) {
        let Some(step) = self.input.steps.get_mut(i) else {
            return;
        };
        if step.variations.len() >= VARIATIONS_MAX {
            return;
        }
        let label = ((b'A' + step.variations.len() as u8) as char).to_string();
        step.variations.push(blank_variation(&label, 0));
        even(&mut step.variations);
        self.sync_test();
    }

    pub fn remove_variation(&mut self, i: usize, v: usize) {
        let Some(step) = self.input.steps.get_mut(i) else {
            return;
        };
        if step.variations.len() > 1 && v < step.variations.len() {
            step.variations.remove(v);
            for (n, variation) in step.variations.iter_mut().enumerate() {
                variation.label = ((b'A' + n as u8) as char).to_string();
            }
            even(&mut step.variations);
        }
        self.sync_test();
    }

    /// A test exists exactly while some step has more than one variation.
    fn sync_test(&mut self) {
        let tested = self.input.steps.iter().any(|s| s.variations.len() > 1);
        match (tested, self.input.ab.is_some()) {
            (true, false) => {
                self.input.ab = Some(AbTest {
                    metric: AbMetric::Open,
                    confidence: Confidence::default(),
                    decide_after_hours: Some(24),
                    min_per_variation: 100,
                    split: Default::default(),
                })
            }
            (false, true) => self.input.ab = None,
            _ => {}
        }
    }

    /// The step a refused field is written in.
    pub fn step_of(field: &str) -> usize {
        let head = field.split(['.', '[']).next().unwrap_or(field);
        match head {
            "name" | "kind" => 0,
            "audience" => 1,
            "steps" | "ab" => 2,
            "schedule" | "trigger" | "exit" => 3,
            _ => 4,
        }
    }

    /// The message for `field` from the last refusal, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }

    /// Keeps the refusal and opens the step of its first field.
    pub fn refused(&mut self, errors: Vec<FieldError>) {
        if let Some(first) = errors.first() {
            self.step = Self::step_of(&first.field).min(self.step);
        }
        self.errors = errors;
    }
}

/// Splits 100 evenly over `variations`, the first ones taking the remainder (34/33/33).
fn even(variations: &mut [Variation]) {
    let n = variations.len().max(1) as u8;
    for (i, v) in variations.iter_mut().enumerate() {
        v.percent = 100 / n + u8::from((i as u8) < 100 % n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variations_split_evenly_and_a_test_follows_them() {
        let mut d = Draft::default();
        d.add_variation(0);
        d.add_variation(0);
        let shares: Vec<u8> = d.input.steps[0]
            .variations
            .iter()
            .map(|v| v.percent)
            .collect();
        assert_eq!(shares, [34, 33, 33]);
        assert!(d.input.ab.is_some());
        d.remove_variation(0, 0);
        let labels: Vec<&str> = d.input.steps[0]
            .variations
            .iter()
            .map(|v| v.label.as_str())
            .collect();
        assert_eq!(labels, ["A", "B"]);
        d.remove_variation(0, 1);
        assert!(d.input.ab.is_none(), "one version: no test");
    }

    #[test]
    fn a_refusal_opens_the_step_of_its_first_field() {
        let mut d = Draft {
            step: 4,
            ..Draft::default()
        };
        d.refused(vec![FieldError {
            field: "steps.0.variations.1.subject".into(),
            message: "Unknown variable".into(),
        }]);
        assert_eq!(d.step, 2);
        assert_eq!(Draft::step_of("audience.tags.2"), 1);
        assert_eq!(Draft::step_of("schedule.start"), 3);
        assert_eq!(Draft::step_of("name"), 0);
    }

    #[test]
    fn typed_tags_and_time_are_read_into_the_campaign() {
        let mut d = Draft {
            tags: " buyer, , spring ".into(),
            at: "2026-12-10T09:30".into(),
            ..Draft::default()
        };
        d.input.schedule.start = Start::At {
            local: chrono::NaiveDateTime::default(),
        };
        let c = d.campaign();
        assert_eq!(c.audience.tags, ["buyer", "spring"]);
        assert_eq!(
            c.schedule.start,
            Start::At {
                local: chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
                    .and_then(|d| d.and_hms_opt(9, 30, 0))
                    .expect("time")
            }
        );
        d.set_kind(CampaignKind::Drip);
        d.add_step();
        d.set_kind(CampaignKind::Broadcast);
        assert_eq!(d.input.steps.len(), 1, "a broadcast sends one message");
    }

    #[test]
    fn a_smart_list_gives_its_criteria_and_names_the_filters_a_campaign_cannot_keep() {
        let mut d = Draft::default();
        d.input.audience.everyone = true;
        let q = ContactQuery {
            stages: vec![Stage::Lead],
            tags: vec!["buyer".into(), "spring".into()],
            sources: vec![LeadSource::Zillow],
            min_score: Some(50),
            search: Some("  ".into()),
            ..ContactQuery::default()
        };
        assert!(d.apply_smart_list("Hot buyers", &q).is_empty());
        let c = d.campaign();
        assert!(!c.audience.everyone);
        assert_eq!(c.audience.tags, ["buyer", "spring"]);
        assert_eq!(c.audience.list_name.as_deref(), Some("Hot buyers"));
        assert_eq!(c.audience.min_score, Some(50));
        let q = ContactQuery {
            priorities: vec![fieldstone_model::Priority::High],
            search: Some("lake".into()),
            ..q
        };
        assert_eq!(d.apply_smart_list("Lake", &q), ["priority", "search words"]);
    }

    #[test]
    fn choosing_a_trigger_drops_a_set_time_and_a_broadcast_drops_the_trigger() {
        let mut d = Draft::default();
        d.set_kind(CampaignKind::Drip);
        d.input.schedule.start = Start::At {
            local: chrono::NaiveDateTime::default(),
        };
        d.set_start("new_lead");
        assert_eq!(d.start_key(), "new_lead");
        assert_eq!(d.input.schedule.start, Start::Now);
        d.set_lead_source("zillow");
        assert_eq!(
            d.input.trigger,
            Some(Trigger::NewLead {
                source: Some(LeadSource::Zillow)
            })
        );
        d.set_lead_source("");
        assert_eq!(d.input.trigger, Some(Trigger::NewLead { source: None }));
        // Choosing the same again keeps what was typed.
        d.set_start("tag_added");
        if let Some(Trigger::TagAdded { tag }) = d.input.trigger.as_mut() {
            *tag = "hot".into();
        }
        d.set_start("tag_added");
        assert_eq!(
            d.input.trigger,
            Some(Trigger::TagAdded { tag: "hot".into() })
        );
        d.flip_exit_stage(Stage::Closed);
        assert!(!d.input.exit.on_stages.contains(&Stage::Closed));
        d.flip_exit_stage(Stage::Closed);
        assert!(d.input.exit.on_stages.contains(&Stage::Closed));
        d.set_kind(CampaignKind::Broadcast);
        assert_eq!(d.input.trigger, None, "a broadcast is not triggered");
    }
}
