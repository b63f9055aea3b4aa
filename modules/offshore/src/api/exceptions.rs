//! `/api/v1/offshore/sites/{site_id}/period-exceptions`: offshore periods marked as
//! exceptions. Framework Regulations section 42 lets the employer extend one period beyond 14
//! days (up to the site's extended limit) in exceptional cases; the schedule must say which.
//! A mark names the person and the period's first day, with the reason.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use chrono::NaiveDate;
use galley_core::audit::{self, Entry};
use galley_core::auth::Allowed;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{GalleyReaders, RotaAdmins, text};
use crate::rota::{crew, exceptions};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/period-exceptions", get(list).post(add))
        .route("/sites/{site_id}/period-exceptions/{id}", delete(remove))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, add, remove),
    tags((name = "offshore period exceptions", description = "Offshore periods extended as marked exceptions"))
)]
pub struct ExceptionsApi;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExceptionOut {
    pub id: i64,
    pub crew_id: i64,
    /// The first day of the extended period.
    pub first_date: NaiveDate,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionIn {
    pub crew_id: i64,
    pub first_date: NaiveDate,
    /// Why the period is extended, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

fn out(row: exceptions::ExceptionRow) -> ExceptionOut {
    ExceptionOut {
        id: row.id,
        crew_id: row.crew_id,
        first_date: row.first_date,
        reason: row.reason,
        created_by: row.created_by,
        created_at: utc(row.created_at),
    }
}

/// The site's marked periods, by date.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/period-exceptions",
    tag = "offshore period exceptions", params(("site_id" = i64, Path)),
    responses((status = 200, body = [ExceptionOut]), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<GalleyReaders>,
    OwnSite(site_id): OwnSite,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let rows = exceptions::list(&mut pooled.conn(), site_id).await?;
    Ok(axum::Json(rows.into_iter().map(out).collect::<Vec<_>>()).into_response())
}

/// Mark a period as an exception.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/period-exceptions",
    tag = "offshore period exceptions", request_body = ExceptionIn, params(("site_id" = i64, Path)),
    responses((status = 201, body = ExceptionOut), (status = 404), (status = 409), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<ExceptionIn>,
) -> Result<Response, AppError> {
    let added = add_exception(&state, &caller, site_id, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(added)).into_response())
}

/// Marks a period as an exception, audited; the API and the rota page both come here.
pub async fn add_exception(
    state: &AppState,
    caller: &galley_core::auth::Caller,
    site_id: i64,
    body: &ExceptionIn,
) -> Result<ExceptionOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let reason = text::name("reason", &body.reason, 200, &mut errors);
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if crew::find(conn, site_id, body.crew_id).await?.is_none() {
        errors.push(galley_core::http::problem::FieldError {
            field: "crew_id".into(),
            reason: "is not a crew member of this site".into(),
        });
    }
    fail_if_any(errors)?;
    let id = galley_core::transaction!(conn, |tx| {
        let Some(id) = exceptions::insert(
            tx,
            tenant,
            site_id,
            body.crew_id,
            body.first_date,
            &reason,
            caller.user_id,
        )
        .await?
        else {
            return Err(AppError::Conflict(
                "this period is already marked as an exception".into(),
            ));
        };
        audit::record(
            tx,
            Entry::new(
                "offshore_period_exception.created",
                caller.actor(),
                Some(tenant),
            )
            .target("offshore_period_exception", id)
            .details(
                json!({ "crew_id": body.crew_id, "first_date": body.first_date, "reason": reason }),
            ),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    let row = exceptions::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(out(row))
}

/// Remove a mark.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/period-exceptions/{id}",
    tag = "offshore period exceptions", params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RotaAdmins>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = exceptions::find(conn, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    galley_core::transaction!(conn, |tx| {
        if !exceptions::delete(tx, id).await? {
            return Err(AppError::NotFound);
        }
        audit::record(
            tx,
            Entry::new(
                "offshore_period_exception.deleted",
                caller.actor(),
                Some(tenant),
            )
            .target("offshore_period_exception", id)
            .details(json!({ "crew_id": row.crew_id, "first_date": row.first_date })),
        )
        .await?;
        Ok::<_, AppError>(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
