//! Messages to a galley: to everyone on a site, a role, a crew position or one person, with
//! read receipts. [`audience`] decides who reads what; [`store`] keeps messages and receipts.

pub mod audience;
pub mod store;

use chrono::NaiveDateTime;
use galley_core::auth::{Caller, Role};
use galley_core::db::{DbConn, DbError};
use galley_core::people::{sites, users};

use self::audience::Reader;
use crate::rota::crew;

/// The most sites and people a tenant's message rules look at.
const MAX_TENANT_ROWS: i64 = 10_000;

/// What one tenant's message rules need: its sites and its crew linked to accounts.
pub struct TenantPeople {
    pub site_ids: Vec<i64>,
    /// (user, site, position)
    pub links: Vec<(i64, i64, crate::rotation::position::Position)>,
}

impl TenantPeople {
    pub async fn load(conn: &mut DbConn<'_>, tenant_id: i64) -> Result<TenantPeople, DbError> {
        let (sites, _) = sites::list(conn, tenant_id, 0, MAX_TENANT_ROWS).await?;
        let links = crew::account_links(conn, tenant_id).await?;
        Ok(TenantPeople {
            site_ids: sites.iter().map(|site| site.id).collect(),
            links,
        })
    }

    pub fn reader(&self, user_id: Option<i64>, role: Role, bound_site: Option<i64>) -> Reader {
        let positions: Vec<_> = self
            .links
            .iter()
            .filter(|(user, _, _)| Some(*user) == user_id)
            .map(|&(_, site, position)| (site, position))
            .collect();
        Reader::new(user_id, role, bound_site, &self.site_ids, &positions)
    }
}

/// The reader the caller is.
pub async fn reader_of(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    tenant_id: i64,
) -> Result<Reader, DbError> {
    let people = TenantPeople::load(conn, tenant_id).await?;
    Ok(people.reader(caller.user_id, caller.role, caller.site_id))
}

/// One person a message reaches, and when they read it.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: i64,
    pub name: String,
    pub read_at: Option<NaiveDateTime>,
}

/// A tenant's people with their accounts: who each message reaches.
pub struct Directory {
    pub people: TenantPeople,
    pub accounts: Vec<users::User>,
}

impl Directory {
    pub async fn load(conn: &mut DbConn<'_>, tenant_id: i64) -> Result<Directory, DbError> {
        let people = TenantPeople::load(conn, tenant_id).await?;
        let (accounts, _) = users::list(conn, tenant_id, 0, MAX_TENANT_ROWS).await?;
        Ok(Directory { people, accounts })
    }

    /// The display name of an account of the tenant.
    pub fn name_of(&self, user_id: i64) -> Option<&str> {
        self.accounts
            .iter()
            .find(|user| user.id == user_id)
            .map(|user| user.display_name.as_str())
    }

    /// Everyone with an active account whom a message with `key` reaches, by name, with when
    /// they read it (`reads`: (message, user, when) rows of this message).
    pub fn recipients(&self, key: &str, reads: &[(i64, i64, NaiveDateTime)]) -> Vec<Recipient> {
        let mut out: Vec<Recipient> = self
            .accounts
            .iter()
            .filter(|user| user.disabled_at.is_none())
            .filter_map(|user| {
                let role = Role::parse(&user.role)?;
                self.people
                    .reader(Some(user.id), role, user.site_id)
                    .reads(key)
                    .then(|| Recipient {
                        user_id: user.id,
                        name: user.display_name.clone(),
                        read_at: reads
                            .iter()
                            .find(|(_, reader, _)| *reader == user.id)
                            .map(|(_, _, at)| *at),
                    })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        out
    }
}
