//! The hosted lead form (DESIGN decision 16): a page the server serves per organisation (and per
//! listing), and the same form as a snippet an office pastes into its own website — plain HTML
//! posting here, no script of anyone's. A post becomes a lead through `intake::deliver`, like
//! every other channel: deduped on arrival, routed, with the exact consent sentence the visitor
//! saw recorded on the interaction.
//!
//! Guards, in order, before anything is stored: the per-address rate limit (shared with the
//! intake API), the body's size, the honeypot (a field people never see; a bot that fills it
//! is answered "thank you" and dropped, so it learns nothing), then the model's validation.
//! The form carries no CSRF token on purpose: it has no session and no ambient authority — a
//! post from another site can do only what anyone can do by filling the form, which is what an
//! embedded form is for; the rate limit and the honeypot are what guard it.

use super::outreach::{csp_of, limited, styled_page};
use super::ClientIp;
use crate::auth::PublicRoute;
use crate::error::ApiError;
use crate::intake::{deliver, IntakeChannel, Lead};
use crate::links::escape;
use crate::sync::guard;
use crate::{blocking, AppState};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fieldstone_model::contact::{Consent, Consents};
use fieldstone_model::listing::Visibility;
use fieldstone_model::{ContactInput, EmailEntry, LeadSource, ListingId, OrgId, PhoneEntry};
use fieldstone_protocol::DocId;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The largest form post taken (a message of a few thousand characters fits many times).
pub const FORM_MAX_BYTES: usize = 16 * 1024;
/// The longest message kept.
const MESSAGE_MAX_CHARS: usize = 4_000;
/// The honeypot's name: plausible to a bot, hidden from people (and from screen readers).
const HONEYPOT: &str = "website";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2.5rem auto;\
padding:0 1rem;color:#1f2933;line-height:1.5}h1{font-size:1.5rem;margin-bottom:.25rem}\
.lead{color:#52606d;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .3rem}\
input,textarea{box-sizing:border-box;width:100%;font:inherit;min-height:44px;padding:.5rem .75rem;\
border:1px solid #cbd2d9;border-radius:6px}textarea{min-height:6rem}\
.consent{display:flex;gap:.75rem;align-items:flex-start;font-weight:400;margin-top:1.25rem}\
.consent input{width:24px;min-height:24px;height:24px;margin-top:.15rem;flex-shrink:0}\
.error{color:#b3261e;margin:.3rem 0 0;font-size:.95rem}.errors{color:#b3261e}\
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}\
button{font:inherit;min-height:48px;margin-top:1.5rem;padding:.5rem 1.5rem;border:0;\
border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer}\
button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #93c5fd}";

fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    csp_of(STYLE, &CSP)
}

/// `?listing=<id>`: the form asks about that home.
#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    #[serde(default)]
    listing: Option<String>,
}

/// What the page says the form is for: the organisation, and the listing when it is public.
struct Subject {
    org_name: String,
    /// A public listing's address; a private or exclusive one is never named on a public page.
    place: Option<String>,
    listing: Option<ListingId>,
}

/// The consent sentence shown beside the box, recorded word for word with the lead.
pub fn consent_text(org_name: &str) -> String {
    format!(
        "Yes, {org_name} may contact me by email, text and phone about homes. I can ask them to \
         stop at any time."
    )
}

/// The form's fields as typed, kept to show again beside their errors.
#[derive(Debug, Default)]
struct Typed {
    given_name: String,
    family_name: String,
    email: String,
    phone: String,
    message: String,
    consent: bool,
}

impl Typed {
    fn from_pairs(pairs: &BTreeMap<String, String>) -> Self {
        let get = |k: &str| pairs.get(k).cloned().unwrap_or_default();
        Typed {
            given_name: get("given_name"),
            family_name: get("family_name"),
            email: get("email"),
            phone: get("phone"),
            message: get("message"),
            consent: pairs.get("consent").is_some_and(|v| v == "yes"),
        }
    }
}

/// Reads the organisation (404 like a missing one for another's id) and the listing, when it
/// is the organisation's and public. Blocking.
fn subject(state: &AppState, org: OrgId, listing: Option<&str>) -> Result<Subject, ApiError> {
    let row = state
        .store
        .org(org)?
        .ok_or_else(|| ApiError::NotFound("no such organisation".into()))?;
    let listing = listing.and_then(|id| id.parse::<ListingId>().ok());
    let place = match listing {
        None => None,
        Some(id) => {
            let doc_id = DocId::new(fieldstone_doc::listing::KIND, id)
                .map_err(|e| ApiError::BadRequest(e.to_string()))?;
            state
                .store
                .load_doc(org, &doc_id)?
                .and_then(|stored| guard::load(&stored.bytes).ok())
                .and_then(|doc| fieldstone_doc::listing::read(&doc).ok())
                .filter(|l| l.visibility == Visibility::Public && l.deleted_at.is_none())
                .map(|l| l.address.one_line())
        }
    };
    Ok(Subject {
        org_name: row.name,
        place,
        listing,
    })
}

