use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;

use super::{FlagService, NOTIFY_CHANNEL};

/// Listens for flag changes made by other instances, reconnecting after failures. Each
/// (re)connect is followed by a refresh, so nothing announced while disconnected is missed.
pub(super) async fn listen(service: FlagService, url: String) {
    const FLOOR: Duration = Duration::from_millis(500);
    let mut backoff = FLOOR;
    loop {
        let started = std::time::Instant::now();
        match listen_once(&service, &url).await {
            Ok(()) => tracing::warn!("module flag listener stream ended; reconnecting"),
            Err(error) => tracing::warn!(%error, "module flag listener failed; reconnecting"),
        }
        // A connection that held for a while was healthy: start the back-off over.
        if started.elapsed() > Duration::from_secs(30) {
            backoff = FLOOR;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(service: &FlagService, url: &str) -> Result<(), diesel::result::Error> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
    diesel::sql_query(format!("LISTEN {NOTIFY_CHANNEL}"))
        .execute(&mut conn)
        .await?;
    if let Err(error) = service.refresh().await {
        tracing::warn!(%error, "module flag refresh after LISTEN failed");
    }
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(notification) = notifications.next().await {
        let notification = notification?;
        tracing::debug!(module = %notification.payload, "module flag change announced");
        if let Err(error) = service.refresh().await {
            tracing::warn!(%error, "module flag refresh after NOTIFY failed; keeping the last good snapshot");
        }
    }
    Ok(())
}
