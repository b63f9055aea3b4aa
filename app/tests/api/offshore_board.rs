//! The galley board: today's menu from the cycle, the portion advice for tonight's guests with
//! hand-worked numbers, the prep list, the freezer warnings and unread messages on one page;
//! the demo rig's board on a tablet and a phone.

use chrono::Datelike;
use serde_json::json;

use crate::client::Client;
use crate::harness::TestApp;
use crate::offshore_cycle::{dish, set_cycle, set_week};
use crate::offshore_rota::rig;

#[tokio::test(flavor = "multi_thread")]
async fn the_board_shows_the_day_and_advises_portions_for_tonight() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Board rig").await;
    let site_path = format!("/api/v1/sites/{}", rig.site);
    let site = rig.admin.get(&site_path).await;
    rig.admin
        .patch(
            &site_path,
            Some(site.header("etag")),
            json!({ "language": "nb" }),
        )
        .await;
    let today: chrono::NaiveDate = rig.viewer.get(&rig.path("freezer")).await.json()["today"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let week = today.iso_week();
    // A one-week cycle: every week is cycle week 1, so today serves its template's day.
    set_cycle(&rig, 1, week.year(), week.week(), 1).await;
    let day = today.weekday().number_from_monday();
    let soup = dish(&rig.admin, "Fiskesuppe", "soup").await;
    let fish = dish(&rig.admin, "Ovnsbakt torsk", "fish").await;
    let meat = dish(&rig.admin, "Lammestek", "meat").await;
    let saved = set_week(
        &rig,
        1,
        json!([
            { "day": day, "meal": "lunch", "slot": "soup", "dish_id": soup },
            { "day": day, "meal": "dinner", "slot": "fish", "dish_id": fish },
            { "day": day, "meal": "dinner", "slot": "meat", "dish_id": meat },
        ]),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    // Five fish dinners of 40 guests who ate 18 kg: 450 g each. Trimming one at each end
    // leaves H = 450; n = 5, so 0.7 x 450 + 0.3 x 400 = 435, x 1.05 = 456.75: 457 g.
    // Meat has no history: 400 x 1.05 = 420 g. Tonight's guests default to the last dinner's 40.
    for back in 1..=5 {
        let date = today - chrono::Duration::days(back);
        let made = rig
            .cook
            .post(
                &rig.path("waste"),
                json!({ "date": date, "meal": "dinner", "category": "fish", "guests": 40,
                        "produced_kg": 20, "served_kg": 18, "leftover_kg": 2 }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
    }
    rig.cook
        .post(
            &rig.path(&format!("prep/{today}")),
            json!({ "title": "Tin torsk" }),
        )
        .await;
    rig.cook
        .post(
            &rig.path("freezer"),
            json!({ "name": "Torsk", "quantity": 8, "unit": "kg",
                    "frozen_on": today - chrono::Duration::days(30),
                    "use_by": today + chrono::Duration::days(1) }),
        )
        .await;
    rig.cook
        .post(
            &rig.path("freezer"),
            json!({ "name": "Erter", "quantity": 3, "unit": "kg",
                    "frozen_on": today, "use_by": today + chrono::Duration::days(90) }),
        )
        .await;
    rig.cook
        .post(
            &rig.path("messages"),
            json!({ "audience": { "kind": "site" }, "body": "Ny leveranse kl. 10" }),
        )
        .await;

    let board = rig.viewer.get("/offshore/board").await;
    assert_eq!(board.status, 200, "{}", board.text());
    let html = board.text();
    for expected in [
        "Fiskesuppe",
        "Ovnsbakt torsk",
        "Lammestek",
        "value=\"40\"",
        "<td class=\"num tabular\">457 g</td>",
        "<strong>18,3 kg</strong>",
        "<td class=\"num tabular\">420 g</td>",
        "<strong>16,8 kg</strong>",
        "5 målinger, utgangspunkt 400 g",
        "Tin torsk",
        "Torsk",
        "Ny leveranse kl. 10",
    ] {
        assert!(html.contains(expected), "{expected} is missing: {html}");
    }
    assert!(!html.contains("Erter"), "what keeps is not a warning");
    // Fifty guests: 457 x 50 = 22 850 g, shown as 22,9 kg.
    let fifty = rig.viewer.get("/offshore/board?guests=50").await.text();
    assert!(fifty.contains("<strong>22,9 kg</strong>"), "{fifty}");
    let none = rig.viewer.get("/offshore/board?guests=0").await.text();
    assert!(none.contains("id=\"guests-error\""), "{none}");
    assert!(!none.contains("457 g"));
    // Department staff have no galley board.
    let (_, department) = department_client(&app, &rig).await;
    assert_eq!(department.get("/offshore/board").await.status, 403);
}

async fn department_client<'a>(
    app: &'a TestApp,
    rig: &crate::offshore_rota::Rig<'a>,
) -> (i64, Client<'a>) {
    use galley_core::auth::{Role, password};
    use galley_core::people::{sites, users};
    let hash = password::hash(crate::auth::PASSWORD.into()).await.unwrap();
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let tenant = sites::tenant_of_site(conn, rig.site)
        .await
        .unwrap()
        .unwrap();
    let email = "department-board@example.no";
    let id = users::insert(
        conn,
        &users::NewUser {
            tenant_id: Some(tenant),
            site_id: None,
            email,
            display_name: "department",
            role: Role::Department,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    drop(pooled);
    (id, Client::sign_in(app, email).await)
}

mod in_a_browser {
    use super::*;
    use crate::browser::{Browser, within_time_limit};

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_galley_board_on_a_tablet_and_a_phone() {
        const TEST: &str = "offshore-board";
        let app = TestApp::new().await;
        {
            let mut pooled = app.app.state.db.get().await.unwrap();
            galley_core::people::accounts::ensure_demo(&mut pooled.conn(), app.app.state.registry)
                .await
                .unwrap();
        }
        within_time_limit(TEST, async {
            let tablet = Browser::desktop(&app, TEST).await;
            tablet
                .sign_in_with(
                    "kokk@demo.galley.test",
                    galley_core::people::accounts::DEMO_PASSWORD,
                )
                .await;
            tablet.goto("/offshore/board").await;
            assert!(
                tablet
                    .text("#board-prep")
                    .await
                    .contains("Tin laks til middag")
            );
            let freezer = tablet.text("#board-freezer").await;
            assert!(
                freezer.contains("Reker") && freezer.contains("Laks, filet"),
                "{freezer}"
            );
            assert!(!freezer.contains("Kjøttkaker"), "{freezer}");
            assert!(
                tablet
                    .text("#board-messages")
                    .await
                    .contains("Helikopteret i morgen")
            );
            tablet.screenshot("board-tablet").await;
            let phone = Browser::phone(&app, TEST).await;
            phone
                .sign_in_with(
                    "kokk@demo.galley.test",
                    galley_core::people::accounts::DEMO_PASSWORD,
                )
                .await;
            phone.goto("/offshore/board").await;
            phone.assert_fits_width().await;
            phone.screenshot("board-phone").await;
        })
        .await;
    }
}
