//! "I have an invitation" on Settings while local only: the invited person pastes the link an
//! admin sent, chooses how teammates see them and a password, and the device signs in as the
//! new account. The engine checks everything; its messages show beside the fields.

use crate::components::field::TextField;
use crate::services::{commands, platform};
use crate::state::settings::SettingsAction;
use fieldstone_protocol::commands::{read_invitation, AcceptInvitation, CommandError};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct InvitationProps {
    /// This device's name, sent with the new session.
    pub device_name: String,
    pub dispatch: Callback<SettingsAction>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    open: bool,
    invitation: String,
    server_url: String,
    display_name: String,
    password: String,
    busy: bool,
    error: Option<CommandError>,
}

impl Draft {
    fn field_error(&self, field: &str) -> Option<AttrValue> {
        self.error
            .as_ref()?
            .fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| AttrValue::from(f.message.clone()))
    }

    /// A message not about one field (the server unreachable, the keyring missing).
    fn banner(&self) -> Option<String> {
        self.error
            .as_ref()
            .filter(|e| e.fields.is_empty())
            .map(|e| e.message.clone())
    }

    /// The server's address is asked for only when the pasted text is a bare secret.
    fn needs_server(&self) -> bool {
        matches!(read_invitation(&self.invitation), Some((None, _)))
    }
}

#[component]
pub fn InvitationCard(props: &InvitationProps) -> Html {
    let draft = use_state(Draft::default);
    if !draft.open {
        let open = {
            let draft = draft.clone();
            Callback::from(move |_: MouseEvent| {
                draft.set(Draft {
                    open: true,
                    ..Draft::default()
                });
                platform::focus("invitation-link");
            })
        };
        return html! {
            <div class="settings-actions">
                <button id="invitation-open" type="button" class="button button--ghost" onclick={open}>
                    { "I have an invitation" }
                </button>
            </div>
        };
    }
    let set = |apply: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            apply(&mut next, value);
            draft.set(next);
        })
    };
    let submit = {
        let (draft, dispatch) = (draft.clone(), props.dispatch.clone());
        let device_name = props.device_name.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if draft.busy {
                return;
            }
            let request = AcceptInvitation {
                invitation: draft.invitation.clone(),
                server_url: draft.server_url.clone(),
                display_name: draft.display_name.clone(),
                password: draft.password.clone(),
                device_name: device_name.clone(),
            };
            draft.set(Draft {
                busy: true,
                error: None,
                ..(*draft).clone()
            });
            let (draft, dispatch) = (draft.clone(), dispatch.clone());
            spawn_local(async move {
                match commands::accept_invitation(&request).await {
                    Ok(account) => dispatch.emit(SettingsAction::SignedIn(Box::new(account))),
                    // The password is never kept on screen after a refusal.
                    Err(error) => draft.set(Draft {
                        busy: false,
                        password: String::new(),
                        error: Some(error),
                        ..(*draft).clone()
                    }),
                }
            });
        })
    };
    let cancel = {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| draft.set(Draft::default()))
    };
    html! {
        <form id="invitation-form" class="form settings-sign-in" novalidate=true onsubmit={submit}>
            <h3 class="settings-subtitle">{ "Accept an invitation" }</h3>
            if let Some(message) = draft.banner() {
                <div id="invitation-banner" class="banner banner--error banner--inline" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ message }</p>
                </div>
            }
            <TextField id="invitation-link" label="Invitation link" value={draft.invitation.clone()}
                error={draft.field_error("invitation")} input_type="url"
                placeholder={Some(AttrValue::Static("https://…/invite/…"))}
                hint={Some(AttrValue::Static("as you received it"))}
                on_input={set(|d, v| d.invitation = v)} />
            if draft.needs_server() || draft.field_error("server_url").is_some() {
                <TextField id="invitation-server" label="Server address" value={draft.server_url.clone()}
                    error={draft.field_error("server_url")} input_type="url"
                    placeholder={Some(AttrValue::Static("https://sync.example.com"))}
                    on_input={set(|d, v| d.server_url = v)} />
            }
            <div class="form-grid">
                <TextField id="invitation-name" label="Your name" value={draft.display_name.clone()}
                    error={draft.field_error("display_name")} autocomplete="name"
                    on_input={set(|d, v| d.display_name = v)} />
                <TextField id="invitation-password" label="Choose a password" value={draft.password.clone()}
                    error={draft.field_error("password")} input_type="password" autocomplete="new-password"
                    hint={Some(AttrValue::Static("at least 10 characters"))}
                    on_input={set(|d, v| d.password = v)} />
            </div>
            <div class="settings-actions">
                <button id="invitation-cancel" type="button" class="button button--ghost" onclick={cancel}>{ "Cancel" }</button>
                <button id="invitation-submit" type="submit"
                    class={classes!("button", "button--primary", draft.busy.then_some("button--busy"))}
                    disabled={draft.busy}>
                    <span class="button__spinner" aria-hidden="true"></span>
                    { if draft.busy { "Joining…" } else { "Join and sign in" } }
                </button>
            </div>
        </form>
    }
}
