//! Offshore periods marked as exceptions (Framework Regulations section 42: one period may be
//! extended up to the site's extended limit in exceptional cases), with the reason.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::schema::offshore_period_exceptions as table;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct ExceptionRow {
    pub id: i64,
    pub site_id: i64,
    pub crew_id: i64,
    pub first_date: NaiveDate,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub async fn list(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<ExceptionRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .order((table::first_date, table::crew_id))
            .select(ExceptionRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<ExceptionRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .select(ExceptionRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// Marks the period; `None` when it is already marked.
pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    crew_id: i64,
    first_date: NaiveDate,
    reason: &str,
    created_by: Option<i64>,
) -> Result<Option<i64>, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(tenant_id),
                table::site_id.eq(site_id),
                table::crew_id.eq(crew_id),
                table::first_date.eq(first_date),
                table::reason.eq(reason),
                table::created_by.eq(created_by),
                table::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .returning(table::id)
            .get_result::<i64>(c)
            .await
            .optional()
    })?;
    Ok(id)
}

pub async fn delete(conn: &mut DbConn<'_>, id: i64) -> Result<bool, DbError> {
    let count = db_run!(conn, |c| {
        diesel::delete(table::table.filter(table::id.eq(id)))
            .execute(c)
            .await
    })?;
    Ok(count == 1)
}
