//! Telling a lost connection from a failed statement, per request.
//!
//! PostgreSQL reports a backend that was terminated under a running statement (a restart, a
//! failover, `pg_terminate_backend`) as an error that diesel-async leaves unclassified (SQLSTATE
//! 57P01 arrives as kind `Unknown`, with no code to read). Whether that error cost the
//! connection is a fact about the connection, not about the message: so a request that saw an
//! unclassified database error keeps its PostgreSQL connections aside when it is done with
//! them, and [`watched`] pings them afterwards. A connection that no longer answers means the
//! database was lost (the caller answers 503 and may retry a read); one that answers means the
//! statement itself failed (a 500, as before).
//!
//! Outside [`watched`] (start-up, commands, background tasks) nothing is recorded.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use diesel_async::pooled_connection::PoolableConnection;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

tokio::task_local! {
    static WATCH: Arc<Watch>;
}

#[derive(Default)]
struct Watch {
    /// A database error that is not one of the kinds the layer maps (unique, not found, ...).
    unclassified: AtomicBool,
    /// A connection came back broken (its transaction could not be rolled back, or it closed).
    broken: AtomicBool,
    /// Connections released after an unclassified error, to be pinged.
    suspects: Mutex<Vec<Object<AsyncPgConnection>>>,
}

/// What [`watched`] learnt about the database while the future ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No unclassified database error: whatever the answer says stands.
    Clean,
    /// An unclassified error, and its connection still answers: the statement failed.
    StatementFailed,
    /// An unclassified error that took its connection with it.
    ConnectionLost,
}

/// Runs `future` (a request) while watching its database connections; see the module docs.
pub async fn watched<F: Future>(future: F) -> (F::Output, Verdict) {
    let watch = Arc::new(Watch::default());
    let output = WATCH.scope(watch.clone(), future).await;
    if !watch.unclassified.load(Ordering::Relaxed) {
        return (output, Verdict::Clean);
    }
    let suspects = std::mem::take(
        &mut *watch
            .suspects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    let mut lost = watch.broken.load(Ordering::Relaxed);
    for mut conn in suspects {
        // A failed ping marks the connection broken; the pool then discards it.
        lost |= conn.batch_execute("SELECT 1").await.is_err() || conn.is_broken();
    }
    let verdict = if lost {
        Verdict::ConnectionLost
    } else {
        Verdict::StatementFailed
    };
    (output, verdict)
}

/// Called for every database error the layer cannot classify.
pub(super) fn note_unclassified() {
    let _ = WATCH.try_with(|watch| watch.unclassified.store(true, Ordering::Relaxed));
}

/// Called when a PostgreSQL connection goes back to the pool: keeps it for [`watched`] to
/// ping when the request saw an unclassified error; otherwise it returns to the pool (which
/// discards a broken one at its next checkout).
pub(super) fn release(mut conn: Object<AsyncPgConnection>) {
    let Ok(watch) = WATCH.try_with(Arc::clone) else {
        return;
    };
    if !watch.unclassified.load(Ordering::Relaxed) {
        return;
    }
    if conn.is_broken() {
        watch.broken.store(true, Ordering::Relaxed);
        return;
    }
    watch
        .suspects
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(conn);
}
