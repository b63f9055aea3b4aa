//! The "done when", end to end through the API and the pages, on whichever backend
//! the suite runs: a department chooses Alt 2 for next Tuesday; the cook's Tuesday plan moves by
//! exactly that department's normal portions and prints; the finance office's XLSX and PDF carry
//! the plan's totals; a menu imported from the sample DOCX shows in the editor; a department
//! user of another kitchen sees none of it. (The same choice made by tapping in a phone-sized
//! Chromium is `municipal_week::in_a_browser`.)

use axum::http::{Method, StatusCode};
use galley_core::kitchen::iso_week::IsoWeek;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, report_totals, workbook_totals};

fn next_week() -> IsoWeek {
    IsoWeek::containing(chrono::Utc::now().date_naive() + chrono::Duration::days(7))
}

/// Choices for a week close on its own Sunday, so next week is open whatever today is.
async fn open_until_sunday(k: &Kitchen<'_>) {
    let path = format!("/api/v1/municipal/sites/{}/settings", k.site);
    let current = k.admin.get(&path).await;
    let saved = k
        .admin
        .send(
            Method::PUT,
            &path,
            Some(current.header("etag")),
            Some(json!({ "deadline_weekday": 7, "deadline_time": "23:59",
                         "deadline_weeks_before": 0, "weekend_alt2": true })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
}

fn department<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {plan}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_week_from_choice_to_report() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Storyby", next_week()).await;
    open_until_sunday(&k).await;
    let tuesday = k.week.day(2).unwrap();
    let plan_path = format!("/api/v1/municipal/sites/{}/planning/{tuesday}", k.site);
    let before = k.cook.get(&plan_path).await.json();

    // The department sees next week's published menu and chooses Alt 2 for Tuesday.
    let staff = &k.department_staff[0];
    let week = staff.get(&k.week_path(0)).await;
    assert_eq!(week.status, StatusCode::OK, "{}", week.text());
    assert_eq!(week.json()["menu_published"], true);
    assert_eq!(week.json()["choices_open"], true);
    let chosen = staff
        .send(
            Method::PUT,
            &format!("{}/choices/2", k.week_path(0)),
            Some(week.header("etag")),
            Some(json!({ "lunch": "alt2" })),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.text());

    // The cook's Tuesday moves by exactly Björken's normal portions, and nothing else moves.
    let after = k.cook.get(&plan_path).await.json();
    let moved = department(&after, "Björken")["lunch"]["normal"]
        .as_i64()
        .unwrap();
    assert!(moved > 0);
    assert_eq!(department(&after, "Björken")["lunch"]["choice"], "alt2");
    let lunch = |plan: &Value, key: &str| plan["totals"]["lunch"][key].as_i64().unwrap();
    assert_eq!(lunch(&after, "alt1"), lunch(&before, "alt1") - moved);
    assert_eq!(lunch(&after, "alt2"), lunch(&before, "alt2") + moved);
    assert_eq!(lunch(&after, "special"), lunch(&before, "special"));
    assert_eq!(after["totals"]["dinner"], before["totals"]["dinner"]);

    // ... and prints it: the day plan page carries the print stylesheet and the numbers.
    let page = k
        .cook
        .get(&format!("/municipal/kitchen/plan/{tuesday}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("kitchen.css"), "the print styles are linked");
    assert!(html.contains(&lunch(&after, "alt2").to_string()));

    // The finance office's XLSX and PDF: the XLSX totals are the week's plans summed.
    let mut plan_totals = [0_i64; 8];
    for day in 1..=7 {
        let date = k.week.day(day).unwrap();
        let plan = k
            .viewer
            .get(&format!(
                "/api/v1/municipal/sites/{}/planning/{date}",
                k.site
            ))
            .await
            .json();
        for (sum, value) in plan_totals.iter_mut().zip(report_totals(&plan)) {
            *sum += value;
        }
    }
    let report = format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        k.site, k.week.year, k.week.week
    );
    let xlsx = k.viewer.get(&format!("{report}?format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text());
    let (workbook_totals, _) = workbook_totals(&xlsx.body);
    assert_eq!(workbook_totals, plan_totals.to_vec());
    assert!(plan_totals[4] >= moved, "Tuesday's Alt 2 is in the week");
    let pdf = k.viewer.get(&format!("{report}?format=pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF"));

    // A menu imported from the sample DOCX appears in the editor.
    let docx = include_bytes!("../../../docs/samples/meny-v14-2026.docx");
    let imported = k
        .cook
        .app
        .request(
            Method::POST,
            &format!("/api/v1/sites/{}/menus/import?dry_run=false", k.site),
            &[
                ("cookie", k.cook.cookie.as_str()),
                ("x-csrf-token", k.cook.csrf.as_str()),
                (
                    "content-type",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            ],
            docx.to_vec(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    let menu = k
        .cook
        .get(&format!("/api/v1/sites/{}/menus/2026/14", k.site))
        .await
        .json();
    let first_dish = menu["items"][0]["dish"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let editor = k.cook.get("/municipal/menus/2026/14").await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(
        editor.text().contains(&first_dish),
        "{first_dish} not in the editor"
    );

    // A department user of another kitchen sees none of it.
    let other = kitchen(&app, "Annanby", next_week()).await;
    let stranger = &other.department_staff[0];
    assert_eq!(
        stranger.get(&k.week_path(0)).await.status,
        StatusCode::NOT_FOUND
    );
    for path in [plan_path.as_str(), report.as_str()] {
        let refused = stranger.get(path).await;
        assert!(
            matches!(
                refused.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            ),
            "{path}: {}",
            refused.status
        );
    }
    let portal = stranger.get("/municipal/portal").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(
        !portal.text().contains("(storyby)"),
        "another kitchen's dishes leaked"
    );
    assert!(portal.text().contains("(annanby)"));
}
