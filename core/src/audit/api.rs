//! The audit-log API: `GET /api/v1/audit` (a page of JSON) and `GET /api/v1/audit/export.csv`
//! (a spreadsheet). Admins read their own tenant's rows; superusers outside impersonation read
//! every row and may pick a tenant. Reading the log is not itself audited: a reader would
//! otherwise add a row with every look.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::AuditRow;
use super::query::{self, ActionMatch, Filter, Scope};
use crate::auth::{Allowed, Caller, Role};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiQuery, AppError};
use crate::people::api::{fail_if_any, tenant_of, utc};
use crate::state::AppState;

/// The most rows one CSV export carries; `X-Galley-Truncated: true` says when there were more.
pub const EXPORT_CAP: usize = 50_000;

/// The response header set when an export hit [`EXPORT_CAP`].
pub const TRUNCATED_HEADER: &str = "x-galley-truncated";

crate::role_set!(
    /// Who may read the audit log: a tenant's admins (their tenant) and superusers (all).
    AuditReaders = [Role::Admin, Role::Superuser]
);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/export.csv", get(export_csv))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, export_csv),
    components(schemas(AuditEntry)),
    tags((name = "audit", description = "The audit log: admins read their tenant's, superusers everyone's"))
)]
pub struct AuditApi;

/// One audit row.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// `null` for platform rows (superusers, unknown accounts, operator commands).
    pub tenant_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    /// The superuser who acted inside the tenant, when impersonating.
    pub impersonator_id: Option<i64>,
    /// What happened, e.g. `site.created`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// What changed, as recorded: a JSON value (a string when the stored text is not JSON).
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        let details = match serde_json::from_str(&row.details) {
            Ok(value) => value,
            Err(_) => serde_json::Value::String(row.details),
        };
        AuditEntry {
            id: row.id,
            occurred_at: utc(row.occurred_at),
            tenant_id: row.tenant_id,
            actor_user_id: row.actor_user_id,
            actor_token_id: row.actor_token_id,
            impersonator_id: row.impersonator_id,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            details,
            request_id: row.request_id,
        }
    }
}

/// The filters, every one optional. They arrive as text so that a bad value is reported
/// under its own name.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Superusers only: one tenant's rows (default: every tenant's and the platform's).
    #[param(value_type = Option<i64>)]
    pub tenant_id: Option<String>,
    /// An exact action such as `site.created`, or a prefix ending in `.` such as `user.`.
    pub action: Option<String>,
    /// Rows written by this user.
    #[param(value_type = Option<i64>)]
    pub actor_user_id: Option<String>,
    /// Rows about this kind of object, e.g. `site`.
    pub target_type: Option<String>,
    /// Rows about the object with this id (usually with `target_type`).
    pub target_id: Option<String>,
    /// From this time on (inclusive), RFC 3339, e.g. `2025-01-01T00:00:00Z` (send `+` as `%2B`).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<String>,
    /// Before this time (exclusive), RFC 3339; must be after `from`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<String>,
    /// `false`: leave out reads (actions ending in `.read`, `.viewed` or `.exported`), so
    /// that paging and totals count changes only. Default `true`.
    #[param(value_type = Option<bool>)]
    pub reads: Option<String>,
}

const ACTION_MAX: usize = 100;
const TARGET_TYPE_MAX: usize = 50;
const TARGET_ID_MAX: usize = 200;

