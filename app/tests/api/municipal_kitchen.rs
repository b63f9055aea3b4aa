//! The kitchen's side of the municipal module: day and week plans (R, S, N, alternatives,
//! the special-diet worklist, allergen warnings), the weekly report and its downloads, and
//! coverage; who may read them.

use axum::http::StatusCode;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_municipal::departments::setup;
use galley_municipal::week::store::{self, WeekState, WeekWrite};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, open_week, report_totals};

mod e2e;
mod pages;

fn planning(k: &Kitchen, date: chrono::NaiveDate) -> String {
    format!("/api/v1/municipal/sites/{}/planning/{date}", k.site)
}

fn week_planning(k: &Kitchen) -> String {
    format!(
        "/api/v1/municipal/sites/{}/planning/weeks/{}/{}",
        k.site, k.week.year, k.week.week
    )
}

fn report(k: &Kitchen) -> String {
    format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        k.site, k.week.year, k.week.week
    )
}

fn coverage(k: &Kitchen) -> String {
    format!(
        "/api/v1/municipal/sites/{}/coverage/{}/{}",
        k.site, k.week.year, k.week.week
    )
}

fn tuesday(k: &Kitchen) -> chrono::NaiveDate {
    k.week.day(2).unwrap()
}

async fn stored_state(app: &TestApp, department: i64, week: IsoWeek) -> WeekState {
    let mut pooled = app.app.state.db.get().await.unwrap();
    store::answers_of(&mut pooled.conn(), &[department], week)
        .await
        .unwrap()
        .states
        .first()
        .copied()
        .unwrap_or(WeekState::unwritten(department))
}

/// Saves a lunch choice the way the week API does: bump the department week, then write.
async fn choose(app: &TestApp, department: i64, week: IsoWeek, day: i32, choice: &str) {
    let stored = stored_state(app, department, week).await;
    let written = stored.after(WeekWrite::Choices, galley_core::db::now());
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    assert!(store::bump(conn, week, stored, written).await.unwrap());
    store::set_choice(conn, department, week, day, choice, None)
        .await
        .unwrap();
    app.written_behind_the_back();
}

/// Marks a diet for a day and meal, saving the department's marks for the week.
async fn mark(app: &TestApp, department: i64, week: IsoWeek, day: i32, meal: &str, diet: i64) {
    let stored = stored_state(app, department, week).await;
    let written = stored.after(WeekWrite::Marks, galley_core::db::now());
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    assert!(store::bump(conn, week, stored, written).await.unwrap());
    store::set_mark(conn, department, week, day, meal, diet, true)
        .await
        .unwrap();
    app.written_behind_the_back();
}

fn department<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {plan}"))
}

/// (R, S, N) of a department's meal.
fn rsn(plan: &Value, name: &str, meal: &str) -> (i64, i64, i64) {
    let m = &department(plan, name)[meal];
    (
        m["residents"].as_i64().unwrap(),
        m["special"].as_i64().unwrap(),
        m["normal"].as_i64().unwrap(),
    )
}

