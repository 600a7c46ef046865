//! Public routes for people and providers outside the app: the one-click unsubscribe (RFC 8058)
//! and its page, the open pixel and click redirects in sent email, and provider webhooks.
//! Nothing here has a session: a signed link or a verified signature is the only authority, and
//! nothing is read from a request before that check.

use super::ClientIp;
use crate::auth::PublicRoute;
use crate::error::ApiError;
use crate::links::{escape, LinkKind, LinkTarget};
use crate::sync::guard;
use crate::sync::server_write::{revoke_consent, update_message_results, ResultEdit};
use crate::webhooks::sendgrid;
use crate::{blocking, AppState};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration;
use fieldstone_model::{ConsentChannel, Message, MessageEvent, MessageEventKind, OrgId};
use fieldstone_protocol::DocId;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The pages' only style; the CSP allows exactly this block, by hash.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;\
padding:0 1rem;color:#1f2933;line-height:1.5}h1{font-size:1.5rem}\
button{font:inherit;min-height:44px;padding:.5rem 1.25rem;border:0;border-radius:6px;\
background:#1d4ed8;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #93c5fd}";

/// Longest user agent kept on an event.
const USER_AGENT_MAX: usize = 300;
/// A second open within this many minutes is not recorded (mail clients re-fetch images).
const OPEN_AGAIN_MINUTES: i64 = 60;
/// The same link clicked again within this many seconds is the same click.
const CLICK_AGAIN_SECS: i64 = 60;

/// The CSP of a page whose only style is `style`: that block, by hash, and nothing else
/// (no script, no images, no frames, forms only to this server).
fn csp_for(style: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| csp_for(STYLE))
}

/// A small server-rendered page with a strict CSP and nothing cached.
fn page(status: StatusCode, title: &str, body_html: &str) -> Response {
    styled_page(status, title, STYLE, csp(), body_html)
}

/// Like [`page`], with a style of its own (and `csp`, made by [`csp_for`] from it).
pub(crate) fn styled_page(
    status: StatusCode,
    title: &str,
    style: &str,
    csp: &str,
    body_html: &str,
) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{}</title><style>{style}</style></head><body>{body_html}</body></html>",
        escape(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The CSP of a page styled with `style`, computed once per style constant.
pub(crate) fn csp_of(style: &'static str, cell: &'static OnceLock<String>) -> &'static str {
    cell.get_or_init(|| csp_for(style))
}

/// 429 when `ip` is over its rate for `route`.
pub(super) fn limited(
    state: &AppState,
    route: PublicRoute,
    ip: std::net::IpAddr,
) -> Result<(), ApiError> {
    state
        .public_limiter
        .check(route, ip)
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })
}

/// A webhook not let through: logged and counted by provider; the sender learns only 401.
pub(super) fn refuse_webhook(state: &AppState, provider: &str, why: &str) -> ApiError {
    tracing::warn!(provider, why, "refused a webhook");
    state
        .metrics
        .webhooks_refused
        .get_or_create(&crate::metrics::Metrics::label("provider", provider))
        .inc();
    ApiError::Unauthorized
}

fn not_valid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<h1>This link is not valid</h1><p>It may have been copied incompletely. \
         Use the link in the email you received.</p>",
    )
}

fn message_doc(target: LinkTarget) -> Option<DocId> {
    DocId::new(fieldstone_doc::message::KIND, target.message).ok()
}

/// The stored message a link names, if it is still there.
fn load_message(state: &AppState, target: LinkTarget) -> Result<Option<Message>, ApiError> {
    let Some(doc) = message_doc(target) else {
        return Ok(None);
    };
    let Some(stored) = state.store.load_doc(target.org, &doc)? else {
        return Ok(None);
    };
    Ok(guard::load(&stored.bytes)
        .ok()
        .and_then(|d| fieldstone_doc::message::read(&d).ok()))
}

fn verified(
    state: &AppState,
    kind: LinkKind,
    token: &str,
    url: Option<&str>,
) -> Option<LinkTarget> {
    state.links.as_ref()?.verify(kind, token, url)
}

/// `GET /u/{token}`: asks for a click. A GET never unsubscribes: link scanners and previews
/// follow every link in a message.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    if verified(&state, LinkKind::Unsubscribe, &token, None).is_none() {
        return Ok(not_valid());
    }
    Ok(page(
        StatusCode::OK,
        "Unsubscribe",
        &format!(
            "<h1>Unsubscribe from these emails?</h1>\
             <p>You will get no more marketing email from this sender. Messages you ask for, \
             such as a viewing's confirmation, still reach you.</p>\
             <form method=\"post\" action=\"/u/{}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">Unsubscribe</button></form>",
            escape(&token)
        ),
    ))
}

