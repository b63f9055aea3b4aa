//! Municipal menus: the import of menu files (CSV, XLSX, DOCX samples in `docs/samples`), dry
//! run then apply, merge and idempotence; the "remember to order" checklist; and, in a real
//! browser, the import page, the week menu editor and the order list.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/samples");
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{name}")).unwrap()
}

pub(crate) fn import_path(k: &Kitchen<'_>, query: &str) -> String {
    format!("/api/v1/sites/{}/menus/import?{query}", k.site)
}

/// Posts a file as the raw body with its content type.
pub(crate) async fn post_raw(
    client: &Client<'_>,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> TestResponse {
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", &client.cookie),
                ("x-csrf-token", &client.csrf),
                ("content-type", content_type),
            ],
            body,
        )
        .await
}

/// Posts a file as the field `file` of a multipart form, as a browser would.
async fn post_form(
    client: &Client<'_>,
    path: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> TestResponse {
    let boundary = "----galley-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    post_raw(
        client,
        path,
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    )
    .await
}

fn menu_path(k: &Kitchen<'_>, year: i32, week: u32) -> String {
    format!("/api/v1/sites/{}/menus/{year}/{week}", k.site)
}

/// The dish name in (day, meal, slot) of a menu read from the API.
fn dish_in(menu: &Value, day: i64, meal: &str, slot: &str) -> Option<String> {
    menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["day"] == day && item["meal"] == meal && item["slot"] == slot)
        .map(|item| item["dish"]["name"].as_str().unwrap().to_owned())
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), None, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|row| row.action == action)
        .count()
}

async fn dish_count(client: &Client<'_>) -> i64 {
    let list = client.get("/api/v1/dishes?per_page=1").await;
    assert_eq!(list.status, StatusCode::OK);
    list.json()["total"].as_i64().unwrap()
}

fn assert_problem(response: &TestResponse, status: StatusCode) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.content_type(), "application/problem+json");
}

