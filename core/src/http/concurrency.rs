//! Optimistic concurrency: strong, version-based ETags on every editable resource; writes
//! need `If-Match` (missing: 428, stale: 412 with the current ETag); reads honour
//! `If-None-Match` (304).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;

/// The strong ETag of one version of one resource.
pub fn etag(kind: &str, id: i64, version: i64) -> String {
    format!("\"{kind}-{id}-v{version}\"")
}

/// Checks `If-Match` against the resource's current ETag before a write.
pub fn require_if_match(headers: &HeaderMap, current: &str) -> Result<(), AppError> {
    check_precondition(if_match(headers), current)
}

/// The `If-Match` a request sent, if any.
pub fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// The precondition check itself, for the API's header and for forms' hidden field alike.
pub fn check_precondition(sent: Option<&str>, current: &str) -> Result<(), AppError> {
    let Some(sent) = sent else {
        return Err(AppError::PreconditionRequired);
    };
    let matches = sent
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed {
            current_etag: current.to_owned(),
        })
    }
}

/// A JSON representation with its ETag, or 304 when the client already has it.
pub fn with_etag<T: serde::Serialize>(headers: &HeaderMap, etag: String, body: &T) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| {
            sent.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        axum::Json(body).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `201 Created` with the new resource and its ETag.
pub fn created<T: serde::Serialize>(etag: &str, body: &T) -> Response {
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_if_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, value.parse().unwrap());
        headers
    }

    #[test]
    fn if_match_is_required_and_must_be_current() {
        let current = etag("site", 7, 3);
        assert!(matches!(
            require_if_match(&HeaderMap::new(), &current),
            Err(AppError::PreconditionRequired)
        ));
        assert!(matches!(
            require_if_match(&with_if_match(&etag("site", 7, 2)), &current),
            Err(AppError::PreconditionFailed { current_etag }) if current_etag == current
        ));
        assert!(require_if_match(&with_if_match(&current), &current).is_ok());
        assert!(require_if_match(&with_if_match("*"), &current).is_ok());
    }
}
