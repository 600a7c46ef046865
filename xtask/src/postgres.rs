//! PostgreSQL for the store tests: the server's URL from `FIELDSTONE_TEST_POSTGRES_URL` when it
//! is set, else a private throwaway cluster from Debian's packages on a free loopback port.
//! Dropping the guard stops the cluster and deletes its files, on success and failure alike.

use crate::install::is_root;
use crate::util;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// What the store tests read to find a PostgreSQL server.
pub const URL_VAR: &str = "FIELDSTONE_TEST_POSTGRES_URL";
/// Where Debian installs each major version's server programs (`<dir>/<version>/bin`).
const LIB_DIR: &str = "/usr/lib/postgresql";
/// The cluster's superuser (trust authentication on loopback only).
const SUPERUSER: &str = "fieldstone";
/// PostgreSQL refuses to run as root; the Debian package creates this system user.
const SYSTEM_USER: &str = "postgres";
/// Another process may take the free port we picked before the server binds it.
const ATTEMPTS: usize = 3;

/// The URL the tests use, and the cluster behind it when we started one.
pub struct TestDatabase {
    pub url: String,
    _cluster: Option<Cluster>,
}

/// The configured server, or a private cluster started now.
pub fn for_tests(log_dir: &Path) -> Result<TestDatabase> {
    if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.trim().is_empty()) {
        util::ok(&format!("PostgreSQL from {URL_VAR}"));
        return Ok(TestDatabase {
            url,
            _cluster: None,
        });
    }
    let cluster = Cluster::start(log_dir)?;
    Ok(TestDatabase {
        url: test_url(cluster.port),
        _cluster: Some(cluster),
    })
}

/// `postgres://fieldstone@127.0.0.1:<port>/postgres`: the tests create their own databases.
pub fn test_url(port: u16) -> String {
    format!("postgres://{SUPERUSER}@127.0.0.1:{port}/postgres")
}

/// The highest of Debian's version directory names ("15", "16", old "9.6"); other names are
/// ignored.
pub fn highest_version<I, S>(names: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    names
        .into_iter()
        .filter_map(|name| {
            let name = name.as_ref();
            let parts: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
            Some((parts?, name.to_owned()))
        })
        .max()
        .map(|(_, name)| name)
}

/// `/usr/lib/postgresql/<highest>/bin`, when it has `initdb` and `pg_ctl`.
fn server_bin_dir() -> Result<PathBuf> {
    let hint = || {
        format!(
            "no PostgreSQL server programs under {LIB_DIR}/<version>/bin: install the Debian \
             package postgresql, or set {URL_VAR} to a server the tests may create databases on"
        )
    };
    let names = std::fs::read_dir(LIB_DIR)
        .with_context(hint)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned());
    let version = highest_version(names).with_context(hint)?;
    let bin = Path::new(LIB_DIR).join(version).join("bin");
    if !bin.join("initdb").is_file() || !bin.join("pg_ctl").is_file() {
        bail!(hint());
    }
    Ok(bin)
}

pub struct Cluster {
    bin: PathBuf,
    /// Holds the data directory, the socket and the log; deleted on drop.
    base: PathBuf,
    port: u16,
    /// Running as root: every server program runs as [`SYSTEM_USER`].
    as_system_user: bool,
    running: bool,
}

