//! Control characters in text are refused with 422 naming the field, on every route and both
//! backends alike (PostgreSQL used to answer NUL with a 500, SQLite stored it).

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::{PASSWORD, seed_user};
use crate::client::Client;
use crate::harness::{TestApp, TestResponse};

fn assert_refused(response: &TestResponse, field: &str) {
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.text()
    );
    assert_eq!(response.content_type(), "application/problem+json");
    let body = response.json();
    assert_eq!(body["errors"][0]["field"], field, "{body}");
    assert!(
        body["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("control characters"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_sign_in_with_a_nul_is_a_422_not_a_500() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let json = [("content-type", "application/json")];
    for (body, field) in [
        (
            json!({ "email": format!("{email}\u{0}"), "password": PASSWORD }),
            "email",
        ),
        (json!({ "email": email, "password": "a\u{0}b" }), "password"),
    ] {
        let response = app
            .request(Method::POST, "/api/v1/auth/login", &json, body.to_string())
            .await;
        assert_refused(&response, field);
    }
    // The sign-in form answers with a page, not with JSON.
    let form = app
        .request(
            Method::POST,
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("email={email}%00&password=x"),
        )
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.content_type().starts_with("text/html"),
        "{}",
        form.text()
    );
    // The account is not locked by refused requests, and the right password still works.
    let ok = crate::auth::login_response(&app, &email, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_and_searches_with_control_characters_change_nothing() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;

    let people_before = admin.get("/api/v1/users").await.json()["total"].clone();
    let new_person = json!({
        "email": "ny\u{1}person@example.se",
        "display_name": "Ny",
        "role": "cook",
        "password": "a-long-enough-password-1",
    });
    assert_refused(&admin.post("/api/v1/users", new_person).await, "email");
    assert_eq!(
        admin.get("/api/v1/users").await.json()["total"],
        people_before
    );

    let site = admin.get("/api/v1/sites").await.json()["items"][0].clone();
    let path = format!("/api/v1/sites/{}", site["id"]);
    let etag = admin.get(&path).await.header("etag").to_owned();
    let rename = json!({ "name": "Kök \u{1b}[31m" });
    assert_refused(&admin.patch(&path, Some(&etag), rename).await, "name");
    assert_eq!(admin.get(&path).await.json()["name"], site["name"]);

    assert_refused(&admin.get("/api/v1/dishes?q=fisk%00").await, "q");
    assert_refused(&admin.get("/api/v1/audit?action=user.%00").await, "action");
    let dish = json!({ "name": "Fisk\u{0}gratäng", "allergens": ["fish"] });
    assert_refused(&admin.post("/api/v1/dishes", dish).await, "name");
}
