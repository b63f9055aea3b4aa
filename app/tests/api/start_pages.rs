//! Issue 11 item 8: after sign-in each person lands on their job. Sign-in without `next` goes
//! to `/start`, which asks the enabled modules: municipal department staff land on the portal
//! at the open week's card for today's weekday, cooks and viewers on today's plan, admins on
//! "what needs attention" (departments that have not chosen, dishes without allergens, the
//! next deadline), each item linking to where it is fixed.

use axum::http::{Method, StatusCode};
use chrono::{Datelike, TimeZone};
use galley_core::auth::Role;
use galley_core::kitchen::iso_week::IsoWeek;
use serde_json::json;

use crate::auth::{PASSWORD, seed_user};
use crate::client::Client;
use crate::harness::TestApp;
use crate::municipal_fixture::kitchen;

/// The first week whose choices are still open under the default deadline (Thursday 12:00,
/// Stockholm time, of the week before), worked out here independently of the module.
fn open_week_now() -> IsoWeek {
    let zone = chrono_tz::Europe::Stockholm;
    let now = chrono::Utc::now();
    let mut week = IsoWeek::containing(now.with_timezone(&zone).date_naive());
    loop {
        let thursday = week.monday() - chrono::Duration::days(4);
        let deadline = zone
            .from_local_datetime(&thursday.and_hms_opt(12, 0, 0).unwrap())
            .earliest()
            .unwrap();
        if now < deadline {
            return week;
        }
        week = week.next();
    }
}

fn today_weekday() -> u32 {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .weekday()
        .number_from_monday()
}

