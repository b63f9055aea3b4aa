//! API tokens over the API: made by admins, shown once, used as Bearer, listed without the
//! secret, revoked or expired and refused at once, confined to their tenant.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::{Value, json};

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::{TestApp, TestResponse};

pub async fn audit_rows(app: &TestApp) -> Vec<galley_core::audit::AuditRow> {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), None, 500)
        .await
        .unwrap()
}

pub async fn count_action(app: &TestApp, action: &str) -> usize {
    audit_rows(app)
        .await
        .iter()
        .filter(|row| row.action == action)
        .count()
}

pub fn fields(response: &TestResponse) -> Vec<String> {
    response.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors[] in {}", response.text()))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// An expiry between one and two years ahead, whatever today is.
fn next_year_end() -> String {
    let year: i32 = galley_core::db::now()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    format!("{}-12-31T12:00:00+01:00", year + 1)
}

/// A token made through the API by a signed-in admin: (id, secret).
pub async fn make_token(admin: &Client<'_>, name: &str, role: &str) -> (i64, String) {
    let response = admin
        .post("/api/v1/tokens", json!({ "name": name, "role": role }))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let body = response.json();
    (
        body["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

pub async fn bearer(app: &TestApp, method: Method, path: &str, secret: &str) -> TestResponse {
    let auth = format!("Bearer {secret}");
    let body = if method == Method::GET { "" } else { "{}" };
    app.request(
        method,
        path,
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ],
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_works_at_once_is_listed_without_its_secret_and_stops_when_revoked() {
    let app = TestApp::new().await;
    let (tenant, admin_id, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;

    let expires = next_year_end();
    let created = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": "  Kassasystem ", "role": "viewer", "expires_at": expires }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.header("cache-control"), "no-store");
    let body = created.json();
    let secret = body["token"].as_str().unwrap().to_owned();
    let id = body["id"].as_i64().unwrap();
    assert!(secret.len() >= 40, "{secret}");
    assert_eq!(body["name"], "Kassasystem");
    assert_eq!(body["role"], "viewer");
    assert_eq!(body["tenant_id"], tenant);
    assert_eq!(body["created_by"], admin_id);
    assert_eq!(body["prefix"], &secret[..8]);
    assert!(body["revoked_at"].is_null());
    assert!(body["last_used_at"].is_null());
    assert!(body.get("token_hash").is_none());
    assert!(
        body["expires_at"].as_str().unwrap().contains("T11:00:00"),
        "stored in UTC: {body}"
    );

    // Used as Bearer, judged as its role.
    let me = bearer(&app, Method::GET, "/api/v1/auth/me", &secret).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(me.json()["role"], "viewer");
    assert_eq!(me.json()["tenant_id"], tenant);
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/sites", &secret)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/users", &secret)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "a viewer token is a viewer"
    );

    // Listed and read without the secret, with its last use.
    let list = admin.get("/api/v1/tokens").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text().contains(&secret), "{}", list.text());
    let page = list.json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], id);
    assert!(page["items"][0].get("token").is_none());
    let read = admin.get(&format!("/api/v1/tokens/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.text().contains(&secret));
    assert!(read.json()["last_used_at"].is_string());

    // Revoked: refused from the very next request.
    let path = format!("/api/v1/tokens/{id}");
    assert_eq!(
        admin.delete(&path, None).await.status,
        StatusCode::NO_CONTENT
    );
    let refused = bearer(&app, Method::GET, "/api/v1/auth/me", &secret).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json()["type"], "/problems/unauthenticated");
    let again = admin.delete(&path, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    let listed: Value = admin.get("/api/v1/tokens").await.json();
    assert_eq!(listed["total"], 1, "revoked tokens stay listed");
    assert!(listed["items"][0]["revoked_at"].is_string());

    let rows = audit_rows(&app).await;
    for action in ["token.created", "token.revoked"] {
        let matching: Vec<_> = rows.iter().filter(|r| r.action == action).collect();
        assert_eq!(matching.len(), 1, "{action}");
        assert_eq!(
            matching[0].target_id.as_deref(),
            Some(id.to_string().as_str())
        );
        assert_eq!(matching[0].tenant_id, Some(tenant));
        assert_eq!(matching[0].actor_user_id, Some(admin_id));
    }
    assert!(
        rows.iter().all(|r| !r.details.contains(&secret)),
        "the secret is never audited"
    );
}

/// A token is refused from the moment it expires, even though its grant is kept in memory
/// between requests (the grant never outlives the token).
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refused_at_once() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let (id, secret) = make_token(&admin, "Rapporter", "cook").await;
    // Written behind the application's back before the token is first used: it expires two
    // seconds from now (the API takes whole days).
    let expires = chrono::Utc::now().naive_utc() + chrono::Duration::seconds(2);
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        galley_core::db_run!(conn, |c| {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            use galley_core::schema::api_tokens;
            diesel::update(api_tokens::table.find(id))
                .set(api_tokens::expires_at.eq(Some(expires)))
                .execute(c)
                .await
        })
        .unwrap();
    }
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        StatusCode::OK,
        "live until it expires"
    );
    let left = (expires - chrono::Utc::now().naive_utc())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(left + std::time::Duration::from_millis(100)).await;
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_token_is_validated() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;

    let invalid = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": " ", "role": "superuser", "expires_at": "2020-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&invalid), ["name", "role", "expires_at"]);

    let year: i32 = galley_core::db::now()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    for expires in [format!("{}-01-01T00:00:00Z", year + 3), "tomorrow".into()] {
        let response = admin
            .post(
                "/api/v1/tokens",
                json!({ "name": "X", "role": "viewer", "expires_at": expires }),
            )
            .await;
        assert_eq!(fields(&response), ["expires_at"], "{expires}");
    }
    for body in [
        json!({ "name": "X", "role": "chef" }),
        json!({ "name": "X" }),
        json!({ "name": "X", "role": "viewer", "secret": "mine" }),
    ] {
        let response = admin.post("/api/v1/tokens", body.clone()).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            response.text()
        );
    }
    assert_eq!(admin.get("/api/v1/tokens").await.json()["total"], 0);
    assert_eq!(count_action(&app, "token.created").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_signed_in_admins_make_tokens() {
    let app = TestApp::new().await;
    let (_, _, cook_email) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook_email).await;
    let refused = cook
        .post("/api/v1/tokens", json!({ "name": "X", "role": "cook" }))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["type"], "/problems/forbidden");
    assert_eq!(
        cook.get("/api/v1/tokens").await.status,
        StatusCode::FORBIDDEN
    );

    // An admin-scoped token may list and revoke, but not mint more tokens.
    let (_, _, admin_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin_email).await;
    let (id, secret) = make_token(&admin, "Automation", "admin").await;
    let minted = app
        .request(
            Method::POST,
            "/api/v1/tokens",
            &[
                ("authorization", &format!("Bearer {secret}")),
                ("content-type", "application/json"),
            ],
            json!({ "name": "Y", "role": "admin" }).to_string(),
        )
        .await;
    assert_eq!(minted.status, StatusCode::FORBIDDEN, "{}", minted.text());
    let listed = bearer(&app, Method::GET, "/api/v1/tokens", &secret).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json()["total"], 1);
    let own = bearer(
        &app,
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        &secret,
    )
    .await;
    assert_eq!(own.status, StatusCode::NO_CONTENT, "{}", own.text());
    let audit = audit_rows(&app).await;
    let revoked = audit.iter().find(|r| r.action == "token.revoked").unwrap();
    assert_eq!(revoked.actor_token_id, Some(id));
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/tokens", &secret)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_token_is_not_found() {
    let app = TestApp::new().await;
    let (_, _, a_email) = seed_user(&app, Role::Admin).await;
    let (_, _, b_email) = seed_user(&app, Role::Admin).await;
    let a = Client::sign_in(&app, &a_email).await;
    let b = Client::sign_in(&app, &b_email).await;
    let (b_token, b_secret) = make_token(&b, "B's integration", "viewer").await;

    let path = format!("/api/v1/tokens/{b_token}");
    assert_eq!(a.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(a.delete(&path, None).await.status, StatusCode::NOT_FOUND);
    let listed = a.get("/api/v1/tokens").await;
    assert_eq!(listed.json()["total"], 0);
    assert!(!listed.text().contains("B's integration"));
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/auth/me", &b_secret)
            .await
            .status,
        StatusCode::OK,
        "B's token still works"
    );
    assert_eq!(count_action(&app, "token.revoked").await, 0);
}
