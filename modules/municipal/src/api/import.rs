//! `POST /api/v1/sites/{site_id}/menus/import`: a menu file (CSV, XLSX or DOCX) into the
//! site's week menus. A dry run (the default) reports per row what would be created, changed
//! or left and every error with its line; applying does all of it in one transaction or none
//! of it. See [`crate::import::apply`] for the matching and merge rules.
//!
//! The file comes as the field `file` of a `multipart/form-data` form, or as the raw body
//! with its own content type (`text/csv`, the XLSX or the DOCX type). At most 2 MiB are read
//! (and never more than the server's body limit, `GALLEY_BODY_LIMIT_BYTES`, 1 MiB by default).
//!
//! `year` is the year of the weeks a file names without one (a DOCX heading "Vecka 14", a CSV
//! without a year column). Left out, it is the ISO week-numbering year of today in the site's
//! time zone, even when that puts the week in the past: pass `year` when importing next
//! year's menus in December.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use galley_core::auth::{Allowed, Caller};
use galley_core::file_work::FileWorkError;
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::api::tenant_of;
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::KitchenStaff;
use crate::import::apply::{self, NewDishPlan, Prepared, RowOutcome, RowPlan, WeekPlan};
use crate::import::model::{CellPlace, ErrorCode, ImportError, ImportField, ImportSlot, Parsed};
use crate::import::parse::{self, Format};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sites/{site_id}/menus/import", post(import))
}

#[derive(OpenApi)]
#[openapi(
    paths(import),
    components(schemas(ImportReport, ImportSummary, RowPlan, RowOutcome, WeekPlan, NewDishPlan,
        ImportError, ImportField, ErrorCode, CellPlace, ImportSlot, apply::DishRef, ImportUpload)),
    tags((name = "menu import", description = "Week menus from CSV, XLSX and DOCX files"))
)]
pub struct ImportApi;

/// The most bytes of a menu file the import reads (a year of menus is about 100 KB).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

/// What an upload may be; the 415 problem names it.
const ACCEPTED: &str = "a CSV, XLSX or DOCX menu file: the field `file` of multipart/form-data, \
    or the raw body as text/csv, \
    application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or \
    application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true` (the default): report only, write nothing. `false`: import.
    pub dry_run: Option<bool>,
    /// The year of weeks the file names without one (2000-2100); this ISO year in the site's
    /// time zone when left out.
    pub year: Option<i32>,
}

/// The multipart form.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The menu file (.csv, .xlsx or .docx).
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// An uploaded file: its bytes and what the client said it is.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// Counts over the whole file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Rows read without errors.
    pub rows: usize,
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub new_dishes: usize,
    pub errors: usize,
    pub weeks: usize,
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// The import was written (never on a dry run, never with errors).
    pub applied: bool,
    /// `csv`, `xlsx` or `docx`.
    pub format: String,
    /// The year used for weeks the file names without one.
    pub default_year: i32,
    pub summary: ImportSummary,
    pub weeks: Vec<WeekPlan>,
    /// In file order.
    pub rows: Vec<RowPlan>,
    /// Dishes the import creates, without allergens: add them in the dish list.
    pub new_dishes: Vec<NewDishPlan>,
    /// The first problems, by line (at most 200; `summary.errors` counts them all); any at
    /// all and the import is refused. Each has the English `reason` for people and a stable
    /// `code` for programs.
    pub errors: Vec<ImportError>,
    /// How many problems are left out of `errors`: a broken file can hold hundreds of
    /// thousands, and the answer stays small.
    pub errors_not_shown: usize,
}

impl ImportReport {
    fn new(format: Format, default_year: i32, dry_run: bool, prepared: Prepared) -> Self {
        let count = |outcome| {
            prepared
                .rows
                .iter()
                .filter(|row| row.outcome == outcome)
                .count()
        };
        let summary = ImportSummary {
            rows: prepared.rows.len(),
            created: count(RowOutcome::Created),
            changed: count(RowOutcome::Changed),
            unchanged: count(RowOutcome::Unchanged),
            new_dishes: prepared.new_dishes.len(),
            errors: prepared.errors.len(),
            weeks: prepared.weeks.len(),
        };
        let mut errors = prepared.errors;
        let errors_not_shown = errors.len().saturating_sub(MAX_ERRORS_SHOWN);
        errors.truncate(MAX_ERRORS_SHOWN);
        ImportReport {
            dry_run,
            applied: !dry_run,
            format: format_name(format).to_owned(),
            default_year,
            summary,
            weeks: prepared.weeks,
            rows: prepared.rows,
            new_dishes: prepared.new_dishes,
            errors,
            errors_not_shown,
        }
    }
}

pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
        Format::Docx => "docx",
    }
}

