//! The composer's Email and Text tabs: To (the contact's addresses or numbers, one tap to pick
//! another), a subject for an email, the text with its live length for a text message, and the
//! consent warning when the server will refuse it. A contact with nothing to write to gets an
//! empty state pointing to Details, not a form that cannot work.

#[path = "composer_assist.rs"]
mod assist;

use super::composer::ComposerProps;
use super::field::TextField;
use super::icons::{icon, Icon};
use super::states::EmptyState;
use crate::state::message_draft::{sms_length, Recipient};
use assist::MessageAssist;
use fieldstone_model::MessageChannel;
use yew::prelude::*;

fn error(props: &ComposerProps, name: &str) -> Option<AttrValue> {
    props
        .errors
        .get(name)
        .map(|m| AttrValue::from(m.to_owned()))
}

fn setter(props: &ComposerProps, name: &'static str) -> Callback<String> {
    props.on_set.reform(move |value| (name.to_owned(), value))
}

/// The contact's other addresses or numbers as buttons that set To.
fn picks(props: &ComposerProps, name: &'static str, all: &[Recipient], to: &str) -> Html {
    if all.len() < 2 {
        return Html::default();
    }
    html! {
        <div id={format!("composer-{}-picks", name.replace('_', "-"))} class="composer__picks" role="group" aria-label="Send to">
            for recipient in all.iter() {
                <button
                    type="button"
                    class={classes!("chip", "composer__pick", (recipient.to == to).then_some("chip--on"))}
                    aria-pressed={(recipient.to == to).to_string()}
                    data-to={recipient.to.clone()}
                    onclick={{ let to = recipient.to.clone(); setter(props, name).reform(move |_: MouseEvent| to.clone()) }}
                >
                    <span class="composer__pick-label">{ recipient.label }</span>
                    <span class="composer__pick-to">{ recipient.to.clone() }</span>
                </button>
            }
        </div>
    }
}

/// Nothing to write to: say so, and offer the way to add one.
fn nothing_to(props: &ComposerProps, channel: MessageChannel) -> Html {
    let (id, title, text) = match channel {
        MessageChannel::Email => (
            "composer-email-empty",
            format!("{} has no email address yet.", props.contact_name),
            "Add one under Details to write an email from here.",
        ),
        MessageChannel::Sms => (
            "composer-text-empty",
            format!("{} has no phone number yet.", props.contact_name),
            "Add one under Details to send a text from here.",
        ),
    };
    html! {
        <EmptyState {id} title={title}>
            <p class="list-state__text">{ text }</p>
            <button type="button" class="button button--secondary" onclick={props.on_details.reform(move |_: MouseEvent| channel)}>
                { "Open Details" }
            </button>
        </EmptyState>
    }
}

/// The warning shown before sending a message the server will refuse, with its reason.
fn consent_warning(props: &ComposerProps) -> Html {
    let Some(refusal) = &props.refusal else {
        return Html::default();
    };
    html! {
        <div id="composer-consent-warning" class="banner banner--warning banner--inline" role="status" data-rule={refusal.rule.clone()}>
            <span class="banner__glyph">{ icon(Icon::Warning) }</span>
            <div class="banner__text">
                <p class="banner__title">{ "This will not be sent." }</p>
                <p>{ format!("{} The server refuses it when it would go out, and the timeline will say why.", refusal.reason) }</p>
            </div>
        </div>
    }
}

/// The fields of the Email or Text tab, or (`Err`) the empty state when the contact has nothing
/// to send to: then the tab has no send button.
pub fn message_fields(props: &ComposerProps, channel: MessageChannel) -> Result<Html, Html> {
    let draft = &props.composer.message;
    let all = props.recipients.for_channel(channel);
    if all.is_empty() {
        return Err(nothing_to(props, channel));
    }
    Ok(match channel {
        MessageChannel::Email => html! {
            <>
                { consent_warning(props) }
                <TextField
                    id="composer-email-to"
                    label="To"
                    value={draft.email_to.clone()}
                    error={error(props, "email_to")}
                    input_type="email"
                    on_input={setter(props, "email_to")}
                />
                { picks(props, "email_to", all, &draft.email_to) }
                <MessageAssist contact={props.contact} channel={MessageChannel::Email} text={draft.email_body.clone()} on_set={props.on_set.clone()}>
                    <TextField
                        id="composer-subject"
                        label="Subject"
                        value={draft.subject.clone()}
                        error={error(props, "subject")}
                        on_input={setter(props, "subject")}
                    />
                    <TextField
                        id="composer-email-body"
                        label="Message"
                        value={draft.email_body.clone()}
                        error={error(props, "email_body")}
                        multiline=true
                        placeholder={Some(AttrValue::Static("Write to them as you would from your own mail."))}
                        class={classes!("field--wide")}
                        on_input={setter(props, "email_body")}
                    />
                </MessageAssist>
            </>
        },
        MessageChannel::Sms => {
            let length = sms_length(&draft.sms_body);
            html! {
                <>
                    { consent_warning(props) }
                    <TextField
                        id="composer-sms-to"
                        label="To"
                        value={draft.sms_to.clone()}
                        error={error(props, "sms_to")}
                        input_type="tel"
                        on_input={setter(props, "sms_to")}
                    />
                    { picks(props, "sms_to", all, &draft.sms_to) }
                    <MessageAssist channel={MessageChannel::Sms} text={draft.sms_body.clone()} on_set={props.on_set.clone()}>
                        <TextField
                            id="composer-sms-body"
                            label="Text"
                            value={draft.sms_body.clone()}
                            error={error(props, "sms_body")}
                            multiline=true
                            placeholder={Some(AttrValue::Static("Short and personal: texts go out 8:00–21:00 their time."))}
                            class={classes!("field--wide")}
                            on_input={setter(props, "sms_body")}
                        />
                        <p id="composer-sms-count" class={classes!("composer__count", length.over().then_some("composer__count--over"))} aria-live="polite">
                            { length.sentence() }
                        </p>
                    </MessageAssist>
                </>
            }
        }
    })
}

