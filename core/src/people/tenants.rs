use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::tenants;

/// The kinds of customer; each matches the module that serves it.
pub const KINDS: [&str; 2] = ["municipal", "offshore"];

pub async fn insert(conn: &mut DbConn<'_>, name: &str, kind: &str) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(tenants::table)
            .values((
                tenants::name.eq(name),
                tenants::kind.eq(kind),
                tenants::version.eq(1_i64),
                tenants::created_at.eq(now),
                tenants::updated_at.eq(now),
            ))
            .returning(tenants::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}
