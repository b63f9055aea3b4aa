//! Ready answers (decision 0022): a department's week is answered from memory until a write
//! changes what it is made of, exactly those answers go stale, and on PostgreSQL a write on one
//! instance reaches every other one, even across a lost listener connection.
//!
//! To see whether an answer came from memory, the tests change a row behind the application's
//! back (no audit row, so no announcement): an answer from memory still shows the old value.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::{TestApp, TestDb, on_postgres};
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

/// How long an instance may take to hear of another's write (docs/performance.md).
const DELAY: Duration = Duration::from_secs(1);

/// PostgreSQL instances serve nothing from memory until their listener listens.
async fn until_live(app: &TestApp) {
    let started = Instant::now();
    while !app.app.state.answers.is_live() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the answer cache never went live"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `sql` behind the application's back (no audit row, so no announcement).
async fn quietly(app: &TestApp, sql: &str) {
    use diesel_async::RunQueryDsl;
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    galley_core::db_run!(conn, |c| diesel::sql_query(sql).execute(c).await).unwrap();
}

/// Renames a department behind the application's back.
async fn rename_quietly(app: &TestApp, department: i64, name: &str) {
    quietly(
        app,
        &format!("UPDATE departments SET name = '{name}' WHERE id = {department}"),
    )
    .await;
}

fn name_of(week: &Value) -> &str {
    week["department"]["name"].as_str().unwrap()
}

async fn choose_alt2(client: &Client<'_>, path: &str, day: u32) -> Value {
    let current = client.get(path).await;
    let chosen = client
        .send(
            Method::PUT,
            &format!("{path}/choices/{day}"),
            Some(current.header("etag")),
            Some(json!({ "lunch": "alt2" })),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.text());
    chosen.json()
}

/// Any audited write of the tenant that is not about a department's week.
async fn change_set_up(k: &Kitchen<'_>) {
    change_notes(&k.admin, k.departments[2]).await;
}

/// A set-up write: the department's notes.
async fn change_notes(admin: &Client<'_>, department: i64) {
    let path = format!("/api/v1/municipal/departments/{department}");
    let current = admin.get(&path).await;
    let changed = admin
        .send(
            Method::PATCH,
            &path,
            Some(current.header("etag")),
            Some(json!({ "notes": "Ny port" })),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_week_is_answered_from_memory_until_a_write_changes_it() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Minnet", open_week()).await;
    let path = k.week_path(0);
    let first = k.admin.get(&path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(name_of(&first.json()), "Björken");
    let etag = first.header("etag").to_owned();

    rename_quietly(&app, k.departments[0], "Bakom ryggen").await;
    let again = k.admin.get(&path).await;
    assert_eq!(name_of(&again.json()), "Björken", "answered from memory");
    assert_eq!(again.body, first.body);
    let unchanged = k.admin.get_with(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.header("etag"), etag);

    // Another tenant's writes change nothing here.
    let other = kitchen(&app, "Grannen", open_week()).await;
    change_set_up(&other).await;
    assert_eq!(name_of(&k.admin.get(&path).await.json()), "Björken");

    // A write of this tenant's set-up makes every answer of the tenant stale.
    change_set_up(&k).await;
    assert_eq!(name_of(&k.admin.get(&path).await.json()), "Bakom ryggen");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_choice_makes_exactly_its_own_week_stale() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Exakt", open_week()).await;
    let (own, neighbour) = (k.week_path(0), k.week_path(1));
    let next_week = own.replace(
        &format!("/{}/{}", k.week.year, k.week.week),
        &format!("/{}/{}", k.week.next().year, k.week.next().week),
    );
    for path in [&own, &neighbour, &next_week] {
        assert_eq!(
            k.admin.get(path).await.json()["days"][1]["stored_choice"],
            "alt1"
        );
    }
    // Alt 2 on Tuesday behind the application's back, in the neighbour's week and in the
    // department's next week: an answer built again would show it, one from memory not.
    // (A quiet rename would not tell: the department itself is remembered, decision 0022.)
    let next = k.week.next();
    for (department, week) in [(k.departments[1], k.week), (k.departments[0], next)] {
        quietly(
            &app,
            &format!(
                "INSERT INTO lunch_choices (department_id, year, week, day, choice, updated_at) \
                 VALUES ({department}, {}, {}, 2, 'alt2', CURRENT_TIMESTAMP)",
                week.year, week.week
            ),
        )
        .await;
    }

    // The department chooses Alt 2 for Tuesday: the next read, by anyone, shows it at once.
    let staff = &k.department_staff[0];
    let answered = choose_alt2(staff, &own, 2).await;
    let read = k.admin.get(&own).await.json();
    assert_eq!(read["days"][1]["choice"], "alt2");
    assert_eq!(read["etag"], answered["etag"]);
    // Another department's week and the department's next week were not touched.
    for path in [&neighbour, &next_week] {
        assert_eq!(
            k.admin.get(path).await.json()["days"][1]["stored_choice"],
            "alt1"
        );
    }
    // Once the application hears of the quiet writes, both are built again and show them.
    app.written_behind_the_back();
    for path in [&neighbour, &next_week] {
        assert_eq!(
            k.admin.get(path).await.json()["days"][1]["stored_choice"],
            "alt2"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn department_staff_are_told_of_a_changed_menu_once_even_from_memory() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Nyheten", open_week()).await;
    let path = k.week_path(0);
    let staff = &k.department_staff[0];
    assert_eq!(staff.get(&path).await.json()["menu_changed"], false);
    // The admin's read stores the answer; then the kitchen changes the published menu.
    k.admin.get(&path).await;
    k.edit_menu(|items| {
        items.retain(|item| !(item["day"] == 5 && item["slot"] == "alt2"));
    })
    .await;
    k.admin.get(&path).await;
    assert_eq!(staff.get(&path).await.json()["menu_changed"], true);
    assert_eq!(staff.get(&path).await.json()["menu_changed"], false);
}

/// Two instances of one deployment: one database, one secret key (so one session works on both).
async fn two_instances() -> (TestApp, TestApp) {
    let (first, second, _) = instances_and_their_database().await;
    (first, second)
}

/// [`two_instances`], with what a third one needs.
async fn instances_and_their_database() -> (TestApp, TestApp, (Arc<TestDb>, String)) {
    let db = TestDb::migrated().await;
    let key = galley_core::auth::token::generate() + &galley_core::auth::token::generate();
    let first = instance(db.clone(), &key).await;
    let second = instance(db.clone(), &key).await;
    (first, second, (db, key))
}

async fn instance(db: Arc<TestDb>, key: &str) -> TestApp {
    TestApp::builder()
        .db(db)
        .set("secret_key", key.to_owned())
        .build()
        .await
}

/// An instance that dies between a write's commit and its notice (decision 0024) cannot leave
/// the others' answers stale past its restart: a starting instance tells them all to forget
/// everything.
#[tokio::test(flavor = "multi_thread")]
async fn a_starting_instance_makes_the_others_forget_what_a_lost_notice_left() {
    if !on_postgres() {
        return;
    }
    let (writer, reader, (db, key)) = instances_and_their_database().await;
    until_live(&reader).await;
    let k = kitchen(&writer, "Omstarten", open_week()).await;
    let path = k.week_path(0);
    let on_reader = Client {
        app: &reader,
        cookie: k.admin.cookie.clone(),
        csrf: k.admin.csrf.clone(),
    };
    assert_eq!(name_of(&on_reader.get(&path).await.json()), "Björken");
    // A write whose instance died before telling anyone: committed, never announced.
    rename_quietly(&writer, k.departments[0], "Före kraschen").await;
    assert_eq!(
        name_of(&on_reader.get(&path).await.json()),
        "Björken",
        "answered from memory"
    );

    let _restarted = instance(db, &key).await;
    let started = Instant::now();
    while name_of(&on_reader.get(&path).await.json()) != "Före kraschen" {
        assert!(
            started.elapsed() < DELAY * 5,
            "the other instance kept its answer after an instance started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two instances on one PostgreSQL: a write on one is never served stale by the other for
/// longer than [`DELAY`].
#[tokio::test(flavor = "multi_thread")]
async fn two_instances_never_serve_a_stale_week_after_a_write_on_the_other() {
    if !on_postgres() {
        return;
    }
    let (writer, reader) = two_instances().await;
    until_live(&writer).await;
    until_live(&reader).await;
    let k = kitchen(&writer, "Tvillingar", open_week()).await;
    let path = k.week_path(0);
    let on_reader = Client {
        app: &reader,
        cookie: k.admin.cookie.clone(),
        csrf: k.admin.csrf.clone(),
    };
    for day in 1..=3 {
        let before = on_reader.get(&path).await;
        assert_eq!(before.status, StatusCode::OK, "{}", before.text());
        let before = before.json();
        assert_eq!(before["days"][day - 1]["choice"], "alt1");
        let answered = choose_alt2(&k.department_staff[0], &path, day as u32).await;
        let etag = answered["etag"].clone();
        let started = Instant::now();
        loop {
            let read = on_reader.get(&path).await.json();
            if read["etag"] == etag {
                assert_eq!(read["days"][day - 1]["choice"], "alt2");
                break;
            }
            assert!(
                started.elapsed() < DELAY,
                "the other instance still served the week before the write"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A listener that loses its connection cannot leave an answer that a write made stale
/// meanwhile: the instance stops serving from memory and starts empty when it listens again.
#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_listener_connection_cannot_leave_a_stale_answer() {
    if !on_postgres() {
        return;
    }
    let (writer, reader) = two_instances().await;
    until_live(&reader).await;
    let k = kitchen(&writer, "Avbrottet", open_week()).await;
    let path = k.week_path(0);
    let on_reader = Client {
        app: &reader,
        cookie: k.admin.cookie.clone(),
        csrf: k.admin.csrf.clone(),
    };
    assert_eq!(
        on_reader.get(&path).await.json()["days"][0]["choice"],
        "alt1"
    );

    // Cut every answer listener of this database, then write while they reconnect.
    {
        use diesel_async::RunQueryDsl;
        let mut pooled = writer.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        galley_core::db_run!(conn, |c| diesel::sql_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query = 'LISTEN galley_answers'"
        )
        .execute(c)
        .await)
        .unwrap();
    }
    let answered = choose_alt2(&k.department_staff[0], &path, 1).await;
    let started = Instant::now();
    loop {
        let read = on_reader.get(&path).await.json();
        if read["etag"] == answered["etag"] {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the reader kept a stale answer after its listener was cut"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    until_live(&reader).await;
    // Live again, and still right.
    assert_eq!(
        on_reader.get(&path).await.json()["days"][0]["choice"],
        "alt2"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn site_plans_and_reports_go_stale_with_any_department_of_their_week() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Helheten", open_week()).await;
    let next = k.week.next();
    let plan = format!(
        "/api/v1/municipal/sites/{}/planning/{}",
        k.site,
        k.week.monday()
    );
    let report = format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        k.site, k.week.year, k.week.week
    );
    let next_plan = format!(
        "/api/v1/municipal/sites/{}/planning/weeks/{}/{}",
        k.site, next.year, next.week
    );
    let mut etags = Vec::new();
    for path in [&plan, &report, &next_plan] {
        let first = k.cook.get(path).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text());
        assert!(first.text().contains("\"Eken\""), "{}", first.text());
        let etag = first.header("etag").to_owned();
        let again = k.cook.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        etags.push(etag);
    }
    rename_quietly(&app, k.departments[1], "Eken (ny)").await;
    assert!(
        k.cook.get(&plan).await.text().contains("\"Eken\""),
        "from memory"
    );

    // Björken's choice for this week makes the site's answers of this week stale: they are
    // built again with the choice (the set-up, which no write changed, is remembered); next
    // week's stay as they were.
    choose_alt2(&k.department_staff[0], &k.week_path(0), 1).await;
    let now = k.cook.get(&plan).await.json();
    assert_eq!(now["departments"][0]["lunch"]["choice"], "alt2", "{now}");
    assert_eq!(now["departments"][1]["name"], "Eken", "{now}");
    for (path, etag) in [&plan, &report].into_iter().zip(&etags) {
        assert_ne!(k.cook.get(path).await.header("etag"), etag.as_str());
    }
    let kept = k.cook.get(&next_plan).await;
    assert!(kept.text().contains("\"Eken\""), "{}", kept.text());
    assert_eq!(kept.header("etag"), etags[2].as_str());

    // A set-up write makes all of them stale, with every department as it is now.
    change_set_up(&k).await;
    for path in [&plan, &report, &next_plan] {
        let now = k.cook.get(path).await;
        assert!(now.text().contains("\"Eken (ny)\""), "{}", now.text());
    }
}

/// A week read with an API token, as an integration makes it.
async fn read_with_token(app: &TestApp, path: &str, secret: &str) -> StatusCode {
    crate::tokens::bearer(app, Method::GET, path, secret)
        .await
        .status
}

/// API tokens are resolved from memory between requests; revoking one, or disabling the
/// person who made it, ends it from the very next request, and a kitchen token served a ready
/// answer is still confined to its own tenant.
#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_token_ends_at_once_when_revoked_or_its_maker_is_disabled() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Nycklar", open_week()).await;
    let path = k.week_path(0);
    let made = k
        .admin
        .post(
            "/api/v1/users",
            json!({
                "email": "andra.admin@nycklar.se", "display_name": "Andra Admin",
                "role": "admin", "password": crate::municipal_fixture::PASSWORD,
            }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let second_admin = made.json()["id"].as_i64().unwrap();
    let second = Client::sign_in(&app, "andra.admin@nycklar.se").await;
    let (revoked_id, revoked) = crate::tokens::make_token(&k.admin, "Revoked", "cook").await;
    let (_, orphaned) = crate::tokens::make_token(&second, "Orphaned", "cook").await;
    let (_, kept) = crate::tokens::make_token(&k.admin, "Kept", "cook").await;
    for secret in [&revoked, &orphaned, &kept] {
        for _ in 0..2 {
            assert_eq!(read_with_token(&app, &path, secret).await, StatusCode::OK);
        }
    }

    // Another tenant's token gets 404 for this department's week, even with it in memory.
    let other = kitchen(&app, "Grannar", open_week()).await;
    let (_, stranger) = crate::tokens::make_token(&other.admin, "Stranger", "cook").await;
    assert_eq!(
        read_with_token(&app, &path, &stranger).await,
        StatusCode::NOT_FOUND
    );

    let gone = k
        .admin
        .delete(&format!("/api/v1/tokens/{revoked_id}"), None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text());
    assert_eq!(
        read_with_token(&app, &path, &revoked).await,
        StatusCode::UNAUTHORIZED
    );

    let user_path = format!("/api/v1/users/{second_admin}");
    let current = k.admin.get(&user_path).await;
    let disabled = k
        .admin
        .patch(
            &user_path,
            Some(current.header("etag")),
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text());
    assert_eq!(
        read_with_token(&app, &path, &orphaned).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(read_with_token(&app, &path, &kept).await, StatusCode::OK);
}

/// A token revoked on one instance is refused by every other within [`DELAY`], though they
/// had it in memory.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_revoked_on_one_instance_is_refused_by_the_other() {
    if !on_postgres() {
        return;
    }
    let (writer, reader) = two_instances().await;
    until_live(&reader).await;
    let k = kitchen(&writer, "Nyckelknippan", open_week()).await;
    let path = k.week_path(0);
    let (id, secret) = crate::tokens::make_token(&k.admin, "Integration", "viewer").await;
    for _ in 0..2 {
        assert_eq!(
            read_with_token(&reader, &path, &secret).await,
            StatusCode::OK
        );
    }
    let gone = k.admin.delete(&format!("/api/v1/tokens/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text());
    let started = Instant::now();
    while read_with_token(&reader, &path, &secret).await != StatusCode::UNAUTHORIZED {
        assert!(
            started.elapsed() < DELAY,
            "the other instance still took the revoked token"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Ready answers are kept compressed: a client that accepts gzip gets the stored bytes
/// (`Content-Encoding: gzip`), one that does not gets the same JSON inflated; both see one
/// ETag (it names the week's version, which `If-Match` refers to) and `Vary: Accept-Encoding`.
#[tokio::test(flavor = "multi_thread")]
async fn a_ready_answer_is_sent_gzipped_to_clients_that_accept_it() {
    use std::io::Read;
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Packat", open_week()).await;
    let path = k.week_path(0);
    let first = k.admin.get(&path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.headers.get("content-encoding"),
        None,
        "built, not stored yet"
    );
    let zipped = k
        .admin
        .get_with(&path, &[("accept-encoding", "br, gzip;q=0.9")])
        .await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.header("content-encoding"), "gzip");
    assert_eq!(zipped.header("vary"), "accept-encoding");
    assert_eq!(zipped.header("etag"), first.header("etag"));
    assert!(
        zipped.body.len() * 4 < first.body.len(),
        "{} bytes",
        zipped.body.len()
    );
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, first.body);

    // The weekly report also varies by `Accept` (JSON or a file): both are said.
    let report = format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        k.site, k.week.year, k.week.week
    );
    k.cook.get(&report).await;
    let from_memory = k
        .cook
        .get_with(&report, &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(from_memory.status, StatusCode::OK);
    let varies: Vec<&str> = from_memory
        .headers
        .get_all("vary")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    assert!(
        varies.contains(&"accept-encoding") && varies.contains(&"accept"),
        "{varies:?}"
    );

    let plain = k.admin.get(&path).await;
    assert_eq!(plain.headers.get("content-encoding"), None);
    assert_eq!(plain.header("vary"), "accept-encoding");
    assert_eq!(plain.body, first.body, "inflated for a client without gzip");
    let refused = k
        .admin
        .get_with(&path, &[("accept-encoding", "gzip;q=0")])
        .await;
    assert_eq!(refused.headers.get("content-encoding"), None);
    assert_eq!(refused.body, first.body);
}

/// Which tenant a kitchen belongs to is remembered between requests (`OwnSite`); a kitchen
/// that is removed is unknown from the next request on, and another tenant never reaches it,
/// remembered or not. (The departments list reads nothing else of the site, so only that
/// check stands between it and a removed kitchen.)
#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_kitchen_is_unknown_at_once_when_removed() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Kvarteret", open_week()).await;
    let departments = format!("/api/v1/municipal/sites/{}/departments", k.site);
    let plan = format!(
        "/api/v1/municipal/sites/{}/planning/{}",
        k.site,
        k.week.monday()
    );
    for path in [&departments, &plan, &departments, &plan] {
        let read = k.cook.get(path).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    }
    let other = kitchen(&app, "Grannkvarteret", open_week()).await;
    for path in [&departments, &plan] {
        assert_eq!(other.cook.get(path).await.status, StatusCode::NOT_FOUND);
    }

    let site = format!("/api/v1/sites/{}", k.site);
    let current = k.admin.get(&site).await;
    let removed = k.admin.delete(&site, Some(current.header("etag"))).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text());
    for path in [&departments, &plan] {
        assert_eq!(
            k.cook.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

/// Renames the kitchen behind the application's back.
async fn rename_site_quietly(app: &TestApp, site: i64, name: &str) {
    quietly(
        app,
        &format!("UPDATE sites SET name = '{name}' WHERE id = {site}"),
    )
    .await;
}

fn site_name_of(week: &Value) -> &str {
    week["department"]["site_name"].as_str().unwrap()
}

/// A write of a department's week takes the week's set-up (kitchen, menu, diet types,
/// schedules) from memory and reads only the answers; any set-up write of the tenant makes the
/// remembered set-up stale, as it does the ready answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_takes_the_set_up_from_memory_until_the_set_up_changes() {
    let app = TestApp::new().await;
    until_live(&app).await;
    let k = kitchen(&app, "Förrådet", open_week()).await;
    let path = k.week_path(0);
    let first = k.admin.get(&path).await.json();
    let kitchen_name = site_name_of(&first).to_owned();

    rename_site_quietly(&app, k.site, "Bakom disken").await;
    let written = choose_alt2(&k.admin, &path, 1).await;
    assert_eq!(
        written["days"][0]["choice"], "alt2",
        "the write itself is read back"
    );
    assert_eq!(site_name_of(&written), kitchen_name, "set-up from memory");

    let other = kitchen(&app, "Grannförrådet", open_week()).await;
    change_set_up(&other).await;
    let written = choose_alt2(&k.admin, &path, 2).await;
    assert_eq!(
        site_name_of(&written),
        kitchen_name,
        "another tenant's write"
    );

    change_set_up(&k).await;
    let written = choose_alt2(&k.admin, &path, 3).await;
    assert_eq!(written["days"][2]["choice"], "alt2");
    assert_eq!(
        site_name_of(&written),
        "Bakom disken",
        "read again after the set-up write"
    );
}

/// On PostgreSQL, a set-up write on one instance reaches the set-up another instance's writes
/// check against within [`DELAY`].
#[tokio::test(flavor = "multi_thread")]
async fn a_set_up_write_on_one_instance_reaches_the_other_instances_writes() {
    if !on_postgres() {
        return;
    }
    let (writer, setter) = two_instances().await;
    until_live(&writer).await;
    until_live(&setter).await;
    let k = kitchen(&writer, "Tvillingförrådet", open_week()).await;
    let path = k.week_path(0);
    let kitchen_name = site_name_of(&choose_alt2(&k.admin, &path, 1).await).to_owned();
    rename_site_quietly(&writer, k.site, "Bakom disken").await;
    assert_eq!(
        site_name_of(&choose_alt2(&k.admin, &path, 1).await),
        kitchen_name,
        "set-up from memory"
    );

    let on_setter = Client {
        app: &setter,
        cookie: k.admin.cookie.clone(),
        csrf: k.admin.csrf.clone(),
    };
    change_notes(&on_setter, k.departments[2]).await;
    let started = Instant::now();
    while site_name_of(&choose_alt2(&k.admin, &path, 1).await) != "Bakom disken" {
        assert!(
            started.elapsed() < DELAY,
            "the writer still checked against the set-up before the other instance's write"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
