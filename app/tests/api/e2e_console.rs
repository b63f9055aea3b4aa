//! The admin console in a real browser (see [`crate::browser`]): an admin adds a kitchen at
//! desktop width and opens the console on a phone; a superuser acts inside a customer and
//! stops again with the banner. Every step is a screenshot in `target/screenshots/`, and no
//! page may break the Content-Security-Policy.

use std::time::Duration;

use galley_core::auth::Role;

use crate::auth::seed_user;
use crate::browser::{Browser, within_time_limit};
use crate::harness::TestApp;

const CSP_METRIC: &str = "galley_csp_violations_total";

/// `galley_csp_violations_total` on /metrics (process-wide; absent counts as 0).
async fn csp_violations_counted(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").await.text();
    metrics
        .lines()
        .filter_map(|line| line.strip_prefix(CSP_METRIC))
        .filter(|rest| rest.starts_with([' ', '{']))
        .filter_map(|rest| rest.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// No page these browsers showed broke the policy: no report reached this test's own
/// server (browsers send them on their own time, hence the wait), and the process-wide
/// counter never fell.
async fn assert_no_csp_violation(app: &TestApp, counted_before: u64, browsers: &[&Browser]) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let counted_after = csp_violations_counted(app).await;
    let reports: Vec<String> = browsers.iter().flat_map(|b| b.csp_reports()).collect();
    assert!(
        reports.is_empty(),
        "the console broke the Content-Security-Policy:\n{}",
        reports.join("\n")
    );
    assert!(counted_after >= counted_before, "{CSP_METRIC} fell");
}

async fn sign_out(browser: &Browser) {
    browser
        .click(".topbar .user-menu button[type=submit]")
        .await;
    browser.wait_for_path("/login").await;
}

/// The texts of the first column of a table's rows.
async fn first_cells(browser: &Browser, table: &str) -> Vec<String> {
    let mut names = Vec::new();
    for cell in browser
        .find_all(&format!("{table} tbody tr td:first-child"))
        .await
    {
        names.push(cell.text().await.unwrap().trim().to_owned());
    }
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_kitchen_and_a_superuser_acts_inside_a_customer() {
    const TEST: &str = "console";
    let app = TestApp::new().await;
    let (tenant, _, admin) = seed_user(&app, Role::Admin).await;
    let (_, _, superuser) = seed_user(&app, Role::Superuser).await;
    let counted_before = csp_violations_counted(&app).await;
    within_time_limit(TEST, async {
        // Desktop: the admin adds a kitchen through the form.
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.sign_in(&admin).await;
        desktop.goto("/admin").await;
        desktop.screenshot("01-console-desktop").await;
        desktop.goto("/admin/sites").await;
        assert_eq!(desktop.text("main h1").await, "Kök");
        desktop.screenshot("02-sites-desktop").await;
        desktop.fill("#name", "Köket på Berga").await;
        assert_eq!(
            desktop.prop("#timezone", "value").await.as_deref(),
            Some("Europe/Stockholm")
        );
        desktop.screenshot("03-sites-filled-desktop").await;
        desktop
            .submit("section[aria-labelledby=new-heading] button[type=submit]")
            .await;
        desktop.wait_for_path("/admin/sites").await;
        assert_eq!(desktop.text(".alert.success[role=status]").await, "Sparat");
        let kitchens = first_cells(&desktop, ".table").await;
        assert!(
            kitchens.contains(&"Köket på Berga".to_owned()),
            "{kitchens:?}"
        );
        desktop.screenshot("04-sites-saved-desktop").await;
        desktop.goto("/admin/modules").await;
        assert_eq!(desktop.text("main h1").await, "Moduler");
        desktop.screenshot("05-modules-desktop").await;
        desktop.goto("/admin/audit").await;
        let newest = desktop
            .text(".table tbody tr:first-child td:nth-child(2)")
            .await;
        assert!(
            newest.contains("lade till köket Köket på Berga.") && newest.contains("site.created"),
            "the new kitchen is the newest row, in a sentence: {newest}"
        );
        desktop.screenshot("06-audit-desktop").await;
        desktop.scroll_to("#rows-heading", "start").await;
        desktop.screenshot("06-audit-rows-desktop").await;

        // Phone: the same admin's console pages.
        let phone = Browser::phone(&app, TEST).await;
        phone.sign_in(&admin).await;
        phone.goto("/admin/users").await;
        assert_eq!(phone.text("main h1").await, "Personer");
        phone.screenshot("07-users-phone").await;
        phone.goto("/admin/modules").await;
        phone.assert_fits_width().await;
        phone.screenshot("08-modules-phone").await;
        phone.scroll_to("#module-offshore", "start").await;
        phone.screenshot("08-modules-offshore-phone").await;
        phone.goto("/admin/audit").await;
        phone.assert_fits_width().await;
        phone.screenshot("09-audit-phone").await;
        phone.scroll_to("#rows-heading", "start").await;
        phone.screenshot("09-audit-rows-phone").await;
        sign_out(&phone).await;

        // The superuser: the customers, one customer, acting inside it, and stopping.
        sign_out(&desktop).await;
        desktop.sign_in(&superuser).await;
        desktop.goto("/admin/tenants").await;
        assert_eq!(desktop.text("main h1").await, "Kunder");
        desktop.screenshot("10-tenants-desktop").await;
        desktop.fill("#admin_email", "inte en adress").await;
        desktop
            .scroll_to(
                "form[action='/admin/tenants'] button[type=submit]",
                "center",
            )
            .await;
        desktop
            .submit("form[action='/admin/tenants'] button[type=submit]")
            .await;
        desktop.wait_for_path("/admin/tenants").await;
        assert_eq!(
            desktop
                .attr("#admin_email", "aria-invalid")
                .await
                .as_deref(),
            Some("true")
        );
        desktop.scroll_to("#new-heading", "start").await;
        desktop.screenshot("10-tenants-errors-desktop").await;
        desktop.goto(&format!("/admin/tenants/{tenant}")).await;
        desktop.screenshot("11-tenant-desktop").await;
        desktop
            .fill("#reason", "Ärende 4711: kunden ser inte sina kök")
            .await;
        desktop
            .click_centered("form[action$='/impersonate'] button[type=submit]")
            .await;
        desktop.wait_for_path("/admin").await;
        let banner = desktop.find(".impersonation").await;
        assert!(banner.is_displayed().await.unwrap());
        desktop.screenshot("12-acting-desktop").await;

        phone.sign_in(&superuser).await;
        phone.goto("/admin/tenants").await;
        phone.assert_fits_width().await;
        phone.screenshot("13-tenants-phone").await;
        phone.scroll_to("#new-heading", "start").await;
        phone.screenshot("13-tenants-new-phone").await;
        phone.goto(&format!("/admin/tenants/{tenant}")).await;
        phone.assert_fits_width().await;
        phone.screenshot("14-tenant-phone").await;
        phone.scroll_to("#rename-heading", "start").await;
        phone.screenshot("14-tenant-rename-delete-phone").await;
        phone.fill("#reason", "Ärende 4712: samma kund igen").await;
        phone
            .click_centered("form[action$='/impersonate'] button[type=submit]")
            .await;
        phone.wait_for_path("/admin").await;
        phone.screenshot("15-acting-phone").await;
        phone.click(".impersonation button[type=submit]").await;
        phone.wait_for_path("/admin/tenants").await;
        assert!(phone.find_all(".impersonation").await.is_empty());

        desktop.click(".impersonation button[type=submit]").await;
        desktop.wait_for_path("/admin/tenants").await;
        assert!(desktop.find_all(".impersonation").await.is_empty());
        desktop.screenshot("16-stopped-desktop").await;

        assert_no_csp_violation(&app, counted_before, &[&desktop, &phone]).await;
    })
    .await;
}
