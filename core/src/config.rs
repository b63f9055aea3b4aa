//! Configuration: built-in defaults, then an optional `galley.toml`, then the environment.
//!
//! The customer's deployment document names `SECRET_KEY`, `DATABASE_URL`,
//! `DEFAULT_ENABLED_MODULES` and `FEATURE_FLAGS_SOURCE`; those keep their names, every other
//! variable takes the `GALLEY_` prefix.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::db::DatabaseUrl;
use crate::secret::SecretKey;

/// Variables read without the `GALLEY_` prefix, as the deployment document names them.
const UNPREFIXED: [&str; 4] = [
    "SECRET_KEY",
    "DATABASE_URL",
    "DEFAULT_ENABLED_MODULES",
    "FEATURE_FLAGS_SOURCE",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Local,
    Staging,
    Production,
}

impl Environment {
    pub fn is_local(self) -> bool {
        self == Environment::Local
    }

    pub fn name(self) -> &'static str {
        match self {
            Environment::Local => "local",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagsSource {
    /// Database flags override `DEFAULT_ENABLED_MODULES`.
    Db,
    /// Only `DEFAULT_ENABLED_MODULES` counts; database flags are ignored.
    Env,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The raw layered values, before validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RawSettings {
    env: Environment,
    database_url: Option<String>,
    secret_key: Option<String>,
    default_enabled_modules: Option<String>,
    feature_flags_source: FlagsSource,
    bind: Option<String>,
    migrate_on_start: bool,
    log: String,
    log_format: Option<LogFormat>,
    db_pool_size: u32,
    flags_refresh_secs: u64,
    body_limit_bytes: usize,
    shutdown_timeout_secs: u64,
    trusted_proxies: String,
    signin_max_failures: u32,
    signin_window_secs: u64,
    requests_per_minute: u32,
    writes_per_minute: u32,
    cors_origins: String,
    file_workers: usize,
    file_wait_secs: u64,
    file_budget_secs: u64,
    answer_cache_mib: u64,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            env: Environment::Local,
            database_url: None,
            secret_key: None,
            default_enabled_modules: None,
            feature_flags_source: FlagsSource::Db,
            bind: None,
            migrate_on_start: true,
            log: "info".to_owned(),
            log_format: None,
            db_pool_size: 10,
            flags_refresh_secs: 2,
            body_limit_bytes: 1024 * 1024,
            shutdown_timeout_secs: 30,
            trusted_proxies: String::new(),
            signin_max_failures: 5,
            signin_window_secs: 900,
            requests_per_minute: 3000,
            writes_per_minute: 120,
            cors_origins: String::new(),
            file_workers: 0,
            file_wait_secs: 5,
            file_budget_secs: 10,
            // Every open week of about 1,500 departments with their sites' plans and reports
            // (docs/decisions/0022-ready-answers.md); a server's whole peak stays under 64 MiB.
            answer_cache_mib: 4,
        }
    }
}

/// Validated settings the service runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Environment,
    pub database_url: DatabaseUrl,
    pub secret_key: SecretKey,
    /// `None`: every linked module; `Some(list)`: exactly these (possibly none).
    pub default_enabled_modules: Option<Vec<String>>,
    pub feature_flags_source: FlagsSource,
    pub bind: SocketAddr,
    pub migrate_on_start: bool,
    pub log: String,
    pub log_format: LogFormat,
    pub db_pool_size: u32,
    pub flags_refresh_secs: u64,
    pub body_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
    /// Peers whose `X-Forwarded-For` is believed (addresses or CIDR ranges).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Failed sign-ins per account and per client address before 429.
    pub signin_max_failures: u32,
    pub signin_window_secs: u64,
    /// All requests per client address per minute.
    pub requests_per_minute: u32,
    /// Unsafe requests per signed-in user or API token per minute.
    pub writes_per_minute: u32,
    /// Origins allowed to call the API from a browser (CORS); empty: none.
    pub cors_origins: Vec<String>,
    /// Files parsed or rendered at once (0: one per core but one).
    pub file_workers: usize,
    /// How long a file waits for a worker before the answer is 503 with `Retry-After`.
    pub file_wait_secs: u64,
    /// How long parsing one uploaded file may take.
    pub file_budget_secs: u64,
    /// Memory for ready answers of hot reads, in MiB (0: no cache).
    pub answer_cache_mib: u64,
    /// Where the TOML layer was read from, when it existed.
    pub config_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("{key}: {reason}")]
    Field { key: &'static str, reason: String },
}

