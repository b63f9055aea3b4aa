//! A week that is over keeps its numbers: the plan and the weekly report of a past week do not
//! move when departments, diet types, diet counts, schedules or settings change later
//! (decision 0020), while the current week follows the change.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, closed_week, kitchen};
use galley_core::kitchen::iso_week::IsoWeek;

fn report_path(k: &Kitchen<'_>, week: IsoWeek) -> String {
    format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        k.site, week.year, week.week
    )
}

fn plan_path(k: &Kitchen<'_>, week: IsoWeek) -> String {
    format!(
        "/api/v1/municipal/sites/{}/planning/weeks/{}/{}",
        k.site, week.year, week.week
    )
}

/// The numbers of a week: the report and the plan, without what says when they were made.
async fn numbers(k: &Kitchen<'_>, week: IsoWeek) -> (Value, Value) {
    let report = k.cook.get(&report_path(k, week)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let plan = k.cook.get(&plan_path(k, week)).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text());
    let mut report = report.json();
    if let Some(object) = report.as_object_mut() {
        object.remove("generated_at");
    }
    (report, plan.json())
}

async fn change(client: &Client<'_>, method: Method, path: &str, body: Option<Value>) {
    let current = client.get(path).await;
    assert_eq!(current.status, StatusCode::OK, "{path}: {}", current.text());
    let etag = current.header("etag").to_owned();
    let changed = client.send(method, path, Some(&etag), body).await;
    assert!(
        changed.status.is_success(),
        "{path}: {} {}",
        changed.status,
        changed.text()
    );
}

fn lunch_residents(report: &Value) -> i64 {
    report["totals"]["lunch"]["residents"]
        .as_i64()
        .unwrap_or_else(|| panic!("no lunch residents in {report}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_week_that_is_over_keeps_its_numbers_when_the_set_up_changes() {
    let app = TestApp::new().await;
    let past = closed_week();
    let k = kitchen(&app, "Historik", past).await;
    let current = past.next();
    let (past_report, past_plan) = numbers(&k, past).await;
    let (current_before, _) = numbers(&k, current).await;
    assert_eq!(lunch_residents(&past_report), 7 * (12 + 10 + 8));

    let department = |i: usize| format!("/api/v1/municipal/departments/{}", k.departments[i]);
    // Björken is renamed and grows; Eken's diet counts change and it gets a standing
    // schedule; Linden is removed; Glutenfri is removed; a new department opens; weekends
    // lose Alt 2.
    change(
        &k.admin,
        Method::PATCH,
        &department(0),
        Some(json!({ "name": "Björkhagen", "residents": 20 })),
    )
    .await;
    change(
        &k.admin,
        Method::PUT,
        &format!("{}/diet-defaults", department(1)),
        Some(json!({ "diets": [{ "diet_type_id": k.diets[1], "residents": 4 }] })),
    )
    .await;
    change(
        &k.admin,
        Method::PUT,
        &format!("{}/schedule", department(1)),
        Some(json!({ "weekdays": [3, 3, 3, 3, 3, 3, 3] })),
    )
    .await;
    change(&k.admin, Method::DELETE, &department(2), None).await;
    change(
        &k.admin,
        Method::DELETE,
        &format!("/api/v1/sites/{}/diet-types/{}", k.site, k.diets[0]),
        None,
    )
    .await;
    let created = k
        .admin
        .post(
            &format!("/api/v1/municipal/sites/{}/departments", k.site),
            json!({ "name": "Almen", "residents": 5 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    change(
        &k.admin,
        Method::PUT,
        &format!("/api/v1/municipal/sites/{}/settings", k.site),
        Some(json!({
            "deadline_weekday": 4, "deadline_time": "12:00", "deadline_weeks_before": 1,
            "weekend_alt2": false
        })),
    )
    .await;

    let (past_after, past_plan_after) = numbers(&k, past).await;
    assert_eq!(past_after, past_report, "the past week's report moved");
    assert_eq!(past_plan_after, past_plan, "the past week's plan moved");
    let text = past_after.to_string();
    assert!(
        text.contains("Björken") && !text.contains("Björkhagen"),
        "{text}"
    );
    assert!(text.contains("Linden") && !text.contains("Almen"), "{text}");

    // The current week follows the set-up as it is now.
    let (current_after, _) = numbers(&k, current).await;
    assert_ne!(current_after, current_before);
    assert_eq!(lunch_residents(&current_after), 7 * (20 + 3 + 5));
    let text = current_after.to_string();
    assert!(
        text.contains("Björkhagen") && text.contains("Almen"),
        "{text}"
    );
    assert!(
        !text.contains("Linden") && !text.contains("Glutenfri"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_department_removed_before_history_was_kept_still_counts_in_its_weeks() {
    let app = TestApp::new().await;
    let past = closed_week();
    let k = kitchen(&app, "Tidigare", past).await;
    let (before, _) = numbers(&k, past).await;
    // Removed straight in the database, as the versions before decision 0020 did, without
    // keeping the set-up first: the week still counts it, because it existed then.
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let linden = galley_municipal::departments::find(conn, k.tenant, k.departments[2])
            .await
            .unwrap()
            .unwrap();
        assert!(
            galley_municipal::departments::mark_deleted(conn, &linden)
                .await
                .unwrap()
        );
    }
    let (after, _) = numbers(&k, past).await;
    assert_eq!(after, before);
    let (current, _) = numbers(&k, past.next()).await;
    assert!(!current.to_string().contains("Linden"));
}
