use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::auth::Role;
use crate::db::{DbConn, DbError};
use crate::schema::{tenants, users};

/// Ids of tenants that are not deleted: the people of a deleted tenant are out with it.
pub(crate) fn live_tenants() -> diesel::dsl::Select<
    diesel::dsl::Filter<tenants::table, diesel::dsl::IsNull<tenants::deleted_at>>,
    diesel::dsl::Nullable<tenants::id>,
> {
    tenants::table
        .filter(tenants::deleted_at.is_null())
        .select(tenants::id.nullable())
}

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
    /// `sv`, `nb` or `en`; none: the site's default applies.
    pub language: Option<String>,
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

/// Stores a new password hash and bumps the version (the account's ETag changes).
pub async fn set_password(
    conn: &mut DbConn<'_>,
    id: i64,
    password_hash: &str,
) -> Result<(), DbError> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::password_changed_at.eq(now),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1_i64),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// The live (not deleted, tenant not deleted) account with this id, disabled or not.
pub async fn find_live(conn: &mut DbConn<'_>, id: i64) -> Result<Option<User>, DbError> {
    let user = crate::db_run!(conn, |c| {
        users::table
            .filter(users::id.eq(id))
            .filter(users::deleted_at.is_null())
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

/// A live user of the tenant; another tenant's user is simply not found.
pub async fn find_in_tenant(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    id: i64,
) -> Result<Option<User>, DbError> {
    let user = crate::db_run!(conn, |c| {
        users::table
            .filter(users::id.eq(id))
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::deleted_at.is_null())
            .select(User::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(user)
}

/// One page of the tenant's live users, by e-mail, and the total.
pub async fn list(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<User>, i64), DbError> {
    let result = crate::db_run!(conn, |c| {
        let items = users::table
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::deleted_at.is_null())
            .order((users::email, users::id))
            .offset(offset)
            .limit(limit)
            .select(User::as_select())
            .load(c)
            .await?;
        let total = users::table
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await?;
        Ok::<_, diesel::result::Error>((items, total))
    })?;
    Ok(result)
}

/// The editable fields of an account, as they should be after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editable {
    pub display_name: String,
    pub role: Role,
    pub site_id: Option<i64>,
    pub disabled: bool,
    pub language: Option<crate::web::lang::Lang>,
}

/// Applies `to` if the stored version is still the one read; `false` when someone was first.
/// Disabling takes effect on the user's very next request: every request re-reads the account.
pub async fn update(conn: &mut DbConn<'_>, user: &User, to: &Editable) -> Result<bool, DbError> {
    let now = crate::db::now();
    let disabled_at = match (user.disabled_at, to.disabled) {
        (Some(at), true) => Some(at),
        (None, true) => Some(now),
        (_, false) => None,
    };
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            users::table
                .filter(users::id.eq(user.id))
                .filter(users::version.eq(user.version)),
        )
        .set((
            users::display_name.eq(&to.display_name),
            users::role.eq(to.role.as_str()),
            users::site_id.eq(to.site_id),
            users::disabled_at.eq(disabled_at),
            users::language.eq(to.language.map(crate::web::lang::Lang::code)),
            users::version.eq(user.version + 1),
            users::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Saves the person's own language choice; `false` when it was already theirs. The version
/// moves on, so an admin's edit made from an older read conflicts instead of undoing it.
pub async fn set_language(
    conn: &mut DbConn<'_>,
    id: i64,
    language: crate::web::lang::Lang,
) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            users::table
                .filter(users::id.eq(id))
                .filter(users::deleted_at.is_null())
                .filter(
                    users::language
                        .ne(language.code())
                        .or(users::language.is_null()),
                ),
        )
        .set((
            users::language.eq(language.code()),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Soft delete, version-checked: the row stays for the audit trail; sign-in and sessions stop
/// at once.
pub async fn mark_deleted(conn: &mut DbConn<'_>, user: &User) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            users::table
                .filter(users::id.eq(user.id))
                .filter(users::version.eq(user.version)),
        )
        .set((
            users::deleted_at.eq(Some(now)),
            users::version.eq(user.version + 1),
            users::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// The ids of the tenant's enabled, undeleted admins, locked until the caller's transaction
/// ends, so that two concurrent changes cannot both see the other admin as still there.
///
/// Call it first in the transaction. PostgreSQL locks the admin rows (`FOR UPDATE`; a waiter
/// re-checks its filter on the committed rows, so it sees a concurrent demotion). SQLite cannot
/// lock rows: a no-op write takes the database's write lock before anything is read, and a
/// second writer waits for it (`busy_timeout`) rather than reading a stale snapshot.
pub async fn lock_active_admins(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
) -> Result<Vec<i64>, DbError> {
    let admin = Role::Admin.as_str();
    let active = users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::role.eq(admin))
        .filter(users::disabled_at.is_null())
        .filter(users::deleted_at.is_null())
        .select(users::id);
    let ids = match conn {
        DbConn::Postgres(c) => active.for_update().load::<i64>(c).await?,
        DbConn::Sqlite(c) => {
            diesel::update(
                users::table
                    .filter(users::tenant_id.eq(tenant_id))
                    .filter(users::role.eq(admin)),
            )
            .set(users::role.eq(users::role))
            .execute(c)
            .await?;
            active.load::<i64>(c).await?
        }
    };
    Ok(ids)
}
