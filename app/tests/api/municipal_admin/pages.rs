//! The admin pages with the in-process client: who may open them, the forms (CSRF, the
//! version in a hidden field, errors next to the fields, what was typed kept) and that they
//! change what the API then reads.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{department_path, user_id};
use crate::client::Client;
use crate::console::{hidden_etag, post_form};
use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{kitchen, open_week};

pub fn admin_path(path: &str) -> String {
    format!("/municipal/admin{path}")
}

/// The value of the hidden field `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end]
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
}

/// A form post without the CSRF field: what a forged cross-site form would send.
async fn post_without_csrf(
    client: &Client<'_>,
    path: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let body = serde_urlencoded::to_string(fields).unwrap();
    client
        .app
        .request(
            Method::POST,
            path,
            &[
                ("cookie", client.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_edit_cooks_read_department_staff_are_refused() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Solgläntan", open_week()).await;
    let pages = [
        admin_path(""),
        admin_path(&format!("/sites/{}/departments", k.site)),
        admin_path(&format!("/departments/{}", k.departments[0])),
        admin_path(&format!("/sites/{}/diet-types", k.site)),
        admin_path(&format!("/sites/{}/settings", k.site)),
    ];
    for path in &pages {
        let admin = k.admin.get(path).await;
        assert_eq!(admin.status, StatusCode::OK, "{path}");
        assert!(admin.content_type().starts_with("text/html"));
        let cook = k.cook.get(path).await;
        assert_eq!(cook.status, StatusCode::OK, "{path}");
        assert!(
            !cook.text().contains(r#"type="submit" class="button">"#),
            "{path}: a cook sees a form"
        );
        let staff = k.department_staff[0].get(path).await;
        assert_eq!(staff.status, StatusCode::FORBIDDEN, "{path}");
        assert!(staff.content_type().starts_with("text/html"));
        let stranger = app.get(path).await;
        assert_eq!(stranger.status, StatusCode::SEE_OTHER, "{path}");
    }
    // The index links each kitchen's pages.
    let index = k.admin.get(&admin_path("")).await.text();
    assert!(index.contains(&format!("/municipal/admin/sites/{}/departments", k.site)));
    assert!(index.contains("3 avdelningar"), "{index}");
    // Cooks and viewers cannot post the forms.
    let refused = post_form(
        &k.cook,
        &admin_path(&format!("/sites/{}/departments", k.site)),
        &[("name", "Nytt"), ("residents", "3")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Another tenant's kitchen and departments are unknown pages.
    let other = kitchen(&app, "Skogsgläntan", open_week()).await;
    for path in [
        admin_path(&format!("/sites/{}/departments", other.site)),
        admin_path(&format!("/departments/{}", other.departments[0])),
        admin_path(&format!("/sites/{}/settings", other.site)),
    ] {
        let response = k.admin.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(response.content_type().starts_with("text/html"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_department_list_shows_diets_and_staff_and_adds_departments() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Ekbacken", open_week()).await;
    let path = admin_path(&format!("/sites/{}/departments", k.site));
    let list = k.admin.get(&path).await.text();
    assert!(list.contains("Björken"), "{list}");
    assert!(list.contains("Glutenfri 2 · Timbal 1"), "{list}");
    assert!(list.contains("Laktosfri 1"), "{list}");
    assert!(list.contains("Ingen specialkost"), "Linden has none");
    assert!(list.contains("Ingen personal"), "Linden has no staff");
    // Reading the diets as an admin is audited.
    let audited = k
        .admin
        .get(&format!(
            "/api/v1/audit?action=diet_defaults.read&target_type=site&target_id={}",
            k.site
        ))
        .await
        .json();
    assert_eq!(audited["total"], 1);

    // A forged form (no CSRF token) changes nothing.
    let forged = post_without_csrf(&k.admin, &path, &[("name", "Aspen"), ("residents", "3")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Errors next to the fields, in Swedish, and what was typed kept.
    let invalid = post_form(
        &k.admin,
        &path,
        &[
            ("name", " "),
            ("residents", "tolv"),
            ("notes", "Hiss i B-huset"),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.text();
    assert!(body.contains("Ange ett heltal från 0 till 1000."), "{body}");
    assert!(body.contains(r#"id="residents-error""#));
    assert!(body.contains(r#"value="tolv""#), "the typed value is kept");
    assert!(body.contains("Hiss i B-huset"));
    let invalid = post_form(&k.admin, &path, &[("name", " "), ("residents", "4")]).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid
            .text()
            .contains("Ange ett namn på 1 till 120 tecken.")
    );
    let taken = post_form(&k.admin, &path, &[("name", "eken"), ("residents", "4")]).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.text().contains("Namnet används redan i köket."));
    assert!(taken.text().contains(r#"value="eken""#));
    assert_eq!(
        k.admin.get(&super::departments_path(k.site)).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // A new department: to its page, which asks for its diets next.
    let created = post_form(
        &k.admin,
        &path,
        &[("name", "Aspen"), ("residents", "14"), ("notes", "")],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let location = created.header("location").to_owned();
    assert!(
        location.starts_with("/municipal/admin/departments/"),
        "{location}"
    );
    let page = k.admin.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Avdelningen är tillagd."));
    assert!(page.text().contains(r#"name="diet_"#));
    let departments = k.admin.get(&super::departments_path(k.site)).await.json();
    assert!(
        departments["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "Aspen" && d["residents"] == 14)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_department_page_saves_each_section_against_its_version() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Lönnbacken", open_week()).await;
    let id = k.departments[2];
    let path = admin_path(&format!("/departments/{id}"));
    let page = k.admin.get(&path).await;
    let tag = hidden_etag(&page.text());
    assert_eq!(tag, format!("\"department-{id}-v1\""));

    // Details: saved, and the page says so at that section.
    let saved = post_form(
        &k.admin,
        &path,
        &[
            ("etag", &tag),
            ("name", "Linden"),
            ("residents", "9"),
            ("notes", "Hiss"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.header("location"),
        format!("{path}?saved=details#details")
    );
    let after = k.admin.get(saved.header("location")).await.text();
    assert!(after.contains("Sparat"));
    let api = k.admin.get(&department_path(id)).await.json();
    assert_eq!(
        (api["residents"].clone(), api["notes"].clone()),
        (json!(9), json!("Hiss"))
    );
    // The old version is stale: the page says so and shows what is stored now.
    let stale = post_form(
        &k.admin,
        &path,
        &[
            ("etag", &tag),
            ("name", "Lind"),
            ("residents", "3"),
            ("notes", ""),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = stale.text();
    assert!(body.contains("Någon annan ändrade detta"), "{body}");
    assert!(body.contains(r#"value="Linden""#));
    let tag = hidden_etag(&body);
    assert_eq!(tag, format!("\"department-{id}-v2\""));

    // Diet defaults: one input per diet type; a bad number is named and kept.
    let diet = |i: usize| format!("diet_{}", k.diets[i]);
    let invalid = post_form(
        &k.admin,
        &format!("{path}/diets"),
        &[
            ("etag", &tag),
            (&diet(0), "två"),
            (&diet(1), "1"),
            (&diet(2), ""),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.text();
    assert!(
        body.contains(&format!(r#"id="{}-error""#, diet(0))),
        "{body}"
    );
    assert!(body.contains(r#"value="två""#));
    let too_many = post_form(
        &k.admin,
        &format!("{path}/diets"),
        &[
            ("etag", &tag),
            (&diet(0), "1001"),
            (&diet(1), "1"),
            (&diet(2), ""),
        ],
    )
    .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_many
            .text()
            .contains(&format!(r#"id="{}-error""#, diet(0)))
    );
    assert!(too_many.text().contains(r#"value="1001""#));
    assert!(
        too_many.text().contains("Fler än avdelningens"),
        "{}",
        too_many.text()
    );
    let saved = post_form(
        &k.admin,
        &format!("{path}/diets"),
        &[
            ("etag", &tag),
            (&diet(0), "2"),
            (&diet(1), ""),
            (&diet(2), "1"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        saved.header("location"),
        format!("{path}?saved=diets#diets")
    );
    let defaults = k
        .admin
        .get(&format!("{}/diet-defaults", department_path(id)))
        .await
        .json();
    let count = |diet: i64| {
        defaults["diets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["diet_type_id"] == diet)
            .unwrap()["residents"]
            .clone()
    };
    assert_eq!(
        (count(k.diets[0]), count(k.diets[1]), count(k.diets[2])),
        (json!(2), json!(0), json!(1))
    );

    // The standing schedule: seven inputs, or the fixed count.
    let page = k.admin.get(&path).await.text();
    let tag = hidden_etag(&page);
    let days: Vec<(String, String)> = [9, 9, 9, 9, 9, 7, 7]
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("day{}", i + 1), n.to_string()))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("etag", &tag), ("mode", "weekdays")];
    fields.extend(days.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    fields[2].1 = "nio";
    let invalid = post_form(&k.admin, &format!("{path}/schedule"), &fields).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.text().contains(r#"id="day1-error""#));
    assert!(invalid.text().contains(r#"value="nio""#));
    fields[2].1 = "9";
    let saved = post_form(&k.admin, &format!("{path}/schedule"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let schedule = format!("{}/schedule", department_path(id));
    assert_eq!(
        k.admin.get(&schedule).await.json(),
        json!({ "weekdays": [9, 9, 9, 9, 9, 7, 7], "dinner": null })
    );
    // Dinner where it differs, and an open Sunday.
    let tag = hidden_etag(&k.admin.get(&path).await.text());
    let mut evening = fields.clone();
    evening[0].1 = &tag;
    evening[8].1 = "";
    evening.push(("dinner6", "5"));
    let saved = post_form(&k.admin, &format!("{path}/schedule"), &evening).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        k.admin.get(&schedule).await.json(),
        json!({
            "weekdays": [9, 9, 9, 9, 9, 7, null],
            "dinner": [null, null, null, null, null, 5, null],
        })
    );
    let shown = k.admin.get(&path).await.text();
    assert!(shown.contains(
        r#"name="dinner6" type="number" inputmode="numeric" min="0" max="1000" value="5""#
    ));
    assert!(
        shown.contains(
            r#"name="day7" type="number" inputmode="numeric" min="0" max="1000" value="""#
        )
    );
    let tag = hidden_etag(&k.admin.get(&path).await.text());
    fields[0].1 = &tag;
    fields[1].1 = "fixed";
    let saved = post_form(&k.admin, &format!("{path}/schedule"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        k.admin.get(&schedule).await.json(),
        json!({ "weekdays": null, "dinner": null })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_are_bound_and_unbound_and_departments_removed_from_their_page() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Almbacken", open_week()).await;
    let id = k.departments[2];
    let path = admin_path(&format!("/departments/{id}"));
    // Björken's staff can be moved here; the select says where they are now.
    let page = k.admin.get(&path).await.text();
    assert!(page.contains("nu på Björken"), "{page}");
    let staff = user_id(&k, "department-3").await;
    let field = format!("etag_{staff}");
    let staff_tag = hidden(&k.admin.get(&path).await.text(), &field);
    let nobody = post_form(&k.admin, &format!("{path}/staff"), &[("user_id", "")]).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.text().contains("Välj en person."));
    let bound = post_form(
        &k.admin,
        &format!("{path}/staff"),
        &[
            ("user_id", &staff.to_string()),
            (&format!("etag_{staff}"), &staff_tag),
        ],
    )
    .await;
    assert_eq!(bound.status, StatusCode::SEE_OTHER, "{}", bound.text());
    assert_eq!(
        k.department_staff[0].get(&department_path(id)).await.status,
        StatusCode::OK
    );
    let list = k
        .admin
        .get(&admin_path(&format!("/sites/{}/departments", k.site)))
        .await
        .text();
    assert!(list.contains("Ingen personal"), "Björken lost its staff");
    // Binding again with the old version: stale, nothing changes.
    let stale = post_form(
        &k.admin,
        &format!("{path}/staff"),
        &[
            ("unbind", &staff.to_string()),
            (&format!("etag_{staff}"), &staff_tag),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("Någon annan ändrade detta"));
    let staff_tag = hidden(&k.admin.get(&path).await.text(), &field);
    let unbound = post_form(
        &k.admin,
        &format!("{path}/staff"),
        &[
            ("unbind", &staff.to_string()),
            (&format!("etag_{staff}"), &staff_tag),
        ],
    )
    .await;
    assert_eq!(unbound.status, StatusCode::SEE_OTHER);
    assert_eq!(
        k.department_staff[0].get(&department_path(id)).await.status,
        StatusCode::NOT_FOUND
    );

    // Removing asks once.
    let tag = hidden_etag(&k.admin.get(&path).await.text());
    let unconfirmed = post_form(&k.admin, &format!("{path}/delete"), &[("etag", &tag)]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unconfirmed
            .text()
            .contains("Kryssa i rutan för att bekräfta.")
    );
    assert_eq!(
        k.admin.get(&department_path(id)).await.status,
        StatusCode::OK
    );
    let removed = post_form(
        &k.admin,
        &format!("{path}/delete"),
        &[("etag", &tag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        removed.header("location"),
        admin_path(&format!("/sites/{}/departments?saved=deleted", k.site))
    );
    assert!(
        k.admin
            .get(removed.header("location"))
            .await
            .text()
            .contains("Avdelningen är borttagen.")
    );
    assert_eq!(
        k.admin.get(&department_path(id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(k.admin.get(&path).await.status, StatusCode::NOT_FOUND);
}
