//! Sign-in throttling: at most `max_failures` password checks per account and per client
//! address within any sliding `window`; beyond that attempts are refused with 429 and
//! `Retry-After` until the oldest counted attempt leaves the window. Both sign-in paths (JSON and
//! HTML form) go through [`crate::auth::api::sign_in`], so a lockout cannot be sidestepped
//! through the other form.
//!
//! An attempt is reserved *before* the password is checked, in one step under one lock, so
//! concurrent requests cannot all slip past the limit; a successful check gives its reservation
//! back (only failures count). See `docs/decisions/0014-sign-in-reservations.md`.
//!
//! The store sits behind [`SignInThrottle`]: [`InMemoryThrottle`] serves one instance (SQLite);
//! [`postgres::PostgresThrottle`] keeps the count in the database, so that every instance on
//! one PostgreSQL counts the same attempts (decision 0026).

pub mod postgres;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::db::DbError;

pub trait SignInThrottle: Send + Sync {
    /// Counts one attempt against every key, or, if any key has no free slot, counts nothing and
    /// says how long until all of them have one.
    fn reserve<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<Reservation, Refused>>;
    /// Gives a reservation back: the attempt succeeded, and successes are not counted.
    fn refund(&self, reservation: Reservation) -> BoxFuture<'_, ()>;
}

/// Why an attempt was not counted (and must not go ahead).
#[derive(Debug)]
pub enum Refused {
    /// A key has no free slot; one frees after this long.
    Full(Duration),
    /// The shared count could not be read.
    Unavailable(DbError),
}

/// One counted attempt; hand it to [`SignInThrottle::refund`] if the password was right.
#[derive(Debug)]
#[must_use = "refund the reservation when the attempt succeeds"]
pub struct Reservation(Held);

#[derive(Debug)]
enum Held {
    InMemory {
        keys: Vec<String>,
        at: Instant,
    },
    /// The rows that count it.
    Stored(Vec<i64>),
}

/// Where the throttle reads the time, so tests can move it without sleeping.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// A sliding-window log: the instants of the attempts counted in the last `window`, per key.
pub struct InMemoryThrottle {
    max: usize,
    window: Duration,
    clock: Clock,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Above this many keys, a reservation also sweeps keys whose attempts have all expired, so a
/// spray of addresses cannot grow memory without bound.
const SWEEP_ABOVE: usize = 10_000;

impl InMemoryThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self::with_clock(max_failures, window, Arc::new(Instant::now))
    }

    pub fn with_clock(max_failures: u32, window: Duration, clock: Clock) -> Self {
        Self {
            max: usize::try_from(max_failures.max(1)).unwrap_or(usize::MAX),
            window,
            clock,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    fn expire(log: &mut VecDeque<Instant>, now: Instant, window: Duration) {
        while log
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            log.pop_front();
        }
    }
}

impl SignInThrottle for InMemoryThrottle {
    fn reserve<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<Reservation, Refused>> {
        Box::pin(std::future::ready(
            InMemoryThrottle::reserve(self, keys).map_err(Refused::Full),
        ))
    }

    fn refund(&self, reservation: Reservation) -> BoxFuture<'_, ()> {
        InMemoryThrottle::refund(self, reservation);
        Box::pin(std::future::ready(()))
    }
}

