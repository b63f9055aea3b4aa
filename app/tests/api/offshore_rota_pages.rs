//! The rota's settings page and a single shift's page: forms that save through the API's
//! rules and versions, name what they refuse, change nothing when refused or stale, and stay
//! within the tenant.

use axum::http::Method;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::offshore_prep::form;
use crate::offshore_rota::{Rig, rig};

const GOOD_SETTINGS: &str = "day_start=06%3A30&day_end=18%3A30&night_start=18%3A30&night_end=06%3A30\
    &cover_cook_day=2&cover_cook_night=&cover_night_cook_night=1&cover_steward_day=0\
    &max_period_days=14&max_extended_period_days=21&max_shift_hours=12%2C5&min_rest_days=21";

async fn settings(rig: &Rig<'_>) -> Value {
    rig.admin.get(&rig.path("rota-settings")).await.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_saves_the_rota_settings_from_the_page() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Settings page rig").await;
    let site = format!("site={}", rig.site);
    assert_eq!(rig.cook.get("/offshore/rota/settings").await.status, 403);
    assert_eq!(rig.viewer.get("/offshore/rota/settings").await.status, 403);
    let page = rig.admin.get("/offshore/rota/settings").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    // The Norwegian defaults, in hours where the form asks for hours.
    for field in [
        r#"name="max_period_days" inputmode="decimal" required value="14""#,
        r#"name="max_shift_hours" inputmode="decimal" required value="12""#,
        r#"name="day_start" type="time" required value="07:00""#,
    ] {
        assert!(html.contains(field), "{field} in {html}");
    }

    // Refused: every bad field named, nothing saved.
    let refused = form(
        &rig.admin,
        "/offshore/rota/settings",
        &format!(
            "{site}&version=0&{}",
            GOOD_SETTINGS
                .replace("day_start=06%3A30", "day_start=25%3A00")
                .replace("max_period_days=14", "max_period_days=40")
        ),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains(r#"id="day_start-error""#), "{html}");
    assert!(html.contains(r#"id="max_period_days-error""#), "{html}");
    assert!(!html.contains(r#"id="min_rest_days-error""#), "{html}");
    // What was typed stays in the form.
    assert!(html.contains(r#"value="40""#), "{html}");
    assert_eq!(settings(&rig).await["version"], 0);
    let unreadable = form(
        &rig.admin,
        "/offshore/rota/settings",
        &format!(
            "{site}&version=0&{}",
            GOOD_SETTINGS.replace("cover_cook_day=2", "cover_cook_day=two")
        ),
    )
    .await;
    assert_eq!(unreadable.status, 422);
    assert!(unreadable.text().contains(r#"id="cover-error""#));
    assert_eq!(settings(&rig).await["version"], 0);

    // Saved: the API reads back what the form said.
    let saved = form(
        &rig.admin,
        "/offshore/rota/settings",
        &format!("{site}&version=0&{GOOD_SETTINGS}"),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(saved.header("location"), "/offshore/rota/settings?saved=1");
    let stored = settings(&rig).await;
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["day_start"], "06:30");
    assert_eq!(stored["rules"]["max_shift_minutes"], 750);
    let mut cover: Vec<(String, String, u64)> = stored["cover"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["position"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    cover.sort();
    assert_eq!(
        cover,
        [
            ("cook".into(), "day".into(), 2),
            ("night_cook".into(), "night".into(), 1)
        ]
    );
    let confirmed = rig
        .admin
        .get("/offshore/rota/settings?saved=1")
        .await
        .text();
    assert!(confirmed.contains(r#"id="notice""#), "{confirmed}");
    assert!(confirmed.contains(r#"value="12.5""#), "{confirmed}");

    // A form read before that save is stale: shown again as stored, nothing changed.
    let stale = form(
        &rig.admin,
        "/offshore/rota/settings",
        &format!(
            "{site}&version=0&{}",
            GOOD_SETTINGS.replace("min_rest_days=21", "min_rest_days=28")
        ),
    )
    .await;
    assert_eq!(stale.status, 200);
    assert!(stale.text().contains("alert warning"), "{}", stale.text());
    assert_eq!(settings(&rig).await["rules"]["min_rest_days"], 21);
    assert_eq!(settings(&rig).await["version"], 1);
}

/// Anne and Bjørn on day shifts in the week of 26 October 2026, applied as drafts.
async fn two_cooks_a_week(rig: &Rig<'_>) -> (Vec<i64>, Vec<Value>) {
    let pattern = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": "Days", "template": "14/21", "anchor_date": "2026-10-19" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut people = Vec::new();
    for (name, offset) in [("Anne", 0), ("Bjørn", 7)] {
        let crew = rig
            .admin
            .post(
                &rig.path("crew"),
                json!({ "name": name, "position": "cook", "pattern_id": pattern, "start_offset_days": offset }),
            )
            .await;
        people.push(crew.json()["id"].as_i64().unwrap());
    }
    let applied = rig
        .admin
        .send(
            Method::POST,
            &rig.path("schedule/apply"),
            Some("*"),
            Some(json!({ "from": "2026-10-26", "to": "2026-11-01" })),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text());
    let shifts = applied.json()["shifts"].as_array().unwrap().clone();
    (people, shifts)
}

async fn stored_shift(rig: &Rig<'_>, id: &Value) -> Value {
    let schedule = rig
        .admin
        .get(&rig.path("schedule?from=2026-10-26&to=2026-11-01"))
        .await
        .json();
    schedule["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == *id)
        .cloned()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cook_changes_and_swaps_a_shift_from_its_page() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Shift page rig").await;
    let (people, shifts) = two_cooks_a_week(&rig).await;
    let anne = shifts.iter().find(|s| s["crew_id"] == people[0]).unwrap();
    let bjorn = shifts
        .iter()
        .find(|s| s["crew_id"] == people[1] && s["date"] == anne["date"])
        .unwrap();
    let page_path = format!("/offshore/rota/shifts/{}", anne["id"]);

    // The cook's rota links each stored shift; the viewer's does not.
    let rota = rig.cook.get("/offshore/rota?month=2026-10").await.text();
    assert!(rota.contains(&format!(r#"href="{page_path}""#)), "{rota}");
    let viewer_rota = rig.viewer.get("/offshore/rota?month=2026-10").await.text();
    assert!(
        !viewer_rota.contains("/offshore/rota/shifts/"),
        "{viewer_rota}"
    );
    assert_eq!(rig.viewer.get(&page_path).await.status, 403);

    let page = rig.cook.get(&page_path).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Anne"), "{html}");
    // Bjørn's shift of the same day is offered for a swap; Anne's own shifts are not.
    let bjorn_choice = format!("{}:{}", bjorn["id"], 1);
    assert!(html.contains(&bjorn_choice), "{html}");
    let own = shifts
        .iter()
        .filter(|s| s["crew_id"] == people[0] && s["id"] != anne["id"])
        .map(|s| format!(r#"value="{}:"#, s["id"]))
        .collect::<Vec<_>>();
    assert!(own.iter().all(|v| !html.contains(v.as_str())), "{html}");

    // A bad time is named and changes nothing.
    let bad = form(
        &rig.cook,
        &page_path,
        &format!(
            "site={}&version=1&crew_id={}&kind=day&start=06%3A00&end=25%3A00",
            rig.site, people[0]
        ),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains(r#"id="end-error""#));
    assert_eq!(stored_shift(&rig, &anne["id"]).await["start"], "07:00");

    // Changed: 06:00-18:00, back to the month with a confirmation.
    let changed = form(
        &rig.cook,
        &page_path,
        &format!(
            "site={}&version=1&crew_id={}&kind=day&start=06%3A00&end=18%3A00",
            rig.site, people[0]
        ),
    )
    .await;
    assert_eq!(changed.status, 303, "{}", changed.text());
    assert_eq!(
        changed.header("location"),
        "/offshore/rota?month=2026-10&saved=changed"
    );
    let after = stored_shift(&rig, &anne["id"]).await;
    assert_eq!(
        (after["start"].as_str(), after["end"].as_str()),
        (Some("06:00"), Some("18:00"))
    );

    // The same form again is stale: shown as stored, nothing changed.
    let stale = form(
        &rig.cook,
        &page_path,
        &format!(
            "site={}&version=1&crew_id={}&kind=night&start=&end=",
            rig.site, people[0]
        ),
    )
    .await;
    assert_eq!(stale.status, 200);
    assert!(stale.text().contains(r#"id="notice""#), "{}", stale.text());
    assert_eq!(stored_shift(&rig, &anne["id"]).await["kind"], "day");

    // Swapped with Bjørn's shift of that day: the people change places.
    let no_choice = form(
        &rig.cook,
        &format!("{page_path}/swap"),
        &format!("site={}&version=2&other=", rig.site),
    )
    .await;
    assert_eq!(no_choice.status, 422);
    assert!(no_choice.text().contains(r#"id="other-error""#));
    let swapped = form(
        &rig.cook,
        &format!("{page_path}/swap"),
        &format!("site={}&version=2&other={bjorn_choice}", rig.site),
    )
    .await;
    assert_eq!(swapped.status, 303, "{}", swapped.text());
    assert_eq!(
        swapped.header("location"),
        "/offshore/rota?month=2026-10&saved=swapped"
    );
    assert_eq!(stored_shift(&rig, &anne["id"]).await["crew_id"], people[1]);
    assert_eq!(stored_shift(&rig, &bjorn["id"]).await["crew_id"], people[0]);

    // Another tenant's cook cannot open or change this shift.
    let other = crate::offshore_rota::rig(&app, "Other page rig").await;
    assert_eq!(other.cook.get(&page_path).await.status, 404);
    let foreign = form(
        &other.cook,
        &page_path,
        &format!(
            "site={}&version=3&crew_id={}&kind=night",
            other.site, people[0]
        ),
    )
    .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(stored_shift(&rig, &anne["id"]).await["kind"], "day");
}

mod in_a_browser {
    use super::*;
    use crate::browser::{Browser, within_time_limit};

    #[tokio::test(flavor = "multi_thread")]
    async fn an_admin_sets_the_cover_on_a_phone_and_a_cook_swaps_a_shift() {
        const TEST: &str = "offshore-rota-pages";
        const NAME: &str = "Oseberg C";
        let app = TestApp::new().await;
        let rig = rig(&app, NAME).await;
        let site_path = format!("/api/v1/sites/{}", rig.site);
        let site = rig.admin.get(&site_path).await;
        rig.admin
            .patch(
                &site_path,
                Some(site.header("etag")),
                json!({ "language": "nb" }),
            )
            .await;
        let (people, shifts) = two_cooks_a_week(&rig).await;
        let anne = shifts.iter().find(|s| s["crew_id"] == people[0]).unwrap();
        let slug = NAME.to_lowercase().replace(' ', "-");

        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&format!("admin-0-{slug}@example.no")).await;
            phone.goto("/offshore/rota/settings").await;
            assert_eq!(phone.text("main h1").await, "Turnusinnstillinger");
            phone.fill("#cover_cook_day", "2").await;
            phone.fill("#max_period_days", "40").await;
            phone.scroll_to("#save-settings", "center").await;
            phone.submit("#save-settings").await;
            assert!(
                phone
                    .text("#max_period_days-error")
                    .await
                    .contains("1 til 28")
            );
            phone.screenshot("settings-refused-phone").await;
            phone.assert_fits_width().await;
            phone.fill("#max_period_days", "14").await;
            phone.scroll_to("#save-settings", "center").await;
            phone.submit("#save-settings").await;
            phone.wait_for_url("saved=1").await;
            assert_eq!(
                phone.prop("#cover_cook_day", "value").await.as_deref(),
                Some("2")
            );
            phone.screenshot("settings-saved-phone").await;

            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(&format!("cook-1-{slug}@example.no")).await;
            desktop.goto("/offshore/rota?month=2026-10").await;
            desktop
                .click(&format!("a[href='/offshore/rota/shifts/{}']", anne["id"]))
                .await;
            desktop
                .wait_for_path(&format!("/offshore/rota/shifts/{}", anne["id"]))
                .await;
            assert!(desktop.text("main h1").await.starts_with("Anne"));
            desktop.click("#other option:nth-child(2)").await;
            desktop.screenshot("shift-desktop").await;
            desktop.submit("#swap-shift").await;
            desktop.wait_for_url("saved=swapped").await;
            assert!(desktop.text("#saved").await.contains("byttet"));
            desktop.screenshot("swapped-desktop").await;
            let reports: Vec<String> = [&desktop, &phone]
                .iter()
                .flat_map(|b| b.csp_reports())
                .collect();
            assert!(reports.is_empty(), "{reports:?}");
        })
        .await;
    }
}

/// An admin marks a period that is too long as an exception from the month's checks, with a
/// reason; without one nothing is marked.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_marks_a_long_period_as_an_exception_from_the_checks() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Exception rig").await;
    let pattern = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": "3-3", "template": "3-3", "anchor_date": "2026-03-02" }),
        )
        .await
        .json()["id"]
        .clone();
    let per = rig
        .admin
        .post(
            &rig.path("crew"),
            json!({ "name": "Per", "position": "steward", "pattern_id": pattern }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let applied = rig
        .admin
        .send(
            Method::POST,
            &rig.path("schedule/apply"),
            Some("*"),
            Some(json!({ "from": "2026-03-01", "to": "2026-03-31" })),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text());
    let month = rig.admin.get("/offshore/rota?month=2026-03").await.text();
    assert!(month.contains(r#"class="exception-form"#), "{month}");
    assert!(
        month.contains(r#"name="first_date" value="2026-03-02""#),
        "{month}"
    );
    let cook_month = rig.cook.get("/offshore/rota?month=2026-03").await.text();
    assert!(!cook_month.contains("exception-form"));

    let fields = |reason: &str| {
        format!(
            "site={}&month=2026-03&crew_id={per}&first_date=2026-03-02&reason={reason}",
            rig.site
        )
    };
    let marked = || async { rig.admin.get(&rig.path("period-exceptions")).await.json() };
    assert_eq!(
        form(
            &rig.cook,
            "/offshore/rota/exceptions",
            &fields("Crew+change")
        )
        .await
        .status,
        403
    );
    let no_reason = form(&rig.admin, "/offshore/rota/exceptions", &fields("+")).await;
    assert_eq!(no_reason.status, 303);
    assert_eq!(
        no_reason.header("location"),
        "/offshore/rota?month=2026-03&saved=exception_reason"
    );
    assert_eq!(marked().await, json!([]));
    let saved = form(
        &rig.admin,
        "/offshore/rota/exceptions",
        &fields("Crew+change+delayed"),
    )
    .await;
    assert_eq!(
        saved.header("location"),
        "/offshore/rota?month=2026-03&saved=exception"
    );
    let list = marked().await;
    assert_eq!(list[0]["crew_id"], per);
    assert_eq!(list[0]["reason"], "Crew change delayed");
    // Marked, the 21-day period is within the extended limit: no breach, nothing to mark.
    let month = rig
        .admin
        .get("/offshore/rota?month=2026-03&saved=exception")
        .await
        .text();
    assert!(!month.contains(r#"class="exception-form"#), "{month}");
}
