//! "Ada King deleted. Undo": offered on whatever screen follows a delete, until used or
//! dismissed. Undo restores the contact or listing (the engine keeps it, marked deleted) and
//! opens it.

use super::icons::{icon, Icon};
use crate::hooks::use_shell;
use crate::route::Route;
use crate::services::commands;
use crate::state::ShellAction;
use fieldstone_model::RecordRef;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct UndoDeleteProps {
    pub record: RecordRef,
    pub name: AttrValue,
}

#[component]
pub fn UndoDelete(props: &UndoDeleteProps) -> Html {
    let shell = use_shell();
    let failed = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let undo = {
        let (shell, failed, busy, record) =
            (shell.clone(), failed.clone(), busy.clone(), props.record);
        Callback::from(move |_: MouseEvent| {
            let (shell, failed, busy) = (shell.clone(), failed.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                let restored = match record {
                    RecordRef::Listing(id) => commands::restore_listing(&id)
                        .await
                        .map(|_| Route::Listing(id)),
                    RecordRef::Contact(id) => commands::restore_contact(&id)
                        .await
                        .map(|_| Route::Contact(id)),
                    // Bookings are deleted for good from the calendar; nothing offers them here.
                    RecordRef::Booking(_) => return,
                };
                match restored {
                    Ok(route) => {
                        shell.dispatch(ShellAction::DismissUndo);
                        shell.navigate(route);
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
