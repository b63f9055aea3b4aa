//! Every list of the municipal API, and the kitchen lists it uses, answers the one envelope
//! (`items`, `page`, `per_page`, `total`) with `?page=&per_page=` checked as everywhere.

use axum::http::StatusCode;
use serde_json::Value;

use crate::harness::TestApp;
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

fn lists(k: &Kitchen<'_>) -> [(String, i64); 3] {
    [
        (format!("/api/v1/municipal/sites/{}/departments", k.site), 3),
        (format!("/api/v1/sites/{}/diet-types", k.site), 3),
        (
            format!("/api/v1/sites/{}/menus?year={}", k.site, k.week.year),
            1,
        ),
    ]
}

fn names(page: &Value) -> Vec<Value> {
    page["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_list_answers_the_paginated_envelope() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Listorna", open_week()).await;
    for (path, total) in lists(&k) {
        let whole = k.cook.get(&path).await;
        assert_eq!(whole.status, StatusCode::OK, "{path}: {}", whole.text());
        let body = whole.json();
        assert_eq!(body["page"], 1, "{path}");
        assert_eq!(body["per_page"], 25, "{path}");
        assert_eq!(body["total"], total, "{path}");
        assert_eq!(names(&body).len() as i64, total, "{path}");

        // One at a time: the second page holds the second item, the total stays.
        let join = if path.contains('?') { '&' } else { '?' };
        let second = k
            .cook
            .get(&format!("{path}{join}page=2&per_page=1"))
            .await
            .json();
        assert_eq!(second["total"], total, "{path}");
        assert_eq!(second["per_page"], 1, "{path}");
        if total >= 2 {
            assert_eq!(names(&second), [names(&body)[1].clone()], "{path}");
        } else {
            assert!(names(&second).is_empty(), "{path}");
        }

        for bad in ["per_page=0", "per_page=101", "page=0"] {
            let refused = k.cook.get(&format!("{path}{join}{bad}")).await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {bad}"
            );
            let field = bad.split('=').next().unwrap();
            assert_eq!(refused.json()["errors"][0]["field"], field, "{path} {bad}");
        }
    }
}
