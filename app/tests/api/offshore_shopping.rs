//! A day's shopping list at an offshore galley: the recipes of the dishes the cycle serves,
//! scaled to the guests and summed, as JSON and CSV.

use serde_json::json;

use crate::harness::TestApp;
use crate::offshore_cycle::{dish, set_cycle, set_week};
use crate::offshore_rota::rig;

#[tokio::test(flavor = "multi_thread")]
async fn the_shopping_list_sums_the_days_recipes() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Shopping rig").await;
    let soup = dish(&rig.admin, "Fiskesuppe", "soup").await;
    let main = dish(&rig.admin, "Ovnsbakt laks", "main").await;
    let dessert = dish(&rig.admin, "Karamellpudding", "dessert").await;
    set_cycle(&rig, 1, 2026, 10, 1).await;
    let saved = set_week(
        &rig,
        1,
        json!([
            { "day": 1, "meal": "lunch", "slot": "soup", "dish_id": soup },
            { "day": 1, "meal": "dinner", "slot": "fish", "dish_id": main },
            { "day": 1, "meal": "dinner", "slot": "dessert", "dish_id": dessert }
        ]),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    for (dish_id, name, fish_kg) in [(soup, "Suppe", "1"), (main, "Laks", "1,5")] {
        let made = rig
            .cook
            .post(
                "/api/v1/recipes",
                json!({ "name": name, "dish_id": dish_id, "yield_portions": 10,
                        "ingredients": [
                            { "name": "Fisk", "amount": fish_kg, "unit": "kg", "allergens": ["fish"] },
                            { "name": "=Fløte", "amount": "2", "unit": "dl", "allergens": ["milk"] }
                        ] }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
    }

    // Monday 2026-03-02 for 20: fish (1 + 1.5) * 2 = 5 kg; cream 4 + 4 dl = 8 dl.
    let list = rig
        .viewer
        .get(&rig.path("shopping/2026-03-02?guests=20"))
        .await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list["guests"], 20);
    assert_eq!(list["guests_from"], "query");
    assert_eq!(list["source"], "cycle");
    assert_eq!(list["recipes"].as_array().unwrap().len(), 2);
    assert_eq!(list["without_recipe"][0]["dish_name"], "Karamellpudding");
    assert_eq!(
        list["lines"],
        json!([
            { "name": "=Fløte", "amount": "8", "unit": "dl", "allergens": ["milk"] },
            { "name": "Fisk", "amount": "5", "unit": "kg", "allergens": ["fish"] }
        ])
    );

    // Without a count: the crew registered at the site, else 40.
    let default = rig
        .viewer
        .get(&rig.path("shopping/2026-03-02"))
        .await
        .json();
    assert!(
        ["crew", "default"].contains(&default["guests_from"].as_str().unwrap()),
        "{default}"
    );

    let csv = rig
        .viewer
        .get(&rig.path("shopping/2026-03-02.csv?guests=20"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    let text = csv.text();
    let text = text.trim_start_matches('\u{feff}');
    assert_eq!(
        text,
        "ingredient;amount;unit;allergens\n'=Fløte;8;dl;milk\nFisk;5;kg;fish\n"
    );

    for bad in ["2026-02-30", "2026-03-02.xlsx", "2026-03-02?guests=0"] {
        let refused = rig.viewer.get(&rig.path(&format!("shopping/{bad}"))).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.text());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_rigs_dishes_have_recipes_and_their_allergens() {
    let app = TestApp::new().await;
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        galley_core::people::accounts::ensure_demo(&mut pooled.conn(), app.app.state.registry)
            .await
            .unwrap();
    }
    let cook = crate::client::Client::sign_in_with(
        &app,
        "kokk@demo.galley.test",
        galley_core::people::accounts::DEMO_PASSWORD,
    )
    .await;
    let recipes = cook.get("/api/v1/recipes?per_page=100").await.json();
    let names: Vec<&str> = recipes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for dish in [
        "Fiskesuppe",
        "Ovnsbakt laks",
        "Kjøttkaker med brun saus",
        "Grønnsakslasagne",
        "Karamellpudding",
    ] {
        assert!(names.contains(&dish), "{dish} in {names:?}");
    }
    let soup = cook.get("/api/v1/dishes?q=Fiskesuppe").await.json();
    assert_eq!(soup["items"][0]["allergens_stated"], true);
    assert_eq!(
        soup["items"][0]["allergens"],
        json!(["gluten", "crustaceans", "fish", "milk"])
    );
}

mod in_a_browser {
    use crate::browser::{Browser, within_time_limit};
    use crate::harness::TestApp;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_recipes_scale_on_a_desktop_and_a_phone() {
        const TEST: &str = "offshore-recipes";
        let app = TestApp::new().await;
        {
            let mut pooled = app.app.state.db.get().await.unwrap();
            galley_core::people::accounts::ensure_demo(&mut pooled.conn(), app.app.state.registry)
                .await
                .unwrap();
        }
        within_time_limit(TEST, async {
            let desktop = Browser::desktop(&app, TEST).await;
            desktop
                .sign_in_with(
                    "kokk@demo.galley.test",
                    galley_core::people::accounts::DEMO_PASSWORD,
                )
                .await;
            desktop.goto("/offshore/recipes").await;
            assert!(desktop.text("#recipes").await.contains("Fiskesuppe"));
            desktop.screenshot("list-desktop").await;
            desktop.submit("#recipes a").await;
            desktop.fill("#guests", "40").await;
            desktop.submit("#scale").await;
            desktop.wait_for_url("guests=40").await;
            let ingredients = desktop.text("#ingredients").await;
            assert!(!ingredients.is_empty());
            assert!(desktop.text("#allergens").await.contains("Allergener"));
            desktop.screenshot("recipe-desktop").await;
            desktop.goto("/offshore/shopping?guests=40").await;
            assert!(desktop.text("h1").await.contains("Handleliste"));
            desktop.screenshot("shopping-desktop").await;
            let phone = Browser::phone(&app, TEST).await;
            phone
                .sign_in_with(
                    "kokk@demo.galley.test",
                    galley_core::people::accounts::DEMO_PASSWORD,
                )
                .await;
            phone.goto("/offshore/recipes").await;
            phone.assert_fits_width().await;
            phone.screenshot("list-phone").await;
            phone.submit("#recipes a").await;
            phone.fill("#guests", "12").await;
            phone.submit("#scale").await;
            phone.wait_for_url("guests=12").await;
            phone.assert_fits_width().await;
            phone.screenshot("recipe-phone").await;
            phone.goto("/offshore/shopping").await;
            phone.assert_fits_width().await;
            phone.screenshot("shopping-phone").await;
        })
        .await;
    }
}
