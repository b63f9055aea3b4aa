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
pub async fn gate(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    if gate.flags.is_enabled(gate.module_id) {
        next.run(request).await
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
