//! One contact: its header, the composer and timeline (with the contact's emails and texts,
//! `messages`), every field in an editor showing the engine's messages inline, and the markers
//! and dialog for fields changed on two devices at once. The rules live in [`DetailState`] and
//! [`ContactForm`]; this runs their requests.

mod messages;

use crate::components::composer::ComposerCard;
use crate::components::conflict_dialog::{field_label, ConflictDialog};
use crate::components::contact_fields::ContactFields;
use crate::components::contact_head::ContactHead;
use crate::components::custom_fields::CustomFieldsView;
use crate::components::follow_up_plan::FollowUpPlan;
use crate::components::icons::{icon, Icon};
use crate::components::matches::ListingMatchesCard;
use crate::components::states::{page_frame, EmptyState, FrameText, ListLoading, MissingText};
use crate::components::task_dialog::TaskDialog;
use crate::components::timeline::Timeline;
use crate::hooks::{use_command, use_remote_revision, use_shell, use_submit};
use crate::pages::share::ShareContactButton;
use crate::route::Route;
use crate::services::{commands, platform};
use crate::state::contact_draft::ContactDraft;
use crate::state::contact_form::{ContactForm, FormAction, FormScope};
use crate::state::contact_messages::{connected, Delivery};
use crate::state::detail::{Composed, ComposerInput, DetailAction, DetailState, DetailTab, Here};
use crate::state::form::input_id;
use crate::state::format::Local;
use crate::state::ShellAction;
use chrono::Timelike;
use fieldstone_model::{Contact, ContactId, ContactKind, MessageChannel, Preferences, RecordRef};
use fieldstone_protocol::commands::{
    ResolveConflict, SetTaskStatus, TimelineRequest, UpdateContact,
};
use yew::platform::spawn_local;
use yew::prelude::*;

const PREFIX: &str = "contact";
const FRAME: FrameText = FrameText {
    name: "contact",
    loading: "Opening the contact…",
    failed: "Couldn't open this contact.",
    rows: 2,
    card: false,
    missing: Some(MissingText {
        title: "This contact is not here.",
        back_label: "Back to contacts",
        back: Route::Contacts,
    }),
};
const TIMELINE_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ContactDetailProps {
    pub id: ContactId,
}

