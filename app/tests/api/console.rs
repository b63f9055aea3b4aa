//! The admin console's pages: the same operations as the API, through forms.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::{TestApp, TestResponse};

/// Posts a form as a signed-in browser does: the session cookie and the CSRF field.
pub async fn post_form(client: &Client<'_>, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let mut pairs: Vec<(&str, &str)> = vec![("csrf_token", client.csrf.as_str())];
    pairs.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&pairs).unwrap();
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await
}

/// The value of a hidden `etag` field in a page.
pub fn hidden_etag(html: &str) -> String {
    let start = html.find(r#"name="etag" value=""#).expect("an etag field")
        + r#"name="etag" value=""#.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end]
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_sends_strangers_to_sign_in_and_refuses_other_roles() {
    let app = TestApp::new().await;
    let anonymous = app.get("/admin/sites").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header("location"), "/login?next=/admin/sites");

    let (_, _, cook) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook).await;
    assert!(
        !cook.get("/").await.text().contains(r#"href="/admin""#),
        "no console link for cooks"
    );
    let refused = cook.get("/admin/sites").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.content_type().starts_with("text/html"));

    // After signing in, the form sends the person back where they were going.
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let login = app.get("/login?next=/admin/sites").await.text();
    assert!(
        login.contains(r#"action="/login?next=/admin/sites""#),
        "{login}"
    );
    let body = format!(
        "email={admin}&password={}",
        crate::auth::PASSWORD.replace(' ', "+")
    );
    let signed_in = app
        .request(
            Method::POST,
            "/login?next=%2Fadmin%2Fsites",
            &[("content-type", "application/x-www-form-urlencoded")],
            body.clone(),
        )
        .await;
    assert_eq!(signed_in.header("location"), "/admin/sites");
    let elsewhere = app
        .request(
            Method::POST,
            "/login?next=//evil.example/",
            &[("content-type", "application/x-www-form-urlencoded")],
            body,
        )
        .await;
    assert_eq!(elsewhere.header("location"), "/start", "no open redirect");
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_manage_kitchens_with_forms() {
    let app = TestApp::new().await;
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;

    assert!(
        admin.get("/").await.text().contains(r#"href="/admin""#),
        "the console is in the navigation"
    );
    let page = admin.get("/admin/sites").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains(&format!(r#"name="csrf_token" value="{}""#, admin.csrf))
    );

    let invalid = post_form(
        &admin,
        "/admin/sites",
        &[("name", "Köket på Berga"), ("timezone", "Mars/Olympus")],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text();
    assert!(
        html.contains(r#"id="timezone-error""#),
        "the error sits next to its field"
    );
    assert!(
        html.contains(r#"value="Köket på Berga""#),
        "what was typed is kept"
    );
    assert!(html.contains(r#"value="Mars/Olympus""#));

    let forged = app
        .request(
            Method::POST,
            "/admin/sites",
            &[
                ("cookie", admin.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "name=X&timezone=UTC",
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no change"
    );

    let created = post_form(
        &admin,
        "/admin/sites",
        &[("name", "Köket på Berga"), ("timezone", "Europe/Stockholm")],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    assert_eq!(created.header("location"), "/admin/sites?saved=1");
    let listed = admin.get("/admin/sites?saved=1").await.text();
    assert!(listed.contains("Sparat") && listed.contains("Köket på Berga"));

    let id = admin.get("/api/v1/sites").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Köket på Berga")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/admin/sites/{id}");
    let edit = admin.get(&path).await.text();
    let etag = hidden_etag(&edit);
    let renamed = post_form(
        &admin,
        &path,
        &[
            ("etag", &etag),
            ("name", "Berga kök"),
            ("timezone", "Europe/Stockholm"),
        ],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let stale = post_form(
        &admin,
        &path,
        &[
            ("etag", &etag),
            ("name", "Lost"),
            ("timezone", "Europe/Stockholm"),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("Någon annan ändrade detta"));
    assert!(
        stale.text().contains(r#"value="Berga kök""#) && !stale.text().contains(r#"value="Lost""#),
        "the form shows what is stored now"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/sites/{id}")).await.json()["name"],
        "Berga kök"
    );

    let etag = hidden_etag(&admin.get(&path).await.text());
    let unconfirmed = post_form(&admin, &format!("{path}/delete"), &[("etag", &etag)]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = post_form(
        &admin,
        &format!("{path}/delete"),
        &[("etag", &etag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin.get(&format!("/api/v1/sites/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}
