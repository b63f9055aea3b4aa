//! Invalidations from the other instances on one PostgreSQL, by `LISTEN/NOTIFY`. While the
//! listener has no connection the cache is suspended (nothing stored or served), because a
//! write announced meanwhile would be missed; after it listens again the cache starts empty.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;

use super::AnswerCache;

/// The channel every audited write notifies (see `audit::record`).
pub const CHANNEL: &str = "galley_answers";

/// Listens until the task is aborted, reconnecting with a back-off.
pub async fn listen(cache: AnswerCache, url: String) {
    const FLOOR: Duration = Duration::from_millis(200);
    let mut backoff = FLOOR;
    loop {
        let started = std::time::Instant::now();
        match listen_once(&cache, &url).await {
            Ok(()) => tracing::warn!("answer cache listener stream ended; reconnecting"),
            Err(error) => tracing::warn!(%error, "answer cache listener failed; reconnecting"),
        }
        cache.suspend();
        metrics::counter!("galley_answer_cache_listener_losses_total").increment(1);
        if started.elapsed() > Duration::from_secs(30) {
            backoff = FLOOR;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn listen_once(cache: &AnswerCache, url: &str) -> Result<(), diesel::result::Error> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(&mut conn)
        .await?;
    // Listening from here on: anything written later reaches this loop.
    cache.resume();
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(notification) = notifications.next().await {
        for invalidation in super::broadcast::parse(&notification?.payload) {
            cache.invalidate(invalidation);
        }
    }
    Ok(())
}
