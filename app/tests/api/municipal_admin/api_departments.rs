//! Departments and their diet defaults through the API.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{audit_rows, department_path, departments_path};
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

#[tokio::test(flavor = "multi_thread")]
async fn admins_create_change_and_remove_departments() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Solbacka", open_week()).await;
    let list = k.admin.get(&departments_path(k.site)).await;
    assert_eq!(list.status, StatusCode::OK);
    let listed = list.json();
    let listed = listed["items"].as_array().unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|d| (
                d["name"].as_str().unwrap(),
                d["residents"].as_i64().unwrap()
            ))
            .collect::<Vec<_>>(),
        [("Björken", 12), ("Eken", 10), ("Linden", 8)]
    );
    assert_eq!(listed[0]["version"], 1);
    assert_eq!(listed[0]["notes"], "");

    // Create: 201, the ETag of version 1, the name trimmed.
    let created = k
        .admin
        .post(
            &departments_path(k.site),
            json!({ "name": "  Aspen ", "residents": 14, "notes": "Hiss i B-huset" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let aspen = created.json();
    let id = aspen["id"].as_i64().unwrap();
    assert_eq!(created.header("etag"), format!("\"department-{id}-v1\""));
    assert_eq!(aspen["name"], "Aspen");
    assert_eq!(aspen["residents"], 14);
    assert_eq!(aspen["notes"], "Hiss i B-huset");
    assert_eq!(aspen["site_id"], k.site);
    let rows = audit_rows(&k.admin, "department.created", "department", id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["details"]["name"], "Aspen");

    // Names are unique per kitchen, whatever the case and spacing.
    let taken = k
        .admin
        .post(
            &departments_path(k.site),
            json!({ "name": "björken", "residents": 3 }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text());
    // Bad input: every field named, nothing made.
    let bad = k
        .admin
        .post(
            &departments_path(k.site),
            json!({ "name": " ", "residents": 1001, "notes": "x".repeat(2001) }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["name", "residents", "notes"]);
    let negative = k
        .admin
        .post(
            &departments_path(k.site),
            json!({ "name": "Lönnen", "residents": -1 }),
        )
        .await;
    assert_eq!(negative.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(negative.json()["errors"][0]["field"], "residents");
    let unknown = k
        .admin
        .post(
            &departments_path(k.site),
            json!({ "name": "Lönnen", "residents": 1, "colour": "red" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        k.admin.get(&departments_path(k.site)).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Read with the ETag; a client that has it gets 304.
    let read = k.admin.get(&department_path(id)).await;
    assert_eq!(read.status, StatusCode::OK);
    let tag = read.header("etag").to_owned();
    let again = k
        .admin
        .get_with(&department_path(id), &[("if-none-match", &tag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // Change: If-Match needed and current; only the fields sent change.
    let change = json!({ "residents": 15 });
    let missing = k
        .admin
        .patch(&department_path(id), None, change.clone())
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let changed = k
        .admin
        .patch(&department_path(id), Some(&tag), change)
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert_eq!(changed.json()["residents"], 15);
    assert_eq!(changed.json()["name"], "Aspen");
    assert_eq!(changed.json()["notes"], "Hiss i B-huset");
    assert_eq!(changed.header("etag"), format!("\"department-{id}-v2\""));
    let stale = k
        .admin
        .patch(&department_path(id), Some(&tag), json!({ "name": "Asp" }))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        stale.json()["current_etag"],
        format!("\"department-{id}-v2\"")
    );
    let v2 = changed.header("etag").to_owned();
    // The same values again change nothing, not even the version.
    let same = k
        .admin
        .patch(
            &department_path(id),
            Some(&v2),
            json!({ "residents": 15, "name": "Aspen" }),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.header("etag"), v2);
    // Renaming onto another department's name is a conflict, and changes nothing.
    let clash = k
        .admin
        .patch(
            &department_path(id),
            Some(&v2),
            json!({ "name": "EKEN", "residents": 3 }),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    let invalid = k
        .admin
        .patch(
            &department_path(id),
            Some(&v2),
            json!({ "residents": 5000 }),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = k.admin.get(&department_path(id)).await;
    assert_eq!(now.header("etag"), v2);
    assert_eq!(now.json()["residents"], 15);
    let rows = audit_rows(&k.admin, "department.updated", "department", id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["details"]["residents"],
        json!({ "from": 14, "to": 15 })
    );

    // Remove: If-Match needed; afterwards it is gone from the list and unknown.
    let refused = k.admin.delete(&department_path(id), Some(&tag)).await;
    assert_eq!(refused.status, StatusCode::PRECONDITION_FAILED);
    let removed = k.admin.delete(&department_path(id), Some(&v2)).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        k.admin.get(&department_path(id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.admin.get(&departments_path(k.site)).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Its name is free again.
    let reused = k
        .admin
        .post(
            &departments_path(k.site),
            json!({ "name": "Aspen", "residents": 1 }),
        )
        .await;
    assert_eq!(reused.status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_department_unbinds_its_staff() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Granbacka", open_week()).await;
    let own = department_path(k.departments[0]);
    assert_eq!(k.department_staff[0].get(&own).await.status, StatusCode::OK);
    let tag = k.admin.get(&own).await.header("etag").to_owned();
    assert_eq!(
        k.admin.delete(&own, Some(&tag)).await.status,
        StatusCode::NO_CONTENT
    );
    let rows = audit_rows(
        &k.admin,
        "department.deleted",
        "department",
        k.departments[0],
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["details"]["unbound_users"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The staff's binding went with it: their old department is unknown to them.
    assert_eq!(
        k.department_staff[0].get(&own).await.status,
        StatusCode::NOT_FOUND
    );
    let user = super::user_id(&k, "department-3").await;
    let binding = k
        .admin
        .get(&format!("/api/v1/municipal/users/{user}/department"))
        .await;
    assert_eq!(binding.json(), json!({ "department_id": null }));
}

#[tokio::test(flavor = "multi_thread")]
async fn who_reaches_which_department() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Björkhaga", open_week()).await;
    let other = kitchen(&app, "Ekhaga", open_week()).await;
    let own = department_path(k.departments[0]);
    for reader in [&k.admin, &k.cook, &k.viewer, &k.department_staff[0]] {
        let response = reader.get(&own).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.json()["name"], "Björken");
    }
    // Department staff reach their own department only; the kitchen's list is not for them.
    assert_eq!(
        k.department_staff[0]
            .get(&department_path(k.departments[1]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.department_staff[0]
            .get(&departments_path(k.site))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Cooks and viewers read but do not write.
    assert_eq!(
        k.cook.get(&departments_path(k.site)).await.status,
        StatusCode::OK
    );
    let tag = k.admin.get(&own).await.header("etag").to_owned();
    for writer in [&k.cook, &k.viewer, &k.department_staff[0]] {
        let response = writer
            .patch(&own, Some(&tag), json!({ "residents": 1 }))
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        let response = writer
            .post(
                &departments_path(k.site),
                json!({ "name": "X", "residents": 1 }),
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
    }
    // Another tenant's kitchen and departments do not exist for this admin.
    assert_eq!(
        k.admin
            .get(&department_path(other.departments[0]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.admin.get(&departments_path(other.site)).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = k
        .admin
        .post(
            &departments_path(other.site),
            json!({ "name": "X", "residents": 1 }),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let foreign = k
        .admin
        .send(
            Method::DELETE,
            &department_path(other.departments[0]),
            Some("*"),
            None,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .admin
            .get(&department_path(other.departments[0]))
            .await
            .status,
        StatusCode::OK
    );
}

/// No diet has more people than the department: 13 on a diet in Björken (12 residents) is
/// refused with the count it must stay within, and nothing changes; 12 is fine.
#[tokio::test(flavor = "multi_thread")]
async fn a_diet_count_above_the_residents_is_refused() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rönngården", open_week()).await;
    let path = format!("{}/diet-defaults", department_path(k.departments[0]));
    let read = k.admin.get(&path).await;
    let too_many = k
        .admin
        .send(
            Method::PUT,
            &path,
            Some(read.header("etag")),
            Some(json!({ "diets": [{ "diet_type_id": k.diets[1], "residents": 13 }] })),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = &too_many.json()["errors"][0];
    assert_eq!(error["field"], "diets[0].residents");
    assert!(
        error["reason"].as_str().unwrap().contains("12 residents"),
        "{error}"
    );
    assert_eq!(k.admin.get(&path).await.header("etag"), read.header("etag"));
    let all = k
        .admin
        .send(
            Method::PUT,
            &path,
            Some(read.header("etag")),
            Some(json!({ "diets": [{ "diet_type_id": k.diets[1], "residents": 12 }] })),
        )
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text());
    // Nor may the residents drop below a diet's count.
    let department = k.admin.get(&department_path(k.departments[0])).await;
    let fewer = k
        .admin
        .patch(
            &department_path(k.departments[0]),
            Some(department.header("etag")),
            json!({ "residents": 11 }),
        )
        .await;
    assert_eq!(fewer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fewer.json()["errors"][0]["field"], "residents");
    assert_eq!(
        k.admin.get(&department_path(k.departments[0])).await.json()["residents"],
        12
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn diet_defaults_are_read_per_diet_type_and_replaced_as_a_whole() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Lindgården", open_week()).await;
    let other = kitchen(&app, "Almgården", open_week()).await;
    let path = format!("{}/diet-defaults", department_path(k.departments[0]));
    // Björken: 2 gluten-free, 0 lactose-free, 1 timbal; every diet type of the kitchen listed.
    let read = k.admin.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    let mut expected = vec![
        json!({ "diet_type_id": k.diets[0], "residents": 2 }),
        json!({ "diet_type_id": k.diets[1], "residents": 0 }),
        json!({ "diet_type_id": k.diets[2], "residents": 1 }),
    ];
    let mut listed = read.json()["diets"].as_array().unwrap().clone();
    listed.sort_by_key(|d| d["diet_type_id"].as_i64());
    expected.sort_by_key(|d| d["diet_type_id"].as_i64());
    assert_eq!(listed, expected);
    let v1 = read.header("etag").to_owned();
    assert_eq!(v1, format!("\"department-{}-v1\"", k.departments[0]));
    // An admin's read is audited; a cook's and the department's own are not.
    assert_eq!(
        audit_rows(
            &k.admin,
            "diet_defaults.read",
            "department",
            k.departments[0]
        )
        .await
        .len(),
        1
    );
    assert_eq!(k.cook.get(&path).await.status, StatusCode::OK);
    let own = k.department_staff[0].get(&path).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["diets"].as_array().unwrap().len(), 3);
    assert_eq!(
        audit_rows(
            &k.admin,
            "diet_defaults.read",
            "department",
            k.departments[0]
        )
        .await
        .len(),
        1
    );
    // Another department's defaults are unknown to department staff.
    let eken = format!("{}/diet-defaults", department_path(k.departments[1]));
    assert_eq!(
        k.department_staff[0].get(&eken).await.status,
        StatusCode::NOT_FOUND
    );

    let body = json!({ "diets": [
        { "diet_type_id": k.diets[1], "residents": 3 },
        { "diet_type_id": k.diets[2], "residents": 1 },
    ] });
    let put = |tag: Option<String>, body: serde_json::Value| {
        let path = path.clone();
        let admin = &k.admin;
        async move {
            admin
                .send(Method::PUT, &path, tag.as_deref(), Some(body))
                .await
        }
    };
    assert_eq!(
        put(None, body.clone()).await.status,
        StatusCode::PRECONDITION_REQUIRED
    );
    // A diet type of another kitchen, one listed twice, a count out of range: 422, each named.
    let bad = put(
        Some(v1.clone()),
        json!({ "diets": [
            { "diet_type_id": other.diets[0], "residents": 1 },
            { "diet_type_id": k.diets[1], "residents": 1001 },
            { "diet_type_id": k.diets[1], "residents": 1 },
        ] }),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "diets[0].diet_type_id",
            "diets[1].residents",
            "diets[2].diet_type_id"
        ]
    );
    // Nothing changed.
    let unchanged = k.admin.get(&path).await;
    assert_eq!(unchanged.header("etag"), v1);
    assert_eq!(unchanged.json()["diets"], read.json()["diets"]);

    // The whole set is replaced: gluten-free (left out) drops to 0; the department moves on.
    let saved = put(Some(v1.clone()), body.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let v2 = format!("\"department-{}-v2\"", k.departments[0]);
    assert_eq!(saved.header("etag"), v2);
    let counts: Vec<i64> = {
        let mut diets = saved.json()["diets"].as_array().unwrap().clone();
        diets.sort_by_key(|d| d["diet_type_id"].as_i64());
        let mut ids = k.diets;
        ids.sort();
        ids.iter()
            .map(|id| {
                diets.iter().find(|d| d["diet_type_id"] == *id).unwrap()["residents"]
                    .as_i64()
                    .unwrap()
            })
            .collect()
    };
    let mut want = [(k.diets[0], 0), (k.diets[1], 3), (k.diets[2], 1)];
    want.sort();
    assert_eq!(counts, want.iter().map(|(_, n)| *n).collect::<Vec<_>>());
    assert_eq!(
        k.admin.get(&department_path(k.departments[0])).await.json()["version"],
        2
    );
    let rows = audit_rows(
        &k.admin,
        "diet_defaults.replaced",
        "department",
        k.departments[0],
    )
    .await;
    assert_eq!(rows.len(), 1);
    // The department's old ETag is stale now; the same set again changes nothing.
    assert_eq!(
        put(Some(v1), body.clone()).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    let same = put(Some(v2.clone()), body).await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.header("etag"), v2);
    // Only admins write.
    let refused = k
        .cook
        .send(Method::PUT, &path, Some(&v2), Some(json!({ "diets": [] })))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A diet type removed from the kitchen is no longer listed.
    let diet = format!("/api/v1/sites/{}/diet-types/{}", k.site, k.diets[1]);
    let diet_tag = k.admin.get(&diet).await.header("etag").to_owned();
    assert_eq!(
        k.admin.delete(&diet, Some(&diet_tag)).await.status,
        StatusCode::NO_CONTENT
    );
    let after = k.admin.get(&path).await.json();
    assert!(
        after["diets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["diet_type_id"] != k.diets[1]),
        "{after}"
    );
}
