//! Creating accounts from the command line: the first superuser, and the local demo data.

use serde_json::json;

use crate::audit::{self, Actor, Entry};
use crate::auth::{Role, password};
use crate::db::{DbConn, DbError};
use crate::module::{DemoContext, Registry};
use crate::people::{sites, tenants, users};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("email {0}")]
    Email(String),
    #[error("password {0}")]
    Password(String),
    #[error("an account with the e-mail address {0} already exists")]
    Exists(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Hash(#[from] password::HashError),
}

/// Creates a superuser (no tenant), audited as done from the command line.
pub async fn create_superuser(
    conn: &mut DbConn<'_>,
    email: &str,
    password_text: &str,
) -> Result<i64, AccountError> {
    let email = users::normalise_email(email);
    users::check_email(&email).map_err(AccountError::Email)?;
    password::check_policy(password_text, &email).map_err(AccountError::Password)?;
    if users::find_live_by_email(conn, &email).await?.is_some() {
        return Err(AccountError::Exists(email));
    }
    let hash = password::hash(password_text.to_owned()).await?;
    let id = crate::transaction!(conn, |tx| {
        let id = users::insert(
            tx,
            &users::NewUser {
                tenant_id: None,
                site_id: None,
                email: &email,
                display_name: "Superuser",
                role: Role::Superuser,
                password_hash: &hash,
            },
        )
        .await?;
        audit::record(
            tx,
            Entry::new("user.created", Actor::default(), None)
                .target("user", id)
                .details(json!({ "role": "superuser", "via": "cli" })),
        )
        .await?;
        Ok::<i64, DbError>(id)
    })?;
    Ok(id)
}

/// The demo data set's shared password; demo data exists only in `local`.
pub const DEMO_PASSWORD: &str = "galley-demo-kitchen";
pub const DEMO_DOMAIN: &str = "demo.galley.test";

/// One login of the demo data set.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
}

/// One login per role, then the ones modules add to the data set (made by their
/// `seed_demo`, listed by `Module::demo_logins`).
fn demo_logins(registry: &Registry) -> Vec<DemoLogin> {
    let own = Role::ALL.iter().map(|role| DemoLogin {
        role: *role,
        email: format!("{}@{DEMO_DOMAIN}", role.as_str()),
    });
    let modules = registry.modules().iter().flat_map(|module| {
        module.demo_logins().iter().map(|(role, local)| DemoLogin {
            role: *role,
            email: format!("{local}@{DEMO_DOMAIN}"),
        })
    });
    own.chain(modules).collect()
}

/// Creates the demo tenant, site and one user per role unless the demo superuser exists
/// (local runs call this at every start); returns the logins.
pub async fn ensure_demo(
    conn: &mut DbConn<'_>,
    registry: &Registry,
) -> Result<Vec<DemoLogin>, AccountError> {
    let logins = demo_logins(registry);
    if users::find_live_by_email(conn, &logins[0].email)
        .await?
        .is_some()
    {
        return Ok(logins);
    }
    create_demo(conn, registry, logins).await
}

/// `galley demo`: puts the demo data set back as new. The current demo accounts and their
/// tenants are retired (soft-deleted, audited) and a fresh set is made, whatever was changed,
/// disabled or deleted meanwhile.
pub async fn recreate_demo(
    conn: &mut DbConn<'_>,
    registry: &Registry,
) -> Result<Vec<DemoLogin>, AccountError> {
    let mut tenants_to_retire = std::collections::BTreeSet::new();
    crate::transaction!(conn, |tx| {
        for login in demo_logins(registry) {
            if let Some(user) = users::find_live_by_email(tx, &login.email).await? {
                if let Some(tenant) = user.tenant_id {
                    tenants_to_retire.insert(tenant);
                }
                users::mark_deleted(tx, &user).await?;
                audit::record(
                    tx,
                    Entry::new("user.deleted", Actor::default(), user.tenant_id)
                        .target("user", user.id)
                        .details(json!({ "via": "demo" })),
                )
                .await?;
            }
        }
        for id in &tenants_to_retire {
            if let Some(tenant) = tenants::find(tx, *id).await? {
                tenants::mark_deleted(tx, &tenant).await?;
                audit::record(
                    tx,
                    Entry::new("tenant.deleted", Actor::default(), Some(*id))
                        .target("tenant", *id)
                        .details(json!({ "via": "demo" })),
                )
                .await?;
            }
        }
        Ok::<(), DbError>(())
    })?;
    create_demo(conn, registry, demo_logins(registry)).await
}

async fn create_demo(
    conn: &mut DbConn<'_>,
    registry: &Registry,
    logins: Vec<DemoLogin>,
) -> Result<Vec<DemoLogin>, AccountError> {
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    crate::transaction!(conn, |tx| {
        let tenant = tenants::insert(tx, "Demo kommun", "municipal").await?;
        let site = sites::insert(tx, tenant, "Centralköket", "Europe/Stockholm").await?;
        let mut demo = DemoContext {
            tenant_id: tenant,
            site_id: site,
            users: Vec::new(),
            password_hash: hash.clone(),
        };
        // Modules make their own logins in `seed_demo`.
        for login in logins.iter().take(Role::ALL.len()) {
            let superuser = login.role == Role::Superuser;
            let id = users::insert(
                tx,
                &users::NewUser {
                    tenant_id: (!superuser).then_some(tenant),
                    site_id: (!superuser && login.role != Role::Admin).then_some(site),
                    email: &login.email,
                    display_name: &format!("Demo {}", login.role.as_str()),
                    role: login.role,
                    password_hash: &hash,
                },
            )
            .await?;
            audit::record(
                tx,
                Entry::new(
                    "user.created",
                    Actor::default(),
                    (!superuser).then_some(tenant),
                )
                .target("user", id)
                .details(json!({ "role": login.role.as_str(), "via": "demo" })),
            )
            .await?;
            demo.users.push((login.role, id));
        }
        for module in registry.modules() {
            module.seed_demo(tx, &demo).await?;
        }
        Ok::<(), DbError>(())
    })?;
    Ok(logins)
}
