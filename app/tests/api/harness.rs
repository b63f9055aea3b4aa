//! `TestApp`: the real router in-process on a fresh database per test: a temp SQLite file,
//! or, when `TEST_DATABASE_URL` is set, a PostgreSQL database cloned from a migrated template
//! and dropped afterwards.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use galley_core::config::Settings;
use galley_core::db::{DatabaseUrl, migrate};
use galley_core::module::Registry;
use galley_core::server::{App, build_app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A database of its own for one test.
pub struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A fresh, migrated database.
    pub async fn migrated() -> Arc<TestDb> {
        Self::create(true).await
    }

    /// A fresh database nobody has migrated.
    pub async fn empty() -> Arc<TestDb> {
        Self::create(false).await
    }

    async fn create(migrated: bool) -> Arc<TestDb> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => Arc::new(postgres_db(&admin, migrated).await),
            _ => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("galley.db");
                let url = DatabaseUrl::parse(path.to_str().unwrap()).unwrap();
                if migrated {
                    migrate::run_pending(&url, crate::registry()).await.unwrap();
                }
                Arc::new(TestDb {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
        }
    }

    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Postgres(url) | DatabaseUrl::Sqlite(url) => url.clone(),
        }
    }
}

pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(&admin).await {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

fn with_database(url: &str, database: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{database}")
}

/// Clones a per-migration-set template, so each test pays for a copy, not for migrations.
async fn postgres_db(admin: &str, migrated: bool) -> TestDb {
    let mut conn = AsyncPgConnection::establish(admin)
        .await
        .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
    let name = format!("galley_test_{}", uuid_like());
    if migrated {
        let template = template_name();
        conn.batch_execute("SELECT pg_advisory_lock(7157)")
            .await
            .unwrap();
        let exists = template_exists(&mut conn, &template).await;
        if !exists {
            let building = format!("{template}_building");
            conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
            ))
            .await
            .unwrap();
            conn.batch_execute(&format!("CREATE DATABASE \"{building}\""))
                .await
                .unwrap();
            let url = DatabaseUrl::parse(&with_database(admin, &building)).unwrap();
            migrate::run_pending(&url, crate::registry()).await.unwrap();
            conn.batch_execute(&format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
            ))
            .await
            .unwrap();
        }
        conn.batch_execute("SELECT pg_advisory_unlock(7157)")
            .await
            .unwrap();
        conn.batch_execute(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .await
        .unwrap();
    } else {
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
    }
    TestDb {
        url: DatabaseUrl::parse(&with_database(admin, &name)).unwrap(),
        _dir: None,
        postgres: Some((admin.to_owned(), name)),
    }
}

async fn template_exists(conn: &mut AsyncPgConnection, template: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Count = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(template),
        conn,
    )
    .await
    .unwrap();
    found.n > 0
}

/// Named after a fingerprint of every migration file, so a changed migration gets a new
/// template instead of a stale one.
fn template_name() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files = Vec::new();
    collect_files(&root, &mut files);
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let bytes = [
            file.to_string_lossy().as_bytes(),
            &std::fs::read(&file).unwrap(),
        ]
        .concat();
        for byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("galley_tpl_{hash:016x}")
}

fn collect_files(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, into);
        } else {
            into.push(path);
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// How to build a test app.
pub struct TestAppBuilder {
    settings: Vec<(&'static str, String)>,
    registry: Option<&'static Registry>,
    db: Option<Arc<TestDb>>,
    migrate: bool,
}

impl TestAppBuilder {
    pub fn set(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.settings.push((key, value.into()));
        self
    }

    pub fn registry(mut self, registry: &'static Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Shares a database with another app, as two instances would.
    pub fn db(mut self, db: Arc<TestDb>) -> Self {
        self.db = Some(db);
        self
    }

    pub fn unmigrated(mut self) -> Self {
        self.migrate = false;
        self
    }

    pub async fn build(self) -> TestApp {
        let registry = self.registry.unwrap_or_else(|| crate::registry());
        let db = match self.db {
            Some(db) => db,
            None if self.migrate => TestDb::migrated().await,
            None => TestDb::empty().await,
        };
        let mut figment = Settings::defaults_figment()
            .merge(("database_url", db.url_string()))
            .merge(("db_pool_size", 4));
        for (key, value) in self.settings {
            // Typed like the environment would be read: numbers and booleans as such.
            figment = match (value.parse::<u64>(), value.parse::<bool>()) {
                (Ok(number), _) => figment.merge((key, number)),
                (_, Ok(flag)) => figment.merge((key, flag)),
                _ => figment.merge((key, value)),
            };
        }
        let settings = Settings::from_figment(figment, None).unwrap();
        let app = build_app(settings, registry, false).await.unwrap();
        TestApp { app, _db: db }
    }
}

pub struct TestApp {
    pub app: App,
    /// Kept alive (and dropped after the app) for the test.
    _db: Arc<TestDb>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type")
    }
}

impl TestApp {
    /// For a test that wrote to the database directly, as no request does: no audit row
    /// announces it, so the ready answers and remembered tokens (decision 0022) are told here,
    /// as a tool writing to the database would have to.
    pub fn written_behind_the_back(&self) {
        self.app
            .state
            .answers
            .invalidate(galley_core::answers::Invalidation::Everything);
    }

    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            settings: Vec::new(),
            registry: None,
            db: None,
            migrate: true,
        }
    }

    pub async fn new() -> TestApp {
        Self::builder().build().await
    }

    pub fn router(&self) -> Router {
        self.app.router.clone()
    }

    /// The connection string of this app's own database, for tests that reach past the app.
    pub fn database_url(&self) -> String {
        self._db.url_string()
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes().to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> TestResponse {
        self.send(build_request(method, path, headers, body)).await
    }

    /// A request as if it came over a socket from `peer`.
    pub async fn request_from(
        &self,
        peer: &str,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut request = build_request(method, path, headers, body);
        let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        self.send(request).await
    }

    pub async fn set_module(&self, id: &str, enabled: bool) {
        self.app
            .state
            .flags
            .set_global(id, enabled, "test")
            .await
            .unwrap();
    }
}

fn build_request(
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}
