//! `cargo xtask test`: everything CI checks, in order, stopping at the first failing step, with a
//! summary table of step durations at the end.

use crate::install::{self, Purpose, WASM_TARGET};
use crate::util::{self, Workspace};
use crate::{postgres, ui, xvfb};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Where the end-to-end tests find WebKit's WebDriver (Debian package webkit2gtk-driver).
const WEBKIT_WEBDRIVER: &str = "/usr/bin/WebKitWebDriver";
/// Where the web-page tests find Chromium and its WebDriver (packages chromium, chromium-driver).
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
}

pub struct StepResult {
    pub name: String,
    pub took: Duration,
    pub outcome: Outcome,
}

struct StepFailed {
    step: String,
    error: anyhow::Error,
}

#[derive(Default)]
struct Steps {
    done: Vec<StepResult>,
}

impl Steps {
    fn run<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T, StepFailed> {
        eprintln!("\n{}", util::bold(&format!("== {name}")));
        let start = Instant::now();
        let result = f();
        let outcome = if result.is_ok() {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        self.done.push(StepResult {
            name: name.to_string(),
            took: start.elapsed(),
            outcome,
        });
        result.map_err(|error| StepFailed {
            step: name.to_string(),
            error,
        })
    }
}

/// The summary table: one row per step that ran, with its duration in seconds.
pub fn format_summary(steps: &[StepResult]) -> String {
    let width = steps
        .iter()
        .map(|s| s.name.chars().count())
        .chain(["step".len()])
        .max()
        .unwrap_or(4);
    let mut out = format!("{:<width$}  {:>8}  result\n", "step", "seconds");
    for s in steps {
        let result = match s.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAILED",
        };
        out.push_str(&format!(
            "{:<width$}  {:>8.1}  {result}\n",
            s.name,
            s.took.as_secs_f64()
        ));
    }
    let total: Duration = steps.iter().map(|s| s.took).sum();
    out.push_str(&format!(
        "{:<width$}  {:>8.1}\n",
        "total",
        total.as_secs_f64()
    ));
    out
}

pub fn test(ws: &Workspace) -> Result<ExitCode> {
    let mut steps = Steps::default();
    let result = run_steps(ws, &mut steps);
    eprintln!("\n{}", format_summary(&steps.done));
    match result {
        Ok(()) => {
            util::ok(&format!("all {} steps passed", steps.done.len()));
            Ok(ExitCode::SUCCESS)
        }
        Err(failed) => {
            eprintln!("{} {:#}", util::red("error:"), failed.error);
            eprintln!("{}", util::red(&format!("FAILED: {}", failed.step)));
            Ok(ExitCode::FAILURE)
        }
    }
}

