//! A kitchen's week menus: ETags from version 0, items replaced whole, publish and unpublish
//! audited, edits after publishing marked, and exact ISO weeks.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

#[tokio::test(flavor = "multi_thread")]
async fn a_week_is_drafted_published_edited_and_withdrawn() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Menyby", open_week()).await;
    let path = k.menu_path();

    let menu = k.cook.get(&path).await;
    assert_eq!(menu.status, StatusCode::OK);
    assert_eq!(menu.json()["status"], "published");
    assert_eq!(menu.json()["version"], 2);
    assert_eq!(menu.json()["changed_after_publish"], false);
    assert_eq!(menu.json()["items"].as_array().unwrap().len(), 26);
    let first = &menu.json()["items"][0];
    assert_eq!(first["day"], 1);
    assert_eq!(first["date"], k.week.monday().to_string());
    assert_eq!(
        first["dish"]["allergens"],
        json!(["gluten", "eggs", "milk"])
    );
    let etag = menu.header("etag").to_owned();
    assert_eq!(
        etag,
        format!("\"menu-{}-{}w{}-v2\"", k.site, k.week.year, k.week.week)
    );
    // Conditional reads.
    let again = k.cook.get_with(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // Replacing needs If-Match, and a stale one names the current ETag.
    let items = json!({ "items": [
        { "day": 2, "meal": "lunch", "slot": "alt1", "dish_id": k.dishes[2] },
        { "day": 2, "meal": "lunch", "slot": "alt2", "dish_id": k.dishes[1] },
    ]});
    let missing = k
        .cook
        .send(Method::PUT, &path, None, Some(items.clone()))
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let stale_tag = etag.replace("-v2", "-v1");
    let stale = k
        .cook
        .send(Method::PUT, &path, Some(&stale_tag), Some(items.clone()))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_etag"], etag);

    // Editing a published week bumps its version and marks it changed.
    let edited = k
        .cook
        .send(Method::PUT, &path, Some(&etag), Some(items.clone()))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    assert_eq!(edited.json()["version"], 3);
    assert_eq!(edited.json()["status"], "published");
    assert_eq!(edited.json()["changed_after_publish"], true);
    assert_eq!(edited.json()["items"].as_array().unwrap().len(), 2);
    let etag = edited.header("etag").to_owned();

    // The same items again change nothing, not even the version.
    let same = k
        .cook
        .send(Method::PUT, &path, Some(&etag), Some(items))
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.header("etag"), etag);

    // Withdraw, then publish again; both audited.
    let withdrawn = k
        .cook
        .send(
            Method::POST,
            &format!("{path}/unpublish"),
            Some(&etag),
            None,
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    assert_eq!(withdrawn.json()["status"], "draft");
    let republished = k
        .cook
        .send(
            Method::POST,
            // Publishing runs the municipal pre-flight; this test's week is not a full one.
            &format!("{path}/publish?confirm=true"),
            Some(withdrawn.header("etag")),
            None,
        )
        .await;
    assert_eq!(republished.json()["status"], "published");
    assert_eq!(republished.json()["changed_after_publish"], false);
    let audit = k.admin.get("/api/v1/audit?per_page=100").await.json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["menu.items_replaced", "menu.published", "menu.unpublished"] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }

    // The year's list shows the week.
    let list = k
        .viewer
        .get(&format!(
            "/api/v1/sites/{}/menus?year={}",
            k.site, k.week.year
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["week"] == k.week.week)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn menus_refuse_bad_items_weeks_and_roles() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Felby", open_week()).await;
    let base = format!("/api/v1/sites/{}/menus", k.site);

    // 2026 has a week 53, 2027 does not.
    assert_eq!(
        k.cook.get(&format!("{base}/2026/53")).await.status,
        StatusCode::OK
    );
    let no_week = k.cook.get(&format!("{base}/2027/53")).await;
    assert_eq!(no_week.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_week.json()["errors"][0]["field"], "week");

    // A new week starts at version 0; every bad item is named.
    let path = format!("{base}/2027/10");
    let draft = k.cook.get(&path).await;
    assert_eq!(draft.json()["version"], 0);
    assert_eq!(draft.json()["status"], "draft");
    let bad = k
        .cook
        .send(
            Method::PUT,
            &path,
            Some(draft.header("etag")),
            Some(json!({ "items": [
                { "day": 8, "meal": "lunch", "slot": "alt1", "dish_id": k.dishes[0] },
                { "day": 1, "meal": "lunch", "slot": "starter", "dish_id": k.dishes[0] },
                { "day": 1, "meal": "lunch", "slot": "alt1", "dish_id": 999_999 },
                { "day": 1, "meal": "lunch", "slot": "alt1", "dish_id": k.dishes[1] },
            ]})),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    let body = bad.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "items[0].day",
            "items[1].slot",
            "items[2].dish_id",
            "items[3].slot"
        ]
    );
    assert_eq!(
        k.cook.get(&path).await.json()["version"],
        0,
        "nothing was written"
    );

    // An empty week cannot be published; unknown fields are refused.
    let empty = k
        .cook
        .send(Method::POST, &format!("{path}/publish"), Some("*"), None)
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = k
        .cook
        .send(
            Method::PUT,
            &path,
            Some("*"),
            Some(json!({ "items": [], "x": 1 })),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Viewers read but do not write; department staff use their own week instead.
    assert_eq!(k.viewer.get(&path).await.status, StatusCode::OK);
    let viewer_write = k
        .viewer
        .send(Method::PUT, &path, Some("*"), Some(json!({ "items": [] })))
        .await;
    assert_eq!(viewer_write.status, StatusCode::FORBIDDEN);
    assert_eq!(
        k.department_staff[0].get(&path).await.status,
        StatusCode::FORBIDDEN
    );
}

