//! The console's module switches (`/admin/modules`): the same operation as
//! `PUT /api/v1/modules/{id}`, through small forms.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::{Value, json};

use crate::auth::{PASSWORD, seed_user};
use crate::client::Client;
use crate::console::{hidden_etag, post_form};
use crate::harness::TestApp;

/// The hidden etag of the form with `id="switch-{key}"`.
fn switch_etag(html: &str, key: &str) -> String {
    let marker = format!(r#"id="switch-{key}""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no form {marker} in {html}"));
    hidden_etag(&html[start..])
}

/// The form `switch-{key}` as far as its end.
fn switch_form<'a>(html: &'a str, key: &str) -> &'a str {
    let marker = format!(r#"id="switch-{key}""#);
    let start = html.find(&marker).unwrap();
    let end = html[start..].find("</form>").unwrap() + start;
    &html[start..end]
}

fn module<'a>(listed: &'a Value, id: &str) -> &'a Value {
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn strangers_sign_in_first_and_other_roles_are_refused() {
    let app = TestApp::new().await;
    let anonymous = app.get("/admin/modules").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header("location"), "/login?next=/admin/modules");
    let posted = app
        .request(
            Method::POST,
            "/admin/modules/offshore",
            &[("content-type", "application/x-www-form-urlencoded")],
            "scope=global&choice=off",
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);

    for role in [Role::Cook, Role::Viewer, Role::Department] {
        let (_, _, email) = seed_user(&app, role).await;
        let client = Client::sign_in(&app, &email).await;
        let refused = client.get("/admin/modules").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?}");
        assert!(refused.content_type().starts_with("text/html"));
        let posted = post_form(
            &client,
            "/admin/modules/offshore",
            &[("scope", "tenant"), ("choice", "off")],
        )
        .await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_switches_a_module_off_for_the_tenant_and_its_people_lose_it() {
    let app = TestApp::new().await;
    let (tenant, _, admin) = seed_user(&app, Role::Admin).await;
    let (_, _, other_admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let other = Client::sign_in(&app, &other_admin).await;
    let cook = admin
        .post(
            "/api/v1/users",
            json!({ "email": "kock@berga.se", "display_name": "Kock", "role": "cook", "password": PASSWORD }),
        )
        .await;
    assert_eq!(cook.status, StatusCode::CREATED, "{}", cook.text());
    let cook = Client::sign_in(&app, "kock@berga.se").await;

    let page = admin.get("/admin/modules").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let key = format!("offshore-tenant-{tenant}");
    assert!(html.contains(&format!(r#"name="csrf_token" value="{}""#, admin.csrf)));
    assert!(
        switch_form(&html, &key).contains(r#"value="inherit" checked"#),
        "no override yet: inherit is chosen"
    );
    assert!(html.contains("För dig avgörs det av standarden"), "{html}");
    assert!(
        !html.contains("Hela plattformen"),
        "admins do not see the platform switch"
    );
    let etag = switch_etag(&html, &key);
    let tenant_id = tenant.to_string();

    // No choice: the error sits next to the form's choices.
    let unchosen = post_form(
        &admin,
        "/admin/modules/offshore",
        &[
            ("etag", &etag),
            ("scope", "tenant"),
            ("scope_id", &tenant_id),
        ],
    )
    .await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = unchosen.text();
    let form = switch_form(&html, &key);
    assert!(
        form.contains(&format!(r#"id="switch-{key}-error""#)),
        "{form}"
    );
    assert!(form.contains("Välj på, av eller ärv."));

    // Without the CSRF field nothing changes.
    let forged = app
        .request(
            Method::POST,
            "/admin/modules/offshore",
            &[
                ("cookie", admin.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("etag={etag}&scope=tenant&scope_id={tenant}&choice=off"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(cook.get("/api/v1/offshore").await.status, StatusCode::OK);

    let switched = post_form(
        &admin,
        "/admin/modules/offshore",
        &[
            ("etag", &etag),
            ("scope", "tenant"),
            ("scope_id", &tenant_id),
            ("choice", "off"),
        ],
    )
    .await;
    assert_eq!(
        switched.status,
        StatusCode::SEE_OTHER,
        "{}",
        switched.text()
    );
    assert_eq!(switched.header("location"), "/admin/modules?saved=1");

    // At once, for the tenant's people only.
    assert_eq!(
        cook.get("/api/v1/offshore").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/api/v1/offshore").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get("/api/v1/offshore").await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/offshore").await.status, StatusCode::OK);
    let listed = admin.get("/api/v1/modules").await.json();
    let offshore = module(&listed, "offshore");
    assert_eq!(offshore["enabled"], false);
    assert_eq!(offshore["source"], "tenant");

    let saved = admin.get("/admin/modules?saved=1").await.text();
    assert!(saved.contains("Sparat"));
    assert!(switch_form(&saved, &key).contains(r#"value="off" checked"#));
    assert!(saved.contains("Av för dig"));
    assert!(saved.contains("För dig avgörs det av värdet för hela organisationen."));

    // The form read before the change is stale now.
    let stale = post_form(
        &admin,
        "/admin/modules/offshore",
        &[
            ("etag", &etag),
            ("scope", "tenant"),
            ("scope_id", &tenant_id),
            ("choice", "on"),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = stale.text();
    let form = switch_form(&html, &key);
    assert!(form.contains("Någon annan ändrade detta"), "{form}");
    assert!(
        form.contains(r#"value="off" checked"#),
        "a stale form shows what is stored"
    );
    assert_eq!(
        cook.get("/api/v1/offshore").await.status,
        StatusCode::NOT_FOUND
    );

    // Inherit removes the override: the platform's value again.
    let etag = switch_etag(&html, &key);
    let inherited = post_form(
        &admin,
        "/admin/modules/offshore",
        &[
            ("etag", &etag),
            ("scope", "tenant"),
            ("scope_id", &tenant_id),
            ("choice", "inherit"),
        ],
    )
    .await;
    assert_eq!(inherited.status, StatusCode::SEE_OTHER);
    assert_eq!(cook.get("/api/v1/offshore").await.status, StatusCode::OK);
    let listed = admin.get("/api/v1/modules").await.json();
    let tenant_switch = module(&listed, "offshore")["switches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "tenant")
        .unwrap()
        .clone();
    assert!(tenant_switch["enabled"].is_null());

    // Another tenant's scope is out of reach.
    let elsewhere = post_form(
        &other,
        "/admin/modules/offshore",
        &[
            ("etag", "*"),
            ("scope", "tenant"),
            ("scope_id", &tenant_id),
            ("choice", "off"),
        ],
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let mut pooled = app.app.state.db.get().await.unwrap();
    let rows = galley_core::audit::recent(&mut pooled.conn(), Some(tenant), 100)
        .await
        .unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "module.switched")
            .count(),
        1
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "module.override_removed")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kitchen_has_its_own_switch_which_beats_the_tenants() {
    let app = TestApp::new().await;
    let (tenant, _, admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let site = admin
        .post(
            "/api/v1/sites",
            json!({ "name": "Köket på Berga", "timezone": "Europe/Stockholm" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let html = admin.get("/admin/modules").await.text();
    assert!(html.contains("Kök\u{a0}· Köket på Berga"), "{html}");
    let tenant_key = format!("municipal-tenant-{tenant}");
    let site_key = format!("municipal-site-{site}");
    let tenant_etag = switch_etag(&html, &tenant_key);
    let site_etag = switch_etag(&html, &site_key);
    let off = post_form(
        &admin,
        "/admin/modules/municipal",
        &[
            ("etag", &tenant_etag),
            ("scope", "tenant"),
            ("scope_id", &tenant.to_string()),
            ("choice", "off"),
        ],
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let on = post_form(
        &admin,
        "/admin/modules/municipal",
        &[
            ("etag", &site_etag),
            ("scope", "site"),
            ("scope_id", &site.to_string()),
            ("choice", "on"),
        ],
    )
    .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.text());
    let cook = admin
        .post(
            "/api/v1/users",
            json!({ "email": "kock@berga.se", "display_name": "Kock", "role": "cook", "site_id": site, "password": PASSWORD }),
        )
        .await;
    assert_eq!(cook.status, StatusCode::CREATED);
    let cook = Client::sign_in(&app, "kock@berga.se").await;
    assert_eq!(cook.get("/api/v1/municipal").await.status, StatusCode::OK);
    let html = admin.get("/admin/modules").await.text();
    let site_form = switch_form(&html, &site_key);
    assert!(site_form.contains(r#"value="on" checked"#));
    assert!(
        site_form.contains("Ärv betyder organisationens värde, som är just nu av."),
        "{site_form}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superuser_switches_the_whole_platform() {
    let app = TestApp::new().await;
    let (_, _, superuser) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &superuser).await;
    let html = superuser.get("/admin/modules").await.text();
    assert!(html.contains("Hela plattformen"));
    assert!(!html.contains("Hela organisationen"));
    let etag = switch_etag(&html, "offshore-global-0");
    let off = post_form(
        &superuser,
        "/admin/modules/offshore",
        &[
            ("etag", &etag),
            ("scope", "global"),
            ("scope_id", "0"),
            ("choice", "off"),
        ],
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.text());
    assert_eq!(
        app.get("/api/v1/offshore").await.status,
        StatusCode::NOT_FOUND
    );
    let html = superuser.get("/admin/modules").await.text();
    assert!(html.contains("För dig avgörs det av värdet för hela plattformen."));
    let unknown = post_form(
        &superuser,
        "/admin/modules/bakery",
        &[("etag", "*"), ("scope", "global"), ("choice", "on")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
