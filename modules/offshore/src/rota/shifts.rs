//! The shifts a site's schedule holds: one row per person per day on board. Applying a
//! generation replaces the range's rows of the crew it covers in one transaction; publishing
//! makes drafts visible to the crew.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::rotation::generate::Shift;
use crate::schema::offshore_shifts as table;

/// Rows per insert statement: well under SQLite's bound-parameter limit.
const INSERT_CHUNK: usize = 500;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct ShiftRow {
    pub id: i64,
    pub site_id: i64,
    pub crew_id: i64,
    pub date: NaiveDate,
    pub kind: String,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

/// Every shift of the site from `first` to `last`, by date then crew.
pub async fn between(
    conn: &mut DbConn<'_>,
    site_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<ShiftRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::date.between(first, last))
            .order((table::date, table::crew_id, table::starts_at, table::id))
            .select(ShiftRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// One person's shifts from `first` to `last`; only published ones when `published_only`.
pub async fn of_crew(
    conn: &mut DbConn<'_>,
    crew_id: i64,
    first: NaiveDate,
    last: NaiveDate,
    published_only: bool,
) -> Result<Vec<ShiftRow>, DbError> {
    let rows = db_run!(conn, |c| {
        let mut query = table::table
            .filter(table::crew_id.eq(crew_id))
            .filter(table::date.between(first, last))
            .into_boxed();
        if published_only {
            query = query.filter(table::published_at.is_not_null());
        }
        query
            .order((table::date, table::starts_at, table::id))
            .select(ShiftRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<ShiftRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .select(ShiftRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// Replaces the shifts of `crew_ids` from `first` to `last` with `shifts` (drafts). Returns
/// how many rows were removed.
pub async fn replace(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    crew_ids: &[i64],
    (first, last): (NaiveDate, NaiveDate),
    shifts: &[Shift],
) -> Result<usize, DbError> {
    let removed = db_run!(conn, |c| {
        diesel::delete(
            table::table
                .filter(table::site_id.eq(site_id))
                .filter(table::crew_id.eq_any(crew_ids))
                .filter(table::date.between(first, last)),
        )
        .execute(c)
        .await
    })?;
    let now = galley_core::db::now();
    for chunk in shifts.chunks(INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|shift| {
                (
                    table::tenant_id.eq(tenant_id),
                    table::site_id.eq(site_id),
                    table::crew_id.eq(shift.crew_id),
                    table::date.eq(shift.date),
                    table::kind.eq(shift.kind.as_str()),
                    table::starts_at.eq(shift.span.map(|s| s.starts_at.naive_utc())),
                    table::ends_at.eq(shift.span.map(|s| s.ends_at.naive_utc())),
                    table::version.eq(1_i64),
                    table::created_at.eq(now),
                    table::updated_at.eq(now),
                )
            })
            .collect();
        // diesel batches multi-row inserts on PostgreSQL only; on SQLite the rows go one by
        // one inside the caller's transaction, in process, which is as fast.
        match conn {
            DbConn::Postgres(c) => {
                diesel::insert_into(table::table)
                    .values(&rows)
                    .execute(c)
                    .await?;
            }
            DbConn::Sqlite(c) => {
                for row in rows {
                    diesel::insert_into(table::table)
                        .values(row)
                        .execute(c)
                        .await?;
                }
            }
        }
    }
    Ok(removed)
}

/// Publishes the drafts of the range; how many.
pub async fn publish(
    conn: &mut DbConn<'_>,
    site_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<usize, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::site_id.eq(site_id))
                .filter(table::date.between(first, last))
                .filter(table::published_at.is_null()),
        )
        .set((
            table::published_at.eq(Some(now)),
            table::version.eq(table::version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count)
}

/// What one shift holds after an edit.
#[derive(Debug, Clone, Copy)]
pub struct ShiftFields {
    pub crew_id: i64,
    pub kind: &'static str,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
}

/// Applies `fields` if the stored version is still the one read.
pub async fn update(
    conn: &mut DbConn<'_>,
    row: &ShiftRow,
    fields: &ShiftFields,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::id.eq(row.id))
                .filter(table::version.eq(row.version)),
        )
        .set((
            table::crew_id.eq(fields.crew_id),
            table::kind.eq(fields.kind),
            table::starts_at.eq(fields.starts_at),
            table::ends_at.eq(fields.ends_at),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}
