//! Offshore messages over the API: each audience (site, role, position, person) reaches exactly
//! its people, and the inbox, the unread count and the receipts agree on who that is; reading
//! counts once; bad input is refused and stores nothing; who may send and withdraw; another
//! tenant's messages are out of reach.

use galley_core::auth::{Role, password};
use galley_core::people::{sites, users};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::TestApp;
use crate::offshore_rota::{Rig, rig};

/// The rig's people, plus a cook bound to a second site of the tenant and a department
/// account bound to no site.
struct People<'a> {
    rig: Rig<'a>,
    other_site: i64,
    other_cook: (i64, Client<'a>),
    department: (i64, Client<'a>),
    /// Ids of the rig's admin, cook and viewer.
    admin: i64,
    cook: i64,
    viewer: i64,
}

async fn people<'a>(app: &'a TestApp, name: &str) -> People<'a> {
    let rig = rig(app, name).await;
    let (admin, cook, viewer) = (
        user_id(&rig.admin).await,
        user_id(&rig.cook).await,
        user_id(&rig.viewer).await,
    );
    let hash = password::hash(crate::auth::PASSWORD.into()).await.unwrap();
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let tenant = sites::tenant_of_site(conn, rig.site)
        .await
        .unwrap()
        .unwrap();
    let other_site = sites::insert(conn, tenant, &format!("{name} annen"), "Europe/Oslo")
        .await
        .unwrap();
    let slug = name.to_lowercase().replace(' ', "-");
    let mut add = async |role: Role, site: Option<i64>, who: &str| {
        let email = format!("{who}-{slug}@example.no");
        let id = users::insert(
            conn,
            &users::NewUser {
                tenant_id: Some(tenant),
                site_id: site,
                email: &email,
                display_name: who,
                role,
                password_hash: &hash,
            },
        )
        .await
        .unwrap();
        (id, email)
    };
    let other_cook = add(Role::Cook, Some(other_site), "other-cook").await;
    let department = add(Role::Department, None, "department").await;
    drop(pooled);
    // The crew member's account is the rig's steward.
    let linked = rig
        .admin
        .post(
            &rig.path("crew"),
            json!({ "name": "Per", "position": "steward", "user_id": rig.crew_user.0 }),
        )
        .await;
    assert_eq!(linked.status, 201, "{}", linked.text());
    People {
        other_cook: (other_cook.0, Client::sign_in(app, &other_cook.1).await),
        department: (department.0, Client::sign_in(app, &department.1).await),
        rig,
        other_site,
        admin,
        cook,
        viewer,
    }
}

async fn user_id(client: &Client<'_>) -> i64 {
    client.get("/api/v1/auth/me").await.json()["user_id"]
        .as_i64()
        .unwrap()
}

async fn send(client: &Client<'_>, path: &str, audience: Value, body: &str) -> Value {
    let sent = client
        .post(path, json!({ "audience": audience, "body": body }))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    sent.json()
}

async fn inbox_bodies(client: &Client<'_>) -> Vec<String> {
    let inbox = client.get("/api/v1/offshore/messages").await;
    assert_eq!(inbox.status, 200, "{}", inbox.text());
    let mut bodies: Vec<String> = inbox.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    bodies.sort();
    bodies
}

