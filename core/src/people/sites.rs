use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{DbConn, DbError};
use crate::schema::sites;

pub async fn insert(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    name: &str,
    timezone: &str,
) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(sites::table)
            .values((
                sites::tenant_id.eq(tenant_id),
                sites::name.eq(name),
                sites::timezone.eq(timezone),
                sites::version.eq(1_i64),
                sites::created_at.eq(now),
                sites::updated_at.eq(now),
            ))
            .returning(sites::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}
