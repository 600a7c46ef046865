//! "Public page" on a listing: the address of its page on the organisation's server (to copy
//! into a message or an ad), and how visitors use it — views over the last 30 days as a small
//! chart, the average visit, and the parts they open most (photos, the tour, the 360° view,
//! the question form). The figures come from the server; offline the card says so.

use super::matches::use_loaded;
use crate::services::commands;
use fieldstone_model::ListingId;
use fieldstone_protocol::commands::CommandErrorCode;
use fieldstone_protocol::views::{hotspot_words, ListingTour};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingTourProps {
    pub listing: ListingId,
    /// Public and for sale: the page is on show.
    pub on_show: bool,
    /// The listing's `updated_at` (ms): a saved edit asks again.
    pub revision: i64,
}

/// "1 min 20 s", "45 s".
pub fn duration_words(seconds: u64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// Views per day as bars (the app's CSP allows no inline style: SVG attributes draw them).
fn chart(tour: &ListingTour) -> Html {
    let most = tour.days.iter().map(|d| d.views).max().unwrap_or(0).max(1);
    let (w, h, gap) = (300u64, 60u64, 2u64);
    let n = tour.days.len().max(1) as u64;
    // A bar per day with views, never wider than a finger's width of the chart.
    let bar = (w / n).saturating_sub(gap).clamp(2, 12);
    html! {
        <svg class="tour-chart" viewBox={format!("0 0 {w} {h}")} role="img"
            aria-label={format!("Views per day: {}", tour.days.iter().map(|d| format!("{} on {}", d.views, d.day)).collect::<Vec<_>>().join(", "))}>
            for (i, day) in tour.days.iter().enumerate() {
                <rect key={day.day.clone()} class="tour-chart__bar"
                    x={((i as u64) * (w / n)).to_string()}
                    y={(h - day.views * h / most).to_string()}
                    width={bar.to_string()}
                    height={(day.views * h / most).max(1).to_string()} />
            }
        </svg>
    }
}

#[component]
pub fn ListingTourCard(props: &ListingTourProps) -> Html {
    let (found, _) = use_loaded((props.listing, props.revision), |(id, _)| async move {
        commands::listing_tour(&id).await
    });
    let said = use_state(|| None::<String>);
    let body = match &*found {
        None => {
            html! { <p class="listing-section__none" role="status">{ "Asking the server…" }</p> }
        }
        Some(Err(e))
            if matches!(
                e.code,
                CommandErrorCode::Offline
                    | CommandErrorCode::WrongState
                    | CommandErrorCode::NotFound
            ) =>
        {
            html! {
                <p id="listing-tour-wait" class="listing-section__none">{ e.message.clone() }</p>
            }
        }
        Some(Err(e)) => html! {
            <p class="field__error" role="alert">{ format!("Couldn't read the page's figures: {}", e.message) }</p>
        },
        Some(Ok(tour)) => {
            let copy = {
                let (url, said) = (tour.page_url.clone(), said.clone());
                Callback::from(move |_: MouseEvent| {
                    if let Some(url) = &url {
                        said.set(Some(if crate::services::platform::copy_text(url) {
                            "Copied. Paste it into a message, an ad or a post.".to_owned()
                        } else {
                            "Select the address and copy it.".to_owned()
                        }));
                    }
                })
            };
            let top: Vec<String> = tour
                .hotspots
                .iter()
                .take(3)
                .map(|h| format!("{} ({})", hotspot_words(&h.hotspot), h.opened))
                .collect();
            html! {
                <>
                    if let Some(url) = &tour.page_url {
                        <div class="listing-page-link">
                            <label class="field__label" for="listing-page-url">{ "Address of its page" }</label>
                            <input id="listing-page-url" class="field__control" type="text" readonly=true value={url.clone()}
                                onfocus={Callback::from(|e: FocusEvent| {
                                    if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                                        input.select();
                                    }
                                })} />
                            <div class="listing-page-link__actions">
                                <button id="listing-page-copy" type="button" class="button button--secondary" onclick={copy}>{ "Copy address" }</button>
                                <a id="listing-page-open" class="button button--ghost" href={url.clone()} target="_blank" rel="noopener noreferrer">{ "Open the page" }</a>
                            </div>
                        </div>
                    } else if props.on_show {
                        <p class="listing-section__none">{ "The server has no public address set, so the page cannot be linked to yet. Ask your admin." }</p>
                    }
                    if tour.views == 0 {
                        <p id="listing-tour-none" class="listing-section__none">{ "No visits in the last 30 days. Share the page's address to bring buyers to it." }</p>
                    } else {
                        <dl id="listing-tour" class="tour-figures">
                            <div><dt>{ "Views, 30 days" }</dt><dd id="listing-tour-views" class="tabular">{ tour.views }</dd></div>
                            if let Some(average) = tour.average_seconds() {
                                <div><dt>{ "Average visit" }</dt><dd class="tabular">{ duration_words(average) }</dd></div>
                            }
                            if !top.is_empty() {
                                <div class="tour-figures__wide"><dt>{ "Opened most" }</dt><dd id="listing-tour-top">{ top.join(", ") }</dd></div>
                            }
                        </dl>
                        { chart(tour) }
                    }
                </>
            }
        }
    };
    html! {
        <section id="listing-public" class="card listing-section" aria-labelledby="listing-public-title">
            <h2 id="listing-public-title" class="card__title">{ "Public page" }</h2>
            if !props.on_show {
                <p class="listing-section__none">{ "Only a public listing that is active or under offer has a page anyone can open. Make it public in Edit to give it one." }</p>
            }
            { body }
            if let Some(message) = &*said {
                <p class="listing-section__none" role="status">{ message.clone() }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::duration_words;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(120), "2 min");
        assert_eq!(duration_words(80), "1 min 20 s");
    }
}
