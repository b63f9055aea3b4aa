//! Tenants, sites and users over the API: roles, validation, ETags, audit, and isolation.

use axum::http::StatusCode;
use galley_core::auth::Role;
use serde_json::{Value, json};

use crate::auth::{PASSWORD, login_response, seed_user};
use crate::client::Client;
use crate::harness::TestApp;

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), None, 200)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect()
}

/// A tenant made by a superuser through the API; returns its id and its admin's e-mail.
async fn create_tenant(superuser: &Client<'_>, name: &str) -> (i64, String) {
    let email = format!("admin@{}.se", name.to_lowercase());
    let response = superuser
        .post(
            "/api/v1/tenants",
            json!({ "name": name, "kind": "municipal", "admin": { "email": email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    (response.json()["id"].as_i64().unwrap(), email)
}

fn fields(response: &crate::harness::TestResponse) -> Vec<String> {
    response.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors[] in {}", response.text()))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superuser_creates_a_tenant_with_its_first_admin() {
    let app = TestApp::new().await;
    let (_, _, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;

    let invalid = superuser
        .post(
            "/api/v1/tenants",
            json!({ "name": " ", "kind": "bakery", "admin": { "email": "nope", "password": "short" } }),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&invalid),
        ["name", "kind", "admin.email", "admin.password"]
    );

    let (tenant, admin_email) = create_tenant(&superuser, "Lerum").await;
    assert_eq!(
        login_response(&app, &admin_email, PASSWORD).await.status,
        StatusCode::OK
    );
    let again = superuser
        .post(
            "/api/v1/tenants",
            json!({ "name": "Other", "kind": "offshore", "admin": { "email": admin_email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let read = superuser.get(&format!("/api/v1/tenants/{tenant}")).await;
    assert_eq!(read.json()["name"], "Lerum");
    assert_eq!(read.json()["sites"], json!([]));
    let list = superuser.get("/api/v1/tenants").await.json();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == tenant)
    );

    let actions = audit_actions(&app).await;
    assert!(actions.contains(&"tenant.created".to_owned()));
    assert!(actions.contains(&"user.created".to_owned()));

    // A tenant admin is not a superuser.
    let admin = Client::sign_in(&app, &admin_email).await;
    assert_eq!(
        admin.get("/api/v1/tenants").await.status,
        StatusCode::FORBIDDEN
    );
    // And a superuser outside impersonation does not reach into a tenant.
    let sites = superuser.get("/api/v1/sites").await;
    assert_eq!(sites.status, StatusCode::FORBIDDEN);
    assert!(
        sites.json()["detail"]
            .as_str()
            .unwrap()
            .contains("impersonat")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sites_use_etags_and_if_match() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;

    let bad = admin
        .post(
            "/api/v1/sites",
            json!({ "name": "Kök 2", "timezone": "Mars/Olympus" }),
        )
        .await;
    assert_eq!(fields(&bad), ["timezone"]);
    let created = admin
        .post(
            "/api/v1/sites",
            json!({ "name": "Kök 2", "timezone": "Europe/Oslo" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/sites/{id}");
    let tag = created.header("etag").to_owned();

    let read = admin.get(&path).await;
    assert_eq!(read.header("etag"), tag);
    assert_eq!(
        admin
            .get_with(&path, &[("if-none-match", &tag)])
            .await
            .status,
        StatusCode::NOT_MODIFIED
    );

    let page = admin.get("/api/v1/sites?per_page=1").await.json();
    assert_eq!(page["per_page"], 1);
    assert_eq!(page["total"], 2, "the seeded site and the new one");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let bad_page = admin.get("/api/v1/sites?per_page=1000").await;
    assert_eq!(fields(&bad_page), ["per_page"]);

    let missing = admin
        .patch(&path, None, json!({ "name": "Nytt namn" }))
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(missing.json()["type"], "/problems/precondition-required");

    let renamed = admin
        .patch(&path, Some(&tag), json!({ "name": "Nytt namn" }))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(renamed.json()["name"], "Nytt namn");
    let new_tag = renamed.header("etag").to_owned();
    assert_ne!(new_tag, tag);

    let stale = admin
        .patch(&path, Some(&tag), json!({ "name": "Lost update" }))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], new_tag.as_str());
    assert_eq!(
        admin.get(&path).await.json()["name"],
        "Nytt namn",
        "nothing changed"
    );

    let unknown_field = admin
        .patch(&path, Some(&new_tag), json!({ "tenant_id": 1 }))
        .await;
    assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(
        admin.delete(&path, Some(&new_tag)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);
    let actions = audit_actions(&app).await;
    for action in ["site.created", "site.updated", "site.deleted"] {
        assert_eq!(
            actions.iter().filter(|a| *a == action).count(),
            1,
            "{action}"
        );
    }

    let (_, _, cook_email) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook_email).await;
    let refused = cook
        .post("/api/v1/sites", json!({ "name": "X", "timezone": "UTC" }))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["type"], "/problems/forbidden");
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_manage_people_and_changes_take_effect_at_once() {
    let app = TestApp::new().await;
    let (_, admin_id, admin_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin_email).await;
    let site = admin.get("/api/v1/sites").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();

    let weak = admin
        .post("/api/v1/users", json!({ "email": "kock@x.se", "display_name": "Kock", "role": "superuser", "password": "123" }))
        .await;
    assert_eq!(fields(&weak), ["role", "password"]);

    let created = admin
        .post(
            "/api/v1/users",
            json!({ "email": "Kock@X.se", "display_name": "Kim Kock", "role": "cook", "site_id": site, "password": PASSWORD }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let user: Value = created.json();
    assert_eq!(user["email"], "kock@x.se");
    let path = format!("/api/v1/users/{}", user["id"]);
    let cook = Client::sign_in(&app, "kock@x.se").await;
    assert_eq!(cook.get("/api/v1/auth/me").await.json()["role"], "cook");

    let duplicate = admin
        .post("/api/v1/users", json!({ "email": "kock@x.se", "display_name": "Again", "role": "viewer", "password": PASSWORD }))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);

    let tag = created.header("etag").to_owned();
    let promoted = admin
        .patch(
            &path,
            Some(&tag),
            json!({ "role": "admin", "site_id": null }),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.text());
    assert_eq!(promoted.json()["role"], "admin");
    assert!(promoted.json()["site_id"].is_null());
    // The role change is live for the existing session.
    assert_eq!(cook.get("/api/v1/auth/me").await.json()["role"], "admin");

    let tag = promoted.header("etag").to_owned();
    let disabled = admin
        .patch(&path, Some(&tag), json!({ "disabled": true }))
        .await;
    assert_eq!(disabled.json()["disabled"], true);
    assert_eq!(
        cook.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_response(&app, "kock@x.se", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let own = admin.get(&format!("/api/v1/users/{admin_id}")).await;
    let own_tag = own.header("etag").to_owned();
    let self_harm = admin
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            Some(&own_tag),
            json!({ "role": "viewer", "disabled": true }),
        )
        .await;
    assert_eq!(fields(&self_harm), ["role", "disabled"]);
    let self_delete = admin
        .delete(&format!("/api/v1/users/{admin_id}"), Some(&own_tag))
        .await;
    assert_eq!(self_delete.status, StatusCode::UNPROCESSABLE_ENTITY);

    let tag = disabled.header("etag").to_owned();
    assert_eq!(
        admin.delete(&path, Some(&tag)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);

    let actions = audit_actions(&app).await;
    for action in [
        "user.created",
        "user.role_changed",
        "user.disabled",
        "user.deleted",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} missing in {actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_tenant_signs_its_people_out() {
    let app = TestApp::new().await;
    let (_, _, super_email) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &super_email).await;
    let (tenant, admin_email) = create_tenant(&superuser, "Gone").await;
    let admin = Client::sign_in(&app, &admin_email).await;
    let tag = superuser
        .get(&format!("/api/v1/tenants/{tenant}"))
        .await
        .header("etag")
        .to_owned();
    assert_eq!(
        superuser
            .delete(&format!("/api/v1/tenants/{tenant}"), Some(&tag))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin.get("/api/v1/auth/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_response(&app, &admin_email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_address_is_refused_alike_whichever_tenant_has_it() {
    let app = TestApp::new().await;
    let (_, _, ours) = seed_user(&app, Role::Admin).await;
    let (_, _, theirs) = seed_user(&app, Role::Admin).await;
    let admin = crate::client::Client::sign_in(&app, &ours).await;
    let new_user = |email: &str| json!({ "email": email, "display_name": "Someone", "role": "cook", "password": PASSWORD });
    let in_our_tenant = admin.post("/api/v1/users", new_user(&ours)).await;
    let in_their_tenant = admin.post("/api/v1/users", new_user(&theirs)).await;
    for (refused, email) in [(&in_our_tenant, &ours), (&in_their_tenant, &theirs)] {
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
        assert!(
            !refused.text().contains(email.as_str()),
            "{}",
            refused.text()
        );
    }
    let (a, b) = (in_our_tenant.json(), in_their_tenant.json());
    assert_eq!((&a["type"], &a["detail"]), (&b["type"], &b["detail"]));
}
