//! Prep tasks and their status history as stored. Every status a task takes, its first one
//! included, is a history row written in the same transaction as the task.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::schema::users;

use super::status::Status;
use crate::schema::offshore_prep_history as history;
use crate::schema::offshore_prep_tasks as table;

/// The most live tasks one day of one site keeps.
pub const MAX_PER_DAY: i64 = 200;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct TaskRow {
    pub id: i64,
    pub site_id: i64,
    pub date: NaiveDate,
    pub title: String,
    pub notes: String,
    pub status: String,
    pub position: i32,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TaskRow {
    /// Written only from checked statuses (and the table's check).
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Todo)
    }
}

/// One status change, with the name of who made it.
#[derive(Debug, Clone)]
pub struct Change {
    pub task_id: i64,
    pub from: Option<Status>,
    pub to: Status,
    pub by: Option<i64>,
    pub by_name: Option<String>,
    pub at: NaiveDateTime,
    pub note: Option<String>,
}

/// What a task says, apart from its status.
#[derive(Debug, Clone)]
pub struct TaskFields<'a> {
    pub title: &'a str,
    pub notes: &'a str,
    pub position: i32,
}

/// The live tasks of a day, in order.
pub async fn day(
    conn: &mut DbConn<'_>,
    site_id: i64,
    date: NaiveDate,
) -> Result<Vec<TaskRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::date.eq(date))
            .filter(table::deleted_at.is_null())
            .order((table::position, table::id))
            .select(TaskRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<TaskRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .select(TaskRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// The live task of that day with exactly this title, if any.
pub async fn titled(
    conn: &mut DbConn<'_>,
    site_id: i64,
    date: NaiveDate,
    title: &str,
) -> Result<Option<i64>, DbError> {
    let id = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::date.eq(date))
            .filter(table::title.eq(title))
            .filter(table::deleted_at.is_null())
            .select(table::id)
            .first::<i64>(c)
            .await
            .optional()
    })?;
    Ok(id)
}

/// The history of some tasks, oldest first, with the names of who changed them.
pub async fn changes(conn: &mut DbConn<'_>, task_ids: &[i64]) -> Result<Vec<Change>, DbError> {
    type Raw = (
        i64,
        Option<String>,
        String,
        Option<i64>,
        NaiveDateTime,
        Option<String>,
    );
    let rows: Vec<Raw> = db_run!(conn, |c| {
        history::table
            .filter(history::task_id.eq_any(task_ids))
            .order((history::task_id, history::changed_at, history::id))
            .select((
                history::task_id,
                history::from_status,
                history::to_status,
                history::changed_by,
                history::changed_at,
                history::note,
            ))
            .load(c)
            .await
    })?;
    let mut people: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
    people.sort_unstable();
    people.dedup();
    let names: Vec<(i64, String)> = db_run!(conn, |c| {
        users::table
            .filter(users::id.eq_any(&people))
            .select((users::id, users::display_name))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(task_id, from, to, by, at, note)| Change {
            task_id,
            from: from.as_deref().and_then(Status::parse),
            to: Status::parse(&to).unwrap_or(Status::Todo),
            by,
            by_name: by.and_then(|id| {
                names
                    .iter()
                    .find(|(user, _)| *user == id)
                    .map(|(_, name)| name.clone())
            }),
            at,
            note,
        })
        .collect())
}

pub async fn count_day(
    conn: &mut DbConn<'_>,
    site_id: i64,
    date: NaiveDate,
) -> Result<i64, DbError> {
    let n = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::date.eq(date))
            .filter(table::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n)
}

/// The position after the day's last task.
pub async fn next_position(
    conn: &mut DbConn<'_>,
    site_id: i64,
    date: NaiveDate,
) -> Result<i32, DbError> {
    let last: Option<i32> = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::date.eq(date))
            .filter(table::deleted_at.is_null())
            .select(diesel::dsl::max(table::position))
            .first(c)
            .await
    })?;
    Ok(last.map_or(0, |p| (p + 1).min(10_000)))
}

/// Who and where a new task belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub tenant_id: i64,
    pub site_id: i64,
    pub date: NaiveDate,
    pub created_by: Option<i64>,
}

/// Adds a `todo` task and its first history row; `None` when the day already has a live task
/// with this title (the table's unique index decides, so a race cannot double a task).
pub async fn insert(
    conn: &mut DbConn<'_>,
    owner: Owner,
    fields: &TaskFields<'_>,
    note: Option<&str>,
) -> Result<Option<i64>, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(owner.tenant_id),
                table::site_id.eq(owner.site_id),
                table::date.eq(owner.date),
                table::title.eq(fields.title),
                table::notes.eq(fields.notes),
                table::status.eq(Status::Todo.as_str()),
                table::position.eq(fields.position),
                table::version.eq(1_i64),
                table::created_by.eq(owner.created_by),
                table::created_at.eq(now),
                table::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .returning(table::id)
            .get_result::<i64>(c)
            .await
            .optional()
    })?;
    if let Some(id) = id {
        record(conn, id, (None, Status::Todo), owner.created_by, note).await?;
    }
    Ok(id)
}

/// Writes one history row.
pub async fn record(
    conn: &mut DbConn<'_>,
    task_id: i64,
    (from, to): (Option<Status>, Status),
    by: Option<i64>,
    note: Option<&str>,
) -> Result<(), DbError> {
    let now = galley_core::db::now();
    db_run!(conn, |c| {
        diesel::insert_into(history::table)
            .values((
                history::task_id.eq(task_id),
                history::from_status.eq(from.map(Status::as_str)),
                history::to_status.eq(to.as_str()),
                history::changed_by.eq(by),
                history::changed_at.eq(now),
                history::note.eq(note),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Applies `fields` and `status` if the stored version is still the one read; a new status
/// also writes its history row. The caller's transaction holds both.
pub async fn update(
    conn: &mut DbConn<'_>,
    row: &TaskRow,
    fields: &TaskFields<'_>,
    (status, by): (Status, Option<i64>),
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
            table::title.eq(fields.title),
            table::notes.eq(fields.notes),
            table::position.eq(fields.position),
            table::status.eq(status.as_str()),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    if count != 1 {
        return Ok(false);
    }
    if status != row.status() {
        record(conn, row.id, (Some(row.status()), status), by, None).await?;
    }
    Ok(true)
}

/// Removes the task if the stored version is still the one read (its history stays).
pub async fn mark_deleted(conn: &mut DbConn<'_>, row: &TaskRow) -> Result<bool, DbError> {
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
