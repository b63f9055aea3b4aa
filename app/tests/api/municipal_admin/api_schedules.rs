//! Resident schedules and overrides through the API, and the order in which the plan uses
//! them: override, week schedule, standing schedule, fixed count.

use axum::http::{Method, StatusCode};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_municipal::plan::data::Scope;
use galley_municipal::plan::{Meal, WeekData};
use serde_json::{Value, json};

use super::{audit_rows, department_path};
use crate::client::Client;
use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

async fn put(
    client: &Client<'_>,
    path: &str,
    tag: Option<&str>,
    body: Value,
) -> (StatusCode, Value, String) {
    let response = client.send(Method::PUT, path, tag, Some(body)).await;
    let etag = response
        .headers
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    };
    (response.status, body, etag)
}

async fn etag_of(k: &Kitchen<'_>, department: i64) -> String {
    k.admin
        .get(&department_path(department))
        .await
        .header("etag")
        .to_owned()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_standing_schedule_is_seven_counts_or_none() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rosengården", open_week()).await;
    let path = format!("{}/schedule", department_path(k.departments[2]));
    let none = k.admin.get(&path).await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.json(), json!({ "weekdays": null, "dinner": null }));
    let v1 = none.header("etag").to_owned();
    let week = json!({ "weekdays": [12, 12, 12, 12, 12, 10, 10], "dinner": null });
    let (status, _, _) = put(&k.admin, &path, None, week.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    // Wrong length, counts out of range, a missing field: 422, nothing stored.
    for (body, named) in [
        (json!({ "weekdays": [12, 12, 12] }), vec!["weekdays"]),
        (
            json!({ "weekdays": [1, 2, -3, 4, 5, 6, 1001] }),
            vec!["weekdays[2]", "weekdays[6]"],
        ),
        (json!({}), vec![""]),
    ] {
        let (status, problem, _) = put(&k.admin, &path, Some(&v1), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(fields(&problem), named);
    }
    assert_eq!(etag_of(&k, k.departments[2]).await, v1);
    assert_eq!(k.admin.get(&path).await.json()["weekdays"], Value::Null);

    let (status, saved, v2) = put(&k.admin, &path, Some(&v1), week.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, week);
    assert_eq!(v2, format!("\"department-{}-v2\"", k.departments[2]));
    assert_eq!(etag_of(&k, k.departments[2]).await, v2);
    // Readers: the kitchen and the department's own staff (Linden has none bound).
    assert_eq!(k.viewer.get(&path).await.json(), week);
    assert_eq!(
        k.department_staff[0].get(&path).await.status,
        StatusCode::NOT_FOUND
    );
    let own = format!("{}/schedule", department_path(k.departments[0]));
    assert_eq!(k.department_staff[0].get(&own).await.status, StatusCode::OK);
    // Only admins write.
    let (status, _, _) = put(&k.cook, &path, Some(&v2), week.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Saving the same again keeps the version; stale ETags are refused.
    let (status, _, same) = put(&k.admin, &path, Some(&v2), week.clone()).await;
    assert_eq!((status, same.as_str()), (StatusCode::OK, v2.as_str()));
    let (status, problem, _) = put(&k.admin, &path, Some(&v1), json!({ "weekdays": null })).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(problem["current_etag"], v2);
    // null removes it.
    let (status, removed, _) = put(&k.admin, &path, Some(&v2), json!({ "weekdays": null })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(removed, json!({ "weekdays": null, "dinner": null }));
    let rows = audit_rows(
        &k.admin,
        "standing_schedule.replaced",
        "department",
        k.departments[2],
    )
    .await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["details"]["after"],
        json!({ "weekdays": null, "dinner": null })
    );
    assert_eq!(rows[1]["details"]["after"], week);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_week_schedule_needs_a_week_that_exists() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Tallgården", open_week()).await;
    let base = department_path(k.departments[1]);
    let tag = etag_of(&k, k.departments[1]).await;
    let body = json!({ "weekdays": [9, 9, 9, 9, 9, 9, 9], "dinner": null });
    // 2025 has 52 ISO weeks, 2026 has 53.
    let (status, problem, _) = put(
        &k.admin,
        &format!("{base}/weeks/2025/53/residents"),
        Some(&tag),
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["week"]);
    assert_eq!(
        k.admin
            .get(&format!("{base}/weeks/2026/0/residents"))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let path = format!("{base}/weeks/2026/53/residents");
    assert_eq!(
        k.admin.get(&path).await.json(),
        json!({ "weekdays": null, "dinner": null })
    );
    let (status, saved, v2) = put(&k.admin, &path, Some(&tag), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, body);
    assert_ne!(v2, tag);
    assert_eq!(k.admin.get(&path).await.json(), body);
    // Only that week: the next one has none.
    assert_eq!(
        k.admin
            .get(&format!("{base}/weeks/2027/1/residents"))
            .await
            .json(),
        json!({ "weekdays": null, "dinner": null })
    );
    // Eken's own staff read it; another department's staff do not reach it.
    assert_eq!(k.department_staff[1].get(&path).await.json(), body);
    assert_eq!(
        k.department_staff[0].get(&path).await.status,
        StatusCode::NOT_FOUND
    );
    let rows = audit_rows(
        &k.admin,
        "week_schedule.replaced",
        "department",
        k.departments[1],
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["details"]["week"],
        json!({ "year": 2026, "week": 53 })
    );
}

/// PATCH changes the meals it names and keeps the other's override.
#[tokio::test(flavor = "multi_thread")]
async fn one_meals_override_changes_without_touching_the_other() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Patchgården", open_week()).await;
    let base = department_path(k.departments[0]);
    let day = format!("{base}/overrides/2026-03-17");
    let tag = etag_of(&k, k.departments[0]).await;
    let (status, _, tag) = put(
        &k.admin,
        &day,
        Some(&tag),
        json!({ "lunch": 9, "dinner": 7 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let patch = |tag: String, body: Value| {
        let day = day.clone();
        let admin = &k.admin;
        async move {
            admin
                .send(Method::PATCH, &day, Some(&tag), Some(body))
                .await
        }
    };
    let dinner = patch(tag.clone(), json!({ "dinner": 5 })).await;
    assert_eq!(dinner.status, StatusCode::OK, "{}", dinner.text());
    assert_eq!(
        dinner.json(),
        json!({ "date": "2026-03-17", "lunch": 9, "dinner": 5 })
    );
    // The old ETag is stale now, and refused.
    let stale = patch(tag, json!({ "lunch": 1 })).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let tag = dinner.header("etag").to_owned();
    for (body, named) in [
        (json!({ "lunch": 1001 }), vec!["lunch"]),
        (json!({ "breakfast": 3 }), vec!["breakfast"]),
    ] {
        let refused = patch(tag.clone(), body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&refused.json()), named, "{}", refused.text());
    }
    let removed = patch(tag.clone(), json!({ "lunch": null })).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text());
    assert_eq!(
        removed.json(),
        json!({ "date": "2026-03-17", "lunch": null, "dinner": 5 })
    );
    let tag = removed.header("etag").to_owned();
    // Nothing named, nothing changed: the same version.
    let nothing = patch(tag.clone(), json!({})).await;
    assert_eq!(nothing.status, StatusCode::OK);
    assert_eq!(nothing.header("etag"), tag);
    let listed = k
        .admin
        .get(&format!("{base}/overrides?from=2026-03-17&to=2026-03-17"))
        .await
        .json();
    assert_eq!(
        listed["overrides"],
        json!([{ "date": "2026-03-17", "lunch": null, "dinner": 5 }])
    );
    assert_eq!(
        k.cook
            .send(Method::PATCH, &day, Some(&tag), Some(json!({})))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn overrides_are_set_per_date_and_meal_and_listed_by_range() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Hagagården", open_week()).await;
    let base = department_path(k.departments[0]);
    let tag = etag_of(&k, k.departments[0]).await;
    let day = format!("{base}/overrides/2026-03-17");
    let (status, _, _) = put(&k.admin, &day, None, json!({ "lunch": 9, "dinner": null })).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    for (path, body, named) in [
        (
            format!("{base}/overrides/2026-02-30"),
            json!({ "lunch": 9, "dinner": null }),
            vec!["date"],
        ),
        (
            day.clone(),
            json!({ "lunch": 1001, "dinner": -1 }),
            vec!["lunch", "dinner"],
        ),
        (day.clone(), json!({ "lunch": 9 }), vec![""]),
    ] {
        let (status, problem, _) = put(&k.admin, &path, Some(&tag), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(fields(&problem), named, "{problem}");
    }
    assert_eq!(etag_of(&k, k.departments[0]).await, tag);

    let (status, saved, v2) = put(
        &k.admin,
        &day,
        Some(&tag),
        json!({ "lunch": 9, "dinner": null }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved,
        json!({ "date": "2026-03-17", "lunch": 9, "dinner": null })
    );
    let (status, _, v3) = put(
        &k.admin,
        &format!("{base}/overrides/2026-03-20"),
        Some(&v2),
        json!({ "lunch": null, "dinner": 4 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let list = k
        .admin
        .get(&format!("{base}/overrides?from=2026-03-16&to=2026-03-22"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.header("etag"), v3);
    assert_eq!(
        list.json(),
        json!({ "from": "2026-03-16", "to": "2026-03-22", "overrides": [
            { "date": "2026-03-17", "lunch": 9, "dinner": null },
            { "date": "2026-03-20", "lunch": null, "dinner": 4 },
        ] })
    );
    assert_eq!(
        k.admin
            .get(&format!("{base}/overrides?from=2026-03-18&to=2026-03-19"))
            .await
            .json()["overrides"],
        json!([])
    );
    // The department's own staff read them too.
    assert_eq!(
        k.department_staff[0]
            .get(&format!("{base}/overrides?from=2026-03-16&to=2026-03-22"))
            .await
            .json()["overrides"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Ranges: both ends needed, in order, at most 366 days.
    for (query, named) in [
        ("", vec!["from", "to"]),
        ("?from=2026-03-16", vec!["to"]),
        ("?from=2026-03-16&to=2026-03-15", vec!["to"]),
        ("?from=2026-01-01&to=2027-01-02", vec!["to"]),
        ("?from=16/3&to=2026-03-15", vec!["from"]),
    ] {
        let response = k.admin.get(&format!("{base}/overrides{query}")).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(fields(&response.json()), named, "{query}");
    }
    assert_eq!(
        k.admin
            .get(&format!("{base}/overrides?from=2026-01-01&to=2027-01-01"))
            .await
            .status,
        StatusCode::OK
    );
    // Removing both meals' overrides leaves the date without any.
    let (status, cleared, _) = put(
        &k.admin,
        &day,
        Some(&v3),
        json!({ "lunch": null, "dinner": null }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cleared,
        json!({ "date": "2026-03-17", "lunch": null, "dinner": null })
    );
    let list = k
        .admin
        .get(&format!("{base}/overrides?from=2026-03-16&to=2026-03-22"))
        .await
        .json();
    assert_eq!(list["overrides"].as_array().unwrap().len(), 1);
    let rows = audit_rows(
        &k.admin,
        "resident_override.set",
        "department",
        k.departments[0],
    )
    .await;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0]["details"]["lunch"],
        json!({ "from": 9, "to": null })
    );
}

/// Residents of Linden (fixed count 8) on `day` of `week` at `meal`, as the plan counts them.
async fn planned(k: &Kitchen<'_>, app: &TestApp, week: IsoWeek, day: u32, meal: Meal) -> i64 {
    let mut pooled = app.app.state.db.get().await.unwrap();
    let linden =
        galley_municipal::departments::find(&mut pooled.conn(), k.tenant, k.departments[2])
            .await
            .unwrap()
            .unwrap();
    let data = WeekData::load(
        &mut pooled.conn(),
        k.tenant,
        k.site,
        week,
        Scope::Department(&linden),
    )
    .await
    .unwrap()
    .unwrap();
    data.residents(&data.departments[0], day, meal)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_takes_the_override_then_the_week_then_the_standing_schedule_then_the_count() {
    let app = TestApp::new().await;
    let week = open_week();
    let k = kitchen(&app, "Ängsgården", week).await;
    let base = department_path(k.departments[2]);
    let week_path = format!("{base}/weeks/{}/{}/residents", week.year, week.week);
    let tuesday = week.day(2).unwrap();
    assert_eq!(planned(&k, &app, week, 1, Meal::Lunch).await, 8);

    let tag = etag_of(&k, k.departments[2]).await;
    let (status, _, tag) = put(
        &k.admin,
        &format!("{base}/schedule"),
        Some(&tag),
        json!({ "weekdays": [9, 9, 9, 9, 9, 7, 7] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(planned(&k, &app, week, 1, Meal::Lunch).await, 9);
    assert_eq!(planned(&k, &app, week, 6, Meal::Dinner).await, 7);

    let (status, _, tag) = put(
        &k.admin,
        &week_path,
        Some(&tag),
        json!({ "weekdays": [11, 11, 11, 11, 11, 11, 6] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(planned(&k, &app, week, 1, Meal::Lunch).await, 11);
    assert_eq!(planned(&k, &app, week, 7, Meal::Lunch).await, 6);
    // The week after keeps the standing schedule.
    assert_eq!(planned(&k, &app, week.next(), 1, Meal::Lunch).await, 9);

    let (status, _, tag) = put(
        &k.admin,
        &format!("{base}/overrides/{tuesday}"),
        Some(&tag),
        json!({ "lunch": 5, "dinner": null }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(planned(&k, &app, week, 2, Meal::Lunch).await, 5);
    assert_eq!(planned(&k, &app, week, 2, Meal::Dinner).await, 11);

    // Taking the rules away again, one by one, falls back in the same order.
    let (_, _, tag) = put(
        &k.admin,
        &week_path,
        Some(&tag),
        json!({ "weekdays": null }),
    )
    .await;
    assert_eq!(planned(&k, &app, week, 1, Meal::Lunch).await, 9);
    assert_eq!(planned(&k, &app, week, 2, Meal::Lunch).await, 5);
    let (_, _, tag) = put(
        &k.admin,
        &format!("{base}/schedule"),
        Some(&tag),
        json!({ "weekdays": null }),
    )
    .await;
    assert_eq!(planned(&k, &app, week, 1, Meal::Lunch).await, 8);
    let (status, _, _) = put(
        &k.admin,
        &format!("{base}/overrides/{tuesday}"),
        Some(&tag),
        json!({ "lunch": null, "dinner": null }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(planned(&k, &app, week, 2, Meal::Lunch).await, 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn schedules_count_dinner_apart_and_leave_days_open() {
    let app = TestApp::new().await;
    let week = open_week();
    let k = kitchen(&app, "Kvällsgården", week).await;
    let base = department_path(k.departments[2]);
    let standing = format!("{base}/schedule");
    let week_path = format!("{base}/weeks/{}/{}/residents", week.year, week.week);
    let plan = |day, meal| planned(&k, &app, week, day, meal);

    // Weekdays: 9 at lunch, 6 at dinner; the weekend is open and counts Linden's fixed 8.
    let body = json!({
        "weekdays": [9, 9, 9, 9, 9, null, null],
        "dinner": [6, 6, 6, 6, 6, null, null],
    });
    let tag = etag_of(&k, k.departments[2]).await;
    let (status, saved, tag) = put(&k.admin, &standing, Some(&tag), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, body);
    assert_eq!(k.viewer.get(&standing).await.json(), body);
    assert_eq!(plan(1, Meal::Lunch).await, 9);
    assert_eq!(plan(1, Meal::Dinner).await, 6);
    assert_eq!(plan(6, Meal::Lunch).await, 8);
    assert_eq!(plan(6, Meal::Dinner).await, 8);

    // The week's own schedule leaves Monday to Wednesday open: they fall through to the
    // standing schedule, lunch and dinner each.
    let (status, saved, tag) = put(
        &k.admin,
        &week_path,
        Some(&tag),
        json!({ "weekdays": [null, null, null, 12, 12, 12, 12] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["dinner"], Value::Null);
    assert_eq!(plan(1, Meal::Lunch).await, 9);
    assert_eq!(plan(1, Meal::Dinner).await, 6);
    assert_eq!(plan(4, Meal::Lunch).await, 12);
    assert_eq!(plan(4, Meal::Dinner).await, 12);
    assert_eq!(plan(7, Meal::Dinner).await, 12);

    // A dinner count equal to lunch is no difference: the answer lists only Friday's.
    let (status, saved, tag) = put(
        &k.admin,
        &week_path,
        Some(&tag),
        json!({
            "weekdays": [null, null, null, 12, 12, 12, 12],
            "dinner": [null, null, null, 12, 10, null, null],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved["dinner"],
        json!([null, null, null, null, 10, null, null])
    );
    assert_eq!(plan(5, Meal::Lunch).await, 12);
    assert_eq!(plan(5, Meal::Dinner).await, 10);

    // Dinner on an open day, a short list, dinner without a schedule, a count out of range:
    // refused by name, nothing stored.
    for (body, named) in [
        (
            json!({ "weekdays": [null, 1, 1, 1, 1, 1, 1], "dinner": [3, null, null, null, null, null, null] }),
            vec!["dinner[0]"],
        ),
        (
            json!({ "weekdays": [1, 1, 1, 1, 1, 1, 1], "dinner": [3, 3] }),
            vec!["dinner"],
        ),
        (
            json!({ "weekdays": null, "dinner": [3, 3, 3, 3, 3, 3, 3] }),
            vec!["dinner"],
        ),
        (
            json!({ "weekdays": [1, 1, 1, 1, 1, 1, 1], "dinner": [1, 1, 1, 1, 1, 1, 1001] }),
            vec!["dinner[6]"],
        ),
    ] {
        let (status, problem, _) = put(&k.admin, &week_path, Some(&tag), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(fields(&problem), named);
    }
    assert_eq!(etag_of(&k, k.departments[2]).await, tag);
    assert_eq!(plan(5, Meal::Dinner).await, 10);

    // Every day open is no schedule at all.
    let (status, saved, _) = put(
        &k.admin,
        &week_path,
        Some(&tag),
        json!({ "weekdays": [null, null, null, null, null, null, null] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, json!({ "weekdays": null, "dinner": null }));
    assert_eq!(plan(5, Meal::Dinner).await, 6);
}
