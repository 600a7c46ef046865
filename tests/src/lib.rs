//! Support for cross-crate scenarios: real `fieldstone-server` processes on loopback, replicas
//! in temporary directories, and polling helpers that fail with a message instead of hanging.

pub mod smtp;

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
                    "--features",
                    "fault-injection",
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

/// Builds the release server (for benchmarks) and returns its path.
pub fn release_server_bin() -> PathBuf {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--quiet", "-p", "fieldstone-server"])
        .status()
        .expect("build the server");
    assert!(status.success(), "building the release server failed");
    target_dir().join("release").join("fieldstone-server")
}

/// The token test server processes serve `/metrics` with.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// A real server process with its own data dir; killed on drop.
pub struct ServerProcess {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts a server on `listen` (use "127.0.0.1:0" for any free port).
    pub fn start(data_dir: &Path, listen: &str) -> Self {
        Self::start_with_env(data_dir, listen, &[])
    }

    /// Like [`ServerProcess::start`], with extra environment variables for the process (e.g.
    /// `FIELDSTONE_TEST_CRASH_AFTER_COMMITS`).
    pub fn start_with_env(data_dir: &Path, listen: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(server_bin());
        command
            .args(["serve", "--listen", listen, "--data-dir"])
            .arg(data_dir)
            .env("RUST_LOG", "warn")
            .env("FIELDSTONE_METRICS_TOKEN", METRICS_TOKEN);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
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

    /// The process id (for reading its memory use).
    pub fn pid(&self) -> u32 {
        self.child.id()
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

    /// Waits for the process to end by itself (e.g. a fault-injection abort), or kills it
    /// after `limit` so a server that does not crash fails the test instead of hanging it.
    pub async fn wait_for_exit(mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll server process") {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("the server process did not exit by itself");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The server's Prometheus text (`GET /metrics`, with the token it was started with).
    pub async fn metrics(&self) -> String {
        reqwest::Client::new()
            .get(format!("{}/metrics", self.url))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics body")
    }
}

/// The value of a metric in Prometheus text (summed over its label sets; 0 when absent).
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?;
            if !(rest.starts_with(' ') || rest.starts_with('{')) {
                return None;
            }
            line.rsplit(' ').next()?.parse::<f64>().ok()
        })
        .sum()
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

    /// Creates an agent with a display name (what a teammate sees when sharing) in `team` (a
    /// team's id from [`Org::team`]) and returns their id.
    pub fn agent_in(&self, email: &str, name: &str, team: &str) -> String {
        admin(
            &self.data_dir,
            &[
                "create-user",
                "--org",
                &self.id,
                "--email",
                email,
                "--role",
                "agent",
                "--name",
                name,
                "--team",
                team,
                "--password-stdin",
            ],
        )
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

impl Org {
    /// Registers a device named `device_name` for `email` and returns its session token.
    pub fn device_token(&self, email: &str, device_name: &str) -> String {
        admin(
            &self.data_dir,
            &[
                "issue-token",
                "--org",
                &self.id,
                "--email",
                email,
                "--device-name",
                device_name,
            ],
        )
    }

    /// Device ids of `email`'s devices named `device_name` (from `admin devices`).
    pub fn device_ids(&self, email: &str, device_name: &str) -> Vec<String> {
        admin(
            &self.data_dir,
            &["devices", "--org", &self.id, "--email", email],
        )
        .lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let (id, _owner, name) = (cols.next()?, cols.next()?, cols.next()?);
            (name == device_name).then(|| id.to_owned())
        })
        .collect()
    }
}

/// `admin stats` as name → number.
pub fn admin_stats(data_dir: &Path) -> std::collections::BTreeMap<String, u64> {
    admin(data_dir, &["stats"])
        .lines()
        .filter_map(|line| {
            let (name, value) = line.split_once('\t')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// Asserts that every replica holds the same documents with the same heads and the same read
/// model, naming the first pair that differs.
pub fn assert_converged(context: &str, replicas: &[(&str, &Replica)]) {
    let Some(((first_name, first), rest)) = replicas.split_first() else {
        return;
    };
    let ids = first.document_ids().expect("document ids");
    let dump = first.read_model_dump().expect("read model dump");
    for (name, replica) in rest {
        let other_ids = replica.document_ids().expect("document ids");
        assert_eq!(
            ids, other_ids,
            "{context}: documents of {first_name} and {name} differ"
        );
        for id in &ids {
            assert_eq!(
                first.doc_heads(id).expect("heads"),
                replica.doc_heads(id).expect("heads"),
                "{context}: heads of {id} differ between {first_name} and {name}"
            );
        }
        let other_dump = replica.read_model_dump().expect("read model dump");
        if dump != other_dump {
            let only_first: Vec<&String> =
                dump.iter().filter(|l| !other_dump.contains(l)).collect();
            let only_other: Vec<&String> =
                other_dump.iter().filter(|l| !dump.contains(l)).collect();
            panic!(
                "{context}: read models of {first_name} and {name} differ\n only in {first_name}: {only_first:#?}\n only in {name}: {only_other:#?}"
            );
        }
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

/// The listing most stories use: a three-bedroom house at 12 Elm Street, Springfield, public,
/// with no media or open houses.
pub fn elm_street() -> fieldstone_model::ListingInput {
    use fieldstone_model::{Address, ListingInput, ListingStatus, PropertyType, Visibility};
    ListingInput {
        address: Address {
            line1: "12 Elm Street".into(),
            line2: None,
            city: "Springfield".into(),
            region: None,
            postal_code: None,
            country: "US".into(),
            latitude: None,
            longitude: None,
        },
        price: 425_000,
        currency: "USD".into(),
        beds: Some(3),
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        description: String::new(),
        features: Vec::new(),
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
    }
}
