//! `POST /v2/ai/draft` and `POST /v2/ai/enhance`: a draft email or a rewrite for the agent to
//! edit (see [`crate::ai`]). The server reads the contact itself, as the caller may see it
//! (another organisation's, or one the caller cannot read, is "not found"), so only the
//! facts the prompt needs leave the server, and only about a contact the caller could read.
//! The model asked is the organisation's own (`PUT /v2/org/providers/ai`), else the server's;
//! an organisation that switched AI off gets the templates and nothing is asked.

use super::{readable, ApiJson};
use crate::access::Caller;
use crate::ai::AiConfig;
use crate::error::ApiError;
use crate::{ai, blocking, quota, AppState};
use axum::extract::State;
use axum::Json;
use fieldstone_model::drafting::{
    Draft, DraftFacts, DraftRequest, DraftSource, EnhanceRequest, Enhanced, Fallback,
};
use fieldstone_model::plan::Meter;
use fieldstone_model::{Contact, ContactId, OrgId, UserId, ValidationErrors};

fn invalid(errors: ValidationErrors) -> ApiError {
    ApiError::BadRequest(errors.to_string())
}

/// The contact, if the caller may read it, and the caller's name (to sign with). Blocking.
fn contact_and_agent(
    state: &AppState,
    caller: &Caller,
    id: ContactId,
) -> Result<(Contact, String), ApiError> {
    let contact = readable::contact(state, caller, id)?;
    let agent = state
        .store
        .user(caller.org, caller.user)?
        .map(|user| user.display_name)
        .unwrap_or_default();
    Ok((contact, agent))
}

/// Which model answers for `org` (see [`ai::config_for`]). Blocking.
fn chosen(state: &AppState, org: OrgId) -> Result<AiConfig, Fallback> {
    ai::config_for(state, org)
}

/// Whether the model will be asked (only then is a use metered).
fn asks(config: &Result<AiConfig, Fallback>) -> bool {
    config.as_ref().is_ok_and(|ai| ai.enabled)
}

/// `POST /v2/ai/draft`: a preview of the follow-up email; never sent from here.
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<DraftRequest>,
) -> Result<Json<Draft>, ApiError> {
    let request = request.validate().map_err(invalid)?.into_inner();
    let lookup = state.clone();
    let id = request.contact;
    let (org, user) = (caller.org, caller.user);
    let (contact, agent, config) = blocking(move || {
        let (contact, agent) = contact_and_agent(&lookup, &caller, id)?;
        Ok((contact, agent, chosen(&lookup, org)))
    })
    .await?;
    let facts = DraftFacts::of(&contact, request.notes.as_deref());
    if let Err(reason) = metered(&state, org, user, Meter::AiDrafts, asks(&config)).await? {
        let mut draft =
            Draft::template(request.kind, &facts.first_name, &agent, Fallback::Disabled);
        draft.notice = Some(format!("AI was not asked: {reason} This is a template."));
        return Ok(Json(draft));
    }
    let draft = ai::draft(
        config.as_ref().map_err(|why| *why),
        request.kind,
        &facts,
        request.instructions.as_deref(),
        &agent,
    )
    .await;
    if asks(&config) && draft.source != DraftSource::Ai {
        give_back(&state, org, user, Meter::AiDrafts).await;
    }
    Ok(Json(draft))
}

/// `POST /v2/ai/enhance`: the text rewritten in the tone, beside the original.
pub async fn enhance(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<EnhanceRequest>,
) -> Result<Json<Enhanced>, ApiError> {
    let request = request.validate().map_err(invalid)?.into_inner();
    let (org, user) = (caller.org, caller.user);
    let lookup = state.clone();
    let config = blocking(move || Ok(chosen(&lookup, org))).await?;
    if let Err(reason) = metered(&state, org, user, Meter::Enhancements, asks(&config)).await? {
        let mut enhanced = Enhanced::unchanged(request.text, Fallback::Disabled);
        enhanced.notice = Some(format!(
            "AI was not asked: {reason} Your text is unchanged."
        ));
        return Ok(Json(enhanced));
    }
    let enhanced = ai::enhance(
        config.as_ref().map_err(|why| *why),
        request.text,
        request.tone,
    )
    .await;
    if asks(&config) && enhanced.source != DraftSource::Ai {
        give_back(&state, org, user, Meter::Enhancements).await;
    }
    Ok(Json(enhanced))
}

/// Takes one use of `meter` from the plan's allowance when the model will be asked (a
/// template costs nothing); the reason when it is used up.
async fn metered(
    state: &AppState,
    org: OrgId,
    user: UserId,
    meter: Meter,
    asks: bool,
) -> Result<Result<(), String>, ApiError> {
    if !asks {
        return Ok(Ok(()));
    }
    let state = state.clone();
    blocking(move || {
        let now = state.clock.now();
        Ok(quota::take(&state, org, user, meter, 1, now)?.map_err(|refusal| refusal.reason))
    })
    .await
}

/// Gives back a use when the model did not answer (the agent got the template).
async fn give_back(state: &AppState, org: OrgId, user: UserId, meter: Meter) {
    let state = state.clone();
    let _ = blocking(move || {
        let now = state.clock.now();
        quota::give_back(&state, org, user, meter, now);
        Ok(())
    })
    .await;
}
