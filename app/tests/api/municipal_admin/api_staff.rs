//! Binding department staff to their department through the API.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{audit_rows, department_path, user_id};
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

#[tokio::test(flavor = "multi_thread")]
async fn admins_bind_department_staff_to_one_department() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Vallby", open_week()).await;
    let other = kitchen(&app, "Kvarnby", open_week()).await;
    let staff = user_id(&k, "department-3").await;
    let path = format!("/api/v1/municipal/users/{staff}/department");
    let read = k.admin.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json(), json!({ "department_id": k.departments[0] }));
    let tag = read.header("etag").to_owned();
    assert_eq!(
        tag,
        format!("\"user-{staff}-department-{}\"", k.departments[0])
    );
    // Reached once before the move, so what the instance remembers of the binding is stale
    // the moment the move commits.
    assert_eq!(
        k.department_staff[0]
            .get(&department_path(k.departments[0]))
            .await
            .status,
        StatusCode::OK
    );
    let move_to = json!({ "department_id": k.departments[2] });
    assert_eq!(
        k.admin
            .send(Method::PUT, &path, None, Some(move_to.clone()))
            .await
            .status,
        StatusCode::PRECONDITION_REQUIRED
    );
    let moved = k
        .admin
        .send(Method::PUT, &path, Some(&tag), Some(move_to.clone()))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert_eq!(moved.json(), move_to);
    let moved_tag = moved.header("etag").to_owned();
    // The staff now reach Linden, and Björken no longer.
    assert_eq!(
        k.department_staff[0]
            .get(&department_path(k.departments[2]))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        k.department_staff[0]
            .get(&department_path(k.departments[0]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let rows = audit_rows(&k.admin, "department_member.bound", "user", staff).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["details"],
        json!({ "from": k.departments[0], "to": k.departments[2] })
    );
    // The old ETag is stale.
    let stale = k
        .admin
        .send(
            Method::PUT,
            &path,
            Some(&tag),
            Some(json!({ "department_id": null })),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], moved_tag);

    // Only users of role department are bound.
    let cook = user_id(&k, "cook-1").await;
    let cook_path = format!("/api/v1/municipal/users/{cook}/department");
    let cook_tag = k.admin.get(&cook_path).await.header("etag").to_owned();
    let refused = k
        .admin
        .send(
            Method::PUT,
            &cook_path,
            Some(&cook_tag),
            Some(move_to.clone()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["errors"][0]["field"], "user_id");
    assert_eq!(
        k.admin.get(&cook_path).await.json()["department_id"],
        json!(null)
    );
    // Another tenant's department or user does not exist here.
    let foreign = k
        .admin
        .send(
            Method::PUT,
            &path,
            Some(&moved_tag),
            Some(json!({ "department_id": other.departments[0] })),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let their_staff = user_id(&other, "department-3").await;
    let foreign = format!("/api/v1/municipal/users/{their_staff}/department");
    assert_eq!(k.admin.get(&foreign).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        k.admin
            .send(
                Method::PUT,
                &foreign,
                Some("*"),
                Some(json!({ "department_id": null }))
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.admin.get(&foreign).await.json()["department_id"],
        other.departments[0]
    );
    // The field must be sent; null unbinds.
    let empty = k
        .admin
        .send(Method::PUT, &path, Some(&moved_tag), Some(json!({})))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unbound = k
        .admin
        .send(
            Method::PUT,
            &path,
            Some(&moved_tag),
            Some(json!({ "department_id": null })),
        )
        .await;
    assert_eq!(unbound.status, StatusCode::OK);
    assert_eq!(
        unbound.header("etag"),
        format!("\"user-{staff}-department-none\"")
    );
    assert_eq!(
        k.department_staff[0]
            .get(&department_path(k.departments[2]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Only admins see or change bindings.
    assert_eq!(k.cook.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        k.department_staff[0].get(&path).await.status,
        StatusCode::FORBIDDEN
    );
}
