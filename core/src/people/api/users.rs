use crate::web::lang::Lang;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::{Admins, check_name, fail_if_any, tenant_of, utc};
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller, Credential, Role, password, token};
use crate::http::concurrency::{check_precondition, created, etag, if_match, with_etag};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::users::{self, Editable, NewUser, User};
use crate::people::{password_resets, sites};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).patch(update).delete(delete))
        .route("/{id}/reset-link", post(reset_link))
}

/// A person of your tenant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// The language the person reads pages in; none: their site's, then their browser's.
    pub language: Option<Lang>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl UserOut {
    fn from(user: User) -> Result<Self, AppError> {
        let role = Role::parse(&user.role).ok_or_else(|| {
            AppError::Internal(format!("user {} has unknown role {}", user.id, user.role))
        })?;
        Ok(UserOut {
            id: user.id,
            tenant_id: user.tenant_id,
            site_id: user.site_id,
            email: user.email,
            display_name: user.display_name,
            role,
            disabled: user.disabled_at.is_some(),
            language: user.language.as_deref().and_then(Lang::stored),
            version: user.version,
            created_at: utc(user.created_at),
            updated_at: utc(user.updated_at),
        })
    }
}

pub(crate) fn user_etag(user: &User) -> String {
    etag("user", user.id, user.version)
}

/// Roles an admin can give; superusers are made with `galley create-superuser`.
pub(crate) const GRANTABLE: [Role; 4] = [Role::Admin, Role::Cook, Role::Department, Role::Viewer];

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    /// An address like name@example.se (case and surrounding whitespace aside).
    #[schema(format = Email, max_length = 254, pattern = r"^[^@\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+@[^@\s.\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^@\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*\.[^@\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^@\s.\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]$")]
    pub email: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub display_name: String,
    #[schema(schema_with = crate::http::openapi_schema::grantable_role)]
    pub role: Role,
    /// The site the person works at, if bound to one.
    pub site_id: Option<i64>,
    /// At least 12 characters, not a common password, not containing the e-mail address,
    /// not one character repeated.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

/// Only the fields sent change; `"site_id": null` unbinds the site.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub display_name: Option<String>,
    /// Not your own.
    #[schema(schema_with = crate::http::openapi_schema::grantable_role)]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub site_id: Option<Option<i64>>,
    pub disabled: Option<bool>,
    /// `sv`, `nb` or `en`; `null` returns to the site's language.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Lang>)]
    pub language: Option<Option<Lang>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

async fn check_site(
    conn: &mut crate::db::DbConn<'_>,
    tenant: i64,
    site_id: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(site) = site_id
        && sites::find(conn, tenant, site).await?.is_none()
    {
        errors.push(FieldError {
            field: "site_id".into(),
            reason: "is not a site of your tenant".into(),
        });
    }
    Ok(())
}

fn check_role(role: Role, errors: &mut Vec<FieldError>) {
    if !GRANTABLE.contains(&role) {
        errors.push(FieldError {
            field: "role".into(),
            reason: "must be admin, cook, department or viewer".into(),
        });
    }
}

/// The people of your tenant.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses((status = 200, body = Paginated<UserOut>)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let page = query.checked()?;
    let mut pooled = state.db.get().await?;
    let (items, total) =
        users::list(&mut pooled.conn(), tenant, page.offset(), page.limit()).await?;
    let items = items
        .into_iter()
        .map(UserOut::from)
        .collect::<Result<_, _>>()?;
    Ok(axum::Json(Paginated::new(items, page, total)).into_response())
}

// The operations, shared by the JSON API and the admin pages.

const EMAIL_TAKEN: &str = "That e-mail address cannot be used for a new account. Choose another.";

