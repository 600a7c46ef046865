//! One email: composed once from the document (text, or text and HTML; a Message-ID the server
//! can match later; for marketing mail the RFC 8058 one-click unsubscribe headers and a footer
//! link; for HTML mail the open pixel and signed click links when the server has a public
//! address), then handed to the relay over SMTP or to SendGrid's v3 Mail Send API, and the
//! answer sorted into "try again" and "give up".

use super::config::EmailConfig;
use super::sendgrid_api::SendGridApi;
use crate::links::{rewrite_html, MessageLinks};
use fieldstone_model::{Message, MessagePurpose};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{SmtpTransport, Transport};
use std::time::Duration;

/// How a send ended, when it did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later (a 4xx answer, no connection, a timeout).
    Transient(String),
    /// Trying again would fail the same way (a 5xx answer, a malformed address).
    Permanent(String),
}

/// Declares a header lettre does not know, written as given.
macro_rules! raw_header {
    ($name:ident, $text:literal) => {
        #[derive(Clone)]
        struct $name(String);

        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($text)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

raw_header!(ListUnsubscribe, "List-Unsubscribe");
raw_header!(ListUnsubscribePost, "List-Unsubscribe-Post");
// SendGrid echoes these "unique args" on every event about the message, which is how its
// webhook finds the message again (`webhooks::sendgrid`).
raw_header!(SmtpApi, "X-SMTPAPI");

/// What the server adds to one message beyond its document.
pub struct Extras<'a> {
    pub target: crate::links::LinkTarget,
    /// Signed links rooted at the server's public address, when it has one.
    pub links: Option<MessageLinks<'a>>,
    /// Open and click tracking (HTML mail only).
    pub track: bool,
    /// Tag the message for SendGrid's Event Webhook.
    pub sendgrid: bool,
}

/// An email ready for any transport.
pub(super) struct Composed {
    pub id: String,
    pub from: String,
    pub from_name: Option<String>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// `List-Unsubscribe`, when marketing.
    pub unsubscribe: Option<String>,
    /// SendGrid's custom arguments (`fs_org`, `fs_message`), when tagged.
    pub custom_args: Option<serde_json::Value>,
}

enum Transport_ {
    Smtp(SmtpTransport),
    SendGrid(SendGridApi),
}

pub struct Mailer {
    transport: Transport_,
    from: String,
    domain: String,
}

impl Mailer {
    /// `runtime` runs the SendGrid API's requests (the dispatcher's workers are plain
    /// threads); SMTP needs none.
    pub fn new(
        config: &EmailConfig,
        runtime: Option<tokio::runtime::Handle>,
    ) -> Result<Self, String> {
        let url = config.smtp_url.expose();
        let transport = if let Some(api) = SendGridApi::from_url(url, config.timeout_secs) {
            let runtime =
                runtime.ok_or_else(|| "SendGrid's API needs the server's runtime".to_owned())?;
            Transport_::SendGrid(api?.with_runtime(runtime))
        } else {
            Transport_::Smtp(
                SmtpTransport::from_url(url)
                    .map_err(|e| format!("email.smtp_url: {e}"))?
                    .timeout(Some(Duration::from_secs(config.timeout_secs)))
                    .pool_config(
                        lettre::transport::smtp::PoolConfig::new().max_size(config.connections),
                    )
                    .build(),
            )
        };
        let domain = config
            .from
            .rsplit_once('@')
            .map(|(_, d)| d.to_owned())
            .ok_or_else(|| "email.from has no domain".to_owned())?;
        Ok(Mailer {
            transport,
            from: config.from.clone(),
            domain,
        })
    }

    /// The Message-ID of attempt `attempt` of message `message` (the document's id makes it
    /// the server's to recognise; the attempt keeps each try distinct for the relay).
    pub fn message_id(&self, message: &Message, attempt: u32) -> String {
        format!("<{}.{attempt}@{}>", message.id, self.domain)
    }

    fn compose(
        &self,
        message: &Message,
        sender_name: &str,
        attempt: u32,
        extras: &Extras<'_>,
    ) -> Composed {
        let mut text = message.body.clone();
        let mut html = message.body_html.clone();
        let mut unsubscribe = None;
        if let Some(links) = &extras.links {
            if message.purpose == MessagePurpose::Marketing {
                let url = links.unsubscribe();
                text.push_str(&format!("\n\n--\nUnsubscribe: {url}\n"));
                if let Some(html) = &mut html {
                    let footer = format!(
                        "<p style=\"font-size:12px;color:#666\"><a href=\"{}\">Unsubscribe</a></p>",
                        crate::links::escape(&url)
                    );
                    match html.to_ascii_lowercase().rfind("</body>") {
                        Some(end) => html.insert_str(end, &footer),
                        None => html.push_str(&footer),
                    }
                }
                unsubscribe = Some(url);
            }
            if extras.track {
                if let Some(body) = &html {
                    let pixel = links.open_pixel();
                    html = Some(rewrite_html(
                        body,
                        // The unsubscribe link goes straight to its page.
                        |url| {
                            if unsubscribe.as_deref() == Some(url) {
                                url.to_owned()
                            } else {
                                links.click(url)
                            }
                        },
                        Some(&pixel),
                    ));
                }
            }
        }
        let custom_args = extras.sendgrid.then(|| {
            serde_json::json!({
                crate::webhooks::sendgrid::ORG_ARG: extras.target.org.to_string(),
                crate::webhooks::sendgrid::MESSAGE_ARG: extras.target.message.to_string(),
            })
        });
        Composed {
            id: self.message_id(message, attempt),
            from: self.from.clone(),
            from_name: Some(sender_name.to_owned()).filter(|n| !n.trim().is_empty()),
            to: message.to.clone(),
            subject: message.subject.clone().unwrap_or_default(),
            text,
            html,
            unsubscribe,
            custom_args,
        }
    }

    /// Sends the server's own notice (a weekly report) to one of the organisation's people:
    /// plain text, no tracking, no unsubscribe footer (it is not marketing); `id` makes its
    /// Message-ID.
    pub fn send_notice(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        id: &str,
    ) -> Result<String, SendError> {
        let email = Composed {
            id: format!("<{id}@{}>", self.domain),
            from: self.from.clone(),
            from_name: Some("Fieldstone".to_owned()),
            to: to.to_owned(),
            subject: subject.to_owned(),
            text: text.to_owned(),
            html: None,
            unsubscribe: None,
            custom_args: None,
        };
        match &self.transport {
            Transport_::Smtp(transport) => send_smtp(transport, email),
            Transport_::SendGrid(api) => api.send(&email),
        }
    }

    /// Sends `message` as `sender_name` (the agent); answers the provider's id for it (the
    /// Message-ID over SMTP, SendGrid's message id over its API).
    pub fn send(
        &self,
        message: &Message,
        sender_name: &str,
        attempt: u32,
        extras: &Extras<'_>,
    ) -> Result<String, SendError> {
        let email = self.compose(message, sender_name, attempt, extras);
        match &self.transport {
            Transport_::Smtp(transport) => send_smtp(transport, email),
            Transport_::SendGrid(api) => api.send(&email),
        }
    }
}

fn send_smtp(transport: &SmtpTransport, email: Composed) -> Result<String, SendError> {
    let from = Mailbox::new(
        email.from_name,
        email
            .from
            .parse()
            .map_err(|e| SendError::Permanent(format!("the server's From address: {e}")))?,
    );
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| SendError::Permanent(format!("the address {}: {e}", email.to)))?;
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject)
        .message_id(Some(email.id.clone()));
    if let Some(url) = &email.unsubscribe {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
    }
    if let Some(args) = &email.custom_args {
        builder = builder.header(SmtpApi(
            serde_json::json!({ "unique_args": args }).to_string(),
        ));
    }
    let built = match email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(email.text, html)),
        None => builder.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(email.text),
        ),
    }
    .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))?;
    match transport.send(&built) {
        Ok(_) => Ok(email.id),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(format!(
            "the mail server refused it: {e}"
        ))),
        Err(e) => Err(SendError::Transient(format!(
            "the mail server did not take it: {e}"
        ))),
    }
}
