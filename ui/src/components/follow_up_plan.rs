//! The contact's follow-up plan, under its header: how many steps are left, and the switch to
//! turn it off (its open steps are cancelled; the agent's own tasks stay) or to start it again
//! from today (both are writes on the device, offline too); and, with a server, whether the
//! server sends this contact's follow-up emails without review when they fall due.

use crate::services::commands;
use fieldstone_model::ContactId;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct FollowUpPlanProps {
    pub contact: ContactId,
    /// Open steps of the plan (0: not running).
    pub open: u32,
    /// After a change, with the sentence to show.
    pub on_changed: Callback<String>,
    /// The app syncs with a server (which is what sends without review).
    #[prop_or_default]
    pub server: bool,
}

#[component]
pub fn FollowUpPlan(props: &FollowUpPlanProps) -> Html {
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let run = |start: bool| {
        let (busy, error, on_changed, contact) = (
            busy.clone(),
            error.clone(),
            props.on_changed.clone(),
            props.contact,
        );
        Callback::from(move |_: MouseEvent| {
            busy.set(true);
            error.set(None);
            let (busy, error, on_changed) = (busy.clone(), error.clone(), on_changed.clone());
            spawn_local(async move {
                let done = if start {
                    commands::start_follow_ups(&contact).await.map(|tasks| {
                        format!("Follow-up plan started: {} tasks from today.", tasks.len())
                    })
                } else {
                    commands::stop_follow_ups(&contact).await.map(|tasks| {
                        format!(
                            "Follow-up plan turned off: {} open {} cancelled.",
                            tasks.len(),
                            if tasks.len() == 1 { "step" } else { "steps" }
                        )
                    })
                };
                busy.set(false);
                match done {
                    Ok(said) => on_changed.emit(said),
                    Err(e) => error.set(Some(
                        e.field("follow_up")
                            .map_or(e.message.clone(), str::to_owned),
                    )),
                }
            });
        })
    };
    // Whether this contact is in the agent's auto-send list (`None` until read).
    let auto = use_state(|| None::<bool>);
    {
        let (auto, contact, server) = (auto.clone(), props.contact, props.server);
        use_effect_with((contact, server), move |_| {
            if server {
                spawn_local(async move {
                    if let Ok(chosen) = commands::follow_up_auto_send().await {
                        auto.set(Some(chosen.contacts.contains(&contact)));
                    }
                });
            }
        });
    }
    let toggle_auto = {
        let (auto, error, contact) = (auto.clone(), error.clone(), props.contact);
        Callback::from(move |_: Event| {
            let (auto, error) = (auto.clone(), error.clone());
            spawn_local(async move {
                let result = async {
                    let mut chosen = commands::follow_up_auto_send().await?;
                    if chosen.contacts.contains(&contact) {
                        chosen.contacts.retain(|c| *c != contact);
                    } else {
                        chosen.contacts.push(contact);
                    }
                    commands::set_follow_up_auto_send(&chosen).await
                }
                .await;
                match result {
                    Ok(chosen) => auto.set(Some(chosen.contacts.contains(&contact))),
                    Err(e) => error.set(Some(
                        e.fields
                            .first()
                            .map_or(e.message.clone(), |f| f.message.clone()),
                    )),
                }
            });
        })
    };
    let running = props.open > 0;
    html! {
        <div id="follow-up-plan" class="follow-up-plan" data-open={props.open.to_string()}>
            <span class="follow-up-plan__text">
                { if running {
                    format!("Follow-up plan: {} {} left", props.open, if props.open == 1 { "step" } else { "steps" })
                } else {
                    "No follow-up plan running".to_owned()
                } }
            </span>
            if running {
                <button id="follow-up-stop" type="button" class="button button--small button--ghost" disabled={*busy} onclick={run(false)}>
                    { "Turn off" }
                </button>
            } else {
                <button id="follow-up-start" type="button" class="button button--small button--secondary" disabled={*busy} onclick={run(true)}>
                    { "Start the plan" }
                </button>
            }
            if let Some(on) = *auto {
                <label class="check-target follow-up-plan__auto">
                    <input id="follow-up-auto" type="checkbox" class="checkbox" checked={on} onchange={toggle_auto} />
                    <span>{ "Send its emails without review" }</span>
                </label>
            }
            if let Some(message) = &*error {
                <span class="field__error" role="alert">{ message }</span>
            }
        </div>
    }
}
