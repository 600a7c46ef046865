//! Export (CSV or vCard of the contacts shown, or everything as JSON) and import (a CSV file,
//! uploaded in chunks, mapped, imported with progress) from the contact list's toolbar.

use super::import::ImportDialog;
use crate::components::icons::{icon, Icon};
use crate::services::commands;
use fieldstone_protocol::commands::{ExportFormat, ExportRequest};
use fieldstone_protocol::views::ContactQuery;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq, Properties)]
pub struct TransferButtonsProps {
    /// The contacts shown: what a CSV or vCard export writes.
    pub query: ContactQuery,
    /// An import added contacts.
    pub on_imported: Callback<()>,
}

/// What the last export did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exported {
    Running,
    Done(String),
    Failed(String),
}

#[component]
pub fn TransferButtons(props: &TransferButtonsProps) -> Html {
    let exported = use_state(|| None::<Exported>);
    let importing = use_state(|| false);
    let export = |format: ExportFormat| {
        let exported = exported.clone();
        let query = props.query.clone();
        Callback::from(move |_: MouseEvent| {
            let exported = exported.clone();
            let request = ExportRequest {
                format,
                query: (format != ExportFormat::Json).then(|| ContactQuery {
                    after: None,
                    ..query.clone()
                }),
            };
            exported.set(Some(Exported::Running));
            spawn_local(async move {
                exported.set(Some(match commands::export(&request).await {
                    Ok(done) => Exported::Done(format!(
                        "Exported {} to {}",
                        crate::state::format::count(done.records, "record", "records"),
                        done.path
                    )),
                    Err(error) => Exported::Failed(error.message),
                }));
            });
        })
    };
    let dismiss = {
        let exported = exported.clone();
        Callback::from(move |_: MouseEvent| exported.set(None))
    };
    let open_import = {
        let importing = importing.clone();
        Callback::from(move |_: MouseEvent| importing.set(true))
    };
    let close_import = {
        let (importing, on_imported) = (importing.clone(), props.on_imported.clone());
        Callback::from(move |changed: bool| {
            importing.set(false);
            if changed {
                on_imported.emit(());
            }
        })
    };
    html! {
        <div class="transfer">
            <button id="import-button" type="button" class="button button--secondary" onclick={open_import}>
                { icon(Icon::Upload) }<span class="toolbar__label">{ "Import" }</span>
            </button>
            <details class="menu">
                <summary id="export-button" class="button button--secondary">
                    { icon(Icon::Download) }<span class="toolbar__label">{ "Export" }</span>
                </summary>
                <div class="menu__panel" role="menu">
                    <button id="export-csv" type="button" role="menuitem" class="menu__item" onclick={export(ExportFormat::Csv)}>
                        { "Contacts shown, as CSV" }
                    </button>
                    <button id="export-vcard" type="button" role="menuitem" class="menu__item" onclick={export(ExportFormat::Vcard)}>
                        { "Contacts shown, as vCard" }
                    </button>
                    <button id="export-json" type="button" role="menuitem" class="menu__item" onclick={export(ExportFormat::Json)}>
                        { "Everything, as JSON" }
                    </button>
                </div>
            </details>
            if *importing {
                <ImportDialog on_close={close_import} />
            }
            if let Some(state) = &*exported {
                <div id="export-status" class={classes!("toast", matches!(state, Exported::Failed(_)).then_some("toast--error"))} role="status">
                    <span class="toast__text">
                        { match state {
                            Exported::Running => "Exporting…".to_owned(),
                            Exported::Done(text) | Exported::Failed(text) => text.clone(),
                        } }
                    </span>
                    <button type="button" class="icon-button" aria-label="Dismiss" onclick={dismiss}>{ icon(Icon::Close) }</button>
                </div>
            }
        </div>
    }
}
