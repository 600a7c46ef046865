//! Today: what the agent's day holds — bookings, follow-ups overdue and due, the hottest open
//! leads and who changed lately — each linking to where the work is done.

use super::import::ImportDialog;
use crate::components::contact_actions::summary_actions;
use crate::components::contact_list::score_class;
use crate::components::icons::{icon, Icon};
use crate::components::matches::MatchSuggestionsCard;
use crate::components::ready_to_send::ReadyToSend;
use crate::components::states::{page_frame, FrameText};
use crate::components::task_dialog::TaskDialog;
use crate::hooks::{use_command, use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::{commands, opener};
use crate::state::format::{date_label, relative};
use crate::state::reach::directions;
use crate::state::today::{tomorrow, TaskChange, TodayAction, TodayState};
use crate::state::{initials, ShellAction};
use fieldstone_model::{BookingStatus, RecordRef, TaskStatus};
use fieldstone_protocol::commands::{SetTaskStatus, UpdateTask};
use fieldstone_protocol::views::{ActivityItem, ActivityKind, ContactSummary, TaskSummary};
use yew::platform::spawn_local;
use yew::prelude::*;

const FRAME: FrameText = FrameText {
    name: "today",
    loading: "Loading your day…",
    failed: "Couldn't load your day.",
    rows: 3,
    card: true,
    missing: None,
};

#[component]
pub fn TodayPage() -> Html {
    let shell = use_shell();
    let clock = shell.clock;
    let local = crate::state::format::Local {
        offset_minutes: clock.offset_minutes,
    };
    let state = use_reducer(move || TodayState::new(clock.now, local));
    let importing = use_state(|| false);
    // The task dialog: `Some(None)` adds a task, `Some(Some(task))` edits one.
    let task_dialog = use_state(|| None::<Option<TaskSummary>>);
    {
        let body = state.request_body();
        use_command(
            &state,
            state.request,
            move |_| Some(async move { commands::today(&body).await }),
            |request, answer| match answer {
                Ok(today) => TodayAction::Loaded {
                    request,
                    today: Box::new(today),
                },
                Err(error) => TodayAction::Failed {
                    request,
                    message: error.message,
                },
            },
        );
    }
    use_command(
        &state,
        state.changing.clone(),
        |changing| {
            let (_, id, change) = changing.clone()?;
            Some(async move {
                let written = match &change {
                    TaskChange::Done => {
                        let done = SetTaskStatus {
                            id,
                            status: TaskStatus::Completed,
                            note: None,
                        };
                        commands::set_task_status(&done).await
                    }
                    TaskChange::Skip => {
                        let skip = SetTaskStatus {
                            id,
                            status: TaskStatus::Skipped,
                            note: None,
                        };
                        commands::set_task_status(&skip).await
                    }
                    TaskChange::Tomorrow(input) => {
                        let update = UpdateTask {
                            id,
                            input: (**input).clone(),
                        };
                        commands::update_task(&update).await
                    }
                };
                written.map(|_| change)
            })
        },
        |_, result| TodayAction::Changed(result.map_err(|e| e.message)),
    );
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(TodayAction::Reload));
    }
    // Benchmarks time the day from this mark (set once the loaded day is in the DOM).
    use_effect_with(state.today.clone(), |today| {
        if today.is_some() {
            crate::services::platform::mark("fieldstone:today");
        }
    });
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let retry = dispatch.reform(|()| TodayAction::Reload);
    let today = match page_frame(&state.view, state.today.as_ref(), false, &FRAME, retry) {
        Ok(today) => today.clone(),
        Err(frame) => return frame,
    };
    let now = clock.now;
    let open_task = |editing: Option<TaskSummary>| {
        let task_dialog = task_dialog.clone();
        Callback::from(move |_: MouseEvent| task_dialog.set(Some(editing.clone())))
    };
    let task_row = |task: &TaskSummary, overdue: bool| {
        let id = task.id;
        let contact = task.record.and_then(|r| r.as_contact());
        html! {
            <li key={id.to_string()} class={classes!("today-task", overdue.then_some("today-task--overdue"))}>
                <label class="check-target">
                    <input
                        type="checkbox"
                        class="checkbox"
                        aria-label={format!("Done: {}", task.title)}
                        disabled={state.changing.is_some()}
                        onchange={dispatch.reform(move |_: Event| TodayAction::Change(id, TaskChange::Done))}
                    />
                </label>
                <div class="today-task__main">
                    if let Some(contact) = contact {
                        <a class="today-task__title" href={Route::Contact(contact).to_hash()}>{ &task.title }</a>
                    } else {
                        <span class="today-task__title">{ &task.title }</span>
                    }
                    <span class="today-task__due">
                        { task.due_at.map(|due| if overdue {
                            format!("Due {}", date_label(local.date(due), state.day))
                        } else {
                            format!("Due {}", local.time(due))
                        }).unwrap_or_default() }
                        if !matches!(task.record, Some(RecordRef::Contact(_)) | None) {
                            { " · " }{ task.kind.label() }
                        }
                    </span>
                </div>
                <span class={classes!("priority", format!("priority--{}", task.priority.as_str()))}>{ task.priority.label() }</span>
                <span class="today-task__controls">
                    <button
                        type="button"
                        class="button button--small button--ghost"
                        data-task-action="edit"
                        disabled={state.changing.is_some()}
                        aria-label={format!("Edit {}", task.title)}
                        onclick={open_task(Some(task.clone()))}
                    >
                        { "Edit" }
                    </button>
                    <button
                        type="button"
                        class="button button--small button--secondary"
                        data-task-action="tomorrow"
                        disabled={state.changing.is_some()}
                        aria-label={format!("Move {} to tomorrow", task.title)}
                        onclick={{ let moved = tomorrow(task, state.day, local); dispatch.reform(move |_: MouseEvent| TodayAction::Change(id, TaskChange::Tomorrow(Box::new(moved.clone())))) }}
                    >
                        { "Tomorrow" }
                    </button>
                    <button
                        type="button"
                        class="button button--small button--ghost"
                        data-task-action="skip"
                        disabled={state.changing.is_some()}
                        aria-label={format!("Skip {}", task.title)}
                        onclick={dispatch.reform(move |_: MouseEvent| TodayAction::Change(id, TaskChange::Skip))}
                    >
                        { "Skip" }
                    </button>
                </span>
            </li>
        }
    };
    let person = |contact: &ContactSummary, detail: String| {
        let stage = contact.stage.as_str();
        html! {
            <li key={contact.id.to_string()} class="today-person-row" data-contact-id={contact.id.to_string()}>
                <a class="today-person" href={Route::Contact(contact.id).to_hash()}>
                    <span class={classes!("avatar", "avatar--small", format!("avatar--{stage}"))} aria-hidden="true">{ initials(&contact.display_name) }</span>
                    <span class="today-person__main">
                        <span class="today-person__name">{ &contact.display_name }</span>
                        <span class="today-person__detail">{ detail }</span>
                    </span>
                    <span class={classes!("score", score_class(contact.score))} title={crate::components::contact_head::score_line(contact.score)}>{ contact.score }</span>
                </a>
                { summary_actions(contact, "") }
            </li>
        }
    };
    let new_contact = {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| shell.dispatch(ShellAction::NewContact))
    };
    let follow_ups = today.overdue.len() + today.due_today.len();
    let importing = importing.clone();
    html! {
        <div class="page page--today">
            <div class="today-hello">
                <p class="today-hello__date">{ crate::state::format::long_date(state.day, false) }</p>
                <p class="today-hello__summary">
                    { format!(
                        "{} · {}",
                        crate::state::format::count(today.bookings.len() as u64, "booking", "bookings"),
                        crate::state::format::count(follow_ups as u64, "follow-up", "follow-ups"),
                    ) }
                </p>
            </div>
            if let Some(message) = &state.message {
                <p id="today-message" class="card__note" role="status">{ message }</p>
            }
            if !today.has_contacts {
                <section id="today-first-run" class="card today-first-run">
                    <h2 class="today-first-run__title">{ "Import your contacts" }</h2>
                    <p class="today-first-run__text">{ "Bring your contacts from a CSV (Excel, Google, your old CRM) or a vCard file. Fieldstone reads the columns, shows you what it will do, and works offline from then on." }</p>
                    <p class="today-first-run__actions">
                        <button id="today-import" type="button" class="button button--primary" onclick={{ let importing = importing.clone(); Callback::from(move |_: MouseEvent| importing.set(true)) }}>
                            { icon(Icon::Upload) }{ "Import your contacts" }
                        </button>
                        <button type="button" class="button button--secondary" onclick={new_contact.clone()}>{ "Add one by hand" }</button>
                    </p>
                </section>
            }
            if let Some(editing) = (*task_dialog).clone() {
                <TaskDialog
                    {editing}
                    day={state.day}
                    {local}
                    on_close={{ let task_dialog = task_dialog.clone(); Callback::from(move |()| task_dialog.set(None)) }}
                    on_saved={{
                        let (task_dialog, dispatch) = (task_dialog.clone(), dispatch.clone());
                        Callback::from(move |said: String| {
                            task_dialog.set(None);
                            dispatch.emit(TodayAction::Saved(said));
                        })
                    }}
                />
            }
            if *importing {
                <ImportDialog on_close={{
                    let (importing, dispatch) = (importing.clone(), dispatch.clone());
                    Callback::from(move |changed: bool| {
                        importing.set(false);
                        if changed {
                            dispatch.emit(TodayAction::Reload);
                        }
                    })
                }} />
            }
            <crate::components::lead_offers::LeadOffers />
            <div class="today-grid">
                <section id="today-bookings" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Calendar) }{ "Bookings today" }</h2>
                    if today.bookings.is_empty() {
                        <p class="today-card__empty">{ "Nothing booked today." }<a href={Route::Calendar.to_hash()}>{ " Open the calendar" }</a></p>
                    } else {
                        <ul class="today-bookings">
                            for booking in today.bookings.iter() {
                                <li key={booking.id.to_string()} class={classes!("today-booking", (booking.status == BookingStatus::Cancelled).then_some("today-booking--cancelled"))} data-booking-id={booking.id.to_string()}>
                                    <a
                                        class="today-booking__link"
                                        href={booking.with.first().map_or(Route::Calendar, |(id, _)| Route::Contact(*id)).to_hash()}
                                    >
                                        <span class="today-booking__time">{ local.time(booking.starts_at) }<small>{ local.time(booking.ends_at) }</small></span>
                                        <span class="today-booking__main">
                                            <span class="today-booking__title">{ booking.title.clone().unwrap_or_else(|| booking.kind.label().to_owned()) }</span>
                                            <span class="today-booking__meta">
                                                { crate::pages::calendar::booking_line(booking) }
                                                if booking.status == BookingStatus::Cancelled { { " · Cancelled" } }
                                            </span>
                                        </span>
                                    </a>
                                    { directions_button(booking.listing_address.as_deref().or(booking.location.as_deref())) }
                                </li>
                            }
                        </ul>
                    }
                </section>
                if !today.open_houses.is_empty() {
                    <section id="today-open-houses" class="card today-card">
                        <h2 class="today-card__title">{ icon(Icon::Listings) }{ "Open houses this week" }</h2>
                        <ul class="today-bookings">
                            for open_house in today.open_houses.iter() {
                                <li key={format!("{}-{}", open_house.listing, open_house.starts_at.timestamp())} class="today-booking" data-listing-id={open_house.listing.to_string()}>
                                    <a class="today-booking__link" href={Route::Listing(open_house.listing).to_hash()}>
                                        <span class="today-booking__time">{ local.time(open_house.starts_at) }<small>{ local.time(open_house.ends_at) }</small></span>
                                        <span class="today-booking__main">
                                            <span class="today-booking__title">{ &open_house.address }</span>
                                            <span class="today-booking__meta">{ local.day_label(open_house.starts_at, now) }</span>
                                        </span>
                                    </a>
                                    { directions_button(Some(open_house.address.as_str())) }
                                </li>
                            }
                        </ul>
                    </section>
                }
                <ReadyToSend
                    drafts={today.ready_to_send.clone()}
                    on_done={dispatch.reform(TodayAction::Saved)}
                />
                <MatchSuggestionsCard />
                <section id="today-follow-ups" class="card today-card">
                    <div class="today-card__head">
                        <h2 class="today-card__title">{ icon(Icon::Task) }{ "Follow-ups" }</h2>
                        <button id="today-add-task" type="button" class="button button--small button--secondary" onclick={open_task(None)}>
                            { icon(Icon::Plus) }{ "Add task" }
                        </button>
                    </div>
                    if follow_ups == 0 {
                        <p class="today-card__empty">{ "No follow-ups due. You're all caught up." }</p>
                    } else {
                        <ul class="today-tasks">
                            for task in today.overdue.iter() { { task_row(task, true) } }
                            for task in today.due_today.iter() { { task_row(task, false) } }
                        </ul>
                    }
                </section>
                <section id="today-call-now" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Phone) }{ "Call these now" }</h2>
                    <p class="today-card__hint">{ "Hot leads, then people nobody has contacted yet." }</p>
                    if today.call_now.is_empty() {
                        <p class="today-card__empty">{ "Everyone open has been contacted, and nobody is hot right now." }</p>
                    } else {
                        <ul class="today-people">
                            for contact in today.call_now.iter() {
                                { person(contact, format!("{} · {}", contact.stage.label(), if contact.last_contacted_at.is_none() { "never contacted".to_owned() } else { format!("last touch {}", relative(contact.last_contacted_at, now)) })) }
                            }
                        </ul>
                    }
                </section>
                <section id="today-new-leads" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Flame) }{ "New leads" }</h2>
                    if today.new_leads.is_empty() {
                        <p class="today-card__empty">{ "No new leads this week." }</p>
                    } else {
                        <ul class="today-people">
                            for contact in today.new_leads.iter() {
                                { person(contact, format!("{} · added {}", contact.source.label(), relative(Some(contact.created_at), now))) }
                            }
                        </ul>
                    }
                </section>
                <section id="today-recent" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Clock) }{ "Recent activity" }</h2>
                    if today.activity.is_empty() {
                        <p class="today-card__empty">{ "Nothing has happened yet." }</p>
                    } else {
                        <ul class="today-activity">
                            for item in today.activity.iter() {
                                <li class="today-activity__item" data-kind={activity_key(item.kind)}>
                                    <a href={Route::Contact(item.contact).to_hash()} class="today-activity__link">
                                        <span class="today-activity__what">{ activity_line(item) }</span>
                                        if !item.detail.is_empty() {
                                            <span class="today-activity__detail">{ &item.detail }</span>
                                        }
                                    </a>
                                    <time class="today-activity__when">{ relative(Some(item.at), now) }</time>
                                </li>
                            }
                        </ul>
                    }
                </section>
            </div>
        </div>
    }
}