impl AuditQuery {
    /// The tenant asked for and the filter, or a 422 naming every bad parameter.
    pub fn checked(self) -> Result<(Option<i64>, Filter), AppError> {
        let mut errors = Vec::new();
        let tenant = self
            .tenant_id
            .and_then(|text| positive_id("tenant_id", &text, &mut errors));
        let action = self
            .action
            .and_then(|text| action_match(&text, &mut errors));
        let actor_user_id = self
            .actor_user_id
            .and_then(|text| positive_id("actor_user_id", &text, &mut errors));
        let target_type = self
            .target_type
            .and_then(|text| bounded("target_type", text, TARGET_TYPE_MAX, &mut errors));
        let target_id = self
            .target_id
            .and_then(|text| bounded("target_id", text, TARGET_ID_MAX, &mut errors));
        let from = self
            .from
            .and_then(|text| timestamp("from", &text, &mut errors));
        let to = self.to.and_then(|text| timestamp("to", &text, &mut errors));
        let without_reads = match self.reads.as_deref() {
            None | Some("true") => false,
            Some("false") => true,
            Some(_) => {
                errors.push(field_error("reads", "must be `true` or `false`"));
                false
            }
        };
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            errors.push(field_error("from", "must be before `to`"));
        }
        fail_if_any(errors)?;
        Ok((
            tenant,
            Filter {
                action,
                actor_user_id,
                target_type,
                target_id,
                from,
                to,
                without_reads,
            },
        ))
    }
}

fn field_error(field: &str, reason: &str) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

fn positive_id(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match text.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.push(field_error(field, "must be a positive whole number"));
            None
        }
    }
}

fn action_match(text: &str, errors: &mut Vec<FieldError>) -> Option<ActionMatch> {
    let well_formed = !text.is_empty()
        && text.chars().count() <= ACTION_MAX
        && !text.starts_with('.')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !well_formed {
        errors.push(field_error(
            "action",
            "must be an action such as `site.created`, or a prefix ending in `.` such as `user.` \
             (letters, digits, `.`, `_` and `-` only)",
        ));
        return None;
    }
    Some(if text.ends_with('.') {
        ActionMatch::Prefix(text.to_owned())
    } else {
        ActionMatch::Exact(text.to_owned())
    })
}

fn bounded(field: &str, text: String, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    if text.is_empty() || text.chars().count() > max {
        errors.push(FieldError {
            field: field.into(),
            reason: format!("must be 1 to {max} characters"),
        });
        return None;
    }
    Some(text)
}

fn timestamp(
    field: &str,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<chrono::NaiveDateTime> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(at) => Some(at.with_timezone(&Utc).naive_utc()),
        Err(_) => {
            errors.push(field_error(
                field,
                "must be an RFC 3339 time such as 2025-01-31T00:00:00Z (send `+` as `%2B`)",
            ));
            None
        }
    }
}

/// The rows the caller may read: superusers outside impersonation every row (or one tenant's
/// when they ask), anyone else their own tenant's.
fn scope_of(caller: &Caller, tenant: Option<i64>) -> Result<Scope, AppError> {
    if caller.role == Role::Superuser && caller.tenant_id.is_none() {
        return Ok(tenant.map_or(Scope::All, Scope::Tenant));
    }
    let own = tenant_of(caller)?;
    match tenant {
        Some(asked) if asked != own => Err(AppError::Forbidden(
            "you read your own tenant's audit log only; `tenant_id` is for superusers".into(),
        )),
        _ => Ok(Scope::Tenant(own)),
    }
}

/// Audit rows, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery, PageQuery),
    responses((status = 200, body = Paginated<AuditEntry>),
        (status = 403, body = crate::http::problem::Problem),
        (status = 422, body = crate::http::problem::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<AuditReaders>,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let page = audit_page(&state, &caller, query, paging).await?;
    Ok(axum::Json(page).into_response())
}

/// One page of the rows the caller may read, newest first: the operation shared by the JSON
/// API and the admin pages.
pub(crate) async fn audit_page(
    state: &AppState,
    caller: &Caller,
    query: AuditQuery,
    paging: PageQuery,
) -> Result<Paginated<AuditEntry>, AppError> {
    let (tenant, filter) = query.checked()?;
    let page = paging.checked()?;
    let scope = scope_of(caller, tenant)?;
    let mut pooled = state.db.get().await?;
    let (rows, total) = query::page(
        &mut pooled.conn(),
        scope,
        &filter,
        page.offset(),
        page.limit(),
    )
    .await?;
    let items = rows.into_iter().map(AuditEntry::from).collect();
    Ok(Paginated::new(items, page, total))
}

/// How the CSV is written.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvOptions {
    /// `comma` (default) or `semicolon` (for spreadsheets set up for a decimal comma, as in
    /// Swedish Excel).
    pub delimiter: Option<String>,
}

