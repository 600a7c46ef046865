//! Call, Text, WhatsApp, Email and Log call for one contact: in the contact's header (labelled
//! buttons) and on rows, pipeline cards and Today's people (icon buttons). A link goes to the OS
//! through the opener plugin; after a call or a message the agent is offered to log it, with the
//! channel, a quick outcome and a summary already filled in.
//!
//! Call asks the shell first ([`CallFlow`]): signed in and online with the agent's phone set,
//! the server rings that phone and bridges the contact, and the call reaches the timeline by
//! sync (nothing is logged here); a refusal says its rule. Otherwise the `tel:` link goes to the
//! OS as before, with a line saying why when it helps.

use super::dialog::Dialog;
use super::icons::{icon, Icon};
use super::pickers::ListingPicker;
use crate::services::{commands, opener, platform};
use crate::state::log_touch::{LogAction, LogTouch};
use crate::state::place_call::{CallAction, CallFlow, CallNotice};
use crate::state::reach::Reach;
use fieldstone_model::{ContactId, ListingId};
use fieldstone_protocol::calls::PlaceCall;
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

#[component]
pub fn ContactActions(props: &ContactActionsProps) -> Html {
    let log = use_reducer(LogTouch::default);
    let call = use_reducer(CallFlow::default);
    let phone = props.phone.as_deref();
    let email = props.email.as_deref();
    let name = props.name.clone();

    // The save runs once per submit; its answer goes back to the dialog.
    {
        let to = log.dispatcher();
        use_effect_with(log.run.clone(), move |run| {
            if let Some((seq, input)) = run.clone() {
                spawn_local(async move {
                    let result = commands::log_interaction(&input)
                        .await
                        .map(|_| ())
                        .map_err(|error| error.message);
                    to.dispatch(LogAction::Saved { seq, result });
                });
            }
        });
    }
    {
        let on_logged = props.on_logged.clone();
        use_effect_with(log.logged, move |&logged| {
            if logged > 0 {
                on_logged.emit(());
            }
        });
    }

    // Call: the shell decides (once per press), then a dial hands the link to the OS once.
    {
        let to = call.dispatcher();
        use_effect_with(call.run.clone(), move |run| {
            if let Some((seq, request)) = run.clone() {
                spawn_local(async move {
                    let result = commands::place_call(&request)
                        .await
                        .map_err(|error| error.message);
                    to.dispatch(CallAction::Answered { seq, result });
                });
            }
        });
    }
    {
        let to = log.dispatcher();
        let url = Reach::Call.url(phone, None);
        let name = name.to_string();
        use_effect_with(call.dial, move |dial| {
            if let (Some(_), Some(url)) = (dial, url) {
                spawn_local(async move {
                    match opener::open_url(&url).await {
                        Ok(()) => to.dispatch(LogAction::Open(Reach::Call, name, true)),
                        Err(error) => to.dispatch(LogAction::Notice(Some((
                            false,
                            format!("Couldn't open the call app: {}", error.message),
                        )))),
                    }
                });
            }
        });
    }

    let open = |reach: Reach, url: String| {
        let to = log.dispatcher();
        let name = name.clone();
        Callback::from(move |event: MouseEvent| {
            // Rows and cards are links themselves: a button on them must not open the contact.
            event.stop_propagation();
            let url = url.clone();
            let to = to.clone();
            let name = name.to_string();
            spawn_local(async move {
                match opener::open_url(&url).await {
                    Ok(()) => to.dispatch(LogAction::Open(reach, name, true)),
                    Err(error) => to.dispatch(LogAction::Notice(Some((
                        false,
                        format!(
                            "Couldn't open the {} app: {}",
                            reach.label().to_lowercase(),
                            error.message
                        ),
                    )))),
                }
            });
        })
    };
    let open_log = {
        let to = log.dispatcher();
        let name = name.clone();
        Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            to.dispatch(LogAction::Open(Reach::Call, name.to_string(), false));
        })
    };

    let press_call = {
        let to = call.dispatcher();
        let request = PlaceCall {
            contact: props.contact,
            to: phone.unwrap_or_default().to_owned(),
        };
        Callback::from(move |event: MouseEvent| {
            event.stop_propagation();
            to.dispatch(CallAction::Press(request.clone()));
        })
    };
    let asking = call.asking();
    let buttons: Vec<Html> = Reach::ALL
        .iter()
        .filter_map(|&reach| {
            let url = reach.url(phone, email)?;
            let label = format!("{} {}", reach.label(), props.name);
            let busy = reach == Reach::Call && asking;
            let onclick = if reach == Reach::Call {
                press_call.clone()
            } else {
                open(reach, url.clone())
            };
            Some(html! {
                <button
                    type="button"
                    class={classes!("action-button", format!("action-button--{}", reach.key()), props.compact.then_some("action-button--icon"), busy.then_some("action-button--busy"))}
                    data-action={reach.key()}
                    data-url={url.clone()}
                    aria-label={label.clone()}
                    aria-busy={busy.then_some("true")}
                    title={label}
                    {onclick}
                >
                    { icon(reach_icon(reach)) }
                    if !props.compact {
                        <span class="action-button__label">{ reach.label() }</span>
                    }
                </button>
            })
        })
        .collect();

    let call_hint = match &call.notice {
        Some(CallNotice::Hint(text)) => Some(text.clone()),
        _ => None,
    };
    let dialog = log.form.clone().map(|form| {
        let call_hint = call_hint.filter(|_| form.prompted && form.reach == Reach::Call);
        let to = log.dispatcher();
        let close = {
            let to = to.clone();
            Callback::from(move |()| to.dispatch(LogAction::Close))
        };
        let on_summary = {
            let to = to.clone();
            Callback::from(move |e: InputEvent| {
                to.dispatch(LogAction::Summary(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
            })
        };
        let on_minutes = {
            let to = to.clone();
            Callback::from(move |e: InputEvent| {
                to.dispatch(LogAction::Minutes(e.target_unchecked_into::<HtmlInputElement>().value()))
            })
        };
        let choose = |reach: Reach| {
            let to = to.clone();
            let name = name.to_string();
            Callback::from(move |_: MouseEvent| to.dispatch(LogAction::Choose(reach, name.clone())))
        };
        let on_listing = {
            let to = to.clone();
            Callback::from(move |listing: Option<ListingId>| to.dispatch(LogAction::Listing(listing)))
        };
        let outcome = |value: &'static str| {
            let to = to.clone();
            Callback::from(move |_: MouseEvent| to.dispatch(LogAction::Outcome(value)))
        };
        let submit = {
            let to = to.clone();
            let contact: ContactId = props.contact;
            Callback::from(move |event: SubmitEvent| {
                event.prevent_default();
                to.dispatch(LogAction::Submit(contact, platform::now()));
            })
        };
        html! {
            <Dialog id="log-touch" title={form.title(&name)} on_close={close.clone()}>
                <form id="log-touch-form" class="form log-touch" novalidate=true onsubmit={submit}>
                    // The dialog covers the header's line: why the server did not place the
                    // call is said here too.
                    if let Some(hint) = call_hint.clone() {
                        <p id="log-touch-hint" class="log-touch__hint" role="status">{ hint }</p>
                    }
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
            if let Some(notice) = &call.notice {
                { call_notice(notice, props.compact, call.dispatcher()) }
            }
            if let Some((ok, text)) = &log.notice {
                <span class={classes!("contact-actions__notice", if *ok { "contact-actions__notice--ok" } else { "contact-actions__notice--error" })} role="status">{ text }</span>
            }
            { for dialog }
        </div>
    }
}

/// What happened to the last Call: under the header's buttons, or as a toast from a row or a
/// card (whose narrow column has no room for a sentence).
fn call_notice(notice: &CallNotice, compact: bool, to: UseReducerDispatcher<CallFlow>) -> Html {
    let dismiss = Callback::from(move |event: MouseEvent| {
        event.stop_propagation();
        to.dispatch(CallAction::Dismiss);
    });
    let refused = matches!(notice, CallNotice::Refused(_));
    let class = if compact {
        classes!(
            "toast",
            "call-status",
            "call-status--toast",
            refused.then_some("toast--error")
        )
    } else {
        classes!("call-status", format!("call-status--{}", notice.key()))
    };
    html! {
        <div {class} data-state={notice.key()} role={if refused { "alert" } else { "status" }}>
            if let CallNotice::Ringing(_) = notice {
                <span class="call-status__pulse" aria-hidden="true"></span>
            }
            <span class="call-status__text toast__text">{ notice.text().to_owned() }</span>
            <button type="button" class="icon-button call-status__dismiss" aria-label="Dismiss" onclick={dismiss}>{ icon(Icon::Close) }</button>
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
