//! The module gate: a disabled module answers exactly like an unknown path.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::flags::FlagService;

#[derive(Clone)]
pub struct Gate {
    pub module_id: &'static str,
    pub flags: FlagService,
}

/// A bare 404 becomes the same problem or page as any unknown path (see `error_pages`).
/// The caller's tenant and site decide: a module switched off for one tenant is a 404 for its
/// people while others use it.
pub async fn gate(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    let scope = request
        .extensions()
        .get::<crate::auth::Caller>()
        .map(crate::auth::Caller::flag_scope)
        .unwrap_or_default();
    if gate.flags.is_enabled_in(gate.module_id, scope) {
        next.run(request).await
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
