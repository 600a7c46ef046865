//! Fieldstone's sync server: organisations, teams and roles; per-scope change feeds whose cost is
//! what changed; access control on every change; live news; SQLite by default, PostgreSQL to
//! scale out.

pub mod access;
pub mod ai;
pub mod auth;
pub mod blobs;
pub mod calendar_feed;
pub mod campaign;
pub mod config;
pub mod dispatch;
pub mod dnc;
mod error;
pub mod follow_up;
pub mod hub;
pub mod intake;
pub mod jobs;
pub mod links;
mod listen;
pub mod metrics;
pub mod mls;
pub mod org_settings;
pub mod providers;
pub mod public_page;
pub mod quota;
pub mod routes;
pub mod routing;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod webhooks;
pub mod weekly;

pub use config::Config;
pub use error::ApiError;
pub use store::{SqliteStore, Store, StoreError};

use fieldstone_model::{Clock, DeviceId};
use hub::{Event, Hub};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// The wall clock (tests pass a `FixedClock` instead).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub hub: Hub,
    pub passwords: Arc<auth::Passwords>,
    pub limiter: Arc<auth::LoginLimiter>,
    /// Rates on the public routes (email links, webhooks), per client address.
    pub public_limiter: Arc<auth::PublicLimiter>,
    pub docs: Arc<sync::DocCache>,
    pub access: Arc<sync::AccessCache>,
    pub metrics: Arc<metrics::Metrics>,
    /// When each device's "last seen" was last written.
    pub touched: Arc<Mutex<HashMap<DeviceId, Instant>>>,
    /// The proxies whose `X-Forwarded-For` is believed (`auth.trusted_proxies`).
    pub proxies: Arc<Vec<ipnet::IpNet>>,
    /// Signs and checks the links in email (`secret_key`); `None` without a secret key.
    pub links: Option<Arc<links::LinkSigner>>,
    /// Organisations' own providers, and what seals their secrets (`secret_key`).
    pub providers: Arc<providers::Providers>,
    /// Leads a minute per intake API key and per client address (`[intake]`).
    pub intake: Arc<intake::RateLimits>,
    /// Media files documents name by hash (`[blobs]`).
    pub blobs: Arc<blobs::Blobs>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        config.validate()?;
        let passwords =
            auth::Passwords::new(config.auth.argon2_memory_kib, config.auth.argon2_iterations)?;
        let limiter = auth::LoginLimiter::new(
            config.auth.login_per_ip_per_minute,
            config.auth.login_failures_per_account,
            config.auth.login_free_failures,
        );
        let proxies = config.auth.proxies()?;
        let public_limiter = auth::PublicLimiter::new(
            config.limits.links_per_ip_per_minute,
            config.limits.webhooks_per_ip_per_minute,
        );
        let links = config
            .secret_key_bytes()
            .map(|key| Arc::new(links::LinkSigner::new(&key)));
        let sealer = config
            .secret_key_bytes()
            .map(|key| secrets::Sealer::new(&key));
        let blob_dir = config
            .blobs
            .dir
            .clone()
            .unwrap_or_else(|| config.data_dir.join("blobs"));
        let blobs = match &config.blobs.s3 {
            // Finished files in the bucket; unfinished ones still on this server's disk.
            Some(s3) => blobs::Blobs::new(
                Arc::new(blobs::S3BlobStore::new(s3)?),
                blob_dir.join("uploads"),
                &config.blobs,
            ),
            None => blobs::Blobs::on_disk(blob_dir, &config.blobs),
        };
        Ok(Self {
            blobs: Arc::new(blobs),
            intake: Arc::new(intake::RateLimits::new(&config.intake)),
            links,
            providers: Arc::new(providers::Providers::new(sealer)),
            docs: Arc::new(sync::DocCache::new(
                config.limits.hot_docs,
                config.limits.hot_ops,
            )),
            store,
            config: Arc::new(config),
            clock,
            hub: Hub::new(),
            passwords: Arc::new(passwords),
            limiter: Arc::new(limiter),
            public_limiter: Arc::new(public_limiter),
            access: Arc::new(sync::AccessCache::default()),
            metrics: Arc::new(metrics::Metrics::new()),
            touched: Arc::new(Mutex::new(HashMap::new())),
            proxies: Arc::new(proxies),
        })
    }

    /// Tells this process (at once) and the others sharing the database (through the store)
    /// what happened. Blocking: call from a blocking context.
    pub fn publish(&self, event: Event) {
        if let Event::AccessChanged { org } = &event {
            self.access.invalidate(*org);
        }
        if let Err(error) = self.store.announce(&event) {
            tracing::warn!(%error, "could not announce an event to other server processes");
        }
        self.hub.local(event);
    }
}

