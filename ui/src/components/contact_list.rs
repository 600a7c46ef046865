//! The contact rows: a sortable table on a desktop, cards at phone width. Each row links to the
//! contact; its checkbox selects it for bulk changes without opening it.

use super::contact_actions::summary_actions;
use super::icons::{icon, Icon};
use crate::route::Route;
use crate::state::format::{relative, thousands};
use crate::state::initials;
use chrono::{DateTime, Utc};
use fieldstone_model::score::Band;
use fieldstone_model::ContactId;
use fieldstone_protocol::views::{ContactSort, ContactSummary, SortField};
use std::collections::BTreeSet;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ContactListProps {
    pub rows: Rc<Vec<ContactSummary>>,
    pub sort: ContactSort,
    pub selected: BTreeSet<ContactId>,
    #[prop_or_default]
    pub conflicted: BTreeSet<ContactId>,
    pub all_selected: bool,
    pub now: DateTime<Utc>,
    pub on_sort: Callback<SortField>,
    pub on_select: Callback<(ContactId, bool)>,
    pub on_select_all: Callback<bool>,
}

/// Sortable columns: (field, heading, CSS modifier).
const COLUMNS: [(SortField, &str, &str); 4] = [
    (SortField::Name, "Name", "name"),
    (SortField::Score, "Score", "score"),
    (SortField::LastContacted, "Last contact", "contacted"),
    (SortField::Updated, "Updated", "updated"),
];

fn sort_header(props: &ContactListProps, field: SortField, label: &str, key: &str) -> Html {
    let active = props.sort.field == field;
    let direction = match (active, props.sort.descending) {
        (false, _) => "none",
        (true, true) => "descending",
        (true, false) => "ascending",
    };
    let onclick = props.on_sort.reform(move |_: MouseEvent| field);
    html! {
        <span class={classes!("contact-table__head", format!("contact-table__head--{key}"))} role="columnheader" aria-sort={direction}>
            <button
                type="button"
                id={format!("sort-{key}")}
                class={classes!("sort-button", active.then_some("sort-button--active"))}
                {onclick}
            >
                { label.to_owned() }
                <span class={classes!("sort-button__arrow", format!("sort-button__arrow--{direction}"))} aria-hidden="true"></span>
            </button>
        </span>
    }
}

fn row(props: &ContactListProps, contact: &ContactSummary) -> Html {
    let id = contact.id;
    let stage = contact.stage.as_str();
    let selected = props.selected.contains(&id);
    let onchange = props.on_select.reform(move |event: Event| {
        (
            id,
            event.target_unchecked_into::<HtmlInputElement>().checked(),
        )
    });
    html! {
        <li
            key={id.to_string()}
            class={classes!("contact-row", selected.then_some("contact-row--selected"))}
            data-contact-id={id.to_string()}
            role="row"
        >
            <label class="contact-row__check" role="cell">
                <input
                    type="checkbox"
                    class="checkbox"
                    checked={selected}
                    aria-label={format!("Select {}", contact.display_name)}
                    {onchange}
                />
            </label>
            <a class="contact-row__link" href={Route::Contact(id).to_hash()}>
                <span class="contact-row__who" role="cell">
                    <span class={classes!("avatar", format!("avatar--{stage}"))} aria-hidden="true">
                        { initials(&contact.display_name) }
                    </span>
                    <span class="contact-row__names">
                        <span class="contact-row__name">
                            <span class="contact-row__name-text">{ &contact.display_name }</span>
                            if props.conflicted.contains(&id) {
                                <span class="conflict-dot" title="Has a field changed on two devices at once">
                                    { icon(Icon::Warning) }
                                </span>
                            }
                        </span>
                        <span class="contact-row__reach">
                            if let Some(email) = &contact.primary_email {
                                <span>{ email }</span>
                            }
                            if let Some(phone) = &contact.primary_phone {
                                <span class="tabular">{ phone }</span>
                            }
                            if contact.primary_email.is_none() && contact.primary_phone.is_none() {
                                <span class="muted">{ contact.kind.label() }</span>
                            }
                        </span>
                    </span>
                </span>
                <span class="contact-row__stage" role="cell">
                    <span class={classes!("stage-pill", format!("stage-pill--{stage}"))} data-stage={stage}>
                        { contact.stage.label() }
                    </span>
                    for tag in contact.tags.iter().take(3) {
                        <span class="tag">{ tag }</span>
                    }
                    if contact.tags.len() > 3 {
                        <span class="tag tag--more">{ format!("+{}", contact.tags.len() - 3) }</span>
                    }
                </span>
                <span class="contact-row__score" role="cell">
                    <span class={classes!("score", score_class(contact.score))} title={super::contact_head::score_line(contact.score)}>{ contact.score }</span>
                </span>
                <span class="contact-row__contacted" role="cell">{ relative(contact.last_contacted_at, props.now) }</span>
                <span class="contact-row__updated" role="cell">{ relative(Some(contact.updated_at), props.now) }</span>
            </a>
            <div class="contact-row__actions" role="cell">
                { summary_actions(contact, "") }
            </div>
        </li>
    }
}