/// `GET /invite/{token}`: where an invitation link opened in a browser lands. It says how to
/// accept in the app and never whether the invitation is valid (the app's accepting says that,
/// under the invitation rate limit); the secret is not echoed into the page.
pub async fn invitation_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(_token): Path<String>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    Ok(page(
        StatusCode::OK,
        "Your Fieldstone invitation",
        "<h1>You're invited to Fieldstone</h1>\
         <p>Open the Fieldstone app, go to <strong>Settings</strong>, choose \
         <strong>I have an invitation</strong>, and paste the address of this page. You'll \
         choose your password there.</p>\
         <p>Invitations can be used once and expire after a few days; if this one has, ask \
         the person who invited you for a new one.</p>",
    ))
}

/// `POST /u/{token}`: the RFC 8058 one-click unsubscribe (also the page's button). No cookies,
/// no session: the signed link names the message and so the person. Revokes the contact's
/// email consent as the server (every device learns it by sync) and records the event on the
/// message. Doing it twice is harmless.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    let Some(target) = verified(&state, LinkKind::Unsubscribe, &token, None) else {
        return Ok(not_valid());
    };
    let done = blocking(move || {
        let Some(message) = load_message(&state, target)? else {
            return Ok(false);
        };
        revoke_consent(
            &state,
            target.org,
            message.contact,
            ConsentChannel::Email,
            "unsubscribe link in an email",
            message.written_by,
        )
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        // Once on the message: pressing again (or a client retrying the POST) adds nothing.
        let already = message
            .result
            .events
            .iter()
            .any(|e| e.kind == MessageEventKind::Unsubscribed);
        if !already {
            let event = MessageEvent {
                at: state.clock.now(),
                kind: MessageEventKind::Unsubscribed,
                url: None,
                user_agent: None,
                provider_event: None,
            };
            record_events(&state, target, vec![event])?;
        }
        Ok(true)
    })
    .await?;
    if !done {
        return Ok(not_valid());
    }
    Ok(page(
        StatusCode::OK,
        "Unsubscribed",
        "<h1>You are unsubscribed</h1><p>You will get no more marketing email from this \
         sender.</p>",
    ))
}

fn record_events(
    state: &AppState,
    target: LinkTarget,
    events: Vec<MessageEvent>,
) -> Result<(), ApiError> {
    let Some(doc) = message_doc(target) else {
        return Ok(());
    };
    update_message_results(
        state,
        target.org,
        vec![(
            doc,
            ResultEdit::Events {
                events,
                reason: None,
            },
        )],
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(())
}

fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(USER_AGENT_MAX).collect())
}

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// `GET /t/o/{token}`: the open pixel. Records one open an hour at most.
pub async fn open_pixel(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    let Some(target) = verified(&state, LinkKind::Open, &token, None) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let agent = user_agent(&headers);
    blocking(move || {
        let Some(message) = load_message(&state, target)? else {
            return Ok(());
        };
        let now = state.clock.now();
        let recent = message.result.events.iter().any(|e| {
            e.kind == MessageEventKind::Opened && now - e.at < Duration::minutes(OPEN_AGAIN_MINUTES)
        });
        if recent {
            return Ok(());
        }
        let event = MessageEvent {
            at: now,
            kind: MessageEventKind::Opened,
            url: None,
            user_agent: agent,
            provider_event: None,
        };
        record_events(&state, target, vec![event])
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store, max-age=0"),
        ],
        PIXEL,
    )
        .into_response())
}

