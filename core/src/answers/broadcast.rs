//! What a request's writes changed, told to the other instances on one PostgreSQL after the
//! writes committed and before the request is answered, together with whatever the requests
//! finishing at the same moment changed (decision 0024).
//!
//! A `NOTIFY` inside each write's transaction made PostgreSQL serialise the commits of all
//! writers on one lock held through their WAL flush; one `NOTIFY` per batch, from a
//! connection of its own, leaves the writes' commits free to run side by side. An instance
//! that dies between a commit and its notice would leave the others' answers to their expiry,
//! so every instance tells the others to forget everything when its broadcaster first
//! connects (a restarted instance clears what its predecessor may have left) and after any
//! notice it could not send.

use std::time::Duration;

use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::sync::{mpsc, oneshot};

use super::Invalidation;

/// How long a request waits for its notice before it is answered anyway (its write has
/// committed). The broadcaster keeps trying and then tells the others to forget everything.
const NOTICE_WAIT: Duration = Duration::from_secs(2);

/// How long one notice may take before its connection is given up for a new one (a
/// connection cut without a reset would otherwise hold every write for [`NOTICE_WAIT`]).
const SEND_TIMEOUT: Duration = Duration::from_secs(1);

/// PostgreSQL refuses payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;

/// Separates the invalidations of one payload. An instance of an older release reads such a
/// payload as unknown, that is as "everything": it can only forget too much.
const SEPARATOR: char = '\n';

struct Notice {
    invalidations: Vec<Invalidation>,
    sent: oneshot::Sender<()>,
}

/// The sending side; cheap to clone.
#[derive(Clone, Debug)]
pub struct Broadcast {
    notices: mpsc::UnboundedSender<Notice>,
}

impl Broadcast {
    /// Starts the broadcaster on its own connection to `url`.
    pub fn start(url: String) -> (Self, tokio::task::JoinHandle<()>) {
        let (notices, receiver) = mpsc::unbounded_channel();
        (Self { notices }, tokio::spawn(run(url, receiver)))
    }

    /// Tells the other instances, returning once PostgreSQL took the notice (or after
    /// [`NOTICE_WAIT`]: the broadcaster then keeps trying on its own).
    pub async fn tell(&self, invalidations: Vec<Invalidation>) {
        let Some(told) = self.queue(invalidations) else {
            return;
        };
        if tokio::time::timeout(NOTICE_WAIT, told).await.is_err() {
            tracing::warn!(
                "answered before the other instances were told of the write; they will be told to forget everything"
            );
        }
    }

    /// Tells the other instances without waiting (a request that was dropped on the way).
    pub fn tell_without_waiting(&self, invalidations: Vec<Invalidation>) {
        let _not_waited_for = self.queue(invalidations);
    }

    /// Hands the notice to the broadcaster (at once, before any wait): what it receives once
    /// the notice went out.
    fn queue(&self, invalidations: Vec<Invalidation>) -> Option<oneshot::Receiver<()>> {
        if invalidations.is_empty() {
            return None;
        }
        let (sent, told) = oneshot::channel();
        let notice = Notice {
            invalidations,
            sent,
        };
        if self.notices.send(notice).is_err() {
            tracing::error!("the answer broadcaster has stopped; other instances were not told");
            return None;
        }
        Some(told)
    }
}

