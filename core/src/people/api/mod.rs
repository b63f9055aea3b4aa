//! The people API: `/api/v1/tenants` (superusers), `/api/v1/sites`, `/api/v1/users` and
//! `/api/v1/tokens` (admins, within their own tenant). Every query is confined to the caller's
//! tenant, so an id of another tenant's object is a 404 like any unknown id.

pub(crate) mod sites;
pub(crate) mod tenants;
pub(crate) mod tokens;
pub(crate) mod users;

use axum::Router;
use chrono::{DateTime, NaiveDateTime, Utc};
use utoipa::OpenApi;

use crate::auth::{Caller, Role};
use crate::http::AppError;
use crate::http::problem::FieldError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/tenants", tenants::router())
        .nest("/sites", sites::router())
        .nest("/users", users::router())
        .nest("/tokens", tokens::router())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        tenants::list, tenants::create, tenants::read, tenants::update, tenants::delete,
        sites::list, sites::create, sites::read, sites::update, sites::delete,
        users::list, users::create, users::read, users::update, users::delete,
        users::reset_link,
        tokens::list, tokens::create, tokens::read, tokens::revoke,
    ),
    tags(
        (name = "tenants", description = "Customer organisations (superusers)"),
        (name = "sites", description = "Kitchens of the caller's tenant"),
        (name = "users", description = "People of the caller's tenant (admins)"),
        (name = "tokens", description = "API tokens of the caller's tenant (admins)"),
    )
)]
pub struct PeopleApi;

/// The tenant a tenant-scoped request works in. Superusers reach tenants' data only through
/// impersonation, which gives their session a tenant.
pub fn tenant_of(caller: &Caller) -> Result<i64, AppError> {
    caller.tenant_id.ok_or_else(|| {
        AppError::Forbidden("superusers work inside a tenant only while impersonating one".into())
    })
}

crate::role_set!(
    /// A tenant's administrators.
    Admins = [Role::Admin]
);
crate::role_set!(
    /// Whoever may see a tenant's sites.
    SiteReaders = [Role::Admin, Role::Cook, Role::Viewer]
);
crate::role_set!(
    /// The platform's operators.
    Superusers = [Role::Superuser]
);

/// Stored times are naive UTC; the API says so.
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}

/// The longest name (of a site, tenant, person, token or department), in characters after
/// trimming. Request schemas state it as a literal (the derive takes no constants); the
/// OpenAPI test holds them to this.
pub const MAX_NAME: usize = 120;

/// A trimmed, non-empty name of at most [`MAX_NAME`] characters.
pub fn check_name(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let trimmed = value.trim().to_owned();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME {
        errors.push(FieldError {
            field: field.into(),
            reason: format!("must be 1 to {MAX_NAME} characters"),
        });
    }
    trimmed
}

pub fn check_timezone(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    if value.parse::<chrono_tz::Tz>().is_err() {
        errors.push(FieldError {
            field: field.into(),
            reason: "is not an IANA time zone such as Europe/Stockholm".into(),
        });
    }
}

pub fn fail_if_any(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The write lost a race with another one after its If-Match check passed.
pub fn changed_meanwhile(current_etag: String) -> AppError {
    AppError::PreconditionFailed { current_etag }
}
