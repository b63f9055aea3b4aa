//! Names for the offshore module's audit targets, for the audit viewer: crew members (removed
//! ones too, since the log outlives them), one query per page.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::schema::offshore_crew;

/// `(target_type, target_id, name)` for the crew members among `targets`.
pub async fn names(
    conn: &mut DbConn<'_>,
    tenant_id: Option<i64>,
    targets: &[(String, String)],
) -> Result<Vec<(String, String, String)>, DbError> {
    let ids: Vec<i64> = targets
        .iter()
        .filter(|(kind, _)| kind == "offshore_crew")
        .filter_map(|(_, id)| id.parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, i64, String)> = db_run!(conn, |c| {
        offshore_crew::table
            .filter(offshore_crew::id.eq_any(&ids))
            .select((
                offshore_crew::id,
                offshore_crew::tenant_id,
                offshore_crew::name,
            ))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter(|(_, tenant, _)| tenant_id.is_none_or(|t| t == *tenant))
        .map(|(id, _, name)| ("offshore_crew".to_owned(), id.to_string(), name))
        .collect())
}
