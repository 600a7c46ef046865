//! Settings' "Region and format" card: date order, number style, currency and area unit, a
//! preview of the choice, Save, and where these preferences are kept.

use super::field::{choice_options, SelectField};
use super::icons::{icon, Icon};
use crate::state::form::FieldPath;
use crate::state::record_form::FormAction;
use crate::state::settings_locale::{
    currency_options, LocaleEdit, LocaleField, LocaleSettings, LocaleSettingsAction,
    LOCALE_INPUT_PREFIX,
};
use fieldstone_model::{AreaUnit, DateOrder, NumberStyle};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LocaleCardProps {
    pub state: LocaleSettings,
    pub dispatch: Callback<LocaleSettingsAction>,
}

#[component]
pub fn LocaleCard(props: &LocaleCardProps) -> Html {
    let body = match &props.state.loaded {
        None => html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
        Some(Err(message)) => {
            let retry = props
                .dispatch
                .reform(|_: MouseEvent| LocaleSettingsAction::Retry);
            html! {
                <div class="settings-locale__failed" role="alert">
                    <p class="field__error">{ format!("Couldn't read your format: {message}") }</p>
                    <button id="locale-retry" type="button" class="button button--secondary" onclick={retry}>{ "Try again" }</button>
                </div>
            }
        }
        Some(Ok(())) => locale_form(&props.state, &props.dispatch),
    };
    html! {
        <section id="settings-locale" class="card settings-card" aria-labelledby="settings-locale-title">
            <h2 id="settings-locale-title" class="settings-card__title">{ icon(Icon::Pin) }{ "Region and format" }</h2>
            { body }
        </section>
    }
}

fn locale_form(state: &LocaleSettings, dispatch: &Callback<LocaleSettingsAction>) -> Html {
    let locale = state.draft();
    let form = &state.form;
    let onsubmit = dispatch.reform(|event: SubmitEvent| {
        event.prevent_default();
        LocaleSettingsAction::Form(FormAction::Submit)
    });
    // A select only offers its own values; one that does not parse changes nothing.
    let edit = |make: fn(&str) -> Option<LocaleEdit>| {
        let dispatch = dispatch.clone();
        Callback::from(move |value: String| {
            if let Some(edit) = make(&value) {
                dispatch.emit(LocaleSettingsAction::Form(FormAction::Edit(edit)));
            }
        })
    };
    let id = |field: LocaleField| AttrValue::from(field.input_id(LOCALE_INPUT_PREFIX));
    let error = |field: LocaleField| state.error(field).map(|e| AttrValue::from(e.to_owned()));
    let currencies = currency_options(&locale.currency)
        .into_iter()
        .map(|(code, label)| (AttrValue::from(code), AttrValue::from(label)))
        .collect::<Vec<_>>();
    html! {
        <form id="locale-form" class="form settings-locale" novalidate=true {onsubmit}>
            <div class="settings-locale__fields">
                <SelectField
                    id={id(LocaleField::DateOrder)}
                    label="Dates"
                    value={AttrValue::Static(locale.date_order.as_str())}
                    options={choice_options::<DateOrder>()}
                    error={error(LocaleField::DateOrder)}
                    on_change={edit(|v| v.parse().ok().map(LocaleEdit::DateOrder))}
                />
                <SelectField
                    id={id(LocaleField::NumberStyle)}
                    label="Numbers"
                    value={AttrValue::Static(locale.number_style.as_str())}
                    options={choice_options::<NumberStyle>()}
                    error={error(LocaleField::NumberStyle)}
                    on_change={edit(|v| v.parse().ok().map(LocaleEdit::NumberStyle))}
                />
                <SelectField
                    id={id(LocaleField::Currency)}
                    label="Currency"
                    value={AttrValue::from(locale.currency.clone())}
                    options={currencies}
                    error={error(LocaleField::Currency)}
                    on_change={edit(|v| Some(LocaleEdit::Currency(v.to_owned())))}
                />
                <SelectField
                    id={id(LocaleField::AreaUnit)}
                    label="Areas"
                    value={AttrValue::Static(locale.area_unit.as_str())}
                    options={choice_options::<AreaUnit>()}
                    error={error(LocaleField::AreaUnit)}
                    on_change={edit(|v| v.parse().ok().map(LocaleEdit::AreaUnit))}
                />
            </div>
            <p class="settings-locale__preview">
                <span class="settings-locale__preview-label">{ "Preview" }</span>
                <span id="locale-preview" class="tabular" aria-live="polite">{ state.preview() }</span>
            </p>
            <p id="locale-where" class="settings-fineprint">{ state.where_kept() }</p>
            if let Some(message) = &form.errors.banner {
                <p id="locale-error" class="field__error" role="alert">{ message.clone() }</p>
            }
            <div class="settings-actions">
                if state.shows_saved() {
                    <span id="locale-saved" class="form-success" role="status">
                        <span class="form-success__icon" aria-hidden="true"></span>{ "Saved" }
                    </span>
                }
                <button
                    id="locale-save"
                    type="submit"
                    class={classes!("button", "button--secondary", form.submitting.then_some("button--busy"))}
                    disabled={!state.can_save()}
                >
                    { if form.submitting { "Saving…" } else { "Save format" } }
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

    async fn render(state: LocaleSettings) -> String {
        ServerRenderer::<LocaleCard>::with_props(move || LocaleCardProps {
            state,
            dispatch: Callback::noop(),
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn the_card_shows_the_choices_a_preview_and_where_they_are_kept() {
        let mut state = LocaleSettings::default();
        assert!(render(state.clone()).await.contains("Reading…"));
        state.apply(LocaleSettingsAction::Loaded(Ok(Preferences {
            locale: Locale {
                currency: "NZD".into(),
                ..Locale::default()
            },
            smart_lists: Vec::new(),
            follows_you: true,
            agent_phone: None,
            time_zone: "Europe/Paris".into(),
            time_zone_chosen: false,
            weekly_report: true,
            calendar_feed: false,
        })));
        let html = render(state).await;
        assert!(html.contains(r#"id="locale-date-order""#), "{html}");
        assert!(html.contains("Month day year (Nov 3, 2026)"));
        assert!(
            html.contains(r#"<option value="NZD" selected="selected">NZD</option>"#),
            "the current currency is offered"
        );
        assert!(html.contains("EUR — Euro"));
        // The agent's own dollar needs no code.
        assert!(html.contains("Tue 3 Nov 2026 · $425,000 · 1,850 sq ft"));
        assert!(html.contains("These follow you"));
        assert!(html.contains("disabled"), "nothing to save yet");
    }
}
