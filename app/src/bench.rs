//! `galley seed-bench`: the load benchmark's data set, made in an empty database only.

use galley_core::auth::{Role, password, token};
use galley_core::config::Settings;
use galley_core::db::DbPool;
use galley_core::module::Registry;
use galley_core::people::{api_tokens, sites, tenants, users};
use galley_core::server::StartError;
use galley_municipal::bench_data::{self, Shape};

pub async fn seed(
    settings: &Settings,
    registry: &'static Registry,
    shape: Shape,
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
    if existing > 0 {
        return Err(StartError::Command(
            "seed-bench fills an empty database only; this one has tenants".into(),
        ));
    }
    let progress = |step: &str| eprintln!("seed-bench: {step}");
    progress("tenant, kitchens, an admin and an API token");
    let tenant = tenants::insert(conn, "Bänkby kommun", "municipal")
        .await
        .map_err(failed)?;
    let mut site_ids = Vec::new();
    for name in ["Storköket", "Norra köket", "Södra köket"] {
        site_ids.push(
            sites::insert(conn, tenant, name, "Europe/Stockholm")
                .await
                .map_err(failed)?,
        );
    }
    let hash = password::hash("bench-password-not-for-use".into())
        .await
        .map_err(|e| StartError::Command(e.to_string()))?;
    let admin = users::insert(
        conn,
        &users::NewUser {
            tenant_id: Some(tenant),
            site_id: None,
            email: "bench-admin@example.invalid",
            display_name: "Bench",
            role: Role::Admin,
            password_hash: &hash,
        },
    )
    .await
    .map_err(failed)?;
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
    .await
    .map_err(failed)?;
    let seeded = bench_data::seed(conn, tenant, &site_ids, shape, &progress)
        .await
        .map_err(failed)?;
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
    println!(
        "{}",
        serde_json::json!({
            "token": secret,
            "site": site_ids[0],
            "departments": seeded.departments[0],
            "weeks": weeks,
            "mondays": mondays,
        })
    );
    Ok(())
}
