//! Writing a recipe on a page: blank lines left out, a refused line named where it was typed
//! and nothing saved, edits with the recipe's version, and a stale form shown as stored.

use serde_json::{Value, json};

use crate::offshore_prep::form;
use crate::offshore_rota::rig;

/// `Allergen::ALL` positions: fish 3, milk 6.
const FISH: usize = 3;
const MILK: usize = 6;

fn fields(yield_portions: &str, cream: &str) -> String {
    format!(
        "name=Fiskesuppe&yield_portions={yield_portions}&dish_id=\
         &line-0-name=Torsk&line-0-amount=1%2C5&line-0-unit=kg&line-0-allergen={FISH}\
         &line-1-name=&line-1-amount=&line-1-unit=g\
         &line-2-name=Fl%C3%B8te&line-2-amount={cream}&line-2-unit=dl&line-2-allergen={MILK}\
         &steps=Kok+kraften.%0D%0A%0D%0ATilsett+fisken."
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cook_writes_and_edits_a_recipe_on_the_page() {
    let app = crate::harness::TestApp::new().await;
    let rig = rig(&app, "Recipe form rig").await;
    let recipes = || async { rig.admin.get("/api/v1/recipes").await.json() };
    assert_eq!(rig.viewer.get("/offshore/recipes/new").await.status, 403);
    assert_eq!(
        form(&rig.viewer, "/offshore/recipes/new", &fields("10", "5"))
            .await
            .status,
        403
    );
    let blank = rig.cook.get("/offshore/recipes/new").await;
    assert_eq!(blank.status, 200);
    assert!(blank.text().contains(r#"name="line-3-name""#));
    assert!(
        rig.cook
            .get("/offshore/recipes")
            .await
            .text()
            .contains(r#"id="new-recipe""#)
    );
    assert!(
        !rig.viewer
            .get("/offshore/recipes")
            .await
            .text()
            .contains(r#"id="new-recipe""#)
    );

    // A bad amount on the third row is named there; nothing is saved; what was typed stays.
    let refused = form(&rig.cook, "/offshore/recipes/new", &fields("10", "x")).await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let html = refused.text();
    assert!(html.contains(r#"id="line-2-amount" name="line-2-amount" inputmode="decimal" maxlength="20" value="x" aria-invalid="true""#), "{html}");
    assert!(!html.contains(r#"value="1,5" aria-invalid"#), "{html}");
    assert_eq!(recipes().await["items"], json!([]));

    let created = form(&rig.cook, "/offshore/recipes/new", &fields("10", "5")).await;
    assert_eq!(created.status, 303, "{}", created.text());
    let list = recipes().await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        format!("/offshore/recipes/{id}")
    );
    let stored: Value = rig.admin.get(&format!("/api/v1/recipes/{id}")).await.json();
    assert_eq!(
        stored["ingredients"].as_array().unwrap().len(),
        2,
        "{stored}"
    );
    assert_eq!(stored["ingredients"][0]["amount"], "1.5");
    assert_eq!(stored["allergens"], json!(["fish", "milk"]));
    assert_eq!(stored["steps"], json!(["Kok kraften.", "Tilsett fisken."]));

    // Edited with its version; the same form again is stale and changes nothing.
    let edit = format!("/offshore/recipes/{id}/edit");
    let page = rig.cook.get(&edit).await.text();
    assert!(page.contains(r#"value="Torsk""#), "{page}");
    let saved = form(
        &rig.cook,
        &edit,
        &format!("version=1&{}", fields("12", "5")),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        saved.header("location"),
        format!("/offshore/recipes/{id}?saved=1")
    );
    let stale = form(
        &rig.cook,
        &edit,
        &format!("version=1&{}", fields("20", "5")),
    )
    .await;
    assert_eq!(stale.status, 200);
    assert!(stale.text().contains(r#"id="notice""#), "{}", stale.text());
    let stored: Value = rig.admin.get(&format!("/api/v1/recipes/{id}")).await.json();
    assert_eq!(stored["yield_portions"], 12);
    assert_eq!(stored["version"], 2);
    let shown = rig
        .cook
        .get(&format!("/offshore/recipes/{id}?saved=1"))
        .await
        .text();
    assert!(shown.contains(r#"id="saved""#) && shown.contains(r#"id="edit-recipe""#));

    // Another tenant's cook reaches neither the form nor the write.
    let other = rig_of_other(&app).await;
    assert_eq!(other.cook.get(&edit).await.status, 404);
    assert_eq!(
        form(
            &other.cook,
            &edit,
            &format!("version=2&{}", fields("1", "5"))
        )
        .await
        .status,
        404
    );
    let stored: Value = rig.admin.get(&format!("/api/v1/recipes/{id}")).await.json();
    assert_eq!(stored["yield_portions"], 12);
}

async fn rig_of_other(app: &crate::harness::TestApp) -> crate::offshore_rota::Rig<'_> {
    rig(app, "Other recipe rig").await
}

mod in_a_browser {
    use super::*;
    use crate::browser::{Browser, within_time_limit};

    #[tokio::test(flavor = "multi_thread")]
    async fn a_cook_writes_a_recipe_on_a_phone() {
        const TEST: &str = "offshore-recipe-form";
        let app = crate::harness::TestApp::new().await;
        let _rig = rig(&app, "Heidrun").await;
        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in("cook-1-heidrun@example.no").await;
            phone.goto("/offshore/recipes/new").await;
            phone.fill("#name", "Lapskaus").await;
            phone.fill("#line-0-name", "Storfekjøtt").await;
            phone.fill("#line-0-amount", "tre").await;
            phone.fill("#line-1-name", "Poteter").await;
            phone.fill("#line-1-amount", "2").await;
            phone.click("#line-1-unit option[value='kg']").await;
            phone.scroll_to("#save-recipe", "center").await;
            phone.submit("#save-recipe").await;
            phone.find("#line-0-amount[aria-invalid='true']").await;
            phone.assert_fits_width().await;
            phone.scroll_to("#line-0-amount", "center").await;
            phone.screenshot("refused-phone").await;
            phone.fill("#line-0-amount", "1,2").await;
            phone.click("#line-0-unit option[value='kg']").await;
            phone.scroll_to("#save-recipe", "center").await;
            phone.submit("#save-recipe").await;
            phone.find("#edit-recipe").await;
            assert_eq!(phone.text("main h1").await, "Lapskaus");
            phone.screenshot("saved-phone").await;
            assert!(phone.csp_reports().is_empty(), "{:?}", phone.csp_reports());
        })
        .await;
    }
}
