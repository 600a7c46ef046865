//! The contact import dialog, opened from the Contacts toolbar: pick a CSV or vCard file, watch
//! it upload, check what each column becomes (and the encoding, and what unknown stages and
//! sources become: [`preview`]), choose what happens to duplicates and bad rows, import with a
//! progress bar fed by the shell's events, then read the report. The rules live in
//! [`ImportState`]; this runs the uploads and commands it asks for.

mod preview;

use crate::components::dialog::Dialog;
use crate::components::icons::{icon, Icon};
use crate::services::bridge::Subscription;
use crate::services::{commands, files, platform};
use crate::state::format::{count, thousands};
use crate::state::import::{
    refuse_file, size_words, ImportAction, ImportState, Step, CHUNK_BYTES, FILE_ACCEPT,
    FILE_MAX_BYTES, ROWS_SHOWN,
};
use fieldstone_protocol::commands::{LeadRoom, PreviewRequest};
use fieldstone_protocol::views::{DuplicateOf, DuplicatePolicy, ImportFormat, ImportReport};
use preview::preview_step;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ImportDialogProps {
    /// Closed; `true` when contacts were added, so the list reloads.
    pub on_close: Callback<bool>,
}

#[component]
pub fn ImportDialog(props: &ImportDialogProps) -> Html {
    let state = use_reducer(ImportState::default);
    // The current pick: an upload whose pick is no longer current stops after its chunk.
    let pick = use_mut_ref(|| 0_u64);
    // Read by the Escape listener, which outlives renders.
    let closable = use_memo((), |()| Cell::new(true));
    let changed = use_memo((), |()| Cell::new(false));
    closable.set(state.closable());
    changed.set(state.changed_contacts());
    // The plan's room for leads, for the warning before importing past it (see new_contact).
    let room = use_state(|| None::<LeadRoom>);
    {
        let room = room.setter();
        use_effect_with((), move |()| {
            spawn_local(async move {
                if let Ok(answer) = commands::lead_room().await {
                    room.set(Some(answer));
                }
            });
        });
    }

    // Progress events, for as long as the dialog is open.
    {
        let dispatcher = state.dispatcher();
        let pick = pick.clone();
        use_effect_with((), move |()| {
            let held: Rc<RefCell<Option<Subscription>>> = Rc::default();
            let open = Rc::new(Cell::new(true));
            {
                let (held, open) = (held.clone(), open.clone());
                spawn_local(async move {
                    let subscribed = commands::on_import_progress(move |event| {
                        dispatcher.dispatch(ImportAction::Progress(event));
                    })
                    .await;
                    // Dropped at once if the dialog closed while subscribing. Without events
                    // the bar stays indeterminate; the report still comes.
                    if let (Ok(subscription), true) = (subscribed, open.get()) {
                        *held.borrow_mut() = Some(subscription);
                    }
                });
            }
            move || {
                open.set(false);
                held.borrow_mut().take();
                // An upload still running stops after its current chunk.
                *pick.borrow_mut() = u64::MAX;
            }
        });
    }
    // Escape closes, except mid-import (the frame's listener only knows its own dialog).
    {
        let (on_close, closable, changed) =
            (props.on_close.clone(), closable.clone(), changed.clone());
        use_effect_with((), move |()| {
            let listener = platform::on_key_down(move |press| {
                let close = press.key == "Escape" && !press.with_modifier && closable.get();
                if close {
                    on_close.emit(changed.get());
                }
                close
            });
            move || drop(listener)
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.import_seq, move |_| {
            if let Some(request) = state.request() {
                spawn_local(async move {
                    state.dispatch(match commands::import_contacts(&request).await {
                        Ok(report) => ImportAction::Imported(Box::new(report)),
                        Err(error) => ImportAction::ImportFailed(error),
                    });
                });
            }
        });
    }
    // The file read again (another encoding, another stage column): the answer is for this
    // `preview_seq` only.
    {
        let state = state.clone();
        use_effect_with(state.preview_seq, move |seq| {
            let seq = *seq;
            if let Some(request) = state.preview_request() {
                spawn_local(async move {
                    let result = commands::import_preview(&request).await.map(Box::new);
                    state.dispatch(ImportAction::Repreviewed { seq, result });
                });
            }
        });
    }
    // The encoding `<select>` shows the encoding the file was read in. An option's `selected`
    // only sets its default, which a select a person has touched stops following: after a
    // re-read reorders the options (the one in use first), or one that failed goes back, the
    // select would show another encoding than the dialog uses.
    use_effect_with(
        state.preview.as_ref().map(|p| p.encoding_label.clone()),
        |label| {
            if let Some(label) = label {
                show_value("import-encoding-choice", label);
            }
        },
    );
    use_effect_with((state.step, state.vcard()), |(step, vcard)| {
        let target = match step {
            Step::Pick => "import-file",
            // A vCard has no columns: its first control is the encoding.
            Step::Preview if *vcard => "import-encoding-choice",
            Step::Preview => "import-column-0",
            Step::Report => "import-done",
            Step::Uploading | Step::Importing => "",
        };
        platform::focus(target);
    });

    let on_file = {
        let dispatcher = state.dispatcher();
        let pick = pick.clone();
        Callback::from(move |event: Event| {
            let Some(file) = files::picked(&event).into_iter().next() else {
                return;
            };
            let (name, size, mime) = files::describe(&file);
            let this = {
                let mut current = pick.borrow_mut();
                *current += 1;
                *current
            };
            let refused = refuse_file(&name, size, &mime).is_some();
            dispatcher.dispatch(ImportAction::Picked {
                pick: this,
                name,
                size,
                mime,
            });
            if refused {
                return;
            }
            let (dispatcher, pick) = (dispatcher.clone(), pick.clone());
            spawn_local(async move {
                let uploaded = files::upload(&file, CHUNK_BYTES, |uploaded| {
                    dispatcher.dispatch(ImportAction::ChunkSent {
                        pick: this,
                        uploaded: uploaded.clone(),
                    });
                    *pick.borrow() == this
                })
                .await;
                let action = match uploaded {
                    Ok(Some(upload_id)) => {
                        match commands::import_preview(&PreviewRequest::new(upload_id)).await {
                            Ok(preview) => ImportAction::PreviewLoaded {
                                pick: this,
                                preview: Box::new(preview),
                            },
                            Err(error) => ImportAction::UploadFailed { pick: this, error },
                        }
                    }
                    Ok(None) => return,
                    Err(error) => ImportAction::UploadFailed { pick: this, error },
                };
                dispatcher.dispatch(action);
            });
        })
    };
    let pick_another = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            *pick.borrow_mut() += 1;
            dispatcher.dispatch(ImportAction::PickAnother);
        })
    };
    let on_close = {
        let on_close = props.on_close.clone();
        let (closable, changed) = (closable.clone(), changed.clone());
        Callback::from(move |()| {
            if closable.get() {
                on_close.emit(changed.get());
            }
        })
    };
    let body = match state.step {
        Step::Pick => pick_step(&state, on_file),
        Step::Uploading => uploading_step(&state, pick_another),
        Step::Preview => preview_step(
            &state,
            &state.dispatcher(),
            (*room).as_ref(),
            pick_another,
            on_close.clone(),
        ),
        Step::Importing => importing_step(&state),
        Step::Report => report_step(&state, on_close.reform(|_: MouseEvent| ())),
    };
    html! {
        <div class={classes!("import-dialog", format!("import-dialog--{:?}", state.step).to_lowercase())}>
            <Dialog id="import-dialog" title="Import contacts" wide={state.step != Step::Pick} {on_close}>
                { body }
            </Dialog>
        </div>
    }
}

