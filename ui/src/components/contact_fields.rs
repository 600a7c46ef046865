//! The inputs of a contact form, for the quick dialog or the full editor. Every input is named
//! by its [`ContactField`]; its id is `{prefix}-{path}` with dots and underscores as dashes
//! (`contact-emails-0-address`), and its message's id the same plus `-error`.

use super::custom_fields::CustomFieldsEditor;
use super::field::{choice_options, stage_options, SelectField, TextField};
use super::icons::{icon, Icon};
use crate::state::contact_draft::{ContactDraft, DraftEdit};
use crate::state::contact_field::{ContactField, RowPart};
use crate::state::contact_form::FormScope;
use crate::state::form::{FieldPath, FormErrors};
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
    fn id(&self, field: ContactField) -> String {
        field.input_id(&self.props.prefix)
    }

    fn error(&self, field: ContactField) -> Option<AttrValue> {
        self.props
            .errors
            .of(field)
            .map(|message| AttrValue::from(message.to_owned()))
    }

    fn setter(&self, field: ContactField) -> Callback<String> {
        self.props
            .on_edit
            .reform(move |value| DraftEdit::Set(field, value))
    }

    fn marker(&self, field: ContactField) -> Html {
        let path = field.path();
        if !self.props.conflicts.contains(&path) {
            return Html::default();
        }
        let field = path.clone();
        let onclick = self
            .props
            .on_conflict
            .reform(move |_: MouseEvent| field.clone());
        html! {
            <button
                type="button"
                class="conflict-marker"
                data-field={path}
                title="Two devices changed this at the same time: choose the value to keep."
                {onclick}
            >
                { icon(Icon::Warning) }
                { "Two values" }
            </button>
        }
    }

    /// Comma-separated items, with an example as the placeholder.
    fn list(&self, path: ContactField, label: &str, example: &'static str) -> Html {
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
        path: ContactField,
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

    fn number(&self, path: ContactField, label: &str, hint: Option<&'static str>) -> Html {
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

    fn choice<T: Choice>(&self, path: ContactField, label: &str, value: T) -> Html {
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
                { self.marker(ContactField::Stage) }
                <SelectField
                    id={self.id(ContactField::Stage)}
                    label="Stage"
                    value={self.props.draft.stage.as_str()}
                    options={stage_options()}
                    error={self.error(ContactField::Stage)}
                    on_change={self.setter(ContactField::Stage)}
                />
            </div>
        }
    }

    /// An email or phone row: value, label, primary, remove.
    fn channel_row(&self, emails: bool, i: usize, many: bool) -> Html {
        let draft = &self.props.draft;
        let (field, label, kind, primary, rows): (fn(usize, RowPart) -> ContactField, _, _, _, _) =
            if emails {
                (
                    ContactField::Email,
                    "Email",
                    "email",
                    draft.primary_email,
                    &draft.emails,
                )
            } else {
                (
                    ContactField::Phone,
                    "Phone",
                    "tel",
                    draft.primary_phone,
                    &draft.phones,
                )
            };
        let current = rows.get(i).map_or(ContactLabel::Other, |row| row.label);
        let on_label = self.props.on_edit.reform(move |event: Event| {
            DraftEdit::Set(
                field(i, RowPart::Label),
                event.target_unchecked_into::<HtmlSelectElement>().value(),
            )
        });
        let on_primary = self
            .props
            .on_edit
            .reform(move |_: MouseEvent| DraftEdit::Set(field(i, RowPart::Primary), String::new()));
        let on_remove = self.props.on_edit.reform(move |_: MouseEvent| {
            if emails {
                DraftEdit::RemoveEmail(i)
            } else {
                DraftEdit::RemovePhone(i)
            }
        });
        html! {
            <div class="channel-row">
                { self.text(field(i, RowPart::Value), if i == 0 { label } else { "" }, kind, None) }
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

    fn channels(&self, emails: bool) -> Html {
        let count = if emails {
            self.props.draft.emails.len()
        } else {
            self.props.draft.phones.len()
        };
        let add = self.props.on_edit.reform(move |_: MouseEvent| {
            if emails {
                DraftEdit::AddEmail
            } else {
                DraftEdit::AddPhone
            }
        });
        html! {
            <div class="channel-list">
                for i in 0..count {
                    { self.channel_row(emails, i, count > 1) }
                }
                <button type="button" class="button button--link" onclick={add}>
                    { icon(Icon::Plus) }
                    { if emails { "Add an email" } else { "Add a phone" } }
                </button>
            </div>
        }
    }

    fn consent(&self, channel: ConsentChannel) -> Html {
        let consent = self.props.draft.consent.get(channel).clone();
        let now = self.props.now;
        let path = ContactField::ConsentSource(channel);
        let on_status = self.props.on_edit.reform(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            let status = ConsentStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == value)
                .unwrap_or_default();
            DraftEdit::Consent(channel, status, now)
        });
        let select_id = self.id(ContactField::ConsentStatus(channel));
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
                        id={self.id(path)}
                        label="Where it was given"
                        value={self.props.draft.value(path)}
                        error={self.error(path)}
                        placeholder={Some(AttrValue::Static("Open house sign-in sheet"))}
                        on_input={self.setter(path)}
                    />
                }
            </div>
        }
    }

    fn custom(&self) -> Html {
        html! {
            <CustomFieldsEditor
                prefix={self.props.prefix.clone()}
                rows={self.props.draft.custom_fields.clone()}
                errors={self.props.errors.clone()}
                on_edit={self.props.on_edit.clone()}
            />
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
                if let Some(message) = self.error(ContactField::PropertyTypes) {
                    <p class="field__error">{ message }</p>
                }
            </fieldset>
        }
    }
}

