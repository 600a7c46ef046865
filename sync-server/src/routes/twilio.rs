//! Twilio's callbacks: a text's status as it travels (`/hooks/twilio/{org}/status?m=…`, the
//! callback the server gave when sending), and texts people send back
//! (`/hooks/twilio/{org}/inbound`). Each is verified (`X-Twilio-Signature` over the address
//! Twilio called and the sorted form) before any of it is read. A reply of STOP, QUIT, END,
//! REVOKE, OPT OUT, CANCEL or UNSUBSCRIBE revokes the sender's SMS consent on every contact of
//! the organisation with that number (the FCC's revocation words).

use super::ClientIp;
use crate::auth::PublicRoute;
use crate::error::ApiError;
use crate::sync::org_docs;
use crate::sync::server_write::{
    create_as_server, record_contacted, revoke_consent, server_actor_id, update_message_results,
    ResultEdit, ServerWriteError,
};
use crate::webhooks::twilio;
use crate::{blocking, AppState};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use fieldstone_model::{
    Channel, ConsentChannel, ConsentStatus, Direction, Interaction, InteractionId,
    InteractionInput, MessageEvent, MessageEventKind, MessageId, OrgId,
};
use fieldstone_protocol::DocId;

/// The words that revoke consent to texts (FCC, in force 11 April 2025), compared whole after
/// trimming and ignoring case.
pub const STOP_WORDS: [&str; 7] = [
    "STOP",
    "QUIT",
    "END",
    "REVOKE",
    "OPT OUT",
    "CANCEL",
    "UNSUBSCRIBE",
];

/// Whether a text's body revokes consent.
pub fn is_stop(body: &str) -> bool {
    let words: Vec<&str> = body.split_whitespace().collect();
    let said = words.join(" ").to_ascii_uppercase();
    let said = said.trim_end_matches(['.', '!']);
    STOP_WORDS.contains(&said)
}

/// An empty TwiML answer: nothing is sent back (the provider's own opt-out reply, if enabled,
/// is the one confirmation the rules allow).
fn twiml() -> Response {
    twiml_with("")
}

/// A TwiML answer holding `verbs` (already escaped).
pub(super) fn twiml_with(verbs: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>{verbs}</Response>"),
    )
        .into_response()
}

