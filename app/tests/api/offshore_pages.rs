//! The offshore pages over the waste log, the portion advice, the waste import and the menu
//! cycle: each does what its API does (same rules, same refusals, nothing saved on error),
//! in Norwegian with a decimal comma; and in a browser on a desktop and a phone.

use serde_json::json;

use crate::harness::TestApp;
use crate::offshore_prep::form;
use crate::offshore_rota::rig;

/// Puts the rig's site in Norwegian, as a galley's is.
async fn in_norwegian(rig: &crate::offshore_rota::Rig<'_>) {
    let site_path = format!("/api/v1/sites/{}", rig.site);
    let site = rig.admin.get(&site_path).await;
    let changed = rig
        .admin
        .patch(
            &site_path,
            Some(site.header("etag")),
            json!({ "language": "nb" }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_waste_log_day_week_and_refusals() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Waste page rig").await;
    in_norwegian(&rig).await;
    // Monday 2 March 2026: lunch and dinner, and Wednesday's dinner.
    for (date, meal, category, guests, produced, served, leftover) in [
        ("2026-03-02", "lunch", "soup", 40, 12.0, 10.5, 1.5),
        ("2026-03-02", "dinner", "fish", 38, 9.0, 8.0, 1.0),
        ("2026-03-04", "dinner", "meat", 41, 5.0, 5.0, 0.0),
    ] {
        let made = rig
            .cook
            .post(
                &rig.path("waste"),
                json!({ "date": date, "meal": meal, "category": category, "guests": guests,
                        "produced_kg": produced, "served_kg": served, "leftover_kg": leftover }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
    }
    let page = rig.viewer.get("/offshore/waste?date=2026-03-02").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    // The day: lunch 1.5 of 12 = 12.5 % left, 87.5 % served; dinner 1 of 9 = 11.1 %, 88.9 %;
    // the day 2.5 of 21 = 11.9 %, 18.5 of 21 = 88.1 %. The week adds Wednesday's 5 kg:
    // 2.5 of 26 = 9.6 %, 23.5 of 26 = 90.4 %.
    for expected in [
        "Svinnlogg",
        "Suppe",
        "12,5 %",
        "87,5 %",
        "11,1 %",
        "88,9 %",
        "11,9 %",
        "88,1 %",
        "9,6 %",
        "90,4 %",
        "<td class=\"num\">10,5</td>",
        "263 g",
        "id=\"week-chart\"",
        "Uke 10",
    ] {
        assert!(html.contains(expected), "{expected} is missing: {html}");
    }
    // Viewers read but get no form.
    assert!(!html.contains("id=\"waste-form\""));
    assert_eq!(
        form(&rig.viewer, "/offshore/waste", "date=2026-03-02")
            .await
            .status,
        403
    );

    // A cook's entry with decimal commas is saved and shown.
    let saved = form(
        &rig.cook,
        "/offshore/waste",
        &format!(
            "site={}&date=2026-03-03&meal=night&category=night_meal&dish=Pizza&guests=12\
             &produced_kg=4%2C25&served_kg=3%2C5&leftover_kg=0%2C75",
            rig.site
        ),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert!(saved.header("location").contains("date=2026-03-03"));
    let logged = rig
        .viewer
        .get(&rig.path("waste?from=2026-03-03&to=2026-03-03"))
        .await
        .json();
    assert_eq!(logged[0]["served_g"], 3500);
    assert_eq!(logged[0]["dish"], "Pizza");
    let day = rig.cook.get("/offshore/waste?date=2026-03-03").await.text();
    assert!(day.contains("4,25") && day.contains("Pizza"), "{day}");

    // Refused: served above produced, and unreadable kg; every field says why, nothing saved,
    // and what was typed is kept.
    let refused = form(
        &rig.cook,
        "/offshore/waste",
        &format!(
            "site={}&date=2026-03-05&meal=lunch&category=fish&guests=30\
             &produced_kg=5&served_kg=6&leftover_kg=1%2C2345",
            rig.site
        ),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"leftover_kg-error\""), "{html}");
    assert!(html.contains("høyst tre desimaler"), "{html}");
    assert!(html.contains("value=\"1,2345\""), "{html}");
    let refused = form(
        &rig.cook,
        "/offshore/waste",
        &format!(
            "site={}&date=2026-03-05&meal=lunch&category=fish&guests=3000\
             &produced_kg=5&served_kg=6&leftover_kg=1",
            rig.site
        ),
    )
    .await;
    assert_eq!(refused.status, 422);
    let html = refused.text();
    assert!(html.contains("id=\"served_kg-error\""), "{html}");
    assert!(html.contains("Kan ikke være mer enn det som ble produsert."));
    assert!(html.contains("id=\"guests-error\""), "{html}");
    let nothing = rig
        .viewer
        .get(&rig.path("waste?from=2026-03-05&to=2026-03-05"))
        .await
        .json();
    assert_eq!(nothing.as_array().map(Vec::len), Some(0));
    // Another tenant's site is not found.
    let other = crate::offshore_rota::rig(&app, "Other waste rig").await;
    let foreign = form(
        &other.cook,
        "/offshore/waste",
        &format!("site={}&date=2026-03-05", rig.site),
    )
    .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        other
            .viewer
            .get(&format!("/offshore/waste?site={}", rig.site))
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_portion_advice_shows_its_working() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Portion page rig").await;
    in_norwegian(&rig).await;
    // Five fish dinners of 40 guests served 400, 420, 450, 480 and 600 g each, and one with
    // no guests. n = 5: the lowest and the highest are left out, H = (420 + 450 + 480) / 3 =
    // 450; 0.7 x 450 + 0.3 x 400 = 435; x 1.05 = 456.75: 457 g; x 40 = 18 280 g.
    for (day, served, guests) in [
        ("2026-03-02", 16.0, 40),
        ("2026-03-03", 16.8, 40),
        ("2026-03-04", 18.0, 40),
        ("2026-03-05", 19.2, 40),
        ("2026-03-06", 24.0, 40),
        ("2026-03-07", 0.0, 0),
    ] {
        let made = rig
            .cook
            .post(
                &rig.path("waste"),
                json!({ "date": day, "meal": "dinner", "category": "fish", "guests": guests,
                        "produced_kg": 25, "served_kg": served, "leftover_kg": 1 }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
    }
    let api = rig
        .viewer
        .get(&rig.path("portion-advice?category=fish&guests=40&date=2026-03-10"))
        .await
        .json();
    assert_eq!(api["recommendation"]["grams_per_guest"], 457);
    let page = rig
        .viewer
        .get("/offshore/waste/portion?category=fish&guests=40&date=2026-03-10")
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    for expected in [
        "<strong class=\"tabular\" id=\"per-guest\">457 g</strong>",
        "<strong class=\"tabular\" id=\"total\">18,3 kg</strong>",
        "Retningslinjen for Fisk er 400 g per gjest.",
        "5 loggførte måltider: de 1 laveste og de 1 høyeste holdes utenfor, og de andre 3 gir i snitt 450,0 g",
        "70 %",
        "30 %",
        "457 g × 40 gjester = 18,28 kg.",
        "Holdt utenfor (blant de laveste)",
        "Holdt utenfor (blant de høyeste)",
        "1 måltider uten gjester",
        "600,0",
    ] {
        assert!(html.contains(expected), "{expected} is missing: {html}");
    }
    assert_eq!(html.matches("Telt med").count(), 3, "{html}");
    // Meat has no history: the guideline alone, 400 x 1.05 = 420 g.
    let meat = rig
        .viewer
        .get("/offshore/waste/portion?category=meat&guests=10&date=2026-03-10")
        .await
        .text();
    assert!(meat.contains("id=\"per-guest\">420 g"), "{meat}");
    assert!(meat.contains("bare retningslinjen teller"), "{meat}");
    // No guests yet: a prompt; a bad count: the field says why.
    let ask = rig.viewer.get("/offshore/waste/portion").await;
    assert_eq!(ask.status, 200);
    assert!(ask.text().contains("id=\"no-advice\""));
    let bad = rig
        .viewer
        .get("/offshore/waste/portion?category=fish&guests=0")
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"guests-error\""));
    let bad_date = rig
        .viewer
        .get("/offshore/waste/portion?category=fish&guests=4&date=1999-01-01")
        .await;
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.text().contains("id=\"date-error\""));
}

mod in_a_browser {
    use crate::browser::{Browser, within_time_limit};
    use crate::harness::TestApp;

    async fn demo(app: &TestApp) {
        let mut pooled = app.app.state.db.get().await.unwrap();
        galley_core::people::accounts::ensure_demo(&mut pooled.conn(), app.app.state.registry)
            .await
            .unwrap();
    }

    async fn cook(app: &TestApp, test: &'static str, phone: bool) -> Browser {
        let browser = if phone {
            Browser::phone(app, test).await
        } else {
            Browser::desktop(app, test).await
        };
        browser
            .sign_in_with(
                "kokk@demo.galley.test",
                galley_core::people::accounts::DEMO_PASSWORD,
            )
            .await;
        browser
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn pages_waste_log_on_a_desktop_and_a_phone() {
        const TEST: &str = "offshore-pages-waste";
        let app = TestApp::new().await;
        demo(&app).await;
        within_time_limit(TEST, async {
            let desktop = cook(&app, TEST, false).await;
            desktop.goto("/offshore/waste").await;
            assert!(desktop.text("h1").await.contains("Svinnlogg"));
            desktop.fill("#guests", "40").await;
            desktop.fill("#produced_kg", "10").await;
            desktop.fill("#served_kg", "11").await;
            desktop.fill("#leftover_kg", "1,5").await;
            desktop.submit("#add-entry").await;
            assert!(desktop.text("#served_kg-error").await.contains("produsert"));
            desktop.screenshot("refused-desktop").await;
            desktop.fill("#served_kg", "8,5").await;
            desktop.submit("#add-entry").await;
            assert!(desktop.text("#notice").await.contains("Lagret"));
            assert!(desktop.text("#entries").await.contains("8,5"));
            desktop.screenshot("day-desktop").await;
            desktop.scroll_to("#week-heading", "start").await;
            desktop.screenshot("week-desktop").await;
            let phone = cook(&app, TEST, true).await;
            phone.goto("/offshore/waste").await;
            phone.assert_fits_width().await;
            phone.screenshot("day-phone").await;
            phone.scroll_to("#week-heading", "start").await;
            phone.screenshot("week-phone").await;
            assert!(
                desktop.csp_reports().is_empty(),
                "{:?}",
                desktop.csp_reports()
            );
        })
        .await;
    }
}
