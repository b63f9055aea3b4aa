//! Hostile menu files (security review, issue 9): each is small, and each once cost the server
//! its process, gigabytes or seconds. Every one must now be an ordinary answer: a 422
//! problem naming the file, or a report whose error list stays short. The samples are made
//! by `modules/municipal/tests/hostile/make.py`.

use axum::http::StatusCode;
use serde_json::Value;

use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{kitchen, open_week};
use crate::municipal_menus::{import_path, post_multipart, post_raw};

const HOSTILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../modules/municipal/tests/hostile"
);
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn hostile(name: &str) -> Vec<u8> {
    std::fs::read(format!("{HOSTILE}/{name}")).unwrap()
}

/// The reason of a 422 `validation-failed` problem about the file as a whole.
fn file_problem(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.text()
    );
    assert_eq!(response.content_type(), "application/problem+json");
    let problem = response.json();
    assert_eq!(problem["type"], "/problems/validation-failed");
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
    problem["errors"][0]["reason"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_workbooks_are_file_problems_not_crashes() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Fientlig", open_week()).await;
    let path = import_path(&k, "year=2026");

    // uniqueCount="4000000000": calamine reserved 96 GB and the process aborted. The counts
    // are hints, so the workbook reads as any other.
    let counted = post_raw(&k.cook, &path, XLSX, hostile("unique-count.xlsx")).await;
    assert_eq!(counted.status, StatusCode::OK, "{}", counted.text());
    assert_eq!(counted.json()["summary"]["rows"], 1);

    // A cell reference past XFD overflowed calamine's arithmetic.
    let far = post_raw(&k.cook, &path, XLSX, hostile("long-cell-ref.xlsx")).await;
    assert!(file_problem(&far).contains("XFD1048576"));

    // A 13 KB workbook whose sheet, named .bin, unpacks to 11 MiB.
    let bomb = post_raw(&k.cook, &path, XLSX, hostile("sheet-bin-bomb.xlsx")).await;
    let reason = file_problem(&bomb);
    assert!(reason.contains("too large"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wide_word_table_is_refused_as_too_complex() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Bred", open_week()).await;
    let wide = post_raw(
        &k.cook,
        &import_path(&k, "year=2026"),
        DOCX,
        hostile("wide-heading.docx"),
    )
    .await;
    let reason = file_problem(&wide);
    assert!(reason.contains("more than 1000 cells"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_row_errors_answer_with_the_first_200_and_a_count() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Felfil", open_week()).await;
    let bytes = hostile("many-errors.docx");

    let dry = post_raw(&k.cook, &import_path(&k, "year=2026"), DOCX, bytes.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["summary"]["errors"], 5000);
    assert_eq!(report["errors"].as_array().unwrap().len(), 200);
    assert_eq!(report["errors_not_shown"], 4800);
    assert_eq!(report["errors"][0]["code"], "label_unknown");

    let applied = post_raw(
        &k.cook,
        &import_path(&k, "year=2026&dry_run=false"),
        DOCX,
        bytes.clone(),
    )
    .await;
    assert_eq!(applied.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = applied.json();
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 201);
    assert_eq!(
        errors[200],
        serde_json::json!({ "field": "lines", "reason": "4800 more errors not shown" })
    );

    // The page says how many more there are, in Swedish and in English.
    for (lang, expected) in [("", "… och 4800 fel till"), ("?lang=en", "… and 4800 more")] {
        let page = post_multipart(
            &k.cook,
            &format!("/municipal/menus/import{lang}"),
            &[("csrf_token", &k.cook.csrf), ("year", "2026")],
            Some(("meny.docx", DOCX, &bytes)),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains(expected), "{lang}");
        assert_eq!(html.matches(r#"class="row-error""#).count(), 200, "{lang}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dish_with_a_control_character_is_a_row_error_and_never_stored() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Styrtecken", open_week()).await;
    let csv = "År;Vecka;Dag;Måltid;Alternativ;Rätt\n2026;12;1;Lunch;1;Fisk\u{1b}[2Jgratäng\n"
        .as_bytes()
        .to_vec();
    let dry = post_raw(
        &k.cook,
        &import_path(&k, "year=2026"),
        "text/csv",
        csv.clone(),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report: Value = dry.json();
    assert_eq!(report["summary"]["rows"], 0);
    assert_eq!(report["errors"][0]["code"], "control_character");
    assert_eq!(report["errors"][0]["field"], "dish");
    assert_eq!(report["errors_not_shown"], 0);

    let applied = post_raw(
        &k.cook,
        &import_path(&k, "year=2026&dry_run=false"),
        "text/csv",
        csv,
    )
    .await;
    assert_eq!(applied.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(applied.json()["errors"][0]["field"], "lines[2].dish");
    let menu = k
        .cook
        .get(&format!("/api/v1/sites/{}/menus/2026/12", k.site))
        .await;
    assert_eq!(menu.json()["version"], 0, "nothing was written");
}
