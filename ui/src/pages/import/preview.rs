//! The import dialog's check step: what each column becomes (a vCard has none to choose), what
//! stage and source values the app does not know become, the encoding the file is read in and
//! its first rows, and the choices for duplicates and bad rows.

use super::{banner, file_line};
use crate::state::format::{count, thousands};
use crate::state::import::{
    target_key, target_options, ImportAction, ImportState, ValueField, DEFAULT_SOURCE,
    DEFAULT_STAGE,
};
use fieldstone_model::{LeadSource, Stage};
use fieldstone_protocol::commands::ImportPreview;
use fieldstone_protocol::views::{DuplicatePolicy, ImportMode};
use yew::prelude::*;

/// Up to three values of column `column` from the sample rows, for recognising it.
fn examples(state: &ImportState, column: usize) -> String {
    let values: Vec<&str> = state
        .preview
        .iter()
        .flat_map(|p| p.sample.iter())
        .filter_map(|row| row.get(column).map(|v| v.trim()))
        .filter(|v| !v.is_empty())
        .take(3)
        .collect();
    if values.is_empty() {
        "Empty in the first rows".to_owned()
    } else {
        values.join(" · ")
    }
}

/// A `<select>`'s new value, sent as an action.
fn on_select(
    dispatcher: &UseReducerDispatcher<ImportState>,
    action: impl Fn(String) -> ImportAction + 'static,
) -> Callback<Event> {
    let dispatcher = dispatcher.clone();
    Callback::from(move |event: Event| {
        if let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() {
            dispatcher.dispatch(action(select.value()));
        }
    })
}

fn column_row(
    state: &ImportState,
    column: usize,
    header: &str,
    dispatcher: &UseReducerDispatcher<ImportState>,
) -> Html {
    let id = format!("import-column-{column}");
    let current = target_key(state.mapping.target(column));
    let onchange = on_select(dispatcher, move |key| ImportAction::SetTarget {
        column,
        key,
    });
    let name = if header.trim().is_empty() {
        format!("Column {}", column + 1)
    } else {
        header.to_owned()
    };
    let skipped = current == "skip";
    // Keyed by header: a file read again in another encoding may name its columns otherwise,
    // and a select must not keep the choice made for another column.
    html! {
        <li key={format!("{column}:{header}")} class={classes!("import-column", skipped.then_some("import-column--skipped"))}>
            <div class="import-column__head">
                <label for={id.clone()} class="import-column__name">{ name }</label>
                <span class="import-column__sample">{ examples(state, column) }</span>
            </div>
            <div class="select import-column__select">
                <select {id} class="field__control select__control" {onchange}>
                    for (group, options) in target_options(&state.mapping, column) {
                        if group.is_empty() {
                            for (key, words) in options {
                                <option selected={key == current} value={key.clone()}>{ words }</option>
                            }
                        } else {
                            <optgroup label={group}>
                                for (key, words) in options {
                                    <option selected={key == current} value={key.clone()}>{ words }</option>
                                }
                            </optgroup>
                        }
                    }
                </select>
            </div>
        </li>
    }
}

/// The choices an unknown value of `field` can become: `(key, words)`, the default said so.
fn value_options(field: ValueField) -> Vec<(&'static str, String)> {
    let words = |label: &str, default: bool| {
        if default {
            format!("{label} (default)")
        } else {
            label.to_owned()
        }
    };
    match field {
        ValueField::Stage => Stage::ALL
            .iter()
            .map(|s| (s.as_str(), words(s.label(), *s == DEFAULT_STAGE)))
            .collect(),
        ValueField::Source => LeadSource::ALL
            .iter()
            .map(|s| (s.as_str(), words(s.label(), *s == DEFAULT_SOURCE)))
            .collect(),
    }
}

/// One field's unknown values, each with what it becomes.
fn value_group(
    state: &ImportState,
    preview: &ImportPreview,
    field: ValueField,
    dispatcher: &UseReducerDispatcher<ImportState>,
) -> Html {
    let unknown = field.unknown(preview);
    if unknown.is_empty() {
        return Html::default();
    }
    let (name, title) = match field {
        ValueField::Stage => ("stage", "Stage"),
        ValueField::Source => ("source", "Lead source"),
    };
    let rows = |n: u64| {
        if state.vcard() {
            count(n, "card", "cards")
        } else {
            count(n, "row", "rows")
        }
    };
    html! {
        <div class="import-values__group">
            <h4 class="import-values__title">{ title }</h4>
            <ul id={format!("import-{name}-values")} class="import-columns import-values">
                for (i, listed) in unknown.values.iter().enumerate() {
                    {{
                        let id = format!("import-{name}-value-{i}");
                        let current = field.chosen(&state.values, &listed.value);
                        let value = listed.value.clone();
                        let onchange = on_select(dispatcher, move |key| ImportAction::SetValue {
                            field,
                            value: value.clone(),
                            key,
                        });
                        html! {
                            // Keyed by value: a re-read may list others, each with its own choice.
                            <li key={listed.value.clone()} class="import-column import-value">
                                <div class="import-column__head">
                                    <label for={id.clone()} class="import-column__name">{ listed.value.clone() }</label>
                                    <span class="import-column__sample">{ rows(listed.rows) }</span>
                                </div>
                                <div class="select import-column__select">
                                    <select {id} class="field__control select__control" {onchange}>
                                        for (key, words) in value_options(field) {
                                            <option selected={key == current} value={key}>{ words }</option>
                                        }
                                    </select>
                                </div>
                            </li>
                        }
                    }}
                }
            </ul>
            if unknown.more > 0 {
                <p class="import-hint">
                    { format!(
                        "{} more not listed: {} with them are left out and listed in the report.",
                        count(unknown.more, "value is", "values are"),
                        if state.vcard() { "cards" } else { "rows" },
                    ) }
                </p>
            }
        </div>
    }
}

