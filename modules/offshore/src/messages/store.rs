//! Messages and read receipts as stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use super::audience::Audience;
use crate::schema::offshore_message_reads as reads;
use crate::schema::offshore_messages as table;

/// The longest message, in characters.
pub const MAX_BODY: usize = 2_000;
/// The most messages one page of a list holds.
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct MessageRow {
    pub id: i64,
    pub site_id: i64,
    pub author_id: Option<i64>,
    pub audience_kind: String,
    pub audience_value: String,
    pub audience_key: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

impl MessageRow {
    /// Written only from checked audiences (and the table's check).
    pub fn audience(&self) -> Audience {
        Audience::from_stored(&self.audience_kind, &self.audience_value).unwrap_or(Audience::Site)
    }
}

/// A message as one reader sees it: with when they read it.
#[derive(Debug, Clone)]
pub struct Received {
    pub message: MessageRow,
    pub read_at: Option<NaiveDateTime>,
}

/// Which of a reader's messages a list holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    /// Only those the reader has not read.
    pub unread_only: bool,
    pub site_id: Option<i64>,
    /// Only messages with an id below this (the page before).
    pub before: Option<i64>,
    pub limit: i64,
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    (tenant_id, site_id): (i64, i64),
    author_id: Option<i64>,
    audience: Audience,
    body: &str,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(tenant_id),
                table::site_id.eq(site_id),
                table::author_id.eq(author_id),
                table::audience_kind.eq(audience.kind()),
                table::audience_value.eq(audience.value()),
                table::audience_key.eq(audience.key(site_id)),
                table::body.eq(body),
                table::created_at.eq(now),
            ))
            .returning(table::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// The messages whose key is one of `keys`, newest first, with when `user_id` read them.
pub async fn received(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    keys: &[String],
    user_id: Option<i64>,
    window: Window,
) -> Result<Vec<Received>, DbError> {
    // A token has no receipts: no row can match user 0.
    let reader = user_id.unwrap_or(0);
    let rows = db_run!(conn, |c| {
        let mut query = table::table
            .left_join(
                reads::table.on(reads::message_id
                    .eq(table::id)
                    .and(reads::user_id.eq(reader))),
            )
            .filter(table::tenant_id.eq(tenant_id))
            .filter(table::deleted_at.is_null())
            .filter(table::audience_key.eq_any(keys))
            .select((MessageRow::as_select(), reads::read_at.nullable()))
            .order(table::id.desc())
            .limit(window.limit)
            .into_boxed();
        if window.unread_only {
            query = query.filter(reads::read_at.is_null());
        }
        if let Some(site_id) = window.site_id {
            query = query.filter(table::site_id.eq(site_id));
        }
        if let Some(before) = window.before {
            query = query.filter(table::id.lt(before));
        }
        query.load::<(MessageRow, Option<NaiveDateTime>)>(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(message, read_at)| Received { message, read_at })
        .collect())
}

/// How many of the messages whose key is one of `keys` `user_id` has not read, per site.
pub async fn unread_per_site(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    keys: &[String],
    user_id: i64,
) -> Result<Vec<(i64, i64)>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .left_join(
                reads::table.on(reads::message_id
                    .eq(table::id)
                    .and(reads::user_id.eq(user_id))),
            )
            .filter(table::tenant_id.eq(tenant_id))
            .filter(table::deleted_at.is_null())
            .filter(table::audience_key.eq_any(keys))
            .filter(reads::read_at.is_null())
            .group_by(table::site_id)
            .select((table::site_id, diesel::dsl::count_star()))
            .order(table::site_id)
            .load::<(i64, i64)>(c)
            .await
    })?;
    Ok(rows)
}

/// A live message of the tenant.
pub async fn find(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    id: i64,
) -> Result<Option<MessageRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::tenant_id.eq(tenant_id))
            .filter(table::deleted_at.is_null())
            .select(MessageRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// The site's messages, newest first.
pub async fn of_site(
    conn: &mut DbConn<'_>,
    site_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<MessageRow>, DbError> {
    let rows = db_run!(conn, |c| {
        let mut query = table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .select(MessageRow::as_select())
            .order(table::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(table::id.lt(before));
        }
        query.load(c).await
    })?;
    Ok(rows)
}

/// Who read which of `message_ids`, and when.
pub async fn reads_of(
    conn: &mut DbConn<'_>,
    message_ids: &[i64],
) -> Result<Vec<(i64, i64, NaiveDateTime)>, DbError> {
    let rows = db_run!(conn, |c| {
        reads::table
            .filter(reads::message_id.eq_any(message_ids))
            .select((reads::message_id, reads::user_id, reads::read_at))
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// Records that `user_id` read the message; reading it again keeps the first time.
/// `true` when this was the first read.
pub async fn mark_read(
    conn: &mut DbConn<'_>,
    message_id: i64,
    user_id: i64,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let inserted = db_run!(conn, |c| {
        diesel::insert_into(reads::table)
            .values((
                reads::message_id.eq(message_id),
                reads::user_id.eq(user_id),
                reads::read_at.eq(now),
            ))
            .on_conflict((reads::message_id, reads::user_id))
            .do_nothing()
            .execute(c)
            .await
    })?;
    Ok(inserted == 1)
}

/// Soft-deletes a message; `false` when it was already gone.
pub async fn mark_deleted(conn: &mut DbConn<'_>, message_id: i64) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::id.eq(message_id))
                .filter(table::deleted_at.is_null()),
        )
        .set(table::deleted_at.eq(now))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}
