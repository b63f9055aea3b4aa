//! The `galley` binary as an operator uses it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::TestDb;

fn galley(dir: &std::path::Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_galley"));
    command.current_dir(dir).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.env("GALLEY_CONFIG", dir.join("absent.toml"));
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

pub(crate) fn run(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    galley(dir, env).args(args).output().unwrap()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A failure an operator can act on: exit code 1 and exactly one line.
pub(crate) fn assert_one_line_failure(output: &Output, starts_with: &str) {
    assert!(!output.status.success(), "should fail: {}", stdout(output));
    let err = stderr(output);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected:\n{err}"
    );
    assert!(err.starts_with(starts_with), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn bad_database_url_fails_fast_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[("DATABASE_URL", "mysql://root@db/galley")],
        &["migrate"],
    );
    assert_one_line_failure(
        &output,
        "error: DATABASE_URL: unsupported scheme `mysql://`",
    );
}

#[test]
fn unreachable_database_fails_fast_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = run(
        dir.path(),
        &[("DATABASE_URL", "postgresql://galley:pw@127.0.0.1:1/galley")],
        &["serve"],
    );
    assert_one_line_failure(
        &output,
        "error: cannot use the database at postgresql://galley:****@127.0.0.1:1/galley",
    );
    assert!(!stderr(&output).contains(":pw@"));
    assert!(started.elapsed() < Duration::from_secs(30));

    let output = run(
        dir.path(),
        &[("DATABASE_URL", "/nonexistent-dir/galley.db")],
        &["migrate"],
    );
    assert_one_line_failure(
        &output,
        "error: cannot use the database at sqlite:///nonexistent-dir/galley.db",
    );
}

#[test]
fn production_refuses_to_start_without_a_strong_secret() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        ("GALLEY_ENV", "production"),
        ("DATABASE_URL", "postgresql://galley@127.0.0.1:1/galley"),
    ];
    let output = run(dir.path(), &base, &["serve"]);
    assert_one_line_failure(&output, "error: SECRET_KEY: is required in production");
    assert!(stderr(&output).contains("galley gen-secret"));

    let weak = [
        base[0],
        base[1],
        ("SECRET_KEY", "correct horse battery staple"),
    ];
    assert_one_line_failure(
        &run(dir.path(), &weak, &["serve"]),
        "error: SECRET_KEY: is too weak",
    );

    let generated = stdout(&run(dir.path(), &[], &["gen-secret"]))
        .trim()
        .to_owned();
    assert_eq!(generated.len(), 64);
    let strong = [base[0], base[1], ("SECRET_KEY", generated.as_str())];
    let output = run(dir.path(), &strong, &["check-config"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(!text.contains(&generated), "secret printed: {text}");
    assert!(
        text.contains("SECRET_KEY") && text.contains("**** (32 bytes)"),
        "{text}"
    );
    assert!(text.contains("0.0.0.0:8000"), "{text}");
}

#[test]
fn unknown_module_in_env_default_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("galley.db");
    let output = run(
        dir.path(),
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            ("DEFAULT_ENABLED_MODULES", "municipal, bakery"),
        ],
        &["serve"],
    );
    assert_one_line_failure(
        &output,
        "error: DEFAULT_ENABLED_MODULES names unknown module `bakery`; known modules: municipal, offshore",
    );
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn migrate_reports_what_it_applied_then_nothing() {
    let rt = runtime();
    let db = rt.block_on(TestDb::empty());
    let dir = tempfile::tempdir().unwrap();
    let url = db.url_string();
    let env = [("DATABASE_URL", url.as_str())];
    let first = run(dir.path(), &env, &["migrate"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(
        text.contains("Applied") && text.contains("core       20261126150000"),
        "{text}"
    );
    let second = run(dir.path(), &env, &["migrate"]);
    assert!(
        stdout(&second).starts_with("Nothing to apply"),
        "{}",
        stdout(&second)
    );
    drop(rt);
}

#[test]
fn modules_commands_show_state_and_source() {
    let rt = runtime();
    let db = rt.block_on(TestDb::migrated());
    let dir = tempfile::tempdir().unwrap();
    let url = db.url_string();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("DEFAULT_ENABLED_MODULES", "municipal"),
    ];

    let list = stdout(&run(dir.path(), &env, &["modules", "list"]));
    let row = |text: &str, id: &str| {
        text.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no {id} row in {text}"))
            .to_owned()
    };
    assert!(row(&list, "municipal").contains("yes"), "{list}");
    assert!(row(&list, "offshore").contains(" no "), "{list}");
    assert!(
        row(&list, "offshore").ends_with("DEFAULT_ENABLED_MODULES"),
        "{list}"
    );

    let enabled = run(dir.path(), &env, &["modules", "enable", "Offshore"]);
    assert!(enabled.status.success(), "{}", stderr(&enabled));
    let text = stdout(&enabled);
    assert!(text.starts_with("Enabled offshore"), "{text}");
    assert!(
        row(&text, "offshore").contains("yes") && row(&text, "offshore").ends_with("database flag")
    );

    let unknown = run(dir.path(), &env, &["modules", "disable", "bakery"]);
    assert_one_line_failure(
        &unknown,
        "error: unknown module `bakery`; known modules: municipal, offshore",
    );
    drop(rt);
}

#[test]
fn modules_commands_refuse_an_unmigrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let output = run(
        dir.path(),
        &[("DATABASE_URL", db.to_str().unwrap())],
        &["modules", "list"],
    );
    assert_one_line_failure(&output, "error: cannot use the database at");
    assert!(stderr(&output).contains("run `galley migrate` first"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, response))
}

