//! Sign-in lockout across both sign-in paths, and client addresses behind proxies.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::{PASSWORD, seed_user};
use crate::harness::{TestApp, TestResponse};

async fn json_login(
    app: &TestApp,
    peer: &str,
    xff: Option<&str>,
    email: &str,
    password: &str,
) -> TestResponse {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(xff) = xff {
        headers.push(("x-forwarded-for", xff));
    }
    app.request_from(
        peer,
        Method::POST,
        "/api/v1/auth/login",
        &headers,
        json!({ "email": email, "password": password }).to_string(),
    )
    .await
}

async fn form_login(app: &TestApp, peer: &str, email: &str, password: &str) -> TestResponse {
    app.request_from(
        peer,
        Method::POST,
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("email={email}&password={}", password.replace(' ', "+")),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn five_failures_lock_the_account_across_both_sign_in_paths() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    // Each attempt from its own address, so only the account key can lock.
    for i in 0..3 {
        let r = json_login(
            &app,
            &format!("198.51.100.{i}"),
            None,
            &email,
            "wrong password!",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    for i in 3..5 {
        let r = form_login(&app, &format!("198.51.100.{i}"), &email, "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, on either path.
    let json = json_login(&app, "198.51.100.50", None, &email, PASSWORD).await;
    assert_eq!(
        json.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        json.text()
    );
    assert_eq!(json.json()["type"], "/problems/too-many-requests");
    let wait: u64 = json.header("retry-after").parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert_eq!(json.json()["retry_after"], wait);

    let form = form_login(&app, "198.51.100.51", &email, PASSWORD).await;
    assert_eq!(form.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(form.header("retry-after").parse::<u64>().is_ok());
    assert!(
        form.text().contains("För många misslyckade försök"),
        "{}",
        form.text()
    );
    assert!(form.text().contains(&format!(r#"value="{email}""#)));

    // Another account is not affected.
    let (_, _, other) = seed_user(&app, Role::Cook).await;
    assert_eq!(
        json_login(&app, "198.51.100.52", None, &other, PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spoofed_forwarded_for_is_ignored_unless_the_peer_is_trusted() {
    let app = TestApp::builder()
        .set("trusted_proxies", "10.0.0.0/8")
        .build()
        .await;
    // An untrusted client rotating X-Forwarded-For still hits its own address's limit.
    for i in 0..5 {
        let spoof = format!("203.0.113.{i}");
        let r = json_login(
            &app,
            "192.0.2.7",
            Some(&spoof),
            &format!("nobody{i}@example.se"),
            "whatever pw",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked = json_login(
        &app,
        "192.0.2.7",
        Some("203.0.113.99"),
        "fresh@example.se",
        "whatever pw",
    )
    .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);

    // Behind the trusted proxy, the forwarded address is the client: one locks, another does not.
    for i in 0..5 {
        let r = json_login(
            &app,
            "10.0.0.2",
            Some("198.51.100.7"),
            &format!("x{i}@example.se"),
            "whatever pw",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let same = json_login(
        &app,
        "10.0.0.2",
        Some("198.51.100.7"),
        "y@example.se",
        "whatever pw",
    )
    .await;
    assert_eq!(same.status, StatusCode::TOO_MANY_REQUESTS);
    let other = json_login(
        &app,
        "10.0.0.2",
        Some("198.51.100.8"),
        "y@example.se",
        "whatever pw",
    )
    .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
}

/// Sends a wrong sign-in for every (address, e-mail) at once; returns how many were checked (401)
/// and how many refused (429).
async fn concurrent_wrong_sign_ins(
    app: &Arc<TestApp>,
    attempts: impl Iterator<Item = (String, String)>,
) -> (usize, usize) {
    let mut set = tokio::task::JoinSet::new();
    for (peer, email) in attempts {
        let app = Arc::clone(app);
        set.spawn(async move {
            json_login(&app, &peer, None, &email, "wrong password!")
                .await
                .status
        });
    }
    let (mut wrong, mut refused) = (0, 0);
    while let Some(status) = set.join_next().await {
        match status.unwrap() {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (wrong, refused)
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_wrong_passwords_check_at_most_the_limit() {
    let app = Arc::new(TestApp::new().await);
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    // Forty addresses against one account: only five passwords are ever checked.
    let (wrong, refused) = concurrent_wrong_sign_ins(
        &app,
        (0..40).map(|i| (format!("198.51.100.{i}"), email.clone())),
    )
    .await;
    assert_eq!((wrong, refused), (5, 35));
    // Forty accounts from one address: the same.
    let (wrong, refused) = concurrent_wrong_sign_ins(
        &app,
        (0..40).map(|i| ("192.0.2.9".to_owned(), format!("nobody{i}@example.se"))),
    )
    .await;
    assert_eq!((wrong, refused), (5, 35));
    // The locked account still refuses the right password.
    let right = json_login(&app, "203.0.113.1", None, &email, PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Several instances on one PostgreSQL count the same attempts (decision 0026): five wrong
/// passwords spread over three instances lock the account on all of them, and a right one
/// gives its attempt back on all of them.
#[tokio::test(flavor = "multi_thread")]
async fn instances_on_one_postgresql_share_the_lockout() {
    if !crate::harness::on_postgres() {
        return;
    }
    let db = crate::harness::TestDb::migrated().await;
    let key = galley_core::auth::token::generate() + &galley_core::auth::token::generate();
    let mut fleet = Vec::new();
    for _ in 0..3 {
        let instance = TestApp::builder()
            .db(db.clone())
            .set("secret_key", key.clone())
            .build()
            .await;
        fleet.push(instance);
    }
    let (_, _, email) = seed_user(&fleet[0], Role::Cook).await;
    let peer = |i: usize| format!("198.51.100.{i}");
    for i in 0..4 {
        let wrong = json_login(&fleet[i % 3], &peer(i), None, &email, "wrong password!").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // A right password is not a failure: its attempt is given back, for every instance.
    let right = json_login(&fleet[1], &peer(10), None, &email, PASSWORD).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.text());
    let fifth = json_login(&fleet[2], &peer(11), None, &email, "wrong password!").await;
    assert_eq!(fifth.status, StatusCode::UNAUTHORIZED);
    for (i, instance) in fleet.iter().enumerate() {
        let locked = json_login(instance, &peer(20 + i), None, &email, PASSWORD).await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "instance {i} let a sixth attempt through"
        );
    }
}
