//! The contact's emails and texts as the timeline shows them.

use super::{App, DESKTOP, PHONE};

impl App {
    /// The messages on the timeline, newest first: (status key, chip text).
    pub async fn message_chips(&self) -> Vec<(String, String)> {
        let value = self
            .js(
                "return Array.from(document.querySelectorAll('#timeline [data-kind=\"message\"]'),
                   e => [e.dataset.status, e.querySelector('.message-chip').textContent.trim()])",
                vec![],
            )
            .await;
        serde_json::from_value(value).expect("pairs of texts")
    }

    /// `{name}-desktop.png` and `{name}-phone.png` with the timeline's heading at the top of the
    /// view (centred, a long timeline would hide its newest entries), back to desktop size after.
    pub async fn timeline_screens(&self, name: &str) {
        let top = || async {
            self.js(
                // Below the sticky top bar (and the offline line under it).
                "const heading = document.querySelector('#timeline-heading');
                 window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - 140);",
                vec![],
            )
            .await;
        };
        top().await;
        self.screenshot(&format!("{name}-desktop.png")).await;
        self.resize(PHONE).await;
        top().await;
        self.screenshot(&format!("{name}-phone.png")).await;
        self.resize(DESKTOP).await;
    }
}
