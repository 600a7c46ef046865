//! The embedded local sync server for `cargo xtask run`: a `fieldstone-server` on 127.0.0.1 with
//! one throwaway account, started before the app and stopped after it.
//!
//! Contract with `fieldstone-server` (sync-server/):
//! - `admin create-org --data-dir DIR --name NAME --owner-email EMAIL` creates an organisation
//!   and its owner;
//! - `admin issue-token --data-dir DIR --org NAME --email EMAIL --device-name NAME` registers a
//!   device and prints its session token on stdout (alone on its last line);
//! - `serve --data-dir DIR --listen 127.0.0.1:0` prints `listening on http://127.0.0.1:PORT` on
//!   stdout once it accepts connections.

use crate::util;
use anyhow::{bail, Context, Result};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const LOCAL_EMAIL: &str = "local@fieldstone.invalid";
pub const LOCAL_ORG: &str = "Local";
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How many of the server's last stderr lines an error message quotes.
const STDERR_TAIL: usize = 40;

/// `http://HOST:PORT` from a line containing `listening on http://HOST:PORT` (a bare line, or a
/// log line that contains it). `None` for anything else, including port 0.
pub fn parse_listening_line(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    // The URL ends at whitespace or at an ANSI escape (coloured log output).
    let url = rest
        .split(|c: char| c.is_whitespace() || c == '\x1b')
        .next()?;
    let authority = url.strip_prefix("http://")?.trim_end_matches('/');
    let (host, port) = authority.rsplit_once(':')?;
    if host.is_empty() || authority.contains('/') {
        return None;
    }
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Some(format!("http://{authority}")),
        _ => None,
    }
}

/// The token from `admin issue-token`'s stdout: its last non-empty line, which must be a
/// single word.
pub fn parse_token(stdout: &str) -> Result<String> {
    let last = stdout
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .context("`fieldstone-server admin issue-token` printed no token on stdout")?;
    if last.split_whitespace().count() != 1 {
        bail!(
            "`fieldstone-server admin issue-token` should print the token alone on its last \
             stdout line, but printed: {last:?}"
        );
    }
    Ok(last.to_string())
}

/// `<data dir>/../local-dev-token`.
pub fn token_path(data_dir: &Path) -> Result<PathBuf> {
    Ok(data_dir
        .parent()
        .context("the server data dir has no parent")?
        .join("local-dev-token"))
}

/// The local account's token: read from the token file, or (first time only) create the account
/// and keep its token.
///
/// Keeping the token in a file (mode 0600) is a development convenience that is acceptable only
/// because it grants access to a throwaway account on a server bound to 127.0.0.1 that xtask
/// itself runs. Real accounts' tokens live in the OS credential store (DESIGN.md decision 7).
pub fn ensure_local_account(server_bin: &Path, data_dir: &Path) -> Result<String> {
    let token_file = token_path(data_dir)?;
    if token_file.exists() {
        let token = std::fs::read_to_string(&token_file)
            .with_context(|| format!("cannot read {}", token_file.display()))?;
        let token = token.trim();
        if token.is_empty() {
            bail!(
                "{} is empty: delete it and {} to start a fresh local account",
                token_file.display(),
                data_dir.display()
            );
        }
        util::ok(&format!("local account token in {}", token_file.display()));
        return Ok(token.to_string());
    }

    util::doing(&format!("creating the local account {LOCAL_EMAIL} (once)"));
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let admin = |args: &[&str]| -> Result<std::process::Output> {
        let mut cmd = Command::new(server_bin);
        cmd.args(["admin"])
            .args(args)
            .arg("--data-dir")
            .arg(data_dir)
            .stdin(Stdio::null());
        let out = util::output(&mut cmd)?;
        if !out.status.success() {
            bail!(
                "`{}` failed ({}):\n{}\nIf the account exists but {} was lost, delete {} to start \
                 over.",
                util::command_line(&cmd),
                util::describe(out.status),
                String::from_utf8_lossy(&out.stderr).trim_end(),
                token_file.display(),
                data_dir.display()
            );
        }
        Ok(out)
    };
    // The owner's generated password is printed once on stderr and not kept: this device signs
    // in with the issued token.
    admin(&[
        "create-org",
        "--name",
        LOCAL_ORG,
        "--owner-email",
        LOCAL_EMAIL,
    ])?;
    let out = admin(&[
        "issue-token",
        "--org",
        LOCAL_ORG,
        "--email",
        LOCAL_EMAIL,
        "--device-name",
        "This computer",
    ])?;
    let token = parse_token(&String::from_utf8_lossy(&out.stdout))?;
    write_private(&token_file, &token)?;
    util::ok(&format!(
        "local account token kept in {}",
        token_file.display()
    ));
    Ok(token)
}

