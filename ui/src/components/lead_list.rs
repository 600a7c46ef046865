//! The list of leads, newest first, with its loading, empty and error states.

use crate::state::{initials, LeadsView};
use fieldstone_model::{Lead, LeadId};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct LeadListProps {
    /// Already in display order (newest first).
    pub leads: Rc<Vec<Lead>>,
    pub view: LeadsView,
    /// A reload failed while rows were shown: they stay, with this notice.
    #[prop_or_default]
    pub stale_error: Option<String>,
    /// The lead just added, drawn with a brief highlight.
    #[prop_or_default]
    pub highlight: Option<LeadId>,
    #[prop_or_default]
    pub on_retry: Callback<()>,
}

#[component]
pub fn LeadList(props: &LeadListProps) -> Html {
    let retry = props.on_retry.reform(|_: MouseEvent| ());
    let body = match &props.view {
        LeadsView::Loading => html! {
            <div id="leads-loading" class="list-state list-state--loading" role="status">
                <ul class="skeleton-list" aria-hidden="true">
                    { for (0..3).map(|_| html! {
                        <li class="skeleton-row">
                            <span class="skeleton skeleton--avatar"></span>
                            <span class="skeleton-row__lines">
                                <span class="skeleton skeleton--line"></span>
                                <span class="skeleton skeleton--line skeleton--short"></span>
                            </span>
                        </li>
                    }) }
                </ul>
                <p class="list-state__caption">{ "Loading leads…" }</p>
            </div>
        },
        LeadsView::Failed(message) => html! {
            <div id="leads-error" class="list-state list-state--error" role="alert">
                <p class="list-state__title">{ "Couldn't load your leads." }</p>
                <p class="list-state__text">{ message }</p>
                <button id="leads-retry" type="button" class="button button--secondary" onclick={retry.clone()}>
                    { "Try again" }
                </button>
            </div>
        },
        LeadsView::Loaded => html! {
            <div id="lead-list" class="lead-list">
                if let Some(message) = &props.stale_error {
                    <div id="leads-stale" class="banner banner--warning" role="status">
                        <p class="banner__text">{ format!("Couldn't refresh the list: {message}") }</p>
                        <button type="button" class="button button--ghost" onclick={retry}>
                            { "Try again" }
                        </button>
                    </div>
                }
                if props.leads.is_empty() {
                    <div id="leads-empty" class="list-state list-state--empty">
                        <span class="empty-mark" aria-hidden="true">
                            <span class="empty-mark__stone"></span>
                            <span class="empty-mark__stone"></span>
                            <span class="empty-mark__stone"></span>
                        </span>
                        <p class="list-state__title">{ "No leads yet — add your first one above." }</p>
                        <p class="list-state__text">
                            { "Everything you add is saved on this device right away, with or without a connection." }
                        </p>
                    </div>
                } else {
                    <ul class="lead-rows">
                        { for props.leads.iter().map(|lead| row(lead, props.highlight == Some(lead.id))) }
                    </ul>
                }
            </div>
        },
    };
    let count = matches!(props.view, LeadsView::Loaded).then(|| props.leads.len());

    html! {
        <section class="card card--list" aria-labelledby="leads-title">
            <div class="card__header">
                <h2 id="leads-title" class="card__title">{ "Leads" }</h2>
                if let Some(count) = count {
                    <span id="lead-count" class="count">{ count }</span>
                }
            </div>
            { body }
        </section>
    }
}

fn row(lead: &Lead, highlight: bool) -> Html {
    let stage = lead.stage.as_str();
    let has_contact = !lead.email.is_empty() || !lead.phone.is_empty();
    html! {
        <li
            key={lead.id.to_string()}
            class={classes!("lead-row", highlight.then_some("lead-row--new"))}
            data-lead-id={lead.id.to_string()}
        >
            <span class={classes!("avatar", format!("avatar--{stage}"))} aria-hidden="true">
                { initials(&lead.name) }
            </span>
            <div class="lead-row__main">
                <p class="lead-row__name">{ &lead.name }</p>
                <p class="lead-row__contact">
                    if !lead.email.is_empty() {
                        <span class="lead-row__email">{ &lead.email }</span>
                    }
                    if !lead.phone.is_empty() {
                        <span class="lead-row__phone">{ &lead.phone }</span>
                    }
                    if !has_contact {
                        <span class="lead-row__none">{ "No email or phone yet" }</span>
                    }
                </p>
            </div>
            <span class={classes!("stage-pill", format!("stage-pill--{stage}"))} data-stage={stage}>
                { lead.stage.label() }
            </span>
        </li>
    }
}

// Rendered on the host: `ServerRenderer` needs a native runtime (tokio).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::state::leads::tests::lead;
    use fieldstone_model::Stage;
    use yew::ServerRenderer;

    async fn render(leads: Vec<Lead>, view: LeadsView) -> String {
        ServerRenderer::<LeadList>::with_props(move || LeadListProps {
            leads: Rc::new(leads),
            view,
            stale_error: None,
            highlight: None,
            on_retry: Callback::noop(),
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn two_leads_render_as_rows_in_the_given_order() {
        let mut newest = lead(2, "Grace Hopper", 20);
        newest.stage = Stage::Offer;
        let mut older = lead(1, "Ada Lovelace", 10);
        older.phone = String::new();
        let html = render(vec![newest, older], LeadsView::Loaded).await;

        assert!(html.contains(r#"id="lead-list""#));
        assert_eq!(html.matches(r#"class="lead-row""#).count(), 2, "{html}");
        assert!(html.contains(r#"data-lead-id="00000000-0000-4000-8000-000000000002""#));
        assert!(html.contains(r#"data-lead-id="00000000-0000-4000-8000-000000000001""#));
        let grace = html.find("Grace Hopper").expect("grace shown");
        let ada = html.find("Ada Lovelace").expect("ada shown");
        assert!(grace < ada, "rows keep newest-first order");
        assert!(html.contains("grace.hopper@example.com"));
        assert!(html.contains("+1 555 010 9999"));
        assert!(html.contains(r#"class="stage-pill stage-pill--offer""#));
        assert!(html.contains(">Offer<"));
        assert!(html.contains(r#"class="stage-pill stage-pill--qualified""#));
        assert!(html.contains(">GH<"), "initials avatar");
        assert!(html.contains(r#"<span id="lead-count" class="count">2</span>"#));
        assert!(!html.contains("leads-empty"));
        assert!(!html.contains("leads-loading"));
    }

    #[tokio::test]
    async fn zero_leads_show_the_empty_state() {
        let html = render(vec![], LeadsView::Loaded).await;
        assert!(html.contains(r#"id="lead-list""#));
        assert!(html.contains(r#"id="leads-empty""#));
        assert!(html.contains("No leads yet — add your first one above."));
        assert!(!html.contains("lead-row"));
    }

    #[tokio::test]
    async fn first_load_shows_a_loading_state_without_the_list() {
        let html = render(vec![], LeadsView::Loading).await;
        assert!(html.contains(r#"id="leads-loading""#));
        assert!(html.contains("Loading leads…"));
        assert!(!html.contains(r#"id="lead-list""#));
        assert!(!html.contains("leads-empty"));
    }

    #[tokio::test]
    async fn failed_first_load_offers_a_retry() {
        let html = render(vec![], LeadsView::Failed("database is locked".into())).await;
        assert!(html.contains(r#"id="leads-error""#));
        assert!(html.contains("database is locked"));
        assert!(html.contains(r#"id="leads-retry""#));
    }
}
