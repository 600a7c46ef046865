//! Contact lists: the query (filters, sort, keyset cursor) and the rows a page holds.

use chrono::{DateTime, Utc};
use fieldstone_model::{
    ContactId, ContactKind, CustomFieldType, LeadSource, Priority, Stage, UserId,
};
use serde::{Deserialize, Serialize};

/// The most contacts one page may hold.
pub const CONTACT_PAGE_MAX: u32 = 200;

/// A closed-open time window `[from, to)`; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Whether neither end is set (no filter).
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// What a contact list is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    #[default]
    Updated,
    Created,
    Name,
    Score,
    /// Never-contacted contacts sort as the oldest.
    LastContacted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactSort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for ContactSort {
    /// Most recently updated first.
    fn default() -> Self {
        Self {
            field: SortField::Updated,
            descending: true,
        }
    }
}

/// The sort value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    Int(i64),
    Text(String),
}

/// Where a page ended. The next page starts after it; it is only valid with the same sort.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: ContactSort,
    pub key: SortKey,
    pub id: ContactId,
}

/// Which contacts to list and in what order. Empty lists and `None` mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactQuery {
    /// Any of these stages.
    pub stages: Vec<Stage>,
    /// All of these tags (normalised like stored tags: trimmed, lower-cased, spaces folded).
    pub tags: Vec<String>,
    /// Any of these sources.
    pub sources: Vec<LeadSource>,
    /// Any of these kinds.
    pub kinds: Vec<ContactKind>,
    pub priorities: Vec<Priority>,
    pub owner: Option<UserId>,
    pub assigned_agent: Option<UserId>,
    pub created: TimeRange,
    pub updated: TimeRange,
    pub last_contacted: TimeRange,
    pub min_score: Option<u8>,
    pub max_score: Option<u8>,
    pub include_deleted: bool,
    /// Only the user's own contacts and those shared with them, leaving out those this device
    /// holds because the user reads teammates' records (a broker's Today).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mine_only: bool,
    /// Words matched as prefixes of names, emails, phone numbers, handles and the contact's
    /// notes, all of which must match. Blank means no search filter.
    pub search: Option<String>,
    /// All of these conditions on custom fields. Absent from lists saved before custom
    /// filters existed (the container's `serde(default)` reads them as none).
    pub custom: Vec<CustomFilter>,
    pub sort: ContactSort,
    /// 1..=[`CONTACT_PAGE_MAX`].
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for ContactQuery {
    fn default() -> Self {
        Self {
            stages: Vec::new(),
            tags: Vec::new(),
            sources: Vec::new(),
            kinds: Vec::new(),
            priorities: Vec::new(),
            owner: None,
            assigned_agent: None,
            created: TimeRange::default(),
            updated: TimeRange::default(),
            last_contacted: TimeRange::default(),
            min_score: None,
            max_score: None,
            include_deleted: false,
            mine_only: false,
            search: None,
            custom: Vec::new(),
            sort: ContactSort::default(),
            limit: 50,
            after: None,
        }
    }
}

/// The most custom-field conditions one query may hold.
pub const CUSTOM_FILTERS_MAX: usize = 10;

/// How a custom field is compared. Which apply depends on the field's type (see
/// [`CustomOp::applies_to`]); the engine refuses the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomOp {
    /// The contact has the field, whatever its value or type.
    IsSet,
    /// Text containing the value, ignoring case.
    Contains,
    /// Text equal to the value ignoring case, or the same number.
    Equals,
    /// A number below the value.
    Less,
    /// A number above the value.
    Greater,
    /// A date before the value's day.
    Before,
    /// A date after the value's day.
    After,
    /// A date on the value's day.
    On,
    /// A yes/no field answering the value (`yes` or `no`).
    Is,
}

impl CustomOp {
    pub const ALL: [CustomOp; 9] = [
        CustomOp::IsSet,
        CustomOp::Contains,
        CustomOp::Equals,
        CustomOp::Less,
        CustomOp::Greater,
        CustomOp::Before,
        CustomOp::After,
        CustomOp::On,
        CustomOp::Is,
    ];

