//! Sign-in attempts counted in PostgreSQL, so that every instance on one database counts the
//! same ones (decision 0026). The rules are the in-memory throttle's: a sliding window of
//! `max` counted checks per key, reserved before the password is checked, given back when it
//! was right. Each key's reservation takes a transaction-scoped advisory lock (in one order
//! for all keys, so two reservations sharing a key cannot deadlock), so concurrent attempts
//! on different instances cannot all slip past the limit. Times are the database's, one clock
//! for every instance.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use diesel::sql_types::{Array, BigInt, Double, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use futures_util::future::BoxFuture;

use super::{Held, Refused, Reservation, SignInThrottle};
use crate::db::{DbConn, DbError, DbPool};

/// Every this many reservations, one also deletes every expired row (a spray of addresses
/// would otherwise leave rows no key comes back for).
const SWEEP_EVERY: u32 = 100;

pub struct PostgresThrottle {
    pool: DbPool,
    max: i64,
    window_secs: f64,
    reservations: AtomicU32,
}

impl PostgresThrottle {
    pub fn new(pool: DbPool, max_failures: u32, window: Duration) -> Self {
        Self {
            pool,
            max: i64::from(max_failures.max(1)),
            window_secs: window.as_secs_f64(),
            reservations: AtomicU32::new(0),
        }
    }

    async fn reserve_stored(&self, keys: &[String]) -> Result<Reservation, Refused> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let sweep_all = self
            .reservations
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        let mut pooled = self.pool.get().await.map_err(Refused::Unavailable)?;
        let DbConn::Postgres(conn) = pooled.conn() else {
            return Err(Refused::Unavailable(DbError::Unavailable(
                "the shared sign-in count needs PostgreSQL".to_owned(),
            )));
        };
        let counted = conn
            .transaction(async |tx| {
                lock_keys(tx, &keys).await?;
                sweep(tx, &keys, self.window_secs, sweep_all).await?;
                if let Some(wait) = full_for(tx, &keys, self.max, self.window_secs).await? {
                    return Ok(Err(wait));
                }
                let ids = count_one(tx, &keys).await?;
                Ok::<_, diesel::result::Error>(Ok(ids))
            })
            .await
            .map_err(|e| Refused::Unavailable(e.into()))?;
        counted
            .map(|ids| Reservation(Held::Stored(ids)))
            .map_err(Refused::Full)
    }

    async fn refund_stored(&self, ids: Vec<i64>) -> Result<(), DbError> {
        let mut pooled = self.pool.get().await?;
        if let DbConn::Postgres(conn) = pooled.conn() {
            diesel::sql_query("DELETE FROM sign_in_attempts WHERE id = ANY($1)")
                .bind::<Array<BigInt>, _>(ids)
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}

impl SignInThrottle for PostgresThrottle {
    fn reserve<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<Reservation, Refused>> {
        Box::pin(self.reserve_stored(keys))
    }

    fn refund(&self, reservation: Reservation) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let Held::Stored(ids) = reservation.0 else {
                return;
            };
            if let Err(error) = self.refund_stored(ids).await {
                // The attempt then counts as a failure until it leaves the window: stricter,
                // never looser.
                tracing::warn!(%error, "a successful sign-in could not give its attempt back");
            }
        })
    }
}

type Tx = diesel_async::AsyncPgConnection;

async fn lock_keys(tx: &mut Tx, keys: &[String]) -> Result<(), diesel::result::Error> {
    // One statement per key, in the keys' sorted order: the order the locks are taken in.
    for key in keys {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 26)) IS NULL")
            .bind::<Text, _>(key)
            .execute(tx)
            .await?;
    }
    Ok(())
}

async fn sweep(
    tx: &mut Tx,
    keys: &[String],
    window_secs: f64,
    all: bool,
) -> Result<(), diesel::result::Error> {
    let expired = "at <= (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)";
    let query = if all {
        format!("DELETE FROM sign_in_attempts WHERE {expired}")
    } else {
        format!("DELETE FROM sign_in_attempts WHERE {expired} AND key = ANY($2)")
    };
    let delete = diesel::sql_query(query).bind::<Double, _>(window_secs);
    if all {
        delete.execute(tx).await?;
    } else {
        delete.bind::<Array<Text>, _>(keys).execute(tx).await?;
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Wait {
    #[diesel(sql_type = Double)]
    secs: f64,
}

/// How long until every key has a free slot, when one has none: the slot frees when the
/// oldest attempt that keeps its log full leaves the window (the `max`-th newest).
async fn full_for(
    tx: &mut Tx,
    keys: &[String],
    max: i64,
    window_secs: f64,
) -> Result<Option<Duration>, diesel::result::Error> {
    let waits: Vec<Wait> = diesel::sql_query(
        "SELECT EXTRACT(EPOCH FROM (kept.at + make_interval(secs => $3) \
                - (now() AT TIME ZONE 'UTC')))::float8 AS secs \
         FROM unnest($1) AS k(key) \
         CROSS JOIN LATERAL (SELECT at FROM sign_in_attempts a WHERE a.key = k.key \
             ORDER BY at DESC OFFSET $2 - 1 LIMIT 1) AS kept",
    )
    .bind::<Array<Text>, _>(keys)
    .bind::<BigInt, _>(max)
    .bind::<Double, _>(window_secs)
    .load(tx)
    .await?;
    Ok(waits
        .iter()
        .map(|wait| Duration::from_secs_f64(wait.secs.max(0.0)))
        .max())
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

async fn count_one(tx: &mut Tx, keys: &[String]) -> Result<Vec<i64>, diesel::result::Error> {
    let ids: Vec<Id> = diesel::sql_query(
        "INSERT INTO sign_in_attempts (key, at) \
         SELECT key, now() AT TIME ZONE 'UTC' FROM unnest($1) AS key RETURNING id",
    )
    .bind::<Array<Text>, _>(keys)
    .load(tx)
    .await?;
    Ok(ids.into_iter().map(|row| row.id).collect())
}
