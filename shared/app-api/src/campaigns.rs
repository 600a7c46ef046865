//! Campaigns: written on the device (offline too) through the wizard's commands, run by the
//! sync server once launched. The launch is checked here against the audience on this device,
//! the agent's zone and the plan (asked of the server for a few seconds, else the one last
//! known; signed out, no cap is checked here — the server's quota still refuses, and counts,
//! what goes over).

use super::Api;
use crate::leads::{remembered, PLAN_WITHIN};
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::record::{Campaign, CampaignId};
use fieldstone_model::campaign::CampaignInput;
use fieldstone_model::plan::{Meter, Plan};
use fieldstone_protocol::campaigns::{
    AudienceSize, CampaignPreview, CampaignReview, CampaignSummary, PastedList, PreviewCampaign,
    SaveCampaign, SetCampaignStatus,
};
use fieldstone_protocol::commands::CommandError;
use fieldstone_replica::{PlanKnown, ReplicaError};
use std::collections::HashMap;

impl Api {
    pub async fn list_campaigns(&self) -> Result<Vec<CampaignSummary>, CommandError> {
        self.read(|r| r.list_campaigns()).await
    }

    pub async fn get_campaign(&self, id: CampaignId) -> Result<Campaign, CommandError> {
        self.read(move |r| {
            r.get_campaign(&id)?.ok_or_else(|| ReplicaError::NotFound {
                what: format!("campaign {id}"),
            })
        })
        .await
    }

    /// Keeps a new campaign as a draft, or replaces a draft's (or paused one's) content.
    pub async fn save_campaign(&self, request: SaveCampaign) -> Result<Campaign, CommandError> {
        let by = self.user();
        self.write(move |r| r.save_campaign(request.id, &request.input, by))
            .await
    }

    pub async fn campaign_audience(
        &self,
        audience: Audience,
    ) -> Result<AudienceSize, CommandError> {
        self.read(move |r| r.campaign_audience(&audience)).await
    }

    pub async fn match_pasted_list(&self, text: String) -> Result<PastedList, CommandError> {
        self.read(move |r| r.match_pasted_list(&text)).await
    }

    pub async fn preview_campaign(
        &self,
        request: PreviewCampaign,
    ) -> Result<CampaignPreview, CommandError> {
        let agent = self.agent_name();
        self.read(move |r| {
            r.preview_campaign(
                &request.audience,
                &request.subject,
                &request.body,
                request.contact,
                &agent,
            )
        })
        .await
    }

    /// The review step: the audience now, what the campaign sends, and every reason it cannot
    /// launch yet (its content's problems first, then the launch's).
    pub async fn review_campaign(
        &self,
        input: CampaignInput,
    ) -> Result<CampaignReview, CommandError> {
        let (plan, zone) = (self.plan_known().await, self.agent_zone().await?);
        self.read(move |r| {
            let audience = r.campaign_audience(&input.audience)?;
            let mut problems = match input.validate() {
                Ok(valid) => r.launch_problems(&valid, &plan, zone)?,
                Err(errors) => errors,
            };
            problems.0.dedup();
            Ok(CampaignReview {
                cost: input.cost(audience.size),
                audience,
                problems: problems.0,
            })
        })
        .await
    }

    /// Launches a draft (refused with every reason the review gives), pauses, resumes or
    /// stops. Offline too: the server acts on it once it has the change.
    pub async fn set_campaign_status(
        &self,
        request: SetCampaignStatus,
    ) -> Result<Campaign, CommandError> {
        let (plan, zone) = (self.plan_known().await, self.agent_zone().await?);
        self.write(move |r| {
            r.set_campaign_status(&request.id, request.status, request.send_now, &plan, zone)
        })
        .await
    }

    fn agent_name(&self) -> String {
        self.settings
            .get()
            .session
            .map(|s| s.display_name)
            .unwrap_or_default()
    }

    /// The plan and this month's use as the server says within a few seconds, else the plan
    /// last known with nothing counted as used, else nothing known.
    async fn plan_known(&self) -> PlanKnown {
        let org = self
            .read(|r| r.account_binding())
            .await
            .ok()
            .flatten()
            .map(|a| a.org_id);
        let client = self.lock_sync().client.clone();
        if let Some(client) = client {
            let asked = tokio::time::timeout(PLAN_WITHIN, client.org_usage()).await;
            if let Ok(Ok(usage)) = asked {
                let used: HashMap<Meter, u64> = usage
                    .meters
                    .iter()
                    .filter_map(|m| Some((m.meter.parse::<Meter>().ok()?, m.used)))
                    .collect();
                return PlanKnown {
                    plan: usage.plan.parse::<Plan>().ok(),
                    used,
                };
            }
        }
        PlanKnown {
            plan: org.and_then(|org| remembered(self.settings.get().known_plan.as_ref(), org)),
            used: HashMap::new(),
        }
    }
}
