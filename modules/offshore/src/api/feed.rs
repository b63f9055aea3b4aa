//! `GET /offshore/feeds/{secret}.ics`: a private calendar feed, read by calendar apps that
//! cannot sign in. The secret in the URL is the only authority: it is looked up by its keyed
//! hash, so an unknown and a revoked secret cost the same one indexed lookup and both answer
//! 404, the same as any unknown path.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use galley_core::auth::token;
use galley_core::flags::Scope;
use galley_core::http::AppError;
use galley_core::people::{sites, tenants};
use galley_core::state::AppState;

use super::exports::{default_window, person_calendar};
use crate::export::feeds;
use crate::rota::crew;

/// Mounted under the module's pages (`/offshore`), behind the module's switch.
pub fn router() -> Router<AppState> {
    Router::new().route("/feeds/{file}", get(feed))
}

/// Calendar apps poll every few minutes to hours; five minutes of caching spares the database
/// and a change still shows soon. `private`: a shared cache must not keep one person's shifts.
const CACHE: &str = "private, max-age=300";

async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match serve(&state, &file).await {
        Ok(Some(response)) => response,
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn serve(state: &AppState, file: &str) -> Result<Option<Response>, AppError> {
    let Some(secret) = file.strip_suffix(".ics") else {
        return Ok(None);
    };
    let hash = token::hash(&state.settings.secret_key, secret);
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let Some(feed) = feeds::live_by_hash(conn, &hash).await? else {
        return Ok(None);
    };
    // The module gate only saw an anonymous caller (the platform-wide switch); the feed's own
    // tenant and site decide whether the module is on for it.
    let scope = Scope {
        tenant_id: Some(feed.tenant_id),
        site_id: Some(feed.site_id),
    };
    if !state.flags.is_enabled_in("offshore", scope) {
        return Ok(None);
    }
    // A deleted tenant's feeds end with it, as its API tokens do.
    if tenants::find(conn, feed.tenant_id).await?.is_none() {
        return Ok(None);
    }
    let Some(site) = sites::find(conn, feed.tenant_id, feed.site_id).await? else {
        return Ok(None);
    };
    let Some(member) = crew::find(conn, feed.site_id, feed.crew_id).await? else {
        return Ok(None);
    };
    let body = person_calendar(conn, &site, &member, default_window(&site)).await?;
    Ok(Some(super::exports::calendar_response(body, CACHE)))
}
