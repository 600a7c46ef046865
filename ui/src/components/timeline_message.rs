//! One outbound message on a contact's timeline: to whom, its subject and start, a status chip
//! (the model's label; neutral, positive, warning or danger), the reason a refusal or failure
//! gave, Withdraw while it still waits, and, opened, every event the provider reported.

use super::icons::{icon, Icon};
use crate::state::contact_messages::{withdrawable, Chip, ContactMessages, Delivery};
use crate::state::format::Local;
use chrono::{DateTime, Utc};
use fieldstone_model::{Message, MessageChannel, MessageId};
use fieldstone_protocol::views::MessageSummary;
use yew::prelude::*;

/// What one message line needs from the timeline.
pub struct MessageLine<'a> {
    pub messages: &'a ContactMessages,
    pub delivery: Delivery,
    pub now: DateTime<Utc>,
    pub local: Local,
    pub on_toggle: &'a Callback<MessageId>,
    pub on_withdraw: &'a Callback<MessageId>,
}

/// The provider's reports, oldest first, under an opened message.
fn events(line: &MessageLine<'_>, full: &Message) -> Html {
    let result = &full.result;
    html! {
        <div class="message-details">
            if result.events.is_empty() {
                <p class="message-details__none">{ "Nothing reported by the provider yet." }</p>
            } else {
                <ol class="message-events" aria-label="What happened to it">
                    for event in result.events.iter() {
                        <li class="message-events__item" data-event={event.kind.as_str()}>
                            <span class="message-events__kind">{ event.kind.label() }</span>
                            <time class="message-events__when">{ line.local.when(event.at, line.now) }</time>
                            if let Some(url) = &event.url {
                                <span class="message-events__url">{ url.clone() }</span>
                            }
                        </li>
                    }
                </ol>
            }
            if result.attempts > 1 {
                <p class="message-details__meta">{ format!("{} attempts to send", result.attempts) }</p>
            }
            <p class="message-details__body">{ full.body.clone() }</p>
        </div>
    }
}

