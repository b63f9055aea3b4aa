//! The invalidations of the request being handled. A write announces what it changed while
//! its transaction is open ([`announce`], called by the audit log); the layer around every
//! request applies them to this instance's cache once the handler has returned, that is after
//! the commit and before the answer leaves, so that nobody can be told "saved" while this
//! instance still serves the old answer.

use std::cell::RefCell;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{AnswerCache, Invalidation};

tokio::task_local! {
    static PENDING: RefCell<Vec<Invalidation>>;
}

/// Records what the current request's write changed. Outside a request (a command-line tool,
/// a test writing directly) there is nothing to record: such writers reach running instances
/// only through PostgreSQL's `NOTIFY`, and SQLite has no other instance.
pub fn announce(invalidation: Invalidation) {
    let _outside_a_request = PENDING.try_with(|pending| pending.borrow_mut().push(invalidation));
}

/// Middleware: collects the request's invalidations and applies them after the handler.
pub async fn apply_after_handler(
    State(cache): State<AnswerCache>,
    request: Request,
    next: Next,
) -> Response {
    PENDING
        .scope(RefCell::new(Vec::new()), async move {
            let response = next.run(request).await;
            let pending = PENDING.with(|pending| pending.take());
            for invalidation in pending {
                cache.invalidate(invalidation);
            }
            response
        })
        .await
}
