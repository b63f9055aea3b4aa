//! Request caps per client address and per writer, and CORS.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_capped_per_user_and_reads_are_not() {
    let app = TestApp::builder()
        .set("writes_per_minute", "3")
        .build()
        .await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let (_, _, other_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let other = Client::sign_in(&app, &other_email).await;
    for i in 0..3 {
        let created = admin
            .post(
                "/api/v1/sites",
                json!({ "name": format!("Kök {i}"), "timezone": "UTC" }),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
    }
    let capped = admin
        .post(
            "/api/v1/sites",
            json!({ "name": "Kök 4", "timezone": "UTC" }),
        )
        .await;
    assert_eq!(capped.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(capped.json()["type"], "/problems/too-many-requests");
    assert!(capped.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(
        admin.get("/api/v1/sites").await.status,
        StatusCode::OK,
        "reads still pass"
    );
    let theirs = other
        .post("/api/v1/sites", json!({ "name": "Kök", "timezone": "UTC" }))
        .await;
    assert_eq!(
        theirs.status,
        StatusCode::CREATED,
        "another user has their own budget"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_client_address_has_a_request_cap() {
    let app = TestApp::builder()
        .set("requests_per_minute", "5")
        .build()
        .await;
    for _ in 0..5 {
        let ok = app
            .request_from("192.0.2.10", Method::GET, "/health", &[], "")
            .await;
        assert_eq!(ok.status, StatusCode::OK);
    }
    let capped = app
        .request_from("192.0.2.10", Method::GET, "/health", &[], "")
        .await;
    assert_eq!(capped.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(capped.headers.contains_key("retry-after"));
    let elsewhere = app
        .request_from("192.0.2.11", Method::GET, "/health", &[], "")
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_is_off_unless_origins_are_listed() {
    let preflight = [
        ("origin", "https://portal.example.se"),
        ("access-control-request-method", "PATCH"),
    ];
    let off = TestApp::new().await;
    let response = off
        .request(Method::OPTIONS, "/api/v1/sites", &preflight, "")
        .await;
    assert!(
        response
            .headers
            .get("access-control-allow-origin")
            .is_none()
    );

    let on = TestApp::builder()
        .set("cors_origins", "https://portal.example.se")
        .build()
        .await;
    let response = on
        .request(Method::OPTIONS, "/api/v1/sites", &preflight, "")
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("access-control-allow-origin"),
        "https://portal.example.se"
    );
    assert!(
        response
            .header("access-control-allow-methods")
            .contains("PATCH")
    );
    let get = on
        .request(
            Method::GET,
            "/health",
            &[("origin", "https://portal.example.se")],
            "",
        )
        .await;
    assert_eq!(
        get.header("access-control-allow-origin"),
        "https://portal.example.se"
    );
    let stranger = on
        .request(
            Method::GET,
            "/health",
            &[("origin", "https://evil.example")],
            "",
        )
        .await;
    assert!(
        stranger
            .headers
            .get("access-control-allow-origin")
            .is_none()
    );
}
