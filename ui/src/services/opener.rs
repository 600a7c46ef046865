//! Hands a contact link (`tel:`, `sms:`, `mailto:`, `https://wa.me/…`) to the OS through the
//! Tauri opener plugin. The plugin checks the URL against the scope in the window's capability,
//! so the window cannot open anything else even if asked to.

use super::bridge::call;
use fieldstone_protocol::commands::CommandError;
use serde::Serialize;

#[derive(Serialize)]
struct OpenUrl<'a> {
    url: &'a str,
}

/// Opens `url` in the OS's handler for its scheme (the phone app, the mail app, WhatsApp).
pub async fn open_url(url: &str) -> Result<(), CommandError> {
    call::<_, Option<()>>("plugin:opener|open_url", &OpenUrl { url })
        .await
        .map(|_| ())
}
