//! Dishes with their allergens: search, ETags, roles, audit.

use axum::http::StatusCode;
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn cooks_keep_dishes_with_their_allergens() {
    let app = TestApp::new().await;
    let (_, _, cook) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook).await;

    let invalid = cook
        .post(
            "/api/v1/dishes",
            json!({ "name": " ", "category": "main", "allergens": ["milk", "bacon"] }),
        )
        .await;
    assert_eq!(
        invalid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown allergen is refused"
    );

    let created = cook
        .post(
            "/api/v1/dishes",
            json!({ "name": "Köttbullar med  potatismos", "category": "main", "allergens": ["milk", "gluten", "eggs"] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let dish = created.json();
    assert_eq!(dish["name"], "Köttbullar med potatismos");
    assert_eq!(
        dish["allergens"],
        json!(["gluten", "eggs", "milk"]),
        "standard order"
    );
    let id = dish["id"].as_i64().unwrap();

    let same_name = cook
        .post(
            "/api/v1/dishes",
            json!({ "name": "KÖTTBULLAR MED POTATISMOS", "category": "main" }),
        )
        .await;
    assert_eq!(same_name.status, StatusCode::CONFLICT);

    for (name, allergens) in [
        ("Fiskgratäng", json!(["fish", "milk"])),
        ("Ärtsoppa", json!([])),
    ] {
        let r = cook
            .post(
                "/api/v1/dishes",
                json!({ "name": name, "category": "main", "allergens": allergens }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let found = cook.get("/api/v1/dishes?q=GRAT").await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["name"], "Fiskgratäng");
    assert_eq!(
        cook.get("/api/v1/dishes?q=%25").await.json()["total"],
        0,
        "LIKE wildcards are literal"
    );
    assert_eq!(cook.get("/api/v1/dishes").await.json()["total"], 3);

    let path = format!("/api/v1/dishes/{id}");
    let tag = cook.get(&path).await.header("etag").to_owned();
    let changed = cook
        .patch(&path, Some(&tag), json!({ "allergens": ["milk"] }))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert_eq!(changed.json()["allergens"], json!(["milk"]));
    assert_eq!(
        cook.patch(&path, Some(&tag), json!({ "name": "Lost" }))
            .await
            .status,
        StatusCode::PRECONDITION_FAILED
    );
    let tag = changed.header("etag").to_owned();
    assert_eq!(
        cook.delete(&path, Some(&tag)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(cook.get(&path).await.status, StatusCode::NOT_FOUND);

    let (_, _, viewer) = seed_user(&app, Role::Viewer).await;
    let viewer = Client::sign_in(&app, &viewer).await;
    assert_eq!(viewer.get("/api/v1/dishes").await.status, StatusCode::OK);
    let refused = viewer
        .post("/api/v1/dishes", json!({ "name": "X", "category": "main" }))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut pooled = app.app.state.db.get().await.unwrap();
    let rows = galley_core::audit::recent(&mut pooled.conn(), None, 100)
        .await
        .unwrap();
    for action in ["dish.created", "dish.updated", "dish.deleted"] {
        assert!(rows.iter().any(|r| r.action == action), "{action}");
    }
}