fn values_section(
    state: &ImportState,
    preview: &ImportPreview,
    dispatcher: &UseReducerDispatcher<ImportState>,
) -> Html {
    if preview.unknown_stages.is_empty() && preview.unknown_sources.is_empty() {
        return Html::default();
    }
    html! {
        <section id="import-values" class="import-section" aria-labelledby="import-values-title">
            <h3 id="import-values-title" class="form-section__title">{ "Stages and sources to match" }</h3>
            <p class="import-hint">
                { "Fieldstone does not know these values. Rows with one are imported with what you choose here — the default unless you change it — rather than left out." }
            </p>
            { value_group(state, preview, ValueField::Stage, dispatcher) }
            { value_group(state, preview, ValueField::Source, dispatcher) }
        </section>
    }
}

/// "Read as …" and the encodings it could be read in instead.
fn encoding_row(preview: &ImportPreview, dispatcher: &UseReducerDispatcher<ImportState>) -> Html {
    if preview.encoding.is_empty() {
        return Html::default();
    }
    let onchange = on_select(dispatcher, ImportAction::Encoding);
    html! {
        <div class="import-encoding">
            // Said, so a file whose accents look wrong is recognised before it is imported.
            <p id="import-encoding" class="import-hint">{ format!("Read as {}.", preview.encoding) }</p>
            if !preview.encodings.is_empty() {
                <div class="import-column import-encoding__choice">
                    <label for="import-encoding-choice" class="import-column__name">{ "Letters look wrong? Read it as" }</label>
                    <div class="select import-column__select">
                        <select id="import-encoding-choice" class="field__control select__control" {onchange}>
                            for choice in preview.encodings.iter() {
                                <option selected={choice.label == preview.encoding_label} value={choice.label.clone()}>
                                    { choice.name.clone() }
                                </option>
                            }
                        </select>
                    </div>
                </div>
            }
        </div>
    }
}

/// "4 rows, all shown below." or "2,500 rows in all; the first 5 below."
fn rows_words(preview: &ImportPreview, total: &str) -> String {
    let shown = preview.sample.len() as u64;
    if shown >= preview.rows {
        let all = if preview.rows == 1 {
            "shown"
        } else {
            "all shown"
        };
        format!("{total}, {all} below.")
    } else {
        format!("{total} in all; the first {} below.", thousands(shown))
    }
}

fn sample_section(
    state: &ImportState,
    preview: &ImportPreview,
    dispatcher: &UseReducerDispatcher<ImportState>,
) -> Html {
    let widths = preview.headers.len();
    let (title, empty, total) = if state.vcard() {
        (
            "First contacts in the file",
            "The file has no cards: there is nothing to import.",
            count(preview.rows, "card", "cards"),
        )
    } else {
        (
            "First rows of the file",
            "The file has a header row but no rows under it: there is nothing to import.",
            count(preview.rows, "row", "rows"),
        )
    };
    html! {
        <section class="import-section" aria-labelledby="import-sample-title">
            <h3 id="import-sample-title" class="form-section__title">{ title }</h3>
            { encoding_row(preview, dispatcher) }
            if preview.sample.is_empty() {
                <p class="import-hint">{ empty }</p>
            } else {
                <p id="import-rows" class="import-hint">{ rows_words(preview, &total) }</p>
                // Wide files scroll sideways inside the dialog, not the page.
                <div class="import-sample" tabindex="0" role="region" aria-labelledby="import-sample-title">
                    <table id="import-sample" class="import-table">
                        <thead><tr>
                            for header in preview.headers.iter() { <th scope="col">{ header.clone() }</th> }
                        </tr></thead>
                        <tbody>
                            for row in preview.sample.iter() {
                                <tr>
                                    for i in 0..widths { <td>{ row.get(i).cloned().unwrap_or_default() }</td> }
                                </tr>
                            }
                        </tbody>
                    </table>
                </div>
            }
        </section>
    }
}

