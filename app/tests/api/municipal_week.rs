//! A department's week over the API (`/api/v1/municipal/me/department` and
//! `/departments/{id}/weeks/...`), and the department portal in a real browser.
//!
//! The fixture's Björken has 12 residents: 2 on Glutenfri (marked per meal) and 1 on Timbal
//! (always applies). So at lunch S = 1 unless Glutenfri is marked (then 3), and N = R - S.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Datelike, Duration, Weekday};
use galley_core::auth::{Role, password};
use galley_core::people::users;
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{Kitchen, PASSWORD, closed_week, kitchen, open_week};

const SATURDAY: usize = 5;

fn day(week: &Value, day: u32) -> &Value {
    &week["days"][(day - 1) as usize]
}

fn diet<'v>(day: &'v Value, name: &str) -> &'v Value {
    day["diets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no diet {name} in {day}"))
}

fn choice_path(k: &Kitchen<'_>, department: usize, day: u32) -> String {
    format!("{}/choices/{day}", k.week_path(department))
}

fn marks_path(k: &Kitchen<'_>, department: usize) -> String {
    format!("{}/marks", k.week_path(department))
}

async fn put(client: &Client<'_>, path: &str, etag: Option<&str>, body: Value) -> TestResponse {
    client.send(Method::PUT, path, etag, Some(body)).await
}

