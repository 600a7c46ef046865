//! `cargo xtask run`: install what is missing, bundle the UI, build the app and the sync server
//! (release), start a local sync server and open the app against it.

use crate::install::{self, Purpose};
use crate::server::{self, LocalServer};
use crate::ui;
use crate::util::{self, Workspace};
use anyhow::{bail, Result};
use std::ffi::OsString;
use std::process::{Command, ExitCode};

/// Whether a GUI can open: `DISPLAY` (X11) or `WAYLAND_DISPLAY` is set and non-empty.
pub fn has_display(display: Option<OsString>, wayland: Option<OsString>) -> bool {
    [display, wayland]
        .into_iter()
        .any(|v| v.is_some_and(|v| !v.is_empty()))
}

pub fn run(ws: &Workspace) -> Result<ExitCode> {
    // Fail fast, before minutes of installing and building.
    if !has_display(
        std::env::var_os("DISPLAY"),
        std::env::var_os("WAYLAND_DISPLAY"),
    ) {
        bail!(
            "no display found: neither DISPLAY nor WAYLAND_DISPLAY is set, so the app's window \
             cannot open.\nOn a headless machine, run it on a virtual display:\n\n    \
             xvfb-run -a cargo xtask run\n\n(xvfb-run comes with the Debian packages xvfb and \
             xauth.)"
        );
    }

    install::ensure(ws, Purpose::Run)?;
    ui::bundle(ws, true)?;
    // The app crate enables tauri's `custom-protocol` feature itself, so this release binary
    // serves ui/dist instead of trying a dev server (BUILD-NOTES pitfall 1).
    util::run(ws.cargo().args([
        "build",
        "-p",
        "fieldstone-app",
        "-p",
        "fieldstone-server",
        "--release",
        "--locked",
    ]))?;

    let server_bin = ws.host_bin("release", "fieldstone-server");
    let app_bin = ws.host_bin("release", "fieldstone-app");
    // `server-v2`: the first server format (one account, no organisations) is not migrated.
    let data_dir = util::data_home()?.join("fieldstone").join("server-v2");
    let token = server::ensure_local_account(&server_bin, &data_dir)?;
    let server = LocalServer::start(&server_bin, &data_dir)?;
    util::ok(&format!("local sync server listening on {}", server.url));

    // Ctrl-C reaches the whole foreground process group: the app, the server and xtask all get
    // SIGINT and exit. On every other path the server is stopped here or by its Drop.
    let mut app = Command::new(&app_bin);
    app.current_dir(&ws.root)
        .env("FIELDSTONE_SERVER_URL", &server.url)
        .env("FIELDSTONE_TOKEN", &token);
    let status = util::status(&mut app)?;
    server.stop();
    if status.success() {
        util::ok("app closed");
    } else {
        eprintln!("fieldstone-app exited: {}", util::describe(status));
    }
    Ok(ExitCode::from(util::exit_code(status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_detection() {
        assert!(has_display(Some(":0".into()), None));
        assert!(has_display(None, Some("wayland-0".into())));
        assert!(has_display(Some("".into()), Some("wayland-0".into())));
        assert!(!has_display(None, None));
        assert!(!has_display(Some("".into()), Some("".into())));
    }
}
