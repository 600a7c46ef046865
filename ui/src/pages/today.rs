//! Today: what the agent's day holds — bookings, follow-ups overdue and due, the hottest open
//! leads and who changed lately — each linking to where the work is done.

use crate::components::contact_list::score_class;
use crate::components::icons::{icon, Icon};
use crate::components::states::{page_frame, FrameText};
use crate::hooks::{use_command, use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::commands;
use crate::state::format::{date_label, relative};
use crate::state::today::{TodayAction, TodayState, TICKED};
use crate::state::{initials, ShellAction};
use fieldstone_model::{BookingStatus, RecordRef};
use fieldstone_protocol::commands::SetTaskStatus;
use fieldstone_protocol::views::{ContactSummary, TaskSummary};
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
        state.ticking,
        |ticking| {
            let (_, id) = (*ticking)?;
            let tick = SetTaskStatus { id, status: TICKED };
            Some(async move { commands::set_task_status(&tick).await })
        },
        |_, result| TodayAction::Ticked(result.map(|_| ()).map_err(|e| e.message)),
    );
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(TodayAction::Reload));
    }
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
    let task_row = |task: &TaskSummary, overdue: bool| {
        let id = task.id;
        let contact = task.record.and_then(|r| r.as_contact());
        html! {
            <li key={id.to_string()} class={classes!("today-task", overdue.then_some("today-task--overdue"))}>
                <input
                    type="checkbox"
                    class="checkbox"
                    aria-label={format!("Done: {}", task.title)}
                    disabled={state.ticking.is_some()}
                    onchange={dispatch.reform(move |_: Event| TodayAction::Tick(id))}
                />
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
            </li>
        }
    };
    let person = |contact: &ContactSummary, detail: String| {
        let stage = contact.stage.as_str();
        html! {
            <li key={contact.id.to_string()}>
                <a class="today-person" href={Route::Contact(contact.id).to_hash()}>
                    <span class={classes!("avatar", "avatar--small", format!("avatar--{stage}"))} aria-hidden="true">{ initials(&contact.display_name) }</span>
                    <span class="today-person__main">
                        <span class="today-person__name">{ &contact.display_name }</span>
                        <span class="today-person__detail">{ detail }</span>
                    </span>
                    <span class={classes!("score", score_class(contact.score))}>{ contact.score }</span>
                </a>
            </li>
        }
    };
    let new_contact = {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| shell.dispatch(ShellAction::NewContact))
    };
    let follow_ups = today.overdue.len() + today.due_today.len();
    html! {
        <div class="page page--today">
            <div class="today-hello">
                <p class="today-hello__date">{ state.day.format("%A %-d %B").to_string() }</p>
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
            <div class="today-grid">
                <section id="today-bookings" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Calendar) }{ "Bookings today" }</h2>
                    if today.bookings.is_empty() {
                        <p class="today-card__empty">{ "Nothing booked today." }<a href={Route::Calendar.to_hash()}>{ " Open the calendar" }</a></p>
                    } else {
                        <ul class="today-bookings">
                            for booking in today.bookings.iter() {
                                <li key={booking.id.to_string()} class={classes!("today-booking", (booking.status == BookingStatus::Cancelled).then_some("today-booking--cancelled"))}>
                                    <span class="today-booking__time">{ local.time(booking.starts_at) }<small>{ local.time(booking.ends_at) }</small></span>
                                    <span class="today-booking__main">
                                        <span class="today-booking__title">{ booking.title.clone().unwrap_or_else(|| booking.kind.label().to_owned()) }</span>
                                        <span class="today-booking__meta">
                                            { booking.kind.label() }
                                            if let Some(location) = &booking.location { { format!(" · {location}") } }
                                            if booking.status == BookingStatus::Cancelled { { " · Cancelled" } }
                                        </span>
                                    </span>
                                </li>
                            }
                        </ul>
                    }
                </section>
                <section id="today-follow-ups" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Task) }{ "Follow-ups" }</h2>
                    if follow_ups == 0 {
                        <p class="today-card__empty">{ "No follow-ups due. You're all caught up." }</p>
                    } else {
                        <ul class="today-tasks">
                            for task in today.overdue.iter() { { task_row(task, true) } }
                            for task in today.due_today.iter() { { task_row(task, false) } }
                        </ul>
                    }
                </section>
                <section id="today-hottest" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Flame) }{ "Hottest leads" }</h2>
                    if today.hottest.is_empty() {
                        <p class="today-card__empty">
                            { "No open leads yet. " }
                            <button type="button" class="button button--link" onclick={new_contact}>{ "Add one" }</button>
                        </p>
                    } else {
                        <ul class="today-people">
                            for contact in today.hottest.iter() {
                                { person(contact, format!("{} · last contact {}", contact.stage.label(), relative(contact.last_contacted_at, now))) }
                            }
                        </ul>
                    }
                </section>
                <section id="today-recent" class="card today-card">
                    <h2 class="today-card__title">{ icon(Icon::Clock) }{ "Recent activity" }</h2>
                    if today.recent.is_empty() {
                        <p class="today-card__empty">{ "Nothing yet today." }</p>
                    } else {
                        <ul class="today-people">
                            for contact in today.recent.iter() {
                                { person(contact, format!("{} · updated {}", contact.stage.label(), relative(Some(contact.updated_at), now))) }
                            }
                        </ul>
                    }
                </section>
            </div>
        </div>
    }
}
