//! A private Xvfb display for the end-to-end tests on a machine without one. Dropping the guard
//! stops Xvfb, on success and on failure alike.

use crate::util;
use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIRST_DISPLAY: u32 = 99;
/// How many display numbers from `FIRST_DISPLAY` upward are considered.
const DISPLAYS_TO_TRY: u32 = 100;
const ATTEMPTS: usize = 5;
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The first display number in `first..first + count` that `taken` does not claim.
pub fn first_free_display(first: u32, count: u32, taken: impl Fn(u32) -> bool) -> Option<u32> {
    (first..first.saturating_add(count)).find(|n| !taken(*n))
}

fn socket_path(n: u32) -> PathBuf {
    PathBuf::from(format!("/tmp/.X11-unix/X{n}"))
}

/// A display is taken when its socket or lock file exists (even a stale one: skipping a number
/// is cheap, fighting another X server is not).
fn taken_on_disk(n: u32) -> bool {
    socket_path(n).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists()
}

pub struct Xvfb {
    child: Child,
    /// ":N"
    pub display: String,
}

impl Xvfb {
    /// Start `Xvfb :N -screen 0 1280x800x24 -nolisten tcp` on the first free N from 99 and wait
    /// until its socket exists. Its output goes to `<log_dir>/xvfb-N.log`.
    pub fn start(log_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(log_dir)
            .with_context(|| format!("cannot create {}", log_dir.display()))?;
        let mut failed = HashSet::new();
        let mut last_error = String::new();
        for _ in 0..ATTEMPTS {
            let n = first_free_display(FIRST_DISPLAY, DISPLAYS_TO_TRY, |n| {
                failed.contains(&n) || taken_on_disk(n)
            })
            .with_context(|| {
                format!(
                    "no free X display between :{FIRST_DISPLAY} and :{}",
                    FIRST_DISPLAY + DISPLAYS_TO_TRY - 1
                )
            })?;
            match Self::try_start(n, log_dir)? {
                Ok(xvfb) => return Ok(xvfb),
                Err(why) => {
                    // Most likely another X server grabbed :N between our check and its start.
                    failed.insert(n);
                    last_error = why;
                }
            }
        }
        bail!("Xvfb failed to start {ATTEMPTS} times; last: {last_error}")
    }

    /// Outer error: cannot even try (no Xvfb binary...). Inner error: this display failed.
    fn try_start(n: u32, log_dir: &Path) -> Result<Result<Self, String>> {
        let log_path = log_dir.join(format!("xvfb-{n}.log"));
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .context("cannot duplicate the Xvfb log handle")?;
        let display = format!(":{n}");
        let mut cmd = Command::new("Xvfb");
        cmd.arg(&display)
            .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"]);
        util::print_command(&cmd);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .context("could not start Xvfb (Debian package: xvfb)")?;
        let mut xvfb = Xvfb { child, display };
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = xvfb.child.try_wait().context("cannot poll Xvfb")? {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Ok(Err(format!(
                    "Xvfb {} exited ({}): {}",
                    xvfb.display,
                    util::describe(status),
                    log.trim()
                )));
            }
            if socket_path(n).exists() {
                util::ok(&format!("Xvfb running on DISPLAY={}", xvfb.display));
                return Ok(Ok(xvfb));
            }
            if Instant::now() >= deadline {
                // Dropping `xvfb` stops it.
                return Ok(Err(format!(
                    "Xvfb {} did not create {} within {} s (log: {})",
                    xvfb.display,
                    socket_path(n).display(),
                    READY_TIMEOUT.as_secs(),
                    log_path.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        util::terminate(&mut self.child, Duration::from_secs(3));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_99_when_free() {
        assert_eq!(first_free_display(99, 100, |_| false), Some(99));
    }

    #[test]
    fn skips_taken_displays() {
        let taken = [99, 100, 102];
        assert_eq!(
            first_free_display(99, 100, |n| taken.contains(&n)),
            Some(101)
        );
        let taken = [99, 100, 101];
        assert_eq!(
            first_free_display(99, 100, |n| taken.contains(&n)),
            Some(102)
        );
    }

    #[test]
    fn none_when_all_taken() {
        assert_eq!(first_free_display(99, 3, |n| n < 102), None);
        assert_eq!(first_free_display(99, 0, |_| false), None);
        assert_eq!(first_free_display(u32::MAX, 5, |_| false), None);
    }
}
