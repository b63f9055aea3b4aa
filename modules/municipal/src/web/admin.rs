//! (being written)

use axum::Router;
use galley_core::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
