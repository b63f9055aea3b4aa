//! The offshore rota's downloads: a person's calendar (iCalendar), the private calendar feed
//! that serves it without a sign-in, and the schedule as CSV and XLSX.

use std::io::Cursor;

use axum::http::Method;
use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::offshore_rota::{Rig, rig};

/// A 2-4 pattern (7 nights, a swing day, 6 days, 28 days off) from 20 October 2026, and the
/// people following it from the given offsets; their ids.
async fn crew(rig: &Rig<'_>, people: &[(&str, i64)]) -> Vec<i64> {
    let pattern = rig
        .admin
        .post(
            &rig.path("patterns"),
            json!({ "name": "2-4", "template": "2-4", "anchor_date": "2026-10-20" }),
        )
        .await;
    assert_eq!(pattern.status, 201, "{}", pattern.text());
    let pattern = pattern.json()["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for (name, offset) in people {
        let made = rig
            .admin
            .post(
                &rig.path("crew"),
                json!({ "name": name, "position": "cook", "pattern_id": pattern,
                        "start_offset_days": offset }),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text());
        ids.push(made.json()["id"].as_i64().unwrap());
    }
    ids
}

/// Generates `from`..=`to` whatever is stored there, then publishes `publish`..=`to`'s part.
async fn apply_and_publish(rig: &Rig<'_>, from: NaiveDate, to: NaiveDate, publish_to: NaiveDate) {
    let applied = rig
        .admin
        .send(
            Method::POST,
            &rig.path("schedule/apply"),
            Some("*"),
            Some(json!({ "from": from, "to": to })),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text());
    let published = rig
        .admin
        .post(
            &rig.path("schedule/publish"),
            json!({ "from": from, "to": publish_to }),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The calendar's events, each as its unfolded lines.
fn events(text: &str) -> Vec<Vec<String>> {
    let unfolded = text.replace("\r\n ", "");
    let mut out = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in unfolded.split("\r\n") {
        match line {
            "BEGIN:VEVENT" => current = Some(Vec::new()),
            "END:VEVENT" => out.extend(current.take()),
            _ => {
                if let Some(lines) = current.as_mut() {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    out
}

fn has(event: &[String], line: &str) -> bool {
    event.iter().any(|l| l == line)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_calendar_holds_their_published_shifts_in_utc() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Calendar rig").await;
    let ids = crew(&rig, &[("Kari", 0), ("Ola", 7)]).await;
    // Kari: nights 20-26 October, swing day 27, days 28 October - 2 November. Only 20-27 are
    // published. Europe/Oslo leaves summer time in the night of 24 to 25 October.
    apply_and_publish(
        &rig,
        date("2026-10-20"),
        date("2026-11-02"),
        date("2026-10-27"),
    )
    .await;
    let schedule = rig
        .viewer
        .get(&rig.path("schedule?from=2026-10-24&to=2026-10-24"))
        .await
        .json();
    let night_id = schedule["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["crew_id"] == ids[0])
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let path = rig.path(&format!(
        "crew/{}/calendar.ics?from=2026-10-20&to=2026-11-02",
        ids[0]
    ));
    let ics = rig.viewer.get(&path).await;
    assert_eq!(ics.status, 200, "{}", ics.text());
    assert_eq!(ics.content_type(), "text/calendar; charset=utf-8");
    let text = ics.text();
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{text}"
    );
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    let events = events(&text);
    assert_eq!(events.len(), 8, "7 nights and a swing day are published");
    let nights: Vec<&Vec<String>> = events
        .iter()
        .filter(|e| has(e, "SUMMARY:Night shift"))
        .collect();
    assert_eq!(nights.len(), 7);
    // 19:00 summer time (UTC+2) to 07:00 winter time (UTC+1): 13 hours.
    let across = nights
        .iter()
        .find(|e| has(e, "DTSTART:20261024T170000Z"))
        .expect("the night of 24 October");
    assert!(has(across, "DTEND:20261025T060000Z"), "{across:?}");
    assert!(has(
        across,
        &format!("UID:offshore-shift-{night_id}@galley")
    ));
    assert!(across.iter().any(|l| l.starts_with("DTSTAMP:2026")));
    // The next night is in winter time throughout.
    let after = nights
        .iter()
        .find(|e| has(e, "DTSTART:20261025T180000Z"))
        .expect("the night of 25 October");
    assert!(has(after, "DTEND:20261026T060000Z"), "{after:?}");
    let swing = events.iter().find(|e| has(e, "SUMMARY:Swing day")).unwrap();
    assert!(has(swing, "DTSTART;VALUE=DATE:20261027"), "{swing:?}");
    assert!(has(swing, "DTEND;VALUE=DATE:20261028"), "{swing:?}");

    // A cook reads it too; a range the wrong way round is named.
    assert_eq!(rig.cook.get(&path).await.status, 200);
    let backwards = rig
        .viewer
        .get(&rig.path(&format!(
            "crew/{}/calendar.ics?from=2026-11-02&to=2026-10-20",
            ids[0]
        )))
        .await;
    assert_eq!(backwards.status, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_schedule_downloads_as_csv_and_xlsx() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Download rig").await;
    // Ola's nights are 27 October - 2 November.
    crew(&rig, &[("Kari", 0), ("=Ola Nordmann", 7)]).await;
    apply_and_publish(
        &rig,
        date("2026-10-20"),
        date("2026-11-02"),
        date("2026-10-27"),
    )
    .await;

    let csv = rig
        .viewer
        .get(&rig.path("schedule.csv?from=2026-10-20&to=2026-11-02"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(
        csv.header("content-disposition")
            .ends_with("-2026-10-20-2026-11-02.csv\"")
    );
    let body = csv.body.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM");
    let text = std::str::from_utf8(body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Date;Person;Position;Kind;Start;End;Published");
    assert_eq!(lines.len(), 1 + 14 + 7, "{text}");
    assert!(
        lines.contains(&"2026-10-24;Kari;Cook;Night shift;2026-10-24 19:00;2026-10-25 07:00;yes"),
        "{text}"
    );
    // The name that looks like a formula arrives as text.
    assert!(
        lines.contains(
            &"2026-10-27;'=Ola Nordmann;Cook;Night shift;2026-10-27 19:00;2026-10-28 07:00;yes"
        ),
        "{text}"
    );
    assert!(!text.contains(";=Ola"));
    assert!(lines.contains(&"2026-10-27;Kari;Cook;Swing day;;;yes"));
    assert!(lines.contains(&"2026-11-02;Kari;Cook;Day shift;2026-11-02 07:00;2026-11-02 19:00;no"));
    assert_eq!(lines.iter().filter(|l| l.ends_with(";yes")).count(), 9);

    let xlsx = rig
        .cook
        .get(&rig.path("schedule.xlsx?from=2026-10-20&to=2026-11-02"))
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    assert_eq!(
        xlsx.content_type(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.body.starts_with(b"PK"));
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.body)).unwrap();
    let range = book.worksheet_range("Schedule").unwrap();
    assert_eq!(range.end(), Some((21, 6)));
    assert_eq!(
        range.get_value((0, 1)).cloned(),
        Some(Data::String("Person".into()))
    );

    let missing = rig.viewer.get(&rig.path("schedule.csv")).await;
    assert_eq!(missing.status, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_tenants_crew_and_schedule_are_not_found() {
    let app = TestApp::new().await;
    let ours = rig(&app, "Our export rig").await;
    let theirs = rig(&app, "Their export rig").await;
    let their_crew = crew(&theirs, &[("Kari", 0)]).await[0];
    let ics = format!("crew/{their_crew}/calendar.ics");
    assert_eq!(ours.admin.get(&theirs.path(&ics)).await.status, 404);
    // Their crew through our site is no better.
    assert_eq!(ours.admin.get(&ours.path(&ics)).await.status, 404);
    let feed = format!("crew/{their_crew}/calendar-feed");
    assert_eq!(
        ours.admin.post(&ours.path(&feed), json!({})).await.status,
        404
    );
    assert_eq!(
        ours.admin.post(&theirs.path(&feed), json!({})).await.status,
        404
    );
    assert_eq!(
        ours.admin
            .get(&theirs.path("schedule.csv?from=2026-10-20&to=2026-11-02"))
            .await
            .status,
        404
    );
    assert_eq!(theirs.admin.get(&theirs.path(&ics)).await.status, 200);
}

async fn audit_actions(rig: &Rig<'_>) -> Vec<String> {
    let page = rig
        .admin
        .get("/api/v1/audit?action=offshore_calendar_feed.")
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    page.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row: &Value| row["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_feed_works_unsigned_until_revoked_or_replaced() {
    let app = TestApp::new().await;
    let rig = rig(&app, "Feed rig").await;
    let kari = crew(&rig, &[("Kari", 0)]).await[0];
    // Any 42 days hold exactly one 14-day period of a 42-day cycle, all inside the feed's
    // window (30 days back to 365 ahead).
    let today = Utc::now().date_naive();
    let last = today + Duration::days(41);
    apply_and_publish(&rig, today, last, last).await;

    let feed_path = rig.path(&format!("crew/{kari}/calendar-feed"));
    assert_eq!(rig.viewer.post(&feed_path, json!({})).await.status, 403);
    let made = rig.cook.post(&feed_path, json!({})).await;
    assert_eq!(made.status, 201, "{}", made.text());
    assert_eq!(made.header("cache-control"), "no-store");
    assert_eq!(made.json()["replaced"], false);
    let url = made.json()["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("/offshore/feeds/") && url.ends_with(".ics"),
        "{url}"
    );

    // No cookie, no token.
    let feed = app.get(&url).await;
    assert_eq!(feed.status, 200, "{}", feed.text());
    assert_eq!(feed.content_type(), "text/calendar; charset=utf-8");
    assert_eq!(feed.header("cache-control"), "private, max-age=300");
    assert_eq!(events(&feed.text()).len(), 14);
    // The same calendar as a signed-in reader's with the default range.
    let signed_in = rig
        .viewer
        .get(&rig.path(&format!("crew/{kari}/calendar.ics")))
        .await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(signed_in.text(), feed.text());

    // Unknown secrets and other names are plain 404s.
    assert_eq!(
        app.get("/offshore/feeds/nothing-here.ics").await.status,
        404
    );
    let without_suffix = url.trim_end_matches(".ics");
    assert_eq!(app.get(without_suffix).await.status, 404);

    // A new feed ends the old one.
    let second = rig.admin.post(&feed_path, json!({})).await;
    assert_eq!(second.status, 201, "{}", second.text());
    assert_eq!(second.json()["replaced"], true);
    let second_url = second.json()["url"].as_str().unwrap().to_owned();
    assert_ne!(second_url, url);
    assert_eq!(app.get(&url).await.status, 404);
    assert_eq!(app.get(&second_url).await.status, 200);

    // Revoking ends it; there is nothing left to revoke after.
    let revoked = rig.cook.delete(&feed_path, None).await;
    assert_eq!(revoked.status, 204, "{}", revoked.text());
    assert_eq!(app.get(&second_url).await.status, 404);
    assert_eq!(rig.cook.delete(&feed_path, None).await.status, 404);

    assert_eq!(
        audit_actions(&rig).await,
        [
            "offshore_calendar_feed.revoked",
            "offshore_calendar_feed.created",
            "offshore_calendar_feed.created",
        ]
    );
}
