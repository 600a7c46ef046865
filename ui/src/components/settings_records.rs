//! Settings' "Records on this device": whose records are shown (and whether they sync), which
//! accounts' records are kept apart, and what the last sign-in did to them.

use crate::state::records::{apart_lines, shown_sentence};
use fieldstone_protocol::commands::DeviceRecords;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct RecordsSectionProps {
    pub records: Option<DeviceRecords>,
    pub error: Option<String>,
}

#[component]
pub fn RecordsSection(props: &RecordsSectionProps) -> Html {
    let Some(records) = &props.records else {
        return match &props.error {
            Some(error) => html! {
                <p id="records-error" class="field__error" role="alert">
                    { format!("Couldn't read whose records this device shows: {error}") }
                </p>
            },
            None => html! {},
        };
    };
    let shown = records
        .shown
        .as_ref()
        .map_or_else(|| "this device".to_owned(), |a| a.org_name.clone());
    html! {
        <section id="device-records" class="settings-records" data-shown={shown} aria-labelledby="device-records-title">
            <h3 id="device-records-title" class="settings-subtitle">{ "Records on this device" }</h3>
            if let Some(note) = &records.note {
                <p id="records-note" class="settings-note settings-note--success" role="status">
                    <span class="form-success__icon" aria-hidden="true"></span>{ note }
                </p>
            }
            <p id="records-shown" class="settings-records__shown">{ shown_sentence(records) }</p>
            if !records.apart.is_empty() {
                <div class="settings-records__apart">
                    <p class="settings-muted">
                        { "Also kept here, apart: not shown and not synced until you sign in to that account again." }
                    </p>
                    <ul id="records-apart" class="settings-records__list">
                        for line in apart_lines(records) {
                            <li key={line.clone()}>{ line }</li>
                        }
                    </ul>
                </div>
            }
        </section>
    }
}
