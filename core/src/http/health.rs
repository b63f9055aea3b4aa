//! Liveness, readiness and metrics endpoints.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;

use super::error::AppError;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` while the process serves requests.
    pub status: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: &'static str,
    /// `postgresql` or `sqlite`.
    pub database: &'static str,
    /// `current`.
    pub migrations: &'static str,
}

/// Liveness: cheap, touches no database.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the database answers and every linked migration is applied.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "Not ready; `detail` says why", body = super::problem::Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Readiness>, AppError> {
    let mut pooled = state
        .db
        .get()
        .await
        .map_err(|e| AppError::NotReady(format!("database unreachable: {e}")))?;
    let conn = &mut pooled.conn();
    crate::db::ping(conn)
        .await
        .map_err(|e| AppError::NotReady(format!("database unreachable: {e}")))?;
    let pending = crate::db::migrate::pending_versions(conn, state.registry)
        .await
        .map_err(|e| AppError::NotReady(format!("cannot read applied migrations: {e}")))?;
    if !pending.is_empty() {
        return Err(AppError::NotReady(format!(
            "{} migration(s) not applied: {}; run `galley migrate`",
            pending.len(),
            pending.join(", ")
        )));
    }
    Ok(Json(Readiness {
        status: "ready",
        database: state.db.backend_name(),
        migrations: "current",
    }))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        super::metrics::render(&state.db),
    )
}
