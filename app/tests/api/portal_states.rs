//! Closed, default and chosen look different (issue 11 item 10): the API says per day whether
//! the department chose (`chosen`, even when it chose the default Alt 1), the portal shows each
//! day's state in words and a badge, a locked week's controls are disabled with the reason, the
//! week's head says "2 of 5 days chosen, closes …" (or "closed …"), and the kitchen's week grid
//! tells "no choice (default)" from a chosen Alt 1.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, closed_week, kitchen, open_week};

fn choice_path(k: &Kitchen<'_>, department: usize, day: u32) -> String {
    format!("{}/choices/{day}", k.week_path(department))
}

fn chosen(week: &Value) -> Vec<bool> {
    week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["chosen"].as_bool().expect("chosen is a boolean"))
        .collect()
}

/// Saves `lunch` for `day` as the department's staff, with the week's current ETag.
async fn choose(k: &Kitchen<'_>, day: u32, lunch: &str) -> Value {
    let staff = &k.department_staff[0];
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let saved = staff
        .send(
            Method::PUT,
            &choice_path(k, 0, day),
            Some(&etag),
            Some(json!({ "lunch": lunch })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    saved.json()
}

/// The HTML of one day's card.
fn card<'h>(html: &'h str, k: &Kitchen<'_>, day: u32) -> &'h str {
    let id = format!("id=\"d-{}-{}-{day}\"", k.week.year, k.week.week);
    let start = html
        .find(&id)
        .unwrap_or_else(|| panic!("no card {id} in the page"));
    // From the card's own tag, whose class says its state.
    let start = html[..start].rfind("<li").unwrap_or(start);
    let rest = &html[start..];
    &rest[..rest.find("</form>").unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_says_which_days_were_chosen_even_the_default() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Valda", open_week()).await;
    let staff = &k.department_staff[0];
    let week = staff.get(&k.week_path(0)).await.json();
    assert_eq!(chosen(&week), vec![false; 7], "nobody chose yet");

    // Alt 1 is the default, and saving it still makes the day chosen.
    let week = choose(&k, 1, "alt1").await;
    assert_eq!(chosen(&week)[..2], [true, false]);
    assert_eq!(week["days"][0]["choice"], "alt1");
    // The week is answered now; Alt 1 on another day is still a choice of its own.
    let version = week["version"].as_i64().unwrap();
    let week = choose(&k, 2, "alt1").await;
    assert_eq!(chosen(&week)[..3], [true, true, false]);
    assert!(
        week["version"].as_i64().unwrap() > version,
        "the day's choice was stored"
    );
    // Saving again what is saved changes nothing.
    let again = choose(&k, 2, "alt1").await;
    assert_eq!(again["version"], week["version"]);
    let week = choose(&k, 3, "alt2").await;
    assert_eq!(chosen(&week)[..4], [true, true, true, false]);

    // The whole-week call marks the days it answers, Alt 1 included.
    let etag = staff.get(&k.week_path(0)).await.header("etag").to_owned();
    let whole = staff
        .send(
            Method::PUT,
            &format!("{}/days", k.week_path(0)),
            Some(&etag),
            Some(json!({ "days": [{ "day": 4, "lunch": "alt1" }] })),
        )
        .await;
    assert_eq!(whole.status, StatusCode::OK, "{}", whole.text());
    assert_eq!(chosen(&whole.json())[..5], [true, true, true, true, false]);

    // Another department has chosen nothing.
    let other = k.department_staff[1].get(&k.week_path(1)).await.json();
    assert_eq!(chosen(&other), vec![false; 7]);
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_documents_the_chosen_field() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let day = &doc["components"]["schemas"]["DayOut"];
    assert_eq!(day["properties"]["chosen"]["type"], "boolean", "{day}");
    assert!(
        day["properties"]["chosen"]["description"]
            .as_str()
            .unwrap()
            .contains("default"),
        "{day}"
    );
    assert!(
        day["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "chosen")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_shows_chosen_default_and_progress_in_three_languages() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Framsteg", open_week()).await;
    choose(&k, 1, "alt1").await;
    choose(&k, 2, "alt2").await;
    let week = format!("?week={}-W{:02}", k.week.year, k.week.week);
    let staff = &k.department_staff[0];
    let sv = staff.get(&format!("/municipal/portal{week}")).await.text();
    assert!(sv.contains("2 av 5 dagar valda, stänger torsdag "), "{sv}");
    assert!(card(&sv, &k, 1).contains("Valt: Alt 1"));
    assert!(card(&sv, &k, 1).contains("state-chosen"));
    assert!(card(&sv, &k, 2).contains("Valt: Alt 2"));
    assert!(card(&sv, &k, 3).contains("Inte valt: Alt 1 (standard)"));
    assert!(card(&sv, &k, 3).contains("state-default"));
    assert!(!card(&sv, &k, 3).contains("Stängd"));
    assert!(!card(&sv, &k, 3).contains("disabled"));
    // Saturday has no Alt 2: nothing to choose, no state.
    assert!(!card(&sv, &k, 6).contains("data-state"));

    let en = staff
        .get(&format!("/municipal/portal{week}&lang=en"))
        .await
        .text();
    assert!(en.contains("2 of 5 days chosen, closes Thursday "), "{en}");
    assert!(card(&en, &k, 3).contains("Not chosen: Alt 1 (default)"));
    assert!(card(&en, &k, 1).contains("Chosen: Alt 1"));
    let nb = staff
        .get(&format!("/municipal/portal{week}&lang=nb"))
        .await
        .text();
    assert!(nb.contains("2 av 5 dager valgt, stenger torsdag "), "{nb}");
    assert!(card(&nb, &k, 3).contains("Ikke valgt: Alt 1 (standard)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_week_is_locked_with_the_reason_in_the_past_tense() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Stängd", closed_week()).await;
    let week = format!("?week={}-W{:02}", k.week.year, k.week.week);
    let staff = &k.department_staff[0];
    let sv = staff.get(&format!("/municipal/portal{week}")).await.text();
    assert!(sv.contains("0 av 5 dagar valda, stängde torsdag "), "{sv}");
    let day = card(&sv, &k, 2);
    assert!(day.contains("is-locked"));
    assert!(day.contains("Stängd"), "a badge in words: {day}");
    assert!(
        day.contains("Låst: sista dag för val var torsdag "),
        "{day}"
    );
    assert!(day.contains("aria-disabled=\"true\""));
    assert!(day.contains("Inte valt: Alt 1 (standard)"));
    let en = staff
        .get(&format!("/municipal/portal{week}&lang=en"))
        .await
        .text();
    assert!(en.contains("0 of 5 days chosen, closed Thursday "), "{en}");
    assert!(card(&en, &k, 2).contains("Locked: the deadline passed Thursday "));
    let nb = staff
        .get(&format!("/municipal/portal{week}&lang=nb"))
        .await
        .text();
    assert!(nb.contains("stengte torsdag "), "{nb}");

    // The kitchen may still change a closed week: its controls are not locked.
    let cooks = k
        .cook
        .get(&format!(
            "/municipal/portal/departments/{}{week}",
            k.departments[0]
        ))
        .await
        .text();
    assert!(!card(&cooks, &k, 2).contains("is-locked"));
    assert!(!card(&cooks, &k, 2).contains("aria-disabled"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kitchen_grid_tells_no_choice_from_a_chosen_alt1() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rutnät", open_week()).await;
    choose(&k, 1, "alt1").await;
    let page = k
        .cook
        .get(&format!(
            "/municipal/kitchen/weeks/{}/{}",
            k.week.year, k.week.week
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    let start = html
        .find("<th scope=\"row\">Björken")
        .expect("Björken's row");
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    let cells: Vec<&str> = row.split("<td").skip(1).collect();
    assert!(
        cells[0].contains("is-chosen") && cells[0].contains(">valt<"),
        "{}",
        cells[0]
    );
    assert!(cells[1].contains("is-default"), "{}", cells[1]);
    assert!(cells[1].contains("inget val (standard)"), "{}", cells[1]);
    assert!(!cells[0].contains("inget val"));
    // Saturday offers no Alt 2: Alt 1 is no choice to be made, and nothing is claimed.
    assert!(!cells[5].contains("inget val") && !cells[5].contains(">valt<"));
}

mod browser {

    use super::*;
    use crate::browser::{Browser, within_time_limit};

    fn email(role: &str, index: usize, kitchen_name: &str) -> String {
        let slug = kitchen_name.to_lowercase().replace(' ', "-");
        format!("{role}-{index}-{slug}@example.se")
    }

    fn week_param(k: &Kitchen<'_>) -> String {
        format!("{}-W{:02}", k.week.year, k.week.week)
    }

    async fn tap(browser: &Browser, css: &str) {
        browser.scroll_to(css, "center").await;
        browser.click(css).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn chosen_default_and_progress_on_a_phone_and_a_desktop() {
        const TEST: &str = "portal_states";
        const NAME: &str = "Lägen";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, open_week()).await;
        choose(&k, 1, "alt1").await;
        choose(&k, 2, "alt2").await;
        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&email("department", 3, NAME)).await;
            phone
                .goto(&format!("/municipal/portal?week={}", week_param(&k)))
                .await;
            let progress = format!("#w-{}-{} [data-progress]", k.week.year, k.week.week);
            assert!(
                phone
                    .text(&progress)
                    .await
                    .starts_with("2 av 5 dagar valda, stänger torsdag ")
            );
            phone.screenshot("phone-open").await;
            let wednesday = format!("d-{}-{}-3", k.week.year, k.week.week);
            assert_eq!(
                phone.text(&format!("#{wednesday} [data-state]")).await,
                "Inte valt: Alt 1 (standard)"
            );
            phone.scroll_to(&format!("#{wednesday}"), "start").await;
            phone.screenshot("phone-default").await;
            tap(&phone, &format!("label[for='{wednesday}-alt2']")).await;
            phone
                .wait_for_text_containing(&format!("#{wednesday} .save-status"), "Sparat")
                .await;
            assert_eq!(
                phone.text(&format!("#{wednesday} [data-state]")).await,
                "Valt: Alt 2"
            );
            phone
                .wait_for_text_containing(&progress, "3 av 5 dagar valda")
                .await;
            phone.screenshot("phone-chosen").await;
            phone.assert_fits_width().await;

            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(&email("cook", 1, NAME)).await;
            desktop
                .goto(&format!(
                    "/municipal/portal/departments/{}?week={}",
                    k.departments[0],
                    week_param(&k)
                ))
                .await;
            desktop.screenshot("desktop-open").await;
            desktop
                .goto(&format!(
                    "/municipal/kitchen/weeks/{}/{}",
                    k.week.year, k.week.week
                ))
                .await;
            desktop.scroll_to("#grid-heading", "start").await;
            desktop.screenshot("desktop-kitchen-grid").await;
            phone.sign_in(&email("cook", 1, NAME)).await;
            phone
                .goto(&format!(
                    "/municipal/kitchen/weeks/{}/{}",
                    k.week.year, k.week.week
                ))
                .await;
            phone.scroll_to("#grid-heading", "start").await;
            phone.screenshot("phone-kitchen-grid").await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_closed_week_on_a_phone_and_a_desktop() {
        const TEST: &str = "portal_states";
        const NAME: &str = "Låst";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, closed_week()).await;
        within_time_limit(TEST, async {
            for browser in [
                Browser::phone(&app, TEST).await,
                Browser::desktop(&app, TEST).await,
            ] {
                browser.sign_in(&email("department", 3, NAME)).await;
                browser
                    .goto(&format!("/municipal/portal?week={}", week_param(&k)))
                    .await;
                let tuesday = format!("d-{}-{}-2", k.week.year, k.week.week);
                assert_eq!(
                    browser
                        .attr(&format!("#{tuesday}-alt2"), "aria-disabled")
                        .await
                        .as_deref(),
                    Some("true")
                );
                let cursor = browser
                    .client
                    .execute(
                        "return getComputedStyle(document.querySelector(arguments[0])).cursor;",
                        vec![json!(format!("label[for='{tuesday}-alt2']"))],
                    )
                    .await
                    .unwrap();
                assert_ne!(cursor, json!("pointer"), "a locked control is not tappable");
                let name = if browser.inner_size().await.0 < 500 {
                    "phone-closed"
                } else {
                    "desktop-closed"
                };
                browser.screenshot(name).await;
            }
        })
        .await;
    }
}
