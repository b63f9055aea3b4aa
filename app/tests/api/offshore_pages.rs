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
    // A decimal point in English, a comma in Swedish.
    let en = rig
        .viewer
        .get("/offshore/waste?date=2026-03-02&lang=en")
        .await
        .text();
    assert!(en.contains("Waste log") && en.contains("12.5 %") && en.contains("88.1 %"));
    let sv = rig
        .viewer
        .get("/offshore/waste?date=2026-03-02&lang=sv")
        .await
        .text();
    assert!(sv.contains("Svinnlogg") && sv.contains("Serverat %") && sv.contains("12,5 %"));
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
    // Served above produced is named as well, in the same answer.
    assert!(html.contains("id=\"served_kg-error\""), "{html}");
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
        "5 loggførte måltider: den laveste og den høyeste holdes utenfor, og de andre 3 gir i snitt 450,0 g",
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
    // Asked by dish: its category's advice; a dish that does not exist is refused in place.
    crate::offshore_cycle::dish(&rig.admin, "Ovnsbakt laks", "fish").await;
    let by_dish = rig
        .viewer
        .get("/offshore/waste/portion?category=meat&dish=ovnsbakt+laks&guests=40&date=2026-03-10")
        .await
        .text();
    assert!(by_dish.contains("id=\"per-guest\">457 g"), "{by_dish}");
    assert!(by_dish.contains("(ovnsbakt laks)"), "{by_dish}");
    let unknown = rig
        .viewer
        .get("/offshore/waste/portion?dish=Hvalbiff&guests=40")
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.text().contains("id=\"dish-error\""));
    assert!(!unknown.text().contains("id=\"per-guest\""));
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

/// A multipart form post as a browser sends it: text fields, and a file when given.
async fn multipart(
    client: &crate::client::Client<'_>,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<&str>,
) -> crate::harness::TestResponse {
    let boundary = "----galleypagesboundary";
    let mut body = String::new();
    let mut part = |name: &str, extra: &str, value: &str| {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n"
        ));
    };
    part("csrf_token", "", &client.csrf);
    for (name, value) in fields {
        part(name, "", value);
    }
    if let Some(csv) = file {
        part(
            "file",
            "; filename=\"svinn.csv\"\r\nContent-Type: text/csv",
            csv,
        );
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    client
        .app
        .request(
            axum::http::Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("content-type", content_type.as_str()),
            ],
            body,
        )
        .await
}

