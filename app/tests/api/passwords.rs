//! Changing one's own password, and admin-issued reset links with their page.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::{PASSWORD, login_response, seed_user};
use crate::client::Client;
use crate::harness::{TestApp, TestResponse};
use crate::tokens::{audit_rows, bearer, count_action, fields, make_token};

const NEW_PASSWORD: &str = "rabarber-paj-med-vanilj";
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

async fn me(app: &TestApp, client: &Client<'_>) -> StatusCode {
    app.request(
        Method::GET,
        "/api/v1/auth/me",
        &[("cookie", &client.cookie)],
        "",
    )
    .await
    .status
}

async fn change(client: &Client<'_>, current: &str, new: &str) -> TestResponse {
    client
        .post(
            "/api/v1/auth/password",
            json!({ "current_password": current, "new_password": new }),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_password_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::new().await;
    let (tenant, user, email) = seed_user(&app, Role::Cook).await;
    let here = Client::sign_in(&app, &email).await;
    let elsewhere = Client::sign_in(&app, &email).await;

    let changed = change(&here, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text());
    assert_eq!(me(&app, &here).await, StatusCode::OK, "this session stays");
    assert_eq!(
        me(&app, &elsewhere).await,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    assert_eq!(
        login_response(&app, &email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_response(&app, &email, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let rows = audit_rows(&app).await;
    let row = rows
        .iter()
        .find(|r| r.action == "auth.password_changed")
        .expect("audited");
    assert_eq!(row.actor_user_id, Some(user));
    assert_eq!(row.tenant_id, Some(tenant));
    assert_eq!(row.target_id.as_deref(), Some(user.to_string().as_str()));
    assert!(!row.details.contains(NEW_PASSWORD) && !row.details.contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_current_password_is_refused_and_counts_as_a_failed_sign_in() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Viewer).await;
    let client = Client::sign_in(&app, &email).await;

    let wrong = change(&client, "not my password at all", NEW_PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&wrong), ["current_password"]);
    let weak = change(&client, PASSWORD, "short").await;
    assert_eq!(fields(&weak), ["new_password"]);
    let same = change(&client, PASSWORD, PASSWORD).await;
    assert_eq!(fields(&same), ["new_password"]);
    let both = change(&client, "not my password at all", "password1234").await;
    assert_eq!(fields(&both), ["current_password", "new_password"]);
    let missing = client
        .post(
            "/api/v1/auth/password",
            json!({ "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count_action(&app, "auth.password_changed").await, 0);
    assert_eq!(
        login_response(&app, &email, PASSWORD).await.status,
        StatusCode::OK,
        "nothing changed"
    );

    // Two failures so far; three more exhaust the default budget of five.
    for _ in 0..3 {
        let response = change(&client, "still not my password", NEW_PASSWORD).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = change(&client, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.text()
    );
    assert_eq!(
        login_response(&app, &email, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the same lock as sign-in"
    );
    assert_eq!(count_action(&app, "auth.password_change_failed").await, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_token_cannot_change_a_password() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let (_, secret) = make_token(&admin, "Automation", "admin").await;
    // Refused before the body is judged: the empty body is not the reason.
    let refused = bearer(&app, Method::POST, "/api/v1/auth/password", &secret).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert_eq!(refused.json()["type"], "/problems/forbidden");
    let anonymous = app
        .request(
            Method::POST,
            "/api/v1/auth/password",
            &[("content-type", "application/json")],
            json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }).to_string(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// A reset link made by the admin for the user: the URL path.
async fn reset_link(admin: &Client<'_>, user: i64) -> String {
    let response = admin
        .post(&format!("/api/v1/users/{user}/reset-link"), json!({}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()["url"].as_str().unwrap().to_owned()
}

async fn submit(
    app: &TestApp,
    url: &str,
    password: &str,
    again: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let mut headers = vec![FORM];
    headers.extend_from_slice(extra);
    app.request(
        Method::POST,
        url,
        &headers,
        format!("password={password}&password_confirm={again}"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_link_sets_a_new_password_once_and_signs_everyone_out() {
    let app = TestApp::new().await;
    let (tenant, admin_id, admin_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin_email).await;
    let cook_email = format!("kock-{tenant}@example.se");
    let created = admin
        .post(
            "/api/v1/users",
            json!({ "email": cook_email, "display_name": "Kock", "role": "cook", "password": PASSWORD }),
        )
        .await;
    let cook_id = created.json()["id"].as_i64().unwrap();
    let cook = Client::sign_in(&app, &cook_email).await;

    let response = admin
        .post(&format!("/api/v1/users/{cook_id}/reset-link"), json!({}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.header("cache-control"), "no-store");
    let body = response.json();
    let url = body["url"].as_str().unwrap().to_owned();
    let secret = url
        .strip_prefix("/reset/")
        .expect("a relative /reset/ path");
    assert!(secret.len() >= 40);
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    let rows = audit_rows(&app).await;
    let made = rows
        .iter()
        .find(|r| r.action == "user.reset_link_created")
        .expect("audited");
    assert_eq!(made.actor_user_id, Some(admin_id));
    assert_eq!(
        made.target_id.as_deref(),
        Some(cook_id.to_string().as_str())
    );
    assert!(
        !made.details.contains(secret),
        "the secret is never audited"
    );

    // The page, in the shared layout, in Swedish by default.
    let page = app.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.header("cache-control"), "no-store");
    let html = page.text();
    assert!(
        html.contains(&format!(r#"<form method="post" action="{url}""#)),
        "{html}"
    );
    assert!(html.contains("Välj ett nytt lösenord"));
    assert!(html.contains(r#"class="topbar""#), "in the shared layout");
    let english = app.get(&format!("{url}?lang=en")).await.text();
    assert!(english.contains("Choose a new password"));

    // Not the same twice: an error next to the second field, nothing typed echoed.
    let mismatch = submit(&app, &url, NEW_PASSWORD, "rabarber-paj-utan-vanilj", &[]).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = mismatch.text();
    assert!(html.contains("Lösenorden är inte likadana."), "{html}");
    assert!(html.contains(r#"id="password-confirm-error""#));
    assert!(!html.contains(NEW_PASSWORD) && !html.contains("rabarber-paj-utan-vanilj"));
    let weak = submit(&app, &url, "password1234", "password1234", &[]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().contains(r#"id="password-error""#));
    assert!(!weak.text().contains("password1234"));
    assert_eq!(me(&app, &cook).await, StatusCode::OK, "nothing changed yet");

    // A browser where the admin is signed in posts it without a CSRF token: not blocked.
    let done = submit(
        &app,
        &url,
        NEW_PASSWORD,
        NEW_PASSWORD,
        &[("cookie", admin.cookie.as_str())],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(done.header("location"), "/login");
    assert_eq!(
        me(&app, &cook).await,
        StatusCode::UNAUTHORIZED,
        "signed out"
    );
    assert_eq!(
        me(&app, &admin).await,
        StatusCode::OK,
        "only the cook's sessions"
    );
    assert_eq!(
        login_response(&app, &cook_email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_response(&app, &cook_email, NEW_PASSWORD).await.status,
        StatusCode::OK
    );

    // Single use.
    let used = app.get(&url).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND);
    assert!(
        used.text()
            .contains("Länken har gått ut eller redan använts")
    );
    assert!(
        !used
            .text()
            .contains("<form method=\"post\" action=\"/reset/")
    );
    let replay = submit(
        &app,
        &url,
        "ett-helt-annat-losen",
        "ett-helt-annat-losen",
        &[],
    )
    .await;
    assert_eq!(replay.status, StatusCode::NOT_FOUND);
    assert_eq!(
        login_response(&app, &cook_email, NEW_PASSWORD).await.status,
        StatusCode::OK
    );

    let rows = audit_rows(&app).await;
    let reset: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "auth.password_reset")
        .collect();
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0].actor_user_id, Some(cook_id));
    assert_eq!(reset[0].tenant_id, Some(tenant));
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_superseded_and_disabled_links_do_not_work() {
    let app = TestApp::new().await;
    let (_, _, admin_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin_email).await;
    let created = admin
        .post(
            "/api/v1/users",
            json!({ "email": "viewer@lerum.se", "display_name": "V", "role": "viewer", "password": PASSWORD }),
        )
        .await;
    let user = created.json()["id"].as_i64().unwrap();

    // Expired: set in the past directly in the database.
    let expired = reset_link(&admin, user).await;
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        galley_core::db_run!(conn, |c| {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            use galley_core::schema::password_resets;
            diesel::update(password_resets::table)
                .set(password_resets::expires_at.eq(password_resets::created_at))
                .execute(c)
                .await
        })
        .unwrap();
    }
    assert_eq!(app.get(&expired).await.status, StatusCode::NOT_FOUND);
    let late = submit(&app, &expired, NEW_PASSWORD, NEW_PASSWORD, &[]).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);

    // Superseded: only the newest link works.
    let older = reset_link(&admin, user).await;
    let newer = reset_link(&admin, user).await;
    assert_eq!(app.get(&older).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&newer).await.status, StatusCode::OK);

    // Disabled after the link was made: it stops working; no new link while disabled.
    let read = admin.get(&format!("/api/v1/users/{user}")).await;
    let tag = read.header("etag").to_owned();
    let disabled = admin
        .patch(
            &format!("/api/v1/users/{user}"),
            Some(&tag),
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text());
    assert_eq!(app.get(&newer).await.status, StatusCode::NOT_FOUND);
    let blocked = submit(&app, &newer, NEW_PASSWORD, NEW_PASSWORD, &[]).await;
    assert_eq!(blocked.status, StatusCode::NOT_FOUND);
    let refused = admin
        .post(&format!("/api/v1/users/{user}/reset-link"), json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(
        login_response(&app, "viewer@lerum.se", NEW_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(count_action(&app, "auth.password_reset").await, 0);
    assert_eq!(
        app.get("/reset/not-a-real-token").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_links_stay_within_the_tenant_and_need_a_signed_in_admin() {
    let app = TestApp::new().await;
    let (_, _, a_email) = seed_user(&app, Role::Admin).await;
    let (_, b_user, _) = seed_user(&app, Role::Cook).await;
    let a = Client::sign_in(&app, &a_email).await;
    let other = a
        .post(&format!("/api/v1/users/{b_user}/reset-link"), json!({}))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text());

    let (_, _, cook_email) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook_email).await;
    let cook_refused = cook
        .post(&format!("/api/v1/users/{b_user}/reset-link"), json!({}))
        .await;
    assert_eq!(cook_refused.status, StatusCode::FORBIDDEN);

    let (_, secret) = make_token(&a, "Automation", "admin").await;
    let me_id = a.get("/api/v1/auth/me").await.json()["user_id"]
        .as_i64()
        .unwrap();
    let by_token = bearer(
        &app,
        Method::POST,
        &format!("/api/v1/users/{me_id}/reset-link"),
        &secret,
    )
    .await;
    assert_eq!(
        by_token.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_token.text()
    );
    assert_eq!(count_action(&app, "user.reset_link_created").await, 0);
}
