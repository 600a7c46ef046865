//! The "new lead" form. It owns no state: it shows what it is given and reports edits and
//! submits, so it renders the same on the host (tests) and in the webview.

use crate::state::{Field, FieldErrors, FormEdit};
use fieldstone_model::{LeadInput, Stage};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew::TargetCast;

/// Handles to the form's controls, so the app can move focus and reset the select.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormRefs {
    pub name: NodeRef,
    pub email: NodeRef,
    pub phone: NodeRef,
    pub stage: NodeRef,
}

impl FormRefs {
    pub fn field(&self, field: Field) -> &NodeRef {
        match field {
            Field::Name => &self.name,
            Field::Email => &self.email,
            Field::Phone => &self.phone,
        }
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct LeadFormProps {
    pub form: LeadInput,
    #[prop_or_default]
    pub errors: FieldErrors,
    #[prop_or_default]
    pub form_error: Option<String>,
    /// Name of the lead just added, for a short confirmation.
    #[prop_or_default]
    pub just_added: Option<String>,
    #[prop_or_default]
    pub submitting: bool,
    #[prop_or_default]
    pub on_edit: Callback<FormEdit>,
    #[prop_or_default]
    pub on_submit: Callback<()>,
    #[prop_or_default]
    pub refs: FormRefs,
}

struct TextField {
    field: Field,
    label: &'static str,
    hint: Option<&'static str>,
    input_type: &'static str,
    input_mode: &'static str,
    required: bool,
}

const TEXT_FIELDS: [TextField; 3] = [
    TextField {
        field: Field::Name,
        label: "Name",
        hint: None,
        input_type: "text",
        input_mode: "text",
        required: true,
    },
    TextField {
        field: Field::Email,
        label: "Email",
        hint: Some("optional"),
        // `type="email"` would let the webview rewrite what was typed; the engine validates.
        input_type: "text",
        input_mode: "email",
        required: false,
    },
    TextField {
        field: Field::Phone,
        label: "Phone",
        hint: Some("optional"),
        input_type: "tel",
        input_mode: "tel",
        required: false,
    },
];

#[component]
pub fn LeadForm(props: &LeadFormProps) -> Html {
    let onsubmit = {
        let on_submit = props.on_submit.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_submit.emit(());
        })
    };
    let onchange_stage = props.on_edit.reform(|event: Event| {
        let value = event.target_unchecked_into::<HtmlSelectElement>().value();
        FormEdit::Stage(value.parse().unwrap_or_default())
    });

    html! {
        <form
            id="lead-form"
            class="lead-form"
            novalidate=true
            autocomplete="off"
            aria-labelledby="lead-form-title"
            {onsubmit}
        >
            <div class="card__header">
                <h2 id="lead-form-title" class="card__title">{ "New lead" }</h2>
            </div>
            if let Some(message) = &props.form_error {
                <div id="form-error" class="banner banner--error" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ message }</p>
                </div>
            }
            <div class="lead-form__fields">
                { for TEXT_FIELDS.iter().map(|spec| text_field(spec, props)) }
                <div class="field field--stage">
                    <label class="field__label" for="lead-stage">{ "Stage" }</label>
                    <div class="select">
                        <select
                            id="lead-stage"
                            name="stage"
                            class="field__control select__control"
                            ref={props.refs.stage.clone()}
                            onchange={onchange_stage}
                        >
                            { for Stage::ALL.into_iter().map(|stage| html! {
                                <option
                                    value={stage.as_str()}
                                    selected={stage == props.form.stage}
                                >
                                    { stage.label() }
                                </option>
                            }) }
                        </select>
                    </div>
                </div>
            </div>
            <div class="lead-form__actions">
                if let Some(name) = &props.just_added {
                    <p id="form-success" class="form-success" role="status">
                        <span class="form-success__icon" aria-hidden="true"></span>
                        { format!("Added {name}.") }
                    </p>
                } else {
                    <p class="lead-form__hint">
                        { "Press " }<kbd>{ "Enter" }</kbd>{ " to add" }
                    </p>
                }
                <button
                    id="lead-submit"
                    type="submit"
                    class={classes!("button", "button--primary", props.submitting.then_some("button--busy"))}
                    disabled={props.submitting}
                    aria-busy={props.submitting.then_some("true")}
                >
                    <span class="button__spinner" aria-hidden="true"></span>
                    { "Add lead" }
                </button>
            </div>
        </form>
    }
}

