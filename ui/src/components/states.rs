//! The states a list or screen shows besides its content: loading (a skeleton), failed (with a
//! retry) and empty (with what to do next).

use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListLoadingProps {
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or(3)]
    pub rows: usize,
}

#[component]
pub fn ListLoading(props: &ListLoadingProps) -> Html {
    html! {
        <div id={props.id.clone()} class="list-state list-state--loading" role="status">
            <ul class="skeleton-list" aria-hidden="true">
                for _ in 0..props.rows {
                    <li class="skeleton-row">
                        <span class="skeleton skeleton--avatar"></span>
                        <span class="skeleton-row__lines">
                            <span class="skeleton skeleton--line"></span>
                            <span class="skeleton skeleton--line skeleton--short"></span>
                        </span>
                    </li>
                }
            </ul>
            <p class="list-state__caption">{ props.label.clone() }</p>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListErrorProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub message: AttrValue,
    pub on_retry: Callback<()>,
}

#[component]
pub fn ListError(props: &ListErrorProps) -> Html {
    let retry = props.on_retry.reform(|_: MouseEvent| ());
    html! {
        <div id={props.id.clone()} class="list-state list-state--error" role="alert">
            <p class="list-state__title">{ props.title.clone() }</p>
            <p class="list-state__text">{ props.message.clone() }</p>
            <button type="button" class="button button--secondary" onclick={retry}>{ "Try again" }</button>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct EmptyStateProps {
    pub id: AttrValue,
    pub title: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn EmptyState(props: &EmptyStateProps) -> Html {
    html! {
        <div id={props.id.clone()} class="list-state list-state--empty">
            <span class="empty-mark" aria-hidden="true">
                <span class="empty-mark__stone"></span>
                <span class="empty-mark__stone"></span>
                <span class="empty-mark__stone"></span>
            </span>
            <p class="list-state__title">{ props.title.clone() }</p>
            { props.children.clone() }
        </div>
    }
}
