//! The offshore rota over the API: settings, patterns, crew, a generated schedule previewed,
//! applied, published and read back with its cover and working-time breaches, single shifts
//! edited and swapped, and a linked person's own shifts.

use axum::http::Method;
use galley_core::auth::{Role, password};
use galley_core::people::{sites, tenants, users};
use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::TestApp;

pub struct Rig<'a> {
    pub site: i64,
    pub admin: Client<'a>,
    pub cook: Client<'a>,
    pub viewer: Client<'a>,
    /// A user to link to crew (role viewer).
    pub crew_user: (i64, Client<'a>),
}

impl Rig<'_> {
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/offshore/sites/{}/{rest}", self.site)
    }
}

/// A rig galley in Europe/Oslo with an admin, a cook, a viewer and a crew member's account.
pub async fn rig<'a>(app: &'a TestApp, name: &str) -> Rig<'a> {
    let hash = password::hash(crate::auth::PASSWORD.into()).await.unwrap();
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let tenant = tenants::insert(conn, name, "offshore").await.unwrap();
    let site = sites::insert(conn, tenant, &format!("{name} bysse"), "Europe/Oslo")
        .await
        .unwrap();
    let slug = name.to_lowercase().replace(' ', "-");
    let mut people = Vec::new();
    for (i, role) in [Role::Admin, Role::Cook, Role::Viewer, Role::Viewer]
        .into_iter()
        .enumerate()
    {
        let email = format!("{}-{i}-{slug}@example.no", role.as_str());
        let id = users::insert(
            conn,
            &users::NewUser {
                tenant_id: Some(tenant),
                site_id: Some(site),
                email: &email,
                display_name: role.as_str(),
                role,
                password_hash: &hash,
            },
        )
        .await
        .unwrap();
        people.push((id, email));
    }
    drop(pooled);
    Rig {
        site,
        admin: Client::sign_in(app, &people[0].1).await,
        cook: Client::sign_in(app, &people[1].1).await,
        viewer: Client::sign_in(app, &people[2].1).await,
        crew_user: (people[3].0, Client::sign_in(app, &people[3].1).await),
    }
}

async fn put(
    client: &Client<'_>,
    path: &str,
    etag: &str,
    body: Value,
) -> crate::harness::TestResponse {
    client.send(Method::PUT, path, Some(etag), Some(body)).await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_start_at_norways_rules_and_refuse_bad_values() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Settings rig").await;
    let read = rig.viewer.get(&rig.path("rota-settings")).await;
    assert_eq!(read.status, 200, "{}", read.text());
    let body = read.json();
    assert_eq!(body["version"], 0);
    assert_eq!(body["day_start"], "07:00");
    assert_eq!(body["night_end"], "07:00");
    assert_eq!(body["rules"]["max_period_days"], 14);
    assert_eq!(body["rules"]["max_extended_period_days"], 21);
    assert_eq!(body["rules"]["max_shift_minutes"], 720);

    let bad = json!({
        "day_start": "7:00", "day_end": "19:00", "night_start": "19:00", "night_end": "07:00",
        "cover": [
            { "position": "cook", "kind": "swing", "count": 1 },
            { "position": "cook", "kind": "day", "count": 1 },
            { "position": "cook", "kind": "day", "count": 2 }
        ],
        "rules": { "max_period_days": 14, "max_extended_period_days": 10,
                   "max_shift_minutes": 720, "min_rest_days": 21 }
    });
    let refused = put(
        &rig.admin,
        &rig.path("rota-settings"),
        read.header("etag"),
        bad,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(
        fields(&refused.json()),
        [
            "day_start",
            "cover[0].kind",
            "cover[2]",
            "rules.max_extended_period_days"
        ]
    );
    // A cook may read but not change the settings.
    let good = json!({
        "day_start": "07:00", "day_end": "19:00", "night_start": "19:00", "night_end": "07:00",
        "cover": [
            { "position": "cook", "kind": "day", "count": 1 },
            { "position": "cook", "kind": "night", "count": 1 }
        ],
        "rules": { "max_period_days": 14, "max_extended_period_days": 21,
                   "max_shift_minutes": 720, "min_rest_days": 21 }
    });
    let forbidden = put(
        &rig.cook,
        &rig.path("rota-settings"),
        read.header("etag"),
        good.clone(),
    )
    .await;
    assert_eq!(forbidden.status, 403);
    let saved = put(
        &rig.admin,
        &rig.path("rota-settings"),
        read.header("etag"),
        good.clone(),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json()["version"], 1);
    // The old ETag is stale now.
    let stale = put(
        &rig.admin,
        &rig.path("rota-settings"),
        read.header("etag"),
        good,
    )
    .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.header("etag"), saved.header("etag"));
}