#[component]
pub fn ContactFields(props: &ContactFieldsProps) -> Html {
    use ContactField as F;
    let ctx = Ctx { props };
    let draft = &props.draft;
    match props.scope {
        FormScope::Quick => html! {
            <>
            <div class="form-grid">
                { ctx.text(F::GivenName, "Given name", "text", None) }
                { ctx.text(F::FamilyName, "Family name", "text", None) }
                { ctx.text(F::Email(0, RowPart::Value), "Email", "email", Some("optional")) }
                { ctx.text(F::Phone(0, RowPart::Value), "Phone", "tel", Some("optional")) }
                { ctx.stage() }
                { ctx.choice(F::Kind, "Looking to", draft.kind) }
                { ctx.choice(F::Source, "Source", draft.source) }
                { ctx.list(F::Tags, "Tags", "vip, first-time buyer") }
            </div>
            { ctx.custom() }
            </>
        },
        FormScope::Full => html! {
            <>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Name and reach" }</h3>
                    <div class="form-grid">
                        { ctx.text(F::GivenName, "Given name", "text", None) }
                        { ctx.text(F::FamilyName, "Family name", "text", None) }
                        { ctx.choice::<ContactKind>(F::Kind, "Looking to", draft.kind) }
                        { ctx.choice::<Priority>(F::Priority, "Priority", draft.priority) }
                    </div>
                    <div class="form-grid">
                        { ctx.channels(true) }
                        { ctx.channels(false) }
                        { ctx.text(F::Instagram, "Instagram", "text", Some("handle")) }
                        { ctx.text(F::Whatsapp, "WhatsApp", "tel", Some("+ country code")) }
                        { ctx.text(F::TimeZone, "Time zone", "text", Some("theirs, if not yours")) }
                    </div>
                </section>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Pipeline" }</h3>
                    <div class="form-grid">
                        { ctx.stage() }
                        { ctx.choice::<LeadSource>(F::Source, "Source", draft.source) }
                        { ctx.text(F::SourceDetail, "Source detail", "text", Some("optional")) }
                        { ctx.list(F::Tags, "Tags", "vip, first-time buyer") }
                    </div>
                </section>
                <section class="form-section">
                    <h3 class="form-section__title">{ "Looking for" }</h3>
                    <div class="form-grid">
                        { ctx.number(F::BudgetMin, "Budget from", None) }
                        { ctx.number(F::BudgetMax, "Budget up to", None) }
                        { ctx.number(F::BedroomsMin, "Bedrooms", Some("at least")) }
                        { ctx.number(F::BathroomsMin, "Bathrooms", Some("at least")) }
                        { ctx.text(F::MoveIn, "Move in by", "date", None) }
                        { ctx.list(F::Areas, "Areas", "Islington, Hackney") }
                        { ctx.list(F::MustHaves, "Must-haves", "garden, parking") }
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
                { ctx.custom() }
            </>
        },
    }
}
