//! No work is lost (issue 11 item 11): values a form would ignore are refused (422
//! problem+json naming the field, nothing changed) instead of dropped while the page says
//! "Saved"; a form posted after the session ended is not saved and says so: a page's script
//! gets 401 (and signs in again in place, see the browser tests), a plain form goes to
//! `/login?next=<the page>&unsaved=1`, which says the change was not saved.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{Kitchen, kitchen, open_week};

/// Posts a form as a browser would: without a script, or (`script`) from a page's script.
async fn post_form(
    client: &Client<'_>,
    path: &str,
    fields: &[(&str, &str)],
    script: bool,
) -> TestResponse {
    let mut pairs: Vec<(&str, &str)> = vec![("csrf_token", client.csrf.as_str())];
    pairs.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&pairs).unwrap();
    let mut headers = vec![
        ("cookie", client.cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    if script {
        headers.push(("x-requested-with", "fetch"));
    }
    client.app.request(Method::POST, path, &headers, body).await
}

fn day_form_path(k: &Kitchen<'_>, department: usize, day: u32) -> String {
    format!(
        "/municipal/portal/departments/{}/weeks/{}/{}/days/{day}",
        k.departments[department], k.week.year, k.week.week
    )
}

fn editor_path(k: &Kitchen<'_>) -> String {
    format!("/municipal/menus/{}/{}", k.week.year, k.week.week)
}

/// 422, the page again (HTML: page errors are pages here) naming the refused field.
fn assert_refused(response: &TestResponse, field: &str) {
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.text()
    );
    assert!(response.header("content-type").starts_with("text/html"));
    let html = response.text();
    assert!(
        html.contains(field),
        "the page does not name {field}: {html}"
    );
    assert!(
        html.contains("Inte sparat"),
        "the page does not say it was not saved: {html}"
    );
}