fn columns_section(
    state: &ImportState,
    preview: &ImportPreview,
    dispatcher: &UseReducerDispatcher<ImportState>,
) -> Html {
    if state.vcard() {
        return html! {
            <section class="import-section" aria-labelledby="import-columns-title">
                <h3 id="import-columns-title" class="form-section__title">{ "A vCard file" }</h3>
                <p id="import-vcard" class="import-hint">
                    { format!(
                        "{} from a phone or an address book. Names, emails, phones, companies, addresses, notes and groups come in as they are: there are no columns to choose.",
                        count(preview.rows, "contact", "contacts")
                    ) }
                </p>
            </section>
        };
    }
    html! {
        <section class="import-section" aria-labelledby="import-columns-title">
            <h3 id="import-columns-title" class="form-section__title">{ "Columns" }</h3>
            <p class="import-hint">{ "What each column of the file becomes. Columns set to “Skip” are left out." }</p>
            <ul id="import-columns" class="import-columns">
                for (column, header) in preview.headers.iter().enumerate() {
                    { column_row(state, column, header, dispatcher) }
                }
            </ul>
            if let Some(error) = &state.mapping_error {
                <p id="import-mapping-error" class="field__error" role="alert">{ error.clone() }</p>
            }
        </section>
    }
}

/// One radio choice with its consequence in a sentence.
fn choice(
    name: &str,
    id: &str,
    checked: bool,
    title: &str,
    text: &str,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label class={classes!("import-option", checked.then_some("import-option--on"))} for={id.to_owned()}>
            <input id={id.to_owned()} type="radio" name={name.to_owned()} {checked} {onchange} />
            <span class="import-option__body">
                <span class="import-option__title">{ title.to_owned() }</span>
                <span class="import-option__text">{ text.to_owned() }</span>
            </span>
        </label>
    }
}

pub(super) fn preview_step(
    state: &ImportState,
    dispatcher: &UseReducerDispatcher<ImportState>,
    room: Option<&fieldstone_protocol::commands::LeadRoom>,
    pick_another: Callback<MouseEvent>,
    on_close: Callback<()>,
) -> Html {
    let Some(preview) = &state.preview else {
        return Html::default();
    };
    let send = |action: ImportAction| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: Event| dispatcher.dispatch(action.clone()))
    };
    let start = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(ImportAction::Start))
    };
    let rows = if state.vcard() { "Cards" } else { "Rows" };
    let lead_warning = room.and_then(|room| room.warning(preview.rows));
    html! {
        <div class="import-preview">
            <div class="import-preview__file">
                { file_line(state) }
                <button type="button" class="button button--link" onclick={pick_another}>{ "Choose another file" }</button>
            </div>
            if let Some(error) = &state.error {
                { banner("import-error", error) }
            }
            if state.previewing {
                <p id="import-rereading" class="import-status" role="status">{ "Reading the file again…" }</p>
            }
            { columns_section(state, preview, dispatcher) }
            { values_section(state, preview, dispatcher) }
            { sample_section(state, preview, dispatcher) }
            <fieldset class="import-section import-choices">
                <legend class="form-section__title">{ "Contacts you already have" }</legend>
                { choice("import-duplicates", "import-duplicates-skip", state.duplicates == DuplicatePolicy::Skip,
                    "Skip them",
                    "A contact with the same email, phone or name as one you have (or as an earlier one in the file) is left out and listed in the report.",
                    send(ImportAction::Duplicates(DuplicatePolicy::Skip))) }
                { choice("import-duplicates", "import-duplicates-import", state.duplicates == DuplicatePolicy::Import,
                    "Import them anyway",
                    "They are added as new contacts and listed in the report, so you can merge them by hand.",
                    send(ImportAction::Duplicates(DuplicatePolicy::Import))) }
            </fieldset>
            <fieldset class="import-section import-choices">
                <legend class="form-section__title">{ format!("{rows} with a problem") }</legend>
                { choice("import-mode", "import-mode-keep", state.mode == ImportMode::KeepGood,
                    &format!("Keep the good {}", rows.to_lowercase()),
                    &format!(
                        "{rows} with a problem ({}) are left out and listed; every other one is imported.",
                        if state.vcard() {
                            "a bad email address, a card cut short"
                        } else {
                            "a bad email address, a budget that is not an amount"
                        }
                    ),
                    send(ImportAction::Mode(ImportMode::KeepGood))) }
                { choice("import-mode", "import-mode-all", state.mode == ImportMode::AllOrNothing,
                    "All or nothing",
                    &format!("If any {} has a problem, nothing is imported. Fix the file and import it again in one go.", if state.vcard() { "card" } else { "row" }),
                    send(ImportAction::Mode(ImportMode::AllOrNothing))) }
            </fieldset>
            if let Some(warning) = lead_warning {
                <div id="import-lead-cap" class="banner banner--warning banner--inline lead-cap" role="status">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ warning }</p>
                </div>
            }
            <div class="form__actions import-actions">
                <button type="button" class="button button--secondary" onclick={on_close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                <button id="import-start" type="button" class="button button--primary" disabled={!state.importable()} onclick={start}>
                    { "Import contacts" }
                </button>
            </div>
        </div>
    }
}
