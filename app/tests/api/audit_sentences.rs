//! The audit viewer for people (issue 11 item 12): every action written anywhere has a
//! sentence in sv, nb and en; rows show names, not ids, in a sentence; reads are hidden
//! until asked for.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use galley_core::audit::{self, Actor, Entry};
use galley_core::auth::Role;
use galley_core::web::lang::Lang;
use serde_json::json;

use crate::auth::seed_user;
use crate::browser::{Browser, within_time_limit};
use crate::client::Client;
use crate::harness::TestApp;

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// `"word.word"` literals on a line.
fn action_literals(line: &str) -> Vec<String> {
    line.split('"')
        .skip(1)
        .step_by(2)
        .filter(|text| {
            let mut parts = text.split('.');
            let ok = |p: Option<&str>| {
                p.is_some_and(|p| {
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                })
            };
            ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
        })
        .map(str::to_owned)
        .collect()
}

/// Every action the code writes: the literal in `Entry::new("...")` (or on the next line),
/// and for `Entry::new(action, ...)` the literals of the `let action` that chose it.
fn actions_written() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["core/src", "modules/municipal/src", "modules/offshore/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut actions = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(at) = line.find("Entry::new(") else {
                continue;
            };
            let rest = line[at + "Entry::new(".len()..].trim_start();
            let window: Vec<&str> = if rest.starts_with('"') || rest.is_empty() {
                lines[i..(i + 2).min(lines.len())].to_vec()
            } else if rest.starts_with("action") {
                let start = (0..i)
                    .rev()
                    .find(|j| lines[*j].contains("let action") || lines[*j].contains("let (action"))
                    .unwrap_or_else(|| {
                        panic!("{}: no `let action` before line {i}", file.display())
                    });
                lines[start..i].to_vec()
            } else {
                // `Entry::new(action: &str, ...)`, the constructor itself.
                continue;
            };
            for line in window {
                actions.extend(action_literals(line));
            }
        }
    }
    actions.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_action_written_anywhere_has_a_sentence_in_every_language() {
    let app = TestApp::new().await;
    let i18n = &app.app.state.i18n;
    let actions = actions_written();
    assert!(actions.len() > 80, "the scan found too few: {actions:?}");
    for expected in [
        "choice.changed",
        "user.role_changed",
        "offshore_waste.imported",
        "module.switched",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} not found by the scan"
        );
    }
    let mut missing = Vec::new();
    for action in &actions {
        let key = format!("audit_sentence.{action}");
        for lang in Lang::ALL {
            let text = i18n.text(lang, &key);
            if text == key {
                missing.push(format!("{}: {key}", lang.code()));
            }
        }
    }
    let gaps: Vec<String> = i18n
        .gaps()
        .into_iter()
        .filter(|gap| gap.contains("audit_sentence.") || gap.contains("audit_view."))
        .collect();
    assert!(
        missing.is_empty() && gaps.is_empty(),
        "no sentence: {missing:?} {gaps:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_are_sentences_with_names_and_reads_wait_to_be_asked_for() {
    let app = TestApp::new().await;
    let (tenant, admin_id, email) = seed_user(&app, Role::Admin).await;
    let admin = Client::sign_in(&app, &email).await;
    let site = admin
        .post(
            "/api/v1/sites",
            json!({ "name": "Norrköket", "timezone": "Europe/Stockholm" }),
        )
        .await;
    assert_eq!(site.status, StatusCode::CREATED, "{}", site.text());
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let actor = Actor {
            user_id: Some(admin_id),
            ..Actor::default()
        };
        audit::record(
            conn,
            Entry::new("choice.changed", actor, Some(tenant))
                .target("department", 424_242)
                .details(json!({
                    "year": 2026, "week": 49, "day": 2, "date": "2026-12-01",
                    "meal": "lunch", "from": "alt1", "to": "alt2",
                })),
        )
        .await
        .unwrap();
        audit::record(
            conn,
            Entry::new("diet_defaults.read", actor, Some(tenant)).target("department", 424_242),
        )
        .await
        .unwrap();
    }

    let page = admin
        .get_with("/admin/audit", &[("accept-language", "en")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Test added the kitchen Norrköket."), "{html}");
    assert!(
        html.contains("Test chose Alt 2 for department\u{a0}424242 on Tuesday, week 49."),
        "{html}"
    );
    assert!(
        !html.contains("kitchen\u{a0}"),
        "sites show their names: {html}"
    );
    assert!(
        html.contains("Times are in Europe/Stockholm, your kitchen&#39;s time zone."),
        "{html}"
    );
    assert!(
        !html.contains("looked at the special diets"),
        "reads hidden: {html}"
    );
    assert!(html.contains("Views and exports are hidden."), "{html}");
    // The raw record under a sentence is labelled as such, not shown as if it were prose.
    assert!(html.contains("As recorded: "), "{html}");
    assert!(html.contains(r#"href="/admin/audit?all=1""#), "{html}");

    let everything = admin
        .get_with("/admin/audit?all=1", &[("accept-language", "sv")])
        .await
        .text();
    // The read is left out by the query: the totals differ by exactly it.
    assert_eq!(
        total_of(&html, " of ") + 1,
        total_of(&everything, " av "),
        "{html}"
    );
    // The API leaves reads out the same way when asked, and names a bad value.
    let all = admin.get("/api/v1/audit?per_page=100").await.json();
    let changes = admin
        .get("/api/v1/audit?per_page=100&reads=false")
        .await
        .json();
    assert_eq!(
        changes["total"].as_i64().unwrap() + 1,
        all["total"].as_i64().unwrap()
    );
    let actions = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(actions(&all).contains(&"diet_defaults.read".to_owned()));
    assert!(!actions(&changes).contains(&"diet_defaults.read".to_owned()));
    let refused = admin.get("/api/v1/audit?reads=maybe").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("\"reads\""), "{}", refused.text());
    assert!(
        everything.contains("Test tittade på specialkosterna för avdelning\u{a0}424242."),
        "{everything}"
    );
    assert!(
        everything.contains("Test lade till köket Norrköket."),
        "{everything}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_viewer_in_a_browser_at_phone_and_desktop_width() {
    within_time_limit("the_audit_viewer_in_a_browser", async {
        let app = TestApp::new().await;
        let (_, _, email) = seed_user(&app, Role::Admin).await;
        let admin = Client::sign_in(&app, &email).await;
        for name in ["Norrköket", "Söderköket"] {
            let site = admin
                .post(
                    "/api/v1/sites",
                    json!({ "name": name, "timezone": "Europe/Stockholm" }),
                )
                .await;
            assert_eq!(site.status, StatusCode::CREATED);
        }
        for (browser, width) in [
            (Browser::phone(&app, "audit_sentences").await, "phone"),
            (Browser::desktop(&app, "audit_sentences").await, "desktop"),
        ] {
            browser.sign_in(&email).await;
            browser.goto("/admin/audit").await;
            browser.scroll_to("#audit-rows", "start").await;
            let table = browser.text("#audit-rows").await;
            assert!(
                table.contains("Test lade till köket Söderköket."),
                "{table}"
            );
            browser.assert_fits_width().await;
            browser.screenshot(&format!("audit-table-{width}")).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_modules_name_their_own_targets() {
    let app = TestApp::new().await;
    // Offshore: a crew member by name.
    let rig = crate::offshore_rota::rig(&app, "Nordsjø").await;
    let made = rig
        .admin
        .post(
            &rig.path("crew"),
            json!({ "name": "Kari Nordmann", "position": "cook" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let html = rig
        .admin
        .get_with("/admin/audit", &[("accept-language", "en")])
        .await
        .text();
    assert!(
        html.contains("admin added Kari Nordmann to the crew."),
        "{html}"
    );

    // Municipal: a department by name.
    let k =
        crate::municipal_fixture::kitchen(&app, "Namnby", crate::municipal_fixture::open_week())
            .await;
    {
        let mut pooled = app.app.state.db.get().await.unwrap();
        audit::record(
            &mut pooled.conn(),
            Entry::new("marks.changed", Actor::default(), Some(k.tenant))
                .target("department", k.departments[0]),
        )
        .await
        .unwrap();
    }
    let html = k
        .admin
        .get_with(
            "/admin/audit?action=marks.changed",
            &[("accept-language", "en")],
        )
        .await
        .text();
    assert!(
        html.contains("changed the special diet marks of Björken."),
        "{html}"
    );
}

/// The row total the audit page states ("Rows 1–5 of 5"), after the language's "of".
fn total_of(html: &str, of: &str) -> i64 {
    let summary = &html[html.find("\u{2013}").expect("a row summary")..];
    let after = &summary[summary.find(of).expect("the total") + of.len()..];
    after
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}
