use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::module_flags;

/// Where a stored flag applies.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FlagScope {
    Global,
    Tenant,
    Site,
}

impl FlagScope {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagScope::Global => "global",
            FlagScope::Tenant => "tenant",
            FlagScope::Site => "site",
        }
    }
}

/// A module flag row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = module_flags)]
pub struct StoredFlag {
    pub module_id: String,
    pub scope: String,
    pub scope_id: i64,
    pub enabled: bool,
    pub version: i64,
    pub updated_at: chrono::NaiveDateTime,
    pub updated_by: String,
}

/// Every flag of every scope: the snapshot needs them all.
pub async fn list_all(conn: &mut DbConn<'_>) -> Result<Vec<StoredFlag>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        module_flags::table
            .select(StoredFlag::as_select())
            .order((
                module_flags::module_id,
                module_flags::scope,
                module_flags::scope_id,
            ))
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    module_id: &str,
    scope: FlagScope,
    scope_id: i64,
) -> Result<Option<StoredFlag>, DbError> {
    let row = crate::db_run!(conn, |c| {
        module_flags::table
            .find((module_id, scope.as_str(), scope_id))
            .select(StoredFlag::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

pub async fn upsert(
    conn: &mut DbConn<'_>,
    module_id: &str,
    scope: FlagScope,
    scope_id: i64,
    enabled: bool,
    changed_by: &str,
) -> Result<(), DbError> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        diesel::insert_into(module_flags::table)
            .values((
                module_flags::module_id.eq(module_id),
                module_flags::scope.eq(scope.as_str()),
                module_flags::scope_id.eq(scope_id),
                module_flags::enabled.eq(enabled),
                module_flags::version.eq(1_i64),
                module_flags::updated_at.eq(now),
                module_flags::updated_by.eq(changed_by),
            ))
            .on_conflict((
                module_flags::module_id,
                module_flags::scope,
                module_flags::scope_id,
            ))
            .do_update()
            .set((
                module_flags::enabled.eq(enabled),
                module_flags::version.eq(module_flags::version + 1_i64),
                module_flags::updated_at.eq(now),
                module_flags::updated_by.eq(changed_by),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Removes an override, so the scope inherits again.
pub async fn remove(
    conn: &mut DbConn<'_>,
    module_id: &str,
    scope: FlagScope,
    scope_id: i64,
) -> Result<(), DbError> {
    crate::db_run!(conn, |c| {
        diesel::delete(module_flags::table.find((module_id, scope.as_str(), scope_id)))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Announces a change to every instance listening on PostgreSQL; delivered at commit, so a
/// rolled-back change announces nothing. SQLite instances rely on the periodic refresh.
pub async fn notify_change(conn: &mut DbConn<'_>, module_id: &str) -> Result<(), DbError> {
    if let DbConn::Postgres(c) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(super::NOTIFY_CHANNEL)
            .bind::<diesel::sql_types::Text, _>(module_id)
            .execute(*c)
            .await?;
    }
    Ok(())
}
