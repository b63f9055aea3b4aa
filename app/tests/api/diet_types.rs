//! A kitchen's diet types: allergens they exclude, IDDSI texture, always-applies.

use axum::http::StatusCode;
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn admins_set_up_a_kitchens_diets() {
    let app = TestApp::new().await;
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let site = admin.get("/api/v1/sites").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let base = format!("/api/v1/sites/{site}/diet-types");

    let invalid = admin
        .post(&base, json!({ "name": "Puré", "texture_level": 9 }))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.json()["errors"][0]["field"], "texture_level");

    let created = admin
        .post(
            &base,
            json!({ "name": "Glutenfri", "excludes": ["gluten"] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(created.json()["excludes"], json!(["gluten"]));
    assert_eq!(created.json()["always_applies"], false);
    let pureed = admin
        .post(
            &base,
            json!({ "name": "Puré", "texture_level": 4, "always_applies": true }),
        )
        .await;
    assert_eq!(pureed.status, StatusCode::CREATED);
    assert_eq!(
        admin
            .post(&base, json!({ "name": "glutenfri" }))
            .await
            .status,
        StatusCode::CONFLICT
    );

    let listed = admin.get(&base).await.json();
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Glutenfri", "Puré"]);

    let path = format!("{base}/{}", pureed.json()["id"]);
    let tag = pureed.header("etag").to_owned();
    let cleared = admin
        .patch(&path, Some(&tag), json!({ "texture_level": null }))
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.text());
    assert!(cleared.json()["texture_level"].is_null());
    assert_eq!(cleared.json()["always_applies"], true, "unsent fields stay");

    let (_, _, cook) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook).await;
    let other_kitchen = cook.get(&base).await;
    assert_eq!(
        other_kitchen.status,
        StatusCode::NOT_FOUND,
        "another tenant's kitchen is unknown"
    );
    let own = cook.get("/api/v1/sites").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        cook.get(&format!("/api/v1/sites/{own}/diet-types"))
            .await
            .status,
        StatusCode::OK
    );
    let refused = cook
        .post(
            &format!("/api/v1/sites/{own}/diet-types"),
            json!({ "name": "X" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let tag = cleared.header("etag").to_owned();
    assert_eq!(
        admin.delete(&path, Some(&tag)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);
}
