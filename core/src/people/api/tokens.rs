//! `/api/v1/tokens`: an admin's API tokens for integrations. The secret is shown once, in the
//! answer to `POST`; only its keyed hash and a short prefix are stored. Revoking is final:
//! revoking a revoked token is 409.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Admins, check_name, fail_if_any, tenant_of, utc};
use crate::audit::{self, Entry};
use crate::auth::{Allowed, Caller, Credential, Role, token};
use crate::http::pagination::{PageQuery, Paginated};
use crate::http::problem::FieldError;
use crate::http::{ApiJson, ApiQuery, AppError};
use crate::people::api_tokens::{self, ApiToken, NewToken, PREFIX_LEN};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).delete(revoke))
}

/// The scopes a token can carry; a token is judged as that role.
pub(crate) const GRANTABLE: [Role; 4] = [Role::Admin, Role::Cook, Role::Department, Role::Viewer];

/// The longest a token may live.
const MAX_LIFETIME: Months = Months::new(24);

/// An API token of your tenant (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub role: Role,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    /// The person who made it.
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    /// `null`: never expires.
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set once revoked; a revoked token is refused at once.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenOut {
    fn from(row: ApiToken) -> Result<Self, AppError> {
        let role = Role::parse(&row.role).ok_or_else(|| {
            AppError::Internal(format!(
                "API token {} has unknown role {}",
                row.id, row.role
            ))
        })?;
        Ok(TokenOut {
            id: row.id,
            tenant_id: row.tenant_id,
            name: row.name,
            role,
            prefix: row.token_prefix,
            created_by: row.created_by,
            created_at: utc(row.created_at),
            expires_at: row.expires_at.map(utc),
            last_used_at: row.last_used_at.map(utc),
            revoked_at: row.revoked_at.map(utc),
        })
    }
}

/// A new token: the secret, shown this once, and the stored record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer TOKEN`. It cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub record: TokenOut,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenIn {
    /// What the token is for, e.g. the integration's name (1 to 120 characters).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    #[schema(schema_with = crate::http::openapi_schema::grantable_role)]
    pub role: Role,
    /// RFC 3339, in the future and at most two years ahead; absent or `null`: never expires.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<String>,
}

/// Tokens are made by a person: `created_by` names them, and a token cannot mint another. An
/// impersonating superuser cannot make one either: it would outlive the impersonation.
fn person_of(caller: &Caller) -> Result<i64, AppError> {
    if caller.impersonator_id.is_some() {
        return Err(AppError::ImpersonatedToken);
    }
    match (&caller.credential, caller.user_id) {
        (Credential::Session { .. }, Some(id)) => Ok(id),
        _ => Err(AppError::Forbidden(
            "API tokens are made by a signed-in person, not by another API token".into(),
        )),
    }
}

fn check_expiry(text: Option<&str>, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let text = text?;
    let mut refuse = |reason: &str| {
        errors.push(FieldError {
            field: "expires_at".into(),
            reason: reason.into(),
        });
        None
    };
    let Ok(at) = DateTime::parse_from_rfc3339(text) else {
        return refuse("is not an RFC 3339 time such as 2027-06-30T12:00:00Z");
    };
    let at = at.with_timezone(&Utc);
    let now = Utc::now();
    if at <= now {
        return refuse("must be in the future");
    }
    if now
        .checked_add_months(MAX_LIFETIME)
        .is_none_or(|max| at > max)
    {
        return refuse("must be at most two years ahead");
    }
    Some(at)
}

/// The API tokens of your tenant, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(PageQuery),
    responses((status = 200, body = Paginated<TokenOut>)))]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let page = query.checked()?;
    let mut pooled = state.db.get().await?;
    let (items, total) =
        api_tokens::list(&mut pooled.conn(), tenant, page.offset(), page.limit()).await?;
    let items = items
        .into_iter()
        .map(TokenOut::from)
        .collect::<Result<_, _>>()?;
    Ok(axum::Json(Paginated::new(items, page, total)).into_response())
}

// The operations, shared by the JSON API and the admin pages.

/// Makes a token; returns its secret, to be shown this once, and the stored record.
pub(crate) async fn create_token(
    state: &AppState,
    caller: &Caller,
    body: &NewTokenIn,
) -> Result<(String, ApiToken), AppError> {
    let tenant = tenant_of(caller)?;
    let creator = person_of(caller)?;
    let mut errors = Vec::new();
    let name = check_name("name", &body.name, &mut errors);
    if !GRANTABLE.contains(&body.role) {
        errors.push(FieldError {
            field: "role".into(),
            reason: "must be admin, cook, department or viewer".into(),
        });
    }
    let expires_at = check_expiry(body.expires_at.as_deref(), &mut errors);
    fail_if_any(errors)?;

    let secret = token::generate();
    let hash = token::hash(&state.settings.secret_key, &secret);
    let prefix: String = secret.chars().take(PREFIX_LEN).collect();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = crate::transaction!(conn, |tx| {
        let id = api_tokens::insert(
            tx,
            &NewToken {
                tenant_id: tenant,
                name: &name,
                role: body.role,
                token_hash: &hash,
                token_prefix: &prefix,
                created_by: creator,
                expires_at: expires_at.map(|at| at.naive_utc()),
            },
        )
        .await?;
        audit::record(
            tx,
            Entry::new("token.created", caller.actor(), Some(tenant))
                .target("api_token", id)
                .details(json!({
                    "name": name,
                    "role": body.role,
                    "prefix": prefix,
                    "expires_at": expires_at,
                })),
        )
        .await?;
        api_tokens::find(tx, tenant, id)
            .await?
            .ok_or(crate::db::DbError::NotFound)
    })?;
    Ok((secret, row))
}

/// Make an API token for your tenant. The answer holds the secret (`token`) once; store it
/// then. Only signed-in admins can make tokens (an API token gets 403, and so does a superuser
/// impersonating the tenant: the token would outlive the impersonation).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewTokenIn,
    responses((status = 201, body = CreatedToken),
        (status = 403, description = "Made by an API token, or while impersonating (`/problems/token-while-impersonating`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    ApiJson(body): ApiJson<NewTokenIn>,
) -> Result<Response, AppError> {
    let (secret, row) = create_token(&state, &caller, &body).await?;
    let created = CreatedToken {
        token: secret,
        record: TokenOut::from(row)?,
    };
    let mut response = (StatusCode::CREATED, axum::Json(created)).into_response();
    // The secret must not linger in a cache on the way.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// One API token of your tenant (never its secret).
#[utoipa::path(get, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path)), responses((status = 200, body = TokenOut), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let row = api_tokens::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(TokenOut::from(row)?).into_response())
}

/// Revokes a token of the caller's tenant; revoking a revoked one is a conflict.
pub(crate) async fn revoke_token(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let row = api_tokens::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let revoked = crate::transaction!(conn, |tx| {
        if !api_tokens::revoke(tx, tenant, id).await? {
            return Ok::<_, AppError>(false);
        }
        audit::record(
            tx,
            Entry::new("token.revoked", caller.actor(), Some(tenant))
                .target("api_token", id)
                .details(json!({ "name": row.name, "prefix": row.token_prefix })),
        )
        .await?;
        Ok(true)
    })?;
    if revoked {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "API token {id} is already revoked"
        )))
    }
}

/// Revoke an API token: it is refused from the next request on. The record stays (with
/// `revoked_at`) for the audit trail; revoking it again is 409.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404), (status = 409)))]
pub async fn revoke(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    revoke_token(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
