//! The reader's language: a person's own choice, saved from the switch, follows them; a site's
//! language is the default of its people; the query still wins for one page.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::municipal_fixture::{kitchen, open_week};

fn lang_of(html: &str) -> &str {
    let start = html.find("<html lang=\"").map_or(0, |i| i + 12);
    &html[start..start + 2]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sites_language_is_its_peoples_default_and_a_persons_choice_beats_it() {
    let app = crate::harness::TestApp::new().await;
    let k = kitchen(&app, "Sprakby", open_week()).await;
    // A Swedish browser with a Swedish cookie still reads the site's language once it is set.
    let swedish = ("accept-language", "sv-SE");
    let page = |client: &crate::client::Client<'_>| {
        let cookie = format!("{}; galley_lang=sv", client.cookie);
        let app = &app;
        async move {
            app.request(
                Method::GET,
                "/",
                &[("cookie", cookie.as_str()), swedish],
                "",
            )
            .await
            .text()
        }
    };
    assert_eq!(lang_of(&page(&k.cook).await), "sv");

    let site_path = format!("/api/v1/sites/{}", k.site);
    let site = k.admin.get(&site_path).await;
    assert_eq!(site.json()["language"], serde_json::Value::Null);
    let bad = k
        .admin
        .patch(
            &site_path,
            Some(site.header("etag")),
            json!({ "language": "de" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = k
        .admin
        .patch(
            &site_path,
            Some(site.header("etag")),
            json!({ "language": "nb" }),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(set.json()["language"], "nb");
    assert_eq!(lang_of(&page(&k.cook).await), "nb");
    // `?lang=` still shows one page in another language.
    let english = k.cook.get("/?lang=en").await.text();
    assert_eq!(lang_of(&english), "en");

    // The cook chooses English with the switch: saved on the account, for every device.
    let me = k.cook.get("/api/v1/auth/me").await.json();
    let user_id = me["user_id"].as_i64().unwrap();
    assert_eq!(me["language"], "nb");
    let before = k
        .admin
        .get(&format!("/api/v1/users/{user_id}"))
        .await
        .json();
    let chosen = app
        .request(
            Method::POST,
            "/account/language",
            &[
                ("cookie", k.cook.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("csrf_token={}&lang=en&back=%2Fmunicipal", k.cook.csrf),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.text());
    assert_eq!(chosen.header("location"), "/municipal");
    assert!(chosen.header("set-cookie").starts_with("galley_lang=en;"));
    assert_eq!(lang_of(&page(&k.cook).await), "en");
    let after = k
        .admin
        .get(&format!("/api/v1/users/{user_id}"))
        .await
        .json();
    assert_eq!(after["language"], "en");
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
    // Others on the site keep the site's language.
    assert_eq!(lang_of(&page(&k.viewer).await), "nb");
    // An admin clears the choice: back to the site's.
    let cleared = k
        .admin
        .patch(
            &format!("/api/v1/users/{user_id}"),
            Some(&format!("\"user-{user_id}-v{}\"", after["version"])),
            json!({ "language": null }),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.text());
    assert_eq!(lang_of(&page(&k.cook).await), "nb");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_switch_refuses_unknown_languages_and_foreign_return_paths() {
    let app = crate::harness::TestApp::new().await;
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let anonymous = app
        .request(
            Method::POST,
            "/account/language",
            &form,
            "lang=nb&back=%2F%2Fevil.example",
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header("location"), "/");
    assert!(
        anonymous
            .header("set-cookie")
            .starts_with("galley_lang=nb;")
    );
    let unknown = app
        .request(Method::POST, "/account/language", &form, "lang=de&back=%2F")
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}
