//! The offshore menu cycle over the API: the cycle week of a date against hand-worked
//! examples, week templates refusing bad slots, dishes and days, a week's menu generated from
//! the cycle and then edited through the core menus API, and what a day serves.

use axum::http::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::TestApp;
use crate::offshore_rota::{Rig, rig};

pub(crate) async fn dish(client: &Client<'_>, name: &str, category: &str) -> i64 {
    let made = client
        .post(
            "/api/v1/dishes",
            json!({ "name": name, "category": category, "allergens": ["fish"] }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());
    made.json()["id"].as_i64().unwrap()
}

pub(crate) async fn set_cycle(
    rig: &Rig<'_>,
    length: u32,
    year: i32,
    week: u32,
    index: u32,
) -> Value {
    let path = rig.path("menu-cycle");
    let etag = rig.cook.get(&path).await.header("etag").to_owned();
    let body = json!({ "length_weeks": length, "start_year": year, "start_week": week,
                       "start_index": index });
    let saved = rig
        .cook
        .send(Method::PUT, &path, Some(&etag), Some(body))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    saved.json()
}

pub(crate) async fn set_week(rig: &Rig<'_>, n: u32, items: Value) -> crate::harness::TestResponse {
    let path = rig.path(&format!("menu-cycle/weeks/{n}"));
    let etag = rig.cook.get(&path).await.header("etag").to_owned();
    rig.cook
        .send(
            Method::PUT,
            &path,
            Some(&etag),
            Some(json!({ "items": items })),
        )
        .await
}

async fn served(rig: &Rig<'_>, date: &str) -> Value {
    let read = rig.viewer.get(&rig.path(&format!("served/{date}"))).await;
    assert_eq!(read.status, 200, "{}", read.text());
    read.json()
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Four templates, each with one soup on Monday named after its cycle week.
async fn four_soups(rig: &Rig<'_>) {
    for n in 1..=4 {
        let soup = dish(&rig.admin, &format!("Soup of cycle week {n}"), "soup").await;
        let saved = set_week(
            rig,
            n,
            json!([{ "day": 1, "meal": "lunch", "slot": "soup", "dish_id": soup }]),
        )
        .await;
        assert_eq!(saved.status, 200, "{}", saved.text());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dates_fall_in_the_hand_worked_cycle_weeks() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Cycle rig").await;
    let unset = rig.viewer.get(&rig.path("menu-cycle")).await.json();
    assert_eq!(unset["version"], 0);
    assert_eq!(unset["set_up"], false);
    // No cycle: a date serves nothing, and says why.
    let nothing = served(&rig, "2026-03-02").await;
    assert_eq!(nothing["source"], "none");
    assert_eq!(nothing["cycle_week"], Value::Null);
    assert!(nothing["note"].as_str().unwrap().contains("no menu cycle"));

    let cycle = set_cycle(&rig, 4, 2026, 10, 1).await;
    assert_eq!(cycle["version"], 1);
    assert_eq!(cycle["set_up"], true);
    four_soups(&rig).await;

    // 2026-W1 starts on Monday 2025-12-29, so W9 starts 2026-02-23, W10 2026-03-02,
    // W13 2026-03-23 and W14 2026-03-30. N = 4 from W10 at index 1: W10 1, W13 4, W14 1, W9 4.
    for (date, week, cycle_week) in [
        ("2026-03-02", 10, 1),
        ("2026-03-23", 13, 4),
        ("2026-03-30", 14, 1),
        ("2026-02-23", 9, 4),
    ] {
        let day = served(&rig, date).await;
        assert_eq!(day["week"], week, "{date}");
        assert_eq!(day["day"], 1, "{date}");
        assert_eq!(day["cycle_week"], cycle_week, "{date}");
        assert_eq!(day["source"], "cycle", "{date}");
        assert_eq!(
            day["items"][0]["dish"]["name"],
            format!("Soup of cycle week {cycle_week}"),
            "{date}"
        );
        assert_eq!(day["items"][0]["dish"]["category"], "soup");
        assert_eq!(day["items"][0]["dish"]["allergens"], json!(["fish"]));
    }
    // Tuesday of W10 has nothing in the template.
    let tuesday = served(&rig, "2026-03-03").await;
    assert_eq!(tuesday["source"], "cycle");
    assert_eq!(tuesday["items"], json!([]));

    // Starting at index 3: W10 is 3, W11 4, W12 (2026-03-16) 1.
    set_cycle(&rig, 4, 2026, 10, 3).await;
    assert_eq!(served(&rig, "2026-03-02").await["cycle_week"], 3);
    assert_eq!(served(&rig, "2026-03-16").await["cycle_week"], 1);

    // Across the year: 2026 has 53 weeks. From W50 at index 1: W53 (Monday 2026-12-28) is
    // 4 and 2027-W1 (Monday 2027-01-04) is 1; the guide's per-year formula would say 4 again.
    set_cycle(&rig, 4, 2026, 50, 1).await;
    assert_eq!(served(&rig, "2026-12-28").await["cycle_week"], 4);
    let new_year = served(&rig, "2027-01-04").await;
    assert_eq!(new_year["year"], 2027);
    assert_eq!(new_year["week"], 1);
    assert_eq!(new_year["cycle_week"], 1);
    // 2027-01-03 is a Sunday in 2026-W53.
    let sunday = served(&rig, "2027-01-03").await;
    assert_eq!(
        (sunday["week"].clone(), sunday["day"].clone()),
        (json!(53), json!(7))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cycles_and_templates_refuse_bad_values_by_name() {
    let app = TestApp::new().await;
    let other = rig(&app, "Other rig").await;
    let rig = rig(&app, "Template rig").await;
    let soup = dish(&rig.admin, "Fiskesuppe", "soup").await;
    let theirs = dish(&other.admin, "Their soup", "soup").await;

    // No cycle yet: no template either.
    let early = rig
        .cook
        .send(
            Method::PUT,
            &rig.path("menu-cycle/weeks/1"),
            Some("*"),
            Some(json!({ "items": [] })),
        )
        .await;
    assert_eq!(early.status, 422, "{}", early.text());
    assert_eq!(fields(&early.json()), ["n"]);

    let path = rig.path("menu-cycle");
    let bad = rig
        .cook
        .send(
            Method::PUT,
            &path,
            Some("*"),
            Some(
                json!({ "length_weeks": 13, "start_year": 2027, "start_week": 53,
                         "start_index": 14 }),
            ),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert_eq!(
        fields(&bad.json()),
        ["length_weeks", "start_week", "start_index"]
    );
    let viewer = rig
        .viewer
        .send(
            Method::PUT,
            &path,
            Some("*"),
            Some(
                json!({ "length_weeks": 4, "start_year": 2026, "start_week": 10,
                         "start_index": 1 }),
            ),
        )
        .await;
    assert_eq!(viewer.status, 403);
    set_cycle(&rig, 4, 2026, 10, 1).await;

    let refused = set_week(
        &rig,
        1,
        json!([
            { "day": 1, "meal": "lunch", "slot": "alt1", "dish_id": soup },
            { "day": 1, "meal": "lunch", "slot": "soup", "dish_id": theirs },
            { "day": 8, "meal": "dinner", "slot": "fish", "dish_id": soup },
            { "day": 2, "meal": "night", "slot": "soup", "dish_id": 999_999 },
        ]),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(
        fields(&refused.json()),
        [
            "items[0].slot",
            "items[1].dish_id",
            "items[2].day",
            "items[3].slot",
            "items[3].dish_id"
        ]
    );
    let beyond = rig
        .cook
        .send(
            Method::PUT,
            &rig.path("menu-cycle/weeks/5"),
            Some("*"),
            Some(json!({ "items": [] })),
        )
        .await;
    assert_eq!(beyond.status, 422);
    assert_eq!(fields(&beyond.json()), ["n"]);

    // Without If-Match: 428. A good template is version 1; saving it again changes nothing.
    let week1 = rig.path("menu-cycle/weeks/1");
    let items = json!([
        { "day": 1, "meal": "lunch", "slot": "soup", "dish_id": soup },
        { "day": 3, "meal": "night", "slot": "night_meal", "dish_id": soup },
    ]);
    let blind = rig
        .cook
        .send(Method::PUT, &week1, None, Some(json!({ "items": items })))
        .await;
    assert_eq!(blind.status, 428);
    let saved = set_week(&rig, 1, items.clone()).await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json()["version"], 1);
    assert_eq!(saved.json()["items"][1]["dish"]["name"], "Fiskesuppe");
    let again = set_week(&rig, 1, items).await;
    assert_eq!(again.json()["version"], 1);
    let stale = rig
        .cook
        .send(
            Method::PUT,
            &week1,
            Some(saved.header("etag").replace("-v1", "-v0").as_str()),
            Some(json!({ "items": [] })),
        )
        .await;
    assert_eq!(stale.status, 412);
    // Week 2 has its own version.
    let two = rig.viewer.get(&rig.path("menu-cycle/weeks/2")).await.json();
    assert_eq!(
        (two["version"].clone(), two["items"].clone()),
        (json!(0), json!([]))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_week_is_edited_as_a_menu_and_served_as_edited() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Generate rig").await;
    set_cycle(&rig, 4, 2026, 10, 1).await;
    let soup = dish(&rig.admin, "Blomkålsuppe", "soup").await;
    let cod = dish(&rig.admin, "Bakt torsk", "fish").await;
    let stew = dish(&rig.admin, "Lapskaus", "meat").await;
    // 2026-W11 is cycle week 2.
    let saved = set_week(
        &rig,
        2,
        json!([
            { "day": 1, "meal": "lunch", "slot": "soup", "dish_id": soup },
            { "day": 1, "meal": "dinner", "slot": "fish", "dish_id": cod },
            { "day": 2, "meal": "night", "slot": "night_meal", "dish_id": stew },
        ]),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());

    // Cycle week 3 (W12) has no template: nothing to generate.
    let generate = |week: u32| rig.path(&format!("menu-cycle/generate/2026/{week}"));
    let empty = rig
        .cook
        .post(&generate(12), json!({ "replace": false }))
        .await;
    assert_eq!(empty.status, 422, "{}", empty.text());
    let viewer = rig.viewer.post(&generate(11), json!({})).await;
    assert_eq!(viewer.status, 403);

    let made = rig
        .cook
        .post(&generate(11), json!({ "replace": false }))
        .await;
    assert_eq!(made.status, 200, "{}", made.text());
    let body = made.json();
    assert_eq!(body["cycle_week"], 2);
    assert_eq!(body["replaced"], false);
    assert_eq!(body["menu"]["status"], "draft");
    assert_eq!(body["menu"]["version"], 1);
    let items = body["menu"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["date"], "2026-03-09");
    assert_eq!(items[0]["dish"]["name"], "Bakt torsk");
    assert_eq!(items[2]["meal"], "night");

    // Monday of W11 now serves the stored draft.
    let monday = served(&rig, "2026-03-09").await;
    assert_eq!(monday["source"], "menu");
    assert_eq!(monday["published"], false);
    assert_eq!(monday["cycle_week"], 2);
    assert_eq!(monday["items"].as_array().unwrap().len(), 2);

    // Again without replace: 409, and the menu is untouched.
    let twice = rig
        .cook
        .post(&generate(11), json!({ "replace": false }))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.text());

    // Edit through the core menus API: the soup becomes stew.
    let menu_path = format!("/api/v1/sites/{}/menus/2026/11", rig.site);
    let etag = rig.cook.get(&menu_path).await.header("etag").to_owned();
    let edited = rig
        .cook
        .send(
            Method::PUT,
            &menu_path,
            Some(&etag),
            Some(json!({ "items": [
                { "day": 1, "meal": "lunch", "slot": "soup", "dish_id": stew },
                { "day": 1, "meal": "dinner", "slot": "fish", "dish_id": cod },
            ] })),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let monday = served(&rig, "2026-03-09").await;
    assert_eq!(monday["items"][1]["slot"], "soup");
    assert_eq!(monday["items"][1]["dish"]["name"], "Lapskaus");
    // Tuesday's night meal was removed by the edit; the template still has it.
    assert_eq!(served(&rig, "2026-03-10").await["items"], json!([]));

    // Published: replace overwrites it from the template, and it stays published, changed.
    let etag = rig.cook.get(&menu_path).await.header("etag").to_owned();
    let published = rig
        .cook
        .send(
            Method::POST,
            &format!("{menu_path}/publish"),
            Some(&etag),
            None,
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    assert_eq!(served(&rig, "2026-03-09").await["published"], true);
    let refused = rig.cook.post(&generate(11), json!({})).await;
    assert_eq!(refused.status, 409);
    let again = rig
        .cook
        .post(&generate(11), json!({ "replace": true }))
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    let body = again.json();
    assert_eq!(body["replaced"], true);
    assert_eq!(body["menu"]["status"], "published");
    assert_eq!(body["menu"]["changed_after_publish"], true);
    assert_eq!(body["menu"]["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        served(&rig, "2026-03-10").await["items"][0]["dish"]["name"],
        "Lapskaus"
    );

    // Both generations are in the audit log.
    let audit = rig.admin.get("/api/v1/audit?per_page=100").await.json();
    let generated = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "offshore_menu_cycle.generated")
        .count();
    assert_eq!(generated, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_galley_cannot_see_or_use_a_cycle() {
    let app = TestApp::new().await;
    let ours = rig(&app, "Our rig").await;
    let theirs = rig(&app, "Their rig").await;
    set_cycle(&ours, 4, 2026, 10, 1).await;
    let soup = dish(&ours.admin, "Our soup", "soup").await;
    let saved = set_week(
        &ours,
        1,
        json!([{ "day": 1, "meal": "lunch", "slot": "soup", "dish_id": soup }]),
    )
    .await;
    assert_eq!(saved.status, 200);
    // Their people reach none of our paths.
    for path in ["menu-cycle", "menu-cycle/weeks/1", "served/2026-03-02"] {
        let read = theirs.admin.get(&ours.path(path)).await;
        assert_eq!(read.status, 404, "{path}");
    }
    let generate = theirs
        .cook
        .post(
            &ours.path("menu-cycle/generate/2026/10"),
            json!({ "replace": true }),
        )
        .await;
    assert_eq!(generate.status, 404);
    // Their own galley has no cycle and cannot name our dish in a template.
    assert_eq!(served(&theirs, "2026-03-02").await["source"], "none");
    set_cycle(&theirs, 2, 2026, 10, 1).await;
    let refused = set_week(
        &theirs,
        1,
        json!([{ "day": 1, "meal": "lunch", "slot": "soup", "dish_id": soup }]),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(fields(&refused.json()), ["items[0].dish_id"]);
    // And our week's menu was never written.
    let menu = ours
        .cook
        .get(&format!("/api/v1/sites/{}/menus/2026/10", ours.site))
        .await
        .json();
    assert_eq!(menu["version"], 0);
}
