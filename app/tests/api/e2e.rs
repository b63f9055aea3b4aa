//! End-to-end tests in a real browser (headless Chromium through chromedriver, see
//! [`crate::browser`]): signing in and out as a person does, the pages keeping to the
//! Content-Security-Policy, Swagger UI, and the keyboard. Screenshots land in
//! `target/screenshots/`.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use galley_core::auth::Role;

use crate::auth::{PASSWORD, seed_user};
use crate::browser::{Browser, within_time_limit};
use crate::harness::TestApp;

const CSP_METRIC: &str = "galley_csp_violations_total";

/// `galley_csp_violations_total` on /metrics; absent counts as 0. The counter is
/// process-wide, shared by every test in this binary.
async fn csp_violations_counted(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").await.text();
    metrics
        .lines()
        .filter_map(|line| line.strip_prefix(CSP_METRIC))
        .filter(|rest| rest.starts_with([' ', '{']))
        .filter_map(|rest| rest.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// No page these browsers showed broke the Content-Security-Policy. Browsers send their
/// reports on their own time, so this waits a second first. The reports are read where they
/// reached this test's own server, which other tests cannot touch; the process-wide counter
/// is read too, before and after, and must have counted every one of them.
async fn assert_no_csp_violation(app: &TestApp, counted_before: u64, browsers: &[&Browser]) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let counted_after = csp_violations_counted(app).await;
    let reports: Vec<String> = browsers.iter().flat_map(|b| b.csp_reports()).collect();
    assert!(
        reports.is_empty(),
        "the pages broke the Content-Security-Policy ({CSP_METRIC} went from {counted_before} \
         to {counted_after}):\n{}",
        reports.join("\n")
    );
    // Other tests in this binary may report violations of their own meanwhile, so the counter
    // can rise without these pages' doing; it must never fall.
    assert!(counted_after >= counted_before, "{CSP_METRIC} fell");
    if counted_after > counted_before {
        eprintln!(
            "note: {CSP_METRIC} rose from {counted_before} to {counted_after} while this test's \
             browsers sent no report: another test in this binary reported a violation"
        );
    }
}

/// Signs in with the HTML form.
async fn sign_in(browser: &Browser, email: &str, password: &str) {
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
}

/// The titles on the home page's module cards.
async fn module_cards(browser: &Browser) -> Vec<String> {
    let mut titles = Vec::new();
    for card in browser.find_all(".card-grid .card h3").await {
        titles.push(card.text().await.unwrap().trim().to_owned());
    }
    titles
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_and_out_on_a_phone_then_home_on_a_desktop() {
    const TEST: &str = "sign_in";
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let counted_before = csp_violations_counted(&app).await;
    within_time_limit(TEST, async {
        let phone = Browser::phone(&app, TEST).await;
        phone.goto("/login").await;
        assert_eq!(phone.attr("html", "lang").await.as_deref(), Some("sv"));
        assert_eq!(phone.text("main h1").await, "Logga in");
        phone.screenshot("login-phone").await;

        // A wrong password: the page says so in Swedish, inside the sign-in card above the
        // form, tied to the e-mail field, and keeps the e-mail but not the password.
        sign_in(&phone, &email, "inte lösenordet").await;
        phone.wait_for_path("/login").await;
        assert_eq!(
            phone.text(".auth-card #login-error[role=alert]").await,
            "E-postadressen eller lösenordet är fel."
        );
        assert_eq!(
            phone.prop("#email", "value").await.as_deref(),
            Some(email.as_str())
        );
        assert_eq!(
            phone.attr("#email", "aria-describedby").await.as_deref(),
            Some("login-error")
        );
        assert_eq!(
            phone.attr("#email", "aria-invalid").await.as_deref(),
            Some("true")
        );
        assert_eq!(phone.prop("#password", "value").await.as_deref(), Some(""));
        phone.screenshot("login-wrong-password-phone").await;

        // The right one: the cook's start page (today's plan), with the person in the top
        // bar; then the home page with the module cards.
        sign_in(&phone, &email, PASSWORD).await;
        phone.wait_for_path("/municipal/kitchen/plan").await;
        assert_eq!(
            phone
                .prop(".topbar .user-menu .muted", "textContent")
                .await
                .as_deref(),
            Some(email.as_str()),
            "the top bar names who is signed in"
        );
        let sign_out = phone.find(".topbar .user-menu button[type=submit]").await;
        assert!(sign_out.is_displayed().await.unwrap());
        assert_eq!(sign_out.text().await.unwrap().trim(), "Logga ut");
        phone.goto("/").await;
        let cards = module_cards(&phone).await;
        assert!(cards.contains(&"Kommunkök".to_owned()), "{cards:?}");
        phone.screenshot("home-phone").await;

        // Signing out with the top bar's button posts the form with its CSRF token.
        let csrf = phone
            .prop(".user-menu input[name=csrf_token]", "value")
            .await
            .unwrap_or_default();
        assert!(!csrf.is_empty(), "the sign-out form carries the CSRF token");
        phone.click(".topbar .user-menu button[type=submit]").await;
        phone.wait_for_path("/login").await;
        assert!(phone.find_all(".user-menu").await.is_empty());
        assert_eq!(phone.text("main h1").await, "Logga in");
        phone.goto("/").await;
        assert!(
            phone.find_all(".user-menu").await.is_empty(),
            "still signed in after signing out"
        );

        // The same home page on a desktop, where the address shows beside the button.
        let desktop = Browser::desktop(&app, TEST).await;
        desktop.goto("/login").await;
        desktop.screenshot("login-desktop").await;
        sign_in(&desktop, &email, PASSWORD).await;
        desktop.wait_for_path("/municipal/kitchen/plan").await;
        let who = desktop.find(".topbar .user-menu .muted").await;
        assert!(who.is_displayed().await.unwrap());
        assert_eq!(who.text().await.unwrap().trim(), email);
        desktop.goto("/").await;
        assert_eq!(module_cards(&desktop).await, cards);
        desktop.screenshot("home-desktop").await;

        assert_no_csp_violation(&app, counted_before, &[&phone, &desktop]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn swagger_ui_renders_within_the_content_security_policy() {
    const TEST: &str = "swagger";
    let app = TestApp::new().await;
    let counted_before = csp_violations_counted(&app).await;
    within_time_limit(TEST, async {
        let browser = Browser::desktop(&app, TEST).await;
        browser.goto("/api/docs/").await;
        browser.find(".swagger-ui").await;
        // The spec itself was fetched and rendered, not only the empty frame.
        assert!(
            browser
                .text(".swagger-ui .info .title")
                .await
                .starts_with("Galley API"),
        );
        browser.find(".swagger-ui .opblock").await;
        browser.screenshot("api-docs").await;
        assert_no_csp_violation(&app, counted_before, &[&browser]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tab_first_reaches_the_skip_link_which_leads_to_the_content() {
    const TEST: &str = "keyboard";
    let app = TestApp::new().await;
    within_time_limit(TEST, async {
        let browser = Browser::phone(&app, TEST).await;
        browser.goto("/login").await;
        browser.press(Key::Tab).await;
        let focused = browser.active_element().await;
        assert_eq!(
            focused.prop("textContent").await.unwrap().as_deref(),
            Some("Hoppa till innehållet")
        );
        assert_eq!(
            focused.attr("class").await.unwrap().as_deref(),
            Some("skip-link")
        );
        assert_eq!(
            focused.attr("href").await.unwrap().as_deref(),
            Some("#main")
        );
        // Hidden above the page until focused; it slides in (a 150 ms transition).
        let started = Instant::now();
        while !focused.is_displayed().await.unwrap() {
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "the focused skip link stays out of sight"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            focused.text().await.unwrap().trim(),
            "Hoppa till innehållet"
        );
        browser.screenshot("skip-link-focused").await;

        browser.press(Key::Enter).await;
        let focused = browser.active_element().await;
        assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("main"));
    })
    .await;
}

/// The other tests find no CSP report; this one shows they would find one: a page that breaks
/// the policy is reported by the browser and counted on /metrics.
#[tokio::test(flavor = "multi_thread")]
async fn a_csp_violation_in_the_browser_is_reported_and_counted() {
    const TEST: &str = "csp_control";
    let app = TestApp::new().await;
    let counted_before = csp_violations_counted(&app).await;
    within_time_limit(TEST, async {
        let browser = Browser::phone(&app, TEST).await;
        browser.goto("/login").await;
        // An inline script, as an injected one would be: the policy blocks and reports it.
        browser
            .client
            .execute(
                "const s = document.createElement('script'); \
                 s.textContent = 'document.title = \"inline ran\"'; \
                 document.body.appendChild(s);",
                vec![],
            )
            .await
            .unwrap();
        let started = Instant::now();
        while browser.csp_reports().is_empty() && started.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let reports = browser.csp_reports();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(reports[0].contains("script-src"), "{}", reports[0]);
        assert_ne!(browser.client.title().await.unwrap(), "inline ran");
        assert!(csp_violations_counted(&app).await > counted_before);
    })
    .await;
}
