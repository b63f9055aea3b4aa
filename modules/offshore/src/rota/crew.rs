//! The crew of a site's galley as stored: who they are, their position, the pattern they
//! follow from which offset, and optionally the user account that is them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::rotation::position::Position;
use crate::schema::offshore_crew as table;

/// The most live crew one site keeps.
pub const MAX_PER_SITE: i64 = 500;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct CrewRow {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub position: String,
    pub user_id: Option<i64>,
    pub pattern_id: Option<i64>,
    pub start_offset_days: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl CrewRow {
    /// Written only from checked positions.
    pub fn position(&self) -> Position {
        Position::parse(&self.position).unwrap_or(Position::Cook)
    }
}

#[derive(Debug, Clone)]
pub struct CrewFields<'a> {
    pub name: &'a str,
    pub position: Position,
    pub user_id: Option<i64>,
    pub pattern_id: Option<i64>,
    pub start_offset_days: i32,
}

pub async fn list(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<CrewRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .order((table::name, table::id))
            .select(CrewRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<CrewRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .select(CrewRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// Every crew member the site ever had, removed ones too (for the names on old shifts).
pub async fn all(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<CrewRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .order((table::name, table::id))
            .select(CrewRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The live crew member a user account is, if any.
pub async fn of_user(conn: &mut DbConn<'_>, user_id: i64) -> Result<Option<CrewRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::user_id.eq(user_id))
            .filter(table::deleted_at.is_null())
            .select(CrewRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

pub async fn count(conn: &mut DbConn<'_>, site_id: i64) -> Result<i64, DbError> {
    let n = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n)
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    fields: &CrewFields<'_>,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(tenant_id),
                table::site_id.eq(site_id),
                table::name.eq(fields.name),
                table::position.eq(fields.position.as_str()),
                table::user_id.eq(fields.user_id),
                table::pattern_id.eq(fields.pattern_id),
                table::start_offset_days.eq(fields.start_offset_days),
                table::version.eq(1_i64),
                table::created_at.eq(now),
                table::updated_at.eq(now),
            ))
            .returning(table::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// Applies `fields` if the stored version is still the one read.
pub async fn update(
    conn: &mut DbConn<'_>,
    row: &CrewRow,
    fields: &CrewFields<'_>,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::id.eq(row.id))
                .filter(table::version.eq(row.version))
                .filter(table::deleted_at.is_null()),
        )
        .set((
            table::name.eq(fields.name),
            table::position.eq(fields.position.as_str()),
            table::user_id.eq(fields.user_id),
            table::pattern_id.eq(fields.pattern_id),
            table::start_offset_days.eq(fields.start_offset_days),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Removes the crew member if the stored version is still the one read.
pub async fn mark_deleted(conn: &mut DbConn<'_>, row: &CrewRow) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::id.eq(row.id))
                .filter(table::version.eq(row.version))
                .filter(table::deleted_at.is_null()),
        )
        .set((
            table::deleted_at.eq(Some(now)),
            table::user_id.eq(None::<i64>),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Every live crew member of the tenant linked to an account: (user, site, position).
pub async fn account_links(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
) -> Result<Vec<(i64, i64, Position)>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::tenant_id.eq(tenant_id))
            .filter(table::deleted_at.is_null())
            .filter(table::user_id.is_not_null())
            .select((
                table::user_id.assume_not_null(),
                table::site_id,
                table::position,
            ))
            .load::<(i64, i64, String)>(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, site, position)| Some((user, site, Position::parse(&position)?)))
        .collect())
}