async fn recipient_ids(rig: &Rig<'_>, message: &Value) -> Vec<i64> {
    let receipts = rig
        .cook
        .get(&rig.path(&format!("messages/{}/receipts", message["id"])))
        .await;
    assert_eq!(receipts.status, 200, "{}", receipts.text());
    let mut ids: Vec<i64> = receipts.json()["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn each_audience_reaches_exactly_its_people_in_inbox_and_receipts_alike() {
    let app = TestApp::new().await;
    let p = people(&app, "Audiences").await;
    let rig = &p.rig;
    let path = rig.path("messages");
    let crew = rig.crew_user.0;
    let to_site = send(&rig.cook, &path, json!({ "kind": "site" }), "site").await;
    let to_viewers = send(
        &rig.admin,
        &path,
        json!({ "kind": "role", "role": "viewer" }),
        "viewers",
    )
    .await;
    let to_stewards = send(
        &rig.cook,
        &path,
        json!({ "kind": "position", "position": "steward" }),
        "stewards",
    )
    .await;
    let to_department = send(
        &rig.cook,
        &path,
        json!({ "kind": "person", "user_id": p.department.0 }),
        "department",
    )
    .await;
    let elsewhere = send(
        &p.other_cook.1,
        &format!("/api/v1/offshore/sites/{}/messages", p.other_site),
        json!({ "kind": "site" }),
        "elsewhere",
    )
    .await;

    // Everyone on the rig's site: its admin, cook and viewers (the crew member's account is
    // bound to it too); not the other site's cook, not department staff bound to no site.
    assert_eq!(
        recipient_ids(rig, &to_site).await,
        sorted(vec![p.admin, p.cook, p.viewer, crew])
    );
    assert_eq!(
        recipient_ids(rig, &to_viewers).await,
        sorted(vec![p.viewer, crew])
    );
    assert_eq!(recipient_ids(rig, &to_stewards).await, vec![crew]);
    assert_eq!(
        recipient_ids(rig, &to_department).await,
        vec![p.department.0]
    );
    assert_eq!(to_site["recipients"], 4);
    // The other site's message is not the rig's: its receipts are out of this path.
    assert_eq!(
        rig.cook
            .get(&rig.path(&format!("messages/{}/receipts", elsewhere["id"])))
            .await
            .status,
        404
    );

    // Each inbox holds exactly what its receipts say.
    let s = |v: &[&str]| v.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
    // The admin and cook are bound to the rig: the other site's message is not theirs.
    assert_eq!(inbox_bodies(&rig.admin).await, s(&["site"]));
    assert_eq!(inbox_bodies(&rig.cook).await, s(&["site"]));
    assert_eq!(inbox_bodies(&rig.viewer).await, s(&["site", "viewers"]));
    assert_eq!(
        inbox_bodies(&rig.crew_user.1).await,
        s(&["site", "stewards", "viewers"])
    );
    assert_eq!(inbox_bodies(&p.department.1).await, s(&["department"]));
    assert_eq!(inbox_bodies(&p.other_cook.1).await, s(&["elsewhere"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn reading_counts_once_and_the_unread_counts_follow() {
    let app = TestApp::new().await;
    let p = people(&app, "Receipts").await;
    let rig = &p.rig;
    let first = send(
        &rig.cook,
        &rig.path("messages"),
        json!({ "kind": "site" }),
        "one",
    )
    .await;
    let second = send(
        &rig.admin,
        &rig.path("messages"),
        json!({ "kind": "site" }),
        "two",
    )
    .await;
    // The author's own copy counts as read.
    assert_eq!(first["read"], 1);
    let unread = rig
        .viewer
        .get("/api/v1/offshore/messages/unread")
        .await
        .json();
    assert_eq!(unread["total"], 2, "{unread}");
    assert_eq!(
        unread["sites"],
        json!([{ "site_id": rig.site, "unread": 2 }])
    );
    let cook_unread = rig
        .cook
        .get("/api/v1/offshore/messages/unread")
        .await
        .json();
    assert_eq!(
        cook_unread["total"], 1,
        "the cook wrote the first: {cook_unread}"
    );

    let read = rig
        .viewer
        .post(
            &format!("/api/v1/offshore/messages/{}/read", first["id"]),
            json!({}),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text());
    let read_at = read.json()["read_at"].clone();
    assert!(read_at.is_string());
    let again = rig
        .viewer
        .post(
            &format!("/api/v1/offshore/messages/{}/read", first["id"]),
            json!({}),
        )
        .await;
    assert_eq!(again.json()["read_at"], read_at, "the first read counts");

    let unread = rig
        .viewer
        .get("/api/v1/offshore/messages/unread")
        .await
        .json();
    assert_eq!(unread["total"], 1);
    let only_unread = rig
        .viewer
        .get("/api/v1/offshore/messages?unread=true")
        .await
        .json();
    let items = only_unread["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], second["id"]);
    assert_eq!(only_unread["unread"], 1);

    let receipts = rig
        .cook
        .get(&rig.path(&format!("messages/{}/receipts", first["id"])))
        .await
        .json();
    assert_eq!(receipts["read"], 2, "the cook and the viewer: {receipts}");
    assert_eq!(receipts["unread"], 2);
    let viewer_row = receipts["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == p.viewer)
        .unwrap()
        .clone();
    assert_eq!(viewer_row["read_at"], read_at);
    let listed = rig.admin.get(&rig.path("messages")).await.json();
    assert_eq!(listed["items"][0]["id"], second["id"], "newest first");
    assert_eq!(listed["items"][1]["read"], 2);

    // A message that is not yours cannot be marked read.
    let not_yours = p
        .department
        .1
        .post(
            &format!("/api/v1/offshore/messages/{}/read", first["id"]),
            json!({}),
        )
        .await;
    assert_eq!(not_yours.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_messages_are_refused_by_field_and_store_nothing() {
    let app = TestApp::new().await;
    let p = people(&app, "Bad messages").await;
    let rig = &p.rig;
    let theirs = rig_of_other_tenant(&app).await;
    let cases = [
        (
            json!({ "audience": { "kind": "site" }, "body": "  " }),
            "body",
        ),
        (
            json!({ "audience": { "kind": "site" }, "body": "x".repeat(2001) }),
            "body",
        ),
        (
            json!({ "audience": { "kind": "role", "role": "superuser" }, "body": "hi" }),
            "audience.role",
        ),
        (
            json!({ "audience": { "kind": "person", "user_id": theirs }, "body": "hi" }),
            "audience.user_id",
        ),
    ];
    for (body, field) in cases {
        let refused = rig.cook.post(&rig.path("messages"), body.clone()).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text());
        assert_eq!(refused.json()["errors"][0]["field"], field, "{body}");
    }
    let unknown = rig
        .cook
        .post(
            &rig.path("messages"),
            json!({ "audience": { "kind": "crowd" }, "body": "hi" }),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text());
    let limit = rig.viewer.get("/api/v1/offshore/messages?limit=0").await;
    assert_eq!(limit.status, 422);
    assert_eq!(limit.json()["errors"][0]["field"], "limit");
    let listed = rig.admin.get(&rig.path("messages")).await.json();
    assert_eq!(listed["items"], json!([]), "nothing was stored");
    // Exactly 2000 characters, with a line break kept, is fine.
    let long = format!("{}\n{}", "a".repeat(1000), "b".repeat(999));
    let sent = send(
        &rig.cook,
        &rig.path("messages"),
        json!({ "kind": "site" }),
        &long,
    )
    .await;
    assert_eq!(sent["body"], long);
}

async fn rig_of_other_tenant(app: &TestApp) -> i64 {
    let theirs = rig(app, "Other tenant").await;
    theirs.crew_user.0
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_send_authors_or_admins_withdraw_and_other_tenants_see_nothing() {
    let app = TestApp::new().await;
    let p = people(&app, "Who sends").await;
    let rig = &p.rig;
    let refused = rig
        .viewer
        .post(
            &rig.path("messages"),
            json!({ "audience": { "kind": "site" }, "body": "hi" }),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(rig.viewer.get(&rig.path("messages")).await.status, 403);

    let by_admin = send(
        &rig.admin,
        &rig.path("messages"),
        json!({ "kind": "site" }),
        "a",
    )
    .await;
    let by_cook = send(
        &rig.cook,
        &rig.path("messages"),
        json!({ "kind": "site" }),
        "c",
    )
    .await;
    async fn withdraw(
        client: &Client<'_>,
        rig: &Rig<'_>,
        message: &Value,
    ) -> axum::http::StatusCode {
        let path = rig.path(&format!("messages/{}", message["id"]));
        client.delete(&path, None).await.status
    }
    assert_eq!(withdraw(&rig.cook, rig, &by_admin).await, 403);
    assert_eq!(withdraw(&rig.cook, rig, &by_cook).await, 204);
    assert_eq!(withdraw(&rig.admin, rig, &by_admin).await, 204);
    assert_eq!(withdraw(&rig.admin, rig, &by_admin).await, 404);
    assert!(inbox_bodies(&rig.viewer).await.is_empty());
    let audit = rig
        .admin
        .get("/api/v1/audit?action=offshore_message.withdrawn&per_page=100")
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 2, "{audit}");
    let sent_audit = rig
        .admin
        .get("/api/v1/audit?action=offshore_message.sent&per_page=100")
        .await
        .json();
    assert_eq!(
        sent_audit["items"].as_array().unwrap().len(),
        2,
        "{sent_audit}"
    );

    // Another tenant reaches none of it.
    let theirs = crate::offshore_rota::rig(&app, "Strangers").await;
    let mine = send(
        &rig.cook,
        &rig.path("messages"),
        json!({ "kind": "site" }),
        "ours",
    )
    .await;
    let id = &mine["id"];
    let read = theirs
        .admin
        .post(&format!("/api/v1/offshore/messages/{id}/read"), json!({}))
        .await;
    assert_eq!(read.status, 404);
    assert_eq!(theirs.admin.get(&rig.path("messages")).await.status, 404);
    assert!(inbox_bodies(&theirs.admin).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_messages_page_sends_reads_and_counts_in_the_navigation() {
    use crate::offshore_prep::form;
    let app = TestApp::new().await;
    let p = people(&app, "Message page").await;
    let rig = &p.rig;
    // Nothing unread: no count beside "Messages".
    let before = rig.viewer.get("/offshore/messages").await;
    assert_eq!(before.status, 200);
    assert!(!before.text().contains("nav-badge"), "{}", before.text());
    assert!(
        !before.text().contains("id=\"send-message\""),
        "viewers get no form"
    );

    // A viewer cannot send; a cook can, and what they typed is kept when it is refused.
    let refused = form(&rig.viewer, "/offshore/messages", "audience=site&body=Hei").await;
    assert_eq!(refused.status, 403);
    let empty = form(
        &rig.cook,
        "/offshore/messages",
        "audience=position%3Asteward&body=+",
    )
    .await;
    assert_eq!(empty.status, 422);
    let html = empty.text();
    assert!(html.contains("id=\"body-error\""), "{html}");
    assert!(
        html.contains("<option value=\"position:steward\" selected>"),
        "the chosen audience stays: {html}"
    );
    let unknown = form(&rig.cook, "/offshore/messages", "audience=crowd&body=Hei").await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.text().contains("id=\"audience-error\""));
    assert!(unknown.text().contains(">Hei</textarea>"), "the text stays");

    let sent = form(
        &rig.cook,
        "/offshore/messages",
        "audience=role%3Aviewer&body=Fiskesuppe+i+kveld",
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    assert!(sent.header("location").contains("done=sent"));

    // The viewer now sees one unread, in the navigation and on the page.
    let page = rig.viewer.get("/offshore/rota").await.text();
    assert!(
        page.contains("<span class=\"nav-badge\">1<span class=\"visually-hidden\">"),
        "{page}"
    );
    let inbox = rig.viewer.get("/offshore/messages").await.text();
    assert!(inbox.contains("Fiskesuppe i kveld"), "{inbox}");
    let id = rig.viewer.get("/api/v1/offshore/messages").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let read = form(
        &rig.viewer,
        &format!("/offshore/messages/{id}/read"),
        "site=",
    )
    .await;
    assert_eq!(read.status, 303, "{}", read.text());
    let after = rig.viewer.get("/offshore/messages").await.text();
    assert!(!after.contains("nav-badge"), "{after}");
    assert!(!after.contains(&format!("/offshore/messages/{id}/read")));
    // The cook's list shows who has read it.
    let cook = rig.cook.get("/offshore/messages").await.text();
    assert!(cook.contains("1 of 2") || cook.contains("1 av 2"), "{cook}");
    // Someone the message is not for cannot mark it.
    let stranger = form(
        &p.department.1,
        &format!("/offshore/messages/{id}/read"),
        "site=",
    )
    .await;
    assert_eq!(stranger.status, 404);
}

mod in_a_browser {
    use super::*;
    use crate::browser::{Browser, within_time_limit};

    #[tokio::test(flavor = "multi_thread")]
    async fn a_cook_writes_to_the_stewards_and_the_steward_reads_it_on_a_phone() {
        const TEST: &str = "offshore-messages";
        let app = TestApp::new().await;
        let p = people(&app, "Snorre B").await;
        let rig = &p.rig;
        let site_path = format!("/api/v1/sites/{}", rig.site);
        let site = rig.admin.get(&site_path).await;
        rig.admin
            .patch(
                &site_path,
                Some(site.header("etag")),
                json!({ "language": "nb" }),
            )
            .await;
        send(
            &rig.admin,
            &rig.path("messages"),
            json!({ "kind": "site" }),
            "Helikopteret er forsinket til i morgen. Middag som vanlig kl. 17.",
        )
        .await;

        within_time_limit(TEST, async {
            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in("cook-1-snorre-b@example.no").await;
            desktop.goto("/offshore/messages").await;
            assert_eq!(desktop.text("main h1").await, "Meldinger");
            desktop
                .fill("#body", "Husk å tine laks til fredag.\nTakk!")
                .await;
            desktop.submit("#send-message").await;
            desktop.wait_for_url("done=sent").await;
            desktop.fill("#body", "Vask kjølerom 2 i kveld.").await;
            desktop.submit("#send-message").await;
            desktop.wait_for_url("done=sent").await;
            assert!(desktop.text("#sent").await.contains("Lest av 1 av 4"));
            desktop.screenshot("messages-desktop").await;

            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in("viewer-3-snorre-b@example.no").await;
            phone.goto("/offshore/messages").await;
            assert_eq!(phone.text("#unread-summary").await, "3 uleste");
            phone.assert_fits_width().await;
            phone.screenshot("messages-phone").await;
            phone.submit("#inbox li.unread button").await;
            phone.wait_for_url("done=read").await;
            assert_eq!(phone.text("#unread-summary").await, "2 uleste");
        })
        .await;
    }
}
