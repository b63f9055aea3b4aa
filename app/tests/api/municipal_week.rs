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
        "\"dept-week-{}-{}w{}-v0-m{menu_version}\"",
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
                json!({ "residents": 12, "special": 1, "normal": 11 })
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
        json!({ "residents": 12, "special": 3, "normal": 9 })
    );
    assert_eq!(
        day(&week, 2)["dinner"],
        json!({ "residents": 12, "special": 1, "normal": 11 })
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
    assert!(week["etag"].as_str().unwrap().ends_with("-v0-m0\""));
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
            { "day": 4, "meal": "lunch", "diet_type_id": timbal, "marked": true },
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
            "marks[4].diet_type_id",
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

#[tokio::test(flavor = "multi_thread")]
async fn the_department_hears_when_the_published_menu_changed() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Ändrad", open_week()).await;
    let staff = &k.department_staff[0];
    let first = staff.get(&k.week_path(0)).await;
    assert_eq!(first.json()["menu_changed"], false);
    let old_etag = first.header("etag").to_owned();

    // The kitchen swaps Monday's Alt 1 in the published week.
    let menu = k.cook.get(&k.menu_path()).await;
    let mut items: Vec<Value> = menu.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({ "day": i["day"], "meal": i["meal"], "slot": i["slot"], "dish_id": i["dish"]["id"] }))
        .collect();
    for item in &mut items {
        if item["day"] == 1 && item["slot"] == "alt1" {
            item["dish_id"] = json!(k.dishes[2]);
        }
    }
    let edited = k
        .cook
        .send(
            Method::PUT,
            &k.menu_path(),
            Some(menu.header("etag")),
            Some(json!({ "items": items })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());

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
