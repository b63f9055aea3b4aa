//! RFC 7807 problem details: the one error shape of the JSON API.
//!
//! Every problem type is listed in [`ProblemType`]; `docs/problems.md` documents the same list
//! and a test keeps the two in step.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// The registry of problem types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    BadRequest,
    Unauthenticated,
    Forbidden,
    CsrfFailed,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Conflict,
    LastAdmin,
    ImpersonatedToken,
    CrossSiteSignIn,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
    TooManyRequests,
    NotReady,
    Internal,
}

impl ProblemType {
    pub const ALL: [ProblemType; 18] = [
        ProblemType::BadRequest,
        ProblemType::Unauthenticated,
        ProblemType::Forbidden,
        ProblemType::CsrfFailed,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::PayloadTooLarge,
        ProblemType::UnsupportedMediaType,
        ProblemType::Conflict,
        ProblemType::LastAdmin,
        ProblemType::ImpersonatedToken,
        ProblemType::CrossSiteSignIn,
        ProblemType::PreconditionFailed,
        ProblemType::PreconditionRequired,
        ProblemType::ValidationFailed,
        ProblemType::TooManyRequests,
        ProblemType::NotReady,
        ProblemType::Internal,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::BadRequest => "bad-request",
            ProblemType::Unauthenticated => "unauthenticated",
            ProblemType::Forbidden => "forbidden",
            ProblemType::CsrfFailed => "csrf-failed",
            ProblemType::NotFound => "not-found",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::UnsupportedMediaType => "unsupported-media-type",
            ProblemType::Conflict => "conflict",
            ProblemType::LastAdmin => "last-admin",
            ProblemType::ImpersonatedToken => "token-while-impersonating",
            ProblemType::CrossSiteSignIn => "cross-site-sign-in",
            ProblemType::PreconditionFailed => "precondition-failed",
            ProblemType::PreconditionRequired => "precondition-required",
            ProblemType::ValidationFailed => "validation-failed",
            ProblemType::TooManyRequests => "too-many-requests",
            ProblemType::NotReady => "not-ready",
            ProblemType::Internal => "internal",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemType::BadRequest => "The request could not be read",
            ProblemType::Unauthenticated => "Sign-in required",
            ProblemType::Forbidden => "Not allowed",
            ProblemType::CsrfFailed => "Missing or wrong CSRF token",
            ProblemType::NotFound => "Not found",
            ProblemType::MethodNotAllowed => "Method not allowed",
            ProblemType::PayloadTooLarge => "Request body too large",
            ProblemType::UnsupportedMediaType => "Unsupported media type",
            ProblemType::Conflict => "Conflict",
            ProblemType::LastAdmin => "The tenant's last admin",
            ProblemType::ImpersonatedToken => "No API tokens while impersonating",
            ProblemType::CrossSiteSignIn => "Sign-in from another site",
            ProblemType::PreconditionFailed => "Changed by someone else",
            ProblemType::PreconditionRequired => "If-Match required",
            ProblemType::ValidationFailed => "Validation failed",
            ProblemType::TooManyRequests => "Too many requests",
            ProblemType::NotReady => "Service not ready",
            ProblemType::Internal => "Internal error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemType::BadRequest => StatusCode::BAD_REQUEST,
            ProblemType::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemType::Forbidden
            | ProblemType::CsrfFailed
            | ProblemType::ImpersonatedToken
            | ProblemType::CrossSiteSignIn => StatusCode::FORBIDDEN,
            ProblemType::NotFound => StatusCode::NOT_FOUND,
            ProblemType::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::Conflict | ProblemType::LastAdmin => StatusCode::CONFLICT,
            ProblemType::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ProblemType::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ProblemType::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ProblemType::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `type` URI: a path on this service, documented in `docs/problems.md`.
    pub fn uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    /// The problem type a bare error status maps to, for responses made by layers and the
    /// router rather than by handlers.
    pub fn for_status(status: StatusCode) -> ProblemType {
        match status {
            StatusCode::UNAUTHORIZED => ProblemType::Unauthenticated,
            StatusCode::FORBIDDEN => ProblemType::Forbidden,
            StatusCode::NOT_FOUND => ProblemType::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => ProblemType::ValidationFailed,
            StatusCode::SERVICE_UNAVAILABLE => ProblemType::NotReady,
            StatusCode::TOO_MANY_REQUESTS => ProblemType::TooManyRequests,
            StatusCode::CONFLICT => ProblemType::Conflict,
            StatusCode::PRECONDITION_FAILED => ProblemType::PreconditionFailed,
            StatusCode::PRECONDITION_REQUIRED => ProblemType::PreconditionRequired,
            s if s.is_server_error() => ProblemType::Internal,
            _ => ProblemType::BadRequest,
        }
    }
}

/// The registry as documented (`docs/problems.md`), served where the `type` URIs point, so a
/// client following one reads what it means.
const REGISTRY_TEXT: &str = include_str!("../../../docs/problems.md");

/// `GET /problems` and `GET /problems/{slug}`: the documented registry as plain text.
pub async fn registry_page(slug: Option<axum::extract::Path<String>>) -> Response {
    let known = slug.is_none_or(|axum::extract::Path(slug)| {
        ProblemType::ALL.iter().any(|kind| kind.slug() == slug)
    });
    if !known {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        REGISTRY_TEXT,
    )
        .into_response()
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `items[2].dish_id`; empty for the body as a whole.
    pub field: String,
    /// Why it was refused, in words.
    pub reason: String,
}

/// A problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The resource's current ETag (412), so the client can re-read and retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_etag: Option<String>,
    /// Seconds to wait before trying again (429); also sent as `Retry-After`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            type_uri: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            request_id: super::request_id::current(),
            incident_id: None,
            errors: Vec::new(),
            current_etag: None,
            retry_after: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if let Some(etag) = self
            .current_etag
            .as_deref()
            .and_then(|e| HeaderValue::from_str(e).ok())
        {
            response.headers_mut().insert(header::ETAG, etag);
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