/// The form, with `typed` in its fields and `errors` (by field) beside them.
fn form_html(
    org: OrgId,
    subject: &Subject,
    typed: &Typed,
    errors: &BTreeMap<&'static str, String>,
) -> String {
    let field = |name: &'static str, label: &str, kind: &str, value: &str, auto: &str| {
        let error = errors.get(name).map_or(String::new(), |e| {
            format!("<p class=\"error\" id=\"{name}-error\">{}</p>", escape(e))
        });
        let described = if errors.contains_key(name) {
            format!(" aria-invalid=\"true\" aria-describedby=\"{name}-error\"")
        } else {
            String::new()
        };
        format!(
            "<label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\" \
             type=\"{kind}\" autocomplete=\"{auto}\" value=\"{}\"{described}>{error}",
            escape(value)
        )
    };
    let listing_field = subject.listing.map_or(String::new(), |id| {
        format!("<input type=\"hidden\" name=\"listing\" value=\"{id}\">")
    });
    let about = subject.place.as_deref().map_or_else(
        || "Tell us what you are looking for and an agent will be in touch.".to_owned(),
        |place| format!("Ask about {} and an agent will be in touch.", escape(place)),
    );
    let summary = if errors.is_empty() {
        String::new()
    } else {
        "<p class=\"errors\" role=\"alert\">Please check the fields marked below.</p>".to_owned()
    };
    let message_error = errors.get("message").map_or(String::new(), |e| {
        format!("<p class=\"error\" id=\"message-error\">{}</p>", escape(e))
    });
    format!(
        "<h1>Contact {org_name}</h1><p class=\"lead\">{about}</p>{summary}\
         <form method=\"post\" action=\"/forms/{org}\" novalidate>{listing_field}\
         {given}{family}{email}{phone}\
         <label for=\"message\">Message</label><textarea id=\"message\" name=\"message\">{message}</textarea>{message_error}\
         <div class=\"hp\" aria-hidden=\"true\"><label for=\"{HONEYPOT}\">Website</label>\
         <input id=\"{HONEYPOT}\" name=\"{HONEYPOT}\" tabindex=\"-1\" autocomplete=\"off\"></div>\
         <label class=\"consent\" for=\"consent\"><input id=\"consent\" name=\"consent\" type=\"checkbox\" value=\"yes\"{checked}>\
         <span id=\"consent-text\">{consent}</span></label>\
         <button type=\"submit\">Send</button></form>",
        org_name = escape(&subject.org_name),
        given = field("given_name", "First name", "text", &typed.given_name, "given-name"),
        family = field("family_name", "Last name", "text", &typed.family_name, "family-name"),
        email = field("email", "Email", "email", &typed.email, "email"),
        phone = field("phone", "Phone", "tel", &typed.phone, "tel"),
        message = escape(&typed.message),
        checked = if typed.consent { " checked" } else { "" },
        consent = escape(&consent_text(&subject.org_name)),
    )
}

fn form_page(status: StatusCode, body: &str) -> Response {
    styled_page(status, "Contact us", STYLE, csp(), body)
}

/// `GET /forms/{org}`: the hosted form. Rate-limited per address like the other public pages
/// (each view reads the organisation, and a listing when named).
pub async fn form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<OrgId>,
    Query(query): Query<FormQuery>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    let subject = blocking({
        let state = state.clone();
        move || subject(&state, org, query.listing.as_deref())
    })
    .await?;
    let html = form_html(org, &subject, &Typed::default(), &BTreeMap::new());
    Ok(form_page(StatusCode::OK, &html))
}

