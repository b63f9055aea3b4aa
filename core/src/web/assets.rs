//! Static assets, embedded in the binary and served with a content-derived ETag.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// A file compiled into the binary. Modules serve their own through [`respond`].
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

const ASSETS: [Asset; 4] = [
    Asset {
        name: "galley.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../static/galley.css"),
    },
    // The tab and home-screen icon: one vector file serves every size.
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_str!("../../static/favicon.svg"),
    },
    Asset {
        name: "manifest.webmanifest",
        content_type: "application/manifest+json",
        body: include_str!("../../static/manifest.webmanifest"),
    },
    // Sign in again in place when a save is answered 401 (the pages' own scripts call it).
    Asset {
        name: "reauth.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../static/reauth.js"),
    },
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(serve))
        // Browsers ask for this path whatever the page links to.
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/static/favicon.svg") }),
        )
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    respond(&ASSETS, &name, &headers)
}

/// Serves `name` from `assets` with a content-derived ETag and an hour of caching; 404 for a
/// name that is not among them.
pub fn respond(assets: &[Asset], name: &str, headers: &HeaderMap) -> Response {
    let Some(asset) = assets.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{:016x}\"", fnv1a(asset.body.as_bytes()));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600, must-revalidate"),
    );
    response
}

/// A stable fingerprint of the asset; not security-relevant, only a cache validator.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
