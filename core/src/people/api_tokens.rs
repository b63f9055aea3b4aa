//! API tokens for integrations: random, shown once, stored as a keyed hash, scoped to one
//! tenant with a role-like scope, expiring and revocable.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::auth::{Caller, Credential, Role, token};
use crate::db::{DbConn, DbError};
use crate::schema::{api_tokens, tenants, users};
use crate::state::AppState;

/// What a live API token grants, remembered between requests (see [`resolve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenGrant {
    pub token_id: i64,
    pub tenant_id: i64,
    pub role: Role,
}

impl TokenGrant {
    fn caller(self) -> Caller {
        Caller {
            user_id: None,
            email: None,
            role: self.role,
            tenant_id: Some(self.tenant_id),
            site_id: None,
            credential: Credential::ApiToken {
                token_id: self.token_id,
            },
            impersonator_id: None,
            impersonation_until: None,
            language: None,
        }
    }
}

/// How long a token's grant is taken from memory before the database is asked again. Writes
/// that end a token (revoking it, disabling or deleting its maker, deleting the tenant) end
/// it at once through the ready answers' invalidations; this bounds only `last_used_at`,
/// which is written when the database is asked and more than a minute has passed.
const GRANT_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// The caller an API token stands for, if it is live and its tenant exists.
pub async fn resolve(state: &AppState, secret: &str) -> Result<Option<Caller>, DbError> {
    let hash = token::hash(&state.settings.secret_key, secret);
    if let Some(grant) = state.token_grants.get(&hash) {
        return Ok(Some(grant.caller()));
    }
    let ticket = state.token_grants.ticket();
    let now = crate::db::now();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    // A token stops with the person who made it: disabling or deleting them ends it too.
    let live_creators = users::table
        .filter(users::deleted_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(users::id);
    type Found = (
        i64,
        i64,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    let found: Option<Found> = crate::db_run!(conn, |c| {
        api_tokens::table
            .inner_join(tenants::table)
            .filter(api_tokens::created_by.eq_any(live_creators))
            .filter(api_tokens::token_hash.eq(&hash))
            .filter(api_tokens::revoked_at.is_null())
            .filter(
                api_tokens::expires_at
                    .is_null()
                    .or(api_tokens::expires_at.gt(now)),
            )
            .filter(tenants::deleted_at.is_null())
            .select((
                api_tokens::id,
                api_tokens::tenant_id,
                api_tokens::role,
                api_tokens::last_used_at,
                api_tokens::expires_at,
            ))
            .first(c)
            .await
            .optional()
    })?;
    let Some((token_id, tenant_id, role, last_used_at, expires_at)) = found else {
        return Ok(None);
    };
    // Written at most once a minute, not on every request of a busy integration.
    if last_used_at.is_none_or(|at| now - at > chrono::Duration::minutes(1)) {
        crate::db_run!(conn, |c| {
            diesel::update(api_tokens::table.find(token_id))
                .set(api_tokens::last_used_at.eq(now))
                .execute(c)
                .await
        })?;
    }
    let Some(role) = Role::parse(&role) else {
        return Ok(None);
    };
    let grant = TokenGrant {
        token_id,
        tenant_id,
        role,
    };
    let left = expires_at.map_or(GRANT_FRESH_FOR, |until| {
        (until - now).to_std().unwrap_or_default()
    });
    state.token_grants.put(
        hash,
        ticket,
        &[crate::answers::Scope::Credentials(tenant_id)],
        left.min(GRANT_FRESH_FOR),
        grant,
    );
    Ok(Some(grant.caller()))
}

/// How many leading characters of a secret are kept to tell tokens apart in lists.
pub const PREFIX_LEN: usize = 8;

/// A token as listed: everything but the hash (the secret itself is never stored).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub role: String,
    pub token_prefix: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// What a new token needs; the secret is already hashed.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub tenant_id: i64,
    pub name: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    pub created_by: i64,
    pub expires_at: Option<NaiveDateTime>,
}

pub async fn insert(conn: &mut DbConn<'_>, new: &NewToken<'_>) -> Result<i64, DbError> {
    let now = crate::db::now();
    let id = crate::db_run!(conn, |c| {
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::tenant_id.eq(new.tenant_id),
                api_tokens::name.eq(new.name),
                api_tokens::role.eq(new.role.as_str()),
                api_tokens::token_hash.eq(new.token_hash),
                api_tokens::token_prefix.eq(new.token_prefix),
                api_tokens::created_by.eq(new.created_by),
                api_tokens::created_at.eq(now),
                api_tokens::expires_at.eq(new.expires_at),
            ))
            .returning(api_tokens::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// A token of the tenant, revoked or not; another tenant's token is simply not found.
pub async fn find(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    id: i64,
) -> Result<Option<ApiToken>, DbError> {
    let found = crate::db_run!(conn, |c| {
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::tenant_id.eq(tenant_id))
            .select(ApiToken::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// One page of the tenant's tokens, revoked ones included, newest first, and the total.
pub async fn list(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ApiToken>, i64), DbError> {
    let result = crate::db_run!(conn, |c| {
        let items = api_tokens::table
            .filter(api_tokens::tenant_id.eq(tenant_id))
            .order(api_tokens::id.desc())
            .offset(offset)
            .limit(limit)
            .select(ApiToken::as_select())
            .load(c)
            .await?;
        let total = api_tokens::table
            .filter(api_tokens::tenant_id.eq(tenant_id))
            .count()
            .get_result::<i64>(c)
            .await?;
        Ok::<_, diesel::result::Error>((items, total))
    })?;
    Ok(result)
}

/// Revokes a live token of the tenant; `false` if it was revoked already (or is not the
/// tenant's). [`resolve`] refuses it from the next request on.
pub async fn revoke(conn: &mut DbConn<'_>, tenant_id: i64, id: i64) -> Result<bool, DbError> {
    let now = crate::db::now();
    let count = crate::db_run!(conn, |c| {
        diesel::update(
            api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::tenant_id.eq(tenant_id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}
