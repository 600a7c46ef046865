//! The navigation: one list of links that the stylesheet lays out as a sidebar on a desktop and
//! as a bottom bar (large touch targets, Settings folded into the top bar's reach) at phone width.
//!
//! Everything particular to a section (label, link, icon, what `n` makes) is data on
//! [`Section`]: a new section needs no change here.

use super::icons::draw;
use crate::route::Section;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct NavProps {
    pub current: Section,
    /// The Team screen is offered (brokers and admins).
    #[prop_or_default]
    pub team: bool,
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
                for section in Section::ALL.into_iter().filter(|s| props.team || *s != Section::Team) {
                    <li class={classes!("nav__item", format!("nav__item--{}", section.key()))}>
                        <a
                            id={format!("nav-{}", section.key())}
                            class={classes!("nav__link", (section == props.current).then_some("nav__link--current"))}
                            href={section.route().to_hash()}
                            aria-current={(section == props.current).then_some("page")}
                        >
                            { draw(section.info().icon) }
                            <span class="nav__label">{ section.label() }</span>
                        </a>
                    </li>
                }
            </ul>
            <dl class="nav__hint">
                <div><dt><kbd>{ "/" }</kbd></dt><dd>{ "Search" }</dd></div>
                <div class="nav__hint-new"><dt><kbd>{ "n" }</kbd></dt><dd>{ props.current.info().new.hint() }</dd></div>
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
            team: true,
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
    async fn the_team_screen_is_offered_only_to_those_who_see_the_team() {
        let render = |team| async move {
            ServerRenderer::<Nav>::with_props(move || NavProps {
                current: Section::Today,
                team,
            })
            .hydratable(false)
            .render()
            .await
        };
        assert!(render(true).await.contains(r##"href="#/team""##));
        let agent = render(false).await;
        assert!(!agent.contains(r##"href="#/team""##), "{agent}");
        assert!(agent.contains(r##"href="#/settings""##), "{agent}");
    }

    #[tokio::test]
    async fn the_n_hint_names_what_this_screen_makes() {
        let on = |current| async move {
            ServerRenderer::<Nav>::with_props(move || NavProps {
                current,
                team: false,
            })
            .hydratable(false)
            .render()
            .await
        };
        assert!(on(Section::Listings).await.contains("New listing"));
        assert!(on(Section::Calendar).await.contains("New booking"));
        assert!(!on(Section::Calendar).await.contains("New contact"));
        assert!(on(Section::Settings).await.contains("New contact"));
    }

    #[tokio::test]
    async fn each_link_draws_its_section_s_icon() {
        let html = ServerRenderer::<Nav>::with_props(|| NavProps {
            current: Section::Today,
            team: true,
        })
        .hydratable(false)
        .render()
        .await;
        // The markup as the icons were drawn before sections carried them: same box, shapes
        // and order.
        let svg = r#"<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" class="icon">"#;
        for drawing in [
            r#"<circle cx="12" cy="12" r="4"></circle><path d="M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4"></path>"#,
            r#"<rect x="3" y="4" width="5" height="16" rx="1.5"></rect><rect x="9.5" y="4" width="5" height="11" rx="1.5"></rect><rect x="16" y="4" width="5" height="7" rx="1.5"></rect>"#,
            r#"<path d="M3 11l9-7 9 7"></path><path d="M5 9.5V20h14V9.5"></path><path d="M10 20v-5.5h4V20"></path>"#,
        ] {
            assert!(
                html.contains(&format!("{svg}{drawing}</svg>")),
                "{drawing}: {html}"
            );
        }
        assert_eq!(html.matches(svg).count(), Section::ALL.len(), "{html}");
    }
}
