//! A campaign (`fieldstone_model::campaign`) as an Automerge document.
//!
//! Mapping decisions:
//! - The content the agent writes (audience, trigger, steps and variations, schedule, test,
//!   exit rules) is **one JSON string**, `spec`, replaced whole. A campaign is checked whole
//!   (shares add up to 100, a test needs two variations, a broadcast has one step): merging two
//!   devices' edits field by field could build a campaign nobody wrote and nobody checked, so
//!   the last edit wins whole, and the server checks it again before it acts.
//! - `status` is its own field, so pausing on the phone while the laptop edits a draft's text
//!   keeps both.
//! - `result` is the map only the sync server writes (as a message's): counts per step and
//!   variation keyed `step:variation`, and the tests' winners keyed by step.
//! - Timestamps are i64 milliseconds (`*_ms`), ids strings, enums their `as_str()` names.

use crate::util::{check_kind, commit, ensure_readable, millis, opt_millis, parse, root_doc};
use crate::DocError;
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{reconcile, Hydrate, Reconcile};
use fieldstone_model::campaign::record::{Campaign, CampaignResult, StepCounts, StepWinner};
use fieldstone_model::campaign::CampaignInput;

pub const KIND: &str = "campaign";
/// Shape version of campaign documents written by this build.
pub const SCHEMA: u64 = 1;
/// The map only the server writes.
pub const RESULT_KEY: &str = "result";

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/campaign_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct CampaignDoc {
        schema: u64,
        kind: String,
        id: String,
        name: String,
        campaign_kind: String,
        spec: String,
        status: String,
        status_at_ms: Option<i64>,
        launched_at_ms: Option<i64>,
        owner: String,
        result: ResultDoc,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct ResultDoc {
    enrolled: u64,
    left: u64,
    counts: Vec<CountsDoc>,
    winners: Vec<WinnerDoc>,
    finished_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct CountsDoc {
    #[key]
    key: String,
    step: u64,
    variation: String,
    sent: u64,
    delivered: u64,
    opened: u64,
    clicked: u64,
    replied: u64,
    unsubscribed: u64,
    bounced: u64,
    refused: u64,
    bookings: u64,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct WinnerDoc {
    #[key]
    key: String,
    step: u64,
    variation: String,
    decided_at_ms: i64,
}

impl ResultDoc {
    fn from_model(r: &CampaignResult) -> Self {
        Self {
            enrolled: r.enrolled,
            left: r.left,
            counts: r
                .counts
                .iter()
                .map(|c| CountsDoc {
                    key: format!("{}:{}", c.step, c.variation),
                    step: u64::from(c.step),
                    variation: c.variation.clone(),
                    sent: c.sent,
                    delivered: c.delivered,
                    opened: c.opened,
                    clicked: c.clicked,
                    replied: c.replied,
                    unsubscribed: c.unsubscribed,
                    bounced: c.bounced,
                    refused: c.refused,
                    bookings: c.bookings,
                })
                .collect(),
            winners: r
                .winners
                .iter()
                .map(|w| WinnerDoc {
                    key: w.step.to_string(),
                    step: u64::from(w.step),
                    variation: w.variation.clone(),
                    decided_at_ms: w.decided_at.timestamp_millis(),
                })
                .collect(),
            finished_at_ms: r.finished_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_model(self) -> Result<CampaignResult, DocError> {
        let step = |field: &str, n: u64| {
            u16::try_from(n)
                .map_err(|_| DocError::InvalidValue(format!("{field}: {n} is not a step")))
        };
        Ok(CampaignResult {
            enrolled: self.enrolled,
            left: self.left,
            counts: self
                .counts
                .into_iter()
                .map(|c| {
                    Ok(StepCounts {
                        step: step("result.counts.step", c.step)?,
                        variation: c.variation,
                        sent: c.sent,
                        delivered: c.delivered,
                        opened: c.opened,
                        clicked: c.clicked,
                        replied: c.replied,
                        unsubscribed: c.unsubscribed,
                        bounced: c.bounced,
                        refused: c.refused,
                        bookings: c.bookings,
                    })
                })
                .collect::<Result<_, DocError>>()?,
            winners: self
                .winners
                .into_iter()
                .map(|w| {
                    Ok(StepWinner {
                        step: step("result.winners.step", w.step)?,
                        variation: w.variation,
                        decided_at: millis("result.winners.decided_at_ms", w.decided_at_ms)?,
                    })
                })
                .collect::<Result<_, DocError>>()?,
            finished_at: opt_millis("result.finished_at_ms", self.finished_at_ms)?,
        })
    }
}

impl CampaignDoc {
    fn from_campaign(c: &Campaign) -> Result<Self, DocError> {
        let spec = serde_json::to_string(&c.spec)
            .map_err(|e| DocError::InvalidValue(format!("spec: {e}")))?;
        Ok(Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: c.id.to_string(),
            name: c.spec.name.clone(),
            campaign_kind: c.spec.kind.as_str().to_owned(),
            spec,
            status: c.status.as_str().to_owned(),
            status_at_ms: c.status_at.map(|t| t.timestamp_millis()),
            launched_at_ms: c.launched_at.map(|t| t.timestamp_millis()),
            owner: c.owner.to_string(),
            result: ResultDoc::from_model(&c.result),
            created_at_ms: c.created_at.timestamp_millis(),
            updated_at_ms: c.updated_at.timestamp_millis(),
            deleted_at_ms: c.deleted_at.map(|t| t.timestamp_millis()),
        })
    }

    fn into_campaign(self) -> Result<Campaign, DocError> {
        check_kind(KIND, self.kind)?;
        let spec: CampaignInput = serde_json::from_str(&self.spec)
            .map_err(|e| DocError::InvalidValue(format!("spec: {e}")))?;
        // `name` and `campaign_kind` are copies for readers that do not parse the spec (the
        // server's lists); the spec is what counts, but a disagreement means a damaged document.
        if spec.name != self.name || spec.kind.as_str() != self.campaign_kind {
            return Err(DocError::InvalidValue(
                "name and campaign_kind disagree with the spec".into(),
            ));
        }
        Ok(Campaign {
            id: parse("id", &self.id)?,
            spec,
            status: parse("status", &self.status)?,
            status_at: opt_millis("status_at_ms", self.status_at_ms)?,
            launched_at: opt_millis("launched_at_ms", self.launched_at_ms)?,
            owner: parse("owner", &self.owner)?,
            result: self.result.into_model()?,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        })
    }
}

/// Creates the document for a new campaign, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, campaign: &Campaign) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, CampaignDoc::from_campaign(campaign)?)?;
    let change = commit(&mut doc, campaign.updated_at, "create campaign")
        .ok_or_else(|| DocError::InvalidValue("creating a campaign produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `campaign` into an existing document, touching only what differs. Returns the change,
/// or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, campaign: &Campaign) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, CampaignDoc::from_campaign(campaign)?)?;
    Ok(commit(doc, campaign.updated_at, "update campaign"))
}

/// Reads the campaign held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Campaign, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    CampaignDoc::hydrate_root(doc)?.into_campaign()
}

#[cfg(test)]
mod tests;
