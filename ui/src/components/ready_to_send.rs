//! Today's "Ready to send": follow-up emails the server drafted when their step fell due (the
//! model's, or the labelled template). The agent opens one, edits the subject and text, and
//! sends it (it waits in the outbox when offline) or skips it; either closes the follow-up.

use super::dialog::Dialog;
use super::field::TextField;
use super::icons::{icon, Icon};
use crate::route::Route;
use crate::services::commands;
use fieldstone_protocol::commands::SendDraft;
use fieldstone_protocol::views::MessageSummary;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ReadyToSendProps {
    pub drafts: Vec<MessageSummary>,
    /// After a send or skip, with the sentence to show.
    pub on_done: Callback<String>,
}

#[component]
pub fn ReadyToSend(props: &ReadyToSendProps) -> Html {
    let open = use_state(|| None::<MessageSummary>);
    if props.drafts.is_empty() {
        return Html::default();
    }
    html! {
        <section id="today-ready-to-send" class="card today-card">
            <h2 class="today-card__title">{ icon(Icon::Mail) }{ "Ready to send" }</h2>
            <p class="today-card__hint">{ "Follow-up emails drafted for you when they fell due. Review, edit and send, or skip." }</p>
            <ul class="today-list">
                for draft in props.drafts.iter() {
                    <li key={draft.id.to_string()} class="ready-draft" data-message-id={draft.id.to_string()}>
                        <div class="ready-draft__main">
                            <a class="ready-draft__subject" href={Route::Contact(draft.contact).to_hash()}>
                                { draft.subject.clone().unwrap_or_else(|| "(no subject)".into()) }
                            </a>
                            <span class="ready-draft__to">{ format!("To {}", draft.to) }</span>
                            <span class="ready-draft__preview">{ &draft.preview }</span>
                            if let Some(how) = &draft.reason {
                                <span class="ready-draft__how">{ how }</span>
                            }
                        </div>
                        <button
                            type="button"
                            class="button button--small button--primary"
                            data-draft-action="review"
                            aria-label={format!("Review and send: {}", draft.subject.clone().unwrap_or_default())}
                            onclick={{ let (open, draft) = (open.clone(), draft.clone()); Callback::from(move |_: MouseEvent| open.set(Some(draft.clone()))) }}
                        >
                            { "Review" }
                        </button>
                    </li>
                }
            </ul>
            if let Some(draft) = (*open).clone() {
                <DraftDialog
                    {draft}
                    on_close={{ let open = open.clone(); Callback::from(move |()| open.set(None)) }}
                    on_done={{ let (open, on_done) = (open.clone(), props.on_done.clone()); Callback::from(move |said: String| { open.set(None); on_done.emit(said); }) }}
                />
            }
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct DraftDialogProps {
    draft: MessageSummary,
    on_close: Callback<()>,
    on_done: Callback<String>,
}

#[component]
fn DraftDialog(props: &DraftDialogProps) -> Html {
    let subject = use_state(|| props.draft.subject.clone().unwrap_or_default());
    let body = use_state(|| None::<String>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    {
        let (body, error, id) = (body.clone(), error.clone(), props.draft.id);
        use_effect_with(id, move |id| {
            let id = *id;
            spawn_local(async move {
                match commands::get_message(&id).await {
                    Ok(message) => body.set(Some(message.body)),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        });
    }
    let send = {
        let (subject, body, error, busy) =
            (subject.clone(), body.clone(), error.clone(), busy.clone());
        let (id, on_done) = (props.draft.id, props.on_done.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(text) = (*body).clone() else {
                return;
            };
            let request = SendDraft {
                id,
                subject: Some((*subject).clone()),
                body: text,
            };
            busy.set(true);
            let (error, busy, on_done) = (error.clone(), busy.clone(), on_done.clone());
            spawn_local(async move {
                let sent = commands::send_draft(&request).await;
                busy.set(false);
                match sent {
                    Ok(_) => on_done
                        .emit("Follow-up sent (it waits in the outbox while offline).".into()),
                    Err(e) => error.set(Some(
                        e.fields
                            .first()
                            .map_or(e.message.clone(), |f| f.message.clone()),
                    )),
                }
            });
        })
    };
    let skip = {
        let (error, busy) = (error.clone(), busy.clone());
        let (id, on_done) = (props.draft.id, props.on_done.clone());
        Callback::from(move |_: MouseEvent| {
            busy.set(true);
            let (error, busy, on_done) = (error.clone(), busy.clone(), on_done.clone());
            spawn_local(async move {
                let skipped = commands::skip_draft(&id).await;
                busy.set(false);
                match skipped {
                    Ok(()) => on_done.emit("Follow-up skipped.".into()),
                    Err(e) => error.set(Some(
                        e.fields
                            .first()
                            .map_or(e.message.clone(), |f| f.message.clone()),
                    )),
                }
            });
        })
    };
    html! {
        <Dialog id="draft-dialog" title="Review the follow-up" on_close={props.on_close.clone()}>
            <form id="draft-form" class="form" novalidate=true onsubmit={send}>
                <p class="settings-fineprint">{ format!("To {}", props.draft.to) }</p>
                <TextField
                    id="draft-subject"
                    label="Subject"
                    value={(*subject).clone()}
                    on_input={{ let subject = subject.clone(); Callback::from(move |v: String| subject.set(v)) }}
                />
                if let Some(text) = &*body {
                    <TextField
                        id="draft-body"
                        label="Message"
                        value={text.clone()}
                        multiline=true
                        on_input={{ let body = body.clone(); Callback::from(move |v: String| body.set(Some(v))) }}
                    />
                } else if error.is_none() {
                    <p class="settings-muted" role="status">{ "Reading the draft…" }</p>
                }
                if let Some(message) = &*error {
                    <p id="draft-error" class="field__error" role="alert">{ message }</p>
                }
                <div class="dialog__actions">
                    <button id="draft-skip" type="button" class="button button--ghost" disabled={*busy} onclick={skip}>{ "Skip this follow-up" }</button>
                    <button id="draft-send" type="submit" class={classes!("button", "button--primary", busy.then_some("button--busy"))} disabled={*busy || body.is_none()}>
                        <span class="button__spinner" aria-hidden="true"></span>
                        { "Send" }
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
