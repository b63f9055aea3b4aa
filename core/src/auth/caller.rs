use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::Role;
use crate::audit::Actor;
use crate::http::AppError;

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session {
        token_hash: String,
        csrf_token: String,
    },
    ApiToken {
        token_id: i64,
    },
}

/// The authenticated caller of a request. Handlers take it as an extractor: a request without
/// valid credentials is answered 401 before the handler runs.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in user; `None` for an API token.
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub role: Role,
    /// The tenant every query of this request is confined to; `None` only for a superuser
    /// outside impersonation.
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
    pub credential: Credential,
    /// The superuser acting inside a tenant, while impersonating.
    pub impersonator_id: Option<i64>,
    /// When the impersonation ends: nothing made during it may work longer.
    pub impersonation_until: Option<chrono::NaiveDateTime>,
    /// The language the person chose, else their site's; none for an API token.
    pub language: Option<crate::web::lang::Lang>,
}

impl Caller {
    /// Refuses the request unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            let hint = if self.role == Role::Superuser {
                "; superusers work inside a tenant only while impersonating one"
            } else {
                ""
            };
            Err(AppError::Forbidden(format!(
                "this needs the role {}; you are {}{hint}",
                names.join(" or "),
                self.role.as_str()
            )))
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            token_id: match self.credential {
                Credential::ApiToken { token_id } => Some(token_id),
                Credential::Session { .. } => None,
            },
            impersonator_id: self.impersonator_id,
        }
    }

    /// Whose module switches apply to this caller.
    pub fn flag_scope(&self) -> crate::flags::Scope {
        crate::flags::Scope {
            tenant_id: self.tenant_id,
            site_id: self.site_id,
        }
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::ApiToken { .. } => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(AppError::Unauthenticated(
                "Sign in first, or send an API token as Authorization: Bearer TOKEN.",
            ))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Caller>().cloned())
    }
}

/// The number called `name` in the request's path and the authenticated caller: what an
/// extractor scoping a route to one object needs before the body is read. A path whose id is
/// not a number is as unknown as a missing object (404).
pub async fn path_id_and_caller<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<(i64, Caller), AppError> {
    type Params = axum::extract::Path<std::collections::HashMap<String, String>>;
    let axum::extract::Path(params) =
        <Params as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
    let id = params
        .get(name)
        .and_then(|raw| raw.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    let caller = <Caller as FromRequestParts<S>>::from_request_parts(parts, state).await?;
    Ok((id, caller))
}

/// A set of roles a route admits, named once and used as a type.
pub trait RoleSet: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// The caller, admitted by the route's role set. As an extractor of the request's parts it runs
/// before the body is read, so a refused role gets 403 whatever it sent.
#[derive(Debug, Clone)]
pub struct Allowed<R: RoleSet>(pub Caller, pub std::marker::PhantomData<R>);

impl<S: Send + Sync, R: RoleSet> FromRequestParts<S> for Allowed<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = <Caller as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        caller.require(R::ROLES)?;
        Ok(Allowed(caller, std::marker::PhantomData))
    }
}

/// Declares a role set type: `role_set!(Admins = [Role::Admin]);`.
#[macro_export]
macro_rules! role_set {
    ($(#[$doc:meta])* $name:ident = [$($role:expr),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl $crate::auth::RoleSet for $name {
            const ROLES: &'static [$crate::auth::Role] = &[$($role),+];
        }
    };
}
