//! The console's people and API-token pages: the same operations as the API, through forms.

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::Value;

use crate::auth::{PASSWORD, seed_user};
use crate::browser::{Browser, within_time_limit};
use crate::client::Client;
use crate::console::{hidden_etag, post_form};
use crate::harness::{TestApp, TestResponse};
use crate::tokens::{audit_rows, bearer};

/// A form posted with the session cookie but without the CSRF field.
async fn post_without_csrf(client: &Client<'_>, path: &str, body: &str) -> TestResponse {
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body.to_owned(),
        )
        .await
}

/// The value of the read-only field `id` in a page.
fn field_value(html: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = html[at..].find(r#"value=""#).unwrap() + at + r#"value=""#.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

async fn api_user(admin: &Client<'_>, email: &str) -> Value {
    admin.get("/api/v1/users?per_page=100").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn actions_by(app: &TestApp, actor: i64) -> Vec<String> {
    audit_rows(app)
        .await
        .into_iter()
        .filter(|row| row.actor_user_id == Some(actor))
        .map(|row| row.action)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_people_pages_send_strangers_to_sign_in_and_refuse_cooks() {
    let app = TestApp::new().await;
    for path in [
        "/admin/users",
        "/admin/users/1",
        "/admin/tokens",
        "/admin/tokens/1",
    ] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(anonymous.header("location"), format!("/login?next={path}"));
    }

    let (_, _, cook) = seed_user(&app, Role::Cook).await;
    let cook = Client::sign_in(&app, &cook).await;
    for path in ["/admin/users", "/admin/tokens"] {
        let refused = cook.get(path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert!(refused.content_type().starts_with("text/html"));
    }
    let made = post_form(
        &cook,
        "/admin/users",
        &[
            ("email", "smygare@example.se"),
            ("display_name", "Smygare"),
            ("role", "admin"),
            ("site_id", ""),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::FORBIDDEN);
    let minted = post_form(
        &cook,
        "/admin/tokens",
        &[("name", "Smyg"), ("role", "admin"), ("expires_on", "")],
    )
    .await;
    assert_eq!(minted.status, StatusCode::FORBIDDEN);
    assert!(
        audit_rows(&app)
            .await
            .iter()
            .all(|row| row.action != "user.created" && row.action != "token.created")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_add_edit_reset_and_delete_people_with_forms() {
    let app = TestApp::new().await;
    let (_, admin_id, admin_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin_email).await;
    let site = admin.get("/api/v1/sites").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();

    let page = admin.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!(r#"name="csrf_token" value="{}""#, admin.csrf)));
    assert!(html.contains(&admin_email), "the admin is listed");
    assert!(html.contains("Administratör"), "roles are named in words");

    // Invalid: errors beside their fields, what was typed kept, never the password.
    let invalid = post_form(
        &admin,
        "/admin/users",
        &[
            ("email", "anna.example.se"),
            ("display_name", "Anna Berg"),
            ("role", "department"),
            ("site_id", &site),
            ("password", "kort123"),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text();
    assert!(html.contains(r#"id="email-error""#), "{html}");
    assert!(html.contains(r#"id="password-error""#));
    assert!(html.contains("Skriv en e-postadress"), "in Swedish");
    assert!(html.contains(r#"value="anna.example.se""#));
    assert!(html.contains(r#"value="Anna Berg""#));
    assert!(html.contains(r#"<option value="department" selected>"#));
    assert!(html.contains(&format!(r#"<option value="{site}" selected>"#)));
    assert!(!html.contains("kort123"), "the password is not sent back");

    let forged = post_without_csrf(
        &admin,
        "/admin/users",
        "email=anna%40example.se&display_name=Anna&role=cook&site_id=&password=x",
    )
    .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no change"
    );

    let fields = [
        ("email", "Anna@Example.se"),
        ("display_name", "Anna Berg"),
        ("role", "department"),
        ("site_id", site.as_str()),
        ("password", PASSWORD),
    ];
    let created = post_form(&admin, "/admin/users", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    assert_eq!(created.header("location"), "/admin/users?saved=1");
    let listed = admin.get("/admin/users?saved=1").await.text();
    assert!(listed.contains("Sparat") && listed.contains("anna@example.se"));
    let anna = api_user(&admin, "anna@example.se").await;
    assert_eq!(anna["role"], "department");
    assert_eq!(anna["site_id"].as_i64().unwrap().to_string(), site);
    let id = anna["id"].as_i64().unwrap();

    // The same address again: said beside the e-mail field.
    let again = post_form(&admin, "/admin/users", &fields).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = again.text();
    assert!(html.contains(r#"id="email-error""#));
    assert!(html.contains("Det finns redan ett konto"), "{html}");
    assert!(!html.contains(PASSWORD));

    // Edit: role, kitchen, disabled.
    let path = format!("/admin/users/{id}");
    let etag = hidden_etag(&admin.get(&path).await.text());
    let edited = post_form(
        &admin,
        &path,
        &[
            ("etag", &etag),
            ("display_name", "Anna B"),
            ("role", "viewer"),
            ("site_id", ""),
            ("disabled", "yes"),
        ],
    )
    .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.text());
    assert_eq!(edited.header("location"), "/admin/users?saved=1");
    let anna = api_user(&admin, "anna@example.se").await;
    assert_eq!(anna["display_name"], "Anna B");
    assert_eq!(anna["role"], "viewer");
    assert!(anna["site_id"].is_null());
    assert_eq!(anna["disabled"], true);
    assert!(admin.get("/admin/users").await.text().contains("Avstängd"));

    // Someone else saved first: the page says so, shows what is stored and what was typed.
    let stale = post_form(
        &admin,
        &path,
        &[
            ("etag", &etag),
            ("display_name", "Förlorat namn"),
            ("role", "cook"),
            ("site_id", ""),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = stale.text();
    assert!(html.contains("Någon annan ändrade detta"), "{html}");
    assert!(html.contains("Förlorat namn"), "what was typed is shown");
    assert!(
        html.contains(r#"value="Anna B""#),
        "the form shows what is stored"
    );
    assert_ne!(hidden_etag(&html), etag, "and the current version");
    assert_eq!(
        api_user(&admin, "anna@example.se").await["display_name"],
        "Anna B"
    );

    // Invalid edit: the error beside the field, the typed value kept.
    let etag = hidden_etag(&admin.get(&path).await.text());
    let blank = post_form(
        &admin,
        &path,
        &[
            ("etag", &etag),
            ("display_name", "   "),
            ("role", "cook"),
            ("site_id", &site),
        ],
    )
    .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = blank.text();
    assert!(html.contains(r#"id="display_name-error""#));
    assert!(html.contains(r#"<option value="cook" selected>"#));

    // A disabled account gets no reset link.
    let refused = post_form(&admin, &format!("{path}/reset-link"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains(r#"id="reset-error""#));
    let enabled = post_form(
        &admin,
        &path,
        &[
            ("etag", &etag),
            ("display_name", "Anna B"),
            ("role", "viewer"),
            ("site_id", ""),
        ],
    )
    .await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);
    assert_eq!(api_user(&admin, "anna@example.se").await["disabled"], false);

    // The reset link: shown once, relative, never cached; it opens the reset page.
    let made = post_form(&admin, &format!("{path}/reset-link"), &[]).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    assert_eq!(made.header("cache-control"), "no-store");
    let html = made.text();
    assert!(html.contains("24 timmar"));
    let link = field_value(&html, "reset-link");
    assert!(link.starts_with("/reset/"), "{link}");
    assert!(!admin.get(&path).await.text().contains(&link), "shown once");
    let reset_page = app.get(&link).await;
    assert_eq!(reset_page.status, StatusCode::OK);
    assert!(reset_page.text().contains(r#"name="password_confirm""#));
    let forged = post_without_csrf(&admin, &format!("{path}/reset-link"), "").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Your own account: no new role, no disabling; the operation's refusals beside the fields.
    let own = format!("/admin/users/{admin_id}");
    let own_page = admin.get(&own).await.text();
    assert!(!own_page.contains(&format!(r#"action="{own}/delete""#)));
    let own_etag = hidden_etag(&own_page);
    let refused = post_form(
        &admin,
        &own,
        &[
            ("etag", &own_etag),
            ("display_name", "Test"),
            ("role", "viewer"),
            ("site_id", ""),
            ("disabled", "yes"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains(r#"id="role-error""#) && html.contains(r#"id="disabled-error""#));
    assert!(html.contains("Du kan inte ändra din egen roll"));
    assert_eq!(api_user(&admin, &admin_email).await["role"], "admin");
    let self_delete = post_form(
        &admin,
        &format!("{own}/delete"),
        &[("etag", &own_etag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(self_delete.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = self_delete.text();
    assert!(html.contains(r#"id="error-summary""#));
    assert!(
        html.contains("<strong>Du kan inte ta bort dig själv"),
        "{html}"
    );

    // Delete: asks once.
    let etag = hidden_etag(&admin.get(&path).await.text());
    let unconfirmed = post_form(&admin, &format!("{path}/delete"), &[("etag", &etag)]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.text().contains(r#"id="confirm-error""#));
    assert!(!api_user(&admin, "anna@example.se").await.is_null());
    let forged = post_without_csrf(
        &admin,
        &format!("{path}/delete"),
        &format!("confirm=yes&etag={}", etag.replace('"', "%22")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let deleted = post_form(
        &admin,
        &format!("{path}/delete"),
        &[("etag", &etag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.header("location"), "/admin/users?saved=1");
    assert_eq!(
        admin.get(&format!("/api/v1/users/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let actions = actions_by(&app, admin_id).await;
    for action in [
        "user.created",
        "user.disabled",
        "user.enabled",
        "user.reset_link_created",
        "user.deleted",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    let rows = audit_rows(&app).await;
    assert!(rows.iter().all(|row| !row.details.contains(PASSWORD)));
    assert!(rows.iter().all(|row| !row.details.contains(&link)));
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_person_is_not_found() {
    let app = TestApp::new().await;
    let (_, other_id, _) = seed_user(&app, Role::Cook).await;
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let path = format!("/admin/users/{other_id}");
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);
    let reset = post_form(&admin, &format!("{path}/reset-link"), &[]).await;
    assert_eq!(reset.status, StatusCode::NOT_FOUND);
    assert!(!admin.get("/admin/users").await.text().contains("cook-"));
}

/// A date between one and two years ahead, whatever today is.
fn next_year_end() -> String {
    let year: i32 = galley_core::db::now()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    format!("{}-12-31", year + 1)
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_make_and_revoke_api_tokens_with_forms() {
    let app = TestApp::new().await;
    let (_, admin_id, admin_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin_email).await;

    let page = admin.get("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Inga API-nycklar ännu"));
    assert!(html.contains(&format!(r#"name="csrf_token" value="{}""#, admin.csrf)));

    // Invalid: errors beside their fields, what was typed kept.
    let invalid = post_form(
        &admin,
        "/admin/tokens",
        &[
            ("name", "  "),
            ("role", "cook"),
            ("expires_on", "2001-01-01"),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text();
    assert!(html.contains(r#"id="name-error""#), "{html}");
    assert!(html.contains(r#"id="expires_on-error""#));
    assert!(html.contains(r#"value="2001-01-01""#));
    assert!(html.contains(r#"<option value="cook" selected>"#));
    let unreadable = post_form(
        &admin,
        "/admin/tokens",
        &[("name", "Kassa"), ("role", "cook"), ("expires_on", "31/12")],
    )
    .await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = unreadable.text();
    assert!(html.contains(r#"id="expires_on-error""#));
    assert!(html.contains(r#"value="Kassa""#) && html.contains(r#"value="31/12""#));

    let forged = post_without_csrf(&admin, "/admin/tokens", "name=Kassa&role=admin").await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no token"
    );

    // Made: the secret is on the answer itself, once, never cached.
    let expires = next_year_end();
    let made = post_form(
        &admin,
        "/admin/tokens",
        &[
            ("name", "Kassasystem"),
            ("role", "cook"),
            ("expires_on", &expires),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    assert_eq!(made.header("cache-control"), "no-store");
    let html = made.text();
    assert!(html.contains("visas bara här"), "{html}");
    let secret = field_value(&html, "secret");
    assert!(secret.len() >= 40, "{secret}");
    let me = bearer(&app, Method::GET, "/api/v1/auth/me", &secret).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["role"], "cook");

    let listed = admin.get("/api/v1/tokens").await.json();
    let token = &listed["items"][0];
    assert_eq!(token["name"], "Kassasystem");
    assert_eq!(token["role"], "cook");
    assert_eq!(
        token["expires_at"].as_str().unwrap(),
        format!("{expires}T23:59:59Z")
    );
    let id = token["id"].as_i64().unwrap();

    let list_page = admin.get("/admin/tokens").await.text();
    assert!(list_page.contains("Kassasystem") && list_page.contains("Aktiv"));
    assert!(
        list_page.contains(&secret[..8]),
        "the prefix tells tokens apart"
    );
    assert!(!list_page.contains(&secret), "never the secret again");
    let path = format!("/admin/tokens/{id}");
    let token_page = admin.get(&path).await.text();
    assert!(!token_page.contains(&secret));

    // Revoke: asks once.
    let unconfirmed = post_form(&admin, &format!("{path}/revoke"), &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.text().contains(r#"id="confirm-error""#));
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        StatusCode::OK,
        "still works"
    );
    let forged = post_without_csrf(&admin, &format!("{path}/revoke"), "confirm=yes").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let revoked = post_form(&admin, &format!("{path}/revoke"), &[("confirm", "yes")]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(revoked.header("location"), "/admin/tokens?saved=1");
    assert_eq!(
        bearer(&app, Method::GET, "/api/v1/auth/me", &secret)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(!admin.get("/api/v1/tokens").await.json()["items"][0]["revoked_at"].is_null());
    let list_page = admin.get("/admin/tokens?saved=1").await.text();
    assert!(list_page.contains("Sparat") && list_page.contains("Återkallad"));

    // Revoked already (someone was first): said on the page, nothing recorded twice.
    let again = post_form(&admin, &format!("{path}/revoke"), &[("confirm", "yes")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("redan återkallad"));

    let actions = actions_by(&app, admin_id).await;
    assert_eq!(actions.iter().filter(|a| *a == "token.created").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "token.revoked").count(), 1);
    assert!(
        audit_rows(&app)
            .await
            .iter()
            .all(|row| !row.details.contains(&secret))
    );
}

/// Screenshots of the whole page, one viewport at a time from the top, as
/// `{name}-1.png`, `{name}-2.png`…; and the page must not be wider than the window (tables
/// scroll inside their own box).
async fn look_at(browser: &Browser, name: &str) {
    let sizes = browser
        .client
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth, \
             document.documentElement.scrollHeight, window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let size = |i: usize| sizes[i].as_u64().unwrap();
    if size(0) > size(1) {
        let wide = browser
            .client
            .execute(
                "return Array.from(document.querySelectorAll('body *')) \
                 .filter(e => e.getBoundingClientRect().right > \
                              document.documentElement.clientWidth + 1) \
                 .slice(0, 12).map(e => e.tagName + '.' + e.className);",
                vec![],
            )
            .await
            .unwrap();
        panic!(
            "{name}: the page is {} px wide in a {} px window; reaching past it: {wide}",
            size(0),
            size(1)
        );
    }
    let (height, window) = (size(2), size(3));
    let mut top = 0;
    let mut shot = 1;
    while shot <= 6 {
        browser
            .client
            .execute(&format!("window.scrollTo(0, {top});"), vec![])
            .await
            .unwrap();
        browser.screenshot(&format!("{name}-{shot}")).await;
        top += window;
        shot += 1;
        if top >= height {
            break;
        }
    }
    // A table wider than the window scrolls in its own box: look at its far end too.
    let scrolled = browser
        .client
        .execute(
            "const wrap = document.querySelector('.table-wrap'); \
             if (!wrap || wrap.scrollWidth <= wrap.clientWidth) { return false; } \
             wrap.scrollLeft = wrap.scrollWidth; \
             wrap.scrollIntoView({block: 'center'}); \
             return true;",
            vec![],
        )
        .await
        .unwrap();
    if scrolled == Value::Bool(true) {
        browser.screenshot(&format!("{name}-table-end")).await;
    }
    browser
        .client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
}

/// Clicks a button as a person does: scrolled to the middle of the window first, clear of the
/// phone's bottom bar.
async fn press(browser: &Browser, css: &str) {
    let button = browser.find(css).await;
    browser
        .client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&button).unwrap()],
        )
        .await
        .unwrap();
    button
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click `{css}`: {e}"));
}

/// Walks both pages as an admin does, in one browser: lists, a refused form, an edit page with
/// a reset link, a new token's page.
async fn walk(browser: &Browser, email: &str, person: i64, width: &str) {
    browser.goto("/login?next=/admin/users").await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action^='/login'] button[type=submit]")
        .await;
    browser.wait_for_path("/admin/users").await;
    assert_eq!(browser.text("main h1").await, "Personer");
    look_at(browser, &format!("users-{width}")).await;

    browser.fill("#email", "inte-en-adress").await;
    browser.fill("#display_name", "Karin Ek").await;
    browser.fill("#password", "kort").await;
    press(browser, "form[action='/admin/users'] button[type=submit]").await;
    browser.find("#email-error").await;
    assert_eq!(
        browser.prop("#display_name", "value").await.as_deref(),
        Some("Karin Ek")
    );
    assert_eq!(
        browser.prop("#password", "value").await.as_deref(),
        Some("")
    );
    look_at(browser, &format!("users-invalid-{width}")).await;

    browser.goto(&format!("/admin/users/{person}")).await;
    look_at(browser, &format!("user-{width}")).await;
    press(
        browser,
        &format!("form[action='/admin/users/{person}/reset-link'] button"),
    )
    .await;
    let link = browser
        .prop("#reset-link", "value")
        .await
        .unwrap_or_default();
    assert!(link.starts_with("/reset/"), "{link}");
    look_at(browser, &format!("user-reset-link-{width}")).await;

    browser.goto("/admin/tokens").await;
    look_at(browser, &format!("tokens-{width}")).await;
    browser
        .fill("#name", &format!("Beställningar ({width})"))
        .await;
    press(browser, "form[action='/admin/tokens'] button[type=submit]").await;
    let secret = browser.prop("#secret", "value").await.unwrap_or_default();
    assert!(secret.len() >= 40);
    look_at(browser, &format!("token-created-{width}")).await;
    browser.goto("/admin/tokens").await;
    let open = browser.find_all("table a[href^='/admin/tokens/']").await;
    let href = open[0].attr("href").await.unwrap().unwrap();
    browser.goto(&href).await;
    look_at(browser, &format!("token-{width}")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_people_pages_fit_a_phone_and_a_desktop() {
    const TEST: &str = "console_people";
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    // Some people and tokens, with long names and addresses, so the tables have something
    // to hold.
    let admin = Client::sign_in(&app, &email).await;
    let site = admin.get("/api/v1/sites").await.json()["items"][0]["id"].clone();
    let mut person = 0;
    for (mail, name, role) in [
        (
            "margareta.lindqvist-johansson@aldreomsorgen.example.se",
            "Margareta Lindqvist-Johansson",
            "department",
        ),
        ("per.ek@example.se", "Per Ek", "cook"),
        ("lisa@example.se", "Lisa Berg", "viewer"),
    ] {
        let made = admin
            .post(
                "/api/v1/users",
                serde_json::json!({
                    "email": mail, "display_name": name, "role": role,
                    "site_id": site, "password": PASSWORD,
                }),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        person = made.json()["id"].as_i64().unwrap();
    }
    for name in ["Kassasystem på Berga", "Beställningsportalen"] {
        crate::tokens::make_token(&admin, name, "viewer").await;
    }

    within_time_limit(TEST, async {
        let phone = Browser::phone(&app, TEST).await;
        walk(&phone, &email, person, "phone").await;
        let desktop = Browser::desktop(&app, TEST).await;
        walk(&desktop, &email, person, "desktop").await;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let reports: Vec<String> = [&phone, &desktop]
            .iter()
            .flat_map(|b| b.csp_reports())
            .collect();
        assert!(reports.is_empty(), "{}", reports.join("\n"));
    })
    .await;
}
