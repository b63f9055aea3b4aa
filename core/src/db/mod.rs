//! One async database layer over PostgreSQL and SQLite.
//!
//! [`DbPool`] is an enum of two pools picked by the URL scheme; [`DbConn`] borrows the matching
//! connection. [`db_run!`](crate::db_run) pastes one query body into both arms so that every
//! query is type-checked against both backends, and [`transaction!`](crate::transaction) does the
//! same for a transaction whose body calls repo functions taking `&mut DbConn`.

pub mod backup;
mod cached;
pub mod catalog;
mod error;
pub mod migrate;
mod pool;
mod url;
pub mod watch;
mod write_turn;

pub use cached::Cached;
pub use error::DbError;
pub use pool::{DbPool, PoolState, PooledConn, ping};
pub use url::DatabaseUrl;
#[doc(hidden)]
pub use write_turn::sqlite_write_turn;

use diesel::SqliteConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::sync_connection_wrapper::{SpawnBlocking, SyncConnectionWrapper};

/// The async SQLite connection: diesel's sync connection, run in place (see [`InPlace`]).
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection, InPlace>;

/// Runs each SQLite statement on the calling thread instead of handing it to tokio's blocking
/// pool. An embedded SQLite query takes microseconds; the hand-off to another thread and back
/// cost more than the query itself and dominated every request (decision 0011). Transactions
/// run from BEGIN to COMMIT without yielding, so a writer waiting on `busy_timeout` waits only
/// for another request that is already running to its end.
#[derive(Debug, Clone, Copy, Default)]
pub struct InPlace;

impl SpawnBlocking for InPlace {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<R, Box<dyn std::error::Error + Send + Sync + 'static>>,
    >
    where
        R: Send + 'static,
    {
        let result = task();
        Box::pin(std::future::ready(Ok(result)))
    }

    fn get_runtime() -> Self {
        InPlace
    }
}

/// A borrowed connection of either backend. Repo functions take `&mut DbConn<'_>` so they can
/// run on a pooled connection or inside a caller's transaction alike.
pub enum DbConn<'a> {
    Postgres(&'a mut AsyncPgConnection),
    Sqlite(&'a mut SqliteConn),
}

/// Runs one body against whichever backend `conn` (a `&mut DbConn`) holds; inside, the
/// identifier names the concrete diesel-async connection.
#[macro_export]
macro_rules! db_run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// Runs `body` in a database transaction: committed when it returns `Ok`, rolled back on
/// `Err`. Inside, the identifier is a `&mut DbConn` for repo functions. The body's error type
/// must implement `From<diesel::result::Error>`.
///
/// Never wrap the returned future in a timeout or `select!`: a transaction cancelled halfway
/// leaves its connection marked broken, and the pool then discards it (which rolls back).
/// The body awaits only database calls: on SQLite they run in place (decision 0011), so a
/// transaction never parks while it holds the write lock. On SQLite a transaction first waits
/// for the process's turn to write (decision 0023), asynchronously, so the worker goes on
/// serving other requests meanwhile.
#[macro_export]
macro_rules! transaction {
    ($conn:expr, |$tx:ident| $body:expr) => {{
        use $crate::db::__private::AsyncConnection as _;
        match $conn {
            $crate::db::DbConn::Postgres(c) => {
                c.transaction(async |c| {
                    let $tx = &mut $crate::db::DbConn::Postgres(c);
                    $body
                })
                .await
            }
            $crate::db::DbConn::Sqlite(c) => match $crate::db::sqlite_write_turn(c).await {
                Ok(_turn) => {
                    c.transaction(async |c| {
                        let $tx = &mut $crate::db::DbConn::Sqlite(c);
                        $body
                    })
                    .await
                }
                Err(error) => Err(error.into()),
            },
        }
    }};
}

#[doc(hidden)]
pub mod __private {
    pub use diesel_async::AsyncConnection;
}

/// The current time as stored: naive UTC to the microsecond, PostgreSQL's precision, so a
/// time kept in memory after a write equals the one read back on either backend.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}
