//! The departments themselves: list, create, read, change, remove.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::http::concurrency::{check_precondition, created, if_match, with_etag};
use galley_core::http::pagination::{PageQuery, Paginated};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{changed_meanwhile, check_name, fail_if_any, tenant_of};
use galley_core::people::sites;
use galley_core::state::AppState;
use serde::Deserialize;
use serde_json::json;

use super::{DepartmentOut, check_count, department_etag};
use crate::api::access::DepartmentAccess;
use crate::api::{Admins, KitchenReaders, WeekReaders};
use crate::departments::{self, Department, DepartmentFields};

/// Longest note about a department, in characters.
pub const MAX_NOTES: usize = 2000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// Unique among the kitchen's departments (case and spacing aside).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    /// Residents eating on a day no schedule or override speaks for, 0-1000.
    #[schema(minimum = 0, maximum = 1000)]
    pub residents: i32,
    /// At most 2000 characters, surrounding whitespace aside.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
}

/// Only the fields sent change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentChange {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    #[schema(minimum = 0, maximum = 1000)]
    pub residents: Option<i32>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// The checked fields: the name trimmed, the notes trimmed.
fn check(name: &str, residents: i32, notes: &str) -> Result<(String, String), AppError> {
    let mut errors = Vec::new();
    let name = check_name("name", name, &mut errors);
    check_count("residents".into(), residents, &mut errors);
    let notes = notes.trim().to_owned();
    if notes.chars().count() > MAX_NOTES {
        errors.push(FieldError {
            field: "notes".into(),
            reason: format!("must be at most {MAX_NOTES} characters"),
        });
    }
    fail_if_any(errors)?;
    Ok((name, notes))
}

fn name_conflict(name: &str) -> AppError {
    AppError::Conflict(format!("the kitchen already has a department named {name}"))
}

/// Adds a department to a kitchen of the caller's tenant.
pub async fn create_department(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    body: &NewDepartment,
) -> Result<Department, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    sites::find(conn, tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, notes) = check(&body.name, body.residents, &body.notes)?;
    if departments::name_taken(conn, site_id, &name, None).await? {
        return Err(name_conflict(&name));
    }
    let fields = DepartmentFields {
        name: &name,
        residents: body.residents,
        notes: &notes,
    };
    let department = galley_core::transaction!(conn, |tx| {
        crate::plan::history::keep(tx, tenant, site_id).await?;
        let id = departments::insert(tx, tenant, site_id, &fields).await?;
        audit::record(
            tx,
            Entry::new("department.created", caller.actor(), Some(tenant))
                .target("department", id)
                .details(json!({ "site_id": site_id, "name": name, "residents": body.residents })),
        )
        .await?;
        departments::find(tx, tenant, id)
            .await?
            .ok_or(galley_core::db::DbError::NotFound)
    })?;
    Ok(department)
}

