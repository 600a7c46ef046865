//! The contact's emails and texts: listed with every generation of the screen (so a result the
//! server wrote shows when sync brings it), the opened one read with its events, and a
//! withdrawal while one still waits.

use crate::hooks::use_command;
use crate::services::commands;
use crate::state::detail::{DetailAction, DetailState};
use yew::prelude::*;

#[hook]
pub fn use_contact_messages(state: &UseReducerHandle<DetailState>) {
    let id = state.id;
    use_command(
        state,
        state.request,
        move |_| Some(async move { commands::contact_messages(&id).await }),
        |request, result| DetailAction::MessagesLoaded {
            request,
            result: result.map_err(|e| e.message),
        },
    );
    use_command(
        state,
        state.messages.fetch,
        |fetch| {
            let (_, message) = (*fetch)?;
            Some(async move { commands::get_message(&message).await })
        },
        |fetch, result| DetailAction::MessageRead {
            // Only run for a read, so there is always its `seq`.
            seq: fetch.map_or(0, |(seq, _)| seq),
            result: result.map(Box::new).map_err(|e| e.message),
        },
    );
    use_command(
        state,
        state.messages.withdraw,
        |withdraw| {
            let (_, message) = (*withdraw)?;
            Some(async move { commands::withdraw_message(&message).await })
        },
        |_, result| DetailAction::Withdrawn(result.map(|_| ()).map_err(|e| e.message)),
    );
}
