//! Password-reset links issued by an admin: a random secret in the URL, stored only as a keyed
//! hash, valid for [`VALID_FOR`], usable once, and only while the account is live and enabled.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::users::{User, live_tenants};
use crate::db::{DbConn, DbError};
use crate::schema::{password_resets, users};

/// How long a link works after it is made.
pub const VALID_FOR: Duration = Duration::hours(24);

/// Stores a new link for `user_id` and returns when it expires: after [`VALID_FOR`], or at
/// `not_after` if sooner (the end of the impersonation it was made in). Older open links of the
/// user stop working: only the newest one issued is good.
pub async fn create(
    conn: &mut DbConn<'_>,
    token_hash: &str,
    user_id: i64,
    created_by: i64,
    not_after: Option<NaiveDateTime>,
) -> Result<NaiveDateTime, DbError> {
    let now = crate::db::now();
    let expires_at = not_after.map_or(now + VALID_FOR, |end| end.min(now + VALID_FOR));
    void_open(conn, user_id).await?;
    crate::db_run!(conn, |c| {
        diesel::insert_into(password_resets::table)
            .values((
                password_resets::token_hash.eq(token_hash),
                password_resets::user_id.eq(user_id),
                password_resets::created_by.eq(created_by),
                password_resets::created_at.eq(now),
                password_resets::expires_at.eq(expires_at),
            ))
            .execute(c)
            .await
    })?;
    Ok(expires_at)
}

/// The account a link resets, if the link is unused and unexpired and the account is live,
/// enabled and in a live tenant.
pub async fn find_usable(conn: &mut DbConn<'_>, token_hash: &str) -> Result<Option<User>, DbError> {
    let now = crate::db::now();
    let user = crate::db_run!(conn, |c| {
        password_resets::table
            .inner_join(users::table.on(users::id.eq(password_resets::user_id)))
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now))
            .filter(users::deleted_at.is_null())
            .filter(users::disabled_at.is_null())
            .filter(
                users::tenant_id
                    .is_null()
                    .or(users::tenant_id.eq_any(live_tenants())),
            )
            .select(User::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(user)
}

/// Marks the link used; `false` if it was used or expired meanwhile (a second submit racing
/// the first), in which case the caller must change nothing.
pub async fn consume(conn: &mut DbConn<'_>, token_hash: &str) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            password_resets::table
                .filter(password_resets::token_hash.eq(token_hash))
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(now)),
        )
        .set(password_resets::used_at.eq(Some(now)))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Ends every open link of a user (it expires now), e.g. once the password has been reset.
pub async fn void_open(conn: &mut DbConn<'_>, user_id: i64) -> Result<usize, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            password_resets::table
                .filter(password_resets::user_id.eq(user_id))
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(now)),
        )
        .set(password_resets::expires_at.eq(now))
        .execute(c)
        .await
    })?;
    Ok(count)
}
