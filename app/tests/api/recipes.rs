//! Recipes: validation, ETags, scaling with display rounding, derived allergens on the
//! linked dish, roles and audit.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::{Value, json};

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

fn pancakes(dish_id: Option<i64>) -> Value {
    json!({
        "name": "Pannkakor",
        "dish_id": dish_id,
        "yield_portions": 4,
        "ingredients": [
            { "name": "Vetemjöl", "amount": "2,5", "unit": "dl", "allergens": ["gluten"] },
            { "name": "Mjölk", "amount": "6", "unit": "dl", "allergens": ["milk"] },
            { "name": "Ägg", "amount": "3", "unit": "pcs", "allergens": ["eggs"] },
            { "name": "Smör", "amount": "300", "unit": "g", "allergens": ["milk"] },
            { "name": "Salt", "amount": "0.5", "unit": "tsp" }
        ],
        "steps": ["Vispa mjöl och mjölk.", "Vispa i äggen.", "Stek."]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn recipes_scale_and_give_their_dish_its_allergens() {
    let app = TestApp::new().await;
    let (_, _, cook) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook).await;
    let dish = cook
        .post(
            "/api/v1/dishes",
            json!({ "name": "Pannkakor med sylt", "category": "dessert" }),
        )
        .await
        .json();
    assert_eq!(dish["allergens_stated"], false);
    let dish_id = dish["id"].as_i64().unwrap();

    // Bad input names every field and stores nothing.
    let mut bad = pancakes(Some(dish_id));
    bad["yield_portions"] = json!(0);
    bad["ingredients"][1]["amount"] = json!("1,2345");
    bad["steps"][0] = json!(" ");
    let refused = cook.post("/api/v1/recipes", bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        ["ingredients[1].amount", "yield_portions", "steps[0]"],
        "{}",
        refused.text()
    );
    let mut unknown_dish = pancakes(Some(dish_id + 1000));
    unknown_dish["name"] = json!("X");
    let refused = cook.post("/api/v1/recipes", unknown_dish).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(cook.get("/api/v1/recipes").await.json()["total"], 0);

    let created = cook.post("/api/v1/recipes", pancakes(Some(dish_id))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let recipe = created.json();
    let id = recipe["id"].as_i64().unwrap();
    assert_eq!(recipe["allergens"], json!(["gluten", "eggs", "milk"]));
    assert_eq!(recipe["ingredients"][0]["amount"], "2.5");
    assert_eq!(recipe["steps"].as_array().unwrap().len(), 3);

    // The dish now shows the recipe's allergens, stated.
    let dish = cook.get(&format!("/api/v1/dishes/{dish_id}")).await.json();
    assert_eq!(dish["allergens"], json!(["gluten", "eggs", "milk"]));
    assert_eq!(dish["allergens_stated"], true);

    // A second recipe for the same dish is a conflict.
    let again = cook.post("/api/v1/recipes", pancakes(Some(dish_id))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Scaled to 10: 2.5 dl * 10/4 = 6.25 dl shown as 6.3 dl; 300 g -> 750 g; 3 eggs -> 7.5 -> 8.
    let scaled = cook
        .get(&format!("/api/v1/recipes/{id}/scaled?guests=10"))
        .await;
    assert_eq!(scaled.status, StatusCode::OK, "{}", scaled.text());
    let scaled = scaled.json();
    assert_eq!(scaled["guests"], 10);
    let shown: Vec<String> = scaled["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["amount"].as_str().unwrap(),
                l["unit"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(shown[2], "8 pcs", "no 7.5 eggs: {shown:?}");
    assert_eq!(shown[3], "750 g", "{shown:?}");
    assert_eq!(scaled["allergens"], json!(["gluten", "eggs", "milk"]));
    let big = cook
        .get(&format!("/api/v1/recipes/{id}/scaled?guests=40"))
        .await
        .json();
    assert_eq!(big["ingredients"][3]["amount"], "3");
    assert_eq!(big["ingredients"][3]["unit"], "kg", "g becomes kg");
    for guests in ["0", "10001", "x"] {
        let refused = cook
            .get(&format!("/api/v1/recipes/{id}/scaled?guests={guests}"))
            .await;
        assert!(
            matches!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
            ),
            "guests={guests}: {}",
            refused.status
        );
    }

    // If-Match: missing, stale, then a replacement without eggs changes the dish again.
    let path = format!("/api/v1/recipes/{id}");
    let tag = cook.get(&path).await.header("etag").to_owned();
    let mut no_eggs = pancakes(Some(dish_id));
    no_eggs["ingredients"].as_array_mut().unwrap().remove(2);
    let missing = cook
        .send(Method::PUT, &path, None, Some(no_eggs.clone()))
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let replaced = cook
        .send(Method::PUT, &path, Some(&tag), Some(no_eggs.clone()))
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text());
    assert_eq!(replaced.json()["allergens"], json!(["gluten", "milk"]));
    let stale = cook
        .send(Method::PUT, &path, Some(&tag), Some(no_eggs))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let dish = cook.get(&format!("/api/v1/dishes/{dish_id}")).await.json();
    assert_eq!(dish["allergens"], json!(["gluten", "milk"]));

    let tag = replaced.header("etag").to_owned();
    let patched = cook
        .patch(
            &path,
            Some(&tag),
            json!({ "yield_portions": 8, "dish_id": null }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.json()["dish_id"], Value::Null);
    assert_eq!(patched.json()["ingredients"].as_array().unwrap().len(), 4);

    let found = cook.get("/api/v1/recipes?q=PANNK").await.json();
    assert_eq!(found["total"], 1);

    let (_, _, viewer) = seed_user(&app, Role::Viewer).await;
    let viewer = Client::sign_in(&app, &viewer).await;
    // Another tenant's viewer: may read recipes, sees none of these.
    assert_eq!(viewer.get("/api/v1/recipes").await.json()["total"], 0);
    assert_eq!(viewer.get(&path).await.status, StatusCode::NOT_FOUND);
    let refused = viewer.post("/api/v1/recipes", pancakes(None)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let tag = patched.header("etag").to_owned();
    assert_eq!(
        cook.delete(&path, Some(&tag)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(cook.get(&path).await.status, StatusCode::NOT_FOUND);

    let mut pooled = app.app.state.db.get().await.unwrap();
    let rows = galley_core::audit::recent(&mut pooled.conn(), None, 100)
        .await
        .unwrap();
    for action in ["recipe.created", "recipe.updated", "recipe.deleted"] {
        assert!(rows.iter().any(|r| r.action == action), "{action}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_recipe_card_prints_the_scaled_recipe() {
    let app = TestApp::new().await;
    let (_, _, cook) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook).await;
    let mut recipe = pancakes(None);
    recipe["steps"].as_array_mut().unwrap().push(json!(
        "Låt smeten vila en halvtimme så att mjölet sväller, rör om och stek tunna pannkakor \
         i rikligt med smör på medelvärme tills de fått fin färg på båda sidor."
    ));
    let id = cook.post("/api/v1/recipes", recipe).await.json()["id"]
        .as_i64()
        .unwrap();
    let card = cook
        .get(&format!("/api/v1/recipes/{id}/card.pdf?guests=12&lang=sv"))
        .await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.text());
    assert_eq!(card.content_type(), "application/pdf");
    assert!(card.body.starts_with(b"%PDF"));
    // Kept for a look: pdftoppm -png the file.
    std::fs::write(
        std::env::temp_dir().join("galley-recipe-card.pdf"),
        &card.body,
    )
    .unwrap();

    let refused = cook
        .get(&format!("/api/v1/recipes/{id}/card.pdf?lang=de"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = cook
        .get(&format!("/api/v1/recipes/{id}/card.pdf?guests=0"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}