/// "Note added to Ada King", "Phone call logged with Ada King".
fn activity_line(item: &ActivityItem) -> String {
    let name = &item.contact_name;
    match item.kind {
        ActivityKind::ContactAdded => format!("{name} added"),
        ActivityKind::NoteAdded => format!("Note added to {name}"),
        ActivityKind::Logged => match item.channel {
            Some(channel) => format!("{} logged with {name}", channel.label()),
            None => format!("Touch logged with {name}"),
        },
        ActivityKind::TaskDone => format!("Task done for {name}"),
    }
}

fn activity_key(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::ContactAdded => "contact_added",
        ActivityKind::NoteAdded => "note_added",
        ActivityKind::Logged => "logged",
        ActivityKind::TaskDone => "task_done",
    }
}

/// Directions to `place` in the maps app, when there is a place to go to.
fn directions_button(place: Option<&str>) -> Html {
    let Some(url) = place.and_then(directions) else {
        return Html::default();
    };
    html! {
        <button
            type="button"
            class="button button--small button--secondary today-booking__directions"
            data-url={url.clone()}
            onclick={Callback::from(move |_: MouseEvent| {
                let url = url.clone();
                spawn_local(async move {
                    // Nothing to do if no maps app answers: the address is on screen.
                    let _ = opener::open_url(&url).await;
                });
            })}
        >
            { icon(Icon::Directions) }{ "Directions" }
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn activity_reads_as_what_happened_to_whom() {
        let item = |kind, channel| ActivityItem {
            kind,
            at: chrono::Utc
                .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
                .single()
                .expect("date"),
            contact: "00000000-0000-4000-8000-000000000001".parse().expect("id"),
            contact_name: "Ada King".into(),
            detail: String::new(),
            channel,
        };
        assert_eq!(
            activity_line(&item(ActivityKind::NoteAdded, None)),
            "Note added to Ada King"
        );
        assert_eq!(
            activity_line(&item(
                ActivityKind::Logged,
                Some(fieldstone_model::Channel::Call)
            )),
            "Phone call logged with Ada King"
        );
        assert_eq!(
            activity_line(&item(ActivityKind::ContactAdded, None)),
            "Ada King added"
        );
    }
}
