//! What a console form needs from an operation's result: field errors to show next to the
//! fields, or a message for the whole form.

use std::collections::BTreeMap;

use crate::http::AppError;

/// Errors by field name, in words, as the operation reported them.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub fields: BTreeMap<String, String>,
    /// A problem with the form as a whole (a conflict, a stale version).
    pub general: Option<String>,
}

impl FormErrors {
    /// The error for `field`, for `{% if let Some(e) = errors.get("name") %}`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// 200 for a clean form, 422 for one shown again with errors.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// An operation's result as a form sees it.
pub enum Outcome<T> {
    Done(T),
    /// Show the form again with these errors and what was typed.
    Invalid(FormErrors),
    /// Anything else (404, 403, 500): answered like the API would, as a page.
    Failed(AppError),
}

impl<T> From<Result<T, AppError>> for Outcome<T> {
    fn from(result: Result<T, AppError>) -> Self {
        match result {
            Ok(value) => Outcome::Done(value),
            Err(AppError::Validation(errors)) => Outcome::Invalid(FormErrors {
                fields: errors.into_iter().map(|e| (e.field, e.reason)).collect(),
                general: None,
            }),
            Err(AppError::Conflict(detail)) => Outcome::Invalid(FormErrors {
                fields: BTreeMap::new(),
                general: Some(detail),
            }),
            Err(AppError::LastAdmin) => Outcome::Invalid(FormErrors {
                fields: BTreeMap::new(),
                general: Some("admin_users.error_last_admin".into()),
            }),
            Err(AppError::PreconditionFailed { .. } | AppError::PreconditionRequired) => {
                Outcome::Invalid(FormErrors {
                    fields: BTreeMap::new(),
                    general: Some("admin.stale".into()),
                })
            }
            Err(other) => Outcome::Failed(other),
        }
    }
}
