//! The offshore prep list and freezer over the API: every status move allowed or refused as
//! the rule says (with its history row), lost races, take-outs in exact thousandths that stop
//! at zero, expiry states on fixed dates, tasks made from the menu (twice, changing nothing the
//! second time), another tenant's galley, and a cook on a phone.

use axum::http::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::TestApp;
use crate::offshore_rota::{Rig, rig};

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn reason(problem: &Value) -> String {
    problem["errors"][0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn add_task(rig: &Rig<'_>, date: &str, title: &str) -> Value {
    let made = rig
        .cook
        .post(
            &rig.path(&format!("prep/{date}")),
            json!({ "title": title }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());
    made.json()
}

async fn move_to(rig: &Rig<'_>, task: &Value, status: &str) -> crate::harness::TestResponse {
    rig.cook
        .patch(
            &rig.path(&format!("prep-tasks/{}", task["id"])),
            task["etag"].as_str(),
            json!({ "status": status }),
        )
        .await
}

async fn day(rig: &Rig<'_>, date: &str) -> Value {
    let read = rig.viewer.get(&rig.path(&format!("prep/{date}"))).await;
    assert_eq!(read.status, 200, "{}", read.text());
    read.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_status_move_is_allowed_or_refused_as_the_rule_says() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Prep moves").await;
    // (from, to, allowed, what a refusal lists as allowed), written out from the rule.
    let pairs = [
        ("todo", "doing", true, ""),
        ("todo", "blocked", true, ""),
        ("todo", "done", true, ""),
        ("todo", "cancelled", true, ""),
        ("doing", "todo", true, ""),
        ("doing", "blocked", true, ""),
        ("doing", "done", true, ""),
        ("doing", "cancelled", true, ""),
        ("blocked", "todo", true, ""),
        ("blocked", "doing", true, ""),
        ("blocked", "done", false, "todo, doing, cancelled"),
        ("blocked", "cancelled", true, ""),
        ("done", "todo", true, ""),
        ("done", "doing", false, "todo"),
        ("done", "blocked", false, "todo"),
        ("done", "cancelled", false, "todo"),
        ("cancelled", "todo", true, ""),
        ("cancelled", "doing", false, "todo"),
        ("cancelled", "blocked", false, "todo"),
        ("cancelled", "done", false, "todo"),
    ];
    for (i, (from, to, allowed, listed)) in pairs.into_iter().enumerate() {
        let mut task = add_task(&rig, "2026-03-10", &format!("{i}: {from} to {to}")).await;
        assert_eq!(task["status"], "todo");
        assert_eq!(task["history"].as_array().unwrap().len(), 1);
        if from != "todo" {
            let there = move_to(&rig, &task, from).await;
            assert_eq!(there.status, 200, "{}", there.text());
            task = there.json();
        }
        let before = task["history"].as_array().unwrap().len();
        let moved = move_to(&rig, &task, to).await;
        if allowed {
            assert_eq!(moved.status, 200, "{from} -> {to}: {}", moved.text());
            let body = moved.json();
            assert_eq!(body["status"], to);
            assert_eq!(moved.header("etag"), body["etag"].as_str().unwrap());
            let history = body["history"].as_array().unwrap();
            assert_eq!(history.len(), before + 1, "{from} -> {to}");
            let last = &history[before];
            assert_eq!(last["from_status"], from);
            assert_eq!(last["to_status"], to);
            assert_eq!(last["changed_by_name"], "cook");
        } else {
            assert_eq!(moved.status, 422, "{from} -> {to}: {}", moved.text());
            assert_eq!(fields(&moved.json()), ["status"]);
            assert!(
                reason(&moved.json()).ends_with(&format!("allowed next: {listed}")),
                "{}",
                reason(&moved.json())
            );
            // Nothing changed, and nothing was written to the history.
            let id = task["id"].clone();
            let now = day(&rig, "2026-03-10").await;
            let stored = now["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == id)
                .unwrap()
                .clone();
            assert_eq!(stored["status"], from);
            assert_eq!(stored["history"].as_array().unwrap().len(), before);
        }
    }
    // The day lists them in the order they were added, with the first status by whom.
    let listed = day(&rig, "2026-03-10").await;
    let tasks = listed["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 20);
    assert_eq!(tasks[0]["title"], "0: todo to doing");
    assert_eq!(tasks[0]["position"], 0);
    assert_eq!(tasks[19]["position"], 19);
    assert_eq!(tasks[0]["history"][0]["from_status"], Value::Null);
    assert_eq!(tasks[0]["history"][0]["to_status"], "todo");
    assert_eq!(tasks[0]["history"][0]["changed_by_name"], "cook");
    assert_eq!(
        tasks[0]["allowed_next"],
        json!(["done", "blocked", "todo", "cancelled"])
    );

    // Viewers read but never move; an unknown status is refused.
    let task = &tasks[0];
    let path = rig.path(&format!("prep-tasks/{}", task["id"]));
    let viewer = rig
        .viewer
        .patch(&path, task["etag"].as_str(), json!({ "status": "done" }))
        .await;
    assert_eq!(viewer.status, 403);
    let unknown = move_to(&rig, task, "finished").await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    // Sending the status it has is no move: no history row.
    let same = move_to(&rig, task, "doing").await;
    assert_eq!(same.status, 200, "{}", same.text());
    assert_eq!(same.json()["history"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_edit_with_the_same_etag_loses() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Prep race").await;
    let task = add_task(&rig, "2026-03-10", "Skjær løk").await;
    let path = rig.path(&format!("prep-tasks/{}", task["id"]));
    let etag = task["etag"].as_str().unwrap();
    let first = rig
        .cook
        .patch(&path, Some(etag), json!({ "status": "doing" }))
        .await;
    assert_eq!(first.status, 200, "{}", first.text());
    let second = rig
        .admin
        .patch(
            &path,
            Some(etag),
            json!({ "title": "Skjær rødløk", "status": "done" }),
        )
        .await;
    assert_eq!(second.status, 412, "{}", second.text());
    assert_eq!(second.json()["current_etag"], first.header("etag"));
    let missing = rig.cook.patch(&path, None, json!({ "notes": "x" })).await;
    assert_eq!(missing.status, 428);
    // The loser changed nothing: one move, by the cook.
    let stored = &day(&rig, "2026-03-10").await["tasks"][0];
    assert_eq!(stored["title"], "Skjær løk");
    assert_eq!(stored["status"], "doing");
    assert_eq!(stored["history"].as_array().unwrap().len(), 2);

    // Renaming onto another task's title of that day is refused by name.
    add_task(&rig, "2026-03-10", "Kok poteter").await;
    let clash = rig
        .cook
        .patch(
            &path,
            Some(first.header("etag")),
            json!({ "title": "Kok  poteter" }),
        )
        .await;
    assert_eq!(clash.status, 422, "{}", clash.text());
    assert_eq!(fields(&clash.json()), ["title"]);

    let stale = rig.cook.delete(&path, Some(etag)).await;
    assert_eq!(stale.status, 412);
    let removed = rig.cook.delete(&path, Some(first.header("etag"))).await;
    assert_eq!(removed.status, 204);
    let left = day(&rig, "2026-03-10").await;
    assert_eq!(left["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(left["tasks"][0]["title"], "Kok poteter");

    // The same for a freezer item.
    let item = rig
        .cook
        .post(
            &rig.path("freezer"),
            json!({ "name": "Laks", "quantity": 3, "unit": "kg",
                    "frozen_on": "2026-03-01", "use_by": "2026-06-01" }),
        )
        .await
        .json();
    let item_path = rig.path(&format!("freezer/{}", item["id"]));
    let tag = item["etag"].as_str().unwrap();
    let renamed = rig
        .cook
        .patch(&item_path, Some(tag), json!({ "location": "Hylle 2" }))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    let late = rig
        .cook
        .send(
            Method::POST,
            &format!("{item_path}/take-out"),
            Some(tag),
            Some(json!({ "quantity": 1 })),
        )
        .await;
    assert_eq!(late.status, 412, "{}", late.text());
    assert_eq!(late.json()["current_etag"], renamed.header("etag"));
}

async fn take(rig: &Rig<'_>, item: &Value, quantity: Value) -> crate::harness::TestResponse {
    rig.cook
        .send(
            Method::POST,
            &rig.path(&format!("freezer/{}/take-out", item["id"])),
            item["etag"].as_str(),
            Some(json!({ "quantity": quantity, "reason": "middag" })),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn take_outs_count_in_thousandths_and_stop_at_zero() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Freezer sums").await;
    let made = rig
        .cook
        .post(
            &rig.path("freezer"),
            json!({ "name": "  Kjøttkaker ", "quantity": 1.5, "unit": "kg",
                    "frozen_on": "2026-03-01", "use_by": "2026-05-01", "location": "Fryser 1" }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());
    let mut item = made.json();
    assert_eq!(item["name"], "Kjøttkaker");
    assert_eq!(item["quantity_milli"], 1500);
    // 0.1 three times, which floats would not leave at exactly 1.2.
    for _ in 0..3 {
        let taken = take(&rig, &item, json!(0.1)).await;
        assert_eq!(taken.status, 200, "{}", taken.text());
        item = taken.json();
    }
    assert_eq!(item["quantity_milli"], 1200);
    assert_eq!(item["quantity"], json!(1.2));

    let too_much = take(&rig, &item, json!(1.201)).await;
    assert_eq!(too_much.status, 422, "{}", too_much.text());
    assert_eq!(fields(&too_much.json()), ["quantity"]);
    assert_eq!(reason(&too_much.json()), "is more than there is (1.2) kg");
    for bad in [json!(0), json!(-1), json!(0.0001), json!("1")] {
        let refused = take(&rig, &item, bad.clone()).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.text());
    }

    let all = take(&rig, &item, json!(1.2)).await;
    assert_eq!(all.status, 200, "{}", all.text());
    item = all.json();
    assert_eq!(item["quantity_milli"], 0);
    // Empty, but still listed.
    let listed = rig.viewer.get(&rig.path("freezer")).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["quantity"], json!(0.0));
    let more = take(&rig, &item, json!(0.001)).await;
    assert_eq!(more.status, 422);
    assert_eq!(reason(&more.json()), "is more than there is (0) kg");

    // Put in, three times 0.1, then 1.2: five moves; four take-outs audited.
    let mut pooled = app.app.state.db.get().await.unwrap();
    let id = item["id"].as_i64().unwrap();
    let moves = galley_offshore::prep::freezer_store::move_count(&mut pooled.conn(), id)
        .await
        .unwrap();
    assert_eq!(moves, 5);
    drop(pooled);
    let audit = rig
        .admin
        .get("/api/v1/audit?action=offshore_freezer.taken_out&per_page=100")
        .await
        .json();
    let rows = audit["items"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{audit}");
    let forbidden = rig
        .viewer
        .send(
            Method::POST,
            &rig.path(&format!("freezer/{id}/take-out")),
            item["etag"].as_str(),
            Some(json!({ "quantity": 0.001 })),
        )
        .await;
    assert_eq!(forbidden.status, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn expiry_states_are_reckoned_from_the_day_asked() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Freezer dates").await;
    for (name, use_by) in [
        ("Fine", "2026-03-14"),
        ("Expired", "2026-03-09"),
        ("In three days", "2026-03-13"),
        ("Today", "2026-03-10"),
    ] {
        let made = rig
            .cook
            .post(
                &rig.path("freezer"),
                json!({ "name": name, "quantity": 2, "unit": "portions",
                        "frozen_on": "2026-01-05", "use_by": use_by }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
    }
    let read = rig
        .viewer
        .get(&rig.path("freezer?warn_days=3&as_of=2026-03-10"))
        .await;
    assert_eq!(read.status, 200, "{}", read.text());
    let body = read.json();
    assert_eq!(body["today"], "2026-03-10");
    let states: Vec<(String, String, i64)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["expiry"].as_str().unwrap().to_owned(),
                i["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("Expired", "expired", -1),
        ("Today", "expires_soon", 0),
        ("In three days", "expires_soon", 3),
        ("Fine", "fine", 4),
    ];
    assert_eq!(
        states,
        expected
            .iter()
            .map(|(n, e, d)| ((*n).to_owned(), (*e).to_owned(), *d))
            .collect::<Vec<_>>()
    );
    // A shorter horizon warns about less.
    let narrow = rig
        .viewer
        .get(&rig.path("freezer?warn_days=0&as_of=2026-03-10"))
        .await
        .json();
    assert_eq!(narrow["items"][2]["expiry"], "fine");
    assert_eq!(narrow["items"][1]["expiry"], "expires_soon");

    let wide = rig.viewer.get(&rig.path("freezer?warn_days=400")).await;
    assert_eq!(wide.status, 422);
    assert_eq!(fields(&wide.json()), ["warn_days"]);
    let backwards = rig
        .cook
        .post(
            &rig.path("freezer"),
            json!({ "name": "Backwards", "quantity": 1, "unit": "l",
                    "frozen_on": "2026-03-10", "use_by": "2026-03-09" }),
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert_eq!(fields(&backwards.json()), ["use_by"]);
    let odd = rig
        .cook
        .post(
            &rig.path("freezer"),
            json!({ "name": "", "quantity": 1.0005, "unit": "l",
                    "frozen_on": "2026-03-10", "use_by": "2026-03-19" }),
        )
        .await;
    assert_eq!(odd.status, 422);
    assert_eq!(fields(&odd.json()), ["name", "quantity"]);
}

async fn dish(rig: &Rig<'_>, name: &str) -> i64 {
    let made = rig
        .admin
        .post(
            "/api/v1/dishes",
            json!({ "name": name, "category": "main", "allergens": [] }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());
    made.json()["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tasks_are_made_from_the_days_menu_once() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Prep menu").await;
    let generate = |date: &str| {
        let path = rig.path(&format!("prep/{date}/generate"));
        let cook = &rig.cook;
        async move { cook.send(Method::POST, &path, None, Some(json!({}))).await }
    };
    // No menu for week 11 yet.
    let none = generate("2026-03-10").await;
    assert_eq!(none.status, 422, "{}", none.text());
    assert_eq!(fields(&none.json()), ["date"]);
    assert!(reason(&none.json()).contains("no menu for week 11 of 2026"));

    let (fish, stew, cake) = (
        dish(&rig, "Fiskesuppe").await,
        dish(&rig, "Lapskaus").await,
        dish(&rig, "Sjokoladekake").await,
    );
    let menu_path = format!("/api/v1/sites/{}/menus/2026/11", rig.site);
    let week = rig.cook.get(&menu_path).await;
    // Tuesday 10 March: the stew twice (lunch and dinner) and the fish; Wednesday the cake.
    let items = json!({ "items": [
        { "day": 2, "meal": "lunch", "slot": "alt1", "dish_id": stew },
        { "day": 2, "meal": "lunch", "slot": "alt2", "dish_id": fish },
        { "day": 2, "meal": "dinner", "slot": "main", "dish_id": stew },
        { "day": 3, "meal": "lunch", "slot": "alt1", "dish_id": cake },
    ]});
    let saved = rig
        .cook
        .send(
            Method::PUT,
            &menu_path,
            Some(week.header("etag")),
            Some(items),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());

    add_task(&rig, "2026-03-10", "Tin laks").await;
    let first = generate("2026-03-10").await;
    assert_eq!(first.status, 200, "{}", first.text());
    let body = first.json();
    assert_eq!(body["created"], 2);
    assert_eq!(body["skipped"], 0);
    let titles: Vec<&str> = body["day"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    // After the task already there; in the menu's order (dinner sorts before lunch).
    assert_eq!(titles, ["Tin laks", "Lapskaus", "Fiskesuppe"]);
    assert_eq!(
        body["day"]["tasks"][1]["history"][0]["note"],
        "from the menu"
    );

    // Again: nothing new, nothing doubled.
    let again = generate("2026-03-10").await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["created"], 0);
    assert_eq!(again.json()["skipped"], 2);
    assert_eq!(
        day(&rig, "2026-03-10").await["tasks"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // A dish that already has a task by hand is skipped; another day has its own dishes.
    add_task(&rig, "2026-03-11", "Sjokoladekake").await;
    let wednesday = generate("2026-03-11").await.json();
    assert_eq!(wednesday["created"], 0);
    assert_eq!(wednesday["skipped"], 1);
    // A day of the week with no dishes.
    let sunday = generate("2026-03-15").await;
    assert_eq!(sunday.status, 422);
    let audit = rig
        .admin
        .get("/api/v1/audit?action=offshore_prep.generated&per_page=100")
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    let viewer = rig
        .viewer
        .send(
            Method::POST,
            &rig.path("prep/2026-03-10/generate"),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(viewer.status, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_galley_is_out_of_reach() {
    let app = TestApp::new().await;
    let a = rig(&app, "Prep A").await;
    let b = rig(&app, "Prep B").await;
    let task = add_task(&b, "2026-03-10", "B's task").await;
    let item = b
        .cook
        .post(
            &b.path("freezer"),
            json!({ "name": "B's fish", "quantity": 1, "unit": "kg",
                    "frozen_on": "2026-03-01", "use_by": "2026-04-01" }),
        )
        .await
        .json();
    // A names B's site: 404 everywhere.
    for path in [b.path("prep/2026-03-10"), b.path("freezer")] {
        assert_eq!(a.cook.get(&path).await.status, 404, "{path}");
    }
    let moved = a
        .cook
        .patch(
            &b.path(&format!("prep-tasks/{}", task["id"])),
            Some("*"),
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(moved.status, 404);
    // A names its own site with B's ids: 404 too.
    let moved = a
        .cook
        .patch(
            &a.path(&format!("prep-tasks/{}", task["id"])),
            Some("*"),
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(moved.status, 404);
    let taken = a
        .cook
        .send(
            Method::POST,
            &a.path(&format!("freezer/{}/take-out", item["id"])),
            Some("*"),
            Some(json!({ "quantity": 1 })),
        )
        .await;
    assert_eq!(taken.status, 404);
    assert!(
        day(&a, "2026-03-10").await["tasks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        b.viewer.get(&b.path("freezer")).await.json()["items"][0]["quantity_milli"],
        1000
    );
}

/// The pages answer readers and refuse a viewer's form.
#[tokio::test(flavor = "multi_thread")]
async fn the_pages_show_the_day_and_the_freezer() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Prep pages").await;
    add_task(&rig, "2026-03-10", "Skrell poteter").await;
    let page = rig.viewer.get("/offshore/prep/2026-03-10").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Skrell poteter"), "{html}");
    // Viewers get no buttons.
    assert!(!html.contains("prep-moves"), "{html}");
    let cook = rig.cook.get("/offshore/prep?date=2026-03-10").await.text();
    assert!(cook.contains("class=\"prep-moves"), "{cook}");
    assert_eq!(
        rig.viewer.get("/offshore/prep/2026-13-10").await.status,
        404
    );
    assert_eq!(rig.viewer.get("/offshore/freezer").await.status, 200);
    let refused = form(&rig.viewer, "/offshore/prep/2026-03-10", "title=Nope").await;
    assert_eq!(refused.status, 403);
    let added = form(&rig.cook, "/offshore/prep/2026-03-10", "title=Kok+ris").await;
    assert_eq!(added.status, 303, "{}", added.text());
    assert_eq!(
        day(&rig, "2026-03-10").await["tasks"][1]["title"],
        "Kok ris"
    );
}

pub(crate) async fn form(
    client: &Client<'_>,
    path: &str,
    body: &str,
) -> crate::harness::TestResponse {
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("csrf_token={}&{body}", client.csrf),
        )
        .await
}

mod in_a_browser {
    use super::*;
    use crate::browser::{Browser, within_time_limit};

    fn email(role: &str, index: usize, name: &str) -> String {
        format!(
            "{role}-{index}-{}@example.no",
            name.to_lowercase().replace(' ', "-")
        )
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_cook_ticks_a_task_done_on_a_phone_and_sees_what_expires() {
        const TEST: &str = "offshore-prep";
        const NAME: &str = "Gullfaks C";
        let app = TestApp::new().await;
        let rig = rig(&app, NAME).await;
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
        let date = today.to_string();
        let thaw = add_task(&rig, &date, "Tin laks til middag").await;
        add_task(&rig, &date, "Skrell poteter").await;
        let soon = rig
            .cook
            .post(
                &rig.path("freezer"),
                json!({ "name": "Laks", "quantity": 4.5, "unit": "kg", "location": "Fryser 2",
                        "frozen_on": (today - chrono::Duration::days(60)).to_string(),
                        "use_by": (today + chrono::Duration::days(1)).to_string() }),
            )
            .await
            .json();
        rig.cook
            .post(
                &rig.path("freezer"),
                json!({ "name": "Kjøttkaker", "quantity": 40, "unit": "portions",
                        "frozen_on": today.to_string(),
                        "use_by": (today + chrono::Duration::days(90)).to_string() }),
            )
            .await;

        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&email("cook", 1, NAME)).await;
            phone.goto(&format!("/offshore/prep/{date}")).await;
            assert!(
                phone
                    .text("main h1")
                    .await
                    .starts_with("Forberedelsesliste")
            );
            let task = format!("#task-{}", thaw["id"]);
            assert_eq!(phone.text(&format!("{task} .prep-status")).await, "Å gjøre");
            phone.assert_fits_width().await;
            phone.submit(&format!("{task} button[value='done']")).await;
            phone.wait_for_url("done=saved").await;
            assert_eq!(phone.text(&format!("{task} .prep-status")).await, "Ferdig");
            assert!(
                phone
                    .text(&format!("{task} .prep-last"))
                    .await
                    .contains("cook")
            );
            // Done can only be reopened.
            assert_eq!(
                phone
                    .find_all(&format!("{task} .prep-moves button"))
                    .await
                    .len(),
                1
            );
            phone.screenshot("prep-phone").await;

            phone.goto("/offshore/freezer").await;
            assert_eq!(phone.text("main h1").await, "Fryser");
            assert!(
                phone
                    .text("#expiry-warning")
                    .await
                    .contains("1 vare(r) har gått ut eller må brukes innen 3 dager"),
                "{}",
                phone.text("#expiry-warning").await
            );
            let item = format!("#item-{}", soon["id"]);
            assert_eq!(
                phone.text(&format!("{item} .expiry")).await,
                "⚠ Brukes innen 1 dag(er)"
            );
            // Soonest first.
            assert_eq!(
                phone.text("#freezer li:first-child .freezer-name").await,
                "Laks"
            );
            // A decimal comma in Norwegian.
            assert_eq!(
                phone.text(&format!("{item} .freezer-amount")).await,
                "4,5 kg · Fryser 2"
            );
            phone.assert_fits_width().await;
            phone.screenshot("freezer-phone").await;

            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(&email("admin", 0, NAME)).await;
            desktop.goto(&format!("/offshore/prep/{date}")).await;
            assert_eq!(desktop.find_all("#prep-list li").await.len(), 2);
            desktop.screenshot("prep-desktop").await;
            desktop.goto("/offshore/freezer").await;
            desktop.screenshot("freezer-desktop").await;
            let reports: Vec<String> = [&phone, &desktop]
                .iter()
                .flat_map(|b| b.csp_reports())
                .collect();
            assert!(reports.is_empty(), "{reports:?}");
        })
        .await;
    }
}
