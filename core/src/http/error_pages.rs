//! Gives every error response its proper body: problem+json on the API, an HTML page
//! elsewhere. Errors made by the router (404, 405), by layers (413), by axum's extractors
//! (a path id that does not parse: text/plain) or by the module gate come out of here in the
//! same shape as those made by handlers, and a page handler that answered with a problem
//! document gets the error page instead.
//!
//! Who gets which, by the request's `Accept` header (see [`wants_page`]):
//! - `Accept` names `text/html` (every browser navigating): an HTML page, on any path,
//!   `/api/...` included: a person never sees raw JSON.
//! - otherwise `Accept` names a JSON type (`application/json`, `application/problem+json`,
//!   `...+json`): a problem document, on any path.
//! - otherwise (no `Accept`, or `*/*`): a problem document under `/api/`, a page elsewhere.
//!
//! A browser's page request (GET or HEAD) that needs a sign-in is sent to the sign-in page
//! with `next` pointing back, instead of a 401 page. A 403 page names who is signed in; a
//! refused CSRF token (a form left open past its session) is worded as an expired form.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use askama::Template;
use axum::http::{HeaderMap, Method};
use axum::response::Redirect;

use super::problem::{Problem, ProblemType};
use crate::auth::Caller;
use crate::state::AppState;
use crate::web::{Page, error_page, render};

/// Marks the answer to a request refused for its CSRF token, so a person's page can say the
/// form expired rather than that they lack access.
#[derive(Debug, Clone, Copy)]
pub struct CsrfRejected;

#[derive(Template)]
#[template(path = "error_expired.html")]
struct ExpiredTemplate {
    page: Page,
    back: String,
    request_id: Option<String>,
}

pub async fn fill_error_bodies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let wants_problem = !wants_page(request.uri().path(), request.headers());
    let uri = request.uri().clone();
    let navigates =
        matches!(*request.method(), Method::GET | Method::HEAD) && names_html(request.headers());
    // An error page only needs the language hints and where the form was; copy those, not
    // every header.
    let headers = language_hints(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED && !wants_problem && navigates {
        return Redirect::to(&sign_in_then(&uri)).into_response();
    }
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
        let caller = parts.extensions.get::<Caller>();
        let page = Page::new(&state, &uri, &headers, caller);
        if parts.extensions.get::<CsrfRejected>().is_some() {
            expired_page(page, &headers)
        } else {
            error_page(page, status)
        }
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

/// Whether the error answer should be a page for a person rather than a problem document;
/// the rule is in this module's documentation.
pub fn wants_page(path: &str, headers: &HeaderMap) -> bool {
    if names_html(headers) {
        return true;
    }
    let names_json = accepted_types(headers)
        .iter()
        .any(|t| t == "application/json" || t.ends_with("+json"));
    !names_json && !is_api_path(path)
}

/// A browser navigating: its `Accept` names HTML.
fn names_html(headers: &HeaderMap) -> bool {
    accepted_types(headers)
        .iter()
        .any(|t| t == "text/html" || t == "application/xhtml+xml")
}

/// The media types `Accept` lists, lower-case and without parameters, leaving out refused
/// ones.
fn accepted_types(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter(|range| !refused(range))
        .map(|range| {
            range
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .collect()
}

/// A media range with `q=0` is one the client will not take.
fn refused(range: &str) -> bool {
    range.split(';').skip(1).any(|param| {
        param
            .trim()
            .strip_prefix("q=")
            .and_then(|q| q.trim().parse::<f32>().ok())
            .is_some_and(|q| q <= 0.0)
    })
}

/// The sign-in page, with the asked-for address (path and query) to come back to.
fn sign_in_then(uri: &axum::http::Uri) -> String {
    let back = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let escaped: String = back
        .chars()
        .map(|c| match c {
            '%' => "%25".to_owned(),
            '&' => "%26".to_owned(),
            '?' => "%3F".to_owned(),
            '#' => "%23".to_owned(),
            '=' => "%3D".to_owned(),
            '+' => "%2B".to_owned(),
            ' ' => "%20".to_owned(),
            c => c.to_string(),
        })
        .collect();
    format!("/login?next={escaped}")
}

/// The page for a form sent with a CSRF token its session no longer accepts: the form
/// expired; back to the page it came from (the `Referer`, when it is this site's) to reload.
fn expired_page(page: Page, headers: &HeaderMap) -> Response {
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.parse::<axum::http::Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    render(
        StatusCode::FORBIDDEN,
        &ExpiredTemplate {
            page,
            back,
            request_id: super::request_id::current(),
        },
    )
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

fn language_hints(headers: &HeaderMap) -> HeaderMap {
    let mut hints = HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE, header::REFERER] {
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