/// The value of the hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or(0);
    let end = html[start..].find('"').map(|i| start + i).unwrap_or(start);
    html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#43;", "+")
        .replace("&#x3d;", "=")
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_waste_import_previews_then_applies_all_or_nothing() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Import page rig").await;
    in_norwegian(&rig).await;
    let site = rig.site.to_string();
    let stored = |from: &'static str| {
        let path = rig.path(&format!("waste?from={from}&to=2026-03-31"));
        let viewer = &rig.viewer;
        async move { viewer.get(&path).await.json().as_array().map(Vec::len) }
    };
    // A file with an error on line 3: the preview lists it, offers no import, stores nothing.
    let bad = "dato;måltid;kategori;rett;gjester;produsert;servert;rester\n\
               2026-03-02;middag;fisk;Ovnsbakt laks;42;19,5;17,2;2,3\n\
               2026-03-03;lunsj;suppe;;40;10;11;1\n";
    let preview = multipart(
        &rig.cook,
        "/offshore/waste/import",
        &[("site", &site)],
        Some(bad),
    )
    .await;
    assert_eq!(preview.status, 422, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("1 feil"), "{html}");
    assert!(html.contains("er mer enn det som ble produsert."), "{html}");
    assert!(html.contains("<td class=\"num\">3</td>"), "{html}");
    assert!(!html.contains("id=\"apply\""), "{html}");
    assert_eq!(stored("2026-03-01").await, Some(0));

    // A good file: previewed with its rows, then imported as a whole.
    let good = "date,meal,category,dish,guests,produced_kg,served_kg,leftover_kg\n\
                2026-03-02,dinner,fish,Ovnsbakt laks,42,19.5,17.2,2.3\n\
                2026-03-03,lunch,soup,,40,10,9.5,0.5\n";
    let preview = multipart(
        &rig.cook,
        "/offshore/waste/import",
        &[("site", &site)],
        Some(good),
    )
    .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("2 rader er klare til import"), "{html}");
    assert!(
        html.contains("Ovnsbakt laks") && html.contains("19,5"),
        "{html}"
    );
    assert_eq!(
        stored("2026-03-01").await,
        Some(0),
        "a preview stores nothing"
    );
    let (data, hash) = (hidden(&html, "file_data"), hidden(&html, "file_hash"));
    // A changed file or a forged hash is refused.
    let forged = multipart(
        &rig.cook,
        "/offshore/waste/import",
        &[("site", &site), ("file_data", &data), ("file_hash", "00")],
        None,
    )
    .await;
    assert_eq!(forged.status, 422);
    assert_eq!(stored("2026-03-01").await, Some(0));
    let applied = multipart(
        &rig.cook,
        "/offshore/waste/import",
        &[("site", &site), ("file_data", &data), ("file_hash", &hash)],
        None,
    )
    .await;
    assert_eq!(applied.status, 303, "{}", applied.text());
    assert!(applied.header("location").contains("done=2"));
    assert_eq!(stored("2026-03-01").await, Some(2));
    let done = rig.cook.get("/offshore/waste/import?done=2").await.text();
    assert!(done.contains("2 rader importert."), "{done}");
    // The same file cannot be carried to another tenant's site.
    let other = crate::offshore_rota::rig(&app, "Other import rig").await;
    let foreign = multipart(
        &other.cook,
        "/offshore/waste/import",
        &[("site", &site), ("file_data", &data), ("file_hash", &hash)],
        None,
    )
    .await;
    assert_eq!(foreign.status, 404);
    // Viewers do not import.
    assert_eq!(rig.viewer.get("/offshore/waste/import").await.status, 403);
    assert_eq!(
        multipart(
            &rig.viewer,
            "/offshore/waste/import",
            &[("site", &site)],
            Some(good)
        )
        .await
        .status,
        403
    );
    assert_eq!(stored("2026-03-01").await, Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_menu_cycle_set_up_filled_and_generated() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Cycle page rig").await;
    in_norwegian(&rig).await;
    let site = rig.site.to_string();
    let set_up =
        || async { rig.viewer.get(&rig.path("menu-cycle")).await.json()["set_up"].clone() };
    let fresh = rig.viewer.get("/offshore/cycle").await;
    assert_eq!(fresh.status, 200, "{}", fresh.text());
    assert!(fresh.text().contains("Byssen har ingen menysyklus ennå"));
    assert!(!fresh.text().contains("id=\"cycle-form\""));
    // Only admins set the cycle up; bad values are refused per field and change nothing.
    let cycle = |length: &str, week: &str, index: &str, version: &str| {
        format!(
            "site={site}&version={version}&length_weeks={length}&start_year=2026\
             &start_week={week}&start_index={index}"
        )
    };
    assert_eq!(
        form(&rig.viewer, "/offshore/cycle", &cycle("4", "10", "1", "0"))
            .await
            .status,
        403
    );
    let refused = form(&rig.admin, "/offshore/cycle", &cycle("13", "54", "x", "0")).await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let html = refused.text();
    for id in ["length_weeks-error", "start_index-error"] {
        assert!(html.contains(id), "{id}: {html}");
    }
    assert!(html.contains("value=\"13\""));
    let refused = form(&rig.admin, "/offshore/cycle", &cycle("4", "54", "5", "0")).await;
    assert_eq!(refused.status, 422);
    let html = refused.text();
    assert!(html.contains("id=\"start_week-error\""), "{html}");
    assert!(html.contains("id=\"start_index-error\""), "{html}");
    assert_eq!(set_up().await, false);
    let saved = form(&rig.admin, "/offshore/cycle", &cycle("4", "10", "1", "0")).await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(set_up().await, true);
    // A second save from the same old page is stale.
    let stale = form(&rig.admin, "/offshore/cycle", &cycle("3", "10", "1", "0")).await;
    assert_eq!(stale.status, 409);

    // Cycle week 1: dishes typed by name (any case); an unknown name is refused in place.
    crate::offshore_cycle::dish(&rig.admin, "Fiskesuppe", "soup").await;
    crate::offshore_cycle::dish(&rig.admin, "Ovnsbakt laks", "fish").await;
    let week_one = rig.viewer.get("/offshore/cycle?week=1").await.text();
    assert!(
        week_one.contains("<option value=\"Ovnsbakt laks\">"),
        "{week_one}"
    );
    let template = |extra: &str, version: &str| {
        format!(
            "site={site}&week=1&version={version}&d1_lunch_soup=Fiskesuppe\
             &d1_dinner_fish=ovnsbakt+laks{extra}"
        )
    };
    let refused = form(
        &rig.cook,
        "/offshore/cycle/template",
        &template("&d2_dinner_meat=Hvalbiff", "0"),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains("id=\"d2_dinner_meat-error\""), "{html}");
    assert!(
        html.contains("Det finnes ingen rett som heter «Hvalbiff»"),
        "{html}"
    );
    assert!(html.contains("value=\"Hvalbiff\""));
    let stored = rig.viewer.get(&rig.path("menu-cycle/weeks/1")).await.json();
    assert_eq!(stored["version"], 0);
    let saved = form(&rig.cook, "/offshore/cycle/template", &template("", "0")).await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let stored = rig.viewer.get(&rig.path("menu-cycle/weeks/1")).await.json();
    assert_eq!(stored["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        form(&rig.cook, "/offshore/cycle/template", &template("", "0"))
            .await
            .status,
        409
    );
    assert_eq!(
        form(&rig.viewer, "/offshore/cycle/template", &template("", "1"))
            .await
            .status,
        403
    );
    let shown = rig.viewer.get("/offshore/cycle?week=1").await.text();
    assert!(shown.contains("value=\"Ovnsbakt laks\""), "{shown}");

    // Week 10 of 2026 is cycle week 1: its menu is made and shown; week 11 is cycle week 2,
    // which has no dishes; week 10 again needs "replace".
    let generate = |week: &str, replace: bool| {
        let replace = if replace { "&replace=1" } else { "" };
        format!("site={site}&year=2026&week={week}{replace}")
    };
    let made = form(
        &rig.cook,
        "/offshore/cycle/generate",
        &generate("10", false),
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text());
    let html = made.text();
    assert!(
        html.contains("Uke 10 2026, laget fra syklusuke 1: 2 retter"),
        "{html}"
    );
    assert!(html.contains("Ovnsbakt laks"));
    let menu = rig
        .viewer
        .get(&format!("/api/v1/sites/{}/menus/2026/10", rig.site))
        .await;
    assert_eq!(
        menu.json()["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        menu.text()
    );
    let empty = form(
        &rig.cook,
        "/offshore/cycle/generate",
        &generate("11", false),
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.text().contains("Syklusuke 2 har ingen retter ennå"),
        "{}",
        empty.text()
    );
    let again = form(
        &rig.cook,
        "/offshore/cycle/generate",
        &generate("10", false),
    )
    .await;
    assert_eq!(again.status, 422);
    assert!(again.text().contains("id=\"replace-error\""));
    let replaced = form(&rig.cook, "/offshore/cycle/generate", &generate("10", true)).await;
    assert_eq!(replaced.status, 200);
    assert!(replaced.text().contains("laget på nytt"));
    let bad = form(
        &rig.cook,
        "/offshore/cycle/generate",
        &generate("54", false),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"week-error\""));
    // Another tenant's cook cannot write here.
    let other = crate::offshore_rota::rig(&app, "Other cycle rig").await;
    assert_eq!(
        form(
            &other.cook,
            "/offshore/cycle/generate",
            &generate("10", true)
        )
        .await
        .status,
        404
    );
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

    #[tokio::test(flavor = "multi_thread")]
    async fn pages_portion_and_import_on_a_desktop_and_a_phone() {
        const TEST: &str = "offshore-pages-portion";
        let app = TestApp::new().await;
        demo(&app).await;
        let dir = std::env::temp_dir().join(format!("galley-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("svinn.csv");
        std::fs::write(
            &csv,
            "dato;måltid;kategori;rett;gjester;produsert;servert;rester\n\
             2026-03-02;middag;fisk;Ovnsbakt laks;42;19,5;17,2;2,3\n\
             2026-03-03;lunsj;suppe;Fiskesuppe;40;10;9,5;0,5\n",
        )
        .unwrap();
        within_time_limit(TEST, async {
            let desktop = cook(&app, TEST, false).await;
            desktop
                .goto("/offshore/waste/portion?category=fish&guests=45")
                .await;
            let big = desktop.text("#per-guest").await;
            assert!(big.ends_with(" g"), "{big}");
            assert!(
                desktop
                    .text("#steps")
                    .await
                    .contains("Retningslinjen for Fisk")
            );
            desktop.screenshot("portion-desktop").await;
            desktop.goto("/offshore/waste/import").await;
            let path = csv.to_string_lossy().into_owned();
            desktop.fill("#file", &path).await;
            desktop.submit("#preview-button").await;
            assert!(
                desktop
                    .text("#preview-summary")
                    .await
                    .contains("2 rader er klare")
            );
            desktop.screenshot("import-preview-desktop").await;
            desktop.submit("#apply").await;
            assert!(desktop.text("#notice").await.contains("2 rader importert"));
            assert!(
                desktop.csp_reports().is_empty(),
                "{:?}",
                desktop.csp_reports()
            );
            let phone = cook(&app, TEST, true).await;
            phone
                .goto("/offshore/waste/portion?category=fish&guests=45")
                .await;
            phone.assert_fits_width().await;
            phone.screenshot("portion-phone").await;
            phone.scroll_to("#history-heading", "start").await;
            phone.screenshot("portion-history-phone").await;
            phone.goto("/offshore/waste/import").await;
            phone.fill("#file", &path).await;
            phone.submit("#preview-button").await;
            phone.assert_fits_width().await;
            phone.screenshot("import-preview-phone").await;
        })
        .await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn pages_menu_cycle_on_a_desktop_and_a_phone() {
        const TEST: &str = "offshore-pages-cycle";
        let app = TestApp::new().await;
        demo(&app).await;
        within_time_limit(TEST, async {
            let desktop = cook(&app, TEST, false).await;
            desktop.goto("/offshore/cycle").await;
            assert!(desktop.text("#cycle-summary").await.contains("syklusuke 1"));
            assert_eq!(
                desktop.prop("#d1_dinner_fish", "value").await.as_deref(),
                Some("Ovnsbakt laks")
            );
            desktop.screenshot("week-desktop").await;
            desktop.fill("#d1_dinner_fish", "Ovnsbakt torsk").await;
            desktop.submit("#save-template").await;
            assert!(desktop.text("#notice").await.contains("Lagret"));
            assert_eq!(
                desktop.prop("#d1_dinner_fish", "value").await.as_deref(),
                Some("Ovnsbakt torsk")
            );
            desktop.submit("#generate").await;
            let made = desktop.text("#generated").await;
            assert!(made.contains("laget fra syklusuke 2"), "{made}");
            assert!(made.contains("Lammestek"), "{made}");
            desktop.scroll_to("#generated", "start").await;
            desktop.screenshot("generated-desktop").await;
            assert!(
                desktop.csp_reports().is_empty(),
                "{:?}",
                desktop.csp_reports()
            );
            let phone = cook(&app, TEST, true).await;
            phone.goto("/offshore/cycle").await;
            phone.screenshot("top-phone").await;
            phone.scroll_to("#day-1", "start").await;
            phone.screenshot("day-phone").await;
            phone.scroll_to("#generate-heading", "start").await;
            phone.screenshot("generate-phone").await;
            phone.assert_fits_width().await;
        })
        .await;
    }
}

/// A wrong entry is removed from the day's log with the version the page showed; a stale
/// button leaves it alone, and only galley staff of the site get the button.
#[tokio::test(flavor = "multi_thread")]
async fn pages_waste_entry_removed_from_the_log() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Waste removal rig").await;
    let made = rig
        .cook
        .post(
            &rig.path("waste"),
            json!({ "date": "2026-03-02", "meal": "lunch", "category": "soup", "guests": 40,
                    "produced_kg": 12.0, "served_kg": 10.5, "leftover_kg": 1.5 }),
        )
        .await
        .json();
    let id = made["id"].as_i64().unwrap();
    let button = format!(r#"id="remove-{id}""#);
    assert!(
        rig.cook
            .get("/offshore/waste?date=2026-03-02")
            .await
            .text()
            .contains(&button)
    );
    assert!(
        !rig.viewer
            .get("/offshore/waste?date=2026-03-02")
            .await
            .text()
            .contains(&button)
    );
    let path = format!("/offshore/waste/{id}/delete");
    let fields = |version: i64| format!("site={}&date=2026-03-02&version={version}", rig.site);
    assert_eq!(form(&rig.viewer, &path, &fields(1)).await.status, 403);
    let other = crate::offshore_rota::rig(&app, "Other removal rig").await;
    assert_eq!(
        form(
            &other.cook,
            &path,
            &format!("site={}&date=2026-03-02&version=1", other.site)
        )
        .await
        .status,
        404
    );
    let stale = form(&rig.cook, &path, &fields(7)).await;
    assert_eq!(
        stale.header("location"),
        "/offshore/waste?date=2026-03-02&done=stale"
    );
    let listed = || async {
        rig.cook
            .get(&rig.path("waste?from=2026-03-02&to=2026-03-02"))
            .await
            .json()
    };
    assert_eq!(listed().await.as_array().unwrap().len(), 1);
    let removed = form(&rig.cook, &path, &fields(1)).await;
    assert_eq!(removed.status, 303);
    assert_eq!(
        removed.header("location"),
        "/offshore/waste?date=2026-03-02&done=deleted"
    );
    assert_eq!(listed().await, json!([]));
    let page = rig
        .cook
        .get("/offshore/waste?date=2026-03-02&done=deleted")
        .await
        .text();
    assert!(
        page.contains(r#"id="notice""#) && !page.contains(&button),
        "{page}"
    );
}
