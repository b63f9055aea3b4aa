//! Embedded migrations of core and every linked module, one shared version table.
//!
//! Versions are unique across owners (`cargo xtask new-migration` makes sure), so each owner's
//! set is applied with diesel's harness against the one `__diesel_schema_migrations` table.

use diesel::migration::MigrationSource;
use diesel::{Connection, SqliteConnection};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DatabaseUrl, DbConn, DbError};
use crate::module::{MigrationSet, Registry};

static CORE_POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/core/postgres");
static CORE_SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/core/sqlite");

/// Serialises concurrent `galley migrate` / start-ups sharing one PostgreSQL database.
const ADVISORY_LOCK_KEY: i64 = 0x6761_6c6c_6579; // "galley"

/// One owner's migration set.
#[derive(Debug, Clone, Copy)]
pub struct OwnedMigrations {
    pub owner: &'static str,
    pub set: MigrationSet,
}

/// Core's set first, then each linked module's in id order.
pub fn all_sets(registry: &Registry) -> Vec<OwnedMigrations> {
    let mut sets = vec![OwnedMigrations {
        owner: "core",
        set: MigrationSet {
            postgres: &CORE_POSTGRES,
            sqlite: &CORE_SQLITE,
        },
    }];
    sets.extend(registry.modules().iter().filter_map(|module| {
        module.migrations().map(|set| OwnedMigrations {
            owner: module.id(),
            set,
        })
    }));
    sets
}

/// A migration that was applied: its owner and version name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub owner: &'static str,
    pub name: String,
}

/// Applies every pending migration of every owner. Runs on a blocking thread with its own
/// connection: diesel's harness is synchronous.
pub async fn run_pending(url: &DatabaseUrl, registry: &Registry) -> Result<Vec<Applied>, DbError> {
    let url = url.clone();
    let sets = all_sets(registry);
    tokio::task::spawn_blocking(move || match url {
        DatabaseUrl::Postgres(url) => {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
            use diesel::RunQueryDsl as _;
            diesel::sql_query(format!("SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})"))
                .execute(&mut conn)?;
            let result = apply_all(&mut conn, &sets, |s| s.postgres);
            diesel::sql_query(format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})"))
                .execute(&mut conn)?;
            result
        }
        DatabaseUrl::Sqlite(path) => {
            use diesel::RunQueryDsl as _;
            let mut conn = SqliteConnection::establish(&path)?;
            diesel::sql_query("PRAGMA foreign_keys = ON").execute(&mut conn)?;
            apply_all(&mut conn, &sets, |s| s.sqlite)
        }
    })
    .await
    .map_err(|e| DbError::Migration(e.to_string()))?
}

/// Lets the harness take a set it does not own (embedded sets live in statics).
struct Borrowed(&'static EmbeddedMigrations);

impl<DB: diesel::backend::Backend> MigrationSource<DB> for Borrowed
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>> {
        self.0.migrations()
    }
}

fn apply_all<C>(
    conn: &mut C,
    sets: &[OwnedMigrations],
    pick: impl Fn(&MigrationSet) -> &'static EmbeddedMigrations,
) -> Result<Vec<Applied>, DbError>
where
    C: MigrationHarness<C::Backend> + Connection,
    EmbeddedMigrations: MigrationSource<C::Backend>,
{
    let mut applied = Vec::new();
    for owned in sets {
        let versions = conn
            .run_pending_migrations(Borrowed(pick(&owned.set)))
            .map_err(|e| DbError::Migration(format!("{}: {e}", owned.owner)))?;
        applied.extend(versions.into_iter().map(|v| Applied {
            owner: owned.owner,
            name: v.to_string(),
        }));
    }
    Ok(applied)
}

/// Versions every linked owner expects but the database has not applied yet.
pub async fn pending_versions(
    conn: &mut DbConn<'_>,
    registry: &Registry,
) -> Result<Vec<String>, DbError> {
    let applied: std::collections::HashSet<String> =
        applied_versions(conn).await?.into_iter().collect();
    let postgres = matches!(conn, DbConn::Postgres(_));
    let mut pending = Vec::new();
    for owned in all_sets(registry) {
        let names = if postgres {
            names_of::<diesel::pg::Pg>(owned.set.postgres)?
        } else {
            names_of::<diesel::sqlite::Sqlite>(owned.set.sqlite)?
        };
        pending.extend(
            names
                .into_iter()
                .filter(|version| !applied.contains(version))
                .map(|version| format!("{}/{version}", owned.owner)),
        );
    }
    Ok(pending)
}

fn names_of<DB: diesel::backend::Backend>(set: &EmbeddedMigrations) -> Result<Vec<String>, DbError>
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    let migrations =
        MigrationSource::<DB>::migrations(set).map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

diesel::table! {
    __diesel_schema_migrations (version) {
        version -> Text,
    }
}

async fn applied_versions(conn: &mut DbConn<'_>) -> Result<Vec<String>, DbError> {
    use diesel::QueryDsl;
    use diesel_async::RunQueryDsl;
    // A database nobody has migrated yet has no version table at all.
    if !super::catalog::table_exists(conn, "__diesel_schema_migrations").await? {
        return Ok(Vec::new());
    }
    let versions = crate::db_run!(conn, |c| {
        __diesel_schema_migrations::table
            .select(__diesel_schema_migrations::version)
            .load(c)
            .await
    })?;
    Ok(versions)
}