impl ConfigError {
    fn field(key: &'static str, reason: impl Into<String>) -> Self {
        Self::Field {
            key,
            reason: reason.into(),
        }
    }
}

impl Settings {
    /// Loads from defaults, `galley.toml` (or `GALLEY_CONFIG`) and the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let path = std::env::var_os("GALLEY_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("galley.toml"));
        let config_file = path.is_file().then(|| path.clone());
        let figment = Figment::from(Serialized::defaults(RawSettings::default()))
            .merge(Toml::file(&path))
            .merge(Env::prefixed("GALLEY_").ignore(&["CONFIG"]))
            .merge(
                Env::raw()
                    .only(&UNPREFIXED)
                    .map(|k| k.as_str().to_lowercase().into()),
            );
        Self::from_figment(figment, config_file)
    }

    /// Validates an assembled figment; tests build their own instead of touching the
    /// process environment.
    pub fn from_figment(
        figment: Figment,
        config_file: Option<PathBuf>,
    ) -> Result<Self, ConfigError> {
        let raw: RawSettings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(first_line(&e.to_string())))?;
        let env = raw.env;

        let database_url = match raw.database_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => DatabaseUrl::parse(url)
                .map_err(|reason| ConfigError::field("DATABASE_URL", reason))?,
            _ if env.is_local() => DatabaseUrl::parse("./galley.db")
                .map_err(|reason| ConfigError::field("DATABASE_URL", reason))?,
            _ => {
                return Err(ConfigError::field(
                    "DATABASE_URL",
                    "is required outside local, e.g. postgresql://galley:PASSWORD@db.internal:5432/galley",
                ));
            }
        };

        let secret_key = match raw.secret_key.as_deref() {
            Some(key) if !key.is_empty() => {
                SecretKey::parse(key).map_err(|reason| ConfigError::field("SECRET_KEY", reason))?
            }
            _ if env.is_local() => SecretKey::generate_ephemeral(),
            _ => {
                return Err(ConfigError::field(
                    "SECRET_KEY",
                    format!(
                        "is required in {}; make one with `galley gen-secret` or `openssl rand -hex 32`",
                        env.name()
                    ),
                ));
            }
        };

        let default_enabled_modules = raw.default_enabled_modules.map(|list| {
            list.split(',')
                .map(|name| name.trim().to_ascii_lowercase())
                .filter(|name| !name.is_empty())
                .collect()
        });

        let bind = match raw.bind.as_deref() {
            Some(addr) => addr.trim().parse().map_err(|_| {
                ConfigError::field(
                    "GALLEY_BIND",
                    format!("`{addr}` is not an address like 127.0.0.1:8000"),
                )
            })?,
            None if env.is_local() => SocketAddr::from(([127, 0, 0, 1], 8000)),
            None => SocketAddr::from(([0, 0, 0, 0], 8000)),
        };

        if raw.db_pool_size == 0 {
            return Err(ConfigError::field(
                "GALLEY_DB_POOL_SIZE",
                "must be at least 1",
            ));
        }
        if raw.flags_refresh_secs == 0 {
            return Err(ConfigError::field(
                "GALLEY_FLAGS_REFRESH_SECS",
                "must be at least 1",
            ));
        }
        if raw.body_limit_bytes < 1024 {
            return Err(ConfigError::field(
                "GALLEY_BODY_LIMIT_BYTES",
                "must be at least 1024",
            ));
        }

        let trusted_proxies = parse_proxies(&raw.trusted_proxies)
            .map_err(|reason| ConfigError::field("GALLEY_TRUSTED_PROXIES", reason))?;
        if raw.signin_max_failures < 2 {
            return Err(ConfigError::field(
                "GALLEY_SIGNIN_MAX_FAILURES",
                "must be at least 2",
            ));
        }

        if raw.requests_per_minute == 0 {
            return Err(ConfigError::field(
                "GALLEY_REQUESTS_PER_MINUTE",
                "must be at least 1",
            ));
        }
        if raw.writes_per_minute == 0 {
            return Err(ConfigError::field(
                "GALLEY_WRITES_PER_MINUTE",
                "must be at least 1",
            ));
        }
        if raw.file_budget_secs == 0 {
            return Err(ConfigError::field(
                "GALLEY_FILE_BUDGET_SECS",
                "must be at least 1",
            ));
        }
        if raw.answer_cache_mib > 1024 {
            return Err(ConfigError::field(
                "GALLEY_ANSWER_CACHE_MIB",
                "must be at most 1024 (MiB)",
            ));
        }
        let cors_origins = parse_origins(&raw.cors_origins)
            .map_err(|reason| ConfigError::field("GALLEY_CORS_ORIGINS", reason))?;

        Ok(Self {
            env,
            database_url,
            secret_key,
            default_enabled_modules,
            feature_flags_source: raw.feature_flags_source,
            bind,
            migrate_on_start: raw.migrate_on_start,
            log: raw.log,
            log_format: raw.log_format.unwrap_or(if env.is_local() {
                LogFormat::Pretty
            } else {
                LogFormat::Json
            }),
            db_pool_size: raw.db_pool_size,
            flags_refresh_secs: raw.flags_refresh_secs,
            body_limit_bytes: raw.body_limit_bytes,
            shutdown_timeout_secs: raw.shutdown_timeout_secs,
            trusted_proxies,
            signin_max_failures: raw.signin_max_failures,
            signin_window_secs: raw.signin_window_secs,
            requests_per_minute: raw.requests_per_minute,
            writes_per_minute: raw.writes_per_minute,
            cors_origins,
            file_workers: raw.file_workers,
            file_wait_secs: raw.file_wait_secs,
            file_budget_secs: raw.file_budget_secs,
            answer_cache_mib: raw.answer_cache_mib,
            config_file,
        })
    }

    /// A figment of defaults only, for tests to merge their values onto.
    pub fn defaults_figment() -> Figment {
        Figment::from(Serialized::defaults(RawSettings::default()))
    }

    /// The effective configuration as `(key, value, source note)` rows with secrets masked,
    /// for `galley check-config`.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let modules = match &self.default_enabled_modules {
            None => "(unset: every linked module)".to_owned(),
            Some(list) if list.is_empty() => "(empty: none)".to_owned(),
            Some(list) => list.join(","),
        };
        vec![
            ("GALLEY_ENV", self.env.name().to_owned()),
            ("DATABASE_URL", self.database_url.masked()),
            ("SECRET_KEY", self.secret_key.describe()),
            ("DEFAULT_ENABLED_MODULES", modules),
            (
                "FEATURE_FLAGS_SOURCE",
                format!("{:?}", self.feature_flags_source).to_lowercase(),
            ),
            ("GALLEY_BIND", self.bind.to_string()),
            ("GALLEY_MIGRATE_ON_START", self.migrate_on_start.to_string()),
            ("GALLEY_LOG", self.log.clone()),
            (
                "GALLEY_LOG_FORMAT",
                format!("{:?}", self.log_format).to_lowercase(),
            ),
            ("GALLEY_DB_POOL_SIZE", self.db_pool_size.to_string()),
            (
                "GALLEY_FLAGS_REFRESH_SECS",
                self.flags_refresh_secs.to_string(),
            ),
            ("GALLEY_BODY_LIMIT_BYTES", self.body_limit_bytes.to_string()),
            (
                "GALLEY_SHUTDOWN_TIMEOUT_SECS",
                self.shutdown_timeout_secs.to_string(),
            ),
            (
                "GALLEY_TRUSTED_PROXIES",
                if self.trusted_proxies.is_empty() {
                    "(none: X-Forwarded-For is ignored)".to_owned()
                } else {
                    self.trusted_proxies
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                },
            ),
            (
                "GALLEY_SIGNIN_MAX_FAILURES",
                self.signin_max_failures.to_string(),
            ),
            (
                "GALLEY_SIGNIN_WINDOW_SECS",
                self.signin_window_secs.to_string(),
            ),
            (
                "GALLEY_FILE_WORKERS",
                match self.file_workers {
                    0 => "0 (one per core but one)".to_owned(),
                    n => n.to_string(),
                },
            ),
            ("GALLEY_FILE_WAIT_SECS", self.file_wait_secs.to_string()),
            ("GALLEY_FILE_BUDGET_SECS", self.file_budget_secs.to_string()),
            (
                "GALLEY_ANSWER_CACHE_MIB",
                match self.answer_cache_mib {
                    0 => "0 (off)".to_owned(),
                    n => n.to_string(),
                },
            ),
            (
                "GALLEY_CONFIG",
                self.config_file.as_ref().map_or_else(
                    || "(no galley.toml read)".to_owned(),
                    |p| p.display().to_string(),
                ),
            ),
        ]
    }
}

