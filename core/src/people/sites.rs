use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::sites;

/// A site (kitchen) as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub timezone: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The language of the site's people who chose none: `sv`, `nb` or `en`.
    pub language: Option<String>,
}

impl Site {
    /// The site's time zone. Site writes accept only IANA names, so UTC stands in only for a
    /// row written around the API.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    name: &str,
    timezone: &str,
) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(sites::table)
            .values((
                sites::tenant_id.eq(tenant_id),
                sites::name.eq(name),
                sites::timezone.eq(timezone),
                sites::version.eq(1_i64),
                sites::created_at.eq(now),
                sites::updated_at.eq(now),
            ))
            .returning(sites::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// A live site of the tenant; another tenant's site is simply not found.
pub async fn find(conn: &mut DbConn<'_>, tenant_id: i64, id: i64) -> Result<Option<Site>, DbError> {
    let site = crate::db_run!(conn, |c| {
        sites::table
            .filter(sites::id.eq(id))
            .filter(sites::tenant_id.eq(tenant_id))
            .filter(sites::deleted_at.is_null())
            .select(Site::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(site)
}

/// One page of the tenant's live sites, by name, and the total.
pub async fn list(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Site>, i64), DbError> {
    let live = sites::tenant_id
        .eq(tenant_id)
        .and(sites::deleted_at.is_null());
    let (items, total) = crate::db_run!(conn, |c| {
        let items = sites::table
            .filter(live)
            .order((sites::name, sites::id))
            .offset(offset)
            .limit(limit)
            .select(Site::as_select())
            .load(c)
            .await?;
        let total = sites::table
            .filter(live)
            .count()
            .get_result::<i64>(c)
            .await?;
        Ok::<_, diesel::result::Error>((items, total))
    })?;
    Ok((items, total))
}

/// Applies a change if the stored version is still `version`; `false` when someone was first.
pub async fn update(
    conn: &mut DbConn<'_>,
    site: &Site,
    name: &str,
    timezone: &str,
    language: Option<crate::web::lang::Lang>,
) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            sites::table
                .filter(sites::id.eq(site.id))
                .filter(sites::version.eq(site.version)),
        )
        .set((
            sites::name.eq(name),
            sites::timezone.eq(timezone),
            sites::language.eq(language.map(crate::web::lang::Lang::code)),
            sites::version.eq(site.version + 1),
            sites::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Sets a new site's language (in the transaction that made it).
pub async fn set_language(
    conn: &mut DbConn<'_>,
    id: i64,
    language: crate::web::lang::Lang,
) -> Result<(), DbError> {
    crate::db_run!(conn, |c| {
        diesel::update(sites::table.filter(sites::id.eq(id)))
            .set(sites::language.eq(language.code()))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Soft delete, version-checked like an update.
pub async fn mark_deleted(conn: &mut DbConn<'_>, site: &Site) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            sites::table
                .filter(sites::id.eq(site.id))
                .filter(sites::version.eq(site.version)),
        )
        .set((
            sites::deleted_at.eq(Some(now)),
            sites::version.eq(site.version + 1),
            sites::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// The tenant of a live site, whoever owns it (for superusers, who work across tenants).
pub async fn tenant_of_site(conn: &mut DbConn<'_>, id: i64) -> Result<Option<i64>, DbError> {
    let tenant = crate::db_run!(conn, |c| {
        sites::table
            .filter(sites::id.eq(id))
            .filter(sites::deleted_at.is_null())
            .select(sites::tenant_id)
            .first::<i64>(c)
            .await
            .optional()
    })?;
    Ok(tenant)
}
