//! Issue 11 in a browser, for the points whose pages other flows do not walk: a diet count
//! above the department's residents is refused on the admin page (point 7), and a cook starts
//! an empty menu week as a copy of an earlier one (point 13). Each at phone and desktop width;
//! screenshots land in `target/screenshots/municipal-screens-*.png`.

use serde_json::json;

use crate::browser::{Browser, within_time_limit};
use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

const TEST: &str = "municipal-screens";

async fn email_of(client: &crate::client::Client<'_>) -> String {
    let me = client.get("/api/v1/auth/me").await.json();
    me["email"].as_str().unwrap().to_owned()
}

/// Sends the department page's diet form with one count above the residents and checks the
/// refusal: the field marked with the limit in words, the typed number kept, nothing saved.
async fn refuse_too_many(browser: &Browser, k: &Kitchen<'_>, shot: &str) {
    let department = k.departments[0];
    browser
        .goto(&format!("/municipal/admin/departments/{department}"))
        .await;
    let gluten = format!("#diet_{}", k.diets[0]);
    browser.fill(&gluten, "13").await;
    browser.click_centered("#diets button[type=submit]").await;
    let error = browser.text(&format!("#diet_{}-error", k.diets[0])).await;
    assert!(
        error.contains("Fler än avdelningens 12 boende"),
        "the refusal names the limit: {error}"
    );
    assert_eq!(browser.prop(&gluten, "value").await.as_deref(), Some("13"));
    browser.assert_fits_width().await;
    browser.scroll_to(&gluten, "center").await;
    browser.screenshot(shot).await;
    let stored = k
        .admin
        .get(&format!(
            "/api/v1/municipal/departments/{department}/diet-defaults"
        ))
        .await;
    assert!(
        !stored.text().contains("\"residents\":13"),
        "nothing was saved: {}",
        stored.text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_diet_above_the_residents_is_refused_on_the_page() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Skärmsida", open_week()).await;
    let admin = email_of(&k.admin).await;
    within_time_limit(TEST, async {
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.sign_in(&admin).await;
        refuse_too_many(&desktop, &k, "07-diet-above-residents-desktop").await;
        let phone = Browser::phone(&app, TEST).await;
        phone.sign_in(&admin).await;
        refuse_too_many(&phone, &k, "07-diet-above-residents-phone").await;
        for browser in [&desktop, &phone] {
            assert!(
                browser.csp_reports().is_empty(),
                "{:?}",
                browser.csp_reports()
            );
        }
    })
    .await;
}

/// Copies `from` into the empty week `into` through the editor's copy form and checks that
/// the editor then shows the copied dishes and the API has every item.
async fn copy_week(
    browser: &Browser,
    k: &Kitchen<'_>,
    from: galley_core::kitchen::iso_week::IsoWeek,
    into: galley_core::kitchen::iso_week::IsoWeek,
    shot: &str,
) {
    let path = format!("/municipal/menus/{}/{}", into.year, into.week);
    browser.goto(&path).await;
    browser.scroll_to("#copy-week", "center").await;
    browser.assert_fits_width().await;
    browser.screenshot(&format!("{shot}-form")).await;
    let source = format!("{}-W{:02}", from.year, from.week);
    browser
        .client
        .execute(
            "document.querySelector('#copy-from').value = arguments[0];",
            vec![json!(source)],
        )
        .await
        .unwrap();
    browser.submit("#copy-week button[type=submit]").await;
    browser.wait_for_url("saved=1").await;
    let menu_of = |week: galley_core::kitchen::iso_week::IsoWeek| {
        format!("/api/v1/sites/{}/menus/{}/{}", k.site, week.year, week.week)
    };
    let original = k.cook.get(&menu_of(from)).await.json();
    let copied = k.cook.get(&menu_of(into)).await.json();
    let count = |menu: &serde_json::Value| menu["items"].as_array().map_or(0, Vec::len);
    assert!(count(&original) > 0, "{original}");
    assert_eq!(count(&copied), count(&original), "{copied}");
    let monday = original["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["day"] == 1 && item["meal"] == "lunch" && item["slot"] == "alt1")
        .unwrap();
    assert_eq!(
        browser.prop("#dish-1-lunch-alt1", "value").await.as_deref(),
        monday["dish"]["name"].as_str()
    );
    browser.scroll_to("#dish-1-lunch-alt1", "center").await;
    browser.screenshot(&format!("{shot}-copied")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cook_starts_an_empty_week_as_a_copy_in_the_editor() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Kopieskärm", open_week()).await;
    let cook = email_of(&k.cook).await;
    within_time_limit(TEST, async {
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.sign_in(&cook).await;
        copy_week(&desktop, &k, k.week, k.week.next(), "13-copy-desktop").await;
        let phone = Browser::phone(&app, TEST).await;
        phone.sign_in(&cook).await;
        copy_week(&phone, &k, k.week, k.week.next().next(), "13-copy-phone").await;
        for browser in [&desktop, &phone] {
            assert!(
                browser.csp_reports().is_empty(),
                "{:?}",
                browser.csp_reports()
            );
        }
    })
    .await;
}

/// The kitchen's day plan lists the diets that cannot eat their dish and nobody marked as a
/// to-do; the department's portal says it beside the day's marks.
async fn show_clashes(kitchen_view: &Browser, portal: &Browser, k: &Kitchen<'_>, width: &str) {
    kitchen_view
        .goto(&format!("/municipal/kitchen/plan/{}", k.week.monday()))
        .await;
    let todo = kitchen_view.text(".kitchen-unmarked").await;
    assert!(
        todo.contains("Björken") && todo.contains("Glutenfri"),
        "{todo}"
    );
    kitchen_view.assert_fits_width().await;
    kitchen_view.scroll_to(".kitchen-unmarked", "start").await;
    kitchen_view
        .screenshot(&format!("05-kitchen-todo-{width}"))
        .await;
    portal
        .goto(&format!(
            "/municipal/portal?week={}-W{:02}",
            k.week.year, k.week.week
        ))
        .await;
    let clash = portal.text(".diet-clash").await;
    assert!(clash.contains("Glutenfri"), "{clash}");
    portal.assert_fits_width().await;
    portal.scroll_to(".diet-clash", "center").await;
    portal.screenshot(&format!("05-portal-clash-{width}")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn diets_that_cannot_eat_the_dish_are_a_to_do_on_every_width() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Krocksida", open_week()).await;
    let cook = email_of(&k.cook).await;
    let staff = email_of(&k.department_staff[0]).await;
    within_time_limit(TEST, async {
        let (desktop_kitchen, desktop_portal) = (
            Browser::desktop(&app, TEST).await,
            Browser::desktop(&app, TEST).await,
        );
        desktop_kitchen.sign_in(&cook).await;
        desktop_portal.sign_in(&staff).await;
        show_clashes(&desktop_kitchen, &desktop_portal, &k, "desktop").await;
        let (phone_kitchen, phone_portal) = (
            Browser::phone(&app, TEST).await,
            Browser::phone(&app, TEST).await,
        );
        phone_kitchen.sign_in(&cook).await;
        phone_portal.sign_in(&staff).await;
        show_clashes(&phone_kitchen, &phone_portal, &k, "phone").await;
    })
    .await;
}
