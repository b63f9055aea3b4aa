//! Tenant isolation, checked over every route of the OpenAPI document: a user of tenant A, using
//! the ids of tenant B's objects, gets 403 or 404 and never B's data, never a 500. A route added
//! later is walked automatically; if its path names an object this test cannot make for B,
//! the test fails and says which.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

const MARKER: &str = "Tenant-B-secret-marker";

#[tokio::test(flavor = "multi_thread")]
async fn no_route_reaches_another_tenants_objects() {
    let app = TestApp::new().await;
    let (_, _, a_email) = seed_user(&app, Role::Admin).await;
    let (b_tenant, b_admin, b_email) = seed_user(&app, Role::Admin).await;
    let a = Client::sign_in(&app, &a_email).await;
    let b = Client::sign_in(&app, &b_email).await;
    let b_site = b
        .post(
            "/api/v1/sites",
            json!({ "name": MARKER, "timezone": "Europe/Stockholm" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let b_token = b
        .post(
            "/api/v1/tokens",
            json!({ "name": MARKER, "role": "viewer" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let b_dish = b
        .post(
            "/api/v1/dishes",
            json!({ "name": MARKER, "category": "main", "allergens": ["milk"] }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let b_diet = b
        .post(
            &format!("/api/v1/sites/{b_site}/diet-types"),
            json!({ "name": MARKER, "excludes": ["gluten"] }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let b_department = b
        .post(
            &format!("/api/v1/municipal/sites/{b_site}/departments"),
            json!({ "name": MARKER, "residents": 7, "notes": MARKER }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let b_order = b
        .post(
            &format!("/api/v1/municipal/sites/{b_site}/orders/2026/12"),
            json!({ "text": MARKER }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let offshore = |rest: &str| format!("/api/v1/offshore/sites/{b_site}/{rest}");
    let b_pattern = b
        .post(
            &offshore("patterns"),
            json!({ "name": MARKER, "template": "2-4", "anchor_date": "2026-03-02" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let b_crew = b
        .post(
            &offshore("crew"),
            json!({ "name": MARKER, "position": "cook", "pattern_id": b_pattern }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let range = json!({ "from": "2026-03-02", "to": "2026-03-08" });
    let b_shift = b
        .send(
            Method::POST,
            &offshore("schedule/apply"),
            Some("*"),
            Some(range),
        )
        .await
        .json()["shifts"][0]["id"]
        .as_i64()
        .unwrap();
    let b_exception = b
        .post(
            &offshore("period-exceptions"),
            json!({ "crew_id": b_crew, "first_date": "2026-03-02", "reason": MARKER }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let b_waste = b
        .post(
            &offshore("waste"),
            json!({ "date": "2026-03-02", "meal": "dinner", "category": "fish", "dish": MARKER,
                    "guests": 40, "produced_kg": 12.0, "served_kg": 10.0, "leftover_kg": 2.0 }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let b_task = b
        .post(&offshore("prep/2026-03-02"), json!({ "title": MARKER }))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let b_item = b
        .post(
            &offshore("freezer"),
            json!({ "name": MARKER, "quantity": 4, "unit": "kg",
                    "frozen_on": "2026-03-01", "use_by": "2026-06-01" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let b_message = b
        .post(
            &offshore("messages"),
            json!({ "audience": { "kind": "site" }, "body": MARKER }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let b_recipe = b
        .post(
            "/api/v1/recipes",
            json!({ "name": MARKER, "dish_id": b_dish, "yield_portions": 4,
                    "ingredients": [{ "name": MARKER, "amount": "1", "unit": "kg" }],
                    "steps": [MARKER] }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    // The id to use for each kind of object a path can name, and the body a write sends
    // (`{}` unless the object is named in the body rather than the path).
    let id_for = |segment: &str| -> (String, serde_json::Value) {
        let plain = |id: i64| (id.to_string(), json!({}));
        match segment {
            "sites" => plain(b_site),
            "users" => plain(b_admin),
            "tenants" => plain(b_tenant),
            "tokens" => plain(b_token),
            "dishes" => plain(b_dish),
            "diet-types" => plain(b_diet),
            "departments" => plain(b_department),
            // A date of a department's resident overrides.
            "overrides" => (
                "2026-03-16".to_owned(),
                json!({ "lunch": 1, "dinner": null }),
            ),
            // A day of a department's week.
            "choices" => ("2".to_owned(), json!({ "lunch": "alt1" })),
            // A week: `/menus/{year}/{week}` and the like.
            "menus" | "weeks" => ("2026".to_owned(), json!({ "items": [] })),
            // Kitchen plans, reports and coverage of a day or week.
            "planning" => ("2026-03-10".to_owned(), json!({})),
            "weekly" | "coverage" => ("2026".to_owned(), json!({})),
            "{year}" => ("12".to_owned(), json!({ "items": [] })),
            // A week's "remember to order" checklist, then one of its lines.
            "orders" => ("2026".to_owned(), json!({ "text": "A's line" })),
            "{week}" => (b_order.to_string(), json!({ "done": true })),
            "patterns" => plain(b_pattern),
            "crew" => plain(b_crew),
            "shifts" => plain(b_shift),
            "period-exceptions" => plain(b_exception),
            "waste" => plain(b_waste),
            // A day of the prep list.
            "prep" => ("2026-03-02".to_owned(), json!({ "title": "A's task" })),
            "prep-tasks" => (b_task.to_string(), json!({ "status": "done" })),
            "freezer" => (b_item.to_string(), json!({ "quantity": 1 })),
            "messages" => plain(b_message),
            // A day of the waste log.
            "days" => ("2026-03-02".to_owned(), json!({})),
            // A week made from the menu cycle, then what a day serves.
            "generate" => ("2026".to_owned(), json!({ "replace": true })),
            "served" => ("2026-03-02".to_owned(), json!({})),
            // Modules are platform-wide; what belongs to B is a switch for B's site.
            "modules" => (
                "offshore".to_owned(),
                json!({ "scope": "site", "scope_id": b_site, "enabled": false }),
            ),
            // A whole recipe, so that PUT reaches the lookup.
            "recipes" => (
                b_recipe.to_string(),
                json!({ "name": "A's recipe", "yield_portions": 1, "ingredients": [] }),
            ),
            // A day's shopping list.
            "shopping" => ("2026-03-02".to_owned(), json!({})),
            other => panic!(
                "the isolation test does not know how to make a tenant-B object for `{other}`: \
                 add it to id_for in app/tests/api/isolation.rs"
            ),
        }
    };

    let doc = app.get("/api/v1/openapi.json").await.json();
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let segments: Vec<&str> = path.split('/').collect();
        if !path.contains('{') {
            // Collections: A may list, but never sees B's objects.
            if item.get("get").is_some() {
                let response = a.get(path).await;
                assert_ne!(response.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
                assert!(
                    !response.text().contains(MARKER),
                    "GET {path} leaked B's data"
                );
                assert!(
                    !response.text().contains(&b_email),
                    "GET {path} leaked B's people"
                );
            }
            continue;
        }
        let mut write_body = json!({});
        let concrete: String = segments
            .iter()
            .enumerate()
            .map(|(i, segment)| {
                if segment.starts_with('{') {
                    let (id, body) = id_for(segments[i - 1]);
                    write_body = body;
                    id
                } else {
                    (*segment).to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method_name, _) in item.as_object().unwrap() {
            let method: Method = method_name.to_uppercase().parse().unwrap();
            let response = if method == Method::GET {
                a.get(&concrete).await
            } else {
                let body = (method != Method::DELETE).then(|| write_body.clone());
                a.send(method.clone(), &concrete, Some("*"), body).await
            };
            assert!(
                matches!(
                    response.status,
                    StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
                ),
                "{method} {concrete} as tenant A: {} {}",
                response.status,
                response.text()
            );
            assert!(
                !response.text().contains(MARKER),
                "{method} {concrete} leaked B's data"
            );
            walked += 1;
        }
    }
    assert!(walked >= 9, "only {walked} routes walked");

    // Nothing of B's changed.
    let site = b.get(&format!("/api/v1/sites/{b_site}")).await;
    assert_eq!(site.status, StatusCode::OK);
    assert_eq!(site.json()["name"], MARKER);
    let token = b.get(&format!("/api/v1/tokens/{b_token}")).await;
    assert_eq!(token.status, StatusCode::OK);
    assert!(token.json()["revoked_at"].is_null(), "A revoked B's token");
    let department = b
        .get(&format!("/api/v1/municipal/departments/{b_department}"))
        .await;
    assert_eq!(department.status, StatusCode::OK);
    assert_eq!(department.json()["version"], 1, "A changed B's department");
    assert_eq!(b.get("/api/v1/auth/me").await.status, StatusCode::OK);
    assert_eq!(b.get("/api/v1/offshore").await.status, StatusCode::OK);
    let crew = b.get(&offshore(&format!("crew/{b_crew}"))).await;
    assert_eq!(crew.json()["version"], 1, "A changed B's crew");
    let week = b
        .get(&offshore("schedule?from=2026-03-02&to=2026-03-08"))
        .await
        .json();
    assert_eq!(week["shifts"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        week["shifts"][0]["published"], false,
        "A published B's schedule"
    );
}

/// The old system had a demo switch that showed any tenant's data without signing in. Here,
/// every route outside sign-in, operations and module descriptors answers 401 to a stranger.
#[tokio::test(flavor = "multi_thread")]
async fn strangers_get_nothing_from_any_route() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let module_paths: Vec<String> = crate::registry()
        .ids()
        .iter()
        .map(|id| format!("/api/v1/{id}"))
        .collect();
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || module_paths.contains(path) {
            continue;
        }
        for (method_name, operation) in item.as_object().unwrap() {
            let open = operation["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == "operations"))
                || path == "/api/v1/auth/login";
            if open {
                continue;
            }
            let method: Method = method_name.to_uppercase().parse().unwrap();
            let concrete = path.replace("{id}", "1");
            let response = app
                .request(
                    method.clone(),
                    &concrete,
                    &[("content-type", "application/json")],
                    "{}",
                )
                .await;
            assert_eq!(
                response.status,
                StatusCode::UNAUTHORIZED,
                "{method} {concrete} without signing in: {}",
                response.text()
            );
            walked += 1;
        }
    }
    assert!(walked >= 20, "only {walked} routes walked");
    // And the console pages send strangers to the sign-in page.
    for page in [
        "/admin",
        "/admin/sites",
        "/admin/users",
        "/admin/tokens",
        "/admin/modules",
        "/admin/audit",
        "/admin/tenants",
    ] {
        let response = app.get(page).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{page}");
        assert!(response.header("location").starts_with("/login"), "{page}");
    }
}

/// The offshore waste and menu cycle pages pick their site from a form or `?site=`: another
/// tenant's site is not found, read or written, whatever the role.
#[tokio::test(flavor = "multi_thread")]
async fn offshore_pages_do_not_open_another_tenants_site() {
    let app = TestApp::new().await;
    let (_, _, a_email) = seed_user(&app, Role::Admin).await;
    let (_, _, b_email) = seed_user(&app, Role::Admin).await;
    let a = Client::sign_in(&app, &a_email).await;
    let b = Client::sign_in(&app, &b_email).await;
    let b_site = b
        .post(
            "/api/v1/sites",
            json!({ "name": MARKER, "timezone": "Europe/Oslo" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let logged = b
        .post(
            &format!("/api/v1/offshore/sites/{b_site}/waste"),
            json!({ "date": "2026-03-02", "meal": "dinner", "category": "fish", "dish": MARKER,
                    "guests": 10, "produced_kg": 5, "served_kg": 4, "leftover_kg": 1 }),
        )
        .await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text());
    for path in [
        format!("/offshore/waste?site={b_site}&date=2026-03-02"),
        format!("/offshore/waste/portion?site={b_site}&category=fish&guests=4&date=2026-03-03"),
        format!("/offshore/waste/import?site={b_site}"),
        format!("/offshore/cycle?site={b_site}"),
    ] {
        let response = a.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!response.text().contains(MARKER), "{path}");
    }
    for (path, body) in [
        (
            "/offshore/waste",
            format!(
                "site={b_site}&date=2026-03-03&meal=lunch&category=soup&guests=1\
                 &produced_kg=1&served_kg=1&leftover_kg=0"
            ),
        ),
        (
            "/offshore/cycle",
            format!(
                "site={b_site}&version=0&length_weeks=4&start_year=2026&start_week=10\
                 &start_index=1"
            ),
        ),
        (
            "/offshore/cycle/template",
            format!("site={b_site}&week=1&version=0"),
        ),
        (
            "/offshore/cycle/generate",
            format!("site={b_site}&year=2026&week=10"),
        ),
    ] {
        let response = crate::offshore_prep::form(&a, path, &body).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!response.text().contains(MARKER), "{path}");
    }
    let b_log = b
        .get(&format!(
            "/api/v1/offshore/sites/{b_site}/waste?from=2026-03-01&to=2026-03-31"
        ))
        .await
        .json();
    assert_eq!(b_log.as_array().map(Vec::len), Some(1));
    let b_cycle = b
        .get(&format!("/api/v1/offshore/sites/{b_site}/menu-cycle"))
        .await
        .json();
    assert_eq!(b_cycle["set_up"], false);
}