async fn get_ok(client: &Client<'_>, path: &str) -> Value {
    let response = client.get(path).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{path}: {}",
        response.text()
    );
    assert_eq!(response.content_type(), "application/json");
    response.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn day_plan_follows_the_rules_on_the_fixture() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Planby", open_week()).await;
    let plan = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;

    assert_eq!(plan["date"], tuesday(&k).to_string());
    assert_eq!(plan["day"], 2);
    assert_eq!(plan["year"], k.week.year);
    assert_eq!(plan["week"], k.week.week);
    assert_eq!(plan["published"], true);
    assert!(
        plan["dishes"]["alt1"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Köttbullar")
    );
    assert!(
        plan["dishes"]["alt2"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Fiskgratäng")
    );
    assert!(
        plan["dishes"]["dessert"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Äppelkaka")
    );
    assert!(
        plan["dishes"]["dinner"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Pannkakor")
    );

    // Björken: R = 12; Timbal (1) always applies, Glutenfri (2) is not marked: S = 1, N = 11.
    assert_eq!(rsn(&plan, "Björken", "lunch"), (12, 1, 11));
    assert_eq!(rsn(&plan, "Björken", "dinner"), (12, 1, 11));
    assert_eq!(
        department(&plan, "Björken")["lunch"]["diets"],
        json!([{ "diet_type_id": k.diets[2], "name": "Timbal", "portions": 1 }])
    );
    assert_eq!(department(&plan, "Björken")["lunch"]["choice"], "alt1");
    assert_eq!(
        department(&plan, "Björken")["lunch"]["choice_lapsed"],
        false
    );
    // Eken's lactose-free resident is not marked; Linden has no special diets.
    assert_eq!(rsn(&plan, "Eken", "lunch"), (10, 0, 10));
    assert_eq!(rsn(&plan, "Linden", "lunch"), (8, 0, 8));
    let names: Vec<&str> = plan["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Björken", "Eken", "Linden"]);

    let timbal = json!([{ "diet_type_id": k.diets[2], "name": "Timbal", "portions": 1 }]);
    assert_eq!(
        plan["totals"]["lunch"],
        json!({ "residents": 30, "special": 1, "normal": 29, "alt1": 29, "alt2": 0,
                "dessert": 30, "diets": timbal })
    );
    assert_eq!(
        plan["totals"]["dinner"],
        json!({ "residents": 30, "special": 1, "normal": 29, "diets": timbal })
    );
    let worklist = plan["worklist"].as_array().unwrap();
    assert_eq!(worklist.len(), 2, "{worklist:?}");
    assert_eq!(worklist[0]["meal"], "lunch");
    assert_eq!(worklist[0]["name"], "Timbal");
    assert_eq!(worklist[0]["texture_level"], 5);
    assert_eq!(
        worklist[0]["departments"],
        json!([{ "department_id": k.departments[0], "name": "Björken", "portions": 1 }])
    );
    assert_eq!(worklist[1]["meal"], "dinner");
    // Nothing is marked yet, so every clash is a to-do, none a special portion to cook.
    let warnings = plan["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty());
    assert!(
        warnings.iter().all(|w| w["marked"] == false),
        "{warnings:?}"
    );

    // Marking Björken's gluten-free residents for Tuesday's lunch: S = 3, N = 9, and the
    // kitchen is warned that Alt 1 and the dessert contain gluten.
    mark(&app, k.departments[0], k.week, 2, "lunch", k.diets[0]).await;
    let plan = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;
    assert_eq!(rsn(&plan, "Björken", "lunch"), (12, 3, 9));
    assert_eq!(rsn(&plan, "Björken", "dinner"), (12, 1, 11));
    assert_eq!(plan["totals"]["lunch"]["normal"], 27);
    assert_eq!(plan["totals"]["lunch"]["alt1"], 27);
    assert_eq!(plan["totals"]["lunch"]["special"], 3);
    assert_eq!(plan["totals"]["lunch"]["dessert"], 30);
    assert_eq!(
        plan["totals"]["lunch"]["diets"],
        json!([
            { "diet_type_id": k.diets[0], "name": "Glutenfri", "portions": 2 },
            { "diet_type_id": k.diets[2], "name": "Timbal", "portions": 1 },
        ])
    );
    let glutenfri = &plan["worklist"][0];
    assert_eq!(glutenfri["name"], "Glutenfri");
    assert_eq!(glutenfri["meal"], "lunch");
    assert_eq!(glutenfri["portions"], 2);
    assert_eq!(glutenfri["departments"][0]["name"], "Björken");
    let warnings: Vec<&Value> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["marked"] == true)
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    for (warning, slot) in warnings.iter().zip(["alt1", "dessert"]) {
        assert_eq!(warning["department"], "Björken");
        assert_eq!(warning["diet"], "Glutenfri");
        assert_eq!(warning["meal"], "lunch");
        assert_eq!(warning["slot"], slot);
        assert_eq!(warning["portions"], 2);
        assert_eq!(warning["allergens"], json!(["gluten"]));
    }
    // The mark is for Tuesday only.
    let monday = get_ok(&k.cook, &planning(&k, k.week.monday())).await;
    assert_eq!(rsn(&monday, "Björken", "lunch"), (12, 1, 11));
    let monday_warnings = monday["warnings"].as_array().unwrap();
    assert!(monday_warnings.iter().all(|w| w["marked"] == false));
    assert_eq!(monday_warnings.len(), 6, "Monday's clashes are all to-dos");

    // One meal at a time.
    let lunch = get_ok(
        &k.cook,
        &format!("{}?meal=lunch", planning(&k, tuesday(&k))),
    )
    .await;
    assert_eq!(department(&lunch, "Björken")["dinner"], Value::Null);
    assert_eq!(lunch["totals"]["dinner"], Value::Null);
    assert_eq!(lunch["totals"]["lunch"]["normal"], 27);
    assert!(
        lunch["worklist"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["meal"] == "lunch")
    );
    let dinner = get_ok(
        &k.cook,
        &format!("{}?meal=dinner", planning(&k, tuesday(&k))),
    )
    .await;
    assert_eq!(department(&dinner, "Björken")["lunch"], Value::Null);
    assert_eq!(dinner["totals"]["dinner"]["normal"], 29);
    // At dinner nobody's diet is marked: Pannkakor is a to-do for Björken and Eken.
    let at_dinner = dinner["warnings"].as_array().unwrap();
    assert_eq!(at_dinner.len(), 2);
    assert!(
        at_dinner
            .iter()
            .all(|w| w["meal"] == "dinner" && w["marked"] == false)
    );

    // Bad input is a 422 naming the field.
    for bad in ["2026-02-30", "tomorrow", "2026-3-1", "1999-06-01"] {
        let response = k
            .cook
            .get(&format!(
                "/api/v1/municipal/sites/{}/planning/{bad}",
                k.site
            ))
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(response.json()["errors"][0]["field"], "date", "{bad}");
    }
    let response = k
        .cook
        .get(&format!("{}?meal=breakfast", planning(&k, tuesday(&k))))
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread")]
async fn choosing_alt2_moves_exactly_the_departments_normal_portions() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Valby", open_week()).await;
    let before = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;
    assert_eq!(before["totals"]["lunch"]["alt1"], 29);
    assert_eq!(before["totals"]["lunch"]["alt2"], 0);

    // Eken (N = 10) takes Alt 2 on Tuesday.
    choose(&app, k.departments[1], k.week, 2, "alt2").await;
    let after = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;
    assert_eq!(after["totals"]["lunch"]["alt1"], 19);
    assert_eq!(after["totals"]["lunch"]["alt2"], 10);
    assert_eq!(after["totals"]["lunch"]["normal"], 29);
    assert_eq!(after["totals"]["lunch"]["residents"], 30);
    assert_eq!(department(&after, "Eken")["lunch"]["choice"], "alt2");
    assert_eq!(department(&after, "Björken")["lunch"]["choice"], "alt1");
    // Dinner and the other days do not move.
    assert_eq!(after["totals"]["dinner"], before["totals"]["dinner"]);
    let monday = get_ok(&k.cook, &planning(&k, k.week.monday())).await;
    assert_eq!(monday["totals"]["lunch"]["alt2"], 0);

    // A choice of Alt 2 on Saturday, which has no Alt 2 dish, lapses to Alt 1 and says so.
    choose(&app, k.departments[1], k.week, 6, "alt2").await;
    let saturday = get_ok(&k.cook, &planning(&k, k.week.day(6).unwrap())).await;
    assert_eq!(saturday["dishes"]["alt2"], Value::Null);
    assert_eq!(department(&saturday, "Eken")["lunch"]["choice"], "alt1");
    assert_eq!(
        department(&saturday, "Eken")["lunch"]["choice_lapsed"],
        true
    );
    assert_eq!(saturday["totals"]["lunch"]["alt1"], 29);
    assert_eq!(saturday["totals"]["lunch"]["alt2"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn warnings_follow_the_dish_the_department_gets() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Varnby", open_week()).await;
    // Björken's gluten-free residents are marked, and Björken takes Alt 2 (fish gratin, no
    // gluten): only the dessert still has gluten.
    mark(&app, k.departments[0], k.week, 2, "lunch", k.diets[0]).await;
    choose(&app, k.departments[0], k.week, 2, "alt2").await;
    // Eken's lactose-free resident is marked at lunch and dinner; Eken stays on Alt 1.
    mark(&app, k.departments[1], k.week, 2, "lunch", k.diets[1]).await;
    mark(&app, k.departments[1], k.week, 2, "dinner", k.diets[1]).await;

    let plan = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;
    // The marked diets here; the unmarked ones are a to-do of their own (municipal_clashes).
    let marked: Vec<&Value> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["marked"] == true)
        .collect();
    let warnings: Vec<(String, String, String, String)> = marked
        .iter()
        .map(|w| {
            (
                w["department"].as_str().unwrap().to_owned(),
                w["diet"].as_str().unwrap().to_owned(),
                w["meal"].as_str().unwrap().to_owned(),
                w["slot"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = [
        ("Björken", "Glutenfri", "lunch", "dessert"),
        ("Eken", "Laktosfri", "lunch", "alt1"),
        ("Eken", "Laktosfri", "lunch", "dessert"),
        ("Eken", "Laktosfri", "dinner", "main"),
    ]
    .iter()
    .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
    .collect();
    assert_eq!(warnings, expected);
    let dessert = marked[0];
    assert!(dessert["dish"].as_str().unwrap().starts_with("Äppelkaka"));
    assert_eq!(dessert["allergens"], json!(["gluten"]));
    assert_eq!(marked[1]["allergens"], json!(["milk"]));
    // Björken's Glutenfri is not marked for dinner, and Pannkakor has gluten.
    assert!(plan["warnings"].as_array().unwrap().iter().any(|w| {
        w["department"] == "Björken" && w["meal"] == "dinner" && w["marked"] == false
    }));
    assert_eq!(rsn(&plan, "Eken", "lunch"), (10, 1, 9));
    assert_eq!(plan["totals"]["lunch"]["alt2"], 9);
    assert_eq!(plan["totals"]["lunch"]["alt1"], 9 + 8);

    // Only the dinner warnings with ?meal=dinner.
    let dinner = get_ok(
        &k.cook,
        &format!("{}?meal=dinner", planning(&k, tuesday(&k))),
    )
    .await;
    let at_dinner = dinner["warnings"].as_array().unwrap();
    assert_eq!(at_dinner.len(), 2, "Eken's marked, Björken's not");
    assert!(at_dinner.iter().all(|w| w["meal"] == "dinner"));
}

#[tokio::test(flavor = "multi_thread")]
async fn schedules_and_overrides_set_the_residents() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Schemaby", open_week()).await;
    let linden = k.departments[2];
    let tue = tuesday(&k);
    let residents = |plan: &Value, meal: &str| rsn(plan, "Linden", meal).0;

    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(residents(&plan, "lunch"), 8, "the fixed count");

    let mut pooled = app.app.state.db.get().await.unwrap();
    setup::replace_standing(&mut pooled.conn(), linden, &[(2, 6, None), (3, 7, None)])
        .await
        .unwrap();
    app.written_behind_the_back();
    drop(pooled);
    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(residents(&plan, "lunch"), 6, "the standing schedule");
    assert_eq!(residents(&plan, "dinner"), 6);
    let monday = get_ok(&k.cook, &planning(&k, k.week.monday())).await;
    assert_eq!(
        residents(&monday, "lunch"),
        8,
        "no standing count for Monday"
    );

    let mut pooled = app.app.state.db.get().await.unwrap();
    setup::replace_week(&mut pooled.conn(), linden, k.week, &[(2, 5, None)])
        .await
        .unwrap();
    app.written_behind_the_back();
    drop(pooled);
    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(residents(&plan, "lunch"), 5, "the week's schedule wins");

    let mut pooled = app.app.state.db.get().await.unwrap();
    setup::set_override(&mut pooled.conn(), linden, tue, "lunch", Some(4))
        .await
        .unwrap();
    app.written_behind_the_back();
    drop(pooled);
    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(
        rsn(&plan, "Linden", "lunch"),
        (4, 0, 4),
        "the override wins"
    );
    assert_eq!(
        residents(&plan, "dinner"),
        5,
        "the override is for lunch only"
    );
    assert_eq!(plan["totals"]["lunch"]["residents"], 12 + 10 + 4);
    assert_eq!(plan["totals"]["lunch"]["dessert"], 12 + 10 + 4);
    assert_eq!(plan["totals"]["dinner"]["residents"], 12 + 10 + 5);

    // N never goes below zero: Björken with 2 residents at lunch but 3 special portions.
    mark(&app, k.departments[0], k.week, 2, "lunch", k.diets[0]).await;
    let mut pooled = app.app.state.db.get().await.unwrap();
    setup::set_override(&mut pooled.conn(), k.departments[0], tue, "lunch", Some(2))
        .await
        .unwrap();
    app.written_behind_the_back();
    drop(pooled);
    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(rsn(&plan, "Björken", "lunch"), (2, 3, 0));
}

/// Special portions and residents agree: nobody eating means no special portions, and more
/// special portions than residents is named in the plan, the department's week, coverage and
/// the kitchen's pages as a count to fix.
#[tokio::test(flavor = "multi_thread")]
async fn special_portions_never_outnumber_silently_the_residents() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Räkneby", open_week()).await;
    let bjorken = k.departments[0];
    let tue = tuesday(&k);
    // Björken: 1 on Timbal (always applies); 2 more once Glutenfri is marked.
    let mut pooled = app.app.state.db.get().await.unwrap();
    setup::set_override(&mut pooled.conn(), bjorken, tue, "dinner", Some(0))
        .await
        .unwrap();
    app.written_behind_the_back();
    drop(pooled);
    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(rsn(&plan, "Björken", "dinner"), (0, 0, 0), "nobody eats");
    assert_eq!(rsn(&plan, "Björken", "lunch"), (12, 1, 11));

    mark(&app, bjorken, k.week, 2, "lunch", k.diets[0]).await;
    let mut pooled = app.app.state.db.get().await.unwrap();
    setup::set_override(&mut pooled.conn(), bjorken, tue, "lunch", Some(2))
        .await
        .unwrap();
    app.written_behind_the_back();
    drop(pooled);
    let plan = get_ok(&k.cook, &planning(&k, tue)).await;
    assert_eq!(rsn(&plan, "Björken", "lunch"), (2, 3, 0));
    let department = plan["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Björken")
        .unwrap();
    assert_eq!(department["lunch"]["over_residents"], true);
    assert_eq!(department["dinner"]["over_residents"], false);

    let week = get_ok(&k.department_staff[0], &k.week_path(0)).await;
    assert_eq!(week["days"][1]["lunch"]["over_residents"], true);
    assert_eq!(week["days"][0]["lunch"]["over_residents"], false);

    let coverage = get_ok(&k.cook, &coverage(&k)).await;
    assert_eq!(
        coverage["counts_to_fix"],
        json!([{ "department_id": bjorken, "name": "Björken", "day": 2, "date": tue,
                 "meal": "lunch", "residents": 2, "special": 3 }])
    );

    let day_page = k
        .cook
        .get(&format!("/municipal/kitchen/plan/{tue}"))
        .await
        .text();
    assert!(
        day_page.contains("Björken: 3 specialportioner till lunch för 2 boende."),
        "{day_page}"
    );
    let week_page = k
        .cook
        .get(&format!(
            "/municipal/kitchen/weeks/{}/{}",
            k.week.year, k.week.week
        ))
        .await
        .text();
    assert!(week_page.contains(r#"id="counts-to-fix""#), "{week_page}");
    // The portal shows it on Tuesday's card only (the other days keep it hidden for the script).
    let portal = k.department_staff[0]
        .get(&format!(
            "/municipal/portal?week={}-W{:02}",
            k.week.year, k.week.week
        ))
        .await
        .text();
    let shown = r#"class="alert warning over-residents" role="status">"#;
    assert_eq!(portal.matches(shown).count(), 1, "{portal}");
    assert_eq!(portal.matches("over-residents").count(), 7);
}

/// Sums a numeric field of the seven day plans' totals.
fn sum_days(days: &[Value], meal: &str, field: &str) -> i64 {
    days.iter()
        .map(|d| d["totals"][meal][field].as_i64().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_totals_are_the_sums_of_the_day_plans() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rapportby", open_week()).await;
    // A week with something on most days: choices, marks, schedules and overrides.
    choose(&app, k.departments[0], k.week, 1, "alt2").await;
    choose(&app, k.departments[1], k.week, 2, "alt2").await;
    choose(&app, k.departments[2], k.week, 6, "alt2").await; // lapses: no Alt 2 on Saturday
    mark(&app, k.departments[0], k.week, 3, "lunch", k.diets[0]).await;
    mark(&app, k.departments[0], k.week, 3, "dinner", k.diets[0]).await;
    mark(&app, k.departments[1], k.week, 5, "lunch", k.diets[1]).await;
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    setup::replace_standing(conn, k.departments[2], &[(6, 3, None), (7, 3, None)])
        .await
        .unwrap();
    setup::set_override(
        conn,
        k.departments[1],
        k.week.day(4).unwrap(),
        "dinner",
        Some(7),
    )
    .await
    .unwrap();
    drop(pooled);

    // The seven day endpoints, one by one.
    let mut days = Vec::new();
    for day in 1..=7 {
        days.push(get_ok(&k.cook, &planning(&k, k.week.day(day).unwrap())).await);
    }
    let week = get_ok(&k.cook, &week_planning(&k)).await;
    let report = get_ok(&k.cook, &report(&k)).await;
    assert_eq!(week["days"].as_array().unwrap().len(), 7);
    for (day, from_week) in days.iter().zip(week["days"].as_array().unwrap()) {
        assert_eq!(day, from_week, "the week plan repeats the day plans");
    }

    for field in ["residents", "special", "normal", "alt1", "alt2"] {
        let summed = sum_days(&days, "lunch", field);
        assert_eq!(week["totals"]["lunch"][field], summed, "lunch {field}");
        assert_eq!(
            report["totals"]["lunch"][field], summed,
            "report lunch {field}"
        );
    }
    assert_eq!(
        week["totals"]["lunch"]["dessert"],
        sum_days(&days, "lunch", "residents")
    );
    for field in ["residents", "special", "normal"] {
        let summed = sum_days(&days, "dinner", field);
        assert_eq!(week["totals"]["dinner"][field], summed, "dinner {field}");
        assert_eq!(
            report["totals"]["dinner"][field], summed,
            "report dinner {field}"
        );
    }
    // Known values, so a shared mistake cannot hide: 7 days x 30 residents at lunch; dinner
    // has Linden at 3 on the weekend and Eken at 7 on Thursday.
    assert_eq!(report["totals"]["lunch"]["residents"], 7 * 30 - 2 * 5);
    assert_eq!(report["totals"]["dinner"]["residents"], 7 * 30 - 2 * 5 - 3);
    // Timbal every meal, Glutenfri 2 on Wednesday (lunch and dinner), Laktosfri 1 on Friday.
    assert_eq!(report["totals"]["lunch"]["special"], 7 + 2 + 1);
    assert_eq!(report["totals"]["dinner"]["special"], 7 + 2);
    // Björken's Monday (11) and Eken's Tuesday (10) go to Alt 2; Linden's Saturday lapsed.
    assert_eq!(report["totals"]["lunch"]["alt2"], 11 + 10);

    // Special portions per diet: the report's equal the day plans' summed.
    for diet in report["totals"]["diets"].as_array().unwrap() {
        let id = diet["diet_type_id"].as_i64().unwrap();
        for meal in ["lunch", "dinner"] {
            let summed: i64 = days
                .iter()
                .flat_map(|d| d["totals"][meal]["diets"].as_array().unwrap().iter())
                .filter(|d| d["diet_type_id"] == id)
                .map(|d| d["portions"].as_i64().unwrap())
                .sum();
            assert_eq!(diet[meal], summed, "{} {meal}", diet["name"]);
        }
    }
    let names: Vec<&str> = report["totals"]["diets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Glutenfri", "Laktosfri", "Timbal"]);

    // Per department: the report's row equals that department's seven days.
    for row in report["departments"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        for (meal, fields) in [
            ("lunch", &["residents", "special", "normal"][..]),
            ("dinner", &["residents", "special", "normal"][..]),
        ] {
            for field in fields {
                let summed: i64 = days
                    .iter()
                    .map(|d| department(d, name)[meal][field].as_i64().unwrap())
                    .sum();
                assert_eq!(row[meal][field], summed, "{name} {meal} {field}");
            }
        }
        let alt2: i64 = days
            .iter()
            .map(|d| department(d, name)["lunch"].clone())
            .filter(|l| l["choice"] == "alt2")
            .map(|l| l["normal"].as_i64().unwrap())
            .sum();
        assert_eq!(row["lunch"]["alt2"], alt2, "{name} alt2");
    }
    assert_eq!(report["first_day"], k.week.monday().to_string());
    assert_eq!(report["site_id"], k.site);
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_lists_who_has_not_chosen_or_marked() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Tackby", open_week()).await;
    let covered = get_ok(&k.cook, &coverage(&k)).await;
    assert_eq!(covered["published"], true);
    assert_eq!(covered["alt2_days"], json!([1, 2, 3, 4, 5]));
    assert_eq!(
        covered["counts"],
        json!({ "departments": 3, "complete": 0, "without_choices": 3, "without_marks": 2 })
    );
    let missing = covered["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 3);
    assert_eq!(
        missing[0],
        json!({ "department_id": k.departments[0], "name": "Björken", "choices_missing": true,
                "marks_missing": true, "diets_to_mark": ["Glutenfri"] })
    );
    assert_eq!(missing[1]["diets_to_mark"], json!(["Laktosfri"]));
    // Linden has no diets to mark: only its choices are missing.
    assert_eq!(missing[2]["name"], "Linden");
    assert_eq!(missing[2]["marks_missing"], false);
    assert_eq!(missing[2]["choices_missing"], true);

    // Björken saves its choices (all Alt 1 counts), Eken its marks, Linden its choices.
    choose(&app, k.departments[0], k.week, 1, "alt1").await;
    mark(&app, k.departments[1], k.week, 3, "lunch", k.diets[1]).await;
    choose(&app, k.departments[2], k.week, 4, "alt2").await;
    let covered = get_ok(&k.cook, &coverage(&k)).await;
    assert_eq!(
        covered["counts"],
        json!({ "departments": 3, "complete": 1, "without_choices": 1, "without_marks": 1 })
    );
    let missing = covered["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 2);
    assert_eq!(missing[0]["name"], "Björken");
    assert_eq!(missing[0]["choices_missing"], false);
    assert_eq!(missing[0]["marks_missing"], true);
    assert_eq!(missing[1]["name"], "Eken");
    assert_eq!(missing[1]["choices_missing"], true);
    assert_eq!(missing[1]["marks_missing"], false);
    assert_eq!(missing[1]["diets_to_mark"], json!([]));

    // A week without a published menu has nothing to choose: only marks can be missing.
    let empty = k.week.next().next();
    let covered = get_ok(
        &k.cook,
        &format!(
            "/api/v1/municipal/sites/{}/coverage/{}/{}",
            k.site, empty.year, empty.week
        ),
    )
    .await;
    assert_eq!(covered["published"], false);
    assert_eq!(covered["alt2_days"], json!([]));
    assert_eq!(covered["counts"]["without_choices"], 0);
    assert_eq!(covered["counts"]["without_marks"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn kitchen_readers_read_departments_are_refused_and_tenants_stay_apart() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Lasby", open_week()).await;
    let other = kitchen(&app, "Grannby", open_week()).await;
    let paths = [
        planning(&k, tuesday(&k)),
        week_planning(&k),
        report(&k),
        coverage(&k),
    ];
    for path in &paths {
        for client in [&k.admin, &k.cook, &k.viewer] {
            assert_eq!(client.get(path).await.status, StatusCode::OK, "{path}");
        }
        let refused = k.department_staff[0].get(path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(refused.content_type(), "application/problem+json");
        // Another tenant's kitchen does not exist for this one.
        let foreign = other.cook.get(path).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!foreign.text().contains("Björken"));
        // Nor does a site nobody has, nor a stranger get in.
        let unknown = path.replace(&format!("/sites/{}/", k.site), "/sites/987654321/");
        assert_eq!(k.cook.get(&unknown).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(path).await.status, StatusCode::UNAUTHORIZED);
    }
    // A week that does not exist.
    let bad = format!("/api/v1/municipal/sites/{}/reports/weekly/2027/53", k.site);
    let response = k.cook.get(&bad).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.json()["errors"][0]["field"], "week");
}

fn csv_rows(body: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let body = body
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a CSV starting with the UTF-8 byte-order mark");
    let text = std::str::from_utf8(body).unwrap();
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.split(delimiter as char)
                .map(|cell| cell.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn downloads_carry_the_reports_totals() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Filby", open_week()).await;
    choose(&app, k.departments[1], k.week, 3, "alt2").await;
    mark(&app, k.departments[0], k.week, 1, "lunch", k.diets[0]).await;
    let json = get_ok(&k.cook, &report(&k)).await;
    let totals = report_totals(&json);
    assert_eq!(totals[4], 10, "Eken's Wednesday went to Alt 2");
    let file = |ext: &str| {
        format!(
            "attachment; filename=\"veckorapport-filby-centralkok-{}-v{}.{ext}\"",
            k.week.year, k.week.week
        )
    };

    // CSV, semicolons by default, Swedish words by default.
    let csv = k.cook.get(&format!("{}?format=csv", report(&k))).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert_eq!(csv.header("content-disposition"), file("csv"));
    assert!(csv.body.starts_with(b"\xEF\xBB\xBF"));
    let rows = csv_rows(&csv.body, b';');
    assert_eq!(rows[0][0], "Avdelning");
    assert!(rows[0][1].contains("Boende"), "{:?}", rows[0]);
    assert_eq!(rows[1][0], "Björken");
    let last = &rows[1 + 3];
    assert_eq!(last[0], "Totalt", "header, three departments, totals");
    let numbers: Vec<i64> = last[1..].iter().map(|n| n.parse().unwrap()).collect();
    assert_eq!(numbers, totals);
    // After an empty line, the per-diet section the XLSX has on its second sheet: the JSON
    // report's site totals per diet type.
    let text = std::str::from_utf8(&csv.body[3..]).unwrap();
    assert!(text.contains("Totalt;"), "{text}");
    assert!(
        text.contains("\n\nSpecialkost per kosttyp\nKosttyp;Lunch;Kvällsmat\n"),
        "{text}"
    );
    let diet_rows = &rows[1 + 3 + 3..];
    let json_diets = json["totals"]["diets"].as_array().unwrap();
    assert!(!json_diets.is_empty());
    assert_eq!(diet_rows.len(), json_diets.len(), "{rows:?}");
    for (row, diet) in diet_rows.iter().zip(json_diets) {
        assert_eq!(row[0], diet["name"].as_str().unwrap());
        assert_eq!(row[1], diet["lunch"].to_string());
        assert_eq!(row[2], diet["dinner"].to_string());
    }

    // Commas and English on request; `Accept: text/csv` is a CSV too.
    let comma = k
        .cook
        .get(&format!(
            "{}?format=csv&delimiter=comma&lang=en",
            report(&k)
        ))
        .await;
    assert_eq!(comma.status, StatusCode::OK);
    let rows = csv_rows(&comma.body, b',');
    assert_eq!(rows[0][0], "Department");
    assert_eq!(rows[1 + 3][0], "Total");
    assert_eq!(rows[1 + 3].len(), 9);
    assert_eq!(rows[1 + 3 + 2], ["Diet type", "Lunch", "Dinner"]);
    let accepted = k
        .cook
        .get_with(&report(&k), &[("accept", "text/csv")])
        .await;
    assert_eq!(accepted.status, StatusCode::OK);
    assert_eq!(accepted.content_type(), "text/csv; charset=utf-8");
    assert_eq!(accepted.body, csv.body);

    // XLSX: the same totals, read back with calamine.
    let xlsx = k.cook.get(&format!("{}?format=xlsx", report(&k))).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text());
    assert_eq!(
        xlsx.content_type(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(xlsx.header("content-disposition"), file("xlsx"));
    let (numbers, text) = crate::municipal_fixture::workbook_totals(&xlsx.body);
    assert_eq!(numbers, totals);
    assert!(
        text.contains("Björken") && text.contains("Kvällsmat"),
        "{text}"
    );

    // PDF, by parameter or by Accept.
    let pdf = k.cook.get(&format!("{}?format=pdf", report(&k))).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
    assert_eq!(pdf.content_type(), "application/pdf");
    assert_eq!(pdf.header("content-disposition"), file("pdf"));
    assert!(pdf.body.starts_with(b"%PDF"));
    let accepted = k
        .viewer
        .get_with(&report(&k), &[("accept", "application/pdf")])
        .await;
    assert_eq!(accepted.content_type(), "application/pdf");
    assert!(accepted.body.starts_with(b"%PDF"));

    // JSON stays the default, and bad parameters name themselves.
    let plain = k.cook.get_with(&report(&k), &[("accept", "*/*")]).await;
    assert_eq!(plain.content_type(), "application/json");
    for (query, field) in [
        ("format=docx", "format"),
        ("format=csv&delimiter=tab", "delimiter"),
        ("format=pdf&lang=de", "lang"),
    ] {
        let response = k.cook.get(&format!("{}?{query}", report(&k))).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(response.json()["errors"][0]["field"], field, "{query}");
    }
    // Departments get no file either.
    let refused = k.department_staff[0]
        .get(&format!("{}?format=pdf", report(&k)))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A dish made from a name alone (menu editor, import) has no allergens stated: its empty set
/// means "unknown", so every marked diet that excludes allergens gets a warning until someone
/// states them; stating them (even as none) ends it.
#[tokio::test(flavor = "multi_thread")]
async fn a_dish_without_stated_allergens_is_a_warning_until_stated() {
    use axum::http::Method;
    let app = TestApp::new().await;
    let k = kitchen(&app, "Okändby", open_week()).await;
    let dish = {
        let mut pooled = app.app.state.db.get().await.unwrap();
        galley_core::kitchen::dishes::insert(
            &mut pooled.conn(),
            k.tenant,
            &galley_core::kitchen::dishes::DishFields {
                name: "Husets gryta",
                category: "main",
                allergens: 0,
                allergens_stated: false,
            },
        )
        .await
        .unwrap()
    };
    k.edit_menu(|items| {
        for item in items {
            if item["day"] == 2 && item["slot"] == "alt1" {
                item["dish_id"] = json!(dish);
            }
        }
    })
    .await;
    // Björken marks Glutenfri (excludes gluten) for Tuesday's lunch.
    let week = k.department_staff[0].get(&k.week_path(0)).await;
    let marked = k
        .department_staff[0]
        .send(
            Method::PUT,
            &format!("{}/marks", k.week_path(0)),
            Some(week.header("etag")),
            Some(json!({ "marks": [{ "day": 2, "meal": "lunch", "diet_type_id": k.diets[0], "marked": true }] })),
        )
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());

    // The department reads "not stated", not "no allergens", in the API and on its page.
    let week = marked.json();
    let alt1 = &week["days"][1]["menu"]["alt1"];
    assert_eq!(alt1["name"], "Husets gryta");
    assert_eq!(alt1["allergens"], json!([]));
    assert_eq!(alt1["allergens_stated"], false);
    assert_eq!(week["days"][1]["menu"]["dessert"]["allergens_stated"], true);
    let portal = k.department_staff[0]
        .get(&format!(
            "/municipal/portal?week={}-W{:02}",
            k.week.year, k.week.week
        ))
        .await
        .text();
    assert_eq!(
        portal.matches("Allergener ej angivna än").count(),
        1,
        "only Tuesday's Alt 1 lacks stated allergens"
    );
    // The kitchen finds it among the dishes nobody has stated, over the API and on its page.
    let unstated = k.cook.get("/api/v1/dishes?allergens_stated=false").await;
    assert_eq!(unstated.status, StatusCode::OK, "{}", unstated.text());
    let unstated = unstated.json();
    let names: Vec<&str> = unstated["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Husets gryta"]);
    let stated = k
        .cook
        .get("/api/v1/dishes?allergens_stated=true")
        .await
        .json();
    assert_eq!(stated["total"], 6, "the fixture's dishes were all stated");
    let refused = k.cook.get("/api/v1/dishes?allergens_stated=maybe").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("allergens_stated"),
        "{}",
        refused.text()
    );

    let tuesday = k.week.day(2).unwrap();
    let plan_path = format!("/api/v1/municipal/sites/{}/planning/{tuesday}", k.site);
    let plan = k.cook.get(&plan_path).await.json();
    let unknown: Vec<&Value> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["allergens_unknown"] == true)
        .collect();
    // Björken's marked Glutenfri, and Eken's Laktosfri that nobody marked.
    assert_eq!(unknown.len(), 2, "{plan}");
    assert_eq!(unknown[0]["dish"], "Husets gryta");
    assert_eq!(
        (&unknown[0]["diet"], &unknown[0]["marked"]),
        (&json!("Glutenfri"), &json!(true))
    );
    assert_eq!(
        (&unknown[1]["diet"], &unknown[1]["marked"]),
        (&json!("Laktosfri"), &json!(false))
    );
    let page = k
        .cook
        .get(&format!("/municipal/kitchen/plan/{tuesday}"))
        .await
        .text();
    assert!(
        page.contains("vars allergener inte är angivna"),
        "the cook reads it in words"
    );

    // Stating the allergens (here: none) ends the warning.
    let dish_path = format!("/api/v1/dishes/{dish}");
    let current = k.cook.get(&dish_path).await;
    assert_eq!(current.json()["allergens_stated"], false);
    let stated = k
        .cook
        .patch(
            &dish_path,
            Some(current.header("etag")),
            json!({ "allergens": [] }),
        )
        .await;
    assert_eq!(stated.status, StatusCode::OK, "{}", stated.text());
    assert_eq!(stated.json()["allergens_stated"], true);
    let unstated = k.cook.get("/api/v1/dishes?allergens_stated=false").await;
    assert_eq!(unstated.json()["total"], 0, "stated as none is stated");
    let plan = k.cook.get(&plan_path).await.json();
    assert!(
        plan["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["dish"] != "Husets gryta"),
        "{plan}"
    );
}

/// Desserts follow the published menu, like Alt 2: a week taken back to draft plans none.
#[tokio::test(flavor = "multi_thread")]
async fn a_draft_menus_desserts_are_not_counted() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Utkast", open_week()).await;
    let published = get_ok(&k.cook, &week_planning(&k)).await;
    assert!(published["totals"]["lunch"]["dessert"].as_i64().unwrap() > 0);
    let menu = k.cook.get(&k.menu_path()).await;
    let unpublished = k
        .cook
        .send(
            axum::http::Method::POST,
            &format!("{}/unpublish", k.menu_path()),
            Some(menu.header("etag")),
            None,
        )
        .await;
    assert_eq!(unpublished.status, 200, "{}", unpublished.text());
    let draft = get_ok(&k.cook, &week_planning(&k)).await;
    assert_eq!(draft["totals"]["lunch"]["dessert"], 0);
    assert_eq!(
        draft["totals"]["lunch"]["residents"],
        published["totals"]["lunch"]["residents"]
    );
    for day in draft["days"].as_array().unwrap() {
        assert_eq!(day["totals"]["lunch"]["dessert"], 0, "day {}", day["day"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_without_a_dessert_plates_no_desserts() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Efterrätt", open_week()).await;
    k.edit_menu(|items| items.retain(|i| !(i["day"] == 3 && i["slot"] == "dessert")))
        .await;

    let plan_of = |day: u32| planning(&k, k.week.day(day).unwrap());
    let wednesday = get_ok(&k.cook, &plan_of(3)).await;
    assert_eq!(wednesday["dishes"]["dessert"], Value::Null);
    assert_eq!(wednesday["totals"]["lunch"]["residents"], 30);
    assert_eq!(wednesday["totals"]["lunch"]["dessert"], 0);
    let thursday = get_ok(&k.cook, &plan_of(4)).await;
    assert_eq!(
        thursday["totals"]["lunch"]["dessert"],
        thursday["totals"]["lunch"]["residents"]
    );
    // The week's desserts are the days' summed.
    let week = get_ok(&k.cook, &week_planning(&k)).await;
    let summed: i64 = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["totals"]["lunch"]["dessert"].as_i64().unwrap())
        .sum();
    assert_eq!(week["totals"]["lunch"]["dessert"], summed);
    assert_eq!(
        summed,
        sum_days(week["days"].as_array().unwrap(), "lunch", "residents") - 30
    );
}
