//! Every error is a problem document on the API and a page elsewhere.

use axum::http::{Method, StatusCode};

use crate::harness::TestApp;
use crate::probe;

async fn probe_app() -> TestApp {
    TestApp::builder()
        .registry(probe::registry())
        .set("body_limit_bytes", "2048")
        .build()
        .await
}

fn assert_problem(response: &crate::harness::TestResponse, status: StatusCode, slug: &str) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.content_type(), "application/problem+json");
    let body = response.json();
    assert_eq!(body["type"], format!("/problems/{slug}"));
    assert_eq!(body["status"], status.as_u16());
    assert!(body["title"].is_string() && body["detail"].is_string());
    assert_eq!(body["request_id"], response.header("x-request-id"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_api_path_is_a_404_problem() {
    let app = TestApp::new().await;
    assert_problem(
        &app.get("/api/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_page_is_a_404_page() {
    let app = TestApp::new().await;
    let response = app.get("/nothing-here").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.content_type().starts_with("text/html"));
    let html = response.text();
    assert!(html.contains("Sidan finns inte"), "{html}");
    assert!(html.contains(response.header("x-request-id")));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = TestApp::new().await;
    let response = app
        .request(Method::DELETE, "/api/v1/municipal", &[], "")
        .await;
    assert_problem(
        &response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    );
    assert!(response.header("allow").contains("GET"));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_bodies_are_validated_with_field_errors() {
    let app = probe_app().await;
    let json = [("content-type", "application/json")];

    let ok = app
        .request(
            Method::POST,
            "/api/v1/probe/echo",
            &json,
            r#"{"name":"Lunch","portions":12}"#,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["portions"], 12);

    let wrong_type = app
        .request(
            Method::POST,
            "/api/v1/probe/echo",
            &json,
            r#"{"name":"Lunch","portions":-3}"#,
        )
        .await;
    assert_problem(
        &wrong_type,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    );
    let errors = wrong_type.json()["errors"].clone();
    assert_eq!(errors[0]["field"], "portions");
    assert!(
        errors[0]["reason"].as_str().unwrap().contains("-3"),
        "{errors}"
    );

    let unknown = app
        .request(
            Method::POST,
            "/api/v1/probe/echo",
            &json,
            r#"{"name":"Lunch","portions":1,"admin":true}"#,
        )
        .await;
    assert_problem(
        &unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    );
    assert!(
        unknown.json()["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown field `admin`")
    );

    let malformed = app
        .request(Method::POST, "/api/v1/probe/echo", &json, r#"{"name":"#)
        .await;
    assert_problem(&malformed, StatusCode::BAD_REQUEST, "bad-request");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_media_type_is_a_415_problem() {
    let app = probe_app().await;
    let response = app
        .request(
            Method::POST,
            "/api/v1/probe/echo",
            &[("content-type", "text/plain")],
            "name=Lunch",
        )
        .await;
    assert_problem(
        &response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_are_a_413_problem() {
    let app = probe_app().await;
    let big = format!(r#"{{"name":"{}","portions":1}}"#, "x".repeat(4096));
    let response = app
        .request(
            Method::POST,
            "/api/v1/probe/echo",
            &[("content-type", "application/json")],
            big,
        )
        .await;
    assert_problem(
        &response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_length_over_the_limit_is_a_413_problem() {
    let app = probe_app().await;
    // The body-limit layer refuses by Content-Length alone, before any handler reads the body.
    // A body that is not JSON or a form passes the text-input check unread and meets it first.
    let response = app
        .request(
            Method::POST,
            "/api/v1/probe/echo",
            &[
                ("content-type", "application/octet-stream"),
                ("content-length", "4096"),
            ],
            "x".repeat(4096),
        )
        .await;
    assert_problem(
        &response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unparsable_path_id_is_a_400_problem_saying_why() {
    let app = probe_app().await;
    for id in ["abc", "9223372036854775808"] {
        let response = app.get(&format!("/api/v1/probe/items/{id}")).await;
        assert_problem(&response, StatusCode::BAD_REQUEST, "bad-request");
        let detail = response.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(id), "{detail}");
    }
    assert_eq!(app.get("/api/v1/probe/items/7").await.text(), "7");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_never_answers_json() {
    let app = probe_app().await;
    let response = app.get("/probe/missing").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(
        response.content_type().starts_with("text/html"),
        "{}",
        response.content_type()
    );
    assert!(response.text().contains("Sidan finns inte"));
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_errors_leak_nothing_and_carry_an_incident_id() {
    let app = probe_app().await;
    for path in ["/api/v1/probe/internal", "/api/v1/probe/panic"] {
        let response = app.get(path).await;
        assert_problem(&response, StatusCode::INTERNAL_SERVER_ERROR, "internal");
        let body = response.json();
        let incident = body["incident_id"].as_str().unwrap();
        assert_eq!(incident.len(), 32);
        assert!(body["detail"].as_str().unwrap().contains(incident));
        let text = response.text();
        assert!(
            !text.contains("10.1.2.3") && !text.contains("password"),
            "{text}"
        );
        assert!(!text.contains("index out of bounds"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn problem_type_uris_lead_to_their_documentation() {
    let app = TestApp::new().await;
    let problem = app.get("/api/v1/nowhere").await.json();
    let page = app.get(problem["type"].as_str().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type().starts_with("text/plain"));
    assert!(page.text().contains("`/problems/not-found` | 404 |"));
    assert_eq!(
        app.get("/problems/no-such-type").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn problem_registry_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/problems.md"))
        .expect("docs/problems.md exists");
    for kind in galley_core::http::problem::ProblemType::ALL {
        assert!(
            doc.contains(&format!("`/problems/{}`", kind.slug())),
            "docs/problems.md does not document {}",
            kind.slug()
        );
        assert!(doc.contains(&format!("| {} |", kind.status().as_u16())));
    }
}
