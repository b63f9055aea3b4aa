//! Gives every error response its proper body: problem+json on the API, an HTML page
//! elsewhere. Errors made by the router (404, 405), by layers (413), by axum's extractors
//! (a path id that does not parse: text/plain) or by the module gate come out of here in the
//! same shape as those made by handlers, and a page handler that answered with a problem
//! document gets the error page instead.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::{Problem, ProblemType};
use crate::state::AppState;
use crate::web::{Page, error_page};

pub async fn fill_error_bodies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let wants_problem = is_api_path(request.uri().path());
    let uri = request.uri().clone();
    // An error page only needs the language hints; copy those, not every header.
    let headers = language_hints(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || !needs_new_body(wants_problem, uri.path(), response.headers())
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut replacement = if wants_problem {
        let detail = rejection_text(status, &parts.headers, body)
            .await
            .unwrap_or_else(|| detail_for(status).to_owned());
        Problem::new(ProblemType::for_status(status), detail).into_response()
    } else {
        error_page(Page::new(&state, &uri, &headers, None), status)
    };
    // Keep headers such as `Allow` (405) and `Retry-After`; the body and its type are new.
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in replacement.headers_mut().drain() {
        if let Some(name) = name {
            parts.headers.insert(name, value);
        }
    }
    *replacement.status_mut() = status;
    let (_, body) = replacement.into_parts();
    Response::from_parts(parts, body)
}

/// An API error that is not already a problem document, or a page error that is not HTML.
/// The operational endpoints answer machines, in the types their documentation states.
fn needs_new_body(wants_problem: bool, path: &str, headers: &axum::http::HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let content_type = content_type.to_str().unwrap_or_default();
    if wants_problem {
        !content_type.starts_with(super::problem::CONTENT_TYPE)
    } else {
        !content_type.starts_with("text/html") && !is_machine_path(path)
    }
}

fn is_machine_path(path: &str) -> bool {
    matches!(path, "/health" | "/ready" | "/metrics" | "/csp-report")
}

/// The words of a plain-text rejection (axum's "Cannot parse `x` to a `i64`"), kept as the
/// problem's detail for the client errors where they say what was wrong with the request.
async fn rejection_text(
    status: StatusCode,
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Option<String> {
    let is_text = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !is_text || !matches!(status.as_u16(), 400 | 422) {
        return None;
    }
    let bytes = axum::body::to_bytes(body, REJECTION_TEXT_LIMIT)
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Rejection messages are one line; a longer body is not one of them.
const REJECTION_TEXT_LIMIT: usize = 1024;

fn language_hints(headers: &axum::http::HeaderMap) -> axum::http::HeaderMap {
    let mut hints = axum::http::HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in headers.get_all(&name) {
            hints.append(name.clone(), value.clone());
        }
    }
    hints
}

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn detail_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "There is nothing at this address.",
        StatusCode::METHOD_NOT_ALLOWED => {
            "This resource does not accept that method; see the Allow header."
        }
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is larger than the configured limit.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "The request body has a media type this resource does not accept."
        }
        s if s.is_server_error() => "Something went wrong on our side.",
        _ => "The request could not be handled.",
    }
}
