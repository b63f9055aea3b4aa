//! `/users/{user_id}/department`: which department a user of role `department` works for.
//! They then reach that department's week, and no other.

use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller, Role};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::{ApiJson, AppError};
use galley_core::people::api::tenant_of;
use galley_core::people::users::{self, User};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::Admins;
use crate::departments;

/// The department a user is bound to, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Binding {
    pub department_id: Option<i64>,
}

/// The department to bind the user to, or `null` to unbind. The field must be sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingChange {
    #[serde(deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i64>, required = true)]
    pub department_id: Option<i64>,
}

/// The binding has no version of its own; what it is bound to names it exactly.
pub fn binding_etag(user_id: i64, department_id: Option<i64>) -> String {
    match department_id {
        Some(department) => format!("\"user-{user_id}-department-{department}\""),
        None => format!("\"user-{user_id}-department-none\""),
    }
}

/// The `{user_id}` of the path, a user of the caller's tenant, found before the body is read:
/// another tenant's user is a 404 whatever was sent.
pub struct TenantUser(pub User);

impl FromRequestParts<AppState> for TenantUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (user_id, caller) =
            galley_core::auth::path_id_and_caller(parts, state, "user_id").await?;
        let mut pooled = state.db.get().await?;
        let user = user_of(&mut pooled.conn(), tenant_of(&caller)?, user_id).await?;
        Ok(TenantUser(user))
    }
}

async fn user_of(conn: &mut DbConn<'_>, tenant: i64, user_id: i64) -> Result<User, AppError> {
    users::find_in_tenant(conn, tenant, user_id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn bound_to(conn: &mut DbConn<'_>, user_id: i64) -> Result<Option<i64>, AppError> {
    Ok(departments::of_user(conn, user_id).await?.map(|d| d.id))
}

/// The user's binding; another tenant's user is unknown.
pub async fn binding(state: &AppState, caller: &Caller, user_id: i64) -> Result<Binding, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    user_of(conn, tenant, user_id).await?;
    Ok(Binding {
        department_id: bound_to(conn, user_id).await?,
    })
}

/// Binds the user to a department of the tenant, or unbinds them. Only users of role
/// `department` can be bound; anyone can be unbound.
pub async fn set_binding(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    expected: Option<&str>,
    body: &BindingChange,
) -> Result<Binding, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let user = user_of(conn, tenant, user_id).await?;
    let current = bound_to(conn, user_id).await?;
    check_precondition(expected, &binding_etag(user_id, current))?;
    if let Some(department_id) = body.department_id {
        let department = departments::find(conn, tenant, department_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if user.role != Role::Department.as_str() {
            return Err(AppError::validation(
                "user_id",
                format!(
                    "only a user with the role department can be bound to a department; this one is {}",
                    user.role
                ),
            ));
        }
        if user.site_id.is_some_and(|site| site != department.site_id) {
            return Err(AppError::validation(
                "department_id",
                "is at another kitchen than the user's",
            ));
        }
    }
    if current == body.department_id {
        return Ok(Binding {
            department_id: current,
        });
    }
    galley_core::versioned_write!(
        conn,
        |tx| {
            // The binding has no version: a write that came first shows as a changed binding.
            let unchanged = bound_to(tx, user_id).await? == current;
            if unchanged {
                departments::bind_user(tx, tenant, user_id, body.department_id).await?;
            }
            unchanged
        },
        audit: Entry::new("department_member.bound", caller.actor(), Some(tenant))
            .target("user", user_id)
            .details(json!({ "from": current, "to": body.department_id })),
        on_conflict: bound_to(conn, user_id)
            .await
            .map(|now| binding_etag(user_id, now)),
    )?;
    Ok(Binding {
        department_id: body.department_id,
    })
}

/// The department a user works for.
#[utoipa::path(get, path = "/api/v1/municipal/users/{user_id}/department",
    tag = "municipal departments", params(("user_id" = i64, Path)),
    responses((status = 200, body = Binding), (status = 304), (status = 404)))]
pub async fn read_binding(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    TenantUser(user): TenantUser,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let user_id = user.id;
    let bound = binding(&state, &caller, user_id).await?;
    Ok(with_etag(
        &headers,
        binding_etag(user_id, bound.department_id),
        &bound,
    ))
}

/// Bind a user of role `department` to a department, or unbind with `null`. Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/municipal/users/{user_id}/department",
    tag = "municipal departments", request_body = BindingChange,
    params(("user_id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Binding), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn put_binding(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    TenantUser(user): TenantUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<BindingChange>,
) -> Result<Response, AppError> {
    let user_id = user.id;
    let bound = set_binding(&state, &caller, user_id, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        binding_etag(user_id, bound.department_id),
        &bound,
    ))
}