/// `10.0.0.0/8, 192.168.1.10` -> networks; a bare address is a single-host network.
fn parse_proxies(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{item}` is not an address or a CIDR range like 10.0.0.0/8"))
        })
        .collect()
}

/// `https://a.example, https://b.example` -> origins; each must be scheme://host[:port].
fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let ok = (item.starts_with("https://") || item.starts_with("http://"))
                && !item
                    .trim_end_matches('/')
                    .split("://")
                    .nth(1)
                    .unwrap_or_default()
                    .contains('/')
                && item.parse::<axum::http::HeaderValue>().is_ok();
            if ok {
                Ok(item.trim_end_matches('/').to_owned())
            } else {
                Err(format!(
                    "`{item}` is not an origin like https://portal.example.se"
                ))
            }
        })
        .collect()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut figment = Settings::defaults_figment();
        for (key, value) in pairs {
            figment = figment.merge((*key, *value));
        }
        Settings::from_figment(figment, None)
    }

    #[test]
    fn local_defaults_to_sqlite_file_and_loopback() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings.env, Environment::Local);
        assert!(matches!(settings.database_url, DatabaseUrl::Sqlite(ref p) if p == "./galley.db"));
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8000");
        assert_eq!(settings.log_format, LogFormat::Pretty);
        assert_eq!(settings.default_enabled_modules, None);
    }

    #[test]
    fn production_requires_database_url_and_strong_secret() {
        let err = load(&[("env", "production")]).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL"), "{err}");
        let err = load(&[
            ("env", "production"),
            ("database_url", "postgres://db/galley"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("gen-secret"), "{err}");
        let err = load(&[
            ("env", "production"),
            ("database_url", "postgres://db/galley"),
            ("secret_key", "changeme"),
        ])
        .unwrap_err();
        assert!(err.to_string().starts_with("SECRET_KEY"), "{err}");
        let ok = load(&[
            ("env", "production"),
            ("database_url", "postgres://db/galley"),
            (
                "secret_key",
                "3f9c1e0a7b5d2c8e4f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e",
            ),
        ])
        .unwrap();
        assert_eq!(ok.bind.to_string(), "0.0.0.0:8000");
        assert_eq!(ok.log_format, LogFormat::Json);
    }

    #[test]
    fn module_list_tolerates_spaces_and_case_and_empty_means_none() {
        let settings = load(&[("default_enabled_modules", " Municipal , OFFSHORE ,")]).unwrap();
        assert_eq!(
            settings.default_enabled_modules,
            Some(vec!["municipal".to_owned(), "offshore".to_owned()])
        );
        let settings = load(&[("default_enabled_modules", "")]).unwrap();
        assert_eq!(settings.default_enabled_modules, Some(vec![]));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = load(&[("bind", "not-an-address")]).unwrap_err();
        assert!(err.to_string().starts_with("GALLEY_BIND"), "{err}");
        let err = load(&[("database_url", "mysql://x/y")]).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL"), "{err}");
        let err = load(&[("env", "prod")]).unwrap_err();
        assert!(err.to_string().contains("prod"), "{err}");
    }

    #[test]
    fn describe_masks_secrets() {
        let settings = load(&[
            (
                "database_url",
                "postgresql://galley:hunter2hunter2@db/galley",
            ),
            (
                "secret_key",
                "3f9c1e0a7b5d2c8e4f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e",
            ),
        ])
        .unwrap();
        let text = format!("{:?}", settings.describe());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("3f9c1e0a"), "{text}");
    }
}
