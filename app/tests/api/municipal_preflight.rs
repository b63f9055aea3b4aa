//! Publishing a municipal week runs a pre-flight: dishes whose allergens nobody stated, days
//! without Alt 2 where the settings offer it, and empty slots. The API refuses with the
//! findings unless `?confirm=true`; the editor shows them and a confirm button.

use axum::http::{Method, StatusCode};
use galley_core::kitchen::iso_week::IsoWeek;
use serde_json::{Value, json};

use crate::console::post_form;
use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

fn menu_path(k: &Kitchen<'_>, week: IsoWeek) -> String {
    format!("/api/v1/sites/{}/menus/{}/{}", k.site, week.year, week.week)
}

/// Next week's draft: Monday's Alt 1 a dish whose allergens nobody stated, Tuesday without
/// Alt 2, Wednesday without dessert; otherwise like the fixture's week (no Alt 2 at weekends,
/// which the default settings offer).
async fn a_draft_with_three_findings(k: &Kitchen<'_>) -> (IsoWeek, String) {
    let week = k.week.next();
    let unknown = k
        .cook
        .post(
            "/api/v1/dishes",
            json!({ "name": "Okänd gryta", "category": "main" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::CREATED, "{}", unknown.text());
    assert_eq!(unknown.json()["allergens_stated"], false);
    let unknown = unknown.json()["id"].as_i64().unwrap();
    let mut items = Vec::new();
    for day in 1..=7 {
        let alt1 = if day == 1 { unknown } else { k.dishes[0] };
        items.push(json!({ "day": day, "meal": "lunch", "slot": "alt1", "dish_id": alt1 }));
        if day <= 5 && day != 2 {
            items.push(
                json!({ "day": day, "meal": "lunch", "slot": "alt2", "dish_id": k.dishes[1] }),
            );
        }
        if day != 3 {
            items.push(
                json!({ "day": day, "meal": "lunch", "slot": "dessert", "dish_id": k.dishes[4] }),
            );
        }
        items.push(json!({ "day": day, "meal": "dinner", "slot": "main", "dish_id": k.dishes[3] }));
    }
    let path = menu_path(k, week);
    let draft = k.cook.get(&path).await;
    let saved = k
        .cook
        .send(
            Method::PUT,
            &path,
            Some(draft.header("etag")),
            Some(json!({ "items": items })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    (week, saved.header("etag").to_owned())
}

fn reasons(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["field"], "confirm", "{e}");
            e["reason"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn publishing_refuses_with_the_findings_until_the_cook_confirms() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Förkoll", open_week()).await;
    let (week, etag) = a_draft_with_three_findings(&k).await;
    let path = menu_path(&k, week);

    let refused = k
        .cook
        .send(Method::POST, &format!("{path}/publish"), Some(&etag), None)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert_eq!(refused.json()["type"], "/problems/validation-failed");
    let reasons = reasons(&refused.json());
    // The default settings offer Alt 2 at weekends as well: Saturday and Sunday have none.
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(
        reasons[0].starts_with("Monday: nobody has stated the allergens of Okänd gryta")
            && reasons[0].ends_with("(allergens_not_stated)"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("Tuesday: no Alt 2") && reasons[1].ends_with("(alt2_missing)"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].starts_with("Wednesday: the dessert is empty")
            && reasons[2].ends_with("(slot_empty)"),
        "{reasons:?}"
    );
    assert!(reasons[3].starts_with("Saturday: no Alt 2"), "{reasons:?}");
    assert!(reasons[4].starts_with("Sunday: no Alt 2"), "{reasons:?}");
    // Nothing changed: still a draft at the same version, nothing audited.
    let menu = k.cook.get(&path).await;
    assert_eq!(menu.json()["status"], "draft");
    assert_eq!(menu.header("etag"), etag);
    let audit = k
        .admin
        .get("/api/v1/audit?action=menu.published&per_page=100")
        .await
        .json();
    assert_eq!(
        audit["items"].as_array().unwrap().len(),
        1,
        "the fixture's week only"
    );

    // `confirm=false` is no confirmation; `confirm=true` publishes.
    let still = k
        .cook
        .send(
            Method::POST,
            &format!("{path}/publish?confirm=false"),
            Some(&etag),
            None,
        )
        .await;
    assert_eq!(still.status, StatusCode::UNPROCESSABLE_ENTITY);
    let confirmed = k
        .cook
        .send(
            Method::POST,
            &format!("{path}/publish?confirm=true"),
            Some(&etag),
            None,
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
    assert_eq!(confirmed.json()["status"], "published");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_editor_shows_the_findings_and_publishes_on_confirm() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Förkollsidan", open_week()).await;
    let (week, etag) = a_draft_with_three_findings(&k).await;
    let page_path = format!("/municipal/menus/{}/{}", week.year, week.week);

    let asked = post_form(&k.cook, &format!("{page_path}/publish"), &[("etag", &etag)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
    let html = asked.text();
    assert!(html.contains("Kontrollera innan du publicerar"), "{html}");
    assert!(
        html.contains("ingen har angett allergenerna i Okänd gryta"),
        "{html}"
    );
    assert!(html.contains("inget Alt 2"), "{html}");
    assert!(html.contains("Dessert är tom."), "{html}");
    assert!(html.contains(r#"id="preflight-confirm""#));
    assert_eq!(
        k.cook.get(&menu_path(&k, week)).await.json()["status"],
        "draft"
    );

    let published = post_form(
        &k.cook,
        &format!("{page_path}/publish"),
        &[("etag", &etag), ("confirm", "1")],
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    assert_eq!(
        k.cook.get(&menu_path(&k, week)).await.json()["status"],
        "published"
    );
}

mod in_a_browser {
    use super::a_draft_with_three_findings;
    use crate::browser::{Browser, within_time_limit};
    use crate::harness::TestApp;
    use crate::municipal_fixture::{kitchen, open_week};

    const PUBLISH: &str = "form[action$='/publish'] button";
    const UNPUBLISH: &str = "form[action$='/unpublish'] button";

    #[tokio::test(flavor = "multi_thread")]
    async fn the_cook_sees_the_preflight_confirms_and_is_asked_before_withdrawing() {
        const TEST: &str = "menu-preflight";
        let app = TestApp::new().await;
        let k = kitchen(&app, "Preflight", open_week()).await;
        let (week, _) = a_draft_with_three_findings(&k).await;
        let cook = "cook-1-preflight@example.se";
        let path = format!("/municipal/menus/{}/{}", week.year, week.week);
        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(cook).await;
            phone.goto(&path).await;
            phone.submit(PUBLISH).await;
            let findings = phone.text("#preflight").await;
            assert!(
                findings.contains("Kontrollera innan du publicerar"),
                "{findings}"
            );
            assert!(findings.contains("Okänd gryta"), "{findings}");
            assert_eq!(phone.find_all("#preflight li").await.len(), 5);
            phone.assert_fits_width().await;
            phone.scroll_to("#preflight", "start").await;
            phone.screenshot("01-findings-phone").await;
            phone.scroll_to("#preflight-confirm", "center").await;
            phone.screenshot("02-confirm-phone").await;

            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(cook).await;
            desktop.goto(&path).await;
            desktop.submit(PUBLISH).await;
            assert_eq!(desktop.find_all("#preflight li").await.len(), 5);
            desktop.screenshot("03-findings-desktop").await;
            desktop.submit("#preflight-confirm").await;
            let status = desktop.text("#menu-status").await;
            assert!(status.contains("Publicerad"), "{status}");
            desktop.screenshot("04-published-desktop").await;

            // Withdrawing asks first; keeping it changes nothing.
            desktop.submit(UNPUBLISH).await;
            let asked = desktop.text("#unpublish-confirm").await;
            assert!(
                asked.contains("Dra tillbaka den publicerade veckan?"),
                "{asked}"
            );
            desktop.screenshot("05-withdraw-asks-desktop").await;
            desktop.click("#unpublish-confirm a").await;
            desktop.wait_for_path(&path).await;
            assert!(desktop.text("#menu-status").await.contains("Publicerad"));
            desktop.submit(UNPUBLISH).await;
            desktop.submit("#unpublish-confirm-button").await;
            let status = desktop.text("#menu-status").await;
            assert!(status.contains("Utkast"), "{status}");

            // The same on the phone: publish anyway, then the withdraw step.
            phone.goto(&path).await;
            phone.submit(PUBLISH).await;
            // Centered: the phone's bottom bar covers the foot of the screen.
            phone.scroll_to("#preflight-confirm", "center").await;
            phone.submit("#preflight-confirm").await;
            phone.submit(UNPUBLISH).await;
            phone.assert_fits_width().await;
            phone.scroll_to("#unpublish-confirm", "start").await;
            phone.screenshot("06-withdraw-asks-phone").await;
        })
        .await;
    }
}
