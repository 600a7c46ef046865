//! The composer on a contact's screen: one tab each to add a note, write an email or a text
//! (`composer_message`), log a call, schedule a booking (with a live warning when it overlaps
//! the agent's other bookings) or create a task. Inputs are `#composer-{name}`; their messages
//! `#composer-{name}-error`.

use super::composer_message::{message_fields, send_label};
use super::field::{choice_options, SelectField, TextField};
use super::icons::{icon, Icon};
use crate::state::composer::{Composer, ComposerKind};
use crate::state::form::FormErrors;
use crate::state::format::Local;
use crate::state::message_draft::Recipients;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    BookingKind, Channel, Choice, ContactId, Direction, MessageChannel, Priority, Refusal,
};
use fieldstone_protocol::views::BookingSummary;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ComposerProps {
    pub composer: Composer,
    pub errors: FormErrors,
    pub busy: bool,
    pub overlaps: Vec<BookingSummary>,
    /// The message is a warning (booked, but it overlaps).
    #[prop_or_default]
    pub message_warns: bool,
    pub message: Option<AttrValue>,
    pub local: Local,
    pub now: DateTime<Utc>,
    /// Who the Email and Text tabs write to, by first name in sentences.
    #[prop_or_default]
    pub contact_name: AttrValue,
    /// The contact's addresses and numbers.
    #[prop_or_default]
    pub recipients: Recipients,
    /// Why the server will refuse the message being written (the contact's consent).
    #[prop_or_default]
    pub refusal: Option<Refusal>,
    /// The device reaches the sync server: a message goes out now, not later.
    #[prop_or(true)]
    pub connected: bool,
    /// Whose screen this is: Draft with AI writes to them (without one, only Enhance).
    #[prop_or_default]
    pub contact: Option<ContactId>,
    /// Show the contact's details to add an address (email) or a number (text).
    #[prop_or_default]
    pub on_details: Callback<MessageChannel>,
    /// Takes back the message just queued (shown beside the sentence saying it was).
    #[prop_or_default]
    pub on_undo: Option<Callback<()>>,
    pub on_kind: Callback<ComposerKind>,
    /// (input name, value)
    pub on_set: Callback<(String, String)>,
    pub on_submit: Callback<()>,
}

struct Ctx<'a>(&'a ComposerProps);

impl Ctx<'_> {
    fn id(name: &str) -> String {
        format!("composer-{}", name.replace('_', "-"))
    }

    fn setter(&self, name: &'static str) -> Callback<String> {
        self.0.on_set.reform(move |value| (name.to_owned(), value))
    }

    fn error(&self, name: &str) -> Option<AttrValue> {
        self.0
            .errors
            .get(name)
            .map(|m| AttrValue::from(m.to_owned()))
    }

    fn text(
        &self,
        name: &'static str,
        label: &'static str,
        value: &str,
        kind: &'static str,
    ) -> Html {
        html! {
            <TextField
                id={Self::id(name)}
                label={label}
                value={value.to_owned()}
                error={self.error(name)}
                input_type={kind}
                on_input={self.setter(name)}
            />
        }
    }

    fn area(
        &self,
        name: &'static str,
        label: &'static str,
        value: &str,
        placeholder: &'static str,
    ) -> Html {
        html! {
            <TextField
                id={Self::id(name)}
                label={label}
                value={value.to_owned()}
                error={self.error(name)}
                multiline=true
                placeholder={Some(AttrValue::Static(placeholder))}
                class={classes!("field--wide")}
                on_input={self.setter(name)}
            />
        }
    }

    fn choice<T: Choice>(&self, name: &'static str, label: &'static str, value: T) -> Html {
        html! {
            <SelectField
                id={Self::id(name)}
                label={label}
                value={value.as_str()}
                options={choice_options::<T>()}
                on_change={self.setter(name)}
            />
        }
    }
}

fn overlap_warning(props: &ComposerProps) -> Html {
    if props.overlaps.is_empty() {
        return Html::default();
    }
    html! {
        <div id="overlap-warning" class="banner banner--warning banner--inline" role="status">
            <span class="banner__glyph">{ icon(Icon::Warning) }</span>
            <div class="banner__text">
                <p class="banner__title">
                    { if props.overlaps.len() == 1 {
                        "This overlaps another booking:".to_owned()
                    } else {
                        format!("This overlaps {} other bookings:", props.overlaps.len())
                    } }
                </p>
                <ul class="overlap-list">
                    for booking in props.overlaps.iter() {
                        <li key={booking.id.to_string()}>
                            <strong>{ format!("{}–{}", props.local.time(booking.starts_at), props.local.time(booking.ends_at)) }</strong>
                            { " " }
                            { booking.kind.label() }
                            if let Some(title) = &booking.title {
                                { format!(": {title}") }
                            }
                        </li>
                    }
                </ul>
            </div>
        </div>
    }
}

