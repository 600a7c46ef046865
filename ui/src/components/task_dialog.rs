//! The task dialog, from Today and from a contact: Add task (title, due day and time, priority,
//! whom it is about) and Edit (the same, for a task on the list; what it is about stays; moving
//! the day reschedules it). Editing an open task also closes it — completed, skipped or
//! cancelled — with an optional note of what happened, kept on the contact's timeline. The
//! engine checks the title and the note; the form checks the day and time as typed.

use super::dialog::Dialog;
use super::field::{choice_options, SelectField, TextField};
use super::pickers::ContactPicker;
use crate::services::commands;
use crate::state::format::Local;
use crate::state::task_form::TaskForm;
use chrono::NaiveDate;
use fieldstone_model::{Priority, TaskStatus};
use fieldstone_protocol::commands::{SetTaskStatus, UpdateTask};
use fieldstone_protocol::views::TaskSummary;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct TaskDialogProps {
    /// `None`: a new task.
    #[prop_or_default]
    pub editing: Option<TaskSummary>,
    /// The day a new task is due on.
    pub day: NaiveDate,
    pub local: Local,
    pub on_close: Callback<()>,
    /// After a save, with the sentence to show.
    pub on_saved: Callback<String>,
}

#[component]
pub fn TaskDialog(props: &TaskDialogProps) -> Html {
    let form = {
        let (editing, day, local) = (props.editing.clone(), props.day, props.local);
        use_state(move || match &editing {
            Some(task) => TaskForm::edit(task, local, None),
            None => TaskForm::new(day),
        })
    };
    // (field, message): `title` from the engine, `due_day`/`due_time` from the form.
    let error = use_state(|| None::<(String, String)>);
    let busy = use_state(|| false);
    let set = |change: fn(&mut TaskForm, String)| {
        let (form, error) = (form.clone(), error.clone());
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            change(&mut next, value);
            form.set(next);
            error.set(None);
        })
    };
    let field_error = |field: &str| {
        error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| AttrValue::from(m.clone()))
    };
    let submit = {
        let (form, error, busy) = (form.clone(), error.clone(), busy.clone());
        let (editing, local, on_saved) =
            (props.editing.clone(), props.local, props.on_saved.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let input = match form.to_input(local) {
                Ok(input) => input,
                Err((field, message)) => {
                    error.set(Some((field.to_owned(), message)));
                    return;
                }
            };
            busy.set(true);
            let (error, busy, editing, on_saved) = (
                error.clone(),
                busy.clone(),
                editing.clone(),
                on_saved.clone(),
            );
            spawn_local(async move {
                let saved = match &editing {
                    Some(task) => commands::update_task(&UpdateTask { id: task.id, input })
                        .await
                        .map(|_| "Task saved."),
                    None => commands::create_task(&input).await.map(|_| "Task added."),
                };
                busy.set(false);
                match saved {
                    Ok(said) => on_saved.emit(said.to_owned()),
                    // The title's own sentence on the title; anything else under the form.
                    Err(e) => match e.field("title") {
                        Some(message) => error.set(Some(("title".to_owned(), message.to_owned()))),
                        None => error.set(Some(("form".to_owned(), e.message))),
                    },
                }
            });
        })
    };
    let note = use_state(String::new);
    let close_as = |status: TaskStatus, said: &'static str| {
        let (note, error, busy) = (note.clone(), error.clone(), busy.clone());
        let (editing, on_saved) = (props.editing.clone(), props.on_saved.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(task) = editing.clone() else {
                return;
            };
            busy.set(true);
            let request = SetTaskStatus {
                id: task.id,
                status,
                note: Some((*note).clone()).filter(|n| !n.trim().is_empty()),
            };
            let (error, busy, on_saved) = (error.clone(), busy.clone(), on_saved.clone());
            spawn_local(async move {
                let closed = commands::set_task_status(&request).await;
                busy.set(false);
                match closed {
                    Ok(_) => on_saved.emit(said.to_owned()),
                    Err(e) => match e.field("note") {
                        Some(message) => error.set(Some(("note".to_owned(), message.to_owned()))),
                        None => error.set(Some(("form".to_owned(), e.message))),
                    },
                }
            });
        })
    };
    let closing = props
        .editing
        .as_ref()
        .is_some_and(|task| task.status.is_open());
    let on_add = {
        let form = form.clone();
        Callback::from(move |chosen: (fieldstone_model::ContactId, String)| {
            let mut next = (*form).clone();
            next.about = Some(chosen);
            form.set(next);
        })
    };
    let on_remove = {
        let form = form.clone();
        Callback::from(move |_| {
            let mut next = (*form).clone();
            next.about = None;
            form.set(next);
        })
    };
    let on_priority = {
        let form = form.clone();
        Callback::from(move |value: String| {
            if let Ok(priority) = value.parse::<Priority>() {
                let mut next = (*form).clone();
                next.priority = priority;
                form.set(next);
            }
        })
    };
    let title = if props.editing.is_some() {
        "Edit task"
    } else {
        "Add a task"
    };
    html! {
        <Dialog id="task-dialog" title={title} on_close={props.on_close.clone()}>
            <form id="task-form" class="form task-form" novalidate=true onsubmit={submit}>
                <TextField
                    id="task-title"
                    label="What to do"
                    value={form.title.clone()}
                    placeholder={Some(AttrValue::Static("Call back about the offer"))}
                    autofocus=true
                    error={field_error("title")}
                    on_input={set(|f, v| f.title = v)}
                />
                <div class="task-form__when">
                    <TextField
                        id="task-due-day"
                        label="Due"
                        input_type="date"
                        value={form.day.clone()}
                        error={field_error("due_day")}
                        on_input={set(|f, v| f.day = v)}
                    />
                    <TextField
                        id="task-due-time"
                        label="At (optional)"
                        input_type="time"
                        value={form.time.clone()}
                        error={field_error("due_time")}
                        on_input={set(|f, v| f.time = v)}
                    />
                </div>
                <SelectField
                    id="task-priority"
                    label="Priority"
                    value={form.priority.as_str()}
                    options={choice_options::<Priority>()}
                    on_change={on_priority}
                />
                if props.editing.is_none() {
                    <ContactPicker
                        id="task-about"
                        chosen={form.about.clone().into_iter().collect::<Vec<_>>()}
                        {on_add}
                        {on_remove}
                    />
                }
                if closing {
                    <fieldset class="task-form__close">
                        <legend class="task-form__close-title">{ "Finish this task" }</legend>
                        <TextField
                            id="task-note"
                            label="What happened (optional)"
                            value={(*note).clone()}
                            multiline=true
                            hint={Some(AttrValue::Static("Kept as a note on the contact's timeline."))}
                            placeholder={Some(AttrValue::Static("Left a voicemail; call back Monday"))}
                            error={field_error("note")}
                            on_input={{ let (note, error) = (note.clone(), error.clone()); Callback::from(move |v: String| { note.set(v); error.set(None); }) }}
                        />
                        <div class="task-form__close-actions">
                            <button id="task-complete" type="button" class="button button--secondary" disabled={*busy} onclick={close_as(TaskStatus::Completed, "Task completed.")}>{ "Complete" }</button>
                            <button id="task-skip" type="button" class="button button--ghost" disabled={*busy} onclick={close_as(TaskStatus::Skipped, "Task skipped.")}>{ "Skip" }</button>
                            <button id="task-cancel" type="button" class="button button--ghost" disabled={*busy} onclick={close_as(TaskStatus::Cancelled, "Task cancelled.")}>{ "Cancel task" }</button>
                        </div>
                    </fieldset>
                }
                if let Some(message) = field_error("form") {
                    <p id="task-error" class="field__error" role="alert">{ message }</p>
                }
                <div class="dialog__actions">
                    <button type="button" class="button button--ghost" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ if closing { "Close" } else { "Cancel" } }</button>
                    <button id="task-save" type="submit" class={classes!("button", "button--primary", busy.then_some("button--busy"))} disabled={*busy}>
                        <span class="button__spinner" aria-hidden="true"></span>
                        { if props.editing.is_some() { "Save task" } else { "Add task" } }
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
