//! Health, readiness, metrics, OpenAPI, request ids, pages and assets.

use axum::http::{Method, StatusCode};

use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn health_is_ok_without_touching_the_database() {
    let app = TestApp::new().await;
    app.app.state.db.close();
    let response = app.get("/health").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["status"], "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_when_database_answers_and_migrations_are_current() {
    let app = TestApp::new().await;
    let response = app.get("/ready").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["migrations"], "current");
    let backend = if crate::harness::on_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], backend);
}

#[tokio::test(flavor = "multi_thread")]
async fn not_ready_while_migrations_are_pending() {
    let app = TestApp::builder().unmigrated().build().await;
    let response = app.get("/ready").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.content_type(), "application/problem+json");
    let body = response.json();
    assert_eq!(body["type"], "/problems/not-ready");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("core/20261126150000"), "{detail}");
    assert!(detail.contains("galley migrate"), "{detail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn not_ready_when_the_database_is_gone() {
    let app = TestApp::new().await;
    app.app.state.db.close();
    let response = app.get("/ready").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response.json()["detail"]
            .as_str()
            .unwrap()
            .contains("database unreachable")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_expose_requests_pool_and_modules_in_prometheus_format() {
    let app = TestApp::new().await;
    app.get("/api/v1/municipal").await;
    app.get("/no/such/page").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response
            .content_type()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text();
    for expected in [
        "# TYPE http_requests_total counter",
        "# TYPE http_request_duration_seconds histogram",
        r#"http_requests_total{method="GET",route="/api/v1/municipal",status="200"}"#,
        r#"route="unmatched",status="404""#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/municipal",status="200",le="0.005"}"#,
        "# TYPE galley_db_pool_connections gauge",
        r#"galley_db_pool_connections{state="max""#,
        r#"galley_module_enabled{module="municipal"} 1"#,
        r#"galley_module_enabled{module="offshore"}"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
    // Route templates, never raw paths: the unknown path itself must not become a label.
    assert!(!text.contains("/no/such/page"));
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_covers_platform_and_every_module() {
    let app = TestApp::new().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status, StatusCode::OK);
    let doc = response.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/health",
        "/ready",
        "/metrics",
        "/api/v1/municipal",
        "/api/v1/offshore",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["schemas"]["ModuleDescriptor"].is_object());

    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.text().contains("swagger-ui"), "{}", docs.text());
    assert!(
        !docs
            .header("content-security-policy")
            .contains("unsafe-inline")
    );
    let initializer = app.get("/api/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status, StatusCode::OK);
    assert!(initializer.text().contains("/api/v1/openapi.json"));
}

#[tokio::test(flavor = "multi_thread")]
async fn request_id_is_kept_when_sane_and_replaced_otherwise() {
    let app = TestApp::new().await;
    let response = app
        .request(
            Method::GET,
            "/api/v1/nowhere",
            &[("x-request-id", "trace-42.a:b_c")],
            "",
        )
        .await;
    assert_eq!(response.header("x-request-id"), "trace-42.a:b_c");
    assert_eq!(response.json()["request_id"], "trace-42.a:b_c");

    let hostile = "x".repeat(129);
    let response = app
        .request(
            Method::GET,
            "/health",
            &[("x-request-id", hostile.as_str())],
            "",
        )
        .await;
    let id = response.header("x-request-id");
    assert_ne!(id, hostile);
    assert_eq!(id.len(), 32);

    let response = app
        .request(Method::GET, "/health", &[("x-request-id", "<script>")], "")
        .await;
    assert_ne!(response.header("x-request-id"), "<script>");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_security_headers() {
    let app = TestApp::new().await;
    for path in ["/", "/api/v1/municipal", "/nowhere", "/static/galley.css"] {
        let response = app.get(path).await;
        let csp = response.header("content-security-policy");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(response.header("x-content-type-options"), "nosniff");
        assert!(
            response.headers.get("strict-transport-security").is_none(),
            "no HSTS in local"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn home_page_lists_enabled_modules_in_the_readers_language() {
    let app = TestApp::new().await;
    let swedish = app.get("/").await;
    assert_eq!(swedish.status, StatusCode::OK);
    assert!(swedish.content_type().starts_with("text/html"));
    let html = swedish.text();
    assert!(html.contains(r#"<html lang="sv">"#));
    assert!(html.contains("Välkommen till Galley"));
    assert!(html.contains(r#"href="/municipal""#) && html.contains(r#"href="/offshore""#));
    assert!(
        !html.contains("<script"),
        "no inline or external script on the home page"
    );

    let english = app
        .request(
            Method::GET,
            "/",
            &[("accept-language", "en-GB,en;q=0.9,sv;q=0.5")],
            "",
        )
        .await;
    assert!(english.text().contains("Welcome to Galley"));

    let switched = app.get("/?lang=en").await;
    assert!(switched.text().contains(r#"<html lang="en">"#));
    assert!(switched.header("set-cookie").starts_with("galley_lang=en;"));
    let remembered = app
        .request(Method::GET, "/", &[("cookie", "galley_lang=en")], "")
        .await;
    assert!(remembered.text().contains("Welcome to Galley"));
}

#[tokio::test(flavor = "multi_thread")]
async fn module_landing_pages_use_the_shared_layout() {
    let app = TestApp::new().await;
    let response = app.get("/municipal").await;
    assert_eq!(response.status, StatusCode::OK);
    let html = response.text();
    assert!(html.contains("<h1>Kommunkök</h1>"), "{html}");
    assert!(html.contains("Specialkost"));
    assert!(html.contains(r#"<a href="/municipal" aria-current="page">"#));
    // A stranger is told how to use it, not that it is unfinished.
    assert!(html.contains("Logga in för att använda modulen"), "{html}");
    let english = app.get("/offshore?lang=en").await.text();
    assert!(english.contains("<h1>Offshore galley</h1>"));
    assert!(english.contains("Waste log and portion advice"));
}

#[tokio::test(flavor = "multi_thread")]
async fn translations_have_no_gaps() {
    let app = TestApp::new().await;
    let gaps = app.app.state.i18n.gaps();
    assert!(gaps.is_empty(), "missing translations: {gaps:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stylesheet_is_embedded_and_cacheable() {
    let app = TestApp::new().await;
    let response = app.get("/static/galley.css").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.content_type(), "text/css; charset=utf-8");
    assert!(response.text().contains("--"), "custom properties expected");
    let etag = response.header("etag").to_owned();
    let again = app
        .request(
            Method::GET,
            "/static/galley.css",
            &[("if-none-match", etag.as_str())],
            "",
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.get("/static/missing.css").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Every page names the tab and home-screen icon and the web manifest; `/favicon.ico`, which
/// browsers ask for anyway, leads to the same icon.
#[tokio::test(flavor = "multi_thread")]
async fn pages_have_an_icon_and_a_manifest() {
    let app = TestApp::new().await;
    let login = app.get("/login").await.text();
    for link in [
        r#"<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">"#,
        r#"<link rel="manifest" href="/static/manifest.webmanifest">"#,
    ] {
        assert!(login.contains(link), "{link} in {login}");
    }
    let icon = app.get("/static/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.content_type(), "image/svg+xml");
    assert!(icon.text().starts_with("<svg"));
    let manifest = app.get("/static/manifest.webmanifest").await;
    assert_eq!(manifest.content_type(), "application/manifest+json");
    let manifest: serde_json::Value = manifest.json();
    assert_eq!(manifest["icons"][0]["src"], "/static/favicon.svg");
    let legacy = app.get("/favicon.ico").await;
    assert_eq!(legacy.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(legacy.header("location"), "/static/favicon.svg");
}

/// The exposition must satisfy Prometheus's own checker. `cargo xtask test` installs
/// promtool (Debian's `prometheus` package) when it is missing.
#[tokio::test(flavor = "multi_thread")]
async fn metrics_pass_promtool_check() {
    let app = TestApp::new().await;
    app.get("/api/v1/offshore").await;
    app.get("/missing").await;
    let text = app.get("/metrics").await.text();
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool is needed: apt-get install prometheus (cargo xtask test does it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn browsers_report_csp_violations_to_a_counted_endpoint() {
    let app = TestApp::new().await;
    assert!(
        app.get("/")
            .await
            .header("content-security-policy")
            .contains("report-uri /csp-report")
    );
    let report = r#"{"csp-report":{"document-uri":"http://127.0.0.1/","violated-directive":"script-src","blocked-uri":"inline"}}"#;
    let response = app
        .request(
            Method::POST,
            "/csp-report",
            &[("content-type", "application/csp-report")],
            report,
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains("galley_csp_violations_total"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sign_in_page_speaks_bokmal() {
    let app = TestApp::new().await;
    let chosen = app.get("/login?lang=nb").await;
    assert_eq!(chosen.status, StatusCode::OK);
    assert!(chosen.header("set-cookie").starts_with("galley_lang=nb;"));
    let html = chosen.text();
    assert!(html.contains(r#"<html lang="nb">"#), "{html}");
    assert!(html.contains("<h1>Logg inn</h1>"), "{html}");
    assert!(html.contains(r#"<label for="email">E-postadresse</label>"#));
    assert!(html.contains(r#"<label for="password">Passord</label>"#));
    assert!(html.contains(r#"hreflang="nb" lang="nb" aria-current="true">Norsk bokmål</a>"#));

    // A Norwegian browser gets bokmål without asking.
    let browser = app
        .request(
            Method::GET,
            "/login",
            &[("accept-language", "nb-NO,nb;q=0.9,en;q=0.5")],
            "",
        )
        .await;
    assert!(browser.text().contains("<h1>Logg inn</h1>"));
}

#[tokio::test(flavor = "multi_thread")]
async fn municipal_pages_speak_bokmal_with_uke() {
    use crate::municipal_fixture::{kitchen, open_week};

    let app = TestApp::new().await;
    let k = kitchen(&app, "Nordby", open_week()).await;
    let path = format!(
        "/municipal/kitchen/weeks/{}/{}?lang=nb",
        k.week.year, k.week.week
    );
    let week = k.cook.get(&path).await;
    assert_eq!(week.status, StatusCode::OK, "{}", week.text());
    let html = week.text();
    assert!(html.contains(&format!("uke {}, ", k.week.week)), "{html}");
    assert!(html.contains("Ukens valg"));
    assert!(!html.contains(&format!("v. {}", k.week.week)));

    // Months in bokmål, lower case, across a month's end.
    let april = k.cook.get("/municipal/kitchen/weeks/2026/14?lang=nb").await;
    assert!(april.text().contains("uke 14, 30 mars – 5 april 2026"));
    let may = k.cook.get("/municipal/kitchen/weeks/2026/19?lang=nb").await;
    assert!(may.text().contains("uke 19, 4–10 mai 2026"));

    // The day plan: its title and the weekday in bokmål.
    let tuesday = k.week.day(2).unwrap();
    let plan = k
        .cook
        .get(&format!("/municipal/kitchen/plan/{tuesday}?lang=nb"))
        .await;
    assert!(plan.text().contains(
        "<h1><span class=\"kitchen-kind\">Produksjonsplan</span> <span class=\"kitchen-date\">tirsdag "
    ));
}
