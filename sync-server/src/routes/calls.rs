//! Click-to-call ("call me first"): the agent asks, the provider rings the agent's own phone,
//! and once the agent answers it fetches TwiML from the server that dials the lead. How the
//! call ended comes back by webhook and goes on the contact's timeline as a call interaction
//! (outcome, duration, recording link), created by the server. The same rules as texts apply
//! before anything rings: the contact's call consent, the do-not-call list, 8:00–21:00 in the
//! contact's zone (else the organisation's), and the plan's call minutes.
//!
//! The webhooks' addresses carry what they need (contact, lead number, agent) and a tag the
//! server signed over it, so a request that was not made for this call changes nothing.

use super::twilio::{accept, param, twiml_with};
use super::{readable, ApiJson, ClientIp};
use crate::access::Caller;
use crate::error::ApiError;
use crate::links::{escape, LinkKind, LinkTarget};
use crate::sync::server_write::{create_as_server, record_contacted, server_actor_id};
use crate::{blocking, quota, AppState};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use fieldstone_model::outreach::{check_call_hours, dnc_key};
use fieldstone_model::plan::Meter;
use fieldstone_model::{
    Channel, ConsentStatus, ContactId, Direction, Interaction, InteractionId, InteractionInput,
    MessageId, OrgId, UserId,
};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    pub contact: ContactId,
    /// One of the contact's numbers.
    pub to: String,
    /// The agent's own phone, rung first (E.164).
    pub agent_phone: String,
}

#[derive(Debug, Serialize)]
pub struct CallStarted {
    pub call_sid: String,
    /// For the person: what happens now.
    pub status: String,
}

/// What a call's webhooks are about, signed into their addresses.
struct CallTag {
    contact: ContactId,
    user: UserId,
    lead: String,
}

impl CallTag {
    /// The signed part of the address: what the tag covers, then the tag.
    fn query(&self, state: &AppState, org: OrgId) -> Option<String> {
        let signer = state.links.as_ref()?;
        let covered = self.covered();
        let target = LinkTarget {
            org,
            message: MessageId::from_uuid(*self.contact.as_uuid()),
        };
        let token = signer.token(LinkKind::Call, target, Some(&covered));
        Some(
            form_urlencoded::Serializer::new(String::new())
                .append_pair("c", &self.contact.to_string())
                .append_pair("u", &self.user.to_string())
                .append_pair("n", &self.lead)
                .append_pair("t", &token)
                .finish(),
        )
    }

    fn covered(&self) -> String {
        format!("{}|{}", self.user, self.lead)
    }

    /// The tag in a webhook's address, when the server signed it for this organisation.
    fn read(state: &AppState, org: OrgId, uri: &axum::http::Uri) -> Option<CallTag> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query()?.as_bytes())
            .into_owned()
            .collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let tag = CallTag {
            contact: get("c")?.parse().ok()?,
            user: get("u")?.parse().ok()?,
            lead: get("n")?,
        };
        let target =
            state
                .links
                .as_ref()?
                .verify(LinkKind::Call, &get("t")?, Some(&tag.covered()))?;
        (target.org == org && *target.message.as_uuid() == *tag.contact.as_uuid()).then_some(tag)
    }
}

fn refused(reason: String) -> ApiError {
    ApiError::Forbidden(reason)
}

/// `POST /v2/calls`: rings the agent, then bridges the lead.
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CallRequest>,
) -> Result<Json<CallStarted>, ApiError> {
    if caller.role == Role::Viewer {
        return Err(ApiError::Forbidden("viewers place no calls".into()));
    }
    if let Err(problem) = fieldstone_model::check_phone(&request.agent_phone) {
        return Err(ApiError::BadRequest(format!("agent_phone: {problem}")));
    }
    blocking(move || {
        let org = caller.org;
        let contact = readable::contact(&state, &caller, request.contact)?;
        let base = state.config.http.public_url.clone().ok_or_else(|| {
            ApiError::Conflict("calls need the server's public address (http.public_url)".into())
        })?;
        let lead = dnc_key(&request.to);
        if !contact.phones.iter().any(|p| dnc_key(&p.number) == lead) {
            return Err(ApiError::BadRequest("to: call one of the contact's numbers".into()));
        }
        if contact.consent.call.status == ConsentStatus::Denied {
            return Err(refused(format!(
                "{} said no to calls ({}).",
                contact.display_name(),
                contact.consent.call.source.as_deref().unwrap_or("recorded on the contact")
            )));
        }
        if state.store.on_dnc(org, &lead)? {
            return Err(refused(format!("{} is on your organisation's do-not-call list.", request.to)));
        }
        let runtime = tokio::runtime::Handle::current();
        let own = state
            .providers
            .sms(state.store.as_ref(), org, &runtime)
            .map_err(|e| ApiError::Conflict(format!("Your organisation's telephony cannot be used ({e}); ask an admin.")))?;
        let server = state
            .config
            .sms
            .as_ref()
            .map(|c| crate::dispatch::Texter::new(c, runtime.clone()))
            .transpose()
            .map_err(ApiError::Internal)?;
        let Some(texter) = own.as_deref().or(server.as_ref()) else {
            return Err(ApiError::Conflict("Calls through the server are not set up for your organisation; call from your phone.".into()));
        };
        let now = state.clock.now();
        check_call_hours(now, contact.zone_or(texter.zone)).map_err(|r| refused(r.reason))?;
        quota::take(&state, org, caller.user, Meter::CallMinutes, 1, now)?.map_err(|r| refused(r.reason))?;
        let tag = CallTag {
            contact: contact.id,
            user: caller.user,
            lead: lead.clone(),
        };
        let query = tag
            .query(&state, org)
            .ok_or_else(|| ApiError::Conflict("calls need the server's secret_key".into()))?;
        let bridge = format!("{base}/hooks/twilio/{org}/bridge?{query}");
        let status = format!("{base}/hooks/twilio/{org}/call?{query}");
        match texter.call(&request.agent_phone, &bridge, &status) {
            Ok(call_sid) => Ok(Json(CallStarted {
                call_sid,
                status: format!("Your phone will ring; answer it to be connected to {}.", contact.display_name()),
            })),
            Err(crate::dispatch::SendError::Transient(why) | crate::dispatch::SendError::Permanent(why)) => {
                quota::give_back(&state, org, caller.user, Meter::CallMinutes, now);
                Err(ApiError::Unavailable(why))
            }
        }
    })
    .await
}

