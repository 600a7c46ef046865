//! Fieldstone's Tauri shell: opens the local engine, starts background sync, and exposes the
//! app's commands to the UI. Desktop and mobile share this entry point.

mod api;
mod commands;
mod config;

use api::Api;
use fieldstone_model::Clock;
use fieldstone_protocol::commands::SYNC_STATUS_EVENT;
use fieldstone_replica::{Replica, SyncClient, SyncHandle};
use std::sync::Arc;
use tauri::{Emitter, Manager};

struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let result = tauri::Builder::default()
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            let db = data_dir.join("fieldstone.db");
            let replica = Arc::new(Replica::open(&db, Arc::new(SystemClock))?);
            tracing::info!(db = %db.display(), "local engine open");
            app.manage(Api::new(Arc::clone(&replica)));
            match config::SyncConfig::from_env()? {
                None => tracing::info!("no sync server configured: local only"),
                Some(sync) => start_sync(app.handle().clone(), replica, sync)?,
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::create_lead,
            commands::list_leads,
            commands::sync_status,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "Fieldstone could not start");
        std::process::exit(1);
    }
}

fn start_sync(
    app: tauri::AppHandle,
    replica: Arc<Replica>,
    config: config::SyncConfig,
) -> Result<(), Box<dyn std::error::Error>> {
    let client = SyncClient::new(&config.server_url, &config.token)?;
    let handle = {
        let runtime = tauri::async_runtime::handle();
        let _entered = runtime.inner().enter();
        SyncHandle::spawn(replica, client, config.options)
    };
    let mut status = handle.subscribe();
    app.state::<Api>().attach_sync(handle);
    // Forward every status change to the UI; ends when the app (and so the handle) goes.
    tauri::async_runtime::spawn(async move {
        loop {
            let current = status.borrow_and_update().clone();
            if let Err(error) = app.emit(SYNC_STATUS_EVENT, &current) {
                tracing::warn!(%error, "could not send sync status to the window");
            }
            if status.changed().await.is_err() {
                break;
            }
        }
    });
    Ok(())
}
