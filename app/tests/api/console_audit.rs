//! The console's audit log (`/admin/audit`): filters, pages and the CSV link, over the same
//! operation as `GET /api/v1/audit`.

use axum::http::StatusCode;
use galley_core::auth::Role;
use serde_json::json;

use crate::auth::seed_user;
use crate::client::Client;
use crate::harness::TestApp;

async fn create_site(admin: &Client<'_>, name: &str) -> i64 {
    let response = admin
        .post(
            "/api/v1/sites",
            json!({ "name": name, "timezone": "Europe/Stockholm" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()["id"].as_i64().unwrap()
}

/// The `href` of the first link whose attribute list contains `marker`, unescaped.
fn href_after(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {html}"));
    let start = html[..at].rfind("href=\"").unwrap() + "href=\"".len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

/// How many rows the table shows.
fn row_count(html: &str) -> usize {
    html.split("<tbody>")
        .nth(1)
        .map_or(0, |body| body.matches("<tr>").count())
}

#[tokio::test(flavor = "multi_thread")]
async fn strangers_sign_in_first_and_other_roles_are_refused() {
    let app = TestApp::new().await;
    let anonymous = app.get("/admin/audit?action=site.created").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header("location"), "/login?next=/admin/audit");
    for role in [Role::Cook, Role::Viewer, Role::Department] {
        let (_, _, email) = seed_user(&app, role).await;
        let refused = Client::sign_in(&app, &email)
            .await
            .get("/admin/audit")
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?}");
        assert!(refused.content_type().starts_with("text/html"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_reads_filters_and_pages_their_tenants_rows() {
    let app = TestApp::new().await;
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let (_, _, other) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let other = Client::sign_in(&app, &other).await;
    create_site(&other, "Någon annans kök").await;
    for n in 0..26 {
        create_site(&admin, &format!("Kök {n:02}")).await;
    }
    let renamed = create_site(&admin, "Gamla namnet").await;
    let site = admin.get(&format!("/api/v1/sites/{renamed}")).await;
    let tag = site.header("etag").to_owned();
    let patched = admin
        .patch(
            &format!("/api/v1/sites/{renamed}"),
            Some(&tag),
            json!({ "name": "Nya namnet" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);

    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("site.updated"));
    assert!(
        html.contains("name: Gamla namnet → Nya namnet"),
        "details shown compactly: {html}"
    );
    assert!(
        html.contains("Tiderna är i Europe/Stockholm, ditt köks tidszon."),
        "times in the reader's kitchen's zone"
    );
    assert!(
        !html.contains("Någon annans kök"),
        "only the own tenant's rows"
    );
    assert_eq!(row_count(&html), 25);
    assert!(html.contains("Rad 1–25 av"));

    // Filtered by action: 27 kitchens made, a page of 25 and one of 2.
    let filtered = admin.get("/admin/audit?action=site.created").await.text();
    assert!(
        filtered.contains(r#"value="site.created""#),
        "the filter is kept"
    );
    assert!(filtered.contains("Rad 1–25 av 27"), "{filtered}");
    assert!(!filtered.contains("site.updated"));
    assert!(!filtered.contains(r#"rel="prev""#));
    let next = href_after(&filtered, r#"rel="next""#);
    assert!(
        next.contains("action=site.created") && next.contains("page=2"),
        "{next}"
    );
    let second = admin.get(&next).await.text();
    assert_eq!(row_count(&second), 2);
    assert!(second.contains("Rad 26–27 av 27"));
    assert!(!second.contains(r#"rel="next""#));
    let previous = href_after(&second, r#"rel="prev""#);
    assert!(previous.contains("page=1"), "{previous}");

    // The CSV link carries the same filters.
    let csv = href_after(&filtered, "download>Hämta CSV<");
    assert!(csv.starts_with("/api/v1/audit/export.csv?"), "{csv}");
    assert!(csv.contains("action=site.created"));
    let exported = admin.get(&csv).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert!(exported.content_type().starts_with("text/csv"));
    assert_eq!(exported.text().trim_end().lines().count(), 1 + 27);

    // Dates (counted in Stockholm): a range around today holds the rows, one after it none;
    // the export gets the same bounds.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let tomorrow = today.succ_opt().unwrap();
    let later = tomorrow.succ_opt().unwrap();
    let around = admin
        .get(&format!(
            "/admin/audit?action=site.created&from={yesterday}&to={tomorrow}"
        ))
        .await
        .text();
    assert!(around.contains("av 27"), "{around}");
    assert!(around.contains(&format!(r#"value="{yesterday}""#)));
    let csv = href_after(&around, "download>Hämta CSV<");
    assert!(csv.contains("from=") && csv.contains("to="), "{csv}");
    assert_eq!(
        admin.get(&csv).await.text().trim_end().lines().count(),
        1 + 27
    );
    let none = admin
        .get(&format!("/admin/audit?from={later}"))
        .await
        .text();
    assert!(none.contains("Inga händelser matchar filtret"));

    // A filter by the person links from the rows.
    let by_actor = href_after(&html, ">Personens händelser<");
    assert!(
        by_actor.starts_with("/admin/audit?actor_user_id="),
        "{by_actor}"
    );
    assert_eq!(admin.get(&by_actor).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_filters_are_named_next_to_their_fields_and_kept() {
    let app = TestApp::new().await;
    let (_, _, admin) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &admin).await;
    let bad = admin
        .get("/admin/audit?action=site%20created!&actor_user_id=noll&from=ig%C3%A5r&to=")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text();
    for id in ["action-error", "actor_user_id-error", "from-error"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    assert!(html.contains("Ange ett datum, till exempel 2025-01-31."));
    assert!(html.contains("Ange ett id, ett positivt heltal."));
    assert!(html.contains(r#"value="site created!""#));
    assert!(html.contains(r#"value="noll""#));
    assert!(!html.contains("export.csv"), "no export of a broken filter");

    let reversed = admin
        .get("/admin/audit?from=2025-02-01&to=2025-01-01")
        .await;
    assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = reversed.text();
    assert!(html.contains(r#"id="to-error""#));
    assert!(!html.contains(r#"id="from-error""#));

    // A tenant filter is for superusers; an admin's is ignored, not obeyed.
    let (other_tenant, _, _) = seed_user(&app, Role::Admin).await;
    let ignored = admin
        .get(&format!("/admin/audit?tenant_id={other_tenant}"))
        .await;
    assert_eq!(ignored.status, StatusCode::OK);
    assert!(!ignored.text().contains(r#"id="tenant_id""#));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_superuser_reads_every_tenants_rows_and_may_pick_one() {
    let app = TestApp::new().await;
    let (tenant_a, _, admin_a) = seed_user(&app, Role::Admin).await;
    let (_, _, admin_b) = seed_user(&app, Role::Admin).await;
    let (_, _, superuser) = seed_user(&app, Role::Superuser).await;
    create_site(&Client::sign_in(&app, &admin_a).await, "Köket i A").await;
    create_site(&Client::sign_in(&app, &admin_b).await, "Köket i B").await;
    let superuser = Client::sign_in(&app, &superuser).await;
    let all = superuser
        .get("/admin/audit?action=site.created")
        .await
        .text();
    assert!(all.contains("Tiderna är i UTC."), "UTC, labelled as such");
    assert!(all.contains("Köket i A") && all.contains("Köket i B"));
    assert!(all.contains(r#"id="tenant_id""#));
    let one = superuser
        .get(&format!(
            "/admin/audit?action=site.created&tenant_id={tenant_a}"
        ))
        .await
        .text();
    assert!(one.contains("Köket i A") && !one.contains("Köket i B"));
    let csv = href_after(&one, "download>Hämta CSV<");
    assert!(csv.contains(&format!("tenant_id={tenant_a}")), "{csv}");
}
