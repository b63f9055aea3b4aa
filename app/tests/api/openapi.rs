//! The OpenAPI document says what the server does: every operation lists the statuses that
//! the layers in front of its handler can answer, each as a problem document.

use serde_json::Value;

use crate::harness::TestApp;

/// The statuses an operation must document, from what it takes and where it lives.
fn expected_statuses(path: &str, operation: &Value) -> Vec<&'static str> {
    let mut expected = vec!["429"];
    if !path.starts_with("/api/") {
        return expected;
    }
    expected.extend(["500", "503"]);
    if path != "/api/v1/auth/login" {
        expected.extend(["401", "403"]);
    }
    let has_params = path.contains('{')
        || operation["parameters"]
            .as_array()
            .is_some_and(|p| !p.is_empty());
    let has_body = operation.get("requestBody").is_some();
    if has_params || has_body {
        expected.extend(["400", "422"]);
    }
    if has_body {
        expected.extend(["413", "415"]);
    }
    if path.contains('{') || path.starts_with("/api/v1/municipal/") {
        expected.push("404");
    }
    expected
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_documents_the_shared_statuses_as_problems() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            for status in expected_statuses(path, operation) {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} does not document {status}"
                );
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().unwrap();
                    let types: Vec<&String> = content.keys().collect();
                    assert_eq!(
                        types,
                        ["application/problem+json"],
                        "{method} {path} {status}"
                    );
                    assert_eq!(
                        content["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 70, "only {checked} operations");
}
