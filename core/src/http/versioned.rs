//! The versioned write, spelled once: after the caller has checked `If-Match` against what it
//! read, the write (which changes nothing when the row's version moved on) and its audit entry
//! run in one transaction; when another write came first the answer is 412 with the ETag stored
//! now, so the client can re-read and decide.

/// `versioned_write!(conn, |tx| WRITE, audit: ENTRY, on_conflict: CURRENT_ETAG)`
///
/// - `WRITE` is evaluated inside the transaction and yields `bool`: `true` when it wrote
///   (typically `store::update(tx, &row, &fields).await?`, an update filtered on the version
///   read);
/// - `ENTRY` is the [`crate::audit::Entry`] recorded in the same transaction after a write;
/// - `CURRENT_ETAG` is evaluated only after a lost race and yields `Result<String, AppError>`:
///   the ETag of what is stored now.
///
/// The whole expression is a `Result<(), AppError>`.
#[macro_export]
macro_rules! versioned_write {
    ($conn:expr, |$tx:ident| $write:expr, audit: $entry:expr, on_conflict: $current:expr $(,)?) => {{
        let written: ::std::result::Result<bool, $crate::http::AppError> =
            $crate::transaction!($conn, |$tx| {
                if !($write) {
                    return Ok::<bool, $crate::http::AppError>(false);
                }
                $crate::audit::record($tx, $entry).await?;
                Ok(true)
            });
        match written {
            Ok(true) => Ok(()),
            Ok(false) => match $current {
                Ok(current_etag) => {
                    Err($crate::http::AppError::PreconditionFailed { current_etag })
                }
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        }
    }};
}
