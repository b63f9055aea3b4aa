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
}

impl Caller {
    /// Refuses the request unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(AppError::Forbidden(format!(
                "this needs the role {}; you are {}",
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
