//! Custom fields: the form's section (a row per field — name, type, a value input of that
//! type, remove — and "Add field", names used on other contacts suggested with their type) and
//! the contact page's read-only list ("School district: Lincoln").

use super::field::{SelectField, TextField};
use super::icons::{icon, Icon};
use crate::services::commands;
use crate::state::contact_draft::DraftEdit;
use crate::state::contact_field::ContactField;
use crate::state::custom_fields::{display_value, distinct_names, known_type, CustomRow, NO, YES};
use crate::state::form::{FieldPath, FormErrors};
use fieldstone_model::{CustomFieldType, CustomValue};
use fieldstone_protocol::views::CustomFieldName;
use std::collections::BTreeMap;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CustomFieldsEditorProps {
    /// Element id prefix of the form (`new-contact`, `contact`).
    pub prefix: AttrValue,
    pub rows: Vec<CustomRow>,
    pub errors: FormErrors,
    pub on_edit: Callback<DraftEdit>,
    /// The names in use; asked for when not given (the page's first render).
    #[prop_or_default]
    pub names: Option<Vec<CustomFieldName>>,
}

fn type_options() -> Vec<(AttrValue, AttrValue)> {
    CustomFieldType::ALL
        .iter()
        .map(|t| (AttrValue::Static(t.as_str()), AttrValue::Static(t.label())))
        .collect()
}

fn yes_no_options() -> Vec<(AttrValue, AttrValue)> {
    vec![
        (AttrValue::Static(YES), AttrValue::Static("Yes")),
        (AttrValue::Static(NO), AttrValue::Static("No")),
    ]
}

