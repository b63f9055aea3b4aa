//! Server-side sessions: an opaque random cookie value, stored only as a keyed hash, with an
//! idle and an absolute expiry, revocable at once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::{sessions, users};

pub const COOKIE: &str = "galley_session";
/// A session unused this long ends.
pub const IDLE: Duration = Duration::hours(12);
/// A session ends this long after sign-in, used or not.
pub const ABSOLUTE: Duration = Duration::days(14);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A live session with its user, as the auth layer needs them.
#[derive(Debug, Clone, Queryable)]
pub struct LiveSession {
    pub token_hash: String,
    pub csrf_token: String,
    pub last_seen_at: NaiveDateTime,
    pub acting_tenant_id: Option<i64>,
    pub impersonation_expires_at: Option<NaiveDateTime>,
    pub user_id: i64,
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
    pub email: String,
    pub role: String,
    pub language: Option<String>,
    /// The language of the user's site, their default.
    pub site_language: Option<String>,
}

pub async fn create(
    conn: &mut DbConn<'_>,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
) -> Result<(), DbError> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::token_hash.eq(token_hash),
                sessions::user_id.eq(user_id),
                sessions::csrf_token.eq(csrf_token),
                sessions::created_at.eq(now),
                sessions::last_seen_at.eq(now),
                sessions::expires_at.eq(now + ABSOLUTE),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// The session for a cookie, if it is live and its user may still sign in.
pub async fn find_live(
    conn: &mut DbConn<'_>,
    token_hash: &str,
) -> Result<Option<LiveSession>, DbError> {
    let now = crate::db::now();
    let found = crate::db_run!(conn, |c| {
        sessions::table
            .inner_join(users::table)
            .filter(sessions::token_hash.eq(token_hash))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::last_seen_at.gt(now - IDLE))
            .filter(users::disabled_at.is_null())
            .filter(users::deleted_at.is_null())
            .filter(
                users::tenant_id
                    .is_null()
                    .or(users::tenant_id.eq_any(crate::people::users::live_tenants())),
            )
            .select((
                sessions::token_hash,
                sessions::csrf_token,
                sessions::last_seen_at,
                sessions::acting_tenant_id,
                sessions::impersonation_expires_at,
                users::id,
                users::tenant_id,
                users::site_id,
                users::email,
                users::role,
                users::language,
                crate::schema::sites::table
                    .filter(crate::schema::sites::id.nullable().eq(users::site_id))
                    .select(crate::schema::sites::language)
                    .single_value(),
            ))
            .first::<LiveSession>(c)
            .await
            .optional()
    })?;
    if let Some(session) = &found
        && now - session.last_seen_at > TOUCH_EVERY
    {
        touch(conn, &session.token_hash, now).await?;
    }
    Ok(found)
}

async fn touch(conn: &mut DbConn<'_>, token_hash: &str, now: NaiveDateTime) -> Result<(), DbError> {
    crate::db_run!(conn, |c| {
        diesel::update(sessions::table.find(token_hash))
            .set(sessions::last_seen_at.eq(now))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn revoke(conn: &mut DbConn<'_>, token_hash: &str) -> Result<(), DbError> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        diesel::update(sessions::table.find(token_hash))
            .set(sessions::revoked_at.eq(now))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Ends every live session of a user except `keep` (the one changing its own password).
pub async fn revoke_all_for_user(
    conn: &mut DbConn<'_>,
    user_id: i64,
    keep: Option<&str>,
) -> Result<usize, DbError> {
    let now = crate::db::now();
    let keep = keep.unwrap_or_default().to_owned();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::token_hash.ne(&keep)),
        )
        .set(sessions::revoked_at.eq(now))
        .execute(c)
        .await
    })?;
    Ok(count)
}