#[component]
pub fn ContactDetailPage(props: &ContactDetailProps) -> Html {
    let shell = use_shell();
    let clock = shell.clock;
    let local = Local {
        offset_minutes: clock.offset_minutes,
    };
    let id = props.id;
    let state = use_reducer(move || {
        let now = local.naive(clock.now);
        DetailState::new(id, now.date(), now.hour())
    });
    let form = use_reducer(|| ContactForm::new(FormScope::Full, ContactDraft::default()));
    let delete_error = use_state(|| None::<String>);
    // The task opened from the timeline to edit, reschedule or finish.
    let task_dialog = use_state(|| None::<fieldstone_protocol::views::TaskSummary>);

    // Every generation: the contact, then the first page of its timeline.
    {
        let state = state.clone();
        use_effect_with(state.request, move |&request| {
            let timeline = state.clone();
            spawn_local(async move {
                state.dispatch(match commands::get_contact(&id).await {
                    Ok(detail) => DetailAction::Loaded {
                        request,
                        detail: Box::new(detail),
                    },
                    Err(error) => DetailAction::LoadFailed { request, error },
                });
            });
            spawn_local(async move {
                let ask = TimelineRequest {
                    contact: id,
                    limit: TIMELINE_PAGE,
                    after: None,
                };
                timeline.dispatch(match commands::timeline(&ask).await {
                    Ok(page) => DetailAction::TimelineLoaded {
                        request,
                        page,
                        more: false,
                    },
                    Err(error) => DetailAction::TimelineFailed {
                        request,
                        message: error.message,
                    },
                });
            });
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.timeline_more_seq, move |_| {
            if let Some(after) = state.timeline_more.clone() {
                let request = state.request;
                spawn_local(async move {
                    let ask = TimelineRequest {
                        contact: id,
                        limit: TIMELINE_PAGE,
                        after: Some(after),
                    };
                    state.dispatch(match commands::timeline(&ask).await {
                        Ok(page) => DetailAction::TimelineLoaded {
                            request,
                            page,
                            more: true,
                        },
                        Err(error) => DetailAction::TimelineFailed {
                            request,
                            message: error.message,
                        },
                    });
                });
            }
        });
    }
    messages::use_contact_messages(&state);
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(DetailAction::Reload));
    }
    // The editor follows the stored contact unless the person is in the middle of an edit.
    {
        let form = form.clone();
        let contact: Option<Contact> = state.detail.as_ref().map(|d| d.contact.clone());
        let dirty = form.dirty;
        use_effect_with(contact, move |contact| {
            if let (Some(contact), false) = (contact, dirty) {
                form.dispatch(FormAction::Reset(Box::new(ContactDraft::from_contact(
                    contact,
                ))));
            }
        });
    }
    {
        let state = state.clone();
        use_submit(&form, move |input| async move {
            let saved = commands::update_contact(&UpdateContact { id, input }).await;
            if saved.is_ok() {
                // The header and timeline show the stored contact too.
                state.dispatch(DetailAction::Reload);
            }
            saved
        });
    }
    {
        let focus = form.focus.clone();
        use_effect_with(focus, |focus| {
            if let Some(focus) = focus {
                platform::focus(&input_id(PREFIX, &focus.path));
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.run.clone(), move |run| {
            if let Some(run) = run.clone() {
                spawn_local(async move {
                    let result = match run.input {
                        ComposerInput::Note(note) => {
                            commands::add_note(&note).await.map(|_| Composed::Note)
                        }
                        ComposerInput::Call(call) => commands::log_interaction(&call)
                            .await
                            .map(|_| Composed::Call),
                        ComposerInput::Booking(booking) => commands::create_booking(&booking)
                            .await
                            .map(|saved| Composed::Booking(saved.overlaps)),
                        ComposerInput::Task(task) => {
                            commands::create_task(&task).await.map(|_| Composed::Task)
                        }
                        ComposerInput::Message(message) => commands::queue_message(&message)
                            .await
                            .map(|queued| Composed::Message(queued.channel, queued.id)),
                    };
                    state.dispatch(DetailAction::Composed(result));
                });
            }
        });
    }
    use_command(
        &state,
        state.overlap_check,
        |check| {
            let (_, check) = (*check)?;
            Some(async move { commands::check_overlaps(&check).await })
        },
        |check, bookings| DetailAction::Overlaps {
            // Only run for a check, so there is always its `seq`.
            seq: check.map_or(0, |(seq, _)| seq),
            bookings: bookings.map_err(|e| e.message),
        },
    );
    {
        let (state, shell) = (state.clone(), shell.clone());
        use_effect_with(state.resolving.clone(), move |resolving| {
            if let Some((_, field, choice)) = resolving.clone() {
                spawn_local(async move {
                    let ask = ResolveConflict {
                        record: RecordRef::Contact(id),
                        field,
                        choice,
                    };
                    let result = commands::resolve_conflict(&ask).await;
                    state.dispatch(DetailAction::Resolved(result.map_err(|e| e.message)));
                    shell.dispatch(ShellAction::RecheckConflicts);
                });
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.task_update, move |update| {
            if let Some((_, task, status)) = *update {
                spawn_local(async move {
                    let result = commands::set_task_status(&SetTaskStatus {
                        id: task,
                        status,
                        note: None,
                    })
                    .await;
                    state.dispatch(DetailAction::TaskUpdated(
                        result.map(|_| ()).map_err(|e| e.message),
                    ));
                });
            }
        });
    }

    // Benchmarks time the contact screen from this mark (header and first timeline page shown).
    use_effect_with(
        (state.detail.is_some(), state.timeline_loaded),
        |(detail, timeline)| {
            if *detail && *timeline {
                platform::mark("fieldstone:contact");
            }
        },
    );
    // The top bar names the person once they are known.
    {
        let shell = shell.clone();
        let name = state.detail.as_ref().map(|d| d.contact.display_name());
        use_effect_with(name, move |name| {
            if let Some(name) = name {
                shell.dispatch(ShellAction::Named(Route::Contact(id), name.clone()));
            }
        });
    }
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let retry = dispatch.reform(|()| DetailAction::Reload);
    let detail = match page_frame(
        &state.view,
        state.detail.as_ref(),
        state.missing,
        &FRAME,
        retry,
    ) {
        Ok(detail) => detail.clone(),
        Err(frame) => return frame,
    };
    let contact = &detail.contact;
    let conflict_fields: Vec<String> = detail.conflicts.iter().map(|c| c.field.clone()).collect();
    let here = Here {
        now: clock.now,
        local,
        time_zone: platform::time_zone_name(),
    };
    let online = connected(shell.shell.sync.as_ref());
    let on_details = dispatch.reform(|channel| {
        // The address or number goes in under Details (the other half on a phone).
        platform::focus(match channel {
            MessageChannel::Email => "contact-emails-0-address",
            MessageChannel::Sms => "contact-phones-0-number",
        });
        DetailAction::Tab(DetailTab::Details)
    });

    let on_edit = {
        let form = form.clone();
        Callback::from(move |edit| form.dispatch(FormAction::Edit(edit)))
    };
    let on_save = {
        let form = form.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            form.dispatch(FormAction::Submit);
        })
    };
    let on_discard = {
        let form = form.clone();
        let contact = contact.clone();
        Callback::from(move |_: MouseEvent| {
            form.dispatch(FormAction::Reset(Box::new(ContactDraft::from_contact(
                &contact,
            ))));
        })
    };
    let open_conflict = dispatch.reform(DetailAction::OpenConflict);
    let on_delete = {
        let (shell, delete_error) = (shell.clone(), delete_error.clone());
        let name = contact.display_name();
        Callback::from(move |_: MouseEvent| {
            let (shell, delete_error, name) = (shell.clone(), delete_error.clone(), name.clone());
            spawn_local(async move {
                match commands::delete_contact(&id).await {
                    Ok(_) => shell.dispatch(ShellAction::Deleted(RecordRef::Contact(id), name)),
                    Err(error) => delete_error.set(Some(error.message)),
                }
            });
        })
    };
    let tab = |tab: DetailTab, label: &'static str| {
        html! {
            <button
                type="button"
                id={format!("detail-tab-{}", if tab == DetailTab::Activity { "activity" } else { "details" })}
                role="tab"
                aria-selected={(state.tab == tab).to_string()}
                class={classes!("segmented__option", (state.tab == tab).then_some("segmented__option--on"))}
                onclick={dispatch.reform(move |_: MouseEvent| DetailAction::Tab(tab))}
            >
                { label }
                // Errors on a tab not shown would otherwise go unseen on a phone.
                if tab == DetailTab::Details && (!form.errors.fields.is_empty() || form.errors.banner.is_some()) {
                    <span class="tab-badge" aria-label="has errors to fix">{ "!" }</span>
                }
                if tab == DetailTab::Activity && !state.composer_errors.fields.is_empty() {
                    <span class="tab-badge" aria-label="has errors to fix">{ "!" }</span>
                }
            </button>
        }
    };

    html! {
        <div class="page page--detail" data-contact-id={id.to_string()}>
            <ContactHead
                contact={contact.clone()}
                next_task={detail.next_task.clone()}
                score={detail.score.clone()}
                now={clock.now}
                {local}
                on_logged={dispatch.reform(|()| DetailAction::Reload)}
                share={html! { <ShareContactButton contact={id} name={AttrValue::from(contact.display_name())} /> }}
            />
            <FollowUpPlan contact={id} open={detail.follow_ups_open} server={shell.shell.sync.as_ref().is_some_and(|s| s.state != fieldstone_protocol::commands::SyncState::LocalOnly)} on_changed={dispatch.reform(DetailAction::Changed)} />
            if let Some(editing) = (*task_dialog).clone() {
                <TaskDialog
                    editing={Some(editing)}
                    day={local.date(clock.now)}
                    {local}
                    on_close={{ let task_dialog = task_dialog.clone(); Callback::from(move |()| task_dialog.set(None)) }}
                    on_saved={{
                        let (task_dialog, dispatch) = (task_dialog.clone(), dispatch.clone());
                        Callback::from(move |said: String| {
                            task_dialog.set(None);
                            dispatch.emit(DetailAction::Changed(said));
                        })
                    }}
                />
            }
            if !detail.conflicts.is_empty() {
                <div id="conflict-banner" class="banner banner--warning banner--inline" role="status">
                    <span class="banner__glyph">{ icon(Icon::Warning) }</span>
                    <div class="banner__text">
                        <p class="banner__title">
                            { if detail.conflicts.len() == 1 {
                                "A field was changed on two devices at the same time.".to_owned()
                            } else {
                                format!("{} fields were changed on two devices at the same time.", detail.conflicts.len())
                            } }
                        </p>
                        <ul class="banner__list">
                            for conflict in detail.conflicts.iter() {
                                <li data-conflict-field={conflict.field.clone()}>
                                    { conflict_sentence(conflict) }
                                </li>
                            }
                        </ul>
                        <p class="banner__actions">
                            for conflict in detail.conflicts.iter() {
                                <button
                                    type="button"
                                    class="button button--small button--secondary"
                                    data-field={conflict.field.clone()}
                                    onclick={{ let field = conflict.field.clone(); open_conflict.reform(move |_: MouseEvent| field.clone()) }}
                                >
                                    { format!("Choose the {}", field_label(&conflict.field).to_lowercase()) }
                                </button>
                            }
                        </p>
                    </div>
                </div>
            }
            <div class="segmented detail-tabs" role="tablist">
                { tab(DetailTab::Activity, "Activity") }
                { tab(DetailTab::Details, "Details") }
            </div>
            <div class={classes!("detail-grid", format!("detail-grid--{}", if state.tab == DetailTab::Activity { "activity" } else { "details" }))}>
                <div class="detail-activity">
                    <ComposerCard
                        composer={state.composer.clone()}
                        errors={state.composer_errors.clone()}
                        busy={state.run.is_some()}
                        overlaps={state.overlaps.clone()}
                        message={state.message.clone().map(AttrValue::from)}
                        message_warns={state.message_warns}
                        {local}
                        now={clock.now}
                        contact_name={AttrValue::from(contact.display_name())}
                        recipients={state.recipients.clone()}
                        refusal={state.composer_refusal()}
                        connected={online}
                        contact={Some(contact.id)}
                        {on_details}
                        on_undo={state.undo.map(|id| dispatch.reform(move |()| DetailAction::Withdraw(id)))}
                        on_kind={dispatch.reform(move |kind| DetailAction::Compose(kind, local))}
                        on_set={dispatch.reform(move |(name, value)| DetailAction::ComposerSet(name, value, local))}
                        on_submit={dispatch.reform(move |()| DetailAction::Submit(here.clone()))}
                    />
                    // A seller with no wish list is not shopping: no card for them.
                    if contact.kind != ContactKind::Seller || contact.preferences != Preferences::default() {
                        <ListingMatchesCard contact={contact.id} revision={contact.updated_at.timestamp_millis()} />
                    }
                    <section class="card card--list" aria-labelledby="timeline-heading">
                        <div class="card__header">
                            <h2 id="timeline-heading" class="card__title">{ "Timeline" }</h2>
                        </div>
                        if let Some(message) = &state.messages.error {
                            <div class="banner banner--warning" role="status">
                                <p class="banner__text">{ format!("Couldn't load the emails and texts: {message}") }</p>
                            </div>
                        }
                        if let Some(message) = &state.timeline_error {
                            <div class="banner banner--warning" role="status">
                                <p class="banner__text">{ format!("Couldn't load the timeline: {message}") }</p>
                            </div>
                        }
                        if !state.timeline_loaded {
                            <ListLoading id="timeline-loading" label="Loading the timeline…" rows={2} />
                        } else if state.timeline.is_empty() && state.messages.list.is_empty() {
                            <EmptyState id="timeline-empty" title="Nothing here yet.">
                                <p class="list-state__text">{ "Notes, emails, texts, calls, bookings and tasks for this contact will show here." }</p>
                            </EmptyState>
                        } else {
                            <Timeline
                                entries={state.timeline.clone()}
                                now={clock.now}
                                {local}
                                on_task={dispatch.reform(|(task, status)| DetailAction::SetTaskStatus(task, status))}
                                on_edit_task={{ let task_dialog = task_dialog.clone(); Some(Callback::from(move |task| task_dialog.set(Some(task)))) }}
                                messages={state.messages.clone()}
                                more={state.timeline_next.is_some()}
                                delivery={Delivery::of(shell.shell.sync.as_ref())}
                                on_toggle_message={dispatch.reform(DetailAction::ToggleMessage)}
                                on_withdraw={dispatch.reform(DetailAction::Withdraw)}
                            />
                            if state.timeline_next.is_some() {
                                <div class="list-footer">
                                    <button id="timeline-more" type="button" class="button button--secondary" disabled={state.timeline_more.is_some()} onclick={dispatch.reform(|_: MouseEvent| DetailAction::TimelineMore)}>
                                        { "Older entries" }
                                    </button>
                                </div>
                            }
                        }
                    </section>
                </div>
                <aside class="card detail-details" aria-label="Details">
                    <CustomFieldsView fields={contact.custom_fields.clone()} />
                    <form id="contact-form" class="form" novalidate=true onsubmit={on_save}>
                        if let Some(banner) = &form.errors.banner {
                            <div id="contact-form-banner" class="banner banner--error" role="alert">
                                <span class="banner__icon" aria-hidden="true"></span>
                                <p class="banner__text">{ banner }</p>
                            </div>
                        }
                        <ContactFields
                            scope={FormScope::Full}
                            prefix={PREFIX}
                            draft={form.draft.clone()}
                            errors={form.errors.clone()}
                            now={clock.now}
                            {on_edit}
                            conflicts={conflict_fields}
                            on_conflict={open_conflict.clone()}
                        />
                        <div class={classes!("save-bar", (form.dirty || form.submitting).then_some("save-bar--dirty"))}>
                            if form.dirty || form.submitting {
                                <span class="save-bar__text">{ "Unsaved changes" }</span>
                                <button type="button" class="button button--ghost" onclick={on_discard} disabled={form.submitting}>{ "Discard" }</button>
                            } else if form.saved.is_some() {
                                <span id="contact-saved" class="form-success" role="status">
                                    <span class="form-success__icon" aria-hidden="true"></span>
                                    { "Saved on this device." }
                                </span>
                            }
                            <button
                                id="contact-save"
                                type="submit"
                                class={classes!("button", "button--primary", form.submitting.then_some("button--busy"))}
                                disabled={!form.dirty || form.submitting}
                            >
                                <span class="button__spinner" aria-hidden="true"></span>
                                { "Save changes" }
                            </button>
                        </div>
                    </form>
                    { stage_history(contact, local, clock.now) }
                    <section class="detail-danger" aria-label="Delete">
                        <button id="contact-delete" type="button" class="button button--danger-ghost" onclick={on_delete}>
                            { "Delete contact" }
                        </button>
                        <p class="detail-danger__hint">{ "You can undo this right after, and it stays recoverable on this device." }</p>
                        if let Some(message) = &*delete_error {
                            <p class="field__error" role="alert">{ message.clone() }</p>
                        }
                    </section>
                </aside>
            </div>
            if let Some(conflict) = state.open_conflict() {
                <ConflictDialog
                    conflict={conflict.clone()}
                    busy={state.resolving.is_some()}
                    error={state.conflict_error.clone().map(AttrValue::from)}
                    on_choose={dispatch.reform(DetailAction::Resolve)}
                    on_close={dispatch.reform(|()| DetailAction::CloseConflict)}
                />
            }
        </div>
    }
}

