//! Who may reach which department. Kitchen roles reach every department of their tenant; a
//! department user reaches only the department they are bound to, and any other id is unknown
//! to them (404), exactly like another tenant's.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;

use crate::departments::{self, Department};

/// The `{id}` department of the path, checked against the caller before the body is read.
/// Use it after an `Allowed<...>` extractor, which settles the role.
#[derive(Debug, Clone)]
pub struct DepartmentAccess(pub Department);

impl FromRequestParts<AppState> for DepartmentAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (id, caller) = galley_core::auth::path_id_and_caller(parts, state, "id").await?;
        let mut pooled = state.db.get().await?;
        let department = reachable(&mut pooled.conn(), &caller, id).await?;
        Ok(DepartmentAccess(department))
    }
}

/// The department if the caller may reach it; otherwise the id is unknown.
pub async fn reachable(
    conn: &mut galley_core::db::DbConn<'_>,
    caller: &Caller,
    department_id: i64,
) -> Result<Department, AppError> {
    let tenant = tenant_of(caller)?;
    let department = departments::find(conn, tenant, department_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if caller.role == Role::Department {
        let own = match caller.user_id {
            Some(user) => departments::of_user(conn, user).await?,
            None => None,
        };
        if own.map(|d| d.id) != Some(department.id) {
            return Err(AppError::NotFound);
        }
    }
    Ok(department)
}

/// The department a department user is bound to; 403 with a clear reason when none is.
pub async fn own_department(
    conn: &mut galley_core::db::DbConn<'_>,
    caller: &Caller,
) -> Result<Department, AppError> {
    let unbound = || {
        AppError::Forbidden(
            "your account is not bound to a department yet; ask your administrator".into(),
        )
    };
    let user = caller.user_id.ok_or_else(unbound)?;
    departments::of_user(conn, user).await?.ok_or_else(unbound)
}
