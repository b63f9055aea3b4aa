//! The JSON body extractor of the API: one place that turns bad bodies into problems.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use super::error::AppError;
use super::problem::FieldError;

/// Like `axum::Json`, but every rejection is a problem: 415 for a body that is not JSON,
/// 413 over the limit, 400 for malformed JSON, 422 naming the field for a well-formed body
/// with wrong or unknown fields (request types use `#[serde(deny_unknown_fields)]`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType {
                expected: "application/json",
            });
        }
        let limit = request
            .extensions()
            .get::<BodyLimit>()
            .map_or(usize::MAX, |l| l.0);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge { limit }
                } else {
                    AppError::BadRequest(rejection.body_text())
                }
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// The configured body limit, put into request extensions so rejections can name it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => AppError::Validation(vec![FieldError {
                field: if field == "." { String::new() } else { field },
                reason: strip_position(&inner.to_string()),
            }]),
            _ => AppError::BadRequest(format!("The body is not valid JSON: {inner}")),
        }
    })
}

/// serde_json appends "at line 1 column 17": useful for syntax errors, noise for a field.
fn strip_position(message: &str) -> String {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: u32,
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        let err = parse::<Body>(br#"{"name":"x","count":-1}"#).unwrap_err();
        let AppError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        assert_eq!(errors[0].field, "count");
        assert!(
            errors[0].reason.contains("invalid value"),
            "{}",
            errors[0].reason
        );
    }

    #[test]
    fn unknown_and_missing_fields_are_validation_errors() {
        assert!(matches!(
            parse::<Body>(br#"{"name":"x","count":1,"extra":true}"#),
            Err(AppError::Validation(_))
        ));
        let err = parse::<Body>(br#"{"name":"x"}"#).unwrap_err();
        let AppError::Validation(errors) = err else {
            panic!("{err:?}")
        };
        assert!(errors[0].reason.contains("missing field `count`"));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse::<Body>(b"{\"name\":"),
            Err(AppError::BadRequest(_))
        ));
    }
}
