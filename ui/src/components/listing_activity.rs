//! "Showings and calls" on a listing's page: the bookings at the home and the calls and messages
//! logged about it (the Log call dialog's Listing), newest first, each naming who it was with.

use super::icons::{icon, Icon};
use crate::hooks::{use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::commands;
use crate::state::format::Local;
use fieldstone_model::ListingId;
use fieldstone_protocol::views::ListingActivity;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingActivityProps {
    pub id: ListingId,
}

#[component]
pub fn ListingActivityCard(props: &ListingActivityProps) -> Html {
    let shell = use_shell();
    let (now, local) = (
        shell.clock.now,
        Local {
            offset_minutes: shell.clock.offset_minutes,
        },
    );
    let activity = use_state(|| None::<Result<ListingActivity, String>>);
    let reloads = use_state(|| 0u32);
    {
        let reloads = reloads.clone();
        use_remote_revision(move || reloads.set(*reloads + 1));
    }
    {
        let activity = activity.clone();
        use_effect_with((props.id, *reloads), move |(id, _)| {
            let id = *id;
            spawn_local(async move {
                activity.set(Some(
                    commands::listing_activity(&id).await.map_err(|e| e.message),
                ));
            });
        });
    }
    let people = |with: &[(fieldstone_model::ContactId, String)]| -> Html {
        html! {
            for (n, (id, name)) in with.iter().enumerate() {
                if n > 0 { { ", " } }
                <a class="listing-activity__who" href={Route::Contact(*id).to_hash()}>{ name.clone() }</a>
            }
        }
    };
    let body = match &*activity {
        None => html! { <p class="listing-section__none">{ "Looking…" }</p> },
        Some(Err(message)) => html! {
            <p class="field__error" role="alert">{ format!("Couldn't read what happened here: {message}") }</p>
        },
        Some(Ok(found)) if found.bookings.is_empty() && found.touches.is_empty() => html! {
            <p class="listing-section__none">
                { "Nothing yet. Book a showing with this listing, or choose it when you log a call, and it shows here." }
            </p>
        },
        Some(Ok(found)) => html! {
            <ul id="listing-activity" class="listing-events">
                for booking in found.bookings.iter() {
                    <li key={booking.id.to_string()} class="listing-events__item listing-activity__item" data-booking-id={booking.id.to_string()}>
                        { icon(Icon::Calendar) }
                        <span class="listing-activity__text">
                            <span class="listing-activity__what">
                                { format!("{} · {}", booking.kind.label(), local.when(booking.starts_at, now)) }
                            </span>
                            if !booking.with.is_empty() {
                                <span class="listing-activity__meta">{ "With " }{ people(&booking.with) }</span>
                            }
                        </span>
                    </li>
                }
                for touch in found.touches.iter() {
                    <li key={touch.interaction.id.to_string()} class="listing-events__item listing-activity__item" data-interaction-id={touch.interaction.id.to_string()}>
                        { icon(Icon::Phone) }
                        <span class="listing-activity__text">
                            <span class="listing-activity__what">
                                { format!("{} · {}", touch.interaction.channel.label(), local.when(touch.interaction.occurred_at, now)) }
                            </span>
                            <span class="listing-activity__meta">
                                { people(&[(touch.interaction.contact, touch.contact_name.clone())]) }
                                { format!(": {}", touch.interaction.summary) }
                            </span>
                        </span>
                    </li>
                }
            </ul>
        },
    };
    html! {
        <section class="card listing-section" aria-labelledby="listing-activity-title">
            <h2 id="listing-activity-title" class="card__title">{ "Showings and calls" }</h2>
            { body }
        </section>
    }
}
