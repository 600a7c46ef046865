//! The bar above every screen: the screen's title (with a way back from a detail screen) and
//! the sync badge, always visible. Offline and other sync problems are shown calmly here, never
//! as dialogs: the app keeps working on this device either way.

use super::icons::{icon, Icon};
use crate::route::Route;
use crate::state::SyncBadge;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct TopBarProps {
    pub title: AttrValue,
    /// Where "back" goes from a detail screen, and what it is called.
    #[prop_or_default]
    pub back: Option<(Route, AttrValue)>,
    pub sync: SyncBadge,
    /// Records with fields changed on two devices.
    #[prop_or_default]
    pub conflicts: usize,
}

#[component]
pub fn TopBar(props: &TopBarProps) -> Html {
    let badge = &props.sync;
    html! {
        <header class="topbar">
            <div class="topbar__bar">
                <div class="topbar__title">
                    if let Some((route, label)) = &props.back {
                        <a class="topbar__back" href={route.to_hash()} aria-label={format!("Back to {label}")}>
                            { icon(Icon::Back) }
                            <span class="topbar__back-label">{ label.clone() }</span>
                        </a>
                    }
                    <h1 id="page-title" class="topbar__heading">{ props.title.clone() }</h1>
                </div>
                <div
                    id="sync-status"
                    class={classes!("sync-badge", format!("sync-badge--{}", badge.state))}
                    data-state={badge.state}
                    title={badge.detail.clone()}
                >
                    <span class="sync-badge__dot" aria-hidden="true"></span>
                    <span class="sync-badge__label">{ badge.label }</span>
                    if let Some(progress) = &badge.progress {
                        { " " }
                        <span id="sync-progress" class="sync-badge__pending">{ progress }</span>
                    }
                    if let Some(pending) = &badge.pending {
                        { " " }
                        <span class="sync-badge__pending">{ pending }</span>
                    }
                    if props.conflicts > 0 {
                        { " " }
                        <span id="sync-conflicts" class="sync-badge__conflicts" title="Fields changed on two devices: the contact shows both values to choose from">
                            { conflicts_label(props.conflicts) }
                        </span>
                    }
                </div>
            </div>
            if let (true, Some(detail)) = (badge.show_detail, &badge.detail) {
                // A live region only for states that need the user: routine syncing stays quiet.
                <div
                    class={classes!("sync-detail", format!("sync-detail--{}", badge.state))}
                    role="status"
                >
                    <p id="sync-detail" class="sync-detail__text">{ detail }</p>
                </div>
            }
        </header>
    }
}

/// "· 1 conflict", "· 3 conflicts".
pub fn conflicts_label(n: usize) -> String {
    if n == 1 {
        "· 1 conflict".to_owned()
    } else {
        format!("· {n} conflicts")
    }
}

// Rendered on the host: `ServerRenderer` needs a native runtime (tokio).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use fieldstone_protocol::commands::{SyncState, SyncStatus};
    use yew::ServerRenderer;

    async fn render(state: SyncState, pending: u64, detail: &str) -> String {
        render_with(state, pending, detail, 0).await
    }

    async fn render_with(state: SyncState, pending: u64, detail: &str, conflicts: usize) -> String {
        let status = SyncStatus {
            state,
            pending,
            last_synced_at: None,
            detail: detail.into(),
            remote_revision: 0,
            progress: None,
        };
        ServerRenderer::<TopBar>::with_props(move || TopBarProps {
            title: "Today".into(),
            back: None,
            sync: SyncBadge::new(Some(&status), None),
            conflicts,
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn sign_in_again_says_so_and_shows_the_detail_line() {
        let html = render(SyncState::SignInAgain, 2, "Your session ended.").await;
        assert!(html.contains(r#"<h1 id="page-title" class="topbar__heading">Today</h1>"#));
        assert!(html.contains(r#"id="sync-status""#));
        assert!(html.contains(r#"data-state="sign_in_again""#));
        assert!(html.contains("Sign in again"));
        assert!(html.contains("· 2 changes waiting to sync"));
        assert!(html.contains(r#"title="Your session ended.""#));
        assert!(html
            .contains(r#"<p id="sync-detail" class="sync-detail__text">Your session ended.</p>"#));
    }

    #[tokio::test]
    async fn up_to_date_is_quiet() {
        let html = render(SyncState::UpToDate, 0, "Synced a moment ago.").await;
        assert!(html.contains(r#"data-state="up_to_date""#));
        assert!(html.contains("Up to date"));
        assert!(!html.contains("waiting to sync"));
        assert!(!html.contains("sync-detail"), "detail only in the tooltip");
    }

    #[tokio::test]
    async fn the_pill_counts_conflicts() {
        let html = render_with(SyncState::UpToDate, 0, "", 1).await;
        assert!(html.contains("· 1 conflict<"), "{html}");
        let html = render_with(SyncState::UpToDate, 0, "", 3).await;
        assert!(html.contains("· 3 conflicts"));
        assert!(!render(SyncState::UpToDate, 0, "")
            .await
            .contains("conflict"));
    }
}
