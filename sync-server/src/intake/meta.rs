//! Instagram and WhatsApp messages in Meta's webhook format, as leads; and each organisation's
//! Meta app settings (the app secret that signs the webhooks and the verify token of the
//! subscription handshake), sealed like every provider secret (`crate::secrets`).
//!
//! WhatsApp Cloud API: `{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
//! "messages", "value": {"contacts": [{"profile": {"name"}, "wa_id"}], "messages": [{"from",
//! "id", "timestamp", "type", "text": {"body"}, "referral"?}]}}]}]}` (status updates carry
//! `statuses` instead of `messages` and are not leads).
//! Instagram messaging: `{"object": "instagram", "entry": [{"messaging": [{"sender": {"id"},
//! "recipient": {"id"}, "timestamp", "message": {"mid", "text", "is_echo"?, "attachments"?,
//! "referral"?, "reply_to"?}}]}]}` (an echo is the business's own reply, not a lead).

use super::{IntakeChannel, Lead};
use crate::secrets::Sealer;
use crate::store::ProviderRow;
use chrono::{DateTime, Utc};
use fieldstone_model::contact::PhoneEntry;
use fieldstone_model::{ContactInput, LeadSource, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The provider kind Meta's settings are kept under (`org_providers`).
pub const PROVIDER_KIND: &str = "meta";

/// An organisation's Meta app secrets, sealed together as one provider secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaSecrets {
    /// Signs every webhook POST (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// What the subscription handshake must present as `hub.verify_token`.
    pub verify_token: String,
}

impl std::fmt::Debug for MetaSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetaSecrets(***)")
    }
}

impl MetaSecrets {
    /// Every problem at once; the secrets are never echoed.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut problems = Vec::new();
        if !(8..=256).contains(&self.app_secret.trim().len()) {
            problems.push(
                "app_secret: 8 to 256 characters (the app's secret from Meta's App Dashboard)",
            );
        }
        if !(8..=256).contains(&self.verify_token.trim().len()) {
            problems.push(
                "verify_token: 8 to 256 characters (the token you enter in the webhook's settings)",
            );
        }
        problems
    }

    /// The provider row holding them, sealed for `org`.
    pub fn seal(
        &self,
        sealer: &Sealer,
        org: fieldstone_model::OrgId,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> ProviderRow {
        let plain = serde_json::to_string(self).unwrap_or_default();
        ProviderRow {
            kind: PROVIDER_KIND.to_owned(),
            settings: "{}".to_owned(),
            sealed_secret: Some(sealer.seal(org, PROVIDER_KIND, &plain)),
            updated_at: now,
            updated_by: by,
        }
    }

    /// The secrets in a stored row; `None` when they cannot be opened.
    pub fn open(sealer: &Sealer, org: fieldstone_model::OrgId, row: &ProviderRow) -> Option<Self> {
        let sealed = row.sealed_secret.as_deref()?;
        let plain = sealer.open(org, PROVIDER_KIND, sealed).ok()?;
        serde_json::from_str(&plain).ok()
    }
}

/// Why a signed body is not a notification we can read (400, nothing stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("not a Meta notification: {0}")]
    Shape(String),
}

#[derive(Debug, Deserialize)]
struct Notification {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
    #[serde(default)]
    messaging: Vec<Messaging>,
}

#[derive(Debug, Deserialize)]
struct Change {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    value: Value,
}

#[derive(Debug, Default, Deserialize)]
struct WaValue {
    #[serde(default)]
    contacts: Vec<WaContact>,
    #[serde(default)]
    messages: Vec<WaMessage>,
}

#[derive(Debug, Deserialize)]
struct WaContact {
    #[serde(default)]
    wa_id: Option<String>,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Debug, Deserialize)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WaMessage {
    from: String,
    id: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    text: Option<Body>,
    /// A click-to-WhatsApp ad or post the person came from.
    #[serde(default)]
    referral: Option<Referral>,
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(default)]
    body: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Referral {
    #[serde(default)]
    source_url: Option<String>,
    #[serde(default)]
    headline: Option<String>,
    #[serde(default)]
    ads_context_data: Option<AdContext>,
}

