//! The cook's morning in a real browser (see [`crate::browser`]): Tuesday's plan at 1280 px
//! with the numbers the API gives, printed to one A4 page, on a phone, and the week overview
//! and reports pages. Screenshots land in `target/screenshots/kitchen-*.png`, beside the
//! printed plan and the report's PDF for a person to look at.

use fantoccini::wd::PrintConfiguration;
use galley_municipal::departments::{self, DepartmentFields};

use super::{choose, get_ok, mark, planning, report, tuesday};
use crate::browser::{Browser, within_time_limit};
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

const TEST: &str = "kitchen";

async fn number(browser: &Browser, tile: &str) -> i64 {
    browser
        .text(&format!("#{tile} .big-value"))
        .await
        .parse()
        .unwrap()
}

/// Pages in a PDF (Chromium writes one `/Type /Page` object per page, uncompressed).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

fn keep(name: &str, bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cook_reads_and_prints_tuesdays_plan() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Webbköket", open_week()).await;
    // A kitchen of a realistic size: twelve departments, choices, marks and warnings.
    let mut pooled = app.app.state.db.get().await.unwrap();
    for (name, residents) in [
        ("Almen", 11),
        ("Ängen", 9),
        ("Granen", 14),
        ("Hasseln", 7),
        ("Idegranen", 10),
        ("Lönnen", 12),
        ("Rönnen", 8),
        ("Sälgen", 13),
        ("Tallen", 6),
    ] {
        departments::insert(
            &mut pooled.conn(),
            k.tenant,
            k.site,
            &DepartmentFields {
                name,
                residents,
                notes: "",
            },
        )
        .await
        .unwrap();
    }
    drop(pooled);
    choose(&app, k.departments[1], k.week, 2, "alt2").await;
    mark(&app, k.departments[0], k.week, 2, "lunch", k.diets[0]).await;
    mark(&app, k.departments[1], k.week, 2, "dinner", k.diets[1]).await;
    let api = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;
    let lunch = &api["totals"]["lunch"];
    let cook_email = {
        let me = k.cook.get("/api/v1/auth/me").await.json();
        me["email"].as_str().unwrap().to_owned()
    };
    let pdf = k.cook.get(&format!("{}?format=pdf", report(&k))).await;
    keep("kitchen-report.pdf", &pdf.body);

    within_time_limit(TEST, async {
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.sign_in(&cook_email).await;
        // /municipal takes the cook to today's plan.
        desktop.goto("/municipal").await;
        desktop.wait_for_path("/municipal/kitchen/plan").await;
        desktop
            .goto(&format!("/municipal/kitchen/plan/{}", tuesday(&k)))
            .await;
        assert_eq!(
            number(&desktop, "count-alt1").await,
            lunch["alt1"].as_i64().unwrap()
        );
        assert_eq!(
            number(&desktop, "count-alt2").await,
            lunch["alt2"].as_i64().unwrap()
        );
        assert_eq!(number(&desktop, "count-alt2").await, 10);
        assert_eq!(
            number(&desktop, "count-special").await,
            lunch["special"].as_i64().unwrap()
        );
        assert_eq!(
            number(&desktop, "count-dessert").await,
            lunch["dessert"].as_i64().unwrap()
        );
        assert_eq!(
            number(&desktop, "count-dinner").await,
            api["totals"]["dinner"]["normal"].as_i64().unwrap()
        );
        assert!(
            desktop
                .text(".kitchen-warnings")
                .await
                .contains("Glutenfri")
        );
        // kitchen.js ran under the CSP and showed the print button.
        let print = desktop.find("[data-print]").await;
        assert!(print.is_displayed().await.unwrap());
        desktop.screenshot("01-plan-desktop").await;
        desktop.scroll_to("#worklist-heading", "start").await;
        desktop.screenshot("02-plan-worklist-desktop").await;

        // Printed (print media, A4): one page, as the print stylesheet promises.
        let config = PrintConfiguration::builder().build().unwrap();
        let printed = desktop.client.print(config).await.unwrap();
        keep("kitchen-plan-print.pdf", &printed);
        assert!(printed.starts_with(b"%PDF"));
        assert_eq!(pdf_pages(&printed), 1, "the day plan prints on one A4 page");

        desktop
            .goto(&format!(
                "/municipal/kitchen/weeks/{}/{}",
                k.week.year, k.week.week
            ))
            .await;
        assert!(desktop.text("#no-choices").await.contains("Björken"));
        desktop.screenshot("03-week-desktop").await;
        desktop.scroll_to("#grid-heading", "start").await;
        desktop.screenshot("04-week-grid-desktop").await;

        desktop
            .goto(&format!(
                "/municipal/kitchen/reports/{}/{}",
                k.week.year, k.week.week
            ))
            .await;
        assert_eq!(desktop.find_all(".downloads a").await.len(), 4);
        desktop.screenshot("05-reports-desktop").await;

        let phone = Browser::phone(&app, TEST).await;
        phone.sign_in(&cook_email).await;
        phone
            .goto(&format!("/municipal/kitchen/plan/{}", tuesday(&k)))
            .await;
        assert_eq!(number(&phone, "count-alt2").await, 10);
        phone.assert_fits_width().await;
        phone.screenshot("06-plan-phone").await;
        phone.scroll_to("#departments-heading", "start").await;
        phone.screenshot("07-plan-departments-phone").await;
        phone
            .goto(&format!(
                "/municipal/kitchen/weeks/{}/{}",
                k.week.year, k.week.week
            ))
            .await;
        phone.assert_fits_width().await;
        phone.screenshot("08-week-phone").await;
        phone
            .goto(&format!(
                "/municipal/kitchen/reports/{}/{}",
                k.week.year, k.week.week
            ))
            .await;
        phone.assert_fits_width().await;
        phone.screenshot("09-reports-phone").await;

        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let reports: Vec<String> = [&desktop, &phone]
            .iter()
            .flat_map(|b| b.csp_reports())
            .collect();
        assert!(reports.is_empty(), "CSP violations: {reports:?}");
    })
    .await;
}
