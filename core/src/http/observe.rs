//! The outermost layer: request id, the request's span, one access-log line and the request
//! metrics, all keyed by the route template rather than the raw path.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::request_id;

/// The route template of a request, as the router matched it.
#[derive(Debug, Clone)]
pub struct RouteTemplate(pub String);

pub async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id::from_headers(request.headers());
    let method = request.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = tracing::field::Empty,
        impersonator_id = tracing::field::Empty,
    );

    let mut response =
        request_id::scope(id.clone(), next.run(request).instrument(span.clone())).await;

    let route = response
        .extensions()
        .get::<RouteTemplate>()
        .map_or("unmatched", |r| r.0.as_str())
        .to_owned();
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    span.record("route", route.as_str());
    span.in_scope(|| {
        // Method, route and request id are fields of the span this line is logged in.
        tracing::info!(
            target: "galley::access",
            status,
            latency_ms = (elapsed.as_secs_f64() * 100_000.0).round() / 100.0,
            "request"
        );
    });
    super::metrics::record_request(method.as_str(), &route, status, elapsed);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(request_id::HEADER, value);
    }
    response
}

/// Copies the matched route template into the response, where [`observe`] can read it.
/// Runs as a route layer, so it sees the path the router actually matched.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(template) = template {
        response.extensions_mut().insert(RouteTemplate(template));
    }
    response
}
