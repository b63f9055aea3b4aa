//! `/departments/{id}/diet-defaults`: how many of a department's residents are on each of its
//! kitchen's diet types. Counts only, never who; still, a diet can be health data, so an
//! admin's read is audited.

use std::collections::{BTreeMap, HashSet};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller, Role};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, AppError};
use galley_core::kitchen::diets;
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::crud::current_etag;
use super::{check_count, department_etag};
use crate::api::access::DepartmentAccess;
use crate::api::{Admins, WeekReaders};
use crate::departments::{self, Department, setup};

/// Residents of the department on one diet type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DietDefaultIn {
    /// A live diet type of the department's kitchen, at most once in the list.
    pub diet_type_id: i64,
    /// 0-1000.
    #[schema(minimum = 0, maximum = 1000)]
    pub residents: i32,
}

/// Every diet type of the kitchen with the department's residents on it (0 for none). A PUT
/// replaces the whole set: a diet type left out has no residents on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DietDefaults {
    pub diets: Vec<DietDefaultIn>,
}

/// The department's stored counts on its kitchen's live diet types, by diet type name.
async fn load(conn: &mut DbConn<'_>, department: &Department) -> Result<DietDefaults, AppError> {
    let types = diets::list(conn, department.site_id).await?;
    let stored: BTreeMap<i64, i32> = setup::diet_defaults_of(conn, &[department.id])
        .await?
        .into_iter()
        .map(|(_, diet, residents)| (diet, residents))
        .collect();
    Ok(DietDefaults {
        diets: types
            .iter()
            .map(|diet| DietDefaultIn {
                diet_type_id: diet.id,
                residents: stored.get(&diet.id).copied().unwrap_or(0),
            })
            .collect(),
    })
}

/// The diet defaults as `caller` may see them; an admin's read is written to the audit log.
pub async fn diet_defaults(
    state: &AppState,
    caller: &Caller,
    department: &Department,
) -> Result<DietDefaults, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let defaults = load(conn, department).await?;
    if caller.role == Role::Admin {
        audit::record(
            conn,
            Entry::new(
                "diet_defaults.read",
                caller.actor(),
                Some(tenant_of(caller)?),
            )
            .target("department", department.id),
        )
        .await?;
    }
    Ok(defaults)
}

/// Checks the wanted counts against the kitchen's live diet types and the department's
/// residents (a resident may be on several diets, but no diet has more people than the
/// department); only non-zero ones remain.
fn check(
    body: &DietDefaults,
    live: &HashSet<i64>,
    residents: i32,
) -> Result<BTreeMap<i64, i32>, AppError> {
    let mut errors = Vec::new();
    let mut wanted = BTreeMap::new();
    let mut seen = HashSet::new();
    for (index, entry) in body.diets.iter().enumerate() {
        let field = format!("diets[{index}].diet_type_id");
        if !live.contains(&entry.diet_type_id) {
            errors.push(FieldError {
                field,
                reason: format!(
                    "there is no diet type {} in this department's kitchen",
                    entry.diet_type_id
                ),
            });
        } else if !seen.insert(entry.diet_type_id) {
            errors.push(FieldError {
                field,
                reason: format!("diet type {} is listed twice", entry.diet_type_id),
            });
        }
        let refused_before = errors.len();
        check_count(
            format!("diets[{index}].residents"),
            entry.residents,
            &mut errors,
        );
        if errors.len() == refused_before && entry.residents > residents {
            errors.push(FieldError {
                field: format!("diets[{index}].residents"),
                reason: format!(
                    "{} is more than the department's {residents} residents; raise the residents first",
                    entry.residents
                ),
            });
        }
        if entry.residents > 0 {
            wanted.insert(entry.diet_type_id, entry.residents);
        }
    }
    fail_if_any(errors)?;
    Ok(wanted)
}

/// Replaces the department's diet defaults; the department moves to its next version unless
/// nothing changed.
pub async fn replace_diet_defaults(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    body: &DietDefaults,
) -> Result<(Department, DietDefaults), AppError> {
    let tenant = tenant_of(caller)?;
    check_precondition(expected, &department_etag(department))?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let current = load(conn, department).await?;
    let live: HashSet<i64> = current.diets.iter().map(|d| d.diet_type_id).collect();
    let wanted = check(body, &live, department.residents)?;
    let before: BTreeMap<i64, i32> = current
        .diets
        .iter()
        .filter(|d| d.residents > 0)
        .map(|d| (d.diet_type_id, d.residents))
        .collect();
    if wanted == before {
        return Ok((department.clone(), current));
    }
    let rows: Vec<(i64, i32)> = wanted.iter().map(|(d, n)| (*d, *n)).collect();
    galley_core::versioned_write!(
        conn,
        |tx| {
            crate::plan::history::keep(tx, tenant, department.site_id).await?;
            let bumped = departments::bump(tx, department).await?;
            if bumped {
                setup::replace_diet_defaults(tx, department.id, &rows).await?;
            }
            bumped
        },
        audit: Entry::new("diet_defaults.replaced", caller.actor(), Some(tenant))
            .target("department", department.id)
            .details(json!({ "before": before, "after": wanted })),
        on_conflict: current_etag(conn, tenant, department.id).await,
    )?;
    let updated = departments::find(conn, tenant, department.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let defaults = load(conn, &updated).await?;
    Ok((updated, defaults))
}

/// The department's residents per diet type of its kitchen. An admin's read is audited.
/// Not paginated: one document, read and written back whole by `PUT` under one ETag.
#[utoipa::path(get, path = "/api/v1/municipal/departments/{id}/diet-defaults",
    tag = "municipal departments", params(("id" = i64, Path)),
    responses((status = 200, body = DietDefaults), (status = 304), (status = 404)))]
pub async fn read_diet_defaults(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<WeekReaders>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let defaults = diet_defaults(&state, &caller, &department).await?;
    Ok(with_etag(&headers, department_etag(&department), &defaults))
}

/// Replace the department's diet defaults. Needs the department's `If-Match`.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/diet-defaults",
    tag = "municipal departments", request_body = DietDefaults,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = DietDefaults), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn replace(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DietDefaults>,
) -> Result<Response, AppError> {
    let (updated, defaults) =
        replace_diet_defaults(&state, &caller, &department, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        department_etag(&updated),
        &defaults,
    ))
}