#[derive(Debug, Default, Deserialize)]
struct AdContext {
    #[serde(default)]
    ad_title: Option<String>,
    #[serde(default)]
    post_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Messaging {
    sender: Sender,
    #[serde(default)]
    timestamp: Option<i64>,
    #[serde(default)]
    message: Option<IgMessage>,
}

#[derive(Debug, Deserialize)]
struct Sender {
    id: String,
    /// Not in Meta's own payloads (a handle needs a Graph API call); taken when a relay adds it.
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IgMessage {
    mid: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    is_echo: bool,
    #[serde(default)]
    referral: Option<Referral>,
    #[serde(default)]
    reply_to: Option<ReplyTo>,
    #[serde(default)]
    attachments: Vec<Attachment>,
}

#[derive(Debug, Deserialize)]
struct ReplyTo {
    #[serde(default)]
    story: Option<Story>,
}

#[derive(Debug, Deserialize)]
struct Story {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Attachment {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    payload: Option<AttachmentPayload>,
}

#[derive(Debug, Deserialize)]
struct AttachmentPayload {
    #[serde(default)]
    url: Option<String>,
}

/// Longest message text kept on the timeline.
const TEXT_MAX_CHARS: usize = 4_000;

/// Every message in a verified body, as leads; a message the model cannot take (a number that
/// is not one) is left out with a warning, so one bad message does not make Meta resend the
/// rest forever. `now` stands in for a missing or absurd timestamp.
pub fn leads(body: &[u8], now: DateTime<Utc>) -> Result<Vec<Lead>, Unreadable> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Unreadable::NotJson(e.to_string()))?;
    let notification: Notification =
        serde_json::from_value(value).map_err(|e| Unreadable::Shape(e.to_string()))?;
    let mut leads = Vec::new();
    match notification.object.as_str() {
        "whatsapp_business_account" => {
            for (i, entry) in notification.entry.into_iter().enumerate() {
                for (j, change) in entry.changes.into_iter().enumerate() {
                    if change.field.as_deref().is_some_and(|f| f != "messages") {
                        continue;
                    }
                    let value: WaValue = serde_json::from_value(change.value).map_err(|e| {
                        Unreadable::Shape(format!("entry.{i}.changes.{j}.value: {e}"))
                    })?;
                    leads.extend(whatsapp(value, now));
                }
            }
        }
        "instagram" => {
            for entry in notification.entry {
                leads.extend(
                    entry
                        .messaging
                        .into_iter()
                        .filter_map(|m| instagram(m, now)),
                );
            }
        }
        other => {
            return Err(Unreadable::Shape(format!(
                "object {other:?} is neither whatsapp_business_account nor instagram"
            )))
        }
    }
    Ok(leads)
}

fn whatsapp(value: WaValue, now: DateTime<Utc>) -> Vec<Lead> {
    let name_of = |from: &str| {
        value
            .contacts
            .iter()
            .find(|c| c.wa_id.as_deref() == Some(from))
            .or(value.contacts.first())
            .and_then(|c| c.profile.as_ref()?.name.clone())
    };
    let mut leads = Vec::new();
    for message in &value.messages {
        // WhatsApp writes the number in international form without its "+".
        let number = format!("+{}", message.from.trim_start_matches('+'));
        let (given_name, family_name) = split_name(name_of(&message.from).as_deref());
        let person = ContactInput {
            given_name,
            family_name,
            phones: vec![PhoneEntry {
                number: number.clone(),
                label: Default::default(),
                primary: true,
            }],
            whatsapp: Some(number.clone()),
            source: LeadSource::WhatsApp,
            ..Default::default()
        };
        let text = match (&message.text, message.kind.as_deref()) {
            (Some(Body { body: Some(body) }), _) => clip(body),
            (_, Some(kind)) => format!("(a {kind} message)"),
            _ => "(a message)".to_owned(),
        };
        let mut summary = format!("WhatsApp message: {text}");
        push_referral(&mut summary, message.referral.as_ref());
        let at = message
            .timestamp
            .as_deref()
            .and_then(|t| t.parse::<i64>().ok())
            .and_then(|s| DateTime::from_timestamp(s, 0));
        leads.extend(lead(
            IntakeChannel::WhatsApp,
            &message.id,
            number,
            person,
            summary,
            sane(at, now),
        ));
    }
    leads
}

fn instagram(messaging: Messaging, now: DateTime<Utc>) -> Option<Lead> {
    let message = messaging.message?;
    if message.is_echo {
        return None;
    }
    let sender = messaging.sender;
    let (given_name, family_name) = split_name(sender.name.as_deref());
    // A contact needs a name or a way to reach them; a sender known only by Meta's id is
    // "Instagram contact" until the agent learns more.
    let given_name = if given_name.is_empty() && family_name.is_empty() {
        "Instagram contact".to_owned()
    } else {
        given_name
    };
    let person = ContactInput {
        given_name,
        family_name,
        instagram: sender.username.clone(),
        source: LeadSource::Instagram,
        source_detail: Some(format!("Instagram sender {}", sender.id)),
        ..Default::default()
    };
    let text = match &message.text {
        Some(text) => clip(text),
        None => "(a message without text)".to_owned(),
    };
    let mut summary = format!("Instagram message: {text}");
    push_referral(&mut summary, message.referral.as_ref());
    if let Some(url) = message.reply_to.and_then(|r| r.story?.url) {
        summary.push_str(&format!("\nReplying to the story {url}"));
    }
    for attachment in message.attachments {
        if let Some(url) = attachment.payload.and_then(|p| p.url) {
            let kind = attachment.kind.unwrap_or_else(|| "attachment".into());
            summary.push_str(&format!("\nShared {kind}: {url}"));
        }
    }
    let at = messaging
        .timestamp
        .and_then(DateTime::from_timestamp_millis);
    lead(
        IntakeChannel::Instagram,
        &message.mid,
        sender.id,
        person,
        summary,
        sane(at, now),
    )
}

/// The post, ad or listing a message came from, when Meta says.
fn push_referral(summary: &mut String, referral: Option<&Referral>) {
    let Some(referral) = referral else {
        return;
    };
    let ad = referral.ads_context_data.as_ref();
    let title = referral
        .headline
        .as_deref()
        .or(ad.and_then(|a| a.ad_title.as_deref()));
    let link = referral.source_url.clone().or(ad
        .and_then(|a| a.post_id.as_ref())
        .map(|id| format!("post {id}")));
    let from = match (title, link) {
        (Some(title), Some(link)) => format!("{title} ({link})"),
        (Some(title), None) => title.to_owned(),
        (None, Some(link)) => link,
        (None, None) => return,
    };
    summary.push_str(&format!("\nFrom: {from}"));
}

fn lead(
    channel: IntakeChannel,
    event_id: &str,
    sender: String,
    person: ContactInput,
    summary: String,
    occurred_at: DateTime<Utc>,
) -> Option<Lead> {
    if event_id.trim().is_empty() || event_id.len() > 300 || sender.len() > 300 {
        tracing::warn!(
            channel = channel.key(),
            "a Meta message without a usable id was left out"
        );
        return None;
    }
    match person.validate() {
        Ok(person) => Some(Lead {
            channel,
            event_id: Some(event_id.to_owned()),
            sender: Some(sender),
            person,
            summary,
            occurred_at,
            price: None,
            language: None,
        }),
        Err(problems) => {
            tracing::warn!(channel = channel.key(), %problems, "a Meta message's sender is not a contact the model accepts; left out");
            None
        }
    }
}

/// "Ada Lovelace" → ("Ada", "Lovelace"); a single word is the given name.
fn split_name(name: Option<&str>) -> (String, String) {
    let name: String = name.unwrap_or_default().trim().chars().take(200).collect();
    match name.split_once(char::is_whitespace) {
        Some((given, family)) => (given.to_owned(), family.trim().to_owned()),
        None => (name, String::new()),
    }
}

fn clip(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return "(an empty message)".to_owned();
    }
    text.chars().take(TEXT_MAX_CHARS).collect()
}

