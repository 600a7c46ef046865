//! The inputs of a contact form, for the quick dialog or the full editor. Every input's id is
//! `{prefix}-{path}` with dots and underscores as dashes (`contact-emails-0-address`), and its
//! message's id the same plus `-error`.

use super::field::{choice_options, stage_options, SelectField, TextField};
use super::icons::{icon, Icon};
use crate::state::contact_draft::{ContactDraft, DraftEdit};
use crate::state::contact_form::FormScope;
use crate::state::form::{input_id, FormErrors};
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Choice, ConsentChannel, ConsentStatus, ContactKind, ContactLabel, LeadSource, Priority,
    PropertyType,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ContactFieldsProps {
    pub scope: FormScope,
    /// Element id prefix, unique on the screen (`new-contact`, `contact`).
    pub prefix: AttrValue,
    pub draft: ContactDraft,
    pub errors: FormErrors,
    /// When a consent answer changed "now" is recorded with it.
    pub now: DateTime<Utc>,
    pub on_edit: Callback<DraftEdit>,
    /// Fields with concurrent values: a marker next to the label opens the chooser.
    #[prop_or_default]
    pub conflicts: Vec<String>,
    #[prop_or_default]
    pub on_conflict: Callback<String>,
}

struct Ctx<'a> {
    props: &'a ContactFieldsProps,
}

