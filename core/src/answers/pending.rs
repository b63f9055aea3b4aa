//! The invalidations of the request being handled. A write announces what it changed while
//! its transaction is open ([`announce`], called by the audit log); the layer around every
//! request applies them to this instance's cache once the handler has returned, that is after
//! the commit and before the answer leaves, so that nobody can be told "saved" while this
//! instance still serves the old answer. On PostgreSQL it then tells the other instances
//! (`broadcast`), also before the answer leaves. A request dropped on the way (the client went
//! away after the commit) still applies and tells what it changed.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::broadcast::Broadcast;
use super::{AnswerCache, Invalidation};

type Invalidations = Arc<Mutex<Vec<Invalidation>>>;

struct Pending {
    invalidations: Invalidations,
    /// Whether the other instances are told after the handler (PostgreSQL).
    others_told: bool,
}

tokio::task_local! {
    static PENDING: Pending;
}

/// Records what the current request's write changed; true when the request will tell the
/// other instances once it has committed. Outside a request (a command-line tool, a task of
/// its own, a test writing directly) there is nothing to record and the writer must tell them
/// itself, by `NOTIFY` in its transaction; SQLite has no other instance.
pub fn announce(invalidation: Invalidation) -> bool {
    PENDING
        .try_with(|pending| {
            lock(&pending.invalidations).push(invalidation);
            pending.others_told
        })
        .unwrap_or(false)
}

fn lock(invalidations: &Invalidations) -> std::sync::MutexGuard<'_, Vec<Invalidation>> {
    // A list of plain values: a panic elsewhere cannot leave it half-written.
    invalidations.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a request announced, applied when it is handled or when it is dropped unhandled.
struct AfterHandler {
    cache: AnswerCache,
    others: Option<Broadcast>,
    invalidations: Invalidations,
}

impl AfterHandler {
    /// Applies what was announced to this instance and hands it to the broadcaster.
    fn apply(&self) -> Vec<Invalidation> {
        let invalidations = std::mem::take(&mut *lock(&self.invalidations));
        for invalidation in &invalidations {
            self.cache.invalidate(*invalidation);
        }
        invalidations
    }
}

impl Drop for AfterHandler {
    fn drop(&mut self) {
        // Nothing left after a handled request; what a dropped one committed still counts.
        let left = self.apply();
        if let Some(others) = &self.others {
            others.tell_without_waiting(left);
        }
    }
}

/// Middleware: collects the request's invalidations and applies them after the handler.
pub async fn apply_after_handler(
    State(cache): State<AnswerCache>,
    request: Request,
    next: Next,
) -> Response {
    let after = AfterHandler {
        others: cache.others().cloned(),
        cache,
        invalidations: Invalidations::default(),
    };
    let pending = Pending {
        invalidations: after.invalidations.clone(),
        others_told: after.others.is_some(),
    };
    let response = PENDING.scope(pending, next.run(request)).await;
    let invalidations = after.apply();
    if let Some(others) = &after.others {
        others.tell(invalidations).await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{AnswerKey, Built, Scope};

    #[test]
    fn a_request_dropped_after_its_write_still_makes_the_answers_stale() {
        let cache = AnswerCache::new(1 << 20, true);
        let key = AnswerKey {
            kind: "test",
            parts: [0; 4],
        };
        let built = Built {
            body: axum::body::Bytes::from_static(b"{}"),
            etag: "\"v1\"".to_owned(),
            content_type: "application/json",
            meta: [0, 0],
        };
        let scopes = [Scope::Tenant(7)];
        cache.put(
            key,
            cache.ticket(),
            &scopes,
            std::time::Duration::from_secs(60),
            built,
        );
        assert!(cache.get(&key).is_some());

        let after = AfterHandler {
            cache: cache.clone(),
            others: None,
            invalidations: Invalidations::default(),
        };
        lock(&after.invalidations).push(Invalidation::Tenant(7));
        drop(after);
        assert!(
            cache.get(&key).is_none(),
            "the dropped request's write applies"
        );
    }
}
