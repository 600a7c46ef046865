//! Settings' "Your phone" card: the agent's own number, rung first when they press Call on a
//! contact, with what it is for and where it is kept.

use super::field::TextField;
use super::icons::{icon, Icon};
use crate::state::record_form::FormAction;
use crate::state::settings_phone::{PhoneAction, PhoneSettings, AGENT_PHONE_INPUT};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct PhoneCardProps {
    pub state: PhoneSettings,
    pub dispatch: Callback<PhoneAction>,
}

#[component]
pub fn PhoneCard(props: &PhoneCardProps) -> Html {
    let state = &props.state;
    let body = match &state.loaded {
        None => html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
        Some(Err(message)) => {
            let retry = props.dispatch.reform(|_: MouseEvent| PhoneAction::Retry);
            html! {
                <div class="settings-locale__failed" role="alert">
                    <p class="field__error">{ format!("Couldn't read your phone: {message}") }</p>
                    <button id="agent-phone-retry" type="button" class="button button--secondary" onclick={retry}>{ "Try again" }</button>
                </div>
            }
        }
        Some(Ok(())) => phone_form(state, &props.dispatch),
    };
    html! {
        <section id="settings-phone" class="card settings-card" aria-labelledby="settings-phone-title">
            <h2 id="settings-phone-title" class="settings-card__title">{ icon(Icon::Phone) }{ "Your phone" }</h2>
            { body }
        </section>
    }
}

fn phone_form(state: &PhoneSettings, dispatch: &Callback<PhoneAction>) -> Html {
    let form = &state.form;
    let onsubmit = dispatch.reform(|event: SubmitEvent| {
        event.prevent_default();
        PhoneAction::Form(FormAction::Submit)
    });
    let on_input = dispatch.reform(|text: String| PhoneAction::Form(FormAction::Edit(text)));
    html! {
        <form id="agent-phone-form" class="form settings-phone" novalidate=true {onsubmit}>
            <TextField
                id={AGENT_PHONE_INPUT}
                label="Your mobile number"
                value={state.value().to_owned()}
                error={state.error().map(|e| AttrValue::from(e.to_owned()))}
                input_type="tel"
                input_mode={AttrValue::Static("tel")}
                autocomplete="tel"
                placeholder={AttrValue::Static("+1 415 555 0100")}
                {on_input}
            />
            <p id="agent-phone-about" class="settings-fineprint">{ state.explanation() }</p>
            <div class="settings-actions">
                if state.shows_saved() {
                    <span id="agent-phone-saved" class="form-success" role="status">
                        <span class="form-success__icon" aria-hidden="true"></span>{ "Saved" }
                    </span>
                }
                <button
                    id="agent-phone-save"
                    type="submit"
                    class={classes!("button", "button--secondary", form.submitting.then_some("button--busy"))}
                    disabled={!state.can_save()}
                >
                    { if form.submitting { "Saving…" } else { "Save phone" } }
                </button>
            </div>
        </form>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use fieldstone_model::Locale;
    use fieldstone_protocol::commands::Preferences;
    use yew::ServerRenderer;

    async fn render(state: PhoneSettings) -> String {
        ServerRenderer::<PhoneCard>::with_props(move || PhoneCardProps {
            state,
            dispatch: Callback::noop(),
        })
        .render()
        .await
    }

    #[tokio::test]
    async fn the_card_shows_the_number_what_it_is_for_and_the_devices_sentence() {
        let mut state = PhoneSettings::default();
        assert!(render(state.clone()).await.contains("Reading…"));
        state.apply(PhoneAction::Loaded(Ok(Preferences {
            locale: Locale::default(),
            smart_lists: Vec::new(),
            follows_you: true,
            agent_phone: None,
            time_zone: "Europe/Paris".into(),
            time_zone_chosen: false,
            weekly_report: true,
            calendar_feed: false,
        })));
        let html = render(state.clone()).await;
        assert!(html.contains("id=\"agent-phone\""), "{html}");
        assert!(html.contains("type=\"tel\""));
        assert!(html.contains("without it, calls are dialled from this device"));
        state.apply(PhoneAction::Form(FormAction::Edit("0415 555 0100".into())));
        state.apply(PhoneAction::Form(FormAction::Submit));
        let html = render(state).await;
        assert!(
            html.contains("Start with + and the country code"),
            "the device's sentence under the input: {html}"
        );
        assert!(html.contains("aria-invalid=\"true\""));
    }
}
