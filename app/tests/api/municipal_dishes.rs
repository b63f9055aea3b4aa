//! The kitchen's dish pages (`/municipal/dishes`) with the in-process client: who may open
//! them, the list's search, filter and pages, the forms (CSRF, the version in a hidden field,
//! errors next to the fields, what was typed kept, a conflict when someone saved first) and
//! that what they change is what the JSON API then reads. The browser test is in `e2e`.

mod e2e;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::Client;
use crate::console::{hidden_etag, post_form};
use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{kitchen, open_week};

fn dish_page(id: i64) -> String {
    format!("/municipal/dishes/{id}")
}

fn is_html(response: &TestResponse) -> bool {
    response.content_type().starts_with("text/html")
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

/// The dish's ETag as the API gives it.
async fn api_etag(client: &Client<'_>, id: i64) -> String {
    let response = client.get(&format!("/api/v1/dishes/{id}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.header("etag").to_owned()
}

async fn api_dish(client: &Client<'_>, id: i64) -> Value {
    let response = client.get(&format!("/api/v1/dishes/{id}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

/// The fixture names its dishes after the kitchen: "Köttbullar med potatismos (name)".
fn fixture_name(k_name: &str, dish: &str) -> String {
    format!("{dish} ({})", k_name.to_lowercase().replace(' ', "-"))
}

/// The part of a page between two markers, to look at one region only.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in {html}"));
    let end = html[start..].find(to).map_or(html.len(), |at| start + at);
    &html[start..end]
}

fn is_checked(html: &str, code: &str) -> bool {
    let marker = format!(r#"id="allergen-{code}""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no box {code}"));
    let end = start + html[start..].find('>').unwrap();
    html[start..end].contains("checked")
}

#[tokio::test(flavor = "multi_thread")]
async fn cooks_and_admins_edit_viewers_read_department_staff_are_refused() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rönnen", open_week()).await;
    let dish = k.dishes[0];
    for client in [&k.admin, &k.cook] {
        let list = client.get("/municipal/dishes").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(is_html(&list));
        let body = list.text();
        assert!(body.contains(r#"<h1>Maträtter</h1>"#), "{body}");
        assert!(body.contains(r#"<form method="post" action="/municipal/dishes""#));
        let page = client.get(&dish_page(dish)).await.text();
        assert!(page.contains(r#"id="dish-form""#));
        assert!(page.contains(&format!(r#"action="/municipal/dishes/{dish}/delete""#)));
    }
    // Viewers read: the list and the dish without any form.
    let list = k.viewer.get("/municipal/dishes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list
            .text()
            .contains(r#"method="post" action="/municipal/dishes""#)
    );
    let page = k.viewer.get(&dish_page(dish)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    assert!(!body.contains(r#"id="dish-form""#));
    assert!(!body.contains("/delete"));
    assert!(body.contains("Du kan se maträtterna men inte ändra dem."));
    assert!(body.contains(r#"<li class="badge">Gluten</li>"#), "{body}");
    // ... and cannot post them.
    let etag = hidden_etag(&k.cook.get(&dish_page(dish)).await.text());
    for (path, fields) in [
        (
            "/municipal/dishes".to_owned(),
            vec![("name", "Viewer dish"), ("category", "main")],
        ),
        (
            dish_page(dish),
            vec![
                ("etag", etag.as_str()),
                ("name", "Renamed"),
                ("category", "main"),
            ],
        ),
        (
            format!("{}/delete", dish_page(dish)),
            vec![("etag", etag.as_str()), ("confirm", "yes")],
        ),
    ] {
        for client in [&k.viewer, &k.department_staff[0]] {
            let refused = post_form(client, &path, &fields).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
            assert!(is_html(&refused));
        }
    }
    assert_eq!(
        api_dish(&k.cook, dish).await["version"],
        1,
        "nothing changed"
    );
    // Department staff get a 403 page; strangers are sent to sign in.
    for path in [
        "/municipal/dishes".to_owned(),
        dish_page(dish),
        "/municipal/dishes/by-name?name=x".to_owned(),
    ] {
        let refused = k.department_staff[0].get(&path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert!(is_html(&refused));
        let stranger = app.get(&path).await;
        assert_eq!(stranger.status, StatusCode::SEE_OTHER, "{path}");
        assert!(stranger.header("location").starts_with("/login?next="));
    }
    // The navigation has the entry for the kitchen, not for the departments.
    let nav = r#"<a href="/municipal/dishes""#;
    assert!(k.cook.get("/municipal/dishes").await.text().contains(nav));
    assert!(k.viewer.get("/").await.text().contains(nav));
    assert!(!k.department_staff[0].get("/").await.text().contains(nav));

    // Another tenant's dish is an unknown page, to read and to change.
    let other = kitchen(&app, "Asken", open_week()).await;
    let foreign = other.dishes[0];
    let response = k.cook.get(&dish_page(foreign)).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(is_html(&response));
    assert!(!response.text().contains("asken"), "nothing of it shows");
    let foreign_etag = hidden_etag(&other.cook.get(&dish_page(foreign)).await.text());
    let changed = post_form(
        &k.cook,
        &dish_page(foreign),
        &[
            ("etag", &foreign_etag),
            ("name", "Stolen"),
            ("category", "main"),
        ],
    )
    .await;
    assert_eq!(changed.status, StatusCode::NOT_FOUND);
    let deleted = post_form(
        &k.cook,
        &format!("{}/delete", dish_page(foreign)),
        &[("etag", &foreign_etag), ("confirm", "yes")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NOT_FOUND);
    assert_eq!(api_dish(&other.cook, foreign).await["version"], 1);
    // Its name is not found through the menu editor's link either, and not listed.
    let by_name = k
        .cook
        .get("/municipal/dishes/by-name?name=K%C3%B6ttbullar%20med%20potatismos%20(asken)")
        .await;
    assert_eq!(by_name.status, StatusCode::SEE_OTHER);
    assert!(
        by_name
            .header("location")
            .starts_with("/municipal/dishes?q=")
    );
    assert!(
        !k.cook
            .get("/municipal/dishes?q=asken")
            .await
            .text()
            .contains("(asken)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_searches_folded_names_filters_unstated_allergens_and_pages() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Granen", open_week()).await;
    let list = k.cook.get("/municipal/dishes").await;
    assert_eq!(list.status, StatusCode::OK);
    let body = list.text();
    assert!(body.contains("Alla maträtter"));
    assert!(body.contains("Visar 1–6 av 6"), "{body}");
    // Allergens as Swedish badges in the standard order; none stated as a warning.
    let meatballs = between(
        &body,
        &fixture_name("Granen", "Köttbullar med potatismos"),
        "</tr>",
    );
    assert!(
        meatballs.contains(
            r#"<li class="badge">Gluten</li><li class="badge">Ägg</li><li class="badge">Mjölk</li>"#
        ),
        "{meatballs}"
    );
    assert!(meatballs.contains(">Huvudrätt<"));
    let chicken = between(
        &body,
        &fixture_name("Granen", "Kycklinggryta med ris"),
        "</tr>",
    );
    // Stated as containing none: a plain badge, not a warning.
    assert!(chicken.contains(r#"<span class="badge">Inga allergener</span>"#));
    assert!(!body.contains("to-check"), "all stated: nothing to check");
    // Each row links to its dish.
    assert!(body.contains(&format!(r#"href="/municipal/dishes/{}""#, k.dishes[0])));

    // The search folds case (Ö as well as O) and spaces, like the API.
    let found = k
        .cook
        .get("/municipal/dishes?q=K%C3%96TTBULLAR%20%20MED")
        .await;
    assert_eq!(found.status, StatusCode::OK);
    let body = found.text();
    assert!(body.contains(&fixture_name("Granen", "Köttbullar med potatismos")));
    assert!(!body.contains(&fixture_name("Granen", "Fiskgratäng med dillpotatis")));
    assert!(body.contains("Visar 1–1 av 1"));
    assert!(
        body.contains(r#"value="KÖTTBULLAR MED""#),
        "the search is kept"
    );
    // A row's link comes back to the search.
    assert!(body.contains(&format!(
        r#"href="/municipal/dishes/{}?back=%2Fmunicipal%2Fdishes%3Fq%3DK%25C3%2596TTBULLAR%2520MED""#,
        k.dishes[0]
    )), "{body}");
    let none = k.cook.get("/municipal/dishes?q=pizza").await.text();
    assert!(none.contains("Ingen maträtt matchar ”pizza”."));
    assert!(
        k.cook
            .get("/municipal/dishes?q=%25")
            .await
            .text()
            .contains("Ingen maträtt matchar")
    );

    // Two dishes sent without allergens: nobody has stated them. The kitchen is told how
    // many, with a link to them.
    for name in ["Kålsoppa med klimp", "Ärtsoppa med fläsk"] {
        let created = k
            .cook
            .post(
                "/api/v1/dishes",
                json!({ "name": name, "category": "soup" }),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
    }
    let body = k.cook.get("/municipal/dishes").await.text();
    assert!(body.contains("2 maträtter har inga allergener angivna."));
    assert!(body.contains(r#"href="/municipal/dishes?not_stated=1""#));
    let unstated = between(&body, "Ärtsoppa med fläsk", "</tr>");
    assert!(unstated.contains(r#"<span class="badge warning">Allergener ej angivna</span>"#));

    // The filter: only the dishes whose allergens nobody stated.
    let missing = k.cook.get("/municipal/dishes?not_stated=1").await.text();
    assert!(missing.contains("Maträtter utan allergener angivna"));
    assert!(missing.contains("Kålsoppa med klimp"));
    assert!(missing.contains("Ärtsoppa med fläsk"));
    assert!(!missing.contains(&fixture_name("Granen", "Kycklinggryta med ris")));
    assert!(!missing.contains(&fixture_name("Granen", "Köttbullar med potatismos")));
    assert!(missing.contains("Visar 1–2 av 2"));
    assert!(missing.contains(r#"name="not_stated" value="1" checked"#));
    // With a search as well.
    let both = k
        .cook
        .get("/municipal/dishes?q=soppa&not_stated=1")
        .await
        .text();
    assert!(both.contains("Visar 1–2 av 2"));
    assert!(!both.contains(&fixture_name("Granen", "Blåbärssoppa")));

    // Pages of 25: 33 dishes make two pages, with links that keep the filter.
    for n in 0..25 {
        let created = k
            .cook
            .post(
                "/api/v1/dishes",
                json!({ "name": format!("Testrätt {n:02}"), "category": "main" }),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
    }
    let first = k.cook.get("/municipal/dishes").await.text();
    assert!(first.contains("Visar 1–25 av 33"));
    assert!(first.contains(r#"href="/municipal/dishes?page=2" rel="next""#));
    assert!(!first.contains(r#"rel="prev""#));
    let second = k.cook.get("/municipal/dishes?page=2").await.text();
    assert!(second.contains("Visar 26–33 av 33"));
    assert!(second.contains(r#"href="/municipal/dishes" rel="prev""#));
    assert!(!second.contains(r#"rel="next""#));
    let filtered = k.cook.get("/municipal/dishes?not_stated=1").await.text();
    assert!(filtered.contains("Visar 1–25 av 27"));
    assert!(filtered.contains(r#"href="/municipal/dishes?not_stated=1&#38;page=2" rel="next""#));
    // A page past the end, or an odd one, is not an error.
    let past = k.cook.get("/municipal/dishes?page=9").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.text().contains("Den här sidan av listan är tom."));
    let odd = k.cook.get("/municipal/dishes?page=tre").await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.text().contains("Visar 1–25 av 33"));

    // In English too.
    let english = k
        .cook
        .get("/municipal/dishes?lang=en&q=k%C3%B6ttbullar")
        .await
        .text();
    assert!(english.contains("<h1>Dishes</h1>"));
    assert!(english.contains(r#"<li class="badge">Milk</li>"#));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dish_created_with_allergens_is_what_the_api_reads() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Lönnen", open_week()).await;
    let created = post_form(
        &k.cook,
        "/municipal/dishes",
        &[
            ("name", "  Laxpudding   med smör "),
            ("category", "main"),
            ("allergens", "fish"),
            ("allergens", "milk"),
            ("allergens", "eggs"),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let location = created.header("location").to_owned();
    let id: i64 = location
        .strip_prefix("/municipal/dishes?created=")
        .unwrap()
        .parse()
        .unwrap();
    let dish = api_dish(&k.admin, id).await;
    assert_eq!(dish["name"], "Laxpudding med smör");
    assert_eq!(dish["category"], "main");
    assert_eq!(dish["allergens"], json!(["eggs", "fish", "milk"]));
    // The list says so, with the badges.
    let body = k.cook.get(&location).await.text();
    let notice = between(&body, r#"<div class="alert success""#, "</p>\n</div>");
    assert!(
        notice.contains("”Laxpudding med smör” är tillagd."),
        "{notice}"
    );
    assert!(notice.contains(
        r#"<li class="badge">Ägg</li><li class="badge">Fisk</li><li class="badge">Mjölk</li>"#
    ));
    assert!(notice.contains(&format!(r#"href="/municipal/dishes/{id}""#)));
    // And it is audited like the API's own.
    let audit = k
        .admin
        .get(&format!(
            "/api/v1/audit?action=dish.created&target_type=dish&target_id={id}"
        ))
        .await
        .json();
    assert_eq!(audit["total"], 1);

    // Errors next to the fields, in Swedish, and what was typed kept.
    let invalid = post_form(
        &k.cook,
        "/municipal/dishes",
        &[
            ("name", "   "),
            ("category", "dessert"),
            ("allergens", "nuts"),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = invalid.text();
    assert!(
        body.contains(
            r#"<p class="field-error" id="name-error">Skriv ett namn på högst 120 tecken."#
        ),
        "{body}"
    );
    assert!(body.contains(r#"aria-invalid="true" aria-describedby="name-error""#));
    assert!(body.contains(r#"<option value="dessert" selected>Dessert</option>"#));
    assert!(is_checked(&body, "nuts"));
    assert!(!is_checked(&body, "milk"));
    let long = "x".repeat(121);
    let too_long = post_form(
        &k.cook,
        "/municipal/dishes",
        &[("name", &long), ("category", "")],
    )
    .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = too_long.text();
    assert!(body.contains(r#"id="category-error">Välj en kategori."#));
    assert!(body.contains(&format!(r#"value="{long}""#)));
    // A name the kitchen already has: said next to the name, with a link to that dish.
    let taken = post_form(
        &k.cook,
        "/municipal/dishes",
        &[
            ("name", "LAXPUDDING med smör"),
            ("category", "main"),
            ("allergens", "fish"),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = taken.text();
    assert!(body.contains("Det finns redan en maträtt med det namnet."));
    assert!(body.contains(&format!(
        r#"<a href="/municipal/dishes/{id}">Öppna ”Laxpudding med smör”</a>"#
    )));
    assert!(body.contains(r#"value="LAXPUDDING med smör""#));
    // A box for no allergen there is (a forged form).
    let forged = post_form(
        &k.cook,
        "/municipal/dishes",
        &[
            ("name", "Nötkaka"),
            ("category", "dessert"),
            ("allergens", "walnuts"),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        forged
            .text()
            .contains(r#"id="allergens-error">Välj bland de 14 allergenerna."#)
    );
    // A form without the CSRF token changes nothing.
    let no_csrf = post_without_csrf(
        &k.cook,
        "/municipal/dishes",
        &[("name", "Smygrätt"), ("category", "main")],
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let total = k.cook.get("/api/v1/dishes?per_page=1").await.json()["total"].clone();
    assert_eq!(total, 7, "only the one good form made a dish");
}

#[tokio::test(flavor = "multi_thread")]
async fn editing_keeps_the_version_and_shows_a_conflict_when_someone_saved_first() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Hasseln", open_week()).await;
    let id = k.dishes[2]; // Kycklinggryta, stated as containing none.
    let page = k.cook.get(&dish_page(id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    let etag = hidden_etag(&body);
    assert_eq!(etag, api_etag(&k.cook, id).await);
    assert!(body.contains(&format!(
        r#"value="{}""#,
        fixture_name("Hasseln", "Kycklinggryta med ris")
    )));
    assert!(body.contains(r#"<option value="main" selected>Huvudrätt</option>"#));
    assert!(!is_checked(&body, "milk"));
    assert!(body.contains(r#"<span class="badge">Inga allergener</span>"#));
    assert!(!body.contains("Ingen har angett rättens allergener"));

    // Saving: back to the list, which says so; the API reads the change.
    let saved = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &etag),
            ("name", "Kycklinggryta med ris"),
            ("category", "main"),
            ("allergens", "milk"),
            ("allergens", "celery"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        saved.header("location"),
        format!("/municipal/dishes?saved={id}")
    );
    let dish = api_dish(&k.cook, id).await;
    assert_eq!(dish["name"], "Kycklinggryta med ris");
    assert_eq!(dish["allergens"], json!(["milk", "celery"]));
    assert_eq!(dish["version"], 2);
    let list = k.cook.get(saved.header("location")).await.text();
    assert!(list.contains("”Kycklinggryta med ris” är sparad."));
    assert!(!list.contains("to-check"), "nothing to check");

    // Saving the same again writes nothing: the version stays.
    let current = hidden_etag(&k.cook.get(&dish_page(id)).await.text());
    let unchanged = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &current),
            ("name", " Kycklinggryta  med ris"),
            ("category", "main"),
            ("allergens", "celery"),
            ("allergens", "milk"),
        ],
    )
    .await;
    assert_eq!(unchanged.status, StatusCode::SEE_OTHER);
    assert_eq!(api_dish(&k.cook, id).await["version"], 2);

    // Someone else saves meanwhile (through the API); the old form is stale.
    let theirs = k
        .admin
        .patch(
            &format!("/api/v1/dishes/{id}"),
            Some(&api_etag(&k.admin, id).await),
            json!({ "allergens": ["milk", "celery", "mustard"] }),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    let stale = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &current),
            ("name", "Kycklinggryta med curry"),
            ("category", "main"),
            ("allergens", "milk"),
        ],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let body = stale.text();
    assert!(body.contains("Någon annan sparade maträtten medan du ändrade den"));
    assert!(body.contains("Deras version (version 3) är sparad."));
    // Both versions side by side, ours kept in the form, their version in the hidden field.
    let table = between(&body, r#"<table class="table">"#, "</table>");
    assert!(
        table.contains("<td>Kycklinggryta med ris</td><td>Kycklinggryta med curry</td>"),
        "{table}"
    );
    assert!(
        table.contains("<td>Mjölk, Selleri, Senap</td><td>Mjölk</td>"),
        "{table}"
    );
    assert!(!table.contains("Kategori"), "the category did not differ");
    assert!(body.contains(r#"value="Kycklinggryta med curry""#));
    assert!(is_checked(&body, "milk") && !is_checked(&body, "mustard"));
    let now = hidden_etag(&body);
    assert_ne!(now, current);
    assert_eq!(
        api_dish(&k.cook, id).await["name"],
        "Kycklinggryta med ris",
        "ours is not saved"
    );
    // Keeping ours: the form posted again, now against their version.
    let kept = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &now),
            ("name", "Kycklinggryta med curry"),
            ("category", "main"),
            ("allergens", "milk"),
        ],
    )
    .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER);
    let dish = api_dish(&k.cook, id).await;
    assert_eq!(dish["name"], "Kycklinggryta med curry");
    assert_eq!(dish["allergens"], json!(["milk"]));
    assert_eq!(dish["version"], 4);
    // A form without a version is refused the same way, not saved blindly.
    let blind = post_form(
        &k.cook,
        &dish_page(id),
        &[("name", "Blind"), ("category", "main")],
    )
    .await;
    assert_eq!(blind.status, StatusCode::CONFLICT);
    // Nor without the CSRF token.
    let forged = post_without_csrf(
        &k.cook,
        &dish_page(id),
        &[
            (
                "etag",
                &hidden_etag(&k.cook.get(&dish_page(id)).await.text()),
            ),
            ("name", "Forged"),
            ("category", "main"),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Renaming to a name the kitchen has: the error is next to the name, nothing saved.
    let taken = post_form(
        &k.cook,
        &dish_page(id),
        &[
            (
                "etag",
                &hidden_etag(&k.cook.get(&dish_page(id)).await.text()),
            ),
            ("name", &fixture_name("Hasseln", "blåbärssoppa")),
            ("category", "dessert"),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = taken.text();
    assert!(body.contains("Det finns redan en maträtt med det namnet."));
    assert!(body.contains(&format!(r#"<a href="/municipal/dishes/{}">"#, k.dishes[5])));
    assert!(body.contains(r#"<option value="dessert" selected>Dessert</option>"#));
    assert_eq!(api_dish(&k.cook, id).await["version"], 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_dish_asks_once_and_refuses_a_stale_version() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Björkhagen", open_week()).await;
    let id = k.dishes[0]; // on the published menu
    let delete = format!("{}/delete", dish_page(id));
    let etag = hidden_etag(&k.admin.get(&dish_page(id)).await.text());
    // Not confirmed: asked again, next to the box.
    let unconfirmed = post_form(&k.admin, &delete, &[("etag", &etag)]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unconfirmed
            .text()
            .contains(r#"id="confirm-error">Kryssa i rutan för att bekräfta."#)
    );
    // Changed meanwhile: not removed, and the page says why.
    let changed = k
        .cook
        .patch(
            &format!("/api/v1/dishes/{id}"),
            Some(&api_etag(&k.cook, id).await),
            json!({ "category": "soup" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let stale = post_form(&k.admin, &delete, &[("etag", &etag), ("confirm", "yes")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let body = stale.text();
    assert!(body.contains("Någon annan ändrade maträtten nyss, så den togs inte bort."));
    assert!(
        body.contains(r#"<option value="soup" selected>Soppa</option>"#),
        "shown as it is now"
    );
    assert_eq!(api_dish(&k.cook, id).await["category"], "soup");
    // Confirmed against the current version: gone from the list and the API.
    let removed = post_form(
        &k.admin,
        &delete,
        &[
            ("etag", &hidden_etag(&body)),
            ("confirm", "yes"),
            ("back", "/municipal/dishes?q=k%C3%B6tt"),
        ],
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        removed.header("location"),
        "/municipal/dishes?q=k%C3%B6tt&deleted=1"
    );
    assert_eq!(
        k.cook.get(&format!("/api/v1/dishes/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = k.cook.get(removed.header("location")).await.text();
    assert!(list.contains("Maträtten är borttagen."));
    assert!(!list.contains(&fixture_name("Björkhagen", "Köttbullar med potatismos")));
    let gone = k.cook.get(&dish_page(id)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(is_html(&gone));
    // The published menu keeps it.
    let menu = k.cook.get(&k.menu_path()).await.json();
    assert!(
        menu["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["dish"]["id"] == id)
    );
}

/// The menu editor links each dish's allergen line to the dish's page, which returns there.
#[tokio::test(flavor = "multi_thread")]
async fn the_menu_editor_links_allergens_to_the_dish_and_back() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Almen", open_week()).await;
    let week = k.week;
    let editor = format!("/municipal/menus/{}/{}", week.year, week.week);
    let back = format!("%2Fmunicipal%2Fmenus%2F{}%2F{}", week.year, week.week);
    // A cook types a new dish into Monday's Alt 2: it is created without allergens.
    let page = k.cook.get(&editor).await.text();
    let mut fields: Vec<(String, String)> = vec![("etag".into(), hidden_etag(&page))];
    fields.push((
        "dish-1-lunch-alt1".into(),
        fixture_name("Almen", "Köttbullar med potatismos"),
    ));
    fields.push(("dish-1-lunch-alt2".into(), "Rotmos med fläsk".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = post_form(&k.cook, &editor, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = k.cook.get(&editor).await.text();
    // "Allergener ej angivna" opens the new dish; the badges open theirs.
    let none = format!(
        r#"<a class="allergen-link none" href="/municipal/dishes/by-name?name=Rotmos%20med%20fl%C3%A4sk&amp;back={back}">"#
    );
    assert!(page.contains(&none), "{page}");
    let cell = between(&page, &none, "</a>");
    assert!(cell.contains(r#"<span class="badge warning">Allergener ej angivna</span>"#));
    assert!(page.contains(&format!(
        r#"<a class="allergen-link" href="/municipal/dishes/by-name?name=K%C3%B6ttbullar%20med%20potatismos%20%28almen%29&amp;back={back}">"#
    )));
    // The link finds the dish by name and opens its page, with the way back to the week.
    let opened = k
        .cook
        .get(&format!(
            "/municipal/dishes/by-name?name=Rotmos%20med%20fl%C3%A4sk&back={back}"
        ))
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let dish_path = opened.header("location").to_owned();
    let id: i64 = dish_path
        .strip_prefix("/municipal/dishes/")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(dish_path, format!("/municipal/dishes/{id}?back={back}"));
    let body = k.cook.get(&dish_path).await.text();
    assert!(
        body.contains(&format!(
            r#"<a href="{editor}"><span aria-hidden="true">←</span> Tillbaka till veckomenyn</a>"#
        )),
        "{body}"
    );
    assert!(body.contains(&format!(
        r#"<input type="hidden" name="back" value="{editor}">"#
    )));
    // Ticking its allergens and saving goes back to the week, which now shows them.
    let saved = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &hidden_etag(&body)),
            ("back", &editor),
            ("name", "Rotmos med fläsk"),
            ("category", "main"),
            ("allergens", "milk"),
            ("allergens", "mustard"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.header("location"), editor);
    let page = k.cook.get(&editor).await.text();
    let cell = between(&page, "dish-1-lunch-alt2-allergens", "</div>");
    assert!(
        cell.contains(r#"<li class="badge">Mjölk</li><li class="badge">Senap</li>"#),
        "{cell}"
    );
    // A way back anywhere else is not followed.
    let elsewhere = post_form(
        &k.cook,
        &dish_page(id),
        &[
            (
                "etag",
                &hidden_etag(&k.cook.get(&dish_page(id)).await.text()),
            ),
            ("back", "https://example.com/"),
            ("name", "Rotmos med fläsk"),
            ("category", "main"),
            ("allergens", "milk"),
            ("allergens", "mustard"),
        ],
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    assert_eq!(
        elsewhere.header("location"),
        format!("/municipal/dishes?saved={id}")
    );
    // A name no dish has any more leads to a search for it.
    let unknown = k
        .cook
        .get("/municipal/dishes/by-name?name=Gammal%20r%C3%A4tt")
        .await;
    assert_eq!(unknown.status, StatusCode::SEE_OTHER);
    assert_eq!(
        unknown.header("location"),
        "/municipal/dishes?q=Gammal%20r%C3%A4tt"
    );
    // Viewers follow the same links to a read-only page.
    let viewer = k.viewer.get(&dish_path).await;
    assert_eq!(viewer.status, StatusCode::OK);
    assert!(viewer.text().contains(r#"<li class="badge">Senap</li>"#));
}

/// A dish nobody has stated shows a hint on its page; saving it with no box ticked states
/// "contains none", which takes it off the list to check.
#[tokio::test(flavor = "multi_thread")]
async fn saving_a_dish_with_no_allergens_ticked_states_none() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Rönnen", open_week()).await;
    let created = k
        .cook
        .post(
            "/api/v1/dishes",
            json!({ "name": "Potatissallad", "category": "side" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let dish = created.json();
    assert_eq!(dish["allergens_stated"], false, "left out is not stated");
    let id = dish["id"].as_i64().unwrap();

    let page = k.cook.get(&dish_page(id)).await.text();
    assert!(page.contains(r#"<span class="badge warning">Allergener ej angivna</span>"#));
    assert!(page.contains("Ingen har angett rättens allergener än."));
    // A viewer reads the state but is not asked to state anything.
    let viewer = k.viewer.get(&dish_page(id)).await.text();
    assert!(viewer.contains("Allergener ej angivna"));
    assert!(!viewer.contains("Ingen har angett rättens allergener än."));

    let saved = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &hidden_etag(&page)),
            ("name", "Potatissallad"),
            ("category", "side"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let dish = api_dish(&k.cook, id).await;
    assert_eq!(dish["allergens"], json!([]));
    assert_eq!(dish["allergens_stated"], true);
    let page = k.cook.get(&dish_page(id)).await.text();
    assert!(page.contains(r#"<span class="badge">Inga allergener</span>"#));
    let list = k.cook.get("/municipal/dishes").await.text();
    assert!(!list.contains("to-check"), "{list}");
}

/// The dish form says which of three things is true: allergens not stated yet, no allergens,
/// or the ticked ones. Saving a dish to rename it keeps "not stated" as it is; a radio that
/// contradicts the boxes is refused, naming the field, and nothing is saved.
#[tokio::test(flavor = "multi_thread")]
async fn the_dish_form_states_no_allergens_only_when_chosen() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Radion", open_week()).await;
    let created = k
        .cook
        .post(
            "/api/v1/dishes",
            json!({ "name": "Laxpudding", "category": "main" }),
        )
        .await;
    let id = created.json()["id"].as_i64().unwrap();
    let page = k.cook.get(&dish_page(id)).await.text();
    assert!(
        page.contains(
            r#"id="allergen-state-unknown" name="allergen_state" value="unknown" checked"#
        ),
        "{page}"
    );
    assert!(page.contains("Inga allergener"));
    let save = |fields: Vec<(&'static str, String)>| {
        let page = page.clone();
        let client = &k.cook;
        async move {
            let mut pairs: Vec<(&str, String)> = vec![
                ("etag", hidden_etag(&page)),
                ("name", "Laxpudding med smör".into()),
                ("category", "main".into()),
            ];
            pairs.extend(fields);
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(client, &dish_page(id), &pairs).await
        }
    };

    // Contradictions are refused on the allergens field; nothing is saved.
    for (state, ticked, words) in [
        ("unknown", Some("fish"), "valde ”Inte angivet än”"),
        ("none", Some("fish"), "valde ”Inga allergener”"),
        ("listed", None, "Kryssa i minst en allergen"),
    ] {
        let mut fields = vec![("allergen_state", state.to_owned())];
        if let Some(code) = ticked {
            fields.push(("allergens", code.to_owned()));
        }
        let refused = save(fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{state}");
        assert!(
            refused.text().contains(words),
            "{state}: {}",
            refused.text()
        );
        assert!(refused.text().contains(r#"id="allergens-error""#));
    }
    assert_eq!(api_dish(&k.cook, id).await["version"], 1);

    // Renaming with "not stated yet" keeps the allergens unstated.
    let renamed = save(vec![("allergen_state", "unknown".into())]).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.text());
    let dish = api_dish(&k.cook, id).await;
    assert_eq!(dish["name"], "Laxpudding med smör");
    assert_eq!(dish["allergens_stated"], false);

    // "No allergens" is a statement.
    let page = k.cook.get(&dish_page(id)).await.text();
    let none = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &hidden_etag(&page)),
            ("name", "Laxpudding med smör"),
            ("category", "main"),
            ("allergen_state", "none"),
        ],
    )
    .await;
    assert_eq!(none.status, StatusCode::SEE_OTHER, "{}", none.text());
    let dish = api_dish(&k.cook, id).await;
    assert_eq!(dish["allergens_stated"], true);
    assert_eq!(dish["allergens"], json!([]));

    // Once stated, "not stated yet" is no longer offered, and a forged one is refused.
    let page = k.cook.get(&dish_page(id)).await.text();
    assert!(!page.contains(r#"id="allergen-state-unknown""#));
    assert!(page.contains(r#"value="none" checked"#));
    let unstate = post_form(
        &k.cook,
        &dish_page(id),
        &[
            ("etag", &hidden_etag(&page)),
            ("name", "Laxpudding med smör"),
            ("category", "main"),
            ("allergen_state", "unknown"),
            ("stated_before", "1"),
        ],
    )
    .await;
    assert_eq!(unstate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unstate.text().contains("kan inte göras oangivna"));
}
