//! `galley backup`: a consistent copy of a SQLite database taken while the server keeps
//! writing. `VACUUM INTO` reads one snapshot (WAL mode lets writers go on meanwhile) and
//! writes a compact new file; the copy is checked and synced before it gets its final name, so
//! a file with that name is always whole. PostgreSQL is backed up with `pg_dump`
//! (`deploy/backup/galley-backup.sh`).

use std::fs;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        source: diesel::ConnectionError,
    },
    #[error("the copy failed: {0}")]
    Copy(#[from] diesel::result::Error),
    #[error("the copy failed its check ({0}) and was removed")]
    Damaged(String),
}

/// What was copied.
#[derive(Debug)]
pub struct BackupReport {
    pub bytes: u64,
    pub tables: i64,
    pub migrations: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies the SQLite database at `source` to `target`, which must not exist yet. Blocking:
/// call it off the async runtime.
pub fn sqlite_online_backup(source: &str, target: &Path) -> Result<BackupReport, BackupError> {
    if source == ":memory:" {
        return Err(BackupError::Refused(
            "an in-memory database has nothing to back up".to_owned(),
        ));
    }
    if target.exists() {
        return Err(BackupError::Refused(format!(
            "{} exists already; backups are never overwritten",
            target.display()
        )));
    }
    let partial = partial_name(target);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| BackupError::Io { path, source }
    };
    // A copy left by an interrupted earlier run is never whole.
    if partial.exists() {
        fs::remove_file(&partial).map_err(io(&partial))?;
    }
    let mut conn = open(source)?;
    // Waits for a writer's commit rather than failing on a busy database.
    conn.batch_execute("PRAGMA busy_timeout = 5000")?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(partial.to_string_lossy())
        .execute(&mut conn)?;
    drop(conn);
    let checked = check(&partial);
    let report = match checked {
        Ok(report) => report,
        Err(error) => {
            let _already_failing = fs::remove_file(&partial);
            return Err(error);
        }
    };
    fs::File::open(&partial)
        .and_then(|file| file.sync_all())
        .map_err(io(&partial))?;
    fs::rename(&partial, target).map_err(io(target))?;
    if let Some(dir) = target.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        // The rename itself is durable only once the directory is.
        fs::File::open(dir)
            .and_then(|file| file.sync_all())
            .map_err(io(dir))?;
    }
    Ok(report)
}

/// `target` with `.partial` appended, in the same directory (so the rename cannot cross
/// file systems).
fn partial_name(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn open(path: &str) -> Result<SqliteConnection, BackupError> {
    SqliteConnection::establish(path).map_err(|source| BackupError::Open {
        path: path.to_owned(),
        source,
    })
}

/// SQLite's own integrity check of the copy, and what it holds.
fn check(copy: &Path) -> Result<BackupReport, BackupError> {
    let mut conn = open(&copy.to_string_lossy())?;
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    let verdict: Vec<&str> = lines.iter().map(|l| l.integrity_check.as_str()).collect();
    if verdict != ["ok"] {
        return Err(BackupError::Damaged(verdict.join("; ")));
    }
    let tables = diesel::sql_query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
        .get_result::<Count>(&mut conn)?
        .n;
    let migrations = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(&mut conn)
        .map_err(|e| BackupError::Damaged(format!("no migration table: {e}")))?
        .n;
    drop(conn);
    let bytes = fs::metadata(copy)
        .map_err(|source| BackupError::Io {
            path: copy.display().to_string(),
            source,
        })?
        .len();
    Ok(BackupReport {
        bytes,
        tables,
        migrations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_checked_named_when_whole_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("live.db");
        let source = source.to_str().unwrap();
        let mut conn = SqliteConnection::establish(source).unwrap();
        conn.batch_execute(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE __diesel_schema_migrations (version TEXT PRIMARY KEY);
             INSERT INTO __diesel_schema_migrations VALUES ('1'), ('2');
             CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO things (name) VALUES ('a'), ('b'), ('c');",
        )
        .unwrap();

        let target = dir.path().join("copy.db");
        let report = sqlite_online_backup(source, &target).unwrap();
        assert_eq!((report.tables, report.migrations), (2, 2));
        assert!(report.bytes > 0);
        assert!(!partial_name(&target).exists());
        let mut copy = SqliteConnection::establish(target.to_str().unwrap()).unwrap();
        let things = diesel::sql_query("SELECT count(*) AS n FROM things")
            .get_result::<Count>(&mut copy)
            .unwrap();
        assert_eq!(things.n, 3);

        let again = sqlite_online_backup(source, &target).unwrap_err();
        assert!(again.to_string().contains("never overwritten"), "{again}");
        assert!(matches!(
            sqlite_online_backup(":memory:", &dir.path().join("m.db")),
            Err(BackupError::Refused(_))
        ));
    }
}
