//! The bar that replaces the list's toolbar while contacts are selected: tag, untag or move them
//! all at once, and what the last change did.

use super::icons::{icon, Icon};
use crate::state::contacts::{BulkOp, ContactsAction};
use fieldstone_model::Stage;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Clone, PartialEq, Properties)]
pub struct BulkBarProps {
    pub selected: usize,
    pub tag: AttrValue,
    pub busy: bool,
    pub dispatch: Callback<ContactsAction>,
}

#[component]
pub fn BulkBar(props: &BulkBarProps) -> Html {
    let dispatch = &props.dispatch;
    let on_tag = dispatch.reform(|event: InputEvent| {
        ContactsAction::BulkTagText(event.target_unchecked_into::<HtmlInputElement>().value())
    });
    let add = {
        let tag = props.tag.to_string();
        dispatch.reform(move |_: MouseEvent| ContactsAction::Bulk(BulkOp::AddTag(tag.clone())))
    };
    let remove = {
        let tag = props.tag.to_string();
        dispatch.reform(move |_: MouseEvent| ContactsAction::Bulk(BulkOp::RemoveTag(tag.clone())))
    };
    let on_stage = dispatch.reform(|event: Event| {
        let select = event.target_unchecked_into::<HtmlSelectElement>();
        let stage = select.value().parse().unwrap_or_default();
        // Back to the prompt, so the same stage can be chosen again later.
        select.set_value("");
        ContactsAction::Bulk(BulkOp::Stage(stage))
    });
    let clear = dispatch.reform(|_: MouseEvent| ContactsAction::ClearSelection);
    html! {
        <div id="bulk-bar" class="bulk-bar" role="region" aria-label="Change the selected contacts">
            <span id="bulk-count" class="bulk-bar__count">{ format!("{} selected", props.selected) }</span>
            <div class="bulk-bar__group">
                <input
                    id="bulk-tag"
                    class="mini-input"
                    placeholder="Tag"
                    aria-label="Tag"
                    value={props.tag.clone()}
                    oninput={on_tag}
                />
                <button id="bulk-tag-add" type="button" class="button button--small button--secondary" disabled={props.busy} onclick={add}>
                    { icon(Icon::Tag) }{ "Add tag" }
                </button>
                <button id="bulk-tag-remove" type="button" class="button button--small button--ghost" disabled={props.busy} onclick={remove}>
                    { "Remove tag" }
                </button>
            </div>
            <label class="bulk-bar__group">
                <span class="filter__label">{ "Move to" }</span>
                <select id="bulk-stage" class="mini-select" disabled={props.busy} onchange={on_stage}>
                    <option value="" selected=true disabled=true>{ "Stage…" }</option>
                    for stage in Stage::ALL {
                        <option value={stage.as_str()}>{ stage.label() }</option>
                    }
                </select>
            </label>
            <button type="button" class="button button--small button--ghost bulk-bar__clear" onclick={clear}>
                { "Clear selection" }
            </button>
        </div>
    }
}
