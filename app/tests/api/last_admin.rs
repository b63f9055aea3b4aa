//! A tenant never loses its last active admin: not by role change, disabling or deletion, not
//! through the API or the pages, not by a token, a superuser, or two admins racing.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::{Value, json};

use crate::auth::{PASSWORD, seed_user};
use crate::client::Client;
use crate::console::{hidden_etag, post_form};
use crate::harness::{TestApp, TestResponse};
use crate::tokens::make_token;

/// A bearer-token request with a JSON body and `If-Match`.
async fn bearer_send(
    app: &TestApp,
    secret: &str,
    method: Method,
    path: &str,
    etag: &str,
    body: Option<Value>,
) -> TestResponse {
    let auth = format!("Bearer {secret}");
    app.request(
        method,
        path,
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("if-match", etag),
        ],
        body.map(|b| b.to_string()).unwrap_or_default(),
    )
    .await
}

async fn etag_of(app: &TestApp, secret: &str, id: i64) -> String {
    let auth = format!("Bearer {secret}");
    let read = app
        .request(
            Method::GET,
            &format!("/api/v1/users/{id}"),
            &[("authorization", auth.as_str())],
            "",
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    read.header("etag").to_owned()
}

fn assert_last_admin(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.text());
    assert!(
        response
            .content_type()
            .starts_with("application/problem+json")
    );
    assert_eq!(response.json()["type"], "/problems/last-admin");
}

/// A tenant whose only admin made an admin-scoped token: (tenant, admin id, token secret).
async fn tenant_with_admin_token(app: &TestApp) -> (i64, i64, String) {
    let (tenant, admin_id, email) = seed_user(app, Role::Admin).await;
    let admin = Client::sign_in(app, &email).await;
    let (_, secret) = make_token(&admin, "Integration", "admin").await;
    (tenant, admin_id, secret)
}

async fn add_admin(app: &TestApp, secret: &str, email: &str) -> i64 {
    let auth = format!("Bearer {secret}");
    let made = app
        .request(
            Method::POST,
            "/api/v1/users",
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
            ],
            json!({ "email": email, "display_name": "Second", "role": "admin", "password": PASSWORD })
                .to_string(),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    made.json()["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_token_cannot_demote_disable_or_delete_the_only_admin() {
    let app = TestApp::new().await;
    let (_, admin, secret) = tenant_with_admin_token(&app).await;
    let path = format!("/api/v1/users/{admin}");
    for change in [json!({ "role": "cook" }), json!({ "disabled": true })] {
        let etag = etag_of(&app, &secret, admin).await;
        let refused = bearer_send(&app, &secret, Method::PATCH, &path, &etag, Some(change)).await;
        assert_last_admin(&refused);
    }
    let etag = etag_of(&app, &secret, admin).await;
    let refused = bearer_send(&app, &secret, Method::DELETE, &path, &etag, None).await;
    assert_last_admin(&refused);
    // Nothing changed; a harmless edit of the same admin still works.
    let etag = etag_of(&app, &secret, admin).await;
    let renamed = bearer_send(
        &app,
        &secret,
        Method::PATCH,
        &path,
        &etag,
        Some(json!({ "display_name": "Still admin" })),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(renamed.json()["role"], "admin");

    // With a second admin the first may step down; then the second is the last.
    let second = add_admin(&app, &secret, "second@example.se").await;
    let etag = etag_of(&app, &secret, admin).await;
    let demoted = bearer_send(
        &app,
        &secret,
        Method::PATCH,
        &path,
        &etag,
        Some(json!({ "role": "viewer" })),
    )
    .await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.text());
    let etag = etag_of(&app, &secret, second).await;
    let refused = bearer_send(
        &app,
        &secret,
        Method::DELETE,
        &format!("/api/v1/users/{second}"),
        &etag,
        None,
    )
    .await;
    assert_last_admin(&refused);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_demotions_of_the_last_two_admins_do_not_both_succeed() {
    let app = Arc::new(TestApp::new().await);
    let (_, first, secret) = tenant_with_admin_token(&app).await;
    let second = add_admin(&app, &secret, "second@example.se").await;
    let mut set = tokio::task::JoinSet::new();
    for id in [first, second] {
        let etag = etag_of(&app, &secret, id).await;
        let (app, secret) = (Arc::clone(&app), secret.clone());
        set.spawn(async move {
            bearer_send(
                &app,
                &secret,
                Method::PATCH,
                &format!("/api/v1/users/{id}"),
                &etag,
                Some(json!({ "role": "cook" })),
            )
            .await
        });
    }
    let mut statuses = Vec::new();
    while let Some(response) = set.join_next().await {
        let response = response.unwrap();
        if response.status == StatusCode::CONFLICT {
            assert_last_admin(&response);
        }
        statuses.push(response.status);
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_people_page_says_why_the_last_admin_cannot_be_deleted() {
    let app = TestApp::new().await;
    let (tenant, admin, _) = seed_user(&app, Role::Admin).await;
    let (_, _, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;
    let started = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "Support ticket 4711" }),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    let path = format!("/admin/users/{admin}");
    let etag = hidden_etag(&superuser.get(&path).await.text());
    let refused = post_form(
        &superuser,
        &format!("{path}/delete"),
        &[("etag", &etag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("Organisationen skulle bli utan aktiv administratör"),
        "{}",
        refused.text()
    );
}

#[derive(diesel::QueryableByName)]
struct Waiting {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// The lock itself, step by step on PostgreSQL: a second check made while a first transaction
/// has demoted an admin but not yet committed must wait, and then see the demotion. (SQLite
/// takes its write lock first, so the second transaction cannot start its check at all.)
#[tokio::test(flavor = "multi_thread")]
async fn a_second_check_waits_for_an_uncommitted_demotion_and_sees_it() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
    use galley_core::db::DbConn;
    use galley_core::people::users::lock_active_admins;
    if !crate::harness::on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let (tenant, first, secret) = tenant_with_admin_token(&app).await;
    let second = add_admin(&app, &secret, "second@example.se").await;
    let url = app.database_url();
    let mut t1 = AsyncPgConnection::establish(&url).await.unwrap();
    let mut watcher = AsyncPgConnection::establish(&url).await.unwrap();
    t1.batch_execute("BEGIN").await.unwrap();
    let mut seen = lock_active_admins(&mut DbConn::Postgres(&mut t1), tenant)
        .await
        .unwrap();
    seen.sort();
    assert_eq!(seen, [first, second]);
    t1.batch_execute(&format!(
        "UPDATE users SET role = 'cook' WHERE id = {first}"
    ))
    .await
    .unwrap();

    let second_check = tokio::spawn(async move {
        let mut t2 = AsyncPgConnection::establish(&url).await.unwrap();
        t2.batch_execute("BEGIN").await.unwrap();
        let seen = lock_active_admins(&mut DbConn::Postgres(&mut t2), tenant)
            .await
            .unwrap();
        t2.batch_execute("COMMIT").await.unwrap();
        seen
    });
    // Commit the first only once the second is waiting on its lock (or has, wrongly, finished).
    while !second_check.is_finished() {
        let waiting: Waiting = diesel::sql_query(
            "SELECT count(*) AS count FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(&mut watcher)
        .await
        .unwrap();
        if waiting.count > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    t1.batch_execute("COMMIT").await.unwrap();
    assert_eq!(second_check.await.unwrap(), [second]);
}
