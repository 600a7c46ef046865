//! Settings' smaller cards: this device's name, exporting everything (where the file went,
//! shown so it can be found), and what the app is.

use super::field::TextField;
use super::icons::{icon, Icon};
use crate::state::format::count;
use crate::state::settings::{file_size, DeviceForm, ExportRun, SettingsAction, DEVICE_NAME_INPUT};
use fieldstone_protocol::commands::{About, ExportFormat};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DeviceCardProps {
    pub form: DeviceForm,
    pub signed_in: bool,
    pub dispatch: Callback<SettingsAction>,
}

#[component]
pub fn DeviceCard(props: &DeviceCardProps) -> Html {
    let form = &props.form;
    let onsubmit = props.dispatch.reform(|event: SubmitEvent| {
        event.prevent_default();
        SettingsAction::SaveDeviceName
    });
    let hint = if props.signed_in {
        "How this device is listed in your organisation. A new name is used the next time it signs in."
    } else {
        "How this device will be listed in your organisation once you sign in."
    };
    html! {
        <section id="settings-device" class="card settings-card" aria-labelledby="settings-device-title">
            <h2 id="settings-device-title" class="settings-card__title">{ icon(Icon::Phone) }{ "This device" }</h2>
            <form id="device-form" class="form settings-device" novalidate=true {onsubmit}>
                <TextField
                    id={DEVICE_NAME_INPUT}
                    label="Device name"
                    value={form.value().to_owned()}
                    error={form.error().map(|e| AttrValue::from(e.to_owned()))}
                    placeholder={AttrValue::Static("e.g. Ada's laptop")}
                    on_input={props.dispatch.reform(SettingsAction::EditDeviceName)}
                />
                <p class="settings-fineprint">{ hint }</p>
                <div class="settings-actions">
                    if form.shows_saved() {
                        <span id="device-name-saved" class="form-success" role="status">
                            <span class="form-success__icon" aria-hidden="true"></span>{ "Saved" }
                        </span>
                    }
                    <button
                        id="device-name-save"
                        type="submit"
                        class={classes!("button", "button--secondary", form.submitting.then_some("button--busy"))}
                        disabled={form.submitting || !form.dirty}
                    >
                        { if form.submitting { "Saving…" } else { "Save name" } }
                    </button>
                </div>
            </form>
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ExportCardProps {
    pub run: ExportRun,
    pub dispatch: Callback<SettingsAction>,
}

#[component]
pub fn ExportCard(props: &ExportCardProps) -> Html {
    let running = matches!(props.run, ExportRun::Running(_));
    let export = |format: ExportFormat| {
        props
            .dispatch
            .reform(move |_: MouseEvent| SettingsAction::Export(format))
    };
    let busy = |format: ExportFormat| props.run == ExportRun::Running(format);
    let dismiss = props
        .dispatch
        .reform(|_: MouseEvent| SettingsAction::DismissExport);
    html! {
        <section id="settings-export" class="card settings-card" aria-labelledby="settings-export-title">
            <h2 id="settings-export-title" class="settings-card__title">{ icon(Icon::Download) }{ "Export" }</h2>
            <p class="settings-muted">
                { "A copy of everything on this device — contacts, notes, calls, tasks, bookings and listings — as one JSON file. It goes to your Downloads folder (on phones, the app's own folder)." }
            </p>
            <button
                id="export-everything"
                type="button"
                class={classes!("button", "button--primary", "settings-export__main", busy(ExportFormat::Json).then_some("button--busy"))}
                onclick={export(ExportFormat::Json)}
                disabled={running}
            >
                <span class="button__spinner" aria-hidden="true"></span>
                { if busy(ExportFormat::Json) { "Exporting…" } else { "Export everything" } }
            </button>
            <div class="settings-export__more">
                <span class="settings-muted">{ "Contacts only:" }</span>
                <button id="export-all-csv" type="button" class={classes!("button", "button--secondary", "button--small", busy(ExportFormat::Csv).then_some("button--busy"))} onclick={export(ExportFormat::Csv)} disabled={running}>
                    { "CSV" }
                </button>
                <button id="export-all-vcard" type="button" class={classes!("button", "button--secondary", "button--small", busy(ExportFormat::Vcard).then_some("button--busy"))} onclick={export(ExportFormat::Vcard)} disabled={running}>
                    { "vCard" }
                </button>
            </div>
            { match &props.run {
                ExportRun::Idle => html! {},
                ExportRun::Running(_) => html! {
                    <p id="export-result" class="settings-note" role="status">{ "Writing the file…" }</p>
                },
                ExportRun::Done(format, done) => {
                    let what = match format {
                        ExportFormat::Json => count(done.records, "record", "records"),
                        ExportFormat::Csv | ExportFormat::Vcard => count(done.records, "contact", "contacts"),
                    };
                    html! {
                        <div id="export-result" class="settings-note settings-note--success settings-export__done" role="status">
                            <span class="form-success__icon" aria-hidden="true"></span>
                            <div class="settings-export__text">
                                <p>{ format!("Exported {what} ({}) to", file_size(done.bytes)) }</p>
                                <code id="export-path" class="settings-path">{ &done.path }</code>
                            </div>
                            <button type="button" class="icon-button" aria-label="Dismiss" onclick={dismiss}>{ icon(Icon::Close) }</button>
                        </div>
                    }
                }
                ExportRun::Failed(message) => html! {
                    <div id="export-result" class="banner banner--error banner--inline" role="alert">
                        <span class="banner__icon" aria-hidden="true"></span>
                        <p class="banner__text">{ format!("Nothing was exported: {message}") }</p>
                        <button type="button" class="icon-button" aria-label="Dismiss" onclick={dismiss}>{ icon(Icon::Close) }</button>
                    </div>
                },
            } }
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct AboutCardProps {
    pub about: Option<Result<About, String>>,
}

#[component]
pub fn AboutCard(props: &AboutCardProps) -> Html {
    html! {
        <section id="about" class="card settings-card" aria-labelledby="about-title">
            <h2 id="about-title" class="settings-card__title">{ icon(Icon::Settings) }{ "About Fieldstone" }</h2>
            { match &props.about {
                None => html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
                Some(Err(message)) => html! { <p class="field__error" role="alert">{ message }</p> },
                Some(Ok(about)) => html! {
                    <dl class="settings-facts settings-facts--compact">
                        <div class="settings-facts__row">
                            <dt>{ "Version" }</dt>
                            <dd id="about-version">{ &about.app_version }</dd>
                        </div>
                        <div class="settings-facts__row">
                            <dt>{ "Sync protocol" }</dt>
                            <dd id="about-protocol">{ about.protocol_version }</dd>
                        </div>
                        <div class="settings-facts__row">
                            <dt>{ "Database" }</dt>
                            <dd id="about-schema">{ format!("schema {}", about.database_schema) }</dd>
                        </div>
                        <div class="settings-facts__row">
                            <dt>{ "Data folder" }</dt>
                            <dd id="about-data-dir" class="settings-facts__mono">{ &about.data_dir }</dd>
                        </div>
                    </dl>
                },
            } }
        </section>
    }
}
