use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::{Extension, response::IntoResponse};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa_swagger_ui::SwaggerUi;

use super::gate::{Gate, gate};
use super::json::BodyLimit;
use super::security::{self, SecurityHeaders};
use super::{client_ip, db_failure, error_pages, health, modules, observe, rate_limit, text_input};
use crate::state::AppState;

/// The whole service: platform routes, every linked module behind its gate, and the layers
/// every response passes through.
pub fn build_router(state: AppState) -> Router {
    super::metrics::handle();
    let limit = state.settings.body_limit_bytes;
    let mut router = Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route(
            "/csp-report",
            axum::routing::post(super::csp_report::receive),
        )
        .route("/problems", get(super::problem::registry_page))
        .route("/problems/{slug}", get(super::problem::registry_page))
        .nest("/api/v1/auth", crate::auth::api::router())
        .nest(
            "/api/v1/auth/impersonation",
            crate::auth::impersonation::router(),
        )
        .nest("/api/v1", crate::people::api::router())
        .nest("/api/v1/audit", crate::audit::api::router())
        .nest("/api/v1/modules", crate::flags::api::router())
        .nest("/api/v1/dishes", crate::kitchen::api::router())
        .nest(
            "/api/v1/sites/{site_id}/diet-types",
            crate::kitchen::diet_api::router(),
        )
        .nest(
            "/api/v1/sites/{site_id}/menus",
            crate::kitchen::menu_api::router(),
        )
        .nest("/api/v1/recipes", crate::kitchen::recipe_api::router())
        .merge(crate::web::router())
        .merge(
            SwaggerUi::new("/api/docs")
                // Built here and owned by the route alone: a second copy in the state cost
                // megabytes that nothing read.
                .url(
                    "/api/v1/openapi.json",
                    crate::http::openapi::document(state.registry),
                )
                // The base layout has no top bar, whose logo injects an inline style the CSP
                // forbids.
                .config(utoipa_swagger_ui::Config::default().use_base_layout()),
        );

    for module in state.registry.modules() {
        let id = module.id();
        let module_gate = from_fn_with_state(
            Gate {
                module_id: id,
                flags: state.flags.clone(),
            },
            gate,
        );
        let api = modules::descriptor_router(*module)
            .merge(module.api_router())
            .route_layer(module_gate.clone());
        router = router.nest(&format!("/api/v1/{id}"), api);
        let platform = module.platform_routes();
        if platform.has_routes() {
            router = router.merge(platform.route_layer(module_gate.clone()));
        }
        let html = module.html_router();
        if html.has_routes() {
            router = router.nest(&format!("/{id}"), html.route_layer(module_gate));
        }
    }

    router
        .route_layer(from_fn(observe::remember_route))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state.clone())
        // Innermost: what a write changed reaches this instance's ready answers after its
        // handler (and so its commit), before the answer leaves.
        .layer(from_fn_with_state(
            state.answers.clone(),
            crate::answers::pending::apply_after_handler,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(observe::observe))
                .layer(Extension(BodyLimit(limit)))
                .layer(tower::util::option_layer(cors(
                    &state.settings.cors_origins,
                )))
                .layer(from_fn_with_state(
                    client_ip::TrustedProxies(std::sync::Arc::new(
                        state.settings.trusted_proxies.clone(),
                    )),
                    client_ip::attach,
                ))
                .layer(from_fn_with_state(
                    state.limits.clone(),
                    rate_limit::per_address,
                ))
                .layer(CatchPanicLayer::custom(
                    |_: Box<dyn std::any::Any + Send>| {
                        super::error::internal("a handler panicked").into_response()
                    },
                ))
                .layer(from_fn_with_state(
                    SecurityHeaders::for_env(state.settings.env),
                    security::add_headers,
                ))
                .layer(from_fn_with_state(
                    state.clone(),
                    error_pages::fill_error_bodies,
                ))
                .layer(from_fn(db_failure::recover))
                .layer(from_fn(crate::web::lang::remember_choice))
                .layer(from_fn_with_state(
                    state.clone(),
                    crate::auth::layer::authenticate,
                ))
                .layer(from_fn_with_state(
                    state.limits.clone(),
                    rate_limit::writes_per_caller,
                ))
                // Reads JSON and form bodies (up to the body limit) to look at their text.
                .layer(from_fn(text_input::reject_control_characters))
                .layer(RequestBodyLimitLayer::new(limit))
                .layer(DefaultBodyLimit::max(limit)),
        )
}

/// CORS stays off unless `GALLEY_CORS_ORIGINS` lists origins; then those origins may call the
/// API with bearer tokens (no cookies cross-origin).
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::LOCATION,
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(std::time::Duration::from_secs(600));
    Some(layer)
}
