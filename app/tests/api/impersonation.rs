//! Superusers act inside a tenant only through audited, time-limited impersonation.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::console::post_form;
use crate::harness::TestApp;

async fn actions(app: &TestApp) -> Vec<galley_core::audit::AuditRow> {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), None, 200)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superuser_enters_a_tenant_with_a_reason_and_leaves_again() {
    let app = TestApp::new().await;
    let (tenant, _, admin_email) = seed_user(&app, Role::Admin).await;
    let (_, superuser_id, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;

    let too_short = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "why", "minutes": 500 }),
        )
        .await;
    assert_eq!(too_short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": 987654, "reason": "Support ticket 4711" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let admin = Client::sign_in(&app, &admin_email).await;
    let not_super = admin
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "Support ticket 4711" }),
        )
        .await;
    assert_eq!(not_super.status, StatusCode::FORBIDDEN);

    let started = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "Support ticket 4711" }),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    let me = superuser.get("/api/v1/auth/me").await.json();
    assert_eq!(me["tenant_id"], tenant);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["impersonator_id"], superuser_id);
    let again = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "Support ticket 4711" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "no nesting");

    // Inside, the tenant's data is reachable, and what is done is marked as impersonated.
    let created = superuser
        .post(
            "/api/v1/sites",
            json!({ "name": "Made by support", "timezone": "Europe/Stockholm" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let home = superuser.get("/").await.text();
    assert!(home.contains("impersonation"), "the banner shows");

    let stopped = superuser
        .send(Method::DELETE, "/api/v1/auth/impersonation", None, None)
        .await;
    assert_eq!(stopped.status, StatusCode::NO_CONTENT);
    let me = superuser.get("/api/v1/auth/me").await.json();
    assert_eq!(me["role"], "superuser");
    assert!(me["tenant_id"].is_null());
    assert_eq!(
        superuser.get("/api/v1/sites").await.status,
        StatusCode::FORBIDDEN
    );

    let rows = actions(&app).await;
    let started_row = rows
        .iter()
        .find(|r| r.action == "impersonation.started")
        .unwrap();
    assert_eq!(started_row.tenant_id, Some(tenant));
    assert!(started_row.details.contains("Support ticket 4711"));
    let site_row = rows.iter().find(|r| r.action == "site.created").unwrap();
    assert_eq!(site_row.impersonator_id, Some(superuser_id));
    assert!(rows.iter().any(|r| r.action == "impersonation.stopped"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_impersonation_ends_by_itself_and_the_expiry_is_audited_once() {
    let app = TestApp::new().await;
    let (tenant, _, _) = seed_user(&app, Role::Admin).await;
    let (_, _, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;
    let started = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "Checking a report", "minutes": 1 }),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK);
    {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use galley_core::schema::sessions;
        let past = galley_core::db::now() - chrono::Duration::minutes(5);
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        galley_core::db_run!(conn, |c| {
            diesel::update(sessions::table.filter(sessions::acting_tenant_id.eq(tenant)))
                .set(sessions::impersonation_expires_at.eq(past))
                .execute(c)
                .await
        })
        .unwrap();
    }
    assert_eq!(
        superuser.get("/api/v1/auth/me").await.json()["role"],
        "superuser"
    );
    assert_eq!(
        superuser.get("/api/v1/sites").await.status,
        StatusCode::FORBIDDEN
    );
    let expired = actions(&app)
        .await
        .into_iter()
        .filter(|r| r.action == "impersonation.expired")
        .count();
    assert_eq!(expired, 1);
}

/// A superuser inside `tenant` for `minutes`; returns the impersonation's end.
async fn impersonate(superuser: &Client<'_>, tenant: i64, minutes: i64) -> DateTime<Utc> {
    let started = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": tenant, "reason": "Support ticket 4711", "minutes": minutes }),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    started.json()["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_api_token_can_be_made_while_impersonating() {
    let app = TestApp::new().await;
    let (tenant, _, _) = seed_user(&app, Role::Admin).await;
    let (_, _, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;
    impersonate(&superuser, tenant, 15).await;

    let refused = superuser
        .post(
            "/api/v1/tokens",
            json!({ "name": "Backdoor", "role": "admin" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert!(
        refused
            .content_type()
            .starts_with("application/problem+json")
    );
    assert_eq!(
        refused.json()["type"],
        "/problems/token-while-impersonating"
    );

    let notice = "kan därför inte skapa API-nycklar";
    let page = superuser.get("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(notice), "{}", page.text());
    assert!(!page.text().contains(r#"action="/admin/tokens""#));
    let posted = post_form(
        &superuser,
        "/admin/tokens",
        &[("name", "Backdoor"), ("role", "admin"), ("expires_on", "")],
    )
    .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert!(posted.text().contains(notice), "{}", posted.text());

    let made = actions(&app)
        .await
        .into_iter()
        .filter(|r| r.action == "token.created")
        .count();
    assert_eq!(made, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_link_made_while_impersonating_ends_with_it_and_names_the_superuser() {
    let app = TestApp::new().await;
    let (tenant, admin, _) = seed_user(&app, Role::Admin).await;
    let (_, superuser_id, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;
    let ends = impersonate(&superuser, tenant, 10).await;

    let link = superuser
        .post(&format!("/api/v1/users/{admin}/reset-link"), json!({}))
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.text());
    let expires: DateTime<Utc> = link.json()["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        expires <= ends,
        "{expires} outlives the impersonation ({ends})"
    );

    let row = actions(&app)
        .await
        .into_iter()
        .find(|r| r.action == "user.reset_link_created")
        .unwrap();
    assert_eq!(row.impersonator_id, Some(superuser_id));
    assert_eq!(row.tenant_id, Some(tenant));
}
