//! Support for cross-crate scenarios: real `fieldstone-server` processes on loopback, replicas
//! in temporary directories, and polling helpers that fail with a message instead of hanging.

use fieldstone_model::Clock;
use fieldstone_replica::Replica;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// The workspace's target directory (tests run from `target/<profile>/deps/`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), |root| root.join("target"))
}

/// Path of the server binary: `FIELDSTONE_SERVER_BIN`, else the debug build (built on demand
/// so a plain `cargo test` works too).
pub fn server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("FIELDSTONE_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let status = Command::new(cargo)
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "fieldstone-server",
                    "--bin",
                    "fieldstone-server",
                ])
                .status()
                .expect("run cargo build for fieldstone-server");
            assert!(status.success(), "building fieldstone-server failed");
            target_dir().join("debug").join("fieldstone-server")
        })
        .clone()
}

/// A real server process with its own data dir; killed on drop.
pub struct ServerProcess {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts a server on `listen` (use "127.0.0.1:0" for any free port).
    pub fn start(data_dir: &Path, listen: &str) -> Self {
        let mut child = Command::new(server_bin())
            .args(["serve", "--listen", listen, "--data-dir"])
            .arg(data_dir)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn fieldstone-server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read server stdout");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from server: {line:?}"))
            .to_owned();
        Self {
            child,
            url,
            data_dir: data_dir.to_owned(),
        }
    }

    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in url")
    }

    /// Kills the process (like a crash or power cut) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The password every test user gets (long enough for the server's policy).
pub const PASSWORD: &str = "correct horse battery staple";

/// Runs `fieldstone-server admin <args> --data-dir <dir>` (passwords from stdin) and returns
/// its trimmed stdout; panics with stderr when it fails.
pub fn admin(data_dir: &Path, args: &[&str]) -> String {
    use std::io::Write;
    let mut child = Command::new(server_bin())
        .arg("admin")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fieldstone-server admin");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{PASSWORD}");
    }
    let output = child.wait_with_output().expect("admin output");
    assert!(
        output.status.success(),
        "admin {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8 output")
        .trim()
        .to_owned()
}

/// An organisation made with the admin commands: its id, and helpers to add people.
pub struct Org {
    pub id: String,
    pub data_dir: PathBuf,
}

impl Org {
    /// Creates organisation `name` with owner `owner@<name>.test`.
    pub fn create(data_dir: &Path, name: &str) -> Self {
        let owner = format!("owner@{}.test", name.to_lowercase());
        let id = admin(
            data_dir,
            &[
                "create-org",
                "--name",
                name,
                "--owner-email",
                &owner,
                "--password-stdin",
            ],
        );
        Self {
            id,
            data_dir: data_dir.to_owned(),
        }
    }

    pub fn team(&self, name: &str) -> String {
        admin(
            &self.data_dir,
            &["create-team", "--org", &self.id, "--name", name],
        )
    }

    /// Creates a user (password [`PASSWORD`]) and returns their id.
    pub fn user(&self, email: &str, role: &str, team: Option<&str>) -> String {
        let mut args = vec![
            "create-user",
            "--org",
            &self.id,
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ];
        if let Some(team) = team {
            args.extend(["--team", team]);
        }
        admin(&self.data_dir, &args)
    }

    /// Registers a device for `email` and returns its session token.
    pub fn token(&self, email: &str) -> String {
        admin(
            &self.data_dir,
            &[
                "issue-token",
                "--org",
                &self.id,
                "--email",
                email,
                "--device-name",
                "test device",
            ],
        )
    }
}

/// One organisation with one agent; returns the agent's device token.
pub fn create_account(data_dir: &Path, email: &str) -> String {
    let org = Org::create(data_dir, "Solo");
    org.user(email, "agent", None);
    org.token(email)
}

/// A free loopback port (bound then released; the race with other processes is negligible).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn open_replica(dir: &Path) -> Arc<Replica> {
    Arc::new(
        Replica::open(&dir.join("fieldstone.db"), Arc::new(SystemClock)).expect("open replica"),
    )
}

/// Polls `check` until it returns `Some`, or panics naming `what` after `limit`. A deadline
/// keeps a broken feature from hanging CI; nothing asserts on how long it took.
pub async fn eventually<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