pub fn message_entry(line: &MessageLine<'_>, message: &MessageSummary) -> Html {
    let chip = Chip::of(message, &line.delivery);
    let open = line.messages.open == Some(message.id);
    let id = message.id;
    let (icon_kind, what) = match message.channel {
        MessageChannel::Email => (Icon::Mail, "Email"),
        MessageChannel::Sms => (Icon::Message, "Text"),
    };
    let withdrawing = line.messages.withdraw.is_some_and(|(_, w)| w == id);
    let refused = line
        .messages
        .withdraw_error
        .as_ref()
        .filter(|(w, _)| *w == id)
        .map(|(_, why)| why.clone());
    let details = if open {
        match (&line.messages.full, &line.messages.full_error) {
            (Some(full), _) if full.id == id => events(line, full),
            (_, Some(error)) => html! {
                <p class="message-details__none" role="alert">{ format!("Couldn't read this message: {error}") }</p>
            },
            _ => html! { <p class="message-details__none">{ "Reading…" }</p> },
        }
    } else {
        Html::default()
    };
    html! {
        <li
            key={format!("message-{id}")}
            class={classes!("timeline__entry", "timeline__entry--message", (chip.key == "withdrawn").then_some("timeline__entry--withdrawn"))}
            data-kind="message"
            data-message-id={id.to_string()}
            data-status={chip.key}
        >
            <span class="timeline__icon" aria-hidden="true">{ icon(icon_kind) }</span>
            <div class="timeline__body">
                <p class="timeline__title">
                    <span class="timeline__title-text">{ format!("{what} to {}", message.to) }</span>
                    <time class="timeline__when">{ line.local.when(message.created_at, line.now) }</time>
                </p>
                if let Some(subject) = &message.subject {
                    <p class="timeline__subject">{ subject.clone() }</p>
                }
                <p class="timeline__text">{ message.preview.clone() }</p>
                <p class="timeline__status">
                    <span class={classes!("message-chip", format!("message-chip--{}", chip.tone.key()))}>{ chip.label }</span>
                    if let (Some(at), false) = (message.status_at, chip.key == "withdrawn") {
                        <time class="timeline__when">{ line.local.when(at, line.now) }</time>
                    }
                </p>
                if let Some(reason) = &message.reason {
                    <p class="timeline__reason">{ reason.clone() }</p>
                }
                <p class="timeline__actions">
                    <button
                        type="button"
                        class="button button--small button--ghost message-toggle"
                        aria-expanded={open.to_string()}
                        onclick={line.on_toggle.reform(move |_: MouseEvent| id)}
                    >
                        { if open { "Hide details" } else { "Details" } }
                    </button>
                    if withdrawable(message) {
                        <button
                            type="button"
                            class={classes!("button", "button--small", "button--secondary", "message-withdraw", withdrawing.then_some("button--busy"))}
                            disabled={withdrawing}
                            aria-label={format!("Withdraw this {}", what.to_lowercase())}
                            onclick={line.on_withdraw.reform(move |_: MouseEvent| id)}
                        >
                            <span class="button__spinner" aria-hidden="true"></span>
                            { "Withdraw" }
                        </button>
                    }
                </p>
                if let Some(why) = refused {
                    <p class="field__error" role="alert">{ why }</p>
                }
                { details }
            </div>
        </li>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::timeline::{Timeline, TimelineProps};
    use crate::state::contact_messages::{ContactMessages, Delivery};
    use crate::state::format::Local;
    use chrono::{DateTime, TimeZone, Utc};
    use fieldstone_model::{
        ContactId, Message, MessageChannel, MessageEvent, MessageEventKind, MessageInput,
        MessagePurpose, MessageStatus,
    };
    use fieldstone_protocol::views::MessageSummary;
    use std::rc::Rc;
    use yew::prelude::*;
    use yew::ServerRenderer;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 3, hour, 0, 0)
            .single()
            .expect("t")
    }

    fn contact() -> ContactId {
        "00000000-0000-4000-8000-000000000001".parse().expect("id")
    }

    fn summary(n: u32, status: MessageStatus, reason: Option<&str>) -> MessageSummary {
        MessageSummary {
            id: format!("00000000-0000-4000-8000-00000000e{n:03}")
                .parse()
                .expect("id"),
            contact: contact(),
            channel: MessageChannel::Email,
            purpose: MessagePurpose::OneToOne,
            to: "ada@example.com".into(),
            subject: Some(format!("Homes {n}")),
            preview: "Hi Ada".into(),
            status,
            reason: reason.map(str::to_owned),
            status_at: None,
            created_at: at(n),
            deleted_at: None,
        }
    }

    /// The props are made on the renderer's thread (`Rc` and callbacks are not `Send`).
    async fn render(list: Vec<MessageSummary>, open: Option<Message>, connected: bool) -> String {
        let delivery = Delivery {
            local_only: false,
            connected,
            pending: u64::from(!connected),
            last_synced_at: None,
        };
        ServerRenderer::<Timeline>::with_props(move || TimelineProps {
            entries: Rc::new(Vec::new()),
            now: at(12),
            local: Local::UTC,
            on_task: Callback::noop(),
            on_edit_task: None,
            messages: {
                let mut messages = ContactMessages::default();
                messages.loaded(Ok(list));
                messages.open = open.as_ref().map(|m| m.id);
                messages.full = open.map(Rc::new);
                messages
            },
            more: false,
            delivery,
            on_toggle_message: Callback::noop(),
            on_withdraw: Callback::noop(),
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn each_message_has_its_chip_and_a_refusal_its_reason() {
        let list = vec![
            summary(
                3,
                MessageStatus::Refused,
                Some("The contact said no to email."),
            ),
            summary(2, MessageStatus::Opened, None),
            summary(1, MessageStatus::Queued, None),
        ];
        let html = render(list.clone(), None, false).await;
        assert!(
            html.contains(r#"<span class="message-chip message-chip--danger">Not sent</span>"#),
            "{html}"
        );
        assert!(html.contains("The contact said no to email."));
        assert!(html.contains(r#"<span class="message-chip message-chip--positive">Opened</span>"#));
        assert!(html.contains(
            r#"<span class="message-chip message-chip--neutral">Waits for a connection</span>"#
        ));
        // Only the one still waiting can be withdrawn.
        assert_eq!(html.matches("message-withdraw").count(), 1, "{html}");
        let online = render(list, None, true).await;
        assert!(online.contains(">Waits to be sent</span>"), "{online}");
    }

    #[tokio::test]
    async fn an_opened_message_lists_what_the_provider_reported() {
        let opened = summary(2, MessageStatus::Clicked, None);
        let input = MessageInput {
            contact: contact(),
            channel: MessageChannel::Email,
            purpose: MessagePurpose::OneToOne,
            to: "ada@example.com".into(),
            subject: Some("Homes".into()),
            body: "Hi Ada,\nthree homes.".into(),
            body_html: None,
            task: None,
        };
        let mut full = Message::create(
            opened.id,
            input.validate().expect("valid"),
            "00000000-0000-4000-9000-000000000001".parse().expect("id"),
            at(2),
        );
        for (kind, url) in [
            (MessageEventKind::Accepted, None),
            (MessageEventKind::Opened, None),
            (
                MessageEventKind::Clicked,
                Some("https://homes.example/12-elm"),
            ),
        ] {
            full.result.apply(MessageEvent {
                at: at(3),
                kind,
                url: url.map(str::to_owned),
                user_agent: None,
                provider_event: None,
            });
        }
        let html = render(vec![opened], Some(full), true).await;
        assert!(html.contains(r#"aria-expanded="true""#), "{html}");
        assert!(html.contains(r#"data-event="opened""#));
        assert!(html.contains("Link clicked"));
        assert!(html.contains("https://homes.example/12-elm"));
    }
}
