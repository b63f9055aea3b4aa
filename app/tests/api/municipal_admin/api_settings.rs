//! A kitchen's municipal settings through the API.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Datelike, Timelike, Weekday};
use serde_json::json;

use super::audit_rows;
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

#[tokio::test(flavor = "multi_thread")]
async fn settings_start_as_defaults_and_are_saved_with_their_version() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Norrby", open_week()).await;
    let path = format!("/api/v1/municipal/sites/{}/settings", k.site);
    let read = k.cook.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    let v0 = format!("\"municipal-settings-{}-v0\"", k.site);
    assert_eq!(read.header("etag"), v0);
    let body = read.json();
    assert_eq!(body["deadline_weekday"], 4);
    assert_eq!(body["deadline_time"], "12:00");
    assert_eq!(body["deadline_weeks_before"], 1);
    assert_eq!(body["weekend_alt2"], true);
    assert_eq!(body["version"], 0);
    // Next week's choices close on Thursday of this week at noon, Stockholm time.
    let closes =
        DateTime::parse_from_rfc3339(body["next_deadline"]["closes_at"].as_str().unwrap()).unwrap();
    assert_eq!(closes.weekday(), Weekday::Thu);
    assert_eq!((closes.hour(), closes.minute()), (12, 0));
    assert!(matches!(closes.offset().local_minus_utc(), 3600 | 7200));
    // Today in the kitchen's time zone (the deadline's offset is the zone's, bar a clock change).
    let today = chrono::Utc::now()
        .with_timezone(closes.offset())
        .date_naive();
    let next = galley_core::kitchen::iso_week::IsoWeek::containing(today).next();
    assert_eq!(body["next_deadline"]["week"], next.week);
    assert_eq!(body["next_deadline"]["year"], next.year);
    assert_eq!(
        closes.date_naive(),
        next.monday() - chrono::Duration::days(4)
    );
    // Department staff do not read the kitchen's settings.
    assert_eq!(
        k.department_staff[0].get(&path).await.status,
        StatusCode::FORBIDDEN
    );

    let wanted = json!({
        "deadline_weekday": 1, "deadline_time": "09:30",
        "deadline_weeks_before": 0, "weekend_alt2": false,
    });
    let put = |tag: Option<&str>, body: serde_json::Value| {
        let (admin, path) = (&k.admin, path.clone());
        let tag = tag.map(str::to_owned);
        async move {
            admin
                .send(Method::PUT, &path, tag.as_deref(), Some(body))
                .await
        }
    };
    assert_eq!(
        put(None, wanted.clone()).await.status,
        StatusCode::PRECONDITION_REQUIRED
    );
    assert_eq!(
        k.cook
            .send(Method::PUT, &path, Some(&v0), Some(wanted.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Every field checked and named; nothing saved.
    let bad = put(
        Some(&v0),
        json!({
            "deadline_weekday": 8, "deadline_time": "24:00",
            "deadline_weeks_before": 5, "weekend_alt2": true,
        }),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = bad.json();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["deadline_weekday", "deadline_time", "deadline_weeks_before"]
    );
    for time in ["9:30", "12:5", "noon", "-1:00"] {
        let response = put(
            Some(&v0),
            json!({ "deadline_weekday": 1, "deadline_time": time, "deadline_weeks_before": 0, "weekend_alt2": true }),
        )
        .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{time}");
    }
    let missing = put(Some(&v0), json!({ "deadline_weekday": 1 })).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(k.admin.get(&path).await.header("etag"), v0);

    // The first save names version 0.
    let saved = put(Some(&v0), wanted.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let v1 = format!("\"municipal-settings-{}-v1\"", k.site);
    assert_eq!(saved.header("etag"), v1);
    let body = saved.json();
    assert_eq!(body["deadline_time"], "09:30");
    assert_eq!(body["weekend_alt2"], false);
    assert_eq!(body["version"], 1);
    // Monday 09:30 of the menu's own week.
    let closes =
        DateTime::parse_from_rfc3339(body["next_deadline"]["closes_at"].as_str().unwrap()).unwrap();
    assert_eq!(closes.date_naive(), next.monday());
    assert_eq!((closes.hour(), closes.minute()), (9, 30));
    let read = k.viewer.get(&path).await;
    assert_eq!(read.json()["deadline_weekday"], 1);
    assert_eq!(read.header("etag"), v1);
    // Stale and unchanged writes.
    let stale = put(Some(&v0), wanted.clone()).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], v1);
    let same = put(Some(&v1), wanted.clone()).await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.header("etag"), v1);
    let rows = audit_rows(&k.admin, "municipal_settings.updated", "site", k.site).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["details"]["deadline_time"],
        json!({ "from": "12:00", "to": "09:30" })
    );
    // Another tenant's kitchen is unknown.
    let other = kitchen(&app, "Söderby", open_week()).await;
    let theirs = format!("/api/v1/municipal/sites/{}/settings", other.site);
    assert_eq!(k.admin.get(&theirs).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        k.admin
            .send(Method::PUT, &theirs, Some("*"), Some(wanted))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
