//! Prometheus metrics through the `metrics` facade and its Prometheus exporter.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::db::DbPool;
use crate::flags::FlagSnapshot;

const LATENCY_BUCKETS: [f64; 12] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder once; later calls (tests build many apps) reuse it.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    &LATENCY_BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!(
        "http_requests_total",
        "HTTP requests by method, route template and status."
    );
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request latency by method, route template and status."
    );
    metrics::describe_gauge!(
        "galley_db_pool_connections",
        "Database pool connections by state."
    );
    metrics::describe_gauge!(
        "galley_db_pool_waiting",
        "Requests waiting for a database connection."
    );
    metrics::describe_gauge!(
        "galley_module_enabled",
        "1 when the module is enabled on this instance."
    );
    metrics::describe_counter!(
        "galley_answer_cache_requests_total",
        "Reads asked of the ready answers, by outcome (hit, miss)."
    );
    metrics::describe_counter!(
        "galley_answer_cache_evictions_total",
        "Ready answers evicted to stay within GALLEY_ANSWER_CACHE_MIB."
    );
    metrics::describe_counter!(
        "galley_answer_cache_invalidations_total",
        "Writes applied to the ready answers (each makes the answers built from it stale)."
    );
    metrics::describe_counter!(
        "galley_answer_cache_listener_losses_total",
        "Times the PostgreSQL listener of the ready answers lost its connection."
    );
    metrics::describe_gauge!(
        "galley_answer_cache_bytes",
        "Bytes held by the ready answers."
    );
    metrics::describe_counter!(
        "galley_csp_violations_total",
        "Content-Security-Policy violations reported by browsers."
    );
    metrics::describe_counter!(
        "galley_module_flags_refresh_failures_total",
        "Failed refreshes of module flags (the last good snapshot was kept)."
    );
    metrics::describe_gauge!(
        "galley_file_work_slots",
        "File workers: uploads parsed and files rendered at once."
    );
    metrics::describe_gauge!(
        "galley_file_work_running",
        "File workers busy with a parse or render now."
    );
    metrics::describe_gauge!(
        "galley_file_work_waiting",
        "Requests waiting for a free file worker."
    );
    metrics::describe_counter!(
        "galley_file_work_total",
        "File work by kind and outcome (done, busy: refused with 503, failed)."
    );
    metrics::describe_histogram!(
        "galley_file_work_seconds",
        metrics::Unit::Seconds,
        "Time a file worker spent on one job, by kind."
    );
}

pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
}

pub fn record_module_states(snapshot: &FlagSnapshot) {
    for (id, state) in snapshot.iter() {
        metrics::gauge!("galley_module_enabled", "module" => id).set(if state.enabled {
            1.0
        } else {
            0.0
        });
    }
}

/// Renders the exposition text, with pool gauges read at this moment.
pub fn render(pool: &DbPool) -> String {
    let state = pool.state();
    let backend = pool.backend_name();
    let in_use = state.size.saturating_sub(state.available);
    for (name, value) in [
        ("max", state.max_size),
        ("open", state.size),
        ("idle", state.available),
        ("in_use", in_use),
    ] {
        metrics::gauge!("galley_db_pool_connections", "state" => name, "backend" => backend)
            .set(value as f64);
    }
    metrics::gauge!("galley_db_pool_waiting", "backend" => backend).set(state.waiting as f64);
    handle().map(PrometheusHandle::render).unwrap_or_default()
}
