//! `POST /api/v1/offshore/sites/{site_id}/waste/import`: a waste log as CSV (the raw body,
//! `text/csv`, at most 1 MiB; see [`crate::waste::import`] for the columns). A dry run (the
//! default) reports per row what would be created and every error with its line; applying
//! stores every row in one transaction with one audit entry, or nothing (422 listing the
//! errors by line).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::NaiveDate;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::GalleyStaff;
use crate::waste::import::{self, LineError, Parsed};
use crate::waste::store::{self, Owner};
use crate::waste::{Category, Meal};

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/waste/import", post(import_csv))
}

/// The most bytes of a CSV file the import reads.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;
/// The most row errors one answer lists.
pub const MAX_ERRORS_SHOWN: usize = 200;

const ACCEPTED: &str = "a CSV file as the raw body, text/csv";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true` (the default): report only, store nothing. `false`: store every row or none.
    pub dry_run: Option<bool>,
}

/// A row of the file and the entry it makes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WasteImportRow)]
pub struct ImportRow {
    /// The line in the file (1 is the header).
    pub line: u64,
    pub date: NaiveDate,
    pub meal: Meal,
    pub category: Category,
    pub dish: Option<String>,
    pub guests: u32,
    pub produced_g: i64,
    pub served_g: i64,
    pub leftover_g: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportLineError {
    pub line: u64,
    /// The column (`date`, `produced_kg`, ...), `columns[i]` for a header cell, `line` or
    /// `file`.
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WasteImportReport {
    pub dry_run: bool,
    /// The rows were stored (never on a dry run, never with errors).
    pub applied: bool,
    /// Rows without errors: what applying creates when the file has no errors at all.
    pub created: usize,
    /// All errors found.
    pub errors_total: usize,
    pub rows: Vec<ImportRow>,
    /// The first 200 errors, by line; any at all and applying is refused.
    pub errors: Vec<ImportLineError>,
    /// How many errors are left out of `errors`.
    pub errors_not_shown: usize,
}

fn report(parsed: &Parsed, dry_run: bool) -> WasteImportReport {
    WasteImportReport {
        dry_run,
        applied: !dry_run,
        created: parsed.rows.len(),
        errors_total: parsed.errors.len(),
        rows: parsed
            .rows
            .iter()
            .map(|row| ImportRow {
                line: row.line,
                date: row.entry.date,
                meal: row.entry.meal,
                category: row.entry.category,
                dish: row.entry.dish_trimmed().map(str::to_owned),
                guests: row.entry.guests,
                produced_g: row.entry.produced_g,
                served_g: row.entry.served_g,
                leftover_g: row.entry.leftover_g,
            })
            .collect(),
        errors: parsed
            .errors
            .iter()
            .take(MAX_ERRORS_SHOWN)
            .map(|e| ImportLineError {
                line: e.line,
                field: e.field.clone(),
                reason: e.reason.clone(),
            })
            .collect(),
        errors_not_shown: parsed.errors.len().saturating_sub(MAX_ERRORS_SHOWN),
    }
}

/// A file with errors is refused as a whole: the first errors by line, and one last entry,
/// `lines`, saying how many more there are.
fn refused(errors: &[LineError]) -> AppError {
    let mut fields: Vec<FieldError> = errors
        .iter()
        .take(MAX_ERRORS_SHOWN)
        .map(|error| FieldError {
            field: format!("lines[{}].{}", error.line, error.field),
            reason: error.reason.clone(),
        })
        .collect();
    let not_shown = errors.len().saturating_sub(MAX_ERRORS_SHOWN);
    if not_shown > 0 {
        fields.push(FieldError {
            field: "lines".to_owned(),
            reason: format!("{not_shown} more errors not shown"),
        });
    }
    AppError::Validation(fields)
}

/// Whether reading a body failed on a length limit: this handler's own, or the server's.
fn over_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// The CSV body, refused before reading when it is not CSV or says it is too long, and cut
/// off when it turns out longer than it said.
async fn read_csv(state: &AppState, request: Request) -> Result<axum::body::Bytes, AppError> {
    let limit = MAX_IMPORT_BYTES.min(state.settings.body_limit_bytes);
    let headers = request.headers();
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "text/csv" || v == "application/csv");
    if !is_csv {
        return Err(AppError::UnsupportedMediaType { expected: ACCEPTED });
    }
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|length| length > limit) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|error| {
            if over_limit(&error) {
                AppError::PayloadTooLarge { limit }
            } else {
                AppError::BadRequest(format!("The body could not be read: {error}"))
            }
        })
}

pub async fn run_import(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    bytes: axum::body::Bytes,
    dry_run: bool,
) -> Result<WasteImportReport, AppError> {
    let tenant = tenant_of(caller)?;
    let parsed = state
        .file_work
        .run("waste_import", move |deadline| {
            import::parse(&bytes, deadline.instant())
        })
        .await?;
    if dry_run {
        return Ok(report(&parsed, true));
    }
    if !parsed.errors.is_empty() {
        return Err(refused(&parsed.errors));
    }
    let entries: Vec<_> = parsed.rows.iter().map(|row| row.entry.clone()).collect();
    let owner = Owner {
        tenant_id: tenant,
        site_id,
        created_by: caller.user_id,
    };
    let first = entries.iter().map(|e| e.date).min();
    let last = entries.iter().map(|e| e.date).max();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    galley_core::transaction!(conn, |tx| {
        store::insert_all(tx, owner, &entries).await?;
        audit::record(
            tx,
            Entry::new("offshore_waste.imported", caller.actor(), Some(tenant))
                .target("site", site_id)
                .details(json!({ "created": entries.len(), "from": first, "to": last })),
        )
        .await?;
        Ok::<_, AppError>(())
    })?;
    Ok(report(&parsed, false))
}

/// Import a waste log from CSV: columns date;meal;category;dish;guests;produced_kg;served_kg;
/// leftover_kg (any order, dish optional, `;` or `,` between them, decimal comma accepted,
/// Norwegian and Swedish names too). `dry_run=true` (the default) stores nothing.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/waste/import",
    tag = "offshore waste", params(("site_id" = i64, Path), ImportQuery),
    request_body(content((String = "text/csv"))),
    responses((status = 200, body = WasteImportReport), (status = 404), (status = 413),
        (status = 415), (status = 422)))]
pub async fn import_csv(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<ImportQuery>,
    request: Request,
) -> Result<Response, AppError> {
    let bytes = read_csv(&state, request).await?;
    let out = run_import(
        &state,
        &caller,
        site_id,
        bytes,
        query.dry_run.unwrap_or(true),
    )
    .await?;
    Ok(axum::Json(out).into_response())
}
