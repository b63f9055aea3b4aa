//! API tokens for integrations: random, shown once, stored as a keyed hash, scoped to one
//! tenant with a role-like scope, expiring and revocable.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::auth::{Caller, Credential, Role, token};
use crate::db::DbError;
use crate::schema::{api_tokens, tenants};
use crate::state::AppState;

/// The caller an API token stands for, if it is live and its tenant exists.
pub async fn resolve(state: &AppState, secret: &str) -> Result<Option<Caller>, DbError> {
    let hash = token::hash(&state.settings.secret_key, secret);
    let now = crate::db::now();
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let found: Option<(i64, i64, String)> = crate::db_run!(conn, |c| {
        api_tokens::table
            .inner_join(tenants::table)
            .filter(api_tokens::token_hash.eq(&hash))
            .filter(api_tokens::revoked_at.is_null())
            .filter(
                api_tokens::expires_at
                    .is_null()
                    .or(api_tokens::expires_at.gt(now)),
            )
            .filter(tenants::deleted_at.is_null())
            .select((api_tokens::id, api_tokens::tenant_id, api_tokens::role))
            .first(c)
            .await
            .optional()
    })?;
    let Some((token_id, tenant_id, role)) = found else {
        return Ok(None);
    };
    crate::db_run!(conn, |c| {
        diesel::update(api_tokens::table.find(token_id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(c)
            .await
    })?;
    Ok(Role::parse(&role).map(|role| Caller {
        user_id: None,
        email: None,
        role,
        tenant_id: Some(tenant_id),
        site_id: None,
        credential: Credential::ApiToken { token_id },
        impersonator_id: None,
    }))
}