impl InMemoryThrottle {
    /// [`SignInThrottle::reserve`], at once.
    pub fn reserve(&self, keys: &[String]) -> Result<Reservation, Duration> {
        let now = (self.clock)();
        let mut attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if attempts.len() > SWEEP_ABOVE {
            attempts.retain(|_, log| {
                Self::expire(log, now, self.window);
                !log.is_empty()
            });
        }
        let mut wait = None::<Duration>;
        for key in keys {
            let Some(log) = attempts.get_mut(key) else {
                continue;
            };
            Self::expire(log, now, self.window);
            if log.len() >= self.max {
                // The slot frees when the oldest attempt that keeps the log full leaves the window.
                let oldest = log[log.len() - self.max];
                let free_at = (oldest + self.window).saturating_duration_since(now);
                wait = Some(wait.map_or(free_at, |w| w.max(free_at)));
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in keys {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        Ok(Reservation(Held::InMemory {
            keys: keys.to_vec(),
            at: now,
        }))
    }

    /// [`SignInThrottle::refund`], at once.
    pub fn refund(&self, reservation: Reservation) {
        let Held::InMemory { keys, at } = reservation.0 else {
            return;
        };
        let mut attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        for key in &keys {
            if let Some(log) = attempts.get_mut(key) {
                if let Some(pos) = log.iter().rposition(|logged| *logged == at) {
                    log.remove(pos);
                }
                if log.is_empty() {
                    attempts.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock the test moves by hand.
    fn manual_clock() -> (Clock, Arc<Mutex<Instant>>) {
        let now = Arc::new(Mutex::new(Instant::now()));
        let read = Arc::clone(&now);
        (Arc::new(move || *read.lock().unwrap()), now)
    }

    fn advance(now: &Mutex<Instant>, by: Duration) {
        *now.lock().unwrap() += by;
    }

    const WINDOW: Duration = Duration::from_secs(900);

    #[test]
    fn locks_after_the_allowed_failures_and_only_that_key() {
        let (clock, _) = manual_clock();
        let throttle = InMemoryThrottle::with_clock(5, WINDOW, clock);
        let anna = vec!["account:anna".to_owned()];
        for _ in 0..5 {
            let _ = throttle.reserve(&anna).expect("a free slot");
        }
        assert_eq!(throttle.reserve(&anna).unwrap_err(), WINDOW);
        assert!(throttle.reserve(&["account:bo".to_owned()]).is_ok());
    }

    #[test]
    fn the_lock_lasts_until_the_window_frees_a_slot_not_one_refill_period() {
        let (clock, now) = manual_clock();
        let throttle = InMemoryThrottle::with_clock(5, WINDOW, clock);
        let key = vec!["account:anna".to_owned()];
        // Four failures at once, the fifth ten minutes later.
        for _ in 0..4 {
            let _ = throttle.reserve(&key).unwrap();
        }
        advance(&now, Duration::from_secs(600));
        let _ = throttle.reserve(&key).unwrap();
        // Locked until the first four leave the window: 5 minutes more, not 3 (900 / 5).
        assert_eq!(
            throttle.reserve(&key).unwrap_err(),
            Duration::from_secs(300)
        );
        advance(&now, Duration::from_secs(299));
        assert_eq!(throttle.reserve(&key).unwrap_err(), Duration::from_secs(1));
        advance(&now, Duration::from_secs(1));
        // Four slots free now; the fifth failure still holds one until it, too, expires.
        for _ in 0..4 {
            let _ = throttle.reserve(&key).unwrap();
        }
        assert_eq!(
            throttle.reserve(&key).unwrap_err(),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn a_refund_frees_the_slot_and_a_refused_attempt_counts_nothing() {
        let (clock, _) = manual_clock();
        let throttle = InMemoryThrottle::with_clock(2, WINDOW, clock);
        let account = "account:anna".to_owned();
        let address = "ip:192.0.2.1".to_owned();
        let both = vec![account.clone(), address.clone()];
        let first = throttle.reserve(&both).unwrap();
        throttle.refund(first);
        let _ = throttle.reserve(&both).unwrap();
        let _ = throttle.reserve(std::slice::from_ref(&account)).unwrap();
        // The account is full: the attempt is refused and the address is not charged for it.
        assert!(throttle.reserve(&both).is_err());
        assert!(throttle.reserve(std::slice::from_ref(&address)).is_ok());
        assert!(throttle.reserve(&[address]).is_err());
    }

    #[test]
    fn concurrent_reservations_never_exceed_the_limit() {
        let throttle = Arc::new(InMemoryThrottle::new(5, WINDOW));
        let key = vec!["account:anna".to_owned()];
        let granted: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..40)
                .map(|_| s.spawn(|| throttle.reserve(&key).is_ok()))
                .collect();
            handles
                .into_iter()
                .map(|h| usize::from(h.join().unwrap()))
                .sum()
        });
        assert_eq!(granted, 5);
    }
}
