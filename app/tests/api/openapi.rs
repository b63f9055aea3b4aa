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

/// The schema of an operation's JSON body, with its `$ref` followed.
fn body_schema<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    let schema =
        &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    let name = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .unwrap_or_else(|| panic!("{method} {path} has no body schema: {schema}"));
    &doc["components"]["schemas"][name]
}

fn field<'a>(schema: &'a Value, name: &str) -> &'a Value {
    let field = &schema["properties"][name];
    assert!(field.is_object(), "no field {name} in {schema}");
    field
}

/// Bodies say what the handlers accept, so that a generated client or a fuzzer sends what the
/// server takes: a few operations of each kind of rule, held to the server's own constants.
#[tokio::test(flavor = "multi_thread")]
async fn request_bodies_state_the_rules_the_handlers_check() {
    use galley_core::auth::password;
    use galley_core::http::text_input::{NON_BLANK_PATTERN, PLAIN_TEXT_PATTERN};
    use galley_core::kitchen::{api::MAX_DISH_NAME, diet_api::MAX_TEXTURE_LEVEL};
    use galley_core::people::api::MAX_NAME;
    use galley_municipal::api::departments::MAX_RESIDENTS;

    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();

    // A non-blank name of bounded length.
    for (path, method) in [("/api/v1/dishes", "post"), ("/api/v1/dishes/{id}", "patch")] {
        let name = field(body_schema(&doc, path, method), "name");
        assert_eq!(name["minLength"], 1, "{method} {path}");
        assert_eq!(name["maxLength"], MAX_DISH_NAME, "{method} {path}");
        assert_eq!(name["pattern"], NON_BLANK_PATTERN, "{method} {path}");
    }
    let site = body_schema(&doc, "/api/v1/sites", "post");
    assert_eq!(field(site, "name")["maxLength"], MAX_NAME);
    let zones = field(site, "timezone")["enum"].as_array().unwrap();
    assert!(zones.contains(&"Europe/Stockholm".into()), "{zones:?}");
    assert!(zones.len() > 300, "only {} time zones", zones.len());

    // Closed lists, e-mail addresses and the password policy.
    let user = body_schema(&doc, "/api/v1/users", "post");
    assert_eq!(field(user, "email")["format"], "email");
    assert_eq!(field(user, "password")["minLength"], password::MIN_LENGTH);
    assert_eq!(field(user, "password")["maxLength"], password::MAX_LENGTH);
    // Control characters are refused in every string, so free text says so too, nested or not.
    assert_eq!(field(user, "password")["pattern"], PLAIN_TEXT_PATTERN);
    let tenant = body_schema(&doc, "/api/v1/tenants", "post");
    let admin = tenant["properties"]["admin"]["$ref"].as_str().unwrap();
    let admin = &doc["components"]["schemas"][admin.rsplit('/').next().unwrap()];
    assert_eq!(field(admin, "password")["pattern"], PLAIN_TEXT_PATTERN);
    assert_eq!(field(admin, "display_name")["pattern"], NON_BLANK_PATTERN);
    let roles = &field(user, "role")["enum"];
    assert_eq!(
        *roles,
        serde_json::json!(["admin", "cook", "department", "viewer"])
    );

    // Numbers in their ranges, in a list too.
    let diet = body_schema(&doc, "/api/v1/sites/{site_id}/diet-types", "post");
    assert_eq!(field(diet, "texture_level")["maximum"], MAX_TEXTURE_LEVEL);
    let settings = body_schema(&doc, "/api/v1/municipal/sites/{site_id}/settings", "put");
    assert_eq!(field(settings, "deadline_weekday")["minimum"], 1);
    assert_eq!(field(settings, "deadline_weekday")["maximum"], 7);
    let schedule = body_schema(&doc, "/api/v1/municipal/departments/{id}/schedule", "put");
    let weekdays = field(schedule, "weekdays");
    assert_eq!(weekdays["minItems"], 7);
    assert_eq!(weekdays["maxItems"], 7);
    assert_eq!(weekdays["items"]["minimum"], 0);
    assert_eq!(weekdays["items"]["maximum"], MAX_RESIDENTS);
    // `null` is a value there, not a missing field.
    assert!(
        schedule["required"]
            .as_array()
            .unwrap()
            .contains(&"weekdays".into())
    );

    // A write that answers 428 without If-Match says the header is required.
    let parameters = doc["paths"]["/api/v1/dishes/{id}"]["patch"]["parameters"]
        .as_array()
        .unwrap();
    let if_match = parameters.iter().find(|p| p["name"] == "If-Match").unwrap();
    assert_eq!(if_match["in"], "header");
    assert_eq!(if_match["required"], true);
}

/// One path answering JSON or a CSV file by its suffix documents both bodies under its 200,
/// not just the last one written (schemathesis found the JSON answer undocumented).
#[tokio::test(flavor = "multi_thread")]
async fn the_shopping_list_documents_json_and_csv() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let ok = &doc["paths"]["/api/v1/offshore/sites/{site_id}/shopping/{date}"]["get"]["responses"]
        ["200"]["content"];
    assert!(ok["application/json"].is_object(), "{ok}");
    assert!(ok["text/csv"].is_object(), "{ok}");
}