/// Write `contents` to `path` readable by the owner only (0600), atomically.
fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    file.write_all(format!("{contents}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot create {}", path.display()))
}

/// A running `fieldstone-server serve`. Dropping it stops the server.
pub struct LocalServer {
    child: Child,
    pub url: String,
}

impl LocalServer {
    /// Start the server on a free loopback port and wait until it says it is listening.
    pub fn start(server_bin: &Path, data_dir: &Path) -> Result<Self> {
        let mut cmd = Command::new(server_bin);
        cmd.args(["serve", "--data-dir"])
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        util::print_command(&cmd);
        let mut child = cmd
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", server_bin.display()))?;

        // Both pipes are drained for the server's whole life (a full pipe would block it), echoed
        // with a prefix; stderr's tail is kept for error messages.
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                forward_lines(stdout, |line| {
                    if let Some(url) = parse_listening_line(line) {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(url);
                        }
                    }
                });
            });
        }
        let stderr_thread = child.stderr.take().map(|stderr| {
            let tail = Arc::clone(&tail);
            std::thread::spawn(move || {
                forward_lines(stderr, |line| {
                    let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                    if tail.len() == STDERR_TAIL {
                        tail.pop_front();
                    }
                    tail.push_back(line.to_string());
                })
            })
        });

        let mut server = LocalServer {
            child,
            url: String::new(),
        };
        let deadline = Instant::now() + READY_TIMEOUT;
        let failure = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(url) => {
                    server.url = url;
                    return Ok(server);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(status) = server.child.try_wait()? {
                        break format!("exited ({}) before listening", util::describe(status));
                    }
                    if Instant::now() >= deadline {
                        break format!(
                            "did not print `listening on http://...` within {} s",
                            READY_TIMEOUT.as_secs()
                        );
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    // Usually stdout closed because the server is exiting: report its status.
                    break match wait_briefly(&mut server.child, Duration::from_secs(2)) {
                        Some(status) => {
                            format!("exited ({}) before listening", util::describe(status))
                        }
                        None => "closed its stdout without printing `listening on http://...`"
                            .to_string(),
                    };
                }
            }
        };
        util::terminate(&mut server.child, Duration::from_secs(2));
        if let Some(thread) = stderr_thread {
            let _ = thread.join();
        }
        let tail = tail.lock().unwrap_or_else(|e| e.into_inner());
        let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
        bail!(
            "fieldstone-server {failure}; its stderr:\n{}",
            if tail.is_empty() {
                "(empty)".to_string()
            } else {
                tail.join("\n")
            }
        )
    }

    /// Stop the server (SIGTERM, then SIGKILL after 5 s); the same as dropping it.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        util::terminate(&mut self.child, Duration::from_secs(5));
    }
}

/// The child's exit status if it exits within `limit`.
fn wait_briefly(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => return None,
        }
    }
}

