//! Prometheus metrics (`GET /metrics`): requests and latency per route, accepted and rejected
//! changes, sync bytes each way, how far behind pulled documents were (sync lag), live
//! connections and the hot-document cache.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Instant;

type Labels = Vec<(String, String)>;

fn latency_histogram() -> Histogram {
    // 0.5 ms .. ~16 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<Labels, Counter>,
    pub latency: Family<Labels, Histogram, fn() -> Histogram>,
    pub changes_accepted: Counter,
    pub changes_rejected: Family<Labels, Counter>,
    pub sync_bytes: Family<Labels, Counter>,
    pub sync_lag: Histogram,
    pub live_connections: Gauge,
    pub hot_docs: Gauge,
    pub logins: Family<Labels, Counter>,
    /// Webhooks refused before being read (bad or missing signature, stale), by provider.
    pub webhooks_refused: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("fieldstone");
        let requests = Family::<Labels, Counter>::default();
        let latency = Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let changes_accepted = Counter::default();
        let changes_rejected = Family::<Labels, Counter>::default();
        let sync_bytes = Family::<Labels, Counter>::default();
        // 10 ms .. ~2 days
        let sync_lag = Histogram::new(exponential_buckets(0.01, 4.0, 14));
        let live_connections = Gauge::default();
        let hot_docs = Gauge::default();
        let logins = Family::<Labels, Counter>::default();
        let webhooks_refused = Family::<Labels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "sync_changes_accepted",
            "Automerge changes accepted and stored",
            changes_accepted.clone(),
        );
        registry.register(
            "sync_changes_rejected",
            "Document pushes refused by access control, by reason",
            changes_rejected.clone(),
        );
        registry.register(
            "sync_bytes",
            "Sync body bytes on the wire (compressed), by direction",
            sync_bytes.clone(),
        );
        registry.register(
            "sync_lag_seconds",
            "Age of each pulled document's newest change when it reached a device",
            sync_lag.clone(),
        );
        registry.register(
            "live_connections",
            "Open live-news WebSockets",
            live_connections.clone(),
        );
        registry.register(
            "hot_documents",
            "Documents held in the hot-document cache",
            hot_docs.clone(),
        );
        registry.register("logins", "Sign-in attempts by outcome", logins.clone());
        registry.register(
            "webhooks_refused",
            "Provider webhooks refused before being read, by provider",
            webhooks_refused.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            changes_accepted,
            changes_rejected,
            sync_bytes,
            sync_lag,
            live_connections,
            hot_docs,
            logins,
            webhooks_refused,
        }
    }

    pub fn label(name: &str, value: &str) -> Labels {
        vec![(name.to_owned(), value.to_owned())]
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Middleware: counts every request by its route template (never the raw path, whose ids would
/// make one series per document) and status, and times it.
pub async fn track(State(state): State<crate::AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // Only the methods the API has get a label of their own: made-up methods (any token is a
    // valid method) would otherwise add a series each, without bound.
    let method = match request.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => m,
        _ => "other",
    }
    .to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .latency
        .get_or_create(&vec![("route".to_owned(), route.clone())])
        .observe(start.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&vec![
            ("route".to_owned(), route),
            ("method".to_owned(), method),
            ("status".to_owned(), response.status().as_u16().to_string()),
        ])
        .inc();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_registered_metrics() {
        let m = Metrics::new();
        m.changes_accepted.inc_by(3);
        m.changes_rejected
            .get_or_create(&Metrics::label("code", "not_writable"))
            .inc();
        let text = m.render();
        assert!(
            text.contains("fieldstone_sync_changes_accepted_total 3"),
            "{text}"
        );
        assert!(
            text.contains("fieldstone_sync_changes_rejected_total{code=\"not_writable\"} 1"),
            "{text}"
        );
        assert!(text.contains("# TYPE fieldstone_sync_lag_seconds histogram"));
    }
}