    /// The conditions offered for a field of type `kind`, in the order a picker shows them.
    pub fn for_type(kind: CustomFieldType) -> &'static [CustomOp] {
        match kind {
            CustomFieldType::Text => &[CustomOp::Contains, CustomOp::Equals, CustomOp::IsSet],
            CustomFieldType::Number => &[
                CustomOp::Equals,
                CustomOp::Less,
                CustomOp::Greater,
                CustomOp::IsSet,
            ],
            CustomFieldType::Date => &[
                CustomOp::On,
                CustomOp::Before,
                CustomOp::After,
                CustomOp::IsSet,
            ],
            CustomFieldType::Bool => &[CustomOp::Is, CustomOp::IsSet],
        }
    }

    pub fn applies_to(self, kind: CustomFieldType) -> bool {
        Self::for_type(kind).contains(&self)
    }

    /// Stable machine name (the serde name).
    pub const fn as_str(self) -> &'static str {
        match self {
            CustomOp::IsSet => "is_set",
            CustomOp::Contains => "contains",
            CustomOp::Equals => "equals",
            CustomOp::Less => "less",
            CustomOp::Greater => "greater",
            CustomOp::Before => "before",
            CustomOp::After => "after",
            CustomOp::On => "on",
            CustomOp::Is => "is",
        }
    }

    /// How a picker names the condition for a field of type `kind`.
    pub const fn label(self, kind: CustomFieldType) -> &'static str {
        match (self, kind) {
            (CustomOp::IsSet, _) => "is set",
            (CustomOp::Contains, _) => "contains",
            (CustomOp::Equals, CustomFieldType::Number) => "=",
            (CustomOp::Equals, _) => "is",
            (CustomOp::Less, _) => "<",
            (CustomOp::Greater, _) => ">",
            (CustomOp::Before, _) => "before",
            (CustomOp::After, _) => "after",
            (CustomOp::On, _) => "on",
            (CustomOp::Is, _) => "is",
        }
    }
}

/// A condition on one custom field: its name (matched ignoring case), the type it is compared
/// as, how, and the value as typed (a number, a `YYYY-MM-DD` date, `yes`/`no`; empty for
/// [`CustomOp::IsSet`]). The value stays text so that what a person typed reaches the engine,
/// which answers a bad one with a message about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomFilter {
    pub key: String,
    #[serde(rename = "type")]
    pub field_type: CustomFieldType,
    pub op: CustomOp,
    #[serde(default)]
    pub value: String,
}

/// A custom field name used on the agent's contacts, with the type it has there (a name used
/// with two types is listed once per type), and on how many contacts (not deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldName {
    pub key: String,
    #[serde(rename = "type")]
    pub field_type: CustomFieldType,
    pub contacts: u64,
}

/// The most names [`CustomFieldName`] lists answer with (the most used first).
pub const CUSTOM_FIELD_NAMES_MAX: u32 = 200;

/// One row of a contact list: the read model's columns plus the tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: ContactId,
    pub display_name: String,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub stage: Stage,
    pub kind: ContactKind,
    pub source: LeadSource,
    pub priority: Priority,
    pub score: u8,
    pub owner: UserId,
    pub assigned_agent: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Sorted.
    pub tags: Vec<String>,
    /// The budget the contact gave (its maximum, else its minimum), whole currency units.
    #[serde(default)]
    pub budget: Option<u64>,
    /// When the contact entered its current stage.
    #[serde(default)]
    pub stage_since: Option<DateTime<Utc>>,
    /// The title of its earliest-due open task.
    #[serde(default)]
    pub next_step: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    /// Pass as `after` for the next page; `None` when this page is the last.
    pub next: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_saved_before_custom_filters_still_reads() {
        let old = r#"{"stages":["lead"],"tags":["vip"],"sort":{"field":"name","descending":false},"limit":50}"#;
        let query: ContactQuery = serde_json::from_str(old).expect("old query");
        assert!(query.custom.is_empty());
        assert_eq!(query.tags, ["vip"]);
    }

    #[test]
    fn custom_filters_round_trip_with_their_type_and_condition() {
        let query = ContactQuery {
            custom: vec![CustomFilter {
                key: "School district".into(),
                field_type: CustomFieldType::Number,
                op: CustomOp::Less,
                value: "4".into(),
            }],
            ..ContactQuery::default()
        };
        let json = serde_json::to_value(&query).expect("json");
        assert_eq!(
            json["custom"],
            serde_json::json!([{"key": "School district", "type": "number", "op": "less", "value": "4"}])
        );
        let back: ContactQuery = serde_json::from_value(json).expect("back");
        assert_eq!(back, query);
        let unknown = r#"{"custom":[{"key":"a","type":"colour","op":"is","value":""}]}"#;
        assert!(serde_json::from_str::<ContactQuery>(unknown).is_err());
    }

    #[test]
    fn each_type_offers_its_own_conditions() {
        for op in CustomOp::ALL {
            let json = serde_json::to_string(&op).expect("json");
            assert_eq!(json, format!("\"{}\"", op.as_str()));
            assert!(op.applies_to(CustomFieldType::Text) || op != CustomOp::Contains);
        }
        assert!(CustomOp::IsSet.applies_to(CustomFieldType::Bool));
        assert!(!CustomOp::Contains.applies_to(CustomFieldType::Number));
        assert!(!CustomOp::Less.applies_to(CustomFieldType::Date));
        assert_eq!(CustomOp::Equals.label(CustomFieldType::Number), "=");
    }
}

