//! `docs/roles.md` is checked against the code: every row, every role.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

struct Row {
    method: Method,
    path: String,
    allowed: Vec<Role>,
}

/// The rows of the table under `## {heading}` (up to the next heading).
fn table_of(heading: &str) -> Vec<Row> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/roles.md")).unwrap();
    let marker = format!("## {heading}\n");
    let after = doc.split(&marker).nth(1).expect("the section");
    let section = after.split("\n## ").next().unwrap_or(after);
    section
        .lines()
        .filter(|line| {
            line.starts_with("| ") && !line.starts_with("| method") && !line.starts_with("|---")
        })
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let allowed = Role::ALL
                .iter()
                .zip(&cells[2..])
                .filter(|(_, mark)| **mark == "✓")
                .map(|(role, _)| *role)
                .collect();
            Row {
                method: cells[0].parse().unwrap(),
                path: cells[1].to_owned(),
                allowed,
            }
        })
        .collect()
}

fn table() -> Vec<Row> {
    table_of("Routes")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_is_in_the_role_table() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let module_ids = crate::registry().ids();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let tags: Vec<&str> = operation["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let open = tags.iter().any(|t| *t == "operations" || *t == "auth")
                || module_ids.iter().any(|id| *path == format!("/api/v1/{id}"));
            if !open {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let written: BTreeSet<String> = table()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        documented, written,
        "docs/roles.md and the OpenAPI routes differ"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_gets_exactly_what_the_table_says() {
    let app = TestApp::new().await;
    let mut clients = Vec::new();
    for role in Role::ALL {
        let (tenant, user, email) = seed_user(&app, role).await;
        if role == Role::Department {
            // Department staff work for one department; without it every department route
            // would refuse them for that reason rather than for their role.
            bind_to_a_department(&app, tenant, user).await;
        }
        clients.push((role, Client::sign_in(&app, &email).await));
    }
    for row in table() {
        // An id nobody has: an admitted role gets past the guard to a 404 (or a 422 for an
        // empty body), so no row changes anything.
        let path = row
            .path
            .replace("{site_id}", "987654321")
            .replace("{id}", "987654321");
        for (role, client) in &clients {
            let response = if row.method == Method::GET {
                client.get(&path).await
            } else {
                let body = (row.method != Method::DELETE).then(|| json!({}));
                client
                    .send(row.method.clone(), &path, Some("*"), body)
                    .await
            };
            let admitted = row.allowed.contains(role);
            assert_ne!(
                response.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{} {path}",
                row.method
            );
            if admitted {
                assert_ne!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{} {path}: {} is in the table but was refused: {}",
                    row.method,
                    role.as_str(),
                    response.text()
                );
            } else {
                assert_eq!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{} {path}: {} is not in the table but got through",
                    row.method,
                    role.as_str()
                );
            }
        }
    }
}

async fn bind_to_a_department(app: &TestApp, tenant: i64, user: i64) {
    use galley_municipal::departments::{self, DepartmentFields};
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let site = galley_core::people::users::find_live(conn, user)
        .await
        .unwrap()
        .unwrap()
        .site_id
        .unwrap();
    let fields = DepartmentFields {
        name: "Rollavdelningen",
        residents: 5,
        notes: "",
    };
    let department = departments::insert(conn, tenant, site, &fields)
        .await
        .unwrap();
    departments::bind_user(conn, tenant, user, Some(department))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_gets_exactly_the_pages_the_table_says() {
    let app = TestApp::new().await;
    // A kitchen's people, so department staff are bound to a department as the portal needs.
    let k =
        crate::municipal_fixture::kitchen(&app, "Sidroller", crate::municipal_fixture::open_week())
            .await;
    let (_, _, superuser) = seed_user(&app, Role::Superuser).await;
    let superuser = Client::sign_in(&app, &superuser).await;
    let clients: Vec<(Role, &Client<'_>)> = vec![
        (Role::Superuser, &superuser),
        (Role::Admin, &k.admin),
        (Role::Cook, &k.cook),
        (Role::Department, &k.department_staff[0]),
        (Role::Viewer, &k.viewer),
    ];
    assert_eq!(clients.len(), Role::ALL.len());
    let rows: Vec<Row> = ["Municipal pages", "Offshore pages"]
        .into_iter()
        .flat_map(|heading| {
            let rows = table_of(heading);
            assert!(rows.len() >= 10, "{heading} has {} rows", rows.len());
            rows
        })
        .collect();
    for row in rows {
        // Ids nobody has and an empty form: an admitted role gets past the guard and no
        // row changes anything.
        let path = row
            .path
            .replace("{id}", "987654321")
            .replace("{site_id}", "987654321")
            .replace("{year}/{week}", "2026/10")
            .replace("{day}", "2")
            .replace("{date}", "2026-03-02");
        for (role, client) in &clients {
            let response = if row.method == Method::GET {
                client.get(&path).await
            } else {
                crate::offshore_prep::form(client, &path, "site=987654321").await
            };
            let admitted = row.allowed.contains(role);
            assert_ne!(
                response.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{} {path}",
                row.method
            );
            if admitted {
                assert_ne!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{} {path}: {} is in the table but was refused",
                    row.method,
                    role.as_str()
                );
            } else {
                assert_eq!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{} {path}: {} is not in the table but got through",
                    row.method,
                    role.as_str()
                );
            }
        }
    }
}