/// The audit rows of an action, newest first.
async fn audited(k: &Kitchen<'_>, action: &str) -> Vec<Value> {
    let audit = k
        .admin
        .get(&format!("/api/v1/audit?action={action}&per_page=100"))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
    audit.json()["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_week_shows_menu_choices_diets_and_portions() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Veckan", open_week()).await;
    let staff = &k.department_staff[0];
    let read = staff.get(&k.week_path(0)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    let week = read.json();
    let menu_version = week["menu_version"].as_i64().unwrap();
    let etag = format!(
        "\"dept-week-{}-{}w{}-v0-m{menu_version}-d1-s0-open\"",
        k.departments[0], k.week.year, k.week.week
    );
    assert_eq!(read.header("etag"), etag);
    assert_eq!(week["etag"], etag);
    assert_eq!(week["version"], 0);
    assert_eq!(week["department"]["id"], k.departments[0]);
    assert_eq!(week["department"]["name"], "Björken");
    assert_eq!(week["department"]["site_id"], k.site);
    assert_eq!(week["department"]["site_name"], "Veckan centralkök");
    assert_eq!(week["year"], k.week.year);
    assert_eq!(week["week"], k.week.week);
    assert_eq!(week["first_day"], k.week.monday().to_string());
    assert_eq!(week["menu_published"], true);
    assert_eq!(week["menu_changed"], false);
    assert_eq!(week["choices_open"], true);
    assert_eq!(week["timezone"], "Europe/Stockholm");

    // The deadline: Thursday 12:00 of the week before, written in the kitchen's own offset.
    let deadline = DateTime::parse_from_rfc3339(week["deadline"].as_str().unwrap()).unwrap();
    let thursday = k.week.monday() - Duration::days(4);
    assert_eq!(deadline.date_naive(), thursday);
    assert_eq!(deadline.format("%H:%M").to_string(), "12:00");
    assert!(
        [3600, 7200].contains(&deadline.offset().local_minus_utc()),
        "{deadline}"
    );

    let days = week["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    for (i, d) in days.iter().enumerate() {
        let date = k.week.monday() + Duration::days(i as i64);
        assert_eq!(d["day"], i + 1);
        assert_eq!(d["date"], date.to_string());
        assert_eq!(d["stored_choice"], "alt1");
        assert_eq!(d["choice"], "alt1");
        assert_eq!(d["choice_lapsed"], false);
        assert_eq!(d["alt2_available"], i < 5, "day {}", i + 1);
        let menu = &d["menu"];
        assert_eq!(menu["alt1"]["id"], k.dishes[0]);
        assert!(
            menu["alt1"]["name"]
                .as_str()
                .unwrap()
                .starts_with("Köttbullar med potatismos")
        );
        let mut allergens: Vec<&str> = menu["alt1"]["allergens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        allergens.sort_unstable();
        assert_eq!(allergens, ["eggs", "gluten", "milk"]);
        assert_eq!(menu["dessert"]["id"], k.dishes[4]);
        assert_eq!(menu["dinner"]["id"], k.dishes[3]);
        if i < 5 {
            assert_eq!(menu["alt2"]["id"], k.dishes[1]);
            assert_eq!(menu["alt2"]["allergens"], json!(["fish", "milk"]));
        } else {
            assert!(menu["alt2"].is_null(), "{menu}");
        }
        // Timbal always applies: S = 1 at both meals, N = 12 - 1.
        for meal in ["lunch", "dinner"] {
            assert_eq!(
                d[meal],
                json!({ "residents": 12, "special": 1, "normal": 11, "over_residents": false })
            );
        }
        assert_eq!(d["diets"].as_array().unwrap().len(), 3);
        let gluten = diet(d, "Glutenfri");
        assert_eq!(gluten["diet_type_id"], k.diets[0]);
        assert_eq!(gluten["residents"], 2);
        assert_eq!(gluten["always_applies"], false);
        assert_eq!(
            gluten["lunch"],
            json!({ "marked": false, "stored": false, "implied": false })
        );
        let timbal = diet(d, "Timbal");
        assert_eq!(timbal["residents"], 1);
        assert_eq!(timbal["always_applies"], true);
        assert_eq!(
            timbal["dinner"],
            json!({ "marked": true, "stored": false, "implied": true })
        );
        assert_eq!(diet(d, "Laktosfri")["residents"], 0);
    }

    // Marking Glutenfri for Tuesday's lunch: S = 3 there and only there.
    let marked = put(
        staff,
        &marks_path(&k, 0),
        Some(&etag),
        json!({ "marks": [{ "day": 2, "meal": "lunch", "diet_type_id": k.diets[0], "marked": true }] }),
    )
    .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
    let week = marked.json();
    assert_eq!(marked.header("etag"), week["etag"].as_str().unwrap());
    assert_eq!(week["version"], 1);
    assert_eq!(
        day(&week, 2)["lunch"],
        json!({ "residents": 12, "special": 3, "normal": 9, "over_residents": false })
    );
    assert_eq!(
        day(&week, 2)["dinner"],
        json!({ "residents": 12, "special": 1, "normal": 11, "over_residents": false })
    );
    assert_eq!(day(&week, 3)["lunch"]["special"], 1);
    assert_eq!(
        diet(day(&week, 2), "Glutenfri")["lunch"],
        json!({ "marked": true, "stored": true, "implied": false })
    );

    // The kitchen reads the same week.
    let cook = k.cook.get(&k.week_path(0)).await;
    assert_eq!(cook.status, StatusCode::OK);
    assert_eq!(cook.json()["days"], week["days"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn choosing_alt_2_needs_the_current_etag() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Valet", open_week()).await;
    let staff = &k.department_staff[0];
    let before = staff.get(&k.week_path(0)).await;
    let etag = before.header("etag").to_owned();

    let missing = put(
        staff,
        &choice_path(&k, 0, 2),
        None,
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);

    let chosen = put(
        staff,
        &choice_path(&k, 0, 2),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.text());
    let week = chosen.json();
    // The write answers with the week as stored, without reading it again.
    assert_eq!(week, staff.get(&k.week_path(0)).await.json());
    let new_etag = chosen.header("etag").to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(week["etag"], new_etag);
    assert_eq!(week["version"], 1);
    assert_eq!(day(&week, 2)["stored_choice"], "alt2");
    assert_eq!(day(&week, 2)["choice"], "alt2");
    assert_eq!(day(&week, 1)["choice"], "alt1");
    // The whole shape, as GET answers it.
    assert_eq!(week["days"].as_array().unwrap().len(), 7);
    assert_eq!(day(&week, 2)["lunch"]["normal"], 11);

    // Someone working from the old ETag is refused and told the current one.
    let stale = put(
        &k.cook,
        &choice_path(&k, 0, 2),
        Some(&etag),
        json!({ "lunch": "alt1" }),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], new_etag);
    assert_eq!(
        day(&staff.get(&k.week_path(0)).await.json(), 2)["choice"],
        "alt2"
    );

    // The same choice again changes nothing, not even the version.
    let again = put(
        staff,
        &choice_path(&k, 0, 2),
        Some(&new_etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("etag"), new_etag);
    assert_eq!(again.json()["version"], 1);

    // One audit row, saying from what to what.
    let rows = audited(&k, "choice.changed").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["target_id"], k.departments[0].to_string());
    let details = &rows[0]["details"];
    assert_eq!(details["from"], "alt1");
    assert_eq!(details["to"], "alt2");
    assert_eq!(details["day"], 2);
    assert_eq!(details["week"], k.week.week);

    // Back to Alt 1 with the current ETag: a second row.
    let back = put(
        staff,
        &choice_path(&k, 0, 2),
        Some(&new_etag),
        json!({ "lunch": "alt1" }),
    )
    .await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(back.json()["version"], 2);
    assert_eq!(audited(&k, "choice.changed").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_choice_is_refused_where_the_menu_has_no_alt_2() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Lördag", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();

    let saturday = put(
        staff,
        &choice_path(&k, 0, 6),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(saturday.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = saturday.json();
    assert_eq!(problem["errors"][0]["field"], "lunch");
    let date = k.week.monday() + Duration::days(SATURDAY as i64);
    assert_eq!(date.weekday(), Weekday::Sat);
    let reason = problem["errors"][0]["reason"].as_str().unwrap();
    assert_eq!(
        reason,
        format!(
            "{} has no Alt 2 on the published menu",
            date.format("%A %-d %B")
        )
    );
    assert!(reason.starts_with("Saturday "), "{reason}");

    for (path, body, field) in [
        (choice_path(&k, 0, 8), json!({ "lunch": "alt1" }), "day"),
        (choice_path(&k, 0, 0), json!({ "lunch": "alt1" }), "day"),
        (choice_path(&k, 0, 1), json!({ "lunch": "alt3" }), "lunch"),
        (
            choice_path(&k, 0, 1),
            json!({ "lunch": "alt2", "dinner": "x" }),
            "dinner",
        ),
    ] {
        let refused = put(staff, &path, Some(&etag), body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}"
        );
        assert_eq!(refused.json()["errors"][0]["field"], field, "{body}");
    }
    // Nothing was stored.
    let week = staff.get(&k.week_path(0)).await;
    assert_eq!(week.header("etag"), etag);
    assert!(audited(&k, "choice.changed").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unpublished_week_shows_no_menu_and_takes_no_choice() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Opublicerad", open_week()).await;
    let staff = &k.department_staff[0];

    // Next week has no menu at all.
    let next = k.week.next();
    let path = format!(
        "/api/v1/municipal/departments/{}/weeks/{}/{}",
        k.departments[0], next.year, next.week
    );
    let empty = staff.get(&path).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text());
    let week = empty.json();
    assert_eq!(week["menu_published"], false);
    assert!(week["menu_version"].is_null());
    assert!(week["etag"].as_str().unwrap().contains("-v0-m0-"), "{week}");
    for d in week["days"].as_array().unwrap() {
        assert!(d["menu"].is_null(), "{d}");
        assert_eq!(d["alt2_available"], false);
        assert_eq!(d["lunch"]["residents"], 12);
    }
    let refused = put(
        staff,
        &format!("{path}/choices/1"),
        Some(week["etag"].as_str().unwrap()),
        json!({ "lunch": "alt1" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["errors"][0]["field"], "lunch");
    assert!(
        refused.json()["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("no published menu")
    );

    // This week, withdrawn by the kitchen: the department sees nothing of the draft.
    let menu = k.cook.get(&k.menu_path()).await;
    let withdrawn = k
        .cook
        .send(
            Method::POST,
            &format!("{}/unpublish", k.menu_path()),
            Some(menu.header("etag")),
            None,
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    let week = staff.get(&k.week_path(0)).await.json();
    assert_eq!(week["menu_published"], false);
    assert!(day(&week, 1)["menu"].is_null());
    assert!(!week.to_string().contains("Köttbullar"));
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_deadline_only_the_kitchen_changes_the_week() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Stängd", closed_week()).await;
    let staff = &k.department_staff[0];
    let read = staff.get(&k.week_path(0)).await;
    let week = read.json();
    assert_eq!(week["choices_open"], false);
    let etag = read.header("etag").to_owned();

    let refused = put(
        staff,
        &choice_path(&k, 0, 2),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let detail = refused.json()["detail"].as_str().unwrap().to_owned();
    let deadline = DateTime::parse_from_rfc3339(week["deadline"].as_str().unwrap()).unwrap();
    assert!(
        detail.contains(&deadline.format("%A %-d %B %Y").to_string()) && detail.contains("12:00"),
        "{detail}"
    );
    let marks = put(
        staff,
        &marks_path(&k, 0),
        Some(&etag),
        json!({ "marks": [{ "day": 1, "meal": "lunch", "diet_type_id": k.diets[0], "marked": true }] }),
    )
    .await;
    assert_eq!(marks.status, StatusCode::FORBIDDEN);

    // The cook still may.
    let cook = put(
        &k.cook,
        &choice_path(&k, 0, 2),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(cook.status, StatusCode::OK, "{}", cook.text());
    assert_eq!(day(&cook.json(), 2)["choice"], "alt2");
    let marked = put(
        &k.admin,
        &marks_path(&k, 0),
        Some(cook.header("etag")),
        json!({ "marks": [{ "day": 1, "meal": "lunch", "diet_type_id": k.diets[0], "marked": true }] }),
    )
    .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
    assert_eq!(day(&marked.json(), 1)["lunch"]["special"], 3);
}

/// Saving the default (Alt 1, or no marks) is an answer: the week's version moves and coverage
/// stops listing the department; saving the same again changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_first_answer_counts_even_when_it_equals_the_default() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Standard", open_week()).await;
    let staff = &k.department_staff[0];
    let coverage_path = format!(
        "/api/v1/municipal/sites/{}/coverage/{}/{}",
        k.site, k.week.year, k.week.week
    );
    let gap = |coverage: &Value| {
        coverage["missing"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["department_id"] == k.departments[0])
            .cloned()
    };
    let before = k.cook.get(&coverage_path).await.json();
    let listed = gap(&before).expect("Björken has answered nothing yet");
    assert_eq!(listed["choices_missing"], true);
    assert_eq!(listed["marks_missing"], true);

    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let chosen = put(
        staff,
        &choice_path(&k, 0, 1),
        Some(&etag),
        json!({ "lunch": "alt1" }),
    )
    .await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.text());
    assert_eq!(chosen.json()["version"], 1);
    assert_eq!(day(&chosen.json(), 1)["stored_choice"], "alt1");
    let [gluten, ..] = k.diets;
    let unmarked = put(
        staff,
        &marks_path(&k, 0),
        Some(chosen.header("etag")),
        json!({ "marks": [{ "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": false }] }),
    )
    .await;
    assert_eq!(unmarked.status, StatusCode::OK, "{}", unmarked.text());
    assert_eq!(unmarked.json()["version"], 2);
    let after = k.cook.get(&coverage_path).await.json();
    assert_eq!(gap(&after), None, "{after}");

    // The same answers again: nothing to write, the version stays.
    let again = put(
        staff,
        &choice_path(&k, 0, 1),
        Some(unmarked.header("etag")),
        json!({ "lunch": "alt1" }),
    )
    .await;
    assert_eq!(again.json()["version"], 2);
    let again = put(
        staff,
        &marks_path(&k, 0),
        Some(unmarked.header("etag")),
        json!({ "marks": [{ "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": false }] }),
    )
    .await;
    assert_eq!(again.json()["version"], 2);
    assert_eq!(audited(&k, "choice.changed").await.len(), 1);
    assert_eq!(audited(&k, "marks.changed").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn marks_are_all_or_nothing() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Märkning", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let [gluten, lactose, timbal] = k.diets;

    let bad = put(
        staff,
        &marks_path(&k, 0),
        Some(&etag),
        json!({ "marks": [
            { "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": true },
            { "day": 9, "meal": "lunch", "diet_type_id": gluten, "marked": true },
            { "day": 2, "meal": "breakfast", "diet_type_id": gluten, "marked": true },
            { "day": 3, "meal": "dinner", "diet_type_id": 987_654_321, "marked": true },
            { "day": 4, "meal": "lunch", "diet_type_id": timbal, "marked": false },
            { "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": false },
        ] }),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "marks[1].day",
            "marks[2].meal",
            "marks[3].diet_type_id",
            "marks[4].marked",
            "marks[5].diet_type_id",
        ]
    );
    assert!(
        bad.json()["errors"][3]["reason"]
            .as_str()
            .unwrap()
            .contains("always applies")
    );
    // Nothing stored, not even the good first entry.
    let after = staff.get(&k.week_path(0)).await;
    assert_eq!(after.header("etag"), etag);
    assert_eq!(
        diet(day(&after.json(), 1), "Glutenfri")["lunch"]["stored"],
        false
    );

    // Too many entries.
    let many: Vec<Value> = (0..43)
        .map(|_| json!({ "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": true }))
        .collect();
    let too_many = put(
        staff,
        &marks_path(&k, 0),
        Some(&etag),
        json!({ "marks": many }),
    )
    .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_many.json()["errors"][0]["field"], "marks");

    // A good batch: stored, one version, one audit row naming the changes.
    let good = json!({ "marks": [
        { "day": 1, "meal": "lunch", "diet_type_id": gluten, "marked": true },
        { "day": 1, "meal": "dinner", "diet_type_id": lactose, "marked": true },
        { "day": 5, "meal": "dinner", "diet_type_id": gluten, "marked": false },
    ] });
    let saved = put(staff, &marks_path(&k, 0), Some(&etag), good.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let week = saved.json();
    assert_eq!(week, staff.get(&k.week_path(0)).await.json(), "as stored");
    assert_eq!(week["version"], 1);
    assert_eq!(day(&week, 1)["lunch"]["special"], 3);
    // Björken has nobody on Laktosfri: marked, but no portions.
    assert_eq!(diet(day(&week, 1), "Laktosfri")["dinner"]["stored"], true);
    assert_eq!(day(&week, 1)["dinner"]["special"], 1);
    let rows = audited(&k, "marks.changed").await;
    assert_eq!(rows.len(), 1);
    let changes = rows[0]["details"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "the unchanged entry is not a change");
    assert_eq!(changes[0]["diet"], "Glutenfri");
    assert_eq!(changes[0]["marked"], true);

    // The same batch again changes nothing.
    let again = put(staff, &marks_path(&k, 0), Some(saved.header("etag")), good).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("etag"), saved.header("etag"));
    assert_eq!(audited(&k, "marks.changed").await.len(), 1);

    // Stale: refused.
    let stale = put(
        staff,
        &marks_path(&k, 0),
        Some(&etag),
        json!({ "marks": [{ "day": 2, "meal": "lunch", "diet_type_id": gluten, "marked": true }] }),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], saved.header("etag"));
}

#[tokio::test(flavor = "multi_thread")]
async fn departments_reach_only_their_own_week_and_viewers_only_read() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Grannar", open_week()).await;
    let staff = &k.department_staff[0];
    let other = staff.get(&k.week_path(1)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let etag = k.cook.get(&k.week_path(1)).await.header("etag").to_owned();
    let write = put(
        staff,
        &choice_path(&k, 1, 2),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(write.status, StatusCode::NOT_FOUND);
    let marks = put(
        staff,
        &marks_path(&k, 1),
        Some(&etag),
        json!({ "marks": [] }),
    )
    .await;
    assert_eq!(marks.status, StatusCode::NOT_FOUND);

    // Another tenant's kitchen staff do not find it either.
    let stranger = kitchen(&app, "Annan kommun", open_week()).await;
    assert_eq!(
        stranger.cook.get(&k.week_path(0)).await.status,
        StatusCode::NOT_FOUND
    );

    let viewed = k.viewer.get(&k.week_path(1)).await;
    assert_eq!(viewed.status, StatusCode::OK);
    assert_eq!(viewed.json()["department"]["name"], "Eken");
    let refused = put(
        &k.viewer,
        &choice_path(&k, 1, 2),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = put(
        &k.viewer,
        &marks_path(&k, 1),
        Some(&etag),
        json!({ "marks": [] }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// The kitchen swaps Monday's Alt 1 in the published week.
async fn swap_mondays_alt1(k: &Kitchen<'_>) {
    k.edit_menu(|items| {
        for item in items {
            if item["day"] == 1 && item["slot"] == "alt1" {
                item["dish_id"] = json!(k.dishes[2]);
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_department_hears_when_the_published_menu_changed() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Ändrad", open_week()).await;
    let staff = &k.department_staff[0];
    let first = staff.get(&k.week_path(0)).await;
    assert_eq!(first.json()["menu_changed"], false);
    let old_etag = first.header("etag").to_owned();

    swap_mondays_alt1(&k).await;

    let second = staff.get(&k.week_path(0)).await;
    let week = second.json();
    assert_eq!(week["menu_changed"], true);
    assert_eq!(day(&week, 1)["menu"]["alt1"]["id"], k.dishes[2]);
    assert_ne!(
        second.header("etag"),
        old_etag,
        "the menu is part of the ETag"
    );
    // Seen now: the next read no longer says so, and the kitchen is never told.
    assert_eq!(
        staff.get(&k.week_path(0)).await.json()["menu_changed"],
        false
    );
    assert_eq!(
        k.cook.get(&k.week_path(0)).await.json()["menu_changed"],
        false
    );
    // A choice made against the old menu is refused.
    let stale = put(
        staff,
        &choice_path(&k, 0, 1),
        Some(&old_etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], second.header("etag"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_week_answers_304() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Cache", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let fresh = staff
        .get_with(&k.week_path(0), &[("if-none-match", &etag)])
        .await;
    assert_eq!(fresh.status, StatusCode::NOT_MODIFIED);
    assert_eq!(fresh.header("etag"), etag);
    assert!(fresh.text().is_empty());

    let chosen = put(
        staff,
        &choice_path(&k, 0, 3),
        Some(&etag),
        json!({ "lunch": "alt2" }),
    )
    .await;
    assert_eq!(chosen.status, StatusCode::OK);
    let changed = staff
        .get_with(&k.week_path(0), &[("if-none-match", &etag)])
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.header("etag"), chosen.header("etag"));
}

/// A department user of the kitchen's tenant who is bound to no department.
async fn unbound_department_user<'a>(app: &'a TestApp, k: &Kitchen<'_>) -> Client<'a> {
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    let email = format!("unbound-{}@example.se", k.tenant);
    let mut pooled = app.app.state.db.get().await.unwrap();
    users::insert(
        &mut pooled.conn(),
        &users::NewUser {
            tenant_id: Some(k.tenant),
            site_id: Some(k.site),
            email: &email,
            display_name: "Ny personal",
            role: Role::Department,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    drop(pooled);
    Client::sign_in(app, &email).await
}

#[tokio::test(flavor = "multi_thread")]
async fn me_department_names_the_department_of_department_staff() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Min avdelning", open_week()).await;
    let mine = k.department_staff[1]
        .get("/api/v1/municipal/me/department")
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
    assert_eq!(
        mine.json(),
        json!({
            "id": k.departments[1], "name": "Eken",
            "site_id": k.site, "site_name": "Min avdelning centralkök",
        })
    );
    // Kitchen roles have no department of their own.
    for client in [&k.cook, &k.admin, &k.viewer] {
        let none = client.get("/api/v1/municipal/me/department").await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
    }
    let unbound = unbound_department_user(&app, &k).await;
    let refused = unbound.get("/api/v1/municipal/me/department").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("not bound to a department"),
        "{}",
        refused.text()
    );
    // And reaches no department's week.
    assert_eq!(
        unbound.get(&k.week_path(0)).await.status,
        StatusCode::NOT_FOUND
    );
}

// ------------------------------------------------------------------ portal pages ---

/// Posts a day's form as a browser without JavaScript would.
async fn post_form(client: &Client<'_>, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let mut pairs: Vec<(&str, &str)> = vec![("csrf_token", client.csrf.as_str())];
    pairs.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&pairs).unwrap();
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await
}

fn day_form_path(k: &Kitchen<'_>, department: usize, day: u32) -> String {
    format!(
        "/municipal/portal/departments/{}/weeks/{}/{}/days/{day}",
        k.departments[department], k.week.year, k.week.week
    )
}

fn week_param(week: galley_core::kitchen::iso_week::IsoWeek) -> String {
    format!("{}-W{:02}", week.year, week.week)
}

/// The HTML of one day's card.
fn card<'h>(html: &'h str, k: &Kitchen<'_>, day: u32) -> &'h str {
    let id = format!("id=\"d-{}-{}-{day}\"", k.week.year, k.week.week);
    let start = html
        .find(&id)
        .unwrap_or_else(|| panic!("no card {id} in the page"));
    let rest = &html[start..];
    &rest[..rest.find("</form>").unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_shows_the_department_its_week_in_swedish() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Portalen", open_week()).await;
    let staff = &k.department_staff[0];
    let path = format!("/municipal/portal?week={}", week_param(k.week));
    let page = staff.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<h1>Björken</h1>"), "{html}");
    assert!(html.contains("Portalen centralkök"));
    assert!(html.contains(&format!("v. {}", k.week.week)));
    assert!(html.contains("Du kan ändra valen till torsdag "), "{html}");
    assert!(html.contains("kl. 12:00"));
    assert!(html.contains(r#"<meta name="csrf-token""#));
    assert!(html.contains(r#"src="/municipal/static/portal.js""#));
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style="), "no inline style");

    let tuesday = card(&html, &k, 2);
    assert!(tuesday.contains("Tisdag"), "{tuesday}");
    assert!(tuesday.contains("Köttbullar med potatismos"));
    assert!(tuesday.contains("Fiskgratäng med dillpotatis"));
    assert!(tuesday.contains(r#"<span class="badge allergen">Fisk</span>"#));
    assert!(tuesday.contains(r#"value="alt1" checked"#));
    assert!(tuesday.contains("Äppelkaka med vaniljsås"));
    assert!(tuesday.contains("Pannkakor med sylt"));
    assert!(tuesday.contains(r#"data-count="lunch.special">1<"#));
    assert!(tuesday.contains(r#"data-count="lunch.normal">11<"#));
    assert!(tuesday.contains("Glutenfri"));
    assert!(tuesday.contains(&format!(r#"value="lunch:{}""#, k.diets[0])));
    assert!(tuesday.contains("Gäller alltid"), "Timbal has no box");
    assert!(!tuesday.contains(&format!(r#"value="lunch:{}""#, k.diets[2])));
    // Saturday has no Alt 2: no toggle, and it says so.
    let saturday = card(&html, &k, 6);
    assert!(!saturday.contains(r#"name="lunch""#), "{saturday}");
    assert!(saturday.contains("Ingen Alt 2 denna dag."));

    // The week after has no menu yet.
    let next = k.week.next();
    assert!(
        html.contains(&format!("Ingen meny publicerad för v. {} ännu", next.week)),
        "{html}"
    );

    // The kitchen edits the published week: the next look says so, once.
    swap_mondays_alt1(&k).await;
    let changed = staff.get(&path).await.text();
    assert!(changed.contains("Menyn har ändrats sedan du senast tittade"));
    assert!(card(&changed, &k, 1).contains("Kycklinggryta med ris"));
    assert!(
        !staff
            .get(&path)
            .await
            .text()
            .contains("Menyn har ändrats sedan du senast tittade")
    );

    // English on request.
    let english = staff.get(&format!("{path}&lang=en")).await.text();
    assert!(english.contains("You can change the choices until "));
    assert!(english.contains(&format!("No menu published for Week {} yet", next.week)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_form_saves_without_javascript() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Formulär", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let first = week_param(k.week);
    let gluten_lunch = format!("lunch:{}", k.diets[0]);
    let gluten_dinner = format!("dinner:{}", k.diets[0]);
    let saved = post_form(
        staff,
        &day_form_path(&k, 0, 2),
        &[
            ("etag", &etag),
            ("back", "home"),
            ("first", &first),
            ("lunch", "alt2"),
            ("shown", &gluten_lunch),
            ("shown", &gluten_dinner),
            ("mark", &gluten_lunch),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let anchor = format!("#d-{}-{}-2", k.week.year, k.week.week);
    assert_eq!(
        saved.header("location"),
        format!("/municipal/portal?week={first}&saved={first}-2{anchor}",)
    );
    // Both were applied by the API's operations: two versions, two audit rows.
    let week = staff.get(&k.week_path(0)).await.json();
    assert_eq!(week["version"], 2);
    assert_eq!(day(&week, 2)["choice"], "alt2");
    assert_eq!(day(&week, 2)["lunch"]["special"], 3);
    assert_eq!(audited(&k, "choice.changed").await.len(), 1);
    assert_eq!(audited(&k, "marks.changed").await.len(), 1);

    let back = staff
        .get(saved.header("location").split('#').next().unwrap())
        .await
        .text();
    let tuesday = card(&back, &k, 2);
    assert!(tuesday.contains(r#"value="alt2" checked"#), "{tuesday}");
    assert!(tuesday.contains(r#"<span class="saved">Sparat</span>"#));
    assert!(!card(&back, &k, 3).contains("Sparat"));

    // The old ETag: the page comes back saying someone else changed the week, nothing saved.
    let stale = post_form(
        staff,
        &day_form_path(&k, 0, 3),
        &[("etag", &etag), ("first", &first), ("lunch", "alt2")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        card(&stale.text(), &k, 3).contains("Någon annan ändrade veckan"),
        "{}",
        stale.text()
    );
    assert_eq!(
        day(&staff.get(&k.week_path(0)).await.json(), 3)["choice"],
        "alt1"
    );

    // Without the CSRF token: refused.
    let body = serde_urlencoded::to_string([("etag", etag.as_str()), ("lunch", "alt2")]).unwrap();
    let forged = app
        .request(
            Method::POST,
            &day_form_path(&k, 0, 3),
            &[
                ("cookie", staff.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_follows_the_roles_and_the_deadline() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rollerna", closed_week()).await;
    let week = format!("?week={}", week_param(k.week));

    // Kitchen roles pick a department first.
    let picker = k.cook.get("/municipal/portal").await;
    assert_eq!(picker.status, StatusCode::OK);
    let html = picker.text();
    assert!(html.contains("Välj avdelning"));
    for (i, name) in ["Björken", "Eken", "Linden"].iter().enumerate() {
        assert!(
            html.contains(&format!(
                r#"href="/municipal/portal/departments/{}">{name}</a>"#,
                k.departments[i]
            )),
            "{html}"
        );
    }
    // A closed week: the department can look but not change; the cook still can.
    let cooks = k
        .cook
        .get(&format!(
            "/municipal/portal/departments/{}{week}",
            k.departments[0]
        ))
        .await
        .text();
    assert!(cooks.contains("Som kökspersonal kan du fortfarande ändra dem."));
    assert!(!card(&cooks, &k, 2).contains("disabled"));
    let staff = k.department_staff[0]
        .get(&format!("/municipal/portal{week}"))
        .await
        .text();
    assert!(staff.contains("Valen är stängda sedan torsdag "), "{staff}");
    assert!(card(&staff, &k, 2).contains("disabled"));
    assert!(!card(&staff, &k, 2).contains("Spara dagen"));
    let etag = k.department_staff[0]
        .get(&k.week_path(0))
        .await
        .header("etag")
        .to_owned();
    let refused = post_form(
        &k.department_staff[0],
        &day_form_path(&k, 0, 2),
        &[("etag", &etag), ("lunch", "alt2")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("Valen är stängda. Be köket"));

    // Another department's page is not there for department staff.
    let other = k.department_staff[0]
        .get(&format!(
            "/municipal/portal/departments/{}",
            k.departments[1]
        ))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Viewers read, without controls, and cannot post.
    let viewed = k
        .viewer
        .get(&format!(
            "/municipal/portal/departments/{}{week}",
            k.departments[1]
        ))
        .await;
    assert_eq!(viewed.status, StatusCode::OK);
    assert!(
        viewed
            .text()
            .contains("Du kan se veckan men inte ändra den.")
    );
    let posted = post_form(
        &k.viewer,
        &day_form_path(&k, 1, 2),
        &[("etag", &etag), ("lunch", "alt2")],
    )
    .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);

    // A department account bound to no department is told so.
    let unbound = unbound_department_user(&app, &k).await;
    let page = unbound.get("/municipal/portal").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.text()
            .contains("Ditt konto är inte kopplat till någon avdelning")
    );

    // A week that does not exist is a bad address.
    let bad = k
        .cook
        .get("/municipal/portal/departments/1?week=2027-W53")
        .await;
    assert!(matches!(
        bad.status,
        StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND
    ));

    // Strangers sign in first.
    let stranger = app.get("/municipal/portal").await;
    assert_eq!(stranger.status, StatusCode::SEE_OTHER);
    assert!(stranger.header("location").starts_with("/login?next="));
}

// ------------------------------------------------------------------ in a browser ---

mod in_a_browser {
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;
    use crate::browser::{Browser, within_time_limit};

    /// The fixture's e-mail of the `index`-th person it made (admin 0, cook 1, viewer 2,
    /// department staff 3 and 4).
    fn email(role: &str, index: usize, kitchen_name: &str) -> String {
        let slug = kitchen_name.to_lowercase().replace(' ', "-");
        format!("{role}-{index}-{slug}@example.se")
    }

    /// Scrolls an element to the middle of the window (clear of the phone's bottom bar) and
    /// clicks it.
    async fn tap(browser: &Browser, css: &str) {
        browser.find(css).await;
        browser
            .client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
                vec![json!(css)],
            )
            .await
            .unwrap();
        browser.click(css).await;
    }

    /// Waits until the element's text is `expected`.
    async fn wait_for_text(browser: &Browser, css: &str, expected: &str) {
        let started = Instant::now();
        loop {
            let found = browser.find_all(css).await;
            let mut seen = String::new();
            if let Some(element) = found.first() {
                seen = element.text().await.unwrap_or_default().trim().to_owned();
                if seen == expected {
                    return;
                }
            }
            if started.elapsed() > Duration::from_secs(10) {
                panic!("`{css}` says `{seen}`, not `{expected}`");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn checked(browser: &Browser, css: &str) -> bool {
        browser.prop(css, "checked").await.as_deref() == Some("true")
    }

    async fn scroll_y(browser: &Browser) -> i64 {
        browser
            .client
            .execute("return Math.round(window.scrollY);", vec![])
            .await
            .unwrap()
            .as_i64()
            .unwrap()
    }

    async fn no_csp_reports(browsers: &[&Browser]) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let reports: Vec<String> = browsers.iter().flat_map(|b| b.csp_reports()).collect();
        assert!(
            reports.is_empty(),
            "the portal broke the Content-Security-Policy:\n{}",
            reports.join("\n")
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_department_chooses_alt_2_on_a_phone_and_keeps_it_through_a_conflict() {
        const TEST: &str = "portal";
        const NAME: &str = "Telefonen";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, open_week()).await;
        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&email("department", 3, NAME)).await;
            let path = format!("/municipal/portal?week={}", week_param(k.week));
            phone.goto(&path).await;
            assert_eq!(phone.text("main h1").await, "Björken");
            let tuesday = format!("#d-{}-{}-2", k.week.year, k.week.week);
            assert!(
                phone
                    .text(&format!("{tuesday} h3"))
                    .await
                    .starts_with("Tisdag")
            );
            assert!(
                phone
                    .text(".portal-week .deadline")
                    .await
                    .starts_with("Du kan ändra valen till torsdag")
            );
            // The script has taken over: the day's save button is gone.
            assert!(
                !phone
                    .find(&format!("{tuesday} .day-save"))
                    .await
                    .is_displayed()
                    .await
                    .unwrap()
            );
            let overflow = phone
                .client
                .execute(
                    "return document.documentElement.scrollWidth \
                     - document.documentElement.clientWidth;",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(overflow, json!(0), "the page is wider than the phone");
            phone.screenshot("phone").await;
            // A diet that cannot eat the day's dish says so beside its marks.
            phone.scroll_to(".diet-clash", "center").await;
            phone.screenshot("phone-clash").await;

            // Tap Alt 2 for Tuesday: saved at once, quietly, where the person is.
            let alt2 = format!("{tuesday}-alt2");
            let label = format!("label[for='{}']", &alt2[1..]);
            phone
                .client
                .execute(
                    "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
                    vec![json!(label)],
                )
                .await
                .unwrap();
            let before = scroll_y(&phone).await;
            phone.click(&label).await;
            wait_for_text(&phone, &format!("{tuesday} .save-status"), "Sparat").await;
            assert_eq!(
                scroll_y(&phone).await,
                before,
                "the page stayed where it was"
            );
            assert_eq!(phone.current_url().await, phone.url(&path), "no navigation");
            let label_height = phone
                .client
                .execute(
                    "return document.querySelector(arguments[0]).getBoundingClientRect().height;",
                    vec![json!(label)],
                )
                .await
                .unwrap()
                .as_f64()
                .unwrap();
            assert!(label_height >= 44.0, "the toggle is {label_height} px high");
            phone.screenshot("phone-saved").await;
            let week = k.department_staff[0].get(&k.week_path(0)).await.json();
            assert_eq!(day(&week, 2)["choice"], "alt2");

            // Reloaded: still Alt 2.
            phone.goto(&path).await;
            assert!(checked(&phone, &alt2).await);
            assert!(!checked(&phone, &format!("{tuesday}-alt1")).await);

            // Meanwhile the cook puts Tuesday back to Alt 1; the phone still shows Alt 2.
            let etag = k.cook.get(&k.week_path(0)).await.header("etag").to_owned();
            let theirs = put(
                &k.cook,
                &choice_path(&k, 0, 2),
                Some(&etag),
                json!({ "lunch": "alt1" }),
            )
            .await;
            assert_eq!(theirs.status, StatusCode::OK);

            // The person ticks Glutenfri for Tuesday's lunch: the page hears of the cook's
            // change, says what it was, and keeps the tick when asked to.
            let gluten = format!("{tuesday} input[name=mark][value='lunch:{}']", k.diets[0]);
            tap(&phone, &gluten).await;
            wait_for_text(
                &phone,
                &format!("{tuesday} .conflict strong"),
                "Någon annan valde Alt 1 för tisdag.",
            )
            .await;
            assert_eq!(
                phone.text(&format!("{tuesday} .conflict p")).await,
                "Din ändring: Glutenfri, Lunch – markerad."
            );
            assert!(
                checked(&phone, &format!("{tuesday}-alt1")).await,
                "the toggle shows what the cook chose"
            );
            assert!(
                checked(&phone, &gluten).await,
                "the tick waits for an answer"
            );
            phone.screenshot("phone-conflict").await;
            tap(
                &phone,
                &format!("{tuesday} .conflict button.button:not(.secondary)"),
            )
            .await;
            wait_for_text(&phone, &format!("{tuesday} .save-status"), "Sparat").await;
            assert!(
                phone
                    .find_all(&format!("{tuesday} .conflict"))
                    .await
                    .is_empty()
            );
            assert!(checked(&phone, &gluten).await, "my tick was kept");
            assert!(
                checked(&phone, &format!("{tuesday}-alt1")).await,
                "the cook's Alt 1 is shown"
            );
            assert_eq!(
                phone
                    .text(&format!("{tuesday} [data-count='lunch.special']"))
                    .await,
                "3"
            );
            let week = k.department_staff[0].get(&k.week_path(0)).await.json();
            assert_eq!(day(&week, 2)["choice"], "alt1");
            assert_eq!(diet(day(&week, 2), "Glutenfri")["lunch"]["stored"], true);

            // A choice that the cook also made meanwhile is simply saved.
            let etag = k.cook.get(&k.week_path(0)).await.header("etag").to_owned();
            let theirs = put(
                &k.cook,
                &choice_path(&k, 0, 3),
                Some(&etag),
                json!({ "lunch": "alt2" }),
            )
            .await;
            assert_eq!(theirs.status, StatusCode::OK);
            let wednesday = format!("#d-{}-{}-3", k.week.year, k.week.week);
            tap(&phone, &format!("label[for='{}-alt2']", &wednesday[1..])).await;
            wait_for_text(&phone, &format!("{wednesday} .save-status"), "Sparat").await;
            assert!(phone.find_all(".conflict").await.is_empty());

            no_csp_reports(&[&phone]).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_portal_at_desktop_width_and_the_kitchens_picker() {
        const TEST: &str = "portal";
        const NAME: &str = "Skrivbordet";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, open_week()).await;
        // Something to show: a choice, a mark and a changed menu.
        let etag = k.cook.get(&k.week_path(0)).await.header("etag").to_owned();
        let chosen = put(
            &k.cook,
            &choice_path(&k, 0, 2),
            Some(&etag),
            json!({ "lunch": "alt2" }),
        )
        .await;
        let marked = put(
            &k.cook,
            &marks_path(&k, 0),
            Some(chosen.header("etag")),
            json!({ "marks": [{ "day": 2, "meal": "lunch", "diet_type_id": k.diets[0], "marked": true }] }),
        )
        .await;
        assert_eq!(marked.status, StatusCode::OK);
        within_time_limit(TEST, async {
            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(&email("cook", 1, NAME)).await;
            desktop.goto("/municipal/portal").await;
            assert_eq!(desktop.text("main h1").await, "Välj avdelning");
            desktop.screenshot("desktop-picker").await;
            desktop.click(".card-grid .card a").await;
            desktop
                .wait_for_path(&format!(
                    "/municipal/portal/departments/{}",
                    k.departments[0]
                ))
                .await;
            desktop
                .goto(&format!(
                    "/municipal/portal/departments/{}?week={}",
                    k.departments[0],
                    week_param(k.week)
                ))
                .await;
            let tuesday = format!("d-{}-{}-2", k.week.year, k.week.week);
            assert!(checked(&desktop, &format!("#{tuesday}-alt2")).await);
            desktop.screenshot("desktop").await;

            // The same page on a phone, without a script: the day's form posts and returns.
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&email("department", 3, NAME)).await;
            phone
                .goto(&format!("/municipal/portal?week={}", week_param(k.week)))
                .await;
            phone
                .client
                .execute(
                    "document.querySelector('[data-portal]').classList.remove('is-live');",
                    vec![],
                )
                .await
                .unwrap();
            tap(&phone, &format!("#{tuesday} .day-save")).await;
            phone.wait_for_path("/municipal/portal").await;
            assert_eq!(
                phone.text(&format!("#{tuesday} .save-status")).await,
                "Sparat"
            );
            phone.screenshot("phone-form-saved").await;
            no_csp_reports(&[&desktop, &phone]).await;
        })
        .await;
    }
}

/// The week's answer depends on the department's counts and the site's settings too, so their
/// changes move its ETag: a 304 is never stale and a choice made on old counts is refused.
#[tokio::test(flavor = "multi_thread")]
async fn the_week_etag_moves_with_counts_and_settings() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Etagby", open_week()).await;
    let path = k.week_path(0);
    let before = k.cook.get(&path).await;
    let etag = before.header("etag").to_owned();
    assert!(etag.ends_with("-open\""), "{etag}");

    let department = format!("/api/v1/municipal/departments/{}", k.departments[0]);
    let current = k.admin.get(&department).await;
    let patched = k
        .admin
        .patch(
            &department,
            Some(current.header("etag")),
            json!({ "residents": 15 }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    let after = k.cook.get_with(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "a 304 would hide the new count"
    );
    assert_eq!(after.json()["days"][0]["lunch"]["residents"], 15);
    let stale = k
        .cook
        .send(
            Method::PUT,
            &format!("{path}/choices/2"),
            Some(&etag),
            Some(json!({ "lunch": "alt2" })),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], after.header("etag"));

    let closed = kitchen(&app, "Stängtby", closed_week()).await;
    let past = closed.cook.get(&closed.week_path(0)).await;
    assert!(
        past.header("etag").ends_with("-closed\""),
        "{}",
        past.header("etag")
    );
}