/// The import's own limit, or the server's body limit when that is smaller.
pub fn effective_limit(state: &AppState) -> usize {
    MAX_IMPORT_BYTES.min(state.settings.body_limit_bytes)
}

/// The file from a multipart form's `file` field or from the raw body.
pub async fn read_upload(state: &AppState, request: Request) -> Result<Upload, AppError> {
    let limit = effective_limit(state);
    let too_large = AppError::PayloadTooLarge { limit };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_multipart = content_type.as_deref().is_some_and(|t| {
        t.trim()
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
    });
    if !is_multipart {
        if announced.is_some_and(|length| length > limit) {
            return Err(too_large);
        }
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|error| {
                if over_limit(&error) {
                    too_large
                } else {
                    AppError::BadRequest(format!("The body could not be read: {error}"))
                }
            })?;
        return Ok(Upload {
            file_name: None,
            content_type,
            bytes,
        });
    }
    let mut form = axum::extract::Multipart::from_request(request, state)
        .await
        .map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error(limit))? {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error(limit))? {
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Upload {
            file_name,
            content_type,
            bytes: Bytes::from(bytes),
        });
    }
    Err(AppError::validation(
        "file",
        "send the menu file in the form field `file`",
    ))
}

fn multipart_error(limit: usize) -> impl Fn(axum::extract::multipart::MultipartError) -> AppError {
    move |error| {
        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE || over_limit(&error) {
            AppError::PayloadTooLarge { limit }
        } else {
            AppError::BadRequest(error.body_text())
        }
    }
}

/// Whether reading a body failed on a length limit: this handler's own, or the server's
/// (which wraps the body once more, so the cause lies a few sources down).
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

/// The ISO week-numbering year of today in the site's time zone.
async fn this_year(state: &AppState, tenant: i64, site_id: i64) -> Result<i32, AppError> {
    let mut pooled = state.db.get().await?;
    let site = sites::find(&mut pooled.conn(), tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone: chrono_tz::Tz = site
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Europe::Stockholm);
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    Ok(IsoWeek::containing(today).year)
}

/// Why an upload cannot be read at all.
#[derive(Debug)]
pub enum FileProblem {
    TooLarge {
        limit: usize,
    },
    /// Neither CSV, XLSX nor DOCX, or a name or type that contradicts the bytes.
    Unsupported,
    Unreadable(parse::FileError),
    /// Every file worker stayed busy; nothing was read.
    Busy {
        retry_after_secs: u64,
    },
    /// The parse stopped unexpectedly (a bug); the log has the cause.
    Failed(String),
}

impl From<FileWorkError> for FileProblem {
    fn from(error: FileWorkError) -> Self {
        match error {
            FileWorkError::Busy {
                retry_after_secs, ..
            } => FileProblem::Busy { retry_after_secs },
            FileWorkError::Stopped(cause) => FileProblem::Failed(cause),
        }
    }
}

impl From<FileProblem> for AppError {
    fn from(problem: FileProblem) -> Self {
        match problem {
            FileProblem::TooLarge { limit } => AppError::PayloadTooLarge { limit },
            FileProblem::Unsupported => AppError::UnsupportedMediaType { expected: ACCEPTED },
            FileProblem::Unreadable(error) => AppError::validation("file", error.to_string()),
            FileProblem::Busy { retry_after_secs } => AppError::Busy { retry_after_secs },
            FileProblem::Failed(cause) => AppError::Internal(cause),
        }
    }
}

/// Recognises and parses an upload on one of the file workers (never on the request threads),
/// within their time budget; `default_year` is the year of weeks it names without one.
pub async fn read_file(
    state: &AppState,
    upload: &Upload,
    default_year: i32,
) -> Result<(Format, Parsed), FileProblem> {
    // The size check is cheap and needs no worker; everything after it does.
    if upload.bytes.len() > MAX_IMPORT_BYTES {
        return Err(FileProblem::TooLarge {
            limit: MAX_IMPORT_BYTES,
        });
    }
    let upload = upload.clone();
    state
        .file_work
        .run("import", move |deadline| {
            let budget = parse::ParseBudget {
                deadline: deadline.instant(),
                ..parse::ParseBudget::default()
            };
            parse_upload(&upload, default_year, &budget)
        })
        .await?
}

fn parse_upload(
    upload: &Upload,
    default_year: i32,
    budget: &parse::ParseBudget,
) -> Result<(Format, Parsed), FileProblem> {
    let format = Format::detect(
        upload.file_name.as_deref(),
        upload.content_type.as_deref(),
        &upload.bytes,
    )
    .ok_or(FileProblem::Unsupported)?;
    let parsed = parse::parse(format, &upload.bytes, default_year, budget)
        .map_err(FileProblem::Unreadable)?;
    Ok((format, parsed))
}

