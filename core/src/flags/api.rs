//! `GET /api/v1/modules` and `PUT /api/v1/modules/{id}`: module switches per tenant and site
//! for admins, and at any scope for superusers.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::repo::{self, FlagScope};
use super::{FlagChange, FlagError, FlagSource, Scope};
use crate::auth::{Allowed, Caller, Role};
use crate::http::ApiJson;
use crate::http::AppError;
use crate::http::concurrency::{check_precondition, if_match};
use crate::people::{sites, tenants};
use crate::state::AppState;

crate::role_set!(
    /// Who may see and switch modules.
    ModuleAdmins = [Role::Admin, Role::Superuser]
);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/{id}", put(switch))
}

/// One switch the caller may change, with the ETag to send back as `If-Match`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SwitchOut {
    pub scope: FlagScope,
    /// Tenant or site id; 0 for the global scope.
    pub scope_id: i64,
    /// `null`: no override here, the wider scope decides.
    pub enabled: Option<bool>,
    pub etag: String,
}

/// A module as the caller sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModuleSwitches {
    pub id: &'static str,
    pub title: &'static str,
    /// Whether it is on for the caller.
    pub enabled: bool,
    /// Which scope decided that.
    pub source: FlagSource,
    /// The switches within the caller's reach: global for superusers; the tenant and each of
    /// its sites for admins.
    pub switches: Vec<SwitchOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchIn {
    pub scope: FlagScope,
    /// Required for `site`, and for `tenant` when a superuser sends it; an admin's tenant
    /// scope is their own tenant.
    pub scope_id: Option<i64>,
    /// `true`/`false` sets an override; `null` removes it.
    pub enabled: Option<bool>,
}

fn switch_etag(module: &str, scope: FlagScope, scope_id: i64, version: i64) -> String {
    format!("\"flag-{module}-{}-{scope_id}-v{version}\"", scope.as_str())
}

async fn switch_out(
    conn: &mut crate::db::DbConn<'_>,
    module: &str,
    scope: FlagScope,
    scope_id: i64,
) -> Result<SwitchOut, AppError> {
    let row = repo::find(conn, module, scope, scope_id).await?;
    Ok(SwitchOut {
        scope,
        scope_id,
        enabled: row.as_ref().map(|r| r.enabled),
        etag: switch_etag(module, scope, scope_id, row.map_or(0, |r| r.version)),
    })
}

/// The scopes a caller may switch: (scope, id) pairs.
async fn reach(
    conn: &mut crate::db::DbConn<'_>,
    caller: &Caller,
) -> Result<Vec<(FlagScope, i64)>, AppError> {
    match caller.tenant_id {
        None => Ok(vec![(FlagScope::Global, 0)]),
        Some(tenant) => {
            let mut scopes = vec![(FlagScope::Tenant, tenant)];
            let (tenant_sites, _) = sites::list(conn, tenant, 0, 1000).await?;
            scopes.extend(tenant_sites.iter().map(|site| (FlagScope::Site, site.id)));
            Ok(scopes)
        }
    }
}

/// Every module with its state for you and the switches you may change.
#[utoipa::path(get, path = "/api/v1/modules", tag = "modules",
    responses((status = 200, body = [ModuleSwitches]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<ModuleAdmins>,
) -> Result<Json<Vec<ModuleSwitches>>, AppError> {
    Ok(Json(module_switches(&state, &caller).await?))
}

// The operations, shared by the JSON API and the admin pages.

/// Every module with its state for the caller and the switches within the caller's reach.
pub(crate) async fn module_switches(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<ModuleSwitches>, AppError> {
    let snapshot = state.flags.snapshot();
    let scope: Scope = caller.flag_scope();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let scopes = reach(conn, caller).await?;
    let mut out = Vec::new();
    for module in state.registry.modules() {
        let effective = snapshot.state_in(module.id(), scope);
        let mut switches = Vec::new();
        for (kind, id) in &scopes {
            switches.push(switch_out(conn, module.id(), *kind, *id).await?);
        }
        out.push(ModuleSwitches {
            id: module.id(),
            title: module.title(),
            enabled: effective.enabled,
            source: effective.source,
            switches,
        });
    }
    Ok(out)
}

/// Sets or removes one switch. `expected` is the switch's ETag as the client read it
/// (`If-Match`, or a form's hidden field). The flags service applies it at once.
pub(crate) async fn switch_module(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected: Option<&str>,
    body: &SwitchIn,
) -> Result<SwitchOut, AppError> {
    let module = state.registry.get(id).ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (scope_id, tenant_id) = target(conn, caller, body).await?;
    let current = switch_out(conn, module.id(), body.scope, scope_id).await?;
    check_precondition(expected, &current.etag)?;
    drop(pooled);
    let who = caller.email.clone().unwrap_or_else(|| "api token".into());
    let change = FlagChange {
        module_id: module.id(),
        scope: body.scope,
        scope_id,
        enabled: body.enabled,
        tenant_id,
    };
    state
        .flags
        .change(&change, caller.actor(), &who)
        .await
        .map_err(|error| match error {
            FlagError::Db(db) => AppError::Db(db),
            other => AppError::Internal(other.to_string()),
        })?;
    let mut pooled = state.db.get().await?;
    switch_out(&mut pooled.conn(), module.id(), body.scope, scope_id).await
}

/// Switch a module on or off for one scope, or remove that scope's override. Needs `If-Match`
/// with the switch's ETag from `GET /api/v1/modules`. Every instance follows within seconds.
#[utoipa::path(put, path = "/api/v1/modules/{id}", tag = "modules", request_body = SwitchIn,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SwitchOut), (status = 404), (status = 412), (status = 422), (status = 428)))]
pub async fn switch(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<ModuleAdmins>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SwitchIn>,
) -> Result<(StatusCode, Json<SwitchOut>), AppError> {
    let updated = switch_module(&state, &caller, &id, if_match(&headers), &body).await?;
    Ok((StatusCode::OK, Json(updated)))
}

/// Resolves and authorises the scope: (scope id, tenant for the audit row).
async fn target(
    conn: &mut crate::db::DbConn<'_>,
    caller: &Caller,
    body: &SwitchIn,
) -> Result<(i64, Option<i64>), AppError> {
    let required = || AppError::validation("scope_id", "is required for this scope");
    match (caller.tenant_id, body.scope) {
        // Superusers outside a tenant: any scope.
        (None, FlagScope::Global) => Ok((0, None)),
        (None, FlagScope::Tenant) => {
            let tenant = body.scope_id.ok_or_else(required)?;
            tenants::find(conn, tenant)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((tenant, Some(tenant)))
        }
        (None, FlagScope::Site) => {
            let site = body.scope_id.ok_or_else(required)?;
            let tenant = sites::tenant_of_site(conn, site)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((site, Some(tenant)))
        }
        // Admins: their own tenant and its sites only.
        (Some(_), FlagScope::Global) => Err(AppError::Forbidden(
            "only superusers switch modules for the whole platform".into(),
        )),
        (Some(own), FlagScope::Tenant) => match body.scope_id {
            Some(other) if other != own => Err(AppError::NotFound),
            _ => Ok((own, Some(own))),
        },
        (Some(own), FlagScope::Site) => {
            let site = body.scope_id.ok_or_else(required)?;
            sites::find(conn, own, site)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((site, Some(own)))
        }
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, switch),
    tags((name = "modules", description = "Module switches per tenant and site"))
)]
pub struct ModulesApi;
