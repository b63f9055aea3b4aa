//! Gives every bare error response its proper body: problem+json on the API, an HTML page
//! elsewhere. Errors made by the router (404, 405), by layers (413) or by the module gate come
//! out of here in the same shape as those made by handlers.

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
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut replacement = if wants_problem {
        Problem::new(ProblemType::for_status(status), detail_for(status)).into_response()
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