pub(crate) async fn create_user(
    state: &AppState,
    caller: &Caller,
    body: &NewUserIn,
) -> Result<User, AppError> {
    let tenant = tenant_of(caller)?;
    let email = users::normalise_email(&body.email);
    let mut errors = Vec::new();
    if let Err(reason) = users::check_email(&email) {
        errors.push(FieldError {
            field: "email".into(),
            reason,
        });
    }
    let display_name = check_name("display_name", &body.display_name, &mut errors);
    check_role(body.role, &mut errors);
    if let Err(reason) = password::check_policy(&body.password, &email) {
        errors.push(FieldError {
            field: "password".into(),
            reason,
        });
    }
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    check_site(conn, tenant, body.site_id, &mut errors).await?;
    fail_if_any(errors)?;
    // Addresses are unique across tenants; the answer must not tell whether the other account
    // is in this tenant or another, nor echo which address it was.
    if users::find_live_by_email(conn, &email).await?.is_some() {
        return Err(AppError::Conflict(EMAIL_TAKEN.into()));
    }
    let hash = password::hash(body.password.clone())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let user = crate::transaction!(conn, |tx| {
        let id = users::insert(
            tx,
            &NewUser {
                tenant_id: Some(tenant),
                site_id: body.site_id,
                email: &email,
                display_name: &display_name,
                role: body.role,
                password_hash: &hash,
            },
        )
        .await?;
        audit::record(
            tx,
            Entry::new("user.created", caller.actor(), Some(tenant))
                .target("user", id)
                .details(json!({ "email": email, "role": body.role, "site_id": body.site_id })),
        )
        .await?;
        users::find_in_tenant(tx, tenant, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok(user)
}

/// Create an account in your tenant.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserIn,
    responses((status = 201, body = UserOut), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    ApiJson(body): ApiJson<NewUserIn>,
) -> Result<Response, AppError> {
    let user = create_user(&state, &caller, &body).await?;
    Ok(created(&user_etag(&user), &UserOut::from(user)?))
}

/// One person of your tenant.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path)), responses((status = 200, body = UserOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let user = users::find_in_tenant(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(&headers, user_etag(&user), &UserOut::from(user)?))
}

pub(crate) async fn update_user(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
    body: &UserChange,
) -> Result<User, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let user = users::find_in_tenant(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &user_etag(&user))?;
    let before = Editable {
        display_name: user.display_name.clone(),
        role: Role::parse(&user.role).unwrap_or(Role::Viewer),
        site_id: user.site_id,
        disabled: user.disabled_at.is_some(),
        language: user.language.as_deref().and_then(Lang::stored),
    };
    let mut errors = Vec::new();
    let after = Editable {
        display_name: match &body.display_name {
            Some(name) => check_name("display_name", name, &mut errors),
            None => before.display_name.clone(),
        },
        role: body.role.unwrap_or(before.role),
        site_id: body.site_id.unwrap_or(before.site_id),
        disabled: body.disabled.unwrap_or(before.disabled),
        language: body.language.unwrap_or(before.language),
    };
    if body.role.is_some() {
        check_role(after.role, &mut errors);
    }
    if caller.user_id == Some(user.id) {
        if after.role != before.role {
            errors.push(FieldError {
                field: "role".into(),
                reason: "you cannot change your own role".into(),
            });
        }
        if after.disabled {
            errors.push(FieldError {
                field: "disabled".into(),
                reason: "you cannot disable yourself".into(),
            });
        }
    }
    if after.site_id != before.site_id {
        check_site(conn, tenant, after.site_id, &mut errors).await?;
    }
    fail_if_any(errors)?;
    let demoted = after.role != Role::Admin || after.disabled;
    let action = match (before.disabled, after.disabled) {
        (false, true) => "user.disabled",
        (true, false) => "user.enabled",
        _ if before.role != after.role => "user.role_changed",
        _ => "user.updated",
    };
    crate::versioned_write!(
        conn,
        |tx| {
            if demoted {
                keep_an_admin(tx, tenant, &user).await?;
            }
            users::update(tx, &user, &after).await?
        },
        audit: Entry::new(action, caller.actor(), Some(tenant))
            .target("user", user.id)
            .details(json!({
                "display_name": { "from": before.display_name, "to": after.display_name },
                "role": { "from": before.role, "to": after.role },
                "site_id": { "from": before.site_id, "to": after.site_id },
                "disabled": { "from": before.disabled, "to": after.disabled },
                "language": { "from": before.language, "to": after.language },
            })),
        on_conflict: current_etag(conn, tenant, id).await,
    )?;
    users::find_in_tenant(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The ETag of the person as stored now, for the 412 of a write that lost its race.
async fn current_etag(
    conn: &mut crate::db::DbConn<'_>,
    tenant: i64,
    id: i64,
) -> Result<String, AppError> {
    users::find_in_tenant(conn, tenant, id)
        .await?
        .map(|current| user_etag(&current))
        .ok_or(AppError::NotFound)
}

/// Refuses a change that takes `user` out of the tenant's active admins when no other remains.
/// Runs first in the change's transaction: it locks the admins until the change commits.
async fn keep_an_admin(
    tx: &mut crate::db::DbConn<'_>,
    tenant: i64,
    user: &User,
) -> Result<(), AppError> {
    let admins = users::lock_active_admins(tx, tenant).await?;
    if admins.contains(&user.id) && admins.len() == 1 {
        return Err(AppError::LastAdmin);
    }
    Ok(())
}

/// Change name, role, site or disable/enable an account. Needs `If-Match`. Disabling ends the
/// person's sessions at once. You cannot change your own role or disable yourself, and nobody
/// can demote or disable the tenant's last active admin (409 `/problems/last-admin`).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserChange,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = UserOut), (status = 404),
        (status = 409, description = "The tenant's last active admin would be lost", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412), (status = 422), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserChange>,
) -> Result<Response, AppError> {
    let user = update_user(&state, &caller, id, if_match(&headers), &body).await?;
    Ok(with_etag(
        &HeaderMap::new(),
        user_etag(&user),
        &UserOut::from(user)?,
    ))
}

pub(crate) async fn delete_user(
    state: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<&str>,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let user = users::find_in_tenant(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_precondition(expected, &user_etag(&user))?;
    if caller.user_id == Some(user.id) {
        return Err(AppError::validation("id", "you cannot delete yourself"));
    }
    crate::versioned_write!(
        conn,
        |tx| {
            keep_an_admin(tx, tenant, &user).await?;
            users::mark_deleted(tx, &user).await?
        },
        audit: Entry::new("user.deleted", caller.actor(), Some(tenant))
            .target("user", user.id)
            .details(json!({ "email": user.email })),
        on_conflict: current_etag(conn, tenant, id).await,
    )
}

/// Delete an account (kept for the audit trail; sign-in and sessions stop at once). Needs
/// `If-Match`. You cannot delete yourself, and nobody can delete the tenant's last active admin
/// (409 `/problems/last-admin`).
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 404),
        (status = 409, description = "The tenant's last active admin would be lost", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412), (status = 422), (status = 428)))]
