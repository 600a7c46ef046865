//! The navigation: one list of links that the stylesheet lays out as a sidebar on a desktop and
//! as a bottom bar (large touch targets, Settings folded into the top bar's reach) at phone width.

use super::icons::{icon, Icon};
use crate::route::Section;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct NavProps {
    pub current: Section,
}

fn section_icon(section: Section) -> Icon {
    match section {
        Section::Today => Icon::Today,
        Section::Contacts => Icon::Contacts,
        Section::Pipeline => Icon::Pipeline,
        Section::Calendar => Icon::Calendar,
        Section::Listings => Icon::Listings,
        Section::Settings => Icon::Settings,
    }
}

/// What `n` makes on this screen (the shell sends it to the page on these two).
fn new_hint(section: Section) -> &'static str {
    match section {
        Section::Calendar => "New booking",
        Section::Listings => "New listing",
        _ => "New contact",
    }
}

#[component]
pub fn Nav(props: &NavProps) -> Html {
    html! {
        <nav class="nav" aria-label="Main">
            <a class="brand" href="#/today">
                <span class="brand__mark" aria-hidden="true">
                    <span class="brand__stone"></span>
                    <span class="brand__stone"></span>
                    <span class="brand__stone"></span>
                </span>
                <span class="brand__name">{ "Fieldstone" }</span>
            </a>
            <ul class="nav__list">
                for section in Section::ALL {
                    <li class={classes!("nav__item", format!("nav__item--{}", section.key()))}>
                        <a
                            id={format!("nav-{}", section.key())}
                            class={classes!("nav__link", (section == props.current).then_some("nav__link--current"))}
                            href={section.route().to_hash()}
                            aria-current={(section == props.current).then_some("page")}
                        >
                            { icon(section_icon(section)) }
                            <span class="nav__label">{ section.label() }</span>
                        </a>
                    </li>
                }
            </ul>
            <dl class="nav__hint">
                <div><dt><kbd>{ "/" }</kbd></dt><dd>{ "Search" }</dd></div>
                <div class="nav__hint-new"><dt><kbd>{ "n" }</kbd></dt><dd>{ new_hint(props.current) }</dd></div>
            </dl>
        </nav>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use yew::ServerRenderer;

    #[tokio::test]
    async fn every_section_is_a_link_and_the_current_one_is_marked() {
        let html = ServerRenderer::<Nav>::with_props(|| NavProps {
            current: Section::Pipeline,
        })
        .hydratable(false)
        .render()
        .await;
        for section in Section::ALL {
            assert!(
                html.contains(&format!(r##"href="#/{}""##, section.key())),
                "{section:?}: {html}"
            );
        }
        assert_eq!(html.matches(r#"aria-current="page""#).count(), 1, "{html}");
        assert!(html.contains("nav__link nav__link--current"), "{html}");
        assert!(html.contains("New contact"), "{html}");
    }

    #[tokio::test]
    async fn the_n_hint_names_what_this_screen_makes() {
        let on = |current| async move {
            ServerRenderer::<Nav>::with_props(move || NavProps { current })
                .hydratable(false)
                .render()
                .await
        };
        assert!(on(Section::Listings).await.contains("New listing"));
        assert!(on(Section::Calendar).await.contains("New booking"));
        assert!(!on(Section::Calendar).await.contains("New contact"));
    }
}