impl CsvOptions {
    fn checked(self) -> Result<u8, AppError> {
        match self.delimiter.as_deref() {
            None | Some("comma") => Ok(b','),
            Some("semicolon") => Ok(b';'),
            Some(_) => Err(AppError::validation(
                "delimiter",
                "must be `comma` or `semicolon`",
            )),
        }
    }
}

const CSV_COLUMNS: [&str; 11] = [
    "id",
    "occurred_at",
    "tenant_id",
    "actor_user_id",
    "actor_token_id",
    "impersonator_id",
    "action",
    "target_type",
    "target_id",
    "details",
    "request_id",
];

/// The same rows as a CSV file (UTF-8 with a byte-order mark, a header row, CRLF line ends as
/// RFC 4180 has them, newest first), at
/// most 50,000 rows: `X-Galley-Truncated: true` says when more matched.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(AuditQuery, CsvOptions),
    responses((status = 200, content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"galley-audit-YYYYMMDD.csv\""),
                ("X-Galley-Truncated" = String, description = "`true` when more than 50,000 rows matched and only the newest were sent"))),
        (status = 403, body = crate::http::problem::Problem),
        (status = 422, body = crate::http::problem::Problem)))]
pub async fn export_csv(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<AuditReaders>,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiQuery(options): ApiQuery<CsvOptions>,
) -> Result<Response, AppError> {
    let (tenant, filter) = query.checked()?;
    let delimiter = options.checked()?;
    let scope = scope_of(&caller, tenant)?;
    // The slot before the rows: up to 50,000 of them, which requests waiting for a worker
    // must not each hold.
    let slot = state.file_work.reserve("audit_csv").await?;
    let mut pooled = state.db.get().await?;
    let cap = i64::try_from(EXPORT_CAP).unwrap_or(i64::MAX);
    let mut rows = query::matching(&mut pooled.conn(), scope, &filter, cap + 1).await?;
    drop(pooled);
    let truncated = rows.len() > EXPORT_CAP;
    rows.truncate(EXPORT_CAP);
    let body = slot
        .run(move |_deadline| write_csv(&rows, delimiter))
        .await??;

    let filename = format!(
        "attachment; filename=\"galley-audit-{}.csv\"",
        Utc::now().format("%Y%m%d")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if truncated {
        headers.insert(TRUNCATED_HEADER, HeaderValue::from_static("true"));
    }
    Ok(response)
}

fn write_csv(rows: &[AuditRow], delimiter: u8) -> Result<Vec<u8>, AppError> {
    let failed = |e: csv::Error| AppError::Internal(format!("cannot write the CSV: {e}"));
    // The byte-order mark makes Excel read the file as UTF-8 (å, ä, ö).
    let mut out = Vec::with_capacity(64 + rows.len() * 160);
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(CSV_COLUMNS).map_err(failed)?;
    let number = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let text = |value: Option<&str>| value.map(cell).unwrap_or_default();
    for row in rows {
        writer
            .write_record([
                row.id.to_string(),
                utc(row.occurred_at).to_rfc3339_opts(SecondsFormat::AutoSi, true),
                number(row.tenant_id),
                number(row.actor_user_id),
                number(row.actor_token_id),
                number(row.impersonator_id),
                cell(&row.action),
                text(row.target_type.as_deref()),
                text(row.target_id.as_deref()),
                cell(&row.details),
                text(row.request_id.as_deref()),
            ])
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("cannot finish the CSV: {e}")))
}

fn cell(text: &str) -> String {
    crate::export::csv_text(text).into_owned()
}
