//! `galley seed-bench`: the load benchmark's data set. By default one tenant in an empty
//! database; with `--tenants N`, N more tenants added to whatever the database holds (the
//! scale benchmark grows its data set that way).

use galley_core::auth::{Role, password, token};
use galley_core::config::Settings;
use galley_core::db::{DbConn, DbPool};
use galley_core::module::Registry;
use galley_core::people::{api_tokens, sites, tenants, users};
use galley_core::server::StartError;
use galley_municipal::bench_data::{self, Shape};

/// How many tenants, and of how many kitchens.
#[derive(Debug, Clone, Copy)]
pub struct What {
    /// `None`: one tenant, in an empty database only. `Some(n)`: `n` tenants more.
    pub tenants: Option<usize>,
    /// Kitchens per tenant (1 to 3): the measured one first.
    pub kitchens: usize,
}

const KITCHENS: [&str; 3] = ["Storköket", "Norra köket", "Södra köket"];

pub async fn seed(
    settings: &Settings,
    registry: &'static Registry,
    shape: Shape,
    what: What,
) -> Result<(), StartError> {
    galley_core::db::migrate::run_pending(&settings.database_url, registry)
        .await
        .map_err(|e| StartError::database(settings, &e))?;
    let failed = |e: galley_core::db::DbError| StartError::database(settings, &e);
    let pool = DbPool::connect(&settings.database_url, 1)
        .await
        .map_err(failed)?;
    let mut pooled = pool.get().await.map_err(failed)?;
    let conn = &mut pooled.conn();
    let (_, existing) = tenants::list(conn, 0, 1).await.map_err(failed)?;
    let adding = match what.tenants {
        None if existing > 0 => {
            return Err(StartError::Command(
                "seed-bench fills an empty database only; this one has tenants (--tenants N adds to it)"
                    .into(),
            ));
        }
        None => 1,
        Some(n) => n,
    };
    let hash = password::hash("bench-password-not-for-use".into())
        .await
        .map_err(|e| StartError::Command(e.to_string()))?;
    for n in 0..adding {
        // The first tenant of a database is named as it always was; later ones by number.
        let number = existing + n as i64 + 1;
        let verbose = what.tenants.is_none();
        let loud = |step: &str| eprintln!("seed-bench: {step}");
        let quiet = |_: &str| {};
        let progress: &(dyn Fn(&str) + Sync) = if verbose { &loud } else { &quiet };
        progress("tenant, kitchens, an admin and an API token");
        let line = seed_tenant(
            conn,
            settings,
            &hash,
            number,
            shape,
            what.kitchens,
            progress,
        )
        .await
        .map_err(failed)?;
        if !verbose {
            eprintln!("seed-bench: tenant {} of {adding} (number {number})", n + 1);
        }
        println!("{line}");
    }
    Ok(())
}

/// One tenant with its kitchens, an admin, an API token and the data set; the JSON line that
/// tells the benchmark what to aim at.
async fn seed_tenant(
    conn: &mut DbConn<'_>,
    settings: &Settings,
    hash: &str,
    number: i64,
    shape: Shape,
    kitchens: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<serde_json::Value, galley_core::db::DbError> {
    let (name, email) = if number == 1 {
        (
            "Bänkby kommun".to_owned(),
            "bench-admin@example.invalid".to_owned(),
        )
    } else {
        (
            format!("Bänkby kommun {number}"),
            format!("bench-admin-{number}@example.invalid"),
        )
    };
    let tenant = tenants::insert(conn, &name, "municipal").await?;
    let mut site_ids = Vec::new();
    for kitchen in KITCHENS.iter().take(kitchens.clamp(1, KITCHENS.len())) {
        site_ids.push(sites::insert(conn, tenant, kitchen, "Europe/Stockholm").await?);
    }
    let admin = users::insert(
        conn,
        &users::NewUser {
            tenant_id: Some(tenant),
            site_id: None,
            email: &email,
            display_name: "Bench",
            role: Role::Admin,
            password_hash: hash,
        },
    )
    .await?;
    let secret = token::generate();
    api_tokens::insert(
        conn,
        &api_tokens::NewToken {
            tenant_id: tenant,
            name: "load benchmark",
            role: Role::Admin,
            token_hash: &token::hash(&settings.secret_key, &secret),
            token_prefix: &secret[..8],
            created_by: admin,
            expires_at: None,
        },
    )
    .await?;
    let seeded = bench_data::seed(conn, tenant, &site_ids, shape, progress).await?;
    let weeks: Vec<[u32; 2]> = seeded
        .weeks
        .iter()
        .map(|w| [w.year as u32, w.week])
        .collect();
    let mondays: Vec<String> = seeded
        .weeks
        .iter()
        .map(|w| w.monday().to_string())
        .collect();
    Ok(serde_json::json!({
        "tenant": tenant,
        "token": secret,
        "site": site_ids[0],
        "departments": seeded.departments[0],
        "diets": seeded.diets[0],
        "weeks": weeks,
        "mondays": mondays,
    }))
}
