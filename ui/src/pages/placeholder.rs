//! A screen that has nothing to show yet.

use crate::route::Section;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct PlaceholderProps {
    pub section: Section,
}

#[component]
pub fn Placeholder(props: &PlaceholderProps) -> Html {
    html! {
        <div class="page">
            <div class="list-state list-state--empty">
                <p class="list-state__title">{ format!("{} is on its way.", props.section.label()) }</p>
            </div>
        </div>
    }
}
