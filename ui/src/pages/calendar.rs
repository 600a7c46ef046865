//! Calendar: a week (or a day) of bookings on the local wall clock; a click opens a booking in
//! the editor, which warns while it is written when it overlaps another booking. The rules live
//! in [`CalendarState`].

use crate::components::dialog::Dialog;
use crate::components::field::{choice_options, SelectField, TextField};
use crate::components::icons::{icon, Icon};
use crate::components::pickers::{ContactPicker, ListingPicker};
use crate::components::states::ListError;
use crate::hooks::{use_command, use_page_request, use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::{commands, platform};
use crate::state::calendar::{
    BookingEditor, CalendarAction, CalendarState, CalendarView, EditorSave,
};
use crate::state::calendar_grid::{clash_label, hours, place, Placed, HOUR_PX};
use crate::state::detail::Here;
use crate::state::format::{date_label, Local};
use crate::state::{ListView, Shortcut};
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use fieldstone_model::{BookingKind, BookingStatus};
use fieldstone_protocol::commands::UpdateBooking;
use fieldstone_protocol::views::BookingSummary;
use yew::prelude::*;

#[component]
pub fn CalendarPage() -> Html {
    let shell = use_shell();
    let clock = shell.clock;
    let local = Local {
        offset_minutes: clock.offset_minutes,
    };
    let state = use_reducer(move || CalendarState::new(clock.now, local));

    {
        let window = state.window();
        use_command(
            &state,
            state.request,
            move |_| Some(async move { commands::bookings_between(&window).await }),
            |request, answer| match answer {
                Ok(bookings) => CalendarAction::Loaded { request, bookings },
                Err(error) => CalendarAction::Failed {
                    request,
                    message: error.message,
                },
            },
        );
    }
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(CalendarAction::Reload));
    }
    let editor = state.editor.clone();
    use_command(
        &state,
        editor.as_ref().filter(|e| e.loading).and_then(|e| e.id()),
        |id| {
            let id = (*id)?;
            Some(async move { commands::get_booking(&id).await })
        },
        |_, booking| CalendarAction::EditorLoaded(Box::new(booking.map_err(|e| e.message))),
    );
    use_command(
        &state,
        editor.as_ref().and_then(|e| e.check),
        |check| {
            let (_, check) = (*check)?;
            Some(async move { commands::check_overlaps(&check).await })
        },
        |check, bookings| CalendarAction::Overlaps {
            // Only run for a check, so there is always its `seq`.
            seq: check.map_or(0, |(seq, _)| seq),
            bookings: bookings.map_err(|e| e.message),
        },
    );
    use_command(
        &state,
        editor.as_ref().and_then(BookingEditor::saving),
        |saving| {
            let (_, save) = saving.clone()?;
            Some(async move {
                match save {
                    EditorSave::Create(input) => commands::create_booking(&input).await,
                    EditorSave::Update(id, input) => {
                        commands::update_booking(&UpdateBooking { id, input }).await
                    }
                }
            })
        },
        |_, saved| CalendarAction::Saved(saved.map(Box::new)),
    );
    use_command(
        &state,
        editor.as_ref().and_then(|e| e.deleting),
        |deleting| {
            let (_, id) = (*deleting)?;
            Some(async move { commands::delete_booking(&id).await })
        },
        |_, deleted| CalendarAction::Deleted(deleted.map(|_| ()).map_err(|e| e.message)),
    );
    {
        let state = state.clone();
        use_page_request(Route::Calendar, move |shortcut| {
            if shortcut == Shortcut::New {
                let hour = local.naive(clock.now).hour() + 1;
                state.dispatch(CalendarAction::New(state.anchor, hour));
            }
        });
    }

    // Positions on the time grid go through the CSSOM (no inline styles under the CSP), after
    // every render that could have moved them.
    use_effect(|| platform::apply_layouts(".page--calendar"));
    {
        let loaded = (state.load == ListView::Loaded, state.view, state.anchor);
        use_effect_with(loaded, |(loaded, view, _)| {
            if *loaded && *view == CalendarView::Week {
                platform::scroll_into_view_on_phone("#week .week__day--today");
            }
        });
    }
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let now_hour = local.naive(clock.now).hour() + 1;
    let new_day = state_anchor_or_today(&state);
    let view_button = |view: CalendarView, label: &'static str, id: &'static str| {
        html! {
            <button
                type="button"
                {id}
                class={classes!("segmented__option", (state.view == view).then_some("segmented__option--on"))}
                aria-pressed={(state.view == view).to_string()}
                onclick={dispatch.reform(move |_: MouseEvent| CalendarAction::View(view))}
            >
                { label }
            </button>
        }
    };
    let body = match &state.load {
        ListView::Failed(message) => html! {
            <div class="card">
                <ListError id="calendar-error" title="Couldn't load the calendar." message={message.clone()} on_retry={dispatch.reform(|()| CalendarAction::Reload)} />
            </div>
        },
        _ => match state.view {
            CalendarView::Week => week_view(&state, clock.now, &dispatch),
            CalendarView::Day => day_view(&state, clock.now, &dispatch),
        },
    };
    let here = Here {
        now: clock.now,
        local,
        time_zone: platform::time_zone_name(),
    };
    html! {
        <div class="page page--calendar">
            <div class="toolbar calendar-bar">
                <div class="calendar-bar__nav">
                    <button id="calendar-today" type="button" class="button button--secondary button--small" onclick={dispatch.reform(|_: MouseEvent| CalendarAction::Today)}>{ "Today" }</button>
                    <button id="calendar-prev" type="button" class="icon-button" aria-label="Earlier" onclick={dispatch.reform(|_: MouseEvent| CalendarAction::Previous)}>{ icon(Icon::ChevronLeft) }</button>
                    <button id="calendar-next" type="button" class="icon-button" aria-label="Later" onclick={dispatch.reform(|_: MouseEvent| CalendarAction::Next)}>{ icon(Icon::ChevronRight) }</button>
                    <h2 id="calendar-title" class="calendar-bar__title">{ state.title() }</h2>
                </div>
                <div class="segmented calendar-bar__views" role="group" aria-label="View">
                    { view_button(CalendarView::Day, "Day", "calendar-day") }
                    { view_button(CalendarView::Week, "Week", "calendar-week") }
                </div>
                <button
                    id="new-booking"
                    type="button"
                    class="button button--primary"
                    onclick={dispatch.reform(move |_: MouseEvent| CalendarAction::New(new_day, now_hour))}
                >
                    { icon(Icon::Plus) }{ "New booking" }
                </button>
            </div>
            if let Some(message) = &state.message {
                <div id="calendar-message" class="toast" role="status">
                    <span class="toast__text">{ message }</span>
                    <button type="button" class="icon-button" aria-label="Dismiss" onclick={dispatch.reform(|_: MouseEvent| CalendarAction::Close)}>{ icon(Icon::Close) }</button>
                </div>
            }
            { body }
            if let Some(editor) = editor {
                { editor_view(&editor, local, &dispatch, here) }
            }
        </div>
    }
}

