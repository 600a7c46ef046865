//! Call, Text, WhatsApp, Email and Log call for one contact: in the contact's header (labelled
//! buttons) and on rows, pipeline cards and Today's people (icon buttons). A link goes to the OS
//! through the opener plugin; after a call or a message the agent is offered to log it, with the
//! channel, a quick outcome and a summary already filled in.

use super::dialog::Dialog;
use super::icons::{icon, Icon};
use super::pickers::ListingPicker;
use crate::services::{commands, opener, platform};
use crate::state::reach::Reach;
use fieldstone_model::{ContactId, Direction, InteractionInput, ListingId};
use fieldstone_protocol::views::ContactSummary;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ContactActionsProps {
    pub contact: ContactId,
    pub name: AttrValue,
    #[prop_or_default]
    pub phone: Option<AttrValue>,
    #[prop_or_default]
    pub email: Option<AttrValue>,
    /// Icon buttons (rows, cards) rather than labelled ones (the contact's header).
    #[prop_or_default]
    pub compact: bool,
    /// Extra classes for where it sits (the header, a row, a card).
    #[prop_or_default]
    pub class: Classes,
    /// After an interaction was logged (the screen reloads what shows it).
    #[prop_or_default]
    pub on_logged: Callback<()>,
}

/// The log dialog's form.
#[derive(Debug, Clone, PartialEq)]
struct LogForm {
    reach: Reach,
    /// Opened right after a link was handed to the OS ("Log this call?").
    prompted: bool,
    outcome: Option<&'static str>,
    summary: String,
    minutes: String,
    /// The home the call was about: it then shows on that listing's page too.
    listing: Option<ListingId>,
    error: Option<String>,
    busy: bool,
}

impl LogForm {
    fn new(reach: Reach, name: &str, prompted: bool) -> Self {
        LogForm {
            reach,
            prompted,
            outcome: None,
            summary: reach.summary(name),
            minutes: String::new(),
            listing: None,
            error: None,
            busy: false,
        }
    }

    fn title(&self, name: &str) -> String {
        match (self.prompted, self.reach) {
            (true, reach) => format!("Log this {}?", reach.noun()),
            (false, _) => format!("Log a touch with {name}"),
        }
    }
}

