//! Shared helpers: where the workspace and its target dir are, XDG paths, and running child
//! processes the same way everywhere (command line printed dimmed, stdin null, output inherited,
//! exit status checked with a message naming the command).

use anyhow::{bail, Context, Result};
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The Cargo workspace xtask belongs to.
pub struct Workspace {
    pub root: PathBuf,
    pub target: PathBuf,
}

impl Workspace {
    /// Root = parent of xtask's manifest dir; target dir from `cargo metadata` (which honours
    /// `CARGO_TARGET_DIR` and `build.target-dir`), falling back to the env var or `<root>/target`.
    /// The manifest dir is read at run time first (`cargo run` sets it): with a target dir shared
    /// by several checkouts, the compiled-in one may name another checkout.
    pub fn locate() -> Result<Self> {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        let root = manifest_dir
            .parent()
            .context("xtask's manifest dir has no parent directory")?
            .to_path_buf();
        let target = match metadata_target_dir(&root) {
            Ok(dir) => dir,
            Err(err) => {
                let fallback = match std::env::var_os("CARGO_TARGET_DIR") {
                    Some(dir) if !dir.is_empty() => root.join(dir),
                    _ => root.join("target"),
                };
                warn(&format!(
                    "could not ask cargo for the target dir ({err:#}); using {}",
                    fallback.display()
                ));
                fallback
            }
        };
        Ok(Self { root, target })
    }

    /// A binary built for the host: `<target>/<profile>/<name>`.
    pub fn host_bin(&self, profile: &str, name: &str) -> PathBuf {
        self.target.join(profile).join(name)
    }

    /// `cargo` (the same cargo that runs xtask) with the workspace root as working directory.
    pub fn cargo(&self) -> Command {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&self.root);
        // CI builds a clean clone once and never edits it: incremental state would be written for
        // every workspace crate and test target (gigabytes, on a disk CI shares) and never reused.
        if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
            cmd.env("CARGO_INCREMENTAL", "0");
        }
        cmd
    }
}

fn metadata_target_dir(root: &Path) -> Result<PathBuf> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"]);
    let out = output(&mut cmd)?;
    if !out.status.success() {
        bail!(
            "`cargo metadata` failed ({}): {}",
            describe(out.status),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("`cargo metadata` printed invalid JSON")?;
    let dir = json
        .get("target_directory")
        .and_then(|v| v.as_str())
        .context("`cargo metadata` output has no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// `$XDG_*_HOME` if set to an absolute path (as the XDG spec requires), else `$HOME/<fallback>`.
pub fn xdg_dir(
    xdg_value: Option<OsString>,
    home: Option<OsString>,
    fallback: &str,
) -> Result<PathBuf> {
    if let Some(dir) = xdg_value.map(PathBuf::from) {
        if dir.is_absolute() {
            return Ok(dir);
        }
    }
    match home {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join(fallback)),
        _ => bail!("neither an absolute XDG directory nor HOME is set"),
    }
}

/// `$XDG_CACHE_HOME` or `~/.cache`.
pub fn cache_home() -> Result<PathBuf> {
    xdg_dir(
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::var_os("HOME"),
        ".cache",
    )
    .context("cannot find a cache directory")
}

/// `$XDG_DATA_HOME` or `~/.local/share`.
pub fn data_home() -> Result<PathBuf> {
    xdg_dir(
        std::env::var_os("XDG_DATA_HOME"),
        std::env::var_os("HOME"),
        ".local/share",
    )
    .context("cannot find a data directory")
}

// ---------------------------------------------------------------------------------------------
// Output styling

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn paint(code: &str, text: &str) -> String {
    if color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn dim(text: &str) -> String {
    paint("2", text)
}

pub fn bold(text: &str) -> String {
    paint("1", text)
}

pub fn red(text: &str) -> String {
    paint("31;1", text)
}

/// "✓ done thing"
pub fn ok(msg: &str) {
    eprintln!("{} {msg}", paint("32", "✓"));
}

/// "→ doing thing"
pub fn doing(msg: &str) {
    eprintln!("{} {msg}", paint("36", "→"));
}

pub fn warn(msg: &str) {
    eprintln!("{} {msg}", paint("33", "! warning:"));
}

// ---------------------------------------------------------------------------------------------
// Child processes

/// Quote one word for a POSIX shell, only when needed.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Env vars whose values are never echoed.
fn is_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "KEY"]
        .iter()
        .any(|s| upper.contains(s))
}

/// The command as a copy-pasteable shell line: explicitly set env vars first (secret ones
/// redacted), then the program and its arguments.
pub fn command_line(cmd: &Command) -> String {
    let mut words = Vec::new();
    for (name, value) in cmd.get_envs() {
        let name = name.to_string_lossy();
        match value {
            Some(_) if is_secret(&name) => words.push(format!("{name}=***")),
            Some(v) => words.push(format!("{name}={}", shell_quote(&v.to_string_lossy()))),
            None => {}
        }
    }
    // The cargo running xtask is shown as plain `cargo` (its full toolchain path is noise).
    let program = cmd.get_program();
    if std::env::var_os("CARGO").is_some_and(|cargo| cargo == program) {
        words.push("cargo".to_string());
    } else {
        words.push(shell_quote(&program.to_string_lossy()));
    }
    words.extend(cmd.get_args().map(|a| shell_quote(&a.to_string_lossy())));
    words.join(" ")
}

pub fn print_command(cmd: &Command) {
    eprintln!("{}", dim(&format!("$ {}", command_line(cmd))));
}

/// "exit status 3" / "signal 9" / "success".
pub fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    status.to_string()
}

