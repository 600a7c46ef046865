//! The new-contact dialog, reachable from every screen (`n`, or a "New contact" button): a
//! quick form; once the engine has stored the contact, its detail screen opens. On a plan whose
//! leads are all taken (the free plan's 50), it says before saving that this one will stay on
//! this device, unsynced; saving still works (nothing written is ever thrown away).

use crate::components::contact_fields::ContactFields;
use crate::components::dialog::Dialog;
use crate::hooks::{use_shell, use_submit};
use crate::route::Route;
use crate::services::{commands, platform};
use crate::state::contact_draft::ContactDraft;
use crate::state::contact_field::ContactField;
use crate::state::contact_form::{ContactForm, FormAction, FormScope};
use crate::state::form::{input_id, FieldPath};
use crate::state::ShellAction;
use fieldstone_model::Stage;
use fieldstone_protocol::commands::LeadRoom;
use yew::platform::spawn_local;
use yew::prelude::*;

const PREFIX: &str = "new-contact";

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct NewContactProps {
    /// The stage a new contact starts in (the pipeline column it was asked from).
    #[prop_or_default]
    pub stage: Stage,
}

#[component]
pub fn NewContactDialog(props: &NewContactProps) -> Html {
    let shell = use_shell();
    let stage = props.stage;
    let form = use_reducer(move || {
        ContactForm::new(
            FormScope::Quick,
            ContactDraft {
                stage,
                ..ContactDraft::default()
            },
        )
    });

    use_effect_with((), |()| {
        platform::focus(&ContactField::GivenName.input_id(PREFIX))
    });
    // The plan's room for leads, asked once as the dialog opens (it answers within seconds,
    // from the last known plan when offline); until then, and if it fails, nothing is said.
    let room = use_state(|| None::<LeadRoom>);
    {
        let room = room.setter();
        use_effect_with((), move |()| {
            spawn_local(async move {
                match commands::lead_room().await {
                    Ok(answer) => room.set(Some(answer)),
                    Err(error) => {
                        web_sys::console::warn_1(&format!("lead room: {}", error.message).into())
                    }
                }
            });
        });
    }
    let lead_warning = room.as_ref().and_then(|room| room.warning(1));
    {
        let focus = form.focus.clone();
        use_effect_with(focus, |focus| {
            if let Some(focus) = focus {
                platform::focus(&input_id(PREFIX, &focus.path));
            }
        });
    }
    use_submit(&form, |input| async move {
        commands::create_contact(&input).await
    });
    {
        let shell = shell.clone();
        use_effect_with(form.saved.as_ref().map(|c| c.id), move |saved| {
            if let Some(id) = saved {
                shell.navigate(Route::Contact(*id));
            }
        });
    }

    let on_close = {
        let shell = shell.clone();
        Callback::from(move |()| shell.dispatch(ShellAction::CloseNewContact))
    };
    let on_edit = {
        let form = form.clone();
        Callback::from(move |edit| form.dispatch(FormAction::Edit(edit)))
    };
    let onsubmit = {
        let form = form.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            form.dispatch(FormAction::Submit);
        })
    };
    let cancel = on_close.reform(|_: MouseEvent| ());
    html! {
        <Dialog id="new-contact" title="New contact" {on_close}>
            <form id="new-contact-form" class="form" novalidate=true {onsubmit}>
                if let Some(banner) = &form.errors.banner {
                    <div id="new-contact-banner" class="banner banner--error" role="alert">
                        <span class="banner__icon" aria-hidden="true"></span>
                        <p class="banner__text">{ banner }</p>
                    </div>
                }
                if let Some(warning) = lead_warning {
                    <div id="new-contact-lead-cap" class="banner banner--warning banner--inline lead-cap" role="status">
                        <span class="banner__icon" aria-hidden="true"></span>
                        <p class="banner__text">{ warning }</p>
                    </div>
                }
                <ContactFields
                    scope={FormScope::Quick}
                    prefix={PREFIX}
                    draft={form.draft.clone()}
                    errors={form.errors.clone()}
                    now={shell.clock.now}
                    {on_edit}
                />
                <div class="form__actions">
                    <button type="button" class="button button--secondary" onclick={cancel}>{ "Cancel" }</button>
                    <button
                        id="new-contact-save"
                        type="submit"
                        class={classes!("button", "button--primary", form.submitting.then_some("button--busy"))}
                        disabled={form.submitting}
                    >
                        <span class="button__spinner" aria-hidden="true"></span>
                        { "Save contact" }
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
