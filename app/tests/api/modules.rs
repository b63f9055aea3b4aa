//! The module system: the registry, the gate, and switching modules live.

use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::harness::{TestApp, on_postgres};

/// The module crates of the workspace, from the root `Cargo.toml`'s members.
fn workspace_module_ids() -> Vec<String> {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
    let table: toml::Table = manifest.parse().unwrap();
    let mut ids: Vec<String> = table["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str()?.strip_prefix("modules/").map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

#[test]
fn registry_holds_exactly_the_workspace_module_crates_sorted() {
    let linked = crate::registry().ids();
    assert_eq!(linked, workspace_module_ids());
    assert!(
        linked.len() >= 2,
        "municipal and offshore at least: {linked:?}"
    );
    let mut sorted = linked.clone();
    sorted.sort_unstable();
    assert_eq!(linked, sorted);
}

async fn status_of(app: &TestApp, path: &str) -> StatusCode {
    app.get(path).await.status
}

async fn assert_module(app: &TestApp, id: &str, enabled: bool) {
    let api = app.get(&format!("/api/v1/{id}")).await;
    let html = app.get(&format!("/{id}")).await;
    if enabled {
        assert_eq!(api.status, StatusCode::OK, "{id} API: {}", api.text());
        assert_eq!(api.json()["id"], id);
        assert_eq!(api.json()["enabled"], true);
        assert_eq!(html.status, StatusCode::OK, "{id} page");
    } else {
        // Exactly what an unknown path gets.
        assert_eq!(api.status, StatusCode::NOT_FOUND, "{id} API");
        assert_eq!(api.content_type(), "application/problem+json");
        let unknown = app.get("/api/v1/no-such-module").await.json();
        let mut body = api.json();
        body["request_id"] = unknown["request_id"].clone();
        assert_eq!(body, unknown);
        // Another method must not reveal the route either (405 would).
        let other_method = app
            .request(
                axum::http::Method::DELETE,
                &format!("/api/v1/{id}"),
                &[],
                "",
            )
            .await;
        assert_eq!(
            other_method.status,
            StatusCode::NOT_FOUND,
            "{id} API, DELETE"
        );
        assert_eq!(html.status, StatusCode::NOT_FOUND, "{id} page");
        assert!(html.content_type().starts_with("text/html"));
        assert!(html.text().contains("Sidan finns inte"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_linked_module_is_on_when_the_env_default_is_unset() {
    let app = TestApp::new().await;
    assert_module(&app, "municipal", true).await;
    assert_module(&app, "offshore", true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn env_default_decides_when_no_database_flag_exists() {
    let app = TestApp::builder()
        .set("default_enabled_modules", " Municipal ")
        .build()
        .await;
    assert_module(&app, "municipal", true).await;
    assert_module(&app, "offshore", false).await;
    let home = app.get("/").await.text();
    assert!(home.contains(r#"href="/municipal""#));
    assert!(
        !home.contains(r#"href="/offshore""#),
        "nav and cards hide disabled modules"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_env_default_means_no_modules() {
    let app = TestApp::builder()
        .set("default_enabled_modules", "")
        .build()
        .await;
    assert_module(&app, "municipal", false).await;
    assert_module(&app, "offshore", false).await;
    assert!(
        app.get("/")
            .await
            .text()
            .contains("Inga moduler är påslagna")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_module_in_env_default_stops_start_up_naming_the_known_ones() {
    let db = crate::harness::TestDb::migrated().await;
    let figment = galley_core::config::Settings::defaults_figment()
        .merge(("database_url", db.url_string()))
        .merge(("default_enabled_modules", "municipal,kitchen"));
    let settings = galley_core::config::Settings::from_figment(figment, None).unwrap();
    let error = galley_core::server::build_app(settings, crate::registry(), false)
        .await
        .err()
        .expect("start-up must fail");
    let text = error.to_string();
    assert!(text.contains("`kitchen`"), "{text}");
    assert!(text.contains("municipal, offshore"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn database_flag_overrides_the_env_default() {
    let app = TestApp::builder()
        .set("default_enabled_modules", "municipal")
        .build()
        .await;
    app.set_module("offshore", true).await;
    app.set_module("municipal", false).await;
    assert_module(&app, "offshore", true).await;
    assert_module(&app, "municipal", false).await;
    let state = app.app.state.flags.snapshot().state("offshore");
    assert_eq!(state.source, galley_core::flags::FlagSource::Database);
}

#[tokio::test(flavor = "multi_thread")]
async fn env_flags_source_ignores_database_flags() {
    let db = crate::harness::TestDb::migrated().await;
    let writer = TestApp::builder().db(db.clone()).build().await;
    writer.set_module("offshore", false).await;

    let app = TestApp::builder()
        .db(db)
        .set("feature_flags_source", "env")
        .set("default_enabled_modules", "municipal,offshore")
        .build()
        .await;
    assert_module(&app, "offshore", true).await;
    assert_eq!(
        app.app.state.flags.snapshot().state("offshore").source,
        galley_core::flags::FlagSource::Env
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn toggles_apply_at_once_on_the_instance_that_made_them() {
    let app = TestApp::new().await;
    app.set_module("offshore", false).await;
    assert_module(&app, "offshore", false).await;
    assert_module(&app, "municipal", true).await;
    app.set_module("offshore", true).await;
    assert_module(&app, "offshore", true).await;
}

async fn wait_for_status(
    app: &TestApp,
    path: &str,
    want: StatusCode,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        if status_of(app, path).await == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{path} did not become {want} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Two instances on one database. On PostgreSQL the periodic refresh is set far beyond the
/// deadline, so only `LISTEN/NOTIFY` can deliver the change in time; on SQLite the periodic
/// refresh is the channel.
#[tokio::test(flavor = "multi_thread")]
async fn a_toggle_reaches_another_instance_within_five_seconds() {
    let refresh = if on_postgres() { "600" } else { "1" };
    let db = crate::harness::TestDb::migrated().await;
    let first = TestApp::builder()
        .db(db.clone())
        .set("flags_refresh_secs", refresh)
        .build()
        .await;
    let second = TestApp::builder()
        .db(db)
        .set("flags_refresh_secs", refresh)
        .build()
        .await;
    // Let the second instance's listener subscribe before the change is announced.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status_of(&second, "/api/v1/offshore").await, StatusCode::OK);

    first.set_module("offshore", false).await;
    wait_for_status(
        &second,
        "/api/v1/offshore",
        StatusCode::NOT_FOUND,
        Duration::from_secs(5),
    )
    .await;
    first.set_module("offshore", true).await;
    wait_for_status(
        &second,
        "/api/v1/offshore",
        StatusCode::OK,
        Duration::from_secs(5),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_refresh_keeps_the_last_good_snapshot() {
    let app = TestApp::builder()
        .set("default_enabled_modules", "municipal")
        .build()
        .await;
    app.set_module("offshore", true).await;
    app.app.state.db.close();
    assert!(app.app.state.flags.refresh().await.is_err());
    assert!(
        app.app.state.flags.snapshot().is_enabled("offshore"),
        "snapshot kept"
    );
    assert_eq!(status_of(&app, "/api/v1/offshore").await, StatusCode::OK);
}

mod per_tenant {
    use axum::http::StatusCode;
    use galley_core::auth::Role;
    use serde_json::{Value, json};

    use crate::auth::{PASSWORD, seed_user};
    use crate::client::Client;
    use crate::harness::TestApp;

    fn switch_etag(modules: &Value, module: &str, scope: &str) -> String {
        modules
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == module)
            .unwrap()["switches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scope"] == scope)
            .unwrap()["etag"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_module_off_for_one_tenant_stays_on_for_others() {
        let app = TestApp::new().await;
        let (tenant_a, _, admin_a) = seed_user(&app, Role::Admin).await;
        let (_, _, admin_b) = seed_user(&app, Role::Admin).await;
        let a = Client::sign_in(&app, &admin_a).await;
        let b = Client::sign_in(&app, &admin_b).await;

        let modules = a.get("/api/v1/modules").await;
        assert_eq!(modules.status, StatusCode::OK, "{}", modules.text());
        let tag = switch_etag(&modules.json(), "offshore", "tenant");

        let body = json!({ "scope": "tenant", "enabled": false });
        let missing = a
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
        let switched = a
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                Some(&tag),
                Some(body.clone()),
            )
            .await;
        assert_eq!(switched.status, StatusCode::OK, "{}", switched.text());
        assert_eq!(switched.json()["enabled"], false);
        let stale = a
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                Some(&tag),
                Some(body),
            )
            .await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

        // Tenant A's people: gone. Tenant B and anonymous visitors: still there.
        assert_eq!(
            a.get("/api/v1/offshore").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(a.get("/offshore").await.status, StatusCode::NOT_FOUND);
        assert!(!a.get("/").await.text().contains(r#"href="/offshore""#));
        assert_eq!(b.get("/api/v1/offshore").await.status, StatusCode::OK);
        assert_eq!(app.get("/api/v1/offshore").await.status, StatusCode::OK);
        let listed = a.get("/api/v1/modules").await.json();
        let offshore = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "offshore")
            .unwrap()
            .clone();
        assert_eq!(offshore["enabled"], false);
        assert_eq!(offshore["source"], "tenant");

        // A site override beats the tenant's: someone bound to that site has it again.
        let site = a
            .post(
                "/api/v1/sites",
                json!({ "name": "Second kitchen", "timezone": "Europe/Oslo" }),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let listed = a.get("/api/v1/modules").await.json();
        let site_tag = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "offshore")
            .unwrap()["switches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scope"] == "site" && s["scope_id"] == site)
            .unwrap()["etag"]
            .as_str()
            .unwrap()
            .to_owned();
        let on_for_site = a
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                Some(&site_tag),
                Some(json!({ "scope": "site", "scope_id": site, "enabled": true })),
            )
            .await;
        assert_eq!(on_for_site.status, StatusCode::OK, "{}", on_for_site.text());
        let cook = a
            .post(
                "/api/v1/users",
                json!({ "email": "cook@site.se", "display_name": "Cook", "role": "cook", "site_id": site, "password": PASSWORD }),
            )
            .await;
        assert_eq!(cook.status, StatusCode::CREATED);
        let cook = Client::sign_in(&app, "cook@site.se").await;
        assert_eq!(cook.get("/api/v1/offshore").await.status, StatusCode::OK);
        assert_eq!(
            a.get("/api/v1/offshore").await.status,
            StatusCode::NOT_FOUND,
            "the admin works at the first kitchen"
        );

        // Removing the tenant override gives the tenant the platform default again.
        let tag = switch_etag(&a.get("/api/v1/modules").await.json(), "offshore", "tenant");
        let cleared = a
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                Some(&tag),
                Some(json!({ "scope": "tenant", "enabled": null })),
            )
            .await;
        assert!(cleared.json()["enabled"].is_null());
        assert_eq!(a.get("/api/v1/offshore").await.status, StatusCode::OK);

        let mut pooled = app.app.state.db.get().await.unwrap();
        let rows = galley_core::audit::recent(&mut pooled.conn(), Some(tenant_a), 100)
            .await
            .unwrap();
        assert_eq!(
            rows.iter()
                .filter(|r| r.action == "module.switched")
                .count(),
            2
        );
        assert_eq!(
            rows.iter()
                .filter(|r| r.action == "module.override_removed")
                .count(),
            1
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn only_superusers_switch_the_whole_platform() {
        let app = TestApp::new().await;
        let (_, _, admin) = seed_user(&app, Role::Admin).await;
        let (_, _, superuser) = seed_user(&app, Role::Superuser).await;
        let admin = Client::sign_in(&app, &admin).await;
        let superuser = Client::sign_in(&app, &superuser).await;
        let body = json!({ "scope": "global", "enabled": false });
        let refused = admin
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                Some("*"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let tag = switch_etag(
            &superuser.get("/api/v1/modules").await.json(),
            "offshore",
            "global",
        );
        let off = superuser
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/offshore",
                Some(&tag),
                Some(body),
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.text());
        assert_eq!(
            app.get("/api/v1/offshore").await.status,
            StatusCode::NOT_FOUND
        );
        let unknown = superuser
            .send(
                axum::http::Method::PUT,
                "/api/v1/modules/bakery",
                Some("*"),
                Some(json!({ "scope": "global", "enabled": true })),
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
}
