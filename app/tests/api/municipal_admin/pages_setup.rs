//! The admin pages for a department's week, a kitchen's diet types and its settings, with
//! the in-process client.

use axum::http::StatusCode;
use serde_json::json;

use super::department_path;
use super::pages::admin_path;
use crate::console::{hidden_etag, post_form};
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

#[tokio::test(flavor = "multi_thread")]
async fn the_week_page_sets_a_weeks_schedule_and_overrides_per_meal() {
    let app = TestApp::new().await;
    let week = open_week();
    let k = kitchen(&app, "Hassel", week).await;
    let id = k.departments[2];
    // Without a week: next week, the one being planned.
    let upcoming = k
        .admin
        .get(&admin_path(&format!("/departments/{id}/weeks")))
        .await;
    assert_eq!(upcoming.status, StatusCode::SEE_OTHER);
    assert!(
        upcoming
            .header("location")
            .starts_with(&admin_path(&format!("/departments/{id}/weeks/")))
    );
    assert_eq!(
        k.admin
            .get(&admin_path(&format!("/departments/{id}/weeks/2025/53")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let path = admin_path(&format!(
        "/departments/{id}/weeks/{}/{}",
        week.year, week.week
    ));
    let page = k.admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    assert!(
        body.contains(&format!("Linden · v. {}", week.week)),
        "{body}"
    );
    assert!(body.contains(&admin_path(&format!(
        "/departments/{id}/weeks/{}/{}",
        week.next().year,
        week.next().week
    ))));
    assert!(body.contains("Räknas nu: lunch 8, kvällsmat 8"), "{body}");
    assert!(k.cook.get(&path).await.status == StatusCode::OK);

    let tag = hidden_etag(&body);
    let mut fields: Vec<(String, String)> =
        vec![("etag".into(), tag), ("mode".into(), "weekdays".into())];
    fields.extend((1..=7).map(|d| (format!("day{d}"), "11".to_owned())));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = post_form(&k.admin, &path, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let api = format!(
        "{}/weeks/{}/{}/residents",
        department_path(id),
        week.year,
        week.week
    );
    assert_eq!(
        k.admin.get(&api).await.json()["weekdays"],
        json!([11, 11, 11, 11, 11, 11, 11])
    );

    // Overrides: empty means none; a bad number is named and every typed value kept.
    let page = k.admin.get(&path).await.text();
    assert!(page.contains("Räknas nu: lunch 11, kvällsmat 11"));
    let tag = hidden_etag(&page);
    let invalid = post_form(
        &k.admin,
        &format!("{path}/overrides"),
        &[("etag", &tag), ("lunch2", "5"), ("dinner3", "-2")],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.text();
    assert!(body.contains(r#"id="dinner3-error""#), "{body}");
    assert!(body.contains(r#"value="-2""#) && body.contains(r#"value="5""#));
    let saved = post_form(
        &k.admin,
        &format!("{path}/overrides"),
        &[("etag", &tag), ("lunch2", "5"), ("dinner3", "")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = k.admin.get(&format!("{path}?saved=overrides")).await.text();
    assert!(page.contains("Räknas nu: lunch 5, kvällsmat 11"), "{page}");
    let tuesday = week.day(2).unwrap();
    let listed = k
        .admin
        .get(&format!(
            "{}/overrides?from={tuesday}&to={tuesday}",
            department_path(id)
        ))
        .await
        .json();
    assert_eq!(
        listed["overrides"],
        json!([{ "date": tuesday.to_string(), "lunch": 5, "dinner": null }])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn diet_types_are_set_up_with_swedish_allergen_names() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rönnen", open_week()).await;
    let path = admin_path(&format!("/sites/{}/diet-types", k.site));
    let list = k.admin.get(&path).await.text();
    assert!(
        list.contains("Glutenfri") && list.contains("Mjölk") && list.contains("IDDSI 5"),
        "{list}"
    );
    // Fourteen allergen checkboxes in the form.
    assert_eq!(list.matches(r#"name="excludes""#).count(), 14);
    assert!(list.contains("Svaveldioxid och sulfiter"));

    let invalid = post_form(
        &k.admin,
        &path,
        &[("name", ""), ("excludes", "eggs"), ("texture_level", "4")],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.text();
    assert!(body.contains("Ange ett namn på 1 till 80 tecken."));
    assert!(
        body.contains(r#"value="eggs" checked"#),
        "the ticked box is kept"
    );
    assert!(body.contains(r#"value="4" selected"#));
    let created = post_form(
        &k.admin,
        &path,
        &[
            ("name", "Äggfri"),
            ("excludes", "eggs"),
            ("excludes", "fish"),
            ("texture_level", ""),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let diets = k
        .admin
        .get(&format!("/api/v1/sites/{}/diet-types", k.site))
        .await
        .json();
    let egg_free = diets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Äggfri")
        .unwrap()
        .clone();
    assert_eq!(egg_free["excludes"], json!(["eggs", "fish"]));
    assert_eq!(egg_free["texture_level"], json!(null));
    let id = egg_free["id"].as_i64().unwrap();

    // Edit: untick fish, make it apply always.
    let edit = format!("{path}/{id}");
    let page = k.admin.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(k.cook.get(&edit).await.status, StatusCode::FORBIDDEN);
    let tag = hidden_etag(&page.text());
    let saved = post_form(
        &k.admin,
        &edit,
        &[
            ("etag", &tag),
            ("name", "Äggfri"),
            ("excludes", "eggs"),
            ("texture_level", "6"),
            ("always_applies", "yes"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let diet = k
        .admin
        .get(&format!("/api/v1/sites/{}/diet-types/{id}", k.site))
        .await
        .json();
    assert_eq!(diet["excludes"], json!(["eggs"]));
    assert_eq!(
        (
            diet["texture_level"].clone(),
            diet["always_applies"].clone()
        ),
        (json!(6), json!(true))
    );
    let stale = post_form(&k.admin, &edit, &[("etag", &tag), ("name", "Ägg")]).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("Någon annan ändrade detta"));
    // Remove, once confirmed.
    let tag = hidden_etag(&k.admin.get(&edit).await.text());
    assert_eq!(
        post_form(&k.admin, &format!("{edit}/delete"), &[("etag", &tag)])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let removed = post_form(
        &k.admin,
        &format!("{edit}/delete"),
        &[("etag", &tag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        k.admin
            .get(&format!("/api/v1/sites/{}/diet-types/{id}", k.site))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_settings_page_says_when_choices_close() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Björkbacken", open_week()).await;
    let path = admin_path(&format!("/sites/{}/settings", k.site));
    let api = k
        .admin
        .get(&format!("/api/v1/municipal/sites/{}/settings", k.site))
        .await
        .json();
    let week = api["next_deadline"]["week"].as_i64().unwrap();
    // Next week's deadline is this week's Thursday: from then on it has closed, and the
    // page says so in the past tense (issue 11 item 12).
    let closes_at =
        chrono::DateTime::parse_from_rfc3339(api["next_deadline"]["closes_at"].as_str().unwrap())
            .unwrap();
    let passed = closes_at <= chrono::Utc::now();
    let (verb, verb_en) = if passed {
        ("stängde", "closed")
    } else {
        ("stänger", "close")
    };
    let page = k.admin.get(&path).await.text();
    assert!(
        page.contains(&format!("Valen för v. {week} {verb} torsdag ")),
        "{page}"
    );
    assert!(page.contains("kl. 12:00."));
    assert!(
        page.contains(r#"<option value="1" selected>Veckan före</option>"#),
        "{page}"
    );
    let english = k.admin.get(&format!("{path}?lang=en")).await.text();
    assert!(
        english.contains(&format!("Choices for week {week} {verb_en} on Thursday ")),
        "{english}"
    );

    let tag = hidden_etag(&page);
    let invalid = post_form(
        &k.admin,
        &path,
        &[
            ("etag", &tag),
            ("deadline_weekday", "1"),
            ("deadline_time", "25:00"),
            ("deadline_weeks_before", "0"),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.text();
    assert!(
        body.contains("Ange en tid mellan 00:00 och 23:59."),
        "{body}"
    );
    assert!(body.contains(r#"value="25:00""#));
    assert!(body.contains(r#"<option value="0" selected>Samma vecka</option>"#));
    let saved = post_form(
        &k.admin,
        &path,
        &[
            ("etag", &tag),
            ("deadline_weekday", "1"),
            ("deadline_time", "09:30"),
            ("deadline_weeks_before", "0"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = k.admin.get(saved.header("location")).await.text();
    assert!(page.contains("stänger måndag "), "{page}");
    assert!(page.contains("kl. 09:30."));
    assert!(page.contains("Sparat"));
    let api = k
        .admin
        .get(&format!("/api/v1/municipal/sites/{}/settings", k.site))
        .await
        .json();
    assert_eq!(api["weekend_alt2"], false, "an unticked box is false");
    assert_eq!(api["deadline_time"], "09:30");
    let stale = post_form(
        &k.admin,
        &path,
        &[
            ("etag", &tag),
            ("deadline_weekday", "2"),
            ("deadline_time", "09:30"),
            ("deadline_weeks_before", "0"),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("Någon annan ändrade detta"));
}