/// The form pairs of a request whose signature holds for the address Twilio called.
/// Blocking (it reads the organisation's provider).
fn verified(
    state: &AppState,
    org: OrgId,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, ApiError> {
    let refuse = |why: &str| super::outreach::refuse_webhook(state, "twilio", why);
    let Some(base) = state.config.http.public_url.as_deref() else {
        return Err(refuse("the server has no public address"));
    };
    let Some(token) =
        state
            .providers
            .sms_token(state.store.as_ref(), org, state.config.sms.as_ref())
    else {
        return Err(refuse("texts are not set up for the organisation"));
    };
    // Twilio signs the address it was given, which is the public one, not what a proxy
    // forwarded to.
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let url = format!("{base}{path}");
    let signature = headers
        .get(twilio::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    twilio::verify(&token, &url, body, signature).map_err(|e| refuse(&e.to_string()))
}

/// A Twilio callback let through: within its address's rate, for an organisation id, signed.
pub(super) async fn accept(
    state: &AppState,
    ip: std::net::IpAddr,
    org: &str,
    uri: &axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(OrgId, Vec<(String, String)>), ApiError> {
    super::outreach::limited(state, PublicRoute::Hook, ip)?;
    // An id that is not one is refused like a bad signature.
    let org: OrgId = org.parse().map_err(|_| ApiError::Unauthorized)?;
    let (state, uri) = (state.clone(), uri.clone());
    let pairs = blocking(move || verified(&state, org, &uri, &headers, &body)).await?;
    Ok((org, pairs))
}

pub(super) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /hooks/twilio/{org}/status?m={message}`: a text's progress.
pub async fn status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (org, pairs) = accept(&state, ip, &org, &uri, headers, body).await?;
    let message: MessageId = uri
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(n, _)| n == "m")
                .and_then(|(_, v)| v.parse().ok())
        })
        .ok_or_else(|| ApiError::BadRequest("the callback names no message (m=…)".into()))?;
    let sid = param(&pairs, "MessageSid").unwrap_or_default().to_owned();
    let status = param(&pairs, "MessageStatus")
        .unwrap_or_default()
        .to_owned();
    let kind = match status.as_str() {
        "queued" | "accepted" | "sending" | "sent" => MessageEventKind::Accepted,
        "delivered" => MessageEventKind::Delivered,
        "read" => MessageEventKind::Opened,
        "undelivered" | "failed" => MessageEventKind::Failed,
        _ => return Ok(twiml()),
    };
    let reason = (kind == MessageEventKind::Failed).then(|| {
        match param(&pairs, "ErrorCode").filter(|c| !c.is_empty()) {
            Some(code) => format!("The carrier did not deliver it (Twilio error {code})."),
            None => "The carrier did not deliver it.".to_owned(),
        }
    });
    let doc = DocId::new(fieldstone_doc::message::KIND, message)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let event = MessageEvent {
        at: state.clock.now(),
        kind,
        url: None,
        user_agent: None,
        // Twilio has no event id; a message's status is reported once each.
        provider_event: Some(format!("{sid}:{status}")),
    };
    blocking(move || {
        update_message_results(
            &state,
            org,
            vec![(
                doc,
                ResultEdit::Events {
                    events: vec![event],
                    reason,
                },
            )],
        )
        .map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await?;
    Ok(twiml())
}

/// `POST /hooks/twilio/{org}/inbound`: a text someone sent to the organisation's number.
pub async fn inbound(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (org, pairs) = accept(&state, ip, &org, &uri, headers, body).await?;
    let from = param(&pairs, "From").unwrap_or_default().to_owned();
    let text = param(&pairs, "Body").unwrap_or_default().to_owned();
    let sid = param(&pairs, "MessageSid").unwrap_or_default().to_owned();
    if from.is_empty() {
        return Ok(twiml());
    }
    if is_stop(&text) {
        let revoked = blocking(move || revoke_sms_by_number(&state, org, &from)).await?;
        tracing::info!(%org, revoked, "a STOP reply revoked SMS consent");
    } else if !sid.is_empty() {
        let created = blocking(move || record_inbound(&state, org, &from, &text, &sid)).await?;
        tracing::info!(%org, created, "an inbound text went on the timeline");
    }
    Ok(twiml())
}

/// Revokes SMS consent on every contact of `org` with the number `from`; answers how many.
fn revoke_sms_by_number(state: &AppState, org: OrgId, from: &str) -> Result<usize, ApiError> {
    let mut revoked = 0;
    for contact in org_docs::contacts_with_number(state.store.as_ref(), org, from)? {
        if contact.consent.sms.status == ConsentStatus::Denied {
            continue;
        }
        let changed = revoke_consent(
            state,
            org,
            contact.id,
            ConsentChannel::Sms,
            "replied STOP to a text",
            contact.owner,
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        revoked += usize::from(changed);
    }
    Ok(revoked)
}

/// Longest inbound text kept on the timeline (Twilio concatenates up to 1,600 characters).
const INBOUND_MAX_CHARS: usize = 1_600;

/// A text someone sent becomes an inbound interaction on each contact of `org` with that
/// number, created by the server in the contact's scopes, once per provider message. Answers
/// how many were created. A number no contact has is left for lead intake.
fn record_inbound(
    state: &AppState,
    org: OrgId,
    from: &str,
    text: &str,
    sid: &str,
) -> Result<usize, ApiError> {
    let internal = |e: ServerWriteError| ApiError::Internal(e.to_string());
    let mut created = 0;
    for contact in org_docs::contacts_with_number(state.store.as_ref(), org, from)? {
        let contact_doc = DocId::new(fieldstone_doc::contact::KIND, contact.id)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let Some(scopes) = state.store.doc_scopes(org, &contact_doc)? else {
            continue;
        };
        // The same provider message on the same contact is the same interaction.
        let key = format!("twilio-inbound:{org}:{sid}:{}", contact.id);
        let id = InteractionId::from_uuid(uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            key.as_bytes(),
        ));
        let summary: String = text.chars().take(INBOUND_MAX_CHARS).collect();
        let input = InteractionInput {
            contact: contact.id,
            listing: None,
            channel: Channel::Sms,
            direction: Direction::Inbound,
            summary: if summary.trim().is_empty() {
                "(an empty text)".into()
            } else {
                summary
            },
            outcome: None,
            duration_seconds: None,
            occurred_at: state.clock.now(),
        };
        let Ok(valid) = input.validate() else {
            continue;
        };
        let interaction = Interaction::create(id, valid, contact.owner, state.clock.now());
        let (doc, _) = fieldstone_doc::interaction::create(server_actor_id(), &interaction)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let doc_id = DocId::new(fieldstone_doc::interaction::KIND, id)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let made =
            create_as_server(state, org, &doc_id, scopes, contact.owner, doc).map_err(internal)?;
        created += usize::from(made);
        // An answer: a campaign that stops on a reply stops for them.
        state
            .store
            .record_reply(org, &contact.id.to_string(), interaction.occurred_at)?;
        if let Err(error) = record_contacted(
            state,
            org,
            contact.id,
            interaction.occurred_at,
            contact.owner,
        ) {
            tracing::warn!(%error, "the reply is on the timeline; its contact's last contact was not moved");
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revocation_words_are_recognised_whole_and_in_any_case() {
        for yes in [
            "STOP",
            "stop",
            " Stop. ",
            "opt out",
            "OPT  OUT",
            "Unsubscribe!",
            "end",
            "cancel",
            "quit",
            "revoke",
        ] {
            assert!(is_stop(yes), "{yes:?}");
        }
        for no in [
            "",
            "stop by at 5",
            "don't stop",
            "stopped",
            "please call",
            "OPTOUT?",
        ] {
            assert!(!is_stop(no), "{no:?}");
        }
    }
}
