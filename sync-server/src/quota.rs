//! Plans and allowances at send time: the organisation's plan (set by the server's operator;
//! `default_plan` for organisations without one), its month in its time zone, and the usage
//! ledger. A use over the allowance is refused with a reason that names the allowance and when
//! it resets (`fieldstone_model::plan`).

use crate::store::{Metered, StoreError};
use crate::AppState;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::plan::{period_of, quota_reason, Meter, Plan};
use fieldstone_model::{OrgId, Refusal, UserId};

/// The organisation's plan and time zone.
pub fn plan_of(state: &AppState, org: OrgId) -> Result<(Plan, Tz), StoreError> {
    let row = state.store.plan(org)?;
    let plan = row
        .as_ref()
        .and_then(|r| r.plan.parse().ok())
        .unwrap_or(state.config.default_plan);
    let zone = row
        .as_ref()
        .and_then(|r| r.time_zone.parse().ok())
        .unwrap_or(Tz::UTC);
    Ok((plan, zone))
}

/// Takes `amount` of `meter` for `user`, or refuses (rule `quota`).
pub fn take(
    state: &AppState,
    org: OrgId,
    user: UserId,
    meter: Meter,
    amount: u32,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, StoreError> {
    let (plan, zone) = plan_of(state, org)?;
    let (period, resets) = period_of(now, zone);
    let allowance = plan.allowance(meter);
    let taken = state.store.meter(
        org,
        &Metered {
            user,
            period: &period,
            meter: meter.as_str(),
            amount: i64::from(amount),
            allowance: allowance.map(|a| i64::try_from(a).unwrap_or(i64::MAX)),
        },
    )?;
    Ok(match taken {
        Some(_) => Ok(()),
        None => Err(Refusal {
            rule: "quota".into(),
            reason: quota_reason(plan, meter, allowance.unwrap_or(0), resets, zone),
        }),
    })
}

/// Counts `amount` more of `meter`, past any cap (a use that already happened: a call's
/// minutes), or gives uses back with a negative `amount` (the ledger never goes below zero).
/// A failure is logged, not returned: the use happened (or did not) whatever the ledger says.
pub fn add(
    state: &AppState,
    org: OrgId,
    user: UserId,
    meter: Meter,
    amount: i64,
    at: DateTime<Utc>,
) {
    let zone = plan_of(state, org).map_or(Tz::UTC, |(_, zone)| zone);
    let (period, _) = period_of(at, zone);
    let use_ = Metered {
        user,
        period: &period,
        meter: meter.as_str(),
        amount,
        allowance: None,
    };
    if let Err(error) = state.store.meter(org, &use_) {
        tracing::warn!(%error, amount, meter = meter.as_str(), "could not change a use in the ledger");
    }
}

/// Gives back one use that did not happen (a send that failed or will be tried again).
pub fn give_back(state: &AppState, org: OrgId, user: UserId, meter: Meter, at: DateTime<Utc>) {
    add(state, org, user, meter, -1, at);
}