/// The interaction the log form describes, or the sentence saying what to fix.
fn interaction(
    contact: ContactId,
    form: &LogForm,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<InteractionInput, String> {
    let summary = form.summary.trim();
    if summary.is_empty() {
        return Err("Write a line about it (what was said or agreed).".to_owned());
    }
    let minutes = form.minutes.trim();
    let duration_seconds = if minutes.is_empty() || !form.reach.channel().has_duration() {
        None
    } else {
        match minutes.parse::<u32>() {
            Ok(m) if (1..=1_440).contains(&m) => Some(m * 60),
            _ => {
                return Err(format!(
                    "\"{minutes}\" is not a number of minutes (1 to 1440)."
                ));
            }
        }
    };
    Ok(InteractionInput {
        contact,
        listing: form.listing,
        channel: form.reach.channel(),
        direction: Direction::Outbound,
        summary: summary.to_owned(),
        outcome: form.outcome.map(str::to_owned),
        duration_seconds,
        occurred_at: now,
    })
}

#[component]
pub fn ContactActions(props: &ContactActionsProps) -> Html {
    let log = use_state(|| None::<LogForm>);
    let notice = use_state(|| None::<(bool, String)>);
    let phone = props.phone.as_deref();
    let email = props.email.as_deref();
    let name = props.name.clone();

    let open = |reach: Reach, url: String| {
        let log = log.clone();
        let notice = notice.clone();
        let name = name.clone();
        Callback::from(move |event: MouseEvent| {
            // Rows and cards are links themselves: a button on them must not open the contact.
            event.stop_propagation();
            let url = url.clone();
            let log = log.clone();
            let notice = notice.clone();
            let name = name.clone();
            spawn_local(async move {
                match opener::open_url(&url).await {
                    Ok(()) => {
                        notice.set(None);
                        log.set(Some(LogForm::new(reach, &name, true)));
                    }
                    Err(error) => notice.set(Some((
                        false,
                        format!(
                            "Couldn't open the {} app: {}",
                            reach.label().to_lowercase(),
                            error.message
                        ),
                    ))),
                }
            });
        })
    };
    let open_log = {
        let log = log.clone();
        let name = name.clone();
        Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            log.set(Some(LogForm::new(Reach::Call, &name, false)));
        })
    };

    let buttons: Vec<Html> = Reach::ALL
        .iter()
        .filter_map(|&reach| {
            let url = reach.url(phone, email)?;
            let label = format!("{} {}", reach.label(), props.name);
            Some(html! {
                <button
                    type="button"
                    class={classes!("action-button", format!("action-button--{}", reach.key()), props.compact.then_some("action-button--icon"))}
                    data-action={reach.key()}
                    data-url={url.clone()}
                    aria-label={label.clone()}
                    title={label}
                    onclick={open(reach, url)}
                >
                    { icon(reach_icon(reach)) }
                    if !props.compact {
                        <span class="action-button__label">{ reach.label() }</span>
                    }
                </button>
            })
        })
        .collect();

    let dialog = (*log).clone().map(|form| {
        let close = {
            let log = log.clone();
            Callback::from(move |()| log.set(None))
        };
        let set = |change: fn(&mut LogForm, String)| {
            let log = log.clone();
            move |value: String| {
                if let Some(mut form) = (*log).clone() {
                    change(&mut form, value);
                    form.error = None;
                    log.set(Some(form));
                }
            }
        };
        let on_summary = {
            let set = set(|f, v| f.summary = v);
            Callback::from(move |e: InputEvent| set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
        };
        let on_minutes = {
            let set = set(|f, v| f.minutes = v);
            Callback::from(move |e: InputEvent| set(e.target_unchecked_into::<HtmlInputElement>().value()))
        };
        let choose = |reach: Reach| {
            let log = log.clone();
            let name = name.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(form) = (*log).clone() {
                    let mut next = LogForm::new(reach, &name, form.prompted);
                    // Keep what the agent wrote unless it is still the default line.
                    if form.summary != form.reach.summary(&name) {
                        next.summary = form.summary;
                    }
                    next.listing = form.listing;
                    log.set(Some(next));
                }
            })
        };
        let on_listing = {
            let log = log.clone();
            Callback::from(move |listing: Option<ListingId>| {
                if let Some(mut form) = (*log).clone() {
                    form.listing = listing;
                    log.set(Some(form));
                }
            })
        };
        let outcome = |value: &'static str| {
            let log = log.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(mut form) = (*log).clone() {
                    form.outcome = (form.outcome != Some(value)).then_some(value);
                    log.set(Some(form));
                }
            })
        };
        let submit = {
            let log = log.clone();
            let notice = notice.clone();
            let on_logged = props.on_logged.clone();
            let contact = props.contact;
            Callback::from(move |event: SubmitEvent| {
                event.prevent_default();
                let Some(mut form) = (*log).clone() else { return };
                match interaction(contact, &form, platform::now()) {
                    Err(message) => {
                        form.error = Some(message);
                        log.set(Some(form));
                    }
                    Ok(input) => {
                        form.busy = true;
                        log.set(Some(form.clone()));
                        let log = log.clone();
                        let notice = notice.clone();
                        let on_logged = on_logged.clone();
                        spawn_local(async move {
                            match commands::log_interaction(&input).await {
                                Ok(_) => {
                                    log.set(None);
                                    notice.set(Some((true, format!("{} logged.", form.reach.channel().label()))));
                                    on_logged.emit(());
                                }
                                Err(error) => {
                                    form.busy = false;
                                    form.error = Some(error.message);
                                    log.set(Some(form));
                                }
                            }
                        });
                    }
                }
            })
        };
        html! {
            <Dialog id="log-touch" title={form.title(&name)} on_close={close.clone()}>
                <form id="log-touch-form" class="form log-touch" novalidate=true onsubmit={submit}>
                    <div class="segmented log-touch__channels" role="radiogroup" aria-label="How">
                        for reach in Reach::ALL {
                            <button
                                type="button"
                                role="radio"
                                data-channel={reach.key()}
                                aria-checked={(form.reach == reach).to_string()}
                                class={classes!("segmented__option", (form.reach == reach).then_some("segmented__option--on"))}
                                onclick={choose(reach)}
                            >
                                { reach.label() }
                            </button>
                        }
                    </div>
                    <div class="chips log-touch__outcomes" role="group" aria-label="Outcome">
                        for value in form.reach.outcomes().iter().copied() {
                            <button
                                type="button"
                                class={classes!("chip", (form.outcome == Some(value)).then_some("chip--on"))}
                                aria-pressed={(form.outcome == Some(value)).to_string()}
                                data-outcome={value}
                                onclick={outcome(value)}
                            >
                                { value }
                            </button>
                        }
                    </div>
                    <label class="field">
                        <span class="field__label">{ "What happened" }</span>
                        <textarea id="log-touch-summary" class="field__control field__control--multiline" rows="3" value={form.summary.clone()} oninput={on_summary} />
                    </label>
                    if form.reach.channel().has_duration() {
                        <label class="field field--short">
                            <span class="field__label">{ "Minutes (optional)" }</span>
                            <input id="log-touch-minutes" class="field__control" inputmode="numeric" value={form.minutes.clone()} oninput={on_minutes} />
                        </label>
                    }
                    <ListingPicker id="log-touch-listing" value={form.listing} on_change={on_listing} />
                    if let Some(error) = &form.error {
                        <p id="log-touch-error" class="field__error" role="alert">{ error }</p>
                    }
                    <div class="dialog__actions">
                        <button type="button" class="button button--ghost" onclick={close.reform(|_: MouseEvent| ())}>{ "Not now" }</button>
                        <button id="log-touch-save" type="submit" class={classes!("button", "button--primary", form.busy.then_some("button--busy"))} disabled={form.busy}>
                            <span class="button__spinner" aria-hidden="true"></span>
                            { "Log it" }
                        </button>
                    </div>
                </form>
            </Dialog>
        }
    });

    html! {
        <div class={classes!("contact-actions", props.compact.then_some("contact-actions--compact"), props.class.clone())} role="group" aria-label={format!("Reach {}", props.name)}>
            { for buttons }
            <button
                type="button"
                class={classes!("action-button", "action-button--log", props.compact.then_some("action-button--icon"))}
                data-action="log"
                aria-label={format!("Log a call with {}", props.name)}
                title={format!("Log a call with {}", props.name)}
                onclick={open_log}
            >
                { icon(Icon::Note) }
                if !props.compact {
                    <span class="action-button__label">{ "Log call" }</span>
                }
            </button>
            if let Some((ok, text)) = &*notice {
                <span class={classes!("contact-actions__notice", if *ok { "contact-actions__notice--ok" } else { "contact-actions__notice--error" })} role="status">{ text }</span>
            }
            { for dialog }
        </div>
    }
}

