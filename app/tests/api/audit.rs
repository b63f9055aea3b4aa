//! The audit log over the API (`/api/v1/audit`, `/api/v1/audit/export.csv`) and
//! `galley audit prune`.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::StatusCode;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::auth::Role;
use galley_core::schema::audit_log;
use serde_json::{Value, json};

use crate::auth::seed_user;
use crate::cli::{assert_one_line_failure, run, runtime, stderr, stdout};
use crate::client::Client;
use crate::harness::{TestApp, TestDb, TestResponse};

const DAY: u64 = 86_400;

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

fn items(response: &TestResponse) -> Vec<Value> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["items"].as_array().unwrap().clone()
}

fn fields(response: &TestResponse) -> Vec<String> {
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.text()
    );
    response.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors[] in {}", response.text()))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

fn tenants_of(items: &[Value]) -> BTreeSet<Option<i64>> {
    items.iter().map(|i| i["tenant_id"].as_i64()).collect()
}

fn actions_of(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect()
}

/// Writes one row directly, `age` old (in whole seconds); returns its time as RFC 3339.
async fn insert_row(
    app: &TestApp,
    tenant: Option<i64>,
    action: &str,
    details: &str,
    age: Duration,
) -> String {
    let now = galley_core::db::now();
    let whole = now - Duration::from_nanos(now.and_utc().timestamp_subsec_nanos().into());
    let at = whole - age;
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    galley_core::db_run!(conn, |c| {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::occurred_at.eq(at),
                audit_log::tenant_id.eq(tenant),
                audit_log::action.eq(action),
                audit_log::details.eq(details),
            ))
            .execute(c)
            .await
    })
    .unwrap();
    galley_core::audit::query::rfc3339(at)
}

/// Writes `count` rows directly, `age` old: one row, then copies of it, doubling (a batch
/// insert of plain values would not compile for SQLite here).
async fn insert_many(
    app: &TestApp,
    tenant: Option<i64>,
    action: &str,
    age: Duration,
    count: usize,
) {
    let at = galley_core::db::now() - age;
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    galley_core::db_run!(&mut *conn, |c| {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::occurred_at.eq(at),
                audit_log::tenant_id.eq(tenant),
                audit_log::action.eq(action),
                audit_log::details.eq("{}"),
            ))
            .execute(c)
            .await
    })
    .unwrap();
    let mut have = 1;
    while have < count {
        let more = i64::try_from(have.min(count - have)).unwrap();
        let copied = galley_core::db_run!(&mut *conn, |c| {
            diesel::insert_into(audit_log::table)
                .values(
                    audit_log::table
                        .filter(audit_log::action.eq(action))
                        .filter(audit_log::occurred_at.eq(at))
                        .select((
                            audit_log::occurred_at,
                            audit_log::tenant_id,
                            audit_log::action,
                            audit_log::details,
                        ))
                        .limit(more),
                )
                .into_columns((
                    audit_log::occurred_at,
                    audit_log::tenant_id,
                    audit_log::action,
                    audit_log::details,
                ))
                .execute(c)
                .await
        })
        .unwrap();
        have += copied;
    }
}

