//! A modal dialog: a titled panel over a dimmed screen. Clicking the backdrop or the close
//! button (or Escape, handled by the screen) closes it; on phones it becomes a bottom sheet.

use super::icons::{icon, Icon};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DialogProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub wide: bool,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn Dialog(props: &DialogProps) -> Html {
    let title_id = format!("{}-title", props.id);
    let close = props.on_close.reform(|_: MouseEvent| ());
    // Only a click on the backdrop itself closes: not one that started inside the panel.
    let backdrop = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: MouseEvent| {
            if event.target() == event.current_target() {
                on_close.emit(());
            }
        })
    };
    html! {
        <div class="dialog-backdrop" onclick={backdrop}>
            <div
                id={props.id.clone()}
                class={classes!("dialog", props.wide.then_some("dialog--wide"))}
                role="dialog"
                aria-modal="true"
                aria-labelledby={title_id.clone()}
            >
                <div class="dialog__header">
                    <h2 id={title_id} class="dialog__title">{ props.title.clone() }</h2>
                    <button type="button" class="icon-button" aria-label="Close" onclick={close}>
                        { icon(Icon::Close) }
                    </button>
                </div>
                <div class="dialog__body">
                    { props.children.clone() }
                </div>
            </div>
        </div>
    }
}
