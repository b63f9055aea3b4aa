//! Text that people and programs send is text: a control character (NUL, escape, backspace
//! and the like; tab, line feed and carriage return are fine) in the path, the query string or
//! a JSON or form body is refused with a 422 that names the field, before any handler runs.
//!
//! One place for every route, because the backends disagree: PostgreSQL refuses NUL in text
//! (the request failed with a 500), SQLite stores it (and an e-mail address with a control
//! character in it was accepted). Uploaded files are not bodies of either kind; their parsers
//! refuse control characters cell by cell.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::AppError;
use super::error_pages::is_api_path;
use super::json::BodyLimit;

const REASON: &str = "must not contain control characters (such as NUL)";

/// The rule of [`is_refused`] as a JSON Schema pattern, for the OpenAPI document: no control
/// character but tab, line feed and carriage return. Schema attributes spell these out as
/// literals (the derive takes no constants); the OpenAPI test holds them to these.
pub const PLAIN_TEXT_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
/// Plain text with something other than whitespace in it: what survives trimming.
pub const NON_BLANK_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

pub async fn reject_control_characters(request: Request, next: Next) -> Response {
    let api = is_api_path(request.uri().path());
    let (parts, body) = request.into_parts();
    let mut field = path_field(parts.uri.path()).or_else(|| query_field(parts.uri.query()));
    let body = match body_kind(&parts.headers) {
        Some(kind) if field.is_none() => {
            let limit = parts
                .extensions
                .get::<BodyLimit>()
                .map_or(usize::MAX, |l| l.0);
            let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
                return AppError::PayloadTooLarge { limit }.into_response();
            };
            field = match kind {
                BodyKind::Json => json_field(&bytes),
                BodyKind::Form => pairs_field(&bytes),
            };
            Body::from(bytes)
        }
        _ => body,
    };
    match field {
        None => next.run(Request::from_parts(parts, body)).await,
        // Pages get their ordinary 422 page; the API names the field.
        Some(_) if !api => axum::http::StatusCode::UNPROCESSABLE_ENTITY.into_response(),
        Some(field) => AppError::validation(field, REASON).into_response(),
    }
}

fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn has_refused(text: &str) -> bool {
    text.chars().any(is_refused)
}

enum BodyKind {
    Json,
    Form,
}

fn body_kind(headers: &axum::http::HeaderMap) -> Option<BodyKind> {
    let mime = headers
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" || mime.ends_with("+json") {
        Some(BodyKind::Json)
    } else if mime == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else {
        None
    }
}

fn path_field(path: &str) -> Option<String> {
    let decoded = percent_decode(path.as_bytes());
    has_refused(&decoded).then(|| "path".to_owned())
}

fn query_field(query: Option<&str>) -> Option<String> {
    pairs_field(query?.as_bytes())
}

/// The name of the first pair whose name or value holds a control character. Undecodable
/// input is left to the extractor, which answers it in its own words.
fn pairs_field(bytes: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs
        .into_iter()
        .find(|(name, value)| has_refused(name) || has_refused(value))
        .map(|(name, _)| name.chars().filter(|c| !is_refused(*c)).collect())
}

/// The path (`items[2].name`, as the JSON extractor names fields) of the first string, or
/// object key, that holds a control character.
fn json_field(bytes: &Bytes) -> Option<String> {
    // Raw control characters cannot stand in JSON text, except C1 ones: only escapes and the
    // two-byte C1 sequences can smuggle one in. Most bodies have neither: skip parsing them.
    if !might_hold_control(bytes) {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    find_in(&value, String::new())
}

fn might_hold_control(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|pair| {
        matches!(pair, [b'\\', b'u' | b'b' | b'f']) || (pair[0] == 0xC2 && pair[1] < 0xA0)
    })
}

fn find_in(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(text) => has_refused(text).then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| find_in(item, format!("{path}[{index}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if has_refused(key) {
                return Some(path.clone());
            }
            find_in(item, inner)
        }),
        _ => None,
    }
}

fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_and_line_breaks_are_text_other_controls_are_not() {
        assert!(!has_refused("Köttbullar\tmed\r\nmos"));
        for refused in ["a\0b", "\u{1b}[31m", "\u{8}", "\u{7f}", "\u{85}", "\u{b}"] {
            assert!(has_refused(refused), "{refused:?}");
        }
    }

    #[test]
    fn names_the_json_field() {
        let field = |body: &str| json_field(&Bytes::from(body.to_owned()));
        assert_eq!(field(r#"{"name":"ok","items":[{"dish":"ok"}]}"#), None);
        assert_eq!(
            field(r#"{"name":"ok","items":[{"dish":"a\u0000b"}]}"#).as_deref(),
            Some("items[0].dish")
        );
        assert_eq!(field(r#"{"email":"a\bb@x.se"}"#).as_deref(), Some("email"));
        assert_eq!(field("{\"note\":\"a\u{85}b\"}").as_deref(), Some("note"));
        // An escaped backslash followed by "u" is not an escape of a control character.
        assert_eq!(field(r#"{"path":"C:\\users"}"#), None);
        assert_eq!(field(r#"{"a\u0001":1}"#).as_deref(), Some(""));
        // Not JSON: the extractor answers it.
        assert_eq!(field(r#"{"a":"\u0000"#), None);
    }

    #[test]
    fn names_the_form_or_query_field_and_spots_the_path() {
        assert_eq!(pairs_field(b"email=a%40b.se&password=x"), None);
        assert_eq!(
            pairs_field(b"email=a%00b%40x.se&password=x").as_deref(),
            Some("email")
        );
        assert_eq!(query_field(Some("q=fisk%1B")).as_deref(), Some("q"));
        assert_eq!(path_field("/api/v1/dishes/12"), None);
        assert_eq!(path_field("/api/v1/x%00y").as_deref(), Some("path"));
        assert_eq!(percent_decode(b"%C3%A5%zz%"), "å%zz%");
    }
}
