//! Request ids: a sane inbound `X-Request-Id` is kept, anything else is replaced.

use axum::http::HeaderMap;

pub const HEADER: &str = "x-request-id";
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request this task is serving, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Runs `future` with `id` as the current request id.
pub async fn scope<F: Future>(id: String, future: F) -> F::Output {
    CURRENT.scope(id, future).await
}

/// Takes the inbound id when it is 1-128 characters of `[A-Za-z0-9._:-]`, else makes one.
pub fn from_headers(headers: &HeaderMap) -> String {
    headers
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_acceptable(value))
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned)
}

fn is_acceptable(value: &str) -> bool {
    (1..=MAX_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, value.parse().unwrap());
        headers
    }

    #[test]
    fn keeps_safe_ids_and_replaces_others() {
        assert_eq!(from_headers(&with("abc-123_x.y:z")), "abc-123_x.y:z");
        let long = "a".repeat(129);
        assert_ne!(from_headers(&with(&long)), long);
        assert_ne!(from_headers(&with("a b")), "a b");
        assert_ne!(from_headers(&with("<script>")), "<script>");
        assert_eq!(from_headers(&HeaderMap::new()).len(), 32);
    }
}