fn wait_until(port: u16, path: &str, status: u16, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if http_get(port, path).is_some_and(|(s, _)| s == status) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{path} not {status} within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The acceptance path: a running server, `galley modules disable offshore` from
/// another process, a 404 within five seconds, `enable` brings it back, SIGTERM stops it
/// cleanly.
#[test]
fn serve_picks_up_cli_toggles_and_stops_gracefully() {
    let rt = runtime();
    let db = rt.block_on(TestDb::empty());
    let dir = tempfile::tempdir().unwrap();
    let url = db.url_string();
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("GALLEY_BIND", bind.as_str()),
    ];
    let mut server = Server(
        galley(dir.path(), &env)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until(port, "/health", 200, Duration::from_secs(30));
    let (_, ready) = http_get(port, "/ready").unwrap();
    assert!(
        ready.contains("\"migrations\":\"current\""),
        "serve migrated on start: {ready}"
    );
    wait_until(port, "/api/v1/offshore", 200, Duration::from_secs(1));

    let disabled = run(dir.path(), &env, &["modules", "disable", "offshore"]);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    wait_until(port, "/api/v1/offshore", 404, Duration::from_secs(5));
    assert_eq!(http_get(port, "/offshore").unwrap().0, 404);
    assert_eq!(http_get(port, "/api/v1/municipal").unwrap().0, 200);

    let enabled = run(dir.path(), &env, &["modules", "enable", "offshore"]);
    assert!(enabled.status.success(), "{}", stderr(&enabled));
    wait_until(port, "/api/v1/offshore", 200, Duration::from_secs(5));

    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "graceful exit expected, got {status}");
    drop(rt);
}

fn run_with_stdin(
    dir: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
    input: &str,
) -> Output {
    let mut child = galley(dir, env)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn create_superuser_reads_the_password_from_stdin_and_checks_it() {
    let rt = runtime();
    let db = rt.block_on(TestDb::migrated());
    let dir = tempfile::tempdir().unwrap();
    let url = db.url_string();
    let env = [("DATABASE_URL", url.as_str())];
    let args = [
        "create-superuser",
        "--email",
        "Ops@Example.se",
        "--password-stdin",
    ];

    let weak = run_with_stdin(dir.path(), &env, &args, "short\n");
    assert_one_line_failure(&weak, "error: password must be at least 12 characters");

    let created = run_with_stdin(dir.path(), &env, &args, "kanel bulle fönster\n");
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).starts_with("Created superuser ops@example.se"));

    let again = run_with_stdin(dir.path(), &env, &args, "kanel bulle fönster\n");
    assert_one_line_failure(
        &again,
        "error: an account with the e-mail address ops@example.se already exists",
    );
    drop(rt);
}