pub async fn delete(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    delete_user(&state, &caller, id, if_match(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password-reset link, shown once; no e-mail is sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetLinkOut {
    /// The page where the person sets a new password: `/reset/{token}`, relative to the site.
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Makes a single-use reset link for a person of the caller's tenant, valid 24 hours (no longer
/// than the caller's impersonation, if any); older
/// open links of that person stop working. Shared by the JSON API and the admin pages.
pub(crate) async fn create_reset_link(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<ResetLinkOut, AppError> {
    let tenant = tenant_of(caller)?;
    let (Credential::Session { .. }, Some(creator)) = (&caller.credential, caller.user_id) else {
        return Err(AppError::Forbidden(
            "reset links are made by a signed-in admin, not by an API token".into(),
        ));
    };
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let user = users::find_in_tenant(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.disabled_at.is_some() {
        return Err(AppError::Conflict(
            "the account is disabled; enable it before making a reset link".into(),
        ));
    }
    let secret = token::generate();
    let hash = token::hash(&state.settings.secret_key, &secret);
    let expires_at = crate::transaction!(conn, |tx| {
        let expires_at =
            password_resets::create(tx, &hash, user.id, creator, caller.impersonation_until)
                .await?;
        audit::record(
            tx,
            Entry::new("user.reset_link_created", caller.actor(), Some(tenant))
                .target("user", user.id)
                .details(json!({ "email": user.email, "expires_at": utc(expires_at) })),
        )
        .await?;
        Ok::<_, AppError>(expires_at)
    })?;
    Ok(ResetLinkOut {
        url: format!("/reset/{secret}"),
        expires_at: utc(expires_at),
    })
}

/// Make a single-use password-reset link for a person of your tenant, valid 24 hours (made
/// while impersonating: until the impersonation ends, at the latest). Older open links of that
/// person stop working. Only signed-in admins can make links.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-link", tag = "users",
    params(("id" = i64, Path)),
    responses((status = 201, body = ResetLinkOut), (status = 403), (status = 404), (status = 409)))]
pub async fn reset_link(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let body = create_reset_link(&state, &caller, id).await?;
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
