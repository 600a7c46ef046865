//! Fieldstone's Tauri shell: opens the app API (`fieldstone-app-api`) over the local engine,
//! resumes background sync (the environment's server, else the signed-in session), checks
//! reminders on a timer, pushes the API's events to the window, and serves the table of
//! commands to the UI. Desktop and mobile share this entry point.

mod commands;
pub mod lead_news;
pub mod reminders;

use fieldstone_app_api::{config, credentials, Api, ApiConfig, Events};
use fieldstone_model::Clock;
use fieldstone_protocol::commands::{
    ImportProgressEvent, SyncStatus, IMPORT_PROGRESS_EVENT, SYNC_STATUS_EVENT,
};
use std::sync::Arc;
use tauri::{Emitter, Manager};

/// The app's name in the OS credential store.
pub const CREDENTIAL_SERVICE: &str = "com.fieldstone.crm";

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Pushes the API's events to the window.
struct WindowEvents(tauri::AppHandle);

impl WindowEvents {
    fn emit<T: serde::Serialize + Clone>(&self, event: &str, payload: &T) {
        if let Err(error) = self.0.emit(event, payload) {
            tracing::warn!(%error, event, "could not send an event to the window");
        }
    }
}

impl Events for WindowEvents {
    fn sync_status(&self, status: &SyncStatus) {
        self.emit(SYNC_STATUS_EVENT, status);
    }
    fn import_progress(&self, event: &ImportProgressEvent) {
        self.emit(IMPORT_PROGRESS_EVENT, event);
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
        // Only its URL command is granted, scoped to the contact links (capabilities/main.json).
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let paths = app.path();
            let config = ApiConfig {
                data_dir: paths.app_data_dir()?,
                config_dir: paths.app_config_dir()?,
                cache_dir: paths.app_cache_dir()?,
                // Phones have no downloads folder the app may write: exports stay in its own.
                export_dir: paths.download_dir().ok(),
                credentials: credentials::Credentials::new(CREDENTIAL_SERVICE),
                sync: config::SyncConfig::from_env()?,
            };
            let events = Arc::new(WindowEvents(app.handle().clone()));
            let api = Api::open(config, Arc::new(SystemClock), events)?;
            tracing::info!(data = %api.about().data_dir, "local engine open");
            api.clean_uploads();
            app.manage(api);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let api = handle.state::<Api>();
                api.resume_sync().await;
                remind(&api).await;
            });
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "Fieldstone could not start");
        std::process::exit(1);
    }
}

/// Checks reminders every [`reminders::CHECK_EVERY`] for the app's life, re-reading the plan
/// when something changed here or elsewhere, or every [`reminders::REPLAN_EVERY`].
async fn remind(api: &Api) {
    use reminders::{load_plan, show, OsNotifier, Scheduler};
    let notifier = Arc::new(OsNotifier);
    let mut scheduler = Scheduler::new(api.clock().now());
    let mut plan = Vec::new();
    let mut planned: Option<(u64, u64, chrono::DateTime<chrono::Utc>)> = None;
    let mut timer = tokio::time::interval(reminders::CHECK_EVERY);
    let mut lead_news = lead_news::LeadNews::default();
    loop {
        timer.tick().await;
        let now = api.clock().now();
        let seen = (api.write_count(), api.sync_status().remote_revision);
        let stale = planned.is_none_or(|(writes, remote, at)| {
            (writes, remote) != seen || now - at > reminders::REPLAN_EVERY || now < at
        });
        if stale {
            let replica = api.replica();
            match tokio::task::spawn_blocking(move || load_plan(&replica, now)).await {
                Ok(Ok(fresh)) => {
                    plan = fresh;
                    planned = Some((seen.0, seen.1, now));
                }
                Ok(Err(error)) => tracing::warn!(%error, "cannot read reminders"),
                Err(error) => tracing::warn!(%error, "reminder check failed"),
            }
        }
        if stale {
            announce_leads(api, &mut lead_news, &notifier, now).await;
        }
        let due = scheduler.due(&plan, now);
        if due.is_empty() {
            continue;
        }
        let notifier = Arc::clone(&notifier);
        // Showing may block on D-Bus: off the async threads. Failures are logged inside.
        let shown = tokio::task::spawn_blocking(move || {
            let report = show(due, notifier.as_ref(), now);
            tracing::debug!(?report, "reminders");
        })
        .await;
        if let Err(error) = shown {
            tracing::warn!(%error, "reminder notification task failed");
        }
    }
}

/// Says "New lead: …" for each lead handed to the signed-in agent since the last look.
async fn announce_leads(
    api: &Api,
    news: &mut lead_news::LeadNews,
    notifier: &Arc<reminders::OsNotifier>,
    now: chrono::DateTime<chrono::Utc>,
) {
    use reminders::Notifier;
    let (replica, me) = (api.replica(), api.user());
    let read =
        tokio::task::spawn_blocking(move || replica.leads_handed_to(me, lead_news::READ_AT_MOST))
            .await;
    let leads = match read {
        Ok(Ok(leads)) => leads,
        Ok(Err(error)) => return tracing::warn!(%error, "cannot read new leads"),
        Err(error) => return tracing::warn!(%error, "new-lead check failed"),
    };
    let said = news.news(&leads, now);
    if said.is_empty() {
        return;
    }
    let notifier = Arc::clone(notifier);
    let shown = tokio::task::spawn_blocking(move || {
        for one in said {
            if let Err(error) = notifier.show(&one.title, &one.body) {
                tracing::info!(%error, title = %one.title, "new-lead notification not shown");
            }
        }
    })
    .await;
    if let Err(error) = shown {
        tracing::warn!(%error, "new-lead notification task failed");
    }
}
