//! The kitchen's pages as HTML: the same numbers as the API, words in Swedish first, links
//! that keep the kitchen, and who may open them.

use axum::http::StatusCode;
use galley_core::auth::{Role, password};
use galley_core::people::{sites, users};

use super::{choose, get_ok, mark, planning, report, tuesday};
use crate::client::Client;
use crate::harness::TestApp;
use crate::municipal_fixture::{PASSWORD, kitchen, open_week};

/// The number in the big tile `id` of the day plan.
pub fn big_number(html: &str, id: &str) -> i64 {
    let tile = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no tile {id}"));
    let value = tile.split("class=\"big-value\">").nth(1).unwrap();
    value[..value.find('<').unwrap()].trim().parse().unwrap()
}

/// The numbers of the `<tr id="...">` row's cells.
fn row_numbers(html: &str, row_id: &str) -> Vec<i64> {
    let row = html
        .split(&format!("<tr id=\"{row_id}\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no row {row_id}"));
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("<td class=\"num")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').unwrap() + 1..];
            text[..text.find('<').unwrap()].trim().parse().unwrap()
        })
        .collect()
}

async fn page(client: &Client<'_>, path: &str) -> String {
    let response = client.get(path).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{path}: {}",
        response.text()
    );
    assert!(response.content_type().starts_with("text/html"));
    response.text()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_day_plan_page_shows_the_plans_numbers() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Sidby", open_week()).await;
    choose(&app, k.departments[1], k.week, 2, "alt2").await;
    mark(&app, k.departments[0], k.week, 2, "lunch", k.diets[0]).await;
    let api = get_ok(&k.cook, &planning(&k, tuesday(&k))).await;
    let lunch = &api["totals"]["lunch"];
    let path = format!("/municipal/kitchen/plan/{}", tuesday(&k));
    let html = page(&k.cook, &path).await;

    assert_eq!(
        big_number(&html, "count-alt1"),
        lunch["alt1"].as_i64().unwrap()
    );
    assert_eq!(big_number(&html, "count-alt2"), 10);
    assert_eq!(big_number(&html, "count-alt1"), 9 + 8);
    assert_eq!(big_number(&html, "count-special"), 3);
    assert_eq!(big_number(&html, "count-dessert"), 30);
    assert_eq!(
        big_number(&html, "count-dinner"),
        api["totals"]["dinner"]["normal"].as_i64().unwrap()
    );
    assert!(html.contains("<h1><span class=\"kitchen-kind\">Produktionsplan</span> <span class=\"kitchen-date\">tisdag "));
    assert!(html.contains("Köttbullar med potatismos"), "Alt 1's dish");
    assert!(html.contains("Fiskgratäng med dillpotatis"), "Alt 2's dish");
    // Warnings in words, with the icon hidden from screen readers.
    assert!(html.contains("Varningar (2)"), "{html}");
    assert!(html.contains(
        "<li>Björken: Glutenfri (2 port.) får Köttbullar med potatismos (sidby) (Alt 1) till lunch, som innehåller gluten.</li>"
    ));
    assert!(html.contains(
        "<li>Björken: Glutenfri (2 port.) får Äppelkaka med vaniljsås (sidby) (Dessert) till lunch, som innehåller gluten.</li>"
    ));
    // The worklist names the diet, its portions and who needs it.
    let worklist = html.split("id=\"worklist-lunch\"").nth(1).unwrap();
    let worklist = &worklist[..worklist.find("</table>").unwrap()];
    assert!(worklist.contains("Glutenfri"));
    assert!(worklist.contains("Björken <span class=\"tabular\">2</span>"));
    assert!(worklist.contains("Timbal <span class=\"muted\">(IDDSI 5)</span>"));
    // The department table says the alternative in text.
    assert!(
        html.contains("<td><strong>Alt 2</strong></td>"),
        "Eken's Alt 2"
    );
    // Day links, the print button (shown by kitchen.js), the kitchen stylesheet and script.
    let monday = k.week.monday();
    let wednesday = k.week.day(3).unwrap();
    assert!(html.contains(&format!(
        "href=\"/municipal/kitchen/plan/{monday}\" rel=\"prev\""
    )));
    assert!(html.contains(&format!(
        "href=\"/municipal/kitchen/plan/{wednesday}\" rel=\"next\""
    )));
    assert!(html.contains("data-print hidden>Skriv ut</button>"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/municipal/static/kitchen.css\">"));
    assert!(html.contains("<script src=\"/municipal/static/kitchen.js\" defer></script>"));
    assert!(!html.contains("style="), "no inline style under the CSP");
    // No picker for a cook bound to a kitchen.
    assert!(!html.contains("name=\"site\""));

    // English on request.
    let english = page(&k.viewer, &format!("{path}?lang=en")).await;
    assert!(english.contains(
        "<h1><span class=\"kitchen-kind\">Kitchen plan</span> <span class=\"kitchen-date\">Tuesday "
    ));
    assert!(english.contains(
        "gets Äppelkaka med vaniljsås (sidby) (Dessert) at lunch, which contains gluten."
    ));

    // Today's plan without a date; a date that is not one is not a page.
    let today = page(&k.cook, "/municipal/kitchen/plan").await;
    assert!(today.contains("Produktionsplan"));
    assert!(today.contains(" · I dag</p>"));
    let missing = k.cook.get("/municipal/kitchen/plan/2026-13-01").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.content_type().starts_with("text/html"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_prints_on_one_page_without_navigation() {
    let app = TestApp::new().await;
    let css = app.get("/municipal/static/kitchen.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.content_type(), "text/css; charset=utf-8");
    let css = css.text();
    let print = css.split("@media print").nth(1).expect("a print section");
    assert!(print.contains("size: A4 portrait"));
    assert!(print.contains(".kitchen-bar, .day-nav, .report-tools { display: none !important; }"));
    assert!(print.contains("grid-template-columns: repeat(5, 1fr)"));
    let js = app.get("/municipal/static/kitchen.js").await;
    assert_eq!(js.content_type(), "text/javascript; charset=utf-8");
    assert!(js.text().contains("window.print()"));

    let k = kitchen(&app, "Tryckby", open_week()).await;
    let html = page(&k.cook, &format!("/municipal/kitchen/plan/{}", tuesday(&k))).await;
    // Everything that is not the plan carries a class the print styles hide.
    assert!(html.contains("<div class=\"kitchen-bar no-print\">"));
    assert!(html.contains("<div class=\"cluster day-nav no-print\">"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_week_overview_shows_choices_and_who_is_missing() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Veckby", open_week()).await;
    choose(&app, k.departments[1], k.week, 2, "alt2").await;
    mark(&app, k.departments[1], k.week, 2, "lunch", k.diets[1]).await;
    let path = format!("/municipal/kitchen/weeks/{}/{}", k.week.year, k.week.week);
    let html = page(&k.cook, &path).await;
    assert!(html.contains(&format!("v. {}", k.week.week)));
    // Eken has chosen and marked; Björken neither; Linden has nothing to mark.
    let not_chosen = html.split("id=\"no-choices\"").nth(1).unwrap();
    let not_chosen = &not_chosen[..not_chosen.find("</ul>").unwrap()];
    assert!(not_chosen.contains("Björken") && not_chosen.contains("Linden"));
    assert!(!not_chosen.contains("Eken"));
    let not_marked = html.split("id=\"no-marks\"").nth(1).unwrap();
    let not_marked = &not_marked[..not_marked.find("</ul>").unwrap()];
    assert!(not_marked.contains("Björken <span class=\"muted\">(Glutenfri)</span>"));
    assert!(!not_marked.contains("Linden"));
    assert!(html.contains("Har inte valt (2)"));
    assert!(html.contains("Har inte markerat specialkost (1)"));
    // The grid says Alt 2 in words where Eken chose it, and the weekend offers only Alt 1.
    let grid = html.split("id=\"week-grid\"").nth(1).unwrap();
    let eken = grid.split("<th scope=\"row\">Eken</th>").nth(1).unwrap();
    let eken = &eken[..eken.find("</tr>").unwrap()];
    let cells: Vec<&str> = eken.split("<td").skip(1).collect();
    assert_eq!(cells.len(), 7);
    assert!(cells[1].contains("<strong class=\"choice\">Alt 2</strong>"));
    assert!(cells[1].contains("spec. <span class=\"tabular\">1</span>"));
    assert!(cells[0].contains("<span class=\"choice\">Alt 1</span>"));
    assert_eq!(grid.matches("bara Alt 1").count(), 2);
    // Day headers lead to the day plans.
    assert!(grid.contains(&format!("href=\"/municipal/kitchen/plan/{}\"", tuesday(&k))));
    // Weeks across a month and a year say both ends in full.
    let april = page(&k.cook, "/municipal/kitchen/weeks/2026/14").await;
    assert!(april.contains("v. 14, 30 mars – 5 april 2026"));
    let new_year = page(&k.cook, "/municipal/kitchen/weeks/2026/53?lang=en").await;
    assert!(new_year.contains("week 53, 28 December 2026 – 3 January 2027"));
    // This week without a path; a week that does not exist is not a page.
    assert_eq!(
        k.cook.get("/municipal/kitchen/weeks").await.status,
        StatusCode::OK
    );
    assert_eq!(
        k.cook.get("/municipal/kitchen/weeks/2027/53").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_page_shows_the_reports_totals_and_downloads() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Ekonomiby", open_week()).await;
    choose(&app, k.departments[0], k.week, 1, "alt2").await;
    let json = get_ok(&k.viewer, &report(&k)).await;
    let path = format!("/municipal/kitchen/reports/{}/{}", k.week.year, k.week.week);
    let html = page(&k.viewer, &path).await;
    assert_eq!(
        row_numbers(&html, "report-totals"),
        crate::municipal_fixture::report_totals(&json)
    );
    assert!(html.contains("<th scope=\"row\">Björken</th>"));
    assert!(
        html.contains(
            "<th scope=\"row\">Timbal</th><td class=\"num\">7</td><td class=\"num\">7</td>"
        )
    );
    let api = report(&k);
    for download in [
        "format=csv&#38;delimiter=semicolon&#38;lang=sv",
        "format=csv&#38;delimiter=comma&#38;lang=sv",
        "format=xlsx&#38;lang=sv",
        "format=pdf&#38;lang=sv",
    ] {
        assert!(
            html.contains(&format!("href=\"{api}?{download}\"")),
            "{download}"
        );
    }
    // The week picker goes to the week's page, or says what was wrong.
    let picked = k
        .viewer
        .get(&format!(
            "/municipal/kitchen/reports?year={}&week={}",
            k.week.year, k.week.week
        ))
        .await;
    assert_eq!(picked.status, StatusCode::SEE_OTHER);
    assert_eq!(picked.header("location"), path);
    let wrong = k
        .viewer
        .get("/municipal/kitchen/reports?year=2027&week=53")
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("Den veckan finns inte."));
    assert!(wrong.text().contains("aria-invalid=\"true\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_module_start_and_the_pages_admit_the_right_people() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Startby", open_week()).await;
    // `/municipal` goes through `/start`, asking this module first: each role's job.
    for (client, job) in [
        (&k.admin, "/municipal/admin/attention"),
        (&k.cook, "/municipal/kitchen/plan"),
        (&k.viewer, "/municipal/kitchen/plan"),
        (&k.department_staff[0], "/municipal/portal?week="),
    ] {
        let start = client.get("/municipal").await;
        assert_eq!(start.status, StatusCode::SEE_OTHER);
        assert_eq!(start.header("location"), "/start?module=municipal");
        let then = client.get(start.header("location")).await;
        assert_eq!(then.status, StatusCode::SEE_OTHER);
        assert!(
            then.header("location").starts_with(job),
            "{}",
            then.header("location")
        );
    }
    // Strangers see the module's landing page, and are sent to sign in from the kitchen's.
    let landing = app.get("/municipal").await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.text().contains("<h1>Kommunkök</h1>"));
    for path in [
        "/municipal/kitchen/plan",
        "/municipal/kitchen/weeks",
        "/municipal/kitchen/reports",
    ] {
        let stranger = app.get(path).await;
        assert_eq!(stranger.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(stranger.header("location"), format!("/login?next={path}"));
        let department = k.department_staff[1].get(path).await;
        assert_eq!(department.status, StatusCode::FORBIDDEN, "{path}");
        assert!(department.content_type().starts_with("text/html"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_with_two_kitchens_gets_a_picker() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Tvåby", open_week()).await;
    let other = kitchen(&app, "Främlingby", open_week()).await;
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let second = sites::insert(conn, k.tenant, "Annexköket", "Europe/Stockholm")
        .await
        .unwrap();
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    users::insert(
        conn,
        &users::NewUser {
            tenant_id: Some(k.tenant),
            site_id: None,
            email: "chef-tvaby@example.se",
            display_name: "Kökschef",
            role: Role::Admin,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    drop(pooled);
    let chef = Client::sign_in(&app, "chef-tvaby@example.se").await;

    let html = page(&chef, "/municipal/kitchen/plan").await;
    assert!(html.contains("<select id=\"site\" name=\"site\">"));
    // Kitchens by name; the first is shown until another is picked.
    assert!(html.contains(&format!(
        "<option value=\"{second}\" selected>Annexköket</option>"
    )));
    assert!(html.contains(&format!(
        "<option value=\"{}\">Tvåby centralkök</option>",
        k.site
    )));
    let main = page(&chef, &format!("/municipal/kitchen/plan?site={}", k.site)).await;
    assert!(main.contains("<p class=\"kitchen-site\">Tvåby centralkök · "));
    assert!(main.contains(&format!("<option value=\"{}\" selected>", k.site)));
    let lunches = ["count-alt1", "count-alt2", "count-special"]
        .iter()
        .map(|id| big_number(&main, id))
        .sum::<i64>();
    assert_eq!(lunches, 30, "its three departments' residents");
    let annex = page(&chef, &format!("/municipal/kitchen/plan?site={second}")).await;
    assert!(annex.contains("<p class=\"kitchen-site\">Annexköket · "));
    assert!(annex.contains(&format!("href=\"/municipal/kitchen/weeks?site={second}\"")));
    assert!(annex.contains("Köket har inga avdelningar än."));
    // Another tenant's kitchen, or another kitchen for a cook bound to one, is not there.
    assert_eq!(
        chef.get(&format!("/municipal/kitchen/plan?site={}", other.site))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.cook
            .get(&format!("/municipal/kitchen/reports?site={second}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The `rel` link of a page (`prev` or `next`), as a path.
fn rel_link(html: &str, rel: &str) -> String {
    let link = html
        .split(&format!(" rel=\"{rel}\""))
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .unwrap_or_else(|| panic!("no rel={rel} link"));
    link[..link.find('"').unwrap()].replace("&#38;", "&")
}

/// Finance bills whole weeks: the reports page opens on last week, and a week that is not
/// over yet says its numbers can still change.
#[tokio::test(flavor = "multi_thread")]
async fn the_reports_page_opens_on_the_last_whole_week() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Fakturaby", open_week()).await;
    let last = page(&k.viewer, "/municipal/kitchen/reports").await;
    assert!(!last.contains("report-unfinished"), "last week is over");
    let this = page(&k.viewer, &rel_link(&last, "next")).await;
    assert!(
        this.contains("<p class=\"note report-unfinished\">Veckan pågår: siffrorna kan ändras fram till söndag."),
        "{this}"
    );
    let next = page(&k.viewer, &rel_link(&this, "next")).await;
    assert!(next.contains("Veckan har inte börjat: siffrorna är en plan och kan ändras."));
    let english = page(&k.viewer, &format!("{}?lang=en", rel_link(&last, "next"))).await;
    assert!(english.contains("This week is not over"));
}
