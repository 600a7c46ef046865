//! "Ada King deleted. Undo": offered on whatever screen follows a delete, until used or
//! dismissed. Undo restores the contact (the engine keeps it, marked deleted) and opens it.

use super::icons::{icon, Icon};
use crate::hooks::use_shell;
use crate::route::Route;
use crate::services::commands;
use crate::state::ShellAction;
use fieldstone_model::ContactId;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct UndoDeleteProps {
    pub id: ContactId,
    pub name: AttrValue,
}

#[component]
pub fn UndoDelete(props: &UndoDeleteProps) -> Html {
    let shell = use_shell();
    let failed = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let undo = {
        let (shell, failed, busy, id) = (shell.clone(), failed.clone(), busy.clone(), props.id);
        Callback::from(move |_: MouseEvent| {
            let (shell, failed, busy) = (shell.clone(), failed.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match commands::restore_contact(&id).await {
                    Ok(_) => {
                        shell.dispatch(ShellAction::DismissUndo);
                        shell.navigate(Route::Contact(id));
                    }
                    Err(error) => {
                        busy.set(false);
                        failed.set(Some(error.message));
                    }
                }
            });
        })
    };
    let dismiss = {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| shell.dispatch(ShellAction::DismissUndo))
    };
    html! {
        <div id="undo-toast" class={classes!("toast", "toast--undo", failed.is_some().then_some("toast--error"))} role="status">
            <span class="toast__text">
                { match &*failed {
                    Some(message) => format!("Couldn't bring {} back: {message}", props.name),
                    None => format!("{} deleted.", props.name),
                } }
            </span>
            <button id="undo-delete" type="button" class="button button--small button--secondary" disabled={*busy} onclick={undo}>{ "Undo" }</button>
            <button type="button" class="icon-button" aria-label="Dismiss" onclick={dismiss}>{ icon(Icon::Close) }</button>
        </div>
    }
}