/// One security event for an organisation's audit log (blocking). A failure to write it is
/// logged, never the request's failure.
pub struct Audit<'a> {
    pub kind: &'a str,
    pub user: Option<fieldstone_model::UserId>,
    pub subject: Option<String>,
    pub detail: String,
    pub ip: Option<std::net::IpAddr>,
}

impl AppState {
    pub fn audit(&self, org: fieldstone_model::OrgId, event: Audit<'_>) {
        let row = store::AuditEvent {
            at: self.clock.now(),
            kind: event.kind.to_owned(),
            user: event.user,
            subject: event.subject,
            detail: event.detail,
            ip: event.ip.map(|ip| ip.to_string()),
        };
        tracing::info!(%org, kind = event.kind, detail = %row.detail, "security event");
        if let Err(error) = self.store.record_audit(org, &row) {
            tracing::warn!(%error, "could not write the audit log");
        }
    }
}

/// Runs blocking storage work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("storage task failed: {e}")))?
}

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    start_background(&state);
    let (stop_dispatch, dispatch_stopped) = tokio::sync::watch::channel(false);
    // Organisations can have providers of their own once the server can seal their secrets.
    if state.config.email.is_some()
        || state.config.sms.is_some()
        || state.config.secret_key.is_some()
    {
        dispatch::spawn(state.clone(), state.config.email.clone(), dispatch_stopped);
    }
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    // Weekly reports go by email: only a server that can send any schedules them.
    if state.config.weekly_reports
        && (state.config.email.is_some() || state.config.secret_key.is_some())
    {
        weekly::spawn(state.clone(), jobs_stopped.clone());
    }
    // MLS connections are providers: only a server that can open their secrets runs them.
    if state.config.secret_key.is_some() {
        mls::spawn(state.clone(), jobs_stopped.clone());
    }
    jobs::spawn(state.clone(), jobs::POLL, jobs_stopped);
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    if let Some(addr) = state.config.http.metrics_listen {
        let metrics_listener = TcpListener::bind(addr).await?;
        tracing::info!(addr = %metrics_listener.local_addr()?, "metrics listening");
        let app = routes::metrics_router(state.clone());
        let metrics_state = state.clone();
        tokio::spawn(async move {
            let stopped = async {
                let _ = metrics_stopped.await;
            };
            if let Err(error) = listen::run(metrics_listener, app, &metrics_state, stopped).await {
                tracing::error!(%error, "metrics listener stopped");
            }
        });
    }
    let result = listen::run(listener, routes::router(state.clone()), &state, shutdown).await;
    let _ = stop_metrics.send(());
    let _ = stop_dispatch.send(true);
    let _ = stop_jobs.send(true);
    result
}

/// Keeps caches in step with other processes' announcements, and trims the rate limiter.
fn start_background(state: &AppState) {
    if let Err(error) = state.store.listen(state.hub.clone()) {
        tracing::warn!(%error, "not listening for other server processes' changes");
    }
    let reactor = state.clone();
    let mut events = state.hub.subscribe();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(delivery) if delivery.remote => match &delivery.event {
                    Event::Changed { org, doc, .. } => reactor.docs.evict(*org, doc),
                    Event::AccessChanged { org } => reactor.access.invalidate(*org),
                    _ => {}
                },
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    // Missed announcements: forget what may be stale.
                    reactor.access.invalidate_all();
                    reactor.docs.clear();
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
            reactor.metrics.hot_docs.set(reactor.docs.len() as i64);
        }
    });
    let limiter = Arc::clone(&state.limiter);
    let public = Arc::clone(&state.public_limiter);
    let intake = Arc::clone(&state.intake);
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        let mut first = true;
        loop {
            every.tick().await;
            limiter.shrink();
            public.shrink();
            intake.shrink();
            // Open-house visitors a push stored but did not route (see `intake::device`):
            // all of them at start, then those the pushes left for longer than a while.
            let state = sweeper.clone();
            let before = (!first).then(|| state.clock.now() - intake::device::SWEEP_AFTER);
            first = false;
            let _ = blocking(move || {
                intake::device::sweep(&state, before);
                Ok::<_, crate::error::ApiError>(())
            })
            .await;
        }
    });
}

/// The address to print for clients: `http://` + the bound socket.
pub fn public_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}
