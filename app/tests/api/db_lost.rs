//! A database connection that dies in the middle of a request (the server restarted, a
//! failover, `pg_terminate_backend`) is the database being unavailable: 503 problem, never a
//! 500; an idempotent read is tried once more on a fresh connection before giving up.
//!
//! PostgreSQL only: an embedded SQLite file cannot drop a connection.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::{TestApp, TestResponse, on_postgres};

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// Holds `table` locked from another connection, runs `request` (which blocks on the lock),
/// terminates the backend that serves it while it waits, then lets the lock go.
async fn kill_backend_during(
    app: &TestApp,
    table: &str,
    request: impl std::future::Future<Output = TestResponse>,
) -> TestResponse {
    let url = app.database_url();
    let mut locker = AsyncPgConnection::establish(&url).await.unwrap();
    locker
        .batch_execute(&format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
        ))
        .await
        .unwrap();
    let (response, ()) = tokio::join!(request, terminate_the_waiter(&mut locker));
    response
}

async fn terminate_the_waiter(locker: &mut AsyncPgConnection) {
    let mut killed = false;
    for _ in 0..200 {
        let waiting: Vec<Pid> = diesel::sql_query(
            "SELECT pid FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock' \
             AND pid <> pg_backend_pid()",
        )
        .load(locker)
        .await
        .unwrap();
        if let Some(victim) = waiting.as_slice().first() {
            locker
                .batch_execute(&format!("SELECT pg_terminate_backend({})", victim.pid))
                .await
                .unwrap();
            killed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(killed, "the request never waited on the lock");
    locker.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_whose_connection_dies_is_retried_on_a_fresh_one() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let response = kill_backend_during(&app, "sites", admin.get("/api/v1/sites")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["total"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_whose_connection_dies_is_a_503_and_changes_nothing() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let site = admin.get("/api/v1/sites").await.json()["items"][0].clone();
    let path = format!("/api/v1/sites/{}", site["id"]);
    let etag = admin.get(&path).await.header("etag").to_owned();
    let rename = json!({ "name": "Renamed while the database went away" });
    let response =
        kill_backend_during(&app, "sites", admin.patch(&path, Some(&etag), rename)).await;
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        response.text()
    );
    assert_eq!(response.content_type(), "application/problem+json");
    assert_eq!(response.json()["type"], "/problems/not-ready");
    assert!(!response.header("retry-after").is_empty());
    // Nothing was written, and the service answers again at once.
    let after = admin.get(&path).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.json()["name"], site["name"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_statement_is_not_mistaken_for_a_lost_connection() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let pool = app.app.state.db.clone();
    let ((), verdict) = galley_core::db::watch::watched(async {
        let mut pooled = pool.get().await.unwrap();
        let failed = galley_core::db_run!(&mut pooled.conn(), |c| {
            c.batch_execute("SELECT no_such_column FROM users").await
        });
        let error = galley_core::db::DbError::from(failed.unwrap_err());
        assert!(
            matches!(error, galley_core::db::DbError::Other(_)),
            "{error}"
        );
    })
    .await;
    assert_eq!(verdict, galley_core::db::watch::Verdict::StatementFailed);

    let (error, verdict) = galley_core::db::watch::watched(async {
        let mut pooled = pool.get().await.unwrap();
        let conn = &mut pooled.conn();
        let killed = galley_core::db_run!(conn, |c| {
            c.batch_execute("SELECT pg_terminate_backend(pg_backend_pid())")
                .await
        });
        galley_core::db::DbError::from(killed.unwrap_err())
    })
    .await;
    // Either the error itself says the connection went, or the watch finds it dead.
    assert!(
        matches!(error, galley_core::db::DbError::Unavailable(_))
            || verdict == galley_core::db::watch::Verdict::ConnectionLost,
        "{error} {verdict:?}"
    );
}

/// Flips whether the app's database accepts connections, and with `false` ends the ones it
/// has, from an administrative connection of its own.
async fn accept_connections(app: &TestApp, accept: bool) {
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut admin = AsyncPgConnection::establish(&admin_url).await.unwrap();
    let url = app.database_url();
    let name = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {accept}"
        ))
        .await
        .unwrap();
    if !accept {
        admin
            .batch_execute(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            .await
            .unwrap();
    }
}

/// A database that refuses every connection for a while (issue 13, item 3): `/ready` says so
/// with 503 and a reason, requests answer 503 problem+json instead of hanging, and everything
/// works again once it takes connections, without a restart.
#[tokio::test(flavor = "multi_thread")]
async fn a_database_that_refuses_connections_is_503_until_it_returns() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    assert_eq!(admin.get("/api/v1/sites").await.status, StatusCode::OK);

    accept_connections(&app, false).await;
    // A hang, not a slow answer, is what this bound catches.
    let bound = Duration::from_secs(60);
    let ready = tokio::time::timeout(bound, app.get("/ready"))
        .await
        .unwrap();
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.text()
    );
    assert!(ready.text().contains("database"), "{}", ready.text());
    let refused = tokio::time::timeout(bound, admin.get("/api/v1/sites"))
        .await
        .unwrap();
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.text()
    );
    assert_eq!(refused.content_type(), "application/problem+json");
    assert!(!refused.header("retry-after").is_empty());

    accept_connections(&app, true).await;
    let mut answered = admin.get("/api/v1/sites").await;
    for _ in 0..100 {
        if answered.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answered = admin.get("/api/v1/sites").await;
    }
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text());
    assert_eq!(app.get("/ready").await.status, StatusCode::OK);
}

/// Every connection of the app terminated again and again while requests keep coming (issue
/// 13, item 3): answers are 200 or 503, never a 500 or a hang, and once the terminations stop
/// everything answers 200 again without a restart.
#[tokio::test(flavor = "multi_thread")]
async fn repeated_terminations_under_load_give_503s_and_then_recover() {
    if !on_postgres() {
        return;
    }
    let app = Arc::new(TestApp::new().await);
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let (cookie, csrf) = (admin.cookie.clone(), admin.csrf.clone());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (app, stop) = (app.clone(), stop.clone());
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        readers.spawn(async move {
            let client = Client {
                app: &app,
                cookie,
                csrf,
            };
            let mut seen = Vec::new();
            while !std::sync::atomic::AtomicBool::load(&stop, std::sync::atomic::Ordering::Relaxed)
            {
                let answer =
                    tokio::time::timeout(Duration::from_secs(60), client.get("/api/v1/sites"))
                        .await
                        .expect("a request hung");
                seen.push(answer.status);
            }
            seen
        });
    }
    let url = app.database_url();
    let mut killer = AsyncPgConnection::establish(&url).await.unwrap();
    for _ in 0..10 {
        killer
            .batch_execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut statuses = Vec::new();
    while let Some(seen) = readers.join_next().await {
        statuses.extend(seen.unwrap());
    }
    assert!(
        statuses.len() > 8,
        "the readers kept reading: {}",
        statuses.len()
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "only 200 and 503: {statuses:?}"
    );
    assert_eq!(admin.get("/api/v1/sites").await.status, StatusCode::OK);
    assert_eq!(app.get("/ready").await.status, StatusCode::OK);
}
