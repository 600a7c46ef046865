//! Screen state as pure reducers: every change is an action, so the rules (what a validation
//! error does to a form, when a list must reload, which answer is stale) are plain functions
//! that unit-test on the host. The wasm-only wiring turns the requests recorded here into shell
//! calls.

pub mod booking_form;
pub mod calendar;
pub mod calendar_grid;
pub mod composer;
pub mod contact_draft;
pub mod contact_field;
pub mod contact_form;
pub mod contact_messages;
pub mod contacts;
pub mod custom_fields;
pub mod custom_filter;
pub mod detail;
pub mod duplicates;
pub mod follow_up;
pub mod form;
pub mod format;
pub mod import;
pub mod kiosk;
pub mod lead_offers;
pub mod listing;
pub mod listing_draft;
pub mod listing_field;
pub mod listing_form;
pub mod listings;
pub mod log_touch;
pub mod message_draft;
pub mod paged;
pub mod pipeline;
pub mod place_call;
pub mod reach;
pub mod record_detail;
pub mod record_form;
pub mod records;
pub mod settings;
pub mod settings_locale;
pub mod settings_phone;
pub mod settings_usage;
pub mod share;
pub mod shell;
pub mod sync;
pub mod task_form;
pub mod team;
pub mod today;

/// A list's first load: until it answers there is nothing to show but a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListView {
    Loading,
    /// The first load failed; nothing to show but the reason.
    Failed(String),
    Loaded,
}

pub use shell::{Shell, ShellAction, Shortcut};
pub use sync::SyncBadge;

/// Up to two initials for an avatar ("Ada Lovelace" → "AL").
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|word| word.chars().next());
    let last = words.last().and_then(|word| word.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("  ada  "), "A");
        assert_eq!(initials("Mary Ann de la Cruz"), "MC");
        assert_eq!(initials("élodie durand"), "ÉD");
        assert_eq!(initials(""), "");
    }
}
