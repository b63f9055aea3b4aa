//! Sign-in throttling: after too many failures for one account or one client address, further
//! attempts are refused with 429 and `Retry-After` until the limiter lets one through again.
//! Both sign-in paths (JSON and HTML form) go through [`crate::auth::api::sign_in`], so a
//! lockout cannot be sidestepped through the other form.
//!
//! The store sits behind [`SignInThrottle`] so several instances can later share one
//! (PostgreSQL or Redis); [`InMemoryThrottle`] serves one instance.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub trait SignInThrottle: Send + Sync {
    /// How long until any of `keys` may try again, if one is locked.
    fn retry_after(&self, keys: &[String]) -> Option<Duration>;
    /// Counts a failure against every key.
    fn failed(&self, keys: &[String]);
}

/// Failures are counted by governor's GCRA (a burst of `max_failures`, refilled evenly over
/// `window`); when a key runs out it is locked until governor would admit it again.
pub struct InMemoryThrottle {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    locked_until: Mutex<HashMap<String, Instant>>,
}

impl InMemoryThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        let max = NonZeroU32::new(max_failures.max(2)).unwrap_or(NonZeroU32::MIN);
        let period = window / max.get();
        // The failure that exhausts the burst locks the key, so the burst is one less than the
        // failures allowed.
        let burst = NonZeroU32::new(max.get() - 1).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
            locked_until: Mutex::new(HashMap::new()),
        }
    }
}

impl SignInThrottle for InMemoryThrottle {
    fn retry_after(&self, keys: &[String]) -> Option<Duration> {
        let now = Instant::now();
        let locks = self.locked_until.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter()
            .filter_map(|key| locks.get(key))
            .filter(|until| **until > now)
            .map(|until| *until - now)
            .max()
    }

    fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut locks = self.locked_until.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            if let Err(not_until) = self.limiter.check_key(key) {
                let wait = not_until.wait_time_from(self.clock.now());
                locks.insert(key.clone(), now + wait.max(Duration::from_secs(1)));
            }
        }
        // Keep memory bounded under a spray of addresses.
        if locks.len() > 10_000 {
            locks.retain(|_, until| *until > now);
            self.limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_allowed_failures_and_only_that_key() {
        let throttle = InMemoryThrottle::new(5, Duration::from_secs(900));
        let anna = vec!["account:anna".to_owned()];
        for _ in 0..4 {
            throttle.failed(&anna);
            assert_eq!(throttle.retry_after(&anna), None);
        }
        throttle.failed(&anna);
        let wait = throttle
            .retry_after(&anna)
            .expect("locked after 5 failures");
        assert!(
            wait > Duration::from_secs(60) && wait <= Duration::from_secs(900),
            "{wait:?}"
        );
        assert_eq!(throttle.retry_after(&["account:bo".to_owned()]), None);
    }
}
