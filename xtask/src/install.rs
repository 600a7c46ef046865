//! Installs what a fresh Debian 12 machine lacks: apt packages, the wasm32 Rust target and pinned
//! tools (cached under `$XDG_CACHE_HOME/fieldstone/tools`, reused across checkouts).

use crate::util::{self, Workspace};
use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// What the machine is being prepared for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Build and open the app (`cargo xtask run`).
    Run,
    /// Everything CI runs, including end-to-end tests of the real window under Xvfb.
    Test,
}

/// Build dependencies of a Tauri 2 app on Debian 12 (see BUILD-NOTES.md).
const RUN_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libsoup-3.0-dev",
    "build-essential",
    "pkg-config",
    "libssl-dev",
];

/// Extra packages for the end-to-end tests. `xauth` is only a Recommends of xvfb, so it is named
/// explicitly because we install with `--no-install-recommends`. `postgresql` is the server the
/// store tests start privately; `postgresql-client` has the pg_dump that PostgreSQL backups run.
/// `python3-aiosmtpd` is the real SMTP server the email tests send to (each test starts its own
/// on a free port). `chromium` and `chromium-driver` are the real browser the server's web pages
/// (hosted forms, unsubscribe) are tested in, headless.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    // The app's OS tests: a Secret Service for the keyring, a notification daemon.
    "gnome-keyring",
    "dunst",
    "postgresql",
    "postgresql-client",
    "python3-aiosmtpd",
    "chromium",
    "chromium-driver",
];

/// Paths of the tools `ensure` made available.
pub struct Tools {
    /// Set for [`Purpose::Test`].
    pub tauri_driver: Option<PathBuf>,
}

pub fn packages(purpose: Purpose) -> Vec<&'static str> {
    let mut all = RUN_PACKAGES.to_vec();
    if purpose == Purpose::Test {
        all.extend_from_slice(TEST_PACKAGES);
    }
    all
}

/// Install whatever `purpose` needs and is missing; one line per step.
pub fn ensure(ws: &Workspace, purpose: Purpose) -> Result<Tools> {
    ensure_apt(&packages(purpose))?;
    ensure_wasm_target()?;
    let tauri_driver = match purpose {
        Purpose::Test => Some(ensure_tauri_driver(ws)?),
        Purpose::Run => None,
    };
    Ok(Tools { tauri_driver })
}

// ---------------------------------------------------------------------------------------------
// apt

/// Output format for `dpkg-query -W -f=<this>` (dpkg-query expands the `\t`, `\n` escapes): one
/// `name<TAB>status` line per installed architecture of each known package.
const DPKG_FORMAT: &str = r"${Package}\t${Status}\n";

/// Names of fully installed packages in `dpkg-query -W -f='${Package}\t${Status}\n'` output.
/// A package counts as installed when its status is exactly "install ok installed" (not
/// "deinstall ok config-files", "install ok half-configured", ...).
pub fn parse_dpkg_installed(output: &str) -> HashSet<String> {
    output
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(_, status)| status.trim() == "install ok installed")
        .map(|(name, _)| name.trim().to_string())
        .collect()
}

/// `wanted` minus `installed`, in `wanted`'s order.
pub fn missing<'a>(wanted: &[&'a str], installed: &HashSet<String>) -> Vec<&'a str> {
    wanted
        .iter()
        .copied()
        .filter(|p| !installed.contains(*p))
        .collect()
}

/// What a non-root user is told to run.
pub fn apt_hint(missing: &[&str]) -> String {
    format!(
        "missing system packages: {list}\ninstall them with:\n\n    \
         sudo apt-get install --no-install-recommends {list}\n\nthen run this command again",
        list = missing.join(" ")
    )
}

/// `None` when there is no dpkg (not a Debian-like system).
fn installed_packages(wanted: &[&str]) -> Result<Option<HashSet<String>>> {
    let mut cmd = Command::new("dpkg-query");
    cmd.args(["-W", &format!("-f={DPKG_FORMAT}")]).args(wanted);
    util::print_command(&cmd);
    // Exit status 1 just means some names are unknown to dpkg ("no packages found matching"):
    // those are simply missing, so only the output matters.
    match cmd
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
    {
        Ok(out) => Ok(Some(parse_dpkg_installed(&String::from_utf8_lossy(
            &out.stdout,
        )))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).context("could not run dpkg-query"),
    }
}

pub fn is_root() -> bool {
    let mut cmd = Command::new("id");
    cmd.arg("-u");
    match util::output(&mut cmd) {
        Ok(out) => out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0",
        Err(_) => false,
    }
}

fn ensure_apt(wanted: &[&str]) -> Result<()> {
    let Some(installed) = installed_packages(wanted)? else {
        util::warn(&format!(
            "no dpkg-query: not a Debian-like system, so no packages are installed for you. \
             Make sure the equivalents of these Debian packages are installed: {}",
            wanted.join(" ")
        ));
        return Ok(());
    };
    let todo = missing(wanted, &installed);
    if todo.is_empty() {
        util::ok("apt packages present");
        return Ok(());
    }
    if !is_root() {
        bail!(apt_hint(&todo));
    }
    util::doing(&format!(
        "installing {} apt packages: {} (about 30 s)",
        todo.len(),
        todo.join(" ")
    ));
    util::run(Command::new("apt-get").arg("update"))?;
    util::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&todo),
    )?;
    let installed = installed_packages(wanted)?.unwrap_or_default();
    let still = missing(wanted, &installed);
    if !still.is_empty() {
        bail!(
            "apt-get finished but these packages are still not installed: {}",
            still.join(" ")
        );
    }
    util::ok("apt packages installed");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Rust target