/// Every stage move, newest first, under the editor.
fn stage_history(contact: &Contact, local: Local, now: chrono::DateTime<chrono::Utc>) -> Html {
    if contact.stage_history.is_empty() {
        return Html::default();
    }
    html! {
        <section id="stage-history" class="stage-history" aria-labelledby="stage-history-title">
            <h3 id="stage-history-title" class="stage-history__title">{ "Stage history" }</h3>
            <ol class="stage-history__list">
                for change in contact.stage_history.iter().rev() {
                    <li class="stage-history__item">
                        <span>{ format!("{} → {}", change.from.label(), change.to.label()) }</span>
                        <time class="stage-history__when">{ local.when(change.at, now) }</time>
                    </li>
                }
            </ol>
        </section>
    }
}

/// "Stage: Offer or Showing" — the field and every value it holds.
fn conflict_sentence(conflict: &fieldstone_protocol::views::FieldConflict) -> String {
    let values: Vec<String> = conflict
        .options
        .iter()
        .map(|o| {
            if o.display.is_empty() {
                "(empty)".to_owned()
            } else {
                o.display.clone()
            }
        })
        .collect();
    format!("{}: {}", field_label(&conflict.field), values.join(" or "))
}

#[cfg(test)]
mod conflict_tests {
    use super::conflict_sentence;
    use fieldstone_protocol::views::{ConflictOption, FieldConflict};

    #[test]
    fn the_banner_names_the_field_and_both_values() {
        let conflict = FieldConflict {
            field: "stage".into(),
            options: vec![
                ConflictOption {
                    display: "Offer".into(),
                    choice: "a".into(),
                },
                ConflictOption {
                    display: "Showing".into(),
                    choice: "b".into(),
                },
            ],
        };
        assert_eq!(conflict_sentence(&conflict), "Stage: Offer or Showing");
    }
}
