//! `fieldstone-server serve` and `fieldstone-server admin …`: one binary for the server and its
//! administration.

mod admin;
mod admin_outreach;

/// Document loads make many short-lived allocations; mimalloc gives the memory back to the
/// system, where glibc's allocator kept it, so the hot-document cache really bounds memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use fieldstone_server::config::{Config, LogFormat, Secret};
use fieldstone_server::store::PostgresStore;
use fieldstone_server::{AppState, SqliteStore, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "fieldstone-server", version, about = "Fieldstone sync server")]
struct Cli {
    /// TOML configuration file (every key optional; see docs/server.example.toml).
    #[arg(long, global = true, env = "FIELDSTONE_CONFIG")]
    config: Option<PathBuf>,
    /// Where the SQLite store keeps its file.
    #[arg(long, global = true, env = "FIELDSTONE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL: postgres://user:password@host/db (never logged in full).
    #[arg(
        long,
        global = true,
        env = "FIELDSTONE_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, global = true, env = "FIELDSTONE_LISTEN")]
    listen: Option<SocketAddr>,
    /// `text` or `json` logs on stderr.
    #[arg(long, global = true, env = "FIELDSTONE_LOG_FORMAT")]
    log_format: Option<String>,
    /// Serve `/metrics` on the main address to requests bearing this token (never logged).
    #[arg(
        long,
        global = true,
        env = "FIELDSTONE_METRICS_TOKEN",
        hide_env_values = true
    )]
    metrics_token: Option<String>,
    /// The server's secret key (base64 of 32+ random bytes) that signs links in email;
    /// overrides `secret_key` in the file. Never logged.
    #[arg(
        long,
        global = true,
        env = "FIELDSTONE_SECRET_KEY",
        hide_env_values = true
    )]
    secret_key: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the sync server until Ctrl-C or SIGTERM (then finish in-flight requests).
    Serve,
    /// Administration that works directly on the database.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let config = load_config(&cli)?;
    init_logs(config.log_format);
    match cli.command {
        Command::Serve => serve(config),
        Command::Admin { command } => {
            let store = open_store(&config)?;
            admin::run(store.as_ref(), &config, command)
        }
    }
}

/// Defaults, then the file, then environment and flags; validated as a whole.
fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = match &cli.config {
        Some(path) => Config::from_file(path).map_err(anyhow::Error::msg)?,
        None => Config::default(),
    };
    if let Some(dir) = &cli.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &cli.database_url {
        config.database_url = Some(Secret::new(url.clone()));
    }
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    if let Some(token) = &cli.metrics_token {
        config.http.metrics_token = Some(Secret::new(token.clone()));
    }
    if let Some(key) = &cli.secret_key {
        config.secret_key = Some(Secret::new(key.clone()));
    }
    if let Some(format) = &cli.log_format {
        config.log_format = match format.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => anyhow::bail!("--log-format must be text or json, not {other:?}"),
        };
    }
    config.validate().map_err(anyhow::Error::msg)?;
    Ok(config)
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn open_store(config: &Config) -> Result<Arc<dyn Store>> {
    match &config.database_url {
        Some(url) => {
            let store = PostgresStore::connect(url.expose())
                .with_context(|| format!("opening the PostgreSQL store at {url:?}"))?;
            Ok(Arc::new(store))
        }
        None => {
            let store = SqliteStore::open(&config.data_dir)
                .with_context(|| format!("opening the store in {}", config.data_dir.display()))?;
            Ok(Arc::new(store))
        }
    }
}

const BLOCKING_THREADS: usize = 32;

/// Organisations' provider secrets are sealed with `secret_key`: without it the server could
/// not send for them, so it does not start.
fn refuse_sealed_without_key(store: &dyn Store, config: &Config) -> Result<()> {
    if config.secret_key.is_some() {
        return Ok(());
    }
    for org in store.orgs()? {
        if !store.providers(org.id)?.is_empty() {
            anyhow::bail!(
                "organisation {:?} has providers whose secrets are sealed with the server's \
                 secret_key, and none is configured: set secret_key (or FIELDSTONE_SECRET_KEY) \
                 to the key they were sealed with",
                org.name
            );
        }
    }
    Ok(())
}

fn serve(config: Config) -> Result<()> {
    let store = open_store(&config)?;
    refuse_sealed_without_key(store.as_ref(), &config)?;
    let listen = config.listen;
    tracing::info!(?config, backend = store.backend(), "starting");
    let clock: Arc<dyn fieldstone_model::Clock> = Arc::new(fieldstone_server::SystemClock);
    let state = AppState::new(store, config, clock).map_err(anyhow::Error::msg)?;
    // Blocking work (storage, document checks) runs on a bounded pool: each thread keeps its own
    // allocator cache, so a burst of pushes waiting on one group commit must not become hundreds
    // of threads (measured in docs/BENCHMARKS.md).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        // The handlers are installed before the "listening" line: a SIGTERM sent as soon as a
        // script sees the server ready must stop it cleanly, not kill it with the default action
        // because the shutdown future was not polled yet.
        let shutdown = shutdown_signal()?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        // Scripts and tests wait for this exact line to know the server is ready.
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "listening on {}",
            fieldstone_server::public_url(addr)
        )?;
        stdout.flush()?;
        drop(stdout);
        tracing::info!(%addr, "serving");
        fieldstone_server::serve(listener, state, shutdown)
            .await
            .context("serving")?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Ctrl-C (SIGINT) or SIGTERM, with the handlers installed now, not when the future is first
/// polled.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
