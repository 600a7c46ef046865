//! The contact list's custom-field filter: pick a field in use, then a condition its type
//! offers, then a value of that type; the engine's refusal of the value shows under it.

use crate::state::contacts::{ContactsAction, ContactsState};
use crate::state::custom_filter::{field_options, option_value, parse_option, CustomFilterEdit};
use fieldstone_model::CustomFieldType;
use fieldstone_protocol::views::CustomOp;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Clone, PartialEq, Properties)]
pub struct CustomFilterProps {
    pub state: std::rc::Rc<ContactsState>,
    pub dispatch: Callback<ContactsAction>,
}

fn select_value(event: &Event) -> String {
    event.target_unchecked_into::<HtmlSelectElement>().value()
}

#[component]
pub fn CustomFilterControls(props: &CustomFilterProps) -> Html {
    let state = &props.state;
    let draft = &state.custom;
    let kind = draft.kind;
    let on_field = props.dispatch.reform(|event: Event| {
        let (key, kind) = parse_option(&select_value(&event));
        ContactsAction::Custom(CustomFilterEdit::Field(key, kind))
    });
    let on_op = props.dispatch.reform(move |event: Event| {
        let value = select_value(&event);
        let op = CustomOp::ALL
            .into_iter()
            .find(|op| op.as_str() == value)
            .unwrap_or(CustomOp::IsSet);
        ContactsAction::Custom(CustomFilterEdit::Op(op))
    });
    let value_input = props.dispatch.reform(|event: InputEvent| {
        ContactsAction::Custom(CustomFilterEdit::Value(
            event.target_unchecked_into::<HtmlInputElement>().value(),
        ))
    });
    // A date picker may report only `change`.
    let value_change = props.dispatch.reform(|event: Event| {
        ContactsAction::Custom(CustomFilterEdit::Value(
            event.target_unchecked_into::<HtmlInputElement>().value(),
        ))
    });
    let value_select = props.dispatch.reform(|event: Event| {
        ContactsAction::Custom(CustomFilterEdit::Value(select_value(&event)))
    });
    let options = field_options(&state.custom_names, draft);
    let selected = if draft.is_set() {
        option_value(&draft.key, draft.kind)
    } else {
        String::new()
    };
    let invalid = state.custom_error.is_some();
    let value = match kind {
        _ if !draft.is_set() || !draft.needs_value() => Html::default(),
        CustomFieldType::Bool => html! {
            <select key="bool" id="filter-custom-value" class="mini-select" aria-label="Value" onchange={value_select}>
                <option value="yes" selected={draft.value == "yes"}>{ "Yes" }</option>
                <option value="no" selected={draft.value == "no"}>{ "No" }</option>
            </select>
        },
        kind => html! {
            <input
                key={kind.as_str()}
                id="filter-custom-value"
                class="mini-input"
                type={if kind == CustomFieldType::Date { "date" } else { "text" }}
                inputmode={(kind == CustomFieldType::Number).then_some("decimal")}
                aria-label="Value"
                aria-invalid={invalid.then_some("true")}
                aria-describedby={invalid.then_some("filter-custom-error")}
                placeholder={match kind { CustomFieldType::Number => "3.5", CustomFieldType::Text => "Type to match", _ => "" }}
                value={draft.value.clone()}
                oninput={value_input}
                onchange={value_change}
            />
        },
    };
    html! {
        <>
        <div class="filter-custom" role="group" aria-labelledby="filter-custom-label">
            <label class="filter filter-custom__field">
                <span id="filter-custom-label" class="filter__label">{ "Custom field" }</span>
                <select id="filter-custom-field" class="mini-select" onchange={on_field}>
                    <option value="" selected={selected.is_empty()}>{ "Any" }</option>
                    if options.is_empty() {
                        <option value="" disabled=true>{ "None on your contacts yet" }</option>
                    }
                    for (value, label) in options {
                        <option selected={value == selected} value={value.clone()}>{ label }</option>
                    }
                </select>
            </label>
            if draft.is_set() {
                // Keyed by the type: another type's conditions are a new select, so the one
                // shown selected is the state's (a reused select keeps its old index).
                <select key={kind.as_str()} id="filter-custom-op" class="mini-select" aria-label="Condition" onchange={on_op}>
                    for op in CustomOp::for_type(kind).iter().copied() {
                        <option value={op.as_str()} selected={op == draft.op}>{ op.label(kind) }</option>
                    }
                </select>
                { value }
            }
        </div>
        // On a line of its own under the filters (not widening the group).
        if let Some(message) = &state.custom_error {
            <p id="filter-custom-error" class="field__error filter-custom__error" role="alert">{ message.clone() }</p>
        }
        </>
    }
}
