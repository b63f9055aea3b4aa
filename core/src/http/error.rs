//! The one error type of the HTTP layer, mapped once to problem+json.

use axum::response::{IntoResponse, Response};

use super::problem::{FieldError, Problem, ProblemType};
use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign-in required")]
    Unauthenticated(&'static str),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("missing or wrong CSRF token")]
    CsrfFailed,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the change would leave the tenant without an active admin")]
    LastAdmin,
    #[error("API tokens cannot be made while impersonating")]
    ImpersonatedToken,
    #[error("sign-in from another site")]
    CrossSiteSignIn,
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("stale If-Match; current ETag is {current_etag}")]
    PreconditionFailed { current_etag: String },
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("expected {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    NotReady(String),
    #[error("busy; retry after {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        AppError::Db(error.into())
    }
}

impl From<crate::file_work::FileWorkError> for AppError {
    fn from(error: crate::file_work::FileWorkError) -> Self {
        match error {
            crate::file_work::FileWorkError::Busy {
                retry_after_secs, ..
            } => AppError::Busy { retry_after_secs },
            crate::file_work::FileWorkError::Stopped(cause) => AppError::Internal(cause),
        }
    }
}

impl AppError {
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            reason: reason.into(),
        }])
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let problem = match self {
            AppError::BadRequest(detail) => Problem::new(ProblemType::BadRequest, detail),
            AppError::Unauthenticated(detail) => Problem::new(ProblemType::Unauthenticated, detail),
            AppError::Forbidden(detail) => Problem::new(ProblemType::Forbidden, detail),
            AppError::CsrfFailed => {
                let mut response = Problem::new(
                    ProblemType::CsrfFailed,
                    "Send the session's CSRF token (from GET /api/v1/auth/me) in the X-CSRF-Token \
                     header or the csrf_token form field.",
                )
                .into_response();
                // A person's form that expired is not a lack of access: the page says so.
                response
                    .extensions_mut()
                    .insert(super::error_pages::CsrfRejected);
                return response;
            }
            AppError::Conflict(detail) => Problem::new(ProblemType::Conflict, detail),
            AppError::LastAdmin => Problem::new(
                ProblemType::LastAdmin,
                "The tenant would be left without an active admin. Make someone else an admin \
                 first; nothing was changed.",
            ),
            AppError::ImpersonatedToken => Problem::new(
                ProblemType::ImpersonatedToken,
                "API tokens cannot be made while impersonating: a token would outlive the \
                 impersonation. Ask an admin of the tenant to make it.",
            ),
            AppError::CrossSiteSignIn => Problem::new(
                ProblemType::CrossSiteSignIn,
                "Sign-in is only accepted from this site's own sign-in form.",
            ),
            AppError::PreconditionRequired => Problem::new(
                ProblemType::PreconditionRequired,
                "Send If-Match with the ETag you last read, so a change made meanwhile is not overwritten.",
            ),
            AppError::PreconditionFailed { current_etag } => {
                let mut problem = Problem::new(
                    ProblemType::PreconditionFailed,
                    "Someone changed this since you read it. Read it again (current ETag below) and retry.",
                );
                problem.current_etag = Some(current_etag);
                problem
            }
            AppError::Db(DbError::Unique(_)) => Problem::new(
                ProblemType::Conflict,
                "That would duplicate something that must be unique.",
            ),
            AppError::TooManyRequests { retry_after_secs } => {
                let mut problem = Problem::new(
                    ProblemType::TooManyRequests,
                    format!("Too many attempts. Try again in {retry_after_secs} seconds."),
                );
                problem.retry_after = Some(retry_after_secs);
                problem
            }
            AppError::NotFound | AppError::Db(DbError::NotFound) => {
                Problem::new(ProblemType::NotFound, "There is nothing at this address.")
            }
            AppError::PayloadTooLarge { limit } => Problem::new(
                ProblemType::PayloadTooLarge,
                format!("The request body is larger than the limit of {limit} bytes."),
            ),
            AppError::UnsupportedMediaType { expected } => Problem::new(
                ProblemType::UnsupportedMediaType,
                format!("Send the body as {expected}."),
            ),
            AppError::Validation(errors) => {
                let mut problem = Problem::new(
                    ProblemType::ValidationFailed,
                    match errors.len() {
                        1 => "One field is not valid.".to_owned(),
                        n => format!("{n} fields are not valid."),
                    },
                );
                problem.errors = errors;
                problem
            }
            AppError::NotReady(reason) => Problem::new(ProblemType::NotReady, reason),
            AppError::Busy { retry_after_secs } => {
                let mut problem = Problem::new(
                    ProblemType::NotReady,
                    format!(
                        "The server is busy with other files right now. Try again in \
                         {retry_after_secs} seconds."
                    ),
                );
                problem.retry_after = Some(retry_after_secs);
                problem
            }
            AppError::Db(DbError::Unavailable(reason)) => {
                tracing::error!(%reason, "database unavailable");
                let mut problem = Problem::new(
                    ProblemType::NotReady,
                    "The database is not reachable right now; try again shortly.",
                );
                problem.retry_after = Some(DATABASE_RETRY_AFTER_SECS);
                return database_failure(problem.into_response());
            }
            AppError::Db(error) => return database_failure(internal(&error.to_string())),
            AppError::Internal(error) => return internal(&error),
        };
        problem.into_response()
    }
}

/// How long a client should wait after the database was unavailable: a restart or failover
/// takes seconds.
const DATABASE_RETRY_AFTER_SECS: u64 = 2;

/// Marks an answer that a database error made, so [`super::db_failure::recover`] can tell a
/// lost connection from a failed statement.
fn database_failure(mut response: Response) -> Response {
    response
        .extensions_mut()
        .insert(super::db_failure::DatabaseFailure);
    response
}

/// A 500 that tells the caller an incident id and nothing else; the log has the cause.
pub fn internal(cause: &str) -> Response {
    let incident = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(incident_id = %incident, cause, "internal error");
    let mut problem = Problem::new(
        ProblemType::Internal,
        format!("Something went wrong on our side. Quote incident {incident} when reporting it."),
    );
    problem.incident_id = Some(incident);
    problem.into_response()
}
