use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Errors of the persistence layer, classified by kind (never by message text).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key constraint violated: {0}")]
    ForeignKey(String),
    #[error("check constraint violated: {0}")]
    Check(String),
    #[error("required value missing: {0}")]
    NotNull(String),
    #[error("the transaction conflicted with another one; retry")]
    Conflict,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Other(DieselError),
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let what = info
                    .constraint_name()
                    .or(info.column_name())
                    .or(info.table_name())
                    .unwrap_or_default()
                    .to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation => Self::Unique(what),
                    DatabaseErrorKind::ForeignKeyViolation => Self::ForeignKey(what),
                    DatabaseErrorKind::CheckViolation => Self::Check(what),
                    DatabaseErrorKind::NotNullViolation => Self::NotNull(what),
                    DatabaseErrorKind::SerializationFailure => Self::Conflict,
                    // diesel-async's kind for a PostgreSQL error without a SQLSTATE: the
                    // connection failed (closed, reset) before an answer came.
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand => {
                        Self::Unavailable("the connection to the database was lost".into())
                    }
                    _ => {
                        super::watch::note_unclassified();
                        Self::Other(DieselError::DatabaseError(kind, info))
                    }
                }
            }
            DieselError::BrokenTransactionManager => {
                Self::Unavailable("the connection to the database was lost".into())
            }
            other => {
                super::watch::note_unclassified();
                Self::Other(other)
            }
        }
    }
}

impl From<diesel::ConnectionError> for DbError {
    fn from(error: diesel::ConnectionError) -> Self {
        Self::Unavailable(error.to_string().trim().to_owned())
    }
}