/// The icon buttons for a contact as lists show it (rows, cards, Today's people).
pub fn summary_actions(contact: &ContactSummary, class: &'static str) -> Html {
    html! {
        <ContactActions
            contact={contact.id}
            name={AttrValue::from(contact.display_name.clone())}
            phone={contact.primary_phone.clone().map(AttrValue::from)}
            email={contact.primary_email.clone().map(AttrValue::from)}
            compact=true
            class={class}
        />
    }
}

fn reach_icon(reach: Reach) -> Icon {
    match reach {
        Reach::Call => Icon::Phone,
        Reach::Text => Icon::Message,
        Reach::WhatsApp => Icon::Chat,
        Reach::Email => Icon::Mail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn a_logged_call_carries_its_channel_outcome_and_minutes() {
        let contact: ContactId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let mut form = LogForm::new(Reach::Call, "Ada King", true);
        form.outcome = Some("Left voicemail");
        form.minutes = "3".into();
        let input = interaction(contact, &form, at()).expect("valid");
        assert_eq!(input.channel, fieldstone_model::Channel::Call);
        assert_eq!(input.summary, "Called Ada King");
        assert_eq!(input.outcome.as_deref(), Some("Left voicemail"));
        assert_eq!(input.duration_seconds, Some(180));
        assert_eq!(input.direction, Direction::Outbound);
        assert_eq!(input.listing, None);
        assert!(input.validate().is_ok());
        // About a home: the listing goes with it.
        let listing: ListingId = "00000000-0000-4000-8000-000000000009".parse().expect("id");
        form.listing = Some(listing);
        let about = interaction(contact, &form, at()).expect("valid");
        assert_eq!(about.listing, Some(listing));
    }

    #[test]
    fn an_empty_summary_or_a_bad_duration_is_refused_with_a_sentence() {
        let contact: ContactId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let mut form = LogForm::new(Reach::Call, "Ada King", false);
        form.summary = "  ".into();
        assert!(interaction(contact, &form, at())
            .expect_err("refused")
            .contains("Write a line"));
        form.summary = "Talked".into();
        form.minutes = "ten".into();
        assert!(interaction(contact, &form, at())
            .expect_err("refused")
            .contains("\"ten\" is not a number of minutes"));
        // A text has no duration: whatever is in the box is not sent.
        let mut text = LogForm::new(Reach::Text, "Ada King", true);
        text.minutes = "ten".into();
        assert_eq!(
            interaction(contact, &text, at())
                .expect("valid")
                .duration_seconds,
            None
        );
    }

    #[test]
    fn the_prompt_names_what_was_just_started() {
        assert_eq!(
            LogForm::new(Reach::Call, "Ada", true).title("Ada"),
            "Log this call?"
        );
        assert_eq!(
            LogForm::new(Reach::Text, "Ada", true).title("Ada"),
            "Log this text?"
        );
        assert_eq!(
            LogForm::new(Reach::Call, "Ada", false).title("Ada"),
            "Log a touch with Ada"
        );
    }
}
