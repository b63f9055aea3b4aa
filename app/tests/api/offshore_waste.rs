//! The offshore waste log over the API: entries with their rules and ETags, day and week
//! summaries, portion advice from an inserted history, guidelines, the CSV import (dry run and
//! all-or-nothing apply) and another tenant's site.

use axum::http::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::{TestApp, TestResponse};
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

fn entry(date: &str, meal: &str, category: &str, guests: u32, kg: [f64; 3]) -> Value {
    json!({
        "date": date, "meal": meal, "category": category, "guests": guests,
        "produced_kg": kg[0], "served_kg": kg[1], "leftover_kg": kg[2],
    })
}

async fn log(rig: &Rig<'_>, body: Value) -> Value {
    let made = rig.cook.post(&rig.path("waste"), body).await;
    assert_eq!(made.status, 201, "{}", made.text());
    made.json()
}

async fn import(client: &Client<'_>, path: &str, csv: &str, content_type: &str) -> TestResponse {
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("x-csrf-token", client.csrf.as_str()),
                ("content-type", content_type),
            ],
            csv.to_owned(),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_are_checked_versioned_and_removed() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Waste rig").await;
    let mut body = entry("2026-03-02", "lunch", "soup", 40, [12.5, 10.25, 2.25]);
    body["dish"] = json!("  Fiskesuppe ");
    let made = rig.cook.post(&rig.path("waste"), body).await;
    assert_eq!(made.status, 201, "{}", made.text());
    let first = made.json();
    assert_eq!(made.header("etag"), first["etag"]);
    assert_eq!(first["dish"], "Fiskesuppe");
    assert_eq!(
        (
            &first["produced_g"],
            &first["served_g"],
            &first["leftover_g"]
        ),
        (&json!(12_500), &json!(10_250), &json!(2_250))
    );
    assert_eq!(first["served_kg"], 10.25);

    // Every broken rule is named: a fourth decimal, a date out of range, too many guests,
    // more served than produced.
    let bad = rig
        .cook
        .post(
            &rig.path("waste"),
            entry("1999-12-31", "dinner", "fish", 2001, [1.0, 1.5, 0.0005]),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert_eq!(
        fields(&bad.json()),
        ["leftover_kg", "date", "guests", "served_kg"]
    );
    let viewer = rig
        .viewer
        .post(
            &rig.path("waste"),
            entry("2026-03-02", "lunch", "soup", 1, [1.0, 1.0, 0.0]),
        )
        .await;
    assert_eq!(viewer.status, 403);

    let path = rig.path(&format!("waste/{}", first["id"]));
    let v1 = first["etag"].as_str().unwrap();
    assert_eq!(
        rig.cook
            .patch(&path, None, json!({ "served_kg": 11 }))
            .await
            .status,
        428
    );
    let changed = rig
        .cook
        .patch(&path, Some(v1), json!({ "served_kg": 11, "dish": " " }))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["served_g"], 11_000);
    assert_eq!(changed.json()["dish"], Value::Null);
    assert_eq!(changed.json()["produced_g"], 12_500);
    let stale = rig
        .cook
        .patch(&path, Some(v1), json!({ "guests": 41 }))
        .await;
    assert_eq!(stale.status, 412);
    let v2 = changed.header("etag").to_owned();
    let over = rig
        .cook
        .patch(&path, Some(&v2), json!({ "served_kg": 13 }))
        .await;
    assert_eq!(over.status, 422);
    assert_eq!(fields(&over.json()), ["served_kg"]);

    assert_eq!(rig.cook.delete(&path, Some(v1)).await.status, 412);
    assert_eq!(rig.cook.delete(&path, Some(&v2)).await.status, 204);
    let list = rig
        .viewer
        .get(&rig.path("waste?from=2026-03-01&to=2026-03-31"))
        .await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.json(), json!([]));
    let too_long = rig
        .viewer
        .get(&rig.path("waste?from=2026-01-01&to=2027-01-02"))
        .await;
    assert_eq!(too_long.status, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn day_and_week_summaries_add_up_by_hand() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Summary rig").await;
    for body in [
        entry("2026-03-02", "lunch", "meat", 40, [12.0, 10.5, 1.5]),
        entry("2026-03-02", "dinner", "meat", 38, [9.0, 8.0, 1.0]),
        entry("2026-03-02", "lunch", "soup", 40, [6.0, 5.0, 0.7]),
        entry("2026-03-04", "night", "night_meal", 12, [3.0, 2.0, 1.0]),
        entry("2026-03-09", "lunch", "fish", 40, [99.0, 0.0, 0.0]),
    ] {
        log(&rig, body).await;
    }
    let day = rig.viewer.get(&rig.path("waste/days/2026-03-02")).await;
    assert_eq!(day.status, 200, "{}", day.text());
    let day = day.json();
    let meals = day["meals"].as_array().unwrap();
    assert_eq!(meals.len(), 2);
    // Lunch: 1500 + 700 = 2200 of 18000 left = 12.22% -> 12.2; 15500 served = 86.11% -> 86.1.
    assert_eq!(meals[0]["meal"], "lunch");
    assert_eq!(meals[0]["totals"]["guests"], 80);
    assert_eq!(meals[0]["totals"]["produced_g"], 18_000);
    assert_eq!(meals[0]["totals"]["leftover_g"], 2_200);
    assert_eq!(meals[0]["totals"]["leftover_pct"], 12.2);
    assert_eq!(meals[0]["totals"]["served_pct"], 86.1);
    // Dinner: 1000 of 9000 = 11.1%; 8000 of 9000 = 88.9%.
    assert_eq!(meals[1]["totals"]["leftover_pct"], 11.1);
    assert_eq!(meals[1]["totals"]["served_pct"], 88.9);
    // Day: 3200 of 27000 = 11.85% -> 11.9; 23500 of 27000 = 87.04% -> 87.0.
    assert_eq!(day["total"]["entries"], 3);
    assert_eq!(day["total"]["guests"], 118);
    assert_eq!(day["total"]["leftover_pct"], 11.9);
    assert_eq!(day["total"]["served_pct"], 87.0);

    let week = rig.viewer.get(&rig.path("waste/weeks/2026/10")).await;
    assert_eq!(week.status, 200, "{}", week.text());
    let week = week.json();
    assert_eq!(week["first_day"], "2026-03-02");
    let days = week["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[1]["totals"]["entries"], 0);
    assert_eq!(days[1]["totals"]["leftover_pct"], Value::Null);
    assert_eq!(days[2]["totals"]["produced_g"], 3_000);
    // Week (the 9th is next week): 4200 of 30000 left = 14.0%; 25500 served = 85.0%.
    assert_eq!(week["total"]["entries"], 4);
    assert_eq!(week["total"]["guests"], 130);
    assert_eq!(week["total"]["produced_g"], 30_000);
    assert_eq!(week["total"]["leftover_pct"], 14.0);
    assert_eq!(week["total"]["served_pct"], 85.0);

    let no_week = rig.viewer.get(&rig.path("waste/weeks/2027/53")).await;
    assert_eq!(no_week.status, 422);
    assert_eq!(fields(&no_week.json()), ["week"]);
    let no_day = rig.viewer.get(&rig.path("waste/days/2026-13-01")).await;
    assert_eq!(no_day.status, 422);
    assert_eq!(fields(&no_day.json()), ["date"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn portion_advice_from_history_and_guidelines() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Advice rig").await;
    // Fish served per guest: 350, 400, 450, 200, 900, 380 in the window; a meal without
    // guests (listed, not counted); one before the window and one on the day itself.
    for (date, guests, served) in [
        ("2026-05-01", 40, 14.0),
        ("2026-05-02", 40, 16.0),
        ("2026-05-03", 20, 9.0),
        ("2026-05-04", 10, 2.0),
        ("2026-05-05", 10, 9.0),
        ("2026-05-06", 30, 11.4),
        ("2026-05-07", 0, 0.0),
        ("2026-01-15", 10, 50.0),
        ("2026-06-01", 10, 50.0),
    ] {
        log(
            &rig,
            entry(date, "dinner", "fish", guests, [60.0, served, 1.0]),
        )
        .await;
    }
    let advice = |category: &str| {
        rig.path(&format!(
            "portion-advice?category={category}&guests=50&date=2026-06-01"
        ))
    };
    let read = rig.viewer.get(&advice("fish")).await;
    assert_eq!(read.status, 200, "{}", read.text());
    let body = read.json();
    assert_eq!(body["history_from"], "2026-02-01");
    assert_eq!(body["history_to"], "2026-05-31");
    assert_eq!(body["history"].as_array().unwrap().len(), 7);
    let rec = &body["recommendation"];
    // n = 6: one trimmed each end (200 and 900); H = (350+380+400+450)/4 = 395.
    // 0.7 x 395 + 0.3 x 400 = 396.5; x 1.05 = 416.325 -> 416 g; x 50 = 20800 g.
    assert_eq!(rec["n"], 6);
    assert_eq!(rec["trimmed_each_end"], 1);
    assert_eq!(rec["mean_g"], 395.0);
    assert_eq!(rec["baseline_g"], 400);
    assert_eq!(rec["grams_per_guest"], 416);
    assert_eq!(rec["total_g"], 20_800);
    let trimmed: Vec<bool> = rec["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["trimmed"].as_bool().unwrap())
        .collect();
    assert_eq!(trimmed, [true, false, false, false, false, true]);

    let guidelines = rig.viewer.get(&rig.path("portion-guidelines")).await;
    assert_eq!(guidelines.status, 200);
    assert_eq!(guidelines.json()["version"], 0);
    assert_eq!(guidelines.json()["guidelines"][1]["grams_per_guest"], 400);
    let v0 = guidelines.header("etag").to_owned();
    let fish = json!({ "guidelines": [{ "category": "fish", "grams_per_guest": 500 }] });
    assert_eq!(put(&rig, None, fish.clone()).await.status, 428);
    let bad = put(
        &rig,
        Some(&v0),
        json!({ "guidelines": [
            { "category": "fish", "grams_per_guest": 40 },
            { "category": "fish", "grams_per_guest": 500 }
        ] }),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        fields(&bad.json()),
        ["guidelines[0].grams_per_guest", "guidelines[1].category"]
    );
    let saved = put(&rig, Some(&v0), fish.clone()).await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json()["version"], 1);
    assert_eq!(put(&rig, Some(&v0), fish).await.status, 412);

    // 0.7 x 395 + 0.3 x 500 = 426.5; x 1.05 = 447.825 -> 448 g; x 50 = 22400 g.
    let rec = rig.viewer.get(&advice("fish")).await.json()["recommendation"].clone();
    assert_eq!(rec["baseline_g"], 500);
    assert_eq!(rec["grams_per_guest"], 448);
    assert_eq!(rec["total_g"], 22_400);
    // No meat history: the default 400 x 1.05 = 420 g.
    let meat = rig.viewer.get(&advice("meat")).await.json()["recommendation"].clone();
    assert_eq!(
        (&meat["n"], &meat["grams_per_guest"]),
        (&json!(0), &json!(420))
    );
    let none = rig
        .viewer
        .get(&rig.path("portion-advice?category=fish&guests=0"))
        .await;
    assert_eq!(none.status, 422);
    assert_eq!(fields(&none.json()), ["guests"]);
}

async fn put(rig: &Rig<'_>, etag: Option<&str>, body: Value) -> TestResponse {
    rig.cook
        .send(
            Method::PUT,
            &rig.path("portion-guidelines"),
            etag,
            Some(body),
        )
        .await
}

const CSV_HEADER: &str = "Dato;Måltid;Kategori;Rett;Gjester;Produsert kg;Servert kg;Rester kg\n";

#[tokio::test(flavor = "multi_thread")]
async fn import_reports_on_a_dry_run_and_applies_all_or_nothing() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Import rig").await;
    let rows = "2026-04-06;lunsj;suppe;Fiskesuppe;40;12,5;10,25;2,25\n\
                2026-04-06;middag;kjøtt;;38;9;8;1\n";
    let broken = format!("{CSV_HEADER}{rows}2026-04-07;natt;nattmat;;12;3;4;0\n");
    let path = rig.path("waste/import");

    let dry = import(&rig.cook, &path, &broken, "text/csv").await;
    assert_eq!(dry.status, 200, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["applied"], false);
    assert_eq!(report["created"], 2);
    assert_eq!(report["errors_total"], 1);
    assert_eq!(report["errors"][0]["line"], 4);
    assert_eq!(report["errors"][0]["field"], "served_kg");
    assert_eq!(report["rows"][0]["produced_g"], 12_500);
    assert_eq!(report["rows"][1]["category"], "meat");

    let apply = format!("{path}?dry_run=false");
    let refused = import(&rig.cook, &apply, &broken, "text/csv").await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(fields(&refused.json()), ["lines[4].served_kg"]);
    let range = rig.path("waste?from=2026-04-01&to=2026-04-30");
    assert_eq!(rig.viewer.get(&range).await.json(), json!([]));

    assert_eq!(
        import(&rig.cook, &apply, &broken, "application/json")
            .await
            .status,
        415
    );
    assert_eq!(
        import(&rig.viewer, &apply, &broken, "text/csv")
            .await
            .status,
        403
    );

    let fixed = format!("{CSV_HEADER}{rows}2026-04-07;natt;nattmat;;12;3;2;0,5\n");
    let applied = import(&rig.cook, &apply, &fixed, "text/csv").await;
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert_eq!(applied.json()["applied"], true);
    assert_eq!(applied.json()["created"], 3);
    let stored = rig.viewer.get(&range).await.json();
    assert_eq!(stored.as_array().unwrap().len(), 3);
    let day = rig
        .viewer
        .get(&rig.path("waste/days/2026-04-06"))
        .await
        .json();
    // 12500 + 9000 produced; 2250 + 1000 = 3250 left = 15.116% -> 15.1.
    assert_eq!(day["total"]["produced_g"], 21_500);
    assert_eq!(day["total"]["leftover_pct"], 15.1);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_waste_log_is_not_found() {
    let app = TestApp::new().await;
    let ours = rig(&app, "Our waste rig").await;
    let theirs = rig(&app, "Their waste rig").await;
    let their_entry = log(
        &theirs,
        entry("2026-03-02", "lunch", "soup", 10, [5.0, 4.0, 1.0]),
    )
    .await;
    let etag = their_entry["etag"].as_str().unwrap();
    assert_eq!(
        ours.admin
            .get(&theirs.path("waste?from=2026-03-01&to=2026-03-31"))
            .await
            .status,
        404
    );
    assert_eq!(
        ours.cook
            .post(
                &theirs.path("waste"),
                entry("2026-03-02", "lunch", "soup", 1, [1.0, 1.0, 0.0])
            )
            .await
            .status,
        404
    );
    let id = &their_entry["id"];
    assert_eq!(
        ours.cook
            .patch(&theirs.path(&format!("waste/{id}")), Some(etag), json!({}))
            .await
            .status,
        404
    );
    // Their entry through our own site is just as unknown.
    assert_eq!(
        ours.cook
            .delete(&ours.path(&format!("waste/{id}")), Some(etag))
            .await
            .status,
        404
    );
    for path in [
        "waste/days/2026-03-02",
        "waste/weeks/2026/10",
        "portion-advice?category=soup&guests=10",
        "portion-guidelines",
    ] {
        assert_eq!(
            ours.admin.get(&theirs.path(path)).await.status,
            404,
            "{path}"
        );
    }
    let csv = format!("{CSV_HEADER}2026-04-06;lunsj;suppe;;40;12;10;2\n");
    assert_eq!(
        import(&ours.cook, &theirs.path("waste/import"), &csv, "text/csv")
            .await
            .status,
        404
    );
}