/// Whether `rustup target list --installed` output lists `target`.
pub fn target_listed(output: &str, target: &str) -> bool {
    output.lines().any(|l| l.trim() == target)
}

fn ensure_wasm_target() -> Result<()> {
    let mut list = Command::new("rustup");
    list.args(["target", "list", "--installed"]);
    let out = match util::output(&mut list) {
        Ok(out) => out,
        Err(err) if is_not_found(&err) => {
            util::warn(&format!(
                "no rustup: make sure your toolchain has the {WASM_TARGET} standard library"
            ));
            return Ok(());
        }
        Err(err) => return Err(err),
    };
    if !out.status.success() {
        bail!(
            "`rustup target list --installed` failed ({}): {}",
            util::describe(out.status),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    if target_listed(&String::from_utf8_lossy(&out.stdout), WASM_TARGET) {
        util::ok(&format!("Rust target {WASM_TARGET} present"));
        return Ok(());
    }
    util::doing(&format!(
        "adding Rust target {WASM_TARGET} (about 10 s, once)"
    ));
    util::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

fn is_not_found(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
    })
}

// ---------------------------------------------------------------------------------------------
// Pinned tools

/// `<cache>/fieldstone/tools/<name>-<version>`: the `--root` of a `cargo install`.
pub fn tool_root(cache_home: &std::path::Path, name: &str, version: &str) -> PathBuf {
    cache_home
        .join("fieldstone")
        .join("tools")
        .join(format!("{name}-{version}"))
}

/// Path of the cached tauri-driver binary (whether or not it is installed yet).
pub fn tauri_driver_path() -> Result<PathBuf> {
    let root = tool_root(&util::cache_home()?, "tauri-driver", TAURI_DRIVER_VERSION);
    Ok(root.join("bin").join("tauri-driver"))
}

fn ensure_tauri_driver(ws: &Workspace) -> Result<PathBuf> {
    let bin = tauri_driver_path()?;
    if bin.is_file() {
        util::ok(&format!(
            "tauri-driver {TAURI_DRIVER_VERSION} cached ({})",
            bin.display()
        ));
        return Ok(bin);
    }
    let root = tool_root(&util::cache_home()?, "tauri-driver", TAURI_DRIVER_VERSION);
    util::doing(&format!(
        "installing tauri-driver {TAURI_DRIVER_VERSION} (about 30 s, once)"
    ));
    util::run(
        ws.cargo()
            .args(["install", "--locked"])
            .arg(format!("tauri-driver@{TAURI_DRIVER_VERSION}"))
            .arg("--root")
            .arg(&root),
    )?;
    if !bin.is_file() {
        bail!(
            "cargo install finished but {} does not exist",
            bin.display()
        );
    }
    util::ok(&format!("tauri-driver {TAURI_DRIVER_VERSION} installed"));
    Ok(bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_status_parsing_counts_only_fully_installed() {
        let out = "pkg-config\tinstall ok installed\n\
                   libssl-dev\tdeinstall ok config-files\n\
                   xvfb\tinstall ok half-configured\n\
                   dbus\tinstall ok installed\n\
                   dbus\tinstall ok installed\n\
                   xauth\tunknown ok not-installed\n";
        let got = parse_dpkg_installed(out);
        let mut names: Vec<_> = got.iter().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["dbus", "pkg-config"]);
    }

    #[test]
    fn missing_keeps_order_and_skips_installed() {
        let installed = parse_dpkg_installed("pkg-config\tinstall ok installed\n");
        let wanted = packages(Purpose::Run);
        let todo = missing(&wanted, &installed);
        assert_eq!(todo.len(), wanted.len() - 1);
        assert!(!todo.contains(&"pkg-config"));
        assert_eq!(todo.first(), Some(&"libwebkit2gtk-4.1-dev"));
        assert!(missing(&["a"], &["a".to_string()].into()).is_empty());
    }

    #[test]
    fn test_needs_run_packages_plus_xvfb_xauth_and_driver() {
        let run = packages(Purpose::Run);
        let test = packages(Purpose::Test);
        assert!(run.iter().all(|p| test.contains(p)));
        for p in [
            "xvfb",
            "xauth",
            "webkit2gtk-driver",
            "dbus",
            "postgresql",
            "postgresql-client",
            "python3-aiosmtpd",
            "chromium",
            "chromium-driver",
        ] {
            assert!(test.contains(&p), "{p}");
            assert!(!run.contains(&p), "{p}");
        }
    }

    #[test]
    fn apt_hint_is_the_exact_command() {
        let hint = apt_hint(&["xvfb", "xauth"]);
        assert!(hint.starts_with("missing system packages: xvfb xauth\n"));
        assert!(hint
            .lines()
            .any(|l| l.trim() == "sudo apt-get install --no-install-recommends xvfb xauth"));
    }

    #[test]
    fn rustup_target_list_parsing() {
        let out = "wasm32-unknown-unknown\nx86_64-unknown-linux-gnu\n";
        assert!(target_listed(out, WASM_TARGET));
        assert!(!target_listed("x86_64-unknown-linux-gnu\n", WASM_TARGET));
        assert!(!target_listed(
            "wasm32-unknown-unknown-extra\n",
            WASM_TARGET
        ));
    }

    #[test]
    fn tools_are_cached_per_version() {
        let root = tool_root(std::path::Path::new("/c"), "tauri-driver", "2.1.0");
        assert_eq!(
            root,
            PathBuf::from("/c/fieldstone/tools/tauri-driver-2.1.0")
        );
    }
}