/// `GET /t/c/{token}?u=…`: a tracked link. Followed only when the token was signed for exactly
/// this target; a changed link is refused, never followed (it would make the organisation's
/// address an open redirect).
pub async fn click(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    let url = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "u")
            .map(|(_, value)| value.into_owned())
    });
    let Some(url) = url else {
        return Ok(not_valid());
    };
    let lower = url.to_ascii_lowercase();
    let target = verified(&state, LinkKind::Click, &token, Some(&url))
        .filter(|_| lower.starts_with("https://") || lower.starts_with("http://"));
    let Some(target) = target else {
        return Ok(page(
            StatusCode::BAD_REQUEST,
            "Link changed",
            "<h1>This link was changed</h1><p>It no longer matches the link in the email that \
             was sent, so it is not followed.</p>",
        ));
    };
    let Ok(location) = HeaderValue::from_str(&url) else {
        return Ok(not_valid());
    };
    let agent = user_agent(&headers);
    let clicked = url.clone();
    blocking(move || {
        let Some(message) = load_message(&state, target)? else {
            return Ok(());
        };
        let now = state.clock.now();
        let repeat = message.result.events.iter().any(|e| {
            e.kind == MessageEventKind::Clicked
                && e.url.as_deref() == Some(clicked.as_str())
                && now - e.at < Duration::seconds(CLICK_AGAIN_SECS)
        });
        if repeat {
            return Ok(());
        }
        let event = MessageEvent {
            at: now,
            kind: MessageEventKind::Clicked,
            url: Some(clicked.chars().take(2_000).collect()),
            user_agent: agent,
            provider_event: None,
        };
        record_events(&state, target, vec![event])
    })
    .await?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response())
}

/// `POST /hooks/sendgrid/{org}`: SendGrid's Event Webhook. The signature over the raw body is
/// checked before the body is read; then each event is applied once (by `sg_event_id`) to the
/// message it names in this organisation, in one commit. Unsubscribes and spam reports revoke
/// the contact's email consent.
pub async fn sendgrid_events(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    limited(&state, PublicRoute::Hook, ip)?;
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let refused = |why: &str| refuse_webhook(&state, "sendgrid", why);
    // An id that is not one is refused like a bad signature: nothing is said about which
    // organisations exist.
    let Ok(org) = org.parse::<OrgId>() else {
        return Err(refused("not an organisation id"));
    };
    let lookup = state.clone();
    let key = blocking(move || {
        let server = lookup
            .config
            .email
            .as_ref()
            .and_then(|e| e.sendgrid_webhook_key.clone());
        Ok(lookup
            .providers
            .sendgrid_key(lookup.store.as_ref(), org, server.as_deref()))
    })
    .await?;
    let Some(key) = key.and_then(|k| sendgrid::PublicKey::from_base64(&k).ok()) else {
        return Err(refused("no verification key is configured"));
    };
    let now = state.clock.now();
    if let Err(why) = sendgrid::verify(
        &key,
        &body,
        header_text(sendgrid::SIGNATURE_HEADER),
        header_text(sendgrid::TIMESTAMP_HEADER),
        now,
    ) {
        return Err(refused(&why.to_string()));
    }
    let parsed = sendgrid::parse(&body, now).map_err(ApiError::BadRequest)?;
    let mut ignored = parsed.ignored;
    let mut edits: BTreeMap<DocId, (Vec<MessageEvent>, Option<String>)> = BTreeMap::new();
    let mut revoke = Vec::new();
    for matched in parsed.matched {
        if matched.org.is_some_and(|o| o != org) {
            ignored += 1;
            continue;
        }
        let Ok(doc) = DocId::new(fieldstone_doc::message::KIND, matched.message) else {
            ignored += 1;
            continue;
        };
        if matches!(
            matched.event.kind,
            MessageEventKind::Unsubscribed | MessageEventKind::SpamReport
        ) {
            revoke.push((doc.clone(), matched.event.kind));
        }
        let entry = edits.entry(doc).or_default();
        entry.0.push(matched.event);
        if matched.reason.is_some() {
            entry.1 = matched.reason;
        }
    }
    let count: usize = edits.values().map(|(events, _)| events.len()).sum();
    let changed = blocking(move || {
        let items = edits
            .into_iter()
            .map(|(doc, (events, reason))| (doc, ResultEdit::Events { events, reason }))
            .collect();
        let written = update_message_results(&state, org, items)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        for (doc, kind) in revoke {
            let Some(message) = written.iter().find(|m| {
                DocId::new(fieldstone_doc::message::KIND, m.id)
                    .ok()
                    .as_ref()
                    == Some(&doc)
            }) else {
                continue; // already applied before: consent was revoked then
            };
            let source = match kind {
                MessageEventKind::SpamReport => "marked an email as spam",
                _ => "unsubscribed through the email provider",
            };
            revoke_consent(
                &state,
                org,
                message.contact,
                ConsentChannel::Email,
                source,
                message.written_by,
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        }
        Ok(written.len())
    })
    .await?;
    Ok(Json(serde_json::json!({
        "events": count,
        "messages_changed": changed,
        "ignored": ignored,
    })))
}
