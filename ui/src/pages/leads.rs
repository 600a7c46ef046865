//! The quick lead form and list: wires the pure [`AppState`] reducer to the shell. Everything
//! the reducer asks for (`submit_seq`, `list_request`, `focus`, `form_resets`) is carried out by
//! an effect here.

use crate::components::{FormRefs, LeadForm, LeadList};
use crate::hooks::use_shell;
use crate::services::commands;
use crate::state::{Action, AppState, Field, FormEdit};
use web_sys::{HtmlElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

#[component]
pub fn LeadsPage() -> Html {
    let state = use_reducer(AppState::default);
    let shell = use_shell();
    let refs = FormRefs {
        name: use_node_ref(),
        email: use_node_ref(),
        phone: use_node_ref(),
        stage: use_node_ref(),
    };

    // The frame's sync status drives reloads: a higher `remote_revision` means changes arrived.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(shell.shell.sync.clone(), move |status| {
            if let Some(status) = status {
                dispatcher.dispatch(Action::SyncStatusChanged(status.clone()));
            }
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| dispatcher.dispatch(Action::ReloadLeads));
    }

    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.list_request, move |&request| {
            if request > 0 {
                spawn_local(async move {
                    dispatcher.dispatch(match commands::list_leads().await {
                        Ok(leads) => Action::LeadsLoaded { request, leads },
                        Err(error) => Action::LeadsFailed {
                            request,
                            message: error.message,
                        },
                    });
                });
            }
        });
    }

    {
        let dispatcher = state.dispatcher();
        let submitted = state.submitted.clone();
        use_effect_with(state.submit_seq, move |_| {
            if let Some(input) = submitted {
                spawn_local(async move {
                    dispatcher.dispatch(match commands::create_lead(&input).await {
                        Ok(lead) => Action::CreateSucceeded(lead),
                        Err(error) => Action::CreateFailed(error),
                    });
                });
            }
        });
    }

    {
        // On start-up (no request yet) this backs up the name field's `autofocus`.
        let refs = refs.clone();
        use_effect_with(state.focus, move |focus| {
            let field = focus.map_or(Field::Name, |focus| focus.field);
            if let Some(input) = refs.field(field).cast::<HtmlElement>() {
                // Focus is a convenience; a refusal is harmless.
                let _ = input.focus();
            }
        });
    }

    {
        // An `<option selected>` change does not move a select the user has touched.
        let select = refs.stage.clone();
        let stage = state.form.stage;
        use_effect_with(state.form_resets, move |_| {
            if let Some(select) = select.cast::<HtmlSelectElement>() {
                select.set_value(stage.as_str());
            }
        });
    }

    let on_edit = {
        let dispatcher = state.dispatcher();
        Callback::from(move |edit: FormEdit| dispatcher.dispatch(Action::Edit(edit)))
    };
    let on_submit = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Submit))
    };
    let on_retry = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::ReloadLeads))
    };

    html! {
        <div class="page page--leads">
            <section class="card card--form">
                <LeadForm
                    form={state.form.clone()}
                    errors={state.field_errors.clone()}
                    form_error={state.form_error.clone()}
                    just_added={state.just_added.as_ref().map(|(_, name)| name.clone())}
                    submitting={state.submitting}
                    {on_edit}
                    {on_submit}
                    refs={refs.clone()}
                />
            </section>
            <LeadList
                leads={state.leads.clone()}
                view={state.leads_view()}
                stale_error={state.stale_list_error().map(str::to_owned)}
                highlight={state.just_added.as_ref().map(|(id, _)| *id)}
                {on_retry}
            />
        </div>
    }
}
