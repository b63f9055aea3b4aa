//! The admin pages in headless Chromium: an admin adds a department and sets its diet
//! defaults at desktop width, then looks at the same pages on a phone. Screenshots land in
//! `target/screenshots/municipal-admin-*.png`; no page may break the Content-Security-Policy
//! or be wider than the phone.

use std::time::Duration;

use crate::browser::{Browser, within_time_limit};
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

const TEST: &str = "municipal-admin";

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_department_and_sets_its_diets() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Vintergatan", open_week()).await;
    let admin_email = {
        let me = k.admin.get("/api/v1/auth/me").await.json();
        me["email"].as_str().unwrap().to_owned()
    };
    within_time_limit(TEST, async {
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.sign_in(&admin_email).await;
        desktop.goto("/municipal/admin").await;
        assert_eq!(desktop.text("main h1").await, "Kommunkök – inställningar");
        desktop.screenshot("01-index-desktop").await;
        desktop
            .click(&format!(
                "a[href='/municipal/admin/sites/{}/departments']",
                k.site
            ))
            .await;
        desktop
            .wait_for_path(&format!("/municipal/admin/sites/{}/departments", k.site))
            .await;
        desktop.screenshot("02-departments-desktop").await;

        // A new department through the form.
        desktop.fill("#name", "Aspen").await;
        desktop.fill("#residents", "14").await;
        desktop.fill("#notes", "Hiss i B-huset").await;
        desktop.scroll_to("#new-heading", "start").await;
        desktop.screenshot("03-new-department-desktop").await;
        desktop.click_centered("#new button[type=submit]").await;
        desktop.wait_for_url("saved=created").await;
        assert_eq!(desktop.text("main h1").await, "Aspen");
        desktop.screenshot("04-department-desktop").await;

        // Its diet defaults: one input per diet type of the kitchen.
        let gluten = format!("#diet_{}", k.diets[0]);
        let timbal = format!("#diet_{}", k.diets[2]);
        desktop.fill(&gluten, "3").await;
        desktop.fill(&timbal, "1").await;
        desktop.scroll_to("#diets", "start").await;
        desktop.screenshot("05-diets-filled-desktop").await;
        desktop.click_centered("#diets button[type=submit]").await;
        desktop.wait_for_url("saved=diets").await;
        assert_eq!(desktop.text("#diets .saved-note").await, "Sparat");
        assert_eq!(desktop.prop(&gluten, "value").await.as_deref(), Some("3"));
        desktop.scroll_to("#diets", "start").await;
        desktop.screenshot("06-diets-saved-desktop").await;
        desktop.scroll_to("#schedule", "start").await;
        desktop.screenshot("07-schedule-desktop").await;
        desktop.scroll_to("#staff", "start").await;
        desktop.screenshot("08-staff-desktop").await;

        // What the API now reads.
        let departments = k
            .admin
            .get(&format!("/api/v1/municipal/sites/{}/departments", k.site))
            .await
            .json();
        let aspen = departments["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "Aspen")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let defaults = k
            .admin
            .get(&format!(
                "/api/v1/municipal/departments/{aspen}/diet-defaults"
            ))
            .await
            .json();
        let count = |diet: i64| {
            defaults["diets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["diet_type_id"] == diet)
                .unwrap()["residents"]
                .as_i64()
                .unwrap()
        };
        assert_eq!(
            (count(k.diets[0]), count(k.diets[1]), count(k.diets[2])),
            (3, 0, 1)
        );

        desktop
            .goto(&format!("/municipal/admin/departments/{aspen}/weeks"))
            .await;
        assert!(desktop.text("main h1").await.starts_with("Aspen · v. "));
        desktop.screenshot("09-week-desktop").await;
        desktop.scroll_to("#overrides", "start").await;
        desktop.screenshot("10-overrides-desktop").await;
        desktop
            .goto(&format!("/municipal/admin/sites/{}/diet-types", k.site))
            .await;
        desktop.screenshot("11-diet-types-desktop").await;
        desktop.scroll_to("#new-heading", "start").await;
        desktop.screenshot("12-new-diet-type-desktop").await;
        desktop
            .goto(&format!("/municipal/admin/sites/{}/settings", k.site))
            .await;
        assert!(desktop.text("#deadline").await.starts_with("Valen för v. "));
        desktop.screenshot("13-settings-desktop").await;

        // The same pages on a phone.
        let phone = Browser::phone(&app, TEST).await;
        phone.sign_in(&admin_email).await;
        for (path, name) in [
            ("/municipal/admin".to_owned(), "14-index-phone"),
            (
                format!("/municipal/admin/sites/{}/departments", k.site),
                "15-departments-phone",
            ),
            (
                format!("/municipal/admin/departments/{aspen}"),
                "16-department-phone",
            ),
            (
                format!("/municipal/admin/sites/{}/diet-types", k.site),
                "19-diet-types-phone",
            ),
            (
                format!("/municipal/admin/sites/{}/settings", k.site),
                "21-settings-phone",
            ),
        ] {
            phone.goto(&path).await;
            phone.assert_fits_width().await;
            phone.screenshot(name).await;
        }
        phone
            .goto(&format!("/municipal/admin/departments/{aspen}"))
            .await;
        phone.scroll_to("#diets", "start").await;
        phone.screenshot("17-diets-phone").await;
        phone.scroll_to("#schedule", "start").await;
        phone.screenshot("18-schedule-phone").await;
        phone
            .goto(&format!("/municipal/admin/sites/{}/diet-types", k.site))
            .await;
        phone.scroll_to("#new-heading", "start").await;
        phone.screenshot("20-new-diet-type-phone").await;
        phone
            .goto(&format!("/municipal/admin/departments/{aspen}/weeks"))
            .await;
        phone.assert_fits_width().await;
        phone.screenshot("22-week-phone").await;
        phone.scroll_to("#overrides", "start").await;
        phone.screenshot("23-overrides-phone").await;

        tokio::time::sleep(Duration::from_secs(1)).await;
        let reports: Vec<String> = [&desktop, &phone]
            .iter()
            .flat_map(|b| b.csp_reports())
            .collect();
        assert!(reports.is_empty(), "CSP broken:\n{}", reports.join("\n"));
    })
    .await;
}
