//! A module that exists only in tests, to drive the platform's request handling (JSON
//! bodies, limits, panics, internal errors) through the real module system.

use axum::Router;
use axum::routing::{get, post};
use galley_core::http::{ApiJson, AppError};
use galley_core::module::{Module, Registry};
use galley_core::state::AppState;

pub struct Probe;

#[derive(Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Echo {
    name: String,
    portions: u32,
}

impl Module for Probe {
    fn id(&self) -> &'static str {
        "probe"
    }
    fn title(&self) -> &'static str {
        "Probe"
    }
    fn version(&self) -> &'static str {
        "0.0.1"
    }
    fn api_router(&self) -> Router<AppState> {
        Router::new()
            .route(
                "/echo",
                post(|ApiJson(body): ApiJson<Echo>| async move { axum::Json(body) }),
            )
            .route(
                "/panic",
                get(|| async {
                    let items: Vec<u8> = Vec::new();
                    // Indexing out of bounds panics, like a bug in a handler would.
                    #[allow(clippy::indexing_slicing)]
                    let _ = items[usize::from(items.is_empty())];
                    "unreachable"
                }),
            )
            .route(
                "/items/{id}",
                get(|axum::extract::Path(id): axum::extract::Path<i64>| async move {
                    axum::Json(id)
                }),
            )
            .route(
                "/internal",
                get(|| async {
                    Err::<(), _>(AppError::Internal(
                        "connection to 10.1.2.3 refused: password authentication failed".into(),
                    ))
                }),
            )
    }
    fn html_router(&self) -> Router<AppState> {
        // A page handler that fails with the API's error type, as a careless one might.
        Router::new().route(
            "/missing",
            get(|| async { Err::<(), _>(AppError::NotFound) }),
        )
    }
}

static PROBE: Probe = Probe;

/// The linked modules plus the probe.
pub fn registry() -> &'static Registry {
    let mut modules: Vec<&'static dyn Module> = crate::registry().modules().to_vec();
    modules.push(&PROBE);
    Box::leak(Box::new(Registry::from_modules(modules).unwrap()))
}
