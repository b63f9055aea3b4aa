use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::tenants;

/// The kinds of customer; each matches the module that serves it.
pub const KINDS: [&str; 2] = ["municipal", "offshore"];

/// A tenant as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub async fn insert(conn: &mut DbConn<'_>, name: &str, kind: &str) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(tenants::table)
            .values((
                tenants::name.eq(name),
                tenants::kind.eq(kind),
                tenants::version.eq(1_i64),
                tenants::created_at.eq(now),
                tenants::updated_at.eq(now),
            ))
            .returning(tenants::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

pub async fn find(conn: &mut DbConn<'_>, id: i64) -> Result<Option<Tenant>, DbError> {
    let tenant = crate::db_run!(conn, |c| {
        tenants::table
            .filter(tenants::id.eq(id))
            .filter(tenants::deleted_at.is_null())
            .select(Tenant::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(tenant)
}

pub async fn list(
    conn: &mut DbConn<'_>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Tenant>, i64), DbError> {
    let result = crate::db_run!(conn, |c| {
        let items = tenants::table
            .filter(tenants::deleted_at.is_null())
            .order((tenants::name, tenants::id))
            .offset(offset)
            .limit(limit)
            .select(Tenant::as_select())
            .load(c)
            .await?;
        let total = tenants::table
            .filter(tenants::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await?;
        Ok::<_, diesel::result::Error>((items, total))
    })?;
    Ok(result)
}

/// Renames the tenant if the stored version is still the one read.
pub async fn rename(conn: &mut DbConn<'_>, tenant: &Tenant, name: &str) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            tenants::table
                .filter(tenants::id.eq(tenant.id))
                .filter(tenants::version.eq(tenant.version)),
        )
        .set((
            tenants::name.eq(name),
            tenants::version.eq(tenant.version + 1),
            tenants::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Soft delete: the tenant's people can no longer sign in and their sessions and API tokens
/// stop working at once; the rows stay for the audit trail.
pub async fn mark_deleted(conn: &mut DbConn<'_>, tenant: &Tenant) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            tenants::table
                .filter(tenants::id.eq(tenant.id))
                .filter(tenants::version.eq(tenant.version)),
        )
        .set((
            tenants::deleted_at.eq(Some(now)),
            tenants::version.eq(tenant.version + 1),
            tenants::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}
