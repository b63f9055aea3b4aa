//! Start-up and shutdown: connect, migrate, load flags, serve, drain.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use crate::config::Settings;
use crate::db::{DbError, DbPool, migrate};
use crate::flags::{BackgroundTasks, FlagError, FlagService};
use crate::module::{Registry, RegistryError};
use crate::state::AppState;
use crate::web::i18n::{I18n, I18nError};

/// Why the service could not start; each says what to fix in one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("cannot use the database at {url}: {reason}")]
    Database { url: String, reason: String },
    #[error(transparent)]
    Flags(#[from] FlagError),
    #[error(transparent)]
    I18n(#[from] I18nError),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("server error: {0}")]
    Serve(String),
    /// An operator command refused its input; the text says why.
    #[error("{0}")]
    Command(String),
}

impl StartError {
    pub fn database(settings: &Settings, error: &DbError) -> Self {
        StartError::Database {
            url: settings.database_url.masked(),
            reason: error.to_string(),
        }
    }
}

/// A built service: its state, router and background tasks.
pub struct App {
    pub state: AppState,
    pub router: Router,
    pub background: BackgroundTasks,
}

/// Connects to the database (failing fast), migrates when asked, loads the module switches and
/// builds the router.
pub async fn build_app(
    settings: Settings,
    registry: &'static Registry,
    run_migrations: bool,
) -> Result<App, StartError> {
    crate::flags::check_env_default(registry, &settings)?;
    // Install the recorder before anything records (the first flag snapshot does).
    crate::http::metrics::handle();
    let pool = DbPool::connect(&settings.database_url, settings.db_pool_size)
        .await
        .map_err(|e| StartError::database(&settings, &e))?;
    if run_migrations {
        let applied = migrate::run_pending(&settings.database_url, registry)
            .await
            .map_err(|e| StartError::database(&settings, &e))?;
        for migration in &applied {
            tracing::info!(owner = migration.owner, version = %migration.name, "applied migration");
        }
    }
    let flags = FlagService::load(registry, pool.clone(), &settings).await?;
    let mut background = flags.start_background(&settings.database_url);
    let answers = crate::answers::AnswerCache::new(
        settings.answer_cache_mib * 1024 * 1024,
        // SQLite has no other instance to hear from; PostgreSQL waits for the listener.
        !matches!(settings.database_url, crate::db::DatabaseUrl::Postgres(_)),
    );
    if let crate::db::DatabaseUrl::Postgres(url) = &settings.database_url {
        background = background.and(tokio::spawn(crate::answers::listen::listen(
            answers.clone(),
            url.clone(),
        )));
        let (others, broadcaster) = crate::answers::broadcast::Broadcast::start(url.clone());
        answers.tell_others_through(others);
        background = background.and(broadcaster);
    }
    let i18n = I18n::load(registry)?;
    let sign_in_window = Duration::from_secs(settings.signin_window_secs);
    // Several instances share one PostgreSQL and must count the same attempts (decision 0026).
    let sign_in_throttle: Arc<dyn crate::auth::throttle::SignInThrottle> =
        match &settings.database_url {
            crate::db::DatabaseUrl::Postgres(_) => {
                Arc::new(crate::auth::throttle::postgres::PostgresThrottle::new(
                    pool.clone(),
                    settings.signin_max_failures,
                    sign_in_window,
                ))
            }
            crate::db::DatabaseUrl::Sqlite(_) => {
                Arc::new(crate::auth::throttle::InMemoryThrottle::new(
                    settings.signin_max_failures,
                    sign_in_window,
                ))
            }
        };
    let limits = crate::http::rate_limit::RequestLimits {
        per_address: Arc::new(crate::http::rate_limit::InMemoryLimiter::per_minute(
            settings.requests_per_minute,
        )),
        writes_per_caller: Arc::new(crate::http::rate_limit::InMemoryLimiter::per_minute(
            settings.writes_per_minute,
        )),
    };
    let file_work = crate::file_work::FileWork::new(
        settings.file_workers,
        Duration::from_secs(settings.file_wait_secs),
        Duration::from_secs(settings.file_budget_secs),
    );
    let state = AppState {
        // Integrations send the same few tokens; a thousand is far more than a tenant makes.
        token_grants: crate::answers::Memo::new(&answers, 1024),
        site_owners: crate::answers::Memo::new(&answers, 4096),
        module_memos: crate::answers::ModuleMemos::new(&answers),
        answers,
        limits,
        file_work,
        sign_in_throttle,
        settings: Arc::new(settings),
        db: pool,
        flags,
        registry,
        i18n: Arc::new(i18n),
    };
    let router = crate::http::build_router(state.clone());
    Ok(App {
        state,
        router,
        background,
    })
}

/// `galley serve`: runs until SIGTERM or Ctrl-C, lets in-flight requests finish (up to the
/// configured grace period), then closes the pool.
pub async fn serve(settings: Settings, registry: &'static Registry) -> Result<(), StartError> {
    let bind = settings.bind;
    let grace = Duration::from_secs(settings.shutdown_timeout_secs);
    let migrate_on_start = settings.migrate_on_start;
    let local = settings.env.is_local();
    let app = build_app(settings, registry, migrate_on_start).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| StartError::Bind {
            addr: bind.to_string(),
            reason: e.to_string(),
        })?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| StartError::Serve(e.to_string()))?;
    tracing::info!(
        url = %local_addr_url(local_addr),
        backend = app.state.db.backend_name(),
        modules = ?app.state.flags.snapshot().enabled_ids(),
        "Galley is listening"
    );

    if local {
        let logins = demo_logins(&app.state).await;
        print_local_banner(&app.state, local_addr_url(local_addr), &logins);
    }

    let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        app.router
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stopping_tx.send(true);
    });
    let deadline = async move {
        let mut rx = stopping_rx;
        let _ = rx.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result.map_err(|e| StartError::Serve(e.to_string()))?,
        () = deadline => tracing::warn!(seconds = grace.as_secs(), "grace period over; closing remaining connections"),
    }
    drop(app.background);
    app.state.db.close();
    tracing::info!("stopped");
    Ok(())
}

