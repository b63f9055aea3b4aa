//! Rotation patterns as stored: a site's named lists of segments, with the date a person on
//! offset 0 starts it. Removed softly, so the audit log's targets stay resolvable.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::dishes::name_key;

use crate::rotation::pattern::{Pattern, Segment};
use crate::schema::{offshore_crew, offshore_patterns as table};

/// The most patterns one site keeps.
pub const MAX_PER_SITE: i64 = 50;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct PatternRow {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub segments: String,
    pub anchor_date: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PatternRow {
    /// The stored segments; written only from checked patterns.
    pub fn segments(&self) -> Vec<Segment> {
        serde_json::from_str(&self.segments).unwrap_or_default()
    }

    pub fn pattern(&self) -> Option<Pattern> {
        Pattern::new(self.segments()).ok()
    }
}

/// What a pattern holds.
#[derive(Debug, Clone)]
pub struct PatternFields<'a> {
    pub name: &'a str,
    pub segments: &'a [Segment],
    pub anchor_date: NaiveDate,
}

fn segments_text(segments: &[Segment]) -> String {
    serde_json::to_string(segments).unwrap_or_else(|_| "[]".to_owned())
}

pub async fn list(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<PatternRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .order((table::name_key, table::id))
            .select(PatternRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<PatternRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .select(PatternRow::as_select())
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

/// Whether another live pattern of the site has this name (case and spacing aside).
pub async fn name_taken(
    conn: &mut DbConn<'_>,
    site_id: i64,
    name: &str,
    except_id: Option<i64>,
) -> Result<bool, DbError> {
    let key = name_key(name);
    let n = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::name_key.eq(&key))
            .filter(table::deleted_at.is_null())
            .filter(table::id.ne(except_id.unwrap_or(-1)))
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n > 0)
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    fields: &PatternFields<'_>,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(tenant_id),
                table::site_id.eq(site_id),
                table::name.eq(fields.name),
                table::name_key.eq(name_key(fields.name)),
                table::segments.eq(segments_text(fields.segments)),
                table::anchor_date.eq(fields.anchor_date),
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
    row: &PatternRow,
    fields: &PatternFields<'_>,
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
            table::name_key.eq(name_key(fields.name)),
            table::segments.eq(segments_text(fields.segments)),
            table::anchor_date.eq(fields.anchor_date),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Removes the pattern if the stored version is still the one read.
pub async fn mark_deleted(conn: &mut DbConn<'_>, row: &PatternRow) -> Result<bool, DbError> {
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
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// How many live crew follow the pattern.
pub async fn followers(conn: &mut DbConn<'_>, pattern_id: i64) -> Result<i64, DbError> {
    let n = db_run!(conn, |c| {
        offshore_crew::table
            .filter(offshore_crew::pattern_id.eq(pattern_id))
            .filter(offshore_crew::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n)
}