/// Echo each line as `server │ line` (dimmed) and hand it to `each`.
fn forward_lines(pipe: impl Read, mut each: impl FnMut(&str)) {
    let mut reader = BufReader::new(pipe);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                let line = line.trim_end_matches(['\n', '\r']);
                eprintln!("{}", util::dim(&format!("server │ {line}")));
                each(line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_line_exact() {
        assert_eq!(
            parse_listening_line("listening on http://127.0.0.1:43121").as_deref(),
            Some("http://127.0.0.1:43121")
        );
        assert_eq!(
            parse_listening_line("listening on http://127.0.0.1:8080/\r").as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }

    #[test]
    fn listening_line_inside_log_output() {
        let line = "2026-11-21T10:00:00Z  INFO fieldstone_server: listening on \
                    http://127.0.0.1:5000\x1b[0m extra";
        assert_eq!(
            parse_listening_line(line).as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            parse_listening_line("listening on http://[::1]:7000").as_deref(),
            Some("http://[::1]:7000")
        );
    }

    #[test]
    fn listening_line_rejects_non_urls() {
        for line in [
            "",
            "starting server",
            "listening on 127.0.0.1:5000",
            "listening on https://127.0.0.1:5000",
            "listening on http://127.0.0.1:0",
            "listening on http://127.0.0.1:70000",
            "listening on http://127.0.0.1:",
            "listening on http://:5000",
            "listening on http://127.0.0.1:5000/api",
            "listening on ",
        ] {
            assert_eq!(parse_listening_line(line), None, "{line:?}");
        }
    }

    #[test]
    fn token_is_the_last_nonempty_stdout_line() {
        assert_eq!(parse_token("abc123\n").ok().as_deref(), Some("abc123"));
        assert_eq!(
            parse_token("created account 7\nfs_tok_9f8e\n\n")
                .ok()
                .as_deref(),
            Some("fs_tok_9f8e")
        );
        assert!(parse_token("").is_err());
        assert!(parse_token("\n  \n").is_err());
        assert!(parse_token("token: abc\n").is_err());
    }

    #[test]
    fn token_file_sits_next_to_the_data_dir() {
        let got = token_path(Path::new("/d/fieldstone/server")).ok();
        assert_eq!(got, Some(PathBuf::from("/d/fieldstone/local-dev-token")));
    }

    #[test]
    fn token_file_is_private() {
        let dir = std::env::temp_dir().join(format!("xtask-token-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("local-dev-token");
        write_private(&path, "tok").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "tok\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    /// A bare HTTP/1.1 GET, so this check needs no HTTP client dependency.
    fn get_status(url: &str, path: &str, token: &str) -> String {
        use std::io::{Read, Write};
        let addr = url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect to the local server");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer.lines().next().unwrap_or_default().to_owned()
    }

    /// The path `cargo xtask run` takes, against the real server binary. `cargo xtask test`
    /// builds it first and names it in FIELDSTONE_SERVER_BIN; a plain `cargo test` skips this.
    #[test]
    #[ignore = "needs the built server binary: run `cargo xtask test`"]
    fn local_server_starts_with_a_working_token_that_is_reused() {
        let bin = std::env::var_os("FIELDSTONE_SERVER_BIN")
            .map(PathBuf::from)
            .expect("FIELDSTONE_SERVER_BIN is set by `cargo xtask test`");
        let root = std::env::temp_dir().join(format!("xtask-local-server-{}", std::process::id()));
        let data_dir = root.join("fieldstone").join("server");
        let _ = std::fs::remove_dir_all(&root);

        let token = ensure_local_account(&bin, &data_dir).expect("first run creates the account");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(token_path(&data_dir).expect("path"))
                .expect("token file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner may read the token");
        }
        let again = ensure_local_account(&bin, &data_dir).expect("second run reuses it");
        assert_eq!(again, token);

        let server = LocalServer::start(&bin, &data_dir).expect("server starts");
        assert!(
            get_status(&server.url, "/v2/me", &token).contains(" 200 "),
            "the kept token is accepted"
        );
        assert!(
            get_status(&server.url, "/v2/me", "fst_wrong").contains(" 401 "),
            "a wrong token is refused"
        );
        server.stop();
        let _ = std::fs::remove_dir_all(&root);
    }
}
