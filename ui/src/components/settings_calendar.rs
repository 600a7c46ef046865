//! Settings' "Calendar feed" card: a secret address Google, Apple or Outlook calendars
//! subscribe to, showing the agent's bookings and open houses. Turning it on, making a new
//! address or turning it off is a preference (offline too; it takes effect once synced); the
//! address itself comes from the server, asked again whenever this device has just synced.

use super::icons::{icon, Icon};
use crate::hooks::use_shell;
use crate::services::commands;
use fieldstone_protocol::commands::{CalendarFeedAction, CalendarFeedChange, Preferences};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CalendarFeedProps {
    pub signed_in: bool,
}

#[component]
pub fn CalendarFeedCard(props: &CalendarFeedProps) -> Html {
    let shell = use_shell();
    let prefs = use_state(|| None::<Result<Preferences, String>>);
    let link = use_state(|| None::<Result<String, String>>);
    let said = use_state(|| None::<String>);
    {
        let prefs = prefs.clone();
        use_effect_with(props.signed_in, move |_| {
            spawn_local(async move {
                prefs.set(Some(commands::preferences().await.map_err(|e| e.message)));
            });
        });
    }
    let on = matches!(&*prefs, Some(Ok(p)) if p.calendar_feed);
    // Asked again each time this device finishes a sync with nothing left to send, so the
    // address appears once the choice has reached the server.
    let synced = shell
        .shell
        .sync
        .as_ref()
        .filter(|s| s.pending == 0)
        .and_then(|s| s.last_synced_at);
    {
        let (link, said) = (link.clone(), said.clone());
        use_effect_with((on, props.signed_in, synced), move |&(on, signed_in, _)| {
            if on && signed_in {
                spawn_local(async move {
                    let found = commands::calendar_feed_link()
                        .await
                        .map(|l| l.url)
                        .map_err(|e| e.message);
                    // "It appears once synced" has come true.
                    if found.is_ok() {
                        said.set(None);
                    }
                    link.set(Some(found));
                });
            } else {
                link.set(None);
            }
        });
    }
    let act = |action: CalendarFeedAction, done: &'static str| {
        let (prefs, link, said) = (prefs.clone(), link.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            let (prefs, link, said) = (prefs.clone(), link.clone(), said.clone());
            spawn_local(async move {
                match commands::set_calendar_feed(&CalendarFeedChange { action }).await {
                    Ok(stored) => {
                        link.set(None);
                        prefs.set(Some(Ok(stored)));
                        said.set(Some(done.to_owned()));
                    }
                    Err(e) => said.set(Some(e.message)),
                }
            });
        })
    };
    let copy = {
        let (link, said) = (link.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(Ok(url)) = &*link {
                said.set(Some(if crate::services::platform::copy_text(url) {
                    "Copied. Paste it into your calendar's \u{201c}subscribe by URL\u{201d}."
                        .to_owned()
                } else {
                    "Select the address above and copy it.".to_owned()
                }));
            }
        })
    };
    let body = if !props.signed_in {
        html! {
            <p class="settings-muted">{ "Sign in to a sync server to see your bookings and open houses in Google, Apple or Outlook calendar." }</p>
        }
    } else {
        match &*prefs {
            None => html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
            Some(Err(message)) => html! {
                <p class="field__error" role="alert">{ format!("Couldn't read your preferences: {message}") }</p>
            },
            Some(Ok(_)) if !on => html! {
                <>
                    <p class="settings-muted">{ "Subscribe to your bookings and open houses from Google, Apple or Outlook calendar. The address is secret: anyone who has it can read them." }</p>
                    <div class="settings-actions">
                        <button id="calendar-feed-on" type="button" class="button button--secondary" onclick={act(CalendarFeedAction::TurnOn, "Turned on: the address appears once this device has synced.")}>
                            { "Turn on" }
                        </button>
                    </div>
                </>
            },
            Some(Ok(_)) => html! {
                <>
                    { match &*link {
                        None => html! { <p class="settings-muted" role="status">{ "Asking the server for the address…" }</p> },
                        Some(Err(message)) => html! { <p id="calendar-feed-wait" class="settings-muted" role="status">{ message.clone() }</p> },
                        Some(Ok(url)) => html! {
                            <div class="calendar-feed">
                                <label class="field__label" for="calendar-feed-url">{ "Address to subscribe to" }</label>
                                <input id="calendar-feed-url" class="field__control calendar-feed__url" type="text" readonly=true value={url.clone()}
                                    onfocus={Callback::from(|e: FocusEvent| {
                                        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                                            input.select();
                                        }
                                    })} />
                            </div>
                        },
                    } }
                    <div class="settings-actions">
                        if matches!(&*link, Some(Ok(_))) {
                            <button id="calendar-feed-copy" type="button" class="button button--secondary" onclick={copy}>{ "Copy address" }</button>
                        }
                        <button id="calendar-feed-new" type="button" class="button button--ghost" onclick={act(CalendarFeedAction::NewLink, "A new address: the old one stops working once this device has synced.")}>
                            { "New address" }
                        </button>
                        <button id="calendar-feed-off" type="button" class="button button--ghost" onclick={act(CalendarFeedAction::TurnOff, "Turned off: no address works once this device has synced.")}>
                            { "Turn off" }
                        </button>
                    </div>
                    <p class="settings-fineprint">{ "Shared the address by mistake? Make a new one: the old one stops working." }</p>
                </>
            },
        }
    };
    html! {
        <section id="settings-calendar" class="card settings-card" aria-labelledby="settings-calendar-title">
            <h2 id="settings-calendar-title" class="settings-card__title">{ icon(Icon::Calendar) }{ "Calendar feed" }</h2>
            { body }
            if let Some(message) = &*said {
                <p id="calendar-feed-said" class="settings-muted" role="status">{ message.clone() }</p>
            }
        </section>
    }
}
