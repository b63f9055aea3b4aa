use std::time::Duration;

use deadpool::managed::{Hook, HookError, HookFuture, Metrics, PoolBuilder};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use super::{DatabaseUrl, DbConn, DbError, SqliteConn};

/// Pragmas every SQLite connection needs: integrity, concurrent readers, and waiting on a busy
/// writer instead of failing at once. `busy_timeout` comes first: setting the journal mode
/// takes a lock, and without the timeout a connection opened while another one commits
/// fails with "database is locked" at once.
///
/// `cache_size` bounds each connection's own page cache at 512 KiB (SQLite's default is 2 MiB).
/// Every pooled connection keeps one, and writers that wait for their turn (decision 0023)
/// each hold a connection, so under load all of them fill theirs: 10 x 2 MiB was a third of
/// the server's peak memory. In WAL mode a connection drops its whole cache whenever another
/// one has written, so a big one bought little; the pages stay in the operating system's
/// cache either way.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -512;";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A pooled PostgreSQL connection not handed out for this long is pinged before it is handed
/// out again: one that the server or the network dropped while it sat idle is replaced
/// instead of failing a request. A busy pool skips the round trip (profiled: the ping on every
/// checkout was several per request).
const VERIFY_AFTER_IDLE: Duration = Duration::from_secs(15);

/// A connection pool for whichever backend `DATABASE_URL` names.
#[derive(Clone)]
pub enum DbPool {
    Postgres(Pool<AsyncPgConnection>),
    Sqlite(Pool<SqliteConn>),
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbPool({})", self.backend_name())
    }
}

/// A pooled connection of either backend; borrow it as a [`DbConn`] with [`PooledConn::conn`].
pub struct PooledConn(Checkout);

enum Checkout {
    /// `None` only while being dropped: the connection went to [`super::watch::release`].
    Postgres(Option<Object<AsyncPgConnection>>),
    Sqlite(Object<SqliteConn>),
}

impl PooledConn {
    pub fn conn(&mut self) -> DbConn<'_> {
        match &mut self.0 {
            Checkout::Postgres(Some(object)) => DbConn::Postgres(object),
            Checkout::Postgres(None) => unreachable!("a connection is released only on drop"),
            Checkout::Sqlite(object) => DbConn::Sqlite(object),
        }
    }
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        if let Checkout::Postgres(object) = &mut self.0
            && let Some(object) = object.take()
        {
            super::watch::release(object);
        }
    }
}

/// Pool usage, exported as metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
}

impl DbPool {
    /// Builds the pool and proves the database answers, so a bad URL or an unreachable server
    /// fails start-up at once with one line instead of at the first request.
    pub async fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Self, DbError> {
        let pool = match url {
            DatabaseUrl::Postgres(url) => {
                let mut config = ManagerConfig::default();
                config.recycling_method = RecyclingMethod::Fast;
                let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
                    url.as_str(),
                    config,
                );
                let builder =
                    builder(manager, max_size as usize).pre_recycle(Hook::async_fn(ping_when_idle));
                DbPool::Postgres(finish(builder)?)
            }
            DatabaseUrl::Sqlite(path) => {
                let mut config = ManagerConfig::default();
                // A file on this machine cannot drop the connection, so checkouts skip the ping.
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(|path| establish_sqlite(path.to_owned()).boxed());
                let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(
                    path.as_str(),
                    config,
                );
                // Each connection to `:memory:` would open its own empty database.
                let size = if path == ":memory:" {
                    1
                } else {
                    max_size as usize
                };
                DbPool::Sqlite(finish(builder(manager, size))?)
            }
        };
        let mut conn = pool.get().await?;
        ping(&mut conn.conn()).await?;
        Ok(pool)
    }

    pub async fn get(&self) -> Result<PooledConn, DbError> {
        match self {
            DbPool::Postgres(pool) => pool.get().await.map(|o| Checkout::Postgres(Some(o))),
            DbPool::Sqlite(pool) => pool.get().await.map(Checkout::Sqlite),
        }
        .map(PooledConn)
        .map_err(|e| DbError::Unavailable(pool_error_text(&e.to_string())))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DbPool::Postgres(_) => "postgresql",
            DbPool::Sqlite(_) => "sqlite",
        }
    }

    pub fn state(&self) -> PoolState {
        let (status, max_size) = match self {
            DbPool::Postgres(pool) => (pool.status(), pool.status().max_size),
            DbPool::Sqlite(pool) => (pool.status(), pool.status().max_size),
        };
        PoolState {
            max_size,
            size: status.size,
            available: status.available,
            waiting: status.waiting,
        }
    }

    /// Closes the pool: idle connections are dropped, checked-out ones when they return.
    pub fn close(&self) {
        match self {
            DbPool::Postgres(pool) => pool.close(),
            DbPool::Sqlite(pool) => pool.close(),
        }
    }
}

/// `SELECT 1` on either backend.
pub async fn ping(conn: &mut DbConn<'_>) -> Result<(), DbError> {
    crate::db_run!(conn, |c| c.batch_execute("SELECT 1").await)?;
    Ok(())
}

fn builder<C>(
    manager: AsyncDieselConnectionManager<C>,
    max_size: usize,
) -> PoolBuilder<AsyncDieselConnectionManager<C>>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .create_timeout(Some(CONNECT_TIMEOUT))
        .wait_timeout(Some(CONNECT_TIMEOUT))
        .recycle_timeout(Some(Duration::from_secs(5)))
}

fn finish<C>(builder: PoolBuilder<AsyncDieselConnectionManager<C>>) -> Result<Pool<C>, DbError>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    builder
        .build()
        .map_err(|e| DbError::Unavailable(e.to_string()))
}

/// The pre-recycle check of [`VERIFY_AFTER_IDLE`]; a failed ping discards the connection and
/// the pool hands out another (or opens a new one).
fn ping_when_idle<'a>(
    conn: &'a mut AsyncPgConnection,
    metrics: &'a Metrics,
) -> HookFuture<'a, PoolError> {
    Box::pin(async move {
        if metrics.last_used() > VERIFY_AFTER_IDLE {
            conn.batch_execute("SELECT 1")
                .await
                .map_err(|e| HookError::Backend(PoolError::QueryError(e)))?;
        }
        Ok(())
    })
}

async fn establish_sqlite(path: String) -> diesel::ConnectionResult<SqliteConn> {
    let mut conn = SqliteConn::establish(&path).await?;
    conn.batch_execute(SQLITE_PRAGMAS)
        .await
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// deadpool wraps the backend's message in its own words; keep the part an operator can act on.
fn pool_error_text(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix("Error occurred while creating a new object: ")
        .unwrap_or(text)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl;

    use super::establish_sqlite;

    #[tokio::test]
    async fn a_sqlite_connection_keeps_a_small_page_cache_and_checks_foreign_keys() {
        let mut conn = establish_sqlite(":memory:".into()).await.expect("SQLite");
        let pragma = |name: &str| {
            diesel::select(diesel::dsl::sql::<BigInt>(&format!(
                "(SELECT {name} FROM pragma_{name}())"
            )))
        };
        let cache: i64 = pragma("cache_size")
            .get_result(&mut conn)
            .await
            .expect("read");
        let foreign_keys: i64 = pragma("foreign_keys")
            .get_result(&mut conn)
            .await
            .expect("read");
        assert_eq!(cache, -512, "512 KiB per connection");
        assert_eq!(foreign_keys, 1);
    }
}
