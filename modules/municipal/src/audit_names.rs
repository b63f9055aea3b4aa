//! Names for the municipal module's audit targets, for the audit viewer: departments (deleted
//! ones too, since the log outlives them) and order reminders, one query each per page.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::schema::departments;

/// `(target_type, target_id, name)` for the departments among `targets`.
pub async fn names(
    conn: &mut DbConn<'_>,
    tenant_id: Option<i64>,
    targets: &[(String, String)],
) -> Result<Vec<(String, String, String)>, DbError> {
    let ids: Vec<i64> = targets
        .iter()
        .filter(|(kind, _)| kind == "department")
        .filter_map(|(_, id)| id.parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, i64, String)> = db_run!(conn, |c| {
        departments::table
            .filter(departments::id.eq_any(&ids))
            .select((departments::id, departments::tenant_id, departments::name))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter(|(_, tenant, _)| tenant_id.is_none_or(|t| t == *tenant))
        .map(|(id, _, name)| ("department".to_owned(), id.to_string(), name))
        .collect())
}
