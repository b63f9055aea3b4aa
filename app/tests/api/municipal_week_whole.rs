//! A department's whole week in one request (`PUT .../weeks/{year}/{week}/days`), and what a
//! mark for a diet that always applies does (accepted as a no-op when marked, refused when
//! unmarked), over both the whole-week and the marks call.
//!
//! The fixture's Björken has 12 residents: 2 on Glutenfri (marked per meal) and 1 on Timbal
//! (always applies); the menu offers Alt 2 on weekdays only.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{Kitchen, closed_week, kitchen, open_week};

fn days_path(k: &Kitchen<'_>, department: usize) -> String {
    format!("{}/days", k.week_path(department))
}

async fn put(client: &Client<'_>, path: &str, etag: Option<&str>, body: Value) -> TestResponse {
    client.send(Method::PUT, path, etag, Some(body)).await
}

fn day(week: &Value, day: u32) -> &Value {
    &week["days"][(day - 1) as usize]
}

fn stored_mark(week: &Value, number: u32, diet: &str, meal: &str) -> bool {
    day(week, number)["diets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == diet)
        .unwrap()[meal]["stored"]
        .as_bool()
        .unwrap()
}

async fn audited(k: &Kitchen<'_>, action: &str) -> Vec<Value> {
    let audit = k
        .admin
        .get(&format!("/api/v1/audit?action={action}&per_page=100"))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
    audit.json()["items"].as_array().unwrap().clone()
}

fn fields(response: &TestResponse) -> Vec<String> {
    response.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", response.text()))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// A week's answers as a department sends them on Friday: Alt 2 on Monday to Wednesday,
/// Glutenfri at Tuesday's lunch and Thursday's dinner, no diets on Friday.
fn a_week(k: &Kitchen<'_>) -> Value {
    let gluten = k.diets[0];
    json!({ "days": [
        { "day": 1, "lunch": "alt2" },
        { "day": 2, "lunch": "alt2",
          "marks": [{ "meal": "lunch", "diet_type_id": gluten, "marked": true }] },
        { "day": 3, "lunch": "alt2" },
        { "day": 4, "marks": [{ "meal": "dinner", "diet_type_id": gluten, "marked": true }] },
        { "day": 5, "lunch": "alt1", "marks": [] },
    ] })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_week_is_saved_in_one_version_and_one_audit_row() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Helvecka", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();

    let missing = put(staff, &days_path(&k, 0), None, a_week(&k)).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);

    let saved = put(staff, &days_path(&k, 0), Some(&etag), a_week(&k)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let week = saved.json();
    assert_eq!(week, staff.get(&k.week_path(0)).await.json(), "as stored");
    assert_eq!(saved.header("etag"), week["etag"].as_str().unwrap());
    assert_eq!(week["version"], 1, "one bump for the whole week");
    for (number, choice) in [
        (1, "alt2"),
        (2, "alt2"),
        (3, "alt2"),
        (4, "alt1"),
        (5, "alt1"),
    ] {
        assert_eq!(day(&week, number)["stored_choice"], choice, "day {number}");
    }
    assert!(stored_mark(&week, 2, "Glutenfri", "lunch"));
    assert!(stored_mark(&week, 4, "Glutenfri", "dinner"));
    assert!(!stored_mark(&week, 2, "Glutenfri", "dinner"));
    // Tuesday: Glutenfri (2) and Timbal (1) are special, the rest go to Alt 2.
    assert_eq!(
        day(&week, 2)["lunch"],
        json!({ "residents": 12, "special": 3, "normal": 9, "over_residents": false })
    );
    // The GET answers the same week.
    assert_eq!(
        staff.get(&k.week_path(0)).await.json()["days"],
        week["days"]
    );

    // One audit row naming every change, none of the per-day actions.
    let rows = audited(&k, "week.changed").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let details = &rows[0]["details"];
    assert_eq!(rows[0]["target_id"], k.departments[0].to_string());
    assert_eq!(details["week"], k.week.week);
    assert_eq!(details["choices"].as_array().unwrap().len(), 3);
    assert_eq!(details["choices"][0]["to"], "alt2");
    assert_eq!(details["marks"].as_array().unwrap().len(), 2);
    assert!(audited(&k, "choice.changed").await.is_empty());
    assert!(audited(&k, "marks.changed").await.is_empty());

    // Coverage counts both answers.
    let coverage = k
        .cook
        .get(&format!(
            "/api/v1/municipal/sites/{}/coverage/{}/{}",
            k.site, k.week.year, k.week.week
        ))
        .await
        .json();
    assert!(
        coverage["missing"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["department_id"] != k.departments[0]),
        "{coverage}"
    );

    // The same week again changes nothing: same ETag, no new row.
    let again = put(
        staff,
        &days_path(&k, 0),
        Some(saved.header("etag")),
        a_week(&k),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.header("etag"), saved.header("etag"));
    assert_eq!(audited(&k, "week.changed").await.len(), 1);

    // Working from the first ETag: 412 with the current one, nothing changed.
    let stale = put(
        &k.cook,
        &days_path(&k, 0),
        Some(&etag),
        json!({ "days": [{ "day": 1, "lunch": "alt1" }] }),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], saved.header("etag"));
    assert_eq!(
        day(&staff.get(&k.week_path(0)).await.json(), 1)["stored_choice"],
        "alt2"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_bad_day_refuses_the_whole_week_and_names_it() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Feldag", open_week()).await;
    let staff = &k.department_staff[0];
    let read = staff.get(&k.week_path(0)).await;
    let etag = read.header("etag").to_owned();
    let [gluten, _, timbal] = k.diets;

    let bad = put(
        staff,
        &days_path(&k, 0),
        Some(&etag),
        json!({ "days": [
            { "day": 1, "lunch": "alt2",
              "marks": [{ "meal": "lunch", "diet_type_id": gluten, "marked": true }] },
            { "day": 9, "lunch": "alt1" },
            { "day": 2, "marks": [
                { "meal": "lunch", "diet_type_id": gluten, "marked": true },
                { "meal": "breakfast", "diet_type_id": gluten, "marked": true },
                { "meal": "dinner", "diet_type_id": 987_654_321, "marked": true },
                { "meal": "lunch", "diet_type_id": gluten, "marked": false },
                { "meal": "dinner", "diet_type_id": timbal, "marked": false },
            ] },
            { "day": 6, "lunch": "alt2" },
            { "day": 1, "lunch": "alt1" },
        ] }),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(
        fields(&bad),
        [
            "days[1].day",
            "days[3].lunch",
            "days[4].day",
            "days[2].marks[1].meal",
            "days[2].marks[2].diet_type_id",
            "days[2].marks[3].diet_type_id",
            "days[2].marks[4].marked",
        ]
    );
    let reasons = bad.json()["errors"].clone();
    assert!(
        reasons[1]["reason"]
            .as_str()
            .unwrap()
            .contains("has no Alt 2"),
        "{reasons}"
    );
    assert!(
        reasons[6]["reason"]
            .as_str()
            .unwrap()
            .contains("always applies"),
        "{reasons}"
    );

    // Unknown fields and bad values are named by their path too.
    for (body, field) in [
        (
            json!({ "days": [{ "day": 1, "lunch": "alt3" }] }),
            "days[0].lunch",
        ),
        (
            json!({ "days": [{ "day": 1, "dinner": "alt1" }] }),
            "days[0].dinner",
        ),
        (
            json!({ "days": [{ "day": 2, "choice": "alt1" }] }),
            "days[0].choice",
        ),
    ] {
        let refused = put(staff, &days_path(&k, 0), Some(&etag), body.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&refused)[0], field, "{body}");
    }
    let eight: Vec<Value> = (1..=8).map(|d| json!({ "day": d.min(7) })).collect();
    let too_many = put(
        staff,
        &days_path(&k, 0),
        Some(&etag),
        json!({ "days": eight }),
    )
    .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&too_many), ["days"]);

    // Nothing was stored, not even the good Monday.
    let after = staff.get(&k.week_path(0)).await;
    assert_eq!(after.header("etag"), etag);
    assert_eq!(day(&after.json(), 1)["stored_choice"], "alt1");
    assert!(!stored_mark(&after.json(), 1, "Glutenfri", "lunch"));
    assert!(audited(&k, "week.changed").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_deadline_only_the_kitchen_saves_a_whole_week() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Helstängd", closed_week()).await;
    let staff = &k.department_staff[0];
    let read = staff.get(&k.week_path(0)).await;
    assert_eq!(read.json()["choices_open"], false);
    let etag = read.header("etag").to_owned();

    let refused = put(staff, &days_path(&k, 0), Some(&etag), a_week(&k)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert!(
        refused.json()["detail"].as_str().unwrap().contains("12:00"),
        "{}",
        refused.text()
    );
    assert_eq!(staff.get(&k.week_path(0)).await.header("etag"), etag);

    let cook = put(&k.cook, &days_path(&k, 0), Some(&etag), a_week(&k)).await;
    assert_eq!(cook.status, StatusCode::OK, "{}", cook.text());
    assert_eq!(cook.json()["version"], 1);
    assert_eq!(day(&cook.json(), 3)["stored_choice"], "alt2");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_week_reaches_only_the_callers_own_department_and_tenant() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Helgrannar", open_week()).await;
    let etag = k.cook.get(&k.week_path(1)).await.header("etag").to_owned();
    let body = json!({ "days": [{ "day": 1, "lunch": "alt2" }] });

    // Another department's staff: 404, as if it did not exist.
    let neighbour = put(
        &k.department_staff[0],
        &days_path(&k, 1),
        Some(&etag),
        body.clone(),
    )
    .await;
    assert_eq!(neighbour.status, StatusCode::NOT_FOUND);
    // Another tenant's cook: 404.
    let stranger = kitchen(&app, "Annan helkommun", open_week()).await;
    let other = put(&stranger.cook, &days_path(&k, 1), Some(&etag), body.clone()).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // A viewer reads but does not write.
    let viewer = put(&k.viewer, &days_path(&k, 1), Some(&etag), body).await;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN);
    assert_eq!(k.cook.get(&k.week_path(1)).await.header("etag"), etag);
}

/// A diet that always applies is marked at every meal already: `marked: true` for it is
/// accepted and stores nothing, `marked: false` is refused on the `marked` field.
#[tokio::test(flavor = "multi_thread")]
async fn a_mark_for_a_diet_that_always_applies_is_a_no_op_and_cannot_be_cleared() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Alltid", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let [gluten, _, timbal] = k.diets;
    let marks_path = format!("{}/marks", k.week_path(0));

    let accepted = put(
        staff,
        &marks_path,
        Some(&etag),
        json!({ "marks": [
            { "day": 1, "meal": "lunch", "diet_type_id": timbal, "marked": true },
            { "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": true },
        ] }),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    let week = accepted.json();
    assert_eq!(week["version"], 1);
    // Timbal counts as before (1), stored or not; Glutenfri adds its 2.
    assert_eq!(day(&week, 1)["lunch"]["special"], 3);
    assert!(!stored_mark(&week, 1, "Timbal", "lunch"));
    let rows = audited(&k, "marks.changed").await;
    assert_eq!(rows[0]["details"]["changes"].as_array().unwrap().len(), 1);

    // Sending only the no-op again changes nothing.
    let again = put(
        staff,
        &marks_path,
        Some(accepted.header("etag")),
        json!({ "marks": [{ "day": 2, "meal": "dinner", "diet_type_id": timbal, "marked": true }] }),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.header("etag"), accepted.header("etag"));

    // Unmarking it is refused, over both calls.
    let cleared = put(
        staff,
        &marks_path,
        Some(accepted.header("etag")),
        json!({ "marks": [{ "day": 2, "meal": "dinner", "diet_type_id": timbal, "marked": false }] }),
    )
    .await;
    assert_eq!(cleared.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&cleared), ["marks[0].marked"]);
    let whole = put(
        staff,
        &days_path(&k, 0),
        Some(accepted.header("etag")),
        json!({ "days": [{ "day": 3, "marks": [
            { "meal": "lunch", "diet_type_id": timbal, "marked": true },
            { "meal": "dinner", "diet_type_id": timbal, "marked": false },
        ] }] }),
    )
    .await;
    assert_eq!(whole.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&whole), ["days[0].marks[1].marked"]);
}