fn text_field(spec: &TextField, props: &LeadFormProps) -> Html {
    let field = spec.field;
    let value = match field {
        Field::Name => props.form.name.clone(),
        Field::Email => props.form.email.clone(),
        Field::Phone => props.form.phone.clone(),
    };
    let error = props.errors.get(field);
    let edit = move |value: String| match field {
        Field::Name => FormEdit::Name(value),
        Field::Email => FormEdit::Email(value),
        Field::Phone => FormEdit::Phone(value),
    };
    let oninput = props.on_edit.reform(move |event: InputEvent| {
        edit(event.target_unchecked_into::<HtmlInputElement>().value())
    });
    // Autofill, paste menus and automation may change a field without an `input` event.
    let onchange = props.on_edit.reform(move |event: Event| {
        edit(event.target_unchecked_into::<HtmlInputElement>().value())
    });
    html! {
        <div class={classes!("field", error.is_some().then_some("field--invalid"))}>
            <label class="field__label" for={field.input_id()}>
                { spec.label }
                if let Some(hint) = spec.hint {
                    <span class="field__hint">{ hint }</span>
                }
            </label>
            <input
                id={field.input_id()}
                name={field.key()}
                class="field__control"
                type={spec.input_type}
                inputmode={spec.input_mode}
                autocomplete="off"
                autocapitalize={if field == Field::Name { "words" } else { "off" }}
                spellcheck="false"
                autofocus={field == Field::Name}
                aria-required={spec.required.then_some("true")}
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then_some(field.error_id())}
                ref={props.refs.field(field).clone()}
                {value}
                {oninput}
                {onchange}
            />
            if let Some(message) = error {
                <p id={field.error_id()} class="field__error">{ message }</p>
            }
        </div>
    }
}

// Rendered on the host: `ServerRenderer` needs a native runtime (tokio).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use yew::ServerRenderer;

    /// Callbacks and node refs are not `Send`, so props are built on the renderer's thread
    /// from plain data.
    #[derive(Default)]
    struct Given {
        form: LeadInput,
        errors: FieldErrors,
        form_error: Option<String>,
        submitting: bool,
    }

    async fn render(given: Given) -> String {
        ServerRenderer::<LeadForm>::with_props(move || LeadFormProps {
            form: given.form,
            errors: given.errors,
            form_error: given.form_error,
            just_added: None,
            submitting: given.submitting,
            on_edit: Callback::noop(),
            on_submit: Callback::noop(),
            refs: FormRefs::default(),
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn fresh_form_has_every_control_the_tests_use() {
        let html = render(Given::default()).await;
        for id in [
            r#"id="lead-form""#,
            r#"id="lead-name""#,
            r#"id="lead-email""#,
            r#"id="lead-phone""#,
            r#"id="lead-stage""#,
            r#"id="lead-submit""#,
        ] {
            assert!(html.contains(id), "{id} missing in {html}");
        }
        assert!(html.contains("Add lead"));
        assert!(html.contains("autofocus"), "name field is autofocused");
        for stage in Stage::ALL {
            assert!(
                html.contains(&format!(r#"value="{}""#, stage.as_str())),
                "option {stage} missing"
            );
            assert!(html.contains(stage.label()));
        }
        assert!(!html.contains("aria-invalid"));
        assert!(!html.contains("form-error"));
        assert!(!html.contains("disabled"));
    }

    #[tokio::test]
    async fn rejected_fields_show_their_messages_and_keep_the_input() {
        let html = render(Given {
            form: LeadInput {
                name: String::new(),
                email: "nope".into(),
                phone: "555 0100".into(),
                stage: Stage::Offer,
            },
            errors: FieldErrors {
                name: Some("Enter a name.".into()),
                email: Some("Not an email address.".into()),
                phone: None,
            },
            ..Given::default()
        })
        .await;
        assert!(html.contains(r#"<p id="error-name" class="field__error">Enter a name.</p>"#));
        assert!(html.contains(r#"id="error-email""#));
        assert!(html.contains("Not an email address."));
        assert!(!html.contains("error-phone"));
        assert_eq!(html.matches(r#"aria-invalid="true""#).count(), 2);
        assert!(html.contains(r#"aria-describedby="error-email""#));
        assert!(html.contains(r#"value="nope""#), "typed email kept: {html}");
        assert!(html.contains(r#"value="555 0100""#));
    }

    #[tokio::test]
    async fn banner_and_busy_button() {
        let html = render(Given {
            form_error: Some("The disk is full.".into()),
            submitting: true,
            ..Given::default()
        })
        .await;
        assert!(html.contains(r#"id="form-error""#));
        assert!(html.contains("The disk is full."));
        assert!(html.contains("disabled"));
        assert!(html.contains(r#"aria-busy="true""#));
    }
}
