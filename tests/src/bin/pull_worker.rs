//! Opens a replica and runs one sync round against a server, then exits; the sync crash test
//! (`tests/tests/sync_crashes.rs`) kills it with SIGKILL part-way through a long pull and runs
//! it again to finish.
//!
//! Usage: `pull_worker <database path> <server url> <token>`. On success it prints
//! `pulled <documents> changed <documents> round_trips <n>`.

use anyhow::{bail, Context};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{Replica, SyncClient};
use fieldstone_tests::SystemClock;
use std::path::PathBuf;
use std::sync::Arc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(url), Some(token)) = (args.next(), args.next(), args.next()) else {
        bail!("usage: pull_worker <database path> <server url> <token>");
    };
    let replica =
        Arc::new(Replica::open(&PathBuf::from(path), Arc::new(SystemClock)).context("open")?);
    let client = SyncClient::new(&url, &token).context("client")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("tokio runtime")?;
    let report = runtime
        .block_on(sync_once(&replica, &client))
        .context("sync")?;
    println!(
        "pulled {} changed {} round_trips {}",
        report.pulled, report.docs_changed, report.round_trips
    );
    Ok(())
}