/// A new week starts as a copy of the kitchen's week: every dish in place, a draft, audited
/// with the week it came from; an empty week or the week itself cannot be copied.
#[tokio::test(flavor = "multi_thread")]
async fn a_week_starts_as_a_copy_of_an_earlier_week() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Kopieby", open_week()).await;
    let next = k.week.next();
    let next_path = format!("/api/v1/sites/{}/menus/{}/{}", k.site, next.year, next.week);
    let copy_path = format!("{next_path}/copy");
    let new_week = k.cook.get(&next_path).await;
    assert_eq!(new_week.json()["version"], 0);
    let from = json!({ "from_year": k.week.year, "from_week": k.week.week });

    let missing = k
        .cook
        .send(Method::POST, &copy_path, None, Some(from.clone()))
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let viewer = k
        .viewer
        .send(
            Method::POST,
            &copy_path,
            Some(new_week.header("etag")),
            Some(from.clone()),
        )
        .await;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN);
    for (body, reason) in [
        (
            json!({ "from_year": next.year, "from_week": next.week }),
            "another week",
        ),
        (
            json!({ "from_year": next.next().year, "from_week": next.next().week }),
            "no dishes",
        ),
        (json!({ "from_year": 2027, "from_week": 53 }), "not a week"),
    ] {
        let refused = k
            .cook
            .send(
                Method::POST,
                &copy_path,
                Some(new_week.header("etag")),
                Some(body),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error = &refused.json()["errors"][0];
        assert_eq!(error["field"], "from_week");
        assert!(
            error["reason"].as_str().unwrap().contains(reason),
            "{error}"
        );
    }
    assert_eq!(k.cook.get(&next_path).await.json()["version"], 0);

    let copied = k
        .cook
        .send(
            Method::POST,
            &copy_path,
            Some(new_week.header("etag")),
            Some(from),
        )
        .await;
    assert_eq!(copied.status, StatusCode::OK, "{}", copied.text());
    let copied = copied.json();
    assert_eq!(copied["status"], "draft");
    assert_eq!(copied["version"], 1);
    let source = k.cook.get(&k.menu_path()).await.json();
    let dishes = |menu: &serde_json::Value| -> Vec<(i64, String, String, i64)> {
        menu["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["day"].as_i64().unwrap(),
                    i["meal"].as_str().unwrap().to_owned(),
                    i["slot"].as_str().unwrap().to_owned(),
                    i["dish"]["id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(dishes(&copied), dishes(&source));
    assert_eq!(copied["items"][0]["date"], next.monday().to_string());
    let audit = k
        .admin
        .get("/api/v1/audit?action=menu.items_replaced&per_page=5")
        .await
        .json();
    assert_eq!(
        audit["items"][0]["details"]["copied_from"],
        json!({ "year": k.week.year, "week": k.week.week })
    );
}

/// The editor of an empty week offers the earlier weeks to start from.
#[tokio::test(flavor = "multi_thread")]
async fn the_editor_starts_an_empty_week_from_an_earlier_one() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Kopiesida", open_week()).await;
    let next = k.week.next();
    let page_path = format!("/municipal/menus/{}/{}", next.year, next.week);
    let page = k.cook.get(&page_path).await.text();
    assert!(page.contains(r#"id="copy-week""#), "{page}");
    let source = format!("{}-W{:02}", k.week.year, k.week.week);
    assert!(
        page.contains(&format!(r#"<option value="{source}">"#)),
        "{page}"
    );
    let etag = format!("\"menu-{}-{}w{}-v0\"", k.site, next.year, next.week);
    let encoded = etag.replace('"', "%22");
    let empty = format!("{}-W{:02}", next.next().year, next.next().week);
    let refused = crate::offshore_prep::form(
        &k.cook,
        &format!("{page_path}/copy"),
        &format!("etag={encoded}&from={empty}"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("har inga rätter att kopiera"),
        "{}",
        refused.text()
    );
    let copied = crate::offshore_prep::form(
        &k.cook,
        &format!("{page_path}/copy"),
        &format!("etag={encoded}&from={source}"),
    )
    .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER, "{}", copied.text());
    let menu = k
        .cook
        .get(&format!(
            "/api/v1/sites/{}/menus/{}/{}",
            k.site, next.year, next.week
        ))
        .await
        .json();
    assert_eq!(menu["items"].as_array().unwrap().len(), 26);
    // Once the week has dishes, the offer is gone.
    assert!(
        !k.cook
            .get(&page_path)
            .await
            .text()
            .contains(r#"id="copy-week""#)
    );
}