async fn run(url: String, mut receiver: mpsc::UnboundedReceiver<Notice>) {
    let mut connection: Option<AsyncPgConnection> = None;
    // What a predecessor of this instance may have failed to tell.
    let mut owe_everything = true;
    let mut batch = Vec::new();
    loop {
        if !owe_everything && receiver.recv_many(&mut batch, 4096).await == 0 {
            return;
        }
        // Whatever else finished meanwhile goes out with it.
        while let Ok(more) = receiver.try_recv() {
            batch.push(more);
        }
        let payloads = if owe_everything {
            vec![Invalidation::Everything.payload()]
        } else {
            payloads(batch.iter().flat_map(|notice| &notice.invalidations))
        };
        let sent = tokio::time::timeout(SEND_TIMEOUT, send(&mut connection, &url, &payloads))
            .await
            .unwrap_or_else(|_| Err(timed_out()));
        match sent {
            Ok(()) => {
                owe_everything = false;
                for notice in batch.drain(..) {
                    let _answered_already = notice.sent.send(());
                }
            }
            Err(error) => {
                tracing::warn!(%error, "could not tell the other instances of writes; retrying");
                metrics::counter!("galley_answer_notice_failures_total").increment(1);
                connection = None;
                owe_everything = true;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

fn timed_out() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("no answer within {} s", SEND_TIMEOUT.as_secs()).into(),
    )
}

async fn send(
    connection: &mut Option<AsyncPgConnection>,
    url: &str,
    payloads: &[String],
) -> Result<(), diesel::result::Error> {
    let conn = match connection {
        Some(conn) => conn,
        None => {
            let mut fresh = AsyncPgConnection::establish(url)
                .await
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
            // A notice need not survive a crash of the database (listeners reconnect and start
            // empty then), so its commit does not wait for the WAL flush.
            diesel::sql_query("SET synchronous_commit TO off")
                .execute(&mut fresh)
                .await?;
            connection.insert(fresh)
        }
    };
    crate::db::Cached(
        diesel::sql_query("SELECT pg_notify($1, payload) FROM unnest($2) AS payload")
            .bind::<Text, _>(super::listen::CHANNEL)
            .bind::<Array<Text>, _>(payloads),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The payloads telling `invalidations`: each distinct one once, as few payloads as fit.
fn payloads<'a>(invalidations: impl Iterator<Item = &'a Invalidation>) -> Vec<String> {
    let mut texts: Vec<String> = invalidations.map(|i| i.payload()).collect();
    if texts
        .iter()
        .any(|text| *text == Invalidation::Everything.payload())
    {
        return vec![Invalidation::Everything.payload()];
    }
    texts.sort_unstable();
    texts.dedup();
    let mut payloads = vec![String::new()];
    for text in texts {
        let last = payloads
            .last_mut()
            .filter(|p| p.len() + 1 + text.len() <= MAX_PAYLOAD);
        match last {
            Some(payload) if !payload.is_empty() => {
                payload.push(SEPARATOR);
                payload.push_str(&text);
            }
            Some(payload) => payload.push_str(&text),
            None => payloads.push(text),
        }
    }
    payloads
}

/// The invalidations one payload tells (see [`Invalidation::parse`] for unknown ones).
pub fn parse(payload: &str) -> impl Iterator<Item = Invalidation> + '_ {
    payload.split(SEPARATOR).map(Invalidation::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(department: i64) -> Invalidation {
        Invalidation::DepartmentWeek {
            tenant: 1,
            site: 2,
            department,
            year: 2026,
            week: 49,
        }
    }

    #[test]
    fn a_batch_is_told_once_each_in_payloads_postgresql_accepts() {
        let told: Vec<_> = (0..2_000).map(|i| week(i % 700)).collect();
        let payloads = payloads(told.iter());
        assert!(
            payloads.len() > 1,
            "700 distinct notices fill several payloads"
        );
        assert!(
            payloads
                .iter()
                .all(|p| !p.is_empty() && p.len() <= MAX_PAYLOAD)
        );
        let mut read: Vec<_> = payloads.iter().flat_map(|p| parse(p)).collect();
        assert_eq!(read.len(), 700);
        read.dedup();
        assert_eq!(read.len(), 700);
        assert!((0..700).all(|department| read.contains(&week(department))));
    }

    #[test]
    fn everything_in_a_batch_tells_only_everything() {
        let told = [week(1), Invalidation::Everything, Invalidation::Tenant(3)];
        assert_eq!(payloads(told.iter()), vec!["*".to_owned()]);
        assert_eq!(
            parse("*").collect::<Vec<_>>(),
            vec![Invalidation::Everything]
        );
    }

    #[test]
    fn an_older_instance_reads_a_joined_payload_as_everything() {
        let joined = payloads([week(1), week(2)].iter()).remove(0);
        assert_eq!(Invalidation::parse(&joined), Invalidation::Everything);
    }
}
