//! The dish pages in headless Chromium: a cook adds a dish with its allergens at desktop width
//! and on a phone, sees the badges, works through a dish without allergens, and follows the
//! week menu's "no allergens stated" line to a new dish. Screenshots land in
//! `target/screenshots/municipal-dishes-*.png`; no page may break the Content-Security-Policy
//! or be wider than the phone.

use std::time::Duration;

use serde_json::json;

use crate::browser::{Browser, within_time_limit};
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

const TEST: &str = "municipal-dishes";

/// The texts of every element matching `css`.
async fn texts(browser: &Browser, css: &str) -> Vec<String> {
    let mut all = Vec::new();
    for element in browser.find_all(css).await {
        all.push(element.text().await.unwrap().trim().to_owned());
    }
    all
}

/// Adds a dish through the list's form: name, category, allergens by code; then waits for
/// the list to say it was added.
async fn add_dish(browser: &Browser, name: &str, category: &str, allergens: &[&str], shot: &str) {
    browser.goto("/municipal/dishes").await;
    browser.scroll_to("#new-heading", "start").await;
    browser.fill("#name", name).await;
    browser
        .click(&format!("#category option[value='{category}']"))
        .await;
    for code in allergens {
        browser.click_centered(&format!("#allergen-{code}")).await;
    }
    browser.scroll_to("#allergens", "center").await;
    browser.screenshot(shot).await;
    browser.click_centered("#new button[type=submit]").await;
    browser.wait_for_url("created=").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cook_adds_a_dish_with_allergens_and_sees_the_badges() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Idun", open_week()).await;
    let cook_email = k.cook.get("/api/v1/auth/me").await.json()["email"]
        .as_str()
        .unwrap()
        .to_owned();
    // Two dishes an integrator sent without allergens: nobody has stated them yet.
    for name in ["Kålsoppa med klimp", "Pytt i panna"] {
        let created = k
            .cook
            .post(
                "/api/v1/dishes",
                json!({ "name": name, "category": "main" }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
    }
    within_time_limit(TEST, async {
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.sign_in(&cook_email).await;
        desktop.click("nav a[href='/municipal/dishes']").await;
        desktop.wait_for_path("/municipal/dishes").await;
        assert_eq!(desktop.text("main h1").await, "Maträtter");
        desktop.screenshot("01-list-desktop").await;

        add_dish(
            &desktop,
            "Fisksoppa med saffran",
            "soup",
            &["fish", "crustaceans", "milk", "celery"],
            "02-new-desktop",
        )
        .await;
        assert_eq!(
            desktop.text(".alert.success strong").await,
            "”Fisksoppa med saffran” är tillagd."
        );
        assert_eq!(
            texts(&desktop, ".alert.success .badge").await,
            ["Kräftdjur", "Fisk", "Mjölk", "Selleri"]
        );
        desktop.screenshot("03-created-desktop").await;

        // Working through the dishes without allergens: tick, save, next.
        desktop.click(".to-check a").await;
        desktop.wait_for_url("not_stated=1").await;
        assert_eq!(
            desktop.text("#list-heading").await,
            "Maträtter utan allergener angivna"
        );
        desktop.screenshot("04-missing-desktop").await;
        desktop.click(".dish-table tbody tr:first-child a").await;
        desktop.wait_for_url("/municipal/dishes/").await;
        assert_eq!(desktop.text("main h1").await, "Kålsoppa med klimp");
        desktop.screenshot("05-dish-desktop").await;
        desktop.click_centered("#allergen-sulphites").await;
        assert_eq!(
            desktop.text(".dish-current .badge.warning").await,
            "Allergener ej angivna"
        );
        desktop.click_centered("#dish-form button[type=submit]").await;
        desktop.wait_for_url("saved=").await;
        assert_eq!(
            desktop.text(".alert.success strong").await,
            "”Kålsoppa med klimp” är sparad."
        );
        assert_eq!(
            texts(&desktop, ".dish-table tbody th").await,
            ["Pytt i panna"],
            "back on the filtered list, one left"
        );
        desktop.screenshot("06-saved-desktop").await;

        // A dish typed into the week menu has no allergens; its line opens the dish, whose
        // allergens are ticked and saved, and the menu shows them.
        let week = k.week;
        let editor = format!("/municipal/menus/{}/{}", week.year, week.week);
        desktop.goto(&editor).await;
        desktop.fill("#dish-1-lunch-alt2", "Rotmos med fläsk").await;
        desktop.click_centered(".save-bar button[type=submit]").await;
        desktop.wait_for_url("saved=1").await;
        // (WebDriver reads the visually hidden "(ändra allergener)" too.)
        assert!(
            desktop
                .text("#dish-1-lunch-alt2-allergens a")
                .await
                .starts_with("Allergener ej angivna")
        );
        desktop.scroll_to("#day-1", "start").await;
        desktop.screenshot("07-menu-links-desktop").await;
        desktop.click("#dish-1-lunch-alt2-allergens a").await;
        desktop.wait_for_url("back=").await;
        assert_eq!(desktop.text("main h1").await, "Rotmos med fläsk");
        assert!(
            desktop
                .text(".breadcrumbs a")
                .await
                .ends_with("Tillbaka till veckomenyn")
        );
        desktop.click_centered("#allergen-milk").await;
        desktop.click_centered("#allergen-mustard").await;
        desktop.scroll_to("#allergens", "center").await;
        desktop.screenshot("08-from-menu-desktop").await;
        desktop.click_centered("#dish-form button[type=submit]").await;
        desktop.wait_for_path(&editor).await;
        assert_eq!(
            texts(&desktop, "#dish-1-lunch-alt2-allergens .badge").await,
            ["Mjölk", "Senap"]
        );
        desktop.scroll_to("#day-1", "start").await;
        desktop.screenshot("09-menu-after-desktop").await;

        // What the API now reads.
        let dishes = k.cook.get("/api/v1/dishes?q=fisksoppa").await.json();
        let soup = &dishes["items"][0];
        assert_eq!(soup["category"], "soup");
        assert_eq!(
            soup["allergens"],
            json!(["crustaceans", "fish", "milk", "celery"])
        );

        // Someone else saves the soup while the cook has it open: both versions are shown
        // and the cook keeps theirs.
        let id = soup["id"].as_i64().unwrap();
        desktop.goto(&format!("/municipal/dishes/{id}")).await;
        let api = format!("/api/v1/dishes/{id}");
        let etag = k.admin.get(&api).await.header("etag").to_owned();
        let theirs = k
            .admin
            .patch(&api, Some(&etag), json!({ "allergens": ["fish", "molluscs"] }))
            .await;
        assert_eq!(theirs.status, 200);
        desktop.click_centered("#allergen-gluten").await;
        desktop.click_centered("#dish-form button[type=submit]").await;
        desktop.find("#conflict").await;
        assert_eq!(
            desktop.text("#conflict strong").await,
            "Någon annan sparade maträtten medan du ändrade den"
        );
        desktop.screenshot("10-conflict-desktop").await;
        desktop.click("#conflict button[type=submit]").await;
        desktop.wait_for_url("saved=").await;
        assert_eq!(
            k.cook.get(&api).await.json()["allergens"],
            json!(["gluten", "crustaceans", "fish", "milk", "celery"])
        );

        // The same on a phone: two columns of boxes, nothing wider than the screen.
        let phone = Browser::phone(&app, TEST).await;
        phone.sign_in(&cook_email).await;
        phone.goto("/municipal/dishes").await;
        phone.assert_fits_width().await;
        phone.screenshot("11-list-phone").await;
        phone.scroll_to("#list-heading", "start").await;
        phone.screenshot("12-rows-phone").await;
        add_dish(
            &phone,
            "Pannbiff med lök",
            "main",
            &["gluten", "eggs", "milk"],
            "13-new-phone",
        )
        .await;
        phone.assert_fits_width().await;
        assert_eq!(
            texts(&phone, ".alert.success .badge").await,
            ["Gluten", "Ägg", "Mjölk"]
        );
        phone.screenshot("14-created-phone").await;
        phone.click(".alert.success a").await;
        phone.wait_for_url("/municipal/dishes/").await;
        phone.assert_fits_width().await;
        assert_eq!(phone.text("main h1").await, "Pannbiff med lök");
        phone.screenshot("15-dish-phone").await;
        let columns = phone
            .client
            .execute(
                "return getComputedStyle(document.querySelector('.allergen-boxes')).gridTemplateColumns.split(' ').length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(columns, 2, "two columns of allergens on a phone");
        phone.scroll_to("#allergens", "start").await;
        phone.screenshot("16-allergens-phone").await;
        phone.scroll_to("#delete", "start").await;
        phone.screenshot("17-delete-phone").await;

        tokio::time::sleep(Duration::from_secs(1)).await;
        let reports: Vec<String> = [&desktop, &phone]
            .iter()
            .flat_map(|b| b.csp_reports())
            .collect();
        assert!(reports.is_empty(), "CSP broken:\n{}", reports.join("\n"));
    })
    .await;
}
