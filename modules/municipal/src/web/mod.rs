//! The municipal pages, mounted at `/municipal`: the department portal (phones), the kitchen's
//! pages (menu editor, import, day plan, week overview, reports, order list, dishes) and the
//! admin pages (departments, diet defaults, resident schedules, site settings).

pub mod admin;
pub mod allergens;
pub mod dishes;
pub mod kitchen;
pub mod menus;
pub mod portal;

use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use galley_core::state::AppState;
use galley_core::web::assets::{Asset, respond};

/// The module's own scripts and styles, served at `/municipal/static/{name}`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "admin.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/admin.css"),
    },
    Asset {
        name: "kitchen.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/kitchen.css"),
    },
    Asset {
        name: "kitchen.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/kitchen.js"),
    },
    Asset {
        name: "portal.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/portal.css"),
    },
    Asset {
        name: "portal.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/portal.js"),
    },
    Asset {
        name: "menus.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/menus.css"),
    },
    Asset {
        name: "dishes.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/dishes.css"),
    },
    Asset {
        name: "editor.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/editor.js"),
    },
    Asset {
        name: "dishes.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/dishes.js"),
    },
];

pub fn router() -> Router<AppState> {
    Router::new()
        // Signed-in people go straight to their work; strangers see the landing page.
        .merge(
            galley_core::web::module_landing(&crate::Municipal)
                .route_layer(axum::middleware::from_fn(kitchen::role_aware_start)),
        )
        .route("/static/{name}", get(asset))
        .merge(portal::router())
        .merge(kitchen::router())
        .merge(admin::router())
        .merge(menus::router())
        .merge(dishes::router())
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    respond(ASSETS, &name, &headers)
}