/// `GET /forms/{org}/snippet`: the form as HTML to paste into a website (text/plain, so it is
/// shown, not run). It posts to this server's public address.
pub async fn snippet(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<OrgId>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    let subject = blocking({
        let state = state.clone();
        move || subject(&state, org, None)
    })
    .await?;
    let base = state.config.http.public_url.clone().unwrap_or_default();
    let html = form_html(org, &subject, &Typed::default(), &BTreeMap::new()).replace(
        &format!("action=\"/forms/{org}\""),
        &format!("action=\"{}/forms/{org}\"", base.trim_end_matches('/')),
    );
    let mut response = html.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

/// Checks what was typed; answers the lead or the errors by field.
fn lead_of(
    subject: &Subject,
    typed: &Typed,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Lead, BTreeMap<&'static str, String>> {
    let mut errors = BTreeMap::new();
    if typed.given_name.trim().is_empty() && typed.family_name.trim().is_empty() {
        errors.insert("given_name", "Enter your name.".to_owned());
    }
    if typed.email.trim().is_empty() && typed.phone.trim().is_empty() {
        errors.insert(
            "email",
            "Enter an email address or a phone number.".to_owned(),
        );
    }
    if typed.message.chars().count() > MESSAGE_MAX_CHARS {
        errors.insert(
            "message",
            format!("A message can be at most {MESSAGE_MAX_CHARS} characters."),
        );
    }
    let consent_text = consent_text(&subject.org_name);
    let consent = if typed.consent {
        let source: String = format!("web form: {consent_text}")
            .chars()
            .take(fieldstone_model::contact::CONSENT_SOURCE_MAX_CHARS)
            .collect();
        let granted = Consent::granted(&source, now);
        Consents {
            email: granted.clone(),
            sms: granted.clone(),
            call: granted,
        }
    } else {
        Consents::default()
    };
    let one = |value: &str| {
        Some(value.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let input = ContactInput {
        given_name: typed.given_name.clone(),
        family_name: typed.family_name.clone(),
        emails: one(&typed.email)
            .map(|address| EmailEntry {
                address,
                label: Default::default(),
                primary: true,
            })
            .into_iter()
            .collect(),
        phones: one(&typed.phone)
            .map(|number| PhoneEntry {
                number,
                label: Default::default(),
                primary: true,
            })
            .into_iter()
            .collect(),
        source: LeadSource::WebForm,
        source_detail: subject.place.clone().map(|p| p.chars().take(200).collect()),
        consent,
        ..ContactInput::default()
    };
    let person = input.validate().map_err(|refused| {
        for e in refused.0 {
            let field = match e.field.as_str() {
                f if f.starts_with("emails") => "email",
                f if f.starts_with("phones") => "phone",
                "family_name" => "family_name",
                _ => "given_name",
            };
            errors.entry(field).or_insert(e.message);
        }
        errors.clone()
    });
    let person = match person {
        Ok(person) if errors.is_empty() => person,
        Ok(_) => return Err(errors),
        Err(errors) => return Err(errors),
    };
    let about = match (&subject.place, subject.listing) {
        (Some(place), _) => format!("Web form about {place}"),
        (None, Some(id)) => format!("Web form about listing {id}"),
        (None, None) => "Web form".to_owned(),
    };
    let mut summary = about;
    if !typed.message.trim().is_empty() {
        summary.push_str(&format!(": {}", typed.message.trim()));
    }
    let answer = if typed.consent {
        "ticked"
    } else {
        "not ticked"
    };
    summary.push_str(&format!("\nConsent shown ({answer}): \"{consent_text}\""));
    Ok(Lead {
        channel: IntakeChannel::WebForm,
        event_id: None,
        sender: None,
        person,
        summary,
        occurred_at: now,
        price: None,
        language: None,
    })
}

/// `POST /forms/{org}`: a visitor sends the form.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<OrgId>,
    body: Body,
) -> Result<Response, ApiError> {
    state
        .intake
        .check_ip(ip)
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let bytes = axum::body::to_bytes(body, FORM_MAX_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge {
            limit: FORM_MAX_BYTES,
        })?;
    let pairs: BTreeMap<String, String> = form_urlencoded::parse(&bytes).into_owned().collect();
    let typed = Typed::from_pairs(&pairs);
    let listing = pairs.get("listing").cloned();
    let subject = blocking({
        let state = state.clone();
        move || subject(&state, org, listing.as_deref())
    })
    .await?;
    let thanks = || {
        form_page(
            StatusCode::OK,
            "<h1 id=\"thanks\">Thank you</h1><p>We have your message; an agent will be in touch soon.</p>",
        )
    };
    if pairs.get(HONEYPOT).is_some_and(|v| !v.trim().is_empty()) {
        tracing::info!(%org, "a web form post with its honeypot filled was dropped");
        return Ok(thanks());
    }
    let lead = match lead_of(&subject, &typed, state.clock.now()) {
        Ok(lead) => lead,
        Err(errors) => {
            let html = form_html(org, &subject, &typed, &errors);
            return Ok(form_page(StatusCode::BAD_REQUEST, &html));
        }
    };
    blocking(move || {
        deliver(&state, org, lead).map_err(|e| ApiError::Internal(format!("web form lead: {e}")))
    })
    .await?;
    Ok(thanks())
}