/// Checks a `year` parameter: 2000-2100.
pub fn check_year(year: i32) -> Result<i32, AppError> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::validation("year", "must be 2000 to 2100"))
    }
}

/// The import itself, for the API: reads the file, matches it and, unless `dry_run`, writes
/// it all in one transaction. The site must already be checked to be the caller's.
pub async fn run_import(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    upload: &Upload,
    year: Option<i32>,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let tenant = tenant_of(caller)?;
    let default_year = match year {
        Some(year) => check_year(year)?,
        None => this_year(state, tenant, site_id).await?,
    };
    let (format, parsed) = read_file(state, upload, default_year).await?;
    import_parsed(
        state,
        caller,
        site_id,
        (format, default_year),
        parsed,
        dry_run,
    )
    .await
}

/// Matches a parsed file against the site and, unless `dry_run`, writes it all in one
/// transaction (refused with 422 listing every error when it has any). Shared by the API and
/// the import page.
pub async fn import_parsed(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    (format, default_year): (Format, i32),
    parsed: Parsed,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if dry_run {
        let prepared = apply::prepare(conn, tenant, site_id, parsed).await?;
        return Ok(ImportReport::new(format, default_year, true, prepared));
    }
    // Matched and written on one transaction, so what is written is what was matched.
    let prepared = galley_core::transaction!(conn, |tx| {
        let mut prepared = apply::prepare(tx, tenant, site_id, parsed).await?;
        if prepared.errors.is_empty() {
            apply::write(tx, caller, tenant, site_id, &mut prepared).await?;
        }
        Ok::<_, AppError>(prepared)
    })?;
    if !prepared.errors.is_empty() {
        return Err(refused(&prepared.errors));
    }
    let mut prepared = prepared;
    apply::refresh(conn, site_id, &mut prepared).await?;
    Ok(ImportReport::new(format, default_year, false, prepared))
}

/// The most row errors one answer lists.
pub const MAX_ERRORS_SHOWN: usize = 200;

/// A file with errors is refused as a whole; the problem lists the first errors by line,
/// and one last entry, `lines`, says how many more there are.
fn refused(errors: &[ImportError]) -> AppError {
    let mut fields: Vec<FieldError> = errors
        .iter()
        .take(MAX_ERRORS_SHOWN)
        .map(|error| FieldError {
            field: format!("lines[{}].{}", error.line, error.field.as_str()),
            reason: error.reason(),
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

/// Import a menu file into the site's week menus. `dry_run=true` (the default) reports what
/// would happen and writes nothing; `dry_run=false` imports, all rows or none (422 listing
/// every error by line). Slots the file names are set; slots it does not name are kept.
/// Unknown dishes are created without allergens.
#[utoipa::path(post, path = "/api/v1/sites/{site_id}/menus/import", tag = "menu import",
    params(("site_id" = i64, Path), ImportQuery),
    request_body(content(
        (ImportUpload = "multipart/form-data"),
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    )),
    responses((status = 200, body = ImportReport), (status = 404), (status = 409),
        (status = 413), (status = 415), (status = 422)))]
pub async fn import(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenStaff>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<ImportQuery>,
    request: Request,
) -> Result<Response, AppError> {
    let upload = read_upload(&state, request).await?;
    let report = run_import(
        &state,
        &caller,
        site_id,
        &upload,
        query.year,
        query.dry_run.unwrap_or(true),
    )
    .await?;
    Ok(axum::Json(report).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Integrators read the row error's shape from the OpenAPI document: the fields it has
    /// always had, its code with every value, and the table cell.
    #[test]
    fn openapi_describes_row_errors_with_their_codes() {
        let doc = serde_json::to_value(ImportApi::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let error = &schemas["ImportError"];
        let properties: Vec<&str> = error["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for name in ["line", "field", "reason", "code", "cell"] {
            assert!(properties.contains(&name), "{name}: {error}");
        }
        let required = error["required"].as_array().unwrap();
        assert!(!required.contains(&"cell".into()), "{error}");
        assert_eq!(
            schemas["ImportReport"]["properties"]["errors"]["items"]["$ref"],
            "#/components/schemas/ImportError"
        );
        let report = &schemas["ImportReport"];
        assert_eq!(
            report["properties"]["errors_not_shown"]["type"], "integer",
            "{report}"
        );
        assert!(
            report["required"]
                .as_array()
                .unwrap()
                .contains(&"errors_not_shown".into())
        );
        let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
        for problem in crate::import::problem::every_problem() {
            assert!(
                codes.contains(&problem.code().as_str().into()),
                "{problem:?}"
            );
        }
    }
}
