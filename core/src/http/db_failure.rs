//! A request whose database connection died under it (a restart, a failover, a terminated
//! backend) is answered as "the database is unavailable" (503 with `Retry-After`), never as a
//! 500; a read without a body is first tried once more on a fresh connection, since the next
//! connection usually works. See [`crate::db::watch`] for how a lost connection is told from a
//! failed statement.

use axum::body::{Body, HttpBody as _};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use crate::db::DbError;
use crate::db::watch::{Verdict, watched};

/// Marks a response that a database error produced, for [`recover`].
#[derive(Debug, Clone, Copy)]
pub struct DatabaseFailure;

pub async fn recover(request: Request, next: Next) -> Response {
    let replay = replayable(&request);
    let (response, verdict) = watched(next.clone().run(request)).await;
    if !lost_connection(&response, verdict) {
        return response;
    }
    let Some(again) = replay else {
        tracing::warn!("the database connection was lost during a write; answered 503");
        return unavailable();
    };
    tracing::warn!("the database connection was lost during a read; trying a fresh one");
    let (response, verdict) = watched(next.run(again)).await;
    if lost_connection(&response, verdict) {
        return unavailable();
    }
    response
}

fn lost_connection(response: &Response, verdict: Verdict) -> bool {
    response.extensions().get::<DatabaseFailure>().is_some()
        && (verdict == Verdict::ConnectionLost
            || response.status() == StatusCode::SERVICE_UNAVAILABLE)
}

fn unavailable() -> Response {
    AppError::Db(DbError::Unavailable("the connection was lost".into())).into_response()
}

/// A copy of a read without a body, to send once more; `None` for anything else, since a
/// write may have reached the database before its connection went.
fn replayable(request: &Request) -> Option<Request> {
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || request.body().size_hint().exact() != Some(0)
    {
        return None;
    }
    let mut copy = Request::new(Body::empty());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    Some(copy)
}