/// One sample: dry run reports 26 new rows and writes nothing; applying writes them all
/// once; the same file again changes nothing, not even the version.
async fn sample_imports_then_changes_nothing_again(
    file: &str,
    content_type: &str,
    week: u32,
    first_line: usize,
    check: (i64, &str, &str, &str),
) {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Importby", open_week()).await;
    let bytes = sample(file);
    let dishes_before = dish_count(&k.cook).await;

    let dry = post_form(
        &k.cook,
        &import_path(&k, "year=2026"),
        file,
        content_type,
        &bytes,
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["applied"], false);
    assert_eq!(
        report["summary"],
        json!({ "rows": 26, "created": 26, "changed": 0, "unchanged": 0,
                "new_dishes": 26, "errors": 0, "weeks": 1 })
    );
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["rows"].as_array().unwrap().len(), 26);
    assert_eq!(report["rows"][0]["line"], first_line);
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["outcome"] == "created"
                && row["new_dish"] == true
                && row["dish_id"].is_null())
    );
    let plan = &report["weeks"][0];
    assert_eq!(
        (plan["year"].as_i64(), plan["week"].as_u64()),
        (Some(2026), Some(u64::from(week)))
    );
    assert_eq!(plan["exists"], false);
    assert_eq!(plan["version"], 0);
    assert_eq!(plan["written"], false);
    // Nothing was written.
    let menu = k.cook.get(&menu_path(&k, 2026, week)).await;
    assert_eq!(menu.json()["version"], 0);
    assert_eq!(menu.json()["items"], json!([]));
    assert_eq!(dish_count(&k.cook).await, dishes_before);

    // Applied: the raw body works as well as the form.
    let applied = post_raw(
        &k.cook,
        &import_path(&k, "year=2026&dry_run=false"),
        content_type,
        bytes.clone(),
    )
    .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text());
    let report = applied.json();
    assert_eq!(report["applied"], true);
    assert_eq!(report["summary"]["created"], 26);
    let plan = &report["weeks"][0];
    assert_eq!(plan["written"], true);
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["version"], 1);
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["dish_id"].is_i64())
    );
    assert!(
        report["new_dishes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|dish| dish["id"].is_i64())
    );
    let menu = k.cook.get(&menu_path(&k, 2026, week)).await;
    assert_eq!(menu.header("etag"), plan["etag"].as_str().unwrap());
    let menu = menu.json();
    assert_eq!(menu["version"], 1);
    assert_eq!(menu["items"].as_array().unwrap().len(), 26);
    let (day, meal, slot, dish) = check;
    assert_eq!(dish_in(&menu, day, meal, slot).as_deref(), Some(dish));
    assert_eq!(dish_count(&k.cook).await, dishes_before + 26);
    // A dessert became a dessert; everything else a main course; no allergens yet.
    let dessert = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["slot"] == "dessert")
        .unwrap();
    assert_eq!(dessert["dish"]["category"], "dessert");
    assert_eq!(dessert["dish"]["allergens"], json!([]));
    assert_eq!(audit_count(&app, "menu.imported").await, 1);
    assert_eq!(audit_count(&app, "dish.created").await, 6 + 26);

    // The same file again: all unchanged, nothing written.
    let again = post_form(
        &k.cook,
        &import_path(&k, "year=2026&dry_run=false"),
        file,
        content_type,
        &bytes,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let report = again.json();
    assert_eq!(
        report["summary"],
        json!({ "rows": 26, "created": 0, "changed": 0, "unchanged": 26,
                "new_dishes": 0, "errors": 0, "weeks": 1 })
    );
    assert_eq!(report["weeks"][0]["written"], false);
    assert_eq!(report["weeks"][0]["version"], 1);
    let menu = k.cook.get(&menu_path(&k, 2026, week)).await;
    assert_eq!(menu.json()["version"], 1);
    assert_eq!(audit_count(&app, "menu.imported").await, 1);
    assert_eq!(audit_count(&app, "dish.created").await, 6 + 26);
    assert_eq!(dish_count(&k.cook).await, dishes_before + 26);
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_sample_imports_once() {
    sample_imports_then_changes_nothing_again(
        "meny-v12-2026.csv",
        "text/csv",
        12,
        2,
        (
            1,
            "lunch",
            "alt1",
            "Köttbullar med potatismos, gräddsås och lingon",
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn xlsx_sample_imports_once() {
    sample_imports_then_changes_nothing_again(
        "meny-v13-2026.xlsx",
        XLSX,
        13,
        3,
        (5, "lunch", "alt2", "Pasta med tomatsås och basilika"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn docx_sample_imports_once() {
    sample_imports_then_changes_nothing_again(
        "meny-v14-2026.docx",
        DOCX,
        14,
        5,
        (6, "dinner", "main", "Varm korv med potatismos"),
    )
    .await;
}

/// A Word menu laid out as a table (a heading row `Dag | Alt 1 | Alt 2 | Dessert | Kvällsmat`
/// and a row per day, no labels in the cells): the dry run puts every dish in its day and slot.
#[tokio::test(flavor = "multi_thread")]
async fn docx_table_sample_dry_runs_each_dish_into_its_day_and_slot() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Tabellby", open_week()).await;
    let file = "meny-tabell-v15-2026.docx";
    let dry = post_form(
        &k.cook,
        &import_path(&k, "year=2026"),
        file,
        DOCX,
        &sample(file),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["format"], "docx");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(
        report["summary"],
        json!({ "rows": 26, "created": 26, "changed": 0, "unchanged": 0,
                "new_dishes": 26, "errors": 0, "weeks": 1 })
    );
    let plan = &report["weeks"][0];
    assert_eq!(
        (plan["year"].as_i64(), plan["week"].as_i64()),
        (Some(2026), Some(15))
    );
    // Line 10: title, week heading, the five heading cells, "Måndag 6/4", "Annandag påsk".
    assert_eq!(report["rows"][0]["line"], 10);

    let found: Vec<(i64, String, String, String)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let text = |key: &str| row[key].as_str().unwrap().to_owned();
            (
                row["day"].as_i64().unwrap(),
                text("meal"),
                text("slot"),
                text("dish"),
            )
        })
        .collect();
    let weekday = |alt1: &str, alt2: &str, dessert: &str, dinner: &str| {
        vec![
            ("lunch", "alt1", alt1.to_owned()),
            ("lunch", "alt2", alt2.to_owned()),
            ("lunch", "dessert", dessert.to_owned()),
            ("dinner", "main", dinner.to_owned()),
        ]
    };
    let weekend = |alt1: &str, dessert: &str, dinner: &str| {
        vec![
            ("lunch", "alt1", alt1.to_owned()),
            ("lunch", "dessert", dessert.to_owned()),
            ("dinner", "main", dinner.to_owned()),
        ]
    };
    let days = [
        weekday(
            "Lammstek med rosmarinpotatis och rödvinssås",
            "Janssons frestelse med ägghalvor",
            "Citronfromage",
            "Potatis- och purjolökssoppa med smörgås",
        ),
        weekday(
            "Kycklinggryta med curry och ris",
            "Vegetarisk lasagne",
            "Fruktsallad med vaniljkesella",
            "Risgrynsgröt med kanel och mjölk",
        ),
        weekday(
            "Kokt torsk med äggsås och potatis",
            "Köttfärslimpa med gräddsås och potatis",
            "Rabarberkräm med mjölk",
            "Makaronipudding med skinka",
        ),
        weekday(
            "Ärtsoppa med fläsk",
            "Vegetarisk ärtsoppa",
            "Pannkakor med sylt och grädde",
            "Smörgås med ost och varm choklad",
        ),
        weekday(
            "Fiskgratäng med dillpotatis",
            "Kålpudding med lingon och potatis",
            "Chokladmousse",
            "Korv stroganoff med ris",
        ),
        weekend(
            "Stekt falukorv med stuvade makaroner",
            "Äppelkaka med vaniljsås",
            "Fisksoppa med bröd",
        ),
        weekend(
            "Fläskfilé med potatisgratäng och rödvinssås",
            "Glass med hallonsås",
            "Omelett med svampstuvning",
        ),
    ];
    let expected: Vec<(i64, String, String, String)> = days
        .into_iter()
        .zip(1..)
        .flat_map(|(dishes, day)| {
            dishes
                .into_iter()
                .map(move |(meal, slot, dish)| (day, meal.to_owned(), slot.to_owned(), dish))
        })
        .collect();
    assert_eq!(found, expected);
    // A dry run writes nothing.
    assert_eq!(
        k.cook.get(&menu_path(&k, 2026, 15)).await.json()["version"],
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_errors_lists_them_by_line_and_writes_nothing() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Felby", open_week()).await;
    let bytes = sample("meny-fel.csv");
    let dishes_before = dish_count(&k.cook).await;

    let dry = post_raw(
        &k.cook,
        &import_path(&k, "year=2026"),
        "text/csv",
        bytes.clone(),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    let places: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["field"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let lines: Vec<i64> = places.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![3, 4, 6, 7], "{places:?}");
    assert_eq!(places[0].1, "weekday");
    assert_eq!(places[1].1, "week");
    assert!(
        report["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Tosdag"),
        "{}",
        report["errors"][0]
    );
    // Each error also has a stable code for programs; a CSV error is in no Word table.
    let codes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![
            "weekday_unknown",
            "week_invalid",
            "dish_missing",
            "alternative_unknown"
        ]
    );
    assert_eq!(
        report["errors"][1],
        json!({ "line": 4, "field": "week", "code": "week_invalid",
                "reason": "week \"54\" is not a week number 1-53" })
    );
    assert_eq!(report["summary"]["errors"], 4);
    let good: Vec<i64> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(good, vec![2, 8]);

    let refused = post_raw(
        &k.cook,
        &import_path(&k, "year=2026&dry_run=false"),
        "text/csv",
        bytes,
    )
    .await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = refused.json();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields[0], "lines[3].weekday");
    assert_eq!(fields[1], "lines[4].week");
    assert_eq!(fields.len(), 4);
    // Nothing was written: no week 15, no new dishes, no audit rows.
    let menu = k.cook.get(&menu_path(&k, 2026, 15)).await.json();
    assert_eq!(menu["version"], 0);
    assert_eq!(dish_count(&k.cook).await, dishes_before);
    assert_eq!(audit_count(&app, "menu.imported").await, 0);

    // A week that exists only in long years is the importer's error, with its line.
    let csv = "År;Vecka;Dag;Måltid;Alternativ;Rätt\n2026;53;1;Lunch;1;Nyårspytt\n2027;53;1;Lunch;1;Nyårspytt\n";
    let dry = post_raw(&k.cook, &import_path(&k, ""), "text/csv", csv.into()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["summary"]["rows"], 1);
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(report["errors"][0]["field"], "week");
    assert_eq!(report["errors"][0]["code"], "week_not_in_year");
    assert_eq!(
        report["errors"][0]["reason"],
        "week 53 does not exist in 2027, which has 52 weeks"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn files_that_are_too_large_of_the_wrong_kind_or_unreadable_are_problems() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Storby", open_week()).await;
    let path = import_path(&k, "year=2026");

    // Over the server's body limit (1 MiB by default) and over the import's own 2 MiB.
    let huge = vec![b'a'; 2 * 1024 * 1024 + 1];
    assert_problem(
        &post_raw(&k.cook, &path, "text/csv", huge.clone()).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    assert_problem(
        &post_form(&k.cook, &path, "meny.csv", "text/csv", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );

    // Not a menu file at all.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let refused = post_raw(&k.cook, &path, "image/png", png.clone()).await;
    assert_problem(&refused, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("text/csv")
    );
    assert_problem(
        &post_form(
            &k.cook,
            &path,
            "meny.pdf",
            "application/pdf",
            b"%PDF-1.7\n%...",
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    assert_problem(
        &post_raw(&k.cook, &path, "application/octet-stream", png).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    assert_problem(
        &post_raw(&k.cook, &path, "application/json", b"{}".to_vec()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );

    // Claimed to be a workbook, and a zip, but garbage inside: a 422 that says so.
    let garbage = b"PK\x03\x04 this is no workbook at all".to_vec();
    let unreadable = post_raw(&k.cook, &path, XLSX, garbage.clone()).await;
    assert_problem(&unreadable, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = unreadable.json();
    assert_eq!(problem["errors"][0]["field"], "file");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Excel"),
        "{problem}"
    );
    assert_problem(
        &post_form(&k.cook, &path, "meny.xlsx", XLSX, &garbage).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    // An empty file, a form without the file, a year out of range.
    let empty = post_raw(&k.cook, &path, "text/csv", Vec::new()).await;
    assert_problem(&empty, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.json()["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("empty")
    );
    let no_file = post_raw(
        &k.cook,
        &path,
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n".to_vec(),
    )
    .await;
    assert_problem(&no_file, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_file.json()["errors"][0]["field"], "file");
    let bad_year = post_raw(
        &k.cook,
        &import_path(&k, "year=1999"),
        "text/csv",
        sample("meny-v12-2026.csv"),
    )
    .await;
    assert_problem(&bad_year, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_year.json()["errors"][0]["field"], "year");
    assert_eq!(audit_count(&app, "menu.imported").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_limit_is_its_own_when_the_server_allows_more() {
    let app = TestApp::builder()
        .set("body_limit_bytes", (8 * 1024 * 1024).to_string())
        .build()
        .await;
    let k = kitchen(&app, "Gransby", open_week()).await;
    let mut csv = sample("meny-v12-2026.csv");
    csv.resize(2 * 1024 * 1024 + 1, b'\n');
    let response = post_raw(&k.cook, &import_path(&k, "year=2026"), "text/csv", csv).await;
    assert_problem(&response, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        response.json()["detail"]
            .as_str()
            .unwrap()
            .contains("2097152"),
        "{}",
        response.text()
    );
    // Just under the limit, it is read (blank lines are skipped).
    let mut csv = sample("meny-v12-2026.csv");
    csv.resize(2 * 1024 * 1024, b'\n');
    let response = post_raw(&k.cook, &import_path(&k, "year=2026"), "text/csv", csv).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["summary"]["rows"], 26);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_merges_into_a_published_week_and_marks_it_changed() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Mergeby", open_week()).await;
    let before = k.cook.get(&k.menu_path()).await.json();
    assert_eq!(before["status"], "published");
    let version = before["version"].as_i64().unwrap();
    let names: Vec<String> = ["Köttbullar med potatismos", "Blåbärssoppa"]
        .iter()
        .map(|name| format!("{name} (mergeby)"))
        .collect();
    let (year, week) = (k.week.year, k.week.week);
    // Monday Alt 1: a new dish; Tuesday dessert: another of the kitchen's dishes; Wednesday
    // Alt 1: the dish it already has, written in another case and spacing.
    let csv = format!(
        "Vecka;Dag;Måltid;Alternativ;Rätt\n\
         {week};Måndag;Lunch;1;Pytt i panna med rödbetor\n\
         {week};Tisdag;Lunch;Dessert;{}\n\
         {week};Onsdag;Lunch;1;  {}\n",
        names[1],
        names[0].to_uppercase().replace(' ', "  ")
    );
    let query = format!("year={year}");
    let dry = post_raw(
        &k.cook,
        &import_path(&k, &query),
        "text/csv",
        csv.clone().into(),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows[0]["outcome"], "changed");
    assert_eq!(rows[0]["new_dish"], true);
    assert_eq!(rows[0]["previous_dish"]["id"], k.dishes[0]);
    assert_eq!(rows[1]["outcome"], "changed");
    assert_eq!(rows[1]["new_dish"], false);
    assert_eq!(rows[1]["dish_id"], k.dishes[5]);
    assert_eq!(rows[1]["previous_dish"]["id"], k.dishes[4]);
    assert_eq!(rows[2]["outcome"], "unchanged");
    assert_eq!(rows[2]["dish_id"], k.dishes[0]);
    assert!(rows[2]["previous_dish"].is_null());
    let plan = &report["weeks"][0];
    assert_eq!(plan["exists"], true);
    assert_eq!(plan["status"], "published");
    assert_eq!(plan["marks_changed"], true);
    assert_eq!(plan["changed_after_publish"], false);
    assert_eq!(report["new_dishes"][0]["name"], "Pytt i panna med rödbetor");
    assert_eq!(report["new_dishes"][0]["category"], "main");
    assert_eq!(report["new_dishes"][0]["lines"], json!([2]));

    // Only kitchen staff import, only into their own kitchen.
    for client in [&k.viewer, &k.department_staff[0]] {
        let refused = post_raw(
            client,
            &import_path(&k, &query),
            "text/csv",
            csv.clone().into(),
        )
        .await;
        assert_problem(&refused, StatusCode::FORBIDDEN);
    }
    let other = kitchen(&app, "Annanby", open_week()).await;
    let elsewhere = post_raw(
        &other.admin,
        &import_path(&k, &query),
        "text/csv",
        csv.clone().into(),
    )
    .await;
    assert_problem(&elsewhere, StatusCode::NOT_FOUND);

    let applied = post_raw(
        &k.admin,
        &import_path(&k, &format!("{query}&dry_run=false")),
        "text/csv",
        csv.into(),
    )
    .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text());
    let plan = &applied.json()["weeks"][0];
    assert_eq!(plan["written"], true);
    assert_eq!(plan["version"], version + 1);
    assert_eq!(plan["changed_after_publish"], true);
    assert_eq!(plan["status"], "published");

    let after = k.cook.get(&k.menu_path()).await.json();
    assert_eq!(after["version"], version + 1);
    assert_eq!(after["status"], "published");
    assert_eq!(after["changed_after_publish"], true);
    // Merged: every slot the file did not name kept its dish.
    assert_eq!(after["items"].as_array().unwrap().len(), 26);
    assert_eq!(
        dish_in(&after, 1, "lunch", "alt1").as_deref(),
        Some("Pytt i panna med rödbetor")
    );
    assert_eq!(
        dish_in(&after, 1, "lunch", "alt2"),
        dish_in(&before, 1, "lunch", "alt2")
    );
    assert_eq!(
        dish_in(&after, 2, "lunch", "dessert").as_deref(),
        Some(names[1].as_str())
    );
    assert_eq!(
        dish_in(&after, 3, "lunch", "alt1").as_deref(),
        Some(names[0].as_str())
    );
    assert_eq!(
        dish_in(&after, 7, "dinner", "main"),
        dish_in(&before, 7, "dinner", "main")
    );
    assert_eq!(audit_count(&app, "menu.imported").await, 1);
}

fn orders_path(k: &Kitchen<'_>, year: i32, week: u32) -> String {
    format!("/api/v1/municipal/sites/{}/orders/{year}/{week}", k.site)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_order_checklist_is_added_to_ticked_off_and_cleared() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Bestallby", open_week()).await;
    let (year, week) = (k.week.year, k.week.week);
    let path = orders_path(&k, year, week);

    let empty = k.viewer.get(&path).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json()["items"], json!([]));
    assert_eq!(empty.json()["week"], week);

    let added = k
        .cook
        .post(&path, json!({ "text": "  Laktosfri  grädde 5 l " }))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let line = added.json();
    assert_eq!(line["text"], "Laktosfri grädde 5 l");
    assert_eq!(line["done"], false);
    assert_eq!(added.header("etag"), line["etag"].as_str().unwrap());
    let id = line["id"].as_i64().unwrap();
    let etag = line["etag"].as_str().unwrap().to_owned();
    let item = format!("{path}/{id}");

    // Words, lengths and unknown fields are checked.
    for body in [
        json!({ "text": "" }),
        json!({ "text": "x".repeat(201) }),
        json!({ "text": "Mjölk", "extra": 1 }),
    ] {
        let refused = k.cook.post(&path, body).await;
        assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(
        k.cook
            .post(&path, json!({ "text": "x".repeat(200) }))
            .await
            .status,
        StatusCode::CREATED
    );

    // Roles: viewers read, department staff see nothing, only kitchen staff write.
    assert_problem(
        &k.viewer.post(&path, json!({ "text": "Mjölk" })).await,
        StatusCode::FORBIDDEN,
    );
    assert_problem(
        &k.department_staff[0].get(&path).await,
        StatusCode::FORBIDDEN,
    );
    assert_problem(
        &k.viewer
            .patch(&item, Some(&etag), json!({ "done": true }))
            .await,
        StatusCode::FORBIDDEN,
    );
    let other = kitchen(&app, "Grannby", open_week()).await;
    assert_problem(&other.admin.get(&path).await, StatusCode::NOT_FOUND);
    assert_problem(
        &other
            .admin
            .patch(&item, Some("*"), json!({ "done": true }))
            .await,
        StatusCode::NOT_FOUND,
    );

    // Ticking off needs the current ETag and records who and when.
    assert_problem(
        &k.cook.patch(&item, None, json!({ "done": true })).await,
        StatusCode::PRECONDITION_REQUIRED,
    );
    let stale = k
        .cook
        .patch(&item, Some("\"order-1-v0\""), json!({ "done": true }))
        .await;
    assert_problem(&stale, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], etag);
    let ticked = k
        .cook
        .patch(&item, Some(&etag), json!({ "done": true }))
        .await;
    assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.text());
    let line = ticked.json();
    assert_eq!(line["done"], true);
    assert!(line["done_at"].is_string());
    assert_eq!(line["done_by_name"], "cook");
    assert!(line["done_by"].is_i64());
    assert_eq!(line["version"], 2);
    let etag = ticked.header("etag").to_owned();
    // Ticking a ticked line changes nothing.
    let again = k
        .admin
        .patch(&item, Some(&etag), json!({ "done": true }))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["version"], 2);
    assert_eq!(again.json()["done_by_name"], "cook");
    // Unticked and reworded by the admin.
    let unticked = k
        .admin
        .patch(
            &item,
            Some(&etag),
            json!({ "done": false, "text": "Laktosfri grädde 10 l" }),
        )
        .await;
    assert_eq!(unticked.status, StatusCode::OK, "{}", unticked.text());
    assert_eq!(unticked.json()["done"], false);
    assert!(unticked.json()["done_at"].is_null());
    assert!(unticked.json()["done_by"].is_null());
    assert_eq!(unticked.json()["text"], "Laktosfri grädde 10 l");
    let etag = unticked.header("etag").to_owned();

    // Another week does not know the line; week 53 exists only in long years.
    let next = k.week.next();
    assert_problem(
        &k.cook
            .patch(
                &format!("{}/{id}", orders_path(&k, next.year, next.week)),
                Some(&etag),
                json!({ "done": true }),
            )
            .await,
        StatusCode::NOT_FOUND,
    );
    assert_problem(
        &k.cook.get(&orders_path(&k, 2027, 53)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );

    // Deleting needs If-Match too; then the line is gone.
    assert_problem(
        &k.cook.delete(&item, None).await,
        StatusCode::PRECONDITION_REQUIRED,
    );
    let deleted = k.cook.delete(&item, Some(&etag)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_problem(
        &k.cook.delete(&item, Some(&etag)).await,
        StatusCode::NOT_FOUND,
    );
    let list = k.viewer.get(&path).await.json();
    let texts: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["x".repeat(200)]);

    assert_eq!(audit_count(&app, "order_reminder.created").await, 2);
    assert_eq!(audit_count(&app, "order_reminder.updated").await, 2);
    assert_eq!(audit_count(&app, "order_reminder.deleted").await, 1);
}

// ---------------------------------------------------------------------------- pages ---

/// A multipart form as a browser sends it: text fields in order, then the file if any.
fn multipart_form(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----galley-page-boundary-31c9";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form from a page: the session cookie, and the CSRF token only as the
/// form's own field (as a browser without JavaScript sends it) when `fields` has one.
pub(crate) async fn post_multipart(
    client: &Client<'_>,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> TestResponse {
    let (content_type, body) = multipart_form(fields, file);
    client
        .app
        .request(
            Method::POST,
            path,
            &[("cookie", &client.cookie), ("content-type", &content_type)],
            body,
        )
        .await
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#43;", "+")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of the first field named `name` in a page.
fn field(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in the page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    unescape(&html[start..end])
}

/// Every field of the week form as the page holds it, with some replaced.
fn week_fields(html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for day in 1..=7 {
        for (meal, slot) in [
            ("lunch", "alt1"),
            ("lunch", "alt2"),
            ("lunch", "dessert"),
            ("dinner", "main"),
        ] {
            let name = format!("dish-{day}-{meal}-{slot}");
            let marker = format!(r#"name="{name}" value=""#);
            let Some(at) = html.find(&marker) else {
                continue;
            };
            let start = at + marker.len();
            let end = html[start..].find('"').unwrap() + start;
            let value = changes
                .iter()
                .find(|(changed, _)| *changed == name)
                .map_or_else(
                    || unescape(&html[start..end]),
                    |(_, value)| (*value).to_owned(),
                );
            fields.push((name, value));
        }
    }
    fields
}

async fn post_week(
    client: &Client<'_>,
    path: &str,
    etag: &str,
    fields: &[(String, String)],
) -> TestResponse {
    let mut all: Vec<(&str, &str)> = vec![("etag", etag)];
    all.extend(
        fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    );
    crate::console::post_form(client, path, &all).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_week_editor_shows_saves_and_guards_the_week() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Editorby", open_week()).await;
    let page_path = format!("/municipal/menus/{}/{}", k.week.year, k.week.week);

    let landing = k.cook.get("/municipal/menus").await;
    assert_eq!(landing.status, StatusCode::SEE_OTHER);
    assert!(landing.header("location").starts_with("/municipal/menus/"));

    let page = k.cook.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Köttbullar med potatismos (editorby)"));
    assert!(
        html.contains(r#"<li class="badge">Gluten</li>"#),
        "allergen badges"
    );
    assert!(html.contains("Publicerad"));
    assert!(html.contains(&format!("v. {}", k.week.week)));
    assert!(html.contains(r#"<script src="/municipal/static/editor.js" defer></script>"#));
    let api = k.cook.get(&k.menu_path()).await;
    let etag = field(&html, "etag");
    assert_eq!(etag, api.header("etag"));
    let version = api.json()["version"].as_i64().unwrap();

    // Monday's Alt 1 becomes a dish nobody has yet; Tuesday's dessert is cleared.
    let fields = week_fields(
        &html,
        &[
            ("dish-1-lunch-alt1", "  Pytt i  panna "),
            ("dish-2-lunch-dessert", ""),
        ],
    );
    // Every day has all four slots (this kitchen offers Alt 2 at weekends too).
    assert_eq!(fields.len(), 28);
    let saved = post_week(&k.cook, &page_path, &etag, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        saved.header("location"),
        format!("{page_path}?saved=1&new=1")
    );
    let menu = k.cook.get(&k.menu_path()).await.json();
    assert_eq!(menu["version"], version + 1);
    assert_eq!(menu["changed_after_publish"], true);
    assert_eq!(
        dish_in(&menu, 1, "lunch", "alt1").as_deref(),
        Some("Pytt i panna")
    );
    assert_eq!(dish_in(&menu, 2, "lunch", "dessert"), None);
    assert_eq!(menu["items"].as_array().unwrap().len(), 25);
    let pytt = k.cook.get("/api/v1/dishes?q=pytt").await.json();
    assert_eq!(pytt["items"][0]["category"], "main");
    let after = k
        .cook
        .get(&format!("{page_path}?saved=1&new=1"))
        .await
        .text();
    assert!(after.contains("Sparat"));
    assert!(after.contains("1 ny rätt skapades utan angivna allergener"));
    assert!(after.contains(r#"href="/municipal/dishes?not_stated=1""#));

    // A form read before that save: both versions are shown, ours is kept in the fields, and
    // the form now carries the current ETag so that saving again puts ours over theirs.
    let mine = week_fields(
        &html,
        &[("dish-1-lunch-alt1", "Kycklinggryta med ris (editorby)")],
    );
    let conflict = post_week(&k.cook, &page_path, &etag, &mine).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    let shown = conflict.text();
    assert!(shown.contains("Någon annan sparade veckan medan du redigerade"));
    assert!(shown.contains("Pytt i panna"), "their version is shown");
    assert!(
        shown.contains(r#"value="Kycklinggryta med ris (editorby)""#),
        "ours is kept"
    );
    let current = k.cook.get(&k.menu_path()).await;
    assert_eq!(field(&shown, "etag"), current.header("etag"));
    let resaved = post_week(
        &k.cook,
        &page_path,
        &field(&shown, "etag"),
        &week_fields(&shown, &[]),
    )
    .await;
    assert_eq!(resaved.status, StatusCode::SEE_OTHER, "{}", resaved.text());
    let menu = k.cook.get(&k.menu_path()).await.json();
    assert_eq!(
        dish_in(&menu, 1, "lunch", "alt1").as_deref(),
        Some("Kycklinggryta med ris (editorby)")
    );
    // Ours replaced theirs whole: the dessert they had cleared is back, as our form held it.
    assert_eq!(
        dish_in(&menu, 2, "lunch", "dessert").as_deref(),
        Some("Äppelkaka med vaniljsås (editorby)")
    );

    // Too long a name is refused next to its field; nothing is saved.
    let html = k.cook.get(&page_path).await.text();
    let long = "x".repeat(121);
    let refused = post_week(
        &k.cook,
        &page_path,
        &field(&html, "etag"),
        &week_fields(&html, &[("dish-3-dinner-main", &long)]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Skriv högst 120 tecken."));

    // Withdraw and publish again through the status forms. Withdrawing asks first and
    // changes nothing until confirmed.
    let etag = field(&html, "etag");
    let asked = crate::console::post_form(
        &k.cook,
        &format!("{page_path}/unpublish"),
        &[("etag", &etag)],
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
    assert!(
        asked
            .text()
            .contains("Dra tillbaka den publicerade veckan?")
    );
    assert!(asked.text().contains(r#"name="confirm" value="1""#));
    assert_eq!(
        k.cook.get(&k.menu_path()).await.json()["status"],
        "published"
    );
    let withdrawn = crate::console::post_form(
        &k.cook,
        &format!("{page_path}/unpublish"),
        &[("etag", &etag), ("confirm", "1")],
    )
    .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.text()
    );
    let menu = k.cook.get(&k.menu_path()).await;
    assert_eq!(menu.json()["status"], "draft");
    let stale =
        crate::console::post_form(&k.cook, &format!("{page_path}/publish"), &[("etag", &etag)])
            .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("Någon annan ändrade veckan nyss"));
    // The pre-flight asks first (the fixture's week has no Alt 2 at the weekend, which the
    // default settings offer), then the confirm button publishes.
    let asked = crate::console::post_form(
        &k.cook,
        &format!("{page_path}/publish"),
        &[("etag", menu.header("etag"))],
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
    assert!(asked.text().contains("Kontrollera innan du publicerar"));
    assert_eq!(k.cook.get(&k.menu_path()).await.json()["status"], "draft");
    let published = crate::console::post_form(
        &k.cook,
        &format!("{page_path}/publish"),
        &[("etag", menu.header("etag")), ("confirm", "1")],
    )
    .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    assert_eq!(
        k.cook.get(&k.menu_path()).await.json()["status"],
        "published"
    );

    // A form without the session's CSRF token is refused.
    let forged = k
        .cook
        .app
        .request(
            Method::POST,
            &page_path,
            &[
                ("cookie", &k.cook.cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "dish-1-lunch-alt1=Forged",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Viewers read the week without fields; department staff do not see the editor.
    let read = k.viewer.get(&page_path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.text().contains(r#"id="week-form""#));
    assert!(read.text().contains("Kycklinggryta med ris (editorby)"));
    let viewer_post = post_week(&k.viewer, &page_path, "*", &[]).await;
    assert_eq!(viewer_post.status, StatusCode::FORBIDDEN);
    assert_eq!(
        k.department_staff[0].get(&page_path).await.status,
        StatusCode::FORBIDDEN
    );
    // An empty form for an unwritten week writes nothing.
    let next = k.week.next();
    let next_path = format!("/municipal/menus/{}/{}", next.year, next.week);
    let blank = k.cook.get(&next_path).await.text();
    assert!(blank.contains("Ingen meny för v."));
    let kept = post_week(
        &k.cook,
        &next_path,
        &field(&blank, "etag"),
        &week_fields(&blank, &[]),
    )
    .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER);
    let unwritten = k
        .cook
        .get(&menu_path(&k, next.year, next.week))
        .await
        .json();
    assert_eq!(unwritten["version"], 0);
    // A week that does not exist is not a page.
    assert_eq!(
        k.cook.get("/municipal/menus/2027/53").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_page_previews_then_imports_the_same_file() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Sidimport", open_week()).await;
    let csv = sample("meny-v12-2026.csv");

    let form = k.cook.get("/municipal/menus/import").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains(r#"enctype="multipart/form-data""#));
    assert_eq!(
        k.viewer.get("/municipal/menus/import").await.status,
        StatusCode::FORBIDDEN
    );

    // Without the CSRF field the upload is refused.
    let forged = post_multipart(
        &k.cook,
        "/municipal/menus/import",
        &[("year", "2026")],
        Some(("meny.csv", "text/csv", &csv)),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let preview = post_multipart(
        &k.cook,
        "/municipal/menus/import",
        &[("csrf_token", &k.cook.csrf), ("year", "2026")],
        Some(("meny-v12-2026.csv", "text/csv", &csv)),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("Förhandsgranskning"));
    assert!(html.contains("Köttbullar med potatismos, gräddsås och lingon"));
    assert!(html.contains(r#"href="/municipal/menus/2026/12""#));
    assert!(html.contains(r#"id="apply-import""#));
    assert_eq!(html.matches(r#"class="row-created""#).count(), 26);
    assert_eq!(
        k.cook.get(&menu_path(&k, 2026, 12)).await.json()["version"],
        0,
        "a preview writes nothing"
    );

    let carried =
        ["file_name", "file_type", "file_hash", "file_data"].map(|name| field(&html, name));
    let apply_fields = |year: &'static str| -> Vec<(String, String)> {
        vec![
            ("csrf_token".into(), k.cook.csrf.clone()),
            ("apply".into(), "1".into()),
            ("year".into(), year.into()),
            ("file_name".into(), carried[0].clone()),
            ("file_type".into(), carried[1].clone()),
            ("file_hash".into(), carried[2].clone()),
            ("file_data".into(), carried[3].clone()),
        ]
    };
    // The carried file is sealed with the year it was previewed for.
    let tampered = apply_fields("2025");
    let pairs: Vec<(&str, &str)> = tampered
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let refused = post_multipart(&k.cook, "/municipal/menus/import", &pairs, None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Ladda upp den igen"));
    assert_eq!(
        k.cook.get(&menu_path(&k, 2026, 12)).await.json()["version"],
        0
    );

    let apply = apply_fields("2026");
    let pairs: Vec<(&str, &str)> = apply
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let applied = post_multipart(&k.cook, "/municipal/menus/import", &pairs, None).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text());
    assert!(applied.text().contains("Menyn är importerad"));
    let menu = k.cook.get(&menu_path(&k, 2026, 12)).await.json();
    assert_eq!(menu["items"].as_array().unwrap().len(), 26);
    assert_eq!(menu["version"], 1);

    // The broken sample: every error in red with its line, and no import button.
    let broken = post_multipart(
        &k.cook,
        "/municipal/menus/import",
        &[("csrf_token", &k.cook.csrf), ("year", "2026")],
        Some(("meny-fel.csv", "text/csv", &sample("meny-fel.csv"))),
    )
    .await;
    assert_eq!(broken.status, StatusCode::OK);
    let html = broken.text();
    assert_eq!(html.matches(r#"class="row-error""#).count(), 4);
    assert!(html.contains("Filen har fel och kan inte importeras"));
    assert!(!html.contains(r#"id="apply-import""#));
    // Each error in Swedish, with its data.
    for message in [
        "Okänd veckodag ”Tosdag”.",
        "Vecka ”54” är inget veckonummer mellan 1 och 53.",
        "Rätten saknas.",
        "Okänt lunchalternativ ”3”. Skriv 1, 2 eller Dessert.",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(!html.contains("unknown weekday"));
    // And in English for a reader who chose English.
    let english = post_multipart(
        &k.cook,
        "/municipal/menus/import?lang=en",
        &[("csrf_token", &k.cook.csrf), ("year", "2026")],
        Some(("meny-fel.csv", "text/csv", &sample("meny-fel.csv"))),
    )
    .await;
    assert_eq!(english.status, StatusCode::OK);
    let html = english.text();
    assert!(html.contains("Unknown day “Tosdag”."), "{html}");
    assert!(html.contains("Unknown lunch alternative “3”. Write 1, 2 or Dessert."));

    // Not a menu file: said in words next to the field.
    let png = post_multipart(
        &k.cook,
        "/municipal/menus/import",
        &[("csrf_token", &k.cook.csrf), ("year", "2026")],
        Some(("bild.png", "image/png", b"\x89PNG\r\n\x1a\n")),
    )
    .await;
    assert_eq!(png.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        png.text()
            .contains("Filen är inte en CSV-, Excel- (.xlsx) eller Word-fil (.docx).")
    );
    let nothing = post_multipart(
        &k.cook,
        "/municipal/menus/import",
        &[("csrf_token", &k.cook.csrf), ("year", "2026")],
        None,
    )
    .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing.text().contains("Välj en fil att importera."));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_order_page_adds_ticks_and_removes_lines() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Listby", open_week()).await;
    let path = format!("/municipal/orders/{}/{}", k.week.year, k.week.week);

    let landing = k.cook.get("/municipal/orders").await;
    assert_eq!(landing.status, StatusCode::SEE_OTHER);
    let empty = k.cook.get(&path).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty
            .text()
            .contains("Inget att beställa den här veckan ännu.")
    );

    let added = crate::console::post_form(&k.cook, &path, &[("text", "Havredryck 12 l")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let refused = crate::console::post_form(&k.cook, &path, &[("text", "   ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Skriv vad som ska beställas"));

    let html = k.cook.get(&path).await.text();
    assert!(html.contains("Havredryck 12 l"));
    let list = k
        .cook
        .get(&orders_path(&k, k.week.year, k.week.week))
        .await
        .json();
    let id = list["items"][0]["id"].as_i64().unwrap();
    let etag = field(&html, "etag");
    let ticked = crate::console::post_form(
        &k.cook,
        &format!("{path}/{id}/done"),
        &[("etag", &etag), ("done", "true")],
    )
    .await;
    assert_eq!(ticked.status, StatusCode::SEE_OTHER, "{}", ticked.text());
    assert_eq!(
        ticked.header("location"),
        format!("{path}?saved=1#order-{id}")
    );
    let html = k.cook.get(&path).await.text();
    assert!(html.contains("Beställt av cook"), "who ticked it off");
    assert!(html.contains(r#"aria-pressed="true""#));

    // The old ETag lost: the list is shown as it is, with why.
    let stale = crate::console::post_form(
        &k.cook,
        &format!("{path}/{id}/done"),
        &[("etag", &etag), ("done", "false")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("Någon annan ändrade raden nyss"));

    // Viewers see the list without forms.
    let read = k.viewer.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.text().contains("Havredryck 12 l"));
    assert!(!read.text().contains("/done\""));
    let viewer_add = crate::console::post_form(&k.viewer, &path, &[("text", "Mjölk")]).await;
    assert_eq!(viewer_add.status, StatusCode::FORBIDDEN);

    let etag = field(&html, "etag");
    let removed =
        crate::console::post_form(&k.cook, &format!("{path}/{id}/delete"), &[("etag", &etag)])
            .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(!k.cook.get(&path).await.text().contains("Havredryck 12 l"));
    assert_eq!(audit_count(&app, "order_reminder.deleted").await, 1);
}

// -------------------------------------------------------------------------- browser ---

mod in_a_browser {
    use std::time::Duration;

    use super::SAMPLES;
    use crate::browser::{Browser, Viewport, within_time_limit};
    use crate::harness::TestApp;
    use crate::municipal_fixture::{kitchen, open_week};
    use fantoccini::key::Key;

    async fn wait_for_text(browser: &Browser, css: &str, text: &str) {
        for _ in 0..100 {
            if let Ok(element) = browser.client.find(fantoccini::Locator::Css(css)).await
                && element.text().await.unwrap_or_default().contains(text)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "`{css}` never showed {text:?} on {}",
            browser.current_url().await
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_cook_imports_a_word_menu_edits_the_week_and_ticks_off_orders() {
        const TEST: &str = "municipal-menus";
        let app = TestApp::new().await;
        let k = kitchen(&app, "Webbkok", open_week()).await;
        let cook = "cook-1-webbkok@example.se";
        let docx = std::fs::canonicalize(format!("{SAMPLES}/meny-v14-2026.docx")).unwrap();
        within_time_limit(TEST, async {
            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(cook).await;

            // Upload the Word menu, see the preview, import it.
            desktop.goto("/municipal/menus/import").await;
            assert_eq!(desktop.text("main h1").await, "Importera meny");
            desktop.screenshot("01-import-form-desktop").await;
            desktop
                .find("#file")
                .await
                .send_keys(docx.to_str().unwrap())
                .await
                .unwrap();
            desktop.fill("#year", "2026").await;
            desktop.submit("#preview-import").await;
            desktop.wait_for_path("/municipal/menus/import").await;
            assert_eq!(desktop.text("#report-heading").await, "Förhandsgranskning");
            let table = desktop.text(".import-table").await;
            assert!(
                table.contains("Pannbiff med lök, kokt potatis och gräddsås"),
                "{table}"
            );
            assert!(table.contains("Måndag 30 mars"), "{table}");
            assert_eq!(
                desktop.find_all(".import-table tr.row-created").await.len(),
                26
            );
            desktop.screenshot("02-import-preview-desktop").await;
            desktop.scroll_to("#rows-heading", "start").await;
            desktop.screenshot("03-import-preview-rows-desktop").await;
            desktop.click("#apply-import").await;
            wait_for_text(&desktop, ".alert.success", "Menyn är importerad").await;
            desktop.screenshot("04-import-done-desktop").await;

            // The imported week in the editor.
            desktop
                .click(".week-cards a[href='/municipal/menus/2026/14']")
                .await;
            desktop.wait_for_path("/municipal/menus/2026/14").await;
            assert_eq!(
                desktop.prop("#dish-1-lunch-alt1", "value").await.as_deref(),
                Some("Pannbiff med lök, kokt potatis och gräddsås")
            );
            assert_eq!(
                desktop.prop("#dish-1-lunch-alt2", "value").await.as_deref(),
                Some("Ugnsbakad torsk med äggsås och potatis")
            );
            desktop.screenshot("05-editor-desktop").await;

            // Dish search as you type, with allergens: one of the kitchen's own dishes.
            desktop.scroll_to("#dish-3-lunch-alt2", "center").await;
            desktop.fill("#dish-3-lunch-alt2", "köttbul").await;
            let open_list = ".dish-suggestions:not([hidden])";
            wait_for_text(&desktop, open_list, "Köttbullar med potatismos (webbkok)").await;
            let suggestion = desktop.text(&format!("{open_list} li")).await;
            assert!(suggestion.contains("Gluten"), "{suggestion}");
            desktop.screenshot("06-editor-search-desktop").await;
            desktop.press(Key::Down).await;
            desktop.press(Key::Enter).await;
            assert_eq!(
                desktop.prop("#dish-3-lunch-alt2", "value").await.as_deref(),
                Some("Köttbullar med potatismos (webbkok)")
            );
            assert!(
                desktop
                    .text("#dish-3-lunch-alt2-allergens")
                    .await
                    .contains("Mjölk")
            );
            desktop.submit(".save-bar button[type=submit]").await;
            desktop.wait_for_path("/municipal/menus/2026/14").await;
            assert_eq!(
                desktop.text(".alert.success[role=status] strong").await,
                "Sparat"
            );
            let menu = k
                .cook
                .get(&format!("/api/v1/sites/{}/menus/2026/14", k.site))
                .await
                .json();
            let wednesday = menu["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|item| item["day"] == 3 && item["slot"] == "alt2")
                .unwrap();
            assert_eq!(wednesday["dish"]["id"], k.dishes[0]);
            desktop.screenshot("07-editor-saved-desktop").await;

            // Someone else saves the week on a phone meanwhile; saving here then shows both
            // versions, and "Spara min version" puts ours over theirs.
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(cook).await;
            phone.goto("/municipal/menus/2026/14").await;
            phone
                .fill("#dish-5-lunch-dessert", "Chokladpudding med grädde")
                .await;
            phone
                .scroll_to(".save-bar button[type=submit]", "center")
                .await;
            phone.submit(".save-bar button[type=submit]").await;
            phone.wait_for_path("/municipal/menus/2026/14").await;
            assert_eq!(
                phone.text(".alert.success[role=status] strong").await,
                "Sparat"
            );
            desktop
                .fill("#dish-1-dinner-main", "Raggmunk med fläsk")
                .await;
            desktop.submit(".save-bar button[type=submit]").await;
            desktop.wait_for_path("/municipal/menus/2026/14").await;
            let conflict = desktop.text("#conflict").await;
            assert!(
                conflict.contains("Någon annan sparade veckan"),
                "{conflict}"
            );
            assert!(conflict.contains("Chokladpudding med grädde"), "{conflict}");
            assert!(conflict.contains("Raggmunk med fläsk"), "{conflict}");
            desktop.screenshot("07b-editor-conflict-desktop").await;
            desktop.submit("#conflict button[type=submit]").await;
            desktop.wait_for_path("/municipal/menus/2026/14").await;
            assert_eq!(
                desktop.text(".alert.success[role=status] strong").await,
                "Sparat"
            );
            assert_eq!(
                desktop
                    .prop("#dish-1-dinner-main", "value")
                    .await
                    .as_deref(),
                Some("Raggmunk med fläsk")
            );

            // The order list on the kitchen's tablet-sized screen.
            desktop.goto("/municipal/orders/2026/14").await;
            desktop.fill("#text", "Laktosfri grädde 5 l").await;
            desktop.submit(".order-add button[type=submit]").await;
            desktop.wait_for_path("/municipal/orders/2026/14").await;
            desktop.fill("#text", "Glutenfritt bröd, 4 limpor").await;
            desktop.submit(".order-add button[type=submit]").await;
            desktop.wait_for_path("/municipal/orders/2026/14").await;
            desktop
                .submit(".order-list li:first-child .order-toggle")
                .await;
            desktop.wait_for_path("/municipal/orders/2026/14").await;
            wait_for_text(&desktop, ".order-list.done", "Laktosfri grädde 5 l").await;
            assert!(
                desktop
                    .text(".order-list.done .order-note")
                    .await
                    .starts_with("Beställt av cook")
            );
            desktop.screenshot("08-orders-desktop").await;

            // A phone: the week as cards, no sideways scrolling; and the order list.
            phone.goto("/municipal/menus/2026/14").await;
            phone.assert_fits_width().await;
            phone.screenshot("09-editor-phone").await;
            phone.scroll_to("#day-6", "start").await;
            phone.screenshot("10-editor-weekend-phone").await;
            phone.goto("/municipal/orders/2026/14").await;
            phone.assert_fits_width().await;
            phone.screenshot("11-orders-phone").await;
            phone.goto("/municipal/menus/import").await;
            phone.assert_fits_width().await;
            phone.screenshot("12-import-phone").await;
            // A file with errors: each in red with its line, and nothing to import.
            let broken = std::fs::canonicalize(format!("{SAMPLES}/meny-fel.csv")).unwrap();
            phone
                .find("#file")
                .await
                .send_keys(broken.to_str().unwrap())
                .await
                .unwrap();
            phone.scroll_to("#preview-import", "center").await;
            phone.submit("#preview-import").await;
            phone.wait_for_path("/municipal/menus/import").await;
            assert_eq!(phone.find_all(".import-table tr.row-error").await.len(), 4);
            assert!(phone.find_all("#apply-import").await.is_empty());
            phone.assert_fits_width().await;
            phone.scroll_to("#report-heading", "start").await;
            phone.screenshot("13-import-errors-phone").await;
            phone.scroll_to("#rows-heading", "start").await;
            phone.screenshot("14-import-error-rows-phone").await;

            // A wide screen: the four slots across under one head.
            let wide = Browser::open(
                &app,
                TEST,
                Viewport {
                    width: 1920,
                    height: 1080,
                },
            )
            .await;
            wide.sign_in(cook).await;
            wide.goto("/municipal/menus/2026/14").await;
            assert!(
                wide.find(".menu-grid-head")
                    .await
                    .is_displayed()
                    .await
                    .unwrap()
            );
            wide.assert_fits_width().await;
            wide.screenshot("15-editor-wide").await;

            tokio::time::sleep(Duration::from_secs(1)).await;
            let reports: Vec<String> = [&desktop, &phone, &wide]
                .iter()
                .flat_map(|b| b.csp_reports())
                .collect();
            assert!(
                reports.is_empty(),
                "CSP violations:\n{}",
                reports.join("\n")
            );
        })
        .await;
    }
}
