//! `/municipal` for a signed-in person: straight to their work. Department staff go to their
//! portal, kitchen roles to today's plan; strangers (and a superuser outside any tenant) still
//! see the module's landing page.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use galley_core::auth::{Caller, Role};

/// Middleware for the module's landing route.
pub async fn role_aware_start(request: Request, next: Next) -> Response {
    let target = request
        .extensions()
        .get::<Caller>()
        .filter(|caller| caller.tenant_id.is_some())
        .and_then(|caller| match caller.role {
            Role::Department => Some("/municipal/portal"),
            Role::Admin | Role::Cook | Role::Viewer => Some("/municipal/kitchen/plan"),
            Role::Superuser => None,
        });
    match target {
        Some(path) => Redirect::to(path).into_response(),
        None => next.run(request).await,
    }
}
