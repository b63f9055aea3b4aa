//! Reading and pruning the audit log. Every reader takes the tenant scope explicitly, so a
//! caller cannot forget it.

use chrono::{NaiveDateTime, SecondsFormat, SubsecRound, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;

use super::{Actor, AuditRow, Entry};
use crate::db::{DbConn, DbError};
use crate::schema::audit_log;

diesel::define_sql_function! {
    /// `substr(text, start, length)`, 1-based, counted in characters on both backends.
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// Whose rows a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One tenant's rows.
    Tenant(i64),
    /// Every row, platform rows (no tenant) included: superusers only.
    All,
}

/// How `action` is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionMatch {
    Exact(String),
    /// Actions starting with this text (which ends in `.`), compared case-sensitively.
    Prefix(String),
}

/// The optional filters of an audit query, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub action: Option<ActionMatch>,
    pub actor_user_id: Option<i64>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Inclusive, naive UTC.
    pub from: Option<NaiveDateTime>,
    /// Exclusive, naive UTC.
    pub to: Option<NaiveDateTime>,
    /// Leave out reads (actions ending in `.read`, `.viewed` or `.exported`).
    pub without_reads: bool,
}

/// The endings of actions that record a read, not a change.
pub const READ_ENDINGS: [&str; 3] = [".read", ".viewed", ".exported"];

/// Whether an action records a read (someone looked or downloaded) rather than a change.
pub fn is_read(action: &str) -> bool {
    READ_ENDINGS.iter().any(|ending| action.ends_with(ending))
}

