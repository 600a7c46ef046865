//! The plan's room for leads, for the warning before a contact is written past the free plan's
//! cap. The server counts the organisation's contacts when it judges a push and does not report
//! the count, so the count here is this device's copy (deleted ones included, as the server
//! keeps them): never more than the server's. The plan is asked of the server when it can be
//! (a few seconds at most) and remembered, so the warning also shows offline, where a contact
//! past the cap is most likely written.

use super::{settings_error, Api};
use crate::settings::KnownPlan;
use fieldstone_model::plan::{Meter, Plan};
use fieldstone_model::OrgId;
use fieldstone_protocol::commands::{CommandError, LeadRoom};
use fieldstone_protocol::views::ContactQuery;
use std::time::Duration;

/// The form opens without waiting for this; the last known plan answers after it.
pub(crate) const PLAN_WITHIN: Duration = Duration::from_secs(4);

/// The room, from the plan (when known) and the device's count.
pub fn room(plan: Option<Plan>, count: u64) -> LeadRoom {
    match plan.and_then(|p| p.allowance(Meter::Leads).map(|cap| (p, cap))) {
        Some((plan, cap)) => LeadRoom {
            plan_label: Some(plan.label().to_owned()),
            cap: Some(cap),
            count,
        },
        None => LeadRoom {
            plan_label: plan.map(|p| p.label().to_owned()),
            cap: None,
            count,
        },
    }
}

/// The remembered plan, if it is this organisation's and one this build knows.
pub(crate) fn remembered(known: Option<&KnownPlan>, org: OrgId) -> Option<Plan> {
    known
        .filter(|k| k.org_id == org)
        .and_then(|k| k.plan.parse().ok())
}

impl Api {
    /// The plan's cap on leads and the organisation's contacts as this device knows them.
    /// Local only (no organisation, no plan): nothing is capped.
    pub async fn lead_room(&self) -> Result<LeadRoom, CommandError> {
        let Some(org) = self.read(|r| r.account_binding()).await?.map(|a| a.org_id) else {
            return Ok(LeadRoom::unknown());
        };
        let client = self.lock_sync().client.clone();
        let asked = match client {
            Some(client) => tokio::time::timeout(PLAN_WITHIN, client.org_usage())
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|usage| usage.plan.parse::<Plan>().ok()),
            None => None,
        };
        let plan = match asked {
            Some(plan) => {
                self.remember_plan(org, plan)?;
                Some(plan)
            }
            None => remembered(self.settings.get().known_plan.as_ref(), org),
        };
        if plan.and_then(|p| p.allowance(Meter::Leads)).is_none() {
            return Ok(room(plan, 0));
        }
        let query = ContactQuery {
            include_deleted: true,
            ..ContactQuery::default()
        };
        let count = self.read(move |r| r.count_contacts(&query)).await?;
        Ok(room(plan, count))
    }

    /// Keeps the plan the server just reported, for when it cannot be asked.
    pub(crate) fn remember_plan(&self, org: OrgId, plan: Plan) -> Result<(), CommandError> {
        let known = KnownPlan {
            org_id: org,
            plan: plan.as_str().to_owned(),
        };
        if self.settings.get().known_plan.as_ref() == Some(&known) {
            return Ok(());
        }
        self.settings
            .update(|s| s.known_plan = Some(known))
            .map_err(settings_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plan_with_a_lead_cap_gives_room_to_count() {
        let free = room(Some(Plan::Free), 50);
        assert_eq!(free.cap, Some(50));
        assert_eq!(free.plan_label.as_deref(), Some("Free"));
        assert!(free.warning(1).is_some(), "the 51st is warned about");
        let starter = room(Some(Plan::Starter), 50);
        assert_eq!(starter.cap, None);
        assert_eq!(starter.warning(1), None);
        assert_eq!(room(None, 500).warning(1), None, "no plan known");
    }

    #[test]
    fn a_remembered_plan_counts_only_for_its_own_organisation() {
        let org = OrgId::from_uuid(uuid::Uuid::from_u128(1));
        let other = OrgId::from_uuid(uuid::Uuid::from_u128(2));
        let known = KnownPlan {
            org_id: org,
            plan: "free".into(),
        };
        assert_eq!(remembered(Some(&known), org), Some(Plan::Free));
        assert_eq!(remembered(Some(&known), other), None);
        let newer = KnownPlan {
            org_id: org,
            plan: "platinum".into(),
        };
        assert_eq!(
            remembered(Some(&newer), org),
            None,
            "a plan this build does not know"
        );
        assert_eq!(remembered(None, org), None);
    }
}
