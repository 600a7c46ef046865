//! Bundles the Yew UI into `ui/dist` (Tauri's `frontendDist`) without trunk or wasm-bindgen-cli:
//! `cargo build --target wasm32-unknown-unknown`, then wasm-bindgen in-process at the exact
//! version Cargo.lock pins, then the static files next to it.

use crate::install::WASM_TARGET;
use crate::util::{self, Workspace};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use wasm_bindgen_cli_support::Bindgen;

/// Name of the generated JS module and wasm (`fieldstone_ui.js`, `fieldstone_ui_bg.wasm`),
/// which `ui/main.js` imports.
const OUT_NAME: &str = "fieldstone_ui";

/// Files copied verbatim from `ui/` into `ui/dist/`.
const STATIC_FILES: &[&str] = &["index.html", "main.js", "styles.css"];

pub fn bundle(ws: &Workspace, release: bool) -> Result<()> {
    let ui = ws.root.join("ui");
    // Check the static files before building, so a missing one fails in a second, not a minute.
    for name in STATIC_FILES {
        let path = ui.join(name);
        if !path.is_file() {
            bail!("{} is missing: the UI bundle needs it", path.display());
        }
    }

    let wasm = build_wasm(ws, release)?;
    let profile = if release { "release" } else { "debug" };

    // Generate into a staging dir first, so a failing bindgen leaves the old ui/dist intact.
    let staging = ws.target.join("xtask").join("ui-dist");
    recreate_dir(&staging)?;
    eprintln!(
        "{}",
        util::dim(&format!(
            "$ wasm-bindgen --target web --no-typescript --out-name {OUT_NAME} --out-dir {} {}   \
             (in-process, wasm-bindgen-cli-support 0.2.130)",
            staging.display(),
            wasm.display()
        ))
    );
    Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .context("wasm-bindgen: cannot select the web target")?
        .typescript(false)
        .out_name(OUT_NAME)
        .generate(&staging)
        .with_context(|| format!("wasm-bindgen failed on {}", wasm.display()))?;
    for name in STATIC_FILES {
        let (src, dst) = (ui.join(name), staging.join(name));
        std::fs::copy(&src, &dst)
            .with_context(|| format!("cannot copy {} to {}", src.display(), dst.display()))?;
    }

    // Replace ui/dist wholesale: no stale files from an older build survive.
    let dist = ui.join("dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist)
            .with_context(|| format!("cannot remove stale {}", dist.display()))?;
    }
    util::copy_dir(&staging, &dist)?;

    let wasm_out = dist.join(format!("{OUT_NAME}_bg.wasm"));
    let size = std::fs::metadata(&wasm_out)
        .with_context(|| format!("{} was not generated", wasm_out.display()))?
        .len();
    util::ok(&format!(
        "UI bundled into {} ({profile} wasm, {} KiB)",
        relative(&dist, &ws.root),
        size / 1024
    ));
    Ok(())
}

/// `cargo build` the UI for wasm32 and return the `.wasm` this very build produced, as cargo
/// reports it (so neither the path nor a stale file from an older build is guessed).
fn build_wasm(ws: &Workspace, release: bool) -> Result<PathBuf> {
    let mut build = ws.cargo();
    build
        .args([
            "build",
            "-p",
            "fieldstone-ui",
            "--target",
            WASM_TARGET,
            "--locked",
        ])
        .arg("--message-format=json-render-diagnostics");
    if release {
        build.arg("--release");
    }
    // stdout carries cargo's JSON messages; diagnostics and progress still go to the terminal.
    let out = util::stdout_of(&mut build)?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({})",
            util::command_line(&build),
            util::describe(out.status)
        );
    }
    wasm_artifact(&String::from_utf8_lossy(&out.stdout)).context(
        "the build produced no fieldstone_ui.wasm: ui/Cargo.toml needs \
         `[lib] crate-type = [\"cdylib\", \"rlib\"]`",
    )
}

/// The `.wasm` file of the `fieldstone_ui` library in `cargo build --message-format=json` output.
pub fn wasm_artifact(json_lines: &str) -> Option<PathBuf> {
    json_lines
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == OUT_NAME)
        .filter_map(|msg| msg["filenames"].as_array().cloned())
        .flatten()
        .filter_map(|name| name.as_str().map(PathBuf::from))
        .find(|path| path.extension().is_some_and(|ext| ext == "wasm"))
}

fn recreate_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_wasm_cargo_reports() {
        let out = r#"{"reason":"compiler-artifact","target":{"name":"yew"},"filenames":["/t/libyew.rlib"]}
not json
{"reason":"compiler-artifact","target":{"name":"fieldstone_ui","crate_types":["cdylib","rlib"]},"filenames":["/t/wasm32-unknown-unknown/release/fieldstone_ui.wasm","/t/wasm32-unknown-unknown/release/libfieldstone_ui.rlib"],"fresh":true}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            wasm_artifact(out),
            Some(PathBuf::from(
                "/t/wasm32-unknown-unknown/release/fieldstone_ui.wasm"
            ))
        );
    }

    #[test]
    fn no_wasm_when_the_ui_is_not_a_cdylib() {
        let out = r#"{"reason":"compiler-artifact","target":{"name":"fieldstone_ui","crate_types":["lib"]},"filenames":["/t/libfieldstone_ui.rlib"]}
{"reason":"build-finished","success":true}"#;
        assert_eq!(wasm_artifact(out), None);
        assert_eq!(wasm_artifact(""), None);
    }
}