async fn start_of(client: &Client<'_>) -> String {
    let start = client.get("/start").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.text());
    start.header("location").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_without_next_goes_to_start_and_next_still_wins() {
    let app = TestApp::new().await;
    let (_, _, email) = seed_user(&app, Role::Cook).await;
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let body = format!("email={email}&password={}", PASSWORD.replace(' ', "+"));

    let plain = app
        .request(Method::POST, "/login", &form, body.clone())
        .await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER, "{}", plain.text());
    assert_eq!(plain.header("location"), "/start");

    let asked = app
        .request(
            Method::POST,
            "/login?next=%2Fmunicipal%2Fdishes",
            &form,
            body.clone(),
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(asked.header("location"), "/municipal/dishes");

    let elsewhere = app
        .request(Method::POST, "/login?next=%2F%2Fevil.example", &form, body)
        .await;
    assert_eq!(elsewhere.header("location"), "/start", "no open redirect");

    // A stranger at /start goes to the home page.
    let stranger = app.get("/start").await;
    assert_eq!(stranger.status, StatusCode::SEE_OTHER);
    assert_eq!(stranger.header("location"), "/");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_starts_at_its_job() {
    let app = TestApp::new().await;
    let week = open_week_now();
    let k = kitchen(&app, "Startkök", week).await;

    assert_eq!(start_of(&k.cook).await, "/municipal/kitchen/plan");
    assert_eq!(start_of(&k.viewer).await, "/municipal/kitchen/plan");
    assert_eq!(start_of(&k.admin).await, "/municipal/admin/attention");

    // Department staff: the open week (never one whose deadline has passed), at the card of
    // today's weekday, which the portal page has.
    let day = today_weekday();
    let expected = format!(
        "/municipal/portal?week={}-W{:02}#d-{}-{}-{day}",
        week.year, week.week, week.year, week.week
    );
    let target = start_of(&k.department_staff[0]).await;
    assert_eq!(target, expected);
    let (path, anchor) = target.split_once('#').unwrap();
    let portal = k.department_staff[0].get(path).await;
    assert_eq!(portal.status, StatusCode::OK);
    let html = portal.text();
    assert!(html.contains(&format!(r#"id="{anchor}""#)), "{html}");
    let api = k.department_staff[0]
        .get(&format!(
            "/api/v1/municipal/departments/{}/weeks/{}/{}",
            k.departments[0], week.year, week.week
        ))
        .await;
    assert_eq!(api.json()["choices_open"], json!(true));
    let before = week.previous();
    let this_week = IsoWeek::containing(
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Stockholm)
            .date_naive(),
    );
    if before >= this_week {
        let closed = k.department_staff[0]
            .get(&format!(
                "/api/v1/municipal/departments/{}/weeks/{}/{}",
                k.departments[0], before.year, before.week
            ))
            .await;
        assert_eq!(closed.json()["choices_open"], json!(false));
    }

    // The module's own landing agrees: /municipal sends a signed-in person the same way.
    let landing = k.cook.get("/municipal").await;
    assert!(landing.status.is_redirection());
    assert_eq!(landing.header("location"), "/start?module=municipal");
    assert_eq!(
        k.cook
            .get("/start?module=municipal")
            .await
            .header("location"),
        "/municipal/kitchen/plan"
    );

    // The offshore module is on by default but serves another kind of tenant: this kitchen
    // does not see it. Switched on for the tenant on purpose, it is shown.
    let home = k.cook.get("/").await.text();
    assert!(!home.contains(r#"href="/offshore"#), "{home}");
    assert!(home.contains(r#"href="/municipal/kitchen/plan""#), "{home}");
    switch(&k.admin, "offshore", true).await;
    let home = k.cook.get("/").await.text();
    assert!(home.contains(r#"href="/offshore/board""#), "{home}");

    // A module switched off is not asked: with municipal off for the tenant, the next module
    // the tenant uses answers; with none, /start falls back to home.
    switch(&k.admin, "municipal", false).await;
    assert_eq!(start_of(&k.cook).await, "/offshore/board");
    let home = k.cook.get("/").await.text();
    assert!(!home.contains(r#"href="/municipal"#), "{home}");
    switch(&k.admin, "offshore", false).await;
    assert_eq!(start_of(&k.cook).await, "/");
}

/// Switches a module on or off for the admin's tenant, as the console does.
async fn switch(admin: &Client<'_>, module: &str, enabled: bool) {
    let listed = admin.get("/api/v1/modules").await.json();
    let etag = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == module)
        .unwrap()["switches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "tenant")
        .unwrap()["etag"]
        .as_str()
        .unwrap()
        .to_owned();
    let switched = admin
        .send(
            Method::PUT,
            &format!("/api/v1/modules/{module}"),
            Some(&etag),
            Some(json!({ "scope": "tenant", "enabled": enabled })),
        )
        .await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_sees_what_needs_attention_with_links_to_fix_it() {
    let app = TestApp::new().await;
    let week = open_week_now();
    let k = kitchen(&app, "Uppmärksamhet", week).await;
    // One dish made from a name alone: nobody has stated its allergens.
    let made = k
        .admin
        .post(
            "/api/v1/dishes",
            json!({ "name": "Okänd gryta", "category": "main" }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());

    let page = k.admin.get("/municipal/admin/attention?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("What needs attention"), "{html}");
    // The next deadline, with its date: Thursday of the week before, at 12:00.
    let thursday = week.monday() - chrono::Duration::days(4);
    assert!(
        html.contains(&format!("Choices for week {} (", week.week))
            && html.contains(&format!("{} ", thursday.day()))
            && html.contains("at 12:00"),
        "{html}"
    );
    assert!(html.contains("/municipal/admin/sites/"), "settings link");
    // All three departments have yet to choose (the fixture's week offers Alt 2).
    assert!(
        html.contains("Departments that have not chosen: 3"),
        "{html}"
    );
    assert!(html.contains("Björken, Eken, Linden"), "{html}");
    // Björken and Eken have special diets and have not marked them.
    assert!(
        html.contains("Departments that have not marked their special diets: 2"),
        "{html}"
    );
    // Björken's gluten-free residents would get the meatballs (gluten): a clash to mark.
    assert!(
        html.contains("Special diets not marked where the dish has an allergen they exclude:"),
        "{html}"
    );
    let weeks_link = format!(
        r#"href="/municipal/kitchen/weeks/{}/{}""#,
        week.year, week.week
    );
    assert!(html.contains(&weeks_link), "{html}");
    assert!(
        html.contains("Dishes whose allergens nobody has stated: 1"),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/municipal/dishes?not_stated=1""#),
        "{html}"
    );
    assert!(!html.contains("is not published"), "{html}");
    assert!(!html.contains("data-all-clear"), "{html}");

    // Each link answers.
    for link in [
        format!("/municipal/kitchen/weeks/{}/{}", week.year, week.week),
        "/municipal/dishes?not_stated=1".to_owned(),
    ] {
        assert_eq!(k.admin.get(&link).await.status, StatusCode::OK, "{link}");
    }

    // Cooks and department staff have no attention page.
    assert_eq!(
        k.cook.get("/municipal/admin/attention").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unpublished_week_needs_attention_and_nothing_left_is_all_clear() {
    let app = TestApp::new().await;
    let week = open_week_now();
    // The fixture's menu is for a later week: the open week has none.
    let k = kitchen(&app, "Opublicerat", week.next().next()).await;
    let html = k
        .admin
        .get("/municipal/admin/attention?lang=en")
        .await
        .text();
    assert!(
        html.contains(&format!("The menu for week {} (", week.week)),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            r#"href="/municipal/menus/{}/{}""#,
            week.year, week.week
        )),
        "{html}"
    );
    // Nothing to choose in an unpublished week: nobody is missing a choice.
    assert!(!html.contains("have not chosen"), "{html}");

    // A kitchen whose every department has chosen and marked a published week: all clear.
    let app = TestApp::new().await;
    let k = kitchen(&app, "Klart", week).await;
    for (i, department) in k.departments.iter().enumerate() {
        let path = format!(
            "/api/v1/municipal/departments/{department}/weeks/{}/{}",
            week.year, week.week
        );
        let current = k.admin.get(&path).await;
        assert_eq!(current.status, 200, "{}", current.text());
        let days: Vec<_> = (1..=7)
            .map(|day| {
                let mut entry = json!({ "day": day, "lunch": "alt1" });
                // Björken marks gluten-free at every lunch and dinner; Eken lactose-free.
                let marks = match i {
                    0 | 1 => json!([
                        { "meal": "lunch", "diet_type_id": k.diets[i], "marked": true },
                        { "meal": "dinner", "diet_type_id": k.diets[i], "marked": true },
                    ]),
                    _ => json!([]),
                };
                entry["marks"] = marks;
                entry
            })
            .collect();
        let saved = k
            .admin
            .send(
                Method::PUT,
                &format!("{path}/days"),
                Some(current.header("etag")),
                Some(json!({ "days": days })),
            )
            .await;
        assert_eq!(saved.status, 200, "{}", saved.text());
    }
    let html = k
        .admin
        .get("/municipal/admin/attention?lang=en")
        .await
        .text();
    assert!(html.contains("data-all-clear"), "{html}");
    assert!(html.contains("All clear"), "{html}");
    assert!(!html.contains("data-attention"), "{html}");
}

/// The fixture's e-mail of its `index`-th person (0 admin, 1 cook, 2 viewer, 3 and 4
/// department staff).
fn fixture_email(role: Role, index: usize, name: &str) -> String {
    format!(
        "{}-{index}-{}@example.se",
        role.as_str(),
        name.to_lowercase().replace(' ', "-")
    )
}

/// Each role signs in without `next` and lands on its job, at the viewport of `browser`; the
/// department's card for today's weekday is scrolled into view. Screenshots of each landing.
async fn landings(browser: &crate::browser::Browser, name: &str, week: IsoWeek, width: &str) {
    let department = fixture_email(Role::Department, 3, name);
    browser
        .sign_in_to_start(&department, "/municipal/portal")
        .await;
    let anchor = format!("d-{}-{}-{}", week.year, week.week, today_weekday());
    browser.wait_for_url(&format!("#{anchor}")).await;
    let top = browser
        .client
        .execute(
            &format!("return document.getElementById('{anchor}').getBoundingClientRect().top;"),
            vec![],
        )
        .await
        .unwrap();
    let (_, height) = browser.inner_size().await;
    let top = top.as_f64().unwrap();
    assert!(
        (-1.0..f64::from(height) / 2.0).contains(&top),
        "today's card is scrolled to the top half, not at {top}"
    );
    browser.assert_fits_width().await;
    browser.screenshot(&format!("department-{width}")).await;

    browser.client.delete_all_cookies().await.unwrap();
    let cook = fixture_email(Role::Cook, 1, name);
    browser
        .sign_in_to_start(&cook, "/municipal/kitchen/plan")
        .await;
    browser.assert_fits_width().await;
    browser.screenshot(&format!("cook-{width}")).await;

    browser.client.delete_all_cookies().await.unwrap();
    let admin = fixture_email(Role::Admin, 0, name);
    browser
        .sign_in_to_start(&admin, "/municipal/admin/attention")
        .await;
    assert_eq!(browser.text("main h1").await, "Att göra");
    assert!(
        browser
            .text("[data-attention]")
            .await
            .contains("Avdelningar som inte har valt: 3")
    );
    browser.assert_fits_width().await;
    browser.screenshot(&format!("admin-{width}")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_lands_on_its_job_on_a_phone() {
    const TEST: &str = "start_pages_phone";
    let app = TestApp::new().await;
    let week = open_week_now();
    let name = "Landning telefon";
    let _k = kitchen(&app, name, week).await;
    crate::browser::within_time_limit(TEST, async {
        let phone = crate::browser::Browser::phone(&app, TEST).await;
        landings(&phone, name, week, "phone").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_lands_on_its_job_on_a_desktop() {
    const TEST: &str = "start_pages_desktop";
    let app = TestApp::new().await;
    let week = open_week_now();
    let name = "Landning dator";
    let _k = kitchen(&app, name, week).await;
    crate::browser::within_time_limit(TEST, async {
        let desktop = crate::browser::Browser::desktop(&app, TEST).await;
        landings(&desktop, name, week, "desktop").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offshore_company_starts_in_the_galley() {
    let app = TestApp::new().await;
    let hash = galley_core::auth::password::hash(PASSWORD.into())
        .await
        .unwrap();
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let tenant = galley_core::people::tenants::insert(conn, "Rigg", "offshore")
        .await
        .unwrap();
    let site = galley_core::people::sites::insert(conn, tenant, "Byssa", "Europe/Oslo")
        .await
        .unwrap();
    galley_core::people::users::insert(
        conn,
        &galley_core::people::users::NewUser {
            tenant_id: Some(tenant),
            site_id: Some(site),
            email: "kokk@rigg.no",
            display_name: "Kokk",
            role: Role::Cook,
            password_hash: &hash,
        },
    )
    .await
    .unwrap();
    drop(pooled);
    let cook = Client::sign_in(&app, "kokk@rigg.no").await;
    // Both modules are on; the tenant's kind decides which it uses.
    assert_eq!(start_of(&cook).await, "/offshore/board");
    // The module's landing sends a signed-in person on to their start page too.
    let landing = cook.get("/offshore").await;
    assert_eq!(landing.status, StatusCode::SEE_OTHER);
    assert_eq!(landing.header("location"), "/start?module=offshore");
    assert_eq!(
        cook.get("/start?module=offshore").await.header("location"),
        "/offshore/board"
    );
    assert_eq!(app.get("/offshore").await.status, StatusCode::OK);
    let home = cook.get("/").await.text();
    assert!(!home.contains(r#"href="/municipal"#), "{home}");
    app.set_module("offshore", false).await;
    assert_eq!(start_of(&cook).await, "/");
}

/// The demo's rig galley cook works in the offshore module: that is where they start and what
/// their navigation shows; the care homes' cook keeps the municipal kitchen.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_rig_cook_starts_in_the_galley_and_the_care_home_cook_in_the_kitchen() {
    let app = TestApp::new().await;
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        galley_core::people::accounts::ensure_demo(&mut pooled.conn(), app.app.state.registry)
            .await
            .unwrap();
    }
    app.app.state.flags.refresh().await.unwrap();
    let password = galley_core::people::accounts::DEMO_PASSWORD;
    let rig = Client::sign_in_with(&app, "kokk@demo.galley.test", password).await;
    assert_eq!(start_of(&rig).await, "/offshore/board");
    let home = rig.get("/").await.text();
    assert!(home.contains(r#"href="/offshore/board""#), "{home}");
    assert!(
        !home.contains(r#"href="/municipal/kitchen/plan""#),
        "{home}"
    );
    let care_home = Client::sign_in_with(&app, "cook@demo.galley.test", password).await;
    assert_eq!(start_of(&care_home).await, "/municipal/kitchen/plan");
}