#[test]
fn demo_recreates_one_login_per_role_and_only_locally() {
    let rt = runtime();
    let db = rt.block_on(TestDb::migrated());
    let dir = tempfile::tempdir().unwrap();
    let url = db.url_string();
    let env = [("DATABASE_URL", url.as_str())];
    let first = run(dir.path(), &env, &["demo"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    for role in ["superuser", "admin", "cook", "department", "viewer"] {
        assert!(text.contains(&format!("{role}@demo.galley.test")), "{text}");
    }
    // The offshore module's galley cook.
    assert!(text.contains("kokk@demo.galley.test"), "{text}");

    // Someone changes the demo admin's password; `galley demo` puts the set back.
    rt.block_on(async {
        let app = crate::harness::TestApp::builder()
            .db(db.clone())
            .build()
            .await;
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let admin = galley_core::people::users::find_live_by_email(conn, "admin@demo.galley.test")
            .await
            .unwrap()
            .unwrap();
        let other = galley_core::auth::password::hash("a different password".into())
            .await
            .unwrap();
        galley_core::people::users::set_password(conn, admin.id, &other)
            .await
            .unwrap();
    });
    let second = run(dir.path(), &env, &["demo"]);
    assert_eq!(stdout(&second), text, "{}", stderr(&second));
    rt.block_on(async {
        let app = crate::harness::TestApp::builder()
            .db(db.clone())
            .build()
            .await;
        let signed_in = crate::auth::login_response(
            &app,
            "admin@demo.galley.test",
            galley_core::people::accounts::DEMO_PASSWORD,
        )
        .await;
        assert_eq!(
            signed_in.status,
            axum::http::StatusCode::OK,
            "{}",
            signed_in.text()
        );
        // The municipal part: this week's menu is published for the demo kitchen, and the
        // demo department user works for a department.
        let cook = crate::client::Client::sign_in_with(
            &app,
            "cook@demo.galley.test",
            galley_core::people::accounts::DEMO_PASSWORD,
        )
        .await;
        let site = cook.get("/api/v1/sites").await.json()["items"][0]["id"]
            .as_i64()
            .unwrap();
        let week =
            galley_core::kitchen::iso_week::IsoWeek::containing(chrono::Utc::now().date_naive());
        let menu = cook
            .get(&format!(
                "/api/v1/sites/{site}/menus/{}/{}",
                week.year, week.week
            ))
            .await
            .json();
        assert_eq!(menu["status"], "published", "{menu}");
        assert_eq!(menu["items"].as_array().unwrap().len(), 26);
        let mut pooled = app.app.state.db.get().await.unwrap();
        let conn = &mut pooled.conn();
        let department_user =
            galley_core::people::users::find_live_by_email(conn, "department@demo.galley.test")
                .await
                .unwrap()
                .unwrap();
        let bound = galley_municipal::departments::of_user(conn, department_user.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bound.name, "Avd 1 Björken");
    });

    let production = [
        ("DATABASE_URL", url.as_str()),
        ("GALLEY_ENV", "production"),
        (
            "SECRET_KEY",
            "3f9c1e0a7b5d2c8e4f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e",
        ),
    ];
    assert_one_line_failure(
        &run(dir.path(), &production, &["demo"]),
        "error: demo data exists only in GALLEY_ENV=local",
    );
    drop(rt);
}

/// `galley backup` copies a SQLite database whole while another connection keeps writing,
/// refuses to overwrite, and points PostgreSQL installs to pg_dump.
#[test]
fn backup_copies_a_live_sqlite_database_whole() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
        conn.batch_execute("PRAGMA busy_timeout = 5000").unwrap();
        diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
    }
    const ROWS: &str = "SELECT count(*) AS n FROM audit_log";

    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let url = live.to_str().unwrap().to_owned();
    let env = [("DATABASE_URL", url.as_str())];
    let migrated = run(dir.path(), &env, &["migrate"]);
    assert!(migrated.status.success(), "{}", stderr(&migrated));

    // A writer that keeps committing while the copy is taken.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (url, writing) = (url.clone(), writing.clone());
        std::thread::spawn(move || {
            let mut conn = SqliteConnection::establish(&url).unwrap();
            // As the server runs it.
            conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL")
                .unwrap();
            let mut written = 0;
            while writing.load(Ordering::Relaxed) || written < 50 {
                conn.batch_execute(
                    "INSERT INTO audit_log (occurred_at, action, details) \
                     VALUES ('2026-12-08 00:00:00', 'test.write', '{}')",
                )
                .unwrap();
                written += 1;
            }
            written
        })
    };
    while count(&mut SqliteConnection::establish(&url).unwrap(), ROWS) < 50 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let copy = dir.path().join("copy.db");
    let backup = run(dir.path(), &env, &["backup", copy.to_str().unwrap()]);
    writing.store(false, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(
        stdout(&backup).contains("integrity check ok"),
        "{}",
        stdout(&backup)
    );

    let mut copied = SqliteConnection::establish(copy.to_str().unwrap()).unwrap();
    let rows = count(&mut copied, ROWS);
    assert!(rows >= 50 && rows <= written, "{rows} of {written} rows");
    let mut source = SqliteConnection::establish(&url).unwrap();
    let migrations = "SELECT count(*) AS n FROM __diesel_schema_migrations";
    assert_eq!(
        count(&mut copied, migrations),
        count(&mut source, migrations)
    );
    assert!(!dir.path().join("copy.db.partial").exists());

    let again = run(dir.path(), &env, &["backup", copy.to_str().unwrap()]);
    assert_one_line_failure(&again, "error: backup to");
    assert!(
        stderr(&again).contains("never overwritten"),
        "{}",
        stderr(&again)
    );
    let postgres = run(
        dir.path(),
        &[("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")],
        &["backup", dir.path().join("pg.db").to_str().unwrap()],
    );
    assert_one_line_failure(&postgres, "error: galley backup copies a SQLite database");
}
