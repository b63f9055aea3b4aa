//! Errors for people (issue 11 item 12): a browser gets pages, never raw JSON, on any path;
//! a 403 page names who is signed in and offers the way on; an expired form is not called a
//! lack of access; a page that needs a sign-in sends the browser to sign in and back. API
//! clients keep problem documents. The rule is `Accept`: see `core/src/http/error_pages.rs`.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;

use crate::auth::seed_user;
use crate::browser::{Browser, within_time_limit};
use crate::client::Client;
use crate::harness::TestApp;

/// What Chromium sends when it navigates.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

#[tokio::test(flavor = "multi_thread")]
async fn a_forbidden_page_names_the_person_and_the_way_on() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &email).await;

    // The console's own refusal and a refusal the API made, both asked for by a browser.
    for path in ["/admin/sites", "/api/v1/users"] {
        let page = cook
            .get_with(
                path,
                &[("accept", BROWSER_ACCEPT), ("accept-language", "en")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.content_type().starts_with("text/html"), "{path}");
        let html = page.text();
        assert!(
            html.contains(&format!(
                "You are signed in as {email}, who has no access to this page."
            )),
            "{path}: {html}"
        );
        assert!(html.contains(&format!("<code>{path}</code>")), "{html}");
        assert!(html.contains(r#"href="/start""#), "{html}");
        assert!(html.contains(r#"action="/logout""#), "{html}");
        assert!(html.contains(&cook.csrf), "sign-out carries the token");
    }

    // In Swedish by default.
    let swedish = cook
        .get_with("/api/v1/users", &[("accept", BROWSER_ACCEPT)])
        .await
        .text();
    assert!(
        swedish.contains(&format!("Du är inloggad som {email}")),
        "{swedish}"
    );

    // An API client keeps its problem document.
    let api = cook.get("/api/v1/users").await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.content_type(), "application/problem+json");
    assert_eq!(api.json()["type"], "/problems/forbidden");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_form_says_reload_not_no_access() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;

    let stale = app
        .request(
            Method::POST,
            "/admin/sites",
            &[
                ("cookie", admin.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", BROWSER_ACCEPT),
                ("accept-language", "en"),
                ("referer", "http://localhost/admin/sites/new"),
            ],
            "csrf_token=an-old-token&name=Kitchen",
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.content_type().starts_with("text/html"));
    let html = stale.text();
    assert!(html.contains("The form has expired"), "{html}");
    assert!(html.contains("Reload the page and try again."), "{html}");
    assert!(html.contains(r#"href="/admin/sites/new""#), "{html}");
    assert!(!html.contains("no access"), "{html}");

    // The API's answer is unchanged.
    let api = app
        .request(
            Method::POST,
            "/api/v1/sites",
            &[
                ("cookie", admin.cookie.as_str()),
                ("content-type", "application/json"),
            ],
            r#"{"name":"Kitchen"}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["type"], "/problems/csrf-failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_gets_a_page_for_missing_things_on_every_path() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;

    for path in [
        "/api/v1/nothing-here",
        "/api/v1/sites/999999",
        "/municipal/nothing-here",
        "/municipal/portal/departments/999999",
    ] {
        let page = admin
            .get_with(
                path,
                &[("accept", BROWSER_ACCEPT), ("accept-language", "en")],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.content_type().starts_with("text/html"), "{path}");
        let html = page.text();
        assert!(html.contains("Page not found"), "{path}: {html}");
        assert!(html.contains(r#"href="/start""#), "{path}: a way back");
        assert!(html.contains(&email), "{path}: the signed-in top bar");

        // A client asking for JSON gets the problem document, wherever it asks.
        let json = admin
            .get_with(path, &[("accept", "application/json")])
            .await;
        assert_eq!(json.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(json.content_type(), "application/problem+json", "{path}");
    }

    // No Accept at all: by path, as before.
    assert_eq!(
        app.get("/api/v1/nothing-here").await.content_type(),
        "application/problem+json"
    );
    assert!(
        app.get("/nothing-here")
            .await
            .content_type()
            .starts_with("text/html")
    );
    // HTML refused outright is not HTML.
    let refused = app
        .request(
            Method::GET,
            "/api/v1/nothing-here",
            &[("accept", "text/html;q=0, application/json")],
            "",
        )
        .await;
    assert_eq!(refused.content_type(), "application/problem+json");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_that_must_sign_in_is_sent_to_sign_in_and_back() {
    let app = TestApp::new().await;
    let page = app
        .request(
            Method::GET,
            "/api/v1/users?page=2",
            &[("accept", BROWSER_ACCEPT)],
            "",
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.header("location"),
        "/login?next=/api/v1/users%3Fpage%3D2"
    );

    let api = app.get("/api/v1/users").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.content_type(), "application/problem+json");
}

#[tokio::test(flavor = "multi_thread")]
async fn error_pages_in_a_browser_at_phone_and_desktop_width() {
    within_time_limit("error_pages_in_a_browser", async {
        let app = TestApp::new().await;
        let (_, _, cook) = seed_user(&app, Role::Cook).await;
        for (browser, width) in [
            (Browser::phone(&app, "error_pages_people").await, "phone"),
            (
                Browser::desktop(&app, "error_pages_people").await,
                "desktop",
            ),
        ] {
            browser.sign_in(&cook).await;

            browser.goto("/admin/users").await;
            let lead = browser.text("#who").await;
            assert!(lead.contains(&cook), "{lead}");
            browser.assert_fits_width().await;
            browser.screenshot(&format!("forbidden-{width}")).await;

            browser.goto("/municipal/portal/departments/999999").await;
            assert_eq!(browser.text("h1").await, "Sidan finns inte");
            browser.assert_fits_width().await;
            browser
                .screenshot(&format!("portal-not-found-{width}"))
                .await;

            browser.goto("/api/v1/nothing-here").await;
            assert_eq!(browser.text("h1").await, "Sidan finns inte");
            browser.screenshot(&format!("api-not-found-{width}")).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_settings_page_says_closed_after_the_deadline_and_close_before() {
    let app = TestApp::new().await;
    let k =
        crate::municipal_fixture::kitchen(&app, "Tempus", crate::municipal_fixture::open_week())
            .await;
    let api = format!("/api/v1/municipal/sites/{}/settings", k.site);
    let page = format!("/municipal/admin/sites/{}/settings", k.site);
    let save = |body: serde_json::Value| {
        let (admin, api) = (&k.admin, api.clone());
        async move {
            let tag = admin.get(&api).await.header("etag").to_owned();
            let put = admin.send(Method::PUT, &api, Some(&tag), Some(body)).await;
            assert_eq!(put.status, StatusCode::OK, "{}", put.text());
        }
    };

    // Next week's choices close on Monday 00:00 of this week: that has passed.
    save(serde_json::json!({
        "deadline_weekday": 1, "deadline_time": "00:00",
        "deadline_weeks_before": 1, "weekend_alt2": true,
    }))
    .await;
    let html = k
        .admin
        .get_with(&page, &[("accept-language", "en")])
        .await
        .text();
    let said = html
        .split(r#"id="deadline">"#)
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_default()
        .to_owned();
    // "Choices for week 50 closed on Monday 30 November at 00:00. Choices for week 51 close
    // on Monday 7 December at 00:00."
    let closed = said.find(" closed on Monday ").expect(&said);
    let close = said.find(" close on Monday ").expect(&said);
    assert!(closed < close, "{said}");

    // On Sunday 23:59 of next week itself: still to come.
    save(serde_json::json!({
        "deadline_weekday": 7, "deadline_time": "23:59",
        "deadline_weeks_before": 0, "weekend_alt2": true,
    }))
    .await;
    let html = k
        .admin
        .get_with(&page, &[("accept-language", "en")])
        .await
        .text();
    assert!(html.contains(" close on Sunday "), "{html}");
    assert!(!html.contains("closed on"), "{html}");
}
