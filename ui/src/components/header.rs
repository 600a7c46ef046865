//! The app bar: name and the sync badge. Offline and other sync problems are shown calmly here,
//! never as dialogs: the app keeps working on this device either way.

use crate::state::SyncBadge;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct HeaderProps {
    pub sync: SyncBadge,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let badge = &props.sync;
    html! {
        <header class="app-header">
            <div class="app-header__bar">
                <div class="brand">
                    <span class="brand__mark" aria-hidden="true">
                        <span class="brand__stone"></span>
                        <span class="brand__stone"></span>
                        <span class="brand__stone"></span>
                    </span>
                    <h1 class="brand__name">{ "Fieldstone" }</h1>
                </div>
                <div
                    id="sync-status"
                    class={classes!("sync-badge", format!("sync-badge--{}", badge.state))}
                    data-state={badge.state}
                    title={badge.detail.clone()}
                >
                    <span class="sync-badge__dot" aria-hidden="true"></span>
                    <span class="sync-badge__label">{ badge.label }</span>
                    if let Some(pending) = &badge.pending {
                        { " " }
                        <span class="sync-badge__pending">{ pending }</span>
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

// Rendered on the host: `ServerRenderer` needs a native runtime (tokio).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use fieldstone_protocol::commands::{SyncState, SyncStatus};
    use yew::ServerRenderer;

    async fn render(state: SyncState, pending: u64, detail: &str) -> String {
        let status = SyncStatus {
            state,
            pending,
            last_synced_at: None,
            detail: detail.into(),
            remote_revision: 0,
        };
        ServerRenderer::<Header>::with_props(move || HeaderProps {
            sync: SyncBadge::new(Some(&status), None),
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn sign_in_again_says_so_and_shows_the_detail_line() {
        let html = render(SyncState::SignInAgain, 2, "Your session ended.").await;
        assert!(html.contains("Fieldstone"));
        assert!(html.contains(r#"id="sync-status""#));
        assert!(html.contains(r#"data-state="sign_in_again""#));
        assert!(html.contains("Sign in again"));
        assert!(html.contains("· 2 unsent"));
        assert!(html.contains(r#"title="Your session ended.""#));
        assert!(html
            .contains(r#"<p id="sync-detail" class="sync-detail__text">Your session ended.</p>"#));
    }

    #[tokio::test]
    async fn up_to_date_is_quiet() {
        let html = render(SyncState::UpToDate, 0, "Synced a moment ago.").await;
        assert!(html.contains(r#"data-state="up_to_date""#));
        assert!(html.contains("Up to date"));
        assert!(!html.contains("unsent"));
        assert!(!html.contains("sync-detail"), "detail only in the tooltip");
    }
}
