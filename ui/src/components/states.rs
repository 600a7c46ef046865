//! The states a list or screen shows besides its content: loading (a skeleton), failed (with a
//! retry), empty (with what to do next), and the frame of a screen whose content loads
//! ([`page_frame`]).

use crate::route::Route;
use crate::state::ListView;
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

/// Where a screen showing one record sends the person when the record is not on this device.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingText {
    pub title: &'static str,
    pub back_label: &'static str,
    pub back: Route,
}

/// What a screen shows instead of its content while that loads or when it cannot be shown.
/// Ids are `{name}-loading`, `{name}-error` and `{name}-missing`.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameText {
    pub name: &'static str,
    pub loading: &'static str,
    pub failed: &'static str,
    /// Skeleton rows while loading.
    pub rows: usize,
    /// Loading and failure sit in a card (screens whose content is cards of lists).
    pub card: bool,
    /// For a screen of one record: what "not on this device" says.
    pub missing: Option<MissingText>,
}

/// The loaded value, or the frame to show instead: a skeleton while loading, the failure with
/// a retry, or "not here" when the engine said the record does not exist. A value already
/// shown stays shown while it reloads or after a reload fails (the screen says so itself).
pub fn page_frame<'a, T>(
    view: &ListView,
    value: Option<&'a T>,
    missing: bool,
    text: &FrameText,
    on_retry: Callback<()>,
) -> Result<&'a T, Html> {
    let in_card = |inner: Html| {
        if text.card {
            html! { <div class="page"><div class="card">{ inner }</div></div> }
        } else {
            html! { <div class="page">{ inner }</div> }
        }
    };
    match (view, value, &text.missing) {
        (_, Some(value), _) => Ok(value),
        (ListView::Failed(_), None, Some(gone)) if missing => Err(html! {
            <div class="page">
                <EmptyState id={format!("{}-missing", text.name)} title={gone.title}>
                    <p class="list-state__text">{ "It may have been deleted, or not reached this device yet." }</p>
                    <a class="button button--secondary" href={gone.back.to_hash()}>{ gone.back_label }</a>
                </EmptyState>
            </div>
        }),
        (ListView::Failed(message), None, _) => Err(in_card(html! {
            <ListError id={format!("{}-error", text.name)} title={text.failed} message={message.clone()} {on_retry} />
        })),
        _ => Err(in_card(html! {
            <ListLoading id={format!("{}-loading", text.name)} label={text.loading} rows={text.rows} />
        })),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use yew::ServerRenderer;

    const CONTACT: FrameText = FrameText {
        name: "contact",
        loading: "Opening the contact…",
        failed: "Couldn't open this contact.",
        rows: 2,
        card: false,
        missing: Some(MissingText {
            title: "This contact is not here.",
            back_label: "Back to contacts",
            back: Route::Contacts,
        }),
    };

    #[derive(Debug, Clone, PartialEq, Properties)]
    struct Props {
        view: ListView,
        value: Option<String>,
        missing: bool,
    }

    #[component]
    fn Framed(props: &Props) -> Html {
        match page_frame(
            &props.view,
            props.value.as_ref(),
            props.missing,
            &CONTACT,
            Callback::noop(),
        ) {
            Ok(value) => html! { <p id="shown">{ value }</p> },
            Err(frame) => frame,
        }
    }

    async fn render(view: ListView, value: Option<&str>, missing: bool) -> String {
        let value = value.map(str::to_owned);
        ServerRenderer::<Framed>::with_props(move || Props {
            view,
            value,
            missing,
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn each_state_has_its_frame_and_a_value_shown_stays() {
        let html = render(ListView::Loading, None, false).await;
        assert!(
            html.starts_with(r#"<div class="page"><div id="contact-loading""#),
            "{html}"
        );
        let html = render(ListView::Failed("Locked.".into()), None, false).await;
        assert!(
            html.contains(r#"id="contact-error""#) && html.contains("Locked."),
            "{html}"
        );
        assert!(html.contains("Couldn't open this contact."), "{html}");
        let html = render(ListView::Failed("Gone.".into()), None, true).await;
        assert!(html.contains(r#"id="contact-missing""#), "{html}");
        assert!(html.contains(r##"href="#/contacts""##), "{html}");
        let html = render(ListView::Failed("Locked.".into()), Some("Ada"), false).await;
        assert_eq!(html, r#"<p id="shown">Ada</p>"#);
    }
}
