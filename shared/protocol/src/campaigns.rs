//! The campaign commands' requests and answers (issue 16): the wizard saves a campaign, counts
//! and samples its audience, previews its content on real contacts, reviews its cost against
//! the plan, and launches, pauses, resumes or stops it. The campaign itself is the model's
//! [`Campaign`]; the report is its `result`, counted by the server.

use chrono::{DateTime, Utc};
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::record::CampaignId;
use fieldstone_model::campaign::{CampaignInput, CampaignKind, CampaignStatus, Cost};
use fieldstone_model::{ContactId, FieldError};
use serde::{Deserialize, Serialize};

/// Contacts an audience sample names.
pub const AUDIENCE_SAMPLE: usize = 5;

/// A new campaign (`id: None`, kept as a draft) or a draft's or paused campaign's new content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveCampaign {
    #[serde(default)]
    pub id: Option<CampaignId>,
    pub input: CampaignInput,
}

/// Launch (a draft), pause, resume or stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCampaignStatus {
    pub id: CampaignId,
    pub status: CampaignStatus,
    /// A launch whose set time has passed goes now instead (the agent said so).
    #[serde(default)]
    pub send_now: bool,
}

/// One contact, as the wizard names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceMember {
    pub id: ContactId,
    pub name: String,
}

/// How many this device's contacts the audience holds, and a few of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceSize {
    pub size: u64,
    /// The audience in words ("Leads tagged buyer").
    pub summary: String,
    pub sample: Vec<AudienceMember>,
}

/// A pasted list matched against this device's contacts (one line a person: an email, a phone
/// number or a full name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastedList {
    /// The contacts found, each once, in the order pasted.
    pub contacts: Vec<ContactId>,
    /// Lines read (blank lines and repeats left out).
    pub lines: u64,
    /// Lines that matched nobody (the first few).
    pub not_found: Vec<String>,
    /// Names that matched several contacts, so none was taken (the first few).
    pub ambiguous: Vec<String>,
    /// How many lines matched nobody, and how many were ambiguous, in all.
    pub not_found_count: u64,
    pub ambiguous_count: u64,
}

/// A variation's text filled for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewCampaign {
    pub audience: Audience,
    #[serde(default)]
    pub subject: String,
    pub body: String,
    /// This contact; `None`: the audience's first.
    #[serde(default)]
    pub contact: Option<ContactId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPreview {
    /// Whom it was filled for (`None`: nobody in the audience yet; the variables are empty).
    pub contact: Option<AudienceMember>,
    pub subject: String,
    pub body: String,
    /// Variables the text uses that this contact has no value for (they come out empty).
    pub missing: Vec<String>,
}

/// The wizard's review: the audience now, what it sends, and why it cannot launch yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignReview {
    pub audience: AudienceSize,
    pub cost: Cost,
    /// Every reason it cannot launch (empty: it can), each at its field.
    pub problems: Vec<FieldError>,
}

/// A campaign as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: CampaignId,
    pub name: String,
    pub kind: CampaignKind,
    pub status: CampaignStatus,
    pub status_at: Option<DateTime<Utc>>,
    pub steps: u16,
    pub enrolled: u64,
    pub sent: u64,
    pub opened: u64,
    pub clicked: u64,
    pub refused: u64,
    pub updated_at: DateTime<Utc>,
}