#[component]
pub fn CustomFieldsEditor(props: &CustomFieldsEditorProps) -> Html {
    let fetched = use_state(Vec::<CustomFieldName>::new);
    {
        let fetched = fetched.clone();
        let given = props.names.is_some();
        use_effect_with((), move |()| {
            if !given {
                spawn_local(async move {
                    // Only suggestions: without them the person types the name in full.
                    if let Ok(names) = commands::custom_field_names().await {
                        fetched.set(names);
                    }
                });
            }
        });
    }
    let names: Vec<CustomFieldName> = props.names.clone().unwrap_or_else(|| (*fetched).clone());
    let prefix = props.prefix.to_string();
    let list_id = format!("{prefix}-custom-names");
    let error = |field: ContactField| {
        props
            .errors
            .of(field)
            .map(|m| AttrValue::from(m.to_owned()))
    };
    let row = |i: usize, row: &CustomRow| {
        let on_edit = props.on_edit.clone();
        let blank_value = row.kind != CustomFieldType::Bool && row.value.trim().is_empty();
        let current = row.kind;
        let known = names.clone();
        // A name already used elsewhere takes the type it has there, while no value is typed.
        let on_key = Callback::from(move |key: String| {
            let kind = known_type(&known, &key).filter(|k| *k != current && blank_value);
            on_edit.emit(DraftEdit::Set(ContactField::CustomKey(i), key));
            if let Some(kind) = kind {
                on_edit.emit(DraftEdit::Set(
                    ContactField::CustomType(i),
                    kind.as_str().to_owned(),
                ));
            }
        });
        let set = |field: ContactField| {
            props
                .on_edit
                .reform(move |value: String| DraftEdit::Set(field, value))
        };
        let value_field = ContactField::CustomValue(i);
        let value_id = value_field.input_id(&prefix);
        let value = match row.kind {
            CustomFieldType::Bool => html! {
                <SelectField
                    id={value_id}
                    label="Value"
                    value={row.value.clone()}
                    options={yes_no_options()}
                    error={error(value_field)}
                    class="custom-row__value"
                    on_change={set(value_field)}
                />
            },
            kind => html! {
                <TextField
                    id={value_id}
                    label="Value"
                    value={row.value.clone()}
                    error={error(value_field)}
                    input_type={if kind == CustomFieldType::Date { "date" } else { "text" }}
                    input_mode={(kind == CustomFieldType::Number).then_some(AttrValue::Static("decimal"))}
                    placeholder={match kind {
                        CustomFieldType::Number => Some(AttrValue::Static("3.5")),
                        CustomFieldType::Text => Some(AttrValue::Static("Lincoln")),
                        _ => None,
                    }}
                    class="custom-row__value"
                    on_input={set(value_field)}
                />
            },
        };
        let label = if row.key.trim().is_empty() {
            format!("custom field {}", i + 1)
        } else {
            row.key.trim().to_owned()
        };
        html! {
            <div class="custom-row" data-custom-row={i.to_string()}>
                <TextField
                    id={ContactField::CustomKey(i).input_id(&prefix)}
                    label="Name"
                    value={row.key.clone()}
                    error={error(ContactField::CustomKey(i))}
                    placeholder={Some(AttrValue::Static("School district"))}
                    list={Some(AttrValue::from(list_id.clone()))}
                    class="custom-row__key"
                    on_input={on_key}
                />
                <SelectField
                    id={ContactField::CustomType(i).input_id(&prefix)}
                    label="Type"
                    value={row.kind.as_str()}
                    options={type_options()}
                    class="custom-row__type"
                    on_change={set(ContactField::CustomType(i))}
                />
                { value }
                <button
                    type="button"
                    class="icon-button custom-row__remove"
                    aria-label={format!("Remove {label}")}
                    onclick={props.on_edit.reform(move |_: MouseEvent| DraftEdit::RemoveCustom(i))}
                >
                    { icon(Icon::Close) }
                </button>
            </div>
        }
    };
    let add = props.on_edit.reform(|_: MouseEvent| DraftEdit::AddCustom);
    html! {
        <section class="form-section custom-fields" aria-labelledby={format!("{prefix}-custom-title")}>
            <h3 id={format!("{prefix}-custom-title")} class="form-section__title">{ "Custom fields" }</h3>
            if props.rows.is_empty() {
                <p id={format!("{prefix}-custom-empty")} class="custom-fields__empty">
                    { "Your own details about this person, such as School district or Pre-approved. Each has a type, so you can filter your contacts by it." }
                </p>
            }
            <datalist id={list_id.clone()}>
                for name in distinct_names(&names) {
                    <option value={name} />
                }
            </datalist>
            for (i, r) in props.rows.iter().enumerate() {
                { row(i, r) }
            }
            if let Some(message) = error(ContactField::CustomFields) {
                <p id={format!("{prefix}-custom-fields-error")} class="field__error">{ message }</p>
            }
            <button id={format!("{prefix}-custom-add")} type="button" class="button button--link" onclick={add}>
                { icon(Icon::Plus) }
                { "Add field" }
            </button>
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CustomFieldsViewProps {
    pub fields: BTreeMap<String, CustomValue>,
}

/// The contact's custom fields as name: value, in name order; nothing when it has none.
#[component]
pub fn CustomFieldsView(props: &CustomFieldsViewProps) -> Html {
    if props.fields.is_empty() {
        return Html::default();
    }
    html! {
        <section id="contact-custom" class="custom-view" aria-labelledby="contact-custom-title">
            <h3 id="contact-custom-title" class="custom-view__title">{ "Custom fields" }</h3>
            <dl class="custom-view__list">
                for (key, value) in props.fields.iter() {
                    <div class="custom-view__item" data-custom-key={key.clone()}>
                        <dt class="custom-view__key">{ key }</dt>
                        <dd class="custom-view__value">{ display_value(value) }</dd>
                    </div>
                }
            </dl>
        </section>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use yew::ServerRenderer;

    #[tokio::test]
    async fn each_row_has_an_input_of_its_type_and_the_engines_message() {
        let mut errors = FormErrors::default();
        errors.set(
            "custom_fields.0.key",
            "A field name cannot contain a full stop (.).",
        );
        let html =
            ServerRenderer::<CustomFieldsEditor>::with_props(move || CustomFieldsEditorProps {
                prefix: "contact".into(),
                rows: vec![
                    CustomRow {
                        key: "a.b".into(),
                        kind: CustomFieldType::Text,
                        value: "x".into(),
                    },
                    CustomRow {
                        key: "Lease ends".into(),
                        kind: CustomFieldType::Date,
                        value: "2027-03-01".into(),
                    },
                    CustomRow {
                        key: "Pre-approved".into(),
                        kind: CustomFieldType::Bool,
                        value: YES.into(),
                    },
                ],
                errors,
                on_edit: Callback::noop(),
                names: Some(vec![CustomFieldName {
                    key: "School district".into(),
                    field_type: CustomFieldType::Text,
                    contacts: 3,
                }]),
            })
            .hydratable(false)
            .render()
            .await;
        assert!(
            html.contains(r#"<p id="contact-custom-fields-0-key-error" class="field__error">A field name cannot contain a full stop (.).</p>"#),
            "{html}"
        );
        assert!(html.contains(r#"type="date""#), "{html}");
        assert!(html.contains(r#"list="contact-custom-names""#), "{html}");
        assert!(
            html.contains(r#"<option value="School district">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<option value="yes" selected="selected">Yes</option>"#),
            "{html}"
        );
        assert!(html.contains(r#"aria-label="Remove Lease ends""#), "{html}");
        assert!(
            !html.contains("contact-custom-empty"),
            "rows, no empty line"
        );
    }

    #[tokio::test]
    async fn no_fields_explain_what_they_are_for() {
        let html = ServerRenderer::<CustomFieldsEditor>::with_props(|| CustomFieldsEditorProps {
            prefix: "new-contact".into(),
            rows: Vec::new(),
            errors: FormErrors::default(),
            on_edit: Callback::noop(),
            names: Some(Vec::new()),
        })
        .hydratable(false)
        .render()
        .await;
        assert!(html.contains(r#"id="new-contact-custom-empty""#), "{html}");
        assert!(html.contains("Add field"), "{html}");
    }

    #[tokio::test]
    async fn the_contact_page_lists_values_as_people_read_them() {
        let fields: BTreeMap<String, CustomValue> = [
            ("Pre-approved".to_owned(), CustomValue::Bool(false)),
            ("Deposit".to_owned(), CustomValue::Number(12_500.0)),
        ]
        .into_iter()
        .collect();
        let html = ServerRenderer::<CustomFieldsView>::with_props(move || CustomFieldsViewProps {
            fields,
        })
        .hydratable(false)
        .render()
        .await;
        assert!(
            html.contains(r#"<dd class="custom-view__value">12,500</dd>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<dd class="custom-view__value">No</dd>"#),
            "{html}"
        );
    }
}