/// What the send button says: what will happen when it is pressed.
pub fn send_label(props: &ComposerProps, channel: MessageChannel) -> &'static str {
    match (channel, props.refusal.is_some(), props.connected) {
        (_, true, _) => "Send anyway: it will be refused",
        (MessageChannel::Email, false, true) => "Send email",
        (MessageChannel::Sms, false, true) => "Send text",
        (MessageChannel::Email, false, false) => "Send email when online",
        (MessageChannel::Sms, false, false) => "Send text when online",
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::composer::{ComposerCard, ComposerProps};
    use crate::state::composer::{Composer, ComposerKind};
    use crate::state::form::FormErrors;
    use crate::state::format::Local;
    use crate::state::message_draft::{Recipient, Recipients};
    use chrono::{NaiveDate, TimeZone, Utc};
    use fieldstone_model::Refusal;
    use yew::prelude::*;
    use yew::ServerRenderer;

    fn props(kind: ComposerKind, recipients: Recipients) -> ComposerProps {
        let mut composer = Composer::new(NaiveDate::from_ymd_opt(2026, 11, 3).expect("d"), 9);
        composer.kind = kind;
        composer.message.email_to = "ada@work.example".into();
        composer.message.sms_body = "See you at 5".into();
        ComposerProps {
            composer,
            errors: FormErrors::default(),
            busy: false,
            overlaps: Vec::new(),
            message_warns: false,
            message: None,
            local: Local::UTC,
            now: Utc
                .with_ymd_and_hms(2026, 11, 3, 9, 0, 0)
                .single()
                .expect("t"),
            contact_name: "Ada King".into(),
            recipients,
            refusal: None,
            connected: true,
            contact: None,
            on_details: Callback::noop(),
            on_undo: None,
            on_kind: Callback::noop(),
            on_set: Callback::noop(),
            on_submit: Callback::noop(),
        }
    }

    fn ada() -> Recipients {
        let r = |to: &str, label| Recipient {
            to: to.into(),
            label,
        };
        Recipients {
            emails: vec![r("ada@work.example", "Work"), r("ada@home.example", "Home")],
            phones: vec![r("+1 415 555 0100", "Mobile")],
        }
    }

    /// The props are made on the renderer's thread (callbacks are not `Send`).
    async fn render(
        kind: ComposerKind,
        recipients: Recipients,
        refusal: Option<Refusal>,
        connected: bool,
    ) -> String {
        ServerRenderer::<ComposerCard>::with_props(move || ComposerProps {
            refusal,
            connected,
            ..props(kind, recipients)
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn the_email_tab_writes_to_one_of_her_addresses() {
        let html = render(ComposerKind::Email, ada(), None, true).await;
        assert!(html.contains(r#"id="composer-tab-email""#), "{html}");
        assert!(html.contains(r#"id="composer-tab-text""#));
        assert!(html.contains(r#"id="composer-email-to""#));
        assert!(html.contains(r#"id="composer-subject""#));
        assert!(html.contains(r#"id="composer-email-body""#));
        // Two addresses: both offered, the chosen one pressed.
        assert!(html.contains(r#"data-to="ada@home.example""#));
        assert!(
            html.contains(r#"aria-pressed="true" data-to="ada@work.example""#),
            "{html}"
        );
        assert!(html.contains("Send email"));
        assert!(!html.contains("composer-consent-warning"));
    }

    #[tokio::test]
    async fn the_text_tab_counts_as_it_is_typed_and_offline_says_when_it_goes() {
        let html = render(ComposerKind::Text, ada(), None, false).await;
        assert!(html.contains(r#"id="composer-sms-to""#), "{html}");
        assert!(html.contains("12 / 1,600 characters · 1 segment"), "{html}");
        assert!(html.contains("Send text when online"));
        assert!(
            !html.contains("composer-sms-to-picks"),
            "one number: nothing to pick"
        );
    }

    #[tokio::test]
    async fn no_address_is_an_empty_state_not_a_form() {
        let html = render(ComposerKind::Email, Recipients::default(), None, true).await;
        assert!(html.contains(r#"id="composer-email-empty""#), "{html}");
        assert!(html.contains("Ada King has no email address yet."));
        assert!(!html.contains(r#"id="composer-email-to""#));
        assert!(!html.contains(r#"id="composer-submit""#), "nothing to send");
    }

    #[tokio::test]
    async fn a_refusal_is_said_before_sending_and_on_the_button() {
        let refusal = Refusal {
            rule: "consent_revoked".into(),
            reason: "The contact said no to email (unsubscribed).".into(),
        };
        let html = render(ComposerKind::Email, ada(), Some(refusal), true).await;
        assert!(html.contains(r#"id="composer-consent-warning""#), "{html}");
        assert!(html.contains("The contact said no to email (unsubscribed)."));
        assert!(html.contains("Send anyway: it will be refused"));
    }
}