#[component]
pub fn ComposerCard(props: &ComposerProps) -> Html {
    // Its dates, money and counts are in the agent's locale: shown again when it changes.
    crate::hooks::use_locale_changes();
    let ctx = Ctx(props);
    let c = &props.composer;
    let onsubmit = props
        .on_submit
        .reform(|event: SubmitEvent| event.prevent_default());
    let message = c
        .kind
        .message_channel()
        .map(|channel| (channel, message_fields(props, channel)));
    let fields = match c.kind {
        ComposerKind::Email | ComposerKind::Text => match &message {
            Some((_, Ok(fields) | Err(fields))) => fields.clone(),
            None => Html::default(),
        },
        ComposerKind::Note => html! {
            <>
                { ctx.area("body", "Note", &c.body, "What did you learn? Preferences, timing, who decides…") }
            </>
        },
        ComposerKind::Call => html! {
            <>
                <div class="form-grid form-grid--3">
                    { ctx.choice::<Channel>("channel", "How", c.channel) }
                    { ctx.choice::<Direction>("direction", "Who started it", c.direction) }
                    { ctx.text("duration", "Minutes", &c.duration, "text") }
                </div>
                { ctx.area("summary", "Summary", &c.summary, "What was said") }
                { ctx.text("outcome", "Outcome", &c.outcome, "text") }
            </>
        },
        ComposerKind::Booking => html! {
            <>
                <div class="form-grid form-grid--3">
                    { ctx.choice::<BookingKind>("booking_kind", "Kind", c.booking_kind) }
                    { ctx.text("date", "Date", &c.date, "date") }
                    { ctx.text("time", "Starts", &c.time, "time") }
                    { ctx.text("length", "Minutes", &c.length, "text") }
                    { ctx.text("title", "Title", &c.title, "text") }
                    { ctx.text("location", "Where", &c.location, "text") }
                </div>
                { overlap_warning(props) }
            </>
        },
        ComposerKind::Task => html! {
            <div class="form-grid form-grid--3">
                { ctx.text("title", "Task", &c.title, "text") }
                { ctx.text("date", "Due", &c.date, "date") }
                { ctx.text("time", "At", &c.time, "time") }
                { ctx.choice::<Priority>("priority", "Priority", c.priority) }
            </div>
        },
    };
    let submit_label = match c.kind {
        ComposerKind::Email | ComposerKind::Text => match &message {
            Some((channel, _)) => send_label(props, *channel),
            None => "Send",
        },
        ComposerKind::Note => "Add note",
        ComposerKind::Call => "Log call",
        ComposerKind::Booking => "Book",
        ComposerKind::Task => "Create task",
    };
    html! {
        <section id="composer" class="card composer" aria-label="Add to the timeline">
            <div class="composer__tabs" role="tablist">
                for kind in ComposerKind::ALL {
                    <button
                        type="button"
                        id={format!("composer-tab-{}", kind.key())}
                        role="tab"
                        aria-label={kind.label()}
                        aria-selected={(kind == c.kind).to_string()}
                        class={classes!("composer__tab", (kind == c.kind).then_some("composer__tab--on"))}
                        onclick={props.on_kind.reform(move |_: MouseEvent| kind)}
                    >
                        { icon(match kind {
                            ComposerKind::Note => Icon::Note,
                            ComposerKind::Email => Icon::Mail,
                            ComposerKind::Text => Icon::Message,
                            ComposerKind::Call => Icon::Phone,
                            ComposerKind::Booking => Icon::Calendar,
                            ComposerKind::Task => Icon::Task,
                        }) }
                        <span>{ kind.label() }</span>
                    </button>
                }
            </div>
            <form id="composer-form" class="composer__form" novalidate=true {onsubmit}>
                if let Some(banner) = &props.errors.banner {
                    <div class="banner banner--error" role="alert">
                        <span class="banner__icon" aria-hidden="true"></span>
                        <p class="banner__text">{ banner }</p>
                    </div>
                }
                { fields }
                if c.kind == ComposerKind::Booking && props.overlaps.is_empty() {
                    if let Some((start, end)) = c.booking_window(props.local) {
                        <p class="composer__hint">{ format!("{} – {}", props.local.when(start, props.now), props.local.time(end)) }</p>
                    }
                }
                // Nothing to write to: the empty state says so, and there is nothing to send.
                if !matches!(message, Some((_, Err(_)))) {
                <div class="composer__actions">
                    if let Some(message) = &props.message {
                        <p id="composer-message" class={if props.message_warns { "form-warning" } else { "form-success" }} role="status">
                            <span class="form-success__icon" aria-hidden="true"></span>
                            { message.clone() }
                        </p>
                        if let Some(on_undo) = &props.on_undo {
                            <button id="composer-undo" type="button" class="button button--small button--ghost" onclick={on_undo.reform(|_: MouseEvent| ())}>
                                { "Undo" }
                            </button>
                        }
                    }
                    <button
                        id="composer-submit"
                        type="submit"
                        class={classes!("button", "button--primary", props.busy.then_some("button--busy"))}
                        disabled={props.busy}
                    >
                        <span class="button__spinner" aria-hidden="true"></span>
                        { submit_label }
                    </button>
                </div>
                }
            </form>
        </section>
    }
}