fn local_addr_url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}/")
}

/// What a newcomer needs after `cargo xtask run`, on stdout rather than in the log stream.
/// Local runs get the demo data set on first run, so there is someone to sign in as.
async fn demo_logins(state: &AppState) -> Vec<crate::people::accounts::DemoLogin> {
    let result = match state.db.get().await {
        Ok(mut pooled) => crate::people::accounts::ensure_demo(&mut pooled.conn(), state.registry)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    // The demo chooses modules per site; show them at once, not at the next refresh.
    if let Err(error) = state.flags.refresh().await {
        tracing::warn!(%error, "module flags not refreshed after the demo data");
    }
    result.unwrap_or_else(|error| {
        tracing::warn!(%error, "demo data not created");
        Vec::new()
    })
}

fn print_local_banner(
    state: &AppState,
    url: String,
    logins: &[crate::people::accounts::DemoLogin],
) {
    let enabled = state.flags.snapshot().enabled_ids();
    let modules = if enabled.is_empty() {
        "none (see DEFAULT_ENABLED_MODULES)".to_owned()
    } else {
        enabled.join(", ")
    };
    println!();
    println!("  Galley is running at {url}");
    println!("  database  {}", state.settings.database_url.masked());
    println!("  modules   {modules}");
    println!("  API docs  {url}api/docs/");
    if !logins.is_empty() {
        println!(
            "  sign in   {url}login  (demo password: {})",
            crate::people::accounts::DEMO_PASSWORD
        );
        for login in logins {
            println!("            {:<11} {}", login.role.as_str(), login.email);
        }
    }
    println!("  Stop with Ctrl-C.");
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
