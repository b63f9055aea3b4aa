//! The audit log. Every security- or business-relevant change writes its row through
//! [`record`] on the same connection, inside the same transaction, as the change itself: a
//! change that rolls back leaves no row, and no change commits without one.

pub mod api;
pub mod query;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;

use crate::db::{DbConn, DbError};
use crate::schema::audit_log;

/// Who did it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub token_id: Option<i64>,
    /// The superuser acting inside a tenant, when impersonating.
    pub impersonator_id: Option<i64>,
}

/// One audit row to write.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub tenant_id: Option<i64>,
    pub actor: Actor,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub details: Value,
    /// What the write changed for the cache of ready answers; `None`: anything of the tenant
    /// (see [`Entry::invalidation`]).
    pub invalidates: Option<crate::answers::Invalidation>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, actor: Actor, tenant_id: Option<i64>) -> Self {
        Self {
            tenant_id,
            actor,
            action,
            target_type: None,
            target_id: None,
            details: Value::Object(serde_json::Map::new()),
            invalidates: None,
        }
    }

    /// Names exactly what the write changed, when that is less than the whole tenant.
    pub fn invalidates(mut self, invalidation: crate::answers::Invalidation) -> Self {
        self.invalidates = Some(invalidation);
        self
    }

    /// What the write makes stale: what it named, else the tenant's credentials for API
    /// tokens, else nothing for sessions and reads (they change no answer), else everything
    /// of its tenant, else everything.
    pub fn invalidation(&self) -> Option<crate::answers::Invalidation> {
        use crate::answers::Invalidation;
        if self.invalidates.is_some() {
            return self.invalidates;
        }
        if self.action.starts_with("token.") {
            return Some(
                self.tenant_id
                    .map_or(Invalidation::Everything, Invalidation::Credentials),
            );
        }
        if changes_no_answer(self.action) {
            return None;
        }
        Some(
            self.tenant_id
                .map_or(Invalidation::Everything, Invalidation::Tenant),
        )
    }

    pub fn target(mut self, kind: &'a str, id: impl ToString) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Actions that record who did something without changing what any page or report shows.
fn changes_no_answer(action: &str) -> bool {
    const PREFIXES: [&str; 3] = ["auth.", "impersonation.", "audit."];
    const ACTIONS: [&str; 2] = ["user.language_chosen", "user.reset_link_created"];
    PREFIXES.iter().any(|prefix| action.starts_with(prefix))
        || ACTIONS.contains(&action)
        || action.ends_with(".read")
}

/// Writes the row; call it on the transaction's connection. It also announces what the write
/// changed to the cache of ready answers: to this instance and, on PostgreSQL, to the others
/// after the request's handler returns (`answers::pending`); a write outside a request tells
/// the others by `NOTIFY` inside its transaction (delivered when, and only if, it commits).
pub async fn record(conn: &mut DbConn<'_>, entry: Entry<'_>) -> Result<(), DbError> {
    let invalidation = entry.invalidation();
    let others_told_after = invalidation.is_some_and(crate::answers::pending::announce);
    let details = entry.details.to_string();
    let request_id = crate::http::request_id::current();
    let insert = diesel::insert_into(audit_log::table).values((
        audit_log::occurred_at.eq(crate::db::now()),
        audit_log::tenant_id.eq(entry.tenant_id),
        audit_log::actor_user_id.eq(entry.actor.user_id),
        audit_log::actor_token_id.eq(entry.actor.token_id),
        audit_log::impersonator_id.eq(entry.actor.impersonator_id),
        audit_log::action.eq(entry.action),
        audit_log::target_type.eq(entry.target_type),
        audit_log::target_id.eq(&entry.target_id),
        audit_log::details.eq(&details),
        audit_log::request_id.eq(&request_id),
    ));
    match (conn, invalidation) {
        // Other instances hear of the change when it commits; the notice and the row go out
        // together (pipelined), one round trip.
        (DbConn::Postgres(c), Some(invalidation)) if !others_told_after => {
            let shared: &diesel_async::AsyncPgConnection = c;
            let notify = crate::db::Cached(
                diesel::sql_query("SELECT pg_notify($1, $2)")
                    .bind::<diesel::sql_types::Text, _>(crate::answers::listen::CHANNEL)
                    .bind::<diesel::sql_types::Text, _>(invalidation.payload()),
            );
            futures_util::future::try_join(
                notify.execute(&mut &*shared),
                insert.execute(&mut &*shared),
            )
            .await?;
        }
        (DbConn::Postgres(c), _) => {
            insert.execute(*c).await?;
        }
        (DbConn::Sqlite(c), _) => {
            insert.execute(*c).await?;
        }
    }
    Ok(())
}

/// A stored audit row.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    /// UTC.
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: chrono::NaiveDateTime,
    pub tenant_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    pub impersonator_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub details: String,
    pub request_id: Option<String>,
}

/// The newest rows of a tenant (all tenants for `None`), newest first.
pub async fn recent(
    conn: &mut DbConn<'_>,
    tenant_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        let mut query = audit_log::table
            .select(AuditRow::as_select())
            .order(audit_log::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(tenant) = tenant_id {
            query = query.filter(audit_log::tenant_id.eq(tenant));
        }
        query.load(c).await
    })?;
    Ok(rows)
}