/// Sets a `<select>`'s current value (not its options' defaults).
#[cfg(target_arch = "wasm32")]
fn show_value(id: &str, value: &str) {
    use wasm_bindgen::JsCast;
    let select = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok());
    if let Some(select) = select {
        select.set_value(value);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn show_value(_id: &str, _value: &str) {}

fn banner(id: &str, message: &str) -> Html {
    html! {
        <div id={id.to_owned()} class="banner banner--error" role="alert">
            <span class="banner__icon" aria-hidden="true"></span>
            <p class="banner__text">{ message.to_owned() }</p>
        </div>
    }
}

fn file_line(state: &ImportState) -> Html {
    let Some(file) = &state.file else {
        return Html::default();
    };
    html! {
        <p id="import-file-name" class="import-file">
            { icon(Icon::Upload) }
            <span class="import-file__name">{ file.name.clone() }</span>
            <span class="import-file__size">{ size_words(file.size) }</span>
        </p>
    }
}

fn pick_step(state: &ImportState, on_file: Callback<Event>) -> Html {
    html! {
        <div class="import-pick">
            <p class="dialog__lead">
                { format!(
                    "Bring in contacts from a spreadsheet, another CRM or an address book: a CSV file with a header row, or a vCard file, up to {} MB.",
                    FILE_MAX_BYTES / (1024 * 1024)
                ) }
            </p>
            if let Some(error) = &state.error {
                { banner("import-error", error) }
            }
            // The input sits inside its label: the keyboard reaches it, the label is what is seen.
            <label class="button button--primary file-button import-pick__button">
                <input id="import-file" class="visually-hidden" type="file" accept={FILE_ACCEPT} onchange={on_file} />
                { icon(Icon::Upload) }{ "Choose a file" }
            </label>
            <p class="import-hint">
                { "Exports from Follow Up Boss, kvCORE, Google Contacts, Outlook, an iPhone and Fieldstone work as they are. You check everything before anything is imported." }
            </p>
        </div>
    }
}

fn uploading_step(state: &ImportState, pick_another: Callback<MouseEvent>) -> Html {
    let (sent, size) = state.file.as_ref().map_or((0, 0), |f| (f.sent, f.size));
    let status = if sent < size {
        format!("Uploading… {} of {}", size_words(sent), size_words(size))
    } else {
        "Reading the columns…".to_owned()
    };
    html! {
        <div class="import-step">
            { file_line(state) }
            <progress id="import-upload" class="import-progress" max={size.to_string()} value={sent.to_string()}></progress>
            <p id="import-upload-status" class="import-status" role="status">{ status }</p>
            <div class="form__actions">
                <button type="button" class="button button--secondary" onclick={pick_another}>{ "Choose another file" }</button>
            </div>
        </div>
    }
}

fn importing_step(state: &ImportState) -> Html {
    let status = match state.rows_done() {
        Some((done, total)) => format!(
            "{} of {} {} done",
            thousands(done),
            thousands(total),
            if state.vcard() { "cards" } else { "rows" }
        ),
        None => "Reading the file…".to_owned(),
    };
    let (value, max) = state.rows_done().map_or((None, None), |(done, total)| {
        (Some(done.to_string()), Some(total.max(1).to_string()))
    });
    html! {
        <div class="import-step">
            { file_line(state) }
            // Without a value the bar is indeterminate: the file is still being counted.
            <progress id="import-progress" class="import-progress" {max} {value}></progress>
            <p id="import-progress-text" class="import-status" role="status">{ status }</p>
            <p class="import-hint">{ "Keep this window open until the import is done." }</p>
        </div>
    }
}

fn duplicate_words(row: &fieldstone_protocol::views::DuplicateRow) -> String {
    let of = match row.of {
        DuplicateOf::Contact(_) => "a contact you already have".to_owned(),
        DuplicateOf::Line(line) => format!("line {line}"),
    };
    let done = if row.imported {
        "imported anyway"
    } else {
        "skipped"
    };
    format!("Same {} as {of} ({}) — {done}.", row.key, row.value)
}

fn rows_list<T>(
    id: &str,
    title: &str,
    rows: &[T],
    total: u64,
    line: impl Fn(&T) -> u64,
    words: impl Fn(&T) -> String,
) -> Html {
    if rows.is_empty() {
        return Html::default();
    }
    let shown = rows.len().min(ROWS_SHOWN);
    html! {
        <section class="import-section" aria-labelledby={format!("{id}-title")}>
            <h3 id={format!("{id}-title")} class="form-section__title">{ title.to_owned() }</h3>
            <ol id={id.to_owned()} class="import-rows">
                for row in rows.iter().take(shown) {
                    <li class="import-row">
                        <span class="import-row__line">{ format!("Line {}", thousands(line(row))) }</span>
                        <span class="import-row__reason">{ words(row) }</span>
                    </li>
                }
            </ol>
            if total > shown as u64 {
                <p class="import-hint">{ format!("The first {shown} of {} are shown.", thousands(total)) }</p>
            }
        </section>
    }
}

fn report_step(state: &ImportState, done: Callback<MouseEvent>) -> Html {
    let Some(report) = &state.report else {
        return Html::default();
    };
    let ImportReport {
        imported,
        rejected_count,
        duplicate_count,
        notes_imported,
        blank_rows,
        rolled_back,
        ..
    } = *report;
    let duplicates_label = if state.duplicates == DuplicatePolicy::Import {
        "Duplicates imported"
    } else {
        "Duplicates skipped"
    };
    let mut extras = Vec::new();
    if notes_imported > 0 && !rolled_back {
        extras.push(format!(
            "{} added from the {}.",
            count(notes_imported, "note", "notes"),
            if report.format == ImportFormat::Vcard {
                "cards"
            } else {
                "note columns"
            }
        ));
    }
    if report.follow_ups_planned > 0 && !rolled_back {
        extras.push(format!(
            "{} planned from your organisation's follow-up plan.",
            count(
                report.follow_ups_planned,
                "follow-up task",
                "follow-up tasks"
            )
        ));
    }
    if blank_rows > 0 {
        extras.push(format!(
            "{} passed over.",
            count(blank_rows, "blank row", "blank rows")
        ));
    }
    if !report.encoding.is_empty() && !report.encoding.starts_with("Unicode (UTF-8)") {
        // Only a file that was not UTF-8 needs saying: the person may wonder about its accents.
        extras.push(format!("Read as {}.", report.encoding));
    }
    let nothing = report.rows_read == 0;
    html! {
        <div id="import-report" class="import-report">
            { file_line(state) }
            if rolled_back {
                { banner("import-rolled-back", &format!(
                    "Nothing was imported: {} a problem and you chose “all or nothing”. Fix the rows listed below in the file and import it again.",
                    if rejected_count == 1 { "1 row has".to_owned() } else { format!("{} rows have", thousands(rejected_count)) }
                )) }
            } else if nothing {
                <p class="dialog__lead">{ "The file has no rows under its header: nothing was imported." }</p>
            }
            <dl class="import-counts">
                <div class="import-count import-count--good">
                    <dt>{ "Imported" }</dt>
                    <dd id="import-count-imported">{ thousands(imported) }</dd>
                </div>
                <div class="import-count">
                    <dt>{ duplicates_label }</dt>
                    <dd id="import-count-duplicates">{ thousands(duplicate_count) }</dd>
                </div>
                <div class={classes!("import-count", (rejected_count > 0).then_some("import-count--bad"))}>
                    <dt>{ "Rejected" }</dt>
                    <dd id="import-count-rejected">{ thousands(rejected_count) }</dd>
                </div>
            </dl>
            if !extras.is_empty() {
                <p class="import-hint">{ extras.join(" ") }</p>
            }
            { rows_list("import-rejected", "Rejected rows", &report.rejected, rejected_count, |r| r.line, |r| r.reason.clone()) }
            { rows_list("import-duplicates", "Duplicates", &report.duplicates, duplicate_count, |r| r.line, duplicate_words) }
            if !report.rejected.is_empty() || !report.duplicates.is_empty() {
                <p class="import-hint">
                    { if state.vcard() {
                        "Line numbers are those of the file, where each card's BEGIN:VCARD is."
                    } else {
                        "Line numbers are those of the file, where line 1 is the header."
                    } }
                </p>
            }
            <div class="form__actions import-actions">
                <button id="import-done" type="button" class="button button--primary" onclick={done}>{ "Done" }</button>
            </div>
        </div>
    }
}
