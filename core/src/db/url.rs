//! `DATABASE_URL`: which backend, and where.

/// A parsed database location; the scheme picks the backend.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A `postgresql://` URL, normalised from the accepted spellings.
    Postgres(String),
    /// A SQLite file path, or `:memory:`.
    Sqlite(String),
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The deployment document's SQLAlchemy spelling, accepted so existing env files keep working.
const PSYCOPG_PREFIX: &str = "postgresql+psycopg://";

impl DatabaseUrl {
    /// Parses `postgresql://`, `postgres://`, `postgresql+psycopg://`, `sqlite://PATH`,
    /// `sqlite:PATH` or a bare file path.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if let Some(rest) = raw.strip_prefix(PSYCOPG_PREFIX) {
            tracing::info!(
                "DATABASE_URL uses the postgresql+psycopg:// form; reading it as postgresql://"
            );
            return Self::postgres(format!("postgresql://{rest}"));
        }
        if raw.starts_with("postgresql://") || raw.starts_with("postgres://") {
            return Self::postgres(raw.to_owned());
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "unsupported scheme `{scheme}://`; use postgresql://user:pass@host/db or a SQLite file path"
            ));
        }
        if path.is_empty() {
            return Err(
                "is empty; use postgresql://user:pass@host/db or a SQLite file path".into(),
            );
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    fn postgres(url: String) -> Result<Self, String> {
        // tokio-postgres's own parser is the one that will read it, so let it judge.
        url.parse::<tokio_postgres::Config>()
            .map_err(|e| format!("is not a valid PostgreSQL URL: {e}"))?;
        Ok(Self::Postgres(url))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgresql",
            Self::Sqlite(_) => "sqlite",
        }
    }

    /// The URL with any password replaced, safe for logs and `check-config`.
    pub fn masked(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{path}"),
            Self::Postgres(url) => mask_password(url),
        }
    }
}

fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:****@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_documented_form() {
        for url in [
            "postgresql://u:p@localhost/db",
            "postgres://u@localhost:5432/db",
        ] {
            assert_eq!(
                DatabaseUrl::parse(url).unwrap(),
                DatabaseUrl::Postgres(url.into())
            );
        }
        assert_eq!(
            DatabaseUrl::parse("postgresql+psycopg://u:p@h/db").unwrap(),
            DatabaseUrl::Postgres("postgresql://u:p@h/db".into())
        );
        for (url, path) in [
            ("sqlite://data/galley.db", "data/galley.db"),
            ("sqlite:galley.db", "galley.db"),
            ("./galley.db", "./galley.db"),
            ("/var/lib/galley/galley.db", "/var/lib/galley/galley.db"),
        ] {
            assert_eq!(
                DatabaseUrl::parse(url).unwrap(),
                DatabaseUrl::Sqlite(path.into())
            );
        }
    }

    #[test]
    fn refuses_other_schemes_and_garbage() {
        let err = DatabaseUrl::parse("mysql://u@h/db").unwrap_err();
        assert!(err.contains("mysql://"), "{err}");
        assert!(DatabaseUrl::parse("").is_err());
        let err = DatabaseUrl::parse("postgresql://u@h:notaport/db").unwrap_err();
        assert!(err.contains("not a valid PostgreSQL URL"), "{err}");
    }

    #[test]
    fn masks_passwords() {
        let url = DatabaseUrl::parse("postgresql://galley:s3cret@db:5432/galley").unwrap();
        assert_eq!(url.masked(), "postgresql://galley:****@db:5432/galley");
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}
