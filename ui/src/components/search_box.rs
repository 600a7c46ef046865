//! The search box of a list screen: an icon, the input (reporting on `input` and on `change`, as
//! the form fields do) and the `/` hint.

use super::icons::{icon, Icon};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SearchBoxProps {
    pub id: AttrValue,
    pub placeholder: AttrValue,
    /// The accessible name ("Search contacts").
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_search: Callback<String>,
}

#[component]
pub fn SearchBox(props: &SearchBoxProps) -> Html {
    let oninput = props
        .on_search
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
    let onchange = props
        .on_search
        .reform(|event: Event| event.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <div class="search">
            { icon(Icon::Search) }
            <input
                id={props.id.clone()}
                class="search__input"
                type="search"
                placeholder={props.placeholder.clone()}
                aria-label={props.label.clone()}
                autocomplete="off"
                spellcheck="false"
                value={props.value.clone()}
                {oninput}
                {onchange}
            />
            <kbd class="search__key" aria-hidden="true">{ "/" }</kbd>
        </div>
    }
}
