//! `fieldstone-server serve` and `fieldstone-server admin …`.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use fieldstone_server::{auth, AppState, SqliteStore, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "fieldstone-server", version, about = "Fieldstone sync server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the sync server.
    Serve {
        /// Where the server keeps its database.
        #[arg(long, env = "FIELDSTONE_DATA_DIR")]
        data_dir: PathBuf,
        /// Address to listen on; port 0 picks a free port (printed on stdout).
        #[arg(long, env = "FIELDSTONE_LISTEN", default_value = "127.0.0.1:7070")]
        listen: SocketAddr,
    },
    /// Administration commands that work directly on the data dir.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account and print a device token for it (shown once; only its hash is kept).
    CreateAccount {
        #[arg(long, env = "FIELDSTONE_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        email: String,
    },
    /// Issue another device token for an existing account.
    IssueToken {
        #[arg(long, env = "FIELDSTONE_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        email: String,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { data_dir, listen } => serve(data_dir, listen),
        Command::Admin { command } => admin(command),
    }
}

fn serve(data_dir: PathBuf, listen: SocketAddr) -> Result<()> {
    let store = SqliteStore::open(&data_dir)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
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
        tracing::info!(%addr, data_dir = %data_dir.display(), "serving");
        let state = AppState {
            store: Arc::new(store),
        };
        fieldstone_server::serve(listener, state, shutdown_signal())
            .await
            .context("serving")?;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn admin(command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::CreateAccount { data_dir, email } => {
            let email = checked_email(&email)?;
            let store = SqliteStore::open(&data_dir)?;
            if store.account_by_email(&email)?.is_some() {
                bail!("an account for {email} already exists; use `admin issue-token` for another device");
            }
            let account = store.create_account(&email)?;
            let token = auth::new_token();
            store.add_token(account, &auth::hash_token(&token))?;
            println!("{token}");
            eprintln!("created account {email}; the token above is shown only once");
        }
        AdminCommand::IssueToken { data_dir, email } => {
            let email = checked_email(&email)?;
            let store = SqliteStore::open(&data_dir)?;
            let Some(account) = store.account_by_email(&email)? else {
                bail!("no account for {email}");
            };
            let token = auth::new_token();
            store.add_token(account, &auth::hash_token(&token))?;
            println!("{token}");
        }
    }
    Ok(())
}

fn checked_email(email: &str) -> Result<String> {
    let email = email.trim();
    if let Err(message) = fieldstone_model::check_email(email) {
        bail!("--email: {message}");
    }
    Ok(email.to_lowercase())
}
