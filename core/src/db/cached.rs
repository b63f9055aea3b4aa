//! Diesel never keeps an `UPDATE` or an `ON CONFLICT DO UPDATE` as a prepared statement,
//! because an `Option` in a changeset can leave a column out and so change the SQL for the
//! same Rust type. On PostgreSQL every such write was therefore parsed, planned and described
//! again (one more round trip), and on SQLite compiled again, on every request. [`Cached`]
//! keeps a statement prepared per connection, keyed by its SQL text and bind types rather
//! than by its Rust type, so a statement whose SQL does vary is still never confused with
//! another.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;

/// A statement kept prepared: see the module docs. Wrap hot writes whose SQL is fixed per
/// call site (`Cached(diesel::update(..).set(..))`); a statement built from a list of varying
/// length would fill the cache with one entry per length.
#[derive(Debug, Clone, Copy)]
pub struct Cached<Q>(pub Q);

impl<Q> QueryId for Cached<Q> {
    type QueryId = ();
    // No key from the Rust type: the cache then keys on the SQL text and the bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB: Backend, Q: QueryFragment<DB>> QueryFragment<DB> for Cached<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use diesel::connection::{Instrumentation, InstrumentationEvent};
    use diesel::prelude::*;
    use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};

    use super::Cached;
    use crate::db::SqliteConn;

    diesel::table! {
        counters (id) {
            id -> BigInt,
            hits -> BigInt,
        }
    }

    /// Counts the statements a connection puts in its cache of prepared statements.
    async fn counting_connection() -> (SqliteConn, Arc<AtomicUsize>) {
        let mut conn = SqliteConn::establish(":memory:").await.expect("SQLite");
        conn.batch_execute(
            "CREATE TABLE counters (id BIGINT PRIMARY KEY, hits BIGINT NOT NULL);
             INSERT INTO counters VALUES (1, 0);",
        )
        .await
        .expect("table");
        let cached = Arc::new(AtomicUsize::new(0));
        let seen = cached.clone();
        let counter = move |event: InstrumentationEvent<'_>| {
            if matches!(event, InstrumentationEvent::CacheQuery { .. }) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        };
        conn.set_instrumentation(Box::new(counter) as Box<dyn Instrumentation>);
        (conn, cached)
    }

    fn bump(
        hits: i64,
    ) -> impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> + diesel::query_builder::QueryId
    {
        diesel::update(counters::table.filter(counters::id.eq(1))).set(counters::hits.eq(hits))
    }

    #[tokio::test]
    async fn an_update_is_prepared_once_and_kept() {
        let (mut conn, cached) = counting_connection().await;
        for hits in 1..=3 {
            let changed = Cached(bump(hits)).execute(&mut conn).await.expect("update");
            assert_eq!(changed, 1);
        }
        assert_eq!(
            AtomicUsize::load(&cached, Ordering::SeqCst),
            1,
            "prepared once, then reused"
        );
        let hits: i64 = counters::table
            .select(counters::hits)
            .first(&mut conn)
            .await
            .expect("read");
        assert_eq!(hits, 3, "every update ran with its own value");
    }

    #[tokio::test]
    async fn without_the_wrapper_diesel_keeps_no_update() {
        let (mut conn, cached) = counting_connection().await;
        for hits in 1..=3 {
            bump(hits).execute(&mut conn).await.expect("update");
        }
        assert_eq!(AtomicUsize::load(&cached, Ordering::SeqCst), 0);
    }
}