impl Ctx<'_> {
    fn id(&self, path: &str) -> String {
        input_id(&self.props.prefix, path)
    }

    fn error(&self, path: &str) -> Option<AttrValue> {
        self.props
            .errors
            .get(path)
            .map(|message| AttrValue::from(message.to_owned()))
    }

    fn setter(&self, path: &str) -> Callback<String> {
        let path = path.to_owned();
        self.props
            .on_edit
            .reform(move |value| DraftEdit::Set(path.clone(), value))
    }

    fn marker(&self, path: &str) -> Html {
        if !self.props.conflicts.iter().any(|field| field == path) {
            return Html::default();
        }
        let field = path.to_owned();
        let onclick = self
            .props
            .on_conflict
            .reform(move |_: MouseEvent| field.clone());
        html! {
            <button
                type="button"
                class="conflict-marker"
                data-field={path.to_owned()}
                title="Two devices changed this at the same time: choose the value to keep."
                {onclick}
            >
                { icon(Icon::Warning) }
                { "Two values" }
            </button>
        }
    }

    /// Comma-separated items, with an example as the placeholder.
    fn list(&self, path: &str, label: &str, example: &'static str) -> Html {
        html! {
            <TextField
                id={self.id(path)}
                label={label.to_owned()}
                value={self.props.draft.value(path)}
                error={self.error(path)}
                placeholder={Some(AttrValue::Static(example))}
                on_input={self.setter(path)}
            />
        }
    }

    fn text(
        &self,
        path: &str,
        label: &str,
        kind: &'static str,
        hint: Option<&'static str>,
    ) -> Html {
        html! {
            <div class="field-wrap">
                { self.marker(path) }
                <TextField
                    id={self.id(path)}
                    label={label.to_owned()}
                    value={self.props.draft.value(path)}
                    error={self.error(path)}
                    input_type={kind}
                    input_mode={match kind { "tel" => Some("tel"), "email" => Some("email"), _ => None }.map(AttrValue::Static)}
                    hint={hint.map(AttrValue::Static)}
                    on_input={self.setter(path)}
                />
            </div>
        }
    }

    fn number(&self, path: &str, label: &str, hint: Option<&'static str>) -> Html {
        html! {
            <TextField
                id={self.id(path)}
                label={label.to_owned()}
                value={self.props.draft.value(path)}
                error={self.error(path)}
                input_mode={Some(AttrValue::Static("decimal"))}
                hint={hint.map(AttrValue::Static)}
                on_input={self.setter(path)}
            />
        }
    }

    fn choice<T: Choice>(&self, path: &str, label: &str, value: T) -> Html {
        html! {
            <div class="field-wrap">
                { self.marker(path) }
                <SelectField
                    id={self.id(path)}
                    label={label.to_owned()}
                    value={value.as_str()}
                    options={choice_options::<T>()}
                    error={self.error(path)}
                    on_change={self.setter(path)}
                />
            </div>
        }
    }

    fn stage(&self) -> Html {
        html! {
            <div class="field-wrap">
                { self.marker("stage") }
                <SelectField
                    id={self.id("stage")}
                    label="Stage"
                    value={self.props.draft.stage.as_str()}
                    options={stage_options()}
                    error={self.error("stage")}
                    on_change={self.setter("stage")}
                />
            </div>
        }
    }

    /// An email or phone row: value, label, primary, remove.
    fn channel_row(&self, list: &'static str, i: usize, many: bool) -> Html {
        let (value_key, label, kind, primary, rows) = if list == "emails" {
            (
                "address",
                "Email",
                "email",
                self.props.draft.primary_email,
                &self.props.draft.emails,
            )
        } else {
            (
                "number",
                "Phone",
                "tel",
                self.props.draft.primary_phone,
                &self.props.draft.phones,
            )
        };
        let path = format!("{list}.{i}.{value_key}");
        let label_path = format!("{list}.{i}.label");
        let current = rows.get(i).map_or(ContactLabel::Other, |row| row.label);
        let on_label = {
            let label_path = label_path.clone();
            self.props.on_edit.reform(move |event: Event| {
                DraftEdit::Set(
                    label_path.clone(),
                    event.target_unchecked_into::<HtmlSelectElement>().value(),
                )
            })
        };
        let on_primary = {
            let path = format!("{list}.{i}.primary");
            self.props
                .on_edit
                .reform(move |_: MouseEvent| DraftEdit::Set(path.clone(), String::new()))
        };
        let on_remove = self.props.on_edit.reform(move |_: MouseEvent| {
            if list == "emails" {
                DraftEdit::RemoveEmail(i)
            } else {
                DraftEdit::RemovePhone(i)
            }
        });
        html! {
            <div class="channel-row">
                { self.text(&path, if i == 0 { label } else { "" }, kind, None) }
                <div class="channel-row__tools">
                    <select
                        class="mini-select"
                        aria-label={format!("{label} {} label", i + 1)}
                        onchange={on_label}
                    >
                        for choice in ContactLabel::ALL {
                            <option value={choice.as_str()} selected={choice == current}>{ choice.label() }</option>
                        }
                    </select>
                    if many {
                        <button
                            type="button"
                            class={classes!("chip", "chip--small", (i == primary).then_some("chip--on"))}
                            aria-pressed={(i == primary).to_string()}
                            onclick={on_primary}
                        >
                            { "Primary" }
                        </button>
                        <button type="button" class="icon-button" aria-label={format!("Remove {label} {}", i + 1)} onclick={on_remove}>
                            { icon(Icon::Close) }
                        </button>
                    }
                </div>
            </div>
        }
    }

    fn channels(&self, list: &'static str) -> Html {
        let count = if list == "emails" {
            self.props.draft.emails.len()
        } else {
            self.props.draft.phones.len()
        };
        let add = self.props.on_edit.reform(move |_: MouseEvent| {
            if list == "emails" {
                DraftEdit::AddEmail
            } else {
                DraftEdit::AddPhone
            }
        });
        html! {
            <div class="channel-list">
                for i in 0..count {
                    { self.channel_row(list, i, count > 1) }
                }
                <button type="button" class="button button--link" onclick={add}>
                    { icon(Icon::Plus) }
                    { if list == "emails" { "Add an email" } else { "Add a phone" } }
                </button>
            </div>
        }
    }

    fn consent(&self, channel: ConsentChannel) -> Html {
        let consent = self.props.draft.consent.get(channel).clone();
        let now = self.props.now;
        let path = format!("consent.{}.source", channel.as_str());
        let on_status = self.props.on_edit.reform(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            let status = ConsentStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == value)
                .unwrap_or_default();
            DraftEdit::Consent(channel, status, now)
        });
        let select_id = self.id(&format!("consent.{}.status", channel.as_str()));
        html! {
            <div class="consent-row">
                <div class="field">
                    <label class="field__label" for={select_id.clone()}>{ channel.label() }</label>
                    <div class="select">
                        <select id={select_id} class="field__control select__control" onchange={on_status}>
                            for status in ConsentStatus::ALL {
                                <option value={status.as_str()} selected={status == consent.status}>{ status.label() }</option>
                            }
                        </select>
                    </div>
                </div>
                if consent.status != ConsentStatus::Unknown {
                    <TextField
                        id={self.id(&path)}
                        label="Where it was given"
                        value={self.props.draft.value(&path)}
                        error={self.error(&path)}
                        placeholder={Some(AttrValue::Static("Open house sign-in sheet"))}
                        on_input={self.setter(&path)}
                    />
                }
            </div>
        }
    }

    fn property_types(&self) -> Html {
        html! {
            <fieldset class="chip-set">
                <legend class="field__label">{ "Property types" }</legend>
                for kind in PropertyType::ALL {
                    <button
                        type="button"
                        class={classes!("chip", self.props.draft.property_types.contains(&kind).then_some("chip--on"))}
                        aria-pressed={self.props.draft.property_types.contains(&kind).to_string()}
                        onclick={self.props.on_edit.reform(move |_: MouseEvent| DraftEdit::TogglePropertyType(kind))}
                    >
                        { kind.label() }
                    </button>
                }
                if let Some(message) = self.error("preferences.property_types") {
                    <p class="field__error">{ message }</p>
                }
            </fieldset>
        }
    }
}