impl Cluster {
    /// `initdb`, then `pg_ctl start -w` on a free port (the server's log is copied to
    /// `<log_dir>/postgres.log` if it fails to start).
    pub fn start(log_dir: &Path) -> Result<Self> {
        let bin = server_bin_dir()?;
        let as_system_user = is_root();
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let base =
            std::env::temp_dir().join(format!("fieldstone-pg-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&base)
            .with_context(|| format!("cannot create {}", base.display()))?;
        // From here on, dropping `cluster` deletes `base`.
        let mut cluster = Cluster {
            bin,
            base,
            port: 0,
            as_system_user,
            running: false,
        };
        if as_system_user {
            let owner = format!("{SYSTEM_USER}:{SYSTEM_USER}");
            util::run(Command::new("chown").arg(&owner).arg(&cluster.base)).with_context(|| {
                format!(
                    "PostgreSQL refuses to run as root, and the {SYSTEM_USER} user (created by \
                     the Debian package postgresql) cannot own {}",
                    cluster.base.display()
                )
            })?;
        }
        util::doing("starting a private PostgreSQL cluster for the store tests");
        let data = cluster.data_dir();
        let mut initdb = cluster.program("initdb");
        initdb.arg("-D").arg(&data).args([
            "--auth=trust",
            "-U",
            SUPERUSER,
            "--encoding=UTF8",
            "--no-locale",
        ]);
        let out = util::output(&mut initdb)?;
        if !out.status.success() {
            bail!(
                "initdb failed ({}): {}{}",
                util::describe(out.status),
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let mut last_error = String::new();
        for _ in 0..ATTEMPTS {
            let port = free_port()?;
            match cluster.try_start(port)? {
                Ok(()) => {
                    util::ok(&format!("PostgreSQL running at {}", test_url(port)));
                    return Ok(cluster);
                }
                Err(why) => last_error = why,
            }
        }
        let log = std::fs::read_to_string(cluster.log_file()).unwrap_or_default();
        let saved = log_dir.join("postgres.log");
        if std::fs::create_dir_all(log_dir).is_ok() && std::fs::write(&saved, &log).is_ok() {
            last_error.push_str(&format!(" (server log: {})", saved.display()));
        }
        bail!("PostgreSQL failed to start {ATTEMPTS} times; last: {last_error}")
    }

    /// Outer error: could not run pg_ctl at all. Inner error: the server did not start.
    fn try_start(&mut self, port: u16) -> Result<Result<(), String>> {
        let options = format!(
            "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=on",
            self.base.display()
        );
        let mut pg_ctl = self.program("pg_ctl");
        pg_ctl
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file())
            .args(["-o", &options]);
        let out = util::output(&mut pg_ctl)?;
        if out.status.success() {
            self.port = port;
            self.running = true;
            return Ok(Ok(()));
        }
        Ok(Err(format!(
            "pg_ctl start on port {port} failed ({}): {}",
            util::describe(out.status),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }

    fn data_dir(&self) -> PathBuf {
        self.base.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.base.join("server.log")
    }

    /// One of the server programs, run as [`SYSTEM_USER`] when we are root.
    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_system_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", SYSTEM_USER, "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let mut stop = self.program("pg_ctl");
            stop.args(["stop", "-w", "-m", "fast", "-D"])
                .arg(self.data_dir());
            if let Err(err) = util::output(&mut stop).and_then(|out| {
                if out.status.success() {
                    Ok(())
                } else {
                    bail!("{}", String::from_utf8_lossy(&out.stderr).trim())
                }
            }) {
                util::warn(&format!("could not stop the test PostgreSQL: {err:#}"));
            }
        }
        if let Err(err) = std::fs::remove_dir_all(&self.base) {
            util::warn(&format!("could not remove {}: {err}", self.base.display()));
        }
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("cannot find a free local port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_highest_numeric_version() {
        assert_eq!(highest_version(["15", "16", "9.6"]), Some("16".into()));
        assert_eq!(highest_version(["9.6", "10"]), Some("10".into()));
        assert_eq!(highest_version(["9.5", "9.6"]), Some("9.6".into()));
        assert_eq!(
            highest_version(["15", "README", "16beta"]),
            Some("15".into())
        );
        assert_eq!(highest_version(Vec::<String>::new()), None);
        assert_eq!(highest_version(["notes"]), None);
    }

    #[test]
    fn test_url_names_the_superuser_and_the_maintenance_database() {
        assert_eq!(
            test_url(54321),
            "postgres://fieldstone@127.0.0.1:54321/postgres"
        );
    }

    #[test]
    #[ignore = "starts a PostgreSQL server (cargo xtask test runs it)"]
    fn a_private_cluster_accepts_connections_and_leaves_nothing_behind() {
        let log_dir = std::env::temp_dir().join(format!("xtask-pg-test-{}", std::process::id()));
        let cluster = Cluster::start(&log_dir).expect("start a cluster");
        let base = cluster.base.clone();
        std::net::TcpStream::connect(("127.0.0.1", cluster.port)).expect("connect to it");
        drop(cluster);
        assert!(!base.exists(), "{} was left behind", base.display());
        let _ = std::fs::remove_dir_all(&log_dir);
    }
}
