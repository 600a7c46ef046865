//! Form controls with their label, hint and the engine's message, wired the same way
//! everywhere: `input` and `change` both report the value (autofill and WebDriver's clear send
//! only `change`), an invalid field says so to assistive technology, and its message has an id.

use fieldstone_model::Choice;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub input_mode: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub autofocus: bool,
    /// `autocomplete`: off unless named (a sign-in form wants `username`, `current-password`).
    #[prop_or(AttrValue::Static("off"))]
    pub autocomplete: AttrValue,
    #[prop_or_default]
    pub multiline: bool,
    /// The id of a `<datalist>` of suggestions.
    #[prop_or_default]
    pub list: Option<AttrValue>,
    /// Extra class on the wrapper (grid placement).
    #[prop_or_default]
    pub class: Classes,
    pub on_input: Callback<String>,
}

fn error_id(id: &str) -> String {
    format!("{id}-error")
}

#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let invalid = props.error.is_some();
    let described = invalid.then(|| error_id(&props.id));
    let control = if props.multiline {
        let oninput = props.on_input.reform(|event: InputEvent| {
            event.target_unchecked_into::<HtmlTextAreaElement>().value()
        });
        let onchange = props
            .on_input
            .reform(|event: Event| event.target_unchecked_into::<HtmlTextAreaElement>().value());
        html! {
            <textarea
                id={props.id.clone()}
                class="field__control field__control--multiline"
                placeholder={props.placeholder.clone()}
                aria-invalid={invalid.then_some("true")}
                aria-describedby={described.clone()}
                value={props.value.clone()}
                rows="3"
                {oninput}
                {onchange}
            />
        }
    } else {
        let oninput = props
            .on_input
            .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
        let onchange = props
            .on_input
            .reform(|event: Event| event.target_unchecked_into::<HtmlInputElement>().value());
        html! {
            <input
                id={props.id.clone()}
                class="field__control"
                type={props.input_type.clone()}
                inputmode={props.input_mode.clone()}
                placeholder={props.placeholder.clone()}
                autocomplete={props.autocomplete.clone()}
                list={props.list.clone()}
                spellcheck="false"
                autofocus={props.autofocus}
                aria-invalid={invalid.then_some("true")}
                aria-describedby={described.clone()}
                value={props.value.clone()}
                {oninput}
                {onchange}
            />
        }
    };
    html! {
        <div class={classes!("field", invalid.then_some("field--invalid"), props.class.clone())}>
            <label class="field__label" for={props.id.clone()}>
                { props.label.clone() }
                if let Some(hint) = &props.hint {
                    <span class="field__hint">{ hint.clone() }</span>
                }
            </label>
            { control }
            if let Some(message) = &props.error {
                <p id={error_id(&props.id)} class="field__error">{ message.clone() }</p>
            }
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SelectFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// The selected option's value.
    pub value: AttrValue,
    /// `(value, label)` in display order.
    pub options: Vec<(AttrValue, AttrValue)>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    pub on_change: Callback<String>,
}

#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let invalid = props.error.is_some();
    // An option's `selected` attribute stops moving the choice once the person has picked one
    // (HTML's "dirty" selectedness), so a reused select (a form row after the one above it was
    // removed) would keep showing the old choice: the element's value is set after each render.
    let node = use_node_ref();
    {
        let (node, value) = (node.clone(), props.value.clone());
        use_effect(move || {
            if let Some(select) = node.cast::<HtmlSelectElement>() {
                if select.value() != value.as_str() {
                    select.set_value(&value);
                }
            }
        });
    }
    let onchange = props
        .on_change
        .reform(|event: Event| event.target_unchecked_into::<HtmlSelectElement>().value());
    html! {
        <div class={classes!("field", invalid.then_some("field--invalid"), props.class.clone())}>
            <label class="field__label" for={props.id.clone()}>{ props.label.clone() }</label>
            <div class="select">
                <select
                    ref={node}
                    id={props.id.clone()}
                    class="field__control select__control"
                    aria-invalid={invalid.then_some("true")}
                    aria-describedby={invalid.then(|| error_id(&props.id))}
                    {onchange}
                >
                    { for props.options.iter().map(|(value, label)| html! {
                        <option selected={*value == props.value} value={value.clone()}>{ label.clone() }</option>
                    }) }
                </select>
            </div>
            if let Some(message) = &props.error {
                <p id={error_id(&props.id)} class="field__error">{ message.clone() }</p>
            }
        </div>
    }
}

/// Every variant of a closed set as select options.
pub fn choice_options<T: Choice>() -> Vec<(AttrValue, AttrValue)> {
    T::all()
        .iter()
        .map(|c| (AttrValue::Static(c.as_str()), AttrValue::Static(c.label())))
        .collect()
}

/// The stages as select options, in pipeline order.
pub fn stage_options() -> Vec<(AttrValue, AttrValue)> {
    fieldstone_model::Stage::ALL
        .iter()
        .map(|s| (AttrValue::Static(s.as_str()), AttrValue::Static(s.label())))
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use yew::ServerRenderer;

    #[tokio::test]
    async fn an_invalid_field_shows_its_message_and_says_so() {
        let html = ServerRenderer::<TextField>::with_props(|| TextFieldProps {
            id: "contact-given-name".into(),
            label: "Given name".into(),
            value: "x".into(),
            error: Some("Enter a name.".into()),
            hint: None,
            input_type: "text".into(),
            input_mode: None,
            placeholder: None,
            autofocus: false,
            autocomplete: "off".into(),
            multiline: false,
            list: None,
            class: Classes::new(),
            on_input: Callback::noop(),
        })
        .hydratable(false)
        .render()
        .await;
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"aria-describedby="contact-given-name-error""#));
        assert!(html.contains(r#"autocomplete="off""#), "{html}");
        assert!(html.contains(
            r#"<p id="contact-given-name-error" class="field__error">Enter a name.</p>"#
        ));
    }

    #[tokio::test]
    async fn a_select_marks_the_chosen_option() {
        let html = ServerRenderer::<SelectField>::with_props(|| SelectFieldProps {
            id: "stage".into(),
            label: "Stage".into(),
            value: "offer".into(),
            options: stage_options(),
            error: None,
            class: Classes::new(),
            on_change: Callback::noop(),
        })
        .hydratable(false)
        .render()
        .await;
        assert!(
            html.contains(r#"<option value="offer" selected="selected">Offer</option>"#),
            "{html}"
        );
        assert_eq!(html.matches("<option").count(), 6);
    }
}
