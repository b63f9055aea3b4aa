//! Migrations: twins in lockstep, and both backends ending with the same schema.

use std::collections::BTreeSet;
use std::path::Path;

use galley_core::db::{DatabaseUrl, DbPool, catalog, migrate};

fn versions(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_migration_has_a_twin_with_up_and_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut seen_versions = BTreeSet::new();
    for owner in std::fs::read_dir(&root).unwrap().filter_map(|e| e.ok()) {
        let postgres = versions(&owner.path().join("postgres"));
        let sqlite = versions(&owner.path().join("sqlite"));
        assert_eq!(postgres, sqlite, "{:?}: twins differ", owner.file_name());
        for name in &postgres {
            for backend in ["postgres", "sqlite"] {
                for file in ["up.sql", "down.sql"] {
                    let path = owner.path().join(backend).join(name).join(file);
                    assert!(path.is_file(), "{} missing", path.display());
                }
            }
            let version = name.split('_').next().unwrap().to_owned();
            assert!(
                seen_versions.insert(version.clone()),
                "version {version} used twice"
            );
        }
    }
    assert!(!seen_versions.is_empty());
}

async fn migrated_columns(url: &DatabaseUrl) -> Vec<catalog::ColumnInfo> {
    let applied = migrate::run_pending(url, crate::registry()).await.unwrap();
    assert!(!applied.is_empty(), "a fresh database gets every migration");
    let again = migrate::run_pending(url, crate::registry()).await.unwrap();
    assert!(again.is_empty(), "a second run applies nothing");
    let pool = DbPool::connect(url, 1).await.unwrap();
    let mut pooled = pool.get().await.unwrap();
    catalog::columns(&mut pooled.conn()).await.unwrap()
}

/// On the PostgreSQL run, a fresh SQLite file and a fresh PostgreSQL database are both
/// migrated and must end with the same tables, columns, type families and nullability. On
/// the SQLite-only run there is no second backend to compare, so the migration is checked on
/// its own (applies, is idempotent, yields the module_flags table).
#[tokio::test(flavor = "multi_thread")]
async fn both_backends_end_with_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = DatabaseUrl::Sqlite(dir.path().join("schema.db").to_string_lossy().into_owned());
    let sqlite_columns = migrated_columns(&sqlite).await;
    assert!(
        sqlite_columns
            .iter()
            .any(|c| c.table_name == "module_flags" && c.column_name == "enabled")
    );
    if crate::harness::on_postgres() {
        let db = crate::harness::TestDb::empty().await;
        let postgres_columns = migrated_columns(&db.url).await;
        assert_eq!(postgres_columns, sqlite_columns);
    }
}
