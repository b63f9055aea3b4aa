//! Heavy file work (imports, report files, the audit export) runs on the bounded pool of file
//! workers: while every worker is busy such a request answers 503 with `Retry-After` and
//! changes nothing, and every other request goes on being answered.

use axum::http::{Method, StatusCode};

use crate::harness::{TestApp, TestResponse};
use crate::municipal_fixture::{kitchen, open_week};

/// Keeps the app's only file worker busy until dropped.
struct BusyWorker {
    release: std::sync::mpsc::Sender<()>,
    job: tokio::task::JoinHandle<()>,
}

impl BusyWorker {
    async fn take(app: &TestApp) -> BusyWorker {
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let work = app.app.state.file_work.clone();
        let job = tokio::spawn(async move {
            work.run("test", move |_| {
                started.send(()).unwrap();
                // Either a message or the sender's drop ends the job.
                let _ = hold.recv();
            })
            .await
            .unwrap();
        });
        running.await.unwrap();
        BusyWorker { release, job }
    }

    async fn release(self) {
        self.release.send(()).unwrap();
        self.job.await.unwrap();
    }
}

async fn one_worker_app() -> TestApp {
    TestApp::builder()
        .set("file_workers", "1")
        .set("file_wait_secs", "0")
        .build()
        .await
}

fn assert_busy(response: &TestResponse) {
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        response.text()
    );
    assert_eq!(response.content_type(), "application/problem+json");
    assert_eq!(response.header("retry-after"), "1");
    assert_eq!(response.json()["retry_after"], 1);
}

#[tokio::test]
async fn report_files_and_the_audit_export_wait_for_a_file_worker() {
    let app = one_worker_app().await;
    let k = kitchen(&app, "Filby", open_week()).await;
    let report = format!(
        "/api/v1/municipal/sites/{}/reports/weekly/{}/{}",
        k.site, k.week.year, k.week.week
    );
    let busy = BusyWorker::take(&app).await;

    for format in ["pdf", "xlsx", "csv"] {
        assert_busy(&k.cook.get(&format!("{report}?format={format}")).await);
    }
    assert_busy(&k.admin.get("/api/v1/audit/export.csv").await);
    // The request threads are free: health and the report's JSON (no file) still answer.
    assert_eq!(app.get("/health").await.status, StatusCode::OK);
    assert_eq!(k.cook.get(&report).await.status, StatusCode::OK);

    busy.release().await;
    for format in ["pdf", "xlsx", "csv"] {
        let file = k.cook.get(&format!("{report}?format={format}")).await;
        assert_eq!(file.status, StatusCode::OK, "{format}: {}", file.text());
    }
    let audit = k.admin.get("/api/v1/audit/export.csv").await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
}

#[tokio::test]
async fn an_import_waits_for_a_file_worker_and_changes_nothing_meanwhile() {
    let app = one_worker_app().await;
    let k = kitchen(&app, "Filvik", open_week()).await;
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/samples/meny-v12-2026.csv"
    ))
    .unwrap();
    let path = format!(
        "/api/v1/sites/{}/menus/import?year=2026&dry_run=false",
        k.site
    );
    let post = |body: Vec<u8>| {
        let path = path.clone();
        let cook = &k.cook;
        async move {
            let headers = [
                ("cookie", cook.cookie.as_str()),
                ("x-csrf-token", cook.csrf.as_str()),
                ("content-type", "text/csv"),
            ];
            cook.app.request(Method::POST, &path, &headers, body).await
        }
    };
    let busy = BusyWorker::take(&app).await;

    assert_busy(&post(csv.clone()).await);
    let audit = k.admin.get("/api/v1/audit?action=menu.imported").await;
    assert_eq!(audit.json()["total"], 0, "{}", audit.text());

    busy.release().await;
    let imported = post(csv).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    assert_eq!(imported.json()["applied"], true);
}
