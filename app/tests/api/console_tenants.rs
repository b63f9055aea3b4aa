//! The console's customer pages for superusers (`/admin/tenants`), acting inside a tenant
//! from there, and the banner's stop button.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;

use crate::auth::{PASSWORD, seed_user};
use crate::client::Client;
use crate::console::{hidden_etag, post_form};
use crate::harness::TestApp;

async fn actions(app: &TestApp, tenant: Option<i64>) -> Vec<galley_core::audit::AuditRow> {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), tenant, 200)
        .await
        .unwrap()
}

fn tenant_id(listed: &serde_json::Value, name: &str) -> i64 {
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tenant {name} in {listed}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn strangers_sign_in_first_and_admins_are_refused() {
    let app = TestApp::new().await;
    let (tenant, _, admin) = seed_user(&app, Role::Admin).await;
    for path in ["/admin/tenants", &format!("/admin/tenants/{tenant}")] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(anonymous.header("location"), format!("/login?next={path}"));
    }
    let admin = Client::sign_in(&app, &admin).await;
    let refused = admin.get("/admin/tenants").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.content_type().starts_with("text/html"));
    assert_eq!(
        admin.get(&format!("/admin/tenants/{tenant}")).await.status,
        StatusCode::FORBIDDEN
    );
    let posted = post_form(
        &admin,
        "/admin/tenants",
        &[
            ("name", "Sneaky"),
            ("kind", "municipal"),
            ("admin_email", "sneaky@example.se"),
            ("admin_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let impersonate = post_form(
        &admin,
        &format!("/admin/tenants/{tenant}/impersonate"),
        &[("reason", "Support ticket 4711"), ("minutes", "15")],
    )
    .await;
    assert_eq!(impersonate.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superuser_creates_renames_and_deletes_a_tenant_with_forms() {
    let app = TestApp::new().await;
    let (_, _, superuser) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &superuser).await;

    let page = superuser.get("/admin/tenants").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains(&format!(r#"name="csrf_token" value="{}""#, superuser.csrf))
    );

    // Everything wrong at once: every error next to its field, what was typed kept, never
    // the password.
    let secret = "ett hemligt lösenord som inte ska synas";
    let invalid = post_form(
        &superuser,
        "/admin/tenants",
        &[
            ("name", "  "),
            ("kind", "bakery"),
            ("admin_email", "inte-en-adress"),
            ("admin_password", secret),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text();
    for id in ["name-error", "kind-error", "admin_email-error"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    assert!(html.contains("Ange en e-postadress som namn@exempel.se."));
    assert!(
        html.contains(r#"value="inte-en-adress""#),
        "the e-mail is kept"
    );
    assert!(!html.contains(secret), "the password is never sent back");
    let weak = post_form(
        &superuser,
        "/admin/tenants",
        &[
            ("name", "Berga kommun"),
            ("kind", "municipal"),
            ("admin_email", "admin@berga.se"),
            ("admin_password", "kort"),
        ],
    )
    .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = weak.text();
    assert!(html.contains(r#"id="admin_password-error""#));
    assert!(html.contains(r#"value="Berga kommun""#));
    assert!(
        html.contains(r#"<option value="municipal" selected>"#),
        "{html}"
    );

    let forged = app
        .request(
            Method::POST,
            "/admin/tenants",
            &[
                ("cookie", superuser.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "name=X&kind=municipal&admin_email=x%40example.se&admin_password=kanel+bulle+f%C3%B6nster",
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no change"
    );

    let created = post_form(
        &superuser,
        "/admin/tenants",
        &[
            ("name", "Berga kommun"),
            ("kind", "municipal"),
            ("admin_email", "admin@berga.se"),
            ("admin_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    assert_eq!(created.header("location"), "/admin/tenants?saved=1");
    let listed = superuser.get("/admin/tenants?saved=1").await.text();
    assert!(listed.contains("Sparat") && listed.contains("Berga kommun"));
    let id = tenant_id(
        &superuser.get("/api/v1/tenants").await.json(),
        "Berga kommun",
    );
    assert_eq!(
        superuser.get(&format!("/api/v1/tenants/{id}")).await.json()["kind"],
        "municipal"
    );
    // The first admin can sign in.
    let first_admin = Client::sign_in(&app, "admin@berga.se").await;
    assert_eq!(
        first_admin.get("/api/v1/auth/me").await.json()["tenant_id"],
        id
    );

    let taken = post_form(
        &superuser,
        "/admin/tenants",
        &[
            ("name", "Berga igen"),
            ("kind", "offshore"),
            ("admin_email", "admin@berga.se"),
            ("admin_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = taken.text();
    assert!(html.contains(r#"id="admin_email-error""#));
    assert!(html.contains("Det finns redan ett konto med den e-postadressen."));

    // Rename, with the version read.
    let path = format!("/admin/tenants/{id}");
    let page = superuser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Kommun"));
    let etag = hidden_etag(&html);
    let empty = post_form(&superuser, &path, &[("etag", &etag), ("name", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().contains(r#"id="name-error""#));
    let renamed = post_form(&superuser, &path, &[("etag", &etag), ("name", "Berga")]).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert_eq!(renamed.header("location"), "/admin/tenants?saved=1");
    let stale = post_form(&superuser, &path, &[("etag", &etag), ("name", "Lost")]).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = stale.text();
    assert!(html.contains("Någon annan ändrade detta"));
    assert!(
        html.contains(r#"value="Berga""#) && !html.contains(r#"value="Lost""#),
        "a stale form shows what is stored, as its message says"
    );
    assert_eq!(
        superuser.get(&format!("/api/v1/tenants/{id}")).await.json()["name"],
        "Berga"
    );

    // Delete: one confirmation, which names the consequence.
    let html = superuser.get(&path).await.text();
    assert!(html.contains("Kundens personer loggas ut direkt"));
    let etag = hidden_etag(&html);
    let unconfirmed = post_form(&superuser, &format!("{path}/delete"), &[("etag", &etag)]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.text().contains(r#"id="confirm-error""#));
    assert_eq!(
        first_admin.get("/api/v1/auth/me").await.status,
        StatusCode::OK
    );
    let deleted = post_form(
        &superuser,
        &format!("{path}/delete"),
        &[("etag", &etag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        superuser.get(&format!("/api/v1/tenants/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        first_admin.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED,
        "its people are signed out"
    );
    assert_eq!(superuser.get(&path).await.status, StatusCode::NOT_FOUND);

    let rows = actions(&app, Some(id)).await;
    for action in [
        "tenant.created",
        "user.created",
        "tenant.updated",
        "tenant.deleted",
    ] {
        assert_eq!(
            rows.iter().filter(|r| r.action == action).count(),
            1,
            "{action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superuser_acts_inside_a_tenant_and_stops_with_the_banner() {
    let app = TestApp::new().await;
    let (tenant, _, _) = seed_user(&app, Role::Admin).await;
    let (_, superuser_id, superuser) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &superuser).await;
    let path = format!("/admin/tenants/{tenant}");
    let html = superuser.get(&path).await.text();
    assert!(html.contains("Kitchen"), "its kitchens are listed");
    assert!(html.contains(r#"value="15""#), "15 minutes unless changed");

    let invalid = post_form(
        &superuser,
        &format!("{path}/impersonate"),
        &[("reason", "why"), ("minutes", "500")],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text();
    assert!(html.contains(r#"id="reason-error""#));
    assert!(html.contains(r#"id="minutes-error""#));
    assert!(html.contains(">why</textarea>"), "the reason is kept");
    assert!(html.contains(r#"value="500""#));
    let not_a_number = post_form(
        &superuser,
        &format!("{path}/impersonate"),
        &[("reason", "Support ticket 4711"), ("minutes", "en kvart")],
    )
    .await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_a_number.text().contains("Ange ett antal minuter"));
    assert_eq!(
        superuser.get("/api/v1/auth/me").await.json()["role"],
        "superuser"
    );

    let started = post_form(
        &superuser,
        &format!("{path}/impersonate"),
        &[("reason", "Support ticket 4711"), ("minutes", "30")],
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    assert_eq!(started.header("location"), "/admin");
    let me = superuser.get("/api/v1/auth/me").await.json();
    assert_eq!(me["tenant_id"], tenant);
    assert_eq!(me["impersonator_id"], superuser_id);

    // The banner carries a stop button: a POST form with the CSRF field.
    let console = superuser.get("/admin").await.text();
    assert!(console.contains(r#"action="/admin/impersonation/stop""#));
    assert!(console.contains("Sluta agera"));
    assert!(
        console.contains("/admin/sites"),
        "the tenant's admin console"
    );
    let forged = app
        .request(
            Method::POST,
            "/admin/impersonation/stop",
            &[
                ("cookie", superuser.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        superuser.get("/api/v1/auth/me").await.json()["tenant_id"],
        tenant
    );

    let stopped = post_form(&superuser, "/admin/impersonation/stop", &[]).await;
    assert_eq!(stopped.status, StatusCode::SEE_OTHER);
    assert_eq!(stopped.header("location"), "/admin/tenants");
    let me = superuser.get("/api/v1/auth/me").await.json();
    assert_eq!(me["role"], "superuser");
    assert!(me["tenant_id"].is_null());
    assert!(
        !superuser
            .get("/admin/tenants")
            .await
            .text()
            .contains("/admin/impersonation/stop"),
        "no banner afterwards"
    );
    // A second click lands in the same place.
    let again = post_form(&superuser, "/admin/impersonation/stop", &[]).await;
    assert_eq!(again.header("location"), "/admin/tenants");

    let rows = actions(&app, Some(tenant)).await;
    let started_row = rows
        .iter()
        .find(|r| r.action == "impersonation.started")
        .unwrap();
    assert!(started_row.details.contains("Support ticket 4711"));
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "impersonation.stopped")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_cannot_stop_what_is_not_running() {
    let app = TestApp::new().await;
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let refused = post_form(&admin, "/admin/impersonation/stop", &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.content_type().starts_with("text/html"));
    let anonymous = app
        .request(
            Method::POST,
            "/admin/impersonation/stop",
            &[("content-type", "application/x-www-form-urlencoded")],
            "",
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}