/// Changes the fields sent; a change that changes nothing keeps the version.
pub async fn update_department(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    body: &DepartmentChange,
) -> Result<Department, AppError> {
    let tenant = tenant_of(caller)?;
    check_precondition(expected, &department_etag(department))?;
    let residents = body.residents.unwrap_or(department.residents);
    let (name, notes) = check(
        body.name.as_deref().unwrap_or(&department.name),
        residents,
        body.notes.as_deref().unwrap_or(&department.notes),
    )?;
    if name == department.name && residents == department.residents && notes == department.notes {
        return Ok(department.clone());
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    if departments::name_taken(conn, department.site_id, &name, Some(department.id)).await? {
        return Err(name_conflict(&name));
    }
    // No diet may have more people than the department. The counts belong to this version
    // of the department (a diet change bumps it), so the versioned write below keeps them.
    if residents < department.residents {
        let most_on_a_diet = crate::departments::setup::diet_defaults_of(conn, &[department.id])
            .await?
            .into_iter()
            .map(|(_, _, count)| count)
            .max()
            .unwrap_or(0);
        if residents < most_on_a_diet {
            return Err(AppError::validation(
                "residents",
                format!(
                    "{most_on_a_diet} residents are on one diet; lower that diet's count first"
                ),
            ));
        }
    }
    let fields = DepartmentFields {
        name: &name,
        residents,
        notes: &notes,
    };
    galley_core::versioned_write!(
        conn,
        |tx| {
            crate::plan::history::keep(tx, tenant, department.site_id).await?;
            departments::update(tx, department, &fields).await?
        },
        audit: Entry::new("department.updated", caller.actor(), Some(tenant))
            .target("department", department.id)
            .details(json!({
                "name": { "from": department.name, "to": name },
                "residents": { "from": department.residents, "to": residents },
                "notes_changed": notes != department.notes,
            })),
        on_conflict: current_etag(conn, tenant, department.id).await,
    )?;
    departments::find(conn, tenant, department.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Removes the department (reports of past weeks keep naming it); its staff are unbound.
pub async fn delete_department(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    check_precondition(expected, &department_etag(department))?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let deleted = galley_core::transaction!(conn, |tx| {
        crate::plan::history::keep(tx, tenant, department.site_id).await?;
        let staff = departments::members(tx, department.id).await?;
        if !departments::mark_deleted(tx, department).await? {
            return Ok::<_, AppError>(false);
        }
        audit::record(
            tx,
            Entry::new("department.deleted", caller.actor(), Some(tenant))
                .target("department", department.id)
                .details(json!({ "name": department.name, "unbound_users": staff })),
        )
        .await?;
        Ok(true)
    })?;
    if deleted {
        Ok(())
    } else {
        Err(stale(conn, tenant, department.id).await)
    }
}

/// The ETag of the department as stored now, for the 412 of a write that lost its race (404
/// if it is gone).
pub(super) async fn current_etag(
    conn: &mut galley_core::db::DbConn<'_>,
    tenant: i64,
    id: i64,
) -> Result<String, AppError> {
    departments::find(conn, tenant, id)
        .await?
        .map(|current| department_etag(&current))
        .ok_or(AppError::NotFound)
}

/// The answer to a hand-written write that lost a race: 412 with the ETag now current.
pub(super) async fn stale(
    conn: &mut galley_core::db::DbConn<'_>,
    tenant: i64,
    id: i64,
) -> AppError {
    match current_etag(conn, tenant, id).await {
        Ok(current_etag) => changed_meanwhile(current_etag),
        Err(error) => error,
    }
}

/// The kitchen's departments, by name, a page at a time (`{items, page, per_page, total}`).
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/departments",
    tag = "municipal departments", params(("site_id" = i64, Path), PageQuery),
    responses((status = 200, body = Paginated<DepartmentOut>), (status = 404)))]
pub async fn list_departments(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let page = query.checked()?;
    let mut pooled = state.db.get().await?;
    let items: Vec<DepartmentOut> = departments::list(&mut pooled.conn(), site_id)
        .await?
        .iter()
        .map(DepartmentOut::from)
        .collect();
    Ok(axum::Json(Paginated::from_all(items, page)).into_response())
}

/// Add a department to a kitchen.
#[utoipa::path(post, path = "/api/v1/municipal/sites/{site_id}/departments",
    tag = "municipal departments", request_body = NewDepartment, params(("site_id" = i64, Path)),
    responses((status = 201, body = DepartmentOut), (status = 404), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<NewDepartment>,
) -> Result<Response, AppError> {
    let department = create_department(&state, &caller, site_id, &body).await?;
    Ok(created(
        &department_etag(&department),
        &DepartmentOut::from(&department),
    ))
}

/// One department; its own staff may read it too.
#[utoipa::path(get, path = "/api/v1/municipal/departments/{id}", tag = "municipal departments",
    params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentOut), (status = 304), (status = 404)))]
pub async fn read_department(
    Allowed(_caller, _): Allowed<WeekReaders>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
) -> Response {
    with_etag(
        &headers,
        department_etag(&department),
        &DepartmentOut::from(&department),
    )
}

/// Change a department. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/municipal/departments/{id}", tag = "municipal departments",
    request_body = DepartmentChange, params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DepartmentOut), (status = 404), (status = 409), (status = 412),
        (status = 422), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DepartmentChange>,
) -> Result<Response, AppError> {
    let updated =
        update_department(&state, &caller, &department, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        department_etag(&updated),
        &DepartmentOut::from(&updated),
    ))
}

/// Remove a department (past weeks' reports keep it); its staff lose their binding.
/// Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/municipal/departments/{id}", tag = "municipal departments",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404), (status = 412), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    delete_department(&state, &caller, &department, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}
