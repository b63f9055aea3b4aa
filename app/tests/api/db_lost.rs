//! A database connection that dies in the middle of a request (the server restarted, a
//! failover, `pg_terminate_backend`) is the database being unavailable: 503 problem, never a
//! 500; an idempotent read is tried once more on a fresh connection before giving up.
//!
//! PostgreSQL only: an embedded SQLite file cannot drop a connection.

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