/// The exit code a shell would report for `status` (128 + signal when killed).
pub fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return u8::try_from(128 + sig).unwrap_or(1);
        }
    }
    1
}

fn program_name(cmd: &Command) -> String {
    Path::new(cmd.get_program())
        .file_name()
        .unwrap_or_else(|| OsStr::new("?"))
        .to_string_lossy()
        .into_owned()
}

/// Print, run with inherited output and null stdin, return the status.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    print_command(cmd);
    cmd.stdin(Stdio::null())
        .status()
        .with_context(|| format!("could not start `{}`", program_name(cmd)))
}

/// Like [`status`], but failing unless the command succeeds.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = status(cmd)?;
    if !status.success() {
        bail!("`{}` failed ({})", command_line(cmd), describe(status));
    }
    Ok(())
}

/// Print, run with captured stdout/stderr and null stdin. The status is the caller's to check.
pub fn output(cmd: &mut Command) -> Result<Output> {
    print_command(cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("could not start `{}`", program_name(cmd)))
}

/// Print, run with captured stdout, inherited stderr and null stdin. The status is the
/// caller's to check.
pub fn stdout_of(cmd: &mut Command) -> Result<Output> {
    print_command(cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{}`", program_name(cmd)))
}

/// Stop a child: SIGTERM, up to `grace` to exit, then SIGKILL. Never fails loudly: it runs on
/// cleanup paths. (SIGTERM, not SIGKILL first: servers flush, Xvfb removes its lock file.)
pub fn terminate(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let mut kill = Command::new("kill");
    kill.args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if status(&mut kill).is_ok_and(|s| s.success()) {
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Copy a directory tree (files and subdirectories) into `to`, creating it.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("cannot copy {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("--release"), "--release");
        assert_eq!(shell_quote("/usr/bin/X"), "/usr/bin/X");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("${Status}"), "'${Status}'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn command_line_shows_env_and_redacts_secrets() {
        let mut cmd = Command::new("fieldstone-app");
        cmd.env("FIELDSTONE_SERVER_URL", "http://127.0.0.1:4000")
            .env("FIELDSTONE_TOKEN", "s3cret")
            .arg("--flag")
            .arg("two words");
        let line = command_line(&cmd);
        assert_eq!(
            line,
            "FIELDSTONE_SERVER_URL=http://127.0.0.1:4000 FIELDSTONE_TOKEN=*** \
             fieldstone-app --flag 'two words'"
        );
        assert!(!line.contains("s3cret"));
    }

    #[test]
    fn xdg_dir_prefers_absolute_xdg_value() {
        let got = xdg_dir(Some("/x/cache".into()), Some("/home/a".into()), ".cache");
        assert_eq!(got.ok(), Some(PathBuf::from("/x/cache")));
        // Relative values are invalid per the XDG spec and ignored.
        let got = xdg_dir(Some("rel".into()), Some("/home/a".into()), ".cache");
        assert_eq!(got.ok(), Some(PathBuf::from("/home/a/.cache")));
        let got = xdg_dir(None, Some("/home/a".into()), ".local/share");
        assert_eq!(got.ok(), Some(PathBuf::from("/home/a/.local/share")));
        assert!(xdg_dir(None, None, ".cache").is_err());
        assert!(xdg_dir(None, Some("".into()), ".cache").is_err());
    }

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        let ok = Command::new("true").status().expect("run true");
        assert_eq!(exit_code(ok), 0);
        let three = Command::new("sh")
            .args(["-c", "exit 3"])
            .status()
            .expect("run sh");
        assert_eq!(exit_code(three), 3);
        assert_eq!(describe(three), "exit status 3");
        let killed = Command::new("sh")
            .args(["-c", "kill -9 $$"])
            .status()
            .expect("run sh");
        assert_eq!(exit_code(killed), 137);
        assert_eq!(describe(killed), "killed by signal 9");
    }
}
