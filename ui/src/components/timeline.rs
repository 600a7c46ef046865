//! A contact's timeline: notes, calls, bookings and tasks, and the emails and texts sent to
//! them (`timeline_message`), newest first, each with its icon and when it happened. Open tasks
//! can be ticked off from here, or opened to edit, reschedule or finish with a note.

use super::icons::{icon, Icon};
use super::timeline_message::{message_entry, MessageLine};
use crate::state::contact_messages::{merge, ContactMessages, Delivery, Item};
use crate::state::format::Local;
use chrono::{DateTime, Utc};
use fieldstone_model::{BookingStatus, MessageId, TaskId, TaskStatus};
use fieldstone_protocol::views::{TaskSummary, TimelineEntry};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct TimelineProps {
    pub entries: Rc<Vec<TimelineEntry>>,
    pub now: DateTime<Utc>,
    pub local: Local,
    #[prop_or_default]
    pub on_task: Callback<(TaskId, TaskStatus)>,
    /// Open a task to edit, reschedule or finish it with a note.
    #[prop_or_default]
    pub on_edit_task: Option<Callback<TaskSummary>>,
    /// The contact's messages, placed among the entries by when they were written.
    #[prop_or_default]
    pub messages: ContactMessages,
    /// Older timeline pages are still to load.
    #[prop_or_default]
    pub more: bool,
    /// Whether a queued message may still be on this device, waiting for a connection.
    #[prop_or_default]
    pub delivery: Delivery,
    #[prop_or_default]
    pub on_toggle_message: Callback<MessageId>,
    #[prop_or_default]
    pub on_withdraw: Callback<MessageId>,
}

/// The outcome and how long it lasted, both when both are known ("Connected · 3 min"): a call
/// the server placed comes back with both.
fn call_meta(outcome: Option<&str>, duration_seconds: Option<u32>) -> Option<String> {
    let minutes = duration_seconds.map(|s| format!("{} min", s.div_ceil(60)));
    match (outcome, minutes) {
        (Some(outcome), Some(minutes)) => Some(format!("{outcome} · {minutes}")),
        (Some(outcome), None) => Some(outcome.to_owned()),
        (None, minutes) => minutes,
    }
}

fn entry(props: &TimelineProps, entry: &TimelineEntry) -> Html {
    let (kind, icon_kind, title, body, meta): (&str, Icon, String, Option<String>, Option<String>) =
        match entry {
            TimelineEntry::Note(note) => (
                "note",
                Icon::Note,
                if note.pinned { "Pinned note" } else { "Note" }.to_owned(),
                Some(note.preview.clone()),
                None,
            ),
            TimelineEntry::Interaction(call) => (
                "interaction",
                Icon::Phone,
                format!("{} · {}", call.channel.label(), call.direction.label()),
                Some(call.summary.clone()),
                call_meta(call.outcome.as_deref(), call.duration_seconds),
            ),
            TimelineEntry::Booking(booking) => (
                "booking",
                Icon::Calendar,
                format!(
                    "{}{}",
                    booking.kind.label(),
                    booking
                        .title
                        .as_ref()
                        .map(|t| format!(": {t}"))
                        .unwrap_or_default()
                ),
                Some(format!(
                    "{} – {}",
                    props.local.when(booking.starts_at, props.now),
                    props.local.time(booking.ends_at)
                )),
                match booking.status {
                    BookingStatus::Scheduled => booking.location.clone(),
                    status => Some(status.label().to_owned()),
                },
            ),
            TimelineEntry::Task(task) => (
                "task",
                Icon::Task,
                task.title.clone(),
                task.due_at
                    .map(|due| format!("Due {}", props.local.when(due, props.now))),
                Some(task.status.label().to_owned()).filter(|_| !task.status.is_open()),
            ),
        };
    let task_toggle = match entry {
        TimelineEntry::Task(task) => {
            let (id, done) = (task.id, task.status == TaskStatus::Completed);
            let onchange = props.on_task.reform(move |_: Event| {
                (
                    id,
                    if done {
                        TaskStatus::Pending
                    } else {
                        TaskStatus::Completed
                    },
                )
            });
            Some(html! {
                <label class="check-target">
                    <input
                        type="checkbox"
                        class="checkbox timeline__check"
                        checked={done}
                        aria-label={format!("Done: {}", task.title)}
                        {onchange}
                    />
                </label>
            })
        }
        _ => None,
    };
    let done = matches!(entry, TimelineEntry::Task(t) if !t.status.is_open());
    html! {
        <li
            key={entry.id()}
            class={classes!("timeline__entry", format!("timeline__entry--{kind}"), done.then_some("timeline__entry--done"))}
            data-kind={kind}
        >
            <span class="timeline__icon" aria-hidden="true">{ icon(icon_kind) }</span>
            <div class="timeline__body">
                <p class="timeline__title">
                    if let Some(toggle) = task_toggle { { toggle } }
                    <span class="timeline__title-text">{ title }</span>
                    <time class="timeline__when">{ props.local.when(entry.at(), props.now) }</time>
                </p>
                if let Some(body) = body {
                    <p class="timeline__text">{ body }</p>
                }
                if let (TimelineEntry::Task(task), Some(on_edit)) = (entry, props.on_edit_task.as_ref()) {
                    if task.status.is_open() {
                        <p class="timeline__actions">
                            <button
                                type="button"
                                class="button button--small button--ghost"
                                data-task-action="edit"
                                aria-label={format!("Edit or finish {}", task.title)}
                                onclick={{ let task = task.clone(); on_edit.reform(move |_: MouseEvent| task.clone()) }}
                            >
                                { "Edit…" }
                            </button>
                        </p>
                    }
                }
                if let Some(meta) = meta {
                    <p class="timeline__meta">{ meta }</p>
                }
            </div>
        </li>
    }
}

#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    // Its dates, money and counts are in the agent's locale: shown again when it changes.
    crate::hooks::use_locale_changes();
    let line = MessageLine {
        messages: &props.messages,
        delivery: props.delivery,
        now: props.now,
        local: props.local,
        on_toggle: &props.on_toggle_message,
        on_withdraw: &props.on_withdraw,
    };
    html! {
        <ol id="timeline" class="timeline">
            for item in merge(&props.entries, &props.messages.list, props.more) {
                { match item {
                    Item::Entry(e) => entry(props, e),
                    Item::Message(m) => message_entry(&line, m),
                } }
            }
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::call_meta;

    #[test]
    fn a_call_shows_its_outcome_and_its_length_together() {
        assert_eq!(
            call_meta(Some("Connected"), Some(121)).as_deref(),
            Some("Connected · 3 min")
        );
        assert_eq!(
            call_meta(Some("Left voicemail"), None).as_deref(),
            Some("Left voicemail")
        );
        assert_eq!(call_meta(None, Some(60)).as_deref(), Some("1 min"));
        assert_eq!(call_meta(None, None), None);
    }
}