/// Hot, warm or cool, for the score's colour.
pub fn score_class(score: u8) -> &'static str {
    match Band::of(score) {
        Band::Hot => "score--hot",
        Band::Warm => "score--warm",
        Band::Cold => "score--cool",
    }
}

#[component]
pub fn ContactList(props: &ContactListProps) -> Html {
    // Its dates, money and counts are in the agent's locale: shown again when it changes.
    crate::hooks::use_locale_changes();
    let on_all = props
        .on_select_all
        .reform(|event: Event| event.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class="contact-table" role="table" aria-label="Contacts">
            <div class="contact-table__header" role="row">
                <label class="contact-row__check" role="columnheader">
                    <input
                        id="select-all"
                        type="checkbox"
                        class="checkbox"
                        checked={props.all_selected}
                        aria-label="Select every contact shown"
                        onchange={on_all}
                    />
                </label>
                { sort_header(props, COLUMNS[0].0, COLUMNS[0].1, COLUMNS[0].2) }
                <span class="contact-table__head contact-table__head--stage" role="columnheader">{ "Stage and tags" }</span>
                for (field, label, key) in COLUMNS.iter().skip(1) {
                    { sort_header(props, *field, label, key) }
                }
                <span class="contact-table__head contact-table__head--actions" role="columnheader">
                    <span class="visually-hidden">{ "Reach" }</span>
                </span>
            </div>
            <ul id="contact-rows" class="contact-rows" role="rowgroup">
                for contact in props.rows.iter() {
                    { row(props, contact) }
                }
            </ul>
        </div>
    }
}

/// "1,204 contacts" for the list's heading.
pub fn total_label(total: u64) -> String {
    if total == 1 {
        "1 contact".into()
    } else {
        format!("{} contacts", thousands(total))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::state::contacts::tests::summary;
    use yew::ServerRenderer;

    #[test]
    fn the_chip_uses_the_rule_scores_bands() {
        assert_eq!(score_class(80), "score--hot");
        assert_eq!(
            score_class(79),
            "score--warm",
            "hot from 80 (seed 003), not 70"
        );
        assert_eq!(score_class(50), "score--warm");
        assert_eq!(score_class(49), "score--cool", "warm from 50, not 40");
    }

    #[tokio::test]
    async fn rows_link_to_the_contact_and_show_the_sort() {
        let mut ada = summary(1, "Ada Lovelace");
        ada.tags = vec!["garden".into(), "vip".into()];
        ada.score = 82;
        let grace = summary(2, "Grace Hopper");
        let selected: BTreeSet<ContactId> = [grace.id].into();
        let html = ServerRenderer::<ContactList>::with_props(move || ContactListProps {
            rows: Rc::new(vec![ada, grace]),
            sort: ContactSort {
                field: SortField::Name,
                descending: false,
            },
            selected,
            conflicted: BTreeSet::new(),
            all_selected: false,
            now: DateTime::UNIX_EPOCH,
            on_sort: Callback::noop(),
            on_select: Callback::noop(),
            on_select_all: Callback::noop(),
        })
        .hydratable(false)
        .render()
        .await;
        assert!(
            html.contains(r##"href="#/contacts/00000000-0000-4000-8000-000000000001""##),
            "{html}"
        );
        assert_eq!(html.matches(r#"class="contact-row""#).count(), 1);
        assert_eq!(html.matches("contact-row contact-row--selected").count(), 1);
        assert!(html.contains(r#"aria-sort="ascending""#));
        assert!(html.contains(r#"<span class="tag">garden</span>"#));
        assert!(html.contains("score score--hot"));
    }
}