/// A contact's lead score as its header shows it (issue 15): seed 001's rule score with a line
/// per point, and the signed-in agent's own learned close probability once they have one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactScore {
    /// Scored at the instant the engine answered.
    pub rule: fieldstone_model::score::RuleScore,
    /// Which score the header leads with.
    pub which: fieldstone_model::score::WhichScore,
    /// The agent's own model on this contact; `None` until they have enough outcomes.
    pub learned: Option<LearnedScore>,
    /// The agent's closed (won) leads, for "4 of 10 … needed".
    pub won: u32,
    /// The agent's lost leads.
    pub lost: u32,
}

/// What the agent's own model says of one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedScore {
    /// 0..=1: how likely the agent closes a lead like this one.
    pub probability: f64,
    /// The model's strongest factors for this agent, strongest first.
    pub factors: Vec<ScoreFactor>,
}

/// One factor of an agent's model, as a sentence ("For you, showings are the strongest signal:
/// leads with more showings close more often.").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreFactor {
    /// The feature's machine name (`fieldstone_model::score::Feature::as_str`).
    pub feature: String,
    /// Positive: more of it, more often won.
    pub weight: f64,
    pub sentence: String,
}

impl ContactScore {
    /// The sentence that says which score is shown: "Rule score — 4 of 10 closed or lost leads
    /// needed for your own model", "Your model, from 37 outcomes".
    pub fn which_sentence(&self) -> String {
        let min = fieldstone_model::score::MIN_OUTCOMES;
        let has = self.won.saturating_add(self.lost);
        match (self.which, &self.learned) {
            (fieldstone_model::score::WhichScore::Learned { outcomes }, Some(_)) => {
                format!("Your model, from {outcomes} outcomes")
            }
            _ if (has as usize) < min => {
                format!("Rule score — {has} of {min} closed or lost leads needed for your own model")
            }
            _ if self.won == 0 || self.lost == 0 => format!(
                "Rule score — your own model needs closed and lost leads (you have {} closed, {} lost)",
                self.won, self.lost
            ),
            // Enough outcomes, but the fit failed (or this build cannot fit): say so plainly.
            _ => "Rule score — your own model could not be fitted yet".to_owned(),
        }
    }

    /// The learned probability as shown: "62% likely to close".
    pub fn probability_line(&self) -> Option<String> {
        self.learned.as_ref().map(|l| {
            format!(
                "{:.0}% likely to close",
                (l.probability * 100.0).clamp(0.0, 100.0)
            )
        })
    }
}

#[cfg(test)]
mod score_tests {
    use super::*;
    use fieldstone_model::score::{rule_score, ScoreInput, WhichScore};

    fn score(won: u32, lost: u32, learned: bool) -> ContactScore {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        ContactScore {
            rule: rule_score(&ScoreInput::default(), now),
            which: if learned {
                WhichScore::Learned {
                    outcomes: (won + lost) as usize,
                }
            } else {
                WhichScore::Rule
            },
            learned: learned.then(|| LearnedScore {
                probability: 0.624,
                factors: Vec::new(),
            }),
            won,
            lost,
        }
    }

    #[test]
    fn the_sentence_says_which_score_is_shown() {
        assert_eq!(
            score(3, 1, false).which_sentence(),
            "Rule score — 4 of 10 closed or lost leads needed for your own model"
        );
        assert_eq!(
            score(12, 0, false).which_sentence(),
            "Rule score — your own model needs closed and lost leads (you have 12 closed, 0 lost)"
        );
        let learned = score(20, 17, true);
        assert_eq!(learned.which_sentence(), "Your model, from 37 outcomes");
        assert_eq!(
            learned.probability_line().as_deref(),
            Some("62% likely to close")
        );
        assert_eq!(score(3, 1, false).probability_line(), None);
    }
}
