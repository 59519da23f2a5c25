//! Prometheus metrics of one node: requests by route and status, a latency histogram, the database pool.
//!
//! The recorder belongs to the application state instead of being installed globally, so that many
//! applications in one test process keep separate figures.

use std::time::Duration;

use metrics::{Key, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::db::Db;

/// Latency buckets in seconds: from a cached page to a slow export.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The node's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh, empty set of metrics.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        Metrics { recorder, handle }
    }

    /// Counts one answered request and its latency.
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = vec![
            Label::new("method", method.to_owned()),
            Label::new("route", route.to_owned()),
            Label::new("status", status.to_string()),
        ];
        self.recorder.register_counter(&Key::from_parts("http_requests_total", labels), &METADATA).increment(1);
        let labels = vec![Label::new("method", method.to_owned()), Label::new("route", route.to_owned())];
        self.recorder
            .register_histogram(&Key::from_parts("http_request_duration_seconds", labels), &METADATA)
            .record(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition, with the pool figures read now.
    pub fn render(&self, db: &Db) -> String {
        let stats = db.pool_stats();
        let backend = vec![Label::new("backend", db.backend())];
        let gauge = |name: &'static str, value: f64| {
            self.recorder.register_gauge(&Key::from_parts(name, backend.clone()), &METADATA).set(value);
        };
        gauge("db_pool_connections", f64::from(stats.size));
        gauge("db_pool_idle_connections", stats.idle as f64);
        gauge("db_pool_max_connections", f64::from(stats.max));
        self.handle.render()
    }
}
