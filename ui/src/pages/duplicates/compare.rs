//! Two contacts of a group side by side (stacked on a phone): what each holds and how much
//! hangs off it, which one is kept, a sentence saying what the merge will do, and the merge.
//! In a group of more than two, the first is compared with one other at a time.

use crate::components::icons::{icon, Icon};
use crate::components::states::ListLoading;
use crate::state::duplicates::{group_title, DuplicatesAction, DuplicatesState, Preview};
use crate::state::format::{count, date_label, Local};
use chrono::{DateTime, Utc};
use fieldstone_model::ContactId;
use fieldstone_protocol::commands::MergeSide;
use yew::prelude::*;

/// The comparison step of the dialog.
pub fn comparison(
    state: &DuplicatesState,
    dispatch: &Callback<DuplicatesAction>,
    local: Local,
    now: DateTime<Utc>,
) -> Html {
    let Some(group) = &state.group else {
        return Html::default();
    };
    let back = dispatch.reform(|_: MouseEvent| DuplicatesAction::Back);
    let pair = state.pair;
    // A group of more than two: which of the others the first is compared with.
    let others = (group.contacts.len() > 2).then(|| {
        let first = group.contacts.first().map(|c| c.display_name.clone());
        html! {
            <div class="dupes-others" role="group" aria-label="Compare with">
                <span class="dupes-others__label">{ format!("Compare {} with", first.unwrap_or_default()) }</span>
                { for group.contacts.iter().skip(1).map(|other| {
                    let on = pair.map(|p| p.1) == Some(other.id);
                    let id = other.id;
                    html! {
                        <button type="button" class={classes!("chip", on.then_some("chip--on"))} aria-pressed={on.to_string()}
                            data-contact-id={other.id.to_string()}
                            onclick={dispatch.reform(move |_: MouseEvent| DuplicatesAction::CompareWith(id))}>
                            { other.display_name.clone() }
                        </button>
                    }
                }) }
            </div>
        }
    });
    let kept = state
        .merge_request()
        .and_then(|m| state.side(m.survivor))
        .map(|s| s.contact.display_name());
    let busy = state.merging.is_some();
    let keeper = kept.clone().unwrap_or_default();
    let sides = match &state.preview {
        None | Some(Preview::Loading) => html! {
            <ListLoading id="duplicates-compare-loading" label="Loading both contacts…" rows={2} />
        },
        Some(Preview::Failed(message)) => html! {
            <p id="duplicates-compare-error" class="banner banner--error" role="alert">
                { format!("Couldn't compare these two: {message}") }
            </p>
        },
        Some(Preview::Loaded(preview)) => html! {
            <div id="duplicates-pair" class="dupes-pair">
                { side(&preview.survivor, state.keep, &keeper, dispatch, local, now) }
                { side(&preview.merged, state.keep, &keeper, dispatch, local, now) }
            </div>
        },
    };
    html! {
        <div class="dupes-compare">
            <div class="dupes-compare__head">
                <button id="duplicates-back" type="button" class="button button--ghost dupes-back" onclick={back.clone()}>
                    { icon(Icon::ChevronLeft) }{ "All duplicates" }
                </button>
                <h3 class="dupes-compare__title">{ group_title(group) }</h3>
            </div>
            { others.unwrap_or_default() }
            { sides }
            if let Some(sentence) = state.consequence() {
                <p id="duplicates-consequence" class="dupes-consequence">
                    { sentence }{ " You can undo this right after." }
                </p>
            }
            if let Some(message) = &state.merge_error {
                <p id="duplicates-merge-error" class="banner banner--error" role="alert">
                    { format!("Couldn't merge: {message}") }
                </p>
            }
            <div class="form__actions dupes-actions">
                <button type="button" class="button button--secondary" onclick={back}>{ "Cancel" }</button>
                <button id="duplicates-merge" type="button" class="button button--primary"
                    disabled={busy || kept.is_none()}
                    onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::Merge)}>
                    { match (busy, kept) {
                        (true, _) => "Merging…".to_owned(),
                        (false, Some(name)) => format!("Merge into {name}"),
                        (false, None) => "Merge".to_owned(),
                    } }
                </button>
            </div>
        </div>
    }
}

/// One contact's card: its fields, what hangs off it, and "Keep this one" (`keeper` names the
/// contact kept).
fn side(
    side: &MergeSide,
    keep: Option<ContactId>,
    keeper: &str,
    dispatch: &Callback<DuplicatesAction>,
    local: Local,
    now: DateTime<Utc>,
) -> Html {
    let contact = &side.contact;
    let kept = keep == Some(contact.id);
    let id = contact.id;
    let list = |items: Vec<String>| {
        if items.is_empty() {
            html! { <span class="muted">{ "None" }</span> }
        } else {
            html! { <>{ for items.into_iter().map(|item| html! { <span class="dupes-side__item">{ item }</span> }) }</> }
        }
    };
    let timeline = {
        let parts: Vec<String> = [
            (side.notes, "note", "notes"),
            (side.interactions, "call or message", "calls and messages"),
            (side.bookings, "booking", "bookings"),
            (side.tasks, "task", "tasks"),
        ]
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| count(u64::from(n), one, many))
        .collect();
        match (parts.is_empty(), side.more) {
            (true, _) => "Nothing yet".to_owned(),
            (false, true) => format!("{} and more", parts.join(", ")),
            (false, false) => parts.join(", "),
        }
    };
    html! {
        <section class={classes!("dupes-side", kept.then_some("dupes-side--kept"))}
            data-contact-id={contact.id.to_string()} aria-label={contact.display_name()}>
            <h4 class="dupes-side__name">{ contact.display_name() }</h4>
            <p class="dupes-side__role">{ if kept { "Kept".to_owned() } else { format!("Merged into {keeper}, then deleted") } }</p>
            <dl class="dupes-side__fields">
                <dt>{ "Emails" }</dt>
                <dd>{ list(contact.emails.iter().map(|e| e.address.clone()).collect()) }</dd>
                <dt>{ "Phones" }</dt>
                <dd>{ list(contact.phones.iter().map(|p| p.number.clone()).collect()) }</dd>
                <dt>{ "Stage" }</dt>
                <dd>{ contact.stage.label() }</dd>
                <dt>{ "Source" }</dt>
                <dd>{ contact.source.label() }</dd>
                <dt>{ "Tags" }</dt>
                <dd>{ list(contact.tags.iter().cloned().collect()) }</dd>
                <dt>{ "Added" }</dt>
                <dd>{ date_label(local.date(contact.created_at), local.date(now)) }</dd>
                <dt>{ "Timeline" }</dt>
                <dd class="dupes-side__timeline">{ timeline }</dd>
            </dl>
            <button type="button" class={classes!("button", "dupes-keep", if kept { "button--primary" } else { "button--secondary" })}
                aria-pressed={kept.to_string()} data-contact-id={contact.id.to_string()}
                onclick={dispatch.reform(move |_: MouseEvent| DuplicatesAction::Keep(id))}>
                if kept { { icon(Icon::Check) }{ "Keeping this one" } } else { { "Keep this one" } }
            </button>
        </section>
    }
}
