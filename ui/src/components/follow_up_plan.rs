//! The contact's follow-up plan, under its header: how many steps are left, and the switch to
//! turn it off (its open steps are cancelled; the agent's own tasks stay) or to start it again
//! from today. Works offline: both are writes on the device.

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
            if let Some(message) = &*error {
                <span class="field__error" role="alert">{ message }</span>
            }
        </div>
    }
}
