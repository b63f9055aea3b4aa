//! SQLite lets one connection write at a time. A second writer used to wait in SQLite's busy
//! handler, which sleeps the thread (1, 2, 5, 10 ms ...) and so took one of the two async
//! workers out of service while the first writer, already running, finished in a fraction of
//! a millisecond; writers that came later could overtake the sleeper again and again. In
//! process, writers now queue for their turn on an async lock instead, first come first
//! served, and the worker serves other requests while they wait (decision 0023). The busy
//! handler is left for other processes on the same file (a command run beside the server).

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, TransactionManager};
use tokio::sync::{Mutex, MutexGuard};

use super::SqliteConn;

/// One turn for the whole process: one process serves one SQLite database (several only in
/// tests, which then take turns across their databases; a turn lasts a transaction).
static TURN: Mutex<()> = Mutex::const_new(());

/// As long as SQLite's own `busy_timeout`: a writer gives up after the same wait either way.
const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// Waits for this connection's turn to write, unless it is inside a transaction already (which
/// holds the turn). An error after [`LONGEST_WAIT`] reads as a conflict: retry.
#[doc(hidden)]
pub async fn sqlite_write_turn(
    conn: &mut SqliteConn,
) -> Result<Option<MutexGuard<'static, ()>>, DieselError> {
    let status =
        <SqliteConn as AsyncConnection>::TransactionManager::transaction_manager_status_mut(conn);
    if status.transaction_depth()?.is_some() {
        return Ok(None);
    }
    match tokio::time::timeout(LONGEST_WAIT, TURN.lock()).await {
        Ok(turn) => Ok(Some(turn)),
        Err(_) => Err(DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new(format!(
                "no turn to write within {} s: the database is busy",
                LONGEST_WAIT.as_secs()
            )),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel_async::AsyncConnection;

    async fn open() -> SqliteConn {
        SqliteConn::establish(":memory:")
            .await
            .expect("in-memory SQLite")
    }

    #[tokio::test]
    async fn a_second_writer_waits_for_the_first_to_finish() {
        let mut first = open().await;
        let mut second = open().await;
        let turn = sqlite_write_turn(&mut first).await.expect("first turn");
        assert!(turn.is_some());
        let waiting =
            tokio::spawn(async move { sqlite_write_turn(&mut second).await.map(|t| t.is_some()) });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the second writer went ahead");
        drop(turn);
        assert!(
            waiting.await.expect("task").expect("turn"),
            "the second writer got no turn"
        );
    }

    #[tokio::test]
    async fn inside_a_transaction_the_turn_is_already_held() {
        let mut conn = open().await;
        let outer = sqlite_write_turn(&mut conn).await.expect("turn");
        let inner = conn
            .transaction::<_, DieselError, _>(async |c| sqlite_write_turn(c).await)
            .await
            .expect("nested");
        assert!(outer.is_some());
        assert!(
            inner.is_none(),
            "a nested transaction waited for its own turn"
        );
    }
}
