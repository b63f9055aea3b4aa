//! Request limits beyond sign-in: a cap on all requests per client address, and on writes per
//! signed-in user or API token. Over the limit: 429 problem with `Retry-After`.
//!
//! The counters sit behind [`RateLimitStore`] so several instances can share one store; the
//! in-memory store (governor's GCRA) serves one instance.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::client_ip::ClientIp;
use super::error::AppError;
use crate::auth::{Caller, Credential};

pub trait RateLimitStore: Send + Sync {
    /// Counts one request against `key`; `Err(wait)` when over the limit.
    fn check(&self, key: &str) -> Result<(), Duration>;
}

/// Governor's keyed GCRA: `per_minute` requests a minute, allowed in a burst.
pub struct InMemoryLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl InMemoryLimiter {
    pub fn per_minute(per_minute: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(rate)),
            clock: DefaultClock::default(),
        }
    }
}

impl RateLimitStore for InMemoryLimiter {
    fn check(&self, key: &str) -> Result<(), Duration> {
        let result = self
            .limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()));
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        result
    }
}

/// The limits of one instance.
#[derive(Clone)]
pub struct RequestLimits {
    pub per_address: Arc<dyn RateLimitStore>,
    pub writes_per_caller: Arc<dyn RateLimitStore>,
}

fn too_many(wait: Duration) -> Response {
    AppError::TooManyRequests {
        retry_after_secs: wait.as_secs().max(1),
    }
    .into_response()
}

/// Every request counts against its client address.
pub async fn per_address(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    let key = request
        .extensions()
        .get::<ClientIp>()
        .copied()
        .unwrap_or(ClientIp(None))
        .key();
    match limits.per_address.check(&key) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait),
    }
}

/// Unsafe requests count against the signed-in user or token that makes them.
pub async fn writes_per_caller(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let key = request.extensions().get::<Caller>().map(|caller| {
        match (&caller.credential, caller.user_id) {
            (Credential::ApiToken { token_id }, _) => format!("token:{token_id}"),
            (_, Some(user)) => format!("user:{user}"),
            (_, None) => "user:unknown".to_owned(),
        }
    });
    if let (false, Some(key)) = (safe, key)
        && let Err(wait) = limits.writes_per_caller.check(&key)
    {
        return too_many(wait);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key() {
        let limiter = InMemoryLimiter::per_minute(3);
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        let wait = limiter.check("a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(limiter.check("b").is_ok());
    }
}