#[component]
pub fn ContactFields(props: &ContactFieldsProps) -> Html {
    let ctx = Ctx { props };
    let draft = &props.draft;
    match props.scope {
        FormScope::Quick => html! {
            <div class="form-grid">
                { ctx.text("given_name", "Given name", "text", None) }
                { ctx.text("family_name", "Family name", "text", None) }
                { ctx.text("emails.0.address", "Email", "email", Some("optional")) }
                { ctx.text("phones.0.number", "Phone", "tel", Some("optional")) }
                { ctx.stage() }
                { ctx.choice("kind", "Looking to", draft.kind) }
                { ctx.choice("source", "Source", draft.source) }
                { ctx.list("tags", "Tags", "vip, first-time buyer") }
            </div>
        },
        FormScope::Full => html! {
            <>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Name and reach" }</h3>
                    <div class="form-grid">
                        { ctx.text("given_name", "Given name", "text", None) }
                        { ctx.text("family_name", "Family name", "text", None) }
                        { ctx.choice::<ContactKind>("kind", "Looking to", draft.kind) }
                        { ctx.choice::<Priority>("priority", "Priority", draft.priority) }
                    </div>
                    <div class="form-grid">
                        { ctx.channels("emails") }
                        { ctx.channels("phones") }
                        { ctx.text("instagram", "Instagram", "text", Some("handle")) }
                        { ctx.text("whatsapp", "WhatsApp", "tel", Some("+ country code")) }
                    </div>
                </section>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Pipeline" }</h3>
                    <div class="form-grid">
                        { ctx.stage() }
                        { ctx.choice::<LeadSource>("source", "Source", draft.source) }
                        { ctx.text("source_detail", "Source detail", "text", Some("optional")) }
                        { ctx.list("tags", "Tags", "vip, first-time buyer") }
                    </div>
                </section>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Looking for" }</h3>
                    <div class="form-grid">
                        { ctx.number("preferences.budget_min", "Budget from", None) }
                        { ctx.number("preferences.budget_max", "Budget up to", None) }
                        { ctx.number("preferences.bedrooms_min", "Bedrooms", Some("at least")) }
                        { ctx.number("preferences.bathrooms_min", "Bathrooms", Some("at least")) }
                        { ctx.text("preferences.move_in", "Move in by", "date", None) }
                        { ctx.list("preferences.areas", "Areas", "Islington, Hackney") }
                        { ctx.list("preferences.must_haves", "Must-haves", "garden, parking") }
                    </div>
                    { ctx.property_types() }
                </section>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Consent to be contacted" }</h3>
                    <div class="consent-grid">
                        for channel in ConsentChannel::ALL {
                            { ctx.consent(channel) }
                        }
                    </div>
                </section>
            </>
        },
    }
}