async fn week(k: &Kitchen<'_>) -> Value {
    k.department_staff[0].get(&k.week_path(0)).await.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_form_refuses_what_it_would_ignore() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Ignorerat", open_week()).await;
    let staff = &k.department_staff[0];
    let before = week(&k).await;
    let etag = before["etag"].as_str().unwrap().to_owned();
    let glutenfri = format!("lunch:{}", k.diets[0]);
    let timbal = format!("lunch:{}", k.diets[2]);
    let laktosfri = format!("dinner:{}", k.diets[1]);

    // A ticked box the day's form did not show: Timbal always applies (no box), and Björken
    // has nobody on Laktosfri.
    for mark in [&timbal, &laktosfri] {
        let refused = post_form(
            staff,
            &day_form_path(&k, 0, 2),
            &[
                ("etag", &etag),
                ("lunch", "alt2"),
                ("shown", &glutenfri),
                ("mark", &glutenfri),
                ("mark", mark),
            ],
            false,
        )
        .await;
        assert_refused(&refused, &format!("mark={mark}"));
    }
    // A field the form has not.
    let refused = post_form(
        staff,
        &day_form_path(&k, 0, 2),
        &[("etag", &etag), ("lunch", "alt2"), ("dinner", "alt2")],
        false,
    )
    .await;
    assert_refused(&refused, "dinner");

    let after = week(&k).await;
    assert_eq!(after["version"], before["version"], "nothing was stored");
    assert_eq!(after["days"][1]["stored_choice"], "alt1");
    assert_eq!(after["days"][1]["chosen"], false);

    // The same form with only what it shows saves.
    let saved = post_form(
        staff,
        &day_form_path(&k, 0, 2),
        &[
            ("etag", &etag),
            ("lunch", "alt2"),
            ("shown", &glutenfri),
            ("mark", &glutenfri),
        ],
        false,
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let after = week(&k).await;
    assert_eq!(after["days"][1]["stored_choice"], "alt2");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_editor_refuses_cells_it_does_not_save() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Helgfält", open_week()).await;
    let settings = format!("/api/v1/municipal/sites/{}/settings", k.site);
    let current = k.admin.get(&settings).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.text());
    let changed = k
        .admin
        .send(
            Method::PUT,
            &settings,
            Some(current.header("etag")),
            Some(json!({
                "deadline_weekday": 4, "deadline_time": "12:00", "deadline_weeks_before": 1,
                "weekend_alt2": false
            })),
        )
        .await;
    assert!(changed.status.is_success(), "{}", changed.text());

    let menu = k.cook.get(&k.menu_path()).await;
    let etag = menu.header("etag").to_owned();
    let items_before = menu.json()["items"].clone();
    let version_before = menu.json()["version"].clone();
    let page = k.cook.get(&editor_path(&k)).await.text();
    // The editor shows no Saturday Alt 2 field: the site offers none at weekends.
    assert!(!page.contains("name=\"dish-6-lunch-alt2\""));

    // Saturday's Alt 2, hidden by the editor but posted all the same.
    let refused = post_form(
        &k.cook,
        &editor_path(&k),
        &[
            ("etag", &etag),
            ("dish-1-lunch-alt1", "Köttbullar med potatismos (helgfält)"),
            ("dish-6-lunch-alt2", "Laxpudding"),
        ],
        false,
    )
    .await;
    assert_refused(&refused, "dish-6-lunch-alt2");
    // A slot the editor does not have, and a day that is not in the week.
    for field in ["dish-1-lunch-starter", "dish-8-lunch-alt1", "notes"] {
        let refused = post_form(
            &k.cook,
            &editor_path(&k),
            &[("etag", &etag), (field, "Soppa")],
            false,
        )
        .await;
        assert_refused(&refused, field);
    }
    let menu = k.cook.get(&k.menu_path()).await.json();
    assert_eq!(menu["items"], items_before, "the menu did not change");
    assert_eq!(menu["version"], version_before);
    let dishes = k.cook.get("/api/v1/dishes?q=Laxpudding").await.json();
    assert_eq!(dishes["total"], 0, "no dish was made: {dishes}");

    // An empty Saturday Alt 2 (a form that sends every cell) is no value and is fine.
    let saved = post_form(
        &k.cook,
        &editor_path(&k),
        &[
            ("etag", &etag),
            ("dish-1-lunch-alt1", "Kycklinggryta med ris (helgfält)"),
            ("dish-6-lunch-alt2", ""),
        ],
        false,
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
}

/// Ends the client's session on the server, as an expiry would; its cookie stays in the
/// browser.
async fn end_session(client: &Client<'_>) {
    let ended = client
        .send(Method::POST, "/api/v1/auth/logout", None, None)
        .await;
    assert!(ended.status.is_success(), "{}", ended.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_after_the_session_ended_is_not_saved_and_says_so() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Utloggad", open_week()).await;
    let staff = &k.department_staff[0];
    let etag = week(&k).await["etag"].as_str().unwrap().to_owned();
    let menu_etag = k.cook.get(&k.menu_path()).await.header("etag").to_owned();
    end_session(staff).await;
    end_session(&k.cook).await;

    // Without a script: to sign-in, back to the page (not the post's address) afterwards.
    let posted = post_form(
        staff,
        &day_form_path(&k, 0, 2),
        &[("etag", &etag), ("lunch", "alt2")],
        false,
    )
    .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text());
    let to = posted.header("location").to_owned();
    assert_eq!(
        to,
        format!(
            "/login?next=/municipal/portal/departments/{}&unsaved=1",
            k.departments[0]
        )
    );
    let login = app.get(&to).await.text();
    assert!(
        login.contains("Du loggades ut, så din senaste ändring sparades inte."),
        "{login}"
    );
    assert!(login.contains(&format!(
        "action=\"/login?next=/municipal/portal/departments/{}\"",
        k.departments[0]
    )));
    // A plain sign-in page says nothing of the kind.
    assert!(!app.get("/login").await.text().contains("sparades inte"));

    let editor = post_form(
        &k.cook,
        &editor_path(&k),
        &[("etag", &menu_etag), ("dish-1-lunch-alt1", "Soppa")],
        false,
    )
    .await;
    assert_eq!(editor.status, StatusCode::SEE_OTHER);
    assert_eq!(
        editor.header("location"),
        format!("/login?next={}&unsaved=1", editor_path(&k))
    );

    // The editor's other forms return to the week's page too.
    for action in ["publish", "unpublish", "copy"] {
        let posted = post_form(
            &k.cook,
            &format!("{}/{action}", editor_path(&k)),
            &[("etag", &menu_etag)],
            false,
        )
        .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(
            posted.header("location"),
            format!("/login?next={}&unsaved=1", editor_path(&k)),
            "{action}"
        );
    }

    // From a page's script: 401, for the script to sign in again in place.
    for (client, path, fields) in [
        (
            staff,
            day_form_path(&k, 0, 2),
            vec![("etag", etag.as_str()), ("lunch", "alt2")],
        ),
        (
            &k.cook,
            editor_path(&k),
            vec![("etag", menu_etag.as_str()), ("dish-1-lunch-alt1", "Soppa")],
        ),
    ] {
        let answered = post_form(client, &path, &fields, true).await;
        assert_eq!(
            answered.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            answered.text()
        );
    }

    // Nothing was saved.
    let read = k.admin.get(&k.week_path(0)).await.json();
    assert_eq!(read["version"], 0, "{read}");
    let menu = k.admin.get(&k.menu_path()).await;
    assert_eq!(menu.header("etag"), menu_etag);
}

mod browser {

    use super::*;
    use crate::browser::{Browser, within_time_limit};

    fn email(role: &str, index: usize, kitchen_name: &str) -> String {
        let slug = kitchen_name.to_lowercase().replace(' ', "-");
        format!("{role}-{index}-{slug}@example.se")
    }

    /// The session ends as an expiry would leave it: the browser has no session any more.
    async fn end_session(browser: &Browser) {
        browser
            .client
            .delete_cookie("galley_session")
            .await
            .unwrap();
    }

    async fn sign_in_again(browser: &Browser, email: &str) {
        let dialog = browser.find("dialog#reauth[open]").await;
        assert!(dialog.is_displayed().await.unwrap());
        // The person who was signed in is filled in; the password has the focus.
        assert_eq!(
            browser.prop("#reauth-email", "value").await.as_deref(),
            Some(email)
        );
        assert_eq!(
            browser
                .active_element()
                .await
                .attr("id")
                .await
                .unwrap()
                .as_deref(),
            Some("reauth-password")
        );
        browser
            .fill("#reauth-password", crate::auth::PASSWORD)
            .await;
        browser.click("#reauth button[type=submit]").await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_portal_asks_to_sign_in_again_and_saves_the_choice() {
        const TEST: &str = "work_not_lost";
        const NAME: &str = "Igen";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, open_week()).await;
        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            let who = email("department", 3, NAME);
            phone.sign_in(&who).await;
            phone
                .goto(&format!(
                    "/municipal/portal?week={}-W{:02}",
                    k.week.year, k.week.week
                ))
                .await;
            end_session(&phone).await;
            let wednesday = format!("d-{}-{}-3", k.week.year, k.week.week);
            let label = format!("label[for='{wednesday}-alt2']");
            phone.scroll_to(&label, "center").await;
            phone.click(&label).await;
            phone.find("dialog#reauth[open]").await;
            assert!(
                phone
                    .text(&format!("#{wednesday} .save-status"))
                    .await
                    .contains("Din session har gått ut"),
                "the session is named, not the network"
            );
            assert_eq!(
                phone
                    .prop(&format!("#{wednesday}-alt2"), "checked")
                    .await
                    .as_deref(),
                Some("true"),
                "the choice is kept while not saved"
            );
            assert_eq!(
                phone.text(&format!("#{wednesday} [data-state]")).await,
                "Inte valt: Alt 1 (standard)",
                "an unsaved choice does not look chosen"
            );
            phone.screenshot("phone-reauth").await;
            sign_in_again(&phone, &who).await;
            phone
                .wait_for_text_containing(&format!("#{wednesday} .save-status"), "Sparat")
                .await;
            assert_eq!(
                phone.text(&format!("#{wednesday} [data-state]")).await,
                "Valt: Alt 2"
            );
            phone.screenshot("phone-reauth-saved").await;
            let week = k.admin.get(&k.week_path(0)).await.json();
            assert_eq!(week["days"][2]["stored_choice"], "alt2");
            assert_eq!(week["days"][2]["chosen"], true);
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_menu_editor_asks_to_sign_in_again_and_keeps_what_was_typed() {
        const TEST: &str = "work_not_lost";
        const NAME: &str = "Menyigen";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, open_week()).await;
        within_time_limit(TEST, async {
            let desktop = Browser::desktop(&app, TEST).await;
            let who = email("cook", 1, NAME);
            desktop.sign_in(&who).await;
            desktop.goto(&editor_path(&k)).await;
            desktop
                .fill("#dish-1-lunch-alt1", "Laxpudding med smält smör")
                .await;
            end_session(&desktop).await;
            desktop.click(".save-bar button[type=submit]").await;
            desktop.find("dialog#reauth[open]").await;
            assert_eq!(
                desktop.prop("#dish-1-lunch-alt1", "value").await.as_deref(),
                Some("Laxpudding med smält smör"),
                "what was typed stays"
            );
            desktop
                .wait_for_text_containing("[data-save-state]", "Din session har gått ut")
                .await;
            desktop.screenshot("desktop-editor-reauth").await;
            sign_in_again(&desktop, &who).await;
            desktop.wait_for_url("saved=1").await;
            let menu = k.cook.get(&k.menu_path()).await.json();
            let monday = menu["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["day"] == 1 && i["slot"] == "alt1")
                .unwrap()
                .clone();
            assert_eq!(monday["dish"]["name"], "Laxpudding med smält smör");
            desktop.screenshot("desktop-editor-saved").await;

            // The same on a phone.
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&who).await;
            phone.goto(&editor_path(&k)).await;
            phone.fill("#dish-2-lunch-alt1", "Kålpudding").await;
            end_session(&phone).await;
            phone
                .scroll_to(".save-bar button[type=submit]", "center")
                .await;
            phone.click(".save-bar button[type=submit]").await;
            phone.find("dialog#reauth[open]").await;
            phone.screenshot("phone-editor-reauth").await;
        })
        .await;
    }

    /// Each failure has its words, the tap stays as the person set it, and the day does not
    /// look chosen; the answers are made in the page (fetch replaced), the server untouched.
    #[tokio::test(flavor = "multi_thread")]
    async fn an_unsaved_choice_never_looks_saved() {
        const TEST: &str = "work_not_lost";
        const NAME: &str = "Osparat";
        let app = TestApp::new().await;
        let k = kitchen(&app, NAME, open_week()).await;
        within_time_limit(TEST, async {
            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&email("department", 3, NAME)).await;
            phone
                .goto(&format!(
                    "/municipal/portal?week={}-W{:02}",
                    k.week.year, k.week.week
                ))
                .await;
            for (day, answer, words) in [
                (1, "403", "du har inte behörighet"),
                (2, "409", "någon annan har ändrat veckan"),
                (3, "network", "ingen anslutning"),
            ] {
                let script = if answer == "network" {
                    "window.fetch = function () { return Promise.reject(new TypeError('offline')); };"
                        .to_owned()
                } else {
                    format!(
                        "window.fetch = function () {{ return Promise.resolve(new Response('{{}}', {{ status: {answer}, headers: {{ 'content-type': 'application/problem+json' }} }})); }};"
                    )
                };
                phone.client.execute(&script, vec![]).await.unwrap();
                let card = format!("d-{}-{}-{day}", k.week.year, k.week.week);
                let label = format!("label[for='{card}-alt2']");
                phone.scroll_to(&label, "center").await;
                phone.click(&label).await;
                phone.wait_for_text_containing(&format!("#{card} .save-status"), words).await;
                let said = phone.text(&format!("#{card} .save-status")).await;
                assert!(said.starts_with("Inte sparat"), "{said}");
                assert!(!said.contains("Sparat"), "{said}");
                assert_eq!(
                    phone.prop(&format!("#{card}-alt2"), "checked").await.as_deref(),
                    Some("true"),
                    "the person's choice is kept"
                );
                assert_eq!(
                    phone.text(&format!("#{card} [data-state]")).await,
                    "Inte valt: Alt 1 (standard)"
                );
                if answer == "403" {
                    phone.screenshot("phone-not-saved").await;
                }
            }
            let week = k.admin.get(&k.week_path(0)).await.json();
            assert_eq!(week["version"], 0, "nothing reached the server");
        })
        .await;
    }
}
