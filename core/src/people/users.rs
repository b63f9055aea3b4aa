use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::auth::Role;
use crate::db::{DbConn, DbError};
use crate::schema::users;

/// A user row as stored (the password hash never leaves the auth code).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
}

/// E-mail addresses compare case-insensitively; they are stored lower-cased and trimmed.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible address: one `@`, something on both sides, a dot in the domain, no spaces.
pub fn check_email(email: &str) -> Result<(), String> {
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if valid {
        Ok(())
    } else {
        Err("is not an e-mail address like name@example.se".into())
    }
}

/// The live (not deleted) account for an address, disabled or not.
pub async fn find_live_by_email(
    conn: &mut DbConn<'_>,
    email: &str,
) -> Result<Option<User>, DbError> {
    let email = normalise_email(email);
    let user = crate::db_run!(conn, |c| {
        users::table
            .filter(users::email.eq(&email))
            .filter(users::deleted_at.is_null())
            .select(User::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(user)
}

pub async fn find(conn: &mut DbConn<'_>, id: i64) -> Result<Option<User>, DbError> {
    let user = crate::db_run!(conn, |c| {
        users::table
            .find(id)
            .select(User::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(user)
}

/// What a new account needs; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub async fn insert(conn: &mut DbConn<'_>, new: &NewUser<'_>) -> Result<i64, DbError> {
    let now = crate::db::now();
    let email = normalise_email(new.email);
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(users::table)
            .values((
                users::tenant_id.eq(new.tenant_id),
                users::site_id.eq(new.site_id),
                users::email.eq(&email),
                users::display_name.eq(new.display_name),
                users::role.eq(new.role.as_str()),
                users::password_hash.eq(new.password_hash),
                users::password_changed_at.eq(now),
                users::version.eq(1_i64),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .returning(users::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// Disables or re-enables an account; a disabled account's sessions stop working at once
/// because every request checks `disabled_at`.
pub async fn set_disabled(conn: &mut DbConn<'_>, id: i64, disabled: bool) -> Result<(), DbError> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((
                users::disabled_at.eq(disabled.then_some(now)),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1_i64),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Soft delete: the row stays for the audit trail; sign-in and sessions stop at once.
pub async fn mark_deleted(conn: &mut DbConn<'_>, id: i64) -> Result<(), DbError> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((
                users::deleted_at.eq(Some(now)),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1_i64),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}
