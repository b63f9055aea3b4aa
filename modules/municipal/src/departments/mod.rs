//! Departments of a site as stored, and the users bound to them.

pub mod setup;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::dishes::name_key;

use crate::schema::{department_members, departments};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = departments)]
pub struct Department {
    pub id: i64,
    pub tenant_id: i64,
    pub site_id: i64,
    pub name: String,
    pub residents: i32,
    pub notes: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields of a department as they should be stored.
#[derive(Debug, Clone)]
pub struct DepartmentFields<'a> {
    pub name: &'a str,
    pub residents: i32,
    pub notes: &'a str,
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    fields: &DepartmentFields<'_>,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(departments::table)
            .values((
                departments::tenant_id.eq(tenant_id),
                departments::site_id.eq(site_id),
                departments::name.eq(fields.name),
                departments::name_key.eq(name_key(fields.name)),
                departments::residents.eq(fields.residents),
                departments::notes.eq(fields.notes),
                departments::version.eq(1_i64),
                departments::created_at.eq(now),
                departments::updated_at.eq(now),
            ))
            .returning(departments::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// A live department of the tenant.
pub async fn find(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    id: i64,
) -> Result<Option<Department>, DbError> {
    let row = db_run!(conn, |c| {
        departments::table
            .filter(departments::id.eq(id))
            .filter(departments::tenant_id.eq(tenant_id))
            .filter(departments::deleted_at.is_null())
            .select(Department::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// The site's live departments by name.
pub async fn list(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<Department>, DbError> {
    let rows = db_run!(conn, |c| {
        departments::table
            .filter(departments::site_id.eq(site_id))
            .filter(departments::deleted_at.is_null())
            .order((departments::name_key, departments::id))
            .select(Department::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The site's departments that existed on or after `since` (live ones, and those deleted
/// since), with when each was deleted: a week that is over counts the departments it had.
pub async fn list_existing_since(
    conn: &mut DbConn<'_>,
    site_id: i64,
    since: NaiveDateTime,
) -> Result<Vec<(Department, Option<NaiveDateTime>)>, DbError> {
    let rows = db_run!(conn, |c| {
        departments::table
            .filter(departments::site_id.eq(site_id))
            .filter(
                departments::deleted_at
                    .is_null()
                    .or(departments::deleted_at.ge(since)),
            )
            .order((departments::name_key, departments::id))
            .select((Department::as_select(), departments::deleted_at))
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn name_taken(
    conn: &mut DbConn<'_>,
    site_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    let key = name_key(name);
    let count = db_run!(conn, |c| {
        departments::table
            .filter(departments::site_id.eq(site_id))
            .filter(departments::name_key.eq(&key))
            .filter(departments::deleted_at.is_null())
            .filter(departments::id.ne(except.unwrap_or(0)))
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(count > 0)
}

pub async fn update(
    conn: &mut DbConn<'_>,
    department: &Department,
    fields: &DepartmentFields<'_>,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            departments::table
                .filter(departments::id.eq(department.id))
                .filter(departments::version.eq(department.version)),
        )
        .set((
            departments::name.eq(fields.name),
            departments::name_key.eq(name_key(fields.name)),
            departments::residents.eq(fields.residents),
            departments::notes.eq(fields.notes),
            departments::version.eq(department.version + 1),
            departments::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Moves the department to its next version without changing its own fields: its diet
/// defaults and schedules are part of it, and their writes go through here first.
pub async fn bump(conn: &mut DbConn<'_>, department: &Department) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            departments::table
                .filter(departments::id.eq(department.id))
                .filter(departments::version.eq(department.version)),
        )
        .set((
            departments::version.eq(department.version + 1),
            departments::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Soft delete: reports of past weeks keep naming it. Its members lose their binding.
pub async fn mark_deleted(conn: &mut DbConn<'_>, department: &Department) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            departments::table
                .filter(departments::id.eq(department.id))
                .filter(departments::version.eq(department.version)),
        )
        .set((
            departments::deleted_at.eq(Some(now)),
            departments::version.eq(department.version + 1),
            departments::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    if count == 1 {
        db_run!(conn, |c| {
            diesel::delete(
                department_members::table
                    .filter(department_members::department_id.eq(department.id)),
            )
            .execute(c)
            .await
        })?;
    }
    Ok(count == 1)
}

/// The department a user works for, if bound to a live one.
pub async fn of_user(conn: &mut DbConn<'_>, user_id: i64) -> Result<Option<Department>, DbError> {
    let row = db_run!(conn, |c| {
        department_members::table
            .inner_join(departments::table)
            .filter(department_members::user_id.eq(user_id))
            .filter(departments::deleted_at.is_null())
            .select(Department::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// Binds the user to the department (replacing an earlier binding), or unbinds with `None`.
pub async fn bind_user(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    user_id: i64,
    department_id: Option<i64>,
) -> Result<(), DbError> {
    let now = galley_core::db::now();
    db_run!(conn, |c| {
        diesel::delete(department_members::table.filter(department_members::user_id.eq(user_id)))
            .execute(c)
            .await?;
        if let Some(department_id) = department_id {
            diesel::insert_into(department_members::table)
                .values((
                    department_members::user_id.eq(user_id),
                    department_members::department_id.eq(department_id),
                    department_members::tenant_id.eq(tenant_id),
                    department_members::created_at.eq(now),
                ))
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// The ids of the users bound to the department.
pub async fn members(conn: &mut DbConn<'_>, department_id: i64) -> Result<Vec<i64>, DbError> {
    let rows = db_run!(conn, |c| {
        department_members::table
            .filter(department_members::department_id.eq(department_id))
            .order(department_members::user_id)
            .select(department_members::user_id)
            .load::<i64>(c)
            .await
    })?;
    Ok(rows)
}
