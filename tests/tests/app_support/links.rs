//! The OS end of the contact links: a handler the tests install as the default for `tel:`,
//! `sms:`, `mailto:` and `https:` in the window's XDG dirs, which writes down each link it gets.

use super::App;
use std::path::Path;

/// Where the link catcher writes the links the window handed to the OS, one per line.
const OPENED_LINKS: &str = "opened-links";

/// Makes the test's own handler the OS default for `tel:`, `sms:`, `mailto:` and `https:` links
/// (in the window's XDG dirs, which xdg-open reads), so a link the app opens through the opener
/// plugin reaches a real handler that writes it down instead of a phone app or a browser.
pub(super) fn catch_links(home: &Path) {
    let script = home.join("catch-link.sh");
    let log = home.join(OPENED_LINKS);
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .expect("link catcher");
    let mut mode = std::fs::metadata(&script).expect("catcher").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
    std::fs::set_permissions(&script, mode).expect("catcher is executable");
    let apps = home.join("data/applications");
    std::fs::create_dir_all(&apps).expect("applications dir");
    let schemes = ["tel", "sms", "mailto", "https"];
    let mime: Vec<String> = schemes
        .iter()
        .map(|s| format!("x-scheme-handler/{s};"))
        .collect();
    std::fs::write(
        apps.join("fieldstone-test-links.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Link catcher\nNoDisplay=true\nExec={} %u\nMimeType={}\n",
            script.display(),
            mime.concat()
        ),
    )
    .expect("desktop entry");
    let config = home.join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    let defaults: Vec<String> = schemes
        .iter()
        .map(|s| format!("x-scheme-handler/{s}=fieldstone-test-links.desktop\n"))
        .collect();
    std::fs::write(
        config.join("mimeapps.list"),
        format!("[Default Applications]\n{}", defaults.concat()),
    )
    .expect("mimeapps.list");
}

impl App {
    /// The links the window handed to the OS so far (Call, Text, WhatsApp, Email), in order.
    pub fn opened_links(&self) -> Vec<String> {
        std::fs::read_to_string(self.home.path().join(OPENED_LINKS))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}