fn state_anchor_or_today(state: &CalendarState) -> NaiveDate {
    let days = state.days();
    if days.contains(&state.today) {
        state.today
    } else {
        state.anchor
    }
}

fn booking_chip(
    state: &CalendarState,
    booking: &BookingSummary,
    dispatch: &Callback<CalendarAction>,
    placed: Option<(&Placed<'_>, u32)>,
) -> Html {
    let id = booking.id;
    let overlaps = placed.map_or_else(|| u32::from(state.clashes(booking)), |(p, _)| p.overlaps);
    let clash = overlaps > 0;
    let cancelled = booking.status == BookingStatus::Cancelled;
    let layout = placed.map(|(p, grid)| p.layout(grid));
    let short = placed.is_some_and(|(p, _)| p.length < 45);
    html! {
        <li key={id.to_string()} class={classes!(placed.is_some().then_some("time-grid__slot"))} data-layout={layout}>
            <button
                type="button"
                class={classes!(
                    "booking-chip",
                    format!("booking-chip--{}", booking.kind.as_str()),
                    clash.then_some("booking-chip--clash"),
                    cancelled.then_some("booking-chip--cancelled"),
                    short.then_some("booking-chip--short"),
                )}
                data-booking-id={id.to_string()}
                onclick={dispatch.reform(move |_: MouseEvent| CalendarAction::Edit(id))}
            >
                <span class="booking-chip__time">
                    { format!("{}–{}", state.local.time(booking.starts_at), state.local.time(booking.ends_at)) }
                    if let Some(label) = clash_label(overlaps) {
                        <span class="booking-chip__clash" title="Shares time with other bookings">{ icon(Icon::Warning) }{ label }</span>
                    }
                </span>
                <span class="booking-chip__title">
                    { booking.title.clone().unwrap_or_else(|| booking.kind.label().to_owned()) }
                </span>
                <span class="booking-chip__meta">
                    { booking_line(booking) }
                    if cancelled {
                        { " · Cancelled" }
                    }
                </span>
            </button>
        </li>
    }
}

/// One day's column of the time grid: an hour is [`HOUR_PX`] tall, each booking at its true
/// start and length, overlapping ones side by side, a line at the current time today, and an
/// empty hour a button that starts a booking there.
fn time_grid(
    state: &CalendarState,
    day: NaiveDate,
    (first, last): (u32, u32),
    now: DateTime<Utc>,
    dispatch: &Callback<CalendarAction>,
) -> Html {
    let bookings = state.on_day(day);
    let placed = place(&bookings, state.local, day, first, last);
    let grid = (last - first) * 60;
    // Today only, and only within the hours shown.
    let now_line = (day == state.today)
        .then(|| {
            let t = state.local.naive(now).time();
            let minute = (t.hour() * 60 + t.minute()).checked_sub(first * 60)?;
            (minute < grid)
                .then(|| format!("top:{:.3}%", f64::from(minute) * 100.0 / f64::from(grid)))
        })
        .flatten();
    html! {
        <div class="time-grid" data-layout={format!("height:{}px", (last - first) * HOUR_PX)}>
            for hour in first..last {
                <button
                    key={format!("add-{hour}")}
                    type="button"
                    class="time-grid__add"
                    aria-label={format!("New booking on {} at {hour:02}:00", date_label(day, state.today))}
                    onclick={dispatch.reform(move |_: MouseEvent| CalendarAction::New(day, hour))}
                ></button>
            }
            if let Some(layout) = now_line {
                <div class="time-grid__now" data-layout={layout} role="img" aria-label="Now"></div>
            }
            <ul class="time-grid__bookings">
                for p in placed.iter() {
                    { booking_chip(state, p.booking, dispatch, Some((p, grid))) }
                }
            </ul>
        </div>
    }
}

/// The hour labels beside the grid.
fn gutter((first, last): (u32, u32)) -> Html {
    html! {
        <div class="time-gutter" aria-hidden="true">
            <div class="time-gutter__head"></div>
            for hour in first..last {
                <span key={hour} class="time-gutter__hour">{ format!("{hour:02}:00") }</span>
            }
        </div>
    }
}

fn week_view(
    state: &CalendarState,
    now: DateTime<Utc>,
    dispatch: &Callback<CalendarAction>,
) -> Html {
    let days = state.days();
    let shown: Vec<&BookingSummary> = days.iter().flat_map(|d| state.on_day(*d)).collect();
    let span = hours(&shown, state.local);
    html! {
        <div id="week" class="week">
            { gutter(span) }
            for day in days {
                <section
                    key={day.to_string()}
                    class={classes!(
                        "week__day",
                        (day == state.today).then_some("week__day--today"),
                        state.on_day(day).is_empty().then_some("week__day--empty"),
                    )}
                    data-day={day.to_string()}
                >
                    <header class="week__head">
                        <span class="week__weekday">{ day.format("%a").to_string() }</span>
                        <span class="week__date">{ day.format("%-d").to_string() }</span>
                        if state.on_day(day).is_empty() && state.load == ListView::Loaded {
                            <span class="week__free">{ "Free" }</span>
                        }
                        <button
                            type="button"
                            class="icon-button week__add"
                            aria-label={format!("New booking on {}", date_label(day, state.today))}
                            onclick={dispatch.reform(move |_: MouseEvent| CalendarAction::New(day, 10))}
                        >
                            { icon(Icon::Plus) }
                        </button>
                    </header>
                    { time_grid(state, day, span, now, dispatch) }
                </section>
            }
        </div>
    }
}

fn day_view(
    state: &CalendarState,
    now: DateTime<Utc>,
    dispatch: &Callback<CalendarAction>,
) -> Html {
    let day = state.anchor;
    let span = hours(&state.on_day(day), state.local);
    html! {
        <div id="day" class="card day">
            { gutter(span) }
            <section class="day__column" data-day={day.to_string()}>
                { time_grid(state, day, span, now, dispatch) }
            </section>
        </div>
    }
}

fn editor_view(
    editor: &BookingEditor,
    local: Local,
    dispatch: &Callback<CalendarAction>,
    here: Here,
) -> Html {
    let form = &editor.form.draft.fields;
    let set = |name: &'static str| {
        dispatch.reform(move |value: String| CalendarAction::Set(name.into(), value))
    };
    let error = |name: &str| {
        editor
            .form
            .errors
            .get(name)
            .map(|m| AttrValue::from(m.to_owned()))
    };
    let onsubmit = dispatch.reform(move |event: SubmitEvent| {
        event.prevent_default();
        CalendarAction::Save(here.clone())
    });
    let on_status = dispatch.reform(|value: String| {
        CalendarAction::Status(
            BookingStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == value)
                .unwrap_or_default(),
        )
    });
    let busy = editor.form.submitting || editor.deleting.is_some();
    let title = if editor.id().is_some() {
        "Booking"
    } else {
        "New booking"
    };
    html! {
        <Dialog id="booking-editor" {title} on_close={dispatch.reform(|()| CalendarAction::Close)}>
            <form id="booking-form" class="form" novalidate=true {onsubmit}>
                if let Some(banner) = &editor.form.errors.banner {
                    <div class="banner banner--error" role="alert">
                        <span class="banner__icon" aria-hidden="true"></span>
                        <p class="banner__text">{ banner }</p>
                    </div>
                }
                <div class="form-grid">
                    <SelectField id="booking-kind" label="Kind" value={form.booking_kind.as_str()} options={choice_options::<BookingKind>()} on_change={set("booking_kind")} />
                    <TextField id="booking-title" label="Title" value={form.title.clone()} error={error("title")} on_input={set("title")} />
                    <TextField id="booking-date" label="Date" input_type="date" value={form.date.clone()} error={error("date")} on_input={set("date")} />
                    <TextField id="booking-time" label="Starts" input_type="time" value={form.time.clone()} error={error("time")} on_input={set("time")} />
                    <TextField id="booking-length" label="Minutes" value={form.length.clone()} error={error("length")} on_input={set("length")} />
                    <TextField id="booking-location" label="Where" value={form.location.clone()} error={error("location")} on_input={set("location")} />
                    <ContactPicker
                        id="booking-with"
                        chosen={editor.form.draft.with.iter().map(|id| (*id, editor.name_of(*id))).collect::<Vec<_>>()}
                        on_add={dispatch.reform(|(id, name)| CalendarAction::With(id, name))}
                        on_remove={dispatch.reform(CalendarAction::Unwith)}
                    />
                    <ListingPicker
                        id="booking-listing"
                        value={editor.form.draft.listing}
                        on_change={dispatch.reform(CalendarAction::Listing)}
                    />
                    if editor.id().is_some() {
                        <SelectField id="booking-status" label="Status" value={editor.form.draft.status.as_str()} options={choice_options::<BookingStatus>()} on_change={on_status} />
                    }
                </div>
                if !editor.overlaps.is_empty() {
                    <div id="booking-overlap" class="banner banner--warning banner--inline" role="status">
                        <span class="banner__glyph">{ icon(Icon::Warning) }</span>
                        <div class="banner__text">
                            <p class="banner__title">
                                { if editor.saved_with_overlaps { "Saved. It overlaps:" } else { "This overlaps:" } }
                            </p>
                            <ul class="overlap-list">
                                for other in editor.overlaps.iter() {
                                    <li key={other.id.to_string()}>
                                        <strong>{ format!("{}–{}", local.time(other.starts_at), local.time(other.ends_at)) }</strong>
                                        { " " }{ other.title.clone().unwrap_or_else(|| other.kind.label().to_owned()) }
                                    </li>
                                }
                            </ul>
                        </div>
                    </div>
                }
                <div class="form__actions">
                    if editor.id().is_some() {
                        <button id="booking-delete" type="button" class="button button--danger form__left" disabled={busy} onclick={dispatch.reform(|_: MouseEvent| CalendarAction::Delete)}>
                            { "Delete" }
                        </button>
                    }
                    <button type="button" class="button button--secondary" onclick={dispatch.reform(|_: MouseEvent| CalendarAction::Close)}>
                        { if editor.saved_with_overlaps { "Done" } else { "Cancel" } }
                    </button>
                    <button
                        id="booking-save"
                        type="submit"
                        class={classes!("button", "button--primary", editor.form.submitting.then_some("button--busy"))}
                        disabled={busy || editor.loading}
                    >
                        <span class="button__spinner" aria-hidden="true"></span>
                        { "Save booking" }
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// "Showing · with Ada King · 12 Elm Street, Springfield": the kind, who, and where (the
/// listing's address, else the place written on the booking).
pub fn booking_line(booking: &BookingSummary) -> String {
    let mut parts = vec![booking.kind.label().to_owned()];
    if !booking.with.is_empty() {
        let names: Vec<&str> = booking.with.iter().map(|(_, n)| n.as_str()).collect();
        parts.push(format!("with {}", names.join(", ")));
    }
    if let Some(place) = booking
        .listing_address
        .as_ref()
        .or(booking.location.as_ref())
    {
        parts.push(place.clone());
    }
    parts.join(" · ")
}
