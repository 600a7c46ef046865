//! The agent's locale as a context of its own. The formatters read the app's current locale
//! ([`crate::state::format::set_locale`]); a component that formats dates, money or areas but
//! takes nothing else from the frame subscribes here, so a new locale re-renders it (Yew skips a
//! component whose props did not change) without its re-rendering on every sync tick too.

use fieldstone_model::Locale;
use yew::prelude::*;

/// What the frame provides: the locale the screens format with now.
#[derive(Debug, Clone, PartialEq)]
pub struct LocaleContext(pub Locale);

/// Re-renders the calling component whenever the agent's locale changes.
#[hook]
pub fn use_locale_changes() {
    // Only the subscription matters: the formatters read the locale themselves.
    drop(use_context::<LocaleContext>());
}
