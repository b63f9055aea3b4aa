//! Who may reach which department. Kitchen roles reach every department of their tenant; a
//! department user reaches only the department they are bound to, and any other id is unknown
//! to them (404), exactly like another tenant's.
//!
//! Both facts are remembered between requests under the ready answers' rules (decision
//! 0022): every write of a tenant (a department renamed, moved or deleted, a user bound
//! elsewhere) forgets them, on every instance, and they are read again after a minute at the
//! latest. A week's write then needs no query before its own transaction.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use galley_core::answers::{Memo, Scope};
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
        Ok(DepartmentAccess(reachable(state, &caller, id).await?))
    }
}

/// A department's id, as the key of the remembered departments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DepartmentId(i64);

/// A department user's id, as the key of the remembered bindings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BoundUser(i64);

/// How many departments (and as many bindings) are remembered: every department of a few
/// large kitchens, at a few hundred bytes each.
const REMEMBERED: usize = 1024;

/// How long a remembered department or binding is trusted without a write of its tenant; the
/// same minute as a week's set-up, for changes made behind the application's back.
const FRESH: Duration = Duration::from_secs(60);

fn remembered_departments(state: &AppState) -> Memo<DepartmentId, Department> {
    state.module_memos.memo(REMEMBERED)
}

fn remembered_bindings(state: &AppState) -> Memo<BoundUser, Option<i64>> {
    state.module_memos.memo(REMEMBERED)
}

/// The department if the caller may reach it; otherwise the id is unknown.
pub async fn reachable(
    state: &AppState,
    caller: &Caller,
    department_id: i64,
) -> Result<Department, AppError> {
    let tenant = tenant_of(caller)?;
    let department = match remembered_departments(state)
        .get(&DepartmentId(department_id))
        .filter(|department| department.tenant_id == tenant)
    {
        Some(department) => department,
        None => {
            let memo = remembered_departments(state);
            let ticket = memo.ticket();
            let mut pooled = state.db.get().await?;
            let department = departments::find(&mut pooled.conn(), tenant, department_id)
                .await?
                .ok_or(AppError::NotFound)?;
            memo.put(
                DepartmentId(department_id),
                ticket,
                &[Scope::Tenant(tenant)],
                FRESH,
                department.clone(),
            );
            department
        }
    };
    if caller.role == Role::Department
        && bound_department(state, caller, tenant).await? != Some(department.id)
    {
        return Err(AppError::NotFound);
    }
    Ok(department)
}

/// The id of the department a department user is bound to, if any.
async fn bound_department(
    state: &AppState,
    caller: &Caller,
    tenant: i64,
) -> Result<Option<i64>, AppError> {
    let Some(user) = caller.user_id else {
        return Ok(None);
    };
    let memo = remembered_bindings(state);
    if let Some(bound) = memo.get(&BoundUser(user)) {
        return Ok(bound);
    }
    let ticket = memo.ticket();
    let mut pooled = state.db.get().await?;
    let bound = departments::of_user(&mut pooled.conn(), user)
        .await?
        .map(|department| department.id);
    memo.put(
        BoundUser(user),
        ticket,
        &[Scope::Tenant(tenant)],
        FRESH,
        bound,
    );
    Ok(bound)
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
