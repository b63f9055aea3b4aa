//! The versioned write, spelled once: after the caller has checked `If-Match` against what it
//! read, the write (which changes nothing when the row's version moved on) and its audit entry
//! run in one transaction; when another write came first, everything the transaction did is
//! rolled back and the answer is 412 with the ETag stored now, so the client can re-read and
//! decide.

use super::AppError;

/// How a versioned write's transaction ends. A lost race is an error so that the transaction
/// rolls back whatever it wrote before it noticed (a swap writes two rows).
#[derive(Debug)]
#[doc(hidden)]
pub enum Outcome {
    Lost,
    Failed(AppError),
}

impl From<diesel::result::Error> for Outcome {
    fn from(error: diesel::result::Error) -> Self {
        Outcome::Failed(AppError::from(error))
    }
}

impl From<crate::db::DbError> for Outcome {
    fn from(error: crate::db::DbError) -> Self {
        Outcome::Failed(AppError::from(error))
    }
}

impl From<AppError> for Outcome {
    fn from(error: AppError) -> Self {
        Outcome::Failed(error)
    }
}

/// `versioned_write!(conn, |tx| WRITE, audit: ENTRY, on_conflict: CURRENT_ETAG)`
///
/// - `WRITE` is evaluated inside the transaction and yields `bool`: `true` when it wrote
///   (typically `store::update(tx, &row, &fields).await?`, an update filtered on the version
///   read); `false` rolls the transaction back;
/// - `ENTRY` is the [`crate::audit::Entry`] recorded in the same transaction after a write;
/// - `CURRENT_ETAG` is evaluated only after a lost race and yields `Result<String, AppError>`:
///   the ETag of what is stored now.
///
/// The whole expression is a `Result<(), AppError>`.
#[macro_export]
macro_rules! versioned_write {
    ($conn:expr, |$tx:ident| $write:expr, audit: $entry:expr, on_conflict: $current:expr $(,)?) => {{
        let written: ::std::result::Result<(), $crate::http::versioned::Outcome> =
            $crate::transaction!($conn, |$tx| {
                if !($write) {
                    return Err($crate::http::versioned::Outcome::Lost);
                }
                $crate::audit::record($tx, $entry).await?;
                Ok(())
            });
        match written {
            Ok(()) => Ok(()),
            Err($crate::http::versioned::Outcome::Lost) => match $current {
                Ok(current_etag) => {
                    Err($crate::http::AppError::PreconditionFailed { current_etag })
                }
                Err(error) => Err(error),
            },
            Err($crate::http::versioned::Outcome::Failed(error)) => Err(error),
        }
    }};
}
