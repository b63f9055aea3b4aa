//! The "remember to order" checklist as stored: per site and ISO week, lines kitchen staff add
//! and tick off. Lines are removed softly (`deleted_at`), so the audit log's targets stay
//! resolvable.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::schema::users;

use crate::schema::order_reminders;

/// The most live lines one week's list may hold; the list is read whole, unpaginated.
pub const MAX_PER_WEEK: i64 = 100;

/// One line of the checklist.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_reminders)]
pub struct OrderReminder {
    pub id: i64,
    pub tenant_id: i64,
    pub site_id: i64,
    pub year: i32,
    pub week: i32,
    pub text: String,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<i64>,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The week's live lines, oldest first.
pub async fn list(
    conn: &mut DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
) -> Result<Vec<OrderReminder>, DbError> {
    let rows = galley_core::db_run!(conn, |c| {
        order_reminders::table
            .filter(order_reminders::site_id.eq(site_id))
            .filter(order_reminders::year.eq(week.year))
            .filter(order_reminders::week.eq(week.week as i32))
            .filter(order_reminders::deleted_at.is_null())
            .order((order_reminders::created_at, order_reminders::id))
            .select(OrderReminder::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// How many live lines the week holds.
pub async fn count(conn: &mut DbConn<'_>, site_id: i64, week: IsoWeek) -> Result<i64, DbError> {
    let n = galley_core::db_run!(conn, |c| {
        order_reminders::table
            .filter(order_reminders::site_id.eq(site_id))
            .filter(order_reminders::year.eq(week.year))
            .filter(order_reminders::week.eq(week.week as i32))
            .filter(order_reminders::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n)
}

/// A live line of this site's week; another week's id is not found here.
pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
    id: i64,
) -> Result<Option<OrderReminder>, DbError> {
    let row = galley_core::db_run!(conn, |c| {
        order_reminders::table
            .filter(order_reminders::id.eq(id))
            .filter(order_reminders::site_id.eq(site_id))
            .filter(order_reminders::year.eq(week.year))
            .filter(order_reminders::week.eq(week.week as i32))
            .filter(order_reminders::deleted_at.is_null())
            .select(OrderReminder::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    week: IsoWeek,
    text: &str,
    created_by: Option<i64>,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = galley_core::db_run!(conn, |c| {
        diesel::insert_into(order_reminders::table)
            .values((
                order_reminders::tenant_id.eq(tenant_id),
                order_reminders::site_id.eq(site_id),
                order_reminders::year.eq(week.year),
                order_reminders::week.eq(week.week as i32),
                order_reminders::text.eq(text),
                order_reminders::created_by.eq(created_by),
                order_reminders::version.eq(1_i64),
                order_reminders::created_at.eq(now),
                order_reminders::updated_at.eq(now),
            ))
            .returning(order_reminders::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// What a line should hold after a change.
#[derive(Debug, Clone)]
pub struct LineFields<'a> {
    pub text: &'a str,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<i64>,
}

/// Applies `fields` if the stored version is still the one read; `false` when another write
/// came first.
pub async fn update(
    conn: &mut DbConn<'_>,
    line: &OrderReminder,
    fields: &LineFields<'_>,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = galley_core::db_run!(conn, |c| {
        diesel::update(
            order_reminders::table
                .filter(order_reminders::id.eq(line.id))
                .filter(order_reminders::version.eq(line.version))
                .filter(order_reminders::deleted_at.is_null()),
        )
        .set((
            order_reminders::text.eq(fields.text),
            order_reminders::done_at.eq(fields.done_at),
            order_reminders::done_by.eq(fields.done_by),
            order_reminders::version.eq(line.version + 1),
            order_reminders::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Removes the line if the stored version is still the one read.
pub async fn mark_deleted(conn: &mut DbConn<'_>, line: &OrderReminder) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = galley_core::db_run!(conn, |c| {
        diesel::update(
            order_reminders::table
                .filter(order_reminders::id.eq(line.id))
                .filter(order_reminders::version.eq(line.version))
                .filter(order_reminders::deleted_at.is_null()),
        )
        .set((
            order_reminders::deleted_at.eq(Some(now)),
            order_reminders::version.eq(line.version + 1),
            order_reminders::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// The display names of some users, for "ticked off by".
pub async fn names_of(
    conn: &mut DbConn<'_>,
    user_ids: &[i64],
) -> Result<HashMap<i64, String>, DbError> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = galley_core::db_run!(conn, |c| {
        users::table
            .filter(users::id.eq_any(user_ids))
            .select((users::id, users::display_name))
            .load(c)
            .await
    })?;
    Ok(rows.into_iter().collect())
}