/// The rows of `scope` that pass `filter` as a boxed query of whichever backend the
/// surrounding `db_run!` arm uses.
macro_rules! filtered {
    ($scope:expr, $filter:expr) => {{
        let filter: &Filter = $filter;
        let mut query = audit_log::table.into_boxed();
        if let Scope::Tenant(tenant) = $scope {
            query = query.filter(audit_log::tenant_id.eq(tenant));
        }
        match &filter.action {
            Some(ActionMatch::Exact(action)) => {
                query = query.filter(audit_log::action.eq(action.clone()));
            }
            Some(ActionMatch::Prefix(prefix)) => {
                // Not LIKE: `_` is a wildcard there and its case rules differ by backend.
                let length = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
                query = query.filter(substr(audit_log::action, 1, length).eq(prefix.clone()));
            }
            None => {}
        }
        if let Some(actor) = filter.actor_user_id {
            query = query.filter(audit_log::actor_user_id.eq(actor));
        }
        if let Some(kind) = &filter.target_type {
            query = query.filter(audit_log::target_type.eq(kind.clone()));
        }
        if let Some(id) = &filter.target_id {
            query = query.filter(audit_log::target_id.eq(id.clone()));
        }
        if let Some(from) = filter.from {
            query = query.filter(audit_log::occurred_at.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(audit_log::occurred_at.lt(to));
        }
        if filter.without_reads {
            // LIKE is safe here: the patterns hold no `_`, and actions are lower-case ASCII.
            for ending in READ_ENDINGS {
                query = query.filter(audit_log::action.not_like(format!("%{ending}")));
            }
        }
        query
    }};
}

/// One page of matching rows, newest first (by id), and how many match in all.
pub async fn page(
    conn: &mut DbConn<'_>,
    scope: Scope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditRow>, i64), DbError> {
    let (items, total) = crate::db_run!(conn, |c| {
        let items = filtered!(scope, filter)
            .select(AuditRow::as_select())
            .order(audit_log::id.desc())
            .offset(offset)
            .limit(limit)
            .load(c)
            .await?;
        let total = filtered!(scope, filter)
            .count()
            .get_result::<i64>(c)
            .await?;
        Ok::<_, diesel::result::Error>((items, total))
    })?;
    Ok((items, total))
}

/// At most `limit` matching rows, newest first (by id).
pub async fn matching(
    conn: &mut DbConn<'_>,
    scope: Scope,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        filtered!(scope, filter)
            .select(AuditRow::as_select())
            .order(audit_log::id.desc())
            .limit(limit)
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The shortest retention a prune accepts: the audit trail is evidence, and a typo such as
/// `7d` for `7w` must not wipe it.
pub const MIN_RETENTION_DAYS: i64 = 30;

/// Reads a retention age such as `365d`, `52w` or `12h` (hours, days, weeks) and refuses one
/// shorter than [`MIN_RETENTION_DAYS`]; the error is one line for an operator.
pub fn retention(text: &str) -> Result<TimeDelta, String> {
    let bad = || format!("`{text}` is not an age such as 365d, 52w or 12h");
    let (number, hours_per_unit) = if let Some(number) = text.strip_suffix('h') {
        (number, 1)
    } else if let Some(number) = text.strip_suffix('d') {
        (number, 24)
    } else if let Some(number) = text.strip_suffix('w') {
        (number, 24 * 7)
    } else {
        return Err(bad());
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let age = number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(hours_per_unit))
        .and_then(TimeDelta::try_hours)
        .ok_or_else(bad)?;
    if age < TimeDelta::days(MIN_RETENTION_DAYS) {
        return Err(format!(
            "refusing to prune rows younger than {MIN_RETENTION_DAYS} days ({text} asked): \
             retention protects the audit trail"
        ));
    }
    Ok(age)
}

/// The time `age` ago in whole seconds, naive UTC as stored; `None` when that is before the
/// calendar begins.
pub fn cutoff(age: TimeDelta) -> Option<NaiveDateTime> {
    Utc::now()
        .trunc_subsecs(0)
        .checked_sub_signed(age)
        .map(|at| at.naive_utc())
}

/// A stored time as RFC 3339 UTC to the second, e.g. `2025-01-31T08:00:00Z`.
pub fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What a prune at `cutoff` would remove: how many rows, the oldest and the newest time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PruneSummary {
    pub rows: i64,
    pub oldest: Option<NaiveDateTime>,
    pub newest: Option<NaiveDateTime>,
}

/// Every tenant's rows older than `cutoff`, counted; nothing is changed.
pub async fn older_than(
    conn: &mut DbConn<'_>,
    cutoff: NaiveDateTime,
) -> Result<PruneSummary, DbError> {
    use diesel::dsl::{count_star, max, min};
    let (rows, oldest, newest) = crate::db_run!(conn, |c| {
        audit_log::table
            .filter(audit_log::occurred_at.lt(cutoff))
            .select((
                count_star(),
                min(audit_log::occurred_at),
                max(audit_log::occurred_at),
            ))
            .get_result::<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)>(c)
            .await
    })?;
    Ok(PruneSummary {
        rows,
        oldest,
        newest,
    })
}

/// Deletes every row older than `cutoff`, oldest first, in transactions of at most `chunk`
/// rows so that writers are never blocked for long, and calls `progress(deleted_now, total)`
/// after each. The last chunk's transaction also writes one `audit.pruned` row with the count
/// and the cutoff; when nothing was old enough, nothing is written at all. Returns the total.
pub async fn prune(
    conn: &mut DbConn<'_>,
    cutoff: NaiveDateTime,
    chunk: i64,
    actor: Actor,
    details: serde_json::Value,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, DbError> {
    let chunk = chunk.max(1);
    let mut total: u64 = 0;
    loop {
        let done_before = total;
        let details = &details;
        let deleted = crate::transaction!(conn, |tx| {
            let ids = crate::db_run!(&mut *tx, |c| {
                audit_log::table
                    .filter(audit_log::occurred_at.lt(cutoff))
                    .select(audit_log::id)
                    .order(audit_log::id.asc())
                    .limit(chunk)
                    .load::<i64>(c)
                    .await
            })?;
            let deleted = if ids.is_empty() {
                0
            } else {
                crate::db_run!(&mut *tx, |c| {
                    diesel::delete(audit_log::table.filter(audit_log::id.eq_any(&ids)))
                        .execute(c)
                        .await
                })?
            };
            let deleted = u64::try_from(deleted).unwrap_or(0);
            let last = i64::try_from(ids.len()).unwrap_or(i64::MAX) < chunk;
            let pruned = done_before + deleted;
            if last && pruned > 0 {
                let mut details = details.clone();
                if let Some(map) = details.as_object_mut() {
                    map.insert("deleted".into(), json!(pruned));
                    map.insert("cutoff".into(), json!(rfc3339(cutoff)));
                }
                super::record(tx, Entry::new("audit.pruned", actor, None).details(details)).await?;
            }
            Ok::<_, DbError>((deleted, last))
        })?;
        let (deleted, last) = deleted;
        total += deleted;
        if deleted > 0 {
            progress(deleted, total);
        }
        if last {
            return Ok(total);
        }
    }
}
