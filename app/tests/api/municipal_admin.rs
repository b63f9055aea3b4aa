//! The municipal set-up: departments, diet defaults, resident schedules and overrides, the
//! binding of department staff, and a kitchen's settings; through the JSON API and the admin
//! pages.

mod api_departments;
mod api_schedules;
mod api_settings;
mod api_staff;

use serde_json::Value;

use crate::client::Client;
use crate::municipal_fixture::Kitchen;

pub fn department_path(id: i64) -> String {
    format!("/api/v1/municipal/departments/{id}")
}

pub fn departments_path(site: i64) -> String {
    format!("/api/v1/municipal/sites/{site}/departments")
}

/// The audit rows of the tenant with this action about this department, newest first.
pub async fn audit_rows(admin: &Client<'_>, action: &str, target: &str, id: i64) -> Vec<Value> {
    let response = admin
        .get(&format!(
            "/api/v1/audit?action={action}&target_type={target}&target_id={id}&per_page=100"
        ))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["items"].as_array().unwrap().clone()
}

/// The id of the kitchen's user whose e-mail starts with `prefix` (`cook-1`, `department-3`).
pub async fn user_id(kitchen: &Kitchen<'_>, prefix: &str) -> i64 {
    let users = kitchen.admin.get("/api/v1/users?per_page=100").await.json();
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no user {prefix}"))["id"]
        .as_i64()
        .unwrap()
}
