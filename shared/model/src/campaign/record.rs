//! A stored campaign: what the agent wrote (the checked [`CampaignInput`]), where it stands,
//! and what the server reports back (counts per step and variation, the tests' winners).

use super::{CampaignInput, CampaignStatus};
use crate::ids::UserId;
use crate::validation::Valid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::ids::id_type!(
    /// A campaign.
    CampaignId
);

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: CampaignId,
    /// What the agent wrote, checked whole.
    pub spec: CampaignInput,
    pub status: CampaignStatus,
    pub status_at: Option<DateTime<Utc>>,
    /// The first launch (the test's clock and the schedule start from it).
    pub launched_at: Option<DateTime<Utc>>,
    /// The agent whose campaign it is (whose name it goes out with).
    pub owner: UserId,
    /// Written by the server only.
    pub result: CampaignResult,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

crate::common::soft_delete_by_field!(Campaign);

/// What the server has done so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignResult {
    /// Contacts who joined (a broadcast: its audience at launch).
    pub enrolled: u64,
    /// Of them, those who left a sequence (replied, unsubscribed, reached a stage).
    pub left: u64,
    /// Per step and variation, earliest step first.
    pub counts: Vec<StepCounts>,
    /// The tests that named a winner.
    pub winners: Vec<StepWinner>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One step's figures for one variation (or the control group, `variation: "control"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StepCounts {
    pub step: u16,
    pub variation: String,
    pub sent: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub replied: u64,
    pub unsubscribed: u64,
    pub bounced: u64,
    /// Refused by the broker (no consent, do-not-call, quiet hours, quota): counted, not hidden.
    pub refused: u64,
    /// Bookings made with the recipient after the step went out.
    pub bookings: u64,
}

/// A test's decision on one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepWinner {
    pub step: u16,
    pub variation: String,
    pub decided_at: DateTime<Utc>,
}

/// Why a change to a campaign was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignChangeError {
    #[error("A {} campaign cannot be {}.", .from.label().to_lowercase(), verb(*.to))]
    Status {
        from: CampaignStatus,
        to: CampaignStatus,
    },
    #[error("A running campaign's content cannot change: pause it first.")]
    Running,
    #[error("A {} campaign cannot change any more.", .0.label().to_lowercase())]
    Over(CampaignStatus),
}

const fn verb(to: CampaignStatus) -> &'static str {
    match to {
        CampaignStatus::Draft => "made a draft again",
        CampaignStatus::Running => "launched or resumed",
        CampaignStatus::Paused => "paused",
        CampaignStatus::Stopped => "stopped",
        CampaignStatus::Finished => "marked finished",
    }
}

impl Campaign {
    /// A new draft from a checked input. The engine mints the id and passes the time in.
    pub fn create(
        id: CampaignId,
        spec: Valid<CampaignInput>,
        owner: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        Campaign {
            id,
            spec: spec.into_inner(),
            status: CampaignStatus::Draft,
            status_at: None,
            launched_at: None,
            owner,
            result: CampaignResult::default(),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    /// Replaces the content (a draft, or a paused campaign whose later steps change).
    pub fn edit(
        &mut self,
        spec: Valid<CampaignInput>,
        at: DateTime<Utc>,
    ) -> Result<(), CampaignChangeError> {
        match self.status {
            CampaignStatus::Draft | CampaignStatus::Paused => {}
            CampaignStatus::Running => return Err(CampaignChangeError::Running),
            done => return Err(CampaignChangeError::Over(done)),
        }
        self.spec = spec.into_inner();
        self.updated_at = at;
        Ok(())
    }

    /// Launches, pauses, resumes or stops, as [`CampaignStatus::can_become`] allows.
    pub fn set_status(
        &mut self,
        to: CampaignStatus,
        at: DateTime<Utc>,
    ) -> Result<(), CampaignChangeError> {
        if !self.status.can_become(to) {
            return Err(CampaignChangeError::Status {
                from: self.status,
                to,
            });
        }
        if to == CampaignStatus::Running && self.launched_at.is_none() {
            self.launched_at = Some(at);
        }
        self.status = to;
        self.status_at = Some(at);
        self.updated_at = at;
        Ok(())
    }
}