/// `POST /hooks/twilio/{org}/bridge?…`: the agent answered; dial the lead.
pub async fn bridge(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (org, pairs) = accept(&state, ip, &org, &uri, headers, body).await?;
    let tag = CallTag::read(&state, org, &uri).ok_or(ApiError::Unauthorized)?;
    // The caller id is the number the provider rang the agent from.
    let from = param(&pairs, "From").unwrap_or_default();
    Ok(twiml_with(&format!(
        "<Say>Connecting you.</Say><Dial callerId=\"{}\"><Number>{}</Number></Dial>",
        escape(from),
        escape(&tag.lead)
    )))
}

/// `POST /hooks/twilio/{org}/call?…`: how the call ended, on the contact's timeline.
pub async fn ended(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (org, pairs) = accept(&state, ip, &org, &uri, headers, body).await?;
    let tag = CallTag::read(&state, org, &uri).ok_or(ApiError::Unauthorized)?;
    let sid = param(&pairs, "CallSid").unwrap_or_default().to_owned();
    let status = param(&pairs, "CallStatus").unwrap_or_default().to_owned();
    let seconds: u32 = param(&pairs, "CallDuration")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
        .min(fieldstone_model::interaction::DURATION_MAX_SECONDS);
    let recording = param(&pairs, "RecordingUrl").map(str::to_owned);
    let outcome = match status.as_str() {
        "completed" => "connected",
        "busy" => "busy",
        "no-answer" => "no answer",
        "canceled" => "cancelled",
        "failed" => "failed",
        _ => return Ok(twiml_with("")),
    };
    blocking(move || {
        let contact_doc = DocId::new(fieldstone_doc::contact::KIND, tag.contact)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let Some(scopes) = state.store.doc_scopes(org, &contact_doc)? else {
            return Ok(());
        };
        let key = format!("twilio-call:{org}:{sid}");
        let id = InteractionId::from_uuid(uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            key.as_bytes(),
        ));
        let mut summary = format!("Called {} through Fieldstone: {outcome}.", tag.lead);
        if let Some(url) = &recording {
            summary.push_str(&format!(" Recording: {url}"));
        }
        let input = InteractionInput {
            contact: tag.contact,
            listing: None,
            channel: Channel::Call,
            direction: Direction::Outbound,
            summary,
            outcome: Some(outcome.to_owned()),
            duration_seconds: (seconds > 0).then_some(seconds),
            occurred_at: state.clock.now(),
        };
        let valid = input
            .validate()
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let interaction = Interaction::create(id, valid, tag.user, state.clock.now());
        let (doc, _) = fieldstone_doc::interaction::create(server_actor_id(), &interaction)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let doc_id = DocId::new(fieldstone_doc::interaction::KIND, id)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let created = create_as_server(&state, org, &doc_id, scopes, tag.user, doc)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        // On every delivery, not only the first: a retried callback finishes what a failed
        // one left (an older time never moves it back).
        if let Err(error) =
            record_contacted(&state, org, tag.contact, interaction.occurred_at, tag.user)
        {
            tracing::warn!(%error, "the call is on the timeline; its contact's last contact was not moved");
        }
        if created {
            // One minute was taken when the call started; the rest now, past any cap (the
            // call happened).
            let minutes = i64::from(seconds.div_ceil(60));
            let now = state.clock.now();
            if minutes == 0 {
                quota::give_back(&state, org, tag.user, Meter::CallMinutes, now);
            } else if minutes > 1 {
                quota::add(&state, org, tag.user, Meter::CallMinutes, minutes - 1, now);
            }
        }
        Ok(())
    })
    .await?;
    Ok(twiml_with(""))
}
