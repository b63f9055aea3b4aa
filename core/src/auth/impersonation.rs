//! Superuser impersonation: a superuser enters one tenant, with a reason, for a limited time,
//! acting with that tenant's admin rights. Start, stop and expiry are audited; every request
//! meanwhile is marked in the log and the pages show a banner.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Caller, Credential, Role};
use crate::audit::{self, Actor, Entry};
use crate::db::{DbConn, DbError};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, AppError};
use crate::people::tenants;
use crate::schema::sessions;
use crate::state::AppState;

pub const DEFAULT_MINUTES: i64 = 15;
pub const MAX_MINUTES: i64 = 120;

pub fn router() -> Router<AppState> {
    Router::new().route("/", post(start).delete(stop))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartImpersonation {
    pub tenant_id: i64,
    /// Why, in words; kept in the audit log (10 to 500 characters, surrounding whitespace
    /// aside).
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]{8,}[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
    /// How long, 1 to 120 minutes (default 15).
    #[schema(minimum = 1, maximum = 120)]
    pub minutes: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Impersonation {
    pub tenant_id: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

fn session_of(caller: &Caller) -> Result<&str, AppError> {
    match &caller.credential {
        Credential::Session { token_hash, .. } => Ok(token_hash),
        Credential::ApiToken { .. } => Err(AppError::Forbidden(
            "impersonation needs a signed-in superuser, not an API token".into(),
        )),
    }
}

/// Enter a tenant as a superuser.
#[utoipa::path(post, path = "/api/v1/auth/impersonation", tag = "auth", request_body = StartImpersonation,
    responses((status = 200, body = Impersonation), (status = 403), (status = 404), (status = 422)))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<StartImpersonation>,
) -> Result<Json<Impersonation>, AppError> {
    Ok(Json(start_impersonation(&state, &caller, &body).await?))
}

// The operations, shared by the JSON API and the admin pages.

/// Puts the superuser's session inside the tenant, audited.
pub(crate) async fn start_impersonation(
    state: &AppState,
    caller: &Caller,
    body: &StartImpersonation,
) -> Result<Impersonation, AppError> {
    if caller.role != Role::Superuser {
        return Err(AppError::Forbidden(
            "only superusers impersonate, and not while already impersonating".into(),
        ));
    }
    let token_hash = session_of(caller)?.to_owned();
    let mut errors = Vec::new();
    let reason = body.reason.trim().to_owned();
    if !(10..=500).contains(&reason.chars().count()) {
        errors.push(FieldError {
            field: "reason".into(),
            reason: "must say why, in 10 to 500 characters".into(),
        });
    }
    let minutes = body.minutes.unwrap_or(DEFAULT_MINUTES);
    if !(1..=MAX_MINUTES).contains(&minutes) {
        errors.push(FieldError {
            field: "minutes".into(),
            reason: format!("must be between 1 and {MAX_MINUTES}"),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    tenants::find(conn, body.tenant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let expires_at = crate::db::now() + Duration::minutes(minutes);
    crate::transaction!(conn, |tx| {
        set(
            tx,
            &token_hash,
            Some((body.tenant_id, reason.as_str(), expires_at)),
        )
        .await?;
        audit::record(
            tx,
            Entry::new(
                "impersonation.started",
                caller.actor(),
                Some(body.tenant_id),
            )
            .target("tenant", body.tenant_id)
            .details(json!({ "reason": reason, "minutes": minutes })),
        )
        .await
    })?;
    Ok(Impersonation {
        tenant_id: body.tenant_id,
        expires_at: crate::people::api::utc(expires_at),
    })
}

/// Leave the tenant.
#[utoipa::path(delete, path = "/api/v1/auth/impersonation", tag = "auth",
    responses((status = 204), (status = 409)))]
pub async fn stop(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    stop_impersonation(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the superuser's session out of the tenant again, audited.
pub(crate) async fn stop_impersonation(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let Some(superuser) = caller.impersonator_id else {
        return Err(AppError::Conflict(
            "you are not impersonating anyone".into(),
        ));
    };
    let token_hash = session_of(caller)?.to_owned();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    crate::transaction!(conn, |tx| {
        set(tx, &token_hash, None).await?;
        audit::record(
            tx,
            Entry::new("impersonation.stopped", caller.actor(), caller.tenant_id)
                .target("user", superuser),
        )
        .await
    })?;
    Ok(())
}

/// Ends an impersonation whose time ran out, audited once: the first request after expiry
/// finds it and clears it.
pub async fn expire(
    conn: &mut DbConn<'_>,
    token_hash: &str,
    superuser: i64,
    tenant: i64,
) -> Result<(), DbError> {
    crate::transaction!(conn, |tx| {
        set(tx, token_hash, None).await?;
        let actor = Actor {
            user_id: Some(superuser),
            ..Actor::default()
        };
        audit::record(
            tx,
            Entry::new("impersonation.expired", actor, Some(tenant)).target("user", superuser),
        )
        .await
    })
}

async fn set(
    conn: &mut DbConn<'_>,
    token_hash: &str,
    acting: Option<(i64, &str, chrono::NaiveDateTime)>,
) -> Result<(), DbError> {
    crate::db_run!(conn, |c| {
        diesel::update(sessions::table.find(token_hash))
            .set((
                sessions::acting_tenant_id.eq(acting.map(|a| a.0)),
                sessions::impersonation_reason.eq(acting.map(|a| a.1)),
                sessions::impersonation_expires_at.eq(acting.map(|a| a.2)),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}
