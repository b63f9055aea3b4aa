//! (being written)

use axum::Router;
use galley_core::state::AppState;
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new()
}

#[derive(OpenApi)]
#[openapi()]
pub struct ImportApi;