async fn all_actions(app: &TestApp) -> Vec<String> {
    let mut pooled = app.app.state.db.get().await.unwrap();
    galley_core::audit::recent(&mut pooled.conn(), None, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_read_their_tenant_and_superusers_every_tenant() {
    let app = TestApp::new().await;
    let (a_tenant, _, a_email) = seed_user(&app, Role::Admin).await;
    let (b_tenant, _, b_email) = seed_user(&app, Role::Admin).await;
    let (_, _, super_email) = seed_user(&app, Role::Superuser).await;
    let (_, _, cook_email) = seed_user(&app, Role::Cook).await;
    let a = Client::sign_in(&app, &a_email).await;
    let b = Client::sign_in(&app, &b_email).await;
    let superuser = Client::sign_in(&app, &super_email).await;
    let cook = Client::sign_in(&app, &cook_email).await;
    create_site(&a, "Kök Alfa").await;
    create_site(&b, "Kök Beta").await;

    let mine = a.get("/api/v1/audit?per_page=100").await;
    let rows = items(&mine);
    assert_eq!(tenants_of(&rows), BTreeSet::from([Some(a_tenant)]));
    let created = rows
        .iter()
        .find(|r| r["action"] == "site.created")
        .expect("A's site.created row");
    assert_eq!(created["details"]["name"], "Kök Alfa", "details are JSON");
    assert_eq!(created["target_type"], "site");
    assert!(created["occurred_at"].as_str().unwrap().ends_with('Z'));
    assert!(!mine.text().contains("Kök Beta"), "B's row leaked to A");
    assert!(actions_of(&rows).contains(&"auth.sign_in"));

    let everyone = items(&superuser.get("/api/v1/audit?per_page=100").await);
    let tenants = tenants_of(&everyone);
    for tenant in [Some(a_tenant), Some(b_tenant), None] {
        assert!(tenants.contains(&tenant), "{tenant:?} missing: {tenants:?}");
    }
    let only_b = superuser
        .get(&format!("/api/v1/audit?tenant_id={b_tenant}&per_page=100"))
        .await;
    let only_b_rows = items(&only_b);
    assert_eq!(tenants_of(&only_b_rows), BTreeSet::from([Some(b_tenant)]));
    assert!(only_b.text().contains("Kök Beta"));

    // An admin may name their own tenant, not another.
    let own = a.get(&format!("/api/v1/audit?tenant_id={a_tenant}")).await;
    assert_eq!(tenants_of(&items(&own)), BTreeSet::from([Some(a_tenant)]));
    let other = a.get(&format!("/api/v1/audit?tenant_id={b_tenant}")).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!other.text().contains("Kök Beta"));

    for path in ["/api/v1/audit", "/api/v1/audit/export.csv"] {
        let refused = cook.get(path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(refused.json()["type"], "/problems/forbidden");
    }

    // Reading the log writes nothing to it.
    let before = all_actions(&app).await.len();
    for path in ["/api/v1/audit", "/api/v1/audit/export.csv"] {
        assert_eq!(a.get(path).await.status, StatusCode::OK);
        assert_eq!(superuser.get(path).await.status, StatusCode::OK);
    }
    assert_eq!(all_actions(&app).await.len(), before);

    // An impersonating superuser reads as that tenant's admin.
    let started = superuser
        .post(
            "/api/v1/auth/impersonation",
            json!({ "tenant_id": a_tenant, "reason": "Support ticket 4711" }),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    let inside = items(&superuser.get("/api/v1/audit?per_page=100").await);
    assert_eq!(tenants_of(&inside), BTreeSet::from([Some(a_tenant)]));
    assert_eq!(
        superuser
            .get(&format!("/api/v1/audit?tenant_id={b_tenant}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_narrows_and_bad_filters_name_the_parameter() {
    let app = TestApp::new().await;
    let (tenant, admin_id, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let first = create_site(&admin, "Första").await;
    create_site(&admin, "Andra").await;
    let site = admin.get(&format!("/api/v1/sites/{first}")).await;
    let renamed = admin
        .patch(
            &format!("/api/v1/sites/{first}"),
            Some(site.header("etag")),
            json!({ "name": "Första köket" }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    let old = insert_row(
        &app,
        Some(tenant),
        "test.dated",
        "{}",
        Duration::from_secs(300 * DAY),
    )
    .await;
    let middle = insert_row(
        &app,
        Some(tenant),
        "test.dated",
        "not json",
        Duration::from_secs(200 * DAY),
    )
    .await;
    let young = insert_row(
        &app,
        Some(tenant),
        "test.dated",
        "{}",
        Duration::from_secs(100 * DAY),
    )
    .await;

    let get = |query: String| {
        let admin = &admin;
        async move {
            items(
                &admin
                    .get(&format!("/api/v1/audit?per_page=100&{query}"))
                    .await,
            )
        }
    };

    let exact = get("action=site.created".into()).await;
    assert_eq!(actions_of(&exact), ["site.created", "site.created"]);
    let prefix = get("action=site.".into()).await;
    assert_eq!(
        actions_of(&prefix),
        ["site.updated", "site.created", "site.created"],
        "newest first"
    );
    assert!(
        get("action=site".into()).await.is_empty(),
        "no prefix without the dot"
    );
    assert!(
        get("action=Site.".into()).await.is_empty(),
        "case-sensitive"
    );

    let by_admin = get(format!("actor_user_id={admin_id}")).await;
    assert!(by_admin.len() >= 4, "sign-in, two sites, a rename");
    assert!(by_admin.iter().all(|r| r["actor_user_id"] == admin_id));
    assert!(get("actor_user_id=987654321".into()).await.is_empty());

    let about_first = get(format!("target_type=site&target_id={first}")).await;
    assert_eq!(actions_of(&about_first), ["site.updated", "site.created"]);
    assert_eq!(about_first[0]["details"]["name"]["to"], "Första köket");
    assert_eq!(get("target_type=site".into()).await.len(), 3);

    // `from` inclusive, `to` exclusive, any offset.
    let dated = get(format!("from={old}&to={young}")).await;
    assert_eq!(actions_of(&dated), ["test.dated", "test.dated"]);
    assert_eq!(dated[0]["occurred_at"], middle.as_str());
    assert_eq!(
        dated[0]["details"], "not json",
        "non-JSON details come back as text"
    );
    let shifted = old.replace('Z', "%2B00:00");
    assert_eq!(get(format!("from={shifted}&to={young}")).await.len(), 2);
    let to_only = get(format!("to={middle}")).await;
    assert_eq!(to_only.len(), 1);
    assert_eq!(to_only[0]["occurred_at"], old.as_str());

    // Bad values: 422, every bad parameter named.
    let bad = admin
        .get("/api/v1/audit?tenant_id=x&action=&actor_user_id=abc&target_type=&from=yesterday&to=2025-13-01T00:00:00Z")
        .await;
    assert_eq!(
        fields(&bad),
        [
            "tenant_id",
            "action",
            "actor_user_id",
            "target_type",
            "from",
            "to"
        ]
    );
    assert_eq!(bad.json()["type"], "/problems/validation-failed");
    assert_eq!(
        fields(&admin.get("/api/v1/audit?action=site%20created").await),
        ["action"]
    );
    assert_eq!(
        fields(&admin.get("/api/v1/audit?actor_user_id=-1").await),
        ["actor_user_id"]
    );
    let reversed = admin
        .get(&format!("/api/v1/audit?from={young}&to={old}"))
        .await;
    assert_eq!(fields(&reversed), ["from"]);
    let same = admin
        .get(&format!("/api/v1/audit?from={old}&to={old}"))
        .await;
    assert_eq!(fields(&same), ["from"]);
    let too_long = "x".repeat(201);
    assert_eq!(
        fields(
            &admin
                .get(&format!("/api/v1/audit?target_id={too_long}"))
                .await
        ),
        ["target_id"]
    );
    assert_eq!(
        fields(&admin.get("/api/v1/audit/export.csv?from=soon").await),
        ["from"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_go_newest_first_in_the_shared_shape() {
    let app = TestApp::new().await;
    let (tenant, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    for n in 0..5 {
        insert_row(
            &app,
            Some(tenant),
            "test.row",
            &json!({ "n": n }).to_string(),
            Duration::from_secs(DAY),
        )
        .await;
    }
    let page = |number: u32| {
        let admin = &admin;
        async move {
            admin
                .get(&format!(
                    "/api/v1/audit?action=test.row&per_page=2&page={number}"
                ))
                .await
                .json()
        }
    };
    let first = page(1).await;
    assert_eq!(first["page"], 1);
    assert_eq!(first["per_page"], 2);
    assert_eq!(first["total"], 5);
    let numbers = |body: &Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["details"]["n"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(numbers(&first), [4, 3]);
    assert_eq!(numbers(&page(2).await), [2, 1]);
    assert_eq!(numbers(&page(3).await), [0]);
    assert_eq!(numbers(&page(4).await), Vec::<i64>::new());
    let ids: Vec<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(ids[0] > ids[1], "by id, descending");

    assert_eq!(
        fields(&admin.get("/api/v1/audit?per_page=101").await),
        ["per_page"]
    );
    assert_eq!(fields(&admin.get("/api/v1/audit?page=0").await), ["page"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_export_is_excel_friendly() {
    let app = TestApp::new().await;
    let (tenant, admin_id, email) = seed_user(&app, Role::Admin).await;
    let (_, _, other_email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let other = Client::sign_in(&app, &other_email).await;
    let site = create_site(&admin, "Kök; \"Åre\", norra").await;
    create_site(&other, "Other tenant's kitchen").await;
    insert_row(
        &app,
        Some(tenant),
        "test.formula",
        "{}",
        Duration::from_secs(DAY),
    )
    .await;
    {
        // A text cell a spreadsheet would run as a formula.
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        galley_core::db_run!(conn, |c| {
            diesel::update(audit_log::table.filter(audit_log::action.eq("test.formula")))
                .set(audit_log::target_id.eq("=HYPERLINK(\"x\")"))
                .execute(c)
                .await
        })
        .unwrap();
    }

    let today_before = galley_core::db::now().format("%Y%m%d").to_string();
    let response = admin.get("/api/v1/audit/export.csv").await;
    let today_after = galley_core::db::now().format("%Y%m%d").to_string();
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.content_type(), "text/csv; charset=utf-8");
    let disposition = response.header("content-disposition");
    assert!(
        [&today_before, &today_after]
            .iter()
            .any(|day| disposition == format!("attachment; filename=\"galley-audit-{day}.csv\"")),
        "{disposition}"
    );
    assert!(response.headers.get("x-galley-truncated").is_none());
    assert!(response.body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(response.body[3..].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "id,occurred_at,tenant_id,actor_user_id,actor_token_id,impersonator_id,action,\
         target_type,target_id,details,request_id"
    );
    let created = text
        .lines()
        .find(|l| l.contains("site.created"))
        .unwrap_or_else(|| panic!("no site.created row in {text}"));
    assert!(
        created.contains(&format!(",{tenant},{admin_id},,,site.created,site,{site},")),
        "{created}"
    );
    // The details column is the stored JSON, quoted by CSV's rules.
    assert!(
        created.contains("\"Kök; \\\"\"Åre\\\"\", norra\""),
        "{created}"
    );
    assert!(!text.contains("Other tenant's kitchen"));
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"x\"\")\","),
        "formula neutralised: {text}"
    );

    let semicolon = admin
        .get("/api/v1/audit/export.csv?delimiter=semicolon&action=site.created")
        .await;
    assert_eq!(semicolon.status, StatusCode::OK);
    let text = String::from_utf8(semicolon.body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "header and the one site.created row: {text}"
    );
    assert!(lines[0].starts_with("id;occurred_at;tenant_id;"), "{text}");
    assert!(
        lines[1].contains(&format!(";{tenant};{admin_id};;;site.created;site;{site};")),
        "{text}"
    );

    assert_eq!(
        fields(&admin.get("/api/v1/audit/export.csv?delimiter=tab").await),
        ["delimiter"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_export_stops_at_the_cap_and_says_so() {
    let app = TestApp::new().await;
    let (tenant, _, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let cap = galley_core::audit::api::EXPORT_CAP;
    insert_many(
        &app,
        Some(tenant),
        "test.bulk",
        Duration::from_secs(DAY),
        cap + 1,
    )
    .await;
    let response = admin.get("/api/v1/audit/export.csv?action=test.bulk").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("x-galley-truncated"), "true");
    let text = String::from_utf8(response.body[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), cap + 1, "header and the cap");
}

#[test]
fn prune_deletes_old_rows_in_chunks_and_records_itself() {
    let rt = runtime();
    let db = rt.block_on(TestDb::migrated());
    let app = rt.block_on(TestApp::builder().db(db.clone()).build());
    let (tenant, _, _) = rt.block_on(seed_user(&app, Role::Admin));
    rt.block_on(insert_many(
        &app,
        None,
        "test.old",
        Duration::from_secs(400 * DAY),
        1500,
    ));
    rt.block_on(insert_many(
        &app,
        Some(tenant),
        "test.old",
        Duration::from_secs(380 * DAY),
        1000,
    ));
    rt.block_on(insert_row(
        &app,
        Some(tenant),
        "test.young",
        "{}",
        Duration::from_secs(300 * DAY),
    ));
    let count = |action: &str| {
        rt.block_on(all_actions(&app))
            .iter()
            .filter(|a| *a == action)
            .count()
    };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url_string();
    let env = [("DATABASE_URL", url.as_str())];

    let refused = run(dir.path(), &env, &["audit", "prune", "--older-than", "7d"]);
    assert_one_line_failure(
        &refused,
        "error: --older-than: refusing to prune rows younger than 30 days",
    );
    assert!(stderr(&refused).contains("retention protects the audit trail"));
    assert_one_line_failure(
        &run(dir.path(), &env, &["audit", "prune", "--older-than", "1y"]),
        "error: --older-than: `1y` is not an age such as 365d",
    );

    let dry = run(
        dir.path(),
        &env,
        &["audit", "prune", "--older-than", "52w", "--dry-run"],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(
        text.starts_with("Dry run: 2500 audit row(s) from before "),
        "{text}"
    );
    assert!(
        text.contains("oldest ") && text.contains("newest "),
        "{text}"
    );
    assert_eq!(count("test.old"), 2500, "a dry run changes nothing");
    assert_eq!(count("audit.pruned"), 0);

    let real = run(
        dir.path(),
        &env,
        &["audit", "prune", "--older-than", "365d"],
    );
    assert!(real.status.success(), "{}", stderr(&real));
    let text = stdout(&real);
    for progress in [
        "deleted 1000 row(s), 1000 so far",
        "deleted 1000 row(s), 2000 so far",
        "deleted 500 row(s), 2500 so far",
        "Pruned 2500 audit row(s) from before ",
    ] {
        assert!(text.contains(progress), "{progress}: {text}");
    }
    assert_eq!(count("test.old"), 0);
    assert_eq!(count("test.young"), 1, "younger rows stay");
    assert_eq!(count("audit.pruned"), 1);
    let pruned = rt.block_on(async {
        let mut pooled = app.app.state.db.get().await.unwrap();
        galley_core::audit::recent(&mut pooled.conn(), None, 1)
            .await
            .unwrap()
            .remove(0)
    });
    assert_eq!(pruned.action, "audit.pruned");
    assert_eq!(pruned.tenant_id, None);
    let details: Value = serde_json::from_str(&pruned.details).unwrap();
    assert_eq!(details["deleted"], 2500);
    assert_eq!(details["older_than"], "365d");
    assert!(
        details["cutoff"].as_str().unwrap().ends_with('Z'),
        "{details}"
    );

    let again = run(
        dir.path(),
        &env,
        &["audit", "prune", "--older-than", "365d"],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("Nothing to prune"),
        "{}",
        stdout(&again)
    );
    assert_eq!(count("audit.pruned"), 1, "an empty prune writes no row");
    drop(app);
    drop(rt);
}
