//! One email over SMTP: the message built from the document (text, or text and HTML), a
//! Message-ID the server can match later, and the relay's answer sorted into "try again" and
//! "give up".

use super::config::EmailConfig;
use fieldstone_model::Message;
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

pub struct Mailer {
    transport: SmtpTransport,
    from: String,
    domain: String,
}

impl Mailer {
    pub fn new(config: &EmailConfig) -> Result<Self, String> {
        let transport = SmtpTransport::from_url(config.smtp_url.expose())
            .map_err(|e| format!("email.smtp_url: {e}"))?
            .timeout(Some(Duration::from_secs(config.timeout_secs)))
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(config.connections))
            .build();
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

    /// Sends `message` as `sender_name` (the agent); answers its Message-ID.
    pub fn send(
        &self,
        message: &Message,
        sender_name: &str,
        attempt: u32,
    ) -> Result<String, SendError> {
        let from = Mailbox::new(
            Some(sender_name.to_owned()).filter(|n| !n.trim().is_empty()),
            self.from
                .parse()
                .map_err(|e| SendError::Permanent(format!("the server's From address: {e}")))?,
        );
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("the address {}: {e}", message.to)))?;
        let id = self.message_id(message, attempt);
        let builder = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(message.subject.clone().unwrap_or_default())
            .message_id(Some(id.clone()));
        let email = match &message.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                message.body.clone(),
                html.clone(),
            )),
            None => builder.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body.clone()),
            ),
        }
        .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))?;
        match self.transport.send(&email) {
            Ok(_) => Ok(id),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!(
                "the mail server refused it: {e}"
            ))),
            Err(e) => Err(SendError::Transient(format!(
                "the mail server did not take it: {e}"
            ))),
        }
    }
}