/// A sender's time, unless it is more than a day off ours (a wrong clock, a forged value).
fn sane(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    at.filter(|at| (now - *at).num_hours().abs() <= 24)
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_whatsapp_text_is_a_lead_with_number_name_and_the_ad() {
        let now = Utc::now();
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA",
            "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550001111", "phone_number_id": "1"},
                "contacts": [{"profile": {"name": "Ada Lovelace"}, "wa_id": "15551234567"}],
                "messages": [{"from": "15551234567", "id": "wamid.A1",
                    "timestamp": now.timestamp().to_string(), "type": "text",
                    "text": {"body": "Is the loft still available?"},
                    "referral": {"source_url": "https://fb.me/ad1", "headline": "Loft on 5th"}}]}}]}]});
        let leads = leads(body.to_string().as_bytes(), now).expect("read");
        assert_eq!(leads.len(), 1);
        let lead = &leads[0];
        assert_eq!(lead.event_id.as_deref(), Some("wamid.A1"));
        assert_eq!(lead.sender.as_deref(), Some("+15551234567"));
        assert_eq!(lead.person.whatsapp.as_deref(), Some("+15551234567"));
        assert_eq!(
            (
                lead.person.given_name.as_str(),
                lead.person.family_name.as_str()
            ),
            ("Ada", "Lovelace")
        );
        assert_eq!(
            lead.summary,
            "WhatsApp message: Is the loft still available?\nFrom: Loft on 5th (https://fb.me/ad1)"
        );
    }

    #[test]
    fn instagram_messages_are_leads_and_echoes_and_statuses_are_not() {
        let now = Utc::now();
        let body = json!({"object": "instagram", "entry": [{"id": "IG", "time": 1,
            "messaging": [
                {"sender": {"id": "1789"}, "recipient": {"id": "IG"}, "timestamp": now.timestamp_millis(),
                 "message": {"mid": "m1", "text": "Price of the house in your post?",
                    "reply_to": {"story": {"url": "https://cdn/story1", "id": "s1"}}}},
                {"sender": {"id": "IG"}, "recipient": {"id": "1789"}, "timestamp": 1,
                 "message": {"mid": "m2", "text": "Thanks!", "is_echo": true}}]}]});
        let leads = leads(body.to_string().as_bytes(), now).expect("read");
        assert_eq!(leads.len(), 1, "the echo is ours");
        assert_eq!(leads[0].sender.as_deref(), Some("1789"));
        assert_eq!(leads[0].person.given_name, "Instagram contact");
        assert!(leads[0]
            .summary
            .contains("Replying to the story https://cdn/story1"));
        let statuses = json!({"object": "whatsapp_business_account", "entry": [{"changes": [
            {"field": "messages", "value": {"statuses": [{"id": "wamid.X", "status": "read"}]}}]}]});
        assert!(leads_of(&statuses).is_empty());
    }

    fn leads_of(body: &Value) -> Vec<Lead> {
        leads(body.to_string().as_bytes(), Utc::now()).expect("read")
    }

    #[test]
    fn unreadable_bodies_say_why() {
        assert!(matches!(
            leads(b"{not json", Utc::now()),
            Err(Unreadable::NotJson(_))
        ));
        assert!(matches!(
            leads(b"{\"entry\": []}", Utc::now()),
            Err(Unreadable::Shape(_))
        ));
        let page = json!({"object": "page", "entry": []});
        assert!(matches!(
            leads(page.to_string().as_bytes(), Utc::now()),
            Err(Unreadable::Shape(_))
        ));
    }
}