fn run_steps(ws: &Workspace, steps: &mut Steps) -> Result<(), StepFailed> {
    let tools = steps.run("install", || install::ensure(ws, Purpose::Test))?;
    steps.run("fmt", || {
        util::run(ws.cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    // Before clippy and the build: the app crate embeds ui/dist at compile time.
    steps.run("bundle UI (release wasm)", || ui::bundle(ws, true))?;
    steps.run("clippy (host)", || {
        util::run(ws.cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run("clippy (wasm32 UI)", || {
        util::run(ws.cargo().args([
            "clippy",
            "-p",
            "fieldstone-ui",
            "--target",
            WASM_TARGET,
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run("build (debug)", || build_for_tests(ws))?;
    steps.run("test", || {
        let tauri_driver = tools
            .tauri_driver
            .clone()
            .context("tauri-driver was not installed")?;
        run_tests(ws, tauri_driver)
    })?;
    Ok(())
}

/// Builds the binaries the end-to-end tests launch (target/debug/fieldstone-app and
/// fieldstone-server) with exactly the features `cargo test --workspace` resolves, so the test
/// run that follows reuses every artifact. `cargo build -p fieldstone-app -p fieldstone-server`
/// would not: with resolver 2 it unifies features over those two packages only and without
/// dev-dependencies, so shared dependencies (tokio, serde...) would be compiled a second time with
/// the test run's feature set. `--tests` turns on dev-dependency features as `cargo test` does;
/// `--bins` produces the executables (`cargo test` only builds them as test harnesses); `--lib`
/// and `--examples` build what `cargo test` needs besides (libraries for doctests, examples).
fn build_for_tests(ws: &Workspace) -> Result<()> {
    util::run(ws.cargo().args([
        "build",
        "--workspace",
        "--lib",
        "--bins",
        "--tests",
        "--examples",
        "--locked",
    ]))?;
    for name in ["fieldstone-app", "fieldstone-server"] {
        let bin = ws.host_bin("debug", name);
        if !bin.is_file() {
            bail!("the build did not produce {}", bin.display());
        }
    }
    Ok(())
}

fn run_tests(ws: &Workspace, tauri_driver: PathBuf) -> Result<()> {
    let screenshots = ws.target.join("screenshots");
    std::fs::create_dir_all(&screenshots)
        .with_context(|| format!("cannot create {}", screenshots.display()))?;
    if !std::path::Path::new(WEBKIT_WEBDRIVER).is_file() {
        util::warn(&format!(
            "{WEBKIT_WEBDRIVER} not found: the end-to-end tests will fail"
        ));
    }

    let mut cmd = ws.cargo();
    cmd.args([
        "test",
        "--workspace",
        "--locked",
        "--no-fail-fast",
        "--",
        "--include-ignored",
    ])
    .env("FIELDSTONE_APP_BIN", ws.host_bin("debug", "fieldstone-app"))
    .env(
        "FIELDSTONE_SERVER_BIN",
        ws.host_bin("debug", "fieldstone-server"),
    )
    .env("TAURI_DRIVER_BIN", &tauri_driver)
    .env("WEBKIT_WEBDRIVER_BIN", WEBKIT_WEBDRIVER)
    .env("CHROMIUM_BIN", CHROMIUM)
    .env("CHROMEDRIVER_BIN", CHROMEDRIVER)
    .env("FIELDSTONE_SCREENSHOT_DIR", &screenshots);

    // Own display when there is no X display; the guard stops Xvfb when this function returns,
    // whether the tests passed or not.
    let _xvfb = match std::env::var_os("DISPLAY") {
        Some(d) if !d.is_empty() => None,
        _ => {
            let xvfb = xvfb::Xvfb::start(&ws.target.join("xtask"))?;
            // Everything in the tests then talks to this X display, even in a Wayland session.
            cmd.env("DISPLAY", &xvfb.display)
                .env_remove("WAYLAND_DISPLAY");
            Some(xvfb)
        }
    };
    // The store tests run against PostgreSQL too; the guard stops a cluster started here.
    let database = postgres::for_tests(&ws.target.join("xtask"))?;
    cmd.env(postgres::URL_VAR, &database.url);
    util::run(&mut cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, ms: u64, outcome: Outcome) -> StepResult {
        StepResult {
            name: name.into(),
            took: Duration::from_millis(ms),
            outcome,
        }
    }

    #[test]
    fn summary_lists_each_step_with_seconds_and_total() {
        let table = format_summary(&[
            step("install", 400, Outcome::Passed),
            step("clippy (host)", 12_340, Outcome::Failed),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "step            seconds  result");
        assert_eq!(lines[1], "install             0.4  ok");
        assert_eq!(lines[2], "clippy (host)      12.3  FAILED");
        assert_eq!(lines[3], "total              12.7");
    }

    #[test]
    fn failing_step_stops_the_run_and_is_recorded() {
        let mut steps = Steps::default();
        let first = steps.run("a", || Ok(1));
        assert!(matches!(first, Ok(1)));
        let second: Result<(), StepFailed> = steps.run("b", || bail!("boom"));
        let failed = second.err().map(|f| (f.step, f.error.to_string()));
        assert_eq!(failed, Some(("b".to_string(), "boom".to_string())));
        let outcomes: Vec<_> = steps.done.iter().map(|s| s.outcome).collect();
        assert_eq!(outcomes, [Outcome::Passed, Outcome::Failed]);
    }
}