/// Three cooks on 2-4, 14 days apart, cover one cook at a time; with a day and a night cook
/// required, every day has a gap. A fourth person on 3-3 breaks the 14-day rule.
#[tokio::test(flavor = "multi_thread")]
async fn a_generated_schedule_is_previewed_applied_published_and_checked() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Schedule rig").await;
    let settings = rig.admin.get(&rig.path("rota-settings")).await;
    let cover = json!({
        "day_start": "07:00", "day_end": "19:00", "night_start": "19:00", "night_end": "07:00",
        "cover": [
            { "position": "cook", "kind": "day", "count": 1 },
            { "position": "cook", "kind": "night", "count": 1 }
        ],
        "rules": { "max_period_days": 14, "max_extended_period_days": 21,
                   "max_shift_minutes": 720, "min_rest_days": 21 }
    });
    assert_eq!(
        put(
            &rig.admin,
            &rig.path("rota-settings"),
            settings.header("etag"),
            cover
        )
        .await
        .status,
        200
    );

    let two_four = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": "2-4", "template": "2-4", "anchor_date": "2026-01-05" }),
        )
        .await;
    assert_eq!(two_four.status, 201, "{}", two_four.text());
    assert_eq!(two_four.json()["cycle_days"], 42);
    let two_four = two_four.json()["id"].as_i64().unwrap();
    let three_three = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": "3-3", "template": "3-3", "anchor_date": "2026-03-02" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let duplicate = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": " 2-4 ", "template": "2-4", "anchor_date": "2026-01-05" }),
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert_eq!(fields(&duplicate.json()), ["name"]);

    let mut cooks = Vec::new();
    for (i, name) in ["Kari", "Ola", "Nils"].into_iter().enumerate() {
        let made = rig
            .admin
            .post(
                &rig.path("crew"),
                json!({ "name": name, "position": "cook", "pattern_id": two_four,
                        "start_offset_days": 14 * i }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
        cooks.push(made.json()["id"].as_i64().unwrap());
    }
    let steward = rig
        .admin
        .post(
            &rig.path("crew"),
            json!({ "name": "Per", "position": "steward", "pattern_id": three_three,
                    "user_id": rig.crew_user.0 }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let idle = rig
        .admin
        .post(
            &rig.path("crew"),
            json!({ "name": "Liv", "position": "steward" }),
        )
        .await;
    assert_eq!(idle.status, 201);

    let range = json!({ "from": "2026-03-02", "to": "2026-03-15" });
    let preview = rig
        .admin
        .post(&rig.path("schedule/preview"), range.clone())
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    let plan = preview.json();
    // Ola (offset 14) starts his cycle on 19 January; 2 March is his day 42 = day 0: nights
    // 2-8 March, swing 9 March, days 10-15 March. Kari and Nils are at home. Per is on board
    // 2-15 March (the first 14 of his 21 days).
    let shifts = plan["shifts"].as_array().unwrap();
    let ola: Vec<&Value> = shifts.iter().filter(|s| s["crew_id"] == cooks[1]).collect();
    assert_eq!(ola.len(), 14);
    assert_eq!(ola[0]["kind"], "night");
    assert_eq!(ola[0]["start"], "19:00");
    assert_eq!(ola[0]["starts_at"], "2026-03-02T18:00:00Z");
    assert_eq!(ola[7]["kind"], "swing");
    assert_eq!(ola[8]["kind"], "day");
    assert!(
        shifts
            .iter()
            .all(|s| s["crew_id"] != cooks[0] && s["crew_id"] != cooks[2])
    );
    assert_eq!(
        shifts.iter().filter(|s| s["crew_id"] == steward).count(),
        14
    );
    assert_eq!(plan["days_with_gaps"], 14);
    assert_eq!(plan["unscheduled"][0]["name"], "Liv");
    assert_eq!(plan["replaces"]["shifts"], 0);
    // Per's 21-day period (2-22 March) is over the 14-day limit.
    let breaches = plan["breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 1, "{breaches:?}");
    assert_eq!(breaches[0]["crew_name"], "Per");
    assert_eq!(breaches[0]["breach"]["rule"], "period_too_long");
    assert_eq!(breaches[0]["breach"]["first"], "2026-03-02");
    assert_eq!(breaches[0]["breach"]["last"], "2026-03-22");
    // The preview stored nothing.
    let empty = rig
        .viewer
        .get(&rig.path("schedule?from=2026-03-02&to=2026-03-15"))
        .await;
    assert_eq!(empty.json()["shifts"].as_array().unwrap().len(), 0);

    // Apply needs the preview's basis.
    let unconditional = rig
        .admin
        .post(&rig.path("schedule/apply"), range.clone())
        .await;
    assert_eq!(unconditional.status, 428);
    let basis = plan["basis"].as_str().unwrap();
    let applied = rig
        .admin
        .send(
            Method::POST,
            &rig.path("schedule/apply"),
            Some(basis),
            Some(range.clone()),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert_eq!(applied.json()["shifts"].as_array().unwrap().len(), 28);
    // Marking Per's period as an exception clears the breach.
    let marked = rig
        .admin
        .post(
            &rig.path("period-exceptions"),
            json!({ "crew_id": steward, "first_date": "2026-03-02", "reason": "Crew change delayed by weather" }),
        )
        .await;
    assert_eq!(marked.status, 201, "{}", marked.text());
    let again = rig
        .admin
        .post(
            &rig.path("period-exceptions"),
            json!({ "crew_id": steward, "first_date": "2026-03-02", "reason": "twice" }),
        )
        .await;
    assert_eq!(again.status, 409);
    let stored = rig
        .viewer
        .get(&rig.path("schedule?from=2026-03-02&to=2026-03-15"))
        .await;
    assert_eq!(stored.status, 200);
    assert_eq!(stored.json()["breaches"].as_array().unwrap().len(), 0);

    // The linked steward sees nothing until it is published.
    let mine = "/api/v1/offshore/me/shifts?from=2026-03-01&to=2026-03-31";
    let before = rig.crew_user.1.get(mine).await;
    assert_eq!(before.status, 200, "{}", before.text());
    assert_eq!(before.json()["shifts"].as_array().unwrap().len(), 0);
    let published = rig
        .admin
        .post(&rig.path("schedule/publish"), range.clone())
        .await;
    assert_eq!(published.json()["published"], 28);
    let after = rig.crew_user.1.get(mine).await.json();
    assert_eq!(after["name"], "Per");
    assert_eq!(after["shifts"].as_array().unwrap().len(), 14);
    // An account linked to no crew gets 404.
    assert_eq!(rig.viewer.get(mine).await.status, 404);

    // A generation over published shifts is previewed as replacing them; the old basis is
    // stale once anything in the range changed.
    let second = rig
        .admin
        .post(&rig.path("schedule/preview"), range.clone())
        .await
        .json();
    assert_eq!(second["replaces"]["shifts"], 28);
    assert_eq!(second["replaces"]["published"], 28);
    let stale = rig
        .admin
        .send(
            Method::POST,
            &rig.path("schedule/apply"),
            Some(basis),
            Some(range),
        )
        .await;
    assert_eq!(stale.status, 412);
}

#[tokio::test(flavor = "multi_thread")]
async fn single_shifts_are_edited_and_swapped_with_their_etags() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Edit rig").await;
    let pattern = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": "Days", "template": "14/21", "anchor_date": "2026-10-19" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut people = Vec::new();
    for (name, offset) in [("Anne", 0), ("Bjørn", 7)] {
        people.push(
            rig.admin
                .post(&rig.path("crew"), json!({ "name": name, "position": "cook", "pattern_id": pattern, "start_offset_days": offset }))
                .await
                .json()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let range = json!({ "from": "2026-10-26", "to": "2026-11-01" });
    let applied = rig
        .admin
        .send(
            Method::POST,
            &rig.path("schedule/apply"),
            Some("*"),
            Some(range),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text());
    let shifts = applied.json()["shifts"].as_array().unwrap().clone();
    // Both are on day shifts all week (Anne on her days 7-13, Bjørn on his days 0-6).
    assert_eq!(shifts.len(), 14);
    let anne = shifts.iter().find(|s| s["crew_id"] == people[0]).unwrap();
    let bjorn = shifts
        .iter()
        .find(|s| s["crew_id"] == people[1] && s["date"] == anne["date"])
        .unwrap();

    // A cook moves Anne's first shift to 06:00-18:00 (winter time, UTC+1).
    let path = rig.path(&format!("shifts/{}", anne["id"]));
    let edited = rig
        .cook
        .patch(
            &path,
            Some(anne["etag"].as_str().unwrap()),
            json!({ "start": "06:00", "end": "18:00" }),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(edited.json()["starts_at"], "2026-10-26T05:00:00Z");
    assert_eq!(edited.json()["ends_at"], "2026-10-26T17:00:00Z");
    let stale = rig
        .cook
        .patch(
            &path,
            Some(anne["etag"].as_str().unwrap()),
            json!({ "kind": "night" }),
        )
        .await;
    assert_eq!(stale.status, 412);
    let bad = rig
        .cook
        .patch(
            &path,
            Some(edited.header("etag")),
            json!({ "kind": "swing", "start": "06:00", "end": "25:00" }),
        )
        .await;
    assert_eq!(bad.status, 422);
    // The end is not a time, and a swing day has no hours.
    assert_eq!(fields(&bad.json()), ["end", "start"]);
    assert_eq!(
        rig.viewer
            .patch(&path, Some(edited.header("etag")), json!({}))
            .await
            .status,
        403
    );

    // Two shifts of one day swapped: the same date twice for one person would be a double
    // booking, so swap Anne's day with Bjørn's day of the same date (people exchanged).
    let swapped = rig
        .cook
        .post(
            &rig.path("shifts/swap"),
            json!({ "first": anne["id"], "first_etag": edited.header("etag"),
                    "second": bjorn["id"], "second_etag": bjorn["etag"] }),
        )
        .await;
    assert_eq!(swapped.status, 200, "{}", swapped.text());
    assert_eq!(swapped.json()["first"]["crew_id"], people[1]);
    assert_eq!(swapped.json()["second"]["crew_id"], people[0]);
    // A swap with a stale ETag changes neither shift.
    let stale_swap = rig
        .cook
        .post(
            &rig.path("shifts/swap"),
            json!({ "first": anne["id"], "first_etag": swapped.json()["first"]["etag"],
                    "second": bjorn["id"], "second_etag": bjorn["etag"] }),
        )
        .await;
    assert_eq!(stale_swap.status, 412);
    let week = rig
        .viewer
        .get(&rig.path("schedule?from=2026-10-26&to=2026-11-01"))
        .await
        .json();
    let first = week["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == anne["id"])
        .unwrap()
        .clone();
    assert_eq!(first["crew_id"], people[1]);
    assert_eq!(week["double_bookings"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_rota_is_not_found_and_bad_input_is_named() {
    let app = TestApp::new().await;
    let ours = rig(&app, "Our rig").await;
    let theirs = rig(&app, "Their rig").await;
    assert_eq!(ours.admin.get(&theirs.path("crew")).await.status, 404);
    assert_eq!(
        ours.admin
            .post(
                &theirs.path("schedule/preview"),
                json!({ "from": "2026-01-01", "to": "2026-01-31" })
            )
            .await
            .status,
        404
    );
    let their_pattern = theirs
        .admin
        .post(
            &theirs.path("patterns"),
            json!({ "name": "2-3", "template": "2-3", "anchor_date": "2026-01-05" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // Another site's pattern and another tenant's user cannot be linked.
    let refused = ours
        .admin
        .post(
            &ours.path("crew"),
            json!({ "name": "", "position": "cook", "pattern_id": their_pattern,
                    "user_id": theirs.crew_user.0, "start_offset_days": 400 }),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        fields(&refused.json()),
        ["name", "start_offset_days", "pattern_id", "user_id"]
    );
    let backwards = ours
        .admin
        .post(
            &ours.path("schedule/preview"),
            json!({ "from": "2026-02-01", "to": "2026-01-01" }),
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert_eq!(fields(&backwards.json()), ["to"]);
    let too_long = ours
        .admin
        .post(
            &ours.path("schedule/preview"),
            json!({ "from": "2026-01-01", "to": "2027-06-01" }),
        )
        .await;
    assert_eq!(too_long.status, 422);
    let segments = ours
        .admin
        .post(
            &ours.path("patterns"),
            json!({ "name": "Broken", "segments": [{ "kind": "day", "days": 14 }, { "kind": "off", "days": 0 }], "anchor_date": "2026-01-05" }),
        )
        .await;
    assert_eq!(segments.status, 422);
    assert_eq!(fields(&segments.json()), ["segments[1].days"]);
    // A pattern someone follows cannot be removed.
    let pattern = ours
        .admin
        .post(
            &ours.path("patterns"),
            json!({ "name": "2-4", "template": "2-4", "anchor_date": "2026-01-05" }),
        )
        .await;
    let id = pattern.json()["id"].as_i64().unwrap();
    ours.admin
        .post(
            &ours.path("crew"),
            json!({ "name": "Kari", "position": "cook", "pattern_id": id }),
        )
        .await;
    let removal = ours
        .admin
        .delete(
            &ours.path(&format!("patterns/{id}")),
            Some(pattern.header("etag")),
        )
        .await;
    assert_eq!(removal.status, 409);
}

mod in_a_browser {
    use super::*;
    use crate::browser::{Browser, within_time_limit};

    /// The rig's e-mail of the `index`-th person it made (admin 0, cook 1, viewer 2, crew 3).
    fn email(role: &str, index: usize, name: &str) -> String {
        format!(
            "{role}-{index}-{}@example.no",
            name.to_lowercase().replace(' ', "-")
        )
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_admin_generates_and_publishes_a_month_and_a_steward_reads_it_on_a_phone() {
        const TEST: &str = "offshore-rota";
        const NAME: &str = "Troll A";
        let app = TestApp::new().await;
        let rig = rig(&app, NAME).await;
        // The galley speaks Norwegian: the site's language.
        let site_path = format!("/api/v1/sites/{}", rig.site);
        let site = rig.admin.get(&site_path).await;
        rig.admin
            .patch(
                &site_path,
                Some(site.header("etag")),
                json!({ "language": "nb" }),
            )
            .await;
        let settings = rig.admin.get(&rig.path("rota-settings")).await;
        let cover = json!({
            "day_start": "07:00", "day_end": "19:00", "night_start": "19:00", "night_end": "07:00",
            "cover": [
                { "position": "cook", "kind": "day", "count": 1 },
                { "position": "cook", "kind": "night", "count": 1 }
            ],
            "rules": { "max_period_days": 14, "max_extended_period_days": 21,
                       "max_shift_minutes": 720, "min_rest_days": 21 }
        });
        put(
            &rig.admin,
            &rig.path("rota-settings"),
            settings.header("etag"),
            cover,
        )
        .await;
        let pattern = |name: &str, template: &str, anchor: &str| json!({ "name": name, "template": template, "anchor_date": anchor });
        let two_four = rig
            .admin
            .post(&rig.path("patterns"), pattern("2-4", "2-4", "2026-01-05"))
            .await
            .json()["id"]
            .clone();
        let three_three = rig
            .admin
            .post(&rig.path("patterns"), pattern("3-3", "3-3", "2026-03-02"))
            .await
            .json()["id"]
            .clone();
        // Six cooks on 2-4: two crews a day and two a night, 7 days apart.
        for (i, name) in ["Kari", "Ola", "Nils", "Ingrid", "Sverre", "Marit"]
            .into_iter()
            .enumerate()
        {
            let offset = 14 * (i % 3) + 7 * (i / 3);
            rig.admin
                .post(
                    &rig.path("crew"),
                    json!({ "name": name, "position": "cook", "pattern_id": two_four, "start_offset_days": offset }),
                )
                .await;
        }
        rig.admin
            .post(
                &rig.path("crew"),
                json!({ "name": "Per", "position": "steward", "pattern_id": three_three, "user_id": rig.crew_user.0 }),
            )
            .await;

        within_time_limit(TEST, async {
            let desktop = Browser::desktop(&app, TEST).await;
            desktop.sign_in(&email("admin", 0, NAME)).await;
            desktop.goto("/offshore/rota?month=2026-03").await;
            assert_eq!(desktop.text("main h1").await, "Turnus mars 2026");
            assert_eq!(desktop.find_all("#rota-grid tbody tr").await.len(), 7);
            desktop.click("#generate").await;
            desktop.wait_for_path("/offshore/rota/preview").await;
            assert!(
                desktop
                    .text("main h1")
                    .await
                    .starts_with("Forhåndsvisning av turnus")
            );
            // Per's 21-day period is named with the rule it breaks.
            let checks = desktop.text("#breaches").await;
            assert!(
                checks.contains(
                    "Per: oppholdsperioden 2. mars – 22. mars er 21 dager; grensen er 14."
                ),
                "{checks}"
            );
            desktop.screenshot("preview-desktop").await;
            desktop
                .submit("form[action='/offshore/rota/apply'] button")
                .await;
            desktop.wait_for_url("saved=applied").await;
            desktop.find("#publish").await;
            desktop.screenshot("month-desktop").await;
            desktop.submit("#publish").await;
            desktop.wait_for_url("saved=published").await;
            assert_eq!(desktop.find_all("td.shift.draft").await.len(), 0);
            assert!(desktop.find_all("td.shift.night").await.len() >= 31);
            desktop.goto("/offshore/crew").await;
            assert_eq!(desktop.find_all("#crew tbody tr").await.len(), 7);
            desktop.screenshot("crew-desktop").await;

            let phone = Browser::phone(&app, TEST).await;
            phone.sign_in(&email("viewer", 3, NAME)).await;
            phone.goto("/offshore/me?month=2026-03").await;
            assert_eq!(phone.text("main h1").await, "Mine skift mars 2026");
            // 2-22 March on board: 7 nights, a swing day and 13 days.
            assert_eq!(phone.find_all("#my-shifts li").await.len(), 21);
            assert!(
                phone
                    .text("#my-shifts li:first-child")
                    .await
                    .contains("19:00–07:00")
            );
            phone.assert_fits_width().await;
            phone.screenshot("mine-phone").await;
            let tablet = Browser::phone(&app, TEST).await;
            tablet.sign_in(&email("cook", 1, NAME)).await;
            tablet.goto("/offshore/rota?month=2026-03").await;
            tablet.screenshot("rota-phone").await;
            let reports: Vec<String> = [&desktop, &phone, &tablet]
                .iter()
                .flat_map(|b| b.csp_reports())
                .collect();
            assert!(reports.is_empty(), "{reports:?}");
        })
        .await;
    }
}

/// The demo data shows a rig galley with every rota page filled, in Norwegian.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_rig_has_a_published_rota_and_a_linked_galley_cook() {
    let app = TestApp::new().await;
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        galley_core::people::accounts::ensure_demo(&mut pooled.conn(), app.app.state.registry)
            .await
            .unwrap();
    }
    let cook = Client::sign_in_with(
        &app,
        "kokk@demo.galley.test",
        galley_core::people::accounts::DEMO_PASSWORD,
    )
    .await;
    let me = cook.get("/api/v1/auth/me").await.json();
    assert_eq!(me["language"], "nb");
    // Signing in answers the same: the site's language, since Kari chose none.
    let signed_in = crate::auth::login_response(
        &app,
        "kokk@demo.galley.test",
        galley_core::people::accounts::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(signed_in.json()["language"], "nb");
    assert_eq!(signed_in.json()["user_id"], me["user_id"]);
    let today = chrono::Utc::now().date_naive();
    let month = today.format("%Y-%m").to_string();
    let mine = cook.get(&format!("/offshore/me?month={month}")).await;
    assert_eq!(mine.status, 200);
    let html = mine.text();
    assert!(html.contains("Kari Nordmann"), "{html}");
    // Kari is on a 2-4 rotation: 14 of every 42 days on board, so any month holds some.
    assert!(html.contains("class=\"my-shift"), "{html}");
    let rota = cook
        .get(&format!("/offshore/rota?month={month}"))
        .await
        .text();
    assert!(rota.contains("<html lang=\"nb\">"));
    assert_eq!(
        rota.matches("<th scope=\"row\" class=\"person\">").count(),
        9 + 1
    );
    let site = me["site_id"].as_i64().unwrap();
    let week = cook
        .get(&format!(
            "/api/v1/offshore/sites/{site}/waste?from={}&to={}",
            today - chrono::Duration::days(60),
            today
        ))
        .await;
    assert_eq!(week.status, 200, "{}", week.text());
    // Sixty days of dinners back from yesterday, and three weeks of lunches and night meals.
    let rows = week.json();
    let rows = rows.as_array().unwrap();
    let dinners = rows.iter().filter(|r| r["meal"] == "dinner").count();
    assert_eq!((dinners, rows.len()), (60, 60 + 2 * 21));
}

/// Admins add people and patterns on the crew page; a mistake is named next to its field.
#[tokio::test(flavor = "multi_thread")]
async fn the_crew_page_adds_patterns_and_people_and_names_mistakes() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Page rig").await;
    let form = |client: &Client<'_>, path: &str, body: String| {
        let headers = [
            ("cookie", client.cookie.clone()),
            (
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
        ];
        let app = &app;
        let path = path.to_owned();
        let body = format!("csrf_token={}&site={}&{body}", client.csrf, rig.site);
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.request(Method::POST, &path, &headers, body).await
        }
    };
    let empty = rig.admin.get("/offshore/crew?lang=en").await.text();
    assert!(empty.contains("Nobody in the crew yet"), "{empty}");
    let pattern = form(
        &rig.admin,
        "/offshore/crew/patterns",
        "name=2-4&template=2-4&anchor_date=2026-01-05".into(),
    )
    .await;
    assert_eq!(pattern.status, 303, "{}", pattern.text());
    let id = rig.admin.get(&rig.path("patterns")).await.json()[0]["id"]
        .as_i64()
        .unwrap();
    let bad = form(
        &rig.admin,
        "/offshore/crew",
        format!("name=Kari&position=cook&pattern_id={id}&start_offset_days=400"),
    )
    .await;
    assert_eq!(bad.status, 200);
    let html = bad.text();
    assert!(
        html.contains("Ange ett heltal dagar från 0 till 365."),
        "{html}"
    );
    assert!(html.contains(r#"value="Kari""#), "what was typed is kept");
    let good = form(
        &rig.admin,
        "/offshore/crew",
        format!("name=Kari&position=cook&pattern_id={id}&start_offset_days=14"),
    )
    .await;
    assert_eq!(good.status, 303, "{}", good.text());
    let crew = rig.admin.get(&rig.path("crew")).await.json();
    assert_eq!(crew[0]["name"], "Kari");
    assert_eq!(crew[0]["start_offset_days"], 14);
    let listed = rig.viewer.get("/offshore/crew?lang=en").await.text();
    assert!(listed.contains("<th scope=\"row\">Kari</th>"), "{listed}");
    assert!(
        !listed.contains("id=\"add-person\""),
        "a viewer gets no form"
    );
    // A cook may read but not add.
    assert_eq!(
        form(&rig.cook, "/offshore/crew", "name=Ola&position=cook".into())
            .await
            .status,
        403
    );
}
