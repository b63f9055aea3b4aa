//! Private calendar feeds as stored: a keyed hash of the secret in the feed's URL, the person
//! whose shifts it serves, and when it was revoked. A person has at most one live feed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::schema::offshore_calendar_feeds as table;

// Kept beside the only code that reads it rather than in `schema.rs`: nothing joins it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct FeedRow {
    pub id: i64,
    pub tenant_id: i64,
    pub site_id: i64,
    pub crew_id: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// The live feed whose secret hashes to `token_hash`. Unknown and revoked hashes take the same
/// one indexed lookup and both give `None`.
pub async fn live_by_hash(
    conn: &mut DbConn<'_>,
    token_hash: &str,
) -> Result<Option<FeedRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::token_hash.eq(token_hash))
            .filter(table::revoked_at.is_null())
            .select(FeedRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// Revokes the person's live feed; the id of the one revoked, if any.
pub async fn revoke(conn: &mut DbConn<'_>, crew_id: i64) -> Result<Option<i64>, DbError> {
    let now = galley_core::db::now();
    let revoked = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::crew_id.eq(crew_id))
                .filter(table::revoked_at.is_null()),
        )
        .set(table::revoked_at.eq(Some(now)))
        .returning(table::id)
        .get_results::<i64>(c)
        .await
    })?;
    Ok(revoked.into_iter().next())
}

pub struct NewFeed<'a> {
    pub tenant_id: i64,
    pub site_id: i64,
    pub crew_id: i64,
    pub token_hash: &'a str,
    pub created_by: Option<i64>,
}

pub async fn insert(conn: &mut DbConn<'_>, new: &NewFeed<'_>) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(new.tenant_id),
                table::site_id.eq(new.site_id),
                table::crew_id.eq(new.crew_id),
                table::token_hash.eq(new.token_hash),
                table::created_by.eq(new.created_by),
                table::created_at.eq(now),
            ))
            .returning(table::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}
