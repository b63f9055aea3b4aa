//! Diets that cannot fall through: wherever a department has residents on a diet that excludes
//! an allergen of a dish it will get, the day plan, the week overview, coverage, the department's
//! week and the portal say so, marked or not. Marking makes it a special portion; the unmarked
//! ones are the kitchen's to-do.
//!
//! The fixture's menu serves Köttbullar (gluten, milk, eggs) as Alt 1, Äppelkaka (gluten, milk,
//! eggs) for dessert and Pannkakor (gluten, milk, eggs) for dinner every day. Björken has 2 on
//! Glutenfri and 1 on Timbal (excludes nothing); Eken 1 on Laktosfri; Linden none.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

fn warnings(body: &Value) -> Vec<Value> {
    body["warnings"].as_array().cloned().unwrap_or_default()
}

fn count(warnings: &[Value], department: &str, meal: &str, marked: bool) -> usize {
    warnings
        .iter()
        .filter(|w| w["department"] == department && w["meal"] == meal && w["marked"] == marked)
        .count()
}

async fn monday_plan(k: &Kitchen<'_>) -> Value {
    let monday = k.week.monday();
    let plan = k
        .cook
        .get(&format!(
            "/api/v1/municipal/sites/{}/planning/{monday}",
            k.site
        ))
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text());
    plan.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn diets_that_cannot_eat_a_dish_are_shown_marked_or_not() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Allergiby", open_week()).await;

    // Nothing marked yet: every clash is a to-do, each with its dish and allergens.
    let plan = monday_plan(&k).await;
    let found = warnings(&plan);
    assert_eq!(found.len(), 6, "{found:#?}");
    assert_eq!(count(&found, "Björken", "lunch", false), 2);
    assert_eq!(count(&found, "Björken", "dinner", false), 1);
    assert_eq!(count(&found, "Eken", "lunch", false), 2);
    assert_eq!(count(&found, "Eken", "dinner", false), 1);
    let alt1 = found
        .iter()
        .find(|w| w["department"] == "Björken" && w["slot"] == "alt1")
        .unwrap();
    assert_eq!(alt1["diet"], "Glutenfri");
    assert_eq!(alt1["portions"], 2);
    assert_eq!(alt1["allergens"], json!(["gluten"]));
    assert!(
        !found.iter().any(|w| w["diet"] == "Timbal"),
        "Timbal excludes nothing"
    );

    // Björken marks Glutenfri for Monday's lunch: those two clashes become special portions.
    let week_path = format!(
        "/api/v1/municipal/departments/{}/weeks/{}/{}",
        k.departments[0], k.week.year, k.week.week
    );
    let staff = &k.department_staff[0];
    let read = staff.get(&week_path).await;
    let marked = staff
        .send(
            Method::PUT,
            &format!("{week_path}/marks"),
            Some(read.header("etag")),
            Some(json!({ "marks": [{ "day": 1, "meal": "lunch", "diet_type_id": k.diets[0], "marked": true }] })),
        )
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
    let found = warnings(&monday_plan(&k).await);
    assert_eq!(count(&found, "Björken", "lunch", true), 2);
    assert_eq!(count(&found, "Björken", "lunch", false), 0);
    assert_eq!(count(&found, "Björken", "dinner", false), 1);

    // The department's own week says the same for its day.
    let week = staff.get(&week_path).await.json();
    let monday = &week["days"][0]["warnings"];
    assert_eq!(
        count(monday.as_array().unwrap(), "Björken", "lunch", true),
        2
    );
    assert_eq!(
        count(monday.as_array().unwrap(), "Björken", "dinner", false),
        1
    );

    // Coverage lists the week's unmarked ones: 6 a day for 7 days, less the two now marked.
    let coverage = k
        .cook
        .get(&format!(
            "/api/v1/municipal/sites/{}/coverage/{}/{}",
            k.site, k.week.year, k.week.week
        ))
        .await
        .json();
    let falling = coverage["diets_falling_through"].as_array().unwrap();
    assert_eq!(falling.len(), 7 * 6 - 2);
    assert!(falling.iter().all(|w| w["marked"] == false));

    // The pages: the day plan and the week overview show the to-do apart from the rest; the
    // portal card says what happens unless the diet is marked.
    let page = k
        .cook
        .get(&format!("/municipal/kitchen/plan/{}", k.week.monday()))
        .await
        .text();
    assert!(page.contains(r#"id="unmarked-heading""#), "{page}");
    assert!(page.contains("Eken: 1 på Laktosfri är inte markerade till lunch"));
    let page = k
        .cook
        .get(&format!(
            "/municipal/kitchen/weeks/{}/{}",
            k.week.year, k.week.week
        ))
        .await
        .text();
    assert!(page.contains(r#"id="unmarked-diets""#), "{page}");
    let portal = staff
        .get(&format!(
            "/municipal/portal?week={}-W{:02}",
            k.week.year, k.week.week
        ))
        .await
        .text();
    assert!(
        portal.contains(r#"class="diet-clash" data-clash-meal="dinner""#),
        "{portal}"
    );
    assert!(
        portal.contains("Markera Glutenfri till kvällsmat"),
        "{portal}"
    );
}
