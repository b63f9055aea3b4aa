//! Signing in and out, sessions, CSRF and bearer tokens.

use axum::http::{Method, StatusCode};
use galley_core::auth::{Role, password, token};
use galley_core::people::{sites, tenants, users};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestResponse};

pub const PASSWORD: &str = "kanel bulle fönster";

/// A tenant with one user of `role`; returns (tenant id, user id, e-mail).
pub async fn seed_user(app: &TestApp, role: Role) -> (i64, i64, String) {
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let tenant = tenants::insert(conn, "Tenant", "municipal").await.unwrap();
    let site = sites::insert(conn, tenant, "Kitchen", "Europe/Stockholm")
        .await
        .unwrap();
    let email = format!("{}-{}@example.se", role.as_str(), tenant);
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    let superuser = role == Role::Superuser;
    let id = users::insert(
        conn,
        &users::NewUser {
            tenant_id: (!superuser).then_some(tenant),
            site_id: (!superuser).then_some(site),
            email: &email,
            display_name: "Test",
            role,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    (tenant, id, email)
}

/// A signed-in browser: its cookie header and CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub async fn login(app: &TestApp, email: &str) -> Session {
    let response = login_response(app, email, PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let set_cookie = response.header("set-cookie");
    let value = set_cookie.split(';').next().unwrap().to_owned();
    Session {
        cookie: value,
        csrf: response.json()["csrf_token"].as_str().unwrap().to_owned(),
    }
}

pub async fn login_response(app: &TestApp, email: &str, password: &str) -> TestResponse {
    app.request(
        Method::POST,
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        json!({ "email": email, "password": password }).to_string(),
    )
    .await
}

async fn me(app: &TestApp, cookie: &str) -> TestResponse {
    app.request(Method::GET, "/api/v1/auth/me", &[("cookie", cookie)], "")
        .await
}

async fn audit_actions(app: &TestApp) -> Vec<Value> {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|row| json!({ "action": row.action, "target": row.target_id, "details": row.details }))
        .collect()
}

fn count(actions: &[Value], action: &str) -> usize {
    actions.iter().filter(|a| a["action"] == action).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_sets_a_hardened_cookie_and_me_tells_who_you_are() {
    let app = TestApp::new().await;
    let (tenant, user, email) = seed_user(&app, Role::Cook).await;
    let response = login_response(&app, &email.to_uppercase(), PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let cookie = response.header("set-cookie");
    assert!(cookie.starts_with("galley_session="));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "no Secure cookie on plain-http local"
    );

    let session = login(&app, &email).await;
    let me = me(&app, &session.cookie).await;
    assert_eq!(me.status, StatusCode::OK);
    let body = me.json();
    assert_eq!(body["user_id"], user);
    assert_eq!(body["tenant_id"], tenant);
    assert_eq!(body["role"], "cook");
    assert_eq!(body["csrf_token"], session.csrf.as_str());
    assert!(count(&audit_actions(&app).await, "auth.sign_in") >= 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_and_unknown_account_fail_alike_and_are_audited() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let wrong = login_response(&app, &email, "not the password at all").await;
    let unknown = login_response(&app, "nobody@example.se", PASSWORD).await;
    for response in [&wrong, &unknown] {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.json()["type"], "/problems/unauthenticated");
        assert!(response.headers.get("set-cookie").is_none());
    }
    assert_eq!(wrong.json()["detail"], unknown.json()["detail"]);
    assert_eq!(count(&audit_actions(&app).await, "auth.sign_in_failed"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unsafe_requests_on_a_cookie_session_need_the_csrf_token() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Viewer).await;
    let session = login(&app, &email).await;

    let missing = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("cookie", &session.cookie)],
            "",
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(missing.json()["type"], "/problems/csrf-failed");

    let wrong = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[
                ("cookie", &session.cookie),
                ("x-csrf-token", "not-the-token"),
            ],
            "",
        )
        .await;
    assert_eq!(wrong.json()["type"], "/problems/csrf-failed");
    assert_eq!(
        me(&app, &session.cookie).await.status,
        StatusCode::OK,
        "still signed in"
    );

    let right = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("cookie", &session.cookie), ("x-csrf-token", &session.csrf)],
            "",
        )
        .await;
    assert_eq!(right.status, StatusCode::NO_CONTENT);
    assert!(right.header("set-cookie").contains("Max-Age=0"));
    // The server ended it: replaying the old cookie no longer works.
    assert_eq!(
        me(&app, &session.cookie).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(count(&audit_actions(&app).await, "auth.sign_out"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_or_deleted_user_is_out_at_once() {
    let app = TestApp::new().await;
    let (disabled_tenant, disabled_id, disabled_email) = seed_user(&app, Role::Cook).await;
    let (deleted_tenant, deleted_id, deleted_email) = seed_user(&app, Role::Cook).await;
    let disabled_session = login(&app, &disabled_email).await;
    let deleted_session = login(&app, &deleted_email).await;
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let user = users::find_in_tenant(conn, disabled_tenant, disabled_id)
            .await
            .unwrap()
            .unwrap();
        let disabled = users::Editable {
            display_name: user.display_name.clone(),
            role: Role::Cook,
            site_id: user.site_id,
            disabled: true,
            language: None,
        };
        assert!(users::update(conn, &user, &disabled).await.unwrap());
        let user = users::find_in_tenant(conn, deleted_tenant, deleted_id)
            .await
            .unwrap()
            .unwrap();
        assert!(users::mark_deleted(conn, &user).await.unwrap());
    }
    for (session, email) in [
        (&disabled_session, &disabled_email),
        (&deleted_session, &deleted_email),
    ] {
        assert_eq!(
            me(&app, &session.cookie).await.status,
            StatusCode::UNAUTHORIZED,
            "{email}"
        );
        assert_eq!(
            login_response(&app, email, PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_again_rotates_the_session() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let first = login(&app, &email).await;
    let second = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            &[
                ("content-type", "application/json"),
                ("cookie", &first.cookie),
            ],
            json!({ "email": email, "password": PASSWORD }).to_string(),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(
        me(&app, &first.cookie).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_html_form_shares_the_sign_in_path() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Admin).await;
    let form = [("content-type", "application/x-www-form-urlencoded")];

    let page = app.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains(r#"<form method="post" action="/login""#)
    );

    let wrong = app
        .request(
            Method::POST,
            "/login",
            &form,
            format!("email={email}&password=nope"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let html = wrong.text();
    assert!(
        html.contains("E-postadressen eller lösenordet är fel."),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"value="{email}""#)),
        "what was typed is kept"
    );

    let body = format!("email={email}&password={}", PASSWORD.replace(' ', "+"));
    let ok = app.request(Method::POST, "/login", &form, body).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    assert_eq!(ok.header("location"), "/start");
    let cookie = ok
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let home = app
        .request(Method::GET, "/", &[("cookie", &cookie)], "")
        .await
        .text();
    assert!(home.contains(&email), "the top bar shows who is signed in");
    let csrf = me(&app, &cookie).await.json()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let cookie_form = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("cookie", cookie.as_str()),
    ];
    let forged = app.request(Method::POST, "/logout", &cookie_form, "").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let out = app
        .request(
            Method::POST,
            "/logout",
            &cookie_form,
            format!("csrf_token={csrf}"),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(me(&app, &cookie).await.status, StatusCode::UNAUTHORIZED);
    let actions = audit_actions(&app).await;
    assert_eq!(count(&actions, "auth.sign_in_failed"), 1);
    assert_eq!(count(&actions, "auth.sign_in"), 1);
    assert_eq!(count(&actions, "auth.sign_out"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_tokens_authenticate_and_are_exempt_from_csrf() {
    let app = TestApp::new().await;
    let (tenant, user, _) = seed_user(&app, Role::Admin).await;
    let secret = token::generate();
    {
        let hash = token::hash(&app.app.state.settings.secret_key, &secret);
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        galley_core::db_run!(conn, |c| {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            use galley_core::schema::api_tokens;
            diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::tenant_id.eq(tenant),
                    api_tokens::name.eq("integration"),
                    api_tokens::role.eq("viewer"),
                    api_tokens::token_hash.eq(&hash),
                    api_tokens::token_prefix.eq(&secret[..6]),
                    api_tokens::created_by.eq(user),
                    api_tokens::created_at.eq(galley_core::db::now()),
                ))
                .execute(c)
                .await
        })
        .unwrap();
    }
    let bearer = format!("Bearer {secret}");
    let me = app
        .request(
            Method::GET,
            "/api/v1/auth/me",
            &[("authorization", &bearer)],
            "",
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["role"], "viewer");
    assert_eq!(me.json()["tenant_id"], tenant);
    assert!(me.json()["csrf_token"].is_null());

    // No CSRF token, yet not a CSRF failure: bearer requests are exempt.
    let logout = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            &[("authorization", &bearer)],
            "",
        )
        .await;
    assert_eq!(logout.json()["type"], "/problems/forbidden");

    let bogus = app
        .request(
            Method::GET,
            "/api/v1/auth/me",
            &[("authorization", "Bearer nope")],
            "",
        )
        .await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_local_the_session_cookie_is_secure_and_hsts_is_sent() {
    let app = TestApp::builder()
        .set("env", "staging")
        .set("secret_key", token::generate() + &token::generate())
        .build()
        .await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let response = login_response(&app, &email, PASSWORD).await;
    assert!(response.header("set-cookie").contains("; Secure"));
    assert!(
        response
            .header("strict-transport-security")
            .contains("max-age=")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_audit_row_commits_and_rolls_back_with_its_change() {
    let app = TestApp::new().await;
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let before = galley_core::audit::recent(conn, None, 1000)
        .await
        .unwrap()
        .len();
    let failed: Result<(), galley_core::db::DbError> = galley_core::transaction!(conn, |tx| {
        tenants::insert(tx, "Rolled back", "offshore").await?;
        galley_core::audit::record(
            tx,
            galley_core::audit::Entry::new("tenant.created", Default::default(), None),
        )
        .await?;
        Err(galley_core::db::DbError::Conflict)
    });
    assert!(failed.is_err());
    assert_eq!(
        galley_core::audit::recent(conn, None, 1000)
            .await
            .unwrap()
            .len(),
        before
    );
    galley_core::transaction!(conn, |tx| {
        galley_core::audit::record(
            tx,
            galley_core::audit::Entry::new("tenant.created", Default::default(), None),
        )
        .await
    })
    .unwrap();
    assert_eq!(
        galley_core::audit::recent(conn, None, 1000)
            .await
            .unwrap()
            .len(),
        before + 1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_stops_working_when_its_maker_is_disabled() {
    let app = TestApp::new().await;
    let (tenant, admin_id, email) = seed_user(&app, Role::Admin).await;
    let admin = crate::client::Client::sign_in(&app, &email).await;
    let created = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": "Kassasystem", "role": "viewer" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let bearer = format!("Bearer {}", created.json()["token"].as_str().unwrap());
    let auth = [("authorization", bearer.as_str())];
    let me = app.request(Method::GET, "/api/v1/auth/me", &auth, "").await;
    assert_eq!(me.status, StatusCode::OK);
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let user = users::find_in_tenant(conn, tenant, admin_id)
            .await
            .unwrap()
            .unwrap();
        let disabled = users::Editable {
            display_name: user.display_name.clone(),
            role: Role::Admin,
            site_id: user.site_id,
            disabled: true,
            language: None,
        };
        assert!(users::update(conn, &user, &disabled).await.unwrap());
    }
    app.written_behind_the_back();
    let me = app.request(Method::GET, "/api/v1/auth/me", &auth, "").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "the maker is disabled");
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_carrying_the_csrf_token_are_not_cached() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let signed_in = login_response(&app, &email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_eq!(signed_in.header("cache-control"), "no-store");
    let cookie = signed_in
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let who = me(&app, &cookie).await;
    assert_eq!(who.status, StatusCode::OK);
    assert!(who.json()["csrf_token"].is_string());
    assert_eq!(who.header("cache-control"), "no-store");
}

async fn login_with(app: &TestApp, headers: &[(&str, &str)], email: &str) -> TestResponse {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    app.request(
        Method::POST,
        "/api/v1/auth/login",
        &all,
        json!({ "email": email, "password": PASSWORD }).to_string(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_sent_by_another_site_is_refused_on_both_paths() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let host = ("host", "galley.example.se");
    for headers in [
        vec![host, ("origin", "https://evil.example")],
        vec![host, ("origin", "null")],
        vec![host, ("origin", "https://galley.example.se.evil.example")],
        vec![host, ("sec-fetch-site", "cross-site")],
    ] {
        let refused = login_with(&app, &headers, &email).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(refused.json()["type"], "/problems/cross-site-sign-in");
        assert!(refused.headers.get("set-cookie").is_none());
    }
    let form = app
        .request(
            Method::POST,
            "/login",
            &[
                host,
                ("origin", "https://evil.example"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("email={email}&password={}", PASSWORD.replace(' ', "+")),
        )
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    assert!(form.headers.get("set-cookie").is_none());
    assert!(
        form.text()
            .contains("Inloggningen kom från en annan webbplats"),
        "{}",
        form.text()
    );

    // This site's own pages (a proxy may drop the port from Host) and non-browser clients pass.
    for headers in [
        vec![host, ("origin", "https://galley.example.se")],
        vec![host, ("origin", "http://galley.example.se:8080")],
        vec![host, ("sec-fetch-site", "same-origin")],
        vec![],
    ] {
        let ok = login_with(&app, &headers, &email).await;
        assert_eq!(ok.status, StatusCode::OK, "{headers:?}: {}", ok.text());
    }
}
